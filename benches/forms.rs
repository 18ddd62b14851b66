//! How long printing takes, end to end over loopback HTTP against the real portal: a
//! receipt (Mẫu 01, two copies with their QR codes) as PDF, and the register of 10,000
//! dossiers as PDF, XLSX and CSV. Prints the figures beside the targets of the paper issue
//! (a receipt ≤ 30 ms; a 10,000-row register ≤ 3 s as PDF and as XLSX, in a release
//! build); the figures are reported, not asserted. Every answer is checked for its type
//! and, for the register, its row count; a wrong one makes the run exit non-zero.
//!
//! Run with `cargo bench --bench forms`. The 10,000 dossiers are taken in through the real
//! intake by the bulk loader (`portal::bulk`), 400 a working day over the weeks before
//! the portal's clock. Without `--bench` (as `cargo test --benches` runs it) a small smoke
//! run checks that everything works, in seconds.

use motcua::domain::calendar::Calendar;
use motcua::portal::state::Settings;
use motcua::portal::{self, Seed, bulk};
use reqwest::Client;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Motcua-demo-2026";
/// The portal's clock: a Friday; the dossiers are received on the working days before it.
const NOW: &str = "2026-06-19T10:00:00+07:00";

struct Scale {
    dossiers: usize,
    receipts: usize,
    registers: usize,
}

const FULL: Scale = Scale {
    dossiers: 10_000,
    receipts: 100,
    registers: 3,
};

const SMOKE: Scale = Scale {
    dossiers: 300,
    receipts: 5,
    registers: 1,
};

fn main() -> ExitCode {
    let full = std::env::args().any(|a| a == "--bench");
    let scale = if full { FULL } else { SMOKE };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match runtime.block_on(run(&scale, full)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("forms bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(scale: &Scale, full: bool) -> Result<(), String> {
    if full && cfg!(debug_assertions) {
        println!("(a debug build: the targets are for release builds)");
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let now = motcua::clock::parse_instant(NOW).map_err(|e| e.to_string())?;
    let options = portal::Options {
        bind: "127.0.0.1:0".parse().expect("an address"),
        db: dir.path().join("portal.sqlite3").into(),
        calendar: Calendar::default(),
        seed: Seed::Accounts,
        settings: Settings::default(),
        clock: motcua::clock::Clock::starting_at(now),
    };
    let running = portal::start(options).await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    let made = bulk::desk_dossiers(&running.state, 1, scale.dossiers)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "loaded {made} dossiers into office 1 in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let base = format!("http://{}/api/v1", running.addr);
    let http = Client::new();
    let token = login(&http, &base, "tiepnhan1").await?;

    // The period that holds every loaded dossier.
    let (from, to): (String, String) = sqlx::query_as(
        "SELECT substr(MIN(received_at), 1, 10), substr(MAX(received_at), 1, 10) FROM dossiers",
    )
    .fetch_one(&running.state.db)
    .await
    .map_err(|e| e.to_string())?;
    let code: String = sqlx::query_scalar(
        "SELECT code FROM dossiers WHERE received_at IS NOT NULL ORDER BY received_at DESC LIMIT 1",
    )
    .fetch_one(&running.state.db)
    .await
    .map_err(|e| e.to_string())?;

    // A receipt: the first answer warms the fonts (parsed once per process), then each.
    let url = format!("{base}/dossiers/{code}/forms/receipt");
    let (first, size) = fetch(&http, &url, &token, "application/pdf").await?;
    let mut times = Vec::new();
    for _ in 0..scale.receipts {
        times.push(fetch(&http, &url, &token, "application/pdf").await?.0);
    }
    times.sort();
    println!(
        "receipt PDF (2 pages, {} KB): first {:.1} ms, then p50 {:.1} ms, p99 {:.1} ms over {} \
         (target ≤ 30 ms)",
        size / 1024,
        ms(first),
        ms(times[times.len() / 2]),
        ms(times[(times.len() * 99 / 100).min(times.len() - 1)]),
        times.len()
    );

    // The register of every loaded dossier.
    let rows = csv_rows(&http, &base, &token, &from, &to).await?;
    if rows != made {
        return Err(format!("the register has {rows} rows, not {made}"));
    }
    for (format, kind) in [
        ("pdf", "application/pdf"),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("csv", "text/csv; charset=utf-8"),
    ] {
        let url = format!("{base}/registers/dossiers?from={from}&to={to}&format={format}");
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..scale.registers {
            let (t, s) = fetch(&http, &url, &token, kind).await?;
            times.push(t);
            size = s;
        }
        times.sort();
        let target = if format == "csv" {
            String::new()
        } else {
            " (target ≤ 3 s)".into()
        };
        println!(
            "register of {rows} rows as {format:<4} ({} KB): best {:.2} s, median {:.2} s of {}{target}",
            size / 1024,
            times[0].as_secs_f64(),
            times[times.len() / 2].as_secs_f64(),
            times.len()
        );
    }
    running.shutdown().await.map_err(|e| e.to_string())?;
    in_process(rows);
    Ok(())
}

/// Where a register's time goes, without HTTP or the database: building the sheet, laying
/// it out, writing the PDF (layout again, then krilla), writing the workbook.
fn in_process(rows: usize) {
    use motcua::api::dossiers::Channel;
    use motcua::domain::forms::FormSet;
    use motcua::domain::status::Status;
    use motcua::forms::register::{Entry, Register};
    use motcua::forms::{Office, pdf};
    let office = Office {
        name: "UBND Phường An Hội".into(),
        address: "Số 1 đường Hai Bà Trưng, Phường An Hội".into(),
        phone: "02753822101".into(),
    };
    let entries = (0..rows)
        .map(|i| Entry {
            code: format!(
                "000.01.27.H07-2606{:02}-{:04}",
                1 + i / 400 % 28,
                i % 400 + 1
            ),
            procedure: "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản".into(),
            applicant: "Nguyễn Thị Ánh Tuyết".into(),
            address: "Số 45 đường Nguyễn Đình Chiểu, Phường An Hội, TP. Bến Tre, tỉnh Bến Tre"
                .into(),
            phone: "0912345678".into(),
            authority: "UBND Phường An Hội".into(),
            channel: if i % 3 == 0 {
                Channel::Online
            } else {
                Channel::Desk
            },
            status: Status::InProgress,
            received_at: "2026-06-01T08:15:00+07:00".into(),
            appointment: Some("2026-06-03T08:15:00+07:00".into()),
            due_at: Some("2026-06-03T08:15:00+07:00".into()),
            forwarded_at: Some("2026-06-01T10:15:00+07:00".into()),
            result_at: None,
            returned_at: None,
            timeliness: None,
            reason: None,
            overdue: i % 5 == 0,
        })
        .collect();
    let register = Register {
        office: &office,
        set: FormSet::Circular03_2025,
        from: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date"),
        to: chrono::NaiveDate::from_ymd_opt(2026, 6, 30).expect("a date"),
        entries,
        set_aside: Vec::new(),
        not_received: Vec::new(),
        made_at: NOW.into(),
    };
    let t = Instant::now();
    let sheet = register.sheet();
    let build = t.elapsed();
    let t = Instant::now();
    let laid = pdf::layout(&sheet);
    let layout = t.elapsed();
    let t = Instant::now();
    let bytes = pdf::pdf(&sheet).expect("a PDF");
    let write = t.elapsed();
    let t = Instant::now();
    let book = register.xlsx().expect("a workbook");
    let xlsx = t.elapsed();
    println!(
        "in process, {rows} rows: sheet {:.0} ms, layout {:.0} ms ({} pages, {} lines of text), \
         layout + PDF {:.0} ms ({} KB), XLSX {:.0} ms ({} KB)",
        ms(build),
        ms(layout),
        laid.pages.len(),
        laid.pages
            .iter()
            .flatten()
            .filter(|op| matches!(op, pdf::Op::Text { .. }))
            .count(),
        ms(write),
        bytes.len() / 1024,
        ms(xlsx),
        book.len() / 1024
    );
}

async fn login(http: &Client, base: &str, username: &str) -> Result<String, String> {
    let res = http
        .post(format!("{base}/auth/login"))
        .json(&serde_json::json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let body: serde_json::Value = res.json().await.map_err(|e| e.to_string())?;
    body["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("login: {body}"))
}

/// GETs `url` accepting `kind`: the time to the last byte, and the size.
async fn fetch(
    http: &Client,
    url: &str,
    token: &str,
    kind: &str,
) -> Result<(Duration, usize), String> {
    let started = Instant::now();
    let res = http
        .get(url)
        .bearer_auth(token)
        .header("Accept", kind)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let got = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = res.bytes().await.map_err(|e| e.to_string())?;
    let took = started.elapsed();
    if !status.is_success() || got != kind {
        return Err(format!(
            "{url}: {status} {got}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ));
    }
    Ok((took, body.len()))
}

/// The register's records, counted from its CSV.
async fn csv_rows(
    http: &Client,
    base: &str,
    token: &str,
    from: &str,
    to: &str,
) -> Result<usize, String> {
    let body = http
        .get(format!(
            "{base}/registers/dossiers?from={from}&to={to}&format=csv"
        ))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .bytes()
        .await
        .map_err(|e| e.to_string())?;
    let mut reader = csv::Reader::from_reader(&body[3..]);
    Ok(reader.records().count())
}
