//! `GET /training/journal` and the training portal's `payment_qr_shown` row: who may read
//! the journal, what a bad query gets, that a real portal has none, and that a VietQR code
//! the desk says is on screen (`POST /training/vietqr-shown/{code}`) is journalled only on a
//! training portal and only while the fee is unpaid — reading the payment is not showing it;
//! a certification's entry with its pages and copies, for the certification exercise.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::{Value, json};

fn training() -> Settings {
    Settings {
        training: true,
        ..Settings::default()
    }
}

async fn journal(portal: &Portal, token: &str, query: &str) -> (u16, Value) {
    let res = portal
        .get(&format!("/training/journal{query}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    status_json(res).await
}

#[tokio::test]
async fn a_real_portal_has_no_journal_and_every_caller_is_checked_first() {
    let portal = Portal::with(Settings::default(), Seed::Accounts).await;
    let res = portal.get("/training/journal").send().await.unwrap();
    assert_eq!(res.status(), 401, "no token");
    let staff = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let (status, body) = journal(&portal, &staff, "").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    let (citizen_id, _) = portal.citizen_of(1).await;
    let number: String = sqlx::query_scalar("SELECT id_number FROM citizens WHERE public_id = $1")
        .bind(citizen_id)
        .fetch_one(&portal.running.state.db)
        .await
        .unwrap();
    let citizen = portal.login(&number, DEMO_PASSWORD).await;
    let before = portal.audit_count("access_refused").await;
    let (status, _) = journal(&portal, &citizen, "").await;
    assert_eq!(status, 403, "a citizen is no office's staff");
    assert_eq!(portal.audit_count("access_refused").await, before + 1);
}

#[tokio::test]
async fn a_bad_query_is_refused_with_what_is_wrong() {
    let portal = Portal::with(training(), Seed::Accounts).await;
    let staff = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    for query in ["?after=-1", "?limit=0", "?limit=1001", "?after=abc"] {
        let (status, body) = journal(&portal, &staff, query).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["code"], "bad_request", "{query}");
    }
    let (status, body) = journal(&portal, &staff, "?after=0&limit=1000").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_vietqr_code_is_journalled_when_the_desk_says_it_is_on_screen_not_when_it_is_read() {
    for (settings, journalled) in [(training(), true), (Settings::default(), false)] {
        let portal = Portal::with(settings, Seed::Accounts).await;
        let staff = portal.login("tiepnhan1", DEMO_PASSWORD).await;
        let (citizen, _) = portal.citizen_of(1).await;
        let body = portal.submission("2.000635", &citizen).await;
        let (status, dossier) = portal.create_dossier(&staff, &body).await;
        assert_eq!(status, 201, "{dossier}");
        let code = dossier["code"].as_str().unwrap().to_owned();
        let read = || async {
            let res = portal
                .get(&format!("/dossiers/{code}/payment"))
                .bearer_auth(&staff)
                .send()
                .await
                .unwrap();
            status_json(res).await
        };
        let shown = |token: String| {
            let code = code.clone();
            let portal = &portal;
            async move {
                portal
                    .post(&format!("/training/vietqr-shown/{code}"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        // Read (a window too small for the code reads it too): nothing journalled.
        let (status, payment) = read().await;
        assert_eq!(status, 200, "{payment}");
        assert!(payment["vietqr"].is_string(), "{payment}");
        assert_eq!(portal.audit_count("payment_qr_shown").await, 0);
        // Said to be on screen: journalled on a training portal; elsewhere no such route.
        let status = shown(staff.clone()).await;
        assert_eq!(status, if journalled { 204 } else { 404 });
        assert_eq!(
            portal.audit_count("payment_qr_shown").await,
            i64::from(journalled)
        );
        if !journalled {
            continue;
        }
        let (status, page) = journal(&portal, &staff, "").await;
        assert_eq!(status, 200);
        let entries: Vec<&Value> = page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"] == "payment_qr_shown")
            .collect();
        assert_eq!(entries.len(), 1, "{page}");
        assert_eq!(entries[0]["dossier_code"], code.as_str());
        assert_eq!(entries[0]["role"], "reception");
        assert_eq!(entries[0]["channel"], "desk");
        // Paid: nothing is due, the code is not shown, nothing more is journalled.
        let res = portal
            .post(&format!("/dossiers/{code}/payment/cash"))
            .bearer_auth(&staff)
            .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
            .json(&json!({"amount": 8000, "receipt_no": "BL-0001"}))
            .send()
            .await
            .unwrap();
        let (status, paid) = status_json(res).await;
        assert_eq!(status, 201, "{paid}");
        let (_, payment) = read().await;
        assert!(payment["vietqr"].is_null(), "{payment}");
        assert_eq!(shown(staff.clone()).await, 204);
        assert_eq!(portal.audit_count("payment_qr_shown").await, 1);
        // The office next door neither shows this dossier's code nor reads its journal.
        let other = portal.login("tiepnhan2", DEMO_PASSWORD).await;
        assert_eq!(shown(other.clone()).await, 404);
        assert_eq!(portal.audit_count("payment_qr_shown").await, 1);
        let (_, page) = journal(&portal, &other, "").await;
        assert!(
            page["entries"]
                .as_array()
                .unwrap()
                .iter()
                .all(|e| e["dossier_code"] != code.as_str()),
            "{page}"
        );
    }
}

#[tokio::test]
async fn a_certification_is_journalled_with_its_pages_and_copies() {
    let portal = Portal::with(training(), Seed::Accounts).await;
    let staff = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let (_, before) = journal(&portal, &staff, "").await;
    let after = before["last_id"].as_i64().unwrap();
    let res = portal
        .post("/certifications")
        .bearer_auth(&staff)
        .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
        .json(&json!({
            "kind": "copy",
            "applicant": {"full_name": "Nguyễn Văn An", "id_number": "083095001234"},
            "document_name": "Học bạ THPT",
            "pages": 5,
            "copies": 3,
        }))
        .send()
        .await
        .unwrap();
    let (status, entry) = status_json(res).await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["fee"], 21_000);
    let (status, body) = journal(&portal, &staff, &format!("?after={after}")).await;
    assert_eq!(status, 200, "{body}");
    let certified: Vec<&Value> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "certification_recorded")
        .collect();
    assert_eq!(certified.len(), 1, "{body}");
    let e = certified[0];
    let number = entry["number"].as_u64().unwrap();
    let book = entry["book"].as_str().unwrap();
    assert_eq!(e["detail"], format!("copy {book} số {number}"));
    assert_eq!(e["reason"], "cash 21000");
    assert_eq!((&e["pages"], &e["copies"]), (&json!(5), &json!(3)));
    assert_eq!(e["role"], "reception");
    // Other events say no pages nor copies.
    let (_, all) = journal(&portal, &staff, "").await;
    for other in all["entries"].as_array().unwrap() {
        if other["event"] != "certification_recorded" {
            assert_eq!(
                (&other["pages"], &other["copies"]),
                (&Value::Null, &Value::Null)
            );
        }
    }
}
