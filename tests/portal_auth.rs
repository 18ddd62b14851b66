//! Authentication of the reference portal over real HTTP: login and `/me`, the single
//! answer for every bad credential, the audit trail, logout, the idle timer and the
//! absolute lifetime, throttling per account and per address, and password changes.

mod common;

use chrono::{DateTime, TimeDelta};
use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::portal::auth::digest;
use motcua::portal::state::Settings;
use reqwest::header;
use serde_json::{Value, json};
use std::time::Duration;

/// A staff password that meets the policy and is not the demo one.
const NEW_PASSWORD: &str = "Doi-mat-khau-2027!";

async fn login_raw(p: &Portal, username: &str, password: &str) -> reqwest::Response {
    p.post("/auth/login")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

/// user_id, username, role, office_id, client of an audit row.
type AuditRow = (
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

async fn me(p: &Portal, token: &str) -> (u16, Value) {
    status_json(p.get("/me").bearer_auth(token).send().await.unwrap()).await
}

/// `/me` as a background poll: it must not extend the idle timer.
async fn me_polling(p: &Portal, token: &str) -> u16 {
    p.get("/me")
        .bearer_auth(token)
        .header("X-No-Extend", "1")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn advance(p: &Portal, by: TimeDelta) {
    p.running.state.clock.advance(by);
}

#[tokio::test]
async fn login_gives_a_token_and_me_the_user() {
    let p = Portal::demo().await;
    let (status, body) = status_json(login_raw(&p, "tiepnhan1", DEMO_PASSWORD).await).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap();
    // 128 bits at least: 22 characters of base64.
    assert!(token.len() >= 22, "{token}");
    assert_eq!(body["idle_timeout_s"], 1800);
    let expires = DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        expires.offset().local_minus_utc(),
        7 * 3600,
        "times are at +07:00"
    );
    let lifetime = expires.timestamp() - p.running.state.clock.unix();
    assert!(
        (12 * 3600 - 60..=12 * 3600).contains(&lifetime),
        "{lifetime}"
    );
    let user = &body["user"];
    assert_eq!(user["username"], "tiepnhan1");
    assert_eq!(user["role"], "reception");
    assert_eq!(user["full_name"], "Nguyễn Thị Kim Thoa");
    assert_eq!(user["office"]["code"], "000.01.27.H07");
    assert_eq!(user["office"]["name"], "UBND Phường An Hội");
    // What a desk prints on a receipt with the link down.
    assert_eq!(
        user["office"]["address"],
        "Số 1 đường Hai Bà Trưng, Phường An Hội, TP. Bến Tre, tỉnh Bến Tre"
    );
    assert_eq!(user["office"]["phone"], "02753822101");
    assert_eq!(user["training"], false);

    let (status, me_body) = me(&p, token).await;
    assert_eq!(status, 200);
    assert_eq!(&me_body, user, "/me is the user of the login answer");
}

#[tokio::test]
async fn usernames_are_trimmed_and_case_folded() {
    let p = Portal::demo().await;
    let res = login_raw(&p, "  TiepNhan1 ", DEMO_PASSWORD).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_citizen_logs_in_with_the_number_and_has_no_office() {
    let p = Portal::demo().await;
    let token = p.login("083078238953", DEMO_PASSWORD).await;
    let (status, body) = me(&p, &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["role"], "citizen");
    assert_eq!(body["full_name"], "Nguyễn Văn An");
    assert!(body["office"].is_null(), "{body}");
}

#[tokio::test]
async fn a_training_portal_says_so() {
    let p = Portal::with(
        Settings {
            training: true,
            ..Default::default()
        },
        motcua::portal::Seed::Accounts,
    )
    .await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    assert_eq!(me(&p, &token).await.1["training"], true);
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let p = Portal::demo().await;
    for lang in ["vi", "en"] {
        let send = |user: &'static str| {
            p.post("/auth/login")
                .header(header::ACCEPT_LANGUAGE, lang)
                .json(&json!({"username": user, "password": "Sai-mat-khau-1"}))
                .send()
        };
        let (wrong_status, wrong) = status_json(send("tiepnhan2").await.unwrap()).await;
        let (unknown_status, unknown) = status_json(send("khongtontai").await.unwrap()).await;
        assert_eq!(wrong_status, 401);
        assert_eq!(unknown_status, 401);
        assert_eq!(wrong["error"]["code"], "invalid_credentials");
        assert_eq!(wrong, unknown, "nothing tells who has an account ({lang})");
    }
    // A citizen who has not activated has no password: refused the same way.
    let res = login_raw(&p, "083078238953", "").await;
    let (status, body) = status_json(res).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "invalid_credentials");
}

#[tokio::test]
async fn every_attempt_leaves_an_audit_row() {
    let p = Portal::demo().await;
    assert_eq!(p.audit_count("login_ok").await, 0);
    assert_eq!(p.audit_count("login_failed").await, 0);
    p.login("chuyenvien1", DEMO_PASSWORD).await;
    login_raw(&p, "chuyenvien1", "Sai-mat-khau-1").await;
    login_raw(&p, "khongtontai", "Sai-mat-khau-1").await;
    p.login("lanhdao2", DEMO_PASSWORD).await;
    assert_eq!(p.audit_count("login_ok").await, 2);
    assert_eq!(p.audit_count("login_failed").await, 2);

    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT user_id, username, role, office_id, client FROM audit \
         WHERE event = 'login_ok' ORDER BY id",
    )
    .fetch_all(&p.running.state.db)
    .await
    .unwrap();
    assert_eq!(rows[0].1.as_deref(), Some("chuyenvien1"));
    assert_eq!(rows[0].2.as_deref(), Some("specialist"));
    assert!(rows[0].0.is_some() && rows[0].3.is_some());
    assert_eq!(rows[0].4.as_deref(), Some("127.0.0.1"));
    assert_eq!(rows[1].1.as_deref(), Some("lanhdao2"));

    let failed: Vec<(Option<i64>, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT user_id, username, client FROM audit WHERE event = 'login_failed' ORDER BY id",
    )
    .fetch_all(&p.running.state.db)
    .await
    .unwrap();
    assert_eq!(
        failed[0],
        (None, Some("chuyenvien1".into()), Some("127.0.0.1".into()))
    );
    assert_eq!(failed[1].1.as_deref(), Some("khongtontai"));
    // The password tried is never written down.
    let leaked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit WHERE COALESCE(detail, '') LIKE '%Sai-mat-khau%'",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    assert_eq!(leaked, 0);
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let db = &p.running.state.db;
    let clear: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash LIKE '%' || $1 || '%'")
            .bind(&token)
            .fetch_one(db)
            .await
            .unwrap();
    assert_eq!(
        clear, 0,
        "the token itself is nowhere in the sessions table"
    );
    let hashed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
        .bind(digest(&token))
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(hashed, 1);
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let other = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let res = p
        .post("/auth/logout")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (status, body) = me(&p, &token).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");
    let res = p
        .post("/auth/logout")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "a revoked token cannot log out again");
    assert_eq!(me(&p, &other).await.0, 200, "only that one session ends");
}

#[tokio::test]
async fn missing_or_garbage_bearer_is_unauthenticated() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (status, body) = status_json(p.get("/me").send().await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("đăng nhập lại")
    );
    for value in [
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "Bearer not-a-token".to_owned(),
        format!("Bearer {token}x"),
        format!("Basic {token}"),
        token.clone(),
    ] {
        let res = p
            .get("/me")
            .header(header::AUTHORIZATION, &value)
            .send()
            .await
            .unwrap();
        let (status, body) = status_json(res).await;
        assert_eq!(status, 401, "{value}");
        assert_eq!(body["error"]["code"], "unauthenticated", "{value}");
    }
    // The scheme is case-insensitive (RFC 9110 §11.1).
    let res = p
        .get("/me")
        .header(header::AUTHORIZATION, format!("bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn an_idle_token_dies() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    advance(&p, TimeDelta::minutes(29));
    // A background poll inside the window is answered, but must not keep it alive.
    assert_eq!(me_polling(&p, &token).await, 200);
    advance(&p, TimeDelta::minutes(2));
    let (status, body) = me(&p, &token).await;
    assert_eq!(status, 401, "31 minutes after the last real request");
    assert_eq!(body["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn a_request_inside_the_window_extends_it() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    for _ in 0..3 {
        advance(&p, TimeDelta::minutes(20));
        assert_eq!(me(&p, &token).await.0, 200);
    }
    // 60 minutes after login, still alive; now idle for 31 minutes.
    advance(&p, TimeDelta::minutes(31));
    assert_eq!(me(&p, &token).await.0, 401);
}

#[tokio::test]
async fn background_polls_do_not_extend_it() {
    let p = Portal::demo().await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    for _ in 0..3 {
        advance(&p, TimeDelta::minutes(9));
        assert_eq!(me_polling(&p, &token).await, 200);
    }
    // 27 minutes of polling only, then 4 more: the timer ran from the login.
    advance(&p, TimeDelta::minutes(4));
    assert_eq!(me_polling(&p, &token).await, 401);
    assert_eq!(me(&p, &token).await.0, 401);
}

#[tokio::test]
async fn the_absolute_lifetime_ends_a_busy_token() {
    let p = Portal::with(
        Settings {
            idle_timeout: Duration::from_secs(10 * 3600),
            token_lifetime: Duration::from_secs(3600),
            ..Default::default()
        },
        motcua::portal::Seed::Accounts,
    )
    .await;
    let (status, body) = status_json(login_raw(&p, "tiepnhan1", DEMO_PASSWORD).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["idle_timeout_s"], 36000);
    let token = body["token"].as_str().unwrap();
    let expires = DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap()).unwrap();
    let lifetime = expires.timestamp() - p.running.state.clock.unix();
    assert!((3540..=3600).contains(&lifetime), "{lifetime}");
    for _ in 0..5 {
        advance(&p, TimeDelta::minutes(11));
        assert_eq!(me(&p, token).await.0, 200);
    }
    advance(&p, TimeDelta::minutes(6));
    let (status, body) = me(&p, token).await;
    assert_eq!(status, 401, "61 minutes after login, however busy");
    assert_eq!(body["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let p = Portal::demo().await;
    let max = Settings::default().max_failures_per_account;
    for _ in 0..max {
        assert_eq!(
            login_raw(&p, "tiepnhan1", "Sai-mat-khau-1").await.status(),
            401
        );
    }
    let res = login_raw(&p, "tiepnhan1", DEMO_PASSWORD).await;
    assert_eq!(res.status(), 429, "even the right password waits");
    let after: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let window = Settings::default().throttle_window.as_secs();
    assert!((1..=window).contains(&after), "{after}");
    let (_, body) = status_json(res).await;
    assert_eq!(body["error"]["code"], "too_many_requests");
    // The refusal is audited, with who was tried and from where; the password was not
    // checked, so it is no failed login.
    let throttled: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT username, client FROM audit WHERE event = 'login_throttled' ORDER BY id",
    )
    .fetch_all(&p.running.state.db)
    .await
    .unwrap();
    assert_eq!(
        throttled,
        vec![(Some("tiepnhan1".into()), Some("127.0.0.1".into()))]
    );
    assert_eq!(p.audit_count("login_failed").await, i64::from(max));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{after} giây"))
    );
    // Another account from the same address is not locked out by this one.
    p.login("chuyenvien1", DEMO_PASSWORD).await;

    advance(&p, TimeDelta::seconds(after as i64 + 1));
    p.login("tiepnhan1", DEMO_PASSWORD).await;
}

/// An address is locked after three failures; an account only after ten, so the
/// address's limit is the one a test meets.
fn three_failures_per_address(trusted_proxies: Vec<std::net::IpAddr>) -> Settings {
    Settings {
        max_failures_per_account: 10,
        max_failures_per_address: 3,
        trusted_proxies,
        ..Default::default()
    }
}

#[tokio::test]
async fn repeated_failures_from_one_address_lock_it() {
    let p = Portal::with(
        three_failures_per_address(Vec::new()),
        motcua::portal::Seed::Accounts,
    )
    .await;
    for user in ["tiepnhan1", "chuyenvien1", "khongtontai"] {
        assert_eq!(login_raw(&p, user, "Sai-mat-khau-1").await.status(), 401);
    }
    let res = login_raw(&p, "lanhdao2", DEMO_PASSWORD).await;
    assert_eq!(res.status(), 429, "a fresh account, but the same address");
    assert!(res.headers().contains_key(header::RETRY_AFTER));
    let window = Settings::default().throttle_window.as_secs() as i64;
    advance(&p, TimeDelta::seconds(window + 1));
    p.login("lanhdao2", DEMO_PASSWORD).await;
}

/// A login through a proxy, as the proxy forwards it.
async fn login_from(p: &Portal, forwarded: &str, username: &str, password: &str) -> u16 {
    p.post("/auth/login")
        .header("X-Forwarded-For", forwarded)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let p = Portal::with(
        three_failures_per_address(vec!["127.0.0.1".parse().unwrap()]),
        motcua::portal::Seed::Accounts,
    )
    .await;
    for user in ["tiepnhan1", "chuyenvien1", "khongtontai"] {
        let status = login_from(&p, "203.0.113.5", user, "Sai-mat-khau-1").await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        login_from(&p, "203.0.113.5", "lanhdao2", DEMO_PASSWORD).await,
        429,
        "the guesser's address is locked"
    );
    // Writing another address in front does not help: only the proxy's entry counts.
    assert_eq!(
        login_from(&p, "198.51.100.7, 203.0.113.5", "lanhdao2", DEMO_PASSWORD).await,
        429
    );
    // Another desk behind the same proxy is not.
    assert_eq!(
        login_from(&p, "203.0.113.6", "lanhdao2", DEMO_PASSWORD).await,
        200
    );
    // The audit log names the client, not the proxy.
    let clients: Vec<Option<String>> =
        sqlx::query_scalar("SELECT client FROM audit WHERE event = 'login_ok'")
            .fetch_all(&p.running.state.db)
            .await
            .unwrap();
    assert_eq!(clients, [Some("203.0.113.6".to_owned())]);
}

#[tokio::test]
async fn an_untrusted_peer_cannot_choose_its_address() {
    let p = Portal::with(
        three_failures_per_address(Vec::new()),
        motcua::portal::Seed::Accounts,
    )
    .await;
    for (n, user) in ["tiepnhan1", "chuyenvien1", "khongtontai"]
        .iter()
        .enumerate()
    {
        let forwarded = format!("203.0.113.{n}");
        assert_eq!(
            login_from(&p, &forwarded, user, "Sai-mat-khau-1").await,
            401
        );
    }
    assert_eq!(
        login_from(&p, "203.0.113.99", "lanhdao2", DEMO_PASSWORD).await,
        429,
        "X-Forwarded-For from a peer not trusted is ignored"
    );
}

#[tokio::test]
async fn password_change_enforces_the_policy_and_revokes_other_sessions() {
    let p = Portal::demo().await;
    let here = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let elsewhere = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let change = |current: &str, new: &str| {
        p.post("/auth/password")
            .bearer_auth(&here)
            .json(&json!({"current_password": current, "new_password": new}))
            .send()
    };

    let (status, body) = status_json(change(DEMO_PASSWORD, "Ngan-1!").await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "validation_failed");
    let why = body["error"]["fields"]["new_password"].as_str().unwrap();
    assert!(why.contains("12"), "the staff minimum is named: {why}");
    let (status, body) =
        status_json(change(DEMO_PASSWORD, "tiepnhan1-Moi-2027!").await.unwrap()).await;
    assert_eq!(status, 422, "the username inside the password");
    assert!(body["error"]["fields"]["new_password"].is_string());

    let (status, body) = status_json(change("Sai-mat-khau-1", NEW_PASSWORD).await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "invalid_credentials");
    assert_eq!(me(&p, &elsewhere).await.0, 200, "nothing changed yet");

    let res = change(DEMO_PASSWORD, NEW_PASSWORD).await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(p.audit_count("password_changed").await, 1);
    assert_eq!(
        me(&p, &here).await.0,
        200,
        "the session that changed it goes on"
    );
    assert_eq!(
        me(&p, &elsewhere).await.0,
        401,
        "whoever else had it is out"
    );
    assert_eq!(
        login_raw(&p, "tiepnhan1", DEMO_PASSWORD).await.status(),
        401
    );
    p.login("tiepnhan1", NEW_PASSWORD).await;
    // Another account kept the demo password.
    p.login("tiepnhan2", DEMO_PASSWORD).await;
}

#[tokio::test]
async fn a_body_that_is_not_json_gets_a_json_error() {
    let p = Portal::demo().await;
    let res = p
        .post("/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "bad_request");
    let res = p
        .post("/auth/login")
        .json(&json!({"username": "tiepnhan1"}))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("password")
    );
}
