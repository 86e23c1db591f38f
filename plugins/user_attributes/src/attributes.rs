//! User attribute definitions: `GET|POST /user_attributes`, `GET|PATCH|DELETE
//! /user_attributes/{id}`.

use looker_mcp_plugin_sdk::args::non_blank;
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, Ty};
use looker_mcp_plugin_sdk::shape::redact;
use looker_mcp_plugin_sdk::{Context, NoArgs, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "list_user_attributes",
            "List user attributes",
            "Lists every user attribute: id, name (as used in LookML \
            `_user_attributes['name']`), label, type, default value, and whether values \
            are hidden or viewable/editable by users. System attributes such as `email` \
            are included. Returns `{count, user_attributes}`.",
        )
        .schema(schema::object())
        .handler(list),
        Tool::reader(
            "get_user_attribute",
            "Get a user attribute",
            "Returns one user attribute definition: name, label, type, default value, \
            visibility flags, the allowed domains for hidden values, and whether it is a \
            built-in system attribute.",
        )
        .schema(schema::object().required(
            "user_attribute_id",
            Ty::Str,
            "User attribute id, e.g. `2` (from `list_user_attributes`).",
        ))
        .handler(get),
        Tool::creator(
            "create_user_attribute",
            "Create a user attribute",
            "Creates a user attribute, e.g. for row-level security (`access_filter`) or \
            per-user database credentials; then give it values per group \
            (`set_user_attribute_group_values`) or per user \
            (`set_user_attribute_user_value`). Example: {\"name\": \"region\", \"label\": \
            \"Region\", \"type\": \"string\", \"default_value\": \"US\"}.",
        )
        .schema(
            schema::object()
                .required(
                    "name",
                    Ty::Str,
                    "Name used in LookML (`_user_attributes['region']`): lowercase \
                    letters, digits and underscores, e.g. `region`.",
                )
                .required(
                    "label",
                    Ty::Str,
                    "Label shown in the Looker UI, e.g. `Sales Region`.",
                )
                .required(
                    "type",
                    Ty::Str,
                    "Value type: `string`, `number`, `datetime`, `yesno`, `zipcode`, \
                    `relative_url`, `advanced_filter_string`, `advanced_filter_number` or \
                    `advanced_filter_datetime`.",
                )
                .optional(
                    "default_value",
                    Ty::Str,
                    "Value for users with no user or group value.",
                )
                .optional(
                    "value_is_hidden",
                    Ty::Bool,
                    "Hide values from everyone (for secrets such as database passwords); \
                    they can then only be sent to `hidden_value_domain_whitelist`.",
                )
                .optional(
                    "user_can_view",
                    Ty::Bool,
                    "Whether users can see their own value.",
                )
                .optional(
                    "user_can_edit",
                    Ty::Bool,
                    "Whether users can change their own value (needs `user_can_view`).",
                )
                .optional(
                    "hidden_value_domain_whitelist",
                    Ty::Str,
                    "For hidden values: URL patterns the value may be sent to, e.g. \
                    `https://api.example.com/*`.",
                ),
        )
        .handler(create),
        Tool::overwriter(
            "update_user_attribute",
            "Update a user attribute",
            "Changes a user attribute's label, default value or visibility flags. Only the \
            fields given change; the name and type stay. Returns the attribute as it now \
            is and the fields changed.",
        )
        .schema(
            schema::object()
                .required(
                    "user_attribute_id",
                    Ty::Str,
                    "User attribute id (from `list_user_attributes`).",
                )
                .optional("label", Ty::Str, "New UI label.")
                .optional("default_value", Ty::Str, "New default value.")
                .optional(
                    "value_is_hidden",
                    Ty::Bool,
                    "Hide values (Looker does not let a hidden attribute be made visible \
                    again).",
                )
                .optional(
                    "user_can_view",
                    Ty::Bool,
                    "Whether users can see their own value.",
                )
                .optional(
                    "user_can_edit",
                    Ty::Bool,
                    "Whether users can change their own value.",
                )
                .optional(
                    "hidden_value_domain_whitelist",
                    Ty::Str,
                    "For hidden values: URL patterns the value may be sent to.",
                ),
        )
        .handler(update),
        Tool::deleter(
            "delete_user_attribute",
            "Delete a user attribute",
            "Deletes a user attribute with all its group and user values; LookML that \
            references it stops filtering by it. System attributes cannot be deleted. \
            Returns `{deleted: true}`.",
        )
        .schema(schema::object().required(
            "user_attribute_id",
            Ty::Str,
            "User attribute id, e.g. `2` (from `list_user_attributes`).",
        ))
        .handler(delete),
    ]
}

/// The value types Looker accepts for a user attribute.
pub const TYPES: &[&str] = &[
    "string",
    "number",
    "datetime",
    "yesno",
    "zipcode",
    "relative_url",
    "advanced_filter_string",
    "advanced_filter_number",
    "advanced_filter_datetime",
];

/// `GET /user_attributes?sorts=name`.
pub fn list(_: NoArgs, _ctx: &Context) -> Result<Value, ToolError> {
    let list: Value = Request::get("/user_attributes")
        .query("sorts", "name")
        .send()?
        .json()?;
    let items: Vec<Value> = list
        .as_array()
        .into_iter()
        .flatten()
        .cloned()
        .map(redact)
        .collect();
    Ok(json!({ "count": items.len(), "user_attributes": items }))
}

#[derive(Deserialize)]
pub struct AttributeId {
    user_attribute_id: String,
}

/// `GET /user_attributes/{user_attribute_id}`.
pub fn get(a: AttributeId, _ctx: &Context) -> Result<Value, ToolError> {
    let attr: Value = Request::get(path!("/user_attributes/{}", a.user_attribute_id))
        .send()?
        .json()?;
    Ok(redact(attr))
}

/// The optional, writable `UserAttribute` fields create and update share.
#[derive(Deserialize)]
pub struct Settings {
    #[serde(default)]
    default_value: Option<String>,
    #[serde(default)]
    value_is_hidden: Option<bool>,
    #[serde(default)]
    user_can_view: Option<bool>,
    #[serde(default)]
    user_can_edit: Option<bool>,
    #[serde(default)]
    hidden_value_domain_whitelist: Option<String>,
}

impl Settings {
    fn into_body(self, body: &mut Map<String, Value>) {
        let fields = [
            ("default_value", self.default_value.map(Value::from)),
            ("value_is_hidden", self.value_is_hidden.map(Value::from)),
            ("user_can_view", self.user_can_view.map(Value::from)),
            ("user_can_edit", self.user_can_edit.map(Value::from)),
            (
                "hidden_value_domain_whitelist",
                self.hidden_value_domain_whitelist.map(Value::from),
            ),
        ];
        for (key, value) in fields {
            if let Some(v) = value {
                body.insert(key.to_owned(), v);
            }
        }
    }
}

#[derive(Deserialize)]
pub struct Create {
    name: String,
    label: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(flatten)]
    settings: Settings,
}

/// `POST /user_attributes`, after checking the name and type Looker would refuse.
pub fn create(a: Create, _ctx: &Context) -> Result<Value, ToolError> {
    let name = a.name.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(ToolError::invalid_arguments(format!(
            "`name` must be lowercase letters, digits and underscores (e.g. `sales_region`), not {:?}",
            a.name
        )));
    }
    non_blank("label", &a.label)?;
    if !TYPES.contains(&a.kind.as_str()) {
        return Err(ToolError::invalid_arguments(format!(
            "`type` must be one of {}, not {:?}",
            TYPES.join(", "),
            a.kind
        )));
    }
    let mut body = Map::new();
    body.insert("name".into(), json!(name));
    body.insert("label".into(), json!(a.label));
    body.insert("type".into(), json!(a.kind));
    a.settings.into_body(&mut body);
    let attr: Value = Request::post("/user_attributes")
        .body(&Value::Object(body))
        .send()?
        .json()?;
    Ok(redact(attr))
}

#[derive(Deserialize)]
pub struct Update {
    user_attribute_id: String,
    #[serde(default)]
    label: Option<String>,
    #[serde(flatten)]
    settings: Settings,
}

/// `PATCH /user_attributes/{user_attribute_id}` with the fields given.
pub fn update(a: Update, _ctx: &Context) -> Result<Value, ToolError> {
    let mut body = Map::new();
    if let Some(label) = a.label {
        non_blank("label", &label)?;
        body.insert("label".into(), json!(label));
    }
    a.settings.into_body(&mut body);
    if body.is_empty() {
        return Err(ToolError::invalid_arguments(
            "no fields to update: pass at least one of label, default_value, value_is_hidden, \
             user_can_view, user_can_edit, hidden_value_domain_whitelist",
        ));
    }
    let mut changed: Vec<String> = body.keys().cloned().collect();
    changed.sort();
    let attr: Value = Request::patch(path!("/user_attributes/{}", a.user_attribute_id))
        .body(&Value::Object(body))
        .send()?
        .json()?;
    let mut out = redact(attr);
    out["updated"] = json!(true);
    out["fields_changed"] = json!(changed);
    Ok(out)
}

/// `DELETE /user_attributes/{user_attribute_id}`.
pub fn delete(a: AttributeId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/user_attributes/{}", a.user_attribute_id)).send()?;
    Ok(json!({ "deleted": true, "user_attribute_id": a.user_attribute_id }))
}
