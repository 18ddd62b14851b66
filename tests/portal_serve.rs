//! `motcua serve` as a user starts it: with no flags on a fresh machine it creates its
//! database in the data directory and answers; request bodies may come gzipped.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// The default address `motcua serve` listens on without `--bind`.
const DEFAULT_ADDR: &str = "127.0.0.1:8080";

#[test]
fn serve_with_no_flags_starts_and_answers_healthz() {
    // Another program (a portal a developer left running) may hold the default port: the
    // test then says so and checks the rest on a free port rather than fail.
    let default_free = std::net::TcpListener::bind(DEFAULT_ADDR).is_ok();
    if !default_free {
        eprintln!(
            "{DEFAULT_ADDR} is taken by another program: the default address is not checked; \
             the fresh-machine start is, on a free port"
        );
    }
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_motcua"));
    command.arg("serve");
    if !default_free {
        command.args(["--bind", "127.0.0.1:0"]);
    }
    let mut child = command
        // A fresh machine: an empty home, so the data directory does not exist yet.
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // The log line that says it listens is the event to wait for.
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut listening = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("listening on ").nth(1) {
            listening = Some(rest.split_whitespace().next().unwrap().to_owned());
            break;
        }
    }
    let base = listening.expect("the portal says where it listens");
    if default_free {
        assert!(
            base.starts_with(&format!("http://{DEFAULT_ADDR}/api/v1")),
            "{base}"
        );
    }
    let body = reqwest::blocking_get(&format!("{base}/healthz"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(body.contains("\"status\":\"ok\""), "{body}");
    let db = home.path().join(".local/share/motcua/portal.sqlite3");
    assert!(db.exists(), "the database is created in the data directory");
}

mod reqwest {
    /// A GET without an async runtime, for the one synchronous test.
    pub fn blocking_get(url: &str) -> String {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async { ::reqwest::get(url).await.unwrap().text().await.unwrap() })
    }
}

#[tokio::test]
async fn gzipped_request_bodies_are_accepted() {
    let p = common::Portal::demo().await;
    let json = format!(
        r#"{{"username":"tiepnhan1","password":"{}"}}"#,
        common::DEMO_PASSWORD
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json.as_bytes()).unwrap();
    let body = gz.finish().unwrap();
    let res = p
        .post("/auth/login")
        .header("Content-Type", "application/json")
        .header("Content-Encoding", "gzip")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// `.cargo/config.toml` builds the bundled SQLite without memory statistics (a mutex on
/// every allocation); the load figures depend on it, so a build that lost the flag
/// should be noticed.
#[tokio::test]
async fn sqlite_is_built_without_memory_statistics() {
    // The library linked in, whichever engine the test portals run on.
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect("sqlite::memory:").await.unwrap();
    let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "{options:?}"
    );
}
