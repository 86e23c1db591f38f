//! The `folder` tool group: navigate and manage Looker's folder hierarchy (the folders that hold
//! looks and dashboards).

mod folders;

use looker_mcp_plugin_sdk::{Group, Tool, export_group};

export_group!(group);

/// The `folder` group's tool table.
pub fn group() -> Group {
    Group::new("folder", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new("list_folders", "Search folders", LIST_FOLDERS)
                .schema(LIST_FOLDERS_SCHEMA)
                .read_only()
                .idempotent()
                .handler(folders::list_folders),
        )
        .tool(
            Tool::new("get_folder", "Get a folder and its content", GET_FOLDER)
                .schema(FOLDER_ID_SCHEMA)
                .read_only()
                .idempotent()
                .handler(folders::get_folder),
        )
        .tool(
            Tool::new("create_folder", "Create a folder", CREATE_FOLDER)
                .schema(CREATE_FOLDER_SCHEMA)
                .non_destructive()
                .handler(folders::create_folder),
        )
        .tool(
            Tool::new("update_folder", "Rename or move a folder", UPDATE_FOLDER)
                .schema(UPDATE_FOLDER_SCHEMA)
                .idempotent()
                .handler(folders::update_folder),
        )
        .tool(
            Tool::new("delete_folder", "Delete a folder", DELETE_FOLDER)
                .schema(FOLDER_ID_SCHEMA)
                .idempotent()
                .handler(folders::delete_folder),
        )
        .tool(
            Tool::new(
                "get_folder_children",
                "List a folder's subfolders",
                GET_FOLDER_CHILDREN,
            )
            .schema(CHILDREN_SCHEMA)
            .read_only()
            .idempotent()
            .handler(folders::get_folder_children),
        )
        .tool(
            Tool::new(
                "get_folder_ancestors",
                "Get a folder's ancestors",
                GET_FOLDER_ANCESTORS,
            )
            .schema(FOLDER_ID_SCHEMA)
            .read_only()
            .idempotent()
            .handler(folders::get_folder_ancestors),
        )
        .tool(
            Tool::new(
                "get_folder_looks",
                "List the looks in a folder",
                GET_FOLDER_LOOKS,
            )
            .schema(FOLDER_ID_SCHEMA)
            .read_only()
            .idempotent()
            .handler(folders::get_folder_looks),
        )
        .tool(
            Tool::new(
                "get_folder_dashboards",
                "List the dashboards in a folder",
                GET_FOLDER_DASHBOARDS,
            )
            .schema(FOLDER_ID_SCHEMA)
            .read_only()
            .idempotent()
            .handler(folders::get_folder_dashboards),
        )
}

// Static JSON schemas with the reference server's argument names, types, defaults and
// requirements.

const LIST_FOLDERS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Only folders whose name contains this text (case-insensitive; `%` and `_` work as wildcards)."},
    "parent_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Only direct subfolders of this folder id."},
    "limit": {"type": "integer", "default": 50, "minimum": 1, "description": "Most folders to return."}
  },
  "additionalProperties": false
}"#;

const FOLDER_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "folder_id": {"type": "string", "minLength": 1, "description": "Folder id, e.g. `6` (from `list_folders`)."}
  },
  "required": ["folder_id"],
  "additionalProperties": false
}"#;

const CREATE_FOLDER_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "description": "Name of the new folder; unique among its siblings."},
    "parent_id": {"type": "string", "minLength": 1, "description": "Id of the folder to create it in, e.g. `1` for the Shared folder."}
  },
  "required": ["name", "parent_id"],
  "additionalProperties": false
}"#;

const UPDATE_FOLDER_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "folder_id": {"type": "string", "minLength": 1, "description": "Id of the folder to change."},
    "name": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}], "default": null, "description": "New name."},
    "parent_id": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "null"}], "default": null, "description": "Id of the folder to move it into."}
  },
  "required": ["folder_id"],
  "additionalProperties": false
}"#;

const CHILDREN_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "folder_id": {"type": "string", "minLength": 1, "description": "Id of the parent folder."},
    "limit": {"type": "integer", "default": 50, "minimum": 1, "description": "Most subfolders to return."}
  },
  "required": ["folder_id"],
  "additionalProperties": false
}"#;

const LIST_FOLDERS: &str = "\
Searches Looker folders by name and/or parent folder and returns each match's id, name, parent \
id, number of subfolders, creator and kind (personal, shared root, users root), sorted by name. \
With no arguments it lists folders up to `limit`. Use it to find the folder id other tools need, \
e.g. `{\"name\": \"sales\"}` or `{\"parent_id\": \"1\"}` for the top of the Shared folder. \
`limit_reached: true` means there may be more: narrow the search or raise `limit`.";

const GET_FOLDER: &str = "\
Returns one folder: id, name, parent id, number of subfolders, creator, kind (personal, shared \
root, users root), and the looks and dashboards it directly holds (id, title, description, \
owner, last update, views), with their counts. Use `get_folder_children` for its subfolders.";

const CREATE_FOLDER: &str = "\
Creates a folder named `name` inside the folder `parent_id` and returns it (id, name, parent \
id). The name must be unique among the parent's subfolders. Example: `{\"name\": \"Q3 reviews\", \
\"parent_id\": \"1\"}` creates it at the top of the Shared folder.";

const UPDATE_FOLDER: &str = "\
Renames a folder (`name`) and/or moves it, with everything in it, under another folder \
(`parent_id`); give at least one of them. Returns the folder as it is now. Root and personal \
folders cannot be renamed or moved, and a folder cannot move into one of its own subfolders.";

const DELETE_FOLDER: &str = "\
Deletes a folder together with all its subfolders and every look and dashboard inside them \
(Looker keeps deleted content in its trash, where an admin can restore it). Check what it holds \
with `get_folder` and `get_folder_children` first. Root and personal folders cannot be deleted.";

const GET_FOLDER_CHILDREN: &str = "\
Lists a folder's direct subfolders (id, name, parent id, number of subfolders, kind), sorted by \
name. Use it to browse the folder tree one level at a time, starting e.g. from the Shared \
folder. `limit_reached: true` means there may be more: raise `limit`.";

const GET_FOLDER_ANCESTORS: &str = "\
Returns the chain of folders above a folder, from the root down to its parent (id, name, parent \
id each), and the same as a readable `path` such as `Shared / Sales`. Use it to tell where a \
folder, or content in it, lives.";

const GET_FOLDER_LOOKS: &str = "\
Lists the looks saved directly in a folder: id, title, description, query id, owner id, whether \
it is public, last update and view count. Run one with the query tools (`run_look`).";

const GET_FOLDER_DASHBOARDS: &str = "\
Lists the dashboards saved directly in a folder: id, title, description, owner id, whether it is \
hidden, last update and view count.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_is_valid() {
        group().validate().unwrap();
        let names: Vec<_> = group().tools().map(|t| t.name().to_owned()).collect();
        assert_eq!(
            names,
            [
                "list_folders",
                "get_folder",
                "create_folder",
                "update_folder",
                "delete_folder",
                "get_folder_children",
                "get_folder_ancestors",
                "get_folder_looks",
                "get_folder_dashboards"
            ]
        );
        for tool in group().tools() {
            let a = tool.annotations();
            let name = tool.name();
            if name.starts_with("get_") || name.starts_with("list_") {
                assert!(a.read_only && a.idempotent && !a.destructive, "{name}");
            } else {
                assert!(!a.read_only, "{name}");
            }
        }
        let delete = group().find("delete_folder").unwrap().annotations();
        assert!(delete.destructive);
        let create = group().find("create_folder").unwrap().annotations();
        assert!(!create.destructive && !create.idempotent);
    }
}
