//! The training course: the guided exercises and their judge (pure), and the simulator
//! that plays the sandbox's citizens and bank over HTTP. Depends on `api`, `domain` and
//! `client`; the TUI reads the exercises from here, and `sandbox` runs the simulator.

pub mod exercises;
pub mod simulator;

use std::path::{Path, PathBuf};

/// Where a sandbox lives inside the data directory.
pub fn sandbox_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("training")
}

/// The trainee's saved progress (hints taken, quiz answers, mistakes caught before they
/// reached the portal); the rest of the progress is read from the sandbox's journal.
pub fn progress_path(data_dir: &Path) -> PathBuf {
    sandbox_dir(data_dir).join("progress.json")
}
