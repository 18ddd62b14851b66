//! Intake: a dossier comes into being, at the desk or online. The desk handler, the
//! citizen's submission, the demo seed and the bulk loader all take dossiers in here, so
//! the rules of intake have one home.

use super::documents::{record_reuse, take_for_reuse};
use super::uploads::claim_for_dossier;
use crate::api::dossiers::{Applicant, Channel, CreateDossier, Relation};
use crate::domain::calendar::LocalTime;
use crate::domain::catalog::{Presented, Procedure, missing_and_unknown};
use crate::domain::dossier_code::{DossierCode, MAX_SEQ, UnitCode};
use crate::domain::fees::{Channel as FeeChannel, FeeInput};
use crate::domain::identity::Gender;
use crate::domain::status::Status;
use crate::domain::text::{nfc, search_key};
use crate::domain::workflow::DeliveryMethod;
use crate::portal::audit::{self, Due, Event};
use crate::portal::auth::Session;
use crate::portal::dossier_store::{self as store, Row, Snapshot, name_of};
use crate::portal::error::{ApiError, invalid};
use crate::portal::state::AppState;
use sqlx::AnyConnection;

pub(super) async fn procedure(
    conn: &mut AnyConnection,
    code: &str,
) -> Result<Option<Procedure>, ApiError> {
    let body: Option<String> = sqlx::query_scalar("SELECT body FROM procedures WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    body.map(|b| serde_json::from_str(&b).map_err(ApiError::internal))
        .transpose()
}

#[derive(sqlx::FromRow)]
struct CitizenRow {
    id: i64,
    public_id: String,
    id_number: String,
    full_name: String,
    date_of_birth: String,
    gender: String,
    phone: String,
    email: Option<String>,
    address: String,
}

/// The next code of `office` for `day`, from the counter row bumped in this transaction:
/// concurrent submissions queue on the write lock, so no two get the same number.
async fn next_code(
    conn: &mut AnyConnection,
    office: i64,
    unit: &str,
    now: LocalTime,
) -> Result<DossierCode, ApiError> {
    let day = now.date_naive();
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO dossier_counters (office_id, day, last) VALUES ($1, $2, 1) \
         ON CONFLICT (office_id, day) DO UPDATE SET last = dossier_counters.last + 1 RETURNING last",
    )
    .bind(office)
    .bind(day.format("%Y-%m-%d").to_string())
    .fetch_one(&mut *conn)
    .await?;
    if seq > i64::from(MAX_SEQ) {
        return Err(invalid(
            "procedure_code",
            "Đã hết số hồ sơ trong ngày (9999). Hãy tiếp nhận vào ngày làm việc sau.",
            "The office has used all 9999 dossier numbers of today. Receive it on the next working day.",
        ));
    }
    let unit = UnitCode::parse(unit).map_err(ApiError::internal)?;
    DossierCode::new(unit, day, seq as u16).map_err(ApiError::internal)
}

/// Takes a dossier in, at the desk (received now, due from the desk duration) or online
/// (submitted, waiting for reception; every document attached), inside the caller's
/// transaction. `applicant` is the citizen's row id, which the caller has resolved and
/// may name (the desk: [`super::citizens::desk_applicant`]; online: the citizen
/// themselves); `request.applicant` is not read here. `leased`: the code of a number the
/// officer leased and the caller checked ([`super::leases::check_use`]), for a dossier
/// received offline at `now`; otherwise the day's next number.
#[allow(clippy::too_many_arguments)]
pub async fn intake(
    tx: &mut AnyConnection,
    state: &AppState,
    session: &Session,
    office: i64,
    applicant: i64,
    request: &CreateDossier,
    channel: Channel,
    now: LocalTime,
    leased: Option<DossierCode>,
) -> Result<Row, ApiError> {
    let online = channel == Channel::Online;
    let procedure = procedure(&mut *tx, &request.procedure_code)
        .await?
        .ok_or_else(|| {
            invalid(
                "procedure_code",
                format!(
                    "Không có thủ tục mã {}. Hãy chọn thủ tục trong danh mục.",
                    request.procedure_code
                ),
                format!(
                    "There is no procedure {}. Pick one from the catalog.",
                    request.procedure_code
                ),
            )
        })?;
    let case = procedure.case(&request.case_id).ok_or_else(|| {
        invalid(
            "case_id",
            format!(
                "Thủ tục {} không có trường hợp '{}'. Hãy chọn lại trường hợp.",
                procedure.code, request.case_id
            ),
            format!(
                "Procedure {} has no case '{}'. Pick the case again.",
                procedure.code, request.case_id
            ),
        )
    })?;
    if !request.declaration_accepted {
        return Err(invalid(
            "declaration_accepted",
            "Công dân chưa xác nhận lời cam đoan. Hãy đánh dấu ô cam đoan.",
            "The citizen has not accepted the declaration. Tick the declaration box.",
        ));
    }
    let submitter_name = nfc(request.submitter.full_name.trim());
    // The applicant in person may leave the name blank: it is the applicant's own (the
    // desk may know a citizen of another office by number and date of birth alone).
    let myself = request.submitter.relation == Relation::Myself;
    if submitter_name.is_empty() && !myself {
        return Err(invalid(
            "submitter.full_name",
            "Chưa nhập họ tên người nộp. Hãy nhập họ tên.",
            "The submitter's name is missing. Enter it.",
        ));
    }
    if request.submitter.relation == Relation::Authorized
        && request
            .submitter
            .authorization_doc
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
    {
        return Err(invalid(
            "submitter.authorization_doc",
            "Người nộp được ủy quyền phải có giấy ủy quyền. Hãy ghi giấy ủy quyền.",
            "An authorized submitter needs the authorization document. Record it.",
        ));
    }
    if !procedure.delivery.contains(&request.delivery.method) {
        return Err(invalid(
            "delivery.method",
            "Thủ tục này không trả kết quả theo hình thức đã chọn. Hãy chọn hình thức khác.",
            "This procedure does not return results that way. Choose another delivery method.",
        ));
    }
    let address = request
        .delivery
        .address
        .as_deref()
        .map(|a| nfc(a.trim()))
        .filter(|a| !a.is_empty());
    if request.delivery.method == DeliveryMethod::Postal && address.is_none() {
        return Err(invalid(
            "delivery.address",
            "Trả kết quả qua bưu chính cần địa chỉ nhận. Hãy nhập địa chỉ.",
            "Delivery by post needs an address. Enter it.",
        ));
    }

    // Documents: every mandatory part presented, on paper, attached or reused from the
    // applicant's store.
    if let Some(both) = request
        .documents
        .iter()
        .find(|d| d.upload_id.is_some() && d.stored_document_id.is_some())
    {
        return Err(invalid(
            "documents",
            format!(
                "Thành phần '{}' vừa có tệp đính kèm vừa dùng lại giấy tờ trong kho. Hãy chọn một trong hai.",
                both.part_id
            ),
            format!(
                "Part '{}' has both an attached file and a stored document to reuse. Choose one.",
                both.part_id
            ),
        ));
    }
    let presented: Vec<Presented> = request
        .documents
        .iter()
        .map(|d| {
            let attached = d.upload_id.is_some() || d.stored_document_id.is_some();
            Presented {
                part_id: &d.part_id,
                on_paper: !attached,
                attached,
            }
        })
        .collect();
    if online
        && let Some(paper) = request
            .documents
            .iter()
            .find(|d| d.upload_id.is_none() && d.stored_document_id.is_none())
    {
        return Err(invalid(
            "documents",
            format!(
                "Nộp trực tuyến phải đính kèm tệp cho '{}'. Hãy tải tệp lên.",
                paper.part_id
            ),
            format!(
                "An online submission must attach a file for '{}'. Upload it.",
                paper.part_id
            ),
        ));
    }
    let (missing, unknown) = missing_and_unknown(case, &presented);
    if let Some(part) = unknown.first() {
        return Err(invalid(
            "documents",
            format!("Trường hợp này không có thành phần '{part}'. Hãy chọn theo danh mục giấy tờ."),
            format!("This case has no document part '{part}'. Use the case's checklist."),
        ));
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|p| p.name.as_str()).collect();
        return Err(invalid(
            "documents",
            format!(
                "Còn thiếu giấy tờ bắt buộc: {}. Hãy nhận bản giấy hoặc đính kèm.",
                names.join("; ")
            ),
            format!(
                "Mandatory documents are missing: {}. Take them on paper or attach them.",
                names.join("; ")
            ),
        ));
    }

    let citizen: CitizenRow = sqlx::query_as(
        "SELECT id, public_id, id_number, full_name, date_of_birth, gender, phone, email, \
         address FROM citizens WHERE id = $1",
    )
    .bind(applicant)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        invalid(
            "applicant.citizen_id",
            "Không tìm thấy công dân này. Hãy tìm theo số định danh hoặc tạo tài khoản.",
            "This citizen does not exist. Look them up by number or create the account.",
        )
    })?;

    let unit: String = sqlx::query_scalar("SELECT code FROM offices WHERE id = $1")
        .bind(office)
        .fetch_one(&mut *tx)
        .await?;
    let code = match leased {
        Some(code) => code.to_string(),
        None => next_code(&mut *tx, office, &unit, now).await?.to_string(),
    };
    // An online dossier has no due time until the desk receives it.
    let due_at = (!online).then(|| {
        state
            .calendar
            .due(now, case.desk_duration.amount, case.desk_duration.unit)
            .to_rfc3339()
    });
    let status = if online {
        Status::Submitted
    } else {
        Status::Received
    };
    let fee = case.fees.amount(&FeeInput {
        channel: if online {
            FeeChannel::Online
        } else {
            FeeChannel::Desk
        },
        pages: request.pages.unwrap_or(1),
        copies: request.copies.unwrap_or(1),
    });
    let payment = if fee == 0 { "exempt" } else { "unpaid" };
    let snapshot = Snapshot {
        applicant: Applicant {
            citizen_id: citizen.public_id,
            id_number: citizen.id_number.clone(),
            full_name: citizen.full_name.clone(),
            date_of_birth: citizen.date_of_birth,
            gender: store::wire::<Gender>(&citizen.gender)?,
            phone: citizen.phone.clone(),
            email: citizen.email,
            address: citizen.address,
        },
        submitter: if myself && submitter_name.is_empty() {
            crate::api::dossiers::Submitter {
                full_name: citizen.full_name.clone(),
                id_number: Some(citizen.id_number.clone()),
                ..request.submitter.clone()
            }
        } else {
            crate::api::dossiers::Submitter {
                full_name: submitter_name,
                ..request.submitter.clone()
            }
        },
        case_name: case.name.clone(),
    };
    let detail = serde_json::to_string(&snapshot).map_err(ApiError::internal)?;
    let now_s = now.to_rfc3339();
    let dossier_id: i64 = sqlx::query_scalar(
        "INSERT INTO dossiers (code, office_id, procedure_code, procedure_name, case_id, \
           applicant_id, applicant_name, search_key, channel, status, version, submitted_at, \
           received_at, due_at, fee_amount, payment_status, delivery_method, delivery_address, \
           submitter, note, detail, change_seq, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $18, $19, 1, $9, $20, $10, $11, $12, \
           $13, $14, $15, $16, $17, 0, $9) RETURNING id",
    )
    .bind(&code)
    .bind(office)
    .bind(&procedure.code)
    .bind(&procedure.name)
    .bind(&case.id)
    .bind(citizen.id)
    .bind(&citizen.full_name)
    .bind(search_key(&format!(
        "{code} {} {} {}",
        citizen.full_name, snapshot.applicant.id_number, citizen.phone
    )))
    .bind(&now_s)
    .bind(&due_at)
    .bind(fee as i64)
    .bind(payment)
    .bind(name_of(&request.delivery.method))
    .bind(address)
    .bind(serde_json::to_string(&snapshot.submitter).map_err(ApiError::internal)?)
    .bind(request.note.as_deref().map(|n| nfc(n.trim())))
    .bind(detail)
    .bind(name_of(&channel))
    .bind(status.as_str())
    .bind((!online).then_some(&now_s))
    .fetch_one(&mut *tx)
    .await?;

    for doc in &request.documents {
        let part = case
            .documents
            .iter()
            .find(|p| p.id == doc.part_id)
            .ok_or_else(|| ApiError::internal("part checked above"))?;
        let mut reused = None;
        let file = match (&doc.upload_id, &doc.stored_document_id) {
            (Some(upload), _) => {
                claim_for_dossier(&mut *tx, upload, session.user_id, dossier_id).await?;
                Some(upload.clone())
            }
            (None, Some(stored)) => {
                let found =
                    take_for_reuse(&mut *tx, citizen.id, stored, "documents", now.date_naive())
                        .await?;
                let file = found.upload_id.clone();
                reused = Some(found);
                Some(file)
            }
            (None, None) => None,
        };
        sqlx::query(
            "INSERT INTO dossier_documents (dossier_id, part_id, name, originals, copies, \
             on_paper, upload_id, stored_document_id, digitization, digitized_at, \
             digitized_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(dossier_id)
        .bind(&doc.part_id)
        .bind(&part.name)
        .bind(i64::from(doc.originals))
        .bind(i64::from(doc.copies))
        .bind(i64::from(file.is_none()))
        .bind(&file)
        .bind(reused.as_ref().map(|r| r.id))
        .bind(reused.as_ref().map(|_| "reused"))
        .bind(reused.as_ref().map(|_| now.to_rfc3339()))
        .bind(reused.as_ref().map(|_| session.username.clone()))
        .execute(&mut *tx)
        .await?;
        if let Some(found) = &reused {
            record_reuse(
                &mut *tx,
                session,
                office,
                dossier_id,
                &code,
                &doc.part_id,
                found,
                now,
            )
            .await?;
        }
    }
    store::changed(&mut *tx, office, &code, state.settings.changes_kept).await?;
    audit::record_with_due(
        &mut *tx,
        now,
        Event::DossierCreated {
            session,
            code: &code,
            to: status.as_str(),
        },
        Due {
            before: None,
            after: due_at.as_deref(),
        },
    )
    .await?;
    store::load(&mut *tx, office, &code).await
}
