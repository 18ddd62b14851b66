//! A terminal that never answers questions (no status report, no cursor position: some
//! serial consoles, a bare pty). At start the TUI asks the terminal how it draws
//! pictures; a reader left waiting for an answer that never comes would swallow the
//! official's keys. Here the real binary runs on a pty made by `script(1)`, which answers
//! nothing, with `TERM=xterm-256color` and no multiplexer in the environment, so the
//! question is asked; the official's login typed afterwards must reach the login form
//! (the portal records the login).

mod common;

use common::{DEMO_PASSWORD, Portal};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Waits (polling, with a deadline) until `ready` holds.
async fn until(what: &str, mut ready: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready().await {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn keys_reach_the_tui_on_a_terminal_that_answers_nothing() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: script(1) (util-linux) is not installed");
        return;
    }
    let portal = Portal::demo().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("motcua.toml");
    std::fs::write(
        &config,
        format!(
            "[[profile]]\nname = \"Thử nghiệm\"\nurl = \"{}\"\n\n[attachments]\nimages = \"auto\"\n",
            portal.base
        ),
    )
    .unwrap();
    // The pty's size is set first: a pty made without a terminal behind it has none.
    let inner = format!(
        "stty cols 100 rows 30; exec {} --config {}",
        env!("CARGO_BIN_EXE_motcua"),
        config.display()
    );
    let mut child = Command::new("script")
        .args(["-qfec", &inner, "/dev/null"])
        .env("HOME", home.path())
        .env("TERM", "xterm-256color")
        .env_remove("TMUX")
        .env_remove("STY")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("script runs");
    let output = Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut stdout = child.stdout.take().unwrap();
    let sink = output.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let seen = |text: &str| {
        let out = output.lock().unwrap();
        String::from_utf8_lossy(&out).contains(text)
    };

    // The login form is drawn once the start-up questions have gone unanswered.
    until("the login form", async || seen("Tên đăng nhập")).await;

    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("tiepnhan1\t{DEMO_PASSWORD}\r").as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    until("the login at the portal", async || {
        portal.audit_count("login_ok").await >= 1
    })
    .await;

    // Quit (q asks nothing with nothing left behind), else stop it.
    let _ = stdin.write_all(b"q");
    let _ = stdin.flush();
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
}
