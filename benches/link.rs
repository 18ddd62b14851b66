//! What the officer's work costs on a slow link: each workflow through the link emulator
//! at 256 kbit/s each way with 600 ms round trips, by `PortalClient` against the demo
//! portal, with its round trips, bytes each way and wall time, beside the physical floor
//! (the bytes at the link's bandwidth plus one round trip per request the workflow cannot
//! do without; the emulator delays data, not TCP handshakes, so neither side counts one).
//! Targets: each ≤ 1.5 × its floor; a refresh with no changes ≤ 1 round trip and ≤ 1 KB.
//! Run: `cargo bench --bench link`.

#[path = "support/mod.rs"]
mod support;

use motcua::api::citizens::NewCitizen;
use motcua::api::dossiers::{
    ActionRequest, ApplicantRef, CreateDossier, Delivery, DocumentIn, Relation, Submitter,
};
use motcua::client::{ChangesOutcome, DossierQuery, PortalClient};
use motcua::domain::identity::Gender;
use motcua::domain::status::Queue;
use motcua::domain::workflow::{Action as Step, DeliveryMethod};
use motcua::linksim::{self, LinkSpec};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const KBPS: u64 = 256;
const RTT_MS: u64 = 600;

struct Figures {
    name: &'static str,
    trips: usize,
    up: u64,
    down: u64,
    wall: Duration,
    floor: Duration,
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let (_dir, running) = support::demo_portal().await;
    // client → request counter → slow link → portal.
    let link = linksim::start(running.addr, LinkSpec::slow(KBPS, RTT_MS))
        .await
        .unwrap();
    let (counted, requests) = support::counting_proxy(link.addr).await;
    let base = format!("http://{counted}/api/v1");
    let client = PortalClient::builder(&base)
        .read_timeout(Duration::from_secs(60))
        .build()
        .unwrap();

    let mut results = Vec::new();

    // 1. Log in and the first page of the inbox.
    let f = workflow(&link, &requests, "log in + first inbox page", 2, async {
        client.login("tiepnhan1", "Motcua-demo-2026").await.unwrap();
        client
            .dossiers(&DossierQuery {
                queue: Some(Queue::OnlinePending),
                limit: Some(50),
                ..DossierQuery::default()
            })
            .await
            .unwrap();
    })
    .await;
    results.push(f);
    let seq = match client.changes(None, true).await.unwrap() {
        ChangesOutcome::Changes(c) => c.seq,
        ChangesOutcome::Expired => unreachable!("no position given"),
    };

    // 2. A refresh when nothing changed.
    let mut now_at = seq;
    let f = workflow(&link, &requests, "inbox refresh, no changes", 1, async {
        if let ChangesOutcome::Changes(c) = client.changes(Some(seq), true).await.unwrap() {
            assert!(c.changes.is_empty());
            now_at = c.seq;
        }
    })
    .await;
    results.push(f);

    // 3. A refresh after five dossiers changed (another officer, straight to the portal).
    let other = PortalClient::builder(&format!("http://{}/api/v1", running.addr))
        .build()
        .unwrap();
    other.login("tiepnhan1", "Motcua-demo-2026").await.unwrap();
    let pending = other
        .dossiers(&DossierQuery {
            queue: Some(Queue::OnlinePending),
            limit: Some(5),
            ..DossierQuery::default()
        })
        .await
        .unwrap();
    for d in pending.items.iter().take(5) {
        let detail = other.dossier(&d.code).await.unwrap();
        other
            .act(
                &d.code,
                detail.version,
                &ActionRequest {
                    action: Some(Step::Receive),
                    ..ActionRequest::default()
                },
            )
            .await
            .unwrap();
    }
    let f = workflow(&link, &requests, "inbox refresh, 5 changes", 1, async {
        if let ChangesOutcome::Changes(c) = client.changes(Some(now_at), true).await.unwrap() {
            assert_eq!(c.changes.len(), 5);
        }
    })
    .await;
    results.push(f);

    // 4. One dossier's detail.
    let code = pending.items[0].code.clone();
    let f = workflow(&link, &requests, "dossier detail", 1, async {
        client.dossier(&code).await.unwrap();
    })
    .await;
    results.push(f);

    // 5. An officer-assisted submission without attachments.
    let citizen = other.citizens("nguyen").await.unwrap()[0].id.clone();
    let body = CreateDossier {
        procedure_code: "1.000656".into(),
        case_id: "dung_han".into(),
        applicant: ApplicantRef::citizen(citizen),
        submitter: Submitter {
            full_name: "Nguyễn Văn An".into(),
            id_number: None,
            relation: Relation::Myself,
            authorization_doc: None,
        },
        documents: ["to_khai", "giay_bao_tu", "giay_to_tuy_than"]
            .into_iter()
            .map(|p| DocumentIn {
                part_id: p.into(),
                originals: 1,
                copies: 0,
                upload_id: None,
                stored_document_id: None,
            })
            .collect(),
        delivery: Delivery {
            method: DeliveryMethod::InPerson,
            address: None,
        },
        declaration_accepted: true,
        note: None,
        pages: None,
        copies: None,
        code: None,
        received_at: None,
        printed_due_at: None,
    };
    let key = uuid::Uuid::new_v4().to_string();
    let f = workflow(&link, &requests, "officer-assisted submission", 1, async {
        client.create_dossier(&key, &body).await.unwrap();
    })
    .await;
    results.push(f);

    // 6. A citizen account.
    let citizen = NewCitizen {
        id_number: "083195123456".into(),
        full_name: "Võ Thị Kim Ngân".into(),
        date_of_birth: "1995-05-05".into(),
        gender: Some(Gender::Female),
        phone: "0912345678".into(),
        email: None,
        address: "Số 3 đường Lê Lợi, Phường An Hội, Bến Tre".into(),
        legacy_id_number: None,
    };
    let key = uuid::Uuid::new_v4().to_string();
    let f = workflow(&link, &requests, "citizen creation", 1, async {
        client.create_citizen(&key, &citizen).await.unwrap();
    })
    .await;
    results.push(f);

    println!("link: {KBPS} kbit/s each way, {RTT_MS} ms round trips (loopback emulator)");
    println!(
        "{:<30} {:>5} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "workflow", "trips", "up B", "down B", "wall ms", "floor ms", "× floor"
    );
    for f in &results {
        println!(
            "{:<30} {:>5} {:>9} {:>9} {:>9.0} {:>9.0} {:>7.2}",
            f.name,
            f.trips,
            f.up,
            f.down,
            f.wall.as_secs_f64() * 1000.0,
            f.floor.as_secs_f64() * 1000.0,
            f.wall.as_secs_f64() / f.floor.as_secs_f64()
        );
    }
    println!("targets: each ≤ 1.5 × floor; refresh with no changes ≤ 1 round trip and ≤ 1024 B");
    let _ = running.shutdown().await;
}

/// Runs one workflow and measures it. `needed`: the requests it cannot do without.
async fn workflow(
    link: &linksim::Link,
    requests: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
    name: &'static str,
    needed: usize,
    work: impl std::future::Future<Output = ()>,
) -> Figures {
    let (up0, down0, _, _) = link.stats.snapshot();
    let trips0 = requests.load(Ordering::SeqCst);
    let started = Instant::now();
    work.await;
    let wall = started.elapsed();
    let (up1, down1, _, _) = link.stats.snapshot();
    let (up, down) = (up1 - up0, down1 - down0);
    let bps = (KBPS * 1000) as f64;
    let rtts = needed;
    let floor = Duration::from_secs_f64(
        up as f64 * 8.0 / bps + down as f64 * 8.0 / bps + rtts as f64 * RTT_MS as f64 / 1000.0,
    );
    Figures {
        name,
        trips: requests.load(Ordering::SeqCst) - trips0,
        up,
        down,
        wall,
        floor,
    }
}
