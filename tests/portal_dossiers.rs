//! Dossiers over real HTTP: officer-assisted submission, lists, detail, actions under the
//! transition table with If-Match, history and the delta feed.

mod common;

use chrono::DateTime;
use common::{DEMO_PASSWORD, Portal, status_json};
use reqwest::header;
use serde_json::{Value, json};

async fn desk(p: &Portal, n: i64) -> String {
    p.login(&format!("tiepnhan{n}"), DEMO_PASSWORD).await
}

fn at(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

#[tokio::test]
async fn a_desk_submission_gets_a_code_a_due_date_and_starts_received() {
    let p = Portal::demo().await;
    p.running
        .state
        .clock
        .stop_at(at("2026-03-06T09:00:00+07:00"));
    let token = desk(&p, 1).await;
    let (citizen, name) = p.citizen_of(1).await;
    // Contract certification: 2 working days, 50,000 đ.
    let body = p.submission("2.001035", &citizen).await;
    let (status, d) = p.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["code"], "000.01.27.H07-260306-0001");
    assert_eq!(d["status"], "received");
    assert_eq!(d["channel"], "desk");
    assert_eq!(d["version"], 1);
    assert_eq!(d["applicant"]["full_name"], name);
    assert_eq!(
        d["due_at"], "2026-03-10T09:00:00+07:00",
        "Friday + 2 working days"
    );
    assert_eq!(d["fee"]["amount"], 50000);
    assert_eq!(d["fee"]["status"], "unpaid");
    assert_eq!(d["timeline"][0]["action"], "created");
    let (_, second) = p.create_dossier(&token, &body).await;
    assert_eq!(second["code"], "000.01.27.H07-260306-0002");
    // A free procedure is exempt.
    let (_, birth) = p
        .create_dossier(&token, &p.submission("1.001193", &citizen).await)
        .await;
    assert_eq!(birth["fee"]["status"], "exempt");
}

#[tokio::test]
async fn submission_errors() {
    let p = Portal::demo().await;
    let token = desk(&p, 1).await;
    let (citizen, _) = p.citizen_of(1).await;
    let good = p.submission("1.001193", &citizen).await;

    let mut missing = good.clone();
    missing["documents"] = json!([]);
    let (status, e) = p.create_dossier(&token, &missing).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("validation_failed"))
    );
    assert!(
        e["error"]["fields"]["documents"]
            .as_str()
            .unwrap()
            .contains("Tờ khai")
    );

    let mut undeclared = good.clone();
    undeclared["declaration_accepted"] = json!(false);
    let (status, e) = p.create_dossier(&token, &undeclared).await;
    assert_eq!(status, 422);
    assert!(e["error"]["fields"]["declaration_accepted"].is_string());

    let mut unknown = good.clone();
    unknown["procedure_code"] = json!("9.999999");
    let (status, e) = p.create_dossier(&token, &unknown).await;
    assert_eq!(status, 422);
    assert!(e["error"]["fields"]["procedure_code"].is_string());

    let mut authorized = good.clone();
    authorized["submitter"]["relation"] = json!("authorized");
    let (status, e) = p.create_dossier(&token, &authorized).await;
    assert_eq!(status, 422);
    assert!(e["error"]["fields"]["submitter.authorization_doc"].is_string());

    // Only the desk takes dossiers in.
    let specialist = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let (status, e) = p.create_dossier(&specialist, &good).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    assert!(p.audit_count("access_refused").await >= 1);

    // No idempotency key.
    let res = p
        .post("/dossiers")
        .bearer_auth(&token)
        .json(&good)
        .send()
        .await
        .unwrap();
    let (status, e) = status_json(res).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (400, Some("idempotency_key_missing"))
    );

    // Nothing was created by any of them.
    let (_, list) = status_json(p.get("/dossiers").bearer_auth(&token).send().await.unwrap()).await;
    let before = list["total"].as_u64().unwrap();
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["applicant_name"] != "x")
    );
    let (status, _) = p.create_dossier(&token, &good).await;
    assert_eq!(status, 201);
    let (_, list) = status_json(p.get("/dossiers").bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!(list["total"].as_u64().unwrap(), before + 1);
}

#[tokio::test]
async fn retries_replay_and_concurrent_retries_create_one_dossier() {
    let p = Portal::demo().await;
    let token = desk(&p, 1).await;
    let (citizen, _) = p.citizen_of(1).await;
    let body = p.submission("1.001193", &citizen).await;
    let key = "\"9b2f6a51-0c1e-4c57-9d39-2d0a5c6e8f11\"";
    let send = |body: Value| {
        let req = p
            .post("/dossiers")
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&body);
        async move { status_json(req.send().await.unwrap()).await }
    };
    let results = futures_join_all((0..50).map(|_| send(body.clone()))).await;
    let created: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    assert!(!created.is_empty());
    for (status, b) in &results {
        assert!(
            *status == 201 || (*status == 409 && b["error"]["code"] == "request_in_progress"),
            "{status} {b}"
        );
    }
    let codes: std::collections::BTreeSet<&str> = created
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 1, "one dossier for one key");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&p.running.state.db)
        .await
        .unwrap();
    let seeded_before: i64 = 0;
    assert_eq!(rows - seeded_before, 1);
    // A later retry replays the same answer.
    let (status, replay) = send(body.clone()).await;
    assert_eq!(status, 201);
    assert_eq!(replay["code"], created[0]["code"]);
    // The same key with another payload is refused.
    let mut other = body.clone();
    other["note"] = json!("khác");
    let (status, e) = send(other).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
}

/// `join_all` without a futures dependency: spawn on the runtime and await each.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn codes_are_unique_under_200_concurrent_submissions_and_restart_next_day() {
    // 200 requests at once from one address are more connections than the default cap
    // per address (64), which is not what this test is about.
    let settings = motcua::portal::state::Settings {
        max_connections_per_address: 256,
        ..Default::default()
    };
    let p = std::sync::Arc::new(Portal::with(settings, motcua::portal::Seed::Accounts).await);
    p.running
        .state
        .clock
        .stop_at(at("2026-03-09T08:00:00+07:00"));
    let token = desk(&p, 1).await;
    let (citizen, _) = p.citizen_of(1).await;
    let body = p.submission("1.001193", &citizen).await;
    let results = futures_join_all((0..200).map(|_| {
        let (p, token, body) = (p.clone(), token.clone(), body.clone());
        async move { p.create_dossier(&token, &body).await }
    }))
    .await;
    let mut numbers: Vec<u32> = results
        .iter()
        .map(|(status, d)| {
            assert_eq!(*status, 201, "{d}");
            let code = d["code"].as_str().unwrap();
            assert!(code.starts_with("000.01.27.H07-260309-"), "{code}");
            code.rsplit('-').next().unwrap().parse().unwrap()
        })
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=200).collect::<Vec<_>>());
    p.running
        .state
        .clock
        .stop_at(at("2026-03-10T08:00:00+07:00"));
    let token = desk(&p, 1).await; // yesterday's session has gone idle
    let (_, next_day) = p.create_dossier(&token, &body).await;
    assert_eq!(next_day["code"], "000.01.27.H07-260310-0001");
}

#[tokio::test]
async fn lists_filter_search_page_and_stay_in_the_office() {
    let p = Portal::demo().await;
    let token = desk(&p, 1).await;
    let (citizen, name) = p.citizen_of(1).await;
    for _ in 0..5 {
        let (status, _) = p
            .create_dossier(&token, &p.submission("1.001193", &citizen).await)
            .await;
        assert_eq!(status, 201);
    }
    let list = |query: &str, token: &str| {
        let req = p.get(&format!("/dossiers{query}")).bearer_auth(token);
        async move { status_json(req.send().await.unwrap()).await }
    };
    let (status, received) = list("?queue=received", &token).await;
    assert_eq!(status, 200);
    assert_eq!(received["total"], 5);
    let (_, none) = list("?queue=returned", &token).await;
    assert_eq!(none["total"], 0);
    // Accent-insensitive search on the applicant's name, without marks.
    let plain = motcua::domain::text::fold(&name);
    let (_, found) = list(&format!("?q={}", plain.replace(' ', "%20")), &token).await;
    assert_eq!(found["total"], 5, "{plain}");
    let (_, missing) = list("?q=zzzz", &token).await;
    assert_eq!(missing["total"], 0);
    // Pages of 2 cover all 5, once each, in due order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("?limit=2&cursor={c}"),
            None => "?limit=2".into(),
        };
        let (_, page) = list(&query, &token).await;
        for item in page["items"].as_array().unwrap() {
            seen.push(item["code"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(seen.len(), 5);
    assert_eq!(unique.len(), 5);
    let (status, _) = list("?cursor=garbage!", &token).await;
    assert_eq!(status, 400);
    let (status, _) = list("?queue=nope", &token).await;
    assert_eq!(status, 400);
    // Another office sees none of them, and their detail is 404.
    let other = desk(&p, 2).await;
    let (_, theirs) = list("?queue=received", &other).await;
    assert_eq!(theirs["total"], 0);
    let code = &seen[0];
    let res = p
        .get(&format!("/dossiers/{code}"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // Citizens have no inbox.
    let citizen_token = {
        let id: String = sqlx::query_scalar("SELECT id_number FROM citizens WHERE public_id = $1")
            .bind(citizen)
            .fetch_one(&p.running.state.db)
            .await
            .unwrap();
        p.login(&id, DEMO_PASSWORD).await
    };
    let (status, _) = list("", &citizen_token).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn detail_has_an_etag() {
    let p = Portal::demo().await;
    let token = desk(&p, 1).await;
    let (citizen, _) = p.citizen_of(1).await;
    let (_, d) = p
        .create_dossier(&token, &p.submission("1.001193", &citizen).await)
        .await;
    let code = d["code"].as_str().unwrap();
    let res = p
        .get(&format!("/dossiers/{code}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let etag = res.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert_eq!(etag, "W/\"1\"");
    let res = p
        .get(&format!("/dossiers/{code}"))
        .bearer_auth(&token)
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
}

#[tokio::test]
async fn a_dossier_from_desk_to_returned_result() {
    let p = Portal::demo().await;
    p.running
        .state
        .clock
        .stop_at(at("2026-03-09T08:00:00+07:00"));
    let desk = desk(&p, 1).await;
    let specialist = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let leader = p.login("lanhdao1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;
    let (_, d) = p
        .create_dossier(&desk, &p.submission("1.004873", &citizen).await)
        .await;
    let code = d["code"].as_str().unwrap().to_owned();

    let (s, d) = p
        .act(
            &desk,
            &code,
            1,
            json!({"action": "forward", "assignee": "chuyenvien1"}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(
        (d["status"].as_str(), d["version"].as_i64()),
        (Some("in_progress"), Some(2))
    );
    assert_eq!(d["assignee"], "chuyenvien1");

    let (s, d) = p
        .act(&specialist, &code, 2, json!({"action": "propose_result", "result": "approved", "summary": "Đủ điều kiện cấp"}))
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "awaiting_approval");
    assert_eq!(d["proposal"]["result"], "approved");

    let (s, d) = p.act(&leader, &code, 3, json!({"action": "approve"})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "result_ready");

    let (s, d) = p
        .act(
            &desk,
            &code,
            4,
            json!({"action": "return_result", "delivery": "in_person", "handover": common::authorized_receiver("Chính chủ")}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "returned");
    assert_eq!(d["timeliness"], "early");
    assert_eq!(d["recipient"], "Chính chủ");

    let res = p
        .get(&format!("/dossiers/{code}/history"))
        .bearer_auth(&desk)
        .send()
        .await
        .unwrap();
    let (_, history) = status_json(res).await;
    let actions: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "created",
            "forward",
            "propose_result",
            "approve",
            "return_result"
        ]
    );
    assert_eq!(history[1]["from"], "received");
    assert_eq!(history[1]["to"], "in_progress");
    assert_eq!(history[1]["username"], "tiepnhan1");
}

#[tokio::test]
async fn actions_need_the_current_version() {
    let p = std::sync::Arc::new(Portal::demo().await);
    let desk = desk(&p, 1).await;
    let (citizen, _) = p.citizen_of(1).await;
    let (_, d) = p
        .create_dossier(&desk, &p.submission("1.001193", &citizen).await)
        .await;
    let code = d["code"].as_str().unwrap().to_owned();

    let res = p
        .post(&format!("/dossiers/{code}/actions"))
        .bearer_auth(&desk)
        .json(&json!({"action": "forward"}))
        .send()
        .await
        .unwrap();
    let (status, e) = status_json(res).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (428, Some("precondition_required"))
    );

    // Two officers act on version 1 at once: one wins, the other sees the new version.
    let both = futures_join_all(
        [
            json!({"action": "forward"}),
            json!({"action": "refuse", "reason": "Không thuộc thẩm quyền"}),
        ]
        .into_iter()
        .map(|body| {
            let (p, desk, code) = (p.clone(), desk.clone(), code.clone());
            async move { p.act(&desk, &code, 1, body).await }
        }),
    )
    .await;
    let statuses: Vec<u16> = both.iter().map(|(s, _)| *s).collect();
    assert!(
        statuses.contains(&200) && statuses.contains(&412),
        "{statuses:?}"
    );
    let (_, conflict) = both.iter().find(|(s, _)| *s == 412).unwrap();
    assert_eq!(conflict["error"]["code"], "version_conflict");
    assert_eq!(conflict["error"]["current"]["version"], 2);
}

#[tokio::test]
async fn the_rules_refuse_with_their_codes() {
    let p = Portal::demo().await;
    let desk = desk(&p, 1).await;
    let leader = p.login("lanhdao1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;
    let (_, d) = p
        .create_dossier(&desk, &p.submission("1.001193", &citizen).await)
        .await;
    let code = d["code"].as_str().unwrap().to_owned();

    let (s, e) = p.act(&desk, &code, 1, json!({"action": "refuse"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("validation_failed"))
    );
    assert!(
        e["error"]["fields"]["reason"]
            .as_str()
            .unwrap()
            .contains("lý do")
    );

    let (s, e) = p.act(&leader, &code, 1, json!({"action": "approve"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("invalid_transition"))
    );

    let (s, e) = p.act(&leader, &code, 1, json!({"action": "forward"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("forbidden_action"))
    );
    assert!(p.audit_count("action_refused").await >= 3);

    let (s, e) = p.act(&desk, &code, 1, json!({"action": "fly"})).await;
    assert_eq!(s, 400, "{e}");

    // The version did not move.
    let (s, d) = p
        .act(
            &desk,
            &code,
            1,
            json!({"action": "refuse", "reason": "Hồ sơ giả mạo"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(d["status"], "refused");
}

#[tokio::test]
async fn returning_needs_the_fee_paid() {
    let p = Portal::demo().await;
    let desk = desk(&p, 1).await;
    let specialist = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let leader = p.login("lanhdao1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;
    let (_, d) = p
        .create_dossier(&desk, &p.submission("2.001035", &citizen).await)
        .await;
    let code = d["code"].as_str().unwrap().to_owned();
    p.act(&desk, &code, 1, json!({"action": "forward"})).await;
    p.act(
        &specialist,
        &code,
        2,
        json!({"action": "propose_result", "result": "approved", "summary": "Chứng thực"}),
    )
    .await;
    p.act(&leader, &code, 3, json!({"action": "approve"})).await;
    let (s, e) = p
        .act(
            &desk,
            &code,
            4,
            json!({"action": "return_result", "delivery": "in_person", "handover": common::authorized_receiver("Chính chủ")}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("payment_required"))
    );
}

#[tokio::test]
async fn time_rules_supplement_window_and_one_extension() {
    let p = Portal::demo().await;
    let clock = p.running.state.clock.clone();
    clock.stop_at(at("2026-03-02T08:00:00+07:00")); // Monday
    let desk = desk(&p, 1).await;
    let specialist = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let leader = p.login("lanhdao1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;
    // Permanent residence: 7 working days.
    let (_, d) = p
        .create_dossier(&desk, &p.submission("1.004222", &citizen).await)
        .await;
    let code = d["code"].as_str().unwrap().to_owned();
    assert_eq!(d["due_at"], "2026-03-11T08:00:00+07:00");
    p.act(&desk, &code, 1, json!({"action": "forward"})).await;

    clock.stop_at(at("2026-03-05T08:30:00+07:00")); // Thursday, after the 3-day window
    let supplement = json!({"action": "request_supplement", "reason": "Thiếu giấy tờ", "missing_documents": ["Sổ hộ khẩu"]});
    // Tokens idle for days would expire: log in again.
    let specialist2 = p.login("chuyenvien1", DEMO_PASSWORD).await;
    let _ = specialist;
    let (s, e) = p.act(&specialist2, &code, 2, supplement.clone()).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("supplement_window_closed")),
        "{e}"
    );

    let leader2 = p.login("lanhdao1", DEMO_PASSWORD).await;
    let _ = leader;
    let (s, d) = p
        .act(&leader2, &code, 2, json!({"action": "extend", "reason": "Cần xác minh", "new_due_at": "2026-03-18T08:00:00+07:00"}))
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["due_at"], "2026-03-18T08:00:00+07:00");
    assert_eq!(d["extensions"], 1);
    let (s, e) = p
        .act(&leader2, &code, 3, json!({"action": "extend", "reason": "Lần nữa", "new_due_at": "2026-03-25T08:00:00+07:00"}))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("extension_already_used"))
    );
}

#[tokio::test]
async fn the_delta_feed_reports_changes_and_expires() {
    let settings = motcua::portal::state::Settings {
        changes_kept: 5,
        ..Default::default()
    };
    let p = Portal::with(settings, motcua::portal::Seed::Accounts).await;
    let desk = desk(&p, 1).await;
    let feed = |since: Option<i64>| {
        let path = match since {
            Some(s) => format!("/dossiers/changes?since={s}"),
            None => "/dossiers/changes".into(),
        };
        let req = p.get(&path).bearer_auth(&desk).header("X-No-Extend", "1");
        async move { status_json(req.send().await.unwrap()).await }
    };
    let (s, start) = feed(None).await;
    assert_eq!(s, 200);
    let seq = start["seq"].as_i64().unwrap();
    let (_, nothing) = feed(Some(seq)).await;
    assert_eq!(nothing["changes"].as_array().unwrap().len(), 0);

    let (citizen, _) = p.citizen_of(1).await;
    let (_, d) = p
        .create_dossier(&desk, &p.submission("1.001193", &citizen).await)
        .await;
    let code = d["code"].as_str().unwrap().to_owned();
    p.act(&desk, &code, 1, json!({"action": "forward"})).await;
    let (_, changed) = feed(Some(seq)).await;
    let changes = changed["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "two changes of one dossier come as one");
    assert_eq!(changes[0]["code"], code);
    assert_eq!(changes[0]["status"], "in_progress");
    // Another office's feed does not carry it.
    let other = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let res = p
        .get(&format!("/dossiers/changes?since={seq}"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    let (_, theirs) = status_json(res).await;
    assert_eq!(theirs["changes"].as_array().unwrap().len(), 0);

    for _ in 0..6 {
        p.create_dossier(&desk, &p.submission("1.001193", &citizen).await)
            .await;
    }
    let (s, e) = feed(Some(seq)).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (410, Some("changes_expired"))
    );
}
