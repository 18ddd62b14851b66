//! The training sandbox's journal (`GET /training/journal`): what happened in the sandbox
//! since it was seeded, so the guided exercises can check a trainee's work and the
//! simulator can answer it. Only a training portal serves it.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One row of the sandbox's audit log, with what an exercise needs to judge it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct JournalEntry {
    /// Increasing; pass the last one seen as `after`.
    pub id: i64,
    #[schema(format = DateTime)]
    pub at: String,
    /// `dossier_created`, `transition`, `action_refused`, `citizen_created`,
    /// `activation_issued`, `citizen_activated`, `activation_failed`, `payment_recorded`,
    /// `payment_refused`, `payment_qr_shown`, `access_refused`.
    pub event: String,
    #[schema(required = true)]
    pub username: Option<String>,
    /// `reception`, `specialist`, `leader`, `admin`, `citizen` or `system`.
    #[schema(required = true)]
    pub role: Option<String>,
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
