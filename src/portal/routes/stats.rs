//! `GET /stats`: the office's inbox counted by queue, overdue, and the punctuality of
//! returned results. The counting is done by the database (`GROUP BY`), so the answer
//! costs the same for ten dossiers or a hundred thousand; which statuses make up which
//! queue comes from the domain's queue table, not from SQL written here.

use crate::api::error::ErrorBody;
use crate::api::results::{RatingCounts, RatingLevel};
use crate::api::stats::{
    CertificationCounts, Indices, MAX_MONTHS, MonthIndices, Period, QueueCounts, Ratio,
    ReuseCounts, Stats, StatsQuery, TimelinessCounts,
};
use crate::domain::calendar::Timeliness;
use crate::domain::status::{Queue, Status};
use crate::portal::auth::Session;
use crate::portal::dossier_store::wire;
use crate::portal::error::ApiError;
use crate::portal::error::invalid;
use crate::portal::json::check_query;
use crate::portal::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use chrono::{Datelike, Months, NaiveDate};
use std::collections::HashMap;

/// The longest period the indices are counted over, as for the register.
const MAX_PERIOD_DAYS: i64 = 366;

/// `GET /stats` (any staff role: the numbers are the office's, not the user's).
#[utoipa::path(
    get,
    path = "/api/v1/stats",
    operation_id = "office_stats",
    tag = "dossiers",
    summary = "The office's numbers",
    description = "Dossiers per inbox queue, overdue ones, and returned ones by punctuality; \
        and over the period `from`–`to` (the month to date unless given) the indices of \
        Decision 766/QĐ-TTg as numerator and denominator (on time, online submission, online \
        payment, digitization, satisfaction), the satisfaction ratings given, by level, and \
        the documents reused from citizens' stores, the certifications entered by kind and \
        their fees (`certifications`; `certifications_day` for the day `to` alone); with \
        `months=N` the same indices, ratings and certifications for each of the last N \
        calendar months, the current one to date. Any staff role.",
    params(StatsQuery),
    responses(
        (status = 200, description = "The counts now.", body = Stats),
        (status = 400, description = "`bad_request`: a malformed parameter (repeated, or `months` \
            not a number).", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `from` or `to` not a `YYYY-MM-DD` date, \
            `from` after `to`, a period over 366 days, or `months` outside 1–24; `fields` names it.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn stats(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<StatsQuery>,
) -> Result<Json<Stats>, ApiError> {
    let office = session.office(&state, "GET /stats").await?;
    check_query(&query)?;
    let now = state.clock.now();
    let now_s = now.to_rfc3339();
    let period = period(&query, now.date_naive())?;
    let month_count = month_count(query.months)?;

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

    let ratings = ratings_by(&state, office, &period.from, &period.to, false)
        .await?
        .remove("")
        .unwrap_or_default();
    let certifications_day = certifications_by(&state, office, &period.to, &period.to, false)
        .await?
        .remove("")
        .unwrap_or_default();
    let certifications = certifications_by(&state, office, &period.from, &period.to, false)
        .await?
        .remove("")
        .unwrap_or_default();
    let months = match month_count {
        Some(count) => months(&state, office, now.date_naive(), count).await?,
        None => Vec::new(),
    };

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
        indices: indices(&state, office, &period).await?,
        reuse: reuse(&state, office, &period).await?,
        certifications,
        certifications_day,
        period,
        months,
    }))
}

/// The period asked for: the first of this month to today unless given.
fn period(query: &StatsQuery, today: NaiveDate) -> Result<Period, ApiError> {
    // Absent means the default; present but empty is no date (the document says `date`).
    let read = |field: &'static str, text: &Option<String>, default: NaiveDate| match text
        .as_deref()
        .map(str::trim)
    {
        None => Ok(default),
        Some(t) => crate::domain::documents::iso_date(t).ok_or_else(|| {
            invalid(
                field,
                format!("'{t}' không phải ngày hợp lệ. Hãy ghi ngày theo dạng YYYY-MM-DD."),
                format!("'{t}' is not a valid date. Write it as YYYY-MM-DD."),
            )
        }),
    };
    let first = today.with_day(1).unwrap_or(today);
    let to = read("to", &query.to, today)?;
    let from = read("from", &query.from, first.min(to))?;
    if from > to {
        return Err(invalid(
            "from",
            "Ngày bắt đầu sau ngày kết thúc. Hãy đổi lại hai ngày.",
            "The first day is after the last. Swap the two dates.",
        ));
    }
    if (to - from).num_days() >= MAX_PERIOD_DAYS {
        return Err(invalid(
            "to",
            format!("Kỳ thống kê dài quá {MAX_PERIOD_DAYS} ngày. Hãy chọn kỳ ngắn hơn."),
            format!("The period is longer than {MAX_PERIOD_DAYS} days. Choose a shorter one."),
        ));
    }
    let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    Ok(Period {
        from: iso(from),
        to: iso(to),
    })
}

fn ratio((numerator, denominator): (i64, i64)) -> Ratio {
    Ratio {
        numerator: numerator.max(0) as u64,
        denominator: denominator.max(0) as u64,
    }
}

/// `?months=`: 1–24 when given.
fn month_count(months: Option<u32>) -> Result<Option<u32>, ApiError> {
    match months {
        None => Ok(None),
        Some(n @ 1..=MAX_MONTHS) => Ok(Some(n)),
        Some(n) => Err(invalid(
            "months",
            format!("Số tháng {n} không hợp lệ. Hãy chọn từ 1 đến {MAX_MONTHS} tháng."),
            format!("{n} months is not allowed. Choose from 1 to {MAX_MONTHS} months."),
        )),
    }
}

/// One index as SQL: the `numerator, denominator` over the office's rows (`$1`), and the
/// column whose local date places a row in a period. Stored times are RFC 3339 at +07:00,
/// so a time's first ten characters are its local date and its first seven its month.
/// The same text counts a period and, grouped, its months: the two cannot disagree.
struct IndexSql {
    counts: &'static str,
    date: &'static str,
}

const ON_TIME: IndexSql = IndexSql {
    counts: "COUNT(*) FILTER (WHERE timeliness IN ('early', 'on_time')), COUNT(*) \
             FROM dossiers WHERE office_id = $1 AND timeliness IS NOT NULL",
    date: "returned_at",
};
const ONLINE_SUBMISSION: IndexSql = IndexSql {
    counts: "COUNT(*) FILTER (WHERE channel = 'online'), COUNT(*) FROM dossiers WHERE office_id = $1",
    date: "received_at",
};
const ONLINE_PAYMENT: IndexSql = IndexSql {
    counts: "COUNT(*) FILTER (WHERE payment_method <> 'cash'), COUNT(*) FROM dossiers \
             WHERE office_id = $1 AND payment_status = 'paid'",
    date: "paid_at",
};
/// Every part digitized or reused: no part left without its stored document.
const DIGITIZATION: IndexSql = IndexSql {
    counts: "COUNT(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM dossier_documents dd \
                 WHERE dd.dossier_id = d.id AND dd.stored_document_id IS NULL)), COUNT(*) \
             FROM dossiers d WHERE d.office_id = $1",
    date: "d.received_at",
};
/// Satisfied or very satisfied ÷ every rating given (DOMAIN.md).
const SATISFACTION: IndexSql = IndexSql {
    counts: "COUNT(*) FILTER (WHERE level IN ('very_satisfied', 'satisfied')), COUNT(*) \
             FROM ratings WHERE office_id = $1",
    date: "rated_at",
};

/// The five indices in the order of [`Indices`]' fields.
const INDICES: [&IndexSql; 5] = [
    &ON_TIME,
    &ONLINE_SUBMISSION,
    &ONLINE_PAYMENT,
    &DIGITIZATION,
    &SATISFACTION,
];

fn indices_from(r: [Ratio; 5]) -> Indices {
    let [
        on_time,
        online_submission,
        online_payment,
        digitization,
        satisfaction,
    ] = r;
    Indices {
        on_time,
        online_submission,
        online_payment,
        digitization,
        satisfaction,
    }
}

/// The index counted by month over `from`–`to` (`YYYY-MM` → its ratio; months with no
/// row are absent).
async fn index_by_month(
    state: &AppState,
    office: i64,
    index: &IndexSql,
    from: &str,
    to: &str,
) -> Result<HashMap<String, Ratio>, ApiError> {
    let IndexSql { counts, date } = index;
    // Built from the constants above only; every value is bound.
    let sql = format!(
        "SELECT substr({date}, 1, 7), {counts} \
         AND substr({date}, 1, 10) BETWEEN $2 AND $3 GROUP BY 1"
    );
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(office)
        .bind(from)
        .bind(to)
        .fetch_all(&state.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(month, n, d)| (month, ratio((n, d))))
        .collect())
}

/// The indices over `period`.
async fn indices(state: &AppState, office: i64, period: &Period) -> Result<Indices, ApiError> {
    let mut found = [Ratio::default(); 5];
    for (slot, index) in found.iter_mut().zip(INDICES) {
        let IndexSql { counts, date } = index;
        let sql = format!("SELECT {counts} AND substr({date}, 1, 10) BETWEEN $2 AND $3");
        let pair: (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(office)
            .bind(&period.from)
            .bind(&period.to)
            .fetch_one(&state.db)
            .await?;
        *slot = ratio(pair);
    }
    Ok(indices_from(found))
}

/// The ratings given over `from`–`to` by level, per month (`YYYY-MM`), or all under the
/// one key `""` when `by_month` is false.
async fn ratings_by(
    state: &AppState,
    office: i64,
    from: &str,
    to: &str,
    by_month: bool,
) -> Result<HashMap<String, RatingCounts>, ApiError> {
    let month = if by_month {
        "substr(rated_at, 1, 7)"
    } else {
        "''"
    };
    let sql = format!(
        "SELECT {month}, level, COUNT(*) FROM ratings \
         WHERE office_id = $1 AND substr(rated_at, 1, 10) BETWEEN $2 AND $3 GROUP BY 1, 2"
    );
    let rows: Vec<(String, String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(office)
        .bind(from)
        .bind(to)
        .fetch_all(&state.db)
        .await?;
    let mut by: HashMap<String, RatingCounts> = HashMap::new();
    for (key, level, n) in rows {
        let counts = by.entry(key).or_default();
        let n = n.max(0) as u64;
        match wire::<RatingLevel>(&level)? {
            RatingLevel::VerySatisfied => counts.very_satisfied += n,
            RatingLevel::Satisfied => counts.satisfied += n,
            RatingLevel::Unsatisfied => counts.unsatisfied += n,
        }
    }
    Ok(by)
}

/// The last `count` calendar months up to `today`'s (to date), oldest first: one query
/// per index for all of them, grouped by month, whatever `count` is.
async fn months(
    state: &AppState,
    office: i64,
    today: NaiveDate,
    count: u32,
) -> Result<Vec<MonthIndices>, ApiError> {
    let this_month = today.with_day(1).unwrap_or(today);
    let first = this_month
        .checked_sub_months(Months::new(count - 1))
        .unwrap_or(this_month);
    let (from, to) = (
        first.format("%Y-%m-%d").to_string(),
        today.format("%Y-%m-%d").to_string(),
    );
    let mut per_index = Vec::with_capacity(INDICES.len());
    for index in INDICES {
        per_index.push(index_by_month(state, office, index, &from, &to).await?);
    }
    let mut ratings = ratings_by(state, office, &from, &to, true).await?;
    let mut certifications = certifications_by(state, office, &from, &to, true).await?;
    let mut out = Vec::with_capacity(count as usize);
    let mut month = first;
    while month <= this_month {
        let key = month.format("%Y-%m").to_string();
        let mut found = [Ratio::default(); 5];
        for (slot, by_month) in found.iter_mut().zip(&per_index) {
            *slot = by_month.get(&key).copied().unwrap_or_default();
        }
        out.push(MonthIndices {
            indices: indices_from(found),
            ratings: ratings.remove(&key).unwrap_or_default(),
            certifications: certifications.remove(&key).unwrap_or_default(),
            month: key,
        });
        let Some(next) = month.checked_add_months(Months::new(1)) else {
            break;
        };
        month = next;
    }
    Ok(out)
}

/// Documents reused from citizens' stores over `period`, by the time of the reuse.
async fn reuse(state: &AppState, office: i64, period: &Period) -> Result<ReuseCounts, ApiError> {
    let (documents, dossiers): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT dossier_id) FROM document_reuses \
         WHERE office_id = $1 AND substr(at, 1, 10) BETWEEN $2 AND $3",
    )
    .bind(office)
    .bind(&period.from)
    .bind(&period.to)
    .fetch_one(&state.db)
    .await?;
    Ok(ReuseCounts {
        documents: documents.max(0) as u64,
        dossiers: dossiers.max(0) as u64,
    })
}

/// Certifications entered over `from`–`to` by kind, and their fees, per month
/// (`YYYY-MM`), or all under the one key `""` when `by_month` is false. `certified_at` is
/// stored at the office's time (+07:00), so its first ten characters are the local date
/// and its first seven the month, as for the indices.
async fn certifications_by(
    state: &AppState,
    office: i64,
    from: &str,
    to: &str,
    by_month: bool,
) -> Result<HashMap<String, CertificationCounts>, ApiError> {
    let month = if by_month {
        "substr(certified_at, 1, 7)"
    } else {
        "''"
    };
    // Built from the two texts above only; every value is bound.
    let sql = format!(
        "SELECT {month}, kind, COUNT(*), CAST(COALESCE(SUM(fee), 0) AS BIGINT) FROM certifications \
         WHERE office_id = $1 AND substr(certified_at, 1, 10) BETWEEN $2 AND $3 GROUP BY 1, 2"
    );
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(office)
        .bind(from)
        .bind(to)
        .fetch_all(&state.db)
        .await?;
    let mut by: HashMap<String, CertificationCounts> = HashMap::new();
    for (key, kind, n, fees) in rows {
        let counts = by.entry(key).or_default();
        let n = n.max(0) as u64;
        match crate::api::certifications::Kind::from_wire(&kind) {
            Some(crate::api::certifications::Kind::Copy) => counts.copy += n,
            Some(crate::api::certifications::Kind::Signature) => counts.signature += n,
            Some(crate::api::certifications::Kind::Contract) => counts.contract += n,
            None => return Err(ApiError::internal(format!("stored kind {kind}"))),
        }
        counts.fees += fees.max(0) as u64;
    }
    Ok(by)
}
