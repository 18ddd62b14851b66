//! Acting on a dossier: the actions a role may take, their dialogs, and the answers
//! (done, refused by a rule, or overtaken by someone else: 412).

use super::*;
use crate::api::dossiers::PaymentStatus;

/// The dossier the action keys apply to: the open detail, or the selected row.
pub(super) fn target(app: &App) -> Option<(String, Status, i64)> {
    if let Some(detail) = &app.inbox.detail {
        let d = detail.dossier.as_ref()?;
        return Some((d.code.clone(), d.status, d.version));
    }
    let item = app.inbox.selected_item()?;
    Some((
        item.summary.code.clone(),
        item.summary.status,
        item.summary.version,
    ))
}

/// The actions the table lets this role take on this status. Time rules (supplement
/// window, extension deadline, payment) are the portal's to judge: a refusal comes back
/// as the rule's message.
pub fn steps_for(role: Role, status: Status) -> Vec<Step> {
    workflow::TRANSITIONS
        .iter()
        .filter(|t| t.from.contains(&status) && t.roles.contains(&role))
        .map(|t| t.action)
        .fold(Vec::new(), |mut acc, a| {
            if !acc.contains(&a) {
                acc.push(a);
            }
            acc
        })
}

/// What the action menu knows of a dossier beyond its status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Known {
    /// Extended already: the one extension allowed is used.
    pub extended: bool,
    /// No fee (0 đ): there is nothing to ask payment for.
    pub free: bool,
}

impl Known {
    pub fn of(d: &Dossier) -> Known {
        Known {
            extended: d.extensions > 0,
            free: d.fee.amount == 0 || d.fee.status == PaymentStatus::Exempt,
        }
    }
}

/// The order the menu offers actions in: the step that takes the dossier on along the
/// usual path first, so that it is the one preselected (forward before refuse, return
/// before withdraw); then the detours; last what ends the dossier's course.
fn usual_rank(step: Step) -> u8 {
    match step {
        Step::Receive
        | Step::Forward
        | Step::ProposeResult
        | Step::Approve
        | Step::ReturnResult
        | Step::SupplementReceived
        | Step::PaymentRecorded => 0,
        Step::RequestSupplement | Step::RequestPayment | Step::SendBack | Step::Extend => 1,
        Step::Refuse | Step::Stop | Step::Withdraw => 2,
    }
}

/// The actions the menu offers this role on this dossier, the usual next step first:
/// the table's, less an extension once one was granted (the portal would refuse a second)
/// and a request for payment when the dossier is free.
pub fn menu_steps(role: Role, status: Status, known: Known) -> Vec<Step> {
    let mut steps: Vec<Step> = steps_for(role, status)
        .into_iter()
        .filter(|s| match s {
            Step::Extend => !known.extended,
            Step::RequestPayment => !known.free,
            _ => true,
        })
        .collect();
    steps.sort_by_key(|s| usual_rank(*s));
    steps
}

/// What is known of the dossier the action keys apply to (see [`target`]).
fn known(app: &App) -> Known {
    if let Some(detail) = &app.inbox.detail {
        return detail.dossier.as_deref().map(Known::of).unwrap_or_default();
    }
    app.inbox
        .selected_item()
        .map(|it| Known {
            extended: app.inbox.extended.contains(&it.summary.code),
            free: it.summary.payment_status == PaymentStatus::Exempt,
        })
        .unwrap_or_default()
}

pub(super) fn open_actions(app: &mut App) -> Vec<Effect> {
    let Some(role) = app.me.as_ref().map(|m| m.role) else {
        return vec![];
    };
    let Some((code, status, _)) = target(app) else {
        return vec![];
    };
    let steps = menu_steps(role, status, known(app));
    if steps.is_empty() {
        let text = trf(
            app.lang,
            "toast.no_actions",
            &[
                ("role", role.label(app.lang)),
                ("status", status.label(app.lang)),
            ],
        );
        toast(app, ToastKind::Info, text);
        return vec![];
    }
    app.overlay = Some(Overlay::Actions(Menu {
        code,
        items: steps,
        selected: 0,
    }));
    vec![]
}

pub(super) fn open_dialog(app: &mut App, code: &str, step: Step) {
    let Some((_, status, version)) = target(app).filter(|(c, ..)| c == code) else {
        return;
    };
    let Some(transition) = workflow::TRANSITIONS
        .iter()
        .find(|t| t.action == step && t.from.contains(&status))
    else {
        return;
    };
    // A return asks who collects, prefilled with the applicant (issue 17).
    let (fields, facts) = if step == Step::ReturnResult {
        super::results::return_fields(app, transition)
    } else {
        let fields = transition
            .needs
            .iter()
            .map(|need| DialogField {
                input: need.input,
                required: need.required,
                text: text_field(),
                choices: match need.input {
                    Input::Verdict => vec!["approved", "denied"],
                    Input::Delivery => vec!["in_person", "postal", "online"],
                    _ => vec![],
                },
                choice: 0,
            })
            .collect();
        (fields, None)
    };
    let confirming = fields.is_empty();
    app.overlay = Some(Overlay::Dialog(Box::new(ActionDialog {
        code: code.to_owned(),
        version,
        step,
        fields,
        focus: 0,
        confirming,
        error: None,
        pending: None,
        facts,
    })));
}

/// Keys of an action's dialog; the pane enables only what applies (`update::panes`): the
/// fields while editing, Enter and Esc while confirming, Esc alone while it is sent.
pub(super) fn dialog_key(app: &mut App, mut d: Box<ActionDialog>, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    match key {
        K(Command::Cancel) => {
            app.overlay = Some(Overlay::Dialog(d));
            return cancel_newest(app).into_iter().collect();
        }
        _ if d.pending.is_some() => {}
        K(Command::Back) => d.confirming = false,
        K(Command::Close) => return vec![],
        K(Command::NextField) if !d.fields.is_empty() => super::results::move_focus(&mut d, true),
        K(Command::PrevField) if !d.fields.is_empty() => super::results::move_focus(&mut d, false),
        K(c @ (Command::PrevChoice | Command::NextChoice))
            if d.fields.get(d.focus).is_some_and(|f| !f.choices.is_empty()) =>
        {
            let f = &mut d.fields[d.focus];
            let n = f.choices.len();
            f.choice = if c == Command::NextChoice {
                (f.choice + 1) % n
            } else {
                (f.choice + n - 1) % n
            };
        }
        K(Command::Confirm) => {
            if d.confirming {
                match build_request(&d, app.lang) {
                    Ok(request_body) => {
                        let id = request(app, Purpose::Act);
                        d.pending = Some(id);
                        d.error = None;
                        let effect = Effect::Act {
                            id,
                            code: d.code.clone(),
                            version: d.version,
                            request: request_body,
                        };
                        app.overlay = Some(Overlay::Dialog(d));
                        return vec![effect];
                    }
                    Err(message) => {
                        let effects = noted(app, &d, &message);
                        d.error = Some(message);
                        d.confirming = false;
                        app.overlay = Some(Overlay::Dialog(d));
                        return effects;
                    }
                }
            } else if super::results::scan(&mut d, app.lang) {
                // A chip card scanned into the receiver: it filled the fields.
            } else if let Some(next) = super::results::next_applicable(&d) {
                d.focus = next;
            } else {
                match build_request(&d, app.lang) {
                    Ok(_) => {
                        d.confirming = true;
                        d.error = None;
                    }
                    Err(message) => {
                        let effects = noted(app, &d, &message);
                        d.error = Some(message);
                        app.overlay = Some(Overlay::Dialog(d));
                        return effects;
                    }
                }
            }
        }
        KeyInput::Text(key) if !d.confirming => {
            let focus = d.focus;
            if let Some(f) = d.fields.get_mut(focus)
                && f.choices.is_empty()
            {
                edit(&mut f.text, key);
            }
        }
        _ => {}
    }
    app.overlay = Some(Overlay::Dialog(d));
    vec![]
}

/// In training, a rule broken in a dialog is a mistake on the trainee's record (once per
/// message: pressing Enter again on the same error is not a second mistake).
fn noted(app: &mut App, d: &ActionDialog, message: &str) -> Vec<Effect> {
    if d.error.as_deref() == Some(message) {
        return vec![];
    }
    let what = trf(
        app.lang,
        "training.caught",
        &[
            ("action", d.step.label(app.lang)),
            ("code", &d.code),
            ("why", message),
        ],
    );
    super::training::caught(app, d.step, &what)
}

/// The request an action dialog sends, or the rule's message for what is missing or
/// malformed — checked here so the officer hears it before a round trip.
pub fn build_request(d: &ActionDialog, lang: Lang) -> Result<ActionRequest, String> {
    let mut r = ActionRequest {
        action: Some(d.step),
        ..ActionRequest::default()
    };
    for f in &d.fields {
        let text = crate::domain::text::nfc(field_text(&f.text).trim());
        let missing = || Refusal::MissingInput(f.input).message(lang);
        if !super::results::applies(d, f.input) {
            continue;
        }
        if f.choices.is_empty() && text.is_empty() {
            if f.required {
                return Err(missing());
            }
            continue;
        }
        match f.input {
            Input::Reason => r.reason = Some(text),
            Input::Summary => r.summary = Some(text),
            Input::Recipient => r.recipient = Some(text),
            Input::Assignee => r.assignee = Some(text),
            Input::MissingDocuments => {
                r.missing_documents = text
                    .split(';')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                if r.missing_documents.is_empty() {
                    return Err(missing());
                }
            }
            Input::Amount => {
                let digits: String = text
                    .chars()
                    .filter(|c| !matches!(c, '.' | ',' | ' '))
                    .collect();
                match digits.parse::<u64>() {
                    Ok(0) => return Err(Refusal::AmountNotPositive.message(lang)),
                    Ok(n) => r.amount = Some(n),
                    Err(_) => return Err(tr(lang, "dialog.bad_amount").to_owned()),
                }
            }
            Input::NewDueAt => match parse_due(&text) {
                Some(at) => r.new_due_at = Some(at),
                None => return Err(tr(lang, "dialog.bad_date").to_owned()),
            },
            Input::Verdict => {
                r.result = Some(if f.choice == 0 {
                    Verdict::Approved
                } else {
                    Verdict::Denied
                })
            }
            Input::Delivery => {
                r.delivery = Some(match f.choice {
                    0 => DeliveryMethod::InPerson,
                    1 => DeliveryMethod::Postal,
                    _ => DeliveryMethod::Online,
                })
            }
            // The handover's parts: gathered and checked together below.
            Input::ReceiverRelation
            | Input::ReceiverName
            | Input::ReceiverIdNumber
            | Input::AuthorizationDoc
            | Input::ResultDocuments
            | Input::OriginalsReturned
            | Input::PostalTracking => {}
        }
    }
    r.handover = super::results::handover_of(d, lang)?;
    Ok(r)
}

/// `DD/MM/YYYY [HH:MM]` (as officials write dates) or `YYYY-MM-DD [HH:MM]`, local time
/// (UTC+7), to RFC 3339. A date alone means the end of that working day, 17:00.
pub fn parse_due(text: &str) -> Option<String> {
    use chrono::{NaiveDate, NaiveTime};
    let mut parts = text.split_whitespace();
    let date_text = parts.next()?;
    let time_text = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let date = NaiveDate::parse_from_str(date_text, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(date_text, "%Y-%m-%d"))
        .ok()?;
    let time = match time_text {
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M").ok()?,
        None => NaiveTime::from_hms_opt(17, 0, 0)?,
    };
    Some(format!(
        "{}T{}:00+07:00",
        date.format("%Y-%m-%d"),
        time.format("%H:%M")
    ))
}

pub(super) fn on_acted(
    app: &mut App,
    id: RequestId,
    result: Result<Dossier, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    let step = match app.overlay.as_mut() {
        Some(Overlay::Dialog(d)) if d.pending == Some(id) => {
            d.pending = None;
            Some(d.step)
        }
        _ => None,
    };
    match result {
        Ok(dossier) => {
            if step.is_some() {
                app.overlay = None;
            }
            // Handed over at the desk: the screen turns to the citizen for their rating,
            // and says the result is returned itself (a toast would sit on its keys).
            let rating = step == Some(Step::ReturnResult)
                && dossier.status == Status::Returned
                && dossier.rating.is_none()
                && app.me.as_ref().is_some_and(|m| m.role == Role::Reception);
            if rating {
                super::results::open_rating(app, &dossier.code);
            }
            let label = step.map(|s| s.label(app.lang)).unwrap_or_default();
            let text = trf(
                app.lang,
                "toast.acted",
                &[
                    ("action", label),
                    ("code", &dossier.code),
                    ("status", dossier.status.label(app.lang)),
                ],
            );
            if !rating {
                toast(app, ToastKind::Success, text);
            }
            super::training::soon(app);
            refresh_from(app, &dossier);
            if let Some(detail) = app.inbox.detail.as_mut().filter(|d| d.code == dossier.code) {
                detail.changed.clear();
                detail.dossier = Some(Box::new(dossier));
            }
            vec![Effect::LoadStats(request(app, Purpose::Stats))]
        }
        Err(Failure::Conflict(current)) => {
            // Someone acted first: show what they changed, on the fresh dossier.
            app.overlay = None;
            let before = app
                .inbox
                .detail
                .as_ref()
                .and_then(|d| d.dossier.as_deref().cloned());
            let changed = describe_changes(app.lang, before.as_ref(), &current);
            refresh_from(app, &current);
            let code = current.code.clone();
            app.inbox.detail = Some(DetailView {
                code,
                dossier: Some(current),
                scroll: 0,
                changed,
                notices: None,
            });
            toast(
                app,
                ToastKind::Error,
                tr(app.lang, "error.conflict").to_owned(),
            );
            vec![]
        }
        Err(Failure::Unauthorized(_)) => {
            if let Some(Overlay::Dialog(d)) = app.overlay.as_mut() {
                d.confirming = false;
            }
            expire(app)
        }
        Err(failure) => {
            let text = failure_text(app.lang, &failure);
            match app.overlay.as_mut() {
                Some(Overlay::Dialog(d)) => {
                    d.confirming = false;
                    d.error = Some(text);
                    // The portal names the handover's field at fault: go there.
                    if let Failure::Refused { fields, .. } = &failure
                        && let Some(field) = fields.keys().next()
                    {
                        super::results::focus_fault(d, field);
                    }
                }
                _ => toast(app, ToastKind::Error, text),
            }
            vec![]
        }
    }
}

/// Lines saying what differs between what the officer saw and the portal's dossier.
pub fn describe_changes(lang: Lang, before: Option<&Dossier>, after: &Dossier) -> Vec<String> {
    let mut out = Vec::new();
    let Some(before) = before else {
        out.push(trf(
            lang,
            "conflict.reloaded",
            &[("status", after.status.label(lang))],
        ));
        return out;
    };
    if before.status != after.status {
        out.push(trf(
            lang,
            "conflict.status",
            &[
                ("from", before.status.label(lang)),
                ("to", after.status.label(lang)),
            ],
        ));
    }
    if before.due_at != after.due_at {
        out.push(trf(
            lang,
            "conflict.due",
            &[
                ("from", &short_time(before.due_at.as_deref())),
                ("to", &short_time(after.due_at.as_deref())),
            ],
        ));
    }
    if before.assignee != after.assignee {
        out.push(trf(
            lang,
            "conflict.assignee",
            &[("to", after.assignee.as_deref().unwrap_or("—"))],
        ));
    }
    if before.fee.status != after.fee.status {
        out.push(tr(lang, "conflict.payment").to_owned());
    }
    if let Some(last) = after.timeline.last()
        && before.timeline.len() != after.timeline.len()
    {
        out.push(trf(
            lang,
            "conflict.by",
            &[
                ("who", last.username.as_deref().unwrap_or("—")),
                ("action", &last.action),
            ],
        ));
    }
    if out.is_empty() {
        out.push(trf(
            lang,
            "conflict.reloaded",
            &[("status", after.status.label(lang))],
        ));
    }
    out
}

/// `2027-04-20T09:00:00+07:00` → `09:00 20/04/2027`.
pub fn short_time(rfc3339: Option<&str>) -> String {
    rfc3339
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.format("%H:%M %d/%m/%Y").to_string())
        .unwrap_or_else(|| "—".to_owned())
}

/// The list row of a full dossier: the table updates at once after an action.
pub fn summary_of(d: &Dossier) -> DossierSummary {
    DossierSummary {
        code: d.code.clone(),
        status: d.status,
        channel: d.channel,
        applicant_name: d.applicant.full_name.clone(),
        procedure_code: d.procedure.code.clone(),
        procedure_name: d.procedure.name.clone(),
        submitted_at: d.submitted_at.clone(),
        received_at: d.received_at.clone(),
        due_at: d.due_at.clone(),
        overdue: d.overdue,
        payment_status: d.fee.status,
        version: d.version,
    }
}

pub(super) fn refresh_from(app: &mut App, d: &Dossier) {
    if d.extensions > 0 {
        app.inbox.extended.insert(d.code.clone());
    }
    let keep = app.inbox.selected_code();
    app.inbox.upsert(summary_of(d));
    app.inbox.rebuild(keep);
}
