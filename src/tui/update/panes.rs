//! What the keyboard reaches now: the keymap context of the pane, wizard step or overlay
//! on screen, and which of its commands are enabled. Keys resolve against this, and the
//! hint bar and the help overlay list it, so they show only keys that work there.

use super::*;
use crate::api::dossiers::PaymentStatus;
use crate::tui::intake::{ApplicantRow, PayChoice, ReviewRow, WizardStep};
use crate::tui::keymap::Context;

/// The context of the keyboard now (`None` is not expected: every screen has one).
pub fn key_context(app: &App) -> Option<Context> {
    // Asked before leaving: over anything, the re-login box included.
    if let Some(Overlay::Leave(_)) = &app.overlay {
        return Some(Context::Leave);
    }
    if app.screen == Screen::Login || app.relogin {
        return Some(Context::Login);
    }
    if let Some(overlay) = &app.overlay {
        return match overlay {
            Overlay::Help(_) => Some(Context::Help),
            Overlay::Leave(_) => Some(Context::Leave),
            Overlay::CommandLine(_) => Some(Context::CommandLine),
            Overlay::Actions(_)
            | Overlay::Forms(_)
            | Overlay::Attachments(_)
            | Overlay::OpenAttachment(_) => Some(Context::Menu),
            Overlay::Viewer(_) => Some(Context::Viewer),
            Overlay::DeadLetters(_) => Some(Context::DeadLetters),
            Overlay::Form(v) if v.save_to.is_some() => Some(Context::Prompt),
            Overlay::Form(_) => Some(Context::FormView),
            Overlay::Download(_) => Some(Context::Prompt),
            Overlay::Payment(_) => Some(Context::Payment),
            // The satisfaction screen takes the dialog's keys: choices, a field, Enter.
            Overlay::Dialog(_) | Overlay::Rating(_) => Some(Context::Dialog),
            Overlay::Exercises(v) if v.activation.is_some() => Some(Context::Activation),
            Overlay::Exercises(_) => Some(Context::Exercises),
            Overlay::Digitize(_) => Some(Context::DigitizeForm),
        };
    }
    Some(match app.tab {
        Tab::Inbox if app.inbox.filtering => Context::Filter,
        Tab::Inbox if app.inbox.detail.is_some() => Context::Detail,
        Tab::Inbox => Context::Inbox,
        Tab::Lookup => Context::Lookup,
        Tab::Stats => Context::Stats,
        Tab::Intake => intake_context(app),
        Tab::Citizens if app.citizens.form.is_some() || app.citizens.reset.is_some() => {
            Context::CitizenForm
        }
        Tab::Citizens if app.citizens.detail.is_some() => Context::CitizenRecord,
        Tab::Citizens => Context::Citizens,
        Tab::Certify if app.certify.in_book => Context::CertifyBook,
        Tab::Certify => Context::Certify,
    })
}

fn intake_context(app: &App) -> Context {
    let w = &app.intake;
    if app.draft_offer.is_some() {
        return Context::DraftOffer;
    }
    match w.step {
        WizardStep::Procedure if w.choosing_case.is_some() => Context::CasePicker,
        WizardStep::Procedure => Context::Procedure,
        WizardStep::Applicant if w.new_citizen.is_some() => Context::CitizenForm,
        WizardStep::Applicant => Context::Applicant,
        WizardStep::Documents if w.attach.is_some() => Context::AttachPath,
        WizardStep::Documents => Context::Documents,
        WizardStep::Delivery if w.on_address => Context::DeliveryAddress,
        WizardStep::Delivery => Context::Delivery,
        WizardStep::Review => Context::Review,
        WizardStep::Done => Context::Done,
    }
}

/// The commands that do something in `context` now, global ones included.
pub fn enabled_commands(app: &App) -> Vec<Command> {
    use Command as C;
    let Some(context) = key_context(app) else {
        return vec![];
    };
    let busy = app.busy();
    let mut on = match context {
        Context::Global | Context::Help => vec![],
        Context::Stats => vec![C::ExportRegister, C::Up, C::Down, C::ToggleCounts],
        Context::Leave => vec![C::Leave, C::Stay],
        Context::Inbox => vec![
            C::Filter,
            C::Up,
            C::Down,
            C::PageUp,
            C::PageDown,
            C::Top,
            C::Bottom,
            C::Open,
            C::NextQueue,
            C::PrevQueue,
            C::Actions,
            C::Form,
        ],
        Context::Filter => vec![
            C::KeepFilter,
            C::ClearFilter,
            C::NextQueue,
            C::PrevQueue,
            C::Up,
            C::Down,
        ],
        Context::Detail => {
            let mut on = vec![
                C::Back,
                C::Up,
                C::Down,
                C::PageUp,
                C::PageDown,
                C::Actions,
                C::Form,
                C::Download,
                C::View,
                C::OpenExternal,
                C::Notices,
            ];
            if may_pay(app) {
                on.push(C::Pay);
            }
            if super::documents::may_digitize(app) {
                on.push(C::Digitize);
            }
            on
        }
        Context::Lookup => vec![C::Open, C::Back],
        Context::DraftOffer => vec![C::Resume, C::Discard, C::Back],
        Context::Procedure => vec![
            C::Up,
            C::Down,
            C::PageUp,
            C::PageDown,
            C::Choose,
            C::FieldFilter,
            C::LevelFilter,
            C::Back,
        ],
        Context::CasePicker => vec![C::Up, C::Down, C::Choose, C::Back],
        Context::Applicant if app.intake.presented.as_ref().is_some_and(|p| !p.confirmed) => {
            // The date-of-birth check: Enter confirms, Esc gives up.
            vec![C::Lookup, C::Back]
        }
        Context::Applicant => {
            let w = &app.intake;
            let row = w.applicant_row;
            let mut on = vec![C::NextField, C::PrevField, C::Back];
            if row == ApplicantRow::Lookup && !w.matches.is_empty() {
                on.extend([C::Up, C::Down]);
            }
            if row == ApplicantRow::Relation {
                on.extend([C::Toggle, C::PrevChoice, C::NextChoice]);
            }
            on.push(if row == ApplicantRow::Lookup {
                C::Lookup
            } else {
                C::NextStep
            });
            on
        }
        Context::CitizenForm => {
            let on_gender = app
                .intake
                .new_citizen
                .as_ref()
                .filter(|_| app.tab == Tab::Intake)
                .or(app
                    .citizens
                    .form
                    .as_ref()
                    .filter(|_| app.tab == Tab::Citizens))
                .is_some_and(|f| f.focused() == crate::tui::intake::CitizenField::Gender);
            let mut on = vec![C::NextField, C::PrevField, C::Create, C::Back];
            if on_gender {
                on.extend([C::Toggle, C::PrevChoice, C::NextChoice]);
            }
            on
        }
        Context::Documents => {
            let mut on = vec![C::Up, C::Down, C::NextStep, C::Back];
            if !app.intake.docs.is_empty() {
                on.extend([C::Paper, C::Attach]);
            }
            let at = app.intake.doc_selected;
            if app.intake.docs.get(at).is_some_and(|d| d.file.is_some()) {
                on.push(C::Detach);
            }
            if !app.intake.docs.is_empty() {
                on.push(C::Digitize);
            }
            if super::documents::offers_here(app) {
                on.push(C::Reuse);
            }
            on
        }
        Context::AttachPath => vec![C::Complete, C::Upload, C::Back],
        Context::Delivery => {
            let mut on = vec![C::PrevChoice, C::NextChoice, C::NextStep, C::Back];
            if app.intake.delivery == crate::domain::workflow::DeliveryMethod::Postal {
                on.push(C::Address);
            }
            on
        }
        Context::DeliveryAddress => vec![C::PrevField, C::NextStep, C::Back],
        Context::Review => {
            let mut on = vec![C::NextField, C::PrevField, C::Submit, C::Back];
            match app.intake.review_row {
                ReviewRow::Payment => on.extend([C::PrevChoice, C::NextChoice]),
                ReviewRow::Declaration => on.push(C::Tick),
                _ => {}
            }
            on
        }
        Context::Done => {
            let w = &app.intake;
            let mut on = vec![
                C::Receipt,
                C::Print,
                C::Save,
                C::NewDossier,
                C::Open,
                C::Back,
            ];
            if !w.paid && w.pay == PayChoice::Cash {
                on.push(C::RetryCash);
            }
            on
        }
        Context::Citizens => {
            let mut on = vec![C::Lookup, C::NewCitizen, C::Back];
            if !app.citizens.results.is_empty() {
                on.extend([C::Up, C::Down]);
            }
            on
        }
        Context::CitizenRecord => {
            let mut on = vec![C::Reissue, C::Back];
            if app
                .citizens
                .detail
                .as_ref()
                .is_some_and(|d| !d.dossiers.is_empty())
            {
                on.extend([C::Up, C::Down, C::Open]);
            }
            on
        }
        Context::FormView => {
            let mut on = vec![C::Up, C::Down, C::PageUp, C::PageDown, C::Close];
            if matches!(&app.overlay, Some(Overlay::Form(v)) if v.text.is_some()) {
                on.extend([C::Save, C::Print]);
            }
            on
        }
        Context::Menu => vec![C::Up, C::Down, C::Choose, C::Close],
        Context::Viewer => super::viewer::enabled(app),
        Context::DeadLetters => vec![C::Up, C::Down, C::Choose, C::Discard, C::Close],
        Context::Prompt => vec![C::Confirm, C::Close],
        Context::CommandLine => vec![C::Confirm, C::Complete, C::Close],
        Context::Payment => {
            let mut on = vec![C::PrevChoice, C::NextChoice, C::Close];
            if matches!(&app.overlay, Some(Overlay::Payment(p)) if p.pending.is_none() && p.payment.is_none())
            {
                on.push(C::Confirm);
            }
            on
        }
        Context::Dialog => {
            if let Some(Overlay::Rating(s)) = &app.overlay {
                return if s.pending.is_some() {
                    vec![C::Cancel]
                } else if s.on_comment {
                    vec![
                        C::Confirm,
                        C::Close,
                        C::NextField,
                        C::PrevField,
                        C::ClearField,
                    ]
                } else {
                    vec![
                        C::PrevChoice,
                        C::NextChoice,
                        C::Confirm,
                        C::Close,
                        C::NextField,
                        C::PrevField,
                    ]
                };
            }
            let Some(Overlay::Dialog(d)) = &app.overlay else {
                return vec![];
            };
            if d.pending.is_some() {
                vec![C::Cancel]
            } else if d.confirming {
                let mut on = vec![C::Confirm];
                on.push(if d.fields.is_empty() {
                    C::Close
                } else {
                    C::Back
                });
                on
            } else {
                let mut on = vec![C::Confirm, C::Close];
                if !d.fields.is_empty() {
                    on.extend([C::NextField, C::PrevField]);
                }
                if d.fields.get(d.focus).is_some_and(|f| !f.choices.is_empty()) {
                    on.extend([C::PrevChoice, C::NextChoice]);
                }
                on
            }
        }
        Context::Exercises => {
            let Some(Overlay::Exercises(view)) = &app.overlay else {
                return vec![];
            };
            let id = view.exercise();
            let mut on = vec![C::Up, C::Down, C::Close];
            if app.exercises.as_ref().is_some_and(|t| !t.is_done(id)) {
                on.push(C::ShowHint);
            }
            if id == crate::training::exercises::ExerciseId::Account {
                on.push(C::PlayCitizen);
            }
            if id == crate::training::exercises::ExerciseId::Levels
                && app
                    .exercises
                    .as_ref()
                    .is_some_and(|t| t.question().is_some())
            {
                on.extend([C::Answer1, C::Answer2, C::Answer3]);
            }
            on
        }
        Context::Activation => {
            let pending = matches!(&app.overlay, Some(Overlay::Exercises(v))
                if v.activation.as_ref().is_some_and(|f| f.pending.is_some()));
            if pending {
                vec![C::Cancel]
            } else {
                vec![C::NextField, C::PrevField, C::Confirm, C::Close]
            }
        }
        Context::DigitizeForm => super::documents::form_commands(app),
        Context::Certify => {
            use crate::tui::certify::{Field, Stage};
            let e = &app.certify.entry;
            let mut on = vec![C::Book, C::Back];
            match e.stage {
                Stage::Editing => {
                    on.extend([C::Confirm, C::NextField, C::PrevField]);
                    if e.focus == Field::Kind {
                        on.extend([C::PrevChoice, C::NextChoice]);
                    }
                    on.push(C::NewEntry);
                }
                Stage::Confirm => on.extend([
                    C::Confirm,
                    C::NextChoice,
                    C::PrevChoice,
                    C::NextField,
                    C::NewEntry,
                ]),
                Stage::Sending { .. } | Stage::Transfer { .. } => {}
                Stage::Done(_) => on.extend([C::Confirm, C::Print, C::NewEntry]),
            }
            on
        }
        Context::CertifyBook => {
            let mut on = vec![C::Open, C::Book, C::Back];
            if !app.certify.book.entries.is_empty() {
                on.extend([C::Up, C::Down, C::PageUp, C::PageDown]);
            }
            on
        }
        Context::Login => {
            let mut on = vec![C::NextField, C::PrevField, C::LogIn];
            if app.login.focus == LoginField::Profile {
                on.extend([C::PrevChoice, C::NextChoice]);
            }
            if app.login.pending.is_some() {
                on.push(C::Cancel);
            }
            on
        }
    };
    if context == Context::Inbox && !app.inbox.filter_text().is_empty() {
        // An applied filter: Esc takes it off, as it does while it is typed.
        on.push(C::ClearFilter);
    }
    if text_focused(app) {
        on.push(C::ClearField);
    }
    if busy {
        // Esc stops the request first; going back (or taking a filter off) waits until
        // nothing is on its way.
        on.retain(|c| !matches!(c, C::Back | C::ClearFilter));
    }
    if context.inherits_global() {
        on.extend([
            C::Help,
            C::CommandLine,
            C::Quit,
            C::Tab1,
            C::Tab2,
            C::Tab3,
            C::Tab4,
            C::Tab5,
            C::Tab6,
            C::Refresh,
            C::Logout,
        ]);
        if busy {
            on.push(C::Cancel);
        }
    }
    // A citizen account being typed: its draft would bring it back at the next login,
    // but a logout in the middle of a citizen at the counter is a slip of the fingers,
    // so Ctrl-L waits until the form is sent or closed.
    if app.citizens.form.is_some() {
        on.retain(|c| *c != C::Logout);
    }
    on
}

/// A text field has the keyboard now: `clear_field` (Ctrl-U) empties it, and the help
/// says so only where that holds.
fn text_focused(app: &App) -> bool {
    use crate::tui::intake::CitizenField;
    let Some(context) = key_context(app) else {
        return false;
    };
    match context {
        Context::Login => app.login.focus != LoginField::Profile,
        Context::Filter
        | Context::Lookup
        | Context::Procedure
        | Context::AttachPath
        | Context::DeliveryAddress
        | Context::Citizens
        | Context::Prompt
        | Context::CommandLine => true,
        Context::Applicant => {
            let w = &app.intake;
            w.presented.as_ref().is_some_and(|p| !p.confirmed)
                || w.applicant_row != ApplicantRow::Relation
        }
        Context::CitizenForm => {
            let form = match app.tab {
                Tab::Intake => app.intake.new_citizen.as_ref(),
                _ => app.citizens.form.as_ref(),
            };
            match form {
                Some(f) => f.focused() != CitizenField::Gender,
                // The citizens pane's other form: the card checked before a reset.
                None => app.citizens.reset.is_some(),
            }
        }
        Context::Review => {
            // The row the keys reach: the one chosen, if the case still has it.
            let rows = app.intake.review_rows(crate::tui::update::chosen_case(app));
            let row = rows
                .iter()
                .find(|r| **r == app.intake.review_row)
                .or(rows.last());
            matches!(
                row,
                Some(ReviewRow::Pages | ReviewRow::Copies | ReviewRow::Receipt)
            )
        }
        Context::Payment => matches!(&app.overlay, Some(Overlay::Payment(p))
            if p.choice == PayChoice::Cash && p.pending.is_none() && p.payment.is_none()),
        Context::Dialog => match &app.overlay {
            Some(Overlay::Dialog(d)) => {
                !d.confirming
                    && d.pending.is_none()
                    && d.fields.get(d.focus).is_some_and(|f| f.choices.is_empty())
            }
            Some(Overlay::Rating(s)) => s.on_comment && s.pending.is_none(),
            _ => false,
        },
        Context::Activation => matches!(&app.overlay, Some(Overlay::Exercises(v))
            if v.activation.as_ref().is_some_and(|f| f.pending.is_none())),
        Context::DigitizeForm => matches!(&app.overlay, Some(Overlay::Digitize(f))
            if f.pending.is_none() && f.row.is_text()),
        Context::Certify => {
            let e = &app.certify.entry;
            e.stage == crate::tui::certify::Stage::Editing
                && e.focus != crate::tui::certify::Field::Kind
        }
        Context::CertifyBook => true,
        _ => false,
    }
}

/// The open dossier owes a fee and this official takes payments at the desk.
pub fn may_pay(app: &App) -> bool {
    let reception = app.me.as_ref().is_some_and(|m| m.role == Role::Reception);
    let unpaid = app
        .inbox
        .detail
        .as_ref()
        .and_then(|d| d.dossier.as_deref())
        .is_some_and(|d| d.fee.amount > 0 && d.fee.status == PaymentStatus::Unpaid);
    reception && unpaid
}
