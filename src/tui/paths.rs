//! The file system as the path fields see it: `~/` expanded, Tab completion, the size of
//! a file to attach. The runtime calls these for `Effect::CompletePath` and
//! `Effect::CheckFile`, so that `update` reads no disk.

use std::path::Path;

/// `~/…` under the home directory (when it is known); anything else as typed.
pub fn expand_home(path: &str) -> String {
    if let Some(rest) = path.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return format!("{}/{rest}", home.to_string_lossy());
    }
    path.to_owned()
}

/// Path completion as shells do it: the longest common start of the entries that
/// begin with what is typed (directories end with `/`).
pub fn complete_path(typed: &str) -> String {
    let expanded = expand_home(typed);
    let (dir, stem) = match expanded.rfind('/') {
        Some(i) => (&expanded[..=i], &expanded[i + 1..]),
        None => ("", expanded.as_str()),
    };
    let read = if dir.is_empty() { "." } else { dir };
    let Ok(entries) = std::fs::read_dir(read) else {
        return typed.to_owned();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(stem) || (stem.is_empty() && name.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            Some(if is_dir { format!("{name}/") } else { name })
        })
        .collect();
    names.sort();
    let Some(first) = names.first() else {
        return typed.to_owned();
    };
    let mut common = first.clone();
    for name in &names[1..] {
        while !name.starts_with(&common) {
            common.pop();
        }
    }
    if common.len() < stem.len() {
        return typed.to_owned();
    }
    format!("{dir}{common}")
}

/// The size of a file worth attaching: `None` when it is missing, unreadable, a
/// directory, or empty.
pub fn attachable_size(path: &Path) -> Option<u64> {
    std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .filter(|n| *n > 0)
}

pub use crate::tui::documents::SCANNER;

/// Scans one page with SANE's `scanimage` into a new PNG file under `dir` (the data
/// directory's `scans/`), for `Effect::Scan`: the file to attach, or why there is none.
/// The scanner is the one `scanimage` picks (the first it finds, or `SANE_DEFAULT_DEVICE`).
pub fn scan(dir: &Path) -> Result<std::path::PathBuf, crate::tui::action::ScanProblem> {
    use crate::tui::action::ScanProblem;
    let output = std::process::Command::new(SCANNER)
        .args(["--format=png", "--resolution", "200"])
        .stdin(std::process::Stdio::null())
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ScanProblem::NoScanner),
        Err(e) => return Err(ScanProblem::Broken(e.kind())),
    };
    if !output.status.success() || output.stdout.is_empty() {
        let said = String::from_utf8_lossy(&output.stderr)
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        return Err(ScanProblem::Refused(said));
    }
    std::fs::create_dir_all(dir).map_err(|e| ScanProblem::Broken(e.kind()))?;
    // Named by the time, to the millisecond: a second scan never overwrites the first.
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let path = dir.join(format!("scan-{ms}.png"));
    std::fs::write(&path, &output.stdout).map_err(|e| ScanProblem::Broken(e.kind()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_takes_the_common_start_and_marks_directories() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("giay-chung-sinh.pdf"), b"%PDF").unwrap();
        std::fs::write(dir.path().join("giay-to-tuy-than.jpg"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("scan")).unwrap();
        let base = dir.path().display().to_string();
        let complete = |typed: &str| complete_path(&format!("{base}/{typed}"));
        assert_eq!(complete("gi"), format!("{base}/giay-"));
        assert_eq!(complete("giay-c"), format!("{base}/giay-chung-sinh.pdf"));
        assert_eq!(complete("sc"), format!("{base}/scan/"));
        assert_eq!(complete("zz"), format!("{base}/zz"));
    }

    #[test]
    fn only_a_file_with_content_can_be_attached() {
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("a.pdf");
        std::fs::write(&full, b"%PDF-1.4").unwrap();
        std::fs::write(dir.path().join("empty.pdf"), b"").unwrap();
        assert_eq!(attachable_size(&full), Some(8));
        assert_eq!(attachable_size(&dir.path().join("empty.pdf")), None);
        assert_eq!(attachable_size(&dir.path().join("missing.pdf")), None);
        assert_eq!(attachable_size(dir.path()), None);
    }
}
