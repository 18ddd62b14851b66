//! Keys in overlays: help, the command line, menus, the form viewer, the download prompt.

use super::*;

/// A resolved key in an overlay: help, the command line, menus, the form viewer, the
/// prompts, the fee payment.
pub(super) fn overlay_input(app: &mut App, overlay: Overlay, key: KeyInput) -> Vec<Effect> {
    use KeyInput::Command as K;
    match overlay {
        // Any key closes help (and gives the viewer back, when it was the viewer's).
        Overlay::Help(_) => {
            super::viewer::back_from_help(app);
            vec![]
        }
        Overlay::Leave(prompt) => match key {
            K(Command::Leave) => leave(app, prompt.leaving),
            K(Command::Stay) => stay(app, prompt),
            _ => {
                app.overlay = Some(Overlay::Leave(prompt));
                vec![]
            }
        },
        Overlay::CommandLine(mut input) => {
            match key {
                K(Command::Close) => return vec![],
                K(Command::Confirm) => return run_command(app, &field_text(&input)),
                K(Command::Complete) => {
                    let text = field_text(&input);
                    if let Some(done) = completion(&text) {
                        *input = text_field();
                        input.insert_str(done);
                    }
                }
                K(_) => {}
                KeyInput::Text(key) => {
                    edit(&mut input, key);
                }
            }
            app.overlay = Some(Overlay::CommandLine(input));
            vec![]
        }
        Overlay::Actions(mut menu) => match menu_key(&mut menu, key) {
            MenuKey::Close => vec![],
            MenuKey::Moved => {
                app.overlay = Some(Overlay::Actions(menu));
                vec![]
            }
            MenuKey::Chosen => {
                if let Some(step) = menu.items.get(menu.selected).copied() {
                    open_dialog(app, &menu.code, step);
                }
                vec![]
            }
        },
        Overlay::Forms(mut menu) => match menu_key(&mut menu, key) {
            MenuKey::Close => vec![],
            MenuKey::Moved => {
                app.overlay = Some(Overlay::Forms(menu));
                vec![]
            }
            MenuKey::Chosen => match menu.items.get(menu.selected).copied() {
                Some(form) => {
                    let id = request(app, Purpose::Form);
                    app.overlay = Some(Overlay::Form(Box::new(FormView {
                        code: menu.code.clone(),
                        printable: Printable::Form(form),
                        text: None,
                        scroll: 0,
                        save_to: None,
                    })));
                    vec![Effect::LoadForm {
                        id,
                        code: menu.code,
                        form,
                    }]
                }
                None => vec![],
            },
        },
        Overlay::Form(mut view) => {
            if let Some(mut path) = view.save_to.take() {
                match key {
                    K(Command::Close) => {}
                    K(Command::Confirm) => {
                        let target = field_text(&path).trim().to_owned();
                        // A form is saved as the portal's PDF, wherever the path says.
                        if let Printable::Form(form) = view.printable {
                            let code = view.code.clone();
                            app.overlay = Some(Overlay::Form(view));
                            let file = (!target.is_empty()).then_some(target);
                            return super::forms::form_paper(app, code, form, file, false);
                        }
                        // A certificate likewise: the portal's PDF.
                        if let Printable::Certificate { .. } = view.printable {
                            let (id, printable) = (view.code.clone(), view.printable);
                            app.overlay = Some(Overlay::Form(view));
                            let file = (!target.is_empty()).then_some(target);
                            return super::certify::certificate_paper(
                                app, id, printable, file, false,
                            );
                        }
                        if let (false, Some(text)) = (target.is_empty(), view.text.clone()) {
                            app.overlay = Some(Overlay::Form(view));
                            return vec![Effect::SaveText {
                                path: PathBuf::from(target),
                                text,
                            }];
                        }
                        view.save_to = Some(path);
                    }
                    K(_) => view.save_to = Some(path),
                    KeyInput::Text(key) => {
                        edit(&mut path, key);
                        view.save_to = Some(path);
                    }
                }
                app.overlay = Some(Overlay::Form(view));
                return vec![];
            }
            match key {
                K(Command::Close) => {
                    if let Some((id, _)) =
                        app.pending.iter().find(|(_, p)| p.purpose == Purpose::Form)
                    {
                        let id = *id;
                        app.pending.remove(&id);
                        return vec![Effect::Cancel(id)];
                    }
                    return vec![];
                }
                K(Command::Up) => view.scroll = view.scroll.saturating_sub(1),
                K(Command::Down) => view.scroll = view.scroll.saturating_add(1),
                K(Command::PageUp) => view.scroll = view.scroll.saturating_sub(10),
                K(Command::PageDown) => view.scroll = view.scroll.saturating_add(10),
                K(Command::Save) if view.text.is_some() => {
                    let mut path = text_field();
                    path.insert_str(match view.printable {
                        Printable::Form(form) => super::forms::pdf_name(app, &view.code, form),
                        Printable::Slip | Printable::Certificate { .. } => {
                            view.printable.file_name(&view.code)
                        }
                    });
                    view.save_to = Some(path);
                }
                K(Command::Print) if matches!(view.printable, Printable::Form(_)) => {
                    if let Printable::Form(form) = view.printable {
                        let code = view.code.clone();
                        app.overlay = Some(Overlay::Form(view));
                        return super::forms::form_paper(app, code, form, None, true);
                    }
                }
                K(Command::Print) if matches!(view.printable, Printable::Certificate { .. }) => {
                    let (id, printable) = (view.code.clone(), view.printable);
                    app.overlay = Some(Overlay::Form(view));
                    return super::certify::certificate_paper(app, id, printable, None, true);
                }
                K(Command::Print) => {
                    if let Some(text) = view.text.clone() {
                        app.overlay = Some(Overlay::Form(view));
                        return vec![Effect::Print { text }];
                    }
                }
                _ => {}
            }
            app.overlay = Some(Overlay::Form(view));
            vec![]
        }
        Overlay::DeadLetters(menu) => super::outbox::dead_letters_key(app, menu, key),
        Overlay::Attachments(mut menu) => match menu_key(&mut menu, key) {
            MenuKey::Close => vec![],
            MenuKey::Moved => {
                app.overlay = Some(Overlay::Attachments(menu));
                vec![]
            }
            MenuKey::Chosen => {
                if let Some((id, filename)) = menu.items.get(menu.selected).cloned() {
                    app.overlay = Some(download_prompt(&menu.code, id, filename));
                }
                vec![]
            }
        },
        Overlay::Download(mut prompt) => {
            match key {
                K(Command::Close) => return vec![],
                K(Command::Confirm) => {
                    let dest = field_text(&prompt.path).trim().to_owned();
                    if !dest.is_empty() {
                        let id = request(app, Purpose::Download);
                        return vec![Effect::Download {
                            id,
                            code: prompt.code,
                            attachment_id: prompt.attachment_id,
                            dest: PathBuf::from(dest),
                        }];
                    }
                }
                K(_) => {}
                KeyInput::Text(key) => {
                    edit(&mut prompt.path, key);
                }
            }
            app.overlay = Some(Overlay::Download(prompt));
            vec![]
        }
        Overlay::Viewer(viewer) => super::viewer::viewer_key(app, *viewer, key),
        Overlay::OpenAttachment(mut menu) => match menu_key(&mut menu, key) {
            MenuKey::Close => vec![],
            MenuKey::Moved => {
                app.overlay = Some(Overlay::OpenAttachment(menu));
                vec![]
            }
            MenuKey::Chosen => match menu.items.get(menu.selected).cloned() {
                Some(attachment) => super::viewer::open_external(app, &menu.code, attachment),
                None => vec![],
            },
        },
        Overlay::Payment(dialog) => payment_key(app, dialog, key),
        Overlay::Dialog(dialog) => dialog_key(app, dialog, key),
        Overlay::Rating(screen) => super::results::rating_key(app, screen, key),
        Overlay::Exercises(view) => super::training::exercises_key(app, view, key),
        Overlay::Digitize(form) => super::documents::form_key(app, form, key),
    }
}

/// What a key does to a menu.
pub(super) enum MenuKey {
    Close,
    /// Moved, or a key the menu ignores: the menu stays.
    Moved,
    Chosen,
}

pub(super) fn menu_key<T>(menu: &mut Menu<T>, key: KeyInput) -> MenuKey {
    match key {
        KeyInput::Command(Command::Close) => MenuKey::Close,
        KeyInput::Command(Command::Up) => {
            menu.selected = menu.selected.saturating_sub(1);
            MenuKey::Moved
        }
        KeyInput::Command(Command::Down) => {
            menu.selected = (menu.selected + 1).min(menu.items.len().saturating_sub(1));
            MenuKey::Moved
        }
        KeyInput::Command(Command::Choose) => MenuKey::Chosen,
        _ => MenuKey::Moved,
    }
}

pub(super) fn download_prompt(code: &str, attachment_id: String, filename: String) -> Overlay {
    let mut path = text_field();
    path.insert_str(&filename);
    Overlay::Download(Box::new(DownloadPrompt {
        code: code.to_owned(),
        attachment_id,
        filename,
        path,
    }))
}
