//! Certification at the desk (issue 21): `POST /certifications`, `GET /certifications`
//! and the certificate form. The rules (books, fees, the certification texts) are
//! [`crate::domain::certification`].

use crate::api::dossiers::CitizenRef;
use crate::api::limits::{self, Bound, Bounded};
pub use crate::domain::certification::{ContractAct, Kind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Who asks for the certification: a citizen the office serves, by id, or anyone by the
/// name and identity number on the paper they present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum CertificationApplicant {
    Citizen(CitizenRef),
    Named(NamedApplicant),
}

/// A person by the name and 12-digit personal identity number on their card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedApplicant {
    #[schema(max_length = 100)]
    pub full_name: String,
    #[schema(max_length = 32)]
    pub id_number: String,
}

/// `POST /certifications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCertification {
    pub kind: Kind,
    /// For a contract: a new one (the default), an amendment or a correction, each with
    /// its fee. Refused for the other kinds.
    #[serde(default)]
    pub act: Option<ContractAct>,
    pub applicant: CertificationApplicant,
    /// The paper certified (`Bằng tốt nghiệp THPT`, `Hợp đồng thuê nhà`).
    #[schema(max_length = 300)]
    pub document_name: String,
    /// Pages of the paper: 1 unless given, at most 10,000.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 10000)]
    pub pages: Option<i64>,
    /// Copies certified (or originals of a contract): 1 unless given, at most 1,000.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1000)]
    pub copies: Option<i64>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// The reference of a paid fee order (`CT…`, from `POST /certifications/fee-orders`):
    /// the fee was paid by VietQR. Without it, the fee is recorded as taken in cash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 32)]
    pub fee_order: Option<String>,
}

/// The most pages and copies an entry may have: far beyond a desk's day, small enough
/// that a fee stays a plain number.
pub const MAX_PAGES: i64 = 10_000;
pub const MAX_COPIES: i64 = 1_000;

impl Bounded for NewCertification {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("applicant.citizen_id", limits::CODE),
        Bound::line("applicant.full_name", limits::NAME),
        Bound::line("applicant.id_number", limits::SHORT),
        Bound::line("document_name", limits::ADDRESS),
        Bound::lines("note", limits::NOTE),
        Bound::line("fee_order", limits::SHORT),
    ];
}

/// The applicant as the book records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertifiedApplicant {
    /// The citizen's opaque id, when the applicant was named by it.
    #[schema(required = true)]
    pub citizen_id: Option<String>,
    pub full_name: String,
    pub id_number: String,
}

/// An entry of a certification book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Certification {
    /// The entry's opaque id.
    pub id: String,
    pub kind: Kind,
    /// The act of a contract; `null` for the other kinds.
    #[schema(required = true)]
    pub act: Option<ContractAct>,
    /// The book: `01/2026-SCT/BS`.
    pub book: String,
    /// The entry's number in its book, from 1.
    pub number: u32,
    pub year: i32,
    pub applicant: CertifiedApplicant,
    pub document_name: String,
    pub pages: u32,
    pub copies: u32,
    #[schema(required = true)]
    pub note: Option<String>,
    /// The fee, in đồng, recorded as paid.
    pub fee: u64,
    /// How the fee was paid: `cash`, or `vietqr` with a fee order.
    pub payment_method: String,
    /// The fee order's reference, when paid by VietQR.
    #[serde(default)]
    #[schema(required = true)]
    pub fee_order: Option<String>,
    #[schema(format = DateTime)]
    pub certified_at: String,
    /// The official who certified.
    pub certified_by: String,
    /// The certification text (lời chứng), one paragraph a line.
    pub text: String,
}

/// `GET /certifications` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CertificationQuery {
    /// One kind's book only.
    pub kind: Option<Kind>,
    /// The books of one year only.
    #[param(minimum = 2000, maximum = 9999)]
    pub year: Option<i32>,
    /// Words of the applicant's name or the document's name, with or without marks
    /// ("nguyen hoa"): at most 200 characters and 20 words.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Items per page: 50 unless given, at most 500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(min_length = 1, max_length = 256)]
    pub cursor: Option<String>,
}

impl Bounded for CertificationQuery {
    const BOUNDS: &'static [Bound] = &[Bound::search("q"), Bound::line("cursor", limits::CURSOR)];
}

/// `POST /certifications/fee-orders`: the fee of a certification about to be entered, to
/// be paid by VietQR while the citizen waits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeeOrder {
    /// The fee in đồng, as `fee` of the entry will reckon it (1 to 200,000,000).
    /// Required; optional on the wire only so that a missing one gets a field error
    /// rather than a parse error.
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 1, maximum = 200_000_000)]
    pub amount: Option<i64>,
}

impl Bounded for NewFeeOrder {
    const BOUNDS: &'static [Bound] = &[Bound::amount("amount")];
}

/// The most a fee order asks: the highest fee of one entry (1,000 copies at the cap).
pub const MAX_FEE_ORDER: i64 = 200_000_000;

/// Whether a fee order is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeeOrderStatus {
    Unpaid,
    Paid,
    /// Paid, and the entry it paid for is in the book.
    Used,
}

/// A certification fee to pay by VietQR: the QR, and whether the transfer arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FeeOrder {
    /// `CT` and eight letters and digits: the transfer note inside the QR, and what the
    /// entry names in `fee_order`.
    pub reference: String,
    pub amount: u64,
    pub status: FeeOrderStatus,
    /// The EMVCo/NAPAS payload to show as a QR code; `null` when the office's account is
    /// not usable for VietQR.
    #[schema(required = true)]
    pub vietqr: Option<String>,
    /// The office's fee account, for the screen beside the QR.
    pub bank_bin: String,
    pub account: String,
    pub account_name: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub paid_at: Option<String>,
    /// The gateway's transaction id, once paid.
    #[schema(required = true)]
    pub transaction_id: Option<String>,
}

/// Whether `text` is shaped like a fee order's reference (`CT` + 8 of `A–Z`, `2–9`),
/// with or without a space after `CT`, in any case.
pub fn fee_order_reference(text: &str) -> Option<String> {
    let t = text.trim();
    t.get(..2).filter(|p| p.eq_ignore_ascii_case("CT"))?;
    let tail = t[2..].trim_start().to_ascii_uppercase();
    let ok = tail.len() == 8
        && tail
            .bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'9').contains(&b));
    ok.then(|| format!("CT{tail}"))
}

#[cfg(test)]
mod tests {
    use super::fee_order_reference;

    #[test]
    fn fee_order_references_in_the_forms_a_gateway_may_send() {
        assert_eq!(
            fee_order_reference("CT7KQ2M9XA").as_deref(),
            Some("CT7KQ2M9XA")
        );
        assert_eq!(
            fee_order_reference(" ct 7kq2m9xa ").as_deref(),
            Some("CT7KQ2M9XA")
        );
        assert_eq!(fee_order_reference("CT7KQ2M9X"), None);
        assert_eq!(
            fee_order_reference("CT7KQ2M9X1"),
            None,
            "1 is not in the alphabet"
        );
        assert_eq!(fee_order_reference("HS 260306-0001"), None);
        assert_eq!(
            fee_order_reference("Cừ"),
            None,
            "no panic on a multi-byte start"
        );
    }
}
