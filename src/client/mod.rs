//! `PortalClient`: the TUI's only way to the portal, over HTTP, with the wire types of
//! `crate::api`. One shared `reqwest::Client` (connection pool, gzip), connect and read
//! timeouts, the bearer token, `Accept-Language`, and the round-trip time of every
//! request for the status bar. Cheap to clone: tasks each hold one.

mod certifications;
pub mod citizen_cache;
mod citizen_side;
mod documents;
pub mod download;
pub use citizen_side::JOURNAL_PAGE;
pub mod doctor;
mod error;
pub mod leases;
pub mod outbox;
pub mod token_store;

pub use download::{DownloadProgress, Downloaded};
pub use error::ClientError;

use crate::api::Page;
use crate::api::auth::{LoginRequest, LoginResponse, Me};
use crate::api::catalog::{ProcedureDetail, ProcedureSummary};
use crate::api::citizens::{Activation, Citizen, CitizenCreated, CitizenDetail, NewCitizen};
use crate::api::dossiers::{ActionRequest, Changes, Dossier, DossierSummary, HistoryEntry};
use crate::api::dossiers::{CreateDossier, Presented};
use crate::api::error::ErrorBody;
use crate::api::headers::{CHANGES_SEQ, NO_EXTEND};
use crate::api::payments::{CashPayment, Payment};
use crate::api::stats::Stats;
use crate::api::uploads::{CreateUpload, FileType, MAX_UPLOAD_SIZE, UploadCreated};
use crate::domain::Lang;
use crate::domain::status::{Queue, Status};
use reqwest::header::{
    ACCEPT, ACCEPT_LANGUAGE, ETAG, HeaderMap, IF_MATCH, IF_NONE_MATCH, RETRY_AFTER,
};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The months of indices the statistics pane charts: this one and the twelve before.
pub const STATS_MONTHS: u32 = 13;

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// `GET /dossiers` filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DossierQuery {
    pub queue: Option<Queue>,
    pub status: Option<Status>,
    pub q: Option<String>,
    pub procedure: Option<String>,
    pub overdue: Option<bool>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// An upload as it goes: bytes the portal has of the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    pub sent: u64,
    pub total: u64,
}

/// A file the portal has received whole and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    pub id: String,
    pub size: u64,
    pub content_type: String,
}

/// The smallest and largest chunk of an upload; the size in between follows the link.
pub const MIN_CHUNK: usize = 64 * 1024;
pub const MAX_CHUNK: usize = 4 * 1024 * 1024;
/// What one chunk should take on the wire: long enough that a round trip is a small
/// part of it, short enough that a cut loses little.
const CHUNK_SECONDS: f64 = 2.0;

/// What the delta feed answered.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangesOutcome {
    Changes(Changes),
    /// 410: the position is too old; load everything again.
    Expired,
}

#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base: String,
    lang: Lang,
    read_timeout: Duration,
    cache_dir: Option<std::path::PathBuf>,
    clock: crate::clock::Clock,
}

impl ClientBuilder {
    pub fn lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Keeps the catalog on disk here, so that a new session revalidates it (a 304 of a
    /// few hundred bytes) instead of downloading it again.
    pub fn cache_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.cache_dir = Some(dir);
        self
    }

    /// The clock this client keeps in step with the portal's (from each answer's `Date`
    /// header); share it with whatever counts down to the portal's due times.
    pub fn clock(mut self, clock: crate::clock::Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn build(self) -> Result<PortalClient, ClientError> {
        let base = self.base.trim_end_matches('/').to_owned();
        if reqwest::Url::parse(&base).is_err() || !base.starts_with("http") {
            return Err(ClientError::BadUrl(base));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(self.read_timeout)
            .gzip(true)
            .user_agent(concat!("motcua/", env!("CARGO_PKG_VERSION")))
            // An idle socket the portal or a middlebox has dropped fails the next request
            // on a slow link: do not keep idle ones long.
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ClientError::BadUrl(e.to_string()))?;
        Ok(PortalClient {
            inner: Arc::new(Inner {
                http,
                base,
                lang: self.lang,
                token: Mutex::new(None),
                last_rtt_us: AtomicU64::new(u64::MAX),
                reached: AtomicU8::new(UNKNOWN),
                details: Mutex::new(HashMap::new()),
                catalog: Mutex::new(None),
                cache_dir: self.cache_dir,
                procedures: Mutex::new(HashMap::new()),
                clock: self.clock,
            }),
        })
    }
}

const UNKNOWN: u8 = 0;
const REACHED: u8 = 1;
const UNREACHED: u8 = 2;

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base: String,
    lang: Lang,
    token: Mutex<Option<String>>,
    last_rtt_us: AtomicU64,
    reached: AtomicU8,
    /// The last full dossier per code with its ETag: a detail that has not changed costs
    /// a 304 and no body.
    details: Mutex<HashMap<String, (String, Dossier)>>,
    /// The catalog and each procedure with their ETags, for the same reason.
    catalog: Mutex<Option<(String, Vec<ProcedureSummary>)>>,
    cache_dir: Option<std::path::PathBuf>,
    procedures: Mutex<HashMap<String, (String, ProcedureDetail)>>,
    clock: crate::clock::Clock,
}

#[derive(Debug, Clone)]
pub struct PortalClient {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl PortalClient {
    /// A client for the API at `base` (e.g. `http://127.0.0.1:8080/api/v1`).
    pub fn builder(base: &str) -> ClientBuilder {
        ClientBuilder {
            base: base.to_owned(),
            lang: Lang::Vi,
            read_timeout: READ_TIMEOUT,
            cache_dir: None,
            clock: crate::clock::Clock::system(),
        }
    }

    pub fn base(&self) -> &str {
        &self.inner.base
    }

    pub fn set_token(&self, token: Option<String>) {
        *lock(&self.inner.token) = token;
    }

    pub fn token(&self) -> Option<String> {
        lock(&self.inner.token).clone()
    }

    /// The portal's time, as its last answer told it (the system's before any answer).
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.inner.clock
    }

    /// The round-trip time of the last request that got an answer.
    pub fn last_rtt(&self) -> Option<Duration> {
        match self.inner.last_rtt_us.load(Ordering::Relaxed) {
            u64::MAX => None,
            us => Some(Duration::from_micros(us)),
        }
    }

    /// Whether the last request reached the portal (`None` before the first).
    pub fn online(&self) -> Option<bool> {
        match self.inner.reached.load(Ordering::Relaxed) {
            REACHED => Some(true),
            UNREACHED => Some(false),
            _ => None,
        }
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let lang = match self.inner.lang {
            Lang::Vi => "vi",
            Lang::En => "en",
        };
        let mut rb = self
            .inner
            .http
            .request(method, format!("{}{path}", self.inner.base))
            .header(ACCEPT_LANGUAGE, lang);
        if let Some(token) = self.token() {
            rb = rb.bearer_auth(token);
        }
        rb
    }

    /// Sends, times the round trip, and turns error answers into `ClientError`s.
    async fn send(&self, rb: RequestBuilder) -> Result<Response, ClientError> {
        let start = Instant::now();
        match rb.send().await {
            Ok(res) => {
                self.inner
                    .last_rtt_us
                    .store(start.elapsed().as_micros() as u64, Ordering::Relaxed);
                self.inner.reached.store(REACHED, Ordering::Relaxed);
                if let Some(date) = res.headers().get(reqwest::header::DATE)
                    && let Ok(date) = date.to_str()
                {
                    let in_transit =
                        chrono::TimeDelta::from_std(start.elapsed() / 2).unwrap_or_default();
                    self.inner.clock.follow(date, in_transit);
                }
                if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
                    Ok(res)
                } else {
                    Err(error_from(res).await)
                }
            }
            Err(e) => {
                let e = ClientError::from(e);
                if e.is_offline() {
                    self.inner.reached.store(UNREACHED, Ordering::Relaxed);
                }
                Err(e)
            }
        }
    }

    async fn json<T: DeserializeOwned>(&self, rb: RequestBuilder) -> Result<T, ClientError> {
        let res = self.send(rb.header(ACCEPT, "application/json")).await?;
        let bytes = res.bytes().await?;
        decode(&bytes).map_err(|e| ClientError::Decode(e.to_string()))
    }

    pub async fn health(&self) -> Result<crate::api::Health, ClientError> {
        self.json(self.request(Method::GET, "/healthz")).await
    }

    /// Logs in; on success the client holds the token.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
    ) -> Result<LoginResponse, ClientError> {
        let body = LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        };
        let response: LoginResponse = self
            .json(with_body(self.request(Method::POST, "/auth/login"), &body))
            .await?;
        self.set_token(Some(response.token.clone()));
        Ok(response)
    }

    /// Revokes the token on the portal and forgets it here (even when the portal is
    /// unreachable: the token dies by its timeouts anyway).
    pub async fn logout(&self) -> Result<(), ClientError> {
        let result = self.send(self.request(Method::POST, "/auth/logout")).await;
        self.set_token(None);
        lock(&self.inner.details).clear();
        result.map(|_| ())
    }

    pub async fn me(&self) -> Result<Me, ClientError> {
        self.json(self.request(Method::GET, "/me")).await
    }

    pub async fn dossiers(
        &self,
        query: &DossierQuery,
    ) -> Result<Page<DossierSummary>, ClientError> {
        Ok(self.dossiers_and_seq(query).await?.0)
    }

    /// A page of the inbox and the delta feed's position read before its rows
    /// (`X-Changes-Seq`; `None` from a portal that does not send it): what a first screen
    /// needs, in one round trip.
    pub async fn dossiers_and_seq(
        &self,
        query: &DossierQuery,
    ) -> Result<(Page<DossierSummary>, Option<i64>), ClientError> {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(q) = query.queue {
            params.push(("queue", q.as_str().to_owned()));
        }
        if let Some(s) = query.status {
            params.push(("status", s.as_str().to_owned()));
        }
        if let Some(q) = &query.q {
            params.push(("q", q.clone()));
        }
        if let Some(p) = &query.procedure {
            params.push(("procedure", p.clone()));
        }
        if let Some(o) = query.overdue {
            params.push(("overdue", o.to_string()));
        }
        if let Some(l) = query.limit {
            params.push(("limit", l.to_string()));
        }
        if let Some(c) = &query.cursor {
            params.push(("cursor", c.clone()));
        }
        let rb = self.request(Method::GET, "/dossiers").query(&params);
        let res = self.send(rb.header(ACCEPT, "application/json")).await?;
        let seq = header(res.headers(), CHANGES_SEQ).and_then(|s| s.parse().ok());
        let bytes = res.bytes().await?;
        let page = decode(&bytes).map_err(|e| ClientError::Decode(e.to_string()))?;
        Ok((page, seq))
    }

    /// Every page of a queue, up to `max_pages` pages of 500.
    pub async fn all_dossiers(
        &self,
        queue: Queue,
        max_pages: usize,
    ) -> Result<Vec<DossierSummary>, ClientError> {
        let mut items = Vec::new();
        let mut cursor = None;
        for _ in 0..max_pages {
            let page = self
                .dossiers(&DossierQuery {
                    queue: Some(queue),
                    limit: Some(500),
                    cursor: cursor.take(),
                    ..DossierQuery::default()
                })
                .await?;
            items.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        Ok(items)
    }

    /// The delta feed after `since` (`None`: just the current position). Background polls
    /// send `X-No-Extend` so an unattended screen still logs out on time.
    pub async fn changes(
        &self,
        since: Option<i64>,
        background: bool,
    ) -> Result<ChangesOutcome, ClientError> {
        let mut rb = self.request(Method::GET, "/dossiers/changes");
        if let Some(since) = since {
            rb = rb.query(&[("since", since)]);
        }
        if background {
            rb = rb.header(NO_EXTEND, "1");
        }
        match self.json::<Changes>(rb).await {
            Ok(changes) => Ok(ChangesOutcome::Changes(changes)),
            Err(ClientError::Api { status: 410, .. }) => Ok(ChangesOutcome::Expired),
            Err(e) => Err(e),
        }
    }

    /// The full dossier; answered from the cache when the portal says 304.
    pub async fn dossier(&self, code: &str) -> Result<Dossier, ClientError> {
        let mut rb = self.request(Method::GET, &format!("/dossiers/{}", segment(code)));
        let cached = lock(&self.inner.details).get(code).cloned();
        if let Some((etag, _)) = &cached {
            rb = rb.header(IF_NONE_MATCH, etag);
        }
        let res = self.send(rb.header(ACCEPT, "application/json")).await?;
        if res.status() == StatusCode::NOT_MODIFIED {
            return cached
                .map(|(_, d)| d)
                .ok_or_else(|| ClientError::Decode("304 without a cached copy".into()));
        }
        let etag = header(res.headers(), ETAG);
        let bytes = res.bytes().await?;
        let dossier: Dossier = decode(&bytes).map_err(|e| ClientError::Decode(e.to_string()))?;
        if let Some(etag) = etag {
            lock(&self.inner.details).insert(code.to_owned(), (etag, dossier.clone()));
        }
        Ok(dossier)
    }

    /// An action on a dossier at `version` (`If-Match`). A 412 carries the current dossier.
    pub async fn act(
        &self,
        code: &str,
        version: i64,
        action: &ActionRequest,
    ) -> Result<Dossier, ClientError> {
        let rb = self
            .request(
                Method::POST,
                &format!("/dossiers/{}/actions", segment(code)),
            )
            .header(IF_MATCH, format!("\"{version}\""));
        let rb = with_body(rb, action);
        self.json(rb).await
    }

    pub async fn history(&self, code: &str) -> Result<Vec<HistoryEntry>, ClientError> {
        self.json(self.request(Method::GET, &format!("/dossiers/{}/history", segment(code))))
            .await
    }

    /// A form (`receipt`, `supplement`, `refusal`, `apology`, `control_sheet`) as text.
    pub async fn form(&self, code: &str, form: &str) -> Result<String, ClientError> {
        let rb = self
            .request(
                Method::GET,
                &format!("/dossiers/{}/forms/{}", segment(code), segment(form)),
            )
            .header(ACCEPT, "text/plain");
        let res = self.send(rb).await?;
        Ok(res.text().await?)
    }

    /// A form as the portal prints it: an A4 PDF, in the set of the dossier's received
    /// day; with the set's circular (the `Form-Set` header).
    pub async fn form_pdf(&self, code: &str, form: &str) -> Result<PrintedFile, ClientError> {
        let rb = self
            .request(
                Method::GET,
                &format!("/dossiers/{}/forms/{}", segment(code), segment(form)),
            )
            .header(ACCEPT, "application/pdf");
        self.printed(rb, "application/pdf").await
    }

    /// The office's register of dossiers received from `from` to `to` (both included),
    /// as `format` (`pdf`, `csv` or `xlsx`); with the set's circular.
    pub async fn register(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        format: crate::api::registers::RegisterFormat,
    ) -> Result<PrintedFile, ClientError> {
        let rb = self
            .request(Method::GET, "/registers/dossiers")
            .query(&[
                ("from", from.format("%Y-%m-%d").to_string()),
                ("to", to.format("%Y-%m-%d").to_string()),
                ("format", format.as_str().to_owned()),
            ])
            .header(ACCEPT, format.media_type());
        self.printed(rb, format.media_type()).await
    }

    /// The bytes of a printed document, checked to be of the type asked for (a portal
    /// that answered text to a request for PDF must not end up in a `.pdf` file).
    async fn printed(&self, rb: RequestBuilder, kind: &str) -> Result<PrintedFile, ClientError> {
        let res = self.send(rb).await?;
        let got = header(res.headers(), reqwest::header::CONTENT_TYPE).unwrap_or_default();
        if !got.starts_with(kind) {
            return Err(ClientError::Decode(format!(
                "the portal answered {got}, not {kind}"
            )));
        }
        let form_set = header(
            res.headers(),
            reqwest::header::HeaderName::from_static(crate::api::headers::FORM_SET),
        )
        .unwrap_or_default();
        let filename = header(res.headers(), reqwest::header::CONTENT_DISPOSITION)
            .as_deref()
            .and_then(disposition_filename);
        Ok(PrintedFile {
            bytes: res.bytes().await?.to_vec(),
            form_set,
            filename,
        })
    }

    /// The office's numbers, with the indices of the last [`STATS_MONTHS`] months.
    pub async fn stats(&self) -> Result<Stats, ClientError> {
        self.stats_for(&crate::api::stats::StatsQuery {
            months: Some(STATS_MONTHS),
            ..Default::default()
        })
        .await
    }

    /// Records a satisfaction rating (`POST /dossiers/{code}/rating`); `key` names it
    /// for good, so a retry after a lost answer gets the same rating back. The same call
    /// serves a citizen rating their own dossier online.
    pub async fn rate(
        &self,
        code: &str,
        key: &str,
        rating: &crate::api::results::RatingIn,
    ) -> Result<crate::api::results::Rating, ClientError> {
        let rb = self
            .request(Method::POST, &format!("/dossiers/{}/rating", segment(code)))
            .header(IDEMPOTENCY_KEY, key);
        self.json(with_body(rb, rating)).await
    }

    /// The notices sent (or waiting to go) to a dossier's applicant.
    pub async fn notifications(
        &self,
        code: &str,
    ) -> Result<Vec<crate::api::results::Notification>, ClientError> {
        self.json(self.request(
            Method::GET,
            &format!("/dossiers/{}/notifications", segment(code)),
        ))
        .await
    }

    pub async fn offices(&self) -> Result<Vec<crate::api::catalog::Office>, ClientError> {
        self.json(self.request(Method::GET, "/offices")).await
    }
}

impl PortalClient {
    /// The catalog (`GET /procedures`, every page); an unchanged catalog costs a 304.
    pub async fn procedures(&self) -> Result<Vec<ProcedureSummary>, ClientError> {
        let mut cached = lock(&self.inner.catalog).clone();
        if cached.is_none() {
            cached = self.read_cache("catalog.json");
        }
        let mut rb = self
            .request(Method::GET, "/procedures")
            .query(&[("limit", "500")]);
        if let Some((etag, _)) = &cached {
            rb = rb.header(IF_NONE_MATCH, etag);
        }
        let res = match self.send(rb.header(ACCEPT, "application/json")).await {
            Ok(res) => res,
            // With the link down, the copy kept from the last answer serves the desk's
            // intake (issue 19): a catalog changes by decision, not by the hour.
            Err(e) => {
                return match cached {
                    Some((_, list)) if e.is_offline() => Ok(list),
                    _ => Err(e),
                };
            }
        };
        if res.status() == StatusCode::NOT_MODIFIED {
            return cached
                .map(|(_, list)| list)
                .ok_or_else(|| ClientError::Decode("304 without a cached catalog".into()));
        }
        let etag = header(res.headers(), ETAG);
        let bytes = res.bytes().await?;
        let page: Page<ProcedureSummary> =
            decode(&bytes).map_err(|e| ClientError::Decode(e.to_string()))?;
        if let Some(etag) = etag {
            let entry = (etag, page.items.clone());
            self.write_cache("catalog.json", &entry);
            *lock(&self.inner.catalog) = Some(entry);
        }
        Ok(page.items)
    }

    /// One procedure with its cases, documents, durations and fees; an unchanged one
    /// costs a 304.
    pub async fn procedure(&self, code: &str) -> Result<ProcedureDetail, ClientError> {
        let file = format!("procedure-{}.json", segment(code));
        let mut cached = lock(&self.inner.procedures).get(code).cloned();
        if cached.is_none() {
            cached = self.read_cache(&file);
        }
        let mut rb = self.request(Method::GET, &format!("/procedures/{}", segment(code)));
        if let Some((etag, _)) = &cached {
            rb = rb.header(IF_NONE_MATCH, etag);
        }
        let res = match self.send(rb.header(ACCEPT, "application/json")).await {
            Ok(res) => res,
            Err(e) => {
                return match cached {
                    Some((_, p)) if e.is_offline() => Ok(p),
                    _ => Err(e),
                };
            }
        };
        if res.status() == StatusCode::NOT_MODIFIED {
            return cached
                .map(|(_, p)| p)
                .ok_or_else(|| ClientError::Decode("304 without a cached procedure".into()));
        }
        let etag = header(res.headers(), ETAG);
        let bytes = res.bytes().await?;
        let detail: ProcedureDetail =
            decode(&bytes).map_err(|e| ClientError::Decode(e.to_string()))?;
        if let Some(etag) = etag {
            let entry = (etag, detail.clone());
            self.write_cache(&file, &entry);
            lock(&self.inner.procedures).insert(code.to_owned(), entry);
        }
        Ok(detail)
    }

    /// Renews the desk's copy of the whole catalog, every procedure with its details, so
    /// that intake with the link down (issue 19) can take in any of them, not only those
    /// the desk happened to open. Unchanged ones cost a 304 each. How many are kept.
    pub async fn keep_catalog(&self) -> Result<usize, ClientError> {
        let list = self.procedures().await?;
        for p in &list {
            self.procedure(&p.code).await?;
        }
        Ok(list.len())
    }

    /// Citizens of the office: by the exact number, or by words of the name or phone.
    pub async fn citizens(&self, query: &str) -> Result<Vec<Citizen>, ClientError> {
        let query = query.trim();
        let digits = query.chars().all(|c| c.is_ascii_digit());
        let key = if digits && query.len() == 12 {
            "id_number"
        } else {
            "q"
        };
        let page: Page<Citizen> = self
            .json(
                self.request(Method::GET, "/citizens")
                    .query(&[(key, query), ("limit", "50")]),
            )
            .await?;
        Ok(page.items)
    }

    pub async fn citizen(&self, id: &str) -> Result<CitizenDetail, ClientError> {
        self.json(self.request(Method::GET, &format!("/citizens/{}", segment(id))))
            .await
    }

    /// Creates an account. `key` is the idempotency key fixed when the form was
    /// opened: a retry after a cut gets the first answer, never a second account.
    pub async fn create_citizen(
        &self,
        key: &str,
        body: &NewCitizen,
    ) -> Result<CitizenCreated, ClientError> {
        let rb = self
            .request(Method::POST, "/citizens")
            .header(IDEMPOTENCY_KEY, key);
        let rb = with_body(rb, body);
        self.json(rb).await
    }

    /// A new activation code (the old one stops working). `key` is fixed per press, so
    /// a retry does not revoke the code just printed. For an account already active this
    /// is a password reset: `presented` (the citizen's card) is then required.
    pub async fn reissue_activation(
        &self,
        id: &str,
        key: &str,
        presented: Option<&Presented>,
    ) -> Result<Activation, ClientError> {
        let rb = self
            .request(
                Method::POST,
                &format!("/citizens/{}/activation", segment(id)),
            )
            .header(IDEMPOTENCY_KEY, key);
        let rb = match presented {
            Some(p) => with_body(rb, p),
            None => rb,
        };
        self.json(rb).await
    }

    /// Officer-assisted submission, with the idempotency key fixed for this intake.
    pub async fn create_dossier(
        &self,
        key: &str,
        body: &CreateDossier,
    ) -> Result<Dossier, ClientError> {
        let rb = self
            .request(Method::POST, "/dossiers")
            .header(IDEMPOTENCY_KEY, key);
        let rb = with_body(rb, body);
        self.json(rb).await
    }

    pub async fn payment(&self, code: &str) -> Result<Payment, ClientError> {
        self.json(self.request(Method::GET, &format!("/dossiers/{}/payment", segment(code))))
            .await
    }

    /// Tells a training portal that the dossier's VietQR code is on screen, whole (404 on
    /// any other portal): what its exercise and its simulated bank wait for.
    pub async fn training_vietqr_shown(&self, code: &str) -> Result<(), ClientError> {
        let path = format!("/training/vietqr-shown/{}", segment(code));
        self.send(self.request(Method::POST, &path)).await.map(drop)
    }

    /// Records cash paid at the desk.
    pub async fn pay_cash(
        &self,
        code: &str,
        key: &str,
        body: &CashPayment,
    ) -> Result<Payment, ClientError> {
        let rb = self
            .request(
                Method::POST,
                &format!("/dossiers/{}/payment/cash", segment(code)),
            )
            .header(IDEMPOTENCY_KEY, key);
        let rb = with_body(rb, body);
        self.json(rb).await
    }

    /// Uploads a file, resumably. `key` names this upload for good: called again with
    /// the same key (after a cut, or after the app restarted) the portal answers with the
    /// same upload, `HEAD` says how much it has, and only the rest is sent. The chunk
    /// size follows the measured throughput. `progress` hears of every [`PIECE`] of a
    /// chunk as it goes onto the connection (a chunk of a slow link takes seconds), and
    /// of what the portal says it has after each chunk.
    pub async fn upload_file(
        &self,
        key: &str,
        path: &Path,
        progress: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> Result<Uploaded, ClientError> {
        let progress = std::sync::Arc::new(progress);
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let file_err = |e: std::io::Error| ClientError::FileRead {
            path: path.display().to_string(),
            kind: e.kind(),
        };
        let mut file = tokio::fs::File::open(path).await.map_err(file_err)?;
        let size = file.metadata().await.map_err(file_err)?.len();
        if size == 0 || size > MAX_UPLOAD_SIZE {
            return Err(ClientError::FileSize {
                path: path.display().to_string(),
                size,
                max: MAX_UPLOAD_SIZE,
            });
        }
        // The whole file once, for its SHA-256 and its type.
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file.read(&mut buf).await.map_err(file_err)?;
            if n == 0 {
                break;
            }
            if head.len() < 16 {
                head.extend_from_slice(&buf[..n.min(16)]);
            }
            hasher.update(&buf[..n]);
        }
        let Some(kind) = FileType::sniff(&head) else {
            return Err(ClientError::UnsupportedFile(path.display().to_string()));
        };
        let filename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        let declared = CreateUpload {
            filename,
            size,
            sha256: hex::encode(hasher.finalize()),
            content_type: kind.mime().to_owned(),
        };
        let created: UploadCreated = self
            .json(with_body(
                self.request(Method::POST, "/uploads")
                    .header(IDEMPOTENCY_KEY, key),
                &declared,
            ))
            .await?;
        let at = format!("/uploads/{}", segment(&created.id));
        // A replayed declaration says offset 0; the portal may have more.
        let res = self.send(self.request(Method::HEAD, &at)).await?;
        let mut offset = upload_offset(res.headers()).unwrap_or(0);
        let mut chunk = MIN_CHUNK * 4;
        (*progress)(UploadProgress {
            sent: offset,
            total: size,
        });
        while offset < size {
            let len = chunk.min((size - offset) as usize);
            let mut body = vec![0u8; len];
            file.seek(std::io::SeekFrom::Start(offset))
                .await
                .map_err(file_err)?;
            file.read_exact(&mut body).await.map_err(file_err)?;
            let started = Instant::now();
            let rb = self
                .request(Method::PATCH, &at)
                .header("Upload-Offset", offset.to_string())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/offset+octet-stream",
                )
                // A streamed body has no length of its own; the portal checks this one
                // against the upload before it reads a byte.
                .header(reqwest::header::CONTENT_LENGTH, len)
                .body(counted(body, offset, size, progress.clone()));
            match self.send(rb).await {
                Ok(res) => {
                    offset = upload_offset(res.headers()).unwrap_or(offset + len as u64);
                    chunk = next_chunk(len, started.elapsed());
                }
                // Someone (an earlier try) got further or less far: continue from there.
                Err(ClientError::Api { status: 409, .. }) => {
                    let res = self.send(self.request(Method::HEAD, &at)).await?;
                    offset = upload_offset(res.headers()).unwrap_or(offset);
                }
                Err(e) => return Err(e),
            }
            (*progress)(UploadProgress {
                sent: offset,
                total: size,
            });
        }
        Ok(Uploaded {
            id: created.id,
            size,
            content_type: declared.content_type,
        })
    }
}

const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// The piece of a chunk whose going out is reported: a few a second on a slow link.
pub const PIECE: usize = 16 * 1024;

/// A chunk as a body that reports, each time the connection asks for the next piece,
/// the bytes handed to it so far (they are on their way: the connection takes more only
/// once it has written what it had).
fn counted(
    chunk: Vec<u8>,
    offset: u64,
    total: u64,
    progress: std::sync::Arc<impl Fn(UploadProgress) + Send + Sync + 'static>,
) -> reqwest::Body {
    let pieces: Vec<Vec<u8>> = chunk.chunks(PIECE).map(<[u8]>::to_vec).collect();
    let stream =
        futures_util::stream::unfold((pieces.into_iter(), 0u64), move |(mut pieces, handed)| {
            let progress = progress.clone();
            async move {
                if handed > 0 {
                    (*progress)(UploadProgress {
                        sent: offset + handed,
                        total,
                    });
                }
                let piece = pieces.next()?;
                let n = piece.len() as u64;
                Some((Ok::<_, std::io::Error>(piece), (pieces, handed + n)))
            }
        });
    reqwest::Body::wrap_stream(stream)
}

/// Bodies from this size on go gzip-compressed (the portal decodes them; its limits apply
/// to the decoded size). Smaller ones would not get smaller.
const COMPRESS_FROM: usize = 1024;

/// A JSON body, compressed when that saves bytes on a slow link.
fn with_body<T: serde::Serialize + ?Sized>(rb: RequestBuilder, body: &T) -> RequestBuilder {
    use std::io::Write as _;
    let Ok(json) = serde_json::to_vec(body) else {
        return rb.json(body);
    };
    let rb = rb.header(reqwest::header::CONTENT_TYPE, "application/json");
    if json.len() >= COMPRESS_FROM {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        if gz.write_all(&json).is_ok()
            && let Ok(zipped) = gz.finish()
            && zipped.len() < json.len()
        {
            return rb
                .header(reqwest::header::CONTENT_ENCODING, "gzip")
                .body(zipped);
        }
    }
    rb.body(json)
}

/// An answer of the portal, decoded with every control character (but the line feed) and
/// every bidirectional override in its texts replaced by U+FFFD: what the staff app keeps
/// and shows can never carry an escape sequence, whatever the portal let in. An answer
/// that holds none (nearly all: no `\u` escape, no C1 or override in UTF-8) is decoded
/// as it is.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    if !may_hold_forbidden(bytes) {
        return serde_json::from_slice(bytes);
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes)?;
    scrub(&mut value);
    serde_json::from_value(value)
}

/// Whether JSON text may hold a character `decode` replaces: an escape `\u`, a C1
/// control (C2 80–9F in UTF-8) or an override (E2 80 AA–AE, E2 81 A6–A9).
fn may_hold_forbidden(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| {
        matches!(
            w,
            [b'\\', b'u', _]
                | [0xC2, 0x80..=0x9F, _]
                | [0xE2, 0x80, 0xAA..=0xAE]
                | [0xE2, 0x81, 0xA6..=0xA9]
        )
    })
}

fn scrub(value: &mut serde_json::Value) {
    use crate::domain::text::forbidden_char;
    use serde_json::Value;
    match value {
        Value::String(s) if s.chars().any(|c| forbidden_char(c, true)) => {
            *s = s
                .chars()
                .map(|c| {
                    if forbidden_char(c, true) {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect();
        }
        Value::Array(items) => items.iter_mut().for_each(scrub),
        Value::Object(fields) => fields.values_mut().for_each(scrub),
        _ => {}
    }
}

impl PortalClient {
    /// A cached answer with its ETag, if the cache has a readable one.
    fn read_cache<T: DeserializeOwned>(&self, name: &str) -> Option<(String, T)> {
        let dir = self.inner.cache_dir.as_ref()?;
        let text = std::fs::read(dir.join(name)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Keeps an answer with its ETag (through a temporary file; a failure only costs a
    /// download next time).
    fn write_cache<T: serde::Serialize>(&self, name: &str, entry: &(String, T)) {
        let Some(dir) = self.inner.cache_dir.as_ref() else {
            return;
        };
        let Ok(text) = serde_json::to_vec(entry) else {
            return;
        };
        let path = dir.join(name);
        let tmp = dir.join(format!("{name}.part"));
        let _ = std::fs::create_dir_all(dir)
            .and_then(|_| std::fs::write(&tmp, text))
            .and_then(|_| std::fs::rename(&tmp, &path));
    }
}

fn upload_offset(headers: &HeaderMap) -> Option<u64> {
    header(headers, "upload-offset").and_then(|v| v.trim().parse().ok())
}

/// The next chunk's size: what the last one's throughput carries in [`CHUNK_SECONDS`],
/// at most doubling, within [`MIN_CHUNK`]..=[`MAX_CHUNK`].
pub fn next_chunk(last: usize, took: Duration) -> usize {
    let secs = took.as_secs_f64().max(0.001);
    let fits = (last as f64 / secs * CHUNK_SECONDS) as usize;
    fits.min(last.saturating_mul(2)).clamp(MIN_CHUNK, MAX_CHUNK)
}

/// A path segment, percent-encoded (codes contain only safe characters, but ids come
/// from the server and are not ours to trust).
fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A printed document as the portal sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedFile {
    pub bytes: Vec<u8>,
    /// The circular of its form set (`Form-Set`), empty if the portal did not say.
    pub form_set: String,
    /// The file name the portal suggests, when it is a plain one.
    pub filename: Option<String>,
}

/// The file name of `inline; filename="x.pdf"`, kept only when it is one plain name
/// (letters, digits, dots, dashes, underscores): it becomes a file on the desk's disk.
fn disposition_filename(value: &str) -> Option<String> {
    let name = value
        .split(';')
        .filter_map(|part| part.trim().strip_prefix("filename="))
        .next()?
        .trim_matches('"');
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name.len() <= 200
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    plain.then(|| name.to_owned())
}

fn header(headers: &HeaderMap, name: impl reqwest::header::AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// An error answer as the client's error: the portal's JSON body when it has one.
async fn error_from(res: Response) -> ClientError {
    let status = res.status();
    let retry_after = header(res.headers(), RETRY_AFTER)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = match res.bytes().await {
        Ok(b) => b,
        Err(e) => return ClientError::from(e),
    };
    let Ok(ErrorBody { error }) = decode::<ErrorBody>(&body) else {
        return ClientError::Decode(format!(
            "{status} with a body that is not an API error ({} bytes)",
            body.len()
        ));
    };
    match status {
        StatusCode::UNAUTHORIZED => ClientError::Unauthorized {
            code: error.code,
            message: error.message,
        },
        StatusCode::PRECONDITION_FAILED => match error
            .current
            .and_then(|c| serde_json::from_value::<Dossier>(c).ok())
        {
            Some(current) => ClientError::Conflict {
                current: Box::new(current),
            },
            None => ClientError::Decode("412 without the current dossier".into()),
        },
        StatusCode::TOO_MANY_REQUESTS => ClientError::RateLimited {
            retry_after,
            message: error.message,
        },
        _ => ClientError::Api {
            status: status.as_u16(),
            code: error.code,
            message: error.message,
            fields: error.fields.into_iter().collect::<BTreeMap<_, _>>(),
            existing_id: error.existing_id,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{decode, disposition_filename};
    use crate::api::dossiers::NamedRef;

    #[test]
    fn a_suggested_file_name_is_kept_only_when_plain() {
        assert_eq!(
            disposition_filename("inline; filename=\"000.01.27.H07-260306-0001-mau-01.pdf\""),
            Some("000.01.27.H07-260306-0001-mau-01.pdf".into())
        );
        for hostile in [
            "inline; filename=\"../../.bashrc\"",
            "inline; filename=\"a/b.pdf\"",
            "inline; filename=\".hidden\"",
            "inline; filename=\"\"",
            "inline",
        ] {
            assert_eq!(disposition_filename(hostile), None, "{hostile}");
        }
    }

    #[test]
    fn answers_lose_their_control_characters_but_line_feeds() {
        let clean: NamedRef =
            decode("{\"code\": \"1\", \"name\": \"Nguyễn — A\"}".as_bytes()).unwrap();
        assert_eq!(clean.name, "Nguyễn — A");
        let hostile: NamedRef = decode(
            "{\"code\": \"\\u001b[2J\", \"name\": \"a\\u0007b\\nc\u{9b}d\u{202E}e\\u202ef\"}"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(hostile.code, "\u{FFFD}[2J");
        assert_eq!(hostile.name, "a\u{FFFD}b\nc\u{FFFD}d\u{FFFD}e\u{FFFD}f");
    }
}
