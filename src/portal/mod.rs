//! The reference portal: the API of `docs/api.md` over HTTP (axum) on a real database
//! (SQLite). `motcua serve` runs it; training and the tests start it in-process with
//! [`start`] and talk to it over loopback like any other portal.

pub mod audit;
pub mod auth;
pub mod backup;
pub mod bulk;
pub mod clock;
mod connections;
pub mod db;
pub mod dossier_store;
pub mod error;
pub mod forwarded;
pub mod idempotency;
pub mod json;
pub mod migrate;
pub mod negotiate;
pub mod notify;
pub mod openapi;
pub mod passwords;
pub mod ranges;
pub mod routes;
pub mod search;
pub mod seed;
pub mod service;
pub mod state;
pub mod throttle;
pub mod web;

use crate::api::BASE_PATH;
use crate::domain::calendar::Calendar;
use axum::Router;
use axum::routing::{get, post, put};
use clock::Clock;
use state::{AppState, Settings};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The largest JSON body accepted, after decompression.
const JSON_LIMIT: usize = 1024 * 1024;

/// How to run a portal.
#[derive(Debug, Clone)]
pub struct Options {
    pub bind: SocketAddr,
    pub db: db::Database,
    pub calendar: Calendar,
    /// What to fill an empty database with, beyond the catalog.
    pub seed: Seed,
    pub settings: Settings,
    /// What "now" is: the system's clock, or one started at a chosen instant (`--now`,
    /// tests). Seeding reads it too, so demo dossiers are due around that instant.
    pub clock: Clock,
}

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("database {database}: {source}")]
    Database {
        database: db::Database,
        source: sqlx::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("seed: {0}")]
    Seed(#[from] seed::SeedError),
    #[error("server: {0}")]
    Serve(std::io::Error),
    #[error("notifications: {0}")]
    Notify(String),
}

/// What a new database is filled with (the sample catalog is always loaded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Nothing more: a real deployment, whose first account is made with
    /// `--create-admin`.
    None,
    /// The demo offices, staff and citizens, without dossiers (what most tests want).
    Accounts,
    /// Accounts and a few hundred dossiers in every status (`--seed demo`, training).
    Demo,
}

/// Where the portal keeps its database when no `--db` is given.
pub fn default_db_path() -> PathBuf {
    directories::ProjectDirs::from("vn", "motcua", "motcua")
        .map(|d| d.data_dir().join("portal.sqlite3"))
        .unwrap_or_else(|| PathBuf::from("motcua-portal.sqlite3"))
}

/// Opens the database and builds the shared state (without listening).
pub async fn prepare(options: &Options) -> Result<AppState, PortalError> {
    let pool = db::open(&options.db)
        .await
        .map_err(|source| PortalError::Database {
            database: options.db.clone(),
            source,
        })?;
    let clock = options.clock.clone();
    let settings = &options.settings;
    let passwords = Arc::new(passwords::Passwords::new(
        settings.hash_concurrency,
        settings.hash_queue,
        settings.hash_wait,
    ));
    seed::catalog_if_empty(&pool).await?;
    if options.seed != Seed::None {
        seed::demo(&pool, &passwords, &clock.now().to_rfc3339()).await?;
    }
    let notifier =
        notify::Notifier::new(pool.clone(), clock.clone(), options.settings.notify.clone())
            .map_err(PortalError::Notify)?;
    let throttle = Arc::new(throttle::Throttle::for_engine(
        options.db.engine(),
        &pool,
        settings.throttle_keys_max,
    ));
    let state =
        AppState {
            notifier: Arc::new(notifier),
            db: pool,
            calendar: Arc::new(options.calendar.clone()),
            clock,
            settings: Arc::new(options.settings.clone()),
            throttle,
            passwords,
            in_flight: Arc::default(),
            unit_codes: Arc::default(),
            files_dir: options.db.files_dir(),
            upload_writers: Arc::default(),
            upload_locks: match &options.db {
                db::Database::Postgres { url, .. } => {
                    let pool = db::upload_lock_pool(url, options.settings.upload_lock_wait);
                    Some(pool.map_err(|source| PortalError::Database {
                        database: options.db.clone(),
                        source,
                    })?)
                }
                db::Database::Sqlite(_) => None,
            },
            search_db: match &options.db {
                db::Database::Postgres { url, .. } => Some(db::search_pool(url).map_err(
                    |source| PortalError::Database {
                        database: options.db.clone(),
                        source,
                    },
                )?),
                db::Database::Sqlite(_) => None,
            },
        };
    if options.seed == Seed::Demo {
        seed::demo_dossiers(&state).await?;
        routes::training::mark_journal_start(&state.db)
            .await
            .map_err(seed::SeedError::from)?;
    }
    Ok(state)
}

/// Every route of the API.
pub fn router(state: AppState) -> Router {
    use routes::{
        calendar, catalog, certifications, citizen_side, citizens, code_leases, documents,
        dossiers, fee_orders, forms, health, payments, registers, results, stats, training,
    };
    let api = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/openapi.json", get(openapi::serve))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/password", post(auth::change_password))
        .route("/me", get(auth::me))
        .route("/offices", get(catalog::offices))
        .route("/procedures", get(catalog::procedures))
        .route("/procedures/{code}", get(catalog::procedure))
        .route("/calendar/due", get(calendar::due))
        .route("/calendar/{year}", get(calendar::year))
        .route("/dossiers", get(dossiers::list).post(dossiers::create))
        .route("/dossiers/changes", get(dossiers::changes))
        .route(
            "/code-leases",
            get(code_leases::list).post(code_leases::create),
        )
        .route("/code-leases/{id}/release", post(code_leases::release))
        .route("/dossiers/{code}", get(dossiers::detail))
        .route("/dossiers/{code}/actions", post(dossiers::act))
        .route("/dossiers/{code}/history", get(dossiers::history))
        .route("/dossiers/{code}/rating", post(results::rate))
        .route(
            "/dossiers/{code}/notifications",
            get(results::notifications),
        )
        .route(
            "/dossiers/{code}/attachments/{id}",
            get(dossiers::attachment),
        )
        .route(
            "/citizen/dossiers",
            get(citizen_side::own).post(citizen_side::submit),
        )
        .route(
            "/citizen/dossiers/{code}/supplement",
            post(citizen_side::supplement),
        )
        .route("/public/dossiers/{code}", get(citizen_side::lookup))
        .route("/citizens", get(citizens::list).post(citizens::create))
        .route("/citizens/{id}", get(citizens::detail))
        .route(
            "/citizens/{id}/activation",
            post(citizens::issue_activation),
        )
        .route("/citizen/activate", post(citizens::activate))
        .route("/dossiers/{code}/payment", get(payments::show))
        .route("/dossiers/{code}/payment/cash", post(payments::cash))
        .route("/payments/notify", post(payments::notify))
        .route("/dossiers/{code}/forms/{form}", get(forms::form))
        .route("/registers/dossiers", get(registers::dossiers))
        .route("/stats", get(stats::stats))
        .route(
            "/certifications",
            get(certifications::list).post(certifications::create),
        )
        .route("/certifications/fee-orders", post(fee_orders::create))
        .route(
            "/certifications/fee-orders/{reference}",
            get(fee_orders::show),
        )
        .route(
            "/certifications/{id}/forms/certificate",
            get(certifications::certificate_form),
        )
        // Issue 16: digitization, the citizen's store, result files.
        .route(
            "/dossiers/{code}/documents/{part_id}/digitization",
            put(documents::digitize),
        )
        .route(
            "/dossiers/{code}/result-files",
            post(documents::result_file),
        )
        .route(
            "/citizens/{id}/documents",
            get(documents::citizen_documents),
        )
        .route(
            "/citizens/{id}/documents/{doc_id}",
            get(documents::citizen_document_file),
        )
        .route("/training/journal", get(training::journal))
        .route(
            "/training/vietqr-shown/{code}",
            post(payments::vietqr_shown),
        );
    Router::new()
        .nest(BASE_PATH, with_uploads(api))
        .merge(openapi::docs())
        .merge(web::routes())
        .fallback(web::fallback)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            forwarded::real_client,
        ))
        .layer(axum::middleware::from_fn(error::localize))
        .layer(axum::middleware::map_response_with_state(
            state,
            portal_date,
        ))
        .layer(RequestDecompressionLayer::new())
        // The fastest level: JSON lists compress to a fraction at any level, and the
        // default level's CPU cost a fifth of the inbox list's throughput.
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Fastest)
                .compress_when(DefaultPredicate::new().and(offers_no_ranges)),
        )
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(TraceLayer::new_for_http())
}

/// Whether an answer may be compressed: not a file offered by byte ranges (an
/// attachment), whose ranges count the file's own bytes; a compressed answer would also
/// lose `Accept-Ranges` and could not be resumed. Scans and photos do not compress anyway.
fn offers_no_ranges(
    _: axum::http::StatusCode,
    _: axum::http::Version,
    headers: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    !headers.contains_key(axum::http::header::ACCEPT_RANGES)
}

/// Every answer's `Date` is the portal's clock, not the machine's: a client counting
/// down to a due time counts from the clock that due time was computed on (and a portal
/// started with `--now` is seen at that time). hyper adds `Date` only when none is set.
/// Every answer also says `X-Content-Type-Options: nosniff`: a browser shown a stored
/// file (or any answer) takes it as the type it is sent as, never as HTML it guessed.
async fn portal_date(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut response: axum::response::Response,
) -> axum::response::Response {
    if let Ok(value) =
        axum::http::HeaderValue::from_str(&crate::clock::http_date(state.clock.now()))
    {
        response
            .headers_mut()
            .insert(axum::http::header::DATE, value);
    }
    response.headers_mut().insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        axum::http::HeaderValue::from_static("nosniff"),
    );
    response
}

/// Adds the upload routes and sets the body limits: the JSON limit on every route but
/// the upload chunks, which their handler streams to disk and limits itself. The JSON
/// limit cannot sit on the whole app, because an inner limit cannot raise an outer one.
fn with_uploads(api: Router<AppState>) -> Router<AppState> {
    use routes::uploads;
    api.route("/uploads", post(uploads::create))
        .layer(RequestBodyLimitLayer::new(JSON_LIMIT))
        .merge(uploads::chunk_routes())
}

/// A running portal.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    /// The notification worker; stopped with the server.
    notifier: JoinHandle<()>,
}

impl Running {
    /// Stops accepting, lets in-flight requests finish, and waits.
    pub async fn shutdown(mut self) -> Result<(), PortalError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // A notice being sent is left claimed; the lease gives it to the next start.
        self.notifier.abort();
        match self.task.await {
            Ok(result) => result.map_err(PortalError::Serve),
            Err(e) => Err(PortalError::Serve(std::io::Error::other(e))),
        }
    }
}

/// Starts a portal in this process (port 0 picks a free port).
pub async fn start(options: Options) -> Result<Running, PortalError> {
    let state = prepare(&options).await?;
    let listener = TcpListener::bind(options.bind)
        .await
        .map_err(|source| PortalError::Bind {
            addr: options.bind,
            source,
        })?;
    let addr = listener.local_addr().map_err(PortalError::Serve)?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(state.clone());
    let limits = connections::Limits {
        header_read_timeout: options.settings.header_read_timeout,
        per_address: options.settings.max_connections_per_address,
        uncapped: options.settings.trusted_proxies.clone().into(),
    };
    let task = tokio::spawn(connections::serve(listener, app, limits, async {
        let _ = stopped.await;
    }));
    let notifier = tokio::spawn(Arc::clone(&state.notifier).run());
    Ok(Running {
        addr,
        state,
        stop: Some(stop),
        task,
        notifier,
    })
}

/// `motcua serve`: runs until Ctrl-C or SIGTERM, then drains in-flight requests.
pub async fn serve(options: Options) -> Result<(), PortalError> {
    let running = start(options.clone()).await?;
    tracing::info!(
        "motcua portal listening on http://{}{BASE_PATH} (database {}); citizen pages at http://{}/",
        running.addr,
        options.db,
        running.addr
    );
    shutdown_signal().await;
    tracing::info!("shutting down: finishing requests in flight");
    running.shutdown().await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
