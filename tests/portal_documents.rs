//! Documents over real HTTP (issue 16): digitizing a document part (`If-Match`, 428, 412,
//! the metadata's checks, roles, another office's dossier), the citizen's store and its
//! files, reuse in a new dossier (`document_expired`, `document_not_owned`), result
//! files, and the digitization index and reuse counts of `GET /stats`.

mod common;

use common::{DEMO_PASSWORD, Portal, pdf, status_json};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const BIRTH: &str = "1.001193";

/// A portal with the demo accounts, the desk of office 1 logged in, and a dossier of
/// office 1's first citizen with every mandatory part on paper.
struct Desk {
    p: Portal,
    desk: String,
    citizen: String,
    dossier: Value,
}

async fn desk() -> Desk {
    let p = Portal::demo().await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let (citizen, _) = p.citizen_of(1).await;
    let body = p.submission(BIRTH, &citizen).await;
    let (status, dossier) = p.create_dossier(&desk, &body).await;
    assert_eq!(status, 201, "{dossier}");
    Desk {
        p,
        desk,
        citizen,
        dossier,
    }
}

fn code(d: &Value) -> String {
    d["code"].as_str().unwrap().to_owned()
}

fn version(d: &Value) -> i64 {
    d["version"].as_i64().unwrap()
}

fn part<'a>(d: &'a Value, id: &str) -> &'a Value {
    d["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["part_id"] == id)
        .unwrap_or_else(|| panic!("no part {id} in {d}"))
}

fn key() -> String {
    format!("\"{}\"", uuid::Uuid::new_v4())
}

impl Desk {
    async fn put(
        &self,
        token: &str,
        code: &str,
        part: &str,
        if_match: Option<i64>,
        body: &Value,
    ) -> (u16, Value) {
        let mut rb = self
            .p
            .http
            .put(
                self.p
                    .url(&format!("/dossiers/{code}/documents/{part}/digitization")),
            )
            .bearer_auth(token)
            .json(body);
        if let Some(v) = if_match {
            rb = rb.header("If-Match", format!("\"{v}\""));
        }
        status_json(rb.send().await.unwrap()).await
    }

    async fn store(&self, token: &str, citizen: &str) -> (u16, Value) {
        status_json(
            self.p
                .get(&format!("/citizens/{citizen}/documents"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn stats(&self, token: &str, query: &str) -> (u16, Value) {
        status_json(
            self.p
                .get(&format!("/stats{query}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Digitizes `part` of the dossier with a fresh scan; answers the dossier.
    async fn digitize(&self, dossier: &Value, part: &str, meta: Value) -> Value {
        let scan = self
            .p
            .upload(&self.desk, &format!("{part}.pdf"), &pdf(part))
            .await;
        let mut body = meta;
        body["upload_id"] = json!(scan);
        let (status, d) = self
            .put(
                &self.desk,
                &code(dossier),
                part,
                Some(version(dossier)),
                &body,
            )
            .await;
        assert_eq!(status, 200, "{d}");
        d
    }
}

fn birth_certificate() -> Value {
    json!({
        "doc_type": "Giấy chứng sinh",
        "number": "123/2026",
        "issued_on": "2026-01-10",
        "issuer": "Bệnh viện Nguyễn Đình Chiểu"
    })
}

#[tokio::test]
async fn digitizing_a_part_puts_it_in_the_citizens_store() {
    let d = desk().await;
    let code = code(&d.dossier);
    let scan_bytes = pdf("scan of the birth certificate");
    let scan =
        d.p.upload(&d.desk, "giay-chung-sinh.pdf", &scan_bytes)
            .await;
    let mut body = birth_certificate();
    body["upload_id"] = json!(scan);

    // No If-Match: 428. A stale one: 412 with the dossier now.
    let (status, err) = d.put(&d.desk, &code, "giay_chung_sinh", None, &body).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (428, Some("precondition_required"))
    );
    let v = version(&d.dossier);
    let (status, err) = d
        .put(&d.desk, &code, "giay_chung_sinh", Some(v + 5), &body)
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (412, Some("version_conflict"))
    );
    assert_eq!(err["error"]["current"]["version"], v);

    let (status, after) = d
        .put(&d.desk, &code, "giay_chung_sinh", Some(v), &body)
        .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(version(&after), v + 1);
    let digitized = part(&after, "giay_chung_sinh");
    assert_eq!(digitized["digitization"]["kind"], "digitized");
    assert_eq!(digitized["digitization"]["doc_type"], "Giấy chứng sinh");
    assert_eq!(digitized["digitization"]["by"], "tiepnhan1");
    assert_eq!(digitized["attachment"]["id"], scan.as_str());
    assert_eq!(digitized["on_paper"], true, "the paper was presented too");
    assert!(part(&after, "to_khai")["digitization"].is_null());

    // The same PUT again (a retry over a cut link): the dossier as it is, not 412.
    let (status, again) = d
        .put(&d.desk, &code, "giay_chung_sinh", Some(v), &body)
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(version(&again), v + 1);

    // The store holds it, with its file.
    let (status, store) = d.store(&d.desk, &d.citizen).await;
    assert_eq!(status, 200, "{store}");
    let docs = store.as_array().unwrap();
    assert_eq!(docs.len(), 1, "{store}");
    let doc = &docs[0];
    assert_eq!(doc["kind"], "digitized");
    assert_eq!(doc["source_dossier"], code.as_str());
    assert_eq!(doc["number"], "123/2026");
    assert_eq!(doc["expired"], false);
    assert_eq!(doc["id"], digitized["digitization"]["stored_document_id"]);
    let res =
        d.p.get(&format!(
            "/citizens/{}/documents/{}",
            d.citizen,
            doc["id"].as_str().unwrap()
        ))
        .bearer_auth(&d.desk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let sha = res.headers()["x-content-sha256"]
        .to_str()
        .unwrap()
        .to_owned();
    let bytes = res.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), scan_bytes.as_slice());
    assert_eq!(sha, hex::encode(Sha256::digest(&scan_bytes)));
    assert_eq!(d.p.audit_count("document_digitized").await, 1);

    // Corrected later: the same stored document, its metadata changed.
    let mut corrected = birth_certificate();
    corrected["number"] = json!("124/2026");
    let (status, fixed) = d
        .put(&d.desk, &code, "giay_chung_sinh", Some(v + 1), &corrected)
        .await;
    assert_eq!(status, 200, "{fixed}");
    let (_, store) = d.store(&d.desk, &d.citizen).await;
    assert_eq!(store.as_array().unwrap().len(), 1);
    assert_eq!(store[0]["number"], "124/2026");
}

#[tokio::test]
async fn the_metadata_is_checked_field_by_field() {
    let d = desk().await;
    let code = code(&d.dossier);
    let v = version(&d.dossier);
    let scan = d.p.upload(&d.desk, "scan.pdf", &pdf("x")).await;
    let cases = [
        (json!({"doc_type": "  "}), "doc_type"),
        (
            json!({"doc_type": "Giấy chứng sinh", "issued_on": "2999-01-01"}),
            "issued_on",
        ),
        (
            json!({"doc_type": "Giấy chứng sinh", "issued_on": "10/01/2026"}),
            "issued_on",
        ),
        (
            json!({"doc_type": "Giấy chứng sinh", "valid_until": "2000-01-01"}),
            "valid_until",
        ),
        (
            json!({"doc_type": "Giấy chứng sinh", "issued_on": "2025-05-05", "valid_until": "2025-05-04"}),
            "valid_until",
        ),
        (
            json!({"doc_type": "Giấy chứng sinh", "number": "9".repeat(65)}),
            "number",
        ),
        (json!({"doc_type": "x".repeat(101)}), "doc_type"),
        (
            json!({"doc_type": "Giấy chứng sinh", "issuer": "Bệnh viện\u{1b}[31m"}),
            "issuer",
        ),
        (
            json!({"doc_type": "Giấy chứng sinh", "issuer": "a".repeat(301)}),
            "issuer",
        ),
    ];
    for (mut body, field) in cases {
        body["upload_id"] = json!(scan);
        let (status, err) = d
            .put(&d.desk, &code, "giay_chung_sinh", Some(v), &body)
            .await;
        assert_eq!(status, 422, "{body}: {err}");
        assert_eq!(err["error"]["code"], "validation_failed", "{err}");
        assert!(err["error"]["fields"][field].is_string(), "{field}: {err}");
    }
    // A part on paper only, without a scan.
    let (status, err) = d
        .put(
            &d.desk,
            &code,
            "giay_chung_sinh",
            Some(v),
            &json!({"doc_type": "Giấy chứng sinh"}),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert!(err["error"]["fields"]["upload_id"].is_string(), "{err}");
    // Someone else's upload.
    let other = d.p.login("tiepnhan2", DEMO_PASSWORD).await;
    let theirs = d.p.upload(&other, "scan.pdf", &pdf("theirs")).await;
    let (status, err) = d
        .put(
            &d.desk,
            &code,
            "giay_chung_sinh",
            Some(v),
            &json!({"doc_type": "Giấy", "upload_id": theirs}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("upload_not_found"))
    );
    // Nothing changed.
    assert_eq!(d.p.audit_count("document_digitized").await, 0);
}

#[tokio::test]
async fn only_the_offices_desk_digitizes() {
    let d = desk().await;
    let code = code(&d.dossier);
    let v = version(&d.dossier);
    let body = json!({"doc_type": "Giấy chứng sinh"});
    let refused = d.p.audit_count("access_refused").await;
    for user in ["chuyenvien1", "lanhdao1", "quantri1"] {
        let token = d.p.login(user, DEMO_PASSWORD).await;
        let (status, err) = d
            .put(&token, &code, "giay_chung_sinh", Some(v), &body)
            .await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{user}"
        );
    }
    // Another office's desk: 404, as if there were no such dossier, and audited.
    let other = d.p.login("tiepnhan2", DEMO_PASSWORD).await;
    let (status, err) = d
        .put(&other, &code, "giay_chung_sinh", Some(v), &body)
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    assert_eq!(d.p.audit_count("access_refused").await, refused + 4);
    // A part the dossier does not have.
    let (status, _) = d.put(&d.desk, &code, "no_such_part", Some(v), &body).await;
    assert_eq!(status, 404);
    // A citizen cannot either.
    let citizen = d.p.login("083078238953", DEMO_PASSWORD).await;
    let (status, _) = d
        .put(&citizen, &code, "giay_chung_sinh", Some(v), &body)
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_stored_document_is_reused_in_a_new_dossier() {
    let d = desk().await;
    let first = d
        .digitize(
            &d.dossier,
            "giay_to_tuy_than",
            json!({
                "doc_type": "Căn cước công dân",
                "number": "083078238953",
                "issued_on": "2021-04-10",
                "issuer": "Cục Cảnh sát QLHC về TTXH",
                "valid_until": "2041-04-10"
            }),
        )
        .await;
    let stored = part(&first, "giay_to_tuy_than")["digitization"]["stored_document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, before) = d.stats(&d.desk, "").await;
    assert_eq!(before["reuse"]["documents"], 0);

    let mut body = d.p.submission(BIRTH, &d.citizen).await;
    for doc in body["documents"].as_array_mut().unwrap() {
        if doc["part_id"] == "giay_to_tuy_than" {
            doc["stored_document_id"] = json!(stored);
        }
    }
    let (status, second) = d.p.create_dossier(&d.desk, &body).await;
    assert_eq!(status, 201, "{second}");
    let reused = part(&second, "giay_to_tuy_than");
    assert_eq!(reused["digitization"]["kind"], "reused");
    assert_eq!(
        reused["digitization"]["stored_document_id"],
        stored.as_str()
    );
    assert_eq!(reused["on_paper"], false);
    // The file is the new dossier's attachment too.
    let file = reused["attachment"]["id"].as_str().unwrap();
    let res =
        d.p.get(&format!("/dossiers/{}/attachments/{file}", code(&second)))
            .bearer_auth(&d.desk)
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(d.p.audit_count("document_reused").await, 1);
    let (_, after) = d.stats(&d.desk, "").await;
    assert_eq!(after["reuse"]["documents"], 1, "{after}");
    assert_eq!(after["reuse"]["dossiers"], 1, "{after}");

    // Reusing it is no reason to digitize it again.
    let (status, err) = d
        .put(
            &d.desk,
            &code(&second),
            "giay_to_tuy_than",
            Some(version(&second)),
            &json!({"doc_type": "CCCD"}),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert!(err["error"]["fields"]["part_id"].is_string(), "{err}");
}

#[tokio::test]
async fn expired_and_foreign_documents_are_refused_for_reuse() {
    let d = desk().await;
    let first = d
        .digitize(
            &d.dossier,
            "giay_to_tuy_than",
            json!({"doc_type": "Căn cước công dân"}),
        )
        .await;
    let stored = part(&first, "giay_to_tuy_than")["digitization"]["stored_document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let with = |citizen: &str, reuse: Value| {
        let p = &d.p;
        let citizen = citizen.to_owned();
        async move {
            let mut body = p.submission(BIRTH, &citizen).await;
            for doc in body["documents"].as_array_mut().unwrap() {
                if doc["part_id"] == "giay_to_tuy_than" {
                    for (k, v) in reuse.as_object().unwrap() {
                        doc[k] = v.clone();
                    }
                }
            }
            body
        }
    };
    let dossiers_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&d.p.running.state.db)
        .await
        .unwrap();

    // Another citizen of the same office: not theirs.
    let other: String = sqlx::query_scalar(
        "SELECT public_id FROM citizens WHERE office_id = (SELECT office_id FROM citizens WHERE public_id = $1) \
         AND public_id <> $1 ORDER BY id LIMIT 1",
    )
    .bind(&d.citizen)
    .fetch_one(&d.p.running.state.db)
    .await
    .unwrap();
    let (status, err) =
        d.p.create_dossier(
            &d.desk,
            &with(&other, json!({"stored_document_id": stored})).await,
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("document_not_owned")),
        "{err}"
    );
    // An id that names nothing: the same answer.
    let (status, err) =
        d.p.create_dossier(
            &d.desk,
            &with(&d.citizen, json!({"stored_document_id": "0".repeat(32)})).await,
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("document_not_owned")),
        "{err}"
    );
    // Both a file and a stored document.
    let scan = d.p.upload(&d.desk, "x.pdf", &pdf("both")).await;
    let (status, err) =
        d.p.create_dossier(
            &d.desk,
            &with(
                &d.citizen,
                json!({"stored_document_id": stored, "upload_id": scan}),
            )
            .await,
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("validation_failed")),
        "{err}"
    );

    // Expired yesterday.
    let yesterday = (d.p.running.state.clock.now().date_naive() - chrono::Days::new(1))
        .format("%Y-%m-%d")
        .to_string();
    sqlx::query("UPDATE stored_documents SET valid_until = $1 WHERE public_id = $2")
        .bind(&yesterday)
        .bind(&stored)
        .execute(&d.p.running.state.db)
        .await
        .unwrap();
    let (_, store) = d.store(&d.desk, &d.citizen).await;
    assert_eq!(store[0]["expired"], true);
    let (status, err) =
        d.p.create_dossier(
            &d.desk,
            &with(&d.citizen, json!({"stored_document_id": stored})).await,
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("document_expired")),
        "{err}"
    );
    assert!(
        err["error"]["message"].as_str().unwrap().contains("Hãy"),
        "{err}"
    );

    let dossiers_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&d.p.running.state.db)
        .await
        .unwrap();
    assert_eq!(
        dossiers_after, dossiers_before,
        "no refused dossier was kept"
    );
    assert_eq!(d.p.audit_count("document_reused").await, 0);
}

#[tokio::test]
async fn the_store_is_scoped_to_the_office() {
    let d = desk().await;
    let first = d
        .digitize(&d.dossier, "giay_chung_sinh", birth_certificate())
        .await;
    let stored = part(&first, "giay_chung_sinh")["digitization"]["stored_document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = d.p.login("tiepnhan2", DEMO_PASSWORD).await;
    let refused = d.p.audit_count("access_refused").await;
    let (status, _) = d.store(&other, &d.citizen).await;
    assert_eq!(status, 404);
    let res =
        d.p.get(&format!("/citizens/{}/documents/{stored}", d.citizen))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(d.p.audit_count("access_refused").await, refused + 2);
    // Office 2's own citizen does not hold office 1's document either.
    let (theirs, _) = d.p.citizen_of(2).await;
    let res =
        d.p.get(&format!("/citizens/{theirs}/documents/{stored}"))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), 404);
    let (status, store) = d.store(&other, &theirs).await;
    assert_eq!((status, store), (200, json!([])));
    // Every staff role of the office reads the store; a citizen does not.
    for user in ["chuyenvien1", "lanhdao1", "quantri1"] {
        let token = d.p.login(user, DEMO_PASSWORD).await;
        let (status, store) = d.store(&token, &d.citizen).await;
        assert_eq!(status, 200, "{user}");
        assert_eq!(store.as_array().unwrap().len(), 1);
    }
    let citizen = d.p.login("083078238953", DEMO_PASSWORD).await;
    let (status, _) = d.store(&citizen, &d.citizen).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_result_file_goes_to_the_dossier_and_the_store() {
    let d = desk().await;
    let code = code(&d.dossier);
    let specialist = d.p.login("chuyenvien1", DEMO_PASSWORD).await;
    let post = |token: String, key: Option<String>, body: Value| {
        let p = &d.p;
        let code = code.clone();
        async move {
            let mut rb = p
                .post(&format!("/dossiers/{code}/result-files"))
                .bearer_auth(token)
                .json(&body);
            if let Some(k) = key {
                rb = rb.header("Idempotency-Key", k);
            }
            status_json(rb.send().await.unwrap()).await
        }
    };
    let upload =
        d.p.upload(&specialist, "trich-luc.pdf", &pdf("result"))
            .await;
    let body = json!({"upload_id": upload, "doc_type": "Trích lục khai sinh", "number": "45/2026"});

    // Received, not yet forwarded: not being decided.
    let (status, err) = post(specialist.clone(), Some(key()), body.clone()).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("invalid_transition")),
        "{err}"
    );
    let (status, forwarded) =
        d.p.act(
            &d.desk,
            &code,
            version(&d.dossier),
            json!({"action": "forward", "assignee": "chuyenvien1"}),
        )
        .await;
    assert_eq!(status, 200, "{forwarded}");

    // The desk may not; no key is 400.
    let (status, _) = post(d.desk.clone(), Some(key()), body.clone()).await;
    assert_eq!(status, 403);
    let (status, err) = post(specialist.clone(), None, body.clone()).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (400, Some("idempotency_key_missing"))
    );
    let (status, err) = post(
        specialist.clone(),
        Some(key()),
        json!({"upload_id": upload, "doc_type": ""}),
    )
    .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (422, Some("validation_failed"))
    );

    let k = key();
    let (status, file) = post(specialist.clone(), Some(k.clone()), body.clone()).await;
    assert_eq!(status, 201, "{file}");
    assert_eq!(file["document"]["kind"], "result");
    assert_eq!(file["added_by"], "chuyenvien1");
    let (status, replay) = post(specialist.clone(), Some(k), body.clone()).await;
    assert_eq!((status, &replay), (201, &file));

    let dossier: Value =
        d.p.get(&format!("/dossiers/{code}"))
            .bearer_auth(&d.desk)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(
        dossier["result_files"].as_array().unwrap().len(),
        1,
        "{dossier}"
    );
    assert_eq!(dossier["version"], version(&forwarded) + 1);
    let res =
        d.p.get(&format!("/dossiers/{code}/attachments/{upload}"))
            .bearer_auth(&d.desk)
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), 200);
    let (_, store) = d.store(&d.desk, &d.citizen).await;
    assert_eq!(store[0]["kind"], "result");
    assert_eq!(store[0]["doc_type"], "Trích lục khai sinh");
    assert_eq!(d.p.audit_count("result_file_added").await, 1);

    // The leader may too; another office's specialist finds no such dossier.
    let leader = d.p.login("lanhdao1", DEMO_PASSWORD).await;
    let second = d.p.upload(&leader, "ban-sao.pdf", &pdf("copy")).await;
    let (status, _) = post(
        leader,
        Some(key()),
        json!({"upload_id": second, "doc_type": "Bản sao trích lục"}),
    )
    .await;
    assert_eq!(status, 201);
    let stranger = d.p.login("chuyenvien2", DEMO_PASSWORD).await;
    let theirs = d.p.upload(&stranger, "x.pdf", &pdf("x")).await;
    let (status, _) = post(
        stranger,
        Some(key()),
        json!({"upload_id": theirs, "doc_type": "X"}),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_digitization_index_counts_dossiers_with_every_part_in_the_store() {
    let d = desk().await;
    let (status, stats) = d.stats(&d.desk, "").await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(
        stats["indices"]["digitization"],
        json!({"numerator": 0, "denominator": 1})
    );
    assert_eq!(
        stats["indices"]["online_submission"],
        json!({"numerator": 0, "denominator": 1})
    );
    assert_eq!(
        stats["indices"]["satisfaction"],
        json!({"numerator": 0, "denominator": 0})
    );
    let today = d.p.running.state.clock.now().date_naive();
    assert_eq!(stats["period"]["to"], today.format("%Y-%m-%d").to_string());
    assert!(stats["period"]["from"].as_str().unwrap().ends_with("-01"));

    // Two of three parts: not yet.
    let mut dossier = d.dossier.clone();
    for p in ["to_khai", "giay_chung_sinh"] {
        dossier = d.digitize(&dossier, p, json!({"doc_type": p})).await;
    }
    let (_, stats) = d.stats(&d.desk, "").await;
    assert_eq!(stats["indices"]["digitization"]["numerator"], 0);
    d.digitize(&dossier, "giay_to_tuy_than", json!({"doc_type": "CCCD"}))
        .await;
    let (_, stats) = d.stats(&d.desk, "").await;
    assert_eq!(
        stats["indices"]["digitization"],
        json!({"numerator": 1, "denominator": 1})
    );

    // A period without it; bad periods.
    let (status, old) = d.stats(&d.desk, "?from=2020-01-01&to=2020-01-31").await;
    assert_eq!(status, 200, "{old}");
    assert_eq!(
        old["indices"]["digitization"],
        json!({"numerator": 0, "denominator": 0})
    );
    for (query, field) in [
        ("?from=2026-13-01", "from"),
        ("?from=2026-02-01&to=2026-01-01", "from"),
        ("?from=2024-01-01&to=2026-01-01", "to"),
        ("?to=01/02/2026", "to"),
        ("?to=", "to"),
    ] {
        let (status, err) = d.stats(&d.desk, query).await;
        assert_eq!(status, 422, "{query}: {err}");
        assert!(err["error"]["fields"][field].is_string(), "{query}: {err}");
    }
    // Another office's numbers are its own.
    let other = d.p.login("tiepnhan2", DEMO_PASSWORD).await;
    let (_, theirs) = d.stats(&other, "").await;
    assert_eq!(theirs["indices"]["digitization"]["denominator"], 0);
}

/// The desk's client calls: digitize, the store, a file saved and checked, reuse by
/// `stored_document_id`, a result file, and the stats of a period.
#[tokio::test]
async fn the_client_digitizes_reuses_and_reads_the_store() {
    use motcua::api::documents::{DigitizationRequest, ResultFileRequest, StoredKind};
    use motcua::api::stats::StatsQuery;
    use motcua::client::PortalClient;
    let d = desk().await;
    let c = PortalClient::builder(&d.p.base).build().unwrap();
    c.login("tiepnhan1", DEMO_PASSWORD).await.unwrap();
    let code = code(&d.dossier);
    let scan = d.p.upload(&d.desk, "cccd.pdf", &pdf("cccd")).await;
    let dossier = c
        .digitize(
            &code,
            "giay_to_tuy_than",
            version(&d.dossier),
            &DigitizationRequest {
                upload_id: Some(scan),
                doc_type: "Căn cước công dân".into(),
                valid_until: Some("2040-01-01".into()),
                ..DigitizationRequest::default()
            },
        )
        .await
        .unwrap();
    let part = dossier
        .documents
        .iter()
        .find(|p| p.part_id == "giay_to_tuy_than")
        .unwrap();
    assert!(part.digitization.is_some());
    let store = c.citizen_documents(&d.citizen).await.unwrap();
    assert_eq!(store.len(), 1);
    assert_eq!(store[0].kind, StoredKind::Digitized);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("cccd.pdf");
    let n = c
        .download_stored_document(&d.citizen, &store[0].id, &dest)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), pdf("cccd"));
    assert_eq!(n as usize, pdf("cccd").len());

    let mut body = common::desk_submission(&c, BIRTH, &d.citizen).await;
    for doc in &mut body.documents {
        if doc.part_id == "giay_to_tuy_than" {
            doc.stored_document_id = Some(store[0].id.clone());
        }
    }
    let second = c
        .create_dossier(&uuid::Uuid::new_v4().to_string(), &body)
        .await
        .unwrap();
    assert!(second.documents.iter().any(|p| p.digitization.is_some()));

    let specialist = PortalClient::builder(&d.p.base).build().unwrap();
    specialist
        .login("chuyenvien1", DEMO_PASSWORD)
        .await
        .unwrap();
    let (status, _) =
        d.p.act(
            &d.desk,
            &code,
            dossier.version,
            json!({"action": "forward", "assignee": "chuyenvien1"}),
        )
        .await;
    assert_eq!(status, 200);
    let token = d.p.login("chuyenvien1", DEMO_PASSWORD).await;
    let upload = d.p.upload(&token, "kq.pdf", &pdf("kq")).await;
    let file = specialist
        .add_result_file(
            &code,
            &uuid::Uuid::new_v4().to_string(),
            &ResultFileRequest {
                upload_id: upload,
                doc_type: "Trích lục khai sinh".into(),
                number: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(file.document.kind, StoredKind::Result);

    let stats = c.stats_for(&StatsQuery::default()).await.unwrap();
    assert_eq!(stats.reuse.documents, 1);
    assert_eq!(stats.indices.digitization.denominator, 2);
    let err = c
        .stats_for(&StatsQuery {
            from: Some("2026-02-30".into()),
            to: None,
            months: None,
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("2026-02-30"), "{err}");
}

/// The demo seed (and so the training sandbox) gives the first citizens of each office a
/// store: a valid chip-card identity (reusable) and, for the second, an old identity card
/// that has expired (refused); the seeded dossiers' digitization index is above zero.
#[tokio::test]
async fn the_demo_seed_fills_some_citizens_stores() {
    use motcua::portal::Seed;
    use motcua::portal::state::Settings;
    let p = Portal::with(Settings::default(), Seed::Demo).await;
    let desk = p.login("tiepnhan1", DEMO_PASSWORD).await;
    let citizens: Vec<String> = sqlx::query_scalar(
        "SELECT c.public_id FROM citizens c JOIN offices o ON o.id = c.office_id \
         WHERE o.number = 1 ORDER BY c.id LIMIT 3",
    )
    .fetch_all(&p.running.state.db)
    .await
    .unwrap();
    let mut valid = 0;
    let mut expired = 0;
    let mut reusable = None;
    for (n, citizen) in citizens.iter().enumerate() {
        let (status, store) = status_json(
            p.get(&format!("/citizens/{citizen}/documents"))
                .bearer_auth(&desk)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{store}");
        for doc in store.as_array().unwrap() {
            assert_eq!(doc["kind"], "digitized");
            if doc["expired"] == true {
                expired += 1;
                assert_eq!(n, 1, "the second citizen's old card: {doc}");
            } else {
                valid += 1;
                assert_eq!(doc["doc_type"], "Căn cước công dân");
                reusable.get_or_insert((citizen.clone(), doc["id"].as_str().unwrap().to_owned()));
            }
        }
    }
    // docs/training.md names these three for the reuse exercise: each has a valid card.
    assert_eq!(valid, 3, "{valid} valid stored documents");
    assert_eq!(expired, 1);
    let (citizen, doc) = reusable.unwrap();
    let mut body = p.submission(BIRTH, &citizen).await;
    for d in body["documents"].as_array_mut().unwrap() {
        if d["part_id"] == "giay_to_tuy_than" {
            d["stored_document_id"] = json!(doc);
        }
    }
    let (status, dossier) = p.create_dossier(&desk, &body).await;
    assert_eq!(status, 201, "{dossier}");
    // Seeded digitizations are history, before the training journal starts.
    let journal: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit WHERE event = 'document_digitized' \
         AND id > (SELECT value FROM sandbox WHERE key = 'journal_start')",
    )
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    assert_eq!(journal, 0);
}
