//! A small browser for the citizen pages over plain HTTP: cookies kept, redirects not
//! followed (a test reads where a form sends it), forms posted as a browser posts them.

use super::Portal;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub html: String,
}

impl Page {
    /// The value of the first input named `name`.
    pub fn input(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let at = self.html.find(&marker)? + marker.len();
        let end = self.html[at..].find('"')?;
        Some(unescape(&self.html[at..at + end]))
    }

    /// The form token of the page.
    pub fn csrf(&self) -> String {
        self.input("csrf").expect("the page has a form token")
    }

    /// The text of the element with `id`, tags stripped.
    pub fn text_of(&self, id: &str) -> Option<String> {
        let marker = format!("id=\"{id}\"");
        let at = self.html.find(&marker)?;
        let open_end = self.html[at..].find('>')? + at + 1;
        let close = self.html[open_end..].find("</")? + open_end;
        Some(unescape(&self.html[open_end..close]))
    }
}

pub fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

pub struct Browser {
    pub root: String,
    http: Client,
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(portal: &Portal) -> Browser {
        Browser {
            root: format!("http://{}", portal.running.addr),
            http: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn keep(&mut self, res: reqwest::Response) -> Page {
        for value in res.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if text.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        Page {
            status: res.status(),
            location: res
                .headers()
                .get(LOCATION)
                .map(|l| l.to_str().unwrap().to_owned()),
            headers: res.headers().clone(),
            html: res.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let res = self
            .http
            .get(format!("{}{path}", self.root))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(res).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let res = self
            .http
            .post(format!("{}{path}", self.root))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(res).await
    }

    /// A multipart form: `texts` first (the token among them), then one file.
    pub async fn post_file(
        &mut self,
        path: &str,
        texts: &[(&str, &str)],
        file: Option<(&str, &str, Vec<u8>)>,
    ) -> Page {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in texts {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((field, name, bytes)) = file {
            let part = reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str("application/pdf")
                .unwrap();
            form = form.part(field.to_owned(), part);
        }
        let res = self
            .http
            .post(format!("{}{path}", self.root))
            .header(COOKIE, self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.keep(res).await
    }

    /// Logs in on the pages (`/dang-nhap`) as `number`; asserts it worked.
    pub async fn login(&mut self, number: &str, password: &str) {
        let page = self.get("/dang-nhap").await;
        let done = self
            .post(
                "/dang-nhap",
                &[
                    ("csrf", &page.csrf()),
                    ("so_dinh_danh", number),
                    ("mat_khau", password),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "login of {number}: {}", done.html);
    }
}

/// The five digits of a code in words (the text alternative of step 12), read back.
pub fn digits_in_words(question: &str) -> String {
    const WORDS: [(&str, char); 20] = [
        ("không", '0'),
        ("một", '1'),
        ("hai", '2'),
        ("ba", '3'),
        ("bốn", '4'),
        ("năm", '5'),
        ("sáu", '6'),
        ("bảy", '7'),
        ("tám", '8'),
        ("chín", '9'),
        ("zero", '0'),
        ("one", '1'),
        ("two", '2'),
        ("three", '3'),
        ("four", '4'),
        ("five", '5'),
        ("six", '6'),
        ("seven", '7'),
        ("eight", '8'),
        ("nine", '9'),
    ];
    let list = question
        .split(':')
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .expect("a question with digits");
    list.split(',')
        .map(|w| {
            let w = w.trim();
            WORDS
                .iter()
                .find(|(word, _)| *word == w)
                .map(|(_, d)| *d)
                .unwrap_or_else(|| panic!("not a digit word: {w:?}"))
        })
        .collect()
}

/// A new citizen account made at the desk by `tiepnhan1` of office 1, with its
/// activation code (what the slip shows): `(number, code, public id)`.
pub async fn desk_account(portal: &Portal, number: &str, name: &str) -> (String, String, String) {
    let token = portal.login("tiepnhan1", super::DEMO_PASSWORD).await;
    let res = portal
        .post("/citizens")
        .bearer_auth(&token)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({
            "id_number": number,
            "full_name": name,
            "date_of_birth": "1990-07-02",
            "gender": "female",
            "phone": "0912345678",
            "address": "Số 5 đường Đồng Khởi, Phường An Hội",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    (
        number.to_owned(),
        body["activation"]["code"].as_str().unwrap().to_owned(),
        body["citizen"]["id"].as_str().unwrap().to_owned(),
    )
}

/// A PDF of a few bytes that the upload store takes for one.
pub fn small_pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {tag}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").into_bytes()
}

/// Walks steps 4 to 11 by forms for a logged-in browser: a birth registration at office
/// 1, every mandatory document attached. Answers the draft's step-12 address.
pub async fn walk_to_review(b: &mut Browser) -> String {
    let start = b.get("/nop-ho-so").await;
    assert_eq!(start.status, 200, "{}", start.html);
    let made = b.post("/nop-ho-so", &[("csrf", &start.csrf())]).await;
    let choose = made.location.expect("a draft");
    let draft = choose.trim_end_matches("/thu-tuc").to_owned();
    let found = b
        .get(&format!(
            "{choose}?co_quan=000.01.27.H07&muc_do=4&tu_khoa=khai+sinh"
        ))
        .await;
    assert!(found.html.contains("Đăng ký khai sinh"), "{}", found.html);
    let csrf = found.csrf();
    let chosen = b
        .post(
            &choose,
            &[
                ("csrf", &csrf),
                ("co_quan", "000.01.27.H07"),
                ("thu_tuc", "1.001193"),
                ("truong_hop", "dung_han"),
            ],
        )
        .await;
    assert_eq!(
        chosen.location.as_deref(),
        Some(&*format!("{draft}/nguoi-nop"))
    );
    let agreed = b
        .post(
            &format!("{draft}/nguoi-nop"),
            &[("csrf", &csrf), ("xac_nhan", "1")],
        )
        .await;
    assert_eq!(agreed.status, 303, "{}", agreed.html);
    for part in ["to_khai", "giay_chung_sinh", "giay_to_tuy_than"] {
        let sent = b
            .post_file(
                &format!("{draft}/giay-to/{part}"),
                &[("csrf", &csrf), ("ma_tai_len", "")],
                Some(("tep", &format!("{part}.pdf"), small_pdf(part))),
            )
            .await;
        assert_eq!(sent.status, 303, "{part}: {}", sent.html);
    }
    let on = b
        .post(&format!("{draft}/giay-to"), &[("csrf", &csrf)])
        .await;
    assert_eq!(on.status, 303, "{}", on.html);
    let delivered = b
        .post(
            &format!("{draft}/nhan-ket-qua"),
            &[("csrf", &csrf), ("cach_nhan", "in_person")],
        )
        .await;
    assert_eq!(delivered.status, 303, "{}", delivered.html);
    format!("{draft}/xac-nhan")
}

/// The identity number (the username) of the first demo citizen of office `n`.
pub async fn demo_number(portal: &Portal, n: i64) -> String {
    sqlx::query_scalar(
        "SELECT c.id_number FROM citizens c JOIN offices o ON o.id = c.office_id \
         WHERE o.number = $1 ORDER BY c.id LIMIT 1",
    )
    .bind(n)
    .fetch_one(&portal.running.state.db)
    .await
    .unwrap()
}
