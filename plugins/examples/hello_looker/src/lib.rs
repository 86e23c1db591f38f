//! `hello_looker`: an example third-party tool group with two tools, built outside the
//! looker-mcp workspace. See "Write your own tool group" in the README.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, Group, NoArgs, Tool, ToolError, export_group, log, path};
use serde::Deserialize;
use serde_json::{Value, json};

export_group!(group);

/// The group's tool table: the host lists these tools and routes their calls here.
pub fn group() -> Group {
    Group::new("hello_looker", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new(
                "model_overview",
                "Overview of LookML models",
                "Counts the LookML models and explores the caller can see and names each model's \
                 explores. Use it for a first look at what can be queried.",
            )
            .read_only()
            .idempotent()
            .handler(model_overview),
        )
        .tool(
            Tool::new(
                "explore_field_count",
                "Count an explore's fields",
                "Returns how many dimensions and measures an explore has. Example arguments: \
                 {\"model\": \"ecommerce\", \"explore\": \"orders\"}.",
            )
            .schema(
                r#"{"type":"object","properties":{"model":{"type":"string"},"explore":{"type":"string"}},"required":["model","explore"],"additionalProperties":false}"#,
            )
            .read_only()
            .idempotent()
            .handler(explore_field_count),
        )
}

fn model_overview(_: NoArgs, _: &Context) -> Result<Value, ToolError> {
    let models: Vec<Value> = Request::get("/lookml_models").fields(&["name", "explores"]).send()?.json()?;
    let explores = |m: &Value| -> Vec<String> {
        m["explores"].as_array().into_iter().flatten().filter_map(|e| e["name"].as_str().map(String::from)).collect()
    };
    let summary: Vec<Value> = models.iter().map(|m| json!({"model": m["name"], "explores": explores(m)})).collect();
    let total: usize = models.iter().map(|m| explores(m).len()).sum();
    log::info!("{} models, {total} explores", models.len());
    Ok(json!({"models": models.len(), "explores": total, "by_model": summary}))
}

#[derive(Deserialize)]
struct FieldCountArgs {
    model: String,
    explore: String,
}

fn explore_field_count(args: FieldCountArgs, _: &Context) -> Result<Value, ToolError> {
    let explore: Value = Request::get(path!("/lookml_models/{}/explores/{}", args.model, args.explore))
        .fields(&["fields"])
        .send()?
        .json()?;
    let count = |kind: &str| explore["fields"][kind].as_array().map_or(0, Vec::len);
    Ok(json!({"model": args.model, "explore": args.explore, "dimensions": count("dimensions"), "measures": count("measures")}))
}
