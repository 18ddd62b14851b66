//! Test and bench support: many dossiers at once, for the load benchmark
//! (`benches/portal_load.rs`) and any test that needs a big office. The server never calls
//! it. Every dossier goes through the real intake, and some through a real action, in
//! large transactions: each row is what the desk would have written (search key, detail
//! JSON, documents, delta feed, audit trail with due times), only faster than over HTTP.

mod people;

use super::auth::Session;
use super::db;
use super::seed::{SeedError, builtin_catalog};
use super::service::actions::perform;
use super::service::citizens::new_public_id;
use super::service::intake::intake;
use super::state::AppState;
use crate::api::dossiers::{
    ApplicantRef, Channel, CreateDossier, Delivery, DocumentIn, Relation, Submitter,
};
use crate::domain::calendar::LocalTime;
use crate::domain::identity::Gender;
use crate::domain::text::search_key;
use crate::domain::workflow::{Action, ActionInput, DeliveryMethod, Role};
use chrono::{Days, NaiveDate, TimeDelta};

/// Dossiers one office takes in per working day: a busy ward, and far below the daily
/// counter's 9,999, so a bulk load never runs out of numbers.
pub const PER_DAY: usize = 400;

/// Dossiers per transaction: large enough that commits cost nothing, small enough that
/// the WAL stays a few tens of megabytes.
const BATCH: usize = 5_000;

/// Working days back within which dossiers are still being worked on; older ones are
/// closed (refused or withdrawn), as in a real office's history.
const ACTIVE_DAYS: usize = 15;

/// A cheap, fixed pick in `0..n` for the `i`-th dossier: the same data on every run,
/// without a random generator to carry around.
fn pick(i: usize, salt: u64, n: usize) -> usize {
    let mut x = (i as u64 ^ salt.rotate_left(32)).wrapping_add(salt);
    x = (x ^ (x >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    ((x ^ (x >> 32)) % n.max(1) as u64) as usize
}

/// The working days before `today`, latest first.
fn working_days_before(state: &AppState, today: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    let calendar = state.calendar.clone();
    (1..)
        .filter_map(move |back| today.checked_sub_days(Days::new(back)))
        .filter(move |d| calendar.is_working_day(*d))
}

/// A moment inside the office hours of `day` (07:00–11:30, 13:30–17:00), so that the
/// dossier's code, counter and due time all belong to that day.
fn moment(day: NaiveDate, i: usize, now: LocalTime) -> LocalTime {
    // 390 open minutes a day: 270 in the morning, 120 in the afternoon up to 15:30.
    let minute = pick(i, 0x0d15, 390) as u32;
    let (hour, min) = if minute < 270 {
        (7 + minute / 60, minute % 60)
    } else {
        (13 + (minute - 240) / 60, (minute - 240) % 60)
    };
    day.and_hms_opt(hour, min, 0)
        .and_then(|t| t.and_local_timezone(now.timezone()).single())
        .unwrap_or(now)
}

/// Adds offices numbered after the last one up to `upto` (a province's commune-level
/// centres), each with a reception, a specialist and a leader account named as the demo
/// ones are (`tiepnhanN`, …) and sharing the demo staff's password hash, so a province
/// of a hundred offices costs no hashing. Returns how many offices were added.
pub async fn offices(state: &AppState, upto: i64) -> Result<usize, SeedError> {
    let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(number), 0) FROM offices")
        .fetch_one(&state.db)
        .await?;
    let hash: Option<String> = sqlx::query_scalar(
        "SELECT password_hash FROM users WHERE office_id IS NOT NULL \
         AND password_hash IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_optional(&state.db)
    .await?;
    let hash = hash.ok_or_else(|| SeedError::Data("no staff account to copy".into()))?;
    let created_at = state.clock.now().to_rfc3339();
    let mut tx = db::write(&state.db).await?;
    for n in last + 1..=upto {
        // The demo unit codes are 000.NN.27.H07; past 99 the first group counts on.
        let code = format!("{:03}.{:02}.27.H07", n / 100, n % 100);
        let office: i64 = sqlx::query_scalar(
            "INSERT INTO offices (number, code, name, address, phone, bank_bin, bank_account, \
             account_name) VALUES ($1, $2, $3, $4, $5, '970405', $6, $7) RETURNING id",
        )
        .bind(n)
        .bind(&code)
        .bind(format!("UBND Xã Số {n}"))
        .bind(format!("Trụ sở UBND Xã Số {n}, tỉnh Bến Tre"))
        .bind(format!("0275382{n:04}"))
        .bind(format!("73000000{n:05}"))
        .bind(format!("UBND XA SO {n}"))
        .fetch_one(&mut *tx)
        .await?;
        for role in [Role::Reception, Role::Specialist, Role::Leader] {
            let username = super::seed::demo_username(role.as_str(), n)
                .ok_or_else(|| SeedError::Data(format!("no demo name for {role:?}")))?;
            sqlx::query(
                "INSERT INTO users (username, full_name, role, office_id, password_hash, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&username)
            .bind(format!("Cán bộ {username}"))
            .bind(role.as_str())
            .bind(office)
            .bind(&hash)
            .bind(&created_at)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(usize::try_from(upto - last).unwrap_or(0))
}

/// Adds `count` made-up citizens (see [`people`]) to the office numbered
/// `office_number`, each with an account not yet activated, as the desk's account
/// pane leaves them; the next [`desk_dossiers`] spreads the office's dossiers over them.
/// A real ward's dossiers come from thousands of people, a few of whom share a full
/// name; an office of a dozen citizens would make every name search find a tenth of
/// the office. Returns how many were added.
pub async fn desk_citizens(
    state: &AppState,
    office_number: i64,
    count: usize,
) -> Result<usize, SeedError> {
    let (office, name): (i64, String) =
        sqlx::query_as("SELECT id, name FROM offices WHERE number = $1")
            .bind(office_number)
            .fetch_optional(&state.db)
            .await?
            .ok_or_else(|| SeedError::Data(format!("no office number {office_number}")))?;
    // The office's ward, for the addresses: "UBND Phường An Hội" → "Phường An Hội".
    let place = name.strip_prefix("UBND ").unwrap_or(&name).to_owned();
    let created_at = state.clock.now().to_rfc3339();
    let mut tx = db::write(&state.db).await?;
    for i in 0..count {
        if i > 0 && i % BATCH == 0 {
            tx.commit().await?;
            tx = db::write(&state.db).await?;
        }
        // A number already held (by an earlier run or another office) gives way to the
        // next attempt's; a million serials a birth year make a second attempt rare.
        let mut attempt = 0;
        let (person, citizen_id) = loop {
            let p = people::person(i, office_number as u64, attempt, &place);
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO citizens (office_id, id_number, full_name, search_key, \
                 date_of_birth, gender, phone, email, address, created_at, public_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10) \
                 ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(office)
            .bind(&p.id_number)
            .bind(&p.full_name)
            .bind(search_key(&format!(
                "{} {} {}",
                p.full_name, p.id_number, p.phone
            )))
            .bind(p.date_of_birth.format("%Y-%m-%d").to_string())
            .bind(match p.gender {
                Gender::Male => "male",
                Gender::Female => "female",
            })
            .bind(&p.phone)
            .bind(&p.address)
            .bind(&created_at)
            .bind(new_public_id())
            .fetch_optional(&mut *tx)
            .await?;
            match id {
                Some(id) => break (p, id),
                None if attempt < 16 => attempt += 1,
                None => {
                    return Err(SeedError::Data(format!(
                        "no free identity number for citizen {i} of office {office_number}"
                    )));
                }
            }
        };
        sqlx::query(
            "INSERT INTO users (username, full_name, role, citizen_id, password_hash, created_at) \
             VALUES ($1, $2, 'citizen', $3, NULL, $4)",
        )
        .bind(&person.id_number)
        .bind(&person.full_name)
        .bind(citizen_id)
        .bind(&created_at)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(count)
}

/// Takes `count` desk dossiers into the office numbered `office_number`, on the working
/// days before today (at most [`PER_DAY`] a day, latest days first; today's numbers are
/// left unused). Those of the last few weeks are left received, forwarded or waiting
/// for a supplement; older ones are refused or withdrawn. Returns how many were made.
pub async fn desk_dossiers(
    state: &AppState,
    office_number: i64,
    count: usize,
) -> Result<usize, SeedError> {
    let data = |what: &str, e: &dyn std::fmt::Display| SeedError::Data(format!("{what}: {e}"));
    let office: i64 = sqlx::query_scalar("SELECT id FROM offices WHERE number = $1")
        .bind(office_number)
        .fetch_optional(&state.db)
        .await?
        .ok_or_else(|| SeedError::Data(format!("no office number {office_number}")))?;
    let staff: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, username, role FROM users WHERE office_id = $1 AND active = 1 ORDER BY id",
    )
    .bind(office)
    .fetch_all(&state.db)
    .await?;
    let desk = staff
        .iter()
        .find(|(_, _, role)| role == Role::Reception.as_str())
        .map(|(id, name, _)| Session::acting_as(*id, name, Role::Reception, Some(office), None))
        .ok_or_else(|| SeedError::Data(format!("office {office_number} has no reception")))?;
    let specialist = staff
        .iter()
        .find(|(_, _, role)| role == Role::Specialist.as_str())
        .map(|(_, name, _)| name.clone());
    let citizens: Vec<(i64, String, String, String, String)> = sqlx::query_as(
        "SELECT id, id_number, full_name, address, public_id FROM citizens \
         WHERE office_id = $1 ORDER BY id",
    )
    .bind(office)
    .fetch_all(&state.db)
    .await?;
    if citizens.is_empty() {
        return Err(SeedError::Data(format!(
            "office {office_number} has no citizens"
        )));
    }
    let catalog = builtin_catalog()?;
    let now = state.clock.now();
    let mut days = working_days_before(state, now.date_naive());
    let mut day = days.next().unwrap_or(now.date_naive());

    let mut tx = db::write(&state.db).await?;
    for i in 0..count {
        if i > 0 && i % PER_DAY == 0 {
            day = days.next().unwrap_or(day);
        }
        if i > 0 && i % BATCH == 0 {
            tx.commit().await?;
            tx = db::write(&state.db).await?;
        }
        let salt = office_number as u64;
        let procedure = &catalog[pick(i, salt, catalog.len())];
        let case = &procedure.cases[0];
        let (citizen_id, id_number, full_name, address, public_id) =
            &citizens[pick(i, salt ^ 0xc171, citizens.len())];
        let method = [
            DeliveryMethod::InPerson,
            DeliveryMethod::Postal,
            DeliveryMethod::Online,
        ]
        .into_iter()
        .find(|m| procedure.delivery.contains(m))
        .unwrap_or(DeliveryMethod::InPerson);
        let request = CreateDossier {
            procedure_code: procedure.code.clone(),
            case_id: case.id.clone(),
            applicant: ApplicantRef::citizen(public_id.clone()),
            submitter: Submitter {
                full_name: full_name.clone(),
                id_number: Some(id_number.clone()),
                relation: Relation::Myself,
                authorization_doc: None,
            },
            documents: case
                .documents
                .iter()
                .filter(|p| p.mandatory)
                .map(|p| DocumentIn {
                    part_id: p.id.clone(),
                    originals: p.originals,
                    copies: p.copies,
                    upload_id: None,
                    stored_document_id: None,
                })
                .collect(),
            delivery: Delivery {
                method,
                address: (method == DeliveryMethod::Postal).then(|| address.clone()),
            },
            declaration_accepted: true,
            note: None,
            pages: Some(1 + pick(i, salt ^ 0x9a9e, 4) as u32),
            copies: Some(1),
            code: None,
            received_at: None,
            printed_due_at: None,
        };
        let at = moment(day, i, now);
        let row = intake(
            &mut tx,
            state,
            &desk,
            office,
            *citizen_id,
            &request,
            Channel::Desk,
            at,
            None,
        )
        .await
        .map_err(|e| data("intake", &e))?;

        // The next step, an hour later, if the dossier moved on at all.
        let reason = |r: &str| ActionInput {
            reason: Some(r.to_owned()),
            ..ActionInput::default()
        };
        let recent = i / PER_DAY < ACTIVE_DAYS;
        let step = match (recent, pick(i, salt ^ 0x57e9, 10)) {
            (true, 0..=3) => None,
            (true, 4..=7) => Some((
                Action::Forward,
                ActionInput {
                    assignee: specialist.clone(),
                    ..ActionInput::default()
                },
            )),
            (true, _) => Some((
                Action::RequestSupplement,
                ActionInput {
                    missing_documents: vec![case.documents[0].name.clone()],
                    ..reason("Giấy tờ nộp kèm chưa đầy đủ")
                },
            )),
            (false, 0..=6) => Some((
                Action::Refuse,
                reason("Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan"),
            )),
            (false, _) => Some((Action::Withdraw, reason("Công dân có đơn xin rút hồ sơ"))),
        };
        if let Some((action, input)) = step {
            let later = (at + TimeDelta::hours(1)).min(now);
            match perform(&mut tx, state, &desk, &row, action, &input, later).await {
                Ok(Ok(())) => {}
                Ok(Err(refusal)) => {
                    return Err(SeedError::Data(format!(
                        "{} {}: {refusal}",
                        row.code,
                        action.as_str()
                    )));
                }
                Err(e) => return Err(data(&row.code, &e)),
            }
        }
    }
    tx.commit().await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_stay_in_range_and_spread() {
        let mut seen = [0usize; 10];
        for i in 0..10_000 {
            seen[pick(i, 7, 10)] += 1;
        }
        // Each of ten values within a third of its fair share.
        assert!(seen.iter().all(|&n| (667..=1333).contains(&n)), "{seen:?}");
    }

    #[test]
    fn moments_are_inside_office_hours() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-06T09:00:00+07:00").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        let calendar = crate::domain::calendar::Calendar::default();
        for i in 0..2_000 {
            let t = moment(day, i, now);
            assert_eq!(t.date_naive(), day);
            assert_eq!(calendar.normalize_start(t), t, "{t}");
        }
    }
}
