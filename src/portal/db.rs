//! Opening the database: SQLite in WAL mode (the embedded default) or PostgreSQL (what a
//! province runs), migrations embedded for each, one pool type (`AnyPool`) above.

use crate::domain::text::search_key;
use sqlx::ValueRef;
use sqlx::any::{AnyPoolOptions, AnyTypeInfo, AnyTypeInfoKind, AnyValueRef};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Any, AnyPool, ConnectOptions, Connection, Executor, Transaction};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Where the portal keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file; uploaded files live in `files/` beside it.
    Sqlite(PathBuf),
    /// A PostgreSQL database named by its URL (`postgres://user:password@host/db`);
    /// uploaded files live in `files`, a directory every portal process of the database
    /// shares.
    Postgres { url: String, files: PathBuf },
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Database {
        Database::Sqlite(path)
    }
}

impl Database {
    /// Where uploaded files are kept.
    pub fn files_dir(&self) -> PathBuf {
        match self {
            Database::Sqlite(path) => path
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join("files"),
            Database::Postgres { files, .. } => files.clone(),
        }
    }

    /// The SQLite file, for what only SQLite does (`motcua backup`).
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Database::Sqlite(path) => Some(path),
            Database::Postgres { .. } => None,
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Database::Sqlite(_) => Engine::Sqlite,
            Database::Postgres { .. } => Engine::Postgres,
        }
    }
}

/// What to show of a database in logs and errors: never a URL's password.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres { url, .. } => match url::Url::parse(url) {
                Ok(mut shown) => {
                    if shown.password().is_some() {
                        let _ = shown.set_password(Some("***"));
                    }
                    write!(f, "{shown}")
                }
                Err(_) => f.write_str("postgres://…"),
            },
        }
    }
}

/// The engine under a pool. The store's SQL is the same on both but for what one engine
/// lacks: the word index (FTS5 on SQLite, word prefixes and trigrams on PostgreSQL), the write lock, row
/// order by insertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn of(pool: &AnyPool) -> Engine {
        match pool.connect_options().database_url.scheme() {
            "postgres" | "postgresql" => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }

    pub fn of_connection(conn: &sqlx::AnyConnection) -> Engine {
        match conn.backend_name() {
            "PostgreSQL" => Engine::Postgres,
            _ => Engine::Sqlite,
        }
    }

    /// A column giving a table's rows in the order they were inserted: SQLite's rowid,
    /// or the identity column the PostgreSQL schema adds where the store needs one.
    pub fn insertion_order(self) -> &'static str {
        match self {
            Engine::Sqlite => "rowid",
            Engine::Postgres => "position",
        }
    }
}

/// Opens the database (creating an SQLite file if needed) and brings its schema up to
/// date.
pub async fn open(database: &Database) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    match database {
        Database::Sqlite(path) => open_sqlite(path).await,
        Database::Postgres { url, .. } => open_postgres(url).await,
    }
}

/// The pool is sqlx's `Any`: the store's code is written once, over `AnyPool`, for every
/// engine the portal serves. `Any` takes only a URL, which carries none of the settings
/// below, so they are set on each new connection instead; WAL, the one that lives in
/// the file, is set first on a connection of SQLite's own.
async fn open_sqlite(path: &Path) -> Result<AnyPool, sqlx::Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
    }
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

/// PostgreSQL: its own migrations (`migrations_pg`, the same schema in its dialect).
/// The database must sort text byte by byte (collation `C`): codes, due times and
/// cursors are compared as text, and a language's collation would order "Đ" or a
/// timestamp's digits differently from SQLite and from the cursors already given.
async fn open_postgres(url: &str) -> Result<AnyPool, sqlx::Error> {
    // One connection first: a pool retries until its timeout (30 s) and then says only
    // that it timed out; one connection fails at once and says why (refused, no such
    // database, a wrong password).
    sqlx::AnyConnection::connect(url).await?.close().await?;
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(POSTGRES_SETTINGS).await?;
                Ok(())
            })
        })
        .connect(url)
        .await?;
    let collation: String =
        sqlx::query_scalar("SELECT datcollate FROM pg_database WHERE datname = current_database()")
            .fetch_one(&pool)
            .await?;
    if collation != "C" && collation != "POSIX" {
        return Err(sqlx::Error::Configuration(
            format!(
                "the database sorts text by «{collation}»; motcua needs byte order: create it with \
                 `createdb -T template0 --lc-collate=C --lc-ctype=C.UTF-8 -E UTF8 …`"
            )
            .into(),
        ));
    }
    sqlx::migrate!("src/portal/migrations_pg")
        .run(&pool)
        .await?;
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

/// Each PostgreSQL connection's settings:
/// - `jit = off`: above an estimated cost PostgreSQL compiles a query to machine code
///   first, which takes hundreds of milliseconds; the portal's queries are short and
///   never win that back (a search counting a common word was estimated over the
///   threshold and took 0.4 s instead of a few milliseconds).
const POSTGRES_SETTINGS: &str = "SET jit = off";

/// A write transaction that takes the write lock at once. SQLite's default deferred
/// transaction would fail with "database is locked" when two of them try to upgrade from
/// reading to writing at the same time; taking the lock first makes them queue instead.
///
/// PostgreSQL locks rows, not the database, and several portal processes may share it;
/// the store was written for one writer at a time (a day's dossier counter, the feed's
/// sequence, a check then a write), so a write transaction there takes one advisory
/// lock, held to its end, that every writer of every process waits for: the same
/// order of writes as SQLite gives, across processes.
pub async fn write(pool: &AnyPool) -> Result<Transaction<'static, Any>, sqlx::Error> {
    match Engine::of(pool) {
        Engine::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Engine::Postgres => {
            let mut tx = pool.begin().await?;
            // The function answers `void`, which `Any` cannot decode: selected inside.
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// PostgreSQL: the pool whose connections hold the locks of uploads being written
/// (session advisory locks, one per upload, released when the chunk ends or with the
/// connection when a process dies). A chunk may take minutes on a slow link: holding a
/// connection of the main pool that long would starve every other request, so these
/// have their own, opened as needed. A lock wait ends after `wait` (`lock_timeout`).
pub fn upload_lock_pool(url: &str, wait: std::time::Duration) -> Result<AnyPool, sqlx::Error> {
    let setting = format!("SET lock_timeout = {}", wait.as_millis().max(1));
    AnyPoolOptions::new()
        .max_connections(UPLOAD_LOCK_CONNECTIONS)
        .min_connections(0)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .after_connect(move |conn, _| {
            let setting = setting.clone();
            Box::pin(async move {
                conn.execute(sqlx::AssertSqlSafe(setting)).await?;
                Ok(())
            })
        })
        .connect_lazy(url)
}

/// PostgreSQL: the connections the inbox's searches run on. The search is one statement
/// (src/portal/routes/dossiers.rs) whose planning costs about as much as running it
/// (0.4 ms each, EXPLAIN on 100,000 dossiers), and PostgreSQL plans a prepared statement
/// afresh on every execution while it thinks the values matter, as they never do here:
/// the index of word prefixes is the only way to the rows. These connections plan each
/// statement once (`plan_cache_mode = force_generic_plan`); the main pool's keep the
/// default, under which the queues' statements are planned for the statuses asked.
pub fn search_pool(url: &str) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(SEARCH_CONNECTIONS)
        .min_connections(0)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(POSTGRES_SETTINGS).await?;
                conn.execute("SET plan_cache_mode = force_generic_plan")
                    .await?;
                Ok(())
            })
        })
        .connect_lazy(url)
}

/// Searches one process runs at once on PostgreSQL.
pub const SEARCH_CONNECTIONS: u32 = 8;

/// Uploads one process writes at once on PostgreSQL; more wait for a connection (and
/// after 10 s are told to come back: 409 `upload_busy`). See docs/portal.md for the
/// server's `max_connections`.
pub const UPLOAD_LOCK_CONNECTIONS: u32 = 32;

/// The advisory lock key of the store's writers on PostgreSQL ("motcua" in ASCII).
const WRITE_LOCK: i64 = 0x6d6f_7463_7561;

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
/// as `sqlite:PATH` / `sqlite://PATH`, or a PostgreSQL URL (`postgres://…` or
/// `postgresql://…`). Any other URL (`mysql://…`) names an engine this portal does not
/// serve: it is refused with the forms it takes, instead of becoming a folder called
/// `mysql:` with an SQLite file inside. A PostgreSQL database's uploaded files go to
/// `files` (the caller's `--files`, or a default).
pub fn database(arg: &str) -> Result<DatabaseArg, String> {
    if arg.starts_with("postgres://") || arg.starts_with("postgresql://") {
        url::Url::parse(arg).map_err(|e| {
            format!("--db: địa chỉ PostgreSQL không hợp lệ / not a valid PostgreSQL URL: {e}")
        })?;
        return Ok(DatabaseArg::Postgres(arg.to_owned()));
    }
    let plain = arg
        .strip_prefix("sqlite://")
        .or_else(|| arg.strip_prefix("sqlite:"));
    if let Some(path) = plain {
        if path.is_empty() {
            return Err(format!(
                "--db «{arg}»: thiếu đường dẫn tệp / the file path is missing"
            ));
        }
        return Ok(DatabaseArg::Sqlite(PathBuf::from(path)));
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
            "--db «{arg}»: cổng này không phục vụ cơ sở dữ liệu «{scheme}»; hãy dùng một tệp SQLite \
             hoặc PostgreSQL, ví dụ --db /var/lib/motcua/portal.sqlite3 hoặc \
             --db postgres://motcua@localhost/motcua / \
             this portal does not serve «{scheme}» databases; give an SQLite file or a PostgreSQL \
             URL, e.g. --db /var/lib/motcua/portal.sqlite3 or --db postgres://motcua@localhost/motcua"
        )),
        None if arg.trim().is_empty() => {
            Err("--db: thiếu đường dẫn tệp / the file path is missing".to_owned())
        }
        None => Ok(DatabaseArg::Sqlite(PathBuf::from(arg))),
    }
}

/// `--db` as given, before the files directory of a PostgreSQL database is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseArg {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseArg {
    /// The database, with `files` as a PostgreSQL database's files directory.
    pub fn with_files(self, files: impl FnOnce() -> PathBuf) -> Database {
        match self {
            DatabaseArg::Sqlite(path) => Database::Sqlite(path),
            DatabaseArg::Postgres(url) => Database::Postgres {
                url,
                files: files(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Database, DatabaseArg, Flag, database, open};
    use std::path::PathBuf;

    /// `Any` opens SQLite from a URL, which carries none of the portal's settings: each
    /// connection of the pool must have them all the same.
    #[tokio::test]
    async fn every_connection_has_the_sqlite_settings() {
        let dir = tempfile::tempdir().unwrap();
        let pool = open(&dir.path().join("p.sqlite3").into()).await.unwrap();
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
            assert_eq!(
                database(arg),
                Ok(DatabaseArg::Sqlite(PathBuf::from(path))),
                "{arg}"
            );
        }
    }

    #[test]
    fn postgres_urls_are_taken_and_shown_without_their_password() {
        for arg in [
            "postgres://motcua@localhost/motcua",
            "postgresql://x:secret@db.tinh.gov.vn:5433/motcua?sslmode=require",
        ] {
            assert_eq!(database(arg), Ok(DatabaseArg::Postgres(arg.to_owned())));
        }
        let db = database("postgres://motcua:hunter2@db/motcua")
            .unwrap()
            .with_files(|| PathBuf::from("/srv/files"));
        assert_eq!(db.files_dir(), PathBuf::from("/srv/files"));
        assert_eq!(db.to_string(), "postgres://motcua:***@db/motcua");
        assert!(database("postgres://[::1").is_err());
    }

    #[test]
    fn other_engines_are_refused_with_the_forms_taken() {
        for arg in ["mysql://a/b", "mssql://c/d"] {
            let e = database(arg).unwrap_err();
            assert!(e.contains("--db /var/lib/motcua/portal.sqlite3"), "{e}");
            assert!(e.contains("--db postgres://"), "{e}");
            assert!(e.contains(arg.split(':').next().unwrap()), "{e}");
        }
        assert!(database("sqlite://").is_err());
        assert!(database("  ").is_err());
        let file = Database::from(PathBuf::from("/var/lib/motcua/portal.sqlite3"));
        assert_eq!(file.files_dir(), PathBuf::from("/var/lib/motcua/files"));
    }
}
