//! One real `motcua` in its own tmux server (`-L`), HOME and config, driven by
//! keystrokes; waits poll the screen until the expected text appears (bounded), never a
//! blind sleep.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const WAIT: Duration = Duration::from_secs(30);

/// One app in one tmux server, killed when dropped (also when a test fails).
pub struct Screen {
    pub socket: String,
    pub home: tempfile::TempDir,
    command: String,
}

impl Screen {
    /// Starts `motcua --config <file>` in a 120×32 terminal, against `base`.
    pub fn start(name: &str, base: &str, extra_config: &str) -> Screen {
        require_tmux();
        let home = tempfile::tempdir().unwrap();
        let config = home.path().join("motcua.toml");
        std::fs::write(
            &config,
            format!("[[profile]]\nname = \"Thử nghiệm\"\nurl = \"{base}\"\n\n[tui]\npoll_seconds = 1\n{extra_config}"),
        )
        .unwrap();
        let command = format!(
            "HOME={} XDG_DATA_HOME= XDG_CONFIG_HOME= {} --config {}",
            home.path().display(),
            env!("CARGO_BIN_EXE_motcua"),
            config.display()
        );
        Screen::launch(name, home, command)
    }

    /// Starts `motcua training --pace 0` in a 120×34 terminal: the sandbox portal
    /// in-process, its simulated citizens quiet (the simulated bank still pays a VietQR
    /// code shown at the desk). HOME and the XDG data and config directories are in a
    /// fresh temporary directory, so every call seeds a sandbox of its own.
    /// Under `MOTCUA_TEST_NOW` (see `super::TEST_NOW`) the sandbox starts its
    /// clock there too (`--now`), like every test portal.
    pub fn start_training(name: &str) -> Screen {
        match std::env::var(super::TEST_NOW) {
            Ok(now) if !now.trim().is_empty() => {
                Screen::start_training_with(name, &format!("--now {}", now.trim()))
            }
            _ => Screen::start_training_with(name, ""),
        }
    }

    /// As [`Screen::start_training`], with more arguments for `motcua training`.
    pub fn start_training_with(name: &str, args: &str) -> Screen {
        require_tmux();
        let home = tempfile::tempdir().unwrap();
        let (data, config) = (home.path().join("data"), home.path().join("config"));
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&config).unwrap();
        let command = format!(
            "HOME={} XDG_DATA_HOME={} XDG_CONFIG_HOME={} {} training --pace 0 {args}",
            home.path().display(),
            data.display(),
            config.display(),
            env!("CARGO_BIN_EXE_motcua"),
        );
        let screen = Screen::launch(name, home, command);
        // Three rows more than the desk's tests: the exercises screen lists all fifteen
        // exercises with the selected one's task below only from 29 rows inside its frame.
        screen.resize(120, 35);
        screen
    }

    /// `command` in a new 120×32 tmux server of its own, named after `name`.
    fn launch(name: &str, home: tempfile::TempDir, command: String) -> Screen {
        let socket = format!("motcua-e2e-{name}-{}", std::process::id());
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-s",
                "app",
                "-x",
                "120",
                "-y",
                "32",
            ])
            .arg(&command)
            .status()
            .unwrap();
        assert!(status.success(), "tmux new-session failed");
        // A killed app leaves its pane for `respawn-pane` (see `kill_and_restart`).
        let _ = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "set-option",
                "-t",
                "app",
                "remain-on-exit",
                "on",
            ])
            .status();
        Screen {
            socket,
            home,
            command,
        }
    }

    /// Resizes the terminal, as a user dragging the window's corner.
    pub fn resize(&self, width: u16, height: u16) {
        self.tmux(&[
            "resize-window",
            "-t",
            "app",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ]);
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Keys by tmux name (`Enter`, `Tab`, `Down`, `Escape`…).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "app"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Text, typed literally.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "app", "-l", text]);
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-t", "app", "-p"])
    }

    /// Waits until `check` holds for the screen; panics with the screen after [`WAIT`].
    pub async fn until(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            if start.elapsed() > WAIT {
                panic!("timed out waiting for {what}; the screen:\n{screen}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn wait_for(&self, text: &str) -> String {
        self.until(&format!("{text:?}"), |s| s.contains(text)).await
    }

    /// From the inbox: the citizens pane, Ctrl-N, the account form filled for Phạm Thị
    /// Mỹ Duyên (female, born 21/09/1991) with `number`, and Enter on the last field.
    /// The caller waits for what it expects (the slip, or the reason it was refused).
    pub async fn create_citizen(&self, number: &str) {
        self.keys(&["3"]);
        self.wait_for("Tìm công dân").await;
        self.keys(&["C-n"]);
        self.wait_for("Tạo tài khoản công dân").await;
        for (text, next) in [
            (number, "Tab"),
            ("Phạm Thị Mỹ Duyên", "Tab"),
            ("21/09/1991", "Tab"),
        ] {
            self.type_text(text);
            self.keys(&[next]);
        }
        self.keys(&["Right", "Tab"]);
        self.type_text("0912 345 678");
        self.keys(&["Tab", "Tab"]);
        self.type_text("Số 7 đường Đồng Khởi, Phường An Hội, Bến Tre");
        self.keys(&["Enter"]);
    }

    pub async fn log_in(&self, username: &str, password: &str) {
        self.wait_for("Tên đăng nhập").await;
        self.type_text(username);
        self.keys(&["Tab"]);
        self.type_text(password);
        self.keys(&["Enter"]);
    }

    /// Every file under the app's HOME, with its bytes.
    pub fn files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        pub fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    out.push((path, bytes));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.home.path(), &mut out);
        out
    }

    /// How many numbers the desk holds on disk for intake with the link down (the
    /// status bar says so only while the link is down).
    pub fn held_codes(&self) -> usize {
        self.files()
            .into_iter()
            .filter(|(p, _)| p.ends_with("held-codes.json"))
            .filter_map(|(_, b)| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .map(|v| v["codes"].as_array().map_or(0, Vec::len))
            .sum()
    }
}

fn require_tmux() {
    assert!(
        Command::new("tmux").arg("-V").output().is_ok(),
        "tmux is not installed: the end-to-end tests need it (apt-get install tmux)"
    );
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

impl Screen {
    /// Waits until a file in the app's drafts directory holds `text` (drafts are written
    /// on the blocking pool, a moment after the key that changed them).
    pub async fn draft_holds(&self, text: &str) {
        let drafts = self.home.path().join(".local/share/motcua/drafts");
        let start = std::time::Instant::now();
        loop {
            let found = std::fs::read_dir(&drafts)
                .into_iter()
                .flatten()
                .flatten()
                .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(text)));
            if found {
                return;
            }
            assert!(
                start.elapsed() < WAIT,
                "no draft holding {text:?} in {drafts:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Kills the app with SIGKILL (no chance to save anything) and starts it again in the
    /// same terminal, with the same HOME and config.
    pub fn kill_and_restart(&self) {
        // The pane's process (the shell running the app, or the app itself) and its
        // children; not by name: the tmux server's own command line has the same words.
        let pid = self
            .tmux(&["display-message", "-p", "-t", "app", "#{pane_pid}"])
            .trim()
            .to_owned();
        assert!(!pid.is_empty(), "no pane process");
        let _ = Command::new("pkill").args(["-9", "-P", &pid]).status();
        let status = Command::new("kill").args(["-9", &pid]).status().unwrap();
        assert!(status.success(), "could not kill {pid}");
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "respawn-pane", "-k", "-t", "app"])
            .arg(&self.command)
            .status()
            .unwrap();
        assert!(status.success(), "tmux respawn-pane failed");
    }
}
