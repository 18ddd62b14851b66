//! The citizen pages in a real browser: Debian's chromium, headless, driven over
//! WebDriver by chromedriver (`apt-get install chromium chromium-driver`; `.ci/run`
//! installs them). A citizen whose account the desk opened registers with the slip's
//! code, logs in and walks the 13 steps with two attached files (sent by the pages'
//! resumable upload script), and sees the success page with the dossier's code. The
//! dossier then shows in the TUI's online queue (the real binary in tmux), and once the
//! desk has received it, "my dossiers" shows the new status.
//!
//! Each step is photographed; with `MOTCUA_SCREENSHOTS=docs/citizen` the pictures are
//! written there (made small with pngquant when it is installed) for docs/citizen.md.

mod common;

use common::pages::desk_account;
use common::tmux::Screen;
use common::{DEMO_PASSWORD, Portal};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PASSWORD: &str = "Thuong-tru-2026";

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver and waits for the line that says it listens.
async fn driver() -> Driver {
    let port = free_port();
    let mut child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("chromedriver: {e}; install it: apt-get install chromium chromium-driver")
        });
    let stdout = child.stdout.take().unwrap();
    let ready = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains("started successfully"))
    });
    let ready = tokio::time::timeout(Duration::from_secs(30), ready)
        .await
        .expect("chromedriver starts within 30 s")
        .unwrap();
    assert!(ready, "chromedriver did not start");
    Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

async fn browser(driver: &Driver, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": std::env::var("MOTCUA_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=480,1000", "--lang=vi-VN", "--hide-scrollbars",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::rustls()
        .expect("a TLS configuration")
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a browser session")
}

/// The screenshots of the walk.
struct Album {
    dir: Option<PathBuf>,
    taken: usize,
}

impl Album {
    fn new() -> Album {
        let dir = std::env::var("MOTCUA_SCREENSHOTS").ok().map(PathBuf::from);
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir).unwrap();
        }
        Album { dir, taken: 0 }
    }

    async fn take(&mut self, c: &Client, name: &str) {
        let png = c.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{name}");
        self.taken += 1;
        let Some(dir) = &self.dir else { return };
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        // 32 colours keep the pages' text crisp at a tenth of the size.
        let _ = Command::new("pngquant")
            .args(["--force", "--ext", ".png", "--strip", "32"])
            .arg(&path)
            .status();
    }
}

async fn fill(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

async fn wait_xpath(c: &Client, xpath: &str) {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("waiting for {xpath}: {e}"));
}

/// Scrolls so that `css` is at the top, for a picture of what matters on a long page.
async fn scroll_to(c: &Client, css: &str) {
    c.execute(
        "document.querySelector(arguments[0]).scrollIntoView(true);",
        vec![json!(css)],
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_citizen_walks_the_13_steps_in_chromium_and_the_desk_sees_the_dossier() {
    let portal = Portal::demo().await;
    let root = format!("http://{}", portal.running.addr);
    let (number, code, _) = desk_account(&portal, "083190234567", "Võ Thị Thu Hà").await;
    let files = tempfile::tempdir().unwrap();
    let (form, lease) = (
        files.path().join("to-khai-CT01.pdf"),
        files.path().join("hop-dong.pdf"),
    );
    std::fs::write(&form, common::pages::small_pdf(&"CT01 ".repeat(20_000))).unwrap();
    std::fs::write(&lease, common::pages::small_pdf("giay to cho o hop phap")).unwrap();

    let driver = driver().await;
    let profile = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let mut album = Album::new();

    // 1. The portal.
    c.goto(&root).await.unwrap();
    wait_for(&c, "#nop-qua-mang").await;
    album.take(&c, "01-trang-chu").await;
    // 2. Register with the slip's code.
    click(&c, "a[href='/dang-ky']").await;
    wait_for(&c, "#dang-ky").await;
    fill(&c, "#so_dinh_danh", &number).await;
    fill(&c, "#ma_kich_hoat", &code).await;
    fill(&c, "#mat_khau", PASSWORD).await;
    fill(&c, "#nhap_lai", PASSWORD).await;
    fill(&c, "#thu_dien_tu", "thuha@example.vn").await;
    album.take(&c, "02-dang-ky").await;
    click(&c, "#dang-ky").await;
    // 3. Log in.
    wait_for(&c, "#dang-nhap").await;
    wait_for(&c, ".notice").await;
    fill(&c, "#so_dinh_danh", &number).await;
    fill(&c, "#mat_khau", PASSWORD).await;
    album.take(&c, "03-dang-nhap").await;
    click(&c, "#dang-nhap").await;
    wait_for(&c, "#dang-xuat").await;
    // 4. "Nộp qua mạng".
    click(&c, "nav a[href='/nop-ho-so']").await;
    wait_for(&c, "#nop-ho-so-moi").await;
    album.take(&c, "04-nop-qua-mang").await;
    click(&c, "#nop-ho-so-moi").await;
    // 5–7. The office, the field, level 4 and words typed without accents.
    wait_for(&c, "#tim-kiem").await;
    click(&c, "#co_quan option[value='000.01.27.H07']").await;
    click(&c, "#linh_vuc option[value='Cư trú']").await;
    click(&c, "input[name=muc_do][value='4']").await;
    fill(&c, "#tu_khoa", "thuong tru").await;
    album.take(&c, "05-07-co-quan-linh-vuc-muc-do").await;
    click(&c, "#tim-kiem").await;
    // 8. The procedure and its case.
    let case = "button[name=truong_hop][value=cho_o_so_huu][data-thu-tuc='1.004222']";
    wait_for(&c, case).await;
    scroll_to(&c, "h2").await;
    album.take(&c, "08-chon-thu-tuc").await;
    click(&c, case).await;
    // 9. The applicant, "Đồng ý và tiếp tục".
    wait_for(&c, "#dong-y").await;
    click(&c, "#xac_nhan").await;
    album.take(&c, "09-nguoi-nop").await;
    click(&c, "#dong-y").await;
    // 10. Two files, through the resumable upload script.
    wait_for(&c, "#tiep-tuc").await;
    for (part, path) in [("to_khai_ct01", &form), ("cho_o_hop_phap", &lease)] {
        fill(&c, &format!("#tep-{part}"), &path.display().to_string()).await;
        click(&c, &format!("#tp-{part} form button")).await;
        wait_xpath(
            &c,
            &format!("//p[@data-part='{part}'][contains(., 'Đã đính kèm')]"),
        )
        .await;
    }
    scroll_to(&c, "#tp-cho_o_hop_phap").await;
    album.take(&c, "10-dinh-kem").await;
    click(&c, "#tiep-tuc").await;
    // 11. How to receive the result.
    wait_for(&c, "#cach-in_person").await;
    click(&c, "#cach-in_person").await;
    album.take(&c, "11-nhan-ket-qua").await;
    click(&c, "#tiep-tuc").await;
    // 12. Review, the confirmation code (the image, then its words), the declaration.
    wait_for(&c, "#anh-ma").await;
    scroll_to(&c, "form.panel").await;
    album.take(&c, "12-xac-nhan").await;
    click(&c, "#ma-bang-chu").await;
    let question = wait_for(&c, "#cau-hoi").await.text().await.unwrap();
    fill(
        &c,
        "#ma_xac_nhan",
        &common::pages::digits_in_words(&question),
    )
    .await;
    click(&c, "#cam_doan").await;
    scroll_to(&c, "form.panel").await;
    album.take(&c, "12b-ma-bang-chu").await;
    click(&c, "#nop").await;
    // 13. "Chúc mừng bạn đã nộp hồ sơ thành công" and the code.
    let code_el = wait_for(&c, "#ma-ho-so").await;
    let dossier = code_el.text().await.unwrap();
    assert!(dossier.starts_with("000.01.27.H07-"), "{dossier}");
    let page = c.source().await.unwrap();
    assert!(page.contains("Chúc mừng bạn đã nộp hồ sơ thành công"));
    assert!(page.contains("<svg"), "the fee's VietQR code");
    album.take(&c, "13-thanh-cong").await;

    // Both files arrived whole, attached to the dossier.
    let sizes: Vec<i64> = sqlx::query_scalar(
        "SELECT u.size FROM uploads u JOIN dossiers d ON d.id = u.dossier_id \
         WHERE d.code = $1 AND u.complete = 1 ORDER BY u.size",
    )
    .bind(&dossier)
    .fetch_all(&portal.running.state.db)
    .await
    .unwrap();
    assert_eq!(sizes.len(), 2, "{sizes:?}");
    assert_eq!(sizes[1] as u64, std::fs::metadata(&form).unwrap().len());

    // The desk's online queue in the TUI shows it.
    let app = Screen::start("pages", &portal.base, "");
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.until("the dossier in the online queue", |s| {
        s.contains("◀ Chờ tiếp nhận trực tuyến") && s.contains(&dossier)
    })
    .await;
    drop(app);

    // The desk receives it (through the API); the citizen's list follows.
    let desk = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let (status, body) = portal
        .act(&desk, &dossier, 1, json!({"action": "receive"}))
        .await;
    assert_eq!(status, 200, "{body}");
    click(&c, "nav a[href='/ho-so']").await;
    wait_xpath(
        &c,
        &format!("//span[@data-code='{dossier}'][contains(., 'Đã tiếp nhận')]"),
    )
    .await;
    album.take(&c, "14-ho-so-cua-toi").await;
    assert_eq!(album.taken, 13);
    c.close().await.unwrap();
}
