//! Serving connections: HTTP/1.1 through hyper with a header-read timeout, and a cap on
//! the connections one client address holds at once. `axum::serve` offers neither, so a
//! client that sends half a request line, or trickles its headers, could hold a
//! connection (a task, a socket, a file descriptor) for as long as it liked, and a
//! hundred such clients as many.
//!
//! - A request's line and headers must arrive within `header_read_timeout`, counted from
//!   when the connection is ready for a request (so a kept-alive connection that stays
//!   idle that long is closed too); then the connection is closed.
//! - An address with `per_address` connections open has its next ones closed at once,
//!   before anything is read; a trusted reverse proxy's (`uncapped`) are not counted,
//!   since it carries many clients and has limits of its own.
//! - Handlers still get the peer's address as `ConnectInfo<SocketAddr>`.
//! - On shutdown the listener stops, each connection finishes its request in flight
//!   (idle ones close), and [`serve`] returns when the last one has.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower_http::add_extension::AddExtension;

/// What a connection may do.
#[derive(Debug, Clone)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub per_address: usize,
    /// Addresses whose connections are not capped: the trusted reverse proxies.
    pub uncapped: Arc<[IpAddr]>,
}

/// Open connections per client address.
type Open = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// One open connection of an address, given back when dropped.
struct Slot {
    open: Open,
    ip: IpAddr,
}

impl Slot {
    fn take(open: &Open, ip: IpAddr, cap: usize) -> Option<Slot> {
        let mut map = open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = map.entry(ip).or_insert(0);
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(Slot {
            open: open.clone(),
            ip,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = map.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// A socket that holds its address's slot. The slot is given back when the portal shuts
/// the socket's writing side or drops it, before the client can see the end: a client
/// that read to the end may connect again at once.
struct Counted {
    // Declared first, so dropped before the socket closes.
    slot: Option<Slot>,
    stream: TcpStream,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.slot.take();
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Accepts and serves connections on `listener` until `stop` completes, then lets every
/// connection finish its request in flight and returns.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let open: Open = Arc::default();
    // Dropping `signal` tells the connections to finish; each holds a `done` receiver,
    // so `finished.closed()` completes when the last one has ended.
    let (signal, stopping) = watch::channel(());
    let (finished, done) = watch::channel(());
    tokio::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, a connection reset before it was
                    // accepted…: not fatal; a pause lets descriptors come back.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let slot = if limits.uncapped.contains(&peer.ip()) {
            None
        } else {
            let Some(slot) = Slot::take(&open, peer.ip(), limits.per_address) else {
                tracing::debug!("{peer}: too many connections from this address, closed");
                drop(stream);
                continue;
            };
            Some(slot)
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(Counted { slot, stream });
        let service = TowerToHyperService::new(AddExtension::new(app.clone(), ConnectInfo(peer)));
        let mut stopping = stopping.clone();
        let done = done.clone();
        let header_read_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(header_read_timeout);
            let connection = builder.serve_connection(io, service);
            tokio::pin!(connection);
            let mut told = false;
            loop {
                tokio::select! {
                    result = connection.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!("{peer}: connection ended: {e}");
                        }
                        break;
                    }
                    _ = stopping.changed(), if !told => {
                        told = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(done);
        });
    }
    drop(listener);
    drop(signal);
    drop(done);
    finished.closed().await;
    Ok(())
}
