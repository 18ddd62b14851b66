//! Resumable uploads: a small, hand-written subset of tus 1.0. A client declares the file
//! (`POST /uploads`), asks how far the server got (`HEAD /uploads/{id}`, header
//! `Upload-Offset`) and appends chunks from there (`PATCH /uploads/{id}`), so a dropped
//! connection on a slow link costs only the bytes that had not arrived yet.
//!
//! Every `PATCH` answer that is not a success and leaves the upload in place carries the
//! server's `Upload-Offset`, so a client resumes from it without a separate `HEAD`.

use crate::api::limits::{self, Bound, Bounded};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest file accepted.
pub const MAX_UPLOAD_SIZE: u64 = 20 * 1024 * 1024;

/// The largest chunk one `PATCH` may carry. On a slow link a client should send much
/// smaller chunks (a few hundred KiB): a request must finish within the portal's request
/// timeout, and whatever arrived of a broken chunk is kept anyway.
pub const MAX_CHUNK_SIZE: u64 = 8 * 1024 * 1024;

/// The `Content-Type` of a chunk.
pub const CHUNK_CONTENT_TYPE: &str = "application/offset+octet-stream";

/// Longest stored file name, in UTF-8 bytes.
pub const MAX_FILENAME_BYTES: usize = 255;

/// The kinds of file a dossier may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
}

impl FileType {
    pub const ALL: [FileType; 3] = [FileType::Pdf, FileType::Jpeg, FileType::Png];

    /// The media type on the wire.
    pub const fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
        }
    }

    /// The type named by a `content_type`, ignoring case and parameters
    /// (`application/PDF; charset=binary` is a PDF).
    pub fn from_mime(content_type: &str) -> Option<FileType> {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        FileType::ALL
            .into_iter()
            .find(|t| t.mime().eq_ignore_ascii_case(essence))
    }

    /// The bytes every file of this type starts with.
    pub const fn signature(self) -> &'static [u8] {
        match self {
            FileType::Pdf => b"%PDF-",
            FileType::Jpeg => &[0xFF, 0xD8, 0xFF],
            FileType::Png => &[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n'],
        }
    }

    /// The type the first bytes of a file show, if any: clients can check a file before
    /// spending a slow link on it, and the server checks it again on completion.
    pub fn sniff(head: &[u8]) -> Option<FileType> {
        FileType::ALL
            .into_iter()
            .find(|t| head.starts_with(t.signature()))
    }
}

/// `POST /uploads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreateUpload {
    #[schema(min_length = 1, max_length = 1024)]
    pub filename: String,
    /// Bytes, at most [`MAX_UPLOAD_SIZE`].
    #[schema(minimum = 1, maximum = 20_971_520)]
    pub size: u64,
    /// SHA-256 of the whole file, 64 hex digits.
    #[schema(pattern = "^[0-9a-fA-F]{64}$", max_length = 64)]
    pub sha256: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    #[schema(schema_with = accepted_types)]
    pub content_type: String,
}

/// The schema of `content_type`: the media types of [`FileType`], so that the document
/// cannot list one the server refuses.
fn accepted_types() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .description(Some(
            "`application/pdf`, `image/jpeg` or `image/png` (case and parameters are ignored).",
        ))
        .enum_values(Some(FileType::ALL.map(FileType::mime)))
        .max_length(Some(limits::CODE))
        .build()
}

/// The answer to `POST /uploads` (with `Location: /api/v1/uploads/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UploadCreated {
    pub id: String,
    /// Always 0: where the first `PATCH` starts.
    pub offset: u64,
}

/// A complete upload as a dossier shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UploadInfo {
    pub id: String,
    /// As sanitized by the server: no path, NFC, at most [`MAX_FILENAME_BYTES`].
    pub filename: String,
    pub size: u64,
    pub sha256: String,
    pub content_type: String,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl Bounded for CreateUpload {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("filename", limits::FILENAME),
        Bound::line("sha256", limits::CODE),
        Bound::line("content_type", limits::CODE),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_ignore_case_and_parameters() {
        assert_eq!(FileType::from_mime("application/pdf"), Some(FileType::Pdf));
        assert_eq!(FileType::from_mime(" Image/PNG ; x=y"), Some(FileType::Png));
        assert_eq!(FileType::from_mime("image/jpeg"), Some(FileType::Jpeg));
        assert_eq!(FileType::from_mime("text/plain"), None);
        assert_eq!(FileType::from_mime(""), None);
    }

    #[test]
    fn sniffing_reads_the_signatures() {
        assert_eq!(FileType::sniff(b"%PDF-1.7\n"), Some(FileType::Pdf));
        assert_eq!(
            FileType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]),
            Some(FileType::Jpeg)
        );
        assert_eq!(
            FileType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(FileType::Png)
        );
        assert_eq!(FileType::sniff(b"%PDF"), None, "too short to tell");
        assert_eq!(FileType::sniff(b"hello"), None);
        assert_eq!(FileType::sniff(b""), None);
    }
}
