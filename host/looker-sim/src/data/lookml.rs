//! Seed LookML: models `ecommerce` (explores `orders`, `users`) and `marketing` (`campaigns`).

use serde_json::{Value, json};

/// A field of a seed view.
struct F {
    name: &'static str,
    measure: bool,
    ty: &'static str,
    label_short: &'static str,
    description: &'static str,
    sql: &'static str,
    hidden: bool,
}

const fn dim(
    name: &'static str,
    ty: &'static str,
    label_short: &'static str,
    sql: &'static str,
) -> F {
    F {
        name,
        measure: false,
        ty,
        label_short,
        description: "",
        sql,
        hidden: false,
    }
}

const fn measure(
    name: &'static str,
    ty: &'static str,
    label_short: &'static str,
    sql: &'static str,
) -> F {
    F {
        name,
        measure: true,
        ty,
        label_short,
        description: "",
        sql,
        hidden: false,
    }
}

const fn described(mut f: F, description: &'static str) -> F {
    f.description = description;
    f
}

const fn hidden(mut f: F) -> F {
    f.hidden = true;
    f
}

const ORDERS_FIELDS: &[F] = &[
    described(
        dim("orders.id", "number", "ID", "${TABLE}.id"),
        "Unique order id",
    ),
    described(
        dim(
            "orders.created_date",
            "date_date",
            "Created Date",
            "${TABLE}.created_at",
        ),
        "Day the order was placed",
    ),
    described(
        dim("orders.status", "string", "Status", "${TABLE}.status"),
        "complete, pending, cancelled or returned",
    ),
    described(
        dim("orders.region", "string", "Region", "${TABLE}.region"),
        "Sales region of the order",
    ),
    hidden(dim("users.email", "string", "Email", "${TABLE}.email")),
    described(
        measure("orders.count", "count", "Count", ""),
        "Number of orders",
    ),
    described(
        measure(
            "orders.total_revenue",
            "sum",
            "Total Revenue",
            "${TABLE}.sale_price",
        ),
        "Sum of sale prices",
    ),
];

const USERS_FIELDS: &[F] = &[
    described(
        dim("users.id", "number", "ID", "${TABLE}.id"),
        "Unique user id",
    ),
    dim("users.email", "string", "Email", "${TABLE}.email"),
    dim(
        "users.first_name",
        "string",
        "First Name",
        "${TABLE}.first_name",
    ),
    dim("users.country", "string", "Country", "${TABLE}.country"),
    dim(
        "users.created_date",
        "date_date",
        "Created Date",
        "${TABLE}.created_at",
    ),
    described(
        measure("users.count", "count", "Count", ""),
        "Number of users",
    ),
];

const CAMPAIGNS_FIELDS: &[F] = &[
    dim("campaigns.id", "number", "ID", "${TABLE}.id"),
    dim("campaigns.name", "string", "Name", "${TABLE}.name"),
    dim("campaigns.channel", "string", "Channel", "${TABLE}.channel"),
    dim(
        "campaigns.start_date",
        "date_date",
        "Start Date",
        "${TABLE}.start_date",
    ),
    measure("campaigns.count", "count", "Count", ""),
    described(
        measure(
            "campaigns.total_spend",
            "sum",
            "Total Spend",
            "${TABLE}.spend",
        ),
        "Sum of spend in USD",
    ),
];

/// `(model, project, connection, dialect, label, explores)`.
type ModelDef = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [ExploreDef],
);

/// `(name, label, description, sql_table_name, joins, fields)`.
type ExploreDef = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [F],
);

const MODELS: &[ModelDef] = &[
    (
        "ecommerce",
        "ecommerce",
        "thelook",
        "mysql",
        "Ecommerce",
        &[
            (
                "orders",
                "Orders",
                "Orders placed on the web store",
                "ecommerce.orders",
                &["users"],
                ORDERS_FIELDS,
            ),
            (
                "users",
                "Users",
                "Registered customers",
                "ecommerce.users",
                &[],
                USERS_FIELDS,
            ),
        ],
    ),
    (
        "marketing",
        "marketing",
        "bigquery_marketing",
        "bigquery_standard_sql",
        "Marketing",
        &[(
            "campaigns",
            "Campaigns",
            "Paid marketing campaigns",
            "marketing.campaigns",
            &[],
            CAMPAIGNS_FIELDS,
        )],
    ),
];

/// `LookmlModel` objects.
pub(crate) fn models() -> Vec<Value> {
    MODELS
        .iter()
        .map(|(name, project, connection, _, label, explores)| {
            let nav: Vec<Value> = explores
                .iter()
                .map(|(e, elabel, desc, ..)| {
                    json!({ "name": e, "label": elabel, "description": desc, "hidden": false, "group_label": label })
                })
                .collect();
            json!({
                "name": name,
                "label": label,
                "project_name": project,
                "allowed_db_connection_names": [connection],
                "unlimited_db_connections": false,
                "has_content": true,
                "explores": nav,
                "can": { "index": true, "show": true, "create": true, "update": true, "destroy": true },
            })
        })
        .collect()
}

/// `LookmlModelExplore` objects keyed by `(model, explore)`.
pub(crate) fn explores() -> Vec<((String, String), Value)> {
    let mut out = Vec::new();
    for (model, project, connection, dialect, model_label, explores) in MODELS {
        for (name, label, description, table, joins, fields) in *explores {
            let field_json = |measure: bool| -> Vec<Value> {
                fields
                    .iter()
                    .filter(|f| f.measure == measure)
                    .map(|f| field(f, project))
                    .collect()
            };
            let joins: Vec<Value> = joins
                .iter()
                .map(|j| {
                    json!({
                        "name": j, "from": null, "type": "left_outer", "relationship": "many_to_one",
                        "sql_on": format!("${{{name}.user_id}} = ${{{j}.id}}"), "sql_table_name": null,
                        "view_label": null, "fields": [], "foreign_key": null, "sql_foreign_key": null,
                        "outer_only": false, "required_joins": [], "dependent_fields": [],
                    })
                })
                .collect();
            let mut scopes = vec![Value::from(*name)];
            scopes.extend(joins.iter().filter_map(|j| j.get("name").cloned()));
            let parameters = if *name == "orders" {
                vec![attribution_parameter(project)]
            } else {
                vec![]
            };
            let explore = json!({
                "id": format!("{model}::{name}"),
                "name": name,
                "label": label,
                "title": label,
                "description": description,
                "model_name": model,
                "view_name": name,
                "project_name": project,
                "connection_name": connection,
                "dialect_name": dialect,
                "sql_table_name": table,
                "source_file": format!("{model}.model.lkml"),
                "lookml_link": format!("/projects/{project}/files/{model}.model.lkml?line=1"),
                "hidden": false,
                "group_label": model_label,
                "can_total": true, "can_develop": true, "can_see_lookml": true, "can_save": true,
                "can_explain": true, "can_pivot_in_db": true, "can_subtotal": true,
                "has_timezone_support": true, "supports_cost_estimate": false,
                "null_sort_treatment": "low",
                "self_service_explore_data": null,
                "files": [], "scopes": scopes, "access_filter_fields": [], "access_filters": [],
                "aliases": [], "always_filter": [], "conditionally_filter": [], "index_fields": [],
                "sets": [], "tags": [], "errors": [], "always_join": [],
                "supported_measure_types": [],
                "joins": joins,
                "fields": {
                    "dimensions": field_json(false),
                    "measures": field_json(true),
                    "filters": [],
                    "parameters": parameters,
                },
            });
            out.push(((model.to_string(), name.to_string()), explore));
        }
    }
    out
}

fn field(f: &F, project: &str) -> Value {
    let (view, _) = f.name.split_once('.').unwrap_or((f.name, ""));
    let view_label = title_case(view);
    let is_numeric = matches!(f.ty, "number" | "count" | "sum" | "average");
    let is_date = f.ty.starts_with("date");
    json!({
        "name": f.name,
        "label": format!("{view_label} {}", f.label_short),
        "label_short": f.label_short,
        "description": if f.description.is_empty() { Value::Null } else { f.description.into() },
        "type": f.ty,
        "sql": f.sql,
        "hidden": f.hidden,
        "view": view,
        "view_label": view_label,
        "original_view": view,
        "scope": view,
        "measure": f.measure,
        "category": if f.measure { "measure" } else { "dimension" },
        "is_numeric": is_numeric,
        "is_filter": false,
        "is_fiscal": false,
        "is_timeframe": is_date,
        "can_time_filter": is_date,
        "dimension_group": if is_date { Value::from(f.name.trim_end_matches("_date")) } else { Value::Null },
        "primary_key": f.name.ends_with(".id"),
        "sortable": true,
        "can_filter": true,
        "parameter": false,
        "suggestable": f.ty == "string",
        "suggest_dimension": f.name,
        "suggest_explore": view,
        "suggestions": null,
        "enumerations": null,
        "has_allowed_values": false,
        "align": if is_numeric { "right" } else { "left" },
        "value_format": null,
        "value_format_name": if f.ty == "sum" { Value::from("usd") } else { Value::Null },
        "default_filter_value": null,
        "drill_fields": [],
        "links": [],
        "tags": [],
        "synonyms": [],
        "field_group_label": null,
        "field_group_variant": f.label_short,
        "project_name": project,
        "source_file": format!("views/{view}.view.lkml"),
        "source_file_path": format!("{project}/views/{view}.view.lkml"),
        "lookml_link": format!("/projects/{project}/files/views%2F{view}.view.lkml"),
        "user_attribute_filter_types": [if is_numeric { "number" } else { "string" }],
        "requires_refresh_on_sort": false,
        "strict_value_format": false,
        "dynamic": false,
        "permanent": null,
        "week_start_day": "monday",
        "fiscal_month_offset": 0,
        "times_used": 0,
        "error": null,
    })
}

fn attribution_parameter(project: &str) -> Value {
    json!({
        "name": "orders.attribution_model",
        "label": "Orders Attribution Model",
        "label_short": "Attribution Model",
        "description": "Which touch gets the credit",
        "type": "unquoted",
        "hidden": false,
        "view": "orders",
        "view_label": "Orders",
        "measure": false,
        "parameter": true,
        "category": "parameter",
        "is_filter": true,
        "can_filter": true,
        "default_filter_value": "first_touch",
        "has_allowed_values": true,
        "enumerations": [
            { "label": "First Touch", "value": "first_touch" },
            { "label": "Last Touch", "value": "last_touch" },
        ],
        "project_name": project,
        "source_file": "views/orders.view.lkml",
    })
}

fn title_case(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
