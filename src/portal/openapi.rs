//! The OpenAPI document of the portal, generated from the handlers' `#[utoipa::path]`
//! annotations and the wire types of [`crate::api`], served at `GET /api/v1/openapi.json`
//! with a Swagger UI at `/docs`, and committed as `docs/openapi.json` (`tests/openapi.rs`
//! fails when that copy is stale).
//!
//! What every operation shares is added here, once, by [`Conventions`] rather than
//! repeated in thirty annotations: the `Accept-Language` and `X-No-Extend` headers, the
//! 401 of a missing token, the 413 of a JSON body over the limit, the 500 that any
//! database failure can give, the `Idempotent-Replayed` header of a creating `POST`, and
//! the [`LINKS`] between operations. The stable error codes are those of [`ErrorCode`],
//! tabled in the description of the `ErrorBody` schema.

use crate::api::error::{ErrorBody, ErrorCode};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::SchemaType;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{
    Content, ObjectBuilder, OpenApi as Document, Ref, RefOr, Required, Schema, Type,
};
use utoipa::{Modify, OpenApi, ToSchema};

/// The name of the bearer-token security scheme in the document (the annotations'
/// `security(("bearer" = []))`).
pub const BEARER: &str = "bearer";

/// Descriptions that several annotations share.
pub mod text {
    pub const IDEMPOTENCY_KEY: &str = "A new key per creating request: a UUID as an RFC 8941 \
        string (`\"<uuid>\"`; the bare UUID is accepted). A retry with the same key and body \
        gets the first answer again.";
    pub const IF_MATCH: &str = "The `version` the change is based on: `\"3\"` (`W/\"3\"` and \
        `3` are accepted).";
    pub const DOSSIER_CODE: &str = "The dossier code (`<unit code>-YYMMDD-NNNN`).";
    pub const REPLAYED: &str =
        "`true` when this is the stored answer to an earlier request with the key.";
}

/// Where Swagger UI is served (outside the API's base path: it is a page, not the API).
pub const DOCS_PATH: &str = "/docs";

/// Where an answer leads: (operation, status, the operation it leads to, that one's
/// parameters with the runtime expressions that fill them from the answer). Swagger UI
/// shows them; tools that walk the API (schemathesis's stateful phase) follow them.
type Link = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const CODE: &[(&str, &str)] = &[("path.code", "$response.body#/code")];
// `If-Match` from the `ETag` header rather than the `version` in the body: a header
// value must be a string, and schemathesis (4.32) sends a body's number unconverted.
const CODE_AND_ETAG: &[(&str, &str)] = &[
    ("path.code", "$response.body#/code"),
    ("header.If-Match", "$response.header.ETag"),
];
const FIRST_CODE: &[(&str, &str)] = &[("path.code", "$response.body#/items/0/code")];
const CITIZEN: &[(&str, &str)] = &[("path.id", "$response.body#/citizen/id")];
const UPLOAD: &[(&str, &str)] = &[("path.id", "$response.body#/id")];

#[rustfmt::skip]
pub const LINKS: &[Link] = &[
    ("create_dossier", "201", "get_dossier", CODE),
    ("create_dossier", "201", "act_on_dossier", CODE),
    ("create_dossier", "201", "dossier_history", CODE),
    ("create_dossier", "201", "get_payment", CODE),
    ("create_dossier", "201", "record_cash_payment", CODE),
    ("create_dossier", "201", "get_form", &[("path.code", "$response.body#/code"), ("path.form", "receipt")]),
    ("list_dossiers", "200", "get_dossier", FIRST_CODE),
    ("list_dossiers", "200", "dossier_history", FIRST_CODE),
    ("list_dossiers", "200", "get_payment", FIRST_CODE),
    ("list_dossiers", "200", "get_form", &[("path.code", "$response.body#/items/0/code"), ("path.form", "control_sheet")]),
    ("get_dossier", "200", "act_on_dossier", CODE_AND_ETAG),
    ("get_dossier", "200", "rate_dossier", CODE),
    ("get_dossier", "200", "dossier_notifications", CODE),
    ("act_on_dossier", "200", "act_on_dossier", CODE_AND_ETAG),
    ("get_dossier", "200", "get_attachment", &[
        ("path.code", "$response.body#/code"),
        ("path.id", "$response.body#/documents/0/attachment/id"),
    ]),
    ("get_payment", "200", "record_cash_payment", CODE),
    ("submit_dossier", "201", "send_supplement", CODE),
    ("list_own_dossiers", "200", "send_supplement", &[("path.code", "$response.body#/items/0/code")]),
    ("create_citizen", "201", "get_citizen", CITIZEN),
    ("create_citizen", "201", "issue_activation", CITIZEN),
    ("list_citizens", "200", "get_citizen", &[("path.id", "$response.body#/items/0/id")]),
    ("list_procedures", "200", "get_procedure", &[("path.code", "$response.body#/items/0/code")]),
    ("create_dossier", "201", "citizen_documents", &[("path.id", "$response.body#/applicant/citizen_id")]),
    ("create_dossier", "201", "add_result_file", CODE),
    ("get_dossier", "200", "digitize_document", &[
        ("path.code", "$response.body#/code"),
        ("path.part_id", "$response.body#/documents/0/part_id"),
        ("header.If-Match", "$response.header.ETag"),
    ]),
    ("create_certification", "201", "certification_certificate", &[("path.id", "$response.body#/id")]),
    ("list_certifications", "200", "certification_certificate", &[("path.id", "$response.body#/items/0/id")]),
    ("create_upload", "201", "upload_progress", UPLOAD),
    // Not `Upload-Offset` from `offset` too, for the reason of `CODE_AND_ETAG`.
    ("create_upload", "201", "append_chunk", UPLOAD),
];

const DESCRIPTION: &str = "\
The reference portal of `motcua`: the API of the Vietnamese ward one-stop desks \
(Bộ phận Một cửa) for the staff terminal app and for citizens.

- JSON in UTF-8; text is normalized to NFC on input. Times are RFC 3339 with an offset, \
dates `YYYY-MM-DD`, money an integer number of đồng.
- `Authorization: Bearer <token>` from `POST /api/v1/auth/login`. `X-No-Extend: 1` on a \
background poll leaves the token's idle timer alone.
- Errors carry `{\"error\": {\"code\", \"message\", \"fields\"}}`; the message is Vietnamese, \
or English with `Accept-Language: en`. The stable codes are listed with the `ErrorBody` \
schema.
- Lists take `?limit=` (50 unless given, at most 500) and `?cursor=`.
- Catalog and dossier details carry a weak `ETag` and answer `If-None-Match` with 304.
- A change to a dossier needs `If-Match: \"<version>\"`: a stale one gives 412, none 428.
- A creating `POST` needs `Idempotency-Key: \"<uuid>\"`: a retry gets the first answer \
again (`Idempotent-Replayed: true`), the same key with another body 422.
";

// Upload chunks and attachments are described with this rather than `[u8]`, which utoipa
// gives as an array of integers: not what travels.
/// The bytes of a file, as they are.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(pub Vec<u8>);

/// The document: every operation of [`super::router`], listed here.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua portal API",
        description = DESCRIPTION,
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    paths(
        serve,
        super::routes::health::healthz,
        super::auth::login,
        super::auth::logout,
        super::auth::change_password,
        super::auth::me,
        super::routes::catalog::offices,
        super::routes::catalog::procedures,
        super::routes::catalog::procedure,
        super::routes::calendar::due,
        super::routes::calendar::year,
        super::routes::stats::stats,
        super::routes::training::journal,
        super::routes::payments::vietqr_shown,
        super::routes::dossiers::list,
        super::routes::dossiers::create,
        super::routes::dossiers::changes,
        super::routes::dossiers::detail,
        super::routes::dossiers::act,
        super::routes::dossiers::history,
        super::routes::dossiers::attachment,
        super::routes::code_leases::create,
        super::routes::code_leases::list,
        super::routes::code_leases::release,
        super::routes::results::rate,
        super::routes::results::notifications,
        super::routes::certifications::create,
        super::routes::certifications::list,
        super::routes::certifications::certificate_form,
        super::routes::fee_orders::create,
        super::routes::fee_orders::show,
        super::routes::forms::form,
        super::routes::registers::dossiers,
        super::routes::payments::show,
        super::routes::payments::cash,
        super::routes::payments::notify,
        super::routes::citizen_side::own,
        super::routes::citizen_side::submit,
        super::routes::citizen_side::supplement,
        super::routes::citizen_side::lookup,
        super::routes::citizens::list,
        super::routes::citizens::create,
        super::routes::citizens::detail,
        super::routes::citizens::issue_activation,
        super::routes::citizens::activate,
        super::routes::uploads::create,
        super::routes::uploads::progress,
        super::routes::uploads::append,
        super::routes::documents::digitize,
        super::routes::documents::result_file,
        super::routes::documents::citizen_documents,
        super::routes::documents::citizen_document_file,
    ),
    // Schemas only named in parameters, which utoipa does not collect by itself.
    components(schemas(
        crate::domain::status::Queue,
        crate::domain::forms::Form,
        crate::domain::forms::FormSet,
        crate::api::registers::RegisterFormat
    )),
    modifiers(&Conventions),
    tags(
        (name = "auth", description = "Logging in and out."),
        (name = "catalog", description = "Offices and the procedure catalog."),
        (name = "calendar", description = "Days off and due dates."),
        (name = "dossiers", description = "The office's dossiers: intake, inbox, actions."),
        (name = "citizens", description = "Citizen accounts, as the desk manages them."),
        (name = "citizen", description = "What citizens do themselves."),
        (name = "certifications", description = "Certification at the desk: copies, signatures, contracts and their books."),
        (name = "payments", description = "Fees: VietQR, cash, the gateway's notices."),
        (name = "uploads", description = "Resumable uploads (a subset of tus 1.0)."),
        (name = "training", description = "The training sandbox's journal (training portals only)."),
        (name = "system", description = "Health and this document."),
    ),
)]
pub struct ApiDoc;

/// What every operation shares (see the module documentation).
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        for item in doc.paths.paths.values_mut() {
            let operations = [
                (&mut item.get, false),
                (&mut item.put, false),
                (&mut item.post, false),
                (&mut item.delete, false),
                (&mut item.patch, false),
                (&mut item.head, true),
            ];
            for (operation, head) in operations {
                if let Some(operation) = operation {
                    shared(operation, head);
                }
            }
        }
        describe_error_body(doc);
    }
}

/// An optional header parameter.
fn header(name: &str, description: &str, schema: Schema) -> RefOr<Parameter> {
    RefOr::T(
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(description))
            .schema(Some(schema))
            .build(),
    )
}

/// An error response; a `HEAD` answer has no body, so none is described for it.
fn error_response(description: &str, head: bool) -> RefOr<utoipa::openapi::Response> {
    let mut response = ResponseBuilder::new().description(description);
    if !head {
        response = response.content(
            "application/json",
            Content::new(Some(Ref::from_schema_name(ErrorBody::name()))),
        );
    }
    RefOr::T(response.build())
}

/// Adds the [`LINKS`] that start at `operation`.
fn link(operation: &mut Operation) {
    let Some(id) = operation.operation_id.clone() else {
        return;
    };
    for (_, status, target, parameters) in LINKS.iter().filter(|l| l.0 == id) {
        let Some(RefOr::T(response)) = operation.responses.responses.get_mut(*status) else {
            continue;
        };
        let mut builder = LinkBuilder::new().operation_id(*target);
        for (name, expression) in *parameters {
            builder = builder.parameter(*name, *expression);
        }
        response
            .links
            .insert((*target).to_owned(), RefOr::T(builder.build()));
    }
}

/// A creating `POST` (one with an `Idempotency-Key`) may answer with a stored response,
/// which says so.
fn replayable(operation: &mut Operation) {
    let keyed = operation.parameters.iter().flatten().any(|p| {
        matches!(p, RefOr::T(p) if p.name == "Idempotency-Key" && p.parameter_in == ParameterIn::Header)
    });
    if !keyed {
        return;
    }
    for (status, response) in operation.responses.responses.iter_mut() {
        if let (true, RefOr::T(response)) = (status.starts_with('2'), response) {
            let header = HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(text::REPLAYED))
                .build();
            response
                .headers
                .insert("Idempotent-Replayed".into(), RefOr::T(header));
        }
    }
}

/// What [`Conventions`] adds to one operation.
fn shared(operation: &mut Operation, head: bool) {
    link(operation);
    replayable(operation);
    let secured = operation
        .security
        .as_ref()
        .is_some_and(|requirements| !requirements.is_empty());
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    for parameter in parameters.iter_mut() {
        if let RefOr::T(parameter) = parameter {
            not_null(parameter);
        }
    }
    parameters.push(header(
        "Accept-Language",
        "`en` (first) for English messages; Vietnamese otherwise.",
        ObjectBuilder::new().schema_type(Type::String).into(),
    ));
    if secured {
        parameters.push(header(
            "X-No-Extend",
            "`1` on a background poll: the request does not extend the token's idle timer.",
            // Any other value is ignored rather than refused, so the schema names no enum.
            ObjectBuilder::new().schema_type(Type::String).into(),
        ));
        operation
            .responses
            .responses
            .entry("401".into())
            .or_insert_with(|| {
                error_response(
                    "`unauthenticated`: no token, or an expired or revoked one.",
                    head,
                )
            });
    }
    let json_body = matches!(
        &operation.request_body,
        Some(RefOr::T(body)) if body.content.contains_key("application/json")
    );
    if json_body {
        operation
            .responses
            .responses
            .entry("413".into())
            .or_insert_with(|| error_response("`payload_too_large`: a body over 1 MiB.", head));
    }
    operation
        .responses
        .responses
        .entry("500".into())
        .or_insert_with(|| error_response("`internal_error`.", head));
}

/// An optional parameter is absent, never null: an `Option<String>` in an annotation
/// makes it optional, and its schema need not also admit a null no client can send.
fn not_null(parameter: &mut Parameter) {
    if let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut()
        && let SchemaType::Array(types) = &object.schema_type
    {
        let kept: Vec<Type> = types
            .iter()
            .filter(|t| **t != Type::Null)
            .cloned()
            .collect();
        if let [single] = kept.as_slice() {
            object.schema_type = SchemaType::Type(single.clone());
        }
    }
}

/// Puts the table of every [`ErrorCode`] in the description of `ErrorBody`, so that a
/// new code is listed where clients look for it.
fn describe_error_body(doc: &mut Document) {
    let mut table = String::from(
        "The body of every error. `error.code` is stable; the codes:\n\n\
         | status | code | meaning |\n|---|---|---|\n",
    );
    for code in ErrorCode::ALL {
        table.push_str(&format!(
            "| {} | `{code}` | {} |\n",
            code.status(),
            code.meaning()
        ));
    }
    let schema = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut(ErrorBody::name().as_ref()));
    if let Some(RefOr::T(Schema::Object(object))) = schema {
        object.description = Some(table);
    }
}

/// The document as served and committed: pretty JSON, keys in a stable order, with a
/// final newline.
pub fn json() -> String {
    let document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    // Through `Value`, whose maps are sorted: the order of the file never depends on
    // the order of annotations.
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// `GET /api/v1/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi_document",
    tag = "system",
    summary = "This document",
    responses((status = 200, description = "The OpenAPI document.", body = Object)),
)]
pub async fn serve() -> Response {
    static JSON: OnceLock<String> = OnceLock::new();
    let text = JSON.get_or_init(json).clone();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        text,
    )
        .into_response()
}

/// Swagger UI on the served document; its files are compiled in (`vendored`), so it works
/// offline.
pub fn docs<S: Clone + Send + Sync + 'static>() -> axum::Router<S> {
    let ui = utoipa_swagger_ui::SwaggerUi::new(DOCS_PATH).config(utoipa_swagger_ui::Config::from(
        format!("{}/openapi.json", crate::api::BASE_PATH),
    ));
    ui.into()
}
