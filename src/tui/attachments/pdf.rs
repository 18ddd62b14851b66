//! A PDF attachment: its page count, read from the file itself (so it is known without
//! any program), and its first page drawn by `pdftoppm` (poppler-utils) when that is on
//! the PATH, within a time limit and a size limit on what it writes.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The renderer, looked for on the PATH.
pub const RENDERER: &str = "pdftoppm";
/// How long the renderer may take for one page before it is stopped.
pub const RENDER_TIME: Duration = Duration::from_secs(10);
/// The longest side of the page it draws, in pixels.
const RENDER_SIDE: u32 = 1600;
/// The largest PNG it may leave (a page of 1600 pixels is a few megabytes at most).
const MAX_RENDERED: u64 = 32 * 1024 * 1024;
/// What may be inflated, in all, while looking for the page count in compressed object
/// streams: a hostile PDF can be a deflate bomb too.
const MAX_INFLATED: u64 = 64 * 1024 * 1024;

/// The number of pages: the `/Count` of the page tree's root (the largest `/Count` of a
/// `/Type /Pages` dictionary), looked for in the file and then, if the file keeps its
/// objects compressed (PDF 1.5 object streams), in its inflated streams.
pub fn page_count(bytes: &[u8]) -> Option<u32> {
    if !bytes.starts_with(b"%PDF-") {
        return None;
    }
    if let Some(n) = count_in(bytes) {
        return Some(n);
    }
    let mut budget = MAX_INFLATED;
    let mut best: Option<u32> = None;
    for stream in flate_streams(bytes) {
        let Some(text) = inflate(stream, &mut budget) else {
            break;
        };
        if let Some(n) = count_in(&text) {
            best = Some(best.map_or(n, |b| b.max(n)));
        }
    }
    best
}

/// The largest `/Count` of a `/Type /Pages` dictionary in `text`.
fn count_in(text: &[u8]) -> Option<u32> {
    let mut best: Option<u32> = None;
    let mut at = 0;
    while let Some(found) = find(&text[at..], b"/Type") {
        let after = at + found + 5;
        at = after;
        let rest = skip_space(&text[after..]);
        // `/Pages` and not `/Page`: the page tree's nodes.
        if !rest.starts_with(b"/Pages") {
            continue;
        }
        // The dictionary around it: from the last `<<` before to the next `>>` after
        // (page tree nodes hold no nested dictionaries that matter here).
        let start = rfind(&text[..after], b"<<").unwrap_or(0);
        let end = find(&text[after..], b">>").map_or(text.len(), |e| after + e);
        let dict = &text[start..end];
        if let Some(c) = find(dict, b"/Count") {
            let digits: Vec<u8> = skip_space(&dict[c + 6..])
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .take(9)
                .copied()
                .collect();
            if let Some(n) = std::str::from_utf8(&digits)
                .ok()
                .and_then(|d| d.parse::<u32>().ok())
            {
                best = Some(best.map_or(n, |b| b.max(n)));
            }
        }
    }
    best
}

/// The data of every `/FlateDecode` stream that is an object stream (`/ObjStm`).
fn flate_streams(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], b"stream") {
        let keyword = at + found;
        at = keyword + 6;
        // `endstream` also contains `stream`.
        if keyword >= 3 && &bytes[keyword - 3..keyword] == b"end" {
            continue;
        }
        let dict_start = rfind(&bytes[..keyword], b"<<").unwrap_or(0);
        let dict = &bytes[dict_start..keyword];
        if find(dict, b"/ObjStm").is_none() || find(dict, b"/FlateDecode").is_none() {
            continue;
        }
        let mut data = at;
        if bytes.get(data) == Some(&b'\r') {
            data += 1;
        }
        if bytes.get(data) == Some(&b'\n') {
            data += 1;
        }
        let Some(end) = find(&bytes[data..], b"endstream") else {
            break;
        };
        out.push(&bytes[data..data + end]);
        at = data + end + 9;
    }
    out
}

/// A zlib stream inflated, taking at most `budget` bytes in all; `None` once spent.
fn inflate(data: &[u8], budget: &mut u64) -> Option<Vec<u8>> {
    if *budget == 0 {
        return None;
    }
    let mut out = Vec::new();
    // A broken stream gives what it gave before breaking: enough to look in.
    let _ = flate2::read::ZlibDecoder::new(data)
        .take(*budget)
        .read_to_end(&mut out);
    *budget = budget.saturating_sub(out.len() as u64);
    Some(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn skip_space(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .take_while(|b| b.is_ascii_whitespace() || **b == 0)
        .count();
    &s[n..]
}

/// Why the first page was not drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderProblem {
    /// `pdftoppm` is not on the PATH (poppler-utils is not installed).
    NoRenderer,
    /// It took longer than [`RENDER_TIME`] and was stopped.
    TooSlow,
    /// It failed, or what it wrote is not a page.
    Failed,
}

/// The first page of the PDF at `pdf` as PNG bytes, drawn by `pdftoppm` into `scratch`
/// (a folder of the caller's, emptied of what it wrote). `pdf` is an absolute path, so it
/// can never be read as an option.
pub fn first_page(pdf: &Path, scratch: &Path) -> Result<Vec<u8>, RenderProblem> {
    first_page_by(RENDERER, pdf, scratch)
}

/// [`first_page`] by the program `renderer` (which takes `pdftoppm`'s arguments).
pub fn first_page_by(renderer: &str, pdf: &Path, scratch: &Path) -> Result<Vec<u8>, RenderProblem> {
    use wait_timeout::ChildExt;
    let prefix = scratch.join("page");
    let out = scratch.join("page.png");
    let _ = std::fs::remove_file(&out);
    let spawned = Command::new(renderer)
        .args(["-f", "1", "-l", "1", "-png", "-singlefile", "-scale-to"])
        .arg(RENDER_SIDE.to_string())
        .arg(pdf)
        .arg(&prefix)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(RenderProblem::NoRenderer);
        }
        Err(_) => return Err(RenderProblem::Failed),
    };
    let status = match child.wait_timeout(RENDER_TIME) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_file(&out);
            return Err(RenderProblem::TooSlow);
        }
        Err(_) => return Err(RenderProblem::Failed),
    };
    let read = || -> Option<Vec<u8>> {
        let size = std::fs::metadata(&out).ok()?.len();
        if size == 0 || size > MAX_RENDERED {
            return None;
        }
        std::fs::read(&out).ok()
    };
    let page = if status.success() { read() } else { None };
    let _ = std::fs::remove_file(&out);
    page.ok_or(RenderProblem::Failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_page_count_is_the_page_trees_root() {
        let pdf = b"%PDF-1.4\n1 0 obj<</Type /Catalog /Pages 2 0 R>>endobj\n\
            2 0 obj<</Type /Pages /Kids [3 0 R 4 0 R] /Count 12>>endobj\n\
            3 0 obj<</Type/Pages/Count 5/Kids[]>>endobj\n\
            5 0 obj<</Type /Page /Parent 2 0 R>>endobj\ntrailer<<>>\n%%EOF";
        assert_eq!(page_count(pdf), Some(12));
        assert_eq!(page_count(b"%PDF-1.4\n%%EOF"), None);
        assert_eq!(page_count(b"\x89PNG"), None);
    }

    #[test]
    fn a_page_tree_in_a_compressed_object_stream_is_found() {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(b"2 0 <</Type /Pages /Count 3 /Kids [4 0 R 5 0 R 6 0 R]>>")
            .unwrap();
        let data = z.finish().unwrap();
        let mut pdf =
            b"%PDF-1.7\n7 0 obj<</Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
                .to_vec();
        pdf.extend(format!("{}>>stream\r\n", data.len()).as_bytes());
        pdf.extend(&data);
        pdf.extend(b"\r\nendstream endobj\n%%EOF");
        assert_eq!(page_count(&pdf), Some(3));
    }

    #[test]
    fn without_the_renderer_the_problem_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("a.pdf");
        std::fs::write(&pdf, b"%PDF-1.4\n%%EOF").unwrap();
        assert_eq!(
            first_page_by("motcua-no-such-renderer", &pdf, dir.path()),
            Err(RenderProblem::NoRenderer)
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_give_a_count_or_none(tail in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let mut pdf = b"%PDF-1.7\n<</Type /ObjStm /FlateDecode>>stream\n".to_vec();
            pdf.extend(tail);
            let _ = page_count(&pdf);
        }
    }
}
