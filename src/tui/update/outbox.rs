//! What the outbox tells the screen: a write queued because the link failed, a queued
//! write that went through later, one the portal refused, and how many wait.

use super::*;
use crate::client::outbox::Sent;
use crate::tui::action::{DeadLetter, DiskProblem};
use std::path::Path;

/// The link failed on a write someone waited for: it is safe in the outbox; the screen
/// stops waiting and says so.
pub(super) fn on_queued(app: &mut App, id: RequestId) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    let text = tr(app.lang, "toast.queued").to_owned();
    if matches!(&app.overlay, Some(Overlay::Dialog(d)) if d.pending == Some(id))
        || super::payment::is_dialog_payment(app, id)
    {
        app.overlay = None;
    }
    let mut effects = vec![];
    if app.intake.pending == Some(id) {
        app.intake.pending = None;
        app.intake.queued = true;
        app.intake.error = Some(text.clone());
        // Numbered offline: the outbox has it with its number; the draft is done with.
        if app.intake.offline.is_some() {
            app.last_draft = None;
            effects.push(Effect::SaveDraft(None));
        }
    }
    // The wizard's new account, queued with the link down: the intake goes on with it
    // (the dossier names the applicant by number and date of birth, and goes after it).
    if app
        .intake
        .new_citizen
        .as_ref()
        .is_some_and(|f| f.pending == Some(id))
    {
        effects.extend(super::intake::applicant_queued(app));
    }
    for form in [app.intake.new_citizen.as_mut(), app.citizens.form.as_mut()]
        .into_iter()
        .flatten()
    {
        if form.pending == Some(id) {
            form.pending = None;
            form.error = Some(text.clone());
        }
    }
    if app.citizens.pending == Some(id) {
        app.citizens.pending = None;
    }
    super::certify::on_queued(app, id);
    toast(app, ToastKind::Info, text);
    effects
}

/// A queued write went through with nobody waiting on screen.
pub(super) fn on_sent_later(app: &mut App, key: &str, sent: Sent) -> Vec<Effect> {
    let mut effects = vec![];
    let what = match sent {
        Sent::Acted(d) => {
            refresh_from(app, &d);
            if let Some(detail) = app.inbox.detail.as_mut().filter(|x| x.code == d.code) {
                detail.dossier = Some(d.clone());
            }
            d.code.clone()
        }
        Sent::CreatedDossier(d) => {
            let code = d.code.clone();
            if app.intake.key == key && super::intake::is_offline_shown(app, &d) {
                effects = super::intake::arrived_offline(app, *d);
            } else if app.intake.key == key
                && app.intake.step != crate::tui::intake::WizardStep::Done
            {
                effects = super::intake::created(app, *d);
            } else if let Some(draft) = app.draft_offer.take_if(|o| o.key == key) {
                // The draft offered after a restart is this submission's: it is done, and
                // typing it in again would make a second dossier.
                effects = super::intake::finish_draft(app, draft, *d);
            } else {
                app.inbox.upsert(summary_of(&d));
                let keep = app.inbox.selected_code();
                app.inbox.rebuild(keep);
                // Its draft may not be read from disk yet: it is closed when it is.
                remember(app, key, Delivered::Dossier(d));
            }
            code
        }
        Sent::Paid(p) => {
            if app
                .intake
                .created
                .as_ref()
                .is_some_and(|d| d.code == p.code)
            {
                app.intake.paid = true;
                app.intake.payment = Some((*p).clone());
            }
            // The detail of that dossier, if open, shows the fee paid (and its dialog goes).
            super::payment::close_paid_dialog(app, &p.code);
            effects = super::payment::reload_detail(app, &p.code);
            p.code.clone()
        }
        Sent::CreatedCitizen(c) => {
            let name = c.citizen.full_name.clone();
            let ours =
                |f: Option<&crate::tui::intake::CitizenForm>| f.is_some_and(|f| f.key == key);
            // The wizard took the account in offline (no id yet): now it has one.
            if let Some(a) = app.intake.applicant.as_mut()
                && a.id.is_empty()
                && a.id_number == c.citizen.id_number
            {
                *a = c.citizen.clone();
            }
            let (w, pane) = (&app.intake, &app.citizens);
            if ours(w.new_citizen.as_ref()) || ours(w.set_aside.as_ref()) {
                effects = super::intake::on_created_for_intake(app, Ok(*c));
            } else if ours(pane.form.as_ref()) || ours(pane.set_aside.as_ref()) {
                // Its form, open or put aside, is done with; the slip carries the code.
                if ours(pane.form.as_ref()) {
                    app.citizens.form = None;
                } else {
                    app.citizens.set_aside = None;
                }
                super::citizens::show_slip(app, c.citizen.clone(), c.activation.clone());
            } else {
                // Its form may not be read from disk yet: it is dropped when it is.
                remember(app, key, Delivered::Citizen);
            }
            name
        }
        Sent::CitizenExisted { id_number, .. } => {
            let text = trf(app.lang, "toast.citizen_existed", &[("number", &id_number)]);
            toast(app, ToastKind::Info, text);
            return effects;
        }
        Sent::Certified(c) => super::certify::on_sent_later(app, key, *c),
        Sent::Rated { code, .. } => {
            if app.inbox.detail.as_ref().is_some_and(|d| d.code == code) {
                effects = vec![Effect::LoadDetail {
                    id: request(app, Purpose::Detail),
                    code: code.clone(),
                }];
            }
            code
        }
    };
    let text = trf(app.lang, "toast.sent_later", &[("what", &what)]);
    toast(app, ToastKind::Success, text);
    effects
}

/// Keeps the last few writes delivered with nobody waiting, for drafts read after them.
fn remember(app: &mut App, key: &str, what: Delivered) {
    app.delivered.push_back((key.to_owned(), what));
    while app.delivered.len() > DELIVERED_KEPT {
        app.delivered.pop_front();
    }
}

pub(super) fn on_send_failed(app: &mut App, label: &str, message: &str) -> Vec<Effect> {
    let text = trf(
        app.lang,
        "toast.send_failed",
        &[("what", label), ("message", message)],
    );
    toast(app, ToastKind::Error, text);
    vec![]
}

/// The disk refused the outbox (said once by the runtime): what failed, where, and what
/// to do. Writes meanwhile go straight to the portal.
pub(super) fn on_disk_failed(app: &mut App, path: &Path, problem: &DiskProblem) -> Vec<Effect> {
    let why = match problem {
        DiskProblem::Full => tr(app.lang, "outbox.disk_full").to_owned(),
        DiskProblem::NotWritable => tr(app.lang, "outbox.disk_not_writable").to_owned(),
        DiskProblem::Other(kind) => super::io_text(app.lang, *kind),
    };
    let text = trf(
        app.lang,
        "toast.outbox_disk",
        &[("path", &path.display().to_string()), ("why", &why)],
    );
    toast(app, ToastKind::Error, text);
    vec![]
}

pub(super) fn on_count(
    app: &mut App,
    queued: usize,
    dead: Vec<DeadLetter>,
    retry_in: Option<u32>,
) -> Vec<Effect> {
    app.outbox = queued;
    app.outbox_retry_in = retry_in.filter(|_| queued > 0);
    app.dead_letters = dead;
    vec![]
}

/// `:outbox`: the dead letters, to send again or give up.
pub(super) fn open_dead_letters(app: &mut App) -> Vec<Effect> {
    if app.dead_letters.is_empty() {
        let text = tr(app.lang, "toast.no_dead_letters").to_owned();
        toast(app, ToastKind::Info, text);
        return vec![];
    }
    app.overlay = Some(Overlay::DeadLetters(Menu {
        code: String::new(),
        items: app.dead_letters.clone(),
        selected: 0,
    }));
    vec![]
}

pub(super) fn dead_letters_key(
    app: &mut App,
    mut menu: Menu<DeadLetter>,
    key: KeyInput,
) -> Vec<Effect> {
    let chosen = menu.items.get(menu.selected).map(|d| d.id);
    match key {
        KeyInput::Command(Command::Discard) => {
            if let Some(id) = chosen {
                menu.items.retain(|d| d.id != id);
                menu.selected = menu.selected.min(menu.items.len().saturating_sub(1));
                if !menu.items.is_empty() {
                    app.overlay = Some(Overlay::DeadLetters(menu));
                }
                return vec![Effect::OutboxDiscard(id)];
            }
            vec![]
        }
        _ => match menu_key(&mut menu, key) {
            MenuKey::Close => vec![],
            MenuKey::Moved => {
                app.overlay = Some(Overlay::DeadLetters(menu));
                vec![]
            }
            MenuKey::Chosen => match chosen {
                Some(id) => {
                    let text = tr(app.lang, "toast.retrying").to_owned();
                    toast(app, ToastKind::Info, text);
                    vec![Effect::OutboxRetry(id)]
                }
                None => vec![],
            },
        },
    }
}
