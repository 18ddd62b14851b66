//! The portal's layers, checked on the source text: handlers (`src/portal/routes`) call
//! services (`src/portal/service`), never the other way; a service knows nothing of HTTP
//! requests or responses; the shared state depends on no handler module.

mod common;

use common::rust_files;
use std::fs;
use std::path::{Path, PathBuf};

/// Lines of code (comments stripped) in `files` that name any of `forbidden`.
fn offences(files: &[PathBuf], forbidden: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for file in files {
        let text = fs::read_to_string(file).expect("a source file");
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

fn portal(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/portal")
        .join(path)
}

#[test]
fn services_know_no_handler_and_no_http() {
    let mut files = Vec::new();
    rust_files(&portal("service"), &mut files);
    assert!(files.len() >= 4, "found only {files:?}");
    let found = offences(
        &files,
        &[
            "routes",
            "axum::http",
            "axum::response",
            "axum::extract",
            "StatusCode",
            "HeaderMap",
            "Idempotent",
        ],
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_shared_state_depends_on_no_handler() {
    let found = offences(&[portal("state.rs")], &["routes"]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn seed_and_bulk_loader_take_dossiers_in_through_the_services() {
    let files = [portal("seed.rs"), portal("bulk.rs")];
    let found = offences(&files, &["routes::", "INSERT INTO dossiers"]);
    assert!(found.is_empty(), "{found:#?}");
    for file in files {
        let text = fs::read_to_string(&file).expect("a source file");
        assert!(
            text.contains("service::intake::intake") && text.contains("service::actions::perform"),
            "{} takes dossiers in and acts on them through the services",
            file.display()
        );
    }
}
