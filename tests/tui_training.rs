//! Training mode at the `update`/`render` level: the saved progress read after a training
//! login, the sandbox's journal read every two ticks and judged, the `:exercises` screen
//! (the levels quiz, hints, the citizen's activation form), mistakes caught in an action
//! dialog, and TestBackend + insta snapshots of the exercises screen and the banner, at
//! 80×24 and 120×36, in Vietnamese and English.
//!
//! No terminal, no network: the portal's answers are fed as actions. Update the
//! snapshots after a deliberate change with
//! `INSTA_UPDATE=always cargo test --test tui_training` and review the diff.

mod common;

use common::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::api::auth::LoginResponse;
use motcua::api::citizens::ActivateRequest;
use motcua::api::training::{AuditEvent, Journal, JournalEntry};
use motcua::domain::workflow::{Action as Step, Input, Refusal};
use motcua::domain::{Lang, RuleError};
use motcua::training::exercises::{
    Caught, EXERCISES, ExerciseId, HINT_COST, MISTAKE_COST, POINTS, QUIZ, Saved, Tracker,
};
use motcua::tui::action::{Action, Effect, Snapshot};
use motcua::tui::state::*;
use motcua::tui::training::{ActivationField, ActivationForm, ExercisesView};
use motcua::tui::update::update;
use std::collections::{BTreeMap, BTreeSet};

const SIZE: (u16, u16) = (120, 36);
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 36)];

/// Ticks between two reads of the journal (`JOURNAL_EVERY` of the TUI's training update,
/// a private module): a task done shows as done within this.
const JOURNAL_EVERY: u32 = 2;

/// The citizen the trainee creates an account for in the journal fixtures.
const NEW_CITIZEN: &str = "083095000999";
/// An online dossier of the journal fixtures.
const ONLINE: &str = "000.01.27.H07-261124-0002";

// ---------------------------------------------------------------------------------------
// Driving the app

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn shift_tab() -> Action {
    Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT))
}

fn type_in(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(app, ch(c))).collect()
}

/// Runs a `:` command.
fn command(app: &mut App, text: &str) -> Vec<Effect> {
    assert!(update(app, ch(':')).is_empty());
    assert!(type_in(app, text).is_empty());
    update(app, key(KeyCode::Enter))
}

fn tick(app: &mut App) -> Vec<Effect> {
    update(app, Action::Tick(now()))
}

/// The journal reads among `effects`: (request, after).
fn journal_reads(effects: &[Effect]) -> Vec<(RequestId, i64)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadJournal { id, after } => Some((*id, *after)),
            _ => None,
        })
        .collect()
}

fn saves(effects: &[Effect]) -> Vec<&Saved> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SaveTraining(saved) => Some(saved),
            _ => None,
        })
        .collect()
}

fn journal_pending(app: &App) -> usize {
    app.pending
        .values()
        .filter(|p| p.purpose == Purpose::Journal)
        .count()
}

/// Logs in through the form on a profile that is (or is not) a training one, as a user
/// the portal says is (or is not) a trainee; answers the inbox and the stats. Returns
/// the effects the login asked for.
fn login(lang: Lang, profile_training: bool, me_training: bool) -> (App, Vec<Effect>) {
    let mut app = app(lang, profile_training, SIZE);
    type_in(&mut app, "tiepnhan1");
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "Motcua-demo-2026");
    let id = match &update(&mut app, key(KeyCode::Enter))[..] {
        [Effect::Login { id, .. }] => *id,
        other => panic!("expected a login, got {other:?}"),
    };
    let response = LoginResponse {
        token: "t".into(),
        expires_at: "2026-11-24T22:00:00+07:00".into(),
        idle_timeout_s: 1800,
        user: me(me_training),
    };
    let effects = update(&mut app, Action::LoggedIn(id, Ok(response)));
    for effect in &effects {
        match effect {
            Effect::LoadInbox(id) => {
                let snapshot = Snapshot::whole(summaries(), 10);
                update(&mut app, Action::InboxLoaded(*id, Ok(snapshot)));
            }
            Effect::LoadStats(id) => {
                update(&mut app, Action::StatsLoaded(*id, Ok(stats())));
            }
            _ => {}
        }
    }
    (app, effects)
}

/// A trainee logged in whose machine kept `saved`, with the first (empty) journal read.
fn trainee_with(lang: Lang, size: (u16, u16), saved: Saved) -> App {
    let mut app = logged_in(lang, true, size);
    let reads = journal_reads(&update(&mut app, Action::TrainingLoaded(saved)));
    let [(id, 0)] = reads[..] else {
        panic!("expected the journal from the start, got {reads:?}")
    };
    update(&mut app, Action::JournalLoaded(id, Ok(Journal::default())));
    app
}

fn trainee(lang: Lang) -> App {
    trainee_with(lang, SIZE, Saved::default())
}

/// What the machine keeps once the levels quiz is done.
fn quiz_done() -> Saved {
    Saved {
        quiz_right: QUIZ.len(),
        ..Saved::default()
    }
}

/// Ticks until the app reads the journal, then answers with `entries`. Returns the
/// effects of the answer.
fn feed(app: &mut App, entries: Vec<JournalEntry>) -> Vec<Effect> {
    let mut read = None;
    for _ in 0..=JOURNAL_EVERY {
        if let Some(r) = journal_reads(&tick(app)).first() {
            read = Some(*r);
            break;
        }
    }
    let (id, after) = read.expect("the journal is read within JOURNAL_EVERY ticks");
    let last_id = entries.last().map_or(after, |e| e.id);
    update(
        app,
        Action::JournalLoaded(id, Ok(Journal { entries, last_id })),
    )
}

fn tracker(app: &App) -> &Tracker {
    app.exercises.as_ref().expect("training is on")
}

fn view(app: &App) -> &ExercisesView {
    match &app.overlay {
        Some(Overlay::Exercises(view)) => view,
        other => panic!("the exercises are not open: {other:?}"),
    }
}

fn form(app: &App) -> &ActivationForm {
    view(app).activation.as_ref().expect("the activation form")
}

fn last_toast(app: &App) -> &Toast {
    app.toasts.back().expect("a toast")
}

// ---------------------------------------------------------------------------------------
// Journal fixtures

fn entry(id: i64, event: &str, role: &str) -> JournalEntry {
    JournalEntry {
        id,
        at: "2026-11-24T09:59:00+07:00".into(),
        event: AuditEvent::from_wire(event),
        username: Some("tiepnhan1".into()),
        role: Some(motcua::domain::workflow::Role::from_wire(role).expect("a role's wire name")),
        ..JournalEntry::default()
    }
}

fn transition(id: i64, role: &str, action: &str, code: &str, channel: &str) -> JournalEntry {
    JournalEntry {
        detail: Some(action.into()),
        dossier_code: Some(code.into()),
        channel: Some(channel.into()),
        ..entry(id, "transition", role)
    }
}

fn refused(id: i64, role: &str, action: &str, rule: &str, code: &str) -> JournalEntry {
    JournalEntry {
        detail: Some(action.into()),
        reason: Some(rule.into()),
        dossier_code: Some(code.into()),
        ..entry(id, "action_refused", role)
    }
}

fn citizen_created(id: i64, number: &str) -> JournalEntry {
    JournalEntry {
        citizen_number: Some(number.into()),
        ..entry(id, "citizen_created", "reception")
    }
}

/// One way to do every exercise but the quiz (which is answered, not journaled).
fn every_task(from: i64) -> Vec<JournalEntry> {
    let paid = |id, role: &str, detail: &str, code: &str| JournalEntry {
        detail: Some(detail.into()),
        dossier_code: Some(code.into()),
        ..entry(id, "payment_recorded", role)
    };
    let mut entries = vec![
        transition(0, "reception", "receive", "O", "online"),
        transition(0, "reception", "forward", "O", "online"),
        JournalEntry {
            dossier_code: Some("D".into()),
            channel: Some("desk".into()),
            ..entry(0, "dossier_created", "reception")
        },
        transition(0, "reception", "request_supplement", "S", "desk"),
        transition(0, "leader", "extend", "E", "desk"),
        transition(0, "leader", "approve", "A", "desk"),
        transition(0, "reception", "return_result", "A", "desk"),
        citizen_created(0, NEW_CITIZEN),
        JournalEntry {
            citizen_number: Some(NEW_CITIZEN.into()),
            username: Some(NEW_CITIZEN.into()),
            ..entry(0, "citizen_activated", "citizen")
        },
        paid(0, "reception", "cash 8000", "C"),
        JournalEntry {
            dossier_code: Some("Q".into()),
            ..entry(0, "payment_qr_shown", "reception")
        },
        paid(0, "system", "vietqr 8000", "Q"),
        JournalEntry {
            dossier_code: Some("D".into()),
            detail: Some("giay_to_tuy_than".into()),
            ..entry(0, "document_digitized", "reception")
        },
        JournalEntry {
            dossier_code: Some("R".into()),
            detail: Some("giay_to_tuy_than".into()),
            ..entry(0, "document_reused", "reception")
        },
        // The handover is the return above; the citizen's rating at the desk.
        JournalEntry {
            dossier_code: Some("A".into()),
            detail: Some("very_satisfied".into()),
            reason: Some("desk".into()),
            ..entry(0, "rating_recorded", "reception")
        },
        // A birth registration on the citizen pages, then received at the desk.
        JournalEntry {
            dossier_code: Some("W".into()),
            channel: Some("online".into()),
            detail: Some("pages 1.001193".into()),
            ..entry(0, "dossier_created", "citizen")
        },
        transition(0, "reception", "receive", "W", "online"),
        // Three copies of a five-page document, the fee taken in cash.
        JournalEntry {
            detail: Some("copy 01/2026-SCT/BS số 12".into()),
            reason: Some("cash 21000".into()),
            pages: Some(5),
            copies: Some(3),
            ..entry(0, "certification_recorded", "reception")
        },
    ];
    // A dossier taken in with the link down arrives, then is forwarded.
    entries.push(JournalEntry {
        dossier_code: Some("F".into()),
        detail: Some("2026-11-30T08:40:00+07:00".into()),
        ..entry(0, "offline_intake_arrived", "reception")
    });
    entries.push(transition(0, "reception", "forward", "F", "desk"));
    for (i, e) in entries.iter_mut().enumerate() {
        e.id = from + i as i64;
    }
    entries
}

// ---------------------------------------------------------------------------------------
// Login and the saved progress

#[test]
fn a_training_login_asks_for_the_saved_progress() {
    let asks = |effects: &[Effect]| effects.contains(&Effect::LoadTraining);
    // The profile says so (`motcua training`)…
    let (app, effects) = login(Lang::Vi, true, false);
    assert!(app.training() && asks(&effects), "{effects:?}");
    // …or the portal does.
    let (app, effects) = login(Lang::Vi, false, true);
    assert!(app.training() && asks(&effects), "{effects:?}");
    let (app, effects) = login(Lang::Vi, false, false);
    assert!(!app.training() && !asks(&effects), "{effects:?}");
    // Nothing is read before the saved progress: the tracker does not exist yet.
    assert!(app.exercises.is_none());
}

#[test]
fn the_saved_progress_starts_the_tracker_and_the_journal_from_the_start() {
    let (mut app, _) = login(Lang::Vi, false, true);
    let saved = Saved {
        hints: BTreeSet::from([ExerciseId::Extension]),
        ..quiz_done()
    };
    let effects = update(&mut app, Action::TrainingLoaded(saved.clone()));
    let [Effect::LoadJournal { id, after: 0 }] = effects[..] else {
        panic!("expected one journal read from the start, got {effects:?}")
    };
    assert_eq!(app.pending[&id].purpose, Purpose::Journal);
    let t = tracker(&app);
    assert_eq!(t.saved, saved);
    assert_eq!(t.last_id, 0);
    assert!(t.is_done(ExerciseId::Levels), "the quiz was done last time");
    assert_eq!(t.current(), Some(ExerciseId::OnlineIntake));
}

#[test]
fn the_saved_progress_does_nothing_outside_training_or_before_the_login() {
    let (mut app, _) = login(Lang::Vi, false, false);
    assert!(update(&mut app, Action::TrainingLoaded(quiz_done())).is_empty());
    assert!(app.exercises.is_none());
    assert!(app.pending.values().all(|p| p.purpose != Purpose::Journal));
    // A late answer after a logout: the login screen has no exercises.
    let mut on_login = common::tui::app(Lang::Vi, true, SIZE);
    assert!(update(&mut on_login, Action::TrainingLoaded(quiz_done())).is_empty());
    assert!(on_login.exercises.is_none());
}

// ---------------------------------------------------------------------------------------
// Reading the journal

#[test]
fn the_journal_is_read_every_two_ticks_after_the_last_entry_one_read_at_a_time() {
    let mut app = logged_in(Lang::Vi, true, SIZE);
    let reads = journal_reads(&update(&mut app, Action::TrainingLoaded(Saved::default())));
    let [(first, 0)] = reads[..] else {
        panic!("{reads:?}")
    };
    // While the first read is out, ticks ask for nothing more.
    for _ in 0..5 {
        assert!(journal_reads(&tick(&mut app)).is_empty());
        assert_eq!(journal_pending(&app), 1);
    }
    let entries = vec![
        entry(1, "activation_issued", "reception"),
        entry(2, "access_refused", "citizen"),
        transition(3, "citizen", "submit", ONLINE, "online"),
    ];
    let effects = update(
        &mut app,
        Action::JournalLoaded(
            first,
            Ok(Journal {
                entries,
                last_id: 3,
            }),
        ),
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(tracker(&app).last_id, 3);
    assert_eq!(journal_pending(&app), 0);
    // Every JOURNAL_EVERY ticks, after the last entry seen.
    for round in 0..3 {
        for _ in 1..JOURNAL_EVERY {
            assert!(journal_reads(&tick(&mut app)).is_empty(), "round {round}");
        }
        let reads = journal_reads(&tick(&mut app));
        let [(id, 3)] = reads[..] else {
            panic!("round {round}: {reads:?}")
        };
        // Not again while this one is out.
        for _ in 0..2 * JOURNAL_EVERY {
            assert!(journal_reads(&tick(&mut app)).is_empty());
        }
        assert_eq!(journal_pending(&app), 1);
        // A failed read is tried again at the next turn, from the same place.
        let answer = if round == 1 {
            Err(Failure::Offline("Không kết nối được".into()))
        } else {
            Ok(Journal {
                entries: vec![],
                last_id: 3,
            })
        };
        assert!(update(&mut app, Action::JournalLoaded(id, answer)).is_empty());
        assert!(app.exercises.is_some());
    }
}

#[test]
fn the_journal_goes_on_at_once_when_a_page_is_full() {
    let mut app = trainee(Lang::Vi);
    let entries: Vec<JournalEntry> = (1..=200)
        .map(|id| entry(id, "activation_issued", "reception"))
        .collect();
    let effects = feed(&mut app, entries);
    let [(_, 200)] = journal_reads(&effects)[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(journal_pending(&app), 1);
}

#[test]
fn receiving_then_forwarding_an_online_dossier_completes_exercise_2() {
    let mut app = trainee_with(Lang::Vi, SIZE, quiz_done());
    let effects = feed(
        &mut app,
        vec![transition(1, "reception", "receive", ONLINE, "online")],
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert!(tracker(&app).step_done(ExerciseId::OnlineIntake, 0));
    assert!(!tracker(&app).is_done(ExerciseId::OnlineIntake));
    assert!(app.toasts.iter().all(|t| t.kind != ToastKind::Success));

    feed(
        &mut app,
        vec![transition(2, "reception", "forward", ONLINE, "online")],
    );
    let t = tracker(&app);
    assert!(t.is_done(ExerciseId::OnlineIntake));
    assert_eq!(t.current(), Some(ExerciseId::DeskIntake));
    assert_eq!(t.score(), 2 * POINTS);
    let toast = last_toast(&app);
    assert_eq!(toast.kind, ToastKind::Success);
    assert_eq!(
        toast.text,
        "✓ Hoàn thành bài 2: Tiếp nhận và xử lý hồ sơ nộp trực tuyến (+10 điểm) — tổng 20/150"
    );
}

#[test]
fn a_completed_exercise_is_announced_in_english_too() {
    let mut app = trainee(Lang::En);
    feed(
        &mut app,
        vec![
            transition(1, "reception", "receive", ONLINE, "online"),
            transition(2, "reception", "forward", ONLINE, "online"),
        ],
    );
    assert_eq!(
        last_toast(&app).text,
        "✓ Exercise 2 done: Receiving and processing dossiers submitted online (+10 points) — \
         total 10/150"
    );
}

#[test]
fn an_action_the_portal_refused_a_trainee_is_a_mistake() {
    let mut app = trainee(Lang::Vi);
    feed(
        &mut app,
        vec![refused(1, "leader", "extend", "extension_too_late", ONLINE)],
    );
    let t = tracker(&app);
    assert_eq!(t.mistake_count(), 1);
    let text = t.last_mistake().unwrap();
    assert!(text.contains(ONLINE) && text.contains("Gia hạn"), "{text}");
    let toast = last_toast(&app);
    assert_eq!(toast.kind, ToastKind::Info);
    assert_eq!(
        toast.text,
        "Bài tập: ghi nhận 1 lỗi (−1 điểm mỗi lỗi). Xem :baitap"
    );
    // What a simulated citizen had refused is not the trainee's mistake.
    let toasts = app.toasts.len();
    feed(
        &mut app,
        vec![refused(
            2,
            "citizen",
            "withdraw",
            "invalid_transition",
            ONLINE,
        )],
    );
    assert_eq!(tracker(&app).mistake_count(), 1);
    assert_eq!(app.toasts.len(), toasts);
    // Two in one read: one toast with the count.
    feed(
        &mut app,
        vec![
            refused(3, "reception", "refuse", "validation_failed", ONLINE),
            refused(4, "specialist", "propose", "forbidden_action", ONLINE),
        ],
    );
    assert_eq!(tracker(&app).mistake_count(), 3);
    assert!(last_toast(&app).text.contains("ghi nhận 2 lỗi"));
}

#[test]
fn a_portal_without_a_journal_turns_training_off() {
    let mut app = trainee(Lang::Vi);
    // Another refusal is a bad moment, not the end of the exercises.
    let read = |app: &mut App| {
        (0..=JOURNAL_EVERY)
            .find_map(|_| journal_reads(&tick(app)).first().copied())
            .expect("a journal read")
    };
    let (id, _) = read(&mut app);
    let refusal = |code: &str| Failure::Refused {
        code: code.into(),
        message: "…".into(),
        fields: BTreeMap::new(),
    };
    update(
        &mut app,
        Action::JournalLoaded(id, Err(refusal("forbidden"))),
    );
    assert!(app.exercises.is_some());
    let (id, _) = read(&mut app);
    assert!(
        update(
            &mut app,
            Action::JournalLoaded(id, Err(refusal("not_found")))
        )
        .is_empty()
    );
    assert!(app.exercises.is_none());
    for _ in 0..3 * JOURNAL_EVERY {
        assert!(journal_reads(&tick(&mut app)).is_empty());
    }
    command(&mut app, "baitap");
    assert!(app.overlay.is_none());
    assert_eq!(last_toast(&app).kind, ToastKind::Error);
}

#[test]
fn a_late_journal_answer_is_ignored() {
    let mut app = trainee(Lang::Vi);
    let before = tracker(&app).last_id;
    // An id the app never asked with (or already answered).
    let effects = update(
        &mut app,
        Action::JournalLoaded(
            9_999,
            Ok(Journal {
                entries: vec![refused(
                    7,
                    "reception",
                    "refuse",
                    "validation_failed",
                    ONLINE,
                )],
                last_id: 7,
            }),
        ),
    );
    assert!(effects.is_empty());
    assert_eq!(tracker(&app).last_id, before);
    assert_eq!(tracker(&app).mistake_count(), 0);
}

// ---------------------------------------------------------------------------------------
// The exercises screen

#[test]
fn exercises_opens_on_the_first_exercise_not_done() {
    let mut app = trainee_with(Lang::Vi, SIZE, quiz_done());
    assert!(command(&mut app, "baitap").is_empty());
    assert_eq!(view(&app).exercise(), ExerciseId::OnlineIntake);
    assert_eq!(view(&app).selected, 1);
    assert!(view(&app).verdict.is_none() && view(&app).activation.is_none());
    // Esc and q close it.
    update(&mut app, key(KeyCode::Esc));
    assert!(app.overlay.is_none());
    assert!(command(&mut app, "exercises").is_empty());
    assert_eq!(view(&app).exercise(), ExerciseId::OnlineIntake);
    // ↑/↓ (and k/j) move, within the list.
    update(&mut app, key(KeyCode::Up));
    update(&mut app, ch('k'));
    assert_eq!(view(&app).selected, 0);
    for _ in 0..EXERCISES.len() + 2 {
        update(&mut app, ch('j'));
    }
    assert_eq!(view(&app).exercise(), ExerciseId::Outage);
    update(&mut app, ch('q'));
    assert!(app.overlay.is_none());
}

#[test]
fn exercises_outside_training_say_so() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    assert!(command(&mut app, "baitap").is_empty());
    assert!(app.overlay.is_none());
    let toast = last_toast(&app);
    assert_eq!(toast.kind, ToastKind::Error);
    assert_eq!(
        toast.text,
        "Bài tập chỉ có khi đăng nhập cổng đào tạo (motcua training)."
    );
    let mut app = logged_in(Lang::En, false, SIZE);
    command(&mut app, "exercises");
    assert!(app.overlay.is_none());
    assert_eq!(
        last_toast(&app).text,
        "Exercises exist only when logged into a training portal (motcua training)."
    );
}

#[test]
fn a_wrong_quiz_answer_shows_the_right_one_and_costs_a_point() {
    let mut app = trainee(Lang::Vi);
    command(&mut app, "baitap");
    assert_eq!(view(&app).exercise(), ExerciseId::Levels);
    let q = &QUIZ[0];
    let wrong = (q.right + 1) % 3;
    let effects = update(&mut app, ch(char::from(b'1' + wrong as u8)));
    let (ok, text) = view(&app).verdict.clone().expect("a verdict");
    assert!(!ok);
    let right_text = q.vi.1[q.right];
    assert!(text.contains(right_text), "{text}");
    assert!(text.contains(q.vi.0), "{text}");
    let t = tracker(&app);
    assert_eq!(t.mistake_count(), 1);
    assert_eq!(t.saved.quiz_right, 0, "still on the first question");
    assert_eq!(t.last_mistake(), Some(text.as_str()));
    // Kept on this machine, mistake and all.
    assert_eq!(effects, vec![Effect::SaveTraining(t.saved.clone())]);
    assert_eq!(
        t.saved.caught,
        vec![Caught {
            exercise: Some(ExerciseId::Levels),
            message: text.clone()
        }]
    );
    assert!(!t.is_done(ExerciseId::Levels));
    // Moving in the list forgets the verdict.
    update(&mut app, ch('j'));
    update(&mut app, ch('k'));
    assert!(view(&app).verdict.is_none());
}

#[test]
fn the_four_right_answers_finish_the_levels_exercise() {
    let mut app = trainee(Lang::Vi);
    command(&mut app, "baitap");
    let answers: Vec<char> = QUIZ
        .iter()
        .map(|q| char::from(b'1' + q.right as u8))
        .collect();
    assert_eq!(answers, ['1', '2', '3', '2']);
    for (i, c) in answers.into_iter().enumerate() {
        let effects = update(&mut app, ch(c));
        let t = tracker(&app);
        assert_eq!(t.saved.quiz_right, i + 1);
        assert_eq!(effects, vec![Effect::SaveTraining(t.saved.clone())]);
        let (ok, _) = view(&app).verdict.clone().unwrap();
        assert!(ok, "answer {c} is right");
        assert_eq!(t.is_done(ExerciseId::Levels), i + 1 == QUIZ.len());
    }
    let t = tracker(&app);
    assert_eq!(t.mistake_count(), 0);
    assert_eq!(t.points(ExerciseId::Levels), POINTS);
    assert_eq!(
        view(&app).verdict,
        Some((true, "Đã trả lời đúng cả bốn câu.".to_owned()))
    );
    let toast = last_toast(&app);
    assert_eq!(toast.kind, ToastKind::Success);
    assert_eq!(
        toast.text,
        "✓ Hoàn thành bài 1: Bốn mức độ dịch vụ công trực tuyến (+10 điểm) — tổng 10/150"
    );
    // The quiz is over: more digits change nothing.
    assert!(update(&mut app, ch('1')).is_empty());
    assert_eq!(tracker(&app).mistake_count(), 0);
}

#[test]
fn digits_answer_only_on_the_quiz() {
    let mut app = trainee(Lang::Vi);
    command(&mut app, "baitap");
    update(&mut app, ch('j'));
    assert!(update(&mut app, ch('2')).is_empty());
    assert!(view(&app).verdict.is_none());
    assert_eq!(tracker(&app).mistake_count(), 0);
    assert_eq!(tracker(&app).saved.quiz_right, 0);
}

#[test]
fn h_shows_a_hint_which_costs_the_exercise_once_done() {
    let mut app = trainee_with(Lang::Vi, SIZE, quiz_done());
    command(&mut app, "baitap");
    assert_eq!(view(&app).exercise(), ExerciseId::OnlineIntake);
    let effects = update(&mut app, ch('h'));
    let t = tracker(&app);
    assert_eq!(t.saved.hints, BTreeSet::from([ExerciseId::OnlineIntake]));
    assert_eq!(effects, vec![Effect::SaveTraining(t.saved.clone())]);
    // A hint on an exercise already done costs nothing and is not recorded.
    update(&mut app, ch('k'));
    assert_eq!(view(&app).exercise(), ExerciseId::Levels);
    assert!(update(&mut app, ch('h')).is_empty());
    assert_eq!(tracker(&app).points(ExerciseId::Levels), POINTS);
    assert!(!tracker(&app).saved.hints.contains(&ExerciseId::Levels));
    update(&mut app, key(KeyCode::Esc));

    feed(
        &mut app,
        vec![
            transition(1, "reception", "receive", ONLINE, "online"),
            transition(2, "reception", "forward", ONLINE, "online"),
        ],
    );
    let t = tracker(&app);
    assert_eq!(t.points(ExerciseId::OnlineIntake), POINTS - HINT_COST);
    assert_eq!(t.score(), 2 * POINTS - HINT_COST);
    assert!(
        last_toast(&app).text.contains("(+7 điểm) — tổng 17/150"),
        "{}",
        last_toast(&app).text
    );
}

#[test]
fn the_hint_command_shows_the_current_exercises_hint() {
    let mut app = trainee_with(Lang::Vi, SIZE, quiz_done());
    let effects = command(&mut app, "hint");
    assert_eq!(view(&app).exercise(), ExerciseId::OnlineIntake);
    let t = tracker(&app);
    assert_eq!(t.saved.hints, BTreeSet::from([ExerciseId::OnlineIntake]));
    assert_eq!(effects, vec![Effect::SaveTraining(t.saved.clone())]);
    update(&mut app, key(KeyCode::Esc));
    // :goiy is the same command.
    let mut app = trainee(Lang::Vi);
    let effects = command(&mut app, "goiy");
    assert_eq!(view(&app).exercise(), ExerciseId::Levels);
    assert_eq!(saves(&effects).len(), 1);
    assert!(tracker(&app).saved.hints.contains(&ExerciseId::Levels));
    // Outside training: the error, nothing kept.
    let mut app = logged_in(Lang::Vi, false, SIZE);
    assert!(command(&mut app, "hint").is_empty());
    assert!(app.overlay.is_none());
    assert_eq!(last_toast(&app).kind, ToastKind::Error);
}

/// `:hint` once every exercise is done opens the list (on exercise 1: there is no current
/// one) and records no hint: nothing is lost after the fact, as `h` on a done exercise.
#[test]
fn the_hint_command_costs_nothing_once_everything_is_done() {
    let mut app = trainee_with(Lang::Vi, SIZE, quiz_done());
    feed(&mut app, every_task(1));
    assert_eq!(tracker(&app).current(), None);
    assert_eq!(tracker(&app).score(), Tracker::max_score());
    command(&mut app, "hint");
    assert!(!tracker(&app).saved.hints.contains(&ExerciseId::Levels));
    assert_eq!(tracker(&app).score(), Tracker::max_score());
}

#[test]
fn every_task_done_reaches_the_full_score() {
    // The fixture the test above relies on, checked on its own.
    let mut app = trainee_with(Lang::Vi, SIZE, quiz_done());
    feed(&mut app, every_task(1));
    let t = tracker(&app);
    assert_eq!(t.done_count(), EXERCISES.len());
    assert_eq!(t.score(), Tracker::max_score());
    assert!(
        t.current().is_none(),
        "{:?}",
        EXERCISES
            .iter()
            .filter(|e| !t.is_done(e.id))
            .map(|e| e.id)
            .collect::<Vec<_>>()
    );
}

// ---------------------------------------------------------------------------------------
// The citizen's activation

/// The exercises open on exercise 7 (the citizen's account).
fn on_account(app: &mut App) {
    command(app, "baitap");
    while view(app).exercise() != ExerciseId::Account {
        update(app, ch('j'));
    }
}

#[test]
fn c_opens_the_activation_with_the_number_just_created() {
    let mut app = trainee(Lang::Vi);
    feed(&mut app, vec![citizen_created(1, NEW_CITIZEN)]);
    assert!(tracker(&app).step_done(ExerciseId::Account, 0));
    on_account(&mut app);
    assert!(update(&mut app, ch('c')).is_empty());
    let f = form(&app);
    assert_eq!(field_text(&f.number), NEW_CITIZEN);
    assert_eq!(
        f.focus,
        ActivationField::Code,
        "the number is there already"
    );
    assert!(f.pending.is_none() && f.error.is_none());
    // Esc closes the form, not the list.
    update(&mut app, key(KeyCode::Esc));
    assert!(view(&app).activation.is_none());
    assert_eq!(view(&app).exercise(), ExerciseId::Account);
}

#[test]
fn c_opens_an_empty_activation_when_nobody_was_created() {
    let mut app = trainee(Lang::Vi);
    on_account(&mut app);
    update(&mut app, ch('c'));
    let f = form(&app);
    assert_eq!(field_text(&f.number), "");
    assert_eq!(f.focus, ActivationField::Number);
    // `c` elsewhere does nothing.
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, ch('k'));
    update(&mut app, ch('c'));
    assert!(view(&app).activation.is_none());
}

#[test]
fn the_activation_needs_the_number_and_the_code_then_sends_them() {
    let mut app = trainee(Lang::Vi);
    feed(&mut app, vec![citizen_created(1, NEW_CITIZEN)]);
    on_account(&mut app);
    update(&mut app, ch('c'));
    // Enter moves from the code to the password; Enter there sends, or says what lacks.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(form(&app).focus, ActivationField::Password);
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(
        form(&app).error.as_deref(),
        Some("Hãy nhập số định danh và mã kích hoạt in trên phiếu.")
    );
    assert!(form(&app).pending.is_none());
    // Keys typed in the form are text, not the list's commands.
    update(&mut app, shift_tab());
    assert_eq!(form(&app).focus, ActivationField::Code);
    type_in(&mut app, " k7q2-9xpm ");
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "Mật-khẩu-mới1");
    assert_eq!(view(&app).exercise(), ExerciseId::Account);
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::ActivateAccount { id, ref request }] = effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(
        *request,
        ActivateRequest {
            id_number: NEW_CITIZEN.into(),
            code: "k7q2-9xpm".into(),
            new_password: "Mật-khẩu-mới1".into(),
        }
    );
    assert_eq!(form(&app).pending, Some(id));
    assert!(form(&app).error.is_none());
    // While it is out, nothing else is sent.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(form(&app).pending, Some(id));

    let effects = update(&mut app, Action::AccountActivated(id, Ok(())));
    assert!(effects.is_empty());
    assert!(view(&app).activation.is_none());
    let toast = last_toast(&app);
    assert_eq!(toast.kind, ToastKind::Success);
    assert_eq!(toast.text, "Công dân đã kích hoạt tài khoản.");
    // The journal is read at the next tick, to tick the step off.
    let reads = journal_reads(&tick(&mut app));
    assert_eq!(reads.len(), 1, "{reads:?}");
}

/// Esc gives up waiting for a slow activation: the request is cancelled, the form closes,
/// and a late answer changes nothing.
#[test]
fn esc_gives_up_a_pending_activation() {
    let mut app = trainee(Lang::Vi);
    feed(&mut app, vec![citizen_created(1, NEW_CITIZEN)]);
    on_account(&mut app);
    update(&mut app, ch('c'));
    type_in(&mut app, "k7q2-9xpm");
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, "Mật-khẩu-mới1");
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::ActivateAccount { id, .. }] = effects[..] else {
        panic!("{effects:?}")
    };
    let effects = update(&mut app, key(KeyCode::Esc));
    assert_eq!(effects, vec![Effect::Cancel(id)]);
    assert!(view(&app).activation.is_none());
    let toasts = app.toasts.len();
    assert!(update(&mut app, Action::AccountActivated(id, Ok(()))).is_empty());
    assert_eq!(app.toasts.len(), toasts, "a late answer is dropped");
}

/// The account exercise's hint names `c`, the key that opens the activation (`k` moves
/// the selection up), as the screen's key line and the "Press c…" line do.
#[test]
fn the_account_hint_names_the_key_that_opens_the_activation() {
    let mut app = trainee(Lang::Vi);
    on_account(&mut app);
    let hint = motcua::training::exercises::exercise(ExerciseId::Account)
        .vi
        .hint;
    // Do what the hint says.
    let key_named = hint
        .split("bấm ")
        .nth(1)
        .and_then(|rest| rest.chars().next())
        .expect("the hint names a key");
    update(&mut app, ch(key_named));
    assert!(view(&app).activation.is_some(), "{hint}");
}

#[test]
fn a_refused_activation_shows_the_portals_words_in_the_form() {
    let mut app = trainee(Lang::Vi);
    feed(&mut app, vec![citizen_created(1, NEW_CITIZEN)]);
    on_account(&mut app);
    update(&mut app, ch('c'));
    type_in(&mut app, "WRONG-CODE");
    update(&mut app, key(KeyCode::Enter));
    type_in(&mut app, "Mật-khẩu-mới1");
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::ActivateAccount { id, .. }] = effects[..] else {
        panic!("{effects:?}")
    };
    let message = "Mã kích hoạt không đúng hoặc đã hết hạn.";
    let effects = update(
        &mut app,
        Action::AccountActivated(
            id,
            Err(Failure::Refused {
                code: "activation_invalid".into(),
                message: message.into(),
                fields: BTreeMap::new(),
            }),
        ),
    );
    assert!(effects.is_empty());
    let f = form(&app);
    assert_eq!(f.error.as_deref(), Some(message));
    assert!(f.pending.is_none());
    assert_eq!(field_text(&f.code), "WRONG-CODE", "what was typed stays");
    // A second answer to the same request changes nothing.
    update(&mut app, Action::AccountActivated(id, Ok(())));
    assert!(view(&app).activation.is_some());
}

// ---------------------------------------------------------------------------------------
// Mistakes the app catches

/// Opens "Từ chối tiếp nhận" on the open dossier and presses Enter without a reason.
fn refuse_without_reason(app: &mut App) -> Vec<Effect> {
    open_detail(app);
    update(app, ch('a'));
    let Some(Overlay::Actions(menu)) = &app.overlay else {
        panic!("no action menu: {:?}", app.overlay)
    };
    let at = menu
        .items
        .iter()
        .position(|s| *s == Step::Refuse)
        .expect("refusing is offered");
    for _ in 0..at {
        update(app, key(KeyCode::Down));
    }
    update(app, key(KeyCode::Enter));
    update(app, key(KeyCode::Enter))
}

fn dialog_error(app: &App) -> Option<String> {
    match &app.overlay {
        Some(Overlay::Dialog(d)) => d.error.clone(),
        other => panic!("no dialog: {other:?}"),
    }
}

#[test]
fn an_action_without_its_reason_is_a_mistake_once_in_training() {
    let mut app = trainee(Lang::Vi);
    let rule = Refusal::MissingInput(Input::Reason).message(Lang::Vi);
    let effects = refuse_without_reason(&mut app);
    assert_eq!(dialog_error(&app).as_deref(), Some(rule.as_str()));
    let t = tracker(&app);
    assert_eq!(t.mistake_count(), 1);
    let mistake = t.last_mistake().unwrap();
    assert!(mistake.contains(&rule), "{mistake}");
    assert!(mistake.contains("Từ chối tiếp nhận"), "{mistake}");
    assert!(mistake.contains("000.01.27.H07-261124-0001"), "{mistake}");
    assert_eq!(effects, vec![Effect::SaveTraining(t.saved.clone())]);
    assert_eq!(
        t.saved.caught,
        vec![Caught {
            exercise: Some(ExerciseId::OnlineIntake),
            message: mistake.to_owned()
        }]
    );
    assert_eq!(t.score(), 0, "never below zero");
    assert_eq!(last_toast(&app).kind, ToastKind::Info);
    // Enter again on the same error: the same mistake, not a second one.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(dialog_error(&app).as_deref(), Some(rule.as_str()));
    assert_eq!(tracker(&app).mistake_count(), 1);
}

#[test]
fn an_action_without_its_reason_is_no_mistake_outside_training() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let effects = refuse_without_reason(&mut app);
    let rule = Refusal::MissingInput(Input::Reason).message(Lang::Vi);
    assert_eq!(dialog_error(&app).as_deref(), Some(rule.as_str()));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.exercises.is_none());
    assert!(app.toasts.iter().all(|t| t.kind != ToastKind::Info));
}

#[test]
fn an_action_done_reads_the_journal_at_the_next_tick() {
    let mut app = trainee(Lang::Vi);
    open_detail(&mut app);
    update(&mut app, ch('a'));
    // The first action offered on a dossier to receive: receiving it, no input.
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::Act { id, .. }] = effects[..] else {
        panic!("{effects:?}")
    };
    let mut received = dossier();
    received.status = motcua::domain::status::Status::Received;
    received.version = 4;
    update(&mut app, Action::Acted(id, Ok(received)));
    // Not JOURNAL_EVERY ticks later: at once, so the step shows as done.
    let reads = journal_reads(&tick(&mut app));
    assert_eq!(reads.len(), 1, "{reads:?}");
}

// ---------------------------------------------------------------------------------------
// Logout

#[test]
fn logout_forgets_the_exercises() {
    let mut app = trainee_with(Lang::Vi, SIZE, quiz_done());
    feed(
        &mut app,
        vec![transition(1, "reception", "receive", ONLINE, "online")],
    );
    command(&mut app, "baitap");
    update(&mut app, key(KeyCode::Esc));
    let effects = command(&mut app, "logout");
    assert!(effects.contains(&Effect::Logout), "{effects:?}");
    assert_eq!(app.screen, Screen::Login);
    assert!(app.exercises.is_none());
    assert!(app.overlay.is_none());
    // No journal read from the login screen.
    for _ in 0..3 * JOURNAL_EVERY {
        assert!(journal_reads(&tick(&mut app)).is_empty());
    }
}

// ---------------------------------------------------------------------------------------
// Snapshots

/// Exercise 1 done, exercise 2 half done with its hint shown, one mistake: score 9/150.
fn with_progress(lang: Lang, size: (u16, u16)) -> App {
    let saved = Saved {
        hints: BTreeSet::from([ExerciseId::OnlineIntake]),
        ..quiz_done()
    };
    let mut app = trainee_with(lang, size, saved);
    feed(
        &mut app,
        vec![
            transition(1, "reception", "receive", ONLINE, "online"),
            refused(2, "reception", "forward", "validation_failed", ONLINE),
        ],
    );
    let t = tracker(&app);
    assert_eq!(t.score(), POINTS - MISTAKE_COST);
    app.toasts.clear();
    app
}

#[test]
fn snapshot_exercises_with_progress() {
    snapshot_each!("exercises_progress", SIZES, None, |lang, size| {
        let mut app = with_progress(lang, size);
        command(&mut app, "baitap");
        assert_eq!(view(&app).exercise(), ExerciseId::OnlineIntake);
        app
    });
}

#[test]
fn snapshot_exercises_quiz_wrong_answer() {
    snapshot_each!("exercises_quiz_wrong", SIZES, None, |lang, size| {
        let mut app = trainee_with(lang, size, Saved::default());
        command(&mut app, "baitap");
        update(&mut app, ch('1'));
        update(&mut app, ch('1'));
        assert_eq!(view(&app).verdict.as_ref().map(|v| v.0), Some(false));
        app.toasts.clear();
        app
    });
}

#[test]
fn snapshot_exercises_activation_form() {
    snapshot_each!("exercises_activation", SIZES, None, |lang, size| {
        let mut app = trainee_with(lang, size, quiz_done());
        feed(&mut app, vec![citizen_created(1, NEW_CITIZEN)]);
        on_account(&mut app);
        update(&mut app, ch('c'));
        type_in(&mut app, "K7Q2-9XPM");
        update(&mut app, key(KeyCode::Tab));
        app.toasts.clear();
        app
    });
}

#[test]
fn snapshot_banner_with_progress() {
    snapshot_each!("banner_progress", SIZES, Some(2), with_progress);
}

/// What the screen shows, as text.
fn screen(app: &App, size: (u16, u16)) -> String {
    text(&draw(app, size), None)
}

#[test]
fn a_quiz_mistake_is_quoted_under_the_quiz_and_no_other_exercise() {
    let mut app = trainee_with(Lang::Vi, SIZE, Saved::default());
    command(&mut app, "baitap");
    let q = &QUIZ[0];
    update(&mut app, ch(char::from(b'1' + ((q.right + 1) % 3) as u8)));
    app.toasts.clear();
    // On the quiz the verdict says it; on exercise 2 nothing of it.
    update(&mut app, ch('j'));
    assert_eq!(view(&app).exercise(), ExerciseId::OnlineIntake);
    let two = screen(&app, SIZE);
    assert!(!two.contains("Lỗi gần nhất"), "{two}");
    assert!(!two.contains(q.vi.0), "{two}");
    // A refusal in exercise 2 is quoted there; the quiz keeps its own.
    feed(
        &mut app,
        vec![refused(
            1,
            "reception",
            "forward",
            "validation_failed",
            ONLINE,
        )],
    );
    app.toasts.clear();
    let two = screen(&app, SIZE);
    assert!(two.contains("Lỗi gần nhất: «Chuyển xử lý»"), "{two}");
    update(&mut app, ch('j'));
    let three = screen(&app, SIZE);
    assert!(!three.contains("Lỗi gần nhất"), "{three}");
    update(&mut app, ch('k'));
    update(&mut app, ch('k'));
    let quiz = screen(&app, SIZE);
    assert!(quiz.contains("Lỗi gần nhất: Chưa đúng"), "{quiz}");
}

/// The exercises screen on exercise 5, the extension.
fn on_extension(lang: Lang, size: (u16, u16)) -> App {
    let mut app = trainee_with(lang, size, quiz_done());
    command(&mut app, "baitap");
    while view(&app).exercise() != ExerciseId::Extension {
        update(&mut app, ch('j'));
    }
    app.toasts.clear();
    app
}

#[test]
fn exercise_5_says_how_to_prepare_before_its_steps() {
    for (lang, prepare, forward) in [
        (Lang::Vi, "Chuẩn bị:", "Chuyển xử lý"),
        (Lang::En, "Before you start:", "Forward for processing"),
    ] {
        for size in SIZES {
            let shown = screen(&on_extension(lang, size), size);
            let flat = shown.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(prepare), "{shown}");
            assert!(flat.contains(forward), "{shown}");
            // Before the step it prepares.
            let step = &EXERCISES[4].words(lang).steps[0];
            assert!(
                flat.find(prepare) < flat.find(step),
                "the preparation comes first: {shown}"
            );
        }
    }
}

#[test]
fn snapshot_exercise_5_with_its_preparation() {
    snapshot_each!("exercises_extension", SIZES, None, on_extension);
}

/// The exercises screen on exercise `id`, with its hint shown.
fn on_exercise(id: ExerciseId, lang: Lang, size: (u16, u16)) -> App {
    let mut app = trainee_with(lang, size, quiz_done());
    command(&mut app, "baitap");
    while view(&app).exercise() != id {
        update(&mut app, ch('j'));
    }
    update(&mut app, ch('h'));
    app.toasts.clear();
    app
}

/// Exercise 14, the certification.
fn on_certification(lang: Lang, size: (u16, u16)) -> App {
    on_exercise(ExerciseId::CertifyCopies, lang, size)
}

/// Exercise 15, the outage.
fn on_outage(lang: Lang, size: (u16, u16)) -> App {
    on_exercise(ExerciseId::Outage, lang, size)
}

#[test]
fn the_fifteen_exercises_list_whole_at_120x35_with_the_last_ones_hint() {
    let size = (120, 35);
    for lang in [Lang::Vi, Lang::En] {
        let shown = screen(&on_outage(lang, size), size);
        for (n, e) in EXERCISES.iter().enumerate() {
            let row = format!("{}. {}", n + 1, e.words(lang).title);
            assert!(shown.contains(&row), "{row}:\n{shown}");
        }
        let flat = shown.split_whitespace().collect::<Vec<_>>().join(" ");
        let words = EXERCISES[14].words(lang);
        for step in words.steps {
            assert!(flat.contains(step), "{step}:\n{shown}");
        }
        // The hint to its end: nothing cut off at the bottom.
        let end: Vec<&str> = words.hint.split_whitespace().collect();
        let end = end[end.len() - 4..].join(" ");
        assert!(flat.contains(&end), "{end}:\n{shown}");
    }
}

#[test]
fn snapshot_exercise_14_with_its_hint() {
    snapshot_each!(
        "exercises_certify",
        [(80, 24), (120, 35)],
        None,
        on_certification
    );
}

#[test]
fn snapshot_exercise_15_with_its_hint() {
    snapshot_each!("exercises_outage", [(80, 24), (120, 35)], None, on_outage);
}

/// Issue 19: `:offline` and `:online` cut and restore the sandbox's link, in training
/// only; coming back, the desk tries at once and renews its held numbers.
#[test]
fn offline_and_online_cut_the_sandbox_link_in_training_only() {
    let mut app = logged_in(Lang::Vi, true, SIZE);
    app.held_codes = Some(20);
    let effects = command(&mut app, "offline");
    assert_eq!(effects, vec![Effect::CutLink(true)]);
    assert!(
        !app.toasts
            .iter()
            .any(|t| t.text.contains("chưa giữ được số")),
        "numbers are held"
    );
    // The desk knows at once: the next intake is numbered from the held numbers.
    assert_eq!(app.link.state, motcua::tui::state::LinkState::Offline);
    let effects = command(&mut app, "online");
    assert!(effects.contains(&Effect::CutLink(false)), "{effects:?}");
    assert!(effects.contains(&Effect::KeepCodes), "{effects:?}");
    assert_eq!(app.poll_in, 0);
    // Cut before the desk held a number (straight after login): said, and cut all the
    // same.
    let mut app = logged_in(Lang::Vi, true, SIZE);
    app.held_codes = None;
    assert_eq!(command(&mut app, "offline"), vec![Effect::CutLink(true)]);
    let warned = app
        .toasts
        .iter()
        .find(|t| t.text.contains("Máy chưa giữ được số hồ sơ nào"))
        .expect("the trainee is told no number is held");
    assert_eq!(warned.kind, ToastKind::Error);
    assert!(warned.text.contains(":online"), "{}", warned.text);
    // A real desk's link is not the app's to cut.
    let mut app = logged_in(Lang::Vi, false, SIZE);
    assert!(command(&mut app, "offline").is_empty());
    let said: Vec<&str> = app.toasts.iter().map(|t| t.text.as_str()).collect();
    assert!(
        said.iter().any(|t| t.contains("hộp cát đào tạo")),
        "{said:?}"
    );
}

/// Issue 19: `:logout wipe` wipes the desk's copies kept for an outage before the
/// session ends; a plain `:logout` keeps them, and staying at the prompt forgets the ask.
#[test]
fn logout_wipe_wipes_the_copies_kept_for_an_outage() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    assert_eq!(command(&mut app, "logout"), vec![Effect::Logout]);
    let mut app = logged_in(Lang::Vi, false, SIZE);
    assert_eq!(
        command(&mut app, "logout wipe"),
        vec![Effect::WipeOffline, Effect::Logout]
    );
    // With something left behind, the prompt comes first; Esc stays and forgets it.
    let mut app = logged_in(Lang::Vi, false, SIZE);
    app.outbox = 1;
    assert!(command(&mut app, "logout xoa").is_empty());
    update(&mut app, key(KeyCode::Esc));
    assert!(!app.wipe_at_logout);
}
