//! Dossiers: officer-assisted submission, lists, the full dossier, actions, history and
//! the delta feed.

use crate::api::limits::{self, Bound, Bounded};
use crate::domain::calendar::Timeliness;
use crate::domain::identity::Gender;
use crate::domain::status::Status;
use crate::domain::workflow::{Action, DeliveryMethod, Role, Verdict};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Desk (officer-assisted) or online (citizen) submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Desk,
    Online,
}

/// Who submits: the applicant in person, or someone authorized by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    #[serde(rename = "self")]
    Myself,
    Authorized,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Submitter {
    #[schema(max_length = 100)]
    pub full_name: String,
    #[serde(default)]
    #[schema(max_length = 32)]
    pub id_number: Option<String>,
    pub relation: Relation,
    /// The authorization document (giấy ủy quyền), required when `authorized`.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub authorization_doc: Option<String>,
}

/// The applicant of a desk submission, one of two shapes: a citizen this office already
/// serves (created here, or applying here before) by their id, or any citizen by what
/// they present at the desk. A `citizen_id` the office does not serve is refused as if
/// unknown (422 `validation_failed` on `applicant.citizen_id`); a presented number and
/// date of birth that do not both match one citizen are 422 `applicant_mismatch`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ApplicantRef {
    Citizen(CitizenRef),
    Presented(Presented),
}

impl ApplicantRef {
    /// A citizen the office serves, by id.
    pub fn citizen(id: impl Into<String>) -> ApplicantRef {
        ApplicantRef::Citizen(CitizenRef {
            citizen_id: id.into(),
        })
    }
}

/// A citizen by id (`Citizen.id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CitizenRef {
    /// The citizen's opaque id.
    #[schema(max_length = 64)]
    pub citizen_id: String,
}

/// A citizen by what they present at the desk, read from their identity card: both
/// must match one citizen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Presented {
    /// The 12-digit personal identity number.
    #[schema(max_length = 32)]
    pub id_number: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date, max_length = 32)]
    pub date_of_birth: String,
}

/// One document part as handed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentIn {
    #[schema(max_length = 64)]
    pub part_id: String,
    #[serde(default)]
    pub originals: u32,
    #[serde(default)]
    pub copies: u32,
    /// A completed upload; without one (and without `stored_document_id`) the part is
    /// presented on paper.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub upload_id: Option<String>,
    /// A document of the applicant's store, reused instead of being presented again
    /// (desk submissions; not with `upload_id`). Expired: 422 `document_expired`; not
    /// the applicant's: 422 `document_not_owned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64)]
    pub stored_document_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    pub method: DeliveryMethod,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub address: Option<String>,
}

/// `POST /dossiers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreateDossier {
    #[schema(max_length = 64)]
    pub procedure_code: String,
    #[schema(max_length = 64)]
    pub case_id: String,
    pub applicant: ApplicantRef,
    pub submitter: Submitter,
    #[schema(max_items = 50)]
    pub documents: Vec<DocumentIn>,
    pub delivery: Delivery,
    pub declaration_accepted: bool,
    /// Several lines allowed.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Pages of one copy, for per-page fees (certified copies).
    #[serde(default)]
    pub pages: Option<u32>,
    /// Copies asked for, for per-page fees.
    #[serde(default)]
    pub copies: Option<u32>,
    /// Taken in with the link down (issue 19): a held number of the caller's own lease
    /// (`POST /code-leases`), printed on the receipt at the desk. Another's, a voided
    /// one or one sent after its lease's `accepted_until`: 409 `code_not_leased`; one
    /// numbering a dossier already: 409 `code_used`. With `received_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64)]
    pub code: Option<String>,
    /// The moment the desk received it (RFC 3339), with `code`: within the lease's day,
    /// from the moment the lease was made, not in the future. The due time runs from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64, format = DateTime)]
    pub received_at: Option<String>,
    /// With `code`: the due time the desk printed on the receipt (RFC 3339), counted by
    /// its own copy of the catalog and calendar. The dossier's history keeps it beside
    /// the due time the portal counts (`taken_offline`), so that a receipt promising
    /// another day is on record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 64, format = DateTime)]
    pub printed_due_at: Option<String>,
}

/// A list item: what the inbox table shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DossierSummary {
    pub code: String,
    pub status: Status,
    pub channel: Channel,
    pub applicant_name: String,
    pub procedure_code: String,
    pub procedure_name: String,
    #[schema(format = DateTime)]
    pub submitted_at: String,
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub received_at: Option<String>,
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub due_at: Option<String>,
    pub overdue: bool,
    pub payment_status: PaymentStatus,
    pub version: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Unpaid,
    Paid,
    Exempt,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Applicant {
    /// The citizen's opaque id (`Citizen.id`).
    pub citizen_id: String,
    pub id_number: String,
    pub full_name: String,
    #[schema(format = Date)]
    pub date_of_birth: String,
    pub gender: Gender,
    pub phone: String,
    #[schema(required = true)]
    pub email: Option<String>,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Document {
    pub part_id: String,
    pub name: String,
    pub originals: u32,
    pub copies: u32,
    pub on_paper: bool,
    #[schema(required = true)]
    pub attachment: Option<Attachment>,
    /// In the citizen's store: scanned in this dossier, or reused from the store.
    /// `null`: not digitized (yet).
    #[serde(default)]
    #[schema(required = true)]
    pub digitization: Option<crate::api::documents::Digitization>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Fee {
    pub amount: u64,
    pub status: PaymentStatus,
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub paid_at: Option<String>,
    #[schema(required = true)]
    pub method: Option<String>,
    #[schema(required = true)]
    pub receipt_no: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NamedRef {
    pub code: String,
    pub name: String,
}

/// The supplement asked for, as on form 02.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SupplementRequest {
    pub reason: String,
    pub missing_documents: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResultProposal {
    pub result: Verdict,
    pub summary: String,
}

/// One step of the timeline (`GET /dossiers/{code}/history`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    #[schema(format = DateTime)]
    pub at: String,
    #[schema(required = true)]
    pub username: Option<String>,
    #[schema(required = true)]
    pub role: Option<String>,
    /// `created`, `taken_offline` (a dossier taken in with the link down arrived: when it
    /// was received, and the due time printed on its receipt when the portal counts
    /// another, in `reason`), or the action's wire name.
    pub action: String,
    #[schema(required = true)]
    pub from: Option<Status>,
    #[schema(required = true)]
    pub to: Option<Status>,
    #[schema(required = true)]
    pub reason: Option<String>,
    /// What was handed over, on a `return_result` step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handover: Option<crate::api::results::Handover>,
}

/// `GET /dossiers/{code}`: the whole dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Dossier {
    pub code: String,
    pub version: i64,
    pub status: Status,
    pub channel: Channel,
    pub office: NamedRef,
    pub procedure: NamedRef,
    pub case: NamedRef,
    pub applicant: Applicant,
    pub submitter: Submitter,
    pub documents: Vec<Document>,
    pub fee: Fee,
    pub delivery: Delivery,
    #[schema(format = DateTime)]
    pub submitted_at: String,
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub received_at: Option<String>,
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub due_at: Option<String>,
    pub overdue: bool,
    pub extensions: u32,
    #[schema(required = true)]
    pub assignee: Option<String>,
    #[schema(required = true)]
    pub supplement: Option<SupplementRequest>,
    #[schema(required = true)]
    pub proposal: Option<ResultProposal>,
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub returned_at: Option<String>,
    #[schema(required = true)]
    pub recipient: Option<String>,
    #[schema(required = true)]
    pub timeliness: Option<Timeliness>,
    #[schema(required = true)]
    pub note: Option<String>,
    pub timeline: Vec<HistoryEntry>,
    /// The results issued as files, oldest first (each also in the citizen's store).
    #[serde(default)]
    pub result_files: Vec<crate::api::documents::ResultFile>,
    /// What `return_result` handed over, once returned.
    #[serde(default)]
    #[schema(required = true)]
    pub handover: Option<crate::api::results::Handover>,
    /// The citizen's satisfaction rating, once given.
    #[serde(default)]
    #[schema(required = true)]
    pub rating: Option<crate::api::results::Rating>,
}

/// `POST /dossiers/{code}/actions` (with `If-Match: "<version>"`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActionRequest {
    pub action: Option<Action>,
    /// Several lines allowed.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// Each at most 300 characters.
    #[serde(default)]
    #[schema(schema_with = missing_documents)]
    pub missing_documents: Vec<String>,
    /// Username of the specialist to forward to.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub assignee: Option<String>,
    /// In đồng.
    #[serde(default)]
    #[schema(maximum = 1_000_000_000_000_i64)]
    pub amount: Option<u64>,
    #[serde(default)]
    pub result: Option<Verdict>,
    /// Several lines allowed.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub summary: Option<String>,
    /// RFC 3339.
    #[serde(default)]
    #[schema(format = DateTime, max_length = 64)]
    pub new_due_at: Option<String>,
    #[serde(default)]
    pub delivery: Option<DeliveryMethod>,
    /// Kept for older clients: `return_result` takes the receiver's name (in person) or
    /// the applicant's from `handover`.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub recipient: Option<String>,
    /// `return_result`: in person the `receiver` (required), the originals handed back
    /// and the result documents issued; by post the `postal_tracking` code (required).
    #[serde(default)]
    pub handover: Option<crate::api::results::Handover>,
}

/// One entry of the delta feed: a changed dossier, or a tombstone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Change {
    Dossier(DossierSummary),
    Deleted { code: String, deleted: bool },
}

/// `GET /dossiers/changes?since=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Changes {
    pub changes: Vec<Change>,
    /// Pass as `since` next time.
    pub seq: i64,
}

/// Who may act: for the TUI's action menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RoleAction {
    pub role: Role,
    pub action: Action,
}

/// `POST /citizen/dossiers`: a citizen's online submission (the portal's 13 steps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CitizenSubmission {
    /// The unit code of the office that will receive it.
    #[schema(max_length = 64)]
    pub office_code: String,
    #[schema(max_length = 64)]
    pub procedure_code: String,
    #[schema(max_length = 64)]
    pub case_id: String,
    /// Every part attached (`upload_id`): nothing can be handed over on paper online.
    #[schema(max_items = 50)]
    pub documents: Vec<DocumentIn>,
    pub delivery: Delivery,
    pub declaration_accepted: bool,
    /// Several lines allowed.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    #[serde(default)]
    pub pages: Option<u32>,
    #[serde(default)]
    pub copies: Option<u32>,
}

/// `POST /citizen/dossiers/{code}/supplement`: the documents the office asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SupplementIn {
    #[schema(max_items = 50)]
    pub documents: Vec<DocumentIn>,
    /// Several lines allowed.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// `GET /public/dossiers/{code}?id_number=`: what anyone holding the receipt may know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicStatus {
    pub code: String,
    pub status: Status,
    pub status_label: String,
    pub office: String,
    pub procedure: String,
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub due_at: Option<String>,
    /// What the office asked for, while a supplement is awaited.
    pub missing_documents: Vec<String>,
}

/// The schema of `missing_documents`: texts of at most [`limits::MISSING_DOCUMENT`]
/// characters.
fn missing_documents() -> utoipa::openapi::Array {
    utoipa::openapi::ArrayBuilder::new()
        .items(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .max_length(Some(limits::MISSING_DOCUMENT)),
        )
        .max_items(Some(limits::MISSING_DOCUMENTS))
        .build()
}

/// What every submission shares: the documents and the delivery address.
const SUBMISSION: [Bound; 7] = [
    Bound::line("procedure_code", limits::CODE),
    Bound::line("case_id", limits::CODE),
    Bound::items("documents", limits::DOCUMENTS),
    Bound::line("documents[].part_id", limits::CODE),
    Bound::line("documents[].upload_id", limits::CODE),
    Bound::line("delivery.address", limits::ADDRESS),
    Bound::line("documents[].stored_document_id", limits::CODE),
];

impl Bounded for CreateDossier {
    const BOUNDS: &'static [Bound] = &[
        SUBMISSION[0],
        SUBMISSION[1],
        SUBMISSION[2],
        SUBMISSION[3],
        SUBMISSION[4],
        SUBMISSION[5],
        SUBMISSION[6],
        Bound::line("applicant.citizen_id", limits::CODE),
        Bound::line("applicant.id_number", limits::SHORT),
        Bound::line("applicant.date_of_birth", limits::SHORT),
        Bound::line("submitter.full_name", limits::NAME),
        Bound::line("submitter.id_number", limits::SHORT),
        Bound::line("submitter.authorization_doc", limits::ADDRESS),
        Bound::lines("note", limits::NOTE),
        Bound::line("code", limits::CODE),
        Bound::line("received_at", limits::CODE),
        Bound::line("printed_due_at", limits::CODE),
    ];
}

impl Bounded for Presented {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("id_number", limits::SHORT),
        Bound::line("date_of_birth", limits::SHORT),
    ];
}

impl Bounded for CitizenSubmission {
    const BOUNDS: &'static [Bound] = &[
        SUBMISSION[0],
        SUBMISSION[1],
        SUBMISSION[2],
        SUBMISSION[3],
        SUBMISSION[4],
        SUBMISSION[5],
        SUBMISSION[6],
        Bound::line("office_code", limits::CODE),
        Bound::lines("note", limits::NOTE),
    ];
}

impl Bounded for SupplementIn {
    const BOUNDS: &'static [Bound] = &[
        SUBMISSION[2],
        SUBMISSION[3],
        SUBMISSION[4],
        SUBMISSION[6],
        Bound::lines("note", limits::NOTE),
    ];
}

impl Bounded for ActionRequest {
    const BOUNDS: &'static [Bound] = &[
        Bound::lines("reason", limits::NOTE),
        Bound::items("missing_documents", limits::MISSING_DOCUMENTS),
        Bound::line("missing_documents[]", limits::MISSING_DOCUMENT),
        Bound::line("assignee", limits::CODE),
        Bound::amount("amount"),
        Bound::lines("summary", limits::NOTE),
        Bound::line("new_due_at", limits::CODE),
        Bound::line("recipient", limits::NAME),
        Bound::line("handover.receiver.full_name", limits::NAME),
        Bound::line("handover.receiver.id_number", limits::SHORT),
        Bound::line("handover.receiver.authorization_doc", limits::ADDRESS),
        Bound::items(
            "handover.originals_returned",
            crate::domain::results::HANDOVER_ITEMS,
        ),
        Bound::line(
            "handover.originals_returned[]",
            crate::domain::results::HANDOVER_ITEM,
        ),
        Bound::items(
            "handover.result_documents",
            crate::domain::results::HANDOVER_ITEMS,
        ),
        Bound::line(
            "handover.result_documents[]",
            crate::domain::results::HANDOVER_ITEM,
        ),
        Bound::line("handover.postal_tracking", limits::CODE),
    ];
}
