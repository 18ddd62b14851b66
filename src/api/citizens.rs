//! Citizen accounts: the desk creates them, finds them, and hands out the one-time
//! activation code with which a citizen sets a password.

use crate::api::limits::{self, Bound, Bounded};
use crate::domain::identity::Gender;
use crate::domain::status::Status;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `POST /citizens`. Text fields default to empty and `gender` to none, so that a
/// missing field is reported with the other invalid ones (422 `fields`) instead of
/// stopping the whole request at the first one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NewCitizen {
    /// The 12-digit personal identity number; it becomes the username.
    #[serde(default)]
    #[schema(max_length = 32)]
    pub id_number: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub full_name: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(format = Date, max_length = 32)]
    pub date_of_birth: String,
    #[serde(default)]
    pub gender: Option<Gender>,
    /// Any common written form; stored as the national number (`0912345678`).
    #[serde(default)]
    #[schema(max_length = 32)]
    pub phone: String,
    #[serde(default)]
    #[schema(max_length = 254)]
    pub email: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub address: String,
    /// The old 9-digit CMND, when the citizen still has one.
    #[serde(default)]
    #[schema(max_length = 32)]
    pub legacy_id_number: Option<String>,
}

/// A citizen as the desk sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Citizen {
    /// Opaque and random (not a row number): use it as given.
    pub id: String,
    pub id_number: String,
    #[schema(required = true)]
    pub legacy_id_number: Option<String>,
    pub full_name: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub date_of_birth: String,
    pub gender: Gender,
    pub phone: String,
    #[schema(required = true)]
    pub email: Option<String>,
    pub address: String,
    /// The office that created the account.
    pub office_id: i64,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// True once the citizen has set a password with an activation code.
    pub activated: bool,
}

/// A one-time activation code, as printed on the slip. `code` is `null` in a replayed
/// response: the code is kept only hashed, so a retry cannot show it again and the desk
/// asks for a new one (`POST /citizens/{id}/activation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Activation {
    #[schema(required = true)]
    pub code: Option<String>,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub expires_at: String,
}

/// The answer to `POST /citizens` (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CitizenCreated {
    pub citizen: Citizen,
    pub activation: Activation,
}

/// A dossier in a citizen's record: enough to recognise it and open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CitizenDossier {
    pub code: String,
    pub status: Status,
    pub procedure_code: String,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub submitted_at: String,
    /// RFC 3339; `null` until the desk receives an online submission.
    #[schema(format = DateTime)]
    #[schema(required = true)]
    pub due_at: Option<String>,
}

/// `GET /citizens/{id}`: the citizen and their dossiers at the caller's office, newest
/// first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CitizenDetail {
    #[serde(flatten)]
    pub citizen: Citizen,
    pub dossiers: Vec<CitizenDossier>,
}

/// `GET /citizens` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CitizenQuery {
    /// The exact 12-digit number.
    #[param(max_length = 32)]
    pub id_number: Option<String>,
    /// Words of the name, phone or number, without marks if need be ("nguyen van"): at
    /// most 200 characters and 20 words.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Items per page: 50 unless given, at most 500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(min_length = 1, max_length = 256)]
    pub cursor: Option<String>,
}

/// `POST /citizen/activate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActivateRequest {
    #[schema(max_length = 32)]
    pub id_number: String,
    /// As typed from the slip: case, spaces and dashes do not matter.
    #[schema(max_length = 64)]
    pub code: String,
    #[schema(max_length = 1024)]
    pub new_password: String,
}

impl Bounded for NewCitizen {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("id_number", limits::SHORT),
        Bound::line("full_name", limits::NAME),
        Bound::line("date_of_birth", limits::SHORT),
        Bound::line("phone", limits::SHORT),
        Bound::line("email", limits::EMAIL),
        Bound::line("address", limits::ADDRESS),
        Bound::line("legacy_id_number", limits::SHORT),
    ];
}

impl Bounded for CitizenQuery {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("id_number", limits::SHORT),
        Bound::search("q"),
        Bound::line("cursor", limits::CURSOR),
    ];
}

impl Bounded for ActivateRequest {
    const BOUNDS: &'static [Bound] = &[
        Bound::line("id_number", limits::SHORT),
        Bound::line("code", limits::CODE),
        Bound::line("new_password", limits::PASSWORD),
    ];
}
