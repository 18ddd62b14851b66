//! Fees over real HTTP: the payment view with its VietQR, cash at the desk (idempotent,
//! moving a dossier that waits for payment), and the gateway's signed notices.

mod common;

use chrono::DateTime;
use common::{
    DEMO_PASSWORD, GATEWAY_SECRET as SECRET, Portal, notify, sign, signed_notice, status_json,
};
use motcua::domain::dossier_code::DossierCode;
use motcua::domain::vietqr;
use motcua::portal::state::Settings;
use serde_json::{Value, json};

/// Contract certification: 50,000 đ at the desk.
const FEE_BEARING: &str = "2.001035";
/// Birth registration: free.
const FREE: &str = "1.001193";

fn at(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

async fn desk(p: &Portal, n: i64) -> String {
    p.login(&format!("tiepnhan{n}"), DEMO_PASSWORD).await
}

/// A portal that takes gateway notices signed with [`SECRET`].
async fn with_gateway() -> Portal {
    let settings = Settings {
        payment_secret: Some(SECRET.into()),
        ..Default::default()
    };
    Portal::with(settings, motcua::portal::Seed::Accounts).await
}

/// A new desk dossier of `procedure` at office `n`; its code.
async fn dossier(p: &Portal, token: &str, n: i64, procedure: &str) -> String {
    let (citizen, _) = p.citizen_of(n).await;
    let (status, d) = p
        .create_dossier(token, &p.submission(procedure, &citizen).await)
        .await;
    assert_eq!(status, 201, "{d}");
    d["code"].as_str().unwrap().to_owned()
}

fn short(code: &str) -> String {
    DossierCode::parse(code).unwrap().short()
}

async fn payment(p: &Portal, token: &str, code: &str) -> (u16, Value) {
    let res = p
        .get(&format!("/dossiers/{code}/payment"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    status_json(res).await
}

async fn dossier_detail(p: &Portal, token: &str, code: &str) -> Value {
    let res = p
        .get(&format!("/dossiers/{code}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let (status, d) = status_json(res).await;
    assert_eq!(status, 200, "{d}");
    d
}

/// POSTs a cash payment; `key` None sends no Idempotency-Key.
async fn cash(
    p: &Portal,
    token: &str,
    code: &str,
    key: Option<&str>,
    body: Value,
    lang: &str,
) -> (u16, Value, bool) {
    let mut req = p
        .post(&format!("/dossiers/{code}/payment/cash"))
        .bearer_auth(token)
        .header("Accept-Language", lang)
        .json(&body);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", format!("\"{key}\""));
    }
    let res = req.send().await.unwrap();
    let replayed = res.headers().contains_key("idempotent-replayed");
    let (status, body) = status_json(res).await;
    (status, body, replayed)
}

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

async fn count(p: &Portal, sql: &str, code: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(code)
        .fetch_one(&p.running.state.db)
        .await
        .unwrap()
}

async fn payments_recorded(p: &Portal, code: &str) -> i64 {
    count(
        p,
        "SELECT COUNT(*) FROM audit WHERE event = 'payment_recorded' AND dossier_code = $1",
        code,
    )
    .await
}

async fn history_actions(p: &Portal, token: &str, code: &str) -> Vec<Value> {
    let res = p
        .get(&format!("/dossiers/{code}/history"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let (status, history) = status_json(res).await;
    assert_eq!(status, 200, "{history}");
    history.as_array().unwrap().clone()
}

#[tokio::test]
async fn the_payment_view_carries_a_vietqr_for_the_office_account() {
    let p = Portal::demo().await;
    let token = desk(&p, 1).await;
    let code = dossier(&p, &token, 1, FEE_BEARING).await;

    let (status, pay) = payment(&p, &token, &code).await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(pay["amount"], 50000);
    assert_eq!(pay["status"], "unpaid");
    assert_eq!(pay["paid_at"], Value::Null);
    assert_eq!(pay["reference"], short(&code));
    assert_eq!(pay["purpose"], format!("HS {}", short(&code)));
    assert_eq!(pay["bank_bin"], "970405");
    assert_eq!(pay["account"], "7300000000101");
    assert_eq!(pay["account_name"], "UBND PHUONG AN HOI");
    let qr = vietqr::parse(pay["vietqr"].as_str().unwrap()).unwrap();
    assert_eq!(qr.bank_bin, "970405");
    assert_eq!(qr.account, "7300000000101");
    assert_eq!(qr.amount, Some(50000));
    assert_eq!(qr.purpose, Some(format!("HS {}", short(&code))));
    assert!(qr.dynamic, "a QR with an amount is a one-time code");

    // Any staff of the office may look; a specialist too.
    let specialist = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let (status, _) = payment(&p, &specialist, &code).await;
    assert_eq!(status, 200);

    // Nothing due: no QR.
    let free = dossier(&p, &token, 1, FREE).await;
    let (status, pay) = payment(&p, &token, &free).await;
    assert_eq!(status, 200, "{pay}");
    assert_eq!(
        (pay["status"].as_str(), pay["amount"].as_u64()),
        (Some("exempt"), Some(0))
    );
    assert_eq!(pay["vietqr"], Value::Null);

    // Another office's dossier does not exist for its staff.
    let refused_before = p.audit_count("access_refused").await;
    let other = desk(&p, 2).await;
    let (status, e) = payment(&p, &other, &code).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    assert_eq!(p.audit_count("access_refused").await, refused_before + 1);
    let (status, _) = payment(&p, &token, "000.01.27.H07-990101-0001").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn cash_at_the_desk_settles_the_fee_once() {
    let p = Portal::demo().await;
    let token = desk(&p, 1).await;
    let specialist = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let leader = p.login("lanhdao1", DEMO_PASSWORD).await;
    let code = dossier(&p, &token, 1, FEE_BEARING).await;
    let good = json!({"amount": 50000, "receipt_no": "BL-0000123"});

    let (status, e, _) = cash(
        &p,
        &token,
        &code,
        Some(&new_key()),
        json!({"amount": 40000, "receipt_no": "BL-1"}),
        "vi",
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("amount_mismatch"))
    );
    let why = e["error"]["fields"]["amount"].as_str().unwrap();
    assert!(why.contains("50.000 đ"), "{why}");
    let (_, e, _) = cash(
        &p,
        &token,
        &code,
        Some(&new_key()),
        json!({"amount": 40000, "receipt_no": "BL-1"}),
        "en",
    )
    .await;
    let why = e["error"]["fields"]["amount"].as_str().unwrap();
    assert!(why.contains("VND 50,000"), "{why}");

    let (status, e, _) = cash(
        &p,
        &token,
        &code,
        Some(&new_key()),
        json!({"amount": 50000, "receipt_no": "  "}),
        "vi",
    )
    .await;
    assert_eq!(status, 422);
    assert!(e["error"]["fields"]["receipt_no"].is_string(), "{e}");

    let (status, e, _) = cash(&p, &token, &code, None, good.clone(), "vi").await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (400, Some("idempotency_key_missing"))
    );

    // Only the desk takes money.
    let (status, _, _) = cash(&p, &specialist, &code, Some(&new_key()), good.clone(), "vi").await;
    assert_eq!(status, 403);

    // Nothing was paid by any of them.
    let (_, pay) = payment(&p, &token, &code).await;
    assert_eq!(
        (pay["status"].as_str(), pay["version"].as_i64()),
        (Some("unpaid"), Some(1))
    );

    let (_, feed) = status_json(
        p.get("/dossiers/changes")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let seq = feed["seq"].as_i64().unwrap();

    let key = new_key();
    let (status, paid, replayed) = cash(&p, &token, &code, Some(&key), good.clone(), "vi").await;
    assert_eq!(status, 201, "{paid}");
    assert!(!replayed);
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["method"], "cash");
    assert_eq!(paid["receipt_no"], "BL-0000123");
    assert!(paid["paid_at"].is_string());
    assert_eq!(paid["vietqr"], Value::Null, "nothing is due any more");
    assert_eq!(
        paid["dossier_status"], "received",
        "only awaiting_payment moves"
    );
    assert_eq!(paid["version"], 2, "a payment changes the dossier");
    let d = dossier_detail(&p, &token, &code).await;
    assert_eq!(d["version"], 2);
    assert_eq!(d["fee"]["status"], "paid");

    // The delta feed carries it.
    let (_, changed) = status_json(
        p.get(&format!("/dossiers/changes?since={seq}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let changes = changed["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{changed}");
    assert_eq!(changes[0]["code"], code);
    assert_eq!(changes[0]["payment_status"], "paid");

    // A retry of the same request replays the answer and takes no second payment.
    let (status, again, replayed) = cash(&p, &token, &code, Some(&key), good.clone(), "vi").await;
    assert_eq!(status, 201);
    assert!(replayed);
    assert_eq!(again, paid);
    assert_eq!(payments_recorded(&p, &code).await, 1);
    // A new request to pay again is refused.
    let (status, e, _) = cash(&p, &token, &code, Some(&new_key()), good.clone(), "vi").await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("already_paid"))
    );
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("BL-0000123")
    );
    // The same key for another dossier is another request.
    let other = dossier(&p, &token, 1, FEE_BEARING).await;
    let (status, e, _) = cash(&p, &token, &other, Some(&key), good.clone(), "vi").await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
    // An exempt dossier takes no money either.
    let free = dossier(&p, &token, 1, FREE).await;
    let (status, e, _) = cash(
        &p,
        &token,
        &free,
        Some(&new_key()),
        json!({"amount": 0, "receipt_no": "BL-2"}),
        "en",
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("already_paid"))
    );

    // With the fee paid, the result can be handed over (cf. returning_needs_the_fee_paid).
    p.act(&token, &code, 2, json!({"action": "forward"})).await;
    p.act(
        &specialist,
        &code,
        3,
        json!({"action": "propose_result", "result": "approved", "summary": "Chứng thực"}),
    )
    .await;
    let (s, d) = p.act(&leader, &code, 4, json!({"action": "approve"})).await;
    assert_eq!(
        (s, d["status"].as_str()),
        (200, Some("result_ready")),
        "{d}"
    );
    let (s, d) = p
        .act(
            &token,
            &code,
            5,
            json!({"action": "return_result", "delivery": "in_person", "handover": common::authorized_receiver("Chính chủ")}),
        )
        .await;
    assert_eq!((s, d["status"].as_str()), (200, Some("returned")), "{d}");
}

#[tokio::test]
async fn a_requested_payment_taken_in_cash_resumes_processing() {
    let p = Portal::demo().await;
    let token = desk(&p, 1).await;
    let specialist = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let code = dossier(&p, &token, 1, FREE).await;
    p.act(&token, &code, 1, json!({"action": "forward"})).await;
    let (s, d) = p
        .act(
            &specialist,
            &code,
            2,
            json!({"action": "request_payment", "amount": 30000}),
        )
        .await;
    assert_eq!(
        (s, d["status"].as_str()),
        (200, Some("awaiting_payment")),
        "{d}"
    );
    assert_eq!(d["version"], 3);

    let (_, pay) = payment(&p, &token, &code).await;
    assert_eq!(
        (pay["status"].as_str(), pay["amount"].as_u64()),
        (Some("unpaid"), Some(30000))
    );
    let qr = vietqr::parse(pay["vietqr"].as_str().unwrap()).unwrap();
    assert_eq!(qr.amount, Some(30000));

    let (status, paid, _) = cash(
        &p,
        &token,
        &code,
        Some(&new_key()),
        json!({"amount": 30000, "receipt_no": "BL-77"}),
        "vi",
    )
    .await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(paid["dossier_status"], "in_progress");
    assert_eq!(paid["version"], 4);
    let d = dossier_detail(&p, &token, &code).await;
    assert_eq!(
        (d["status"].as_str(), d["version"].as_i64()),
        (Some("in_progress"), Some(4))
    );

    let history = history_actions(&p, &token, &code).await;
    let actions: Vec<&str> = history
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["created", "forward", "request_payment", "payment_recorded"]
    );
    let step = &history[3];
    assert_eq!(step["from"], "awaiting_payment");
    assert_eq!(step["to"], "in_progress");
    assert_eq!(
        step["username"], "tiepnhan1",
        "the officer who took the money"
    );
    // The dossier goes on: the specialist can propose a result on the new version.
    let (s, d) = p
        .act(
            &specialist,
            &code,
            4,
            json!({"action": "propose_result", "result": "approved", "summary": "Đủ điều kiện"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
}

#[tokio::test]
async fn a_signed_gateway_notice_pays_once() {
    let p = with_gateway().await;
    p.running
        .state
        .clock
        .stop_at(at("2026-03-06T09:00:00+07:00"));
    let token = desk(&p, 1).await;
    let code = dossier(&p, &token, 1, FEE_BEARING).await;
    let notice = json!({
        "transaction_id": "FT26065123456789",
        "dossier_ref": short(&code),
        "amount": 50000,
        "paid_at": "2026-03-06T02:15:30Z",
        "bank_bin": "970405",
        "account": "7300000000101"
    });
    let body = serde_json::to_vec(&notice).unwrap();

    // Unsigned, and signed but altered afterwards: refused, audited, nothing paid.
    let (status, e, _) = notify(&p, &body, None).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (401, Some("invalid_signature"))
    );
    let mut tampered = notice.clone();
    tampered["amount"] = json!(5000);
    let (status, e, _) = notify(
        &p,
        &serde_json::to_vec(&tampered).unwrap(),
        Some(&sign(&body)),
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (401, Some("invalid_signature"))
    );
    let (status, _, _) = notify(&p, &body, Some("not hex")).await;
    assert_eq!(status, 401);
    assert_eq!(p.audit_count("payment_refused").await, 3);
    let (_, pay) = payment(&p, &token, &code).await;
    assert_eq!(pay["status"], "unpaid");

    let (status, receipt, replayed) = notify(&p, &body, Some(&sign(&body))).await;
    assert_eq!(status, 200, "{receipt}");
    assert!(!replayed);
    assert_eq!(receipt["code"], code);
    assert_eq!(receipt["status"], "paid");
    assert_eq!(receipt["amount"], 50000);
    let (_, pay) = payment(&p, &token, &code).await;
    assert_eq!(pay["status"], "paid");
    assert_eq!(pay["method"], "vietqr");
    assert_eq!(pay["receipt_no"], "FT26065123456789");
    assert_eq!(
        pay["paid_at"], "2026-03-06T09:15:30+07:00",
        "kept at +07:00"
    );
    assert_eq!(pay["version"], 2);

    // The gateway retries: the same answer, and nothing else happens.
    let (status, again, replayed) = notify(&p, &body, Some(&sign(&body))).await;
    assert_eq!(status, 200);
    assert!(replayed);
    assert_eq!(again, receipt);
    let (_, pay) = payment(&p, &token, &code).await;
    assert_eq!(pay["version"], 2, "a repeat changes nothing");
    assert_eq!(payments_recorded(&p, &code).await, 1);
    let notices = count(
        &p,
        "SELECT COUNT(*) FROM payment_notifications WHERE dossier_code = $1",
        &code,
    )
    .await;
    assert_eq!(notices, 1);
    // The same id claiming another amount is a conflict, not a repeat.
    let mut conflicting = notice.clone();
    conflicting["amount"] = json!(60000);
    let (status, e, _) = signed_notice(&p, &conflicting).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("transaction_conflict"))
    );
    // A second transfer for a paid dossier is not applied.
    let mut second = notice.clone();
    second["transaction_id"] = json!("FT26065999999999");
    let (status, e, _) = signed_notice(&p, &second).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("already_paid"))
    );
    assert_eq!(payments_recorded(&p, &code).await, 1);
}

#[tokio::test]
async fn gateway_notices_find_their_dossier_by_the_stated_rule() {
    let p = with_gateway().await;
    p.running
        .state
        .clock
        .stop_at(at("2026-03-09T10:00:00+07:00"));
    let one = desk(&p, 1).await;
    let two = desk(&p, 2).await;
    let specialist = p.login("chuyenvien2", DEMO_PASSWORD).await;
    let first = dossier(&p, &one, 1, FEE_BEARING).await;
    let second = dossier(&p, &two, 2, FEE_BEARING).await;
    assert_eq!(
        short(&first),
        short(&second),
        "each office counts from 0001"
    );
    let notice = |id: &str, reference: &str, amount: i64| {
        json!({"transaction_id": id, "dossier_ref": reference, "amount": amount,
               "paid_at": "2026-03-09T10:05:00+07:00"})
    };

    // A short reference alone names a dossier in both offices.
    let (status, e, _) = signed_notice(&p, &notice("T1", &short(&first), 50000)).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("ambiguous_dossier_ref"))
    );
    assert!(e["error"]["fields"]["dossier_ref"].is_string());
    // Unknown references and malformed ones.
    let (status, e, _) = signed_notice(&p, &notice("T2", "260309-0099", 50000)).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("unknown_dossier"))
    );
    let (status, e, _) = signed_notice(&p, &notice("T3", "hồ sơ của tôi", 50000)).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("validation_failed"))
    );
    // The full code with another office's account.
    let mut wrong_account = notice("T4", &first, 50000);
    wrong_account["account"] = json!("100000000202");
    let (status, e, _) = signed_notice(&p, &wrong_account).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("account_mismatch"))
    );
    // The right dossier with the wrong amount: kept in the audit, not applied.
    let refused_before = p.audit_count("payment_refused").await;
    let mut short_of = notice("T5", &format!("HS {}", short(&second)), 20000);
    short_of["account"] = json!("100000000202");
    let (status, e, _) = signed_notice(&p, &short_of).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("amount_mismatch"))
    );
    assert!(e["error"]["fields"]["amount"].is_string());
    assert_eq!(p.audit_count("payment_refused").await, refused_before + 1);
    let (_, pay) = payment(&p, &two, &second).await;
    assert_eq!(pay["status"], "unpaid");
    // A refused id may come again once corrected: it was not recorded.
    short_of["amount"] = json!(50000);
    let (status, receipt, _) = signed_notice(&p, &short_of).await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["code"], second, "the account picked office 2");
    let (_, pay) = payment(&p, &one, &first).await;
    assert_eq!(pay["status"], "unpaid", "office 1's dossier untouched");
    // The full code needs no account.
    let (status, receipt, _) = signed_notice(&p, &notice("T6", &first, 50000)).await;
    assert_eq!(
        (status, receipt["code"].as_str()),
        (200, Some(first.as_str()))
    );

    // A dossier waiting for payment resumes when the transfer arrives, by the system.
    let third = dossier(&p, &two, 2, FREE).await;
    p.act(&two, &third, 1, json!({"action": "forward"})).await;
    let (s, d) = p
        .act(
            &specialist,
            &third,
            2,
            json!({"action": "request_payment", "amount": 15000}),
        )
        .await;
    assert_eq!(
        (s, d["status"].as_str()),
        (200, Some("awaiting_payment")),
        "{d}"
    );
    let mut transfer = notice("T7", &third, 15000);
    transfer["bank_bin"] = json!("970415");
    transfer["account"] = json!("100000000202");
    let (status, receipt, _) = signed_notice(&p, &transfer).await;
    assert_eq!(status, 200, "{receipt}");
    let d = dossier_detail(&p, &two, &third).await;
    assert_eq!(
        (d["status"].as_str(), d["version"].as_i64()),
        (Some("in_progress"), Some(4))
    );
    let history = history_actions(&p, &two, &third).await;
    let last = history.last().unwrap();
    assert_eq!(last["action"], "payment_recorded");
    assert_eq!(last["role"], "system");
    assert_eq!(last["username"], Value::Null);
    assert_eq!(
        (last["from"].as_str(), last["to"].as_str()),
        (Some("awaiting_payment"), Some("in_progress"))
    );
}

#[tokio::test]
async fn without_a_secret_the_gateway_endpoint_is_off() {
    let p = Portal::demo().await;
    let body = br#"{"transaction_id":"T","dossier_ref":"260309-0001","amount":1}"#;
    let (status, e, _) = notify(&p, body, Some(&sign(body))).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (503, Some("payments_disabled"))
    );
    // The secret does not show in the settings' debug output.
    let settings = Settings {
        payment_secret: Some(SECRET.into()),
        ..Default::default()
    };
    assert!(!format!("{settings:?}").contains(SECRET));
}
