//! Code leases (issue 19): numbers of the day held for one officer's intake with the link
//! down, dossiers sent later on them, numbers released with a reason, and the register
//! that shows every number of the day.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::{Value, json};

/// Đăng ký khai sinh.
const PROCEDURE: &str = "1.001193";

/// A weekday morning in office hours: the leases' day.
const MORNING: &str = "2026-03-04T08:00:00+07:00";

async fn lease(p: &Portal, token: &str, count: Value) -> (u16, Value) {
    let res = p
        .post("/code-leases")
        .bearer_auth(token)
        .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
        .json(&json!({ "count": count }))
        .send()
        .await
        .unwrap();
    status_json(res).await
}

async fn release(p: &Portal, token: &str, id: &str, body: Value) -> (u16, Value) {
    let res = p
        .post(&format!("/code-leases/{id}/release"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    status_json(res).await
}

async fn leases(p: &Portal, token: &str) -> Value {
    let res = p
        .get("/code-leases")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A desk submission for office 1's first citizen, taken in offline on `code` at `at`.
async fn offline(p: &Portal, code: &str, at: &str) -> Value {
    let (citizen, _) = p.citizen_of(1).await;
    let mut body = p.submission(PROCEDURE, &citizen).await;
    body["code"] = json!(code);
    body["received_at"] = json!(at);
    body
}

/// The link returns at 08:25 the same day (within the idle timeout of a session): the portal's clock moves on to it.
fn link_back(p: &Portal) {
    p.running
        .state
        .clock
        .set(motcua::clock::parse_instant("2026-03-04T08:25:00+07:00").unwrap());
}

fn codes(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect()
}

/// A second reception officer of office 1 (the demo has one per office), with the demo
/// password; logged in.
async fn second_officer(p: &Portal) -> String {
    p.colleague_of("tiepnhan1", "tiepnhan1b").await;
    p.login("tiepnhan1b", DEMO_PASSWORD).await
}

#[tokio::test]
async fn leased_numbers_go_to_no_other_intake_and_number_the_dossiers_taken_in_offline() {
    let p = Portal::at(MORNING, Settings::default(), Seed::Demo).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;

    let (status, first) = lease(&p, &token, json!(5)).await;
    assert_eq!(status, 201, "{first}");
    let leased = codes(&first["codes"]);
    assert_eq!(leased.len(), 5);
    assert_eq!(first["date"], "2026-03-04");
    assert_eq!(first["expires_at"], "2026-03-05T00:00:00+07:00");
    assert_eq!(first["accepted_until"], "2026-03-12T00:00:00+07:00");
    assert_eq!(codes(&first["held"]), leased);
    let seqs: Vec<u32> = leased
        .iter()
        .map(|c| c.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    link_back(&p);

    // An ordinary intake meanwhile is numbered after the block.
    let (status, online_desk) = p
        .create_dossier(&token, &p.submission(PROCEDURE, &citizen).await)
        .await;
    assert_eq!(status, 201, "{online_desk}");
    let next = online_desk["code"].as_str().unwrap();
    assert!(next > leased[4].as_str(), "{next} after {leased:?}");
    assert!(!leased.contains(&next.to_owned()));

    // The link came back: a dossier received offline at 08:10 on the second number.
    let (status, dossier) = p
        .create_dossier(
            &token,
            &offline(&p, &leased[1], "2026-03-04T08:10:00+07:00").await,
        )
        .await;
    assert_eq!(status, 201, "{dossier}");
    assert_eq!(dossier["code"], leased[1].as_str());
    assert_eq!(dossier["received_at"], "2026-03-04T08:10:00+07:00");
    assert_eq!(dossier["status"], "received");
    // The due time runs from the moment received, not from the moment sent.
    let procedure: Value = p
        .get("/procedures/1.001193")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let duration: motcua::domain::catalog::Duration =
        serde_json::from_value(procedure["cases"][0]["desk_duration"].clone()).unwrap();
    let received = motcua::clock::parse_instant("2026-03-04T08:10:00+07:00").unwrap();
    let due = p
        .running
        .state
        .calendar
        .due(received, duration.amount, duration.unit);
    assert_eq!(dossier["due_at"], due.to_rfc3339());
    assert_eq!(p.audit_count("codes_leased").await, 1);
    assert_eq!(p.audit_count("offline_intake_arrived").await, 1);

    let now = leases(&p, &token).await;
    assert_eq!(now.as_array().unwrap().len(), 1);
    assert_eq!(codes(&now[0]["used"]), vec![leased[1].clone()]);
    assert_eq!(codes(&now[0]["held"]).len(), 4);

    // A moment sent in another offset, with a fraction: kept as every stored time is.
    let (status, utc) = p
        .create_dossier(
            &token,
            &offline(&p, &leased[2], "2026-03-04T01:12:30.5Z").await,
        )
        .await;
    assert_eq!(status, 201, "{utc}");
    assert_eq!(utc["received_at"], "2026-03-04T08:12:30+07:00");

    // The same number again, as a new request: another dossier cannot have it.
    let (status, body) = p
        .create_dossier(
            &token,
            &offline(&p, &leased[1], "2026-03-04T08:20:00+07:00").await,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("code_used"))
    );
}

#[tokio::test]
async fn a_number_is_only_its_officers_and_only_for_its_day() {
    let p = Portal::at(MORNING, Settings::default(), Seed::Demo).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let other = second_officer(&p).await;
    let (_, held) = lease(&p, &token, json!(3)).await;
    let leased = codes(&held["codes"]);
    link_back(&p);

    // Another officer of the same office.
    let (status, body) = p
        .create_dossier(
            &other,
            &offline(&p, &leased[0], "2026-03-04T08:05:00+07:00").await,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("code_not_leased"))
    );
    // A number nobody leased, and one of another office's shape.
    let unleased = leased[0].replace(&leased[0][leased[0].len() - 4..], "0999");
    for code in [unleased.as_str(), "000.02.27.H07-260304-0001", "not a code"] {
        let (status, body) = p
            .create_dossier(
                &token,
                &offline(&p, code, "2026-03-04T08:05:00+07:00").await,
            )
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (409, Some("code_not_leased")),
            "{code}: {body}"
        );
    }
    // The moment received: before the lease, the next day, in the future, malformed.
    for (at, why) in [
        ("2026-03-04T07:59:00+07:00", "before the lease"),
        ("2026-03-05T08:05:00+07:00", "after its day"),
        ("2026-03-04T08:45:00+07:00", "in the future"),
        ("yesterday", "not RFC 3339"),
    ] {
        let (status, body) = p
            .create_dossier(&token, &offline(&p, &leased[0], at).await)
            .await;
        assert_eq!(status, 422, "{why}: {body}");
        assert!(
            body["error"]["fields"]["received_at"].is_string(),
            "{why}: {body}"
        );
    }
    // One without the other.
    let mut body = offline(&p, &leased[0], "2026-03-04T08:05:00+07:00").await;
    body.as_object_mut().unwrap().remove("received_at");
    let (status, answer) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 422, "{answer}");
    let mut body = offline(&p, &leased[0], "2026-03-04T08:05:00+07:00").await;
    body.as_object_mut().unwrap().remove("code");
    let (status, answer) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["error"]["fields"]["code"].is_string(), "{answer}");
    // Nothing above took a number.
    assert_eq!(codes(&leases(&p, &token).await[0]["held"]), leased);
    // Staff of other roles may not lease.
    let specialist = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let (status, _) = lease(&p, &specialist, json!(1)).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn an_officer_holds_at_most_fifty_and_releases_what_they_will_not_use() {
    let p = Portal::at(MORNING, Settings::default(), Seed::Demo).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    for bad in [json!(0), json!(51), json!(-1), json!(null), json!("5")] {
        let (status, body) = lease(&p, &token, bad.clone()).await;
        assert!(status == 422 || status == 400, "{bad}: {status} {body}");
    }
    let (status, big) = lease(&p, &token, json!(50)).await;
    assert_eq!(status, 201, "{big}");
    let (status, body) = lease(&p, &token, json!(1)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("lease_limit"))
    );
    let id = big["id"].as_str().unwrap();
    let leased = codes(&big["codes"]);
    link_back(&p);

    // Release the last ten with a reason; again, as a retry would; then lease again.
    let unused = &leased[40..];
    let reason = "Hết giờ làm việc, không dùng";
    for _ in 0..2 {
        let (status, after) =
            release(&p, &token, id, json!({"unused": unused, "reason": reason})).await;
        assert_eq!(status, 200, "{after}");
        assert_eq!(after["voided"].as_array().unwrap().len(), 10);
        assert_eq!(after["voided"][0]["reason"], reason);
        assert_eq!(codes(&after["held"]).len(), 40);
    }
    assert_eq!(
        p.audit_count("codes_voided").await,
        1,
        "the retry voided nothing"
    );
    let (status, more) = lease(&p, &token, json!(10)).await;
    assert_eq!(status, 201, "{more}");

    // A used number cannot be voided; a number of another lease is refused; a reason
    // is needed; another officer's lease is not found.
    let (status, _) = p
        .create_dossier(
            &token,
            &offline(&p, &leased[0], "2026-03-04T08:01:00+07:00").await,
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = release(
        &p,
        &token,
        id,
        json!({"unused": [leased[0]], "reason": reason}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("code_used"))
    );
    let (status, body) = release(
        &p,
        &token,
        id,
        json!({"unused": [more["codes"][0]], "reason": reason}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    for bad in ["", "   ", "Lý do\u{7}"] {
        let (status, body) = release(
            &p,
            &token,
            id,
            json!({"unused": [leased[1]], "reason": bad}),
        )
        .await;
        assert_eq!(status, 422, "{bad:?}: {body}");
    }
    let other = second_officer(&p).await;
    let refused = p.audit_count("access_refused").await;
    let (status, _) = release(
        &p,
        &other,
        id,
        json!({"unused": [leased[1]], "reason": reason}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(p.audit_count("access_refused").await, refused + 1);
}

#[tokio::test]
async fn the_register_lists_every_number_of_the_day_and_late_numbers_are_void() {
    let p = Portal::at(MORNING, Settings::default(), Seed::Demo).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (_, held) = lease(&p, &token, json!(4)).await;
    let leased = codes(&held["codes"]);
    let id = held["id"].as_str().unwrap();
    link_back(&p);
    let (status, _) = p
        .create_dossier(
            &token,
            &offline(&p, &leased[0], "2026-03-04T08:02:00+07:00").await,
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = release(
        &p,
        &token,
        id,
        json!({"unused": [leased[1]], "reason": "Máy in hỏng, phiếu bỏ"}),
    )
    .await;
    assert_eq!(status, 200);

    let register = |p: &Portal, token: &str| {
        let req = p
            .get("/registers/dossiers?from=2026-03-04&to=2026-03-04&format=csv")
            .bearer_auth(token);
        async move { req.send().await.unwrap().text().await.unwrap() }
    };
    let csv = register(&p, &token).await;
    let line = |code: &str| {
        csv.lines()
            .find(|l| l.contains(code))
            .unwrap_or_else(|| panic!("{code} missing from the register:\n{csv}"))
            .to_owned()
    };
    assert!(line(&leased[0]).contains("Đăng ký khai sinh"));
    assert!(line(&leased[1]).contains("Số đã hủy, không có hồ sơ: Máy in hỏng, phiếu bỏ"));
    assert!(line(&leased[2]).contains("Số giữ trước"));
    assert!(line(&leased[3]).contains("Số giữ trước"));

    // A week and a day later the grace is over: what was never used is void, and a
    // dossier on it is refused.
    p.running
        .state
        .clock
        .set(motcua::clock::parse_instant("2026-03-12T08:00:00+07:00").unwrap());
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (status, body) = p
        .create_dossier(
            &token,
            &offline(&p, &leased[2], "2026-03-04T08:20:00+07:00").await,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("code_not_leased"))
    );
    assert!(leases(&p, &token).await.as_array().unwrap().is_empty());
    let csv = register(&p, &token).await;
    for code in &leased[2..] {
        let row = csv.lines().find(|l| l.contains(code.as_str())).unwrap();
        assert!(row.contains("Hết hạn giữ số"), "{row}");
    }
}

/// Office 1's day counter (`dossier_counters.last`) for the leases' day, if any.
async fn counter(p: &Portal, office: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT last FROM dossier_counters WHERE office_id = $1 AND day = $2")
        .bind(office)
        .bind("2026-03-04")
        .fetch_optional(&p.running.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_lease_past_the_days_9999th_number_is_refused_and_takes_none() {
    let p = Portal::at(MORNING, Settings::default(), Seed::Demo).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let db = &p.running.state.db;
    let (office, unit): (i64, String) = sqlx::query_as(
        "SELECT o.id, o.code FROM users u JOIN offices o ON o.id = u.office_id \
         WHERE u.username = 'tiepnhan1'",
    )
    .fetch_one(db)
    .await
    .unwrap();
    // Late in a very busy day: 9,990 of the day's numbers taken.
    sqlx::query(
        "INSERT INTO dossier_counters (office_id, day, last) VALUES ($1, $2, 9990) \
         ON CONFLICT (office_id, day) DO UPDATE SET last = excluded.last",
    )
    .bind(office)
    .bind("2026-03-04")
    .execute(db)
    .await
    .unwrap();
    let dossiers = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM dossiers")
            .fetch_one(db)
            .await
            .unwrap()
    };
    let before = dossiers().await;

    // Twenty would run to 10,010: refused on `count`, and the counter is as it was.
    let (status, body) = lease(&p, &token, json!(20)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    assert!(body["error"]["fields"]["count"].is_string(), "{body}");
    assert_eq!(counter(&p, office).await, Some(9990), "rolled back");
    assert_eq!(p.audit_count("codes_leased").await, 0);
    assert!(leases(&p, &token).await.as_array().unwrap().is_empty());

    // The nine left are leased: the last numbers of the day, 4 digits each.
    let (status, last) = lease(&p, &token, json!(9)).await;
    assert_eq!(status, 201, "{last}");
    let expected: Vec<String> = (9991..=9999)
        .map(|n| format!("{unit}-260304-{n}"))
        .collect();
    assert_eq!(codes(&last["codes"]), expected);
    assert_eq!(codes(&last["held"]), expected);
    assert_eq!(counter(&p, office).await, Some(9999));

    // Not one more, by lease or by an ordinary intake: no 5-digit code, no number taken.
    let (status, body) = lease(&p, &token, json!(1)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["count"].is_string(), "{body}");
    let (citizen, _) = p.citizen_of(1).await;
    let (status, body) = p
        .create_dossier(&token, &p.submission(PROCEDURE, &citizen).await)
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    // The portal says the day's 9999 numbers are used (on the field `procedure_code`).
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("9999"), "{body}");
    assert!(
        body["error"]["fields"]
            .as_object()
            .is_some_and(|f| !f.is_empty()),
        "{body}"
    );
    assert_eq!(counter(&p, office).await, Some(9999));
    assert_eq!(dossiers().await, before);
    assert_eq!(p.audit_count("codes_leased").await, 1);

    // The numbers leased before the day ran out still number dossiers taken in offline.
    link_back(&p);
    let (status, dossier) = p
        .create_dossier(
            &token,
            &offline(&p, &expected[8], "2026-03-04T08:10:00+07:00").await,
        )
        .await;
    assert_eq!(status, 201, "{dossier}");
    assert_eq!(dossier["code"], expected[8].as_str());
    assert_eq!(counter(&p, office).await, Some(9999));
}

/// The due time printed on an offline receipt goes with the dossier: the history says
/// the dossier was taken in offline, and, when the portal counts another due time, both;
/// a printed due time without a leased code, or unreadable, is refused.
#[tokio::test]
async fn the_printed_due_time_is_kept_in_the_history_when_the_portal_counts_another() {
    let p = Portal::at(MORNING, Settings::default(), Seed::Demo).await;
    let token = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (status, first) = lease(&p, &token, json!(2)).await;
    assert_eq!(status, 201, "{first}");
    let leased = codes(&first["codes"]);
    link_back(&p);
    let at = "2026-03-04T08:10:00+07:00";

    // The receipt promised another day than the portal counts.
    let mut body = offline(&p, &leased[0], at).await;
    body["printed_due_at"] = json!("2026-03-06T17:00:00+07:00");
    let (status, dossier) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{dossier}");
    let due = dossier["due_at"].as_str().unwrap().to_owned();
    assert_ne!(due, "2026-03-06T17:00:00+07:00");
    let last = dossier["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "taken_offline", "{last}");
    let reason = last["reason"].as_str().unwrap();
    assert!(
        reason.contains("2026-03-06T17:00:00+07:00") && reason.contains(&due),
        "{reason}"
    );

    // The same due time: the history says it was taken offline, nothing more.
    let mut body = offline(&p, &leased[1], at).await;
    body["printed_due_at"] = json!(due);
    let (status, dossier) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{dossier}");
    let last = dossier["timeline"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "taken_offline");
    assert!(last["reason"].is_null(), "{last}");

    // Without a leased code, or unreadable: refused, on the field.
    let (citizen, _) = p.citizen_of(1).await;
    let mut body = p.submission(PROCEDURE, &citizen).await;
    body["printed_due_at"] = json!("2026-03-06T17:00:00+07:00");
    let (status, refused) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"]["fields"]["printed_due_at"].is_string(),
        "{refused}"
    );
    let mut body = offline(&p, &leased[1], at).await;
    body["printed_due_at"] = json!("thứ sáu");
    let (status, refused) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        refused["error"]["fields"]["printed_due_at"].is_string(),
        "{refused}"
    );
}
