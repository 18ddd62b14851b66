//! The portal's certification throughput (issue 21): `POST /certifications` of one kind in
//! one office, `IN_FLIGHT` at a time over loopback, from one desk. Every entry takes the
//! write lock for its number, so this is the rate of the book's critical section plus
//! the HTTP and JSON around it. Prints entries, seconds and entries per second beside the
//! issue's target (≥ 300/s on 2 cores), and checks that the numbers are exactly 1..=N.
//! Reported, not asserted; an HTTP error or a gap exits non-zero.
//!
//! Run with `cargo bench --bench certifications` (release). Without `--bench` (as
//! `cargo test --benches` runs it) a small smoke run of 50 entries.

use motcua::domain::calendar::Calendar;
use motcua::portal::state::Settings;
use motcua::portal::{self, Seed};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

const IN_FLIGHT: usize = 16;
const PASSWORD: &str = "Motcua-demo-2026";

#[tokio::main]
async fn main() -> ExitCode {
    let full = std::env::args().any(|a| a == "--bench");
    let total = if full { 3_000 } else { 50 };
    let dir = tempfile::tempdir().expect("a temp dir");
    let now = motcua::clock::parse_instant("2026-06-01T09:00:00+07:00").expect("an instant");
    let running = portal::start(portal::Options {
        bind: "127.0.0.1:0".parse().expect("an address"),
        db: dir.path().join("portal.sqlite3").into(),
        calendar: Calendar::default(),
        seed: Seed::Accounts,
        settings: Settings::default(),
        clock: motcua::clock::Clock::starting_at(now),
    })
    .await
    .expect("the portal starts");
    let base = format!("http://{}/api/v1", running.addr);
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"username": "tiepnhan1", "password": PASSWORD}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("login")
        .json()
        .await
        .expect("a token");
    let token = login["token"].as_str().expect("a token").to_owned();
    let body = json!({
        "kind": "copy",
        "applicant": {"full_name": "Nguyễn Thị Hoà", "id_number": "083095001234"},
        "document_name": "Bằng tốt nghiệp THPT",
        "pages": 5,
        "copies": 2,
    });
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let (http, base, token, body, next) = (
                http.clone(),
                base.clone(),
                token.clone(),
                body.clone(),
                next.clone(),
            );
            tokio::spawn(async move {
                let mut numbers = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    let res = http
                        .post(format!("{base}/certifications"))
                        .bearer_auth(&token)
                        .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
                        .json(&body)
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    if res.status() != 201 {
                        return Err(format!(
                            "{}: {}",
                            res.status(),
                            res.text().await.unwrap_or_default()
                        ));
                    }
                    let entry: Value = res.json().await.map_err(|e| e.to_string())?;
                    numbers.push(entry["number"].as_u64().unwrap_or(0));
                }
                Ok::<_, String>(numbers)
            })
        })
        .collect();
    let mut numbers = Vec::with_capacity(total);
    for worker in workers {
        match worker.await.expect("a worker") {
            Ok(n) => numbers.extend(n),
            Err(e) => {
                eprintln!("certifications: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    numbers.sort_unstable();
    if numbers != (1..=total as u64).collect::<Vec<_>>() {
        eprintln!("certifications: the numbers are not exactly 1..={total}");
        return ExitCode::FAILURE;
    }
    println!(
        "certifications: {total} entries, {IN_FLIGHT} in flight, {seconds:.2} s, {:.0} per second \
         (target ≥ 300 per second on 2 cores); numbers 1..={total}, no gap, no repeat",
        total as f64 / seconds
    );
    ExitCode::SUCCESS
}
