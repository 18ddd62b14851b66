//! The register of dossiers (Sổ theo dõi hồ sơ: Mẫu 06 of Circular 01/2018/TT-VPCP,
//! Mẫu 07 of Circular 03/2025/TT-VPCP) for a period: one row per dossier received in it,
//! in the order received, with the columns of the form and the period's totals. Written
//! as a PDF (A4 landscape, through [`Sheet`]), as CSV and as an Excel workbook (XLSX),
//! from the same rows.

use super::{Block, Office, Sheet, Table, date, parse, timeliness};
use crate::api::dossiers::Channel;
use crate::domain::Lang;
use crate::domain::calendar::{LocalTime, Timeliness};
use crate::domain::forms::FormSet;
use crate::domain::status::Status;
use chrono::{Datelike, NaiveDate, Timelike};

/// The columns of the form, in order.
pub const COLUMNS: [&str; 14] = [
    "TT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả",
    "Ký nhận",
    "Ghi chú",
];

/// Each column's share of the line, as characters of a plain-text table would be.
const WIDTHS: [usize; 14] = [2, 13, 18, 4, 12, 20, 9, 8, 8, 8, 8, 8, 5, 16];

/// The columns that hold a time.
const TIMES: [usize; 5] = [7, 8, 9, 10, 11];

/// A leased number of the period without a dossier (issue 19).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    pub code: String,
    /// Why it will never number a dossier; `None` while its officer still holds it (a
    /// dossier taken in offline may still arrive on it).
    pub voided: Option<String>,
    /// When it was leased, or voided.
    pub at: String,
}

/// A dossier numbered on one of the period's days but not received in it: submitted
/// online and not received (yet, or ever: refused or withdrawn first), or received on a
/// later day, whose register has its row. Listed so that no number of the day is
/// missing without a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReceived {
    pub code: String,
    pub status: Status,
    /// When it was submitted (and numbered), RFC 3339.
    pub submitted_at: String,
    /// When it was received, after the period; `None` when it was not.
    pub received_at: Option<String>,
}

/// One dossier of the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub code: String,
    pub procedure: String,
    pub applicant: String,
    pub address: String,
    pub phone: String,
    /// Who decides: the office itself for its own procedures.
    pub authority: String,
    pub channel: Channel,
    pub status: Status,
    /// RFC 3339, as stored.
    pub received_at: String,
    /// The appointment given at reception.
    pub appointment: Option<String>,
    /// The due in force now (later than the appointment after an extension).
    pub due_at: Option<String>,
    /// First handed on to be processed.
    pub forwarded_at: Option<String>,
    /// The result came back to the desk (approved).
    pub result_at: Option<String>,
    pub returned_at: Option<String>,
    pub timeliness: Option<Timeliness>,
    /// Why it was refused, withdrawn or stopped.
    pub reason: Option<String>,
    /// Past its due with the clock running, at the time the register was made.
    pub overdue: bool,
}

/// A register for a period.
pub struct Register<'a> {
    pub office: &'a Office,
    pub set: FormSet,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// In the order received.
    pub entries: Vec<Entry>,
    /// The numbers of the period's days that were leased for intake with the link down
    /// and never numbered a dossier: each listed, so the day's numbers have no silent gap.
    pub set_aside: Vec<SetAside>,
    /// The dossiers numbered in the period and not received in it, by code.
    pub not_received: Vec<NotReceived>,
    /// When it was made (RFC 3339), for the place-and-date line.
    pub made_at: String,
}

/// The period's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub received: usize,
    pub at_desk: usize,
    pub online: usize,
    pub returned_early: usize,
    pub returned_on_time: usize,
    pub returned_late: usize,
    pub in_process: usize,
    pub overdue: usize,
    pub refused: usize,
    pub withdrawn: usize,
    pub stopped: usize,
    /// Leased numbers voided, and still held, without a dossier.
    pub voided_numbers: usize,
    pub held_numbers: usize,
    /// Numbers of dossiers submitted online in the period and not received in it.
    pub not_received: usize,
}

impl Totals {
    /// Each total with its label, in the order printed: the form's, then those of the
    /// day's numbers that are not dossiers of the period, when there are any (most
    /// periods have none, and the form's page stays one).
    pub fn lines(&self) -> Vec<(&'static str, usize)> {
        let numbers = [
            ("Số hồ sơ giữ trước đã hủy, không dùng", self.voided_numbers),
            ("Số hồ sơ giữ trước, chưa có hồ sơ", self.held_numbers),
            (
                "Số của hồ sơ nộp trực tuyến, không tiếp nhận trong kỳ",
                self.not_received,
            ),
        ];
        let mut lines = vec![
            ("Tổng số hồ sơ tiếp nhận", self.received),
            ("Tiếp nhận trực tiếp", self.at_desk),
            ("Tiếp nhận trực tuyến", self.online),
            (
                "Đã trả kết quả",
                self.returned_early + self.returned_on_time + self.returned_late,
            ),
            ("Trả trước hạn", self.returned_early),
            ("Trả đúng hạn", self.returned_on_time),
            ("Trả quá hạn", self.returned_late),
            ("Đang giải quyết", self.in_process),
            ("Đang giải quyết, đã quá hạn", self.overdue),
            ("Từ chối tiếp nhận", self.refused),
            ("Rút hồ sơ", self.withdrawn),
            ("Dừng giải quyết", self.stopped),
        ];
        lines.extend(numbers.into_iter().filter(|(_, n)| *n > 0));
        lines
    }
}

/// One cell of a row: text, a count, or a time (kept as a time for the spreadsheet).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Count(u64),
    Time(Option<LocalTime>),
}

impl Cell {
    /// As printed: `DD/MM/YYYY HH:MM` for a time.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Time(Some(t)) => t.format("%d/%m/%Y %H:%M").to_string(),
            Cell::Time(None) => String::new(),
        }
    }
}

impl Register<'_> {
    pub fn totals(&self) -> Totals {
        let mut t = Totals {
            received: self.entries.len(),
            voided_numbers: self.set_aside.iter().filter(|s| s.voided.is_some()).count(),
            held_numbers: self.set_aside.iter().filter(|s| s.voided.is_none()).count(),
            not_received: self.not_received.len(),
            ..Totals::default()
        };
        for e in &self.entries {
            match e.channel {
                Channel::Desk => t.at_desk += 1,
                Channel::Online => t.online += 1,
            }
            match e.status {
                Status::Returned => match e.timeliness {
                    Some(Timeliness::Early) => t.returned_early += 1,
                    Some(Timeliness::OnTime) | None => t.returned_on_time += 1,
                    Some(Timeliness::Late) => t.returned_late += 1,
                },
                Status::Refused => t.refused += 1,
                Status::Withdrawn => t.withdrawn += 1,
                Status::Stopped => t.stopped += 1,
                _ => {
                    t.in_process += 1;
                    if e.overdue {
                        t.overdue += 1;
                    }
                }
            }
        }
        t
    }

    /// The rows: the dossiers numbered from 1, then the period's numbers of dossiers
    /// not received in it and the leased numbers without a dossier (not counted: they
    /// are not dossiers of the period), each with why in its note.
    pub fn rows(&self) -> impl Iterator<Item = Vec<Cell>> + '_ {
        self.entries
            .iter()
            .enumerate()
            .map(|(i, e)| row(i + 1, e))
            .chain(self.not_received.iter().map(not_received_row))
            .chain(self.set_aside.iter().map(set_aside_row))
    }

    /// `Từ ngày 01/03/2026 đến ngày 31/03/2026`.
    pub fn period(&self) -> String {
        format!("Từ ngày {} đến ngày {}", date(self.from), date(self.to))
    }

    /// The file name, without its extension.
    pub fn file_stem(&self) -> String {
        format!(
            "so-theo-doi-ho-so-{}-{}",
            self.from.format("%Y%m%d"),
            self.to.format("%Y%m%d")
        )
    }

    /// The register as a sheet, for the PDF: A4 landscape.
    pub fn sheet(&self) -> Sheet {
        let title = self.set.register_title(Lang::Vi);
        let mut sheet = Sheet::new(self.set, self.set.register_number(), title, &self.period());
        sheet.landscape = true;
        sheet.push(Block::Header {
            office: self.office.name.clone(),
            desk: self.set.desk().to_owned(),
        });
        sheet.push(Block::Title(title.to_owned()));
        sheet.center(&self.period());
        sheet.blank();
        sheet.push(Block::Table(Table {
            widths: WIDTHS.to_vec(),
            header: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
            rows: self
                .rows()
                .map(|cells| cells.iter().map(Cell::text).collect())
                .collect(),
            centered: [0, 3].into_iter().chain(TIMES).collect(),
            compact: true,
        }));
        sheet.blank();
        sheet.para("Tổng hợp trong kỳ:");
        sheet.push(Block::Table(Table {
            widths: vec![40, 10],
            header: vec!["Nội dung".into(), "Số hồ sơ".into()],
            rows: self
                .totals()
                .lines()
                .into_iter()
                .map(|(label, n)| vec![label.to_owned(), n.to_string()])
                .collect(),
            centered: vec![1],
            compact: false,
        }));
        sheet.blank();
        sheet.place_date(self.office, &self.made_at);
        sheet
    }

    /// The register as CSV: UTF-8 with a byte order mark (so that a spreadsheet program
    /// reads the Vietnamese as such), the columns' names, then one record per dossier.
    /// Times are `DD/MM/YYYY HH:MM` at +07:00. The totals are not records: they are in
    /// the PDF and the workbook.
    pub fn csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut out = csv::Writer::from_writer(Vec::from("\u{feff}".as_bytes()));
        out.write_record(COLUMNS)?;
        for row in self.rows() {
            out.write_record(row.iter().map(Cell::text))?;
        }
        out.into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }

    /// The register as an Excel workbook: the sheet "Sổ theo dõi hồ sơ" with the columns'
    /// names in its first row and one row per dossier (times as dates), and the sheet
    /// "Tổng hợp" with the office, the period, the form and the totals.
    pub fn xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
        let mut book = Workbook::new();
        let head = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin);
        let wrap = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        let when = Format::new()
            .set_num_format("dd/mm/yyyy hh:mm")
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        let sheet = book.add_worksheet();
        sheet.set_name(self.set.register_title(Lang::Vi))?;
        for (col, name) in COLUMNS.iter().enumerate() {
            let col = col as u16;
            sheet.write_string_with_format(0, col, *name, &head)?;
            sheet.set_column_width(col, (WIDTHS[col as usize] as f64 * 1.6).max(8.0))?;
        }
        sheet.set_row_height(0, 45)?;
        sheet.set_freeze_panes(1, 0)?;
        let mut last = 0u32;
        for (i, cells) in self.rows().enumerate() {
            let r = i as u32 + 1;
            last = r;
            for (col, cell) in cells.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string_with_format(r, col, t, &wrap)?;
                    }
                    Cell::Count(n) => {
                        sheet.write_number_with_format(r, col, *n as f64, &wrap)?;
                    }
                    Cell::Time(Some(t)) => {
                        sheet.write_datetime_with_format(r, col, excel_time(t)?, &when)?;
                    }
                    Cell::Time(None) => {
                        sheet.write_blank(r, col, &wrap)?;
                    }
                }
            }
        }
        sheet.autofilter(0, 0, last, COLUMNS.len() as u16 - 1)?;

        let summary = book.add_worksheet();
        summary.set_name("Tổng hợp")?;
        summary.set_column_width(0, 36)?;
        summary.set_column_width(1, 48)?;
        let bold = Format::new().set_bold();
        let header = [
            ("Cơ quan", self.office.name.clone()),
            (
                "Biểu mẫu",
                format!(
                    "{} (Mẫu số {} - Thông tư {})",
                    self.set.register_title(Lang::Vi),
                    self.set.register_number(),
                    self.set.circular()
                ),
            ),
            ("Kỳ", self.period()),
        ];
        let mut r = 0;
        for (label, value) in header {
            summary.write_string_with_format(r, 0, label, &bold)?;
            summary.write_string(r, 1, value)?;
            r += 1;
        }
        r += 1;
        for (label, n) in self.totals().lines() {
            summary.write_string(r, 0, label)?;
            summary.write_number(r, 1, n as f64)?;
            r += 1;
        }
        book.save_to_buffer()
    }
}

fn excel_time(t: &LocalTime) -> Result<rust_xlsxwriter::ExcelDateTime, rust_xlsxwriter::XlsxError> {
    rust_xlsxwriter::ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)?
        .and_hms(t.hour() as u16, t.minute() as u8, t.second())
}

fn row(n: usize, e: &Entry) -> Vec<Cell> {
    let time = |t: &Option<String>| Cell::Time(t.as_deref().and_then(parse));
    let mut contact = e.address.trim().to_owned();
    if !e.phone.trim().is_empty() {
        if !contact.is_empty() {
            contact.push_str("; ");
        }
        contact.push_str(&format!("ĐT: {}", e.phone.trim()));
    }
    vec![
        Cell::Count(n as u64),
        Cell::Text(e.code.clone()),
        Cell::Text(e.procedure.clone()),
        // One dossier is one set of documents.
        Cell::Count(1),
        Cell::Text(e.applicant.clone()),
        Cell::Text(contact),
        Cell::Text(e.authority.clone()),
        Cell::Time(parse(&e.received_at)),
        time(&e.appointment.clone().or_else(|| e.due_at.clone())),
        time(&e.forwarded_at),
        time(&e.result_at),
        time(&e.returned_at),
        // Signed on paper by whoever collects the result.
        Cell::Text(String::new()),
        Cell::Text(note(e)),
    ]
}

fn set_aside_row(s: &SetAside) -> Vec<Cell> {
    let note = match &s.voided {
        Some(reason) => format!("Số đã hủy, không có hồ sơ: {}", reason.trim()),
        None => "Số giữ trước cho tiếp nhận khi mất kết nối, chưa có hồ sơ".to_owned(),
    };
    number_row(
        &s.code,
        format!("{note} ({})", Cell::Time(parse(&s.at)).text()),
    )
}

fn not_received_row(n: &NotReceived) -> Vec<Cell> {
    let at = |t: &str| Cell::Time(parse(t)).text();
    let submitted = format!("Nộp trực tuyến {}", at(&n.submitted_at));
    let note = match (&n.received_at, n.status) {
        (Some(received), _) => format!("{submitted}; tiếp nhận {}, vào sổ kỳ đó", at(received)),
        (None, Status::Submitted) => format!("{submitted}; chờ tiếp nhận"),
        (None, Status::Refused) => format!("{submitted}; từ chối tiếp nhận"),
        (None, Status::Withdrawn) => format!("{submitted}; rút trước khi tiếp nhận"),
        (None, status) => format!("{submitted}; {}", status.label(Lang::Vi)),
    };
    number_row(&n.code, note)
}

/// A row for a number that is not a dossier of the period: its code and why.
fn number_row(code: &str, note: String) -> Vec<Cell> {
    let mut cells = vec![Cell::Text(String::new()); COLUMNS.len()];
    cells[1] = Cell::Text(code.to_owned());
    cells[3] = Cell::Count(0);
    for time in TIMES {
        cells[time] = Cell::Time(None);
    }
    cells[13] = Cell::Text(note);
    cells
}

/// What the note column says of a dossier: how it ended, or where it stands.
fn note(e: &Entry) -> String {
    let mut parts: Vec<String> = Vec::new();
    if e.channel == Channel::Online {
        parts.push("Nộp trực tuyến".into());
    }
    let reason = e
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    match e.status {
        Status::Returned => parts.push(format!(
            "Trả {}",
            timeliness(e.timeliness.unwrap_or(Timeliness::OnTime)).to_lowercase()
        )),
        Status::Refused => parts.push(format!("Từ chối tiếp nhận{reason}")),
        Status::Withdrawn => parts.push(format!("Rút hồ sơ{reason}")),
        Status::Stopped => parts.push(format!("Dừng giải quyết{reason}")),
        Status::SupplementRequested => parts.push("Chờ bổ sung hồ sơ".into()),
        status => {
            if e.overdue {
                parts.push("Quá hạn".into());
            }
            parts.push(status.label(Lang::Vi).to_owned());
        }
    }
    if let (Some(appointment), Some(due)) = (e.appointment.as_deref(), e.due_at.as_deref())
        && appointment != due
        && let Some(due) = parse(due)
    {
        parts.push(format!("Gia hạn đến {}", due.format("%d/%m/%Y %H:%M")));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office() -> Office {
        Office {
            name: "UBND Phường An Hội".into(),
            address: "Số 1 đường Hai Bà Trưng".into(),
            phone: "02753822101".into(),
        }
    }

    fn entry(i: usize, status: Status) -> Entry {
        Entry {
            code: format!("000.01.27.H07-260302-{i:04}"),
            procedure: "Đăng ký khai sinh".into(),
            applicant: "Nguyễn Thị Ánh Tuyết".into(),
            address: "Số 12, Phường An Hội".into(),
            phone: "0912345678".into(),
            authority: "UBND Phường An Hội".into(),
            channel: if i.is_multiple_of(2) {
                Channel::Desk
            } else {
                Channel::Online
            },
            status,
            received_at: "2026-03-02T08:15:00+07:00".into(),
            appointment: Some("2026-03-05T08:15:00+07:00".into()),
            due_at: Some("2026-03-05T08:15:00+07:00".into()),
            forwarded_at: Some("2026-03-02T10:00:00+07:00".into()),
            result_at: None,
            returned_at: None,
            timeliness: None,
            reason: None,
            overdue: false,
        }
    }

    fn register(office: &Office, entries: Vec<Entry>) -> Register<'_> {
        Register {
            office,
            set: FormSet::Circular03_2025,
            from: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            entries,
            set_aside: Vec::new(),
            not_received: Vec::new(),
            made_at: "2026-04-01T09:00:00+07:00".into(),
        }
    }

    #[test]
    fn rows_have_every_column_and_notes_say_how_each_ended() {
        let o = office();
        let mut returned = entry(1, Status::Returned);
        returned.timeliness = Some(Timeliness::Late);
        returned.returned_at = Some("2026-03-06T09:00:00+07:00".into());
        let mut refused = entry(2, Status::Refused);
        refused.reason = Some("Không thuộc thẩm quyền".into());
        let mut extended = entry(3, Status::InProgress);
        extended.due_at = Some("2026-03-10T08:15:00+07:00".into());
        extended.overdue = true;
        let r = register(&o, vec![returned, refused, extended]);
        let rows: Vec<Vec<String>> = r
            .rows()
            .map(|cells| cells.iter().map(Cell::text).collect())
            .collect();
        assert!(rows.iter().all(|row| row.len() == COLUMNS.len()));
        assert_eq!(rows[0][0], "1");
        assert_eq!(rows[0][5], "Số 12, Phường An Hội; ĐT: 0912345678");
        assert_eq!(rows[0][7], "02/03/2026 08:15");
        assert_eq!(rows[0][11], "06/03/2026 09:00");
        assert_eq!(rows[0][13], "Nộp trực tuyến; Trả quá hạn");
        assert_eq!(rows[1][13], "Từ chối tiếp nhận: Không thuộc thẩm quyền");
        assert_eq!(
            rows[2][13],
            "Nộp trực tuyến; Quá hạn; Đang xử lý; Gia hạn đến 10/03/2026 08:15"
                .replace("Đang xử lý", Status::InProgress.label(Lang::Vi))
        );
        assert_eq!(rows[2][8], "05/03/2026 08:15", "the appointment given");
        let t = r.totals();
        assert_eq!(
            (
                t.received,
                t.online,
                t.at_desk,
                t.returned_late,
                t.refused,
                t.in_process,
                t.overdue
            ),
            (3, 2, 1, 1, 1, 1, 1)
        );
    }

    #[test]
    fn leased_numbers_without_a_dossier_follow_the_dossiers_with_why() {
        let o = office();
        let mut r = register(&o, vec![entry(1, Status::Received)]);
        r.set_aside = vec![
            SetAside {
                code: "000.01.27.H07-260302-0002".into(),
                voided: Some("Hết giờ làm việc, không dùng".into()),
                at: "2026-03-02T17:05:00+07:00".into(),
            },
            SetAside {
                code: "000.01.27.H07-260302-0003".into(),
                voided: None,
                at: "2026-03-02T07:30:00+07:00".into(),
            },
        ];
        let rows: Vec<Vec<String>> = r
            .rows()
            .map(|cells| cells.iter().map(Cell::text).collect())
            .collect();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|row| row.len() == COLUMNS.len()));
        assert_eq!(
            rows[1][0], "",
            "a number without a dossier is not counted as one"
        );
        assert_eq!(rows[1][1], "000.01.27.H07-260302-0002");
        assert_eq!(
            rows[1][13],
            "Số đã hủy, không có hồ sơ: Hết giờ làm việc, không dùng (02/03/2026 17:05)"
        );
        assert!(rows[2][13].starts_with("Số giữ trước"), "{}", rows[2][13]);
        let t = r.totals();
        assert_eq!((t.received, t.voided_numbers, t.held_numbers), (1, 1, 1));
        assert_eq!(t.not_received, 0);
        let csv = r.csv().unwrap();
        let text = String::from_utf8(csv).unwrap();
        assert!(text.contains("000.01.27.H07-260302-0002"));
    }

    #[test]
    fn numbers_of_online_dossiers_not_received_in_the_period_say_what_became_of_them() {
        let o = office();
        let mut r = register(&o, vec![entry(1, Status::Received)]);
        let online = |i: usize, status: Status, received: Option<&str>| NotReceived {
            code: format!("000.01.27.H07-260331-{i:04}"),
            status,
            submitted_at: "2026-03-31T16:40:00+07:00".into(),
            received_at: received.map(Into::into),
        };
        r.not_received = vec![
            online(2, Status::Submitted, None),
            online(3, Status::Refused, None),
            online(4, Status::Withdrawn, None),
            online(5, Status::InProgress, Some("2026-04-01T08:05:00+07:00")),
        ];
        r.set_aside = vec![SetAside {
            code: "000.01.27.H07-260331-0006".into(),
            voided: None,
            at: "2026-03-31T07:30:00+07:00".into(),
        }];
        let rows: Vec<Vec<String>> = r
            .rows()
            .map(|cells| cells.iter().map(Cell::text).collect())
            .collect();
        assert_eq!(rows.len(), 6);
        assert!(rows.iter().all(|row| row.len() == COLUMNS.len()));
        assert_eq!((rows[1][0].as_str(), rows[1][3].as_str()), ("", "0"));
        assert_eq!(rows[1][1], "000.01.27.H07-260331-0002");
        assert_eq!(
            rows[1][13],
            "Nộp trực tuyến 31/03/2026 16:40; chờ tiếp nhận"
        );
        assert_eq!(
            rows[2][13],
            "Nộp trực tuyến 31/03/2026 16:40; từ chối tiếp nhận"
        );
        assert_eq!(
            rows[3][13],
            "Nộp trực tuyến 31/03/2026 16:40; rút trước khi tiếp nhận"
        );
        assert_eq!(
            rows[4][13],
            "Nộp trực tuyến 31/03/2026 16:40; tiếp nhận 01/04/2026 08:05, vào sổ kỳ đó"
        );
        assert!(rows[5][13].starts_with("Số giữ trước"));
        let t = r.totals();
        assert_eq!((t.received, t.not_received, t.held_numbers), (1, 4, 1));
        assert!(
            t.lines()
                .contains(&("Số của hồ sơ nộp trực tuyến, không tiếp nhận trong kỳ", 4))
        );
    }

    #[test]
    fn csv_has_a_byte_order_mark_the_columns_and_one_record_per_dossier() {
        let o = office();
        let mut odd = entry(1, Status::Received);
        odd.applicant = "Lê \"Bé\", Út".into();
        let r = register(&o, vec![odd, entry(2, Status::Received)]);
        let bytes = r.csv().unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()));
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, COLUMNS);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 2);
        assert_eq!(&records[0][4], "Lê \"Bé\", Út");
    }

    #[test]
    fn the_sheet_is_landscape_with_the_register_number_and_the_totals() {
        let o = office();
        let r = register(&o, vec![entry(1, Status::Received)]);
        let sheet = r.sheet();
        assert!(sheet.landscape);
        assert_eq!(sheet.number_line(), "Mẫu số 07 - Thông tư 03/2025/TT-VPCP");
        let text = super::super::text::text(&sheet);
        assert!(text.contains("Tổng số hồ sơ tiếp nhận"), "{text}");
        let mut old = register(&o, vec![]);
        old.set = FormSet::Circular01_2018;
        assert_eq!(
            old.sheet().number_line(),
            "Mẫu số 06 - Thông tư 01/2018/TT-VPCP"
        );
        assert!(r.xlsx().unwrap().starts_with(b"PK"));
    }
}
