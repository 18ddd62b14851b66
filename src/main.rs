//! The `motcua` command: the TUI by default, `serve` for the reference portal,
//! `training` for the sandbox, and `linksim` to try the app on a slow, flaky link.

use clap::{Args, Parser, Subcommand};
use motcua::clock::Clock;
use motcua::config::Config;
use motcua::domain::calendar::LocalTime;
use motcua::domain::{Lang, RuleError};
use motcua::{portal, tui};
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
        /// Rebuild the sandbox from scratch (and forget the exercises' progress).
        #[arg(long)]
        reset: bool,
        /// Seconds between rounds of simulated citizens (0: quiet); default from the
        /// configuration's [training] pace_seconds, else 45.
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(0..=86400))]
        pace: Option<u32>,
        /// Start the sandbox's clock at this instant (RFC 3339 with its offset, e.g.
        /// 2027-02-05T16:30:00+07:00); it runs on from there. Due times, the demo data
        /// of a new sandbox and every screen follow it: practise the days before Tết.
        #[arg(long, value_name = "INSTANT", value_parser = motcua::clock::parse_instant)]
        now: Option<LocalTime>,
    },
    /// Put a slow, flaky link in front of a local portal (a proxy on 127.0.0.1), to try
    /// the app as officers on 3G or shared office links use it.
    Linksim(LinksimArgs),
    /// Write a consistent copy of the portal's database to a new file, while the portal
    /// runs (SQLite's VACUUM INTO), and check it.
    Backup {
        /// The database file (default: portal.sqlite3 in the platform data directory).
        #[arg(long, value_name = "PATH", value_parser = portal::db::database)]
        db: Option<portal::db::DatabaseArg>,
        /// The new file to write; an existing file is never overwritten.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Copy an SQLite portal's database into a new, empty PostgreSQL database, in one
    /// transaction, and check every table (rows and SHA-256) before committing. Stop the
    /// portal first; uploaded files (files/ beside the SQLite file) are copied by hand.
    Migrate {
        /// The SQLite database file, at this version's schema.
        #[arg(long, value_name = "PATH", value_parser = portal::db::database)]
        from: portal::db::DatabaseArg,
        /// The PostgreSQL database (postgres://user:password@host/database), new and
        /// empty, created with LC_COLLATE=C.
        #[arg(long, value_name = "URL", env = "MOTCUA_DATABASE_URL", hide_env_values = true,
              value_parser = portal::db::database)]
        to: portal::db::DatabaseArg,
    },
    /// Measure the link to the configured portal (round trip, throughput, compression)
    /// and say what it means.
    Doctor {
        /// The profile's name (default: the first one in the configuration).
        #[arg(long)]
        profile: Option<String>,
    },
}

#[derive(Debug, Args)]
struct LinksimArgs {
    /// The portal's address (loopback only), e.g. 127.0.0.1:8080.
    #[arg(long)]
    to: SocketAddr,
    /// The port to listen on, on 127.0.0.1 (0: any free one, printed).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Bandwidth each way in kbit/s (0: unlimited).
    #[arg(long, default_value_t = 256)]
    kbps: u64,
    /// Added round-trip time in milliseconds.
    #[arg(long, default_value_t = 600)]
    rtt_ms: u64,
    /// Up to this many more milliseconds each way, at random.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Cut every connection after this many bytes.
    #[arg(long)]
    cut_after: Option<u64>,
    /// Cut connections at random, on average after this many bytes.
    #[arg(long)]
    cut_mean: Option<u64>,
    /// Stall the link: every EVERY_MS, nothing moves for FOR_MS (e.g. 10000:2000).
    #[arg(long, value_name = "EVERY_MS:FOR_MS")]
    stall: Option<String>,
    /// Seed of the randomness, to repeat a run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Stop after this many seconds.
    #[arg(long, default_value_t = 3600)]
    for_secs: u64,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Database: an SQLite file (default: portal.sqlite3 in the platform data
    /// directory; also written sqlite:PATH or sqlite://PATH), or a PostgreSQL URL
    /// (postgres://user:password@host/database), which several portal processes share.
    #[arg(long, value_name = "PATH|URL", env = "MOTCUA_DATABASE_URL", hide_env_values = true,
          value_parser = portal::db::database)]
    db: Option<portal::db::DatabaseArg>,
    /// With PostgreSQL: the directory of uploaded files, shared by every portal process
    /// of the database (default: files in the platform data directory). An SQLite
    /// database keeps them in files/ beside it.
    #[arg(long, value_name = "DIR")]
    files: Option<PathBuf>,
    /// Start the portal's clock at this instant (RFC 3339 with its offset, e.g.
    /// 2027-02-05T16:30:00+07:00); it runs on from there, for demonstrations and tests.
    #[arg(long, value_name = "INSTANT", value_parser = motcua::clock::parse_instant)]
    now: Option<LocalTime>,
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
    /// Where citizens look a dossier up, `{code}` standing for its code (e.g.
    /// https://dichvucong.example.gov.vn/tra-cuu?ma={code}): the receipt's QR code holds
    /// it. Default: this portal's public lookup, at the address the desk reaches it by.
    #[arg(long, value_name = "URL", value_parser = motcua::forms::lookup_template)]
    lookup_url: Option<String>,
    /// Mark the citizen pages' cookies Secure (sent over HTTPS only): for a portal behind
    /// a reverse proxy that terminates TLS.
    #[arg(long)]
    secure_cookies: bool,
    /// The address of a reverse proxy in front of the portal (repeat for several): from
    /// it, the client's address is read from X-Forwarded-For, for the per-address limits
    /// and the audit log, and its connections are not capped per address.
    #[arg(long = "trusted-proxy", value_name = "IP")]
    trusted_proxies: Vec<std::net::IpAddr>,
}

/// The TUI draws on a terminal and reads keys from it: both ends must be one.
fn has_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The platform data directory (databases, remembered usernames, logs).
fn data_dir() -> PathBuf {
    directories::ProjectDirs::from("vn", "motcua", "motcua")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The TUI never writes logs to the terminal: they go to `motcua.log` in the data dir,
/// which officials send to the administrator. By default the app's own account of the
/// link and the outbox (requests that failed, retries, refusals, writes sent late) at
/// `info`, everything else (the training sandbox's portal among it) from `warn`.
fn log_to_file(dir: &std::path::Path) {
    let _ = std::fs::create_dir_all(dir);
    if let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("motcua.log"))
    {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "warn,motcua::tui=info,motcua::client=info".into()),
            )
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .try_init();
    }
}

fn tui(config: Config, extra_profiles: Vec<tui::state::Profile>) -> ExitCode {
    let dir = data_dir();
    log_to_file(&dir);
    let lang = config.language;
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("motcua: không khởi động được / cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = tui::Options {
        config,
        data_dir: Some(dir),
        extra_profiles,
        outage: None,
    };
    match runtime.block_on(tui::run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(tui::runtime::StartError::Config(e)) => {
            eprintln!("motcua: {}", e.message(lang));
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("motcua: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The sandbox's profile on the login screen, in Vietnamese and English.
const TRAINING_PROFILE: [&str; 2] = ["Đào tạo (máy này)", "Training (this machine)"];

/// `motcua training`: the reference portal in-process on a free loopback port, with a
/// sandbox database seeded with the demo data, the simulated citizens, and the TUI
/// connected to it.
fn training(config: Config, reset: bool, pace: Option<u32>, now: Option<LocalTime>) -> ExitCode {
    let dir = data_dir();
    log_to_file(&dir);
    let reset_all = |dir: &std::path::Path| -> std::io::Result<()> {
        motcua::sandbox::reset(dir)?;
        for name in TRAINING_PROFILE {
            tui::drafts::forget_profile(dir, name)?;
        }
        Ok(())
    };
    // Without a platform data directory the sandbox sits in the working directory, where
    // removing `training/`, `drafts/` and `outbox/` entries could hit someone's files.
    if reset && directories::ProjectDirs::from("vn", "motcua", "motcua").is_none() {
        eprintln!(
            "motcua: không tìm thấy thư mục dữ liệu của hệ điều hành, không xóa gì / no platform data directory: nothing removed"
        );
        return ExitCode::FAILURE;
    }
    if reset && let Err(e) = reset_all(&dir) {
        eprintln!(
            "motcua: không xóa được hộp cát cũ / cannot remove the old sandbox in {}: {e}",
            dir.display()
        );
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("motcua: không khởi động được / cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let lang = config.language;
    let pace = pace.unwrap_or(config.training_pace_seconds);
    let pace = (pace > 0).then(|| std::time::Duration::from_secs(u64::from(pace)));
    let result = runtime.block_on(async {
        let sandbox = motcua::sandbox::start(&dir, config.calendar.clone(), pace, clock_at(now))
            .await
            .map_err(|e| e.to_string())?;
        // Before the TUI takes the screen, and still there after it leaves: where the
        // trainee opens the citizen pages in a browser (the login screen says it too).
        eprintln!(
            "motcua: trang công dân / citizen pages: {}",
            sandbox.pages_url
        );
        let profile = tui::state::Profile {
            name: match lang {
                Lang::Vi => TRAINING_PROFILE[0].into(),
                Lang::En => TRAINING_PROFILE[1].into(),
            },
            url: sandbox.desk_url.clone(),
            training: true,
            demo_hint: Some(format!(
                "tiepnhan1 · chuyenvien1 · lanhdao1 / Motcua-demo-2026 · {} {}",
                match lang {
                    Lang::Vi => "trang công dân:",
                    Lang::En => "citizen pages:",
                },
                sandbox.pages_url
            )),
        };
        let options = tui::Options {
            config,
            data_dir: Some(dir),
            extra_profiles: vec![profile],
            outage: Some(tui::runtime::Outage(std::sync::Arc::new(sandbox.outage()))),
        };
        let outcome = tui::run(options).await;
        let _ = sandbox.shutdown().await;
        outcome.map_err(|e| match e {
            tui::runtime::StartError::Config(e) => e.message(lang),
            other => other.to_string(),
        })
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("motcua: {e}");
            ExitCode::FAILURE
        }
    }
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
    if matches!(cli.command, None | Some(Command::Training { .. })) && !has_terminal() {
        eprintln!(
            "motcua: giao diện cần một cửa sổ dòng lệnh (terminal); hãy chạy trực tiếp trong terminal / the app needs a terminal: run it directly in one."
        );
        return ExitCode::FAILURE;
    }
    match cli.command {
        None => tui(config, Vec::new()),
        Some(Command::Serve(args)) => serve(args, config),
        Some(Command::Training { reset, pace, now }) => training(config, reset, pace, now),
        Some(Command::Linksim(args)) => linksim(args),
        Some(Command::Doctor { profile }) => doctor(config, profile),
        Some(Command::Backup { db, to }) => backup(db, to),
        Some(Command::Migrate { from, to }) => migrate(from, to),
    }
}

fn migrate(from: portal::db::DatabaseArg, to: portal::db::DatabaseArg) -> ExitCode {
    use portal::db::DatabaseArg;
    let DatabaseArg::Sqlite(from) = from else {
        eprintln!(
            "motcua: --from là tệp SQLite của cổng, ví dụ / --from is the portal's SQLite file, e.g. \
             --from /var/lib/motcua/portal.sqlite3"
        );
        return ExitCode::FAILURE;
    };
    let DatabaseArg::Postgres(url) = to else {
        eprintln!(
            "motcua: --to là địa chỉ PostgreSQL, ví dụ / --to is a PostgreSQL URL, e.g. \
             --to postgres://motcua:PASSWORD@db.example/motcua"
        );
        return ExitCode::FAILURE;
    };
    let target = portal::db::Database::Postgres {
        url: url.clone(),
        files: PathBuf::new(),
    };
    let done = tokio::runtime::Runtime::new()
        .map_err(|e| e.to_string())
        .and_then(|rt| {
            rt.block_on(portal::migrate::migrate(&from, &url))
                .map_err(|e| e.to_string())
        });
    let report = match done {
        Ok(report) => report,
        Err(e) => {
            eprintln!("motcua: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{:<26} {:>11}  SHA-256", "bảng / table", "dòng / rows");
    for (table, rows, checksum) in &report.tables {
        println!(
            "{table:<26} {rows:>11}  {}…",
            &checksum[..16.min(checksum.len())]
        );
    }
    println!(
        "Đã chuyển / migrated {} rows in {} tables from {} to {target}; counts and checksums agree",
        report.rows(),
        report.tables.len(),
        from.display()
    );
    let files = portal::db::Database::Sqlite(from).files_dir();
    println!(
        "Tệp tải lên không được chuyển: hãy chép thư mục {0} sang thư mục sẽ cho \
         `motcua serve --files` / uploaded files are not moved: copy the directory {0} to the \
         directory you will give `motcua serve --files`",
        files.display()
    );
    ExitCode::SUCCESS
}

fn backup(db: Option<portal::db::DatabaseArg>, to: PathBuf) -> ExitCode {
    let source = match db {
        None => portal::default_db_path(),
        Some(portal::db::DatabaseArg::Sqlite(path)) => path,
        Some(portal::db::DatabaseArg::Postgres(_)) => {
            eprintln!(
                "motcua: sao lưu PostgreSQL bằng pg_dump, ví dụ / back PostgreSQL up with pg_dump, e.g.: \
                 pg_dump --format=custom --file=motcua.dump <URL> (docs/portal.md)"
            );
            return ExitCode::FAILURE;
        }
    };
    let made = tokio::runtime::Runtime::new()
        .map_err(|e| e.to_string())
        .and_then(|rt| {
            rt.block_on(portal::backup::backup(&source, &to))
                .map_err(|e| e.to_string())
        });
    match made {
        Ok(b) => {
            println!(
                "Đã sao lưu / backed up: {} ({} bytes, {} dossiers, {} citizens; integrity ok)",
                b.path.display(),
                b.bytes,
                b.dossiers,
                b.citizens
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("motcua: {e}");
            ExitCode::FAILURE
        }
    }
}

fn doctor(config: Config, profile: Option<String>) -> ExitCode {
    use std::io::Write;
    let lang = config.language;
    let profiles = config.profiles_or_default();
    let chosen = match &profile {
        Some(name) => profiles.iter().find(|p| &p.name == name),
        None => profiles.first(),
    };
    let Some(chosen) = chosen else {
        // Say which names there are: the one typed may differ by an accent or a space.
        let names: Vec<String> = profiles.iter().map(|p| format!("\"{}\"", p.name)).collect();
        let typed = profile.unwrap_or_default();
        eprintln!(
            "motcua doctor: {}",
            match lang {
                Lang::Vi => format!(
                    "tệp cấu hình không có cổng tên \"{typed}\" ([[profile]] name). Các cổng có: {}.",
                    names.join(", ")
                ),
                Lang::En => format!(
                    "the configuration has no portal named \"{typed}\" ([[profile]] name). The portals are: {}.",
                    names.join(", ")
                ),
            }
        );
        return ExitCode::FAILURE;
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("motcua doctor: {e}");
            return ExitCode::FAILURE;
        }
    };
    let timeout = std::time::Duration::from_secs(u64::from(config.request_timeout_seconds).max(30));
    // Each check is printed as it finishes: on a slow link the whole takes a while.
    let show = |text: &str| {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    };
    show(&motcua::client::doctor::heading(&chosen.url, lang));
    let measured = rt.block_on(motcua::client::doctor::measure_showing(
        &chosen.url,
        timeout,
        |check| show(&check.line(lang)),
    ));
    match measured {
        Ok(report) => {
            show(&report.conclusion(lang));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("motcua doctor: {} ({})", e.message(lang), chosen.url);
            ExitCode::FAILURE
        }
    }
}

fn linksim(args: LinksimArgs) -> ExitCode {
    let stall = match args.stall.as_deref().map(|s| s.split_once(':')) {
        None => None,
        Some(Some((every, length))) => match (every.parse(), length.parse()) {
            (Ok(every), Ok(length)) => Some((
                std::time::Duration::from_millis(every),
                std::time::Duration::from_millis(length),
            )),
            _ => None,
        },
        Some(None) => None,
    };
    if args.stall.is_some() && stall.is_none() {
        eprintln!("motcua linksim: --stall takes EVERY_MS:FOR_MS, e.g. 10000:2000");
        return ExitCode::FAILURE;
    }
    let bps = (args.kbps > 0).then_some(args.kbps * 1000);
    let spec = motcua::linksim::LinkSpec {
        up_bps: bps,
        down_bps: bps,
        rtt: std::time::Duration::from_millis(args.rtt_ms),
        jitter: std::time::Duration::from_millis(args.jitter_ms),
        cut_after: args.cut_after,
        cut_mean: args.cut_mean,
        stall,
        seed: args.seed,
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("motcua linksim: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async {
        let link = match motcua::linksim::start_on(args.port, args.to, spec).await {
            Ok(link) => link,
            Err(e) => {
                eprintln!("motcua linksim: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!(
            "linksim: http://{}/api/v1 -> {} ({} kbit/s, {} ms round trip); Ctrl-C stops",
            link.addr, args.to, args.kbps, args.rtt_ms
        );
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = tokio::time::sleep(std::time::Duration::from_secs(args.for_secs)) => {},
        }
        let (up, down, connections, cuts) = link.stats.snapshot();
        println!("linksim: {up} B up, {down} B down, {connections} connections, {cuts} cut");
        ExitCode::SUCCESS
    })
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
    let notify = notify_settings(&config.notifications, args.bind, args.lookup_url.as_deref());
    let options = portal::Options {
        bind: args.bind,
        db: match args.db {
            None => portal::default_db_path().into(),
            Some(db) => db.with_files(|| {
                args.files.clone().unwrap_or_else(|| {
                    portal::default_db_path()
                        .parent()
                        .map(|dir| dir.join("files"))
                        .unwrap_or_else(|| PathBuf::from("motcua-files"))
                })
            }),
        },
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
            lookup_url: args.lookup_url,
            notify,
            secure_cookies: args.secure_cookies,
            trusted_proxies: args.trusted_proxies,
            ..Default::default()
        },
        clock: clock_at(args.now),
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

/// The portal's notification settings from `[notifications]`, the secrets read from the
/// environment variables it names (never from the file).
fn notify_settings(
    n: &motcua::config::Notifications,
    bind: std::net::SocketAddr,
    receipt_lookup: Option<&str>,
) -> portal::notify::Settings {
    use motcua::config::SmtpTls;
    use portal::notify::{email, sms};
    let secret = |name: &str| std::env::var(name).ok().filter(|s| !s.is_empty());
    let email = n.email.as_ref().map(|e| {
        let password = secret(&e.password_env);
        if e.username.is_some() && password.is_none() {
            tracing::warn!(
                "[notifications.email] has a username but {} is not set: the SMTP login will fail",
                e.password_env
            );
        }
        email::EmailSettings {
            host: e.host.clone(),
            port: e.port,
            tls: match e.tls {
                SmtpTls::Starttls => email::TlsMode::StartTls,
                SmtpTls::Tls => email::TlsMode::Implicit,
                SmtpTls::None => email::TlsMode::None,
            },
            username: e.username.clone(),
            password,
            from: e.from.clone(),
            timeout: std::time::Duration::from_secs(u64::from(e.timeout_seconds)),
        }
    });
    let sms = n.sms.as_ref().map(|s| sms::SmsSettings {
        url: s.url.clone(),
        token: secret(&s.token_env),
        template: s.template.clone(),
        content_type: s.content_type.clone(),
        timeout: std::time::Duration::from_secs(u64::from(s.timeout_seconds)),
    });
    let defaults = portal::notify::Settings::default();
    portal::notify::Settings {
        // One lookup for the citizen: the notices' own link, else the receipts' QR
        // code's (`--lookup-url`), else this portal's public lookup.
        lookup_url: n
            .lookup_url
            .clone()
            .or_else(|| receipt_lookup.map(str::to_owned))
            .unwrap_or_else(|| {
                format!(
                    "http://{bind}{}/public/dossiers/{{code}}",
                    motcua::api::BASE_PATH
                )
            }),
        email,
        sms,
        retry_first: std::time::Duration::from_secs(u64::from(n.retry_seconds)),
        retry_max: std::time::Duration::from_secs(u64::from(n.retry_max_seconds)),
        ..defaults
    }
}

/// The system's clock, or one started at `--now`.
fn clock_at(now: Option<LocalTime>) -> Clock {
    now.map(Clock::starting_at).unwrap_or_default()
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
