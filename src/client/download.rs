//! Downloads that survive a bad link: the bytes go to `<file>.part` beside the file, a
//! cut keeps them there, and the next try asks only for the rest (`Range` with `If-Range`
//! on the file's `ETag`, which the portal answers 206; or 200, the whole file, when the
//! file changed meanwhile). The whole file's SHA-256 is checked before it is put in
//! place: a file that does not match is removed, never shown.

use super::{ClientError, PortalClient, header, segment};
use reqwest::header::{ACCEPT_ENCODING, CONTENT_RANGE, ETAG, IF_RANGE, RANGE};
use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How far a download has come: bytes of the file on disk, of how many (`None` until
/// the portal says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadProgress {
    pub received: u64,
    pub total: Option<u64>,
}

/// A file downloaded whole and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    pub size: u64,
    pub sha256: String,
    /// Bytes on disk already when the try that finished began, which it did not ask
    /// for again (0: the file came in one go).
    pub resumed_from: u64,
    /// Requests it took (more than one when the link was cut).
    pub tries: u32,
}

/// Tries in one call, each after a cut that came once bytes had arrived (a try that
/// gets nothing ends the call: the link is down, and the caller says so).
const MAX_TRIES: u32 = 10;

/// No file the portal keeps is larger (uploads stop at 20 MiB); a portal that sends more
/// is not believed, so a hostile or broken one cannot fill the disk.
pub const MAX_DOWNLOAD: u64 = 64 * 1024 * 1024;

/// Where the bytes of `dest` wait until they are whole and checked.
pub fn part_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

/// Beside the `.part` file: the `ETag` of the file it is part of, so that a later try
/// (after a restart too) asks for the rest of that file and no other.
fn tag_path(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part.etag");
    dest.with_file_name(name)
}

impl PortalClient {
    /// An attachment to `dest` (see [`PortalClient::download_to`]); the bytes written.
    pub async fn download_attachment(
        &self,
        code: &str,
        id: &str,
        dest: &Path,
    ) -> Result<u64, ClientError> {
        self.download_to(&attachment_path(code, id), dest, None, |_| {})
            .await
            .map(|d| d.size)
    }

    /// The file at `path` of the API to `dest`, going on from a `.part` file an earlier
    /// try left, and again after every cut that came once bytes had arrived. `sha256` is
    /// what the file must hash to (the dossier says it); without it, the portal's
    /// `X-Content-Sha256`. `progress` hears of every piece written.
    pub async fn download_to(
        &self,
        path: &str,
        dest: &Path,
        sha256: Option<&str>,
        progress: impl Fn(DownloadProgress) + Send + Sync,
    ) -> Result<Downloaded, ClientError> {
        let part = part_path(dest);
        let tag_file = tag_path(dest);
        let file_err = |e: std::io::Error| ClientError::File {
            path: dest.display().to_string(),
            kind: e.kind(),
        };
        let mut stated: Option<String> = None;
        let mut resumed_from;
        let mut tries = 0;
        loop {
            tries += 1;
            let have = tokio::fs::metadata(&part)
                .await
                .map(|m| m.len())
                .unwrap_or(0);
            // The tag the `.part` file was downloaded under; else the file's SHA-256,
            // which is the reference portal's tag.
            let tag = tokio::fs::read_to_string(&tag_file)
                .await
                .ok()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .or_else(|| sha256.map(|s| format!("\"{s}\"")));
            // Identity: a compressed answer's bytes are not the file's, so a range of it
            // would mean nothing.
            let mut rb = self
                .request(Method::GET, path)
                .header(ACCEPT_ENCODING, "identity");
            let asked_from = match (&tag, have) {
                (Some(tag), 1..) => {
                    rb = rb
                        .header(RANGE, format!("bytes={have}-"))
                        .header(IF_RANGE, tag.as_str());
                    have
                }
                _ => 0,
            };
            let mut res = match self.send(rb).await {
                Ok(res) => res,
                // The `.part` file is longer than the file: it was of another one.
                Err(ClientError::Api { status: 416, .. }) if tries < MAX_TRIES => {
                    forget(&part, &tag_file).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let (start, total) = match res.status() {
                StatusCode::PARTIAL_CONTENT => {
                    match header(res.headers(), CONTENT_RANGE).and_then(|r| content_range(&r)) {
                        Some((first, total)) if first == asked_from => (first, Some(total)),
                        // Not the rest of what we have: start over, whole.
                        _ if tries < MAX_TRIES => {
                            forget(&part, &tag_file).await;
                            continue;
                        }
                        _ => {
                            return Err(ClientError::Decode(
                                "a range that is not the one asked for".into(),
                            ));
                        }
                    }
                }
                _ => (0, res.content_length()),
            };
            if total.is_some_and(|t| t > MAX_DOWNLOAD) {
                forget(&part, &tag_file).await;
                return Err(ClientError::Decode(format!(
                    "a file of {} bytes, over the {MAX_DOWNLOAD} a download may be",
                    total.unwrap_or_default()
                )));
            }
            resumed_from = start;
            if let Some(s) = header(res.headers(), "x-content-sha256") {
                stated = Some(s);
            }
            // A strong tag names this very file: keep it for the next try.
            match header(res.headers(), ETAG) {
                Some(etag) if !etag.starts_with("W/") => {
                    tokio::fs::write(&tag_file, etag).await.map_err(file_err)?;
                }
                _ => {
                    let _ = tokio::fs::remove_file(&tag_file).await;
                }
            }
            let mut file = if start > 0 {
                tokio::fs::OpenOptions::new()
                    .append(true)
                    .open(&part)
                    .await
                    .map_err(file_err)?
            } else {
                tokio::fs::File::create(&part).await.map_err(file_err)?
            };
            let mut received = start;
            progress(DownloadProgress { received, total });
            let outcome: Result<(), ClientError> = async {
                while let Some(chunk) = res.chunk().await.map_err(cut)? {
                    received += chunk.len() as u64;
                    if received > total.unwrap_or(MAX_DOWNLOAD).min(MAX_DOWNLOAD) {
                        return Err(ClientError::Decode("more bytes than the file has".into()));
                    }
                    file.write_all(&chunk).await.map_err(file_err)?;
                    progress(DownloadProgress { received, total });
                }
                Ok(())
            }
            .await;
            // What arrived stays on disk whatever happened next.
            let flushed = file.flush().await.map_err(file_err);
            drop(file);
            match outcome.and(flushed) {
                Ok(()) => break,
                Err(ClientError::Decode(why)) => {
                    forget(&part, &tag_file).await;
                    return Err(ClientError::Decode(why));
                }
                // A cut after some bytes: ask for the rest at once.
                Err(e) if e.is_offline() && received > start && tries < MAX_TRIES => {
                    tracing::info!(
                        "download of {path} cut at {received} bytes; asking for the rest"
                    );
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        let (size, actual) = hash_file(&part).await.map_err(file_err)?;
        let expected = sha256.map(str::to_owned).or(stated);
        if let Some(expected) = expected
            && !expected.eq_ignore_ascii_case(&actual)
        {
            forget(&part, &tag_file).await;
            return Err(ClientError::Damaged {
                path: dest.display().to_string(),
            });
        }
        tokio::fs::rename(&part, dest).await.map_err(file_err)?;
        let _ = tokio::fs::remove_file(&tag_file).await;
        Ok(Downloaded {
            size,
            sha256: actual,
            resumed_from,
            tries,
        })
    }
}

/// The API path of an attachment.
pub fn attachment_path(code: &str, id: &str) -> String {
    format!("/dossiers/{}/attachments/{}", segment(code), segment(id))
}

/// A body that broke off. reqwest calls it a decoding error when its gzip support is on,
/// even for a body that is not encoded (as here): for a download it is the link.
fn cut(e: reqwest::Error) -> ClientError {
    if e.is_timeout() {
        ClientError::Timeout
    } else {
        ClientError::Offline(e.to_string())
    }
}

/// Removes a `.part` file and its tag: what it held cannot be continued.
async fn forget(part: &Path, tag: &Path) {
    let _ = tokio::fs::remove_file(part).await;
    let _ = tokio::fs::remove_file(tag).await;
}

/// `bytes <first>-<last>/<size>` → (first, size).
fn content_range(value: &str) -> Option<(u64, u64)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (span, size) = rest.split_once('/')?;
    let (first, _) = span.split_once('-')?;
    Some((first.trim().parse().ok()?, size.trim().parse().ok()?))
}

/// The size and SHA-256 of a file on disk, read in pieces.
async fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = tokio::fs::File::open(path).await?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((size, hex::encode(hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_files_keep_the_whole_name() {
        assert_eq!(
            part_path(Path::new("/tmp/a/giay.khai.sinh.pdf")),
            PathBuf::from("/tmp/a/giay.khai.sinh.pdf.part")
        );
        assert_eq!(
            tag_path(Path::new("x.png")),
            PathBuf::from("x.png.part.etag")
        );
    }

    #[test]
    fn content_ranges_are_read() {
        assert_eq!(content_range("bytes 10-99/100"), Some((10, 100)));
        assert_eq!(content_range("bytes */100"), None);
        assert_eq!(content_range("items 1-2/3"), None);
    }
}
