//! The binary's command line: help, unknown commands, configuration errors, and the
//! terminal the TUI needs.

mod common;

use std::process::Command;

fn motcua(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .output()
        .expect("the motcua binary runs")
}

/// Without a terminal (here: output captured) the TUI and training say so in one line,
/// in both languages, and exit 1 before touching anything.
#[test]
fn the_tui_needs_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    for args in [&["training"][..], &["training", "--reset"], &[]] {
        let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(args)
            .env("HOME", home.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.contains("cần một cửa sổ dòng lệnh") && err.contains("needs a terminal"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    // Nothing was created: no sandbox database, no log.
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0);
}

#[test]
fn help_and_unknown_commands() {
    let out = motcua(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains("serve") && help.contains("training"),
        "{help}"
    );

    let out = motcua(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_invalid_config_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "language = \"vi\"\n[calendar]\nmorning = [\"7h\", \"11:30\"]\n",
    )
    .unwrap();
    let out = motcua(&["--config", path.to_str().unwrap(), "serve"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad.toml, dòng 3"), "{err}");
    assert!(err.contains("bad.toml, line 3"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn the_example_config_is_accepted() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let out = motcua(&["--config", example, "training"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("needs a terminal"),
        "reaches the command: {err}"
    );
    assert!(!err.contains("Tệp cấu hình"), "{err}");
}

/// `motcua doctor` measures the configured portal and says what the figures mean; an
/// unreachable one gets the link's message, not a panic.
#[tokio::test(flavor = "multi_thread")]
async fn doctor_measures_the_link_and_advises() {
    let portal = common::Portal::demo().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("motcua.toml");
    std::fs::write(
        &config,
        format!(
            "language = \"en\"\n[[profile]]\nname = \"Ward\"\nurl = \"{}\"\n",
            portal.base
        ),
    )
    .unwrap();
    let config = config.display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["--config", &config, "doctor"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Round trip: fastest"), "{text}");
    assert!(text.contains("Compression: on"), "{text}");
    assert!(text.contains("Round trips are quick."), "{text}");
    // Nobody listens there.
    let gone = dir.path().join("gone.toml");
    std::fs::write(
        &gone,
        "[[profile]]\nname = \"Gone\"\nurl = \"http://127.0.0.1:9/api/v1\"\n",
    )
    .unwrap();
    let out = motcua(&["--config", &gone.display().to_string(), "doctor"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Không kết nối được"), "{err}");
}

/// `--db` takes an SQLite file; a URL of another engine is refused with the forms it
/// takes, and nothing is created (once, `postgres://…` became a folder `postgres:`).
#[test]
fn serve_refuses_a_database_url_it_cannot_serve() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["serve", "--db", "mysql://motcua@localhost/motcua"])
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("«mysql»"), "{err}");
    assert!(err.contains("--db /var/lib/motcua/portal.sqlite3"), "{err}");
    assert!(err.contains("--db postgres://"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A PostgreSQL server that cannot be reached: refused at once (not after a pool's
/// timeout), saying why, the URL shown without its password, nothing written.
#[test]
fn serve_says_why_a_postgres_database_cannot_be_reached() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there.
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args([
            "serve",
            "--db",
            "postgres://motcua:secret@127.0.0.1:1/motcua",
        ])
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env_remove("MOTCUA_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("postgres://motcua:***@127.0.0.1:1/motcua"),
        "{err}"
    );
    assert!(!err.contains("secret"), "{err}");
    assert!(!err.contains("timed out"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// `--now` must be an instant with its offset; a bad one is refused before anything
/// starts, saying the form expected.
#[test]
fn a_bad_now_is_refused_with_the_form_expected() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["serve", "--now", "5/2/2027 16:30"][..],
        &["serve", "--now", "2027-02-05T16:30:00"],
        &["training", "--now", "tomorrow"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(args)
            .current_dir(dir.path())
            .env("HOME", dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("2027-02-05T16:30:00+07:00"), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// `serve --now`: the portal's clock starts at the instant and runs on; its answers say
/// so in `Date`, and due times count from it.
#[test]
fn serve_starts_its_clock_at_now() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args([
            "serve",
            "--seed",
            "demo",
            "--now",
            "2027-02-05T16:30:00+07:00",
        ])
        .args(["--db", dir.path().join("p.sqlite3").to_str().unwrap()])
        .args(["--bind", "127.0.0.1:0"])
        .env("HOME", dir.path())
        .env("RUST_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The log line that says where it listens is the event to wait for.
    let stderr = server.stderr.take().unwrap();
    let base = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            let rest = line.split("listening on ").nth(1)?;
            Some(rest.split_whitespace().next()?.to_owned())
        })
        .expect("the portal says where it listens");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (date, due) = rt.block_on(async {
        let http = reqwest::Client::new();
        let res = http.get(format!("{base}/healthz")).send().await.unwrap();
        let date = res.headers()["date"].to_str().unwrap().to_owned();
        let date = chrono::DateTime::parse_from_rfc2822(&date).unwrap();
        let due = json(http.get(format!("{base}/calendar/due")).query(&[
            ("from", date.to_rfc3339().as_str()),
            ("amount", "0"),
            ("unit", "working_days"),
        ]))
        .await;
        // The demo seed ran on the same clock: its dossiers were received up to that
        // instant, not up to the machine's today.
        let login = json(http.post(format!("{base}/auth/login")).json(
            &serde_json::json!({"username": "tiepnhan1", "password": common::DEMO_PASSWORD}),
        ))
        .await;
        let token = login["token"].as_str().unwrap();
        let page = json(
            http.get(format!("{base}/dossiers?limit=500"))
                .bearer_auth(token),
        )
        .await;
        let latest = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|d| d["received_at"].as_str())
            .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .max()
            .expect("seeded dossiers with their receipt time");
        let gap = (date - latest).num_days();
        assert!(
            (0..14).contains(&gap),
            "latest receipt {latest}, now {date}"
        );
        (date, due["due"].as_str().unwrap().to_owned())
    });
    server.kill().unwrap();
    server.wait().unwrap();
    let started = chrono::DateTime::parse_from_rfc3339("2027-02-05T16:30:00+07:00").unwrap();
    let gap = (date - started).num_seconds();
    assert!((0..300).contains(&gap), "Date {date}");
    // A same-day procedure taken in on 5/2/2027, the last day of the lunar year: Tết runs
    // to 9/2 and its weekend days give 10/2 and 11/2 off, so it is due at the end of 12/2.
    assert_eq!(due, "2027-02-12T17:00:00+07:00");
}

/// The JSON answer of a request to a portal in another process.
async fn json(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// `motcua doctor --profile` with a name the configuration does not have: the error
/// lists the names it has (the one typed may differ by an accent or a space).
#[test]
fn doctor_lists_the_profiles_when_the_one_asked_is_not_there() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("motcua.toml");
    std::fs::write(
        &config,
        "[[profile]]\nname = \"Phường An Hội\"\nurl = \"http://127.0.0.1:9/api/v1\"\n\
         [[profile]]\nname = \"Xã Phú Hưng\"\nurl = \"http://127.0.0.1:9/api/v1\"\n",
    )
    .unwrap();
    let out = motcua(&[
        "--config",
        &config.display().to_string(),
        "doctor",
        "--profile",
        "Phuong An Hoi",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("\"Phuong An Hoi\""), "{err}");
    assert!(
        err.contains("Các cổng có: \"Phường An Hội\", \"Xã Phú Hưng\"."),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

/// A stand-in for a portal on a slow link, as far as `motcua doctor` asks: `/healthz`
/// answers at once, `/openapi.json` only once `release` says so. Answers keep the
/// connection open, as a portal does.
async fn held_portal(release: tokio::sync::watch::Receiver<bool>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut release = release.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                    buf.drain(..end + 4);
                    let body = if head.contains("/openapi.json") {
                        if release.wait_for(|r| *r).await.is_err() {
                            return;
                        }
                        "{\"openapi\":\"3.1.0\"}".repeat(500)
                    } else {
                        "{\"status\":\"ok\"}".to_owned()
                    };
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if socket.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}/api/v1")
}

/// `motcua doctor` prints each check as it finishes: the round trips are on screen while
/// the download is still on its way, not all at the end.
#[tokio::test(flavor = "multi_thread")]
async fn doctor_prints_each_check_as_it_finishes() {
    use std::io::{BufRead, BufReader};
    let (release, held) = tokio::sync::watch::channel(false);
    let base = held_portal(held).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("motcua.toml");
    std::fs::write(
        &config,
        format!("language = \"en\"\n[[profile]]\nname = \"Ward\"\nurl = \"{base}\"\n"),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["--config", &config.display().to_string(), "doctor"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let wait = std::time::Duration::from_secs(30);
    while !seen.iter().any(|l: &String| l.starts_with("Round trip:")) {
        match tokio::time::timeout(wait, lines.recv()).await {
            Ok(Some(line)) => seen.push(line),
            other => panic!("no round trips printed ({other:?}); so far: {seen:?}"),
        }
    }
    assert_eq!(seen[0], format!("Portal: {base}"), "{seen:?}");
    assert!(!seen.iter().any(|l| l.starts_with("Download")), "{seen:?}");
    release.send(true).unwrap();
    while let Ok(Some(line)) = tokio::time::timeout(wait, lines.recv()).await {
        seen.push(line);
    }
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{seen:?}");
    assert!(
        seen.iter().any(|l| l.starts_with("Download: about")),
        "{seen:?}"
    );
    assert!(seen.iter().any(|l| l == "Compression: OFF"), "{seen:?}");
}
