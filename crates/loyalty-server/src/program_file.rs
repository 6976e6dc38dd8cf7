//! Program files: TOML text to a validated program, with every problem located by field
//! and line so a marketer can fix the file without reading code.

mod shape;

use loyalty_core::Program;
use std::fmt;
use std::path::Path;
use toml::de::{DeTable, DeValue};

/// One problem in a program file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field, such as `earning[1].multiplier`, when it is known.
    pub field: Option<String>,
    /// 1-based line and column in the file, when they are known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}")?;
            if let Some(column) = self.column {
                write!(f, ", column {column}")?;
            }
            f.write_str(": ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Why a program file could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ProgramFileError {
    pub source_name: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for ProgramFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not a valid program", self.source_name)?;
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

/// Reads and validates a program file.
pub fn load(path: &Path) -> Result<Program, ProgramFileError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ProgramFileError {
        source_name: name.clone(),
        problems: vec![Problem {
            field: None,
            line: None,
            column: None,
            message: format!("cannot read: {e}"),
        }],
    })?;
    parse(&name, &text)
}

/// Validates program text; `source_name` names it in errors. Every problem is reported,
/// each with its field and line: a TOML syntax error stops the reading, but after that
/// every rule, reward and section that is not well formed is listed, and then every
/// problem the program's own checks find in the parts that were.
pub fn parse(source_name: &str, text: &str) -> Result<Program, ProgramFileError> {
    let fail = |problems| ProgramFileError { source_name: source_name.to_owned(), problems };
    let at = |field: Option<String>, offset: Option<usize>, message: String| {
        let (line, column) = offset.map(|o| line_and_column(text, o)).unzip();
        Problem { field, line, column, message }
    };
    let table = DeTable::parse(text)
        .map_err(|e| fail(vec![at(None, e.span().map(|s| s.start), e.message().trim().to_owned())]))?;
    let shape = shape::read(&table);
    let mut problems: Vec<Problem> =
        shape.problems.into_iter().map(|p| at(p.field, Some(p.offset), p.message)).collect();
    let Some((definition, rules, rewards)) = shape.well_formed else { return Err(fail(problems)) };
    match Program::from_def(definition) {
        Ok(program) if problems.is_empty() => return Ok(program),
        Ok(_) => {}
        Err(errors) => {
            for e in errors.iter() {
                // Rules and rewards that were not well formed were left out: name each
                // problem by its place in the file.
                let path = in_file(&e.path, "earning", &rules);
                let path = in_file(&path, "rewards", &rewards);
                let offset = locate(table.get_ref(), &path);
                problems.push(at(Some(path), offset, e.message.clone()));
            }
        }
    }
    problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    Err(fail(problems))
}

/// `earning[1].x` of the rules that were read is `earning[kept[1]].x` of the file.
fn in_file(path: &str, list: &str, kept: &[usize]) -> String {
    let Some(rest) = path.strip_prefix(list).and_then(|r| r.strip_prefix('[')) else {
        return path.to_owned();
    };
    let Some((index, tail)) = rest.split_once(']') else { return path.to_owned() };
    match index.parse::<usize>().ok().and_then(|i| kept.get(i)) {
        Some(original) => format!("{list}[{original}]{tail}"),
        None => path.to_owned(),
    }
}

/// The byte offset where the value at `path` (`rewards[1].points_cost`) starts.
fn locate(table: &DeTable<'_>, path: &str) -> Option<usize> {
    let mut current: Option<&toml::Spanned<DeValue<'_>>> = None;
    for segment in path.split('.') {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (segment, None),
        };
        let within = match current {
            None => table,
            Some(value) => match value.get_ref() {
                DeValue::Table(t) => t,
                _ => return None,
            },
        };
        let mut value = within.get(name)?;
        if let Some(i) = index {
            let DeValue::Array(items) = value.get_ref() else { return None };
            value = items.get(i)?;
        }
        current = Some(value);
    }
    current.map(|v| v.span().start)
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COFFEE: &str = include_str!("../../../examples/programs/coffee.toml");

    fn problems(text: &str) -> Vec<String> {
        parse("test.toml", text).unwrap_err().problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_demo_program_loads() {
        let program = parse("coffee.toml", COFFEE).unwrap();
        assert_eq!(program.code(), "coffee");
    }

    #[test]
    fn validation_errors_name_the_field_and_its_line() {
        let text = COFFEE
            .replace("multiplier = 2", "multiplier = \"5000\"")
            .replace("points_cost = 60", "points_cost = -1");
        assert_eq!(
            problems(&text),
            vec![
                "line 22, column 14: earning[1].multiplier: must be between 0 and 1000, not 5000",
                "line 32, column 15: rewards[1].points_cost: must be between 1 and 1000000000000",
            ]
        );
    }

    #[test]
    fn parse_errors_give_the_line_and_the_message() {
        let text = COFFEE.replace("multiplier = 2", "multipler = 2");
        let found = problems(&text);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("line 22, column 1: earning[1]: unknown field `multipler`"),
            "{}",
            found[0]
        );

        let float = problems(&COFFEE.replace("multiplier = 2", "multiplier = 2.5"));
        assert!(
            found_in(
                &float,
                "line 18, column 1: earning[1]: invalid type: floating point `2.5`, expected an integer or a decimal written as a string, such as \"1.25\""
            ),
            "{float:?}"
        );

        let top = problems(&COFFEE.replace("points_name", "point_name"));
        assert!(top[0].starts_with("line 8, column 1: unknown field `point_name`"), "{}", top[0]);

        let syntax = problems("id = \"x\"\nname = \n");
        assert!(syntax[0].starts_with("line 2"), "{}", syntax[0]);
    }

    fn found_in(problems: &[String], expected: &str) -> bool {
        problems.iter().any(|p| p == expected)
    }

    #[test]
    fn missing_files_say_so() {
        let err = load(Path::new("/no/such/program.toml")).unwrap_err();
        assert!(err.to_string().contains("cannot read"), "{err}");
    }
}
