//! What the app remembers between runs that is not a secret: the last username per
//! profile (`tui-state.toml` in the data directory). Passwords and tokens never go here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Memory {
    #[serde(default)]
    pub last_username: BTreeMap<String, String>,
}

impl Memory {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("tui-state.toml")
    }

    /// What was remembered; nothing when the file is missing or unreadable (it only
    /// saves typing).
    pub fn load(data_dir: &Path) -> Memory {
        std::fs::read_to_string(Memory::path(data_dir))
            .ok()
            .and_then(|t| toml::from_str(&t).ok())
            .unwrap_or_default()
    }

    /// Writes through a temporary file, so a crash never leaves half a file.
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let text = toml::to_string(self).map_err(std::io::Error::other)?;
        let tmp = data_dir.join("tui-state.toml.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(tmp, Memory::path(data_dir))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_usernames_across_runs() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Memory::load(dir.path()), Memory::default());
        let mut m = Memory::default();
        m.last_username.insert("Đào tạo".into(), "tiepnhan1".into());
        m.save(dir.path()).unwrap();
        assert_eq!(Memory::load(dir.path()), m);
    }
}
