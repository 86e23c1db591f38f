//! `get_explore`, `list_dimensions` and `list_measures`: one explore and its fields.

use looker_mcp_plugin_sdk::args::default;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, ObjectSchema, Ty};
use looker_mcp_plugin_sdk::shape::items;
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::models::{MODEL_NAME, is_hidden, picked};

/// `get_explore`, `list_dimensions` and `list_measures`, declared beside their handlers.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader("get_explore", "Get an explore and its fields", GET_EXPLORE)
            .schema(
                explore_fields()
                    .optional(
                        "fields",
                        Ty::StrList,
                        "Only these fields: `view.field` names, or bare field names matched in \
                         any view. Fields named here are shown even when hidden.",
                    )
                    .optional(
                        "views",
                        Ty::StrList,
                        "Only fields (and joins) of these views.",
                    )
                    .with_default(
                        "include_sql",
                        Ty::Bool,
                        false,
                        "Add each field's SQL and each join's `sql_on`.",
                    )
                    .with_default(
                        "include_descriptions",
                        Ty::Bool,
                        true,
                        "Add the explore's and each field's description.",
                    ),
            )
            .handler(get_explore),
        Tool::reader(
            "list_dimensions",
            "List an explore's dimensions",
            LIST_DIMENSIONS,
        )
        .schema(explore_fields())
        .handler(list_dimensions),
        Tool::reader("list_measures", "List an explore's measures", LIST_MEASURES)
            .schema(explore_fields())
            .handler(list_measures),
    ]
}

/// The arguments every field tool takes: the explore and whether to show hidden fields.
fn explore_fields() -> ObjectSchema {
    schema::object()
        .required("model_name", Ty::Str, MODEL_NAME)
        .required(
            "explore_name",
            Ty::Str,
            "Explore name within the model, e.g. `order_items` (from `list_models` or \
             `get_model`).",
        )
        .with_default(
            "include_hidden",
            Ty::Bool,
            false,
            "Also list fields hidden in the Looker UI.",
        )
}

const GET_EXPLORE: &str = "\
Returns one explore: label, description, base view, connection, required filters \
(`always_filter`, which every query must include), joins, and its fields grouped into \
`dimensions`, `measures`, `filters` and `parameters`. Each field has its full `view.field` \
name (what query tools expect), label, type and description. Narrow large explores with \
`fields` or `views`; set `include_sql` to see the SQL behind fields and joins. Hidden fields \
are left out unless `include_hidden` is true.";

const LIST_DIMENSIONS: &str = "\
Lists an explore's dimensions (what you group and filter by): full `view.field` name, label, \
type (e.g. `string`, `number`, `date_date`), view and description. Smaller than `get_explore` \
when you only need dimensions.";

const LIST_MEASURES: &str = "\
Lists an explore's measures (the aggregates: counts, sums, averages): full `view.field` name, \
label, type (e.g. `count`, `sum`, `average`), view and description. Smaller than `get_explore` \
when you only need measures.";

/// Arguments of `get_explore`.
#[derive(Debug, Deserialize)]
pub struct GetExplore {
    model_name: String,
    explore_name: String,
    #[serde(default)]
    include_hidden: bool,
    #[serde(default)]
    fields: Option<Vec<String>>,
    #[serde(default)]
    views: Option<Vec<String>>,
    #[serde(default)]
    include_sql: bool,
    #[serde(default = "default::yes")]
    include_descriptions: bool,
}

/// Arguments of `list_dimensions` and `list_measures`.
#[derive(Debug, Deserialize)]
pub struct ExploreFields {
    model_name: String,
    explore_name: String,
    #[serde(default)]
    include_hidden: bool,
}

/// Which fields to show and how much of each.
#[derive(Debug, Default)]
pub struct FieldView<'a> {
    /// Show fields Looker marks hidden.
    pub include_hidden: bool,
    /// Only these fields (`view.field`, or a bare `field` name matching in any view).
    pub fields: Option<&'a [String]>,
    /// Only fields of these views.
    pub views: Option<&'a [String]>,
    /// Add each field's SQL.
    pub include_sql: bool,
    /// Add each field's description.
    pub include_descriptions: bool,
}

/// The four kinds of field Looker lists under an explore's `fields`, as (Looker key, our key).
const KINDS: [(&str, &str); 4] = [
    ("dimensions", "dimensions"),
    ("measures", "measures"),
    ("filters", "filters"),
    ("parameters", "parameters"),
];

/// `GET /lookml_models/{m}/explores/{e}` → the explore, its joins and its (filtered) fields.
pub fn get_explore(args: GetExplore, _ctx: &Context) -> Result<Value, ToolError> {
    let found = fetch(
        &args.model_name,
        &args.explore_name,
        &[
            "name",
            "label",
            "description",
            "model_name",
            "view_name",
            "connection_name",
            "hidden",
            "always_filter",
            "joins",
            "fields",
        ],
    )?;
    let view = FieldView {
        include_hidden: args.include_hidden,
        fields: args.fields.as_deref(),
        views: args.views.as_deref(),
        include_sql: args.include_sql,
        include_descriptions: args.include_descriptions,
    };
    Ok(explore(&found, &args.model_name, &view))
}

/// `GET /lookml_models/{m}/explores/{e}` → `{model, explore, dimensions: [..]}`.
pub fn list_dimensions(args: ExploreFields, _ctx: &Context) -> Result<Value, ToolError> {
    list_kind(args, "dimensions")
}

/// `GET /lookml_models/{m}/explores/{e}` → `{model, explore, measures: [..]}`.
pub fn list_measures(args: ExploreFields, _ctx: &Context) -> Result<Value, ToolError> {
    list_kind(args, "measures")
}

fn list_kind(args: ExploreFields, kind: &str) -> Result<Value, ToolError> {
    let found = fetch(&args.model_name, &args.explore_name, &["name", "fields"])?;
    let view = FieldView {
        include_hidden: args.include_hidden,
        include_descriptions: true,
        ..FieldView::default()
    };
    Ok(json!({
        "model": args.model_name,
        "explore": args.explore_name,
        kind: fields_of(&found, kind, &view),
    }))
}

fn fetch(model: &str, explore: &str, fields: &[&str]) -> Result<Value, ToolError> {
    Request::get(path!("/lookml_models/{}/explores/{}", model, explore))
        .fields(fields)
        .send()?
        .json()
}

/// The compact explore `get_explore` returns.
pub fn explore(e: &Value, model: &str, view: &FieldView) -> Value {
    let mut out = Map::new();
    out.insert("model".to_owned(), model.into());
    out.extend(picked(
        e,
        &[
            ("name", "name"),
            ("label", "label"),
            ("view_name", "base_view"),
            ("connection_name", "connection"),
        ],
    ));
    if view.include_descriptions {
        out.extend(picked(e, &[("description", "description")]));
    }
    if is_hidden(e) {
        out.insert("hidden".to_owned(), true.into());
    }
    let always: Vec<Value> = items(&e["always_filter"])
        .map(|f| picked(f, &[("name", "field"), ("value", "value")]).into())
        .collect();
    if !always.is_empty() {
        out.insert("always_filter".to_owned(), always.into());
    }
    let joins: Vec<Value> = items(&e["joins"])
        .filter(|j| in_views(j["name"].as_str().unwrap_or(""), view.views))
        .map(|j| join(j, view.include_sql))
        .collect();
    if !joins.is_empty() {
        out.insert("joins".to_owned(), joins.into());
    }
    for (from, to) in KINDS {
        let list = fields_of(e, from, view);
        // Dimensions and measures are always shown, so "none" is an answer; the other two only when present.
        if !list.is_empty() || matches!(from, "dimensions" | "measures") {
            out.insert(to.to_owned(), list.into());
        }
    }
    out.into()
}

fn join(j: &Value, include_sql: bool) -> Value {
    let mut out = picked(
        j,
        &[
            ("name", "name"),
            ("from", "from"),
            ("type", "type"),
            ("relationship", "relationship"),
            ("view_label", "view_label"),
        ],
    );
    if out.get("from") == out.get("name") {
        out.remove("from");
    }
    if include_sql {
        out.extend(picked(
            j,
            &[("sql_on", "sql_on"), ("foreign_key", "foreign_key")],
        ));
    }
    out.into()
}

/// The fields of one kind (`dimensions`, `measures`, ...) that `view` selects, compacted.
pub fn fields_of(e: &Value, kind: &str, view: &FieldView) -> Vec<Value> {
    let Some(set) = e.get("fields") else {
        return Vec::new();
    };
    items(&set[kind])
        .filter(|f| selected(f, view))
        .map(|f| field(f, view))
        .collect()
}

fn selected(f: &Value, view: &FieldView) -> bool {
    let name = f["name"].as_str().unwrap_or("");
    let listed = view
        .fields
        .map(|wanted| wanted.iter().any(|w| name_matches(w, name)));
    if listed == Some(false) || !in_views(field_view(f), view.views) {
        return false;
    }
    // A field asked for by name is shown even when hidden: the caller knows it exists.
    view.include_hidden || listed == Some(true) || !is_hidden(f)
}

/// `wanted` is `view.field` (exact) or a bare `field` (matching in any view); case-insensitive.
fn name_matches(wanted: &str, name: &str) -> bool {
    let wanted = wanted.trim();
    if wanted.contains('.') {
        wanted.eq_ignore_ascii_case(name)
    } else {
        name.rsplit_once('.')
            .is_some_and(|(_, short)| short.eq_ignore_ascii_case(wanted))
    }
}

fn in_views(view: &str, views: Option<&[String]>) -> bool {
    views.is_none_or(|vs| vs.iter().any(|v| v.trim().eq_ignore_ascii_case(view)))
}

/// The view a field belongs to: Looker's `view`, else the part of its name before the dot.
fn field_view(f: &Value) -> &str {
    f["view"]
        .as_str()
        .or_else(|| {
            f["name"]
                .as_str()
                .and_then(|n| n.split_once('.'))
                .map(|(v, _)| v)
        })
        .unwrap_or("")
}

fn field(f: &Value, view: &FieldView) -> Value {
    let mut out = picked(
        f,
        &[
            ("name", "name"),
            ("label", "label"),
            ("type", "type"),
            ("view", "view"),
            ("dimension_group", "dimension_group"),
        ],
    );
    if view.include_descriptions {
        out.extend(picked(f, &[("description", "description")]));
    }
    if view.include_sql {
        out.extend(picked(f, &[("sql", "sql")]));
    }
    for flag in ["primary_key", "hidden"] {
        if f[flag].as_bool() == Some(true) {
            out.insert(flag.to_owned(), true.into());
        }
    }
    let allowed: Vec<Value> = items(&f["enumerations"])
        .filter_map(|en| en.get("value").cloned())
        .collect();
    if !allowed.is_empty() {
        out.insert("allowed_values".to_owned(), allowed.into());
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;

    fn orders() -> Value {
        json!({
            "name": "orders",
            "label": "Orders",
            "description": "One row per order",
            "model_name": "thelook",
            "view_name": "orders",
            "connection_name": "warehouse",
            "hidden": false,
            "always_filter": [{"name": "orders.created_date", "value": "7 days"}],
            "joins": [
                {"name": "users", "from": "users", "type": "left_outer", "relationship": "many_to_one", "sql_on": "${orders.user_id} = ${users.id}", "view_label": null},
                {"name": "buyers", "from": "users", "type": "left_outer", "relationship": "many_to_one", "sql_on": "${orders.buyer_id} = ${buyers.id}"}
            ],
            "fields": {
                "dimensions": [
                    {"name": "orders.id", "label": "Orders ID", "type": "number", "view": "orders", "description": "", "sql": "${TABLE}.id", "hidden": false, "primary_key": true, "suggestable": true},
                    {"name": "orders.created_date", "label": "Orders Created Date", "type": "date_date", "view": "orders", "dimension_group": "orders.created", "description": "When the order was placed", "sql": "${TABLE}.created_at", "hidden": false},
                    {"name": "orders.secret", "label": "Orders Secret", "type": "string", "view": "orders", "sql": "${TABLE}.secret", "hidden": true},
                    {"name": "users.email", "label": "Users Email", "type": "string", "view": "users", "description": "Login email", "sql": "${TABLE}.email", "hidden": false}
                ],
                "measures": [
                    {"name": "orders.count", "label": "Orders Count", "type": "count", "view": "orders", "description": "Number of orders", "sql": null, "hidden": false}
                ],
                "filters": [],
                "parameters": [
                    {"name": "orders.currency", "label": "Orders Currency", "type": "unquoted", "view": "orders", "hidden": false, "enumerations": [{"label": "Euro", "value": "EUR"}, {"label": "Dollar", "value": "USD"}]}
                ]
            }
        })
    }

    fn names(list: &Value) -> Vec<&str> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn default_view_is_compact() {
        let view = FieldView {
            include_descriptions: true,
            ..FieldView::default()
        };
        let got = explore(&orders(), "thelook", &view);
        assert_eq!(
            got,
            json!({
                "model": "thelook", "name": "orders", "label": "Orders", "base_view": "orders",
                "connection": "warehouse", "description": "One row per order",
                "always_filter": [{"field": "orders.created_date", "value": "7 days"}],
                "joins": [
                    {"name": "users", "type": "left_outer", "relationship": "many_to_one"},
                    {"name": "buyers", "from": "users", "type": "left_outer", "relationship": "many_to_one"}
                ],
                "dimensions": [
                    {"name": "orders.id", "label": "Orders ID", "type": "number", "view": "orders", "primary_key": true},
                    {"name": "orders.created_date", "label": "Orders Created Date", "type": "date_date", "view": "orders", "dimension_group": "orders.created", "description": "When the order was placed"},
                    {"name": "users.email", "label": "Users Email", "type": "string", "view": "users", "description": "Login email"}
                ],
                "measures": [
                    {"name": "orders.count", "label": "Orders Count", "type": "count", "view": "orders", "description": "Number of orders"}
                ],
                "parameters": [
                    {"name": "orders.currency", "label": "Orders Currency", "type": "unquoted", "view": "orders", "allowed_values": ["EUR", "USD"]}
                ]
            })
        );
    }

    #[test]
    fn sql_hidden_and_no_descriptions() {
        let view = FieldView {
            include_hidden: true,
            include_sql: true,
            ..FieldView::default()
        };
        let got = explore(&orders(), "thelook", &view);
        assert_eq!(
            names(&got["dimensions"]),
            [
                "orders.id",
                "orders.created_date",
                "orders.secret",
                "users.email"
            ]
        );
        assert_eq!(got["dimensions"][2]["hidden"], json!(true));
        assert_eq!(got["dimensions"][0]["sql"], json!("${TABLE}.id"));
        assert_eq!(
            got["joins"][0]["sql_on"],
            json!("${orders.user_id} = ${users.id}")
        );
        assert!(got.get("description").is_none());
        assert!(got["dimensions"][1].get("description").is_none());
    }

    #[test]
    fn fields_and_views_filters() {
        let wanted = [
            "orders.count".to_owned(),
            "EMAIL".to_owned(),
            "secret".to_owned(),
        ];
        let view = FieldView {
            fields: Some(&wanted),
            ..FieldView::default()
        };
        let got = explore(&orders(), "thelook", &view);
        // A hidden field asked for by name is shown.
        assert_eq!(names(&got["dimensions"]), ["orders.secret", "users.email"]);
        assert_eq!(names(&got["measures"]), ["orders.count"]);
        assert!(got.get("parameters").is_none());

        let views = ["users".to_owned()];
        let view = FieldView {
            views: Some(&views),
            ..FieldView::default()
        };
        let got = explore(&orders(), "thelook", &view);
        assert_eq!(names(&got["dimensions"]), ["users.email"]);
        assert_eq!(got["measures"], json!([]));
        assert_eq!(names(&got["joins"]), ["users"]);
    }

    #[test]
    fn list_dimensions_and_measures_call_looker_once() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&orders())));
        let args = |hidden| ExploreFields {
            model_name: "thelook".into(),
            explore_name: "orders".into(),
            include_hidden: hidden,
        };
        let dims = list_dimensions(args(false), &Context::default()).unwrap();
        assert_eq!(dims["model"], "thelook");
        assert_eq!(
            names(&dims["dimensions"]),
            ["orders.id", "orders.created_date", "users.email"]
        );
        let dims = list_dimensions(args(true), &Context::default()).unwrap();
        assert_eq!(dims["dimensions"].as_array().unwrap().len(), 4);
        let measures = list_measures(args(false), &Context::default()).unwrap();
        assert_eq!(names(&measures["measures"]), ["orders.count"]);
        assert!(measures.get("dimensions").is_none());

        let reqs = seen.requests();
        assert_eq!(reqs.len(), 3);
        assert_eq!(
            reqs[0].path().as_str(),
            "/lookml_models/thelook/explores/orders"
        );
        assert_eq!(reqs[0].query_value("fields"), Some("name,fields"));
    }
}
