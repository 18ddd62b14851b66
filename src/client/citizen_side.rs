//! What the citizen side and the bank do, for the training simulator: activate an
//! account, submit online, send a supplement, and a gateway's signed transfer notice.
//! The staff app itself never calls these on a real portal; they live here so that the
//! sandbox's citizens speak the same HTTP as everyone else.

use super::{PortalClient, segment, with_body};
use crate::api::citizens::ActivateRequest;
use crate::api::dossiers::{CitizenSubmission, Dossier, SupplementIn};
use crate::api::headers::IDEMPOTENCY_KEY;
use crate::api::payments::{NoticeReceipt, PaymentNotice};
use crate::api::training::Journal;
use hmac::{Hmac, Mac};
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, IF_MATCH};
use sha2::Sha256;

use super::ClientError;

/// Entries asked for in one read of the journal: fewer back means it was read to the end.
pub const JOURNAL_PAGE: usize = 200;

impl PortalClient {
    /// Sets a citizen's password with the code of the activation slip.
    pub async fn activate_account(&self, body: &ActivateRequest) -> Result<(), ClientError> {
        let rb = with_body(self.request(Method::POST, "/citizen/activate"), body);
        self.send(rb).await.map(drop)
    }

    /// A citizen's own online submission.
    pub async fn submit_online(
        &self,
        key: &str,
        body: &CitizenSubmission,
    ) -> Result<Dossier, ClientError> {
        let rb = self
            .request(Method::POST, "/citizen/dossiers")
            .header(IDEMPOTENCY_KEY, key);
        self.json(with_body(rb, body)).await
    }

    /// The documents a desk asked for, sent online by the citizen.
    pub async fn send_supplement(
        &self,
        code: &str,
        version: i64,
        key: &str,
        body: &SupplementIn,
    ) -> Result<Dossier, ClientError> {
        let rb = self
            .request(
                Method::POST,
                &format!("/citizen/dossiers/{}/supplement", segment(code)),
            )
            .header(IDEMPOTENCY_KEY, key)
            .header(IF_MATCH, format!("\"{version}\""));
        self.json(with_body(rb, body)).await
    }

    /// A payment gateway's notice that a transfer arrived, signed with the shared secret.
    pub async fn notify_payment(
        &self,
        notice: &PaymentNotice,
        secret: &str,
    ) -> Result<NoticeReceipt, ClientError> {
        let body = serde_json::to_vec(notice).map_err(|e| ClientError::Decode(e.to_string()))?;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .map_err(|e| ClientError::Decode(e.to_string()))?;
        mac.update(&body);
        let signature = hex::encode(mac.finalize().into_bytes());
        let rb = self
            .request(Method::POST, "/payments/notify")
            .header(CONTENT_TYPE, "application/json")
            .header("X-Signature", signature)
            .body(body);
        self.json(rb).await
    }

    /// A training portal's journal after `after`, [`JOURNAL_PAGE`] entries at most (404 on
    /// any other portal).
    pub async fn training_journal(&self, after: i64) -> Result<Journal, ClientError> {
        self.json(self.request(Method::GET, "/training/journal").query(&[
            ("after", after.to_string()),
            ("limit", JOURNAL_PAGE.to_string()),
        ]))
        .await
    }
}
