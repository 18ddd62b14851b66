//! `GET /healthz`: the process answers and the database answers.

use crate::api::Health;
use crate::portal::error::ApiError;
use crate::portal::state::AppState;
use axum::Json;
use axum::extract::State;

#[utoipa::path(
    get,
    path = "/api/v1/healthz",
    operation_id = "healthz",
    tag = "system",
    summary = "Liveness and database check",
    responses(
        (status = 200, description = "The process and its database answer.", body = Health),
    ),
)]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let one: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&state.db).await?;
    Ok(Json(Health {
        status: "ok".into(),
        database: if one == 1 { "ok" } else { "unexpected" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}
