//! Pictures for the attachment viewer's tests, and the cells of half blocks read back as
//! letters (from a test terminal's buffer or from tmux's `capture-pane -e`), so that a
//! snapshot shows what was drawn and two drawings can be compared.

#![allow(dead_code)] // each test binary uses its own part of this module

use ratatui::buffer::Buffer;
use ratatui::style::Color;

/// A picture of four coloured quarters (red, green / blue, white) with a black bar
/// across its middle.
pub fn quarters(width: u32, height: u32) -> image::RgbaImage {
    image::RgbaImage::from_fn(width, height, |x, y| {
        let bar = y >= height / 2 - height / 16 && y < height / 2 + height / 16;
        let [r, g, b] = match (x < width / 2, y < height / 2) {
            _ if bar => [0, 0, 0],
            (true, true) => [220, 30, 30],
            (false, true) => [30, 200, 60],
            (true, false) => [40, 60, 220],
            (false, false) => [255, 255, 255],
        };
        image::Rgba([r, g, b, 255])
    })
}

pub fn png(image: &image::RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A colour as a letter: `W`hite, blac`K`, `-` a grey between, else the strongest of
/// `R`ed, `G`reen and `B`lue.
pub fn colour_letter(r: u8, g: u8, b: u8) -> char {
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    if max - min < 60 {
        return match max {
            0..=60 => 'K',
            200.. => 'W',
            _ => '-',
        };
    }
    if max == r {
        'R'
    } else if max == g {
        'G'
    } else {
        'B'
    }
}

/// One cell: its symbol, and its foreground and background when they are RGB.
pub type Cell = (String, Option<(u8, u8, u8)>, Option<(u8, u8, u8)>);

/// The rows that hold half blocks, each as two lines of letters (the upper and the lower
/// pixel of every `▀`; a space elsewhere), headed by the row's number.
pub fn half_block_rows(rows: &[Vec<Cell>]) -> String {
    let letter = |c: Option<(u8, u8, u8)>| c.map_or('.', |(r, g, b)| colour_letter(r, g, b));
    let mut out = String::new();
    for (y, row) in rows.iter().enumerate() {
        if !row.iter().any(|c| c.0 == "▀") {
            continue;
        }
        let (mut upper, mut lower) = (String::new(), String::new());
        for (symbol, fg, bg) in row {
            if symbol == "▀" {
                upper.push(letter(*fg));
                lower.push(letter(*bg));
            } else {
                upper.push(' ');
                lower.push(' ');
            }
        }
        out.push_str(&format!(
            "{y:>2} ▀ {}\n   ▄ {}\n",
            upper.trim_end(),
            lower.trim_end()
        ));
    }
    out
}

/// A test terminal's buffer as cells.
pub fn buffer_cells(buffer: &Buffer) -> Vec<Vec<Cell>> {
    let rgb = |c: Color| match c {
        Color::Rgb(r, g, b) => Some((r, g, b)),
        _ => None,
    };
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| {
                    let c = &buffer[(x, y)];
                    (c.symbol().to_owned(), rgb(c.fg), rgb(c.bg))
                })
                .collect()
        })
        .collect()
}

/// What `tmux capture-pane -e -p` printed, as cells: its SGR sequences read for the
/// RGB foreground and background (`38;2;r;g;b`, `48;2;r;g;b`; resets and the rest
/// followed as far as colours go), one cell per character (the screen's characters here
/// are all one cell wide).
pub fn tmux_cells(captured: &str) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    let (mut fg, mut bg) = (None, None);
    for line in captured.lines() {
        let mut row = Vec::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' && chars.peek() == Some(&'[') {
                chars.next();
                let mut params = String::new();
                for p in chars.by_ref() {
                    if p.is_ascii_alphabetic() {
                        if p == 'm' {
                            sgr(&params, &mut fg, &mut bg);
                        }
                        break;
                    }
                    params.push(p);
                }
                continue;
            }
            row.push((c.to_string(), fg, bg));
        }
        rows.push(row);
    }
    rows
}

fn sgr(params: &str, fg: &mut Option<(u8, u8, u8)>, bg: &mut Option<(u8, u8, u8)>) {
    let codes: Vec<u16> = params.split(';').map(|p| p.parse().unwrap_or(0)).collect();
    let mut i = 0;
    while i < codes.len() {
        match codes[i] {
            0 => (*fg, *bg) = (None, None),
            39 => *fg = None,
            49 => *bg = None,
            38 | 48 if codes.get(i + 1) == Some(&2) && i + 4 < codes.len() => {
                let rgb = Some((codes[i + 2] as u8, codes[i + 3] as u8, codes[i + 4] as u8));
                if codes[i] == 38 {
                    *fg = rgb;
                } else {
                    *bg = rgb;
                }
                i += 4;
            }
            38 | 48 if codes.get(i + 1) == Some(&5) => {
                if codes[i] == 38 {
                    *fg = None;
                } else {
                    *bg = None;
                }
                i += 2;
            }
            30..=37 | 90..=97 => *fg = None,
            40..=47 | 100..=107 => *bg = None,
            _ => {}
        }
        i += 1;
    }
}
