//! The terminal's own way of drawing pictures (kitty, sixel, iTerm2), found out once at
//! start, and a view of a picture encoded for it. Half blocks need none of this: the
//! view draws them from the picture itself.

use crate::config::Images;
use crate::tui::viewer::{Graphic, GraphicKey, Graphics, Picture, Protocol, place};
use ratatui_image::picker::{Picker, ProtocolType};
use std::sync::Arc;

/// Half blocks: a cell is two square pixels, one above the other.
const HALF_BLOCKS: Graphics = Graphics {
    protocol: None,
    cell: (1, 2),
};

/// What the terminal draws pictures with, by the configuration and, for `auto`, by
/// asking the terminal (ratatui-image writes its questions and reads the answers; it must
/// run before anything else reads the terminal's input), and only a terminal that has
/// answered a bounded question first. Never asked: inside tmux or
/// screen (which pass graphics on unreliably), on the Linux console, on Windows.
pub fn detect(setting: Images) -> (Graphics, Option<Picker>) {
    let wanted = match setting {
        Images::Halfblocks => return (HALF_BLOCKS, None),
        Images::Auto if multiplexed_or_plain() => return (HALF_BLOCKS, None),
        Images::Auto => None,
        Images::Kitty => Some(Protocol::Kitty),
        Images::Sixel => Some(Protocol::Sixel),
        Images::Iterm2 => Some(Protocol::Iterm2),
    };
    // ratatui-image reads the answers on a thread of its own that keeps reading until the
    // terminal answers; one that never does would have that thread swallow the official's
    // keys. crossterm's cursor-position question is bounded (two seconds) and leaves no
    // reader behind, and a terminal that answers it answers the status report the picker
    // waits for: only such a terminal is asked about pictures.
    if crossterm::cursor::position().is_err() {
        return (HALF_BLOCKS, None);
    }
    let Ok(mut picker) = Picker::from_query_stdio() else {
        return (HALF_BLOCKS, None);
    };
    let found = match picker.protocol_type() {
        ProtocolType::Halfblocks => None,
        ProtocolType::Kitty => Some(Protocol::Kitty),
        ProtocolType::Sixel => Some(Protocol::Sixel),
        ProtocolType::Iterm2 => Some(Protocol::Iterm2),
    };
    let Some(protocol) = wanted.or(found) else {
        return (HALF_BLOCKS, None);
    };
    picker.set_protocol_type(match protocol {
        Protocol::Kitty => ProtocolType::Kitty,
        Protocol::Sixel => ProtocolType::Sixel,
        Protocol::Iterm2 => ProtocolType::Iterm2,
    });
    let font = picker.font_size();
    let graphics = Graphics {
        protocol: Some(protocol),
        cell: (font.width.max(1), font.height.max(1)),
    };
    (graphics, Some(picker))
}

/// Inside tmux or screen, on the Linux console, a dumb terminal, or on Windows.
fn multiplexed_or_plain() -> bool {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let term = var("TERM");
    !var("TMUX").is_empty()
        || !var("STY").is_empty()
        || term.starts_with("tmux")
        || term.starts_with("screen")
        || term == "linux"
        || term == "dumb"
        || term.is_empty()
        || cfg!(windows)
}

/// The view `key` of `picture` as the terminal's protocol draws it: the part in sight,
/// scaled to the cells it fills.
pub fn encode(picker: &Picker, picture: &Picture, key: GraphicKey) -> Option<Graphic> {
    let font = picker.font_size();
    let center = (f64::from(key.center.0) / 1e6, f64::from(key.center.1) / 1e6);
    let at = place(
        (picture.width(), picture.height()),
        key.area,
        (font.width, font.height),
        key.zoom,
        center,
    )?;
    let (left, top, width, height) = at.source;
    let full = &picture.levels[0];
    let x = (left.floor() as u32).min(full.width().saturating_sub(1));
    let y = (top.floor() as u32).min(full.height().saturating_sub(1));
    let w = (width.ceil() as u32).clamp(1, full.width() - x);
    let h = (height.ceil() as u32).clamp(1, full.height() - y);
    let part = image::imageops::crop_imm(full, x, y, w, h).to_image();
    let scaled = image::imageops::resize(
        &part,
        at.pixels.0.max(1),
        at.pixels.1.max(1),
        image::imageops::FilterType::Triangle,
    );
    let size = ratatui::layout::Size::new(at.cells.0, at.cells.1);
    let protocol = picker
        .new_protocol(
            image::DynamicImage::ImageRgba8(scaled),
            size,
            ratatui_image::Resize::Fit(None),
        )
        .ok()?;
    Some(Graphic {
        key,
        offset: at.offset,
        protocol: Arc::new(protocol),
    })
}
