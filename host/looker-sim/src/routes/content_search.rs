//! `GET /content/{terms}`: Looker's content search over looks and dashboards (`ContentSearch`).

use serde_json::{Value, json};

use super::{Route, csv_param, list_response};
use crate::http::{Req, Resp};
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[Route::new("GET", "/content/{terms}", search_content)];

fn search_content(world: &mut World, req: &Req) -> Resp {
    let terms = req.param("terms").to_lowercase();
    let words: Vec<&str> = terms.split_whitespace().collect();
    let types = csv_param(req, "types");
    let wanted = |t: &str| types.as_ref().is_none_or(|ts| ts.iter().any(|x| x == t));
    let matches = |item: &Value| {
        let text = format!(
            "{} {}",
            item["title"].as_str().unwrap_or_default(),
            item["description"].as_str().unwrap_or_default()
        )
        .to_lowercase();
        words.iter().all(|w| text.contains(w))
    };
    let folder = |item: &Value| {
        let f = item["folder_id"]
            .as_str()
            .and_then(|id| world.folders.get(id));
        let parent = f
            .and_then(|f| f["parent_id"].as_str())
            .and_then(|id| world.folders.get(id))
            .map(|p| p["name"].clone())
            .unwrap_or(Value::Null);
        (f.map(|f| f["name"].clone()).unwrap_or(Value::Null), parent)
    };
    let mut found = Vec::new();
    let sources = [
        ("dashboard", world.dashboards.list()),
        ("look", world.looks.list()),
    ];
    for (kind, items) in sources {
        if !wanted(kind) {
            continue;
        }
        for item in items.iter().filter(|i| i["deleted"] != true && matches(i)) {
            let (folder_name, parent_folder_name) = folder(item);
            found.push(json!({
                "content_id": item["id"], "type": kind, "title": item["title"],
                "description": item["description"], "folder_id": item["folder_id"],
                "folder_name": folder_name, "parent_folder_name": parent_folder_name,
                "view_count": item["view_count"],
                "preferred_viewer": if kind == "dashboard" { item["preferred_viewer"].clone() } else { Value::Null },
                "model": if kind == "look" { item["model"]["id"].clone() } else { Value::Null },
                "created_by_id": item["user_id"].as_str().and_then(|u| u.parse::<i64>().ok()),
                "certification_status": null,
                "can": { "show": true },
            }));
        }
    }
    list_response(found, req)
}
