//! Digitization (số hóa) and the citizen's store (DOMAIN.md "Digitization"): the metadata
//! of a scanned document, its checks, and when a stored document may be reused.
//!
//! Pure: the caller passes `today` (the portal its clock's date, the TUI the date of the
//! portal's clock it follows), so the desk and the portal judge a date the same way.

use super::{Lang, RuleError};
use chrono::NaiveDate;

/// The most characters of a document type ("Giấy khai sinh", "Căn cước công dân").
pub const DOC_TYPE_MAX: usize = 100;
/// The most characters of a document's number ("123/2024/QĐ-UBND", a 12-digit number).
pub const NUMBER_MAX: usize = 64;
/// The most characters of an issuing body ("Cục Cảnh sát quản lý hành chính về trật tự
/// xã hội", "UBND phường An Hội").
pub const ISSUER_MAX: usize = 300;

/// A field of a document's metadata, named as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetaField {
    DocType,
    Number,
    IssuedOn,
    Issuer,
    ValidUntil,
}

impl MetaField {
    pub const ALL: [MetaField; 5] = [
        MetaField::DocType,
        MetaField::Number,
        MetaField::IssuedOn,
        MetaField::Issuer,
        MetaField::ValidUntil,
    ];

    /// The field's name in requests (`doc_type`, `issued_on`…).
    pub const fn wire(self) -> &'static str {
        match self {
            MetaField::DocType => "doc_type",
            MetaField::Number => "number",
            MetaField::IssuedOn => "issued_on",
            MetaField::Issuer => "issuer",
            MetaField::ValidUntil => "valid_until",
        }
    }
}

/// What is wrong with a document's metadata.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetaError {
    #[error("the document type is missing")]
    DocTypeMissing,
    #[error("the text is longer than {max} characters")]
    TooLong { max: usize },
    #[error("{0} is not a date written YYYY-MM-DD")]
    NotADate(String),
    #[error("the date of issue {0} is in the future")]
    IssuedInFuture(NaiveDate),
    #[error("valid until {until} is before the date of issue {issued}")]
    ValidBeforeIssue { issued: NaiveDate, until: NaiveDate },
    #[error("the document expired on {0}")]
    Expired(NaiveDate),
}

fn dmy(d: &NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl RuleError for MetaError {
    fn code(&self) -> &'static str {
        "validation_failed"
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (MetaError::DocTypeMissing, Lang::Vi) => {
                "Chưa ghi loại giấy tờ. Hãy ghi loại giấy tờ (ví dụ: Giấy khai sinh).".into()
            }
            (MetaError::DocTypeMissing, Lang::En) => {
                "The document type is missing. Enter it (for example: Birth certificate).".into()
            }
            (MetaError::TooLong { max }, Lang::Vi) => format!("Dài quá {max} ký tự. Hãy rút gọn."),
            (MetaError::TooLong { max }, Lang::En) => {
                format!("Longer than {max} characters. Shorten it.")
            }
            (MetaError::NotADate(t), Lang::Vi) => {
                format!("'{t}' không phải ngày hợp lệ. Hãy ghi ngày theo dạng YYYY-MM-DD.")
            }
            (MetaError::NotADate(t), Lang::En) => {
                format!("'{t}' is not a valid date. Write it as YYYY-MM-DD.")
            }
            (MetaError::IssuedInFuture(d), Lang::Vi) => format!(
                "Ngày cấp {} là ngày trong tương lai. Hãy đối chiếu lại với giấy tờ.",
                dmy(d)
            ),
            (MetaError::IssuedInFuture(d), Lang::En) => format!(
                "The date of issue {} is in the future. Check it against the document.",
                dmy(d)
            ),
            (MetaError::ValidBeforeIssue { issued, until }, Lang::Vi) => format!(
                "Ngày hết hạn {} trước ngày cấp {}. Hãy đối chiếu lại hai ngày với giấy tờ.",
                dmy(until),
                dmy(issued)
            ),
            (MetaError::ValidBeforeIssue { issued, until }, Lang::En) => format!(
                "Valid until {} is before the date of issue {}. Check both dates against the document.",
                dmy(until),
                dmy(issued)
            ),
            (MetaError::Expired(d), Lang::Vi) => format!(
                "Giấy tờ đã hết hạn ngày {}. Không số hóa giấy tờ hết hạn: hãy đề nghị công dân xuất trình giấy tờ còn hạn.",
                dmy(d)
            ),
            (MetaError::Expired(d), Lang::En) => format!(
                "The document expired on {}. An expired document is not digitized: ask the citizen for a valid one.",
                dmy(d)
            ),
        }
    }
}

/// A document's metadata, checked: texts trimmed, empty optional texts gone, dates read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMeta {
    pub doc_type: String,
    pub number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub issuer: Option<String>,
    pub valid_until: Option<NaiveDate>,
}

/// The metadata as typed or sent: dates as text (`YYYY-MM-DD` on the wire; the TUI
/// reads the desk's spellings first and hands ISO dates on).
#[derive(Debug, Clone, Copy, Default)]
pub struct MetaInput<'a> {
    pub doc_type: &'a str,
    pub number: Option<&'a str>,
    pub issued_on: Option<&'a str>,
    pub issuer: Option<&'a str>,
    pub valid_until: Option<&'a str>,
}

/// An ISO date, `YYYY-MM-DD` exactly.
pub fn iso_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    (t.len() == 10)
        .then(|| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
        .flatten()
}

fn optional(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

/// Checks the metadata of a document being digitized on `today`: a type is required;
/// every text within its length; the date of issue not in the future; valid until not
/// before the issue, and not already past (an expired paper is not accepted, so not
/// digitized either). Every problem is reported, by field, in the order of
/// [`MetaField::ALL`].
pub fn check_meta(
    input: &MetaInput<'_>,
    today: NaiveDate,
) -> Result<DocumentMeta, Vec<(MetaField, MetaError)>> {
    let mut faults = Vec::new();
    let long = |text: &str, max: usize| text.chars().count() > max;
    let doc_type = input.doc_type.trim();
    if doc_type.is_empty() {
        faults.push((MetaField::DocType, MetaError::DocTypeMissing));
    } else if long(doc_type, DOC_TYPE_MAX) {
        faults.push((MetaField::DocType, MetaError::TooLong { max: DOC_TYPE_MAX }));
    }
    let number = optional(input.number);
    if number.is_some_and(|n| long(n, NUMBER_MAX)) {
        faults.push((MetaField::Number, MetaError::TooLong { max: NUMBER_MAX }));
    }
    let mut date = |field: MetaField, text: Option<&str>| match optional(text) {
        None => None,
        Some(t) => match iso_date(t) {
            Some(d) => Some(d),
            None => {
                faults.push((field, MetaError::NotADate(t.chars().take(40).collect())));
                None
            }
        },
    };
    let issued_on = date(MetaField::IssuedOn, input.issued_on);
    let valid_until = date(MetaField::ValidUntil, input.valid_until);
    let issuer = optional(input.issuer);
    if issuer.is_some_and(|i| long(i, ISSUER_MAX)) {
        faults.push((MetaField::Issuer, MetaError::TooLong { max: ISSUER_MAX }));
    }
    if let Some(issued) = issued_on
        && issued > today
    {
        faults.push((MetaField::IssuedOn, MetaError::IssuedInFuture(issued)));
    }
    if let Some(until) = valid_until {
        match issued_on {
            Some(issued) if until < issued => faults.push((
                MetaField::ValidUntil,
                MetaError::ValidBeforeIssue { issued, until },
            )),
            _ if is_expired(Some(until), today) => {
                faults.push((MetaField::ValidUntil, MetaError::Expired(until)))
            }
            _ => {}
        }
    }
    faults.sort_by_key(|(f, _)| MetaField::ALL.iter().position(|x| x == f));
    if !faults.is_empty() {
        return Err(faults);
    }
    Ok(DocumentMeta {
        doc_type: doc_type.to_owned(),
        number: number.map(str::to_owned),
        issued_on,
        issuer: issuer.map(str::to_owned),
        valid_until,
    })
}

/// Whether a document valid until `valid_until` has expired on `today`: it is valid
/// through its last day. A document without an end of validity (a birth certificate)
/// never expires.
pub fn is_expired(valid_until: Option<NaiveDate>, today: NaiveDate) -> bool {
    valid_until.is_some_and(|until| until < today)
}

/// [`is_expired`] for a date as stored (`YYYY-MM-DD`); a date that does not read is
/// taken as expired, so that nothing unreadable is reused.
pub fn is_expired_text(valid_until: Option<&str>, today: NaiveDate) -> bool {
    match optional(valid_until) {
        None => false,
        Some(t) => iso_date(t).is_none_or(|d| d < today),
    }
}

/// The share `numerator / denominator` in per cent, to one decimal (`None` for 0/0:
/// nothing to count is no rate, not 0 %).
pub fn percent(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| (numerator as f64 * 1000.0 / denominator as f64).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        iso_date(s).unwrap()
    }

    #[test]
    fn a_complete_document_passes_trimmed() {
        let meta = check_meta(
            &MetaInput {
                doc_type: " Căn cước công dân ",
                number: Some("083078238953"),
                issued_on: Some("2021-04-10"),
                issuer: Some("Cục Cảnh sát QLHC về TTXH"),
                valid_until: Some("2036-04-10"),
            },
            day("2026-03-05"),
        )
        .unwrap();
        assert_eq!(meta.doc_type, "Căn cước công dân");
        assert_eq!(meta.valid_until, Some(day("2036-04-10")));
    }

    #[test]
    fn empty_optional_fields_are_none() {
        let meta = check_meta(
            &MetaInput {
                doc_type: "Giấy khai sinh",
                number: Some("  "),
                issued_on: Some(""),
                ..MetaInput::default()
            },
            day("2026-03-05"),
        )
        .unwrap();
        assert_eq!(meta.number, None);
        assert_eq!(meta.issued_on, None);
    }

    #[test]
    fn every_fault_is_named_by_its_field() {
        let faults = check_meta(
            &MetaInput {
                doc_type: "",
                number: Some(&"9".repeat(65)),
                issued_on: Some("2027-01-01"),
                issuer: None,
                valid_until: Some("05/03/2030"),
            },
            day("2026-03-05"),
        )
        .unwrap_err();
        let fields: Vec<MetaField> = faults.iter().map(|(f, _)| *f).collect();
        assert_eq!(
            fields,
            vec![
                MetaField::DocType,
                MetaField::Number,
                MetaField::IssuedOn,
                MetaField::ValidUntil
            ]
        );
        assert_eq!(faults[3].1, MetaError::NotADate("05/03/2030".into()));
    }

    #[test]
    fn validity_before_issue_or_past_is_refused() {
        let today = day("2026-03-05");
        let before = check_meta(
            &MetaInput {
                doc_type: "Giấy xác nhận",
                issued_on: Some("2025-01-10"),
                valid_until: Some("2025-01-09"),
                ..MetaInput::default()
            },
            today,
        )
        .unwrap_err();
        assert!(matches!(before[0].1, MetaError::ValidBeforeIssue { .. }));
        let past = check_meta(
            &MetaInput {
                doc_type: "Giấy xác nhận",
                valid_until: Some("2026-03-04"),
                ..MetaInput::default()
            },
            today,
        )
        .unwrap_err();
        assert_eq!(past[0].1, MetaError::Expired(day("2026-03-04")));
        // Valid through its last day.
        assert!(
            check_meta(
                &MetaInput {
                    doc_type: "Giấy xác nhận",
                    valid_until: Some("2026-03-05"),
                    ..MetaInput::default()
                },
                today
            )
            .is_ok()
        );
    }

    #[test]
    fn expiry_counts_the_last_day_as_valid() {
        let today = day("2026-03-05");
        assert!(!is_expired(None, today));
        assert!(!is_expired(Some(today), today));
        assert!(is_expired(Some(day("2026-03-04")), today));
        assert!(!is_expired_text(None, today));
        assert!(!is_expired_text(Some("2026-03-05"), today));
        assert!(is_expired_text(Some("not a date"), today));
    }

    #[test]
    fn percentages_have_one_decimal_and_none_for_nothing() {
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 2), Some(100.0));
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn messages_say_what_to_do_in_both_languages() {
        let errors = [
            MetaError::DocTypeMissing,
            MetaError::TooLong { max: 5 },
            MetaError::NotADate("x".into()),
            MetaError::IssuedInFuture(day("2027-01-01")),
            MetaError::ValidBeforeIssue {
                issued: day("2025-01-10"),
                until: day("2025-01-09"),
            },
            MetaError::Expired(day("2026-03-04")),
        ];
        for e in errors {
            for lang in [Lang::Vi, Lang::En] {
                let m = e.message(lang);
                assert!(m.ends_with('.'), "{m}");
            }
        }
    }
}
