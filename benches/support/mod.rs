//! What the benchmarks share: a loopback proxy that counts HTTP requests (round trips,
//! since the client sends one request at a time per connection and waits for it).

use motcua::domain::calendar::Calendar;
use motcua::portal::state::Settings;
use motcua::portal::{self, Running, Seed};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A loopback proxy that counts the HTTP requests passing through it (request lines).
pub async fn counting_proxy(upstream: SocketAddr) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(upstream).await else {
                continue;
            };
            let counter = counter.clone();
            tokio::spawn(async move {
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        let text = String::from_utf8_lossy(&buf[..n]);
                        let requests = text
                            .lines()
                            .filter(|l| {
                                ["GET ", "POST ", "PATCH ", "HEAD ", "PUT ", "DELETE "]
                                    .iter()
                                    .any(|m| l.starts_with(m))
                                    && l.ends_with("HTTP/1.1")
                            })
                            .count();
                        counter.fetch_add(requests, Ordering::SeqCst);
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                let _ = tokio::io::copy(&mut sr, &mut cw).await;
                up.abort();
            });
        }
    });
    (addr, count)
}

/// The demo portal on a free loopback port, with its database in a temporary directory
/// (kept as long as the returned directory lives).
pub async fn demo_portal() -> (tempfile::TempDir, Running) {
    let dir = tempfile::tempdir().unwrap();
    let running = portal::start(portal::Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        db: dir.path().join("portal.sqlite3").into(),
        calendar: Calendar::default(),
        seed: Seed::Demo,
        settings: Settings::default(),
        clock: Default::default(),
    })
    .await
    .unwrap();
    (dir, running)
}
