//! The desk officer's cost of one intake: keystrokes beyond the typed data, and round
//! trips to the portal, for a same-day signature certification (2.000884, 10,000 đ in
//! cash) for a citizen who has an account, once the catalog is cached (a first intake
//! in the same session warms it). The app runs headless: the real `update`, the real
//! effect executor and `PortalClient`, the real portal on loopback behind a proxy that
//! counts HTTP requests. Targets: ≤ 40 keystrokes, ≤ 4 round trips.
//! Run: `cargo bench --bench intake`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::config::Config;
use motcua::domain::Lang;
use motcua::tui::Options;
use motcua::tui::action::Action;
use motcua::tui::intake::WizardStep;
use motcua::tui::keymap::Keymap;
use motcua::tui::runtime::Executor;
use motcua::tui::state::{App, Profile, Screen};
use motcua::tui::theme::Theme;
use motcua::tui::update::update;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

#[path = "support/mod.rs"]
mod support;
use support::counting_proxy;

struct Headless {
    app: App,
    exec: Executor,
    rx: UnboundedReceiver<Action>,
    /// Keys that are not typed data: Enter, Tab, arrows, Space, tab switches.
    keys: usize,
    /// Characters of data typed: the search words, the number, the receipt number.
    typed: usize,
}

impl Headless {
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

    async fn key(&mut self, code: KeyCode) {
        self.keys += 1;
        self.apply(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.settle().await;
    }

    async fn text(&mut self, text: &str) {
        for c in text.chars() {
            self.typed += 1;
            self.apply(Action::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            )));
        }
        self.settle().await;
    }

    /// One complete intake: the procedure, the applicant, the documents on paper, the
    /// desk delivery, cash with a receipt number, the declaration, submit, the receipt.
    async fn intake(&mut self, number: &str, receipt: &str) -> String {
        self.key(KeyCode::Char('2')).await;
        self.text("chung thuc chu ky").await;
        self.key(KeyCode::Enter).await;
        assert_eq!(
            self.app.intake.step,
            WizardStep::Applicant,
            "{:?}",
            self.app.intake.error
        );
        self.text(number).await;
        self.key(KeyCode::Enter).await; // look up
        self.key(KeyCode::Enter).await; // the applicant submits in person
        assert_eq!(
            self.app.intake.step,
            WizardStep::Documents,
            "{:?}",
            self.app.intake.error
        );
        let parts: Vec<bool> = {
            let case = motcua::tui::update::chosen_case(&self.app).expect("the case");
            case.documents.iter().map(|d| d.mandatory).collect()
        };
        for (i, mandatory) in parts.iter().enumerate() {
            if *mandatory {
                self.key(KeyCode::Char(' ')).await;
            }
            if i + 1 < parts.len() && parts[i + 1..].iter().any(|m| *m) {
                self.key(KeyCode::Down).await;
            }
        }
        self.key(KeyCode::Enter).await; // documents done
        self.key(KeyCode::Enter).await; // at the desk
        assert_eq!(
            self.app.intake.step,
            WizardStep::Review,
            "{:?}",
            self.app.intake.error
        );
        self.key(KeyCode::Tab).await; // cash is chosen; to the receipt number
        self.text(receipt).await;
        self.key(KeyCode::Tab).await;
        self.key(KeyCode::Char(' ')).await; // the declaration
        self.key(KeyCode::Enter).await; // submit (and the cash payment)
        assert_eq!(
            self.app.intake.step,
            WizardStep::Done,
            "{:?}",
            self.app.intake.error
        );
        assert!(self.app.intake.paid, "cash recorded");
        self.key(KeyCode::Enter).await; // the receipt, Mẫu 01
        self.key(KeyCode::Esc).await; // close it
        let code = self.app.intake.created.as_ref().unwrap().code.clone();
        self.key(KeyCode::Char('n')).await; // ready for the next citizen
        code
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let (dir, running) = support::demo_portal().await;
    let (addr, requests) = counting_proxy(running.addr).await;
    let base = format!("http://{addr}/api/v1");

    let profile = Profile {
        name: "Bench".into(),
        url: base,
        training: false,
        demo_hint: None,
    };
    let options = Options {
        config: Config::default(),
        data_dir: Some(dir.path().join("data")),
        extra_profiles: vec![profile.clone()],
    };
    let now = motcua::tui::runtime::vn_now();
    let app = App::new(
        Lang::Vi,
        Theme::choose(None, false, None).unwrap(),
        Keymap::default(),
        vec![profile],
        now,
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

    // A citizen of the office with an account.
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(format!("http://{}/api/v1/auth/login", running.addr))
        .json(&serde_json::json!({"username": "chuyenvien1", "password": "Motcua-demo-2026"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let citizens: serde_json::Value = http
        .get(format!("http://{}/api/v1/citizens?q=nguyen", running.addr))
        .bearer_auth(token["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let number = citizens["items"][0]["id_number"]
        .as_str()
        .unwrap()
        .to_owned();

    // A first intake warms the catalog (list and detail).
    let cold_requests = requests.load(Ordering::SeqCst);
    h.intake(&number, "BL-0001").await;
    let cold = requests.load(Ordering::SeqCst) - cold_requests;

    // The measured one.
    h.app.tab = motcua::tui::state::Tab::Inbox;
    let (keys0, typed0, requests0) = (h.keys, h.typed, requests.load(Ordering::SeqCst));
    let started = Instant::now();
    let code = h.intake(&number, "BL-0002").await;
    let took = started.elapsed();
    let keys = h.keys - keys0;
    let typed = h.typed - typed0;
    let trips = requests.load(Ordering::SeqCst) - requests0;
    println!(
        "intake of a same-day signature certification (2.000884) for an existing citizen, cash, receipt printed"
    );
    println!(
        "  dossier {code}; wall time on loopback {:.1} ms",
        took.as_secs_f64() * 1000.0
    );
    println!(
        "  keystrokes beyond typed data: {keys} (target ≤ 40); typed data: {typed} characters"
    );
    println!(
        "  round trips with the catalog cached: {trips} (target ≤ 4): look-up, submission, cash, receipt"
    );
    println!("  (the first intake of the session, catalog not yet cached: {cold} round trips)");
    let _ = running.shutdown().await;
}
