//! `loyalty keys rotate`: a new admin key for a program whose key is lost or leaked.

use crate::{ExistingDatabaseArgs, ProgramLookup, fail, find_program, open_existing};
use clap::{Args, Subcommand};
use loyalty_server::{Clock, rotate_admin_key};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new admin key for a program, print it once, and revoke the old one (the
    /// database keeps only hashes, so a lost key cannot be shown again). Opens an existing
    /// database; it never creates one.
    Rotate(RotateArgs),
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The program's code.
    #[arg(long, value_name = "CODE")]
    program: String,
    #[command(flatten)]
    database: ExistingDatabaseArgs,
}

pub async fn run(command: KeysCommand) -> ExitCode {
    let KeysCommand::Rotate(args) = command;
    let (_, store) = match open_existing(&args.database.database).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let rotated = match find_program(&store, Some(&args.program)).await {
        Ok((program, _)) => rotate_admin_key(&store, program, &Clock::system()).await.map_err(fail),
        Err(ProgramLookup::Store(e)) => Err(fail(e)),
        Err(ProgramLookup::Missing(message)) => Err(fail(message)),
    };
    store.close().await;
    match rotated {
        Ok(key) => {
            println!("new admin key for {}: {key}", args.program);
            println!(
                "it is shown only this once (the database keeps its hash); the old admin key is revoked"
            );
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}
