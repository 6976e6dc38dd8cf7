use loyalty_server::program_file;
use std::path::Path;
use std::process::ExitCode;

pub fn run(file: &Path) -> ExitCode {
    match program_file::load(file) {
        Ok(program) => {
            println!(
                "{}: program `{}` is valid ({} earning rules, {} rewards, currency {}, time zone {})",
                file.display(),
                program.code(),
                program.rules().len(),
                program.rewards().len(),
                program.currency(),
                program.definition().time_zone,
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
