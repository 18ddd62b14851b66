//! The error body every failed request carries:
//! `{"error": {"code": "snake_case", "message": "…", "fields": {"field": "what is wrong"}}}`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code, one of those tabled with `ErrorBody`. A string rather than
    /// an enum on the wire, so a client also reads the codes of a newer portal.
    pub code: String,
    /// For a person: Vietnamese, or English with `Accept-Language: en`.
    pub message: String,
    /// Per-field problems, for validation errors.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// The current state of the resource, for a 412 `version_conflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::api::dossiers::Dossier>)]
    pub current: Option<serde_json::Value>,
    /// The existing account, for a 409 `citizen_exists` of a citizen the caller's office
    /// serves; absent when the account is another office's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<String>,
}

/// Declares [`ErrorCode`] from one table: variant, HTTP status, wire name, meaning.
macro_rules! error_codes {
    ($($variant:ident = $status:literal, $wire:literal, $meaning:literal;)*) => {
        /// Every machine code the portal can answer with, closed: a handler builds its
        /// errors from these, and the OpenAPI document and `docs/portal.md` list them all
        /// (`tests/openapi.rs` fails otherwise). Each code has one HTTP status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ErrorCode {
            $(#[doc = $meaning] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order of the table.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The `code` of the error body.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $wire,)*
                }
            }

            /// The HTTP status answered with it.
            pub const fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }

            /// What it means, in one line (for the OpenAPI document and the docs).
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $meaning,)*
                }
            }
        }
    };
}

#[rustfmt::skip]
error_codes! {
    BadRequest = 400, "bad_request", "The request is malformed: JSON, query, path, header or cursor.";
    IdempotencyKeyMissing = 400, "idempotency_key_missing", "A creating `POST` came without `Idempotency-Key`.";
    UploadChunkIncomplete = 400, "upload_chunk_incomplete", "The chunk broke off; `Upload-Offset` says what was kept.";
    Unauthenticated = 401, "unauthenticated", "No token, or an expired or revoked one: log in again.";
    InvalidCredentials = 401, "invalid_credentials", "Wrong username or password (or current password).";
    InvalidActivation = 401, "invalid_activation", "Wrong identity number or activation code.";
    ActivationUsed = 401, "activation_used", "The activation code was used already.";
    InvalidSignature = 401, "invalid_signature", "A payment notice without a valid `X-Signature`.";
    Forbidden = 403, "forbidden", "The user's role may not do this.";
    NotFound = 404, "not_found", "No such resource, or one of another office (no enumeration).";
    NotAcceptable = 406, "not_acceptable", "`Accept` names none of the types the route answers in (see `format` where offered).";
    RequestInProgress = 409, "request_in_progress", "The first request with this `Idempotency-Key` still runs.";
    CitizenExists = 409, "citizen_exists", "The identity number has an account (`existing_id` when this office serves the citizen).";
    UsernameTaken = 409, "username_taken", "The identity number is the username of another account.";
    AlreadyPaid = 409, "already_paid", "The fee is settled (or there is none).";
    TransactionConflict = 409, "transaction_conflict", "A transaction id seen before, with another amount or dossier.";
    FormNotApplicable = 409, "form_not_applicable", "The form does not apply to the dossier (yet).";
    UploadOffsetMismatch = 409, "upload_offset_mismatch", "`Upload-Offset` is not where the upload stands.";
    UploadSuperseded = 409, "upload_superseded", "A newer `PATCH` of the same upload took over.";
    UploadBusy = 409, "upload_busy", "Another portal process still writes the upload: `HEAD`, then resume.";
    RatingNotOpen = 409, "rating_not_open", "The dossier is rated once its result is returned.";
    AlreadyRated = 409, "already_rated", "The dossier has been rated already (once per dossier).";
    FeeOrderUnpaid = 409, "fee_order_unpaid", "The certification fee's VietQR transfer has not arrived yet.";
    FeeOrderUsed = 409, "fee_order_used", "The fee order paid for another certification already.";
    LeaseLimit = 409, "lease_limit", "The officer would hold more than 50 unused leased numbers.";
    CodeNotLeased = 409, "code_not_leased", "`code` is not a held number of the caller's own lease (another's, voided, or sent too late).";
    CodeUsed = 409, "code_used", "`code` numbers another dossier already.";
    ChangesExpired = 410, "changes_expired", "The delta feed no longer reaches back to `since`: reload.";
    ActivationExpired = 410, "activation_expired", "The activation code has expired: ask for a new one.";
    VersionConflict = 412, "version_conflict", "`If-Match` names an old version; `current` is the dossier now.";
    PayloadTooLarge = 413, "payload_too_large", "A file, chunk or body over its limit.";
    UnsupportedMediaType = 415, "unsupported_media_type", "Not PDF, JPEG or PNG; or a chunk of the wrong type.";
    UploadTypeMismatch = 415, "upload_type_mismatch", "The file's content is not the declared type (discarded).";
    RangeNotSatisfiable = 416, "range_not_satisfiable", "`Range` starts past the end of the file: `Content-Range` gives its size.";
    ValidationFailed = 422, "validation_failed", "Invalid fields, described in `fields`.";
    IdempotencyKeyReused = 422, "idempotency_key_reused", "The `Idempotency-Key` was used for another request.";
    InvalidTransition = 422, "invalid_transition", "The action is not possible in the dossier's status.";
    ForbiddenAction = 422, "forbidden_action", "The user's role may not take this action in this status.";
    SupplementWindowClosed = 422, "supplement_window_closed", "Too late to ask for a supplement.";
    ExtensionAlreadyUsed = 422, "extension_already_used", "The dossier was extended once already.";
    ExtensionTooLate = 422, "extension_too_late", "An extension must be decided at least one working day before the due time.";
    PaymentRequired = 422, "payment_required", "The fee must be paid first.";
    AmountMismatch = 422, "amount_mismatch", "The amount is not the fee due.";
    DossierClosed = 422, "dossier_closed", "No fee is taken for a refused, withdrawn or stopped dossier.";
    UnknownDossier = 422, "unknown_dossier", "A payment notice names no dossier of that account.";
    AccountMismatch = 422, "account_mismatch", "A payment notice's account is not the dossier office's.";
    AmbiguousDossierRef = 422, "ambiguous_dossier_ref", "A short reference found at several offices.";
    UploadChecksumMismatch = 422, "upload_checksum_mismatch", "The file does not match its SHA-256 (discarded).";
    UploadEmpty = 422, "upload_empty", "The declared file is empty (sent as `validation_failed` on `size`).";
    Sha256Invalid = 422, "sha256_invalid", "`sha256` is not 64 hex digits (sent as `validation_failed` on `sha256`).";
    FilenameInvalid = 422, "filename_invalid", "Nothing is left of the file name (sent as `validation_failed` on `filename`).";
    UploadNotFound = 422, "upload_not_found", "An attached upload is not the caller's, or does not exist.";
    UploadIncomplete = 422, "upload_incomplete", "An attached upload is not complete.";
    ApplicantMismatch = 422, "applicant_mismatch", "The identity number and date of birth presented do not match one citizen.";
    UploadAlreadyAttached = 422, "upload_already_attached", "An attached upload belongs to another dossier.";
    DocumentExpired = 422, "document_expired", "A stored document offered for reuse is past its `valid_until`.";
    DocumentNotOwned = 422, "document_not_owned", "A stored document offered for reuse is not in the applicant's store.";
    PreconditionRequired = 428, "precondition_required", "`If-Match` is missing.";
    TooManyRequests = 429, "too_many_requests", "Too many failures or misses: wait `Retry-After` seconds.";
    InternalError = 500, "internal_error", "The server failed; nothing internal is told.";
    PaymentsDisabled = 503, "payments_disabled", "The portal takes no payment notices.";
    ServerBusy = 503, "server_busy", "Too many password checks at once: wait `Retry-After` seconds.";
}

impl ErrorCode {
    /// The code of a wire name; `None` for one this build does not know (a newer
    /// portal's), which a client treats by its status.
    pub fn from_wire(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == name)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ErrorDetail {
    /// The code as this build knows it, if it does.
    pub fn known_code(&self) -> Option<ErrorCode> {
        ErrorCode::from_wire(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_distinct_snake_case_with_an_error_status_and_a_meaning() {
        let mut seen = BTreeSet::new();
        for code in ErrorCode::ALL {
            let wire = code.as_str();
            assert!(seen.insert(wire), "{wire} twice");
            assert!(
                wire.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()),
                "{wire}"
            );
            assert!((400..600).contains(&code.status()), "{wire}");
            assert!(code.meaning().ends_with('.'), "{wire}");
            assert_eq!(ErrorCode::from_wire(wire), Some(*code));
        }
        assert_eq!(ErrorCode::from_wire("no_such_code"), None);
    }
}
