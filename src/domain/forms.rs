//! The printed forms of the one-stop desk, in the sets the circulars prescribe.
//!
//! Two sets are in use. Circular 01/2018/TT-VPCP (guiding Decree 61/2018/NĐ-CP) numbers
//! them 01–06; Circular 03/2025/TT-VPCP (guiding Decree 118/2025/NĐ-CP), in force from
//! 2025-09-15, renumbers them 01–07 and adds the notice of stopping the processing. A
//! dossier keeps the set in force on the day it was received ([`FormSet::for_received`]):
//! a receipt handed over in August 2025 is reprinted as it was handed over.

use super::Lang;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A printable form of one dossier (`{form}` of `GET /dossiers/{code}/forms/{form}`). The
/// register of dossiers is printed per period, not per dossier: see [`FormSet::register_number`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// Receipt and appointment to return the result (Mẫu 01 of both sets).
    Receipt,
    /// Request to supplement the dossier (Mẫu 02).
    Supplement,
    /// Refusal to receive (Mẫu 03).
    Refusal,
    /// Apology and new appointment; in the 03/2025 set also the request for the extension
    /// (Mẫu 04).
    Apology,
    /// Notice of stopping the processing (Mẫu 05 of the 03/2025 set only).
    StopNotice,
    /// Control slip of the processing (Mẫu 05 of 01/2018, Mẫu 06 of 03/2025).
    ControlSheet,
}

impl Form {
    pub const ALL: [Form; 6] = [
        Form::Receipt,
        Form::Supplement,
        Form::Refusal,
        Form::Apology,
        Form::StopNotice,
        Form::ControlSheet,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Form::Receipt => "receipt",
            Form::Supplement => "supplement",
            Form::Refusal => "refusal",
            Form::Apology => "apology",
            Form::StopNotice => "stop_notice",
            Form::ControlSheet => "control_sheet",
        }
    }

    pub fn from_wire(s: &str) -> Option<Form> {
        Form::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The form's title in the set in force now (the 03/2025 set). The title printed on a
    /// dossier's form is [`FormSet::title`] of the dossier's set.
    pub const fn title(self, lang: Lang) -> &'static str {
        FormSet::Circular03_2025.title(self, lang)
    }
}

/// The first day of the 03/2025 set: Circular 03/2025/TT-VPCP took effect on 15 September
/// 2025. Data with an effective date, as every rule a decree changes.
pub const CIRCULAR_03_2025_FROM: (i32, u32, u32) = (2025, 9, 15);

/// A set of printed forms: the circular that prescribes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum FormSet {
    /// Circular 01/2018/TT-VPCP: dossiers received before 2025-09-15.
    #[serde(rename = "01/2018/TT-VPCP")]
    Circular01_2018,
    /// Circular 03/2025/TT-VPCP: dossiers received from 2025-09-15 on.
    #[serde(rename = "03/2025/TT-VPCP")]
    Circular03_2025,
}

impl FormSet {
    /// Every set, oldest first.
    pub const ALL: [FormSet; 2] = [FormSet::Circular01_2018, FormSet::Circular03_2025];

    /// The set a dossier received on `day` (at the desk's time) prints with.
    pub fn for_received(day: NaiveDate) -> FormSet {
        let (y, m, d) = CIRCULAR_03_2025_FROM;
        match NaiveDate::from_ymd_opt(y, m, d) {
            Some(from) if day < from => FormSet::Circular01_2018,
            _ => FormSet::Circular03_2025,
        }
    }

    /// The circular's number, as printed beside each form's number and sent in the
    /// `Form-Set` header.
    pub const fn circular(self) -> &'static str {
        match self {
            FormSet::Circular01_2018 => "01/2018/TT-VPCP",
            FormSet::Circular03_2025 => "03/2025/TT-VPCP",
        }
    }

    pub fn from_circular(s: &str) -> Option<FormSet> {
        FormSet::ALL.into_iter().find(|set| set.circular() == s)
    }

    /// The forms of the set, in their order.
    pub const fn forms(self) -> &'static [Form] {
        match self {
            FormSet::Circular01_2018 => &[
                Form::Receipt,
                Form::Supplement,
                Form::Refusal,
                Form::Apology,
                Form::ControlSheet,
            ],
            FormSet::Circular03_2025 => &Form::ALL,
        }
    }

    /// The form's number in the set; `None` when the set has no such form (the stop
    /// notice before 2025-09-15).
    pub const fn number(self, form: Form) -> Option<&'static str> {
        match (self, form) {
            (_, Form::Receipt) => Some("01"),
            (_, Form::Supplement) => Some("02"),
            (_, Form::Refusal) => Some("03"),
            (_, Form::Apology) => Some("04"),
            (FormSet::Circular01_2018, Form::StopNotice) => None,
            (FormSet::Circular03_2025, Form::StopNotice) => Some("05"),
            (FormSet::Circular01_2018, Form::ControlSheet) => Some("05"),
            (FormSet::Circular03_2025, Form::ControlSheet) => Some("06"),
        }
    }

    /// The number of the register of dossiers (Sổ theo dõi hồ sơ) in the set.
    pub const fn register_number(self) -> &'static str {
        match self {
            FormSet::Circular01_2018 => "06",
            FormSet::Circular03_2025 => "07",
        }
    }

    /// What the set calls the desk: the 2018 decree's "Bộ phận Tiếp nhận và Trả kết quả",
    /// the 2025 decree's "Bộ phận Một cửa".
    pub const fn desk(self) -> &'static str {
        match self {
            FormSet::Circular01_2018 => "Bộ phận Tiếp nhận và Trả kết quả",
            FormSet::Circular03_2025 => "Bộ phận Một cửa",
        }
    }

    /// The form's title in the set.
    pub const fn title(self, form: Form, lang: Lang) -> &'static str {
        use FormSet::*;
        match (form, self, lang) {
            (Form::Receipt, _, Lang::Vi) => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            (Form::Receipt, _, Lang::En) => "Receipt and appointment for the result",
            (Form::Supplement, _, Lang::Vi) => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            (Form::Supplement, _, Lang::En) => "Request to supplement the dossier",
            (Form::Refusal, _, Lang::Vi) => "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            (Form::Refusal, _, Lang::En) => "Refusal to receive the dossier",
            (Form::Apology, Circular01_2018, Lang::Vi) => {
                "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
            }
            (Form::Apology, Circular01_2018, Lang::En) => "Apology and new date for the result",
            (Form::Apology, Circular03_2025, Lang::Vi) => {
                "Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết"
            }
            (Form::Apology, Circular03_2025, Lang::En) => {
                "Apology and request to extend the processing time"
            }
            (Form::StopNotice, _, Lang::Vi) => "Thông báo về việc dừng giải quyết hồ sơ",
            (Form::StopNotice, _, Lang::En) => "Notice of stopping the processing",
            (Form::ControlSheet, _, Lang::Vi) => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            (Form::ControlSheet, _, Lang::En) => "Control slip of the processing",
        }
    }

    /// The register's title (the same in both sets).
    pub const fn register_title(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Vi => "Sổ theo dõi hồ sơ",
            Lang::En => "Register of dossiers",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_set_follows_the_received_day() {
        assert_eq!(
            FormSet::for_received(day("2025-09-14")),
            FormSet::Circular01_2018
        );
        assert_eq!(
            FormSet::for_received(day("2025-09-15")),
            FormSet::Circular03_2025
        );
        assert_eq!(
            FormSet::for_received(day("2019-01-07")),
            FormSet::Circular01_2018
        );
        assert_eq!(
            FormSet::for_received(day("2030-01-01")),
            FormSet::Circular03_2025
        );
    }

    #[test]
    fn numbers_in_each_set() {
        let numbers = |set: FormSet| -> Vec<_> {
            set.forms()
                .iter()
                .map(|f| set.number(*f).unwrap())
                .collect()
        };
        assert_eq!(
            numbers(FormSet::Circular01_2018),
            ["01", "02", "03", "04", "05"]
        );
        assert_eq!(
            numbers(FormSet::Circular03_2025),
            ["01", "02", "03", "04", "05", "06"]
        );
        assert_eq!(FormSet::Circular01_2018.number(Form::StopNotice), None);
        assert_eq!(FormSet::Circular01_2018.register_number(), "06");
        assert_eq!(FormSet::Circular03_2025.register_number(), "07");
        for set in FormSet::ALL {
            assert_eq!(FormSet::from_circular(set.circular()), Some(set));
            assert_eq!(
                serde_json::to_string(&set).unwrap(),
                format!("\"{}\"", set.circular())
            );
            for form in Form::ALL {
                assert_eq!(
                    set.number(form).is_some(),
                    set.forms().contains(&form),
                    "{set:?} {form:?}"
                );
            }
        }
    }

    #[test]
    fn titles_and_wire_names() {
        for f in Form::ALL {
            assert_eq!(Form::from_wire(f.as_str()), Some(f));
            for set in FormSet::ALL {
                assert!(!set.title(f, Lang::Vi).is_empty() && !set.title(f, Lang::En).is_empty());
            }
        }
        assert_eq!(
            Form::Receipt.title(Lang::Vi),
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
        );
        assert_ne!(
            FormSet::Circular01_2018.title(Form::Apology, Lang::Vi),
            FormSet::Circular03_2025.title(Form::Apology, Lang::Vi)
        );
        assert_eq!(Form::from_wire("register"), None);
    }
}
