//! Personal identity numbers: the 12-digit số định danh cá nhân printed on the CCCD,
//! the legacy 9-digit CMND, and the QR code on the chip-based CCCD that desk scanners
//! type into intake forms.
//!
//! The 12-digit number is `PPP G YY RRRRRR`: province of birth registration, a
//! century-and-gender digit, the last two digits of the birth year and six random
//! digits. There is no check digit, so the only checks possible are the structural
//! ones below and agreement with a date of birth and gender given alongside.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use thiserror::Error;

use super::text;
use super::{Lang, RuleError};

/// Gender as recorded on an identity card (the card knows only these two).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    /// The word printed on forms: "Nam"/"Nữ", or "Male"/"Female".
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Gender::Male, Lang::Vi) => "Nam",
            (Gender::Female, Lang::Vi) => "Nữ",
            (Gender::Male, Lang::En) => "Male",
            (Gender::Female, Lang::En) => "Female",
        }
    }
}

/// The 63 province codes of the first three digits (Circular 07/2016/TT-BCA, taken from
/// the administrative-unit codes of Decision 124/2004/QĐ-TTg), with the province names
/// of that time. Numbers keep their code after the 2025 mergers, so these names are
/// those of the province of birth registration, not necessarily of today's province.
/// Sorted by code so that lookups can binary-search.
pub const PROVINCES: &[(u16, &str)] = &[
    (1, "Hà Nội"),
    (2, "Hà Giang"),
    (4, "Cao Bằng"),
    (6, "Bắc Kạn"),
    (8, "Tuyên Quang"),
    (10, "Lào Cai"),
    (11, "Điện Biên"),
    (12, "Lai Châu"),
    (14, "Sơn La"),
    (15, "Yên Bái"),
    (17, "Hòa Bình"),
    (19, "Thái Nguyên"),
    (20, "Lạng Sơn"),
    (22, "Quảng Ninh"),
    (24, "Bắc Giang"),
    (25, "Phú Thọ"),
    (26, "Vĩnh Phúc"),
    (27, "Bắc Ninh"),
    (30, "Hải Dương"),
    (31, "Hải Phòng"),
    (33, "Hưng Yên"),
    (34, "Thái Bình"),
    (35, "Hà Nam"),
    (36, "Nam Định"),
    (37, "Ninh Bình"),
    (38, "Thanh Hóa"),
    (40, "Nghệ An"),
    (42, "Hà Tĩnh"),
    (44, "Quảng Bình"),
    (45, "Quảng Trị"),
    (46, "Thừa Thiên Huế"),
    (48, "Đà Nẵng"),
    (49, "Quảng Nam"),
    (51, "Quảng Ngãi"),
    (52, "Bình Định"),
    (54, "Phú Yên"),
    (56, "Khánh Hòa"),
    (58, "Ninh Thuận"),
    (60, "Bình Thuận"),
    (62, "Kon Tum"),
    (64, "Gia Lai"),
    (66, "Đắk Lắk"),
    (67, "Đắk Nông"),
    (68, "Lâm Đồng"),
    (70, "Bình Phước"),
    (72, "Tây Ninh"),
    (74, "Bình Dương"),
    (75, "Đồng Nai"),
    (77, "Bà Rịa - Vũng Tàu"),
    (79, "Thành phố Hồ Chí Minh"),
    (80, "Long An"),
    (82, "Tiền Giang"),
    (83, "Bến Tre"),
    (84, "Trà Vinh"),
    (86, "Vĩnh Long"),
    (87, "Đồng Tháp"),
    (89, "An Giang"),
    (91, "Kiên Giang"),
    (92, "Cần Thơ"),
    (93, "Hậu Giang"),
    (94, "Sóc Trăng"),
    (95, "Bạc Liêu"),
    (96, "Cà Mau"),
];

/// The province of a three-digit province code (83 → "Bến Tre"), or `None` for a code
/// that was never assigned.
pub fn province_name(code: u16) -> Option<&'static str> {
    PROVINCES
        .binary_search_by_key(&code, |&(c, _)| c)
        .ok()
        .map(|i| PROVINCES[i].1)
}

/// What the century-and-gender digit (the fourth) means: the first year of the century
/// and the gender, indexed by the digit. Digits 6–9 (2200s and later) are not in use.
const CENTURY_GENDER: &[(i32, Gender)] = &[
    (1900, Gender::Male),
    (1900, Gender::Female),
    (2000, Gender::Male),
    (2000, Gender::Female),
    (2100, Gender::Male),
    (2100, Gender::Female),
];

/// Length of the personal identity number.
const CCCD_LEN: usize = 12;
/// Length of the legacy CMND number.
const CMND_LEN: usize = 9;

/// A structurally valid 12-digit personal identity number (CCCD).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cccd {
    number: String,
    province: u16,
    gender: Gender,
    birth_year: i32,
}

impl Cccd {
    /// The 12 digits.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The province code of birth registration (first three digits).
    pub fn province(&self) -> u16 {
        self.province
    }

    /// The name of [`Cccd::province`] (always known: unknown codes do not parse).
    pub fn province_name(&self) -> &'static str {
        province_name(self.province).unwrap_or_default()
    }

    pub fn gender(&self) -> Gender {
        self.gender
    }

    /// The full birth year, from the century digit and the two year digits.
    pub fn birth_year(&self) -> i32 {
        self.birth_year
    }
}

impl fmt::Display for Cccd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.number)
    }
}

/// A legacy 9-digit CMND number, accepted only as a separate `legacy_id_number`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cmnd(String);

impl Cmnd {
    /// The 9 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cmnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why an identity number was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    #[error("the identity number must have exactly 12 digits, {got} characters were given")]
    Length { got: usize },
    #[error("the identity number may contain only digits, found {found:?} at position {position}")]
    NotDigits { found: char, position: usize },
    #[error("{code:03} is not a province code of an identity number")]
    Province { code: u16 },
    #[error("the fourth digit of an identity number must be 0 to 5, found {digit}")]
    CenturyGender { digit: u8 },
    #[error("the identity number gives birth year {year}, which is after {current}")]
    FutureYear { year: i32, current: i32 },
    #[error(
        "the identity number gives birth year {id_year}, but the date of birth is in {dob_year}"
    )]
    BirthYearMismatch { id_year: i32, dob_year: i32 },
    #[error(
        "the identity number is that of a {id_gender:?} person, but the gender given is {given:?}"
    )]
    GenderMismatch { id_gender: Gender, given: Gender },
    #[error("the legacy CMND number must have exactly 9 digits, {got} characters were given")]
    CmndLength { got: usize },
    #[error("the legacy CMND number may contain only digits, found {found:?}")]
    CmndNotDigits { found: char },
}

impl RuleError for IdError {
    fn code(&self) -> &'static str {
        match self {
            IdError::Length { .. } => "id_length",
            IdError::NotDigits { .. } => "id_not_digits",
            IdError::Province { .. } => "id_province",
            IdError::CenturyGender { .. } => "id_century_gender",
            IdError::FutureYear { .. } => "id_future_year",
            IdError::BirthYearMismatch { .. } => "id_birth_year_mismatch",
            IdError::GenderMismatch { .. } => "id_gender_mismatch",
            IdError::CmndLength { .. } | IdError::CmndNotDigits { .. } => "cmnd_invalid",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (IdError::Length { got }, Lang::Vi) => format!(
                "Số CCCD phải có đúng 12 chữ số (đã nhập {got} ký tự). \
                 Hãy kiểm tra lại số trên thẻ."
            ),
            (IdError::Length { got }, Lang::En) => format!(
                "The identity number must have exactly 12 digits ({got} characters were \
                 entered). Please check the number on the card."
            ),
            (IdError::NotDigits { found, position }, Lang::Vi) => format!(
                "Số CCCD chỉ gồm chữ số, nhưng ký tự thứ {position} là «{found}». \
                 Hãy nhập lại 12 chữ số trên thẻ, không có dấu cách hay chữ cái."
            ),
            (IdError::NotDigits { found, position }, Lang::En) => format!(
                "The identity number may contain only digits, but character {position} is \
                 \"{found}\". Please re-enter the 12 digits on the card, without spaces or \
                 letters."
            ),
            (IdError::Province { code }, Lang::Vi) => format!(
                "Ba chữ số đầu của số CCCD ({code:03}) không phải mã tỉnh, thành phố nào. \
                 Hãy kiểm tra lại số trên thẻ."
            ),
            (IdError::Province { code }, Lang::En) => format!(
                "The first three digits of the identity number ({code:03}) are not a \
                 province code. Please check the number on the card."
            ),
            (IdError::CenturyGender { digit }, Lang::Vi) => format!(
                "Chữ số thứ tư của số CCCD (mã thế kỷ và giới tính) phải từ 0 đến 5, \
                 nhưng là {digit}. Hãy kiểm tra lại số trên thẻ."
            ),
            (IdError::CenturyGender { digit }, Lang::En) => format!(
                "The fourth digit of the identity number (century and gender) must be 0 to \
                 5, but is {digit}. Please check the number on the card."
            ),
            (IdError::FutureYear { year, current }, Lang::Vi) => format!(
                "Số CCCD cho năm sinh {year}, sau năm hiện tại {current}. \
                 Hãy kiểm tra lại chữ số thứ tư đến thứ sáu của số trên thẻ."
            ),
            (IdError::FutureYear { year, current }, Lang::En) => format!(
                "The identity number gives birth year {year}, after the current year \
                 {current}. Please check the fourth to sixth digits of the number on the card."
            ),
            (IdError::BirthYearMismatch { id_year, dob_year }, Lang::Vi) => format!(
                "Số CCCD cho năm sinh {id_year} nhưng ngày sinh đã nhập thuộc năm {dob_year}. \
                 Hãy đối chiếu số CCCD và ngày sinh với thẻ."
            ),
            (IdError::BirthYearMismatch { id_year, dob_year }, Lang::En) => format!(
                "The identity number gives birth year {id_year} but the date of birth entered \
                 is in {dob_year}. Please check both against the card."
            ),
            (IdError::GenderMismatch { id_gender, given }, Lang::Vi) => format!(
                "Số CCCD là của người giới tính {}, nhưng giới tính đã chọn là {}. \
                 Hãy đối chiếu số CCCD và giới tính với thẻ.",
                id_gender.label(Lang::Vi),
                given.label(Lang::Vi)
            ),
            (IdError::GenderMismatch { id_gender, given }, Lang::En) => format!(
                "The identity number belongs to a {} person, but the gender selected is {}. \
                 Please check both against the card.",
                id_gender.label(Lang::En).to_lowercase(),
                given.label(Lang::En).to_lowercase()
            ),
            (IdError::CmndLength { got }, Lang::Vi) => format!(
                "Số CMND cũ phải có đúng 9 chữ số (đã nhập {got} ký tự). \
                 Hãy kiểm tra lại số trên chứng minh nhân dân, hoặc để trống nếu không có."
            ),
            (IdError::CmndLength { got }, Lang::En) => format!(
                "The old CMND number must have exactly 9 digits ({got} characters were \
                 entered). Please check the number on the old ID card, or leave it empty."
            ),
            (IdError::CmndNotDigits { found }, Lang::Vi) => format!(
                "Số CMND cũ chỉ gồm chữ số, nhưng có ký tự «{found}». \
                 Hãy nhập lại 9 chữ số trên chứng minh nhân dân, hoặc để trống nếu không có."
            ),
            (IdError::CmndNotDigits { found }, Lang::En) => format!(
                "The old CMND number may contain only digits, but contains \"{found}\". \
                 Please re-enter the 9 digits of the old ID card, or leave it empty."
            ),
        }
    }
}

/// The value of an ASCII digit. Callers have checked `b.is_ascii_digit()`.
fn digit(b: u8) -> u16 {
    u16::from(b.wrapping_sub(b'0'))
}

/// Checks that `s` is exactly `len` ASCII digits and returns its bytes; otherwise the
/// number of characters given, or the first offending character with its 1-based
/// position.
fn ascii_digits(s: &str, len: usize) -> Result<&[u8], DigitsProblem> {
    let got = s.chars().count();
    if got != len {
        return Err(DigitsProblem::Length(got));
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(DigitsProblem::NotDigit(c, i + 1));
    }
    Ok(s.as_bytes())
}

enum DigitsProblem {
    Length(usize),
    NotDigit(char, usize),
}

/// Parses a 12-digit personal identity number, checking its structure: length, digits,
/// province code, century-and-gender digit, and a birth year not after `today`'s year.
/// Surrounding whitespace is ignored.
pub fn parse_cccd(input: &str, today: NaiveDate) -> Result<Cccd, IdError> {
    let number = input.trim();
    let b = ascii_digits(number, CCCD_LEN).map_err(|p| match p {
        DigitsProblem::Length(got) => IdError::Length { got },
        DigitsProblem::NotDigit(found, position) => IdError::NotDigits { found, position },
    })?;
    // From here on every byte is an ASCII digit, so indexing bytes is safe.
    let province = digit(b[0]) * 100 + digit(b[1]) * 10 + digit(b[2]);
    if province_name(province).is_none() {
        return Err(IdError::Province { code: province });
    }
    let g = digit(b[3]);
    let &(century, gender) = CENTURY_GENDER
        .get(usize::from(g))
        .ok_or(IdError::CenturyGender { digit: g as u8 })?;
    let birth_year = century + i32::from(digit(b[4]) * 10 + digit(b[5]));
    let current = today.year();
    if birth_year > current {
        return Err(IdError::FutureYear {
            year: birth_year,
            current,
        });
    }
    Ok(Cccd {
        number: number.to_owned(),
        province,
        gender,
        birth_year,
    })
}

/// [`parse_cccd`], then checks the number against the date of birth (same year) and the
/// gender, when they are given.
pub fn validate_cccd(
    input: &str,
    today: NaiveDate,
    date_of_birth: Option<NaiveDate>,
    gender: Option<Gender>,
) -> Result<Cccd, IdError> {
    let cccd = parse_cccd(input, today)?;
    check_agreement(&cccd, date_of_birth, gender)?;
    Ok(cccd)
}

/// The cross-checks of [`validate_cccd`], shared with the chip-card QR.
fn check_agreement(
    cccd: &Cccd,
    date_of_birth: Option<NaiveDate>,
    gender: Option<Gender>,
) -> Result<(), IdError> {
    if let Some(dob) = date_of_birth
        && dob.year() != cccd.birth_year
    {
        return Err(IdError::BirthYearMismatch {
            id_year: cccd.birth_year,
            dob_year: dob.year(),
        });
    }
    if let Some(given) = gender
        && given != cccd.gender
    {
        return Err(IdError::GenderMismatch {
            id_gender: cccd.gender,
            given,
        });
    }
    Ok(())
}

/// Parses a legacy CMND number: exactly 9 digits, surrounding whitespace ignored.
pub fn parse_cmnd(input: &str) -> Result<Cmnd, IdError> {
    let number = input.trim();
    ascii_digits(number, CMND_LEN).map_err(|p| match p {
        DigitsProblem::Length(got) => IdError::CmndLength { got },
        DigitsProblem::NotDigit(found, _) => IdError::CmndNotDigits { found },
    })?;
    Ok(Cmnd(number.to_owned()))
}

/// What the QR code on a chip-based CCCD holds, as a desk scanner types it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipCard {
    /// The 12-digit number (validated, trimmed).
    pub id_number: String,
    /// The old 9-digit CMND number, when the card lists one.
    pub legacy_id_number: Option<String>,
    /// NFC, trimmed.
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub gender: Gender,
    /// Place of residence as printed, NFC, trimmed.
    pub address: String,
    pub issued_on: NaiveDate,
}

/// The fields of the chip-card QR, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChipField {
    IdNumber,
    LegacyIdNumber,
    FullName,
    DateOfBirth,
    Gender,
    Address,
    IssuedOn,
}

impl ChipField {
    /// All fields in QR order; a field's position here is its index.
    pub const ALL: [ChipField; 7] = [
        ChipField::IdNumber,
        ChipField::LegacyIdNumber,
        ChipField::FullName,
        ChipField::DateOfBirth,
        ChipField::Gender,
        ChipField::Address,
        ChipField::IssuedOn,
    ];

    /// 0-based position in the `|`-separated QR text.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The intake-form field this QR field fills (`id_number`, `date_of_birth`, …).
    pub fn name(self) -> &'static str {
        match self {
            ChipField::IdNumber => "id_number",
            ChipField::LegacyIdNumber => "legacy_id_number",
            ChipField::FullName => "full_name",
            ChipField::DateOfBirth => "date_of_birth",
            ChipField::Gender => "gender",
            ChipField::Address => "address",
            ChipField::IssuedOn => "issued_on",
        }
    }

    /// How the card labels the field.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ChipField::IdNumber, Lang::Vi) => "Số CCCD",
            (ChipField::LegacyIdNumber, Lang::Vi) => "Số CMND",
            (ChipField::FullName, Lang::Vi) => "Họ và tên",
            (ChipField::DateOfBirth, Lang::Vi) => "Ngày sinh",
            (ChipField::Gender, Lang::Vi) => "Giới tính",
            (ChipField::Address, Lang::Vi) => "Nơi thường trú",
            (ChipField::IssuedOn, Lang::Vi) => "Ngày cấp",
            (ChipField::IdNumber, Lang::En) => "identity number",
            (ChipField::LegacyIdNumber, Lang::En) => "old CMND number",
            (ChipField::FullName, Lang::En) => "full name",
            (ChipField::DateOfBirth, Lang::En) => "date of birth",
            (ChipField::Gender, Lang::En) => "gender",
            (ChipField::Address, Lang::En) => "place of residence",
            (ChipField::IssuedOn, Lang::En) => "date of issue",
        }
    }
}

/// What is wrong with one field of a chip-card QR.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChipQrCause {
    /// The text ended before this field: probably not a chip-card QR.
    #[error("the field is missing")]
    Missing,
    #[error("the field is empty")]
    Empty,
    #[error(transparent)]
    Id(IdError),
    #[error("{0:?} is not a date in ddMMyyyy form")]
    BadDate(String),
    #[error("the date {0} is in the future")]
    FutureDate(NaiveDate),
    #[error("the card was issued on {issued}, before the date of birth {born}")]
    IssuedBeforeBirth { issued: NaiveDate, born: NaiveDate },
    #[error("{0:?} is not a gender (Nam or Nữ)")]
    BadGender(String),
}

/// A chip-card QR that could not be read: which field is wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("chip-card QR field {} ({}) is invalid: {cause}", .field.index() + 1, .field.name())]
pub struct ChipQrError {
    pub field: ChipField,
    pub cause: ChipQrCause,
}

impl ChipQrError {
    fn new(field: ChipField, cause: ChipQrCause) -> Self {
        ChipQrError { field, cause }
    }
}

impl RuleError for ChipQrError {
    fn code(&self) -> &'static str {
        "chip_qr_invalid"
    }

    fn message(&self, lang: Lang) -> String {
        let n = self.field.index() + 1;
        let label = self.field.label(lang);
        match lang {
            Lang::Vi => match &self.cause {
                ChipQrCause::Missing => format!(
                    "Mã QR thiếu trường «{label}» (trường thứ {n}); có thể đây không phải \
                         mã QR của thẻ CCCD gắn chip. Hãy quét lại mã QR ở mặt trước thẻ, \
                         hoặc nhập tay."
                ),
                ChipQrCause::Empty => format!(
                    "Trường «{label}» (trường thứ {n}) của mã QR bị trống. \
                         Hãy quét lại mã QR, hoặc nhập tay theo thẻ."
                ),
                // The gender and the date of birth came from the card, not from the
                // officer: the domain's wording ("the gender selected") would blame them.
                ChipQrCause::Id(IdError::GenderMismatch { id_gender, given }) => format!(
                    "Trường «{label}» và trường «{g}» của mã QR không khớp nhau: số CCCD là \
                         của người giới tính {}, còn trường «{g}» ghi {}. Hãy quét lại, hoặc \
                         nhập tay theo thẻ.",
                    id_gender.label(Lang::Vi),
                    given.label(Lang::Vi),
                    g = ChipField::Gender.label(Lang::Vi),
                ),
                ChipQrCause::Id(IdError::BirthYearMismatch { id_year, dob_year }) => format!(
                    "Trường «{label}» và trường «{b}» của mã QR không khớp nhau: số CCCD cho \
                         năm sinh {id_year}, còn trường «{b}» ghi năm {dob_year}. Hãy quét \
                         lại, hoặc nhập tay theo thẻ.",
                    b = ChipField::DateOfBirth.label(Lang::Vi),
                ),
                ChipQrCause::Id(e) => format!(
                    "Trường «{label}» của mã QR không hợp lệ: {}",
                    e.message(Lang::Vi)
                ),
                ChipQrCause::BadDate(s) => format!(
                    "Trường «{label}» (trường thứ {n}) của mã QR là «{s}», không phải \
                         ngày dạng ngày-tháng-năm (ddMMyyyy). Hãy quét lại, hoặc nhập tay \
                         theo thẻ."
                ),
                ChipQrCause::FutureDate(d) => format!(
                    "Trường «{label}» của mã QR là ngày {}, sau ngày hôm nay. \
                         Hãy quét lại, hoặc nhập tay theo thẻ.",
                    d.format("%d/%m/%Y")
                ),
                ChipQrCause::IssuedBeforeBirth { issued, born } => format!(
                    "Mã QR ghi ngày cấp {} trước ngày sinh {}. \
                         Hãy quét lại, hoặc nhập tay theo thẻ.",
                    issued.format("%d/%m/%Y"),
                    born.format("%d/%m/%Y")
                ),
                ChipQrCause::BadGender(s) => format!(
                    "Trường «{label}» của mã QR là «{s}», không phải «Nam» hay «Nữ». \
                         Hãy quét lại, hoặc chọn giới tính theo thẻ."
                ),
            },
            Lang::En => match &self.cause {
                ChipQrCause::Missing => format!(
                    "The QR code has no {label} (field {n}); it may not be the QR code of a \
                     chip-based ID card. Please scan the QR code on the front of the card \
                     again, or type the details in."
                ),
                ChipQrCause::Empty => format!(
                    "The {label} (field {n}) of the QR code is empty. Please scan again, or \
                     type it in from the card."
                ),
                ChipQrCause::Id(IdError::GenderMismatch { id_gender, given }) => format!(
                    "The {label} and the {g} of the QR code disagree: the number is that of a \
                     {} person, but the {g} field reads {}. Please scan again, or type the \
                     details in from the card.",
                    id_gender.label(Lang::En).to_lowercase(),
                    given.label(Lang::En).to_lowercase(),
                    g = ChipField::Gender.label(Lang::En),
                ),
                ChipQrCause::Id(IdError::BirthYearMismatch { id_year, dob_year }) => format!(
                    "The {label} and the {b} of the QR code disagree: the number gives birth \
                     year {id_year}, but the {b} field is in {dob_year}. Please scan again, or \
                     type the details in from the card.",
                    b = ChipField::DateOfBirth.label(Lang::En),
                ),
                ChipQrCause::Id(e) => format!(
                    "The {label} in the QR code is invalid: {}",
                    e.message(Lang::En)
                ),
                ChipQrCause::BadDate(s) => format!(
                    "The {label} (field {n}) of the QR code is \"{s}\", not a date in ddMMyyyy \
                     form. Please scan again, or type it in from the card."
                ),
                ChipQrCause::FutureDate(d) => format!(
                    "The {label} in the QR code is {}, after today. Please scan again, or \
                     type it in from the card.",
                    d.format("%d/%m/%Y")
                ),
                ChipQrCause::IssuedBeforeBirth { issued, born } => format!(
                    "The QR code gives a date of issue {} before the date of birth {}. Please \
                     scan again, or type the details in from the card.",
                    issued.format("%d/%m/%Y"),
                    born.format("%d/%m/%Y")
                ),
                ChipQrCause::BadGender(s) => format!(
                    "The {label} in the QR code is \"{s}\", neither \"Nam\" nor \"Nữ\". Please \
                     scan again, or choose the gender shown on the card."
                ),
            },
        }
    }
}

/// Parses a `ddMMyyyy` date: exactly eight ASCII digits forming a real calendar date.
fn parse_ddmmyyyy(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
    };
    let year = i32::try_from(n(4..8)).ok()?;
    NaiveDate::from_ymd_opt(year, n(2..4), n(0..2))
}

/// A date field of the QR: well-formed and not after `today`.
fn date_field(raw: &str, field: ChipField, today: NaiveDate) -> Result<NaiveDate, ChipQrError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ChipQrError::new(field, ChipQrCause::Empty));
    }
    let date = parse_ddmmyyyy(s)
        .ok_or_else(|| ChipQrError::new(field, ChipQrCause::BadDate(text::nfc(s))))?;
    if date > today {
        return Err(ChipQrError::new(field, ChipQrCause::FutureDate(date)));
    }
    Ok(date)
}

/// A text field of the QR: trimmed, NFC, not empty.
fn text_field(raw: &str, field: ChipField) -> Result<String, ChipQrError> {
    let s = text::nfc(raw.trim());
    if s.is_empty() {
        return Err(ChipQrError::new(field, ChipQrCause::Empty));
    }
    Ok(s)
}

/// Reads the gender word in any normalization and case. Folding also accepts the
/// unmarked "Nu", which some keyboard-wedge scanners produce when they drop marks.
fn gender_field(raw: &str) -> Result<Gender, ChipQrError> {
    let s = raw.trim();
    match text::fold(s).as_str() {
        "nam" => Ok(Gender::Male),
        "nu" => Ok(Gender::Female),
        "" => Err(ChipQrError::new(ChipField::Gender, ChipQrCause::Empty)),
        _ => Err(ChipQrError::new(
            ChipField::Gender,
            ChipQrCause::BadGender(text::nfc(s)),
        )),
    }
}

/// Parses the text a desk scanner types from the QR code of a chip-based CCCD:
/// `CCCD|CMND|Họ và tên|ddMMyyyy|Giới tính|Địa chỉ|ddMMyyyy` (date of birth, then date
/// of issue). Surrounding whitespace and line breaks are ignored, as are fields after
/// the seventh (newer cards may add some). The CMND field may be empty. Texts come back
/// in NFC. Fields are checked in order and the first wrong one is reported; then the
/// CCCD must agree with the date of birth and gender, and the card must not have been
/// issued before the holder was born.
pub fn parse_chip_qr(input: &str, today: NaiveDate) -> Result<ChipCard, ChipQrError> {
    let input = input.trim();
    if input.is_empty() {
        // Nothing scanned at all: the first field is what is missing.
        return Err(ChipQrError::new(ChipField::IdNumber, ChipQrCause::Empty));
    }
    let mut parts = input.split('|');
    // Indexed by ChipField::index(); a missing field is reported as the first absent one.
    let mut raw: [&str; 7] = [""; 7];
    for field in ChipField::ALL {
        raw[field.index()] = parts
            .next()
            .ok_or_else(|| ChipQrError::new(field, ChipQrCause::Missing))?;
    }
    let get = |f: ChipField| raw[f.index()];

    let id_err = |f: ChipField| move |e: IdError| ChipQrError::new(f, ChipQrCause::Id(e));
    let id_raw = get(ChipField::IdNumber);
    if id_raw.trim().is_empty() {
        return Err(ChipQrError::new(ChipField::IdNumber, ChipQrCause::Empty));
    }
    let cccd = parse_cccd(id_raw, today).map_err(id_err(ChipField::IdNumber))?;

    let legacy_raw = get(ChipField::LegacyIdNumber).trim();
    let legacy_id_number = if legacy_raw.is_empty() {
        None
    } else {
        Some(
            parse_cmnd(legacy_raw)
                .map_err(id_err(ChipField::LegacyIdNumber))?
                .0,
        )
    };

    let full_name = text_field(get(ChipField::FullName), ChipField::FullName)?;
    let date_of_birth = date_field(get(ChipField::DateOfBirth), ChipField::DateOfBirth, today)?;
    let gender = gender_field(get(ChipField::Gender))?;
    let address = text_field(get(ChipField::Address), ChipField::Address)?;
    let issued_on = date_field(get(ChipField::IssuedOn), ChipField::IssuedOn, today)?;

    check_agreement(&cccd, Some(date_of_birth), Some(gender))
        .map_err(id_err(ChipField::IdNumber))?;
    if issued_on < date_of_birth {
        return Err(ChipQrError::new(
            ChipField::IssuedOn,
            ChipQrCause::IssuedBeforeBirth {
                issued: issued_on,
                born: date_of_birth,
            },
        ));
    }

    Ok(ChipCard {
        id_number: cccd.number,
        legacy_id_number,
        full_name,
        date_of_birth,
        gender,
        address,
        issued_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn today() -> NaiveDate {
        d(2025, 6, 15)
    }

    const SAMPLE: &str = "083095001234||Nguyễn Văn An|15031995|Nam|Phường An Hội, Thành phố Bến Tre, Bến Tre|10052021";

    #[test]
    fn gender_wire_values_and_labels() {
        use serde::Deserialize;
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as DeError, StrDeserializer};
        let de = |s: &'static str| -> StrDeserializer<'static, DeError> { s.into_deserializer() };
        assert_eq!(Gender::deserialize(de("male")), Ok(Gender::Male));
        assert_eq!(Gender::deserialize(de("female")), Ok(Gender::Female));
        assert!(Gender::deserialize(de("Male")).is_err());
        assert_eq!(Gender::Male.label(Lang::Vi), "Nam");
        assert_eq!(Gender::Female.label(Lang::Vi), "Nữ");
        assert_eq!(Gender::Female.label(Lang::En), "Female");
    }

    #[test]
    fn province_table_is_the_63_codes_sorted() {
        let codes: Vec<u16> = PROVINCES.iter().map(|&(c, _)| c).collect();
        let expected: Vec<u16> = [
            1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35,
            36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70,
            72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
        ]
        .to_vec();
        assert_eq!(codes, expected);
        assert_eq!(codes.len(), 63);
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
        for &(_, name) in PROVINCES {
            assert_eq!(name, text::nfc(name), "names are stored in NFC");
        }
    }

    #[test]
    fn province_names() {
        assert_eq!(province_name(1), Some("Hà Nội"));
        assert_eq!(province_name(79), Some("Thành phố Hồ Chí Minh"));
        assert_eq!(province_name(83), Some("Bến Tre"));
        assert_eq!(province_name(96), Some("Cà Mau"));
        assert_eq!(province_name(0), None);
        assert_eq!(province_name(3), None);
        assert_eq!(
            province_name(28),
            None,
            "Hà Tây's code went with it in 2008"
        );
        assert_eq!(province_name(97), None);
        assert_eq!(province_name(999), None);
    }

    #[test]
    fn parses_a_cccd() {
        let c = parse_cccd("  083095001234\n", today()).unwrap();
        assert_eq!(c.number(), "083095001234");
        assert_eq!(c.province(), 83);
        assert_eq!(c.province_name(), "Bến Tre");
        assert_eq!(c.gender(), Gender::Male);
        assert_eq!(c.birth_year(), 1995);
        assert_eq!(c.to_string(), "083095001234");
    }

    #[test]
    fn century_gender_digits() {
        let cases = [
            ("001099000001", 1999, Gender::Male),
            ("001100000001", 1900, Gender::Female),
            ("001205000001", 2005, Gender::Male),
            ("001325000001", 2025, Gender::Female),
        ];
        for (n, year, g) in cases {
            let c = parse_cccd(n, today()).unwrap();
            assert_eq!((c.birth_year(), c.gender()), (year, g), "{n}");
        }
        // The 2100s digits parse once the calendar gets there.
        let c = parse_cccd("001400000001", d(2100, 1, 1)).unwrap();
        assert_eq!((c.birth_year(), c.gender()), (2100, Gender::Male));
        let c = parse_cccd("001599000001", d(2199, 12, 31)).unwrap();
        assert_eq!((c.birth_year(), c.gender()), (2199, Gender::Female));
        assert_eq!(
            parse_cccd("001400000001", today()),
            Err(IdError::FutureYear {
                year: 2100,
                current: 2025
            })
        );
        for g in 6..=9u8 {
            let n = format!("001{g}95000001");
            assert_eq!(
                parse_cccd(&n, today()),
                Err(IdError::CenturyGender { digit: g })
            );
        }
    }

    #[test]
    fn birth_year_boundaries() {
        // Born this year: fine. Next year: refused.
        assert!(parse_cccd("079325123456", today()).is_ok());
        assert_eq!(
            parse_cccd("079326123456", today()),
            Err(IdError::FutureYear {
                year: 2026,
                current: 2025
            })
        );
        assert!(parse_cccd("079326123456", d(2026, 1, 1)).is_ok());
        assert_eq!(
            parse_cccd("079226123456", d(2025, 12, 31))
                .unwrap_err()
                .code(),
            "id_future_year"
        );
        // The oldest possible: 1900.
        assert_eq!(
            parse_cccd("079000123456", today()).unwrap().birth_year(),
            1900
        );
    }

    #[test]
    fn length_errors_count_characters() {
        assert_eq!(parse_cccd("", today()), Err(IdError::Length { got: 0 }));
        assert_eq!(
            parse_cccd("08309500123", today()),
            Err(IdError::Length { got: 11 })
        );
        assert_eq!(
            parse_cccd("0830950012345", today()),
            Err(IdError::Length { got: 13 })
        );
        assert_eq!(
            parse_cccd("0830 9500 1234", today()),
            Err(IdError::Length { got: 14 })
        );
        // Non-ASCII characters count once each, and never split a byte sequence.
        assert_eq!(
            parse_cccd("0830950012đ", today()),
            Err(IdError::Length { got: 11 })
        );
        let e = parse_cccd("08309500123", today()).unwrap_err();
        assert_eq!(e.code(), "id_length");
        assert_eq!(
            e.message(Lang::Vi),
            "Số CCCD phải có đúng 12 chữ số (đã nhập 11 ký tự). Hãy kiểm tra lại số trên thẻ."
        );
    }

    #[test]
    fn non_digits_are_refused() {
        assert_eq!(
            parse_cccd("08309500123a", today()),
            Err(IdError::NotDigits {
                found: 'a',
                position: 12
            })
        );
        assert_eq!(
            parse_cccd("0830950012đ4", today()),
            Err(IdError::NotDigits {
                found: 'đ',
                position: 11
            })
        );
        // Full-width and other Unicode digits are not ASCII digits.
        assert_eq!(
            parse_cccd("０83095001234", today()).unwrap_err().code(),
            "id_not_digits"
        );
        assert_eq!(
            parse_cccd("-83095001234", today()).unwrap_err().code(),
            "id_not_digits"
        );
    }

    #[test]
    fn unknown_province() {
        for n in [
            "000095001234",
            "003095001234",
            "028095001234",
            "097095001234",
            "999095001234",
        ] {
            let e = parse_cccd(n, today()).unwrap_err();
            assert_eq!(e.code(), "id_province", "{n}");
        }
        assert_eq!(
            parse_cccd("003095001234", today()),
            Err(IdError::Province { code: 3 })
        );
        assert!(
            IdError::Province { code: 3 }
                .message(Lang::Vi)
                .contains("(003)")
        );
    }

    #[test]
    fn validate_checks_agreement() {
        let ok = validate_cccd(
            "083095001234",
            today(),
            Some(d(1995, 3, 15)),
            Some(Gender::Male),
        );
        assert!(ok.is_ok());
        assert!(validate_cccd("083095001234", today(), None, None).is_ok());
        assert_eq!(
            validate_cccd("083095001234", today(), Some(d(1996, 1, 1)), None),
            Err(IdError::BirthYearMismatch {
                id_year: 1995,
                dob_year: 1996
            })
        );
        assert_eq!(
            validate_cccd("083095001234", today(), None, Some(Gender::Female)),
            Err(IdError::GenderMismatch {
                id_gender: Gender::Male,
                given: Gender::Female
            })
        );
        // Structure is checked before agreement.
        assert_eq!(
            validate_cccd("08309500123", today(), Some(d(1996, 1, 1)), None)
                .unwrap_err()
                .code(),
            "id_length"
        );
        // Same two digits, other century.
        assert_eq!(
            validate_cccd("083295001234", d(2100, 1, 1), Some(d(1995, 1, 1)), None)
                .unwrap_err()
                .code(),
            "id_birth_year_mismatch"
        );
    }

    #[test]
    fn cmnd() {
        assert_eq!(parse_cmnd(" 321456789 ").unwrap().as_str(), "321456789");
        assert_eq!(parse_cmnd("321456789").unwrap().to_string(), "321456789");
        assert_eq!(parse_cmnd("32145678"), Err(IdError::CmndLength { got: 8 }));
        assert_eq!(
            parse_cmnd("083095001234"),
            Err(IdError::CmndLength { got: 12 })
        );
        assert_eq!(
            parse_cmnd("32145678x"),
            Err(IdError::CmndNotDigits { found: 'x' })
        );
        assert_eq!(parse_cmnd("").unwrap_err().code(), "cmnd_invalid");
        assert_eq!(parse_cmnd("3214567ư8").unwrap_err().code(), "cmnd_invalid");
    }

    #[test]
    fn every_error_has_code_and_messages() {
        let errors = [
            IdError::Length { got: 3 },
            IdError::NotDigits {
                found: 'x',
                position: 2,
            },
            IdError::Province { code: 3 },
            IdError::CenturyGender { digit: 7 },
            IdError::FutureYear {
                year: 2026,
                current: 2025,
            },
            IdError::BirthYearMismatch {
                id_year: 1995,
                dob_year: 1996,
            },
            IdError::GenderMismatch {
                id_gender: Gender::Male,
                given: Gender::Female,
            },
            IdError::CmndLength { got: 8 },
            IdError::CmndNotDigits { found: 'x' },
        ];
        let codes: Vec<&str> = errors.iter().map(RuleError::code).collect();
        assert_eq!(
            codes,
            [
                "id_length",
                "id_not_digits",
                "id_province",
                "id_century_gender",
                "id_future_year",
                "id_birth_year_mismatch",
                "id_gender_mismatch",
                "cmnd_invalid",
                "cmnd_invalid"
            ]
        );
        for e in &errors {
            let vi = e.message(Lang::Vi);
            let en = e.message(Lang::En);
            assert!(vi.contains("Hãy"), "Vietnamese says what to do: {vi}");
            assert!(en.contains("Please"), "English says what to do: {en}");
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn parses_the_sample_chip_qr() {
        let card = parse_chip_qr(SAMPLE, today()).unwrap();
        assert_eq!(
            card,
            ChipCard {
                id_number: "083095001234".into(),
                legacy_id_number: None,
                full_name: "Nguyễn Văn An".into(),
                date_of_birth: d(1995, 3, 15),
                gender: Gender::Male,
                address: "Phường An Hội, Thành phố Bến Tre, Bến Tre".into(),
                issued_on: d(2021, 5, 10),
            }
        );
    }

    #[test]
    fn chip_qr_with_cmnd_crlf_and_extra_fields() {
        let qr = "\r\n 001196012345|012345678|Trần Thị Bình|01021996|Nữ|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|05072022|extra|more\r\n";
        let card = parse_chip_qr(qr, today()).unwrap();
        assert_eq!(card.legacy_id_number.as_deref(), Some("012345678"));
        assert_eq!(card.gender, Gender::Female);
        assert_eq!(card.full_name, "Trần Thị Bình");
        assert_eq!(card.issued_on, d(2022, 7, 5));
    }

    #[test]
    fn chip_qr_nfd_and_case() {
        let nfd: String = SAMPLE.nfd().collect();
        assert_ne!(nfd, SAMPLE);
        let card = parse_chip_qr(&nfd, today()).unwrap();
        assert_eq!(card.full_name, "Nguyễn Văn An");
        assert_eq!(card.address, "Phường An Hội, Thành phố Bến Tre, Bến Tre");

        for g in ["nữ", "NỮ", "Nữ", "nu"] {
            for form in [g.nfc().collect::<String>(), g.nfd().collect::<String>()] {
                let qr = format!("001196012345||Trần Thị Bình|01021996|{form}|Hà Nội|05072022");
                assert_eq!(
                    parse_chip_qr(&qr, today()).unwrap().gender,
                    Gender::Female,
                    "{form:?}"
                );
            }
        }
        for g in ["nam", "NAM", " Nam "] {
            let qr = format!("083095001234||Nguyễn Văn An|15031995|{g}|Bến Tre|10052021");
            assert_eq!(parse_chip_qr(&qr, today()).unwrap().gender, Gender::Male);
        }
    }

    fn qr_err(qr: &str) -> ChipQrError {
        parse_chip_qr(qr, today()).unwrap_err()
    }

    #[test]
    fn chip_qr_errors_name_the_field() {
        let e = qr_err("083095001234");
        assert_eq!(
            (e.field, e.cause.clone()),
            (ChipField::LegacyIdNumber, ChipQrCause::Missing)
        );
        let e = qr_err("");
        assert_eq!(
            (e.field, e.cause),
            (ChipField::IdNumber, ChipQrCause::Empty)
        );
        let e = qr_err("083095001234||Nguyễn Văn An|15031995|Nam|Bến Tre");
        assert_eq!(
            (e.field, e.cause),
            (ChipField::IssuedOn, ChipQrCause::Missing)
        );

        let e = qr_err("08309500123||Nguyễn Văn An|15031995|Nam|Bến Tre|10052021");
        assert_eq!(e.field, ChipField::IdNumber);
        assert_eq!(e.cause, ChipQrCause::Id(IdError::Length { got: 11 }));

        let e = qr_err("083095001234|12345|Nguyễn Văn An|15031995|Nam|Bến Tre|10052021");
        assert_eq!(e.field, ChipField::LegacyIdNumber);
        assert_eq!(e.cause, ChipQrCause::Id(IdError::CmndLength { got: 5 }));

        let e = qr_err("083095001234|| |15031995|Nam|Bến Tre|10052021");
        assert_eq!(
            (e.field, e.cause),
            (ChipField::FullName, ChipQrCause::Empty)
        );

        let e = qr_err("083095001234||Nguyễn Văn An|31021995|Nam|Bến Tre|10052021");
        assert_eq!(e.field, ChipField::DateOfBirth);
        assert_eq!(e.cause, ChipQrCause::BadDate("31021995".into()));
        let e = qr_err("083095001234||Nguyễn Văn An|15/03/1995|Nam|Bến Tre|10052021");
        assert_eq!(e.field, ChipField::DateOfBirth);
        assert!(matches!(e.cause, ChipQrCause::BadDate(_)));

        let e = qr_err("083095001234||Nguyễn Văn An|15031995|Khác|Bến Tre|10052021");
        assert_eq!(e.field, ChipField::Gender);
        assert_eq!(e.cause, ChipQrCause::BadGender("Khác".into()));

        let e = qr_err("083095001234||Nguyễn Văn An|15031995|Nam||10052021");
        assert_eq!((e.field, e.cause), (ChipField::Address, ChipQrCause::Empty));

        let e = qr_err("083095001234||Nguyễn Văn An|15031995|Nam|Bến Tre|16062025");
        assert_eq!(e.field, ChipField::IssuedOn);
        assert_eq!(e.cause, ChipQrCause::FutureDate(d(2025, 6, 16)));
        assert!(
            parse_chip_qr(
                "083095001234||Nguyễn Văn An|15031995|Nam|Bến Tre|15062025",
                today()
            )
            .is_ok()
        );

        let e = qr_err("083325001234||Nguyễn Văn An|20122025|Nam|Bến Tre|10052025");
        assert_eq!(e.field, ChipField::DateOfBirth);
        assert_eq!(e.cause, ChipQrCause::FutureDate(d(2025, 12, 20)));

        let e = qr_err("083325001234||Nguyễn Thị An|01012025|Nữ|Bến Tre|31122024");
        assert_eq!(e.field, ChipField::IssuedOn);
        assert!(matches!(e.cause, ChipQrCause::IssuedBeforeBirth { .. }));
    }

    #[test]
    fn chip_qr_cccd_must_agree() {
        let e = qr_err("083095001234||Nguyễn Văn An|15031996|Nam|Bến Tre|10052021");
        assert_eq!(e.field, ChipField::IdNumber);
        assert_eq!(
            e.cause.to_string(),
            IdError::BirthYearMismatch {
                id_year: 1995,
                dob_year: 1996
            }
            .to_string()
        );
        assert_eq!(
            e.cause,
            ChipQrCause::Id(IdError::BirthYearMismatch {
                id_year: 1995,
                dob_year: 1996
            })
        );
        let e = qr_err("083095001234||Nguyễn Văn An|15031995|Nữ|Bến Tre|10052021");
        assert_eq!(
            e.cause,
            ChipQrCause::Id(IdError::GenderMismatch {
                id_gender: Gender::Male,
                given: Gender::Female
            })
        );
    }

    #[test]
    fn chip_qr_error_messages() {
        let e = qr_err("083095001234||Nguyễn Văn An|15031995|Nữ|Bến Tre|10052021");
        assert_eq!(e.code(), "chip_qr_invalid");
        assert!(e.message(Lang::Vi).contains("Số CCCD"));
        assert!(e.message(Lang::Vi).contains("Nữ"));
        assert!(e.to_string().contains("id_number"));
        let e = qr_err("hello");
        assert!(e.message(Lang::Vi).contains("Số CMND"));
        assert!(e.message(Lang::En).contains("Please scan"));
        let e = qr_err("083095001234||Nguyễn Văn An|15031995|Nam|Bến Tre|1005202");
        assert!(e.message(Lang::Vi).contains("Ngày cấp"));
        assert!(e.to_string().contains("field 7 (issued_on)"));
    }

    #[test]
    fn a_qr_that_disagrees_with_itself_blames_the_card_not_the_officer() {
        // Nothing was chosen or entered by the officer: both values are the card's.
        let e = qr_err("083095001234||Nguyễn Văn An|15031995|Nữ|Bến Tre|10052021");
        let (vi, en) = (e.message(Lang::Vi), e.message(Lang::En));
        assert!(!vi.contains("đã chọn") && !vi.contains("đã nhập"), "{vi}");
        assert!(!en.contains("selected") && !en.contains("entered"), "{en}");
        assert!(vi.contains("còn trường «Giới tính» ghi Nữ"), "{vi}");
        assert!(vi.contains("giới tính Nam"), "{vi}");
        assert!(en.contains("the gender field reads female"), "{en}");
        let e = qr_err("083095001234||Nguyễn Văn An|15031996|Nam|Bến Tre|10052021");
        let (vi, en) = (e.message(Lang::Vi), e.message(Lang::En));
        assert!(
            !vi.contains("đã nhập") && !en.contains("entered"),
            "{vi} / {en}"
        );
        assert!(
            vi.contains("năm sinh 1995") && vi.contains("ghi năm 1996"),
            "{vi}"
        );
        assert!(
            en.contains("birth year 1995") && en.contains("is in 1996"),
            "{en}"
        );
    }

    #[test]
    fn chip_field_indices() {
        for (i, f) in ChipField::ALL.iter().enumerate() {
            assert_eq!(f.index(), i);
        }
    }

    /// A valid CCCD for `today()`: any province, a gender digit and year not in the
    /// future, any serial.
    fn valid_cccd() -> impl Strategy<Value = (String, u16, Gender, i32)> {
        (
            0..PROVINCES.len(),
            1900i32..=2025,
            any::<bool>(),
            0u32..1_000_000,
        )
            .prop_map(|(p, year, female, serial)| {
                let code = PROVINCES[p].0;
                let g = (year - 1900) / 100 * 2 + i32::from(female);
                let number = format!("{code:03}{g}{:02}{serial:06}", year % 100);
                let gender = if female { Gender::Female } else { Gender::Male };
                (number, code, gender, year)
            })
    }

    proptest! {
        #[test]
        fn parsers_never_panic_on_unicode(s in "\\PC*") {
            let _ = parse_cccd(&s, today());
            let _ = validate_cccd(&s, today(), Some(d(1995, 1, 1)), Some(Gender::Male));
            let _ = parse_cmnd(&s);
            let _ = parse_chip_qr(&s, today());
        }

        #[test]
        fn parsers_never_panic_on_any_chars(s in ".*") {
            let _ = parse_cccd(&s, today());
            let _ = parse_cmnd(&s);
            if let Err(e) = parse_chip_qr(&s, today()) {
                let _ = e.message(Lang::Vi);
                let _ = e.message(Lang::En);
            }
        }

        #[test]
        fn parsers_never_panic_on_digits_and_bars(s in "[0-9|]{0,80}", y in -300_000i32..300_000) {
            let today = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(today());
            let _ = parse_cccd(&s, today);
            let _ = validate_cccd(&s, today, NaiveDate::from_ymd_opt(y, 6, 1), Some(Gender::Female));
            let _ = parse_cmnd(&s);
            if let Err(e) = parse_chip_qr(&s, today) {
                let _ = e.message(Lang::Vi);
            }
        }

        #[test]
        fn chip_qr_never_panics_on_near_valid(
            fields in proptest::collection::vec("[0-9]{0,13}|\\PC{0,12}|Nam|Nữ", 0..9)
        ) {
            let s = fields.join("|");
            let _ = parse_chip_qr(&s, today());
        }

        #[test]
        fn valid_cccds_parse_and_round_trip((number, code, gender, year) in valid_cccd()) {
            let c = parse_cccd(&number, today()).unwrap();
            prop_assert_eq!(c.to_string(), number.clone());
            prop_assert_eq!(c.number(), number.as_str());
            prop_assert_eq!(c.province(), code);
            prop_assert_eq!(c.gender(), gender);
            prop_assert_eq!(c.birth_year(), year);
            let again = parse_cccd(&c.to_string(), today()).unwrap();
            prop_assert_eq!(&again, &c);
            let dob = d(year, 1, 1);
            prop_assert!(validate_cccd(&number, today(), Some(dob), Some(gender)).is_ok());
        }

        #[test]
        fn valid_chip_qrs_parse((number, _, gender, year) in valid_cccd(), day in 1u32..=28, month in 1u32..=12) {
            let born = d(year, month, day);
            prop_assume!(born <= today());
            let g = gender.label(Lang::Vi);
            let qr = format!("{number}||Nguyễn Văn An|{}|{g}|Bến Tre|{}", born.format("%d%m%Y"), today().format("%d%m%Y"));
            let card = parse_chip_qr(&qr, today()).unwrap();
            prop_assert_eq!(card.id_number, number);
            prop_assert_eq!(card.date_of_birth, born);
            prop_assert_eq!(card.gender, gender);
        }
    }
}
