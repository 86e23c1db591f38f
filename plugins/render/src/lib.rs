//! The `render` tool group: render a query, a look, a dashboard or one dashboard tile as a PNG
//! or JPG image (or a dashboard as a PDF) with Looker's render tasks.
//!
//! A render task is created, polled (with MCP progress notifications, stopping promptly when
//! the client cancels) and downloaded. Images come back as MCP image content, PDFs as an
//! embedded resource. Sizes are capped at 4000×4000 pixels and 10 MiB. Nothing in Looker
//! changes: a render task is a transient job.

mod task;

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, Group, Output, Tool, ToolError, export_group, filters, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use looker_mcp_plugin_sdk::queries::QuerySpec;
use looker_mcp_plugin_sdk::session::SessionArgs;
use task::Subject;

export_group!(group);

/// The `render` group's tool table.
pub fn group() -> Group {
    let tool = |name: &'static str, title: &'static str, description: &'static str| {
        Tool::new(name, title, description).read_only().idempotent()
    };
    Group::new("render", env!("CARGO_PKG_VERSION"))
        .tool(
            tool("render_query", "Render a query as an image", RENDER_QUERY)
                .schema(render_query_schema())
                .handler(render_query),
        )
        .tool(
            tool("render_look", "Render a look as an image", RENDER_LOOK)
                .schema(simple_schema(
                    "look_id",
                    "Look id, e.g. `\"1\"` (from `search_content`).",
                    120.0,
                ))
                .handler(render_look),
        )
        .tool(
            tool(
                "render_dashboard",
                "Render a dashboard as PDF or image",
                RENDER_DASHBOARD,
            )
            .schema(render_dashboard_schema())
            .handler(render_dashboard),
        )
        .tool(
            tool(
                "render_dashboard_tile",
                "Render one dashboard tile as an image",
                RENDER_TILE,
            )
            .schema(simple_schema(
                "dashboard_element_id",
                "Dashboard element (tile) id, e.g. `\"1\"` (from `run_dashboard`, field `id`).",
                120.0,
            ))
            .handler(render_dashboard_tile),
        )
}

fn default_image() -> String {
    "png".to_owned()
}

fn default_pdf() -> String {
    "pdf".to_owned()
}

fn default_wait() -> f64 {
    120.0
}

fn default_dashboard_wait() -> f64 {
    180.0
}

fn default_limit() -> i64 {
    500
}

/// Arguments of `render_query`.
#[derive(Debug, Deserialize)]
pub struct RenderQueryArgs {
    #[serde(flatten)]
    spec: QuerySpec,
    width: i64,
    height: i64,
    #[serde(default = "default_image")]
    result_format: String,
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(default = "default_wait")]
    max_wait_seconds: f64,
    #[serde(flatten)]
    session: SessionArgs,
}

/// Arguments of `render_look` and `render_dashboard_tile`.
#[derive(Debug, Deserialize)]
pub struct RenderOneArgs {
    #[serde(alias = "dashboard_element_id")]
    look_id: String,
    width: i64,
    height: i64,
    #[serde(default = "default_image")]
    result_format: String,
    #[serde(default = "default_wait")]
    max_wait_seconds: f64,
    #[serde(default)]
    act_as_user: Option<String>,
}

/// Arguments of `render_dashboard`.
#[derive(Debug, Deserialize)]
pub struct RenderDashboardArgs {
    dashboard_id: String,
    width: i64,
    height: i64,
    #[serde(default = "default_pdf")]
    result_format: String,
    #[serde(default)]
    pdf_paper_size: Option<String>,
    #[serde(default)]
    pdf_landscape: Option<bool>,
    #[serde(default)]
    long_tables: Option<bool>,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    dashboard_filters: Option<Map<String, Value>>,
    #[serde(default = "default_dashboard_wait")]
    max_wait_seconds: f64,
    #[serde(default)]
    act_as_user: Option<String>,
}

fn as_user(user: Option<String>) -> SessionArgs {
    SessionArgs {
        act_as_user: user,
        ..SessionArgs::default()
    }
}

/// `POST /queries`, `POST /render_tasks/queries/{id}/{format}`, poll, download.
fn render_query(args: RenderQueryArgs, _ctx: &Context) -> Result<Output, ToolError> {
    task::check_size(args.width, args.height)?;
    let budget = task::wait_budget(args.max_wait_seconds)?;
    let body = args.spec.body(Some(args.limit))?;
    let dev_mode = args.session.apply()?;
    let created: Value = Request::post("/queries")
        .fields(&["id"])
        .body(&body)
        .dev_mode(dev_mode)
        .send()?
        .json()?;
    let id = match &created["id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err(ToolError::internal("Looker returned a query without an id")),
    };
    let task: Value = Request::post(path!("/render_tasks/queries/{}/{}", id, args.result_format))
        .query("width", args.width)
        .query("height", args.height)
        .dev_mode(dev_mode)
        .send()?
        .json()?;
    let subject = Subject { kind: "query", id };
    task::finish(&subject, &task, &args.result_format, budget, dev_mode)
}

fn render_one(
    args: RenderOneArgs,
    kind: &'static str,
    collection: &'static str,
) -> Result<Output, ToolError> {
    task::check_size(args.width, args.height)?;
    let budget = task::wait_budget(args.max_wait_seconds)?;
    as_user(args.act_as_user).apply()?;
    let path = match collection {
        "looks" => path!(
            "/render_tasks/looks/{}/{}",
            args.look_id,
            args.result_format
        ),
        _ => path!(
            "/render_tasks/dashboard_elements/{}/{}",
            args.look_id,
            args.result_format
        ),
    };
    let task: Value = Request::post(path)
        .query("width", args.width)
        .query("height", args.height)
        .send()?
        .json()?;
    let subject = Subject {
        kind,
        id: args.look_id,
    };
    task::finish(&subject, &task, &args.result_format, budget, false)
}

/// `POST /render_tasks/looks/{id}/{format}`, poll, download.
fn render_look(args: RenderOneArgs, _ctx: &Context) -> Result<Output, ToolError> {
    render_one(args, "look", "looks")
}

/// `POST /render_tasks/dashboard_elements/{id}/{format}`, poll, download.
fn render_dashboard_tile(args: RenderOneArgs, _ctx: &Context) -> Result<Output, ToolError> {
    render_one(args, "dashboard_element", "dashboard_elements")
}

/// `POST /render_tasks/dashboards/{id}/{format}` with the dashboard filters, poll, download.
fn render_dashboard(args: RenderDashboardArgs, _ctx: &Context) -> Result<Output, ToolError> {
    task::check_size(args.width, args.height)?;
    let budget = task::wait_budget(args.max_wait_seconds)?;
    let dashboard_filters = match &args.dashboard_filters {
        Some(given) if !given.is_empty() => {
            let encoded = filters::encode_filters(given).map_err(|e| match e {
                ToolError::InvalidArguments(m) => {
                    ToolError::InvalidArguments(m.replace("`filters.", "`dashboard_filters."))
                }
                other => other,
            })?;
            Some(url_query(&encoded))
        }
        _ => None,
    };
    as_user(args.act_as_user).apply()?;
    let mut body = json!({"dashboard_style": "tiled"});
    if let Some(f) = dashboard_filters {
        body["dashboard_filters"] = f.into();
    }
    let task: Value = Request::post(path!(
        "/render_tasks/dashboards/{}/{}",
        args.dashboard_id,
        args.result_format
    ))
    .query("width", args.width)
    .query("height", args.height)
    .query_opt("pdf_paper_size", args.pdf_paper_size.as_deref())
    .query_opt("pdf_landscape", args.pdf_landscape)
    .query_opt("long_tables", args.long_tables)
    .query_opt("theme", args.theme.as_deref())
    .body(&body)
    .send()?
    .json()?;
    let subject = Subject {
        kind: "dashboard",
        id: args.dashboard_id,
    };
    task::finish(&subject, &task, &args.result_format, budget, false)
}

/// `Region=West&Status=complete`: Looker's "URL query format" for dashboard filters, each name
/// and value percent-encoded.
fn url_query(filters: &Map<String, Value>) -> String {
    let encode = |s: &str| {
        let mut out = String::new();
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    filters
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v.as_str().unwrap_or_default())))
        .collect::<Vec<_>>()
        .join("&")
}

fn nullable(inner: Value, description: &str) -> Value {
    json!({"anyOf": [inner, {"type": "null"}], "default": null, "description": description})
}

fn size_properties() -> Map<String, Value> {
    let size = |what: &str| json!({"type": "integer", "minimum": 1, "maximum": 4000, "description": format!("{what} in pixels (at most 4000).")});
    Map::from_iter([
        ("width".to_owned(), size("Width")),
        ("height".to_owned(), size("Height")),
    ])
}

fn wait_property(default: f64) -> Value {
    json!({"type": "number", "default": default, "exclusiveMinimum": 0, "description": "Give up after this many seconds of rendering."})
}

fn act_as_property() -> Value {
    nullable(
        json!({"type": "string"}),
        "Render as this Looker user (numeric id or exact email); needs LOOKER_SUDO_AS_USER=true and admin credentials.",
    )
}

fn image_format() -> Value {
    json!({"type": "string", "enum": ["png", "jpg"], "default": "png", "description": "Image format."})
}

fn schema(properties: Map<String, Value>, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

fn simple_schema(id: &str, description: &str, wait: f64) -> Value {
    let mut props = Map::new();
    props.insert(
        id.to_owned(),
        json!({"type": "string", "description": description}),
    );
    props.extend(size_properties());
    props.insert("result_format".into(), image_format());
    props.insert("max_wait_seconds".into(), wait_property(wait));
    props.insert("act_as_user".into(), act_as_property());
    schema(props, &[id, "width", "height"])
}

fn render_query_schema() -> Value {
    let mut props = Map::new();
    props.insert(
        "model".into(),
        json!({"type": "string", "description": "LookML model, e.g. `ecommerce`."}),
    );
    props.insert(
        "view".into(),
        json!({"type": "string", "description": "Explore, e.g. `orders`."}),
    );
    props.insert(
        "fields".into(),
        json!({"type": "array", "items": {"type": "string"}, "minItems": 1, "description": "Full `view.field` names, e.g. [\"orders.status\", \"orders.count\"]."}),
    );
    props.extend(size_properties());
    props.insert("result_format".into(), image_format());
    props.insert(
        "filters".into(),
        nullable(
            json!({"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}),
            "Filters by `view.field`: a string is one Looker filter expression whose commas are literal; a list means any of these exact values.",
        ),
    );
    props.insert(
        "sorts".into(),
        nullable(
            json!({"type": "array", "items": {"type": "string"}}),
            "Sort order, e.g. [\"orders.count desc\"].",
        ),
    );
    props.insert(
        "limit".into(),
        json!({"type": "integer", "default": 500, "description": "Most rows to chart."}),
    );
    props.insert("max_wait_seconds".into(), wait_property(120.0));
    props.insert(
        "dev_mode".into(),
        json!({"type": "boolean", "default": false, "description": "Use the LookML in your dev workspace."}),
    );
    props.insert(
        "branch".into(),
        nullable(
            json!({"type": "string"}),
            "Check out this branch of `project_id` for this call only (restored afterwards); implies `dev_mode`.",
        ),
    );
    props.insert(
        "project_id".into(),
        nullable(
            json!({"type": "string"}),
            "LookML project of `branch` (required with it).",
        ),
    );
    props.insert("act_as_user".into(), act_as_property());
    schema(props, &["model", "view", "fields", "width", "height"])
}

fn render_dashboard_schema() -> Value {
    let mut props = Map::new();
    props.insert(
        "dashboard_id".into(),
        json!({"type": "string", "description": "Dashboard id (or a LookML dashboard id such as `model::name`)."}),
    );
    props.extend(size_properties());
    props.insert(
        "result_format".into(),
        json!({"type": "string", "enum": ["pdf", "png", "jpg"], "default": "pdf", "description": "PDF (returned as an embedded resource) or an image."}),
    );
    props.insert(
        "pdf_paper_size".into(),
        nullable(
            json!({"type": "string", "enum": ["letter", "legal", "tabloid", "a0", "a1", "a2", "a3", "a4", "a5"]}),
            "Paper size of a PDF.",
        ),
    );
    props.insert(
        "pdf_landscape".into(),
        nullable(
            json!({"type": "boolean"}),
            "Landscape orientation for a PDF.",
        ),
    );
    props.insert(
        "long_tables".into(),
        nullable(
            json!({"type": "boolean"}),
            "Expand table tiles to show all their rows.",
        ),
    );
    props.insert(
        "theme".into(),
        nullable(
            json!({"type": "string"}),
            "Name of a Looker theme to render with.",
        ),
    );
    props.insert(
        "dashboard_filters".into(),
        nullable(
            json!({"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}),
            "Dashboard filter values by filter name, e.g. {\"Region\": \"West\"}; a list means any of these exact values.",
        ),
    );
    props.insert("max_wait_seconds".into(), wait_property(180.0));
    props.insert("act_as_user".into(), act_as_property());
    schema(props, &["dashboard_id", "width", "height"])
}

const RENDER_QUERY: &str = "\
Renders a semantic-layer query (same model/view/fields/filters/sorts as `query`) as a chart \
image with Looker's renderer and returns the PNG or JPG. Rendering can take a while; progress \
is reported while Looker works. Example: {\"model\": \"ecommerce\", \"view\": \"orders\", \
\"fields\": [\"orders.status\", \"orders.count\"], \"width\": 800, \"height\": 600}.";

const RENDER_LOOK: &str = "\
Renders a saved look's visualization as a PNG or JPG image (at most 4000×4000 pixels and \
10 MiB). Progress is reported while Looker renders. Find looks with `search_content`.";

const RENDER_DASHBOARD: &str = "\
Renders a whole dashboard as a PDF (default; returned as an embedded resource) or as a PNG/JPG \
image, optionally with dashboard filter values, paper size and orientation. Dashboards can take \
minutes; progress is reported while Looker renders. Example: {\"dashboard_id\": \"1\", \
\"width\": 1200, \"height\": 1600, \"dashboard_filters\": {\"Region\": \"West\"}}.";

const RENDER_TILE: &str = "\
Renders one dashboard tile (dashboard element) as a PNG or JPG image. Get tile ids from \
`run_dashboard`. Progress is reported while Looker renders.";

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::Content;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

    #[test]
    fn declaration_is_valid() {
        group().validate().unwrap();
        let names: Vec<_> = group().tools().map(|t| t.name().to_owned()).collect();
        assert_eq!(
            names,
            [
                "render_query",
                "render_look",
                "render_dashboard",
                "render_dashboard_tile"
            ]
        );
        for tool in group().tools() {
            let a = tool.annotations();
            assert!(a.read_only && !a.destructive, "{}", tool.name());
        }
    }

    #[test]
    fn dashboard_filters_travel_in_url_query_format() {
        let given = json!({"Region": "West, North", "Status": ["a b", "c"]});
        let encoded = filters::encode_filters(given.as_object().unwrap()).unwrap();
        assert_eq!(
            url_query(&encoded),
            "Region=West%5E%2C%20North&Status=a%20b%2Cc"
        );
    }

    #[test]
    fn renders_poll_then_download() {
        let mut polls = 0;
        let seen = mock_looker(move |req| {
            let path = req.path().as_str().to_owned();
            Ok(if path.ends_with("/results") {
                Response {
                    status: 200,
                    content_type: Some("application/pdf".into()),
                    body: b"%PDF-1.4".to_vec(),
                }
            } else if path.starts_with("/render_tasks/dashboards/") {
                Response::json_ok(&json!({"id": "9", "status": "enqueued_for_query"}))
            } else {
                polls += 1;
                let status = if polls < 2 { "rendering" } else { "success" };
                Response::json_ok(&json!({"id": "9", "status": status}))
            })
        });
        let out = group()
            .call(
                "render_dashboard",
                r#"{"dashboard_id":"1","width":800,"height":600,"pdf_landscape":true}"#,
                &Context::default(),
            )
            .unwrap();
        assert!(
            matches!(&out.content[0], Content::Resource { mime_type, .. } if mime_type == "application/pdf")
        );
        let requests = seen.requests();
        assert_eq!(requests.len(), 4);
        assert_eq!(requests[0].query_value("pdf_landscape"), Some("true"));
        assert_eq!(
            requests[0].body_json_text(),
            Some(r#"{"dashboard_style":"tiled"}"#)
        );
    }

    #[test]
    fn oversize_requests_never_reach_looker() {
        let seen = mock_looker(|_| unreachable!("no Looker call"));
        let err = group()
            .call(
                "render_look",
                r#"{"look_id":"1","width":5000,"height":600}"#,
                &Context::default(),
            )
            .unwrap_err();
        assert!(err.to_string().contains("4000"), "{err}");
        assert!(seen.requests().is_empty());
    }
}

#[cfg(test)]
mod reference {
    use super::*;
    use looker_mcp_plugin_sdk::Context;
    use std::collections::BTreeSet;

    /// The tools of looker-mcp-server 0.25.0.
    const SEED: &str = include_str!("../../../tests/fixtures/seed-tools-0.25.0.json");

    fn names(schema: &Value, key: &str) -> BTreeSet<String> {
        match &schema[key] {
            Value::Object(map) => map.keys().cloned().collect(),
            Value::Array(list) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => BTreeSet::new(),
        }
    }

    #[test]
    fn argument_names_and_requirements_match_the_reference() {
        let seed: Value = serde_json::from_str(SEED).unwrap();
        for tool in group().tools() {
            let theirs = seed["tools"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["name"] == tool.name())
                .unwrap_or_else(|| panic!("{} is not a reference tool", tool.name()));
            assert_eq!(theirs["group"], "render");
            let ours: Value =
                serde_json::from_str(&tool.effective_input_schema(&Context::default())).unwrap();
            let reference = &theirs["input_schema"];
            assert_eq!(
                names(&ours, "properties"),
                names(reference, "properties"),
                "{}",
                tool.name()
            );
            assert_eq!(
                names(&ours, "required"),
                names(reference, "required"),
                "{}",
                tool.name()
            );
        }
    }
}
