//! The upload store behind `POST /uploads`, `HEAD` and `PATCH /uploads/{id}` (the
//! protocol is described in [`crate::api::uploads`]; the handlers are
//! [`crate::portal::routes::uploads`]), and the two steps the dossier code takes:
//! [`claim_for_dossier`] and [`open_complete`].
//!
//! The bytes of an unfinished upload live in `files_dir/<id>.part`, those of a finished
//! one in `files_dir/<id>`. The file is the truth about what arrived: `received` in the
//! database is only raised after the bytes are on disk (fsync), so after a crash the
//! file can be longer than the database says but never rightfully shorter. When they
//! disagree, a shorter file wins (the server must not claim bytes it lacks) and a longer
//! one is cut back (bytes past the last fsync may be garbage after a power cut).
//!
//! A chunk is streamed to the file as it arrives, by a task of its own: when the client
//! disconnects mid-chunk, or the request times out and its handler is dropped, the task
//! still commits every byte that did arrive, so the client resumes from the exact byte.
//! One chunk at a time is written per upload; a new `PATCH` for an upload that is still
//! being written (typically a client that reconnected while the server still waits on
//! the dead connection) makes the old writer stop and commit, then takes over.

use crate::api::error::ErrorCode;
use crate::api::uploads::{
    CHUNK_CONTENT_TYPE, CreateUpload, FileType, MAX_CHUNK_SIZE, MAX_FILENAME_BYTES,
    MAX_UPLOAD_SIZE, UploadInfo,
};
use crate::domain::text::nfc;
use crate::domain::{Lang, RuleError};
use crate::portal::error::{ApiError, Problem, Rule};
use crate::portal::state::AppState;
use axum::body::{Body, Bytes, HttpBody};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path as FsPath, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::{OwnedMutexGuard, watch};

/// A chunk that sends nothing for this long is treated as cut: its bytes so far are
/// committed and the upload is free for the client's next attempt.
const IDLE: Duration = Duration::from_secs(30);

/// How long an upload may wait to be attached to a dossier. One left longer was
/// abandoned (a submission never sent) and is discarded, bytes and all.
const UNATTACHED_KEPT: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// Bytes kept of a declared media type echoed in an error message.
const ECHO_LIMIT: usize = 100;

const SELECT_UPLOAD: &str = "SELECT id, owner_id, filename, size, sha256, content_type, \
     received, complete, dossier_id, created_at FROM uploads WHERE id = $1";

/// One row of `uploads`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    pub id: String,
    pub owner_id: i64,
    pub filename: String,
    pub size: i64,
    pub sha256: String,
    pub content_type: String,
    pub received: i64,
    #[sqlx(try_from = "crate::portal::db::Flag")]
    pub complete: bool,
    pub dossier_id: Option<i64>,
    pub created_at: String,
}

impl UploadRow {
    /// The declared size. Never negative: only [`declare`] writes it, from a `u64`.
    pub fn size(&self) -> u64 {
        u64::try_from(self.size).unwrap_or(0)
    }

    fn received(&self) -> u64 {
        u64::try_from(self.received).unwrap_or(0)
    }

    /// The upload as a dossier shows it.
    pub fn info(&self) -> UploadInfo {
        UploadInfo {
            id: self.id.clone(),
            filename: self.filename.clone(),
            size: self.size(),
            sha256: self.sha256.clone(),
            content_type: self.content_type.clone(),
            created_at: self.created_at.clone(),
        }
    }
}

/// What can be wrong with an upload, each with its status and its advice.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UploadProblem {
    #[error("the file is {size} bytes, over the limit of {MAX_UPLOAD_SIZE}")]
    FileTooLarge { size: u64 },
    #[error("a chunk may carry at most {MAX_CHUNK_SIZE} bytes")]
    ChunkTooLarge,
    #[error("the chunk goes beyond the declared size of {size} bytes")]
    BeyondSize { size: u64 },
    #[error("the file type {0:?} is not accepted")]
    TypeNotAccepted(String),
    #[error("chunks must be sent as {CHUNK_CONTENT_TYPE}")]
    ChunkType,
    #[error("the Upload-Offset header is missing or not a number")]
    OffsetHeader,
    #[error("the server has {received} bytes, not {sent}")]
    OffsetMismatch { received: u64, sent: u64 },
    #[error("the chunk was cut off; the server has {received} bytes")]
    ChunkCut { received: u64 },
    #[error("a newer request took over the upload; the server has {received} bytes")]
    Superseded { received: u64 },
    #[error("another portal process is still writing the upload; the server has {received} bytes")]
    Busy { received: u64 },
    #[error("the file does not match its SHA-256")]
    ChecksumMismatch,
    #[error("the content is not {0:?}")]
    ContentMismatch(FileType),
    #[error("the file is empty")]
    Empty,
    #[error("sha256 is not 64 hex digits")]
    ChecksumFormat,
    #[error("the file name is empty")]
    Filename,
    #[error("upload {0} not found")]
    NotUploaded(String),
    #[error("upload {0} is not complete")]
    Incomplete(String),
    #[error("upload {0} is attached to another dossier")]
    AlreadyAttached(String),
}

impl UploadProblem {
    /// Its code, which sets its status.
    pub fn error_code(&self) -> ErrorCode {
        use UploadProblem::*;
        match self {
            FileTooLarge { .. } | ChunkTooLarge | BeyondSize { .. } => ErrorCode::PayloadTooLarge,
            TypeNotAccepted(_) | ChunkType => ErrorCode::UnsupportedMediaType,
            ContentMismatch(_) => ErrorCode::UploadTypeMismatch,
            OffsetHeader => ErrorCode::BadRequest,
            OffsetMismatch { .. } => ErrorCode::UploadOffsetMismatch,
            ChunkCut { .. } => ErrorCode::UploadChunkIncomplete,
            Superseded { .. } => ErrorCode::UploadSuperseded,
            Busy { .. } => ErrorCode::UploadBusy,
            ChecksumMismatch => ErrorCode::UploadChecksumMismatch,
            Empty => ErrorCode::UploadEmpty,
            ChecksumFormat => ErrorCode::Sha256Invalid,
            Filename => ErrorCode::FilenameInvalid,
            NotUploaded(_) => ErrorCode::UploadNotFound,
            Incomplete(_) => ErrorCode::UploadIncomplete,
            AlreadyAttached(_) => ErrorCode::UploadAlreadyAttached,
        }
    }
}

fn type_name(kind: FileType) -> &'static str {
    match kind {
        FileType::Pdf => "PDF",
        FileType::Jpeg => "JPEG",
        FileType::Png => "PNG",
    }
}

/// `20`, `20.5` (English) or `20,5` (Vietnamese) MB.
fn megabytes(bytes: u64, lang: Lang) -> String {
    let text = format!("{:.1}", bytes as f64 / (1024.0 * 1024.0));
    let text = text.strip_suffix(".0").unwrap_or(&text);
    match lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text.to_owned(),
    }
}

impl RuleError for UploadProblem {
    fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    fn message(&self, lang: Lang) -> String {
        use UploadProblem::*;
        let max = megabytes(MAX_UPLOAD_SIZE, lang);
        let (vi, en) = match self {
            FileTooLarge { size } => {
                let size = megabytes(*size, lang);
                (
                    format!(
                        "Tệp nặng {size} MB, vượt giới hạn {max} MB. Hãy giảm dung lượng (ví dụ quét với độ phân giải thấp hơn) rồi gửi lại."
                    ),
                    format!(
                        "The file is {size} MB, over the {max} MB limit. Make it smaller (for example, scan at a lower resolution) and send it again."
                    ),
                )
            }
            ChunkTooLarge => {
                let chunk = megabytes(MAX_CHUNK_SIZE, lang);
                (
                    format!(
                        "Mỗi lần gửi được tối đa {chunk} MB của tệp. Hãy chia tệp thành các phần nhỏ hơn."
                    ),
                    format!(
                        "One request may carry at most {chunk} MB of the file. Send it in smaller chunks."
                    ),
                )
            }
            BeyondSize { size } => (
                format!(
                    "Phần gửi lên vượt quá kích thước đã khai báo của tệp ({size} byte). Hãy chỉ gửi phần còn lại của tệp."
                ),
                format!(
                    "The chunk goes beyond the file's declared size ({size} bytes). Send only the rest of the file."
                ),
            ),
            TypeNotAccepted(declared) => (
                format!(
                    "Loại tệp «{declared}» không được chấp nhận. Chỉ nhận PDF, JPEG hoặc PNG. Hãy chuyển tệp sang một trong các định dạng này."
                ),
                format!(
                    "The file type “{declared}” is not accepted, only PDF, JPEG or PNG. Convert the file to one of them."
                ),
            ),
            ChunkType => (
                format!(
                    "Phần tệp phải được gửi với Content-Type: {CHUNK_CONTENT_TYPE}. Hãy cập nhật ứng dụng."
                ),
                format!(
                    "Chunks must be sent with Content-Type: {CHUNK_CONTENT_TYPE}. Update the application."
                ),
            ),
            OffsetHeader => (
                "Thiếu hoặc sai tiêu đề Upload-Offset (số byte đã gửi). Hãy hỏi máy chủ vị trí hiện tại (HEAD) rồi gửi tiếp từ đó.".into(),
                "The Upload-Offset header (bytes already sent) is missing or not a number. Ask the server for the current offset (HEAD) and continue from there.".into(),
            ),
            OffsetMismatch { received, sent } => (
                format!(
                    "Máy chủ đã nhận {received} byte của tệp, không phải {sent}. Hãy gửi tiếp từ byte {received}."
                ),
                format!(
                    "The server has {received} bytes of the file, not {sent}. Continue from byte {received}."
                ),
            ),
            ChunkCut { received } => (
                format!(
                    "Phần tệp gửi lên bị ngắt giữa chừng; máy chủ đã giữ {received} byte. Hãy gửi tiếp từ byte {received}."
                ),
                format!(
                    "The chunk was cut off; the server kept {received} bytes. Continue from byte {received}."
                ),
            ),
            Superseded { received } => (
                format!(
                    "Một yêu cầu mới hơn cho cùng tệp đã thay thế yêu cầu này; máy chủ đã giữ {received} byte. Hãy hỏi lại vị trí (HEAD) rồi gửi tiếp."
                ),
                format!(
                    "A newer request for the same upload took over from this one; the server kept {received} bytes. Ask for the offset again (HEAD) and continue."
                ),
            ),
            Busy { received } => (
                format!(
                    "Một máy chủ khác của cổng vẫn đang ghi tệp này; máy chủ đã giữ {received} byte. Hãy hỏi lại vị trí (HEAD) rồi gửi tiếp sau ít phút."
                ),
                format!(
                    "Another portal server is still writing this upload; the server kept {received} bytes. Ask for the offset again (HEAD) and continue in a moment."
                ),
            ),
            ChecksumMismatch => (
                "Tệp nhận được không khớp mã SHA-256 đã khai báo nên đã bị hủy. Hãy kiểm tra tệp rồi tải lên lại từ đầu.".into(),
                "The file received does not match the declared SHA-256, so it was discarded. Check the file and upload it again from the start.".into(),
            ),
            ContentMismatch(kind) => {
                let kind = type_name(*kind);
                (
                    format!(
                        "Nội dung tệp không phải {kind} như đã khai báo nên tệp đã bị hủy. Hãy chọn đúng tệp hoặc khai báo đúng loại rồi tải lên lại."
                    ),
                    format!(
                        "The file's content is not {kind} as declared, so it was discarded. Pick the right file or declare its real type and upload it again."
                    ),
                )
            }
            Empty => (
                "Tệp rỗng. Hãy chọn tệp có nội dung.".into(),
                "The file is empty. Choose a file with content.".into(),
            ),
            ChecksumFormat => (
                "Mã SHA-256 phải gồm đúng 64 chữ số thập lục phân. Hãy tính lại mã của tệp.".into(),
                "The SHA-256 must be exactly 64 hexadecimal digits. Compute the file's checksum again.".into(),
            ),
            Filename => (
                "Tên tệp trống hoặc không hợp lệ. Hãy đặt cho tệp một tên.".into(),
                "The file name is empty or invalid. Give the file a name.".into(),
            ),
            NotUploaded(id) => (
                format!("Không tìm thấy tệp tải lên {id} của bạn. Hãy tải tệp lên lại."),
                format!("Your upload {id} was not found. Upload the file again."),
            ),
            Incomplete(id) => (
                format!("Tệp {id} chưa tải lên xong. Hãy gửi nốt phần còn lại rồi thử lại."),
                format!("Upload {id} is not complete. Send the rest of it and try again."),
            ),
            AlreadyAttached(id) => (
                format!(
                    "Tệp {id} đã được đính kèm vào một hồ sơ khác. Hãy tải lên một bản riêng cho hồ sơ này."
                ),
                format!(
                    "Upload {id} is already attached to another dossier. Upload a separate copy for this one."
                ),
            ),
        };
        match lang {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

impl From<UploadProblem> for ApiError {
    fn from(problem: UploadProblem) -> ApiError {
        match problem {
            UploadProblem::Empty => ApiError::field("size", problem),
            UploadProblem::ChecksumFormat => ApiError::field("sha256", problem),
            UploadProblem::Filename => ApiError::field("filename", problem),
            _ => Problem::of(problem.error_code(), problem).into(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Who writes which upload

/// The uploads being written now. An entry lives while someone writes or waits to write
/// its upload, and is removed by the last one out.
#[derive(Debug, Default)]
pub struct Writers {
    lanes: Mutex<HashMap<String, Arc<Lane>>>,
    arrivals: AtomicU64,
}

/// Which of two `PATCH`es of an upload is the client's latest: the one from the later
/// offset (offsets only grow), and of two from the same offset the one that reached the
/// server later. Compared as a tuple: (`Upload-Offset`, [`Arrival`]).
type Notice = (u64, u64);

#[derive(Debug)]
struct Lane {
    /// Held by the one request that may touch the upload's file.
    lock: Arc<tokio::sync::Mutex<()>>,
    /// The latest [`Notice`] of the `PATCH`es that came for the upload, watched by the
    /// holder of `lock`.
    turn: watch::Sender<Notice>,
}

/// A use of a lane.
struct LaneRef {
    writers: Arc<Writers>,
    id: String,
    lane: Arc<Lane>,
}

impl Drop for LaneRef {
    fn drop(&mut self) {
        let mut map = self
            .writers
            .lanes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Every `LaneRef` is made under this lock, so nobody can pick the lane up between
        // the count and the removal. 2 = the map's own and ours.
        if Arc::strong_count(&self.lane) == 2 {
            map.remove(&self.id);
        }
    }
}

/// The right to touch an upload's file and its `received`.
pub struct Writing {
    // Field order is drop order: the lock goes before the lane entry is cleaned up.
    /// On PostgreSQL, the same right across processes ([`across_processes`]).
    across: Option<ProcessLock>,
    _guard: OwnedMutexGuard<()>,
    turn: watch::Receiver<Notice>,
    /// This request's own.
    notice: Notice,
    _lane: LaneRef,
}

impl Writing {
    /// Ends the right to the upload, letting its lock across processes go before the
    /// caller answers: a `HEAD` that follows the answer, through this process or another,
    /// then finds the upload free, where a lock let go by a task of its own after the
    /// answer could still be held.
    pub async fn release(mut self) {
        if let Some(lock) = self.across.take() {
            lock.release().await;
        }
    }
}

impl Writers {
    /// When a `PATCH` reached the server, as a sequence number (see `Notice`).
    pub fn arrive(&self) -> u64 {
        self.arrivals.fetch_add(1, Ordering::Relaxed)
    }

    fn enter(self: &Arc<Self>, id: &str) -> LaneRef {
        let mut map = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
        let lane = map
            .entry(id.to_owned())
            .or_insert_with(|| {
                Arc::new(Lane {
                    lock: Arc::default(),
                    turn: watch::channel((0, 0)).0,
                })
            })
            .clone();
        LaneRef {
            writers: self.clone(),
            id: id.to_owned(),
            lane,
        }
    }

    /// For a `PATCH`: tells whoever writes the upload now that it is wanted, then waits
    /// for the file. See [`Writing::until_superseded`].
    pub async fn take_over(self: &Arc<Self>, id: &str, notice: Notice) -> Writing {
        let lane = self.enter(id);
        // The greatest notice so far, so that a stale one sent just after cannot hide a
        // live one from the writer.
        lane.lane
            .turn
            .send_modify(|latest| *latest = (*latest).max(notice));
        // Subscribed after our own notice, so only another request's can stop us.
        let turn = lane.lane.turn.subscribe();
        let guard = lane.lane.lock.clone().lock_owned().await;
        Writing {
            across: None,
            _guard: guard,
            turn,
            notice,
            _lane: lane,
        }
    }

    /// Whether someone is writing the upload or waiting to.
    fn busy(&self, id: &str) -> bool {
        self.lanes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(id)
    }

    /// For a `HEAD`: the file only if nobody is writing it, since asking how far an
    /// upload got must not interrupt it.
    pub fn try_take(self: &Arc<Self>, id: &str) -> Option<Writing> {
        let lane = self.enter(id);
        let turn = lane.lane.turn.subscribe();
        let guard = lane.lane.lock.clone().try_lock_owned().ok()?;
        Some(Writing {
            across: None,
            _guard: guard,
            turn,
            notice: (u64::MAX, u64::MAX),
            _lane: lane,
        })
    }
}

impl Writing {
    /// Whether the client's latest `PATCH` is another one (see below).
    pub fn superseded(&self) -> bool {
        match self.turn.has_changed() {
            Ok(changed) => changed && *self.turn.borrow() > self.notice,
            Err(_) => true,
        }
    }

    /// Resolves when a `PATCH` that is the client's latest (see [`Notice`]) comes for the
    /// upload: the client resumed after losing this connection, so this one stops. A stale
    /// retry must not cut the live upload short: it waits its turn, then gets a 409.
    async fn until_superseded(&mut self) {
        loop {
            if self.turn.changed().await.is_err() {
                return;
            }
            if *self.turn.borrow_and_update() > self.notice {
                return;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Who writes which upload, across portal processes

/// The advisory lock class of uploads on PostgreSQL ("mcup"); the store's write lock
/// is a single 64-bit key, a key space apart from these pairs.
const UPLOAD_LOCK_CLASS: i32 = 0x6d63_7570;

/// An upload's lock on PostgreSQL: a session advisory lock on a connection of the
/// upload lock pool, released when dropped (or by the server, should the process die).
struct ProcessLock {
    conn: Option<sqlx::pool::PoolConnection<sqlx::Any>>,
    key: i32,
}

impl ProcessLock {
    /// Lets the lock go and gives the connection back.
    async fn release(mut self) {
        if let Some(conn) = self.conn.take() {
            unlock(conn, self.key).await;
        }
    }
}

async fn unlock(mut conn: sqlx::pool::PoolConnection<sqlx::Any>, key: i32) {
    let unlocked = sqlx::query("SELECT 1 FROM (SELECT pg_advisory_unlock($1, $2)) AS u")
        .bind(UPLOAD_LOCK_CLASS)
        .bind(key)
        .execute(&mut *conn)
        .await;
    if unlocked.is_err() {
        // A connection that may still hold the lock must not go back to the pool:
        // closed, the server lets the lock go.
        conn.close_on_drop();
    }
}

/// A lock not released by [`Writing::release`] (a request dropped midway) is let go by a
/// task of its own.
impl Drop for ProcessLock {
    fn drop(&mut self) {
        let (Some(conn), key) = (self.conn.take(), self.key) else {
            return;
        };
        // Without a runtime the process is ending: the connection closes with it.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(unlock(conn, key));
        }
    }
}

/// The lock key of an upload: the first 32 bits of its id. Two uploads sharing one
/// only wait for each other.
fn lock_key(id: &str) -> i32 {
    let hex: String = id.chars().filter(char::is_ascii_hexdigit).take(8).collect();
    u32::from_str_radix(&hex, 16).unwrap_or(0) as i32
}

/// Makes `writing` (this process's right to the upload's file) good across every
/// portal process of the database: on PostgreSQL it waits for the upload's lock, which
/// another process holds while it writes the upload, up to `upload_lock_wait`; `None`
/// then (the answer is [`UploadProblem::Busy`]). On SQLite (one process) it is good as
/// it is.
///
/// Another process's writer is not told to stop, as one in this process is: it ends
/// when its chunk ends, breaks off or stays silent for [`IDLE`], and the lock wait is
/// longer than that.
pub async fn across_processes(state: &AppState, mut writing: Writing, id: &str) -> Option<Writing> {
    let Some(pool) = &state.upload_locks else {
        return Some(writing);
    };
    let mut conn = pool.acquire().await.ok()?;
    let key = lock_key(id);
    let locked = sqlx::query("SELECT 1 FROM (SELECT pg_advisory_lock($1, $2)) AS l")
        .bind(UPLOAD_LOCK_CLASS)
        .bind(key)
        .execute(&mut *conn)
        .await;
    match locked {
        Ok(_) => {
            writing.across = Some(ProcessLock {
                conn: Some(conn),
                key,
            });
            Some(writing)
        }
        Err(e) => {
            // `lock_timeout` (55P03) is the expected end; anything else also leaves the
            // file alone, and the connection is not trusted again.
            if !matches!(&e, sqlx::Error::Database(d) if d.code().as_deref() == Some("55P03")) {
                tracing::warn!("upload {id}: its lock: {e}");
                conn.close_on_drop();
            }
            None
        }
    }
}

/// For a `HEAD`: `writing` good across processes only if no other process writes the
/// upload now (see [`across_processes`]); `None` otherwise, or when no lock connection
/// is free.
pub async fn try_across_processes(
    state: &AppState,
    mut writing: Writing,
    id: &str,
) -> Option<Writing> {
    let Some(pool) = &state.upload_locks else {
        return Some(writing);
    };
    // An idle connection, or a new one while the pool may grow (`try_acquire` alone
    // never opens one, so a process that had not yet written an upload would never
    // repair one); never a wait for one in use.
    let mut conn = match pool.try_acquire() {
        Some(conn) => conn,
        None if pool.size() < pool.options().get_max_connections() => pool.acquire().await.ok()?,
        None => return None,
    };
    let key = lock_key(id);
    let got: i32 =
        sqlx::query_scalar("SELECT CASE WHEN pg_try_advisory_lock($1, $2) THEN 1 ELSE 0 END")
            .bind(UPLOAD_LOCK_CLASS)
            .bind(key)
            .fetch_one(&mut *conn)
            .await
            .ok()?;
    if got != 1 {
        return None;
    }
    writing.across = Some(ProcessLock {
        conn: Some(conn),
        key,
    });
    Some(writing)
}

// ---------------------------------------------------------------------------------------
// Files

pub fn part_path(state: &AppState, id: &str) -> PathBuf {
    state.files_dir.join(format!("{id}.part"))
}

pub fn done_path(state: &AppState, id: &str) -> PathBuf {
    state.files_dir.join(id)
}

/// The canonical form of an upload id, which is also its file name: anything that is not
/// a UUID names no upload, and so can never name a path outside `files_dir`.
pub fn canonical_id(raw: &str) -> Option<String> {
    uuid::Uuid::parse_str(raw)
        .ok()
        .map(|u| u.hyphenated().to_string())
}

async fn file_len(path: &FsPath) -> Result<Option<u64>, ApiError> {
    match tokio::fs::metadata(path).await {
        Ok(meta) => Ok(Some(meta.len())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ApiError::internal(format!("{}: {e}", path.display()))),
    }
}

/// Makes a rename durable: the directory entry is data too.
async fn sync_dir(dir: &FsPath) -> Result<(), ApiError> {
    #[cfg(unix)]
    tokio::fs::File::open(dir)
        .await
        .map_err(ApiError::internal)?
        .sync_all()
        .await
        .map_err(ApiError::internal)?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Removes a file that may already be gone.
async fn remove(path: &FsPath) {
    if let Err(e) = tokio::fs::remove_file(path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("cannot remove {}: {e}", path.display());
    }
}

/// The SHA-256 (hex) of a file, and its first bytes for sniffing.
fn digest_file(path: &FsPath) -> std::io::Result<(String, Vec<u8>)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut head = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if head.len() < 16 {
            head.extend_from_slice(&buf[..n.min(16 - head.len())]);
        }
        hasher.update(&buf[..n]);
    }
    Ok((hex::encode(hasher.finalize()), head))
}

pub async fn load(db: &sqlx::AnyPool, id: &str) -> Result<Option<UploadRow>, ApiError> {
    Ok(sqlx::query_as(SELECT_UPLOAD)
        .bind(id)
        .fetch_optional(db)
        .await?)
}

/// The caller's own upload; anyone else's answers 404, as if it did not exist.
pub async fn owned(state: &AppState, user_id: i64, raw_id: &str) -> Result<UploadRow, ApiError> {
    let id = canonical_id(raw_id).ok_or(ApiError::NotFound)?;
    load(&state.db, &id)
        .await?
        .filter(|row| row.owner_id == user_id)
        .ok_or(ApiError::NotFound)
}

/// Makes the file and `received` agree, as the module documentation says, and returns
/// the bytes received. Only under [`Writing`], and for an upload not yet complete.
pub async fn settle(state: &AppState, row: &UploadRow) -> Result<u64, ApiError> {
    let part = part_path(state, &row.id);
    let on_disk = match file_len(&part).await? {
        Some(len) => len,
        None => {
            let done = done_path(state, &row.id);
            if let Some(len) = file_len(&done).await? {
                // A crash between the rename of `finish` and its database update: take
                // the file back, and the next `finish` checks and completes it again.
                tokio::fs::rename(&done, &part)
                    .await
                    .map_err(ApiError::internal)?;
                sync_dir(&state.files_dir).await?;
                len
            } else {
                // The bytes are lost: start again from nothing rather than fail forever.
                tracing::warn!("upload {}: its file is missing; restarting it", row.id);
                tokio::fs::create_dir_all(&state.files_dir)
                    .await
                    .map_err(ApiError::internal)?;
                tokio::fs::File::create(&part)
                    .await
                    .map_err(ApiError::internal)?;
                0
            }
        }
    };
    let recorded = row.received();
    if on_disk > recorded {
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(&part)
            .await
            .map_err(ApiError::internal)?;
        file.set_len(recorded).await.map_err(ApiError::internal)?;
        file.sync_data().await.map_err(ApiError::internal)?;
    } else if on_disk < recorded {
        set_received(state, &row.id, on_disk).await?;
    }
    Ok(on_disk.min(recorded))
}

/// How far an upload got, without touching anything: for a `HEAD` while a chunk is
/// being written. What the database says, unless the file has less.
pub async fn peek(state: &AppState, row: &UploadRow) -> Result<u64, ApiError> {
    let on_disk = match file_len(&part_path(state, &row.id)).await? {
        Some(len) => len,
        None => file_len(&done_path(state, &row.id)).await?.unwrap_or(0),
    };
    Ok(on_disk.min(row.received()))
}

async fn set_received(state: &AppState, id: &str, received: u64) -> Result<(), ApiError> {
    sqlx::query("UPDATE uploads SET received = $1 WHERE id = $2")
        .bind(i64::try_from(received).map_err(ApiError::internal)?)
        .bind(id)
        .execute(&state.db)
        .await?;
    Ok(())
}

/// The last step of an upload whose bytes have all arrived: the checksum and the content
/// must be what was declared, else the upload is discarded; then it is complete.
pub async fn finish(state: &AppState, row: &UploadRow) -> Result<(), ApiError> {
    let part = part_path(state, &row.id);
    let path = part.clone();
    let (digest, head) = tokio::task::spawn_blocking(move || digest_file(&path))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let declared = FileType::from_mime(&row.content_type);
    let problem = if digest != row.sha256 {
        Some(UploadProblem::ChecksumMismatch)
    } else {
        declared
            .filter(|kind| FileType::sniff(&head) != Some(*kind))
            .map(UploadProblem::ContentMismatch)
    };
    if let Some(problem) = problem {
        // The row first: a crash before the file goes leaves an orphan file, never a row
        // whose bytes are known bad.
        sqlx::query("DELETE FROM uploads WHERE id = $1")
            .bind(&row.id)
            .execute(&state.db)
            .await?;
        remove(&part).await;
        return Err(problem.into());
    }
    tokio::fs::rename(&part, done_path(state, &row.id))
        .await
        .map_err(ApiError::internal)?;
    sync_dir(&state.files_dir).await?;
    sqlx::query("UPDATE uploads SET complete = 1 WHERE id = $1")
        .bind(&row.id)
        .execute(&state.db)
        .await?;
    Ok(())
}

/// Characters that show nothing or turn the text around, which can disguise an
/// extension (`scan\u{202E}fdp.exe` displays as `scanexe.pdf`).
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || c == '\u{FEFF}'
}

/// Removes path components (a browser may send `C:\Users\…\scan.pdf`) and invisible
/// characters, composes to NFC and keeps at most [`MAX_FILENAME_BYTES`], with the
/// extension. `None` when nothing is left.
pub fn clean_filename(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let visible: String = base.chars().filter(|c| !invisible(*c)).collect();
    // Composed after the removal, which can bring a mark next to a new base letter.
    let composed = nfc(visible.trim());
    let name = composed.as_str();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        return None;
    }
    if name.len() <= MAX_FILENAME_BYTES {
        return Some(name.to_owned());
    }
    let extension = name
        .rfind('.')
        .map(|dot| &name[dot..])
        .filter(|ext| ext.len() <= 16)
        .unwrap_or("");
    let mut cut = MAX_FILENAME_BYTES - extension.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(format!("{}{extension}", name[..cut].trim_end()))
}

/// A checked `POST /uploads`.
pub struct NewUpload {
    filename: String,
    size: u64,
    sha256: String,
    kind: FileType,
}

/// A declared upload: its row written in the caller's transaction, its empty file made.
/// [`Declared::settle`] finishes the step once the transaction has ended.
pub struct Declared {
    pub id: String,
    part: PathBuf,
    abandoned: Vec<String>,
}

/// Declares an upload of `owner_id`'s, in the caller's transaction: forgets abandoned
/// uploads, makes the empty file and writes the row.
pub async fn declare(
    tx: &mut AnyConnection,
    state: &AppState,
    owner_id: i64,
    new: &NewUpload,
) -> Result<Declared, ApiError> {
    let abandoned = forget_abandoned(&mut *tx, state).await?;
    let id = uuid::Uuid::new_v4().hyphenated().to_string();
    tokio::fs::create_dir_all(&state.files_dir)
        .await
        .map_err(ApiError::internal)?;
    let part = part_path(state, &id);
    // `create_new`: whatever happens, an existing file is never overwritten.
    tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&part)
        .await
        .map_err(ApiError::internal)?;
    let inserted = async {
        sqlx::query(
            "INSERT INTO uploads (id, owner_id, filename, size, sha256, content_type, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(owner_id)
        .bind(&new.filename)
        .bind(i64::try_from(new.size).map_err(ApiError::internal)?)
        .bind(&new.sha256)
        .bind(new.kind.mime())
        .bind(state.clock.now().to_rfc3339())
        .execute(&mut *tx)
        .await?;
        Ok::<_, ApiError>(())
    }
    .await;
    let declared = Declared {
        id,
        part,
        abandoned,
    };
    match inserted {
        Ok(()) => Ok(declared),
        Err(e) => {
            declared.settle(state, false).await;
            Err(e)
        }
    }
}

impl Declared {
    /// After the transaction: once it committed, the abandoned uploads' files go; if it
    /// did not, this upload's file goes, since it has no row (a crash right here leaves
    /// an empty orphan file, never a row without its file).
    pub async fn settle(self, state: &AppState, committed: bool) {
        if committed {
            remove_files(state, &self.abandoned).await;
        } else {
            remove(&self.part).await;
        }
    }
}

pub fn check_new(request: CreateUpload) -> Result<NewUpload, ApiError> {
    let Some(kind) = FileType::from_mime(&request.content_type) else {
        let mut declared = request.content_type;
        let mut cut = declared.len().min(ECHO_LIMIT);
        while !declared.is_char_boundary(cut) {
            cut -= 1;
        }
        declared.truncate(cut);
        return Err(UploadProblem::TypeNotAccepted(declared).into());
    };
    if request.size > MAX_UPLOAD_SIZE {
        return Err(UploadProblem::FileTooLarge { size: request.size }.into());
    }
    let mut fields: BTreeMap<String, Rule> = BTreeMap::new();
    if request.size == 0 {
        fields.insert("size".into(), Arc::new(UploadProblem::Empty));
    }
    let sha256 = request.sha256.trim().to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        fields.insert("sha256".into(), Arc::new(UploadProblem::ChecksumFormat));
    }
    let filename = clean_filename(&request.filename);
    if filename.is_none() {
        fields.insert("filename".into(), Arc::new(UploadProblem::Filename));
    }
    match filename {
        Some(filename) if fields.is_empty() => Ok(NewUpload {
            filename,
            size: request.size,
            sha256,
            kind,
        }),
        _ => Err(ApiError::Validation(fields)),
    }
}

/// Deletes, in the creating transaction, the rows of uploads never attached to a
/// dossier and older than [`UNATTACHED_KEPT`], and returns their ids so that their files
/// go once it commits (a crash in between leaves orphan files, never a row without its
/// bytes). Done on each new upload: abandoned ones only pile up as new ones are made, so
/// this bounds them, and with none to forget it is one lookup on a partial index. An
/// upload whose chunk is being written now is left for next time.
async fn forget_abandoned(
    tx: &mut AnyConnection,
    state: &AppState,
) -> Result<Vec<String>, ApiError> {
    let before = (state.clock.now() - UNATTACHED_KEPT).to_rfc3339();
    let old: Vec<String> =
        sqlx::query_scalar("SELECT id FROM uploads WHERE dossier_id IS NULL AND created_at < $1")
            .bind(&before)
            .fetch_all(&mut *tx)
            .await?;
    let mut forgotten = Vec::new();
    for id in old.into_iter().filter(|id| !state.upload_writers.busy(id)) {
        sqlx::query("DELETE FROM uploads WHERE id = $1 AND dossier_id IS NULL")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        forgotten.push(id);
    }
    Ok(forgotten)
}

/// Removes the files of uploads whose rows are gone, finished or not.
async fn remove_files(state: &AppState, ids: &[String]) {
    for id in ids {
        remove(&part_path(state, id)).await;
        remove(&done_path(state, id)).await;
    }
}

/// Why a chunk stopped.
pub enum Stop {
    /// The body ended as announced.
    Ended,
    /// The body broke off (disconnect, bad encoding) or went silent for [`IDLE`].
    Cut,
    /// A newer `PATCH` for the upload asked for the file.
    Superseded,
    /// The chunk was refused as a whole (too large): the file is as before it.
    Refused(UploadProblem),
    /// The disk failed; the file keeps what was surely written.
    Failed(ApiError),
}

/// The next piece of the body's data, skipping trailers; `None` at its end.
async fn next_data(body: &mut Body) -> Option<Result<Bytes, axum::Error>> {
    loop {
        match std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await? {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    return Some(Ok(data));
                }
            }
            Err(e) => return Some(Err(e)),
        }
    }
}

/// Appends the chunk to the file as it arrives, then makes it durable and records it.
/// Returns the bytes received in all, and why the chunk stopped.
pub async fn write_chunk(
    state: &AppState,
    row: &UploadRow,
    at: u64,
    mut body: Body,
    writing: &mut Writing,
) -> Result<(u64, Stop), ApiError> {
    let mut file = tokio::fs::OpenOptions::new()
        .append(true)
        .open(part_path(state, &row.id))
        .await
        .map_err(ApiError::internal)?;
    let room = row.size().saturating_sub(at).min(MAX_CHUNK_SIZE);
    let mut written = 0u64;
    let stop = loop {
        let next = tokio::select! {
            biased;
            () = writing.until_superseded() => break Stop::Superseded,
            next = tokio::time::timeout(IDLE, next_data(&mut body)) => next,
        };
        let data = match next {
            Ok(Some(Ok(data))) => data,
            Ok(None) => break Stop::Ended,
            Ok(Some(Err(_))) | Err(_) => break Stop::Cut,
        };
        let len = data.len() as u64;
        if written + len > room {
            let problem = if at + written + len > row.size() {
                UploadProblem::BeyondSize { size: row.size() }
            } else {
                UploadProblem::ChunkTooLarge
            };
            // Refused whole rather than kept in part: a 413 must not move the offset.
            written = 0;
            break Stop::Refused(problem);
        }
        // Flushed piece by piece, so that `written` counts only what the disk took.
        if let Err(e) = async {
            file.write_all(&data).await?;
            file.flush().await
        }
        .await
        {
            break Stop::Failed(ApiError::internal(format!("upload {}: {e}", row.id)));
        }
        written += len;
    };
    let received = at + written;
    if matches!(stop, Stop::Refused(_) | Stop::Failed(_)) {
        file.set_len(received).await.map_err(ApiError::internal)?;
    }
    // Durable before recorded: the database never claims bytes the disk may lose.
    file.sync_data().await.map_err(ApiError::internal)?;
    if received != at {
        set_received(state, &row.id, received).await?;
    }
    Ok((received, stop))
}

// ---------------------------------------------------------------------------------------
// For the dossier code

/// A complete upload and its bytes, for `GET /dossiers/{code}/attachments/{id}`. The
/// caller checks that the user may see the dossier the upload is attached to. An unknown
/// or unfinished upload answers 404.
pub async fn open_complete(
    state: &AppState,
    upload_id: &str,
) -> Result<(UploadRow, tokio::fs::File), ApiError> {
    let id = canonical_id(upload_id).ok_or(ApiError::NotFound)?;
    let row = load(&state.db, &id)
        .await?
        .filter(|row| row.complete)
        .ok_or(ApiError::NotFound)?;
    let file = tokio::fs::File::open(done_path(state, &id))
        .await
        .map_err(|e| ApiError::internal(format!("upload {id} is complete but its file: {e}")))?;
    Ok((row, file))
}

/// Attaches `owner_id`'s complete upload to a dossier, in the caller's transaction (the
/// one that creates or changes the dossier). Refused (422) when the upload is not that
/// user's, not complete, or already attached to another dossier; attaching it again to
/// the same dossier changes nothing. The error is an [`ApiError::Rule`], so the caller can
/// move it under the field it came from (`documents[2].upload_id`).
pub async fn claim_for_dossier(
    tx: &mut AnyConnection,
    upload_id: &str,
    owner_id: i64,
    dossier_id: i64,
) -> Result<UploadInfo, ApiError> {
    let echo: String = upload_id.chars().take(40).collect();
    let not_found = || ApiError::from(UploadProblem::NotUploaded(echo.clone()));
    let id = canonical_id(upload_id).ok_or_else(not_found)?;
    let row: Option<UploadRow> = sqlx::query_as(SELECT_UPLOAD)
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?;
    let row = row
        .filter(|row| row.owner_id == owner_id)
        .ok_or_else(not_found)?;
    if !row.complete {
        return Err(UploadProblem::Incomplete(id).into());
    }
    match row.dossier_id {
        Some(already) if already == dossier_id => return Ok(row.info()),
        Some(_) => return Err(UploadProblem::AlreadyAttached(id).into()),
        None => {}
    }
    let attached = sqlx::query(
        "UPDATE uploads SET dossier_id = $1 WHERE id = $2 AND dossier_id IS NULL AND complete = 1",
    )
    .bind(dossier_id)
    .bind(&id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if attached != 1 {
        return Err(UploadProblem::AlreadyAttached(id).into());
    }
    Ok(row.info())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_their_path_and_stay_short() {
        assert_eq!(
            clean_filename("C:\\Users\\an\\Giấy khai sinh.pdf").as_deref(),
            Some("Giấy khai sinh.pdf")
        );
        assert_eq!(
            clean_filename("../../etc/passwd.pdf").as_deref(),
            Some("passwd.pdf")
        );
        assert_eq!(
            clean_filename("  scan\u{0}.png ").as_deref(),
            Some("scan.png")
        );
        assert_eq!(
            clean_filename("anh\u{202E}gnp.exe").as_deref(),
            Some("anhgnp.exe")
        );
        for bad in ["", "   ", "dir/", "..", ".", "a/..", "\u{200B}"] {
            assert_eq!(clean_filename(bad), None, "{bad:?}");
        }
        // NFD in, NFC out: "ễ" decomposed is e + circumflex + tilde.
        let decomposed = "Nguye\u{0302}\u{0303}n.pdf";
        assert_eq!(clean_filename(decomposed).as_deref(), Some("Nguyễn.pdf"));

        let long = format!("{}.pdf", "ễ".repeat(200));
        let short = clean_filename(&long).unwrap();
        assert!(short.len() <= MAX_FILENAME_BYTES, "{}", short.len());
        assert!(short.ends_with("ễ.pdf"), "{short}");
        let no_ext = "x".repeat(300);
        assert_eq!(clean_filename(&no_ext).unwrap().len(), MAX_FILENAME_BYTES);
    }

    /// Polls `future` once: far enough for a `take_over` to give its notice and queue
    /// for the lock.
    async fn start<F: Future>(future: Pin<&mut F>) {
        tokio::select! {
            biased;
            _ = future => panic!("the lock is held; it cannot be taken yet"),
            () = std::future::ready(()) => {}
        }
    }

    #[tokio::test]
    async fn the_clients_latest_patch_supersedes_the_writer_and_a_stale_one_does_not() {
        let writers = Arc::new(Writers::default());
        let mut live = writers.take_over("u", (1000, 5)).await;
        assert!(!live.superseded());
        assert!(
            writers.try_take("u").is_none(),
            "HEAD does not wait for the file"
        );

        // From an earlier offset, or from the same one but sent before: stale retries.
        let older = writers.take_over("u", (0, 9));
        tokio::pin!(older);
        start(older.as_mut()).await;
        let earlier = writers.take_over("u", (1000, 4));
        tokio::pin!(earlier);
        start(earlier.as_mut()).await;
        assert!(!live.superseded(), "stale retries wait");

        let resumed = writers.take_over("u", (1000, 6));
        tokio::pin!(resumed);
        start(resumed.as_mut()).await;
        assert!(live.superseded());
        live.until_superseded().await;

        // The queue is served in order; each stale one finds the resumed one came later.
        drop(live);
        let older = older.await;
        assert!(older.superseded());
        drop(older);
        let earlier = earlier.await;
        assert!(earlier.superseded());
        drop(earlier);
        let resumed = resumed.await;
        assert!(!resumed.superseded());
        drop(resumed);
        assert!(
            writers.lanes.lock().unwrap().is_empty(),
            "the last one out cleans up"
        );
    }

    #[test]
    fn sizes_read_as_megabytes_in_both_languages() {
        assert_eq!(megabytes(MAX_UPLOAD_SIZE, Lang::Vi), "20");
        assert_eq!(megabytes(MAX_UPLOAD_SIZE + 512 * 1024, Lang::Vi), "20,5");
        assert_eq!(megabytes(MAX_UPLOAD_SIZE + 512 * 1024, Lang::En), "20.5");
    }

    #[test]
    fn every_problem_has_a_status_a_code_and_two_messages() {
        let all = [
            UploadProblem::FileTooLarge { size: 1 },
            UploadProblem::ChunkTooLarge,
            UploadProblem::BeyondSize { size: 1 },
            UploadProblem::TypeNotAccepted("text/plain".into()),
            UploadProblem::ChunkType,
            UploadProblem::OffsetHeader,
            UploadProblem::OffsetMismatch {
                received: 1,
                sent: 2,
            },
            UploadProblem::ChunkCut { received: 1 },
            UploadProblem::Superseded { received: 1 },
            UploadProblem::Busy { received: 1 },
            UploadProblem::ChecksumMismatch,
            UploadProblem::ContentMismatch(FileType::Png),
            UploadProblem::Empty,
            UploadProblem::ChecksumFormat,
            UploadProblem::Filename,
            UploadProblem::NotUploaded("x".into()),
            UploadProblem::Incomplete("x".into()),
            UploadProblem::AlreadyAttached("x".into()),
        ];
        for problem in all {
            let error = ApiError::from(problem.clone());
            assert_eq!(
                error.status().as_u16(),
                problem.error_code().status(),
                "{problem:?}"
            );
            let vi = problem.message(Lang::Vi);
            let en = problem.message(Lang::En);
            assert!(vi.contains("Hãy"), "says what to do: {vi}");
            assert_ne!(vi, en);
            assert!(!problem.code().is_empty());
        }
    }
}
