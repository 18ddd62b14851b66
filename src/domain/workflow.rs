//! Who may do what to a dossier, and when: the transition table of docs/domain.md as data,
//! and the one function that answers "may role R do action A on this dossier now, and
//! what does it need?". The portal enforces it; the TUI uses it to offer only the
//! actions that will succeed and to ask for what they need.

use super::calendar::{Calendar, DurationUnit, LocalTime};
use super::forms::Form;
use super::status::Status;
use super::{Lang, RuleError};
use serde::{Deserialize, Serialize};

/// Who is acting. Staff roles come from the account; `Citizen` is the applicant on the
/// portal; `System` is the portal itself (a recorded payment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Reception,
    Specialist,
    Leader,
    Admin,
    Citizen,
    System,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Reception,
        Role::Specialist,
        Role::Leader,
        Role::Admin,
        Role::Citizen,
        Role::System,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Reception => "reception",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::Admin => "admin",
            Role::Citizen => "citizen",
            Role::System => "system",
        }
    }

    pub fn from_wire(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Role::Reception, Lang::Vi) => "Cán bộ tiếp nhận",
            (Role::Reception, Lang::En) => "Reception officer",
            (Role::Specialist, Lang::Vi) => "Chuyên viên xử lý",
            (Role::Specialist, Lang::En) => "Specialist",
            (Role::Leader, Lang::Vi) => "Lãnh đạo",
            (Role::Leader, Lang::En) => "Leader",
            (Role::Admin, Lang::Vi) => "Quản trị",
            (Role::Admin, Lang::En) => "Administrator",
            (Role::Citizen, Lang::Vi) => "Công dân",
            (Role::Citizen, Lang::En) => "Citizen",
            (Role::System, Lang::Vi) => "Hệ thống",
            (Role::System, Lang::En) => "System",
        }
    }

    /// An official of an office (as opposed to a citizen or the system).
    pub const fn is_staff(self) -> bool {
        matches!(
            self,
            Role::Reception | Role::Specialist | Role::Leader | Role::Admin
        )
    }
}

/// What can be done to a dossier (`action` of `POST /dossiers/{code}/actions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Receive,
    RequestSupplement,
    SupplementReceived,
    Refuse,
    Forward,
    RequestPayment,
    PaymentRecorded,
    ProposeResult,
    Approve,
    SendBack,
    Extend,
    Stop,
    Withdraw,
    ReturnResult,
}

impl Action {
    pub const ALL: [Action; 14] = [
        Action::Receive,
        Action::RequestSupplement,
        Action::SupplementReceived,
        Action::Refuse,
        Action::Forward,
        Action::RequestPayment,
        Action::PaymentRecorded,
        Action::ProposeResult,
        Action::Approve,
        Action::SendBack,
        Action::Extend,
        Action::Stop,
        Action::Withdraw,
        Action::ReturnResult,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Receive => "receive",
            Action::RequestSupplement => "request_supplement",
            Action::SupplementReceived => "supplement_received",
            Action::Refuse => "refuse",
            Action::Forward => "forward",
            Action::RequestPayment => "request_payment",
            Action::PaymentRecorded => "payment_recorded",
            Action::ProposeResult => "propose_result",
            Action::Approve => "approve",
            Action::SendBack => "send_back",
            Action::Extend => "extend",
            Action::Stop => "stop",
            Action::Withdraw => "withdraw",
            Action::ReturnResult => "return_result",
        }
    }

    pub fn from_wire(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Action::Receive, Lang::Vi) => "Tiếp nhận",
            (Action::Receive, Lang::En) => "Receive",
            (Action::RequestSupplement, Lang::Vi) => "Yêu cầu bổ sung",
            (Action::RequestSupplement, Lang::En) => "Request a supplement",
            (Action::SupplementReceived, Lang::Vi) => "Đã nhận bổ sung",
            (Action::SupplementReceived, Lang::En) => "Supplement received",
            (Action::Refuse, Lang::Vi) => "Từ chối tiếp nhận",
            (Action::Refuse, Lang::En) => "Refuse",
            (Action::Forward, Lang::Vi) => "Chuyển xử lý",
            (Action::Forward, Lang::En) => "Forward for processing",
            (Action::RequestPayment, Lang::Vi) => "Yêu cầu nộp phí",
            (Action::RequestPayment, Lang::En) => "Request payment",
            (Action::PaymentRecorded, Lang::Vi) => "Đã ghi nhận thanh toán",
            (Action::PaymentRecorded, Lang::En) => "Payment recorded",
            (Action::ProposeResult, Lang::Vi) => "Trình kết quả",
            (Action::ProposeResult, Lang::En) => "Propose the result",
            (Action::Approve, Lang::Vi) => "Phê duyệt",
            (Action::Approve, Lang::En) => "Approve",
            (Action::SendBack, Lang::Vi) => "Trả lại chuyên viên",
            (Action::SendBack, Lang::En) => "Send back",
            (Action::Extend, Lang::Vi) => "Gia hạn (xin lỗi)",
            (Action::Extend, Lang::En) => "Extend (with apology)",
            (Action::Stop, Lang::Vi) => "Dừng xử lý",
            (Action::Stop, Lang::En) => "Stop processing",
            (Action::Withdraw, Lang::Vi) => "Rút hồ sơ",
            (Action::Withdraw, Lang::En) => "Withdraw",
            (Action::ReturnResult, Lang::Vi) => "Trả kết quả",
            (Action::ReturnResult, Lang::En) => "Return the result",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A piece of information an action asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Input {
    Reason,
    /// The complete list of missing documents, all at once ("một lần đầy đủ").
    MissingDocuments,
    /// The specialist who will process the dossier.
    Assignee,
    Amount,
    /// `approved` or `denied`.
    Verdict,
    Summary,
    NewDueAt,
    Delivery,
    Recipient,
    /// The handover of a return (`results::Handover`): who collects in person…
    ReceiverRelation,
    ReceiverName,
    ReceiverIdNumber,
    AuthorizationDoc,
    /// …what is handed over (each a list, `;` between items)…
    ResultDocuments,
    OriginalsReturned,
    /// …or the postal tracking code.
    PostalTracking,
}

impl Input {
    /// The request field that carries it.
    pub const fn field(self) -> &'static str {
        match self {
            Input::Reason => "reason",
            Input::MissingDocuments => "missing_documents",
            Input::Assignee => "assignee",
            Input::Amount => "amount",
            Input::Verdict => "result",
            Input::Summary => "summary",
            Input::NewDueAt => "new_due_at",
            Input::Delivery => "delivery",
            Input::Recipient => "recipient",
            Input::ReceiverRelation => "handover.receiver.relation",
            Input::ReceiverName => "handover.receiver.full_name",
            Input::ReceiverIdNumber => "handover.receiver.id_number",
            Input::AuthorizationDoc => "handover.receiver.authorization_doc",
            Input::ResultDocuments => "handover.result_documents",
            Input::OriginalsReturned => "handover.originals_returned",
            Input::PostalTracking => "handover.postal_tracking",
        }
    }

    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Input::Reason, Lang::Vi) => "lý do",
            (Input::Reason, Lang::En) => "reason",
            (Input::MissingDocuments, Lang::Vi) => "danh sách giấy tờ cần bổ sung",
            (Input::MissingDocuments, Lang::En) => "list of missing documents",
            (Input::Assignee, Lang::Vi) => "chuyên viên xử lý",
            (Input::Assignee, Lang::En) => "assigned specialist",
            (Input::Amount, Lang::Vi) => "số tiền",
            (Input::Amount, Lang::En) => "amount",
            (Input::Verdict, Lang::Vi) => "kết quả (đồng ý / từ chối)",
            (Input::Verdict, Lang::En) => "result (approved / denied)",
            (Input::Summary, Lang::Vi) => "tóm tắt kết quả",
            (Input::Summary, Lang::En) => "summary of the result",
            (Input::NewDueAt, Lang::Vi) => "ngày hẹn trả mới",
            (Input::NewDueAt, Lang::En) => "new due date",
            (Input::Delivery, Lang::Vi) => "hình thức trả kết quả",
            (Input::Delivery, Lang::En) => "delivery method",
            (Input::Recipient, Lang::Vi) => "người nhận kết quả",
            (Input::Recipient, Lang::En) => "recipient",
            (Input::ReceiverRelation, Lang::Vi) => "người nhận là",
            (Input::ReceiverRelation, Lang::En) => "the receiver is",
            (Input::ReceiverName, Lang::Vi) => "họ tên người nhận",
            (Input::ReceiverName, Lang::En) => "receiver's full name",
            (Input::ReceiverIdNumber, Lang::Vi) => "số định danh người nhận",
            (Input::ReceiverIdNumber, Lang::En) => "receiver's identity number",
            (Input::AuthorizationDoc, Lang::Vi) => "giấy ủy quyền",
            (Input::AuthorizationDoc, Lang::En) => "authorization document",
            (Input::ResultDocuments, Lang::Vi) => "giấy tờ kết quả trao",
            (Input::ResultDocuments, Lang::En) => "result documents issued",
            (Input::OriginalsReturned, Lang::Vi) => "bản gốc trả lại",
            (Input::OriginalsReturned, Lang::En) => "originals handed back",
            (Input::PostalTracking, Lang::Vi) => "mã bưu gửi",
            (Input::PostalTracking, Lang::En) => "postal tracking code",
        }
    }
}

/// One input of an action, and whether it may be left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    pub input: Input,
    pub required: bool,
}

const fn must(input: Input) -> Need {
    Need {
        input,
        required: true,
    }
}

const fn may(input: Input) -> Need {
    Need {
        input,
        required: false,
    }
}

/// A rule on the dossier's facts or the clock that an action must also satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Only within this many working days after `received_at`.
    WithinWorkingDaysOfReceipt(u32),
    /// At most once per dossier.
    OncePerDossier,
    /// Only until this many working days before `due_at`.
    UntilWorkingDaysBeforeDue(u32),
    /// The fee must be paid or exempt.
    FeeSettled,
}

/// The status after the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    To(Status),
    /// The status stays (an extension changes only the due time).
    Unchanged,
}

/// One row of the transition table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub action: Action,
    pub from: &'static [Status],
    pub to: Target,
    pub roles: &'static [Role],
    pub needs: &'static [Need],
    pub guards: &'static [Guard],
    /// The form the action issues, if any.
    pub form: Option<Form>,
}

impl Transition {
    /// The status a dossier in `from` ends up in.
    pub fn target(&self, from: Status) -> Status {
        match self.to {
            Target::To(s) => s,
            Target::Unchanged => from,
        }
    }
}

use Status as S;

const ACTIVE: &[Status] = &[
    S::Submitted,
    S::Received,
    S::InProgress,
    S::AwaitingApproval,
    S::SupplementRequested,
    S::AwaitingPayment,
    S::ResultReady,
];

/// The transition table of docs/domain.md. Anything not listed here is refused.
pub const TRANSITIONS: &[Transition] = &[
    Transition {
        action: Action::Receive,
        from: &[S::Submitted],
        to: Target::To(S::Received),
        roles: &[Role::Reception],
        needs: &[],
        guards: &[],
        form: Some(Form::Receipt),
    },
    Transition {
        action: Action::RequestSupplement,
        from: &[S::Submitted, S::Received],
        to: Target::To(S::SupplementRequested),
        roles: &[Role::Reception],
        needs: &[must(Input::Reason), must(Input::MissingDocuments)],
        guards: &[],
        form: Some(Form::Supplement),
    },
    Transition {
        action: Action::RequestSupplement,
        from: &[S::InProgress],
        to: Target::To(S::SupplementRequested),
        roles: &[Role::Specialist],
        needs: &[must(Input::Reason), must(Input::MissingDocuments)],
        guards: &[Guard::WithinWorkingDaysOfReceipt(3)],
        form: Some(Form::Supplement),
    },
    // At the desk the documents arrive in hand: the dossier is received again.
    Transition {
        action: Action::SupplementReceived,
        from: &[S::SupplementRequested],
        to: Target::To(S::Received),
        roles: &[Role::Reception],
        needs: &[],
        guards: &[],
        form: Some(Form::Receipt),
    },
    // Online the citizen sends them: the dossier waits for reception again.
    Transition {
        action: Action::SupplementReceived,
        from: &[S::SupplementRequested],
        to: Target::To(S::Submitted),
        roles: &[Role::Citizen],
        needs: &[],
        guards: &[],
        form: None,
    },
    Transition {
        action: Action::Refuse,
        from: &[S::Submitted, S::Received],
        to: Target::To(S::Refused),
        roles: &[Role::Reception],
        needs: &[must(Input::Reason)],
        guards: &[],
        form: Some(Form::Refusal),
    },
    Transition {
        action: Action::Forward,
        from: &[S::Received],
        to: Target::To(S::InProgress),
        roles: &[Role::Reception],
        needs: &[may(Input::Assignee)],
        guards: &[],
        form: None,
    },
    Transition {
        action: Action::RequestPayment,
        from: &[S::InProgress],
        to: Target::To(S::AwaitingPayment),
        roles: &[Role::Specialist],
        needs: &[must(Input::Amount)],
        guards: &[],
        form: None,
    },
    Transition {
        action: Action::PaymentRecorded,
        from: &[S::AwaitingPayment],
        to: Target::To(S::InProgress),
        roles: &[Role::System],
        needs: &[],
        guards: &[],
        form: None,
    },
    Transition {
        action: Action::ProposeResult,
        from: &[S::InProgress],
        to: Target::To(S::AwaitingApproval),
        roles: &[Role::Specialist],
        needs: &[must(Input::Verdict), must(Input::Summary)],
        guards: &[],
        form: None,
    },
    Transition {
        action: Action::Approve,
        from: &[S::AwaitingApproval],
        to: Target::To(S::ResultReady),
        roles: &[Role::Leader],
        needs: &[],
        guards: &[],
        form: None,
    },
    Transition {
        action: Action::SendBack,
        from: &[S::AwaitingApproval],
        to: Target::To(S::InProgress),
        roles: &[Role::Leader],
        needs: &[must(Input::Reason)],
        guards: &[],
        form: None,
    },
    Transition {
        action: Action::Extend,
        from: &[S::InProgress, S::AwaitingApproval],
        to: Target::Unchanged,
        roles: &[Role::Leader],
        needs: &[must(Input::Reason), must(Input::NewDueAt)],
        guards: &[Guard::OncePerDossier, Guard::UntilWorkingDaysBeforeDue(1)],
        form: Some(Form::Apology),
    },
    Transition {
        action: Action::Stop,
        from: &[S::InProgress],
        to: Target::To(S::Stopped),
        roles: &[Role::Leader],
        needs: &[must(Input::Reason)],
        guards: &[],
        form: Some(Form::StopNotice),
    },
    Transition {
        action: Action::Withdraw,
        from: ACTIVE,
        to: Target::To(S::Withdrawn),
        roles: &[Role::Reception, Role::Citizen],
        needs: &[must(Input::Reason)],
        guards: &[],
        form: None,
    },
    Transition {
        action: Action::ReturnResult,
        from: &[S::ResultReady],
        to: Target::To(S::Returned),
        roles: &[Role::Reception],
        // Who collected it (in person) or the tracking code (by post) come as the
        // action's `handover`, checked by `results::check_handover` (which of them is
        // required depends on the delivery method); `recipient` is kept from it.
        needs: &[
            must(Input::Delivery),
            may(Input::ReceiverRelation),
            may(Input::ReceiverName),
            may(Input::ReceiverIdNumber),
            may(Input::AuthorizationDoc),
            may(Input::ResultDocuments),
            may(Input::OriginalsReturned),
            may(Input::PostalTracking),
        ],
        guards: &[Guard::FeeSettled],
        form: None,
    },
];

/// How the result reaches the citizen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    InPerson,
    Postal,
    Online,
}

impl DeliveryMethod {
    pub const fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (DeliveryMethod::InPerson, Lang::Vi) => "Nhận trực tiếp tại Bộ phận Một cửa",
            (DeliveryMethod::InPerson, Lang::En) => "In person at the one-stop desk",
            (DeliveryMethod::Postal, Lang::Vi) => "Qua dịch vụ bưu chính",
            (DeliveryMethod::Postal, Lang::En) => "By post",
            (DeliveryMethod::Online, Lang::Vi) => "Trực tuyến",
            (DeliveryMethod::Online, Lang::En) => "Online",
        }
    }
}

/// The specialist's proposal to the leader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approved,
    Denied,
}

/// What the rules need to know about a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DossierFacts {
    pub status: Status,
    pub received_at: Option<LocalTime>,
    pub due_at: Option<LocalTime>,
    /// Extensions granted so far.
    pub extensions: u32,
    /// Paid, exempt or free.
    pub fee_settled: bool,
}

/// What the actor supplied with the action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionInput {
    pub reason: Option<String>,
    pub missing_documents: Vec<String>,
    pub assignee: Option<String>,
    pub amount: Option<u64>,
    pub verdict: Option<Verdict>,
    pub summary: Option<String>,
    pub new_due_at: Option<LocalTime>,
    pub delivery: Option<DeliveryMethod>,
    pub recipient: Option<String>,
    /// What `return_result` hands over (see [`super::results::check_handover`]).
    pub handover: Option<super::results::Handover>,
}

impl ActionInput {
    fn has(&self, input: Input) -> bool {
        let text = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
        match input {
            Input::Reason => text(&self.reason),
            Input::MissingDocuments => self.missing_documents.iter().any(|d| !d.trim().is_empty()),
            Input::Assignee => text(&self.assignee),
            Input::Amount => self.amount.is_some(),
            Input::Verdict => self.verdict.is_some(),
            Input::Summary => text(&self.summary),
            Input::NewDueAt => self.new_due_at.is_some(),
            Input::Delivery => self.delivery.is_some(),
            Input::Recipient => text(&self.recipient),
            Input::ReceiverRelation => self.handover.as_ref().is_some_and(|h| h.receiver.is_some()),
            Input::ReceiverName => self
                .handover
                .as_ref()
                .and_then(|h| h.receiver.as_ref())
                .is_some_and(|r| !r.full_name.trim().is_empty()),
            Input::ReceiverIdNumber => self
                .handover
                .as_ref()
                .and_then(|h| h.receiver.as_ref())
                .is_some_and(|r| !r.id_number.trim().is_empty()),
            Input::AuthorizationDoc => self
                .handover
                .as_ref()
                .and_then(|h| h.receiver.as_ref())
                .is_some_and(|r| text(&r.authorization_doc)),
            Input::ResultDocuments => self
                .handover
                .as_ref()
                .is_some_and(|h| h.result_documents.iter().any(|d| !d.trim().is_empty())),
            Input::OriginalsReturned => self
                .handover
                .as_ref()
                .is_some_and(|h| h.originals_returned.iter().any(|d| !d.trim().is_empty())),
            Input::PostalTracking => self
                .handover
                .as_ref()
                .is_some_and(|h| text(&h.postal_tracking)),
        }
    }
}

/// Why an action is refused. Each names what the official can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("'{action}' cannot be done to a dossier in status '{status}'")]
    InvalidTransition { action: Action, status: Status },
    #[error("a {role} may not '{action}' a dossier in status '{status}'")]
    ForbiddenAction {
        action: Action,
        role: Role,
        status: Status,
    },
    #[error("a supplement can only be requested until {deadline}, 3 working days after receipt")]
    SupplementWindowClosed { deadline: LocalTime },
    #[error("this dossier has already been extended once")]
    ExtensionAlreadyUsed,
    /// `latest`: the last moment to extend (1 working day before the due time).
    #[error("an extension must be decided by {latest}, 1 working day before the due time")]
    ExtensionTooLate { latest: LocalTime },
    #[error("the fee has not been paid")]
    PaymentRequired,
    #[error("'{}' is required", .0.field())]
    MissingInput(Input),
    #[error("the new due time must be later than the current one ({current})")]
    DueNotLater { current: LocalTime },
    #[error("the amount must be more than 0")]
    AmountNotPositive,
}

impl Refusal {
    /// The request field at fault, for the `fields` of an API error.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::MissingInput(input) => Some(input.field()),
            Refusal::DueNotLater { .. } => Some(Input::NewDueAt.field()),
            Refusal::AmountNotPositive => Some(Input::Amount.field()),
            _ => None,
        }
    }
}

fn show(t: &LocalTime) -> String {
    t.format("%H:%M %d/%m/%Y").to_string()
}

impl RuleError for Refusal {
    fn code(&self) -> &'static str {
        match self {
            Refusal::InvalidTransition { .. } => "invalid_transition",
            Refusal::ForbiddenAction { .. } => "forbidden_action",
            Refusal::SupplementWindowClosed { .. } => "supplement_window_closed",
            Refusal::ExtensionAlreadyUsed => "extension_already_used",
            Refusal::ExtensionTooLate { .. } => "extension_too_late",
            Refusal::PaymentRequired => "payment_required",
            Refusal::MissingInput(_) | Refusal::DueNotLater { .. } | Refusal::AmountNotPositive => {
                "validation_failed"
            }
        }
    }

    fn message(&self, lang: Lang) -> String {
        use Lang::{En, Vi};
        match (self, lang) {
            (Refusal::InvalidTransition { action, status }, Vi) => format!(
                "Không thể \"{}\" hồ sơ đang ở trạng thái \"{}\". Hãy tải lại hồ sơ để xem trạng thái hiện tại.",
                action.label(Vi),
                status.label(Vi)
            ),
            (Refusal::InvalidTransition { action, status }, En) => format!(
                "\"{}\" is not possible for a dossier that is \"{}\". Reload the dossier to see where it stands.",
                action.label(En),
                status.label(En)
            ),
            (Refusal::ForbiddenAction { action, role, status }, Vi) => format!(
                "Vai trò \"{}\" không được \"{}\" hồ sơ ở trạng thái \"{}\". Hãy chuyển cho người có thẩm quyền.",
                role.label(Vi),
                action.label(Vi),
                status.label(Vi)
            ),
            (Refusal::ForbiddenAction { action, role, status }, En) => format!(
                "A {} may not \"{}\" a dossier that is \"{}\". Pass it to someone who may.",
                role.label(En).to_lowercase(),
                action.label(En),
                status.label(En)
            ),
            (Refusal::SupplementWindowClosed { deadline }, Vi) => format!(
                "Đã quá thời hạn yêu cầu bổ sung (3 ngày làm việc kể từ khi tiếp nhận, đến {}). Hãy trình lãnh đạo xử lý theo quy định.",
                show(deadline)
            ),
            (Refusal::SupplementWindowClosed { deadline }, En) => format!(
                "The time to request a supplement (3 working days after receipt, until {}) has passed. Refer the dossier to a leader.",
                show(deadline)
            ),
            // Only a leader extends (the table says so): these speak to the leader, who
            // has no one to report to about it.
            (Refusal::ExtensionAlreadyUsed, Vi) => {
                "Hồ sơ đã được gia hạn một lần; không được gia hạn lần nữa. Hãy chỉ đạo giải quyết xong hồ sơ trước hạn trả mới.".to_owned()
            }
            (Refusal::ExtensionAlreadyUsed, En) => {
                "This dossier has already been extended once and cannot be extended again. Have it settled by its new due time.".to_owned()
            }
            (Refusal::ExtensionTooLate { latest }, Vi) => format!(
                "Đã quá hạn chót để gia hạn: phải gia hạn chậm nhất 1 ngày làm việc trước hạn trả, tức là trước {}. Hãy chỉ đạo giải quyết xong hồ sơ trước hạn trả.",
                show(latest)
            ),
            (Refusal::ExtensionTooLate { latest }, En) => format!(
                "The deadline for extending has passed: an extension must be decided at least 1 working day before the due time, that is by {}. Have the dossier settled by its due time.",
                show(latest)
            ),
            (Refusal::PaymentRequired, Vi) => {
                "Hồ sơ chưa nộp phí, lệ phí. Hãy thu phí (tiền mặt hoặc VietQR) trước khi trả kết quả.".to_owned()
            }
            (Refusal::PaymentRequired, En) => {
                "The fee has not been paid. Take the payment (cash or VietQR) before returning the result.".to_owned()
            }
            (Refusal::MissingInput(input), Vi) => {
                format!("Chưa nhập {}. Hãy nhập rồi thử lại.", input.label(Vi))
            }
            (Refusal::MissingInput(input), En) => {
                format!("The {} is missing. Fill it in and try again.", input.label(En))
            }
            (Refusal::DueNotLater { current }, Vi) => format!(
                "Ngày hẹn trả mới phải sau ngày hẹn hiện tại ({}). Hãy chọn ngày muộn hơn.",
                show(current)
            ),
            (Refusal::DueNotLater { current }, En) => format!(
                "The new due date must be after the current one ({}). Choose a later date.",
                show(current)
            ),
            (Refusal::AmountNotPositive, Vi) => {
                "Số tiền phải lớn hơn 0. Hãy nhập lại số tiền.".to_owned()
            }
            (Refusal::AmountNotPositive, En) => {
                "The amount must be more than 0. Enter the amount again.".to_owned()
            }
        }
    }
}

/// The rows for `action` from `status`, whatever the role.
fn rows(action: Action, status: Status) -> impl Iterator<Item = &'static Transition> {
    TRANSITIONS
        .iter()
        .filter(move |t| t.action == action && t.from.contains(&status))
}

/// May `role` do `action` on this dossier at `now`? Answers with the table row (what the
/// action needs, where it leads) or the precise reason why not. Inputs are not checked
/// here, so the TUI can ask before the official has typed anything.
pub fn permit(
    action: Action,
    role: Role,
    facts: &DossierFacts,
    now: LocalTime,
    calendar: &Calendar,
) -> Result<&'static Transition, Refusal> {
    let status = facts.status;
    let mut candidates = rows(action, status).peekable();
    if candidates.peek().is_none() {
        return Err(Refusal::InvalidTransition { action, status });
    }
    let row = candidates
        .find(|t| t.roles.contains(&role))
        .ok_or(Refusal::ForbiddenAction {
            action,
            role,
            status,
        })?;
    for guard in row.guards {
        check_guard(*guard, facts, now, calendar)?;
    }
    Ok(row)
}

fn check_guard(
    guard: Guard,
    facts: &DossierFacts,
    now: LocalTime,
    calendar: &Calendar,
) -> Result<(), Refusal> {
    match guard {
        Guard::WithinWorkingDaysOfReceipt(days) => {
            // A dossier without a receipt time was never received: the window never opened.
            let Some(received_at) = facts.received_at else {
                return Err(Refusal::SupplementWindowClosed { deadline: now });
            };
            let deadline = calendar.due(received_at, days, DurationUnit::WorkingDays);
            if now > deadline {
                return Err(Refusal::SupplementWindowClosed { deadline });
            }
        }
        Guard::OncePerDossier => {
            if facts.extensions > 0 {
                return Err(Refusal::ExtensionAlreadyUsed);
            }
        }
        Guard::UntilWorkingDaysBeforeDue(days) => {
            if let Some(due_at) = facts.due_at
                && calendar.due(now, days, DurationUnit::WorkingDays) > due_at
            {
                return Err(Refusal::ExtensionTooLate {
                    latest: calendar.working_days_before(due_at, days),
                });
            }
        }
        Guard::FeeSettled => {
            if !facts.fee_settled {
                return Err(Refusal::PaymentRequired);
            }
        }
    }
    Ok(())
}

/// Checks what the actor supplied against what the row needs.
pub fn check_input(
    row: &Transition,
    facts: &DossierFacts,
    input: &ActionInput,
) -> Result<(), Refusal> {
    for need in row.needs.iter().filter(|n| n.required) {
        if !input.has(need.input) {
            return Err(Refusal::MissingInput(need.input));
        }
    }
    if row.needs.iter().any(|n| n.input == Input::Amount) && input.amount == Some(0) {
        return Err(Refusal::AmountNotPositive);
    }
    if let (Some(new_due), Some(current)) = (input.new_due_at, facts.due_at)
        && row.action == Action::Extend
        && new_due <= current
    {
        return Err(Refusal::DueNotLater { current });
    }
    Ok(())
}

/// The whole decision: permission, time rules and inputs. Returns the row applied and
/// the status the dossier moves to.
pub fn decide(
    action: Action,
    role: Role,
    facts: &DossierFacts,
    input: &ActionInput,
    now: LocalTime,
    calendar: &Calendar,
) -> Result<(&'static Transition, Status), Refusal> {
    let row = permit(action, role, facts, now, calendar)?;
    check_input(row, facts, input)?;
    Ok((row, row.target(facts.status)))
}

/// The actions `role` may take on this dossier now, in table order, each once.
pub fn available_actions(
    role: Role,
    facts: &DossierFacts,
    now: LocalTime,
    calendar: &Calendar,
) -> Vec<&'static Transition> {
    let mut out: Vec<&'static Transition> = Vec::new();
    for action in Action::ALL {
        if let Ok(row) = permit(action, role, facts, now, calendar)
            && !out.iter().any(|t| t.action == action)
        {
            out.push(row);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use std::collections::HashMap;

    fn t(s: &str) -> LocalTime {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn cal() -> Calendar {
        Calendar::default()
    }

    /// Facts under which no time rule or fee rule stands in the way.
    fn easy(status: Status) -> DossierFacts {
        DossierFacts {
            status,
            received_at: Some(t("2026-03-09T08:00:00+07:00")),
            due_at: Some(t("2026-03-20T08:00:00+07:00")),
            extensions: 0,
            fee_settled: true,
        }
    }

    const NOW: &str = "2026-03-10T09:00:00+07:00";

    /// docs/domain.md's transition table, written out independently of `TRANSITIONS`, so a
    /// change to the table has to be made (and reviewed) twice.
    fn expected() -> HashMap<(Action, Status, Role), Status> {
        use Action as A;
        use Role as R;
        let mut m = HashMap::new();
        let mut add = |a, froms: &[Status], roles: &[Role], to: Option<Status>| {
            for &f in froms {
                for &r in roles {
                    m.insert((a, f, r), to.unwrap_or(f));
                }
            }
        };
        add(
            A::Receive,
            &[S::Submitted],
            &[R::Reception],
            Some(S::Received),
        );
        add(
            A::RequestSupplement,
            &[S::Submitted, S::Received],
            &[R::Reception],
            Some(S::SupplementRequested),
        );
        add(
            A::RequestSupplement,
            &[S::InProgress],
            &[R::Specialist],
            Some(S::SupplementRequested),
        );
        add(
            A::SupplementReceived,
            &[S::SupplementRequested],
            &[R::Reception],
            Some(S::Received),
        );
        add(
            A::SupplementReceived,
            &[S::SupplementRequested],
            &[R::Citizen],
            Some(S::Submitted),
        );
        add(
            A::Refuse,
            &[S::Submitted, S::Received],
            &[R::Reception],
            Some(S::Refused),
        );
        add(
            A::Forward,
            &[S::Received],
            &[R::Reception],
            Some(S::InProgress),
        );
        add(
            A::RequestPayment,
            &[S::InProgress],
            &[R::Specialist],
            Some(S::AwaitingPayment),
        );
        add(
            A::PaymentRecorded,
            &[S::AwaitingPayment],
            &[R::System],
            Some(S::InProgress),
        );
        add(
            A::ProposeResult,
            &[S::InProgress],
            &[R::Specialist],
            Some(S::AwaitingApproval),
        );
        add(
            A::Approve,
            &[S::AwaitingApproval],
            &[R::Leader],
            Some(S::ResultReady),
        );
        add(
            A::SendBack,
            &[S::AwaitingApproval],
            &[R::Leader],
            Some(S::InProgress),
        );
        add(
            A::Extend,
            &[S::InProgress, S::AwaitingApproval],
            &[R::Leader],
            None,
        );
        add(A::Stop, &[S::InProgress], &[R::Leader], Some(S::Stopped));
        let active: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_active()).collect();
        add(
            A::Withdraw,
            &active,
            &[R::Reception, R::Citizen],
            Some(S::Withdrawn),
        );
        add(
            A::ReturnResult,
            &[S::ResultReady],
            &[R::Reception],
            Some(S::Returned),
        );
        m
    }

    #[test]
    fn every_combination_follows_the_table() {
        let expected = expected();
        let now = t(NOW);
        for action in Action::ALL {
            for status in Status::ALL {
                let anyone = Role::ALL
                    .iter()
                    .any(|r| expected.contains_key(&(action, status, *r)));
                for role in Role::ALL {
                    let got = permit(action, role, &easy(status), now, &cal());
                    match expected.get(&(action, status, role)) {
                        Some(to) => {
                            let row = got.unwrap_or_else(|e| {
                                panic!("{action:?} {status:?} {role:?} refused: {e}")
                            });
                            assert_eq!(row.target(status), *to, "{action:?} {status:?} {role:?}");
                        }
                        None if anyone => assert_eq!(
                            got,
                            Err(Refusal::ForbiddenAction {
                                action,
                                role,
                                status
                            })
                        ),
                        None => {
                            assert_eq!(got, Err(Refusal::InvalidTransition { action, status }))
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn specialist_supplement_only_within_three_working_days() {
        let facts = DossierFacts {
            received_at: Some(t("2026-03-02T08:00:00+07:00")), // Monday
            ..easy(S::InProgress)
        };
        let ask = |now: &str| {
            permit(
                Action::RequestSupplement,
                Role::Specialist,
                &facts,
                t(now),
                &cal(),
            )
        };
        assert!(
            ask("2026-03-05T08:00:00+07:00").is_ok(),
            "Thursday 08:00 is the last moment"
        );
        assert_eq!(
            ask("2026-03-05T08:01:00+07:00"),
            Err(Refusal::SupplementWindowClosed {
                deadline: t("2026-03-05T08:00:00+07:00")
            })
        );
        // Received on a Thursday: the weekend does not count.
        let thursday = DossierFacts {
            received_at: Some(t("2026-03-05T09:00:00+07:00")),
            ..facts
        };
        let ok = permit(
            Action::RequestSupplement,
            Role::Specialist,
            &thursday,
            t("2026-03-10T09:00:00+07:00"),
            &cal(),
        );
        assert!(
            ok.is_ok(),
            "Tuesday 09:00 is 3 working days after Thursday 09:00"
        );
        let err = permit(
            Action::RequestSupplement,
            Role::Specialist,
            &thursday,
            t("2026-03-10T09:30:00+07:00"),
            &cal(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "supplement_window_closed");
    }

    #[test]
    fn reception_supplement_has_no_window() {
        let facts = DossierFacts {
            received_at: Some(t("2025-01-02T08:00:00+07:00")),
            ..easy(S::Received)
        };
        assert!(
            permit(
                Action::RequestSupplement,
                Role::Reception,
                &facts,
                t(NOW),
                &cal()
            )
            .is_ok()
        );
    }

    #[test]
    fn extension_at_most_once() {
        let facts = DossierFacts {
            extensions: 1,
            ..easy(S::InProgress)
        };
        let err = permit(Action::Extend, Role::Leader, &facts, t(NOW), &cal()).unwrap_err();
        assert_eq!(err, Refusal::ExtensionAlreadyUsed);
        assert_eq!(err.code(), "extension_already_used");
        // Said to the leader, the one who extends: not "report to the leader".
        assert!(!err.message(Lang::Vi).contains("lãnh đạo."));
        assert!(!err.message(Lang::En).contains("leader"));
    }

    #[test]
    fn extension_until_one_working_day_before_due() {
        let facts = DossierFacts {
            due_at: Some(t("2026-03-11T10:00:00+07:00")), // Wednesday
            ..easy(S::AwaitingApproval)
        };
        let ask = |now: &str| permit(Action::Extend, Role::Leader, &facts, t(now), &cal());
        assert!(ask("2026-03-10T10:00:00+07:00").is_ok());
        // The refusal names the last moment to extend, not the due time.
        let refused = ask("2026-03-10T10:01:00+07:00");
        assert_eq!(
            refused,
            Err(Refusal::ExtensionTooLate {
                latest: t("2026-03-10T10:00:00+07:00")
            })
        );
        let message = refused.unwrap_err().message(Lang::Vi);
        assert!(message.contains("10:00 10/03/2026"), "{message}");
        assert!(!message.contains("báo cáo lãnh đạo"), "{message}");
        // Due on a Monday: the Friday before is the last day.
        let monday = DossierFacts {
            due_at: Some(t("2026-03-09T10:00:00+07:00")),
            ..facts
        };
        let ask = |now: &str| permit(Action::Extend, Role::Leader, &monday, t(now), &cal());
        assert!(ask("2026-03-06T10:00:00+07:00").is_ok());
        assert_eq!(
            ask("2026-03-06T10:30:00+07:00"),
            Err(Refusal::ExtensionTooLate {
                latest: t("2026-03-06T10:00:00+07:00")
            }),
            "Friday 10:00 is the last moment"
        );
        assert!(
            ask("2026-03-07T09:00:00+07:00").is_err(),
            "Saturday is too late"
        );
    }

    #[test]
    fn new_due_must_be_later() {
        let facts = easy(S::InProgress);
        let current = facts.due_at.unwrap();
        let input = |due| ActionInput {
            reason: Some("Cần xác minh thêm".into()),
            new_due_at: Some(due),
            ..Default::default()
        };
        let decide_at = |due| {
            decide(
                Action::Extend,
                Role::Leader,
                &facts,
                &input(due),
                t(NOW),
                &cal(),
            )
        };
        assert_eq!(decide_at(current), Err(Refusal::DueNotLater { current }));
        let later = t("2026-03-25T08:00:00+07:00");
        assert_eq!(decide_at(later).map(|(_, s)| s), Ok(S::InProgress));
        assert_eq!(Refusal::DueNotLater { current }.field(), Some("new_due_at"));
    }

    #[test]
    fn return_needs_the_fee_settled() {
        let facts = DossierFacts {
            fee_settled: false,
            ..easy(S::ResultReady)
        };
        let err = permit(
            Action::ReturnResult,
            Role::Reception,
            &facts,
            t(NOW),
            &cal(),
        )
        .unwrap_err();
        assert_eq!(err, Refusal::PaymentRequired);
        assert_eq!(err.code(), "payment_required");
        let paid = DossierFacts {
            fee_settled: true,
            ..facts
        };
        assert!(permit(Action::ReturnResult, Role::Reception, &paid, t(NOW), &cal()).is_ok());
    }

    #[test]
    fn required_inputs_are_enforced() {
        let go = |action, role, status, input: ActionInput| {
            decide(action, role, &easy(status), &input, t(NOW), &cal()).map(|(_, s)| s)
        };
        let blank = ActionInput {
            reason: Some("   ".into()),
            ..Default::default()
        };
        assert_eq!(
            go(
                Action::Refuse,
                Role::Reception,
                S::Received,
                ActionInput::default()
            ),
            Err(Refusal::MissingInput(Input::Reason))
        );
        assert_eq!(
            go(Action::Refuse, Role::Reception, S::Received, blank),
            Err(Refusal::MissingInput(Input::Reason)),
            "a reason of spaces is no reason"
        );
        let reason_only = ActionInput {
            reason: Some("Thiếu giấy tờ".into()),
            ..Default::default()
        };
        assert_eq!(
            go(
                Action::RequestSupplement,
                Role::Reception,
                S::Received,
                reason_only.clone()
            ),
            Err(Refusal::MissingInput(Input::MissingDocuments))
        );
        let with_docs = ActionInput {
            missing_documents: vec!["Tờ khai đăng ký khai sinh".into()],
            ..reason_only.clone()
        };
        assert_eq!(
            go(
                Action::RequestSupplement,
                Role::Reception,
                S::Received,
                with_docs
            ),
            Ok(S::SupplementRequested)
        );
        assert_eq!(
            go(
                Action::ProposeResult,
                Role::Specialist,
                S::InProgress,
                ActionInput {
                    summary: Some("Đủ điều kiện".into()),
                    ..Default::default()
                }
            ),
            Err(Refusal::MissingInput(Input::Verdict))
        );
        assert_eq!(
            go(
                Action::RequestPayment,
                Role::Specialist,
                S::InProgress,
                ActionInput {
                    amount: Some(0),
                    ..Default::default()
                }
            ),
            Err(Refusal::AmountNotPositive)
        );
        assert_eq!(
            go(
                Action::ReturnResult,
                Role::Reception,
                S::ResultReady,
                ActionInput::default()
            ),
            Err(Refusal::MissingInput(Input::Delivery))
        );
        assert_eq!(
            go(
                Action::Forward,
                Role::Reception,
                S::Received,
                ActionInput::default()
            ),
            Ok(S::InProgress),
            "the assignee is optional"
        );
        assert_eq!(Refusal::MissingInput(Input::Reason).field(), Some("reason"));
    }

    #[test]
    fn available_actions_for_the_desk_and_the_leader() {
        let now = t(NOW);
        let names = |role, status| -> Vec<Action> {
            available_actions(role, &easy(status), now, &cal())
                .iter()
                .map(|t| t.action)
                .collect()
        };
        assert_eq!(
            names(Role::Reception, S::Received),
            vec![
                Action::RequestSupplement,
                Action::Refuse,
                Action::Forward,
                Action::Withdraw
            ]
        );
        assert_eq!(
            names(Role::Leader, S::AwaitingApproval),
            vec![Action::Approve, Action::SendBack, Action::Extend]
        );
        assert!(names(Role::Admin, S::Received).is_empty());
        // A used extension disappears from the offer.
        let used = DossierFacts {
            extensions: 1,
            ..easy(S::InProgress)
        };
        let leader: Vec<_> = available_actions(Role::Leader, &used, now, &cal())
            .iter()
            .map(|t| t.action)
            .collect();
        assert_eq!(leader, vec![Action::Stop]);
    }

    #[test]
    fn refusals_speak_both_languages() {
        let now = t(NOW);
        let all = [
            Refusal::InvalidTransition {
                action: Action::Approve,
                status: S::Received,
            },
            Refusal::ForbiddenAction {
                action: Action::Approve,
                role: Role::Reception,
                status: S::AwaitingApproval,
            },
            Refusal::SupplementWindowClosed { deadline: now },
            Refusal::ExtensionAlreadyUsed,
            Refusal::ExtensionTooLate { latest: now },
            Refusal::PaymentRequired,
            Refusal::MissingInput(Input::Reason),
            Refusal::DueNotLater { current: now },
            Refusal::AmountNotPositive,
        ];
        for r in all {
            let vi = r.message(Lang::Vi);
            let en = r.message(Lang::En);
            assert!(vi.len() > 20 && en.len() > 20, "{r:?}");
            assert_ne!(vi, en);
            assert!(!r.code().is_empty());
        }
        let invalid = Refusal::InvalidTransition {
            action: Action::Approve,
            status: S::Received,
        };
        assert!(invalid.message(Lang::Vi).contains("Đã tiếp nhận"));
        assert_eq!(invalid.code(), "invalid_transition");
    }

    #[test]
    fn wire_names_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::from_wire(a.as_str()), Some(a));
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                format!("\"{}\"", a.as_str())
            );
        }
        for r in Role::ALL {
            assert_eq!(Role::from_wire(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_string(&r).unwrap(),
                format!("\"{}\"", r.as_str())
            );
        }
        assert!(Role::Reception.is_staff() && !Role::Citizen.is_staff());
    }

    #[test]
    fn forms_issued_by_actions() {
        let form = |a| TRANSITIONS.iter().find(|t| t.action == a).unwrap().form;
        assert_eq!(form(Action::Receive), Some(Form::Receipt));
        assert_eq!(form(Action::RequestSupplement), Some(Form::Supplement));
        assert_eq!(form(Action::Refuse), Some(Form::Refusal));
        assert_eq!(form(Action::Extend), Some(Form::Apology));
        assert_eq!(form(Action::Stop), Some(Form::StopNotice));
    }
}
