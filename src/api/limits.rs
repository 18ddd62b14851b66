//! Bounds on every input of the API, in one place: the longest text each field may hold,
//! the most items a list may hold, the most words a search may hold, the largest amount
//! of money, and the characters no text may carry (docs/api.md, "Giới hạn kích thước /
//! Size bounds").
//!
//! Every request type (JSON bodies and query strings) implements [`Bounded`]: its table of
//! bounds by field path. The portal checks a body against its type's table before anything
//! else reads it (`portal::json::parse_json` requires the trait, so a new request type
//! cannot skip it), and every string of the body, whether tabled or not, is refused when it
//! carries a control character. The OpenAPI document shows the same bounds
//! (`#[schema(max_length = …)]`, `max_items`, `maximum`); `tests/openapi.rs` checks that the
//! document and these tables agree for every field and that no request string lacks one.

use crate::domain::text::{forbidden_char, word_count};
use crate::domain::{Lang, RuleError};

/// A person's full name (applicant, submitter, recipient).
pub const NAME: usize = 100;
/// A postal address, a delivery address, an authorization document's description.
pub const ADDRESS: usize = 300;
/// An e-mail address (RFC 5321's limit).
pub const EMAIL: usize = 254;
/// An identity number, a phone number, a date as typed: room for spaces and dashes.
pub const SHORT: usize = 32;
/// A code or id: procedure, case, document part, office, upload, username, receipt,
/// transaction, account, an RFC 3339 time.
pub const CODE: usize = 64;
/// A note, a reason, a summary of a result: several lines.
pub const NOTE: usize = 2000;
/// One missing document named in a supplement request.
pub const MISSING_DOCUMENT: usize = 300;
/// A file name as sent (the stored one is then shortened to 255 bytes).
pub const FILENAME: usize = 1024;
/// A password (or an activation code as typed).
pub const PASSWORD: usize = 1024;
/// A search text (`q`, `field`): characters…
pub const SEARCH: usize = 200;
/// …and words, as the matcher splits them: every word costs the search a test.
pub const SEARCH_WORDS: usize = 20;
/// A list's cursor, as the portal gave it.
pub const CURSOR: usize = 256;
/// Document parts handed in with one submission or supplement.
pub const DOCUMENTS: usize = 50;
/// Missing documents named in one supplement request.
pub const MISSING_DOCUMENTS: usize = 50;
/// The largest amount of money, in đồng, that any request may carry (a ward's fees are
/// far below it; it keeps every sum well within a 64-bit integer).
pub const MAX_AMOUNT: u64 = 1_000_000_000_000;

/// What one field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A text of at most `max` characters (Unicode scalar values, as JSON Schema's
    /// `maxLength` counts them), on one line unless `multiline`.
    Text { max: usize, multiline: bool },
    /// A search text: at most `max` characters and `words` words, on one line.
    Search { max: usize, words: usize },
    /// A list of at most `max` items.
    Items { max: usize },
    /// An amount of đồng of at most [`MAX_AMOUNT`] either way.
    Amount,
}

/// A field's path and its rule. Paths are dotted; `[]` stands for any item of a list
/// (`documents[].part_id`, `missing_documents[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub path: &'static str,
    pub rule: Rule,
}

impl Bound {
    /// A one-line text.
    pub const fn line(path: &'static str, max: usize) -> Bound {
        Bound {
            path,
            rule: Rule::Text {
                max,
                multiline: false,
            },
        }
    }

    /// A text that may hold line feeds (a note, a reason).
    pub const fn lines(path: &'static str, max: usize) -> Bound {
        Bound {
            path,
            rule: Rule::Text {
                max,
                multiline: true,
            },
        }
    }

    /// A search text.
    pub const fn search(path: &'static str) -> Bound {
        Bound {
            path,
            rule: Rule::Search {
                max: SEARCH,
                words: SEARCH_WORDS,
            },
        }
    }

    /// A list.
    pub const fn items(path: &'static str, max: usize) -> Bound {
        Bound {
            path,
            rule: Rule::Items { max },
        }
    }

    /// An amount of money.
    pub const fn amount(path: &'static str) -> Bound {
        Bound {
            path,
            rule: Rule::Amount,
        }
    }
}

/// A request type and the bounds of its fields. A string field missing from the table
/// still may not carry a control character; `tests/openapi.rs` fails when one lacks a
/// length.
pub trait Bounded {
    const BOUNDS: &'static [Bound];
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Fault {
    #[error("the text contains a control or text-direction character")]
    Control { multiline: bool },
    #[error("the text is longer than {max} characters")]
    TooLong { max: usize },
    #[error("the search has more than {max} words")]
    TooManyWords { max: usize },
    #[error("the list has more than {max} items")]
    TooManyItems { max: usize },
    #[error("the amount is beyond {MAX_AMOUNT} đồng")]
    AmountTooLarge,
}

impl RuleError for Fault {
    fn code(&self) -> &'static str {
        crate::api::error::ErrorCode::ValidationFailed.as_str()
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Fault::Control { multiline: false }, Lang::Vi) => "Có ký tự điều khiển hoặc ký tự đổi chiều chữ (không in ra được, kể cả xuống dòng và tab). Hãy nhập lại trên một dòng, chỉ bằng chữ, số và dấu câu.".into(),
            (Fault::Control { multiline: false }, Lang::En) => "The text contains a control or text-direction character (which cannot be printed; line breaks and tabs included). Enter it again on one line, with letters, digits and punctuation only.".into(),
            (Fault::Control { multiline: true }, Lang::Vi) => "Có ký tự điều khiển hoặc ký tự đổi chiều chữ (không in ra được, như tab). Hãy nhập lại bằng chữ, số và dấu câu; được xuống dòng.".into(),
            (Fault::Control { multiline: true }, Lang::En) => "The text contains a control or text-direction character (which cannot be printed, such as a tab). Enter it again with letters, digits and punctuation; line breaks are allowed.".into(),
            (Fault::TooLong { max }, Lang::Vi) => format!("Dài quá {max} ký tự. Hãy rút gọn; có thể đã dán nhầm nội dung khác."),
            (Fault::TooLong { max }, Lang::En) => format!("Longer than {max} characters. Shorten it; something else may have been pasted."),
            (Fault::TooManyWords { max }, Lang::Vi) => format!("Tìm kiếm có quá {max} từ. Hãy tìm bằng ít từ hơn."),
            (Fault::TooManyWords { max }, Lang::En) => format!("The search has more than {max} words. Search with fewer words."),
            (Fault::TooManyItems { max }, Lang::Vi) => format!("Danh sách có quá {max} mục. Hãy bớt đi."),
            (Fault::TooManyItems { max }, Lang::En) => format!("The list has more than {max} items. Send fewer."),
            (Fault::AmountTooLarge, Lang::Vi) => format!("Số tiền vượt quá {} đồng. Hãy kiểm tra lại số tiền.", crate::domain::fees::format_vnd(MAX_AMOUNT, Lang::Vi)),
            (Fault::AmountTooLarge, Lang::En) => format!("The amount is beyond {}. Check the amount.", crate::domain::fees::format_vnd(MAX_AMOUNT, Lang::En)),
        }
    }
}

/// Every fault of a request, by the field's concrete path (`documents[2].part_id`), the
/// first fault of each field only. `value` is the request as JSON (a body as received, or
/// a query string's fields).
pub fn check(bounds: &[Bound], value: &serde_json::Value) -> Vec<(String, Fault)> {
    let mut faults = Vec::new();
    let mut path = String::new();
    let mut pattern = String::new();
    walk(bounds, value, &mut path, &mut pattern, &mut faults);
    faults
}

fn rule_at(bounds: &[Bound], pattern: &str) -> Option<Rule> {
    bounds.iter().find(|b| b.path == pattern).map(|b| b.rule)
}

fn walk(
    bounds: &[Bound],
    value: &serde_json::Value,
    path: &mut String,
    pattern: &mut String,
    faults: &mut Vec<(String, Fault)>,
) {
    use serde_json::Value;
    let rule = rule_at(bounds, pattern);
    let fault = match value {
        Value::String(s) => text_fault(s, rule),
        Value::Number(n) if rule == Some(Rule::Amount) => {
            let within = match (n.as_i64(), n.as_u64()) {
                (Some(v), _) => v.unsigned_abs() <= MAX_AMOUNT,
                (None, Some(v)) => v <= MAX_AMOUNT,
                _ => n.as_f64().is_some_and(|f| f.abs() <= MAX_AMOUNT as f64),
            };
            (!within).then_some(Fault::AmountTooLarge)
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let (path_len, pattern_len) = (path.len(), pattern.len());
                path.push_str(&format!("[{i}]"));
                pattern.push_str("[]");
                walk(bounds, item, path, pattern, faults);
                path.truncate(path_len);
                pattern.truncate(pattern_len);
            }
            match rule {
                Some(Rule::Items { max }) if items.len() > max => Some(Fault::TooManyItems { max }),
                _ => None,
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                let (path_len, pattern_len) = (path.len(), pattern.len());
                if !path.is_empty() {
                    path.push('.');
                    pattern.push('.');
                }
                path.push_str(name);
                pattern.push_str(name);
                walk(bounds, field, path, pattern, faults);
                path.truncate(path_len);
                pattern.truncate(pattern_len);
            }
            None
        }
        _ => None,
    };
    if let Some(fault) = fault {
        // An item's fault comes before its list's; the list's own is reported beside it.
        faults.push((path.clone(), fault));
    }
}

/// The fault of one text under its rule (a text with no rule: control characters only).
pub fn text_fault(s: &str, rule: Option<Rule>) -> Option<Fault> {
    let (max, multiline, words) = match rule {
        Some(Rule::Text { max, multiline }) => (Some(max), multiline, None),
        Some(Rule::Search { max, words }) => (Some(max), false, Some(words)),
        _ => (None, false, None),
    };
    if s.chars().any(|c| forbidden_char(c, multiline)) {
        return Some(Fault::Control { multiline });
    }
    if let Some(max) = max
        && s.chars().count() > max
    {
        return Some(Fault::TooLong { max });
    }
    if let Some(max) = words
        && word_count(s) > max
    {
        return Some(Fault::TooManyWords { max });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BOUNDS: &[Bound] = &[
        Bound::line("name", 3),
        Bound::lines("note", 5),
        Bound::items("documents", 2),
        Bound::line("documents[].part_id", 2),
        Bound::line("tags[]", 2),
        Bound::search("q"),
        Bound::amount("amount"),
    ];

    fn faults(value: serde_json::Value) -> Vec<(String, Fault)> {
        check(BOUNDS, &value)
    }

    #[test]
    fn texts_within_their_bounds_pass() {
        assert_eq!(
            faults(
                json!({"name": "Anh", "note": "a\nb", "documents": [{"part_id": "ab"}],
                          "tags": ["x"], "q": "nguyen van", "amount": 1_000_000_000_000_i64,
                          "other": "anything long is not bounded here"})
            ),
            vec![]
        );
    }

    #[test]
    fn every_fault_is_named_by_its_concrete_path() {
        let found = faults(json!({
            "name": "Anhh", "note": "a\tb",
            "documents": [{"part_id": "ok"}, {"part_id": "x\u{1b}"}, {"part_id": "a"}],
            "tags": ["ok", "long"], "q": "a ".repeat(21), "amount": -1_000_000_000_001_i64,
            "other": "bell\u{7}", "nested": {"deep": ["\u{202E}"]},
        }));
        let by_path: std::collections::BTreeMap<_, _> = found.into_iter().collect();
        assert_eq!(by_path["name"], Fault::TooLong { max: 3 });
        assert_eq!(by_path["note"], Fault::Control { multiline: true });
        assert_eq!(by_path["documents"], Fault::TooManyItems { max: 2 });
        assert_eq!(
            by_path["documents[1].part_id"],
            Fault::Control { multiline: false }
        );
        assert_eq!(by_path["tags[1]"], Fault::TooLong { max: 2 });
        assert_eq!(by_path["q"], Fault::TooManyWords { max: 20 });
        assert_eq!(by_path["amount"], Fault::AmountTooLarge);
        assert_eq!(by_path["other"], Fault::Control { multiline: false });
        assert_eq!(
            by_path["nested.deep[0]"],
            Fault::Control { multiline: false }
        );
        assert_eq!(by_path.len(), 9, "{by_path:?}");
    }

    #[test]
    fn line_feeds_only_in_multiline_texts() {
        assert_eq!(
            faults(json!({"name": "a\nb"})),
            vec![("name".into(), Fault::Control { multiline: false })]
        );
        assert_eq!(faults(json!({"note": "a\nb"})), vec![]);
    }

    #[test]
    fn amounts_beyond_any_integer_are_faults() {
        for amount in [
            json!(1e20),
            json!(u64::MAX),
            json!(9_223_372_036_854_775_808_u64),
            json!(-1e20),
        ] {
            assert_eq!(
                faults(json!({ "amount": amount })),
                vec![("amount".into(), Fault::AmountTooLarge)]
            );
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert_eq!(faults(json!({"name": "Ễễễ"})), vec![]);
    }
}
