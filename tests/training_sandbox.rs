//! The training sandbox end to end, over real HTTP on loopback: `sandbox::start` seeds a
//! demo portal in a temporary data directory and runs the simulator beside it.
//!
//! What it proves:
//! - `GET /training/journal` exists only on a training portal, and starts empty after the
//!   seed (the seed's own audit rows are not the trainee's work);
//! - a trainee's action is journalled with what the exercises need (action, channel,
//!   role), the `Tracker` judges it from there, and each office sees its own entries only;
//! - the journal survives a restart on the same data directory, and `reset` clears it;
//! - the simulated bank pays a VietQR code shown at the desk, and that completes the
//!   VietQR exercise (the simulated citizens' own transfers do not);
//! - at a set pace the simulated citizens submit online dossiers and answer supplement
//!   requests.
//!
//! Nothing waits a fixed time: every wait polls the API until a deadline.

mod common;

use common::{DEMO_PASSWORD, Portal};
use motcua::api::dossiers::{ActionRequest, Channel, PaymentStatus};
use motcua::api::training::{AuditEvent, JournalEntry};
use motcua::client::{ClientError, DossierQuery, PortalClient};
use motcua::domain::Lang;
use motcua::domain::calendar::Calendar;
use motcua::domain::status::Status;
use motcua::domain::workflow::{Action, Role};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use motcua::sandbox::{self, Sandbox};
use motcua::training::exercises::{ExerciseId, Tracker};
use std::collections::BTreeSet;
use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

/// A procedure with a fee (10 000 đồng), taken at the desk (src/portal/seed/procedures.toml).
const FEE_BEARING: &str = "2.000884";
/// How often a wait asks the portal again.
const POLL: Duration = Duration::from_millis(250);
/// The longest a wait for the simulator may take (it reads the journals every second).
const DEADLINE: Duration = Duration::from_secs(30);
/// A quick pace for the simulated citizens.
const PACE: Duration = Duration::from_millis(300);

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

async fn start(data_dir: &Path, pace: Option<Duration>) -> Sandbox {
    sandbox::start(data_dir, Calendar::default(), pace, common::test_clock())
        .await
        .expect("the sandbox starts")
}

async fn login(url: &str, user: &str) -> PortalClient {
    let c = PortalClient::builder(url).build().unwrap();
    c.login(user, DEMO_PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("login of {user}: {e}"));
    c
}

fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Asks `probe` every `POLL` until it answers `Ok`; fails with `what` and the last
/// answer once `limit` has passed.
async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + limit;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(last) if Instant::now() >= deadline => {
                panic!("gave up after {limit:?} waiting for {what}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// The caller's whole journal since the seed, page after page.
async fn journal(c: &PortalClient) -> Vec<JournalEntry> {
    let mut entries = Vec::new();
    let mut after = 0;
    loop {
        let page = c.training_journal(after).await.expect("the journal");
        if page.entries.is_empty() {
            return entries;
        }
        after = page.last_id;
        entries.extend(page.entries);
    }
}

/// A tracker that has read `entries`.
fn judged(entries: &[JournalEntry]) -> Tracker {
    let mut t = Tracker::default();
    for e in entries {
        t.observe(e, Lang::Vi);
    }
    t
}

/// The codes of the office's dossiers waiting for reception that came in online.
async fn submitted_online(c: &PortalClient) -> BTreeSet<String> {
    let page = c
        .dossiers(&DossierQuery {
            status: Some(Status::Submitted),
            limit: Some(500),
            ..DossierQuery::default()
        })
        .await
        .expect("the inbox");
    assert!(page.next_cursor.is_none(), "one page holds the inbox");
    page.items
        .into_iter()
        .filter(|d| d.channel == Channel::Online)
        .map(|d| d.code)
        .collect()
}

/// A seeded dossier a citizen submitted online, waiting for reception: (code, version).
async fn an_online_submission(c: &PortalClient) -> (String, i64) {
    let code = submitted_online(c)
        .await
        .into_iter()
        .next()
        .expect("the demo seed has online dossiers to receive");
    let d = c.dossier(&code).await.unwrap();
    assert_eq!((d.status, d.channel), (Status::Submitted, Channel::Online));
    (code, d.version)
}

/// As tiepnhan1: receives an online dossier; answers its code.
async fn receive_online(c: &PortalClient) -> String {
    let (code, version) = an_online_submission(c).await;
    let receive = ActionRequest {
        action: Some(Action::Receive),
        ..ActionRequest::default()
    };
    let d = c.act(&code, version, &receive).await.expect("receive");
    assert_eq!(d.status, Status::Received);
    code
}

/// The journal's entry for a transition of `code` by `action`.
fn transition<'a>(entries: &'a [JournalEntry], code: &str, action: &str) -> &'a JournalEntry {
    entries
        .iter()
        .find(|e| {
            e.event == AuditEvent::Transition
                && e.dossier_code.as_deref() == Some(code)
                && e.detail.as_deref() == Some(action)
        })
        .unwrap_or_else(|| panic!("no `{action}` of {code} in the journal: {entries:#?}"))
}

/// A desk dossier of the fee-bearing procedure for an office-1 citizen, fee unpaid.
async fn desk_dossier_with_fee(c: &PortalClient) -> String {
    let citizen = c.citizens("").await.unwrap()[0].id.clone();
    desk_dossier_for(c, &citizen).await
}

/// A desk dossier of the fee-bearing procedure for `citizen`, its fee left unpaid.
async fn desk_dossier_for(c: &PortalClient, citizen: &str) -> String {
    let body = common::desk_submission(c, FEE_BEARING, citizen).await;
    let d = c.create_dossier(&new_key(), &body).await.unwrap();
    assert_eq!(
        d.fee.status,
        PaymentStatus::Unpaid,
        "the fee is left unpaid"
    );
    d.code
}

// ---------------------------------------------------------------------------------------
// 1. The journal is a training portal's, and starts empty
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn the_journal_is_only_on_a_training_portal_and_starts_empty() {
    // A real portal with the same demo data: no such route.
    let p = Portal::with(Settings::default(), Seed::Demo).await;
    let c = login(&p.base, "tiepnhan1").await;
    match c.training_journal(0).await {
        Err(ClientError::Api { status: 404, .. }) => {}
        other => panic!("a portal that is not a training one answers 404: {other:?}"),
    }
    p.running.shutdown().await.unwrap();

    // A training sandbox: the seed wrote audit rows, but none of them is the trainee's.
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), None).await;
    let seeded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit")
        .fetch_one(&s.portal.state.db)
        .await
        .unwrap();
    assert!(seeded > 0, "the demo seed leaves an audit trail");
    let c = login(&s.url, "tiepnhan1").await;
    let page = c
        .training_journal(0)
        .await
        .expect("200 on a training portal");
    assert_eq!(page.entries, vec![], "nothing happened since the seed");
    // The trainee's login is not journalled either.
    assert_eq!(journal(&c).await, vec![]);
    s.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 2. A trainee's action, as the exercises read it
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiving_an_online_dossier_is_journalled_for_the_exercises() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), None).await;
    let c = login(&s.url, "tiepnhan1").await;
    let code = receive_online(&c).await;

    let entries = journal(&c).await;
    let e = transition(&entries, &code, "receive");
    assert_eq!(e.channel.as_deref(), Some("online"), "{e:?}");
    assert_eq!(e.role, Some(Role::Reception), "{e:?}");
    assert_eq!(e.username.as_deref(), Some("tiepnhan1"), "{e:?}");
    assert_eq!(e.from_status.as_deref(), Some("submitted"), "{e:?}");
    assert_eq!(e.to_status.as_deref(), Some("received"), "{e:?}");

    let t = judged(&entries);
    assert!(
        t.step_done(ExerciseId::OnlineIntake, 0),
        "receiving an online dossier is the first step of the online exercise"
    );
    assert!(
        !t.is_done(ExerciseId::OnlineIntake),
        "the dossier is not forwarded yet"
    );

    // Another office's desk does not see it.
    let other = login(&s.url, "tiepnhan2").await;
    let theirs = journal(&other).await;
    assert!(
        theirs
            .iter()
            .all(|e| e.dossier_code.as_deref() != Some(&code)
                && e.username.as_deref() != Some("tiepnhan1")),
        "office 2 sees office 1's entry: {theirs:#?}"
    );
    s.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 3. Restart and reset
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_survives_a_restart_and_a_reset_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), None).await;
    let c = login(&s.url, "tiepnhan1").await;
    let code = receive_online(&c).await;
    let before = journal(&c).await;
    transition(&before, &code, "receive");
    s.shutdown().await.unwrap();

    // The same data directory again: the same sandbox, the same journal, nothing added
    // by the second start.
    let s = start(dir.path(), None).await;
    let c = login(&s.url, "tiepnhan1").await;
    assert_eq!(journal(&c).await, before, "the journal after a restart");
    assert_eq!(c.dossier(&code).await.unwrap().status, Status::Received);
    s.shutdown().await.unwrap();

    sandbox::reset(dir.path()).unwrap();
    assert!(
        !sandbox::database(dir.path()).exists(),
        "reset removes the sandbox database"
    );
    let s = start(dir.path(), None).await;
    let c = login(&s.url, "tiepnhan1").await;
    assert_eq!(journal(&c).await, vec![], "a new sandbox after reset");
    s.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 4. The simulated bank
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_bank_pays_a_vietqr_code_shown_at_the_desk() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), None).await;
    let c = login(&s.url, "tiepnhan1").await;
    let code = desk_dossier_with_fee(&c).await;

    // Showing the code (the desk's payment screen, which says so once the code is drawn
    // whole) is what the bank waits for.
    let due = c.payment(&code).await.unwrap();
    assert_eq!(due.status, PaymentStatus::Unpaid);
    assert!(due.vietqr.is_some(), "a VietQR code while the fee is due");
    c.training_vietqr_shown(&code).await.unwrap();

    // The desk's screen keeps asking until the transfer arrives.
    let paid = {
        let (c, code) = (&c, code.as_str());
        wait_for("the simulated bank to pay", DEADLINE, || async move {
            let p = c.payment(code).await.map_err(|e| e.to_string())?;
            if p.status == PaymentStatus::Paid {
                Ok(p)
            } else {
                Err(format!("{:?}", p.status))
            }
        })
        .await
    };
    assert_eq!(paid.method.as_deref(), Some("vietqr"), "{paid:?}");
    assert_eq!(paid.amount, due.amount);
    assert!(paid.vietqr.is_none(), "nothing is due any more");

    let entries = journal(&c).await;
    assert!(
        entries.iter().any(|e| e.event == AuditEvent::PaymentQrShown
            && e.dossier_code.as_deref() == Some(&code)
            && e.username.as_deref() == Some("tiepnhan1")),
        "the code shown by tiepnhan1 is journalled: {entries:#?}"
    );
    let recorded: Vec<&JournalEntry> = entries
        .iter()
        .filter(|e| {
            e.event == AuditEvent::PaymentRecorded && e.dossier_code.as_deref() == Some(&code)
        })
        .collect();
    assert_eq!(recorded.len(), 1, "paid once: {recorded:#?}");
    assert!(
        recorded[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.starts_with("vietqr")),
        "{:?}",
        recorded[0]
    );
    assert!(
        judged(&entries).is_done(ExerciseId::VietQr),
        "code shown, then paid by transfer: the VietQR exercise is done"
    );
    s.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulators_own_transfers_do_not_do_the_trainees_vietqr_exercise() {
    // At a pace the simulated citizens pay fees due online; the simulator reads each
    // payment as quantri1 first, which journals a shown code, but nobody at a desk did.
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), Some(PACE)).await;
    let c = login(&s.url, "tiepnhan1").await;
    let entries = {
        let c = &c;
        wait_for(
            "a simulated citizen's transfer in office 1",
            DEADLINE,
            || async move {
                let entries = journal(c).await;
                let paid = entries.iter().any(|e| {
                    e.event == AuditEvent::PaymentRecorded
                        && e.detail.as_deref().is_some_and(|d| d.starts_with("vietqr"))
                });
                if paid {
                    Ok(entries)
                } else {
                    Err(format!("{} entries, no transfer", entries.len()))
                }
            },
        )
        .await
    };
    assert!(
        !judged(&entries).is_done(ExerciseId::VietQr),
        "the simulator's own transfer completed the trainee's exercise: {:#?}",
        entries
            .iter()
            .filter(|e| e.event.as_str().starts_with("payment"))
            .collect::<Vec<_>>()
    );
    s.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------------------
// 5. The simulated citizens
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_citizens_submit_online_dossiers_at_the_set_pace() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), Some(PACE)).await;
    let c = login(&s.url, "tiepnhan1").await;
    let at_start = submitted_online(&c).await;

    let (created, inbox) = {
        let (c, at_start) = (&c, &at_start);
        wait_for(
            "a simulated citizen's online submission in office 1",
            DEADLINE,
            || async move {
                let entries = journal(c).await;
                let inbox = submitted_online(c).await;
                let created = entries
                    .into_iter()
                    .filter(|e| e.event == AuditEvent::DossierCreated)
                    .find(|e| {
                        e.dossier_code
                            .as_ref()
                            .is_some_and(|code| inbox.contains(code) && !at_start.contains(code))
                    });
                match created {
                    Some(e) => Ok((e, inbox)),
                    None => Err(format!(
                        "{} online dossiers to receive, {} at the start",
                        inbox.len(),
                        at_start.len()
                    )),
                }
            },
        )
        .await
    };
    assert!(inbox.len() > at_start.len(), "the inbox grew");
    assert_eq!(created.role, Some(Role::Citizen), "{created:?}");
    assert_eq!(created.channel.as_deref(), Some("online"), "{created:?}");
    let by = created.username.as_deref().unwrap_or_default();
    assert!(
        by.len() == 12 && by.chars().all(|ch| ch.is_ascii_digit()),
        "a citizen logs in with the 12-digit number: {created:?}"
    );
    s.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_citizens_answer_a_supplement_request() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), Some(PACE)).await;
    let c = login(&s.url, "tiepnhan1").await;
    let (code, version) = an_online_submission(&c).await;
    let request = ActionRequest {
        action: Some(Action::RequestSupplement),
        reason: Some("Bản chụp giấy tờ bị mờ".into()),
        missing_documents: vec!["Bản chụp rõ nét của giấy tờ tùy thân".into()],
        ..ActionRequest::default()
    };
    let asked = c.act(&code, version, &request).await.expect("the request");
    assert_eq!(asked.status, Status::SupplementRequested);

    // Seeded requests of office 1 may be answered first, one per round of the office.
    let answered = {
        let (c, code) = (&c, code.as_str());
        wait_for(
            "the simulated citizen to send the supplement",
            Duration::from_secs(60),
            || async move {
                let d = c.dossier(code).await.map_err(|e| e.to_string())?;
                if d.status == Status::Submitted {
                    Ok(d)
                } else {
                    Err(format!("{:?}", d.status))
                }
            },
        )
        .await
    };
    assert!(answered.version > asked.version);

    let entries = journal(&c).await;
    let sent = transition(&entries, &code, "supplement_received");
    assert_eq!(sent.role, Some(Role::Citizen), "{sent:?}");
    assert_eq!(
        sent.username.as_deref(),
        Some(answered.applicant.id_number.as_str()),
        "the applicant sent it: {sent:?}"
    );
    assert_eq!(
        (sent.from_status.as_deref(), sent.to_status.as_deref()),
        (Some("supplement_requested"), Some("submitted"))
    );
    assert!(
        judged(&entries).is_done(ExerciseId::Supplement),
        "tiepnhan1's request is the supplement exercise"
    );
    s.shutdown().await.unwrap();
}

/// A citizen whose account a trainee made has a password the simulator cannot know: it
/// tries that citizen once, then leaves them alone, since every failed login counts
/// against the loopback address's throttle, which the trainee's own logins share.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_tries_a_citizen_it_cannot_log_in_as_only_once() {
    use motcua::api::citizens::NewCitizen;
    use motcua::domain::identity::Gender;
    let dir = tempfile::tempdir().unwrap();
    let s = start(dir.path(), Some(PACE)).await;
    let c = login(&s.url, "tiepnhan1").await;
    let number = "083085424242".to_owned();
    let created = c
        .create_citizen(
            &new_key(),
            &NewCitizen {
                id_number: number.clone(),
                full_name: "Trần Văn Thử".into(),
                date_of_birth: "1985-06-15".into(),
                gender: Some(Gender::Male),
                phone: "0912345678".into(),
                email: None,
                address: "Số 9 đường Hùng Vương, Phường An Hội, TP. Bến Tre".into(),
                legacy_id_number: None,
            },
        )
        .await
        .expect("the account");
    let code = desk_dossier_for(&c, &created.citizen.id).await;
    let d = c.dossier(&code).await.unwrap();
    let request = ActionRequest {
        action: Some(Action::RequestSupplement),
        reason: Some("Thiếu giấy tờ".into()),
        missing_documents: vec!["Bản sao giấy khai sinh".into()],
        ..ActionRequest::default()
    };
    c.act(&code, d.version, &request)
        .await
        .expect("the request");

    let db = s.portal.state.db.clone();
    let failures = || {
        let (db, number) = (db.clone(), number.clone());
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM audit WHERE event IN ('login_failed', 'login_throttled') \
                 AND username = $1",
            )
            .bind(number)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    wait_for("the simulator to try that citizen", DEADLINE, || async {
        match failures().await {
            0 => Err("no try yet".to_owned()),
            n => Ok(n),
        }
    })
    .await;
    // Several more rounds of office 1 (each files one online dossier) go by.
    let seen = journal(&c).await.last().map_or(0, |e| e.id);
    wait_for("three more rounds of office 1", DEADLINE, || async {
        let rounds = c
            .training_journal(seen)
            .await
            .map_err(|e| e.to_string())?
            .entries
            .iter()
            .filter(|e| e.event == AuditEvent::DossierCreated && e.role == Some(Role::Citizen))
            .count();
        if rounds >= 3 {
            Ok(())
        } else {
            Err(format!("{rounds} rounds"))
        }
    })
    .await;
    assert_eq!(failures().await, 1, "tried once, then left alone");
    s.shutdown().await.unwrap();
}

/// Issue 19: the desk reaches the sandbox through a link of its own, which the
/// sandbox's outage cuts (the portal and its simulated citizens go on) and restores.
#[tokio::test]
async fn the_desk_s_link_to_the_sandbox_can_be_cut_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start(dir.path(), None).await;
    let desk = login(&sandbox.desk_url, "tiepnhan1").await;
    assert!(desk.me().await.is_ok());
    let outage = sandbox.outage();
    outage(true);
    match desk.me().await {
        Err(e) => assert!(e.is_offline(), "{e:?}"),
        Ok(_) => panic!("the desk reached the portal through a cut link"),
    }
    // The portal itself goes on.
    let direct = login(&sandbox.url, "tiepnhan1").await;
    assert!(direct.me().await.is_ok());
    outage(false);
    assert!(desk.me().await.is_ok());
    sandbox.shutdown().await.unwrap();
}
