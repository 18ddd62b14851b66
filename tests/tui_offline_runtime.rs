//! Intake with the link down (issue 19), through the TUI's real update loop and effect
//! executor against the real portal, the link cut and restored by the link emulator:
//! an online session that keeps its numbers, the catalog and the citizens it saw; a
//! restart with the link down (the password checked against the kept session); a
//! citizen found in the desk's copy, two dossiers numbered from the held numbers (one
//! for an account made offline); and, the link back and the officer logged in again,
//! everything arriving once with the numbers printed.

mod common;

use common::desk::Desk;
use common::{DEMO_PASSWORD, Portal};
use motcua::api::citizens::NewCitizen;
use motcua::api::dossiers::{ApplicantRef, CreateDossier, Presented};
use motcua::clock::Clock;
use motcua::domain::identity::Gender;
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use motcua::tui::action::{Action, Effect};
use motcua::tui::state::Screen;

const MORNING: &str = "2026-03-04T08:00:00+07:00";
const NEW_NUMBER: &str = "083190123456";

fn new_citizen() -> NewCitizen {
    NewCitizen {
        id_number: NEW_NUMBER.into(),
        full_name: "Trần Thị Mới".into(),
        date_of_birth: "1990-05-06".into(),
        gender: Some(Gender::Female),
        phone: "0912345670".into(),
        email: None,
        address: "Số 3 đường Lê Lợi".into(),
        legacy_id_number: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_desk_takes_dossiers_in_through_an_outage_and_they_arrive_once_on_their_numbers() {
    let clock = Clock::starting_at(motcua::clock::parse_instant(MORNING).unwrap());
    let portal = Portal::with_clock(Settings::default(), Seed::Demo, clock.clone()).await;
    let (link, url) = common::desk::link_to(&portal.base).await;
    let switch = link.switch();
    let data = tempfile::tempdir().unwrap();
    let (citizen_id, citizen_name) = portal.citizen_of(1).await;
    let body: CreateDossier =
        serde_json::from_value(portal.submission("1.001193", &citizen_id).await).unwrap();

    // Online: the desk logs in and keeps 20 numbers and a copy of the whole catalog,
    // every procedure with its documents (none of them opened), and sees a citizen.
    let mut desk = Desk::start(&url, data.path(), &clock);
    desk.log_in("tiepnhan1", DEMO_PASSWORD);
    let mut kept = (false, None);
    while !(kept.0 && kept.1.is_some()) {
        let heard = desk
            .until("the held numbers and the catalog", |_, a| {
                matches!(a, Action::HeldCodes(_) | Action::CatalogKept(_))
            })
            .await;
        for a in heard {
            match a {
                Action::HeldCodes(20) => kept.0 = true,
                Action::CatalogKept(n) => kept.1 = Some(n),
                _ => {}
            }
        }
    }
    let procedures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM procedures")
        .fetch_one(&portal.running.state.db)
        .await
        .unwrap();
    assert_eq!(kept.1, Some(procedures as usize));
    let first_word = citizen_name.split_whitespace().last().unwrap().to_owned();
    let find = desk.id();
    desk.run(vec![Effect::FindCitizens {
        id: find,
        query: first_word.clone(),
    }]);
    desk.until("the citizen lookup", |_, a| {
        matches!(a, Action::CitizensFound(id, Ok(found)) if *id == find && !found.is_empty())
    })
    .await;
    drop(desk);

    // The link goes down; the desk is started again and the officer logs in.
    switch.set_down(true);
    let mut desk = Desk::start(&url, data.path(), &clock);
    desk.log_in("tiepnhan1", "not-the-password");
    desk.until("the refusal", |app, a| {
        matches!(a, Action::OfflineSession(..)) && app.login.error.is_some()
    })
    .await;
    let said = desk.app.login.error.clone().unwrap();
    assert!(said.contains("Mật khẩu không khớp"), "{said}");
    desk.app.login = motcua::tui::state::LoginForm::new();
    desk.log_in("tiepnhan1", DEMO_PASSWORD);
    desk.until("the offline session", |app, _| app.screen == Screen::Main)
        .await;
    assert!(desk.app.offline_session);
    assert_eq!(
        desk.app.me.as_ref().map(|m| m.username.as_str()),
        Some("tiepnhan1")
    );

    // The catalog, a procedure never opened and the citizen come from the desk's copies.
    let (catalog, find, procedure) = (desk.id(), desk.id(), desk.id());
    desk.run(vec![
        Effect::LoadCatalog(catalog),
        Effect::FindCitizens {
            id: find,
            query: first_word,
        },
        Effect::LoadProcedure {
            id: procedure,
            code: "1.001193".into(),
        },
    ]);
    let mut heard = Vec::new();
    while !(heard
        .iter()
        .any(|a| matches!(a, Action::CitizensFound(id, _) if *id == find))
        && heard
            .iter()
            .any(|a| matches!(a, Action::CatalogLoaded(id, _) if *id == catalog))
        && heard
            .iter()
            .any(|a| matches!(a, Action::ProcedureLoaded(id, _) if *id == procedure)))
    {
        heard.extend(
            desk.until("the offline lookup, catalog and procedure", |_, a| {
                matches!(
                    a,
                    Action::CitizensFound(..)
                        | Action::CatalogLoaded(..)
                        | Action::ProcedureLoaded(..)
                )
            })
            .await,
        );
    }
    let found = heard.iter().find_map(|a| match a {
        Action::CitizensFound(id, Ok(found)) if *id == find => Some(found.clone()),
        _ => None,
    });
    let found = found.expect("the desk's copy answers with the link down");
    assert!(found.iter().any(|c| c.id == citizen_id), "{found:?}");
    assert!(heard.iter().any(
        |a| matches!(a, Action::CatalogLoaded(id, Ok(list)) if *id == catalog && !list.is_empty())
    ));
    assert!(heard.iter().any(
        |a| matches!(a, Action::ProcedureLoaded(id, Ok(p)) if *id == procedure && p.procedure.code == "1.001193")
    ));

    // Two dossiers numbered from the held numbers: one for the citizen found, one for
    // an account made offline.
    let mut numbers = Vec::new();
    for _ in 0..2 {
        numbers.push(desk.number_offline().await);
    }
    assert_ne!(numbers[0].code, numbers[1].code);
    let mut first = body.clone();
    first.code = Some(numbers[0].code.clone());
    first.received_at = Some(numbers[0].received_at.clone());
    let mut second = body.clone();
    second.applicant = ApplicantRef::Presented(Presented {
        id_number: NEW_NUMBER.into(),
        date_of_birth: "1990-05-06".into(),
    });
    second.code = Some(numbers[1].code.clone());
    second.received_at = Some(numbers[1].received_at.clone());
    let (a, b, c) = (desk.id(), desk.id(), desk.id());
    desk.run(vec![
        Effect::LoadDraft,
        Effect::CreateDossier {
            id: a,
            key: uuid::Uuid::new_v4().to_string(),
            request: Box::new(first),
        },
        Effect::CreateCitizen {
            id: b,
            key: uuid::Uuid::new_v4().to_string(),
            citizen: new_citizen(),
        },
        Effect::CreateDossier {
            id: c,
            key: uuid::Uuid::new_v4().to_string(),
            request: Box::new(second),
        },
    ]);
    desk.until("three writes queued", |app, _| app.outbox == 3)
        .await;
    drop(desk);

    // The link is back; the officer logs in again and the outbox sends it all.
    switch.set_down(false);
    let mut desk = Desk::start(&url, data.path(), &clock);
    desk.log_in("tiepnhan1", DEMO_PASSWORD);
    desk.until("logged in", |app, _| app.screen == Screen::Main)
        .await;
    desk.run(vec![Effect::LoadDraft]);
    desk.until(
        "the outbox drained",
        |_, a| matches!(a, Action::OutboxCount { queued: 0, dead, .. } if dead.is_empty()),
    )
    .await;

    let db = &portal.running.state.db;
    for (n, applicant) in [
        (&numbers[0], citizen_id.clone()),
        (&numbers[1], String::new()),
    ] {
        let (count, received, public): (i64, Option<String>, Option<String>) = sqlx::query_as(
            "SELECT COUNT(*), MAX(d.received_at), MAX(c.public_id) FROM dossiers d \
             JOIN citizens c ON c.id = d.applicant_id WHERE d.code = $1",
        )
        .bind(&n.code)
        .fetch_one(db)
        .await
        .unwrap();
        assert_eq!(count, 1, "{} arrived once", n.code);
        assert_eq!(received.as_deref(), Some(n.received_at.as_str()));
        if !applicant.is_empty() {
            assert_eq!(public.as_deref(), Some(applicant.as_str()));
        }
    }
    let made: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM citizens WHERE id_number = $1")
        .bind(NEW_NUMBER)
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(made, 1, "the account made offline, once");
    assert_eq!(portal.audit_count("offline_intake_arrived").await, 2);
}
