//! Certification at the desk (issue 21), against the real portal: numbers from 1 per
//! office, kind and year with no gap and no repeat under 200 concurrent requests, a new
//! year's books starting at 1 (the injectable clock), idempotent retries, the fees of the
//! design's vectors, 422 naming the field, roles and offices, the accent-insensitive book
//! search, and the certificate as text and as PDF.

mod common;

use common::pdf::Pdf;
use common::{DEMO_PASSWORD, Portal, status_json};
use serde_json::{Value, json};
use std::sync::Arc;

fn at(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap()
}

async fn login(p: &Portal, who: &str) -> String {
    p.login(who, DEMO_PASSWORD).await
}

/// A copy certification for a named applicant.
fn copy(name: &str, document: &str, pages: i64, copies: i64) -> Value {
    json!({
        "kind": "copy",
        "applicant": {"full_name": name, "id_number": "083095001234"},
        "document_name": document,
        "pages": pages,
        "copies": copies,
    })
}

/// POSTs under `key` (a fresh one if `None`); answers (status, body, replayed).
async fn certify_with(
    p: &Portal,
    token: &str,
    key: Option<&str>,
    body: &Value,
) -> (u16, Value, bool) {
    let key = key.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let res = p
        .post("/certifications")
        .bearer_auth(token)
        .header("Idempotency-Key", format!("\"{key}\""))
        .header("Accept-Language", "en")
        .json(body)
        .send()
        .await
        .unwrap();
    let replayed = res.headers().contains_key("idempotent-replayed");
    let (status, body) = status_json(res).await;
    (status, body, replayed)
}

async fn certify(p: &Portal, token: &str, body: &Value) -> (u16, Value) {
    let (status, body, _) = certify_with(p, token, None, body).await;
    (status, body)
}

async fn get(p: &Portal, token: &str, path: &str) -> (u16, Value) {
    status_json(p.get(path).bearer_auth(token).send().await.unwrap()).await
}

/// A portal whose clock stands at `now` and takes 200 connections from one address.
async fn portal_at(now: &str) -> Portal {
    let settings = motcua::portal::state::Settings {
        max_connections_per_address: 256,
        ..Default::default()
    };
    let p = Portal::with(settings, motcua::portal::Seed::Accounts).await;
    p.running.state.clock.stop_at(at(now));
    p
}

#[tokio::test]
async fn numbers_run_from_1_to_200_under_concurrency_and_a_new_year_opens_new_books() {
    let p = Arc::new(portal_at("2026-12-31T09:00:00+07:00").await);
    let token = login(&p, "tiepnhan1").await;
    let body = copy("Nguyễn Thị Hoà", "Bằng tốt nghiệp THPT", 1, 1);
    let handles: Vec<_> = (0..200)
        .map(|_| {
            let (p, token, body) = (p.clone(), token.clone(), body.clone());
            tokio::spawn(async move { certify(&p, &token, &body).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for h in handles {
        let (status, entry) = h.await.unwrap();
        assert_eq!(status, 201, "{entry}");
        assert_eq!(entry["book"], "01/2026-SCT/BS");
        numbers.push(entry["number"].as_u64().unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=200).collect::<Vec<u64>>());
    assert_eq!(p.audit_count("certification_recorded").await, 200);

    // Another office's copy book is its own, from 1.
    let other = login(&p, "tiepnhan2").await;
    let (_, entry) = certify(&p, &other, &body).await;
    assert_eq!(
        (entry["book"].as_str(), entry["number"].as_u64()),
        (Some("01/2026-SCT/BS"), Some(1))
    );

    // New year: new books, from 1; the old book is left as it was.
    p.running
        .state
        .clock
        .stop_at(at("2027-01-04T08:00:00+07:00"));
    let token = login(&p, "tiepnhan1").await;
    let (status, entry) = certify(&p, &token, &body).await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["book"], "01/2027-SCT/BS");
    assert_eq!(entry["number"], 1);
    assert_eq!(entry["year"], 2027);
    let signature = json!({
        "kind": "signature",
        "applicant": {"full_name": "Lê Văn Tám", "id_number": "083095001234"},
        "document_name": "Giấy cam kết",
    });
    let (_, entry) = certify(&p, &token, &signature).await;
    assert_eq!(entry["book"], "01/2027-SCT/CK,ĐC");
    assert_eq!(entry["number"], 1);
    let (_, page) = get(&p, &token, "/certifications?year=2026&kind=copy&limit=1").await;
    assert_eq!(page["total"], 200);
    assert_eq!(page["items"][0]["number"], 200, "newest first");
}

#[tokio::test]
async fn a_retry_with_the_key_gets_the_same_number_and_leaves_no_gap() {
    let p = portal_at("2026-06-01T09:00:00+07:00").await;
    let token = login(&p, "tiepnhan1").await;
    let body = copy("Phạm Minh Đức", "Giấy khai sinh", 1, 2);
    let key = uuid::Uuid::new_v4().to_string();
    let (s1, first, replayed1) = certify_with(&p, &token, Some(&key), &body).await;
    let (s2, again, replayed2) = certify_with(&p, &token, Some(&key), &body).await;
    assert_eq!((s1, s2, replayed1, replayed2), (201, 201, false, true));
    assert_eq!(first, again);
    let (_, next) = certify(&p, &token, &body).await;
    assert_eq!(next["number"], first["number"].as_u64().unwrap() + 1);
    // The same key for another body is refused.
    let (status, refused, _) = certify_with(
        &p,
        &token,
        Some(&key),
        &copy("Phạm Minh Đức", "Giấy khai sinh", 2, 2),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(refused["error"]["code"], "idempotency_key_reused");
}

#[tokio::test]
async fn fees_follow_the_vectors() {
    let p = portal_at("2026-06-01T09:00:00+07:00").await;
    let token = login(&p, "tiepnhan1").await;
    let named = json!({"full_name": "Trần Thị Mai", "id_number": "083095001234"});
    let cases = [
        (json!({"kind": "copy", "pages": 5, "copies": 2}), 14_000),
        (json!({"kind": "copy"}), 2_000),
        (json!({"kind": "copy", "pages": 3, "copies": 1}), 5_000),
        (json!({"kind": "copy", "pages": 200, "copies": 1}), 200_000),
        (json!({"kind": "copy", "pages": 500, "copies": 3}), 600_000),
        (
            json!({"kind": "signature", "pages": 4, "copies": 2}),
            10_000,
        ),
        (json!({"kind": "contract", "pages": 7, "copies": 3}), 50_000),
        (json!({"kind": "contract", "act": "amendment"}), 30_000),
        (json!({"kind": "contract", "act": "correction"}), 25_000),
    ];
    for (mut body, fee) in cases {
        body["applicant"] = named.clone();
        body["document_name"] = json!("Hợp đồng thuê nhà");
        let (status, entry) = certify(&p, &token, &body).await;
        assert_eq!(status, 201, "{body}: {entry}");
        assert_eq!(entry["fee"], fee, "{body}");
        assert_eq!(entry["payment_method"], "cash");
    }
    let detail: String = sqlx::query_scalar(
        "SELECT reason FROM audit WHERE event = 'certification_recorded' ORDER BY id LIMIT 1",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    assert_eq!(detail, "cash 14000");
    // `GET /stats` counts them by kind, with the fees taken (the month to date).
    let (status, stats) = get(&p, &token, "/stats").await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(
        stats["certifications"],
        json!({"copy": 5, "signature": 1, "contract": 3, "fees": 936_000})
    );
    let (_, before) = get(&p, &token, "/stats?from=2026-05-01&to=2026-05-31").await;
    assert_eq!(before["certifications"]["fees"], 0);
}

/// Certifies `bodies` for `who` with the clock at `now`; answers the fees.
async fn certify_at(p: &Portal, now: &str, who: &str, bodies: &[Value]) -> Vec<u64> {
    p.running.state.clock.stop_at(at(now));
    let token = login(p, who).await;
    let mut fees = Vec::new();
    for body in bodies {
        let (status, entry) = certify(p, &token, body).await;
        assert_eq!(status, 201, "{body}: {entry}");
        fees.push(entry["fee"].as_u64().unwrap());
    }
    fees
}

fn counts(copy: u64, signature: u64, contract: u64, fees: u64) -> Value {
    json!({"copy": copy, "signature": signature, "contract": contract, "fees": fees})
}

#[tokio::test]
async fn stats_count_certifications_by_day_month_and_period_for_the_office_alone() {
    let p = portal_at("2026-05-20T10:00:00+07:00").await;
    let signature = json!({
        "kind": "signature",
        "applicant": {"full_name": "Lê Văn Tám", "id_number": "083095001234"},
        "document_name": "Giấy cam kết",
    });
    let contract = json!({
        "kind": "contract",
        "applicant": {"full_name": "Võ Thị Sáu", "id_number": "083095001234"},
        "document_name": "Hợp đồng mua bán xe",
    });
    let five_pages = |copies| copy("Nguyễn Văn An", "Giấy khai sinh", 5, copies);
    let one_page = copy("Huỳnh Thị Lan", "Căn cước", 1, 1);
    let may = [five_pages(2), signature.clone()];
    let june_1 = [one_page.clone(), contract.clone()];
    let june_3 = [five_pages(3), one_page.clone(), signature.clone()];
    assert_eq!(
        certify_at(&p, "2026-05-20T10:00:00+07:00", "tiepnhan1", &may).await,
        [14_000, 10_000]
    );
    assert_eq!(
        certify_at(&p, "2026-06-01T09:00:00+07:00", "tiepnhan1", &june_1).await,
        [2_000, 50_000]
    );
    // 06:45 at the office is still the day before in UTC: the office's day counts.
    assert_eq!(
        certify_at(&p, "2026-06-03T06:45:00+07:00", "tiepnhan1", &june_3).await,
        [21_000, 2_000, 10_000]
    );
    // Another office's entries are its own.
    certify_at(&p, "2026-06-03T15:00:00+07:00", "tiepnhan2", &[contract]).await;

    let token = login(&p, "tiepnhan1").await;
    let (status, stats) = get(&p, &token, "/stats?months=2").await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(
        stats["period"],
        json!({"from": "2026-06-01", "to": "2026-06-03"})
    );
    assert_eq!(stats["certifications"], counts(3, 1, 1, 85_000));
    assert_eq!(stats["certifications_day"], counts(2, 1, 0, 33_000));
    let months: Vec<(&str, &Value)> = stats["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["month"].as_str().unwrap(), &m["certifications"]))
        .collect();
    assert_eq!(
        months,
        [
            ("2026-05", &counts(1, 1, 0, 24_000)),
            ("2026-06", &counts(3, 1, 1, 85_000)),
        ]
    );

    // The day is the period's last: 20 May; a day with none is zeros.
    let (_, may) = get(&p, &token, "/stats?from=2026-05-01&to=2026-05-20").await;
    assert_eq!(may["certifications_day"], counts(1, 1, 0, 24_000));
    assert_eq!(may["certifications"], counts(1, 1, 0, 24_000));
    let (_, june_2) = get(&p, &token, "/stats?from=2026-05-15&to=2026-06-02").await;
    assert_eq!(june_2["certifications_day"], counts(0, 0, 0, 0));
    assert_eq!(june_2["certifications"], counts(2, 1, 1, 76_000));
    // Without `months`, none.
    let (_, plain) = get(&p, &token, "/stats").await;
    assert_eq!(plain["months"], json!([]));

    let other = login(&p, "tiepnhan2").await;
    let (_, theirs) = get(&p, &other, "/stats?months=2").await;
    assert_eq!(theirs["certifications_day"], counts(0, 0, 1, 50_000));
    assert_eq!(theirs["certifications"], counts(0, 0, 1, 50_000));
    assert_eq!(theirs["months"][0]["certifications"], counts(0, 0, 0, 0));
}

#[tokio::test]
async fn bad_requests_are_422_naming_the_field() {
    let p = portal_at("2026-06-01T09:00:00+07:00").await;
    let token = login(&p, "tiepnhan1").await;
    let named = json!({"full_name": "Trần Thị Mai", "id_number": "083095001234"});
    let cases = [
        ("pages", json!({"kind": "copy", "pages": 0})),
        ("pages", json!({"kind": "copy", "pages": -3})),
        ("copies", json!({"kind": "copy", "copies": 0})),
        ("copies", json!({"kind": "copy", "copies": 1001})),
        ("act", json!({"kind": "copy", "act": "amendment"})),
        (
            "document_name",
            json!({"kind": "copy", "document_name": "  "}),
        ),
        (
            "document_name",
            json!({"kind": "copy", "document_name": "Giấy\u{1b}[31m"}),
        ),
        (
            "applicant.id_number",
            json!({"kind": "copy", "applicant": {"full_name": "A", "id_number": "12345"}}),
        ),
        (
            "applicant.full_name",
            json!({"kind": "copy", "applicant": {"full_name": " ", "id_number": "083095001234"}}),
        ),
        (
            "applicant.citizen_id",
            json!({"kind": "copy", "applicant": {"citizen_id": "nobody"}}),
        ),
    ];
    for (field, patch) in cases {
        let mut body = json!({"applicant": named, "document_name": "Giấy khai sinh"});
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, refused) = certify(&p, &token, &body).await;
        assert_eq!(status, 422, "{body}: {refused}");
        assert_eq!(refused["error"]["code"], "validation_failed", "{refused}");
        assert!(
            refused["error"]["fields"][field].is_string(),
            "{field}: {refused}"
        );
    }
    // Nothing was entered: the next entry is number 1.
    let (_, entry) = certify(
        &p,
        &token,
        &json!({"kind": "copy", "applicant": named, "document_name": "Giấy khai sinh"}),
    )
    .await;
    assert_eq!(entry["number"], 1);
}

#[tokio::test]
async fn a_citizen_of_the_office_by_id_and_not_of_another() {
    let p = portal_at("2026-06-01T09:00:00+07:00").await;
    let token = login(&p, "tiepnhan1").await;
    let (citizen, name) = p.citizen_of(1).await;
    let body = json!({"kind": "signature", "applicant": {"citizen_id": citizen}, "document_name": "Đơn xin việc"});
    let (status, entry) = certify(&p, &token, &body).await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["applicant"]["full_name"], name.as_str());
    assert_eq!(entry["applicant"]["citizen_id"], citizen.as_str());
    assert!(entry["text"].as_str().unwrap().contains(&name), "{entry}");
    let (stranger, _) = p.citizen_of(2).await;
    let body =
        json!({"kind": "signature", "applicant": {"citizen_id": stranger}, "document_name": "Đơn"});
    let (status, refused) = certify(&p, &token, &body).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["error"]["fields"]["applicant.citizen_id"].is_string());
}

#[tokio::test]
async fn only_reception_certifies_and_another_office_sees_nothing() {
    let p = portal_at("2026-06-01T09:00:00+07:00").await;
    let desk = login(&p, "tiepnhan1").await;
    let (_, entry) = certify(&p, &desk, &copy("Nguyễn Thị Hoà", "Sổ hộ khẩu", 2, 1)).await;
    let id = entry["id"].as_str().unwrap();
    for who in ["chuyenvien1", "lanhdao1"] {
        let token = login(&p, who).await;
        let (status, refused) = certify(&p, &token, &copy("A B", "C", 1, 1)).await;
        assert_eq!(status, 403, "{who}: {refused}");
        // Staff of the office read the book.
        let (status, page) = get(&p, &token, "/certifications").await;
        assert_eq!((status, page["total"].as_u64()), (200, Some(1)), "{who}");
    }
    let other = login(&p, "tiepnhan2").await;
    let refused_before = p.audit_count("access_refused").await;
    let res = p
        .get(&format!("/certifications/{id}/forms/certificate"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(p.audit_count("access_refused").await, refused_before + 1);
    let (_, page) = get(&p, &other, "/certifications").await;
    assert_eq!(page["total"], 0);
}

#[tokio::test]
async fn the_book_is_searched_without_accents_and_paged_newest_first() {
    let p = portal_at("2026-06-01T09:00:00+07:00").await;
    let token = login(&p, "tiepnhan1").await;
    for (name, document) in [
        ("Nguyễn Thị Hoà", "Bằng tốt nghiệp THPT"),
        ("Đặng Văn Ơn", "Giấy khai sinh"),
        ("Nguyễn Văn Hùng", "Học bạ"),
    ] {
        let (status, _) = certify(&p, &token, &copy(name, document, 1, 1)).await;
        assert_eq!(status, 201);
    }
    let names = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["applicant"]["full_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, found) = get(&p, &token, "/certifications?q=nguyen%20thi%20hoa").await;
    assert_eq!(names(&found), ["Nguyễn Thị Hoà"]);
    let (_, found) = get(&p, &token, "/certifications?q=dang%20on").await;
    assert_eq!(names(&found), ["Đặng Văn Ơn"]);
    let (_, found) = get(&p, &token, "/certifications?q=bang%20tot").await;
    assert_eq!(names(&found), ["Nguyễn Thị Hoà"]);
    let (_, found) = get(&p, &token, "/certifications?q=nguyen").await;
    assert_eq!(names(&found), ["Nguyễn Văn Hùng", "Nguyễn Thị Hoà"]);
    let (_, none) = get(&p, &token, "/certifications?q=zzz").await;
    assert_eq!(none["total"], 0);
    // Pages of 2 cover all 3, once each, newest first.
    let (_, first) = get(&p, &token, "/certifications?limit=2").await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = get(
        &p,
        &token,
        &format!("/certifications?limit=2&cursor={cursor}"),
    )
    .await;
    assert_eq!(second["next_cursor"], Value::Null);
    let mut all = names(&first);
    all.extend(names(&second));
    assert_eq!(all, ["Nguyễn Văn Hùng", "Đặng Văn Ơn", "Nguyễn Thị Hoà"]);
    let (status, _) = get(&p, &token, "/certifications?cursor=bm9wZQ").await;
    assert_eq!(status, 400);
    // A year no book can have is told, not answered with an empty book.
    for year in ["1999", "10000"] {
        let (status, body) = get(&p, &token, &format!("/certifications?year={year}")).await;
        assert_eq!(status, 400, "year={year}: {body}");
    }
    let (status, _) = get(&p, &token, "/certifications?year=2026").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_certificate_prints_as_text_and_as_pdf() {
    let p = portal_at("2026-06-01T09:00:00+07:00").await;
    let token = login(&p, "tiepnhan1").await;
    let (_, entry) = certify(
        &p,
        &token,
        &copy("Nguyễn Thị Hoà", "Bằng tốt nghiệp THPT", 5, 3),
    )
    .await;
    let id = entry["id"].as_str().unwrap();
    let text = entry["text"].as_str().unwrap();
    assert!(
        text.starts_with("Chứng thực bản sao này đúng với bản chính."),
        "{text}"
    );
    assert!(
        text.contains("Số chứng thực: 1. Quyển số: 01/2026-SCT/BS."),
        "{text}"
    );
    assert!(text.contains("ngày 01 tháng 06 năm 2026"), "{text}");
    let path = format!("/certifications/{id}/forms/certificate");
    let res = p.get(&path).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let printed = res.text().await.unwrap();
    for needle in [
        "LỜI CHỨNG CHỨNG THỰC BẢN SAO TỪ BẢN CHÍNH",
        "Chứng thực bản sao này đúng với bản chính.",
        "01/2026-SCT/BS",
        "Nguyễn Thị Hoà",
        "NGƯỜI THỰC HIỆN CHỨNG THỰC",
    ] {
        assert!(printed.contains(needle), "{needle}:\n{printed}");
    }
    let res = p
        .get(&path)
        .bearer_auth(&token)
        .header("Accept", "application/pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = Pdf::new(&res.bytes().await.unwrap());
    let flat = pdf.flat();
    for needle in [
        "Chứng thực bản sao này đúng với bản chính.",
        "Quyển số: 01/2026-SCT/BS.",
        "Nguyễn Thị Hoà",
        "Bằng tốt nghiệp THPT",
    ] {
        assert!(flat.contains(needle), "{needle}:\n{flat}");
    }
}

/// The client's calls (`src/client/certifications.rs`) against the real portal: an entry
/// and its retry under one key, the book searched without accents, the certificate as
/// text and PDF, and a refusal as a `ClientError` naming the field.
#[tokio::test]
async fn the_client_certifies_searches_and_prints() {
    use motcua::api::certifications::{
        CertificationApplicant, CertificationQuery, Kind, NamedApplicant, NewCertification,
    };
    use motcua::client::{ClientError, PortalClient};
    let p = portal_at("2026-06-01T09:00:00+07:00").await;
    let c = PortalClient::builder(&p.base).build().unwrap();
    c.login("tiepnhan1", DEMO_PASSWORD).await.unwrap();
    let body = NewCertification {
        kind: Kind::Copy,
        act: None,
        applicant: CertificationApplicant::Named(NamedApplicant {
            full_name: "Nguyễn Thị Hoà".into(),
            id_number: "083095001234".into(),
        }),
        document_name: "Bằng tốt nghiệp THPT".into(),
        pages: Some(5),
        copies: Some(3),
        note: None,
        fee_order: None,
    };
    let key = format!("\"{}\"", uuid::Uuid::new_v4());
    let entry = c.certify(&key, &body).await.unwrap();
    assert_eq!(
        (entry.number, entry.fee, entry.book.as_str()),
        (1, 21_000, "01/2026-SCT/BS")
    );
    assert_eq!(c.certify(&key, &body).await.unwrap(), entry);
    let page = c
        .certifications(&CertificationQuery {
            q: Some("nguyen hoa".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].id, entry.id);
    let text = c.certificate(&entry.id).await.unwrap();
    assert!(
        text.contains("Số chứng thực: 1. Quyển số: 01/2026-SCT/BS."),
        "{text}"
    );
    let pdf = c.certificate_pdf(&entry.id).await.unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    assert_eq!(pdf.filename.as_deref(), Some("chung-thuc-copy-2026-1.pdf"));
    let refused = c
        .certify(
            &format!("\"{}\"", uuid::Uuid::new_v4()),
            &NewCertification {
                pages: Some(0),
                ..body
            },
        )
        .await
        .unwrap_err();
    match refused {
        ClientError::Api { status, fields, .. } => {
            assert_eq!(status, 422);
            assert!(fields.contains_key("pages"), "{fields:?}");
        }
        other => panic!("{other:?}"),
    }
}
