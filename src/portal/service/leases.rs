//! Code leases (issue 19): a block of the office's numbers of the day held for one
//! reception officer, so that the desk can give a dossier its final code with the link
//! down and print the receipt at once.
//!
//! Leasing bumps the day's counter (`dossier_counters`) by the block in the leasing
//! transaction, as an intake bumps it by one: the block lies between numbers other
//! intakes took before and after, none of which can be one of its own, on any portal
//! process (each write holds the engine's write lock). A number of a lease is then, at
//! any moment, exactly one of: used (a dossier has its code), voided (a `code_voids` row
//! with its reason, released by the officer; or unused when the grace period ended) or
//! held. The register shows all three, so the day has no silent gap.

use crate::api::error::ErrorCode;
use crate::api::leases::{CodeLease, GRACE_DAYS, MAX_HELD, MAX_LEASE, VoidedCode};
use crate::domain::calendar::LocalTime;
use crate::domain::dossier_code::{DossierCode, MAX_SEQ, UnitCode};
use crate::forms::register::SetAside;
use crate::portal::audit::{self, Event};
use crate::portal::auth::Session;
use crate::portal::error::{ApiError, Problem, invalid};
use crate::portal::service::citizens::new_public_id;
use chrono::{Days, NaiveDate};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet};

/// The reason a number gets when its lease's grace period ends with it unused.
pub const EXPIRED_REASON: &str = "Hết hạn giữ số, không dùng / lease ended unused";

/// A lease as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stored {
    pub id: i64,
    pub public_id: String,
    pub office_id: i64,
    pub user_id: i64,
    pub day: String,
    pub first: i64,
    pub count: i64,
    pub created_at: String,
    pub expires_at: String,
}

const SELECT: &str = "SELECT id, public_id, office_id, user_id, day, first, count, \
    created_at, expires_at FROM code_leases";

impl Stored {
    fn day(&self) -> Result<NaiveDate, ApiError> {
        NaiveDate::parse_from_str(&self.day, "%Y-%m-%d").map_err(ApiError::internal)
    }

    /// Every code of the lease, in order.
    pub fn codes(&self, unit: &UnitCode) -> Result<Vec<String>, ApiError> {
        let day = self.day()?;
        (self.first..self.first + self.count)
            .map(|seq| {
                DossierCode::new(unit.clone(), day, seq as u16)
                    .map(|c| c.to_string())
                    .map_err(ApiError::internal)
            })
            .collect()
    }

    /// The last moment a dossier on one of its numbers is accepted: the end of its day
    /// and [`GRACE_DAYS`] more.
    pub fn accepted_until(&self) -> Result<String, ApiError> {
        end_of(self.day()?.checked_add_days(Days::new(GRACE_DAYS as u64)))
    }

    fn grace_over(&self, now: LocalTime) -> Result<bool, ApiError> {
        Ok(now.to_rfc3339() >= self.accepted_until()?)
    }
}

/// The first moment after `day` at +07:00, as stored times are written.
fn end_of(day: Option<NaiveDate>) -> Result<String, ApiError> {
    let next = day
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .ok_or_else(|| ApiError::internal("a lease's day out of range"))?;
    Ok(format!("{}T00:00:00+07:00", next.format("%Y-%m-%d")))
}

async fn unit_of(conn: &mut AnyConnection, office: i64) -> Result<UnitCode, ApiError> {
    let unit: String = sqlx::query_scalar("SELECT code FROM offices WHERE id = $1")
        .bind(office)
        .fetch_one(&mut *conn)
        .await?;
    UnitCode::parse(&unit).map_err(ApiError::internal)
}

/// What became of each number of `lease` at `now`.
async fn settle(
    conn: &mut AnyConnection,
    lease: &Stored,
    unit: &UnitCode,
    now: LocalTime,
) -> Result<CodeLease, ApiError> {
    let codes = lease.codes(unit)?;
    let (lo, hi) = (&codes[0], &codes[codes.len() - 1]);
    // The codes of one lease share their office-and-day part, so they sort as numbers.
    let used: BTreeSet<String> = sqlx::query_scalar(
        "SELECT code FROM dossiers WHERE office_id = $1 AND code >= $2 AND code <= $3",
    )
    .bind(lease.office_id)
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let mut voided: BTreeMap<String, VoidedCode> = load_voids(conn, lease.id).await?;
    // Past the grace period, what was never used is void: read so, not written, so that
    // every read (this list, the register, a late dossier) says the same from the same
    // moment on, and a read writes nothing.
    if lease.grace_over(now)? {
        let at = lease.accepted_until()?;
        for code in codes.iter().filter(|c| !used.contains(*c)) {
            voided.entry(code.clone()).or_insert_with(|| VoidedCode {
                code: code.clone(),
                reason: EXPIRED_REASON.to_owned(),
                voided_at: at.clone(),
            });
        }
    }
    let held = codes
        .iter()
        .filter(|c| !used.contains(*c) && !voided.contains_key(*c))
        .cloned()
        .collect();
    Ok(CodeLease {
        id: lease.public_id.clone(),
        date: lease.day.clone(),
        accepted_until: lease.accepted_until()?,
        created_at: lease.created_at.clone(),
        expires_at: lease.expires_at.clone(),
        used: codes
            .iter()
            .filter(|c| used.contains(*c))
            .cloned()
            .collect(),
        voided: codes.iter().filter_map(|c| voided.remove(c)).collect(),
        held,
        codes,
    })
}

async fn load_voids(
    conn: &mut AnyConnection,
    lease: i64,
) -> Result<BTreeMap<String, VoidedCode>, ApiError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, reason, voided_at FROM code_voids WHERE lease_id = $1")
            .bind(lease)
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(code, reason, voided_at)| {
            let v = VoidedCode {
                code: code.clone(),
                reason,
                voided_at,
            };
            (code, v)
        })
        .collect())
}

async fn void(
    conn: &mut AnyConnection,
    lease: i64,
    code: &str,
    reason: &str,
    at: &str,
    by: &str,
) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO code_voids (code, lease_id, reason, voided_at, voided_by) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING",
    )
    .bind(code)
    .bind(lease)
    .bind(reason)
    .bind(at)
    .bind(by)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Leases `count` numbers of today to the session's officer, in the caller's write
/// transaction; the lease as stored.
pub async fn lease(
    tx: &mut AnyConnection,
    session: &Session,
    office: i64,
    count: i64,
    now: LocalTime,
) -> Result<CodeLease, ApiError> {
    if !(1..=MAX_LEASE).contains(&count) {
        return Err(invalid(
            "count",
            "Mỗi lần giữ từ 1 đến 50 số hồ sơ. Hãy gửi lại số lượng.",
            "A lease holds 1 to 50 numbers. Send the count again.",
        ));
    }
    let day = now.date_naive();
    let day_s = day.format("%Y-%m-%d").to_string();
    let unit = unit_of(tx, office).await?;
    // What the officer still holds today (and from earlier days within their grace):
    // the cap counts numbers held, not leases made, so a desk may renew as it uses.
    let mut held = 0;
    for earlier in open_leases(tx, session.user_id, office, now).await? {
        held += settle(tx, &earlier, &unit, now).await?.held.len() as i64;
    }
    if held + count > MAX_HELD {
        return Err(Problem::new(
            ErrorCode::LeaseLimit,
            format!(
                "Cán bộ đang giữ {held} số chưa dùng; mỗi người giữ tối đa {MAX_HELD} số. Hãy dùng hoặc trả bớt số đang giữ rồi giữ thêm."
            ),
            format!(
                "You hold {held} unused numbers; an officer may hold at most {MAX_HELD}. Use or release some before leasing more."
            ),
        )
        .into());
    }
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO dossier_counters (office_id, day, last) VALUES ($1, $2, $3) \
         ON CONFLICT (office_id, day) DO UPDATE SET last = dossier_counters.last + $3 \
         RETURNING last",
    )
    .bind(office)
    .bind(&day_s)
    .bind(count)
    .fetch_one(&mut *tx)
    .await?;
    if last > i64::from(MAX_SEQ) {
        // The caller's transaction rolls the counter back with this answer.
        return Err(invalid(
            "count",
            "Không còn đủ số hồ sơ trong ngày (tối đa 9999) để giữ. Hãy giữ ít số hơn.",
            "Not enough of today's dossier numbers are left (9999 at most). Lease fewer.",
        ));
    }
    let stored = Stored {
        id: 0,
        public_id: new_public_id(),
        office_id: office,
        user_id: session.user_id,
        day: day_s,
        first: last - count + 1,
        count,
        created_at: now.to_rfc3339(),
        expires_at: end_of(Some(day))?,
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO code_leases (public_id, office_id, user_id, day, first, count, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&stored.public_id)
    .bind(office)
    .bind(session.user_id)
    .bind(&stored.day)
    .bind(stored.first)
    .bind(count)
    .bind(&stored.created_at)
    .bind(&stored.expires_at)
    .fetch_one(&mut *tx)
    .await?;
    let stored = Stored { id, ..stored };
    let answer = settle(tx, &stored, &unit, now).await?;
    let detail = format!(
        "{} {}..{}",
        stored.day,
        stored.first,
        stored.first + stored.count - 1
    );
    audit::record_at(
        &mut *tx,
        now,
        Event::CodesLeased {
            session,
            office_id: office,
            detail: &detail,
        },
    )
    .await?;
    Ok(answer)
}

/// The officer's leases whose numbers may still arrive (within their grace period).
async fn open_leases(
    conn: &mut AnyConnection,
    user: i64,
    office: i64,
    now: LocalTime,
) -> Result<Vec<Stored>, ApiError> {
    let since = now
        .date_naive()
        .checked_sub_days(Days::new(GRACE_DAYS as u64 + 1))
        .unwrap_or(NaiveDate::MIN)
        .format("%Y-%m-%d")
        .to_string();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE user_id = $1 AND office_id = $2 AND day >= $3 ORDER BY id"
    )))
    .bind(user)
    .bind(office)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?)
}

/// The officer's leases that still hold a number, and every lease of today, oldest first.
pub async fn of_officer(
    conn: &mut AnyConnection,
    session: &Session,
    office: i64,
    now: LocalTime,
) -> Result<Vec<CodeLease>, ApiError> {
    let unit = unit_of(conn, office).await?;
    let today = now.date_naive().format("%Y-%m-%d").to_string();
    let mut out = Vec::new();
    for stored in open_leases(conn, session.user_id, office, now).await? {
        let lease = settle(conn, &stored, &unit, now).await?;
        if !lease.held.is_empty() || lease.date == today {
            out.push(lease);
        }
    }
    Ok(out)
}

/// The officer's own lease `public_id` of `office`; another's, or none, is `None`.
async fn own(
    conn: &mut AnyConnection,
    session: &Session,
    office: i64,
    public_id: &str,
) -> Result<Option<Stored>, ApiError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE public_id = $1 AND office_id = $2 AND user_id = $3"
    )))
    .bind(public_id)
    .bind(office)
    .bind(session.user_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Voids `unused` numbers of the officer's lease `public_id` with `reason`, in the
/// caller's write transaction. A number voided already stays as it was (a release may be
/// sent again); a used one is 409 `code_used`, one of another lease 422. `None` when the
/// lease is not the officer's.
pub async fn release(
    tx: &mut AnyConnection,
    session: &Session,
    office: i64,
    public_id: &str,
    unused: &[String],
    reason: &str,
    now: LocalTime,
) -> Result<Option<CodeLease>, ApiError> {
    let Some(stored) = own(tx, session, office, public_id).await? else {
        return Ok(None);
    };
    let unit = unit_of(tx, office).await?;
    let before = settle(tx, &stored, &unit, now).await?;
    let mut voiding = Vec::new();
    for code in unused {
        let code = code.trim();
        if before.used.iter().any(|c| c == code) {
            return Err(Problem::new(
                ErrorCode::CodeUsed,
                format!("Số {code} đã có hồ sơ nên không hủy được. Hãy bỏ số này khỏi danh sách."),
                format!("{code} has a dossier and cannot be voided. Leave it out."),
            )
            .into());
        }
        if !before.codes.iter().any(|c| c == code) {
            return Err(invalid(
                "unused",
                format!("Số {code} không thuộc lô số này. Hãy chỉ gửi các số của lô."),
                format!("{code} is not a number of this lease. Send only the lease's numbers."),
            ));
        }
        if before.held.iter().any(|c| c == code) && !voiding.contains(&code) {
            voiding.push(code);
        }
    }
    if voiding.is_empty() {
        return Ok(Some(before));
    }
    let at = now.to_rfc3339();
    for code in &voiding {
        void(tx, stored.id, code, reason, &at, &session.username).await?;
    }
    let detail = voiding.join(" ");
    audit::record_at(
        &mut *tx,
        now,
        Event::CodesVoided {
            session,
            office_id: office,
            detail: &detail,
            reason,
        },
    )
    .await?;
    Ok(Some(settle(tx, &stored, &unit, now).await?))
}

/// Checks that `code` may number a dossier the session's officer received offline at
/// `received_at`: a held number of one of their own leases, received within its day,
/// not in the future, sent within the grace period. 409 `code_not_leased` (another's,
/// none, voided, too late) or `code_used`; 422 on `received_at`.
pub async fn check_use(
    tx: &mut AnyConnection,
    session: &Session,
    office: i64,
    code: &str,
    received_at: LocalTime,
    now: LocalTime,
) -> Result<DossierCode, ApiError> {
    let unit = unit_of(tx, office).await?;
    let not_leased = |vi: &str, en: &str| -> ApiError {
        Problem::new(ErrorCode::CodeNotLeased, vi.to_owned(), en.to_owned()).into()
    };
    let Ok(parsed) = DossierCode::parse_at(code.trim(), &unit) else {
        return Err(not_leased(
            "Mã hồ sơ không phải một số của đơn vị này giữ cho anh/chị. Hãy gửi lại không kèm mã để nhận mã mới.",
            "The code is not one of this office's numbers leased to you. Send it again without a code to get a new one.",
        ));
    };
    let day = parsed.date().format("%Y-%m-%d").to_string();
    let seq = i64::from(parsed.seq());
    let lease: Option<Stored> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE office_id = $1 AND day = $2 AND first <= $3 AND first + count > $3"
    )))
    .bind(office)
    .bind(&day)
    .bind(seq)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(lease) = lease.filter(|l| l.user_id == session.user_id) else {
        return Err(not_leased(
            "Số hồ sơ này không do anh/chị giữ. Hãy gửi lại không kèm mã để nhận mã mới.",
            "This number is not leased to you. Send it again without a code to get a new one.",
        ));
    };
    let state = settle(tx, &lease, &unit, now).await?;
    let code = parsed.to_string();
    if state.used.contains(&code) {
        return Err(Problem::new(
            ErrorCode::CodeUsed,
            format!("Số {code} đã có hồ sơ khác. Hãy gửi lại không kèm mã để nhận mã mới."),
            format!(
                "{code} numbers another dossier. Send it again without a code to get a new one."
            ),
        )
        .into());
    }
    if let Some(v) = state.voided.iter().find(|v| v.code == code) {
        return Err(not_leased(
            &format!(
                "Số {code} đã bị hủy ({}). Hãy gửi lại không kèm mã để nhận mã mới.",
                v.reason
            ),
            &format!(
                "{code} was voided ({}). Send it again without a code to get a new one.",
                v.reason
            ),
        ));
    }
    let at = received_at.to_rfc3339();
    // A desk's clock may run a little ahead of the portal's.
    let ahead = now + chrono::Duration::minutes(5);
    if received_at > ahead {
        return Err(invalid(
            "received_at",
            "Thời điểm tiếp nhận ở sau thời điểm hiện tại. Hãy kiểm tra đồng hồ của máy.",
            "The moment received is in the future. Check the computer's clock.",
        ));
    }
    if at < lease.created_at || at >= lease.expires_at {
        return Err(invalid(
            "received_at",
            format!(
                "Số {code} chỉ dùng cho hồ sơ tiếp nhận từ lúc giữ số đến hết ngày {day}. Hãy gửi lại không kèm mã để nhận mã mới."
            ),
            format!(
                "{code} numbers only a dossier received from its lease to the end of {day}. Send it again without a code to get a new one."
            ),
        ));
    }
    Ok(parsed)
}

/// The leased numbers of `office`'s days `from` to `to` that no dossier has, for the
/// register: voided (with the reason and when) or still held (with when leased).
pub async fn set_aside(
    conn: &mut AnyConnection,
    office: i64,
    from: NaiveDate,
    to: NaiveDate,
    now: LocalTime,
) -> Result<Vec<SetAside>, ApiError> {
    let unit = unit_of(conn, office).await?;
    let leases: Vec<Stored> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE office_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, first"
    )))
    .bind(office)
    .bind(from.format("%Y-%m-%d").to_string())
    .bind(to.format("%Y-%m-%d").to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for stored in &leases {
        let lease = settle(conn, stored, &unit, now).await?;
        let mut numbers: Vec<SetAside> = lease
            .voided
            .into_iter()
            .map(|v| SetAside {
                code: v.code,
                voided: Some(v.reason),
                at: v.voided_at,
            })
            .chain(lease.held.into_iter().map(|code| SetAside {
                code,
                voided: None,
                at: stored.created_at.clone(),
            }))
            .collect();
        numbers.sort_by(|a, b| a.code.cmp(&b.code));
        out.extend(numbers);
    }
    Ok(out)
}
