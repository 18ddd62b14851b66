//! Attachments, as the runtime handles them: fetched into the user's cache (resuming
//! after a cut, the SHA-256 checked), then shown (an image decoded with bounds, a PDF's
//! page count and first page) or opened with the system viewer. Everything here runs off
//! the drawing path: in the executor's tasks and on the blocking pool.

pub mod cache;
pub mod decode;
pub mod graphics;
pub mod open;
pub mod pdf;

use crate::api::dossiers::Attachment;
use crate::api::uploads::FileType;
use crate::client::download::attachment_path;
use crate::client::{ClientError, DownloadProgress, PortalClient};
use crate::domain::Lang;
use crate::tui::i18n::{tr, trf};
use crate::tui::viewer::{PdfPreview, Shown};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why an attachment could not be shown or opened, on this machine (the portal's and the
/// link's troubles are `ClientError`s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    /// The cache folder could not be written.
    Disk(PathBuf, std::io::ErrorKind),
    /// What arrived (and matched its SHA-256) is not a PDF, JPEG or PNG.
    NotAFile,
    TooLarge,
    Broken,
    Open(open::OpenProblem),
}

impl Trouble {
    /// What the official reads: what is wrong and what to do.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Trouble::Disk(path, kind) => trf(
                lang,
                "viewer.disk",
                &[
                    ("path", &path.display().to_string()),
                    ("why", &crate::tui::update::io_text(lang, *kind)),
                ],
            ),
            Trouble::NotAFile => tr(lang, "viewer.not_a_file").to_owned(),
            Trouble::TooLarge => tr(lang, "viewer.too_large").to_owned(),
            Trouble::Broken => tr(lang, "viewer.broken").to_owned(),
            Trouble::Open(open::OpenProblem::NotFound(program)) => {
                trf(lang, "viewer.open_not_found", &[("program", program)])
            }
            Trouble::Open(open::OpenProblem::Failed(program, code)) => trf(
                lang,
                "viewer.open_failed",
                &[
                    ("program", program),
                    ("code", &code.map_or("?".to_owned(), |c| c.to_string())),
                ],
            ),
            Trouble::Open(open::OpenProblem::NotStarted(program, kind)) => trf(
                lang,
                "viewer.open_not_started",
                &[
                    ("program", program),
                    ("why", &crate::tui::update::io_text(lang, *kind)),
                ],
            ),
        }
    }
}

/// What opening with the system viewer came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    /// The program (its name) has the file (its path).
    With { program: String, path: PathBuf },
    /// Not opened: why, worded.
    Not(String),
}

/// The attachment in the cache folder `folder`, downloaded if it is not there yet (or no
/// longer whole), its SHA-256 checked: its path and what it holds.
pub async fn fetch(
    client: &PortalClient,
    folder: &Path,
    code: &str,
    attachment: &Attachment,
    progress: impl Fn(DownloadProgress) + Send + Sync,
) -> Result<Result<(PathBuf, FileType), Trouble>, ClientError> {
    let disk = |e: std::io::Error| Trouble::Disk(folder.to_path_buf(), e.kind());
    let Some(entry) = cache::entry(folder, &attachment.sha256) else {
        // Not a SHA-256: the portal's answer is not what the API promises.
        return Err(ClientError::Decode(format!(
            "the attachment's sha256 {:?} is not 64 hex digits",
            attachment.sha256.chars().take(70).collect::<String>()
        )));
    };
    let (prepared, kept) = {
        let (folder, entry, sha) = (
            folder.to_path_buf(),
            entry.clone(),
            attachment.sha256.clone(),
        );
        blocking(move || {
            cache::prepare(&folder)?;
            std::fs::create_dir_all(&entry)?;
            cache::clean(&folder, &entry, std::time::SystemTime::now());
            Ok(cache::find(&entry, &sha))
        })
        .await
        .map_or_else(|e| (Err(e), None), |found| (Ok(()), found))
    };
    if let Err(e) = prepared {
        return Ok(Err(disk(e)));
    }
    if let Some(path) = kept {
        progress(DownloadProgress {
            received: attachment.size,
            total: Some(attachment.size),
        });
        return Ok(kind_of(&path).map(|kind| (path, kind)));
    }
    let downloading = entry.join(cache::DOWNLOADING);
    let done = client
        .download_to(
            &attachment_path(code, &attachment.id),
            &downloading,
            Some(&attachment.sha256),
            progress,
        )
        .await;
    match done {
        Ok(_) => {}
        Err(ClientError::File { kind, .. }) => return Ok(Err(Trouble::Disk(entry, kind))),
        Err(e) => return Err(e),
    }
    let Ok(kind) = kind_of(&downloading) else {
        let _ = std::fs::remove_file(&downloading);
        return Ok(Err(Trouble::NotAFile));
    };
    let path = entry.join(cache::file_name(&attachment.filename, kind));
    if let Err(e) = std::fs::rename(&downloading, &path) {
        return Ok(Err(disk(e)));
    }
    Ok(Ok((path, kind)))
}

/// What a file holds, by its first bytes (never by its name).
fn kind_of(path: &Path) -> Result<FileType, Trouble> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|_| Trouble::NotAFile)?;
    FileType::sniff(&head[..n]).ok_or(Trouble::NotAFile)
}

/// The attachment fetched and made ready to show: an image decoded, a PDF's page count
/// and first page (when `pdftoppm` is on the PATH).
pub async fn show(
    client: &PortalClient,
    folder: &Path,
    code: &str,
    attachment: &Attachment,
    lang: Lang,
    progress: impl Fn(DownloadProgress) + Send + Sync,
) -> Result<Shown, ClientError> {
    let (path, kind) = match fetch(client, folder, code, attachment, progress).await? {
        Ok(found) => found,
        Err(trouble) => return Ok(Shown::Failed(trouble.message(lang))),
    };
    let sha = attachment.sha256.clone();
    let shown = blocking(move || Ok(prepare(&path, kind, &sha, lang)))
        .await
        .unwrap_or_else(|_| Shown::Failed(Trouble::Broken.message(lang)));
    Ok(shown)
}

/// The file at `path` as the viewer shows it.
fn prepare(path: &Path, kind: FileType, sha256: &str, lang: Lang) -> Shown {
    let Ok(bytes) = std::fs::read(path) else {
        return Shown::Failed(Trouble::NotAFile.message(lang));
    };
    let decoded = |bytes: &[u8]| match decode::picture(sha256, bytes) {
        Ok(p) => Ok(Arc::new(p)),
        Err(decode::DecodeProblem::TooLarge) => Err(Trouble::TooLarge),
        Err(decode::DecodeProblem::Broken) => Err(Trouble::Broken),
    };
    match kind {
        FileType::Jpeg | FileType::Png => match decoded(&bytes) {
            Ok(picture) => Shown::Image(picture),
            Err(trouble) => Shown::Failed(trouble.message(lang)),
        },
        FileType::Pdf => {
            let pages = pdf::page_count(&bytes);
            let scratch = path.parent().unwrap_or(path);
            let (first, note) = match pdf::first_page(path, scratch) {
                Ok(png) => match decoded(&png) {
                    Ok(p) => (Some(p), None),
                    Err(_) => (None, Some(tr(lang, "viewer.render_failed").to_owned())),
                },
                Err(pdf::RenderProblem::NoRenderer) => {
                    (None, Some(tr(lang, "viewer.no_renderer").to_owned()))
                }
                Err(pdf::RenderProblem::TooSlow) => {
                    (None, Some(tr(lang, "viewer.render_slow").to_owned()))
                }
                Err(pdf::RenderProblem::Failed) => {
                    (None, Some(tr(lang, "viewer.render_failed").to_owned()))
                }
            };
            Shown::Pdf(PdfPreview { pages, first, note })
        }
    }
}

/// The attachment fetched and handed to the system viewer (or the configured program).
pub async fn open_with(
    client: &PortalClient,
    folder: &Path,
    code: &str,
    attachment: &Attachment,
    program: Vec<String>,
    lang: Lang,
    progress: impl Fn(DownloadProgress) + Send + Sync,
) -> Result<Opened, ClientError> {
    let (path, _) = match fetch(client, folder, code, attachment, progress).await? {
        Ok(found) => found,
        Err(trouble) => return Ok(Opened::Not(trouble.message(lang))),
    };
    // The path is absolute (so no program reads it as an option) whatever the data
    // directory was given as.
    let path = std::path::absolute(&path).unwrap_or(path);
    let file = path.clone();
    let opened = blocking(move || Ok(open::open(&program, &file)))
        .await
        .unwrap_or_else(|e| Err(open::OpenProblem::NotStarted(String::new(), e.kind())));
    Ok(match opened {
        Ok(program) => Opened::With { program, path },
        Err(problem) => Opened::Not(Trouble::Open(problem).message(lang)),
    })
}

/// `work` on the blocking pool; a task that died is an error of the system.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|_| Err(std::io::Error::other("a background task failed")))
}
