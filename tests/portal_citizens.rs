//! Citizen accounts over real HTTP: creation with validation of every field at once,
//! duplicates, idempotency keys (replay, reuse, a burst of retries), roles, scoping to
//! the office, accent-insensitive search with pages, and activation with the one-time
//! code.

mod common;

use chrono::{DateTime, TimeDelta};
use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::domain::account::ACTIVATION_ALPHABET;
use motcua::portal::auth::digest;
use reqwest::header;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// A number that is not in the demo seed: Bến Tre (083), a man born in 1990.
const NEW_NUMBER: &str = "083090777001";
/// The password a citizen chooses when activating.
const CITIZEN_PASSWORD: &str = "Cong-dan-2027!";

fn new_citizen() -> Value {
    json!({
        "id_number": NEW_NUMBER,
        "full_name": "Trần Văn Mới",
        "date_of_birth": "1990-05-17",
        "gender": "male",
        "phone": "0912 345 678",
        "email": "tran.van.moi@example.com",
        "address": "Số 5 đường Nguyễn Đình Chiểu, Phường An Hội, TP. Bến Tre",
    })
}

fn new_key() -> String {
    format!("\"{}\"", uuid::Uuid::new_v4())
}

async fn post_citizen(p: &Portal, token: &str, key: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = p.post("/citizens").bearer_auth(token).json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    status_json(request.send().await.unwrap()).await
}

/// Creates [`new_citizen`] as `tiepnhan1`; returns the citizen's id and the code.
async fn create_new(p: &Portal) -> (String, String) {
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (status, body) = post_citizen(p, &token, Some(&new_key()), &new_citizen()).await;
    assert_eq!(status, 201, "{body}");
    (
        body["citizen"]["id"].as_str().unwrap().to_owned(),
        body["activation"]["code"].as_str().unwrap().to_owned(),
    )
}

async fn count(p: &Portal, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(bind)
        .fetch_one(&p.running.state.db)
        .await
        .unwrap()
}

/// The citizen's public id.
async fn citizen_id_of(p: &Portal, number: &str) -> String {
    sqlx::query_scalar("SELECT public_id FROM citizens WHERE id_number = $1")
        .bind(number)
        .fetch_one(&p.running.state.db)
        .await
        .unwrap()
}

async fn activate(p: &Portal, number: &str, code: &str, password: &str) -> (u16, Value) {
    let res = p
        .post("/citizen/activate")
        .json(&json!({"id_number": number, "code": code, "new_password": password}))
        .send()
        .await
        .unwrap();
    status_json(res).await
}

async fn get_json(p: &Portal, token: &str, path: &str) -> (u16, Value) {
    status_json(p.get(path).bearer_auth(token).send().await.unwrap()).await
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["full_name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_desk_creates_an_account_with_an_activation_code() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let mut body = new_citizen();
    // Decomposed marks and stray spaces, as some keyboards and pastes give them.
    body["full_name"] = json!("  Tra\u{0302}\u{0300}n Va\u{0306}n Mo\u{031b}\u{0301}i ");
    let res = p
        .post("/citizens")
        .bearer_auth(&token)
        .header("Idempotency-Key", new_key())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    let (_, body) = status_json(res).await;
    let citizen = &body["citizen"];
    let id = citizen["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/citizens/{id}"));
    assert_eq!(citizen["id_number"], NEW_NUMBER);
    assert_eq!(citizen["full_name"], "Trần Văn Mới", "NFC and trimmed");
    assert_eq!(
        citizen["phone"], "0912345678",
        "stored as the national number"
    );
    assert_eq!(citizen["gender"], "male");
    assert_eq!(citizen["date_of_birth"], "1990-05-17");
    assert_eq!(citizen["email"], "tran.van.moi@example.com");
    assert!(citizen["legacy_id_number"].is_null());
    assert_eq!(citizen["activated"], false);
    let me = get_json(&p, &token, "/me").await.1;
    assert_eq!(citizen["office_id"], me["office"]["id"]);

    let code = body["activation"]["code"].as_str().unwrap();
    assert_eq!(code.len(), 8);
    assert!(
        code.bytes().all(|b| ACTIVATION_ALPHABET.contains(&b)),
        "{code}"
    );
    let expires =
        DateTime::parse_from_rfc3339(body["activation"]["expires_at"].as_str().unwrap()).unwrap();
    let valid_for = expires.timestamp() - p.running.state.clock.unix();
    assert!(
        (72 * 3600 - 60..=72 * 3600).contains(&valid_for),
        "{valid_for}"
    );

    // One login without a password, and the code only as its digest.
    let db = &p.running.state.db;
    let (role, hash): (String, Option<String>) =
        sqlx::query_as("SELECT role, password_hash FROM users WHERE username = $1")
            .bind(NEW_NUMBER)
            .fetch_one(db)
            .await
            .unwrap();
    assert_eq!((role.as_str(), hash), ("citizen", None));
    let stored: String = sqlx::query_scalar(
        "SELECT a.code_hash FROM activation_codes a JOIN citizens c ON c.id = a.citizen_id \
             WHERE c.public_id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(stored, digest(code));
    let leaked = count(
        &p,
        "SELECT (SELECT COUNT(*) FROM idempotency WHERE response LIKE '%' || $1 || '%') \
              + (SELECT COUNT(*) FROM audit WHERE COALESCE(detail, '') LIKE '%' || $1 || '%')",
        code,
    )
    .await;
    assert_eq!(leaked, 0, "the code is kept nowhere in clear");
    assert_eq!(p.audit_count("citizen_created").await, 1);

    // A fresh account is found at once, and cannot log in before activation.
    let (_, found) = get_json(&p, &token, &format!("/citizens?id_number={NEW_NUMBER}")).await;
    assert_eq!(found["total"], 1);
    let res = p
        .post("/auth/login")
        .json(&json!({"username": NEW_NUMBER, "password": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn each_invalid_field_is_named() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let cases: &[(&str, Value, &str)] = &[
        ("id_number", json!("08309077700"), "12 chữ số"),
        ("id_number", json!("083O90777001"), "chỉ gồm chữ số"),
        ("id_number", json!("999090777001"), "mã tỉnh"),
        ("phone", json!("0952 345 678"), "095"),
        ("phone", json!("091234567"), "10 chữ số"),
        ("email", json!("tran.van.moi@example"), "thư điện tử"),
        ("email", json!("tran van moi@example.com"), "thư điện tử"),
        ("full_name", json!("   "), "họ và tên"),
        ("address", json!(""), "địa chỉ"),
        ("date_of_birth", json!("17/05/1990"), "năm-tháng-ngày"),
        ("date_of_birth", json!("1990-02-30"), "năm-tháng-ngày"),
        ("legacy_id_number", json!("12345678"), "9 chữ số"),
    ];
    for (field, value, says) in cases {
        let mut body = new_citizen();
        body[*field] = value.clone();
        let (status, answer) = post_citizen(&p, &token, Some(&new_key()), &body).await;
        assert_eq!(status, 422, "{field} = {value}: {answer}");
        assert_eq!(answer["error"]["code"], "validation_failed");
        let fields = answer["error"]["fields"].as_object().unwrap();
        assert_eq!(
            fields.keys().collect::<Vec<_>>(),
            [field],
            "only {field} is wrong"
        );
        let message = fields[*field].as_str().unwrap();
        assert!(message.contains(says), "{field} = {value}: {message}");
        assert!(message.contains("Hãy"), "says what to do: {message}");
    }
    // The number must agree with the date of birth and the gender.
    let mut body = new_citizen();
    body["date_of_birth"] = json!("1991-05-17");
    let (status, answer) = post_citizen(&p, &token, Some(&new_key()), &body).await;
    assert_eq!(status, 422);
    let message = answer["error"]["fields"]["id_number"].as_str().unwrap();
    assert!(
        message.contains("1990") && message.contains("1991"),
        "{message}"
    );
    let mut body = new_citizen();
    body["gender"] = json!("female");
    let (status, answer) = post_citizen(&p, &token, Some(&new_key()), &body).await;
    assert_eq!(status, 422);
    assert!(
        answer["error"]["fields"]["id_number"].is_string(),
        "{answer}"
    );
    // A birth date after today.
    let mut body = new_citizen();
    body["id_number"] = json!("083299777001");
    body["date_of_birth"] = json!("2099-01-01");
    let (status, answer) = post_citizen(&p, &token, Some(&new_key()), &body).await;
    assert_eq!(status, 422);
    assert!(
        answer["error"]["fields"]["date_of_birth"].is_string(),
        "{answer}"
    );

    assert_eq!(
        count(
            &p,
            "SELECT COUNT(*) FROM citizens WHERE id_number = $1",
            NEW_NUMBER
        )
        .await,
        0
    );
}

#[tokio::test]
async fn every_invalid_field_is_named_at_once_in_either_language() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let body = json!({
        "id_number": "08309077700",
        "full_name": "",
        "date_of_birth": "1990-13-01",
        "phone": "12345",
        "email": "not-an-address",
        "address": "Phường An Hội",
    });
    for lang in ["vi", "en"] {
        let res = p
            .post("/citizens")
            .bearer_auth(&token)
            .header("Idempotency-Key", new_key())
            .header(header::ACCEPT_LANGUAGE, lang)
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, answer) = status_json(res).await;
        assert_eq!(status, 422);
        let fields = answer["error"]["fields"].as_object().unwrap();
        let named: BTreeSet<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(
            named,
            BTreeSet::from([
                "date_of_birth",
                "email",
                "full_name",
                "gender",
                "id_number",
                "phone"
            ]),
            "{answer}"
        );
        if lang == "en" {
            assert!(
                fields["gender"]
                    .as_str()
                    .unwrap()
                    .contains("Choose male or female"),
                "{answer}"
            );
            assert!(fields["id_number"].as_str().unwrap().contains("12 digits"));
        } else {
            assert!(fields["gender"].as_str().unwrap().contains("Nam hoặc Nữ"));
        }
    }
}

#[tokio::test]
async fn a_number_that_has_an_account_is_refused_with_its_id() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let mut demo = new_citizen();
    demo["id_number"] = json!("083078238953");
    demo["date_of_birth"] = json!("1978-03-14");
    let (status, answer) = post_citizen(&p, &token, Some(&new_key()), &demo).await;
    assert_eq!(status, 409);
    assert_eq!(answer["error"]["code"], "citizen_exists");
    assert_eq!(
        answer["error"]["existing_id"],
        citizen_id_of(&p, "083078238953").await
    );

    let (id, _) = create_new(&p).await;
    let (status, answer) = post_citizen(&p, &token, Some(&new_key()), &new_citizen()).await;
    assert_eq!(status, 409);
    assert_eq!(answer["error"]["existing_id"], id);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("mở tài khoản đó")
    );
    // Another office is told the number is taken (it is unique everywhere), but not
    // whose: no id, and what to do instead.
    let other = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let (status, answer) = post_citizen(&p, &other, Some(&new_key()), &new_citizen()).await;
    assert_eq!(status, 409);
    assert_eq!(answer["error"]["code"], "citizen_exists");
    assert!(answer["error"].get("existing_id").is_none(), "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ngày sinh")
    );
}

#[tokio::test]
async fn creating_needs_an_idempotency_key() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (status, answer) = post_citizen(&p, &token, None, &new_citizen()).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["code"], "idempotency_key_missing");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key")
    );
    assert_eq!(
        count(
            &p,
            "SELECT COUNT(*) FROM citizens WHERE id_number = $1",
            NEW_NUMBER
        )
        .await,
        0
    );
}

#[tokio::test]
async fn an_idempotency_key_is_a_uuid_quoted_or_bare() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    for key in [
        "0",
        "\"abc\"",
        "\"\"",
        "{9b2f6a51-0c1e-4c57-9d39-2d0a5c6e8f11}",
    ] {
        let (status, answer) = post_citizen(&p, &token, Some(key), &new_citizen()).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (400, Some("bad_request")),
            "{key}"
        );
    }
    let bare = uuid::Uuid::new_v4().to_string();
    let (status, answer) = post_citizen(&p, &token, Some(&bare), &new_citizen()).await;
    assert_eq!(status, 201, "{answer}");
}

#[tokio::test]
async fn a_retry_replays_the_citizen_without_the_code() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let key = new_key();
    let (status, first) = post_citizen(&p, &token, Some(&key), &new_citizen()).await;
    assert_eq!(status, 201);
    assert!(first["activation"]["code"].is_string());

    // The same payload written differently (key order, spacing) is the same request.
    let text = serde_json::to_string_pretty(&new_citizen()).unwrap();
    let res = p
        .post("/citizens")
        .bearer_auth(&token)
        .header("Idempotency-Key", &key)
        .header(header::CONTENT_TYPE, "application/json")
        .body(text)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    let (_, replay) = status_json(res).await;
    assert_eq!(replay["citizen"], first["citizen"]);
    assert!(replay["activation"]["code"].is_null(), "{replay}");
    assert_eq!(
        replay["activation"]["expires_at"],
        first["activation"]["expires_at"]
    );
    assert_eq!(
        count(
            &p,
            "SELECT COUNT(*) FROM citizens WHERE id_number = $1",
            NEW_NUMBER
        )
        .await,
        1
    );
    assert_eq!(p.audit_count("citizen_created").await, 1);

    // The first code still works: the replay issued nothing.
    let code = first["activation"]["code"].as_str().unwrap();
    assert_eq!(
        activate(&p, NEW_NUMBER, code, CITIZEN_PASSWORD).await.0,
        204
    );
}

#[tokio::test]
async fn a_key_reused_for_another_payload_is_refused() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let key = new_key();
    assert_eq!(
        post_citizen(&p, &token, Some(&key), &new_citizen()).await.0,
        201
    );
    let mut other = new_citizen();
    other["full_name"] = json!("Trần Văn Khác");
    let (status, answer) = post_citizen(&p, &token, Some(&key), &other).await;
    assert_eq!(status, 422);
    assert_eq!(answer["error"]["code"], "idempotency_key_reused");
    // Keys are per user: another officer's identical key is a new request.
    let colleague = p.login("quantri1", DEMO_PASSWORD).await;
    let mut second = new_citizen();
    second["id_number"] = json!("083090777002");
    assert_eq!(
        post_citizen(&p, &colleague, Some(&key), &second).await.0,
        201
    );
}

#[tokio::test]
async fn fifty_concurrent_retries_create_one_citizen() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let key = new_key();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let request = p
            .post("/citizens")
            .bearer_auth(&token)
            .header("Idempotency-Key", &key)
            .json(&new_citizen());
        tasks.push(tokio::spawn(async move {
            status_json(request.send().await.unwrap()).await
        }));
    }
    let mut ids = BTreeSet::new();
    let mut codes = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            201 => {
                ids.insert(body["citizen"]["id"].as_str().unwrap().to_owned());
                if body["activation"]["code"].is_string() {
                    codes += 1;
                }
            }
            409 => assert_eq!(body["error"]["code"], "request_in_progress", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(ids.len(), 1, "every 201 names the same citizen");
    assert_eq!(codes, 1, "only the request that created it shows the code");
    assert_eq!(
        count(
            &p,
            "SELECT COUNT(*) FROM citizens WHERE id_number = $1",
            NEW_NUMBER
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &p,
            "SELECT COUNT(*) FROM users WHERE username = $1",
            NEW_NUMBER
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_specialist_may_search_but_not_create() {
    let p = Portal::demo().await;
    let token = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let (status, page) = get_json(&p, &token, "/citizens").await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 11, "office 1 has 11 demo citizens");
    let (status, answer) = post_citizen(&p, &token, Some(&new_key()), &new_citizen()).await;
    assert_eq!(status, 403);
    assert_eq!(answer["error"]["code"], "forbidden");
    assert_eq!(p.audit_count("access_refused").await, 1);
    // Leaders may not either; the office's administrator may.
    let leader = p.login("lanhdao1", DEMO_PASSWORD).await;
    assert_eq!(
        post_citizen(&p, &leader, Some(&new_key()), &new_citizen())
            .await
            .0,
        403
    );
    let admin = p.login("quantri1", DEMO_PASSWORD).await;
    assert_eq!(
        post_citizen(&p, &admin, Some(&new_key()), &new_citizen())
            .await
            .0,
        201
    );
    // Citizens see no one else.
    let citizen = p.login("083078238953", DEMO_PASSWORD).await;
    assert_eq!(get_json(&p, &citizen, "/citizens").await.0, 403);
    assert_eq!(get_json(&p, "no-token", "/citizens").await.0, 401);
}

#[tokio::test]
async fn search_ignores_marks_and_stays_in_the_office() {
    let p = Portal::demo().await;
    let one = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let two = p.login("chuyenvien2", DEMO_PASSWORD).await;
    let (status, page) = get_json(&p, &one, "/citizens?q=nguyen%20van").await;
    assert_eq!(status, 200);
    assert_eq!(names(&page), ["Nguyễn Văn An"], "office 1 only");
    assert_eq!(page["total"], 1);
    assert!(page["next_cursor"].is_null());
    let (_, page) = get_json(&p, &two, "/citizens?q=nguyen%20van").await;
    assert_eq!(names(&page), ["Nguyễn Văn Bình"]);
    let (_, page) = get_json(&p, &one, "/citizens?q=NGUY%E1%BB%84N").await;
    assert_eq!(names(&page), ["Nguyễn Văn An", "Nguyễn Thị Thanh Hương"]);
    // Phone numbers in any written form, and the start of an identity number.
    let (_, page) = get_json(&p, &one, "/citizens?q=%2B84%20384%20350%20158").await;
    assert_eq!(names(&page), ["Nguyễn Văn An"]);
    let (_, page) = get_json(&p, &one, "/citizens?q=0831906").await;
    assert_eq!(names(&page), ["Trần Thị Bích Ngọc"]);
    // Punctuation only separates words: a lone wildcard is no word and finds everyone,
    // and a wildcard inside a word does not stand for a letter.
    let (_, page) = get_json(&p, &one, "/citizens?q=%25").await;
    assert_eq!(page["total"], 11);
    let (_, page) = get_json(&p, &one, "/citizens?q=ng_yen").await;
    assert_eq!(page["total"], 0);
    // The exact number.
    let (_, page) = get_json(&p, &one, "/citizens?id_number=083078238953").await;
    assert_eq!(names(&page), ["Nguyễn Văn An"]);
    let (_, page) = get_json(&p, &one, "/citizens?id_number=083069502300").await;
    assert_eq!(page["total"], 0, "office 2's citizen is not office 1's");
}

#[tokio::test]
async fn lists_come_in_pages() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let mut seen = Vec::new();
    let mut path = "/citizens?limit=4".to_owned();
    let mut sizes = Vec::new();
    loop {
        let (status, page) = get_json(&p, &token, &path).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], 11);
        let items = page["items"].as_array().unwrap();
        sizes.push(items.len());
        seen.extend(items.iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                // Opaque, and no row number inside: it names the last citizen by id.
                let inside = base64::Engine::decode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    cursor,
                )
                .unwrap();
                let inside = String::from_utf8(inside).unwrap();
                assert!(inside.ends_with(seen.last().unwrap()), "{inside}");
                path = format!("/citizens?limit=4&cursor={cursor}");
            }
            None => break,
        }
    }
    assert_eq!(sizes, [4, 4, 3]);
    let distinct: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(distinct.len(), 11);
    for bad in [
        "/citizens?cursor=not-a-cursor",
        "/citizens?limit=0",
        "/citizens?limit=501",
        "/citizens?limit=many",
    ] {
        let (status, answer) = get_json(&p, &token, bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(answer["error"]["code"], "bad_request", "{bad}");
    }
}

/// Files a birth registration of citizen `number` at the desk of office `n`, through the
/// API, and returns its code.
/// The citizen is named by the card they present (number and date of birth), which any
/// office may do.
async fn file_dossier(p: &Portal, n: i64, number: &str) -> String {
    let born: String =
        sqlx::query_scalar("SELECT date_of_birth FROM citizens WHERE id_number = $1")
            .bind(number)
            .fetch_one(&p.running.state.db)
            .await
            .unwrap();
    let token = p.login(&format!("tiepnhan{n}"), DEMO_PASSWORD).await;
    let mut body = p.submission("1.001193", "").await;
    body["applicant"] = json!({"id_number": number, "date_of_birth": born});
    let (status, dossier) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{dossier}");
    dossier["code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn another_offices_citizen_does_not_exist_until_they_apply_here() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    // Nguyễn Văn Bình belongs to office 2.
    let binh = citizen_id_of(&p, "083069502300").await;
    let (status, answer) = get_json(&p, &token, &format!("/citizens/{binh}")).await;
    assert_eq!(status, 404);
    assert_eq!(answer["error"]["code"], "not_found");
    assert_eq!(p.audit_count("access_refused").await, 1);
    for missing in [
        "/citizens/999999",
        "/citizens/abc",
        "/citizens/-1",
        "/citizens/00000000000000000000000000000000",
    ] {
        assert_eq!(get_json(&p, &token, missing).await.0, 404, "{missing}");
    }
    assert_eq!(
        p.audit_count("access_refused").await,
        1,
        "nothing to refuse when nothing exists"
    );

    // Once he files a dossier at office 1, office 1 sees him and that dossier only.
    let here = file_dossier(&p, 1, "083069502300").await;
    let there = file_dossier(&p, 2, "083069502300").await;
    assert!(there.starts_with("000.02.27.H07-"));
    let (status, detail) = get_json(&p, &token, &format!("/citizens/{binh}")).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["full_name"], "Nguyễn Văn Bình");
    let dossiers = detail["dossiers"].as_array().unwrap();
    assert_eq!(dossiers.len(), 1, "{detail}");
    assert_eq!(dossiers[0]["code"], here);
    assert_eq!(dossiers[0]["status"], "received");
    assert_eq!(dossiers[0]["procedure_code"], "1.001193");
    assert!(dossiers[0]["due_at"].is_string());
    let (_, page) = get_json(&p, &token, "/citizens?q=binh").await;
    assert_eq!(names(&page), ["Nguyễn Văn Bình"]);

    // A demo citizen of office 1 has no dossiers yet.
    let an = citizen_id_of(&p, "083078238953").await;
    let (status, detail) = get_json(&p, &token, &format!("/citizens/{an}")).await;
    assert_eq!(status, 200);
    assert_eq!(detail["dossiers"], json!([]));
    assert_eq!(detail["activated"], true);
}

#[tokio::test]
async fn activation_end_to_end() {
    let p = Portal::demo().await;
    let (_, code) = create_new(&p).await;
    // Typed from the slip: lower case, in two groups.
    let typed = format!("{} {}", &code[..4], &code[4..]).to_lowercase();

    let (status, answer) = activate(&p, NEW_NUMBER, &typed, "yeu").await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["code"], "validation_failed");
    assert!(answer["error"]["fields"]["new_password"].is_string());
    let (status, _) = activate(&p, NEW_NUMBER, &typed, &format!("X{NEW_NUMBER}!a")).await;
    assert_eq!(status, 422, "the number inside the password");

    let (status, answer) = activate(&p, NEW_NUMBER, &typed, CITIZEN_PASSWORD).await;
    assert_eq!(status, 204, "{answer}");
    assert_eq!(p.audit_count("citizen_activated").await, 1);
    let token = p.login(NEW_NUMBER, CITIZEN_PASSWORD).await;
    let me = get_json(&p, &token, "/me").await.1;
    assert_eq!(me["role"], "citizen");
    assert_eq!(me["full_name"], "Trần Văn Mới");

    let (status, answer) = activate(&p, NEW_NUMBER, &code, "Lan-thu-hai-2027!").await;
    assert_eq!(status, 401, "a code works once");
    assert_eq!(answer["error"]["code"], "activation_used");
    p.login(NEW_NUMBER, CITIZEN_PASSWORD).await;

    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (_, page) = get_json(&p, &desk, &format!("/citizens?id_number={NEW_NUMBER}")).await;
    assert_eq!(page["items"][0]["activated"], true);
}

#[tokio::test]
async fn a_wrong_code_or_number_is_refused_alike() {
    let p = Portal::demo().await;
    let (_, code) = create_new(&p).await;
    // The same code with its first letter changed.
    let first = if code.starts_with('2') { "3" } else { "2" };
    let wrong = format!("{first}{}", &code[1..]);
    let (status, bad_code) = activate(&p, NEW_NUMBER, &wrong, CITIZEN_PASSWORD).await;
    assert_eq!(status, 401);
    assert_eq!(bad_code["error"]["code"], "invalid_activation");
    let (status, bad_number) = activate(&p, "083090777009", &code, CITIZEN_PASSWORD).await;
    assert_eq!(status, 401);
    assert_eq!(
        bad_code, bad_number,
        "nothing tells which numbers have accounts"
    );
    // A demo citizen activated long ago has no code at all.
    let (status, _) = activate(&p, "083078238953", &code, CITIZEN_PASSWORD).await;
    assert_eq!(status, 401);
    assert_eq!(p.audit_count("activation_failed").await, 3);
    let (status, answer) = status_json(
        p.post("/citizen/activate")
            .json(&json!({"id_number": NEW_NUMBER}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["code"], "bad_request");
    // Nothing was spent: the right code still works.
    assert_eq!(
        activate(&p, NEW_NUMBER, &code, CITIZEN_PASSWORD).await.0,
        204
    );
}

#[tokio::test]
async fn guessing_codes_is_throttled() {
    let p = Portal::demo().await;
    let (_, code) = create_new(&p).await;
    for _ in 0..5 {
        let (status, _) = activate(&p, NEW_NUMBER, "22222222", CITIZEN_PASSWORD).await;
        assert_eq!(status, 401);
    }
    let res = p
        .post("/citizen/activate")
        .json(&json!({"id_number": NEW_NUMBER, "code": code, "new_password": CITIZEN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "even the right code waits");
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    p.running.state.clock.advance(TimeDelta::minutes(16));
    assert_eq!(
        activate(&p, NEW_NUMBER, &code, CITIZEN_PASSWORD).await.0,
        204
    );
}

#[tokio::test]
async fn an_expired_code_is_gone() {
    let p = Portal::demo().await;
    let (_, code) = create_new(&p).await;
    p.running.state.clock.advance(TimeDelta::hours(73));
    let (status, answer) = activate(&p, NEW_NUMBER, &code, CITIZEN_PASSWORD).await;
    assert_eq!(status, 410);
    assert_eq!(answer["error"]["code"], "activation_expired");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cấp mã mới")
    );
}

#[tokio::test]
async fn a_new_code_revokes_the_old_one() {
    let p = Portal::demo().await;
    let (id, old) = create_new(&p).await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let path = format!("/citizens/{id}/activation");
    let key = new_key();
    let issue = |key: Option<String>, token: String| {
        let mut request = p.post(&path).bearer_auth(token);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        async move { status_json(request.send().await.unwrap()).await }
    };

    let (status, answer) = issue(None, desk.clone()).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["code"], "idempotency_key_missing");
    let specialist = p.login("chuyenvien1", DEMO_PASSWORD).await;
    assert_eq!(issue(Some(new_key()), specialist).await.0, 403);
    let elsewhere = p.login("tiepnhan2", DEMO_PASSWORD).await;
    assert_eq!(issue(Some(new_key()), elsewhere).await.0, 404);

    let (status, fresh) = issue(Some(key.clone()), desk.clone()).await;
    assert_eq!(status, 201, "{fresh}");
    let new = fresh["code"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(fresh["expires_at"].is_string());
    let (status, replay) = issue(Some(key.clone()), desk.clone()).await;
    assert_eq!(status, 201);
    assert!(replay["code"].is_null(), "a replay withholds the code");
    assert_eq!(replay["expires_at"], fresh["expires_at"]);
    assert_eq!(p.audit_count("activation_issued").await, 1);

    let (status, answer) = activate(&p, NEW_NUMBER, &old, CITIZEN_PASSWORD).await;
    assert_eq!(status, 401);
    assert_eq!(answer["error"]["code"], "invalid_activation");
    assert_eq!(
        activate(&p, NEW_NUMBER, &new, CITIZEN_PASSWORD).await.0,
        204
    );

    // A forgotten password: a new code lets the citizen set another, and ends the
    // sessions of the old one.
    let session = p.login(NEW_NUMBER, CITIZEN_PASSWORD).await;
    let card = json!({"id_number": NEW_NUMBER, "date_of_birth": "1990-05-17"});
    let (status, again) = status_json(
        p.post(&path)
            .bearer_auth(&desk)
            .header("Idempotency-Key", new_key())
            .json(&card)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(p.audit_count("password_reset_issued").await, 1);
    let third = again["code"].as_str().unwrap();
    assert_eq!(
        activate(&p, NEW_NUMBER, third, "Mat-khau-moi-2028!")
            .await
            .0,
        204
    );
    assert_eq!(get_json(&p, &session, "/me").await.0, 401);
    p.login(NEW_NUMBER, "Mat-khau-moi-2028!").await;
}
