//! Fees of a dossier: what is due and how to pay it (VietQR), cash at the desk, and the
//! payment gateway's signed callback.

use crate::api::dossiers::PaymentStatus;
use crate::api::limits::{self, Bound, Bounded};
use crate::domain::status::Status;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The header that carries the gateway's signature: the lower- or upper-case hex
/// HMAC-SHA256 of the raw request body under the shared secret (an optional `sha256=`
/// prefix is accepted).
pub const SIGNATURE: &str = "x-signature";

/// The VietQR transfer note of a dossier: `HS <YYMMDD-NNNN>`. The gateway sends it back
/// (as `dossier_ref`, with or without the `HS `), and it fits the 25 characters of tag
/// 62.08.
pub fn purpose(short_ref: &str) -> String {
    format!("HS {short_ref}")
}

/// `GET /dossiers/{code}/payment`, and the answer to a cash payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    /// The dossier's full code.
    pub code: String,
    /// The short reference `YYMMDD-NNNN` that payers quote.
    pub reference: String,
    /// The fee in đồng (0 when there is none).
    pub amount: u64,
    pub status: PaymentStatus,
    /// RFC 3339, when paid.
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub paid_at: Option<String>,
    /// `cash` or `vietqr`, when paid.
    #[schema(required = true)]
    pub method: Option<String>,
    /// The desk's receipt number for cash; the gateway's transaction id for VietQR.
    #[schema(required = true)]
    pub receipt_no: Option<String>,
    /// The EMVCo/NAPAS payload to show as a QR code; `null` when nothing is due.
    #[schema(required = true)]
    pub vietqr: Option<String>,
    /// The transfer note inside the QR (`HS YYMMDD-NNNN`).
    pub purpose: String,
    /// The office's fee account, for the screen beside the QR.
    pub bank_bin: String,
    pub account: String,
    pub account_name: String,
    /// The dossier's status and version after this answer (a cash payment moves both).
    pub dossier_status: Status,
    pub version: i64,
}

/// `POST /dossiers/{code}/payment/cash`. Fields are optional on the wire so that a
/// missing one gets a field error rather than a parse error.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CashPayment {
    /// Must equal the amount due, in đồng.
    #[serde(default)]
    #[schema(minimum = -1_000_000_000_000_i64, maximum = 1_000_000_000_000_i64)]
    pub amount: Option<i64>,
    /// The number of the receipt (biên lai) handed to the payer.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub receipt_no: Option<String>,
}

/// `POST /payments/notify`: the gateway says a transfer arrived.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentNotice {
    /// The gateway's unique id of the transfer; a repeat of it changes nothing.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub transaction_id: Option<String>,
    /// The full dossier code, or the short reference `YYMMDD-NNNN` (also as `HS …`).
    #[serde(default)]
    #[schema(max_length = 64)]
    pub dossier_ref: Option<String>,
    /// In đồng.
    #[serde(default)]
    #[schema(minimum = -1_000_000_000_000_i64, maximum = 1_000_000_000_000_i64)]
    pub amount: Option<i64>,
    /// RFC 3339: when the bank credited the transfer.
    #[serde(default)]
    #[schema(format = DateTime, max_length = 64)]
    pub paid_at: Option<String>,
    /// The receiving account, which tells offices apart for a short reference.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub bank_bin: Option<String>,
    #[serde(default)]
    #[schema(max_length = 64)]
    pub account: Option<String>,
}

/// The answer to an applied (or repeated) notice. It is built from what was stored, so
/// a repeat gets the same body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoticeReceipt {
    pub transaction_id: String,
    /// The dossier paid for, by its full code.
    pub code: String,
    pub amount: u64,
    /// Always `paid`.
    pub status: PaymentStatus,
    /// RFC 3339: when the portal recorded the notice.
    #[schema(format = DateTime)]
    pub recorded_at: String,
}

impl Bounded for CashPayment {
    const BOUNDS: &'static [Bound] = &[
        Bound::amount("amount"),
        Bound::line("receipt_no", limits::CODE),
    ];
}

impl Bounded for PaymentNotice {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("transaction_id", limits::CODE),
        Bound::line("dossier_ref", limits::CODE),
        Bound::amount("amount"),
        Bound::line("paid_at", limits::CODE),
        Bound::line("bank_bin", limits::CODE),
        Bound::line("account", limits::CODE),
    ];
}
