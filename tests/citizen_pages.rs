//! The citizen pages over plain HTTP, as a browser without JavaScript uses them: the
//! catalog and its accent-insensitive search, registration with the desk's slip, the
//! 13 steps by forms, and what the pages refuse: a forged form (CSRF), a wrong or reused
//! confirmation code, a staff account, control characters and over-long values, another
//! citizen's dossier, draft or code.

mod common;

use common::pages::{
    Browser, demo_number, desk_account, digits_in_words, small_pdf, walk_to_review,
};
use common::{DEMO_PASSWORD, Portal};
use motcua::portal::Seed;
use motcua::portal::state::Settings;
use serde_json::{Value, json};

const PASSWORD: &str = "Khai-sinh-2026";

/// A citizen with an account opened at the desk and registered on the pages.
async fn registered(portal: &Portal, number: &str) -> Browser {
    let (number, code, _) = desk_account(portal, number, "Trần Thị Bích").await;
    let mut b = Browser::new(portal);
    let form = b.get("/dang-ky").await;
    let done = b
        .post(
            "/dang-ky",
            &[
                ("csrf", &form.csrf()),
                ("so_dinh_danh", &number),
                ("ma_kich_hoat", &code.to_lowercase()),
                ("mat_khau", PASSWORD),
                ("nhap_lai", PASSWORD),
                ("thu_dien_tu", "bich@example.vn"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.html);
    assert_eq!(done.location.as_deref(), Some("/dang-nhap?da_kich_hoat=1"));
    b.login(&number, PASSWORD).await;
    b
}

#[tokio::test]
async fn the_catalog_finds_without_accents_and_every_page_is_small_and_strict() {
    let portal = Portal::demo().await;
    let mut b = Browser::new(&portal);
    for words in ["khai sinh", "Khai Sinh", "khai+sinh"] {
        let page = b
            .get(&format!("/?tu_khoa={}", words.replace(' ', "+")))
            .await;
        assert_eq!(page.status, 200);
        assert!(page.html.contains("Đăng ký khai sinh"), "{words}");
        assert!(!page.html.contains("Đăng ký kết hôn"), "{words}");
    }
    let level4 = b.get("/?muc_do=4&linh_vuc=H%E1%BB%99+t%E1%BB%8Bch").await;
    assert!(level4.html.contains("Đăng ký khai sinh"));
    assert!(!level4.html.contains("Đăng ký kết hôn"), "level 3 only");
    let page = b.get("/").await;
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert!(!page.html.contains("style=") && !page.html.contains("<script>"));
    assert!(!page.html.contains("http://") && !page.html.contains("https://"));
    let detail = b.get("/thu-tuc/1.001193").await;
    assert!(detail.html.contains("Tờ khai đăng ký khai sinh"));
    assert_eq!(b.get("/thu-tuc/9.999999").await.status, 404);
    // The API keeps its paths and its JSON 404; the pages answer theirs in HTML.
    let api = portal.get("/nothing-here").send().await.unwrap();
    assert_eq!(api.status(), 404);
    assert!(api.text().await.unwrap().contains("not_found"));
    let page404 = b.get("/khong-co").await;
    assert_eq!(page404.status, 404);
    assert!(page404.html.contains("<html"));
    assert_eq!(portal.get("/healthz").send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn english_is_one_switch_away() {
    let portal = Portal::demo().await;
    let mut b = Browser::new(&portal);
    let switched = b.get("/ngon-ngu/en?tiep=/tra-cuu").await;
    assert_eq!(switched.location.as_deref(), Some("/tra-cuu"));
    let page = b.get("/tra-cuu").await;
    assert!(page.html.contains("Look a dossier up"), "{}", page.html);
    // Never to another site.
    let away = b.get("/ngon-ngu/vi?tiep=//evil.example/").await;
    assert_eq!(away.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn registration_takes_the_slip_code_and_the_identity_rules() {
    let portal = Portal::demo().await;
    let (number, code, _) = desk_account(&portal, "083190000123", "Lê Văn Cường").await;
    let mut b = Browser::new(&portal);
    let form = b.get("/dang-ky").await;
    let csrf = form.csrf();
    // The domain's identity rules: no province 999.
    let bad = b
        .post(
            "/dang-ky",
            &[
                ("csrf", &csrf),
                ("so_dinh_danh", "999190000123"),
                ("ma_kich_hoat", &code),
                ("mat_khau", PASSWORD),
                ("nhap_lai", PASSWORD),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.html.contains("so_dinh_danh-loi"), "{}", bad.html);
    let wrong = b
        .post(
            "/dang-ky",
            &[
                ("csrf", &csrf),
                ("so_dinh_danh", &number),
                ("ma_kich_hoat", "ABCDEFGH"),
                ("mat_khau", PASSWORD),
                ("nhap_lai", PASSWORD),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.html);
    assert!(wrong.html.contains("phiếu kích hoạt"));
    let weak = b
        .post(
            "/dang-ky",
            &[
                ("csrf", &csrf),
                ("so_dinh_danh", &number),
                ("ma_kich_hoat", &code),
                ("mat_khau", "abc"),
                ("nhap_lai", "abc"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(weak.html.contains("mat_khau-loi"), "{}", weak.html);
    let ok = b
        .post(
            "/dang-ky",
            &[
                ("csrf", &csrf),
                ("so_dinh_danh", &number),
                ("ma_kich_hoat", &code),
                ("mat_khau", PASSWORD),
                ("nhap_lai", PASSWORD),
                ("thu_dien_tu", ""),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.html);
    // The slip's code is spent: the API says so too.
    let again = portal
        .post("/citizen/activate")
        .json(&json!({"id_number": number, "code": code, "new_password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 401);
    b.login(&number, PASSWORD).await;
    let mine = b.get("/ho-so").await;
    assert_eq!(mine.status, 200);
    assert!(mine.html.contains("Lê Văn Cường"));
    // Logging out ends the session: the next page asks to log in.
    let out = b.post("/dang-xuat", &[("csrf", &mine.csrf())]).await;
    assert_eq!(out.status, 303);
    assert!(
        b.get("/ho-so")
            .await
            .location
            .unwrap()
            .starts_with("/dang-nhap")
    );
}

#[tokio::test]
async fn a_form_without_its_token_is_refused() {
    let portal = Portal::demo().await;
    let number = demo_number(&portal, 1).await;
    let mut b = Browser::new(&portal);
    b.get("/dang-nhap").await;
    for csrf in [
        "",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    ] {
        let forged = b
            .post(
                "/dang-nhap",
                &[
                    ("csrf", csrf),
                    ("so_dinh_danh", &number),
                    ("mat_khau", DEMO_PASSWORD),
                ],
            )
            .await;
        assert_eq!(forged.status, 403, "{csrf:?}");
        assert!(!b.cookies.contains_key(motcua::portal::web::SESSION_COOKIE));
    }
    // Another browser's token is not this one's.
    let mut other = Browser::new(&portal);
    let theirs = other.get("/dang-nhap").await.csrf();
    let crossed = b
        .post(
            "/dang-nhap",
            &[
                ("csrf", &theirs),
                ("so_dinh_danh", &number),
                ("mat_khau", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(crossed.status, 403);
    // Logged in, the session's token is needed: the anonymous one no longer does.
    let anonymous = b.get("/nop-ho-so").await;
    assert!(anonymous.location.is_some());
    let old = b.get("/dang-nhap").await.csrf();
    b.login(&number, DEMO_PASSWORD).await;
    let refused = b.post("/nop-ho-so", &[("csrf", &old)]).await;
    assert_eq!(refused.status, 403);
    let drafts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM web_drafts")
        .fetch_one(&portal.running.state.db)
        .await
        .unwrap();
    assert_eq!(drafts, 0);
    // The script's upload routes want the token in a header.
    let declare = reqwest::Client::new()
        .post(format!("{}/tai-len", b.root))
        .header("Cookie", format!("{}={}", motcua::portal::web::SESSION_COOKIE, b.cookies[motcua::portal::web::SESSION_COOKIE]))
        .json(&json!({"filename": "a.pdf", "size": 10, "sha256": "0".repeat(64), "content_type": "application/pdf"}))
        .send()
        .await
        .unwrap();
    assert_eq!(declare.status(), 403);
}

#[tokio::test]
async fn staff_cannot_log_in_on_the_citizen_pages() {
    let portal = Portal::demo().await;
    let mut b = Browser::new(&portal);
    let form = b.get("/dang-nhap").await;
    let refused = b
        .post(
            "/dang-nhap",
            &[
                ("csrf", &form.csrf()),
                ("so_dinh_danh", "tiepnhan1"),
                ("mat_khau", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.html.contains("Cán bộ"), "{}", refused.html);
    assert!(!b.cookies.contains_key(motcua::portal::web::SESSION_COOKIE));
    // A staff account whose name is twelve digits passes the shape, not the role.
    let state = &portal.running.state;
    let hash = state.passwords.hash(DEMO_PASSWORD.into()).await.unwrap();
    sqlx::query(
        "INSERT INTO users (username, full_name, role, office_id, password_hash, created_at) \
         VALUES ('083099999999', 'Cán bộ thử', 'reception', 1, $1, '2026-01-01T00:00:00+07:00')",
    )
    .bind(hash)
    .execute(&state.db)
    .await
    .unwrap();
    let refused = b
        .post(
            "/dang-nhap",
            &[
                ("csrf", &form.csrf()),
                ("so_dinh_danh", "083099999999"),
                ("mat_khau", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(!b.cookies.contains_key(motcua::portal::web::SESSION_COOKIE));
    let noted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit WHERE event = 'access_refused' AND username = '083099999999'",
    )
    .fetch_one(&state.db)
    .await
    .unwrap();
    assert_eq!(noted, 1);
    // The staff token is no key to the pages either.
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let page = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/ho-so", b.root))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303);
}

#[tokio::test]
async fn control_characters_and_over_long_values_are_refused() {
    let portal = Portal::demo().await;
    let number = demo_number(&portal, 1).await;
    let mut b = Browser::new(&portal);
    let csrf = b.get("/dang-nhap").await.csrf();
    let control = b
        .post(
            "/dang-nhap",
            &[
                ("csrf", &csrf),
                ("so_dinh_danh", &format!("{number}\u{1b}[2J")),
                ("mat_khau", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(control.status, 422, "{}", control.html);
    let long = "1".repeat(40);
    let too_long = b
        .post(
            "/dang-ky",
            &[
                ("csrf", &csrf),
                ("so_dinh_danh", &long),
                ("ma_kich_hoat", "ABCDEFGH"),
                ("mat_khau", PASSWORD),
                ("nhap_lai", PASSWORD),
            ],
        )
        .await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.html.contains("32"), "{}", too_long.html);
    let lookup = b
        .post(
            "/tra-cuu",
            &[
                ("csrf", &csrf),
                ("ma_ho_so", "ABC\u{202e}"),
                ("so_dinh_danh", &number),
            ],
        )
        .await;
    assert_eq!(lookup.status, 422);
    let search = b.get("/?tu_khoa=khai%07sinh").await;
    assert!(search.html.contains("class=\"error\""), "{}", search.html);
    // A note of more than 2,000 characters in step 9.
    b.login(&number, DEMO_PASSWORD).await;
    let start = b.get("/nop-ho-so").await;
    let draft = b
        .post("/nop-ho-so", &[("csrf", &start.csrf())])
        .await
        .location
        .unwrap()
        .trim_end_matches("/thu-tuc")
        .to_owned();
    let csrf = start.csrf();
    b.post(
        &format!("{draft}/thu-tuc"),
        &[
            ("csrf", &csrf),
            ("co_quan", "000.01.27.H07"),
            ("thu_tuc", "1.001193"),
            ("truong_hop", "dung_han"),
        ],
    )
    .await;
    let note = "ghi chú ".repeat(300);
    let refused = b
        .post(
            &format!("{draft}/nguoi-nop"),
            &[("csrf", &csrf), ("xac_nhan", "1"), ("ghi_chu", &note)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.html.contains("2000"), "{}", refused.html);
    let tab = b
        .post(
            &format!("{draft}/nguoi-nop"),
            &[("csrf", &csrf), ("xac_nhan", "1"), ("ghi_chu", "a\tb")],
        )
        .await;
    assert_eq!(tab.status, 422);
}

#[tokio::test]
async fn a_wrong_or_reused_confirmation_code_is_refused() {
    let portal = Portal::demo().await;
    let mut b = registered(&portal, "083190000456").await;
    let review = walk_to_review(&mut b).await;
    let words = b.get(&format!("{review}?ma=chu")).await;
    let question = words.text_of("cau-hoi").expect("the code in words");
    let answer = digits_in_words(&question);
    let challenge = words.input("thu_thach").unwrap();
    let csrf = words.csrf();
    let wrong_answer = if answer == "00000" { "11111" } else { "00000" };
    let wrong = b
        .post(
            &review,
            &[
                ("csrf", &csrf),
                ("thu_thach", &challenge),
                ("ma_xac_nhan", wrong_answer),
                ("bang_chu", "1"),
                ("cam_doan", "1"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.html);
    assert!(wrong.html.contains("không đúng"), "{}", wrong.html);
    // The code was spent by the wrong answer: the right one no longer passes.
    let reused = b
        .post(
            &review,
            &[
                ("csrf", &csrf),
                ("thu_thach", &challenge),
                ("ma_xac_nhan", &answer),
                ("bang_chu", "1"),
                ("cam_doan", "1"),
            ],
        )
        .await;
    assert_eq!(reused.status, 422);
    assert!(reused.html.contains("đã dùng"), "{}", reused.html);
    // Without the declaration, a right code is spent and the dossier not sent.
    let fresh = reused.text_of("cau-hoi").expect("a new code in words");
    let undeclared = b
        .post(
            &review,
            &[
                ("csrf", &csrf),
                ("thu_thach", &reused.input("thu_thach").unwrap()),
                ("ma_xac_nhan", &digits_in_words(&fresh)),
                ("bang_chu", "1"),
            ],
        )
        .await;
    assert_eq!(undeclared.status, 422);
    assert!(undeclared.html.contains("cam đoan"));
    // The image code of the page, like the words, is one use only; a right answer sends.
    let last = undeclared.text_of("cau-hoi").unwrap();
    let sent = b
        .post(
            &review,
            &[
                ("csrf", &csrf),
                ("thu_thach", &undeclared.input("thu_thach").unwrap()),
                ("ma_xac_nhan", &digits_in_words(&last)),
                ("bang_chu", "1"),
                ("cam_doan", "1"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.html);
    let done = b.get(sent.location.as_deref().unwrap()).await;
    assert!(done.html.contains("Chúc mừng bạn đã nộp hồ sơ thành công"));
    let code = done.text_of("ma-ho-so").unwrap();
    // A repeated press finds the same dossier.
    let again = b.post(&review, &[("csrf", &csrf)]).await;
    assert_eq!(
        again.location.as_deref(),
        Some(&*format!("/ho-so/{code}/da-nop"))
    );
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM dossiers WHERE channel = 'online'")
        .fetch_one(&portal.running.state.db)
        .await
        .unwrap();
    assert_eq!(count, 1);
    // The journal tells it came through the pages.
    let via: Option<String> = sqlx::query_scalar(
        "SELECT detail FROM audit WHERE event = 'dossier_created' AND dossier_code = $1",
    )
    .bind(&code)
    .fetch_one(&portal.running.state.db)
    .await
    .unwrap();
    assert_eq!(via.as_deref(), Some("pages 1.001193"));
}

#[tokio::test]
async fn another_citizens_dossier_draft_and_code_are_not_found() {
    let portal = Portal::demo().await;
    let mut owner = registered(&portal, "083190000789").await;
    let review = walk_to_review(&mut owner).await;
    let draft = review.trim_end_matches("/xac-nhan").to_owned();
    let words = owner.get(&format!("{review}?ma=chu")).await;
    let challenge = words.input("thu_thach").unwrap();
    let image_page = owner.get(&review).await;
    let image = image_page
        .html
        .split("src=\"/ma-xac-nhan/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    assert_eq!(
        owner.get(&format!("/ma-xac-nhan/{image}")).await.status,
        200
    );
    let sent = owner
        .post(
            &review,
            &[
                ("csrf", &words.csrf()),
                ("thu_thach", &challenge),
                (
                    "ma_xac_nhan",
                    &digits_in_words(&words.text_of("cau-hoi").unwrap()),
                ),
                ("bang_chu", "1"),
                ("cam_doan", "1"),
            ],
        )
        .await;
    let code = sent
        .location
        .unwrap()
        .trim_start_matches("/ho-so/")
        .trim_end_matches("/da-nop")
        .to_owned();

    let other_number = demo_number(&portal, 2).await;
    let mut other = Browser::new(&portal);
    other.login(&other_number, DEMO_PASSWORD).await;
    assert_eq!(other.get(&format!("/ho-so/{code}")).await.status, 404);
    assert_eq!(
        other.get(&format!("/ho-so/{code}/da-nop")).await.status,
        404
    );
    assert_eq!(
        other.get("/ho-so/000.01.27.H07-000101-0001").await.status,
        404
    );
    let csrf = other.get("/ho-so").await.csrf();
    let supplement = other
        .post_file(
            &format!("/ho-so/{code}/bo-sung"),
            &[("csrf", &csrf), ("phien_ban", "1")],
            Some(("tep_khac", "x.pdf", small_pdf("x"))),
        )
        .await;
    assert_eq!(supplement.status, 404);
    assert_eq!(other.get(&format!("{draft}/nguoi-nop")).await.status, 404);
    let new_draft = other.get(&format!("{draft}/thu-tuc")).await;
    assert_eq!(new_draft.status, 404);
    assert_eq!(
        other.get(&format!("/ma-xac-nhan/{image}")).await.status,
        404
    );
    let mine = other.get("/ho-so").await;
    assert!(!mine.html.contains(&code));
    // The owner sees it.
    let own = owner.get(&format!("/ho-so/{code}")).await;
    assert_eq!(own.status, 200);
    assert!(own.html.contains(&code));
}

#[tokio::test]
async fn the_supplement_is_answered_online_and_a_fee_shows_its_vietqr_code() {
    let portal = Portal::demo().await;
    let number = demo_number(&portal, 1).await;
    let citizen = portal.login(&number, DEMO_PASSWORD).await;
    // A dossier with a fee, submitted through the API: permanent residence, 10,000 đ online.
    let upload = portal.upload(&citizen, "don.pdf", &small_pdf("don")).await;
    let detail: Value = portal
        .get("/procedures/1.004222")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let case = &detail["cases"][0];
    let mut documents = Vec::new();
    for part in case["documents"].as_array().unwrap() {
        if part["mandatory"].as_bool().unwrap() {
            let id = if documents.is_empty() {
                upload.clone()
            } else {
                portal
                    .upload(&citizen, "x.pdf", &small_pdf(part["id"].as_str().unwrap()))
                    .await
            };
            documents
                .push(json!({"part_id": part["id"], "originals": 1, "copies": 0, "upload_id": id}));
        }
    }
    let res = portal
        .post("/citizen/dossiers")
        .bearer_auth(&citizen)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({
            "office_code": "000.01.27.H07",
            "procedure_code": "1.004222",
            "case_id": case["id"],
            "documents": documents,
            "delivery": {"method": "in_person"},
            "declaration_accepted": true,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let dossier: Value = res.json().await.unwrap();
    let code = dossier["code"].as_str().unwrap().to_owned();
    let mut b = Browser::new(&portal);
    b.login(&number, DEMO_PASSWORD).await;
    let page = b.get(&format!("/ho-so/{code}")).await;
    assert!(page.html.contains("<svg"), "the VietQR code");
    assert!(page.html.contains("10.000"), "the amount");
    // The desk asks for a supplement; the citizen answers on the pages.
    let desk = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let (status, _) = portal
        .act(
            &desk,
            &code,
            1,
            json!({"action": "request_supplement", "reason": "Bản quét mờ", "missing_documents": ["Tờ khai rõ nét"]}),
        )
        .await;
    assert_eq!(status, 200);
    let page = b.get(&format!("/ho-so/{code}")).await;
    assert!(page.html.contains("Tờ khai rõ nét"));
    let version = page.input("phien_ban").unwrap();
    let sent = b
        .post_file(
            &format!("/ho-so/{code}/bo-sung"),
            &[
                ("csrf", &page.csrf()),
                ("phien_ban", &version),
                ("ghi_chu", "Gửi bản rõ"),
            ],
            Some(("tep_khac", "to-khai-ro.pdf", small_pdf("ro"))),
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.html);
    let status: String = sqlx::query_scalar("SELECT status FROM dossiers WHERE code = $1")
        .bind(&code)
        .fetch_one(&portal.running.state.db)
        .await
        .unwrap();
    assert_eq!(status, "submitted");
    // The public lookup on the pages.
    let lookup = b.get("/tra-cuu").await;
    let found = b
        .post(
            "/tra-cuu",
            &[
                ("csrf", &lookup.csrf()),
                ("ma_ho_so", &code),
                ("so_dinh_danh", &number),
            ],
        )
        .await;
    assert_eq!(found.status, 200);
    assert!(found.html.contains("chờ tiếp nhận"), "{}", found.html);
    let missed = b
        .post(
            "/tra-cuu",
            &[
                ("csrf", &lookup.csrf()),
                ("ma_ho_so", &code),
                ("so_dinh_danh", "083000000000"),
            ],
        )
        .await;
    assert_eq!(missed.status, 404);
}

#[tokio::test]
async fn the_script_uploads_resume_from_where_the_server_is() {
    let portal = Portal::demo().await;
    let mut b = registered(&portal, "083190000999").await;
    let csrf = b.get("/ho-so").await.csrf();
    let session = format!(
        "{}={}",
        motcua::portal::web::SESSION_COOKIE,
        b.cookies[motcua::portal::web::SESSION_COOKIE]
    );
    let http = reqwest::Client::new();
    let bytes = small_pdf(&"x".repeat(2000));
    use sha2::Digest;
    let declared: Value = http
        .post(format!("{}/tai-len", b.root))
        .header("Cookie", &session)
        .header("X-CSRF-Token", &csrf)
        .json(&json!({"filename": "to-khai.pdf", "size": bytes.len(), "content_type": "application/pdf",
            "sha256": hex::encode(sha2::Sha256::digest(&bytes))}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = declared["id"].as_str().unwrap().to_owned();
    let half = bytes.len() / 2;
    let first = http
        .patch(format!("{}/tai-len/{id}", b.root))
        .header("Cookie", &session)
        .header("X-CSRF-Token", &csrf)
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(bytes[..half].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 204);
    // After the "cut": where does it stand?
    let head = http
        .head(format!("{}/tai-len/{id}", b.root))
        .header("Cookie", &session)
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(
        head.headers()["upload-offset"].to_str().unwrap(),
        half.to_string()
    );
    let rest = http
        .patch(format!("{}/tai-len/{id}", b.root))
        .header("Cookie", &session)
        .header("X-CSRF-Token", &csrf)
        .header("Upload-Offset", half.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .body(bytes[half..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), 204);
    // The form then names the finished upload instead of carrying the bytes.
    let start = b.get("/nop-ho-so").await;
    let draft = b
        .post("/nop-ho-so", &[("csrf", &csrf)])
        .await
        .location
        .unwrap()
        .trim_end_matches("/thu-tuc")
        .to_owned();
    assert_eq!(start.status, 200);
    b.post(
        &format!("{draft}/thu-tuc"),
        &[
            ("csrf", &csrf),
            ("co_quan", "000.01.27.H07"),
            ("thu_tuc", "1.001193"),
            ("truong_hop", "dung_han"),
        ],
    )
    .await;
    b.post(
        &format!("{draft}/nguoi-nop"),
        &[("csrf", &csrf), ("xac_nhan", "1")],
    )
    .await;
    let attached = b
        .post_file(
            &format!("{draft}/giay-to/to_khai"),
            &[("csrf", &csrf), ("ma_tai_len", &id)],
            None,
        )
        .await;
    assert_eq!(attached.status, 303, "{}", attached.html);
    let page = b.get(&format!("{draft}/giay-to")).await;
    assert!(page.html.contains("to-khai.pdf"), "{}", page.html);
}

#[tokio::test]
async fn behind_tls_the_cookies_are_secure() {
    let settings = Settings {
        secure_cookies: true,
        ..Settings::default()
    };
    let portal = Portal::with(settings, Seed::Accounts).await;
    let number = demo_number(&portal, 1).await;
    let mut b = Browser::new(&portal);
    let page = b.get("/dang-nhap").await;
    let anon = page.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        anon.contains("Secure") && anon.contains("HttpOnly"),
        "{anon}"
    );
    let done = b
        .post(
            "/dang-nhap",
            &[
                ("csrf", &page.csrf()),
                ("so_dinh_danh", &number),
                ("mat_khau", DEMO_PASSWORD),
            ],
        )
        .await;
    let cookie = done.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

/// Both catalogs hold the same keys with the same placeholders, and every key a
/// template or the code names exists.
#[test]
fn the_catalogs_agree_and_every_key_exists() {
    use motcua::domain::Lang;
    use motcua::portal::web::catalog_keys;
    let (vi, en) = (catalog_keys(Lang::Vi), catalog_keys(Lang::En));
    assert_eq!(vi, en);
    assert!(vi.len() > 150);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/portal/web");
    let mut files = Vec::new();
    common::rust_files(&root, &mut files);
    for entry in std::fs::read_dir(root.join("templates")).unwrap() {
        files.push(entry.unwrap().path());
    }
    let mut named = std::collections::BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for pattern in [
            "tr(\"",
            "lang, \"",
            "Lang::Vi, \"",
            "Layout::new(&v, \"",
            "Layout::new(v, \"",
        ] {
            for (at, _) in text.match_indices(pattern) {
                let rest = &text[at + pattern.len()..];
                let key: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !key.is_empty() && rest[key.len()..].starts_with('"') {
                    named.insert(key);
                }
            }
        }
    }
    let missing: Vec<_> = named.iter().filter(|k| !vi.contains(k)).collect();
    // `tr("key")` is how the module's own documentation shows a call.
    let missing: Vec<_> = missing.into_iter().filter(|k| *k != "key").collect();
    assert!(
        missing.is_empty(),
        "keys named but not in the catalogs: {missing:?}"
    );
    for n in 1..=13 {
        assert!(vi.contains(&format!("step_{n}")));
    }
    for key in &vi {
        let holes = |lang| {
            let text = motcua::portal::web::catalog_text(lang, key).unwrap();
            let mut h: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|s| s.split('}').next().map(str::to_owned))
                .collect();
            h.sort();
            h
        };
        assert_eq!(holes(Lang::Vi), holes(Lang::En), "{key}");
    }
}
