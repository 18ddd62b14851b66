//! The attachment viewer through `update` and the view (no IO): `v` in the detail opens
//! it and asks for the first attachment, the download's progress moves its bar, the
//! picture is drawn in half blocks (a snapshot of the cells and their colours), zoom,
//! pan and the next attachment follow the keys, F1 lists them and gives the viewer back,
//! `o` asks the runtime to open the file with the system viewer, a PDF says its pages,
//! and a terminal with a graphics protocol gets the view encoded and drawn as it is.

mod common;

use common::pictures::{buffer_cells, half_block_rows, png, quarters};
use common::tui::*;
use crossterm::event::KeyCode;
use motcua::api::dossiers::Attachment;
use motcua::domain::Lang;
use motcua::tui::action::{Action, Effect};
use motcua::tui::attachments::{Opened, decode};
use motcua::tui::state::{App, Failure, Overlay, ToastKind};
use motcua::tui::update::update;
use motcua::tui::viewer::{Graphics, PdfPreview, Picture, Protocol, Shown, Viewer};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;
use std::sync::Arc;

const PNG_SHA: &str = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";

/// The quarters picture, decoded as the runtime decodes an attachment.
fn picture() -> Arc<Picture> {
    Arc::new(decode::picture(PNG_SHA, &png(&quarters(160, 100))).unwrap())
}

fn png_attachment() -> Attachment {
    Attachment {
        id: "u2".into(),
        filename: "anh-cccd.png".into(),
        content_type: "image/png".into(),
        size: 5_242_880,
        sha256: PNG_SHA.into(),
    }
}

/// Logged in, the detail of a dossier with two attachments (a PDF, then a PNG) open.
fn detail(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadDetail { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    let mut d = dossier();
    d.documents[1].attachment = Some(png_attachment());
    d.documents[1].on_paper = false;
    update(&mut app, Action::DetailLoaded(id, Ok(d)));
    app
}

fn viewer(app: &App) -> &Viewer {
    match &app.overlay {
        Some(Overlay::Viewer(v)) => v,
        other => panic!("no viewer: {other:?}"),
    }
}

/// The request of the `ViewAttachment` effect among `effects`, with its attachment.
fn asked(effects: &[Effect]) -> (u64, Attachment) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::ViewAttachment { id, attachment, .. } => Some((*id, attachment.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no ViewAttachment in {effects:?}"))
}

/// The viewer on the PNG, shown.
fn showing_the_picture(lang: Lang, size: (u16, u16)) -> App {
    let mut app = detail(lang, size);
    update(&mut app, key(KeyCode::Char('v')));
    let effects = update(&mut app, key(KeyCode::Char('n')));
    let (id, _) = asked(&effects);
    update(
        &mut app,
        Action::AttachmentShown(id, Ok(Shown::Image(picture()))),
    );
    app
}

#[test]
fn v_shows_the_first_attachment_and_pages_through_them() {
    let mut app = detail(Lang::Vi, (80, 24));
    let effects = update(&mut app, key(KeyCode::Char('v')));
    let (first, attachment) = asked(&effects);
    assert_eq!(attachment.filename, "to-khai.pdf");
    assert!(matches!(
        viewer(&app).shown,
        Shown::Loading {
            received: 0,
            total: 123_456
        }
    ));
    // The download's progress moves the bar.
    update(
        &mut app,
        Action::Transfer {
            id: first,
            received: 61_728,
            total: Some(123_456),
        },
    );
    assert!(matches!(
        viewer(&app).shown,
        Shown::Loading {
            received: 61_728,
            ..
        }
    ));
    // n: the next attachment; the first one's fetch is stopped.
    let effects = update(&mut app, key(KeyCode::Char('n')));
    assert!(effects.contains(&Effect::Cancel(first)), "{effects:?}");
    let (second, attachment) = asked(&effects);
    assert_eq!(attachment.id, "u2");
    assert_eq!(viewer(&app).index, 1);
    // A late answer for the first is not shown.
    update(
        &mut app,
        Action::AttachmentShown(first, Ok(Shown::Failed("late".into()))),
    );
    assert!(matches!(viewer(&app).shown, Shown::Loading { .. }));
    update(
        &mut app,
        Action::AttachmentShown(second, Ok(Shown::Image(picture()))),
    );
    assert!(matches!(viewer(&app).shown, Shown::Image(_)));
    assert!(!app.pending.contains_key(&second));

    // Zoom, then pan; 0 back to the whole picture.
    update(&mut app, key(KeyCode::Char('+')));
    update(&mut app, key(KeyCode::Char('=')));
    assert_eq!(viewer(&app).zoom, 2);
    update(&mut app, key(KeyCode::Right));
    update(&mut app, key(KeyCode::Up));
    let (x, y) = viewer(&app).center;
    assert!(x > 0.5 && y < 0.5, "{x} {y}");
    update(&mut app, key(KeyCode::Char('-')));
    assert_eq!(viewer(&app).zoom, 1);
    update(&mut app, key(KeyCode::Char('0')));
    assert_eq!((viewer(&app).zoom, viewer(&app).center), (0, (0.5, 0.5)));
    // p (or PgUp) goes back, around the list.
    let effects = update(&mut app, key(KeyCode::PageUp));
    let (_, attachment) = asked(&effects);
    assert_eq!(attachment.id, "u1");

    // Esc closes the viewer and stops its fetch.
    let pending = viewer(&app).request.unwrap();
    let effects = update(&mut app, key(KeyCode::Esc));
    assert_eq!(effects, vec![Effect::Cancel(pending)]);
    assert!(app.overlay.is_none() && app.pending.is_empty());
}

#[test]
fn f1_lists_the_viewers_keys_and_gives_it_back() {
    let mut app = showing_the_picture(Lang::En, (100, 30));
    update(&mut app, key(KeyCode::Char('+')));
    update(&mut app, key(KeyCode::F(1)));
    let screen = text(&draw(&app, (100, 30)), None);
    for words in ["Zoom in", "Zoom out", "Next attachment", "Open in a viewer"] {
        assert!(screen.contains(words), "{words} not in:\n{screen}");
    }
    update(&mut app, key(KeyCode::Char('x')));
    assert_eq!(viewer(&app).zoom, 1, "the viewer as it was");
}

#[test]
fn o_opens_the_one_attachment_or_asks_which() {
    // Two attachments: which one?
    let mut app = detail(Lang::Vi, (80, 24));
    assert!(update(&mut app, key(KeyCode::Char('o'))).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::OpenAttachment(_))));
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(screen.contains("Mở tệp bằng chương trình xem"), "{screen}");
    update(&mut app, key(KeyCode::Down));
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = match &effects[..] {
        [Effect::OpenAttachment { id, attachment, .. }] => {
            assert_eq!(attachment.id, "u2");
            *id
        }
        other => panic!("{other:?}"),
    };
    // The status bar follows the download.
    update(
        &mut app,
        Action::Transfer {
            id,
            received: 2_621_440,
            total: Some(5_242_880),
        },
    );
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(screen.contains("50%"), "{screen}");
    update(
        &mut app,
        Action::AttachmentOpened(
            id,
            Ok(Opened::With {
                program: "xdg-open".into(),
                path: "/c/anh-cccd.png".into(),
            }),
        ),
    );
    let toast = app.toasts.back().unwrap();
    assert_eq!(toast.kind, ToastKind::Success);
    assert!(toast.text.contains("anh-cccd.png") && toast.text.contains("xdg-open"));

    // From the viewer, o opens the file it shows; the viewer stays.
    let mut app = showing_the_picture(Lang::Vi, (80, 24));
    let effects = update(&mut app, key(KeyCode::Char('o')));
    assert!(
        matches!(&effects[..], [Effect::OpenAttachment { attachment, .. }] if attachment.id == "u2"),
        "{effects:?}"
    );
    assert!(matches!(app.overlay, Some(Overlay::Viewer(_))));
    // Not opened: why, said once.
    let id = match &effects[0] {
        Effect::OpenAttachment { id, .. } => *id,
        _ => unreachable!(),
    };
    update(
        &mut app,
        Action::AttachmentOpened(id, Ok(Opened::Not("Không có chương trình".into()))),
    );
    assert_eq!(app.toasts.back().unwrap().kind, ToastKind::Error);
}

#[test]
fn a_failed_fetch_is_said_in_the_viewer_and_an_ended_session_asks_to_log_in() {
    let mut app = detail(Lang::Vi, (80, 24));
    let (id, _) = asked(&update(&mut app, key(KeyCode::Char('v'))));
    update(
        &mut app,
        Action::AttachmentShown(id, Err(Failure::Offline("Không kết nối được cổng.".into()))),
    );
    assert_eq!(
        viewer(&app).shown,
        Shown::Failed("Không kết nối được cổng.".into())
    );
    let (id, _) = asked(&update(&mut app, key(KeyCode::Char('n'))));
    update(
        &mut app,
        Action::AttachmentShown(id, Err(Failure::Unauthorized("hết phiên".into()))),
    );
    assert!(app.relogin);
}

/// The half blocks as drawn: see `common::pictures::half_block_rows`.
fn colours(terminal: &Terminal<TestBackend>) -> String {
    half_block_rows(&buffer_cells(terminal.backend().buffer()))
}

#[test]
fn the_picture_is_drawn_in_half_blocks() {
    snapshot_each!("viewer_picture", [(80, 24), (120, 40)], |lang, size| {
        showing_the_picture(lang, size)
    });
    for size in [(80, 24), (120, 40)] {
        let app = showing_the_picture(Lang::Vi, size);
        insta::assert_snapshot!(
            format!("viewer_picture_cells_{}x{}", size.0, size.1),
            colours(&draw(&app, size))
        );
    }
    // Zoomed three times and moved right: the right half fills the view.
    let mut app = showing_the_picture(Lang::Vi, (80, 24));
    for k in ['+', '+', '+', 'l', 'l', 'l', 'l'] {
        update(&mut app, key(KeyCode::Char(k)));
    }
    let cells = colours(&draw(&app, (80, 24)));
    assert!(
        !cells.contains('R') && cells.contains('G') && cells.contains('W'),
        "{cells}"
    );
    insta::assert_snapshot!("viewer_picture_cells_zoomed_80x24", cells);
}

#[test]
fn the_monochrome_theme_draws_shades() {
    let mut app = showing_the_picture(Lang::Vi, (80, 24));
    app.theme = motcua::tui::theme::Theme::choose(None, true, None).unwrap();
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(screen.contains('▓') || screen.contains('█'), "{screen}");
    assert!(!screen.contains('▀'));
}

#[test]
fn loading_a_pdf_and_failing_are_drawn() {
    snapshot_each!("viewer_loading", [(80, 24)], |lang, size| {
        let mut app = detail(lang, size);
        let (id, _) = asked(&update(&mut app, key(KeyCode::Char('v'))));
        update(
            &mut app,
            Action::Transfer {
                id,
                received: 41_152,
                total: Some(123_456),
            },
        );
        app
    });
    snapshot_each!("viewer_pdf_without_renderer", [(80, 24)], |lang, size| {
        let mut app = detail(lang, size);
        let (id, _) = asked(&update(&mut app, key(KeyCode::Char('v'))));
        let note = motcua::tui::i18n::tr(lang, "viewer.no_renderer").to_owned();
        update(
            &mut app,
            Action::AttachmentShown(
                id,
                Ok(Shown::Pdf(PdfPreview {
                    pages: Some(3),
                    first: None,
                    note: Some(note),
                })),
            ),
        );
        app
    });
    // The first page drawn: the page count above it.
    let mut app = detail(Lang::En, (80, 24));
    let (id, _) = asked(&update(&mut app, key(KeyCode::Char('v'))));
    update(
        &mut app,
        Action::AttachmentShown(
            id,
            Ok(Shown::Pdf(PdfPreview {
                pages: Some(12),
                first: Some(picture()),
                note: None,
            })),
        ),
    );
    let terminal = draw(&app, (80, 24));
    assert!(text(&terminal, None).contains("PDF, 12 pages"));
    assert!(colours(&terminal).contains('W'));
    // A hostile file name is drawn harmless.
    let mut app = detail(Lang::Vi, (80, 24));
    update(&mut app, key(KeyCode::Char('v')));
    if let Some(Overlay::Viewer(v)) = app.overlay.as_mut() {
        v.items[0].filename = "x\u{1b}]0;pwned\u{7}\u{202e}.pdf".into();
    }
    let screen = text(&draw(&app, (80, 24)), None);
    assert!(!screen.contains('\u{1b}') && !screen.contains('\u{202e}'));
    assert!(
        screen.contains("x\u{FFFD}]0;pwned\u{FFFD}\u{FFFD}.pdf"),
        "{screen}"
    );
}

/// A terminal with a graphics protocol: the view in sight is asked to be encoded (once),
/// drawn as the protocol's escape sequence (left as it is by the last guard), and asked
/// again when the zoom changes; half blocks meanwhile.
#[test]
fn a_graphics_protocol_view_is_asked_for_and_drawn_as_it_is() {
    let mut app = detail(Lang::Vi, (80, 24));
    app.attachments.graphics = Graphics {
        protocol: Some(Protocol::Kitty),
        cell: (10, 20),
    };
    update(&mut app, key(KeyCode::Char('v')));
    let (id, _) = asked(&update(&mut app, key(KeyCode::Char('n'))));
    let effects = update(
        &mut app,
        Action::AttachmentShown(id, Ok(Shown::Image(picture()))),
    );
    let (key0, picture) = match &effects[..] {
        [Effect::EncodeGraphic { key, picture }] => (key.clone(), picture.clone()),
        other => panic!("{other:?}"),
    };
    // Asked once: a tick or a key that changes nothing asks nothing more.
    assert!(update(&mut app, key(KeyCode::Char('x'))).is_empty());
    // Meanwhile, half blocks.
    assert!(text(&draw(&app, (80, 24)), None).contains('▀'));

    // What the runtime encodes (ratatui-image's kitty protocol, at 10×20 pixels a cell).
    let mut picker = ratatui_image::picker::Picker::halfblocks();
    picker.set_protocol_type(ratatui_image::picker::ProtocolType::Kitty);
    let graphic =
        motcua::tui::attachments::graphics::encode(&picker, &picture, key0.clone()).unwrap();
    update(&mut app, Action::GraphicReady(Box::new(graphic)));
    let terminal = draw(&app, (80, 24));
    let buffer = terminal.backend().buffer();
    let escapes: Vec<_> = buffer
        .content
        .iter()
        .filter(|c| c.symbol().starts_with('\u{1b}'))
        .collect();
    assert!(!escapes.is_empty(), "the protocol's cells are drawn");
    assert!(
        escapes.iter().any(|c| c.symbol().contains("\u{1b}_G")),
        "kitty's transmission"
    );
    assert!(!text(&terminal, None).contains('▀'));

    // Zoomed: another view is asked for.
    let effects = update(&mut app, key(KeyCode::Char('+')));
    assert!(
        matches!(&effects[..], [Effect::EncodeGraphic { key, .. }] if key.zoom == 1 && *key != key0)
    );
    // Closed: the screen is drawn anew whole, so no picture the protocol drew stays.
    assert_eq!(
        update(&mut app, key(KeyCode::Esc)),
        vec![Effect::ClearScreen]
    );
}

/// The help, the hint bar and the keymap: every key of the viewer is named in both
/// languages, and the detail offers `v` and `o`.
#[test]
fn the_hint_bars_offer_the_keys() {
    let app = detail(Lang::Vi, (120, 40));
    let screen = text(&draw(&app, (120, 40)), None);
    assert!(
        screen.contains("v  xem tệp") && screen.contains("o  mở bằng…"),
        "{screen}"
    );
    let app = showing_the_picture(Lang::En, (120, 40));
    let screen = text(&draw(&app, (120, 40)), None);
    let hints = screen.lines().last().unwrap();
    for words in [
        "zoom in",
        "zoom out",
        "next file",
        "open with…",
        "save",
        "close",
    ] {
        assert!(hints.contains(words), "{words} not in {hints}");
    }
    let names: BTreeMap<_, _> = motcua::tui::keymap::Keymap::names()
        .map(|n| (n, ()))
        .collect();
    for name in ["view", "open_external", "zoom_in", "next_attachment"] {
        assert!(names.contains_key(name));
    }
}
