//! Citizen accounts: the desk finds and creates them and issues one-time activation
//! codes; a citizen activates the account with the code by choosing a password.
//!
//! Scoping: a staff user sees a citizen when the citizen's account was created at the
//! user's office, or when the citizen has a dossier there. Anyone else's citizen is
//! answered 404, as if it did not exist (docs/api.md, "Roles and scoping").

use super::limit;
use crate::api::Page;
use crate::api::citizens::{
    ActivateRequest, Activation, Citizen, CitizenCreated, CitizenDetail, CitizenDossier,
    CitizenQuery, NewCitizen,
};
use crate::api::dossiers::Presented;
use crate::api::error::{ErrorBody, ErrorCode};
use crate::domain::account::{ACTIVATION_VALID_HOURS, activation_code_from};
use crate::domain::calendar::vn_offset;
use crate::domain::identity::{Gender, parse_cmnd, validate_cccd};
use crate::domain::phone::parse_phone;
use crate::domain::status::Status;
use crate::domain::text::{Matcher, nfc, search_key};
use crate::domain::workflow::Role;
use crate::domain::{Lang, RuleError};
use crate::portal::audit::{self, Event};
use crate::portal::auth::{Session, digest};
use crate::portal::db;
use crate::portal::db::Flag;
use crate::portal::error::{ApiError, Problem, Rule};
use crate::portal::idempotency::Idempotent;
use crate::portal::json::{check_query, parse_json};
use crate::portal::search::{self, Order};
use crate::portal::service::activation;
use crate::portal::service::citizens::{self, new_public_id};
use crate::portal::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, SecondsFormat};
use rand::RngCore;
use sqlx::AnyConnection;
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

/// Who may create accounts and issue codes: the desk, and the office's administrator.
const DESK: &[Role] = &[Role::Reception, Role::Admin];

/// Longest accepted texts, in characters: generous for real names and addresses, small
/// enough that nobody stores a novel in a name.
const MAX_NAME: usize = 100;
const MAX_ADDRESS: usize = 300;
const MAX_EMAIL: usize = 254;

/// Nobody registered today was born before this year; an earlier date is a typing slip.
const EARLIEST_BIRTH_YEAR: i32 = 1900;

/// A citizen is visible to office `$1` when the office serves them: created there or
/// applying there. The citizens table is aliased `c`.
const VISIBLE: &str = citizens::SERVED;

/// The columns of [`CitizenRow`], for a `FROM citizens c`.
const COLUMNS: &str = "c.public_id, c.id_number, c.legacy_id_number, c.full_name, c.date_of_birth, \
     c.gender, c.phone, c.email, c.address, c.office_id, c.created_at, \
     EXISTS (SELECT 1 FROM users u WHERE u.citizen_id = c.id \
             AND u.password_hash IS NOT NULL) AS activated";

// ---------------------------------------------------------------------------------------
// Validation of a new citizen
// ---------------------------------------------------------------------------------------

/// The fields checked here (the others have their own domain errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    FullName,
    DateOfBirth,
    Gender,
    Address,
    Email,
}

impl Field {
    fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Field::FullName, Lang::Vi) => "Họ và tên",
            (Field::DateOfBirth, Lang::Vi) => "Ngày sinh",
            (Field::Gender, Lang::Vi) => "Giới tính",
            (Field::Address, Lang::Vi) => "Địa chỉ",
            (Field::Email, Lang::Vi) => "Thư điện tử",
            (Field::FullName, Lang::En) => "full name",
            (Field::DateOfBirth, Lang::En) => "date of birth",
            (Field::Gender, Lang::En) => "gender",
            (Field::Address, Lang::En) => "address",
            (Field::Email, Lang::En) => "e-mail address",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(Lang::En))
    }
}

/// What is wrong with one field of a new citizen, beyond the identity-number and phone
/// rules of the domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum FieldError {
    #[error("the {0} is missing")]
    Missing(Field),
    #[error("the {field} is longer than {max} characters")]
    TooLong { field: Field, max: usize },
    #[error("the {0} contains a control character")]
    Control(Field),
    #[error("the date of birth {0:?} is not a date in YYYY-MM-DD form")]
    BadDate(String),
    #[error("the date of birth {0} is in the future")]
    FutureBirth(NaiveDate),
    #[error("the date of birth {0} is before {EARLIEST_BIRTH_YEAR}")]
    TooEarly(NaiveDate),
    #[error("{0:?} is not an e-mail address")]
    BadEmail(String),
}

impl RuleError for FieldError {
    /// A field's problem travels in `fields`, under the request's `validation_failed`.
    fn code(&self) -> &'static str {
        ErrorCode::ValidationFailed.as_str()
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (FieldError::Missing(Field::Gender), Lang::Vi) => {
                "Chưa chọn giới tính. Hãy chọn Nam hoặc Nữ như trên thẻ CCCD.".into()
            }
            (FieldError::Missing(Field::Gender), Lang::En) => {
                "No gender was chosen. Choose male or female, as on the identity card.".into()
            }
            (FieldError::Missing(field), Lang::Vi) => format!(
                "Chưa nhập {}. Hãy nhập như trên giấy tờ của công dân.",
                field.label(Lang::Vi).to_lowercase()
            ),
            (FieldError::Missing(field), Lang::En) => {
                format!("The {field} is missing. Enter it as on the citizen's papers.")
            }
            (FieldError::TooLong { field, max }, Lang::Vi) => format!(
                "{} dài quá {max} ký tự. Hãy kiểm tra lại, có thể đã dán nhầm nội dung khác.",
                field.label(Lang::Vi)
            ),
            (FieldError::TooLong { field, max }, Lang::En) => format!(
                "The {field} is longer than {max} characters. Check it; something else may have been pasted."
            ),
            (FieldError::Control(field), Lang::Vi) => format!(
                "{} có ký tự điều khiển (như xuống dòng, tab). Hãy nhập lại trên một dòng.",
                field.label(Lang::Vi)
            ),
            (FieldError::Control(field), Lang::En) => format!(
                "The {field} contains a control character (such as a line break or tab). Enter it again on one line."
            ),
            (FieldError::BadDate(given), Lang::Vi) => format!(
                "Ngày sinh «{given}» không đúng dạng năm-tháng-ngày (ví dụ 1990-07-02). Hãy nhập lại ngày sinh như trên thẻ."
            ),
            (FieldError::BadDate(given), Lang::En) => format!(
                "The date of birth \"{given}\" is not a year-month-day date (e.g. 1990-07-02). Enter the date of birth on the card."
            ),
            (FieldError::FutureBirth(date), Lang::Vi) => format!(
                "Ngày sinh {} ở tương lai. Hãy kiểm tra lại ngày sinh trên thẻ.",
                date.format("%d/%m/%Y")
            ),
            (FieldError::FutureBirth(date), Lang::En) => format!(
                "The date of birth {date} is in the future. Check the date of birth on the card."
            ),
            (FieldError::TooEarly(date), Lang::Vi) => format!(
                "Ngày sinh {} trước năm {EARLIEST_BIRTH_YEAR}. Hãy kiểm tra lại năm sinh trên thẻ.",
                date.format("%d/%m/%Y")
            ),
            (FieldError::TooEarly(date), Lang::En) => format!(
                "The date of birth {date} is before {EARLIEST_BIRTH_YEAR}. Check the year of birth on the card."
            ),
            (FieldError::BadEmail(given), Lang::Vi) => format!(
                "«{given}» không phải địa chỉ thư điện tử (dạng ten@mien.vn). Hãy sửa lại, hoặc để trống nếu công dân không có."
            ),
            (FieldError::BadEmail(given), Lang::En) => format!(
                "\"{given}\" is not an e-mail address (name@domain.vn). Correct it, or leave it empty if the citizen has none."
            ),
        }
    }
}

/// A new citizen whose every field passed.
struct ValidCitizen {
    id_number: String,
    legacy_id_number: Option<String>,
    full_name: String,
    date_of_birth: NaiveDate,
    gender: Gender,
    phone: String,
    email: Option<String>,
    address: String,
}

/// NFC, then trimmed: what every submitted text becomes before it is checked or stored.
fn clean(s: &str) -> String {
    nfc(s).trim().to_owned()
}

/// An optional text: empty means absent, since forms send "" for a blank field.
fn clean_optional(s: Option<&str>) -> Option<String> {
    s.map(clean).filter(|s| !s.is_empty())
}

/// A required one-line text of at most `max` characters.
fn required_text(value: &str, field: Field, max: usize) -> Result<String, FieldError> {
    let value = clean(value);
    if value.is_empty() {
        return Err(FieldError::Missing(field));
    }
    if value.chars().count() > max {
        return Err(FieldError::TooLong { field, max });
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::Control(field));
    }
    Ok(value)
}

fn date_of_birth(value: &str, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let value = clean(value);
    if value.is_empty() {
        return Err(FieldError::Missing(Field::DateOfBirth));
    }
    // chrono would also take "1990-7-2" or "+1990-07-02"; the contract says YYYY-MM-DD.
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            matches!((i, b), (4 | 7, b'-')) || (i != 4 && i != 7 && b.is_ascii_digit())
        });
    let date = NaiveDate::parse_from_str(&value, "%Y-%m-%d")
        .ok()
        .filter(|_| shaped)
        .ok_or_else(|| FieldError::BadDate(value.chars().take(40).collect()))?;
    if date > today {
        return Err(FieldError::FutureBirth(date));
    }
    if date < NaiveDate::from_ymd_opt(EARLIEST_BIRTH_YEAR, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(FieldError::TooEarly(date));
    }
    Ok(date)
}

fn email(value: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(value) = clean_optional(value) else {
        return Ok(None);
    };
    if value.chars().count() > MAX_EMAIL {
        return Err(FieldError::TooLong {
            field: Field::Email,
            max: MAX_EMAIL,
        });
    }
    if !crate::domain::account::email_shape(&value) {
        return Err(FieldError::BadEmail(value.chars().take(60).collect()));
    }
    Ok(Some(value))
}

/// Checks every field and reports every problem at once, so that the officer fixes the
/// form in one go rather than one error per submission.
fn validate(draft: &NewCitizen, today: NaiveDate) -> Result<ValidCitizen, ApiError> {
    let mut problems: BTreeMap<String, Rule> = BTreeMap::new();
    fn keep<T, E: RuleError + Send + Sync + 'static>(
        problems: &mut BTreeMap<String, Rule>,
        name: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(e) => {
                problems.insert(name.to_owned(), Arc::new(e));
                None
            }
        }
    }

    let full_name = keep(
        &mut problems,
        "full_name",
        required_text(&draft.full_name, Field::FullName, MAX_NAME),
    );
    let address = keep(
        &mut problems,
        "address",
        required_text(&draft.address, Field::Address, MAX_ADDRESS),
    );
    let dob = keep(
        &mut problems,
        "date_of_birth",
        date_of_birth(&draft.date_of_birth, today),
    );
    let gender = keep(
        &mut problems,
        "gender",
        draft.gender.ok_or(FieldError::Missing(Field::Gender)),
    );
    // The number is checked against the date of birth and gender only when they are
    // valid themselves, so that one slip is not reported twice.
    let cccd = keep(
        &mut problems,
        "id_number",
        validate_cccd(&clean(&draft.id_number), today, dob, gender),
    );
    let phone = keep(&mut problems, "phone", parse_phone(&draft.phone));
    let email = keep(&mut problems, "email", email(draft.email.as_deref()));
    let legacy = keep(
        &mut problems,
        "legacy_id_number",
        clean_optional(draft.legacy_id_number.as_deref())
            .map(|n| parse_cmnd(&n))
            .transpose(),
    );

    match (full_name, address, dob, gender, cccd, phone, email, legacy) {
        (
            Some(full_name),
            Some(address),
            Some(date_of_birth),
            Some(gender),
            Some(cccd),
            Some(phone),
            Some(email),
            Some(legacy),
        ) if problems.is_empty() => Ok(ValidCitizen {
            id_number: cccd.number().to_owned(),
            legacy_id_number: legacy.map(|c| c.as_str().to_owned()),
            full_name,
            date_of_birth,
            gender,
            phone: phone.number().to_owned(),
            email,
            address,
        }),
        _ => Err(ApiError::Validation(problems)),
    }
}

// ---------------------------------------------------------------------------------------
// Reading citizens
// ---------------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct CitizenRow {
    public_id: String,
    id_number: String,
    legacy_id_number: Option<String>,
    full_name: String,
    date_of_birth: String,
    gender: String,
    phone: String,
    email: Option<String>,
    address: String,
    office_id: i64,
    created_at: String,
    #[sqlx(try_from = "crate::portal::db::Flag")]
    activated: bool,
}

fn gender_wire(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "male",
        Gender::Female => "female",
    }
}

impl CitizenRow {
    fn into_api(self) -> Result<Citizen, ApiError> {
        let gender = match self.gender.as_str() {
            "male" => Gender::Male,
            "female" => Gender::Female,
            other => return Err(ApiError::internal(format!("citizen gender {other:?}"))),
        };
        Ok(Citizen {
            id: self.public_id,
            id_number: self.id_number,
            legacy_id_number: self.legacy_id_number,
            full_name: self.full_name,
            date_of_birth: self.date_of_birth,
            gender,
            phone: self.phone,
            email: self.email,
            address: self.address,
            office_id: self.office_id,
            created_at: self.created_at,
            activated: self.activated,
        })
    }
}

async fn citizen_by_id(db: &mut AnyConnection, id: i64) -> Result<Citizen, ApiError> {
    let row: CitizenRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM citizens c WHERE c.id = $1"
    )))
    .bind(id)
    .fetch_one(db)
    .await?;
    row.into_api()
}

/// The citizen (row id) whose public id `raw` is, if `session`'s office may see it;
/// otherwise 404, with an audit row when the citizen exists but belongs elsewhere
/// (someone looked across offices, which is worth knowing).
pub(crate) async fn visible_citizen(
    state: &AppState,
    session: &Session,
    office: i64,
    raw: &str,
    what: &str,
) -> Result<i64, ApiError> {
    match citizens::by_public_id(&state.db, office, raw).await? {
        Some((id, true)) => Ok(id),
        Some((id, false)) => {
            audit::refused(state, session, &format!("{what} citizen {id}")).await;
            Err(ApiError::NotFound)
        }
        None => Err(ApiError::NotFound),
    }
}

/// Cursors are opaque to clients; inside, the public id of the citizen after whom the
/// next page starts (never a row number: those would count the accounts).
const CURSOR_PREFIX: &str = "citizens:";

/// The citizens' word index (migration 0023; a trigram index on PostgreSQL).
const CITIZEN_WORDS: search::Indexed = search::Indexed {
    id: "c.id",
    key: "c.search_key",
    fts: "citizen_words",
};

fn encode_cursor(after: &str) -> String {
    search::cursor(CURSOR_PREFIX, after)
}

/// The row a cursor points after: its id and search key, which place it in the ranked
/// order of a search. Only a citizen the office may see: another office's row would otherwise tell, by
/// where the next page starts, which words its name holds.
async fn decode_cursor(
    state: &AppState,
    office: i64,
    cursor: &str,
) -> Result<(i64, String), ApiError> {
    let public_id =
        search::cursor_public_id(CURSOR_PREFIX, cursor).ok_or_else(search::foreign_cursor)?;
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT c.id, c.search_key FROM citizens c WHERE {VISIBLE} AND c.public_id = $2"
    )))
    .bind(office)
    .bind(public_id)
    .fetch_optional(&state.db)
    .await?
    .ok_or_else(search::foreign_cursor)
}

/// What a query searches for: a phone number in any written form ("0912 345 678",
/// "+84 912…") is searched as its digits, which is how it is stored; anything else as
/// words.
fn search_text(q: &str) -> String {
    match parse_phone(q) {
        Ok(phone) => phone.number().to_owned(),
        Err(_) => q.to_owned(),
    }
}

/// `GET /citizens?id_number=&q=&limit=&cursor=`: the office's citizens, oldest account
/// first; a search ranks those holding its words whole first.
#[utoipa::path(
    get,
    path = "/api/v1/citizens",
    operation_id = "list_citizens",
    tag = "citizens",
    summary = "Find citizens",
    description = "The citizens the office may see (created there, or applying there), oldest \
        account first: by exact identity number, or by words of the name or number or a phone \
        number in any written form. A search (`q`) lists first the citizens holding more of its \
        words whole (`nguyen van an`: Nguyễn Văn An before Nguyễn Văn Anh), then oldest first; \
        the cursor pages through that order.",
    params(CitizenQuery),
    responses(
        (status = 200, description = "A page of citizens.", body = Page<Citizen>),
        (status = 400, description = "`bad_request`: a malformed parameter, limit or cursor.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a parameter beyond its bounds (`q` over 200 characters or 20 words) or carrying a control character; `fields` names it.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<CitizenQuery>, QueryRejection>,
) -> Result<Json<Page<Citizen>>, ApiError> {
    let office = session.office(&state, "citizens.list").await?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    check_query(&query)?;
    let limit = limit(query.limit)? as usize;
    let after = match query.cursor.as_deref() {
        Some(cursor) => Some(decode_cursor(&state, office, cursor).await?),
        None => None,
    };
    let id_number = query
        .id_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let matcher = Matcher::new(&search_text(query.q.as_deref().unwrap_or("")));

    // The word index narrows the rows; the matcher decides and ranks (src/portal/search.rs).
    let (indexed, words) = search::word_filter(state.engine(), CITIZEN_WORDS, &matcher, 3);
    let mut candidates = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT c.id, c.search_key FROM citizens c WHERE {VISIBLE} \
         AND ($2 IS NULL OR c.id_number = $2) {indexed} ORDER BY c.id"
    )))
    .bind(office)
    .bind(id_number);
    for word in words {
        candidates = candidates.bind(word);
    }
    let candidates: Vec<(i64, String)> = candidates.fetch_all(&state.db).await?;
    let after = after.as_ref().map(|(id, key)| (*id, key.as_str()));
    let found = search::ranked_page(&candidates, &matcher, Order::Ascending, after, limit);
    let total = found.total;
    let page = &found.ids;
    let mut items = Vec::with_capacity(page.len());
    let mut conn = state.db.acquire().await?;
    for &id in page {
        items.push(citizen_by_id(&mut conn, id).await?);
    }
    let next_cursor = found
        .more
        .then(|| items.last().map(|c: &Citizen| encode_cursor(&c.id)))
        .flatten();
    Ok(Json(Page {
        items,
        next_cursor,
        total,
    }))
}

#[derive(sqlx::FromRow)]
struct DossierRow {
    code: String,
    status: String,
    procedure_code: String,
    submitted_at: String,
    due_at: Option<String>,
}

/// `GET /citizens/{id}`: the citizen and their dossiers at the caller's office.
#[utoipa::path(
    get,
    path = "/api/v1/citizens/{id}",
    operation_id = "get_citizen",
    tag = "citizens",
    summary = "A citizen",
    description = "The citizen, with their dossiers at the caller's office, newest first. A \
        citizen the office may not see is 404.",
    params(("id" = String, Path, description = "The citizen's id (`Citizen.id`).")),
    responses(
        (status = 200, description = "The citizen.", body = CitizenDetail),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn detail(
    State(state): State<AppState>,
    session: Session,
    Path(raw): Path<String>,
) -> Result<Json<CitizenDetail>, ApiError> {
    let office = session.office(&state, "citizens.detail").await?;
    let id = visible_citizen(&state, &session, office, &raw, "citizens.detail").await?;
    let mut conn = state.db.acquire().await?;
    let citizen = citizen_by_id(&mut conn, id).await?;
    // Another office's dossiers of the same citizen stay hidden: that office's business.
    let rows: Vec<DossierRow> = sqlx::query_as(
        "SELECT code, status, procedure_code, submitted_at, due_at FROM dossiers \
         WHERE applicant_id = $1 AND office_id = $2 ORDER BY submitted_at DESC, id DESC",
    )
    .bind(id)
    .bind(office)
    .fetch_all(&mut *conn)
    .await?;
    let dossiers = rows
        .into_iter()
        .map(|r| {
            Ok(CitizenDossier {
                status: Status::from_wire(&r.status)
                    .ok_or_else(|| ApiError::internal(format!("dossier status {:?}", r.status)))?,
                code: r.code,
                procedure_code: r.procedure_code,
                submitted_at: r.submitted_at,
                due_at: r.due_at,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Json(CitizenDetail { citizen, dossiers }))
}

// ---------------------------------------------------------------------------------------
// Creating accounts and activation codes
// ---------------------------------------------------------------------------------------

fn rfc3339(unix: i64) -> String {
    DateTime::from_timestamp(unix, 0)
        .map(|t| {
            t.with_timezone(&vn_offset())
                .to_rfc3339_opts(SecondsFormat::Secs, false)
        })
        .unwrap_or_default()
}

/// A fresh activation code from the operating system's random source.
fn new_activation_code() -> Result<String, ApiError> {
    // 32 bytes give 8 letters unless more than 24 of them fall in the few rejected
    // values; a second draw makes failure practically impossible, but never a panic.
    for _ in 0..4 {
        let mut random = [0u8; 32];
        rand::rng().fill_bytes(&mut random);
        if let Some(code) = activation_code_from(&random) {
            return Ok(code);
        }
    }
    Err(ApiError::internal(
        "no activation code from 128 random bytes",
    ))
}

/// Replaces the citizen's activation code with a new one, valid for
/// [`ACTIVATION_VALID_HOURS`]; only its digest is stored. Returns the code and its
/// expiry (Unix seconds).
async fn issue_code(
    tx: &mut AnyConnection,
    citizen_id: i64,
    now: i64,
) -> Result<(String, i64), ApiError> {
    let code = new_activation_code()?;
    let expires_at = now + ACTIVATION_VALID_HOURS * 3600;
    sqlx::query(
        "INSERT INTO activation_codes (citizen_id, code_hash, expires_at, used_at) \
         VALUES ($1, $2, $3, NULL) \
         ON CONFLICT (citizen_id) DO UPDATE SET code_hash = excluded.code_hash, \
         expires_at = excluded.expires_at, used_at = NULL",
    )
    .bind(citizen_id)
    .bind(digest(&code))
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    Ok((code, expires_at))
}

/// A 201 with a JSON body, and a `Location` when given.
fn created(body: &impl serde::Serialize, location: Option<String>) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Some(value) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `POST /citizens`: the account, its login and its first activation code, in one
/// transaction with the audit row and the idempotent response.
#[utoipa::path(
    post,
    path = "/api/v1/citizens",
    operation_id = "create_citizen",
    tag = "citizens",
    summary = "Create a citizen account",
    description = "Reception or admin. Every field is checked and every problem reported at \
        once. The account has no password: the answer carries a one-time activation code \
        (`null` in a replayed answer, since only its hash is kept: then issue a new one).",
    params(
        ("Idempotency-Key" = String, Header, pattern = "^(\"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = crate::portal::openapi::text::IDEMPOTENCY_KEY),
    ),
    request_body = NewCitizen,
    responses(
        (status = 201, description = "The account and its activation code.", body = CitizenCreated,
            headers(
                ("Location" = String, description = "The citizen: `/api/v1/citizens/{id}`."),
            )),
        (status = 400, description = "`idempotency_key_missing`; `bad_request`: a malformed key or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not reception or admin.", body = ErrorBody),
        (status = 409, description = "`citizen_exists`: the number has an account; `existing_id` \
            names it when the office serves the citizen, and nothing of the account is told when \
            another office does (take the dossier in by number and date of birth); \
            `username_taken`; `request_in_progress`.", body = ErrorBody),
        (status = 422, description = "`validation_failed`, with every invalid field in `fields`; \
            `idempotency_key_reused`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    session.require(&state, DESK, "citizens.create").await?;
    let office = session.office(&state, "citizens.create").await?;
    let idempotent = Idempotent::claim(&state, &session, &headers, "citizens.create", &body)?;
    let draft: NewCitizen = parse_json(&body)?;

    let mut tx = db::write(&state.db).await?;
    if let Some(replayed) = idempotent.replay(&mut tx).await? {
        return Ok(replayed);
    }
    let now = state.clock.now();
    let valid = validate(&draft, now.date_naive())?;

    // The number is taken. A citizen the office serves is named, so the desk opens the
    // account; another office's citizen is not (neither id nor any detail): the desk
    // takes their dossier in by the number and date of birth on the card.
    let existing: Option<(String, Flag)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT c.public_id, {VISIBLE} FROM citizens c WHERE c.id_number = $2"
    )))
    .bind(office)
    .bind(&valid.id_number)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((id, Flag(served))) = existing {
        return Err(ApiError::CitizenExists(served.then_some(id)));
    }
    // The username is the number; a non-citizen account could only hold it by mistake.
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1")
        .bind(&valid.id_number)
        .fetch_one(&mut *tx)
        .await?;
    if taken > 0 {
        return Err(ApiError::Conflict(ErrorCode::UsernameTaken));
    }

    let created_at = now.to_rfc3339_opts(SecondsFormat::Secs, false);
    let citizen_id: i64 = sqlx::query_scalar(
        "INSERT INTO citizens (office_id, id_number, legacy_id_number, full_name, search_key, \
         date_of_birth, gender, phone, email, address, created_at, public_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(office)
    .bind(&valid.id_number)
    .bind(&valid.legacy_id_number)
    .bind(&valid.full_name)
    .bind(search_key(&format!(
        "{} {} {}",
        valid.full_name, valid.id_number, valid.phone
    )))
    .bind(valid.date_of_birth.format("%Y-%m-%d").to_string())
    .bind(gender_wire(valid.gender))
    .bind(&valid.phone)
    .bind(&valid.email)
    .bind(&valid.address)
    .bind(&created_at)
    .bind(new_public_id())
    .fetch_one(&mut *tx)
    .await?;
    // No password: the citizen chooses one with the activation code (no default
    // passwords, docs/domain.md).
    sqlx::query(
        "INSERT INTO users (username, full_name, role, citizen_id, password_hash, created_at) \
         VALUES ($1, $2, 'citizen', $3, NULL, $4)",
    )
    .bind(&valid.id_number)
    .bind(&valid.full_name)
    .bind(citizen_id)
    .bind(&created_at)
    .execute(&mut *tx)
    .await?;
    let (code, expires_at) = issue_code(&mut tx, citizen_id, now.timestamp()).await?;
    audit::record(
        &mut *tx,
        &state.clock,
        Event::CitizenCreated {
            session: &session,
            citizen_id,
        },
    )
    .await?;

    let citizen = citizen_by_id(&mut tx, citizen_id).await?;
    let mut answer = CitizenCreated {
        citizen,
        activation: Activation {
            code: None,
            expires_at: rfc3339(expires_at),
        },
    };
    // What a retry will get: everything but the code, which exists only hashed.
    let stored = serde_json::to_value(&answer).map_err(ApiError::internal)?;
    idempotent
        .store(&mut tx, now.timestamp(), StatusCode::CREATED, &stored)
        .await?;
    tx.commit().await?;
    drop(idempotent);

    answer.activation.code = Some(code);
    let location = format!("{}/citizens/{}", crate::api::BASE_PATH, answer.citizen.id);
    Ok(created(&answer, Some(location)))
}

/// `POST /citizens/{id}/activation`: a new code for a citizen who lost the slip, let it
/// expire, or forgot the password. The previous code stops working at once. On an account
/// already active the code is a password reset: the citizen must be there, their card
/// matching the account (`{id_number, date_of_birth}`), the reset is audited as such and
/// the citizen is told on their e-mail and phone (queued in the notification outbox).
#[utoipa::path(
    post,
    path = "/api/v1/citizens/{id}/activation",
    operation_id = "issue_activation",
    tag = "citizens",
    summary = "Issue a new activation code",
    description = "Reception or admin, for a citizen who lost the slip, let it expire or forgot \
        the password. The previous code stops working at once. For an account not yet \
        activated no body is needed. For an account already active (the citizen has set a \
        password) the new code is a password reset, done with the citizen present: the body \
        must carry the `id_number` and `date_of_birth` on the card the citizen presents, \
        matching the account; the reset is audited (`password_reset_issued`) and a message \
        to the citizen's e-mail and phone is queued in the notification outbox. When the \
        code is used, the old password stops working and the account's sessions end.",
    params(
        ("id" = String, Path, description = "The citizen's id (`Citizen.id`)."),
        ("Idempotency-Key" = String, Header, pattern = "^(\"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = crate::portal::openapi::text::IDEMPOTENCY_KEY),
    ),
    request_body(content = Option<Presented>, description = "What the citizen presents; \
        required when the account is already active."),
    responses(
        (status = 201, description = "The new code (`null` in a replayed answer).", body = Activation),
        (status = 400, description = "`idempotency_key_missing`; `bad_request`: a malformed key or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not reception or admin.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`request_in_progress`.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: an active account without the card \
            presented (`fields.id_number`, `fields.date_of_birth`), or a malformed date; \
            `applicant_mismatch`: the card presented does not match the account; \
            `idempotency_key_reused`.", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: too many cards presented that match no citizen, \
            for this identity number or by this officer.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
    security(("bearer" = [])),
)]
pub async fn issue_activation(
    State(state): State<AppState>,
    session: Session,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    session.require(&state, DESK, "citizens.activation").await?;
    let office = session.office(&state, "citizens.activation").await?;
    let citizen_id = visible_citizen(&state, &session, office, &raw, "citizens.activation").await?;
    // The citizen is part of the operation: the same key for another citizen is reuse.
    let what = format!("citizens.activation:{citizen_id}");
    let idempotent = Idempotent::claim(&state, &session, &headers, &what, &body)?;
    // No body and a JSON `null` are the same: nothing presented.
    let presented: Option<Presented> =
        if body.trim_ascii().is_empty() || body.trim_ascii() == b"null" {
            None
        } else {
            Some(parse_json(&body)?)
        };
    let Flag(active) = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE citizen_id = $1 \
         AND password_hash IS NOT NULL)",
    )
    .bind(citizen_id)
    .fetch_one(&state.db)
    .await?;
    // Checked before the write transaction, so that a mismatch's audit row is kept.
    match &presented {
        Some(p) => {
            citizens::check_presented(
                &state,
                &session,
                citizen_id,
                p,
                "date_of_birth",
                "citizens.activation",
            )
            .await?
        }
        None if active => return Err(presence_needed()),
        None => {}
    }

    let mut tx = db::write(&state.db).await?;
    if let Some(replayed) = idempotent.replay(&mut tx).await? {
        return Ok(replayed);
    }
    let now = state.clock.unix();
    let (code, expires_at) = issue_code(&mut tx, citizen_id, now).await?;
    let event = if active {
        queue_reset_notices(&mut tx, &state, citizen_id).await?;
        Event::PasswordResetIssued {
            session: &session,
            citizen_id,
        }
    } else {
        Event::ActivationIssued {
            session: &session,
            citizen_id,
        }
    };
    audit::record(&mut *tx, &state.clock, event).await?;
    let mut answer = Activation {
        code: None,
        expires_at: rfc3339(expires_at),
    };
    let stored = serde_json::to_value(&answer).map_err(ApiError::internal)?;
    idempotent
        .store(&mut tx, now, StatusCode::CREATED, &stored)
        .await?;
    tx.commit().await?;
    drop(idempotent);

    answer.code = Some(code);
    Ok(created(&answer, None))
}

/// The refusal of a password reset asked without the citizen's card.
fn presence_needed() -> ApiError {
    let rule = |field: &'static str| -> (String, Rule) {
        let said = Problem::invalid(
            field,
            "Tài khoản này đã kích hoạt: cấp mã mới là đặt lại mật khẩu, chỉ làm khi công dân có mặt. Hãy nhập số định danh và ngày sinh trên thẻ căn cước công dân xuất trình.",
            "This account is already active: a new code resets the password, which is done only with the citizen present. Enter the identity number and date of birth on the card the citizen presents.",
        );
        (field.to_owned(), said.rule)
    };
    ApiError::Validation(BTreeMap::from([rule("id_number"), rule("date_of_birth")]))
}

/// The event of the notification outbox that tells a citizen their password is being
/// reset (`notifications.event`).
const RESET_NOTICE: &str = "password_reset";

/// Queues the message that tells the citizen a password reset was issued at the desk:
/// to their e-mail when they have one, and by SMS to their phone, in the reset's
/// transaction; the notification worker sends them.
async fn queue_reset_notices(
    tx: &mut AnyConnection,
    state: &AppState,
    citizen_id: i64,
) -> Result<(), ApiError> {
    let text = crate::domain::results::reset_notice();
    crate::portal::notify::queue(
        tx,
        &state.settings.notify,
        state.clock.now(),
        &crate::portal::notify::Notice {
            citizen_id,
            dossier_code: None,
            event: RESET_NOTICE,
            subject: text.subject,
            body: text.body,
            sms: text.sms,
        },
    )
    .await
}

/// `POST /citizen/activate`: the citizen proves the slip with the code and sets the
/// first (or, after a new code, a new) password. Wrong codes are throttled like wrong
/// passwords, per number and per address.
#[utoipa::path(
    post,
    path = "/api/v1/citizen/activate",
    operation_id = "activate_citizen",
    tag = "citizen",
    summary = "Activate a citizen account",
    description = "The citizen proves the activation slip and sets a password. Wrong codes are \
        throttled per identity number and per client address.",
    request_body = ActivateRequest,
    responses(
        (status = 204, description = "The password is set; the account's sessions are revoked."),
        (status = 400, description = "`bad_request`: the body is not an activation.", body = ErrorBody),
        (status = 401, description = "`invalid_activation`: wrong number or code; `activation_used`.", body = ErrorBody),
        (status = 410, description = "`activation_expired`: ask the desk for a new code.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the password breaks the policy (`fields.new_password`).", body = ErrorBody),
        (status = 429, description = "`too_many_requests`.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
        (status = 503, description = "`server_busy`: too many password hashes at once.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
)]
pub async fn activate(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let request: ActivateRequest = parse_json(&body)?;
    activation::activate(
        &state,
        &addr,
        &request.id_number,
        &request.code,
        request.new_password,
        None,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
