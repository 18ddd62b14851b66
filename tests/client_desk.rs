//! The desk's `PortalClient` calls against the real portal on loopback: the catalog with
//! its ETag revalidation, finding and creating citizens, activation codes, officer-assisted
//! submission with a fixed idempotency key, fees and cash, and resumable uploads. A small
//! TCP tap between the client and the portal records what went over the wire, so that a
//! test can tell a cached answer from a fresh one and a resumed upload from a restarted
//! one.

mod common;

use common::{DEMO_PASSWORD, Portal, pdf, status_json};
use motcua::api::citizens::NewCitizen;
use motcua::api::dossiers::{PaymentStatus, Presented};
use motcua::api::payments::CashPayment;
use motcua::client::{ClientError, MAX_CHUNK, MIN_CHUNK, PortalClient, UploadProgress, next_chunk};
use motcua::domain::identity::Gender;
use motcua::domain::status::Status;
use motcua::domain::text::fold;
use motcua::portal::db::Flag;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const FEE_BEARING: &str = "2.000884";
const BIRTH: &str = "1.001193";

// ---------------------------------------------------------------------------------------
// A tap: a transparent TCP relay to the portal that keeps every byte each way.
// ---------------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Log {
    fn push(&self, bytes: &[u8]) {
        self.0.lock().unwrap().extend_from_slice(bytes);
    }

    /// What went by since the last `take`, as lower-case text.
    fn take(&self) -> String {
        let bytes = std::mem::take(&mut *self.0.lock().unwrap());
        String::from_utf8_lossy(&bytes).to_lowercase()
    }
}

struct Tap {
    /// The API base through the tap.
    base: String,
    /// Client → portal.
    requests: Log,
    /// Portal → client.
    responses: Log,
}

impl Tap {
    /// Everything recorded so far is forgotten.
    fn clear(&self) {
        self.requests.take();
        self.responses.take();
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    log: Log,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                log.push(&buf[..n]);
                if to.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown().await;
}

async fn tap(p: &Portal) -> Tap {
    let upstream = p.running.addr;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Log::default();
    let responses = Log::default();
    let (up_log, down_log) = (requests.clone(), responses.clone());
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(upstream).await else {
                continue;
            };
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::spawn(pipe(client_read, server_write, up_log.clone()));
            tokio::spawn(pipe(server_read, client_write, down_log.clone()));
        }
    });
    Tap {
        base: format!("http://{addr}/api/v1"),
        requests,
        responses,
    }
}

/// The request lines (`get /api/v1/… http/1.1`) in recorded client traffic.
fn request_lines(traffic: &str) -> Vec<&str> {
    traffic
        .lines()
        .filter(|l| {
            ["get ", "post ", "head ", "patch ", "put ", "delete "]
                .iter()
                .any(|m| l.starts_with(m))
                && l.ends_with(" http/1.1")
        })
        .collect()
}

/// The status codes in recorded portal traffic.
fn statuses(traffic: &str) -> Vec<u16> {
    traffic
        .lines()
        .filter_map(|l| l.strip_prefix("http/1.1 "))
        .filter_map(|rest| rest.get(..3)?.parse().ok())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

async fn login(base: &str, user: &str) -> PortalClient {
    let c = PortalClient::builder(base).build().unwrap();
    c.login(user, DEMO_PASSWORD).await.unwrap();
    c
}

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A valid, unused CCCD of a man born in 1985 in Bến Tre (083), with a valid mobile.
fn new_citizen() -> NewCitizen {
    let serial: u32 = rand::random_range(0..1_000_000);
    NewCitizen {
        id_number: format!("083085{serial:06}"),
        full_name: "Trần Văn Thử".into(),
        date_of_birth: "1985-06-15".into(),
        gender: Some(Gender::Male),
        phone: "0912345678".into(),
        email: None,
        address: "Số 9 đường Hùng Vương, Phường An Hội, TP. Bến Tre, tỉnh Bến Tre".into(),
        legacy_id_number: None,
    }
}

async fn dossier_rows(p: &Portal) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&p.running.state.db)
        .await
        .unwrap()
}

async fn upload_rows(p: &Portal) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM uploads")
        .fetch_one(&p.running.state.db)
        .await
        .unwrap()
}

/// PDF-looking bytes that do not compress: the signature, then xorshift noise.
fn pdf_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut data = b"%PDF-1.7\n".to_vec();
    let mut x = seed | 1;
    while data.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data.extend_from_slice(&x.to_le_bytes());
    }
    data.truncate(len);
    data
}

/// Every progress report of an upload, in order.
#[derive(Clone, Default)]
struct Reports(Arc<Mutex<Vec<UploadProgress>>>);

impl Reports {
    fn callback(&self) -> impl Fn(UploadProgress) + Send + 'static {
        let seen = self.0.clone();
        move |p| seen.lock().unwrap().push(p)
    }

    fn all(&self) -> Vec<UploadProgress> {
        self.0.lock().unwrap().clone()
    }
}

/// The reports rise, name the file's size, and end with all of it sent.
fn assert_complete(reports: &[UploadProgress], size: u64) {
    assert!(!reports.is_empty(), "no progress was reported");
    assert!(reports.iter().all(|r| r.total == size), "{reports:?}");
    assert!(
        reports.windows(2).all(|w| w[0].sent <= w[1].sent),
        "progress went back: {reports:?}"
    );
    assert_eq!(
        reports.last().copied(),
        Some(UploadProgress {
            sent: size,
            total: size
        }),
        "{reports:?}"
    );
}

// ---------------------------------------------------------------------------------------
// 1. The catalog, revalidated
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_catalog_and_a_procedure_are_revalidated_with_their_etags() {
    let p = Portal::demo().await;
    let t = tap(&p).await;
    let c = PortalClient::builder(&t.base).build().unwrap();

    let catalog = c.procedures().await.unwrap();
    let codes: Vec<&str> = catalog.iter().map(|s| s.code.as_str()).collect();
    assert!(codes.contains(&BIRTH), "{codes:?}");
    assert!(codes.contains(&FEE_BEARING), "{codes:?}");
    let raw = p.get("/procedures?limit=500").send().await.unwrap();
    let etag = raw.headers()["etag"].to_str().unwrap().to_owned();
    let (_, all) = status_json(raw).await;
    assert_eq!(
        catalog.len(),
        all["items"].as_array().unwrap().len(),
        "the whole catalog"
    );
    assert_eq!(all["total"].as_u64(), Some(catalog.len() as u64));
    // The first request had nothing to revalidate.
    let first = t.requests.take();
    assert!(!first.contains("if-none-match"), "{first}");
    assert_eq!(statuses(&t.responses.take()), [200]);

    // The portal answers the ETag with 304 …
    let res = p
        .get("/procedures?limit=500")
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    // … and the client's second call sends it and gets the cached list back.
    t.clear();
    assert_eq!(c.procedures().await.unwrap(), catalog);
    let second = t.requests.take();
    assert!(
        second.contains(&format!("if-none-match: {}", etag.to_lowercase())),
        "the client revalidates with the ETag it was given: {second}"
    );
    assert_eq!(
        statuses(&t.responses.take()),
        [304],
        "no body the second time"
    );

    // One procedure, the same way.
    let detail = c.procedure(BIRTH).await.unwrap();
    assert_eq!(detail.procedure.code, BIRTH);
    assert!(!detail.procedure.cases.is_empty());
    assert!(
        detail
            .procedure
            .cases
            .iter()
            .all(|k| !k.documents.is_empty()),
        "{detail:?}"
    );
    assert!(
        detail
            .procedure
            .cases
            .iter()
            .flat_map(|k| &k.documents)
            .any(|d| d.mandatory)
    );
    let first = t.requests.take();
    assert!(
        request_lines(&first)
            .iter()
            .any(|l| l.contains(&format!("/procedures/{BIRTH} ")))
    );
    assert!(!first.contains("if-none-match"), "{first}");
    assert_eq!(statuses(&t.responses.take()), [200]);

    assert_eq!(c.procedure(BIRTH).await.unwrap(), detail);
    let second = t.requests.take();
    assert!(
        second.contains("if-none-match: w/\"procedure-1.001193-"),
        "{second}"
    );
    assert_eq!(statuses(&t.responses.take()), [304]);

    // Another procedure is cached apart: its first request is a full one.
    let fee = c.procedure(FEE_BEARING).await.unwrap();
    assert_eq!(fee.procedure.code, FEE_BEARING);
    assert!(!t.requests.take().contains("if-none-match"));
    assert_eq!(statuses(&t.responses.take()), [200]);
    // And an unknown one is an API error, not a panic or a stale copy.
    match c.procedure("9.999999").await {
        Err(ClientError::Api { status: 404, .. }) => {}
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// 2. Finding citizens
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn citizens_are_found_by_exact_number_or_by_words_without_marks() {
    let p = Portal::demo().await;
    let t = tap(&p).await;
    let c = login(&t.base, "tiepnhan1").await;

    // A real number of office 1, found by name first.
    let nguyens = c.citizens("nguyen").await.unwrap();
    assert!(!nguyens.is_empty());
    let an = nguyens
        .iter()
        .find(|x| x.id_number == "083078238953")
        .expect("the demo citizen Nguyễn Văn An is office 1's")
        .clone();
    assert_eq!(an.full_name, "Nguyễn Văn An");
    assert!(
        nguyens
            .iter()
            .all(|x| fold(&x.full_name).contains("nguyen"))
    );

    t.clear();
    let found = c.citizens("083078238953").await.unwrap();
    assert_eq!(found, vec![an.clone()], "exactly that citizen");
    let sent = t.requests.take();
    let lines = request_lines(&sent);
    assert_eq!(lines.len(), 1, "{sent}");
    assert!(
        lines[0].contains("id_number=083078238953") && !lines[0].contains("q="),
        "12 digits are asked as the exact number: {}",
        lines[0]
    );
    // Spaces around the number do not change that.
    assert_eq!(
        c.citizens(" 083078238953 ").await.unwrap(),
        vec![an.clone()]
    );
    assert!(request_lines(&t.requests.take())[0].contains("id_number=083078238953"));
    // Another office's citizen is not found by number.
    assert_eq!(c.citizens("083069502300").await.unwrap(), vec![]);
    // Fewer digits are words: the start of a number finds its owner.
    t.clear();
    let by_start = c.citizens("08307823").await.unwrap();
    assert_eq!(by_start, vec![an.clone()]);
    let lines = t.requests.take();
    assert!(request_lines(&lines)[0].contains("q=08307823"), "{lines}");

    // Words without marks find the names with them.
    let nguyen_van = c.citizens("nguyen van").await.unwrap();
    let names: Vec<&str> = nguyen_van.iter().map(|x| x.full_name.as_str()).collect();
    assert!(names.contains(&"Nguyễn Văn An"), "{names:?}");
    assert!(
        !names.contains(&"Nguyễn Thị Thanh Hương"),
        "both words must match: {names:?}"
    );
    assert!(
        !names.contains(&"Nguyễn Văn Bình"),
        "office 2's citizen: {names:?}"
    );
    for name in &names {
        let folded = fold(name);
        assert!(
            folded.contains("nguyen") && folded.contains("van"),
            "{name}"
        );
    }
    // Marks typed or not, the same people.
    assert_eq!(c.citizens("Nguyễn Văn").await.unwrap(), nguyen_van);
    assert_eq!(c.citizens("NGUYEN VAN").await.unwrap(), nguyen_van);
    assert_eq!(c.citizens("xyzzy").await.unwrap(), vec![]);
}

// ---------------------------------------------------------------------------------------
// 3. Creating a citizen, idempotently
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_citizen_is_created_once_per_key_and_a_known_number_names_its_account() {
    let p = Portal::demo().await;
    let c = login(&p.base, "tiepnhan1").await;
    let body = new_citizen();
    let key = new_key();

    let first = c.create_citizen(&key, &body).await.unwrap();
    assert_eq!(first.citizen.id_number, body.id_number);
    assert_eq!(first.citizen.full_name, body.full_name);
    assert_eq!(first.citizen.gender, Gender::Male);
    assert!(!first.citizen.activated);
    let code = first
        .activation
        .code
        .clone()
        .expect("a first answer has the code");
    assert!(!code.trim().is_empty());
    let id = first.citizen.id.clone();

    // A retry with the same key and body: the same account, no second one.
    let again = c.create_citizen(&key, &body).await.unwrap();
    assert_eq!(again.citizen.id, id);
    assert_eq!(again.citizen, first.citizen);
    assert_eq!(again.activation.expires_at, first.activation.expires_at);
    assert_ne!(again.activation.code.as_deref(), Some(""), "null or a code");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM citizens WHERE id_number = $1")
        .bind(&body.id_number)
        .fetch_one(&p.running.state.db)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    // It is findable by its number.
    let found = c.citizens(&body.id_number).await.unwrap();
    assert_eq!(
        found.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
        [id.as_str()]
    );

    // A new key for the same number: 409 naming the account that has it.
    match c.create_citizen(&new_key(), &body).await {
        Err(ClientError::Api {
            status: 409,
            code,
            existing_id,
            message,
            ..
        }) => {
            assert_eq!(code, "citizen_exists");
            assert_eq!(existing_id, Some(id));
            assert!(!message.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // A demo citizen's number names the demo citizen.
    let (an, _) = p.citizen_of(1).await;
    let mut demo = new_citizen();
    demo.id_number = "083078238953".into();
    demo.date_of_birth = "1978-03-14".into();
    match c.create_citizen(&new_key(), &demo).await {
        Err(ClientError::Api {
            status: 409,
            existing_id,
            ..
        }) => assert_eq!(existing_id, Some(an)),
        other => panic!("{other:?}"),
    }
    // The same key with another body is refused, not replayed.
    let mut other = body.clone();
    other.full_name = "Trần Văn Khác".into();
    match c.create_citizen(&key, &other).await {
        Err(ClientError::Api {
            status: 422,
            code,
            existing_id: None,
            ..
        }) => assert_eq!(code, "idempotency_key_reused"),
        other => panic!("{other:?}"),
    }
    // Invalid data: 422 with the fields, and no `existing_id`.
    let mut bad = new_citizen();
    bad.phone = "12345".into();
    bad.gender = Some(Gender::Female); // the number says a man
    match c.create_citizen(&new_key(), &bad).await {
        Err(ClientError::Api {
            status: 422,
            fields,
            existing_id: None,
            ..
        }) => {
            assert!(fields.contains_key("phone"), "{fields:?}");
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// 4. A new activation code
// ---------------------------------------------------------------------------------------

/// `POST /citizen/activate` with `code`; the status.
async fn activate(p: &Portal, id_number: &str, code: &str) -> u16 {
    p.post("/citizen/activate")
        .json(&json!({"id_number": id_number, "code": code, "new_password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_new_activation_code_replaces_the_old_one_once_per_key() {
    let p = Portal::demo().await;
    let c = login(&p.base, "tiepnhan1").await;
    let body = new_citizen();
    let created = c.create_citizen(&new_key(), &body).await.unwrap();
    let id = created.citizen.id.as_str();
    let first = created.activation.code.clone().unwrap();

    let key = new_key();
    let renewed = c.reissue_activation(id, &key, None).await.unwrap();
    let second = renewed.code.clone().expect("a new code");
    assert_ne!(second, first);
    assert!(!renewed.expires_at.is_empty());
    // A retry of the same press replays: no third code, the second one stays valid.
    let replayed = c.reissue_activation(id, &key, None).await.unwrap();
    assert!(
        replayed.code.is_none() || replayed.code.as_deref() == Some(second.as_str()),
        "a replay issues no new code: {replayed:?}"
    );
    assert_eq!(replayed.expires_at, renewed.expires_at);
    let issued = p.audit_count("activation_issued").await;

    // Another press is another code.
    let third = c
        .reissue_activation(id, &new_key(), None)
        .await
        .unwrap()
        .code
        .expect("a new code");
    assert_ne!(third, second);
    assert_ne!(third, first);
    assert_eq!(p.audit_count("activation_issued").await, issued + 1);

    // Only the newest code activates the account.
    assert_eq!(activate(&p, &body.id_number, &first).await, 401);
    assert_eq!(activate(&p, &body.id_number, &second).await, 401);
    assert!(!c.citizen(id).await.unwrap().citizen.activated);
    assert_eq!(activate(&p, &body.id_number, &third).await, 204);
    assert!(c.citizen(id).await.unwrap().citizen.activated);

    // Another office's desk does not see the citizen.
    let other = login(&p.base, "tiepnhan2").await;
    assert!(matches!(
        other.reissue_activation(id, &new_key(), None).await,
        Err(ClientError::Api { status: 404, .. })
    ));
    // A key that is not a UUID is refused by the portal, as a client error.
    assert!(matches!(
        c.reissue_activation(id, "not-a-key", None).await,
        Err(ClientError::Api { status: 400, .. })
    ));
}

// ---------------------------------------------------------------------------------------
// 5. Officer-assisted submission, idempotently
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_submission_is_created_once_per_key_even_when_sent_twenty_times_at_once() {
    let p = Portal::demo().await;
    let c = login(&p.base, "tiepnhan1").await;
    let (citizen, _) = p.citizen_of(1).await;
    assert!(c.citizen(&citizen).await.unwrap().dossiers.is_empty());
    let body = common::desk_submission(&c, BIRTH, &citizen).await;

    let key = new_key();
    let first = c.create_dossier(&key, &body).await.unwrap();
    assert_eq!(
        first.status,
        Status::Received,
        "a desk submission is received"
    );
    assert_eq!(first.applicant.citizen_id, citizen);
    assert_eq!(first.procedure.code, BIRTH);
    let again = c.create_dossier(&key, &body).await.unwrap();
    assert_eq!(again.code, first.code);
    assert_eq!(again.version, first.version);
    let detail = c.citizen(&citizen).await.unwrap();
    assert_eq!(
        detail
            .dossiers
            .iter()
            .map(|d| d.code.as_str())
            .collect::<Vec<_>>(),
        [first.code.as_str()]
    );
    assert_eq!(dossier_rows(&p).await, 1);

    // Twenty at once with one new key: one dossier; the others replay it or are told
    // the first is still running.
    let key = new_key();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (c, key, body) = (c.clone(), key.clone(), body.clone());
        tasks.push(tokio::spawn(
            async move { c.create_dossier(&key, &body).await },
        ));
    }
    let mut codes = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(d) => codes.push(d.code),
            Err(ClientError::Api {
                status: 409, code, ..
            }) => assert_eq!(code, "request_in_progress"),
            Err(e) => panic!("{e:?}"),
        }
    }
    assert!(!codes.is_empty(), "at least one call got the dossier");
    codes.dedup();
    assert_eq!(codes.len(), 1, "one dossier for one key: {codes:?}");
    assert_ne!(codes[0], first.code);
    // A retry now gets that dossier too.
    assert_eq!(c.create_dossier(&key, &body).await.unwrap().code, codes[0]);
    let detail = c.citizen(&citizen).await.unwrap();
    let mut listed: Vec<&str> = detail.dossiers.iter().map(|d| d.code.as_str()).collect();
    listed.sort();
    let mut expected = vec![first.code.as_str(), codes[0].as_str()];
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(dossier_rows(&p).await, 2);

    // The same key with another body is refused.
    let mut other = body.clone();
    other.note = Some("khác".into());
    match c.create_dossier(&key, &other).await {
        Err(ClientError::Api {
            status: 422, code, ..
        }) => {
            assert_eq!(code, "idempotency_key_reused")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(dossier_rows(&p).await, 2);
}

// ---------------------------------------------------------------------------------------
// 6. Fees: VietQR and cash
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_fee_is_shown_as_vietqr_and_paid_in_cash_once() {
    let p = Portal::demo().await;
    let t = tap(&p).await;
    let c = login(&t.base, "tiepnhan1").await;
    let (citizen, _) = p.citizen_of(1).await;
    let body = common::desk_submission(&c, FEE_BEARING, &citizen).await;
    let d = c.create_dossier(&new_key(), &body).await.unwrap();

    let due = c.payment(&d.code).await.unwrap();
    assert_eq!(due.code, d.code);
    assert_eq!(due.amount, 10_000);
    assert_eq!(due.status, PaymentStatus::Unpaid);
    let qr = due.vietqr.clone().expect("a QR while something is due");
    assert!(qr.starts_with("000201"), "{qr}");
    assert!(qr.contains(&due.bank_bin), "{qr}");
    assert!(qr.contains(&due.account), "{qr}");
    assert!(due.purpose.starts_with("HS "), "{}", due.purpose);
    assert!(due.paid_at.is_none() && due.method.is_none());

    // A wrong amount is refused with the field.
    match c
        .pay_cash(
            &d.code,
            &new_key(),
            &CashPayment {
                amount: Some(5_000),
                receipt_no: Some("BL-0".into()),
            },
        )
        .await
    {
        Err(ClientError::Api {
            status: 422,
            code,
            fields,
            ..
        }) => {
            assert_eq!(code, "amount_mismatch");
            assert!(fields.contains_key("amount"), "{fields:?}");
        }
        other => panic!("{other:?}"),
    }

    let key = new_key();
    let cash = CashPayment {
        amount: Some(10_000),
        receipt_no: Some("BL-1".into()),
    };
    t.clear();
    let paid = c.pay_cash(&d.code, &key, &cash).await.unwrap();
    assert_eq!(paid.status, PaymentStatus::Paid);
    assert_eq!(paid.method.as_deref(), Some("cash"));
    assert_eq!(paid.receipt_no.as_deref(), Some("BL-1"));
    assert!(paid.paid_at.is_some());
    assert_eq!(paid.vietqr, None, "nothing is due any more");
    assert_eq!(paid.version, d.version + 1);
    assert!(!t.responses.take().contains("idempotent-replayed"));

    // The same key again: the first answer, replayed, and no second payment.
    let again = c.pay_cash(&d.code, &key, &cash).await.unwrap();
    assert_eq!(again, paid);
    assert!(
        t.responses.take().contains("idempotent-replayed"),
        "the portal replayed the stored answer"
    );
    let recorded: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit WHERE event = 'payment_recorded' AND dossier_code = $1",
    )
    .bind(&d.code)
    .fetch_one(&p.running.state.db)
    .await
    .unwrap();
    assert_eq!(recorded, 1);
    assert_eq!(
        c.payment(&d.code).await.unwrap().status,
        PaymentStatus::Paid
    );
    assert_eq!(
        c.dossier(&d.code).await.unwrap().fee.status,
        PaymentStatus::Paid
    );
    // A new key is a new payment, which is refused.
    match c.pay_cash(&d.code, &new_key(), &cash).await {
        Err(ClientError::Api {
            status: 409, code, ..
        }) => assert_eq!(code, "already_paid"),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// 7. Uploads: whole, resumed, refused
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn a_file_is_uploaded_and_attached_to_a_submission() {
    let p = Portal::demo().await;
    let c = login(&p.base, "tiepnhan1").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tờ khai.pdf");
    let data = pdf_bytes(300 * 1024, 7);
    std::fs::write(&path, &data).unwrap();

    let reports = Reports::default();
    let up = c
        .upload_file(&new_key(), &path, reports.callback())
        .await
        .unwrap();
    assert_eq!(up.size, data.len() as u64);
    assert_eq!(up.content_type, "application/pdf");
    let reports = reports.all();
    assert_complete(&reports, data.len() as u64);
    assert_eq!(reports[0].sent, 0, "a new upload starts at 0");
    assert!(
        reports.len() >= 3,
        "300 KB goes in more than one chunk: {reports:?}"
    );

    // The portal has it whole.
    let (Flag(complete), sha): (Flag, String) =
        sqlx::query_as("SELECT complete, sha256 FROM uploads WHERE id = $1")
            .bind(&up.id)
            .fetch_one(&p.running.state.db)
            .await
            .unwrap();
    assert!(complete);
    assert_eq!(sha, hex::encode(Sha256::digest(&data)));

    // The id goes into a submission's document.
    let (citizen, _) = p.citizen_of(1).await;
    let mut body = common::desk_submission(&c, BIRTH, &citizen).await;
    body.documents[0].upload_id = Some(up.id.clone());
    let d = c.create_dossier(&new_key(), &body).await.unwrap();
    let attached = d
        .documents
        .iter()
        .find(|x| x.part_id == body.documents[0].part_id)
        .and_then(|x| x.attachment.clone())
        .expect("the upload is attached");
    assert_eq!(attached.size, data.len() as u64);
    assert_eq!(attached.content_type, "application/pdf");
    let dest = dir.path().join("back.pdf");
    c.download_attachment(&d.code, &attached.id, &dest)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), data);
}

#[tokio::test]
async fn an_interrupted_upload_continues_where_the_portal_stopped() {
    let p = Portal::demo().await;
    let t = tap(&p).await;
    let c = login(&t.base, "tiepnhan1").await;
    let token = c.token().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("giay-to.pdf");
    let data = pdf_bytes(300 * 1024, 11);
    std::fs::write(&path, &data).unwrap();

    // An earlier run declared the file under key K and got 100 KB through.
    let key = new_key();
    let res = p
        .post("/uploads")
        .bearer_auth(&token)
        .header("Idempotency-Key", &key)
        .json(&json!({
            "filename": "giay-to.pdf",
            "size": data.len(),
            "sha256": hex::encode(Sha256::digest(&data)),
            "content_type": "application/pdf"
        }))
        .send()
        .await
        .unwrap();
    let (status, created) = status_json(res).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    const SENT: usize = 100 * 1024;
    let res = p
        .http
        .patch(p.url(&format!("/uploads/{id}")))
        .bearer_auth(&token)
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(data[..SENT].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.headers()["upload-offset"], SENT.to_string().as_str());
    let rows = upload_rows(&p).await;

    // The app, restarted, uploads the same file under the same key.
    t.clear();
    let reports = Reports::default();
    let up = c
        .upload_file(&key, &path, reports.callback())
        .await
        .unwrap();
    assert_eq!(up.id, id, "the same upload, not a new one");
    assert_eq!(upload_rows(&p).await, rows);
    let reports = reports.all();
    assert!(
        reports[0].sent >= SENT as u64,
        "it continued rather than starting over: {reports:?}"
    );
    assert_complete(&reports, data.len() as u64);
    let sent = t.requests.take();
    let patches: Vec<&str> = sent
        .lines()
        .filter_map(|l| l.strip_prefix("upload-offset: "))
        .collect();
    assert!(!patches.is_empty(), "{sent}");
    assert_eq!(
        patches[0],
        SENT.to_string(),
        "the first chunk starts at the portal's offset"
    );
    assert!(
        !patches.contains(&"0"),
        "nothing was sent twice: {patches:?}"
    );
    let (Flag(complete), sha): (Flag, String) =
        sqlx::query_as("SELECT complete, sha256 FROM uploads WHERE id = $1")
            .bind(&id)
            .fetch_one(&p.running.state.db)
            .await
            .unwrap();
    assert!(complete);
    assert_eq!(sha, hex::encode(Sha256::digest(&data)));

    // Once more with the same key: nothing left to send, the same upload.
    t.clear();
    let reports = Reports::default();
    let again = c
        .upload_file(&key, &path, reports.callback())
        .await
        .unwrap();
    assert_eq!(again.id, id);
    assert_complete(&reports.all(), data.len() as u64);
    assert!(
        !request_lines(&t.requests.take())
            .iter()
            .any(|l| l.starts_with("patch ")),
        "a complete upload sends no chunk"
    );
}

#[tokio::test]
async fn only_pdf_jpeg_and_png_files_are_uploaded() {
    let p = Portal::demo().await;
    let t = tap(&p).await;
    let c = login(&t.base, "tiepnhan1").await;
    let dir = tempfile::tempdir().unwrap();
    let rows = upload_rows(&p).await;
    t.clear();

    let text = dir.path().join("ghi-chu.pdf");
    std::fs::write(&text, b"just some text, named .pdf\n").unwrap();
    let empty = dir.path().join("rong.pdf");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.path().join("khong-co.pdf");
    for path in [&text, &empty, &missing] {
        let reports = Reports::default();
        let result = c.upload_file(&new_key(), path, reports.callback()).await;
        // Each says what is wrong with the file: its type, its size, or that it is not
        // there (never "could not write").
        match (path, &result) {
            (p, Err(ClientError::UnsupportedFile(at))) if p == &text => {
                assert!(at.ends_with("ghi-chu.pdf"))
            }
            (p, Err(ClientError::FileSize { size: 0, .. })) if p == &empty => {}
            (p, Err(ClientError::FileRead { kind, .. })) if p == &missing => {
                assert_eq!(*kind, std::io::ErrorKind::NotFound)
            }
            (p, other) => panic!("{}: {other:?}", p.display()),
        }
        assert!(reports.all().is_empty(), "nothing was sent");
    }
    assert_eq!(
        request_lines(&t.requests.take()),
        Vec::<&str>::new(),
        "a refused file costs no request"
    );
    assert_eq!(upload_rows(&p).await, rows);

    // A PNG and a JPEG go, with their types.
    let png = dir.path().join("anh.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&pdf("png")[..]);
    std::fs::write(&png, &bytes).unwrap();
    let up = c.upload_file(&new_key(), &png, |_| {}).await.unwrap();
    assert_eq!(up.content_type, "image/png");
    let jpeg = dir.path().join("anh.jpg");
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend_from_slice(&pdf("jpeg")[..]);
    std::fs::write(&jpeg, &bytes).unwrap();
    let up = c
        .upload_file(&new_key(), Path::new(&jpeg), |_| {})
        .await
        .unwrap();
    assert_eq!(up.content_type, "image/jpeg");
}

// ---------------------------------------------------------------------------------------
// 8. Chunk sizes
// ---------------------------------------------------------------------------------------

#[test]
fn chunks_follow_the_link_within_bounds() {
    let durations = [
        Duration::ZERO,
        Duration::from_micros(1),
        Duration::from_millis(1),
        Duration::from_millis(50),
        Duration::from_millis(500),
        Duration::from_secs(1),
        Duration::from_secs(2),
        Duration::from_secs(4),
        Duration::from_secs(20),
        Duration::from_secs(3600),
    ];
    let sizes = [
        0,
        1,
        MIN_CHUNK / 2,
        MIN_CHUNK - 1,
        MIN_CHUNK,
        MIN_CHUNK * 4,
        1024 * 1024,
        MAX_CHUNK / 2 + 1,
        MAX_CHUNK - 1,
        MAX_CHUNK,
        MAX_CHUNK * 2,
        usize::MAX,
    ];
    for &last in &sizes {
        for &took in &durations {
            let next = next_chunk(last, took);
            assert!(
                (MIN_CHUNK..=MAX_CHUNK).contains(&next),
                "next_chunk({last}, {took:?}) = {next}"
            );
            assert!(
                next <= last.saturating_mul(2).max(MIN_CHUNK),
                "at most double: next_chunk({last}, {took:?}) = {next}"
            );
        }
    }

    // A fast link doubles the chunk, up to the ceiling.
    assert_eq!(
        next_chunk(MIN_CHUNK, Duration::from_millis(1)),
        2 * MIN_CHUNK
    );
    assert_eq!(next_chunk(MIN_CHUNK, Duration::ZERO), 2 * MIN_CHUNK);
    assert_eq!(
        next_chunk(MAX_CHUNK / 2, Duration::from_millis(10)),
        MAX_CHUNK
    );
    assert_eq!(next_chunk(MAX_CHUNK, Duration::from_millis(10)), MAX_CHUNK);
    let mut chunk = MIN_CHUNK;
    let mut steps = 0;
    while chunk < MAX_CHUNK {
        let next = next_chunk(chunk, Duration::from_millis(5));
        assert!(next > chunk && next <= 2 * chunk, "{chunk} → {next}");
        chunk = next;
        steps += 1;
    }
    assert_eq!(steps, 6, "64 KiB to 4 MiB by doubling");
    // A steady link keeps a chunk that takes the target time (2 s).
    assert_eq!(next_chunk(1024 * 1024, Duration::from_secs(2)), 1024 * 1024);
    // A slow one shrinks it in proportion, down to the floor.
    assert_eq!(next_chunk(1024 * 1024, Duration::from_secs(4)), 512 * 1024);
    assert_eq!(next_chunk(1024 * 1024, Duration::from_secs(8)), 256 * 1024);
    assert_eq!(next_chunk(MAX_CHUNK, Duration::from_secs(3600)), MIN_CHUNK);
    assert_eq!(next_chunk(MIN_CHUNK, Duration::from_secs(60)), MIN_CHUNK);
    let shrunk = next_chunk(MAX_CHUNK, Duration::from_secs(10));
    assert!((MIN_CHUNK..MAX_CHUNK).contains(&shrunk), "{shrunk}");
    // Nothing sent is no reason to go below the floor.
    assert_eq!(next_chunk(0, Duration::from_secs(1)), MIN_CHUNK);
}

#[tokio::test]
async fn the_catalog_kept_on_disk_is_revalidated_by_a_new_session() {
    let p = Portal::demo().await;
    let t = tap(&p).await;
    let dir = tempfile::tempdir().unwrap();
    let first = PortalClient::builder(&t.base)
        .cache_dir(dir.path().to_owned())
        .build()
        .unwrap();
    let catalog = first.procedures().await.unwrap();
    let birth = first.procedure(BIRTH).await.unwrap();
    assert!(dir.path().join("catalog.json").exists());
    t.clear();
    // A new client (a new run of the app) asks with the kept ETags: 304s, tiny answers.
    let second = PortalClient::builder(&t.base)
        .cache_dir(dir.path().to_owned())
        .build()
        .unwrap();
    assert_eq!(second.procedures().await.unwrap(), catalog);
    assert_eq!(second.procedure(BIRTH).await.unwrap(), birth);
    let requests = t.requests.take();
    assert_eq!(requests.matches("if-none-match").count(), 2, "{requests}");
    assert_eq!(statuses(&t.responses.take()), [304, 304]);
    // A damaged cache file only costs a download.
    std::fs::write(dir.path().join("catalog.json"), b"{not json").unwrap();
    let third = PortalClient::builder(&t.base)
        .cache_dir(dir.path().to_owned())
        .build()
        .unwrap();
    assert_eq!(third.procedures().await.unwrap(), catalog);
}

#[tokio::test]
async fn large_bodies_travel_compressed_and_small_ones_plain() {
    let p = Portal::demo().await;
    let t = tap(&p).await;
    let c = login(&t.base, "tiepnhan1").await;
    let (citizen, _) = p.citizen_of(1).await;
    let mut body = common::desk_submission(&c, BIRTH, &citizen).await;
    body.note = Some("Ghi chú của cán bộ tiếp nhận. ".repeat(60)); // 1,800 characters: within a note's 2,000, beyond 1 KiB
    t.clear();
    let d = c.create_dossier(&new_key(), &body).await.unwrap();
    assert_eq!(
        d.note.as_deref(),
        body.note.as_deref().map(str::trim),
        "the portal decoded it whole"
    );
    let requests = t.requests.take();
    assert!(requests.contains("content-encoding: gzip"), "{requests}");
    // A small one goes as it is.
    t.clear();
    let card = Presented {
        id_number: "083078238953".into(),
        date_of_birth: "1978-03-14".into(),
    };
    c.reissue_activation(&citizen, &new_key(), Some(&card))
        .await
        .unwrap();
    let requests = t.requests.take();
    assert!(!requests.contains("content-encoding"), "{requests}");
}
