//! A [`Sheet`] as an A4 PDF (the register on A4 landscape), drawn with krilla.
//!
//! The text is set in DejaVu Serif (regular, bold, italic; `fonts/`, with its licence),
//! which has every precomposed Vietnamese letter. krilla embeds only the glyphs used
//! (a subset of each face) and writes the map from glyphs back to text, so a PDF reader
//! extracts the Vietnamese as typed (NFC). Glyphs come straight from the fonts' character
//! maps, one per character, with their advances from the fonts' metrics: the same
//! numbers measure a line when it is wrapped and place it when it is drawn, so text never
//! runs past a margin or a cell. There is no shaping (Vietnamese in NFC needs none) and no
//! kerning.
//!
//! Layout first builds a list of drawing operations per page ([`layout`]), then krilla
//! writes them: the page count is known before anything is written (for "Trang 1/3"),
//! and tests can check the positions.

use super::{Block, Sheet, Signature, Table};
use crate::domain::text::nfc;
use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use std::collections::HashMap;
use std::sync::LazyLock;

/// Why a PDF could not be written (a fault of this code or of krilla, never of the data).
#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be written: {0}")]
pub struct PdfError(String);

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
/// A4 in points.
const A4: (f32, f32) = (210.0 * MM, 297.0 * MM);

/// Body text size, in points. Official documents use 13–14 pt Times; DejaVu Serif is
/// wider and taller, and 11.5 pt holds about as many words on a line and lines on a page
/// (a receipt's copy on one sheet).
const BODY: f32 = 11.5;
const LEADING: f32 = 1.25;

/// The faces the forms use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Regular,
    Bold,
    Italic,
}

/// One face: the font as krilla embeds it, and its glyphs and advances by character.
struct Face {
    font: Font,
    glyphs: HashMap<char, (u32, f32)>,
    /// What a character the face lacks is drawn as: U+FFFD if the face has it.
    missing: (char, u32, f32),
    /// Above the baseline, in ems.
    ascent: f32,
}

impl Face {
    fn load(data: &'static [u8]) -> Face {
        let font_ref = skrifa::FontRef::new(data).expect("a bundled font is a valid font");
        let upem = f32::from(
            font_ref
                .metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let metrics = font_ref.glyph_metrics(Size::unscaled(), LocationRef::default());
        let mut glyphs = HashMap::new();
        for (code, gid) in font_ref.charmap().mappings() {
            if let Some(c) = char::from_u32(code) {
                let advance = metrics.advance_width(gid).unwrap_or(0.0) / upem;
                glyphs.insert(c, (gid.to_u32(), advance));
            }
        }
        let missing = ['\u{fffd}', '?']
            .into_iter()
            .find_map(|c| glyphs.get(&c).map(|(g, a)| (c, *g, *a)))
            .unwrap_or(('?', 0, 0.5));
        let m = font_ref.metrics(Size::unscaled(), LocationRef::default());
        Face {
            font: Font::new(data.into(), 0).expect("krilla reads a bundled font"),
            glyphs,
            missing,
            ascent: m.ascent / upem,
        }
    }

    /// The character as this face draws it: itself, or the replacement character.
    fn drawable(&self, c: char) -> char {
        if self.glyphs.contains_key(&c) {
            c
        } else {
            self.missing.0
        }
    }

    /// The width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.glyphs.get(&c).map_or(self.missing.2, |g| g.1))
            .sum::<f32>()
            * size
    }

    fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(i, c)| {
                let (gid, advance) = self
                    .glyphs
                    .get(&c)
                    .copied()
                    .unwrap_or((self.missing.1, self.missing.2));
                KrillaGlyph::new(
                    GlyphId::new(gid),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    i..i + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }
}

struct Faces {
    regular: Face,
    bold: Face,
    italic: Face,
}

impl Faces {
    fn get(&self, style: Style) -> &Face {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
            Style::Italic => &self.italic,
        }
    }
}

/// Parsed once per process: a form costs only its own layout.
static FACES: LazyLock<Faces> = LazyLock::new(|| Faces {
    regular: Face::load(include_bytes!("fonts/DejaVuSerif.ttf")),
    bold: Face::load(include_bytes!("fonts/DejaVuSerif-Bold.ttf")),
    italic: Face::load(include_bytes!("fonts/DejaVuSerif-Italic.ttf")),
});

/// One drawing operation, in points from the page's top left corner.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A line of text whose baseline starts at (`x`, `y`).
    Text {
        x: f32,
        y: f32,
        style: Style,
        size: f32,
        text: String,
    },
    /// A ruled line.
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// A filled square (a module of a QR code).
    Square { x: f32, y: f32, side: f32 },
}

/// A laid-out sheet: the page size and each page's operations.
#[derive(Debug, Clone)]
pub struct Laid {
    pub width: f32,
    pub height: f32,
    /// Left, top, right, bottom margins.
    pub margins: (f32, f32, f32, f32),
    pub pages: Vec<Vec<Op>>,
}

/// The sheet as PDF bytes.
pub fn pdf(sheet: &Sheet) -> Result<Vec<u8>, PdfError> {
    write(sheet, &layout(sheet))
}

fn write(sheet: &Sheet, laid: &Laid) -> Result<Vec<u8>, PdfError> {
    let faces = &*FACES;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!(
                "{} - {}",
                sheet.title,
                nfc(&sheet.subject).replace(['\n', '\r'], " ")
            ))
            .description(sheet.number_line())
            .language("vi".into())
            .creator("motcua".into()),
    );
    let settings = PageSettings::from_wh(laid.width, laid.height)
        .ok_or_else(|| PdfError("a page of no size".into()))?;
    for ops in &laid.pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let mut lines = PathBuilder::new();
        let mut squares = PathBuilder::new();
        let mut line_width = None;
        for op in ops {
            match op {
                Op::Text {
                    x,
                    y,
                    style,
                    size,
                    text,
                } => {
                    let face = faces.get(*style);
                    surface.draw_glyphs(
                        Point::from_xy(*x, *y),
                        &face.glyphs(text),
                        face.font.clone(),
                        text,
                        *size,
                        false,
                    );
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => {
                    lines.move_to(*x1, *y1);
                    lines.line_to(*x2, *y2);
                    line_width = Some(*width);
                }
                Op::Square { x, y, side } => {
                    if let Some(rect) = Rect::from_xywh(*x, *y, *side, *side) {
                        squares.push_rect(rect);
                    }
                }
            }
        }
        // All rules of a page are one path (they share a width), and all modules of a
        // QR code one filled path: a few operators instead of thousands.
        if let Some(path) = lines.finish() {
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                width: line_width.unwrap_or(0.5),
                ..Stroke::default()
            }));
            surface.draw_path(&path);
            surface.set_stroke(None);
        }
        if let Some(path) = squares.finish() {
            surface.set_fill(Some(Fill::default()));
            surface.draw_path(&path);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

// ---------------------------------------------------------------------------------------
// Layout

/// Lays the sheet out on A4 pages.
pub fn layout(sheet: &Sheet) -> Laid {
    let (width, height, margins) = if sheet.landscape {
        (A4.1, A4.0, (20.0 * MM, 15.0 * MM, 15.0 * MM, 15.0 * MM))
    } else {
        // Near Decree 30/2020's margins for administrative documents (30 mm left, 15–20 mm
        // right, 20–25 mm top and bottom), a little less at the top and bottom.
        (A4.0, A4.1, (30.0 * MM, 15.0 * MM, 15.0 * MM, 15.0 * MM))
    };
    let mut w = Writer {
        faces: &FACES,
        left: margins.0,
        right: width - margins.2,
        top: margins.1,
        bottom: height - margins.3,
        y: margins.1,
        pages: vec![Vec::new()],
    };
    for block in &sheet.blocks {
        match block {
            Block::Header { office, desk } => w.header(&sheet.number_line(), office, desk),
            Block::PlaceDate(text) => {
                let (x0, x1) = w.right_column();
                w.lines(text, Style::Italic, BODY, x0, x1, Align::Center);
            }
            Block::Title(text) => {
                w.space(BODY * 0.3);
                w.lines(
                    &text.to_uppercase(),
                    Style::Bold,
                    BODY + 1.0,
                    w.left,
                    w.right,
                    Align::Center,
                );
            }
            Block::Center(text) => {
                w.lines(text, Style::Regular, BODY, w.left, w.right, Align::Center)
            }
            Block::Para(text) => w.lines(text, Style::Regular, BODY, w.left, w.right, Align::Left),
            Block::Field { label, value } => w.field(label, value),
            Block::Table(table) => {
                w.table(table);
                w.space(BODY * 0.3);
            }
            Block::Signatures { left, right } => w.signatures(left.as_ref(), right),
            Block::Qr { payload, caption } => w.qr(payload, caption),
            Block::Blank => w.space(BODY * 0.5),
            Block::PageBreak => w.new_page(),
        }
    }
    let mut pages = w.pages;
    // Page numbers on a document that runs over sheets by itself (the register, a long
    // control slip); the receipt's two copies are two documents, not two pages of one.
    let breaks = sheet.blocks.iter().any(|b| matches!(b, Block::PageBreak));
    let count = pages.len();
    if count > 1 && !breaks {
        let faces = &*FACES;
        for (i, ops) in pages.iter_mut().enumerate() {
            let label = format!("Trang {}/{count}", i + 1);
            let size = 9.0;
            let x = (width - faces.italic.width(&label, size)) / 2.0;
            ops.push(Op::Text {
                x,
                y: height - margins.3 / 2.0,
                style: Style::Italic,
                size,
                text: label,
            });
        }
    }
    Laid {
        width,
        height,
        margins,
        pages,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Right,
}

struct Writer<'f> {
    faces: &'f Faces,
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
    /// Where the next block starts, from the top of the page.
    y: f32,
    pages: Vec<Vec<Op>>,
}

impl Writer<'_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.top;
    }

    /// Starts a new page unless `height` more points fit on this one (a block taller
    /// than a page starts at the top of one and runs on).
    fn room(&mut self, height: f32) {
        if self.y + height > self.bottom && self.y > self.top {
            self.new_page();
        }
    }

    fn space(&mut self, height: f32) {
        self.y += height;
    }

    /// The right column of the header: the motto, and the place-and-date line under it.
    fn right_column(&self) -> (f32, f32) {
        (self.left + (self.right - self.left) * 0.4, self.right)
    }

    fn text(&mut self, x: f32, baseline: f32, style: Style, size: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        self.ops().push(Op::Text {
            x,
            y: baseline,
            style,
            size,
            text: text.to_owned(),
        });
    }

    fn rule(&mut self, x1: f32, x2: f32, y: f32) {
        self.ops().push(Op::Line {
            x1,
            y1: y,
            x2,
            y2: y,
            width: 0.5,
        });
    }

    /// Draws one line of text in (`x0`, `x1`) with its top at `top`, aligned.
    #[allow(clippy::too_many_arguments)]
    fn line_at(
        &mut self,
        text: &str,
        style: Style,
        size: f32,
        x0: f32,
        x1: f32,
        top: f32,
        align: Align,
    ) {
        let face = self.faces.get(style);
        let w = face.width(text, size);
        let x = match align {
            Align::Left => x0,
            Align::Center => x0 + ((x1 - x0) - w).max(0.0) / 2.0,
            Align::Right => x1 - w,
        };
        let baseline = top + face.ascent * size + (LEADING - 1.0) * size / 2.0;
        self.text(x, baseline, style, size, text);
    }

    /// A paragraph wrapped in (`x0`, `x1`), flowing over pages.
    fn lines(&mut self, text: &str, style: Style, size: f32, x0: f32, x1: f32, align: Align) {
        for line in wrap(self.faces.get(style), text, size, x1 - x0, x1 - x0) {
            self.room(size * LEADING);
            let top = self.y;
            self.line_at(&line, style, size, x0, x1, top, align);
            self.y += size * LEADING;
        }
    }

    /// `label: value`, the lines after the first indented.
    fn field(&mut self, label: &str, value: &str) {
        let face = self.faces.get(Style::Regular);
        let indent = BODY * 1.5;
        let width = self.right - self.left;
        let text = format!("{label}: {value}");
        for (i, line) in wrap(face, &text, BODY, width, width - indent)
            .into_iter()
            .enumerate()
        {
            self.room(BODY * LEADING);
            let x0 = if i == 0 {
                self.left
            } else {
                self.left + indent
            };
            let top = self.y;
            let right = self.right;
            self.line_at(&line, Style::Regular, BODY, x0, right, top, Align::Left);
            self.y += BODY * LEADING;
        }
    }

    /// The form's number top right; the office and its desk on the left, the motto on
    /// the right, each with a short rule under it.
    fn header(&mut self, number: &str, office: &str, desk: &str) {
        let size = 11.0;
        self.room(size * LEADING * 5.0);
        let top = self.y;
        let (left, right) = (self.left, self.right);
        self.line_at(number, Style::Italic, 10.0, left, right, top, Align::Right);
        let top = top + 10.0 * LEADING + 4.0;
        let split = self.right_column().0;
        // Left: the office (upper case) and the desk (bold).
        let mut y = top;
        for (text, style) in [(office, Style::Regular), (desk, Style::Bold)] {
            let face = self.faces.get(style);
            for line in wrap(
                face,
                &text.to_uppercase(),
                size,
                split - left - 4.0,
                split - left - 4.0,
            ) {
                self.line_at(&line, style, size, left, split - 4.0, y, Align::Center);
                y += size * LEADING;
            }
        }
        let mid = (left + split - 4.0) / 2.0;
        let rule_y = y + 2.0;
        self.rule(mid - 30.0, mid + 30.0, rule_y);
        let left_bottom = rule_y;
        // Right: the national motto.
        let mut y = top;
        let motto = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
        let words = "Độc lập - Tự do - Hạnh phúc";
        self.line_at(motto, Style::Bold, size, split, right, y, Align::Center);
        y += size * LEADING;
        self.line_at(
            words,
            Style::Bold,
            size + 1.0,
            split,
            right,
            y,
            Align::Center,
        );
        y += (size + 1.0) * LEADING;
        let half = self.faces.bold.width(words, size + 1.0) / 2.0;
        let mid = (split + right) / 2.0;
        let rule_y = y + 2.0;
        self.rule(mid - half, mid + half, rule_y);
        self.y = left_bottom.max(rule_y) + 6.0;
    }

    fn table(&mut self, table: &Table) {
        let size = if table.compact { 7.5 } else { BODY - 1.0 };
        let pad = if table.compact { 2.5 } else { 4.0 };
        let line = size * LEADING;
        let xs = self.columns(table, size, pad);
        let n = table.widths.len();
        // Each row's cells as wrapped lines, with the columns each cell spans.
        let cells = |row: &[String], style: Style| -> Vec<(usize, usize, Vec<String>)> {
            let k = row.len().clamp(1, n);
            (0..k)
                .map(|i| {
                    let end = if i == k - 1 { n } else { i + 1 };
                    let width = xs[end] - xs[i] - 2.0 * pad;
                    let text = row.get(i).map(String::as_str).unwrap_or("");
                    let lines = wrap(self.faces.get(style), text, size, width, width);
                    (i, end, lines)
                })
                .collect()
        };
        let header = cells(&table.header, Style::Bold);
        let header_height =
            header.iter().map(|c| c.2.len()).max().unwrap_or(1) as f32 * line + 2.0 * pad;
        let draw_header = |w: &mut Writer<'_>| {
            let top = w.y;
            w.row(
                &xs,
                &header,
                top,
                header_height,
                line,
                size,
                pad,
                Style::Bold,
                |_| Align::Center,
            );
            w.y += header_height;
        };
        let first_row = table
            .rows
            .first()
            .map(|r| {
                cells(r, Style::Regular)
                    .iter()
                    .map(|c| c.2.len())
                    .max()
                    .unwrap_or(1)
            })
            .unwrap_or(0) as f32
            * line
            + 2.0 * pad;
        self.room(header_height + first_row);
        draw_header(self);
        for row in &table.rows {
            let mut cells = cells(row, Style::Regular);
            let align = |col: usize| {
                if table.centered.contains(&col) && row.len() == n {
                    Align::Center
                } else {
                    Align::Left
                }
            };
            loop {
                let lines = cells.iter().map(|c| c.2.len()).max().unwrap_or(1).max(1);
                let needed = lines as f32 * line + 2.0 * pad;
                if self.y + needed <= self.bottom {
                    let top = self.y;
                    self.row(
                        &xs,
                        &cells,
                        top,
                        needed,
                        line,
                        size,
                        pad,
                        Style::Regular,
                        align,
                    );
                    self.y += needed;
                    break;
                }
                // A row that fits on a page of its own moves to the next one whole; a
                // taller one puts what fits here and the rest on the next page, under
                // the header again.
                let fresh = self.bottom - self.top - header_height;
                let fit = ((self.bottom - self.y - 2.0 * pad) / line).floor() as usize;
                if needed > fresh && fit >= 1 && fit < lines {
                    let head: Vec<_> = cells
                        .iter()
                        .map(|(a, b, l)| (*a, *b, l.iter().take(fit).cloned().collect()))
                        .collect();
                    let height = fit as f32 * line + 2.0 * pad;
                    let top = self.y;
                    self.row(
                        &xs,
                        &head,
                        top,
                        height,
                        line,
                        size,
                        pad,
                        Style::Regular,
                        align,
                    );
                    cells = cells
                        .into_iter()
                        .map(|(a, b, l)| (a, b, l.into_iter().skip(fit).collect()))
                        .collect();
                }
                self.new_page();
                draw_header(self);
            }
        }
    }

    /// The columns' edges: widths in the proportions the table asks for, widened where a
    /// word (a dossier code, a date) would otherwise be cut, the others narrowed to make
    /// room, so long as every column keeps a share.
    fn columns(&self, table: &Table, size: f32, pad: f32) -> Vec<f32> {
        let n = table.widths.len().max(1);
        let span = self.right - self.left;
        let total: usize = table.widths.iter().map(|w| w + 3).sum();
        let mut widths: Vec<f32> = table
            .widths
            .iter()
            .map(|w| span * (w + 3) as f32 / total.max(1) as f32)
            .collect();
        if table.compact && !table.rows.is_empty() {
            // A long table of many columns (the register): each column as wide as the square
            // root of how much it holds, which keeps the lines of all its cells, and so the
            // pages and the time to write them, fewest. A column that holds next to nothing
            // (the signatures) keeps its share.
            let face = self.faces.get(Style::Regular);
            let mut ink = vec![0.0f32; n];
            for row in table.rows.iter().filter(|r| r.len() >= n) {
                for (col, cell) in row.iter().enumerate().take(n) {
                    ink[col] += face.width(cell, size);
                }
            }
            let weights: Vec<f32> = ink
                .iter()
                .map(|t| (t / table.rows.len() as f32).sqrt())
                .collect();
            let total: f32 = weights.iter().sum();
            if total > 0.0 {
                let floor: Vec<f32> = widths.iter().map(|w| w * 0.5).collect();
                let taken: f32 = floor.iter().sum();
                for ((w, weight), f) in widths.iter_mut().zip(&weights).zip(&floor) {
                    *w = f + (span - taken) * weight / total;
                }
            }
        }
        // The widest word of each column, header and cells, within a third of the line.
        let mut words = vec![0.0f32; n];
        let rows = std::iter::once((&table.header, Style::Bold))
            .chain(table.rows.iter().map(|r| (r, Style::Regular)));
        for (row, style) in rows {
            if row.len() < n {
                continue; // A spanning cell has room enough.
            }
            let face = self.faces.get(style);
            for (col, cell) in row.iter().enumerate().take(n) {
                for word in cell.split_whitespace() {
                    words[col] = words[col].max(face.width(word, size));
                }
            }
        }
        let need: Vec<f32> = words
            .iter()
            .map(|w| (w + 2.0 * pad + 0.5).min(span / 3.0))
            .collect();
        for _ in 0..n {
            let short: f32 = widths
                .iter()
                .zip(&need)
                .map(|(w, m)| (m - w).max(0.0))
                .sum();
            if short <= 0.01 {
                break;
            }
            let spare: f32 = widths
                .iter()
                .zip(&need)
                .map(|(w, m)| (w - m).max(0.0))
                .sum();
            if spare <= 0.01 {
                break;
            }
            let take = (short / spare).min(1.0);
            for (w, m) in widths.iter_mut().zip(&need) {
                if *w < *m {
                    *w += (*m - *w) * (spare / short).min(1.0);
                } else {
                    *w -= (*w - *m) * take;
                }
            }
        }
        let mut xs = vec![self.left];
        for w in &widths {
            xs.push(xs[xs.len() - 1] + w);
        }
        // The last edge exactly at the margin, whatever the rounding.
        if let Some(last) = xs.last_mut() {
            *last = self.right;
        }
        xs
    }

    /// One row of ruled cells whose top is at `top`.
    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        xs: &[f32],
        cells: &[(usize, usize, Vec<String>)],
        top: f32,
        height: f32,
        line: f32,
        size: f32,
        pad: f32,
        style: Style,
        align: impl Fn(usize) -> Align,
    ) {
        let (left, right) = (xs[0], xs[xs.len() - 1]);
        self.rule(left, right, top);
        self.rule(left, right, top + height);
        for &(start, end, ref lines) in cells {
            for (i, text) in lines.iter().enumerate() {
                let y = top + pad + i as f32 * line;
                self.line_at(
                    text,
                    style,
                    size,
                    xs[start] + pad,
                    xs[end] - pad,
                    y,
                    align(start),
                );
            }
        }
        let mut edges: Vec<usize> = cells.iter().map(|c| c.0).collect();
        edges.push(xs.len() - 1);
        for e in edges {
            self.ops().push(Op::Line {
                x1: xs[e],
                y1: top,
                x2: xs[e],
                y2: top + height,
                width: 0.5,
            });
        }
    }

    fn signatures(&mut self, left: Option<&Signature>, right: &Signature) {
        let half = (self.right - self.left) / 2.0;
        let block = |s: &Signature| -> Vec<(String, Style, f32)> {
            let mut out = Vec::new();
            for l in wrap(
                &self.faces.bold,
                &s.title.to_uppercase(),
                BODY,
                half - 8.0,
                half - 8.0,
            ) {
                out.push((l, Style::Bold, BODY));
            }
            for l in wrap(
                &self.faces.italic,
                &s.hint,
                BODY - 1.0,
                half - 8.0,
                half - 8.0,
            ) {
                out.push((l, Style::Italic, BODY - 1.0));
            }
            // Room to sign.
            out.push((String::new(), Style::Regular, 3.2 * BODY));
            for l in wrap(&self.faces.bold, &s.name, BODY, half - 8.0, half - 8.0) {
                out.push((l, Style::Bold, BODY));
            }
            out
        };
        let height = |lines: &[(String, Style, f32)]| -> f32 {
            lines.iter().map(|(_, _, size)| size * LEADING).sum()
        };
        let right_lines = block(right);
        let left_lines = left.map(block).unwrap_or_default();
        self.room(height(&right_lines).max(height(&left_lines)));
        let top = self.y;
        let mut bottom = top;
        for (lines, x0) in [(left_lines, self.left), (right_lines, self.left + half)] {
            let mut y = top;
            for (text, style, size) in lines {
                self.line_at(&text, style, size, x0, x0 + half, y, Align::Center);
                y += size * LEADING;
            }
            bottom = bottom.max(y);
        }
        self.y = bottom;
    }

    /// The QR code on the left, its caption beside it.
    fn qr(&mut self, payload: &str, caption: &str) {
        use qrcode::{Color, EcLevel, QrCode};
        let side = 24.0 * MM;
        let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
            .or_else(|_| QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::L));
        let caption_x = self.left + side + 4.0 * MM;
        let size = BODY - 2.0;
        let caption_lines = wrap(
            &self.faces.italic,
            caption,
            size,
            self.right - caption_x,
            self.right - caption_x,
        );
        let caption_height = caption_lines.len() as f32 * size * LEADING;
        let code = match code {
            Ok(code) => code,
            // Too long to encode: the caption says where to look.
            Err(_) => {
                let right = self.right;
                self.lines(caption, Style::Italic, size, self.left, right, Align::Left);
                return;
            }
        };
        self.room(side.max(caption_height));
        let top = self.y;
        let n = code.width();
        // No quiet zone of its own: the white page around it is one.
        let module = side / n as f32;
        let colors = code.to_colors();
        let left = self.left;
        for (i, color) in colors.iter().enumerate() {
            if *color == Color::Dark {
                let (row, col) = (i / n, i % n);
                self.ops().push(Op::Square {
                    x: left + col as f32 * module,
                    y: top + row as f32 * module,
                    side: module,
                });
            }
        }
        let right = self.right;
        let mut y = top + (side - caption_height).max(0.0) / 2.0;
        for line in caption_lines {
            self.line_at(&line, Style::Italic, size, caption_x, right, y, Align::Left);
            y += size * LEADING;
        }
        self.y = top + side.max(caption_height);
    }
}

/// Word-wraps `text` (NFC first; characters the face lacks replaced) to `first` points
/// on the first line and `rest` after; a newline starts a new line; a word wider than a
/// line is cut between characters.
fn wrap(face: &Face, text: &str, size: f32, first: f32, rest: f32) -> Vec<String> {
    use unicode_normalization::{IsNormalized, is_nfc_quick};
    // Most cells are already NFC and drawable: no copy for them (a register has 140,000).
    let composed = if is_nfc_quick(text.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(nfc(text))
    };
    let text: std::borrow::Cow<'_, str> = if composed
        .chars()
        .all(|c| c == '\n' || face.glyphs.contains_key(&c))
    {
        composed
    } else {
        std::borrow::Cow::Owned(
            composed
                .chars()
                .map(|c| if c == '\n' { c } else { face.drawable(c) })
                .collect(),
        )
    };
    if text.is_empty() {
        return vec![String::new()];
    }
    let space = face.width(" ", size);
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        for word in paragraph.split_whitespace() {
            let mut word = word.to_owned();
            while !word.is_empty() {
                let max = if lines.is_empty() { first } else { rest };
                let w = face.width(&word, size);
                let gap = if line.is_empty() { 0.0 } else { space };
                if used + gap + w <= max {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    used += gap + w;
                    word.clear();
                } else if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    used = 0.0;
                } else {
                    // Cut the word where it stops fitting (at least one character).
                    let mut cut = 0;
                    let mut width = 0.0;
                    for (i, c) in word.char_indices() {
                        let cw = face.width(c.encode_utf8(&mut [0; 4]), size);
                        if width + cw > max && i > 0 {
                            break;
                        }
                        width += cw;
                        cut = i + c.len_utf8();
                    }
                    lines.push(word[..cut].to_owned());
                    word = word[cut..].to_owned();
                }
            }
        }
        if !line.is_empty() || paragraph.trim().is_empty() {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(blocks: Vec<Block>) -> Sheet {
        let mut s = Sheet::new(
            crate::domain::forms::FormSet::Circular03_2025,
            "01",
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            "000.01.27.H07-260306-0001",
        );
        s.blocks = blocks;
        s
    }

    /// Every text and rule of the layout stays inside the margins.
    fn inside(laid: &Laid) {
        let (l, t, r, b) = laid.margins;
        let faces = &*FACES;
        for ops in &laid.pages {
            for op in ops {
                match op {
                    Op::Text {
                        x,
                        y,
                        style,
                        size,
                        text,
                    } => {
                        let w = faces.get(*style).width(text, *size);
                        assert!(*x >= l - 0.01, "{text:?} starts at {x} < {l}");
                        assert!(x + w <= laid.width - r + 0.01, "{text:?} ends at {}", x + w);
                        // Page numbers sit in the bottom margin, on purpose.
                        if !text.starts_with("Trang ") {
                            assert!(*y >= t && *y <= laid.height - b + 0.01, "{text:?} at y {y}");
                        }
                    }
                    Op::Line { x1, x2, .. } => {
                        assert!(*x1 >= l - 0.01 && *x2 <= laid.width - r + 0.01)
                    }
                    Op::Square { x, .. } => assert!(*x >= l - 0.01),
                }
            }
        }
    }

    #[test]
    fn lines_wrap_inside_the_measure_and_cut_long_words_between_characters() {
        let face = &FACES.regular;
        let lines = wrap(face, &"Nguyễn".repeat(40), 12.0, 100.0, 100.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| face.width(l, 12.0) <= 100.0));
        assert_eq!(lines.concat(), "Nguyễn".repeat(40));
        // Decomposed input is composed: one glyph per letter.
        assert_eq!(
            wrap(face, "Tie\u{302}\u{301}p", 12.0, 500.0, 500.0),
            ["Tiếp"]
        );
        // A character no face has is drawn as the replacement character.
        assert_eq!(
            wrap(face, "a\u{1F600}b", 12.0, 500.0, 500.0),
            ["a\u{fffd}b"]
        );
        assert_eq!(wrap(face, "a\n\nb", 12.0, 500.0, 500.0), ["a", "", "b"]);
    }

    #[test]
    fn every_vietnamese_letter_has_a_glyph_in_every_face() {
        let letters = "aàáạảãăằắặẳẵâầấậẩẫbcdđeèéẹẻẽêềếệểễghiìíịỉĩklmnoòóọỏõôồốộổỗơờớợởỡpqrstuùúụủũưừứựửữvxyỳýỵỷỹ";
        for face in [&FACES.regular, &FACES.bold, &FACES.italic] {
            for c in letters.chars().chain(letters.to_uppercase().chars()) {
                assert!(face.glyphs.contains_key(&c), "{c}");
            }
        }
    }

    #[test]
    fn a_long_table_runs_over_pages_with_its_header_and_page_numbers() {
        let rows: Vec<Vec<String>> = (1..=120)
            .map(|i| vec![i.to_string(), format!("Giấy tờ thứ {i} của hồ sơ")])
            .collect();
        let laid = layout(&sheet(vec![Block::Table(Table {
            widths: vec![3, 40],
            header: vec!["TT".into(), "Tên giấy tờ".into()],
            rows,
            centered: vec![0],
            compact: false,
        })]));
        assert!(laid.pages.len() >= 3, "{} pages", laid.pages.len());
        inside(&laid);
        let count = laid.pages.len();
        for (i, ops) in laid.pages.iter().enumerate() {
            let texts: Vec<&str> = ops
                .iter()
                .filter_map(|o| match o {
                    Op::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            assert!(
                texts.contains(&"Tên giấy tờ"),
                "the header on page {}",
                i + 1
            );
            let label = format!("Trang {}/{count}", i + 1);
            assert!(texts.contains(&label.as_str()), "{label}");
        }
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_between_pages() {
        let tall = "Một dòng ghi chú rất dài. ".repeat(400);
        let laid = layout(&sheet(vec![Block::Table(Table {
            widths: vec![3, 40],
            header: vec!["TT".into(), "Ghi chú".into()],
            rows: vec![vec!["1".into(), tall]],
            centered: vec![0],
            compact: false,
        })]));
        assert!(laid.pages.len() >= 2);
        inside(&laid);
    }

    #[test]
    fn the_same_sheet_gives_the_same_bytes() {
        let s = sheet(vec![
            Block::Header {
                office: "UBND Phường An Hội".into(),
                desk: "Bộ phận Một cửa".into(),
            },
            Block::Para("Huỳnh Thị Ngọc Quyên".into()),
            Block::Qr {
                payload: "https://example.vn/x".into(),
                caption: "Tra cứu".into(),
            },
        ]);
        let a = pdf(&s).unwrap();
        assert!(a.starts_with(b"%PDF-"));
        assert_eq!(a, pdf(&s).unwrap());
        inside(&layout(&s));
    }

    proptest::proptest! {
        /// Whatever was typed, nothing is drawn outside the margins.
        #[test]
        fn any_text_stays_inside_the_margins(
            text in "\\PC{0,300}",
            word in "[a-zđ]{40,120}",
        ) {
            let s = sheet(vec![
                Block::Header { office: text.clone(), desk: word.clone() },
                Block::PlaceDate(text.clone()),
                Block::Title(word.clone()),
                Block::Field { label: word.clone(), value: text.clone() },
                Block::Table(Table {
                    widths: vec![2, 20, 9],
                    header: vec!["TT".into(), word.clone(), "X".into()],
                    rows: vec![vec!["1".into(), text.clone(), word.clone()], vec![text.clone()]],
                    centered: vec![0],
                    compact: false,
                }),
                Block::Signatures {
                    left: Some(Signature::person(&word, &text)),
                    right: Signature::head(&word),
                },
                Block::Qr { payload: text.clone(), caption: text },
            ]);
            inside(&layout(&s));
        }
    }
}
