//! Opening the database: SQLite in WAL mode, foreign keys on, migrations embedded.

use crate::domain::text::search_key;
use sqlx::ValueRef;
use sqlx::any::{AnyPoolOptions, AnyTypeInfo, AnyTypeInfoKind, AnyValueRef};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Any, AnyPool, ConnectOptions, Connection, Executor, Transaction};
use std::path::Path;
use std::str::FromStr;

/// Opens (creating if needed) the database at `path` and brings its schema up to date.
///
/// The pool is sqlx's `Any`: the store's code is written once, over `AnyPool`, for every
/// engine the portal serves. `Any` takes only a URL, which carries none of the settings
/// below, so they are set on each new connection instead; WAL, the one that lives in
/// the file, is set first on a connection of SQLite's own.
pub async fn open(path: &Path) -> Result<AnyPool, sqlx::Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
    }
    sqlx::any::install_default_drivers();
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    options.connect().await?.close().await?;
    let pool = AnyPoolOptions::new()
        .max_connections(8)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(SQLITE_SETTINGS).await?;
                Ok(())
            })
        })
        .connect(options.to_url_lossy().as_str())
        .await?;
    sqlx::migrate!("src/portal/migrations").run(&pool).await?;
    rekey_citizens(&pool).await?;
    Ok(pool)
}

/// Citizens created before the word index had their folded text as their search key,
/// punctuation and all ("h’hen nie"), where every other key holds only its words
/// ("h hen nie"): the index would take "h’hen" for one word, and "hen" would no longer
/// find what the matcher finds. SQL cannot fold, so the keys are rewritten here, once:
/// only a key holding something besides lower-case ASCII letters, digits and spaces is
/// read, and only a key that changes is written (its trigger re-indexes it).
async fn rekey_citizens(pool: &AnyPool) -> Result<(), sqlx::Error> {
    let odd: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, search_key FROM citizens WHERE search_key GLOB '*[^ 0-9a-z]*'")
            .fetch_all(pool)
            .await?;
    for (id, key) in odd {
        let words = search_key(&key);
        if words != key {
            sqlx::query("UPDATE citizens SET search_key = $1 WHERE id = $2")
                .bind(words)
                .bind(id)
                .execute(pool)
                .await?;
        }
    }
    Ok(())
}

/// Each SQLite connection's settings:
/// - `foreign_keys`: SQLite checks references only when asked, connection by connection.
/// - `busy_timeout`: how long a connection waits for another's write lock before it
///   gives up, 10 s.
/// - `synchronous = NORMAL` in WAL mode: a power cut may lose the last commits, never
///   corrupt.
/// - `mmap_size`: reads straight from the memory-mapped file instead of copying each
///   page into every connection's cache: the inbox list's index pages are read by every
///   request, and the copies (a system call and an allocation each) were a fifth of the
///   list's cost. Virtual memory only; the kernel shares the pages. 1 GiB covers a large
///   ward's years.
const SQLITE_SETTINGS: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
     PRAGMA synchronous = NORMAL; PRAGMA mmap_size = 1073741824;";

/// A write transaction that takes the write lock at once. SQLite's default deferred
/// transaction would fail with "database is locked" when two of them try to upgrade from
/// reading to writing at the same time; taking the lock first makes them queue instead.
pub async fn write(pool: &AnyPool) -> Result<Transaction<'static, Any>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// A yes or no read from the database. SQLite has no boolean type (a flag column or an
/// `EXISTS` is the integer 0 or 1) and PostgreSQL has one; through `Any`, `bool` decodes
/// only the latter, so a row's yes/no is read as a `Flag` and turned into `bool`
/// (`#[sqlx(try_from = "Flag")]`, or `.0` on a scalar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl sqlx::Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <i64 as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        ty.kind() == AnyTypeInfoKind::Bool || ty.kind().is_integer()
    }
}

impl<'r> sqlx::Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        if value.type_info().kind() == AnyTypeInfoKind::Bool {
            <bool as sqlx::Decode<Any>>::decode(value).map(Flag)
        } else {
            <i64 as sqlx::Decode<Any>>::decode(value).map(|n| Flag(n != 0))
        }
    }
}

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
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
    use super::{Flag, database_path, open};
    use std::path::PathBuf;

    /// `Any` opens SQLite from a URL, which carries none of the portal's settings: each
    /// connection of the pool must have them all the same.
    #[tokio::test]
    async fn every_connection_has_the_sqlite_settings() {
        let dir = tempfile::tempdir().unwrap();
        let pool = open(&dir.path().join("p.sqlite3")).await.unwrap();
        let mut held = Vec::new();
        for _ in 0..3 {
            let mut conn = pool.acquire().await.unwrap();
            let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(journal, "wal");
            for (pragma, want) in [
                ("foreign_keys", 1),
                ("busy_timeout", 10_000),
                ("synchronous", 1),
                ("mmap_size", 1 << 30),
            ] {
                let got: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("PRAGMA {pragma}")))
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                assert_eq!(got, want, "{pragma}");
            }
            held.push(conn);
        }
        // A yes/no reads as a Flag whichever way the engine gives it.
        let yes: Flag = sqlx::query_scalar("SELECT 1 = 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        let no: Flag = sqlx::query_scalar("SELECT EXISTS (SELECT 1 WHERE 0)")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!((yes, no), (Flag(true), Flag(false)));
    }

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
