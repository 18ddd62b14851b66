//! Printable forms (both sets: Mẫu 01–05 of 01/2018, 01–06 of 03/2025), as text and as
//! PDF read back with poppler, and office statistics, over real HTTP.

mod common;

use chrono::DateTime;
use common::pdf::Pdf;
use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use reqwest::header;
use serde_json::{Value, json};

fn at(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

/// The officials of office `n`: (desk, specialist, leader). Sessions go idle when a test
/// moves the clock by days, so tests log in again after each move.
async fn staff(p: &Portal, n: i64) -> (String, String, String) {
    (
        p.login(&format!("tiepnhan{n}"), DEMO_PASSWORD).await,
        p.login(&format!("chuyenvien{n}"), DEMO_PASSWORD).await,
        p.login(&format!("lanhdao{n}"), DEMO_PASSWORD).await,
    )
}

/// A desk submission of `procedure` for office 1's first demo citizen.
async fn submit(p: &Portal, desk: &str, procedure: &str) -> Value {
    let (citizen, _) = p.citizen_of(1).await;
    let (status, d) = p
        .create_dossier(desk, &p.submission(procedure, &citizen).await)
        .await;
    assert_eq!(status, 201, "{d}");
    d
}

/// GETs a form: (status, content type, body text).
async fn form(p: &Portal, token: &str, code: &str, form: &str) -> (u16, String, String) {
    form_with(p, token, code, form, &[]).await
}

async fn form_with(
    p: &Portal,
    token: &str,
    code: &str,
    form: &str,
    headers: &[(&str, &str)],
) -> (u16, String, String) {
    let mut req = p
        .get(&format!("/dossiers/{code}/forms/{form}"))
        .bearer_auth(token);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, kind, res.text().await.unwrap())
}

/// A form that must print: 200, plain text, no line wider than an A5 line.
async fn printed(p: &Portal, token: &str, code: &str, name: &str) -> String {
    let (status, kind, text) = form(p, token, code, name).await;
    assert_eq!(status, 200, "{name}: {text}");
    assert_eq!(kind, "text/plain; charset=utf-8");
    for line in text.lines().filter(|l| *l != "\u{c}") {
        assert!(line.chars().count() <= 64, "{name}: {line:?}");
    }
    text
}

/// The words of the text in reading order, without table rules or indents, so that a
/// wrapped value can be found whole.
fn flat(text: &str) -> String {
    text.replace('|', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of column `n` of the text's tables, top to bottom.
fn column(text: &str, n: usize) -> String {
    text.lines()
        .filter(|l| l.starts_with('|'))
        .filter_map(|l| l.split('|').nth(n))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

async fn not_applicable(p: &Portal, token: &str, code: &str, name: &str) {
    let (status, _, body) = form(p, token, code, name).await;
    let e: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("form_not_applicable")),
        "{name}: {body}"
    );
    assert!(
        e["error"]["message"].as_str().unwrap().contains("Mẫu số"),
        "Vietnamese by default: {e}"
    );
    let (status, _, body) = form_with(p, token, code, name, &[("Accept-Language", "en")]).await;
    let e: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(status, 409);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Form 0"),
        "{e}"
    );
}

#[tokio::test]
async fn the_receipt_is_ready_right_after_a_desk_submission() {
    let p = Portal::demo().await;
    p.running
        .state
        .clock
        .stop_at(at("2026-03-06T09:00:00+07:00"));
    let (desk, specialist, _) = staff(&p, 1).await;
    // Contract certification: 2 working days, so due Tuesday 10 March at 09:00.
    let d = submit(&p, &desk, "2.001035").await;
    let code = d["code"].as_str().unwrap();
    let text = printed(&p, &desk, code, "receipt").await;
    let all = flat(&text);
    for needle in [
        code,
        d["applicant"]["full_name"].as_str().unwrap(),
        d["applicant"]["phone"].as_str().unwrap(),
        d["procedure"]["name"].as_str().unwrap(),
        "Mẫu số 01",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND PHƯỜNG AN HỘI",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 06/03/2026",
        "Thời gian hẹn trả kết quả: 09 giờ 00 phút, ngày 10/03/2026",
        "Người Nộp Thử",
        "50.000 đ (chưa nộp)",
    ] {
        assert!(all.contains(needle), "{needle:?} in\n{text}");
    }
    let names = column(&text, 2);
    let documents = d["documents"].as_array().unwrap();
    assert!(!documents.is_empty());
    for doc in documents {
        let name = flat(doc["name"].as_str().unwrap());
        assert!(names.contains(&name), "{name:?} in\n{text}");
    }
    // Both copies, each on its own sheet.
    let copies: Vec<&str> = text.split('\u{c}').collect();
    assert_eq!(copies.len(), 2);
    assert!(copies[0].contains("Liên 1: Lưu") && copies[1].contains("Liên 2: Giao người nộp"));
    assert!(copies[1].contains(code));

    // Any official of the office may print; a type this route does not make gets the text.
    let (status, kind, again) = form_with(
        &p,
        &specialist,
        code,
        "receipt",
        &[("Accept", "application/json")],
    )
    .await;
    assert_eq!((status, kind.as_str()), (200, "text/plain; charset=utf-8"));
    assert_eq!(again, text, "the same dossier prints the same");

    // The control sheet starts with the reception; the other forms do not apply yet.
    let sheet = printed(&p, &desk, code, "control_sheet").await;
    assert!(sheet.contains("| 1  | Giao:"), "{sheet}");
    for name in ["supplement", "refusal", "apology"] {
        not_applicable(&p, &desk, code, name).await;
    }
}

#[tokio::test]
async fn a_same_day_receipt_says_so() {
    let p = Portal::demo().await;
    p.running
        .state
        .clock
        .stop_at(at("2026-03-06T09:00:00+07:00"));
    let (desk, _, _) = staff(&p, 1).await;
    // Birth registration on time: same day.
    let d = submit(&p, &desk, "1.001193").await;
    let text = printed(&p, &desk, d["code"].as_str().unwrap(), "receipt").await;
    assert!(
        flat(&text)
            .contains("giải quyết trong ngày, trả chậm nhất 17 giờ 00 phút, ngày 06/03/2026"),
        "{text}"
    );
}

#[tokio::test]
async fn the_supplement_request_lists_the_missing_documents_and_the_reason() {
    let p = Portal::demo().await;
    let (desk, _, _) = staff(&p, 1).await;
    let d = submit(&p, &desk, "1.004873").await;
    let code = d["code"].as_str().unwrap();
    not_applicable(&p, &desk, code, "supplement").await;
    let missing = [
        "Bản án, quyết định ly hôn đã có hiệu lực pháp luật",
        "Giấy xác nhận tình trạng hôn nhân đã cấp trước đây",
    ];
    let (s, after) = p
        .act(
            &desk,
            code,
            1,
            json!({"action": "request_supplement", "reason": "Người yêu cầu đã từng kết hôn", "missing_documents": missing}),
        )
        .await;
    assert_eq!(s, 200, "{after}");
    let text = printed(&p, &desk, code, "supplement").await;
    let all = flat(&text);
    assert!(all.contains("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"));
    assert!(all.contains("Mẫu số 02"));
    for doc in missing {
        assert!(all.contains(doc), "{doc:?} in\n{text}");
    }
    assert!(
        all.contains("Lý do: Người yêu cầu đã từng kết hôn"),
        "{text}"
    );
    // The contact: the office's telephone number and the officer who asked.
    assert!(all.contains("02753822101"), "{text}");
    assert!(all.contains("Nguyễn Thị Kim Thoa"), "{text}");
}

#[tokio::test]
async fn the_refusal_gives_the_reason() {
    let p = Portal::demo().await;
    let (desk, _, _) = staff(&p, 1).await;
    let d = submit(&p, &desk, "1.004873").await;
    let code = d["code"].as_str().unwrap();
    not_applicable(&p, &desk, code, "refusal").await;
    let reason = "Không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường";
    let (s, _) = p
        .act(
            &desk,
            code,
            1,
            json!({"action": "refuse", "reason": reason}),
        )
        .await;
    assert_eq!(s, 200);
    let text = printed(&p, &desk, code, "refusal").await;
    let all = flat(&text);
    assert!(all.contains("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"));
    assert!(all.contains(&format!("Lý do: {reason}")), "{text}");
    assert!(all.contains(code));
}

#[tokio::test]
async fn the_apology_has_the_old_due_the_reason_and_the_new_due() {
    let p = Portal::demo().await;
    p.running
        .state
        .clock
        .stop_at(at("2026-03-02T08:00:00+07:00")); // Monday
    let (desk, _, leader) = staff(&p, 1).await;
    // Permanent residence: 7 working days, due Wednesday 11 March.
    let d = submit(&p, &desk, "1.004222").await;
    let code = d["code"].as_str().unwrap();
    assert_eq!(d["due_at"], "2026-03-11T08:00:00+07:00");
    p.act(&desk, code, 1, json!({"action": "forward"})).await;
    not_applicable(&p, &desk, code, "apology").await;
    let (s, e) = p
        .act(
            &leader,
            code,
            2,
            json!({"action": "extend", "reason": "Cần xác minh nơi cư trú tại địa phương khác", "new_due_at": "2026-03-18T08:00:00+07:00"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let text = printed(&p, &desk, code, "apology").await;
    let all = flat(&text);
    for needle in [
        "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "Thời gian hẹn trả kết quả: 08 giờ 00 phút, ngày 11/03/2026",
        "Lý do: Cần xác minh nơi cư trú tại địa phương khác",
        "Thời gian hẹn trả mới: 08 giờ 00 phút, ngày 18/03/2026",
        "xin lỗi",
    ] {
        assert!(all.contains(needle), "{needle:?} in\n{text}");
    }
    // The old due is kept on the extension's audit row, not lost with `dossiers.due_at`.
    let (before, after): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT due_before, due_after FROM audit WHERE dossier_code = $1 AND detail = 'extend'",
    )
    .bind(code)
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    assert_eq!(before.as_deref(), Some("2026-03-11T08:00:00+07:00"));
    assert_eq!(after.as_deref(), Some("2026-03-18T08:00:00+07:00"));
}

#[tokio::test]
async fn the_control_sheet_lists_every_step() {
    let p = Portal::demo().await;
    p.running
        .state
        .clock
        .stop_at(at("2026-03-09T08:00:00+07:00"));
    let (desk, specialist, leader) = staff(&p, 1).await;
    let d = submit(&p, &desk, "1.004873").await;
    let code = d["code"].as_str().unwrap();
    p.act(
        &desk,
        code,
        1,
        json!({"action": "forward", "assignee": "chuyenvien1"}),
    )
    .await;
    p.act(
        &specialist,
        code,
        2,
        json!({"action": "propose_result", "result": "approved", "summary": "Đủ điều kiện"}),
    )
    .await;
    p.act(&leader, code, 3, json!({"action": "approve"})).await;
    let (s, e) = p
        .act(
            &desk,
            code,
            4,
            json!({"action": "return_result", "delivery": "in_person", "handover": common::authorized_receiver("Chính chủ")}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let text = printed(&p, &desk, code, "control_sheet").await;
    assert!(flat(&text).contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"));
    for n in 1..=5 {
        assert!(text.contains(&format!("| {n}  | Giao:")), "row {n}\n{text}");
    }
    assert!(!text.contains("| 6  |"));
    let cells = column(&text, 2);
    for needle in [
        "Ghi chú: Tiếp nhận hồ sơ",
        "Ghi chú: Chuyển xử lý",
        "Ghi chú: Trình kết quả",
        "Ghi chú: Phê duyệt",
        "Ghi chú: Trả kết quả",
        "Nhận: Chuyên viên xử lý (chuyenvien1)",
        "Nhận: Người nhận (Chính chủ)",
    ] {
        assert!(cells.contains(needle), "{needle:?} in\n{text}");
    }
    // Everything happened the same morning, days before the due.
    assert!(column(&text, 4).contains("Trước hạn"), "{text}");
    assert!(!column(&text, 4).contains("Quá hạn"), "{text}");
}

#[tokio::test]
async fn unknown_forms_and_other_offices_are_not_found() {
    let p = Portal::demo().await;
    let (desk, _, _) = staff(&p, 1).await;
    let d = submit(&p, &desk, "1.004873").await;
    let code = d["code"].as_str().unwrap();
    let (status, _, _) = form(&p, &desk, code, "register").await;
    assert_eq!(status, 404);
    let (status, _, _) = form(&p, &desk, "000.01.27.H07-260101-9999", "receipt").await;
    assert_eq!(status, 404);
    let other = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let (status, _, body) = form(&p, &other, code, "receipt").await;
    assert_eq!(status, 404, "{body}");
    assert!(!body.contains(code), "nothing of the dossier leaks");
    let (status, _, _) = form(&p, "not-a-token", code, "receipt").await;
    assert_eq!(status, 401);
}

async fn stats(p: &Portal, token: &str) -> (u16, Value) {
    status_json(p.get("/stats").bearer_auth(token).send().await.unwrap()).await
}

#[tokio::test]
async fn stats_count_queues_overdue_and_punctuality() {
    let p = Portal::demo().await;
    let clock = p.running.state.clock.clone();
    // Marital status certificate: 3 working days, free (returnable without payment).
    let proc = "1.004873";
    let to_result_ready = |code: String, v: i64, tokens: (String, String, String)| {
        let p = &p;
        async move {
            let (desk, specialist, leader) = tokens;
            p.act(&desk, &code, v, json!({"action": "forward"})).await;
            p.act(
                &specialist,
                &code,
                v + 1,
                json!({"action": "propose_result", "result": "approved", "summary": "Đủ điều kiện"}),
            )
            .await;
            let (s, e) = p
                .act(&leader, &code, v + 2, json!({"action": "approve"}))
                .await;
            assert_eq!(s, 200, "{e}");
        }
    };
    let return_result = |code: String, v: i64, desk: String| {
        let p = &p;
        async move {
            let (s, d) = p
                .act(
                    &desk,
                    &code,
                    v,
                    json!({"action": "return_result", "delivery": "in_person", "handover": common::authorized_receiver("Chính chủ")}),
                )
                .await;
            assert_eq!(s, 200, "{d}");
            d["timeliness"].as_str().unwrap().to_owned()
        }
    };
    let code = |d: &Value| d["code"].as_str().unwrap().to_owned();

    // Monday: A stays received; E and F reach result_ready. All due Thursday 08:00.
    clock.stop_at(at("2026-03-02T08:00:00+07:00"));
    let tokens = staff(&p, 1).await;
    let (_, empty) = stats(&p, &tokens.0).await;
    assert_eq!(empty["queues"]["all"], 0);
    let a = submit(&p, &tokens.0, proc).await;
    assert_eq!(a["due_at"], "2026-03-05T08:00:00+07:00");
    let e = submit(&p, &tokens.0, proc).await;
    let f = submit(&p, &tokens.0, proc).await;
    to_result_ready(code(&e), 1, tokens.clone()).await;
    to_result_ready(code(&f), 1, tokens.clone()).await;

    // Wednesday: B in progress, C returned early, D refused.
    clock.stop_at(at("2026-03-04T08:00:00+07:00"));
    let tokens = staff(&p, 1).await;
    let b = submit(&p, &tokens.0, proc).await;
    p.act(&tokens.0, &code(&b), 1, json!({"action": "forward"}))
        .await;
    let c = submit(&p, &tokens.0, proc).await;
    to_result_ready(code(&c), 1, tokens.clone()).await;
    assert_eq!(return_result(code(&c), 4, tokens.0.clone()).await, "early");
    let d = submit(&p, &tokens.0, proc).await;
    p.act(
        &tokens.0,
        &code(&d),
        1,
        json!({"action": "refuse", "reason": "Hồ sơ không hợp lệ"}),
    )
    .await;

    // Thursday 07:30, before the due: F is returned on time.
    clock.stop_at(at("2026-03-05T07:30:00+07:00"));
    let tokens = staff(&p, 1).await;
    assert_eq!(
        return_result(code(&f), 4, tokens.0.clone()).await,
        "on_time"
    );

    // Thursday 09:00: A and E are past their due; E is returned late.
    clock.stop_at(at("2026-03-05T09:00:00+07:00"));
    let tokens = staff(&p, 1).await;
    let (status, before) = stats(&p, &tokens.1).await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(
        before["queues"]["overdue"], 2,
        "A received, E awaiting return"
    );
    assert_eq!(return_result(code(&e), 4, tokens.0.clone()).await, "late");

    let (status, s) = stats(&p, &tokens.2).await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(
        s["queues"],
        json!({
            "online_pending": 0,
            "received": 1,
            "in_progress": 1,
            "supplement": 0,
            "awaiting_payment": 0,
            "result_ready": 0,
            "returned": 3,
            "closed": 1,
            "overdue": 1,
            "all": 6
        })
    );
    assert_eq!(s["returned"], json!({"early": 1, "on_time": 1, "late": 1}));
    assert_eq!(s["at"], "2026-03-05T09:00:00+07:00");

    // Another office counts only its own; citizens have no statistics.
    let other = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let (_, theirs) = stats(&p, &other).await;
    assert_eq!(theirs["queues"]["all"], 0);
    assert_eq!(theirs["returned"]["early"], 0);
    let (citizen, _) = p.citizen_of(1).await;
    let id: String = sqlx::query_scalar("SELECT id_number FROM citizens WHERE public_id = $1")
        .bind(citizen)
        .fetch_one(&p.running.state.db)
        .await
        .unwrap();
    let citizen_token = p.login(&id, DEMO_PASSWORD).await;
    let (status, _) = stats(&p, &citizen_token).await;
    assert_eq!(status, 403);
}

// ---------------------------------------------------------------------------------------
// PDF

/// GETs a form as PDF: (status, content type, `Form-Set`, body).
async fn pdf_form(
    p: &Portal,
    token: &str,
    code: &str,
    form: &str,
) -> (u16, String, String, Vec<u8>) {
    let res = p
        .get(&format!("/dossiers/{code}/forms/{form}"))
        .bearer_auth(token)
        .header("Accept", "application/pdf")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (kind, set) = (header("content-type"), header("form-set"));
    (status, kind, set, res.bytes().await.unwrap().to_vec())
}

/// `DD/MM/YYYY` of an RFC 3339 time.
fn ddmmyyyy(t: &Value) -> String {
    at(t.as_str().unwrap()).format("%d/%m/%Y").to_string()
}

/// Every form of a set, on dossiers taken to where each applies, as PDF: the code, the
/// applicant's name with its diacritics, the procedure, the due date, the form's number
/// and circular are in the text poppler extracts; every font is embedded; the page is A4.
async fn every_form_of_a_set(received: &str, set: &str, numbers: &[(&str, Option<&str>)]) {
    let p = Portal::demo().await;
    p.running.state.clock.stop_at(at(received));
    let (desk, _, leader) = staff(&p, 1).await;
    // Permanent residence: 7 working days, long enough to extend.
    let procedure = "1.004222";
    let mut dossiers = Vec::new();
    for (form, _) in numbers {
        let d = submit(&p, &desk, procedure).await;
        let code = d["code"].as_str().unwrap().to_owned();
        let mut version = 1;
        let mut act = |token: String, body: Value| {
            let (p, code) = (&p, code.clone());
            let v = version;
            version += 1;
            async move {
                let (s, e) = p.act(&token, &code, v, body).await;
                assert_eq!(s, 200, "{e}");
            }
        };
        match *form {
            "supplement" => {
                act(desk.clone(), json!({"action": "request_supplement", "reason": "Thiếu giấy tờ", "missing_documents": ["Sổ hộ khẩu gốc"]})).await
            }
            "refusal" => act(desk.clone(), json!({"action": "refuse", "reason": "Không thuộc thẩm quyền"})).await,
            "apology" | "stop_notice" => {
                act(desk.clone(), json!({"action": "forward"})).await;
                if *form == "apology" {
                    let later = (at(d["due_at"].as_str().unwrap()) + chrono::Days::new(7)).to_rfc3339();
                    act(leader.clone(), json!({"action": "extend", "reason": "Cần xác minh thêm", "new_due_at": later})).await;
                } else {
                    act(leader.clone(), json!({"action": "stop", "reason": "Công dân đề nghị dừng giải quyết"})).await;
                }
            }
            _ => {}
        }
        dossiers.push(d);
    }
    let (_, name) = p.citizen_of(1).await;
    assert!(!name.is_ascii(), "a name with diacritics: {name}");
    for ((form, number), d) in numbers.iter().zip(&dossiers) {
        let code = d["code"].as_str().unwrap();
        let (status, kind, form_set, body) = pdf_form(&p, &desk, code, form).await;
        let Some(number) = number else {
            let e: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(
                (status, e["error"]["code"].as_str()),
                (409, Some("form_not_applicable")),
                "{form}: {e}"
            );
            continue;
        };
        assert_eq!((status, kind.as_str()), (200, "application/pdf"), "{form}");
        assert_eq!(form_set, set, "{form}");
        if let Some(dir) = std::env::var_os("MOTCUA_KEEP_PDF") {
            std::fs::write(
                std::path::Path::new(&dir).join(format!("{}-{form}.pdf", &set[..2])),
                &body,
            )
            .unwrap();
        }
        let pdf = Pdf::new(&body);
        let pages = pdf.assert_a4_with_embedded_fonts(false);
        if *form == "receipt" {
            assert_eq!(pages, 2, "two copies");
        }
        let text = pdf.flat();
        for needle in [
            code,
            name.as_str(),
            d["procedure"]["name"].as_str().unwrap(),
            &ddmmyyyy(&d["due_at"]),
            &format!("Mẫu số {number} - Thông tư {set}"),
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "UBND PHƯỜNG AN HỘI",
        ] {
            assert!(text.contains(needle), "{form}: {needle:?} in\n{text}");
        }
        assert!(
            !text.contains('\u{fffd}'),
            "{form}: a character drawn as unknown"
        );
        // The text is extracted as composed (NFC) Vietnamese.
        assert_eq!(
            motcua::domain::text::nfc(&text),
            text,
            "{form}: the extracted text is NFC"
        );
    }
}

#[tokio::test]
async fn every_form_of_the_2018_set_prints_as_an_a4_pdf() {
    every_form_of_a_set(
        "2025-09-10T09:00:00+07:00",
        "01/2018/TT-VPCP",
        &[
            ("receipt", Some("01")),
            ("supplement", Some("02")),
            ("refusal", Some("03")),
            ("apology", Some("04")),
            ("control_sheet", Some("05")),
            ("stop_notice", None),
        ],
    )
    .await;
}

#[tokio::test]
async fn every_form_of_the_2025_set_prints_as_an_a4_pdf() {
    every_form_of_a_set(
        "2026-03-04T09:00:00+07:00",
        "03/2025/TT-VPCP",
        &[
            ("receipt", Some("01")),
            ("supplement", Some("02")),
            ("refusal", Some("03")),
            ("apology", Some("04")),
            ("stop_notice", Some("05")),
            ("control_sheet", Some("06")),
        ],
    )
    .await;
}

/// An apology for a dossier extended after being received on `day` at 10:00.
async fn apology_of_a_dossier_received(p: &Portal, day: &str) -> (String, String, String) {
    p.running
        .state
        .clock
        .stop_at(at(&format!("{day}T10:00:00+07:00")));
    let (desk, _, leader) = staff(p, 1).await;
    let d = submit(p, &desk, "1.004222").await;
    let code = d["code"].as_str().unwrap().to_owned();
    assert!(d["received_at"].as_str().unwrap().starts_with(day), "{d}");
    p.act(&desk, &code, 1, json!({"action": "forward"})).await;
    let later = (at(d["due_at"].as_str().unwrap()) + chrono::Days::new(5)).to_rfc3339();
    let (s, e) = p
        .act(
            &leader,
            &code,
            2,
            json!({"action": "extend", "reason": "Chờ kết quả xác minh", "new_due_at": later}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (status, _, set, body) = pdf_form(p, &desk, &code, "apology").await;
    assert_eq!(status, 200);
    (code, set, Pdf::new(&body).flat())
}

#[tokio::test]
async fn the_set_is_the_one_in_force_on_the_day_received() {
    let p = Portal::demo().await;
    // The last day of Circular 01/2018's forms (a Sunday: the desk may still take a dossier).
    let (_, set, text) = apology_of_a_dossier_received(&p, "2025-09-14").await;
    assert_eq!(set, "01/2018/TT-VPCP");
    assert!(
        text.contains("Mẫu số 04 - Thông tư 01/2018/TT-VPCP"),
        "{text}"
    );
    assert!(
        text.contains("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
        "{text}"
    );
    assert!(text.contains("BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"), "{text}");
    // The first day of Circular 03/2025's.
    let (code, set, text) = apology_of_a_dossier_received(&p, "2025-09-15").await;
    assert_eq!(set, "03/2025/TT-VPCP");
    assert!(
        text.contains("Mẫu số 04 - Thông tư 03/2025/TT-VPCP"),
        "{text}"
    );
    assert!(
        text.contains("PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"),
        "{text}"
    );
    assert!(!text.contains("01/2018"), "{text}");
    // The text form says the same, and names its set too.
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let res = p
        .get(&format!("/dossiers/{code}/forms/apology"))
        .bearer_auth(&desk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["form-set"], "03/2025/TT-VPCP");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Mẫu số 04 - Thông tư 03/2025/TT-VPCP")
    );
}

#[tokio::test]
async fn the_receipt_carries_a_qr_code_of_the_lookup_on_each_copy() {
    // A province's own lookup page.
    let settings = Settings {
        lookup_url: Some("https://dichvucong.example.gov.vn/tra-cuu?ma={code}".into()),
        ..Settings::default()
    };
    let p = Portal::with(settings, Seed::Accounts).await;
    let (desk, _, _) = staff(&p, 1).await;
    let d = submit(&p, &desk, "1.004873").await;
    let code = d["code"].as_str().unwrap();
    let (_, _, _, body) = pdf_form(&p, &desk, code, "receipt").await;
    let pdf = Pdf::new(&body);
    let url = format!("https://dichvucong.example.gov.vn/tra-cuu?ma={code}");
    for page in 1..=2 {
        assert_eq!(pdf.qr_codes(page), vec![url.clone()], "page {page}");
    }
    assert!(pdf.flat().contains("Liên 2: Giao người nộp"));

    // By default: this portal's public lookup, which answers with the applicant's number.
    let p = Portal::demo().await;
    let (desk, _, _) = staff(&p, 1).await;
    let d = submit(&p, &desk, "1.004873").await;
    let code = d["code"].as_str().unwrap();
    let (_, _, _, body) = pdf_form(&p, &desk, code, "receipt").await;
    let codes = Pdf::new(&body).qr_codes(1);
    assert_eq!(codes, [p.url(&format!("/public/dossiers/{code}"))]);
    let res = p
        .http
        .get(&codes[0])
        .query(&[("id_number", d["applicant"]["id_number"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the code leads to the dossier");
}

#[tokio::test]
async fn a_pdf_form_is_refused_like_the_text() {
    let p = Portal::demo().await;
    let (desk, _, _) = staff(&p, 1).await;
    let d = submit(&p, &desk, "1.004873").await;
    let code = d["code"].as_str().unwrap();
    // Not yet applicable, in PDF as in text: the error body is JSON.
    let (status, kind, _, body) = pdf_form(&p, &desk, code, "stop_notice").await;
    assert_eq!(status, 409);
    assert!(kind.starts_with("application/json"), "{kind}");
    let e: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(e["error"]["code"], "form_not_applicable");
    // Another office's dossier, a citizen, no token.
    let other = p.login("tiepnhan2", DEMO_PASSWORD).await;
    assert_eq!(pdf_form(&p, &other, code, "receipt").await.0, 404);
    let refused = p.audit_count("access_refused").await;
    let (citizen, _) = p.citizen_of(1).await;
    let id: String = sqlx::query_scalar("SELECT id_number FROM citizens WHERE public_id = $1")
        .bind(citizen)
        .fetch_one(&p.running.state.db)
        .await
        .unwrap();
    let citizen_token = p.login(&id, DEMO_PASSWORD).await;
    assert_eq!(pdf_form(&p, &citizen_token, code, "receipt").await.0, 403);
    assert_eq!(p.audit_count("access_refused").await, refused + 1);
    assert_eq!(pdf_form(&p, "not-a-token", code, "receipt").await.0, 401);
}

/// Issue 14: a 3-working-day dossier received at 00:14 on Thursday 2026-12-03 starts at
/// Thursday's opening and lands on Tuesday's, 07:00 — the same working instant as the
/// close of Monday, which is what it is given as: the dossier's `due_at`, `GET
/// /calendar/due` and the printed receipt all say Monday 07/12 17:00.
#[tokio::test]
async fn a_due_time_on_the_opening_reads_as_the_previous_close_everywhere() {
    let p = Portal::demo().await;
    p.running
        .state
        .clock
        .stop_at(at("2026-12-03T00:14:00+07:00"));
    let (desk, _, _) = staff(&p, 1).await;
    // Temporary residence: 3 working days at the desk.
    let d = submit(&p, &desk, "1.004194").await;
    assert_eq!(d["due_at"], "2026-12-07T17:00:00+07:00", "{d}");
    let res = p
        .get("/calendar/due")
        .query(&[
            ("from", "2026-12-03T00:14:00+07:00"),
            ("amount", "3"),
            ("unit", "working_days"),
        ])
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["due"], d["due_at"]);
    let text = printed(&p, &desk, d["code"].as_str().unwrap(), "receipt").await;
    let all = flat(&text);
    let due = "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 07/12/2026";
    assert!(all.contains(due), "{due:?} in\n{text}");
    assert!(!all.contains("08/12/2026"), "{text}");
}
