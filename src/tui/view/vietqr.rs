//! The VietQR code on screen, drawn whole or not at all: where it goes on the intake's
//! done screen and in the fee dialog at a given size, and which code the screen shows
//! now ([`on_screen`]), so that `update` can tell a training sandbox from the state alone
//! (the view never changes it).
//!
//! The code takes two modules a cell, one above the other (half blocks), with a quiet
//! zone of two modules all round, dark on light whatever the theme: about 37×19 cells for
//! a payment. When the pane's frame leaves too little room, the frame gives way and text
//! and code share the whole body ([`Place::Bare`]); that is what makes it fit at 80×24.

use super::fit;
use crate::tui::intake::{PayChoice, WizardStep};
use crate::tui::state::{App, Overlay, PayDialog, Screen, Tab};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Modules of light margin round the code: scanners need it to find the finder patterns,
/// and the terminal's own background may be dark.
const QUIET: usize = 2;
/// The fewest columns of text beside a code inside a frame, and when the frame gave way.
const TEXT_MIN_FRAMED: u16 = 40;
const TEXT_MIN_BARE: u16 = 30;

/// A code as rows of text and the cells they take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub rows: Vec<String>,
    pub width: u16,
    pub height: u16,
}

impl Code {
    pub fn new(payload: &str) -> Option<Code> {
        let rows = qr_rows(payload);
        let width = rows.first().map(|r| fit::width(r))? as u16;
        Some(Code {
            height: rows.len() as u16,
            width,
            rows,
        })
    }
}

/// A QR code as text: two modules per character cell (upper and lower half blocks),
/// with a quiet zone of [`QUIET`] modules, dark modules as `█`. Drawn dark on light.
pub fn qr_rows(payload: &str) -> Vec<String> {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(payload, qrcode::EcLevel::L) else {
        return vec![];
    };
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET;
    let dark = |x: usize, y: usize| -> bool {
        if x < QUIET || y < QUIET || x >= width + QUIET || y >= width + QUIET {
            return false;
        }
        colors[(y - QUIET) * width + (x - QUIET)] == qrcode::Color::Dark
    };
    (0..size)
        .step_by(2)
        .map(|y| {
            (0..size)
                .map(|x| match (dark(x, y), dark(x, y + 1)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                })
                .collect()
        })
        .collect()
}

/// Where a screen puts its words and its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Inside the pane's frame (or the dialog's box), beside or under the words.
    Framed { text: Rect, code: Rect },
    /// The frame gave way: words and code share the whole area.
    Bare { text: Rect, code: Rect },
    /// Not even then: the code needs this many rows, and is not drawn.
    TooSmall { rows: u16 },
}

impl Place {
    /// Where the code is drawn, when it is.
    pub fn code(self) -> Option<Rect> {
        match self {
            Place::Framed { code, .. } | Place::Bare { code, .. } => Some(code),
            Place::TooSmall { .. } => None,
        }
    }
}

/// Draws `code` at `at` (exactly its size), dark on light: black and bright white are
/// the two colours every terminal has and no theme inverts; the quiet zone is drawn too,
/// so the code reads on a dark terminal. Toasts keep off it.
pub fn draw(frame: &mut Frame, code: &Code, at: Rect) {
    let style = Style::default().fg(Color::Black).bg(Color::White);
    let lines: Vec<Line> = code
        .rows
        .iter()
        .map(|r| Line::from(Span::styled(r.clone(), style)))
        .collect();
    frame.render_widget(Paragraph::new(lines), at);
    super::keep_clear_always(at);
}

/// The code the intake's done screen has to show: the fee chosen by VietQR, not yet paid.
pub fn done_payload(app: &App) -> Option<&str> {
    let w = &app.intake;
    if w.step != WizardStep::Done || w.pay != PayChoice::VietQr || w.paid {
        return None;
    }
    w.created.as_ref()?;
    w.payment.as_ref()?.vietqr.as_deref()
}

/// The done screen's layout in the intake's `pane` (the body under the tabs), when it has
/// a code to show: beside the words in the frame, under them, or with the frame given
/// way; `text_height(width)` says how many rows the words take at a width.
pub fn done_place(
    app: &App,
    pane: Rect,
    body: Rect,
    text_height: impl Fn(u16) -> u16,
) -> Option<(Code, Place)> {
    let code = Code::new(done_payload(app)?)?;
    let place = place_for(&code, pane, body, text_height);
    Some((code, place))
}

/// The certification pane's fee order, when its code is to be shown: where it goes in
/// the pane (`pane` the body under the tabs, `body` inside its frame).
pub fn certify_place(
    app: &App,
    pane: Rect,
    body: Rect,
    text_height: impl Fn(u16) -> u16,
) -> Option<(Code, Place)> {
    if app.certify.in_book {
        return None;
    }
    let order = app.certify.entry.order()?;
    if order.status != crate::api::certifications::FeeOrderStatus::Unpaid {
        return None;
    }
    let code = Code::new(order.vietqr.as_deref()?)?;
    let place = place_for(&code, pane, body, text_height);
    Some((code, place))
}

/// Beside the words in `body` (inside the frame), under them, or sharing the whole
/// `pane` with them with no frame; else too small.
fn place_for(code: &Code, pane: Rect, body: Rect, text_height: impl Fn(u16) -> u16) -> Place {
    let (w, h) = (code.width, code.height);
    if body.height >= h && body.width > TEXT_MIN_FRAMED + w {
        // A wide pane keeps a column of 60 for the code, as it always had.
        let column = if body.width >= TEXT_MIN_FRAMED + 60 && w <= 60 {
            60
        } else {
            w + 1
        };
        let text = Rect {
            width: body.width - column,
            ..body
        };
        let at = Rect {
            // A column of its own size keeps one cell from the words.
            x: body.x + body.width - column + u16::from(column == w + 1),
            y: body.y,
            width: w,
            height: h,
        };
        return Place::Framed { text, code: at };
    }
    let above = text_height(body.width);
    if body.width >= w && body.height >= above + 1 + h {
        let text = Rect {
            height: above,
            ..body
        };
        let at = Rect {
            x: body.x,
            y: body.y + above + 1,
            width: w,
            height: h,
        };
        return Place::Framed { text, code: at };
    }
    if pane.height >= h && pane.width >= TEXT_MIN_BARE + 1 + w {
        let text = Rect {
            width: pane.width - w - 1,
            ..pane
        };
        let at = Rect {
            x: pane.x + pane.width - w,
            y: pane.y,
            width: w,
            height: h,
        };
        return Place::Bare { text, code: at };
    }
    Place::TooSmall { rows: h }
}

/// The fee dialog's layout over `body`: its box (or the whole body when the box gave
/// way) and where its words and its code go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialogLayout {
    /// What the dialog covers.
    pub rect: Rect,
    /// Drawn with a border and a title (else the title is the words' first line).
    pub boxed: bool,
    pub code: Option<(Code, Place)>,
}

/// Rows of words above or beside the code: the fee, the choice, the receipt number, one
/// line for what to do.
const DIALOG_TEXT_ROWS: u16 = 4;
const DIALOG_WIDTH: u16 = 60;

pub fn dialog_layout(d: &PayDialog, body: Rect) -> DialogLayout {
    let code = d
        .payment
        .as_ref()
        .and_then(|p| p.vietqr.as_deref())
        .and_then(Code::new);
    let Some(code) = code else {
        return DialogLayout {
            rect: super::centered(body, DIALOG_WIDTH, DIALOG_TEXT_ROWS + 3),
            boxed: true,
            code: None,
        };
    };
    let (w, h) = (code.width, code.height);
    // Boxed, the code under the words.
    let (bw, bh) = (DIALOG_WIDTH.max(w + 2), DIALOG_TEXT_ROWS + h + 2);
    if body.width >= bw && body.height >= bh {
        let rect = super::centered(body, bw, bh);
        let at = Rect {
            x: rect.x + 1,
            y: rect.y + 1 + DIALOG_TEXT_ROWS,
            width: w,
            height: h,
        };
        let text = Rect {
            x: rect.x + 1,
            y: rect.y + 1,
            width: rect.width - 2,
            height: DIALOG_TEXT_ROWS,
        };
        return DialogLayout {
            rect,
            boxed: true,
            code: Some((code, Place::Framed { text, code: at })),
        };
    }
    // Boxed, the code beside the words.
    let (bw, bh) = (2 + TEXT_MIN_BARE + 1 + w, 2 + h.max(DIALOG_TEXT_ROWS));
    if body.width >= bw && body.height >= bh {
        let rect = super::centered(body, bw, bh);
        let text = Rect {
            x: rect.x + 1,
            y: rect.y + 1,
            width: TEXT_MIN_BARE,
            height: bh - 2,
        };
        let at = Rect {
            x: rect.x + rect.width - 1 - w,
            y: rect.y + 1,
            width: w,
            height: h,
        };
        return DialogLayout {
            rect,
            boxed: true,
            code: Some((code, Place::Framed { text, code: at })),
        };
    }
    // The box gives way: the whole body, words left, code right.
    if body.width > TEXT_MIN_BARE + w && body.height >= h {
        let text = Rect {
            width: body.width - w - 1,
            ..body
        };
        let at = Rect {
            x: body.x + body.width - w,
            y: body.y,
            width: w,
            height: h,
        };
        return DialogLayout {
            rect: body,
            boxed: false,
            code: Some((code, Place::Bare { text, code: at })),
        };
    }
    DialogLayout {
        rect: super::centered(body, DIALOG_WIDTH, DIALOG_TEXT_ROWS + 4),
        boxed: true,
        code: Some((code, Place::TooSmall { rows: h })),
    }
}

/// The dossier whose VietQR code the screen shows whole now, at the terminal size the
/// state knows: the fee dialog over the detail, or the intake's done screen with nothing
/// over it. `None` when no code is drawn, when one would not fit (the screen asks for a
/// bigger window instead), or when something covers it.
pub fn on_screen(app: &App) -> Option<String> {
    if app.screen != Screen::Main || app.relogin {
        return None;
    }
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let [_, body, _, _] = super::frame_areas(app, area);
    match &app.overlay {
        Some(Overlay::Payment(d)) => {
            let (_, place) = dialog_layout(d, body).code?;
            place.code().map(|_| d.code.clone())
        }
        Some(_) => None,
        None if app.tab == Tab::Certify => {
            let (_, place) = super::certify::transfer_layout(app, body)?;
            place.code()?;
            app.certify.entry.order().map(|o| o.reference.clone())
        }
        None if app.tab == Tab::Intake && app.draft_offer.is_none() => {
            let (_, place) = super::intake::done_layout(app, body)?;
            place.code()?;
            app.intake.created.as_ref().map(|d| d.code.clone())
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vietqr::{VietQrRequest, build};

    /// The body under the tabs of a training sandbox at 80×24: banner, tabs, status bar
    /// and hints take four rows.
    const TRAINING_80X24_BODY: Rect = Rect {
        x: 0,
        y: 2,
        width: 80,
        height: 20,
    };

    #[test]
    fn the_longest_payment_code_a_desk_shows_fits_80x24_in_training() {
        // The longest account VietQR takes, a fee of millions, a dossier's reference.
        let payload = build(&VietQrRequest {
            bank_bin: "970415".into(),
            account: "1234567890123456789".into(),
            amount: Some(99_999_999),
            purpose: Some("HS 261124-0008".into()),
        })
        .unwrap();
        let code = Code::new(&payload).unwrap();
        let inner = Rect {
            x: 1,
            y: 4,
            width: 78,
            height: 17,
        };
        let place = place_for(&code, TRAINING_80X24_BODY, inner, |_| 6);
        assert!(
            matches!(place, Place::Bare { .. }),
            "{}×{} cells: {place:?}",
            code.width,
            code.height
        );
        let at = place.code().unwrap();
        assert!(at.y + at.height <= TRAINING_80X24_BODY.y + TRAINING_80X24_BODY.height);
        assert!(at.x + at.width <= 80);
    }

    #[test]
    fn the_code_keeps_its_quiet_zone_and_reads_back() {
        let payload = build(&VietQrRequest {
            bank_bin: "970415".into(),
            account: "113366668888".into(),
            amount: Some(8000),
            purpose: Some("HS 261124-0008".into()),
        })
        .unwrap();
        let code = Code::new(&payload).unwrap();
        // Two light modules round the code: the first row and the first two columns are
        // blank (light) cells.
        assert!(code.rows[0].chars().all(|c| c == ' '), "{:?}", code.rows[0]);
        assert!(
            code.rows
                .iter()
                .all(|r| r.starts_with("  ") && r.ends_with("  "))
        );
        // Every row is as wide as the code.
        assert!(
            code.rows
                .iter()
                .all(|r| fit::width(r) == usize::from(code.width))
        );
        // The modules the rows draw are the symbol's: read the half blocks back.
        let symbol =
            qrcode::QrCode::with_error_correction_level(&payload, qrcode::EcLevel::L).unwrap();
        let n = symbol.width();
        let colors = symbol.to_colors();
        for y in 0..n {
            for x in 0..n {
                let (row, lower) = ((y + QUIET) / 2, (y + QUIET) % 2 == 1);
                let cell = code.rows[row].chars().nth(x + QUIET).unwrap();
                let dark = match cell {
                    '█' => true,
                    '▀' => !lower,
                    '▄' => lower,
                    _ => false,
                };
                assert_eq!(dark, colors[y * n + x] == qrcode::Color::Dark, "({x}, {y})");
            }
        }
    }
}
