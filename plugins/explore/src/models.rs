//! `list_models` and `get_model`: LookML models and the explores they offer.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::{items, pick_as};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// `list_models` and `get_model`, declared beside their handlers.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    const HIDDEN: &str = "Also list explores hidden in the Looker UI.";
    [
        Tool::reader("list_models", "List LookML models", LIST_MODELS)
            .schema(schema::object().with_default("include_hidden", Ty::Bool, false, HIDDEN))
            .handler(list_models),
        Tool::reader("get_model", "Get a LookML model", GET_MODEL)
            .schema(
                schema::object()
                    .required("model_name", Ty::Str, MODEL_NAME)
                    .with_default("include_hidden", Ty::Bool, false, HIDDEN),
            )
            .handler(get_model),
    ]
}

/// The description of the `model_name` argument every explore tool takes.
pub(crate) const MODEL_NAME: &str = "LookML model name, e.g. `thelook` (from `list_models`).";

const LIST_MODELS: &str = "\
Lists the LookML models you can query, each with its explores (name, label, group and \
description). Start here to find which model and explore answer a question; then call \
`get_explore` for the field names. Hidden explores are left out unless `include_hidden` is true.";

const GET_MODEL: &str = "\
Returns one LookML model: its label, LookML project, the database connections it may use and \
its explores (name, label, group, description). Use it when you already know the model and \
want its explores; `list_models` gives the same for every model.";

/// Whether Looker marked `v` as `hidden: true`.
pub(crate) fn is_hidden(v: &Value) -> bool {
    v.get("hidden").and_then(Value::as_bool).unwrap_or(false)
}

/// [`pick_as`] as a map, for answers built member by member.
pub(crate) fn picked(src: &Value, keys: &[(&str, &str)]) -> Map<String, Value> {
    match pick_as(src, keys) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Arguments of `list_models`.
#[derive(Debug, Deserialize)]
pub struct ListModels {
    #[serde(default)]
    include_hidden: bool,
}

/// Arguments of `get_model`.
#[derive(Debug, Deserialize)]
pub struct GetModel {
    model_name: String,
    #[serde(default)]
    include_hidden: bool,
}

/// `GET /lookml_models` → `{"models": [{name, label, project_name, explores: [..]}]}`.
pub fn list_models(args: ListModels, _ctx: &Context) -> Result<Value, ToolError> {
    let models: Value = Request::get("/lookml_models")
        .fields(&["name", "label", "project_name", "explores"])
        .query_opt("exclude_hidden", (!args.include_hidden).then_some(true))
        .send()?
        .json()?;
    let models: Vec<Value> = models
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| model(m, args.include_hidden, false))
        .collect();
    Ok(json!({ "models": models }))
}

/// `GET /lookml_models/{model_name}` → `{name, label, project_name, allowed_connections, explores}`.
pub fn get_model(args: GetModel, _ctx: &Context) -> Result<Value, ToolError> {
    let found: Value = Request::get(path!("/lookml_models/{}", args.model_name))
        .fields(&[
            "name",
            "label",
            "project_name",
            "allowed_db_connection_names",
            "explores",
        ])
        .send()?
        .json()?;
    Ok(model(&found, args.include_hidden, true))
}

/// A compact model; `detailed` adds what only `get_model` shows.
pub fn model(m: &Value, include_hidden: bool, detailed: bool) -> Value {
    let mut out = picked(
        m,
        &[
            ("name", "name"),
            ("label", "label"),
            ("project_name", "project_name"),
        ],
    );
    if detailed {
        out.extend(picked(
            m,
            &[("allowed_db_connection_names", "allowed_connections")],
        ));
    }
    let explores: Vec<Value> = items(&m["explores"])
        .filter(|e| include_hidden || !is_hidden(e))
        .map(explore_summary)
        .collect();
    out.insert("explores".to_owned(), explores.into());
    out.into()
}

/// A compact explore entry from a model's explore list.
fn explore_summary(e: &Value) -> Value {
    let mut out = picked(
        e,
        &[
            ("name", "name"),
            ("label", "label"),
            ("group_label", "group_label"),
            ("description", "description"),
        ],
    );
    if is_hidden(e) {
        out.insert("hidden".to_owned(), true.into());
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

    fn thelook() -> Value {
        json!({
            "name": "thelook",
            "label": "The Look",
            "project_name": "ecommerce",
            "allowed_db_connection_names": ["warehouse"],
            "has_content": true,
            "can": {"index": true},
            "explores": [
                {"name": "orders", "label": "Orders", "description": "One row per order", "hidden": false, "group_label": "Shop"},
                {"name": "debug", "label": "Debug", "description": null, "hidden": true, "group_label": "Shop"}
            ]
        })
    }

    #[test]
    fn hides_hidden_explores_unless_asked() {
        let shown = model(&thelook(), false, false);
        assert_eq!(
            shown,
            json!({
                "name": "thelook", "label": "The Look", "project_name": "ecommerce",
                "explores": [{"name": "orders", "label": "Orders", "group_label": "Shop", "description": "One row per order"}]
            })
        );
        let all = model(&thelook(), true, true);
        assert_eq!(
            all["explores"][1],
            json!({"name": "debug", "label": "Debug", "group_label": "Shop", "hidden": true})
        );
        assert_eq!(all["allowed_connections"], json!(["warehouse"]));
    }

    #[test]
    fn list_models_asks_for_few_fields() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!([thelook()]))));
        let out = list_models(
            ListModels {
                include_hidden: false,
            },
            &Context::default(),
        )
        .unwrap();
        assert_eq!(out["models"][0]["explores"].as_array().unwrap().len(), 1);
        let req = &seen.requests()[0];
        assert_eq!(req.path().as_str(), "/lookml_models");
        assert_eq!(
            req.query_value("fields"),
            Some("name,label,project_name,explores")
        );
        assert_eq!(req.query_value("exclude_hidden"), Some("true"));

        let seen = mock_looker(|_| Ok(Response::json_ok(&json!([thelook()]))));
        let out = list_models(
            ListModels {
                include_hidden: true,
            },
            &Context::default(),
        )
        .unwrap();
        assert_eq!(out["models"][0]["explores"].as_array().unwrap().len(), 2);
        assert_eq!(seen.requests()[0].query_value("exclude_hidden"), None);
    }

    #[test]
    fn get_model_encodes_the_name_and_maps_404() {
        let seen = mock_looker(|_| {
            Ok(Response {
                status: 404,
                content_type: Some("application/json".into()),
                body: br#"{"message":"Not found","documentation_url":"https://docs"}"#.to_vec(),
            })
        });
        let args = GetModel {
            model_name: "a/b c".into(),
            include_hidden: false,
        };
        let err = get_model(args, &Context::default()).unwrap_err();
        assert_eq!(err.looker_status(), Some(404));
        assert_eq!(
            seen.requests()[0].path().as_str(),
            "/lookml_models/a%2Fb%20c"
        );
    }
}
