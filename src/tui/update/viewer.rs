//! The attachment viewer: opened from the detail (`v`), its keys (zoom, move, the next
//! and previous attachment, open with the system viewer, save, help), and what the
//! runtime answers: how far a download has come, the file ready to show, what the system
//! viewer said, a view encoded for the terminal's graphics protocol.

use super::*;
use crate::api::dossiers::Attachment;
use crate::tui::viewer::{self as model, MAX_ZOOM, Shown, Viewer};

/// The open dossier's attachments, in the order of its documents.
fn attachments_of(app: &App) -> Option<(String, Vec<Attachment>)> {
    let d = app.inbox.detail.as_ref()?.dossier.as_deref()?;
    let items = d
        .documents
        .iter()
        .filter_map(|doc| doc.attachment.clone())
        .collect();
    Some((d.code.clone(), items))
}

/// `v` in the detail: the viewer over the first attachment.
pub(super) fn open_viewer(app: &mut App) -> Vec<Effect> {
    let Some((code, items)) = attachments_of(app) else {
        return vec![];
    };
    if items.is_empty() {
        let text = tr(app.lang, "toast.no_attachments").to_owned();
        toast(app, ToastKind::Info, text);
        return vec![];
    }
    let id = request(app, Purpose::Attachment);
    let viewer = Viewer::new(code, items, 0, id);
    let effect = fetch(&viewer, id);
    app.overlay = Some(Overlay::Viewer(Box::new(viewer)));
    effect.into_iter().collect()
}

/// The request that fetches the viewer's current attachment.
fn fetch(viewer: &Viewer, id: RequestId) -> Option<Effect> {
    Some(Effect::ViewAttachment {
        id,
        code: viewer.code.clone(),
        attachment: viewer.current()?.clone(),
    })
}

/// `o` in the detail: the one attachment opened with the system viewer, or a choice of
/// them.
pub(super) fn open_external_from_detail(app: &mut App) -> Vec<Effect> {
    let Some((code, items)) = attachments_of(app) else {
        return vec![];
    };
    match items.len() {
        0 => {
            let text = tr(app.lang, "toast.no_attachments").to_owned();
            toast(app, ToastKind::Info, text);
            vec![]
        }
        1 => {
            let attachment = items.into_iter().next().expect("one attachment");
            open_external(app, &code, attachment)
        }
        _ => {
            app.overlay = Some(Overlay::OpenAttachment(Menu {
                code,
                items,
                selected: 0,
            }));
            vec![]
        }
    }
}

/// Fetches, checks and opens `attachment` with the system viewer.
pub(super) fn open_external(app: &mut App, code: &str, attachment: Attachment) -> Vec<Effect> {
    let id = request(app, Purpose::Attachment);
    vec![Effect::OpenAttachment {
        id,
        code: code.to_owned(),
        attachment,
    }]
}

/// The viewer's commands that do something now.
pub(super) fn enabled(app: &App) -> Vec<Command> {
    use Command as C;
    let Some(Overlay::Viewer(v)) = &app.overlay else {
        return vec![];
    };
    let mut on = vec![C::OpenExternal, C::Save, C::Help, C::Close];
    if v.shown.picture().is_some() {
        on.extend([C::ZoomIn, C::ZoomOut]);
        if v.zoom > 0 {
            on.extend([C::ZoomReset, C::Up, C::Down, C::PanLeft, C::PanRight]);
        }
    }
    if v.items.len() > 1 {
        on.extend([C::NextAttachment, C::PrevAttachment]);
    }
    on
}

/// A key in the viewer.
pub(super) fn viewer_key(app: &mut App, mut v: Viewer, key: KeyInput) -> Vec<Effect> {
    let KeyInput::Command(command) = key else {
        app.overlay = Some(Overlay::Viewer(Box::new(v)));
        return vec![];
    };
    let mut effects = Vec::new();
    // The picture the protocol drew may stay where the next screen draws nothing new.
    let leaves_picture = v.graphic.is_some()
        && matches!(
            command,
            Command::Close
                | Command::Save
                | Command::Help
                | Command::NextAttachment
                | Command::PrevAttachment
        );
    if leaves_picture {
        effects.push(Effect::ClearScreen);
    }
    match command {
        Command::Close => {
            if let Some(id) = v.request.take() {
                app.pending.remove(&id);
                app.attachments.transfers.progress.remove(&id);
                effects.push(Effect::Cancel(id));
            }
            return effects;
        }
        Command::Help => {
            app.overlay = Some(Overlay::Viewer(Box::new(v)));
            let page = help_page(app);
            if let Some(Overlay::Viewer(v)) = app.overlay.take() {
                app.attachments.under_help = Some(v);
            }
            app.overlay = Some(page);
            return effects;
        }
        Command::ZoomIn => v.zoom = (v.zoom + 1).min(MAX_ZOOM),
        Command::ZoomOut => v.zoom = v.zoom.saturating_sub(1),
        Command::ZoomReset => {
            v.zoom = 0;
            v.center = (0.5, 0.5);
        }
        Command::Up => v.pan(0.0, -1.0),
        Command::Down => v.pan(0.0, 1.0),
        Command::PanLeft => v.pan(-1.0, 0.0),
        Command::PanRight => v.pan(1.0, 0.0),
        Command::NextAttachment | Command::PrevAttachment if v.items.len() > 1 => {
            let n = v.items.len();
            let next = if command == Command::NextAttachment {
                (v.index + 1) % n
            } else {
                (v.index + n - 1) % n
            };
            if let Some(old) = v.request.take() {
                app.pending.remove(&old);
                app.attachments.transfers.progress.remove(&old);
                effects.push(Effect::Cancel(old));
            }
            let id = request(app, Purpose::Attachment);
            v = Viewer::new(v.code, v.items, next, id);
            effects.extend(fetch(&v, id));
        }
        Command::OpenExternal => {
            if let Some(attachment) = v.current().cloned() {
                let code = v.code.clone();
                app.overlay = Some(Overlay::Viewer(Box::new(v)));
                effects.extend(open_external(app, &code, attachment));
                return effects;
            }
        }
        Command::Save => {
            // Saving takes the place of the viewer: the file is in the cache, so `v`
            // shows it again at once.
            if let Some(a) = v.current().cloned() {
                if let Some(id) = v.request.take() {
                    app.pending.remove(&id);
                    app.attachments.transfers.progress.remove(&id);
                    effects.push(Effect::Cancel(id));
                }
                app.overlay = Some(download_prompt(&v.code, a.id, a.filename));
                return effects;
            }
        }
        _ => {}
    }
    app.overlay = Some(Overlay::Viewer(Box::new(v)));
    effects.extend(graphic_wanted(app));
    effects
}

/// Help over the viewer was closed: the viewer comes back as it was.
pub(super) fn back_from_help(app: &mut App) {
    if let Some(v) = app.attachments.under_help.take() {
        app.overlay = Some(Overlay::Viewer(v));
    }
}

/// How far the download of `id` has come.
pub(super) fn on_transfer(app: &mut App, id: RequestId, received: u64, total: Option<u64>) {
    if !app.pending.contains_key(&id) {
        return;
    }
    app.attachments
        .transfers
        .progress
        .insert(id, (received, total));
    for v in viewers(app) {
        if v.request == Some(id)
            && let Shown::Loading {
                received: r,
                total: t,
            } = &mut v.shown
        {
            *r = received;
            *t = total.unwrap_or(*t);
        }
    }
}

/// The viewer, on screen or under its help.
fn viewers(app: &mut App) -> impl Iterator<Item = &mut Viewer> {
    let on_screen = match app.overlay.as_mut() {
        Some(Overlay::Viewer(v)) => Some(&mut **v),
        _ => None,
    };
    on_screen
        .into_iter()
        .chain(app.attachments.under_help.as_deref_mut())
}

/// The attachment the viewer asked for is ready (or cannot be shown).
pub(super) fn on_shown(
    app: &mut App,
    id: RequestId,
    result: Result<Shown, Failure>,
) -> Vec<Effect> {
    app.attachments.transfers.progress.remove(&id);
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    let lang = app.lang;
    let mut expired = false;
    for v in viewers(app) {
        if v.request != Some(id) {
            continue;
        }
        v.request = None;
        v.graphic = None;
        v.shown = match &result {
            Ok(shown) => shown.clone(),
            Err(f) => {
                expired |= matches!(f, Failure::Unauthorized(_));
                Shown::Failed(failure_text(lang, f))
            }
        };
    }
    let mut effects = if expired { expire(app) } else { vec![] };
    effects.extend(graphic_wanted(app));
    effects
}

/// What opening with the system viewer came to.
pub(super) fn on_opened(
    app: &mut App,
    id: RequestId,
    result: Result<crate::tui::attachments::Opened, Failure>,
) -> Vec<Effect> {
    use crate::tui::attachments::Opened;
    app.attachments.transfers.progress.remove(&id);
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    match result {
        Ok(Opened::With { program, path }) => {
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = trf(
                app.lang,
                "toast.opened",
                &[("file", &file), ("program", &program)],
            );
            toast(app, ToastKind::Success, text);
            vec![]
        }
        Ok(Opened::Not(why)) => {
            toast(app, ToastKind::Error, why);
            vec![]
        }
        Err(f) => fail(app, f),
    }
}

/// A view encoded for the terminal's protocol: kept if it is still the one in sight.
pub(super) fn on_graphic(app: &mut App, graphic: model::Graphic) {
    let area = picture_area(app);
    for v in viewers(app) {
        if model::graphic_key(v, area).as_ref() == Some(&graphic.key) {
            v.graphic = Some(graphic.clone());
        }
    }
}

/// The cells the picture may fill now.
fn picture_area(app: &App) -> (u16, u16) {
    let area = crate::tui::view::viewer_picture_area(app);
    (area.width, area.height)
}

/// Asks for the view in sight encoded for the terminal's graphics protocol, when the
/// terminal has one and that view is neither drawn nor asked for already.
pub(super) fn graphic_wanted(app: &mut App) -> Vec<Effect> {
    if app.attachments.graphics.protocol.is_none() {
        return vec![];
    }
    let area = picture_area(app);
    let Some(Overlay::Viewer(v)) = app.overlay.as_mut() else {
        return vec![];
    };
    let Some(key) = model::graphic_key(v, area) else {
        return vec![];
    };
    let drawn = v.graphic.as_ref().is_some_and(|g| g.key == key);
    if drawn || v.asked.as_ref() == Some(&key) || area.0 == 0 || area.1 == 0 {
        return vec![];
    }
    let Some(picture) = v.shown.picture().cloned() else {
        return vec![];
    };
    v.asked = Some(key.clone());
    vec![Effect::EncodeGraphic { key, picture }]
}
