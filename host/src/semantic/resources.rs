//! MCP resources: `looker://models` (every model and its explores), one resource per model and
//! per explore (`looker://models/{model}/explores/{explore}`: its fields, compact), the
//! templates for both, and the result view's app (`ui://looker/result`). Looker data comes from
//! the explore group's tools (`list_models`, `get_model`, `get_explore`), run for the caller.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use rmcp::ErrorData as McpError;
use rmcp::model::{
    CacheScope, ListResourceTemplatesResult, ListResourcesResult, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate,
};
use serde_json::{Map, Value, json};

use super::{Tools, app_view, trimmed};

/// Every model and its explores.
pub const MODELS_URI: &str = "looker://models";
/// One model.
pub const MODEL_TEMPLATE: &str = "looker://models/{model}";
/// One explore's fields.
pub const EXPLORE_TEMPLATE: &str = "looker://models/{model}/explores/{explore}";
/// The tool the listing and `looker://models` run; without it there are no Looker resources.
const LIST_TOOL: &str = "list_models";
/// Resources per `resources/list` page.
pub const PAGE_SIZE: usize = 100;
/// How long a client may keep a Looker-derived answer (2026-07-28 cache hints): LookML changes
/// on deploys, and a short time bounds how stale a model list can be.
const TTL_MS: u64 = 30_000;
/// Longest field or explore description kept (the full text is one `get_explore` away).
const DESCRIPTION_CHARS: usize = 160;
const JSON: &str = "application/json";
/// Characters escaped in a URI segment: all but `A-Z a-z 0-9 - _ . ~`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A resource this server can read, parsed from its URI.
#[derive(Debug, PartialEq)]
pub enum Uri {
    Models,
    Model(String),
    Explore(String, String),
    ResultView,
}

impl Uri {
    /// Parses `uri`; `None` when it names nothing here.
    pub fn parse(uri: &str) -> Option<Self> {
        if uri == app_view::URI {
            return Some(Self::ResultView);
        }
        let rest = uri.strip_prefix(MODELS_URI)?;
        if !rest.is_empty() && !rest.starts_with('/') {
            return None;
        }
        let segments: Vec<String> = rest
            .split('/')
            .skip(1)
            .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let named = |s: &String| !s.is_empty();
        match segments.as_slice() {
            [] => Some(Self::Models),
            [model] if named(model) => Some(Self::Model(model.clone())),
            [model, explores, explore]
                if explores == "explores" && named(model) && named(explore) =>
            {
                Some(Self::Explore(model.clone(), explore.clone()))
            }
            _ => None,
        }
    }
}

fn model_uri(model: &str) -> String {
    format!("{MODELS_URI}/{}", utf8_percent_encode(model, SEGMENT))
}

fn explore_uri(model: &str, explore: &str) -> String {
    format!(
        "{}/explores/{}",
        model_uri(model),
        utf8_percent_encode(explore, SEGMENT)
    )
}

/// `resources/list`: `looker://models`, each model and each explore (when the caller may list
/// models), and the result view for clients that show MCP Apps; [`PAGE_SIZE`] a page.
pub async fn list(
    tools: &impl Tools,
    cursor: Option<&str>,
    with_view: bool,
) -> Result<ListResourcesResult, McpError> {
    let start = match cursor {
        None => 0,
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| McpError::invalid_params(format!("invalid cursor {c:?}"), None))?,
    };
    let mut all = Vec::new();
    if with_view {
        all.push(app_view::resource());
    }
    if tools.serves(LIST_TOOL) {
        let models = tools.run(LIST_TOOL, json!({})).await.map_err(refused)?;
        all.push(
            Resource::new(MODELS_URI, "models")
                .with_title("LookML models")
                .with_description("Every model you may query and its explores")
                .with_mime_type(JSON),
        );
        all.extend(model_resources(&models));
    }
    if start > all.len() {
        return Err(McpError::invalid_params(
            format!(
                "invalid cursor {start}: the listing has {} resources",
                all.len()
            ),
            None,
        ));
    }
    let end = (start + PAGE_SIZE).min(all.len());
    let mut page = ListResourcesResult::with_all_items(all[start..end].to_vec())
        .with_ttl_ms(TTL_MS)
        .with_cache_scope(CacheScope::Private);
    page.next_cursor = (end < all.len()).then(|| end.to_string());
    Ok(page)
}

/// One resource per model and per explore of a `list_models` result.
fn model_resources(models: &Value) -> Vec<Resource> {
    let mut out = Vec::new();
    for model in items(models, "models") {
        let name = str_of(model, "name");
        let mut resource = Resource::new(model_uri(name), name).with_mime_type(JSON);
        if let Some(label) = model["label"].as_str() {
            resource = resource.with_title(label);
        }
        out.push(
            resource.with_description("A LookML model: its project, connections and explores"),
        );
        for explore in items(model, "explores") {
            let explore_name = str_of(explore, "name");
            let mut resource = Resource::new(
                explore_uri(name, explore_name),
                format!("{name}/{explore_name}"),
            )
            .with_mime_type(JSON);
            if let Some(label) = explore["label"].as_str() {
                resource = resource.with_title(label);
            }
            let description = explore["description"].as_str().unwrap_or("");
            out.push(resource.with_description(if description.is_empty() {
                "An explore's fields".to_owned()
            } else {
                trimmed(description, DESCRIPTION_CHARS)
            }));
        }
    }
    out
}

/// `resources/templates/list`: one model, one explore.
pub fn templates() -> ListResourceTemplatesResult {
    ListResourceTemplatesResult::with_all_items(vec![
        ResourceTemplate::new(MODEL_TEMPLATE, "model")
            .with_title("A LookML model")
            .with_description("A model's project, connections and explores")
            .with_mime_type(JSON),
        ResourceTemplate::new(EXPLORE_TEMPLATE, "explore")
            .with_title("An explore's fields")
            .with_description(
                "Every dimension, measure, filter and parameter of an explore: name, kind, type, \
                 label, short description",
            )
            .with_mime_type(JSON),
    ])
    .with_ttl_ms(TTL_MS)
    .with_cache_scope(CacheScope::Public)
}

/// `resources/read`.
pub async fn read(tools: &impl Tools, uri: &str) -> Result<ReadResourceResult, McpError> {
    let parsed = Uri::parse(uri).ok_or_else(|| {
        McpError::resource_not_found(
            format!(
                "no resource {uri:?}: this server serves {MODELS_URI}, {MODEL_TEMPLATE}, \
                 {EXPLORE_TEMPLATE} and {}",
                app_view::URI
            ),
            None,
        )
    })?;
    let body = match parsed {
        Uri::ResultView => return Ok(app_view::read()),
        Uri::Models => compact_models(&tools.run(LIST_TOOL, json!({})).await.map_err(refused)?),
        Uri::Model(model) => tools
            .run("get_model", json!({"model_name": model}))
            .await
            .map_err(refused)?,
        Uri::Explore(model, explore) => compact_explore(
            &tools
                .run(
                    "get_explore",
                    json!({"model_name": model, "explore_name": explore, "include_descriptions": true}),
                )
                .await
                .map_err(refused)?,
        ),
    };
    let text = serde_json::to_string(&body).unwrap_or_default();
    Ok(
        ReadResourceResult::new(vec![ResourceContents::text(text, uri).with_mime_type(JSON)])
            .with_ttl_ms(TTL_MS)
            .with_cache_scope(CacheScope::Private),
    )
}

/// `{models: [{name, label, explores: [{name, label}]}]}`.
fn compact_models(models: &Value) -> Value {
    let models: Vec<Value> = items(models, "models")
        .map(|m| {
            let explores: Vec<Value> = items(m, "explores")
                .map(|e| keep(e, &["name", "label"]))
                .collect();
            let mut out = keep(m, &["name", "label", "project_name"]);
            out["explores"] = explores.into();
            out
        })
        .collect();
    json!({ "models": models })
}

/// `{model, explore, label, description, fields: [{name, kind, type, label, description}]}`
/// from a `get_explore` result; descriptions cut to [`DESCRIPTION_CHARS`].
fn compact_explore(explore: &Value) -> Value {
    let mut fields = Vec::new();
    for (kind, key) in [
        ("dimension", "dimensions"),
        ("measure", "measures"),
        ("filter", "filters"),
        ("parameter", "parameters"),
    ] {
        for field in items(explore, key) {
            let mut out = keep(field, &["name"]);
            out["kind"] = kind.into();
            out.as_object_mut()
                .expect("keep makes an object")
                .extend(keep_map(field, &["type", "label"]));
            if let Some(d) = field["description"].as_str().filter(|d| !d.is_empty()) {
                out["description"] = trimmed(d, DESCRIPTION_CHARS).into();
            }
            fields.push(out);
        }
    }
    let mut out = json!({
        "model": explore["model"],
        "explore": explore["name"],
    });
    let map = out.as_object_mut().expect("an object");
    map.extend(keep_map(explore, &["label"]));
    if let Some(d) = explore["description"].as_str().filter(|d| !d.is_empty()) {
        map.insert("description".into(), trimmed(d, DESCRIPTION_CHARS).into());
    }
    map.insert("fields".into(), fields.into());
    out
}

/// The members of `value[key]`, an array (none when absent).
pub(crate) fn items<'v>(value: &'v Value, key: &str) -> impl Iterator<Item = &'v Value> {
    value[key].as_array().into_iter().flatten()
}

pub(crate) fn str_of<'v>(value: &'v Value, key: &str) -> &'v str {
    value[key].as_str().unwrap_or("")
}

fn keep_map(value: &Value, keys: &[&str]) -> Map<String, Value> {
    keys.iter()
        .filter_map(|k| {
            value
                .get(*k)
                .filter(|v| !v.is_null())
                .map(|v| ((*k).to_owned(), v.clone()))
        })
        .collect()
}

fn keep(value: &Value, keys: &[&str]) -> Value {
    Value::Object(keep_map(value, keys))
}

/// A failed tool run as a resource error, in the tool's words.
fn refused(why: String) -> McpError {
    McpError::invalid_params(why, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_served_uris_and_nothing_else() {
        assert_eq!(Uri::parse("looker://models"), Some(Uri::Models));
        assert_eq!(
            Uri::parse("looker://models/ecommerce"),
            Some(Uri::Model("ecommerce".into()))
        );
        assert_eq!(
            Uri::parse("looker://models/a%20b/explores/orders"),
            Some(Uri::Explore("a b".into(), "orders".into()))
        );
        assert_eq!(Uri::parse("ui://looker/result"), Some(Uri::ResultView));
        for bad in [
            "looker://models/",
            "looker://models/m/explores",
            "looker://models/m/views/v",
            "looker://modelsx",
            "file:///etc/passwd",
        ] {
            assert_eq!(Uri::parse(bad), None, "{bad}");
        }
        assert_eq!(
            explore_uri("a b", "o/x"),
            "looker://models/a%20b/explores/o%2Fx"
        );
    }

    /// Served tools answering `list_models` with `models` models of two explores each.
    struct Models(usize);

    impl Tools for Models {
        fn serves(&self, name: &str) -> bool {
            name == LIST_TOOL
        }
        async fn run(&self, _name: &str, _arguments: Value) -> Result<Value, String> {
            let models: Vec<Value> = (0..self.0)
                .map(|m| json!({"name": format!("m{m}"), "explores": [{"name": "a"}, {"name": "b"}]}))
                .collect();
            Ok(json!({ "models": models }))
        }
        fn caller_key(&self) -> Result<String, String> {
            Ok("test".into())
        }
    }

    #[tokio::test]
    async fn the_listing_is_paged_by_a_cursor_and_ends() {
        let tools = Models(60); // 1 + 60 models + 120 explores = 181 resources
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = list(&tools, cursor.as_deref(), true).await.unwrap();
            assert!(page.resources.len() <= PAGE_SIZE);
            seen.extend(page.resources.into_iter().map(|r| r.uri));
            cursor = page.next_cursor;
            if cursor.is_none() {
                break;
            }
        }
        assert_eq!(
            seen.len(),
            182,
            "the view, looker://models, 60 models, 120 explores"
        );
        assert_eq!(seen[0], app_view::URI);
        assert_eq!(seen.last().unwrap(), "looker://models/m59/explores/b");
        let unique: std::collections::HashSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "no resource twice");
        assert!(list(&tools, Some("999"), false).await.is_err());
    }

    #[test]
    fn an_explore_is_compacted_with_short_descriptions() {
        let long = "x".repeat(500);
        let explore = json!({
            "model": "m", "name": "orders", "label": "Orders", "connection": "c",
            "dimensions": [{"name": "orders.id", "type": "number", "label": "ID", "description": long, "view": "orders"}],
            "measures": [{"name": "orders.count", "type": "count", "label": "Count"}],
        });
        let out = compact_explore(&explore);
        assert_eq!(
            out["fields"][1],
            json!({"name": "orders.count", "kind": "measure", "type": "count", "label": "Count"})
        );
        assert_eq!(
            out["fields"][0]["description"]
                .as_str()
                .unwrap()
                .chars()
                .count(),
            DESCRIPTION_CHARS + 1
        );
        assert!(out.get("connection").is_none());
    }
}
