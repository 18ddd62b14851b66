//! Citizens as the desk names them: the opaque public id every answer carries, which
//! citizens an office serves, and a citizen recognised by what they present at the desk.
//!
//! An office serves a citizen whose account it created or who has a dossier there. Only
//! those may be named by id; anyone else is named by the identity number and the date of
//! birth on the card they hand over, and a mismatch is one answer whichever is wrong.

use crate::api::dossiers::{ApplicantRef, Presented};
use crate::domain::text::nfc;
use crate::portal::audit;
use crate::portal::auth::Session;
use crate::portal::db::Flag;
use crate::portal::error::{ApiError, applicant_mismatch, invalid};
use crate::portal::state::AppState;
use chrono::NaiveDate;
use rand::RngCore;
use sqlx::AnyExecutor;

/// Whether office `$1` serves the citizen: created there or applying there. The
/// citizens table is aliased `c`.
pub const SERVED: &str = "(c.office_id = $1 OR EXISTS (SELECT 1 FROM dossiers d \
                          WHERE d.applicant_id = c.id AND d.office_id = $1))";

/// A fresh public id: 16 bytes of the operating system's randomness as 32 lowercase
/// hex digits, like the ones migration 0007 gave the rows it found.
pub fn new_public_id() -> String {
    let mut random = [0u8; 16];
    rand::rng().fill_bytes(&mut random);
    hex::encode(random)
}

/// The citizen with public id `public_id`: the row id and whether `office` serves them.
/// `None` when there is no such citizen.
pub async fn by_public_id<'e>(
    db: impl AnyExecutor<'e>,
    office: i64,
    public_id: &str,
) -> Result<Option<(i64, bool)>, ApiError> {
    let found: Option<(i64, Flag)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT c.id, {SERVED} FROM citizens c WHERE c.public_id = $2"
    )))
    .bind(office)
    .bind(public_id.trim())
    .fetch_optional(db)
    .await?;
    Ok(found.map(|(id, Flag(served))| (id, served)))
}

/// A date of birth as the contract writes it, `YYYY-MM-DD`; `None` otherwise.
fn iso_date(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            matches!((i, b), (4 | 7, b'-')) || (i != 4 && i != 7 && b.is_ascii_digit())
        });
    shaped
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten()
}

/// What a presented card says, checked for shape: the number trimmed, the date parsed.
/// A malformed date is 422 `validation_failed` on `field` (that tells nothing about
/// anyone).
pub fn presented_parts(
    presented: &Presented,
    field: &'static str,
) -> Result<(String, String), ApiError> {
    let date = iso_date(&presented.date_of_birth).ok_or_else(|| {
        invalid(
            field,
            "Ngày sinh không đúng dạng năm-tháng-ngày (ví dụ 1990-07-02). Hãy nhập ngày sinh trên thẻ căn cước công dân xuất trình.",
            "The date of birth is not a year-month-day date (e.g. 1990-07-02). Enter the date of birth on the identity card the citizen presents.",
        )
    })?;
    Ok((
        nfc(presented.id_number.trim()),
        date.format("%Y-%m-%d").to_string(),
    ))
}

/// Records a refused attempt to name a citizen: across offices, or with a card that does
/// not match. Through the pool, outside any write transaction; a failure to write it is
/// logged, and the refusal still answered.
async fn refused(state: &AppState, session: &Session, what: &str) {
    audit::refused(state, session, what).await;
}

/// The throttle's keys for a card presented by `session`: per identity number and per
/// officer.
fn card_keys(session: &Session, number: &str) -> [String; 2] {
    [
        format!("card:{number}"),
        format!("card-officer:{}", session.user_id),
    ]
}

/// Counts a presented card against its limits before it is checked (in one step with
/// the check of the limits, so concurrent guesses cannot all slip under them); 429
/// `too_many_requests` past them, the first refusal in a window audited. The caller
/// gives the attempt back ([`card_matched`]) when the card matches.
async fn count_card(
    state: &AppState,
    session: &Session,
    keys: &[String; 2],
    what: &str,
) -> Result<(), ApiError> {
    let limits = [
        (keys[0].as_str(), state.settings.max_card_misses_per_number),
        (keys[1].as_str(), state.settings.max_card_misses_per_officer),
    ];
    let window = state.settings.throttle_window.as_secs() as i64;
    match state
        .throttle
        .reserve(&limits, window, state.clock.unix())
        .await
    {
        Ok(()) => Ok(()),
        Err(blocked) => {
            if blocked.first {
                refused(
                    state,
                    session,
                    &format!("{what}: too many cards that match no citizen"),
                )
                .await;
            }
            Err(ApiError::TooManyRequests(blocked.wait))
        }
    }
}

/// A matching card was no miss.
async fn card_matched(state: &AppState, keys: &[String; 2]) {
    state.throttle.release(&[&keys[0], &keys[1]]).await;
}

/// The citizen whose identity number and date of birth are the ones presented; 422
/// `applicant_mismatch` (audited) when no citizen has both, 429 `too_many_requests`
/// after too many of those. `what` names the request in the audit row.
pub async fn by_presented(
    state: &AppState,
    session: &Session,
    presented: &Presented,
    field: &'static str,
    what: &str,
) -> Result<i64, ApiError> {
    let (number, date) = presented_parts(presented, field)?;
    let keys = card_keys(session, &number);
    count_card(state, session, &keys, what).await?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM citizens WHERE id_number = $1 AND date_of_birth = $2")
            .bind(&number)
            .bind(&date)
            .fetch_optional(&state.db)
            .await?;
    match found {
        Some(id) => {
            card_matched(state, &keys).await;
            Ok(id)
        }
        None => {
            let typed: String = number.chars().take(32).collect();
            refused(
                state,
                session,
                &format!("{what}: no citizen with number {typed} and this date of birth"),
            )
            .await;
            Err(applicant_mismatch())
        }
    }
}

/// Whether citizen `id` (row id) is the one presented; 422 `applicant_mismatch`
/// (audited) otherwise, 429 `too_many_requests` after too many of those.
pub async fn check_presented(
    state: &AppState,
    session: &Session,
    id: i64,
    presented: &Presented,
    field: &'static str,
    what: &str,
) -> Result<(), ApiError> {
    let (number, date) = presented_parts(presented, field)?;
    let keys = card_keys(session, &number);
    count_card(state, session, &keys, what).await?;
    let Flag(matches) = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM citizens WHERE id = $1 AND id_number = $2 \
         AND date_of_birth = $3)",
    )
    .bind(id)
    .bind(&number)
    .bind(&date)
    .fetch_one(&state.db)
    .await?;
    if matches {
        card_matched(state, &keys).await;
        return Ok(());
    }
    refused(
        state,
        session,
        &format!("{what} citizen {id}: the card presented does not match"),
    )
    .await;
    Err(applicant_mismatch())
}

/// The unknown-citizen answer of a desk submission: also what a citizen of another
/// office gets, so that an id says nothing about whether it exists.
fn unknown_applicant() -> ApiError {
    invalid(
        "applicant.citizen_id",
        "Không tìm thấy công dân này trong số công dân của cơ quan. Hãy tìm theo số định danh; nếu công dân chưa từng nộp hồ sơ ở đây, hãy tiếp nhận theo số định danh và ngày sinh trên thẻ căn cước.",
        "This citizen is not among the office's citizens. Look them up by number; if they have never applied here, take the dossier in with the identity number and date of birth on their card.",
    )
}

/// The applicant of a desk submission at `office`, as a row id: a citizen the office
/// serves by id, or anyone by what they present. Reads only, through the pool, before
/// the submission's write transaction, so that a refusal's audit row is kept.
pub async fn desk_applicant(
    state: &AppState,
    session: &Session,
    office: i64,
    applicant: &ApplicantRef,
) -> Result<i64, ApiError> {
    match applicant {
        ApplicantRef::Citizen(r) => match by_public_id(&state.db, office, &r.citizen_id).await? {
            Some((id, true)) => Ok(id),
            Some((id, false)) => {
                refused(
                    state,
                    session,
                    &format!("POST /dossiers applicant citizen {id} of another office"),
                )
                .await;
                Err(unknown_applicant())
            }
            None => Err(unknown_applicant()),
        },
        ApplicantRef::Presented(p) => {
            by_presented(
                state,
                session,
                p,
                "applicant.date_of_birth",
                "POST /dossiers applicant",
            )
            .await
        }
    }
}
