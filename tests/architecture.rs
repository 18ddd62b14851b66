//! The one-way dependencies of docs/architecture.md, checked on the source text: `domain`
//! imports nothing of the other rooms and does no IO.

mod common;

use common::rust_files;
use std::fs;
use std::path::Path;

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
        for path in reached(&module_of(&file), &text) {
            assert!(
                path.first().is_none_or(|room| room == "domain"),
                "{}: domain code must not reach `crate::{}`",
                file.display(),
                path.join("::")
            );
        }
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

/// A source file's text without comments (line comments, doc comments, block comments)
/// and without the contents of string literals, so that only code is read.
fn code_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                out.push(' ');
            }
            '"' => {
                out.push('"');
                let mut escaped = false;
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if c == '"' && !escaped {
                        break;
                    }
                    escaped = c == '\\' && !escaped;
                }
                out.push('"');
            }
            // A char literal (so that '"' opens no string); a lifetime is left as it is.
            '\'' => {
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with('\\') {
                    for c in chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                    }
                } else if rest.chars().nth(1) == Some('\'') {
                    chars.next();
                    chars.next();
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Path, // ::
    Open,
    Close,
    Comma,
    Glob,
    Other,
}

fn tokens(code: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(chars[start..i].iter().collect()));
            continue;
        }
        if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(Token::Path);
            i += 2;
            continue;
        }
        match c {
            '{' => out.push(Token::Open),
            '}' => out.push(Token::Close),
            ',' => out.push(Token::Comma),
            '*' => out.push(Token::Glob),
            c if c.is_whitespace() => {}
            _ => out.push(Token::Other),
        }
        i += 1;
    }
    out
}

/// The paths spelled from `at` on (`a::b::{c, d::e}` gives `a::b::c` and `a::b::d::e`),
/// and where they end.
fn paths_from(tokens: &[Token], mut at: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        match tokens.get(at) {
            Some(Token::Ident(name)) => {
                prefix.push(name.clone());
                at += 1;
                if tokens.get(at) == Some(&Token::Path) {
                    at += 1;
                    continue;
                }
                return (vec![prefix], at);
            }
            Some(Token::Glob) => {
                prefix.push("*".to_owned());
                return (vec![prefix], at + 1);
            }
            Some(Token::Open) => {
                at += 1;
                let mut all = Vec::new();
                loop {
                    match tokens.get(at) {
                        Some(Token::Close) => return (all, at + 1),
                        Some(Token::Comma) => at += 1,
                        None => return (all, at),
                        Some(_) => {
                            let (inner, next) = paths_from(tokens, at);
                            for p in inner {
                                let mut full = prefix.clone();
                                // `{self, …}` is the prefix itself.
                                full.extend(p.into_iter().filter(|s| s != "self"));
                                all.push(full);
                            }
                            at = next.max(at + 1);
                        }
                    }
                }
            }
            _ => return (vec![prefix], at.max(1)),
        }
    }
}

/// Every module path a file names through `crate::`, `super::` or `self::` (in `use`
/// items, grouped or not, and in expressions), resolved from the file's own module.
fn reached(module: &[String], text: &str) -> Vec<Vec<String>> {
    let tokens = tokens(&code_of(text));
    let mut out = Vec::new();
    let mut at = 0;
    while at < tokens.len() {
        let starts = matches!(&tokens[at], Token::Ident(w) if w == "crate" || w == "super" || w == "self")
            && (at == 0 || tokens[at - 1] != Token::Path)
            && tokens.get(at + 1) == Some(&Token::Path);
        if !starts {
            at += 1;
            continue;
        }
        let (paths, next) = paths_from(&tokens, at);
        for path in paths {
            let mut resolved: Vec<String> = Vec::new();
            let mut segments = path.into_iter().peekable();
            match segments.peek().map(String::as_str) {
                Some("crate") => {
                    segments.next();
                }
                Some("self") => {
                    segments.next();
                    resolved = module.to_vec();
                }
                _ => {
                    resolved = module.to_vec();
                    while segments.peek().map(String::as_str) == Some("super") {
                        segments.next();
                        resolved.pop();
                    }
                }
            }
            resolved.extend(segments);
            out.push(resolved);
        }
        at = next.max(at + 1);
    }
    out
}

/// The module a source file is (`src/tui/update/mod.rs` is `tui::update`).
fn module_of(file: &Path) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let relative = file.strip_prefix(&src).expect("a file under src");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Lines of code (comments stripped) in a room that name any of `forbidden`: another room
/// (reached however it is spelled) or an outside crate.
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
        let module = module_of(&file);
        for path in reached(&module, &text) {
            let spelled = format!("crate::{}", path.join("::"));
            for bad in forbidden.iter().filter(|b| b.starts_with("crate::")) {
                if spelled == *bad || spelled.starts_with(&format!("{bad}::")) {
                    out.push(format!("{}: reaches `{spelled}`", file.display()));
                }
            }
        }
        let code = code_of(&text);
        for (n, line) in code.lines().enumerate() {
            for bad in forbidden.iter().filter(|b| !b.starts_with("crate::")) {
                if line.contains(bad) {
                    out.push(format!("{}:{}: `{bad}`: {line}", file.display(), n + 1));
                }
            }
        }
    }
    out
}

/// The checks read paths however they are spelled: grouped, over several lines, or
/// climbing with `super::super`.
#[test]
fn rooms_are_found_however_a_path_is_spelled() {
    let module: Vec<String> = ["tui", "update", "intake"].map(String::from).to_vec();
    let rooms = |text: &str| -> Vec<String> {
        reached(&module, text)
            .into_iter()
            .map(|p| p.join("::"))
            .collect()
    };
    assert_eq!(
        rooms("use crate::{api::auth::Me, portal, client::{self, PortalClient}};"),
        ["api::auth::Me", "portal", "client", "client::PortalClient"]
    );
    assert_eq!(
        rooms("use crate::{\n    domain::Lang,\n    portal::db, // the server\n};"),
        ["domain::Lang", "portal::db"]
    );
    assert_eq!(
        rooms("use super::super::super::portal::routes;"),
        ["portal::routes"]
    );
    assert_eq!(
        rooms("use super::*; let x = super::super::state::App::new();"),
        ["tui::update::*", "tui::state::App::new"]
    );
    assert_eq!(
        rooms("let s = \"crate::portal\"; // crate::portal"),
        Vec::<String>::new()
    );
    assert_eq!(
        rooms("fn f(&self) { self::g(); }"),
        ["tui::update::intake::g"]
    );
}

/// `domain` ← `api`: the wire contract names domain types and nothing else of the crate.
#[test]
fn the_api_imports_only_the_domain() {
    let found = offences(
        "api",
        &[
            "crate::portal",
            "crate::client",
            "crate::tui",
            "crate::config",
            "crate::training",
            "crate::sandbox",
            "crate::linksim",
            "sqlx",
            "axum",
            "reqwest",
            "tokio",
            "ratatui",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

/// `api` ← `portal`: the server never reaches into the client or the TUI.
#[test]
fn the_portal_imports_neither_client_nor_tui() {
    let found = offences("portal", &["crate::client", "crate::tui"]);
    assert!(found.is_empty(), "{found:#?}");
}

/// `forms` turns a dossier into printed pages and nothing else: shared by the portal,
/// which serves them, and the desk, which prints a receipt itself with the link down.
#[test]
fn the_forms_import_only_the_api_and_the_domain_and_do_no_io() {
    let found = offences(
        "forms",
        &[
            "crate::portal",
            "crate::client",
            "crate::tui",
            "crate::config",
            "crate::training",
            "crate::sandbox",
            "sqlx",
            "axum",
            "reqwest",
            "tokio",
            "ratatui",
            "std::fs",
            "std::net",
            "std::process",
        ],
    );
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

/// `update` and `view` are pure enough to test by feeding actions: no disk, no
/// environment, no clock, no randomness, no tasks. What they need from outside comes as an
/// `Action` answering an `Effect`, or from the state (the time of the last tick, the keys
/// of `App::keys`).
#[test]
fn update_and_view_do_no_io() {
    let io = [
        "std::fs",
        "std::env",
        "std::net",
        "std::process",
        "SystemTime",
        "Instant::now",
        "Utc::now",
        "Local::now",
        "vn_now",
        "uuid",
        "rand::",
        "tokio",
        "crate::client::PortalClient",
        "crate::tui::runtime",
        "crate::tui::paths",
    ];
    for room in ["tui/update", "tui/view"] {
        let found = offences(room, &io);
        assert!(found.is_empty(), "{found:#?}");
    }
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
