//! Paper: a form's PDF saved or printed from its preview, the receipt printed (or saved)
//! straight from the end of an intake, and the register of a period exported from the
//! statistics pane or the command line (`:so 2026-03-01 2026-03-31 pdf`). The work is
//! `Effect::Paper` (`tui::paper`); the answer is `Action::PaperDone`.

use super::*;
use crate::api::registers::{MAX_DAYS, RegisterFormat};
use crate::domain::forms::FormSet;
use crate::tui::paper::{Document, Job, Outcome, PrintProblem};
use chrono::{Datelike, NaiveDate};

/// Fetches form `form` of dossier `code` as PDF and saves it (`file` as typed, `None`: the
/// printing folder), then prints it if `print`.
pub(super) fn form_paper(
    app: &mut App,
    code: String,
    form: Form,
    file: Option<String>,
    print: bool,
) -> Vec<Effect> {
    // The receipt of a dossier the portal has not got yet: the desk lays it out itself.
    let document = match offline_receipt(app, &code).filter(|_| form == Form::Receipt) {
        Some(receipt) => Document::OfflineReceipt(Box::new(receipt)),
        None => Document::Form { code, form },
    };
    let id = request(app, Purpose::Download);
    vec![Effect::Paper(Job {
        id,
        document,
        file,
        print,
    })]
}

/// What the desk prints as the receipt of dossier `code` when it was taken in offline
/// and the portal has not got it yet (its answer would carry a history); `None` else.
pub(super) fn offline_receipt(app: &App, code: &str) -> Option<crate::tui::paper::OfflineReceipt> {
    let made = app.intake.created.as_deref()?;
    if app.intake.offline.is_none() || !made.timeline.is_empty() || made.code != code {
        return None;
    }
    let me = app.me.as_ref();
    Some(crate::tui::paper::OfflineReceipt {
        dossier: made.clone(),
        office: me
            .and_then(|m| m.office.as_ref())
            .map(|o| crate::forms::Office {
                name: o.name.clone(),
                address: o.address.clone(),
                phone: o.phone.clone(),
            })
            .unwrap_or_else(|| crate::forms::Office {
                name: String::new(),
                address: String::new(),
                phone: String::new(),
            }),
        officer: me
            .map(|m| (m.username.clone(), m.full_name.clone()))
            .unwrap_or_default(),
        duration: super::intake::chosen_case(app).map(|c| c.desk_duration),
        calendar: app.calendar.clone(),
    })
}

/// The receipt of the dossier just taken in, to paper (`p`) or to a file (`s`).
pub(super) fn receipt_paper(app: &mut App, print: bool) -> Vec<Effect> {
    let Some(code) = app.intake.created.as_ref().map(|d| d.code.clone()) else {
        return vec![];
    };
    form_paper(app, code, Form::Receipt, None, print)
}

/// What became of a paper job, in a toast: where the file is, and whether it printed.
pub(super) fn on_paper_done(
    app: &mut App,
    id: RequestId,
    result: Result<Outcome, Failure>,
) -> Vec<Effect> {
    if app.pending.remove(&id).is_none() {
        return vec![];
    }
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(f) => return fail(app, f),
    };
    // The file's name first: a toast is narrow, and a long folder is what may be cut.
    let file = outcome
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = outcome
        .path
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let size = human_size(outcome.bytes as u64);
    let at: [(&'static str, &str); 2] = [("file", &file), ("folder", &folder)];
    let with = |more: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        at.iter()
            .chain(more)
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect()
    };
    let (kind, key, args) = match &outcome.printed {
        None => (
            ToastKind::Success,
            "toast.paper_saved",
            with(&[("size", &size)]),
        ),
        Some(Ok(said)) => (
            ToastKind::Success,
            "toast.paper_printed",
            with(&[("said", said)]),
        ),
        Some(Err(PrintProblem::NotConfigured)) => (ToastKind::Info, "toast.no_printer", with(&[])),
        Some(Err(PrintProblem::NoCommand(commands))) => (
            ToastKind::Error,
            "error.no_print_command",
            with(&[("commands", commands)]),
        ),
        Some(Err(PrintProblem::Failed(problem))) => (
            ToastKind::Error,
            "error.paper_print",
            with(&[("problem", problem)]),
        ),
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let text = trf(app.lang, key, &args);
    toast(app, kind, text);
    vec![]
}

/// The statistics pane's export: the command line, filled in with this month's register
/// so far as PDF, to run as it is or to change first.
pub(super) fn open_export(app: &mut App) -> Vec<Effect> {
    let today = app.now.date_naive();
    let first = today.with_day(1).unwrap_or(today);
    let mut input = text_field();
    input.insert_str(format!(
        "so {} {} pdf",
        first.format("%Y-%m-%d"),
        today.format("%Y-%m-%d")
    ));
    app.overlay = Some(Overlay::CommandLine(Box::new(input)));
    vec![]
}

/// `:so FROM TO [pdf|csv|xlsx]` (or `:register`): the office's register of the dossiers
/// received in the period, saved in the printing folder.
pub(super) fn register_command(app: &mut App, args: &[&str]) -> Vec<Effect> {
    match register_period(args) {
        Ok((from, to, format)) => {
            let id = request(app, Purpose::Download);
            vec![Effect::Paper(Job {
                id,
                document: Document::Register { from, to, format },
                file: None,
                print: false,
            })]
        }
        Err(key) => {
            let text = trf(app.lang, key, &[("days", &MAX_DAYS.to_string())]);
            toast(app, ToastKind::Error, text);
            vec![]
        }
    }
}

/// The period and format of `:so`, or the catalog key of what is wrong with them.
fn register_period(args: &[&str]) -> Result<(NaiveDate, NaiveDate, RegisterFormat), &'static str> {
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (from, to, format) = match args {
        [from, to] => (date(from), date(to), Some(RegisterFormat::Pdf)),
        [from, to, format] => (
            date(from),
            date(to),
            RegisterFormat::ALL
                .into_iter()
                .find(|f| f.as_str().eq_ignore_ascii_case(format)),
        ),
        _ => (None, None, None),
    };
    let (Some(from), Some(to), Some(format)) = (from, to, format) else {
        return Err("error.register_usage");
    };
    if from > to || (to - from).num_days() + 1 > MAX_DAYS {
        return Err("error.register_period");
    }
    Ok((from, to, format))
}

/// The path a form's PDF is offered under: `<code>-mau-<number>.pdf` (the number in the
/// dossier's set, as the portal names it) in the printing folder.
pub(super) fn pdf_name(app: &App, code: &str, form: Form) -> String {
    let number = set_of(dossier_with(app, code)).number(form).unwrap_or("00");
    let name = format!("{code}-mau-{number}.pdf");
    match &app.paper_folder {
        Some(folder) => folder.join(name).display().to_string(),
        None => name,
    }
}

/// The dossier `code` as the app holds it: open in the detail, or just taken in.
fn dossier_with<'a>(app: &'a App, code: &str) -> Option<&'a Dossier> {
    let open = app.inbox.detail.as_ref().and_then(|d| d.dossier.as_deref());
    open.into_iter()
        .chain(app.intake.created.as_deref())
        .find(|d| d.code == code)
}

/// The set a dossier prints in: the one in force on the day it was received.
fn set_of(dossier: Option<&Dossier>) -> FormSet {
    dossier
        .and_then(|d| d.received_at.as_deref().or(Some(d.submitted_at.as_str())))
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| FormSet::for_received(t.date_naive()))
        .unwrap_or(FormSet::Circular03_2025)
}

/// The name of form `form` of dossier `code` as its set numbers it, for the screen.
pub fn form_title(app: &App, code: &str, form: Form) -> String {
    form_label(app.lang, dossier_with(app, code), form)
}

/// The form's name as the dossier's set numbers it (`Mẫu 06 — …` for the control slip of
/// a dossier received from 2025-09-15), for the forms menu.
pub fn form_label(lang: Lang, dossier: Option<&Dossier>, form: Form) -> String {
    let set = set_of(dossier);
    let number = set.number(form).unwrap_or("--");
    let word = match lang {
        Lang::Vi => "Mẫu",
        Lang::En => "Form",
    };
    format!("{word} {number} — {}", set.title(form, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_of_the_register_command() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            register_period(&["2026-03-01", "2026-03-31"]),
            Ok((d("2026-03-01"), d("2026-03-31"), RegisterFormat::Pdf))
        );
        assert_eq!(
            register_period(&["2026-03-01", "2026-03-31", "XLSX"]),
            Ok((d("2026-03-01"), d("2026-03-31"), RegisterFormat::Xlsx))
        );
        assert_eq!(
            register_period(&["2024-01-01", "2024-12-31", "csv"]).map(|p| p.2),
            Ok(RegisterFormat::Csv)
        );
        for (args, why) in [
            (&["2026-03-01"][..], "error.register_usage"),
            (&["01/03/2026", "2026-03-31"][..], "error.register_usage"),
            (
                &["2026-03-01", "2026-03-31", "doc"][..],
                "error.register_usage",
            ),
            (&["2026-03-31", "2026-03-01"][..], "error.register_period"),
            (&["2024-01-01", "2025-01-01"][..], "error.register_period"),
        ] {
            assert_eq!(register_period(args), Err(why), "{args:?}");
        }
    }
}
