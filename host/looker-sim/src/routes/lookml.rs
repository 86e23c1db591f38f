//! LookML models and explores.

use super::{Route, found, list_response};
use crate::http::{Req, Resp};
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/lookml_models", all_models),
    Route::new("GET", "/lookml_models/{lookml_model_name}", model),
    Route::new(
        "GET",
        "/lookml_models/{lookml_model_name}/explores/{explore_name}",
        explore,
    ),
];

fn all_models(world: &mut World, req: &Req) -> Resp {
    list_response(world.models.list().to_vec(), req)
}

fn model(world: &mut World, req: &Req) -> Resp {
    found(world.models.get(req.param("lookml_model_name")).cloned())
}

fn explore(world: &mut World, req: &Req) -> Resp {
    let key = (
        req.param("lookml_model_name").to_string(),
        req.param("explore_name").to_string(),
    );
    found(world.explores.get(&key).cloned())
}
