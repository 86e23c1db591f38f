//! Seed data for a fresh simulator: users, roles, connections, projects, folders, LookML and
//! content. Shapes follow the spec's schemas (`User`, `DBConnection`, `Project`, ...).

mod audit_activity;
mod content;
mod content_usage;
mod lookml;
mod seed_content;
pub(crate) mod system_activity;

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::SimConfig;
use crate::state::{Api3Cred, Collection, Rng, World};

pub(crate) use content::{FOLDER_BASE_KEYS, compose_dashboard, compose_look, store_query};
pub(crate) use seed_content::sql_query;

/// Timestamp used for everything seeded.
pub(crate) const SEED_TIME: &str = "2024-01-15T09:30:00.000+00:00";

/// Public web address used in `share_url`, `embed_url` and the like.
pub(crate) const WEB_URL: &str = "https://looker-sim.example.com";

/// Extra API3 key pair for the non-admin seed user alice (id 2).
pub const ALICE_CLIENT_ID: &str = "alice-client-id";
/// Secret for [`ALICE_CLIENT_ID`].
pub const ALICE_CLIENT_SECRET: &str = "alice-client-secret";

/// `(id, email, first, last, role ids, personal folder id, service account)`.
type UserSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    bool,
);

/// `(id, name, parent, creator, shared root, users root, personal)`.
type FolderSeed = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    bool,
    bool,
    bool,
);

const USERS: &[UserSeed] = &[
    ("1", "admin@example.com", "Ada", "Admin", &["2"], "3", false),
    (
        "2",
        "alice@example.com",
        "Alice",
        "Analyst",
        &["3"],
        "4",
        false,
    ),
    ("3", "bob@example.com", "Bob", "Builder", &["4"], "5", false),
    ("77", "ci-bot@example.com", "CI", "Bot", &["3"], "7", true),
];

pub(crate) fn seed_world(config: &SimConfig) -> World {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_nanos() as u64;
    let mut world = World {
        token_ttl: config.token_ttl,
        fact_rows: crate::engine::FACT_ROWS,
        tokens: HashMap::new(),
        api3: vec![
            Api3Cred {
                client_id: config.client_id.clone(),
                client_secret: config.client_secret.clone(),
                user_id: "1".into(),
            },
            Api3Cred {
                client_id: ALICE_CLIENT_ID.into(),
                client_secret: ALICE_CLIENT_SECRET.into(),
                user_id: "2".into(),
            },
        ],
        users: Collection::new(),
        roles: Collection::new(),
        models: Collection::keyed_by("name"),
        explores: HashMap::new(),
        connections: Collection::keyed_by("name"),
        projects: Collection::new(),
        queries: Collection::new(),
        looks: Collection::new(),
        dashboards: Collection::new(),
        dashboard_elements: Collection::new(),
        dashboard_filters: Collection::new(),
        folders: Collection::new(),
        groups: Collection::new(),
        user_attributes: Collection::new(),
        sql_queries: Collection::keyed_by("slug"),
        branches: HashMap::new(),
        checked_out: HashMap::new(),
        rng: Rng::new(seed),
        slugs: Rng::new(0x5EED),
        extra: HashMap::new(),
    };
    for (id, email, first, last, roles, folder, service) in USERS {
        let api3 = world
            .api3
            .iter()
            .filter(|c| c.user_id == *id)
            .enumerate()
            .map(|(i, c)| {
                json!({ "id": (i + 1).to_string(), "client_id": c.client_id, "created_at": SEED_TIME,
                        "is_disabled": false, "type": "api3", "purpose": null, "url": null, "can": {} })
            })
            .collect::<Vec<_>>();
        world.users.insert(obj(json!({
            "id": id, "email": email, "first_name": first, "last_name": last,
            "display_name": format!("{first} {last}"),
            "is_disabled": false, "role_ids": roles, "group_ids": ["1"], "locale": "en",
            "home_folder_id": folder, "personal_folder_id": folder,
            "is_service_account": service, "service_account_name": if *service { Value::from(*first) } else { Value::Null },
            "avatar_url": format!("{WEB_URL}/avatar/{id}.png"),
            "avatar_url_without_sizing": format!("{WEB_URL}/avatar/{id}.png"),
            "credentials_api3": api3,
            "credentials_email": if *service { Value::Null } else {
                json!({ "email": email, "is_disabled": false, "type": "email", "created_at": SEED_TIME, "can": {} })
            },
            "credentials_embed": [], "credentials_google": null, "credentials_ldap": null,
            "credentials_looker_openid": null, "credentials_oidc": null, "credentials_saml": null,
            "credentials_totp": null, "credentials_workforce": null,
            "sessions": [], "looker_versions": [], "ui_state": null, "models_dir_validated": null,
            "embed_group_space_id": null, "embed_group_folder_id": null,
            "presumed_looker_employee": false, "verified_looker_employee": false,
            "roles_externally_managed": false, "allow_direct_roles": true,
            "allow_normal_group_membership": true, "allow_roles_from_normal_groups": true,
            "is_iam_admin": false, "can_manage_api3_creds": true,
            "url": format!("/api/4.0/users/{id}"),
            "can": { "show": true, "index": true, "show_details": true, "index_details": true, "sudo": true },
        })));
    }
    for (id, name, perms) in [
        (
            "2",
            "Admin",
            &[
                "administer",
                "access_data",
                "see_lookml_dashboards",
                "develop",
                "see_sql",
            ][..],
        ),
        (
            "3",
            "Developer",
            &["access_data", "see_lookml", "develop", "explore", "see_sql"][..],
        ),
        (
            "4",
            "Viewer",
            &["access_data", "see_looks", "see_user_dashboards"][..],
        ),
    ] {
        world.roles.insert(obj(json!({
            "id": id, "name": name,
            "permission_set": { "id": id, "name": name, "permissions": perms, "all_access": id == "2", "built_in": true },
            "model_set": { "id": "1", "name": "All", "models": ["ecommerce", "marketing"], "all_access": true, "built_in": true },
            "user_count": USERS.iter().filter(|u| u.4.contains(&id)).count(),
            "url": format!("/api/4.0/roles/{id}"), "users_url": format!("/api/4.0/roles/{id}/users"),
            "can": {},
        })));
    }
    for (name, dialect, label, host, port, database) in [
        (
            "thelook",
            "mysql",
            "MySQL",
            "thelook-db.example.internal",
            "3306",
            "thelook",
        ),
        (
            "bigquery_marketing",
            "bigquery_standard_sql",
            "Google BigQuery Standard SQL",
            "marketing-project",
            "",
            "marketing",
        ),
    ] {
        world
            .connections
            .insert(connection(name, dialect, label, host, port, database));
    }
    for project in ["ecommerce", "marketing"] {
        world.projects.insert(obj(json!({
            "id": project, "name": project, "uses_git": true, "is_git_dev_locked": false,
            "git_remote_url": format!("git@github.com:example/{project}.git"),
            "git_username": null, "git_password": null, "git_production_branch_name": "main",
            "use_git_cookie_auth": false, "git_username_user_attribute": null,
            "git_password_user_attribute": null, "git_service_name": "github",
            "git_application_server_http_port": null, "git_application_server_http_scheme": null,
            "deploy_secret": null, "unset_deploy_secret": false, "pull_request_mode": "off",
            "validation_required": true, "git_release_mgmt_enabled": false, "allow_warnings": true,
            "is_example": false, "has_production_counterpart": true, "dependency_status": null,
            "can": { "show": true, "update": true, "deploy": true, "develop": true },
        })));
    }
    world.branches.insert(
        "ecommerce".into(),
        vec!["main".into(), "feature/new-dashboard".into()],
    );
    world
        .branches
        .insert("marketing".into(), vec!["main".into()]);
    seed_folders(&mut world);
    seed_groups_and_attributes(&mut world);
    for model in lookml::models() {
        world.models.insert(obj(model));
    }
    world.explores.extend(lookml::explores());
    seed_content::seed(&mut world);
    world
}

fn seed_folders(world: &mut World) {
    let folders: &[FolderSeed] = &[
        ("1", "Shared", None, "1", true, false, false),
        ("2", "Users", None, "1", false, true, false),
        ("3", "Ada Admin", Some("2"), "1", false, false, true),
        ("4", "Alice Analyst", Some("2"), "2", false, false, true),
        ("5", "Bob Builder", Some("2"), "3", false, false, true),
        ("6", "Sales", Some("1"), "1", false, false, false),
        ("7", "CI Bot", Some("2"), "77", false, false, true),
    ];
    for (id, name, parent, creator, shared, users, personal) in folders {
        let children = folders.iter().filter(|f| f.2 == Some(*id)).count();
        world.folders.insert(obj(json!({
            "id": id, "name": name, "parent_id": parent, "creator_id": creator,
            "content_metadata_id": id, "created_at": SEED_TIME, "child_count": children,
            "external_id": null, "is_embed": false, "is_embed_shared_root": false,
            "is_embed_users_root": false, "is_personal": personal,
            "is_personal_descendant": false, "is_shared_root": shared, "is_users_root": users,
            "can": { "index": true, "show": true, "create": true, "update": true, "destroy": !shared && !users },
        })));
    }
}

fn seed_groups_and_attributes(world: &mut World) {
    for (id, name, by_default, users) in [("1", "All Users", true, 4), ("2", "Analysts", false, 2)]
    {
        world.groups.insert(obj(json!({
            "id": id, "name": name, "can_add_to_content_metadata": true, "contains_current_user": true,
            "external_group_id": null, "externally_managed": false, "include_by_default": by_default,
            "user_count": users, "can": { "show": true, "create": true, "update": true, "delete": true },
        })));
    }
    for (id, name, label, system) in [
        ("1", "email", "Email", true),
        ("2", "region", "Region", false),
    ] {
        world.user_attributes.insert(obj(json!({
            "id": id, "name": name, "label": label, "type": "string", "default_value": null,
            "is_system": system, "is_permanent": system, "value_is_hidden": false, "user_can_view": true,
            "user_can_edit": false, "hidden_value_domain_whitelist": null,
            "can": { "show": true, "update": !system, "destroy": !system },
        })));
    }
}

fn connection(
    name: &str,
    dialect: &str,
    label: &str,
    host: &str,
    port: &str,
    database: &str,
) -> Map<String, Value> {
    obj(json!({
        "name": name,
        "dialect_name": dialect,
        "dialect": { "name": dialect, "label": label, "supports_cost_estimate": dialect.starts_with("bigquery"),
                     "persistent_table_indexes": "", "persistent_table_sortkeys": "",
                     "persistent_table_distkey": "", "supports_streaming": true,
                     "automatically_run_sql_runner_snippets": true, "connection_tests": ["connect", "query"],
                     "supports_inducer": false, "supports_multiple_databases": false,
                     "supports_persistent_derived_tables": true, "has_ssl_support": true },
        "snippets": [], "pdts_enabled": true, "named_driver_version_requested": null,
        "named_driver_version_actual": null, "host": host,
        "port": if port.is_empty() { Value::Null } else { port.into() },
        "username": "looker", "password": null, "has_password": true, "uses_oauth": false,
        "uses_key_pair_auth": false, "uses_instance_oauth": false, "uses_service_auth": false,
        "certificate": null, "file_type": null, "database": database, "db_timezone": "UTC",
        "query_timezone": "UTC", "schema": null, "max_connections": 30, "max_queries": null,
        "max_queries_per_user": null, "max_billing_gigabytes": null, "ssl": true, "verify_ssl": true,
        "tmp_db_name": "looker_scratch", "tmp_db_host": null, "jdbc_additional_params": null,
        "pool_timeout": 120, "supports_data_studio_link": false, "created_at": SEED_TIME,
        "user_id": "1", "example": false, "user_db_credentials": false, "user_attribute_fields": [],
        "maintenance_cron": null, "last_regen_at": null, "last_reap_at": null,
        "sql_runner_precache_tables": true, "sql_writing_with_info_schema": true,
        "after_connect_statements": null, "pdt_context_override": null, "managed": false,
        "custom_local_port": null, "tunnel_id": null, "uses_tns": false, "pdt_concurrency": 1,
        "disable_context_comment": false, "oauth_application_id": null,
        "always_retry_failed_builds": false, "uses_application_default_credentials": false,
        "impersonated_service_account": null, "cost_estimate_enabled": false,
        "pdt_api_control_enabled": false, "connection_pooling": true, "default_bq_connection": false,
        "bq_storage_project_id": null, "bq_roles_verified": null, "p4sa_name": null,
        "query_holding_disabled": false, "service_name": null,
        "can": { "index": true, "show": true, "cost_estimate": false, "access": true, "update": true,
                 "destroy": true, "test": true },
    }))
}

/// A personal dev branch name for a user, stable across runs: `dev-alice-analyst-x1y2`.
pub(crate) fn personal_branch(user: &Value) -> String {
    let part = |k: &str| {
        user.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_lowercase()
            .replace(' ', "-")
    };
    let id = user.get("id").and_then(Value::as_str).unwrap_or("0");
    let hash = id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!(
        "dev-{}-{}-{:04x}",
        part("first_name"),
        part("last_name"),
        hash & 0xffff
    )
}

/// The object map of a `json!` object literal.
pub(crate) fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
