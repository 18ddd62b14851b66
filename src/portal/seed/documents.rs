//! The demo seed's citizen stores (issue 16): the identity papers of the first three
//! citizens of each office, digitized in one of their seeded desk dossiers, so that the
//! training exercise "reuse a stored document" has something to reuse and the stats pane
//! a digitization rate above zero. The second citizen also holds an old identity card
//! that has expired, which the portal refuses to reuse (`document_expired`).
//!
//! Digitized through the same service as the route (`record_digitized`), with its audit
//! rows, in the seed's transaction.

use super::SeedError;
use crate::domain::calendar::LocalTime;
use crate::domain::documents::DocumentMeta;
use crate::domain::workflow::Role;
use crate::portal::auth::Session;
use crate::portal::dossier_store::load;
use crate::portal::service::documents::record_digitized;
use crate::portal::state::AppState;
use chrono::{DateTime, Days};
use sha2::Digest;
use sqlx::AnyConnection;

/// How many citizens of each office get a store.
const CITIZENS_WITH_A_STORE: i64 = 3;

/// Who issues the chip-based identity card (căn cước công dân).
const CCCD_ISSUER: &str = "Cục Cảnh sát quản lý hành chính về trật tự xã hội";

#[derive(sqlx::FromRow)]
struct Candidate {
    code: String,
    part_id: String,
    received_at: String,
}

#[derive(sqlx::FromRow)]
struct Citizen {
    id: i64,
    id_number: String,
    legacy_id_number: Option<String>,
}

/// Fills the stores, in the seed's transaction. `pdf` is the seed's file of every
/// attachment; `now` the portal's clock.
pub(super) async fn demo_documents(
    tx: &mut AnyConnection,
    state: &AppState,
    pdf: &[u8],
    now: LocalTime,
) -> Result<(), SeedError> {
    let data = |e: &dyn std::fmt::Display| SeedError::Data(format!("documents: {e}"));
    let pdf_sha = hex::encode(sha2::Sha256::digest(pdf));
    let today = now.date_naive();
    let offices: Vec<i64> = sqlx::query_scalar("SELECT id FROM offices ORDER BY number")
        .fetch_all(&mut *tx)
        .await?;
    for office in offices {
        let desk: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, username FROM users WHERE office_id = $1 AND role = 'reception' \
             ORDER BY id LIMIT 1",
        )
        .bind(office)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((desk_id, desk_name)) = desk else {
            continue;
        };
        let session = Session::acting_as(desk_id, &desk_name, Role::Reception, Some(office), None);
        let citizens: Vec<Citizen> = sqlx::query_as(
            "SELECT id, id_number, legacy_id_number FROM citizens WHERE office_id = $1 \
             ORDER BY id LIMIT $2",
        )
        .bind(office)
        .bind(CITIZENS_WITH_A_STORE)
        .fetch_all(&mut *tx)
        .await?;
        for (n, citizen) in citizens.iter().enumerate() {
            // The citizen's desk dossiers here with an identity part still on paper,
            // oldest first: where the desk would have scanned the card.
            let candidates: Vec<Candidate> = sqlx::query_as(
                "SELECT d.code, dd.part_id, d.received_at FROM dossiers d \
                 JOIN dossier_documents dd ON dd.dossier_id = d.id \
                 WHERE d.office_id = $1 AND d.applicant_id = $2 AND d.channel = 'desk' \
                   AND d.received_at IS NOT NULL AND dd.part_id LIKE 'giay_to_tuy_than%' \
                   AND dd.stored_document_id IS NULL \
                 ORDER BY d.received_at, d.code",
            )
            .bind(office)
            .bind(citizen.id)
            .fetch_all(&mut *tx)
            .await?;
            let Some(first) = candidates.first() else {
                continue;
            };
            let mut papers = Vec::new();
            if n == 1 {
                // An old 9-digit identity card, expired since: kept in the store, never
                // reusable.
                let number = citizen
                    .legacy_id_number
                    .clone()
                    .unwrap_or_else(|| citizen.id_number.chars().skip(3).collect());
                let until = today - Days::new(20);
                papers.push((
                    candidates.get(1).unwrap_or(first),
                    DocumentMeta {
                        doc_type: "Chứng minh nhân dân".into(),
                        number: Some(number),
                        issued_on: until.checked_sub_days(Days::new(15 * 365)),
                        issuer: Some("Công an tỉnh Bến Tre".into()),
                        valid_until: Some(until),
                    },
                ));
            }
            let issued = today - Days::new(3 * 365 + 40 * n as u64);
            papers.push((
                first,
                DocumentMeta {
                    doc_type: "Căn cước công dân".into(),
                    number: Some(citizen.id_number.clone()),
                    issued_on: Some(issued),
                    issuer: Some(CCCD_ISSUER.into()),
                    valid_until: issued.checked_add_days(Days::new(15 * 365)),
                },
            ));
            for (candidate, meta) in papers {
                let row = load(&mut *tx, office, &candidate.code)
                    .await
                    .map_err(|e| data(&e))?;
                // Scanned a few minutes after the dossier was received.
                let at = DateTime::parse_from_rfc3339(&candidate.received_at)
                    .map_err(|e| data(&e))?
                    + chrono::TimeDelta::minutes(5);
                let at = at.min(now);
                let upload = uuid::Uuid::new_v4().to_string();
                std::fs::write(state.files_dir.join(&upload), pdf).map_err(|e| data(&e))?;
                sqlx::query(
                    "INSERT INTO uploads (id, owner_id, filename, size, sha256, content_type, \
                     received, complete, dossier_id, created_at) VALUES ($1, $2, $3, $4, $5, \
                     'application/pdf', $4, 1, $6, $7)",
                )
                .bind(&upload)
                .bind(desk_id)
                .bind(format!("{}.pdf", candidate.part_id))
                .bind(pdf.len() as i64)
                .bind(&pdf_sha)
                .bind(row.id)
                .bind(at.to_rfc3339())
                .execute(&mut *tx)
                .await?;
                record_digitized(
                    &mut *tx,
                    state,
                    &session,
                    &row,
                    &candidate.part_id,
                    &upload,
                    &meta,
                    None,
                    at,
                )
                .await
                .map_err(|e| data(&e))?;
            }
        }
    }
    Ok(())
}
