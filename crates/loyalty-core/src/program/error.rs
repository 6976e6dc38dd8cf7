//! Errors in a program definition, each naming the field it is about.

use std::fmt;

/// One problem with a program definition. `path` names the field the way a reader of
/// the file would (`earning[1].multiplier`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem found in one definition; validation does not stop at the first.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
pub struct DefinitionErrors(pub Vec<DefinitionError>);

impl DefinitionErrors {
    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(DefinitionError { path: path.into(), message: message.into() });
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &DefinitionError> {
        self.0.iter()
    }
}

impl fmt::Display for DefinitionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            e.fmt(f)?;
        }
        Ok(())
    }
}
