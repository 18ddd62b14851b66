//! Giving results back (docs/domain.md, "Results, ratings, notifications"): the handover
//! that `return_result` records, the citizen's satisfaction rating, and the words of the
//! notices a citizen gets at each step of their dossier. Pure: the portal stores and
//! sends, the TUI shows; both take the rules and the texts from here, so the desk sees
//! exactly what the citizen will read.

use super::calendar::LocalTime;
use super::fees::format_vnd;
use super::identity::{IdError, parse_cccd};
use super::status::Status;
use super::text::nfc;
use super::workflow::{Action, DeliveryMethod};
use super::{Lang, RuleError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Who collects a result in person: the applicant, or someone they authorized.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReceiverRelation {
    #[default]
    #[serde(rename = "self")]
    Myself,
    Authorized,
}

/// The person who collected a result at the desk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Receiver {
    #[schema(max_length = 100)]
    pub full_name: String,
    /// The 12-digit personal identity number on the card shown at the desk.
    #[schema(max_length = 32)]
    pub id_number: String,
    #[serde(default)]
    pub relation: ReceiverRelation,
    /// The authorization document (giấy ủy quyền: number, date, who certified it),
    /// required when `authorized`.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub authorization_doc: Option<String>,
}

/// What `return_result` hands over (`handover` of the action, of the dossier and of the
/// history's `return_result` step). In person: the `receiver` (required), the originals
/// handed back and the result documents issued. By post: the `postal_tracking` code
/// (required) and the result documents sent. Online: nothing is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Handover {
    #[serde(default)]
    #[schema(required = true)]
    pub receiver: Option<Receiver>,
    /// Originals the office kept and gives back, each at most 300 characters.
    #[serde(default)]
    #[schema(schema_with = text_list)]
    pub originals_returned: Vec<String>,
    /// The result documents issued (a certificate, an extract…), each at most 300
    /// characters.
    #[serde(default)]
    #[schema(schema_with = text_list)]
    pub result_documents: Vec<String>,
    /// The postal tracking code (mã bưu gửi): 6 to 40 letters, digits or dashes.
    #[serde(default)]
    #[schema(required = true, max_length = 64)]
    pub postal_tracking: Option<String>,
}

/// The most items of `originals_returned` and of `result_documents`.
pub const HANDOVER_ITEMS: usize = 50;
/// The longest item of those lists, in characters.
pub const HANDOVER_ITEM: usize = 300;
/// The shortest and longest postal tracking code (UPU S10 codes are 13 characters;
/// domestic carriers use other lengths).
pub const TRACKING_MIN: usize = 6;
pub const TRACKING_MAX: usize = 40;

fn text_list() -> utoipa::openapi::Array {
    utoipa::openapi::ArrayBuilder::new()
        .items(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .max_length(Some(HANDOVER_ITEM)),
        )
        .max_items(Some(HANDOVER_ITEMS))
        .build()
}

/// What is wrong with a handover, field by field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandoverError {
    #[error("a result returned in person needs its receiver")]
    ReceiverMissing,
    #[error("the receiver's full name is missing")]
    NameMissing,
    #[error("the receiver's identity number: {0}")]
    IdNumber(IdError),
    #[error("the receiver is said to be the applicant, but the identity number is not theirs")]
    NotTheApplicant,
    #[error("an authorized receiver needs the authorization document")]
    AuthorizationMissing,
    #[error("a result sent by post needs its postal tracking code")]
    TrackingMissing,
    #[error("the postal tracking code must be 6 to 40 letters, digits or dashes")]
    TrackingInvalid,
}

impl HandoverError {
    /// The request field at fault (under the action's `handover`).
    pub fn field(&self) -> &'static str {
        match self {
            HandoverError::ReceiverMissing => "handover.receiver",
            HandoverError::NameMissing => "handover.receiver.full_name",
            HandoverError::IdNumber(_) | HandoverError::NotTheApplicant => {
                "handover.receiver.id_number"
            }
            HandoverError::AuthorizationMissing => "handover.receiver.authorization_doc",
            HandoverError::TrackingMissing | HandoverError::TrackingInvalid => {
                "handover.postal_tracking"
            }
        }
    }
}

impl RuleError for HandoverError {
    fn code(&self) -> &'static str {
        "validation_failed"
    }

    fn message(&self, lang: Lang) -> String {
        use Lang::{En, Vi};
        match (self, lang) {
            (HandoverError::ReceiverMissing, Vi) => "Chưa ghi người nhận kết quả. Hãy nhập họ tên và số định danh của người nhận (công dân hoặc người được ủy quyền), hoặc quét thẻ căn cước của họ.".into(),
            (HandoverError::ReceiverMissing, En) => "The receiver of the result is missing. Enter the name and identity number of whoever collects it (the applicant or an authorized person), or scan their identity card.".into(),
            (HandoverError::NameMissing, Vi) => "Chưa nhập họ tên người nhận kết quả. Hãy nhập theo thẻ căn cước người nhận xuất trình.".into(),
            (HandoverError::NameMissing, En) => "The receiver's full name is missing. Enter it as on the identity card they show.".into(),
            (HandoverError::IdNumber(e), lang) => e.message(lang),
            (HandoverError::NotTheApplicant, Vi) => "Số định danh này không phải của người nộp hồ sơ. Nếu người nhận là người được ủy quyền, hãy chọn \"được ủy quyền\" và ghi giấy ủy quyền; nếu không, hãy đối chiếu lại thẻ căn cước.".into(),
            (HandoverError::NotTheApplicant, En) => "This identity number is not the applicant's. If the receiver was authorized by the applicant, choose \"authorized\" and note the authorization document; otherwise check the identity card again.".into(),
            (HandoverError::AuthorizationMissing, Vi) => "Người nhận thay cần có giấy ủy quyền. Hãy ghi số, ngày và nơi chứng thực của giấy ủy quyền.".into(),
            (HandoverError::AuthorizationMissing, En) => "Someone collecting for the applicant needs an authorization. Note its number, date and who certified it.".into(),
            (HandoverError::TrackingMissing, Vi) => "Trả kết quả qua bưu chính cần mã bưu gửi. Hãy nhập mã in trên phiếu gửi của bưu điện.".into(),
            (HandoverError::TrackingMissing, En) => "A result sent by post needs its tracking code. Enter the code printed on the post office's slip.".into(),
            (HandoverError::TrackingInvalid, Vi) => format!("Mã bưu gửi chỉ gồm {TRACKING_MIN} đến {TRACKING_MAX} chữ cái, chữ số hoặc dấu gạch ngang (ví dụ EB123456789VN). Hãy nhập lại theo phiếu gửi."),
            (HandoverError::TrackingInvalid, En) => format!("A tracking code is {TRACKING_MIN} to {TRACKING_MAX} letters, digits or dashes (e.g. EB123456789VN). Enter it again from the post office's slip."),
        }
    }
}

/// A list's texts trimmed and in NFC, the empty ones dropped.
fn clean_list(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| nfc(s.trim()))
        .filter(|s| !s.is_empty())
        .collect()
}

fn clean_opt(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(|s| nfc(s.trim()))
        .filter(|s| !s.is_empty())
}

/// Checks the handover of a result returned by `method` for a dossier whose applicant
/// has `applicant_id` (12 digits), and gives it back in the shape the method keeps:
/// trimmed, in NFC, the tracking code upper-cased, and nothing of another method (a
/// receiver of a postal return is dropped). Every fault is reported, each under its
/// field, so a form can mark them all at once.
pub fn check_handover(
    method: DeliveryMethod,
    handover: Option<&Handover>,
    applicant_id: &str,
    today: NaiveDate,
) -> Result<Handover, Vec<HandoverError>> {
    let given = handover.cloned().unwrap_or_default();
    let mut faults = Vec::new();
    let mut out = Handover {
        receiver: None,
        originals_returned: clean_list(&given.originals_returned),
        result_documents: clean_list(&given.result_documents),
        postal_tracking: None,
    };
    let receiver = |faults: &mut Vec<HandoverError>, r: &Receiver| -> Receiver {
        let full_name = nfc(r.full_name.trim());
        if full_name.is_empty() {
            faults.push(HandoverError::NameMissing);
        }
        let id_number: String = r.id_number.chars().filter(|c| !c.is_whitespace()).collect();
        match parse_cccd(&id_number, today) {
            Err(e) => faults.push(HandoverError::IdNumber(e)),
            Ok(_) if r.relation == ReceiverRelation::Myself && id_number != applicant_id => {
                faults.push(HandoverError::NotTheApplicant)
            }
            Ok(_) => {}
        }
        let authorization_doc = clean_opt(&r.authorization_doc);
        if r.relation == ReceiverRelation::Authorized && authorization_doc.is_none() {
            faults.push(HandoverError::AuthorizationMissing);
        }
        Receiver {
            full_name,
            id_number,
            relation: r.relation,
            authorization_doc: authorization_doc
                .filter(|_| r.relation == ReceiverRelation::Authorized),
        }
    };
    match method {
        DeliveryMethod::InPerson => match &given.receiver {
            None => faults.push(HandoverError::ReceiverMissing),
            Some(r) => out.receiver = Some(receiver(&mut faults, r)),
        },
        DeliveryMethod::Postal => {
            out.originals_returned.clear();
            match clean_opt(&given.postal_tracking) {
                None => faults.push(HandoverError::TrackingMissing),
                Some(code) => {
                    let code = code.to_ascii_uppercase();
                    let fits = (TRACKING_MIN..=TRACKING_MAX).contains(&code.chars().count())
                        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                    if fits {
                        out.postal_tracking = Some(code);
                    } else {
                        faults.push(HandoverError::TrackingInvalid);
                    }
                }
            }
        }
        // Online results need nothing at the desk; a receiver given is still checked.
        DeliveryMethod::Online => {
            if let Some(r) = &given.receiver {
                out.receiver = Some(receiver(&mut faults, r));
            }
        }
    }
    if faults.is_empty() {
        Ok(out)
    } else {
        Err(faults)
    }
}

/// The name a returned dossier's `recipient` keeps: the receiver's in person, else the
/// applicant's (a postal or online result goes to them).
pub fn recipient_of(handover: &Handover, applicant_name: &str) -> String {
    handover
        .receiver
        .as_ref()
        .map(|r| r.full_name.clone())
        .unwrap_or_else(|| applicant_name.to_owned())
}

/// The handover in one line of Vietnamese, for the control slip and the notices.
pub fn handover_summary(method: DeliveryMethod, h: &Handover) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &h.receiver {
        let mut who = format!("người nhận {} (CCCD {})", r.full_name, r.id_number);
        if r.relation == ReceiverRelation::Authorized {
            who.push_str(&format!(
                ", được ủy quyền theo {}",
                r.authorization_doc.as_deref().unwrap_or("giấy ủy quyền")
            ));
        }
        parts.push(who);
    }
    if let Some(code) = &h.postal_tracking {
        parts.push(format!("gửi qua bưu chính, mã bưu gửi {code}"));
    } else if method == DeliveryMethod::Online {
        parts.push("trả kết quả trực tuyến".to_owned());
    }
    if !h.result_documents.is_empty() {
        parts.push(format!("kết quả: {}", h.result_documents.join(", ")));
    }
    if !h.originals_returned.is_empty() {
        parts.push(format!(
            "bản gốc trả lại: {}",
            h.originals_returned.join(", ")
        ));
    }
    parts.join("; ")
}

// ---------------------------------------------------------------------------------------
// Satisfaction

/// The citizen's satisfaction with how their dossier was handled (Decision 766/QĐ-TTg
/// counts the satisfied share).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingLevel {
    VerySatisfied,
    Satisfied,
    Unsatisfied,
}

impl RatingLevel {
    pub const ALL: [RatingLevel; 3] = [
        RatingLevel::VerySatisfied,
        RatingLevel::Satisfied,
        RatingLevel::Unsatisfied,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            RatingLevel::VerySatisfied => "very_satisfied",
            RatingLevel::Satisfied => "satisfied",
            RatingLevel::Unsatisfied => "unsatisfied",
        }
    }

    pub fn from_wire(s: &str) -> Option<RatingLevel> {
        RatingLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (RatingLevel::VerySatisfied, Lang::Vi) => "Rất hài lòng",
            (RatingLevel::VerySatisfied, Lang::En) => "Very satisfied",
            (RatingLevel::Satisfied, Lang::Vi) => "Hài lòng",
            (RatingLevel::Satisfied, Lang::En) => "Satisfied",
            (RatingLevel::Unsatisfied, Lang::Vi) => "Không hài lòng",
            (RatingLevel::Unsatisfied, Lang::En) => "Unsatisfied",
        }
    }

    /// Counted as satisfied by the satisfaction index.
    pub const fn is_satisfied(self) -> bool {
        !matches!(self, RatingLevel::Unsatisfied)
    }
}

/// Why a rating is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingRefusal {
    #[error("a dossier is rated once it is returned; this one is '{status}'")]
    NotOpen { status: Status },
    #[error("this dossier has been rated already")]
    AlreadyRated,
}

impl RuleError for RatingRefusal {
    fn code(&self) -> &'static str {
        match self {
            RatingRefusal::NotOpen { .. } => "rating_not_open",
            RatingRefusal::AlreadyRated => "already_rated",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (RatingRefusal::NotOpen { status }, Lang::Vi) => format!(
                "Chỉ đánh giá được khi đã trả kết quả; hồ sơ đang ở trạng thái \"{}\". Hãy mời công dân đánh giá khi nhận kết quả.",
                status.label(Lang::Vi)
            ),
            (RatingRefusal::NotOpen { status }, Lang::En) => format!(
                "A dossier can be rated once its result is returned; this one is \"{}\". Ask the citizen to rate it when they collect the result.",
                status.label(Lang::En)
            ),
            (RatingRefusal::AlreadyRated, Lang::Vi) => "Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần. Không cần làm gì thêm.".into(),
            (RatingRefusal::AlreadyRated, Lang::En) => "This dossier has been rated already; each dossier is rated once. Nothing more is needed.".into(),
        }
    }
}

/// May a dossier in `status`, rated `already` or not, be rated now?
pub fn may_rate(status: Status, already: bool) -> Result<(), RatingRefusal> {
    if status != Status::Returned {
        return Err(RatingRefusal::NotOpen { status });
    }
    if already {
        return Err(RatingRefusal::AlreadyRated);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Notices to the citizen

/// The steps a citizen is told of (Decree 118/2025: the citizen is informed of each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeEvent {
    Received,
    SupplementRequested,
    Refused,
    Extended,
    Stopped,
    ResultReady,
    Returned,
}

impl NoticeEvent {
    pub const ALL: [NoticeEvent; 7] = [
        NoticeEvent::Received,
        NoticeEvent::SupplementRequested,
        NoticeEvent::Refused,
        NoticeEvent::Extended,
        NoticeEvent::Stopped,
        NoticeEvent::ResultReady,
        NoticeEvent::Returned,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            NoticeEvent::Received => "received",
            NoticeEvent::SupplementRequested => "supplement_requested",
            NoticeEvent::Refused => "refused",
            NoticeEvent::Extended => "extended",
            NoticeEvent::Stopped => "stopped",
            NoticeEvent::ResultReady => "result_ready",
            NoticeEvent::Returned => "returned",
        }
    }

    pub fn from_wire(s: &str) -> Option<NoticeEvent> {
        NoticeEvent::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The step, as the citizen reads it.
    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (NoticeEvent::Received, Lang::Vi) => "Đã tiếp nhận hồ sơ",
            (NoticeEvent::Received, Lang::En) => "Dossier received",
            (NoticeEvent::SupplementRequested, Lang::Vi) => "Yêu cầu bổ sung hồ sơ",
            (NoticeEvent::SupplementRequested, Lang::En) => "Supplement requested",
            (NoticeEvent::Refused, Lang::Vi) => "Từ chối tiếp nhận hồ sơ",
            (NoticeEvent::Refused, Lang::En) => "Dossier refused",
            (NoticeEvent::Extended, Lang::Vi) => "Gia hạn thời gian trả kết quả",
            (NoticeEvent::Extended, Lang::En) => "Due date extended",
            (NoticeEvent::Stopped, Lang::Vi) => "Dừng xử lý hồ sơ",
            (NoticeEvent::Stopped, Lang::En) => "Processing stopped",
            (NoticeEvent::ResultReady, Lang::Vi) => "Đã có kết quả",
            (NoticeEvent::ResultReady, Lang::En) => "Result ready",
            (NoticeEvent::Returned, Lang::Vi) => "Đã trả kết quả",
            (NoticeEvent::Returned, Lang::En) => "Result returned",
        }
    }

    /// The notice a step gives rise to: `action` is `None` for a dossier taken in at the
    /// desk (it starts `received`), `to` the status after the step. An online dossier
    /// arriving (`submitted`), a supplement sent online, a payment or a forward tell the
    /// citizen nothing new.
    pub fn of_step(action: Option<Action>, to: Status) -> Option<NoticeEvent> {
        match (action, to) {
            (Some(Action::Extend), _) => Some(NoticeEvent::Extended),
            (None, Status::Received)
            | (Some(Action::Receive | Action::SupplementReceived), Status::Received) => {
                Some(NoticeEvent::Received)
            }
            (Some(Action::RequestSupplement), _) => Some(NoticeEvent::SupplementRequested),
            (Some(Action::Refuse), _) => Some(NoticeEvent::Refused),
            (Some(Action::Stop), _) => Some(NoticeEvent::Stopped),
            (Some(Action::Approve), Status::ResultReady) => Some(NoticeEvent::ResultReady),
            (Some(Action::ReturnResult), _) => Some(NoticeEvent::Returned),
            _ => None,
        }
    }
}

/// What a notice says, beyond its event: read from the dossier after the step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeFacts<'a> {
    pub code: &'a str,
    pub office: &'a str,
    pub procedure: &'a str,
    pub applicant_name: &'a str,
    /// When the step was taken.
    pub at: LocalTime,
    /// The due time after the step.
    pub due_at: Option<LocalTime>,
    /// The step's reason (refusal, supplement, extension, stop).
    pub reason: Option<&'a str>,
    pub missing_documents: &'a [String],
    /// A fee still to pay, in đồng.
    pub fee_due: Option<u64>,
    pub delivery: DeliveryMethod,
    pub handover: Option<&'a Handover>,
    /// Where the citizen looks the dossier up (the public lookup).
    pub lookup_link: &'a str,
}

/// A notice's words: the e-mail's subject and body, and the SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText {
    pub subject: String,
    pub body: String,
    pub sms: String,
}

fn at(t: &LocalTime) -> String {
    t.format("%H:%M ngày %d/%m/%Y").to_string()
}

/// The notice of `event` in Vietnamese (the citizen's language: a notice is the state
/// speaking to a citizen, whatever language the official reads): the dossier's code,
/// the step, what the citizen must do now, and the public lookup link.
pub fn notice(event: NoticeEvent, f: &NoticeFacts<'_>) -> NoticeText {
    let step = event.label(Lang::Vi);
    let reason = f
        .reason
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| format!(" Lý do: {r}."))
        .unwrap_or_default();
    let due = f.due_at.as_ref().map(at);
    // What happened, then what the citizen must do: each as one paragraph.
    let (what, todo, sms_todo): (String, String, String) = match event {
        NoticeEvent::Received => (
            format!("{} đã tiếp nhận hồ sơ lúc {}.", f.office, at(&f.at)),
            match &due {
                Some(due) => format!("Ông/bà không cần làm gì thêm. Thời gian hẹn trả kết quả: {due}."),
                None => "Ông/bà không cần làm gì thêm.".to_owned(),
            },
            due.as_ref()
                .map(|d| format!("Hen tra {d}"))
                .unwrap_or_else(|| "Khong can lam gi them".into()),
        ),
        NoticeEvent::SupplementRequested => (
            format!("Hồ sơ cần được bổ sung, hoàn thiện.{reason}"),
            format!(
                "Ông/bà cần bổ sung: {}. Hãy nộp bổ sung một lần trên Cổng Dịch vụ công hoặc tại Bộ phận Một cửa {}.",
                if f.missing_documents.is_empty() {
                    "các giấy tờ theo phiếu yêu cầu bổ sung".to_owned()
                } else {
                    f.missing_documents.join("; ")
                },
                f.office
            ),
            "Can bo sung giay to".into(),
        ),
        NoticeEvent::Refused => (
            format!("{} từ chối tiếp nhận hồ sơ.{reason}", f.office),
            "Ông/bà có thể hoàn thiện hồ sơ theo hướng dẫn và nộp lại, hoặc liên hệ Bộ phận Một cửa để được giải thích.".to_owned(),
            "Lien he Bo phan Mot cua".into(),
        ),
        NoticeEvent::Extended => (
            format!(
                "{} xin lỗi ông/bà vì chưa trả kết quả đúng hẹn.{reason}",
                f.office
            ),
            match &due {
                Some(due) => format!("Thời gian hẹn trả kết quả mới: {due}. Ông/bà không cần làm gì thêm."),
                None => "Ông/bà không cần làm gì thêm; cơ quan sẽ báo thời gian trả kết quả mới.".to_owned(),
            },
            due.as_ref()
                .map(|d| format!("Xin loi, hen tra moi {d}"))
                .unwrap_or_else(|| "Xin loi, hen tra moi".into()),
        ),
        NoticeEvent::Stopped => (
            format!("{} đã dừng giải quyết hồ sơ.{reason}", f.office),
            format!(
                "Ông/bà hãy liên hệ Bộ phận Một cửa {} để được giải thích và nhận lại giấy tờ đã nộp.",
                f.office
            ),
            "Lien he Bo phan Mot cua".into(),
        ),
        NoticeEvent::ResultReady => {
            let fee = f
                .fee_due
                .filter(|a| *a > 0)
                .map(|a| {
                    format!(
                        " Ông/bà cần nộp phí, lệ phí {} trước khi nhận kết quả.",
                        format_vnd(a, Lang::Vi)
                    )
                })
                .unwrap_or_default();
            let how = match f.delivery {
                DeliveryMethod::InPerson => format!(
                    "Ông/bà hãy đến Bộ phận Một cửa {} nhận kết quả, mang theo giấy tiếp nhận hồ sơ và thẻ căn cước; người nhận thay mang theo giấy ủy quyền.",
                    f.office
                ),
                DeliveryMethod::Postal => {
                    "Kết quả sẽ được gửi qua bưu chính đến địa chỉ ông/bà đã đăng ký.".to_owned()
                }
                DeliveryMethod::Online => {
                    "Ông/bà nhận kết quả trên Cổng Dịch vụ công.".to_owned()
                }
            };
            (
                "Hồ sơ đã có kết quả giải quyết.".to_owned(),
                format!("{how}{fee}"),
                match f.delivery {
                    DeliveryMethod::InPerson => "Moi den nhan ket qua".into(),
                    DeliveryMethod::Postal => "Ket qua se gui qua buu chinh".into(),
                    DeliveryMethod::Online => "Nhan ket qua truc tuyen".into(),
                },
            )
        }
        NoticeEvent::Returned => {
            let how = f
                .handover
                .map(|h| {
                    let s = handover_summary(f.delivery, h);
                    if s.is_empty() {
                        String::new()
                    } else {
                        format!(" ({s})")
                    }
                })
                .unwrap_or_default();
            (
                format!("Kết quả đã được trả lúc {}{how}.", at(&f.at)),
                "Mời ông/bà đánh giá mức độ hài lòng với việc giải quyết hồ sơ trên Cổng Dịch vụ công (một lần cho mỗi hồ sơ).".to_owned(),
                "Moi danh gia muc do hai long".into(),
            )
        }
    };
    let subject = format!("Hồ sơ {}: {step}", f.code);
    let body = format!(
        "Kính gửi ông/bà {name},\n\n\
         Hồ sơ {code} ({procedure}): {step}.\n\
         {what}\n\n\
         Việc ông/bà cần làm: {todo}\n\n\
         Tra cứu tình trạng hồ sơ: {link}\n\
         (nhập mã hồ sơ và số định danh cá nhân của người nộp)\n\n\
         {office} - Bộ phận Một cửa\n\
         Thư này được gửi tự động; xin đừng trả lời thư này.\n",
        name = f.applicant_name,
        code = f.code,
        procedure = f.procedure,
        link = f.lookup_link,
        office = f.office,
    );
    // The SMS is short and without marks: a gateway sends marked text as UCS-2, 70
    // characters a message instead of 160, and many handsets show it badly.
    let sms = super::text::strip_marks(&format!(
        "[Mot cua] HS {code}: {step}. {sms_todo}. Tra cuu: {link}",
        code = f.code,
        link = f.lookup_link,
    ));
    NoticeText { subject, body, sms }
}

/// The notice that tells a citizen a password reset was issued at the desk (no dossier):
/// if they did not ask for it, they must say so at once.
pub fn reset_notice() -> NoticeText {
    NoticeText {
        subject: "Đặt lại mật khẩu tài khoản dịch vụ công".into(),
        body: "Kính gửi ông/bà,\n\n\
               Bộ phận Một cửa vừa cấp mã kích hoạt mới cho tài khoản dịch vụ công của ông/bà \
               để đặt lại mật khẩu, theo yêu cầu của ông/bà tại quầy.\n\n\
               Việc ông/bà cần làm: nếu ông/bà không yêu cầu, hãy liên hệ ngay Bộ phận Một cửa.\n\n\
               Thư này được gửi tự động; xin đừng trả lời thư này.\n"
            .into(),
        sms: "[Mot cua] Tai khoan dich vu cong cua ong/ba vua duoc cap ma kich hoat moi. \
              Neu ong/ba khong yeu cau, hay lien he ngay Bo phan Mot cua."
            .into(),
    }
}

/// The public lookup link of a dossier: the configured template with `{code}` filled.
pub fn lookup_link(template: &str, code: &str) -> String {
    template.replace("{code}", code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::vn_offset;
    use chrono::TimeZone;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()
    }

    const APPLICANT: &str = "083095001234";

    fn receiver(relation: ReceiverRelation, id: &str, doc: Option<&str>) -> Handover {
        Handover {
            receiver: Some(Receiver {
                full_name: "  Nguyễn Văn An ".into(),
                id_number: id.into(),
                relation,
                authorization_doc: doc.map(str::to_owned),
            }),
            originals_returned: vec!["Giấy chứng sinh".into(), " ".into()],
            result_documents: vec!["Giấy khai sinh (bản chính)".into()],
            postal_tracking: Some("ignored".into()),
        }
    }

    fn fields(r: Result<Handover, Vec<HandoverError>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .iter()
            .map(|e| e.field())
            .collect()
    }

    #[test]
    fn in_person_needs_a_receiver_whose_card_is_valid() {
        let check =
            |h: Option<&Handover>| check_handover(DeliveryMethod::InPerson, h, APPLICANT, today());
        assert_eq!(fields(check(None)), vec!["handover.receiver"]);
        let ok = check(Some(&receiver(ReceiverRelation::Myself, APPLICANT, None))).unwrap();
        let r = ok.receiver.as_ref().unwrap();
        assert_eq!(r.full_name, "Nguyễn Văn An");
        assert_eq!(ok.originals_returned, vec!["Giấy chứng sinh"]);
        assert_eq!(
            ok.postal_tracking, None,
            "a postal code does not belong here"
        );
        // The applicant's own number is expected unless someone else collects.
        assert_eq!(
            fields(check(Some(&receiver(
                ReceiverRelation::Myself,
                "083095009999",
                None
            )))),
            vec!["handover.receiver.id_number"]
        );
        assert_eq!(
            fields(check(Some(&receiver(
                ReceiverRelation::Authorized,
                "083095009999",
                None
            )))),
            vec!["handover.receiver.authorization_doc"]
        );
        assert!(
            check(Some(&receiver(
                ReceiverRelation::Authorized,
                "083095009999",
                Some("Giấy ủy quyền số 12, chứng thực ngày 01/03/2026")
            )))
            .is_ok()
        );
        let mut nameless = receiver(ReceiverRelation::Myself, "12345", None);
        nameless.receiver.as_mut().unwrap().full_name = " ".into();
        assert_eq!(
            fields(check(Some(&nameless))),
            vec!["handover.receiver.full_name", "handover.receiver.id_number"]
        );
    }

    #[test]
    fn by_post_needs_a_tracking_code() {
        let check = |code: Option<&str>| {
            check_handover(
                DeliveryMethod::Postal,
                Some(&Handover {
                    postal_tracking: code.map(str::to_owned),
                    ..Handover::default()
                }),
                APPLICANT,
                today(),
            )
        };
        assert_eq!(fields(check(None)), vec!["handover.postal_tracking"]);
        assert_eq!(fields(check(Some("  "))), vec!["handover.postal_tracking"]);
        assert_eq!(
            fields(check(Some("AB 12"))),
            vec!["handover.postal_tracking"]
        );
        assert_eq!(
            check(Some(" eb123456789vn "))
                .unwrap()
                .postal_tracking
                .as_deref(),
            Some("EB123456789VN")
        );
        // A receiver is no part of a postal return.
        let h = check_handover(
            DeliveryMethod::Postal,
            Some(&Handover {
                postal_tracking: Some("EB123456789VN".into()),
                ..receiver(ReceiverRelation::Myself, APPLICANT, None)
            }),
            APPLICANT,
            today(),
        )
        .unwrap();
        assert_eq!(h.receiver, None);
        assert!(h.originals_returned.is_empty());
    }

    #[test]
    fn online_needs_nothing() {
        assert_eq!(
            check_handover(DeliveryMethod::Online, None, APPLICANT, today()),
            Ok(Handover::default())
        );
    }

    #[test]
    fn ratings_open_once_returned_and_only_once() {
        assert_eq!(
            may_rate(Status::ResultReady, false),
            Err(RatingRefusal::NotOpen {
                status: Status::ResultReady
            })
        );
        assert_eq!(may_rate(Status::Returned, false), Ok(()));
        assert_eq!(
            may_rate(Status::Returned, true),
            Err(RatingRefusal::AlreadyRated)
        );
        assert_eq!(
            RatingRefusal::AlreadyRated.code(),
            "already_rated",
            "the API's code"
        );
        for level in RatingLevel::ALL {
            assert_eq!(RatingLevel::from_wire(level.as_str()), Some(level));
        }
    }

    #[test]
    fn each_step_tells_its_notice() {
        use Action as A;
        use NoticeEvent as N;
        assert_eq!(N::of_step(None, Status::Received), Some(N::Received));
        assert_eq!(N::of_step(None, Status::Submitted), None);
        assert_eq!(
            N::of_step(Some(A::Receive), Status::Received),
            Some(N::Received)
        );
        assert_eq!(
            N::of_step(Some(A::SupplementReceived), Status::Received),
            Some(N::Received)
        );
        assert_eq!(
            N::of_step(Some(A::SupplementReceived), Status::Submitted),
            None
        );
        assert_eq!(
            N::of_step(Some(A::RequestSupplement), Status::SupplementRequested),
            Some(N::SupplementRequested)
        );
        assert_eq!(
            N::of_step(Some(A::Refuse), Status::Refused),
            Some(N::Refused)
        );
        assert_eq!(
            N::of_step(Some(A::Extend), Status::InProgress),
            Some(N::Extended)
        );
        assert_eq!(N::of_step(Some(A::Stop), Status::Stopped), Some(N::Stopped));
        assert_eq!(
            N::of_step(Some(A::Approve), Status::ResultReady),
            Some(N::ResultReady)
        );
        assert_eq!(
            N::of_step(Some(A::ReturnResult), Status::Returned),
            Some(N::Returned)
        );
        assert_eq!(N::of_step(Some(A::Forward), Status::InProgress), None);
        for e in N::ALL {
            assert_eq!(N::from_wire(e.as_str()), Some(e));
        }
    }

    #[test]
    fn a_notice_says_the_code_the_step_what_to_do_and_the_link() {
        let when = vn_offset().with_ymd_and_hms(2026, 3, 5, 9, 0, 0).unwrap();
        let missing = vec!["Giấy chứng sinh".to_owned()];
        let facts = NoticeFacts {
            code: "000.01.27.H07-260305-0001",
            office: "UBND Phường An Hội",
            procedure: "Đăng ký khai sinh",
            applicant_name: "Nguyễn Văn An",
            at: when,
            due_at: Some(when + chrono::TimeDelta::days(1)),
            reason: Some("Thiếu giấy chứng sinh"),
            missing_documents: &missing,
            fee_due: Some(8_000),
            delivery: DeliveryMethod::InPerson,
            handover: None,
            lookup_link: "https://dvc.example/tra-cuu?ma=000.01.27.H07-260305-0001",
        };
        for event in NoticeEvent::ALL {
            let t = notice(event, &facts);
            assert!(t.subject.contains(facts.code), "{event:?}");
            assert!(t.subject.contains(event.label(Lang::Vi)), "{event:?}");
            assert!(t.body.contains("Việc ông/bà cần làm: "), "{event:?}");
            assert!(t.body.contains(facts.lookup_link), "{event:?}");
            assert!(t.sms.contains(facts.code) && t.sms.contains(facts.lookup_link));
            assert!(t.sms.is_ascii(), "{event:?}: {}", t.sms);
        }
        let t = notice(NoticeEvent::SupplementRequested, &facts);
        assert!(t.body.contains("Giấy chứng sinh"), "{}", t.body);
        let t = notice(NoticeEvent::ResultReady, &facts);
        assert!(t.body.contains("8.000"), "{}", t.body);
        let t = notice(NoticeEvent::Extended, &facts);
        assert!(t.body.contains("xin lỗi"), "{}", t.body);
    }
}
