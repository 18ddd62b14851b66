//! The screens as a user sees them: TestBackend + insta snapshots of login, the shell with
//! the training banner, the inbox with data, the detail pane, an action dialog and the
//! help overlay, at 80×24 and 160×48, in Vietnamese and English.
//! Update after a deliberate change with `INSTA_UPDATE=always cargo test --test tui_snapshots`
//! and review the diff.

mod common;

use common::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::domain::Lang;
use motcua::domain::status::Status;
use motcua::domain::workflow::Role;
use motcua::tui::action::Action;
use motcua::tui::theme::Theme;
use motcua::tui::update::update;
use ratatui::style::Modifier;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

#[test]
fn login() {
    snapshot_each!("login", SIZES, |lang, size| {
        let mut app = app(lang, true, size);
        for c in "tiepnhan1".chars() {
            update(&mut app, key(KeyCode::Char(c)));
        }
        app
    });
}

#[test]
fn shell_with_training_banner() {
    snapshot_each!("shell_training", SIZES, |lang, size| logged_in(
        lang, true, size
    ));
}

#[test]
fn inbox_with_data() {
    snapshot_each!("inbox", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        // The queue of all dossiers, the third row selected.
        update(
            &mut app,
            Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
        );
        update(&mut app, key(KeyCode::Down));
        update(&mut app, key(KeyCode::Down));
        app
    });
}

#[test]
fn inbox_filtered_without_accents() {
    snapshot_each!("inbox_filter", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        update(&mut app, key(KeyCode::Char('/')));
        for c in "nguyen van".chars() {
            update(&mut app, key(KeyCode::Char(c)));
        }
        app
    });
}

#[test]
fn detail_pane() {
    snapshot_each!("detail", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        open_detail(&mut app);
        app
    });
}

#[test]
fn action_dialog() {
    snapshot_each!("dialog", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        open_detail(&mut app);
        update(&mut app, key(KeyCode::Char('a')));
        // Receive, request a supplement, refuse…: choose "refuse", which needs a reason.
        let steps = motcua::tui::update::steps_for(Role::Reception, Status::Submitted);
        let refuse = steps
            .iter()
            .position(|s| *s == motcua::domain::workflow::Action::Refuse)
            .unwrap();
        for _ in 0..refuse {
            update(&mut app, key(KeyCode::Down));
        }
        update(&mut app, key(KeyCode::Enter));
        update(&mut app, key(KeyCode::Enter)); // empty: the rule's message
        app
    });
}

/// `p` in the detail of an unpaid dossier: cash with a receipt number typed, and the
/// help over the detail (its keys, the fee among them).
#[test]
fn fee_dialog_and_detail_help() {
    snapshot_each!("fee_cash", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        open_detail(&mut app);
        update(&mut app, key(KeyCode::Char('p')));
        for c in "BL-0042".chars() {
            update(&mut app, key(KeyCode::Char(c)));
        }
        app
    });
    snapshot_each!("detail_help", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        open_detail(&mut app);
        update(&mut app, key(KeyCode::F(1)));
        app
    });
}

#[test]
fn help_overlay() {
    snapshot_each!("help", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        update(&mut app, key(KeyCode::Char('?')));
        app
    });
}

/// NO_COLOR's theme draws the selection reversed, so it stays visible without colour.
#[test]
fn monochrome_keeps_the_selection_visible() {
    let mut app = logged_in(Lang::Vi, false, (80, 24));
    app.theme = Theme::load("monochrome", None).unwrap();
    let terminal = draw(&app, (80, 24));
    let buffer = terminal.backend().buffer();
    let reversed_rows = (0..24)
        .filter(|&y| {
            (0..80).all(|x| {
                buffer[(x, y)].modifier.contains(Modifier::REVERSED)
                    || buffer[(x, y)].symbol() == " "
            })
        })
        .filter(|&y| {
            text(&terminal, None)
                .lines()
                .nth(y as usize)
                .is_some_and(|l| l.contains("000.01.27.H07-"))
        })
        .count();
    assert_eq!(reversed_rows, 1, "{}", text(&terminal, None));
}

/// Overdue dossiers are drawn in the theme's danger style.
#[test]
fn remaining_time_is_coloured() {
    let mut app = logged_in(Lang::Vi, false, (160, 48));
    update(
        &mut app,
        Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    let terminal = draw(&app, (160, 48));
    let screen = text(&terminal, None);
    let buffer = terminal.backend().buffer();
    let (y, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("Võ Thị Diệu"))
        .expect("the overdue dossier is listed");
    let x = line
        .find("quá")
        .map(|b| line[..b].chars().count())
        .expect("shown as late");
    assert_eq!(
        buffer[(x as u16, y as u16)].fg,
        app.theme.danger.fg.unwrap()
    );
}

/// A filter that finds nothing in the queue on screen says how many it finds elsewhere.
#[test]
fn filter_says_what_other_queues_hold() {
    let mut app = logged_in(Lang::Vi, false, (80, 24));
    update(&mut app, key(KeyCode::Char('/')));
    for c in "vo thi".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    assert!(app.inbox.view.is_empty());
    assert_eq!(app.inbox.matches_elsewhere, 1);
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(screen.contains("có 1 hồ sơ khớp"), "{screen}");
    // Tab moves to the next queue with the filter kept.
    for _ in 0..2 {
        update(&mut app, key(KeyCode::Tab));
    }
    assert_eq!(app.inbox.filter_text(), "vo thi");
    assert_eq!(app.inbox.view.len(), 1);
}

/// Text from a portal that attacks the terminal: an applicant's name holding an OSC title
/// sequence, a BEL and a clear-screen CSI, a submitter with a right-to-left override. The
/// detail shows each such character as U+FFFD, and no cell of the frame keeps one.
#[test]
fn hostile_text_from_the_portal_is_neutralised() {
    const NAME: &str = "\u{1b}]0;pwned\u{7}Nguyễn\u{1b}[2J";
    let hostile = |lang, size| {
        let mut app = logged_in(lang, false, size);
        let effects = update(&mut app, key(KeyCode::Enter));
        let id = effects
            .iter()
            .find_map(|e| match e {
                motcua::tui::action::Effect::LoadDetail { id, .. } => Some(*id),
                _ => None,
            })
            .expect("Enter opens the detail");
        let mut d = dossier();
        d.applicant.full_name = NAME.into();
        d.applicant.address = "1 Lê Lợi\u{9b}31m\u{0}".into();
        d.submitter.full_name = "\u{202E}gnol oot".into();
        update(&mut app, Action::DetailLoaded(id, Ok(d)));
        app
    };
    snapshot_each!("hostile_text", [(80u16, 24u16)], hostile);
    for (lang, _) in LANGS {
        for size in SIZES {
            let terminal = draw(&hostile(lang, size), size);
            let screen = text(&terminal, None);
            assert!(
                screen.contains("\u{FFFD}]0;pwned\u{FFFD}Nguyễn\u{FFFD}[2J"),
                "{screen}"
            );
            for cell in terminal.backend().buffer().content() {
                assert!(
                    !cell.symbol().chars().any(|c| c.is_control()
                        || ('\u{202A}'..='\u{202E}').contains(&c)
                        || ('\u{2066}'..='\u{2069}').contains(&c)),
                    "a cell holds {:?}",
                    cell.symbol()
                );
            }
        }
    }
}

/// Issue 14's sizes for the screens it changed.
const ISSUE_SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The detail of `d` (its code is the first row's).
fn detail_of(
    lang: Lang,
    size: (u16, u16),
    d: motcua::api::dossiers::Dossier,
) -> motcua::tui::state::App {
    let mut app = logged_in(lang, false, size);
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = effects
        .iter()
        .find_map(|e| match e {
            motcua::tui::action::Effect::LoadDetail { id, .. } => Some(*id),
            _ => None,
        })
        .expect("Enter opens the detail");
    update(&mut app, Action::DetailLoaded(id, Ok(d)));
    app
}

/// A dossier returned on time, at the desk.
fn returned() -> motcua::api::dossiers::Dossier {
    use motcua::api::dossiers::{Channel, PaymentStatus};
    let mut d = dossier();
    d.status = Status::Returned;
    d.channel = Channel::Desk;
    d.fee.status = PaymentStatus::Paid;
    d.submitted_at = "2026-11-16T09:10:00+07:00".into();
    d.received_at = Some("2026-11-16T09:10:00+07:00".into());
    d.due_at = Some("2026-11-19T17:00:00+07:00".into());
    d.returned_at = Some("2026-11-19T15:20:00+07:00".into());
    d.timeliness = Some(motcua::domain::calendar::Timeliness::OnTime);
    d.recipient = Some("Nguyễn Văn An".into());
    d
}

/// A returned dossier shows its due time once, and how it was returned: not the due
/// date a second time as if time were counting down.
#[test]
fn a_returned_dossier_shows_its_due_time_once() {
    for (lang, how) in [
        (Lang::Vi, "Trả đúng hạn, lúc 15:20 19/11/2026"),
        (Lang::En, "Returned on time, at 15:20 19/11/2026"),
    ] {
        let screen = text(
            &draw(&detail_of(lang, (120, 40), returned()), (120, 40)),
            None,
        );
        assert_eq!(screen.matches("19/11/2026").count(), 2, "{screen}");
        assert_eq!(screen.matches("17:00 19/11/2026").count(), 1, "{screen}");
        assert!(screen.contains(how), "{screen}");
    }
    snapshot_each!("detail_returned", ISSUE_SIZES, |lang, size| detail_of(
        lang,
        size,
        returned()
    ));
}

/// A desk dossier whose supplement the citizen sent online waits among the online
/// submissions: its channel says both, not "at the desk" alone.
#[test]
fn a_desk_dossier_back_in_the_online_queue_says_how_it_got_there() {
    use motcua::api::dossiers::{Channel, HistoryEntry};
    let back_online = || {
        let mut d = dossier();
        d.channel = Channel::Desk;
        d.timeline = vec![
            HistoryEntry {
                at: "2026-11-20T09:00:00+07:00".into(),
                username: Some("tiepnhan1".into()),
                role: Some("reception".into()),
                action: "created".into(),
                from: None,
                to: Some(Status::Received),
                reason: None,
                handover: None,
            },
            HistoryEntry {
                at: "2026-11-21T10:00:00+07:00".into(),
                username: Some("tiepnhan1".into()),
                role: Some("reception".into()),
                action: "request_supplement".into(),
                from: Some(Status::Received),
                to: Some(Status::SupplementRequested),
                reason: Some("Thiếu giấy chứng sinh".into()),
                handover: None,
            },
            HistoryEntry {
                at: "2026-11-24T08:01:00+07:00".into(),
                username: Some("083095001234".into()),
                role: Some("citizen".into()),
                action: "supplement_received".into(),
                from: Some(Status::SupplementRequested),
                to: Some(Status::Submitted),
                reason: None,
                handover: None,
            },
        ];
        d
    };
    let screen = text(
        &draw(&detail_of(Lang::Vi, (120, 40), back_online()), (120, 40)),
        None,
    );
    assert!(
        screen.contains("Kênh: tại quầy, bổ sung trực tuyến"),
        "{screen}"
    );
    let screen = text(
        &draw(&detail_of(Lang::Vi, (120, 40), dossier()), (120, 40)),
        None,
    );
    assert!(screen.contains("Kênh: trực tuyến"), "{screen}");
    snapshot_each!("detail_supplemented_online", ISSUE_SIZES, |lang, size| {
        detail_of(lang, size, back_online())
    });
}
