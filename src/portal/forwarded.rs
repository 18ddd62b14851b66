//! The client's address behind a reverse proxy. Every per-address limit (failed logins,
//! public lookups, connections at once) and every audit row uses the address a request
//! came from; behind a proxy that is the proxy's, the whole province as one client. For
//! a connection from an address the portal is told to trust (`--trusted-proxy`), the
//! client is read from `X-Forwarded-For` instead: the right-most address in it that is
//! not itself a trusted proxy. Addresses further left were written by the client (or by
//! proxies the portal knows nothing of) and are never believed; from any other peer the
//! header is ignored altogether, so a client cannot pick its own address.

use super::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// Middleware: for a request through a trusted proxy, the `ConnectInfo` that handlers
/// read becomes the forwarded client's address (port 0: the client's port is unknown).
pub async fn real_client(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let trusted = &state.settings.trusted_proxies;
    if !trusted.is_empty()
        && let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied()
        && trusted.contains(&peer.ip())
        && let Some(client) = forwarded_client(req.headers(), trusted)
    {
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(client, 0)));
    }
    next.run(req).await
}

/// The right-most address of `X-Forwarded-For` (every such header, in order) that is not
/// a trusted proxy; `None` when there is none, or when one that would be read is not an
/// IP address (the request is then counted as the proxy's).
pub fn forwarded_client(headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let mut hops = Vec::new();
    for value in headers.get_all(X_FORWARDED_FOR) {
        hops.extend(value.to_str().ok()?.split(',').map(str::trim));
    }
    let mut last_trusted = None;
    for hop in hops.into_iter().rev() {
        let ip = parse_hop(hop)?;
        if !trusted.contains(&ip) {
            return Some(ip);
        }
        last_trusted = Some(ip);
    }
    // Every hop is a proxy of ours: the request began at the left-most.
    last_trusted
}

/// `203.0.113.5`, `2001:db8::1`, or with a port as some proxies write it
/// (`203.0.113.5:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    hop.parse::<SocketAddr>().ok().map(|addr| addr.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(X_FORWARDED_FOR, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let trusted = [ip("127.0.0.1"), ip("10.0.0.2")];
        let pick = |v: &[&str]| forwarded_client(&headers(v), &trusted);
        assert_eq!(pick(&["203.0.113.5"]), Some(ip("203.0.113.5")));
        // What the client wrote itself is on the left, and is not believed.
        assert_eq!(pick(&["1.2.3.4, 203.0.113.5"]), Some(ip("203.0.113.5")));
        // Two proxies of ours in a row.
        assert_eq!(pick(&["203.0.113.5, 10.0.0.2"]), Some(ip("203.0.113.5")));
        // Several headers are one list, in order.
        assert_eq!(pick(&["1.2.3.4", "203.0.113.5"]), Some(ip("203.0.113.5")));
        assert_eq!(pick(&["[2001:db8::1]:4711"]), Some(ip("2001:db8::1")));
        assert_eq!(pick(&["203.0.113.5:4711"]), Some(ip("203.0.113.5")));
        assert_eq!(pick(&["10.0.0.2"]), Some(ip("10.0.0.2")));
    }

    #[test]
    fn no_header_or_a_bad_hop_leaves_the_proxy_s_address() {
        let trusted = [ip("127.0.0.1")];
        assert_eq!(forwarded_client(&headers(&[]), &trusted), None);
        assert_eq!(forwarded_client(&headers(&["unknown"]), &trusted), None);
        assert_eq!(
            forwarded_client(&headers(&["1.2.3.4, nonsense"]), &trusted),
            None
        );
        // A bad hop further left than the client is never read.
        assert_eq!(
            forwarded_client(&headers(&["nonsense, 203.0.113.5"]), &trusted),
            Some(ip("203.0.113.5"))
        );
    }
}
