//! The one error type of the client boundary, with a sentence for the official in either
//! language that says what is wrong and what to do.

use crate::api::dossiers::Dossier;
use crate::domain::Lang;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The portal could not be reached (refused, reset, no route, DNS).
    #[error("the portal cannot be reached: {0}")]
    Offline(String),
    /// The portal did not answer in time.
    #[error("the portal did not answer in time")]
    Timeout,
    /// 401: the session ended, or the credentials were wrong (at login).
    #[error("unauthorized ({code}): {message}")]
    Unauthorized { code: String, message: String },
    /// 412: someone changed the dossier first; this is what it is now.
    #[error("the dossier changed (version {})", current.version)]
    Conflict { current: Box<Dossier> },
    /// 429: too many attempts; wait this long.
    #[error("rate limited: {message}")]
    RateLimited {
        retry_after: Option<Duration>,
        message: String,
    },
    /// Any other error answer, with the portal's code, message and field errors.
    #[error("{status} {code}: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
        fields: BTreeMap<String, String>,
        /// 409 `citizen_exists`: the account that has the number, when the office serves
        /// the citizen (`None`: another office does).
        existing_id: Option<String>,
    },
    /// The answer was not what the API promises (never a panic).
    #[error("unexpected answer from the portal: {0}")]
    Decode(String),
    /// A local file could not be written (downloads): where, and why.
    #[error("cannot write {path}: {kind}")]
    File {
        path: String,
        kind: std::io::ErrorKind,
    },
    /// A downloaded file does not hash to the SHA-256 the portal states: it was removed.
    #[error("{path}: the downloaded file does not match its SHA-256")]
    Damaged { path: String },
    /// A file to upload could not be read: where, and why.
    #[error("cannot read {path}: {kind}")]
    FileRead {
        path: String,
        kind: std::io::ErrorKind,
    },
    /// A file to upload is not a PDF, JPEG or PNG (by what it holds, whatever its name).
    #[error("{0}: not a PDF, JPEG or PNG file")]
    UnsupportedFile(String),
    /// A file to upload is empty, or larger than the portal takes.
    #[error("{path}: {size} bytes, outside 1 byte to {max} bytes")]
    FileSize { path: String, size: u64, max: u64 },
    /// The portal address in the configuration is not usable.
    #[error("bad portal address '{0}'")]
    BadUrl(String),
}

impl ClientError {
    /// What the official reads. The portal's own messages are already in the language
    /// asked for (Accept-Language); the rest are worded here.
    pub fn message(&self, lang: Lang) -> String {
        use Lang::{En, Vi};
        match (self, lang) {
            (ClientError::Offline(_), Vi) => "Không kết nối được cổng dịch vụ công. Kiểm tra mạng; dữ liệu đang hiển thị là bản đã tải trước đó.".into(),
            (ClientError::Offline(_), En) => "The portal cannot be reached. Check the network; what you see is the data loaded earlier.".into(),
            (ClientError::Timeout, Vi) => "Cổng dịch vụ công không trả lời kịp. Đường truyền có thể chậm; hãy thử lại.".into(),
            (ClientError::Timeout, En) => "The portal did not answer in time. The link may be slow; try again.".into(),
            (ClientError::Unauthorized { message, .. }, _) => message.clone(),
            (ClientError::Conflict { .. }, Vi) => "Hồ sơ vừa được người khác thay đổi. Hãy xem bản mới nhất rồi thao tác lại.".into(),
            (ClientError::Conflict { .. }, En) => "Someone changed the dossier first. Look at the latest version and act again.".into(),
            (ClientError::RateLimited { message, .. }, _) => message.clone(),
            (ClientError::Api { message, .. }, _) => message.clone(),
            (ClientError::Decode(_), Vi) => "Cổng dịch vụ công trả lời không đúng định dạng. Hãy thử lại; nếu còn lỗi, báo cho quản trị hệ thống.".into(),
            (ClientError::Decode(_), En) => "The portal's answer was not in the expected form. Try again; if it persists, tell the system administrator.".into(),
            (ClientError::File { path, kind }, Vi) => format!("Không ghi được tệp {path}: {}. Hãy chọn đường dẫn khác.", io_words(*kind, Vi)),
            (ClientError::File { path, kind }, En) => format!("Could not write {path}: {}. Choose another path.", io_words(*kind, En)),
            (ClientError::Damaged { path }, Vi) => format!("Tệp {path} tải về bị hỏng (mã kiểm tra SHA-256 không khớp với cổng) nên đã được xóa. Hãy tải lại; nếu vẫn hỏng, báo cho quản trị hệ thống."),
            (ClientError::Damaged { path }, En) => format!("The downloaded file {path} is damaged (its SHA-256 does not match the portal's), so it was removed. Download it again; if it is still damaged, tell the system administrator."),
            (ClientError::FileRead { path, kind }, Vi) => format!("Không đọc được tệp {path}: {}. Hãy kiểm tra đường dẫn.", io_words(*kind, Vi)),
            (ClientError::FileRead { path, kind }, En) => format!("Could not read {path}: {}. Check the path.", io_words(*kind, En)),
            (ClientError::UnsupportedFile(path), Vi) => format!("Tệp {path} không đúng loại: chỉ nhận tệp PDF, JPEG hoặc PNG. Hãy chọn bản quét hay bản chụp ở một trong các loại đó."),
            (ClientError::UnsupportedFile(path), En) => format!("{path} is of the wrong type: only PDF, JPEG or PNG files are accepted. Choose a scan or a photo in one of those."),
            (ClientError::FileSize { path, size: 0, .. }, Vi) => format!("Tệp {path} rỗng. Hãy chọn tệp khác."),
            (ClientError::FileSize { path, size: 0, .. }, En) => format!("{path} is empty. Choose another file."),
            (ClientError::FileSize { path, size, max }, Vi) => format!("Tệp {path} dài {} MB, quá giới hạn {} MB. Hãy quét ở 150–200 dpi hoặc chia thành nhiều tệp.", size.div_ceil(1 << 20), max / (1 << 20)),
            (ClientError::FileSize { path, size, max }, En) => format!("{path} is {} MB, over the limit of {} MB. Scan at 150–200 dpi or split it into several files.", size.div_ceil(1 << 20), max / (1 << 20)),
            (ClientError::BadUrl(u), Vi) => format!("Địa chỉ cổng “{u}” không hợp lệ. Sửa [[profile]] trong tệp cấu hình."),
            (ClientError::BadUrl(u), En) => format!("The portal address “{u}” is not valid. Fix the [[profile]] in the configuration file."),
        }
    }

    /// The token was refused: log in again.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, ClientError::Unauthorized { .. })
    }

    /// The portal was not reached at all (for the status bar's online/offline).
    pub fn is_offline(&self) -> bool {
        matches!(self, ClientError::Offline(_) | ClientError::Timeout)
    }
}

/// Why a file could not be read or written, in the official's language (the system's
/// own words are English).
pub fn io_words(kind: std::io::ErrorKind, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    let (vi, en) = match kind {
        K::NotFound => ("không có tệp hay thư mục này", "no such file or folder"),
        K::PermissionDenied => ("không có quyền", "permission denied"),
        K::AlreadyExists => ("đã có tệp cùng tên", "a file of that name exists"),
        K::IsADirectory => ("đây là một thư mục", "it is a folder"),
        K::NotADirectory => (
            "một phần của đường dẫn không phải thư mục",
            "part of the path is not a folder",
        ),
        K::StorageFull | K::QuotaExceeded => ("ổ đĩa đã đầy", "the disk is full"),
        K::ReadOnlyFilesystem => ("ổ đĩa chỉ cho đọc", "the disk is read-only"),
        other => {
            return match lang {
                Lang::Vi => format!("lỗi hệ thống ({other})"),
                Lang::En => format!("system error ({other})"),
            };
        }
    };
    match lang {
        Lang::Vi => vi.to_owned(),
        Lang::En => en.to_owned(),
    }
}

impl From<reqwest::Error> for ClientError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            ClientError::Timeout
        } else if e.is_builder() {
            ClientError::BadUrl(e.url().map(|u| u.to_string()).unwrap_or_default())
        } else if e.is_decode() {
            ClientError::Decode(with_causes(e))
        } else {
            // Connect errors, resets and broken bodies: the link, not the portal.
            ClientError::Offline(with_causes(e))
        }
    }
}

/// The error and its causes (what the administrator reading the log needs), without the
/// request's address (a citizen's number may be in its query).
fn with_causes(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
