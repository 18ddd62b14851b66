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
