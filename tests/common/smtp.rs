//! A real SMTP server for the notification tests: Python's aiosmtpd
//! (`tests/common/smtp_server.py`) in a virtual environment of its own, `target/py-smtp`,
//! made on first use (`.ci/run` makes it beforehand). `MOTCUA_SMTP_PYTHON` names another
//! Python that has aiosmtpd.
//!
//! The server prints a JSON line per event; [`SmtpServer::next`] awaits the next one, so a
//! test waits for a message to arrive, never for a time to pass.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::mpsc;

/// The version the tests are written against.
const AIOSMTPD: &str = "aiosmtpd==1.4.6";

/// How long any one wait may take before the test gives up.
pub const PATIENCE: Duration = Duration::from_secs(60);

fn has_aiosmtpd(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A Python with aiosmtpd: `MOTCUA_SMTP_PYTHON`, else `target/py-smtp`, made here if
/// missing (in a directory of its own, then renamed, so that test processes running at
/// once never see half of one).
pub fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            if let Some(p) = std::env::var_os("MOTCUA_SMTP_PYTHON").filter(|p| !p.is_empty()) {
                return PathBuf::from(p);
            }
            let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
            let venv = target.join("py-smtp");
            let python = venv.join("bin/python");
            if has_aiosmtpd(&python) {
                return python;
            }
            let staging = target.join(format!("py-smtp.{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&staging);
            let made = Command::new("python3")
                .arg("-m")
                .arg("venv")
                .arg(&staging)
                .status()
                .is_ok_and(|s| s.success())
                && Command::new(staging.join("bin/pip"))
                    .args(["install", "--quiet", AIOSMTPD])
                    .status()
                    .is_ok_and(|s| s.success());
            assert!(
                made,
                "the SMTP tests need Python 3 with venv and pip, and {AIOSMTPD} from PyPI: \
                 `python3 -m venv target/py-smtp && target/py-smtp/bin/pip install {AIOSMTPD}`, \
                 or set MOTCUA_SMTP_PYTHON (.ci/run does it)"
            );
            // Another test process may have won the race: theirs is as good as ours.
            if std::fs::rename(&staging, &venv).is_err() {
                let _ = std::fs::remove_dir_all(&staging);
            }
            assert!(
                has_aiosmtpd(&python),
                "{} has no aiosmtpd",
                python.display()
            );
            python
        })
        .clone()
}

/// A running SMTP server (a child process, killed when dropped).
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    events: mpsc::UnboundedReceiver<Value>,
}

impl SmtpServer {
    /// A server on `port` (0: any free one) with the script's options (`--hold`,
    /// `--reject TEXT`, `--auth U:P`); returns once it listens.
    pub async fn start(port: u16, options: &[&str]) -> SmtpServer {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common/smtp_server.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg("--port")
            .arg(port.to_string())
            .args(options)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the SMTP server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, mut events) = mpsc::unbounded_channel();
        // Reads to the end, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match serde_json::from_str::<Value>(&line) {
                    Ok(v) => {
                        if tx.send(v).is_err() {
                            break;
                        }
                    }
                    Err(_) => eprintln!("smtp server: {line}"),
                }
            }
        });
        let first = tokio::time::timeout(PATIENCE, events.recv())
            .await
            .expect("the SMTP server listens in time")
            .expect("the SMTP server exited before listening");
        assert_eq!(first["event"], "listening", "{first}");
        SmtpServer {
            child,
            port: first["port"].as_u64().expect("a port") as u16,
            events,
        }
    }

    /// The next event (`message`, `connected`), awaited.
    pub async fn next(&mut self) -> Value {
        tokio::time::timeout(PATIENCE, self.events.recv())
            .await
            .expect("the SMTP server's next event in time")
            .expect("the SMTP server is running")
    }

    /// The next `n` messages, in the order they came.
    pub async fn messages(&mut self, n: usize) -> Vec<Value> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let e = self.next().await;
            if e["event"] == "message" {
                out.push(e);
            }
        }
        out
    }

    /// The events that have arrived and not been read yet.
    pub fn pending(&mut self) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(e) = self.events.try_recv() {
            out.push(e);
        }
        out
    }

    /// Kills the server (the port is free again once this returns).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A loopback port nothing listens on now (the system picks it; the listener is closed).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
