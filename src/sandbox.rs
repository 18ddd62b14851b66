//! The training sandbox: the reference portal in-process on a free loopback port with a
//! sandbox database in the data directory (seeded with the demo data on first run), and
//! the simulator playing its citizens and bank. `motcua training` and the training
//! benchmark start it here; the TUI then connects over HTTP like to any portal.

use crate::clock::Clock;
use crate::domain::calendar::Calendar;
use crate::portal::{self, PortalError, Running};
use crate::training::simulator;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::task::JoinHandle;

pub struct Sandbox {
    pub portal: Running,
    /// The API's base URL, `http://127.0.0.1:PORT/api/v1`.
    pub url: String,
    /// The citizen pages, `http://127.0.0.1:PORT/`: where a trainee plays the citizen
    /// in a browser.
    pub pages_url: String,
    /// The API as the desk reaches it: through a link of its own (loopback, no delay),
    /// which [`Sandbox::outage`] cuts so that trainees practise an outage while the
    /// portal and its simulated citizens go on.
    pub desk_url: String,
    desk_link: crate::linksim::Link,
    simulator: JoinHandle<()>,
}

/// The lookup link a training notice shows: a sample address (`.example` is reserved
/// for samples), since the sandbox's own port changes at every start.
const TRAINING_LOOKUP: &str = "https://dichvucong.example.gov.vn/tra-cuu?ma={code}";

/// The sandbox database, inside the sandbox's own directory (its uploaded files go
/// beside it, apart from any other portal's in the data directory).
pub fn database(data_dir: &Path) -> PathBuf {
    crate::training::sandbox_dir(data_dir).join("portal.sqlite3")
}

/// What `--reset` removes: the sandbox's directory (database, files, the simulator's
/// scans and the trainee's saved progress), so the next start seeds a new sandbox.
pub fn reset(data_dir: &Path) -> std::io::Result<()> {
    // Earlier versions kept the sandbox database beside everything else.
    for suffix in ["", "-wal", "-shm"] {
        let legacy = data_dir.join(format!("training.sqlite3{suffix}"));
        match std::fs::remove_file(&legacy) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    match std::fs::remove_dir_all(crate::training::sandbox_dir(data_dir)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Starts the portal on the sandbox database and the simulator beside it. `pace`: time
/// between rounds of simulated citizens (`None`: quiet citizens; the bank still pays).
/// `clock`: the sandbox's "now" (the simulator and the TUI read it from the portal).
pub async fn start(
    data_dir: &Path,
    calendar: Calendar,
    pace: Option<Duration>,
    clock: Clock,
) -> Result<Sandbox, PortalError> {
    // A fresh secret per run: the gateway's notices can only come from this process.
    let secret = uuid::Uuid::new_v4().simple().to_string();
    let dir = crate::training::sandbox_dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(|source| PortalError::Database {
        database: portal::db::Database::Sqlite(dir.clone()),
        source: sqlx::Error::Io(source),
    })?;
    let options = portal::Options {
        bind: "127.0.0.1:0".parse().expect("a loopback address"),
        db: database(data_dir).into(),
        calendar,
        seed: portal::Seed::Demo,
        settings: portal::state::Settings {
            training: true,
            payment_secret: Some(secret.clone()),
            // The sandbox's notices are caught, shown to the trainee, never sent.
            notify: portal::notify::Settings {
                catch: true,
                lookup_url: TRAINING_LOOKUP.into(),
                ..Default::default()
            },
            ..Default::default()
        },
        clock,
    };
    let running = portal::start(options).await?;
    let url = format!("http://{}{}", running.addr, crate::api::BASE_PATH);
    let pages_url = format!("http://{}/", running.addr);
    let simulator = tokio::spawn(simulator::run(simulator::Settings {
        url: url.clone(),
        pace,
        payment_secret: secret,
        work_dir: dir.join("simulator"),
    }));
    let desk_link = crate::linksim::start(running.addr, crate::linksim::LinkSpec::default())
        .await
        .map_err(|e| PortalError::Bind {
            addr: running.addr,
            source: std::io::Error::other(e.to_string()),
        })?;
    let desk_url = format!("http://{}{}", desk_link.addr, crate::api::BASE_PATH);
    Ok(Sandbox {
        portal: running,
        url,
        pages_url,
        desk_url,
        desk_link,
        simulator,
    })
}

impl Sandbox {
    /// Takes the desk's link down (`true`: new connections refused, open ones cut) or
    /// brings it back.
    pub fn outage(&self) -> impl Fn(bool) + Send + Sync + 'static {
        let switch = self.desk_link.switch();
        move |down| switch.set_down(down)
    }

    /// Stops the simulator, then the portal (which finishes its requests first).
    pub async fn shutdown(self) -> Result<(), PortalError> {
        self.simulator.abort();
        let _ = self.simulator.await;
        self.portal.shutdown().await
    }
}
