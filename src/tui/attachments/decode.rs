//! JPEG and PNG decoded with bounds: a citizen's upload may be a decompression bomb (a
//! few kilobytes that claim 60,000 × 60,000 pixels), so the size a picture claims and the
//! memory its decoding takes are limited before a pixel is made, and whatever the
//! decoder does is caught, never a panic. The picture kept is at most [`KEEP_SIDE`] on a
//! side: more than any terminal shows, even zoomed in.

use crate::tui::viewer::Picture;
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};
use std::io::Cursor;

/// The widest or tallest picture decoded: a 600 dpi A3 scan is about 7,000 × 10,000.
pub const MAX_SIDE: u32 = 12_000;
/// The most memory a decoding may take (the decoded pixels included).
pub const MAX_ALLOC: u64 = 512 * 1024 * 1024;
/// The longest side of the picture kept.
pub const KEEP_SIDE: u32 = 2048;

/// Why a picture could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeProblem {
    /// Larger than [`MAX_SIDE`] or [`MAX_ALLOC`] allow.
    TooLarge,
    /// Not a JPEG or PNG, or a broken one.
    Broken,
}

/// The picture in `bytes` (JPEG or PNG, by what they hold), upright as its camera said
/// (EXIF orientation: phone photos of papers), at most [`KEEP_SIDE`] on a side, its
/// transparent parts on white (scans of papers are on white).
pub fn picture(sha256: &str, bytes: &[u8]) -> Result<Picture, DecodeProblem> {
    // The image crate is not known to panic on bad input, but a panic here would take
    // the whole screen with it: catch it.
    let decoded =
        std::panic::catch_unwind(|| decode(bytes)).unwrap_or(Err(DecodeProblem::Broken))?;
    let (w, h) = (decoded.width(), decoded.height());
    let kept = if w.max(h) > KEEP_SIDE {
        let shrink = f64::from(KEEP_SIDE) / f64::from(w.max(h));
        let (nw, nh) = (
            ((f64::from(w) * shrink).round() as u32).max(1),
            ((f64::from(h) * shrink).round() as u32).max(1),
        );
        decoded.resize_exact(nw, nh, image::imageops::FilterType::Triangle)
    } else {
        decoded
    };
    let mut rgba = kept.into_rgba8();
    for pixel in rgba.pixels_mut() {
        let [r, g, b, a] = pixel.0;
        if a < 255 {
            let over =
                |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
            pixel.0 = [over(r), over(g), over(b), 255];
        }
    }
    Ok(Picture::new(sha256.to_owned(), rgba))
}

fn decode(bytes: &[u8]) -> Result<DynamicImage, DecodeProblem> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| DecodeProblem::Broken)?;
    match reader.format() {
        Some(image::ImageFormat::Jpeg | image::ImageFormat::Png) => {}
        _ => return Err(DecodeProblem::Broken),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(problem)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(problem)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn problem(e: image::ImageError) -> DecodeProblem {
    match e {
        image::ImageError::Limits(_) => DecodeProblem::TooLarge,
        _ => DecodeProblem::Broken,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_fn(width, height, |x, _| {
            image::Rgba([(x % 256) as u8, 0, 0, 255])
        });
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_picture_is_decoded_and_kept_small() {
        let p = picture("s", &png(300, 100)).unwrap();
        assert_eq!((p.width(), p.height()), (300, 100));
        assert!(p.levels.len() > 1);
        let p = picture("s", &png(4100, 10)).unwrap();
        assert_eq!(p.width(), KEEP_SIDE);
    }

    /// A PNG whose header claims 60,000 × 60,000 pixels (14 GB decoded) in a few dozen
    /// bytes: refused before anything is made.
    #[test]
    fn a_decompression_bomb_is_refused_before_it_is_decoded() {
        let mut bomb = png(1, 1);
        // The IHDR chunk's width and height follow the 8-byte signature, the chunk's
        // length and its type; its CRC is then wrong, which the limit check precedes.
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&60_000u32.to_be_bytes());
        let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(picture("s", &bomb), Err(DecodeProblem::TooLarge));
        // 12,001 × 1 is also over the side's bound, whatever its memory.
        bomb[16..20].copy_from_slice(&12_001u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&1u32.to_be_bytes());
        let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(picture("s", &bomb), Err(DecodeProblem::TooLarge));
    }

    #[test]
    fn broken_files_are_problems_not_panics() {
        assert_eq!(picture("s", b""), Err(DecodeProblem::Broken));
        assert_eq!(picture("s", b"%PDF-1.4"), Err(DecodeProblem::Broken));
        let mut cut = png(50, 50);
        cut.truncate(cut.len() / 2);
        assert_eq!(picture("s", &cut), Err(DecodeProblem::Broken));
        assert_eq!(
            picture("s", b"\xFF\xD8\xFF\xE0garbage"),
            Err(DecodeProblem::Broken)
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_after_a_signature_decode_or_fail_quietly(
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
            jpeg in proptest::bool::ANY,
        ) {
            let mut bytes = if jpeg { b"\xFF\xD8\xFF".to_vec() } else { png(4, 4)[..16].to_vec() };
            bytes.extend(tail);
            let _ = picture("s", &bytes);
        }
    }
}
