//! The attachment viewer over the body: the file's name and place among the dossier's
//! attachments, its download's progress, then the picture (an image, a PDF's first page)
//! in half blocks, or by the terminal's graphics protocol once that view is encoded; a
//! PDF's page count; or why the file cannot be shown.

use super::{frame_areas, safe};
use crate::tui::i18n::{tr, trf};
use crate::tui::state::App;
use crate::tui::update::human_size;
use crate::tui::viewer::{Picture, Shown, Viewer, graphic_key, place};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph, Wrap};

/// The viewer's box: the whole body.
fn frame_of(body: Rect) -> (Rect, Rect, Rect) {
    let inner = Rect {
        x: body.x + 1,
        y: body.y + 1,
        width: body.width.saturating_sub(2),
        height: body.height.saturating_sub(2),
    };
    let info = Rect {
        height: inner.height.min(1),
        ..inner
    };
    let picture = Rect {
        y: inner.y + info.height,
        height: inner.height - info.height,
        ..inner
    };
    (inner, info, picture)
}

/// The cells the picture may fill, from the terminal's size alone: what `update` asks
/// to have encoded for the graphics protocol.
pub fn picture_area(app: &App) -> Rect {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let [_, body, _, _] = frame_areas(app, area);
    frame_of(body).2
}

pub fn render(app: &App, v: &Viewer, frame: &mut Frame, body: Rect) {
    let theme = &app.theme;
    let lang = app.lang;
    frame.render_widget(Clear, body);
    let Some(file) = v.current() else {
        return;
    };
    let title = format!(
        " {} · {}/{} ",
        safe(&file.filename),
        v.index + 1,
        v.items.len()
    );
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(Span::styled(
            title,
            theme.accent.add_modifier(Modifier::BOLD),
        ))
        .style(theme.base);
    if v.shown.picture().is_some() {
        let zoom = trf(
            lang,
            "viewer.zoom",
            &[("zoom", &zoom_text(v.scale(), lang))],
        );
        block = block.title_bottom(Span::styled(format!(" {zoom} "), theme.muted));
    }
    frame.render_widget(block, body);
    let (inner, info, area) = frame_of(body);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let mut facts = vec![Span::styled(
        format!("{} · {}", safe(&file.content_type), human_size(file.size)),
        theme.muted,
    )];
    if let Shown::Pdf(pdf) = &v.shown {
        let pages = match pdf.pages {
            Some(n) => trf(lang, "viewer.pages", &[("n", &n.to_string())]),
            None => tr(lang, "viewer.pages_unknown").to_owned(),
        };
        facts.push(Span::styled(format!(" · {pages}"), theme.accent));
    }
    frame.render_widget(Paragraph::new(Line::from(facts)), info);
    match &v.shown {
        Shown::Loading { received, total } => {
            let ratio = if *total > 0 {
                (*received as f64 / *total as f64).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let label = trf(
                lang,
                "viewer.loading",
                &[
                    ("received", &human_size(*received)),
                    ("total", &human_size(*total)),
                ],
            );
            let row = Rect {
                y: area.y + area.height / 2,
                height: area.height.min(1),
                x: area.x + 2.min(area.width),
                width: area.width.saturating_sub(4),
            };
            frame.render_widget(
                Gauge::default()
                    .ratio(ratio)
                    .label(label)
                    .gauge_style(theme.accent),
                row,
            );
        }
        Shown::Failed(why) => note(app, frame, area, why, theme.danger),
        Shown::Image(picture) => draw(app, v, picture, frame, area),
        Shown::Pdf(pdf) => match (&pdf.first, &pdf.note) {
            (Some(picture), _) => draw(app, v, picture, frame, area),
            (None, Some(why)) => note(app, frame, area, why, theme.warn),
            (None, None) => {}
        },
    }
}

/// A message in the middle of the picture's place; `{open}` in it is the key that opens
/// the file with the system viewer (the runtime words the message without the keymap).
fn note(app: &App, frame: &mut Frame, area: Rect, text: &str, style: Style) {
    let open = app.keymap.key_of(
        crate::tui::keymap::Context::Viewer,
        crate::tui::keymap::Command::OpenExternal,
    );
    let text = text.replace("{open}", &open);
    let text = text.as_str();
    let width = area.width.saturating_sub(4).min(70);
    let height = super::wrapped_lines(text, width).min(area.height);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(
        Paragraph::new(text.to_owned())
            .style(style)
            .wrap(Wrap { trim: true })
            .block(Block::default().style(app.theme.base)),
        rect,
    );
}

/// `1.5` as "1,5" in Vietnamese and "1.5" in English, `1` as "1".
fn zoom_text(scale: f64, lang: crate::domain::Lang) -> String {
    let text = format!("{scale:.1}");
    let text = text.trim_end_matches(".0");
    match lang {
        crate::domain::Lang::Vi => text.replace('.', ","),
        crate::domain::Lang::En => text.to_owned(),
    }
}

/// The picture in `area`: by the graphics protocol when this view is encoded for it, in
/// half blocks otherwise (and meanwhile).
fn draw(app: &App, v: &Viewer, picture: &Picture, frame: &mut Frame, area: Rect) {
    let size = (area.width, area.height);
    if let (Some(graphic), Some(key)) = (&v.graphic, graphic_key(v, size))
        && graphic.key == key
    {
        let (cols, rows) = (
            graphic.protocol.size().width,
            graphic.protocol.size().height,
        );
        let at = Rect {
            x: area.x + graphic.offset.0,
            y: area.y + graphic.offset.1,
            width: cols.min(area.width.saturating_sub(graphic.offset.0)),
            height: rows.min(area.height.saturating_sub(graphic.offset.1)),
        };
        frame.render_widget(ratatui_image::Image::new(&graphic.protocol), at);
        super::graphics_drawn(at);
        return;
    }
    let mono = app.theme.name == "monochrome";
    half_blocks(picture, v.zoom, v.center, area, frame.buffer_mut(), mono);
    // Toasts go elsewhere when there is room (a picture fills most of the body).
    super::keep_clear(area, false);
}

/// The picture drawn in half blocks: each cell two pixels, the upper one as the
/// foreground of `▀` and the lower as its background (in the monochrome theme, one shade
/// of `░▒▓█` per cell, by its brightness). Each pixel is the average of the picture's
/// pixels under it, read from the halving nearest its size.
pub fn half_blocks(
    picture: &Picture,
    zoom: u8,
    center: (f64, f64),
    area: Rect,
    buffer: &mut Buffer,
    mono: bool,
) {
    let Some(at) = place(
        (picture.width(), picture.height()),
        (area.width, area.height),
        (1, 2),
        zoom,
        center,
    ) else {
        return;
    };
    let (left, top, sw, sh) = at.source;
    let (pw, ph) = (f64::from(at.pixels.0), f64::from(at.pixels.1));
    // Pixels of the picture per pixel drawn: the halving to read from.
    let per = (sw / pw).max(sh / ph);
    let level = (per.max(1.0).log2().floor() as usize).min(picture.levels.len() - 1);
    let img = &picture.levels[level];
    let (fx, fy) = (
        f64::from(img.width()) / f64::from(picture.width()),
        f64::from(img.height()) / f64::from(picture.height()),
    );
    let pixel = |dx: u32, dy: u32| -> [u8; 3] {
        let x0 = (left + f64::from(dx) * sw / pw) * fx;
        let x1 = (left + f64::from(dx + 1) * sw / pw) * fx;
        let y0 = (top + f64::from(dy) * sh / ph) * fy;
        let y1 = (top + f64::from(dy + 1) * sh / ph) * fy;
        average(img, x0, x1, y0, y1)
    };
    for row in 0..at.cells.1 {
        for col in 0..at.cells.0 {
            let upper = pixel(u32::from(col), u32::from(row) * 2);
            let lower = pixel(u32::from(col), u32::from(row) * 2 + 1);
            let x = area.x + at.offset.0 + col;
            let y = area.y + at.offset.1 + row;
            let Some(cell) = buffer.cell_mut((x, y)) else {
                continue;
            };
            if mono {
                let light = (luma(upper) + luma(lower)) / 2;
                cell.set_symbol(match light {
                    0..=50 => "█",
                    51..=110 => "▓",
                    111..=170 => "▒",
                    171..=230 => "░",
                    _ => " ",
                });
            } else {
                let [r, g, b] = upper;
                let [r2, g2, b2] = lower;
                cell.set_symbol("▀")
                    .set_fg(Color::Rgb(r, g, b))
                    .set_bg(Color::Rgb(r2, g2, b2));
            }
        }
    }
}

fn luma([r, g, b]: [u8; 3]) -> u32 {
    (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000
}

/// The mean colour of the picture's pixels in `[x0, x1) × [y0, y1)` (at least one), read
/// at most 4 × 4 of them.
fn average(img: &image::RgbaImage, x0: f64, x1: f64, y0: f64, y1: f64) -> [u8; 3] {
    let (w, h) = (img.width(), img.height());
    let span = |a: f64, b: f64, max: u32| {
        let first = (a.floor().max(0.0) as u32).min(max - 1);
        let last = (b.ceil() as u32).clamp(first + 1, max);
        (first, last)
    };
    let (xa, xb) = span(x0, x1, w);
    let (ya, yb) = span(y0, y1, h);
    let step_x = ((xb - xa) / 4).max(1);
    let step_y = ((yb - ya) / 4).max(1);
    let (mut sum, mut n) = ([0u32; 3], 0u32);
    let mut y = ya;
    while y < yb {
        let mut x = xa;
        while x < xb {
            let p = img.get_pixel(x, y).0;
            for c in 0..3 {
                sum[c] += u32::from(p[c]);
            }
            n += 1;
            x += step_x;
        }
        y += step_y;
    }
    let n = n.max(1);
    [(sum[0] / n) as u8, (sum[1] / n) as u8, (sum[2] / n) as u8]
}
