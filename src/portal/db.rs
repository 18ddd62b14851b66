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
