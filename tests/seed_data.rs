//! The seed data of the portal: the sample procedure catalog and the demo people and
//! places. Both files are data that the portal loads at start-up, so a typo in them is
//! caught here rather than by a trainee on the demo server.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use motcua::domain::calendar::DurationUnit;
use motcua::domain::catalog::{Duration, OnlineLevel, Procedure};
use motcua::domain::dossier_code::UnitCode;
use motcua::domain::fees::{Channel, FeeInput, FeeRule, FeeSchedule, PaymentTiming};
use motcua::domain::identity::{Gender, validate_cccd};
use motcua::domain::phone::{Phone, parse_phone};
use motcua::domain::text::Matcher;
use motcua::domain::workflow::Role;
use serde::Deserialize;

const PROCEDURES: &str = include_str!("../src/portal/seed/procedures.toml");
const DEMO: &str = include_str!("../src/portal/seed/demo.toml");

#[derive(Deserialize)]
struct Catalog {
    procedure: Vec<Procedure>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Demo {
    office: Vec<Office>,
    citizen: Vec<Citizen>,
    staff_name: Vec<StaffName>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Office {
    number: u32,
    code: String,
    name: String,
    address: String,
    phone: String,
    bank_bin: String,
    bank_account: String,
    account_name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Citizen {
    office: u32,
    id_number: String,
    full_name: String,
    date_of_birth: toml::value::Datetime,
    gender: Gender,
    phone: String,
    #[serde(default)]
    email: Option<String>,
    address: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StaffName {
    office: u32,
    role: Role,
    full_name: String,
}

fn catalog() -> Vec<Procedure> {
    toml::from_str::<Catalog>(PROCEDURES)
        .expect("procedures.toml deserializes into the catalog types")
        .procedure
}

fn demo() -> Demo {
    toml::from_str(DEMO).expect("demo.toml deserializes")
}

fn procedure<'a>(catalog: &'a [Procedure], code: &str) -> &'a Procedure {
    catalog
        .iter()
        .find(|p| p.code == code)
        .unwrap_or_else(|| panic!("procedure {code} is in the catalog"))
}

/// The procedure whose name contains `needle` (the codes not given by docs/domain.md are
/// samples, so those procedures are found by name).
fn named<'a>(catalog: &'a [Procedure], needle: &str) -> &'a Procedure {
    let found: Vec<&Procedure> = catalog
        .iter()
        .filter(|p| Matcher::new(needle).matches(&p.name))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "exactly one procedure is named like {needle:?}"
    );
    found[0]
}

fn fee(schedule: &FeeSchedule, channel: Channel, pages: u32, copies: u32) -> u64 {
    schedule.amount(&FeeInput {
        channel,
        pages,
        copies,
    })
}

fn working_days(amount: u32) -> Duration {
    Duration {
        amount,
        unit: DurationUnit::WorkingDays,
    }
}

fn dob(c: &Citizen) -> NaiveDate {
    let text = c.date_of_birth.to_string();
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .unwrap_or_else(|e| panic!("{}: date of birth {text} is a plain date: {e}", c.full_name))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

fn is_snake_case(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !s.starts_with('_')
        && !s.ends_with('_')
        && !s.contains("__")
}

// ---------------------------------------------------------------------------------------
// procedures.toml
// ---------------------------------------------------------------------------------------

#[test]
fn all_ten_procedures_are_present_with_the_domain_codes() {
    let catalog = catalog();
    assert_eq!(catalog.len(), 10);
    for code in ["1.001193", "1.000894", "1.000656", "1.004222", "1.004194"] {
        procedure(&catalog, code);
    }
    assert!(procedure(&catalog, "1.001193").name.contains("khai sinh"));
    assert!(procedure(&catalog, "1.000894").name.contains("kết hôn"));
    assert!(procedure(&catalog, "1.000656").name.contains("khai tử"));
    assert!(procedure(&catalog, "1.004222").name.contains("thường trú"));
    assert!(procedure(&catalog, "1.004194").name.contains("tạm trú"));
    // The five without a code in docs/domain.md, by name.
    for needle in [
        "xac nhan tinh trang hon nhan",
        "chung thuc ban sao tu ban chinh",
        "chung thuc chu ky",
        "chung thuc hop dong",
        "ban sao trich luc ho tich",
    ] {
        named(&catalog, needle);
    }
    for p in &catalog {
        let (major, minor) = p
            .code
            .split_once('.')
            .unwrap_or_else(|| panic!("{} has the national code shape", p.code));
        assert!(
            major.len() == 1
                && minor.len() == 6
                && (major.bytes().chain(minor.bytes())).all(|b| b.is_ascii_digit()),
            "{} has the national code shape d.dddddd",
            p.code
        );
        assert!(!p.name.is_empty() && !p.legal_basis.is_empty());
        assert!(!p.cases.is_empty() && p.cases.len() <= 3, "{}", p.code);
        assert!(!p.delivery.is_empty(), "{} has delivery methods", p.code);
    }
}

#[test]
fn fields_and_authorities_are_the_ward_ones() {
    let catalog = catalog();
    let fields: BTreeSet<&str> = catalog.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, BTreeSet::from(["Chứng thực", "Cư trú", "Hộ tịch"]));
    for p in &catalog {
        let expected = if p.field == "Cư trú" {
            "Công an cấp xã"
        } else {
            "UBND cấp xã"
        };
        assert_eq!(p.authority, expected, "{}", p.code);
    }
    for code in ["1.001193", "1.000894", "1.000656"] {
        assert!(
            procedure(&catalog, code)
                .legal_basis
                .contains("Luật Hộ tịch 2014")
        );
    }
}

#[test]
fn ids_are_unique_and_snake_case() {
    let catalog = catalog();
    let codes: HashSet<&str> = catalog.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes.len(), catalog.len(), "procedure codes are unique");
    for p in &catalog {
        let mut cases = HashSet::new();
        for c in &p.cases {
            assert!(is_snake_case(&c.id), "{}: case id {:?}", p.code, c.id);
            assert!(
                cases.insert(c.id.as_str()),
                "{}: case {} twice",
                p.code,
                c.id
            );
            assert!(!c.name.is_empty());
            assert!(
                c.documents.iter().any(|d| d.mandatory),
                "{}/{} requires some document",
                p.code,
                c.id
            );
            let mut parts = HashSet::new();
            for d in &c.documents {
                assert!(is_snake_case(&d.id), "{}/{}: part {:?}", p.code, c.id, d.id);
                assert!(
                    parts.insert(d.id.as_str()),
                    "{}/{}: part {} twice",
                    p.code,
                    c.id,
                    d.id
                );
                assert!(!d.name.is_empty());
                assert!(
                    d.originals + d.copies > 0,
                    "{}/{}/{} asks for something",
                    p.code,
                    c.id,
                    d.id
                );
                if let Some(form) = &d.form_template {
                    assert!(!form.is_empty());
                }
            }
        }
    }
}

#[test]
fn both_online_levels_and_every_delivery_method_are_present() {
    let catalog = catalog();
    let levels: HashSet<OnlineLevel> = catalog.iter().map(|p| p.online_level).collect();
    assert!(levels.contains(&OnlineLevel::Partial));
    assert!(levels.contains(&OnlineLevel::Full));
    assert!(
        !levels.contains(&OnlineLevel::None),
        "every sample procedure can be submitted online"
    );
    let methods: HashSet<_> = catalog.iter().flat_map(|p| p.delivery.iter()).collect();
    assert_eq!(methods.len(), 3, "in person, by post and online all occur");
    for p in &catalog {
        let unique: HashSet<_> = p.delivery.iter().collect();
        assert_eq!(unique.len(), p.delivery.len(), "{}: no repeats", p.code);
    }
}

#[test]
fn every_fee_schedule_validates() {
    for p in catalog() {
        for c in &p.cases {
            assert_eq!(c.fees.validate(), Ok(()), "{}/{}", p.code, c.id);
        }
    }
}

#[test]
fn fees_are_those_of_domain_md() {
    let catalog = catalog();
    let first = |p: &Procedure| p.cases[0].fees.clone();

    let copy = named(&catalog, "chung thuc ban sao tu ban chinh");
    for c in &copy.cases {
        assert_eq!(c.fees, FeeSchedule::certified_copy(), "{}", c.id);
        for channel in [Channel::Desk, Channel::Online] {
            assert_eq!(fee(&c.fees, channel, 1, 1), 2_000);
            assert_eq!(fee(&c.fees, channel, 2, 1), 4_000);
            assert_eq!(fee(&c.fees, channel, 3, 1), 5_000);
            assert_eq!(fee(&c.fees, channel, 300, 1), 200_000);
            assert_eq!(fee(&c.fees, channel, 300, 2), 400_000);
        }
    }

    let signature = named(&catalog, "chung thuc chu ky");
    for c in &signature.cases {
        assert_eq!(fee(&c.fees, Channel::Desk, 4, 2), 10_000);
        assert_eq!(fee(&c.fees, Channel::Online, 0, 0), 10_000);
    }
    assert_eq!(first(signature).desk, FeeRule::Fixed { amount: 10_000 });

    let contract = named(&catalog, "chung thuc hop dong");
    for c in &contract.cases {
        assert_eq!(fee(&c.fees, Channel::Desk, 12, 3), 50_000);
        assert_eq!(fee(&c.fees, Channel::Online, 12, 3), 50_000);
    }

    let permanent = procedure(&catalog, "1.004222");
    for c in &permanent.cases {
        assert_eq!(c.fees, FeeSchedule::permanent_residence(), "{}", c.id);
        assert_eq!(fee(&c.fees, Channel::Desk, 0, 0), 20_000);
        assert_eq!(fee(&c.fees, Channel::Online, 0, 0), 10_000);
    }

    let temporary = procedure(&catalog, "1.004194");
    for c in &temporary.cases {
        let desk = fee(&c.fees, Channel::Desk, 0, 0);
        let online = fee(&c.fees, Channel::Online, 0, 0);
        assert!(desk > 0 && online < desk, "{}: cheaper online", c.id);
    }

    // Civil-status registrations are free (the late birth registration excepted).
    let birth = procedure(&catalog, "1.001193");
    let on_time = birth.case("dung_han").expect("on-time birth registration");
    assert_eq!(on_time.fees, FeeSchedule::free());
    let late = birth.case("qua_han").expect("late birth registration");
    assert!(!late.fees.is_free(Channel::Desk));
    for code in ["1.000894", "1.000656"] {
        for c in &procedure(&catalog, code).cases {
            assert!(
                c.fees.is_free(Channel::Desk) && c.fees.is_free(Channel::Online),
                "{code}/{}",
                c.id
            );
        }
    }
    for c in &named(&catalog, "xac nhan tinh trang hon nhan").cases {
        assert!(c.fees.is_free(Channel::Desk) && c.fees.is_free(Channel::Online));
    }

    // Both payment timings occur, so the demo has fees paid before return too.
    let timings: Vec<PaymentTiming> = catalog
        .iter()
        .flat_map(|p| p.cases.iter().map(|c| c.fees.timing))
        .collect();
    assert!(timings.contains(&PaymentTiming::AtSubmission));
    assert!(timings.contains(&PaymentTiming::BeforeReturn));
}

#[test]
fn durations_are_those_of_domain_md() {
    let catalog = catalog();
    let all_cases = |p: &Procedure, expected: Duration| {
        for c in &p.cases {
            assert_eq!(c.desk_duration, expected, "{}/{} at the desk", p.code, c.id);
            assert_eq!(c.online_duration, expected, "{}/{} online", p.code, c.id);
        }
    };
    all_cases(procedure(&catalog, "1.001193"), working_days(0));
    all_cases(procedure(&catalog, "1.000656"), working_days(0));
    all_cases(
        named(&catalog, "xac nhan tinh trang hon nhan"),
        working_days(3),
    );
    all_cases(
        named(&catalog, "chung thuc ban sao tu ban chinh"),
        working_days(0),
    );
    all_cases(named(&catalog, "chung thuc chu ky"), working_days(0));
    all_cases(named(&catalog, "chung thuc hop dong"), working_days(2));
    all_cases(procedure(&catalog, "1.004222"), working_days(7));
    all_cases(procedure(&catalog, "1.004194"), working_days(3));
    all_cases(
        named(&catalog, "ban sao trich luc ho tich"),
        working_days(0),
    );

    let marriage = procedure(&catalog, "1.000894");
    let durations: BTreeSet<u32> = marriage
        .cases
        .iter()
        .map(|c| {
            assert_eq!(c.desk_duration.unit, DurationUnit::WorkingDays);
            c.desk_duration.amount
        })
        .collect();
    assert_eq!(
        durations,
        BTreeSet::from([0, 5]),
        "immediate, or 5 working days when verification is needed"
    );
    let verify = marriage
        .case("can_xac_minh")
        .expect("a marriage case that needs verification");
    assert!(Matcher::new("can xac minh").matches(&verify.name));
    assert_eq!(verify.desk_duration, working_days(5));
}

#[test]
fn forms_are_named_where_a_form_exists() {
    let catalog = catalog();
    let forms = |code: &str| -> Vec<String> {
        procedure(&catalog, code)
            .cases
            .iter()
            .flat_map(|c| c.documents.iter().filter_map(|d| d.form_template.clone()))
            .collect()
    };
    assert!(
        forms("1.001193")
            .iter()
            .all(|f| f == "Tờ khai đăng ký khai sinh")
    );
    assert!(!forms("1.001193").is_empty());
    assert!(
        forms("1.004222").iter().any(|f| f.contains("CT01")),
        "residence uses the CT01 declaration"
    );
}

// ---------------------------------------------------------------------------------------
// demo.toml
// ---------------------------------------------------------------------------------------

#[test]
fn offices_are_distinct_with_valid_codes_phones_and_accounts() {
    let demo = demo();
    assert!(demo.office.len() >= 3);
    let mut numbers = HashSet::new();
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for o in &demo.office {
        assert!(numbers.insert(o.number), "office number {} twice", o.number);
        let code = UnitCode::parse(&o.code)
            .unwrap_or_else(|e| panic!("office {}: unit code {}: {e}", o.number, o.code));
        assert_eq!(code.as_str(), o.code, "written in canonical form");
        assert!(codes.insert(code), "unit code {} twice", o.code);
        assert!(
            names.insert(o.name.as_str()),
            "office name {} twice",
            o.name
        );
        assert!(o.address.contains("Bến Tre"), "{}", o.name);
        match parse_phone(&o.phone) {
            Ok(Phone::Landline { area, .. }) => assert_eq!(area, "Bến Tre", "{}", o.name),
            other => panic!(
                "{}: {} is not a Bến Tre landline: {other:?}",
                o.name, o.phone
            ),
        }
        assert!(
            ["970405", "970415", "970436", "970418"].contains(&o.bank_bin.as_str()),
            "{}: bank BIN {}",
            o.name,
            o.bank_bin
        );
        assert!(
            (6..=19).contains(&o.bank_account.len())
                && o.bank_account.bytes().all(|b| b.is_ascii_digit()),
            "{}: account {}",
            o.name,
            o.bank_account
        );
        assert!(
            o.account_name.starts_with("UBND ")
                && o.account_name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' '),
            "{}: account name {:?} is plain upper-case ASCII as banks print it",
            o.name,
            o.account_name
        );
    }
    let mut sorted: Vec<u32> = numbers.into_iter().collect();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (1..=sorted.len() as u32).collect::<Vec<_>>(),
        "office numbers run 1, 2, 3, …"
    );
}

#[test]
fn citizens_have_valid_identity_numbers_and_phones() {
    let demo = demo();
    assert!(demo.citizen.len() >= 40);
    let offices: HashSet<u32> = demo.office.iter().map(|o| o.number).collect();
    let mut ids = HashSet::new();
    let mut phones = HashSet::new();
    let mut carriers = HashSet::new();
    let mut genders = HashSet::new();
    let mut ben_tre = 0;
    for c in &demo.citizen {
        assert!(
            offices.contains(&c.office),
            "{}: office {}",
            c.full_name,
            c.office
        );
        let dob = dob(c);
        let cccd = validate_cccd(&c.id_number, today(), Some(dob), Some(c.gender))
            .unwrap_or_else(|e| panic!("{}: {}: {e}", c.full_name, c.id_number));
        assert_eq!(cccd.number(), c.id_number, "no stray spaces");
        if cccd.province() == 83 {
            ben_tre += 1;
        }
        assert!(ids.insert(c.id_number.as_str()), "{} twice", c.id_number);
        let phone =
            parse_phone(&c.phone).unwrap_or_else(|e| panic!("{}: {}: {e}", c.full_name, c.phone));
        assert_eq!(
            phone.number(),
            c.phone,
            "phones are stored in national form"
        );
        carriers.insert(
            phone
                .carrier()
                .unwrap_or_else(|| panic!("{}: {} is a mobile", c.full_name, c.phone)),
        );
        assert!(phones.insert(c.phone.as_str()), "phone {} twice", c.phone);
        genders.insert(c.gender);
        assert!(c.address.contains("Bến Tre"), "{}", c.full_name);
        if let Some(email) = &c.email {
            assert!(
                email.ends_with("@example.com"),
                "{email} is a sample address"
            );
        }
        assert!(
            c.full_name.split_whitespace().count() >= 2,
            "{} has a family and a given name",
            c.full_name
        );
    }
    assert!(
        ben_tre * 4 >= demo.citizen.len() * 3,
        "most are registered in Bến Tre"
    );
    assert!(carriers.len() >= 5, "several carriers: {carriers:?}");
    assert_eq!(genders.len(), 2);
    assert!(demo.citizen.iter().any(|c| c.email.is_none()));
    assert!(demo.citizen.iter().any(|c| c.email.is_some()));
}

#[test]
fn citizen_names_carry_diacritics_and_are_searchable() {
    let demo = demo();
    let nguyen_van = Matcher::new("nguyen van");
    let found: Vec<&str> = demo
        .citizen
        .iter()
        .filter(|c| nguyen_van.matches(&c.full_name))
        .map(|c| c.full_name.as_str())
        .collect();
    assert!(found.len() >= 3, "\"nguyen van\" finds {found:?}");
    for family in [
        "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    ] {
        assert!(
            demo.citizen
                .iter()
                .any(|c| c.full_name.starts_with(&format!("{family} "))),
            "some citizen is a {family}"
        );
    }
    let accented = demo
        .citizen
        .iter()
        .filter(|c| !c.full_name.is_ascii())
        .count();
    assert_eq!(
        accented,
        demo.citizen.len(),
        "every name is written with its marks"
    );
}

#[test]
fn every_office_has_citizens_and_a_named_staff_for_each_role() {
    let demo = demo();
    let mut per_office: BTreeMap<u32, usize> = BTreeMap::new();
    for c in &demo.citizen {
        *per_office.entry(c.office).or_default() += 1;
    }
    let mut staff = HashSet::new();
    for s in &demo.staff_name {
        assert!(
            s.role.is_staff(),
            "{}: {:?} is a staff role",
            s.full_name,
            s.role
        );
        assert!(!s.full_name.is_ascii(), "{}", s.full_name);
        assert!(
            staff.insert((s.office, s.role)),
            "office {} has two names for {:?}",
            s.office,
            s.role
        );
    }
    for o in &demo.office {
        let n = per_office.get(&o.number).copied().unwrap_or(0);
        assert!(n >= 8, "{} has {n} citizens", o.name);
        for role in [Role::Reception, Role::Specialist, Role::Leader, Role::Admin] {
            assert!(
                staff.contains(&(o.number, role)),
                "{} has a {:?} name",
                o.name,
                role
            );
        }
    }
    let offices: HashSet<u32> = demo.office.iter().map(|o| o.number).collect();
    assert!(demo.staff_name.iter().all(|s| offices.contains(&s.office)));
}
