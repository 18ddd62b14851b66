//! Giving results back (issue 17): the return's dialog (who collects, prefilled with the
//! applicant; a chip-card scan fills the receiver), the satisfaction screen turned to
//! the citizen right after a handover, and the notices sent to the citizen, shown in the
//! detail as the citizen gets them.

use super::*;
use crate::api::results::{Handover, Notification, Rating, RatingIn, RatingLevel, Receiver};
use crate::domain::identity::parse_chip_qr;
use crate::domain::results::{HandoverError, ReceiverRelation, check_handover};

/// The return dialog's choice of delivery, in its order.
const DELIVERY: [&str; 3] = ["in_person", "postal", "online"];

fn delivery_of(d: &ActionDialog) -> Option<DeliveryMethod> {
    let f = d.fields.iter().find(|f| f.input == Input::Delivery)?;
    Some(match f.choice {
        0 => DeliveryMethod::InPerson,
        1 => DeliveryMethod::Postal,
        _ => DeliveryMethod::Online,
    })
}

fn authorized(d: &ActionDialog) -> bool {
    d.fields
        .iter()
        .find(|f| f.input == Input::ReceiverRelation)
        .is_some_and(|f| f.choice == 1)
}

/// Whether a field of the dialog asks for anything now: a return's receiver only in
/// person, its authorization only for an authorized receiver, its tracking code only by
/// post. Every field of another action applies.
pub fn applies(d: &ActionDialog, input: Input) -> bool {
    if d.step != Step::ReturnResult {
        return true;
    }
    let method = delivery_of(d);
    let in_person = method == Some(DeliveryMethod::InPerson);
    match input {
        Input::ReceiverRelation
        | Input::ReceiverName
        | Input::ReceiverIdNumber
        | Input::OriginalsReturned => in_person,
        Input::AuthorizationDoc => in_person && authorized(d),
        Input::PostalTracking => method == Some(DeliveryMethod::Postal),
        _ => true,
    }
}

/// Whether a field must be filled now (a return's requirements follow its method).
pub fn required(d: &ActionDialog, f: &DialogField) -> bool {
    match f.input {
        Input::ReceiverName
        | Input::ReceiverIdNumber
        | Input::AuthorizationDoc
        | Input::PostalTracking => applies(d, f.input),
        _ => f.required,
    }
}

/// Moves the focus to the next (or previous) field that applies.
pub(super) fn move_focus(d: &mut ActionDialog, forward: bool) {
    let n = d.fields.len();
    if n == 0 {
        return;
    }
    let mut at = d.focus;
    for _ in 0..n {
        at = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        if applies(d, d.fields[at].input) {
            d.focus = at;
            return;
        }
    }
}

/// The next field after the focused one that applies, if any (Enter moves there).
pub(super) fn next_applicable(d: &ActionDialog) -> Option<usize> {
    (d.focus + 1..d.fields.len()).find(|i| applies(d, d.fields[*i].input))
}

/// The fields of a return: the delivery the citizen chose at intake, and the receiver
/// prefilled with the applicant (who collects in most cases).
pub(super) fn return_fields(
    app: &App,
    transition: &workflow::Transition,
) -> (Vec<DialogField>, Option<ReturnFacts>) {
    let dossier = app.inbox.detail.as_ref().and_then(|d| d.dossier.as_deref());
    let facts = dossier.map(|d| ReturnFacts {
        applicant_name: d.applicant.full_name.clone(),
        applicant_id: d.applicant.id_number.clone(),
        today: app.now.date_naive(),
    });
    let fields = transition
        .needs
        .iter()
        .map(|need| {
            let mut text = text_field();
            let mut choice = 0;
            let choices = match need.input {
                Input::Delivery => {
                    choice = match dossier.map(|d| d.delivery.method) {
                        Some(DeliveryMethod::Postal) => 1,
                        Some(DeliveryMethod::Online) => 2,
                        _ => 0,
                    };
                    DELIVERY.to_vec()
                }
                Input::ReceiverRelation => vec!["self", "authorized"],
                _ => vec![],
            };
            match (need.input, &facts) {
                (Input::ReceiverName, Some(f)) => text.insert_str(&f.applicant_name),
                (Input::ReceiverIdNumber, Some(f)) => text.insert_str(&f.applicant_id),
                _ => false,
            };
            DialogField {
                input: need.input,
                required: need.required,
                text,
                choices,
                choice,
            }
        })
        .collect();
    (fields, facts)
}

/// Enter on a receiver field holding a chip-card scan (what a desk scanner types): the
/// card fills the name and number; a card that is not the applicant's makes the receiver
/// an authorized person and goes to the authorization. `true` when the text was a scan.
pub(super) fn scan(d: &mut ActionDialog, lang: Lang) -> bool {
    let Some(f) = d.fields.get(d.focus) else {
        return false;
    };
    if !matches!(f.input, Input::ReceiverName | Input::ReceiverIdNumber) {
        return false;
    }
    let text = field_text(&f.text);
    if !text.contains('|') {
        return false;
    }
    let today = d
        .facts
        .as_ref()
        .map(|f| f.today)
        .unwrap_or(chrono::NaiveDate::MAX);
    let focus = d.focus;
    match parse_chip_qr(&text, today) {
        Ok(card) => {
            let stranger = d
                .facts
                .as_ref()
                .is_some_and(|f| f.applicant_id != card.id_number);
            for f in &mut d.fields {
                match f.input {
                    Input::ReceiverName => {
                        f.text = text_field();
                        f.text.insert_str(&card.full_name);
                    }
                    Input::ReceiverIdNumber => {
                        f.text = text_field();
                        f.text.insert_str(&card.id_number);
                    }
                    Input::ReceiverRelation => f.choice = usize::from(stranger),
                    _ => {}
                }
            }
            d.error = None;
            let next = if stranger {
                Input::AuthorizationDoc
            } else {
                Input::ResultDocuments
            };
            if let Some(at) = d.fields.iter().position(|f| f.input == next) {
                d.focus = at;
            }
        }
        Err(e) => {
            // The scanner types the next card into this field: emptied, so that it does
            // not land on top of the rejected one (the message says what was wrong).
            d.fields[focus].text = text_field();
            d.error = Some(e.message(lang));
        }
    }
    true
}

fn list(text: &str) -> Vec<String> {
    text.split(';')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The handover a return's dialog sends, checked as the portal will check it, so the
/// officer hears of a missing receiver or a wrong number before a round trip.
pub fn handover_of(d: &ActionDialog, lang: Lang) -> Result<Option<Handover>, String> {
    if d.step != Step::ReturnResult {
        return Ok(None);
    }
    let text = |input: Input| {
        d.fields
            .iter()
            .find(|f| f.input == input && applies(d, input))
            .map(|f| crate::domain::text::nfc(field_text(&f.text).trim()))
            .unwrap_or_default()
    };
    let method = delivery_of(d).unwrap_or(DeliveryMethod::InPerson);
    let relation = if authorized(d) {
        ReceiverRelation::Authorized
    } else {
        ReceiverRelation::Myself
    };
    let name = text(Input::ReceiverName);
    let number = text(Input::ReceiverIdNumber);
    let receiver = (method == DeliveryMethod::InPerson && !(name.is_empty() && number.is_empty()))
        .then(|| Receiver {
            full_name: name,
            id_number: number,
            relation,
            authorization_doc: Some(text(Input::AuthorizationDoc)).filter(|t| !t.is_empty()),
        });
    let handover = Handover {
        receiver,
        originals_returned: list(&text(Input::OriginalsReturned)),
        result_documents: list(&text(Input::ResultDocuments)),
        postal_tracking: Some(text(Input::PostalTracking)).filter(|t| !t.is_empty()),
    };
    // Without the dossier the applicant's number is unknown: the portal judges that one.
    let (applicant, today) = match &d.facts {
        Some(f) => (f.applicant_id.clone(), f.today),
        None => (String::new(), chrono::NaiveDate::MAX),
    };
    match check_handover(method, Some(&handover), &applicant, today) {
        Ok(checked) => Ok(Some(checked)),
        Err(faults) => {
            let faults: Vec<HandoverError> = faults
                .into_iter()
                .filter(|f| d.facts.is_some() || *f != HandoverError::NotTheApplicant)
                .collect();
            match faults.first() {
                None => Ok(Some(handover)),
                Some(f) => Err(f.message(lang)),
            }
        }
    }
}

/// The field a handover fault names (the portal's `fields` use the inputs' own paths;
/// a missing receiver as a whole goes to the name).
pub(super) fn focus_fault(d: &mut ActionDialog, field: &str) {
    let named = |input: Input| input.field() == field;
    let at = d
        .fields
        .iter()
        .position(|f| named(f.input) && f.choices.is_empty())
        .or_else(|| {
            let receiver = Input::ReceiverName.field();
            receiver
                .strip_suffix(".full_name")
                .is_some_and(|whole| whole == field)
                .then(|| d.fields.iter().position(|f| f.input == Input::ReceiverName))
                .flatten()
        });
    if let Some(at) = at {
        d.focus = at;
    }
}

// ---------------------------------------------------------------------------------------
// The satisfaction screen

/// Opens the satisfaction screen for a dossier just handed over at the desk.
pub(super) fn open_rating(app: &mut App, code: &str) {
    app.overlay = Some(Overlay::Rating(Box::new(RatingScreen {
        code: code.to_owned(),
        choice: 0,
        comment: text_field(),
        on_comment: false,
        key: app.keys.next_key(),
        pending: None,
        error: None,
    })));
}

pub(super) fn rating_key(app: &mut App, mut s: Box<RatingScreen>, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    match key {
        K(Command::Cancel) => {
            app.overlay = Some(Overlay::Rating(s));
            return cancel_newest(app).into_iter().collect();
        }
        _ if s.pending.is_some() => {}
        // The citizen would rather not say: they can still rate online.
        K(Command::Close) => {
            toast(
                app,
                ToastKind::Info,
                tr(app.lang, "rating.skipped").to_owned(),
            );
            return vec![];
        }
        K(Command::PrevChoice) if !s.on_comment => s.choice = (s.choice + 2) % 3,
        K(Command::NextChoice) if !s.on_comment => s.choice = (s.choice + 1) % 3,
        K(Command::NextField | Command::PrevField) => s.on_comment = !s.on_comment,
        K(Command::Confirm) => {
            let comment = crate::domain::text::nfc(field_text(&s.comment).trim());
            let rating = RatingIn {
                level: RatingLevel::ALL[s.choice.min(2)],
                comment: Some(comment).filter(|c| !c.is_empty()),
            };
            let id = request(app, Purpose::Act);
            s.pending = Some(id);
            s.error = None;
            let effect = Effect::Rate {
                id,
                code: s.code.clone(),
                key: s.key.clone(),
                rating,
            };
            app.overlay = Some(Overlay::Rating(s));
            return vec![effect];
        }
        KeyInput::Text(input) if s.on_comment => {
            edit(&mut s.comment, input);
        }
        _ => {}
    }
    app.overlay = Some(Overlay::Rating(s));
    vec![]
}

pub(super) fn on_rated(
    app: &mut App,
    id: RequestId,
    result: Result<Rating, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    let code = match app.overlay.as_mut() {
        Some(Overlay::Rating(s)) if s.pending == Some(id) => {
            s.pending = None;
            Some(s.code.clone())
        }
        _ => None,
    };
    match result {
        Ok(rating) => {
            if code.is_some() {
                app.overlay = None;
            }
            toast(
                app,
                ToastKind::Success,
                trf(
                    app.lang,
                    "rating.thanks",
                    &[("level", rating.level.label(app.lang))],
                ),
            );
            super::training::soon(app);
            let mut effects = vec![Effect::LoadStats(request(app, Purpose::Stats))];
            // The detail shows the rating: read it again (a new version).
            if let Some(code) = code.or_else(|| app.inbox.detail.as_ref().map(|d| d.code.clone()))
                && app.inbox.detail.as_ref().is_some_and(|d| d.code == code)
            {
                effects.push(Effect::LoadDetail {
                    id: request(app, Purpose::Detail),
                    code,
                });
            }
            effects
        }
        Err(Failure::Unauthorized(_)) => expire(app),
        Err(failure) => {
            let text = failure_text(app.lang, &failure);
            match app.overlay.as_mut() {
                Some(Overlay::Rating(s)) => s.error = Some(text),
                _ => toast(app, ToastKind::Error, text),
            }
            vec![]
        }
    }
}

// ---------------------------------------------------------------------------------------
// The notices sent to the citizen

/// `n` in a detail: load what the citizen was told.
pub(super) fn open_notices(app: &mut App) -> Vec<Effect> {
    let Some(code) = app.inbox.detail.as_ref().map(|d| d.code.clone()) else {
        return vec![];
    };
    let id = request(app, Purpose::Detail);
    vec![Effect::LoadNotices { id, code }]
}

pub(super) fn on_notices(
    app: &mut App,
    id: RequestId,
    result: Result<Vec<Notification>, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    match result {
        Ok(list) => {
            if list.is_empty() {
                toast(
                    app,
                    ToastKind::Info,
                    tr(app.lang, "notices.none").to_owned(),
                );
            }
            if let Some(detail) = app.inbox.detail.as_mut() {
                detail.notices = Some(list);
            }
            vec![]
        }
        Err(f) => fail(app, f),
    }
}
