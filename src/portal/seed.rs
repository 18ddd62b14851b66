//! What a new portal database is filled with: the built-in sample catalog (always, when
//! the catalog is empty), the demo offices, staff and citizens (`--seed demo` and
//! training only), and the first administrator (`--create-admin`).

use super::auth::hash_password;
use super::db;
use crate::domain::account::{AccountKind, check_password};
use crate::domain::catalog::Procedure;
use crate::domain::identity::Gender;
use crate::domain::text::fold;
use crate::domain::{Lang, RuleError};
use chrono::NaiveDate;
use serde::Deserialize;
use sqlx::SqlitePool;

/// The password of every demo account, documented in `docs/portal.md`. Only `--seed demo`
/// and training create accounts with it; no real server ever has a default password.
pub const DEMO_PASSWORD: &str = "Motcua-demo-2026";

const CATALOG: &str = include_str!("seed/procedures.toml");
const DEMO: &str = include_str!("seed/demo.toml");

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("built-in data: {0}")]
    Data(String),
    #[error("{0}")]
    Refused(String),
}

#[derive(Deserialize)]
struct Catalog {
    procedure: Vec<Procedure>,
}

/// The sample catalog shipped with motcua.
pub fn builtin_catalog() -> Result<Vec<Procedure>, SeedError> {
    toml::from_str::<Catalog>(CATALOG)
        .map(|c| c.procedure)
        .map_err(|e| SeedError::Data(format!("procedures.toml: {e}")))
}

/// Loads the built-in catalog when the database has none, so that a fresh portal can take
/// dossiers at once.
pub async fn catalog_if_empty(pool: &SqlitePool) -> Result<(), SeedError> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM procedures")
        .fetch_one(pool)
        .await?;
    if count > 0 {
        return Ok(());
    }
    let mut tx = db::write(pool).await?;
    for p in builtin_catalog()? {
        let body = serde_json::to_string(&p).map_err(|e| SeedError::Data(e.to_string()))?;
        sqlx::query(
            "INSERT INTO procedures (code, name, field, online_level, search_key, body, version) \
             VALUES ($1, $2, $3, $4, $5, $6, 1)",
        )
        .bind(&p.code)
        .bind(&p.name)
        .bind(&p.field)
        .bind(
            serde_json::to_value(p.online_level)
                .map_err(|e| SeedError::Data(e.to_string()))?
                .as_str(),
        )
        .bind(fold(&format!("{} {} {}", p.code, p.name, p.field)))
        .bind(body)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Deserialize)]
struct Demo {
    office: Vec<DemoOffice>,
    staff_name: Vec<DemoStaff>,
    citizen: Vec<DemoCitizen>,
}

#[derive(Deserialize)]
struct DemoOffice {
    number: i64,
    code: String,
    name: String,
    address: String,
    phone: String,
    bank_bin: String,
    bank_account: String,
    account_name: String,
}

#[derive(Deserialize)]
struct DemoStaff {
    office: i64,
    role: String,
    full_name: String,
}

#[derive(Deserialize)]
struct DemoCitizen {
    office: i64,
    id_number: String,
    full_name: String,
    date_of_birth: toml::value::Datetime,
    gender: Gender,
    phone: String,
    email: Option<String>,
    address: String,
}

/// The demo username of a staff role in office `n`.
pub fn demo_username(role: &str, n: i64) -> Option<String> {
    let stem = match role {
        "reception" => "tiepnhan",
        "specialist" => "chuyenvien",
        "leader" => "lanhdao",
        "admin" => "quantri",
        _ => return None,
    };
    Some(format!("{stem}{n}"))
}

/// Fills an empty database with the demo offices, staff and citizens. Idempotent: a
/// database that already has offices is left alone.
pub async fn demo(pool: &SqlitePool, now: &str) -> Result<(), SeedError> {
    let offices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM offices")
        .fetch_one(pool)
        .await?;
    if offices > 0 {
        return Ok(());
    }
    let demo: Demo =
        toml::from_str(DEMO).map_err(|e| SeedError::Data(format!("demo.toml: {e}")))?;
    // One hash for every demo account: they share a published password anyway, and
    // hashing it a hundred times would make every test and sandbox start slow.
    let hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
        .await
        .map_err(|e| SeedError::Data(e.to_string()))?
        .map_err(|e| SeedError::Data(e.to_string()))?;

    let mut tx = db::write(pool).await?;
    for o in &demo.office {
        sqlx::query(
            "INSERT INTO offices (number, code, name, address, phone, bank_bin, bank_account, \
             account_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(o.number)
        .bind(&o.code)
        .bind(&o.name)
        .bind(&o.address)
        .bind(&o.phone)
        .bind(&o.bank_bin)
        .bind(&o.bank_account)
        .bind(&o.account_name)
        .execute(&mut *tx)
        .await?;
    }
    for s in &demo.staff_name {
        let username = demo_username(&s.role, s.office)
            .ok_or_else(|| SeedError::Data(format!("demo.toml: unknown role {}", s.role)))?;
        sqlx::query(
            "INSERT INTO users (username, full_name, role, office_id, password_hash, created_at) \
             VALUES ($1, $2, $3, (SELECT id FROM offices WHERE number = $4), $5, $6)",
        )
        .bind(&username)
        .bind(&s.full_name)
        .bind(&s.role)
        .bind(s.office)
        .bind(&hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    for c in &demo.citizen {
        let d = c
            .date_of_birth
            .date
            .and_then(|d| {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            })
            .ok_or_else(|| SeedError::Data(format!("demo.toml: bad date for {}", c.id_number)))?;
        let gender = match c.gender {
            Gender::Male => "male",
            Gender::Female => "female",
        };
        let citizen_id: i64 = sqlx::query_scalar(
            "INSERT INTO citizens (office_id, id_number, full_name, search_key, date_of_birth, \
             gender, phone, email, address, created_at) \
             VALUES ((SELECT id FROM offices WHERE number = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             RETURNING id",
        )
        .bind(c.office)
        .bind(&c.id_number)
        .bind(&c.full_name)
        .bind(fold(&format!("{} {} {}", c.full_name, c.id_number, c.phone)))
        .bind(d.format("%Y-%m-%d").to_string())
        .bind(gender)
        .bind(&c.phone)
        .bind(&c.email)
        .bind(&c.address)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO users (username, full_name, role, citizen_id, password_hash, created_at) \
             VALUES ($1, $2, 'citizen', $3, $4, $5)",
        )
        .bind(&c.id_number)
        .bind(&c.full_name)
        .bind(citizen_id)
        .bind(&hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Creates an administrator of office `office_code` (which must exist, or be created
/// with `office_name`). The password must meet the staff policy.
pub async fn create_admin(
    pool: &SqlitePool,
    username: &str,
    office_code: &str,
    office_name: Option<&str>,
    password: &str,
    now: &str,
) -> Result<(), SeedError> {
    let username = username.trim().to_lowercase();
    if username.is_empty()
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
    {
        return Err(SeedError::Refused(
            "tên đăng nhập chỉ gồm chữ, số, '.' và '_' / the username may hold only letters, digits, '.' and '_'".into(),
        ));
    }
    check_password(password, &username, AccountKind::Staff).map_err(|e| {
        SeedError::Refused(format!("{} / {}", e.message(Lang::Vi), e.message(Lang::En)))
    })?;
    let unit = crate::domain::dossier_code::UnitCode::parse(office_code).map_err(|e| {
        SeedError::Refused(format!("{} / {}", e.message(Lang::Vi), e.message(Lang::En)))
    })?;
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| SeedError::Data(e.to_string()))?
        .map_err(|e| SeedError::Data(e.to_string()))?;
    let mut tx = db::write(pool).await?;
    let office: Option<i64> = sqlx::query_scalar("SELECT id FROM offices WHERE code = $1")
        .bind(unit.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let office = match (office, office_name) {
        (Some(id), _) => id,
        (None, Some(name)) => {
            sqlx::query_scalar(
                "INSERT INTO offices (number, code, name, address, phone, bank_bin, bank_account, \
                 account_name) VALUES ((SELECT COALESCE(MAX(number), 0) + 1 FROM offices), \
                 $1, $2, '', '', '', '', '') RETURNING id",
            )
            .bind(unit.as_str())
            .bind(name.trim())
            .fetch_one(&mut *tx)
            .await?
        }
        (None, None) => {
            return Err(SeedError::Refused(format!(
                "chưa có cơ quan mã {unit}: thêm --office-name \"Tên cơ quan\" để tạo / no office has the code {unit}: add --office-name \"Name\" to create it"
            )));
        }
    };
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1")
        .bind(&username)
        .fetch_one(&mut *tx)
        .await?;
    if taken > 0 {
        return Err(SeedError::Refused(format!(
            "tên đăng nhập {username} đã có / the username {username} is taken"
        )));
    }
    sqlx::query(
        "INSERT INTO users (username, full_name, role, office_id, password_hash, created_at) \
         VALUES ($1, $1, 'admin', $2, $3, $4)",
    )
    .bind(&username)
    .bind(office)
    .bind(hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
