//! Byte ranges of a stored file (RFC 9110 §14): what `Range` and `If-Range` ask of
//! `GET /dossiers/{code}/attachments/{id}`, so that a download cut on a bad link goes on
//! from where it stopped instead of starting over. Pure: the handler reads the headers
//! and the file.

/// What to send of a file of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// The whole file, 200: no `Range`, one the portal ignores (another unit, several
    /// ranges, a syntax it does not read), or an `If-Range` naming another version.
    Whole,
    /// Bytes `start..=end`, 206.
    Part { start: u64, end: u64 },
    /// A range wholly past the end (or any range of an empty file), 416.
    Unsatisfiable,
}

/// The answer to `range` (the `Range` header) given `if_range` and the file's strong
/// `etag` (quoted, as sent in `ETag`). Several ranges are answered with the whole file:
/// RFC 9110 lets a server ignore `Range`, and a multipart answer would help no client of
/// this portal. A malformed header is ignored, as the RFC asks.
pub fn ask(range: Option<&str>, if_range: Option<&str>, etag: &str, size: u64) -> Ask {
    let Some(range) = range else {
        return Ask::Whole;
    };
    // `If-Range` with anything but this exact strong tag (a weak tag, a date: the portal
    // sends no `Last-Modified`) means "the file changed": send it whole.
    if let Some(tag) = if_range
        && tag.trim() != etag
    {
        return Ask::Whole;
    }
    let Some(spec) = range
        .trim()
        .strip_prefix("bytes=")
        .or_else(|| range.trim().strip_prefix("Bytes="))
    else {
        return Ask::Whole;
    };
    if spec.contains(',') {
        return Ask::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Ask::Whole;
    };
    let number = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    match (first.trim().is_empty(), last.trim().is_empty()) {
        // `bytes=-n`: the last n bytes.
        (true, false) => match number(last) {
            None => Ask::Whole,
            Some(0) => Ask::Unsatisfiable,
            Some(_) if size == 0 => Ask::Unsatisfiable,
            Some(n) => Ask::Part {
                start: size.saturating_sub(n),
                end: size - 1,
            },
        },
        // `bytes=a-` or `bytes=a-b`.
        (false, open) => {
            let Some(start) = number(first) else {
                return Ask::Whole;
            };
            let end = if open {
                None
            } else {
                match number(last) {
                    Some(end) if end >= start => Some(end),
                    // `a-b` with b < a is invalid syntax: ignored.
                    _ => return Ask::Whole,
                }
            };
            if start >= size {
                return Ask::Unsatisfiable;
            }
            Ask::Part {
                start,
                end: end.unwrap_or(u64::MAX).min(size - 1),
            }
        }
        (true, true) => Ask::Whole,
    }
}

/// The strong entity tag of a stored file: its SHA-256, which names its content exactly.
pub fn etag_of(sha256: &str) -> String {
    format!("\"{sha256}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &str = "\"abc\"";

    fn a(range: &str) -> Ask {
        ask(Some(range), None, TAG, 1000)
    }

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert_eq!(ask(None, None, TAG, 1000), Ask::Whole);
        assert_eq!(a("bytes=0-99"), Ask::Part { start: 0, end: 99 });
        assert_eq!(
            a("bytes=500-"),
            Ask::Part {
                start: 500,
                end: 999
            }
        );
        assert_eq!(
            a("bytes=990-5000"),
            Ask::Part {
                start: 990,
                end: 999
            }
        );
        assert_eq!(
            a("bytes=-10"),
            Ask::Part {
                start: 990,
                end: 999
            }
        );
        assert_eq!(a("bytes=-5000"), Ask::Part { start: 0, end: 999 });
        assert_eq!(a("bytes=1000-"), Ask::Unsatisfiable);
        assert_eq!(a("bytes=-0"), Ask::Unsatisfiable);
        assert_eq!(ask(Some("bytes=0-"), None, TAG, 0), Ask::Unsatisfiable);
        // Ignored: another unit, several ranges, nonsense, a reversed range.
        for ignored in [
            "items=0-1",
            "bytes=0-1,5-6",
            "bytes=x-",
            "bytes=5-1",
            "bytes=-",
            "bytes=1",
            "bytes=+1-2",
        ] {
            assert_eq!(a(ignored), Ask::Whole, "{ignored}");
        }
    }

    #[test]
    fn if_range_sends_the_whole_file_unless_it_names_this_one() {
        let part = Ask::Part {
            start: 10,
            end: 999,
        };
        assert_eq!(ask(Some("bytes=10-"), Some(TAG), TAG, 1000), part);
        assert_eq!(
            ask(Some("bytes=10-"), Some("\"other\""), TAG, 1000),
            Ask::Whole
        );
        assert_eq!(
            ask(Some("bytes=10-"), Some("W/\"abc\""), TAG, 1000),
            Ask::Whole
        );
        assert_eq!(
            ask(
                Some("bytes=10-"),
                Some("Wed, 21 Oct 2015 07:28:00 GMT"),
                TAG,
                1000
            ),
            Ask::Whole
        );
        // A mismatched If-Range wins over an unsatisfiable range: the new file, whole.
        assert_eq!(
            ask(Some("bytes=5000-"), Some("\"other\""), TAG, 1000),
            Ask::Whole
        );
    }

    proptest::proptest! {
        #[test]
        fn any_header_gives_an_answer_within_the_file(range in ".{0,40}", size in 0u64..5000) {
            if let Ask::Part { start, end } = ask(Some(&range), None, TAG, size) {
                proptest::prop_assert!(start <= end && end < size);
            }
        }
    }
}
