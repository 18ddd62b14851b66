//! The statistics pane's indices (issue 17): each index of the month to date with a
//! sparkline of the last thirteen months, ↑/↓ choosing the index the bar chart shows
//! month by month, `c` counts instead of rates; a month with nothing counted drawn
//! blank, not as 0 %; and the certifications of today and of this month by kind with the
//! fees (issue 21). Through `update()` and snapshots at 80×24 and 160×48.

mod common;

use common::tui::*;
use crossterm::event::KeyCode;
use motcua::domain::Lang;
use motcua::tui::action::Action;
use motcua::tui::state::*;
use motcua::tui::update::update;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn on_stats(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    app.inbox.stats = Some(stats());
    app.tab = Tab::Stats;
    app
}

fn screen(app: &App, size: (u16, u16)) -> String {
    text(&draw(app, size), None)
}

/// The row of the index `label` on the pane.
fn row<'a>(screen: &'a str, label: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no row {label}:\n{screen}"))
}

#[test]
fn arrows_choose_the_charted_index_within_the_five() {
    let mut app = on_stats(Lang::En, (80, 24));
    assert_eq!(app.stats_view.index, 0);
    let s = screen(&app, (80, 24));
    assert!(row(&s, "Digitized dossiers").contains('▸'), "{s}");
    assert!(s.contains("Digitized dossiers: 13 months (%)"), "{s}");

    update(&mut app, key(KeyCode::Down));
    update(&mut app, ch('j'));
    assert_eq!(app.stats_view.index, 2);
    let s = screen(&app, (80, 24));
    assert!(row(&s, "Submitted online").contains('▸'), "{s}");
    assert!(!row(&s, "Digitized dossiers").contains('▸'), "{s}");
    assert!(s.contains("Submitted online: 13 months (%)"), "{s}");

    // Past the last and before the first: it stays.
    for _ in 0..10 {
        update(&mut app, key(KeyCode::Down));
    }
    assert_eq!(app.stats_view.index, 4);
    for _ in 0..10 {
        update(&mut app, ch('k'));
    }
    assert_eq!(app.stats_view.index, 0);
}

#[test]
fn counts_replace_the_rates_on_request() {
    let mut app = on_stats(Lang::Vi, (80, 24));
    let s = screen(&app, (80, 24));
    assert!(row(&s, "Hài lòng ").contains("80,0 %"), "{s}");
    assert!(!row(&s, "Hài lòng ").contains("4/5"), "{s}");

    update(&mut app, ch('c'));
    assert!(app.stats_view.counts);
    let s = screen(&app, (80, 24));
    assert!(row(&s, "Hài lòng ").contains("4/5"), "{s}");
    assert!(row(&s, "Số hóa hồ sơ").contains("2/5"), "{s}");
    assert!(s.contains("13 tháng (số đạt)"), "{s}");
    // The key is listed in the pane's hints.
    assert!(s.lines().last().unwrap().contains("số liệu"), "{s}");

    update(&mut app, ch('c'));
    assert!(!app.stats_view.counts);
}

#[test]
fn the_chart_labels_every_month_and_leaves_an_uncounted_one_blank() {
    let mut app = on_stats(Lang::En, (160, 48));
    // Satisfaction: February 2026 has no rating at all.
    for _ in 0..4 {
        update(&mut app, key(KeyCode::Down));
    }
    let s = screen(&app, (160, 48));
    let labels = s
        .lines()
        .find(|l| l.contains("11/25") && l.contains("11/26"))
        .unwrap_or_else(|| panic!("the months under the bars:\n{s}"));
    for month in ["12/25", "01/26", "02/26", "10/26"] {
        assert!(labels.contains(month), "{month} in {labels}");
    }
    // Above "02/26": no bar in any row.
    // Columns in characters: the frame's lines hold multi-byte ones.
    let column = labels[..labels.find("02/26").unwrap()].chars().count();
    let above: Vec<&str> = s
        .lines()
        .skip_while(|l| !l.contains("Satisfied: 13 months"))
        .take_while(|l| !std::ptr::eq(*l, labels))
        .filter(|l| l.contains("█"))
        .collect();
    assert!(!above.is_empty(), "bars drawn:\n{s}");
    for line in above {
        let cell: String = line.chars().skip(column).take(5).collect();
        assert!(!cell.contains('█'), "a bar over February: {line}");
    }
}

#[test]
fn certifications_show_today_and_this_month_by_kind_with_the_fees() {
    for size in SIZES {
        let s = screen(&on_stats(Lang::Vi, size), size);
        // (The tab bar names the certification tab too: the heading is the row with
        // the columns.)
        let heading = row(&s, "Hôm nay");
        assert!(
            heading.contains("Chứng thực") && heading.contains("Tháng này"),
            "{s}"
        );
        // Today, then this month (the last of the months, the month to date).
        for (label, today, month) in [
            ("Bản sao ", "5", "46"),
            ("Chữ ký ", "2", "12"),
            ("Hợp đồng, giao dịch ", "0", "3"),
            ("Lệ phí đã thu ", "41.000 đ", "412.000 đ"),
        ] {
            let r = row(&s, label);
            let after = &r[r.find(label).unwrap() + label.len()..];
            let numbers: Vec<&str> = after
                .split('│')
                .next()
                .unwrap_or_default()
                .split("  ")
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .collect();
            assert_eq!(&numbers[..2], [today, month], "{r}");
        }
    }
    // In English, money as the app writes it elsewhere.
    let s = screen(&on_stats(Lang::En, (80, 24)), (80, 24));
    let fees = row(&s, "Fees taken");
    assert!(
        fees.contains("VND 41,000") && fees.contains("VND 412,000"),
        "{s}"
    );
    // The chart keeps its title and its months at 80×24.
    assert!(s.contains("Digitized dossiers: 13 months (%)"), "{s}");
    assert!(row(&s, "11 12 01 02").contains("10 11"), "{s}");
}

#[test]
fn without_months_this_month_is_the_period_and_no_sparkline_is_drawn() {
    let size = (160, 48);
    let mut app = on_stats(Lang::En, size);
    let stats = app.inbox.stats.as_mut().unwrap();
    stats.months.clear();
    stats.certifications.copy = 40;
    let s = screen(&app, size);
    let copies = row(&s, "Copies ");
    assert!(copies.contains(" 40 "), "{s}");
    assert!(!row(&s, "Certifications ").contains("months"), "{s}");
}

#[test]
fn snapshot_the_indices() {
    snapshot_each!("indices", SIZES, on_stats);
}

#[test]
fn snapshot_the_satisfaction_counts() {
    snapshot_each!("satisfaction_counts", SIZES, |lang, size| {
        let mut app = on_stats(lang, size);
        for _ in 0..4 {
            update(&mut app, key(KeyCode::Down));
        }
        update(&mut app, ch('c'));
        app
    });
}
