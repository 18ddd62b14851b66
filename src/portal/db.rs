//! Opening the database: SQLite in WAL mode, foreign keys on, migrations embedded.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// How much of the database file is memory-mapped: 1 GiB covers a large ward's years.
const MMAP_SIZE: u64 = 1 << 30;

/// Opens (creating if needed) the database at `path` and brings its schema up to date.
pub async fn open(path: &Path) -> Result<SqlitePool, sqlx::Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
    }
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // NORMAL in WAL mode: a power cut may lose the last commits, never corrupt.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // Reads straight from the memory-mapped file instead of copying each page into
        // a buffer of every connection's cache: the inbox list's index pages are read
        // by every request, and the copies (a system call and an allocation each) were a
        // fifth of the list's cost. Virtual memory only; the kernel shares the pages.
        .pragma("mmap_size", MMAP_SIZE.to_string());
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("src/portal/migrations").run(&pool).await?;
    Ok(pool)
}

/// A write transaction that takes the write lock at once. SQLite's default deferred
/// transaction would fail with "database is locked" when two of them try to upgrade from
/// reading to writing at the same time; taking the lock first makes them queue instead.
pub async fn write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// Where `--db` points: a file path for the embedded SQLite database, written plainly or
/// as `sqlite:PATH` / `sqlite://PATH`. Any other URL (`postgres://…`, `mysql://…`) names
/// an engine this portal does not serve: it is refused with the forms it takes, instead
/// of becoming a folder called `postgres:` with an SQLite file inside.
pub fn database_path(arg: &str) -> Result<std::path::PathBuf, String> {
    let plain = arg
        .strip_prefix("sqlite://")
        .or_else(|| arg.strip_prefix("sqlite:"));
    if let Some(path) = plain {
        if path.is_empty() {
            return Err(format!(
                "--db «{arg}»: thiếu đường dẫn tệp / the file path is missing"
            ));
        }
        return Ok(std::path::PathBuf::from(path));
    }
    // A scheme is letters, digits, `+`, `-`, `.` before a colon, and longer than one
    // letter (so `C:\…` stays a Windows path).
    let scheme = arg.split_once(':').map(|(s, _)| s).filter(|s| {
        s.len() > 1
            && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    match scheme {
        Some(scheme) => Err(format!(
            "--db «{arg}»: cổng này chưa phục vụ cơ sở dữ liệu «{scheme}»; hãy dùng một tệp SQLite, \
             ví dụ --db /var/lib/motcua/portal.sqlite3 hoặc --db sqlite:///var/lib/motcua/portal.sqlite3 / \
             this portal does not serve «{scheme}» databases; give an SQLite file, e.g. \
             --db /var/lib/motcua/portal.sqlite3 or --db sqlite:///var/lib/motcua/portal.sqlite3"
        )),
        None if arg.trim().is_empty() => {
            Err("--db: thiếu đường dẫn tệp / the file path is missing".to_owned())
        }
        None => Ok(std::path::PathBuf::from(arg)),
    }
}

#[cfg(test)]
mod tests {
    use super::database_path;
    use std::path::PathBuf;

    #[test]
    fn paths_and_sqlite_urls_are_taken() {
        for (arg, path) in [
            ("portal.sqlite3", "portal.sqlite3"),
            (
                "/var/lib/motcua/portal.sqlite3",
                "/var/lib/motcua/portal.sqlite3",
            ),
            ("sqlite:///var/lib/p.sqlite3", "/var/lib/p.sqlite3"),
            ("sqlite:p.sqlite3", "p.sqlite3"),
            ("C:\\motcua\\portal.sqlite3", "C:\\motcua\\portal.sqlite3"),
            ("./data:2026/p.sqlite3", "./data:2026/p.sqlite3"),
        ] {
            assert_eq!(database_path(arg), Ok(PathBuf::from(path)), "{arg}");
        }
    }

    #[test]
    fn other_engines_are_refused_with_the_forms_taken() {
        for arg in [
            "postgres://motcua@localhost/motcua",
            "postgresql://x/y",
            "mysql://a/b",
        ] {
            let e = database_path(arg).unwrap_err();
            assert!(e.contains("--db /var/lib/motcua/portal.sqlite3"), "{e}");
            assert!(e.contains(arg.split(':').next().unwrap()), "{e}");
        }
        assert!(database_path("sqlite://").is_err());
        assert!(database_path("  ").is_err());
    }
}
