//! Figures for the domain rules: one lunar conversion, one due-date computation, and a
//! search over 100,000 Vietnamese full names (target: ≤ 20 ms per query on a 2-core
//! machine). Run with `cargo bench --bench domain`.

use chrono::{DateTime, NaiveDate};
use criterion::{Criterion, criterion_group, criterion_main};
use motcua::domain::calendar::{Calendar, DurationUnit};
use motcua::domain::lunar::solar_to_lunar;
use motcua::domain::text::Matcher;
use std::hint::black_box;

const SURNAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Vũ", "Phan", "Trương", "Bùi", "Đặng",
    "Đỗ", "Ngô", "Hồ", "Dương", "Đinh", "Lý", "Lương", "Tạ",
];
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Kim", "Bảo", "Xuân",
];
const GIVEN: &[&str] = &[
    "An", "Anh", "Bình", "Châu", "Cường", "Dũng", "Duyên", "Giang", "Hà", "Hải", "Hạnh", "Hiếu",
    "Hoà", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngân", "Nhung",
    "Phúc", "Phương", "Quân", "Quyên", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Tiến", "Trang",
    "Trí", "Tuấn", "Uyên", "Việt", "Yến",
];

/// 100,000 names, the same on every run (a fixed linear congruential sequence).
fn names() -> Vec<String> {
    let mut state: u64 = 0x5eed;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    (0..100_000)
        .map(|_| {
            format!(
                "{} {} {} {}",
                SURNAMES[next(SURNAMES.len())],
                MIDDLE[next(MIDDLE.len())],
                MIDDLE[next(MIDDLE.len())],
                GIVEN[next(GIVEN.len())]
            )
        })
        .collect()
}

fn lunar(c: &mut Criterion) {
    let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    c.bench_function("lunar: one solar→lunar conversion", |b| {
        b.iter(|| solar_to_lunar(black_box(day)))
    });
}

fn due(c: &mut Criterion) {
    let calendar = Calendar::default();
    // Warm the calendar's per-year cache, as a running portal's would be.
    let start = DateTime::parse_from_rfc3339("2026-02-12T10:00:00+07:00").unwrap();
    calendar.due(start, 15, DurationUnit::WorkingDays);
    c.bench_function(
        "calendar: one due date (15 working days across Tết)",
        |b| b.iter(|| calendar.due(black_box(start), 15, DurationUnit::WorkingDays)),
    );
}

fn search(c: &mut Criterion) {
    let names = names();
    let mut group = c.benchmark_group("search");
    group.sample_size(20);
    group.bench_function("fold + match one query over 100,000 names", |b| {
        b.iter(|| {
            let matcher = Matcher::new(black_box("nguyen van a"));
            let mut buf = String::new();
            names
                .iter()
                .filter(|n| matcher.matches_with(n, &mut buf))
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, lunar, due, search);
criterion_main!(benches);
