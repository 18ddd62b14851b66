//! `motcua migrate`: a ward's SQLite portal moved onto PostgreSQL, when it grows into a
//! province's.
//!
//! The source file is opened read-only and never migrated, as `motcua backup` opens it,
//! and read in one read transaction: every table as of one instant. It must be at this
//! binary's schema (every migration of `migrations/` applied): the PostgreSQL schema
//! (`migrations_pg/`) is the twin of exactly that one. The target is opened as the
//! portal opens it (its schema made, its collation checked) and must be new and empty.
//!
//! Every table is copied inside ONE PostgreSQL transaction, parents first, in multi-row
//! INSERTs with the column list read from the SQLite table, then checked: per table,
//! the row count and a SHA-256 over the rows read back from both databases. Only when
//! every table agrees are the identity sequences set past the copied ids and the
//! transaction committed; on any difference nothing is written at all.
//!
//! Uploaded files are not moved: they sit in `files/` beside the SQLite file, and the
//! PostgreSQL portal reads them from its `--files` directory.

use crate::portal::db::{self, Database, DatabaseArg};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{
    Any, AssertSqlSafe, ConnectOptions, Connection, Row, SqliteConnection, Transaction, TypeInfo,
    ValueRef,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The tables copied, every table before the tables that refer to it (offices and the
/// catalog, then citizens, then the accounts, then dossiers and what hangs on them).
/// `tests` checks that it names every table of the SQLite schema, in an order its
/// foreign keys allow. Left out: `_sqlx_migrations` (each engine has its own), SQLite's
/// own tables (`sqlite_sequence`), and the FTS5 word indexes (`dossier_words`,
/// `citizen_words`, `certification_words` and their shadow tables), which PostgreSQL
/// replaces by indexes of its own on the copied keys (word prefixes for the inbox,
/// trigrams for the citizens and the books).
pub const TABLES: &[&str] = &[
    "offices",
    "procedures",
    "citizens",
    "users",
    "sessions",
    "activation_codes",
    "dossiers",
    "dossier_counters",
    "dossier_documents",
    "uploads",
    "changes",
    "office_feed",
    "payment_notifications",
    "idempotency",
    "audit",
    "dossier_counts",
    "due_counts",
    "sandbox",
    "notifications",
    "stored_documents",
    "document_reuses",
    "ratings",
    "portal_identity",
    "web_sessions",
    "web_drafts",
    "web_challenges",
    "certification_books",
    "certification_fee_orders",
    "certifications",
    "code_leases",
    "code_voids",
];

/// Tables whose rows in the target are replaced by the source's, not refused as data:
///
/// - `portal_identity`: the PostgreSQL schema makes its one row (a random name for the
///   database). The portal keeps its name when it moves, so the source's row replaces it.
/// - `dossier_counts`, `due_counts`: the triggers on `dossiers` fill them as the
///   dossiers are copied, but a recount is not the source's rows: SQLite keeps a row
///   whose count fell to 0 when the last dossier left a status or a due day, and a
///   recount has no such row. The copy must equal the source row for row (and answer
///   the same totals), so what the triggers wrote in this transaction is deleted and
///   the source's rows are copied as they are; the triggers stay on, so that nothing
///   else about the target is changed. They are listed after `dossiers`, so no trigger
///   writes to them once they are copied.
const REPLACED: &[&str] = &["portal_identity", "dossier_counts", "due_counts"];

/// Rows per INSERT (fewer when a table's columns would pass PostgreSQL's 65,535 bound
/// parameters).
const BATCH_ROWS: usize = 500;
const MAX_PARAMETERS: usize = 65_535;

/// What was copied: each table with its rows and the SHA-256 (hex) both sides agree on,
/// in the order copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub tables: Vec<(String, u64, String)>,
}

impl Report {
    /// Rows copied in all.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, rows, _)| rows).sum()
    }
}

/// Why nothing was migrated; each says what to do, in both languages. No error leaves
/// anything written in the target: the copy commits only once every table is checked.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "không có cơ sở dữ liệu tại {0}: kiểm tra --from / there is no database at {0}: \
         check --from"
    )]
    NoSource(PathBuf),
    #[error(
        "{0} không phải cơ sở dữ liệu của cổng motcua (không có bảng _sqlx_migrations) / \
         {0} is not a motcua portal's database (it has no _sqlx_migrations table)"
    )]
    NotPortal(PathBuf),
    #[error(
        "{path} chưa theo lược đồ của phiên bản này (chưa áp dụng migration {missing}): hãy \
         chạy `motcua serve --db {path}` một lần bằng phiên bản này (nó tự cập nhật tệp), dừng \
         lại rồi chuyển / {path} is not at this version's schema (migration {missing} is not \
         applied): start `motcua serve --db {path}` once with this version (it brings the \
         file up to date), stop it, then migrate"
    )]
    Outdated { path: PathBuf, missing: i64 },
    #[error(
        "{path} có migration {version} mà phiên bản này không biết: hãy chuyển bằng phiên bản \
         motcua mới hơn đã ghi tệp / {path} has migration {version}, which this version does \
         not know: migrate with the newer motcua that wrote it"
    )]
    Newer { path: PathBuf, version: i64 },
    #[error(
        "--to phải là địa chỉ PostgreSQL (postgres://người_dùng:mật_khẩu@máy/cơ_sở_dữ_liệu) / \
         --to must be a PostgreSQL URL (postgres://user:password@host/database): {0}"
    )]
    NotPostgres(String),
    #[error(
        "không đọc được cơ sở dữ liệu nguồn {path} / cannot read the source database {path}: \
         {source}"
    )]
    Source { path: PathBuf, source: sqlx::Error },
    #[error(
        "không mở được cơ sở dữ liệu đích {target} / cannot open the target database \
         {target}: {source}"
    )]
    Target { target: String, source: sqlx::Error },
    #[error(
        "cơ sở dữ liệu đích đã có dữ liệu (bảng {table}): chỉ chuyển vào một cơ sở dữ liệu \
         mới, trống; không có gì bị xoá hay ghi / the target database already holds data \
         (table {table}): the target must be a new, empty database; nothing was deleted or \
         written"
    )]
    NotEmpty { table: String },
    #[error("lược đồ hai bên không khớp / the two schemas differ: {0}")]
    Schema(String),
    #[error(
        "chép bảng {table} thất bại; không có gì được ghi / copying table {table} failed; \
         nothing was written: {source}"
    )]
    Copy { table: String, source: sqlx::Error },
    #[error(
        "bảng {table}: bản chép không khớp với nguồn ({detail}); đã huỷ, không có gì được ghi / \
         table {table}: the copy differs from the source ({detail}); rolled back, nothing \
         was written"
    )]
    Mismatch { table: String, detail: String },
    #[error(
        "chuyển dữ liệu thất bại; không có gì được ghi / the migration failed; nothing was written: {0}"
    )]
    Database(#[from] sqlx::Error),
}

/// Copies the portal database at `from` (an SQLite file at this binary's schema) into
/// the PostgreSQL database `to` (new and empty), checks the copy table by table, and
/// commits it.
pub async fn migrate(from: &Path, to: &str) -> Result<Report, MigrateError> {
    if !from.is_file() {
        return Err(MigrateError::NoSource(from.to_owned()));
    }
    let url = match db::database(to) {
        Ok(DatabaseArg::Postgres(url)) => url,
        _ => return Err(MigrateError::NotPostgres(shown_target(to))),
    };
    let source_error = |source| MigrateError::Source {
        path: from.to_owned(),
        source,
    };
    let mut source = SqliteConnectOptions::new()
        .filename(from)
        .read_only(true)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .map_err(source_error)?;
    let result = async {
        // One read transaction: every table as of one instant, even if a portal still
        // writes to the file (what it writes afterwards is not in the copy: stop it).
        let mut snapshot = source.begin().await.map_err(source_error)?;
        check_schema_version(&mut snapshot, from).await?;
        let tables = source_tables(&mut snapshot).await.map_err(source_error)?;
        let target = Database::Postgres {
            url,
            files: PathBuf::new(),
        };
        let pool = db::open(&target)
            .await
            .map_err(|source| MigrateError::Target {
                target: target.to_string(),
                source,
            })?;
        let copied = copy(&mut snapshot, &pool, &tables).await;
        if copied.is_ok() {
            // The planner's statistics, at once: without them the first searches and
            // lists on the copy are planned for empty tables. And a vacuum: the counts
            // tables were bumped by a trigger once per copied dossier and hold as many
            // dead rows, the word index's pending entries are still to be merged, and
            // index-only reads need the visibility map. Autovacuum would see to all of
            // it later, while the portal is already in use.
            sqlx::raw_sql("VACUUM ANALYZE")
                .execute(&pool)
                .await
                .map_err(|source| MigrateError::Target {
                    target: target.to_string(),
                    source,
                })?;
        }
        pool.close().await;
        let _ = snapshot.rollback().await;
        copied
    }
    .await;
    let _ = source.close().await;
    result
}

/// `to` as errors show it: a URL without its password.
fn shown_target(to: &str) -> String {
    match url::Url::parse(to) {
        Ok(url) if url.password().is_some() => Database::Postgres {
            url: to.to_owned(),
            files: PathBuf::new(),
        }
        .to_string(),
        _ => to.to_owned(),
    }
}

/// The versions of this binary's SQLite migrations.
fn sqlite_migrations() -> BTreeSet<i64> {
    sqlx::migrate!("src/portal/migrations")
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| m.version)
        .collect()
}

/// Refuses a source that is not exactly at this binary's schema: an older file is
/// brought up to date by `motcua serve` (the PostgreSQL schema is the twin of the
/// latest SQLite one only), a newer one by the version that wrote it.
async fn check_schema_version(
    source: &mut SqliteConnection,
    path: &Path,
) -> Result<(), MigrateError> {
    let source_error = |source| MigrateError::Source {
        path: path.to_owned(),
        source,
    };
    let has_table: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&mut *source)
    .await
    .map_err(source_error)?;
    if has_table == 0 {
        return Err(MigrateError::NotPortal(path.to_owned()));
    }
    let applied: BTreeSet<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&mut *source)
            .await
            .map_err(source_error)?
            .into_iter()
            .collect();
    let known = sqlite_migrations();
    if let Some(&version) = applied.difference(&known).max() {
        return Err(MigrateError::Newer {
            path: path.to_owned(),
            version,
        });
    }
    if let Some(&missing) = known.difference(&applied).next() {
        return Err(MigrateError::Outdated {
            path: path.to_owned(),
            missing,
        });
    }
    Ok(())
}

/// A table of the source: its columns (in the table's order), its primary key, whether
/// it has a rowid.
#[derive(Debug, Clone)]
struct SourceTable {
    columns: Vec<String>,
    primary_key: Vec<String>,
    rowid: bool,
}

/// The source's tables of data, by name: every ordinary table but SQLite's own and the
/// migrations' (FTS5 tables are virtual, their shadow tables `shadow`).
async fn source_tables(
    source: &mut SqliteConnection,
) -> Result<BTreeMap<String, SourceTable>, sqlx::Error> {
    let names: Vec<(String, i64)> = sqlx::query_as(
        "SELECT name, wr FROM pragma_table_list \
         WHERE schema = 'main' AND type = 'table' \
           AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut *source)
    .await?;
    let mut tables = BTreeMap::new();
    for (name, without_rowid) in names {
        let columns: Vec<(String, i64)> =
            sqlx::query_as("SELECT name, pk FROM pragma_table_info($1) ORDER BY cid")
                .bind(&name)
                .fetch_all(&mut *source)
                .await?;
        let mut key: Vec<(i64, String)> = columns
            .iter()
            .filter(|(_, pk)| *pk > 0)
            .map(|(c, pk)| (*pk, c.clone()))
            .collect();
        key.sort();
        tables.insert(
            name,
            SourceTable {
                columns: columns.into_iter().map(|(c, _)| c).collect(),
                primary_key: key.into_iter().map(|(_, c)| c).collect(),
                rowid: without_rowid == 0,
            },
        );
    }
    Ok(tables)
}

/// What a column holds in the target, for binding a NULL of its type (a NULL bound as
/// text does not go into a BIGINT column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Real,
    Text,
    Bytes,
}

impl Kind {
    fn of(pg_type: &str) -> Kind {
        match pg_type {
            "bigint" | "integer" | "smallint" | "boolean" => Kind::Integer,
            "double precision" | "real" | "numeric" => Kind::Real,
            "bytea" => Kind::Bytes,
            _ => Kind::Text,
        }
    }
}

/// How one table is copied and checked.
#[derive(Debug, Clone)]
struct Plan {
    table: String,
    /// The source's columns, each with its kind in the target.
    columns: Vec<(String, Kind)>,
    /// The order the source is read in for the copy: its rowid (the insertion order,
    /// which `dossier_documents.position` takes over on PostgreSQL), or the primary key
    /// of a table without one.
    copy_order: String,
    /// The order both sides are read in for the check: the primary key, or, where the
    /// target has an insertion-order column of its own (`position`: generated, never
    /// copied), the insertion order on both sides, which checks that order too.
    check_order: (String, String),
    /// The target's identity columns, set past the copied ids once copied.
    identities: Vec<String>,
}

/// `"name"`: an identifier as SQL quotes it (names come from the schemas themselves).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quoted_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().map(quoted).collect::<Vec<_>>().join(", ")
}

/// Matches each source table with the target's, in [`TABLES`]' order.
async fn plans(
    target: &mut sqlx::AnyConnection,
    source: &BTreeMap<String, SourceTable>,
) -> Result<Vec<Plan>, MigrateError> {
    let known: BTreeSet<&str> = TABLES.iter().copied().collect();
    if let Some(extra) = source.keys().find(|t| !known.contains(t.as_str())) {
        return Err(MigrateError::Schema(format!(
            "bảng {extra} của nguồn không có trong danh sách chép / the source's table {extra} \
             is not in the list of tables to copy"
        )));
    }
    let mut plans = Vec::new();
    for &table in TABLES {
        let Some(from) = source.get(table) else {
            return Err(MigrateError::Schema(format!(
                "nguồn không có bảng {table} / the source has no table {table}"
            )));
        };
        let columns: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text, is_identity::text, \
                    COALESCE(identity_generation::text, '') \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 \
             ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&mut *target)
        .await?;
        if columns.is_empty() {
            return Err(MigrateError::Schema(format!(
                "đích không có bảng {table} / the target has no table {table}"
            )));
        }
        let kinds: BTreeMap<&str, Kind> = columns
            .iter()
            .map(|(name, ty, _, _)| (name.as_str(), Kind::of(ty)))
            .collect();
        let mut copied = Vec::new();
        for column in &from.columns {
            let Some(&kind) = kinds.get(column.as_str()) else {
                return Err(MigrateError::Schema(format!(
                    "đích không có cột {table}.{column} / the target has no column \
                     {table}.{column}"
                )));
            };
            copied.push((column.clone(), kind));
        }
        // A column the target generates itself, always (`position`), stands for the
        // source's rowid: it is never copied, and the rows go in by rowid.
        let generated: Vec<&str> = columns
            .iter()
            .filter(|(name, _, identity, generation)| {
                identity == "YES"
                    && generation == "ALWAYS"
                    && !from.columns.iter().any(|c| c == name)
            })
            .map(|(name, _, _, _)| name.as_str())
            .collect();
        let key = if from.primary_key.is_empty() {
            quoted_list(from.columns.iter().map(String::as_str))
        } else {
            quoted_list(from.primary_key.iter().map(String::as_str))
        };
        let copy_order = if from.rowid {
            "rowid".to_owned()
        } else {
            key.clone()
        };
        let check_order = match (generated.first(), from.rowid) {
            (Some(position), true) => ("rowid".to_owned(), quoted(position)),
            _ => (key.clone(), key),
        };
        plans.push(Plan {
            table: table.to_owned(),
            columns: copied,
            copy_order,
            check_order,
            identities: columns
                .iter()
                .filter(|(_, _, identity, _)| identity == "YES")
                .map(|(name, _, _, _)| name.clone())
                .collect(),
        });
    }
    Ok(plans)
}

/// Refuses a target that holds data: any row in any table but the migrations' and the
/// rows the schema makes itself ([`REPLACED`]). Nothing is written before this check.
async fn ensure_empty(target: &mut sqlx::AnyConnection) -> Result<(), MigrateError> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         ORDER BY table_name",
    )
    .fetch_all(&mut *target)
    .await?;
    for table in tables {
        if table == "_sqlx_migrations" || REPLACED.contains(&table.as_str()) {
            continue;
        }
        let any: Option<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT 1::bigint FROM {} LIMIT 1",
            quoted(&table)
        )))
        .fetch_optional(&mut *target)
        .await?;
        if any.is_some() {
            return Err(MigrateError::NotEmpty { table });
        }
    }
    Ok(())
}

/// The copy, its check and its commit, in one transaction of the target.
async fn copy(
    source: &mut SqliteConnection,
    pool: &sqlx::AnyPool,
    tables: &BTreeMap<String, SourceTable>,
) -> Result<Report, MigrateError> {
    // The portal's write transaction: any portal process already started on the target
    // waits for the copy to end before it writes.
    let mut tx = db::write(pool).await?;
    ensure_empty(&mut tx).await?;
    let plans = plans(&mut tx, tables).await?;
    for plan in &plans {
        if REPLACED.contains(&plan.table.as_str()) {
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {}",
                quoted(&plan.table)
            )))
            .execute(&mut *tx)
            .await?;
        }
        copy_table(source, &mut tx, plan)
            .await
            .map_err(|source| MigrateError::Copy {
                table: plan.table.clone(),
                source,
            })?;
    }
    let mut report = Vec::new();
    for plan in &plans {
        let (from_rows, from_sum) = checksum_source(source, plan).await?;
        let (to_rows, to_sum) = checksum_target(&mut tx, plan).await?;
        let mismatch = |detail| MigrateError::Mismatch {
            table: plan.table.clone(),
            detail,
        };
        if from_rows != to_rows {
            return Err(mismatch(format!(
                "nguồn {from_rows} dòng, đích {to_rows} / source {from_rows} rows, target {to_rows}"
            )));
        }
        if from_sum != to_sum {
            return Err(mismatch(format!(
                "SHA-256 nguồn {from_sum}, đích {to_sum} / source SHA-256 {from_sum}, target {to_sum}"
            )));
        }
        report.push((plan.table.clone(), to_rows, to_sum));
    }
    set_sequences(source, &mut tx, &plans).await?;
    tx.commit().await?;
    Ok(Report { tables: report })
}

/// One value, as either side holds it.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Value {
    /// Reads column `i` of a source row as the type of the value stored there (SQLite
    /// types values, not columns).
    fn from_sqlite(row: &SqliteRow, i: usize) -> Result<Value, sqlx::Error> {
        let stored = {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Value::Null);
            }
            raw.type_info().name().to_owned()
        };
        Ok(match stored.as_str() {
            "INTEGER" => Value::Integer(row.try_get(i)?),
            "REAL" => Value::Real(row.try_get(i)?),
            "BLOB" => Value::Bytes(row.try_get(i)?),
            _ => Value::Text(row.try_get(i)?),
        })
    }

    /// Reads column `i` of a target row.
    fn from_any(row: &AnyRow, i: usize) -> Result<Value, sqlx::Error> {
        let kind = {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Value::Null);
            }
            raw.type_info().kind()
        };
        Ok(match kind {
            AnyTypeInfoKind::Null => Value::Null,
            AnyTypeInfoKind::Bool => Value::Integer(i64::from(row.try_get::<db::Flag, _>(i)?.0)),
            AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
                Value::Integer(row.try_get(i)?)
            }
            AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => Value::Real(row.try_get(i)?),
            AnyTypeInfoKind::Blob => Value::Bytes(row.try_get(i)?),
            AnyTypeInfoKind::Text => Value::Text(row.try_get(i)?),
        })
    }

    /// Adds the value to a checksum: a tag for its type, then its bytes (text and bytes
    /// after their length), so that no two different rows feed the same bytes: `1` and
    /// `'1'` differ, NULL differs from `''`, and values cannot run into each other.
    fn feed(&self, hash: &mut Sha256) {
        match self {
            Value::Null => hash.update([0u8]),
            Value::Integer(n) => {
                hash.update([1u8]);
                hash.update(n.to_be_bytes());
            }
            Value::Real(x) => {
                hash.update([2u8]);
                hash.update(x.to_bits().to_be_bytes());
            }
            Value::Text(s) => {
                hash.update([3u8]);
                hash.update((s.len() as u64).to_be_bytes());
                hash.update(s.as_bytes());
            }
            Value::Bytes(b) => {
                hash.update([4u8]);
                hash.update((b.len() as u64).to_be_bytes());
                hash.update(b);
            }
        }
    }
}

/// Copies one table, in batches of multi-row INSERTs, reading the source in `copy_order`.
async fn copy_table(
    source: &mut SqliteConnection,
    tx: &mut Transaction<'static, Any>,
    plan: &Plan,
) -> Result<u64, sqlx::Error> {
    let names = quoted_list(plan.columns.iter().map(|(c, _)| c.as_str()));
    let select = format!(
        "SELECT {names} FROM {} ORDER BY {}",
        quoted(&plan.table),
        plan.copy_order
    );
    let width = plan.columns.len();
    let per_insert = (MAX_PARAMETERS / width.max(1)).clamp(1, BATCH_ROWS);
    let mut rows = sqlx::query(AssertSqlSafe(select)).fetch(&mut *source);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_insert);
    let mut copied = 0;
    while let Some(row) = rows.try_next().await? {
        batch.push(
            (0..width)
                .map(|i| Value::from_sqlite(&row, i))
                .collect::<Result<_, _>>()?,
        );
        if batch.len() == per_insert {
            copied += insert(tx, plan, &names, std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        copied += insert(tx, plan, &names, batch).await?;
    }
    Ok(copied)
}

/// One multi-row INSERT, each value bound as the type it was read as.
async fn insert(
    tx: &mut Transaction<'static, Any>,
    plan: &Plan,
    names: &str,
    rows: Vec<Vec<Value>>,
) -> Result<u64, sqlx::Error> {
    let width = plan.columns.len();
    let tuples: Vec<String> = (0..rows.len())
        .map(|r| {
            let marks: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", marks.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {} ({names}) VALUES {}",
        quoted(&plan.table),
        tuples.join(", ")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for row in rows {
        for (value, (_, kind)) in row.into_iter().zip(&plan.columns) {
            query = match (value, kind) {
                (Value::Null, Kind::Integer) => query.bind(None::<i64>),
                (Value::Null, Kind::Real) => query.bind(None::<f64>),
                (Value::Null, Kind::Text) => query.bind(None::<String>),
                (Value::Null, Kind::Bytes) => query.bind(None::<Vec<u8>>),
                (Value::Integer(n), _) => query.bind(n),
                (Value::Real(x), _) => query.bind(x),
                (Value::Text(s), _) => query.bind(s),
                (Value::Bytes(b), _) => query.bind(b),
            };
        }
    }
    Ok(query.execute(&mut **tx).await?.rows_affected())
}

/// The row count and SHA-256 of a table, read from the source in the check's order.
async fn checksum_source(
    source: &mut SqliteConnection,
    plan: &Plan,
) -> Result<(u64, String), sqlx::Error> {
    let sql = check_select(plan, &plan.check_order.0);
    let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *source);
    let (mut count, mut hash) = (0u64, Sha256::new());
    while let Some(row) = rows.try_next().await? {
        for i in 0..plan.columns.len() {
            Value::from_sqlite(&row, i)?.feed(&mut hash);
        }
        count += 1;
    }
    Ok((count, hex::encode(hash.finalize())))
}

/// The row count and SHA-256 of a table, read back from the target in the same order.
/// PostgreSQL's database sorts text byte by byte (`db::open` checks it), as SQLite does.
async fn checksum_target(
    tx: &mut Transaction<'static, Any>,
    plan: &Plan,
) -> Result<(u64, String), sqlx::Error> {
    let sql = check_select(plan, &plan.check_order.1);
    let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut **tx);
    let (mut count, mut hash) = (0u64, Sha256::new());
    while let Some(row) = rows.try_next().await? {
        for i in 0..plan.columns.len() {
            Value::from_any(&row, i)?.feed(&mut hash);
        }
        count += 1;
    }
    Ok((count, hex::encode(hash.finalize())))
}

fn check_select(plan: &Plan, order: &str) -> String {
    format!(
        "SELECT {} FROM {} ORDER BY {order}",
        quoted_list(plan.columns.iter().map(|(c, _)| c.as_str())),
        quoted(&plan.table)
    )
}

/// Sets every identity sequence past the largest id copied, so that the next row the
/// portal inserts gets a new id: also past SQLite's AUTOINCREMENT mark (`changes.seq`),
/// which never gives back a number even once its row is pruned.
async fn set_sequences(
    source: &mut SqliteConnection,
    tx: &mut Transaction<'static, Any>,
    plans: &[Plan],
) -> Result<(), sqlx::Error> {
    // `sqlite_sequence` exists once an AUTOINCREMENT table has been written to.
    let has_marks: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
    )
    .fetch_one(&mut *source)
    .await?;
    let marks: BTreeMap<String, i64> = if has_marks > 0 {
        sqlx::query_as::<_, (String, i64)>("SELECT name, seq FROM sqlite_sequence")
            .fetch_all(&mut *source)
            .await?
            .into_iter()
            .collect()
    } else {
        BTreeMap::new()
    };
    for plan in plans {
        for column in &plan.identities {
            let floor = marks.get(&plan.table).copied().unwrap_or(0);
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), \
                 GREATEST((SELECT COALESCE(MAX({col}), 0) FROM {table}), $3) + 1, false)",
                col = quoted(column),
                table = quoted(&plan.table),
            );
            let _: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
                .bind(&plan.table)
                .bind(column)
                .bind(floor)
                .fetch_one(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{TABLES, source_tables};
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection};
    use std::collections::BTreeSet;

    /// The list names every table of the SQLite schema, and none twice, in an order its
    /// foreign keys allow: each table after every table it refers to.
    #[tokio::test]
    async fn the_list_covers_the_sqlite_schema_parents_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.sqlite3");
        crate::portal::db::open(&path.clone().into())
            .await
            .unwrap()
            .close()
            .await;
        let mut conn = SqliteConnectOptions::new()
            .filename(&path)
            .read_only(true)
            .connect()
            .await
            .unwrap();
        let tables = source_tables(&mut conn).await.unwrap();
        let schema: BTreeSet<&str> = tables.keys().map(String::as_str).collect();
        let listed: BTreeSet<&str> = TABLES.iter().copied().collect();
        assert_eq!(listed.len(), TABLES.len(), "a table is listed twice");
        assert_eq!(schema, listed, "the tables to copy and the SQLite schema's");
        // What is left out is left out on purpose: the FTS5 indexes, SQLite's own
        // tables, the migrations.
        let all: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for name in all.iter().filter(|n| !listed.contains(n.as_str())) {
            assert!(
                ["dossier_words", "citizen_words", "certification_words"]
                    .iter()
                    .any(|fts| name.starts_with(fts))
                    || name == "sqlite_sequence"
                    || name == "_sqlx_migrations",
                "{name} is neither copied nor known to be left out"
            );
        }
        for (i, table) in TABLES.iter().enumerate() {
            let parents: Vec<String> =
                sqlx::query_scalar("SELECT \"table\" FROM pragma_foreign_key_list($1)")
                    .bind(table)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            for parent in parents {
                let at = TABLES.iter().position(|t| *t == parent);
                assert!(
                    at.is_some_and(|at| at <= i),
                    "{table} refers to {parent}, which is copied after it"
                );
            }
        }
        conn.close().await.unwrap();
    }

    /// The checksum tells types and boundaries apart: a row of `1` is not a row of
    /// `'1'`, NULL is not `''`, and `('ab', 'c')` is not `('a', 'bc')`.
    #[test]
    fn the_checksum_tells_values_apart() {
        use super::Value;
        use sha2::{Digest, Sha256};
        let sum = |row: &[Value]| {
            let mut hash = Sha256::new();
            for value in row {
                value.feed(&mut hash);
            }
            hex::encode(hash.finalize())
        };
        let text = |s: &str| Value::Text(s.to_owned());
        let rows = [
            vec![Value::Integer(1)],
            vec![text("1")],
            vec![Value::Bytes(b"1".to_vec())],
            vec![Value::Real(1.0)],
            vec![Value::Null],
            vec![text("")],
            vec![text("ab"), text("c")],
            vec![text("a"), text("bc")],
        ];
        let sums: std::collections::BTreeSet<String> = rows.iter().map(|r| sum(r)).collect();
        assert_eq!(sums.len(), rows.len());
        assert_eq!(
            sum(&[text("Đ"), Value::Null]),
            sum(&[text("Đ"), Value::Null])
        );
    }

    /// Every table copied exists in the PostgreSQL schema too (the integration test
    /// `tests/portal_migrate.rs` copies into a real one).
    #[test]
    fn the_postgres_schema_has_every_table() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/portal/migrations_pg");
        let mut schema = String::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            schema.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        for table in TABLES {
            assert!(
                schema.contains(&format!("CREATE TABLE {table} (")),
                "migrations_pg has no table {table}"
            );
        }
    }
}
