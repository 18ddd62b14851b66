//! Content negotiation by `Accept` (RFC 9110, section 12.5.1), for the routes that answer
//! in more than one type: a printable form (text or PDF) and the register (PDF, CSV or
//! XLSX).

use axum::http::{HeaderMap, header};

/// The type to answer with: of `offered` (in the server's order of preference), the one
/// the caller's `Accept` rates highest; `offered[0]` when there is no `Accept`; `None`
/// when the caller accepts none of them (every match has `q=0`, or none matches).
///
/// A type is rated by the most specific range that matches it (`type/subtype`, then
/// `type/*`, then `*/*`); parameters other than `q` are ignored; equal ratings go to the
/// server's preference. An `Accept` that cannot be read counts as none.
pub fn negotiate(headers: &HeaderMap, offered: &[&'static str]) -> Option<&'static str> {
    let accept: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if accept.is_empty() {
        return offered.first().copied();
    }
    let ranges: Vec<(String, String, f32)> = accept
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(range)
        .collect();
    if ranges.is_empty() {
        return offered.first().copied();
    }
    let mut best: Option<(&'static str, f32)> = None;
    for &kind in offered {
        let (t, s) = kind.split_once('/').unwrap_or((kind, ""));
        // (specificity, q) of the most specific matching range.
        let rated = ranges
            .iter()
            .filter_map(|(rt, rs, q)| {
                let specificity = match (rt.as_str(), rs.as_str()) {
                    (rt, rs) if rt.eq_ignore_ascii_case(t) && rs.eq_ignore_ascii_case(s) => 2,
                    (rt, "*") if rt.eq_ignore_ascii_case(t) => 1,
                    ("*", "*") => 0,
                    _ => return None,
                };
                Some((specificity, *q))
            })
            .max_by(|a, b| a.0.cmp(&b.0));
        if let Some((_, q)) = rated
            && q > 0.0
            && best.is_none_or(|(_, top)| q > top)
        {
            best = Some((kind, q));
        }
    }
    best.map(|(kind, _)| kind)
}

/// One media range: type, subtype and its `q` (1 when absent or unreadable).
fn range(text: &str) -> Option<(String, String, f32)> {
    let mut parts = text.split(';');
    let media = parts.next()?.trim();
    let (t, s) = media.split_once('/')?;
    if t.is_empty() || s.is_empty() {
        return None;
    }
    let q = parts
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
        .and_then(|(_, v)| v.trim().parse::<f32>().ok())
        .filter(|q| (0.0..=1.0).contains(q))
        .unwrap_or(1.0);
    Some((t.trim().to_owned(), s.trim().to_owned(), q))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const OFFERED: [&str; 3] = ["application/pdf", "text/csv", "application/vnd.ms-excel"];

    fn pick(accept: Option<&str>) -> Option<&'static str> {
        let mut headers = HeaderMap::new();
        if let Some(a) = accept {
            headers.insert(header::ACCEPT, HeaderValue::from_str(a).unwrap());
        }
        negotiate(&headers, &OFFERED)
    }

    #[test]
    fn the_highest_rated_offered_type_wins() {
        assert_eq!(pick(None), Some("application/pdf"));
        assert_eq!(pick(Some("*/*")), Some("application/pdf"));
        assert_eq!(pick(Some("text/csv")), Some("text/csv"));
        assert_eq!(pick(Some("TEXT/CSV; charset=utf-8")), Some("text/csv"));
        assert_eq!(
            pick(Some("application/pdf;q=0.5, text/csv;q=0.9")),
            Some("text/csv")
        );
        assert_eq!(pick(Some("text/*, */*;q=0.1")), Some("text/csv"));
        // The specific range rules over the wildcard that would allow it.
        assert_eq!(
            pick(Some("*/*, application/pdf;q=0")),
            Some("text/csv"),
            "pdf refused by name"
        );
        assert_eq!(pick(Some("application/json")), None);
        assert_eq!(pick(Some("application/pdf;q=0")), None);
        // Unreadable ranges count as no Accept at all.
        assert_eq!(pick(Some("garbage")), Some("application/pdf"));
        assert_eq!(
            pick(Some("text/csv;q=2")),
            Some("text/csv"),
            "q out of range is 1"
        );
    }
}
