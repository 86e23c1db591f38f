//! Database connections.

use super::{Route, found, list_response};
use crate::http::{Req, Resp};
use crate::state::World;

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/connections", all_connections),
    Route::new("GET", "/connections/{connection_name}", connection),
];

fn all_connections(world: &mut World, req: &Req) -> Resp {
    list_response(world.connections.list().to_vec(), req)
}

fn connection(world: &mut World, req: &Req) -> Resp {
    found(world.connections.get(req.param("connection_name")).cloned())
}
