//! The register of dossiers (`GET /registers/dossiers`) over real HTTP on the demo seed:
//! the workbook read back by openpyxl, the CSV by the csv crate, the PDF by poppler.

mod common;

use common::pdf::{Pdf, run_python};
use common::{DEMO_PASSWORD, Portal};
use motcua::forms::register::COLUMNS;
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::Value;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The demo seed made on 20 March 2026: dossiers received over the six weeks before.
async fn demo() -> Portal {
    Portal::at("2026-03-20T10:00:00+07:00", Settings::default(), Seed::Demo).await
}

/// The codes of office `n`'s dossiers received from `from` to `to`, as the database has
/// them, in the order received.
async fn received(p: &Portal, n: i64, from: &str, to: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT d.code FROM dossiers d JOIN offices o ON o.id = d.office_id \
         WHERE o.number = $1 AND d.received_at >= $2 AND d.received_at < $3 \
         ORDER BY d.received_at, d.id",
    )
    .bind(n)
    .bind(format!("{from}T00:00:00+07:00"))
    .bind(format!("{to}T00:00:00+07:00"))
    .fetch_all(&p.running.state.db)
    .await
    .unwrap()
}

/// The codes of office `n`'s dossiers submitted from `from` to `to` and not received
/// then (online, not received yet or received later), by code.
async fn not_received(p: &Portal, n: i64, from: &str, to: &str) -> Vec<String> {
    let (from, to) = (
        format!("{from}T00:00:00+07:00"),
        format!("{to}T00:00:00+07:00"),
    );
    sqlx::query_scalar(
        "SELECT d.code FROM dossiers d JOIN offices o ON o.id = d.office_id \
         WHERE o.number = $1 AND d.submitted_at >= $2 AND d.submitted_at < $3 \
           AND (d.received_at IS NULL OR d.received_at < $2 OR d.received_at >= $3) \
         ORDER BY d.code",
    )
    .bind(n)
    .bind(from)
    .bind(to)
    .fetch_all(&p.running.state.db)
    .await
    .unwrap()
}

struct Answer {
    status: u16,
    kind: String,
    form_set: String,
    disposition: String,
    body: Vec<u8>,
}

async fn register(p: &Portal, token: &str, query: &str, accept: Option<&str>) -> Answer {
    let mut req = p
        .get(&format!("/registers/dossiers?{query}"))
        .bearer_auth(token);
    if let Some(accept) = accept {
        req = req.header("Accept", accept);
    }
    let res = req.send().await.unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    Answer {
        status: res.status().as_u16(),
        kind: header("content-type"),
        form_set: header("form-set"),
        disposition: header("content-disposition"),
        body: res.bytes().await.unwrap().to_vec(),
    }
}

/// The CSV's records (after its byte order mark), the columns' names first.
fn csv_rows(body: &[u8]) -> Vec<Vec<String>> {
    let bom = "\u{feff}".as_bytes();
    assert!(body.starts_with(bom), "a byte order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&body[bom.len()..])
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// The workbook as openpyxl reads it: the sheet names, the first sheet's rows (times
/// written as the CSV writes them) and the second sheet's.
fn openpyxl(body: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.xlsx");
    std::fs::write(&path, body).unwrap();
    let script = r#"
import datetime, json, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
def cell(v):
    if v is None:
        return ""
    if isinstance(v, datetime.datetime):
        return v.strftime("%d/%m/%Y %H:%M")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
print(json.dumps({
    "sheets": wb.sheetnames,
    "rows": [[cell(v) for v in row] for row in wb.worksheets[0].iter_rows(values_only=True)],
    "summary": [[cell(v) for v in row] for row in wb.worksheets[1].iter_rows(values_only=True)],
    "types": sorted({type(v).__name__ for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True) if row[0] not in (None, "") for v in row[7:8]}),
}))
"#;
    serde_json::from_str(&run_python(script, &[path.to_str().unwrap()])).unwrap()
}

fn rows_of(v: &Value) -> Vec<Vec<String>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn a_month_of_the_demo_seed_as_workbook_csv_and_pdf() {
    let p = demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let codes = received(&p, 1, "2026-02-01", "2026-03-01").await;
    assert!(
        codes.len() >= 10,
        "the seed received {} in February",
        codes.len()
    );
    let query = "from=2026-02-01&to=2026-02-28";

    // The workbook: the form's columns, then one row per dossier received that month.
    let xlsx = register(&p, &desk, query, Some(XLSX)).await;
    assert_eq!((xlsx.status, xlsx.kind.as_str()), (200, XLSX));
    assert_eq!(xlsx.form_set, "03/2025/TT-VPCP");
    assert!(
        xlsx.disposition
            .contains("so-theo-doi-ho-so-20260201-20260228.xlsx"),
        "{}",
        xlsx.disposition
    );
    let book = openpyxl(&xlsx.body);
    assert_eq!(
        book["sheets"],
        serde_json::json!(["Sổ theo dõi hồ sơ", "Tổng hợp"])
    );
    let rows = rows_of(&book["rows"]);
    assert_eq!(rows[0], COLUMNS, "the form's columns");
    // The dossiers first, numbered; then the month's numbers of dossiers not received
    // in it, unnumbered.
    let dossiers = rows[1..].iter().take_while(|r| !r[0].is_empty()).count();
    let (data, others) = rows[1..].split_at(dossiers);
    let in_book: Vec<&str> = data.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(in_book, codes, "one row per dossier, in the order received");
    let unreceived = not_received(&p, 1, "2026-02-01", "2026-03-01").await;
    assert!(
        !unreceived.is_empty(),
        "the seed has online dossiers pending"
    );
    assert_eq!(
        others.iter().map(|r| r[1].as_str()).collect::<Vec<_>>(),
        unreceived,
        "then the numbers of those not received"
    );
    for row in others {
        assert_eq!(row[3], "0", "not a dossier of the month: {row:?}");
        assert!(row[13].starts_with("Nộp trực tuyến "), "{row:?}");
    }
    for (i, row) in data.iter().enumerate() {
        assert_eq!(row[0], (i + 1).to_string(), "numbered");
        assert_eq!(row[3], "1", "one set");
        assert!(!row[4].is_empty() && !row[5].is_empty(), "{row:?}");
    }
    // Times are times in the workbook, not text (a dossier's rows: the others have none).
    assert_eq!(book["types"], serde_json::json!(["datetime"]));
    let received_times: Vec<chrono::NaiveDateTime> = data
        .iter()
        .map(|r| chrono::NaiveDateTime::parse_from_str(&r[7], "%d/%m/%Y %H:%M").unwrap())
        .collect();
    assert!(received_times.windows(2).all(|w| w[0] <= w[1]), "sorted");
    assert!(
        received_times
            .iter()
            .all(|t| t.format("%Y-%m").to_string() == "2026-02")
    );
    let summary = rows_of(&book["summary"]);
    let total = summary
        .iter()
        .find(|r| r[0] == "Tổng số hồ sơ tiếp nhận")
        .expect("the total");
    assert_eq!(total[1], codes.len().to_string());

    // The CSV holds the same rows.
    let csv = register(&p, &desk, &format!("{query}&format=csv"), None).await;
    assert_eq!(
        (csv.status, csv.kind.as_str()),
        (200, "text/csv; charset=utf-8")
    );
    assert_eq!(csv_rows(&csv.body), rows);

    // The PDF: A4 landscape, fonts embedded, every dossier and the totals in its text.
    let pdf = register(&p, &desk, query, Some("application/pdf")).await;
    assert_eq!((pdf.status, pdf.kind.as_str()), (200, "application/pdf"));
    let pdf = Pdf::new(&pdf.body);
    pdf.assert_a4_with_embedded_fonts(true);
    let text = pdf.flat();
    for needle in [
        "SỔ THEO DÕI HỒ SƠ",
        "Mẫu số 07 - Thông tư 03/2025/TT-VPCP",
        "Từ ngày 01/02/2026 đến ngày 28/02/2026",
        "Tổng số hồ sơ tiếp nhận",
        "Cơ quan chủ trì giải quyết",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
    for code in &codes {
        assert!(text.contains(code.as_str()), "{code} in the PDF");
    }
    // Each export is in the audit log.
    assert_eq!(p.audit_count("register_exported").await, 3);
}

#[tokio::test]
async fn the_format_follows_format_then_accept() {
    let p = demo().await;
    let desk = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let q = "from=2026-03-01&to=2026-03-20";
    for (accept, kind) in [
        (None, "application/pdf"),
        (Some("*/*"), "application/pdf"),
        (Some("text/csv"), "text/csv; charset=utf-8"),
        (
            Some("text/csv;q=0.5, application/pdf;q=0.4"),
            "text/csv; charset=utf-8",
        ),
        (Some(XLSX), XLSX),
    ] {
        let a = register(&p, &desk, q, accept).await;
        assert_eq!((a.status, a.kind.as_str()), (200, kind), "{accept:?}");
    }
    // `format` decides whatever Accept says.
    let a = register(&p, &desk, &format!("{q}&format=xlsx"), Some("text/csv")).await;
    assert_eq!(a.kind, XLSX);
    // Nothing the register is written as: 406, with the error body.
    let a = register(&p, &desk, q, Some("application/json")).await;
    let e: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(
        (a.status, e["error"]["code"].as_str()),
        (406, Some("not_acceptable"))
    );
    assert!(e["error"]["message"].as_str().unwrap().contains("format="));
}

#[tokio::test]
async fn every_error_of_the_register() {
    let p = demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let field = |a: &Answer, field: &str| {
        let e: Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(
            (a.status, e["error"]["code"].as_str()),
            (422, Some("validation_failed")),
            "{e}"
        );
        assert!(e["error"]["fields"][field].is_string(), "{field}: {e}");
    };
    field(
        &register(&p, &desk, "from=2026-02-30&to=2026-03-01", None).await,
        "from",
    );
    field(
        &register(&p, &desk, "from=01/02/2026&to=2026-03-01", None).await,
        "from",
    );
    field(
        &register(&p, &desk, "from=2026-02-01&to=soon", None).await,
        "to",
    );
    field(
        &register(&p, &desk, "from=2026-03-02&to=2026-03-01", None).await,
        "to",
    );
    // 367 days is too long; 366 (a leap year) is not.
    field(
        &register(&p, &desk, "from=2024-01-01&to=2025-01-01", None).await,
        "to",
    );
    let a = register(&p, &desk, "from=2024-01-01&to=2024-12-31&format=csv", None).await;
    assert_eq!(a.status, 200);
    // Bounded and clean query strings.
    let long = "2".repeat(33);
    field(
        &register(&p, &desk, &format!("from={long}&to=2026-03-01"), None).await,
        "from",
    );
    field(
        &register(&p, &desk, "from=2026-02-01%0A&to=2026-03-01", None).await,
        "from",
    );
    // Malformed: a missing date, an unknown format.
    for query in [
        "to=2026-03-01",
        "from=2026-03-01",
        "from=2026-03-01&to=2026-03-02&format=doc",
    ] {
        let a = register(&p, &desk, query, None).await;
        let e: Value = serde_json::from_slice(&a.body).unwrap();
        assert_eq!(
            (a.status, e["error"]["code"].as_str()),
            (400, Some("bad_request")),
            "{query}"
        );
    }
    // No token; a citizen (refused and audited).
    let a = register(&p, "not-a-token", "from=2026-03-01&to=2026-03-02", None).await;
    assert_eq!(a.status, 401);
    let (id,): (String,) = sqlx::query_as(
        "SELECT c.id_number FROM citizens c JOIN users u ON u.citizen_id = c.id LIMIT 1",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    let citizen = p.login(&id, DEMO_PASSWORD).await;
    let refused = p.audit_count("access_refused").await;
    let a = register(&p, &citizen, "from=2026-03-01&to=2026-03-02", None).await;
    assert_eq!(a.status, 403);
    assert_eq!(p.audit_count("access_refused").await, refused + 1);
    assert_eq!(
        p.audit_count("register_exported").await,
        1,
        "only the one answered"
    );
}

#[tokio::test]
async fn each_office_sees_its_own_register_and_an_empty_period_is_a_register_too() {
    let p = demo().await;
    let one = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let two = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let q = "from=2026-02-01&to=2026-03-20&format=csv";
    let mine = csv_rows(&register(&p, &one, q, None).await.body);
    let theirs = csv_rows(&register(&p, &two, q, None).await.body);
    // The dossiers received (numbered rows), without the numbers of those not received.
    let codes = |rows: &[Vec<String>]| -> Vec<String> {
        rows[1..]
            .iter()
            .filter(|r| !r[0].is_empty())
            .map(|r| r[1].clone())
            .collect()
    };
    assert_eq!(
        codes(&mine),
        received(&p, 1, "2026-02-01", "2026-03-21").await
    );
    assert_eq!(
        codes(&theirs),
        received(&p, 2, "2026-02-01", "2026-03-21").await
    );
    assert!(codes(&mine).iter().all(|c| !codes(&theirs).contains(c)));

    // Before the seed: no rows, but the columns, the totals and a valid PDF.
    let q = "from=2025-09-01&to=2025-09-14";
    let empty = register(&p, &one, &format!("{q}&format=csv"), None).await;
    assert_eq!(
        csv_rows(&empty.body),
        vec![COLUMNS.map(String::from).to_vec()]
    );
    // A period ending before 2025-09-15 is the 2018 set's register (Mẫu 06).
    assert_eq!(empty.form_set, "01/2018/TT-VPCP");
    let pdf = register(&p, &one, q, Some("application/pdf")).await;
    let pdf = Pdf::new(&pdf.body);
    assert_eq!(pdf.assert_a4_with_embedded_fonts(true), 1);
    let text = pdf.flat();
    assert!(
        text.contains("Mẫu số 06 - Thông tư 01/2018/TT-VPCP"),
        "{text}"
    );
    assert!(text.contains("Tổng số hồ sơ tiếp nhận 0"), "{text}");
    let book = openpyxl(
        &register(&p, &one, &format!("{q}&format=xlsx"), None)
            .await
            .body,
    );
    assert_eq!(rows_of(&book["rows"]).len(), 1, "the columns' names only");
}
