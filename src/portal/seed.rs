//! What a new portal database is filled with: the built-in sample catalog (always, when
//! the catalog is empty), the demo offices, staff and citizens (`--seed demo` and
//! training only), and the first administrator (`--create-admin`).

use super::auth::Session;
use super::db;
use super::dossier_store::{Row, load};
use super::passwords::Passwords;
use super::service::actions::perform;
use super::service::citizens::new_public_id;
use super::service::intake::intake;
use super::state::AppState;
use crate::api::dossiers::{
    ApplicantRef, Channel, CreateDossier, Delivery, DocumentIn, Relation, Submitter,
};
use crate::domain::account::{AccountKind, check_password};
use crate::domain::calendar::LocalTime;
use crate::domain::catalog::Procedure;
use crate::domain::identity::Gender;
use crate::domain::status::Status;
use crate::domain::text::{fold, search_key};
use crate::domain::workflow::{Action, ActionInput, DeliveryMethod, Role, Verdict};
use crate::domain::{Lang, RuleError};
use chrono::NaiveDate;
use serde::Deserialize;
use sha2::Digest;
use sqlx::AnyPool;

mod documents;

/// The password of every demo account, documented in `docs/portal.md`. Only `--seed demo`
/// and training create accounts with it; no real server ever has a default password.
pub const DEMO_PASSWORD: &str = "Motcua-demo-2026";

const CATALOG: &str = include_str!("seed/procedures.toml");
const DEMO: &str = include_str!("seed/demo.toml");

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("built-in data: {0}")]
    Data(String),
    #[error("{0}")]
    Refused(String),
}

#[derive(Deserialize)]
struct Catalog {
    procedure: Vec<Procedure>,
}

/// The sample catalog shipped with motcua.
pub fn builtin_catalog() -> Result<Vec<Procedure>, SeedError> {
    toml::from_str::<Catalog>(CATALOG)
        .map(|c| c.procedure)
        .map_err(|e| SeedError::Data(format!("procedures.toml: {e}")))
}

/// Loads the built-in catalog when the database has none, so that a fresh portal can take
/// dossiers at once.
pub async fn catalog_if_empty(pool: &AnyPool) -> Result<(), SeedError> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM procedures")
        .fetch_one(pool)
        .await?;
    if count > 0 {
        return Ok(());
    }
    let mut tx = db::write(pool).await?;
    for p in builtin_catalog()? {
        let body = serde_json::to_string(&p).map_err(|e| SeedError::Data(e.to_string()))?;
        sqlx::query(
            "INSERT INTO procedures (code, name, field, online_level, search_key, body, version) \
             VALUES ($1, $2, $3, $4, $5, $6, 1)",
        )
        .bind(&p.code)
        .bind(&p.name)
        .bind(&p.field)
        .bind(
            serde_json::to_value(p.online_level)
                .map_err(|e| SeedError::Data(e.to_string()))?
                .as_str(),
        )
        .bind(fold(&format!("{} {} {}", p.code, p.name, p.field)))
        .bind(body)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Deserialize)]
struct Demo {
    office: Vec<DemoOffice>,
    staff_name: Vec<DemoStaff>,
    citizen: Vec<DemoCitizen>,
}

#[derive(Deserialize)]
struct DemoOffice {
    number: i64,
    code: String,
    name: String,
    address: String,
    phone: String,
    bank_bin: String,
    bank_account: String,
    account_name: String,
}

#[derive(Deserialize)]
struct DemoStaff {
    office: i64,
    role: String,
    full_name: String,
}

#[derive(Deserialize)]
struct DemoCitizen {
    office: i64,
    id_number: String,
    full_name: String,
    date_of_birth: toml::value::Datetime,
    gender: Gender,
    phone: String,
    email: Option<String>,
    address: String,
}

/// The demo username of a staff role in office `n`.
pub fn demo_username(role: &str, n: i64) -> Option<String> {
    let stem = match role {
        "reception" => "tiepnhan",
        "specialist" => "chuyenvien",
        "leader" => "lanhdao",
        "admin" => "quantri",
        _ => return None,
    };
    Some(format!("{stem}{n}"))
}

/// Fills an empty database with the demo offices, staff and citizens. Idempotent: a
/// database that already has offices is left alone.
pub async fn demo(pool: &AnyPool, passwords: &Passwords, now: &str) -> Result<(), SeedError> {
    let offices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM offices")
        .fetch_one(pool)
        .await?;
    if offices > 0 {
        return Ok(());
    }
    let demo: Demo =
        toml::from_str(DEMO).map_err(|e| SeedError::Data(format!("demo.toml: {e}")))?;
    // One hash for every demo account: they share a published password anyway, and
    // hashing it a hundred times would make every test and sandbox start slow.
    let hash = passwords
        .hash(DEMO_PASSWORD.to_owned())
        .await
        .map_err(|e| SeedError::Data(e.to_string()))?;

    let mut tx = db::write(pool).await?;
    for o in &demo.office {
        sqlx::query(
            "INSERT INTO offices (number, code, name, address, phone, bank_bin, bank_account, \
             account_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(o.number)
        .bind(&o.code)
        .bind(&o.name)
        .bind(&o.address)
        .bind(&o.phone)
        .bind(&o.bank_bin)
        .bind(&o.bank_account)
        .bind(&o.account_name)
        .execute(&mut *tx)
        .await?;
    }
    for s in &demo.staff_name {
        let username = demo_username(&s.role, s.office)
            .ok_or_else(|| SeedError::Data(format!("demo.toml: unknown role {}", s.role)))?;
        sqlx::query(
            "INSERT INTO users (username, full_name, role, office_id, password_hash, created_at) \
             VALUES ($1, $2, $3, (SELECT id FROM offices WHERE number = $4), $5, $6)",
        )
        .bind(&username)
        .bind(&s.full_name)
        .bind(&s.role)
        .bind(s.office)
        .bind(&hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    for c in &demo.citizen {
        let d = c
            .date_of_birth
            .date
            .and_then(|d| {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
            })
            .ok_or_else(|| SeedError::Data(format!("demo.toml: bad date for {}", c.id_number)))?;
        let gender = match c.gender {
            Gender::Male => "male",
            Gender::Female => "female",
        };
        let citizen_id: i64 = sqlx::query_scalar(
            "INSERT INTO citizens (office_id, id_number, full_name, search_key, date_of_birth, \
             gender, phone, email, address, created_at, public_id) \
             VALUES ((SELECT id FROM offices WHERE number = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11) RETURNING id",
        )
        .bind(c.office)
        .bind(&c.id_number)
        .bind(&c.full_name)
        .bind(search_key(&format!("{} {} {}", c.full_name, c.id_number, c.phone)))
        .bind(d.format("%Y-%m-%d").to_string())
        .bind(gender)
        .bind(&c.phone)
        .bind(&c.email)
        .bind(&c.address)
        .bind(now)
        .bind(new_public_id())
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO users (username, full_name, role, citizen_id, password_hash, created_at) \
             VALUES ($1, $2, 'citizen', $3, $4, $5)",
        )
        .bind(&c.id_number)
        .bind(&c.full_name)
        .bind(citizen_id)
        .bind(&hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Creates an administrator of office `office_code` (which must exist, or be created
/// with `office_name`). The password must meet the staff policy.
pub async fn create_admin(
    pool: &AnyPool,
    username: &str,
    office_code: &str,
    office_name: Option<&str>,
    password: &str,
    now: &str,
) -> Result<(), SeedError> {
    let username = username.trim().to_lowercase();
    if username.is_empty()
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
    {
        return Err(SeedError::Refused(
            "tên đăng nhập chỉ gồm chữ, số, '.' và '_' / the username may hold only letters, digits, '.' and '_'".into(),
        ));
    }
    check_password(password, &username, AccountKind::Staff).map_err(|e| {
        SeedError::Refused(format!("{} / {}", e.message(Lang::Vi), e.message(Lang::En)))
    })?;
    let unit = crate::domain::dossier_code::UnitCode::parse(office_code).map_err(|e| {
        SeedError::Refused(format!("{} / {}", e.message(Lang::Vi), e.message(Lang::En)))
    })?;
    // A command of its own, one hash: the bound is a slot of its own.
    let hash = Passwords::new(1, 0, std::time::Duration::ZERO)
        .hash(password.to_owned())
        .await
        .map_err(|e| SeedError::Data(e.to_string()))?;
    let mut tx = db::write(pool).await?;
    let office: Option<i64> = sqlx::query_scalar("SELECT id FROM offices WHERE code = $1")
        .bind(unit.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let office = match (office, office_name) {
        (Some(id), _) => id,
        (None, Some(name)) => {
            sqlx::query_scalar(
                "INSERT INTO offices (number, code, name, address, phone, bank_bin, bank_account, \
                 account_name) VALUES ((SELECT COALESCE(MAX(number), 0) + 1 FROM offices), \
                 $1, $2, '', '', '', '', '') RETURNING id",
            )
            .bind(unit.as_str())
            .bind(name.trim())
            .fetch_one(&mut *tx)
            .await?
        }
        (None, None) => {
            return Err(SeedError::Refused(format!(
                "chưa có cơ quan mã {unit}: thêm --office-name \"Tên cơ quan\" để tạo / no office has the code {unit}: add --office-name \"Name\" to create it"
            )));
        }
    };
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1")
        .bind(&username)
        .fetch_one(&mut *tx)
        .await?;
    if taken > 0 {
        return Err(SeedError::Refused(format!(
            "tên đăng nhập {username} đã có / the username {username} is taken"
        )));
    }
    sqlx::query(
        "INSERT INTO users (username, full_name, role, office_id, password_hash, created_at) \
         VALUES ($1, $1, 'admin', $2, $3, $4)",
    )
    .bind(&username)
    .bind(office)
    .bind(hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The statuses the demo seed leaves dossiers in, in turn: every status, with the busy
/// ones more often, as an office's inbox looks.
const DEMO_TARGETS: &[Status] = &[
    Status::Submitted,
    Status::Received,
    Status::InProgress,
    Status::AwaitingApproval,
    Status::SupplementRequested,
    Status::AwaitingPayment,
    Status::ResultReady,
    Status::Returned,
    Status::Refused,
    Status::Withdrawn,
    Status::Stopped,
    Status::Submitted,
    Status::InProgress,
    Status::Returned,
    Status::Received,
];

/// Dossiers per demo office.
const DEMO_DOSSIERS_PER_OFFICE: usize = 60;

/// The smallest file that opens as a PDF: the attachment of every seeded online part.
const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

/// A deterministic pseudo-random sequence, so every sandbox looks the same.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[derive(sqlx::FromRow)]
struct Staff {
    id: i64,
    username: String,
    role: String,
}

#[derive(sqlx::FromRow)]
struct SeedCitizen {
    id: i64,
    public_id: String,
    user_id: i64,
    id_number: String,
    full_name: String,
    address: String,
}

/// Fills the demo offices with dossiers in every status, desk and online, free and
/// fee-bearing (paid and unpaid), some overdue and some due today, received over the
/// past weeks. They go through the same intake and actions as real ones, so each has its
/// audit trail and due dates from the calendar. Idempotent: skipped when dossiers exist.
pub async fn demo_dossiers(state: &AppState) -> Result<(), SeedError> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers")
        .fetch_one(&state.db)
        .await?;
    if existing > 0 {
        return Ok(());
    }
    let catalog = builtin_catalog()?;
    let now = state.clock.now();
    let offices: Vec<(i64, i64)> = sqlx::query_as("SELECT id, number FROM offices ORDER BY number")
        .fetch_all(&state.db)
        .await?;
    std::fs::create_dir_all(&state.files_dir).map_err(|e| SeedError::Data(e.to_string()))?;
    let pdf_sha = hex::encode(sha2::Sha256::digest(DEMO_PDF));
    let mut tx = db::write(&state.db).await?;
    for (office, number) in offices {
        let staff: Vec<Staff> =
            sqlx::query_as("SELECT id, username, role FROM users WHERE office_id = $1 ORDER BY id")
                .bind(office)
                .fetch_all(&mut *tx)
                .await?;
        let citizens: Vec<SeedCitizen> = sqlx::query_as(
            "SELECT c.id, c.public_id, u.id AS user_id, c.id_number, c.full_name, c.address FROM citizens c \
             JOIN users u ON u.citizen_id = c.id WHERE c.office_id = $1 ORDER BY c.id",
        )
        .bind(office)
        .fetch_all(&mut *tx)
        .await?;
        if citizens.is_empty() {
            continue;
        }
        let as_role = |role: Role| {
            staff
                .iter()
                .find(|s| s.role == role.as_str())
                .map(|s| Session::acting_as(s.id, &s.username, role, Some(office), None))
                .ok_or_else(|| SeedError::Data(format!("office {number} has no {role}")))
        };
        let (desk, specialist, leader) = (
            as_role(Role::Reception)?,
            as_role(Role::Specialist)?,
            as_role(Role::Leader)?,
        );
        let mut rng = Lcg(number as u64 * 7919);
        for i in 0..DEMO_DOSSIERS_PER_OFFICE {
            let target = DEMO_TARGETS[i % DEMO_TARGETS.len()];
            let procedure = &catalog[rng.next(catalog.len())];
            let citizen = &citizens[rng.next(citizens.len())];
            // Received on a working morning up to six weeks ago; a few today.
            let days_back = if i % 9 == 0 { 0 } else { 1 + rng.next(40) } as u64;
            let day = now.date_naive() - chrono::Days::new(days_back);
            let start = state.calendar.normalize_start(
                day.and_hms_opt(7 + rng.next(9) as u32, rng.next(60) as u32, 0)
                    .and_then(|t| t.and_local_timezone(now.timezone()).single())
                    .unwrap_or(now),
            );
            let start = start.min(now);
            let online = target == Status::Submitted || rng.next(3) == 0;
            let case = &procedure.cases[0];
            let mut documents = Vec::new();
            for part in case.documents.iter().filter(|p| p.mandatory) {
                let upload_id = if online {
                    let id = uuid::Uuid::new_v4().to_string();
                    std::fs::write(state.files_dir.join(&id), DEMO_PDF)
                        .map_err(|e| SeedError::Data(e.to_string()))?;
                    sqlx::query(
                        "INSERT INTO uploads (id, owner_id, filename, size, sha256, content_type, \
                         received, complete, created_at) VALUES ($1, $2, $3, $4, $5, \
                         'application/pdf', $4, 1, $6)",
                    )
                    .bind(&id)
                    .bind(citizen.user_id)
                    .bind(format!("{}.pdf", part.id))
                    .bind(DEMO_PDF.len() as i64)
                    .bind(&pdf_sha)
                    .bind(start.to_rfc3339())
                    .execute(&mut *tx)
                    .await?;
                    Some(id)
                } else {
                    None
                };
                documents.push(DocumentIn {
                    part_id: part.id.clone(),
                    originals: part.originals,
                    copies: part.copies,
                    upload_id,
                    stored_document_id: None,
                });
            }
            let method = [
                DeliveryMethod::InPerson,
                DeliveryMethod::Online,
                DeliveryMethod::Postal,
            ]
            .into_iter()
            .find(|m| procedure.delivery.contains(m))
            .unwrap_or(DeliveryMethod::InPerson);
            let request = CreateDossier {
                procedure_code: procedure.code.clone(),
                case_id: case.id.clone(),
                applicant: ApplicantRef::citizen(citizen.public_id.clone()),
                submitter: Submitter {
                    full_name: citizen.full_name.clone(),
                    id_number: Some(citizen.id_number.clone()),
                    relation: Relation::Myself,
                    authorization_doc: None,
                },
                documents,
                delivery: Delivery {
                    method,
                    address: (method == DeliveryMethod::Postal).then(|| citizen.address.clone()),
                },
                declaration_accepted: true,
                note: None,
                pages: Some(1 + rng.next(5) as u32),
                copies: Some(1),
                code: None,
                received_at: None,
                printed_due_at: None,
            };
            let submitter = if online {
                Session::acting_as(
                    citizen.user_id,
                    &citizen.id_number,
                    Role::Citizen,
                    None,
                    Some(citizen.id),
                )
            } else {
                desk.clone()
            };
            let channel = if online {
                Channel::Online
            } else {
                Channel::Desk
            };
            let mut row = intake(
                &mut tx, state, &submitter, office, citizen.id, &request, channel, start, None,
            )
            .await
            .map_err(|e| SeedError::Data(format!("intake: {e}")))?;
            let mut at = start;
            let mut step = |session: &Session, action: Action, input: ActionInput| {
                at = (at + chrono::TimeDelta::hours(2)).min(now);
                (session.clone(), action, input, at)
            };
            let reason = |r: &str| ActionInput {
                reason: Some(r.to_owned()),
                ..ActionInput::default()
            };
            let mut plan = Vec::new();
            if online && target != Status::Submitted {
                plan.push(step(&desk, Action::Receive, ActionInput::default()));
            }
            let forward = ActionInput {
                assignee: Some(specialist.username.clone()),
                ..ActionInput::default()
            };
            let propose = ActionInput {
                verdict: Some(Verdict::Approved),
                summary: Some("Hồ sơ đủ điều kiện giải quyết".into()),
                ..ActionInput::default()
            };
            match target {
                Status::Submitted | Status::Received => {}
                Status::Refused => plan.push(step(
                    &desk,
                    Action::Refuse,
                    reason("Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan"),
                )),
                Status::Withdrawn => plan.push(step(
                    &desk,
                    Action::Withdraw,
                    reason("Công dân có đơn xin rút hồ sơ"),
                )),
                Status::SupplementRequested => plan.push(step(
                    &desk,
                    Action::RequestSupplement,
                    ActionInput {
                        reason: Some("Giấy tờ nộp kèm chưa đầy đủ".into()),
                        missing_documents: vec![case.documents[0].name.clone()],
                        ..ActionInput::default()
                    },
                )),
                Status::InProgress => plan.push(step(&desk, Action::Forward, forward.clone())),
                Status::Stopped => {
                    plan.push(step(&desk, Action::Forward, forward.clone()));
                    plan.push(step(
                        &leader,
                        Action::Stop,
                        reason("Công dân không bổ sung hồ sơ theo yêu cầu"),
                    ));
                }
                Status::AwaitingPayment => {
                    plan.push(step(&desk, Action::Forward, forward.clone()));
                    plan.push(step(
                        &specialist,
                        Action::RequestPayment,
                        ActionInput {
                            amount: Some(30_000),
                            ..ActionInput::default()
                        },
                    ));
                }
                Status::AwaitingApproval | Status::ResultReady | Status::Returned => {
                    plan.push(step(&desk, Action::Forward, forward.clone()));
                    plan.push(step(&specialist, Action::ProposeResult, propose.clone()));
                    if target != Status::AwaitingApproval {
                        plan.push(step(&leader, Action::Approve, ActionInput::default()));
                    }
                    if target == Status::Returned {
                        plan.push(step(
                            &desk,
                            Action::ReturnResult,
                            ActionInput {
                                delivery: Some(DeliveryMethod::InPerson),
                                recipient: Some(citizen.full_name.clone()),
                                // The applicant collects it in person.
                                handover: Some(crate::domain::results::Handover {
                                    receiver: Some(crate::domain::results::Receiver {
                                        full_name: citizen.full_name.clone(),
                                        id_number: citizen.id_number.clone(),
                                        ..Default::default()
                                    }),
                                    result_documents: vec![case.name.clone()],
                                    ..Default::default()
                                }),
                                ..ActionInput::default()
                            },
                        ));
                    }
                }
            }
            for (session, action, input, at) in plan {
                if action == Action::ReturnResult && row.payment_status == "unpaid" {
                    pay_cash(&mut tx, &row, i, at).await?;
                    row = load(&mut *tx, office, &row.code)
                        .await
                        .map_err(|e| SeedError::Data(e.to_string()))?;
                }
                match perform(&mut tx, state, &session, &row, action, &input, at).await {
                    Ok(Ok(())) => {}
                    Ok(Err(refusal)) => {
                        return Err(SeedError::Data(format!(
                            "{} {}: {refusal}",
                            row.code,
                            action.as_str()
                        )));
                    }
                    Err(e) => return Err(SeedError::Data(format!("{}: {e}", row.code))),
                }
                row = load(&mut *tx, office, &row.code)
                    .await
                    .map_err(|e| SeedError::Data(e.to_string()))?;
            }
        }
    }
    documents::demo_documents(&mut tx, state, DEMO_PDF, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a cash payment for a seeded dossier, with its audit row.
async fn pay_cash(
    conn: &mut sqlx::AnyConnection,
    row: &Row,
    n: usize,
    at: LocalTime,
) -> Result<(), SeedError> {
    let at_s = at.to_rfc3339();
    sqlx::query(
        "UPDATE dossiers SET payment_status = 'paid', payment_method = 'cash', paid_at = $1, \
         receipt_no = $2, version = version + 1 WHERE id = $3",
    )
    .bind(&at_s)
    .bind(format!("BL-{:05}", n + 1))
    .bind(row.id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO audit (at, event, dossier_code, office_id, detail) \
         VALUES ($1, 'payment_recorded', $2, $3, 'cash')",
    )
    .bind(&at_s)
    .bind(&row.code)
    .bind(row.office_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
