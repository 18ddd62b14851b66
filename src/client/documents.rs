//! Documents (issue 16): digitizing a dossier's document part, the citizen's store and
//! its files, result files, and the stats of a period. In a module of their own so that
//! the rest of the client stays as it was.

use super::{ClientError, PortalClient, segment, with_body};
use crate::api::documents::{DigitizationRequest, ResultFile, ResultFileRequest, StoredDocument};
use crate::api::dossiers::Dossier;
use crate::api::headers::IDEMPOTENCY_KEY;
use crate::api::stats::{Stats, StatsQuery};
use reqwest::Method;
use reqwest::header::IF_MATCH;
use sha2::{Digest, Sha256};
use std::path::Path;

impl PortalClient {
    /// Digitizes a document part of a dossier at `version` (`If-Match`): the scan
    /// (`upload_id`, or the part's attachment) with its metadata goes into the citizen's
    /// store. A 412 carries the current dossier.
    pub async fn digitize(
        &self,
        code: &str,
        part_id: &str,
        version: i64,
        body: &DigitizationRequest,
    ) -> Result<Dossier, ClientError> {
        let path = format!(
            "/dossiers/{}/documents/{}/digitization",
            segment(code),
            segment(part_id)
        );
        let rb = self
            .request(Method::PUT, &path)
            .header(IF_MATCH, format!("\"{version}\""));
        self.json(with_body(rb, body)).await
    }

    /// A citizen's store (`GET /citizens/{id}/documents`), oldest first.
    pub async fn citizen_documents(&self, id: &str) -> Result<Vec<StoredDocument>, ClientError> {
        self.json(self.request(Method::GET, &format!("/citizens/{}/documents", segment(id))))
            .await
    }

    /// Saves a stored document's file to `dest` through a temporary file beside it, after
    /// checking the SHA-256 the portal states. Answers the bytes written.
    pub async fn download_stored_document(
        &self,
        citizen: &str,
        doc: &str,
        dest: &Path,
    ) -> Result<u64, ClientError> {
        let path = format!("/citizens/{}/documents/{}", segment(citizen), segment(doc));
        let res = self.send(self.request(Method::GET, &path)).await?;
        let expected = res
            .headers()
            .get("x-content-sha256")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = res.bytes().await?;
        let actual = hex::encode(Sha256::digest(&bytes));
        if let Some(expected) = expected
            && !expected.eq_ignore_ascii_case(&actual)
        {
            return Err(ClientError::Decode(format!(
                "the file's sha256 {actual} differs from the portal's {expected}"
            )));
        }
        let file_err = |e: std::io::Error| ClientError::File {
            path: dest.display().to_string(),
            kind: e.kind(),
        };
        let tmp = dest.with_extension("part");
        tokio::fs::write(&tmp, &bytes).await.map_err(file_err)?;
        tokio::fs::rename(&tmp, dest).await.map_err(file_err)?;
        Ok(bytes.len() as u64)
    }

    /// Issues a result of a dossier as a file (specialist, leader), with the idempotency
    /// key fixed for this result.
    pub async fn add_result_file(
        &self,
        code: &str,
        key: &str,
        body: &ResultFileRequest,
    ) -> Result<ResultFile, ClientError> {
        let rb = self
            .request(
                Method::POST,
                &format!("/dossiers/{}/result-files", segment(code)),
            )
            .header(IDEMPOTENCY_KEY, key);
        self.json(with_body(rb, body)).await
    }

    /// The office's numbers with the indices over a period (`from`, `to`: `YYYY-MM-DD`;
    /// the portal takes the month to date for what is not given), and month by month
    /// for the last `months`.
    pub async fn stats_for(&self, query: &StatsQuery) -> Result<Stats, ClientError> {
        let mut params: Vec<(&str, &str)> = Vec::new();
        if let Some(from) = &query.from {
            params.push(("from", from));
        }
        if let Some(to) = &query.to {
            params.push(("to", to));
        }
        let months = query.months.map(|n| n.to_string());
        if let Some(months) = &months {
            params.push(("months", months));
        }
        self.json(self.request(Method::GET, "/stats").query(&params))
            .await
    }
}
