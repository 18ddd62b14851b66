//! The OpenAPI document: the committed copy is the generated one, every route of the
//! router is in it (and nothing else), and the portal serves it and Swagger UI.

mod common;

use common::{Portal, rust_files};
use motcua::portal::openapi;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

const COMMITTED: &str = "docs/openapi.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `docs/openapi.json` is what the code generates. `MOTCUA_BLESS=1` rewrites it.
#[test]
fn the_committed_document_is_the_generated_one() {
    let generated = openapi::json();
    let path = root().join(COMMITTED);
    if std::env::var_os("MOTCUA_BLESS").is_some_and(|v| v == "1") {
        fs::write(&path, &generated).expect("docs/openapi.json is writable");
        return;
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "{COMMITTED} is stale (first difference at line {}: committed {:?}, generated {:?}).\n\
             The API changed without its document: run `MOTCUA_BLESS=1 cargo test --test openapi` \
             to update it, and review the diff.",
            first + 1,
            committed.lines().nth(first).unwrap_or("<end>"),
            generated.lines().nth(first).unwrap_or("<end>"),
        );
    }
}

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

/// (path, methods) of every operation in a document.
fn operations(doc: &Value) -> BTreeMap<String, BTreeSet<String>> {
    doc["paths"]
        .as_object()
        .expect("the document has paths")
        .iter()
        .map(|(path, item)| {
            let methods = METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| m.to_uppercase())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

/// The text of a call from its opening parenthesis to the matching closing one.
fn call_text(text: &str, open: usize) -> &str {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[open..open + i + 1];
                }
            }
            _ => {}
        }
    }
    &text[open..]
}

/// The routes the portal's source registers with axum's `.route(path, method(handler))`:
/// axum cannot list a router's routes, so they are read from the source, as
/// `tests/architecture.rs` reads imports. Every one of them is under the API's base path
/// (Swagger UI is merged, not routed, and its paths are not the API's).
fn routes_in_source() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&root().join("src/portal"), &mut files);
    let mut routes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // The citizen pages (`src/portal/web`) are HTML at the root, not the API: they are
    // described in docs/citizen.md, not in the OpenAPI document.
    let pages = root().join("src/portal/web");
    for file in files.into_iter().filter(|f| !f.starts_with(&pages)) {
        let text = fs::read_to_string(&file).expect("source file is readable");
        for (at, _) in text.match_indices(".route(") {
            let call = call_text(&text, at + ".route".len());
            let path = call
                .split('"')
                .nth(1)
                .unwrap_or_else(|| panic!("{}: a route without a literal path", file.display()));
            let methods = routes
                .entry(format!("{}{path}", motcua::api::BASE_PATH))
                .or_default();
            let bytes = call.as_bytes();
            for method in METHODS {
                for (i, _) in call.match_indices(&format!("{method}(")) {
                    let before = if i == 0 { b'(' } else { bytes[i - 1] };
                    if !(before.is_ascii_alphanumeric() || before == b'_' || before == b':') {
                        methods.insert(method.to_uppercase());
                    }
                }
            }
        }
    }
    routes
}

/// A route added without an annotation (or an annotation not listed in `ApiDoc`) fails
/// here, as does a documented operation that no route serves.
#[test]
fn every_route_is_documented_and_every_operation_is_routed() {
    let doc: Value = serde_json::from_str(&openapi::json()).unwrap();
    let documented = operations(&doc);
    let routed = routes_in_source();
    assert!(routed.len() >= 25, "found only {routed:?}");
    let missing: Vec<_> = routed
        .iter()
        .filter(|(path, methods)| documented.get(*path) != Some(methods))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without (or with other) operations in the OpenAPI document: {missing:?}; \
         annotate the handler with #[utoipa::path] and list it in `paths(...)` of \
         src/portal/openapi.rs"
    );
    let extra: Vec<_> = documented
        .keys()
        .filter(|path| !routed.contains_key(*path))
        .collect();
    assert!(extra.is_empty(), "documented but not routed: {extra:?}");
}

/// Replaces `{name}` segments with a placeholder.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "x" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// The live router agrees with the document: for every documented path, a method it does
/// not serve answers 405 with an `Allow` header that names exactly the documented methods
/// (axum adds `HEAD` to every `GET`).
#[tokio::test]
async fn the_live_router_serves_exactly_the_documented_methods() {
    let p = Portal::demo().await;
    let doc: Value = serde_json::from_str(&openapi::json()).unwrap();
    let origin = p.base.trim_end_matches(motcua::api::BASE_PATH).to_owned();
    for (path, methods) in operations(&doc) {
        let url = format!("{origin}{}", concrete(&path));
        let res = p
            .http
            .request(reqwest::Method::TRACE, &url)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405, "TRACE {path}: the path is not routed");
        let allow: BTreeSet<String> = res
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(',')
            .map(|m| m.trim().to_owned())
            .filter(|m| !m.is_empty())
            .collect();
        let mut expected = methods.clone();
        if expected.contains("GET") {
            expected.insert("HEAD".into());
        }
        assert_eq!(
            allow, expected,
            "{path}: routed methods (Allow) vs documented"
        );
    }
    p.running.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_portal_serves_the_document_and_swagger_ui() {
    let p = Portal::demo().await;
    let res = p.get("/openapi.json").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(res.text().await.unwrap(), openapi::json());

    let origin = p.base.trim_end_matches(motcua::api::BASE_PATH).to_owned();
    // `/docs` redirects to `/docs/`, which reqwest follows.
    let res = p
        .http
        .get(format!("{origin}{}", openapi::DOCS_PATH))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = res.text().await.unwrap();
    assert!(page.contains("swagger"), "{page}");
    // The UI's script and its configuration are served too, pointing at the document.
    let init = p
        .http
        .get(format!(
            "{origin}{}/swagger-initializer.js",
            openapi::DOCS_PATH
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(init.status(), 200);
    assert!(init.text().await.unwrap().contains("/api/v1/openapi.json"));
    p.running.shutdown().await.unwrap();
}

/// Limits in the annotations that restate constants of the code.
#[test]
fn the_documented_limits_are_the_codes() {
    let doc: Value = serde_json::from_str(&openapi::json()).unwrap();
    let size = &doc["components"]["schemas"]["CreateUpload"]["properties"]["size"];
    assert_eq!(
        size["maximum"].as_u64(),
        Some(motcua::api::uploads::MAX_UPLOAD_SIZE),
        "{size}"
    );
}

/// One bound as the document states it, by field path (`documents[].part_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stated {
    /// A string: its `maxLength` if any, and whether it is an enum (whose values say
    /// what fits).
    Text {
        max: Option<u64>,
        enumerated: bool,
    },
    Items(Option<u64>),
    Maximum(Option<i64>),
}

/// The bounds a request schema states, walking `$ref`s, `oneOf`s and nested objects.
fn stated(doc: &Value, schema: &Value, path: &str, out: &mut BTreeMap<String, Stated>) {
    if let Some(target) = schema["$ref"].as_str() {
        let name = target.rsplit('/').next().unwrap();
        return stated(doc, &doc["components"]["schemas"][name], path, out);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            stated(doc, part, path, out);
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            let inner = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            stated(doc, property, &inner, out);
        }
    }
    if types.contains(&"array") {
        out.insert(path.to_owned(), Stated::Items(schema["maxItems"].as_u64()));
        stated(doc, &schema["items"], &format!("{path}[]"), out);
    }
    if types.contains(&"string") {
        out.insert(
            path.to_owned(),
            Stated::Text {
                max: schema["maxLength"].as_u64(),
                enumerated: schema.get("enum").is_some(),
            },
        );
    }
    if types.contains(&"integer") && path.ends_with("amount") {
        out.insert(path.to_owned(), Stated::Maximum(schema["maximum"].as_i64()));
    }
}

/// Every string and list a client can send has a stated maximum: a new field without one
/// fails here (and then needs its bound in `api::limits` too, checked below).
#[test]
fn every_request_string_and_list_has_a_maximum() {
    let doc: Value = serde_json::from_str(&openapi::json()).unwrap();
    let mut missing = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op["operationId"].as_str().unwrap_or(path);
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            let mut fields = BTreeMap::new();
            if !body.is_null() {
                stated(&doc, body, "", &mut fields);
            }
            for param in op["parameters"].as_array().into_iter().flatten() {
                if param["in"] == "query" {
                    let name = param["name"].as_str().unwrap();
                    stated(&doc, &param["schema"], name, &mut fields);
                }
            }
            for (field, bound) in fields {
                let unbounded = matches!(
                    bound,
                    Stated::Text {
                        max: None,
                        enumerated: false
                    } | Stated::Items(None)
                );
                if unbounded {
                    missing.push(format!("{id}: {field}"));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "request fields without a maxLength/maxItems (add one, and the bound in api::limits):\n{}",
        missing.join("\n")
    );
}

/// The bounds the portal enforces (`Bounded::BOUNDS`) are exactly those the document
/// states, field by field, for every request body and searched query.
#[test]
fn the_enforced_bounds_are_the_documented_ones() {
    use motcua::api::limits::{Bound, Bounded, MAX_AMOUNT, Rule};
    use motcua::api::{auth, citizens, dossiers, payments, uploads};
    use motcua::portal::routes;
    let doc: Value = serde_json::from_str(&openapi::json()).unwrap();
    let bodies: [(&str, &[Bound]); 14] = [
        ("LoginRequest", auth::LoginRequest::BOUNDS),
        ("PasswordChange", auth::PasswordChange::BOUNDS),
        ("NewCitizen", citizens::NewCitizen::BOUNDS),
        ("ActivateRequest", citizens::ActivateRequest::BOUNDS),
        ("CreateDossier", dossiers::CreateDossier::BOUNDS),
        ("ActionRequest", dossiers::ActionRequest::BOUNDS),
        ("CitizenSubmission", dossiers::CitizenSubmission::BOUNDS),
        ("SupplementIn", dossiers::SupplementIn::BOUNDS),
        ("CashPayment", payments::CashPayment::BOUNDS),
        ("PaymentNotice", payments::PaymentNotice::BOUNDS),
        ("CreateUpload", uploads::CreateUpload::BOUNDS),
        (
            "NewCertification",
            motcua::api::certifications::NewCertification::BOUNDS,
        ),
        (
            "DigitizationRequest",
            motcua::api::documents::DigitizationRequest::BOUNDS,
        ),
        (
            "ResultFileRequest",
            motcua::api::documents::ResultFileRequest::BOUNDS,
        ),
    ];
    let queries: [(&str, &[Bound]); 8] = [
        ("calendar_due", motcua::api::catalog::DueQuery::BOUNDS),
        (
            "dossier_register",
            motcua::api::registers::RegisterQuery::BOUNDS,
        ),
        ("lookup_dossier", routes::citizen_side::LookupQuery::BOUNDS),
        ("list_dossiers", routes::dossiers::ListQuery::BOUNDS),
        ("list_citizens", citizens::CitizenQuery::BOUNDS),
        ("list_procedures", routes::catalog::CatalogQuery::BOUNDS),
        ("office_stats", motcua::api::stats::StatsQuery::BOUNDS),
        (
            "list_certifications",
            motcua::api::certifications::CertificationQuery::BOUNDS,
        ),
    ];
    let mut cases: Vec<(String, BTreeMap<String, Stated>, &[Bound])> = Vec::new();
    for (name, bounds) in bodies {
        let mut fields = BTreeMap::new();
        stated(&doc, &doc["components"]["schemas"][name], "", &mut fields);
        cases.push((name.to_owned(), fields, bounds));
    }
    for (id, bounds) in queries {
        let op = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| METHODS.iter().filter_map(|m| item.get(*m)))
            .find(|op| op["operationId"] == id)
            .unwrap_or_else(|| panic!("no operation {id}"));
        let mut fields = BTreeMap::new();
        for param in op["parameters"].as_array().into_iter().flatten() {
            let name = param["name"].as_str().unwrap();
            stated(&doc, &param["schema"], name, &mut fields);
        }
        cases.push((id.to_owned(), fields, bounds));
    }
    let mut wrong = Vec::new();
    for (name, fields, bounds) in cases {
        for bound in bounds {
            let expected = match bound.rule {
                Rule::Text { max, .. } | Rule::Search { max, .. } => Stated::Text {
                    max: Some(max as u64),
                    enumerated: false,
                },
                Rule::Items { max } => Stated::Items(Some(max as u64)),
                Rule::Amount => Stated::Maximum(Some(MAX_AMOUNT as i64)),
            };
            let found = fields.get(bound.path).map(|s| match (s, expected) {
                (Stated::Text { max, .. }, Stated::Text { .. }) => Stated::Text {
                    max: *max,
                    enumerated: false,
                },
                (other, _) => *other,
            });
            if found != Some(expected) {
                wrong.push(format!(
                    "{name}.{}: enforced {expected:?}, documented {found:?}",
                    bound.path
                ));
            }
        }
        for (path, stated) in &fields {
            let documented = matches!(
                stated,
                Stated::Text { max: Some(_), .. }
                    | Stated::Items(Some(_))
                    | Stated::Maximum(Some(_))
            );
            if documented
                && !matches!(stated, Stated::Maximum(_))
                && !bounds.iter().any(|b| b.path == path)
                && !matches!(
                    stated,
                    Stated::Text {
                        enumerated: true,
                        ..
                    }
                )
            {
                // A documented bound that nothing enforces (the cursor's and limit's own
                // checks aside, which are not texts).
                wrong.push(format!(
                    "{name}.{path}: documented {stated:?}, not enforced"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What a validator would say, checked here so that `cargo test` says it first: unique
/// operation ids, `$ref`s that resolve, links to operations and parameters that exist.
#[test]
fn the_document_is_consistent() {
    let text = openapi::json();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            schemas.contains_key(name),
            "$ref to a missing schema {name}"
        );
    }

    let mut ids: BTreeMap<String, Value> = BTreeMap::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                let id = operation["operationId"].as_str().expect("an operationId");
                let before = ids.insert(id.to_owned(), operation.clone());
                assert!(before.is_none(), "operationId {id} is not unique");
            }
        }
    }
    let mut found = 0;
    for operation in ids.values() {
        for response in operation["responses"].as_object().unwrap().values() {
            let Some(links) = response.get("links").and_then(Value::as_object) else {
                continue;
            };
            for link in links.values() {
                found += 1;
                let target = link["operationId"].as_str().unwrap();
                let target = ids
                    .get(target)
                    .unwrap_or_else(|| panic!("a link to no operation: {target}"));
                for name in link["parameters"].as_object().unwrap().keys() {
                    let (place, name) = name.split_once('.').unwrap();
                    let known = target["parameters"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p["in"] == place && p["name"].as_str() == Some(name));
                    assert!(known, "a link to no parameter {place}.{name} of {target}");
                }
            }
        }
    }
    assert_eq!(
        found,
        openapi::LINKS.len(),
        "every link starts at an operation and status that exist"
    );
}

/// Every error code the portal can answer, by the `docs/portal.md` table: status → codes.
fn codes_in_portal_md() -> BTreeMap<String, u16> {
    let text = fs::read_to_string(root().join("docs/portal.md")).expect("docs/portal.md");
    let section = text
        .split("## Mã lỗi / Error codes")
        .nth(1)
        .expect("docs/portal.md has its error-code section");
    let mut listed = BTreeMap::new();
    for line in section.lines().take_while(|l| !l.starts_with("## ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(status) = cells.get(1).and_then(|c| c.parse::<u16>().ok()) else {
            continue;
        };
        for code in cells[2].split('`').skip(1).step_by(2) {
            let before = listed.insert(code.to_owned(), status);
            assert_eq!(before, None, "docs/portal.md lists `{code}` twice");
        }
    }
    listed
}

/// The closed set of codes is the documented one: `docs/portal.md` and the OpenAPI
/// document list every code of `ErrorCode` with its status, and nothing else.
#[test]
fn every_error_code_is_documented_with_its_status() {
    use motcua::api::error::ErrorCode;

    let in_docs = codes_in_portal_md();
    let expected: BTreeMap<String, u16> = ErrorCode::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), c.status()))
        .collect();
    assert_eq!(
        in_docs, expected,
        "docs/portal.md's error codes are not those of ErrorCode (src/api/error.rs)"
    );

    let doc: Value = serde_json::from_str(&openapi::json()).expect("the document is JSON");
    let table = doc["components"]["schemas"]["ErrorBody"]["description"]
        .as_str()
        .expect("ErrorBody has the table of codes");
    let rows: BTreeSet<&str> = table.lines().filter(|l| l.starts_with("| ")).collect();
    for code in ErrorCode::ALL {
        let row = format!("| {} | `{code}` | {} |", code.status(), code.meaning());
        assert!(
            rows.contains(row.as_str()),
            "the OpenAPI document lacks {row}"
        );
    }
    assert_eq!(
        rows.len(),
        ErrorCode::ALL.len() + 1,
        "one row per code, and the header"
    );
}

/// An error answers with its code's status, and the rules' own codes (which the audit
/// log and the training journal keep) are the enum's.
#[test]
fn errors_answer_with_their_codes_status() {
    use motcua::domain::RuleError;
    use motcua::domain::workflow::{Action, Input, Refusal, Role};
    use motcua::domain::{forms::Form, status::Status};
    use motcua::portal::error::{ApiError, refusal_code};
    use motcua::portal::service::uploads::UploadProblem;

    let at = chrono::DateTime::parse_from_rfc3339("2026-03-06T08:00:00+07:00").unwrap();
    let (action, status) = (Action::Approve, Status::Received);
    let refusals = [
        Refusal::InvalidTransition { action, status },
        Refusal::ForbiddenAction {
            action,
            role: Role::Citizen,
            status,
        },
        Refusal::SupplementWindowClosed { deadline: at },
        Refusal::ExtensionAlreadyUsed,
        Refusal::ExtensionTooLate { latest: at },
        Refusal::PaymentRequired,
        Refusal::MissingInput(Input::Reason),
        Refusal::DueNotLater { current: at },
        Refusal::AmountNotPositive,
    ];
    let mut errors = Vec::new();
    for refusal in refusals {
        assert_eq!(
            refusal_code(&refusal).as_str(),
            refusal.code(),
            "{refusal:?}"
        );
        errors.push(ApiError::from(refusal));
    }
    let uploads = [
        UploadProblem::FileTooLarge { size: 1 },
        UploadProblem::ChunkTooLarge,
        UploadProblem::BeyondSize { size: 1 },
        UploadProblem::TypeNotAccepted("x".into()),
        UploadProblem::ChunkType,
        UploadProblem::OffsetHeader,
        UploadProblem::OffsetMismatch {
            received: 1,
            sent: 2,
        },
        UploadProblem::ChunkCut { received: 1 },
        UploadProblem::Superseded { received: 1 },
        UploadProblem::ChecksumMismatch,
        UploadProblem::ContentMismatch(motcua::api::uploads::FileType::Pdf),
        UploadProblem::Empty,
        UploadProblem::ChecksumFormat,
        UploadProblem::Filename,
        UploadProblem::NotUploaded("x".into()),
        UploadProblem::Incomplete("x".into()),
        UploadProblem::AlreadyAttached("x".into()),
    ];
    for problem in uploads {
        assert_eq!(problem.error_code().as_str(), problem.code(), "{problem:?}");
        errors.push(ApiError::from(problem));
    }
    let form = motcua::forms::NotApplicable::NotReceived(Form::Receipt);
    assert_eq!(form.code(), "form_not_applicable");
    for error in errors {
        assert_eq!(error.status().as_u16(), error.code().status(), "{error:?}");
        let body = error.body(motcua::domain::Lang::En);
        assert_eq!(body.error.code, error.code().as_str(), "{error:?}");
    }
}

/// No code of the portal builds an error code from a bare string: every code comes from
/// `ErrorCode`, so a new one cannot be answered without being listed (and documented, by
/// the test above). Two things would let one through: a wire name spelled as a literal,
/// and a rule's `fn code` returning a literal (the rule's code is what its error answers).
#[test]
fn the_portal_spells_no_error_code_as_a_literal() {
    use motcua::api::error::ErrorCode;

    let mut files = Vec::new();
    rust_files(&root().join("src/portal"), &mut files);
    assert!(files.len() > 20, "{files:?}");
    let mut offences = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("a source file");
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        for wire in ErrorCode::ALL.iter().map(|c| c.as_str()) {
            if code.contains(&format!("\"{wire}\"")) {
                offences.push(format!("{}: \"{wire}\"", file.display()));
            }
        }
        for (at, _) in code.match_indices("fn code(&self) -> &'static str") {
            let body = &code[at..];
            let end = body.find("\n    }").unwrap_or(body.len());
            if body[..end].contains('"') {
                offences.push(format!(
                    "{}: a `fn code` returning a literal",
                    file.display()
                ));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "error codes must come from ErrorCode (src/api/error.rs): {offences:#?}"
    );
}
