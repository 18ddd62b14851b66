//! The binary's command line: help, unknown commands, configuration errors, and the
//! terminal the TUI needs.

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
