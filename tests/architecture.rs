//! The one-way dependencies of ARCHITECTURE.md, checked on the source text: `domain`
//! imports nothing of the other rooms and does no IO.

use std::fs;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).expect("source directory is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn domain_imports_no_other_room_and_does_no_io() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain"),
        &mut files,
    );
    assert!(files.len() >= 10, "found only {files:?}");
    let forbidden = [
        // other rooms of the crate
        "crate::api",
        "crate::portal",
        "crate::client",
        "crate::tui",
        "crate::config",
        // IO, clocks and async
        "std::fs",
        "std::net",
        "std::io",
        "std::process",
        "std::env",
        "std::time::SystemTime",
        "Local::now",
        "Utc::now",
        "tokio",
        "reqwest",
        "sqlx",
        "println!",
        "eprintln!",
    ];
    for file in files {
        let text = fs::read_to_string(&file).expect("source file is readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for bad in forbidden {
                assert!(
                    !code.contains(bad),
                    "{}:{}: domain code must not use `{bad}`: {line}",
                    file.display(),
                    n + 1
                );
            }
        }
    }
}

/// Lines of code (comments stripped) in a room that name any of `forbidden`.
fn offences(room: &str, forbidden: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(room),
        &mut files,
    );
    assert!(!files.is_empty(), "no files in src/{room}");
    let mut out = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("source file is readable");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for bad in forbidden {
                if code.contains(bad) {
                    out.push(format!("{}:{}: `{bad}`: {line}", file.display(), n + 1));
                }
            }
        }
    }
    out
}

/// `api` ← `portal`: the server never reaches into the client or the TUI.
#[test]
fn the_portal_imports_neither_client_nor_tui() {
    let found = offences("portal", &["crate::client", "crate::tui"]);
    assert!(found.is_empty(), "{found:#?}");
}

/// `client` speaks HTTP with the `api` types only: no server code, no screen.
#[test]
fn the_client_imports_neither_portal_nor_tui() {
    let found = offences(
        "client",
        &[
            "crate::portal",
            "crate::tui",
            "ratatui",
            "crossterm",
            "sqlx",
            "axum",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

/// The TUI talks to any portal over HTTP through `client`, never to the reference portal's
/// code (training starts that in `main.rs`), and never opens a database.
#[test]
fn the_tui_reaches_the_portal_only_through_the_client() {
    let found = offences("tui", &["crate::portal", "sqlx", "axum", "reqwest"]);
    assert!(found.is_empty(), "{found:#?}");
}

/// The link emulator is a tool for tests, benchmarks and `motcua linksim`: it stands alone,
/// and nothing of the app depends on it.
#[test]
fn the_link_emulator_stands_alone() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let text = fs::read_to_string(src.join("linksim.rs")).expect("src/linksim.rs");
    let uses: Vec<&str> = text
        .lines()
        .filter(|l| l.split("//").next().unwrap_or("").contains("crate::"))
        .collect();
    assert!(uses.is_empty(), "{uses:#?}");
    for room in ["domain", "api", "client", "portal", "tui", "training"] {
        let found = offences(room, &["crate::linksim"]);
        assert!(found.is_empty(), "{found:#?}");
    }
}

/// The training room plays citizens and the bank over HTTP (through `client`) and judges
/// exercises from the journal: it never reaches into the server's code or the screen.
/// Only `sandbox.rs` joins the portal and the simulator, as `main.rs` joins it to the TUI.
#[test]
fn the_training_room_speaks_http_only() {
    let found = offences(
        "training",
        &["crate::portal", "crate::tui", "sqlx", "axum", "ratatui"],
    );
    assert!(found.is_empty(), "{found:#?}");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let exercises = fs::read_to_string(src.join("training/exercises.rs")).expect("exercises.rs");
    for io in ["std::fs", "tokio", "crate::client", "reqwest"] {
        assert!(
            !exercises
                .lines()
                .any(|l| l.split("//").next().unwrap_or("").contains(io)),
            "the exercises' judge is pure, but names {io}"
        );
    }
}
