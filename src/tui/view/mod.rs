//! `render`: draws the state; never changes it. One module per part of the screen.

mod certify;
mod citizens;
mod detail;
pub mod documents;
mod exercises;
pub mod fit;
mod inbox;
mod intake;
mod login;
mod overlay;
mod results;
mod shell;
pub mod stats;
mod tabs;
mod vietqr;
mod viewer;

use crate::tui::state::{App, Screen};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::widgets::Block;
use ratatui_textarea::TextArea;
use unicode_width::UnicodeWidthStr;

pub use inbox::TABLE_CHROME_ROWS;
pub use intake::big_text;
pub use vietqr::qr_rows;
pub use viewer::{half_blocks, picture_area as viewer_picture_area};

/// Draws the whole screen; then [`neutralise`]s it.
pub fn render(app: &App, frame: &mut Frame) {
    KEEP_CLEAR.with_borrow_mut(Vec::clear);
    GRAPHICS.with_borrow_mut(Vec::clear);
    draw(app, frame);
    let graphics = GRAPHICS.with_borrow(Clone::clone);
    neutralise(frame.buffer_mut(), &graphics);
}

thread_local! {
    /// What the frame being drawn must keep visible under the toasts: the field with the
    /// caret (`false`: covered only when no place is free) and the VietQR code (`true`:
    /// never covered, the state counts it as shown). Scratch of one `render` call,
    /// emptied as it starts, so the toasts, drawn last, can go where they hide neither;
    /// never the app's state.
    static KEEP_CLEAR: std::cell::RefCell<Vec<(Rect, bool)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

thread_local! {
    /// Where this frame has a picture drawn by the terminal's graphics protocol: cells
    /// whose symbols are escape sequences made from the picture's pixels (by
    /// ratatui-image), never from a portal's text. Scratch of one `render` call.
    static GRAPHICS: std::cell::RefCell<Vec<Rect>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Marks `area` as a picture drawn by the graphics protocol, whose cells [`neutralise`]
/// leaves as they are; the toasts keep off it too.
fn graphics_drawn(area: Rect) {
    GRAPHICS.with_borrow_mut(|g| g.push(area));
    keep_clear_always(area);
}

/// Marks `area` as something the toasts of this frame should not cover.
fn keep_clear(area: Rect, always: bool) {
    if area.width > 0 && area.height > 0 {
        KEEP_CLEAR.with_borrow_mut(|k| k.push((area, always)));
    }
}

/// Marks `area` as something no toast of this frame may cover.
fn keep_clear_always(area: Rect) {
    keep_clear(area, true);
}

/// What [`keep_clear`] marked in this frame so far.
fn kept_clear() -> Vec<(Rect, bool)> {
    KEEP_CLEAR.with_borrow(Clone::clone)
}

/// Text from the network as it may be drawn: every control character (an escape
/// sequence's ESC, a BEL, a C1 CSI, a line feed) and every bidirectional override becomes
/// U+FFFD, so the official sees that something was there and the terminal obeys nothing
/// of it. Every text that came from a portal goes through this on its way to a span.
pub fn safe(text: &str) -> String {
    crate::domain::text::terminal_safe(text).into_owned()
}

/// [`safe`] over every span of a pane built from a portal's data (its own words are
/// safe already, and stay as they are).
pub fn safe_lines(lines: &mut [ratatui::text::Line<'_>]) {
    for span in lines.iter_mut().flat_map(|l| l.spans.iter_mut()) {
        if let std::borrow::Cow::Owned(clean) = crate::domain::text::terminal_safe(&span.content) {
            span.content = clean.into();
        }
    }
}

/// The last guard, whatever a pane forgot: no cell of the frame keeps a character that a
/// terminal would obey (ratatui drops control characters as it writes a span, but not
/// bidirectional overrides, and a widget may set a cell's symbol directly).
///
/// In the cells of a picture the graphics protocol draws (`graphics`), a symbol that
/// begins with ESC is left as it is: such an escape sequence is the picture (see
/// [`graphics_drawn`]); any other symbol there is checked as everywhere.
fn neutralise(buffer: &mut ratatui::buffer::Buffer, graphics: &[Rect]) {
    let area = buffer.area;
    for (i, cell) in buffer.content.iter_mut().enumerate() {
        let i = i as u16;
        let at = ratatui::layout::Position::new(
            area.x + i % area.width.max(1),
            area.y + i / area.width.max(1),
        );
        if cell.symbol().starts_with('\x1b') && graphics.iter().any(|g| g.contains(at)) {
            continue;
        }
        if cell
            .symbol()
            .chars()
            .any(|c| crate::domain::text::forbidden_char(c, false))
        {
            cell.set_symbol("\u{FFFD}");
        }
    }
}

/// The rows of the main screen: the top bar (tabs, and the training banner), the body,
/// the status bar, the key hints. What `draw` lays out, and what `update` asks about.
pub fn frame_areas(app: &App, area: Rect) -> [Rect; 4] {
    Layout::vertical([
        Constraint::Length(if app.training() { 2 } else { 1 }),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The dossier whose VietQR code is on screen whole now (see [`vietqr::on_screen`]).
pub fn vietqr_on_screen(app: &App) -> Option<String> {
    vietqr::on_screen(app)
}

fn draw(app: &App, frame: &mut Frame) {
    let area = frame.area();
    frame.render_widget(Block::default().style(app.theme.base), area);
    if app.screen == Screen::Login {
        login::render(app, frame, area);
        shell::toasts(app, frame, area);
        return;
    }
    let [top, body, status, hints] = frame_areas(app, area);
    shell::top_bar(app, frame, top);
    tabs::body(app, frame, body);
    shell::status_bar(app, frame, status);
    shell::hint_bar(app, frame, hints);
    // The question before leaving goes over everything, the re-login box included.
    let leaving = matches!(app.overlay, Some(crate::tui::state::Overlay::Leave(_)));
    if let Some(overlay) = app.overlay.as_ref().filter(|_| !leaving) {
        // The overlay has the keyboard and covers what was kept clear beneath it.
        KEEP_CLEAR.with_borrow_mut(Vec::clear);
        overlay::render(app, overlay, frame, body);
    }
    if app.relogin {
        KEEP_CLEAR.with_borrow_mut(Vec::clear);
        login::render_popup(app, frame, area);
    }
    if let Some(overlay) = app.overlay.as_ref().filter(|_| leaving) {
        KEEP_CLEAR.with_borrow_mut(Vec::clear);
        overlay::render(app, overlay, frame, body);
    }
    shell::toasts(app, frame, area);
}

/// The rows the inbox table can show in a terminal of `height` rows: what paging needs
/// before anything is drawn.
pub fn inbox_rows(height: u16, training: bool) -> usize {
    let chrome = 3 + u16::from(training) + TABLE_CHROME_ROWS;
    height.saturating_sub(chrome) as usize
}

/// Lines of `text` wrapped at `width` columns, as `Paragraph` with `Wrap` draws them
/// (near enough to size a box: a word longer than the width counts as one line).
pub fn wrapped_lines(text: &str, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let mut lines = 1;
    let mut used = 0;
    for word in text.split_whitespace() {
        let n = unicode_width::UnicodeWidthStr::width(word);
        if used > 0 && used + 1 + n > width {
            lines += 1;
            used = n;
        } else {
            used += if used > 0 { n + 1 } else { n };
        }
    }
    lines
}

/// A centred rectangle of at most `width`×`height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws a one-line text field and, when focused, puts the terminal cursor at its caret
/// so an input method composes in place.
pub fn field(frame: &mut Frame, area: Rect, text: &TextArea<'static>, focused: bool, style: Style) {
    let mut t = text.clone();
    t.set_style(style);
    if focused {
        t.set_cursor_style(Style::default().add_modifier(ratatui::style::Modifier::REVERSED));
    } else {
        t.set_cursor_style(style);
    }
    frame.render_widget(&t, area);
    if focused {
        let cursor = text.cursor();
        let (row, col) = (cursor.0, cursor.1);
        let line = text.lines().get(row).map(String::as_str).unwrap_or("");
        let before: String = match text.mask_char() {
            Some(_) => "•".repeat(line.chars().take(col).count()),
            None => line.chars().take(col).collect(),
        };
        let x = area.x + (before.width() as u16).min(area.width.saturating_sub(1));
        frame.set_cursor_position(Position::new(x, area.y));
        keep_clear(area, false);
    }
}
