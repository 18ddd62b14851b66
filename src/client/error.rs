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
    /// A local file could not be written (downloads).
    #[error("file: {0}")]
    File(String),
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
            (ClientError::File(e), Vi) => format!("Không ghi được tệp: {e}. Hãy chọn đường dẫn khác."),
            (ClientError::File(e), En) => format!("Could not write the file: {e}. Choose another path."),
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

impl From<reqwest::Error> for ClientError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            ClientError::Timeout
        } else if e.is_decode() {
            ClientError::Decode(e.to_string())
        } else if e.is_builder() {
            ClientError::BadUrl(e.url().map(|u| u.to_string()).unwrap_or_default())
        } else {
            // Connect errors, resets and broken bodies: the link, not the portal.
            ClientError::Offline(e.to_string())
        }
    }
}
