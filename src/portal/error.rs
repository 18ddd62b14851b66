//! `ApiError`: every way a request can fail, mapped to an HTTP status and the JSON error
//! body of docs/api.md with a stable code. Messages are rendered in the caller's language by
//! the [`localize`] middleware, because a handler's error does not see the request.

use crate::api::error::{ErrorBody, ErrorCode, ErrorDetail};
use crate::domain::account::ACTIVATION_VALID_HOURS;
use crate::domain::workflow::Refusal;
use crate::domain::{Lang, RuleError};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A broken domain rule, kept whole so its message can be given in either language.
pub type Rule = Arc<dyn RuleError + Send + Sync>;

/// A refusal particular to one area of the API (payments, uploads, forms, the workflow's
/// rules…): its code (which sets the status), the rule it breaks (what to do, in both
/// languages), and the request field at fault if any. The one way a handler answers
/// with a code that `ApiError` has no variant of its own for.
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: ErrorCode,
    pub rule: Rule,
    pub field: Option<&'static str>,
}

/// A rule spelled out where it is broken, for refusals whose words depend on the case
/// at hand (an amount, a receipt number) and belong to no domain type.
#[derive(Debug, thiserror::Error)]
#[error("{code}: {en}")]
struct Said {
    code: ErrorCode,
    vi: String,
    en: String,
}

impl RuleError for Said {
    fn code(&self) -> &'static str {
        self.code.as_str()
    }

    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Vi => self.vi.clone(),
            Lang::En => self.en.clone(),
        }
    }
}

impl Problem {
    /// A broken rule answered with `code` (and so with its status).
    pub fn of(code: ErrorCode, rule: impl RuleError + Send + Sync + 'static) -> Problem {
        Problem {
            code,
            rule: Arc::new(rule),
            field: None,
        }
    }

    /// A refusal with its code and its words in both languages.
    pub fn new(code: ErrorCode, vi: String, en: String) -> Problem {
        Problem::of(code, Said { code, vi, en })
    }

    /// Names the request field at fault.
    pub fn on(mut self, field: &'static str) -> Problem {
        self.field = Some(field);
        self
    }

    /// A field that is missing or malformed: 422 `validation_failed`, as elsewhere.
    pub fn invalid(field: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Problem {
        Problem::new(ErrorCode::ValidationFailed, vi.into(), en.into()).on(field)
    }
}

/// A request field that breaks a rule: 422 `validation_failed` naming the field.
pub fn invalid(field: &'static str, vi: impl Into<String>, en: impl Into<String>) -> ApiError {
    Problem::invalid(field, vi, en).into()
}

/// 422 `applicant_mismatch`: the identity number and date of birth presented for a
/// citizen do not both match one. One answer whichever of the two is wrong (or whether
/// the number exists at all), so the desk cannot be used to test what a stranger's
/// number or birthday is.
pub fn applicant_mismatch() -> ApiError {
    Problem::new(
        ErrorCode::ApplicantMismatch,
        "Số định danh và ngày sinh không khớp với công dân nào. Hãy đối chiếu lại cả hai với thẻ căn cước công dân xuất trình rồi nhập lại; nếu vẫn không khớp, công dân cần đến nơi đã tạo tài khoản để kiểm tra thông tin.".into(),
        "The identity number and date of birth do not match a citizen. Check both against the identity card the citizen presents and enter them again; if they still do not match, the citizen should ask the office that created the account to check their details.".into(),
    )
    .into()
}

/// The code of a workflow refusal. Written out, not read from the refusal's own string,
/// so that a new kind of refusal cannot reach a caller without a code of [`ErrorCode`].
pub fn refusal_code(refusal: &Refusal) -> ErrorCode {
    match refusal {
        Refusal::InvalidTransition { .. } => ErrorCode::InvalidTransition,
        Refusal::ForbiddenAction { .. } => ErrorCode::ForbiddenAction,
        Refusal::SupplementWindowClosed { .. } => ErrorCode::SupplementWindowClosed,
        Refusal::ExtensionAlreadyUsed => ErrorCode::ExtensionAlreadyUsed,
        Refusal::ExtensionTooLate { .. } => ErrorCode::ExtensionTooLate,
        Refusal::PaymentRequired => ErrorCode::PaymentRequired,
        Refusal::MissingInput(_) | Refusal::DueNotLater { .. } | Refusal::AmountNotPositive => {
            ErrorCode::ValidationFailed
        }
    }
}

/// A refusal of the workflow's rules: under its field when it names one, else 422 with
/// its own code.
impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        match refusal.field() {
            Some(field) => ApiError::field(field, refusal),
            None => Problem::of(refusal_code(&refusal), refusal).into(),
        }
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError::Problem(Box::new(p))
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("{} ({})", .0.rule, .0.code)]
    Problem(Box<Problem>),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("missing Idempotency-Key")]
    IdempotencyKeyMissing,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("not authenticated")]
    Unauthenticated,
    #[error("role not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("request in progress")]
    RequestInProgress,
    #[error("conflict: {0}")]
    Conflict(ErrorCode),
    /// The number has an account: its public id when the caller's office serves the
    /// citizen, none when another office does (nothing of theirs is told).
    #[error("a citizen already has this identity number")]
    CitizenExists(Option<String>),
    #[error("invalid activation code")]
    InvalidActivation,
    #[error("activation code already used")]
    ActivationUsed,
    #[error("activation code expired")]
    ActivationExpired,
    #[error("gone: {0}")]
    Gone(ErrorCode),
    #[error("version conflict")]
    VersionConflict(Box<serde_json::Value>),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("validation failed")]
    Validation(BTreeMap<String, Rule>),
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    #[error("If-Match required")]
    PreconditionRequired,
    #[error("too many requests, retry after {0} s")]
    TooManyRequests(u64),
    /// Every password slot and the queue before them are taken (503, `Retry-After`).
    #[error("busy, retry after {0} s")]
    ServerBusy(u64),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A domain rule broken by one field of the request.
    pub fn field(name: &str, rule: impl RuleError + Send + Sync + 'static) -> ApiError {
        ApiError::Validation(BTreeMap::from([(name.to_owned(), Arc::new(rule) as Rule)]))
    }

    /// Logs the cause and answers a bland 500: internals never leak.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {cause}");
        ApiError::Internal(cause.to_string())
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The stable machine code.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::BadRequest(_) => ErrorCode::BadRequest,
            ApiError::IdempotencyKeyMissing => ErrorCode::IdempotencyKeyMissing,
            ApiError::InvalidCredentials => ErrorCode::InvalidCredentials,
            ApiError::Unauthenticated => ErrorCode::Unauthenticated,
            ApiError::Forbidden => ErrorCode::Forbidden,
            ApiError::NotFound => ErrorCode::NotFound,
            ApiError::RequestInProgress => ErrorCode::RequestInProgress,
            ApiError::Conflict(code) | ApiError::Gone(code) => *code,
            ApiError::CitizenExists(_) => ErrorCode::CitizenExists,
            ApiError::InvalidActivation => ErrorCode::InvalidActivation,
            ApiError::ActivationUsed => ErrorCode::ActivationUsed,
            ApiError::ActivationExpired => ErrorCode::ActivationExpired,
            ApiError::VersionConflict(_) => ErrorCode::VersionConflict,
            ApiError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            ApiError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            ApiError::Validation(_) => ErrorCode::ValidationFailed,
            ApiError::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            ApiError::PreconditionRequired => ErrorCode::PreconditionRequired,
            ApiError::TooManyRequests(_) => ErrorCode::TooManyRequests,
            ApiError::ServerBusy(_) => ErrorCode::ServerBusy,
            ApiError::Internal(_) => ErrorCode::InternalError,
            ApiError::Problem(p) => p.code,
        }
    }

    /// What a person reads: what is wrong and what to do.
    pub fn message(&self, lang: Lang) -> String {
        let (vi, en): (String, String) = match self {
            ApiError::BadRequest(what) => (
                format!("Yêu cầu không hợp lệ: {what}. Hãy kiểm tra dữ liệu gửi lên."),
                format!("The request is invalid: {what}. Check what was sent."),
            ),
            ApiError::IdempotencyKeyMissing => (
                "Thiếu tiêu đề Idempotency-Key. Ứng dụng phải gửi một khóa duy nhất cho mỗi lần tạo mới.".into(),
                "The Idempotency-Key header is missing. Send a unique key with every creating request.".into(),
            ),
            ApiError::InvalidCredentials => (
                "Tên đăng nhập hoặc mật khẩu không đúng. Hãy kiểm tra và thử lại.".into(),
                "The username or password is wrong. Check them and try again.".into(),
            ),
            ApiError::Unauthenticated => (
                "Phiên làm việc không còn hiệu lực. Hãy đăng nhập lại.".into(),
                "Your session is not valid any more. Log in again.".into(),
            ),
            ApiError::Forbidden => (
                "Vai trò của bạn không được làm việc này. Hãy nhờ người có thẩm quyền.".into(),
                "Your role may not do this. Ask someone who may.".into(),
            ),
            ApiError::NotFound => (
                "Không tìm thấy. Hãy kiểm tra lại mã hoặc đường dẫn.".into(),
                "Not found. Check the code or the address.".into(),
            ),
            ApiError::RequestInProgress => (
                "Yêu cầu này đang được xử lý. Hãy đợi giây lát rồi thử lại.".into(),
                "This request is still being processed. Wait a moment and try again.".into(),
            ),
            ApiError::Conflict(code) => (
                format!("Xung đột dữ liệu ({code}). Hãy tải lại rồi thử lại."),
                format!("The data conflicts ({code}). Reload and try again."),
            ),
            ApiError::CitizenExists(Some(_)) => (
                "Số định danh này đã có tài khoản công dân. Hãy mở tài khoản đó thay vì tạo mới; nếu công dân chưa kích hoạt hoặc quên mật khẩu, hãy cấp mã kích hoạt mới.".into(),
                "This identity number already has a citizen account. Open that account instead of creating one; if the citizen has not activated it or forgot the password, issue a new activation code.".into(),
            ),
            ApiError::CitizenExists(None) => (
                "Số định danh này đã có tài khoản công dân do nơi khác quản lý, nên không tạo tài khoản mới. Hãy tiếp nhận hồ sơ theo số định danh và ngày sinh trên thẻ căn cước công dân xuất trình.".into(),
                "This identity number already has a citizen account, kept by another office, so no new account is made. Take the dossier in with the identity number and date of birth on the card the citizen presents.".into(),
            ),
            ApiError::InvalidActivation => (
                "Số định danh hoặc mã kích hoạt không đúng. Hãy nhập lại mã in trên phiếu kích hoạt (không phân biệt chữ hoa, chữ thường).".into(),
                "The identity number or the activation code is wrong. Re-enter the code printed on the activation slip (upper or lower case does not matter).".into(),
            ),
            ApiError::ActivationUsed => (
                "Mã kích hoạt này đã được dùng. Hãy đăng nhập bằng mật khẩu đã đặt, hoặc đến bộ phận một cửa để được cấp mã mới.".into(),
                "This activation code has already been used. Log in with the password you set, or ask the one-stop desk for a new code.".into(),
            ),
            ApiError::ActivationExpired => (
                format!("Mã kích hoạt đã hết hạn (mã chỉ có hiệu lực {ACTIVATION_VALID_HOURS} giờ). Hãy đến bộ phận một cửa để được cấp mã mới."),
                format!("The activation code has expired (a code is valid for {ACTIVATION_VALID_HOURS} hours). Ask the one-stop desk for a new one."),
            ),
            ApiError::Gone(code) => (
                format!("Dữ liệu đã hết hạn ({code}). Hãy tải lại từ đầu."),
                format!("This has expired ({code}). Start again from a fresh copy."),
            ),
            ApiError::VersionConflict(_) => (
                "Hồ sơ vừa được người khác thay đổi. Hãy xem bản mới nhất rồi thao tác lại.".into(),
                "Someone else has just changed this dossier. Look at the latest version and try again.".into(),
            ),
            ApiError::PayloadTooLarge => (
                "Dữ liệu gửi lên quá lớn. Hãy gửi tệp nhỏ hơn.".into(),
                "What was sent is too large. Send a smaller file.".into(),
            ),
            ApiError::UnsupportedMediaType => (
                "Loại tệp không được chấp nhận. Chỉ nhận PDF, JPEG hoặc PNG.".into(),
                "This file type is not accepted. Only PDF, JPEG or PNG.".into(),
            ),
            ApiError::Validation(fields) => {
                let join = |lang| {
                    fields
                        .values()
                        .map(|r| r.message(lang))
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                (join(Lang::Vi), join(Lang::En))
            }
            ApiError::Problem(p) => (p.rule.message(Lang::Vi), p.rule.message(Lang::En)),
            ApiError::IdempotencyKeyReused => (
                "Khóa Idempotency-Key đã dùng cho một yêu cầu khác. Hãy tạo khóa mới cho yêu cầu mới.".into(),
                "This Idempotency-Key was used for a different request. Use a new key for a new request.".into(),
            ),
            ApiError::PreconditionRequired => (
                "Thiếu tiêu đề If-Match với phiên bản hồ sơ. Hãy tải hồ sơ rồi gửi kèm phiên bản.".into(),
                "The If-Match header with the dossier's version is missing. Load the dossier and send its version.".into(),
            ),
            ApiError::TooManyRequests(after) => (
                format!("Quá nhiều lần thử. Hãy đợi {after} giây rồi thử lại."),
                format!("Too many attempts. Wait {after} seconds and try again."),
            ),
            ApiError::ServerBusy(after) => (
                format!("Máy chủ đang bận kiểm tra mật khẩu cho nhiều người. Hãy đợi {after} giây rồi thử lại."),
                format!("The server is busy checking passwords for many people. Wait {after} seconds and try again."),
            ),
            ApiError::Internal(_) => (
                "Máy chủ gặp lỗi. Hãy thử lại sau; nếu vẫn lỗi, báo cho quản trị.".into(),
                "The server had a problem. Try again later; if it persists, tell the administrator.".into(),
            ),
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// The JSON body in `lang`.
    pub fn body(&self, lang: Lang) -> ErrorBody {
        let fields = match self {
            ApiError::Validation(fields) => fields
                .iter()
                .map(|(k, r)| (k.clone(), r.message(lang)))
                .collect(),
            ApiError::Problem(p) => p
                .field
                .map(|f| BTreeMap::from([(f.to_owned(), self.message(lang))]))
                .unwrap_or_default(),
            _ => BTreeMap::new(),
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code().as_str().to_owned(),
                message: self.message(lang),
                fields,
                current: match self {
                    ApiError::VersionConflict(current) => Some((**current).clone()),
                    _ => None,
                },
                existing_id: match self {
                    ApiError::CitizenExists(id) => id.clone(),
                    _ => None,
                },
            },
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::internal(e)
    }
}

/// The error travels in the response's extensions until [`localize`] writes the body.
#[derive(Clone)]
struct PendingError(ApiError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        if let ApiError::TooManyRequests(after) | ApiError::ServerBusy(after) = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*after));
        }
        response.extensions_mut().insert(PendingError(self));
        response
    }
}

/// The caller's language: English when `Accept-Language` prefers `en`, else Vietnamese.
pub fn language(headers: &axum::http::HeaderMap) -> Lang {
    let wanted = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let first = wanted
        .split(',')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if first.starts_with("en") {
        Lang::En
    } else {
        Lang::Vi
    }
}

/// Writes the body of an [`ApiError`] response in the caller's language.
pub async fn localize(request: Request, next: Next) -> Response {
    let lang = language(request.headers());
    let mut response = next.run(request).await;
    if let Some(PendingError(error)) = response.extensions_mut().remove::<PendingError>() {
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let mut fresh = (status, axum::Json(error.body(lang))).into_response();
        for (name, value) in headers.iter() {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
        return fresh;
    }
    let rejected = matches!(
        response.status(),
        StatusCode::BAD_REQUEST
            | StatusCode::PAYLOAD_TOO_LARGE
            | StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    if rejected && is_plain_text(&response) {
        return rejection_body(response, lang).await;
    }
    response
}

fn is_plain_text(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"))
}

/// axum answers a request it cannot extract (a malformed query or path, a body over the
/// limit) in plain text, before any handler runs, with one of the statuses matched above.
/// Such an answer gets the JSON error body of docs/api.md like every other error, keeping
/// axum's explanation in the message.
async fn rejection_body(response: Response, lang: Lang) -> Response {
    let status = response.status();
    let text = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
        _ => ApiError::BadRequest(text),
    };
    (status, axum::Json(error.body(lang))).into_response()
}
