//! Training mode end to end, in tmux: the real `motcua training --pace 0` (its sandbox
//! portal in-process, seeded with the demo data, in a data directory of each test's own)
//! driven only by keystrokes, as a trainee would.
//!
//! What it proves: exercises 1–9, 12 and 15 can each be completed through the keyboard
//! and the trainee sees it marked done (the "✓ Hoàn thành bài N" toast, the ✓ on its row
//! in `:baitap` and the count in its header); and a wrong action — refusing a dossier
//! without a reason — is caught with the rule's own message, shown in the dialog,
//! counted as a mistake and quoted in `:baitap` as exercise 2's last mistake (and not under
//! the exercise the screen opens on).
//!
//! Each test has its own sandbox; they run side by side:
//! - the quiz (1), the refusal without a reason, an online dossier received then
//!   forwarded (2) and a supplement request (4);
//! - desk intakes: the intake itself (3), a fee paid in cash (8) and by VietQR (9);
//! - exercise 9 again in a terminal of 80×24, the VietQR code drawn whole on screen;
//! - a citizen account created at the desk and activated by the "citizen" (7);
//! - an extension by the leader (5), then an approval by the leader and the result
//!   returned by reception with its handover (6), and the citizen's rating on the
//!   satisfaction screen that follows (12);
//! - a dossier taken in with the link cut (`:offline`), judged only once `:online` has
//!   let it arrive, then forwarded (15).
//!
//! Waits poll the screen with a deadline (`Screen::until`), never a blind sleep.

mod common;

use common::DEMO_PASSWORD;
use common::tmux::Screen;
use motcua::domain::workflow::{Input, Refusal};
use motcua::domain::{Lang, RuleError};
use motcua::training::exercises::{EXERCISES, QUIZ};

const CODE_PREFIX: &str = "000.01.27.H07-";

/// The inbox rows on the screen, top to bottom: each row's code and its line. Only the
/// list's rows (the code right after the queue column), never a toast naming a dossier.
fn rows(screen: &str) -> Vec<(String, &str)> {
    screen
        .lines()
        .filter_map(|l| {
            let cell = l.split('│').nth(1)?;
            let code = cell.split_whitespace().next()?;
            code.starts_with(CODE_PREFIX).then(|| (code.to_owned(), l))
        })
        .collect()
}

/// The count in the list's header ("N hồ sơ đang hiển thị").
fn shown_count(screen: &str) -> Option<usize> {
    let line = screen
        .lines()
        .find(|l| l.contains(" hồ sơ đang hiển thị"))?;
    let before = &line[..line.find(" hồ sơ đang hiển thị")?];
    before.split_whitespace().last()?.parse().ok()
}

/// Whether the list shows as many rows as its header counts ("N hồ sơ đang hiển thị"):
/// after a queue switch the list may stay scrolled down past rows that would fit
/// (`Inbox::scroll_into_view` never scrolls back up when the view shrinks), so a row's
/// place is read only once every row is in sight.
fn all_rows_shown(screen: &str) -> bool {
    shown_count(screen).is_some_and(|n| n == rows(screen).len())
}

fn codes(screen: &str) -> Vec<String> {
    rows(screen).into_iter().map(|(code, _)| code).collect()
}

/// The screen as one line of words, borders dropped: a message that wraps still matches.
fn squash(text: &str) -> String {
    text.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What follows `label` on its line, up to the next two spaces or border.
fn value_after<'a>(screen: &'a str, label: &str) -> Option<&'a str> {
    let line = screen.lines().find(|l| l.contains(label))?;
    let rest = &line[line.find(label)? + label.len()..];
    let rest = rest.split(['│', '┌']).next()?.trim_start();
    Some(rest.split("  ").next()?.trim())
}

/// The line after the one that is only `heading` (a section of the dossier detail).
fn line_after<'a>(screen: &'a str, heading: &str) -> Option<&'a str> {
    let mut lines = screen.lines();
    lines.find(|l| l.split(['│', '┌', '└']).any(|seg| seg.trim() == heading))?;
    lines.next()
}

/// The exercises screen's title: "Bài tập — xong N/15 · điểm S/150 · lỗi M".
fn exercises_header(screen: &str) -> String {
    let line = screen
        .lines()
        .find(|l| l.contains("Bài tập — xong"))
        .unwrap_or_else(|| panic!("no exercises screen:\n{screen}"));
    let start = line.find("Bài tập — xong").unwrap();
    line[start..].split(" ─").next().unwrap().trim().to_owned()
}

/// The toast an exercise's completion shows (its first line: the title may wrap).
fn done_toast(n: usize) -> String {
    format!("✓ Hoàn thành bài {n}:")
}

/// The exercise's row in `:baitap`, ticked.
fn ticked(n: usize) -> String {
    format!("✓ {n}. {}", EXERCISES[n - 1].vi.title)
}

/// Starts the training app and waits for its login screen with the sandbox profile.
async fn training(name: &str) -> Screen {
    let app = Screen::start_training(name);
    app.until("the training login screen", |s| {
        s.contains("Đào tạo (máy này)") && s.contains("Tên đăng nhập")
    })
    .await;
    app
}

/// Waits for the inbox after a login, with the training banner's progress loaded.
async fn logged_in(app: &Screen, username: &str) -> String {
    let who = format!(" {username} · ");
    app.until(
        &format!("{username}'s inbox and the exercise banner"),
        |s| {
            s.contains(&who)
                && s.contains("ĐÀO TẠO / TRAINING ·")
                && s.contains("· Điểm ")
                && s.contains("Mã hồ sơ")
        },
    )
    .await
}

async fn first_login(app: &Screen, username: &str) {
    app.log_in(username, DEMO_PASSWORD).await;
    logged_in(app, username).await;
}

/// From the inbox list: Ctrl-L, then the login form again, under another name (the last
/// one is remembered and the form waits on the password).
async fn switch_user(app: &Screen, username: &str) {
    app.keys(&["C-l"]);
    app.wait_for("Tên đăng nhập").await;
    app.keys(&["BTab"]);
    app.keys(&["BSpace"; 20]);
    app.until("the username cleared", |s| {
        value_after(s, "Tên đăng nhập:").is_some_and(str::is_empty)
    })
    .await;
    app.type_text(username);
    app.keys(&["Tab"]);
    app.type_text(DEMO_PASSWORD);
    app.keys(&["Enter"]);
    logged_in(app, username).await;
}

/// Types a `:` command and Enter.
fn command(app: &Screen, text: &str) {
    app.keys(&[":"]);
    app.type_text(text);
    app.keys(&["Enter"]);
}

/// `:baitap`, from the inbox: the exercises screen.
async fn open_exercises(app: &Screen) -> String {
    command(app, "baitap");
    app.wait_for("Bài tập — xong").await
}

/// Selects exercise `n` (from 1) on the exercises screen: its task shows below the list.
async fn select_exercise(app: &Screen, n: usize) -> String {
    app.keys(&vec!["Up"; EXERCISES.len()]);
    app.keys(&vec!["Down"; n - 1]);
    let title = EXERCISES[n - 1].vi.title;
    app.until(&format!("exercise {n} selected"), |s| {
        s.lines()
            .any(|l| l.split('│').any(|seg| seg.trim() == title))
    })
    .await
}

/// Closes the exercises screen (or any overlay) back to the inbox list.
async fn close_overlay(app: &Screen) {
    app.keys(&["Escape"]);
    app.until("the overlay to close", |s| {
        !s.contains("Bài tập — xong") && s.contains("Mã hồ sơ") && s.contains("Hàng đợi")
    })
    .await;
}

/// Back from a dossier's detail to the inbox list.
async fn back_to_list(app: &Screen) {
    app.keys(&["Escape"]);
    app.until("the inbox list", |s| {
        s.contains("Hàng đợi") && s.contains("Mã hồ sơ")
    })
    .await;
}

/// Opens the dossier with `code` from the inbox list: queue "Tất cả", `/` and the code,
/// then the row that is exactly that dossier (the filter matches words by their start,
/// so another dossier of the same day may be listed too).
async fn open_dossier(app: &Screen, code: &str) -> String {
    command(app, "queue all");
    app.wait_for("◀ Tất cả (").await;
    app.keys(&["/"]);
    app.keys(&["BSpace"; 40]);
    app.type_text(code);
    app.until(&format!("{code} in the filtered list"), |s| {
        s.contains(&format!("/ {code}")) && codes(s).iter().any(|c| c == code)
    })
    .await;
    // Enter: the filter keeps its text, the list has the keyboard again. Home: the top
    // of the list, every match in sight (see `all_rows_shown`).
    app.keys(&["Enter", "Home"]);
    let list = app
        .until(&format!("every match of {code} in sight"), |s| {
            all_rows_shown(s) && codes(s).iter().any(|c| c == code)
        })
        .await;
    let at = codes(&list).iter().position(|c| c == code).unwrap();
    app.keys(&vec!["Down"; at]);
    app.keys(&["Enter"]);
    detail_of(app, code).await
}

/// Waits for the detail of `code`, loaded.
async fn detail_of(app: &Screen, code: &str) -> String {
    let title = format!("┌ {code} ─");
    app.until(&format!("the detail of {code}"), |s| {
        s.contains(&title) && s.contains("Trạng thái:")
    })
    .await
}

/// On a dossier's detail: `a`, then the action called `label` in the menu (found by its
/// place in the menu as drawn). Answers the dialog's screen.
async fn choose_action(app: &Screen, code: &str, label: &str) -> String {
    app.keys(&["a"]);
    let menu_title = format!("┌ Thao tác — {code}");
    let screen = app.wait_for(&menu_title).await;
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines.iter().position(|l| l.contains(&menu_title)).unwrap();
    let column = lines[top][..lines[top].find(&menu_title).unwrap()]
        .chars()
        .count();
    let mut items = Vec::new();
    for line in &lines[top + 1..] {
        let cells: Vec<char> = line.chars().collect();
        if cells.get(column) != Some(&'│') {
            break;
        }
        let item: String = cells[column + 1..]
            .iter()
            .take_while(|c| !matches!(c, '│' | '┌' | '└'))
            .collect();
        if !item.trim().is_empty() {
            items.push(item.trim().to_owned());
        }
    }
    let at = items
        .iter()
        .position(|i| i == label)
        .unwrap_or_else(|| panic!("no {label:?} in the menu {items:?}:\n{screen}"));
    app.keys(&vec!["Down"; at]);
    app.keys(&["Enter"]);
    app.wait_for(&format!("┌ {label} — {code}")).await
}

/// The dialog asks for confirmation; Enter sends. Waits for the portal's answer (the
/// toast naming the action and the dossier).
async fn send(app: &Screen, code: &str, label: &str) -> String {
    app.wait_for(&format!("Xác nhận {label} hồ sơ {code}?"))
        .await;
    app.keys(&["Enter"]);
    app.wait_for(&format!("{label}: hồ sơ {code}")).await
}

/// The dialog's fields filled: Enter on the last one asks for confirmation, then [`send`].
async fn confirm_and_send(app: &Screen, code: &str, label: &str) -> String {
    app.keys(&["Enter"]);
    send(app, code, label).await
}

/// As [`confirm_and_send`], for the return: no toast follows it, the satisfaction screen
/// does (and says the result is returned itself).
async fn confirm_and_send_quietly(app: &Screen, code: &str, label: &str) {
    app.keys(&["Enter"]);
    app.wait_for(&format!("Xác nhận {label} hồ sơ {code}?"))
        .await;
    app.keys(&["Enter"]);
}

/// Empties the inbox filter (`/`, the text erased, Enter).
async fn clear_filter(app: &Screen) {
    app.keys(&["/"]);
    app.keys(&["BSpace"; 40]);
    app.keys(&["Enter"]);
    app.wait_for("nhấn / để lọc").await;
}

/// A citizen's identity number, read from the first dossier of the inbox.
async fn a_citizen_number(app: &Screen) -> String {
    let list = app.until("a dossier row", |s| !codes(s).is_empty()).await;
    let code = codes(&list)[0].clone();
    app.keys(&["Enter"]);
    detail_of(app, &code).await;
    // The detail's title can be drawn before its applicant under load: wait for the number.
    let twelve_digits = |n: &str| n.len() == 12 && n.chars().all(|c| c.is_ascii_digit());
    let detail = app
        .until("the applicant's number", |s| {
            value_after(s, "số định danh ").is_some_and(twelve_digits)
        })
        .await;
    let number = value_after(&detail, "số định danh ")
        .expect("the applicant's number")
        .to_owned();
    assert!(
        number.len() == 12 && number.chars().all(|c| c.is_ascii_digit()),
        "{number:?}"
    );
    back_to_list(app).await;
    number
}

enum Pay<'a> {
    Free,
    Cash(&'a str),
    VietQr,
}

/// Tab 2, a new intake: procedure (first case), applicant by number, the mandatory
/// parts on paper, delivery at the desk, the payment, the declaration, submit. Answers
/// the done screen and the new dossier's code.
async fn desk_intake(app: &Screen, search: &str, number: &str, pay: Pay<'_>) -> (String, String) {
    // From the inbox the key is 2 (Alt+2 switches tabs only from the desk panes); from
    // the desk panes, where 2 is typed, Alt+2.
    if app.screen().contains("Hàng đợi") {
        app.keys(&["2"]);
    } else {
        app.keys(&["M-2"]);
    }
    let screen = app
        .until("the intake tab", |s| {
            s.contains("Tìm thủ tục") || s.contains("Đã tiếp nhận hồ sơ")
        })
        .await;
    if !screen.contains("Tìm thủ tục") {
        // The done screen of the last intake: a new one.
        app.keys(&["n"]);
        app.wait_for("Tìm thủ tục").await;
    }
    app.type_text(search);
    app.until(&format!("the procedures matching {search:?}"), |s| {
        s.lines()
            .any(|l| l.contains("Tìm thủ tục") && l.contains(search))
            && s.contains("Thành phần hồ sơ")
    })
    .await;
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
    app.keys(&["Enter"]);
    let parts = app.wait_for("[ ]").await;
    for line in parts.lines().filter(|l| l.contains("[ ]")) {
        if line.contains("(*)") {
            app.keys(&["Space"]);
        }
        app.keys(&["Down"]);
    }
    app.until("the mandatory parts ticked", |s| {
        !s.lines().any(|l| l.contains("[ ]") && l.contains("(*)"))
    })
    .await;
    app.keys(&["Enter"]);
    app.wait_for("(•) Nhận trực tiếp tại Bộ phận Một cửa").await;
    app.keys(&["Enter"]);
    app.wait_for("Người nộp cam đoan").await;
    match pay {
        Pay::Free => {}
        Pay::Cash(receipt) => {
            app.wait_for("(•) Tiền mặt").await;
            app.keys(&["Tab"]);
            app.type_text(receipt);
            app.wait_for(receipt).await;
            app.keys(&["Tab"]);
        }
        Pay::VietQr => {
            app.keys(&["Right"]);
            app.wait_for("(•) VietQR").await;
            app.keys(&["Tab"]);
        }
    }
    app.keys(&["Space"]);
    app.wait_for("[x] Người nộp cam đoan").await;
    app.keys(&["Enter"]);
    let done = app
        .until("the done screen with the code", |s| {
            s.contains("Đã tiếp nhận hồ sơ") && s.contains("Mã hồ sơ: ")
        })
        .await;
    let code = value_after(&done, "Mã hồ sơ: ")
        .expect("the code on the done screen")
        .to_owned();
    assert!(code.starts_with(CODE_PREFIX), "{code}");
    (done, code)
}

#[tokio::test(flavor = "multi_thread")]
async fn quiz_refusal_without_a_reason_online_intake_and_supplement() {
    let app = training("training-a").await;
    first_login(&app, "tiepnhan1").await;

    // 1. The quiz: each question on screen, answered with its number.
    let screen = open_exercises(&app).await;
    assert!(
        exercises_header(&screen).contains("xong 0/15"),
        "a fresh sandbox:\n{screen}"
    );
    for (i, q) in QUIZ.iter().enumerate() {
        let question = format!("Câu {}/{}: {}", i + 1, QUIZ.len(), q.vi.0);
        app.wait_for(&question).await;
        let answer = (q.right + 1).to_string();
        app.keys(&[answer.as_str()]);
    }
    app.wait_for(&done_toast(1)).await;
    app.wait_for(&ticked(1)).await;
    app.wait_for("Đã trả lời đúng cả bốn câu.").await;
    close_overlay(&app).await;

    // The wrong action: refusing an online dossier with no reason. The dialog says the
    // rule's own message, and training notes the mistake.
    let list = app
        .until("the online queue with a dossier", |s| {
            s.contains("◀ Chờ tiếp nhận trực tuyến (") && !codes(s).is_empty()
        })
        .await;
    let code = codes(&list)[0].clone();
    app.keys(&["Enter"]);
    detail_of(&app, &code).await;
    choose_action(&app, &code, "Từ chối tiếp nhận").await;
    app.keys(&["Enter"]);
    let rule = Refusal::MissingInput(Input::Reason).message(Lang::Vi);
    let screen = app.wait_for(&rule).await;
    assert!(
        screen.contains(&format!("┌ Từ chối tiếp nhận — {code}")),
        "the dialog stays open:\n{screen}"
    );
    app.wait_for("Bài tập: ghi nhận 1 lỗi").await;
    app.keys(&["Escape"]);
    app.until("the dialog to close", |s| {
        !s.contains("┌ Từ chối tiếp nhận —")
    })
    .await;
    let detail = detail_of(&app, &code).await;
    assert!(
        detail.contains("Trạng thái: Mới đăng ký (trực tuyến, chờ tiếp nhận)"),
        "nothing was sent:\n{detail}"
    );

    // 2. The same dossier received, then forwarded to the specialist.
    choose_action(&app, &code, "Tiếp nhận").await;
    send(&app, &code, "Tiếp nhận").await;
    app.wait_for("Trạng thái: Đã tiếp nhận").await;
    choose_action(&app, &code, "Chuyển xử lý").await;
    app.type_text("chuyenvien1");
    app.wait_for("chuyenvien1").await;
    confirm_and_send(&app, &code, "Chuyển xử lý").await;
    app.wait_for("Trạng thái: Đang xử lý").await;
    app.wait_for(&done_toast(2)).await;

    // 4. A supplement request on the next online dossier: the reason and the missing
    // documents, separated by ";".
    back_to_list(&app).await;
    let list = app
        .until("another online dossier", |s| {
            codes(s).first().is_some_and(|c| c != &code)
        })
        .await;
    let other = codes(&list)[0].clone();
    app.keys(&["Home", "Enter"]);
    detail_of(&app, &other).await;
    choose_action(&app, &other, "Yêu cầu bổ sung").await;
    app.type_text("Thiếu giấy tờ chứng minh nhân thân");
    app.keys(&["Tab"]);
    app.type_text("Bản sao căn cước; Giấy ủy quyền");
    app.wait_for("Bản sao căn cước; Giấy ủy quyền").await;
    confirm_and_send(&app, &other, "Yêu cầu bổ sung").await;
    app.wait_for("Trạng thái: Yêu cầu bổ sung hồ sơ").await;
    app.wait_for(&done_toast(4)).await;

    // `:baitap`: three done, one mistake, quoted with the rule's message.
    back_to_list(&app).await;
    open_exercises(&app).await;
    let screen = app
        .until("exercises 1, 2 and 4 ticked", |s| {
            [1, 2, 4].iter().all(|n| s.contains(&ticked(*n)))
        })
        .await;
    assert_eq!(
        exercises_header(&screen),
        "Bài tập — xong 3/15 · điểm 29/150 · lỗi 1",
        "{screen}"
    );
    // The banner moves on to the first exercise not done, where the screen opened; the
    // refusal is exercise 2's mistake, not that one's.
    assert!(
        screen.contains(&format!("Bài 3/15: {}", EXERCISES[2].vi.title)),
        "{screen}"
    );
    let last = squash(&format!(
        "Lỗi gần nhất: «Từ chối tiếp nhận» hồ sơ {code}: {rule}"
    ));
    assert!(!squash(&screen).contains("Lỗi gần nhất"), "{screen}");
    // Exercise 2 quotes it, with the rule's message (once the toasts over it are gone).
    select_exercise(&app, 2).await;
    app.until(&last, |s| squash(s).contains(&last)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn desk_intakes_paid_in_cash_and_by_vietqr() {
    let app = training("training-b").await;
    first_login(&app, "tiepnhan1").await;
    let number = a_citizen_number(&app).await;

    // 3 and 8: a copy of a civil status extract (8.000 đ), paid in cash at the desk.
    let (_, cash_code) = desk_intake(&app, "trich luc", &number, Pay::Cash("BL-2026-0001")).await;
    app.wait_for("8.000 đ — đã thu tiền mặt, biên lai BL-2026-0001")
        .await;
    app.wait_for(&done_toast(3)).await;
    app.wait_for(&done_toast(8)).await;

    // 9: the same procedure, by VietQR; the sandbox's bank pays a few seconds after the
    // code is on screen.
    let (_, qr_code) = desk_intake(&app, "trich luc", &number, Pay::VietQr).await;
    assert_ne!(cash_code, qr_code);
    let short = qr_code.trim_start_matches(CODE_PREFIX);
    // The code is on screen until the bank's notice arrives (about 3 s, then the next
    // refresh); then the line says the transfer came in.
    let paid_line = "8.000 đ — đã nhận chuyển khoản VietQR";
    let waiting_line = format!("công dân quét mã VietQR, nội dung HS {short}");
    let qr_drawn = |s: &str| s.contains("█▀▀▀▀▀█");
    let screen = app
        .until("the QR code beside its line, or the bank's payment", |s| {
            (s.contains(&waiting_line) && qr_drawn(s)) || s.contains(paid_line)
        })
        .await;
    assert!(
        !screen.contains("Cửa sổ quá nhỏ để hiện mã QR"),
        "a 120-column terminal shows the code: {screen}"
    );
    let screen = app.wait_for(paid_line).await;
    assert!(!qr_drawn(&screen), "the code goes once paid: {screen}");
    app.wait_for(&done_toast(9)).await;

    app.keys(&["M-1"]);
    app.wait_for("Hàng đợi").await;
    open_exercises(&app).await;
    let screen = app
        .until("exercises 3, 8 and 9 ticked", |s| {
            [3, 8, 9].iter().all(|n| s.contains(&ticked(*n)))
        })
        .await;
    assert_eq!(
        exercises_header(&screen),
        "Bài tập — xong 3/15 · điểm 30/150 · lỗi 0",
        "{screen}"
    );
}

/// The rows of the VietQR code the sandbox's office 1 shows for a fee of `amount` on the
/// dossier `code`, as the screen draws them (the rows that carry modules): its account is
/// the demo seed's (`src/portal/seed/demo.toml`).
fn vietqr_rows(code: &str, amount: u64) -> Vec<String> {
    let short = code.trim_start_matches(CODE_PREFIX);
    let payload = motcua::domain::vietqr::build(&motcua::domain::vietqr::VietQrRequest {
        bank_bin: "970405".into(),
        account: "7300000000101".into(),
        amount: Some(amount),
        purpose: Some(motcua::api::payments::purpose(short)),
    })
    .unwrap();
    motcua::tui::view::qr_rows(&payload)
        .into_iter()
        .map(|r| r.trim_end().to_owned())
        .filter(|r| !r.trim().is_empty())
        .collect()
}

/// Exercise 9 at 80×24, the smallest terminal the course allows: the code is drawn whole
/// (the Intake frame gives way), which is what the sandbox hears and its bank pays.
#[tokio::test(flavor = "multi_thread")]
async fn exercise_9_at_80x24_with_the_vietqr_code_drawn_whole() {
    let app = training("training-80x24").await;
    first_login(&app, "tiepnhan1").await;
    // A citizen's number from a dossier's detail, read with the queue column in sight.
    let number = a_citizen_number(&app).await;
    app.resize(80, 24);
    app.until("the screen at 80 columns", |s| {
        s.lines().all(|l| l.chars().count() <= 80) && s.contains("hồ sơ đang hiển thị")
    })
    .await;
    assert_eq!(
        app.tmux(&["display", "-p", "#{window_width}x#{window_height}"])
            .trim(),
        "80x24"
    );
    app.keys(&["2"]);
    let (_, code) = desk_intake(&app, "trich luc", &number, Pay::VietQr).await;
    // Every row of the code in one screen, and no line asking for a bigger window.
    let rows = vietqr_rows(&code, 8000);
    let screen = app
        .until("the whole VietQR code on the 80×24 screen", |s| {
            rows.iter().all(|r| s.contains(r.as_str()))
        })
        .await;
    assert!(!screen.contains("Cửa sổ quá nhỏ"), "{screen}");
    assert!(
        screen.contains("ĐÀO TẠO / TRAINING"),
        "the banner stays: {screen}"
    );
    // The sandbox heard of it: its bank pays, the code goes, exercise 9 is done.
    let paid = app.wait_for("8.000 đ — đã nhận chuyển khoản VietQR").await;
    assert!(!rows.iter().any(|r| paid.contains(r.as_str())), "{paid}");
    app.wait_for(&done_toast(9)).await;
    app.keys(&["M-1"]);
    app.wait_for("hồ sơ đang hiển thị").await;
    open_exercises(&app).await;
    app.keys(&["Down"; 8]);
    let screen = app
        .until("exercise 9 ticked", |s| s.contains(&ticked(9)))
        .await;
    assert!(
        exercises_header(&screen).starts_with("Bài tập — xong 2/15"),
        "3 and 9: {screen}"
    );
    assert!(
        screen.contains(&format!("✓ {}", EXERCISES[8].vi.steps[0])),
        "{screen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_citizen_account_created_then_activated_with_the_slip_code() {
    let app = training("training-c").await;
    first_login(&app, "tiepnhan1").await;

    // 7, step 1: the account, in tab 3 with Ctrl-N; the slip shows the activation code.
    let number = "083191234561";
    app.create_citizen(number).await;
    let slip = app
        .until("the slip with the activation code", |s| {
            s.contains("PHIẾU KÍCH HOẠT TÀI KHOẢN")
                && value_after(s, "Mã kích hoạt:").is_some_and(|v| !v.is_empty())
        })
        .await;
    let activation = value_after(&slip, "Mã kích hoạt:").unwrap().to_owned();
    app.keys(&["Escape"]);
    app.until("the slip to close", |s| !s.contains("PHIẾU KÍCH HOẠT"))
        .await;
    app.keys(&["Escape"]);
    app.wait_for("Tìm công dân").await;
    app.keys(&["M-1"]);
    app.wait_for("Hàng đợi").await;

    // Step 2: the trainee plays the citizen on the exercises screen.
    open_exercises(&app).await;
    select_exercise(&app, 7).await;
    app.until("the account's creation noted (step 1 of 7)", |s| {
        s.contains(&format!("◐ 7. {}", EXERCISES[6].vi.title))
    })
    .await;
    app.keys(&["c"]);
    let form = app
        .wait_for("Công dân kích hoạt tài khoản (mô phỏng trang của Cổng)")
        .await;
    assert_eq!(
        value_after(&form, "Số định danh  "),
        Some(number),
        "prefilled with the account just made:\n{form}"
    );
    app.type_text(&activation);
    app.keys(&["Tab"]);
    app.type_text("Matkhau-moi-2026");
    app.keys(&["Enter"]);
    app.wait_for("Công dân đã kích hoạt tài khoản.").await;
    app.wait_for(&done_toast(7)).await;
    let screen = app.wait_for(&ticked(7)).await;
    assert_eq!(
        exercises_header(&screen),
        "Bài tập — xong 1/15 · điểm 10/150 · lỗi 0",
        "{screen}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_leader_extends_and_approves_then_reception_returns_the_result() {
    let app = training("training-d").await;
    first_login(&app, "tiepnhan1").await;

    // A dossier that can still be extended (at the latest 1 working day before its due
    // time): the seeded dossiers in progress are overdue or due today, too late, so
    // reception takes in a three-working-day procedure at the desk and forwards it.
    let number = a_citizen_number(&app).await;
    let (done, code) = desk_intake(&app, "tinh trang hon nhan", &number, Pay::Free).await;
    assert!(done.contains("Phí, lệ phí: Miễn phí"), "{done}");
    app.wait_for(&done_toast(3)).await;
    app.keys(&["o"]); // the done screen opens the dossier
    detail_of(&app, &code).await;
    choose_action(&app, &code, "Chuyển xử lý").await;
    app.type_text("chuyenvien1");
    app.wait_for("chuyenvien1").await;
    confirm_and_send(&app, &code, "Chuyển xử lý").await;
    app.wait_for("Trạng thái: Đang xử lý").await;
    back_to_list(&app).await;

    // 5. The leader extends it, a week past its due date.
    switch_user(&app, "lanhdao1").await;
    let detail = open_dossier(&app, &code).await;
    let due = value_after(&detail, "Hẹn trả: ").expect("the due time");
    let due_date = due.split_whitespace().nth(1).expect("HH:MM DD/MM/YYYY");
    let due_date = chrono::NaiveDate::parse_from_str(due_date, "%d/%m/%Y").unwrap();
    let new_due = (due_date + chrono::Days::new(7))
        .format("%d/%m/%Y")
        .to_string();
    choose_action(&app, &code, "Gia hạn (xin lỗi)").await;
    app.type_text("Cần xác minh với nơi cư trú trước đây của công dân");
    app.keys(&["Tab"]);
    app.type_text(&new_due);
    app.wait_for(&new_due).await;
    confirm_and_send(&app, &code, "Gia hạn (xin lỗi)").await;
    app.wait_for(&format!("Hẹn trả: 17:00 {new_due}")).await;
    app.wait_for(&done_toast(5)).await;
    back_to_list(&app).await;
    clear_filter(&app).await;

    // 6, step 1: the leader approves a dossier awaiting approval whose fee is settled
    // (returning one with an unpaid fee would be refused).
    command(&app, "queue in_progress");
    app.wait_for("◀ Đang xử lý (").await;
    app.keys(&["Home"]);
    let list = app
        .until(
            "the dossiers in progress, awaiting approval among them",
            |s| all_rows_shown(s) && s.contains("Chờ lãnh đạo duyệt"),
        )
        .await;
    let waiting: Vec<String> = rows(&list)
        .into_iter()
        .filter(|(_, line)| line.contains("Chờ lãnh đạo duyệt"))
        .map(|(code, _)| code)
        .collect();
    let mut approved = None;
    for candidate in &waiting {
        open_dossier(&app, candidate).await;
        // The fee line, once no toast covers it: "8.000 đ  chưa nộp", "0 đ  miễn phí"…
        let fee_line = |s: &str| {
            line_after(s, "Phí, lệ phí")
                .and_then(|l| l.split(['│', '┌']).nth(1))
                .filter(|l| l.contains(" đ "))
                .map(|l| l.trim().to_owned())
        };
        let detail = app
            .until(&format!("the fee of {candidate}"), |s| {
                fee_line(s).is_some()
            })
            .await;
        let fee = fee_line(&detail).unwrap();
        if fee.contains("miễn phí") || fee.contains("đã nộp") {
            approved = Some(candidate.clone());
            break;
        }
        back_to_list(&app).await;
    }
    let approved = approved.unwrap_or_else(|| {
        panic!("no dossier awaiting approval with its fee settled: {waiting:?}")
    });
    choose_action(&app, &approved, "Phê duyệt").await;
    send(&app, &approved, "Phê duyệt").await;
    let detail = app.wait_for("Trạng thái: Đã có kết quả (chờ trả)").await;
    let applicant = line_after(&detail, "Người yêu cầu")
        .and_then(|l| l.split('│').nth(1))
        .and_then(|l| l.split(" — ").next())
        .map(|n| n.trim().to_owned())
        .expect("the applicant's name");
    back_to_list(&app).await;
    open_exercises(&app).await;
    app.until("the approval noted (step 1 of 6)", |s| {
        s.contains(&format!("◐ 6. {}", EXERCISES[5].vi.title))
    })
    .await;
    close_overlay(&app).await;

    // Step 2: reception returns that dossier's result, handed over to the applicant
    // (prefilled as the receiver), with the result document noted.
    switch_user(&app, "tiepnhan1").await;
    open_dossier(&app, &approved).await;
    choose_action(&app, &approved, "Trả kết quả").await;
    let dialog = app.wait_for("Nhận trực tiếp tại Bộ phận Một cửa").await;
    assert!(
        dialog.contains(&applicant),
        "the applicant prefilled as the receiver:\n{dialog}"
    );
    // Delivery, relation, name, number: then the result documents.
    app.keys(&["Tab"; 4]);
    app.type_text("Giấy xác nhận tình trạng hôn nhân");
    app.keys(&["Enter"]); // on to the originals handed back, left empty
    confirm_and_send_quietly(&app, &approved, "Trả kết quả").await;
    // 10: the satisfaction screen, turned to the citizen: "very satisfied", Enter.
    app.wait_for("Ông/bà có hài lòng").await;
    app.wait_for(&done_toast(6)).await;
    app.keys(&["Enter"]);
    app.wait_for("Đã ghi nhận đánh giá: Rất hài lòng").await;
    app.wait_for("Trạng thái: Đã trả kết quả").await;
    app.wait_for(&done_toast(12)).await;

    back_to_list(&app).await;
    open_exercises(&app).await;
    let screen = app
        .until("exercises 3, 5, 6 and 12 ticked", |s| {
            [3, 5, 6, 12].iter().all(|n| s.contains(&ticked(*n)))
        })
        .await;
    assert_eq!(
        exercises_header(&screen),
        "Bài tập — xong 4/15 · điểm 40/150 · lỗi 0",
        "{screen}"
    );
}

/// `motcua training --now`: a trainer practises the last working day before Tết 2027. The
/// new sandbox is seeded around that instant (today's dossiers carry 2027 codes) and the
/// inbox counts down from it: days or hours, never the months a clock left at the real
/// date would show.
#[tokio::test]
async fn training_now_starts_the_sandbox_at_the_chosen_instant() {
    let app = Screen::start_training_with("training-now", "--now 2027-02-05T16:30:00+07:00");
    app.until("the training login screen", |s| {
        s.contains("Đào tạo (máy này)") && s.contains("Tên đăng nhập")
    })
    .await;
    first_login(&app, "tiepnhan1").await;
    // Queue "Tất cả", where every status is listed.
    app.keys(&["BTab"]);
    let screen = app
        .until("the whole inbox", |s| {
            // Settled: the page has come (a frame drawn while it loads may show a row the
            // feed brought, without its remaining time) and fills the list's top.
            s.contains("◀ Tất cả")
                && !s.contains("Đang tải")
                && shown_count(s).is_some_and(|n| n > 0 && rows(s).len() >= n.min(10))
        })
        .await;
    let rows = rows(&screen);
    assert!(
        rows.iter()
            .any(|(code, _)| code.starts_with("000.01.27.H07-27")),
        "no dossier of 2027:\n{screen}"
    );
    let days_left: Vec<u64> = rows
        .iter()
        .filter_map(|(_, line)| {
            let rest = line.split("còn ").nth(1)?;
            let (n, unit) = rest.split_once(' ')?;
            unit.starts_with("ngày").then(|| n.parse().ok()).flatten()
        })
        .collect();
    assert!(
        days_left.iter().all(|&d| d < 40),
        "counted from another clock: {days_left:?}\n{screen}"
    );
    assert!(
        rows.iter()
            .any(|(_, l)| l.contains("còn ") || l.contains("quá ")),
        "no remaining time shown:\n{screen}"
    );
}

/// 15: the sandbox's link cut with `:offline`, a dossier taken in on a held number and its
/// receipt saved with the final code; nothing judged while the link is down; `:online`,
/// the outbox sends the dossier on that code and the first step is ticked; then that
/// dossier forwarded.
#[tokio::test(flavor = "multi_thread")]
async fn an_intake_with_the_link_cut_is_judged_once_it_arrives_then_forwarded() {
    // Office 1's first demo citizen (`src/portal/seed/demo.toml`).
    const NUMBER: &str = "083078238953";
    let arrived = format!("✓ {}", EXERCISES[14].vi.steps[0]);
    let app = training("training-outage").await;
    first_login(&app, "tiepnhan1").await;
    // Online: the applicant looked up, so the desk keeps a copy of them.
    app.keys(&["3"]);
    app.wait_for("Tìm công dân").await;
    app.type_text(NUMBER);
    app.keys(&["Enter"]);
    app.wait_for("Nguyễn Văn An").await;
    app.keys(&["M-1"]);
    app.wait_for("Hàng đợi").await;
    // The numbers held before the link goes (the login's renewal may still be on its way).
    app.until("the numbers held", |_| app.held_codes() == 20)
        .await;

    command(&app, "offline");
    app.wait_for("còn 20 số giữ trước").await;
    let (done, code) = desk_intake(&app, "ket hon", NUMBER, Pay::Free).await;
    assert!(
        squash(&done).contains("Tiếp nhận khi mất mạng lúc"),
        "{done}"
    );
    app.wait_for("còn 19 số giữ trước").await;
    app.wait_for("chờ gửi: 1").await;
    // The receipt, with its final code, saved as a PDF.
    app.keys(&["s"]);
    app.wait_for(&format!("{code}-mau-01.pdf")).await;
    assert!(
        app.files().iter().any(|(path, bytes)| {
            path.to_string_lossy()
                .ends_with(&format!("{code}-mau-01.pdf"))
                && bytes.starts_with(b"%PDF")
        }),
        "the receipt of {code} saved"
    );

    // Not judged while the dossier has not arrived.
    app.keys(&["M-1"]);
    app.wait_for("Hàng đợi").await;
    open_exercises(&app).await;
    let screen = select_exercise(&app, 15).await;
    assert!(!screen.contains(&arrived), "{screen}");
    close_overlay(&app).await;

    // The link back: the outbox sends the dossier on its code, and the journal says so.
    command(&app, "online");
    app.wait_for("chờ gửi: 0").await;
    open_exercises(&app).await;
    select_exercise(&app, 15).await;
    app.wait_for(&arrived).await;
    close_overlay(&app).await;

    // Then that dossier forwarded, as any other.
    open_dossier(&app, &code).await;
    choose_action(&app, &code, "Chuyển xử lý").await;
    app.type_text("chuyenvien1");
    app.wait_for("chuyenvien1").await;
    confirm_and_send(&app, &code, "Chuyển xử lý").await;
    app.wait_for(&done_toast(15)).await;
    back_to_list(&app).await;
    let screen = open_exercises(&app).await;
    let screen = if screen.contains(&ticked(15)) {
        screen
    } else {
        app.wait_for(&ticked(15)).await
    };
    assert!(
        screen.contains(&ticked(3)),
        "the intake is exercise 3's too"
    );
    assert_eq!(
        exercises_header(&screen),
        "Bài tập — xong 2/15 · điểm 20/150 · lỗi 0",
        "{screen}"
    );
}
