//! Builds the contract table from the spec text and the extra routes.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{BodyRule, BodySpec, ContractTable, Operation, parse_template};

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

/// Routes that real Looker instances serve but the public spec does not list. Looker's own MCP
/// server (googleapis/mcp-toolbox) uses them for LookML file writes; see ARCHITECTURE.md §5.
/// Body shapes for `commit` and `push_branch` are not documented anywhere public, so their
/// bodies are not checked.
const EXTRA_ROUTES: &[ExtraRoute] = &[
    extra(
        "GET",
        "/projects/{project_id}/file/content",
        &["file_path"],
        ExtraBody::None,
    ),
    extra(
        "POST",
        "/projects/{project_id}/files",
        &[],
        ExtraBody::Props(&["path", "content"]),
    ),
    extra(
        "PUT",
        "/projects/{project_id}/files",
        &[],
        ExtraBody::Props(&["path", "content"]),
    ),
    extra(
        "DELETE",
        "/projects/{project_id}/files",
        &["file_path"],
        ExtraBody::None,
    ),
    extra(
        "GET",
        "/projects/{project_id}/directories",
        &[],
        ExtraBody::None,
    ),
    extra(
        "POST",
        "/projects/{project_id}/directories",
        &[],
        ExtraBody::Props(&["path"]),
    ),
    extra(
        "DELETE",
        "/projects/{project_id}/directories",
        &["path"],
        ExtraBody::None,
    ),
    extra("POST", "/projects/{project_id}/commit", &[], ExtraBody::Any),
    extra(
        "POST",
        "/projects/{project_id}/push_branch",
        &[],
        ExtraBody::Any,
    ),
    extra(
        "POST",
        "/queries/run_inline",
        &[],
        ExtraBody::Props(&["query", "render_options", "query_api_client_context"]),
    ),
];

struct ExtraRoute {
    method: &'static str,
    path: &'static str,
    query: &'static [&'static str],
    body: ExtraBody,
}

enum ExtraBody {
    None,
    Any,
    Props(&'static [&'static str]),
}

const fn extra(
    method: &'static str,
    path: &'static str,
    query: &'static [&'static str],
    body: ExtraBody,
) -> ExtraRoute {
    ExtraRoute {
        method,
        path,
        query,
        body,
    }
}

pub(super) fn build(spec_json: &str) -> anyhow::Result<ContractTable> {
    let raw: RawSpec = serde_json::from_str(spec_json)?;
    let mut ops = Vec::with_capacity(EXTRA_ROUTES.len() + 500);
    for (path, item) in &raw.paths {
        for (method, op) in item {
            let query: HashSet<String> = op
                .parameters
                .iter()
                .filter(|p| p.location == "query")
                .map(|p| p.name.clone())
                .collect();
            let body = op
                .request_body
                .as_ref()
                .map(|b| body_spec(b, &query, &raw.components.schemas));
            ops.push(Operation {
                method: method.to_ascii_uppercase(),
                template: path.clone(),
                segs: parse_template(path),
                query,
                body,
            });
        }
    }
    for route in EXTRA_ROUTES {
        let body = match route.body {
            ExtraBody::None => None,
            ExtraBody::Any => Some(BodySpec {
                content_types: vec![JSON.into()],
                rule: BodyRule::Any,
            }),
            ExtraBody::Props(props) => Some(BodySpec {
                content_types: vec![JSON.into()],
                rule: BodyRule::Object {
                    schema: "(extra route)".into(),
                    props: props.iter().map(|s| s.to_string()).collect(),
                },
            }),
        };
        anyhow::ensure!(
            !ops.iter()
                .any(|o| o.method == route.method && o.template == route.path),
            "extra route {} {} is already in the spec",
            route.method,
            route.path
        );
        ops.push(Operation {
            method: route.method.into(),
            template: route.path.into(),
            segs: parse_template(route.path),
            query: route.query.iter().map(|s| s.to_string()).collect(),
            body,
        });
    }
    let mut by_len: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, op) in ops.iter().enumerate() {
        by_len.entry(op.segs.len()).or_default().push(i);
    }
    Ok(ContractTable { ops, by_len })
}

fn body_spec(
    body: &RawBody,
    query: &HashSet<String>,
    schemas: &HashMap<String, RawSchema>,
) -> BodySpec {
    let content_types: Vec<String> = body.content.keys().cloned().collect();
    let rule = if let Some(media) = body.content.get(FORM) {
        // `POST /login` declares an empty object schema for its form body; its documentation
        // says to pass the declared `client_id`/`client_secret` parameters as body fields.
        match media.schema.properties.as_ref() {
            Some(props) => BodyRule::Form(props.keys().cloned().collect()),
            None => BodyRule::Form(query.clone()),
        }
    } else if let Some(media) = body.content.get(JSON) {
        object_rule(&media.schema, schemas)
    } else {
        BodyRule::Any
    };
    BodySpec {
        content_types,
        rule,
    }
}

fn object_rule(schema: &RawSchema, schemas: &HashMap<String, RawSchema>) -> BodyRule {
    let (name, resolved) = match schema.reference.as_deref() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            match schemas.get(name) {
                Some(s) => (name.to_string(), s),
                None => return BodyRule::Any,
            }
        }
        None => ("(inline)".to_string(), schema),
    };
    let is_object = resolved.ty.as_deref().is_none_or(|t| t == "object");
    match (&resolved.properties, &resolved.additional) {
        (Some(props), None) if is_object => BodyRule::Object {
            schema: name,
            props: props.keys().cloned().collect(),
        },
        _ => BodyRule::Any,
    }
}

#[derive(Deserialize)]
struct RawSpec {
    paths: BTreeMap<String, BTreeMap<String, RawOp>>,
    components: RawComponents,
}

#[derive(Deserialize)]
struct RawComponents {
    schemas: HashMap<String, RawSchema>,
}

#[derive(Deserialize)]
struct RawOp {
    #[serde(default)]
    parameters: Vec<RawParam>,
    #[serde(rename = "requestBody")]
    request_body: Option<RawBody>,
}

#[derive(Deserialize)]
struct RawParam {
    name: String,
    #[serde(rename = "in")]
    location: String,
}

#[derive(Deserialize)]
struct RawBody {
    content: BTreeMap<String, RawMedia>,
}

#[derive(Deserialize)]
struct RawMedia {
    schema: RawSchema,
}

#[derive(Deserialize)]
struct RawSchema {
    #[serde(rename = "$ref")]
    reference: Option<String>,
    #[serde(rename = "type")]
    ty: Option<String>,
    properties: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(rename = "additionalProperties")]
    additional: Option<IgnoredAny>,
}
