//! The citizen pages on a slow link: each page's size as sent gzip-compressed (target
//! ≤ 30 KB) and the round trips of an online submission, from "Nộp qua mạng" (step 4)
//! to the page with the dossier's code (step 13), as a browser without JavaScript makes
//! them (every form answers 303, and the browser then asks for the next page).
//!
//! `cargo bench --bench citizen_pages`; `cargo test --benches` runs it once too.

use motcua::clock::Clock;
use motcua::domain::calendar::Calendar;
use motcua::portal::{self, Seed, state::Settings};
use reqwest::header::{ACCEPT_ENCODING, COOKIE, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;

const PASSWORD: &str = "Motcua-demo-2026";
const TARGET: usize = 30 * 1024;

struct Client {
    root: String,
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
    round_trips: usize,
    /// Every page seen: (name, bytes as sent compressed).
    sizes: Vec<(String, usize)>,
}

struct Answer {
    status: u16,
    location: Option<String>,
    html: String,
}

impl Client {
    async fn send(&mut self, name: &str, req: reqwest::RequestBuilder) -> Answer {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let res = req
            .header(COOKIE, cookie.join("; "))
            .header(ACCEPT_ENCODING, "gzip")
            .send()
            .await
            .expect("the portal answers");
        self.round_trips += 1;
        for v in res.headers().get_all(SET_COOKIE) {
            let pair = v.to_str().unwrap().split(';').next().unwrap().to_owned();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.insert(k.to_owned(), v.to_owned());
        }
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        let gzipped = res
            .headers()
            .get("content-encoding")
            .is_some_and(|v| v == "gzip");
        let bytes = res.bytes().await.unwrap();
        if status == 200 {
            self.sizes.push((name.to_owned(), bytes.len()));
        }
        let html = if gzipped {
            use std::io::Read;
            let mut out = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut out)
                .unwrap();
            out
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        };
        Answer {
            status,
            location,
            html,
        }
    }

    async fn get(&mut self, name: &str, path: &str) -> Answer {
        let req = self.http.get(format!("{}{path}", self.root));
        self.send(name, req).await
    }

    async fn post(&mut self, name: &str, path: &str, form: &[(&str, &str)]) -> Answer {
        let req = self.http.post(format!("{}{path}", self.root)).form(form);
        let answer = self.send(name, req).await;
        assert_eq!(answer.status, 303, "{name}: {}", answer.html);
        answer
    }
}

fn input(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker).expect(name) + marker.len();
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

fn digits(question: &str) -> String {
    let words = [
        "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
    ];
    let list = question
        .split(':')
        .nth(1)
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    list.split(',')
        .map(|w| {
            let at = words.iter().position(|d| *d == w.trim()).unwrap();
            char::from(b'0' + at as u8)
        })
        .collect()
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let running = portal::start(portal::Options {
        bind: "127.0.0.1:0".parse().unwrap(),
        db: dir.path().join("portal.sqlite3").into(),
        calendar: Calendar::default(),
        seed: Seed::Accounts,
        settings: Settings::default(),
        clock: Clock::system(),
    })
    .await
    .expect("the portal starts");
    let number: String = sqlx::query_scalar("SELECT id_number FROM citizens ORDER BY id LIMIT 1")
        .fetch_one(&running.state.db)
        .await
        .unwrap();
    let mut c = Client {
        root: format!("http://{}", running.addr),
        http: reqwest::Client::builder()
            .no_gzip()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        cookies: BTreeMap::new(),
        round_trips: 0,
        sizes: Vec::new(),
    };

    // The pages a citizen reads before submitting.
    c.get("catalog /", "/").await;
    c.get("catalog, searched", "/?tu_khoa=khai+sinh&muc_do=4")
        .await;
    c.get("procedure /thu-tuc/1.001193", "/thu-tuc/1.001193")
        .await;
    c.get("lookup /tra-cuu", "/tra-cuu").await;
    c.get("register /dang-ky", "/dang-ky").await;
    let login = c.get("login /dang-nhap", "/dang-nhap").await;
    c.post(
        "log in",
        "/dang-nhap",
        &[
            ("csrf", &input(&login.html, "csrf")),
            ("so_dinh_danh", &number),
            ("mat_khau", PASSWORD),
        ],
    )
    .await;

    // The submission, steps 4 to 13, counted.
    let before = c.round_trips;
    let start = c.get("step 4 /nop-ho-so", "/nop-ho-so").await;
    let csrf = input(&start.html, "csrf");
    let made = c.post("new draft", "/nop-ho-so", &[("csrf", &csrf)]).await;
    let choose = made.location.unwrap();
    let draft = choose.trim_end_matches("/thu-tuc").to_owned();
    c.get("steps 5-7", &choose).await;
    c.get(
        "step 8 (results)",
        &format!("{choose}?co_quan=000.01.27.H07&linh_vuc=H%E1%BB%99+t%E1%BB%8Bch&muc_do=4&tu_khoa=khai+sinh"),
    )
    .await;
    c.post(
        "choose",
        &choose,
        &[
            ("csrf", &csrf),
            ("co_quan", "000.01.27.H07"),
            ("thu_tuc", "1.001193"),
            ("truong_hop", "dung_han"),
        ],
    )
    .await;
    c.get("step 9", &format!("{draft}/nguoi-nop")).await;
    c.post(
        "agree",
        &format!("{draft}/nguoi-nop"),
        &[("csrf", &csrf), ("xac_nhan", "1")],
    )
    .await;
    c.get("step 10", &format!("{draft}/giay-to")).await;
    let files_before = c.round_trips;
    for part in ["to_khai", "giay_chung_sinh", "giay_to_tuy_than"] {
        let pdf = format!("%PDF-1.4\n% {part}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("ma_tai_len", "")
            .part(
                "tep",
                reqwest::multipart::Part::bytes(pdf.into_bytes())
                    .file_name(format!("{part}.pdf"))
                    .mime_str("application/pdf")
                    .unwrap(),
            );
        let req = c
            .http
            .post(format!("{}{draft}/giay-to/{part}", c.root))
            .multipart(form);
        let sent = c.send("attach", req).await;
        assert_eq!(sent.status, 303, "{}", sent.html);
        c.get("step 10 (after a file)", &format!("{draft}/giay-to"))
            .await;
    }
    let file_trips = c.round_trips - files_before;
    c.post("continue", &format!("{draft}/giay-to"), &[("csrf", &csrf)])
        .await;
    c.get("step 11", &format!("{draft}/nhan-ket-qua")).await;
    c.post(
        "delivery",
        &format!("{draft}/nhan-ket-qua"),
        &[("csrf", &csrf), ("cach_nhan", "in_person")],
    )
    .await;
    let review = c.get("step 12", &format!("{draft}/xac-nhan?ma=chu")).await;
    let question = review
        .html
        .split("<p id=\"cau-hoi\">")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .unwrap()
        .to_owned();
    let sent = c
        .post(
            "submit",
            &format!("{draft}/xac-nhan"),
            &[
                ("csrf", &csrf),
                ("thu_thach", &input(&review.html, "thu_thach")),
                ("ma_xac_nhan", &digits(&question)),
                ("bang_chu", "1"),
                ("cam_doan", "1"),
            ],
        )
        .await;
    let done = c.get("step 13", &sent.location.unwrap()).await;
    assert!(done.html.contains("Chúc mừng bạn đã nộp hồ sơ thành công"));
    let trips = c.round_trips - before;
    let code = done
        .html
        .split("id=\"ma-ho-so\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    c.get("my dossiers /ho-so", "/ho-so").await;
    c.get("dossier /ho-so/{code}", &format!("/ho-so/{code}"))
        .await;
    c.get("stylesheet", "/tai-nguyen/style.css").await;
    c.get("upload script", "/tai-nguyen/upload.js").await;

    println!("citizen pages, as sent gzip-compressed (target ≤ 30 KB each)");
    let mut worst = 0;
    for (name, size) in &c.sizes {
        worst = worst.max(*size);
        let mark = if *size <= TARGET { "ok" } else { "OVER" };
        println!("  {name:<32} {size:>7} B  {mark}");
    }
    println!(
        "an online submission (3 files, steps 4–13): {trips} round trips, \
         {file_trips} of them for the files (a POST and the page after each)"
    );
    assert!(worst <= TARGET, "a page is over 30 KB compressed");
    running.shutdown().await.unwrap();
}
