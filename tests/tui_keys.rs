//! Issue 14, tried as a new user would: one key clears any field, the lookup takes the
//! code the citizen holds, messages say the right thing once, defaults are safe.
//! `update()` fed directly (no IO), and TestBackend + insta snapshots of the screens
//! that changed, at 80×24 and 120×40 in Vietnamese and English. Update the snapshots
//! after a deliberate change with `INSTA_UPDATE=always cargo test --test tui_keys` and
//! review the diff.

mod common;

use common::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use motcua::api::dossiers::{Dossier, PaymentStatus};
use motcua::client::ClientError;
use motcua::domain::Lang;
use motcua::domain::status::Status;
use motcua::domain::workflow::{Action as Step, Role};
use motcua::tui::action::{Action, Effect, PrintProblem};
use motcua::tui::intake::{
    ApplicantRow, CitizenForm, DocState, FileState, PresentedCheck, ResetPrompt, ReviewRow,
    WizardStep,
};
use motcua::tui::keymap::{Command, Keymap};
use motcua::tui::state::*;
use motcua::tui::update::{enabled_commands, failure_text, update};
use std::collections::BTreeMap;

const SIZE: (u16, u16) = (120, 40);
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn press(code: KeyCode, modifiers: KeyModifiers) -> Action {
    Action::Key(KeyEvent::new(code, modifiers))
}

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Action {
    press(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn alt(c: char) -> Action {
    press(KeyCode::Char(c), KeyModifiers::ALT)
}

/// Typed key by key, as a person (or an input method) types: the text area's undo took
/// those back one at a time.
fn type_in(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(app, ch(c))).collect()
}

fn detail_id(effects: &[Effect]) -> (RequestId, String) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadDetail { id, code } => Some((*id, code.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no detail asked for: {effects:?}"))
}

fn not_found() -> Failure {
    Failure::Refused {
        code: "not_found".into(),
        message: "Không tìm thấy. Hãy kiểm tra lại mã hoặc đường dẫn.".into(),
        fields: BTreeMap::new(),
    }
}

// ---------------------------------------------------------------------------------------
// 1. One way to clear a field

/// A field somewhere in the app: how to put the keyboard in it, and how to read it.
struct Field {
    name: &'static str,
    open: fn(&mut App),
    text: fn(&App) -> String,
}

fn on_tab(app: &mut App, tab: char) {
    update(app, alt(tab));
}

fn intake_at(app: &mut App, step: WizardStep) {
    on_tab(app, '2');
    app.intake.step = step;
}

fn fields() -> Vec<Field> {
    use motcua::tui::state::field_text as t;
    vec![
        Field {
            name: "login username",
            open: |app| {
                update(app, ctrl('l'));
                app.login.focus = LoginField::Username;
            },
            text: |app| t(&app.login.username),
        },
        Field {
            name: "login password",
            open: |app| {
                update(app, ctrl('l'));
                app.login.focus = LoginField::Password;
            },
            text: |app| t(&app.login.password),
        },
        Field {
            name: "inbox filter",
            open: |app| {
                update(app, ch('/'));
            },
            text: |app| t(&app.inbox.filter),
        },
        Field {
            name: "lookup",
            open: |app| on_tab(app, '4'),
            text: |app| t(&app.lookup),
        },
        Field {
            name: "command line",
            open: |app| {
                update(app, ch(':'));
            },
            text: |app| match &app.overlay {
                Some(Overlay::CommandLine(f)) => t(f),
                _ => String::new(),
            },
        },
        Field {
            name: "intake procedure search",
            open: |app| intake_at(app, WizardStep::Procedure),
            text: |app| t(&app.intake.query),
        },
        Field {
            name: "intake applicant lookup",
            open: |app| intake_at(app, WizardStep::Applicant),
            text: |app| t(&app.intake.lookup),
        },
        Field {
            name: "intake authorized submitter",
            open: |app| {
                intake_at(app, WizardStep::Applicant);
                app.intake.authorized = true;
                app.intake.applicant_row = ApplicantRow::SubmitterName;
            },
            text: |app| t(&app.intake.submitter_name),
        },
        Field {
            name: "intake date of birth on the card",
            open: |app| {
                intake_at(app, WizardStep::Applicant);
                app.intake.presented = Some(PresentedCheck::new("083078238953".into(), None));
            },
            text: |app| {
                app.intake
                    .presented
                    .as_ref()
                    .map(|p| t(&p.date_of_birth))
                    .unwrap_or_default()
            },
        },
        Field {
            name: "intake new citizen account",
            open: |app| {
                intake_at(app, WizardStep::Applicant);
                app.intake.new_citizen = Some(CitizenForm::new("k".into()));
            },
            text: |app| {
                app.intake
                    .new_citizen
                    .as_ref()
                    .map(|f| t(&f.texts[0]))
                    .unwrap_or_default()
            },
        },
        Field {
            name: "intake file path",
            open: |app| {
                intake_at(app, WizardStep::Documents);
                app.intake.attach = Some(text_field());
            },
            text: |app| app.intake.attach.as_ref().map(t).unwrap_or_default(),
        },
        Field {
            name: "intake delivery address",
            open: |app| {
                intake_at(app, WizardStep::Delivery);
                app.intake.on_address = true;
            },
            text: |app| t(&app.intake.address),
        },
        Field {
            name: "intake receipt number",
            open: |app| {
                intake_at(app, WizardStep::Review);
                // A case with a fee at the desk, paid in cash: the receipt's row.
                let catalog = motcua::portal::seed::builtin_catalog().unwrap();
                let (p, c) = catalog
                    .iter()
                    .find_map(|p| {
                        p.cases
                            .iter()
                            .find(|c| app.intake.fee(Some(c)) > 0)
                            .map(|c| (p.clone(), c.clone()))
                    })
                    .expect("a procedure with a fee");
                app.intake.choose(&p, &c);
                app.procedures.insert(p.code.clone(), p);
                app.intake.step = WizardStep::Review;
                app.intake.pay = motcua::tui::intake::PayChoice::Cash;
                app.intake.review_row = ReviewRow::Receipt;
            },
            text: |app| t(&app.intake.receipt_no),
        },
        Field {
            name: "citizens search",
            open: |app| on_tab(app, '3'),
            text: |app| t(&app.citizens.query),
        },
        Field {
            name: "citizens new account",
            open: |app| {
                on_tab(app, '3');
                update(app, ctrl('n'));
            },
            text: |app| {
                app.citizens
                    .form
                    .as_ref()
                    .map(|f| t(&f.texts[0]))
                    .unwrap_or_default()
            },
        },
        Field {
            name: "citizens card before a reset",
            open: |app| {
                on_tab(app, '3');
                app.citizens.detail = Some(motcua::api::citizens::CitizenDetail {
                    citizen: motcua::api::citizens::Citizen {
                        id: "5c1e0b7d9a3f4e2c8b6a0d1f3e5c7a9b".into(),
                        id_number: "083078238953".into(),
                        legacy_id_number: None,
                        full_name: "Nguyễn Văn An".into(),
                        date_of_birth: "1978-03-14".into(),
                        gender: motcua::domain::identity::Gender::Male,
                        phone: "0384350158".into(),
                        email: None,
                        address: "Bến Tre".into(),
                        office_id: 1,
                        created_at: "2026-11-01T08:00:00+07:00".into(),
                        activated: true,
                    },
                    dossiers: vec![],
                });
                app.citizens.reset = Some(ResetPrompt::new("k".into()));
            },
            text: |app| {
                app.citizens
                    .reset
                    .as_ref()
                    .map(|r| t(&r.id_number))
                    .unwrap_or_default()
            },
        },
        Field {
            name: "action dialog",
            open: |app| {
                open_detail(app);
                open_action(app, Step::Refuse);
            },
            text: |app| match &app.overlay {
                Some(Overlay::Dialog(d)) => t(&d.fields[0].text),
                _ => String::new(),
            },
        },
        Field {
            name: "fee receipt number",
            open: |app| {
                open_detail(app);
                update(app, ch('p'));
            },
            text: |app| match &app.overlay {
                Some(Overlay::Payment(p)) => t(&p.receipt_no),
                _ => String::new(),
            },
        },
        Field {
            name: "download path",
            open: |app| {
                app.overlay = Some(Overlay::Download(Box::new(DownloadPrompt {
                    code: "000.01.27.H07-261124-0001".into(),
                    attachment_id: "u1".into(),
                    filename: "to-khai.pdf".into(),
                    path: text_field(),
                })));
            },
            text: |app| match &app.overlay {
                Some(Overlay::Download(p)) => t(&p.path),
                _ => String::new(),
            },
        },
        Field {
            name: "save a form as",
            open: |app| {
                app.overlay = Some(Overlay::Form(Box::new(FormView {
                    code: "000.01.27.H07-261124-0001".into(),
                    printable: Printable::Slip,
                    text: Some("PHIẾU".into()),
                    scroll: 0,
                    save_to: Some(text_field()),
                })));
            },
            text: |app| match &app.overlay {
                Some(Overlay::Form(v)) => v.save_to.as_ref().map(t).unwrap_or_default(),
                _ => String::new(),
            },
        },
        Field {
            name: "training: the citizen's activation",
            open: |app| {
                let mut view = motcua::tui::training::ExercisesView::new(None);
                view.activation = Some(motcua::tui::training::ActivationForm::new(None));
                app.overlay = Some(Overlay::Exercises(Box::new(view)));
            },
            text: |app| match &app.overlay {
                Some(Overlay::Exercises(v)) => v
                    .activation
                    .as_ref()
                    .map(|f| t(&f.number))
                    .unwrap_or_default(),
                _ => String::new(),
            },
        },
    ]
}

/// On the open detail: `a`, then `step` in the menu, Enter.
fn open_action(app: &mut App, step: Step) {
    update(app, ch('a'));
    let at = match &app.overlay {
        Some(Overlay::Actions(menu)) => menu.items.iter().position(|s| *s == step),
        other => panic!("no action menu: {other:?}"),
    }
    .unwrap_or_else(|| panic!("{step:?} is not offered"));
    for _ in 0..at {
        update(app, key(KeyCode::Down));
    }
    update(app, key(KeyCode::Enter));
}

#[test]
fn ctrl_u_clears_the_field_wherever_the_keyboard_is() {
    for field in fields() {
        let mut app = logged_in(Lang::Vi, false, SIZE);
        (field.open)(&mut app);
        let before = (field.text)(&app);
        type_in(&mut app, "09 Lê Lợi");
        let typed = (field.text)(&app);
        assert!(
            typed.len() > before.len(),
            "{}: the keys did not reach the field ({typed:?})",
            field.name
        );
        // F1 there says so.
        assert!(
            enabled_commands(&app).contains(&Command::ClearField),
            "{}: Ctrl-U is not in the help",
            field.name
        );
        update(&mut app, ctrl('u'));
        assert_eq!((field.text)(&app), "", "{}", field.name);
        // Cleared, and still there to type in.
        type_in(&mut app, "7");
        assert_eq!((field.text)(&app), "7", "{}", field.name);
    }
}

/// Clearing counts as typing where typing has consequences: the filter shows every row
/// again, an applicant's matches go with the search they came from.
#[test]
fn clearing_a_field_has_the_consequences_of_typing() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let everything = app.inbox.view.len();
    update(&mut app, ch('/'));
    type_in(&mut app, "tran thi");
    assert!(app.inbox.view.len() < everything);
    update(&mut app, ctrl('u'));
    assert_eq!(app.inbox.view.len(), everything);

    let mut app = logged_in(Lang::Vi, false, SIZE);
    intake_at(&mut app, WizardStep::Applicant);
    type_in(&mut app, "nguyen");
    app.intake.error = Some("Không tìm thấy công dân.".into());
    update(&mut app, ctrl('u'));
    assert!(app.intake.error.is_none());
}

/// Where nothing is typed, Ctrl-U is nothing; the help does not offer it there.
#[test]
fn ctrl_u_is_offered_only_where_a_field_has_the_keyboard() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    assert!(!enabled_commands(&app).contains(&Command::ClearField));
    let selected = app.inbox.selected;
    update(&mut app, ctrl('u'));
    assert_eq!(app.inbox.selected, selected);
    assert!(app.overlay.is_none());
    // The gender of an account is a choice, not a field.
    on_tab(&mut app, '3');
    update(&mut app, ctrl('n'));
    if let Some(form) = app.citizens.form.as_mut() {
        form.focus = 3;
    }
    assert!(!enabled_commands(&app).contains(&Command::ClearField));
}

/// The keymap decides: `clear_field` moved to another key clears with that key, and the
/// text area's own Ctrl-U (an undo) does nothing any more.
#[test]
fn the_keymap_decides_what_clears() {
    let mut overrides = BTreeMap::new();
    overrides.insert("clear_field".to_owned(), vec!["ctrl-k".to_owned()]);
    let mut app = logged_in(Lang::Vi, false, SIZE);
    app.keymap = Keymap::with_overrides(&overrides).unwrap();
    on_tab(&mut app, '4');
    type_in(&mut app, "261124");
    update(&mut app, ctrl('u'));
    assert_eq!(field_text(&app.lookup), "261124");
    update(&mut app, ctrl('k'));
    assert_eq!(field_text(&app.lookup), "");
    // A plain letter for it is refused: it could never be typed again.
    overrides.insert("clear_field".to_owned(), vec!["x".to_owned()]);
    assert!(Keymap::with_overrides(&overrides).is_err());
}

/// F1 lists Ctrl-U where a field has the keyboard.
#[test]
fn help_says_ctrl_u_clears() {
    snapshot_each!("help_lookup", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        on_tab(&mut app, '4');
        update(&mut app, key(KeyCode::F(1)));
        app
    });
}

// ---------------------------------------------------------------------------------------
// 2. Lookup by the code the citizen holds

fn on_lookup(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    on_tab(&mut app, '4');
    app
}

#[test]
fn the_short_code_on_the_receipt_finds_this_offices_dossier() {
    let mut app = on_lookup(Lang::Vi, SIZE);
    type_in(&mut app, "261124-0001");
    let effects = update(&mut app, key(KeyCode::Enter));
    let (id, code) = detail_id(&effects);
    assert_eq!(code, "000.01.27.H07-261124-0001");
    // Searched: the field is free for the next code; the pane waits for the answer.
    assert_eq!(field_text(&app.lookup), "");
    assert_eq!(app.tab, Tab::Lookup);
    update(&mut app, Action::DetailLoaded(id, Ok(dossier())));
    assert_eq!(app.tab, Tab::Inbox);
    let detail = app.inbox.detail.as_ref().expect("the detail is open");
    assert_eq!(detail.code, "000.01.27.H07-261124-0001");
    assert!(detail.dossier.is_some());
}

#[test]
fn the_full_code_is_taken_in_any_case_with_spaces_around() {
    for typed in [
        "000.01.27.h07-261124-0001",
        "  000.01.27.H07-261124-0001  ",
        "2611240001",
    ] {
        let mut app = on_lookup(Lang::Vi, SIZE);
        type_in(&mut app, typed);
        let effects = update(&mut app, key(KeyCode::Enter));
        assert_eq!(
            detail_id(&effects).1,
            "000.01.27.H07-261124-0001",
            "{typed:?}"
        );
    }
}

/// A miss stays on the lookup pane, says which code was not found (not a "path"), and
/// the next code typed is that code alone.
#[test]
fn a_miss_stays_on_the_lookup_and_names_the_code() {
    let mut app = on_lookup(Lang::Vi, SIZE);
    type_in(&mut app, "261124-0099");
    let effects = update(&mut app, key(KeyCode::Enter));
    let (id, _) = detail_id(&effects);
    update(&mut app, Action::DetailLoaded(id, Err(not_found())));
    assert_eq!(app.tab, Tab::Lookup);
    assert!(app.inbox.detail.is_none());
    let note = app.lookup_note.as_deref().expect("a note under the field");
    assert!(note.contains("000.01.27.H07-261124-0099"), "{note}");
    assert!(!note.contains("đường dẫn"), "{note}");
    assert!(app.toasts.iter().all(|t| !t.text.contains("đường dẫn")));
    type_in(&mut app, "261124-0001");
    assert_eq!(field_text(&app.lookup), "261124-0001");
    // Typing again puts the note away.
    assert!(app.lookup_note.is_none());
}

/// What is no code at all is not searched: the text stays to be corrected, and the note
/// says what codes look like.
#[test]
fn what_is_not_a_code_is_not_searched() {
    let mut app = on_lookup(Lang::En, SIZE);
    type_in(&mut app, "nguyen van an");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(field_text(&app.lookup), "nguyen van an");
    let note = app.lookup_note.as_deref().unwrap();
    assert!(note.contains("261124-0001"), "{note}");
}

/// The link failed: nothing was searched, so the code comes back to the field and Enter
/// tries again. Esc while it waits gives it back too.
#[test]
fn a_search_the_link_lost_gives_the_code_back() {
    let mut app = on_lookup(Lang::Vi, SIZE);
    type_in(&mut app, "261124-0001");
    let (id, _) = detail_id(&update(&mut app, key(KeyCode::Enter)));
    update(
        &mut app,
        Action::DetailLoaded(id, Err(Failure::Offline("Không kết nối được".into()))),
    );
    assert_eq!(app.tab, Tab::Lookup);
    assert_eq!(field_text(&app.lookup), "000.01.27.H07-261124-0001");
    let (id, _) = detail_id(&update(&mut app, key(KeyCode::Enter)));
    update(&mut app, key(KeyCode::Esc));
    assert!(app.pending.is_empty());
    assert_eq!(field_text(&app.lookup), "000.01.27.H07-261124-0001");
    // Its late answer is dropped.
    update(&mut app, Action::DetailLoaded(id, Ok(dossier())));
    assert_eq!(app.tab, Tab::Lookup);
}

/// `:code` takes the short form too.
#[test]
fn the_code_command_takes_the_short_form() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch(':'));
    type_in(&mut app, "code 261124-0004");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(detail_id(&effects).1, "000.01.27.H07-261124-0004");
}

#[test]
fn lookup_miss_screen() {
    snapshot_each!("lookup_miss", SIZES, |lang, size| {
        let mut app = on_lookup(lang, size);
        type_in(&mut app, "261124-0099");
        let (id, _) = detail_id(&update(&mut app, key(KeyCode::Enter)));
        update(&mut app, Action::DetailLoaded(id, Err(not_found())));
        app
    });
}

// ---------------------------------------------------------------------------------------
// 3. Messages say the right thing once

fn refused(message: &str, fields: &[(&str, &str)]) -> Failure {
    Failure::Refused {
        code: "validation_failed".into(),
        message: message.into(),
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

#[test]
fn a_refusal_is_said_once_and_names_fields_as_the_screen_does() {
    let said = "Chưa nhập chuyên viên xử lý. Hãy nhập rồi thử lại.";
    assert_eq!(
        failure_text(Lang::Vi, &refused(said, &[("assignee", said)])),
        said
    );
    let text = failure_text(
        Lang::Vi,
        &refused("Không hợp lệ.", &[("new_due_at", "phải sau hạn hiện tại")]),
    );
    assert_eq!(
        text,
        "Không hợp lệ. (Ngày hẹn trả mới: phải sau hạn hiện tại)"
    );
    let text = failure_text(Lang::En, &refused("Invalid.", &[("phone", "10 digits")]));
    assert_eq!(text, "Invalid. (Phone: 10 digits)");
    // A name the screen has no label for is left out, the words kept.
    let text = failure_text(
        Lang::En,
        &refused("Invalid.", &[("x_internal", "too long")]),
    );
    assert_eq!(text, "Invalid. (too long)");
}

/// In the dialog that asked, the refusal reads once.
#[test]
fn the_dialog_shows_the_refusal_once() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    open_detail(&mut app);
    open_action(&mut app, Step::Refuse);
    type_in(&mut app, "Thiếu giấy tờ");
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::Act { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    let said = "Lý do quá dài (tối đa 2000 ký tự).";
    update(
        &mut app,
        Action::Acted(id, Err(refused(said, &[("reason", said)]))),
    );
    match &app.overlay {
        Some(Overlay::Dialog(d)) => assert_eq!(d.error.as_deref(), Some(said)),
        other => panic!("{other:?}"),
    }
}

/// A file of the wrong type is said to be of the wrong type, with the types taken, in
/// the official's language; not "could not write the file".
#[test]
fn client_file_errors_say_what_is_wrong_in_the_officials_language() {
    let wrong = ClientError::UnsupportedFile("ghi-chu.pdf".into());
    let vi = wrong.message(Lang::Vi);
    assert!(vi.contains("không đúng loại"), "{vi}");
    assert!(vi.contains("PDF, JPEG hoặc PNG"), "{vi}");
    assert!(!vi.contains("ghi được"), "{vi}");
    assert!(!vi.contains("not a"), "{vi}");
    let missing = ClientError::FileRead {
        path: "/tmp/khong-co.pdf".into(),
        kind: std::io::ErrorKind::NotFound,
    };
    let vi = missing.message(Lang::Vi);
    assert!(vi.contains("Không đọc được tệp /tmp/khong-co.pdf"), "{vi}");
    assert!(!vi.contains("No such file"), "{vi}");
    let empty = ClientError::FileSize {
        path: "rong.pdf".into(),
        size: 0,
        max: 20 << 20,
    };
    assert!(empty.message(Lang::Vi).contains("rỗng"));
    let big = ClientError::FileSize {
        path: "to.pdf".into(),
        size: 25 << 20,
        max: 20 << 20,
    };
    assert!(big.message(Lang::En).contains("over the limit of 20 MB"));
}

#[test]
fn printing_without_a_printer_is_said_in_the_officials_language() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, Action::Printed(Err(PrintProblem::NoCommand)));
    let text = &app.toasts.back().unwrap().text;
    assert!(text.contains("không có lệnh in (lp hoặc lpr)"), "{text}");
    assert!(!text.contains("no lp"), "{text}");
}

/// A theme that does not exist is said in the official's language, with the ones that do.
#[test]
fn an_unknown_theme_is_said_in_the_officials_language() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch(':'));
    type_in(&mut app, "theme xanh");
    update(&mut app, key(KeyCode::Enter));
    let text = &app.toasts.back().unwrap().text;
    assert!(text.contains("Không có giao diện “xanh”"), "{text}");
    assert!(text.contains("default, light"), "{text}");
    assert!(!text.contains("no such theme"), "{text}");
}

/// An upload cut by the link says so in its row, not the offline message about the data
/// on screen.
#[test]
fn an_upload_cut_by_the_link_says_so_in_its_row() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    intake_at(&mut app, WizardStep::Documents);
    app.intake.docs = vec![DocState {
        part_id: "to-khai".into(),
        on_paper: false,
        file: Some(FileState {
            path: "/tmp/to-khai.pdf".into(),
            key: "k".into(),
            size: 1000,
            sent: 400,
            ..FileState::default()
        }),
        ..DocState::default()
    }];
    let id = 900;
    app.uploads.insert(id, 0);
    let offline = "Không kết nối được cổng dịch vụ công. Kiểm tra mạng; dữ liệu đang hiển thị là bản đã tải trước đó.";
    update(
        &mut app,
        Action::Uploaded(id, Err(Failure::Offline(offline.into()))),
    );
    let file = app.intake.docs[0].file.as_ref().unwrap();
    let error = file.error.as_deref().unwrap();
    assert!(error.contains("tải lên"), "{error}");
    assert!(!error.contains("dữ liệu đang hiển thị"), "{error}");
    assert!(file.retry_in.is_some(), "it goes on by itself");
}

fn leader_with(extensions: u32, status: Status) -> App {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    app.me.as_mut().unwrap().role = Role::Leader;
    let mut d: Dossier = dossier();
    d.status = status;
    d.extensions = extensions;
    d.due_at = Some("2026-12-10T17:00:00+07:00".into());
    show_detail(&mut app, d);
    app
}

fn show_detail(app: &mut App, d: Dossier) {
    let effects = update(app, ch(':'));
    assert!(effects.is_empty());
    let code = d.code.clone();
    type_in(app, &format!("code {code}"));
    let (id, _) = detail_id(&update(app, key(KeyCode::Enter)));
    update(app, Action::DetailLoaded(id, Ok(d)));
}

fn menu(app: &mut App) -> Vec<Step> {
    update(app, ch('a'));
    let items = match &app.overlay {
        Some(Overlay::Actions(menu)) => {
            assert_eq!(menu.selected, 0, "the first is preselected");
            menu.items.clone()
        }
        _ => vec![],
    };
    update(app, key(KeyCode::Esc));
    items
}

/// The one extension allowed, once used, is no longer offered: in the detail, and on
/// the dossier's row in the list.
#[test]
fn an_extended_dossier_is_not_offered_another_extension() {
    let mut app = leader_with(0, Status::InProgress);
    assert!(menu(&mut app).contains(&Step::Extend));
    let mut app = leader_with(1, Status::InProgress);
    let offered = menu(&mut app);
    assert!(!offered.contains(&Step::Extend), "{offered:?}");
    assert!(offered.contains(&Step::Stop));
    // Back on the list, its row knows it too.
    update(&mut app, key(KeyCode::Esc));
    assert!(app.inbox.detail.is_none());
    app.inbox.queue = motcua::domain::status::Queue::All;
    app.inbox
        .rebuild(Some("000.01.27.H07-261124-0001".to_owned()));
    assert_eq!(
        app.inbox.selected_code().as_deref(),
        Some("000.01.27.H07-261124-0001")
    );
    assert!(!menu(&mut app).contains(&Step::Extend));
}

/// The extension's refusals speak to the leader who asked: the deadline for extending,
/// not the due time, and no "report to the leader".
#[test]
fn the_extension_refusal_names_the_deadline_for_extending() {
    use motcua::domain::RuleError;
    use motcua::domain::calendar::{Calendar, OfficeHours, Overrides};
    use motcua::domain::workflow::{DossierFacts, Refusal, permit};
    let at = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap();
    let calendar = Calendar::new(OfficeHours::default(), Overrides::default());
    let facts = DossierFacts {
        status: Status::InProgress,
        received_at: Some(at("2026-11-20T09:00:00+07:00")),
        due_at: Some(at("2026-11-26T16:00:00+07:00")), // a Thursday
        extensions: 0,
        fee_settled: true,
    };
    // Wednesday 16:30: less than a working day before.
    let refusal = permit(
        Step::Extend,
        Role::Leader,
        &facts,
        at("2026-11-25T16:30:00+07:00"),
        &calendar,
    )
    .unwrap_err();
    assert_eq!(
        refusal,
        Refusal::ExtensionTooLate {
            latest: at("2026-11-25T16:00:00+07:00")
        }
    );
    for lang in [Lang::Vi, Lang::En] {
        let text = refusal.message(lang);
        assert!(text.contains("16:00 25/11/2026"), "{text}");
        assert!(!text.contains("26/11/2026"), "{text}");
        assert!(!text.to_lowercase().contains("report to"), "{text}");
        assert!(!text.contains("báo cáo lãnh đạo"), "{text}");
    }
}

fn specialist_with(fee: u64) -> App {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    app.me.as_mut().unwrap().role = Role::Specialist;
    let mut d = dossier();
    d.status = Status::InProgress;
    d.fee.amount = fee;
    if fee == 0 {
        d.fee.status = PaymentStatus::Exempt;
    }
    show_detail(&mut app, d);
    app
}

#[test]
fn a_free_dossier_is_not_offered_a_request_for_payment() {
    assert!(menu(&mut specialist_with(8000)).contains(&Step::RequestPayment));
    let offered = menu(&mut specialist_with(0));
    assert!(!offered.contains(&Step::RequestPayment), "{offered:?}");
    assert_eq!(offered[0], Step::ProposeResult, "{offered:?}");
}

// ---------------------------------------------------------------------------------------
// 4. Safe defaults

/// The usual next step comes first, preselected: Enter on the menu takes it.
#[test]
fn the_usual_next_step_comes_first() {
    for (status, first, later) in [
        (Status::Received, Step::Forward, Step::Refuse),
        (Status::ResultReady, Step::ReturnResult, Step::Withdraw),
        (Status::Submitted, Step::Receive, Step::Withdraw),
    ] {
        let mut app = logged_in(Lang::Vi, false, SIZE);
        let mut d = dossier();
        d.status = status;
        show_detail(&mut app, d);
        let offered = menu(&mut app);
        assert_eq!(offered[0], first, "{status:?}: {offered:?}");
        let at = |s| offered.iter().position(|o| *o == s).unwrap();
        assert!(at(first) < at(later), "{status:?}: {offered:?}");
        // The withdrawal, which ends the dossier's course, is last.
        assert_eq!(offered.last(), Some(&Step::Withdraw), "{offered:?}");
    }
}

/// `q` with writes waiting in the outbox asks first; Enter quits, Esc stays.
#[test]
fn q_asks_before_leaving_writes_in_the_outbox() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(
        &mut app,
        Action::OutboxCount {
            queued: 2,
            dead: vec![],
            retry_in: Some(8),
        },
    );
    assert!(update(&mut app, ch('q')).is_empty());
    match &app.overlay {
        Some(Overlay::Leave(p)) => {
            assert_eq!(p.leaving, Leaving::Quit);
            assert!(p.reasons[0].contains("2 thao tác"), "{:?}", p.reasons);
        }
        other => panic!("{other:?}"),
    }
    update(&mut app, key(KeyCode::Esc));
    assert!(app.overlay.is_none());
    assert!(!app.quit);
    update(&mut app, ch('q'));
    assert_eq!(update(&mut app, key(KeyCode::Enter)), vec![Effect::Quit]);
    assert!(app.quit);
}

/// Ctrl-L with an intake under way asks first; Enter logs out (the draft waits on disk).
#[test]
fn ctrl_l_asks_before_leaving_an_intake_under_way() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    on_tab(&mut app, '2');
    app.intake.step = WizardStep::Applicant;
    type_in(&mut app, "nguyen van");
    assert!(update(&mut app, ctrl('l')).is_empty());
    assert!(
        matches!(&app.overlay, Some(Overlay::Leave(p)) if p.leaving == Leaving::Logout),
        "{:?}",
        app.overlay
    );
    assert_eq!(update(&mut app, key(KeyCode::Enter)), vec![Effect::Logout]);
    assert_eq!(app.screen, Screen::Login);
}

/// Ctrl-C asks too when a dialog holds typed text; a second Ctrl-C quits at once.
#[test]
fn ctrl_c_twice_always_quits() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    open_detail(&mut app);
    open_action(&mut app, Step::Refuse);
    type_in(&mut app, "Thiếu tờ khai");
    assert!(update(&mut app, ctrl('c')).is_empty());
    assert!(matches!(&app.overlay, Some(Overlay::Leave(_))));
    assert_eq!(update(&mut app, ctrl('c')), vec![Effect::Quit]);
    // Nothing left behind: at once.
    let mut app = logged_in(Lang::Vi, false, SIZE);
    assert_eq!(update(&mut app, ctrl('c')), vec![Effect::Quit]);
}

/// Staying brings back what the question covered, with its text.
#[test]
fn staying_brings_back_the_dialog_being_typed() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    open_detail(&mut app);
    open_action(&mut app, Step::Refuse);
    type_in(&mut app, "Thiếu tờ khai");
    update(&mut app, ctrl('c'));
    // Drawn over the dialog, which stays in sight.
    let screen = text(&draw(&app, SIZE), None);
    assert!(screen.contains("Thoát motcua?"), "{screen}");
    assert!(screen.contains("Từ chối tiếp nhận —"), "{screen}");
    update(&mut app, key(KeyCode::Esc));
    match &app.overlay {
        Some(Overlay::Dialog(d)) => assert_eq!(field_text(&d.fields[0].text), "Thiếu tờ khai"),
        other => panic!("{other:?}"),
    }
    assert!(!app.quit);
}

/// Over the re-login box too (the session expired with writes waiting): the question
/// has the keyboard, and staying gives it back to the password.
#[test]
fn the_question_goes_over_the_relogin_box() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(
        &mut app,
        Action::OutboxCount {
            queued: 1,
            dead: vec![],
            retry_in: None,
        },
    );
    app.relogin = true;
    update(&mut app, ctrl('c'));
    assert_eq!(
        motcua::tui::update::key_context(&app),
        Some(motcua::tui::keymap::Context::Leave)
    );
    let screen = text(&draw(&app, SIZE), None);
    assert!(screen.contains("Thoát motcua?"), "{screen}");
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(
        motcua::tui::update::key_context(&app),
        Some(motcua::tui::keymap::Context::Login)
    );
    update(&mut app, ctrl('c'));
    assert_eq!(update(&mut app, key(KeyCode::Enter)), vec![Effect::Quit]);
}

/// A finished intake (the done screen) is nothing left behind.
#[test]
fn a_done_intake_leaves_nothing_behind() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    on_tab(&mut app, '2');
    type_in(&mut app, "khai sinh");
    app.intake.step = WizardStep::Done;
    assert_eq!(update(&mut app, ctrl('l')), vec![Effect::Logout]);
}

#[test]
fn leave_prompt_screen() {
    snapshot_each!("leave_prompt", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        update(
            &mut app,
            Action::OutboxCount {
                queued: 1,
                dead: vec![],
                retry_in: Some(8),
            },
        );
        on_tab(&mut app, '2');
        type_in(&mut app, "khai sinh");
        update(&mut app, alt('1'));
        update(&mut app, ch('q'));
        app
    });
}

/// Tab on an empty command line completes nothing (it used to pick `:quit`); typed, it
/// completes what is shared.
#[test]
fn tab_on_an_empty_command_line_does_nothing() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    update(&mut app, ch(':'));
    update(&mut app, key(KeyCode::Tab));
    let line = |app: &App| match &app.overlay {
        Some(Overlay::CommandLine(f)) => field_text(f),
        other => panic!("{other:?}"),
    };
    assert_eq!(line(&app), "");
    type_in(&mut app, "th");
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(line(&app), "theme ");
    // "h": help or hint; Tab does not choose.
    update(&mut app, ctrl('u'));
    type_in(&mut app, "h");
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(line(&app), "h");
    // Enter on the empty line quits nothing either.
    update(&mut app, ctrl('u'));
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(!app.quit);
}

/// Esc takes off a filter kept with Enter, as it does while it is typed.
#[test]
fn esc_clears_an_applied_filter() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    let everything = app.inbox.view.len();
    update(&mut app, ch('/'));
    type_in(&mut app, "tran");
    update(&mut app, key(KeyCode::Enter));
    assert!(!app.inbox.filtering);
    assert!(app.inbox.view.len() < everything);
    assert!(enabled_commands(&app).contains(&Command::ClearFilter));
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.inbox.filter_text(), "");
    assert_eq!(app.inbox.view.len(), everything);
    // With no filter, Esc on the list does nothing of the kind.
    assert!(!enabled_commands(&app).contains(&Command::ClearFilter));
}

// ---------------------------------------------------------------------------------------
// 5. The supplement's list read back whole before sending

const MISSING: &str = "Bản sao giấy chứng nhận kết hôn của cha mẹ (có chứng thực); \
Giấy chứng sinh do cơ sở y tế nơi trẻ sinh ra cấp (bản chính); \
Văn bản ủy quyền có chứng thực nếu người đi đăng ký không phải cha mẹ; \
Giấy tờ chứng minh nơi cư trú của người mẹ tại phường An Hội";

fn supplement_confirmation(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    open_detail(&mut app);
    open_action(&mut app, Step::RequestSupplement);
    type_in(&mut app, "Hồ sơ thiếu giấy tờ theo quy định");
    update(&mut app, key(KeyCode::Tab));
    type_in(&mut app, MISSING);
    update(&mut app, key(KeyCode::Enter));
    app
}

#[test]
fn the_supplement_list_is_read_back_whole_before_sending() {
    let app = supplement_confirmation(Lang::Vi, (80, 24));
    assert!(matches!(&app.overlay, Some(Overlay::Dialog(d)) if d.confirming));
    let screen = text(&draw(&app, (80, 24)), None);
    for (n, doc) in [
        "Bản sao giấy chứng nhận kết hôn",
        "Giấy chứng sinh",
        "Văn bản ủy quyền",
        "Giấy tờ chứng minh nơi cư trú",
    ]
    .iter()
    .enumerate()
    {
        let line = format!("{}. {doc}", n + 1);
        assert!(screen.contains(&line), "{line} not in\n{screen}");
    }
    assert!(screen.contains("tại phường An Hội"), "{screen}");
}

#[test]
fn supplement_confirmation_screen() {
    snapshot_each!("supplement_confirm", SIZES, supplement_confirmation);
}
