//! The desk app without a terminal, for the benchmarks that count an officer's keys and
//! round trips: the real `update`, the real effect executor and `PortalClient`, logged in
//! as a reception officer of the demo portal at `base` (through the counting proxy).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::config::Config;
use motcua::domain::Lang;
use motcua::tui::Options;
use motcua::tui::action::Action;
use motcua::tui::keymap::Keymap;
use motcua::tui::runtime::Executor;
use motcua::tui::state::{App, Profile, Screen};
use motcua::tui::theme::Theme;
use motcua::tui::update::update;
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

pub struct Headless {
    pub app: App,
    exec: Executor,
    rx: UnboundedReceiver<Action>,
    /// Keys that are not typed data: Enter, Tab, arrows, Space, Ctrl keys, tab switches.
    pub keys: usize,
    /// Characters of data typed: search words, numbers, names.
    pub typed: usize,
}

impl Headless {
    /// The app at `base`, its data in `data_dir`, logged in as `tiepnhan1`.
    pub async fn logged_in(base: String, data_dir: &Path) -> Headless {
        let profile = Profile {
            name: "Bench".into(),
            url: base,
            training: false,
            demo_hint: None,
        };
        let options = Options {
            config: Config::default(),
            data_dir: Some(data_dir.to_owned()),
            extra_profiles: vec![profile.clone()],
            outage: None,
        };
        let app = App::new(
            Lang::Vi,
            Theme::choose(None, false, None).unwrap(),
            Keymap::default(),
            vec![profile],
            motcua::tui::runtime::vn_now(),
        );
        let (tx, rx) = unbounded_channel();
        let exec = Executor::new(tx, &options, Lang::Vi);
        let mut h = Headless {
            app,
            exec,
            rx,
            keys: 0,
            typed: 0,
        };
        h.text("tiepnhan1").await;
        h.key(KeyCode::Tab).await;
        h.text("Motcua-demo-2026").await;
        h.key(KeyCode::Enter).await;
        assert_eq!(h.app.screen, Screen::Main, "{:?}", h.app.login.error);
        h
    }

    fn apply(&mut self, action: Action) {
        for effect in update(&mut self.app, action) {
            self.exec.run(effect, &self.app);
        }
    }

    /// Until nothing the officer waits for is in flight (answers applied).
    async fn settle(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let waiting = self
                .app
                .pending
                .values()
                .any(|p| !p.purpose.is_background());
            let timeout = if waiting {
                Duration::from_secs(30)
            } else {
                Duration::from_millis(20)
            };
            match tokio::time::timeout(timeout, self.rx.recv()).await {
                Ok(Some(action)) => self.apply(action),
                _ if !waiting => return,
                _ => panic!("no answer from the portal"),
            }
            assert!(Instant::now() < deadline, "the app did not settle");
        }
    }

    /// One key that is not data, and its answers.
    pub async fn key(&mut self, code: KeyCode) {
        self.press(KeyEvent::new(code, KeyModifiers::NONE)).await;
    }

    /// One key with its modifiers (Ctrl-N), counted as a key.
    pub async fn press(&mut self, key: KeyEvent) {
        self.keys += 1;
        self.apply(Action::Key(key));
        self.settle().await;
    }

    /// Data typed, a character at a time.
    pub async fn text(&mut self, text: &str) {
        for c in text.chars() {
            self.typed += 1;
            self.apply(Action::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
        self.settle().await;
    }
}

/// The identity number of a citizen the demo office serves (one named Nguyễn), read
/// straight from the portal at `addr`, past the counting proxy.
pub async fn office_citizen(addr: std::net::SocketAddr) -> String {
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("http://{addr}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "tiepnhan1", "password": "Motcua-demo-2026"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let citizens: serde_json::Value = http
        .get(format!("http://{addr}/api/v1/citizens?q=nguyen"))
        .bearer_auth(token["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    citizens["items"][0]["id_number"]
        .as_str()
        .unwrap()
        .to_owned()
}
