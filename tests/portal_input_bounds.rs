//! Bounds on every input, over real HTTP: no text field of any request takes a control
//! character (nor a bidirectional override), every text field has a maximum that the
//! portal enforces exactly where the OpenAPI document says (the maximum accepted, one
//! more refused), lists have a maximum count, searches a maximum of words, amounts a
//! maximum. Each refusal is 422 `validation_failed` naming the field.
//!
//! The tables below list every (route, field) a client can send; `tests/openapi.rs`
//! checks that the document gives each of them a maximum and that the portal's tables
//! (`api::limits::Bounded`) say the same.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use hmac::{Hmac, Mac};
use motcua::api::limits;
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::{Value, json};
use sha2::Sha256;

const SECRET: &str = "input-bounds-test-secret";

/// Who sends a request.
#[derive(Debug, Clone, Copy)]
enum Who {
    Nobody,
    Desk,
    Citizen,
    Gateway,
}

/// A route that takes a JSON body, and a body every field of which is present.
struct Route {
    path: &'static str,
    who: Who,
    body: fn() -> Value,
}

const LOGIN: Route = Route {
    path: "/auth/login",
    who: Who::Nobody,
    body: || json!({"username": "tiepnhan1", "password": "x"}),
};
const PASSWORD_CHANGE: Route = Route {
    path: "/auth/password",
    who: Who::Desk,
    body: || json!({"current_password": "x", "new_password": "y"}),
};
const NEW_CITIZEN: Route = Route {
    path: "/citizens",
    who: Who::Desk,
    body: || {
        json!({"id_number": "079090001234", "full_name": "Nguyễn Văn A",
               "date_of_birth": "1990-07-02", "gender": "male", "phone": "0912345678",
               "email": "a@b.vn", "address": "1 Lê Lợi", "legacy_id_number": "123456789"})
    },
};
const ACTIVATE: Route = Route {
    path: "/citizen/activate",
    who: Who::Nobody,
    body: || json!({"id_number": "079090001234", "code": "ABCD-EFGH", "new_password": "x"}),
};
const NEW_DOSSIER: Route = Route {
    path: "/dossiers",
    who: Who::Desk,
    body: || {
        json!({"procedure_code": "1.001193", "case_id": "c1", "applicant": {"citizen_id": 1},
               "submitter": {"full_name": "Người Nộp", "id_number": "079090001234",
                             "relation": "authorized", "authorization_doc": "Giấy ủy quyền"},
               "documents": [{"part_id": "p1", "originals": 1, "upload_id": "u1"}],
               "delivery": {"method": "post", "address": "1 Lê Lợi"},
               "declaration_accepted": true, "note": "ghi chú"})
    },
};
const ACTION: Route = Route {
    path: "/dossiers/000.01.27.H07-260101-0001/actions",
    who: Who::Desk,
    body: || {
        json!({"action": "request_supplement", "reason": "lý do",
               "missing_documents": ["Tờ khai"], "assignee": "chuyenvien1", "amount": 1,
               "summary": "tóm tắt", "new_due_at": "2026-03-10T17:00:00+07:00",
               "recipient": "Người Nhận",
               "handover": {"receiver": {"full_name": "Người Nhận", "id_number": "079090001234",
                                         "relation": "authorized",
                                         "authorization_doc": "Giấy ủy quyền số 1"},
                            "originals_returned": ["Giấy chứng sinh"],
                            "result_documents": ["Giấy khai sinh"],
                            "postal_tracking": "EB123456789VN"}})
    },
};
const RATING: Route = Route {
    path: "/dossiers/000.01.27.H07-260101-0001/rating",
    who: Who::Desk,
    body: || json!({"level": "satisfied", "comment": "Cán bộ hướng dẫn tận tình"}),
};
const SUBMISSION: Route = Route {
    path: "/citizen/dossiers",
    who: Who::Citizen,
    body: || {
        json!({"office_code": "000.01.27.H07", "procedure_code": "1.001193", "case_id": "c1",
               "documents": [{"part_id": "p1", "upload_id": "u1"}],
               "delivery": {"method": "post", "address": "1 Lê Lợi"},
               "declaration_accepted": true, "note": "ghi chú"})
    },
};
const SUPPLEMENT: Route = Route {
    path: "/citizen/dossiers/000.01.27.H07-260101-0001/supplement",
    who: Who::Citizen,
    body: || json!({"documents": [{"part_id": "p1", "upload_id": "u1"}], "note": "ghi chú"}),
};
const CASH: Route = Route {
    path: "/dossiers/000.01.27.H07-260101-0001/payment/cash",
    who: Who::Desk,
    body: || json!({"amount": 1000, "receipt_no": "BL-1"}),
};
const NOTICE: Route = Route {
    path: "/payments/notify",
    who: Who::Gateway,
    body: || {
        json!({"transaction_id": "T1", "dossier_ref": "260101-0001", "amount": 1000,
               "paid_at": "2026-03-10T10:00:00+07:00", "bank_bin": "970415",
               "account": "113366668888"})
    },
};
const UPLOAD: Route = Route {
    path: "/uploads",
    who: Who::Desk,
    body: || {
        json!({"filename": "a.pdf", "size": 10, "sha256": "0".repeat(64),
               "content_type": "application/pdf"})
    },
};

/// Every text field of every body: (route, the field's concrete path, its maximum in
/// characters, whether line feeds are allowed). `None`: bounded elsewhere (the login
/// username, by the login throttle's change), its characters checked all the same.
fn texts() -> Vec<(&'static Route, &'static str, Option<usize>, bool)> {
    use limits::*;
    vec![
        (&LOGIN, "username", None, false),
        (&LOGIN, "password", Some(PASSWORD), false),
        (&PASSWORD_CHANGE, "current_password", Some(PASSWORD), false),
        (&PASSWORD_CHANGE, "new_password", Some(PASSWORD), false),
        (&NEW_CITIZEN, "id_number", Some(SHORT), false),
        (&NEW_CITIZEN, "full_name", Some(NAME), false),
        (&NEW_CITIZEN, "date_of_birth", Some(SHORT), false),
        (&NEW_CITIZEN, "phone", Some(SHORT), false),
        (&NEW_CITIZEN, "email", Some(EMAIL), false),
        (&NEW_CITIZEN, "address", Some(ADDRESS), false),
        (&NEW_CITIZEN, "legacy_id_number", Some(SHORT), false),
        (&ACTIVATE, "id_number", Some(SHORT), false),
        (&ACTIVATE, "code", Some(CODE), false),
        (&ACTIVATE, "new_password", Some(PASSWORD), false),
        (&NEW_DOSSIER, "procedure_code", Some(CODE), false),
        (&NEW_DOSSIER, "case_id", Some(CODE), false),
        (&NEW_DOSSIER, "submitter.full_name", Some(NAME), false),
        (&NEW_DOSSIER, "submitter.id_number", Some(SHORT), false),
        (
            &NEW_DOSSIER,
            "submitter.authorization_doc",
            Some(ADDRESS),
            false,
        ),
        (&NEW_DOSSIER, "documents[0].part_id", Some(CODE), false),
        (&NEW_DOSSIER, "documents[0].upload_id", Some(CODE), false),
        (&NEW_DOSSIER, "delivery.address", Some(ADDRESS), false),
        (&NEW_DOSSIER, "note", Some(NOTE), true),
        (&ACTION, "reason", Some(NOTE), true),
        (
            &ACTION,
            "missing_documents[0]",
            Some(MISSING_DOCUMENT),
            false,
        ),
        (&ACTION, "assignee", Some(CODE), false),
        (&ACTION, "summary", Some(NOTE), true),
        (&ACTION, "new_due_at", Some(CODE), false),
        (&ACTION, "recipient", Some(NAME), false),
        (&ACTION, "handover.receiver.full_name", Some(NAME), false),
        (&ACTION, "handover.receiver.id_number", Some(SHORT), false),
        (
            &ACTION,
            "handover.receiver.authorization_doc",
            Some(ADDRESS),
            false,
        ),
        (
            &ACTION,
            "handover.originals_returned[0]",
            Some(motcua::domain::results::HANDOVER_ITEM),
            false,
        ),
        (
            &ACTION,
            "handover.result_documents[0]",
            Some(motcua::domain::results::HANDOVER_ITEM),
            false,
        ),
        (&ACTION, "handover.postal_tracking", Some(CODE), false),
        (&RATING, "comment", Some(NOTE), true),
        (&SUBMISSION, "office_code", Some(CODE), false),
        (&SUBMISSION, "procedure_code", Some(CODE), false),
        (&SUBMISSION, "case_id", Some(CODE), false),
        (&SUBMISSION, "documents[0].part_id", Some(CODE), false),
        (&SUBMISSION, "documents[0].upload_id", Some(CODE), false),
        (&SUBMISSION, "delivery.address", Some(ADDRESS), false),
        (&SUBMISSION, "note", Some(NOTE), true),
        (&SUPPLEMENT, "documents[0].part_id", Some(CODE), false),
        (&SUPPLEMENT, "documents[0].upload_id", Some(CODE), false),
        (&SUPPLEMENT, "note", Some(NOTE), true),
        (&CASH, "receipt_no", Some(CODE), false),
        (&NOTICE, "transaction_id", Some(CODE), false),
        (&NOTICE, "dossier_ref", Some(CODE), false),
        (&NOTICE, "paid_at", Some(CODE), false),
        (&NOTICE, "bank_bin", Some(CODE), false),
        (&NOTICE, "account", Some(CODE), false),
        (&UPLOAD, "filename", Some(FILENAME), false),
        (&UPLOAD, "sha256", Some(CODE), false),
        (&UPLOAD, "content_type", Some(CODE), false),
    ]
}

/// Every searched or free-text query parameter: (route and query before it, parameter,
/// maximum, who asks).
fn query_texts() -> Vec<(&'static str, &'static str, usize, Who)> {
    use limits::*;
    vec![
        ("/dossiers?", "q", SEARCH, Who::Desk),
        ("/dossiers?", "procedure", CODE, Who::Desk),
        ("/dossiers?", "cursor", CURSOR, Who::Desk),
        ("/citizens?", "q", SEARCH, Who::Desk),
        ("/citizens?", "id_number", SHORT, Who::Desk),
        ("/citizens?", "cursor", CURSOR, Who::Desk),
        ("/procedures?", "q", SEARCH, Who::Nobody),
        ("/procedures?", "field", SEARCH, Who::Nobody),
        (
            "/calendar/due?amount=1&unit=days&",
            "from",
            CODE,
            Who::Nobody,
        ),
        (
            "/public/dossiers/000.01.27.H07-260101-0001?",
            "id_number",
            SHORT,
            Who::Nobody,
        ),
    ]
}

/// The characters a field may not carry: NUL, BEL, ESC, DEL, a C1 control (CSI), and a
/// right-to-left override. Tab and carriage return never; line feed outside notes.
const FORBIDDEN: [char; 8] = [
    '\0', '\u{7}', '\u{1b}', '\u{7f}', '\u{9b}', '\u{202E}', '\t', '\r',
];

struct Env {
    p: Portal,
    desk: String,
    citizen: String,
}

async fn env() -> Env {
    let settings = Settings {
        payment_secret: Some(SECRET.into()),
        ..Default::default()
    };
    let p = Portal::with(settings, Seed::Accounts).await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let number: String = sqlx::query_scalar(
        "SELECT c.id_number FROM citizens c JOIN offices o ON o.id = c.office_id \
         WHERE o.number = 1 ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    let citizen = p.login(&number, DEMO_PASSWORD).await;
    Env { p, desk, citizen }
}

fn sign(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

impl Env {
    fn token(&self, who: Who) -> Option<&str> {
        match who {
            Who::Desk => Some(&self.desk),
            Who::Citizen => Some(&self.citizen),
            Who::Nobody | Who::Gateway => None,
        }
    }

    /// POSTs a body as the route's sender would, with a fresh key and a version.
    async fn send(&self, route: &Route, body: &Value) -> (u16, Value) {
        let bytes = serde_json::to_vec(body).unwrap();
        let mut req = self
            .p
            .post(route.path)
            .header("Content-Type", "application/json")
            .header("Accept-Language", "en")
            .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
            .header("If-Match", "\"1\"");
        if let Some(token) = self.token(route.who) {
            req = req.bearer_auth(token);
        }
        if let Who::Gateway = route.who {
            req = req.header("X-Signature", sign(&bytes));
        }
        status_json(req.body(bytes).send().await.unwrap()).await
    }

    async fn get(&self, path: &str, who: Who) -> (u16, Value) {
        let mut req = self.p.get(path).header("Accept-Language", "en");
        if let Some(token) = self.token(who) {
            req = req.bearer_auth(token);
        }
        status_json(req.send().await.unwrap()).await
    }
}

/// The route's full body with the field at `path` set to `value`.
fn with(route: &Route, path: &str, value: Value) -> Value {
    let mut body = (route.body)();
    let pointer = format!("/{}", path.replace(['.', '['], "/").replace(']', ""));
    *body
        .pointer_mut(&pointer)
        .unwrap_or_else(|| panic!("{} has no {path}", route.path)) = value;
    body
}

/// The message of a field's error, when the answer is 422 `validation_failed` naming it.
fn field_error(status: u16, body: &Value, field: &str) -> Option<String> {
    (status == 422 && body["error"]["code"] == "validation_failed")
        .then(|| body["error"]["fields"][field].as_str().map(str::to_owned))
        .flatten()
}

fn refused_for_control(status: u16, body: &Value, field: &str) -> bool {
    field_error(status, body, field).is_some_and(|m| m.contains("control"))
}

fn refused_for_length(status: u16, body: &Value, field: &str) -> bool {
    field_error(status, body, field).is_some_and(|m| m.starts_with("Longer than"))
}

#[tokio::test]
async fn no_text_field_takes_a_control_character() {
    let e = env().await;
    let mut wrong = Vec::new();
    for (route, path, _, multiline) in texts() {
        for c in FORBIDDEN {
            let value = format!("Nguy{c}ễn");
            let (status, body) = e.send(route, &with(route, path, json!(value))).await;
            if !refused_for_control(status, &body, path) {
                wrong.push(format!("{} {path} {c:?}: {status} {body}", route.path));
            }
        }
        // A line feed: only where the field is documented as several lines.
        let (status, body) = e.send(route, &with(route, path, json!("a\nb"))).await;
        if refused_for_control(status, &body, path) == multiline {
            wrong.push(format!(
                "{} {path} line feed (multi-line: {multiline}): {status} {body}",
                route.path
            ));
        }
    }
    for (route, param, _, who) in query_texts() {
        for c in FORBIDDEN.iter().chain(['\n'].iter()) {
            let value = format!("nguyen{c}van");
            let url = format!("{route}{param}={}", urlencode(&value));
            let (status, body) = e.get(&url, who).await;
            if !refused_for_control(status, &body, param) {
                wrong.push(format!("GET {url}: {status} {body}"));
            }
        }
    }
    assert!(wrong.is_empty(), "accepted:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn every_text_field_has_its_maximum() {
    let e = env().await;
    let mut wrong = Vec::new();
    for (route, path, max, _) in texts() {
        let Some(max) = max else { continue };
        // A Vietnamese letter is one character whatever its bytes: the bound counts
        // characters.
        let (status, body) = e
            .send(route, &with(route, path, json!("ễ".repeat(max))))
            .await;
        if refused_for_length(status, &body, path) || status == 500 {
            wrong.push(format!("{} {path} at {max}: {status} {body}", route.path));
        }
        let (status, body) = e
            .send(route, &with(route, path, json!("ễ".repeat(max + 1))))
            .await;
        if !refused_for_length(status, &body, path) {
            wrong.push(format!(
                "{} {path} at {}: {status} {body}",
                route.path,
                max + 1
            ));
        }
    }
    for (route, param, max, who) in query_texts() {
        let at = |n: usize| format!("{route}{param}={}", "a".repeat(n));
        let (status, body) = e.get(&at(max), who).await;
        if refused_for_length(status, &body, param) || status == 500 {
            wrong.push(format!("GET {param} at {max}: {status} {body}"));
        }
        let (status, body) = e.get(&at(max + 1), who).await;
        if !refused_for_length(status, &body, param) {
            wrong.push(format!(
                "GET {route}{param} at {}: {status} {body}",
                max + 1
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// 200,000 characters, as the attack sent them: refused at once, not stored.
#[tokio::test]
async fn a_huge_value_is_refused_naming_its_field() {
    let e = env().await;
    let huge = "A".repeat(200_000);
    for (route, path, max, _) in texts() {
        if max.is_none() {
            continue;
        }
        let (status, body) = e.send(route, &with(route, path, json!(huge))).await;
        assert!(
            refused_for_length(status, &body, path),
            "{} {path}: {status} {body}",
            route.path
        );
    }
}

#[tokio::test]
async fn the_longest_texts_are_stored_whole() {
    let e = env().await;
    let p = &e.p;
    let (citizen, _) = p.citizen_of(1).await;
    let mut body = p.submission("1.001193", &citizen).await;
    body["submitter"]["full_name"] = json!("Ư".repeat(limits::NAME));
    let note = format!("{}\n{}", "ễ".repeat(999), "a".repeat(limits::NOTE - 1000));
    body["note"] = json!(note);
    let (status, d) = p.create_dossier(&e.desk, &body).await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["note"], json!(note), "a note keeps its line feed");
    assert_eq!(d["submitter"]["full_name"], json!("Ư".repeat(limits::NAME)));
}

/// The attack's 1,500-word search answered 500 ("Expression tree is too large").
#[tokio::test]
async fn a_search_of_too_many_words_is_refused_on_every_search() {
    let e = env().await;
    let words = |n: usize| vec!["a"; n].join("+");
    for (route, who) in [
        ("/dossiers?q=", Who::Desk),
        ("/citizens?q=", Who::Desk),
        ("/procedures?q=", Who::Nobody),
        ("/procedures?field=", Who::Nobody),
    ] {
        let (status, body) = e.get(&format!("{route}{}", words(1500)), who).await;
        assert_eq!(status, 422, "{route}: {body}");
        let param = route.trim_end_matches('=').rsplit('?').next().unwrap();
        assert!(body["error"]["fields"][param].is_string(), "{body}");
        let (status, body) = e
            .get(&format!("{route}{}", words(limits::SEARCH_WORDS)), who)
            .await;
        assert_eq!(status, 200, "{route} at the maximum: {body}");
        let (status, body) = e
            .get(&format!("{route}{}", words(limits::SEARCH_WORDS + 1)), who)
            .await;
        assert_eq!(status, 422, "{route} beyond the maximum: {body}");
        assert!(
            body["error"]["fields"][param]
                .as_str()
                .is_some_and(|m| m.contains("words")),
            "{body}"
        );
    }
}

/// Amounts beyond the largest answered 500 (a u64 beyond SQLite's integers) or 400.
#[tokio::test]
async fn an_amount_beyond_the_maximum_is_refused() {
    let e = env().await;
    let max = limits::MAX_AMOUNT;
    let huge: [Value; 5] = [
        json!(max + 1),
        serde_json::from_str("100000000000000000000").unwrap(),
        json!(i64::MAX as u64 + 1),
        json!(u64::MAX),
        json!(-(max as i64) - 1),
    ];
    for route in [&CASH, &NOTICE, &ACTION] {
        for amount in &huge {
            if route.path.ends_with("actions") && amount.as_i64().is_some_and(|a| a < 0) {
                continue; // an unsigned field: a negative amount is a malformed body
            }
            let (status, body) = e.send(route, &with(route, "amount", amount.clone())).await;
            assert!(
                field_error(status, &body, "amount").is_some(),
                "{} amount {amount}: {status} {body}",
                route.path
            );
        }
        let (status, body) = e.send(route, &with(route, "amount", json!(max))).await;
        assert!(
            field_error(status, &body, "amount").is_none_or(|m| !m.contains("beyond")),
            "{} amount {max}: {status} {body}",
            route.path
        );
    }
}

#[tokio::test]
async fn lists_have_a_maximum_count() {
    let e = env().await;
    let document = json!({"part_id": "p1", "upload_id": "u1"});
    for route in [&NEW_DOSSIER, &SUBMISSION, &SUPPLEMENT] {
        for (n, refused) in [(limits::DOCUMENTS, false), (limits::DOCUMENTS + 1, true)] {
            let body = with(route, "documents", json!(vec![document.clone(); n]));
            let (status, answer) = e.send(route, &body).await;
            let fault =
                field_error(status, &answer, "documents").is_some_and(|m| m.contains("more than"));
            assert_eq!(fault, refused, "{} {n}: {status} {answer}", route.path);
        }
    }
    for (n, refused) in [
        (limits::MISSING_DOCUMENTS, false),
        (limits::MISSING_DOCUMENTS + 1, true),
    ] {
        let body = with(&ACTION, "missing_documents", json!(vec!["Tờ khai"; n]));
        let (status, answer) = e.send(&ACTION, &body).await;
        let fault = field_error(status, &answer, "missing_documents")
            .is_some_and(|m| m.contains("more than"));
        assert_eq!(fault, refused, "{n}: {status} {answer}");
    }
}

/// What the attack did first: an online submission whose note carries an escape
/// sequence, which officials would have read in their terminals.
#[tokio::test]
async fn a_citizens_submission_with_an_escape_sequence_is_refused_whole() {
    let e = env().await;
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&e.p.running.state.db)
        .await
        .unwrap();
    let body = with(
        &SUBMISSION,
        "note",
        json!("\u{1b}]0;pwned\u{7}xin cảm ơn\u{1b}[2J"),
    );
    let (status, answer) = e.send(&SUBMISSION, &body).await;
    assert!(refused_for_control(status, &answer, "note"), "{answer}");
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&e.p.running.state.db)
        .await
        .unwrap();
    assert_eq!(before, after);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
