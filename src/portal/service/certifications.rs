//! Certification entries (issue 21): the entry's number from its book's counter and the
//! entry itself, with its fee recorded as paid and its audit row, all in the caller's
//! write transaction; and reading entries back.

use super::citizens::new_public_id;
use crate::api::certifications::{Certification, CertifiedApplicant, ContractAct, Kind};
use crate::api::error::ErrorCode;
use crate::domain::calendar::LocalTime;
use crate::domain::certification::{self as rules, Certificate, Entry};
use crate::domain::text::search_key;
use crate::portal::audit::{self, Due, Event};
use crate::portal::auth::Session;
use crate::portal::error::{ApiError, Problem};
use chrono::Datelike;
use sqlx::AnyConnection;

/// An entry to record, checked by the handler.
pub struct NewEntry<'a> {
    pub office_id: i64,
    pub office_name: &'a str,
    pub kind: Kind,
    /// `Some` for a contract only.
    pub act: Option<ContractAct>,
    /// The citizen's (row id, public id), when named by id.
    pub citizen: Option<(i64, String)>,
    pub applicant_name: &'a str,
    pub id_number: &'a str,
    pub document_name: &'a str,
    pub pages: u32,
    pub copies: u32,
    pub note: Option<&'a str>,
    /// The reference of the paid fee order the fee came by (VietQR); `None`: cash.
    pub fee_order: Option<&'a str>,
}

/// The next number of a book. The counter row is bumped in the caller's write
/// transaction (BEGIN IMMEDIATE), so concurrent desks, in this process or another, queue
/// on the database's write lock and each gets the next number; a transaction that fails
/// later rolls its number back with it, so no number is skipped.
async fn next_number(
    conn: &mut AnyConnection,
    office: i64,
    kind: Kind,
    year: i32,
) -> Result<u32, ApiError> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO certification_books (office_id, kind, year, last) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (office_id, kind, year) DO UPDATE SET last = certification_books.last + 1 RETURNING last",
    )
    .bind(office)
    .bind(kind.as_str())
    .bind(year)
    .fetch_one(&mut *conn)
    .await?;
    u32::try_from(last).map_err(ApiError::internal)
}

/// The fee order `reference` of `office`, checked to pay `fee` for one new entry: its
/// row id and when it was paid.
async fn paid_order(
    conn: &mut AnyConnection,
    office: i64,
    reference: &str,
    fee: u64,
) -> Result<(i64, String), ApiError> {
    let found: Option<(i64, i64, Option<String>, Option<i64>)> = sqlx::query_as(
        "SELECT id, amount, paid_at, certification_id FROM certification_fee_orders \
         WHERE reference = $1 AND office_id = $2",
    )
    .bind(reference)
    .bind(office)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, amount, paid_at, used)) = found else {
        return Err(crate::portal::error::invalid(
            "fee_order",
            format!(
                "Không có lệnh thu {reference} của đơn vị này. Hãy tạo lệnh thu VietQR mới, hoặc thu tiền mặt."
            ),
            format!(
                "There is no fee order {reference} at this office. Make a new VietQR fee order, or take cash."
            ),
        ));
    };
    if used.is_some() {
        return Err(Problem::new(
            ErrorCode::FeeOrderUsed,
            format!("Lệnh thu {reference} đã dùng để nộp phí cho một chứng thực khác. Hãy tạo lệnh thu mới."),
            format!("Fee order {reference} already paid for another certification. Make a new one."),
        )
        .on("fee_order")
        .into());
    }
    let Some(paid_at) = paid_at else {
        return Err(Problem::new(
            ErrorCode::FeeOrderUnpaid,
            format!("Chưa nhận được tiền chuyển khoản cho lệnh thu {reference}. Hãy đợi ngân hàng báo có, hoặc thu tiền mặt."),
            format!("The transfer for fee order {reference} has not arrived. Wait for the bank's notice, or take cash."),
        )
        .on("fee_order")
        .into());
    };
    if u64::try_from(amount).ok() != Some(fee) {
        return Err(Problem::new(
            ErrorCode::AmountMismatch,
            format!(
                "Lệnh thu {reference} là {amount} đồng, còn lệ phí của chứng thực này là {fee} đồng. Hãy sửa số trang, số bản cho đúng, hoặc thu tiền mặt."
            ),
            format!(
                "Fee order {reference} is for {amount} đồng; this certification's fee is {fee} đồng. Correct the pages or copies, or take cash."
            ),
        )
        .on("fee_order")
        .into());
    }
    Ok((id, paid_at))
}

/// Records `e` at `now` (the clock's year picks the book) by `session`'s official, its fee
/// paid in cash or by the paid fee order it names, and audits it.
pub async fn record(
    conn: &mut AnyConnection,
    session: &Session,
    e: &NewEntry<'_>,
    now: LocalTime,
) -> Result<Certification, ApiError> {
    let year = now.year();
    let fee = rules::fee(e.kind, e.act.unwrap_or_default(), e.pages, e.copies);
    let order = match e.fee_order {
        Some(reference) => Some(paid_order(&mut *conn, e.office_id, reference, fee).await?),
        None => None,
    };
    let method = if order.is_some() { "vietqr" } else { "cash" };
    let number = next_number(&mut *conn, e.office_id, e.kind, year).await?;
    let book = rules::book(e.kind, year);
    let text = certificate(&Stored {
        kind: e.kind,
        act: e.act,
        office_name: e.office_name,
        certified_at: now,
        book: &book,
        number,
        applicant_name: e.applicant_name,
        id_number: e.id_number,
        document_name: e.document_name,
        pages: e.pages,
        copies: e.copies,
        officer: &session.full_name,
    })
    .text();
    let public_id = new_public_id();
    let at = now.to_rfc3339();
    let paid_at = order.as_ref().map_or(at.clone(), |(_, paid)| paid.clone());
    let row_id: i64 = sqlx::query_scalar(
        "INSERT INTO certifications (public_id, office_id, kind, act, year, number, book, \
         citizen_id, applicant_name, applicant_id_number, document_name, pages, copies, note, \
         fee, payment_method, paid_at, certified_at, user_id, officer_name, office_name, \
         search_key, text, fee_order) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $23, \
         $16, $17, $18, $19, $20, $21, $22, $24) RETURNING id",
    )
    .bind(&public_id)
    .bind(e.office_id)
    .bind(e.kind.as_str())
    .bind(e.act.map(ContractAct::as_str))
    .bind(year)
    .bind(i64::from(number))
    .bind(&book)
    .bind(e.citizen.as_ref().map(|c| c.0))
    .bind(e.applicant_name)
    .bind(e.id_number)
    .bind(e.document_name)
    .bind(i64::from(e.pages))
    .bind(i64::from(e.copies))
    .bind(e.note)
    .bind(fee as i64)
    .bind(&paid_at)
    .bind(&at)
    .bind(session.user_id)
    .bind(&session.full_name)
    .bind(e.office_name)
    .bind(search_key(&format!(
        "{} {}",
        e.applicant_name, e.document_name
    )))
    .bind(&text)
    .bind(method)
    .bind(e.fee_order)
    .fetch_one(&mut *conn)
    .await?;
    if let Some((order_id, _)) = &order {
        sqlx::query("UPDATE certification_fee_orders SET certification_id = $1 WHERE id = $2")
            .bind(row_id)
            .bind(order_id)
            .execute(&mut *conn)
            .await?;
    }
    let detail = format!("{} {book} số {number}", e.kind.as_str());
    let data = serde_json::json!({
        "id": public_id, "kind": e.kind, "book": book, "number": number,
        "pages": e.pages, "copies": e.copies, "fee": fee, "payment_method": method,
        "fee_order": e.fee_order,
    })
    .to_string();
    audit::record_step(
        &mut *conn,
        now,
        Event::CertificationRecorded {
            session,
            office_id: e.office_id,
            detail: &detail,
            payment: &match e.fee_order {
                Some(reference) => format!("vietqr {fee} {reference}"),
                None => format!("cash {fee}"),
            },
        },
        Due::default(),
        Some(&data),
    )
    .await?;
    Ok(Certification {
        id: public_id,
        kind: e.kind,
        act: e.act,
        book,
        number,
        year,
        applicant: CertifiedApplicant {
            citizen_id: e.citizen.as_ref().map(|c| c.1.clone()),
            full_name: e.applicant_name.to_owned(),
            id_number: e.id_number.to_owned(),
        },
        document_name: e.document_name.to_owned(),
        pages: e.pages,
        copies: e.copies,
        note: e.note.map(str::to_owned),
        fee,
        payment_method: method.into(),
        fee_order: e.fee_order.map(str::to_owned),
        certified_at: at,
        certified_by: session.full_name.clone(),
        text,
    })
}

/// What a certificate is worded from, as stored.
struct Stored<'a> {
    kind: Kind,
    act: Option<ContractAct>,
    office_name: &'a str,
    certified_at: LocalTime,
    book: &'a str,
    number: u32,
    applicant_name: &'a str,
    id_number: &'a str,
    document_name: &'a str,
    pages: u32,
    copies: u32,
    officer: &'a str,
}

fn certificate(s: &Stored<'_>) -> Certificate {
    let place = s
        .office_name
        .strip_prefix("UBND ")
        .unwrap_or(s.office_name)
        .trim();
    rules::certificate(&Entry {
        kind: s.kind,
        act: s.act.unwrap_or_default(),
        office: s.office_name,
        place,
        date: s.certified_at.date_naive(),
        book: s.book,
        number: s.number,
        applicant: s.applicant_name,
        id_number: s.id_number,
        document: s.document_name,
        pages: s.pages,
        copies: s.copies,
        officer: s.officer,
    })
}

/// An entry as stored.
#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub public_id: String,
    kind: String,
    act: Option<String>,
    year: i64,
    number: i64,
    book: String,
    citizen_public_id: Option<String>,
    applicant_name: String,
    applicant_id_number: String,
    document_name: String,
    pages: i64,
    copies: i64,
    note: Option<String>,
    fee: i64,
    payment_method: String,
    fee_order: Option<String>,
    certified_at: String,
    officer_name: String,
    pub office_name: String,
    text: String,
}

const COLUMNS: &str = "e.id, e.public_id, e.kind, e.act, e.year, e.number, e.book, \
    c.public_id AS citizen_public_id, e.applicant_name, e.applicant_id_number, \
    e.document_name, e.pages, e.copies, e.note, e.fee, e.payment_method, e.fee_order, e.certified_at, \
    e.officer_name, e.office_name, e.text \
    FROM certifications e LEFT JOIN citizens c ON c.id = e.citizen_id";

fn kind_of(s: &str) -> Result<Kind, ApiError> {
    Kind::from_wire(s).ok_or_else(|| ApiError::internal(format!("stored kind {s}")))
}

impl Row {
    pub fn api(self) -> Result<Certification, ApiError> {
        let act = match self.act.as_deref() {
            Some(a) => Some(
                ContractAct::from_wire(a)
                    .ok_or_else(|| ApiError::internal(format!("stored act {a}")))?,
            ),
            None => None,
        };
        Ok(Certification {
            id: self.public_id,
            kind: kind_of(&self.kind)?,
            act,
            book: self.book,
            number: u32::try_from(self.number).map_err(ApiError::internal)?,
            year: i32::try_from(self.year).map_err(ApiError::internal)?,
            applicant: CertifiedApplicant {
                citizen_id: self.citizen_public_id,
                full_name: self.applicant_name,
                id_number: self.applicant_id_number,
            },
            document_name: self.document_name,
            pages: u32::try_from(self.pages).map_err(ApiError::internal)?,
            copies: u32::try_from(self.copies).map_err(ApiError::internal)?,
            note: self.note,
            fee: u64::try_from(self.fee).map_err(ApiError::internal)?,
            payment_method: self.payment_method,
            fee_order: self.fee_order,
            certified_at: self.certified_at,
            certified_by: self.officer_name,
            text: self.text,
        })
    }

    /// The entry's certificate, worded again from what the book holds.
    pub fn certificate(&self) -> Result<Certificate, ApiError> {
        let act = self.act.as_deref().and_then(ContractAct::from_wire);
        let certified_at =
            chrono::DateTime::parse_from_rfc3339(&self.certified_at).map_err(ApiError::internal)?;
        Ok(certificate(&Stored {
            kind: kind_of(&self.kind)?,
            act,
            office_name: &self.office_name,
            certified_at,
            book: &self.book,
            number: u32::try_from(self.number).map_err(ApiError::internal)?,
            applicant_name: &self.applicant_name,
            id_number: &self.applicant_id_number,
            document_name: &self.document_name,
            pages: u32::try_from(self.pages).map_err(ApiError::internal)?,
            copies: u32::try_from(self.copies).map_err(ApiError::internal)?,
            officer: &self.officer_name,
        }))
    }

    /// `chung-thuc-copy-2026-12`: book symbols hold `/`, `,` and `Đ`, which a file name in
    /// a header should not, so the name takes the kind, year and number.
    pub fn file_stem(&self) -> String {
        format!("chung-thuc-{}-{}-{}", self.kind, self.year, self.number)
    }

    /// `01/2026-SCT/BS số 12`.
    pub fn reference(&self) -> String {
        format!("{} số {}", self.book, self.number)
    }
}

/// The entry `public_id` of `office`, if there is one.
pub async fn load(
    conn: &mut AnyConnection,
    office: i64,
    public_id: &str,
) -> Result<Option<Row>, ApiError> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} WHERE e.office_id = $1 AND e.public_id = $2"
    )))
    .bind(office)
    .bind(public_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The entries of the ids given, in that order.
pub async fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Row>, ApiError> {
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let row: Row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} WHERE e.id = $1"
        )))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        out.push(row);
    }
    Ok(out)
}
