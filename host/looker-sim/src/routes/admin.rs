//! Groups and user attributes, served by the generic CRUD handlers.

use serde_json::{Map, Value};

use super::Route;
use super::crud::{self, Resource};
use crate::data::obj;
use crate::state::{Collection, World};

pub(crate) const ROUTES: &[Route] = &[
    Route::new("GET", "/groups", crud::list::<Groups>),
    Route::new("GET", "/groups/search", crud::search::<Groups>),
    Route::new("POST", "/groups", crud::create::<Groups>),
    Route::new("GET", "/groups/{group_id}", crud::get::<Groups>),
    Route::new("PATCH", "/groups/{group_id}", crud::update::<Groups>),
    Route::new("DELETE", "/groups/{group_id}", crud::delete::<Groups>),
    Route::new("GET", "/user_attributes", crud::list::<UserAttributes>),
    Route::new("POST", "/user_attributes", crud::create::<UserAttributes>),
    Route::new(
        "GET",
        "/user_attributes/{user_attribute_id}",
        crud::get::<UserAttributes>,
    ),
    Route::new(
        "PATCH",
        "/user_attributes/{user_attribute_id}",
        crud::update::<UserAttributes>,
    ),
    Route::new(
        "DELETE",
        "/user_attributes/{user_attribute_id}",
        crud::delete::<UserAttributes>,
    ),
];

pub(crate) struct Groups;

impl Resource for Groups {
    const ID_PARAM: &'static str = "group_id";
    const SEARCHABLE: &'static [(&'static str, &'static str)] = &[
        ("id", "id"),
        ("name", "name"),
        ("external_group_id", "external_group_id"),
        ("externally_managed", "externally_managed"),
    ];
    const REQUIRED: &'static [&'static str] = &["name"];
    const UNIQUE: Option<&'static str> = Some("name");
    const READ_ONLY: &'static [&'static str] = &[
        "contains_current_user",
        "external_group_id",
        "externally_managed",
        "include_by_default",
        "user_count",
    ];

    fn collection(world: &mut World) -> &mut Collection {
        &mut world.groups
    }

    fn defaults() -> Map<String, Value> {
        obj(serde_json::json!({
            "can_add_to_content_metadata": true, "contains_current_user": false,
            "external_group_id": null, "externally_managed": false, "include_by_default": false,
            "user_count": 0, "can": { "show": true, "create": true, "update": true, "delete": true },
        }))
    }
}

pub(crate) struct UserAttributes;

impl Resource for UserAttributes {
    const ID_PARAM: &'static str = "user_attribute_id";
    const REQUIRED: &'static [&'static str] = &["name", "label", "type"];
    const UNIQUE: Option<&'static str> = Some("name");
    const READ_ONLY: &'static [&'static str] = &["is_system", "is_permanent"];

    fn collection(world: &mut World) -> &mut Collection {
        &mut world.user_attributes
    }

    fn defaults() -> Map<String, Value> {
        obj(serde_json::json!({
            "default_value": null, "is_system": false, "is_permanent": false, "value_is_hidden": false,
            "user_can_view": true, "user_can_edit": false, "hidden_value_domain_whitelist": null,
            "can": { "show": true, "update": true, "destroy": true },
        }))
    }
}
