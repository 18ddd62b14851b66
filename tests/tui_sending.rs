//! The TUI's outbox through the runtime's real effect executor against the real portal:
//! what an earlier run left queued is sent once its user logs in again, and never with
//! anyone else's session.

mod common;

use common::{DEMO_PASSWORD, Portal};
use motcua::api::citizens::NewCitizen;
use motcua::client::outbox::{Outbox, Write};
use motcua::config::Config;
use motcua::domain::Lang;
use motcua::domain::identity::Gender;
use motcua::tui::Options;
use motcua::tui::action::{Action, Effect};
use motcua::tui::keymap::Keymap;
use motcua::tui::runtime::Executor;
use motcua::tui::state::{App, Failure, Profile};
use motcua::tui::theme::Theme;
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

fn citizen(number: &str, name: &str) -> Write {
    Write::CreateCitizen {
        citizen: NewCitizen {
            id_number: number.into(),
            full_name: name.into(),
            date_of_birth: "1985-06-15".into(),
            gender: Some(Gender::Male),
            phone: "0912345678".into(),
            email: None,
            address: "Số 9 đường Hùng Vương, Bến Tre".into(),
            legacy_id_number: None,
        },
    }
}

/// Queues a write in `user`'s outbox on disk, as an earlier run would have left it.
fn left_queued(data: &Path, user: &str, write: Write) {
    let dir = data
        .join("outbox")
        .join(motcua::tui::drafts::safe_name(&format!("Ward-{user}")));
    Outbox::open(&dir)
        .unwrap()
        .push(write, user.into())
        .unwrap();
}

/// Logs `user` in through the executor and starts the session (the draft and outbox).
async fn session(
    exec: &mut Executor,
    app: &App,
    rx: &mut UnboundedReceiver<Action>,
    user: &str,
    password: &str,
) {
    flush(rx);
    exec.run(
        Effect::Login {
            id: 1,
            url: app.profiles[0].url.clone(),
            username: user.into(),
            password: password.into(),
        },
        app,
    );
    loop {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(Action::LoggedIn(_, result))) => {
                result.expect("logged in");
                break;
            }
            Ok(Some(_)) => {}
            _ => panic!("no login answer"),
        }
    }
    exec.run(Effect::LoadDraft, app);
}

/// Forgets what the last session said.
fn flush(rx: &mut UnboundedReceiver<Action>) {
    while rx.try_recv().is_ok() {}
}

/// Waits until the outbox says nothing is left to send.
async fn drained(rx: &mut UnboundedReceiver<Action>) -> Vec<Action> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(Action::OutboxCount { queued: 0, .. })) => return seen,
            Ok(Some(other)) => seen.push(other),
            _ => panic!("the outbox never drained: {seen:?}"),
        }
    }
}

async fn exists(portal: &Portal, number: &str) -> bool {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM citizens WHERE id_number = $1")
        .bind(number)
        .fetch_one(&portal.running.state.db)
        .await
        .unwrap();
    n == 1
}

#[tokio::test(flavor = "multi_thread")]
async fn a_users_queued_writes_go_with_their_session_only() {
    let portal = Portal::demo().await;
    let data = tempfile::tempdir().unwrap();
    let profile = Profile {
        name: "Ward".into(),
        url: portal.base.clone(),
        training: false,
        demo_hint: None,
    };
    let options = Options {
        config: Config::default(),
        data_dir: Some(data.path().to_owned()),
        extra_profiles: vec![],
    };
    let app = App::new(
        Lang::Vi,
        Theme::choose(None, false, None).unwrap(),
        Keymap::default(),
        vec![profile],
        common::tui::now(),
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut exec = Executor::new(tx, &options, Lang::Vi);

    // A write tiepnhan1 left queued before a crash goes when tiepnhan1 logs in.
    left_queued(
        data.path(),
        "tiepnhan1",
        citizen("083085111111", "Lê Văn Một"),
    );
    session(&mut exec, &app, &mut rx, "tiepnhan1", DEMO_PASSWORD).await;
    let seen = drained(&mut rx).await;
    assert!(exists(&portal, "083085111111").await);
    assert!(
        seen.iter().any(|a| matches!(a, Action::SentLater { .. })),
        "{seen:?}"
    );

    // tiepnhan1's session ends elsewhere (a password change revokes it): the next write
    // meets a 401, the outbox pauses with it queued.
    const NEW_PASSWORD: &str = "Tiep-Nhan-Moi-2027!";
    let other = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let res = portal
        .post("/auth/password")
        .bearer_auth(&other)
        .json(&serde_json::json!({"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    flush(&mut rx);
    exec.run(
        Effect::CreateCitizen {
            id: 7,
            key: uuid::Uuid::new_v4().to_string(),
            citizen: match citizen("083085222222", "Lê Văn Hai") {
                Write::CreateCitizen { citizen } => citizen,
                _ => unreachable!(),
            },
        },
        &app,
    );
    loop {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(Action::CitizenCreated(7, Err(Failure::Unauthorized(_))))) => break,
            Ok(Some(_)) => {}
            _ => panic!("no 401 for the write"),
        }
    }

    // tiepnhan2 logs in on this machine: tiepnhan1's write must not go with that session.
    exec.run(Effect::Logout, &app);
    session(&mut exec, &app, &mut rx, "tiepnhan2", DEMO_PASSWORD).await;
    drained(&mut rx).await;
    assert!(
        !exists(&portal, "083085222222").await,
        "tiepnhan1's write went with tiepnhan2's session"
    );

    // tiepnhan1 again: it goes now, made at tiepnhan1's office.
    exec.run(Effect::Logout, &app);
    session(&mut exec, &app, &mut rx, "tiepnhan1", NEW_PASSWORD).await;
    drained(&mut rx).await;
    assert!(exists(&portal, "083085222222").await);
    let offices: Vec<i64> = sqlx::query_scalar(
        "SELECT office_id FROM citizens WHERE id_number IN ('083085111111', '083085222222')",
    )
    .fetch_all(&portal.running.state.db)
    .await
    .unwrap();
    assert_eq!(offices.len(), 2);
    assert_eq!(offices[0], offices[1]);
}
