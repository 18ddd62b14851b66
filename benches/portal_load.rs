//! Load figures for the reference portal over loopback: the inbox list with 100,000
//! dossiers in the database, the dossier detail, and officer-assisted creation, each driven
//! by concurrent HTTP clients for a bounded time and count. Prints requests, requests/s,
//! p50 and p99 beside the targets of the portal issue (on a 2-core machine: list
//! ≥ 2,000 req/s with p99 ≤ 50 ms, creation ≥ 300/s). The figures are reported, not
//! asserted; any HTTP error makes the run exit non-zero.
//!
//! The portal and the clients run in this one process on runtimes of their own and share
//! the machine's cores, as does anything else running there (the load average is
//! printed). The CPU time the portal's threads spent per request is printed too: it says
//! what the portal itself costs, and moves less than the rate when other work competes
//! for the cores (though it still grows with contention). Printed as well is the share of
//! the machine's CPU that other processes took during each scenario ("others"): a rate
//! measured while they took a third of the cores is not a quiet machine's rate. Beside
//! the targeted scenarios are two for reference: the first page without gzip (what
//! compression costs) and one common word searched (the most rows a search can find).
//! Searches (`?q=`, through the word index) are held to a third of the list's rate and
//! the list's p99.
//!
//! Run with `cargo bench --bench portal_load`. The database is built once through the real
//! intake and cached under `target/bench-data/`; later runs copy it and start at once.
//! With `MOTCUA_BENCH_POSTGRES` set to a PostgreSQL server's maintenance URL (a role that
//! may create databases, e.g. `postgres://motcua@127.0.0.1:5432/postgres`), the same run
//! is made on PostgreSQL: the cached database is copied into a fresh database there by
//! `motcua migrate`'s code, and dropped after. The server's processes are then "others"
//! in the figures, and the portal's CPU per request leaves the database's out.
//! Without `--bench` (as `cargo test --benches` runs it) a small smoke run checks that
//! everything works, in seconds.

use motcua::domain::calendar::Calendar;
use motcua::portal::state::Settings;
use motcua::portal::{self, Seed, bulk};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::future::Future;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bump when the bulk load would build different rows for the same sources (the cache
/// key already follows the migrations, the seed data and `bulk.rs`).
const DB_VERSION: u32 = 2;

/// A ward's dossiers come from many people: an office of N dossiers is given N / 3
/// made-up citizens (a few sharing each full name) besides its demo ones.
const DOSSIERS_PER_CITIZEN: usize = 3;

/// Requests in flight at once: a whole office's desks and back office, and more.
const IN_FLIGHT: usize = 32;

/// The demo staff's published password.
const PASSWORD: &str = "Motcua-demo-2026";

/// How big a run is.
struct Scale {
    /// Dossiers per office number; office 1 holds most, so its inbox is the big one.
    dossiers: Vec<(i64, usize)>,
    /// How long each scenario runs, and the most requests it sends.
    phase: Duration,
    max_requests: usize,
    /// Creations are capped lower: one office has 9,999 dossier numbers a day.
    max_creations: usize,
}

fn full() -> Scale {
    Scale {
        dossiers: vec![(1, 70_000), (2, 10_000), (3, 10_000), (4, 10_000)],
        phase: Duration::from_secs(10),
        max_requests: 200_000,
        max_creations: 9_000,
    }
}

fn smoke() -> Scale {
    Scale {
        dossiers: vec![(1, 1_400), (2, 200), (3, 200), (4, 200)],
        phase: Duration::from_secs(1),
        max_requests: 2_000,
        max_creations: 200,
    }
}

/// The province run: [`PROVINCE_OFFICES`] offices sharing [`PROVINCE_DOSSIERS`]
/// dossiers evenly, served by [`PROVINCE_PROCESSES`] `motcua serve` processes on one
/// PostgreSQL database.
const PROVINCE_OFFICES: i64 = 120;
const PROVINCE_DOSSIERS: usize = 1_000_000;
const PROVINCE_PROCESSES: usize = 2;

fn province() -> Scale {
    let each = PROVINCE_DOSSIERS / PROVINCE_OFFICES as usize;
    let extra = PROVINCE_DOSSIERS % PROVINCE_OFFICES as usize;
    Scale {
        dossiers: (1..=PROVINCE_OFFICES)
            .map(|n| (n, each + usize::from((n as usize) <= extra)))
            .collect(),
        ..full()
    }
}

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not.
    let bench = std::env::args().any(|a| a == "--bench");
    let scale = match std::env::var_os("MOTCUA_BENCH_PROVINCE") {
        Some(v) if bench && !v.is_empty() => province(),
        _ if bench => full(),
        _ => smoke(),
    };
    match run(&scale) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(errors) => {
            eprintln!("portal_load: {errors} requests failed");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("portal_load: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Names the portal's runtime threads, so their CPU time can be told from the clients'.
const SERVER_THREADS: &str = "portal-server";
/// What sqlx names each SQLite connection's thread (the name is cut to 15 bytes).
const DATABASE_THREADS: &str = "sqlx-sqlite-wor";

/// Runs every scenario and returns the number of failed requests.
fn run(scale: &Scale) -> Result<usize, String> {
    // The portal runs on a runtime of its own, as under `motcua serve` (a worker per
    // core), and the load clients on another: they share the two cores, not a scheduler.
    let runtime = |name: &str| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(name)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime: {e}"))
    };
    let (server, clients) = (runtime(SERVER_THREADS)?, runtime("load-client")?);
    let cached = server.block_on(cached_database(scale))?;
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let admin = std::env::var("MOTCUA_BENCH_POSTGRES")
        .ok()
        .filter(|a| !a.trim().is_empty());
    if scale.dossiers.len() > 4 {
        let admin = admin.ok_or("the province run needs MOTCUA_BENCH_POSTGRES")?;
        return run_province(scale, &server, &clients, &admin, &cached, work.path());
    }
    let sqlite = work.path().join("portal.sqlite3");
    std::fs::copy(&cached, &sqlite).map_err(|e| format!("copy {}: {e}", cached.display()))?;
    let postgres = match admin {
        Some(admin) => Some(server.block_on(BenchDatabase::copied(&admin, &sqlite))?),
        None => None,
    };
    let db: portal::db::Database = match &postgres {
        Some(pg) => portal::db::Database::Postgres {
            url: pg.url.clone(),
            files: work.path().join("files"),
        },
        None => sqlite.into(),
    };
    println!("engine: {db}");
    let running = server
        .block_on(portal::start(portal::Options {
            bind: "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?,
            db,
            calendar: Calendar::default(),
            // The cached database has the accounts already; this only makes sure.
            seed: Seed::Accounts,
            // Every load client connects from 127.0.0.1: the two clients' pools (32 in
            // flight each, kept alive) are more than one real address may hold.
            settings: Settings {
                max_connections_per_address: 4 * IN_FLIGHT,
                ..Settings::default()
            },
            clock: Default::default(),
        }))
        .map_err(|e| e.to_string())?;
    let (office1, citizens) = server.block_on(office1(&running.state.db))?;
    let result = clients.block_on(scenarios(
        scale,
        vec![format!("http://{}/api/v1", running.addr)],
        office1,
        citizens,
    ));
    server
        .block_on(running.shutdown())
        .map_err(|e| e.to_string())?;
    if let Some(pg) = postgres {
        server.block_on(pg.drop_it());
    }
    result
}

/// The province run: the cached database copied into PostgreSQL once and kept there as
/// a template (a later run makes its own database from it in seconds, where copying a
/// million dossiers again takes many minutes), served by [`PROVINCE_PROCESSES`]
/// `motcua serve` processes started from the built binary, the load spread over them
/// request by request, as a reverse proxy would.
fn run_province(
    scale: &Scale,
    server: &tokio::runtime::Runtime,
    clients: &tokio::runtime::Runtime,
    admin: &str,
    cached: &Path,
    work: &Path,
) -> Result<usize, String> {
    let pg = server.block_on(BenchDatabase::from_template(admin, cached, work))?;
    println!(
        "engine: PostgreSQL, {PROVINCE_OFFICES} offices, {PROVINCE_PROCESSES} portal processes"
    );
    let files = work.join("files");
    let processes = (0..PROVINCE_PROCESSES)
        .map(|_| ServeProcess::start(&pg.url, &files, work))
        .collect::<Result<Vec<_>, _>>()?;
    let database = portal::db::Database::Postgres {
        url: pg.url.clone(),
        files: files.clone(),
    };
    let (office1, citizens) = server.block_on(async {
        let pool = portal::db::open(&database)
            .await
            .map_err(|e| e.to_string())?;
        let found = office1(&pool).await;
        pool.close().await;
        found
    })?;
    let bases = processes
        .iter()
        .map(|p| format!("http://{}/api/v1", p.addr))
        .collect();
    let result = clients.block_on(scenarios(scale, bases, office1, citizens));
    drop(processes);
    server.block_on(pg.drop_it());
    result
}

/// A `motcua serve` process of the province run, killed when dropped.
struct ServeProcess {
    child: std::process::Child,
    addr: std::net::SocketAddr,
}

impl ServeProcess {
    /// Starts the process and waits for the log line that says where it listens. It
    /// trusts 127.0.0.1 as a proxy: the load clients stand for a reverse proxy's many
    /// connections, which the per-address cap does not count (docs/portal.md).
    fn start(url: &str, files: &Path, home: &Path) -> Result<ServeProcess, String> {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["serve", "--db", url, "--bind", "127.0.0.1:0"])
            .args(["--trusted-proxy", "127.0.0.1"])
            .arg("--files")
            .arg(files)
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("motcua serve: {e}"))?;
        let mut lines = BufReader::new(child.stderr.take().ok_or("no stderr")?).lines();
        let Some(addr) = lines.by_ref().map_while(Result::ok).find_map(|line| {
            let rest = line.split("listening on http://").nth(1)?;
            rest.split('/').next()?.parse().ok()
        }) else {
            let _ = child.kill();
            return Err("motcua serve ended before it listened".into());
        };
        // The rest of its log is read and dropped, so that a full pipe never stops it.
        std::thread::spawn(move || lines.for_each(drop));
        Ok(ServeProcess { child, addr })
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PostgreSQL database of the run's own, holding a copy of the cached one.
struct BenchDatabase {
    admin: String,
    name: String,
    url: String,
}

impl BenchDatabase {
    async fn copied(admin: &str, sqlite: &Path) -> Result<BenchDatabase, String> {
        use sqlx::Connection;
        let name = format!("motcua_bench_copy_{}", std::process::id());
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .map_err(|e| format!("MOTCUA_BENCH_POSTGRES={admin}: {e}"))?;
        // One statement each: several in one string would run as one transaction block,
        // where PostgreSQL refuses DROP and CREATE DATABASE.
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!(
                "CREATE DATABASE {name} TEMPLATE template0 \
                 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
            ),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .map_err(|e| format!("create {name}: {e}"))?;
        }
        let mut url = url::Url::parse(admin).map_err(|e| e.to_string())?;
        url.set_path(&name);
        let started = Instant::now();
        let report = portal::migrate::migrate(sqlite, url.as_str())
            .await
            .map_err(|e| format!("copy into {name}: {e}"))?;
        println!(
            "copied {} rows into PostgreSQL database {name} in {:.0} s",
            report.rows(),
            started.elapsed().as_secs_f64()
        );
        Ok(BenchDatabase {
            admin: admin.to_owned(),
            name,
            url: url.to_string(),
        })
    }

    /// A database made from the template holding the cached SQLite database's copy,
    /// which is made first (through a copy of the cache in `work`) if this cache has
    /// none yet; templates of older caches are dropped then.
    async fn from_template(
        admin: &str,
        cached: &Path,
        work: &Path,
    ) -> Result<BenchDatabase, String> {
        use sqlx::Connection;
        let stem = cached
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("no cache name")?;
        // The cache's name ends with its sources' hash; the template's follows it and
        // PostgreSQL's own migrations.
        let template = format!(
            "motcua_bench_template_{}_{:016x}",
            stem.rsplit('-').next().unwrap_or(stem),
            files_hash(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("src/portal/migrations_pg")])?
        );
        let mut conn = sqlx::PgConnection::connect(admin)
            .await
            .map_err(|e| format!("MOTCUA_BENCH_POSTGRES={admin}: {e}"))?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(&template)
                .fetch_one(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
        if !exists {
            let old: Vec<String> = sqlx::query_scalar(
                "SELECT datname FROM pg_database WHERE datname LIKE 'motcua_bench_template_%'",
            )
            .fetch_all(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
            for name in old {
                let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await;
            }
            // Copied under a building name and renamed when whole, so that an interrupted
            // copy is never taken for a template.
            let sqlite = work.join("portal.sqlite3");
            std::fs::copy(cached, &sqlite)
                .map_err(|e| format!("copy {}: {e}", cached.display()))?;
            let copy = BenchDatabase::copied(admin, &sqlite).await?;
            let _ = std::fs::remove_file(&sqlite);
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "ALTER DATABASE {} RENAME TO {template}",
                copy.name
            )))
            .execute(&mut conn)
            .await
            .map_err(|e| format!("keep {template}: {e}"))?;
        }
        let name = format!("motcua_bench_{}", std::process::id());
        let started = Instant::now();
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name} TEMPLATE {template}"),
        ] {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .map_err(|e| format!("create {name} from {template}: {e}"))?;
        }
        println!(
            "database {name} made from {template} in {:.0} s",
            started.elapsed().as_secs_f64()
        );
        let mut url = url::Url::parse(admin).map_err(|e| e.to_string())?;
        url.set_path(&name);
        Ok(BenchDatabase {
            admin: admin.to_owned(),
            name,
            url: url.to_string(),
        })
    }

    async fn drop_it(self) {
        use sqlx::Connection;
        if let Ok(mut conn) = sqlx::PgConnection::connect(&self.admin).await {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            )))
            .execute(&mut conn)
            .await;
        }
    }
}

/// Office 1's dossier codes (for the detail) and citizens (for creations and searches).
async fn office1(pool: &sqlx::AnyPool) -> Result<(Vec<String>, Vec<(String, String)>), String> {
    let codes: Vec<String> = sqlx::query_scalar(
        "SELECT d.code FROM dossiers d JOIN offices o ON o.id = d.office_id \
         WHERE o.number = 1 ORDER BY d.id",
    )
    .fetch_all(pool)
    .await
    .map_err(|e| e.to_string())?;
    let citizens: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.public_id, c.full_name FROM citizens c JOIN offices o ON o.id = c.office_id \
         WHERE o.number = 1 ORDER BY c.id",
    )
    .fetch_all(pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok((codes, citizens))
}

/// Logs in and drives each scenario in turn; returns the number of failed requests.
async fn scenarios(
    scale: &Scale,
    bases: Vec<String>,
    office1: Vec<String>,
    citizens: Vec<(String, String)>,
) -> Result<usize, String> {
    let total: usize = scale.dossiers.iter().map(|(_, n)| n).sum();
    // Clients ask for gzip, as the API invites; a second client that does not shows
    // what compression costs.
    let client = |gzip: bool| {
        Client::builder()
            .pool_max_idle_per_host(IN_FLIGHT * 2)
            .timeout(Duration::from_secs(30))
            .gzip(gzip)
            .build()
            .map_err(|e| e.to_string())
    };
    let (http, plain) = (client(true)?, client(false)?);
    let base = bases.first().ok_or("no portal to load")?.clone();
    let token = login(&http, &base).await?;
    println!(
        "{total} dossiers, {} in office 1; {IN_FLIGHT} requests in flight, \
         {} s per scenario (at most {} requests); load average before: {}",
        office1.len(),
        scale.phase.as_secs(),
        scale.max_requests,
        load_average()
    );

    let bodies = submissions(&http, &base, &citizens).await?;
    let ctx = Arc::new(Ctx {
        http,
        plain,
        bases,
        turn: AtomicUsize::new(0),
        token,
        searches: searches(&citizens, &office1),
        codes: office1,
        bodies,
    });

    println!("{HEADER}");
    let mut figures = Vec::new();
    let list = Arc::clone(&ctx);
    figures.push(
        scenario(
            "inbox list, first page",
            scale,
            scale.max_requests,
            move |_| {
                let ctx = Arc::clone(&list);
                async move { ctx.get(&ctx.http, "/dossiers?limit=50").await }
            },
        )
        .await
        .with_target(Target::List),
    );
    let plain = Arc::clone(&ctx);
    figures.push(
        scenario(
            "  the same without gzip",
            scale,
            scale.max_requests,
            move |_| {
                let ctx = Arc::clone(&plain);
                async move { ctx.get(&ctx.plain, "/dossiers?limit=50").await }
            },
        )
        .await,
    );
    let queues = Arc::clone(&ctx);
    figures.push(
        scenario(
            "inbox list, queue mix",
            scale,
            scale.max_requests,
            move |n| {
                let ctx = Arc::clone(&queues);
                async move {
                    let queue = QUEUES[n % QUEUES.len()];
                    ctx.get(&ctx.http, &format!("/dossiers?limit=50&queue={queue}"))
                        .await
                }
            },
        )
        .await
        .with_target(Target::List),
    );
    // Searching reads the word index (migration 0023), then the exact rule on what it
    // found: held to a third of the first page's rate, and the list's p99.
    let list_rate = figures[0].rate();
    let search = Arc::clone(&ctx);
    figures.push(
        scenario("list, search ?q=", scale, scale.max_requests, move |n| {
            let ctx = Arc::clone(&search);
            async move {
                let q = &ctx.searches[n % ctx.searches.len()];
                ctx.get(&ctx.http, &format!("/dossiers?limit=50&q={q}"))
                    .await
            }
        })
        .await
        .with_target(Target::Search { list_rate }),
    );
    // The worst a desk can type: one common family name, a word in a third of the
    // office's dossiers, every one of them counted for the total. Figures only.
    let common = Arc::clone(&ctx);
    figures.push(
        scenario("  one common word", scale, scale.max_requests, move |_| {
            let ctx = Arc::clone(&common);
            async move { ctx.get(&ctx.http, "/dossiers?limit=50&q=nguyen").await }
        })
        .await,
    );
    let detail = Arc::clone(&ctx);
    figures.push(
        scenario("dossier detail", scale, scale.max_requests, move |n| {
            let ctx = Arc::clone(&detail);
            async move {
                let code = &ctx.codes[spread(n) % ctx.codes.len()];
                ctx.get(&ctx.http, &format!("/dossiers/{code}")).await
            }
        })
        .await,
    );
    let create = Arc::clone(&ctx);
    figures.push(
        scenario(
            "officer-assisted creation",
            scale,
            scale.max_creations,
            move |n| {
                let ctx = Arc::clone(&create);
                async move { ctx.create(&ctx.bodies[n % ctx.bodies.len()]).await }
            },
        )
        .await
        .with_target(Target::Create),
    );

    println!();
    println!("load average after: {}", load_average());
    println!("{HEADER}");
    for f in &figures {
        println!("{f}");
    }
    let errors: usize = figures.iter().map(|f| f.errors).sum();
    for f in figures.iter().filter(|f| f.errors > 0) {
        println!("{}: first error: {}", f.name, f.first_error);
    }
    Ok(errors)
}

/// What every request of a run shares.
struct Ctx {
    /// Asks for gzip, as clients of the API do.
    http: Client,
    /// Does not.
    plain: Client,
    /// The portal processes' API roots, taken in turn request by request.
    bases: Vec<String>,
    turn: AtomicUsize,
    token: String,
    /// Office 1's dossier codes, for the detail.
    codes: Vec<String>,
    /// What the desk types into the search box, URL-encoded.
    searches: Vec<String>,
    /// Officer-assisted submissions, each valid.
    bodies: Vec<Value>,
}

impl Ctx {
    /// The next portal process's API root.
    fn base(&self) -> &str {
        let turn = self.turn.fetch_add(1, Ordering::Relaxed);
        &self.bases[turn % self.bases.len()]
    }

    /// A GET that must answer 200; the body is read whole, as a client would.
    async fn get(&self, http: &Client, path: &str) -> Result<(), String> {
        let res = http
            .get(format!("{}{path}", self.base()))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| format!("GET {path}: {e}"))?;
        expect(res, StatusCode::OK, path).await
    }

    /// A creation with a fresh idempotency key, which must answer 201.
    async fn create(&self, body: &Value) -> Result<(), String> {
        let res = self
            .http
            .post(format!("{}/dossiers", self.base()))
            .bearer_auth(&self.token)
            .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
            .json(body)
            .send()
            .await
            .map_err(|e| format!("POST /dossiers: {e}"))?;
        expect(res, StatusCode::CREATED, "POST /dossiers").await
    }
}

async fn expect(res: reqwest::Response, want: StatusCode, what: &str) -> Result<(), String> {
    let status = res.status();
    let body = res
        .bytes()
        .await
        .map_err(|e| format!("{what}: reading the body: {e}"))?;
    if status == want {
        Ok(())
    } else {
        Err(format!(
            "{what}: {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        ))
    }
}

async fn login(http: &Client, base: &str) -> Result<String, String> {
    let res = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"username": "tiepnhan1", "password": PASSWORD}))
        .send()
        .await
        .map_err(|e| format!("login: {e}"))?;
    if res.status() != StatusCode::OK {
        return Err(format!("login: {}", res.status()));
    }
    let body: Value = res.json().await.map_err(|e| format!("login: {e}"))?;
    body["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "login: no token".into())
}

/// Valid officer-assisted submissions: the first case of a few catalog procedures, every
/// mandatory part on paper, for office 1's citizens in turn.
async fn submissions(
    http: &Client,
    base: &str,
    citizens: &[(String, String)],
) -> Result<Vec<Value>, String> {
    let fetch = |path: String| async move {
        let res = http
            .get(format!("{base}{path}"))
            .send()
            .await
            .map_err(|e| format!("GET {path}: {e}"))?;
        res.json::<Value>()
            .await
            .map_err(|e| format!("GET {path}: {e}"))
    };
    let catalog = fetch("/procedures".into()).await?;
    let codes: Vec<String> = catalog
        .as_array()
        .or_else(|| catalog["items"].as_array())
        .ok_or("GET /procedures: not a list")?
        .iter()
        .filter_map(|p| p["code"].as_str().map(str::to_owned))
        .take(6)
        .collect();
    let mut bodies = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let detail = fetch(format!("/procedures/{code}")).await?;
        let case = &detail["cases"][0];
        let documents: Vec<Value> = case["documents"]
            .as_array()
            .ok_or_else(|| format!("procedure {code}: no documents"))?
            .iter()
            .filter(|d| d["mandatory"] == true)
            .map(
                |d| json!({"part_id": d["id"], "originals": d["originals"], "copies": d["copies"]}),
            )
            .collect();
        let methods = detail["delivery"].as_array().cloned().unwrap_or_default();
        let method = if methods.iter().any(|m| m == "in_person") {
            json!("in_person")
        } else {
            methods.first().cloned().unwrap_or(json!("in_person"))
        };
        let (citizen, name) = &citizens[i % citizens.len().max(1)];
        bodies.push(json!({
            "procedure_code": code,
            "case_id": case["id"],
            "applicant": {"citizen_id": citizen},
            "submitter": {"full_name": name, "relation": "self"},
            "documents": documents,
            "delivery": {"method": method, "address": "Số 1 đường Hùng Vương, TP. Bến Tre"},
            "declaration_accepted": true
        }));
    }
    if bodies.is_empty() {
        return Err("the catalog has no procedures".into());
    }
    Ok(bodies)
}

/// The queues an officer opens in turn.
const QUEUES: [&str; 6] = [
    "received",
    "in_progress",
    "supplement",
    "overdue",
    "closed",
    "all",
];

/// Searches as the desk types them: citizens' full names (three from across the
/// office's list: each shared by a few people, as at a real desk), a whole code from a
/// receipt, and a code's office-and-day part.
fn searches(citizens: &[(String, String)], codes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = [1, 2, 3]
        .iter()
        .filter_map(|quarter| citizens.get(citizens.len() * quarter / 4))
        .map(|(_, name)| urlencode(name))
        .collect();
    if let Some(code) = codes.get(codes.len() / 2) {
        out.push(urlencode(code));
        out.push(urlencode(&code[..code.len() - 5]));
    }
    out
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A fixed scatter of request numbers over the codes, so the detail reads all over the
/// table rather than walking it in order.
fn spread(n: usize) -> usize {
    (n as u64)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .rotate_left(17) as usize
}

/// Targets of the portal issue, on a 2-core machine.
#[derive(Clone, Copy)]
enum Target {
    List,
    /// A third of the list's first page's rate, measured in the same run.
    Search {
        list_rate: f64,
    },
    Create,
}

impl Target {
    fn text(self) -> String {
        match self {
            Target::List => "≥ 2000/s, p99 ≤ 50 ms".into(),
            Target::Search { list_rate } => {
                format!("≥ {:.0}/s (list/3), p99 ≤ 50 ms", list_rate / 3.0)
            }
            Target::Create => "≥ 300/s".into(),
        }
    }

    fn met(self, f: &Figures) -> bool {
        match self {
            Target::List => f.rate() >= 2000.0 && f.p99 <= Duration::from_millis(50),
            Target::Search { list_rate } => {
                f.rate() >= list_rate / 3.0 && f.p99 <= Duration::from_millis(50)
            }
            Target::Create => f.rate() >= 300.0,
        }
    }
}

/// What one scenario measured.
struct Figures {
    name: &'static str,
    requests: usize,
    errors: usize,
    first_error: String,
    elapsed: Duration,
    /// CPU time the portal (its runtime and database threads) and the load clients
    /// used per request, when known.
    cpu_per_request: Option<Cpu>,
    /// The share of the machine's CPU (all cores) that other processes used meanwhile.
    others: Option<f64>,
    p50: Duration,
    p99: Duration,
    target: Option<Target>,
}

impl Figures {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn with_target(mut self, target: Target) -> Figures {
        self.target = Some(target);
        self
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let (server, client) = match self.cpu_per_request {
            Some(cpu) => (
                format!("{:.2}", ms(cpu.server)),
                format!("{:.2}", ms(cpu.clients)),
            ),
            None => ("-".into(), "-".into()),
        };
        let others = match self.others {
            Some(share) => format!("{:.0} %", share * 100.0),
            None => "-".into(),
        };
        write!(
            f,
            "{:<28} {:>8} {:>8.0} {:>8.2} {:>8.2} {:>7} {:>7} {:>7} {:>7}",
            self.name,
            self.requests,
            self.rate(),
            ms(self.p50),
            ms(self.p99),
            server,
            client,
            others,
            self.errors
        )?;
        if let Some(target) = self.target {
            let verdict = if target.met(self) { "PASS" } else { "MISS" };
            write!(f, "  {:<22} {verdict}", target.text())?;
        }
        Ok(())
    }
}

/// The table's heading; the two CPU columns are milliseconds per request, "others" the
/// share of the machine's CPU that other processes used during the scenario.
const HEADER: &str = "scenario                     requests    req/s   p50 ms   p99 ms  server  client  others  errors  target\n\
    \x20                                                          CPU ms per request";

/// Sends requests made by `request(n)` from [`IN_FLIGHT`] concurrent clients until the
/// phase's time is up or `cap` requests have been sent, after a short warm-up (page cache,
/// connections, prepared statements) that is not counted.
async fn scenario<F, Fut>(name: &'static str, scale: &Scale, cap: usize, request: F) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let request = Arc::new(request);
    let warm_up = (IN_FLIGHT * 4).min(cap / 10);
    let _ = drive(&request, warm_up, Duration::from_secs(5), 0).await;
    let (cpu_before, machine_before) = (thread_cpu(), machine_busy());
    let (latencies, errors, first_error, elapsed) =
        drive(&request, cap - warm_up, scale.phase, warm_up).await;
    let cpu = thread_cpu().zip(cpu_before).map(|(after, before)| Cpu {
        server: after.server.saturating_sub(before.server),
        clients: after.clients.saturating_sub(before.clients),
    });
    let others = machine_busy()
        .zip(machine_before)
        .zip(cpu)
        .map(|((after, before), ours)| {
            let theirs = after
                .saturating_sub(before)
                .saturating_sub(ours.server + ours.clients);
            theirs.as_secs_f64() / (elapsed.as_secs_f64() * cores()).max(1e-9)
        });
    let mut sorted = latencies;
    sorted.sort_unstable();
    let at = |p: usize| {
        sorted
            .get((sorted.len() * p / 100).min(sorted.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let figures = Figures {
        name,
        requests: sorted.len(),
        errors,
        first_error,
        elapsed,
        cpu_per_request: cpu.filter(|_| !sorted.is_empty()).map(|c| Cpu {
            server: c.server / sorted.len() as u32,
            clients: c.clients / sorted.len() as u32,
        }),
        others,
        p50: at(50),
        p99: at(99),
        target: None,
    };

    println!("{figures}");
    figures
}

/// CPU time, split between the portal and the load clients.
#[derive(Clone, Copy)]
struct Cpu {
    server: Duration,
    clients: Duration,
}

/// User and system time of this process's threads so far, from `/proc/self/task/*/stat`
/// (Linux; `None` elsewhere): the portal's runtime and database threads, and the rest.
/// Counted in clock ticks of 10 ms, plenty over a scenario of seconds.
fn thread_cpu() -> Option<Cpu> {
    let mut cpu = Cpu {
        server: Duration::ZERO,
        clients: Duration::ZERO,
    };
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        // A thread that ended meanwhile is simply not counted.
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue;
        };
        // The name is in parentheses and may hold spaces; after it, state is field 3,
        // utime 14 and stime 15.
        let (head, tail) = stat.rsplit_once(')')?;
        let name = head.split_once('(')?.1;
        let fields: Vec<&str> = tail.split_whitespace().collect();
        let ticks: u64 =
            fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        let time = Duration::from_millis(ticks * 10);
        if name.starts_with(SERVER_THREADS) || name.starts_with(DATABASE_THREADS) {
            cpu.server += time;
        } else {
            cpu.clients += time;
        }
    }
    Some(cpu)
}

/// CPU time the whole machine has been busy (every core, every process) since boot,
/// from the first line of `/proc/stat` (Linux; `None` elsewhere): user, nice, system,
/// irq, softirq and steal, in clock ticks of 10 ms.
fn machine_busy() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal: all but idle and iowait.
    let busy: u64 = [0, 1, 2, 5, 6, 7]
        .iter()
        .map(|&i| fields.get(i).copied().unwrap_or(0))
        .sum();
    Some(Duration::from_millis(busy * 10))
}

/// How many cores the machine has, to turn CPU time into a share.
fn cores() -> f64 {
    std::thread::available_parallelism().map_or(1.0, |n| n.get() as f64)
}

/// The machine's 1-minute load average, to read the rates by: other work on these two
/// cores takes its share.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

type Driven = (Vec<Duration>, usize, String, Duration);

/// Runs up to `cap` requests (numbered from `first`) for at most `time`.
async fn drive<F, Fut>(request: &Arc<F>, cap: usize, time: Duration, first: usize) -> Driven
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let issued = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(Mutex::new(String::new()));
    let start = Instant::now();
    let deadline = start + time;
    let mut clients = Vec::new();
    for _ in 0..IN_FLIGHT {
        let (request, issued, first_error) = (
            Arc::clone(request),
            Arc::clone(&issued),
            Arc::clone(&first_error),
        );
        clients.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            loop {
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if n >= cap || Instant::now() >= deadline {
                    break;
                }
                let t = Instant::now();
                match request(first + n).await {
                    Ok(()) => latencies.push(t.elapsed()),
                    Err(e) => {
                        errors += 1;
                        let mut slot = first_error.lock().unwrap_or_else(|p| p.into_inner());
                        if slot.is_empty() {
                            *slot = e;
                        }
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for client in clients {
        match client.await {
            Ok((l, e)) => {
                latencies.extend(l);
                errors += e;
            }
            Err(e) => {
                errors += 1;
                *first_error.lock().unwrap_or_else(|p| p.into_inner()) = e.to_string();
            }
        }
    }
    let elapsed = start.elapsed();
    let first_error = first_error
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    (latencies, errors, first_error, elapsed)
}

/// The cached database of this scale, built first if it is not there yet.
async fn cached_database(scale: &Scale) -> Result<PathBuf, String> {
    let total: usize = scale.dossiers.iter().map(|(_, n)| n).sum();
    let dir = target_dir().join("bench-data");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!(
        "portal-load-{total}-{:016x}.sqlite3",
        sources_hash()?
    ));
    if path.exists() {
        println!("database: {} (cached)", path.display());
        return Ok(path);
    }
    let started = Instant::now();
    // Built beside the cache and renamed into place when whole: an interrupted build
    // leaves no half-filled file to be taken for a good one.
    let building = tempfile::Builder::new()
        .prefix(".building-")
        .tempdir_in(&dir)
        .map_err(|e| e.to_string())?;
    let db = building.path().join("portal.sqlite3");
    let state = portal::prepare(&portal::Options {
        bind: "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?,
        db: db.clone().into(),
        calendar: Calendar::default(),
        seed: Seed::Accounts,
        settings: Settings::default(),
        clock: Default::default(),
    })
    .await
    .map_err(|e| e.to_string())?;
    let last_office = scale.dossiers.iter().map(|(n, _)| *n).max().unwrap_or(1);
    bulk::offices(&state, last_office)
        .await
        .map_err(|e| format!("offices: {e}"))?;
    for &(office, count) in &scale.dossiers {
        let t = Instant::now();
        bulk::desk_citizens(&state, office, count / DOSSIERS_PER_CITIZEN)
            .await
            .map_err(|e| format!("office {office}: {e}"))?;
        bulk::desk_dossiers(&state, office, count)
            .await
            .map_err(|e| format!("office {office}: {e}"))?;
        println!(
            "  office {office}: {count} dossiers in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    // Closing the last connection checkpoints the WAL into the file and removes it, so
    // the one file is the whole database.
    state.db.close().await;
    std::fs::rename(&db, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    // Databases of this size built from older sources are of no more use.
    let prefix = format!("portal-load-{total}-");
    for entry in std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && entry.path() != path {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    println!(
        "database: {total} dossiers built in {:.1} s, cached as {}",
        started.elapsed().as_secs_f64(),
        path.display()
    );
    Ok(path)
}

/// Where cargo builds: the cache lives there, so `cargo clean` removes it.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// A hash of what decides the cached rows: the schema, the seed data, the bulk loader
/// and [`DB_VERSION`]. A change to any of them builds a new database.
fn sources_hash() -> Result<u64, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/portal");
    let files: Vec<PathBuf> = [
        "seed/procedures.toml",
        "seed/demo.toml",
        "bulk.rs",
        "bulk/people.rs",
        "migrations",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    files_hash(&files)
}

/// A hash of [`DB_VERSION`] and the files named (a directory: every file in it, in
/// name order), by name and content.
fn files_hash(paths: &[PathBuf]) -> Result<u64, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut listed: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            listed.sort();
            files.extend(listed);
        } else {
            files.push(path.clone());
        }
    }
    // FNV-1a: stable across runs and Rust versions, unlike the std hasher's seed.
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    hash.write_u32(DB_VERSION);
    for file in files {
        let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        hash.write(
            file.file_name()
                .map(|n| n.as_encoded_bytes())
                .unwrap_or(&[]),
        );
        hash.write(&bytes);
    }
    Ok(hash.finish())
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}
