//! Intake with the link down (issue 19), through the TUI's real update loop and effect
//! executor against the real portal, the link cut and restored by the link emulator:
//! an online session that keeps its numbers, the catalog and the citizens it saw; a
//! restart with the link down (the password checked against the kept session); a
//! citizen found in the desk's copy, two dossiers numbered from the held numbers (one
//! for an account made offline); and, the link back and the officer logged in again,
//! everything arriving once with the numbers printed.

mod common;

use common::{DEMO_PASSWORD, Portal};
use crossterm::event::KeyCode;
use motcua::api::citizens::NewCitizen;
use motcua::api::dossiers::{ApplicantRef, CreateDossier, Presented};
use motcua::clock::Clock;
use motcua::config::Config;
use motcua::domain::Lang;
use motcua::domain::identity::Gender;
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use motcua::tui::Options;
use motcua::tui::action::{Action, Effect};
use motcua::tui::keymap::Keymap;
use motcua::tui::runtime::Executor;
use motcua::tui::state::{App, Profile, RequestId, Screen};
use motcua::tui::theme::Theme;
use motcua::tui::update::update;
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

const MORNING: &str = "2026-03-04T08:00:00+07:00";
const NEW_NUMBER: &str = "083190123456";

/// One run of the desk app: its state, its executor and what the executor says.
struct Desk {
    app: App,
    exec: Executor,
    rx: UnboundedReceiver<Action>,
    next: RequestId,
}

impl Desk {
    fn start(url: &str, data: &Path, clock: &Clock) -> Desk {
        let options = Options {
            config: Config::default(),
            data_dir: Some(data.to_owned()),
            extra_profiles: vec![],
            outage: None,
        };
        let app = App::new(
            Lang::Vi,
            Theme::choose(None, false, None).unwrap(),
            Keymap::default(),
            vec![Profile {
                name: "Ward".into(),
                url: url.into(),
                training: false,
                demo_hint: None,
            }],
            motcua::clock::parse_instant(MORNING).unwrap(),
        );
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let mut exec = Executor::new(tx, &options, Lang::Vi);
        // The desk's clock is the portal's (as it follows the portal's `Date` header).
        exec.clock = clock.clone();
        Desk {
            app,
            exec,
            rx,
            next: 10_000,
        }
    }

    fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.exec.run(e, &self.app);
        }
    }

    fn act(&mut self, action: Action) {
        let effects = update(&mut self.app, action);
        self.run(effects);
    }

    fn id(&mut self) -> RequestId {
        self.next += 1;
        self.next
    }

    /// Feeds what the executor says to the app until `done` holds; what was said.
    async fn until(&mut self, what: &str, done: impl Fn(&App, &Action) -> bool) -> Vec<Action> {
        let mut seen = Vec::new();
        loop {
            let action = tokio::time::timeout(Duration::from_secs(60), self.rx.recv())
                .await
                .unwrap_or_else(|_| panic!("waited for {what}; heard {seen:#?}"))
                .expect("the executor ended");
            seen.push(action.clone());
            self.act(action.clone());
            if done(&self.app, &action) {
                return seen;
            }
        }
    }

    fn log_in(&mut self, user: &str, password: &str) {
        for c in user.chars() {
            self.act(ch(c));
        }
        self.act(common::tui::key(KeyCode::Tab));
        for c in password.chars() {
            self.act(ch(c));
        }
        self.act(common::tui::key(KeyCode::Enter));
    }
}

fn ch(c: char) -> Action {
    Action::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char(c),
        crossterm::event::KeyModifiers::NONE,
    ))
}

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
    let upstream: std::net::SocketAddr = portal.base["http://".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let link = motcua::linksim::start(upstream, motcua::linksim::LinkSpec::default())
        .await
        .unwrap();
    let switch = link.switch();
    let url = format!("http://{}{}", link.addr, motcua::api::BASE_PATH);
    let data = tempfile::tempdir().unwrap();
    let (citizen_id, citizen_name) = portal.citizen_of(1).await;
    let body: CreateDossier =
        serde_json::from_value(portal.submission("1.001193", &citizen_id).await).unwrap();

    // Online: the desk logs in, keeps 20 numbers, and sees the catalog and a citizen.
    let mut desk = Desk::start(&url, data.path(), &clock);
    desk.log_in("tiepnhan1", DEMO_PASSWORD);
    desk.until("the held numbers", |app, _| app.held_codes == Some(20))
        .await;
    let (catalog, procedure) = (desk.id(), desk.id());
    desk.run(vec![
        Effect::LoadCatalog(catalog),
        Effect::LoadProcedure {
            id: procedure,
            code: "1.001193".into(),
        },
    ]);
    // Both answered (so kept on disk) before the desk goes.
    let mut loaded = (false, false);
    while loaded != (true, true) {
        desk.until("the catalog and the procedure", |_, a| {
            matches!(a, Action::CatalogLoaded(..) | Action::ProcedureLoaded(..))
        })
        .await
        .iter()
        .for_each(|a| match a {
            Action::CatalogLoaded(id, Ok(_)) if *id == catalog => loaded.0 = true,
            Action::ProcedureLoaded(id, Ok(_)) if *id == procedure => loaded.1 = true,
            _ => {}
        });
    }
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

    // The catalog and the citizen come from the desk's copies.
    let (catalog, find) = (desk.id(), desk.id());
    desk.run(vec![
        Effect::LoadCatalog(catalog),
        Effect::FindCitizens {
            id: find,
            query: first_word,
        },
    ]);
    let mut heard = Vec::new();
    while !(heard
        .iter()
        .any(|a| matches!(a, Action::CitizensFound(id, _) if *id == find))
        && heard
            .iter()
            .any(|a| matches!(a, Action::CatalogLoaded(id, _) if *id == catalog)))
    {
        heard.extend(
            desk.until("the offline lookup and catalog", |_, a| {
                matches!(a, Action::CitizensFound(..) | Action::CatalogLoaded(..))
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

    // Two dossiers numbered from the held numbers: one for the citizen found, one for
    // an account made offline.
    let mut numbers = Vec::new();
    for _ in 0..2 {
        let id = desk.id();
        desk.run(vec![Effect::NumberOffline(id)]);
        let heard = desk
            .until(
                "a number",
                |_, a| matches!(a, Action::NumberedOffline(i, _) if *i == id),
            )
            .await;
        let n = heard
            .into_iter()
            .find_map(|a| match a {
                Action::NumberedOffline(_, Ok(n)) => Some(n),
                _ => None,
            })
            .expect("a held number");
        numbers.push(n);
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
