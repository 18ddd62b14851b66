//! Made-up citizens for a bulk-loaded office: names drawn from the common Vietnamese
//! family, middle and given names with family names weighted roughly as they are spread
//! in the population (Nguyễn over a third), so a full name is shared by a few people, as
//! at a real desk, and one family name by many. Identity numbers are well-formed
//! (province 083, the century-and-gender digit agreeing with the date of birth) and
//! invented.

use super::pick;
use crate::domain::identity::Gender;
use chrono::NaiveDate;

/// Family names with a weight in per mille of the population, roughly (the rest of the
/// thousand hold rarer names, left out).
const FAMILIES: &[(&str, usize)] = &[
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Huỳnh", 50),
    ("Phan", 45),
    ("Võ", 40),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Trương", 5),
    ("Đinh", 4),
];

const MALE_MIDDLE: &[&str] = &[
    "Văn", "Hữu", "Minh", "Quốc", "Thanh", "Hoàng", "Đức", "Công", "Tấn", "Trung",
];
const FEMALE_MIDDLE: &[&str] = &[
    "Thị", "Ngọc", "Thanh", "Kim", "Thu", "Bích", "Mỹ", "Thùy", "Hồng", "Phương",
];
const MALE_GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hòa", "Hùng", "Huy", "Khang",
    "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Nhân", "Phong", "Phúc", "Quang",
    "Sơn", "Tài", "Thắng", "Thành", "Tiến", "Toàn", "Trí", "Trung", "Tuấn", "Việt", "Vinh",
];
const FEMALE_GIVEN: &[&str] = &[
    "Anh",
    "Châu",
    "Diễm",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hoa",
    "Hương",
    "Huyền",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phượng",
    "Quyên",
    "Tâm",
    "Thảo",
    "Trang",
    "Trinh",
    "Tuyết",
    "Vân",
    "Yến",
];
const STREETS: &[&str] = &[
    "Hùng Vương",
    "Nguyễn Đình Chiểu",
    "Đồng Khởi",
    "Trương Định",
    "Hai Bà Trưng",
    "Lê Lợi",
    "Nguyễn Huệ",
    "Cách Mạng Tháng Tám",
];
/// The first digits of Vietnamese mobile numbers (Viettel, Mobifone, Vinaphone).
const MOBILE: &[&str] = &[
    "032", "034", "036", "038", "070", "077", "081", "085", "090", "093",
];

/// One made-up citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub full_name: String,
    pub gender: Gender,
    pub date_of_birth: NaiveDate,
    pub id_number: String,
    pub phone: String,
    pub address: String,
}

/// The `i`-th made-up person of a run; `salt` tells runs (offices) apart, and `attempt`
/// gives another identity number for the same person when one is taken.
pub fn person(i: usize, salt: u64, attempt: u64, place: &str) -> Person {
    let gender = if pick(i, salt ^ 0x5e, 2) == 0 {
        Gender::Male
    } else {
        Gender::Female
    };
    let (middles, givens) = match gender {
        Gender::Male => (MALE_MIDDLE, MALE_GIVEN),
        Gender::Female => (FEMALE_MIDDLE, FEMALE_GIVEN),
    };
    let full_name = format!(
        "{} {} {}",
        family(pick(i, salt ^ 0xfa, FAMILIES.iter().map(|(_, w)| w).sum())),
        middles[pick(i, salt ^ 0x3d, middles.len())],
        givens[pick(i, salt ^ 0x61, givens.len())]
    );
    // Adults born 1950–2007.
    let year = 1950 + pick(i, salt ^ 0xb0, 58) as i32;
    let date_of_birth = NaiveDate::from_yo_opt(year, 1 + pick(i, salt ^ 0xd0, 365) as u32)
        .unwrap_or(NaiveDate::MIN);
    let century_gender = match (year >= 2000, gender) {
        (false, Gender::Male) => 0,
        (false, Gender::Female) => 1,
        (true, Gender::Male) => 2,
        (true, Gender::Female) => 3,
    };
    let serial = pick(i, salt ^ 0x1d ^ attempt.rotate_left(8), 1_000_000);
    let id_number = format!("083{century_gender}{:02}{serial:06}", year % 100);
    let phone = format!(
        "{}{:07}",
        MOBILE[pick(i, salt ^ 0x70, MOBILE.len())],
        pick(i, salt ^ 0x71, 10_000_000)
    );
    let address = format!(
        "Số {} đường {}, {place}",
        1 + pick(i, salt ^ 0xad, 300),
        STREETS[pick(i, salt ^ 0xae, STREETS.len())]
    );
    Person {
        full_name,
        gender,
        date_of_birth,
        id_number,
        phone,
        address,
    }
}

/// The family name at `at` (0 up to the weights' sum) of the weighted list.
fn family(at: usize) -> &'static str {
    let mut left = at;
    for (name, weight) in FAMILIES {
        if left < *weight {
            return name;
        }
        left -= weight;
    }
    FAMILIES[0].0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::identity::validate_cccd;
    use crate::domain::phone::parse_phone;
    use std::collections::HashMap;

    #[test]
    fn people_carry_valid_agreeing_numbers() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        for i in 0..5_000 {
            let p = person(i, 7, 0, "Phường An Hội");
            validate_cccd(&p.id_number, today, Some(p.date_of_birth), Some(p.gender))
                .unwrap_or_else(|e| panic!("{p:?}: {e}"));
            parse_phone(&p.phone).unwrap_or_else(|e| panic!("{p:?}: {e}"));
        }
    }

    #[test]
    fn full_names_repeat_a_little_and_family_names_a_lot() {
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut nguyen = 0;
        let n = 20_000;
        for i in 0..n {
            let p = person(i, 1, 0, "Phường An Hội");
            nguyen += usize::from(p.full_name.starts_with("Nguyễn "));
            *names.entry(p.full_name).or_default() += 1;
        }
        // About 42 % Nguyễn (38 ‰ of 895); thousands of distinct names; none held by more than 1 %.
        assert!((7_800..9_200).contains(&nguyen), "{nguyen}");
        assert!(names.len() > 4_000, "{}", names.len());
        let most = names.values().max().copied().unwrap_or(0);
        assert!(most < n / 100, "{most}");
    }
}
