//! The `motcua` command: the TUI by default, `serve` for the reference portal and
//! `training` for the sandbox.

use clap::{Parser, Subcommand};
use motcua::domain::{Lang, RuleError};
use std::path::PathBuf;
use std::process::ExitCode;

/// motcua: the one-stop desk (Bộ phận Một cửa) in a terminal.
#[derive(Debug, Parser)]
#[command(name = "motcua", version, about, long_about = None)]
struct Cli {
    /// Configuration file (default: the platform config directory).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the reference portal (HTTP API + database).
    Serve,
    /// Start the training sandbox: a local portal with demo data, and the TUI on it.
    Training {
        /// Rebuild the sandbox from scratch.
        #[arg(long)]
        reset: bool,
    },
}

/// What a command that has not been built yet says: one line, both languages, exit 2.
fn not_yet(what: &str) -> ExitCode {
    eprintln!(
        "motcua: {what} chưa có trong bản này, đang được xây dựng / {what} is not in this build yet."
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _config = match motcua::config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            // The language setting may be what is broken: say it in both.
            eprintln!("motcua: {}", e.message(Lang::Vi));
            eprintln!("motcua: {}", e.message(Lang::En));
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        None => not_yet("giao diện (TUI)"),
        Some(Command::Serve) => not_yet("motcua serve"),
        Some(Command::Training { reset: _ }) => not_yet("motcua training"),
    }
}
