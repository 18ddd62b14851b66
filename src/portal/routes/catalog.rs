//! Offices and the procedure catalog, both public.

use super::{limit, with_etag};
use crate::api::Page;
use crate::api::catalog::{Office, ProcedureDetail, ProcedureSummary};
use crate::api::error::ErrorBody;
use crate::api::limits::{Bound, Bounded};
use crate::domain::Lang;
use crate::domain::catalog::{OnlineLevel, Procedure};
use crate::portal::error::{ApiError, language};
use crate::portal::json::check_query;
use crate::portal::service;
use crate::portal::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

#[derive(sqlx::FromRow)]
struct OfficeRow {
    id: i64,
    code: String,
    name: String,
    address: String,
    phone: String,
    bank_bin: String,
    bank_account: String,
    account_name: String,
}

/// `GET /offices`.
#[utoipa::path(
    get,
    path = "/api/v1/offices",
    operation_id = "list_offices",
    tag = "catalog",
    summary = "Offices",
    description = "Every office, with the unit code of its dossier codes and the bank account \
        its fees are paid to.",
    responses((status = 200, description = "The offices.", body = Vec<Office>)),
)]
pub async fn offices(State(state): State<AppState>) -> Result<Json<Vec<Office>>, ApiError> {
    let rows: Vec<OfficeRow> = sqlx::query_as(
        "SELECT id, code, name, address, phone, bank_bin, bank_account, account_name \
         FROM offices ORDER BY number",
    )
    .fetch_all(&state.db)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| Office {
                id: r.id,
                code: r.code,
                name: r.name,
                address: r.address,
                phone: r.phone,
                bank_bin: r.bank_bin,
                bank_account: r.bank_account,
                account_name: r.account_name,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogQuery {
    /// Words of the code or name, with or without marks ("khai sinh"): at most 200
    /// characters and 20 words.
    #[param(max_length = 200)]
    q: Option<String>,
    /// Words of the field (lĩnh vực), bounded as `q`.
    #[param(max_length = 200)]
    field: Option<String>,
    /// Only procedures of this online level.
    online: Option<OnlineLevel>,
    /// Items to return: 50 unless given, at most 500.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

impl Bounded for CatalogQuery {
    const BOUNDS: &'static [Bound] = &[Bound::search("q"), Bound::search("field")];
}

#[derive(sqlx::FromRow)]
struct ProcedureRow {
    body: String,
    version: i64,
}

fn decode(body: &str) -> Result<Procedure, ApiError> {
    serde_json::from_str(body).map_err(ApiError::internal)
}

fn summary(p: &Procedure, lang: Lang) -> Option<ProcedureSummary> {
    let first = p.cases.first()?;
    Some(ProcedureSummary {
        code: p.code.clone(),
        name: p.name.clone(),
        field: p.field.clone(),
        online_level: p.online_level,
        desk_duration: first.desk_duration,
        online_duration: first.online_duration,
        fee: first.fees.desk.describe(lang),
    })
}

/// The catalog's version: it changes whenever any procedure does.
async fn catalog_etag(state: &AppState) -> Result<String, ApiError> {
    let (count, version): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MAX(version) FROM procedures")
            .fetch_one(&state.db)
            .await?;
    Ok(format!("W/\"catalog-{count}-{}\"", version.unwrap_or(0)))
}

/// `GET /procedures?q=&field=&online=`: the whole catalog is small, so it is filtered
/// here with the project's one matcher rather than in SQL.
#[utoipa::path(
    get,
    path = "/api/v1/procedures",
    operation_id = "list_procedures",
    tag = "catalog",
    summary = "The procedure catalog",
    description = "Filtered by words (accent-insensitive), field and online level; in code \
        order, on one page (`next_cursor` is always `null`). The fee wording follows \
        `Accept-Language`.",
    params(
        CatalogQuery,
        ("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer."),
    ),
    responses(
        (status = 200, description = "The matching procedures.", body = Page<ProcedureSummary>,
            headers(("ETag" = String, description = "Weak; changes with the catalog and the language."))),
        (status = 304, description = "Unchanged since the `ETag` given.",
            headers(("ETag" = String))),
        (status = 400, description = "`bad_request`: a malformed or out-of-range parameter.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `q` or `field` over 200 characters or 20 words, or carrying a control character; `fields` names it.", body = ErrorBody),
    ),
)]
pub async fn procedures(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<CatalogQuery>,
) -> Result<Response, ApiError> {
    check_query(&query)?;
    let limit = limit(query.limit)? as usize;
    let lang = language(&headers);
    let etag = catalog_etag(&state).await?;
    let found = service::catalog::search(
        &state.db,
        query.q.as_deref(),
        query.field.as_deref(),
        query.online,
    )
    .await?;
    let mut items: Vec<ProcedureSummary> = found.iter().filter_map(|p| summary(p, lang)).collect();
    let total = items.len() as u64;
    items.truncate(limit);
    // The ETag covers the catalog; the language changes the fee wording and the filters
    // change the items, so both are part of the representation: an ETag of the whole
    // catalog never validates a filtered answer, nor the other way round.
    let filters = {
        use sha2::{Digest, Sha256};
        let key = format!("{:?}|{:?}|{:?}|{limit}", query.q, query.field, query.online);
        hex::encode(&Sha256::digest(key.as_bytes())[..6])
    };
    let etag = format!(
        "{}-{}-{filters}\"",
        etag.trim_end_matches('"'),
        lang_tag(lang)
    );
    Ok(with_etag(
        &headers,
        &etag,
        &Page {
            items,
            next_cursor: None,
            total,
        },
    ))
}

fn lang_tag(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "vi",
        Lang::En => "en",
    }
}

/// `GET /procedures/{code}`.
#[utoipa::path(
    get,
    path = "/api/v1/procedures/{code}",
    operation_id = "get_procedure",
    tag = "catalog",
    summary = "One procedure",
    description = "Its cases, each with the documents required, the desk and online durations \
        and the fee schedule; the delivery options and the deciding authority.",
    params(
        ("code" = String, Path, description = "The national procedure code (`1.001193`)."),
        ("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer."),
    ),
    responses(
        (status = 200, description = "The procedure.", body = ProcedureDetail,
            headers(("ETag" = String, description = "Weak; changes with the procedure's version."))),
        (status = 304, description = "Unchanged since the `ETag` given.",
            headers(("ETag" = String))),
        (status = 404, description = "`not_found`: no such procedure.", body = ErrorBody),
    ),
)]
pub async fn procedure(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let row: Option<ProcedureRow> =
        sqlx::query_as("SELECT body, version, search_key FROM procedures WHERE code = $1")
            .bind(&code)
            .fetch_optional(&state.db)
            .await?;
    let row = row.ok_or(ApiError::NotFound)?;
    let etag = format!("W/\"procedure-{code}-{}\"", row.version);
    let detail = ProcedureDetail {
        procedure: decode(&row.body)?,
        version: row.version,
    };
    Ok(with_etag(&headers, &etag, &detail))
}
