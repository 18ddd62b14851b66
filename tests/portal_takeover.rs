//! The cross-office account takeover, refused at each step on its own: an officer of
//! office 1 cannot name office 2's citizen by a guessed id, learn their details from a
//! taken number, find them, or reset their password without them at the desk. Each
//! test starts the real portal with the demo data: Nguyễn Văn An (083078238953, born
//! 1978-03-14, activated) is office 1's, Nguyễn Văn Bình (083069502300, born
//! 1969-06-16) office 2's.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use serde_json::{Value, json};

const AN: &str = "083078238953";
const AN_BORN: &str = "1978-03-14";
const BINH: &str = "083069502300";
const BINH_BORN: &str = "1969-06-16";
const BINH_PHONE: &str = "0556764864";

fn new_key() -> String {
    format!("\"{}\"", uuid::Uuid::new_v4())
}

async fn public_id(p: &Portal, number: &str) -> String {
    sqlx::query_scalar("SELECT public_id FROM citizens WHERE id_number = $1")
        .bind(number)
        .fetch_one(&p.running.state.db)
        .await
        .unwrap()
}

async fn row_id(p: &Portal, number: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM citizens WHERE id_number = $1")
        .bind(number)
        .fetch_one(&p.running.state.db)
        .await
        .unwrap()
}

async fn dossiers(p: &Portal) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&p.running.state.db)
        .await
        .unwrap()
}

/// Nothing of Bình's in the text of an answer: number, phone, date of birth.
fn tells_nothing_of_binh(answer: &Value) {
    let text = answer.to_string();
    for secret in [BINH, BINH_PHONE, BINH_BORN, "Bình"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

async fn post_json(p: &Portal, token: &str, path: &str, body: &Value) -> (u16, Value) {
    status_json(
        p.post(path)
            .bearer_auth(token)
            .header("Idempotency-Key", new_key())
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn get_json(p: &Portal, token: &str, path: &str) -> (u16, Value) {
    status_json(p.get(path).bearer_auth(token).send().await.unwrap()).await
}

// (a) Another office's citizen by id: refused like an unknown one, nothing told, audited.
#[tokio::test]
async fn a_dossier_for_another_offices_citizen_by_id_is_refused_and_tells_nothing() {
    let p = Portal::demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let before = dossiers(&p).await;
    let refusals = p.audit_count("access_refused").await;

    let mut body = p.submission("1.001193", &public_id(&p, BINH).await).await;
    let (status, answer) = p.create_dossier(&desk, &body).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["code"], "validation_failed");
    assert!(answer["error"]["fields"]["applicant.citizen_id"].is_string());
    tells_nothing_of_binh(&answer);
    assert_eq!(p.audit_count("access_refused").await, refusals + 1);

    // The same answer as for an id nobody has: existence is not told.
    body["applicant"] = json!({"citizen_id": "0123456789abcdef0123456789abcdef"});
    let (status, unknown) = p.create_dossier(&desk, &body).await;
    assert_eq!(status, 422);
    assert_eq!(unknown, answer);
    assert_eq!(p.audit_count("access_refused").await, refusals + 1);

    // The old sequential row id is no id at all.
    body["applicant"] = json!({"citizen_id": row_id(&p, BINH).await});
    let (status, answer) = p.create_dossier(&desk, &body).await;
    assert_eq!(status, 400, "{answer}");
    tells_nothing_of_binh(&answer);
    assert_eq!(dossiers(&p).await, before, "no dossier was made");
}

// (b) Ids are opaque: long, random, unrelated from one citizen to the next.
#[tokio::test]
async fn citizen_ids_are_long_random_and_unrelated() {
    let p = Portal::demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let mut ids = Vec::new();
    for (number, name) in [
        ("083090777001", "Trần Văn Một"),
        ("083090777002", "Trần Văn Hai"),
    ] {
        let body = json!({
            "id_number": number, "full_name": name, "date_of_birth": "1990-05-17",
            "gender": "male", "phone": "0912345678", "address": "Phường An Hội",
        });
        let (status, created) = post_json(&p, &desk, "/citizens", &body).await;
        assert_eq!(status, 201, "{created}");
        ids.push(created["citizen"]["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        assert!(id.len() >= 22, "{id}");
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        assert!(id.parse::<u64>().is_err(), "not a number: {id}");
    }
    let common_prefix = ids[0]
        .chars()
        .zip(ids[1].chars())
        .take_while(|(a, b)| a == b)
        .count();
    assert!(common_prefix < 8, "{ids:?}");
    let differing = ids[0]
        .chars()
        .zip(ids[1].chars())
        .filter(|(a, b)| a != b)
        .count();
    assert!(differing >= 16, "two ids in a row look alike: {ids:?}");
    // And the demo citizens', given by the migration, are of the same kind.
    let demo = public_id(&p, AN).await;
    assert_eq!(demo.len(), 32);
    assert!(demo.chars().all(|c| c.is_ascii_hexdigit()), "{demo}");
}

// (c) Another office's number: 409 without id, phone or date of birth.
#[tokio::test]
async fn creating_an_account_with_another_offices_number_tells_nothing_of_it() {
    let p = Portal::demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let body = json!({
        "id_number": BINH, "full_name": "Nguyễn Văn Bình", "date_of_birth": BINH_BORN,
        "gender": "male", "phone": "0912345678", "address": "Phường An Hội",
    });
    let (status, answer) = post_json(&p, &desk, "/citizens", &body).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["error"]["code"], "citizen_exists");
    assert!(answer["error"].get("existing_id").is_none(), "{answer}");
    let text = answer.to_string();
    for secret in [BINH_PHONE, &public_id(&p, BINH).await, "Phú Khương"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    // Office 2 serves him: its desk is told which account it is.
    let theirs = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let (status, answer) = post_json(&p, &theirs, "/citizens", &body).await;
    assert_eq!(status, 409);
    assert_eq!(answer["error"]["existing_id"], public_id(&p, BINH).await);
}

// (d) Lookups do not find another office's citizen.
#[tokio::test]
async fn another_offices_citizen_is_not_found_by_number_or_id() {
    let p = Portal::demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (status, page) = get_json(&p, &desk, &format!("/citizens?id_number={BINH}")).await;
    assert_eq!(status, 200);
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["total"], 0);
    let (status, answer) = get_json(
        &p,
        &desk,
        &format!("/citizens/{}", public_id(&p, BINH).await),
    )
    .await;
    assert_eq!(status, 404);
    tells_nothing_of_binh(&answer);
    let (status, _) = get_json(&p, &desk, &format!("/citizens/{}", row_id(&p, BINH).await)).await;
    assert_eq!(status, 404, "the row id names nobody");
    // Office 2 finds him both ways.
    let theirs = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let (_, page) = get_json(&p, &theirs, &format!("/citizens?id_number={BINH}")).await;
    assert_eq!(page["items"][0]["id"], public_id(&p, BINH).await);
}

async fn reissue(p: &Portal, token: &str, id: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = p
        .post(&format!("/citizens/{id}/activation"))
        .bearer_auth(token)
        .header("Idempotency-Key", new_key());
    if let Some(body) = body {
        request = request.json(&body);
    }
    status_json(request.send().await.unwrap()).await
}

async fn notifications(p: &Portal, number: &str) -> Vec<(String, String, String, String)> {
    sqlx::query_as(
        "SELECT n.event, n.channel, n.recipient, n.status FROM notifications n \
         JOIN citizens c ON c.id = n.citizen_id WHERE c.id_number = $1 ORDER BY n.channel",
    )
    .bind(number)
    .fetch_all(&p.running.state.db)
    .await
    .unwrap()
}

// (e) A new code for an active account is a reset with the citizen present.
#[tokio::test]
async fn resetting_an_active_account_needs_the_citizen_at_the_desk() {
    let p = Portal::demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let an = public_id(&p, AN).await;
    let session = p.login(AN, DEMO_PASSWORD).await;

    let (status, answer) = reissue(&p, &desk, &an, None).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["code"], "validation_failed");
    assert!(answer["error"]["fields"]["date_of_birth"].is_string());
    // A JSON null is no body, as the OpenAPI document allows.
    let (status, null) = reissue(&p, &desk, &an, Some(Value::Null)).await;
    assert_eq!(status, 422, "{null}");
    assert_eq!(null["error"]["fields"], answer["error"]["fields"]);
    let wrong_date = json!({"id_number": AN, "date_of_birth": "1978-03-15"});
    let (status, by_date) = reissue(&p, &desk, &an, Some(wrong_date)).await;
    assert_eq!(status, 422, "{by_date}");
    assert_eq!(by_date["error"]["code"], "applicant_mismatch");
    let wrong_number = json!({"id_number": BINH, "date_of_birth": AN_BORN});
    let (status, by_number) = reissue(&p, &desk, &an, Some(wrong_number)).await;
    assert_eq!(status, 422);
    assert_eq!(by_number, by_date, "one answer, whichever is wrong");
    assert_eq!(p.audit_count("password_reset_issued").await, 0);
    assert!(notifications(&p, AN).await.is_empty());
    // Nothing changed: the password still works.
    assert_eq!(get_json(&p, &session, "/me").await.0, 200);

    let card = json!({"id_number": AN, "date_of_birth": AN_BORN});
    let (status, issued) = reissue(&p, &desk, &an, Some(card)).await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(p.audit_count("password_reset_issued").await, 1);
    assert_eq!(
        notifications(&p, AN).await,
        [
            (
                "password_reset".into(),
                "email".into(),
                "an.nv78@example.com".into(),
                "queued".into()
            ),
            (
                "password_reset".into(),
                "sms".into(),
                "0384350158".into(),
                "queued".into()
            ),
        ]
    );

    // The code sets a new password: the old one stops working, its sessions end.
    let code = issued["code"].as_str().unwrap();
    let (status, answer) = status_json(
        p.post("/citizen/activate")
            .json(&json!({"id_number": AN, "code": code, "new_password": "Mat-khau-moi-2028!"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 204, "{answer}");
    assert_eq!(get_json(&p, &session, "/me").await.0, 401);
    let (status, _) = status_json(
        p.post("/auth/login")
            .json(&json!({"username": AN, "password": DEMO_PASSWORD}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401, "the old password no longer works");
    p.login(AN, "Mat-khau-moi-2028!").await;
}

// (f) Anyone by the card they present: both must match, one answer otherwise.
#[tokio::test]
async fn a_citizen_presented_at_the_desk_is_taken_in_when_number_and_birth_match() {
    let p = Portal::demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let before = dossiers(&p).await;
    let mut body = p.submission("1.001193", "").await;

    body["applicant"] = json!({"id_number": BINH, "date_of_birth": "1969-06-17"});
    let (status, by_date) = p.create_dossier(&desk, &body).await;
    assert_eq!(status, 422, "{by_date}");
    assert_eq!(by_date["error"]["code"], "applicant_mismatch");
    tells_nothing_of_binh(&by_date);
    body["applicant"] = json!({"id_number": "083069502301", "date_of_birth": BINH_BORN});
    let (status, by_number) = p.create_dossier(&desk, &body).await;
    assert_eq!(status, 422);
    assert_eq!(by_number, by_date, "one answer, whichever is wrong");
    assert_eq!(dossiers(&p).await, before);

    body["applicant"] = json!({"id_number": BINH, "date_of_birth": BINH_BORN});
    body["submitter"] = json!({"full_name": "", "relation": "self"});
    let (status, dossier) = p.create_dossier(&desk, &body).await;
    assert_eq!(status, 201, "{dossier}");
    assert_eq!(
        dossier["applicant"]["citizen_id"],
        public_id(&p, BINH).await
    );
    assert_eq!(dossier["applicant"]["full_name"], "Nguyễn Văn Bình");
    assert_eq!(
        dossier["submitter"]["full_name"], "Nguyễn Văn Bình",
        "the applicant in person"
    );
    // He applies here now: office 1 serves him, by id too.
    body["applicant"] = json!({"citizen_id": public_id(&p, BINH).await});
    let (status, again) = p.create_dossier(&desk, &body).await;
    assert_eq!(status, 201, "{again}");
    // An office-1 citizen may be presented as well.
    body["applicant"] = json!({"id_number": AN, "date_of_birth": AN_BORN});
    assert_eq!(p.create_dossier(&desk, &body).await.0, 201);
}

/// A date of birth cannot be searched for: after five cards that match no one for a
/// number, the desk is told to wait (429), even with the right date, and the first
/// refusal is audited once; another number is not held up until the officer's own limit.
#[tokio::test]
async fn guessing_a_date_of_birth_at_the_desk_is_stopped() {
    let p = Portal::demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let mut body = p.submission("1.001193", "").await;
    body["submitter"] = json!({"full_name": "", "relation": "self"});
    for day in 1..=5 {
        body["applicant"] = json!({"id_number": BINH, "date_of_birth": format!("1969-06-0{day}")});
        let (status, answer) = p.create_dossier(&desk, &body).await;
        assert_eq!(status, 422, "guess {day}: {answer}");
        assert_eq!(answer["error"]["code"], "applicant_mismatch");
    }
    body["applicant"] = json!({"id_number": BINH, "date_of_birth": BINH_BORN});
    let (status, answer) = p.create_dossier(&desk, &body).await;
    assert_eq!(status, 429, "the right date after five misses: {answer}");
    assert_eq!(answer["error"]["code"], "too_many_requests");
    tells_nothing_of_binh(&answer);
    // Another citizen, presented right, is taken in.
    body["applicant"] = json!({"id_number": AN, "date_of_birth": AN_BORN});
    assert_eq!(p.create_dossier(&desk, &body).await.0, 201);
    let noted: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit WHERE detail LIKE '%too many cards%'")
            .fetch_one(&p.running.state.db)
            .await
            .unwrap();
    assert_eq!(noted, 1, "the first refusal of the window, once");

    // Past the window, the right card is accepted again.
    p.running
        .state
        .clock
        .advance(chrono::TimeDelta::minutes(16));
    body["applicant"] = json!({"id_number": BINH, "date_of_birth": BINH_BORN});
    let (status, answer) = p.create_dossier(&desk, &body).await;
    assert_eq!(status, 201, "{answer}");
}

/// The same for a password reset: five wrong dates for An's card, then his own is
/// refused with 429 and no code is issued.
#[tokio::test]
async fn guessing_a_date_of_birth_for_a_reset_is_stopped() {
    let p = Portal::demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let an = public_id(&p, AN).await;
    for day in 1..=5 {
        let guess = json!({"id_number": AN, "date_of_birth": format!("1978-03-0{day}")});
        let (status, answer) = reissue(&p, &desk, &an, Some(guess)).await;
        assert_eq!(status, 422, "guess {day}: {answer}");
        assert_eq!(answer["error"]["code"], "applicant_mismatch");
    }
    let right = json!({"id_number": AN, "date_of_birth": AN_BORN});
    let (status, answer) = reissue(&p, &desk, &an, Some(right)).await;
    assert_eq!(status, 429, "{answer}");
    assert!(answer["code"].is_null(), "no code issued: {answer}");
}
