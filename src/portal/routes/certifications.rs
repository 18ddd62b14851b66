//! Certification at the desk (issue 21): `POST /certifications` enters a certification
//! in its book (the number, the fee paid in cash, the certification text),
//! `GET /certifications` is the office's books, newest first, and
//! `GET /certifications/{id}/forms/certificate` prints an entry's certification text.

use super::forms::{PDF, TEXT, render_pdf};
use super::limit;
use crate::api::Page;
use crate::api::certifications::{
    Certification, CertificationApplicant, CertificationQuery, Kind, MAX_COPIES, MAX_PAGES,
    NewCertification, fee_order_reference,
};
use crate::api::error::ErrorBody;
use crate::domain::identity::parse_cccd;
use crate::domain::text::{Matcher, nfc};
use crate::domain::workflow::Role;
use crate::forms::{certificate, text};
use crate::portal::audit;
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::error::{ApiError, invalid};
use crate::portal::idempotency::Idempotent;
use crate::portal::json::{check_query, parse_json};
use crate::portal::negotiate::negotiate;
use crate::portal::search::{self, Order};
use crate::portal::service::certifications::{self as entries, NewEntry};
use crate::portal::service::citizens::by_public_id;
use crate::portal::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A count of pages or copies: 1 unless given, else from 1 to `max`.
fn count(
    value: Option<i64>,
    field: &'static str,
    max: i64,
    (vi, en): (&str, &str),
) -> Result<u32, ApiError> {
    match value.unwrap_or(1) {
        n if n < 1 => Err(invalid(
            field,
            format!("Số {vi} phải từ 1 trở lên, không phải {n}. Hãy nhập lại số {vi}."),
            format!(
                "The number of {en} must be at least 1, not {n}. Enter the number of {en} again."
            ),
        )),
        n if n > max => Err(invalid(
            field,
            format!(
                "Số {vi} không được quá {max}. Hãy kiểm tra lại; nếu đúng, hãy chia thành nhiều lần chứng thực."
            ),
            format!(
                "The number of {en} may not exceed {max}. Check it; if it is right, certify in several entries."
            ),
        )),
        n => Ok(n as u32),
    }
}

/// The applicant as the book records them: (citizen, full name, identity number).
type Applicant = (Option<(i64, String)>, String, String);

/// Resolves the applicant: a citizen of the office by id (read through the pool before
/// the write transaction, so a refusal's audit row is kept), or a name and a personal
/// identity number checked by the domain's rules.
async fn applicant(
    state: &AppState,
    session: &Session,
    office: i64,
    given: &CertificationApplicant,
) -> Result<Applicant, ApiError> {
    match given {
        CertificationApplicant::Citizen(r) => {
            let unknown = || {
                invalid(
                    "applicant.citizen_id",
                    "Không tìm thấy công dân này trong số công dân của cơ quan. Hãy ghi họ tên và số định danh trên giấy tờ tùy thân của người yêu cầu.",
                    "This citizen is not among the office's citizens. Enter the applicant's name and identity number from their identity paper.",
                )
            };
            match by_public_id(&state.db, office, &r.citizen_id).await? {
                Some((id, true)) => {
                    let (name, number): (String, String) =
                        sqlx::query_as("SELECT full_name, id_number FROM citizens WHERE id = $1")
                            .bind(id)
                            .fetch_one(&state.db)
                            .await?;
                    Ok((Some((id, r.citizen_id.trim().to_owned())), name, number))
                }
                Some((id, false)) => {
                    audit::refused(
                        state,
                        session,
                        &format!("POST /certifications applicant citizen {id} of another office"),
                    )
                    .await;
                    Err(unknown())
                }
                None => Err(unknown()),
            }
        }
        CertificationApplicant::Named(n) => {
            let name = nfc(n.full_name.trim());
            if name.is_empty() {
                return Err(invalid(
                    "applicant.full_name",
                    "Chưa nhập họ tên người yêu cầu chứng thực. Hãy nhập họ tên như trên giấy tờ tùy thân.",
                    "The applicant's name is missing. Enter it as on their identity paper.",
                ));
            }
            let cccd = parse_cccd(&n.id_number, state.clock.now().date_naive())
                .map_err(|e| ApiError::field("applicant.id_number", e))?;
            Ok((None, name, cccd.number().to_owned()))
        }
    }
}

/// `POST /certifications` (reception officers).
#[utoipa::path(
    post,
    path = "/api/v1/certifications",
    operation_id = "create_certification",
    tag = "certifications",
    summary = "Certify a copy, a signature or a contract",
    description = "Enters the certification in the office's book of its kind for the year of \
        the portal's clock (`01/2026-SCT/BS` copies, `01/2026-SCT/CK,ĐC` signatures, \
        `01/2026-SCT/HĐ,GD` contracts) under the next number (from 1 in each book, no gap, \
        no repeat, also with several desks at once), records the fee as paid in cash \
        (a copy 2,000 đ a page for pages 1–2 and 1,000 đ from page 3, at most 200,000 đ a \
        copy, times the copies; a signature 10,000 đ; a contract 50,000 đ, an amendment \
        30,000 đ, a correction 25,000 đ) and answers the certification text (lời chứng).",
    params(
        ("Idempotency-Key" = String, Header, pattern = "^(\"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = crate::portal::openapi::text::IDEMPOTENCY_KEY),
    ),
    request_body = NewCertification,
    responses(
        (status = 201, description = "The entry, with its book, number, fee and text.", body = Certification),
        (status = 400, description = "`idempotency_key_missing`; `bad_request`: a malformed key or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a reception officer.", body = ErrorBody),
        (status = 409, description = "`request_in_progress`.", body = ErrorBody),
        (status = 422, description = "`validation_failed` naming the field: `pages` or \
            `copies` below 1 or beyond their bounds, an `act` for a kind other than \
            `contract`, an empty `document_name`, an applicant the office does not serve or a \
            malformed identity number, a text too long or carrying a control character; \
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
    const WHAT: &str = "POST /certifications";
    session.require(&state, &[Role::Reception], WHAT).await?;
    let office = session.office(&state, WHAT).await?;
    let idem = Idempotent::claim(&state, &session, &headers, WHAT, &body)?;
    let request: NewCertification = parse_json(&body)?;
    let pages = count(request.pages, "pages", MAX_PAGES, ("trang", "pages"))?;
    let copies = count(request.copies, "copies", MAX_COPIES, ("bản", "copies"))?;
    let act = match (request.kind, request.act) {
        (Kind::Contract, act) => Some(act.unwrap_or_default()),
        (_, None) => None,
        (_, Some(_)) => {
            return Err(invalid(
                "act",
                "Chỉ chứng thực hợp đồng, giao dịch mới chọn loại việc (hợp đồng, sửa đổi, sửa lỗi). Hãy bỏ trường này hoặc chọn loại chứng thực hợp đồng.",
                "Only a contract certification takes an act (contract, amendment, correction). Leave it out, or certify a contract.",
            ));
        }
    };
    let document_name = nfc(request.document_name.trim());
    if document_name.is_empty() {
        return Err(invalid(
            "document_name",
            "Chưa nhập tên giấy tờ, văn bản được chứng thực. Hãy nhập tên giấy tờ.",
            "The name of the paper certified is missing. Enter it.",
        ));
    }
    let note = request
        .note
        .as_deref()
        .map(|n| nfc(n.trim()))
        .filter(|n| !n.is_empty());
    let fee_order = match request.fee_order.as_deref() {
        None => None,
        Some(given) => Some(fee_order_reference(given).ok_or_else(|| {
            invalid(
                "fee_order",
                format!("'{given}' không phải mã lệnh thu (CT và 8 ký tự). Hãy gửi mã lệnh thu đã thanh toán, hoặc bỏ trường này để thu tiền mặt."),
                format!("'{given}' is not a fee order reference (CT and 8 characters). Send the paid order's reference, or leave it out for cash."),
            )
        })?),
    };
    let (citizen, applicant_name, id_number) =
        applicant(&state, &session, office, &request.applicant).await?;
    let now = state.clock.now();

    let mut tx = db::write(&state.db).await?;
    if let Some(replay) = idem.replay(&mut tx).await? {
        return Ok(replay);
    }
    let office_name: String = sqlx::query_scalar("SELECT name FROM offices WHERE id = $1")
        .bind(office)
        .fetch_one(&mut *tx)
        .await?;
    let entry = entries::record(
        &mut tx,
        &session,
        &NewEntry {
            office_id: office,
            office_name: &office_name,
            kind: request.kind,
            act,
            citizen,
            applicant_name: &applicant_name,
            id_number: &id_number,
            document_name: &document_name,
            pages,
            copies,
            note: note.as_deref(),
            fee_order: fee_order.as_deref(),
        },
        now,
    )
    .await?;
    let json = serde_json::to_value(&entry).map_err(ApiError::internal)?;
    idem.store(&mut tx, state.clock.unix(), StatusCode::CREATED, &json)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// Cursors are opaque to clients; inside, the public id of the entry after which the next
/// page starts (never a row id: those would count other offices' entries).
const CURSOR_PREFIX: &str = "certifications:";

/// The certification books' word index (migration 0023; a trigram index on PostgreSQL).
const CERTIFICATION_WORDS: search::Indexed = search::Indexed {
    id: "id",
    key: "search_key",
    fts: "certification_words",
};

fn encode_cursor(after: &str) -> String {
    search::cursor(CURSOR_PREFIX, after)
}

/// The entry of `office` a cursor points after: its id and search key, which place it in
/// the ranked order of a search.
async fn decode_cursor(
    state: &AppState,
    office: i64,
    cursor: &str,
) -> Result<(i64, String), ApiError> {
    let public_id =
        search::cursor_public_id(CURSOR_PREFIX, cursor).ok_or_else(search::foreign_cursor)?;
    sqlx::query_as(
        "SELECT id, search_key FROM certifications WHERE public_id = $1 AND office_id = $2",
    )
    .bind(public_id)
    .bind(office)
    .fetch_optional(&state.db)
    .await?
    .ok_or_else(search::foreign_cursor)
}

/// `GET /certifications?kind=&year=&q=&limit=&cursor=` (staff of the office).
#[utoipa::path(
    get,
    path = "/api/v1/certifications",
    operation_id = "list_certifications",
    tag = "certifications",
    summary = "The office's certification books",
    description = "The office's certification entries, newest first: of one kind and one \
        year if asked, and matching `q`, words of the applicant's or the document's name \
        with or without marks (`nguyen hoa` finds `Nguyễn Thị Hoa`). A search lists first the \
        entries holding more of its words whole, then newest first; the cursor pages through \
        that order.",
    params(CertificationQuery),
    responses(
        (status = 200, description = "A page of entries.", body = Page<Certification>),
        (status = 400, description = "`bad_request`: a malformed parameter, a year outside 2000–9999, a limit or cursor.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: a parameter beyond its bounds (`q` over 200 characters or 20 words) or carrying a control character; `fields` names it.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<CertificationQuery>, QueryRejection>,
) -> Result<Json<Page<Certification>>, ApiError> {
    let office = session.office(&state, "GET /certifications").await?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    check_query(&query)?;
    // The bounds the document gives: a year no book of this portal can have is a
    // mistake to be told, not an empty book.
    if let Some(year) = query.year
        && !(2000..=9999).contains(&year)
    {
        return Err(ApiError::BadRequest(format!(
            "year must be between 2000 and 9999, not {year}"
        )));
    }
    let limit = limit(query.limit)? as usize;
    let after = match query.cursor.as_deref() {
        Some(cursor) => Some(decode_cursor(&state, office, cursor).await?),
        None => None,
    };
    let matcher = Matcher::new(query.q.as_deref().unwrap_or(""));
    // The word index narrows the rows; the matcher decides and ranks (src/portal/search.rs).
    let (indexed, words) = search::word_filter(state.engine(), CERTIFICATION_WORDS, &matcher, 4);
    let mut candidates = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, search_key FROM certifications WHERE office_id = $1 \
         AND ($2 IS NULL OR kind = $2) AND ($3 IS NULL OR year = $3) {indexed} \
         ORDER BY id DESC"
    )))
    .bind(office)
    .bind(query.kind.map(Kind::as_str))
    .bind(query.year);
    for word in words {
        candidates = candidates.bind(word);
    }
    let candidates: Vec<(i64, String)> = candidates.fetch_all(&state.db).await?;
    let after = after.as_ref().map(|(id, key)| (*id, key.as_str()));
    let found = search::ranked_page(&candidates, &matcher, Order::Descending, after, limit);
    let total = found.total;
    let page = &found.ids;
    let mut conn = state.db.acquire().await?;
    let items = entries::by_ids(&mut conn, page)
        .await?
        .into_iter()
        .map(entries::Row::api)
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = found
        .more
        .then(|| items.last().map(|c: &Certification| encode_cursor(&c.id)))
        .flatten();
    Ok(Json(Page {
        items,
        next_cursor,
        total,
    }))
}

/// `GET /certifications/{id}/forms/certificate` (staff of the office).
#[utoipa::path(
    get,
    path = "/api/v1/certifications/{id}/forms/certificate",
    operation_id = "certification_certificate",
    tag = "certifications",
    summary = "An entry's certification text, to print",
    description = "The certification text (lời chứng) of the entry, with its book, number, \
        date and the official's signature block: `Accept: application/pdf` gets an A4 PDF \
        with embedded fonts, anything else plain text. Another office's entry is 404.",
    params(("id" = String, Path, description = "The entry's `id`.")),
    responses(
        (status = 200, description = "The certificate, in Vietnamese.",
            content(
                (String = "text/plain"),
                (crate::portal::openapi::FileBytes = "application/pdf"),
            ),
            headers(
                ("Content-Disposition" = String, description = "`inline` with a file name."),
                ("Content-Language" = String, description = "`vi`."),
                ("Content-Security-Policy" = String, description = "`sandbox`."),
            )),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such entry of the office.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn certificate_form(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let what = "GET /certifications/{id}/forms/certificate";
    let office = session.office(&state, what).await?;
    let mut conn = state.db.acquire().await?;
    let Some(row) = entries::load(&mut conn, office, &id).await? else {
        drop(conn);
        audit::refused(
            &state,
            &session,
            &format!("GET /certifications/{id}/forms/certificate"),
        )
        .await;
        return Err(ApiError::NotFound);
    };
    drop(conn);
    let words = row.certificate()?;
    let sheet = certificate::sheet(&row.office_name, &words, &row.reference());
    let stem = row.file_stem();
    let (kind, filename, body) = if negotiate(&headers, &[TEXT, PDF]) == Some(PDF) {
        (PDF, format!("{stem}.pdf"), render_pdf(sheet).await?)
    } else {
        (
            "text/plain; charset=utf-8",
            format!("{stem}.txt"),
            text::text(&sheet).into_bytes(),
        )
    };
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("inline"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CONTENT_LANGUAGE, HeaderValue::from_static("vi")),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            ),
        ],
        body,
    )
        .into_response())
}
