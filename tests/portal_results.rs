//! Giving results back (issue 17), against the real portal: the handover of
//! `return_result` (422 naming the field when who collected, or the tracking code, is
//! missing; shown in the dossier, its history and the control slip), the satisfaction
//! rating (once, after the return, from the desk or the citizen online; 409, 404, 403
//! otherwise; counted by `GET /stats`), and the notices a step queues.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use serde_json::{Value, json};

/// The officials of office `n`: (desk, specialist, leader).
async fn staff(p: &Portal, n: i64) -> (String, String, String) {
    (
        p.login(&format!("tiepnhan{n}"), DEMO_PASSWORD).await,
        p.login(&format!("chuyenvien{n}"), DEMO_PASSWORD).await,
        p.login(&format!("lanhdao{n}"), DEMO_PASSWORD).await,
    )
}

/// Office 1's first demo citizen: (public id, identity number, full name).
async fn applicant(p: &Portal) -> (String, String, String) {
    sqlx::query_as(
        "SELECT c.public_id, c.id_number, c.full_name FROM citizens c \
         JOIN offices o ON o.id = c.office_id WHERE o.number = 1 ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap()
}

/// A free marital status certificate taken in at office 1's desk and brought to
/// `result_ready`: (code, version).
async fn ready(p: &Portal, tokens: &(String, String, String)) -> (String, i64) {
    let (citizen, _, _) = applicant(p).await;
    let (s, d) = p
        .create_dossier(&tokens.0, &p.submission("1.004873", &citizen).await)
        .await;
    assert_eq!(s, 201, "{d}");
    let code = d["code"].as_str().unwrap().to_owned();
    let (desk, specialist, leader) = tokens;
    let steps = [
        (
            desk,
            json!({"action": "forward", "assignee": "chuyenvien1"}),
        ),
        (
            specialist,
            json!({"action": "propose_result", "result": "approved", "summary": "Đủ điều kiện"}),
        ),
        (leader, json!({"action": "approve"})),
    ];
    let mut version = 1;
    for (token, body) in steps {
        let (s, d) = p.act(token, &code, version, body).await;
        assert_eq!(s, 200, "{d}");
        version = d["version"].as_i64().unwrap();
    }
    (code, version)
}

async fn get(p: &Portal, token: &str, path: &str) -> (u16, Value) {
    status_json(
        p.get(path)
            .bearer_auth(token)
            .header("Accept-Language", "en")
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn rate(p: &Portal, token: &str, code: &str, body: Value) -> (u16, Value) {
    status_json(
        p.post(&format!("/dossiers/{code}/rating"))
            .bearer_auth(token)
            .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
            .header("Accept-Language", "en")
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn fields(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_object()
        .map(|f| f.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_return_needs_its_handover_and_shows_it_everywhere() {
    let p = Portal::demo().await;
    let tokens = staff(&p, 1).await;
    let (code, v) = ready(&p, &tokens).await;
    let desk = &tokens.0;
    let (_, number, name) = applicant(&p).await;

    // In person without a receiver: 422 naming the field, nothing changed.
    let (s, e) = p
        .act(
            desk,
            &code,
            v,
            json!({"action": "return_result", "delivery": "in_person", "recipient": "Ai đó"}),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("validation_failed"))
    );
    assert_eq!(fields(&e), vec!["handover.receiver"], "{e}");
    // By post without a tracking code: 422 too.
    let (s, e) = p
        .act(
            desk,
            &code,
            v,
            json!({"action": "return_result", "delivery": "postal", "handover": {}}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&e), vec!["handover.postal_tracking"], "{e}");
    // The applicant in person, but with another's number; and an authorized person
    // without the authorization: each field named.
    let (s, e) = p
        .act(
            desk,
            &code,
            v,
            json!({"action": "return_result", "delivery": "in_person", "handover": {
                "receiver": {"full_name": name, "id_number": "083095009999", "relation": "self"}}}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&e), vec!["handover.receiver.id_number"], "{e}");
    let (s, e) = p
        .act(
            desk,
            &code,
            v,
            json!({"action": "return_result", "delivery": "in_person", "handover": {
                "receiver": {"full_name": "Trần Văn Bình", "id_number": "083095009999",
                             "relation": "authorized"}}}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(
        fields(&e),
        vec!["handover.receiver.authorization_doc"],
        "{e}"
    );
    let (_, d) = get(&p, desk, &format!("/dossiers/{code}")).await;
    assert_eq!(
        d["status"], "result_ready",
        "a refused return changes nothing"
    );

    // The applicant collects it: the handover is kept as typed, trimmed.
    let (s, d) = p
        .act(
            desk,
            &code,
            v,
            json!({"action": "return_result", "delivery": "in_person", "handover": {
                "receiver": {"full_name": format!(" {name} "), "id_number": number, "relation": "self"},
                "originals_returned": ["Giấy xác nhận cư trú (bản chính)", " "],
                "result_documents": ["Giấy xác nhận tình trạng hôn nhân"]}}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "returned");
    assert_eq!(d["recipient"], name.as_str());
    let h = &d["handover"];
    assert_eq!(h["receiver"]["full_name"], name.as_str());
    assert_eq!(h["receiver"]["id_number"], number.as_str());
    assert_eq!(h["receiver"]["relation"], "self");
    assert_eq!(
        h["originals_returned"],
        json!(["Giấy xác nhận cư trú (bản chính)"])
    );
    assert_eq!(
        h["result_documents"],
        json!(["Giấy xác nhận tình trạng hôn nhân"])
    );

    // In the history, on the return's step.
    let (s, history) = get(&p, desk, &format!("/dossiers/{code}/history")).await;
    assert_eq!(s, 200);
    let steps = history.as_array().unwrap();
    let ret = steps
        .iter()
        .find(|e| e["action"] == "return_result")
        .expect("the return's step");
    assert_eq!(ret["handover"], d["handover"]);
    assert!(
        steps
            .iter()
            .filter(|e| e["action"] != "return_result")
            .all(|e| e.get("handover").is_none()),
        "{history}"
    );

    // On the control slip (text form): who collected, what was handed back.
    let text = p
        .get(&format!("/dossiers/{code}/forms/control_sheet"))
        .bearer_auth(desk)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let flat = text
        .replace('|', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for needle in [
        format!("người nhận {name} (CCCD {number})"),
        "kết quả: Giấy xác nhận tình trạng hôn nhân".to_owned(),
        "bản gốc trả lại: Giấy xác nhận cư trú (bản chính)".to_owned(),
    ] {
        assert!(flat.contains(&needle), "{needle}\n{text}");
    }
    for line in text.lines() {
        assert!(line.chars().count() <= 64, "{line:?}");
    }
}

#[tokio::test]
async fn a_postal_return_keeps_its_tracking_code() {
    let p = Portal::demo().await;
    let tokens = staff(&p, 1).await;
    let (code, v) = ready(&p, &tokens).await;
    let (s, d) = p
        .act(
            &tokens.0,
            &code,
            v,
            json!({"action": "return_result", "delivery": "postal", "handover": {
                "postal_tracking": " eb123456789vn ", "result_documents": ["Giấy xác nhận"]}}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["handover"]["postal_tracking"], "EB123456789VN");
    assert_eq!(d["handover"]["receiver"], Value::Null);
    assert_eq!(d["delivery"]["method"], "postal");
    let text = p
        .get(&format!("/dossiers/{code}/forms/control_sheet"))
        .bearer_auth(&tokens.0)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("EB123456789VN"), "{text}");
}

#[tokio::test]
async fn a_rating_is_given_once_after_the_return() {
    let p = Portal::demo().await;
    let tokens = staff(&p, 1).await;
    let (desk, specialist, leader) = &tokens;
    let (code, v) = ready(&p, &tokens).await;

    // Before the return: 409 rating_not_open, audited.
    let (s, e) = rate(&p, desk, &code, json!({"level": "satisfied"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("rating_not_open"))
    );
    assert!(e["error"]["message"].as_str().unwrap().contains("returned"));
    let refused: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit WHERE event = 'action_refused' AND detail = 'rate' \
         AND reason = 'rating_not_open' AND dossier_code = $1",
    )
    .bind(&code)
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    assert_eq!(refused, 1);

    let (s, d) = p
        .act(
            desk,
            &code,
            v,
            json!({"action": "return_result", "delivery": "in_person",
                   "handover": common::authorized_receiver("Lê Thị Cúc")}),
        )
        .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["rating"], Value::Null);

    // Specialists and leaders do not record ratings (403); another office's desk does
    // not see the dossier (404); an unknown level is 422.
    let (s, _) = rate(&p, specialist, &code, json!({"level": "satisfied"})).await;
    assert_eq!(s, 403);
    let (s, _) = rate(&p, leader, &code, json!({"level": "satisfied"})).await;
    assert_eq!(s, 403);
    let other = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let (s, e) = rate(&p, &other, &code, json!({"level": "satisfied"})).await;
    assert_eq!((s, e["error"]["code"].as_str()), (404, Some("not_found")));
    let (s, e) = rate(&p, desk, &code, json!({"level": "ecstatic"})).await;
    assert!(s == 422 || s == 400, "{s} {e}");
    let (s, e) = rate(
        &p,
        desk,
        &code,
        json!({"level": "satisfied", "comment": "tốt\u{1b}[31m"}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    assert!(fields(&e).contains(&"comment".to_owned()), "{e}");

    // At the desk: 201, shown in the dossier with its channel.
    let (s, r) = rate(
        &p,
        desk,
        &code,
        json!({"level": "very_satisfied", "comment": "  Cán bộ hướng dẫn tận tình "}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["level"], "very_satisfied");
    assert_eq!(r["channel"], "desk");
    assert_eq!(r["comment"], "Cán bộ hướng dẫn tận tình");
    let (_, d) = get(&p, desk, &format!("/dossiers/{code}")).await;
    assert_eq!(d["rating"], r);
    assert!(
        d["version"].as_i64().unwrap() > v + 1,
        "the rating moves the version"
    );

    // A second one, from the desk or the citizen: 409 already_rated.
    let (s, e) = rate(&p, desk, &code, json!({"level": "unsatisfied"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("already_rated"))
    );
    let (_, number, _) = applicant(&p).await;
    let citizen = p.login(&number, DEMO_PASSWORD).await;
    let (s, e) = rate(&p, &citizen, &code, json!({"level": "unsatisfied"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("already_rated"))
    );

    // The stats count it.
    let (_, stats) = get(&p, desk, "/stats").await;
    assert_eq!(
        stats["ratings"],
        json!({"very_satisfied": 1, "satisfied": 0, "unsatisfied": 0})
    );
    let (_, stats) = get(&p, &other, "/stats").await;
    assert_eq!(
        stats["ratings"]["very_satisfied"], 0,
        "another office's count"
    );
    let recorded: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit WHERE event = 'rating_recorded' AND dossier_code = $1 \
         AND detail = 'very_satisfied' AND reason = 'desk'",
    )
    .bind(&code)
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    assert_eq!(recorded, 1);
}

#[tokio::test]
async fn the_citizen_rates_their_own_dossier_online() {
    let p = Portal::demo().await;
    let tokens = staff(&p, 1).await;
    let (code, v) = ready(&p, &tokens).await;
    let (s, _) = p
        .act(
            &tokens.0,
            &code,
            v,
            json!({"action": "return_result", "delivery": "online"}),
        )
        .await;
    assert_eq!(s, 200);
    // Another citizen: as if there were no such dossier.
    let stranger: String = sqlx::query_scalar(
        "SELECT c.id_number FROM citizens c JOIN offices o ON o.id = c.office_id \
         WHERE o.number = 2 ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    let stranger = p.login(&stranger, DEMO_PASSWORD).await;
    let (s, _) = rate(&p, &stranger, &code, json!({"level": "unsatisfied"})).await;
    assert_eq!(s, 404);
    let (_, number, _) = applicant(&p).await;
    let citizen = p.login(&number, DEMO_PASSWORD).await;
    let (s, r) = rate(&p, &citizen, &code, json!({"level": "unsatisfied"})).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["channel"], "online");
    assert_eq!(r["comment"], Value::Null);
    let (_, stats) = get(&p, &tokens.0, "/stats").await;
    assert_eq!(stats["ratings"]["unsatisfied"], 1);
}

#[tokio::test]
async fn a_rating_retried_with_its_key_is_the_same_rating() {
    let p = Portal::demo().await;
    let tokens = staff(&p, 1).await;
    let (code, v) = ready(&p, &tokens).await;
    p.act(
        &tokens.0,
        &code,
        v,
        json!({"action": "return_result", "delivery": "online"}),
    )
    .await;
    let key = format!("\"{}\"", uuid::Uuid::new_v4());
    let send = || {
        p.post(&format!("/dossiers/{code}/rating"))
            .bearer_auth(&tokens.0)
            .header("Idempotency-Key", &key)
            .json(&json!({"level": "satisfied"}))
            .send()
    };
    let (s1, first) = status_json(send().await.unwrap()).await;
    let second = send().await.unwrap();
    assert_eq!(
        second
            .headers()
            .get("Idempotent-Replayed")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );
    let (s2, again) = status_json(second).await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(first, again);
    let (s, _) = status_json(
        p.post(&format!("/dossiers/{code}/rating"))
            .bearer_auth(&tokens.0)
            .json(&json!({"level": "satisfied"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 400, "a rating without a key");
}

#[tokio::test]
async fn each_step_a_citizen_is_told_of_queues_its_notices() {
    let p = Portal::demo().await;
    let tokens = staff(&p, 1).await;
    let (code, v) = ready(&p, &tokens).await;
    p.act(
        &tokens.0,
        &code,
        v,
        json!({"action": "return_result", "delivery": "in_person",
               "handover": common::authorized_receiver("Lê Thị Cúc")}),
    )
    .await;
    let (s, list) = get(&p, &tokens.0, &format!("/dossiers/{code}/notifications")).await;
    assert_eq!(s, 200, "{list}");
    let list = list.as_array().unwrap();
    let events: Vec<(&str, &str)> = list
        .iter()
        .map(|n| (n["event"].as_str().unwrap(), n["channel"].as_str().unwrap()))
        .collect();
    // No e-mail address for this citizen in the demo data, or one: an SMS either way.
    for event in ["received", "result_ready", "returned"] {
        assert!(events.contains(&(event, "sms")), "{event}: {events:?}");
    }
    assert!(!events.iter().any(|(e, _)| *e == "in_progress"));
    for n in list {
        // No transport is configured here: they wait, queued, never lost.
        assert_eq!(n["status"], "queued", "{n}");
        assert_eq!(n["attempts"], 0);
        assert!(n["body"].as_str().unwrap().contains(&code), "{n}");
        assert_eq!(n["caught"], false);
    }
    let sms = list
        .iter()
        .find(|n| n["event"] == "returned" && n["channel"] == "sms")
        .unwrap();
    let text = sms["body"].as_str().unwrap();
    assert!(text.is_ascii() && text.contains("danh gia"), "{text}");
    // Another office: 404; a specialist of the office reads them too.
    let other = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let (s, _) = get(&p, &other, &format!("/dossiers/{code}/notifications")).await;
    assert_eq!(s, 404);
    let (s, _) = get(&p, &tokens.1, &format!("/dossiers/{code}/notifications")).await;
    assert_eq!(s, 200);
}
