//! The printed forms of Circular 01/2018/TT-VPCP (the form set is versioned: a 2025
//! circular renumbers it, so each form knows the set it belongs to).

use super::Lang;
use serde::{Deserialize, Serialize};

/// The form set in force. When a new circular changes the set, add a new set beside it
/// rather than editing this one: dossiers received earlier keep their forms.
pub const FORM_SET: &str = "01/2018/TT-VPCP";

/// A printable form (`{form}` of `GET /dossiers/{code}/forms/{form}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// Mẫu 01: receipt and appointment to return the result.
    Receipt,
    /// Mẫu 02: request to supplement the dossier.
    Supplement,
    /// Mẫu 03: refusal to receive.
    Refusal,
    /// Mẫu 04: apology and new appointment.
    Apology,
    /// Mẫu 05: control sheet of the processing.
    ControlSheet,
}

impl Form {
    pub const ALL: [Form; 5] = [
        Form::Receipt,
        Form::Supplement,
        Form::Refusal,
        Form::Apology,
        Form::ControlSheet,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Form::Receipt => "receipt",
            Form::Supplement => "supplement",
            Form::Refusal => "refusal",
            Form::Apology => "apology",
            Form::ControlSheet => "control_sheet",
        }
    }

    pub fn from_wire(s: &str) -> Option<Form> {
        Form::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The form's number in [`FORM_SET`].
    pub const fn number(self) -> &'static str {
        match self {
            Form::Receipt => "01",
            Form::Supplement => "02",
            Form::Refusal => "03",
            Form::Apology => "04",
            Form::ControlSheet => "05",
        }
    }

    pub const fn title(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Form::Receipt, Lang::Vi) => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            (Form::Receipt, Lang::En) => "Receipt and appointment for the result",
            (Form::Supplement, Lang::Vi) => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            (Form::Supplement, Lang::En) => "Request to supplement the dossier",
            (Form::Refusal, Lang::Vi) => "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            (Form::Refusal, Lang::En) => "Refusal to receive the dossier",
            (Form::Apology, Lang::Vi) => "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            (Form::Apology, Lang::En) => "Apology and new date for the result",
            (Form::ControlSheet, Lang::Vi) => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            (Form::ControlSheet, Lang::En) => "Control sheet of the processing",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_01_to_05() {
        let numbers: Vec<_> = Form::ALL.iter().map(|f| f.number()).collect();
        assert_eq!(numbers, ["01", "02", "03", "04", "05"]);
        for f in Form::ALL {
            assert_eq!(Form::from_wire(f.as_str()), Some(f));
            assert!(!f.title(Lang::Vi).is_empty() && !f.title(Lang::En).is_empty());
        }
        assert_eq!(
            Form::Receipt.title(Lang::Vi),
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
        );
    }
}
