//! A supplement the citizen sends online, answering the desk's request: the files are
//! claimed for the dossier, the transition table moves it on (`supplement_received`), the
//! change is fed and audited, in one transaction.

use crate::api::dossiers::{Dossier, SupplementIn};
use crate::domain::calendar::LocalTime;
use crate::domain::text::nfc;
use crate::domain::workflow::{Action, ActionInput, Role, decide};
use crate::portal::audit::{self, Event};
use crate::portal::auth::Session;
use crate::portal::db;
use crate::portal::dossier_store as store;
use crate::portal::error::{ApiError, invalid};
use crate::portal::state::AppState;

/// Receives `request` for the dossier `code` of `citizen`, whose version must be
/// `expected_version` (else 412 with the current dossier). Answers the dossier after it
/// and its new version.
pub async fn receive(
    state: &AppState,
    session: &Session,
    citizen: i64,
    code: &str,
    expected_version: i64,
    request: &SupplementIn,
    now: LocalTime,
) -> Result<(Dossier, i64), ApiError> {
    let mut tx = db::write(&state.db).await?;
    let row = store::load_own(&mut *tx, citizen, code).await?;
    if row.version != expected_version {
        let current = store::full(&mut tx, &row, now).await?;
        return Err(ApiError::VersionConflict(Box::new(
            serde_json::to_value(current).map_err(ApiError::internal)?,
        )));
    }
    let facts = row.facts()?;
    let (_, to) = decide(
        Action::SupplementReceived,
        Role::Citizen,
        &facts,
        &ActionInput::default(),
        now,
        &state.calendar,
    )
    .map_err(ApiError::from)?;
    // Reuse from the store is the desk's (at intake); a supplement attaches files.
    if request.documents.is_empty()
        || request
            .documents
            .iter()
            .any(|d| d.upload_id.is_none() || d.stored_document_id.is_some())
    {
        return Err(invalid(
            "documents",
            "Hãy đính kèm tệp cho từng giấy tờ được yêu cầu bổ sung.",
            "Attach a file for each document asked for.",
        ));
    }
    for doc in &request.documents {
        let Some(upload) = &doc.upload_id else {
            continue;
        };
        super::uploads::claim_for_dossier(&mut tx, upload, session.user_id, row.id).await?;
        // A part already on file takes the new attachment; a new part is added. The old
        // file's digitization no longer describes the part, so it is cleared.
        sqlx::query(
            "INSERT INTO dossier_documents (dossier_id, part_id, name, originals, copies, \
             on_paper, upload_id) VALUES ($1, $2, $2, $3, $4, 0, $5) \
             ON CONFLICT (dossier_id, part_id) DO UPDATE SET upload_id = $5, on_paper = 0, \
             stored_document_id = NULL, digitization = NULL, digitized_at = NULL, \
             digitized_by = NULL",
        )
        .bind(row.id)
        .bind(&doc.part_id)
        .bind(i64::from(doc.originals))
        .bind(i64::from(doc.copies))
        .bind(upload)
        .execute(&mut *tx)
        .await?;
    }
    let now_s = now.to_rfc3339();
    sqlx::query(
        "UPDATE dossiers SET status = $1, version = version + 1, updated_at = $2, \
         note = COALESCE($3, note) WHERE id = $4",
    )
    .bind(to.as_str())
    .bind(&now_s)
    .bind(request.note.as_deref().map(|n| nfc(n.trim())))
    .bind(row.id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        &state.clock,
        Event::Transition {
            session,
            code,
            action: Action::SupplementReceived.as_str(),
            from: facts.status.as_str(),
            to: to.as_str(),
            reason: None,
        },
    )
    .await?;
    store::changed(&mut tx, row.office_id, code, state.settings.changes_kept).await?;
    let row = store::load_own(&mut *tx, citizen, code).await?;
    let dossier = store::full(&mut tx, &row, now).await?;
    tx.commit().await?;
    Ok((dossier, row.version))
}
