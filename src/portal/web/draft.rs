//! The draft of an online submission, kept on the server between the 13 steps
//! (`web_drafts`, migration 0020): every step saves what was chosen or attached, so a
//! cut link, a closed tab or a change of phone loses nothing, and any step can be
//! opened again. A draft belongs to one citizen; anyone else's is 404.

use crate::api::dossiers::{CitizenSubmission, Delivery, DocumentIn};
use crate::domain::workflow::DeliveryMethod;
use crate::portal::error::ApiError;
use crate::portal::state::AppState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A file attached to a part: the upload's id, and what the citizen sees of it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DraftFile {
    pub upload_id: String,
    pub filename: String,
    pub size: u64,
}

/// What a citizen has chosen so far.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Draft {
    pub office: Option<String>,
    pub procedure: Option<String>,
    pub case: Option<String>,
    /// Step 9 was agreed to ("Đồng ý và tiếp tục").
    #[serde(default)]
    pub applicant_agreed: bool,
    pub note: Option<String>,
    pub pages: Option<u32>,
    pub copies: Option<u32>,
    /// By document part id.
    #[serde(default)]
    pub files: BTreeMap<String, DraftFile>,
    pub delivery: Option<DeliveryMethod>,
    pub address: Option<String>,
}

impl Draft {
    /// The submission of the API this draft amounts to.
    pub fn submission(&self, declaration_accepted: bool) -> CitizenSubmission {
        CitizenSubmission {
            office_code: self.office.clone().unwrap_or_default(),
            procedure_code: self.procedure.clone().unwrap_or_default(),
            case_id: self.case.clone().unwrap_or_default(),
            documents: self
                .files
                .iter()
                .map(|(part, file)| DocumentIn {
                    part_id: part.clone(),
                    originals: 1,
                    copies: 0,
                    upload_id: Some(file.upload_id.clone()),
                    stored_document_id: None,
                })
                .collect(),
            delivery: Delivery {
                method: self.delivery.unwrap_or(DeliveryMethod::InPerson),
                address: self.address.clone(),
            },
            declaration_accepted,
            note: self.note.clone(),
            pages: self.pages,
            copies: self.copies,
        }
    }
}

/// A stored draft: its body, and the dossier's code once submitted.
pub struct Stored {
    pub draft: Draft,
    pub dossier_code: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    body: String,
    dossier_code: Option<String>,
}

/// Drafts a citizen keeps open at once: a new one beyond it replaces the one left
/// longest, so a citizen (or a script with their cookie) cannot fill the disk.
const OPEN_KEPT: i64 = 20;

/// How long a submitted draft is kept (its page only redirects to the dossier).
const SUBMITTED_KEPT_DAYS: i64 = 30;

/// A new empty draft of `user_id`'s; answers its id.
pub async fn create(state: &AppState, user_id: i64, draft: &Draft) -> Result<String, ApiError> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let now = state.clock.now().to_rfc3339();
    let old = (state.clock.now() - chrono::TimeDelta::days(SUBMITTED_KEPT_DAYS)).to_rfc3339();
    sqlx::query(
        "DELETE FROM web_drafts WHERE user_id = $1 AND ( \
           (dossier_code IS NOT NULL AND updated_at < $2) \
           OR (dossier_code IS NULL AND id NOT IN (SELECT id FROM web_drafts \
               WHERE user_id = $1 AND dossier_code IS NULL ORDER BY updated_at DESC LIMIT $3)))",
    )
    .bind(user_id)
    .bind(&old)
    .bind(OPEN_KEPT - 1)
    .execute(&state.db)
    .await?;
    sqlx::query(
        "INSERT INTO web_drafts (id, user_id, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(serde_json::to_string(draft).map_err(ApiError::internal)?)
    .bind(now)
    .execute(&state.db)
    .await?;
    Ok(id)
}

/// `user_id`'s draft `id`; 404 for anyone else's, or none.
pub async fn load(state: &AppState, user_id: i64, id: &str) -> Result<Stored, ApiError> {
    let row: Row =
        sqlx::query_as("SELECT body, dossier_code FROM web_drafts WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&state.db)
            .await?
            .ok_or(ApiError::NotFound)?;
    Ok(Stored {
        draft: serde_json::from_str(&row.body).map_err(ApiError::internal)?,
        dossier_code: row.dossier_code,
    })
}

/// Saves `draft` as `user_id`'s draft `id`, unless it was submitted meanwhile.
pub async fn save(state: &AppState, user_id: i64, id: &str, draft: &Draft) -> Result<(), ApiError> {
    sqlx::query(
        "UPDATE web_drafts SET body = $1, updated_at = $2 \
         WHERE id = $3 AND user_id = $4 AND dossier_code IS NULL",
    )
    .bind(serde_json::to_string(draft).map_err(ApiError::internal)?)
    .bind(state.clock.now().to_rfc3339())
    .bind(id)
    .bind(user_id)
    .execute(&state.db)
    .await?;
    Ok(())
}

/// A draft still open, for the list on the start page.
#[derive(sqlx::FromRow)]
pub struct Open {
    pub id: String,
    pub body: String,
    pub updated_at: String,
}

/// `user_id`'s drafts not yet submitted, newest first (ten at most).
pub async fn open_drafts(state: &AppState, user_id: i64) -> Result<Vec<Open>, ApiError> {
    Ok(sqlx::query_as(
        "SELECT id, body, updated_at FROM web_drafts \
         WHERE user_id = $1 AND dossier_code IS NULL ORDER BY updated_at DESC LIMIT 10",
    )
    .bind(user_id)
    .fetch_all(&state.db)
    .await?)
}
