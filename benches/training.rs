//! How long `motcua training` takes to be ready (docs/training.md: ready in ≤ 2 s
//! on a warm build). Two measurements, each over a few runs (min / median / max):
//!
//! 1. In process: `sandbox::start` on a fresh data directory (the first start creates the
//!    SQLite database and seeds the demo data), until it returns (the portal listens),
//!    until `GET /healthz` answers 200, and until `tiepnhan1` logs in through
//!    `PortalClient`; then the same on the existing sandbox (a second start).
//! 2. End to end as the trainee sees it: the release binary `target/release/motcua
//!    training` in a private tmux server (`-S`, its socket in a temporary directory, never
//!    the default server; 120×40) with `HOME` and the XDG directories in that directory,
//!    from the spawn (the tmux server's start included) until the screen shows the login
//!    form of the training profile ("Đào tạo" and the demo password), polling
//!    `tmux capture-pane` every 20 ms; first on a fresh sandbox, then again on the same
//!    directories, quitting with Ctrl-C in between. Needs `cargo build --release` first,
//!    and tmux; skipped without them.
//!
//! The figures are printed beside the target, not asserted.
//! Run: `cargo build --release && cargo bench --bench training`. Without `--bench` (as
//! `cargo test --benches` runs it) one in-process run only, as a smoke check.

use motcua::client::PortalClient;
use motcua::config::Config;
use motcua::domain::calendar::Calendar;
use reqwest::StatusCode;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const USERNAME: &str = "tiepnhan1";
/// The demo staff's published password, shown on the training login screen.
const PASSWORD: &str = "Motcua-demo-2026";
/// The training profile's name on the login screen (Vietnamese, the default language).
const PROFILE_TEXT: &str = "Đào tạo";
const TARGET: Duration = Duration::from_secs(2);
/// Runs of each measurement.
const RUNS: usize = 3;
/// How often the screen is read.
const POLL: Duration = Duration::from_millis(20);
/// Give up on a start after this long.
const GIVE_UP: Duration = Duration::from_secs(60);

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not.
    let full = std::env::args().any(|a| a == "--bench");
    let runs = if full { RUNS } else { 1 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let calendar = Config::default().calendar;

    let each = if runs == 1 {
        "1 run".to_owned()
    } else {
        format!("{runs} runs each")
    };
    println!("motcua training: time to ready (target ≤ 2 s on a warm build; {each})");
    println!("  in process, sandbox::start + /healthz + log in as {USERNAME}:");
    let mut fresh = Phases::default();
    let mut warm = Phases::default();
    for _ in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        match runtime.block_on(start_once(dir.path(), &calendar)) {
            Ok(p) => fresh.push(p),
            Err(e) => println!("    fresh sandbox: failed: {e}"),
        }
        match runtime.block_on(start_once(dir.path(), &calendar)) {
            Ok(p) => warm.push(p),
            Err(e) => println!("    existing sandbox: failed: {e}"),
        }
    }
    fresh.print("fresh sandbox (creates + seeds)");
    warm.print("existing sandbox (second start)");

    println!("  end to end, `motcua training` in tmux (120×40) until the training login screen:");
    if !full {
        println!("    skipped (smoke run; `cargo bench --bench training` measures it)");
        return;
    }
    let Some(binary) = release_binary() else {
        println!(
            "    skipped: target/release/motcua is missing; run `cargo build --release` first"
        );
        return;
    };
    if Command::new("tmux")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| !s.success())
        .unwrap_or(true)
    {
        println!("    skipped: tmux is not installed");
        return;
    }
    println!("    binary: {}", binary.display());
    let mut first = Vec::new();
    let mut second = Vec::new();
    for run in 0..runs {
        let home = tempfile::tempdir().unwrap();
        for (which, into) in [("fresh", &mut first), ("existing", &mut second)] {
            match end_to_end(&binary, home.path(), run, which) {
                Ok(took) => into.push(took),
                Err(e) => println!("    {which} sandbox, run {}: {e}", run + 1),
            }
        }
    }
    print_row("first run (fresh sandbox, seeding)", &first, true);
    print_row("second run (existing sandbox)", &second, true);
}

/// Times from the call to `sandbox::start`.
struct Start {
    returned: Duration,
    healthy: Duration,
    logged_in: Duration,
}

#[derive(Default)]
struct Phases {
    returned: Vec<Duration>,
    healthy: Vec<Duration>,
    logged_in: Vec<Duration>,
}

impl Phases {
    fn push(&mut self, p: Start) {
        self.returned.push(p.returned);
        self.healthy.push(p.healthy);
        self.logged_in.push(p.logged_in);
    }

    fn print(&self, title: &str) {
        println!("    {title}:");
        print_row("  start returned (listening)", &self.returned, false);
        print_row("  /healthz answered 200", &self.healthy, false);
        print_row("  logged in (ready)", &self.logged_in, true);
    }
}

/// One start of the sandbox in `dir`, until a login succeeds; then it is shut down.
async fn start_once(dir: &Path, calendar: &Calendar) -> Result<Start, String> {
    let started = Instant::now();
    let sandbox = motcua::sandbox::start(dir, calendar.clone(), None, Default::default())
        .await
        .map_err(|e| format!("start: {e}"))?;
    let returned = started.elapsed();
    let ready = async {
        let http = reqwest::Client::new();
        let health = format!("{}/healthz", sandbox.url);
        loop {
            match http.get(&health).send().await {
                Ok(r) if r.status() == StatusCode::OK => break,
                Ok(r) if started.elapsed() > GIVE_UP => {
                    return Err(format!("/healthz answered {}", r.status()));
                }
                Err(e) if started.elapsed() > GIVE_UP => return Err(format!("/healthz: {e}")),
                _ => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
        let healthy = started.elapsed();
        let client = PortalClient::builder(&sandbox.url)
            .build()
            .map_err(|e| format!("client: {e}"))?;
        client
            .login(USERNAME, PASSWORD)
            .await
            .map_err(|e| format!("login: {e}"))?;
        Ok(Start {
            returned,
            healthy,
            logged_in: started.elapsed(),
        })
    }
    .await;
    let stopped = sandbox.shutdown().await;
    let start = ready?;
    stopped.map_err(|e| format!("shutdown: {e}"))?;
    Ok(start)
}

/// `target/release/motcua`, beside the directory of this bench's executable
/// (`target/release/deps/training-…`).
fn release_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let target = exe.parent()?.parent()?.parent()?;
    let binary = target
        .join("release")
        .join(format!("motcua{}", std::env::consts::EXE_SUFFIX));
    binary.is_file().then_some(binary)
}

/// A tmux server of our own (its socket in our temporary directory), killed when
/// dropped; the default server is never touched.
struct Tmux {
    socket: PathBuf,
    config: PathBuf,
}

const SESSION: &str = "motcua-bench";

impl Tmux {
    fn command(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(&self.socket).arg("-f").arg(&self.config);
        c.env_remove("TMUX").stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> std::io::Result<Output> {
        self.command().args(args).output()
    }

    /// The screen's text, and whether the program in the pane has exited.
    fn screen(&self) -> Option<(String, bool)> {
        let out = self
            .run(&[
                "capture-pane",
                "-p",
                "-t",
                SESSION,
                ";",
                "display-message",
                "-p",
                "-t",
                SESSION,
                "#{pane_dead}",
            ])
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let text = text.trim_end_matches('\n');
        let (screen, dead) = text.rsplit_once('\n').unwrap_or(("", text));
        Some((screen.to_owned(), dead.trim() == "1"))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self
            .command()
            .arg("kill-server")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// Spawns `motcua training` with `HOME` and the XDG directories under `home` and waits
/// for the training login screen; then quits it as a user would (Ctrl-C).
fn end_to_end(binary: &Path, home: &Path, run: usize, which: &str) -> Result<Duration, String> {
    let config = home.join("tmux.conf");
    // The pane stays after the program exits, so an early exit is seen (and its output).
    std::fs::write(&config, "set -g remain-on-exit on\n").map_err(|e| e.to_string())?;
    let tmux = Tmux {
        socket: home.join(format!("tmux-{run}-{which}.sock")),
        config,
    };
    let env = [
        ("HOME", home.to_path_buf()),
        ("XDG_DATA_HOME", home.join("data")),
        ("XDG_CONFIG_HOME", home.join("config")),
        ("XDG_CACHE_HOME", home.join("cache")),
        ("XDG_STATE_HOME", home.join("state")),
    ];
    let mut spawn = tmux.command();
    spawn.args(["new-session", "-d", "-x", "120", "-y", "40", "-s", SESSION]);
    for (name, value) in &env {
        spawn.env(name, value);
        spawn.arg("-e").arg(format!("{name}={}", value.display()));
    }
    spawn.arg("--").arg(binary).arg("training");

    let started = Instant::now();
    let out = spawn.output().map_err(|e| format!("tmux: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let took = loop {
        let Some((screen, dead)) = tmux.screen() else {
            return Err("the tmux session went away".into());
        };
        if screen.contains(PROFILE_TEXT) && screen.contains(PASSWORD) {
            break started.elapsed();
        }
        if dead {
            return Err(format!(
                "motcua exited before the login screen:\n{}",
                indent(&screen)
            ));
        }
        if started.elapsed() > GIVE_UP {
            return Err(format!(
                "no training login screen after {} s:\n{}",
                GIVE_UP.as_secs(),
                indent(&screen)
            ));
        }
        std::thread::sleep(POLL);
    };

    // Quit as the trainee would, so the next start finds the sandbox closed properly.
    let _ = tmux.run(&["send-keys", "-t", SESSION, "C-c"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match tmux.screen() {
            Some((_, false)) if Instant::now() < deadline => std::thread::sleep(POLL),
            Some((_, false)) => {
                println!("    (motcua did not quit on Ctrl-C within 10 s; the session is killed)");
                let pid = tmux
                    .run(&["display-message", "-p", "-t", SESSION, "#{pane_pid}"])
                    .ok()
                    .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
                let _ = tmux.run(&["kill-session", "-t", SESSION]);
                // Wait for the process to be gone before the sandbox is opened again.
                if let Some(pid) = pid.filter(|p| !p.is_empty()) {
                    let proc = PathBuf::from(format!("/proc/{pid}"));
                    let until = Instant::now() + Duration::from_secs(5);
                    while proc.exists() && Instant::now() < until {
                        std::thread::sleep(POLL);
                    }
                }
                break;
            }
            _ => break,
        }
    }
    drop(tmux);
    Ok(took)
}

fn indent(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("      | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One line: min / median / max, and against the target when `judge`.
fn print_row(label: &str, samples: &[Duration], judge: bool) {
    if samples.is_empty() {
        println!("    {label:<38} no successful run");
        return;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let (min, median, max) = (
        sorted[0],
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
    );
    let figures = format!(
        "min {:7.1}  median {:7.1}  max {:7.1} ms",
        ms(min),
        ms(median),
        ms(max)
    );
    if judge {
        let verdict = if max <= TARGET {
            "met"
        } else if median <= TARGET {
            "met by the median, not every run"
        } else {
            "NOT met"
        };
        println!("    {label:<38} {figures}   (target ≤ 2 s: {verdict})");
    } else {
        println!("    {label:<38} {figures}");
    }
}
