//! Where attachments wait to be shown or opened: a folder of the user's (in the app's
//! data directory, else a private one in the system's temporary folder), readable by that
//! user alone, for these are citizens' papers. Each file sits in a folder named after its
//! SHA-256, so it is fetched once however often it is looked at; a file is checked again
//! before it is used. What has not been used for a day is removed, and the whole kept
//! under [`MAX_BYTES`], each time an attachment is fetched.

use crate::api::uploads::FileType;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A file not used for this long is removed.
pub const KEEP_FOR: Duration = Duration::from_secs(24 * 3600);
/// The most the folder holds; the least recently used go first.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;
/// The name a file is downloaded under in its folder, before it is checked and named.
pub const DOWNLOADING: &str = "download";

/// The folder of this user's attachments.
pub fn folder(data_dir: Option<&Path>) -> PathBuf {
    match data_dir {
        Some(dir) => dir.join("cache").join("attachments"),
        None => {
            let user = std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .unwrap_or_default();
            let user: String = user
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            std::env::temp_dir().join(format!("motcua-{user}-attachments"))
        }
    }
}

/// Makes the folder, readable and writable by its user alone.
pub fn prepare(folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// The folder of one file: its SHA-256, which must be 64 hex digits (it comes from the
/// portal, and a path is made of it).
pub fn entry(folder: &Path, sha256: &str) -> Option<PathBuf> {
    let ok = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| folder.join(sha256.to_ascii_lowercase()))
}

/// The name a file is kept under: the attachment's name without its folders, controls or
/// dots in front, shortened, and the extension of what the file holds (whatever the name
/// said: the system viewer chooses its program by the extension).
pub fn file_name(filename: &str, kind: FileType) -> String {
    let base = filename.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = match base.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => base,
    };
    let mut clean: String = stem
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '(' | ')'))
        .take(80)
        .collect();
    clean = clean.trim().to_owned();
    if clean.is_empty() || clean == DOWNLOADING || clean == "page" {
        clean = "tep-dinh-kem".to_owned();
    }
    let ext = match kind {
        FileType::Pdf => "pdf",
        FileType::Jpeg => "jpg",
        FileType::Png => "png",
    };
    format!("{clean}.{ext}")
}

/// The kept file of the folder `entry`, if there is one and it still hashes to
/// `sha256`: marked as used now. One that does not is removed.
pub fn find(entry: &Path, sha256: &str) -> Option<PathBuf> {
    for item in std::fs::read_dir(entry).ok()?.flatten() {
        let path = item.path();
        let name = item.file_name().to_string_lossy().into_owned();
        let ours = name.starts_with(DOWNLOADING) || name.starts_with("page");
        if ours || !path.is_file() {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if hex::encode(Sha256::digest(&bytes)).eq_ignore_ascii_case(sha256) {
            touch(entry);
            return Some(path);
        }
        let _ = std::fs::remove_file(&path);
    }
    None
}

/// Marks a file's folder as used now.
pub fn touch(entry: &Path) {
    if let Ok(dir) = std::fs::File::open(entry) {
        let _ = dir.set_modified(SystemTime::now());
    }
}

/// Removes the folders not used for [`KEEP_FOR`], then the least recently used until the
/// whole is under [`MAX_BYTES`]; never `keep` (the one in use).
pub fn clean(folder: &Path, keep: &Path, now: SystemTime) {
    let Ok(items) = std::fs::read_dir(folder) else {
        return;
    };
    let mut entries: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    for item in items.flatten() {
        let path = item.path();
        if path == keep || !path.is_dir() {
            continue;
        }
        let used = item
            .metadata()
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        if now.duration_since(used).unwrap_or_default() > KEEP_FOR {
            let _ = std::fs::remove_dir_all(&path);
            continue;
        }
        entries.push((used, size_of(&path), path));
    }
    let mut total: u64 = entries.iter().map(|e| e.1).sum::<u64>() + size_of(keep);
    entries.sort();
    for (_, size, path) in entries {
        if total <= MAX_BYTES {
            break;
        }
        if std::fs::remove_dir_all(&path).is_ok() {
            total = total.saturating_sub(size);
        }
    }
}

fn size_of(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|items| {
            items
                .flatten()
                .filter_map(|i| i.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_the_words_and_take_the_files_own_extension() {
        assert_eq!(
            file_name("Giấy khai sinh (bản sao).PDF", FileType::Pdf),
            "Giấy khai sinh (bản sao).pdf"
        );
        assert_eq!(file_name("../../.bashrc", FileType::Png), "bashrc.png");
        assert_eq!(file_name("C:\\x\\run.desktop", FileType::Jpeg), "run.jpg");
        assert_eq!(file_name("\u{202E}fdp.exe", FileType::Pdf), "fdp.pdf");
        assert_eq!(file_name("...", FileType::Pdf), "tep-dinh-kem.pdf");
        assert_eq!(file_name("download", FileType::Pdf), "tep-dinh-kem.pdf");
    }

    #[test]
    fn a_folder_is_named_only_by_a_sha256() {
        let root = Path::new("/c");
        assert_eq!(entry(root, "../../etc"), None);
        assert_eq!(entry(root, &"g".repeat(64)), None);
        assert_eq!(
            entry(root, &"AB".repeat(32)),
            Some(root.join("ab".repeat(32)))
        );
    }

    #[test]
    fn a_kept_file_is_found_only_while_it_is_whole() {
        let dir = tempfile::tempdir().unwrap();
        let sha = hex::encode(Sha256::digest(b"abc"));
        let e = entry(dir.path(), &sha).unwrap();
        std::fs::create_dir_all(&e).unwrap();
        std::fs::write(e.join(format!("{DOWNLOADING}.part")), b"ab").unwrap();
        assert_eq!(find(&e, &sha), None);
        std::fs::write(e.join("x.pdf"), b"abc").unwrap();
        assert_eq!(find(&e, &sha), Some(e.join("x.pdf")));
        std::fs::write(e.join("x.pdf"), b"abd").unwrap();
        assert_eq!(find(&e, &sha), None);
        assert!(!e.join("x.pdf").exists());
    }

    #[test]
    fn old_and_least_used_files_go() {
        let dir = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let make = |name: &str, age: u64, size: usize| {
            let e = dir.path().join(name);
            std::fs::create_dir_all(&e).unwrap();
            std::fs::write(e.join("f.pdf"), vec![0u8; size]).unwrap();
            let used = now - Duration::from_secs(age);
            std::fs::File::open(&e).unwrap().set_modified(used).unwrap();
            e
        };
        let old = make("old", 25 * 3600, 10);
        let keep = make("keep", 30 * 3600, 10);
        let a = make("a", 3600, 200 * 1024 * 1024);
        let b = make("b", 60, 100 * 1024 * 1024);
        clean(dir.path(), &keep, now);
        assert!(!old.exists(), "a day unused");
        assert!(keep.exists(), "in use");
        assert!(!a.exists(), "over the bound, and the least recently used");
        assert!(b.exists());
    }
}
