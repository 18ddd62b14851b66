//! Header names of the API beyond the standard ones.

/// The RFC 8941 string key of a creating POST.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// `1` on background polls: the request does not extend the session's idle timer.
pub const NO_EXTEND: &str = "x-no-extend";
/// Bytes of an upload received so far.
pub const UPLOAD_OFFSET: &str = "upload-offset";
/// Declared size of an upload, answered by `HEAD /uploads/{id}`.
pub const UPLOAD_LENGTH: &str = "upload-length";
/// The form set a printed form or register follows: the circular's number
/// (`03/2025/TT-VPCP`, `01/2018/TT-VPCP`).
pub const FORM_SET: &str = "form-set";
/// On a page of `GET /dossiers`: the delta feed's `seq`, read before the page's rows.
pub const CHANGES_SEQ: &str = "x-changes-seq";
