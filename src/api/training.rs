//! The training sandbox's journal (`GET /training/journal`): what happened in the sandbox
//! since it was seeded, so the guided exercises can check a trainee's work and the
//! simulator can answer it. Only a training portal serves it.

use crate::domain::workflow::Role;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::{IntoParams, ToSchema};

/// What an audit row records (its `event` column), and so what a journal entry is about.
/// The portal writes its audit rows with these and the exercise judge reads them with
/// these, so renaming one changes both sides at once. An event this build does not know
/// (a newer portal's) arrives as [`AuditEvent::Other`] rather than failing the journal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuditEvent {
    LoginOk,
    LoginFailed,
    /// A login refused unchecked (429).
    LoginThrottled,
    PasswordChanged,
    /// A request the caller's role or office may not make.
    AccessRefused,
    DossierCreated,
    /// An action moved a dossier (or changed it in place); `detail` names the action.
    Transition,
    /// An action the rules refused; `reason` is the refusal's code.
    ActionRefused,
    CitizenCreated,
    ActivationIssued,
    /// A new activation code for an account already active: a password reset, done with
    /// the citizen present.
    PasswordResetIssued,
    CitizenActivated,
    ActivationFailed,
    PaymentRecorded,
    PaymentRefused,
    /// A training portal only: staff read a dossier's VietQR code.
    PaymentQrShown,
    /// A document part scanned into the citizen's store; `detail` names the part.
    DocumentDigitized,
    /// A document part taken from the citizen's store; `detail` names the part.
    DocumentReused,
    /// A result issued as a file, into the citizen's store; `detail` is its type.
    ResultFileAdded,
    /// Staff exported the register of dossiers of a period; `detail` says which and how.
    RegisterExported,
    /// A satisfaction rating given: `detail` its level, `reason` the channel (`desk` or
    /// `online`).
    RatingRecorded,
    /// A certification entered in its book (issue 21): `detail` the kind, book and
    /// number (`copy 01/2026-SCT/BS số 12`), `reason` the payment (`cash 14000`); the
    /// journal adds its pages and copies.
    CertificationRecorded,
    /// A certification's fee order paid by the gateway's notice (issue 21): `detail`
    /// `vietqr <amount> <reference>`, `reason` the transaction id.
    FeeOrderPaid,
    /// Numbers of the day leased to an officer for intake with the link down (issue 19):
    /// `detail` the day and the numbers (`2026-12-04 31..50`).
    CodesLeased,
    /// Numbers of a lease voided by its officer: `detail` the codes, `reason` why.
    CodesVoided,
    /// A dossier taken in with the link down arrived: `dossier_code` its leased code,
    /// `detail` the moment it was received at the desk.
    OfflineIntakeArrived,
    /// An event this build does not know, as it came.
    Other(String),
}

impl AuditEvent {
    /// Every event the portal writes.
    pub const KNOWN: [AuditEvent; 26] = [
        AuditEvent::LoginOk,
        AuditEvent::LoginFailed,
        AuditEvent::LoginThrottled,
        AuditEvent::PasswordChanged,
        AuditEvent::AccessRefused,
        AuditEvent::DossierCreated,
        AuditEvent::Transition,
        AuditEvent::ActionRefused,
        AuditEvent::CitizenCreated,
        AuditEvent::ActivationIssued,
        AuditEvent::PasswordResetIssued,
        AuditEvent::CitizenActivated,
        AuditEvent::ActivationFailed,
        AuditEvent::PaymentRecorded,
        AuditEvent::PaymentRefused,
        AuditEvent::PaymentQrShown,
        AuditEvent::DocumentDigitized,
        AuditEvent::DocumentReused,
        AuditEvent::ResultFileAdded,
        AuditEvent::RegisterExported,
        AuditEvent::RatingRecorded,
        AuditEvent::CertificationRecorded,
        AuditEvent::FeeOrderPaid,
        AuditEvent::CodesLeased,
        AuditEvent::CodesVoided,
        AuditEvent::OfflineIntakeArrived,
    ];

    /// The wire name (and the `event` column's value).
    pub fn as_str(&self) -> &str {
        match self {
            AuditEvent::LoginOk => "login_ok",
            AuditEvent::LoginFailed => "login_failed",
            AuditEvent::LoginThrottled => "login_throttled",
            AuditEvent::PasswordChanged => "password_changed",
            AuditEvent::AccessRefused => "access_refused",
            AuditEvent::DossierCreated => "dossier_created",
            AuditEvent::Transition => "transition",
            AuditEvent::ActionRefused => "action_refused",
            AuditEvent::CitizenCreated => "citizen_created",
            AuditEvent::ActivationIssued => "activation_issued",
            AuditEvent::PasswordResetIssued => "password_reset_issued",
            AuditEvent::CitizenActivated => "citizen_activated",
            AuditEvent::ActivationFailed => "activation_failed",
            AuditEvent::PaymentRecorded => "payment_recorded",
            AuditEvent::PaymentRefused => "payment_refused",
            AuditEvent::PaymentQrShown => "payment_qr_shown",
            AuditEvent::DocumentDigitized => "document_digitized",
            AuditEvent::DocumentReused => "document_reused",
            AuditEvent::ResultFileAdded => "result_file_added",
            AuditEvent::RegisterExported => "register_exported",
            AuditEvent::RatingRecorded => "rating_recorded",
            AuditEvent::CertificationRecorded => "certification_recorded",
            AuditEvent::FeeOrderPaid => "fee_order_paid",
            AuditEvent::CodesLeased => "codes_leased",
            AuditEvent::CodesVoided => "codes_voided",
            AuditEvent::OfflineIntakeArrived => "offline_intake_arrived",
            AuditEvent::Other(name) => name,
        }
    }

    /// The event of a wire name; an unknown name is kept as [`AuditEvent::Other`].
    pub fn from_wire(name: &str) -> AuditEvent {
        AuditEvent::KNOWN
            .into_iter()
            .find(|e| e.as_str() == name)
            .unwrap_or_else(|| AuditEvent::Other(name.to_owned()))
    }

    /// Whether the training journal serves it: logins say who came and went, not what
    /// was done, and no exercise needs them.
    pub fn journalled(&self) -> bool {
        !matches!(
            self,
            AuditEvent::LoginOk
                | AuditEvent::LoginFailed
                | AuditEvent::LoginThrottled
                | AuditEvent::PasswordChanged
        )
    }
}

impl std::fmt::Display for AuditEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AuditEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AuditEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(AuditEvent::from_wire(&name))
    }
}

/// The schema of `event`: the events the journal serves, taken from [`AuditEvent`], so
/// the document cannot miss one. A client must still accept others (newer portals).
fn journalled_events() -> utoipa::openapi::Object {
    let names: Vec<&str> = AuditEvent::KNOWN
        .iter()
        .filter(|e| e.journalled())
        .map(AuditEvent::as_str)
        .collect();
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .description(Some(
            "What happened. A client should ignore an event it does not know: a newer \
             portal may add one.",
        ))
        .enum_values(Some(names))
        .build()
}

/// A role as the journal gives it; one this build does not know reads as none, so a
/// newer portal's journal still decodes (and such a row is never a trainee's).
fn known_role<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Role>, D::Error> {
    let name = Option::<std::borrow::Cow<str>>::deserialize(deserializer)?;
    Ok(name.and_then(|n| Role::from_wire(&n)))
}

/// One row of the sandbox's audit log, with what an exercise needs to judge it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct JournalEntry {
    /// Increasing; pass the last one seen as `after`.
    pub id: i64,
    #[schema(format = DateTime)]
    pub at: String,
    #[schema(schema_with = journalled_events)]
    pub event: AuditEvent,
    #[schema(required = true)]
    pub username: Option<String>,
    /// Who acted; `null` when no user did (a refused activation), or for a role this
    /// build does not know.
    #[schema(required = true)]
    #[serde(default, deserialize_with = "known_role")]
    pub role: Option<Role>,
    #[schema(required = true)]
    pub dossier_code: Option<String>,
    /// `desk` or `online`: how the dossier came in.
    #[schema(required = true)]
    pub channel: Option<String>,
    /// The action of a transition or a refused action; `cash …`/`vietqr …` for payments.
    #[schema(required = true)]
    pub detail: Option<String>,
    #[schema(required = true)]
    pub from_status: Option<String>,
    #[schema(required = true)]
    pub to_status: Option<String>,
    /// A transition's reason; a refusal's rule message; a payment's receipt number.
    #[schema(required = true)]
    pub reason: Option<String>,
    /// The 12-digit number of the citizen an account event is about.
    #[schema(required = true)]
    pub citizen_number: Option<String>,
    /// The pages of the document a `certification_recorded` entry certified; `null` for
    /// other events (and for entries of a portal that did not say).
    #[schema(required = true)]
    #[serde(default)]
    pub pages: Option<u32>,
    /// The copies certified (`certification_recorded`); `null` otherwise.
    #[schema(required = true)]
    #[serde(default)]
    pub copies: Option<u32>,
}

/// `GET /training/journal`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Journal {
    pub entries: Vec<JournalEntry>,
    /// The id to pass as `after` next time (the last entry's, or `after` when none).
    pub last_id: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JournalQuery {
    /// Entries after this id (0 or absent: from the start of the sandbox).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many entries: 200 unless given, at most 1000.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

impl Default for JournalEntry {
    fn default() -> Self {
        JournalEntry {
            id: 0,
            at: String::new(),
            event: AuditEvent::Other(String::new()),
            username: None,
            role: None,
            dossier_code: None,
            channel: None,
            detail: None,
            from_status: None,
            to_status: None,
            reason: None,
            citizen_number: None,
            pages: None,
            copies: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_keeps_its_wire_name() {
        for event in AuditEvent::KNOWN {
            let wire = serde_json::to_string(&event).unwrap();
            assert_eq!(wire, format!("\"{}\"", event.as_str()));
            assert_eq!(serde_json::from_str::<AuditEvent>(&wire).unwrap(), event);
        }
    }

    #[test]
    fn a_newer_portals_event_and_role_still_decode() {
        let entry: JournalEntry = serde_json::from_str(
            r#"{"id": 7, "at": "2026-03-05T09:00:00+07:00", "event": "dossier_archived",
                "username": "x", "role": "auditor", "dossier_code": null, "channel": null,
                "detail": null, "from_status": null, "to_status": null, "reason": null,
                "citizen_number": null}"#,
        )
        .expect("unknown names decode");
        assert_eq!(entry.event, AuditEvent::Other("dossier_archived".into()));
        assert_eq!(entry.role, None);
        // An older portal's entry has no pages nor copies.
        assert_eq!((entry.pages, entry.copies), (None, None));
        let known: JournalEntry =
            serde_json::from_str(r#"{"id": 1, "at": "", "event": "transition", "role": "leader"}"#)
                .expect("absent options are none");
        assert_eq!(known.event, AuditEvent::Transition);
        assert_eq!(known.role, Some(Role::Leader));
    }
}
