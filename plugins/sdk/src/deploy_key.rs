//! A LookML project's git deploy key: the public SSH key Looker uses for the project's git
//! repository. Two groups offer the same pair of tools under their own names (`git`:
//! `get_git_deploy_key`, `create_git_deploy_key`; `modeling`: `get_project_deploy_key`,
//! `create_project_deploy_key`), so the pair is declared here once, with its handlers.
//!
//! ```
//! use looker_mcp_plugin_sdk::{Group, deploy_key};
//!
//! const PROJECT_ID: &str = "LookML project id, e.g. `ecommerce`.";
//! let [get, create] = deploy_key::tools("get_git_deploy_key", "create_git_deploy_key", PROJECT_ID);
//! let group = Group::new("git", "1.0.0").tool(get).tool(create);
//! assert!(group.find("get_git_deploy_key").unwrap().annotations().read_only);
//! group.validate().unwrap();
//! ```

use serde::Deserialize;
use serde_json::json;

use crate::looker::Request;
use crate::schema::{self, Ty};
use crate::{Content, Context, Output, Tool, ToolError, path};

/// The structured result of both tools (their text is the key, for a person to copy).
const OUTPUT_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "project_id": {"type": "string"},
    "deploy_key": {"type": "string", "description": "The public SSH key."},
    "created": {"type": "boolean", "description": "True when this call made a new key pair."}
  },
  "required": ["project_id", "deploy_key", "created"]
}"#;

/// The two deploy-key tools, named `get` and `create`, each taking a required `project_id`
/// described by `project_id` (each group says where its callers find one):
///
/// - `get` (a [`Tool::reader`]): `GET /projects/{project_id}/git/deploy_key`, the public key;
/// - `create` (destructive, not idempotent: it replaces the key git trusts):
///   `POST /projects/{project_id}/git/deploy_key`, a new key pair, returning its public key.
///
/// Both return `{project_id, deploy_key, created}` and the key as text.
pub fn tools(get: &'static str, create: &'static str, project_id: &str) -> [Tool; 2] {
    let project = || schema::object().required("project_id", Ty::Str, project_id);
    [
        Tool::reader(
            get,
            "Get a project's git deploy key",
            "Returns the public SSH deploy key Looker uses for a project's git repository \
             (text such as `ssh-rsa AAAA...`), to add to the repository's deploy keys.",
        )
        .schema(project())
        .returns(OUTPUT_SCHEMA)
        .handler(get_deploy_key),
        Tool::new(
            create,
            "Create a new git deploy key",
            "Generates a new SSH key pair for a project's git access and returns the public \
             key. This replaces the previous key: git access fails until the new key is added \
             to the repository.",
        )
        .schema(project())
        .returns(OUTPUT_SCHEMA)
        .handler(create_deploy_key),
    ]
}

/// Arguments naming one project.
#[derive(Debug, Deserialize)]
struct ProjectArgs {
    project_id: String,
}

/// `GET /projects/{project_id}/git/deploy_key`: Looker answers `text/plain`, not JSON.
fn get_deploy_key(args: ProjectArgs, _ctx: &Context) -> Result<Output, ToolError> {
    let response = Request::get(path!("/projects/{}/git/deploy_key", args.project_id)).send()?;
    Ok(answer(&args.project_id, &response.text(), false))
}

/// `POST /projects/{project_id}/git/deploy_key`: a new key pair; the public key comes back as
/// text.
fn create_deploy_key(args: ProjectArgs, _ctx: &Context) -> Result<Output, ToolError> {
    let response = Request::post(path!("/projects/{}/git/deploy_key", args.project_id)).send()?;
    Ok(answer(&args.project_id, &response.text(), true))
}

/// A deploy-key result: the key as text (what a person copies) plus structured fields.
fn answer(project_id: &str, text: &str, created: bool) -> Output {
    let key = text.trim();
    let mut out =
        Output::json(json!({"project_id": project_id, "deploy_key": key, "created": created}));
    out.content = vec![Content::Text(if created {
        format!(
            "New deploy key for project {project_id} (add it, with write access, to the git \
             repository's deploy keys; the previous key no longer works):\n{key}"
        )
    } else {
        format!("Deploy key of project {project_id}:\n{key}")
    })];
    out
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::Group;
    use crate::looker::{Method, Response};
    use crate::testing::mock_looker;

    fn group() -> Group {
        let [get, create] = tools("get_key", "create_key", "p");
        Group::new("demo", "1").tool(get).tool(create)
    }

    fn text_answer(body: &str) -> Response {
        Response {
            status: 200,
            content_type: Some("text/plain".into()),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_key_is_text_not_json() {
        let seen = mock_looker(|_| Ok(text_answer("ssh-rsa AAAAB3Nza looker\n")));
        let out = group()
            .call("get_key", r#"{"project_id": "p"}"#, &Context::default())
            .unwrap();
        assert_eq!(
            out.structured_value().unwrap()["deploy_key"],
            "ssh-rsa AAAAB3Nza looker"
        );
        assert_eq!(
            out.content,
            [Content::Text(
                "Deploy key of project p:\nssh-rsa AAAAB3Nza looker".into()
            )]
        );
        let request = &seen.requests()[0];
        assert_eq!(request.path().as_str(), "/projects/p/git/deploy_key");
        assert_eq!(request.method(), Method::Get);
    }

    #[test]
    fn create_posts_and_says_the_old_key_is_gone() {
        let seen = mock_looker(|_| Ok(text_answer("ssh-ed25519 NEW")));
        let out = group()
            .call("create_key", r#"{"project_id": "p"}"#, &Context::default())
            .unwrap();
        let s = out.structured_value().unwrap();
        assert_eq!(
            (s["deploy_key"].as_str(), s["created"].as_bool()),
            (Some("ssh-ed25519 NEW"), Some(true))
        );
        assert!(matches!(&out.content[0], Content::Text(t) if t.contains("no longer works")));
        assert_eq!(seen.requests()[0].method(), Method::Post);
    }

    #[test]
    fn annotations_say_what_each_tool_does() {
        let g = group();
        let hints = |name: &str| {
            let a = g.find(name).unwrap().annotations();
            (a.read_only, a.destructive, a.idempotent)
        };
        assert_eq!(hints("get_key"), (true, false, true));
        assert_eq!(hints("create_key"), (false, true, false));
        g.validate().unwrap();
    }
}
