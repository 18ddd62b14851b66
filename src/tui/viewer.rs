//! Attachments seen inside the terminal: the viewer's model (which file, what of it is
//! shown, at what zoom and where), and the geometry that maps a picture onto the cells
//! of the screen. Pure: the runtime fetches, checks and decodes the files
//! (`tui::attachments`), `update::viewer` moves through them, `view::viewer` draws them
//! (in half blocks, or by the terminal's graphics protocol).

use crate::api::dossiers::Attachment;
use crate::tui::state::RequestId;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A decoded picture, bounded in size, with its halvings down to a few dozen pixels so
/// that drawing a cell averages a handful of pixels whatever the zoom.
#[derive(Clone)]
pub struct Picture {
    /// The SHA-256 of the file it came from: what tells two pictures apart.
    pub sha256: String,
    /// `levels[0]` is the picture (at most `attachments::decode::KEEP_SIDE` on a side),
    /// each next one half the size of the one before.
    pub levels: Vec<image::RgbaImage>,
}

impl Picture {
    pub fn new(sha256: String, picture: image::RgbaImage) -> Picture {
        let mut levels = vec![picture];
        while let Some(last) = levels.last() {
            let (w, h) = last.dimensions();
            if w <= 32 || h <= 32 {
                break;
            }
            let half = image::imageops::resize(
                last,
                w.div_ceil(2),
                h.div_ceil(2),
                image::imageops::FilterType::Triangle,
            );
            levels.push(half);
        }
        Picture { sha256, levels }
    }

    pub fn width(&self) -> u32 {
        self.levels[0].width()
    }

    pub fn height(&self) -> u32 {
        self.levels[0].height()
    }
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Picture({}×{}, {})",
            self.width(),
            self.height(),
            self.sha256
        )
    }
}

/// Two pictures are the same when they are of the same file at the same size (comparing
/// their pixels would cost more than it says).
impl PartialEq for Picture {
    fn eq(&self, other: &Self) -> bool {
        self.sha256 == other.sha256 && self.levels[0].dimensions() == other.levels[0].dimensions()
    }
}

/// What the viewer shows of the current attachment.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    /// On its way: bytes on disk so far, of how many.
    Loading {
        received: u64,
        total: u64,
    },
    Image(Arc<Picture>),
    Pdf(PdfPreview),
    /// Cannot be shown: why, and what to do, already worded.
    Failed(String),
}

/// A PDF: its page count (read from the file) and its first page when a renderer drew it.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfPreview {
    pub pages: Option<u32>,
    pub first: Option<Arc<Picture>>,
    /// Why there is no first page (worded), when there is none.
    pub note: Option<String>,
}

impl Shown {
    /// The picture to draw, if there is one.
    pub fn picture(&self) -> Option<&Arc<Picture>> {
        match self {
            Shown::Image(p) => Some(p),
            Shown::Pdf(pdf) => pdf.first.as_ref(),
            _ => None,
        }
    }
}

/// The zoom steps: each is this much closer than the one before.
pub const ZOOM_STEP: f64 = 1.5;
/// The closest zoom: 1.5⁸ ≈ 25 × the whole picture.
pub const MAX_ZOOM: u8 = 8;
/// A pan moves the view by this share of what is in sight.
const PAN_SHARE: f64 = 0.25;

/// The attachment viewer over the detail pane.
#[derive(Debug, Clone, PartialEq)]
pub struct Viewer {
    /// The dossier's code.
    pub code: String,
    /// Its attachments, in the order of its documents.
    pub items: Vec<Attachment>,
    pub index: usize,
    /// 0 shows the whole picture; each step is [`ZOOM_STEP`] closer.
    pub zoom: u8,
    /// The point of the picture at the centre of the view, as shares of its width and
    /// height (0.5, 0.5: the middle).
    pub center: (f64, f64),
    pub shown: Shown,
    /// The request fetching (and preparing) the current attachment.
    pub request: Option<RequestId>,
    /// The current view encoded for the terminal's graphics protocol, once the runtime
    /// has done it (half blocks need nothing of the sort).
    pub graphic: Option<Graphic>,
    /// The view last asked to be encoded: asked once.
    pub asked: Option<GraphicKey>,
}

impl Viewer {
    pub fn new(code: String, items: Vec<Attachment>, index: usize, request: RequestId) -> Viewer {
        let total = items.get(index).map(|a| a.size).unwrap_or(0);
        Viewer {
            code,
            items,
            index,
            zoom: 0,
            center: (0.5, 0.5),
            shown: Shown::Loading { received: 0, total },
            request: Some(request),
            graphic: None,
            asked: None,
        }
    }

    pub fn current(&self) -> Option<&Attachment> {
        self.items.get(self.index)
    }

    pub fn scale(&self) -> f64 {
        ZOOM_STEP.powi(i32::from(self.zoom))
    }

    /// Moves the view by `(dx, dy)` pans (negative: left, up), within the picture.
    pub fn pan(&mut self, dx: f64, dy: f64) {
        let seen = 1.0 / self.scale();
        self.center.0 = (self.center.0 + dx * seen * PAN_SHARE).clamp(0.0, 1.0);
        self.center.1 = (self.center.1 + dy * seen * PAN_SHARE).clamp(0.0, 1.0);
    }
}

/// How the terminal draws pictures, as the runtime found out at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Graphics {
    /// `None`: half blocks.
    pub protocol: Option<Protocol>,
    /// A cell's size in pixels (for half blocks: 1×2, a half block being square).
    pub cell: (u16, u16),
}

/// Half blocks until the runtime finds out better: a cell is two square pixels.
impl Default for Graphics {
    fn default() -> Self {
        Graphics {
            protocol: None,
            cell: (1, 2),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Kitty,
    Sixel,
    Iterm2,
}

/// What a graphic was encoded for: the file, the zoom, the centre (in millionths) and
/// the cells it fills. The view draws a graphic only for the view it was made for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GraphicKey {
    pub sha256: String,
    pub zoom: u8,
    pub center: (u32, u32),
    pub area: (u16, u16),
}

/// A view of a picture as the terminal's graphics protocol draws it (an escape sequence
/// made from the picture's pixels, never from the portal's text).
#[derive(Clone)]
pub struct Graphic {
    pub key: GraphicKey,
    /// Where in the area the picture goes (columns, rows from its top left).
    pub offset: (u16, u16),
    pub protocol: Arc<ratatui_image::protocol::Protocol>,
}

impl std::fmt::Debug for Graphic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Graphic({:?})", self.key)
    }
}

impl PartialEq for Graphic {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && self.offset == other.offset
    }
}

/// Where a picture goes on the screen: the part of it in sight (in its pixels) and the
/// cells it fills, centred in the area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Left, top, width, height of the part in sight, in pixels of the picture.
    pub source: (f64, f64, f64, f64),
    /// Columns and rows from the area's top left to the picture's.
    pub offset: (u16, u16),
    /// Columns and rows the picture fills.
    pub cells: (u16, u16),
    /// Its size in the terminal's pixels (for half blocks: columns × 2 rows).
    pub pixels: (u32, u32),
}

/// Where the picture `(width, height)` goes in an area of `area` cells whose cells are
/// `cell` pixels, at `zoom` with `center` at the middle of the view.
pub fn place(
    (width, height): (u32, u32),
    area: (u16, u16),
    cell: (u16, u16),
    zoom: u8,
    center: (f64, f64),
) -> Option<Placement> {
    if width == 0 || height == 0 || area.0 == 0 || area.1 == 0 {
        return None;
    }
    let (cw, ch) = (f64::from(cell.0.max(1)), f64::from(cell.1.max(1)));
    let (aw, ah) = (f64::from(area.0) * cw, f64::from(area.1) * ch);
    let (w, h) = (f64::from(width), f64::from(height));
    // The whole picture fits at zoom 0 (never enlarged past 4 × its pixels there: a tiny
    // picture stays recognisable as small).
    let fit = (aw / w).min(ah / h).min(4.0);
    let scale = fit * ZOOM_STEP.powi(i32::from(zoom.min(MAX_ZOOM)));
    let (sw, sh) = ((aw / scale).min(w), (ah / scale).min(h));
    let left = (center.0 * w - sw / 2.0).clamp(0.0, w - sw);
    let top = (center.1 * h - sh / 2.0).clamp(0.0, h - sh);
    let cols = ((sw * scale / cw).round() as u16).clamp(1, area.0);
    let rows = ((sh * scale / ch).round() as u16).clamp(1, area.1);
    Some(Placement {
        source: (left, top, sw, sh),
        offset: ((area.0 - cols) / 2, (area.1 - rows) / 2),
        cells: (cols, rows),
        pixels: (
            (f64::from(cols) * cw).round() as u32,
            (f64::from(rows) * ch).round() as u32,
        ),
    })
}

/// The key of the graphic the viewer needs now, in an area of `area` cells, if it shows
/// a picture.
pub fn graphic_key(viewer: &Viewer, area: (u16, u16)) -> Option<GraphicKey> {
    let picture = viewer.shown.picture()?;
    Some(GraphicKey {
        sha256: picture.sha256.clone(),
        zoom: viewer.zoom,
        center: (
            (viewer.center.0 * 1e6).round() as u32,
            (viewer.center.1 * 1e6).round() as u32,
        ),
        area,
    })
}

/// The attachments fetched now: bytes so far and of how many, per request (the status
/// bar shows the newest).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Transfers {
    pub progress: BTreeMap<RequestId, (u64, Option<u64>)>,
}

/// What the app keeps about attachments besides the viewer: how pictures are drawn here,
/// the downloads under way, and the viewer set aside while its help is read.
#[derive(Debug, Clone, Default)]
pub struct Attachments {
    pub graphics: Graphics,
    pub transfers: Transfers,
    /// The viewer, while F1 shows its keys over the screen.
    pub under_help: Option<Box<Viewer>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_fits_whole_centred_at_zoom_0() {
        // 200×100 pixels into 40×10 cells of 1×2 (half blocks): 40×20 pixels of room.
        let p = place((200, 100), (40, 10), (1, 2), 0, (0.5, 0.5)).unwrap();
        assert_eq!(p.source, (0.0, 0.0, 200.0, 100.0));
        assert_eq!(p.cells, (40, 10));
        assert_eq!(p.offset, (0, 0));
        // A tall one is centred across.
        let p = place((100, 400), (40, 10), (1, 2), 0, (0.5, 0.5)).unwrap();
        assert_eq!((p.cells, p.offset), ((5, 10), (17, 0)));
    }

    #[test]
    fn zooming_shows_less_of_it_and_the_centre_stays_inside() {
        let p = place((200, 100), (40, 10), (1, 2), 2, (0.5, 0.5)).unwrap();
        let (l, t, w, h) = p.source;
        assert!((w - 200.0 / 2.25).abs() < 1e-9 && (h - 100.0 / 2.25).abs() < 1e-9);
        assert!((l + w / 2.0 - 100.0).abs() < 1e-9 && (t + h / 2.0 - 50.0).abs() < 1e-9);
        assert_eq!(p.cells, (40, 10));
        // Panned to a corner, the view stops at the edge.
        let p = place((200, 100), (40, 10), (1, 2), 2, (0.0, 1.0)).unwrap();
        assert_eq!((p.source.0, p.source.1 + p.source.3), (0.0, 100.0));
    }

    #[test]
    fn panning_moves_by_a_share_of_the_view_and_stops_at_the_edges() {
        let mut v = Viewer::new("X".into(), vec![], 0, 1);
        v.pan(1.0, 0.0);
        assert!((v.center.0 - 0.75).abs() < 1e-9);
        v.zoom = 2;
        v.pan(0.0, -10.0);
        assert_eq!(v.center.1, 0.0);
    }

    #[test]
    fn nothing_is_placed_in_no_room() {
        assert_eq!(place((0, 10), (10, 10), (1, 2), 0, (0.5, 0.5)), None);
        assert_eq!(place((10, 10), (0, 10), (1, 2), 0, (0.5, 0.5)), None);
    }
}
