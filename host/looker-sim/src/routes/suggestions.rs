//! Field value suggestions (`GET /models/{model}/views/{view}/fields/{field}/suggestions`): the
//! distinct values the field takes in the explore's data, narrowed by `term` (`%term%`,
//! case-insensitive) and `filters` (a JSON object of field → filter expression).

use serde_json::{Value, json};

use super::Route;
use crate::engine;
use crate::http::{Req, Resp};
use crate::listing::display;
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[Route::new(
    "GET",
    "/models/{model_name}/views/{view_name}/fields/{field_name}/suggestions",
    suggestions,
)];

/// Most values Looker suggests.
const MAX_SUGGESTIONS: usize = 1000;

fn suggestions(world: &mut World, req: &Req) -> Resp {
    let (model, view) = (req.param("model_name"), req.param("view_name"));
    let Some(explore) = world.explores.get(&(model.to_string(), view.to_string())) else {
        return Resp::not_found();
    };
    let field = req.param("field_name");
    let known = explore["fields"]["dimensions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["name"].as_str())
        .find(|name| *name == field || name.rsplit('.').next() == Some(field))
        .map(str::to_string);
    let Some(field) = known else {
        return Resp::not_found();
    };
    let filters = match req.query("filters") {
        None => Value::Null,
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Value::Object(map),
            _ => {
                return Resp::bad_request(format!(
                    "filters must be a JSON object of field names to filter expressions: {text}"
                ));
            }
        },
    };
    let query = json!({"model": model, "view": view, "fields": [field], "filters": filters,
                       "sorts": [field], "limit": "-1"});
    let result = match engine::run(world, &query, None) {
        Ok(result) => result,
        Err(resp) => return resp,
    };
    let term = req.query("term").unwrap_or_default().to_lowercase();
    let mut values: Vec<String> = result
        .rows
        .iter()
        .filter_map(|row| row.first())
        .filter(|v| !v.is_null())
        .map(display)
        .filter(|v| v.to_lowercase().contains(&term))
        .collect();
    values.dedup();
    let hit_limit = values.len() > MAX_SUGGESTIONS;
    values.truncate(MAX_SUGGESTIONS);
    Resp::json(json!({
        "suggestions": values, "error": null, "from_cache": false, "hit_limit": hit_limit,
        "used_calcite_materialization": false,
    }))
}
