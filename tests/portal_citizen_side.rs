//! The citizen's side of the portal over real HTTP: online submission with uploaded
//! files, the desk receiving it, a supplement round trip, the citizen's own list,
//! attachments, and the public lookup.

mod common;

use common::{DEMO_PASSWORD, Portal, pdf, status_json};
use serde_json::{Value, json};

/// A demo citizen of office 1: (12-digit number, token).
async fn citizen(p: &Portal) -> (String, String) {
    let number: String = sqlx::query_scalar(
        "SELECT c.id_number FROM citizens c JOIN offices o ON o.id = c.office_id \
         WHERE o.number = 1 ORDER BY c.id LIMIT 1",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    let token = p.login(&number, DEMO_PASSWORD).await;
    (number, token)
}

/// An online birth registration with every mandatory part uploaded.
async fn online_submission(p: &Portal, token: &str) -> Value {
    let detail: Value = p
        .get("/procedures/1.001193")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let case = &detail["cases"][0];
    let mut documents = Vec::new();
    for part in case["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["mandatory"] == true)
    {
        let id = part["id"].as_str().unwrap();
        let upload = p.upload(token, &format!("{id}.pdf"), &pdf(id)).await;
        documents.push(json!({"part_id": id, "originals": 1, "upload_id": upload}));
    }
    json!({
        "office_code": "000.01.27.H07",
        "procedure_code": "1.001193",
        "case_id": case["id"],
        "documents": documents,
        "delivery": {"method": "online"},
        "declaration_accepted": true
    })
}

async fn post(p: &Portal, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let res = p
        .post(path)
        .bearer_auth(token)
        .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
        .json(body)
        .send()
        .await
        .unwrap();
    status_json(res).await
}

#[tokio::test]
async fn online_submission_to_the_desk_and_a_supplement_round_trip() {
    let p = Portal::demo().await;
    let (number, me) = citizen(&p).await;
    let body = online_submission(&p, &me).await;
    let (status, d) = post(&p, &me, "/citizen/dossiers", &body).await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(d["status"], "submitted");
    assert_eq!(d["channel"], "online");
    assert!(d["due_at"].is_null(), "no due time before reception");
    assert!(
        d["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|doc| doc["attachment"].is_object())
    );
    let code = d["code"].as_str().unwrap().to_owned();

    // The desk sees it waiting and receives it.
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let res = p
        .get("/dossiers?queue=online_pending")
        .bearer_auth(&desk)
        .send()
        .await
        .unwrap();
    let (_, pending) = status_json(res).await;
    assert!(
        pending["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["code"] == code)
    );
    let (s, d) = p.act(&desk, &code, 1, json!({"action": "receive"})).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "received");
    assert!(d["due_at"].is_string());

    // The officer downloads an attachment, byte for byte with its checksum.
    let attachment = &d["documents"][0]["attachment"];
    let res = p
        .get(&format!(
            "/dossiers/{code}/attachments/{}",
            attachment["id"].as_str().unwrap()
        ))
        .bearer_auth(&desk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["x-content-sha256"],
        attachment["sha256"].as_str().unwrap()
    );
    let part = d["documents"][0]["part_id"].as_str().unwrap().to_owned();
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf(&part));
    let other = p.login("tiepnhan2", DEMO_PASSWORD).await;
    let res = p
        .get(&format!(
            "/dossiers/{code}/attachments/{}",
            attachment["id"].as_str().unwrap()
        ))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // A supplement is asked for; the public lookup tells the citizen what is missing.
    let (s, d) = p
        .act(&desk, &code, 2, json!({"action": "request_supplement", "reason": "Giấy chứng sinh mờ", "missing_documents": ["Giấy chứng sinh (bản rõ)"]}))
        .await;
    assert_eq!(s, 200, "{d}");
    let res = p
        .get(&format!("/public/dossiers/{code}"))
        .query(&[("id_number", number.as_str())])
        .send()
        .await
        .unwrap();
    let (s, public) = status_json(res).await;
    assert_eq!(s, 200, "{public}");
    assert_eq!(public["status"], "supplement_requested");
    assert_eq!(public["missing_documents"][0], "Giấy chứng sinh (bản rõ)");
    assert_eq!(public["office"], "UBND Phường An Hội");

    // The citizen sends it; the dossier waits for the desk again.
    let upload = p.upload(&me, "chung-sinh.pdf", &pdf("again")).await;
    let supplement = json!({"documents": [{"part_id": "giay_chung_sinh", "upload_id": upload}]});
    let res = p
        .post(&format!("/citizen/dossiers/{code}/supplement"))
        .bearer_auth(&me)
        .header("If-Match", "\"3\"")
        .json(&supplement)
        .send()
        .await
        .unwrap();
    let (s, d) = status_json(res).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["status"], "submitted");
    assert_eq!(d["version"], 4);
    let timeline: Vec<&str> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        timeline,
        [
            "created",
            "receive",
            "request_supplement",
            "supplement_received"
        ]
    );

    // The citizen's own list has it.
    let res = p
        .get("/citizen/dossiers")
        .bearer_auth(&me)
        .send()
        .await
        .unwrap();
    let (s, mine) = status_json(res).await;
    assert_eq!(s, 200);
    assert_eq!(mine["items"][0]["code"], code);
}

#[tokio::test]
async fn online_rules_and_boundaries() {
    let p = Portal::demo().await;
    let (number, me) = citizen(&p).await;
    // Online, nothing can be handed over on paper.
    let mut body = online_submission(&p, &me).await;
    body["documents"][0]["upload_id"] = Value::Null;
    let (s, e) = post(&p, &me, "/citizen/dossiers", &body).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("validation_failed"))
    );
    assert!(e["error"]["fields"]["documents"].is_string());
    // An unknown office.
    let mut body = online_submission(&p, &me).await;
    body["office_code"] = json!("000.99.27.H07");
    let (s, e) = post(&p, &me, "/citizen/dossiers", &body).await;
    assert_eq!(s, 422);
    assert!(e["error"]["fields"]["office_code"].is_string());
    // Staff have no citizen side; citizens have no inbox.
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let res = p
        .get("/citizen/dossiers")
        .bearer_auth(&desk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // Someone else's dossier cannot be supplemented by this citizen.
    let (_, d) = post(
        &p,
        &me,
        "/citizen/dossiers",
        &online_submission(&p, &me).await,
    )
    .await;
    let code = d["code"].as_str().unwrap().to_owned();
    let other_number: String =
        sqlx::query_scalar("SELECT id_number FROM citizens WHERE id_number <> $1 LIMIT 1")
            .bind(&number)
            .fetch_one(&p.running.state.db)
            .await
            .unwrap();
    let other = p.login(&other_number, DEMO_PASSWORD).await;
    let res = p
        .post(&format!("/citizen/dossiers/{code}/supplement"))
        .bearer_auth(&other)
        .header("If-Match", "\"1\"")
        .json(&json!({"documents": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // Not asked for a supplement: the rules refuse.
    let upload = p.upload(&me, "x.pdf", &pdf("x")).await;
    let res = p
        .post(&format!("/citizen/dossiers/{code}/supplement"))
        .bearer_auth(&me)
        .header("If-Match", "\"1\"")
        .json(&json!({"documents": [{"part_id": "to_khai", "upload_id": upload}]}))
        .send()
        .await
        .unwrap();
    let (s, e) = status_json(res).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("invalid_transition"))
    );

    // The public lookup answers the same 404 for a wrong number and an unknown code.
    let lookup = |code: String, id: String| {
        let req = p
            .get(&format!("/public/dossiers/{code}"))
            .query(&[("id_number", id)]);
        async move { status_json(req.send().await.unwrap()).await }
    };
    let (s1, wrong_number) = lookup(code.clone(), other_number.clone()).await;
    let (s2, unknown) = lookup("000.01.27.H07-991231-9999".into(), number.clone()).await;
    let (s3, _) = lookup(code.clone(), String::new()).await;
    assert_eq!((s1, s2, s3), (404, 404, 404));
    assert_eq!(wrong_number, unknown, "no way to tell which part was wrong");
    let (s, ok) = lookup(code.clone(), number.clone()).await;
    assert_eq!(s, 200);
    assert_eq!(ok["status"], "submitted");
    assert_eq!(
        ok["status_label"],
        "Mới đăng ký (trực tuyến, chờ tiếp nhận)"
    );
}

/// `POST /citizen/dossiers` under one key: `n` requests at once, each awaited in a task
/// of its own; returns their (status, body).
async fn submit_concurrently(
    p: &std::sync::Arc<Portal>,
    token: &str,
    key: &str,
    body: &Value,
    n: usize,
) -> Vec<(u16, Value)> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let req = p
                .post("/citizen/dossiers")
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .json(body);
            tokio::spawn(async move { status_json(req.send().await.unwrap()).await })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

async fn dossier_count(p: &Portal) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&p.running.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_retried_submission_replays_and_makes_one_dossier() {
    let p = std::sync::Arc::new(Portal::demo().await);
    let (_, me) = citizen(&p).await;
    let body = online_submission(&p, &me).await;
    let key = "\"4f0c2a9e-6d1b-4e8a-9b57-0c3e1d2f7a64\"";

    // 50 retries of one submission at once (a phone on a bad network): one dossier.
    let results = submit_concurrently(&p, &me, key, &body, 50).await;
    for (status, b) in &results {
        assert!(
            *status == 201 || (*status == 409 && b["error"]["code"] == "request_in_progress"),
            "{status} {b}"
        );
    }
    let created: std::collections::BTreeSet<&str> = results
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(created.len(), 1, "one dossier for one key: {created:?}");
    assert_eq!(dossier_count(&p).await, 1);
    let code = created.first().unwrap().to_string();

    // A later retry gets the first answer again, marked as a replay, and nothing more.
    let res = p
        .post("/citizen/dossiers")
        .bearer_auth(&me)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    let (status, replay) = status_json(res).await;
    assert_eq!(status, 201);
    assert_eq!(replay["code"], code);
    assert_eq!(replay["status"], "submitted");
    assert_eq!(dossier_count(&p).await, 1);

    // The same key for another submission is refused, and creates nothing either.
    let mut other = body.clone();
    other["note"] = json!("Nộp lại với ghi chú khác");
    let results = submit_concurrently(&p, &me, key, &other, 1).await;
    let (status, e) = &results[0];
    assert_eq!(
        (*status, e["error"]["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
    assert_eq!(dossier_count(&p).await, 1);
}
