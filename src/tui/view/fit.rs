//! Text in the room it has: the one way every pane shortens a name, a status or a hint
//! that does not fit, and the width every layout measures with. Widths are terminal
//! cells (unicode-width), never bytes or characters: "Nguyễn" is 6 cells in NFC.

use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// What marks a text that was shortened.
pub const ELLIPSIS: &str = "…";

/// Cells `text` takes on a terminal.
pub fn width(text: &str) -> usize {
    text.width()
}

/// `text` in at most `max` cells. Whole when it fits; else cut after the last whole word
/// that leaves room for "…" ("Nguyễn Thị Thanh…", never "Nguyễn Thị Thanh Hư"), with
/// the punctuation that would dangle before the mark dropped; mid-word only when the
/// first word alone is wider than the room.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let room = max - width(ELLIPSIS);
    // The longest prefix that fits the room, and the last word boundary inside it.
    let mut used = 0;
    let mut fits = 0;
    let mut boundary = None;
    let mut previous_space = false;
    for (at, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            // The room ends just before a space: the last word fits whole.
            if c.is_whitespace() && at > 0 {
                boundary = Some(at);
            }
            break;
        }
        if c.is_whitespace() && !previous_space && at > 0 {
            boundary = Some(at);
        }
        previous_space = c.is_whitespace();
        used += w;
        fits = at + c.len_utf8();
    }
    let head = match boundary {
        Some(at) => &text[..at],
        None => &text[..fits],
    };
    // An aside opened and cut after its first word says nothing yet: it goes whole, so
    // a status reads "Mới đăng ký…", not "Mới đăng ký (trực…".
    let head = match (head.rfind('('), head.rfind(')')) {
        (Some(open), close)
            if close.is_none_or(|c| c < open)
                && !head[open..].trim_end().contains(char::is_whitespace)
                && !head[..open].trim().is_empty() =>
        {
            &head[..open]
        }
        _ => head,
    };
    let head = head.trim_end_matches(|c: char| c.is_whitespace() || DANGLING.contains(&c));
    let mut out = String::with_capacity(head.len() + ELLIPSIS.len());
    out.push_str(head);
    out.push_str(ELLIPSIS);
    Cow::Owned(out)
}

/// Punctuation that reads wrong just before "…": an opening bracket, a separator.
const DANGLING: &[char] = &[
    '(', '[', '«', '"', ',', ';', ':', '·', '—', '-', '–', '/', '|',
];

/// `text` padded with spaces to exactly `cells` cells (shortened first when longer).
pub fn pad(text: &str, cells: usize) -> String {
    let text = truncate(text, cells);
    let mut out = text.into_owned();
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(w)));
    out
}

/// `text` as lines of at most `max` cells, broken between words (a word wider than a
/// line is broken inside it); line feeds in `text` start new lines. What a message needs
/// when its box is sized to it: the box's height is `wrap(..).len()`, exactly what is
/// drawn.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0;
        for word in paragraph.split_whitespace() {
            let w = width(word);
            if used > 0 && used + 1 + w <= max {
                line.push(' ');
                line.push_str(word);
                used += 1 + w;
                continue;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
            }
            // A word longer than the line: as much as fits, then the rest below.
            let mut rest = word;
            while width(rest) > max {
                let mut cells = 0;
                let mut cut = 0;
                for (at, c) in rest.char_indices() {
                    let cw = c.width().unwrap_or(0);
                    if cells + cw > max && cut > 0 {
                        break;
                    }
                    cells += cw;
                    cut = at + c.len_utf8();
                }
                lines.push(rest[..cut].to_owned());
                rest = &rest[cut..];
            }
            line.push_str(rest);
            used = width(rest);
        }
        lines.push(line);
    }
    lines
}

/// `text` wrapped to `max` cells a line, in at most `rows` lines: when it needs more, the
/// last line ends in "…" after a whole word, so a message never stops inside one.
pub fn lines(text: &str, max: usize, rows: usize) -> Vec<String> {
    let mut all = wrap(text, max);
    if all.len() > rows && rows > 0 {
        let rest = all[rows - 1..].join(" ");
        all.truncate(rows - 1);
        // Room for the mark even when the rest would just fit.
        let last = truncate(&rest, max.saturating_sub(1).max(1));
        let last = if last.ends_with(ELLIPSIS) {
            last.into_owned()
        } else {
            format!("{last}{ELLIPSIS}")
        };
        all.push(last);
    }
    all.truncate(rows);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_that_fits_is_left_whole() {
        assert_eq!(truncate("Nguyễn Văn An", 13), "Nguyễn Văn An");
        assert_eq!(truncate("", 0), "");
    }

    #[test]
    fn a_long_text_is_cut_after_a_whole_word_with_an_ellipsis() {
        assert_eq!(truncate("Nguyễn Thị Thanh Hương", 19), "Nguyễn Thị Thanh…");
        // An aside in brackets cut after its first word goes whole; a longer part of it
        // stays.
        assert_eq!(
            truncate("Mới đăng ký (trực tuyến, chờ tiếp nhận)", 19),
            "Mới đăng ký…"
        );
        assert_eq!(
            truncate("Mới đăng ký (trực tuyến, chờ tiếp nhận)", 26),
            "Mới đăng ký (trực tuyến…"
        );
        assert_eq!(
            truncate("Đã có kết quả (chờ trả) — phường", 24),
            "Đã có kết quả (chờ trả)…"
        );
        // A comma would dangle before the mark: it goes too.
        assert_eq!(truncate("Một, hai, ba", 6), "Một…");
        assert_eq!(truncate("Một, hai, ba", 10), "Một, hai…");
    }

    #[test]
    fn a_single_word_wider_than_the_room_is_cut_inside_it() {
        assert_eq!(truncate("000.01.27.H07-261124-0001", 10), "000.01.27…");
        assert_eq!(truncate("Nguyễn", 1), "…");
        assert_eq!(truncate("Nguyễn", 0), "");
    }

    #[test]
    fn widths_are_cells_of_nfc_text_not_bytes() {
        // Every Vietnamese letter in NFC is one cell, however many bytes it takes.
        assert_eq!(width("Hương"), 5);
        let cut = truncate("Hương Giang Hương Giang", 12);
        assert!(width(&cut) <= 12, "{cut}");
        assert_eq!(cut, "Hương Giang…");
        // Wide characters count two.
        assert_eq!(truncate("漢字漢字", 5), "漢字…");
    }

    #[test]
    fn wrapping_breaks_between_words_and_counts_cells() {
        let text = "Đã tiếp nhận hồ sơ 000.01.27.H07-261124-0008.";
        let lines = wrap(text, 20);
        assert_eq!(
            lines,
            ["Đã tiếp nhận hồ sơ", "000.01.27.H07-261124", "-0008."]
        );
        assert!(lines.iter().all(|l| width(l) <= 20));
        assert_eq!(wrap("a\nb c", 10), ["a", "b c"]);
        assert_eq!(wrap("", 10), [""]);
        // No room at all still gives one cell a line, never a loop without end.
        assert_eq!(wrap("ab", 0), ["a", "b"]);
    }

    #[test]
    fn a_message_longer_than_its_rows_ends_in_an_ellipsis_at_a_word() {
        let text = "Không đọc được tệp /home/canbo/Tài liệu/hồ sơ/khai-sinh.pdf (không có hoặc rỗng). Kiểm tra đường dẫn; Tab để gợi ý.";
        let two = lines(text, 40, 2);
        assert_eq!(two.len(), 2);
        assert!(two[1].ends_with('…'), "{two:?}");
        assert!(two.iter().all(|l| width(l) <= 40), "{two:?}");
        assert!(!two[1].contains("Kiểm…"), "{two:?}");
        // Enough rows: the whole message, no mark.
        let all = lines(text, 40, 10);
        assert!(all.join(" ").ends_with("Tab để gợi ý."), "{all:?}");
    }

    #[test]
    fn padding_fills_to_the_cell() {
        assert_eq!(pad("Hạn", 5), "Hạn  ");
        assert_eq!(width(&pad("Nguyễn Thị Thanh Hương", 10)), 10);
    }
}
