//! The link emulator's outage switch (`linksim::Switch`), which the training sandbox's
//! `:offline` and `:online` throw: down, a new connection fails at once without reaching
//! the server and an open one is cut both ways; up again, everything goes through.

use motcua::linksim::{self, LinkSpec};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::timeout;

/// Long enough for the slowest machine: a hang fails the test instead of blocking it.
const PATIENCE: Duration = Duration::from_secs(5);

/// An echo server on loopback: how many connections it accepted, and word of each one
/// that ended on the server's side.
struct Echo {
    addr: SocketAddr,
    accepted: Arc<AtomicU64>,
    ended: mpsc::UnboundedReceiver<()>,
}

async fn echo_server() -> Echo {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicU64::new(0));
    let (tx, ended) = mpsc::unbounded_channel();
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let tx = tx.clone();
            tokio::spawn(async move {
                let (mut r, mut w) = s.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
                let _ = tx.send(());
            });
        }
    });
    Echo {
        addr,
        accepted,
        ended,
    }
}

/// Sends `bytes` on `s` and reads as many back.
async fn round_trip(s: &mut TcpStream, bytes: &[u8]) {
    timeout(PATIENCE, async {
        s.write_all(bytes).await.unwrap();
        let mut back = vec![0u8; bytes.len()];
        s.read_exact(&mut back).await.unwrap();
        assert_eq!(back, bytes);
    })
    .await
    .expect("the echo came back in time");
}

/// Reading from `s` ends (the end of the stream or an error) rather than giving bytes.
async fn ends(s: &mut TcpStream, what: &str) {
    let mut buf = [0u8; 64];
    match timeout(PATIENCE, s.read(&mut buf)).await {
        Err(_) => panic!("{what}: still open after {PATIENCE:?}"),
        Ok(Ok(0)) | Ok(Err(_)) => {}
        Ok(Ok(n)) => panic!("{what}: {n} bytes came through"),
    }
}

#[tokio::test]
async fn down_refuses_new_connections_and_cuts_open_ones_and_up_lets_them_through() {
    let mut echo = echo_server().await;
    let link = linksim::start(echo.addr, LinkSpec::default())
        .await
        .unwrap();
    let switch = link.switch();
    assert!(!switch.is_down(), "a link starts up");

    // (a) Up: bytes go through, and this connection stays open.
    let mut held = TcpStream::connect(link.addr).await.unwrap();
    round_trip(&mut held, b"before the outage").await;
    assert_eq!(echo.accepted.load(Ordering::SeqCst), 1);

    // (c) Down: the open connection is cut, on the client's side and the server's.
    switch.set_down(true);
    assert!(switch.is_down());
    ends(&mut held, "the connection open when the link went down").await;
    timeout(PATIENCE, echo.ended.recv())
        .await
        .expect("the server's side of the cut connection ended in time")
        .unwrap();
    assert_eq!(link.stats.snapshot().3, 1, "one cut");

    // (b) Down: a new connection fails at once, and the server never sees it.
    // The kernel may complete the handshake before the link accepts and closes it, so
    // the failure shows at connecting, writing or reading: any of them will do.
    for n in 1..=2u64 {
        let connected = timeout(PATIENCE, TcpStream::connect(link.addr))
            .await
            .expect("connecting while down does not hang");
        if let Ok(mut s) = connected {
            let _ = s.write_all(b"during the outage").await;
            ends(&mut s, "a connection made while the link is down").await;
        }
        assert_eq!(link.stats.refused.load(Ordering::SeqCst), n);
    }
    assert_eq!(
        echo.accepted.load(Ordering::SeqCst),
        1,
        "none reached the server"
    );
    // Throwing the switch again changes nothing.
    switch.set_down(true);
    assert!(switch.is_down());

    // (d) Up again: new connections go through as before.
    switch.set_down(false);
    assert!(!switch.is_down());
    let mut after = TcpStream::connect(link.addr).await.unwrap();
    round_trip(&mut after, b"after the outage").await;
    // A clone of the switch (another task's, as the sandbox keeps it) works the same.
    let other = link.switch();
    round_trip(&mut after, b"still open").await;
    other.set_down(true);
    ends(&mut after, "cut through a clone of the switch").await;
    other.set_down(false);
    let mut last = TcpStream::connect(link.addr).await.unwrap();
    round_trip(&mut last, b"up once more").await;

    // The server saw the connections made while up and none of those made while down.
    assert_eq!(echo.accepted.load(Ordering::SeqCst), 3);
    let (_, _, connections, cuts) = link.stats.snapshot();
    assert_eq!((connections, cuts), (3, 2));
    assert_eq!(link.stats.refused.load(Ordering::SeqCst), 2);
}

/// An HTTP client with keep-alive, as the desk's: a request through the link while up, a
/// quick error while down (its pooled connection cut, a new one refused), and answers
/// again once the link is up.
#[tokio::test]
async fn an_http_client_sees_the_outage_come_and_go() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/ping", axum::routing::get(|| async { "pong" }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let link = linksim::start(server, LinkSpec::default()).await.unwrap();
    let switch = link.switch();
    let url = format!("http://{}/ping", link.addr);
    let http = reqwest::Client::new();
    let ping = || {
        let req = http.get(&url).send();
        async move {
            let res = timeout(PATIENCE, req)
                .await
                .expect("an answer or an error in time, not a hang")?;
            res.text().await
        }
    };

    // (a) Up.
    assert_eq!(ping().await.unwrap(), "pong");
    assert_eq!(link.stats.snapshot().2, 1, "one connection, kept alive");

    // (b), (c) Down: the kept-alive connection is cut and a new one is refused.
    switch.set_down(true);
    for _ in 0..3 {
        let err = ping().await.expect_err("no answer while the link is down");
        assert!(err.is_connect() || err.is_request(), "{err:?}");
    }
    assert_eq!(
        link.stats.snapshot().3,
        1,
        "the kept-alive connection was cut"
    );
    // The first may have gone on the cut connection; the others were refused.
    assert!(link.stats.refused.load(Ordering::SeqCst) >= 2);

    // (d) Up again.
    switch.set_down(false);
    assert_eq!(ping().await.unwrap(), "pong");
    assert_eq!(ping().await.unwrap(), "pong");
}
