//! `motcua backup`: a consistent copy of the embedded database while the portal runs.
//!
//! SQLite's `VACUUM INTO` writes the whole database as one read transaction sees it, so
//! the copy is a single instant of the portal even with desks writing meanwhile (WAL mode
//! lets the writers go on). The copy is written under a temporary name beside the target
//! and linked to the target's name only when complete and checked, so a backup cut short
//! never looks like one, and a file already at the target is never replaced. The source
//! is opened read-only and never migrated: backing up an older portal's file leaves it
//! as it was.

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a finished backup holds, as read back from the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    pub dossiers: i64,
    pub citizens: i64,
}

/// Why a backup was not made; each says what to do, in both languages.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "không có cơ sở dữ liệu tại {0}: kiểm tra --db / there is no database at {0}: check --db"
    )]
    NoSource(PathBuf),
    #[error(
        "{0} đã có: chọn tên tệp khác, bản sao cũ không bị ghi đè / {0} exists: choose another \
         name; an earlier backup is never overwritten"
    )]
    TargetExists(PathBuf),
    #[error(
        "bản sao {0} không đạt kiểm tra toàn vẹn ({1}); đã xoá, hãy chạy lại / the copy {0} \
         failed its integrity check ({1}); it was removed, run the backup again"
    )]
    Corrupt(PathBuf, String),
    #[error("sao lưu thất bại / the backup failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("sao lưu thất bại / the backup failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Copies the database at `source` to `target` (a new file) and checks the copy.
pub async fn backup(source: &Path, target: &Path) -> Result<Backup, BackupError> {
    if !source.is_file() {
        return Err(BackupError::NoSource(source.to_owned()));
    }
    if target.exists() {
        return Err(BackupError::TargetExists(target.to_owned()));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let partial = partial_path(target);
    // A copy left by a backup that was killed: never a backup, so it goes.
    let _ = std::fs::remove_file(&partial);
    let mut conn = SqliteConnectOptions::new()
        .filename(source)
        .read_only(true)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await?;
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(partial.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await;
    conn.close().await?;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e.into());
    }
    match check(&partial).await {
        Ok((dossiers, citizens)) => {
            // A link, not a rename: a rename would replace a file that appeared at the
            // target while the copy was made; a link fails, and the copy goes.
            match std::fs::hard_link(&partial, target) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&partial);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists || target.exists() => {
                    let _ = std::fs::remove_file(&partial);
                    return Err(BackupError::TargetExists(target.to_owned()));
                }
                // A file system without hard links (a FAT memory stick): the target was
                // just seen absent; a rename is the best that is left.
                Err(_) => std::fs::rename(&partial, target)?,
            }
            Ok(Backup {
                path: target.to_owned(),
                bytes: std::fs::metadata(target)?.len(),
                dossiers,
                citizens,
            })
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// The copy's integrity check, and what it holds.
async fn check(copy: &Path) -> Result<(i64, i64), BackupError> {
    let mut conn = SqliteConnectOptions::new()
        .filename(copy)
        .read_only(true)
        .connect()
        .await?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    if verdict != "ok" {
        return Err(BackupError::Corrupt(copy.to_owned(), verdict));
    }
    let dossiers = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&mut conn)
        .await?;
    let citizens = sqlx::query_scalar("SELECT COUNT(*) FROM citizens")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok((dossiers, citizens))
}

/// Where the copy is written until it is whole: beside the target, so the rename stays
/// on one file system.
fn partial_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    target.with_file_name(name)
}
