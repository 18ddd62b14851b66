//! The `motcua` command: the TUI by default, `serve` for the reference portal and
//! `training` for the sandbox.

use clap::{Args, Parser, Subcommand};
use motcua::config::Config;
use motcua::domain::{Lang, RuleError};
use motcua::portal;
use std::net::SocketAddr;
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
    Serve(ServeArgs),
    /// Start the training sandbox: a local portal with demo data, and the TUI on it.
    Training {
        /// Rebuild the sandbox from scratch.
        #[arg(long)]
        reset: bool,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Database file (default: portal.sqlite3 in the platform data directory).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Fill an empty database with demo offices, staff and citizens.
    #[arg(long, value_name = "SET", value_parser = ["demo"])]
    seed: Option<String>,
    /// Create an administrator account NAME and exit (password from the terminal or
    /// MOTCUA_ADMIN_PASSWORD).
    #[arg(long, value_name = "NAME", requires = "office")]
    create_admin: Option<String>,
    /// The unit code of the administrator's office (with --create-admin).
    #[arg(long, value_name = "CODE")]
    office: Option<String>,
    /// The office's name, when --create-admin creates the office too.
    #[arg(long, value_name = "NAME")]
    office_name: Option<String>,
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
    let config = match motcua::config::load(cli.config.as_deref()) {
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
        Some(Command::Serve(args)) => serve(args, config),
        Some(Command::Training { reset: _ }) => not_yet("motcua training"),
    }
}

fn serve(args: ServeArgs, config: Config) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("motcua: không khởi động được / cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = portal::Options {
        bind: args.bind,
        db: args.db.unwrap_or_else(portal::default_db_path),
        calendar: config.calendar,
        seed: if args.seed.is_some() {
            portal::Seed::Demo
        } else {
            portal::Seed::None
        },
        settings: portal::state::Settings {
            // Unset or empty leaves the gateway callback off (503 payments_disabled).
            payment_secret: std::env::var("MOTCUA_PAYMENT_SECRET")
                .ok()
                .filter(|s| !s.is_empty()),
            ..Default::default()
        },
    };
    let result = runtime.block_on(async {
        match args.create_admin {
            Some(name) => create_admin(&options, &name, &args.office, &args.office_name).await,
            None => portal::serve(options).await.map_err(|e| e.to_string()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("motcua: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn create_admin(
    options: &portal::Options,
    name: &str,
    office: &Option<String>,
    office_name: &Option<String>,
) -> Result<(), String> {
    let office = office.as_deref().unwrap_or_default();
    let password = match std::env::var("MOTCUA_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => read_password()?,
    };
    let state = portal::prepare(options).await.map_err(|e| e.to_string())?;
    let now = state.clock.now().to_rfc3339();
    portal::seed::create_admin(
        &state.db,
        name,
        office,
        office_name.as_deref(),
        &password,
        &now,
    )
    .await
    .map_err(|e| e.to_string())?;
    eprintln!("motcua: đã tạo quản trị {name} / administrator {name} created");
    Ok(())
}

/// Reads the password twice from the terminal, without echo.
fn read_password() -> Result<String, String> {
    let first = rpassword::prompt_password("Mật khẩu / Password: ").map_err(|e| e.to_string())?;
    let second = rpassword::prompt_password("Nhập lại / Again: ").map_err(|e| e.to_string())?;
    if first != second {
        return Err("hai lần nhập không khớp / the two entries differ".into());
    }
    Ok(first)
}
