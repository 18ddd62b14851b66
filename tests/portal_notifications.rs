//! Notices to citizens against a real SMTP server (aiosmtpd, `tests/common/smtp.rs`) and
//! an HTTP SMS gateway run by the test: each of the seven steps a citizen is told of sends
//! one e-mail with the dossier's code and the step; with the mail server stopped the
//! notices wait (`failed` with their attempts, or `queued`) and go out once it is back and
//! their time comes; a refused address is given up; a training portal catches its notices.
//! The worker's clock is the portal's: the tests move it and wake the worker, and await
//! its passes and the server's messages, never a time.

mod common;

use common::smtp::{SmtpServer, free_port};
use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::clock::Clock;
use motcua::portal::Seed;
use motcua::portal::notify::email::{EmailSettings, TlsMode};
use motcua::portal::notify::sms::SmsSettings;
use motcua::portal::notify::{self, Notifier};
use motcua::portal::state::Settings;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const LOOKUP: &str = "https://dichvucong.example.gov.vn/tra-cuu?ma={code}";
const FROM: &str = "Bộ phận Một cửa UBND Phường An Hội <motcua@anhoi.example.gov.vn>";

fn email_to(port: u16) -> EmailSettings {
    EmailSettings {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::None,
        username: None,
        password: None,
        from: FROM.into(),
        timeout: Duration::from_secs(20),
    }
}

fn settings(email: Option<EmailSettings>, sms: Option<SmsSettings>) -> Settings {
    Settings {
        notify: notify::Settings {
            lookup_url: LOOKUP.into(),
            email,
            sms,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A portal whose clock stands still at a Wednesday morning until the test moves it.
async fn portal(settings: Settings) -> Portal {
    let clock = Clock::system();
    clock.stop_at(motcua::clock::parse_instant("2026-03-04T09:00:00+07:00").unwrap());
    Portal::with_clock(settings, Seed::Accounts, clock).await
}

/// Office 1's first demo citizen with an e-mail address: (public id, e-mail, phone).
async fn citizen_with_email(p: &Portal) -> (String, String, String) {
    sqlx::query_as(
        "SELECT c.public_id, c.email, c.phone FROM citizens c JOIN offices o ON o.id = c.office_id \
         WHERE o.number = 1 AND c.email IS NOT NULL ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap()
}

/// Wakes the worker and waits for a pass that began after the wake.
async fn settle(notifier: &Arc<Notifier>) {
    tokio::time::timeout(common::smtp::PATIENCE, notifier.settle())
        .await
        .expect("the worker passes in time");
}

async fn notices(p: &Portal, token: &str, code: &str) -> Vec<Value> {
    let (s, list) = status_json(
        p.get(&format!("/dossiers/{code}/notifications"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{list}");
    list.as_array().unwrap().clone()
}

fn by_channel<'a>(list: &'a [Value], channel: &str) -> Vec<&'a Value> {
    list.iter().filter(|n| n["channel"] == channel).collect()
}

/// Takes a desk dossier of `procedure` in for `citizen`: its code.
async fn take_in(p: &Portal, desk: &str, procedure: &str, citizen: &str) -> String {
    let (s, d) = p
        .create_dossier(desk, &p.submission(procedure, citizen).await)
        .await;
    assert_eq!(s, 201, "{d}");
    d["code"].as_str().unwrap().to_owned()
}

/// Acts and answers the new version.
async fn act(p: &Portal, token: &str, code: &str, version: i64, body: Value) -> i64 {
    let (s, d) = p.act(token, code, version, body).await;
    assert_eq!(s, 200, "{d}");
    d["version"].as_i64().unwrap()
}

#[tokio::test]
async fn each_of_the_seven_steps_sends_one_email_with_its_code_and_step() {
    let mut smtp = SmtpServer::start(0, &[]).await;
    let p = portal(settings(Some(email_to(smtp.port)), None)).await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let specialist = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let leader = p.login("lanhdao1", DEMO_PASSWORD).await;
    let (citizen, address, _) = citizen_with_email(&p).await;
    // Marital status certificate: 3 working days, free.
    let procedure = "1.004873";

    // One dossier through received, supplement, received again, extended, result ready
    // and returned; one refused; one stopped.
    let a = take_in(&p, &desk, procedure, &citizen).await;
    let mut v = 1;
    v = act(
        &p,
        &desk,
        &a,
        v,
        json!({"action": "request_supplement", "reason": "Thiếu giấy tờ",
               "missing_documents": ["Giấy xác nhận cư trú"]}),
    )
    .await;
    v = act(&p, &desk, &a, v, json!({"action": "supplement_received"})).await;
    v = act(
        &p,
        &desk,
        &a,
        v,
        json!({"action": "forward", "assignee": "chuyenvien1"}),
    )
    .await;
    v = act(
        &p,
        &leader,
        &a,
        v,
        json!({"action": "extend", "reason": "Cần xác minh thêm",
               "new_due_at": "2026-03-16T17:00:00+07:00"}),
    )
    .await;
    v = act(
        &p,
        &specialist,
        &a,
        v,
        json!({"action": "propose_result", "result": "approved", "summary": "Đủ điều kiện"}),
    )
    .await;
    v = act(&p, &leader, &a, v, json!({"action": "approve"})).await;
    act(
        &p,
        &desk,
        &a,
        v,
        json!({"action": "return_result", "delivery": "in_person",
               "handover": common::authorized_receiver("Lê Thị Cúc")}),
    )
    .await;
    let b = take_in(&p, &desk, procedure, &citizen).await;
    act(
        &p,
        &desk,
        &b,
        1,
        json!({"action": "refuse", "reason": "Không thuộc thẩm quyền"}),
    )
    .await;
    let c = take_in(&p, &desk, procedure, &citizen).await;
    let v = act(&p, &desk, &c, 1, json!({"action": "forward"})).await;
    act(
        &p,
        &leader,
        &c,
        v,
        json!({"action": "stop", "reason": "Công dân đề nghị dừng"}),
    )
    .await;

    let expected: Vec<(&str, &str)> = vec![
        (&a, "Đã tiếp nhận hồ sơ"),
        (&a, "Yêu cầu bổ sung hồ sơ"),
        (&a, "Đã tiếp nhận hồ sơ"),
        (&a, "Gia hạn thời gian trả kết quả"),
        (&a, "Đã có kết quả"),
        (&a, "Đã trả kết quả"),
        (&b, "Đã tiếp nhận hồ sơ"),
        (&b, "Từ chối tiếp nhận hồ sơ"),
        (&c, "Đã tiếp nhận hồ sơ"),
        (&c, "Dừng xử lý hồ sơ"),
    ];
    let messages = smtp.messages(expected.len()).await;
    let mut got: Vec<String> = messages
        .iter()
        .map(|m| m["subject"].as_str().unwrap().to_owned())
        .collect();
    let mut want: Vec<String> = expected
        .iter()
        .map(|(code, step)| format!("Hồ sơ {code}: {step}"))
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let token: String = sqlx::query_scalar("SELECT token FROM portal_identity")
        .fetch_one(&p.running.state.db)
        .await
        .unwrap();
    let mut ids = std::collections::BTreeSet::new();
    for m in &messages {
        assert_eq!(m["to"], json!([address]), "{m}");
        assert_eq!(m["from"], "motcua@anhoi.example.gov.vn");
        assert_eq!(m["auto_submitted"], "auto-generated");
        let code = m["subject"]
            .as_str()
            .unwrap()
            .strip_prefix("Hồ sơ ")
            .and_then(|s| s.split(':').next())
            .unwrap();
        let body = m["body"].as_str().unwrap();
        assert!(body.contains(&LOOKUP.replace("{code}", code)), "{body}");
        assert!(body.contains("Việc ông/bà cần làm: "), "{body}");
        let id = m["message_id"].as_str().unwrap();
        assert!(
            id.ends_with(&format!(".{token}@anhoi.example.gov.vn>")),
            "{id}"
        );
        assert!(ids.insert(id.to_owned()), "{id} twice");
    }
    let supplement = messages
        .iter()
        .find(|m| {
            m["subject"]
                .as_str()
                .unwrap()
                .ends_with("Yêu cầu bổ sung hồ sơ")
        })
        .unwrap();
    assert!(
        supplement["body"]
            .as_str()
            .unwrap()
            .contains("Giấy xác nhận cư trú")
    );

    // Recorded: each e-mail sent once, at its first attempt; the SMS (no gateway here)
    // waits, queued.
    for code in [&a, &b, &c] {
        let list = notices(&p, &desk, code).await;
        for n in by_channel(&list, "email") {
            assert_eq!(
                (n["status"].as_str(), n["attempts"].as_u64()),
                (Some("sent"), Some(1)),
                "{n}"
            );
            assert_eq!(n["sent_at"], "2026-03-04T09:00:00+07:00");
            assert_eq!(n["next_attempt_at"], Value::Null);
        }
        for n in by_channel(&list, "sms") {
            assert_eq!(n["status"], "queued", "{n}");
        }
    }
    assert_eq!(
        smtp.pending()
            .iter()
            .filter(|e| e["event"] == "message")
            .count(),
        0
    );
}

#[tokio::test]
async fn notices_wait_while_the_mail_server_is_down_and_go_out_when_it_is_back() {
    let port = free_port();
    let p = portal(settings(Some(email_to(port)), None)).await;
    let notifier = Arc::clone(&p.running.state.notifier);
    let clock = p.running.state.clock.clone();
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _, _) = citizen_with_email(&p).await;
    let code = take_in(&p, &desk, "1.004873", &citizen).await;
    settle(&notifier).await;

    // Nobody listens: the first attempt failed; the next is due 30 s (and a few) later.
    let list = notices(&p, &desk, &code).await;
    let first = by_channel(&list, "email")[0].clone();
    assert_eq!(first["status"], "failed", "{first}");
    assert_eq!(first["attempts"], 1);
    assert!(!first["last_error"].as_str().unwrap().is_empty());
    let next = first["next_attempt_at"].as_str().unwrap();
    let at = |s: &str| motcua::clock::parse_instant(s).unwrap();
    let wait = (at(next) - at("2026-03-04T09:00:00+07:00")).num_seconds();
    assert!((30..35).contains(&wait), "{next}");

    // A step meanwhile: its e-mail waits, queued, while the channel rests.
    act(
        &p,
        &desk,
        &code,
        1,
        json!({"action": "request_supplement", "reason": "Thiếu giấy tờ",
               "missing_documents": ["Giấy xác nhận cư trú"]}),
    )
    .await;
    settle(&notifier).await;
    let list = notices(&p, &desk, &code).await;
    let emails = by_channel(&list, "email");
    assert_eq!(emails.len(), 2);
    assert_eq!(
        (emails[1]["status"].as_str(), emails[1]["attempts"].as_u64()),
        (Some("queued"), Some(0))
    );

    // The server is back, but the time has not come: nothing is sent yet.
    let mut smtp = SmtpServer::start(port, &[]).await;
    settle(&notifier).await;
    let list = notices(&p, &desk, &code).await;
    assert!(
        by_channel(&list, "email")
            .iter()
            .all(|n| n["status"] != "sent"),
        "{list:?}"
    );

    // Its time comes: both go, once each.
    clock.advance(chrono::TimeDelta::seconds(60));
    notifier.wake();
    let messages = smtp.messages(2).await;
    let subjects: Vec<&str> = messages
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert!(subjects[0].ends_with("Đã tiếp nhận hồ sơ"), "{subjects:?}");
    assert!(
        subjects[1].ends_with("Yêu cầu bổ sung hồ sơ"),
        "{subjects:?}"
    );
    settle(&notifier).await;
    let list = notices(&p, &desk, &code).await;
    let emails = by_channel(&list, "email");
    let state: Vec<(&str, u64)> = emails
        .iter()
        .map(|n| {
            (
                n["status"].as_str().unwrap(),
                n["attempts"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(state, vec![("sent", 2), ("sent", 1)]);
    assert_eq!(emails[0]["last_error"], Value::Null);
}

#[tokio::test]
async fn an_address_the_server_refuses_is_given_up_and_the_rest_go_on() {
    let mut smtp = SmtpServer::start(0, &["--reject", "khongco"]).await;
    let p = portal(settings(Some(email_to(smtp.port)), None)).await;
    let notifier = Arc::clone(&p.running.state.notifier);
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _, _) = citizen_with_email(&p).await;
    sqlx::query("UPDATE citizens SET email = 'khongco@example.com' WHERE public_id = $1")
        .bind(&citizen)
        .execute(&p.running.state.db)
        .await
        .unwrap();
    let refused = take_in(&p, &desk, "1.004873", &citizen).await;
    settle(&notifier).await;
    sqlx::query("UPDATE citizens SET email = 'an.nv78@example.com' WHERE public_id = $1")
        .bind(&citizen)
        .execute(&p.running.state.db)
        .await
        .unwrap();
    let taken = take_in(&p, &desk, "1.004873", &citizen).await;
    let m = smtp.messages(1).await;
    assert!(m[0]["subject"].as_str().unwrap().contains(&taken));
    let list = notices(&p, &desk, &refused).await;
    let n = by_channel(&list, "email")[0];
    assert_eq!(n["status"], "failed");
    assert_eq!(n["next_attempt_at"], Value::Null, "given up: {n}");
    assert!(n["last_error"].as_str().unwrap().contains("550"), "{n}");
}

#[tokio::test]
async fn the_smtp_login_comes_from_the_settings() {
    let mut smtp = SmtpServer::start(0, &["--auth", "motcua:mat-khau-thu"]).await;
    let mut email = email_to(smtp.port);
    email.username = Some("motcua".into());
    email.password = Some("mat-khau-thu".into());
    let p = portal(settings(Some(email), None)).await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _, _) = citizen_with_email(&p).await;
    let code = take_in(&p, &desk, "1.004873", &citizen).await;
    let m = smtp.messages(1).await;
    assert!(m[0]["subject"].as_str().unwrap().contains(&code));
}

/// An SMS gateway: answers 503 to its first request, then 200; hands each request's
/// authorization and body to the test.
async fn gateway() -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<(Option<String>, String)>,
) {
    use axum::http::{HeaderMap, StatusCode};
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let app = axum::Router::new().route(
        "/send",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let tx = tx.clone();
            let seen = Arc::clone(&seen);
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let _ = tx.send((auth, body));
                if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/send"), rx)
}

#[tokio::test]
async fn an_sms_goes_through_the_gateway_and_is_retried_when_it_fails() {
    let (url, mut requests) = gateway().await;
    let sms = SmsSettings {
        url,
        token: Some("sms-test-token".into()),
        template: notify::sms::DEFAULT_TEMPLATE.into(),
        content_type: "application/json".into(),
        timeout: Duration::from_secs(20),
    };
    let p = portal(settings(None, Some(sms))).await;
    let notifier = Arc::clone(&p.running.state.notifier);
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _, phone) = citizen_with_email(&p).await;
    let code = take_in(&p, &desk, "1.004873", &citizen).await;
    let (auth, first) = requests.recv().await.unwrap();
    assert_eq!(auth.as_deref(), Some("Bearer sms-test-token"));
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["to"], phone.as_str());
    let text = first["text"].as_str().unwrap();
    assert!(text.is_ascii() && text.contains(&code), "{text}");
    assert!(text.contains(&LOOKUP.replace("{code}", &code)), "{text}");
    settle(&notifier).await;
    let list = notices(&p, &desk, &code).await;
    let n = by_channel(&list, "sms")[0].clone();
    assert_eq!(
        (n["status"].as_str(), n["attempts"].as_u64()),
        (Some("failed"), Some(1))
    );
    assert!(n["last_error"].as_str().unwrap().contains("503"), "{n}");

    p.running
        .state
        .clock
        .advance(chrono::TimeDelta::seconds(60));
    notifier.wake();
    let (_, again) = requests.recv().await.unwrap();
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(
        again["ref"], first["ref"],
        "the same reference when sent again"
    );
    settle(&notifier).await;
    let list = notices(&p, &desk, &code).await;
    let n = by_channel(&list, "sms")[0].clone();
    assert_eq!(
        (n["status"].as_str(), n["attempts"].as_u64()),
        (Some("sent"), Some(2))
    );
}

#[tokio::test]
async fn a_training_portal_catches_its_notices() {
    // A mail server is configured, and nothing listens there: nothing may be tried.
    let mut s = settings(Some(email_to(free_port())), None);
    s.notify.catch = true;
    s.training = true;
    let p = portal(s).await;
    let notifier = Arc::clone(&p.running.state.notifier);
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, address, phone) = citizen_with_email(&p).await;
    let code = take_in(&p, &desk, "1.004873", &citizen).await;
    settle(&notifier).await;
    let list = notices(&p, &desk, &code).await;
    let to: BTreeMap<&str, &str> = list
        .iter()
        .map(|n| (n["channel"].as_str().unwrap(), n["to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        to,
        BTreeMap::from([("email", address.as_str()), ("sms", phone.as_str())])
    );
    for n in &list {
        assert_eq!(n["caught"], true, "{n}");
        assert_eq!(n["status"], "sent");
        assert_eq!(n["attempts"], 0, "never tried: {n}");
        assert_eq!(n["event"], "received");
    }
}
