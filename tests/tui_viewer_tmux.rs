//! The real binary in tmux against the real portal: a dossier's PNG attachment is drawn
//! inside the terminal in half blocks (tmux passes no graphics protocol, so half blocks
//! it is), cell for cell and colour for colour what the view draws on a test terminal of
//! the same size (the cells read back with `capture-pane -e`, snapshotted); `+` zooms;
//! `o` hands the checked file to the configured program, a stub that records its
//! arguments.

mod common;

use common::pictures::{buffer_cells, half_block_rows, png, quarters, tmux_cells};
use common::tmux::Screen;
use common::{DEMO_PASSWORD, Portal, status_json};
use motcua::domain::Lang;
use sha2::{Digest, Sha256};

/// Uploads a PNG and attaches it to a new dossier of office 1: the dossier's code.
async fn dossier_with(portal: &Portal, name: &str, file: &[u8]) -> String {
    let token = portal.login("tiepnhan1", DEMO_PASSWORD).await;
    let res = portal
        .post("/uploads")
        .bearer_auth(&token)
        .header("Idempotency-Key", format!("\"{}\"", uuid::Uuid::new_v4()))
        .json(&serde_json::json!({
            "filename": name,
            "size": file.len(),
            "sha256": hex::encode(Sha256::digest(file)),
            "content_type": "image/png",
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
        .bearer_auth(&token)
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(file.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let (citizen, _) = portal.citizen_of(1).await;
    let mut body = portal.submission("1.001193", &citizen).await;
    body["documents"][0]["upload_id"] = serde_json::json!(id);
    let (status, d) = portal.create_dossier(&token, &body).await;
    assert_eq!(status, 201, "{d}");
    d["code"].as_str().unwrap().to_owned()
}

/// The half blocks the view draws for `picture` in a 120×32 terminal, as letters.
fn expected(file: &[u8], zoom: u8) -> String {
    let picture = motcua::tui::attachments::decode::picture(&"0".repeat(64), file).unwrap();
    let app = common::tui::app(Lang::Vi, false, (120, 32));
    let area = motcua::tui::view::viewer_picture_area(&app);
    let mut buffer = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 120, 32));
    motcua::tui::view::half_blocks(&picture, zoom, (0.5, 0.5), area, &mut buffer, false);
    half_block_rows(&buffer_cells(&buffer))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_attachment_is_drawn_in_half_blocks_under_tmux() {
    let portal = Portal::demo().await;
    let file = png(&quarters(160, 100));
    let code = dossier_with(&portal, "anh-cccd.png", &file).await;
    let tools = tempfile::tempdir().unwrap();
    let record = tools.path().join("args.txt");
    let stub = tools.path().join("xem-tep");
    std::fs::write(
        &stub,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n",
            record.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let app = Screen::start(
        "viewer",
        &portal.base,
        &format!(
            "\n[attachments]\nopen_with = [\"{}\", \"{{file}}\"]\n",
            stub.display()
        ),
    );
    app.log_in("tiepnhan1", DEMO_PASSWORD).await;
    app.wait_for("Tất cả").await;
    app.keys(&["4"]);
    app.wait_for("Tra cứu hồ sơ theo mã").await;
    app.type_text(&code);
    app.keys(&["Enter"]);
    app.wait_for(&format!("┌ {code} ─")).await;

    // v: the viewer, the picture in half blocks.
    app.keys(&["v"]);
    app.until("the picture", |s| {
        s.contains("anh-cccd.png · 1/1") && s.contains("thu phóng ×1") && s.contains('▀')
    })
    .await;
    // Read back with colours: what the view draws on a test terminal of this size (once
    // the login's toasts, drawn over the picture's corner for a few seconds, are gone).
    let cells_now = || {
        let captured = app.tmux(&["capture-pane", "-t", "app", "-e", "-p"]);
        half_block_rows(&tmux_cells(&captured))
    };
    let whole = expected(&file, 0);
    app.until("the picture's cells, as the view draws them", |_| {
        cells_now() == whole
    })
    .await;
    let cells = cells_now();
    assert!(cells.contains('R') && cells.contains('G') && cells.contains('B'));
    insta::assert_snapshot!("tmux_picture_cells_120x32", cells);

    // +: closer.
    app.keys(&["+"]);
    app.wait_for("thu phóng ×1,5").await;
    let closer = expected(&file, 1);
    let zoomed = app
        .until("the zoomed picture", |_| cells_now() == closer)
        .await;
    assert!(zoomed.contains('▀'));

    // o: the checked file, to the configured program.
    app.keys(&["o"]);
    app.wait_for("Đã mở anh-cccd.png bằng").await;
    let said = std::fs::read_to_string(&record).unwrap();
    let path = std::path::PathBuf::from(said.trim_end());
    assert!(
        path.is_absolute() && path.starts_with(app.home.path()),
        "{said}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), file);
    app.keys(&["Escape"]);
    app.wait_for("Trạng thái:").await;
}
