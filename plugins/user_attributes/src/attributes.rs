//! User attribute definitions: `GET|POST /user_attributes`, `GET|PATCH|DELETE
//! /user_attributes/{id}`.

use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::{Context, NoArgs, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

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

/// Removes the `can` permission maps and null values at every depth, so answers stay short.
pub fn tidied(mut v: Value) -> Value {
    fn tidy(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, v| k != "can" && !v.is_null());
                map.values_mut().for_each(tidy);
            }
            Value::Array(items) => items.iter_mut().for_each(tidy),
            _ => {}
        }
    }
    tidy(&mut v);
    v
}

/// Rejects an empty or blank required text argument before anything reaches Looker.
pub fn non_blank(name: &str, value: &str) -> Result<(), ToolError> {
    if value.trim().is_empty() {
        Err(ToolError::invalid_arguments(format!(
            "`{name}` must not be empty"
        )))
    } else {
        Ok(())
    }
}

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
        .map(tidied)
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
    Ok(tidied(attr))
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
    Ok(tidied(attr))
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
    let mut out = tidied(attr);
    out["updated"] = json!(true);
    out["fields_changed"] = json!(changed);
    Ok(out)
}

/// `DELETE /user_attributes/{user_attribute_id}`.
pub fn delete(a: AttributeId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/user_attributes/{}", a.user_attribute_id)).send()?;
    Ok(json!({ "deleted": true, "user_attribute_id": a.user_attribute_id }))
}
