//! `loyalty keys create|list|rotate|revoke`: a program's API keys, from the database
//! directly (as `POST /v1/keys` and the rest do over the API), for an operator at the
//! server's machine, and for a program whose admin key is lost.

use crate::{ExistingDatabaseArgs, ProgramLookup, fail, find_program, open_existing};
use clap::{Args, Subcommand};
use loyalty_core::Timestamp;
use loyalty_server::secrets::{key_hash, key_prefix, new_api_key};
use loyalty_server::{Clock, rotate_admin_key};
use loyalty_store::{KeyInfo, NewKey, ProgramId, Role, SqlStore, Store};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a key in an existing database and print its secret, once (the database keeps
    /// only its hash).
    Create(CreateArgs),
    /// The program's live keys in an existing database: id, role, name, prefix, when made,
    /// last used, expiry.
    List(ProgramArgs),
    /// A new secret for a key in an existing database (`--id`), the old one working for
    /// `--grace-seconds`; without `--id`, a new bootstrap admin key for a program whose
    /// admin key is lost or leaked, the old one revoked at once.
    Rotate(RotateArgs),
    /// End a key in an existing database at once.
    Revoke(RevokeArgs),
}

#[derive(Debug, Args)]
pub struct ProgramArgs {
    /// The program's code.
    #[arg(long, value_name = "CODE")]
    program: String,
    #[command(flatten)]
    database: ExistingDatabaseArgs,
}

/// A role as the API spells it, with the roles there are in the refusal.
fn role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("one of {}", roles.join(", "))
    })
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    program: ProgramArgs,
    /// What the key is for, such as "till 4".
    #[arg(long)]
    name: String,
    /// admin, pos, read or billing.
    #[arg(long, value_parser = role)]
    role: Role,
    /// When the key stops working (RFC 3339); never if not given.
    #[arg(long, value_name = "TIME")]
    expires_at: Option<String>,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    program: ProgramArgs,
    /// The key to rotate, as `keys list` shows it.
    #[arg(long)]
    id: Option<i64>,
    /// Seconds the old secret keeps working (with `--id`).
    #[arg(long, default_value_t = 0, requires = "id")]
    grace_seconds: u32,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    program: ProgramArgs,
    #[arg(long)]
    id: i64,
}

pub async fn run(command: KeysCommand) -> ExitCode {
    let args = match &command {
        KeysCommand::Create(a) => &a.program,
        KeysCommand::List(a) => a,
        KeysCommand::Rotate(a) => &a.program,
        KeysCommand::Revoke(a) => &a.program,
    };
    let (_, store) = match open_existing(&args.database.database).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let done = match find_program(&store, Some(&args.program)).await {
        Ok((program, _)) => act(&store, program, &command).await,
        Err(ProgramLookup::Store(e)) => Err(fail(e)),
        Err(ProgramLookup::Missing(message)) => Err(fail(message)),
    };
    store.close().await;
    done.map_or_else(|code| code, |()| ExitCode::SUCCESS)
}

fn when(at: Option<Timestamp>) -> String {
    at.map_or_else(|| "-".to_owned(), |t| t.to_string())
}

fn print_key(key: &KeyInfo) {
    println!(
        "{}\t{}\t{}\t{}\tcreated {}\tlast used {}\texpires {}",
        key.id,
        key.role.as_str(),
        key.name,
        key.prefix.as_deref().unwrap_or("-"),
        key.created_at,
        when(key.last_used_at),
        when(key.expires_at)
    );
}

fn new_secret() -> Result<String, ExitCode> {
    new_api_key().map_err(|e| fail(format!("no random secret could be made: {e}")))
}

async fn act(store: &SqlStore, program: ProgramId, command: &KeysCommand) -> Result<(), ExitCode> {
    let now = Clock::system().now();
    match command {
        KeysCommand::Create(args) => {
            let expires_at = args
                .expires_at
                .as_deref()
                .map(|t| Timestamp::parse_rfc3339(t).map_err(|e| fail(format!("--expires-at: {e}"))))
                .transpose()?;
            if expires_at.is_some_and(|at| at <= now) {
                return Err(fail("--expires-at: must be in the future"));
            }
            let secret = new_secret()?;
            let key = NewKey {
                name: args.name.trim().to_owned(),
                role: args.role,
                key_hash: key_hash(&secret),
                prefix: Some(key_prefix(&secret)),
                expires_at,
            };
            if key.name.is_empty() {
                return Err(fail("--name: must not be empty"));
            }
            let made = store.create_api_key(program, &key, now).await.map_err(fail)?;
            print_key(&made);
            println!("secret: {secret}");
            println!("it is shown only this once (the database keeps its hash)");
        }
        KeysCommand::List(_) => {
            for key in store.api_keys(program, now).await.map_err(fail)? {
                print_key(&key);
            }
        }
        KeysCommand::Rotate(args) => match args.id {
            None => {
                let key = rotate_admin_key(store, program, &Clock::system()).await.map_err(fail)?;
                println!("new admin key for {}: {key}", args.program.program);
                println!(
                    "it is shown only this once (the database keeps its hash); the old admin key is revoked"
                );
            }
            Some(id) => {
                let secret = new_secret()?;
                let grace_until =
                    now.checked_add_micros(i64::from(args.grace_seconds) * 1_000_000).unwrap_or(now);
                let rotated = store
                    .rotate_api_key(program, id, (&key_hash(&secret), &key_prefix(&secret)), grace_until, now)
                    .await
                    .map_err(fail)?
                    .ok_or_else(|| fail(format!("no live key {id} in program {}", args.program.program)))?;
                print_key(&rotated);
                println!("secret: {secret}");
                println!("it is shown only this once; the old secret works until {grace_until}");
            }
        },
        KeysCommand::Revoke(args) => {
            if !store.revoke_api_key(program, args.id, now).await.map_err(fail)? {
                return Err(fail(format!("no live key {} in program {}", args.id, args.program.program)));
            }
            println!("key {} revoked", args.id);
        }
    }
    Ok(())
}
