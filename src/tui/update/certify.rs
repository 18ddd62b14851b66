//! The certification pane (issue 21): keys on the entry and on the books, and the
//! portal's answers. A repeat copy certification is the number (typed or scanned),
//! Enter, the document's name, Tab, pages, Tab, copies, Enter (the fee), Enter (taken in
//! cash): the entry's number and text are on screen after at most two round trips (the
//! number's lookup, the entry), none when the card was scanned but the entry itself.

use super::*;
use crate::api::Page;
use crate::api::certifications::{Certification, CertificationQuery, ContractAct, Kind};
use crate::api::certifications::{FeeOrder, FeeOrderStatus};
use crate::api::citizens::Citizen;
use crate::api::stats::Stats;
use crate::domain::identity::{parse_cccd, parse_chip_qr};
use crate::tui::certify::{
    CertifyDraft, Entry, Field, PayWay, Stage, TRANSFER_POLL_SECONDS, step_act, step_kind,
};
use crate::tui::paper::{Document, Job};

/// Entries a page of the books holds on screen.
const BOOK_PAGE: u32 = 50;

pub(super) fn certify_key(app: &mut App, input: KeyInput) -> Vec<Effect> {
    if app.certify.in_book {
        return book_key(app, input);
    }
    use KeyInput::Command as K;
    let e = &mut app.certify.entry;
    match input {
        K(Command::Book) => return open_book(app),
        K(Command::NewEntry) if !e.is_sending() => {
            let (kind, act) = (e.kind, e.act);
            app.certify.entry = Entry::new(app.keys.next_key(), kind, act);
        }
        K(Command::Print) => return print(app),
        K(Command::Back) => match e.stage {
            Stage::Confirm => e.stage = Stage::Editing,
            // No transfer after all: back to the fee, to take it in cash. The order stays
            // unpaid (a transfer that still comes is the office's to refund).
            Stage::Transfer { .. } => {
                e.stage = Stage::Confirm;
                e.pay = PayWay::Cash;
                e.error = None;
            }
            _ if e.error.is_some() => e.error = None,
            // The entry stays as typed (or done): the pane shows it again on return.
            _ => app.tab = Tab::Inbox,
        },
        K(Command::Confirm) => {
            return match (&e.stage, e.pay) {
                (Stage::Editing, _) => enter(app),
                (Stage::Confirm, PayWay::Cash) => send(app, None),
                (Stage::Confirm, PayWay::VietQr) => order_fee(app),
                (Stage::Sending { .. } | Stage::Transfer { .. }, _) => vec![],
                (Stage::Done(_), _) => {
                    next_paper(app);
                    vec![]
                }
            };
        }
        K(Command::NextChoice | Command::PrevChoice | Command::NextField)
            if e.stage == Stage::Confirm =>
        {
            e.pay = match e.pay {
                PayWay::Cash => PayWay::VietQr,
                PayWay::VietQr => PayWay::Cash,
            };
            e.error = None;
        }
        K(Command::NextField | Command::PrevField) if e.stage == Stage::Editing => {
            let forward = matches!(input, K(Command::NextField));
            move_focus(e, forward);
        }
        K(Command::NextChoice | Command::PrevChoice)
            if e.stage == Stage::Editing && e.focus == Field::Kind =>
        {
            let forward = matches!(input, K(Command::NextChoice));
            step_choice(e, forward);
            e.error = None;
        }
        K(_) => {}
        KeyInput::Text(key) if e.stage == Stage::Editing => {
            let focus = e.focus;
            if let TextInput::Key(k) = &key
                && let KeyCode::Char(_) = k.code
                && !k.modifiers.contains(KeyModifiers::CONTROL)
                && e.defaults.contains(&focus)
            {
                e.set(focus, "");
            }
            if let Some(field) = e.text_mut(focus)
                && edit(field, key)
            {
                e.error = None;
                e.defaults.retain(|f| *f != focus);
                if focus == Field::IdNumber {
                    // Another number: whoever it was found as is not this applicant.
                    e.citizen_id = None;
                    e.looked_up = None;
                    e.note = None;
                }
                if focus == Field::FullName {
                    e.citizen_id = None;
                }
            }
        }
        KeyInput::Text(_) => {}
    }
    vec![]
}

/// The choices of the kind row, left to right: the three kinds, a contract's act after
/// it (an amendment, a correction), each with its own fee.
fn step_choice(e: &mut Entry, forward: bool) {
    match (e.kind, forward) {
        (Kind::Contract, true) if e.act != ContractAct::Correction => {
            e.act = step_act(e.act, true);
        }
        (Kind::Contract, false) if e.act != ContractAct::Contract => {
            e.act = step_act(e.act, false);
        }
        (kind, forward) => {
            e.kind = step_kind(kind, forward);
            e.act = if e.kind == Kind::Contract && !forward {
                ContractAct::Correction
            } else {
                ContractAct::Contract
            };
        }
    }
}

fn move_focus(e: &mut Entry, forward: bool) {
    let all = Field::ALL;
    let at = all.iter().position(|f| *f == e.focus).unwrap_or(0);
    let n = all.len();
    e.focus = all[if forward {
        (at + 1) % n
    } else {
        (at + n - 1) % n
    }];
}

/// Enter while typing: the number is looked up (or the scanned card read), the last row
/// shows the fee, any other row goes on to the next.
fn enter(app: &mut App) -> Vec<Effect> {
    let lang = app.lang;
    let today = app.now.date_naive();
    let e = &mut app.certify.entry;
    match e.focus {
        Field::IdNumber => {
            let text = e.text(Field::IdNumber).trim().to_owned();
            if text.is_empty() {
                e.error = Some((
                    Some(Field::IdNumber),
                    tr(lang, "certify.need_applicant").to_owned(),
                ));
                return vec![];
            }
            if text.contains('|') {
                match parse_chip_qr(&text, today) {
                    Ok(card) => {
                        e.set(Field::IdNumber, &card.id_number);
                        e.set(Field::FullName, &card.full_name);
                        e.citizen_id = None;
                        e.looked_up = Some(card.id_number.clone());
                        e.note = Some(trf(lang, "certify.scanned", &[("name", &card.full_name)]));
                        e.error = None;
                        e.focus = Field::Document;
                    }
                    Err(problem) => {
                        // The scanner types the next card here: emptied, so that it does
                        // not land on top of the rejected one.
                        e.set(Field::IdNumber, "");
                        e.error = Some((Some(Field::IdNumber), problem.message(lang)));
                    }
                }
                return vec![];
            }
            // The book records the 12-digit personal identity number: anything else (an
            // old CMND, a number mistyped) is said now, not after the citizen paid.
            if let Err(problem) = parse_cccd(&text, today) {
                e.error = Some((Some(Field::IdNumber), problem.message(lang)));
                return vec![];
            }
            if e.looked_up.as_deref() == Some(text.as_str()) {
                // Looked up already: on to the first row still empty.
                e.focus = if e.text(Field::FullName).trim().is_empty() {
                    Field::FullName
                } else {
                    Field::Document
                };
                return vec![];
            }
            let id = request(app, Purpose::Certify);
            app.certify.entry.lookup = Some((id, text.clone()));
            vec![Effect::FindCitizens { id, query: text }]
        }
        Field::Copies => {
            match e.request() {
                Ok(_) => {
                    e.error = None;
                    e.stage = Stage::Confirm;
                }
                Err((field, key)) => {
                    e.focus = field;
                    e.error = Some((Some(field), tr(lang, key).to_owned()));
                }
            }
            vec![]
        }
        _ => {
            move_focus(e, true);
            vec![]
        }
    }
}

/// The fee was taken (in cash, or by the paid fee order named): the entry goes to the
/// portal (through the outbox, so a failed link keeps it and sends it later with the same
/// key).
fn send(app: &mut App, fee_order: Option<String>) -> Vec<Effect> {
    let lang = app.lang;
    let e = &mut app.certify.entry;
    let request_body = match e.request().map(|mut r| {
        r.fee_order = fee_order;
        r
    }) {
        Ok(r) => r,
        Err((field, key)) => {
            e.stage = Stage::Editing;
            e.focus = field;
            e.error = Some((Some(field), tr(lang, key).to_owned()));
            return vec![];
        }
    };
    let key = e.key.clone();
    let id = request(app, Purpose::Entry);
    app.certify.entry.stage = Stage::Sending {
        request: Some(id),
        queued: false,
    };
    vec![Effect::Certify {
        id,
        key,
        request: Box::new(request_body),
    }]
}

/// VietQR chosen: a fee order for the fee, whose code the screen shows.
fn order_fee(app: &mut App) -> Vec<Effect> {
    let Some(amount) = app.certify.entry.fee() else {
        app.certify.entry.stage = Stage::Editing;
        return vec![];
    };
    // The same amount asks for the same order (a retry after a lost answer); another
    // amount (the pages were corrected) for a new one.
    let key = match &app.certify.entry.fee_key {
        Some((drawn, key)) if *drawn == amount => key.clone(),
        _ => {
            let key = app.keys.next_key();
            app.certify.entry.fee_key = Some((amount, key.clone()));
            key
        }
    };
    let id = request(app, Purpose::Certify);
    let e = &mut app.certify.entry;
    e.error = None;
    e.note = None;
    e.stage = Stage::Transfer {
        order: None,
        request: Some(id),
        poll_in: TRANSFER_POLL_SECONDS,
    };
    vec![Effect::OrderFee { id, key, amount }]
}

/// A fee order made or read again: its code stays on screen until the transfer arrives;
/// then the entry goes by itself, named by the order.
pub(super) fn on_fee_order(
    app: &mut App,
    id: RequestId,
    result: Result<FeeOrder, Failure>,
) -> Vec<Effect> {
    app.pending.remove(&id);
    let lang = app.lang;
    let e = &mut app.certify.entry;
    let Stage::Transfer { order, request, .. } = &mut e.stage else {
        return vec![];
    };
    if *request != Some(id) {
        return vec![];
    }
    *request = None;
    match result {
        Ok(o) => match o.status {
            FeeOrderStatus::Unpaid => {
                *order = Some(Box::new(o));
                vec![]
            }
            FeeOrderStatus::Paid => {
                let reference = o.reference.clone();
                *order = Some(Box::new(o));
                let text = tr(lang, "certify.transfer_arrived").to_owned();
                toast(app, ToastKind::Success, text);
                send(app, Some(reference))
            }
            FeeOrderStatus::Used => {
                // Another entry used it (a second desk, a retry elsewhere): not this one's.
                e.stage = Stage::Confirm;
                e.pay = PayWay::Cash;
                e.fee_key = None;
                e.error = Some((None, tr(lang, "certify.order_used").to_owned()));
                vec![]
            }
        },
        Err(Failure::Unauthorized(_)) => expire(app),
        // Not made: the fee is taken in cash instead, or VietQR tried again.
        Err(failure) if order.is_none() => {
            e.stage = Stage::Confirm;
            e.error = Some((
                None,
                trf(
                    lang,
                    "certify.order_failed",
                    &[("why", &failure_text(lang, &failure))],
                ),
            ));
            vec![]
        }
        // A look that failed: the next tick looks again; the code stays.
        Err(_) => vec![],
    }
}

/// Once a second: a fee order on screen is looked at every few seconds until paid.
pub(super) fn tick(app: &mut App) -> Vec<Effect> {
    let Stage::Transfer {
        order: Some(order),
        request: None,
        poll_in,
    } = &mut app.certify.entry.stage
    else {
        return vec![];
    };
    *poll_in = poll_in.saturating_sub(1);
    if *poll_in > 0 {
        return vec![];
    }
    *poll_in = TRANSFER_POLL_SECONDS;
    let reference = order.reference.clone();
    let id = request(app, Purpose::Entry);
    if let Stage::Transfer { request, .. } = &mut app.certify.entry.stage {
        *request = Some(id);
    }
    vec![Effect::LoadFeeOrder { id, reference }]
}

/// After an entry: the same applicant's next paper (the kind, the applicant stay).
fn next_paper(app: &mut App) {
    let old = &app.certify.entry;
    let mut e = Entry::new(app.keys.next_key(), old.kind, old.act);
    e.id_number = old.id_number.clone();
    e.full_name = old.full_name.clone();
    e.citizen_id = old.citizen_id.clone();
    e.looked_up = old.looked_up.clone();
    e.focus = Field::Document;
    app.certify.entry = e;
}

/// Ctrl-P on a done entry: its certificate as the portal's A4 PDF, saved in the
/// printing folder and printed when a printer is set up.
fn print(app: &mut App) -> Vec<Effect> {
    let Stage::Done(c) = &app.certify.entry.stage else {
        return vec![];
    };
    let (id, printable) = (c.id.clone(), printable(c));
    certificate_paper(app, id, printable, None, true)
}

/// What the text view of an entry prints.
fn printable(c: &Certification) -> Printable {
    Printable::Certificate {
        kind: c.kind,
        year: c.year,
        number: c.number,
    }
}

/// An entry's certificate to paper: the portal's PDF, saved (as `file`, or under the
/// book and number in the printing folder), printed when `print`.
pub(super) fn certificate_paper(
    app: &mut App,
    id: String,
    printable: Printable,
    file: Option<String>,
    print: bool,
) -> Vec<Effect> {
    let Printable::Certificate { .. } = printable else {
        return vec![];
    };
    let name = printable.file_name(&id);
    let stem = name.strip_suffix(".pdf").unwrap_or(&name).to_owned();
    let job = request(app, Purpose::Download);
    vec![Effect::Paper(Job {
        id: job,
        document: Document::Certificate { id, name: stem },
        file,
        print,
    })]
}

/// The number's lookup came back: the office's citizen fills the name; nobody found,
/// the name is typed from the card.
pub(super) fn on_found(
    app: &mut App,
    id: RequestId,
    result: Result<Vec<Citizen>, Failure>,
) -> Vec<Effect> {
    let lang = app.lang;
    let e = &mut app.certify.entry;
    let Some((_, number)) = e.lookup.take_if(|(r, _)| *r == id) else {
        return vec![];
    };
    match result {
        Ok(found) => {
            e.looked_up = Some(number.clone());
            match found.into_iter().find(|c| c.id_number == number) {
                Some(citizen) => {
                    e.set(Field::FullName, &citizen.full_name);
                    e.citizen_id = Some(citizen.id.clone());
                    e.note = Some(trf(
                        lang,
                        "certify.found",
                        &[("name", &view_safe(&citizen.full_name))],
                    ));
                    e.focus = Field::Document;
                }
                None => {
                    e.citizen_id = None;
                    e.note = Some(tr(lang, "certify.not_found").to_owned());
                    e.focus = Field::FullName;
                }
            }
            vec![]
        }
        Err(Failure::Unauthorized(_)) => expire(app),
        Err(failure) => {
            // Not looked up (the link): the name is typed from the card meanwhile.
            e.note = Some(trf(
                lang,
                "certify.lookup_failed",
                &[("why", &failure_text(lang, &failure))],
            ));
            e.looked_up = Some(number);
            e.focus = Field::FullName;
            vec![]
        }
    }
}

fn view_safe(text: &str) -> String {
    crate::domain::text::terminal_safe(text).into_owned()
}

/// Esc stopped request `id`: a fee order not made yet is not waited for (the fee is
/// taken again from its screen).
pub(super) fn on_cancelled(app: &mut App, id: RequestId) {
    let e = &mut app.certify.entry;
    if matches!(e.stage, Stage::Transfer { order: None, request: Some(r), .. } if r == id) {
        e.stage = Stage::Confirm;
    }
    if e.lookup.as_ref().is_some_and(|(r, _)| *r == id) {
        e.lookup = None;
    }
    if app.certify.book.pending == Some(id) {
        app.certify.book.pending = None;
        app.certify.book.searched = None;
    }
}

/// Whether `id` is the pane's number lookup.
pub(super) fn is_lookup(app: &App, id: RequestId) -> bool {
    app.certify
        .entry
        .lookup
        .as_ref()
        .is_some_and(|(r, _)| *r == id)
}

/// The entry's answer: its number and text; a refusal goes back to the row it names.
pub(super) fn on_certified(
    app: &mut App,
    id: RequestId,
    result: Result<Certification, Failure>,
) -> Vec<Effect> {
    app.pending.remove(&id);
    let lang = app.lang;
    let e = &mut app.certify.entry;
    if !matches!(e.stage, Stage::Sending { request: Some(r), .. } if r == id) {
        // An answer for an entry no longer on screen (a new one was begun): said in a
        // toast, and it is in the books.
        if let Ok(c) = result {
            let text = entered_text(lang, &c);
            toast(app, ToastKind::Success, text);
            return totals_if_open(app);
        }
        return vec![];
    }
    match result {
        Ok(c) => {
            e.stage = Stage::Done(Box::new(c));
            e.error = None;
            // The books list it next time they open, and a training judge looks soon.
            app.certify.book.searched = None;
            super::training::soon(app);
            totals_if_open(app)
        }
        Err(Failure::Unauthorized(_)) => {
            e.stage = Stage::Confirm;
            expire(app)
        }
        Err(failure) => {
            e.stage = Stage::Editing;
            let field = match &failure {
                Failure::Refused { fields, .. } => Field::ALL
                    .into_iter()
                    .find(|f| fields.contains_key(f.wire_name())),
                _ => None,
            };
            if let Some(field) = field {
                e.focus = field;
            }
            e.error = Some((field, failure_text(lang, &failure)));
            vec![]
        }
    }
}

/// The entry went into the outbox (the link failed): it is safe and goes by itself.
pub(super) fn on_queued(app: &mut App, id: RequestId) -> bool {
    let e = &mut app.certify.entry;
    if matches!(e.stage, Stage::Sending { request: Some(r), .. } if r == id) {
        e.stage = Stage::Sending {
            request: None,
            queued: true,
        };
        return true;
    }
    false
}

/// A queued entry went through after all: its number, on screen if it still is.
pub(super) fn on_sent_later(app: &mut App, key: &str, c: Certification) -> String {
    let e = &mut app.certify.entry;
    let what = entered_text(app.lang, &c);
    if e.key == key && e.is_sending() {
        e.stage = Stage::Done(Box::new(c));
    }
    what
}

fn entered_text(lang: Lang, c: &Certification) -> String {
    trf(
        lang,
        "certify.entered",
        &[
            ("book", &view_safe(&c.book)),
            ("number", &c.number.to_string()),
        ],
    )
}

// The books.

fn open_book(app: &mut App) -> Vec<Effect> {
    app.certify.in_book = true;
    let mut effects = load_totals(app);
    if app.certify.book.searched.is_none() {
        effects.extend(search(app, false));
    }
    effects
}

fn book_key(app: &mut App, input: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    let book = &mut app.certify.book;
    match input {
        K(Command::Book) => app.certify.in_book = false,
        K(Command::Back) => {
            if field_text(&book.query).is_empty() {
                app.certify.in_book = false;
            } else {
                book.query = text_field();
                return search(app, false);
            }
        }
        K(Command::Up) => book.selected = book.selected.saturating_sub(1),
        K(Command::PageUp) => book.selected = book.selected.saturating_sub(10),
        K(Command::Down | Command::PageDown) => {
            let step = if matches!(input, K(Command::Down)) {
                1
            } else {
                10
            };
            let last = book.entries.len().saturating_sub(1);
            if book.selected + step > last && book.next_cursor.is_some() && book.pending.is_none() {
                book.selected = last;
                return search(app, true);
            }
            book.selected = (book.selected + step).min(last);
        }
        K(Command::Open) => {
            let typed = field_text(&book.query).trim().to_owned();
            if book.searched.as_deref() != Some(typed.as_str()) {
                return search(app, false);
            }
            if let Some(c) = book.entries.get(book.selected).cloned() {
                show_certificate(app, &c);
            }
        }
        K(_) => {}
        KeyInput::Text(key) => {
            edit(&mut book.query, key);
        }
    }
    vec![]
}

/// Searches the books for the words typed (all entries when none), newest first;
/// `more`: the next page of the same search.
fn search(app: &mut App, more: bool) -> Vec<Effect> {
    let id = request(app, Purpose::Certify);
    let book = &mut app.certify.book;
    let words = field_text(&book.query).trim().to_owned();
    let cursor = if more {
        book.next_cursor.clone()
    } else {
        book.searched = Some(words.clone());
        None
    };
    book.pending = Some(id);
    book.appending = more;
    vec![Effect::LoadBook {
        id,
        query: CertificationQuery {
            q: (!words.is_empty()).then_some(words),
            limit: Some(BOOK_PAGE),
            cursor,
            ..Default::default()
        },
    }]
}

fn load_totals(app: &mut App) -> Vec<Effect> {
    let id = request(app, Purpose::Certify);
    app.certify.book.totals_pending = Some(id);
    vec![Effect::LoadCertifyTotals {
        id,
        day: app.now.date_naive(),
    }]
}

/// The day's totals again, when the books are open (an entry was made).
fn totals_if_open(app: &mut App) -> Vec<Effect> {
    if app.certify.in_book {
        load_totals(app)
    } else {
        app.certify.book.totals = None;
        vec![]
    }
}

pub(super) fn on_book(
    app: &mut App,
    id: RequestId,
    result: Result<Page<Certification>, Failure>,
) -> Vec<Effect> {
    app.pending.remove(&id);
    let book = &mut app.certify.book;
    if book.pending != Some(id) {
        return vec![];
    }
    // A next page asked for adds to what is listed; a new search replaces it.
    let more = std::mem::take(&mut book.appending);
    book.pending = None;
    match result {
        Ok(page) => {
            if more {
                book.entries.extend(page.items);
            } else {
                book.entries = page.items;
                book.selected = 0;
            }
            book.next_cursor = page.next_cursor;
            book.error = None;
            vec![]
        }
        Err(Failure::Unauthorized(_)) => expire(app),
        Err(failure) => {
            book.error = Some(failure_text(app.lang, &failure));
            // Searched again with Enter.
            book.searched = None;
            vec![]
        }
    }
}

pub(super) fn on_totals(
    app: &mut App,
    id: RequestId,
    result: Result<Stats, Failure>,
) -> Vec<Effect> {
    app.pending.remove(&id);
    let book = &mut app.certify.book;
    if book.totals_pending != Some(id) {
        return vec![];
    }
    book.totals_pending = None;
    match result {
        Ok(stats) => {
            book.totals = Some((stats.period.to.clone(), stats.certifications));
            vec![]
        }
        Err(Failure::Unauthorized(_)) => expire(app),
        Err(failure) => {
            book.error = Some(failure_text(app.lang, &failure));
            vec![]
        }
    }
}

/// An entry of the books with its certification text, to read, save or print.
fn show_certificate(app: &mut App, c: &Certification) {
    app.overlay = Some(Overlay::Form(Box::new(FormView {
        code: c.id.clone(),
        printable: printable(c),
        text: Some(c.text.clone()),
        scroll: 0,
        save_to: None,
    })));
}

/// Where a paste goes on the pane (a scanner may paste the card's QR): the focused row
/// while typing, the books' search. A paste into the number forgets whoever the earlier
/// number was found as, as typing does.
pub(super) fn paste_target(app: &mut App) -> Option<&mut ratatui_textarea::TextArea<'static>> {
    if app.certify.in_book {
        return Some(&mut app.certify.book.query);
    }
    let e = &mut app.certify.entry;
    if e.stage != Stage::Editing {
        return None;
    }
    e.error = None;
    match e.focus {
        Field::IdNumber => {
            e.citizen_id = None;
            e.looked_up = None;
            e.note = None;
        }
        Field::FullName => e.citizen_id = None,
        _ => {}
    }
    let focus = e.focus;
    // Pasted pages or copies replace the 1 shown, as a digit typed does.
    if e.defaults.contains(&focus) {
        e.set(focus, "");
        e.defaults.retain(|f| *f != focus);
    }
    e.text_mut(focus)
}

/// Saves the certification being typed when it changed (forgets it once sent, done or
/// emptied). Only in a session: after a logout the file on disk is the next login's.
pub(super) fn autosave(app: &mut App) -> Vec<Effect> {
    if app.me.is_none() {
        return vec![];
    }
    let draft = app.certify.entry.to_draft(app.now.to_rfc3339());
    let same = match (&draft, &app.last_certify_draft) {
        (None, None) => true,
        (Some(a), Some(b)) => a.content_eq(b),
        _ => false,
    };
    if same {
        return vec![];
    }
    app.last_certify_draft = draft.clone();
    vec![Effect::SaveCertifyDraft(draft.map(Box::new))]
}

/// The certification an earlier run left typed comes back, unless one is being typed
/// already.
pub(super) fn on_draft_found(app: &mut App, draft: CertifyDraft) -> Vec<Effect> {
    let e = &app.certify.entry;
    if !e.is_blank() || e.stage != Stage::Editing {
        return vec![];
    }
    app.certify.entry = Entry::from_draft(&draft);
    // As on disk: the autosave after this action writes nothing new.
    app.last_certify_draft = Some(draft);
    let text = tr(app.lang, "certify.draft_restored").to_owned();
    toast(app, ToastKind::Info, text);
    vec![]
}
