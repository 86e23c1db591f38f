//! The four render tools, each declared beside its handler: a query, a look, a dashboard or
//! one dashboard tile, rendered by a Looker render task ([`crate::task`]).

use looker_mcp_plugin_sdk::args::default;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::queries::QuerySpec;
use looker_mcp_plugin_sdk::schema::{self, ObjectSchema, Prop, Ty};
use looker_mcp_plugin_sdk::session::SessionArgs;
use looker_mcp_plugin_sdk::{Context, Output, Tool, ToolError, filters, path, shape};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::task::{self, Subject};

/// The render tools. All only read: a render task is a transient job.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader("render_query", "Render a query as an image", RENDER_QUERY)
            .schema(render_query_schema())
            .handler(render_query),
        Tool::reader("render_look", "Render a look as an image", RENDER_LOOK)
            .schema(render_one_schema(
                "look_id",
                "Look id, e.g. `\"1\"` (from `search_content`).",
            ))
            .handler(render_look),
        Tool::reader(
            "render_dashboard",
            "Render a dashboard as PDF or image",
            RENDER_DASHBOARD,
        )
        .schema(render_dashboard_schema())
        .handler(render_dashboard),
        Tool::reader(
            "render_dashboard_tile",
            "Render one dashboard tile as an image",
            RENDER_TILE,
        )
        .schema(render_one_schema(
            "dashboard_element_id",
            "Dashboard element (tile) id, e.g. `\"1\"` (from `run_dashboard`, field `id`).",
        ))
        .handler(render_dashboard_tile),
    ]
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

/// Image format unless told otherwise.
const IMAGE_FORMAT: &str = "png";
/// Dashboard format unless told otherwise.
const DASHBOARD_FORMAT: &str = "pdf";
/// Seconds a query, look or tile render may take unless told otherwise.
const WAIT_SECONDS: f64 = 120.0;
/// Seconds a dashboard render may take unless told otherwise.
const DASHBOARD_WAIT_SECONDS: f64 = 180.0;
/// Most rows `render_query` charts unless told otherwise.
const LIMIT: i64 = 500;

fn default_image() -> String {
    IMAGE_FORMAT.to_owned()
}

fn default_pdf() -> String {
    DASHBOARD_FORMAT.to_owned()
}

fn default_wait() -> f64 {
    WAIT_SECONDS
}

fn default_dashboard_wait() -> f64 {
    DASHBOARD_WAIT_SECONDS
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
    #[serde(default = "default::int::<LIMIT>")]
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
    let id = shape::id(&created["id"])
        .ok_or_else(|| ToolError::internal("Looker returned a query without an id"))?;
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

/// `width` and `height`, required, in pixels.
fn size() -> ObjectSchema {
    let pixels = || Ty::Int.min(1).max(4000);
    schema::object()
        .required("width", pixels(), "Width in pixels (at most 4000).")
        .required("height", pixels(), "Height in pixels (at most 4000).")
}

/// `max_wait_seconds` with its default.
fn wait(default: f64) -> ObjectSchema {
    schema::object().with_default(
        "max_wait_seconds",
        Ty::Num.above(0),
        default,
        "Give up after this many seconds of rendering.",
    )
}

/// `act_as_user`.
fn act_as() -> ObjectSchema {
    schema::object().optional(
        "act_as_user",
        Ty::Str,
        "Render as this Looker user (numeric id or exact email); needs LOOKER_SUDO_AS_USER=true \
         and admin credentials.",
    )
}

/// A map of filter values: each a string or a list of strings.
fn filter_map() -> Prop {
    Prop::json(json!({"type": "object", "additionalProperties": {"anyOf": [
        {"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}))
}

fn image_format() -> ObjectSchema {
    schema::object().with_default(
        "result_format",
        Ty::Enum(&["png", "jpg"]),
        IMAGE_FORMAT,
        "Image format.",
    )
}

/// `render_look` and `render_dashboard_tile`: one id, a size, a format.
fn render_one_schema(id: &str, description: &str) -> ObjectSchema {
    schema::object()
        .required(id, Ty::Str, description)
        .extend(size())
        .extend(image_format())
        .extend(wait(WAIT_SECONDS))
        .extend(act_as())
}

fn render_query_schema() -> ObjectSchema {
    schema::object()
        .required("model", Ty::Str, "LookML model, e.g. `ecommerce`.")
        .required("view", Ty::Str, "Explore, e.g. `orders`.")
        .required(
            "fields",
            Ty::StrList.min_items(1),
            "Full `view.field` names, e.g. [\"orders.status\", \"orders.count\"].",
        )
        .extend(size())
        .extend(image_format())
        .optional(
            "filters",
            filter_map(),
            "Filters by `view.field`: a string is one Looker filter expression whose commas are \
             literal; a list means any of these exact values.",
        )
        .optional(
            "sorts",
            Ty::StrList,
            "Sort order, e.g. [\"orders.count desc\"].",
        )
        .with_default("limit", Ty::Int, LIMIT, "Most rows to chart.")
        .extend(wait(WAIT_SECONDS))
        .with_default(
            "dev_mode",
            Ty::Bool,
            false,
            "Use the LookML in your dev workspace.",
        )
        .optional(
            "branch",
            Ty::Str,
            "Check out this branch of `project_id` for this call only (restored afterwards); \
             implies `dev_mode`.",
        )
        .optional(
            "project_id",
            Ty::Str,
            "LookML project of `branch` (required with it).",
        )
        .extend(act_as())
}

fn render_dashboard_schema() -> ObjectSchema {
    const PAPER: &[&str] = &[
        "letter", "legal", "tabloid", "a0", "a1", "a2", "a3", "a4", "a5",
    ];
    schema::object()
        .required(
            "dashboard_id",
            Ty::Str,
            "Dashboard id (or a LookML dashboard id such as `model::name`).",
        )
        .extend(size())
        .with_default(
            "result_format",
            Ty::Enum(&["pdf", "png", "jpg"]),
            DASHBOARD_FORMAT,
            "PDF (returned as an embedded resource) or an image.",
        )
        .optional("pdf_paper_size", Ty::Enum(PAPER), "Paper size of a PDF.")
        .optional(
            "pdf_landscape",
            Ty::Bool,
            "Landscape orientation for a PDF.",
        )
        .optional(
            "long_tables",
            Ty::Bool,
            "Expand table tiles to show all their rows.",
        )
        .optional("theme", Ty::Str, "Name of a Looker theme to render with.")
        .optional(
            "dashboard_filters",
            filter_map(),
            "Dashboard filter values by filter name, e.g. {\"Region\": \"West\"}; a list means \
             any of these exact values.",
        )
        .extend(wait(DASHBOARD_WAIT_SECONDS))
        .extend(act_as())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group;
    use looker_mcp_plugin_sdk::Content;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

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
