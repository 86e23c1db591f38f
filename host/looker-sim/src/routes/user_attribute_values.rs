//! User attribute values: per-group values (`UserAttributeGroupValue`, ranked, highest rank wins)
//! and per-user values, and the value each user ends up with (`UserAttributeWithValue`: the
//! user's own value, else the best-ranked value of a group they belong to, else the default).

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::Route;
use crate::data::obj;
use crate::http::{Req, Resp};
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new(
        "GET",
        "/user_attributes/{user_attribute_id}/group_values",
        list_group_values,
    ),
    Route::new(
        "POST",
        "/user_attributes/{user_attribute_id}/group_values",
        set_group_values,
    ),
    Route::new(
        "PATCH",
        "/groups/{group_id}/attribute_values/{user_attribute_id}",
        update_group_value,
    ),
    Route::new(
        "DELETE",
        "/groups/{group_id}/attribute_values/{user_attribute_id}",
        delete_group_value,
    ),
    Route::new("GET", "/users/{user_id}/attribute_values", list_user_values),
    Route::new(
        "PATCH",
        "/users/{user_id}/attribute_values/{user_attribute_id}",
        set_user_value,
    ),
    Route::new(
        "DELETE",
        "/users/{user_id}/attribute_values/{user_attribute_id}",
        delete_user_value,
    ),
];

const GROUP_VALUES: &str = "user_attribute_group_values";
const USER_VALUES: &str = "user_attribute_user_values";

/// Seed: the `region` attribute (id 2) is `EMEA` for the Analysts group (id 2).
fn seed_group_values() -> Vec<Map<String, Value>> {
    vec![obj(json!({
        "id": "1", "group_id": "2", "user_attribute_id": "2", "value_is_hidden": false,
        "rank": 1, "value": "EMEA", "can": {},
    }))]
}

/// Seed: alice (user 2) has `region` = `US-West` of her own.
fn seed_user_values() -> Vec<Map<String, Value>> {
    vec![obj(
        json!({ "key": "2:2", "user_id": "2", "user_attribute_id": "2", "value": "US-West" }),
    )]
}

fn group_values(world: &mut World) -> &mut Collection {
    world.collection(GROUP_VALUES, "id", seed_group_values)
}

fn user_values(world: &mut World) -> &mut Collection {
    world.collection(USER_VALUES, "key", seed_user_values)
}

fn attribute(world: &World, id: &str) -> Option<Value> {
    world.user_attributes.get(id).cloned()
}

/// A value as Looker shows it: hidden values never come back.
fn shown(attr: &Value, value: &Value) -> Value {
    if attr["value_is_hidden"] == true {
        Value::Null
    } else {
        value.clone()
    }
}

/// Looker refuses values for system attributes (`email`, `name`, ...), which it fills itself.
fn refuse_system(attr: &Value) -> Option<Resp> {
    (attr["is_system"] == true).then(|| {
        Resp::validation(
            "Validation Failed",
            &[(
                "value",
                "invalid",
                format!(
                    "{} is a system user attribute; its values are set by Looker",
                    attr["name"].as_str().unwrap_or_default()
                ),
            )],
        )
    })
}

fn list_group_values(world: &mut World, req: &Req) -> Resp {
    let id = req.param("user_attribute_id");
    let Some(attr) = attribute(world, id) else {
        return Resp::not_found();
    };
    let mut items: Vec<Value> = group_values(world)
        .list()
        .iter()
        .filter(|v| v["user_attribute_id"] == id)
        .map(|v| {
            let mut v = v.clone();
            v["value"] = shown(&attr, &v["value"]);
            v
        })
        .collect();
    items.sort_by_key(|v| v["rank"].as_i64().unwrap_or(0));
    Resp::json(Value::Array(items))
}

/// `POST /user_attributes/{id}/group_values`: the array replaces every group value of the
/// attribute; position sets the rank (first = 1, highest priority).
fn set_group_values(world: &mut World, req: &Req) -> Resp {
    let id = req.param("user_attribute_id").to_string();
    let Some(attr) = attribute(world, &id) else {
        return Resp::not_found();
    };
    if let Some(resp) = refuse_system(&attr) {
        return resp;
    }
    let Some(Value::Array(items)) = &req.body else {
        return Resp::bad_request("the body must be an array of UserAttributeGroupValue");
    };
    let mut wanted = Vec::new();
    for item in items {
        let group_id = match &item["group_id"] {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => {
                return Resp::validation(
                    "Validation Failed",
                    &[("group_id", "missing", "group_id is required".into())],
                );
            }
        };
        if world.groups.get(&group_id).is_none() {
            return Resp::validation(
                "Validation Failed",
                &[(
                    "group_id",
                    "invalid",
                    format!("Group {group_id} does not exist"),
                )],
            );
        }
        let Some(value) = item["value"].as_str() else {
            return Resp::validation(
                "Validation Failed",
                &[("value", "missing", "value is required".into())],
            );
        };
        wanted.push((group_id, value.to_string()));
    }
    let hidden = attr["value_is_hidden"] == true;
    let store = group_values(world);
    let old: Vec<String> = store
        .list()
        .iter()
        .filter(|v| v["user_attribute_id"] == id.as_str())
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect();
    for old_id in old {
        store.remove(&old_id);
    }
    let mut out = Vec::new();
    for (rank, (group_id, value)) in wanted.into_iter().enumerate() {
        let stored = store.insert(obj(json!({
            "group_id": group_id, "user_attribute_id": id, "value_is_hidden": hidden,
            "rank": rank + 1, "value": value, "can": {},
        })));
        out.push(stored);
    }
    for v in &mut out {
        v["value"] = shown(&attr, &v["value"]);
    }
    Resp::json(Value::Array(out))
}

/// `PATCH /groups/{group_id}/attribute_values/{user_attribute_id}`: sets one group's value.
fn update_group_value(world: &mut World, req: &Req) -> Resp {
    let (group_id, id) = (
        req.param("group_id").to_string(),
        req.param("user_attribute_id").to_string(),
    );
    let Some(attr) = attribute(world, &id) else {
        return Resp::not_found();
    };
    if world.groups.get(&group_id).is_none() {
        return Resp::not_found();
    }
    if let Some(resp) = refuse_system(&attr) {
        return resp;
    }
    let Some(value) = req
        .body_object()
        .get("value")
        .and_then(Value::as_str)
        .map(String::from)
    else {
        return Resp::validation(
            "Validation Failed",
            &[("value", "missing", "value is required".into())],
        );
    };
    let hidden = attr["value_is_hidden"] == true;
    let store = group_values(world);
    let existing = store
        .list()
        .iter()
        .find(|v| v["user_attribute_id"] == id.as_str() && v["group_id"] == group_id.as_str())
        .cloned();
    let mut stored = match existing {
        Some(mut v) => {
            v["value"] = json!(value);
            let Value::Object(map) = v else {
                return Resp::error(StatusCode::INTERNAL_SERVER_ERROR, "corrupt group value");
            };
            store.insert(map)
        }
        None => {
            let rank = store
                .list()
                .iter()
                .filter(|v| v["user_attribute_id"] == id.as_str())
                .count()
                + 1;
            store.insert(obj(json!({
                "group_id": group_id, "user_attribute_id": id, "value_is_hidden": hidden,
                "rank": rank, "value": value, "can": {},
            })))
        }
    };
    stored["value"] = shown(&attr, &stored["value"]);
    Resp::json(stored)
}

fn delete_group_value(world: &mut World, req: &Req) -> Resp {
    let (group_id, id) = (
        req.param("group_id").to_string(),
        req.param("user_attribute_id").to_string(),
    );
    if attribute(world, &id).is_none() || world.groups.get(&group_id).is_none() {
        return Resp::not_found();
    }
    let store = group_values(world);
    let found: Vec<String> = store
        .list()
        .iter()
        .filter(|v| v["user_attribute_id"] == id.as_str() && v["group_id"] == group_id.as_str())
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect();
    for v in found {
        store.remove(&v);
    }
    Resp::no_content()
}

/// The value `user` ends up with for `attr`, and where it comes from.
fn resolve(world: &mut World, user: &Value, attr: &Value) -> (Value, &'static str) {
    let (user_id, attr_id) = (
        user["id"].as_str().unwrap_or_default().to_string(),
        attr["id"].as_str().unwrap_or_default().to_string(),
    );
    if attr["name"] == "email" {
        return (user["email"].clone(), "system");
    }
    if let Some(v) = user_values(world).get(&format!("{user_id}:{attr_id}")) {
        return (v["value"].clone(), "user");
    }
    let groups: Vec<String> = user["group_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g.as_str().map(str::to_string))
        .collect();
    let best = group_values(world)
        .list()
        .iter()
        .filter(|v| {
            v["user_attribute_id"] == attr_id.as_str()
                && v["group_id"]
                    .as_str()
                    .is_some_and(|g| groups.iter().any(|x| x == g))
        })
        .min_by_key(|v| v["rank"].as_i64().unwrap_or(i64::MAX))
        .map(|v| v["value"].clone());
    if let Some(value) = best {
        return (value, "group");
    }
    if attr["default_value"].is_null() {
        (Value::Null, "default")
    } else {
        (attr["default_value"].clone(), "default")
    }
}

fn with_value(world: &mut World, user: &Value, attr: &Value) -> (Value, bool) {
    let (value, source) = resolve(world, user, attr);
    let set = !value.is_null();
    let rank = match source {
        "user" | "system" => json!(0),
        "group" => json!(1),
        _ => Value::Null,
    };
    (
        json!({
            "name": attr["name"], "label": attr["label"], "rank": rank,
            "value": shown(attr, &value), "user_id": user["id"],
            "user_can_edit": attr["user_can_edit"], "value_is_hidden": attr["value_is_hidden"],
            "user_attribute_id": attr["id"], "source": source,
            "hidden_value_domain_whitelist": attr["hidden_value_domain_whitelist"], "can": {},
        }),
        set,
    )
}

/// `GET /users/{user_id}/attribute_values`: values that are set, or every attribute with
/// `include_unset=true`; `user_attribute_ids` narrows the list.
fn list_user_values(world: &mut World, req: &Req) -> Resp {
    let Some(user) = world.user(req.param("user_id")).cloned() else {
        return Resp::not_found();
    };
    let include_unset = req.query("include_unset") == Some("true");
    let only = super::csv_param(req, "user_attribute_ids");
    let attrs = world.user_attributes.list().to_vec();
    let mut out = Vec::new();
    for attr in attrs {
        if let Some(ids) = &only
            && !ids.iter().any(|i| attr["id"] == i.as_str())
        {
            continue;
        }
        let (v, set) = with_value(world, &user, &attr);
        if set || include_unset {
            out.push(v);
        }
    }
    Resp::json(Value::Array(out))
}

fn set_user_value(world: &mut World, req: &Req) -> Resp {
    let (user_id, id) = (
        req.param("user_id").to_string(),
        req.param("user_attribute_id").to_string(),
    );
    let Some(user) = world.user(&user_id).cloned() else {
        return Resp::not_found();
    };
    let Some(attr) = attribute(world, &id) else {
        return Resp::not_found();
    };
    if let Some(resp) = refuse_system(&attr) {
        return resp;
    }
    let Some(value) = req
        .body_object()
        .get("value")
        .and_then(Value::as_str)
        .map(String::from)
    else {
        return Resp::validation(
            "Validation Failed",
            &[("value", "missing", "value is required".into())],
        );
    };
    user_values(world).insert(obj(json!({
        "key": format!("{user_id}:{id}"), "user_id": user_id, "user_attribute_id": id, "value": value,
    })));
    Resp::json(with_value(world, &user, &attr).0)
}

fn delete_user_value(world: &mut World, req: &Req) -> Resp {
    let (user_id, id) = (
        req.param("user_id").to_string(),
        req.param("user_attribute_id").to_string(),
    );
    if world.user(&user_id).is_none() || attribute(world, &id).is_none() {
        return Resp::not_found();
    }
    user_values(world).remove(&format!("{user_id}:{id}"));
    Resp::no_content()
}
