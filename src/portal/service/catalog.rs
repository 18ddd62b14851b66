//! Reading the catalog: the procedures a search finds (words without regard to accents,
//! a field, an online level), one procedure, the fields, the offices. The API's catalog
//! routes and the citizen pages (`portal::web`) search through here, with the domain's
//! folding and matching (`domain::text::Matcher`).

use crate::domain::catalog::{OnlineLevel, Procedure};
use crate::domain::text::Matcher;
use crate::portal::error::ApiError;
use sqlx::AnyPool;

#[derive(sqlx::FromRow)]
struct ProcedureRow {
    body: String,
    search_key: String,
}

fn decode(body: &str) -> Result<Procedure, ApiError> {
    serde_json::from_str(body).map_err(ApiError::internal)
}

/// The procedures matching every word of `q` (folded: "khai sinh" finds "Khai sinh"
/// and "khai sinh"), in the field `field` (words too) and at the `online` level, in
/// code order.
pub async fn search(
    db: &AnyPool,
    q: Option<&str>,
    field: Option<&str>,
    online: Option<OnlineLevel>,
) -> Result<Vec<Procedure>, ApiError> {
    let rows: Vec<ProcedureRow> =
        sqlx::query_as("SELECT body, search_key FROM procedures ORDER BY code")
            .fetch_all(db)
            .await?;
    let matcher = Matcher::new(q.unwrap_or(""));
    let field = field.map(Matcher::new);
    let mut found = Vec::new();
    for row in rows
        .iter()
        .filter(|r| matcher.matches_folded(&r.search_key))
    {
        let p = decode(&row.body)?;
        if field.as_ref().is_some_and(|f| !f.matches(&p.field)) {
            continue;
        }
        if online.is_some_and(|level| level != p.online_level) {
            continue;
        }
        found.push(p);
    }
    Ok(found)
}

/// One procedure by its code.
pub async fn procedure(db: &AnyPool, code: &str) -> Result<Option<Procedure>, ApiError> {
    let body: Option<String> = sqlx::query_scalar("SELECT body FROM procedures WHERE code = $1")
        .bind(code)
        .fetch_optional(db)
        .await?;
    body.map(|b| decode(&b)).transpose()
}

/// The catalog's fields (lĩnh vực), in alphabetical order.
pub async fn fields(db: &AnyPool) -> Result<Vec<String>, ApiError> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT field FROM procedures ORDER BY field")
            .fetch_all(db)
            .await?,
    )
}

/// An office as a citizen chooses it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfficeName {
    pub code: String,
    pub name: String,
    pub address: String,
    pub phone: String,
}

/// Every office, in their order.
pub async fn offices(db: &AnyPool) -> Result<Vec<OfficeName>, ApiError> {
    Ok(
        sqlx::query_as("SELECT code, name, address, phone FROM offices ORDER BY number")
            .fetch_all(db)
            .await?,
    )
}
