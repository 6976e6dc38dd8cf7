//! The `loyalty` binary as a user runs it: real processes, real ports, real files.

#![allow(clippy::unwrap_used)]

mod bench;
mod crash;
mod export;
mod fuzz_regressions;
mod help;
mod import;
mod jobs;
mod program_check;
mod report;
mod serve;
mod serve_network;
mod telemetry;
mod verify;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

pub fn loyalty() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loyalty"));
    command.env_remove("LOYALTY_ADMIN_KEY").env_remove("LOYALTY_DATABASE_URL").env_remove("LOYALTY_LISTEN");
    command
}

pub fn run(command: &mut Command) -> Output {
    command.output().unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A `loyalty serve` process, stopped when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    pub base: String,
    /// The admin key the banner showed (generated at this start), else the one from
    /// `LOYALTY_ADMIN_KEY`; empty when the banner shows none (only a hash is kept).
    pub key: String,
    /// Everything the server printed before it started serving.
    pub banner: Vec<String>,
}

impl Server {
    /// Starts the server on a free port and reads its banner up to the `try:` example;
    /// the banner is printed only once the port is bound, so no sleep is needed.
    pub fn start(database: &str, extra: &[&str], env: &[(&str, &str)], log_dir: &Path) -> Server {
        let log = std::fs::File::create(log_dir.join("server.log")).unwrap();
        let mut command = loyalty();
        command
            .args(["serve", "--database", database, "--listen", "127.0.0.1:0"])
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(log);
        let mut child = command.spawn().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut banner = Vec::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            let done = line.trim_start().starts_with("curl ");
            banner.push(line);
            if done {
                break;
            }
        }
        let find = |prefix: &str| {
            banner
                .iter()
                .find_map(|l| l.trim_start().strip_prefix(prefix).map(str::to_owned))
                .unwrap_or_else(|| panic!("no `{prefix}` in the banner: {banner:#?}"))
        };
        let base = find("loyalty engine listening on ");
        let shown = find("admin key  ").split_whitespace().next().unwrap().to_owned();
        let key = if shown.starts_with("lk_") {
            shown
        } else {
            env.iter()
                .find(|(name, _)| *name == "LOYALTY_ADMIN_KEY")
                .map(|(_, v)| (*v).to_owned())
                .unwrap_or_default()
        };
        Server { child, base, key, banner }
    }

    /// `GET path` with the server's key, read as JSON.
    pub async fn get_json(&self, http: &reqwest::Client, path: &str) -> serde_json::Value {
        let response = http.get(format!("{}{path}", self.base)).bearer_auth(&self.key).send().await.unwrap();
        response.json().await.unwrap()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the server at once (SIGKILL), as a power cut or the OOM killer would.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Asks the server to stop (SIGTERM) and waits for a clean exit.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "the server exited with {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
