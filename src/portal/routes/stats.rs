//! `GET /stats`: the office's inbox counted by queue, overdue, and the punctuality of
//! returned results. The counting is done by the database (`GROUP BY`), so the answer
//! costs the same for ten dossiers or a hundred thousand; which statuses make up which
//! queue comes from the domain's queue table, not from SQL written here.

use crate::api::error::ErrorBody;
use crate::api::results::{RatingCounts, RatingLevel};
use crate::api::stats::{QueueCounts, Stats, TimelinessCounts};
use crate::domain::calendar::Timeliness;
use crate::domain::status::{Queue, Status};
use crate::portal::auth::Session;
use crate::portal::dossier_store::wire;
use crate::portal::error::ApiError;
use crate::portal::state::AppState;
use axum::Json;
use axum::extract::State;

/// `GET /stats` (any staff role: the numbers are the office's, not the user's).
#[utoipa::path(
    get,
    path = "/api/v1/stats",
    operation_id = "office_stats",
    tag = "dossiers",
    summary = "The office's numbers",
    description = "Dossiers per inbox queue, overdue ones, returned ones by punctuality, and \
        the satisfaction ratings given, by level. Any staff role.",
    responses(
        (status = 200, description = "The counts now.", body = Stats),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn stats(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Stats>, ApiError> {
    let office = session.office(&state, "GET /stats").await?;
    let now = state.clock.now();
    let now_s = now.to_rfc3339();

    let by_status: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM dossiers WHERE office_id = $1 GROUP BY status",
    )
    .bind(office)
    .fetch_all(&state.db)
    .await?;
    let by_status = by_status
        .into_iter()
        .map(|(status, n)| Ok((wire::<Status>(&status)?, n.max(0) as u64)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let in_queue = |queue: Queue| -> u64 {
        let statuses = queue.statuses();
        by_status
            .iter()
            .filter(|(s, _)| statuses.contains(s))
            .map(|(_, n)| n)
            .sum()
    };

    // Overdue is derived, as in the inbox list: a running clock and a due time passed.
    // Stored times are RFC 3339 at +07:00, so text order is time order.
    let running = Queue::Overdue.statuses();
    let marks: Vec<String> = (0..running.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT COUNT(*) FROM dossiers WHERE office_id = $1 AND due_at < $2 AND status IN ({})",
        marks.join(", ")
    );
    // Built from placeholders only; every value is bound.
    let mut overdue = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
        .bind(office)
        .bind(&now_s);
    for status in &running {
        overdue = overdue.bind(status.as_str());
    }
    let overdue = overdue.fetch_one(&state.db).await?.max(0) as u64;

    let by_timeliness: Vec<(String, i64)> = sqlx::query_as(
        "SELECT timeliness, COUNT(*) FROM dossiers \
         WHERE office_id = $1 AND status = $2 AND timeliness IS NOT NULL GROUP BY timeliness",
    )
    .bind(office)
    .bind(Status::Returned.as_str())
    .fetch_all(&state.db)
    .await?;
    let mut returned = TimelinessCounts::default();
    for (timeliness, n) in by_timeliness {
        let n = n.max(0) as u64;
        match wire::<Timeliness>(&timeliness)? {
            Timeliness::Early => returned.early += n,
            Timeliness::OnTime => returned.on_time += n,
            Timeliness::Late => returned.late += n,
        }
    }

    let by_level: Vec<(String, i64)> =
        sqlx::query_as("SELECT level, COUNT(*) FROM ratings WHERE office_id = $1 GROUP BY level")
            .bind(office)
            .fetch_all(&state.db)
            .await?;
    let mut ratings = RatingCounts::default();
    for (level, n) in by_level {
        let n = n.max(0) as u64;
        match wire::<RatingLevel>(&level)? {
            RatingLevel::VerySatisfied => ratings.very_satisfied += n,
            RatingLevel::Satisfied => ratings.satisfied += n,
            RatingLevel::Unsatisfied => ratings.unsatisfied += n,
        }
    }

    Ok(Json(Stats {
        at: now_s,
        ratings,
        queues: QueueCounts {
            online_pending: in_queue(Queue::OnlinePending),
            received: in_queue(Queue::Received),
            in_progress: in_queue(Queue::InProgress),
            supplement: in_queue(Queue::Supplement),
            awaiting_payment: in_queue(Queue::AwaitingPayment),
            result_ready: in_queue(Queue::ResultReady),
            returned: in_queue(Queue::Returned),
            closed: in_queue(Queue::Closed),
            overdue,
            all: in_queue(Queue::All),
        },
        returned,
    }))
}
