//! Fees: what a dossier owes and the VietQR code to pay it, cash taken at the desk, and
//! the payment gateway's signed notice that a transfer arrived.
//!
//! Both ways of paying have the same effect, in one transaction: the fee is marked paid,
//! a dossier waiting for the payment (`awaiting_payment`) goes back to `in_progress` by
//! the transition table's system row, the version moves on, the delta feed and the audit
//! log get their rows.
//!
//! Gateway notices (`POST /payments/notify`):
//! - off unless `Settings::payment_secret` is set: 503 `payments_disabled`;
//! - the `X-Signature` header is the hex HMAC-SHA256 of the body (as decoded from any
//!   `Content-Encoding`) under the secret; missing or wrong → 401 `invalid_signature`;
//! - a `transaction_id` seen before → 200 with the first answer, nothing changes (the
//!   same id with another amount or dossier → 409 `transaction_conflict`);
//! - `dossier_ref` is the full code, or the short `YYMMDD-NNNN` (also as `HS …`, the
//!   transfer note). A short reference repeats across offices, so when `account` (and
//!   `bank_bin`) are given only dossiers of the office with that account count; several
//!   matches → 422 `ambiguous_dossier_ref`, none → 422 `unknown_dossier`. With a full
//!   code, a given account must be the dossier's office's (else 422 `account_mismatch`);
//! - the amount must equal the fee due (else 422 `amount_mismatch`); a settled fee →
//!   409 `already_paid`. Every refusal leaves a `payment_refused` audit row, so money
//!   that arrived but was not applied can be reconciled;
//! - a payment for a refused, withdrawn or stopped dossier is still recorded: the money
//!   has moved, and the office refunds it by its own procedure.

use crate::api::dossiers::PaymentStatus;
use crate::api::error::{ErrorBody, ErrorCode};
use crate::api::payments::{self as wire, CashPayment, NoticeReceipt, Payment, PaymentNotice};
use crate::domain::Lang;
use crate::domain::calendar::{LocalTime, vn_offset};
use crate::domain::dossier_code::DossierCode;
use crate::domain::fees::format_vnd;
use crate::domain::text::nfc;
use crate::domain::vietqr::{self, VietQrRequest};
use crate::domain::workflow::{Action, Role};
use crate::portal::audit::{self, Event};
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::dossier_store::{self as store, Row};
use crate::portal::error::{ApiError, Problem};
use crate::portal::idempotency::Idempotent;
use crate::portal::json::parse_json;
use crate::portal::service::payments::{Settlement, settle};
use crate::portal::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Timelike};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::{Any, AnyConnection, Transaction};
use std::net::SocketAddr;

/// The longest receipt number or transaction id kept; longer ones are typing or
/// gateway errors, not references anyone can look up.
const REFERENCE_MAX_CHARS: usize = 64;

/// An amount as a person reads it; a negative one (a typing error) as typed.
fn money(amount: i64, lang: Lang) -> String {
    u64::try_from(amount)
        .map(|a| format_vnd(a, lang))
        .unwrap_or_else(|_| amount.to_string())
}

/// The short reference of a stored code. Codes are issued by this portal, so one that
/// does not parse is a fault of the database, not of the request.
fn short_ref(code: &str) -> Result<String, ApiError> {
    DossierCode::parse(code)
        .map(|c| c.short())
        .map_err(ApiError::internal)
}

#[derive(sqlx::FromRow)]
struct FeeAccount {
    bank_bin: String,
    bank_account: String,
    account_name: String,
}

/// The payment view of a dossier, with the QR to pay what is due.
pub(crate) async fn payment_of(conn: &mut AnyConnection, row: &Row) -> Result<Payment, ApiError> {
    let account: FeeAccount =
        sqlx::query_as("SELECT bank_bin, bank_account, account_name FROM offices WHERE id = $1")
            .bind(row.office_id)
            .fetch_one(&mut *conn)
            .await?;
    let reference = short_ref(&row.code)?;
    let purpose = wire::purpose(&reference);
    let status = row.payment()?;
    let amount = u64::try_from(row.fee_amount).unwrap_or(0);
    let vietqr = if status == PaymentStatus::Unpaid && amount > 0 {
        let request = VietQrRequest {
            bank_bin: account.bank_bin.clone(),
            account: account.bank_account.clone(),
            amount: Some(amount),
            purpose: Some(purpose.clone()),
        };
        // A misconfigured office account must not hide the fee: the screen still shows
        // the amount and the account, without a QR, and the administrator is told.
        vietqr::build(&request)
            .inspect_err(|e| {
                tracing::warn!(
                    "office {} has no usable VietQR account: {e}",
                    row.office_code
                )
            })
            .ok()
    } else {
        None
    };
    Ok(Payment {
        code: row.code.clone(),
        reference,
        amount,
        status,
        paid_at: row.paid_at.clone(),
        method: row.payment_method.clone(),
        receipt_no: row.receipt_no.clone(),
        vietqr,
        purpose,
        bank_bin: account.bank_bin,
        account: account.bank_account,
        account_name: account.account_name,
        dossier_status: row.status()?,
        version: row.version,
    })
}

/// `GET /dossiers/{code}/payment`: staff of the dossier's office.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}/payment",
    operation_id = "get_payment",
    tag = "payments",
    summary = "What a dossier owes",
    description = "The fee, whether it is paid, and the VietQR payload (EMVCo/NAPAS) to pay it \
        into the office's account. Staff of the dossier's office. Reading it is not showing \
        it: a training portal hears that a code is on screen from \
        `POST /training/vietqr-shown/{code}`.",
    params(("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE)),
    responses(
        (status = 200, description = "The payment view.", body = Payment),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Payment>, ApiError> {
    let office = session
        .office(&state, "GET /dossiers/{code}/payment")
        .await?;
    let mut conn = state.db.acquire().await?;
    let row = match store::load(&mut *conn, office, &code).await {
        Err(ApiError::NotFound) => {
            drop(conn);
            audit::refused(&state, &session, &format!("GET /dossiers/{code}/payment")).await;
            return Err(ApiError::NotFound);
        }
        other => other?,
    };
    let payment = payment_of(&mut conn, &row).await?;
    Ok(Json(payment))
}

/// `POST /training/vietqr-shown/{code}`: a desk's screen shows the dossier's VietQR code
/// whole, at a size a phone can scan. A training portal journals it (the exercise's first
/// step, and what the simulated bank waits for before it pays); any other portal answers
/// 404. Reading the payment (`GET /dossiers/{code}/payment`) is not enough: a window too
/// small for the code reads it too.
#[utoipa::path(
    post,
    path = "/api/v1/training/vietqr-shown/{code}",
    operation_id = "training_vietqr_shown",
    tag = "training",
    summary = "A VietQR code is on the desk's screen",
    description = "Said by the desk app once the dossier's VietQR code is drawn whole on screen. \
        A training portal journals `payment_qr_shown` for reception, specialist and leader \
        staff while the fee is unpaid (the simulated bank then pays it); otherwise nothing \
        is recorded. Any staff role of the dossier's office. A portal that is not a training \
        one answers 404.",
    params(("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE)),
    responses(
        (status = 204, description = "Heard."),
        (status = 403, description = "`forbidden`: not a staff user.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such dossier in the office, or not a training portal.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn vietqr_shown(
    State(state): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    let what = "POST /training/vietqr-shown/{code}";
    let office = session.office(&state, what).await?;
    if !state.settings.training {
        return Err(ApiError::NotFound);
    }
    if let Some(reference) = crate::api::certifications::fee_order_reference(&code) {
        return super::fee_orders::shown(&state, &session, office, &reference).await;
    }
    let mut conn = state.db.acquire().await?;
    let row = match store::load(&mut *conn, office, &code).await {
        Err(ApiError::NotFound) => {
            drop(conn);
            audit::refused(&state, &session, what).await;
            return Err(ApiError::NotFound);
        }
        other => other?,
    };
    let payment = payment_of(&mut conn, &row).await?;
    drop(conn);
    let desk_role = matches!(
        session.role,
        Role::Reception | Role::Specialist | Role::Leader
    );
    if desk_role && payment.vietqr.is_some() {
        // The simulator's bank pays a code once it has been shown, as a citizen would.
        let event = audit::Event::PaymentQrShown {
            session: &session,
            code: &payment.code,
        };
        audit::record(&state.db, &state.clock, event).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// 409 `already_paid`: the fee is settled, nothing more is taken.
fn already_paid(row: &Row) -> Result<Problem, ApiError> {
    let code = &row.code;
    Ok(match row.payment()? {
        PaymentStatus::Exempt => Problem::new(
            ErrorCode::AlreadyPaid,
            format!(
                "Hồ sơ {code} không phải nộp phí, lệ phí. Không thu tiền; nếu đã nhận, hãy hoàn trả."
            ),
            format!("Dossier {code} has no fee to pay. Take no money; refund any received."),
        ),
        _ => {
            let at = row.paid_at.as_deref().unwrap_or("?");
            let receipt = row.receipt_no.as_deref().unwrap_or("?");
            Problem::new(
                ErrorCode::AlreadyPaid,
                format!(
                    "Hồ sơ {code} đã nộp phí lúc {at} (chứng từ {receipt}). Không thu thêm; nếu đã nhận tiền lần nữa, hãy hoàn trả."
                ),
                format!(
                    "Dossier {code} was paid at {at} (reference {receipt}). Take no more; refund any second payment."
                ),
            )
        }
    })
}

/// 422 `amount_mismatch`: a payment must be exactly the fee due.
fn amount_mismatch(due: i64, given: i64, desk: bool) -> Problem {
    let (todo_vi, todo_en) = if desk {
        ("Hãy thu đúng số tiền.", "Collect exactly that amount.")
    } else {
        (
            "Khoản chuyển chưa được ghi nhận; hãy đối soát và hoàn trả.",
            "The transfer was not applied; reconcile and refund it.",
        )
    };
    Problem::new(
        ErrorCode::AmountMismatch,
        format!(
            "Số tiền phải đúng số phải nộp: {} (nhận được {}). {todo_vi}",
            money(due, Lang::Vi),
            money(given, Lang::Vi)
        ),
        format!(
            "The amount must be exactly the fee due: {} (got {}). {todo_en}",
            money(due, Lang::En),
            money(given, Lang::En)
        ),
    )
    .on("amount")
}

/// A reference (receipt number, transaction id): trimmed, NFC, not empty, not too long,
/// no control characters.
fn reference(
    raw: Option<&str>,
    field: &'static str,
    what: (&str, &str),
) -> Result<String, Problem> {
    let (vi, en) = what;
    let text = raw.map(|r| nfc(r.trim())).unwrap_or_default();
    if text.is_empty() {
        return Err(Problem::invalid(
            field,
            format!("Chưa có {vi}. Hãy nhập {vi}."),
            format!("The {en} is missing. Enter it."),
        ));
    }
    if text.chars().count() > REFERENCE_MAX_CHARS || text.chars().any(char::is_control) {
        return Err(Problem::invalid(
            field,
            format!(
                "{vi} không hợp lệ: tối đa {REFERENCE_MAX_CHARS} ký tự, không có ký tự điều khiển. Hãy nhập lại."
            ),
            format!(
                "The {en} is invalid: at most {REFERENCE_MAX_CHARS} characters, no control characters. Enter it again."
            ),
        ));
    }
    Ok(text)
}

/// `POST /dossiers/{code}/payment/cash`: reception records cash taken at the desk.
#[utoipa::path(
    post,
    path = "/api/v1/dossiers/{code}/payment/cash",
    operation_id = "record_cash_payment",
    tag = "payments",
    summary = "Record a cash payment",
    description = "Reception records the fee taken at the desk, exactly the amount due, with the \
        receipt number. A dossier awaiting payment goes back to `in_progress`.",
    params(
        ("code" = String, Path, description = crate::portal::openapi::text::DOSSIER_CODE),
        ("Idempotency-Key" = String, Header, pattern = "^(\"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = crate::portal::openapi::text::IDEMPOTENCY_KEY),
    ),
    request_body = CashPayment,
    responses(
        (status = 201, description = "The payment view after it.", body = Payment),
        (status = 400, description = "`idempotency_key_missing`; `bad_request`: a malformed key or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a reception officer.", body = ErrorBody),
        (status = 404, description = "`not_found`.", body = ErrorBody),
        (status = 409, description = "`already_paid` (or nothing is due); `request_in_progress`.", body = ErrorBody),
        (status = 422, description = "`validation_failed` (`amount`, `receipt_no`); `amount_mismatch`; \
            `dossier_closed`; `idempotency_key_reused`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn cash(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    match take_cash(&state, &session, &headers, &code, &body).await {
        Ok(response) => response,
        Err(failure) => failure.into_response(),
    }
}

async fn take_cash(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    code: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    const WHAT: &str = "POST /dossiers/{code}/payment/cash";
    session.require(state, &[Role::Reception], WHAT).await?;
    let office = session.office(state, WHAT).await?;
    // The code is part of the fingerprint: one key cannot pay for two dossiers.
    let idem = Idempotent::claim(
        state,
        session,
        headers,
        &format!("POST /dossiers/{code}/payment/cash"),
        body,
    )?;
    let request: CashPayment = parse_json(body)?;
    let receipt_no = reference(
        request.receipt_no.as_deref(),
        "receipt_no",
        ("số biên lai", "receipt number"),
    )?;
    let amount = request.amount.ok_or_else(|| {
        Problem::invalid(
            "amount",
            "Chưa nhập số tiền. Hãy nhập số tiền đã thu.",
            "The amount is missing. Enter the amount taken.",
        )
    })?;
    let now = state.clock.now();

    let mut tx = db::write(&state.db).await?;
    if let Some(replay) = idem.replay(&mut tx).await? {
        return Ok(replay);
    }
    let row = match store::load(&mut *tx, office, code).await {
        Err(ApiError::NotFound) => {
            // The refusal is audited outside the (empty) transaction, which must end
            // first: it holds the write lock the audit row needs.
            drop(tx);
            audit::refused(
                state,
                session,
                &format!("POST /dossiers/{code}/payment/cash"),
            )
            .await;
            return Err(ApiError::NotFound);
        }
        other => other?,
    };
    if row.payment()? != PaymentStatus::Unpaid {
        return Err(already_paid(&row)?.into());
    }
    let status = row.status()?;
    if status.is_closed() {
        // At the desk no money has changed hands yet: better not to take it at all.
        return Err(Problem::new(
            ErrorCode::DossierClosed,
            format!(
                "Hồ sơ {code} đang ở trạng thái \"{}\": không thu phí. Hãy trả lại tiền cho người nộp.",
                status.label(Lang::Vi)
            ),
            format!(
                "Dossier {code} is \"{}\": no fee is taken. Hand the money back.",
                status.label(Lang::En)
            ),
        )
        .into());
    }
    if amount != row.fee_amount {
        return Err(amount_mismatch(row.fee_amount, amount, true).into());
    }

    let moved = settle(
        &mut tx,
        state,
        &row,
        &Settlement {
            method: "cash",
            paid_at: now,
            receipt_no: &receipt_no,
        },
        now,
    )
    .await?;
    audit::record(
        &mut *tx,
        &state.clock,
        Event::PaymentRecorded {
            session: Some(session),
            office_id: office,
            code,
            detail: &format!("cash {amount}"),
            reference: &receipt_no,
        },
    )
    .await?;
    if let Some((from, to)) = moved {
        // The officer's name stays on the step: the history shows who took the money.
        audit::record(
            &mut *tx,
            &state.clock,
            Event::Transition {
                session,
                code,
                action: Action::PaymentRecorded.as_str(),
                from: from.as_str(),
                to: to.as_str(),
                reason: None,
            },
        )
        .await?;
    }
    let row = store::load(&mut *tx, office, code).await?;
    let payment = payment_of(&mut tx, &row).await?;
    let json = serde_json::to_value(&payment).map_err(ApiError::internal)?;
    idem.store(&mut tx, state.clock.unix(), StatusCode::CREATED, &json)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// Whether `X-Signature` is the HMAC-SHA256 of `body` under `secret`. The comparison is
/// constant-time (`verify_slice`), so a forger learns nothing from response times.
fn signed(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(given) = headers
        .get(wire::SIGNATURE)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
    else {
        return false;
    };
    let hex_part = given.strip_prefix("sha256=").unwrap_or(given);
    let Ok(tag) = hex::decode(hex_part) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&tag).is_ok()
}

/// How the gateway names a dossier (or a certification's fee order).
#[derive(Debug, PartialEq, Eq)]
enum DossierRef {
    Full(String),
    Short(String),
    /// `CT` + 8 characters: a certification's fee order (`routes::fee_orders`).
    FeeOrder(String),
}

/// `000.01.27.H07-260306-0001`, `260306-0001` or the transfer note `HS 260306-0001`.
fn dossier_ref(raw: &str) -> Option<DossierRef> {
    if let Some(order) = crate::api::certifications::fee_order_reference(raw) {
        return Some(DossierRef::FeeOrder(order));
    }
    let text = raw.trim();
    // The note of the QR, if the gateway passes it on as it is.
    let text = match text.get(..2) {
        Some(hs) if hs.eq_ignore_ascii_case("HS") => text[2..].trim_start(),
        _ => text,
    };
    if let Ok(code) = DossierCode::parse(text) {
        return Some(DossierRef::Full(code.to_string()));
    }
    let b = text.as_bytes();
    let short = b.len() == 11
        && b[6] == b'-'
        && b[..6].iter().all(u8::is_ascii_digit)
        && b[7..].iter().all(u8::is_ascii_digit);
    short.then(|| DossierRef::Short(text.to_owned()))
}

/// Whether a stored notice was about the dossier a repeat names.
fn same_dossier(stored: &str, named: &DossierRef) -> bool {
    match named {
        DossierRef::Full(code) => stored == code,
        DossierRef::Short(short) => stored.ends_with(&format!("-{short}")),
        DossierRef::FeeOrder(order) => stored == order,
    }
}

#[derive(sqlx::FromRow)]
struct Candidate {
    code: String,
    office_id: i64,
    bank_bin: String,
    bank_account: String,
}

/// The dossier a notice pays for, by the rule in the module comment.
async fn find_dossier(
    conn: &mut AnyConnection,
    named: &DossierRef,
    bank_bin: Option<&str>,
    account: Option<&str>,
) -> Result<(i64, String), Problem> {
    const SELECT: &str = "SELECT d.code, d.office_id, o.bank_bin, o.bank_account \
        FROM dossiers d JOIN offices o ON o.id = d.office_id";
    let found: Result<Vec<Candidate>, sqlx::Error> = match named {
        // Fee orders are paid by `apply_fee_order`, never looked up here.
        DossierRef::FeeOrder(_) => Ok(Vec::new()),
        DossierRef::Full(code) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE d.code = $1")))
                .bind(code)
                .fetch_all(&mut *conn)
                .await
        }
        // The short form is the code's tail; it holds digits and '-' only (checked), so
        // it cannot carry a LIKE wildcard.
        DossierRef::Short(short) => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE d.code LIKE '%-' || $1 ORDER BY d.code"
            )))
            .bind(short)
            .fetch_all(&mut *conn)
            .await
        }
    };
    let found = found.map_err(|e| {
        tracing::error!("looking up a paid dossier: {e}");
        Problem::new(
            ErrorCode::InternalError,
            "Máy chủ gặp lỗi. Hãy gửi lại sau.".into(),
            "The server had a problem. Send the notice again later.".into(),
        )
    })?;
    let name = match named {
        DossierRef::Full(code) | DossierRef::Short(code) | DossierRef::FeeOrder(code) => {
            code.as_str()
        }
    };
    let unknown = || {
        Problem::new(
            ErrorCode::UnknownDossier,
            format!(
                "Không có hồ sơ {name} nhận tiền vào tài khoản này. Khoản chuyển chưa được ghi nhận; hãy đối soát và hoàn trả."
            ),
            format!(
                "No dossier {name} is paid into this account. The transfer was not applied; reconcile and refund it."
            ),
        )
        .on("dossier_ref")
    };
    if found.is_empty() {
        return Err(unknown());
    }
    let wanted = |c: &Candidate| {
        account.is_none_or(|a| a == c.bank_account) && bank_bin.is_none_or(|b| b == c.bank_bin)
    };
    let matching: Vec<&Candidate> = found.iter().filter(|c| wanted(c)).collect();
    match (named, matching.as_slice()) {
        (_, [one]) => Ok((one.office_id, one.code.clone())),
        (DossierRef::Full(_), []) => Err(Problem::new(
            ErrorCode::AccountMismatch,
            format!(
                "Hồ sơ {name} không nộp phí vào tài khoản này. Khoản chuyển chưa được ghi nhận; hãy đối soát và hoàn trả."
            ),
            format!(
                "Dossier {name} is not paid into this account. The transfer was not applied; reconcile and refund it."
            ),
        )
        .on("account")),
        (_, []) => Err(unknown()),
        (_, _) => Err(Problem::new(
            ErrorCode::AmbiguousDossierRef,
            format!(
                "Mã {name} trùng ở nhiều cơ quan. Hãy gửi kèm tài khoản nhận tiền (account, bank_bin) hoặc mã hồ sơ đầy đủ."
            ),
            format!(
                "Reference {name} exists at several offices. Send the receiving account (account, bank_bin) or the full dossier code."
            ),
        )
        .on("dossier_ref")),
    }
}

/// What a notice says, checked.
struct Notice {
    transaction_id: String,
    named: DossierRef,
    amount: i64,
    paid_at: LocalTime,
    bank_bin: Option<String>,
    account: Option<String>,
}

fn check_notice(notice: PaymentNotice) -> Result<Notice, Problem> {
    let transaction_id = reference(
        notice.transaction_id.as_deref(),
        "transaction_id",
        ("mã giao dịch", "transaction id"),
    )?;
    let raw_ref = notice.dossier_ref.unwrap_or_default();
    let named = dossier_ref(&raw_ref).ok_or_else(|| {
        Problem::invalid(
            "dossier_ref",
            format!(
                "'{raw_ref}' không phải mã hồ sơ (đầy đủ hoặc dạng YYMMDD-NNNN). Hãy gửi mã ghi trong nội dung chuyển khoản."
            ),
            format!(
                "'{raw_ref}' is not a dossier code (full, or YYMMDD-NNNN). Send the reference of the transfer note."
            ),
        )
    })?;
    let amount = notice.amount.ok_or_else(|| {
        Problem::invalid(
            "amount",
            "Thiếu số tiền. Hãy gửi số tiền đã chuyển.",
            "The amount is missing. Send the amount transferred.",
        )
    })?;
    let raw_at = notice.paid_at.unwrap_or_default();
    let paid_at = DateTime::parse_from_rfc3339(raw_at.trim())
        .map(|t| t.with_timezone(&vn_offset()))
        .map(|t| t.with_nanosecond(0).unwrap_or(t))
        .map_err(|_| {
            Problem::invalid(
                "paid_at",
                format!(
                    "'{raw_at}' không phải thời điểm RFC 3339. Hãy gửi thời điểm ghi có, ví dụ 2026-03-06T09:00:00+07:00."
                ),
                format!(
                    "'{raw_at}' is not an RFC 3339 time. Send when the account was credited, e.g. 2026-03-06T09:00:00+07:00."
                ),
            )
        })?;
    let given = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(Notice {
        transaction_id,
        named,
        amount,
        paid_at,
        bank_bin: given(notice.bank_bin),
        account: given(notice.account),
    })
}

/// `POST /payments/notify`: the gateway's signed notice of a transfer.
#[utoipa::path(
    post,
    path = "/api/v1/payments/notify",
    operation_id = "payment_notice",
    tag = "payments",
    summary = "The payment gateway's notice",
    description = "A transfer arrived for a dossier. Signed with HMAC-SHA256 of the body under \
        the shared secret. A repeat of a transaction id changes nothing and gets the first \
        answer. Refusals are audited, so money not applied can be reconciled.",
    params(
        ("X-Signature" = String, Header, description = "Hex HMAC-SHA256 of the raw body under the shared secret (an optional `sha256=` prefix is accepted)."),
    ),
    request_body = PaymentNotice,
    responses(
        (status = 200, description = "Applied (or a repeat of an applied notice).", body = NoticeReceipt,
            headers(("Idempotent-Replayed" = String, description = "`true` for a repeated transaction id."))),
        (status = 400, description = "`bad_request`: the body is not a notice.", body = ErrorBody),
        (status = 401, description = "`invalid_signature`.", body = ErrorBody),
        (status = 409, description = "`already_paid`; `transaction_conflict`.", body = ErrorBody),
        (status = 422, description = "`validation_failed`; `unknown_dossier`; `account_mismatch`; \
            `ambiguous_dossier_ref`; `amount_mismatch`.", body = ErrorBody),
        (status = 503, description = "`payments_disabled`: the portal has no gateway secret.", body = ErrorBody),
    ),
)]
pub async fn notify(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match apply_notice(&state, &addr.ip().to_string(), &headers, &body).await {
        Ok(response) => response,
        Err(failure) => failure.into_response(),
    }
}

/// Records a notice that was not applied, then answers `problem`. The audit row is
/// committed on its own, so the refusal is kept although nothing else changed.
async fn refuse(
    mut tx: Transaction<'static, Any>,
    state: &AppState,
    client: &str,
    office_id: Option<i64>,
    code: Option<&str>,
    detail: &str,
    problem: Problem,
) -> ApiError {
    let event = Event::PaymentRefused {
        office_id,
        code,
        why: problem.code,
        detail: Some(detail),
        client: Some(client),
    };
    let kept = match audit::record(&mut *tx, &state.clock, event).await {
        Ok(()) => tx.commit().await,
        Err(e) => Err(e),
    };
    if let Err(e) = kept {
        tracing::error!("could not audit a refused payment notice: {e}");
    }
    problem.into()
}

async fn apply_notice(
    state: &AppState,
    client: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let Some(secret) = state.settings.payment_secret.as_deref() else {
        return Err(Problem::new(
            ErrorCode::PaymentsDisabled,
            "Cổng này chưa bật nhận thông báo thanh toán trực tuyến. Hãy thanh toán tại bộ phận một cửa hoặc báo quản trị."
                .into(),
            "This portal does not take online payment notices. Pay at the one-stop desk or tell the administrator."
                .into(),
        )
        .into());
    };
    if !signed(secret, headers, body) {
        // Neither the signature nor the body is kept: only that a refusal happened, and
        // from where.
        let event = Event::PaymentRefused {
            office_id: None,
            code: None,
            why: ErrorCode::InvalidSignature,
            detail: None,
            client: Some(client),
        };
        if let Err(e) = audit::record(&state.db, &state.clock, event).await {
            tracing::error!("could not audit a refused payment notice: {e}");
        }
        return Err(Problem::new(
            ErrorCode::InvalidSignature,
            "Thiếu chữ ký X-Signature hoặc chữ ký không đúng. Hãy ký nội dung bằng HMAC-SHA256 với khóa bí mật đã thỏa thuận."
                .into(),
            "The X-Signature header is missing or wrong. Sign the body with HMAC-SHA256 under the agreed secret."
                .into(),
        )
        .into());
    }
    let notice = check_notice(parse_json(body)?)?;
    let now = state.clock.now();
    let detail = format!(
        "vietqr {} transaction {}",
        notice.amount, notice.transaction_id
    );

    let mut tx = db::write(&state.db).await?;
    let seen: Option<(String, i64, String)> = sqlx::query_as(
        "SELECT dossier_code, amount, received_at FROM payment_notifications \
         WHERE transaction_id = $1",
    )
    .bind(&notice.transaction_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((code, amount, recorded_at)) = seen {
        if amount != notice.amount || !same_dossier(&code, &notice.named) {
            let problem = Problem::new(
            ErrorCode::TransactionConflict,
                format!(
                    "Mã giao dịch {} đã được ghi nhận cho hồ sơ {code}, số tiền {}, khác thông báo này. Hãy kiểm tra lại giao dịch.",
                    notice.transaction_id,
                    money(amount, Lang::Vi)
                ),
                format!(
                    "Transaction {} was recorded for dossier {code}, {}, unlike this notice. Check the transaction.",
                    notice.transaction_id,
                    money(amount, Lang::En)
                ),
            )
            .on("transaction_id");
            return Err(refuse(tx, state, client, None, Some(&code), &detail, problem).await);
        }
        // A repeat: the first answer again, and nothing else.
        let receipt = NoticeReceipt {
            transaction_id: notice.transaction_id,
            code,
            amount: u64::try_from(amount).unwrap_or(0),
            status: PaymentStatus::Paid,
            recorded_at,
        };
        let mut response = Json(receipt).into_response();
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
        return Ok(response);
    }
    if let DossierRef::FeeOrder(order) = &notice.named {
        return apply_fee_order(tx, state, client, &notice, order, &detail).await;
    }

    let (office, code) = match find_dossier(
        &mut tx,
        &notice.named,
        notice.bank_bin.as_deref(),
        notice.account.as_deref(),
    )
    .await
    {
        Ok(found) => found,
        Err(problem) => return Err(refuse(tx, state, client, None, None, &detail, problem).await),
    };
    let row = store::load(&mut *tx, office, &code).await?;
    if row.payment()? != PaymentStatus::Unpaid {
        let problem = already_paid(&row)?;
        return Err(refuse(
            tx,
            state,
            client,
            Some(office),
            Some(&code),
            &detail,
            problem,
        )
        .await);
    }
    if notice.amount != row.fee_amount {
        let problem = amount_mismatch(row.fee_amount, notice.amount, false);
        return Err(refuse(
            tx,
            state,
            client,
            Some(office),
            Some(&code),
            &detail,
            problem,
        )
        .await);
    }

    // The transaction id is kept as the payment's reference: it is what the bank
    // statement shows, until the office issues its electronic receipt.
    let moved = settle(
        &mut tx,
        state,
        &row,
        &Settlement {
            method: "vietqr",
            paid_at: notice.paid_at,
            receipt_no: &notice.transaction_id,
        },
        now,
    )
    .await?;
    let recorded_at = now.to_rfc3339();
    keep_notice(&mut tx, &notice, &code, &recorded_at).await?;
    audit::record(
        &mut *tx,
        &state.clock,
        Event::PaymentRecorded {
            session: None,
            office_id: office,
            code: &code,
            detail: &format!("vietqr {}", notice.amount),
            reference: &notice.transaction_id,
        },
    )
    .await?;
    if let Some((from, to)) = moved {
        audit::record(
            &mut *tx,
            &state.clock,
            Event::SystemTransition {
                office_id: office,
                code: &code,
                action: Action::PaymentRecorded.as_str(),
                from: from.as_str(),
                to: to.as_str(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Json(NoticeReceipt {
        transaction_id: notice.transaction_id,
        code,
        amount: u64::try_from(notice.amount).unwrap_or(0),
        status: PaymentStatus::Paid,
        recorded_at,
    })
    .into_response())
}

/// Keeps an applied notice against replays: its transaction id, what it paid (a dossier's
/// code or a fee order's reference) and how much.
async fn keep_notice(
    tx: &mut Transaction<'static, Any>,
    notice: &Notice,
    paid_for: &str,
    recorded_at: &str,
) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO payment_notifications (transaction_id, dossier_code, amount, received_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(&notice.transaction_id)
    .bind(paid_for)
    .bind(notice.amount)
    .bind(recorded_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A notice naming a certification's fee order: the order is paid (once, the amount due,
/// into its office's account), the notice kept against replays, and audited.
async fn apply_fee_order(
    mut tx: Transaction<'static, Any>,
    state: &AppState,
    client: &str,
    notice: &Notice,
    order: &str,
    detail: &str,
) -> Result<Response, ApiError> {
    let paid_at = notice.paid_at.to_rfc3339();
    let office = match super::fee_orders::pay(
        &mut tx,
        order,
        notice.amount,
        (notice.bank_bin.as_deref(), notice.account.as_deref()),
        (&paid_at, &notice.transaction_id),
    )
    .await
    {
        Ok(office) => office,
        // The refusal names the order the transfer note named: what reconciliation
        // looks for on the bank statement.
        Err(problem) => {
            return Err(refuse(tx, state, client, None, Some(order), detail, problem).await);
        }
    };
    let recorded_at = state.clock.now().to_rfc3339();
    keep_notice(&mut tx, notice, order, &recorded_at).await?;
    audit::record(
        &mut *tx,
        &state.clock,
        Event::FeeOrderPaid {
            office_id: office,
            detail: &format!("vietqr {} {order}", notice.amount),
            transaction_id: &notice.transaction_id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Json(NoticeReceipt {
        transaction_id: notice.transaction_id.clone(),
        code: order.to_owned(),
        amount: u64::try_from(notice.amount).unwrap_or(0),
        status: PaymentStatus::Paid,
        recorded_at,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_in_every_form_the_gateway_may_send() {
        let full = DossierRef::Full("000.01.27.H07-260306-0001".into());
        assert_eq!(dossier_ref("000.01.27.H07-260306-0001"), Some(full));
        let short = || Some(DossierRef::Short("260306-0001".into()));
        assert_eq!(dossier_ref(" 260306-0001 "), short());
        assert_eq!(dossier_ref("HS 260306-0001"), short());
        assert_eq!(dossier_ref("hs260306-0001"), short());
        assert_eq!(dossier_ref("260306-001"), None);
        assert_eq!(dossier_ref("26O306-0001"), None);
        assert_eq!(dossier_ref("%-0001"), None);
        assert_eq!(dossier_ref(""), None);
        assert_eq!(dossier_ref("Hồ sơ"), None, "no panic on a multi-byte start");
    }

    #[test]
    fn a_repeat_must_name_the_same_dossier() {
        let stored = "000.01.27.H07-260306-0001";
        assert!(same_dossier(
            stored,
            &DossierRef::Short("260306-0001".into())
        ));
        assert!(same_dossier(stored, &DossierRef::Full(stored.into())));
        assert!(!same_dossier(
            stored,
            &DossierRef::Short("260306-0002".into())
        ));
    }

    #[test]
    fn signatures_are_checked_on_the_exact_body() {
        let body = br#"{"amount":50000}"#;
        let mut mac = Hmac::<Sha256>::new_from_slice(b"bi-mat").unwrap();
        mac.update(body);
        let tag = hex::encode(mac.finalize().into_bytes());
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(wire::SIGNATURE, HeaderValue::from_str(v).unwrap());
            h
        };
        assert!(signed("bi-mat", &with(&tag), body));
        assert!(signed("bi-mat", &with(&tag.to_uppercase()), body));
        assert!(signed("bi-mat", &with(&format!("sha256={tag}")), body));
        assert!(!signed("khac", &with(&tag), body));
        assert!(!signed("bi-mat", &with(&tag), br#"{"amount":5000}"#));
        assert!(!signed("bi-mat", &with(&tag[..10]), body));
        assert!(!signed("bi-mat", &with("zz"), body));
        assert!(!signed("bi-mat", &HeaderMap::new(), body));
    }
}
