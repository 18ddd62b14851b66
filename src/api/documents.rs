//! Documents (DOMAIN.md "Digitization"): a document part digitized at the desk, the
//! citizen's store of digitized documents and results, a result file, and what the store
//! offers for reuse.

use crate::api::dossiers::Attachment;
use crate::api::limits::{self, Bound, Bounded};
use crate::domain::documents::{DOC_TYPE_MAX, ISSUER_MAX, NUMBER_MAX};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a stored document came into the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StoredKind {
    /// Scanned from paper at a desk, with its metadata.
    Digitized,
    /// A result the office issued (`POST /dossiers/{code}/result-files`).
    Result,
}

/// One document of a citizen's store (`GET /citizens/{id}/documents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StoredDocument {
    /// Opaque; pass as `stored_document_id` of a document part to reuse it.
    pub id: String,
    pub doc_type: String,
    #[schema(required = true)]
    pub number: Option<String>,
    #[schema(format = Date, required = true)]
    pub issued_on: Option<String>,
    #[schema(required = true)]
    pub issuer: Option<String>,
    /// The last day it is valid; `null`: it does not expire.
    #[schema(format = Date, required = true)]
    pub valid_until: Option<String>,
    /// The code of the dossier it was digitized in or issued for.
    pub source_dossier: String,
    /// The document part it was digitized for (`null` for a result): a desk offers it
    /// first for a part of the same id.
    #[serde(default)]
    #[schema(required = true)]
    pub source_part: Option<String>,
    pub kind: StoredKind,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Past its `valid_until` on the portal's today: it cannot be reused.
    pub expired: bool,
}

/// How a document part of a dossier is in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DigitizationKind {
    /// Scanned in this dossier (the file is the part's attachment).
    Digitized,
    /// Taken from the citizen's store instead of being presented again.
    Reused,
}

/// A document part's digitization (`Document.digitization`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Digitization {
    pub kind: DigitizationKind,
    /// The document in the citizen's store.
    pub stored_document_id: String,
    pub doc_type: String,
    #[schema(required = true)]
    pub number: Option<String>,
    #[schema(format = Date, required = true)]
    pub issued_on: Option<String>,
    #[schema(required = true)]
    pub issuer: Option<String>,
    #[schema(format = Date, required = true)]
    pub valid_until: Option<String>,
    #[schema(format = DateTime)]
    pub at: String,
    /// The officer's username.
    #[schema(required = true)]
    pub by: Option<String>,
}

/// `PUT /dossiers/{code}/documents/{part_id}/digitization`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigitizationRequest {
    /// The scan, a completed upload of the caller's; absent: the part's attachment is
    /// the scan (a part attached online, or digitized before).
    #[serde(default)]
    #[schema(max_length = 64)]
    pub upload_id: Option<String>,
    /// The kind of document: `Giấy khai sinh`, `Căn cước công dân`…
    #[schema(max_length = 100)]
    pub doc_type: String,
    #[serde(default)]
    #[schema(max_length = 64)]
    pub number: Option<String>,
    /// `YYYY-MM-DD`, not in the future.
    #[serde(default)]
    #[schema(format = Date, max_length = 32)]
    pub issued_on: Option<String>,
    /// The issuing body.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub issuer: Option<String>,
    /// `YYYY-MM-DD`, not before `issued_on` nor already past.
    #[serde(default)]
    #[schema(format = Date, max_length = 32)]
    pub valid_until: Option<String>,
}

impl Bounded for DigitizationRequest {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("upload_id", limits::CODE),
        Bound::line("doc_type", DOC_TYPE_MAX),
        Bound::line("number", NUMBER_MAX),
        Bound::line("issued_on", limits::SHORT),
        Bound::line("issuer", ISSUER_MAX),
        Bound::line("valid_until", limits::SHORT),
    ];
}

/// `POST /dossiers/{code}/result-files`: a result the office issues, as a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultFileRequest {
    /// A completed upload of the caller's.
    #[schema(max_length = 64)]
    pub upload_id: String,
    /// What the result is: `Giấy chứng nhận kết hôn`, `Trích lục khai sinh`…
    #[schema(max_length = 100)]
    pub doc_type: String,
    /// The result's number in its book or register.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub number: Option<String>,
}

impl Bounded for ResultFileRequest {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("upload_id", limits::CODE),
        Bound::line("doc_type", DOC_TYPE_MAX),
        Bound::line("number", NUMBER_MAX),
    ];
}

/// A result file of a dossier (`Dossier.result_files`, and the answer of
/// `POST /dossiers/{code}/result-files`): the document in the citizen's store and the
/// file, downloadable as the dossier's attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResultFile {
    pub document: StoredDocument,
    pub attachment: Attachment,
    /// The officer's username.
    #[schema(required = true)]
    pub added_by: Option<String>,
}
