//! Training mode: reading the sandbox's journal, judging the exercises, the `:exercises`
//! screen (hints, the levels quiz, the citizen's activation), mistakes caught.

use super::*;
use crate::api::citizens::ActivateRequest;
use crate::api::error::ErrorCode;
use crate::api::training::Journal;
use crate::training::exercises::{EXERCISES, ExerciseId, Saved, Tracker, exercise};
use crate::tui::training::{ActivationField, ActivationForm, ExercisesView};

/// Seconds between two reads of the journal: a task done shows as done within this.
pub const JOURNAL_EVERY: u32 = 2;
use crate::client::JOURNAL_PAGE;

/// After a login on a training portal: read what this machine kept, then the journal.
pub(super) fn on_training_loaded(app: &mut App, saved: Saved) -> Vec<Effect> {
    if !app.training() || app.screen != Screen::Main {
        return vec![];
    }
    app.exercises = Some(Tracker::new(saved));
    app.journal_in = JOURNAL_EVERY;
    app.journal_catching_up = true;
    let id = request(app, Purpose::Journal);
    vec![Effect::LoadJournal { id, after: 0 }]
}

/// Once a second: read the journal again every [`JOURNAL_EVERY`] seconds.
pub(super) fn journal_tick(app: &mut App) -> Vec<Effect> {
    let Some(after) = app.exercises.as_ref().map(|t| t.last_id) else {
        return vec![];
    };
    if pending_for(app, Purpose::Journal) {
        return vec![];
    }
    app.journal_in = app.journal_in.saturating_sub(1);
    if app.journal_in > 0 {
        return vec![];
    }
    app.journal_in = JOURNAL_EVERY;
    let id = request(app, Purpose::Journal);
    vec![Effect::LoadJournal { id, after }]
}

/// Reads the journal at the next tick (after the trainee did something).
pub(super) fn soon(app: &mut App) {
    if app.exercises.is_some() {
        app.journal_in = app.journal_in.min(1);
    }
}

pub(super) fn on_journal(
    app: &mut App,
    id: RequestId,
    result: Result<Journal, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    let lang = app.lang;
    let journal = match result {
        Ok(journal) => journal,
        // A portal without a journal is no sandbox: no exercises there.
        Err(Failure::Refused { code, .. })
            if ErrorCode::from_wire(&code) == Some(ErrorCode::NotFound) =>
        {
            app.exercises = None;
            return vec![];
        }
        // Background: the next tick tries again; the poll reports the link.
        Err(_) => return vec![],
    };
    let Some(tracker) = app.exercises.as_mut() else {
        return vec![];
    };
    let mistakes_before = tracker.mistake_count();
    let mut done = Vec::new();
    for entry in &journal.entries {
        done.extend(tracker.observe(entry, lang));
    }
    let new_mistakes = tracker.mistake_count() - mistakes_before;
    let more = journal.entries.len() >= JOURNAL_PAGE;
    if app.journal_catching_up {
        // What the journal held before this login was announced when it happened.
        app.journal_catching_up = more;
        return more_journal(app, more, journal.last_id);
    }
    let texts: Vec<String> = done
        .iter()
        .map(|id| done_text(tracker, *id, lang))
        .collect();
    for text in texts {
        toast(app, ToastKind::Success, text);
    }
    if new_mistakes > 0 {
        let text = trf(
            lang,
            "training.mistake",
            &[("n", &new_mistakes.to_string())],
        );
        toast(app, ToastKind::Info, text);
    }
    more_journal(app, more, journal.last_id)
}

/// "✓ Exercise n done: … (+points) — total": one announcement for every way one ends.
fn done_text(t: &Tracker, id: ExerciseId, lang: Lang) -> String {
    trf(
        lang,
        "training.done",
        &[
            ("n", &crate::training::exercises::number(id).to_string()),
            ("title", exercise(id).words(lang).title),
            ("points", &t.points(id).to_string()),
            ("score", &t.score().to_string()),
            ("max", &Tracker::max_score().to_string()),
        ],
    )
}

/// A full page means more entries wait: read on at once.
fn more_journal(app: &mut App, more: bool, after: i64) -> Vec<Effect> {
    if !more {
        return vec![];
    }
    let id = request(app, Purpose::Journal);
    vec![Effect::LoadJournal { id, after }]
}

fn save(app: &App) -> Vec<Effect> {
    app.exercises
        .as_ref()
        .map(|t| vec![Effect::SaveTraining(t.saved.clone())])
        .unwrap_or_default()
}

/// Training mode, after every action: a VietQR code the screen now shows whole (the view
/// would draw it at this size, nothing over it) is told to the sandbox, once. Only such
/// a code counts for the exercise and is paid by the simulated bank: a window too small
/// for it shows a line asking for a bigger one, and no citizen could scan that.
pub(super) fn tell_vietqr_shown(app: &mut App) -> Vec<Effect> {
    if !app.training() {
        return vec![];
    }
    let Some(code) = crate::tui::view::vietqr_on_screen(app) else {
        return vec![];
    };
    if !app.vietqr_told.insert(code.clone()) {
        return vec![];
    }
    soon(app);
    vec![Effect::TellVietQrShown { code }]
}

/// A mistake the app stopped before the portal saw it (an action without its reason):
/// in training it is noted, with the rule's message, under the exercise that practises
/// `step`, and costs a point.
pub(super) fn caught(app: &mut App, step: Step, message: &str) -> Vec<Effect> {
    let Some(tracker) = app.exercises.as_mut() else {
        return vec![];
    };
    tracker.caught(
        crate::training::exercises::exercise_of(step),
        message.to_owned(),
    );
    let text = trf(app.lang, "training.mistake", &[("n", "1")]);
    toast(app, ToastKind::Info, text);
    save(app)
}

/// `:exercises`: the list, opened on the first exercise not done.
pub(super) fn open_exercises(app: &mut App) -> Vec<Effect> {
    match &app.exercises {
        Some(tracker) => {
            let view = ExercisesView::new(tracker.current());
            app.overlay = Some(Overlay::Exercises(Box::new(view)));
        }
        None => {
            let text = tr(app.lang, "training.not_training").to_owned();
            toast(app, ToastKind::Error, text);
        }
    }
    vec![]
}

/// `:hint`: the current exercise's hint, on the exercises screen.
pub(super) fn hint_command(app: &mut App) -> Vec<Effect> {
    let effects = open_exercises(app);
    if let Some(Overlay::Exercises(view)) = app.overlay.as_ref() {
        let id = view.exercise();
        // Everything done: there is nothing to hint at, and a hint would cost points.
        if let Some(t) = app.exercises.as_mut().filter(|t| !t.is_done(id)) {
            t.hint(id);
            return save(app);
        }
    }
    effects
}

pub(super) fn exercises_key(
    app: &mut App,
    mut view: Box<ExercisesView>,
    key: KeyInput,
) -> Vec<Effect> {
    use KeyInput::Command as K;
    if let Some(form) = view.activation.as_mut() {
        let effects = activation_key(app, form, key);
        if matches!(key, K(Command::Close | Command::Cancel)) {
            view.activation = None;
        }
        app.overlay = Some(Overlay::Exercises(view));
        return effects;
    }
    let id = view.exercise();
    let mut effects = vec![];
    match key {
        K(Command::Close) => return vec![],
        K(Command::Up) => {
            view.selected = view.selected.saturating_sub(1);
            view.verdict = None;
        }
        K(Command::Down) => {
            view.selected = (view.selected + 1).min(EXERCISES.len() - 1);
            view.verdict = None;
        }
        K(Command::ShowHint) => {
            if let Some(t) = app.exercises.as_mut()
                && !t.is_done(id)
            {
                t.hint(id);
                effects = save(app);
            }
        }
        K(Command::PlayCitizen) if id == ExerciseId::Account => {
            let number = app
                .exercises
                .as_ref()
                .and_then(|t| t.last_created_citizen().map(str::to_owned));
            view.activation = Some(ActivationForm::new(number.as_deref()));
        }
        K(c @ (Command::Answer1 | Command::Answer2 | Command::Answer3))
            if id == ExerciseId::Levels =>
        {
            let choice = match c {
                Command::Answer1 => 0,
                Command::Answer2 => 1,
                _ => 2,
            };
            let lang = app.lang;
            let Some(t) = app.exercises.as_mut().filter(|t| t.question().is_some()) else {
                app.overlay = Some(Overlay::Exercises(view));
                return vec![];
            };
            let outcome = t.answer(choice, lang);
            let finished = matches!(outcome, Ok(true));
            view.verdict = Some(match outcome {
                Ok(true) => (true, tr(lang, "training.quiz.finished").to_owned()),
                Ok(false) => (true, tr(lang, "training.quiz.right").to_owned()),
                Err(why) => (false, why),
            });
            if finished {
                let text = done_text(t, ExerciseId::Levels, lang);
                toast(app, ToastKind::Success, text);
            }
            effects = save(app);
        }
        _ => {}
    }
    app.overlay = Some(Overlay::Exercises(view));
    effects
}

fn activation_key(app: &mut App, form: &mut ActivationForm, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    if let Some(id) = form.pending {
        if !matches!(key, K(Command::Cancel)) {
            return vec![];
        }
        // Esc gives up waiting: the late answer is dropped, the form closes.
        app.pending.remove(&id);
        form.pending = None;
        return vec![Effect::Cancel(id)];
    }
    match key {
        K(Command::NextField) => {
            form.next(true);
            vec![]
        }
        K(Command::PrevField) => {
            form.next(false);
            vec![]
        }
        K(Command::Confirm) => {
            if form.focus != ActivationField::Password {
                form.next(true);
                return vec![];
            }
            let request = ActivateRequest {
                id_number: field_text(&form.number).trim().to_owned(),
                code: field_text(&form.code).trim().to_owned(),
                new_password: field_text(&form.password),
            };
            if request.id_number.is_empty() || request.code.is_empty() {
                form.error = Some(tr(app.lang, "training.activation.missing").to_owned());
                return vec![];
            }
            form.error = None;
            let id = request_id(app);
            form.pending = Some(id);
            vec![Effect::ActivateAccount { id, request }]
        }
        KeyInput::Text(key) => {
            edit(form.field_mut(), key);
            vec![]
        }
        K(_) => vec![],
    }
}

/// The activation is the citizen's request, not the officer's: it gets an id (so a late
/// answer is matched) under the citizens' purpose.
fn request_id(app: &mut App) -> RequestId {
    request(app, Purpose::Citizens)
}

pub(super) fn on_activated(
    app: &mut App,
    id: RequestId,
    result: Result<(), Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    let Some(Overlay::Exercises(view)) = app.overlay.as_mut() else {
        return vec![];
    };
    let Some(form) = view.activation.as_mut().filter(|f| f.pending == Some(id)) else {
        return vec![];
    };
    form.pending = None;
    match result {
        Ok(()) => {
            view.activation = None;
            let text = tr(app.lang, "training.activation.done").to_owned();
            toast(app, ToastKind::Success, text);
            soon(app);
        }
        Err(failure) => form.error = Some(failure_text(app.lang, &failure)),
    }
    vec![]
}
