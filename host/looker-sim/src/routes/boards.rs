//! Boards, board sections and board items, kept in [`World::collection`]s. A board lists its
//! sections (`section_order`), a section its items (`item_order`); reads compose the nested
//! `board_sections` / `board_items` and the items' display fields from the content they point at.

use serde_json::{Map, Value, json};

use super::{Route, csv_param, list_response, now_timestamp};
use crate::data::{SEED_TIME, obj};
use crate::http::{Req, Resp};
use crate::listing::search;
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/boards", all_boards),
    Route::new("GET", "/boards/search", search_boards),
    Route::new("POST", "/boards", create_board),
    Route::new("GET", "/boards/{board_id}", board),
    Route::new("PATCH", "/boards/{board_id}", update_board),
    Route::new("DELETE", "/boards/{board_id}", delete_board),
    Route::new("GET", "/board_sections", all_sections),
    Route::new("POST", "/board_sections", create_section),
    Route::new("GET", "/board_sections/{board_section_id}", section),
    Route::new(
        "PATCH",
        "/board_sections/{board_section_id}",
        update_section,
    ),
    Route::new(
        "DELETE",
        "/board_sections/{board_section_id}",
        delete_section,
    ),
    Route::new("GET", "/board_items", all_items),
    Route::new("POST", "/board_items", create_item),
    Route::new("GET", "/board_items/{board_item_id}", item),
    Route::new("PATCH", "/board_items/{board_item_id}", update_item),
    Route::new("DELETE", "/board_items/{board_item_id}", delete_item),
];

const BOARD_WRITABLE: &[&str] = &["title", "description", "section_order", "deleted_at"];
const SECTION_WRITABLE: &[&str] = &["title", "description", "item_order", "deleted_at"];
const ITEM_WRITABLE: &[&str] = &[
    "custom_description",
    "custom_title",
    "custom_url",
    "dashboard_id",
    "look_id",
    "lookml_dashboard_id",
    "order",
    "use_custom_description",
    "use_custom_title",
    "use_custom_url",
    "use_custom_image",
];

const SEARCHABLE: &[(&str, &str)] = &[
    ("title", "title"),
    ("created_at", "created_at"),
    ("creator_id", "user_id"),
];

fn boards(world: &mut World) -> &mut Collection {
    world.collection("boards", "id", seed_boards)
}

fn sections(world: &mut World) -> &mut Collection {
    world.collection("board_sections", "id", seed_sections)
}

fn items(world: &mut World) -> &mut Collection {
    world.collection("board_items", "id", seed_items)
}

fn seed_boards() -> Vec<Map<String, Value>> {
    vec![obj(json!({
        "id": "1", "title": "Sales home", "description": "Where the sales team starts the day",
        "user_id": "1", "created_at": SEED_TIME, "updated_at": SEED_TIME, "deleted_at": null,
        "section_order": ["1", "2"], "content_metadata_id": "101", "primary_homepage": false,
    }))]
}

fn seed_sections() -> Vec<Map<String, Value>> {
    vec![
        obj(json!({
            "id": "1", "board_id": "1", "title": "Daily", "description": "Numbers to check every morning",
            "item_order": ["1", "2"], "created_at": SEED_TIME, "updated_at": SEED_TIME, "deleted_at": null,
        })),
        obj(json!({
            "id": "2", "board_id": "1", "title": "Links", "description": null,
            "item_order": ["3"], "created_at": SEED_TIME, "updated_at": SEED_TIME, "deleted_at": null,
        })),
    ]
}

fn seed_items() -> Vec<Map<String, Value>> {
    let item = |id: &str, section: &str, order: u32, extra: Value| {
        let mut base = obj(json!({
            "id": id, "board_section_id": section, "order": order, "dashboard_id": null,
            "look_id": null, "lookml_dashboard_id": null, "custom_title": null,
            "custom_description": null, "custom_url": null, "use_custom_title": false,
            "use_custom_description": false, "use_custom_url": false, "use_custom_image": false,
        }));
        base.extend(obj(extra));
        base
    };
    vec![
        item("1", "1", 0, json!({"dashboard_id": "1"})),
        item(
            "2",
            "1",
            1,
            json!({"look_id": "1", "custom_title": "Order statuses", "use_custom_title": true}),
        ),
        item(
            "3",
            "2",
            0,
            json!({"custom_url": "https://wiki.example.com/sales", "custom_title": "Sales wiki",
                   "use_custom_url": true, "use_custom_title": true}),
        ),
    ]
}

fn can() -> Value {
    json!({ "show": true, "create": true, "update": true, "destroy": true })
}

fn writable(body: &Map<String, Value>, keys: &[&str]) -> Map<String, Value> {
    body.iter()
        .filter(|(k, _)| keys.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn text(value: &Value) -> Option<&str> {
    value.as_str().filter(|s| !s.is_empty())
}

// ── Composition ─────────────────────────────────────────────────────────────────────────────

/// An item with the display fields Looker derives from the content it points at.
fn compose_item(world: &World, stored: &Value) -> Value {
    let mut item = stored.clone();
    let content = if let Some(id) = text(&stored["dashboard_id"]) {
        world
            .dashboards
            .get(id)
            .map(|d| (d.clone(), format!("/dashboards/{id}")))
    } else if let Some(id) = text(&stored["look_id"]) {
        world
            .looks
            .get(id)
            .map(|l| (l.clone(), format!("/looks/{id}")))
    } else {
        None
    };
    let custom = |flag: &str, key: &str| {
        (stored[flag] == true)
            .then(|| stored[key].clone())
            .filter(|v| !v.is_null())
    };
    let (title, description, url, location, created_by, updated_at, views, favorites) =
        match &content {
            Some((c, url)) => {
                let folder = c["folder_id"]
                    .as_str()
                    .and_then(|f| world.folders.get(f))
                    .map_or(Value::Null, |f| f["name"].clone());
                let owner = c["user_id"]
                    .as_str()
                    .and_then(|u| world.user(u))
                    .map_or(Value::Null, |u| u["display_name"].clone());
                (
                    c["title"].clone(),
                    c["description"].clone(),
                    Value::from(url.clone()),
                    folder,
                    owner,
                    c["updated_at"].clone(),
                    c.get("view_count").cloned().unwrap_or(Value::Null),
                    c.get("favorite_count").cloned().unwrap_or(Value::Null),
                )
            }
            None => (
                Value::Null,
                Value::Null,
                stored["custom_url"].clone(),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            ),
        };
    item["title"] = custom("use_custom_title", "custom_title").unwrap_or(title);
    item["description"] =
        custom("use_custom_description", "custom_description").unwrap_or(description);
    item["url"] = custom("use_custom_url", "custom_url").unwrap_or(url);
    item["location"] = location;
    item["content_created_by"] = created_by;
    item["content_updated_at"] = updated_at;
    item["view_count"] = views;
    item["favorite_count"] = favorites;
    item["content_favorite_id"] = Value::Null;
    item["content_metadata_id"] = content
        .as_ref()
        .map_or(Value::Null, |(c, _)| c["content_metadata_id"].clone());
    item["image_url"] = Value::Null;
    item["custom_image_url"] = Value::Null;
    item["can"] = can();
    item
}

fn compose_section(world: &mut World, stored: &Value) -> Value {
    let mut section = stored.clone();
    let order = ids(&stored["item_order"]);
    let list: Vec<Value> = items(world).list().to_vec();
    let mut members: Vec<&Value> = list
        .iter()
        .filter(|i| i["board_section_id"] == stored["id"])
        .collect();
    members.sort_by_key(|i| {
        order
            .iter()
            .position(|id| i["id"] == id.as_str())
            .unwrap_or(usize::MAX)
    });
    let composed: Vec<Value> = members.iter().map(|i| compose_item(world, i)).collect();
    section["board_items"] = Value::Array(composed);
    section["visible_item_order"] = stored["item_order"].clone();
    section["can"] = can();
    section
}

fn compose_board(world: &mut World, stored: &Value) -> Value {
    let mut board = stored.clone();
    let order = ids(&stored["section_order"]);
    let mut members: Vec<Value> = sections(world)
        .list()
        .iter()
        .filter(|s| s["board_id"] == stored["id"])
        .cloned()
        .collect();
    members.sort_by_key(|s| {
        order
            .iter()
            .position(|id| s["id"] == id.as_str())
            .unwrap_or(usize::MAX)
    });
    let composed: Vec<Value> = members.iter().map(|s| compose_section(world, s)).collect();
    board["board_sections"] = Value::Array(composed);
    board["can"] = can();
    board
}

// ── Boards ──────────────────────────────────────────────────────────────────────────────────

fn all_boards(world: &mut World, req: &Req) -> Resp {
    let stored = boards(world).list().to_vec();
    let list = stored.iter().map(|b| compose_board(world, b)).collect();
    list_response(list, req)
}

fn search_boards(world: &mut World, req: &Req) -> Resp {
    let stored = search(boards(world).list().to_vec(), req, SEARCHABLE);
    let list = stored.iter().map(|b| compose_board(world, b)).collect();
    list_response(list, req)
}

fn board(world: &mut World, req: &Req) -> Resp {
    match boards(world).get(req.param("board_id")).cloned() {
        Some(b) => Resp::json(compose_board(world, &b)),
        None => Resp::not_found(),
    }
}

fn create_board(world: &mut World, req: &Req) -> Resp {
    let body = writable(&req.body_object(), BOARD_WRITABLE);
    if body
        .get("title")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Resp::validation(
            "Validation Failed",
            &[("title", "missing", "Title is required".into())],
        );
    }
    let now = now_timestamp();
    let mut board = obj(json!({
        "title": null, "description": null, "user_id": req.caller().user_id.clone(), "created_at": now,
        "updated_at": now, "deleted_at": null, "section_order": [], "primary_homepage": false,
    }));
    board.extend(body);
    let stored = boards(world).insert(board);
    Resp::json(compose_board(world, &stored))
}

fn update_board(world: &mut World, req: &Req) -> Resp {
    let mut changes = writable(&req.body_object(), BOARD_WRITABLE);
    changes.insert("updated_at".into(), now_timestamp().into());
    match boards(world).patch(req.param("board_id"), &changes) {
        Some(b) => Resp::json(compose_board(world, &b)),
        None => Resp::not_found(),
    }
}

fn delete_board(world: &mut World, req: &Req) -> Resp {
    let id = req.param("board_id").to_owned();
    if boards(world).remove(&id).is_none() {
        return Resp::not_found();
    }
    let doomed: Vec<String> = sections(world)
        .list()
        .iter()
        .filter(|s| s["board_id"] == id.as_str())
        .filter_map(|s| s["id"].as_str().map(str::to_owned))
        .collect();
    for section in doomed {
        remove_section(world, &section);
    }
    Resp::no_content()
}

// ── Sections ────────────────────────────────────────────────────────────────────────────────

fn all_sections(world: &mut World, req: &Req) -> Resp {
    let stored = sections(world).list().to_vec();
    let list = stored.iter().map(|s| compose_section(world, s)).collect();
    list_response(list, req)
}

fn section(world: &mut World, req: &Req) -> Resp {
    match sections(world).get(req.param("board_section_id")).cloned() {
        Some(s) => Resp::json(compose_section(world, &s)),
        None => Resp::not_found(),
    }
}

fn create_section(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let Some(board_id) = body
        .get("board_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Resp::validation(
            "Validation Failed",
            &[("board_id", "missing", "board_id is required".into())],
        );
    };
    if boards(world).get(&board_id).is_none() {
        return Resp::validation(
            "Validation Failed",
            &[(
                "board_id",
                "invalid",
                format!("Board {board_id} does not exist"),
            )],
        );
    }
    let now = now_timestamp();
    let mut section = obj(json!({
        "board_id": board_id, "title": null, "description": null, "item_order": [],
        "created_at": now, "updated_at": now, "deleted_at": null,
    }));
    section.extend(writable(&body, SECTION_WRITABLE));
    let stored = sections(world).insert(section);
    let id = stored["id"].clone();
    if let Some(Value::Array(order)) = boards(world)
        .get_mut(&board_id)
        .and_then(|b| b.get_mut("section_order"))
    {
        order.push(id);
    }
    Resp::json(compose_section(world, &stored))
}

fn update_section(world: &mut World, req: &Req) -> Resp {
    let mut changes = writable(&req.body_object(), SECTION_WRITABLE);
    changes.insert("updated_at".into(), now_timestamp().into());
    match sections(world).patch(req.param("board_section_id"), &changes) {
        Some(s) => Resp::json(compose_section(world, &s)),
        None => Resp::not_found(),
    }
}

fn remove_section(world: &mut World, id: &str) -> Option<Value> {
    let removed = sections(world).remove(id)?;
    if let Some(Value::Array(order)) = removed["board_id"]
        .as_str()
        .map(str::to_owned)
        .and_then(|b| boards(world).get_mut(&b))
        .and_then(|b| b.get_mut("section_order"))
    {
        order.retain(|s| s != id);
    }
    let doomed: Vec<String> = items(world)
        .list()
        .iter()
        .filter(|i| i["board_section_id"] == id)
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect();
    for item in doomed {
        items(world).remove(&item);
    }
    Some(removed)
}

fn delete_section(world: &mut World, req: &Req) -> Resp {
    match remove_section(world, req.param("board_section_id")) {
        Some(_) => Resp::no_content(),
        None => Resp::not_found(),
    }
}

// ── Items ───────────────────────────────────────────────────────────────────────────────────

fn all_items(world: &mut World, req: &Req) -> Resp {
    let mut stored = items(world).list().to_vec();
    if let Some(section) = req.query("board_section_id") {
        stored.retain(|i| i["board_section_id"] == section);
    }
    if let Some(wanted) = csv_param(req, "ids") {
        stored.retain(|i| wanted.iter().any(|w| i["id"] == w.as_str()));
    }
    let list = stored.iter().map(|i| compose_item(world, i)).collect();
    list_response(list, req)
}

fn item(world: &mut World, req: &Req) -> Resp {
    match items(world).get(req.param("board_item_id")).cloned() {
        Some(i) => Resp::json(compose_item(world, &i)),
        None => Resp::not_found(),
    }
}

/// Problems with the content an item body points at, as 422 errors.
fn check_target(
    world: &World,
    body: &Map<String, Value>,
) -> Vec<(&'static str, &'static str, String)> {
    let mut errors = Vec::new();
    if let Some(id) = body.get("dashboard_id").and_then(text)
        && world
            .dashboards
            .get(id)
            .is_none_or(|d| d["deleted"] == true)
    {
        errors.push((
            "dashboard_id",
            "invalid",
            format!("Dashboard {id} does not exist"),
        ));
    }
    if let Some(id) = body.get("look_id").and_then(text)
        && world.looks.get(id).is_none_or(|l| l["deleted"] == true)
    {
        errors.push(("look_id", "invalid", format!("Look {id} does not exist")));
    }
    for key in ["dashboard_id", "look_id", "board_section_id"] {
        if body
            .get(key)
            .is_some_and(|v| !v.is_string() && !v.is_null())
        {
            errors.push((key, "invalid", format!("{key} must be a string")));
        }
    }
    errors
}

fn move_in_order(world: &mut World, section: &str, item: &Value, add: bool) {
    if let Some(Value::Array(order)) = sections(world)
        .get_mut(section)
        .and_then(|s| s.get_mut("item_order"))
    {
        order.retain(|i| i != item);
        if add {
            order.push(item.clone());
        }
    }
}

fn create_item(world: &mut World, req: &Req) -> Resp {
    let body = req.body_object();
    let Some(section) = body
        .get("board_section_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Resp::validation(
            "Validation Failed",
            &[(
                "board_section_id",
                "missing",
                "board_section_id is required".into(),
            )],
        );
    };
    if sections(world).get(&section).is_none() {
        return Resp::validation(
            "Validation Failed",
            &[(
                "board_section_id",
                "invalid",
                format!("Board section {section} does not exist"),
            )],
        );
    }
    let mut errors = check_target(world, &body);
    let targets = [
        "dashboard_id",
        "look_id",
        "lookml_dashboard_id",
        "custom_url",
    ]
    .iter()
    .filter(|k| body.get(**k).and_then(text).is_some())
    .count();
    if targets == 0 {
        errors.push((
            "base",
            "missing",
            "An item needs a dashboard, a look, a LookML dashboard or a custom URL".into(),
        ));
    }
    if !errors.is_empty() {
        return Resp::validation("Validation Failed", &errors);
    }
    let position = sections(world)
        .get(&section)
        .map_or(0, |s| ids(&s["item_order"]).len());
    let mut item = obj(json!({
        "board_section_id": section, "order": position, "dashboard_id": null, "look_id": null,
        "lookml_dashboard_id": null, "custom_title": null, "custom_description": null,
        "custom_url": null, "use_custom_title": false, "use_custom_description": false,
        "use_custom_url": false, "use_custom_image": false,
    }));
    item.extend(writable(&body, ITEM_WRITABLE));
    let stored = items(world).insert(item);
    move_in_order(world, &section, &stored["id"], true);
    Resp::json(compose_item(world, &stored))
}

fn update_item(world: &mut World, req: &Req) -> Resp {
    let id = req.param("board_item_id").to_owned();
    let Some(before) = items(world).get(&id).cloned() else {
        return Resp::not_found();
    };
    let body = req.body_object();
    let errors = check_target(world, &body);
    if !errors.is_empty() {
        return Resp::validation("Validation Failed", &errors);
    }
    let mut changes = writable(&body, ITEM_WRITABLE);
    if let Some(target) = body.get("board_section_id").and_then(Value::as_str) {
        if sections(world).get(target).is_none() {
            return Resp::validation(
                "Validation Failed",
                &[(
                    "board_section_id",
                    "invalid",
                    format!("Board section {target} does not exist"),
                )],
            );
        }
        if before["board_section_id"] != target {
            if let Some(old) = before["board_section_id"].as_str() {
                move_in_order(world, old, &before["id"], false);
            }
            move_in_order(world, target, &before["id"], true);
            changes.insert("board_section_id".into(), target.into());
        }
    }
    match items(world).patch(&id, &changes) {
        Some(i) => Resp::json(compose_item(world, &i)),
        None => Resp::not_found(),
    }
}

fn delete_item(world: &mut World, req: &Req) -> Resp {
    let id = req.param("board_item_id");
    match items(world).remove(id) {
        Some(removed) => {
            if let Some(section) = removed["board_section_id"].as_str() {
                move_in_order(world, section, &removed["id"], false);
            }
            Resp::no_content()
        }
        None => Resp::not_found(),
    }
}
