//! One run of the desk app without a terminal: its state, its real effect executor
//! against a portal, and what the executor says, fed back through the real update loop.
//! The outage suites drive it (issue 19).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::clock::Clock;
use motcua::config::Config;
use motcua::domain::Lang;
use motcua::tui::Options;
use motcua::tui::action::{Action, Effect};
use motcua::tui::keymap::Keymap;
use motcua::tui::runtime::Executor;
use motcua::tui::state::{App, Profile, RequestId};
use motcua::tui::theme::Theme;
use motcua::tui::update::update;
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

pub struct Desk {
    pub app: App,
    pub exec: Executor,
    rx: UnboundedReceiver<Action>,
    next: RequestId,
}

impl Desk {
    /// A desk on the portal at `url` (API base), keeping its files in `data`, its clock
    /// the portal's (as it follows the portal's `Date` header).
    pub fn start(url: &str, data: &Path, clock: &Clock) -> Desk {
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
            clock.now(),
        );
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let mut exec = Executor::new(tx, &options, Lang::Vi);
        exec.clock = clock.clone();
        Desk {
            app,
            exec,
            rx,
            next: 10_000,
        }
    }

    pub fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.exec.run(e, &self.app);
        }
    }

    pub fn act(&mut self, action: Action) {
        let effects = update(&mut self.app, action);
        self.run(effects);
    }

    /// A request id no update has used.
    pub fn id(&mut self) -> RequestId {
        self.next += 1;
        self.next
    }

    /// Feeds what the executor says to the app until `done` holds; what was said.
    pub async fn until(&mut self, what: &str, done: impl Fn(&App, &Action) -> bool) -> Vec<Action> {
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

    /// Types the user and password into the login screen and presses Enter.
    pub fn log_in(&mut self, user: &str, password: &str) {
        for c in user.chars() {
            self.act(ch(c));
        }
        self.act(key(KeyCode::Tab));
        for c in password.chars() {
            self.act(ch(c));
        }
        self.act(key(KeyCode::Enter));
    }
}

impl Desk {
    /// The next held number, as the intake takes it with the link down.
    pub async fn number_offline(&mut self) -> motcua::tui::offline::Numbered {
        let id = self.id();
        self.run(vec![Effect::NumberOffline(id)]);
        let heard = self
            .until(
                "a held number",
                |_, a| matches!(a, Action::NumberedOffline(i, _) if *i == id),
            )
            .await;
        heard
            .into_iter()
            .find_map(|a| match a {
                Action::NumberedOffline(i, Ok(n)) if i == id => Some(n),
                _ => None,
            })
            .expect("a held number")
    }
}

/// A link of its own from a desk to the portal at `base` (its API base URL), which the
/// test cuts and restores; the desk's URL to use.
pub async fn link_to(base: &str) -> (motcua::linksim::Link, String) {
    let upstream: std::net::SocketAddr = base["http://".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let link = motcua::linksim::start(upstream, motcua::linksim::LinkSpec::default())
        .await
        .unwrap();
    let url = format!("http://{}{}", link.addr, motcua::api::BASE_PATH);
    (link, url)
}

pub fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}
