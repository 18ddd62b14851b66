//! Attachments through the runtime's real effect executor against the real portal:
//! opening one runs the configured program (here a stub script that records its
//! arguments) with the file once its SHA-256 is checked, from a private cache folder; a
//! damaged cached copy is fetched again; a picture is decoded, a decompression bomb
//! refused, a PDF's pages counted and its first page drawn when `pdftoppm` is here.

mod common;

use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::api::dossiers::Attachment;
use motcua::config::Config;
use motcua::domain::Lang;
use motcua::tui::Options;
use motcua::tui::action::{Action, Effect};
use motcua::tui::attachments::Opened;
use motcua::tui::keymap::Keymap;
use motcua::tui::runtime::Executor;
use motcua::tui::state::{App, Profile};
use motcua::tui::theme::Theme;
use motcua::tui::viewer::Shown;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

/// A PNG of `width` × `height`, half red and half blue.
fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgba([200, 20, 20, 255])
        } else {
            image::Rgba([20, 20, 200, 255])
        }
    });
    let mut out = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A PNG whose header claims 50,000 × 50,000 pixels: a decompression bomb's first bytes.
fn bomb() -> Vec<u8> {
    let mut bytes = png(1, 1);
    bytes[16..20].copy_from_slice(&50_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&50_000u32.to_be_bytes());
    let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC).checksum(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

/// A PDF of two pages, each a grey square, with a correct cross-reference table.
fn two_page_pdf() -> Vec<u8> {
    let content = b"0.5 g 100 100 400 400 re f";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R >>".to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{}\nendstream",
            content.len(),
            String::from_utf8_lossy(content)
        ),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (n, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{body}\nendobj\n", n + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// Uploads `data` as `content_type` and returns the upload's id.
async fn upload(
    portal: &Portal,
    token: &str,
    name: &str,
    data: &[u8],
    content_type: &str,
) -> String {
    let res = portal
        .post("/uploads")
        .bearer_auth(token)
        .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
        .json(&serde_json::json!({
            "filename": name,
            "size": data.len(),
            "sha256": hex::encode(Sha256::digest(data)),
            "content_type": content_type,
        }))
        .send()
        .await
        .unwrap();
    let (status, body) = status_json(res).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let res = portal
        .http
        .patch(portal.url(&format!("/uploads/{id}")))
        .bearer_auth(token)
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(data.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    id
}

/// A dossier with the three files attached: its code and attachments, in order.
async fn dossier(portal: &Portal) -> (String, Vec<Attachment>) {
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let files = [
        upload(portal, &token, "Ảnh CCCD.png", &png(64, 32), "image/png").await,
        upload(
            portal,
            &token,
            "to-khai.pdf",
            &two_page_pdf(),
            "application/pdf",
        )
        .await,
        upload(portal, &token, "bom.png", &bomb(), "image/png").await,
    ];
    let (citizen, _) = portal.citizen_of(1).await;
    let mut body = portal.submission("1.001193", &citizen).await;
    for (n, id) in files.iter().enumerate() {
        body["documents"][n]["upload_id"] = serde_json::json!(id);
    }
    let (status, d) = portal.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{d}");
    let attachments = (0..3)
        .map(|n| serde_json::from_value(d["documents"][n]["attachment"].clone()).unwrap())
        .collect();
    (d["code"].as_str().unwrap().to_owned(), attachments)
}

/// The stub viewer: a script that writes its arguments, one a line, to `record`.
fn stub(dir: &Path, record: &Path) -> PathBuf {
    let script = dir.join("xem-tep");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n",
            record.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    script
}

/// Waits for the answer to request `id`, keeping the progress reports seen before it.
async fn answer(rx: &mut UnboundedReceiver<Action>, id: u64) -> (Action, Vec<(u64, Option<u64>)>) {
    let mut progress = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(60), rx.recv()).await {
            Ok(Some(Action::Transfer {
                id: of,
                received,
                total,
            })) if of == id => progress.push((received, total)),
            Ok(Some(a @ (Action::AttachmentShown(..) | Action::AttachmentOpened(..)))) => {
                return (a, progress);
            }
            Ok(Some(_)) => {}
            _ => panic!("no answer to request {id}"),
        }
    }
}

async fn log_in(exec: &mut Executor, app: &App, rx: &mut UnboundedReceiver<Action>, url: &str) {
    exec.run(
        Effect::Login {
            id: 1,
            url: url.to_owned(),
            username: "tiepnhan1".into(),
            password: DEMO_PASSWORD.into(),
        },
        app,
    );
    loop {
        match tokio::time::timeout(Duration::from_secs(30), rx.recv()).await {
            Ok(Some(Action::LoggedIn(_, result))) => {
                result.expect("logged in");
                return;
            }
            Ok(Some(_)) => {}
            _ => panic!("no login answer"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_attachment_opens_with_the_configured_program_once_checked() {
    let portal = Portal::demo().await;
    let (code, attachments) = dossier(&portal).await;
    let data = tempfile::tempdir().unwrap();
    let tools = tempfile::tempdir().unwrap();
    let record = tools.path().join("args.txt");
    let script = stub(tools.path(), &record);
    let mut config = Config::default();
    config.attachments.open_with = vec![
        script.display().to_string(),
        "--from-motcua".into(),
        "{file}".into(),
    ];
    let options = Options {
        config,
        data_dir: Some(data.path().to_owned()),
        extra_profiles: vec![],
        outage: None,
    };
    let profile = Profile {
        name: "Ward".into(),
        url: portal.base.clone(),
        training: false,
        demo_hint: None,
    };
    let app = App::new(
        Lang::Vi,
        Theme::default(),
        Keymap::default(),
        vec![profile],
        common::tui::now(),
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut exec = Executor::new(tx, &options, Lang::Vi);
    log_in(&mut exec, &app, &mut rx, &portal.base).await;

    // Opened: the stub got the checked file, by its absolute path, after the option.
    let png_file = &attachments[0];
    exec.run(
        Effect::OpenAttachment {
            id: 2,
            code: code.clone(),
            attachment: png_file.clone(),
        },
        &app,
    );
    let (done, progress) = answer(&mut rx, 2).await;
    let path = match done {
        Action::AttachmentOpened(2, Ok(Opened::With { program, path })) => {
            assert_eq!(program, script.display().to_string());
            path
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(
        progress.last(),
        Some(&(png_file.size, Some(png_file.size))),
        "{progress:?}"
    );
    let said = std::fs::read_to_string(&record).unwrap();
    assert_eq!(said, format!("--from-motcua\n{}\n", path.display()));
    assert!(path.is_absolute());
    let folder = data.path().join("cache").join("attachments");
    assert!(path.starts_with(folder.join(&png_file.sha256)), "{path:?}");
    assert_eq!(path.file_name().unwrap(), "Ảnh CCCD.png");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(hex::encode(Sha256::digest(&bytes)), png_file.sha256);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "the cache is its user's alone");
    }

    // A cached copy that no longer matches is not handed on: it is fetched again.
    std::fs::write(&path, b"\x89PNG\r\n\x1a\nnot the file").unwrap();
    std::fs::remove_file(&record).unwrap();
    exec.run(
        Effect::OpenAttachment {
            id: 3,
            code: code.clone(),
            attachment: png_file.clone(),
        },
        &app,
    );
    let (done, _) = answer(&mut rx, 3).await;
    assert!(
        matches!(done, Action::AttachmentOpened(3, Ok(Opened::With { .. }))),
        "{done:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert!(
        std::fs::read_to_string(&record)
            .unwrap()
            .contains("Ảnh CCCD.png")
    );

    // Shown: the picture, from the cache.
    exec.run(
        Effect::ViewAttachment {
            id: 4,
            code: code.clone(),
            attachment: png_file.clone(),
        },
        &app,
    );
    match answer(&mut rx, 4).await.0 {
        Action::AttachmentShown(4, Ok(Shown::Image(picture))) => {
            assert_eq!((picture.width(), picture.height()), (64, 32));
            assert_eq!(picture.sha256, png_file.sha256);
        }
        other => panic!("{other:?}"),
    }

    // The PDF: two pages, and the first drawn when pdftoppm is on this machine.
    exec.run(
        Effect::ViewAttachment {
            id: 5,
            code: code.clone(),
            attachment: attachments[1].clone(),
        },
        &app,
    );
    let renderer = std::process::Command::new("pdftoppm")
        .arg("-v")
        .output()
        .is_ok();
    match answer(&mut rx, 5).await.0 {
        Action::AttachmentShown(5, Ok(Shown::Pdf(pdf))) => {
            assert_eq!(pdf.pages, Some(2));
            if renderer {
                let page = pdf.first.expect("the first page drawn");
                assert!(page.height() > page.width(), "an A4 page, upright");
                assert_eq!(pdf.note, None);
            } else {
                assert!(pdf.note.unwrap().contains("pdftoppm"));
            }
        }
        other => panic!("{other:?}"),
    }

    // The bomb: refused, said in the viewer, nothing decoded.
    exec.run(
        Effect::ViewAttachment {
            id: 6,
            code: code.clone(),
            attachment: attachments[2].clone(),
        },
        &app,
    );
    match answer(&mut rx, 6).await.0 {
        Action::AttachmentShown(6, Ok(Shown::Failed(why))) => {
            assert!(why.contains("12.000"), "{why}");
        }
        other => panic!("{other:?}"),
    }

    // A program that is not there is named, with what to do.
    let mut config = Config::default();
    config.attachments.open_with = vec!["motcua-khong-co-chuong-trinh".into()];
    let options = Options {
        config,
        data_dir: Some(data.path().to_owned()),
        extra_profiles: vec![],
        outage: None,
    };
    let (tx2, mut rx2) = tokio::sync::mpsc::unbounded_channel();
    let mut other = Executor::new(tx2, &options, Lang::Vi);
    log_in(&mut other, &app, &mut rx2, &portal.base).await;
    other.run(
        Effect::OpenAttachment {
            id: 7,
            code,
            attachment: png_file.clone(),
        },
        &app,
    );
    match answer(&mut rx2, 7).await.0 {
        Action::AttachmentOpened(7, Ok(Opened::Not(why))) => {
            assert!(why.contains("motcua-khong-co-chuong-trinh"), "{why}");
            assert!(why.contains("open_with"), "{why}");
        }
        other => panic!("{other:?}"),
    }
}
