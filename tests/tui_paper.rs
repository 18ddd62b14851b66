//! `update()` of paper, action by action: a form's PDF saved and printed from its
//! preview, the receipt to paper from the end of an intake, the register exported from
//! the statistics pane, and what the officer is told of each outcome. No IO: the effects
//! are looked at, and the runtime's answers fed back.

mod common;

use common::tui::*;
use crossterm::event::KeyCode;
use motcua::api::registers::RegisterFormat;
use motcua::domain::Lang;
use motcua::domain::forms::Form;
use motcua::domain::status::Status;
use motcua::tui::action::{Action, Effect};
use motcua::tui::intake::WizardStep;
use motcua::tui::keymap::Command;
use motcua::tui::paper::{Document, Job, Outcome, PrintProblem};
use motcua::tui::state::*;
use motcua::tui::update::{enabled_commands, form_title, forms_for, update};
use std::path::PathBuf;

const SIZE: (u16, u16) = (120, 32);

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

/// The one paper job among the effects.
fn job(effects: &[Effect]) -> Job {
    match effects {
        [Effect::Paper(job)] => job.clone(),
        other => panic!("not one paper job: {other:?}"),
    }
}

fn outcome(printed: Option<Result<String, PrintProblem>>) -> Outcome {
    Outcome {
        path: PathBuf::from("/home/tiepnhan/motcua/000.01.27.H07-261124-0001-mau-01.pdf"),
        bytes: 66_000,
        form_set: "03/2025/TT-VPCP".into(),
        printed,
    }
}

/// The app showing the receipt of the detail's dossier (received), its text loaded.
fn receipt_view() -> App {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    open_detail(&mut app);
    let d = app.inbox.detail.as_mut().unwrap().dossier.as_mut().unwrap();
    d.received_at = Some("2026-11-24T09:00:00+07:00".into());
    update(&mut app, ch('f'));
    let effects = update(&mut app, key(KeyCode::Enter));
    let id = match &effects[..] {
        [Effect::LoadForm { id, .. }] => *id,
        other => panic!("{other:?}"),
    };
    update(
        &mut app,
        Action::FormLoaded(id, Ok("GIẤY TIẾP NHẬN HỒ SƠ".into())),
    );
    app
}

#[test]
fn a_form_is_saved_as_the_portals_pdf_where_the_officer_says() {
    let mut app = receipt_view();
    let code = "000.01.27.H07-261124-0001";
    // The offered name is the portal's: the form's number in the dossier's set.
    update(&mut app, ch('s'));
    let Some(Overlay::Form(view)) = &app.overlay else {
        panic!("no form view")
    };
    let offered: String = view.save_to.as_ref().unwrap().lines().join("");
    assert_eq!(offered, format!("{code}-mau-01.pdf"));
    let effects = update(&mut app, key(KeyCode::Enter));
    let j = job(&effects);
    assert_eq!(
        j.document,
        Document::Form {
            code: code.into(),
            form: Form::Receipt
        }
    );
    assert_eq!(
        j.file.as_deref(),
        Some(format!("{code}-mau-01.pdf").as_str())
    );
    assert!(!j.print);
    assert!(app.pending.contains_key(&j.id), "a request is waiting");
    update(&mut app, Action::PaperDone(j.id, Ok(outcome(None))));
    let toast = app.toasts.back().unwrap();
    assert_eq!(toast.kind, ToastKind::Success);
    assert_eq!(
        toast.text,
        "Đã lưu 000.01.27.H07-261124-0001-mau-01.pdf (64 KB) trong thư mục /home/tiepnhan/motcua."
    );
    // The view stays for printing next.
    assert!(matches!(app.overlay, Some(Overlay::Form(_))));
}

#[test]
fn printing_tells_what_the_print_system_said_or_why_not_and_where_the_file_is() {
    let mut app = receipt_view();
    let cases = [
        (
            Some(Ok("request id is HP-7 (1 file(s))".to_owned())),
            ToastKind::Success,
            "HP-7",
        ),
        (
            Some(Err(PrintProblem::NotConfigured)),
            ToastKind::Info,
            "Chưa khai báo máy in",
        ),
        (
            Some(Err(PrintProblem::NoCommand("lp, lpr".into()))),
            ToastKind::Error,
            "lp, lpr",
        ),
        (
            Some(Err(PrintProblem::Failed(
                "lp: The printer is not responding".into(),
            ))),
            ToastKind::Error,
            "not responding",
        ),
    ];
    for (printed, kind, said) in cases {
        let j = job(&update(&mut app, ch('p')));
        assert!(j.print, "p prints");
        assert_eq!(j.file, None, "into the printing folder");
        update(&mut app, Action::PaperDone(j.id, Ok(outcome(printed))));
        let toast = app.toasts.back().unwrap();
        assert_eq!(toast.kind, kind, "{}", toast.text);
        assert!(toast.text.contains(said), "{said:?} in {}", toast.text);
        assert!(
            toast.text.contains("mau-01.pdf"),
            "the file is named: {}",
            toast.text
        );
    }
    // The portal refused (a form that no longer applies): its message, no file.
    let j = job(&update(&mut app, ch('p')));
    update(
        &mut app,
        Action::PaperDone(
            j.id,
            Err(Failure::Refused {
                code: "form_not_applicable".into(),
                message: "Mẫu số 01 chưa dùng được cho hồ sơ này".into(),
                fields: Default::default(),
            }),
        ),
    );
    assert!(app.toasts.back().unwrap().text.contains("Mẫu số 01"));
    // An answer nobody waits for any more changes nothing.
    let before = app.toasts.len();
    update(&mut app, Action::PaperDone(j.id, Ok(outcome(None))));
    assert_eq!(app.toasts.len(), before);
}

#[test]
fn the_receipt_goes_to_paper_from_the_end_of_an_intake_with_one_key() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    app.tab = Tab::Intake;
    app.intake.step = WizardStep::Done;
    let mut d = dossier();
    d.received_at = Some("2026-11-24T09:00:00+07:00".into());
    let code = d.code.clone();
    app.intake.created = Some(Box::new(d));
    let on = enabled_commands(&app);
    assert!(
        on.contains(&Command::Print) && on.contains(&Command::Save),
        "{on:?}"
    );
    for (c, print) in [('p', true), ('s', false)] {
        let j = job(&update(&mut app, ch(c)));
        assert_eq!(
            j.document,
            Document::Form {
                code: code.clone(),
                form: Form::Receipt
            }
        );
        assert_eq!((j.print, j.file), (print, None));
    }
    // Enter still shows it first.
    assert!(matches!(
        &update(&mut app, key(KeyCode::Enter))[..],
        [Effect::LoadForm {
            form: Form::Receipt,
            ..
        }]
    ));
}

#[test]
fn the_statistics_pane_exports_the_register_of_a_period() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    app.now = chrono::DateTime::parse_from_rfc3339("2026-03-20T10:00:00+07:00").unwrap();
    update(&mut app, ch('5'));
    assert!(enabled_commands(&app).contains(&Command::ExportRegister));
    update(&mut app, ch('x'));
    let Some(Overlay::CommandLine(input)) = &app.overlay else {
        panic!("the command line")
    };
    assert_eq!(input.lines().join(""), "so 2026-03-01 2026-03-20 pdf");
    let j = job(&update(&mut app, key(KeyCode::Enter)));
    let day = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(
        j.document,
        Document::Register {
            from: day("2026-03-01"),
            to: day("2026-03-20"),
            format: RegisterFormat::Pdf
        }
    );
    assert!(!j.print);
    // Typed, in another format; or wrong, and told how.
    update(&mut app, ch(':'));
    for c in "so 2026-01-01 2026-03-31 xlsx".chars() {
        update(&mut app, ch(c));
    }
    let j = job(&update(&mut app, key(KeyCode::Enter)));
    assert!(matches!(
        j.document,
        Document::Register {
            format: RegisterFormat::Xlsx,
            ..
        }
    ));
    update(&mut app, ch(':'));
    for c in "so 2026-03-31 2026-03-01".chars() {
        update(&mut app, ch(c));
    }
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    let toast = app.toasts.back().unwrap();
    assert_eq!(toast.kind, ToastKind::Error);
    assert!(toast.text.contains("366"), "{}", toast.text);
}

#[test]
fn the_forms_a_dossier_lists_follow_its_set() {
    let mut d = dossier();
    d.status = Status::Stopped;
    d.received_at = Some("2026-11-24T09:00:00+07:00".into());
    assert_eq!(
        forms_for(&d),
        [Form::Receipt, Form::StopNotice, Form::ControlSheet]
    );
    // Received before 2025-09-15: the 2018 set has no stop notice.
    d.received_at = Some("2025-09-14T09:00:00+07:00".into());
    assert_eq!(forms_for(&d), [Form::Receipt, Form::ControlSheet]);

    let mut app = logged_in(Lang::Vi, false, SIZE);
    open_detail(&mut app);
    let code = app.inbox.detail.as_ref().unwrap().code.clone();
    let set_received = |app: &mut App, at: &str| {
        let d = app.inbox.detail.as_mut().unwrap().dossier.as_mut().unwrap();
        d.received_at = Some(at.into());
    };
    set_received(&mut app, "2025-09-14T09:00:00+07:00");
    assert_eq!(
        form_title(&app, &code, Form::ControlSheet),
        "Mẫu 05 — Phiếu kiểm soát quá trình giải quyết hồ sơ"
    );
    set_received(&mut app, "2025-09-15T09:00:00+07:00");
    assert_eq!(
        form_title(&app, &code, Form::ControlSheet),
        "Mẫu 06 — Phiếu kiểm soát quá trình giải quyết hồ sơ"
    );
    assert_eq!(
        form_title(&app, &code, Form::Apology),
        "Mẫu 04 — Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết"
    );
}

#[test]
fn f_on_the_inbox_list_opens_the_dossier_then_its_forms() {
    let mut app = logged_in(Lang::Vi, false, SIZE);
    assert!(enabled_commands(&app).contains(&Command::Form));
    let effects = update(&mut app, ch('f'));
    let (id, code) = match &effects[..] {
        [Effect::LoadDetail { id, code }] => (*id, code.clone()),
        other => panic!("f asks for the dossier first: {other:?}"),
    };
    assert!(app.overlay.is_none(), "no menu before the dossier is here");
    let mut d = dossier();
    d.code = code.clone();
    d.status = Status::Stopped;
    d.received_at = Some("2026-11-24T09:00:00+07:00".into());
    update(&mut app, Action::DetailLoaded(id, Ok(d)));
    let Some(Overlay::Forms(menu)) = &app.overlay else {
        panic!("the forms menu follows the dossier: {:?}", app.overlay)
    };
    assert_eq!(menu.code, code);
    assert_eq!(
        menu.items,
        [Form::Receipt, Form::StopNotice, Form::ControlSheet]
    );
    // An Enter in the list opens the detail and nothing more.
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, key(KeyCode::Esc));
    assert!(app.inbox.detail.is_none());
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::LoadDetail { id, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    update(&mut app, Action::DetailLoaded(*id, Ok(dossier())));
    assert!(app.overlay.is_none());
}

// ---------------------------------------------------------------------------------------
// What the officer sees: the forms menu (numbered in the dossier's set), the preview with
// its keys, the register's export line, and the no-printer message after an intake.
// Update after a deliberate change with `INSTA_UPDATE=always cargo test --test tui_paper`.

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 32)];

/// The detail of a stopped dossier received on `received`, its forms menu open.
fn forms_menu(lang: Lang, size: (u16, u16), received: &str) -> App {
    let mut app = logged_in(lang, false, size);
    open_detail(&mut app);
    let d = app.inbox.detail.as_mut().unwrap().dossier.as_mut().unwrap();
    d.received_at = Some(received.into());
    d.status = Status::Stopped;
    d.extensions = 1;
    update(&mut app, ch('f'));
    assert!(matches!(app.overlay, Some(Overlay::Forms(_))));
    app
}

#[test]
fn snapshot_the_forms_menu_of_each_set() {
    snapshot_each!("forms_menu_2025_set", SIZES, |lang, size| {
        forms_menu(lang, size, "2026-11-24T09:00:00+07:00")
    });
    snapshot_each!("forms_menu_2018_set", SIZES, |lang, size| {
        forms_menu(lang, size, "2025-09-14T09:00:00+07:00")
    });
}

/// The text the portal gives for the terminal's preview (its layout, abridged).
const RECEIPT_TEXT: &str = "\
UBND PHƯỜNG AN HỘI                CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
BỘ PHẬN MỘT CỬA                        Độc lập - Tự do - Hạnh phúc
Số: 000.01.27.H07-261124-0001      An Hội, ngày 24 tháng 11 năm 2026

        GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ
        (Mẫu số 01 - Thông tư 03/2025/TT-VPCP)

Bộ phận Một cửa UBND phường An Hội tiếp nhận hồ sơ của:
Ông/Bà: Nguyễn Văn An
Nội dung yêu cầu giải quyết: Đăng ký khai sinh
Thời gian trả kết quả: 10 giờ 00, ngày 26 tháng 11 năm 2026";

fn receipt_preview(lang: Lang, size: (u16, u16)) -> App {
    let mut app = logged_in(lang, false, size);
    open_detail(&mut app);
    let d = app.inbox.detail.as_mut().unwrap().dossier.as_mut().unwrap();
    d.received_at = Some("2026-11-24T09:00:00+07:00".into());
    update(&mut app, ch('f'));
    let effects = update(&mut app, key(KeyCode::Enter));
    let [Effect::LoadForm { id, .. }] = &effects[..] else {
        panic!("{effects:?}")
    };
    update(&mut app, Action::FormLoaded(*id, Ok(RECEIPT_TEXT.into())));
    app
}

#[test]
fn snapshot_the_preview_and_its_save_prompt() {
    snapshot_each!("form_preview", SIZES, receipt_preview);
    snapshot_each!("form_save_prompt", SIZES, |lang, size| {
        let mut app = receipt_preview(lang, size);
        update(&mut app, ch('s'));
        app
    });
}

#[test]
fn snapshot_the_register_export_line_and_a_bad_period() {
    snapshot_each!("register_export", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        update(&mut app, ch('5'));
        update(&mut app, ch('x'));
        app
    });
    snapshot_each!("register_bad_period", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        update(&mut app, ch('5'));
        update(&mut app, ch(':'));
        for c in "so 2026-03-31 2026-03-01".chars() {
            update(&mut app, ch(c));
        }
        update(&mut app, key(KeyCode::Enter));
        app
    });
}

#[test]
fn snapshot_printing_the_receipt_with_no_printer() {
    snapshot_each!("receipt_no_printer", SIZES, |lang, size| {
        let mut app = logged_in(lang, false, size);
        app.tab = Tab::Intake;
        app.intake.step = WizardStep::Done;
        let mut d = dossier();
        d.received_at = Some("2026-11-24T09:00:00+07:00".into());
        app.intake.created = Some(Box::new(d));
        let j = job(&update(&mut app, ch('p')));
        update(
            &mut app,
            Action::PaperDone(j.id, Ok(outcome(Some(Err(PrintProblem::NotConfigured))))),
        );
        app
    });
}

#[test]
fn the_save_prompt_starts_in_the_printing_folder_and_another_may_be_typed() {
    let mut app = receipt_view();
    app.paper_folder = Some(PathBuf::from("/srv/giấy tờ"));
    let code = "000.01.27.H07-261124-0001";
    update(&mut app, ch('s'));
    let Some(Overlay::Form(view)) = &app.overlay else {
        panic!("no form view")
    };
    let offered: String = view.save_to.as_ref().unwrap().lines().join("");
    assert_eq!(offered, format!("/srv/giấy tờ/{code}-mau-01.pdf"));
    // The officer types another folder instead (the runtime puts the name in it).
    for _ in 0..offered.chars().count() {
        update(&mut app, key(KeyCode::Backspace));
    }
    for c in "/media/usb/".chars() {
        update(&mut app, ch(c));
    }
    let j = job(&update(&mut app, key(KeyCode::Enter)));
    assert_eq!(j.file.as_deref(), Some("/media/usb/"));
    assert!(!j.print);
}
