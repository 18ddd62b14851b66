//! VietQR payment codes: the NAPAS 247 profile of the EMVCo merchant-presented QR.
//!
//! A level-4 procedure shows the citizen a QR that any Vietnamese banking app can scan
//! to transfer the fee to the office's account, with the dossier code as the purpose.
//! The payload is a list of TLV fields (2-digit tag, 2-digit decimal length, value);
//! tags 38 and 62 hold nested lists of the same shape. A path such as `38.01.00` names
//! a nested field (tag 00 inside tag 01 inside tag 38), and every parse error names the
//! field it is about, so a desk officer or developer can see which part of a scanned
//! code is wrong.
//!
//! Layout written by [`build`] (the order of the NAPAS test vectors):
//! `00`=`01`, `01`=`11`/`12`, `38`={`00` AID, `01`={`00` BIN, `01` account}, `02`
//! service}, `53`=`704`, `54` amount, `58`=`VN`, `62`={`08` purpose}, `63` CRC.

use crc::{CRC_16_IBM_3740, Crc};

use super::fees::format_vnd;
use super::{Lang, RuleError, text};

/// The application identifier NAPAS registered for VietQR (tag 38.00).
pub const VIETQR_AID: &str = "A000000727";
/// Service code of a transfer to a bank account (tag 38.02).
pub const SERVICE_ACCOUNT: &str = "QRIBFTTA";
/// Service code of a transfer to a card number (tag 38.02).
pub const SERVICE_CARD: &str = "QRIBFTTC";
/// ISO 4217 numeric code of the đồng (tag 53).
pub const CURRENCY_VND: &str = "704";
/// ISO 3166 code of Viet Nam (tag 58).
pub const COUNTRY_VN: &str = "VN";
/// EMVCo caps the purpose of transaction (tag 62.08) at 25 characters.
pub const PURPOSE_MAX_CHARS: usize = 25;

const SERVICES: &[&str] = &[SERVICE_ACCOUNT, SERVICE_CARD];
const POINT_OF_INITIATION: &[&str] = &["11", "12"];
/// Card numbers run up to 19 digits (ISO/IEC 7812); account numbers are shorter.
const ACCOUNT_MAX_CHARS: usize = 19;
/// EMVCo tag 54 holds at most 13 characters.
const AMOUNT_MAX_CHARS: usize = 13;
const AMOUNT_MAX: u64 = 9_999_999_999_999;
/// The CRC field's own tag and length, which the checksum covers.
const CRC_HEADER: &str = "6304";

/// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor), which
/// the `crc` crate's catalogue calls CRC-16/IBM-3740.
static CRC16: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_3740);

/// The EMVCo checksum of `data`: CRC-16/CCITT-FALSE over its bytes, as 4 upper-case hex
/// digits. For a payload, `data` is everything up to and including `6304`.
pub fn crc16(data: &str) -> String {
    format!("{:04X}", CRC16.checksum(data.as_bytes()))
}

/// What to put in a payment QR.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VietQrRequest {
    /// The receiving bank's 6-digit BIN (e.g. 970415 for VietinBank).
    pub bank_bin: String,
    /// The receiving account number: 1–19 digits or ASCII letters.
    pub account: String,
    /// Amount in đồng. `None` gives a static QR where the payer types the amount.
    pub amount: Option<u64>,
    /// Transfer note, usually the dossier code. Folded to ASCII and cut to 25 characters.
    pub purpose: Option<String>,
}

/// What a VietQR payload says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VietQr {
    pub bank_bin: String,
    pub account: String,
    /// [`SERVICE_ACCOUNT`] (`QRIBFTTA`) or [`SERVICE_CARD`] (`QRIBFTTC`).
    pub service: String,
    pub amount: Option<u64>,
    pub purpose: Option<String>,
    /// Tag 01 is `12`: a one-time code, usually with an amount.
    pub dynamic: bool,
    /// Tag 53, ISO 4217 numeric (`704`).
    pub currency: String,
    /// Tag 58, ISO 3166 alpha-2 (`VN`).
    pub country: String,
}

/// What a field's value should have looked like (part of [`TagProblem::Invalid`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Exactly this value.
    Exactly(&'static str),
    /// One of these values.
    OneOf(&'static [&'static str]),
    /// 6 digits.
    BankBin,
    /// 1–19 digits or ASCII letters.
    Account,
    /// A whole number of đồng above 0, at most 13 characters.
    Amount,
    /// 3 digits (ISO 4217 numeric).
    Currency,
    /// 2 upper-case letters (ISO 3166 alpha-2).
    Country,
    /// Printable ASCII, at most 25 characters.
    Purpose,
}

impl Expected {
    fn describe(self, lang: Lang) -> String {
        match (self, lang) {
            (Expected::Exactly(v), Lang::Vi) => format!("phải là \"{v}\""),
            (Expected::Exactly(v), Lang::En) => format!("it must be \"{v}\""),
            (Expected::OneOf(vs), Lang::Vi) => {
                format!("phải là một trong các giá trị {}", vs.join(", "))
            }
            (Expected::OneOf(vs), Lang::En) => format!("it must be one of {}", vs.join(", ")),
            (Expected::BankBin, Lang::Vi) => "phải gồm đúng 6 chữ số".to_owned(),
            (Expected::BankBin, Lang::En) => "it must be exactly 6 digits".to_owned(),
            (Expected::Account, Lang::Vi) => {
                "phải có từ 1 đến 19 ký tự, chỉ gồm chữ số hoặc chữ cái không dấu".to_owned()
            }
            (Expected::Account, Lang::En) => {
                "it must be 1 to 19 characters, digits or unaccented letters only".to_owned()
            }
            (Expected::Amount, Lang::Vi) => {
                "phải là số tiền nguyên (đồng) lớn hơn 0, tối đa 13 ký tự".to_owned()
            }
            (Expected::Amount, Lang::En) => {
                "it must be a whole number of đồng above 0, at most 13 characters".to_owned()
            }
            (Expected::Currency, Lang::Vi) => {
                "phải gồm 3 chữ số (mã tiền tệ ISO 4217; 704 là đồng Việt Nam)".to_owned()
            }
            (Expected::Currency, Lang::En) => {
                "it must be 3 digits (ISO 4217 currency code; 704 is the đồng)".to_owned()
            }
            (Expected::Country, Lang::Vi) => {
                "phải gồm 2 chữ cái in hoa (mã quốc gia; VN là Việt Nam)".to_owned()
            }
            (Expected::Country, Lang::En) => {
                "it must be 2 capital letters (country code; VN is Viet Nam)".to_owned()
            }
            (Expected::Purpose, Lang::Vi) => {
                "phải gồm tối đa 25 ký tự ASCII in được (không dấu)".to_owned()
            }
            (Expected::Purpose, Lang::En) => {
                "it must be at most 25 printable ASCII characters".to_owned()
            }
        }
    }
}

/// What is wrong with one field (part of [`VietQrError::Tag`]). Positions are 0-based
/// offsets into the trimmed payload; messages show them 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagProblem {
    /// A mandatory field is absent.
    Missing,
    /// The field occurs twice in the same list (EMVCo allows each tag once).
    Duplicate,
    /// Tag 00 must open the payload.
    NotFirst,
    /// Tag 63 must close the payload: data after the checksum is not protected by it.
    NotLast,
    /// The tag number is not 2 digits.
    BadTagId { position: usize },
    /// The length is not 2 digits from 01 to 99.
    BadLength { position: usize, found: String },
    /// The field (or, when its tag number cannot even be read, the list holding it)
    /// runs past the end of its container: `needed` characters at `position`, only
    /// `available` left.
    Truncated {
        position: usize,
        needed: usize,
        available: usize,
    },
    /// The value is well-formed TLV but not an allowed value.
    Invalid { found: String, expected: Expected },
}

/// A payment QR that cannot be built, or a payload that is not a valid VietQR.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VietQrError {
    #[error(
        "the bank BIN \"{found}\" is invalid: it must be exactly 6 digits; choose the receiving bank again"
    )]
    InvalidBankBin { found: String },
    #[error(
        "the account number \"{found}\" is invalid: it must be 1 to 19 characters, digits or unaccented letters only; check the receiving account"
    )]
    InvalidAccount { found: String },
    #[error(
        "the amount {} is invalid: it must be above 0 and at most 13 digits; check the fee to collect",
        format_vnd(*.amount, Lang::En)
    )]
    InvalidAmount { amount: u64 },
    #[error("the QR payload is empty; scan the code again or paste its full content")]
    Empty,
    #[error(
        "the QR payload has the non-ASCII character {found:?} at character {}, but a VietQR is plain ASCII; scan the code again or paste the original content",
        .position + 1
    )]
    NotAscii { position: usize, found: char },
    #[error(
        "the checksum (tag 63) does not match: the content gives {expected} but the code says {found}; the code was altered or cut, scan the original again"
    )]
    CrcMismatch { expected: String, found: String },
    #[error(
        "not a VietQR: tag {tag} holds the identifier \"{found}\" instead of NAPAS's A000000727; use a VietQR bank-transfer code"
    )]
    NotVietQr { tag: String, found: String },
    #[error("{}", tag_message(.tag, .problem, Lang::En))]
    Tag { tag: String, problem: TagProblem },
}

impl VietQrError {
    /// The path of the field the error is about (`63` for a checksum mismatch), or
    /// `None` for errors about the request or the payload as a whole.
    pub fn tag(&self) -> Option<&str> {
        match self {
            VietQrError::CrcMismatch { .. } => Some("63"),
            VietQrError::NotVietQr { tag, .. } | VietQrError::Tag { tag, .. } => Some(tag),
            VietQrError::InvalidBankBin { .. }
            | VietQrError::InvalidAccount { .. }
            | VietQrError::InvalidAmount { .. }
            | VietQrError::Empty
            | VietQrError::NotAscii { .. } => None,
        }
    }
}

impl RuleError for VietQrError {
    fn code(&self) -> &'static str {
        match self {
            VietQrError::InvalidBankBin { .. } => "vietqr_invalid_bank_bin",
            VietQrError::InvalidAccount { .. } => "vietqr_invalid_account",
            VietQrError::InvalidAmount { .. } => "vietqr_invalid_amount",
            VietQrError::Empty => "vietqr_empty",
            VietQrError::NotAscii { .. } => "vietqr_not_ascii",
            VietQrError::CrcMismatch { .. } => "vietqr_crc_mismatch",
            VietQrError::NotVietQr { .. } => "vietqr_not_vietqr",
            VietQrError::Tag { problem, .. } => match problem {
                TagProblem::Missing => "vietqr_missing_tag",
                TagProblem::Duplicate => "vietqr_duplicate_tag",
                TagProblem::NotFirst => "vietqr_tag_not_first",
                TagProblem::NotLast => "vietqr_tag_not_last",
                TagProblem::BadTagId { .. } => "vietqr_bad_tag_id",
                TagProblem::BadLength { .. } => "vietqr_bad_length",
                TagProblem::Truncated { .. } => "vietqr_truncated",
                TagProblem::Invalid { .. } => "vietqr_invalid_value",
            },
        }
    }

    fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            VietQrError::InvalidBankBin { found } => format!(
                "Mã BIN ngân hàng \"{found}\" không hợp lệ: phải gồm đúng 6 chữ số. \
                 Hãy chọn lại ngân hàng nhận tiền."
            ),
            VietQrError::InvalidAccount { found } => format!(
                "Số tài khoản \"{found}\" không hợp lệ: phải có từ 1 đến 19 ký tự, chỉ gồm \
                 chữ số hoặc chữ cái không dấu. Hãy kiểm tra lại số tài khoản nhận tiền."
            ),
            VietQrError::InvalidAmount { amount } => format!(
                "Số tiền {} không hợp lệ: phải lớn hơn 0 và có tối đa 13 chữ số. \
                 Hãy kiểm tra lại số tiền cần thu.",
                format_vnd(*amount, Lang::Vi)
            ),
            VietQrError::Empty => {
                "Nội dung mã QR trống. Hãy quét lại mã hoặc dán đầy đủ nội dung mã.".to_owned()
            }
            VietQrError::NotAscii { position, found } => format!(
                "Mã QR có ký tự \"{found}\" ở vị trí {}, trong khi mã VietQR chỉ gồm ký tự \
                 ASCII. Hãy quét lại mã hoặc dán đúng nội dung gốc.",
                position + 1
            ),
            VietQrError::CrcMismatch { expected, found } => format!(
                "Mã kiểm tra (trường 63) không khớp: nội dung cho {expected} nhưng mã ghi \
                 {found}. Mã đã bị sửa hoặc cắt xén; hãy quét lại mã gốc."
            ),
            VietQrError::NotVietQr { tag, found } => format!(
                "Đây không phải mã VietQR: trường {tag} có mã định danh \"{found}\" thay vì \
                 A000000727 của NAPAS. Hãy dùng mã VietQR chuyển khoản ngân hàng."
            ),
            VietQrError::Tag { tag, problem } => tag_message(tag, problem, Lang::Vi),
        }
    }
}

/// What a known field is, so messages say "tag 38.01.00 (bank BIN)" rather than a bare
/// number.
fn tag_label(tag: &str, lang: Lang) -> String {
    let name = match (tag, lang) {
        ("00", Lang::Vi) => "phiên bản dữ liệu",
        ("00", Lang::En) => "payload format indicator",
        ("01", Lang::Vi) => "phương thức khởi tạo",
        ("01", Lang::En) => "point of initiation",
        ("38", Lang::Vi) => "thông tin tài khoản VietQR",
        ("38", Lang::En) => "VietQR account information",
        ("38.00", Lang::Vi) => "mã định danh ứng dụng",
        ("38.00", Lang::En) => "application identifier",
        ("38.01", Lang::Vi) => "thông tin người nhận",
        ("38.01", Lang::En) => "beneficiary",
        ("38.01.00", Lang::Vi) => "mã BIN ngân hàng",
        ("38.01.00", Lang::En) => "bank BIN",
        ("38.01.01", Lang::Vi) => "số tài khoản",
        ("38.01.01", Lang::En) => "account number",
        ("38.02", Lang::Vi) => "mã dịch vụ",
        ("38.02", Lang::En) => "service code",
        ("53", Lang::Vi) => "mã tiền tệ",
        ("53", Lang::En) => "currency",
        ("54", Lang::Vi) => "số tiền",
        ("54", Lang::En) => "amount",
        ("58", Lang::Vi) => "mã quốc gia",
        ("58", Lang::En) => "country code",
        ("62", Lang::Vi) => "thông tin bổ sung",
        ("62", Lang::En) => "additional data",
        ("62.08", Lang::Vi) => "nội dung chuyển khoản",
        ("62.08", Lang::En) => "purpose",
        ("63", Lang::Vi) => "mã kiểm tra CRC",
        ("63", Lang::En) => "CRC checksum",
        _ => "",
    };
    let word = match lang {
        Lang::Vi => "trường",
        Lang::En => "tag",
    };
    if name.is_empty() {
        format!("{word} {tag}")
    } else {
        format!("{word} {tag} ({name})")
    }
}

fn tag_message(tag: &str, problem: &TagProblem, lang: Lang) -> String {
    let label = tag_label(tag, lang);
    match (problem, lang) {
        (TagProblem::Missing, Lang::Vi) => format!(
            "Mã QR thiếu {label}, là trường bắt buộc. Mã không đầy đủ hoặc bị cắt; \
             hãy quét lại mã gốc hoặc tạo lại mã."
        ),
        (TagProblem::Missing, Lang::En) => format!(
            "the QR payload lacks {label}, which is mandatory; the code is incomplete or cut, \
             scan the original again or create the code again"
        ),
        (TagProblem::Duplicate, Lang::Vi) => format!(
            "{} xuất hiện hơn một lần, trong khi mỗi trường chỉ được có một lần. \
             Mã không hợp lệ; hãy tạo lại mã.",
            capitalise(&label)
        ),
        (TagProblem::Duplicate, Lang::En) => format!(
            "{label} occurs more than once, but each tag may occur only once; \
             the code is invalid, create it again"
        ),
        (TagProblem::NotFirst, Lang::Vi) => format!(
            "{} phải đứng đầu mã QR. Mã không đúng định dạng; hãy tạo lại mã.",
            capitalise(&label)
        ),
        (TagProblem::NotFirst, Lang::En) => {
            format!("{label} must open the QR payload; the code is malformed, create it again")
        }
        (TagProblem::NotLast, Lang::Vi) => format!(
            "{} phải nằm cuối mã QR; dữ liệu phía sau không được mã kiểm tra bảo vệ. \
             Hãy tạo lại mã.",
            capitalise(&label)
        ),
        (TagProblem::NotLast, Lang::En) => format!(
            "{label} must close the QR payload, as data after it is not protected by the \
             checksum; create the code again"
        ),
        (TagProblem::BadTagId { position }, Lang::Vi) => format!(
            "Số hiệu của {label} ở vị trí {} không phải là 2 chữ số. Mã không đúng định dạng \
             VietQR; hãy quét lại mã gốc.",
            position + 1
        ),
        (TagProblem::BadTagId { position }, Lang::En) => format!(
            "the number of {label} at character {} is not 2 digits; the code is not valid \
             VietQR, scan the original again",
            position + 1
        ),
        (TagProblem::BadLength { position, found }, Lang::Vi) => format!(
            "Độ dài của {label} ở vị trí {} là \"{found}\", trong khi phải là 2 chữ số từ 01 \
             đến 99. Mã không đúng định dạng; hãy quét lại mã gốc.",
            position + 1
        ),
        (TagProblem::BadLength { position, found }, Lang::En) => format!(
            "the length of {label} at character {} is \"{found}\" but must be 2 digits from 01 \
             to 99; the code is malformed, scan the original again",
            position + 1
        ),
        (
            TagProblem::Truncated {
                position,
                needed,
                available,
            },
            Lang::Vi,
        ) => format!(
            "{} bị cắt cụt ở vị trí {}: cần {needed} ký tự nhưng chỉ còn {available}. \
             Hãy quét lại mã gốc hoặc dán đầy đủ nội dung.",
            capitalise(&label),
            position + 1
        ),
        (
            TagProblem::Truncated {
                position,
                needed,
                available,
            },
            Lang::En,
        ) => format!(
            "{label} is cut short at character {}: it needs {needed} characters but only \
             {available} remain; scan the original again or paste its full content",
            position + 1
        ),
        (TagProblem::Invalid { found, expected }, Lang::Vi) => format!(
            "{} có giá trị \"{found}\" không hợp lệ: {}. Hãy kiểm tra lại mã hoặc tạo lại mã.",
            capitalise(&label),
            expected.describe(lang)
        ),
        (TagProblem::Invalid { found, expected }, Lang::En) => format!(
            "{label} has the invalid value \"{found}\": {}; check the code or create it again",
            expected.describe(lang)
        ),
    }
}

/// Upper-cases the first letter (labels start with "trường"/"tag").
fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn tag_error(tag: impl Into<String>, problem: TagProblem) -> VietQrError {
    VietQrError::Tag {
        tag: tag.into(),
        problem,
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_bank_bin(s: &str) -> bool {
    s.len() == 6 && is_digits(s)
}

fn is_account(s: &str) -> bool {
    (1..=ACCOUNT_MAX_CHARS).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_purpose(s: &str) -> bool {
    s.len() <= PURPOSE_MAX_CHARS && s.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
}

/// The transfer note a purpose becomes in the QR: marks stripped ("Ủng hộ" → "Ung ho"),
/// whitespace runs turned into one space, anything else that is not printable ASCII
/// dropped (bank apps show only ASCII reliably), trimmed, and cut to 25 characters.
/// Shown to the officer before the QR is printed, so it is public.
pub fn purpose_text(purpose: &str) -> String {
    let stripped = text::strip_marks(purpose);
    let mut out = String::with_capacity(PURPOSE_MAX_CHARS);
    let mut pending_space = false;
    for c in stripped.chars() {
        if c.is_whitespace() {
            // Tabs and line breaks separate words as a space does; only one is kept.
            pending_space = true;
        } else if c.is_ascii_graphic() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
        if out.len() >= PURPOSE_MAX_CHARS {
            break;
        }
    }
    // Only ASCII was pushed, so cutting by bytes cannot split a character; a space
    // can be left at the cut, hence the trim.
    let cut: String = out.chars().take(PURPOSE_MAX_CHARS).collect();
    cut.trim_end().to_owned()
}

/// Appends one TLV field. Every value passed here is ASCII and under 100 characters
/// (checked or constructed by [`build`]), so its length fits the 2-digit field.
fn push_tlv(out: &mut String, tag: &str, value: &str) {
    out.push_str(tag);
    out.push_str(&format!("{:02}", value.len()));
    out.push_str(value);
}

/// Builds the VietQR payload for a transfer to `req`'s account.
///
/// The purpose goes through [`purpose_text`]; an empty result leaves tag 62 out.
pub fn build(req: &VietQrRequest) -> Result<String, VietQrError> {
    if !is_bank_bin(&req.bank_bin) {
        return Err(VietQrError::InvalidBankBin {
            found: req.bank_bin.clone(),
        });
    }
    if !is_account(&req.account) {
        return Err(VietQrError::InvalidAccount {
            found: req.account.clone(),
        });
    }
    if let Some(amount) = req.amount
        && !(1..=AMOUNT_MAX).contains(&amount)
    {
        return Err(VietQrError::InvalidAmount { amount });
    }
    let purpose = req
        .purpose
        .as_deref()
        .map(purpose_text)
        .filter(|p| !p.is_empty());

    let mut beneficiary = String::new();
    push_tlv(&mut beneficiary, "00", &req.bank_bin);
    push_tlv(&mut beneficiary, "01", &req.account);
    let mut merchant = String::new();
    push_tlv(&mut merchant, "00", VIETQR_AID);
    push_tlv(&mut merchant, "01", &beneficiary);
    push_tlv(&mut merchant, "02", SERVICE_ACCOUNT);

    let mut out = String::with_capacity(160);
    push_tlv(&mut out, "00", "01");
    push_tlv(
        &mut out,
        "01",
        if req.amount.is_some() { "12" } else { "11" },
    );
    push_tlv(&mut out, "38", &merchant);
    push_tlv(&mut out, "53", CURRENCY_VND);
    if let Some(amount) = req.amount {
        push_tlv(&mut out, "54", &amount.to_string());
    }
    push_tlv(&mut out, "58", COUNTRY_VN);
    if let Some(purpose) = &purpose {
        let mut additional = String::new();
        push_tlv(&mut additional, "08", purpose);
        push_tlv(&mut out, "62", &additional);
    }
    out.push_str(CRC_HEADER);
    let crc = crc16(&out);
    out.push_str(&crc);
    Ok(out)
}

/// One TLV field of a list: its tag number, value, and where its tag starts in the
/// payload.
#[derive(Debug, Clone, Copy)]
struct Field<'a> {
    id: &'a str,
    value: &'a str,
    at: usize,
}

/// The path of tag `id` inside the list at `parent` ("" for the payload itself).
fn join(parent: &str, id: &str) -> String {
    if parent.is_empty() {
        id.to_owned()
    } else {
        format!("{parent}.{id}")
    }
}

/// Two ASCII digits as a number.
fn two_digits(s: &str) -> Option<usize> {
    match s.as_bytes() {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some(usize::from(a - b'0') * 10 + usize::from(b - b'0'))
        }
        _ => None,
    }
}

/// Splits `s`, the content of the list at `parent`, into fields. `base` is the offset
/// of `s` in the payload, so positions in errors point into the whole payload. Every
/// slice goes through `get`, which returns `None` rather than panicking at a bad index.
fn tlv_list<'a>(s: &'a str, base: usize, parent: &str) -> Result<Vec<Field<'a>>, VietQrError> {
    let mut fields: Vec<Field<'a>> = Vec::new();
    let mut pos = 0;
    while pos < s.len() {
        let available = s.len() - pos;
        let Some(id) = s.get(pos..pos + 2) else {
            // Not even a tag number left: the list's own length is wrong, so name the
            // list (or, at the top, the stray characters).
            let tag = if parent.is_empty() {
                s.get(pos..).unwrap_or_default().to_owned()
            } else {
                parent.to_owned()
            };
            return Err(tag_error(
                tag,
                TagProblem::Truncated {
                    position: base + pos,
                    needed: 4,
                    available,
                },
            ));
        };
        let tag = join(parent, id);
        if two_digits(id).is_none() {
            return Err(tag_error(
                tag,
                TagProblem::BadTagId {
                    position: base + pos,
                },
            ));
        }
        let Some(len_text) = s.get(pos + 2..pos + 4) else {
            return Err(tag_error(
                tag,
                TagProblem::Truncated {
                    position: base + pos + 2,
                    needed: 2,
                    available: available - 2,
                },
            ));
        };
        let len = match two_digits(len_text) {
            Some(n) if n > 0 => n,
            _ => {
                return Err(tag_error(
                    tag,
                    TagProblem::BadLength {
                        position: base + pos + 2,
                        found: len_text.to_owned(),
                    },
                ));
            }
        };
        let start = pos + 4;
        let Some(value) = s.get(start..start + len) else {
            return Err(tag_error(
                tag,
                TagProblem::Truncated {
                    position: base + start,
                    needed: len,
                    available: s.len() - start,
                },
            ));
        };
        if fields.iter().any(|f| f.id == id) {
            return Err(tag_error(tag, TagProblem::Duplicate));
        }
        fields.push(Field {
            id,
            value,
            at: base + pos,
        });
        pos = start + len;
    }
    Ok(fields)
}

fn find<'a>(fields: &[Field<'a>], id: &str) -> Option<Field<'a>> {
    fields.iter().find(|f| f.id == id).copied()
}

fn require<'a>(fields: &[Field<'a>], parent: &str, id: &str) -> Result<Field<'a>, VietQrError> {
    find(fields, id).ok_or_else(|| tag_error(join(parent, id), TagProblem::Missing))
}

fn invalid(tag: &str, found: &str, expected: Expected) -> VietQrError {
    tag_error(
        tag,
        TagProblem::Invalid {
            found: found.to_owned(),
            expected,
        },
    )
}

/// Tag 54. EMVCo writes amounts as decimals ("120000.00" is legal); the đồng has no
/// minor unit, so a fraction is accepted only when it is zero.
fn parse_amount(value: &str) -> Option<u64> {
    if value.len() > AMOUNT_MAX_CHARS {
        return None;
    }
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if !is_digits(whole) || !fraction.bytes().all(|b| b == b'0') {
        return None;
    }
    // At most 13 digits, so it fits a u64.
    let amount: u64 = whole.parse().ok()?;
    (amount > 0).then_some(amount)
}

/// Reads a VietQR payload (surrounding whitespace ignored).
///
/// The checksum is verified before anything is interpreted, so a damaged scan is
/// reported as damaged rather than as whatever field the damage happened to hit. Tags
/// this module does not use (merchant name, bill number, …) are skipped, as EMVCo
/// requires of readers.
pub fn parse(payload: &str) -> Result<VietQr, VietQrError> {
    let s = payload.trim();
    if s.is_empty() {
        return Err(VietQrError::Empty);
    }
    if let Some((position, found)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
        return Err(VietQrError::NotAscii { position, found });
    }

    // The checksum is always the last 8 characters, `6304` + 4 hex digits, covering
    // everything before the digits. Fixing its place (instead of finding it by walking
    // the TLV) means any single changed character is caught by the CRC itself.
    let n = s.len();
    let (covered, found) = n
        .checked_sub(4)
        .and_then(|cut| s.split_at_checked(cut))
        .filter(|(covered, _)| covered.ends_with(CRC_HEADER))
        .ok_or_else(|| tag_error("63", TagProblem::Missing))?;
    let expected = crc16(covered);
    if found != expected {
        return Err(VietQrError::CrcMismatch {
            expected,
            found: found.to_owned(),
        });
    }

    let fields = tlv_list(s, 0, "")?;
    match fields.last() {
        Some(last) if last.id == "63" && last.at + 8 == n => {}
        Some(last) if last.id == "63" => {
            // The `6304` at the end sits inside a longer tag 63.
            return Err(tag_error(
                "63",
                TagProblem::BadLength {
                    position: last.at + 2,
                    found: s
                        .get(last.at + 2..last.at + 4)
                        .unwrap_or_default()
                        .to_owned(),
                },
            ));
        }
        _ if find(&fields, "63").is_some() => return Err(tag_error("63", TagProblem::NotLast)),
        _ => return Err(tag_error("63", TagProblem::Missing)),
    }

    let format = require(&fields, "", "00")?;
    if format.value != "01" {
        return Err(invalid("00", format.value, Expected::Exactly("01")));
    }
    if fields.first().map(|f| f.id) != Some("00") {
        return Err(tag_error("00", TagProblem::NotFirst));
    }
    // EMVCo makes tag 01 optional; without it the code is treated as static.
    let dynamic = match find(&fields, "01") {
        None => false,
        Some(f) => match f.value {
            "11" => false,
            "12" => true,
            other => return Err(invalid("01", other, Expected::OneOf(POINT_OF_INITIATION))),
        },
    };

    let account_info = require(&fields, "", "38")?;
    let merchant = tlv_list(account_info.value, account_info.at + 4, "38")?;
    let aid = require(&merchant, "38", "00")?;
    if aid.value != VIETQR_AID {
        return Err(VietQrError::NotVietQr {
            tag: "38.00".to_owned(),
            found: aid.value.to_owned(),
        });
    }
    let beneficiary_field = require(&merchant, "38", "01")?;
    let beneficiary = tlv_list(beneficiary_field.value, beneficiary_field.at + 4, "38.01")?;
    let bank_bin = require(&beneficiary, "38.01", "00")?.value;
    if !is_bank_bin(bank_bin) {
        return Err(invalid("38.01.00", bank_bin, Expected::BankBin));
    }
    let account = require(&beneficiary, "38.01", "01")?.value;
    if !is_account(account) {
        return Err(invalid("38.01.01", account, Expected::Account));
    }
    let service = require(&merchant, "38", "02")?.value;
    if !SERVICES.contains(&service) {
        return Err(invalid("38.02", service, Expected::OneOf(SERVICES)));
    }

    let currency = require(&fields, "", "53")?.value;
    if !(currency.len() == 3 && is_digits(currency)) {
        return Err(invalid("53", currency, Expected::Currency));
    }
    let amount = match find(&fields, "54") {
        None => None,
        Some(f) => {
            Some(parse_amount(f.value).ok_or_else(|| invalid("54", f.value, Expected::Amount))?)
        }
    };
    let country = require(&fields, "", "58")?.value;
    if !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase())) {
        return Err(invalid("58", country, Expected::Country));
    }
    let purpose = match find(&fields, "62") {
        None => None,
        Some(additional) => {
            let data = tlv_list(additional.value, additional.at + 4, "62")?;
            match find(&data, "08") {
                None => None,
                Some(f) if is_purpose(f.value) => Some(f.value.to_owned()),
                Some(f) => return Err(invalid("62.08", f.value, Expected::Purpose)),
            }
        }
    };

    Ok(VietQr {
        bank_bin: bank_bin.to_owned(),
        account: account.to_owned(),
        service: service.to_owned(),
        amount,
        purpose,
        dynamic,
        currency: currency.to_owned(),
        country: country.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// docs/domain.md's first vector, verbatim. Its tag 38.01.01 declares length 12 for a
    /// 13-digit account, so it is not well-formed (see `domain_static_vector_is_malformed`).
    const DOMAIN_STATIC: &str = "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5";
    /// What the first vector's request (BIN 970403, account 0011012345678, no amount,
    /// no purpose) really encodes to: length 13 and the checksum that goes with it.
    const STATIC: &str = "00020101021138570010A00000072701270006970403011300110123456780208QRIBFTTA53037045802VN63049E6F";
    /// docs/domain.md's second vector, verbatim.
    const DYNAMIC: &str = "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C";

    fn request(
        bin: &str,
        account: &str,
        amount: Option<u64>,
        purpose: Option<&str>,
    ) -> VietQrRequest {
        VietQrRequest {
            bank_bin: bin.to_owned(),
            account: account.to_owned(),
            amount,
            purpose: purpose.map(str::to_owned),
        }
    }

    /// A payload body with its checksum, for hand-made (often broken) payloads.
    fn with_crc(body: &str) -> String {
        let covered = format!("{body}{CRC_HEADER}");
        let crc = crc16(&covered);
        format!("{covered}{crc}")
    }

    fn tlv(tag: &str, value: &str) -> String {
        let mut s = String::new();
        push_tlv(&mut s, tag, value);
        s
    }

    /// The body of a valid payload from its parts (tag 38 content, rest after 38).
    fn body_with(account_info: &str, rest: &str) -> String {
        format!("000201010212{}{rest}", tlv("38", account_info))
    }

    fn standard_account_info() -> String {
        let beneficiary = format!("{}{}", tlv("00", "970415"), tlv("01", "113366668888"));
        format!(
            "{}{}{}",
            tlv("00", VIETQR_AID),
            tlv("01", &beneficiary),
            tlv("02", SERVICE_ACCOUNT)
        )
    }

    fn tag_problem(result: Result<VietQr, VietQrError>) -> (String, TagProblem) {
        match result {
            Err(VietQrError::Tag { tag, problem }) => (tag, problem),
            other => panic!("expected a tag error, got {other:?}"),
        }
    }

    #[test]
    fn crc_matches_the_ccitt_false_check_value() {
        // The catalogue check value of CRC-16/CCITT-FALSE.
        assert_eq!(crc16("123456789"), "29B1");
        assert_eq!(crc16(""), "FFFF");
    }

    #[test]
    fn domain_vectors_carry_valid_checksums() {
        for v in [DOMAIN_STATIC, DYNAMIC] {
            let (covered, found) = v.split_at(v.len() - 4);
            assert_eq!(crc16(covered), found);
        }
    }

    #[test]
    fn builds_the_static_vector() {
        let built = build(&request("970403", "0011012345678", None, None)).unwrap();
        assert_eq!(built, STATIC);
        // Identical to docs/domain.md's vector except for the length of 38.01.01 and the CRC.
        assert_eq!(built.len(), DOMAIN_STATIC.len());
        let differing: Vec<usize> = built
            .bytes()
            .zip(DOMAIN_STATIC.bytes())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(differing[0], 47, "the length digits of 38.01.01");
        assert!(differing[1..].iter().all(|&i| i >= built.len() - 4));
    }

    #[test]
    fn domain_static_vector_is_malformed() {
        // 38.01 holds 27 characters: 0006970403 + 0112 + 0011012345678. Tag 01 claims
        // 12, leaving a stray "8" where the next tag number should be.
        let (tag, problem) = tag_problem(parse(DOMAIN_STATIC));
        assert_eq!(tag, "38.01");
        assert_eq!(
            problem,
            TagProblem::Truncated {
                position: 60,
                needed: 4,
                available: 1
            }
        );
    }

    #[test]
    fn builds_the_dynamic_vector() {
        let req = request(
            "970415",
            "0011001932418",
            Some(120_000),
            Some("ung ho lu lut"),
        );
        assert_eq!(build(&req).unwrap(), DYNAMIC);
    }

    #[test]
    fn parses_both_vectors_back() {
        assert_eq!(
            parse(STATIC).unwrap(),
            VietQr {
                bank_bin: "970403".into(),
                account: "0011012345678".into(),
                service: "QRIBFTTA".into(),
                amount: None,
                purpose: None,
                dynamic: false,
                currency: "704".into(),
                country: "VN".into(),
            }
        );
        assert_eq!(
            parse(DYNAMIC).unwrap(),
            VietQr {
                bank_bin: "970415".into(),
                account: "0011001932418".into(),
                service: "QRIBFTTA".into(),
                amount: Some(120_000),
                purpose: Some("ung ho lu lut".into()),
                dynamic: true,
                currency: "704".into(),
                country: "VN".into(),
            }
        );
    }

    #[test]
    fn vietnamese_purpose_is_folded() {
        let req = request(
            "970415",
            "0011001932418",
            Some(120_000),
            Some("Ủng hộ lũ lụt"),
        );
        let qr = parse(&build(&req).unwrap()).unwrap();
        assert_eq!(qr.purpose.as_deref(), Some("Ung ho lu lut"));
        assert_eq!(
            purpose_text("  HS\t250115 \n Đặng  Văn Ơn € "),
            "HS 250115 Dang Van On"
        );
    }

    #[test]
    fn long_purpose_is_cut_to_25() {
        let long = "Nộp phí chứng thực bản sao hồ sơ 000.00.27.H07-250115-0001";
        let text = purpose_text(long);
        assert_eq!(text, "Nop phi chung thuc ban sa");
        assert_eq!(text.len(), 25);
        // A space at the cut is trimmed rather than sent.
        assert_eq!(
            purpose_text("aaaaaaaaaaaaaaaaaaaaaaaa bbb"),
            "aaaaaaaaaaaaaaaaaaaaaaaa"
        );
        let qr =
            parse(&build(&request("970415", "123", Some(5_000), Some(long))).unwrap()).unwrap();
        assert_eq!(qr.purpose.as_deref(), Some("Nop phi chung thuc ban sa"));
    }

    #[test]
    fn empty_purpose_leaves_tag_62_out() {
        for purpose in ["", "   ", "€€ ✓"] {
            let built = build(&request("970403", "0011012345678", None, Some(purpose))).unwrap();
            assert_eq!(built, STATIC, "purpose {purpose:?}");
        }
    }

    #[test]
    fn build_rejects_bad_requests() {
        let bad = [
            (request("97040", "1", None, None), "vietqr_invalid_bank_bin"),
            (
                request("97040a", "1", None, None),
                "vietqr_invalid_bank_bin",
            ),
            (
                request("９７０４０３", "1", None, None),
                "vietqr_invalid_bank_bin",
            ),
            (request("970403", "", None, None), "vietqr_invalid_account"),
            (
                request("970403", "12345678901234567890", None, None),
                "vietqr_invalid_account",
            ),
            (
                request("970403", "0011 0123", None, None),
                "vietqr_invalid_account",
            ),
            (
                request("970403", "Đ123", None, None),
                "vietqr_invalid_account",
            ),
            (
                request("970403", "1", Some(0), None),
                "vietqr_invalid_amount",
            ),
            (
                request("970403", "1", Some(10_000_000_000_000), None),
                "vietqr_invalid_amount",
            ),
        ];
        for (req, code) in bad {
            let err = build(&req).unwrap_err();
            assert_eq!(err.code(), code, "{req:?}");
            assert_eq!(err.tag(), None);
        }
        assert!(
            build(&request(
                "970403",
                "1234567890123456789",
                Some(9_999_999_999_999),
                None
            ))
            .is_ok()
        );
        assert!(build(&request("970403", "VCB12ab", Some(1), None)).is_ok());
    }

    #[test]
    fn messages_are_bilingual() {
        let err = build(&request("970403", "1", Some(0), None)).unwrap_err();
        assert_eq!(err.message(Lang::En), err.to_string());
        assert!(err.message(Lang::Vi).contains("Số tiền 0 đ không hợp lệ"));
        let err = parse(DOMAIN_STATIC).unwrap_err();
        let vi = err.message(Lang::Vi);
        assert!(
            vi.starts_with("Trường 38.01 (thông tin người nhận) bị cắt cụt ở vị trí 61"),
            "{vi}"
        );
        assert!(
            err.to_string()
                .starts_with("tag 38.01 (beneficiary) is cut short at character 61"),
            "{err}"
        );
    }

    #[test]
    fn whitespace_around_the_payload_is_ignored() {
        assert_eq!(
            parse(&format!("  {DYNAMIC}\r\n")).unwrap(),
            parse(DYNAMIC).unwrap()
        );
    }

    #[test]
    fn unknown_tags_are_skipped() {
        let beneficiary = format!("{}{}", tlv("00", "970415"), tlv("01", "113366668888"));
        let account_info = format!(
            "{}{}{}{}",
            tlv("00", VIETQR_AID),
            tlv("01", &beneficiary),
            tlv("02", SERVICE_CARD),
            tlv("07", "extra"),
        );
        let rest = format!(
            "{}{}{}{}{}{}",
            tlv("53", "704"),
            tlv("54", "50000.00"),
            tlv("58", "VN"),
            tlv("59", "UBND PHUONG BEN NGHE"),
            tlv(
                "62",
                &format!("{}{}", tlv("01", "HD001"), tlv("08", "HS 250115-0001"))
            ),
            tlv("99", "future"),
        );
        let qr = parse(&with_crc(&body_with(&account_info, &rest))).unwrap();
        assert_eq!(qr.service, SERVICE_CARD);
        assert_eq!(qr.amount, Some(50_000));
        assert_eq!(qr.purpose.as_deref(), Some("HS 250115-0001"));
        assert_eq!(qr.account, "113366668888");
    }

    #[test]
    fn whole_payload_errors() {
        assert_eq!(parse(" \t\n").unwrap_err(), VietQrError::Empty);
        let err = parse(&DYNAMIC.replace("ung ho", "ủng hộ")).unwrap_err();
        assert_eq!(
            err,
            VietQrError::NotAscii {
                position: 104,
                found: 'ủ'
            }
        );
        assert_eq!(err.code(), "vietqr_not_ascii");
        assert!(err.message(Lang::Vi).contains("vị trí 105"));
    }

    #[test]
    fn crc_errors_name_tag_63() {
        let lower = format!("{}{}", &STATIC[..STATIC.len() - 4], "9e6f");
        let err = parse(&lower).unwrap_err();
        assert_eq!(
            err,
            VietQrError::CrcMismatch {
                expected: "9E6F".into(),
                found: "9e6f".into()
            }
        );
        assert_eq!(err.tag(), Some("63"));
        assert_eq!(err.code(), "vietqr_crc_mismatch");
        assert!(err.to_string().contains("9E6F") && err.to_string().contains("9e6f"));

        let cut = &DYNAMIC[..DYNAMIC.len() - 10];
        assert_eq!(tag_problem(parse(cut)), ("63".into(), TagProblem::Missing));
        assert_eq!(
            tag_problem(parse("6304")),
            ("63".into(), TagProblem::Missing)
        );
    }

    /// Tag 38's content around a given 38.01 content.
    fn info_from(beneficiary: &str) -> String {
        format!(
            "{}{}{}",
            tlv("00", VIETQR_AID),
            tlv("01", beneficiary),
            tlv("02", SERVICE_ACCOUNT)
        )
    }

    #[test]
    fn every_structure_error_names_its_tag() {
        let info = standard_account_info();
        let rest = "5303704540450005802VN";
        let valid = body_with(&info, rest);
        assert!(parse(&with_crc(&valid)).is_ok());
        // Everything after "000201010212" (tags 00 and 01).
        let after_01 = &valid[12..];
        let cases: Vec<(String, &str, &str)> = vec![
            // A real tag 63 followed by a tag 62 that swallows the final "6304…".
            (
                format!("{valid}{}62120804", tlv("63", "ABCD")),
                "63",
                "vietqr_tag_not_last",
            ),
            (format!("{valid}62120804"), "63", "vietqr_missing_tag"),
            (format!("{valid}6308"), "63", "vietqr_bad_length"),
            (format!("{valid}5A01x"), "5A", "vietqr_bad_tag_id"),
            (format!("{valid}59x1abc"), "59", "vietqr_bad_length"),
            (format!("{valid}5900"), "59", "vietqr_bad_length"),
            (format!("{valid}5302704"), "53", "vietqr_duplicate_tag"),
            (format!("010212{after_01}"), "00", "vietqr_missing_tag"),
            (
                format!("000202010212{after_01}"),
                "00",
                "vietqr_invalid_value",
            ),
            (
                format!("010212000201{after_01}"),
                "00",
                "vietqr_tag_not_first",
            ),
            (
                format!("000201010213{after_01}"),
                "01",
                "vietqr_invalid_value",
            ),
            (format!("000201010212{rest}"), "38", "vietqr_missing_tag"),
            (
                body_with(&tlv("00", VIETQR_AID), rest),
                "38.01",
                "vietqr_missing_tag",
            ),
            (
                body_with(&info.replace("0208QRIBFTTA", ""), rest),
                "38.02",
                "vietqr_missing_tag",
            ),
            (
                body_with(&info.replace("QRIBFTTA", "QRPUSHXX"), rest),
                "38.02",
                "vietqr_invalid_value",
            ),
            (
                body_with(&info.replace("0208QRIBFTTA", "0209QRIBFTTA"), rest),
                "38.02",
                "vietqr_truncated",
            ),
            (
                body_with(&info.replace("0010A000000727", ""), rest),
                "38.00",
                "vietqr_missing_tag",
            ),
            (
                body_with(&info.replace("0006970415", "0006970A15"), rest),
                "38.01.00",
                "vietqr_invalid_value",
            ),
            (
                body_with(&info.replace("0006970415", "0106970415"), rest),
                "38.01.01",
                "vietqr_duplicate_tag",
            ),
            (
                body_with(&info.replace("0112113366668888", "01121133-6668888"), rest),
                "38.01.01",
                "vietqr_invalid_value",
            ),
            (
                body_with(&info_from(&tlv("01", "123")), rest),
                "38.01.00",
                "vietqr_missing_tag",
            ),
            (
                body_with(&info_from(&tlv("00", "970415")), rest),
                "38.01.01",
                "vietqr_missing_tag",
            ),
            (
                body_with(&info_from("000697041501"), rest),
                "38.01.01",
                "vietqr_truncated",
            ),
            (
                body_with(&info_from("00069704150"), rest),
                "38.01",
                "vietqr_truncated",
            ),
            (body_with(&info, "5802VN"), "53", "vietqr_missing_tag"),
            (
                body_with(&info, "5303VND5802VN"),
                "53",
                "vietqr_invalid_value",
            ),
            (
                body_with(&info, "53037045402-15802VN"),
                "54",
                "vietqr_invalid_value",
            ),
            (
                body_with(&info, "5303704540405.55802VN"),
                "54",
                "vietqr_invalid_value",
            ),
            (
                body_with(&info, "5303704540105802VN"),
                "54",
                "vietqr_invalid_value",
            ),
            (
                body_with(&info, "530370454045000"),
                "58",
                "vietqr_missing_tag",
            ),
            (
                body_with(&info, "53037045802vn"),
                "58",
                "vietqr_invalid_value",
            ),
            (
                format!("{valid}{}", tlv("62", &tlv("08", &"x".repeat(26)))),
                "62.08",
                "vietqr_invalid_value",
            ),
            (
                format!("{valid}{}", tlv("62", "0805ab")),
                "62.08",
                "vietqr_truncated",
            ),
            (
                format!("{valid}{}", tlv("62", "08")),
                "62.08",
                "vietqr_truncated",
            ),
            (
                format!("{valid}{}", tlv("62", "0")),
                "62",
                "vietqr_truncated",
            ),
        ];
        for (body, tag, code) in cases {
            let payload = with_crc(&body);
            let err = parse(&payload).unwrap_err();
            assert_eq!(err.tag(), Some(tag), "{payload}: {err:?}");
            assert_eq!(err.code(), code, "{payload}: {err:?}");
            assert!(err.to_string().contains(&format!("tag {tag}")), "{err}");
            let vi = err.message(Lang::Vi);
            assert!(vi.contains(&format!("rường {tag}")), "{vi}");
        }

        // A stray character at the very end of the top-level list: "9907" swallows
        // "6304" and 3 CRC digits, and the last CRC digit is left over.
        let payload = with_crc(&format!("{valid}9907"));
        let last = &payload[payload.len() - 1..];
        let (tag, problem) = tag_problem(parse(&payload));
        assert_eq!(tag, last);
        assert_eq!(
            problem,
            TagProblem::Truncated {
                position: payload.len() - 1,
                needed: 4,
                available: 1
            }
        );
    }

    #[test]
    fn foreign_aid_is_not_a_vietqr() {
        let info = standard_account_info().replace(VIETQR_AID, "A000000775");
        let err = parse(&with_crc(&body_with(&info, "5303704"))).unwrap_err();
        assert_eq!(
            err,
            VietQrError::NotVietQr {
                tag: "38.00".into(),
                found: "A000000775".into()
            }
        );
        assert_eq!(err.tag(), Some("38.00"));
        assert_eq!(err.code(), "vietqr_not_vietqr");
    }

    #[test]
    fn codes_are_snake_case() {
        let errors = [
            VietQrError::Empty,
            VietQrError::NotAscii {
                position: 0,
                found: 'ư',
            },
            tag_error("38", TagProblem::NotFirst),
            tag_error("38", TagProblem::BadTagId { position: 3 }),
        ];
        for err in errors {
            let code = err.code();
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
            assert!(!err.message(Lang::Vi).is_empty());
            assert_ne!(err.message(Lang::Vi), err.message(Lang::En));
        }
    }

    fn valid_request() -> impl Strategy<Value = VietQrRequest> {
        (
            "[0-9]{6}",
            "[0-9A-Za-z]{1,19}",
            proptest::option::of(1..=AMOUNT_MAX),
            proptest::option::of(prop_oneof![
                "\\PC{0,40}",
                "[a-zA-Z0-9 àáảãạăằắêếềệôốồơớờưứừđĐ.,:/-]{0,40}"
            ]),
        )
            .prop_map(|(bank_bin, account, amount, purpose)| VietQrRequest {
                bank_bin,
                account,
                amount,
                purpose,
            })
    }

    /// One TLV field with a random tag and value; its length is mostly honest,
    /// sometimes off by one either way.
    fn tlv_leaf() -> impl Strategy<Value = String> {
        ("[0-9]{2}", "[0-9A-Z .]{0,12}", 0usize..3).prop_map(|(tag, value, skew)| {
            let len = (value.len() + skew).saturating_sub(1).min(99);
            format!("{tag}{len:02}{value}")
        })
    }

    /// Strings shaped like TLV (digit pairs, plausible tags, nested lists), with a
    /// correct checksum half of the time so the structure parser is reached.
    fn tlv_like() -> impl Strategy<Value = String> {
        let noise = "[0-9A-Z]{0,6}";
        let chunk = prop_oneof![
            4 => tlv_leaf(),
            1 => noise,
            2 => (
                prop_oneof![Just("38".to_owned()), Just("62".to_owned()), "[0-9]{2}"],
                proptest::collection::vec(tlv_leaf(), 0..4),
            )
                .prop_map(|(tag, inner)| {
                    let inner: String = inner.concat().chars().take(99).collect();
                    tlv(&tag, &inner)
                }),
        ];
        (proptest::collection::vec(chunk, 0..12), any::<bool>()).prop_map(|(chunks, fix_crc)| {
            let body = chunks.concat();
            if fix_crc { with_crc(&body) } else { body }
        })
    }

    /// Payloads with the VietQR skeleton and a correct checksum, where each field is
    /// either right or replaced by random TLV, so errors deep in 38 and 62 are reached.
    fn vietqr_like() -> impl Strategy<Value = String> {
        let leaf = tlv_leaf;
        let either = |good: String| prop_oneof![3 => Just(good), 1 => tlv_leaf()];
        let beneficiary = (
            either(tlv("00", "970415")),
            prop_oneof!["[0-9]{1,20}", "[0-9A-Za-z-]{0,8}"].prop_map(|a| tlv("01", &a)),
            leaf(),
            any::<bool>(),
        )
            .prop_map(|(bin, account, extra, with_extra)| {
                let extra = if with_extra { extra } else { String::new() };
                format!("{bin}{account}{extra}")
            });
        let account_info = (
            either(tlv("00", VIETQR_AID)),
            beneficiary.prop_map(|b| tlv("01", &b)),
            either(tlv("02", SERVICE_ACCOUNT)),
        )
            .prop_map(|(aid, bene, service)| tlv("38", &format!("{aid}{bene}{service}")));
        (
            either("000201".to_owned()),
            either("010212".to_owned()),
            account_info,
            either("5303704".to_owned()),
            proptest::option::of("[0-9.]{1,15}".prop_map(|a| tlv("54", &a))),
            either("5802VN".to_owned()),
            proptest::option::of(
                proptest::collection::vec(leaf(), 0..3).prop_map(|l| tlv("62", &l.concat())),
            ),
        )
            .prop_map(|(f00, f01, f38, f53, f54, f58, f62)| {
                let body = [
                    f00,
                    f01,
                    f38,
                    f53,
                    f54.unwrap_or_default(),
                    f58,
                    f62.unwrap_or_default(),
                ]
                .concat();
                with_crc(&body)
            })
    }

    proptest! {
        #[test]
        fn build_then_parse_round_trips(req in valid_request()) {
            let payload = build(&req).unwrap();
            let qr = parse(&payload).unwrap();
            let purpose = req.purpose.as_deref().map(purpose_text).filter(|p| !p.is_empty());
            prop_assert_eq!(&qr.bank_bin, &req.bank_bin);
            prop_assert_eq!(&qr.account, &req.account);
            prop_assert_eq!(qr.amount, req.amount);
            prop_assert_eq!(qr.dynamic, req.amount.is_some());
            prop_assert_eq!(&qr.purpose, &purpose);
            prop_assert_eq!(qr.service.as_str(), SERVICE_ACCOUNT);
            prop_assert_eq!(qr.currency.as_str(), CURRENCY_VND);
            prop_assert_eq!(qr.country.as_str(), COUNTRY_VN);
            if let Some(p) = &purpose {
                prop_assert!(p.len() <= PURPOSE_MAX_CHARS && is_purpose(p));
                prop_assert_eq!(p.trim(), p.as_str());
            }
        }

        #[test]
        fn purpose_text_is_idempotent(s in "\\PC{0,60}") {
            let once = purpose_text(&s);
            prop_assert_eq!(purpose_text(&once), once.clone());
            prop_assert!(is_purpose(&once));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Every position, every other printable ASCII character: no single-character
        /// change of a valid payload is accepted.
        #[test]
        fn any_single_character_change_is_rejected(req in valid_request()) {
            let payload = build(&req).unwrap();
            let bytes = payload.as_bytes();
            for i in 0..bytes.len() {
                for replacement in b' '..=b'~' {
                    if replacement == bytes[i] {
                        continue;
                    }
                    let mut changed = bytes.to_vec();
                    changed[i] = replacement;
                    let changed = String::from_utf8(changed).unwrap();
                    prop_assert!(parse(&changed).is_err(), "accepted {:?}", changed);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn parse_never_panics_on_unicode(s in "\\PC{0,200}") {
            let _ = parse(&s);
        }

        #[test]
        fn parse_never_panics_on_any_string(s in any::<String>()) {
            let _ = parse(&s);
        }

        #[test]
        fn parse_never_panics_on_alphanumerics(s in "[0-9A-Z]{0,120}", fix in any::<bool>()) {
            let s = if fix { with_crc(&s) } else { s };
            let _ = parse(&s);
        }

        #[test]
        fn parse_never_panics_on_tlv_like_input(s in prop_oneof![tlv_like(), vietqr_like()]) {
            if let Err(err) = parse(&s) {
                // Every error past the whole-payload checks names a field.
                if !matches!(err, VietQrError::Empty | VietQrError::NotAscii { .. }) {
                    prop_assert!(err.tag().is_some_and(|t| !t.is_empty()), "{:?}", err);
                }
                prop_assert!(!err.message(Lang::Vi).is_empty());
            }
        }
    }
}
