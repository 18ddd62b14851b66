//! The TUI's outbox through the runtime's real effect executor against the real portal:
//! what an earlier run left queued is sent once its user logs in again, and never with
//! anyone else's session; what the executor says is in the language of the profile chosen
//! at login; a disk that refuses the outbox is said once, and writes still go.

mod common;

use common::{DEMO_PASSWORD, Portal};
use motcua::api::citizens::NewCitizen;
use motcua::client::outbox::{Outbox, Write};
use motcua::config::Config;
use motcua::domain::Lang;
use motcua::domain::identity::Gender;
use motcua::tui::Options;
use motcua::tui::action::DiskProblem;
use motcua::tui::action::{Action, Effect};
use motcua::tui::keymap::Keymap;
use motcua::tui::runtime::Executor;
use motcua::tui::state::{App, Failure, Profile, ProfileSettings};
use motcua::tui::theme::Theme;
use motcua::tui::update::update;
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
        outage: None,
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

/// The executor and an app with two profiles of one portal: "Ward" in Vietnamese (the
/// start-up language) and "Province" in English.
fn desk(portal: &Portal, data: &Path) -> (Executor, App, UnboundedReceiver<Action>) {
    let profile = |name: &str| Profile {
        name: name.into(),
        url: portal.base.clone(),
        training: false,
        demo_hint: None,
    };
    let options = Options {
        config: Config::default(),
        data_dir: Some(data.to_owned()),
        extra_profiles: vec![],
        outage: None,
    };
    let mut app = App::new(
        Lang::Vi,
        Theme::choose(None, false, None).unwrap(),
        Keymap::default(),
        vec![profile("Ward"), profile("Province")],
        common::tui::now(),
    );
    app.profile_settings = vec![
        ProfileSettings::default(),
        ProfileSettings {
            language: Some(Lang::En),
            ..ProfileSettings::default()
        },
    ];
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    (Executor::new(tx, &options, Lang::Vi), app, rx)
}

/// Waits for the first action `pick` takes, keeping every action seen on the way.
async fn until<T>(
    rx: &mut UnboundedReceiver<Action>,
    seen: &mut Vec<Action>,
    pick: impl Fn(&Action) -> Option<T>,
) -> T {
    loop {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(action)) => {
                let picked = pick(&action);
                seen.push(action);
                if let Some(t) = picked {
                    return t;
                }
            }
            _ => panic!("not seen; saw {seen:?}"),
        }
    }
}

/// A login to a port where nothing listens: the executor's own offline message.
async fn offline_login(
    exec: &mut Executor,
    app: &App,
    rx: &mut UnboundedReceiver<Action>,
) -> String {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1", closed.local_addr().unwrap());
    drop(closed);
    exec.run(
        Effect::Login {
            id: 99,
            url,
            username: "tiepnhan1".into(),
            password: DEMO_PASSWORD.into(),
        },
        app,
    );
    until(rx, &mut vec![], |a| match a {
        Action::LoggedIn(99, Err(Failure::Offline(message))) => Some(message.clone()),
        _ => None,
    })
    .await
}

fn unwrap_citizen(write: Write) -> NewCitizen {
    match write {
        Write::CreateCitizen { citizen } => citizen,
        _ => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_chosen_at_login_sets_the_language_of_offline_and_outbox_messages() {
    let portal = Portal::demo().await;
    let data = tempfile::tempdir().unwrap();
    let (mut exec, mut app, mut rx) = desk(&portal, data.path());

    let vietnamese = offline_login(&mut exec, &app, &mut rx).await;
    assert!(vietnamese.starts_with("Không kết nối được"), "{vietnamese}");

    // The officer picks the English profile on the login screen.
    app.login.profile = 1;
    app.apply_profile();
    assert_eq!(app.lang, Lang::En);
    let english = offline_login(&mut exec, &app, &mut rx).await;
    assert!(
        english.starts_with("The portal cannot be reached"),
        "{english}"
    );

    // An action an earlier run left queued on a dossier that has moved on since: the
    // outbox gives it up with the executor's own words, in English.
    let client = motcua::client::PortalClient::builder(&portal.base)
        .build()
        .unwrap();
    client.login("tiepnhan1", DEMO_PASSWORD).await.unwrap();
    let (citizen, _) = portal.citizen_of(1).await;
    let request = common::desk_submission(&client, "1.001193", &citizen).await;
    let dossier = client
        .create_dossier(&uuid::Uuid::new_v4().to_string(), &request)
        .await
        .unwrap();
    let stale = Write::Act {
        code: dossier.code.clone(),
        version: dossier.version - 1,
        request: serde_json::from_value(serde_json::json!({"action": "forward"})).unwrap(),
    };
    let dir = data
        .path()
        .join("outbox")
        .join(motcua::tui::drafts::safe_name("Province-tiepnhan1"));
    Outbox::open(&dir)
        .unwrap()
        .push(stale, dossier.code.clone())
        .unwrap();
    session(&mut exec, &app, &mut rx, "tiepnhan1", DEMO_PASSWORD).await;
    let message = until(&mut rx, &mut vec![], |a| match a {
        Action::SendFailed { message, .. } => Some(message.clone()),
        _ => None,
    })
    .await;
    assert!(
        message.starts_with("Someone changed the dossier first"),
        "{message}"
    );
}

/// Makes `dir` a place where no directory can be made: read-only for an ordinary user;
/// as root, whom permissions do not stop, a regular file stands where it should be.
fn unwritable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o500)).unwrap();
    let probe = dir.join("probe");
    if std::fs::create_dir(&probe).is_ok() {
        std::fs::remove_dir(&probe).unwrap();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::remove_dir(dir).unwrap();
        std::fs::write(dir, b"a file where the outbox's folder should be").unwrap();
    }
}

/// Creates citizen `number` through the executor and waits for its answer.
async fn create_citizen(
    exec: &mut Executor,
    app: &App,
    rx: &mut UnboundedReceiver<Action>,
    seen: &mut Vec<Action>,
    id: u64,
    number: &str,
) {
    exec.run(
        Effect::CreateCitizen {
            id,
            key: uuid::Uuid::new_v4().to_string(),
            citizen: unwrap_citizen(citizen(number, "Trần Thị Ba")),
        },
        app,
    );
    until(rx, seen, |a| match a {
        Action::CitizenCreated(i, result) if *i == id => Some(result.clone()),
        _ => None,
    })
    .await
    .expect("the write goes straight to the portal");
}

fn disk_messages(seen: &[Action]) -> Vec<(std::path::PathBuf, DiskProblem)> {
    seen.iter()
        .filter_map(|a| match a {
            Action::OutboxDiskFailed { path, problem } => Some((path.clone(), problem.clone())),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_outbox_folder_that_cannot_be_written_is_said_once_and_writes_still_go() {
    let portal = Portal::demo().await;
    let data = tempfile::tempdir().unwrap();
    unwritable(&data.path().join("outbox"));
    let (mut exec, mut app, mut rx) = desk(&portal, data.path());
    session(&mut exec, &app, &mut rx, "tiepnhan1", DEMO_PASSWORD).await;
    let mut seen = Vec::new();
    create_citizen(&mut exec, &app, &mut rx, &mut seen, 7, "083085333331").await;
    create_citizen(&mut exec, &app, &mut rx, &mut seen, 8, "083085333332").await;
    assert!(exists(&portal, "083085333331").await);
    assert!(exists(&portal, "083085333332").await);
    let said = disk_messages(&seen);
    assert_eq!(said.len(), 1, "{seen:?}");
    assert_eq!(said[0].1, DiskProblem::NotWritable);
    assert!(said[0].0.starts_with(data.path().join("outbox")));

    // On screen: what failed, where, and what to do, in the officer's language.
    let (path, problem) = said[0].clone();
    update(&mut app, Action::OutboxDiskFailed { path, problem });
    let text = &app.toasts.back().expect("a message").text;
    assert!(
        text.starts_with("Không lưu được hàng chờ gửi trên đĩa"),
        "{text}"
    );
    assert!(text.contains("không ghi được vào thư mục"), "{text}");
    assert!(text.contains("sửa quyền thư mục"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_under_the_outbox_is_said_once_and_writes_still_go() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: this system has no /dev/full to stand for a full disk");
        return;
    }
    let portal = Portal::demo().await;
    let data = tempfile::tempdir().unwrap();
    let (mut exec, app, mut rx) = desk(&portal, data.path());
    session(&mut exec, &app, &mut rx, "tiepnhan1", DEMO_PASSWORD).await;
    // The outbox is open once it has counted what it holds.
    let mut seen = Vec::new();
    until(&mut rx, &mut seen, |a| {
        matches!(a, Action::OutboxCount { .. }).then_some(())
    })
    .await;
    let journal = data
        .path()
        .join("outbox")
        .join(motcua::tui::drafts::safe_name("Ward-tiepnhan1"))
        .join("outbox.jsonl");
    std::fs::remove_file(&journal).unwrap();
    std::os::unix::fs::symlink(full, &journal).unwrap();
    create_citizen(&mut exec, &app, &mut rx, &mut seen, 7, "083085444441").await;
    create_citizen(&mut exec, &app, &mut rx, &mut seen, 8, "083085444442").await;
    assert!(exists(&portal, "083085444441").await);
    assert!(exists(&portal, "083085444442").await);
    let said = disk_messages(&seen);
    assert_eq!(said.len(), 1, "{seen:?}");
    assert_eq!(said[0].1, DiskProblem::Full);
}

/// Issue 14: an earlier run queued a submission (the link was down) and kept its intake
/// draft; after a restart the outbox delivers it. The draft is closed, matched by the
/// submission's idempotency key, and the wizard shows the code of the dossier made —
/// instead of offering the draft to be typed in again as a second dossier.
#[tokio::test(flavor = "multi_thread")]
async fn a_draft_whose_submission_went_after_a_restart_is_closed_with_its_code() {
    use motcua::tui::intake::{Wizard, WizardStep};
    let portal = Portal::demo().await;
    let data = tempfile::tempdir().unwrap();
    let (mut exec, mut app, mut rx) = desk(&portal, data.path());
    let client = motcua::client::PortalClient::builder(&portal.base)
        .build()
        .unwrap();
    client.login("tiepnhan1", DEMO_PASSWORD).await.unwrap();
    let (citizen, _) = portal.citizen_of(1).await;
    // Death registration: free, so nothing waits on a payment once it is made.
    let request = common::desk_submission(&client, "1.000656", &citizen).await;
    let count = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM dossiers WHERE procedure_code = '1.000656'",
        )
        .fetch_one(&portal.running.state.db)
        .await
        .unwrap()
    };
    let before = count().await;

    // What the earlier run left: the submission in the outbox and the draft, one key.
    let mut wizard = Wizard::new(
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    wizard.procedure = Some(request.procedure_code.clone());
    wizard.case_id = Some(request.case_id.clone());
    wizard.step = WizardStep::Review;
    wizard.declaration = true;
    let key = wizard.key.clone();
    let dir = data
        .path()
        .join("outbox")
        .join(motcua::tui::drafts::safe_name("Ward-tiepnhan1"));
    Outbox::open(&dir)
        .unwrap()
        .push_with_key(
            Write::CreateDossier {
                request: Box::new(request),
            },
            "1.000656".into(),
            key.clone(),
        )
        .unwrap();
    let draft_file = motcua::tui::drafts::path(data.path(), "Ward", "tiepnhan1");
    motcua::tui::drafts::save(&draft_file, &wizard.to_draft(now_text())).unwrap();

    // The restart: the session reads the draft and sends the outbox; every answer goes
    // through `update`, every effect it asks for through the executor, as in the app.
    session(&mut exec, &app, &mut rx, "tiepnhan1", DEMO_PASSWORD).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let (mut drained, mut seen) = (false, Vec::new());
    while !(drained && app.intake.step == WizardStep::Done) {
        let action = match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(action)) => action,
            _ => panic!("the draft was not closed: {seen:?}"),
        };
        if let Action::OutboxCount { queued: 0, .. } = action {
            drained = true;
        }
        seen.push(format!("{action:?}").chars().take(120).collect::<String>());
        for effect in update(&mut app, action) {
            exec.run(effect, &app);
        }
    }
    assert!(app.draft_offer.is_none(), "the draft is not offered again");
    let made = app.intake.created.as_ref().expect("the dossier made");
    assert_eq!(count().await, before + 1, "exactly one dossier");
    let code: String = sqlx::query_scalar(
        "SELECT code FROM dossiers WHERE procedure_code = '1.000656' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&portal.running.state.db)
    .await
    .unwrap();
    assert_eq!(made.code, code, "the code shown is the portal's");
    // The draft is gone from the disk (the write runs on the blocking pool: bounded wait).
    let start = std::time::Instant::now();
    while draft_file.exists() {
        assert!(start.elapsed() < Duration::from_secs(30), "the draft stays");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn now_text() -> String {
    common::tui::now().to_rfc3339()
}
