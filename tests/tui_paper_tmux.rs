//! Paper end to end in tmux: the real `motcua` against the real portal on loopback. After
//! a desk intake one key saves the receipt as the portal's PDF, one prints it: with no
//! printer configured it says so and saves the file; with one, the print command gets
//! the PDF (a stand-in `lp` that writes down what it was given). The files are read back
//! with poppler.

mod common;

use common::pdf::Pdf;
use common::tmux::Screen;
use common::{DEMO_PASSWORD, Portal};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use std::path::PathBuf;

/// A Wednesday morning, so that the intake's due date is a working day whatever day the
/// test runs.
const WEDNESDAY_MORNING: &str = "2026-03-04T09:00:00+07:00";

/// The identity number of office 1's first demo citizen.
async fn demo_number(portal: &Portal) -> String {
    let (id, _) = portal.citizen_of(1).await;
    sqlx::query_scalar("SELECT id_number FROM citizens WHERE public_id = $1")
        .bind(id)
        .fetch_one(&portal.running.state.db)
        .await
        .unwrap()
}

/// Logs in and takes a marriage registration in (free, documents on paper) for the
/// citizen with `number`; the dossier's code, from the done screen.
async fn take_one_in(app: &Screen, number: &str) -> String {
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    app.keys(&["2"]);
    app.wait_for("Tìm thủ tục").await;
    app.type_text("ket hon");
    app.wait_for("Thành phần hồ sơ").await;
    app.keys(&["Enter"]);
    let screen = app
        .until("the case chooser or the applicant step", |s| {
            s.contains("Chọn trường hợp") || s.contains("Số định danh / QR / tên")
        })
        .await;
    if screen.contains("Chọn trường hợp") {
        app.keys(&["Enter"]);
    }
    app.wait_for("Số định danh / QR / tên").await;
    app.type_text(number);
    app.keys(&["Enter"]);
    app.wait_for("Người yêu cầu:").await;
    app.wait_for("Người nộp hồ sơ:").await;
    app.keys(&["Enter"]);
    app.wait_for("[ ]").await;
    let parts = app.screen().lines().filter(|l| l.contains("[ ]")).count();
    for _ in 0..parts {
        app.keys(&["Space", "Down"]);
    }
    app.keys(&["Enter"]);
    app.wait_for("Nhận trực tiếp tại Bộ phận Một cửa").await;
    app.keys(&["Enter"]);
    app.wait_for("Người nộp cam đoan").await;
    app.keys(&["Space", "Enter"]);
    let done = app.wait_for("Đã tiếp nhận hồ sơ").await;
    done.split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .find(|w| w.starts_with("000.01.27.H07-"))
        .expect("the code on the done screen")
        .to_owned()
}

/// The receipt's PDF under the app's HOME, if it is there.
fn receipt_file(app: &Screen, code: &str) -> Option<(PathBuf, Vec<u8>)> {
    let name = format!("{code}-mau-01.pdf");
    app.files()
        .into_iter()
        .find(|(path, _)| path.file_name().is_some_and(|n| n == name.as_str()))
}

/// The receipt is the portal's: the code, the applicant, the form's number and circular.
fn check_receipt(bytes: &[u8], code: &str, applicant: &str) {
    let pdf = Pdf::new(bytes);
    assert_eq!(pdf.assert_a4_with_embedded_fonts(false), 2, "two copies");
    let text = pdf.flat();
    for needle in [
        code,
        applicant,
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Mẫu số 01 - Thông tư 03/2025/TT-VPCP",
    ] {
        assert!(text.contains(needle), "{needle:?} in\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn after_an_intake_one_key_saves_the_receipt_and_printing_without_a_printer_saves_it() {
    let portal = Portal::at(WEDNESDAY_MORNING, Settings::default(), Seed::Demo).await;
    let number = demo_number(&portal).await;
    let (_, applicant) = portal.citizen_of(1).await;
    // No [printing] section: no printer.
    let app = Screen::start("paper", &portal.base, "");
    let code = take_one_in(&app, &number).await;

    // `s`: the receipt as PDF, in the printing folder (motcua under the home folder).
    app.keys(&["s"]);
    let screen = app.wait_for("Đã lưu").await;
    assert!(screen.contains(&format!("{code}-mau-01.pdf")), "{screen}");
    let (path, bytes) = receipt_file(&app, &code).expect("the receipt was saved");
    assert_eq!(path.parent().unwrap(), app.home.path().join("motcua"));
    check_receipt(&bytes, &code, &applicant);

    // `p` with no printer: it says so, and the file is saved (again) for later.
    std::fs::remove_file(&path).unwrap();
    app.keys(&["p"]);
    app.wait_for("Chưa khai báo máy in").await;
    let (_, bytes) = receipt_file(&app, &code).expect("the receipt was saved to print later");
    check_receipt(&bytes, &code, &applicant);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn with_a_printer_configured_the_receipt_goes_to_the_print_command() {
    use std::os::unix::fs::PermissionsExt;
    let portal = Portal::at(WEDNESDAY_MORNING, Settings::default(), Seed::Demo).await;
    let number = demo_number(&portal).await;
    let (_, applicant) = portal.citizen_of(1).await;
    // A stand-in for CUPS's `lp`: it writes its arguments down, keeps a copy of the file
    // it was given, and answers as lp does.
    let tools = tempfile::tempdir().unwrap();
    let args = tools.path().join("args");
    let copy = tools.path().join("printed.pdf");
    let lp = tools.path().join("lp");
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\nfor f; do :; done\ncp \"$f\" '{}'\n\
             echo 'request id is MotCua-7 (1 file(s))'\n",
            args.display(),
            copy.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).unwrap();
    let folder = tools.path().join("giấy tờ in");
    let config = format!(
        "\n[printing]\nprinter = \"Phong_Mot_Cua\"\npaper = \"A4\"\ncopies = 2\n\
         folder = \"{}\"\ncommand = \"{}\"\n",
        folder.display(),
        lp.display()
    );
    let app = Screen::start("print", &portal.base, &config);
    let code = take_one_in(&app, &number).await;

    app.keys(&["p"]);
    app.wait_for("MotCua-7").await;
    let saved = folder.join(format!("{code}-mau-01.pdf"));
    let told: Vec<String> = std::fs::read_to_string(&args)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        told,
        [
            "-d",
            "Phong_Mot_Cua",
            "-n",
            "2",
            "-o",
            "media=A4",
            saved.to_str().unwrap()
        ]
    );
    check_receipt(&std::fs::read(&copy).unwrap(), &code, &applicant);
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&saved).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_statistics_pane_exports_this_months_register() {
    let portal = Portal::at(WEDNESDAY_MORNING, Settings::default(), Seed::Demo).await;
    let app = Screen::start("register", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    app.keys(&["5"]);
    app.wait_for("xuất sổ theo dõi").await;
    // `x`: the command line, filled in with this month so far (the portal's clock).
    app.keys(&["x"]);
    app.wait_for("so 2026-03-01 2026-03-04 pdf").await;
    app.keys(&["Enter"]);
    let name = "so-theo-doi-ho-so-20260301-20260304.pdf";
    app.wait_for(name).await;
    let (path, bytes) = app
        .files()
        .into_iter()
        .find(|(p, _)| p.file_name().is_some_and(|n| n == name))
        .expect("the register was saved");
    assert_eq!(path.parent().unwrap(), app.home.path().join("motcua"));
    let pdf = Pdf::new(&bytes);
    pdf.assert_a4_with_embedded_fonts(true);
    let text = pdf.flat();
    assert!(text.contains("SỔ THEO DÕI HỒ SƠ"), "{text}");
    assert!(
        text.contains("Từ ngày 01/03/2026 đến ngày 04/03/2026"),
        "{text}"
    );
}
