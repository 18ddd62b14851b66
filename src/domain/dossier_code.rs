//! The dossier code of Circular 01/2018/TT-VPCP art. 19: `<unit code>-YYMMDD-NNNN`.
//!
//! The unit code is the receiving office's code in the QCVN 102:2016 shape
//! `V1V2V3.Z1Z2.Y1Y2.MX1X2` (e.g. `000.00.27.H07`), then the date received and a 4-digit
//! counter per office that restarts each day.

use super::{Lang, RuleError};
use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// An office's unit code, `000.00.27.H07`: three groups of 3, 2 and 2 digits and a group
/// of one capital letter and 2 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitCode(String);

/// A dossier code: which office received it, on which day, and its number that day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DossierCode {
    unit: UnitCode,
    date: NaiveDate,
    seq: u16,
}

/// The daily counter runs from 0001 to 9999.
pub const MAX_SEQ: u16 = 9999;

/// Why a text is not a unit code or a dossier code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("'{0}' is not a unit code of the shape 000.00.00.A00")]
    BadUnitCode(String),
    #[error("'{0}' is not a dossier code of the shape <unit code>-YYMMDD-NNNN")]
    BadShape(String),
    #[error("'{0}' is not a date in YYMMDD form")]
    BadDate(String),
    #[error("'{0}' is not a daily number from 0001 to 9999")]
    BadSeq(String),
    #[error("dossier codes can only be issued for 2000-01-01 to 2099-12-31")]
    DateOutOfRange,
}

impl RuleError for CodeError {
    fn code(&self) -> &'static str {
        match self {
            CodeError::BadUnitCode(_) => "unit_code_invalid",
            _ => "dossier_code_invalid",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => format!("{self}. Check the code on the receipt."),
            Lang::Vi => match self {
                CodeError::BadUnitCode(s) => format!(
                    "'{s}' không phải mã đơn vị dạng 000.00.00.A00. Hãy kiểm tra cấu hình cơ quan."
                ),
                CodeError::BadShape(s) => format!(
                    "'{s}' không phải mã hồ sơ dạng <mã đơn vị>-YYMMDD-NNNN. Hãy kiểm tra mã trên giấy tiếp nhận."
                ),
                CodeError::BadDate(s) => format!(
                    "'{s}' không phải ngày dạng YYMMDD. Hãy kiểm tra mã trên giấy tiếp nhận."
                ),
                CodeError::BadSeq(s) => format!(
                    "'{s}' không phải số thứ tự trong ngày (0001–9999). Hãy kiểm tra mã trên giấy tiếp nhận."
                ),
                CodeError::DateOutOfRange => {
                    "Mã hồ sơ chỉ cấp cho các ngày từ 2000 đến 2099.".to_owned()
                }
            },
        }
    }
}

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

impl UnitCode {
    /// Accepts the code in any letter case and stores it with a capital letter.
    pub fn parse(input: &str) -> Result<UnitCode, CodeError> {
        let s = input.trim().to_ascii_uppercase();
        let groups: Vec<&str> = s.split('.').collect();
        let ok = match groups.as_slice() {
            [v, z, y, mx] => {
                all_digits(v, 3)
                    && all_digits(z, 2)
                    && all_digits(y, 2)
                    && matches!(mx.as_bytes(), [m, x1, x2]
                        if m.is_ascii_uppercase() && x1.is_ascii_digit() && x2.is_ascii_digit())
            }
            _ => false,
        };
        if ok {
            Ok(UnitCode(s))
        } else {
            Err(CodeError::BadUnitCode(input.trim().to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for UnitCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        UnitCode::parse(s)
    }
}

impl DossierCode {
    /// The code of the `seq`-th dossier received by `unit` on `date`.
    pub fn new(unit: UnitCode, date: NaiveDate, seq: u16) -> Result<DossierCode, CodeError> {
        if !(1..=MAX_SEQ).contains(&seq) {
            return Err(CodeError::BadSeq(seq.to_string()));
        }
        // YY is two digits: the century is implied, and codes exist only since 2018.
        if !(2000..=2099).contains(&date.year()) {
            return Err(CodeError::DateOutOfRange);
        }
        Ok(DossierCode { unit, date, seq })
    }

    /// Parses `000.00.27.H07-250115-0001` (surrounding spaces and letter case ignored).
    pub fn parse(input: &str) -> Result<DossierCode, CodeError> {
        let s = input.trim();
        let bad_shape = || CodeError::BadShape(s.to_owned());
        // The unit code has no '-', so the last two '-' separate date and number.
        let mut parts = s.rsplitn(3, '-');
        let (Some(seq), Some(date), Some(unit)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad_shape());
        };
        let unit = UnitCode::parse(unit)?;
        if !all_digits(date, 6) {
            return Err(CodeError::BadDate(date.to_owned()));
        }
        let date = NaiveDate::parse_from_str(&format!("20{date}"), "%Y%m%d")
            .map_err(|_| CodeError::BadDate(date.to_owned()))?;
        if !all_digits(seq, 4) {
            return Err(CodeError::BadSeq(seq.to_owned()));
        }
        let n: u16 = seq.parse().map_err(|_| CodeError::BadSeq(seq.to_owned()))?;
        DossierCode::new(unit, date, n)
    }

    /// What an official types to find one of their office's dossiers: the whole code (in
    /// any letter case, spaces around forgiven) or the short form `YYMMDD-NNNN` that the
    /// receipt prints large and citizens read out, which stands for `unit`'s code of that
    /// day (also without its dash, `YYMMDDNNNN`, as it is often copied).
    pub fn parse_at(input: &str, unit: &UnitCode) -> Result<DossierCode, CodeError> {
        let s = input.trim();
        let short = match s.split_once('-') {
            None if all_digits(s, 10) => Some(format!("{}-{}", &s[..6], &s[6..])),
            Some((date, seq)) if !date.contains('.') && !seq.contains('-') => Some(s.to_owned()),
            _ => None,
        };
        match short {
            Some(short) => DossierCode::parse(&format!("{unit}-{short}")).map_err(|e| match e {
                // The unit code was not typed: say what was.
                CodeError::BadShape(_) | CodeError::BadUnitCode(_) => {
                    CodeError::BadShape(s.to_owned())
                }
                other => other,
            }),
            None => DossierCode::parse(s),
        }
    }

    pub fn unit(&self) -> &UnitCode {
        &self.unit
    }

    /// The day the dossier was received (local date).
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// Its number among that office's dossiers of that day.
    pub fn seq(&self) -> u16 {
        self.seq
    }

    /// The short reference printed on payment slips and put in a VietQR purpose:
    /// `YYMMDD-NNNN` (the office is implied by the account paid into).
    pub fn short(&self) -> String {
        format!("{}-{:04}", self.date.format("%y%m%d"), self.seq)
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.unit, self.short())
    }
}

impl FromStr for DossierCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DossierCode::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn unit() -> UnitCode {
        UnitCode::parse("000.00.27.H07").unwrap()
    }

    #[test]
    fn formats_the_circular_shape() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
        let code = DossierCode::new(unit(), d, 1).unwrap();
        assert_eq!(code.to_string(), "000.00.27.H07-250115-0001");
        assert_eq!(code.short(), "250115-0001");
        let last = DossierCode::new(unit(), d, 9999).unwrap();
        assert_eq!(last.to_string(), "000.00.27.H07-250115-9999");
    }

    #[test]
    fn parses_back_what_it_formats() {
        let code = DossierCode::parse("000.00.27.H07-250115-0001").unwrap();
        assert_eq!(code.unit().as_str(), "000.00.27.H07");
        assert_eq!(code.date(), NaiveDate::from_ymd_opt(2025, 1, 15).unwrap());
        assert_eq!(code.seq(), 1);
        assert_eq!(
            DossierCode::parse("  000.00.27.h07-250115-0001\n").unwrap(),
            code,
            "case and spaces are forgiven"
        );
    }

    #[test]
    fn the_short_form_stands_for_this_offices_code() {
        let unit = UnitCode::parse("000.01.27.H07").unwrap();
        let full = "000.01.27.H07-261203-0009";
        for typed in [
            "261203-0009",
            "  261203-0009 ",
            "2612030009",
            full,
            "000.01.27.h07-261203-0009",
            "\t000.01.27.H07-261203-0009\n",
        ] {
            let code = DossierCode::parse_at(typed, &unit).unwrap();
            assert_eq!(code.to_string(), full, "{typed:?}");
        }
        // Another office's full code stays that office's.
        let other = DossierCode::parse_at("000.02.27.H07-261203-0009", &unit).unwrap();
        assert_eq!(other.unit().as_str(), "000.02.27.H07");
        // What is wrong is named as typed.
        assert_eq!(
            DossierCode::parse_at("261203", &unit),
            Err(CodeError::BadShape("261203".into()))
        );
        assert_eq!(
            DossierCode::parse_at("261303-0009", &unit),
            Err(CodeError::BadDate("261303".into()))
        );
        assert_eq!(
            DossierCode::parse_at("261203-9", &unit),
            Err(CodeError::BadSeq("9".into()))
        );
        assert_eq!(
            DossierCode::parse_at("nguyen van a", &unit),
            Err(CodeError::BadShape("nguyen van a".into()))
        );
    }

    #[test]
    fn unit_codes_are_validated() {
        for good in ["000.00.27.H07", "001.02.03.X99", "000.00.00.g01"] {
            assert!(UnitCode::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "000.00.27",
            "000.00.27.H7",
            "000.00.27.107",
            "00.00.27.H07",
            "000.000.27.H07",
            "000.00.27.H07.1",
            "000-00-27-H07",
            "000.00.2a.H07",
            "ộộộ.00.27.H07",
        ] {
            assert!(
                matches!(UnitCode::parse(bad), Err(CodeError::BadUnitCode(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn dossier_code_errors_say_which_part() {
        use CodeError::*;
        let cases = [
            ("000.00.27.H07", BadShape("000.00.27.H07".into())),
            ("250115-0001", BadShape("250115-0001".into())),
            (
                "000.00.27.H7-250115-0001",
                BadUnitCode("000.00.27.H7".into()),
            ),
            ("000.00.27.H07-2501150-0001", BadDate("2501150".into())),
            ("000.00.27.H07-250230-0001", BadDate("250230".into())),
            ("000.00.27.H07-250115-001", BadSeq("001".into())),
            ("000.00.27.H07-250115-0000", BadSeq("0".into())),
            ("000.00.27.H07-250115-00a1", BadSeq("00a1".into())),
        ];
        for (input, expected) in cases {
            assert_eq!(DossierCode::parse(input), Err(expected), "{input}");
        }
    }

    #[test]
    fn sequence_and_date_limits() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
        assert!(DossierCode::new(unit(), d, 0).is_err());
        assert!(DossierCode::new(unit(), d, 10000).is_err());
        let old = NaiveDate::from_ymd_opt(1999, 12, 31).unwrap();
        assert_eq!(
            DossierCode::new(unit(), old, 1),
            Err(CodeError::DateOutOfRange)
        );
    }

    #[test]
    fn errors_have_messages_in_both_languages() {
        let e = DossierCode::parse("xyz").unwrap_err();
        assert_eq!(e.code(), "dossier_code_invalid");
        assert!(e.message(Lang::Vi).contains("mã hồ sơ"));
        assert!(e.message(Lang::En).contains("dossier code"));
        let u = UnitCode::parse("x").unwrap_err();
        assert_eq!(u.code(), "unit_code_invalid");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = DossierCode::parse(&s);
            let _ = UnitCode::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_near_codes(s in "[0-9A-Za-zộ.\\-]{0,30}") {
            let _ = DossierCode::parse(&s);
        }

        #[test]
        fn round_trips(v in 0u16..1000, z in 0u8..100, y in 0u8..100, m in b'A'..=b'Z', x in 0u8..100,
                       days in 0i64..36500, seq in 1u16..=9999) {
            let unit = UnitCode::parse(&format!("{v:03}.{z:02}.{y:02}.{}{x:02}", m as char)).unwrap();
            let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(days as u64);
            prop_assume!(date.year() <= 2099);
            let code = DossierCode::new(unit, date, seq).unwrap();
            prop_assert_eq!(DossierCode::parse(&code.to_string()), Ok(code));
        }
    }
}
