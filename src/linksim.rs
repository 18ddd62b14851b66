//! A link emulator: a TCP proxy on loopback that makes the portal look as far away as a
//! 3G or shared office link — bandwidth per direction, added latency and jitter,
//! connections cut after some bytes (fixed or at random), and stalls; and, on command, an
//! outage ([`Switch`]). Kernel netem is not available where motcua is built and tested, so
//! tests, benchmarks and `motcua linksim` use this. It only listens on 127.0.0.1 and only
//! forwards to a loopback address.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// What the link does to the bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkSpec {
    /// Bits per second from the client to the portal; `None`: as fast as loopback.
    pub up_bps: Option<u64>,
    /// Bits per second from the portal to the client.
    pub down_bps: Option<u64>,
    /// Added round-trip time (half each way).
    pub rtt: Duration,
    /// Up to this much more, at random, each way.
    pub jitter: Duration,
    /// Every connection is cut after this many bytes (both ways together).
    pub cut_after: Option<u64>,
    /// Connections are cut at random, on average after this many bytes.
    pub cut_mean: Option<u64>,
    /// Every `.0`, nothing moves for `.1`.
    pub stall: Option<(Duration, Duration)>,
    /// Seed of the randomness (jitter, random cuts): a run can be repeated.
    pub seed: u64,
}

impl Default for LinkSpec {
    fn default() -> Self {
        LinkSpec {
            up_bps: None,
            down_bps: None,
            rtt: Duration::ZERO,
            jitter: Duration::ZERO,
            cut_after: None,
            cut_mean: None,
            stall: None,
            seed: 1,
        }
    }
}

impl LinkSpec {
    /// A 3G-class link: `kbps` each way and `rtt_ms` round trips.
    pub fn slow(kbps: u64, rtt_ms: u64) -> LinkSpec {
        LinkSpec {
            up_bps: Some(kbps * 1000),
            down_bps: Some(kbps * 1000),
            rtt: Duration::from_millis(rtt_ms),
            ..LinkSpec::default()
        }
    }
}

/// What went through the link, for tests and benchmarks to print.
#[derive(Debug, Default)]
pub struct LinkStats {
    /// Client → portal bytes delivered.
    pub up: AtomicU64,
    /// Portal → client bytes delivered.
    pub down: AtomicU64,
    pub connections: AtomicU64,
    /// Connections cut: their bytes spent ([`LinkSpec::cut_after`], `cut_mean`), or the
    /// link taken down under them ([`Switch`]).
    pub cuts: AtomicU64,
    /// Connections closed as soon as accepted because the link was down ([`Switch`]).
    pub refused: AtomicU64,
    /// Connections made to each upstream, in the order given ([`start_spread`]).
    pub per_upstream: Vec<AtomicU64>,
}

impl LinkStats {
    pub fn snapshot(&self) -> (u64, u64, u64, u64) {
        (
            self.up.load(Ordering::SeqCst),
            self.down.load(Ordering::SeqCst),
            self.connections.load(Ordering::SeqCst),
            self.cuts.load(Ordering::SeqCst),
        )
    }

    /// How many connections went to each upstream.
    pub fn spread(&self) -> Vec<u64> {
        self.per_upstream
            .iter()
            .map(|n| n.load(Ordering::SeqCst))
            .collect()
    }
}

/// A running link: connect to `addr` instead of the portal. Stops when dropped.
pub struct Link {
    pub addr: SocketAddr,
    pub stats: Arc<LinkStats>,
    switch: Switch,
    tasks: JoinSet<()>,
}

impl Link {
    /// The link's outage switch; clones of it may be kept and thrown from anywhere.
    pub fn switch(&self) -> Switch {
        self.switch.clone()
    }
}

/// Takes a running link down and brings it back, as an outage. While down, each new
/// connection is closed (with a reset) as soon as it is accepted, without reaching the
/// portal, and the connections open when it went down are cut, both ways. Up again, new
/// connections go through as before. A link starts up. Cheap to clone; while the link is
/// up it costs each connection one wake-up source and nothing per byte.
#[derive(Debug, Clone)]
pub struct Switch {
    down: watch::Sender<bool>,
}

impl Switch {
    fn new() -> Switch {
        Switch {
            down: watch::Sender::new(false),
        }
    }

    /// Takes the link down (`true`: open connections are cut at once) or brings it back
    /// (`false`). Setting what is set already changes nothing.
    pub fn set_down(&self, down: bool) {
        self.down
            .send_if_modified(|now| std::mem::replace(now, down) != down);
    }

    /// Whether the link is down.
    pub fn is_down(&self) -> bool {
        *self.down.borrow()
    }

    /// Ends when the link is down (at once if it is down already).
    async fn gone_down(&self) {
        let mut down = self.down.subscribe();
        if down.wait_for(|d| *d).await.is_err() {
            // No switch is left to bring it down: it never will be.
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.tasks.abort_all();
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the link emulator forwards only to loopback addresses, not {0}")]
    NotLoopback(SocketAddr),
    #[error("the link emulator could not listen on 127.0.0.1: {0}")]
    Listen(std::io::Error),
}

/// The largest piece moved at once: about one TCP segment, so pacing is smooth.
const SEGMENT: usize = 1460;

/// Starts a link to `upstream` on a free loopback port.
pub async fn start(upstream: SocketAddr, spec: LinkSpec) -> Result<Link, LinkError> {
    start_on(0, upstream, spec).await
}

/// Starts a link on a given loopback port (`0`: any free one).
pub async fn start_on(port: u16, upstream: SocketAddr, spec: LinkSpec) -> Result<Link, LinkError> {
    listen(port, vec![upstream], spec).await
}

/// Starts a link that spreads its connections over several portal processes in turn,
/// as a reverse proxy in front of them does: each new connection goes to the next
/// upstream, and to the one after when that one does not answer.
pub async fn start_spread(upstreams: &[SocketAddr], spec: LinkSpec) -> Result<Link, LinkError> {
    listen(0, upstreams.to_vec(), spec).await
}

async fn listen(port: u16, upstreams: Vec<SocketAddr>, spec: LinkSpec) -> Result<Link, LinkError> {
    if let Some(far) = upstreams.iter().find(|u| !u.ip().is_loopback()) {
        return Err(LinkError::NotLoopback(*far));
    }
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(LinkError::Listen)?;
    let addr = listener.local_addr().map_err(LinkError::Listen)?;
    let stats = Arc::new(LinkStats {
        per_upstream: upstreams.iter().map(|_| AtomicU64::new(0)).collect(),
        ..LinkStats::default()
    });
    let mut tasks = JoinSet::new();
    let switch = Switch::new();
    let shared = Arc::new(Shared {
        spec,
        stats: stats.clone(),
        switch: switch.clone(),
        rng: Mutex::new(StdRng::seed_from_u64(0)),
        started: Instant::now(),
    });
    *shared.rng.lock().await = StdRng::seed_from_u64(shared.spec.seed);
    let upstreams = Arc::new(upstreams);
    tasks.spawn(async move {
        let mut connections = JoinSet::new();
        let mut next = 0usize;
        while let Ok((client, _)) = listener.accept().await {
            if shared.switch.is_down() {
                // The outage: closed at once, with a reset rather than an orderly end,
                // so the client fails now instead of waiting for an answer.
                shared.stats.refused.fetch_add(1, Ordering::SeqCst);
                let _ = client.set_zero_linger();
                drop(client);
                continue;
            }
            let _ = client.set_nodelay(true);
            let (shared, upstreams) = (shared.clone(), upstreams.clone());
            let first = next;
            next = (next + 1) % upstreams.len().max(1);
            connections.spawn(async move {
                let forward = async {
                    // Round robin, passing over an upstream that refuses (a process
                    // being restarted): the client sees a refusal only when all do.
                    for i in 0..upstreams.len() {
                        let which = (first + i) % upstreams.len();
                        if let Ok(server) = TcpStream::connect(upstreams[which]).await {
                            let _ = server.set_nodelay(true);
                            shared.stats.connections.fetch_add(1, Ordering::SeqCst);
                            shared.stats.per_upstream[which].fetch_add(1, Ordering::SeqCst);
                            connection(client, server, shared.clone()).await;
                            return;
                        }
                    }
                };
                // The link going down drops the connection, both ways, wherever it is
                // (counted first, so that whoever sees the cut sees it counted).
                let cut = async {
                    shared.switch.gone_down().await;
                    shared.stats.cuts.fetch_add(1, Ordering::SeqCst);
                };
                tokio::select! {
                    _ = forward => {},
                    _ = cut => {},
                }
            });
            // Keep the set from growing without bound.
            while connections.try_join_next().is_some() {}
        }
    });
    Ok(Link {
        addr,
        stats,
        switch,
        tasks,
    })
}

struct Shared {
    spec: LinkSpec,
    stats: Arc<LinkStats>,
    switch: Switch,
    rng: Mutex<StdRng>,
    started: Instant,
}

impl Shared {
    async fn one_way_delay(&self) -> Duration {
        let base = self.spec.rtt / 2;
        if self.spec.jitter.is_zero() {
            return base;
        }
        let extra = self
            .rng
            .lock()
            .await
            .random_range(0..=self.spec.jitter.as_micros() as u64);
        base + Duration::from_micros(extra)
    }

    /// The byte budget of a new connection before it is cut, if any.
    async fn budget(&self) -> Option<u64> {
        let random = match self.spec.cut_mean {
            Some(mean) if mean > 0 => {
                // Exponentially distributed: cuts come "about every `mean` bytes".
                let u: f64 = self.rng.lock().await.random_range(f64::EPSILON..1.0);
                Some((-(u.ln()) * mean as f64).max(1.0) as u64)
            }
            _ => None,
        };
        match (self.spec.cut_after, random) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// While a stall is on, the time it ends.
    fn stalled_until(&self, now: Instant) -> Option<Instant> {
        let (every, length) = self.spec.stall?;
        if every.is_zero() {
            return None;
        }
        let since = now.duration_since(self.started).as_micros() as u64;
        let period = every.as_micros() as u64;
        let into = since % period;
        let stall_from = period.saturating_sub(length.as_micros() as u64);
        (into >= stall_from).then(|| now + Duration::from_micros(period - into))
    }
}

/// One client connection: a paced, delayed pipe each way, cut when its budget is spent.
async fn connection(client: TcpStream, server: TcpStream, shared: Arc<Shared>) {
    let budget = shared.budget().await;
    let used = Arc::new(AtomicU64::new(0));
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = pipe(
        cr,
        sw,
        shared.clone(),
        shared.spec.up_bps,
        used.clone(),
        budget,
        true,
    );
    let down = pipe(
        sr,
        cw,
        shared.clone(),
        shared.spec.down_bps,
        used,
        budget,
        false,
    );
    // Either side ending (or a cut) ends the connection: both halves are dropped.
    tokio::select! {
        _ = up => {},
        _ = down => {},
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    shared: Arc<Shared>,
    bps: Option<u64>,
    used: Arc<AtomicU64>,
    budget: Option<u64>,
    up: bool,
) {
    // Reading runs ahead; delivery waits for the link (bandwidth, delay, stalls).
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader_shared = shared.clone();
    let reader = async move {
        let mut free_at = Instant::now();
        let mut buf = vec![0u8; SEGMENT];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let now = Instant::now();
            let start = free_at.max(now);
            let send_time = match bps {
                Some(bps) if bps > 0 => Duration::from_secs_f64(n as f64 * 8.0 / bps as f64),
                _ => Duration::ZERO,
            };
            free_at = start + send_time;
            let at = free_at + reader_shared.one_way_delay().await;
            if tx.send((at, buf[..n].to_vec())).is_err() {
                break;
            }
        }
    };
    let writer = async move {
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            while let Some(until) = shared.stalled_until(Instant::now()) {
                tokio::time::sleep_until(until).await;
            }
            if let Some(budget) = budget {
                let before = used.load(Ordering::SeqCst);
                if before >= budget {
                    // The other direction has cut this connection already.
                    return;
                }
                let left = (budget - before) as usize;
                if left < bytes.len() {
                    // The cut: what fits goes, then the connection is gone.
                    let _ = to.write_all(&bytes[..left]).await;
                    count(&shared, up, left);
                    shared.stats.cuts.fetch_add(1, Ordering::SeqCst);
                    used.store(budget, Ordering::SeqCst);
                    return;
                }
                used.fetch_add(bytes.len() as u64, Ordering::SeqCst);
            }
            if to.write_all(&bytes).await.is_err() {
                return;
            }
            count(&shared, up, bytes.len());
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

fn count(shared: &Shared, up: bool, n: usize) {
    let counter = if up {
        &shared.stats.up
    } else {
        &shared.stats.down
    };
    counter.fetch_add(n as u64, Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = s.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    #[tokio::test]
    async fn bandwidth_and_delay_shape_the_bytes() {
        let echo = echo_server().await;
        let link = start(echo, LinkSpec::slow(256, 200)).await.unwrap();
        let mut s = TcpStream::connect(link.addr).await.unwrap();
        let started = Instant::now();
        let data = vec![7u8; 16_000];
        s.write_all(&data).await.unwrap();
        let mut back = vec![0u8; data.len()];
        s.read_exact(&mut back).await.unwrap();
        let took = started.elapsed();
        assert_eq!(back, data);
        // 16 KB at 256 kbit/s is 0.5 s each way, pipelined, plus 200 ms of round trip.
        assert!(took >= Duration::from_millis(650), "{took:?}");
        let (up, down, connections, cuts) = link.stats.snapshot();
        assert_eq!((up, down, connections, cuts), (16_000, 16_000, 1, 0));
    }

    #[tokio::test]
    async fn a_connection_is_cut_after_its_bytes() {
        let echo = echo_server().await;
        let spec = LinkSpec {
            cut_after: Some(1000),
            ..LinkSpec::default()
        };
        let link = start(echo, spec).await.unwrap();
        let mut s = TcpStream::connect(link.addr).await.unwrap();
        s.write_all(&[1u8; 800]).await.unwrap();
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got).await;
        assert!(got.len() <= 200, "{} bytes came back", got.len());
        assert_eq!(link.stats.snapshot().3, 1);
    }

    /// Connections go to each upstream in turn, passing over one that refuses.
    #[tokio::test]
    async fn connections_are_spread_over_the_upstreams() {
        let (a, b) = (echo_server().await, echo_server().await);
        // A port nothing listens on: taken, then freed.
        let gone = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        let link = start_spread(&[a, gone, b], LinkSpec::default())
            .await
            .unwrap();
        for n in 0..6u8 {
            let mut s = TcpStream::connect(link.addr).await.unwrap();
            s.write_all(&[n; 10]).await.unwrap();
            let mut back = [0u8; 10];
            s.read_exact(&mut back).await.unwrap();
            assert_eq!(back, [n; 10]);
        }
        // The refused one's turns went to the next: b.
        assert_eq!(link.stats.spread(), vec![2, 0, 4]);
        assert_eq!(link.stats.snapshot().2, 6);
    }

    #[tokio::test]
    async fn only_loopback_upstreams() {
        let err = start("10.0.0.1:80".parse().unwrap(), LinkSpec::default())
            .await
            .err()
            .unwrap();
        assert!(matches!(err, LinkError::NotLoopback(_)));
    }
}
