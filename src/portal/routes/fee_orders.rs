//! A certification's fee by VietQR (issue 21). A certification is entered while the
//! citizen waits, and its number is given only once the fee is paid, so a transfer cannot
//! pay for an entry that exists already (as it pays a dossier). The desk first makes a
//! **fee order**: the amount and a transfer note `CT` + 8 characters, with the office's
//! VietQR code to show; the gateway's signed notice (`POST /payments/notify`, naming the
//! order as it names a dossier) pays it; `POST /certifications` with `fee_order` then
//! enters the certification, recorded as paid by VietQR. An order pays for one entry.

use crate::api::certifications::{
    FeeOrder, FeeOrderStatus, MAX_FEE_ORDER, NewFeeOrder, fee_order_reference,
};
use crate::api::error::{ErrorBody, ErrorCode};
use crate::domain::calendar::LocalTime;
use crate::domain::vietqr::{self, VietQrRequest};
use crate::domain::workflow::Role;
use crate::portal::audit;
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::error::{ApiError, Problem, invalid};
use crate::portal::idempotency::Idempotent;
use crate::portal::json::parse_json;
use crate::portal::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use sqlx::AnyConnection;

/// The letters and digits of a reference: no 0/O or 1/I to misread from a screen.
const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn new_reference() -> String {
    let mut rng = rand::rng();
    let tail: String = (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("CT{tail}")
}

/// The transfer note inside the QR: `CT XXXXXXXX`, as a payer reads it.
fn purpose(reference: &str) -> String {
    format!("CT {}", &reference[2..])
}

#[derive(sqlx::FromRow)]
struct Stored {
    reference: String,
    amount: i64,
    created_at: String,
    paid_at: Option<String>,
    transaction_id: Option<String>,
    certification_id: Option<i64>,
    bank_bin: String,
    bank_account: String,
    account_name: String,
}

const SELECT: &str = "SELECT f.reference, f.amount, f.created_at, f.paid_at, \
    f.transaction_id, f.certification_id, o.bank_bin, o.bank_account, o.account_name \
    FROM certification_fee_orders f JOIN offices o ON o.id = f.office_id";

async fn load(
    conn: &mut AnyConnection,
    office: i64,
    reference: &str,
) -> Result<Option<Stored>, ApiError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE f.reference = $1 AND f.office_id = $2"
    )))
    .bind(reference)
    .bind(office)
    .fetch_optional(&mut *conn)
    .await?)
}

impl Stored {
    fn api(self) -> FeeOrder {
        let amount = u64::try_from(self.amount).unwrap_or(0);
        let status = match (&self.paid_at, self.certification_id) {
            (_, Some(_)) => FeeOrderStatus::Used,
            (Some(_), None) => FeeOrderStatus::Paid,
            (None, None) => FeeOrderStatus::Unpaid,
        };
        let vietqr = (status == FeeOrderStatus::Unpaid)
            .then(|| {
                vietqr::build(&VietQrRequest {
                    bank_bin: self.bank_bin.clone(),
                    account: self.bank_account.clone(),
                    amount: Some(amount),
                    purpose: Some(purpose(&self.reference)),
                })
                // The amount and account still show without a QR; the administrator
                // is told the office's account is not usable.
                .inspect_err(|e| tracing::warn!("an office has no usable VietQR account: {e}"))
                .ok()
            })
            .flatten();
        FeeOrder {
            reference: self.reference,
            amount,
            status,
            vietqr,
            bank_bin: self.bank_bin,
            account: self.bank_account,
            account_name: self.account_name,
            created_at: self.created_at,
            paid_at: self.paid_at,
            transaction_id: self.transaction_id,
        }
    }
}

/// `POST /certifications/fee-orders` (reception officers).
#[utoipa::path(
    post,
    path = "/api/v1/certifications/fee-orders",
    operation_id = "create_fee_order",
    tag = "certifications",
    summary = "A certification fee to pay by VietQR",
    description = "Makes a fee order of the office for `amount` đồng: a reference `CT` + 8 \
        characters, the transfer note `CT XXXXXXXX` and the office's VietQR code to show the \
        citizen. The gateway's notice naming the reference pays it; `POST /certifications` \
        with `fee_order` then enters the certification as paid by VietQR.",
    params(
        ("Idempotency-Key" = String, Header, pattern = "^(\"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$", description = crate::portal::openapi::text::IDEMPOTENCY_KEY),
    ),
    request_body = NewFeeOrder,
    responses(
        (status = 201, description = "The order, unpaid, with its QR.", body = FeeOrder),
        (status = 400, description = "`idempotency_key_missing`; `bad_request`: a malformed key or body.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a reception officer.", body = ErrorBody),
        (status = 409, description = "`request_in_progress`.", body = ErrorBody),
        (status = 422, description = "`validation_failed`: `amount` missing or not from 1 to \
            200,000,000; `idempotency_key_reused`.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    const WHAT: &str = "POST /certifications/fee-orders";
    session.require(&state, &[Role::Reception], WHAT).await?;
    let office = session.office(&state, WHAT).await?;
    let idem = Idempotent::claim(&state, &session, &headers, WHAT, &body)?;
    let request: NewFeeOrder = parse_json(&body)?;
    let amount = match request.amount {
        Some(n) if (1..=MAX_FEE_ORDER).contains(&n) => n,
        _ => {
            return Err(invalid(
                "amount",
                "Số tiền của lệnh thu phải từ 1 đến 200.000.000 đồng: là lệ phí của chứng thực. Hãy gửi lại số tiền.",
                "A fee order's amount must be 1 to 200,000,000 đồng: the certification's fee. Send the amount again.",
            ));
        }
    };
    let now: LocalTime = state.clock.now();
    let mut tx = db::write(&state.db).await?;
    if let Some(replay) = idem.replay(&mut tx).await? {
        return Ok(replay);
    }
    // 32⁸ references: a repeat is all but impossible, and retried if it happens.
    let mut reference = new_reference();
    for _ in 0..8 {
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM certification_fee_orders WHERE reference = $1")
                .bind(&reference)
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_none() {
            break;
        }
        reference = new_reference();
    }
    sqlx::query(
        "INSERT INTO certification_fee_orders (reference, office_id, amount, created_at, user_id) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&reference)
    .bind(office)
    .bind(amount)
    .bind(now.to_rfc3339())
    .bind(session.user_id)
    .execute(&mut *tx)
    .await?;
    let order = load(&mut tx, office, &reference)
        .await?
        .ok_or_else(|| ApiError::internal("a fee order just made is missing"))?
        .api();
    let json = serde_json::to_value(&order).map_err(ApiError::internal)?;
    idem.store(&mut tx, state.clock.unix(), StatusCode::CREATED, &json)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// `GET /certifications/fee-orders/{reference}` (staff of the office).
#[utoipa::path(
    get,
    path = "/api/v1/certifications/fee-orders/{reference}",
    operation_id = "show_fee_order",
    tag = "certifications",
    summary = "Whether a certification fee was paid",
    description = "The fee order: `unpaid` (with its QR), `paid` once the gateway's notice \
        came, `used` once a certification was entered with it. Another office's order is \
        404, audited.",
    params(("reference" = String, Path, max_length = 16, description = "`CT` and 8 characters.")),
    responses(
        (status = 200, description = "The order.", body = FeeOrder),
        (status = 401, description = "`unauthenticated`.", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff user of an office.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such order at the office.", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Path(reference): Path<String>,
) -> Result<Json<FeeOrder>, ApiError> {
    const WHAT: &str = "GET /certifications/fee-orders/{reference}";
    let office = session.office(&state, WHAT).await?;
    let found = match fee_order_reference(&reference) {
        Some(reference) => {
            let mut conn = state.db.acquire().await?;
            load(&mut conn, office, &reference).await?
        }
        None => None,
    };
    match found {
        Some(order) => Ok(Json(order.api())),
        None => {
            audit::refused(&state, &session, WHAT).await;
            Err(ApiError::NotFound)
        }
    }
}

/// The order a gateway's notice pays: its office, if `reference` is an unpaid order whose
/// office's account is the one named (when named) and whose amount is `amount`; else why
/// the transfer was not applied.
pub(crate) async fn pay(
    conn: &mut AnyConnection,
    reference: &str,
    amount: i64,
    (bank_bin, account): (Option<&str>, Option<&str>),
    (paid_at, transaction_id): (&str, &str),
) -> Result<i64, Problem> {
    let internal = |e: sqlx::Error| {
        tracing::error!("looking up a paid fee order: {e}");
        Problem::new(
            ErrorCode::InternalError,
            "Máy chủ gặp lỗi. Hãy gửi lại sau.".into(),
            "The server had a problem. Send the notice again later.".into(),
        )
    };
    let found: Option<(i64, i64, i64, Option<String>, String, String)> = sqlx::query_as(
        "SELECT f.id, f.office_id, f.amount, f.paid_at, o.bank_bin, o.bank_account \
         FROM certification_fee_orders f JOIN offices o ON o.id = f.office_id \
         WHERE f.reference = $1",
    )
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await
    .map_err(internal)?;
    let unknown = || {
        Problem::new(
            ErrorCode::UnknownDossier,
            format!("Không có lệnh thu {reference} nhận tiền vào tài khoản này. Khoản chuyển chưa được ghi nhận; hãy đối soát và hoàn trả."),
            format!("No fee order {reference} is paid into this account. The transfer was not applied; reconcile and refund it."),
        )
        .on("dossier_ref")
    };
    let Some((id, office, due, paid, bin, acct)) = found else {
        return Err(unknown());
    };
    if account.is_some_and(|a| a != acct) || bank_bin.is_some_and(|b| b != bin) {
        return Err(Problem::new(
            ErrorCode::AccountMismatch,
            format!("Lệnh thu {reference} không nộp vào tài khoản này. Khoản chuyển chưa được ghi nhận; hãy đối soát và hoàn trả."),
            format!("Fee order {reference} is not paid into this account. The transfer was not applied; reconcile and refund it."),
        )
        .on("account"));
    }
    if paid.is_some() {
        return Err(Problem::new(
            ErrorCode::AlreadyPaid,
            format!(
                "Lệnh thu {reference} đã được thanh toán. Khoản chuyển này chưa được ghi nhận; hãy đối soát và hoàn trả."
            ),
            format!(
                "Fee order {reference} is paid already. This transfer was not applied; reconcile and refund it."
            ),
        ));
    }
    if amount != due {
        return Err(Problem::new(
            ErrorCode::AmountMismatch,
            format!("Lệnh thu {reference} là {due} đồng, khoản chuyển là {amount} đồng. Khoản chuyển chưa được ghi nhận; hãy đối soát và hoàn trả."),
            format!("Fee order {reference} is for {due} đồng; the transfer was {amount} đồng. It was not applied; reconcile and refund it."),
        )
        .on("amount"));
    }
    sqlx::query(
        "UPDATE certification_fee_orders SET paid_at = $1, transaction_id = $2 WHERE id = $3",
    )
    .bind(paid_at)
    .bind(transaction_id)
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(internal)?;
    Ok(office)
}

/// A training desk shows a fee order's QR whole (`POST /training/vietqr-shown/{code}`
/// with the reference): journalled while unpaid, so the simulated bank pays it as a
/// citizen would. Another office's order is 404, audited.
pub(crate) async fn shown(
    state: &AppState,
    session: &Session,
    office: i64,
    reference: &str,
) -> Result<StatusCode, ApiError> {
    const WHAT: &str = "POST /training/vietqr-shown/{code}";
    let mut conn = state.db.acquire().await?;
    let Some(order) = load(&mut conn, office, reference).await? else {
        drop(conn);
        audit::refused(state, session, WHAT).await;
        return Err(ApiError::NotFound);
    };
    drop(conn);
    let desk_role = matches!(
        session.role,
        Role::Reception | Role::Specialist | Role::Leader
    );
    if desk_role && order.paid_at.is_none() {
        let event = audit::Event::PaymentQrShown {
            session,
            code: reference,
        };
        audit::record(&state.db, &state.clock, event).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
