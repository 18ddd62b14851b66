//! Dossiers: officer-assisted submission, the inbox list, the full dossier, actions
//! under the transition table, history and the delta feed.

use super::{limit, with_etag};
use crate::api::Page;
use crate::api::dossiers::{ActionRequest, Change, Changes, Channel, CreateDossier};
use crate::api::error::{ErrorBody, ErrorCode};
use crate::api::headers::CHANGES_SEQ;
use crate::api::limits::{self, Bound, Bounded};
use crate::domain::calendar::LocalTime;
use crate::domain::status::{Queue, Status};
use crate::domain::text::{Matcher, nfc};
use crate::domain::workflow::{ActionInput, Role};
use crate::portal::audit::{self};
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::dossier_store::{self as store, Row, SUMMARY_COLUMNS, SummaryRow};
use crate::portal::error::{ApiError, Problem, invalid};
use crate::portal::idempotency::Idempotent;
use crate::portal::json::{check_query, parse_json};
use crate::portal::search;
use crate::portal::service::actions::act_on;
use crate::portal::service::citizens::desk_applicant;
use crate::portal::service::intake::intake;
use crate::portal::service::leases;
use crate::portal::service::uploads;
use crate::portal::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Timelike};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// `POST /dossiers`: the officer takes a dossier in on a citizen's behalf. It starts
/// received, with its code and due time.
#[utoipa::path(
    post,
    path = "/api/v1/dossiers",
    operation_id = "create_dossier",
    tag = "dossiers",
    summary = "Take a dossier in at the desk",
    description = "Officer-assisted submission (reception only). Every mandatory document part \
        must be presented, on paper or as a completed upload. The dossier starts `received`, \
        with its code and due time; its receipt (form 01) is printable at once. \
        The applicant is a citizen the office serves (created here or applying here before), \
        by `citizen_id`, or any citizen by the `id_number` and `date_of_birth` on the card they \
        present; with `relation: self` the submitter's name may be left empty (it is the \
        applicant's). A dossier taken in while the desk's link was down carries the leased \
        `code` printed on its receipt and the moment `received_at`: it is received then.",
    params(
        ("Idempotency-Key" = String, Header, pattern = "^(\"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = crate::portal::openapi::text::IDEMPOTENCY_KEY),
    ),
    request_body = crate::api::dossiers::CreateDossier,
    responses(
        (status = 201, description = "The new dossier.", body = crate::api::dossiers::Dossier),
        (status = 400, description = "`idempotency_key_missing`; `bad_request`: a malformed key or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a reception officer.", body = ErrorBody),
        (status = 409, description = "`request_in_progress`: the first request with this key still runs; \
            taken in offline: `code_not_leased` (`code` is not a held number of the caller's own lease: \
            another's, voided, or sent after its `accepted_until`), `code_used` (a dossier has it).", body = ErrorBody),
        (status = 422, description = "`validation_failed` (`fields` names the part of the request at fault; \
            a `citizen_id` the office does not serve is `applicant.citizen_id`, as an unknown one; \
            `received_at` outside the lease's day or ahead of the portal's clock, or `code` and \
            `received_at` not together); \
            `applicant_mismatch`: the identity number and date of birth presented do not match one citizen; \
            `idempotency_key_reused`; `upload_not_found`, `upload_incomplete`, \
            `upload_already_attached` for an attached upload.", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: too many cards presented that match no citizen, \
            for this identity number or by this officer.", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait."))),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    session
        .require(&state, &[Role::Reception], "POST /dossiers")
        .await?;
    let office = session.office(&state, "POST /dossiers").await?;
    let idem = Idempotent::claim(&state, &session, &headers, "POST /dossiers", &body)?;
    let request: CreateDossier = parse_json(&body)?;
    let now = state.clock.now();
    let offline = offline_moment(&request)?;
    // Before the write transaction, so that a refusal's audit row is kept.
    let applicant = desk_applicant(&state, &session, office, &request.applicant).await?;

    let mut tx = db::write(&state.db).await?;
    if let Some(replay) = idem.replay(&mut tx).await? {
        return Ok(replay);
    }
    // Taken in offline on a leased number: received then, numbered so.
    let (received, leased) = match &offline {
        Some((code, at)) => {
            let leased = leases::check_use(&mut tx, &session, office, code, *at, now).await?;
            (*at, Some(leased))
        }
        None => (now, None),
    };
    let row = intake(
        &mut tx,
        &state,
        &session,
        office,
        applicant,
        &request,
        Channel::Desk,
        received,
        leased,
    )
    .await?;
    if offline.is_some() {
        // The receipt's due time, when it is not the portal's: said in the history.
        let printed = request.printed_due_at.as_deref().and_then(|t| {
            crate::clock::parse_instant(t)
                .ok()
                .map(|t| t.with_nanosecond(0).unwrap_or(t).to_rfc3339())
        });
        let differs = printed.is_some() && printed != row.due_at;
        let note = differs.then(|| {
            format!(
                "Hạn in trên phiếu tiếp nhận ngoại tuyến {} khác hạn cổng tính {}",
                printed.as_deref().unwrap_or_default(),
                row.due_at.as_deref().unwrap_or("—")
            )
        });
        audit::record_with_due(
            &mut *tx,
            now,
            audit::Event::OfflineIntakeArrived {
                session: &session,
                office_id: office,
                code: &row.code,
                received_at: &received.to_rfc3339(),
                note: note.as_deref(),
            },
            audit::Due {
                before: printed.as_deref(),
                after: row.due_at.as_deref(),
            },
        )
        .await?;
    }
    // Taken in at the desk, the dossier starts received: the citizen is told so, in the
    // intake's transaction.
    crate::portal::notify::queue_step(
        &mut tx,
        &state.settings.notify,
        &row,
        crate::domain::results::NoticeEvent::Received,
        None,
        now,
    )
    .await?;
    let answer = created(tx, &state, &idem, &row, now).await?;
    state.notifier.wake();
    Ok(answer)
}

/// A desk's offline intake: the leased `code` and the moment `received_at`, which come
/// together or not at all. The moment is kept as every stored time is, at +07:00 and to
/// the second (their text order is their time order), whatever offset it was sent in.
fn offline_moment(request: &CreateDossier) -> Result<Option<(String, LocalTime)>, ApiError> {
    if let Some(printed) = &request.printed_due_at {
        if request.code.is_none() {
            return Err(invalid(
                "printed_due_at",
                "Hạn in trên phiếu chỉ gửi kèm mã hồ sơ đã giữ trước. Hãy bỏ hạn in hoặc gửi kèm mã.",
                "The printed due time goes only with a leased code. Leave it out, or send the code.",
            ));
        }
        if crate::clock::parse_instant(printed).is_err() {
            return Err(invalid(
                "printed_due_at",
                "Hạn in trên phiếu phải theo dạng RFC 3339 (2026-12-09T17:00:00+07:00). Hãy gửi lại.",
                "The printed due time must be RFC 3339 (2026-12-09T17:00:00+07:00). Send it again.",
            ));
        }
    }
    match (&request.code, &request.received_at) {
        (None, None) => Ok(None),
        (Some(code), Some(at)) => match crate::clock::parse_instant(at) {
            Ok(at) => Ok(Some((code.clone(), at.with_nanosecond(0).unwrap_or(at)))),
            Err(_) => Err(invalid(
                "received_at",
                "Thời điểm tiếp nhận phải theo dạng RFC 3339 (2026-12-04T09:30:00+07:00). Hãy gửi lại.",
                "The moment received must be RFC 3339 (2026-12-04T09:30:00+07:00). Send it again.",
            )),
        },
        (Some(_), None) => Err(invalid(
            "received_at",
            "Hồ sơ mang mã giữ trước cần thời điểm tiếp nhận. Hãy gửi kèm thời điểm tiếp nhận.",
            "A dossier with a leased code needs the moment it was received. Send it with it.",
        )),
        (None, Some(_)) => Err(invalid(
            "code",
            "Thời điểm tiếp nhận chỉ gửi kèm mã hồ sơ đã giữ trước. Hãy gửi kèm mã hoặc bỏ thời điểm.",
            "The moment received goes only with a leased code. Send the code with it, or leave it out.",
        )),
    }
}

/// Answers 201 with the new dossier, storing that answer for the idempotency key in the
/// same transaction as the dossier: a retry finds both or neither.
pub async fn created(
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    state: &AppState,
    idem: &Idempotent,
    row: &Row,
    now: LocalTime,
) -> Result<Response, ApiError> {
    let dossier = store::full(&mut tx, row, now).await?;
    let json = serde_json::to_value(&dossier).map_err(ApiError::internal)?;
    idem.store(&mut tx, state.clock.unix(), StatusCode::CREATED, &json)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

#[derive(Debug, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// An inbox queue (`overdue`: active dossiers past their due time).
    #[param(value_type = Option<Queue>)]
    queue: Option<String>,
    /// One status (within the queue, when both are given).
    #[param(value_type = Option<Status>)]
    status: Option<String>,
    /// Words of the code, the applicant's name, identity number or phone; marks optional.
    /// At most 200 characters and 20 words.
    #[param(max_length = 200)]
    q: Option<String>,
    /// A procedure code.
    #[param(max_length = 64)]
    procedure: Option<String>,
    /// `true`: only active dossiers past their due time.
    overdue: Option<bool>,
    /// Items per page: 50 unless given, at most 500.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(min_length = 1, max_length = 256)]
    cursor: Option<String>,
}

impl Bounded for ListQuery {
    const BOUNDS: &'static [Bound] = &[
        Bound::search("q"),
        Bound::line("procedure", limits::CODE),
        Bound::line("cursor", limits::CURSOR),
    ];
}

/// Where a list page continues: after this (due key, code).
fn encode_cursor(due_key: &str, code: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{due_key}|{code}"))
}

fn decode_cursor(cursor: &str) -> Result<(String, String), ApiError> {
    let bad = || ApiError::BadRequest("the cursor is not one this server gave".into());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (due, code) = text.split_once('|').ok_or_else(bad)?;
    Ok((due.to_owned(), code.to_owned()))
}

/// Dossiers without a due time sort last.
const DUE_KEY: &str = "COALESCE(d.due_at, '9999')";

/// `GET /dossiers`: the office's dossiers sorted by due time, filtered by queue, status,
/// procedure, overdue and an accent-insensitive `q`, with keyset cursors.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers",
    operation_id = "list_dossiers",
    tag = "dossiers",
    summary = "The office's inbox",
    description = "The office's dossiers, by due time (those without one last), then code. \
        Staff only; items are compact.",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of dossiers.", body = Page<crate::api::dossiers::DossierSummary>,
            headers(("X-Changes-Seq" = i64, description = "The delta feed's `seq` read before this \
                page's rows: a client that shows the page polls `GET /dossiers/changes` from it \
                and misses nothing, without asking for the position first."))),
        (status = 400, description = "`bad_request`: an unknown queue or status, a bad cursor or limit.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a parameter beyond its bounds (`q` over 200 characters or 20 words) or carrying a control character; `fields` names it.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let office = session.office(&state, "GET /dossiers").await?;
    check_query(&query)?;
    let limit = limit(query.limit)?;
    let now = state.clock.now();
    let now_s = now.to_rfc3339();

    // The filter is assembled from fixed fragments; every value is bound.
    let mut binds: Vec<String> = Vec::new();
    let mut bind = |value: String| {
        binds.push(value);
        format!("${}", binds.len())
    };
    // Every value is bound as text; PostgreSQL compares no text with a number, so the
    // office's id is cast back (on either side of the index, a constant).
    let mut clauses = vec![format!(
        "d.office_id = CAST({} AS BIGINT)",
        bind(office.to_string())
    )];
    let mut statuses: Option<Vec<Status>> = None;
    let mut overdue = query.overdue.unwrap_or(false);
    if let Some(q) = &query.queue {
        let queue = Queue::from_wire(q)
            .ok_or_else(|| ApiError::BadRequest(format!("unknown queue '{q}'")))?;
        overdue |= queue == Queue::Overdue;
        statuses = Some(queue.statuses());
    }
    if let Some(s) = &query.status {
        let status = Status::from_wire(s)
            .ok_or_else(|| ApiError::BadRequest(format!("unknown status '{s}'")))?;
        statuses = Some(match statuses {
            Some(list) => list.into_iter().filter(|x| *x == status).collect(),
            None => vec![status],
        });
    }
    if overdue {
        let running: Vec<Status> = Queue::Overdue.statuses();
        statuses = Some(match statuses {
            Some(list) => list.into_iter().filter(|s| running.contains(s)).collect(),
            None => running,
        });
        // The sort key rather than `due_at` itself: the same rows (no due time sorts
        // as '9999'), and a range on the list's index.
        clauses.push(format!("{DUE_KEY} < {}", bind(now_s.clone())));
    }
    // Every status is no filter at all, and reads better as none.
    if statuses
        .as_ref()
        .is_some_and(|list| Status::ALL.iter().all(|s| list.contains(s)))
    {
        statuses = None;
    }
    // Each status's mark, bound once; used in one IN list or one per branch below.
    let status_marks: Vec<String> = statuses
        .iter()
        .flatten()
        .map(|s| bind(s.as_str().to_owned()))
        .collect();
    if let Some(p) = &query.procedure {
        clauses.push(format!("d.procedure_code = {}", bind(p.clone())));
    }
    let matcher = Matcher::new(query.q.as_deref().unwrap_or(""));
    // The office's word index finds what the search finds (SQLite: FTS5, migration
    // 0023; PostgreSQL: the word prefixes, migrations_pg 0003), and the LIKE clauses say
    // the same rule for the plans that read the list's own indexes instead.
    let engine = state.engine();
    let words = match engine {
        db::Engine::Sqlite => search::office_words_query(office, &matcher),
        db::Engine::Postgres => {
            let unit = state.unit_codes.of(&state.db, office).await?;
            search::office_prefix_query(office, &unit, &matcher)
        }
    };
    let searched = matcher.tokens().iter().any(|t| !t.is_empty());
    for token in matcher.tokens().iter().filter(|t| !t.is_empty()) {
        // A query word must begin a word of the key: the matcher's rule, in SQL.
        clauses.push(format!(
            "(' ' || d.search_key) LIKE {}",
            bind(search::word_prefix_pattern(token))
        ));
    }
    let status_clause = match &statuses {
        None => None,
        Some(list) if list.is_empty() => Some("0 = 1".to_owned()),
        Some(_) => Some(format!("d.status IN ({})", status_marks.join(", "))),
    };
    let filter = clauses
        .iter()
        .chain(status_clause.as_ref())
        .cloned()
        .collect::<Vec<_>>()
        .join(" AND ");
    let after = match &query.cursor {
        Some(cursor) => {
            let (due, code) = decode_cursor(cursor)?;
            let (due, code) = (bind(due), bind(code));
            // The first term is implied by the second; it lets the index start there.
            format!(" AND {DUE_KEY} >= {due} AND ({DUE_KEY}, d.code) > ({due}, {code})")
        }
        None => String::new(),
    };
    let filter_binds = binds.len() - if after.is_empty() { 0 } else { 2 };
    let order = format!("ORDER BY {DUE_KEY}, d.code LIMIT {}", limit + 1);

    // PostgreSQL: a search that finds at most FOUND_AT_ONCE dossiers in the prefix index
    // is read once, its page and its total together, in one statement. One that finds
    // more (a common word), or nothing that the filter keeps, goes the general way below.
    if let (db::Engine::Postgres, Some(words)) = (engine, words.as_deref()) {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, d.found, d.total, \
                    COALESCE((SELECT seq FROM office_feed \
                              WHERE office_id = CAST($1 AS BIGINT)), 0) AS seq \
             FROM (SELECT d.*, COUNT(*) OVER () AS total \
                   FROM (SELECT d.*, COUNT(*) OVER () AS found \
                         FROM (SELECT {LISTED_COLUMNS} FROM dossiers \
                               WHERE word_prefixes(office_id, search_key) \
                                     @@ CAST(${} AS tsquery) \
                               LIMIT {}) AS d) AS d \
                   WHERE {filter}) AS d \
             WHERE TRUE{after} {order}",
            binds.len() + 1,
            FOUND_AT_ONCE + 1
        );
        let mut query = sqlx::query_as::<_, FoundRow>(sqlx::AssertSqlSafe(sql));
        for b in &binds {
            query = query.bind(b);
        }
        let db = state.search_db.as_ref().unwrap_or(&state.db);
        let rows = query.bind(words).fetch_all(db).await?;
        if let Some(first) = rows.first().filter(|r| r.found <= FOUND_AT_ONCE) {
            let (total, seq) = (first.total, first.seq);
            let rows = rows.into_iter().map(|r| r.row).collect();
            return page(rows, total, seq, limit, now);
        }
    }

    let figures = list_figures(
        &state.db,
        engine,
        office,
        statuses.as_deref().unwrap_or_default(),
        words.as_deref(),
    )
    .await?;
    let (seq, found) = (figures.seq, figures.found);
    let unsearched = match &statuses {
        Some(list) if list.is_empty() => 0,
        Some(list) if overdue => overdue_total(&state.db, office, list, now).await?,
        _ => figures.in_statuses,
    };
    let only_words = statuses.is_none() && query.procedure.is_none() && !overdue;
    let total = match found {
        _ if unsearched == 0 => 0,
        Some(n) if only_words || n == 0 => n,
        // Fewer found than the filter holds: the found ones are checked one by one.
        Some(n) if n <= unsearched => {
            let sql = format!(
                "SELECT COUNT(*) {} AND {filter}",
                by_words(engine, filter_binds + 1)
            );
            let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
            for b in &binds[..filter_binds] {
                count = count.bind(b);
            }
            count.bind(words.as_deref()).fetch_one(&state.db).await?
        }
        Some(_) => counted_total(&state.db, &filter, &binds[..filter_binds]).await?,
        None if query.procedure.is_some() || searched => {
            counted_total(&state.db, &filter, &binds[..filter_binds]).await?
        }
        None => unsearched,
    };
    // A page of a search: read off the found dossiers and sorted when they are few, or
    // off the list's index in its order, each tested by the rule, when so many match
    // that a page's worth comes early. Reading n found costs about n; the index walk
    // about (limit + 1) × unsearched / n entries: whichever is less.
    let page_by_words = found.is_some_and(|n| {
        let n = n.max(1) as i128;
        n * n <= i128::from(limit + 1) * i128::from(unsearched)
    });
    let sql = match &statuses {
        _ if page_by_words => format!(
            "SELECT {SUMMARY_COLUMNS} {} AND {filter}{after} {order}",
            by_words(engine, binds.len() + 1)
        ),
        // Several statuses (a queue such as in_progress or closed): SQLite cannot read
        // one index in the list's order across an IN list, and would sort every matching
        // dossier. One page per status, each read in order off the status index, then
        // merged, costs a page per status instead.
        Some(list) if list.len() > 1 => {
            let common = clauses.join(" AND ");
            let branches: Vec<String> = status_marks
                .iter()
                .map(|mark| {
                    format!(
                        "SELECT id FROM (SELECT d.id FROM dossiers d \
                         WHERE {common} AND d.status = {mark}{after} {order}) AS page"
                    )
                })
                .collect();
            format!(
                "SELECT {SUMMARY_COLUMNS} FROM dossiers d WHERE d.id IN ({}) {order}",
                branches.join(" UNION ALL ")
            )
        }
        _ => format!("SELECT {SUMMARY_COLUMNS} FROM dossiers d WHERE {filter}{after} {order}"),
    };
    let mut rows_query = sqlx::query_as::<_, SummaryRow>(sqlx::AssertSqlSafe(sql));
    for b in &binds {
        rows_query = rows_query.bind(b);
    }
    if page_by_words {
        rows_query = rows_query.bind(words.as_deref());
    }
    let rows = if total == 0 {
        Vec::new()
    } else {
        rows_query.fetch_all(&state.db).await?
    };
    page(rows, total, seq, limit, now)
}

/// The most dossiers a PostgreSQL search reads off the prefix index to answer in one
/// statement: a page sorted from them costs about as much as the list's index walk
/// (see `page_by_words`) when the office holds some tens of thousands.
const FOUND_AT_ONCE: i64 = 2000;

/// What the one-statement search reads of a dossier: [`SUMMARY_COLUMNS`] and what the
/// list's filters and cursor test, nothing wide (the window counts hold them all).
const LISTED_COLUMNS: &str = "id, office_id, status, procedure_code, search_key, code, \
    channel, applicant_name, procedure_name, submitted_at, received_at, due_at, \
    payment_status, version";

/// A row of a searched page on PostgreSQL, read in the same statement as what the
/// search found in the index (`found`, up to [`FOUND_AT_ONCE`] + 1), how many of those
/// the filter keeps (`total`) and the delta feed's position.
#[derive(sqlx::FromRow)]
struct FoundRow {
    #[sqlx(flatten)]
    row: SummaryRow,
    found: i64,
    total: i64,
    seq: i64,
}

/// The answer of `GET /dossiers`: up to `limit` of `rows` (read with one more, which
/// says whether a next page exists), the total and the feed's position.
fn page(
    mut rows: Vec<SummaryRow>,
    total: i64,
    seq: i64,
    limit: u32,
    now: LocalTime,
) -> Result<Response, ApiError> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = match (more, rows.last()) {
        (true, Some(last)) => Some(encode_cursor(
            last.due_at.as_deref().unwrap_or("9999"),
            &last.code,
        )),
        _ => None,
    };
    let items = rows
        .into_iter()
        .map(|r| r.summary(now))
        .collect::<Result<Vec<_>, _>>()?;
    let page = Page {
        items,
        next_cursor,
        total: total.max(0) as u64,
    };
    Ok(([(CHANGES_SEQ, seq.to_string())], Json(page)).into_response())
}

/// `FROM … WHERE …`: the office's dossiers holding the words of the word query bound at
/// `$mark`, read off the word index, for a caller to add `AND` its own conditions.
///
/// SQLite: `CROSS JOIN` makes it start from the word index and look each dossier up by
/// its id, rather than walk the office's list index testing each dossier against the
/// found ones. PostgreSQL: the prefix index in a subquery of its own (`OFFSET 0` keeps
/// the planner from merging it into the outer query), so that the office's and the
/// statuses' conditions filter what it found rather than join in an index of the whole
/// office: the office is already in every entry of the word query. (Its outer `WHERE`
/// holds only a condition that is always true, for the callers' `AND` to follow.)
fn by_words(engine: db::Engine, mark: usize) -> String {
    match engine {
        db::Engine::Sqlite => format!(
            "FROM dossier_words CROSS JOIN dossiers d ON d.id = dossier_words.rowid \
             WHERE dossier_words MATCH ${mark}"
        ),
        db::Engine::Postgres => format!(
            "FROM (SELECT * FROM dossiers \
                   WHERE word_prefixes(office_id, search_key) @@ CAST(${mark} AS tsquery) \
                   OFFSET 0) AS d \
             WHERE d.id IS NOT NULL"
        ),
    }
}

/// `$from, $from+1, …`: the marks of `n` bound values.
fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a list page is planned by, read in one statement before its rows.
struct ListFigures {
    /// The delta feed's newest `seq`. Read before the rows: a change between the two is
    /// then seen twice (in the page and by the first poll: harmless, a change carries the
    /// dossier as it is), never missed.
    seq: i64,
    /// How many of the office's dossiers are in the statuses asked for (every status
    /// when none are), from the counts the triggers of migrations 0003 and 0004 keep:
    /// counting an office's history costs milliseconds.
    in_statuses: i64,
    /// For a search, how many of the office's dossiers hold its words, counted in the
    /// word index alone: the total itself when nothing else filters, and what chooses
    /// the plans.
    found: Option<i64>,
}

/// Reads the [`ListFigures`]: one statement, so a page costs the database three round
/// trips (the session, these, the rows) whether searched or not.
async fn list_figures(
    db: &sqlx::AnyPool,
    engine: db::Engine,
    office: i64,
    list: &[Status],
    words: Option<&str>,
) -> Result<ListFigures, ApiError> {
    let statuses = if list.is_empty() {
        String::new()
    } else {
        format!(" AND status IN ({})", marks(2, list.len()))
    };
    let words_mark = list.len() + 2;
    let found = match (words, engine) {
        (None, _) => "CAST(NULL AS BIGINT)".to_owned(),
        (Some(_), db::Engine::Sqlite) => {
            format!("(SELECT COUNT(*) FROM dossier_words WHERE dossier_words MATCH ${words_mark})")
        }
        (Some(_), db::Engine::Postgres) => format!(
            "(SELECT COUNT(*) FROM dossiers \
              WHERE word_prefixes(office_id, search_key) @@ CAST(${words_mark} AS tsquery))"
        ),
    };
    let sql = format!(
        "SELECT COALESCE((SELECT seq FROM office_feed WHERE office_id = $1), 0), \
                (SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM dossier_counts \
                 WHERE office_id = $1{statuses}), \
                {found}"
    );
    let mut query =
        sqlx::query_as::<_, (i64, i64, Option<i64>)>(sqlx::AssertSqlSafe(sql)).bind(office);
    for s in list {
        query = query.bind(s.as_str());
    }
    if let Some(w) = words {
        query = query.bind(w);
    }
    let (seq, in_statuses, found) = query.fetch_one(db).await?;
    Ok(ListFigures {
        seq,
        in_statuses,
        found,
    })
}

/// How many of the office's dossiers in one of `list` (statuses whose clock runs) are
/// past their due time at `now`: those due on an earlier day from the per-day counts,
/// today's one by one off the status index.
async fn overdue_total(
    db: &sqlx::AnyPool,
    office: i64,
    list: &[Status],
    now: LocalTime,
) -> Result<i64, ApiError> {
    let statuses = marks(4, list.len());
    let sql = format!(
        "SELECT (SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM due_counts \
                 WHERE office_id = $1 AND status IN ({statuses}) AND due_day < $2) \
              + (SELECT COUNT(*) FROM dossiers d \
                 WHERE d.office_id = $1 AND d.status IN ({statuses}) \
                   AND d.due_at >= $2 AND d.due_at < $3)"
    );
    // `due_at` itself rather than the list's sort key: a range on the (office, status,
    // due_at) index of migration 0001, which reads today's dossiers only.
    let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
        .bind(office)
        // Every due time is written at +07:00, as `now` is: the date is its first part.
        .bind(now.date_naive().format("%Y-%m-%d").to_string())
        .bind(now.to_rfc3339());
    for s in list {
        count = count.bind(s.as_str());
    }
    Ok(count.fetch_one(db).await?)
}

/// Counts the rows a filter of the list matches, one by one.
async fn counted_total(
    db: &sqlx::AnyPool,
    filter: &str,
    binds: &[String],
) -> Result<i64, ApiError> {
    let sql = format!("SELECT COUNT(*) FROM dossiers d WHERE {filter}");
    let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
    for b in binds {
        count = count.bind(b);
    }
    Ok(count.fetch_one(db).await?)
}

/// `GET /dossiers/{code}`, with a weak ETag from the version.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}",
    operation_id = "get_dossier",
    tag = "dossiers",
    summary = "A dossier",
    description = "The whole dossier: applicant, procedure, case, documents and attachments, \
        fee and payment, delivery, due time and timeline. Another office's dossier is 404.",
    params(
        ("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE),
        ("If-None-Match" = Option<String>, Header, description = "An `ETag` of an earlier answer."),
    ),
    responses(
        (status = 200, description = "The dossier.", body = crate::api::dossiers::Dossier,
            headers(("ETag" = String, description = "Weak, from the version: `W/\"3\"`."))),
        (status = 304, description = "Unchanged since the `ETag` given.", headers(("ETag" = String))),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn detail(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let office = session.office(&state, "GET /dossiers/{code}").await?;
    let row = match store::load(&state.db, office, &code).await {
        Err(ApiError::NotFound) => {
            audit::refused(&state, &session, &format!("GET /dossiers/{code}")).await;
            return Err(ApiError::NotFound);
        }
        other => other?,
    };
    let etag = format!("W/\"{}\"", row.version);
    let mut conn = state.db.acquire().await?;
    let dossier = store::full(&mut conn, &row, state.clock.now()).await?;
    Ok(with_etag(&headers, &etag, &dossier))
}

/// `GET /dossiers/{code}/history`.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/history",
    operation_id = "dossier_history",
    tag = "dossiers",
    summary = "A dossier's audit timeline",
    description = "Who did what, in which role, when, from which status to which, and why.",
    params(("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE)),
    responses(
        (status = 200, description = "The steps, oldest first.", body = Vec<crate::api::dossiers::HistoryEntry>),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn history(
    State(state): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Vec<crate::api::dossiers::HistoryEntry>>, ApiError> {
    let office = session
        .office(&state, "GET /dossiers/{code}/history")
        .await?;
    store::load(&state.db, office, &code).await?;
    Ok(Json(store::history(&state.db, &code).await?))
}

/// The version an `If-Match` header names: `"3"` or `W/"3"`.
pub fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let raw = headers
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?
        .to_str()
        .map_err(|_| ApiError::BadRequest("If-Match must be ASCII".into()))?
        .trim();
    let bare = raw.strip_prefix("W/").unwrap_or(raw).trim_matches('"');
    bare.parse().map_err(|_| {
        ApiError::BadRequest(format!(
            "If-Match must name a version such as \"3\", not {raw}"
        ))
    })
}

/// `POST /dossiers/{code}/actions`: one action of the transition table, on the version
/// the official saw.
#[utoipa::path(
    post,
    path = "/api/v1/dossiers/{code}/actions",
    operation_id = "act_on_dossier",
    tag = "dossiers",
    summary = "Act on a dossier",
    description = "One action of the transition table, on the version the user saw. Which \
        fields an action needs: `reason` (refuse, request_supplement, send_back, extend, stop, \
        withdraw), `missing_documents` (request_supplement), `assignee` (forward), `amount` \
        (request_payment), `result` and `summary` (propose_result), `new_due_at` (extend), \
        `delivery` and `handover` (return_result: in person the `receiver`, by post the \
        `postal_tracking` code; `recipient` is kept from it). A step the citizen is told of \
        (received, supplement requested, refused, extended, stopped, result ready, returned) \
        queues its notices in the same transaction (`GET /dossiers/{code}/notifications`).",
    params(
        ("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE),
        ("If-Match" = String, Header, pattern = r#"^(W/)?"?[0-9]{1,18}"?$"#, description = crate::portal::openapi::text::IF_MATCH),
    ),
    request_body = crate::api::dossiers::ActionRequest,
    responses(
        (status = 200, description = "The dossier after the action.", body = crate::api::dossiers::Dossier,
            headers(("ETag" = String, description = "Weak, from the new version."))),
        (status = 400, description = "`bad_request`: a malformed `If-Match` or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 412, description = "`version_conflict`: the dossier changed; `error.current` is the dossier now.", body = ErrorBody),
        (status = 422, description = "`invalid_transition`, `forbidden_action` (naming the status and the role), \
            `supplement_window_closed`, `extension_already_used`, `extension_too_late`, \
            `payment_required`; `validation_failed` for a missing or invalid input, naming it in \
            `fields` (a return in person without `handover.receiver`, by post without \
            `handover.postal_tracking`).", body = ErrorBody),
        (status = 428, description = "`precondition_required`: no `If-Match`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn act(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let office = session
        .office(&state, "POST /dossiers/{code}/actions")
        .await?;
    let expected = if_match(&headers)?;
    let request: ActionRequest = parse_json(&body)?;
    let action = request.action.ok_or_else(|| {
        invalid(
            "action",
            "Chưa chọn thao tác. Hãy chọn một thao tác.",
            "No action was given. Choose one.",
        )
    })?;
    // Checked before the version: a malformed request is refused whatever the dossier.
    let new_due_at = request
        .new_due_at
        .as_deref()
        .map(|t| {
            DateTime::parse_from_rfc3339(t).map_err(|_| {
                invalid(
                    "new_due_at",
                    format!("'{t}' không phải thời điểm hợp lệ. Hãy chọn lại ngày hẹn."),
                    format!("'{t}' is not a valid time. Choose the date again."),
                )
            })
        })
        .transpose()?;
    let now = state.clock.now();

    let input = ActionInput {
        reason: request.reason.as_deref().map(|r| nfc(r.trim())),
        missing_documents: request
            .missing_documents
            .iter()
            .map(|d| nfc(d.trim()))
            .filter(|d| !d.is_empty())
            .collect(),
        assignee: request.assignee.clone(),
        amount: request.amount,
        verdict: request.result,
        summary: request.summary.as_deref().map(|s| nfc(s.trim())),
        new_due_at,
        delivery: request.delivery,
        recipient: request.recipient.as_deref().map(|r| nfc(r.trim())),
        handover: request.handover.clone(),
    };
    let dossier = act_on(
        &state, &session, office, &code, expected, action, &input, now,
    )
    .await?;
    let etag = format!("W/\"{}\"", dossier.version);
    Ok(([(header::ETAG, etag)], Json(dossier)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The `seq` of the previous answer.
    #[param(minimum = 0)]
    since: Option<i64>,
}

/// The most changes one call returns; the client asks again from the `seq` it got.
const CHANGES_PAGE: i64 = 1000;

/// `GET /dossiers/changes?since=`: what changed in the office since `seq`; 410 when the
/// feed no longer reaches back that far (the client then reloads the list).
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/changes",
    operation_id = "dossier_changes",
    tag = "dossiers",
    summary = "The delta feed",
    description = "The office's dossiers changed since `since`, each once (compact, or a \
        tombstone `{code, deleted: true}`), and the `seq` to ask from next. Without `since`: \
        no changes, and the `seq` to start from. `seq` counts the office's own changes \
        only: it does not move when other offices' dossiers change.",
    params(ChangesQuery),
    responses(
        (status = 200, description = "The changes.", body = crate::api::dossiers::Changes),
        (status = 400, description = "`bad_request`: `since` beyond the feed's newest `seq`, or negative.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 410, description = "`changes_expired`: the feed no longer reaches back to `since`; reload the list.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn changes(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<ChangesQuery>,
) -> Result<Json<Changes>, ApiError> {
    let office = session.office(&state, "GET /dossiers/changes").await?;
    let now = state.clock.now();
    // The office's own sequence: nothing here moves with another office's work.
    let newest = store::feed_newest(&state.db, office).await?;
    let Some(since) = query.since else {
        return Ok(Json(Changes {
            changes: vec![],
            seq: newest,
        }));
    };
    if since < 0 || since > newest {
        return Err(ApiError::BadRequest(format!(
            "since must be between 0 and {newest}"
        )));
    }
    // The office keeps its newest `changes_kept` changes (`store::changed`).
    if since < newest - state.settings.changes_kept {
        return Err(ApiError::Gone(ErrorCode::ChangesExpired));
    }
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT office_seq, dossier_code, deleted FROM changes \
         WHERE office_id = $1 AND office_seq > $2 ORDER BY office_seq LIMIT $3",
    )
    .bind(office)
    .bind(since)
    .bind(CHANGES_PAGE)
    .fetch_all(&state.db)
    .await?;
    let seq = if rows.len() as i64 == CHANGES_PAGE {
        rows.last().map(|r| r.0).unwrap_or(newest)
    } else {
        newest
    };
    let mut codes: Vec<(String, bool)> = Vec::new();
    for (_, code, deleted) in rows {
        codes.retain(|(c, _)| *c != code);
        codes.push((code, deleted != 0));
    }
    let mut changes = Vec::with_capacity(codes.len());
    for (code, deleted) in codes {
        let row = if deleted {
            None
        } else {
            match store::load(&state.db, office, &code).await {
                Ok(row) => Some(row),
                Err(ApiError::NotFound) => None,
                Err(e) => return Err(e),
            }
        };
        changes.push(match row {
            Some(row) => Change::Dossier(row.summary(now)?),
            None => Change::Deleted {
                code,
                deleted: true,
            },
        });
    }
    Ok(Json(Changes { changes, seq }))
}

/// `GET /dossiers/{code}/attachments/{id}`: an attached file, with its SHA-256 so the
/// client can check what it saved; or a byte range of it, so that a download cut on a
/// bad link goes on from where it stopped (`Range`, `If-Range` with the file's ETag).
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/attachments/{id}",
    operation_id = "get_attachment",
    tag = "dossiers",
    summary = "An attached file, whole or a byte range of it",
    description = "The file as uploaded. Its `ETag` is its SHA-256, quoted (a strong tag). \
        A download that was cut goes on with `Range: bytes=<received>-` and \
        `If-Range: <the ETag>`: the answer is 206 with the rest, or 200 with the whole file \
        when it is no longer the file the `If-Range` names. One range only: several ranges, \
        another unit or a malformed `Range` are ignored (200, the whole file). A range \
        starting past the end is 416 `range_not_satisfiable`, with `Content-Range: bytes */<size>`. \
        Files are never compressed, so that ranges count the file's own bytes.",
    params(
        ("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE),
        ("id" = String, Path, format = "uuid", description = "The upload id of the attachment."),
        ("Range" = Option<String>, Header, description = "One byte range, `bytes=<first>-[<last>]` or `bytes=-<suffix length>`."),
        ("If-Range" = Option<String>, Header, description = "The `ETag` of the file the client holds part of: the range is sent only if it still names the file."),
    ),
    responses(
        (status = 200, description = "The whole file, as uploaded.",
            content(
                (crate::portal::openapi::FileBytes = "application/pdf"),
                (crate::portal::openapi::FileBytes = "image/jpeg"),
                (crate::portal::openapi::FileBytes = "image/png"),
            ),
            headers(
                ("Content-Disposition" = String, description = "`attachment` with the file name (ASCII)."),
                ("X-Content-Sha256" = String, description = "The file's SHA-256, hex."),
                ("ETag" = String, description = "The file's SHA-256, hex, quoted: a strong tag for `If-Range`."),
                ("Accept-Ranges" = String, description = "`bytes`."),
                ("Content-Security-Policy" = String, description = "`sandbox`: nothing of the file runs in the portal's origin."),
                ("X-Content-Type-Options" = String, description = "`nosniff` (on every answer)."),
            )),
        (status = 206, description = "The byte range asked for.",
            content(
                (crate::portal::openapi::FileBytes = "application/pdf"),
                (crate::portal::openapi::FileBytes = "image/jpeg"),
                (crate::portal::openapi::FileBytes = "image/png"),
            ),
            headers(
                ("Content-Range" = String, description = "`bytes <first>-<last>/<size>`."),
                ("X-Content-Sha256" = String, description = "The whole file's SHA-256, hex: check it once the file is whole."),
                ("ETag" = String, description = "The file's SHA-256, hex, quoted."),
                ("Accept-Ranges" = String, description = "`bytes`."),
                ("Content-Disposition" = String, description = "`attachment` with the file name (ASCII)."),
                ("Content-Security-Policy" = String, description = "`sandbox`."),
            )),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such dossier, or no such attachment of it.", body = ErrorBody),
        (status = 416, description = "`range_not_satisfiable`: the range starts at or past the end of the file.",
            body = ErrorBody,
            headers(
                ("Content-Range" = String, description = "`bytes */<size>`: the file's size, to ask again."),
            )),
    ),
    security(("bearer" = [])),
)]
pub async fn attachment(
    State(state): State<AppState>,
    session: Session,
    Path((code, id)): Path<(String, String)>,
    request_headers: HeaderMap,
) -> Result<Response, ApiError> {
    use crate::portal::ranges::{self, Ask};
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let office = session
        .office(&state, "GET /dossiers/{code}/attachments/{id}")
        .await?;
    let row = store::load(&state.db, office, &code).await?;
    let (upload, mut file) = uploads::open_complete(&state, &id).await?;
    // A part reused from the citizen's store names a file attached to the dossier it
    // was digitized in: it is this dossier's attachment too.
    if upload.dossier_id != Some(row.id)
        && !store::names_file(&state.db, row.id, &upload.id).await?
    {
        return Err(ApiError::NotFound);
    }
    let size = file.metadata().await.map_err(ApiError::internal)?.len();
    let etag = ranges::etag_of(&upload.sha256);
    let text = |name: header::HeaderName| {
        request_headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let ask = ranges::ask(
        text(header::RANGE).as_deref(),
        text(header::IF_RANGE).as_deref(),
        &etag,
        size,
    );
    if ask == Ask::Unsatisfiable {
        let mut response = ApiError::from(Problem::new(
            ErrorCode::RangeNotSatisfiable,
            format!(
                "Đoạn tệp được yêu cầu nằm ngoài tệp (tệp dài {size} byte). Hãy tải lại từ đầu."
            ),
            format!(
                "The range asked for lies outside the file ({size} bytes long). Download it again from the start."
            ),
        ))
        .into_response();
        let value = format!("bytes */{size}");
        if let Ok(value) = header::HeaderValue::from_str(&value) {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
        return Ok(response);
    }
    // Files are at most 20 MiB: read what is asked whole, which keeps the answer's
    // length exact.
    let (status, start, len) = match ask {
        Ask::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end - start + 1),
        _ => (StatusCode::OK, 0, size),
    };
    file.seek(std::io::SeekFrom::Start(start))
        .await
        .map_err(ApiError::internal)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(len)
        .read_to_end(&mut bytes)
        .await
        .map_err(ApiError::internal)?;
    let ascii_name: String = crate::domain::text::strip_marks(&upload.filename)
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii_name}\"");
    // A stored file is the citizen's, not the portal's: a browser that opens it anyway
    // runs nothing of it in the portal's origin (`nosniff` is on every answer).
    let mut headers = vec![
        (header::CONTENT_TYPE, upload.content_type.clone()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CONTENT_SECURITY_POLICY, "sandbox".to_owned()),
        (
            header::HeaderName::from_static("x-content-sha256"),
            upload.sha256.clone(),
        ),
        (header::ETAG, etag),
        // Also what keeps the compression layer off the file (`portal::offers_no_ranges`).
        (header::ACCEPT_RANGES, "bytes".to_owned()),
    ];
    if status == StatusCode::PARTIAL_CONTENT {
        headers.push((
            header::CONTENT_RANGE,
            format!("bytes {start}-{}/{size}", start + len - 1),
        ));
    }
    let mut response = (status, bytes).into_response();
    for (name, value) in headers {
        if let Ok(value) = header::HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    Ok(response)
}
