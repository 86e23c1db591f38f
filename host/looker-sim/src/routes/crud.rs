//! Generic handlers for plain CRUD resources kept in a [`Collection`]. A resource describes
//! itself with [`Resource`]; its routes are then one line each:
//!
//! ```text
//! Route::new("GET", "/groups/{group_id}", crud::get::<Groups>),
//! ```

use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::{csv_param, found, list_response};
use crate::http::{Req, Resp};
use crate::listing;
use crate::state::{Collection, World};

/// A resource served by the generic CRUD handlers.
pub(crate) trait Resource {
    /// The path parameter holding the id, e.g. `group_id`.
    const ID_PARAM: &'static str;
    /// `/search` parameters and the object keys they compare.
    const SEARCHABLE: &'static [(&'static str, &'static str)] = &[];
    /// Body keys required on create (422 when missing).
    const REQUIRED: &'static [&'static str] = &[];
    /// A key whose value must be unique (409 on create when taken).
    const UNIQUE: Option<&'static str> = None;
    /// Keys clients cannot write, besides `id` and `can`.
    const READ_ONLY: &'static [&'static str] = &[];

    fn collection(world: &mut World) -> &mut Collection;

    /// The object a create starts from, before the body is applied.
    fn defaults() -> Map<String, Value> {
        Map::new()
    }
}

/// `GET /things` with `ids`, `sorts` and paging.
pub(crate) fn list<R: Resource>(world: &mut World, req: &Req) -> Resp {
    let mut items = R::collection(world).list().to_vec();
    if let Some(ids) = csv_param(req, "ids") {
        items.retain(|v| {
            v["id"]
                .as_str()
                .is_some_and(|id| ids.iter().any(|i| i == id))
        });
    }
    list_response(items, req)
}

/// `GET /things/search`.
pub(crate) fn search<R: Resource>(world: &mut World, req: &Req) -> Resp {
    let items = R::collection(world).list().to_vec();
    list_response(listing::search(items, req, R::SEARCHABLE), req)
}

/// `GET /things/{id}`.
pub(crate) fn get<R: Resource>(world: &mut World, req: &Req) -> Resp {
    found(R::collection(world).get(req.param(R::ID_PARAM)).cloned())
}

/// `POST /things`.
pub(crate) fn create<R: Resource>(world: &mut World, req: &Req) -> Resp {
    let body = writable::<R>(&req.body_object());
    let missing: Vec<(&str, &str, String)> = R::REQUIRED
        .iter()
        .filter(|k| body.get(**k).is_none_or(Value::is_null))
        .map(|k| (*k, "missing", format!("{k} is required")))
        .collect();
    if !missing.is_empty() {
        return Resp::validation("Validation Failed", &missing);
    }
    let collection = R::collection(world);
    if let Some(key) = R::UNIQUE
        && let Some(value) = body.get(key)
        && collection.list().iter().any(|v| v.get(key) == Some(value))
    {
        return Resp::error(
            StatusCode::CONFLICT,
            format!("{key} {value} is already taken"),
        );
    }
    let mut obj = R::defaults();
    obj.extend(body);
    Resp::json(collection.insert(obj))
}

/// `PATCH /things/{id}`.
pub(crate) fn update<R: Resource>(world: &mut World, req: &Req) -> Resp {
    let changes = writable::<R>(&req.body_object());
    found(R::collection(world).patch(req.param(R::ID_PARAM), &changes))
}

/// `DELETE /things/{id}`.
pub(crate) fn delete<R: Resource>(world: &mut World, req: &Req) -> Resp {
    match R::collection(world).remove(req.param(R::ID_PARAM)) {
        Some(_) => Resp::no_content(),
        None => Resp::not_found(),
    }
}

fn writable<R: Resource>(body: &Map<String, Value>) -> Map<String, Value> {
    body.iter()
        .filter(|(k, _)| {
            k.as_str() != "id" && k.as_str() != "can" && !R::READ_ONLY.contains(&k.as_str())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
