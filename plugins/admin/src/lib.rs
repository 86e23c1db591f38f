//! The `admin` tool group: users and their email credentials, roles, permission sets, model
//! sets, groups (members and sub-groups) and scheduled deliveries.
//!
//! These tools need an admin (or a user with the matching `manage_*` permissions) behind the
//! server. Everything they return is compact and never carries a secret: one-time password reset
//! and account setup links and write-only destination credentials are removed from answers.

mod groups;
mod roles;
mod schedules;
mod shape;
mod users;

use looker_mcp_plugin_sdk::{Group, Tool, export_group};

export_group!(group);

/// A read-only, idempotent tool.
fn reader(name: &'static str, title: &'static str, description: &'static str) -> Tool {
    Tool::new(name, title, description).read_only().idempotent()
}

/// A tool that only adds something (never loses anything); repeating it adds again.
fn creator(name: &'static str, title: &'static str, description: &'static str) -> Tool {
    Tool::new(name, title, description).non_destructive()
}

/// A tool that overwrites or deletes; repeating it changes nothing more.
fn overwriter(name: &'static str, title: &'static str, description: &'static str) -> Tool {
    Tool::new(name, title, description).idempotent()
}

/// The `admin` group's tool table, in the reference server's order.
pub fn group() -> Group {
    Group::new("admin", env!("CARGO_PKG_VERSION"))
        // Users.
        .tool(
            reader("list_users", "List or find users", LIST_USERS)
                .schema(LIST_USERS_SCHEMA)
                .handler(users::list_users),
        )
        .tool(
            reader("get_user", "Get a user", GET_USER)
                .schema(USER_ID_SCHEMA)
                .handler(users::get_user),
        )
        .tool(
            creator("create_user", "Create a user", CREATE_USER)
                .schema(CREATE_USER_SCHEMA)
                .handler(users::create_user),
        )
        .tool(
            overwriter("update_user", "Update a user", UPDATE_USER)
                .schema(UPDATE_USER_SCHEMA)
                .handler(users::update_user),
        )
        .tool(
            overwriter("delete_user", "Delete a user", DELETE_USER)
                .schema(USER_ID_SCHEMA)
                .handler(users::delete_user),
        )
        .tool(
            creator(
                "create_credentials_email",
                "Attach email login to a user",
                CREATE_CREDENTIALS_EMAIL,
            )
            .schema(CREATE_CREDENTIALS_EMAIL_SCHEMA)
            .handler(users::create_credentials_email),
        )
        .tool(
            reader(
                "get_credentials_email",
                "Get a user's email login",
                GET_CREDENTIALS_EMAIL,
            )
            .schema(USER_ID_SCHEMA)
            .handler(users::get_credentials_email),
        )
        .tool(
            overwriter(
                "update_credentials_email",
                "Update a user's email login",
                UPDATE_CREDENTIALS_EMAIL,
            )
            .schema(UPDATE_CREDENTIALS_EMAIL_SCHEMA)
            .handler(users::update_credentials_email),
        )
        .tool(
            overwriter(
                "delete_credentials_email",
                "Remove a user's email login",
                DELETE_CREDENTIALS_EMAIL,
            )
            .schema(USER_ID_SCHEMA)
            .handler(users::delete_credentials_email),
        )
        .tool(
            creator(
                "send_password_reset",
                "Send a password reset email",
                SEND_PASSWORD_RESET,
            )
            .schema(USER_ID_SCHEMA)
            .handler(users::send_password_reset),
        )
        // Roles, permissions, permission sets, model sets.
        .tool(
            reader("list_roles", "List roles", LIST_ROLES)
                .schema(NO_ARGUMENTS_SCHEMA)
                .handler(roles::list_roles),
        )
        .tool(
            creator("create_role", "Create a role", CREATE_ROLE)
                .schema(CREATE_ROLE_SCHEMA)
                .handler(roles::create_role),
        )
        .tool(
            reader("get_role", "Get a role", GET_ROLE)
                .schema(ROLE_ID_SCHEMA)
                .handler(roles::get_role),
        )
        .tool(
            overwriter("update_role", "Update a role", UPDATE_ROLE)
                .schema(UPDATE_ROLE_SCHEMA)
                .handler(roles::update_role),
        )
        .tool(
            overwriter("delete_role", "Delete a role", DELETE_ROLE)
                .schema(ROLE_ID_SCHEMA)
                .handler(roles::delete_role),
        )
        .tool(
            reader("list_permissions", "List permissions", LIST_PERMISSIONS)
                .schema(NO_ARGUMENTS_SCHEMA)
                .handler(roles::list_permissions),
        )
        .tool(
            reader(
                "list_permission_sets",
                "List permission sets",
                LIST_PERMISSION_SETS,
            )
            .schema(NO_ARGUMENTS_SCHEMA)
            .handler(roles::list_permission_sets),
        )
        .tool(
            creator(
                "create_permission_set",
                "Create a permission set",
                CREATE_PERMISSION_SET,
            )
            .schema(CREATE_PERMISSION_SET_SCHEMA)
            .handler(roles::create_permission_set),
        )
        .tool(
            overwriter(
                "update_permission_set",
                "Update a permission set",
                UPDATE_PERMISSION_SET,
            )
            .schema(UPDATE_PERMISSION_SET_SCHEMA)
            .handler(roles::update_permission_set),
        )
        .tool(
            overwriter(
                "delete_permission_set",
                "Delete a permission set",
                DELETE_PERMISSION_SET,
            )
            .schema(PERMISSION_SET_ID_SCHEMA)
            .handler(roles::delete_permission_set),
        )
        .tool(
            reader("list_model_sets", "List model sets", LIST_MODEL_SETS)
                .schema(NO_ARGUMENTS_SCHEMA)
                .handler(roles::list_model_sets),
        )
        .tool(
            creator("create_model_set", "Create a model set", CREATE_MODEL_SET)
                .schema(CREATE_MODEL_SET_SCHEMA)
                .handler(roles::create_model_set),
        )
        .tool(
            overwriter("update_model_set", "Update a model set", UPDATE_MODEL_SET)
                .schema(UPDATE_MODEL_SET_SCHEMA)
                .handler(roles::update_model_set),
        )
        .tool(
            overwriter("delete_model_set", "Delete a model set", DELETE_MODEL_SET)
                .schema(MODEL_SET_ID_SCHEMA)
                .handler(roles::delete_model_set),
        )
        // Groups.
        .tool(
            reader("list_groups", "List groups", LIST_GROUPS)
                .schema(LIST_GROUPS_SCHEMA)
                .handler(groups::list_groups),
        )
        .tool(
            creator("add_group_user", "Add a user to a group", ADD_GROUP_USER)
                .schema(GROUP_USER_SCHEMA)
                .idempotent()
                .handler(groups::add_group_user),
        )
        .tool(
            overwriter(
                "remove_group_user",
                "Remove a user from a group",
                REMOVE_GROUP_USER,
            )
            .schema(GROUP_USER_SCHEMA)
            .handler(groups::remove_group_user),
        )
        .tool(
            creator("create_group", "Create a group", CREATE_GROUP)
                .schema(CREATE_GROUP_SCHEMA)
                .handler(groups::create_group),
        )
        .tool(
            overwriter("update_group", "Update a group", UPDATE_GROUP)
                .schema(UPDATE_GROUP_SCHEMA)
                .handler(groups::update_group),
        )
        .tool(
            overwriter("delete_group", "Delete a group", DELETE_GROUP)
                .schema(GROUP_ID_SCHEMA)
                .handler(groups::delete_group),
        )
        .tool(
            reader(
                "list_group_users",
                "List a group's members",
                LIST_GROUP_USERS,
            )
            .schema(LIST_GROUP_USERS_SCHEMA)
            .handler(groups::list_group_users),
        )
        .tool(
            reader(
                "list_group_groups",
                "List a group's sub-groups",
                LIST_GROUP_GROUPS,
            )
            .schema(GROUP_ID_SCHEMA)
            .handler(groups::list_group_groups),
        )
        .tool(
            creator(
                "add_group_to_group",
                "Nest a group in a group",
                ADD_GROUP_TO_GROUP,
            )
            .schema(GROUP_IN_GROUP_SCHEMA)
            .idempotent()
            .handler(groups::add_group_to_group),
        )
        .tool(
            overwriter(
                "remove_group_from_group",
                "Un-nest a group",
                REMOVE_GROUP_FROM_GROUP,
            )
            .schema(GROUP_IN_GROUP_SCHEMA)
            .handler(groups::remove_group_from_group),
        )
        // Role assignments.
        .tool(
            overwriter("set_role_groups", "Set a role's groups", SET_ROLE_GROUPS)
                .schema(SET_ROLE_GROUPS_SCHEMA)
                .handler(roles::set_role_groups),
        )
        .tool(
            overwriter("set_role_users", "Set a role's users", SET_ROLE_USERS)
                .schema(SET_ROLE_USERS_SCHEMA)
                .handler(roles::set_role_users),
        )
        .tool(
            overwriter("set_user_roles", "Set a user's roles", SET_USER_ROLES)
                .schema(SET_USER_ROLES_SCHEMA)
                .handler(users::set_user_roles),
        )
        .tool(
            reader("get_user_roles", "Get a user's roles", GET_USER_ROLES)
                .schema(USER_ID_SCHEMA)
                .handler(users::get_user_roles),
        )
        // Schedules.
        .tool(
            reader("list_schedules", "List schedules", LIST_SCHEDULES)
                .schema(LIST_SCHEDULES_SCHEMA)
                .handler(schedules::list_schedules),
        )
        .tool(
            creator("create_schedule", "Create a schedule", CREATE_SCHEDULE)
                .schema(CREATE_SCHEDULE_SCHEMA)
                .handler(schedules::create_schedule),
        )
        .tool(
            overwriter("delete_schedule", "Delete a schedule", DELETE_SCHEDULE)
                .schema(SCHEDULE_ID_SCHEMA)
                .handler(schedules::delete_schedule),
        )
        .tool(
            overwriter("update_schedule", "Update a schedule", UPDATE_SCHEDULE)
                .schema(UPDATE_SCHEDULE_SCHEMA)
                .handler(schedules::update_schedule),
        )
        .tool(
            creator("run_schedule_once", "Run a schedule now", RUN_SCHEDULE_ONCE)
                .schema(SCHEDULE_ID_SCHEMA)
                .handler(schedules::run_schedule_once),
        )
        // Role membership readers.
        .tool(
            reader("get_role_groups", "Get a role's groups", GET_ROLE_GROUPS)
                .schema(ROLE_ID_SCHEMA)
                .handler(roles::get_role_groups),
        )
        .tool(
            reader("get_role_users", "Get a role's users", GET_ROLE_USERS)
                .schema(ROLE_ID_SCHEMA)
                .handler(roles::get_role_users),
        )
}

// Input schemas: the reference server's argument names, types, defaults and requirements, with
// descriptions (and lower bounds on `limit`) added.

const NO_ARGUMENTS_SCHEMA: &str =
    r#"{"type": "object", "properties": {}, "additionalProperties": false}"#;

const LIST_USERS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "email": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Only the user with this email (case-insensitive exact match); put `%` in it for a pattern, e.g. `%@example.com`."},
    "name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Only users whose full name contains this text (case-insensitive), e.g. `ada`."},
    "limit": {"type": "integer", "default": 100, "minimum": 1, "description": "Most users to return."}
  },
  "additionalProperties": false
}"#;

const USER_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "description": "Looker user id, e.g. `42` (from `list_users`)."}
  },
  "required": ["user_id"],
  "additionalProperties": false
}"#;

const CREATE_USER_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "first_name": {"type": "string", "description": "First name."},
    "last_name": {"type": "string", "description": "Last name."},
    "email": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Login email: attaches email/password credentials so the user can log in (leave out for SSO-only users)."},
    "role_ids": {"anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "null"}], "default": null, "description": "Role ids to give the user (from `list_roles`)."},
    "group_ids": {"anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "null"}], "default": null, "description": "Group ids to add the user to (from `list_groups`)."},
    "is_disabled": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Create the account disabled."},
    "home_folder_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Folder the user lands in."},
    "locale": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "UI locale, e.g. `en` or `de`."},
    "ui_state": {"anyOf": [{"type": "object", "additionalProperties": true}, {"type": "null"}], "default": null, "description": "Looker UI state (usually left out)."},
    "models_dir_validated": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Mark the dev workspace as checked against production projects."},
    "can_manage_api3_creds": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Let the user manage their own API keys."}
  },
  "required": ["first_name", "last_name"],
  "additionalProperties": false
}"#;

const UPDATE_USER_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "description": "Looker user id, e.g. `42`."},
    "first_name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New first name."},
    "last_name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New last name."},
    "is_disabled": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "`true` disables the account, `false` enables it."},
    "role_ids": {"anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "null"}], "default": null, "description": "The user's complete new list of role ids (replaces the current roles)."},
    "home_folder_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New home folder id."},
    "locale": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New UI locale."},
    "ui_state": {"anyOf": [{"type": "object", "additionalProperties": true}, {"type": "null"}], "default": null, "description": "New Looker UI state."},
    "models_dir_validated": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Dev-workspace-validated flag."},
    "can_manage_api3_creds": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Whether the user may manage their own API keys."}
  },
  "required": ["user_id"],
  "additionalProperties": false
}"#;

const CREATE_CREDENTIALS_EMAIL_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "description": "Looker user id."},
    "email": {"type": "string", "description": "Login email address."},
    "forced_password_reset_at_next_login": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Make the user choose a new password at next login."}
  },
  "required": ["user_id", "email"],
  "additionalProperties": false
}"#;

const UPDATE_CREDENTIALS_EMAIL_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "description": "Looker user id."},
    "email": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New login email address (this is how a user's email is changed)."},
    "forced_password_reset_at_next_login": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Make the user choose a new password at next login."}
  },
  "required": ["user_id"],
  "additionalProperties": false
}"#;

const ROLE_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "role_id": {"type": "string", "description": "Looker role id, e.g. `3` (from `list_roles`)."}
  },
  "required": ["role_id"],
  "additionalProperties": false
}"#;

const CREATE_ROLE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "name": {"type": "string", "description": "Role name, e.g. `Marketing Analyst`."},
    "permission_set_id": {"type": "integer", "description": "What the role may do: a permission set id (from `list_permission_sets`)."},
    "model_set_id": {"type": "integer", "description": "Which models the role reaches: a model set id (from `list_model_sets`)."}
  },
  "required": ["name", "permission_set_id", "model_set_id"],
  "additionalProperties": false
}"#;

const UPDATE_ROLE_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "role_id": {"type": "string", "description": "Looker role id."},
    "name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New name."},
    "permission_set_id": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null, "description": "New permission set id."},
    "model_set_id": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null, "description": "New model set id."}
  },
  "required": ["role_id"],
  "additionalProperties": false
}"#;

const CREATE_PERMISSION_SET_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "name": {"type": "string", "description": "Permission set name."},
    "permissions": {"type": "array", "items": {"type": "string"}, "description": "Permission names from `list_permissions`, e.g. [\"access_data\", \"see_looks\", \"explore\"]."}
  },
  "required": ["name", "permissions"],
  "additionalProperties": false
}"#;

const UPDATE_PERMISSION_SET_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "permission_set_id": {"type": "string", "description": "Permission set id (from `list_permission_sets`)."},
    "name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New name."},
    "permissions": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": null, "description": "The complete new list of permissions (replaces the current list)."}
  },
  "required": ["permission_set_id"],
  "additionalProperties": false
}"#;

const PERMISSION_SET_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "permission_set_id": {"type": "string", "description": "Permission set id (from `list_permission_sets`)."}
  },
  "required": ["permission_set_id"],
  "additionalProperties": false
}"#;

const CREATE_MODEL_SET_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "name": {"type": "string", "description": "Model set name."},
    "models": {"type": "array", "items": {"type": "string"}, "description": "LookML model names, e.g. [\"ecommerce\"] (from `list_models`)."}
  },
  "required": ["name", "models"],
  "additionalProperties": false
}"#;

const UPDATE_MODEL_SET_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "model_set_id": {"type": "string", "description": "Model set id (from `list_model_sets`)."},
    "name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New name."},
    "models": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": null, "description": "The complete new list of model names (replaces the current list)."}
  },
  "required": ["model_set_id"],
  "additionalProperties": false
}"#;

const MODEL_SET_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "model_set_id": {"type": "string", "description": "Model set id (from `list_model_sets`)."}
  },
  "required": ["model_set_id"],
  "additionalProperties": false
}"#;

const LIST_GROUPS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "limit": {"type": "integer", "default": 100, "minimum": 1, "description": "Most groups to return."}
  },
  "additionalProperties": false
}"#;

const GROUP_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "group_id": {"type": "string", "description": "Looker group id, e.g. `2` (from `list_groups`)."}
  },
  "required": ["group_id"],
  "additionalProperties": false
}"#;

const GROUP_USER_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "group_id": {"type": "string", "description": "Looker group id (from `list_groups`)."},
    "user_id": {"type": "string", "description": "Looker user id (from `list_users`)."}
  },
  "required": ["group_id", "user_id"],
  "additionalProperties": false
}"#;

const CREATE_GROUP_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "name": {"type": "string", "description": "Group name, e.g. `Data Team`."},
    "can_add_to_content_metadata": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Whether folders can be shared with this group (content access)."}
  },
  "required": ["name"],
  "additionalProperties": false
}"#;

const UPDATE_GROUP_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "group_id": {"type": "string", "description": "Looker group id."},
    "name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New name."},
    "can_add_to_content_metadata": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Whether folders can be shared with this group."}
  },
  "required": ["group_id"],
  "additionalProperties": false
}"#;

const LIST_GROUP_USERS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "group_id": {"type": "string", "description": "Looker group id (from `list_groups`)."},
    "limit": {"type": "integer", "default": 100, "minimum": 1, "description": "Most members to return."}
  },
  "required": ["group_id"],
  "additionalProperties": false
}"#;

const GROUP_IN_GROUP_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "parent_group_id": {"type": "string", "description": "The containing group's id."},
    "child_group_id": {"type": "string", "description": "The nested group's id."}
  },
  "required": ["parent_group_id", "child_group_id"],
  "additionalProperties": false
}"#;

const SET_ROLE_GROUPS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "role_id": {"type": "string", "description": "Looker role id."},
    "group_ids": {"type": "array", "items": {"type": "integer"}, "description": "The complete list of group ids that get the role; `[]` removes it from every group."}
  },
  "required": ["role_id", "group_ids"],
  "additionalProperties": false
}"#;

const SET_ROLE_USERS_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "role_id": {"type": "string", "description": "Looker role id."},
    "user_ids": {"type": "array", "items": {"type": "integer"}, "description": "The complete list of user ids that hold the role directly; `[]` removes it from every user."}
  },
  "required": ["role_id", "user_ids"],
  "additionalProperties": false
}"#;

const SET_USER_ROLES_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"type": "string", "description": "Looker user id."},
    "role_ids": {"type": "array", "items": {"type": "integer"}, "description": "The user's complete list of role ids; `[]` removes every direct role."}
  },
  "required": ["user_id", "role_ids"],
  "additionalProperties": false
}"#;

const LIST_SCHEDULES_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "user_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Only this user's schedules; every user's when left out."},
    "limit": {"type": "integer", "default": 100, "minimum": 1, "description": "Most schedules to return."}
  },
  "additionalProperties": false
}"#;

const SCHEDULE_ID_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "schedule_id": {"type": "string", "description": "Scheduled plan id (from `list_schedules`)."}
  },
  "required": ["schedule_id"],
  "additionalProperties": false
}"#;

/// The scheduled-plan properties `create_schedule` and `update_schedule` share (after `name`).
macro_rules! plan_properties {
    () => {
        r#""crontab": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "When to deliver, as a crontab, e.g. `0 9 * * 1` (Mondays 09:00). Not with `datagroup`."},
    "look_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Deliver this look (one target only)."},
    "dashboard_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Deliver this dashboard (one target only)."},
    "lookml_dashboard_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Deliver this LookML dashboard, e.g. `ecommerce::overview` (one target only)."},
    "query_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Deliver this query's results (one target only)."},
    "recipients": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": null, "description": "Email addresses: shorthand for email destinations in `email_format`. Not with `destinations`."},
    "email_format": {"type": "string", "default": "wysiwyg_pdf", "description": "Format of the `recipients` emails: `wysiwyg_pdf`, `assembled_pdf`, `wysiwyg_png`, `csv`, `xlsx`, `html`, `json_detail`, ..."},
    "destinations": {"anyOf": [{"type": "array", "items": {"type": "object", "additionalProperties": true}}, {"type": "null"}], "default": null, "description": "Full destinations, each with `type` (`email`, `webhook`, `s3`, `sftp`), `format`, and optionally `address`, `message`, `apply_formatting`, `apply_vis`, `parameters`, `secret_parameters` (write-only credentials, never shown back). E.g. [{\"type\": \"webhook\", \"address\": \"https://hooks.example.com/x\", \"format\": \"json_detail\"}]."},
    "user_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Owner of the schedule (default: the caller); admins can schedule for others."},
    "run_as_recipient": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Run the content as each email recipient (their permissions and attributes)."},
    "enabled": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Whether the schedule is active."},
    "run_once": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Deliver only once."},
    "datagroup": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Deliver when this datagroup triggers. Not with `crontab`."},
    "timezone": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Timezone of the crontab, e.g. `Europe/Paris`."},
    "require_results": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Deliver only when there are results."},
    "require_no_results": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Deliver only when there are no results."},
    "require_change": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Deliver only when the results changed since the last run."},
    "send_all_results": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Run without row limit and send every row."},
    "filters_string": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Filters as a URL query string, e.g. `?Region=West`."},
    "include_links": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Include links back to Looker."},
    "pdf_paper_size": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "PDF paper size: `letter`, `legal`, `tabloid`, `a0` to `a5`, `b4`, `b5`."},
    "pdf_landscape": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Landscape PDF."},
    "long_tables": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Expand table visualizations to their full length."},
    "inline_table_width": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null, "description": "Pixel width of inline tables."},
    "color_theme": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Dashboard color theme."},
    "embed": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Whether this is an embed-context schedule."},
    "show_custom_url": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "default": null, "description": "Show the custom link instead of the Looker link."},
    "custom_url_base": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Custom link domain."},
    "custom_url_params": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Custom link path and parameters."},
    "custom_url_label": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "Custom link label."}"#
    };
}

const CREATE_SCHEDULE_SCHEMA: &str = concat!(
    r#"{
  "type": "object",
  "properties": {
    "name": {"type": "string", "description": "Schedule name."},
    "#,
    plan_properties!(),
    r#"
  },
  "required": ["name"],
  "additionalProperties": false
}"#
);

const UPDATE_SCHEDULE_SCHEMA: &str = concat!(
    r#"{
  "type": "object",
  "properties": {
    "schedule_id": {"type": "string", "description": "Scheduled plan id (from `list_schedules`)."},
    "name": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "description": "New name."},
    "#,
    plan_properties!(),
    r#"
  },
  "required": ["schedule_id"],
  "additionalProperties": false
}"#
);

// Descriptions, for an AI assistant.

const LIST_USERS: &str = "\
Lists Looker users (id, email, names, disabled flag, role and group ids), or finds them: `email` \
matches one address exactly (use `%` for a pattern such as `%@example.com`), `name` matches any \
part of the full name. Returns `{count, users, more_available?}`; raise `limit` when \
`more_available` is true. Use it to find the user id other tools need.";

const GET_USER: &str = "\
Returns everything Looker knows about one user: names, email, role and group ids, home and \
personal folders, locale, disabled flag and which credentials (email, API, SSO) are attached. \
Secrets such as password reset links are never included.";

const CREATE_USER: &str = "\
Creates a Looker user. With `email` it also attaches email/password credentials (the user then \
gets set up through `send_password_reset`); `role_ids` assigns roles and `group_ids` adds the \
user to groups, each as its own Looker call. Returns the new user's id, email, role and group \
ids. Example: {\"first_name\": \"Ada\", \"last_name\": \"Lovelace\", \"email\": \
\"ada@example.com\", \"role_ids\": [3]}.";

const UPDATE_USER: &str = "\
Changes a user's profile: names, disabled flag, home folder, locale, UI flags; `role_ids` \
replaces the user's roles. Only the fields given change. Email is changed with \
`update_credentials_email`, group membership with `add_group_user`/`remove_group_user`. Returns \
the fields changed and the user as it now is.";

const DELETE_USER: &str = "\
Deletes a Looker user for good, with their personal folder and its content; schedules they own \
stop. Consider `update_user` with `is_disabled: true` to keep the content. Returns \
`{deleted: true}`.";

const CREATE_CREDENTIALS_EMAIL: &str = "\
Attaches email/password login credentials to a user who has none (e.g. one created without \
email). Then call `send_password_reset` so they can set a password. Returns the credentials' \
email and flags; setup links are never returned.";

const GET_CREDENTIALS_EMAIL: &str = "\
Returns a user's email/password credentials: the login email, creation and last-login times, \
whether they are disabled and whether a reset or setup link is pending (the links themselves \
are secret and never shown).";

const UPDATE_CREDENTIALS_EMAIL: &str = "\
Changes a user's login email or forces a password change at their next login. This is how a \
user's email address is changed. Only the fields given change.";

const DELETE_CREDENTIALS_EMAIL: &str = "\
Removes a user's email/password credentials: they can no longer log in with email and password \
(SSO links are not affected) until `create_credentials_email` attaches new ones.";

const SEND_PASSWORD_RESET: &str = "\
Emails the user a password reset link (or an account setup link if they never set a password). \
The user needs email credentials first (`create_credentials_email`). The link itself is a \
secret: Looker sends it to the user and this tool never returns it.";

const LIST_ROLES: &str = "\
Lists every role with its permission set and model set (ids and names). A role = what a user \
may do (permission set) on which models (model set); users get roles directly or through \
groups.";

const CREATE_ROLE: &str = "\
Creates a role from a permission set and a model set (ids from `list_permission_sets` and \
`list_model_sets`). Assign it with `set_role_users`, `set_role_groups` or `set_user_roles`. \
Example: {\"name\": \"Marketing Viewer\", \"permission_set_id\": 4, \"model_set_id\": 2}.";

const GET_ROLE: &str = "\
Returns one role with its full permission set (every permission) and model set (every model).";

const UPDATE_ROLE: &str = "\
Renames a role or points it at another permission set or model set; every user holding the role \
is affected at once. Only the fields given change.";

const DELETE_ROLE: &str = "\
Deletes a role; every user and group holding it loses what it granted. Built-in roles such as \
Admin cannot be deleted.";

const LIST_PERMISSIONS: &str = "\
Lists every permission Looker knows (e.g. `access_data`, `explore`, `develop`), with its parent \
permission and description: the valid values for permission sets.";

const LIST_PERMISSION_SETS: &str = "\
Lists permission sets: id, name, their permissions, and whether they are built in (built-in \
sets cannot be changed) or grant everything (`all_access`).";

const CREATE_PERMISSION_SET: &str = "\
Creates a permission set from permission names (see `list_permissions`); use it in roles. \
Example: {\"name\": \"Explorer\", \"permissions\": [\"access_data\", \"see_looks\", \
\"explore\"]}.";

const UPDATE_PERMISSION_SET: &str = "\
Renames a custom permission set or replaces its whole permission list; every role using it \
changes at once. Built-in sets cannot be changed.";

const DELETE_PERMISSION_SET: &str = "\
Deletes a custom permission set. Looker refuses while a role still uses it; built-in sets \
cannot be deleted.";

const LIST_MODEL_SETS: &str = "\
Lists model sets: id, name, the LookML models they contain, and whether they are built in or \
cover every model (`all_access`).";

const CREATE_MODEL_SET: &str = "\
Creates a model set (a list of LookML model names) to limit which models a role reaches. \
Example: {\"name\": \"Marketing\", \"models\": [\"marketing\"]}.";

const UPDATE_MODEL_SET: &str = "\
Renames a custom model set or replaces its whole model list; every role using it changes at \
once. Built-in sets cannot be changed.";

const DELETE_MODEL_SET: &str = "\
Deletes a custom model set. Looker refuses while a role still uses it; built-in sets cannot be \
deleted.";

const LIST_GROUPS: &str = "\
Lists user groups: id, name, member count, and whether membership is managed outside Looker \
(SSO) or new users join by default. Groups carry roles and content access for their members.";

const ADD_GROUP_USER: &str = "\
Adds a user to a group, so they get the group's roles and content access. Adding a member \
again changes nothing.";

const REMOVE_GROUP_USER: &str = "\
Removes a user from a group; they lose what the group granted them. The user and the group \
stay.";

const CREATE_GROUP: &str = "\
Creates a user group. Then add members (`add_group_user`), give it roles (`set_role_groups`) or \
nest it (`add_group_to_group`).";

const UPDATE_GROUP: &str = "\
Renames a group or changes whether content can be shared with it. Only the fields given change; \
membership has its own tools.";

const DELETE_GROUP: &str = "\
Deletes a group; its members lose the roles and content access it gave them. The users stay.";

const LIST_GROUP_USERS: &str = "\
Lists the direct members of a group (id, email, names, disabled flag, roles, groups). Use it to \
audit who gets a group's access.";

const LIST_GROUP_GROUPS: &str = "\
Lists the groups nested directly inside a group (one level). Members of nested groups inherit \
the parent group's roles.";

const ADD_GROUP_TO_GROUP: &str = "\
Nests a group inside another: members of `child_group_id` inherit the roles of \
`parent_group_id`. Nesting it again changes nothing.";

const REMOVE_GROUP_FROM_GROUP: &str = "\
Un-nests a group from its parent group; its members stop inheriting the parent's roles. Neither \
group is deleted.";

const SET_ROLE_GROUPS: &str = "\
Sets exactly which groups hold a role: the list replaces the current one, so groups not listed \
lose the role. Read the current list with `get_role_groups` first. Returns the groups that now \
hold it.";

const SET_ROLE_USERS: &str = "\
Sets exactly which users hold a role directly: the list replaces the current one, so users not \
listed lose it (access through groups is unaffected). Read `get_role_users` first. Returns the \
users that now hold it.";

const SET_USER_ROLES: &str = "\
Sets exactly which roles a user holds directly: the list replaces the current roles (roles \
through groups are unaffected). Read `get_user_roles` first. Returns the roles the user now \
holds.";

const GET_USER_ROLES: &str = "\
Returns a user's roles (direct and through groups): id, name, and the permission set and model \
set of each.";

const LIST_SCHEDULES: &str = "\
Lists scheduled deliveries (every user's, or one user's with `user_id`): name, owner, target \
(look, dashboard or query), crontab or datagroup, enabled flag, next and last run, and \
destinations. Returns `{count, total, schedules, truncated?}`.";

const CREATE_SCHEDULE: &str = "\
Creates a scheduled delivery of one look, dashboard, LookML dashboard or query, triggered by a \
`crontab` or a `datagroup`, to `recipients` (email shorthand, in `email_format`) or to full \
`destinations` (email, webhook, S3, SFTP). Conditions, PDF options and custom links are \
optional. Example: {\"name\": \"Weekly sales\", \"dashboard_id\": \"1\", \"crontab\": \"0 9 * * \
1\", \"recipients\": [\"team@example.com\"]}.";

const DELETE_SCHEDULE: &str = "\
Deletes a scheduled delivery; nothing more is sent. To pause instead, use `update_schedule` \
with `enabled: false`.";

const UPDATE_SCHEDULE: &str = "\
Changes a scheduled delivery: name, trigger, target, conditions, formatting, owner; \
`recipients` or `destinations` replace all current destinations. Only the fields given change. \
Returns the schedule as it now is and the fields changed.";

const RUN_SCHEDULE_ONCE: &str = "\
Runs a scheduled delivery once, now, outside its schedule (e.g. to test it or resend after a \
data fix). Each call sends the delivery again. Delivery is asynchronous.";

const GET_ROLE_GROUPS: &str = "\
Lists the groups that hold a role (id, name, member count). Pair with `set_role_groups` to \
change them.";

const GET_ROLE_USERS: &str = "\
Lists the users that hold a role directly (not through groups): id, email, names, disabled \
flag. Pair with `set_role_users` to change them.";

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::looker::Response;
    use looker_mcp_plugin_sdk::testing::mock_looker;
    use looker_mcp_plugin_sdk::{Context, ToolError};
    use serde_json::{Value, json};

    /// Our additions to the reference schemas: descriptions and lower bounds.
    fn without_additions(v: &mut Value) {
        if let Value::Object(map) = v {
            map.remove("description");
            map.remove("minimum");
            map.values_mut().for_each(without_additions);
        }
    }

    #[test]
    fn tools_match_the_reference_server() {
        group().validate().unwrap();
        let seed: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/seed-tools-0.25.0.json"
        ))
        .unwrap();
        let reference: Vec<&Value> = seed["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["group"] == "admin")
            .collect();
        let g = group();
        let ours: Vec<&str> = g.tools().map(|t| t.name()).collect();
        let theirs: Vec<&str> = reference
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(ours, theirs);
        for (tool, seed) in g.tools().zip(reference) {
            let mut schema = tool.input_schema().to_value().unwrap();
            without_additions(&mut schema);
            assert_eq!(schema, seed["input_schema"], "{}", tool.name());
        }
    }

    #[test]
    fn annotations_follow_what_tools_do() {
        for tool in group().tools() {
            let (name, a) = (tool.name(), tool.annotations());
            let reads = ["list_", "get_"].iter().any(|p| name.starts_with(p));
            assert_eq!(a.read_only, reads, "{name}");
            if reads {
                assert!(a.idempotent && !a.destructive, "{name}");
            }
            if ["delete_", "remove_", "set_", "update_"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                assert!(a.destructive && a.idempotent, "{name}");
            }
            if name.starts_with("create_") {
                assert!(!a.destructive && !a.idempotent, "{name}");
            }
        }
    }

    #[test]
    fn updates_without_fields_never_reach_looker() {
        let seen = mock_looker(|_| Ok(Response::json_ok(&json!({}))));
        for (tool, args) in [
            ("update_user", json!({"user_id": "1"})),
            ("update_role", json!({"role_id": "1"})),
            ("update_group", json!({"group_id": "1"})),
            (
                "update_schedule",
                json!({"schedule_id": "1", "email_format": "csv"}),
            ),
            ("update_credentials_email", json!({"user_id": "1"})),
            ("update_permission_set", json!({"permission_set_id": "1"})),
            ("update_model_set", json!({"model_set_id": "1"})),
        ] {
            let err = group()
                .call(tool, &args.to_string(), &Context::default())
                .unwrap_err();
            assert!(
                matches!(err, ToolError::InvalidArguments(_)),
                "{tool}: {err}"
            );
        }
        assert!(seen.requests().is_empty());
    }

    #[test]
    fn create_user_sends_read_only_fields_through_their_own_routes() {
        let seen = mock_looker(|req| {
            let path = req.path().as_str().to_owned();
            Ok(Response::json_ok(&match path.as_str() {
                "/users" => {
                    json!({"id": "9", "first_name": "A", "last_name": "B", "role_ids": [], "group_ids": []})
                }
                "/users/9/credentials_email" => {
                    json!({"email": "a@example.com", "account_setup_url": "https://x/SECRET"})
                }
                "/users/9/roles" => json!([{"id": "3", "name": "Developer"}]),
                _ => json!({"id": "9", "group_ids": ["2"]}),
            }))
        });
        let out = group()
            .call(
                "create_user",
                r#"{"first_name":"A","last_name":"B","email":"a@example.com","role_ids":[3],"group_ids":[2],"locale":"de"}"#,
                &Context::default(),
            )
            .unwrap();
        let out = Value::Object(out.structured.unwrap());
        assert_eq!(out["email"], "a@example.com");
        assert_eq!(out["role_ids"], json!(["3"]));
        assert_eq!(out["group_ids"], json!(["2"]));
        assert!(!out.to_string().contains("SECRET"));
        let reqs = seen.requests();
        let shape: Vec<String> = reqs
            .iter()
            .map(|r| format!("{} {}", r.method(), r.path()))
            .collect();
        assert_eq!(
            shape,
            [
                "POST /users",
                "POST /users/9/credentials_email",
                "PUT /users/9/roles",
                "POST /groups/2/users"
            ]
        );
        let body: Value = serde_json::from_str(reqs[0].body_json_text().unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"first_name": "A", "last_name": "B", "locale": "de"})
        );
        assert_eq!(reqs[2].body_json_text(), Some(r#"["3"]"#));
    }
}
