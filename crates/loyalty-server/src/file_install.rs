//! What a program file does at start-up. A file is installed only when its content differs
//! from the version last installed *from a file*, so that restarting with the same file
//! keeps what the API changed since; a changed file that would replace API-made versions
//! is refused unless the operator says so (`--program-overrides-api`).

use loyalty_core::Program;
use loyalty_store::{ProgramId, ProgramOrigin, Store, StoreError};
use std::fmt;
use std::path::PathBuf;

/// What start-up does with one program file.
#[derive(Debug)]
pub enum Step {
    /// Install the file's definition (a new program, or a new version of one).
    Install(Box<Program>),
    /// Nothing: the file is what was last installed from it, or what is in force.
    Keep(ProgramId),
}

/// A changed file whose installation would replace versions made over the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overwrite {
    pub file: PathBuf,
    pub code: String,
    /// The version last installed from a file, if any was.
    pub file_version: Option<i64>,
    /// The versions the API made after it, oldest first.
    pub api_versions: Vec<i64>,
}

/// Every file's step, or every file that would replace API-made versions. Nothing is
/// written, so a refusal leaves the database as it was.
pub async fn plan<S: Store>(
    store: &S,
    files: Vec<(PathBuf, Program)>,
    overrides_api: bool,
) -> Result<Result<Vec<Step>, Vec<Overwrite>>, StoreError> {
    let stored = store.programs().await?;
    let (mut steps, mut refused) = (Vec::new(), Vec::new());
    for (file, program) in files {
        let Some(latest) = stored.iter().find(|p| p.definition.id == program.code()) else {
            steps.push(Step::Install(Box::new(program)));
            continue;
        };
        let versions = store.program_versions(latest.id).await?;
        let last_file = versions.iter().rev().find(|v| v.origin == ProgramOrigin::File);
        let unchanged = last_file.is_some_and(|v| &v.definition == program.definition());
        // A file that says what is in force already loses nothing either.
        if unchanged || &latest.definition == program.definition() {
            steps.push(Step::Keep(latest.id));
            continue;
        }
        let file_version = last_file.map(|v| v.version);
        let api_versions: Vec<i64> = versions
            .iter()
            .filter(|v| v.origin == ProgramOrigin::Api && Some(v.version) > file_version)
            .map(|v| v.version)
            .collect();
        if api_versions.is_empty() || overrides_api {
            steps.push(Step::Install(Box::new(program)));
        } else {
            refused.push(Overwrite { file, code: program.code().to_owned(), file_version, api_versions });
        }
    }
    Ok(if refused.is_empty() { Ok(steps) } else { Err(refused) })
}

/// The refusal, naming the versions that would be lost and the ways on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Overwrites(pub Vec<Overwrite>);

impl fmt::Display for Overwrites {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a program file would replace changes made over the API:")?;
        for o in &self.0 {
            let versions = o.api_versions.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            let since = o
                .file_version
                .map_or_else(String::new, |v| format!(" since version {v} was installed from a file"));
            let plural = if o.api_versions.len() == 1 { "version" } else { "versions" };
            write!(
                f,
                "\n  {} changed{since}, and program {} has {plural} {versions} made over the API since; \
                 installing the file would lose {}",
                o.file.display(),
                o.code,
                if o.api_versions.len() == 1 { "it" } else { "them" },
            )?;
        }
        f.write_str(
            "\nto keep the API's changes, start without --program (or with the file as it was) and carry \
             them into the file; to install the file anyway, as a new version that keeps the history, \
             start with --program-overrides-api",
        )
    }
}
