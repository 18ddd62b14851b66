//! Certification fees by VietQR (issue 21), against the real portal: the desk's fee order
//! (`POST /certifications/fee-orders`) with its QR, reading it back by its office only,
//! the gateway's signed notice that pays it (once, the exact amount, into the office's
//! account), and the entry that names the paid order (`POST /certifications` with
//! `fee_order`): once, for exactly its fee, and never taking a book number when refused.

mod common;

use common::{DEMO_PASSWORD, Portal, gateway_settings, signed_notice, status_json};
use motcua::domain::vietqr;
use motcua::portal::Seed;
use serde_json::{Value, json};

/// Every test's clock starts here: the book's year and the month of `GET /stats`.
const NOW: &str = "2026-06-10T09:00:00+07:00";
/// Office 1's account (seed): where its fee orders are paid.
const BIN_1: &str = "970405";
const ACCOUNT_1: &str = "7300000000101";
/// Office 2's account.
const BIN_2: &str = "970415";
const ACCOUNT_2: &str = "100000000202";

/// A portal with the demo accounts that takes the test gateway's signed notices.
async fn portal() -> Portal {
    Portal::at(NOW, gateway_settings(), Seed::Accounts).await
}

async fn login(p: &Portal, who: &str) -> String {
    p.login(who, DEMO_PASSWORD).await
}

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// POSTs a fee order under `key` (none sent if `None`); answers (status, body, replayed).
async fn order_with(
    p: &Portal,
    token: &str,
    key: Option<&str>,
    body: &Value,
) -> (u16, Value, bool) {
    let mut req = p
        .post("/certifications/fee-orders")
        .bearer_auth(token)
        .json(body);
    if let Some(key) = key {
        req = req.header("Idempotency-Key", format!("\"{key}\""));
    }
    let res = req.send().await.unwrap();
    let replayed = res.headers().contains_key("idempotent-replayed");
    let (status, body) = status_json(res).await;
    (status, body, replayed)
}

/// A new unpaid fee order of `amount` đồng; its reference.
async fn order(p: &Portal, token: &str, amount: u64) -> String {
    let (status, made, _) =
        order_with(p, token, Some(&new_key()), &json!({"amount": amount})).await;
    assert_eq!(status, 201, "{made}");
    made["reference"].as_str().unwrap().to_owned()
}

async fn get(p: &Portal, token: &str, path: &str) -> (u16, Value) {
    status_json(p.get(path).bearer_auth(token).send().await.unwrap()).await
}

/// The fee order as its office reads it.
async fn show(p: &Portal, token: &str, reference: &str) -> Value {
    let (status, found) = get(p, token, &format!("/certifications/fee-orders/{reference}")).await;
    assert_eq!(status, 200, "{found}");
    found
}

/// The gateway's notice of a transfer of `amount` into office 1's account.
fn notice(transaction_id: &str, dossier_ref: &str, amount: u64) -> Value {
    json!({
        "transaction_id": transaction_id,
        "dossier_ref": dossier_ref,
        "amount": amount,
        "paid_at": "2026-06-10T02:15:30Z",
        "bank_bin": BIN_1,
        "account": ACCOUNT_1
    })
}

/// Pays `reference` by a notice of `amount` into the account `bin`/`account`; asserts 200.
async fn pay(p: &Portal, reference: &str, amount: u64, (bin, account): (&str, &str)) {
    let mut paying = notice(&format!("FT{reference}"), reference, amount);
    paying["bank_bin"] = json!(bin);
    paying["account"] = json!(account);
    let (status, receipt, _) = signed_notice(p, &paying).await;
    assert_eq!(status, 200, "{receipt}");
}

/// The order (`dossier_code`) and the reason of the newest `payment_refused` audit row.
async fn last_refusal(p: &Portal) -> (Option<String>, Option<String>) {
    sqlx::query_as(
        "SELECT dossier_code, reason FROM audit WHERE event = 'payment_refused' \
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap()
}

/// A copy certification of `pages` pages in `copies` copies, paid by `fee_order` if any.
fn copy(pages: u32, copies: u32, fee_order: Option<&str>) -> Value {
    let mut body = json!({
        "kind": "copy",
        "applicant": {"full_name": "Trần Thị Mai", "id_number": "083095001234"},
        "document_name": "Bằng tốt nghiệp THPT",
        "pages": pages,
        "copies": copies,
    });
    if let Some(reference) = fee_order {
        body["fee_order"] = json!(reference);
    }
    body
}

/// POSTs an entry with a fresh key; answers (status, body).
async fn certify(p: &Portal, token: &str, body: &Value) -> (u16, Value) {
    let res = p
        .post("/certifications")
        .bearer_auth(token)
        .header("Idempotency-Key", format!("\"{}\"", new_key()))
        .json(body)
        .send()
        .await
        .unwrap();
    status_json(res).await
}

fn code(e: &Value) -> Option<&str> {
    e["error"]["code"].as_str()
}

/// `CT` and 8 characters of the alphabet without 0, O, 1, I.
fn well_formed(reference: &str) -> bool {
    let alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    reference.len() == 10
        && reference.starts_with("CT")
        && reference[2..].chars().all(|c| alphabet.contains(c))
}

/// Only reception makes fee orders, with an Idempotency-Key and an amount from 1 to
/// 200,000,000 đồng; the order is unpaid, named `CT` + 8 characters, and its QR pays that
/// amount into the office's account with the note `CT XXXXXXXX`; a retry under the same
/// key is the same order.
#[tokio::test]
async fn reception_makes_a_fee_order_with_its_qr() {
    let p = portal().await;
    let token = login(&p, "tiepnhan1").await;

    let refused_before = p.audit_count("access_refused").await;
    let specialist = login(&p, "chuyenvien1").await;
    let (status, e, _) =
        order_with(&p, &specialist, Some(&new_key()), &json!({"amount": 14000})).await;
    assert_eq!((status, code(&e)), (403, Some("forbidden")), "{e}");
    assert_eq!(p.audit_count("access_refused").await, refused_before + 1);

    let (status, e, _) = order_with(&p, &token, None, &json!({"amount": 14000})).await;
    assert_eq!(
        (status, code(&e)),
        (400, Some("idempotency_key_missing")),
        "{e}"
    );

    for body in [
        json!({}),
        json!({"amount": 0}),
        json!({"amount": -14000}),
        json!({"amount": 200_000_001}),
    ] {
        let (status, e, _) = order_with(&p, &token, Some(&new_key()), &body).await;
        assert_eq!(
            (status, code(&e)),
            (422, Some("validation_failed")),
            "{body}: {e}"
        );
        assert!(e["error"]["fields"]["amount"].is_string(), "{body}: {e}");
    }
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM certification_fee_orders")
        .fetch_one(&p.running.state.db)
        .await
        .unwrap();
    assert_eq!(orders, 0, "no refused request made an order");

    // The largest amount is taken.
    let (status, largest, _) = order_with(
        &p,
        &token,
        Some(&new_key()),
        &json!({"amount": 200_000_000}),
    )
    .await;
    assert_eq!(status, 201, "{largest}");

    let key = new_key();
    let (status, made, replayed) =
        order_with(&p, &token, Some(&key), &json!({"amount": 14000})).await;
    assert_eq!((status, replayed), (201, false), "{made}");
    let reference = made["reference"].as_str().unwrap();
    assert!(well_formed(reference), "{reference}");
    assert_eq!(made["status"], "unpaid");
    assert_eq!(made["amount"], 14000);
    assert_eq!(made["bank_bin"], BIN_1);
    assert_eq!(made["account"], ACCOUNT_1);
    assert_eq!(made["paid_at"], Value::Null);
    assert_eq!(made["transaction_id"], Value::Null);
    let qr = vietqr::parse(made["vietqr"].as_str().unwrap()).unwrap();
    assert_eq!(qr.bank_bin, BIN_1);
    assert_eq!(qr.account, ACCOUNT_1);
    assert_eq!(qr.amount, Some(14000));
    assert_eq!(qr.purpose, Some(format!("CT {}", &reference[2..])));
    assert!(qr.dynamic, "a QR with an amount is a one-time code");

    let (status, again, replayed) =
        order_with(&p, &token, Some(&key), &json!({"amount": 14000})).await;
    assert_eq!((status, replayed), (201, true));
    assert_eq!(again, made, "the same order, not a second one");
    assert_ne!(largest["reference"], made["reference"]);
}

/// A fee order is read by the staff of its office; for another office's staff it does
/// not exist (404, audited), nor does a reference that is not one.
#[tokio::test]
async fn a_fee_order_is_read_by_its_office_only() {
    let p = portal().await;
    let token = login(&p, "tiepnhan1").await;
    let reference = order(&p, &token, 14000).await;

    let found = show(&p, &token, &reference).await;
    assert_eq!(found["reference"], reference);
    assert_eq!(found["status"], "unpaid");
    assert_eq!(found["amount"], 14000);
    assert!(found["vietqr"].is_string());
    // Any staff of the office may look: a specialist too.
    let specialist = login(&p, "chuyenvien1").await;
    assert_eq!(
        show(&p, &specialist, &reference).await["reference"],
        reference
    );

    let refused_before = p.audit_count("access_refused").await;
    let other = login(&p, "tiepnhan2").await;
    let (status, e) = get(
        &p,
        &other,
        &format!("/certifications/fee-orders/{reference}"),
    )
    .await;
    assert_eq!((status, code(&e)), (404, Some("not_found")), "{e}");
    assert_eq!(p.audit_count("access_refused").await, refused_before + 1);

    for malformed in ["CT123", "CT0000OOOO", "nonsense", "HS%20260306-0001"] {
        let (status, _) = get(
            &p,
            &token,
            &format!("/certifications/fee-orders/{malformed}"),
        )
        .await;
        assert_eq!(status, 404, "{malformed}");
    }
}

/// The gateway's signed notice naming the order (as the reference or the transfer note,
/// in any case) pays it once, for exactly its amount: a wrong amount is refused and
/// audited, a repeat of the transaction changes nothing, a second transaction is
/// `already_paid`.
#[tokio::test]
async fn the_gateway_notice_pays_a_fee_order_once_for_its_amount() {
    let p = portal().await;
    let token = login(&p, "tiepnhan1").await;
    let reference = order(&p, &token, 14000).await;
    let note = format!("ct {}", reference[2..].to_lowercase());

    let refused_before = p.audit_count("payment_refused").await;
    let (status, e, _) = signed_notice(&p, &notice("FT2616100000001", &reference, 13000)).await;
    assert_eq!((status, code(&e)), (422, Some("amount_mismatch")), "{e}");
    assert_eq!(p.audit_count("payment_refused").await, refused_before + 1);
    assert_eq!(
        last_refusal(&p).await,
        (Some(reference.clone()), Some("amount_mismatch".into())),
        "the refusal names the order, for reconciliation"
    );
    let unpaid = show(&p, &token, &reference).await;
    assert_eq!(unpaid["status"], "unpaid");
    assert_eq!(unpaid["transaction_id"], Value::Null);

    let paying = notice("FT2616100000002", &note, 14000);
    let (status, receipt, replayed) = signed_notice(&p, &paying).await;
    assert_eq!((status, replayed), (200, false), "{receipt}");
    assert_eq!(receipt["code"], reference);
    assert_eq!(receipt["amount"], 14000);
    assert_eq!(receipt["status"], "paid");
    let paid = show(&p, &token, &reference).await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["transaction_id"], "FT2616100000002");
    assert_eq!(paid["paid_at"], "2026-06-10T09:15:30+07:00");
    assert_eq!(paid["vietqr"], Value::Null, "nothing is due any more");
    assert_eq!(p.audit_count("fee_order_paid").await, 1);

    // The gateway retries, naming the order by the QR's note: the first answer again.
    let again = notice("FT2616100000002", &format!("CT {}", &reference[2..]), 14000);
    let (status, second, replayed) = signed_notice(&p, &again).await;
    assert_eq!((status, replayed), (200, true), "{second}");
    assert_eq!(second, receipt);
    assert_eq!(show(&p, &token, &reference).await, paid);
    assert_eq!(p.audit_count("fee_order_paid").await, 1);

    // Another transfer for the paid order is not applied.
    let refused_before = p.audit_count("payment_refused").await;
    let (status, e, _) = signed_notice(&p, &notice("FT2616100000003", &reference, 14000)).await;
    assert_eq!((status, code(&e)), (409, Some("already_paid")), "{e}");
    assert_eq!(p.audit_count("payment_refused").await, refused_before + 1);
    assert_eq!(show(&p, &token, &reference).await, paid);
}

/// A notice paying an order into an account that is not its office's, or naming an
/// order that does not exist, is refused and audited, and pays nothing.
#[tokio::test]
async fn a_notice_for_another_account_or_no_order_is_refused() {
    let p = portal().await;
    let token = login(&p, "tiepnhan1").await;
    let reference = order(&p, &token, 14000).await;

    let refused_before = p.audit_count("payment_refused").await;
    let mut elsewhere = notice("FT2616100000010", &reference, 14000);
    elsewhere["bank_bin"] = json!(BIN_2);
    elsewhere["account"] = json!(ACCOUNT_2);
    let (status, e, _) = signed_notice(&p, &elsewhere).await;
    assert_eq!((status, code(&e)), (422, Some("account_mismatch")), "{e}");
    assert_eq!(
        last_refusal(&p).await,
        (Some(reference.clone()), Some("account_mismatch".into()))
    );
    assert_eq!(show(&p, &token, &reference).await["status"], "unpaid");

    let unknown = if reference == "CTAAAAAAAA" {
        "CTBBBBBBBB"
    } else {
        "CTAAAAAAAA"
    };
    let (status, e, _) = signed_notice(&p, &notice("FT2616100000011", unknown, 14000)).await;
    assert_eq!((status, code(&e)), (422, Some("unknown_dossier")), "{e}");
    assert_eq!(p.audit_count("payment_refused").await, refused_before + 2);
    assert_eq!(p.audit_count("fee_order_paid").await, 0);

    // Refused transactions were not kept: the right notice under the same id pays.
    let (status, receipt, replayed) =
        signed_notice(&p, &notice("FT2616100000010", &reference, 14000)).await;
    assert_eq!((status, replayed), (200, false), "{receipt}");
    assert_eq!(show(&p, &token, &reference).await["status"], "paid");
}

/// An entry names a fee order only once it is paid, for exactly the entry's fee, and
/// once; a refused entry takes no book number. The entry is recorded as paid by VietQR
/// with the order's reference, listed so, and its fee counted in the statistics.
#[tokio::test]
async fn an_entry_is_paid_by_a_paid_order_once_for_its_exact_fee() {
    let p = portal().await;
    let token = login(&p, "tiepnhan1").await;
    let reference = order(&p, &token, 14000).await;

    // Not paid yet: refused, and no number is used.
    let (status, e) = certify(&p, &token, &copy(5, 2, Some(&reference))).await;
    assert_eq!((status, code(&e)), (409, Some("fee_order_unpaid")), "{e}");
    assert!(e["error"]["fields"]["fee_order"].is_string(), "{e}");
    let (status, cash) = certify(&p, &token, &copy(1, 1, None)).await;
    assert_eq!(status, 201, "{cash}");
    assert_eq!(cash["number"], 1, "the refused entry left no gap");
    assert_eq!(cash["payment_method"], "cash");
    assert_eq!(cash["fee_order"], Value::Null);

    pay(&p, &reference, 14000, (BIN_1, ACCOUNT_1)).await;

    // Paid, but for another fee: 5 pages in 3 copies is 21,000 đ.
    let (status, e) = certify(&p, &token, &copy(5, 3, Some(&reference))).await;
    assert_eq!((status, code(&e)), (422, Some("amount_mismatch")), "{e}");
    assert_eq!(show(&p, &token, &reference).await["status"], "paid");

    // Paid and matching (named as the transfer note, in lower case).
    let note = format!("ct {}", reference[2..].to_lowercase());
    let (status, entry) = certify(&p, &token, &copy(5, 2, Some(&note))).await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["number"], 2, "the refusals took no number");
    assert_eq!(entry["fee"], 14000);
    assert_eq!(entry["payment_method"], "vietqr");
    assert_eq!(entry["fee_order"], reference);
    let used = show(&p, &token, &reference).await;
    assert_eq!(used["status"], "used");
    assert_eq!(used["vietqr"], Value::Null);
    let paid_at: String =
        sqlx::query_scalar("SELECT paid_at FROM certifications WHERE fee_order = $1")
            .bind(&reference)
            .fetch_one(&p.running.state.db)
            .await
            .unwrap();
    assert_eq!(
        paid_at, "2026-06-10T09:15:30+07:00",
        "paid when the transfer came"
    );

    // Once only.
    let (status, e) = certify(&p, &token, &copy(5, 2, Some(&reference))).await;
    assert_eq!((status, code(&e)), (409, Some("fee_order_used")), "{e}");
    let (_, next) = certify(&p, &token, &copy(1, 1, None)).await;
    assert_eq!(next["number"], 3, "no number was taken by the refusals");

    // The book lists it as paid by VietQR with its order.
    let (status, page) = get(&p, &token, "/certifications").await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{page}");
    let listed = items.iter().find(|e| e["id"] == entry["id"]).unwrap();
    assert_eq!(listed["payment_method"], "vietqr");
    assert_eq!(listed["fee_order"], reference);
    assert_eq!(listed["fee"], 14000);

    // The statistics count its fee with the cash ones (2,000 đ each).
    let (status, stats) = get(&p, &token, "/stats").await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(stats["certifications"]["copy"], 3, "{stats}");
    assert_eq!(stats["certifications"]["fees"], 18000, "{stats}");
}

/// An entry cannot be paid by another office's order, paid as it may be, nor by a value
/// that is no order reference: 422 naming `fee_order`, and no number is used.
#[tokio::test]
async fn an_entry_names_only_its_own_offices_order() {
    let p = portal().await;
    let token = login(&p, "tiepnhan1").await;
    let other = login(&p, "tiepnhan2").await;
    let theirs = order(&p, &other, 14000).await;
    pay(&p, &theirs, 14000, (BIN_2, ACCOUNT_2)).await;
    assert_eq!(show(&p, &other, &theirs).await["status"], "paid");

    let (status, e) = certify(&p, &token, &copy(5, 2, Some(&theirs))).await;
    assert_eq!((status, code(&e)), (422, Some("validation_failed")), "{e}");
    assert!(e["error"]["fields"]["fee_order"].is_string(), "{e}");
    assert_eq!(
        show(&p, &other, &theirs).await["status"],
        "paid",
        "still theirs to use"
    );

    for malformed in ["CT123", "HS 260306-0001", "CT0000OOOO", ""] {
        let (status, e) = certify(&p, &token, &copy(5, 2, Some(malformed))).await;
        assert_eq!(
            (status, code(&e)),
            (422, Some("validation_failed")),
            "{malformed}: {e}"
        );
        assert!(
            e["error"]["fields"]["fee_order"].is_string(),
            "{malformed}: {e}"
        );
    }

    let (status, cash) = certify(&p, &token, &copy(1, 1, None)).await;
    assert_eq!(status, 201, "{cash}");
    assert_eq!(cash["number"], 1, "no refused entry took a number");
}
