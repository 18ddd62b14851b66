//! Paper: the printed forms and the register, as the portal makes them (PDF, or CSV and
//! XLSX for the register), saved in the printing folder and handed to the print system.
//!
//! `update` asks for a [`Job`] (`Effect::Paper`); the runtime fetches the document
//! through the client, writes it ([`save`]) and, when asked, prints it ([`print`]) on the
//! blocking pool, and answers `Action::PaperDone` with an [`Outcome`]. Without a printer
//! in the configuration nothing is sent to print: the file is saved and the officer is
//! told where, which is also what happens when printing fails.

use crate::api::registers::RegisterFormat;
use crate::config::Printing;
use crate::domain::forms::Form;
use crate::tui::state::RequestId;
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// What to put on paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document {
    /// A form of a dossier, as A4 PDF.
    Form { code: String, form: Form },
    /// The certificate (lời chứng) of a certification entry, as A4 PDF; `name` is the
    /// file's name when the portal suggests none (the book and number).
    Certificate { id: String, name: String },
    /// The office's register of the dossiers received from `from` to `to`.
    Register {
        from: NaiveDate,
        to: NaiveDate,
        format: RegisterFormat,
    },
    /// The receipt (Mẫu 01) of a dossier taken in with the link down, which the portal
    /// has not got yet: the desk lays it out itself (`crate::forms`), marked as taken in
    /// offline.
    OfflineReceipt(Box<OfflineReceipt>),
}

/// What the desk has to print a receipt offline.
#[derive(Debug, Clone)]
pub struct OfflineReceipt {
    /// As the desk shows it (`tui::offline::provisional`).
    pub dossier: crate::api::dossiers::Dossier,
    /// The office as its forms print it (from the officer's `GET /me`, kept with the
    /// session).
    pub office: crate::forms::Office,
    /// The officer who took it in: username and name.
    pub officer: (String, String),
    pub duration: Option<crate::domain::catalog::Duration>,
    pub calendar: crate::domain::calendar::Calendar,
}

/// One receipt is another when it is the same dossier's, as the same desk has it
/// (the calendar is the configuration's, the same for every job).
impl PartialEq for OfflineReceipt {
    fn eq(&self, other: &Self) -> bool {
        (&self.dossier, &self.office, &self.officer, &self.duration)
            == (
                &other.dossier,
                &other.office,
                &other.officer,
                &other.duration,
            )
    }
}

impl Eq for OfflineReceipt {}

impl OfflineReceipt {
    /// The receipt as A4 PDF, and the circular of its set.
    pub fn pdf(&self) -> Result<(Vec<u8>, &'static str), String> {
        let sheet = self.sheet()?;
        let bytes = crate::forms::pdf::pdf(&sheet).map_err(|e| e.to_string())?;
        Ok((bytes, sheet.set.circular()))
    }

    /// The receipt as the terminal's preview shows it.
    pub fn text(&self) -> Result<String, String> {
        Ok(crate::forms::text::text(&self.sheet()?))
    }

    fn sheet(&self) -> Result<crate::forms::Sheet, String> {
        use crate::forms::{FormInput, Step, render};
        let d = &self.dossier;
        let steps = [Step {
            at: d.received_at.clone().unwrap_or_default(),
            username: Some(self.officer.0.clone()),
            full_name: Some(self.officer.1.clone()),
            role: Some(crate::domain::workflow::Role::Reception),
            action: "created".into(),
            from: None,
            to: Some(crate::domain::status::Status::Received),
            reason: None,
            due_before: None,
            due_after: d.due_at.clone(),
        }];
        let input = FormInput {
            dossier: d,
            office: &self.office,
            steps: &steps,
            duration: self.duration,
            calendar: &self.calendar,
            lookup: None,
            taken_offline: true,
        };
        render(crate::domain::forms::Form::Receipt, &input)
            .map_err(|e| crate::domain::RuleError::message(&e, crate::domain::Lang::Vi))
    }
}

impl Document {
    /// The file name when the portal suggests none.
    pub fn fallback_name(&self) -> String {
        match self {
            Document::Form { code, form } => format!("{code}-{}.pdf", form.as_str()),
            Document::OfflineReceipt(r) => format!("{}-mau-01.pdf", r.dossier.code),
            Document::Certificate { name, .. } => format!("{name}.pdf"),
            Document::Register { from, to, format } => format!(
                "so-theo-doi-ho-so-{}-{}.{}",
                from.format("%Y%m%d"),
                to.format("%Y%m%d"),
                format.extension()
            ),
        }
    }

    /// Only PDFs go to the printer.
    pub fn printable(&self) -> bool {
        match self {
            Document::Form { .. } | Document::Certificate { .. } | Document::OfflineReceipt(_) => {
                true
            }
            Document::Register { format, .. } => *format == RegisterFormat::Pdf,
        }
    }
}

/// Fetch, save and maybe print one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: RequestId,
    pub document: Document,
    /// Where to save it, as typed: a file name (in the printing folder), a folder (the
    /// portal's file name in it) or a path; `None`: the portal's file name in the folder.
    pub file: Option<String>,
    pub print: bool,
}

/// Why a saved document was not printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintProblem {
    /// `[printing] printer` is not set.
    NotConfigured,
    /// Neither `lp` nor `lpr` (nor the configured command) could be run.
    NoCommand(String),
    /// The print command refused: what it said.
    Failed(String),
}

/// What became of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub path: PathBuf,
    pub bytes: usize,
    /// The circular of the form set, as the portal named it.
    pub form_set: String,
    /// `None`: not asked to print. `Ok`: what the print system answered (a job id).
    pub printed: Option<Result<String, PrintProblem>>,
}

/// The folder documents are saved in: the configured one (`~/` expanded), else `motcua`
/// in the documents folder, else in the home folder, else in the working directory.
pub fn folder(settings: &Printing) -> PathBuf {
    if let Some(folder) = &settings.folder {
        return PathBuf::from(crate::tui::paths::expand_home(&folder.to_string_lossy()));
    }
    directories::UserDirs::new()
        .map(|u| {
            u.document_dir()
                .unwrap_or_else(|| u.home_dir())
                .join("motcua")
        })
        .unwrap_or_else(|| PathBuf::from("motcua"))
}

/// Where a job's file goes: what was typed, resolved against the folder; a folder typed
/// (ending in `/`, or one that exists) gets `name` in it.
pub fn target(settings: &Printing, typed: Option<&str>, name: &str) -> PathBuf {
    let folder = folder(settings);
    let Some(typed) = typed.map(str::trim).filter(|t| !t.is_empty()) else {
        return folder.join(name);
    };
    let path = PathBuf::from(crate::tui::paths::expand_home(typed));
    let path = if path.is_absolute() {
        path
    } else {
        folder.join(path)
    };
    if typed.ends_with('/') || path.is_dir() {
        path.join(name)
    } else {
        path
    }
}

/// Writes `bytes` to `path` through a temporary file beside it (a reader never sees half
/// a PDF), making the folders on the way.
pub fn save(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension("part");
    if let Err(e) = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path)) {
        // A disk that filled up leaves no half file behind, under either name.
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Sends the PDF at `path` to the configured printer: `lp -d PRINTER -n COPIES -o
/// media=PAPER FILE` (or `lpr -P … -# … -o …`), the names as arguments, never through a
/// shell. `printer = "default"` leaves the choice to the print system.
pub fn print(settings: &Printing, path: &Path) -> Result<String, PrintProblem> {
    let Some(printer) = settings.printer.as_deref() else {
        return Err(PrintProblem::NotConfigured);
    };
    let commands: Vec<&str> = match settings.command.as_deref() {
        Some(command) => vec![command],
        None => vec!["lp", "lpr"],
    };
    let media = format!("media={}", settings.paper);
    let copies = settings.copies.max(1).to_string();
    for command in &commands {
        let lpr = Path::new(command).file_name().is_some_and(|n| n == "lpr");
        let mut run = std::process::Command::new(command);
        match (lpr, printer) {
            (_, "default") => {}
            (true, p) => {
                run.args(["-P", p]);
            }
            (false, p) => {
                run.args(["-d", p]);
            }
        }
        if lpr {
            run.args(["-#", &copies]);
        } else {
            run.args(["-n", &copies]);
        }
        run.args(["-o", &media]).arg(path);
        run.stdin(std::process::Stdio::null());
        match run.output() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(PrintProblem::Failed(format!("{command}: {e}"))),
            Ok(out) if out.status.success() => {
                // `lp` says "request id is HP-12 (1 file(s))"; `lpr` says nothing.
                let said = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                return Ok(if said.is_empty() {
                    format!("{command} ({printer})")
                } else {
                    said
                });
            }
            Ok(out) => {
                let said = String::from_utf8_lossy(&out.stderr).trim().to_owned();
                return Err(PrintProblem::Failed(if said.is_empty() {
                    format!("{command}: {}", out.status)
                } else {
                    said
                }));
            }
        }
    }
    Err(PrintProblem::NoCommand(commands.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &Path) -> Printing {
        Printing {
            folder: Some(dir.join("giấy tờ")),
            ..Printing::default()
        }
    }

    #[test]
    fn what_is_typed_is_resolved_against_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path());
        let folder = dir.path().join("giấy tờ");
        assert_eq!(target(&s, None, "a.pdf"), folder.join("a.pdf"));
        assert_eq!(target(&s, Some("  "), "a.pdf"), folder.join("a.pdf"));
        assert_eq!(target(&s, Some("b.pdf"), "a.pdf"), folder.join("b.pdf"));
        assert_eq!(
            target(&s, Some("usb/"), "a.pdf"),
            folder.join("usb").join("a.pdf")
        );
        let elsewhere = dir.path().join("khác");
        std::fs::create_dir_all(&elsewhere).unwrap();
        let typed = elsewhere.to_string_lossy().into_owned();
        assert_eq!(target(&s, Some(&typed), "a.pdf"), elsewhere.join("a.pdf"));
    }

    #[test]
    fn a_saved_file_is_whole_and_its_folders_are_made() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("một").join("hai").join("x.pdf");
        let saved = save(&path, b"%PDF-1.7").unwrap();
        assert_eq!(std::fs::read(&saved).unwrap(), b"%PDF-1.7");
        assert!(!path.with_extension("part").exists());
    }

    #[test]
    fn no_printer_no_print() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            print(&settings(dir.path()), &dir.path().join("x.pdf")),
            Err(PrintProblem::NotConfigured)
        );
    }

    /// A print command that writes down its arguments: what `lp` would have been told.
    #[cfg(unix)]
    fn fake(dir: &Path, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[cfg(unix)]
    #[test]
    fn the_printer_paper_and_copies_reach_lp_and_lpr_as_arguments() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("args");
        let pdf = dir.path().join("biên nhận.pdf");
        let script = format!(
            "printf '%s\\n' \"$@\" > '{}'; echo 'request id is HP-7 (1 file(s))'",
            log.display()
        );
        let lp = fake(dir.path(), "lp", &script);
        let mut s = Printing {
            printer: Some("HP_LaserJet".into()),
            paper: "A4".into(),
            copies: 2,
            command: Some(lp.to_string_lossy().into_owned()),
            ..settings(dir.path())
        };
        assert_eq!(print(&s, &pdf), Ok("request id is HP-7 (1 file(s))".into()));
        let args = std::fs::read_to_string(&log).unwrap();
        assert_eq!(
            args.lines().collect::<Vec<_>>(),
            [
                "-d",
                "HP_LaserJet",
                "-n",
                "2",
                "-o",
                "media=A4",
                pdf.to_str().unwrap()
            ]
        );
        // lpr's own flags; the system's default printer: no printer named.
        let lpr = fake(
            dir.path(),
            "lpr",
            &script.replace("echo 'request id is HP-7 (1 file(s))'", "true"),
        );
        s.command = Some(lpr.to_string_lossy().into_owned());
        s.printer = Some("default".into());
        assert_eq!(print(&s, &pdf), Ok(format!("{} (default)", lpr.display())));
        let args = std::fs::read_to_string(&log).unwrap();
        assert_eq!(
            args.lines().collect::<Vec<_>>(),
            ["-#", "2", "-o", "media=A4", pdf.to_str().unwrap()]
        );
        // A refusal is told as the command said it.
        let broken = fake(
            dir.path(),
            "lp-broken",
            "echo 'lp: The printer or class does not exist.' >&2; exit 1",
        );
        s.command = Some(broken.to_string_lossy().into_owned());
        assert_eq!(
            print(&s, &pdf),
            Err(PrintProblem::Failed(
                "lp: The printer or class does not exist.".into()
            ))
        );
        s.command = Some(dir.path().join("nowhere").to_string_lossy().into_owned());
        assert!(matches!(print(&s, &pdf), Err(PrintProblem::NoCommand(_))));
    }
}
