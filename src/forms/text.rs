//! A [`Sheet`] as plain text: the terminal's preview and a plain-text printer.
//!
//! Laid out for an A5 sheet in a monospace font: no line is wider than [`WIDTH`] columns.
//! Widths are counted in characters after NFC, with combining marks counted as nothing,
//! which is exact for Vietnamese (every letter is one precomposed character after NFC);
//! strings are never cut inside a character. A page break (the receipt's second copy) is a
//! form feed on a line of its own, so that a plain-text printer starts it on a new sheet.

use super::{Block, Sheet, Signature, Table};
use crate::domain::text::nfc;
use unicode_normalization::char::is_combining_mark;

/// The widest line of a form, in columns: what an A5 sheet holds in a readable
/// monospace size with the usual margins.
pub const WIDTH: usize = 64;

/// Width of the issuing body's block in the header; the national motto takes the rest.
const HEADER_LEFT: usize = 26;

/// Width of one signature block; two sit side by side.
const SIGNATURE: usize = WIDTH / 2;

/// What separates the two copies of the receipt.
pub const PAGE_BREAK: &str = "\u{0c}";

/// The sheet as text, without trailing spaces, each line ending in a newline.
pub fn text(sheet: &Sheet) -> String {
    let mut page = Page::default();
    for block in &sheet.blocks {
        match block {
            Block::Header { office, desk } => page.header(&sheet.number_line(), office, desk),
            Block::PlaceDate(text) => page.right(text),
            Block::Title(text) => page.center(&text.to_uppercase()),
            Block::Center(text) => page.center(text),
            Block::Para(text) => page.para(text),
            Block::Field { label, value } => page.field(label, value),
            Block::Table(table) => page.table(table),
            Block::Signatures { left, right } => page.signatures(left.as_ref(), right),
            // No picture in text: the address the code holds is in its caption.
            Block::Qr { caption, .. } => page.para(caption),
            Block::Blank => page.blank(),
            Block::PageBreak => page.lines.push(PAGE_BREAK.to_owned()),
        }
    }
    page.finish()
}

/// Columns a text takes in a monospace font: combining marks and control characters take
/// none. Exact for Vietnamese in NFC; CJK wide characters are out of scope for the forms.
pub fn width(s: &str) -> usize {
    s.chars()
        .filter(|c| !is_combining_mark(*c) && !c.is_control())
        .count()
}

/// Splits `s` where its first `w` columns end, on a character boundary, keeping combining
/// marks with the letter before them.
fn split_at_width(s: &str, w: usize) -> (String, String) {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let cw = usize::from(!(is_combining_mark(c) || c.is_control()));
        if used + cw > w {
            return (s[..i].to_owned(), s[i..].to_owned());
        }
        used += cw;
    }
    (s.to_owned(), String::new())
}

/// Word-wraps `text` (NFC first) to `first` columns on the first line and `rest` after;
/// a newline in the text starts a new line; a word longer than a line is cut.
fn wrap_widths(text: &str, first: usize, rest: usize) -> Vec<String> {
    let text = nfc(text);
    let mut lines: Vec<String> = Vec::new();
    let limit = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(1);
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split_whitespace() {
            let mut word = word.to_owned();
            while !word.is_empty() {
                let w = width(&word);
                let max = limit(&lines);
                let gap = usize::from(used > 0);
                if used + gap + w <= max {
                    if gap == 1 {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    used += gap + w;
                    word.clear();
                } else if used > 0 {
                    lines.push(std::mem::take(&mut line));
                    used = 0;
                } else {
                    let (head, tail) = split_at_width(&word, max);
                    lines.push(head);
                    word = tail;
                }
            }
        }
        if used > 0 || paragraph.trim().is_empty() {
            lines.push(line);
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn wrap(text: &str, w: usize) -> Vec<String> {
    wrap_widths(text, w, w)
}

fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_owned();
    out.push_str(&" ".repeat(w.saturating_sub(width(s))));
    out
}

fn centered(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s)) / 2))
}

/// Two columns side by side, the left one `left_width` wide.
fn side_by_side(left: &[String], right: &[String], left_width: usize) -> Vec<String> {
    (0..left.len().max(right.len()))
        .map(|i| {
            let l = left.get(i).map(String::as_str).unwrap_or("");
            let r = right.get(i).map(String::as_str).unwrap_or("");
            format!("{}{r}", pad(l, left_width))
        })
        .collect()
}

fn signature_lines(s: &Signature) -> Vec<String> {
    let mut out: Vec<String> = wrap(&s.title.to_uppercase(), SIGNATURE)
        .iter()
        .chain(wrap(&s.hint, SIGNATURE).iter())
        .map(|l| centered(l, SIGNATURE))
        .collect();
    // Room to sign.
    out.extend(std::iter::repeat_n(String::new(), 4));
    out.extend(
        wrap(&s.name, SIGNATURE)
            .iter()
            .map(|l| centered(l, SIGNATURE)),
    );
    out
}

/// A form being laid out, line by line.
#[derive(Default)]
struct Page {
    lines: Vec<String>,
}

impl Page {
    fn blank(&mut self) {
        self.lines.push(String::new());
    }

    fn para(&mut self, text: &str) {
        self.lines.extend(wrap(text, WIDTH));
    }

    fn center(&mut self, text: &str) {
        for l in wrap(text, WIDTH) {
            self.lines.push(centered(&l, WIDTH));
        }
    }

    fn right(&mut self, text: &str) {
        for l in wrap(text, WIDTH) {
            self.lines.push(format!(
                "{}{l}",
                " ".repeat(WIDTH.saturating_sub(width(&l)))
            ));
        }
    }

    /// `label: value`, the value running on under an indent.
    fn field(&mut self, label: &str, value: &str) {
        const INDENT: usize = 4;
        let text = format!("{label}: {value}");
        for (i, l) in wrap_widths(&text, WIDTH, WIDTH - INDENT)
            .into_iter()
            .enumerate()
        {
            let indent = if i == 0 { 0 } else { INDENT };
            self.lines.push(format!("{}{l}", " ".repeat(indent)));
        }
    }

    /// The issuing body on the left, the national motto on the right, and the form's
    /// number in its set above them.
    fn header(&mut self, number: &str, office: &str, desk: &str) {
        self.right(number);
        let right_width = WIDTH - HEADER_LEFT;
        let mut left: Vec<String> = wrap(&office.to_uppercase(), HEADER_LEFT)
            .iter()
            .chain(wrap(&desk.to_uppercase(), HEADER_LEFT).iter())
            .map(|l| centered(l, HEADER_LEFT))
            .collect();
        left.push(centered("--------", HEADER_LEFT));
        let right: Vec<String> = [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "---------------------------",
        ]
        .iter()
        .map(|l| centered(l, right_width))
        .collect();
        self.lines.extend(side_by_side(&left, &right, HEADER_LEFT));
    }

    fn table(&mut self, table: &Table) {
        let widths = &table.widths;
        let rule = widths.iter().fold(String::from("+"), |mut acc, w| {
            acc.push_str(&"-".repeat(w + 2));
            acc.push('+');
            acc
        });
        self.lines.push(rule.clone());
        self.table_row(widths, &table.header);
        self.lines.push(rule.clone());
        let rows = &table.rows;
        for (i, row) in rows.iter().enumerate() {
            self.table_row(widths, row);
            // A spanning row continues the row above it: no rule between them.
            if rows
                .get(i + 1)
                .is_none_or(|next| next.len() >= widths.len())
            {
                self.lines.push(rule.clone());
            }
        }
    }

    fn table_row(&mut self, widths: &[usize], cells: &[String]) {
        let n = widths.len();
        let k = cells.len().clamp(1, n);
        let mut spans: Vec<usize> = widths[..k - 1].to_vec();
        spans.push(widths[k - 1..].iter().sum::<usize>() + 3 * (n - k));
        let wrapped: Vec<Vec<String>> = spans
            .iter()
            .enumerate()
            .map(|(i, w)| wrap(cells.get(i).map(String::as_str).unwrap_or(""), *w))
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        for line in 0..height {
            let mut text = String::from("|");
            for (cell, w) in wrapped.iter().zip(&spans) {
                let part = cell.get(line).map(String::as_str).unwrap_or("");
                text.push_str(&format!(" {} |", pad(part, *w)));
            }
            self.lines.push(text);
        }
    }

    fn signatures(&mut self, left: Option<&Signature>, right: &Signature) {
        let left = left.map(signature_lines).unwrap_or_default();
        self.lines
            .extend(side_by_side(&left, &signature_lines(right), SIGNATURE));
    }

    /// The text, without trailing spaces, ending in a newline.
    fn finish(self) -> String {
        let mut out = String::new();
        for line in self.lines {
            // Spaces only: the page break is a form feed, white space to `trim_end`.
            out.push_str(line.trim_end_matches(' '));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_never_cuts_a_character_and_respects_the_width() {
        let long = "Nguyễn".repeat(30);
        let lines = wrap(&long, 10);
        assert!(lines.iter().all(|l| width(l) <= 10));
        assert_eq!(lines.concat(), long);
        // Decomposed input (e + combining marks) is composed before measuring.
        let decomposed = "Tie\u{302}\u{301}p nha\u{323}\u{302}n";
        assert_eq!(wrap(decomposed, 64), vec!["Tiếp nhận".to_owned()]);
        assert_eq!(width("e\u{302}\u{301}"), 1);
        assert_eq!(
            wrap("một hai ba bốn năm", 7),
            vec!["một hai", "ba bốn", "năm"]
        );
        assert_eq!(wrap("", 5), vec![String::new()]);
        assert_eq!(wrap("a\n\nb", 5), vec!["a", "", "b"]);
        let (head, tail) = split_at_width("Đặng", 2);
        assert_eq!((head.as_str(), tail.as_str()), ("Đặ", "ng"));
    }
}
