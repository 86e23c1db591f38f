//! Embed URLs and the content validator.

use std::collections::BTreeMap;

use looker_mcp_plugin_sdk::args::default;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::{Context, NoArgs, Tool, ToolError};
use serde::Deserialize;
use serde_json::{Value, json};

/// Seconds an embed session lasts unless told otherwise.
const SESSION_LENGTH: i64 = 3600;

/// The embed and validation tools, declared beside their handlers.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::creator(
            "generate_embed_url",
            "Make a signed embed URL",
            GENERATE_EMBED_URL,
        )
        .schema(
            schema::object()
                .required(
                    "target_url",
                    Ty::Str,
                    "Page to embed: a path such as `/dashboards/17`, `/looks/42` or \
                     `/explore/ecommerce/orders`, or the page's full URL.",
                )
                .with_default(
                    "session_length",
                    Ty::Int,
                    SESSION_LENGTH,
                    "Seconds the embed session lasts. Default 3600.",
                )
                .with_default(
                    "force_logout_login",
                    Ty::Bool,
                    false,
                    "End any Looker session the viewer's browser already has before logging \
                     in. Default false.",
                ),
        )
        .handler(generate_embed_url),
        Tool::reader(
            "validate_content",
            "Find broken Looks and dashboards",
            VALIDATE_CONTENT,
        )
        .schema(schema::object())
        .handler(validate_content),
    ]
}

const GENERATE_EMBED_URL: &str = "\
Creates a signed embed URL for a Looker page (dashboard, Look or explore) as the current user, \
so the page can be shown inside another application without a separate Looker login. Returns \
the URL, which works once and must be opened within a few minutes; treat it as a credential \
and share it only with the intended viewer. Example: {\"target_url\": \"/dashboards/17\", \
\"session_length\": 600}.";

const VALIDATE_CONTENT: &str = "\
Runs Looker's content validator over all Looks, dashboard tiles and filters, schedules and \
alerts, and returns the broken references (e.g. a field renamed in LookML): totals of what was \
validated, error counts by content type and by explore, and each broken item with its errors. \
Use it after a LookML change, before users see errors. It can take minutes on a big instance.";

/// `generate_embed_url` arguments.
#[derive(Deserialize)]
pub struct EmbedArgs {
    target_url: String,
    #[serde(default = "default::int::<SESSION_LENGTH>")]
    session_length: i64,
    #[serde(default)]
    force_logout_login: bool,
}

/// `POST /embed/token_url/me`: a signed embed URL for the caller's own user. Looker wants the
/// complete URL of the page; a path such as `/dashboards/17` is completed with the instance's
/// web address from `GET /versions`.
pub fn generate_embed_url(args: EmbedArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let target = args.target_url.trim();
    if target.is_empty() {
        return Err(ToolError::invalid_arguments(
            "`target_url` must name a Looker page, e.g. `/dashboards/17`",
        ));
    }
    if !(1..=2_592_000).contains(&args.session_length) {
        return Err(ToolError::invalid_arguments(
            "`session_length` must be between 1 and 2592000 seconds (30 days)",
        ));
    }
    let target_url = if target.starts_with("http://") || target.starts_with("https://") {
        target.to_owned()
    } else {
        let versions: Value = Request::get("/versions")
            .fields(&["web_server_url"])
            .send()?
            .json()?;
        let web = versions["web_server_url"]
            .as_str()
            .map(|w| w.trim_end_matches('/').to_owned())
            .ok_or_else(|| {
                ToolError::internal("Looker did not say its web address (GET /versions)")
            })?;
        let path = target.strip_prefix("/embed").unwrap_or(target);
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        format!("{web}{path}")
    };
    let body = json!({
        "target_url": target_url,
        "session_length": args.session_length,
        "force_logout_login": args.force_logout_login,
    });
    let answer: Value = Request::post("/embed/token_url/me")
        .body(&body)
        .send()?
        .json()?;
    Ok(json!({
        "url": answer["url"],
        "target_url": target_url,
        "session_length": args.session_length,
    }))
}

/// `GET /content_validation` → totals, error counts by content type and by explore, and each
/// broken item with its errors. The validator can take minutes on a large instance, so the
/// request may take up to ten (the host still caps it at its per-call deadline).
pub fn validate_content(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let result: Value = Request::get("/content_validation")
        .timeout_ms(600_000)
        .send()?
        .json()?;
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_explore: BTreeMap<String, u64> = BTreeMap::new();
    let mut total = 0u64;
    let mut broken = Vec::new();
    for item in result["content_with_errors"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let (kind, content) = content_of(item);
        let errors: Vec<Value> = item["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                if let (Some(m), Some(x)) = (e["model_name"].as_str(), e["explore_name"].as_str()) {
                    *by_explore.entry(format!("{m}::{x}")).or_default() += 1;
                }
                json!({
                    "message": e["message"],
                    "field": e["field_name"],
                    "model": e["model_name"],
                    "explore": e["explore_name"],
                    "removable": e["removable"],
                })
            })
            .collect();
        total += errors.len() as u64;
        *by_type.entry(kind.to_owned()).or_default() += errors.len() as u64;
        broken.push(json!({
            "type": kind,
            "id": content["id"],
            "title": content["title"],
            "dashboard_id": content["dashboard_id"],
            "dashboard": item["dashboard"]["title"],
            "folder": content["folder"]["name"].as_str().or(item["dashboard"]["folder"]["name"].as_str()),
            "errors": errors,
        }));
    }
    Ok(json!({
        "total_errors": total,
        "broken_count": broken.len(),
        "validated": {
            "looks": result["total_looks_validated"],
            "dashboard_elements": result["total_dashboard_elements_validated"],
            "dashboard_filters": result["total_dashboard_filters_validated"],
            "scheduled_plans": result["total_scheduled_plans_validated"],
            "alerts": result["total_alerts_validated"],
            "explores": result["total_explores_validated"],
        },
        "errors_by_content_type": by_type,
        "errors_by_explore": by_explore,
        "computation_time_seconds": result["computation_time"],
        "broken_content": broken,
    }))
}

/// Which kind of content a `ContentValidatorError` is about, and that content.
fn content_of(item: &Value) -> (&'static str, &Value) {
    const KINDS: [&str; 8] = [
        "look",
        "dashboard_element",
        "dashboard_filter",
        "dashboard",
        "scheduled_plan",
        "alert",
        "lookml_dashboard_element",
        "lookml_dashboard",
    ];
    KINDS
        .iter()
        .find(|k| item[**k].is_object())
        .map(|k| (*k, &item[*k]))
        .unwrap_or(("unknown", &Value::Null))
}
