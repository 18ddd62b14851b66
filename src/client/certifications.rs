//! Certification at the desk (issue 21): entering a certification, the office's books,
//! and the certificate to print. In a module of its own so that the rest of the client
//! stays as it was.

use super::{ClientError, PortalClient, PrintedFile, segment, with_body};
use crate::api::Page;
use crate::api::certifications::{
    Certification, CertificationQuery, FeeOrder, NewCertification, NewFeeOrder,
};
use crate::api::headers::IDEMPOTENCY_KEY;
use reqwest::Method;
use reqwest::header::ACCEPT;

impl PortalClient {
    /// Enters a certification (`POST /certifications`). `key` is fixed when the entry is
    /// begun: a retry after a lost answer gets the same entry and number back, never a
    /// second number.
    pub async fn certify(
        &self,
        key: &str,
        body: &NewCertification,
    ) -> Result<Certification, ClientError> {
        let rb = self
            .request(Method::POST, "/certifications")
            .header(IDEMPOTENCY_KEY, key);
        self.json(with_body(rb, body)).await
    }

    /// A page of the office's books (`GET /certifications`), newest first.
    pub async fn certifications(
        &self,
        query: &CertificationQuery,
    ) -> Result<Page<Certification>, ClientError> {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(kind) = query.kind {
            params.push(("kind", kind.as_str().to_owned()));
        }
        if let Some(year) = query.year {
            params.push(("year", year.to_string()));
        }
        if let Some(q) = query.q.as_deref().filter(|q| !q.trim().is_empty()) {
            params.push(("q", q.to_owned()));
        }
        if let Some(limit) = query.limit {
            params.push(("limit", limit.to_string()));
        }
        if let Some(cursor) = &query.cursor {
            params.push(("cursor", cursor.clone()));
        }
        self.json(self.request(Method::GET, "/certifications").query(&params))
            .await
    }

    /// Makes a fee order (`POST /certifications/fee-orders`): the fee to pay by VietQR
    /// before the entry, with its QR. `key` is fixed when the order is asked for.
    pub async fn order_fee(&self, key: &str, amount: u64) -> Result<FeeOrder, ClientError> {
        let rb = self
            .request(Method::POST, "/certifications/fee-orders")
            .header(IDEMPOTENCY_KEY, key);
        let body = NewFeeOrder {
            amount: Some(i64::try_from(amount).unwrap_or(i64::MAX)),
        };
        self.json(with_body(rb, &body)).await
    }

    /// A fee order as it stands: whether the transfer arrived.
    pub async fn fee_order(&self, reference: &str) -> Result<FeeOrder, ClientError> {
        let path = format!("/certifications/fee-orders/{}", segment(reference));
        self.json(self.request(Method::GET, &path)).await
    }

    /// An entry's certificate as text, to preview or stamp.
    pub async fn certificate(&self, id: &str) -> Result<String, ClientError> {
        let rb = self
            .request(Method::GET, &certificate_path(id))
            .header(ACCEPT, "text/plain");
        let res = self.send(rb).await?;
        Ok(res.text().await?)
    }

    /// An entry's certificate as an A4 PDF, to print.
    pub async fn certificate_pdf(&self, id: &str) -> Result<PrintedFile, ClientError> {
        let rb = self
            .request(Method::GET, &certificate_path(id))
            .header(ACCEPT, "application/pdf");
        self.printed(rb, "application/pdf").await
    }
}

fn certificate_path(id: &str) -> String {
    format!("/certifications/{}/forms/certificate", segment(id))
}
