//! The calendar endpoints: a year's special days, and due dates.

use crate::api::catalog::{CalendarDay, CalendarYear, DueAnswer, DueQuery};
use crate::api::error::ErrorBody;
use crate::portal::error::ApiError;
use crate::portal::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::DateTime;

/// Years the calendar answers for: the lunar holidays are verified for 1900–2100.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// The longest duration asked of `/calendar/due`: ten years of working days.
const MAX_AMOUNT: u32 = 2600;

/// `GET /calendar/{year}`.
#[utoipa::path(
    get,
    path = "/api/v1/calendar/{year}",
    operation_id = "calendar_year",
    tag = "calendar",
    summary = "A year's special days",
    description = "Every statutory holiday (also those on a weekend), every compensatory day \
        off and every Saturday worked.",
    params(("year" = i32, Path, minimum = 1900, maximum = 2100)),
    responses(
        (status = 200, description = "The year's special days, in date order.", body = CalendarYear),
        (status = 400, description = "`bad_request`: a year outside 1900–2100, or not a number.", body = ErrorBody),
    ),
)]
pub async fn year(
    State(state): State<AppState>,
    Path(year): Path<i32>,
) -> Result<Json<CalendarYear>, ApiError> {
    if !YEARS.contains(&year) {
        return Err(ApiError::BadRequest(format!(
            "the calendar covers {} to {}, not {year}",
            YEARS.start(),
            YEARS.end()
        )));
    }
    let days = state
        .calendar
        .special_days(year)
        .into_iter()
        .map(|d| CalendarDay {
            date: d.date.format("%Y-%m-%d").to_string(),
            kind: d.kind,
            name: d.name,
        })
        .collect();
    Ok(Json(CalendarYear { year, days }))
}

/// `GET /calendar/due?from=&amount=&unit=`.
#[utoipa::path(
    get,
    path = "/api/v1/calendar/due",
    operation_id = "calendar_due",
    tag = "calendar",
    summary = "A due time",
    description = "When something started at `from` and taking `amount` `unit`s is due, by the \
        office hours and the days off.",
    params(DueQuery),
    responses(
        (status = 200, description = "The due time.", body = DueAnswer),
        (status = 400, description = "`bad_request`: a missing or malformed parameter.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `from` over 64 characters or carrying a control character.", body = ErrorBody),
    ),
)]
pub async fn due(
    State(state): State<AppState>,
    Query(query): Query<DueQuery>,
) -> Result<Json<DueAnswer>, ApiError> {
    crate::portal::json::check_query(&query)?;
    let from = DateTime::parse_from_rfc3339(&query.from).map_err(|_| {
        ApiError::BadRequest(format!(
            "from must be an RFC 3339 time such as 2026-03-06T08:00:00+07:00, not '{}'",
            query.from
        ))
    })?;
    if query.amount > MAX_AMOUNT {
        return Err(ApiError::BadRequest(format!(
            "amount must be at most {MAX_AMOUNT}"
        )));
    }
    let due = state.calendar.due(from, query.amount, query.unit);
    Ok(Json(DueAnswer {
        due: due.to_rfc3339(),
    }))
}
