//! The `modeling` tool group: LookML projects and their files, validation and data tests,
//! datagroups and persistent derived tables (PDTs).
//!
//! File tools work in the caller's dev workspace, as Looker requires; validation and tests run
//! in production unless `dev_mode` or `branch` says otherwise. `branch` checks a branch out for
//! the call only (the host saves, swaps and restores it, serialized per user and project).

mod common;
mod files;
mod pdt;
mod projects;
mod validation;

use looker_mcp_plugin_sdk::{Group, Tool, export_group};
use serde_json::Value;

use common::{ACT_AS_USER, BRANCH, PROJECT_ID, Ty, schema};

export_group!(group);

/// The `modeling` group's tool table.
pub fn group() -> Group {
    Group::new("modeling", env!("CARGO_PKG_VERSION"))
        .tool(
            Tool::new("list_projects", "List LookML projects", LIST_PROJECTS)
                .schema(schema(&[]))
                .read_only()
                .idempotent()
                .handler(projects::list_projects),
        )
        .tool(
            Tool::new(
                "list_project_files",
                "List a project's LookML files",
                LIST_FILES,
            )
            .schema(schema(&[
                ("project_id", Ty::Str, PROJECT_ID),
                ("dev_mode", Ty::Bool(true), DEV_MODE_FILES),
                ("branch", Ty::OptStr, BRANCH),
                ("act_as_user", Ty::OptStr, ACT_AS_USER),
            ]))
            .read_only()
            .idempotent()
            .handler(files::list_project_files),
        )
        .tool(
            Tool::new("get_file", "Read a LookML file", GET_FILE)
                .schema(schema(&[
                    ("project_id", Ty::Str, PROJECT_ID),
                    ("file_id", Ty::Str, FILE_ID),
                    ("dev_mode", Ty::Bool(true), DEV_MODE_FILES),
                    ("branch", Ty::OptStr, BRANCH),
                    ("act_as_user", Ty::OptStr, ACT_AS_USER),
                ]))
                .read_only()
                .idempotent()
                .handler(files::get_file),
        )
        .tool(
            Tool::new("create_file", "Create a LookML file", CREATE_FILE)
                .schema(schema(&[
                    ("project_id", Ty::Str, PROJECT_ID),
                    ("file_id", Ty::Str, FILE_ID),
                    ("content", Ty::Str, "The whole file text (LookML)."),
                    ("branch", Ty::OptStr, BRANCH),
                    ("act_as_user", Ty::OptStr, ACT_AS_USER),
                ]))
                .non_destructive()
                .handler(files::create_file),
        )
        .tool(
            Tool::new("update_file", "Overwrite a LookML file", UPDATE_FILE)
                .schema(schema(&[
                    ("project_id", Ty::Str, PROJECT_ID),
                    ("file_id", Ty::Str, FILE_ID),
                    (
                        "content",
                        Ty::Str,
                        "The new, whole file text (it replaces the old text).",
                    ),
                    ("branch", Ty::OptStr, BRANCH),
                    ("act_as_user", Ty::OptStr, ACT_AS_USER),
                ]))
                .idempotent()
                .handler(files::update_file),
        )
        .tool(
            Tool::new("delete_file", "Delete a LookML file", DELETE_FILE)
                .schema(schema(&[
                    ("project_id", Ty::Str, PROJECT_ID),
                    ("file_id", Ty::Str, FILE_ID),
                    ("branch", Ty::OptStr, BRANCH),
                    ("act_as_user", Ty::OptStr, ACT_AS_USER),
                ]))
                .idempotent()
                .handler(files::delete_file),
        )
        .tool(
            Tool::new("get_project", "Get a LookML project", GET_PROJECT)
                .schema(schema(&[("project_id", Ty::Str, PROJECT_ID)]))
                .read_only()
                .idempotent()
                .handler(projects::get_project),
        )
        .tool(
            Tool::new("create_project", "Create a LookML project", CREATE_PROJECT)
                .schema(schema(&[(
                    "name",
                    Ty::Str,
                    "Name (and id) of the new project, e.g. `finance`.",
                )]))
                .non_destructive()
                .handler(projects::create_project),
        )
        .tool(
            Tool::new(
                "update_project",
                "Configure a LookML project",
                UPDATE_PROJECT,
            )
            .schema(update_project_schema())
            .idempotent()
            .handler(projects::update_project),
        )
        .tool(
            Tool::new("delete_project", "Delete a LookML project", DELETE_PROJECT)
                .schema(schema(&[("project_id", Ty::Str, PROJECT_ID)]))
                .idempotent()
                .handler(projects::delete_project),
        )
        .tool(
            Tool::new(
                "get_project_manifest",
                "Get a project's manifest",
                GET_MANIFEST,
            )
            .schema(schema(&[("project_id", Ty::Str, PROJECT_ID)]))
            .read_only()
            .idempotent()
            .handler(projects::get_project_manifest),
        )
        .tool(
            Tool::new(
                "get_project_deploy_key",
                "Get a project's git deploy key",
                GET_KEY,
            )
            .schema(schema(&[("project_id", Ty::Str, PROJECT_ID)]))
            .read_only()
            .idempotent()
            .returns(DEPLOY_KEY_OUTPUT)
            .handler(projects::get_deploy_key),
        )
        .tool(
            Tool::new(
                "create_project_deploy_key",
                "Create a new git deploy key",
                CREATE_KEY,
            )
            .schema(schema(&[("project_id", Ty::Str, PROJECT_ID)]))
            .returns(DEPLOY_KEY_OUTPUT)
            .handler(projects::create_deploy_key),
        )
        .tool(
            Tool::new("validate_project", "Validate a LookML project", VALIDATE)
                .schema(schema(&[
                    ("project_id", Ty::Str, PROJECT_ID),
                    ("dev_mode", Ty::Bool(false), DEV_MODE_CHECKS),
                    ("branch", Ty::OptStr, BRANCH),
                    ("act_as_user", Ty::OptStr, ACT_AS_USER),
                ]))
                .read_only()
                .idempotent()
                .handler(validation::validate_project),
        )
        .tool(
            Tool::new("list_lookml_tests", "List LookML data tests", LIST_TESTS)
                .schema(schema(&[
                    ("project_id", Ty::Str, PROJECT_ID),
                    (
                        "file_id",
                        Ty::OptStr,
                        "Only tests defined in this file, e.g. `tests/orders.lkml`.",
                    ),
                    ("dev_mode", Ty::Bool(false), DEV_MODE_CHECKS),
                    ("branch", Ty::OptStr, BRANCH),
                    ("act_as_user", Ty::OptStr, ACT_AS_USER),
                ]))
                .read_only()
                .idempotent()
                .handler(validation::list_lookml_tests),
        )
        .tool(
            Tool::new("run_lookml_tests", "Run LookML data tests", RUN_TESTS)
                .schema(schema(&[
                    ("project_id", Ty::Str, PROJECT_ID),
                    (
                        "model",
                        Ty::OptStr,
                        "Only tests of this model, e.g. `ecommerce`.",
                    ),
                    ("test", Ty::OptStr, "Only the test with this name."),
                    ("file_id", Ty::OptStr, "Only tests defined in this file."),
                    ("dev_mode", Ty::Bool(false), DEV_MODE_CHECKS),
                    ("branch", Ty::OptStr, BRANCH),
                    ("act_as_user", Ty::OptStr, ACT_AS_USER),
                    (
                        "timeout",
                        Ty::Num(1800.0),
                        "Seconds to wait for the tests (they run real warehouse queries); \
                         capped by the server's LOOKER_CALL_TIMEOUT.",
                    ),
                ]))
                .read_only()
                .idempotent()
                .handler(validation::run_lookml_tests),
        )
        .tool(
            Tool::new("list_datagroups", "List datagroups", LIST_DATAGROUPS)
                .schema(schema(&[]))
                .read_only()
                .idempotent()
                .handler(pdt::list_datagroups),
        )
        .tool(
            Tool::new(
                "reset_datagroup",
                "Reset a datagroup's cache",
                RESET_DATAGROUP,
            )
            .schema(schema(&[("datagroup_id", Ty::Str, DATAGROUP_ID)]))
            .handler(pdt::reset_datagroup),
        )
        .tool(
            Tool::new("get_datagroup", "Get a datagroup", GET_DATAGROUP)
                .schema(schema(&[("datagroup_id", Ty::Str, DATAGROUP_ID)]))
                .read_only()
                .idempotent()
                .handler(pdt::get_datagroup),
        )
        .tool(
            Tool::new(
                "trigger_datagroup",
                "Trigger a datagroup",
                TRIGGER_DATAGROUP,
            )
            .schema(schema(&[("datagroup_id", Ty::Str, DATAGROUP_ID)]))
            .handler(pdt::trigger_datagroup),
        )
        .tool(
            Tool::new("start_pdt_build", "Start a PDT build", START_PDT)
                .schema(schema(&[
                    ("model_name", Ty::Str, "Model of the PDT, e.g. `ecommerce`."),
                    (
                        "view_name",
                        Ty::Str,
                        "View (derived table) to build, e.g. `user_facts`.",
                    ),
                    (
                        "force_rebuild",
                        Ty::Bool(false),
                        "Rebuild the PDTs it depends on even if they are already built.",
                    ),
                    (
                        "force_full_incremental",
                        Ty::Bool(false),
                        "Fully rebuild incremental PDTs instead of adding increments.",
                    ),
                    ("workspace", Ty::StrOr("production"), WORKSPACE),
                    ("source", Ty::OptStr, SOURCE),
                ]))
                .non_destructive()
                .handler(pdt::start_pdt_build),
        )
        .tool(
            Tool::new("check_pdt_build", "Check a PDT build", CHECK_PDT)
                .schema(schema(&[(
                    "materialization_id",
                    Ty::Str,
                    MATERIALIZATION_ID,
                )]))
                .read_only()
                .idempotent()
                .handler(pdt::check_pdt_build),
        )
        .tool(
            Tool::new("stop_pdt_build", "Stop a PDT build", STOP_PDT)
                .schema(schema(&[
                    ("materialization_id", Ty::Str, MATERIALIZATION_ID),
                    ("source", Ty::OptStr, SOURCE),
                ]))
                .idempotent()
                .handler(pdt::stop_pdt_build),
        )
        .tool(
            Tool::new(
                "graph_derived_tables_for_view",
                "Derived-table dependency graph of a view",
                GRAPH_VIEW,
            )
            .schema(schema(&[
                (
                    "view",
                    Ty::Str,
                    "The derived table's view name, e.g. `orders_rollup`.",
                ),
                (
                    "models",
                    Ty::OptStr,
                    "Only these models, comma-separated, e.g. `ecommerce,marketing`.",
                ),
                ("workspace", Ty::StrOr("production"), WORKSPACE),
            ]))
            .read_only()
            .idempotent()
            .handler(pdt::graph_for_view),
        )
        .tool(
            Tool::new(
                "graph_derived_tables_for_model",
                "Derived-table dependency graph of a model",
                GRAPH_MODEL,
            )
            .schema(schema(&[
                ("model", Ty::Str, "LookML model name, e.g. `ecommerce`."),
                (
                    "format",
                    Ty::StrOr("dot"),
                    "Graph format; Looker supports `dot`.",
                ),
                ("color", Ty::Bool(false), "Color the nodes by build state."),
            ]))
            .read_only()
            .idempotent()
            .handler(pdt::graph_for_model),
        )
}

fn update_project_schema() -> Value {
    schema(&[
        ("project_id", Ty::Str, PROJECT_ID),
        ("name", Ty::OptStr, "New project name."),
        (
            "git_remote_url",
            Ty::OptStr,
            "Git remote, e.g. `git@github.com:acme/looker.git`. Add the project's deploy key \
             to the repository first: Looker connects when this changes.",
        ),
        ("git_username", Ty::OptStr, "Git username (HTTPS remotes)."),
        (
            "git_password",
            Ty::OptStr,
            "Git password or token (HTTPS remotes); never shown back.",
        ),
        (
            "git_service_name",
            Ty::OptStr,
            "Git service, e.g. `github`, `gitlab`, `bitbucket`.",
        ),
        (
            "git_username_user_attribute",
            Ty::OptStr,
            "User attribute holding each developer's git username.",
        ),
        (
            "git_password_user_attribute",
            Ty::OptStr,
            "User attribute holding each developer's git password.",
        ),
        (
            "git_production_branch_name",
            Ty::OptStr,
            "Branch deployed to production, e.g. `main`.",
        ),
        (
            "pull_request_mode",
            Ty::OptStr,
            "`off`, `links`, `recommended` or `required`.",
        ),
        (
            "validation_required",
            Ty::OptBool,
            "Require LookML validation to pass before commits.",
        ),
        (
            "git_release_mgmt_enabled",
            Ty::OptBool,
            "Enable advanced deploy mode (deploy any commit).",
        ),
        (
            "allow_warnings",
            Ty::OptBool,
            "Allow commits when validation has only warnings.",
        ),
    ])
}

const FILE_ID: &str = "Path of the file inside the project, e.g. `views/orders.view.lkml` \
(relative, no `..`; from `list_project_files`).";
const DEV_MODE_FILES: &str =
    "Read your dev workspace (default) instead of what is deployed to production.";
const DEV_MODE_CHECKS: &str = "Run against your dev workspace (its checked-out branch and \
uncommitted changes) instead of production.";
const DATAGROUP_ID: &str = "Datagroup id (from `list_datagroups`).";
const MATERIALIZATION_ID: &str = "Build id returned by `start_pdt_build`.";
const WORKSPACE: &str = "`production` (default) or `dev`.";
const SOURCE: &str = "Who asks, for Looker's logs, e.g. `mcp`.";

const LIST_PROJECTS: &str = "\
Lists the LookML projects: id, name, git remote, production branch, pull-request mode and \
whether validation is required. Start here to find the `project_id` the file, validation, test \
and git tools take.";

const LIST_FILES: &str = "\
Lists a LookML project's files (id/path, type such as `model` or `view`, whether editable, git \
status). Reads your dev workspace by default; set `dev_mode` false for production, or `branch` \
to list another branch for this call only.";

const GET_FILE: &str = "\
Reads one LookML file: its info (path, type, git status) and its full text in `content`. Reads \
your dev workspace by default (uncommitted edits included). Example: {\"project_id\": \
\"ecommerce\", \"file_id\": \"views/orders.view.lkml\"}.";

const CREATE_FILE: &str = "\
Creates a new LookML file in your dev workspace (Looker does not allow edits in production). \
Fails if the file exists; use `update_file` then. The change is uncommitted until it is \
committed and deployed. Example: {\"project_id\": \"ecommerce\", \"file_id\": \
\"views/returns.view.lkml\", \"content\": \"view: returns { sql_table_name: returns ;; }\"}.";

const UPDATE_FILE: &str = "\
Replaces the whole text of an existing LookML file in your dev workspace. Read it first with \
`get_file` and send the complete new text. Validate afterwards with `validate_project` \
(dev_mode true).";

const DELETE_FILE: &str = "\
Deletes a LookML file from your dev workspace. The deletion is uncommitted until committed; \
`reset_to_production` (git group) undoes uncommitted changes.";

const GET_PROJECT: &str = "\
Returns a LookML project's configuration: git remote and service, production branch, \
pull-request mode, validation and deploy settings.";

const CREATE_PROJECT: &str = "\
Creates an empty LookML project (in the dev workspace, as Looker requires) and returns it. \
Then create a deploy key (`create_project_deploy_key`), add it to the git repository and set \
`git_remote_url` with `update_project`.";

const UPDATE_PROJECT: &str = "\
Changes a LookML project's configuration; only the settings you pass are changed. Example: \
{\"project_id\": \"ecommerce\", \"pull_request_mode\": \"required\", \"validation_required\": \
true}. Setting `git_remote_url` makes Looker connect to the repository, which must already \
trust the project's deploy key.";

const DELETE_PROJECT: &str = "\
Looker's API has no operation that deletes a LookML project, so this tool never deletes \
anything: it answers with an error that explains how an admin deletes a project in the Looker \
UI. It exists so that callers of the server it replaces get a clear answer.";

const GET_MANIFEST: &str = "\
Returns a project's manifest (manifest.lkml): project name, imported projects (name, url, ref) \
and localization settings.";

const GET_KEY: &str = "\
Returns the public SSH deploy key Looker uses for a project's git repository (text such as \
`ssh-rsa AAAA...`), to add to the repository's deploy keys.";

/// The structured result of the deploy-key tools (their text is the key for a person to copy).
const DEPLOY_KEY_OUTPUT: &str = r#"{
  "type": "object",
  "properties": {
    "project_id": {"type": "string"},
    "deploy_key": {"type": "string", "description": "The public SSH key."},
    "created": {"type": "boolean", "description": "True when this call made a new key pair."}
  },
  "required": ["project_id", "deploy_key", "created"]
}"#;

const CREATE_KEY: &str = "\
Generates a new SSH key pair for a project's git access and returns the public key. This \
replaces the previous key: git access fails until the new key is added to the repository.";

const VALIDATE: &str = "\
Runs LookML validation of a project (Looker's syntax and reference checks) and returns \
`valid`, error and warning counts and each problem (message, severity, file, line). Validates \
production by default; set `dev_mode` for your uncommitted work, or `branch` to validate a PR \
branch for this call only, e.g. {\"project_id\": \"ecommerce\", \"branch\": \"feature/x\"}. \
Large projects can take minutes.";

const LIST_TESTS: &str = "\
Lists a project's LookML data tests (name, model, explore, file and line). Optionally only one \
file's tests; `dev_mode`/`branch` choose which version of the project.";

const RUN_TESTS: &str = "\
Runs LookML data tests (their queries run against the warehouse) and returns `passed`, counts \
and each test's result with assertion errors. Filter by `model`, `test` or `file_id`; use \
`branch` to check a PR branch for data regressions, e.g. {\"project_id\": \"ecommerce\", \
\"branch\": \"feature/x\", \"act_as_user\": \"ci-bot@example.com\"}. May take long (`timeout`, \
default 1800 s); progress is reported.";

const LIST_DATAGROUPS: &str = "\
Lists datagroups (the caching and PDT-rebuild policies of models): id, model, name, trigger \
value, when it last triggered and the stale-before time.";

const GET_DATAGROUP: &str = "Returns one datagroup: model, name, trigger value and check \
time, last trigger time, trigger error and stale-before time.";

const RESET_DATAGROUP: &str = "\
Resets a datagroup's cache: sets its stale-before time to now so queries stop using cached \
results from before now. PDTs are not rebuilt; use `trigger_datagroup` for that.";

const TRIGGER_DATAGROUP: &str = "\
Triggers a datagroup now, as if its SQL trigger had changed: the PDTs that use it are rebuilt \
and its cached query results are invalidated.";

const START_PDT: &str = "\
Starts (enqueues) a build of a persistent derived table and returns its `materialization_id`; \
poll it with `check_pdt_build`. Example: {\"model_name\": \"ecommerce\", \"view_name\": \
\"user_facts\", \"force_rebuild\": true}.";

const CHECK_PDT: &str = "Returns the status of a PDT build started with `start_pdt_build` \
(Looker's status text). Poll until it reports completion.";

const STOP_PDT: &str = "Stops a running PDT build started with `start_pdt_build`; the \
partially built table is discarded.";

const GRAPH_VIEW: &str = "\
Returns the dependency graph (DOT text) of the derived tables a view's PDT depends on and that \
depend on it, across models (or only `models`).";

const GRAPH_MODEL: &str = "\
Returns the dependency graph (DOT text) of all derived tables in a model: which PDTs build on \
which. `color` shades nodes by build state.";

#[cfg(test)]
mod tests {
    use super::*;

    fn without_descriptions(v: &mut Value) {
        if let Value::Object(map) = v {
            map.remove("description");
            map.values_mut().for_each(without_descriptions);
        }
    }

    #[test]
    fn declaration_matches_the_reference_server() {
        let g = group();
        g.validate().unwrap();
        let seed: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/seed-tools-0.25.0.json"
        ))
        .unwrap();
        let reference: Vec<&Value> = seed["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["group"] == "modeling")
            .collect();
        assert_eq!(g.tools().count(), reference.len());
        for theirs in reference {
            let name = theirs["name"].as_str().unwrap();
            let tool = g.find(name).unwrap_or_else(|| panic!("{name} missing"));
            let mut ours = tool.input_schema().to_value().unwrap();
            without_descriptions(&mut ours);
            let mut expected = theirs["input_schema"].clone();
            if expected.get("required").is_none() {
                expected.as_object_mut().unwrap().remove("required");
            }
            assert_eq!(ours, expected, "{name}");
            let a = tool.annotations();
            if name.starts_with("delete_") {
                assert!(a.destructive, "{name}");
            }
        }
    }
}
