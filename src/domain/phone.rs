//! Vietnamese telephone numbers: normalization of what people type, mobile numbers with
//! their carrier, and landlines with their province.
//!
//! Since the 2018 conversion every mobile number is 10 digits starting with 0, and
//! since the 2017 area-code change every landline is 11 digits: `02`, the rest of the
//! area code, and the subscriber number. Who owns a prefix and which province an area
//! code belongs to are data (the tables below), so a new prefix is one line.

use std::fmt;

use thiserror::Error;

use super::{Lang, RuleError};

/// A mobile network operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Carrier {
    Viettel,
    Vinaphone,
    Mobifone,
    Vietnamobile,
    Gmobile,
    Itel,
    Reddi,
}

impl Carrier {
    /// The brand as the operator writes it.
    pub fn name(self) -> &'static str {
        match self {
            Carrier::Viettel => "Viettel",
            Carrier::Vinaphone => "VinaPhone",
            Carrier::Mobifone => "MobiFone",
            Carrier::Vietnamobile => "Vietnamobile",
            Carrier::Gmobile => "Gmobile",
            Carrier::Itel => "iTel",
            Carrier::Reddi => "Reddi",
        }
    }
}

/// The three-digit mobile prefixes (0 + network code) and who was assigned each, as in
/// docs/domain.md. Subscribers may port a number to another operator, so this names the
/// original network, which is what a desk needs to recognise a mobile number.
pub const MOBILE_PREFIXES: &[(&str, Carrier)] = &[
    ("032", Carrier::Viettel),
    ("033", Carrier::Viettel),
    ("034", Carrier::Viettel),
    ("035", Carrier::Viettel),
    ("036", Carrier::Viettel),
    ("037", Carrier::Viettel),
    ("038", Carrier::Viettel),
    ("039", Carrier::Viettel),
    ("052", Carrier::Vietnamobile),
    ("055", Carrier::Reddi),
    ("056", Carrier::Vietnamobile),
    ("058", Carrier::Vietnamobile),
    ("059", Carrier::Gmobile),
    ("070", Carrier::Mobifone),
    ("076", Carrier::Mobifone),
    ("077", Carrier::Mobifone),
    ("078", Carrier::Mobifone),
    ("079", Carrier::Mobifone),
    ("081", Carrier::Vinaphone),
    ("082", Carrier::Vinaphone),
    ("083", Carrier::Vinaphone),
    ("084", Carrier::Vinaphone),
    ("085", Carrier::Vinaphone),
    ("086", Carrier::Viettel),
    ("087", Carrier::Itel),
    ("088", Carrier::Vinaphone),
    ("089", Carrier::Mobifone),
    ("090", Carrier::Mobifone),
    ("091", Carrier::Vinaphone),
    ("092", Carrier::Vietnamobile),
    ("093", Carrier::Mobifone),
    ("094", Carrier::Vinaphone),
    ("096", Carrier::Viettel),
    ("097", Carrier::Viettel),
    ("098", Carrier::Viettel),
    ("099", Carrier::Gmobile),
];

/// Landline area codes of the 2017 scheme (Decision 2036/QĐ-BTTTT), one per province,
/// with the province name as in the identity-number table. Hà Nội and Thành phố Hồ Chí
/// Minh have two-digit codes (024, 028) and 8-digit subscriber numbers; every other
/// province has a three-digit code (02xx) and 7-digit subscriber numbers, so a landline
/// is always 11 digits. No code is a prefix of another, so a number matches at most one.
pub const AREA_CODES: &[(&str, &str)] = &[
    ("024", "Hà Nội"),
    ("028", "Thành phố Hồ Chí Minh"),
    ("0203", "Quảng Ninh"),
    ("0204", "Bắc Giang"),
    ("0205", "Lạng Sơn"),
    ("0206", "Cao Bằng"),
    ("0207", "Tuyên Quang"),
    ("0208", "Thái Nguyên"),
    ("0209", "Bắc Kạn"),
    ("0210", "Phú Thọ"),
    ("0211", "Vĩnh Phúc"),
    ("0212", "Sơn La"),
    ("0213", "Lai Châu"),
    ("0214", "Lào Cai"),
    ("0215", "Điện Biên"),
    ("0216", "Yên Bái"),
    ("0218", "Hòa Bình"),
    ("0219", "Hà Giang"),
    ("0220", "Hải Dương"),
    ("0221", "Hưng Yên"),
    ("0222", "Bắc Ninh"),
    ("0225", "Hải Phòng"),
    ("0226", "Hà Nam"),
    ("0227", "Thái Bình"),
    ("0228", "Nam Định"),
    ("0229", "Ninh Bình"),
    ("0232", "Quảng Bình"),
    ("0233", "Quảng Trị"),
    ("0234", "Thừa Thiên Huế"),
    ("0235", "Quảng Nam"),
    ("0236", "Đà Nẵng"),
    ("0237", "Thanh Hóa"),
    ("0238", "Nghệ An"),
    ("0239", "Hà Tĩnh"),
    ("0251", "Đồng Nai"),
    ("0252", "Bình Thuận"),
    ("0254", "Bà Rịa - Vũng Tàu"),
    ("0255", "Quảng Ngãi"),
    ("0256", "Bình Định"),
    ("0257", "Phú Yên"),
    ("0258", "Khánh Hòa"),
    ("0259", "Ninh Thuận"),
    ("0260", "Kon Tum"),
    ("0261", "Đắk Nông"),
    ("0262", "Đắk Lắk"),
    ("0263", "Lâm Đồng"),
    ("0269", "Gia Lai"),
    ("0270", "Vĩnh Long"),
    ("0271", "Bình Phước"),
    ("0272", "Long An"),
    ("0273", "Tiền Giang"),
    ("0274", "Bình Dương"),
    ("0275", "Bến Tre"),
    ("0276", "Tây Ninh"),
    ("0277", "Đồng Tháp"),
    ("0290", "Cà Mau"),
    ("0291", "Bạc Liêu"),
    ("0292", "Cần Thơ"),
    ("0293", "Hậu Giang"),
    ("0294", "Trà Vinh"),
    ("0296", "An Giang"),
    ("0297", "Kiên Giang"),
    ("0299", "Sóc Trăng"),
];

/// Length of a mobile number, leading 0 included.
const MOBILE_LEN: usize = 10;
/// Length of a landline number, leading 0 and area code included.
const LANDLINE_LEN: usize = 11;
/// Every landline (and no mobile) number starts with this since 2017.
const LANDLINE_START: &str = "02";
/// Vietnam's country calling code.
const COUNTRY_CODE: &str = "84";
/// The international call prefix dialled from Vietnam, as in `0084 912 345 678`.
const INTERNATIONAL_PREFIX: &str = "00";
/// Characters people use to group digits; they carry no meaning.
const SEPARATORS: &[char] = &['.', '-', '(', ')'];

/// The carrier of a mobile prefix ("091" → VinaPhone).
pub fn carrier_of_prefix(prefix: &str) -> Option<Carrier> {
    MOBILE_PREFIXES
        .iter()
        .find(|&&(p, _)| p == prefix)
        .map(|&(_, c)| c)
}

/// The area-code entry a national landline number starts with.
fn area_of(number: &str) -> Option<(&'static str, &'static str)> {
    AREA_CODES
        .iter()
        .copied()
        .find(|&(code, _)| number.starts_with(code))
}

/// Mobile or landline, for length errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhoneKind {
    Mobile,
    Landline,
}

impl PhoneKind {
    /// The number of digits this kind of number has, leading 0 included.
    pub fn digits(self) -> usize {
        match self {
            PhoneKind::Mobile => MOBILE_LEN,
            PhoneKind::Landline => LANDLINE_LEN,
        }
    }

    /// "mobile" or "landline", for English logs.
    pub fn name(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "mobile",
            PhoneKind::Landline => "landline",
        }
    }

    /// Which kind a national number (leading 0) is meant to be: landlines start `02`.
    fn of(national: &str) -> PhoneKind {
        if national.starts_with(LANDLINE_START) {
            PhoneKind::Landline
        } else {
            PhoneKind::Mobile
        }
    }
}

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhoneError {
    #[error("the phone number is empty")]
    Empty,
    #[error("the phone number contains {found:?}, which is not a digit")]
    InvalidCharacter { found: char },
    #[error("the phone number has a country code other than +84")]
    Foreign,
    #[error("a {} number must have {} digits, {got} were given", .kind.name(), .kind.digits())]
    Length { kind: PhoneKind, got: usize },
    #[error("{prefix} is not a Vietnamese mobile prefix")]
    Prefix { prefix: String },
    #[error("{code} is not a Vietnamese landline area code")]
    AreaCode { code: String },
}

impl RuleError for PhoneError {
    fn code(&self) -> &'static str {
        match self {
            PhoneError::Empty => "phone_empty",
            PhoneError::InvalidCharacter { .. } => "phone_invalid",
            PhoneError::Foreign => "phone_country",
            PhoneError::Length { .. } => "phone_length",
            PhoneError::Prefix { .. } => "phone_prefix",
            PhoneError::AreaCode { .. } => "phone_area_code",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (PhoneError::Empty, Lang::Vi) => "Chưa nhập số điện thoại. Hãy nhập số di động \
                10 chữ số (ví dụ 0912 345 678) hoặc số cố định 11 chữ số có mã vùng \
                (ví dụ 0275 3822 123)."
                .to_owned(),
            (PhoneError::Empty, Lang::En) => "No phone number was entered. Please enter a \
                10-digit mobile number (e.g. 0912 345 678) or an 11-digit landline number \
                with its area code (e.g. 0275 3822 123)."
                .to_owned(),
            (PhoneError::InvalidCharacter { found }, Lang::Vi) => format!(
                "Số điện thoại có ký tự không hợp lệ «{found}». Hãy chỉ nhập chữ số; được \
                 dùng dấu cách, dấu chấm, gạch ngang, ngoặc đơn và +84 ở đầu."
            ),
            (PhoneError::InvalidCharacter { found }, Lang::En) => format!(
                "The phone number contains \"{found}\", which is not allowed. Please enter \
                 digits only; spaces, dots, dashes, brackets and a leading +84 are fine."
            ),
            (PhoneError::Foreign, Lang::Vi) => "Chỉ nhận số điện thoại Việt Nam (mã quốc \
                gia +84). Hãy nhập số trong nước, bắt đầu bằng 0."
                .to_owned(),
            (PhoneError::Foreign, Lang::En) => "Only Vietnamese phone numbers (country code \
                +84) are accepted. Please enter a domestic number starting with 0."
                .to_owned(),
            (PhoneError::Length { kind, got }, Lang::Vi) => match kind {
                PhoneKind::Mobile => format!(
                    "Số di động phải có đúng 10 chữ số, bắt đầu bằng 0 (đã nhập {got} chữ \
                     số). Hãy kiểm tra lại số."
                ),
                PhoneKind::Landline => format!(
                    "Số cố định phải có đúng 11 chữ số, gồm cả mã vùng (đã nhập {got} chữ \
                     số). Hãy kiểm tra lại mã vùng và số máy, ví dụ 0275 3822 123."
                ),
            },
            (PhoneError::Length { kind, got }, Lang::En) => match kind {
                PhoneKind::Mobile => format!(
                    "A mobile number must have exactly 10 digits, starting with 0 ({got} \
                     digits were entered). Please check the number."
                ),
                PhoneKind::Landline => format!(
                    "A landline number must have exactly 11 digits, area code included \
                     ({got} digits were entered). Please check the area code and the \
                     number, e.g. 0275 3822 123."
                ),
            },
            (PhoneError::Prefix { prefix }, Lang::Vi) => format!(
                "Đầu số {prefix} không phải đầu số di động của nhà mạng nào ở Việt Nam. \
                 Hãy kiểm tra lại số; số 11 chữ số cũ đã đổi sang đầu số mới từ năm 2018."
            ),
            (PhoneError::Prefix { prefix }, Lang::En) => format!(
                "{prefix} is not the prefix of any Vietnamese mobile network. Please check \
                 the number; old 11-digit numbers moved to new prefixes in 2018."
            ),
            (PhoneError::AreaCode { code }, Lang::Vi) => format!(
                "{code} không phải mã vùng điện thoại cố định của tỉnh, thành phố nào. \
                 Hãy kiểm tra lại mã vùng (mã mới từ năm 2017, ví dụ 024 Hà Nội, 0275 \
                 Bến Tre)."
            ),
            (PhoneError::AreaCode { code }, Lang::En) => format!(
                "{code} is not a landline area code. Please check the area code (the codes \
                 in use since 2017, e.g. 024 Hà Nội, 0275 Bến Tre)."
            ),
        }
    }
}

/// Reduces what a person typed to the national number, digits only with its leading 0:
/// drops spaces, dots, dashes and brackets, and turns `+84…`, `0084…` and `84…` into
/// `0…`. A bare `84…` is taken as the country code only when the result has the length
/// of a mobile or landline number, since an 84 could begin a mistyped national number.
/// The length and prefix are not checked here; [`parse_phone`] does that.
pub fn normalize(input: &str) -> Result<String, PhoneError> {
    let mut digits = String::with_capacity(input.len());
    let mut plus = false;
    for c in input.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c == '+' && digits.is_empty() && !plus {
            plus = true;
        } else if !(c.is_whitespace() || SEPARATORS.contains(&c)) {
            return Err(PhoneError::InvalidCharacter { found: c });
        }
    }
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }

    let international = if plus {
        Some(
            digits
                .strip_prefix(COUNTRY_CODE)
                .ok_or(PhoneError::Foreign)?,
        )
    } else if let Some(rest) = digits.strip_prefix(INTERNATIONAL_PREFIX) {
        Some(rest.strip_prefix(COUNTRY_CODE).ok_or(PhoneError::Foreign)?)
    } else {
        None
    };
    if let Some(rest) = international {
        return Ok(national(rest));
    }
    if let Some(rest) = digits.strip_prefix(COUNTRY_CODE) {
        let candidate = national(rest);
        if candidate.len() == PhoneKind::of(&candidate).digits() {
            return Ok(candidate);
        }
    }
    Ok(digits)
}

/// The national form of the digits after the country code. People often keep the trunk
/// 0 after it ("+84 (0)912 …"); national significant numbers never start with 0, so a
/// leading 0 there is that trunk 0.
fn national(after_country_code: &str) -> String {
    if after_country_code.starts_with('0') {
        after_country_code.to_owned()
    } else {
        format!("0{after_country_code}")
    }
}

/// A valid Vietnamese phone number, in national form (digits, leading 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Phone {
    Mobile {
        number: String,
        carrier: Carrier,
    },
    Landline {
        number: String,
        /// The province of the area code.
        area: &'static str,
    },
}

impl Phone {
    /// The digits, e.g. `0912345678`.
    pub fn number(&self) -> &str {
        match self {
            Phone::Mobile { number, .. } | Phone::Landline { number, .. } => number,
        }
    }

    /// The carrier of a mobile number.
    pub fn carrier(&self) -> Option<Carrier> {
        match self {
            Phone::Mobile { carrier, .. } => Some(*carrier),
            Phone::Landline { .. } => None,
        }
    }

    /// The province of a landline number.
    pub fn area(&self) -> Option<&'static str> {
        match self {
            Phone::Mobile { .. } => None,
            Phone::Landline { area, .. } => Some(area),
        }
    }
}

/// Writes `digits` in groups of the given sizes separated by spaces; what is left after
/// the groups goes in a last group. The digits are ASCII, but `get` keeps this
/// panic-free whatever it is given.
fn write_grouped(f: &mut fmt::Formatter<'_>, digits: &str, groups: &[usize]) -> fmt::Result {
    let mut start = 0;
    for &len in groups {
        match digits.get(start..start + len) {
            Some(group) => {
                if start > 0 {
                    f.write_str(" ")?;
                }
                f.write_str(group)?;
                start += len;
            }
            None => break,
        }
    }
    match digits.get(start..) {
        Some(rest) if !rest.is_empty() => {
            if start > 0 {
                f.write_str(" ")?;
            }
            f.write_str(rest)
        }
        Some(_) => Ok(()),
        None => f.write_str(digits),
    }
}

impl fmt::Display for Phone {
    /// Grouped for reading aloud: `0912 345 678`, `0275 3822 123`, `028 3822 1234`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Phone::Mobile { number, .. } => write_grouped(f, number, &[4, 3]),
            Phone::Landline { number, .. } => {
                // Area code, then the subscriber number in two halves (4 + 4 or 4 + 3).
                let area_len = area_of(number).map_or(4, |(code, _)| code.len());
                write_grouped(f, number, &[area_len, 4])
            }
        }
    }
}

/// Parses a Vietnamese mobile or landline number in any common written form
/// (see [`normalize`]), checking its length and its mobile prefix or area code.
pub fn parse_phone(input: &str) -> Result<Phone, PhoneError> {
    let number = normalize(input)?;
    let kind = PhoneKind::of(&number);
    if number.len() != kind.digits() {
        return Err(PhoneError::Length {
            kind,
            got: number.len(),
        });
    }
    // The number is all ASCII digits from here on, so these slices are on char
    // boundaries; `get` keeps that from being a panic if it ever were not.
    match kind {
        PhoneKind::Mobile => {
            let prefix = number.get(..3).unwrap_or_default();
            match carrier_of_prefix(prefix) {
                Some(carrier) => Ok(Phone::Mobile { number, carrier }),
                None => Err(PhoneError::Prefix {
                    prefix: prefix.to_owned(),
                }),
            }
        }
        PhoneKind::Landline => match area_of(&number) {
            Some((_, area)) => Ok(Phone::Landline { number, area }),
            None => Err(PhoneError::AreaCode {
                code: number.get(..4).unwrap_or_default().to_owned(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::identity::PROVINCES;
    use proptest::prelude::*;

    fn mobile(number: &str, carrier: Carrier) -> Phone {
        Phone::Mobile {
            number: number.into(),
            carrier,
        }
    }

    #[test]
    fn every_prefix_maps_to_its_carrier() {
        use Carrier::*;
        let expected: &[(Carrier, &[&str])] = &[
            (
                Viettel,
                &[
                    "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097",
                    "098",
                ],
            ),
            (
                Vinaphone,
                &["081", "082", "083", "084", "085", "088", "091", "094"],
            ),
            (
                Mobifone,
                &["070", "076", "077", "078", "079", "089", "090", "093"],
            ),
            (Vietnamobile, &["052", "056", "058", "092"]),
            (Gmobile, &["059", "099"]),
            (Itel, &["087"]),
            (Reddi, &["055"]),
        ];
        let mut count = 0;
        for &(carrier, prefixes) in expected {
            for p in prefixes {
                assert_eq!(carrier_of_prefix(p), Some(carrier), "{p}");
                let n = format!("{p}1234567");
                assert_eq!(parse_phone(&n), Ok(mobile(&n, carrier)));
                count += 1;
            }
        }
        assert_eq!(count, MOBILE_PREFIXES.len(), "no prefix outside the list");
        for p in ["031", "050", "071", "080", "095", "012", "016", "020"] {
            assert_eq!(carrier_of_prefix(p), None, "{p}");
        }
    }

    #[test]
    fn prefix_table_has_no_duplicates() {
        let mut prefixes: Vec<&str> = MOBILE_PREFIXES.iter().map(|&(p, _)| p).collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        assert_eq!(prefixes.len(), MOBILE_PREFIXES.len());
        assert!(prefixes.iter().all(|p| p.len() == 3 && p.starts_with('0')));
    }

    #[test]
    fn area_codes_cover_the_63_provinces_once() {
        assert_eq!(AREA_CODES.len(), 63);
        let mut names: Vec<&str> = AREA_CODES.iter().map(|&(_, n)| n).collect();
        names.sort_unstable();
        let mut provinces: Vec<&str> = PROVINCES.iter().map(|&(_, n)| n).collect();
        provinces.sort_unstable();
        assert_eq!(
            names, provinces,
            "same provinces, same spelling as identity"
        );
        for &(code, _) in AREA_CODES {
            assert!(code.starts_with("02"));
            let subscriber = LANDLINE_LEN - code.len();
            assert!(subscriber == 7 || subscriber == 8, "{code}");
            // No code is a prefix of another, so matching is unambiguous.
            let clashes = AREA_CODES
                .iter()
                .filter(|&&(other, _)| other.starts_with(code))
                .count();
            assert_eq!(clashes, 1, "{code}");
        }
    }

    #[test]
    fn landlines() {
        let p = parse_phone("(0275) 3822 123").unwrap();
        assert_eq!(
            p,
            Phone::Landline {
                number: "02753822123".into(),
                area: "Bến Tre"
            }
        );
        assert_eq!(p.to_string(), "0275 3822 123");
        assert_eq!(p.area(), Some("Bến Tre"));
        assert_eq!(p.carrier(), None);

        let p = parse_phone("028 3822 1234").unwrap();
        assert_eq!(p.area(), Some("Thành phố Hồ Chí Minh"));
        assert_eq!(p.to_string(), "028 3822 1234");
        let p = parse_phone("+84 24 3825 3536").unwrap();
        assert_eq!(p.number(), "02438253536");
        assert_eq!(p.area(), Some("Hà Nội"));
        assert_eq!(p.to_string(), "024 3825 3536");
        let p = parse_phone("84 299 3822 123").unwrap();
        assert_eq!(p.area(), Some("Sóc Trăng"));
    }

    #[test]
    fn normalization_forms() {
        for s in [
            "0912345678",
            "+84 912 345 678",
            "+84912345678",
            "84912345678",
            "0084 912 345 678",
            "0912.345.678",
            "0912-345-678",
            "(091) 234 5678",
            "+84 (0) 912 345 678",
            " \t0912 345 678\n",
            "0912\u{a0}345\u{a0}678",
        ] {
            assert_eq!(normalize(s).as_deref(), Ok("0912345678"), "{s:?}");
            let p = parse_phone(s).unwrap();
            assert_eq!(p, mobile("0912345678", Carrier::Vinaphone), "{s:?}");
            assert_eq!(p.to_string(), "0912 345 678");
        }
        assert_eq!(normalize("(0275) 3822 123").as_deref(), Ok("02753822123"));
        assert_eq!(normalize("842753822123").as_deref(), Ok("02753822123"));
        // A bare 84 that would not give a valid length is left alone.
        assert_eq!(normalize("8491234567").as_deref(), Ok("8491234567"));
        // A mobile number whose national form starts 084 is not mistaken for +84.
        assert_eq!(normalize("0845123456").as_deref(), Ok("0845123456"));
        assert_eq!(
            parse_phone("0845123456").unwrap().carrier(),
            Some(Carrier::Vinaphone)
        );
    }

    #[test]
    fn errors() {
        assert_eq!(normalize(""), Err(PhoneError::Empty));
        assert_eq!(parse_phone("  - . ()"), Err(PhoneError::Empty));
        assert_eq!(parse_phone("+"), Err(PhoneError::Empty));
        assert_eq!(
            parse_phone("0912 345 67x"),
            Err(PhoneError::InvalidCharacter { found: 'x' })
        );
        assert_eq!(
            parse_phone("0912+345678"),
            Err(PhoneError::InvalidCharacter { found: '+' })
        );
        assert_eq!(
            parse_phone("++84912345678"),
            Err(PhoneError::InvalidCharacter { found: '+' })
        );
        assert_eq!(
            parse_phone("０912345678"),
            Err(PhoneError::InvalidCharacter { found: '０' })
        );
        assert_eq!(parse_phone("+1 202 555 0100"), Err(PhoneError::Foreign));
        assert_eq!(parse_phone("001 202 555 0100"), Err(PhoneError::Foreign));
        assert_eq!(
            parse_phone("091234567"),
            Err(PhoneError::Length {
                kind: PhoneKind::Mobile,
                got: 9
            })
        );
        assert_eq!(
            parse_phone("01234567890"),
            Err(PhoneError::Length {
                kind: PhoneKind::Mobile,
                got: 11
            }),
            "pre-2018 11-digit mobile numbers are gone"
        );
        assert_eq!(
            parse_phone("0275382212"),
            Err(PhoneError::Length {
                kind: PhoneKind::Landline,
                got: 10
            })
        );
        assert_eq!(
            parse_phone("0952345678"),
            Err(PhoneError::Prefix {
                prefix: "095".into()
            })
        );
        assert_eq!(
            parse_phone("9123456789"),
            Err(PhoneError::Prefix {
                prefix: "912".into()
            })
        );
        assert_eq!(
            parse_phone("02173822123"),
            Err(PhoneError::AreaCode {
                code: "0217".into()
            })
        );
        assert_eq!(
            parse_phone("02003822123"),
            Err(PhoneError::AreaCode {
                code: "0200".into()
            })
        );
    }

    #[test]
    fn error_codes_and_messages() {
        let errors = [
            PhoneError::Empty,
            PhoneError::InvalidCharacter { found: 'x' },
            PhoneError::Foreign,
            PhoneError::Length {
                kind: PhoneKind::Mobile,
                got: 9,
            },
            PhoneError::Length {
                kind: PhoneKind::Landline,
                got: 10,
            },
            PhoneError::Prefix {
                prefix: "095".into(),
            },
            PhoneError::AreaCode {
                code: "0217".into(),
            },
        ];
        let codes: Vec<&str> = errors.iter().map(RuleError::code).collect();
        assert_eq!(
            codes,
            [
                "phone_empty",
                "phone_invalid",
                "phone_country",
                "phone_length",
                "phone_length",
                "phone_prefix",
                "phone_area_code"
            ]
        );
        for e in &errors {
            let vi = e.message(Lang::Vi);
            let en = e.message(Lang::En);
            assert!(vi.contains("Hãy"), "{vi}");
            assert!(en.contains("Please"), "{en}");
            assert!(!e.to_string().is_empty());
        }
        assert!(errors[3].message(Lang::Vi).contains("đã nhập 9 chữ số"));
        assert_eq!(
            errors[4].to_string(),
            "a landline number must have 11 digits, 10 were given"
        );
    }

    #[test]
    fn carrier_names() {
        assert_eq!(Carrier::Vinaphone.name(), "VinaPhone");
        assert_eq!(Carrier::Mobifone.name(), "MobiFone");
        assert_eq!(Carrier::Itel.name(), "iTel");
    }

    fn valid_mobile() -> impl Strategy<Value = (String, Carrier)> {
        (0..MOBILE_PREFIXES.len(), 0u32..10_000_000).prop_map(|(i, rest)| {
            let (prefix, carrier) = MOBILE_PREFIXES[i];
            (format!("{prefix}{rest:07}"), carrier)
        })
    }

    proptest! {
        #[test]
        fn never_panics_on_unicode(s in "\\PC*") {
            let _ = normalize(&s);
            if let Ok(p) = parse_phone(&s) {
                let _ = p.to_string();
            }
        }

        #[test]
        fn never_panics_on_any_chars(s in ".*") {
            if let Err(e) = parse_phone(&s) {
                let _ = e.message(Lang::Vi);
                let _ = e.message(Lang::En);
            }
        }

        #[test]
        fn never_panics_on_phone_like(s in "[0-9 .()+-]{0,20}") {
            match parse_phone(&s) {
                Ok(p) => {
                    prop_assert!(p.number().bytes().all(|b| b.is_ascii_digit()));
                    prop_assert_eq!(p.to_string().replace(' ', ""), p.number());
                }
                Err(e) => { let _ = e.message(Lang::Vi); }
            }
        }

        #[test]
        fn valid_mobiles_parse((number, carrier) in valid_mobile()) {
            let p = parse_phone(&number).unwrap();
            prop_assert_eq!(p.number(), number.as_str());
            prop_assert_eq!(p.carrier(), Some(carrier));
            let shown = p.to_string();
            prop_assert_eq!(parse_phone(&shown).unwrap(), p.clone());
            // The international forms give the same number.
            let intl = format!("+84 {}", &number[1..]);
            prop_assert_eq!(parse_phone(&intl).unwrap(), p.clone());
            let bare = format!("84{}", &number[1..]);
            prop_assert_eq!(parse_phone(&bare).unwrap(), p);
        }

        #[test]
        fn valid_landlines_parse(i in 0..AREA_CODES.len(), subscriber in 0u64..100_000_000) {
            let (code, area) = AREA_CODES[i];
            let width = LANDLINE_LEN - code.len();
            let sub = format!("{subscriber:08}");
            let number = format!("{code}{}", &sub[8 - width..]);
            let p = parse_phone(&number).unwrap();
            prop_assert_eq!(p.area(), Some(area));
            prop_assert_eq!(p.number(), number.as_str());
            prop_assert_eq!(parse_phone(&p.to_string()).unwrap(), p);
        }
    }
}
