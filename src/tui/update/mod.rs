//! `update`: the one place the app's state changes. Synchronous and free of IO, so every
//! action is unit-tested by feeding it and looking at the state and the effects.

use crate::api::dossiers::{ActionRequest, Change, Dossier, DossierSummary};
use crate::domain::forms::Form;
use crate::domain::status::{Queue, Status};
use crate::domain::workflow::{
    self, Action as Step, DeliveryMethod, Input, Refusal, Role, Verdict,
};
use crate::domain::{Lang, RuleError};
use crate::tui::action::{Action, Delta, Effect, PrintProblem};
use crate::tui::i18n::{tr, trf};
use crate::tui::keymap::{Command, Context};
use crate::tui::state::*;
use crate::tui::theme::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::path::PathBuf;

mod actions;
mod certify;
mod citizens;
mod commands;
mod documents;
mod files;
mod forms;
mod intake;
mod keys;
mod login;
mod outbox;
mod overlays;
mod paging;
mod panes;
mod payment;
mod poll;
mod results;
mod training;
mod viewer;

use actions::*;
use citizens::citizens_key;
use commands::*;
use files::*;
use intake::{enter_intake, intake_key};
use keys::*;
use login::*;
use overlays::*;
use payment::*;
use poll::*;

pub use actions::{
    Known, build_request, describe_changes, menu_steps, parse_due, short_time, steps_for,
    summary_of,
};
pub use commands::{complete, completion, human_size};
pub use documents::{may_digitize, offered, shown_offer};
pub use files::forms_for;
pub use forms::{form_label, form_title};
pub use intake::{
    chosen_case, chosen_procedure, delivery_choices, fresh_wizard, highlighted, picker_rows,
};
pub use keys::{TextInput, edit, left_behind};
pub use panes::{enabled_commands, key_context, may_pay};
pub use poll::backoff;
pub use results::{applies, handover_of, required};

/// How long a toast stays, in ticks (seconds).
pub(super) const TOAST_TTL: u32 = 6;
/// The longest wait between background attempts while the portal is unreachable.
pub(super) const MAX_BACKOFF: u32 = 60;

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    // A telling that failed is told again at the next action (a tick at the latest), not
    // in answer to its own failure: an unreachable portal is not asked in a loop.
    let told = matches!(action, Action::VietQrTold { .. });
    let mut effects = apply(app, action);
    // The citizens pane's forms change from keys and from answers alike: whatever changed
    // them, they are on disk after it.
    effects.extend(citizens::autosave(app));
    effects.extend(certify::autosave(app));
    // A citizen's record shows their store: read once per citizen opened.
    if app.tab == Tab::Citizens {
        effects.extend(documents::want_citizen_store(app));
    }
    if !told {
        effects.extend(training::tell_vietqr_shown(app));
    }
    effects
}

/// What one action changes, and the effects it asks for.
fn apply(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) => on_key(app, key),
        Action::Paste(text) => on_paste(app, &text),
        Action::Resize(width, height) => {
            app.size = (width, height);
            app.inbox.page_rows = crate::tui::view::inbox_rows(height, app.training()).max(1);
            app.inbox.scroll_into_view();
            viewer::graphic_wanted(app)
        }
        Action::Tick(now) => on_tick(app, now),
        Action::TokenStored { persistent } => {
            if !persistent && app.notice.is_none() {
                let text = tr(app.lang, "notice.memory_only").to_owned();
                app.notice = Some(text.clone());
                toast(app, ToastKind::Info, text);
            }
            vec![]
        }
        Action::Link { rtt, reached } => {
            let back = reached && app.link.state == LinkState::Offline;
            app.link.last_rtt = rtt.or(app.link.last_rtt);
            app.link.state = match (reached, rtt) {
                (false, _) => LinkState::Offline,
                (true, Some(rtt)) if rtt.as_millis() >= 1000 => LinkState::Slow,
                (true, _) => LinkState::Online,
            };
            if reached {
                app.link.retry_in = None;
            }
            // The link is back: the outbox goes at once, and the numbers used meanwhile
            // are renewed.
            if back && app.screen == Screen::Main {
                let mut effects = vec![Effect::SendNow];
                if !app.offline_session {
                    effects.push(Effect::KeepCodes);
                }
                return effects;
            }
            vec![]
        }
        Action::LoggedIn(id, result) => on_logged_in(app, id, result),
        Action::OfflineSession(id, result) => login::on_offline_session(app, id, result),
        Action::HeldCodes(n) => {
            app.held_codes = Some(n);
            vec![]
        }
        Action::CatalogKept(_) => vec![],
        Action::NumberedOffline(id, result) => intake::on_numbered_offline(app, id, result),
        Action::Resumed(me) => {
            // Only if the official has not started logging in meanwhile.
            if app.screen != Screen::Login || app.login.pending.is_some() || !me.role.is_staff() {
                return vec![];
            }
            app.me = Some(me);
            app.screen = Screen::Main;
            let mut effects = vec![Effect::LoadDraft];
            if app.training() {
                effects.push(Effect::LoadTraining);
            }
            effects.push(Effect::LoadInbox(request(app, Purpose::Inbox)));
            effects.push(Effect::LoadStats(request(app, Purpose::Stats)));
            effects.push(Effect::CountCodes);
            effects.push(Effect::KeepCodes);
            effects
        }
        Action::LoggedOut => vec![],
        Action::InboxLoaded(id, result) => {
            if app.pending.remove(&id).is_none() {
                return vec![];
            }
            match result {
                Ok(snapshot) => {
                    if let Some((old, _)) = app.inbox.window.loading.take() {
                        app.pending.remove(&old);
                    }
                    app.inbox.replace(snapshot.first);
                    app.inbox.seq = Some(snapshot.seq);
                    app.poll_in = app.poll_every;
                    paging::follow(app, true)
                }
                Err(f) => fail(app, f),
            }
        }
        Action::StatsLoaded(id, result) => {
            if app.pending.remove(&id).is_none() {
                return vec![];
            }
            match result {
                Ok(stats) if id > app.inbox.stats_request => {
                    app.inbox.stats = Some(stats);
                    app.inbox.stats_request = id;
                    vec![]
                }
                Ok(_) => vec![],
                Err(Failure::Unauthorized(_)) => expire(app),
                Err(_) => vec![],
            }
        }
        Action::Polled(id, result) => on_polled(app, id, result),
        Action::PageLoaded(id, result) => paging::on_page(app, id, result),
        Action::FilterPaused(generation) => paging::on_filter_paused(app, generation),
        Action::CountedElsewhere(id, result) => paging::on_counted_elsewhere(app, id, result),
        Action::DetailLoaded(id, result) => {
            let Some(pending) = app.pending.remove(&id) else {
                return vec![];
            };
            if app.lookup_pending.as_ref().is_some_and(|(at, _)| *at == id) {
                return on_lookup_loaded(app, result);
            }
            match result {
                Ok(dossier) => {
                    refresh_from(app, &dossier);
                    let Some(detail) = app.inbox.detail.as_mut().filter(|d| d.code == dossier.code)
                    else {
                        return vec![];
                    };
                    detail.dossier = Some(Box::new(dossier));
                    // `f` on the list: the forms menu, once the dossier is here.
                    if pending.purpose == Purpose::DetailForms && app.overlay.is_none() {
                        return open_forms(app);
                    }
                    vec![]
                }
                Err(f) => {
                    if let Some(d) = &app.inbox.detail
                        && d.dossier.is_none()
                        && !matches!(f, Failure::Unauthorized(_))
                    {
                        app.inbox.detail = None;
                    }
                    fail(app, f)
                }
            }
        }
        Action::Acted(id, result) => on_acted(app, id, result),
        Action::Rated(id, result) => results::on_rated(app, id, result),
        Action::NoticesLoaded(id, result) => results::on_notices(app, id, result),
        Action::TrainingLoaded(saved) => training::on_training_loaded(app, saved),
        Action::JournalLoaded(id, result) => training::on_journal(app, id, result),
        Action::AccountActivated(id, result) => training::on_activated(app, id, result),
        Action::VietQrTold { code, heard } => {
            if !heard {
                app.vietqr_told.remove(&code);
            }
            vec![]
        }
        Action::FormLoaded(id, result) => {
            if app.pending.remove(&id).is_none() {
                return vec![];
            }
            match result {
                Ok(text) => {
                    if let Some(Overlay::Form(view)) = app.overlay.as_mut() {
                        view.text = Some(text);
                    }
                    vec![]
                }
                Err(f) => {
                    if matches!(app.overlay, Some(Overlay::Form(_))) {
                        app.overlay = None;
                    }
                    fail(app, f)
                }
            }
        }
        Action::Downloaded(id, result) => {
            app.attachments.transfers.progress.remove(&id);
            if app.pending.remove(&id).is_none() {
                return vec![];
            }
            match result {
                Ok((path, bytes)) => {
                    let text = trf(
                        app.lang,
                        "toast.downloaded",
                        &[
                            ("path", &path.display().to_string()),
                            ("size", &human_size(bytes)),
                        ],
                    );
                    toast(app, ToastKind::Success, text);
                    vec![]
                }
                Err(f) => fail(app, f),
            }
        }
        Action::Transfer {
            id,
            received,
            total,
        } => {
            viewer::on_transfer(app, id, received, total);
            vec![]
        }
        Action::AttachmentShown(id, result) => viewer::on_shown(app, id, result),
        Action::AttachmentOpened(id, result) => viewer::on_opened(app, id, result),
        Action::GraphicReady(graphic) => {
            viewer::on_graphic(app, *graphic);
            vec![]
        }
        Action::CatalogLoaded(id, result) => intake::on_catalog(app, id, result),
        Action::ProcedureLoaded(id, result) => intake::on_procedure(app, id, result),
        Action::CitizensFound(id, result) if certify::is_lookup(app, id) => {
            app.pending.remove(&id);
            certify::on_found(app, id, result)
        }
        Action::CitizensFound(id, result) => citizens::on_found(app, id, result),
        Action::Certified(id, result) => certify::on_certified(app, id, result),
        Action::BookLoaded(id, result) => certify::on_book(app, id, result),
        Action::CertifyTotalsLoaded(id, result) => certify::on_totals(app, id, result),
        Action::FeeOrdered(id, result) => certify::on_fee_order(app, id, result),
        Action::CitizenLoaded(id, result) => citizens::on_citizen(app, id, result),
        Action::CitizenCreated(id, result) => citizens::on_created(app, id, result),
        Action::ActivationIssued(id, result) => citizens::on_activation(app, id, result),
        Action::UploadProgress { key, sent, total } => {
            if !documents::on_form_upload_progress(app, &key, sent, total) {
                intake::on_upload_progress(app, &key, sent, total);
            }
            vec![]
        }
        Action::Uploaded(id, result) if documents::is_form_request(app, id) => {
            documents::on_form_uploaded(app, id, result)
        }
        Action::Uploaded(id, result) => intake::on_uploaded(app, id, result),
        Action::StoreLoaded(id, result) => documents::on_store(app, id, result),
        Action::Digitized(id, result) => documents::on_digitized(app, id, result),
        Action::Scanned(result) => documents::on_scanned(app, result),
        Action::DossierCreated(id, result) => intake::on_dossier_created(app, id, result),
        Action::PaidCash(id, result) | Action::PaymentLoaded(id, result)
            if is_dialog_payment(app, id) =>
        {
            on_dialog_payment(app, id, result)
        }
        Action::PaidCash(id, result) => intake::on_payment(app, id, result, true),
        Action::PaymentLoaded(id, result) => intake::on_payment(app, id, result, false),
        Action::DraftFound(draft) => {
            // Its submission went while the draft was being read (a restart's race): done.
            let sent = app.delivered.iter().find_map(|(key, what)| match what {
                Delivered::Dossier(d) if *key == draft.key => Some(d.clone()),
                _ => None,
            });
            if let Some(dossier) = sent {
                return match app.intake.is_blank() {
                    true => intake::finish_draft(app, *draft, *dossier),
                    false => vec![],
                };
            }
            // Offered, not forced: the officer may have started something else.
            if app.intake.is_blank() {
                app.draft_offer = Some(*draft);
                let text = tr(app.lang, "toast.draft_found").to_owned();
                toast(app, ToastKind::Info, text);
            }
            vec![]
        }
        Action::PaperDone(id, result) => forms::on_paper_done(app, id, result),
        Action::CitizensDraftFound(draft) => citizens::on_draft_found(app, *draft),
        Action::CertifyDraftFound(draft) => certify::on_draft_found(app, *draft),
        Action::Printed(result) => {
            match result {
                Ok(command) => {
                    let text = trf(app.lang, "toast.printed", &[("command", &command)]);
                    toast(app, ToastKind::Success, text);
                }
                Err(problem) => {
                    let lang = app.lang;
                    let problem = match problem {
                        PrintProblem::NoCommand => tr(lang, "print.no_command").to_owned(),
                        PrintProblem::Refused { command, said } => trf(
                            lang,
                            "print.refused",
                            &[("command", &command), ("said", &said)],
                        ),
                        PrintProblem::Broken(kind) => io_text(lang, kind),
                    };
                    let text = trf(lang, "error.print", &[("problem", &problem)]);
                    toast(app, ToastKind::Error, text);
                }
            }
            vec![]
        }
        Action::Queued(id) => outbox::on_queued(app, id),
        Action::SentLater { key, sent } => outbox::on_sent_later(app, &key, *sent),
        Action::SendFailed { label, message } => outbox::on_send_failed(app, &label, &message),
        Action::OutboxDiskFailed { path, problem } => outbox::on_disk_failed(app, &path, &problem),
        Action::OutboxSetAside { n, path } => {
            let text = trf(
                app.lang,
                "outbox.old_writes",
                &[("n", &n.to_string()), ("path", &path.display().to_string())],
            );
            toast(app, ToastKind::Error, text);
            vec![]
        }
        Action::FileChecked { doc, path, size } => intake::on_file_checked(app, doc, path, size),
        Action::PathCompleted { typed, completed } => {
            if documents::on_path_completed(app, &typed, &completed) {
                return vec![];
            }
            intake::on_path_completed(app, &typed, completed)
        }
        Action::OutboxCount {
            queued,
            dead,
            retry_in,
        } => outbox::on_count(app, queued, dead, retry_in),
        Action::Saved(result) => {
            match result {
                Ok(path) => {
                    let text = trf(
                        app.lang,
                        "toast.saved",
                        &[("path", &path.display().to_string())],
                    );
                    toast(app, ToastKind::Success, text);
                }
                Err(kind) => {
                    let problem = io_text(app.lang, kind);
                    let text = trf(app.lang, "error.save", &[("problem", &problem)]);
                    toast(app, ToastKind::Error, text);
                }
            }
            vec![]
        }
    }
}

// ---------------------------------------------------------------------------------------
// Requests

fn request(app: &mut App, purpose: Purpose) -> RequestId {
    let id = app.next_request;
    app.next_request += 1;
    app.pending.insert(id, Pending { purpose, ticks: 0 });
    id
}

fn pending_for(app: &App, purpose: Purpose) -> bool {
    app.pending.values().any(|p| p.purpose == purpose)
}

/// Cancels the newest request the user is waiting for (Esc).
fn cancel_newest(app: &mut App) -> Option<Effect> {
    let id = app
        .pending
        .iter()
        .rev()
        .find(|(_, p)| !p.purpose.is_background())
        .map(|(id, _)| *id)?;
    app.pending.remove(&id);
    app.attachments.transfers.progress.remove(&id);
    certify::on_cancelled(app, id);
    if app.login.pending == Some(id) {
        app.login.pending = None;
    }
    if let Some(Overlay::Dialog(d)) = app.overlay.as_mut()
        && d.pending == Some(id)
    {
        d.pending = None;
        d.confirming = false;
    }
    if app.intake.pending == Some(id) {
        app.intake.pending = None;
    }
    if let Some((_, code)) = app.lookup_pending.take_if(|(at, _)| *at == id)
        && field_text(&app.lookup).is_empty()
    {
        // Not searched: the code comes back to the field.
        app.lookup.insert_str(&code);
    }
    if let Some(form) = app
        .intake
        .new_citizen
        .as_mut()
        .filter(|f| f.pending == Some(id))
    {
        form.pending = None;
    }
    if app.citizens.pending == Some(id) {
        app.citizens.pending = None;
    }
    if let Some(form) = app.citizens.form.as_mut().filter(|f| f.pending == Some(id)) {
        form.pending = None;
    }
    if app.pick_when_loaded {
        app.pick_when_loaded = false;
        app.loading_procedure = None;
    }
    toast(
        app,
        ToastKind::Info,
        tr(app.lang, "toast.cancelled").to_owned(),
    );
    Some(Effect::Cancel(id))
}

/// A failure the user must see; 401 turns into the re-login prompt.
fn fail(app: &mut App, failure: Failure) -> Vec<Effect> {
    match failure {
        Failure::Unauthorized(_) => expire(app),
        other => {
            let text = failure_text(app.lang, &other);
            toast(app, ToastKind::Error, text);
            vec![]
        }
    }
}

pub fn failure_text(lang: Lang, failure: &Failure) -> String {
    match failure {
        Failure::Offline(m) | Failure::Unauthorized(m) | Failure::Other(m) => m.clone(),
        Failure::Refused {
            message, fields, ..
        } => {
            // The portal's message already says what each field's says (a rule broken by
            // one field is the message): say it once. A field it does not cover is named
            // as the official knows it, never by the request's name for it.
            let more: Vec<String> = fields
                .iter()
                .filter(|(_, said)| !said.trim().is_empty() && !message.contains(said.trim()))
                .map(|(name, said)| match field_label(lang, name) {
                    Some(label) => format!("{label}: {said}"),
                    None => said.clone(),
                })
                .collect();
            if more.is_empty() {
                message.clone()
            } else {
                format!("{message} ({})", more.join("; "))
            }
        }
        Failure::Conflict(_) => tr(lang, "error.conflict").to_owned(),
        Failure::Exists { message, .. } => message.clone(),
    }
}

/// Why a file could not be read or written, in the official's language: the system says
/// it in English.
pub fn io_text(lang: Lang, kind: std::io::ErrorKind) -> String {
    use std::io::ErrorKind as K;
    let key = match kind {
        K::NotFound => "io.not_found",
        K::PermissionDenied => "io.permission_denied",
        K::AlreadyExists => "io.already_exists",
        K::IsADirectory => "io.is_a_directory",
        K::NotADirectory => "io.not_a_directory",
        K::StorageFull | K::QuotaExceeded => "io.full",
        K::ReadOnlyFilesystem => "io.read_only",
        other => return trf(lang, "io.other", &[("kind", &other.to_string())]),
    };
    tr(lang, key).to_owned()
}

/// What the screen calls a field the portal names in a refusal, if it is one the
/// official fills in (an action's inputs, a citizen account's fields).
fn field_label(lang: Lang, wire: &str) -> Option<String> {
    use crate::tui::intake::CitizenField;
    const INPUTS: [Input; 9] = [
        Input::Reason,
        Input::MissingDocuments,
        Input::Assignee,
        Input::Amount,
        Input::Verdict,
        Input::Summary,
        Input::NewDueAt,
        Input::Delivery,
        Input::Recipient,
    ];
    if let Some(input) = INPUTS.iter().find(|i| i.field() == wire) {
        let label = input.label(lang);
        let mut chars = label.chars();
        return chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect());
    }
    CitizenField::ALL
        .iter()
        .find(|f| f.wire_name() == wire)
        .map(|f| tr(lang, f.label_key()).to_owned())
}

/// The session ended: ask for the password again over the current screen.
fn expire(app: &mut App) -> Vec<Effect> {
    if app.screen == Screen::Main && !app.relogin {
        app.relogin = true;
        app.login.focus = LoginField::Password;
        app.login.password = LoginForm::new().password;
        app.login.error = Some(tr(app.lang, "login.expired").to_owned());
    }
    vec![]
}

pub fn toast(app: &mut App, kind: ToastKind, text: String) {
    app.toasts.retain(|t| t.text != text);
    app.toasts.push_back(Toast {
        kind,
        text,
        ttl: TOAST_TTL,
    });
    while app.toasts.len() > 3 {
        app.toasts.pop_front();
    }
}
