//! The loaded tool groups and their tools: which component owns a tool, its MCP description,
//! and the compiled validator for its arguments.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};
use wasmtime::component::Component;

use super::call::{self, CallFailure};
use super::lock::{Provenance, Trusted};
use super::{Runtime, cache, contract, embedded};
use crate::bindings::PluginPre;
use crate::bindings::types::{Annotations, ToolOutput};
use crate::capability::policy::Policy;
use crate::capability::{CallLimits, CallScope, Grant, HostState, Services};

/// The plugin contract this host implements, and the export a component must have.
pub use super::contract::{CONTRACT, CONTRACT_EXPORT};

/// Groups in the order the Python server lists them; `tools/list` follows it.
pub const GROUP_ORDER: &[&str] = &[
    "explore",
    "query",
    "render",
    "schema",
    "content",
    "board",
    "folder",
    "modeling",
    "git",
    "admin",
    "connection",
    "user_attributes",
    "credentials",
    "audit",
    "workflows",
    "health",
    "identity",
    "api",
];

/// Groups enabled when `--groups` is not given.
pub const DEFAULT_GROUPS: &[&str] = &[
    "content", "explore", "health", "identity", "query", "schema",
];

/// A problem that keeps a group or the selection from loading.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("unknown tool group {name:?}; valid groups: {valid}")]
    UnknownGroup { name: String, valid: String },
    #[error("tool group {name:?} is not part of this build; available groups: {available}")]
    NotBuilt { name: String, available: String },
    #[error(
        "--groups names no tool group; give a comma-separated list or 'all'; valid groups: {valid}"
    )]
    NoGroups { valid: String },
    #[error("{source_name}: {problem}")]
    Component {
        source_name: String,
        problem: String,
    },
}

/// One tool, ready to be listed and called.
pub struct ToolEntry {
    /// Index of the owning group in [`Registry::groups`].
    pub group: usize,
    pub name: String,
    pub title: String,
    pub description: String,
    pub input_schema: Arc<Map<String, Value>>,
    pub output_schema: Option<Arc<Map<String, Value>>>,
    pub annotations: Annotations,
    /// Compiled on the first call: most tools of a big catalogue are never called, and
    /// keeping 150 compiled validators costs memory for nothing. Every schema was compiled once
    /// at load (or on the load that wrote the cached description), so this is `Ok` in practice.
    validator: std::sync::OnceLock<Result<jsonschema::Validator, String>>,
}

impl ToolEntry {
    /// Checks arguments against the input schema; the error lists every problem found. Never
    /// panics: a schema that cannot be compiled is reported as an error.
    pub fn validate(&self, arguments: &Value) -> Result<(), String> {
        let validator = self
            .validator
            .get_or_init(|| compile_schema(&self.input_schema))
            .as_ref()
            .map_err(|why| {
                format!(
                    "tool {} cannot be called: its input schema cannot be compiled: {why}",
                    self.name
                )
            })?;
        let problems: Vec<String> = validator
            .iter_errors(arguments)
            .map(|e| {
                let at = e.instance_path().to_string();
                let message = crate::fit::errors::describe(&e);
                if at.is_empty() {
                    message
                } else {
                    format!("{at}: {message}")
                }
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "invalid arguments for {}: {}",
                self.name,
                problems.join("; ")
            ))
        }
    }
}

/// Compiles an input schema into a validator (e.g. fails on a `pattern` that is not a regex).
fn compile_schema(schema: &Map<String, Value>) -> Result<jsonschema::Validator, String> {
    jsonschema::validator_for(&Value::Object(schema.clone())).map_err(|e| e.to_string())
}

/// A loaded component.
pub struct Group {
    pub name: Arc<str>,
    pub version: String,
    /// Where the component came from: `embedded` or its file path.
    pub source: String,
    /// What its calls may do, within which limits.
    pub grant: Arc<Grant>,
    /// A third-party component's digest and signer (`None` for an embedded group).
    pub provenance: Option<Provenance>,
    pre: PluginPre<HostState>,
}

/// Every loaded group and tool.
pub struct Registry {
    runtime: Runtime,
    services: Arc<Services>,
    pub groups: Vec<Group>,
    tools: Vec<ToolEntry>,
    by_name: HashMap<String, usize>,
}

/// A component not yet described.
struct Candidate {
    /// The group id an embedded component must declare.
    expected_name: Option<String>,
    source: String,
    bytes: std::borrow::Cow<'static, [u8]>,
    /// The sha256 of `bytes`, when the build already computed it.
    digest: Option<&'static str>,
    policy: Policy,
    limits: CallLimits,
    provenance: Option<Provenance>,
}

type Described = (Group, Vec<ToolEntry>);

impl Registry {
    /// Loads the groups `selection` names (`None` = the defaults, `all`, or a comma list), from
    /// the embedded components and the admitted third-party components `extra`. A third-party
    /// component that fails to load (wrong contract, bad tool table, colliding tool names) is
    /// refused with an error naming it; the rest still load, unless `strict`. Built-in groups
    /// run under `builtin_limits`, each third-party group under its own policy's.
    pub async fn load(
        runtime: Runtime,
        services: Arc<Services>,
        selection: Option<&str>,
        extra: Vec<Trusted>,
        strict: bool,
        cache_dir: Option<&Path>,
        builtin_limits: &CallLimits,
    ) -> Result<Self, LoadError> {
        let refuse = |error: LoadError| -> Result<(), LoadError> {
            if strict {
                return Err(error);
            }
            tracing::error!(%error, "refused a plugin; the server starts without it (--strict-plugins makes this fatal)");
            Ok(())
        };
        // An unsafe cache directory is refused (logged) and everything compiles in memory.
        let cache = cache_dir.and_then(cache::Cache::open);
        let cache = cache.as_ref();
        let mut externals: Vec<Described> = Vec::new();
        for trusted in extra {
            let limits = CallLimits::from_policy(&trusted.policy, builtin_limits.wall);
            let candidate = Candidate {
                expected_name: None,
                source: trusted.path.display().to_string(),
                bytes: trusted.bytes.into(),
                digest: None,
                policy: trusted.policy,
                limits,
                provenance: Some(trusted.provenance),
            };
            match describe(&runtime, candidate, cache, &services).await {
                Ok(described) => externals.push(described),
                Err(error) => refuse(error)?,
            }
        }
        let external_names: Vec<String> =
            externals.iter().map(|(g, _)| g.name.to_string()).collect();
        let built: Vec<&str> = embedded::EMBEDDED
            .iter()
            .map(|(name, _, _)| *name)
            .collect();
        let wanted = select(selection, &built, &external_names)?;
        let mut loaded: Vec<Described> = Vec::new();
        for (name, bytes, digest) in embedded::EMBEDDED {
            if wanted.iter().any(|w| w == name) && !external_names.iter().any(|e| e == name) {
                let candidate = Candidate {
                    expected_name: Some(name.to_string()),
                    source: "embedded".into(),
                    bytes: std::borrow::Cow::Borrowed(*bytes),
                    digest: Some(*digest),
                    policy: Policy::builtin(),
                    limits: builtin_limits.clone(),
                    provenance: None,
                };
                loaded.push(describe(&runtime, candidate, cache, &services).await?);
            }
        }
        // Built-in tools keep their names; a third-party group that reuses one is refused.
        let mut taken: HashMap<String, Arc<str>> = loaded
            .iter()
            .flat_map(|(g, tools)| tools.iter().map(|t| (t.name.clone(), g.name.clone())))
            .collect();
        for (group, tools) in externals {
            if !wanted.iter().any(|w| **w == *group.name) {
                continue;
            }
            if let Some((tool, owner)) = tools
                .iter()
                .find_map(|t| taken.get(&t.name).map(|o| (t.name.clone(), o.clone())))
            {
                refuse(LoadError::Component {
                    source_name: group.source.clone(),
                    problem: format!(
                        "tool {tool:?} of group {:?} collides with group {owner:?}",
                        group.name
                    ),
                })?;
                continue;
            }
            taken.extend(tools.iter().map(|t| (t.name.clone(), group.name.clone())));
            log_loaded(&group);
            loaded.push((group, tools));
        }
        loaded.sort_by_key(|(g, _)| order_key(&g.name));
        let mut registry = Self {
            runtime,
            services,
            groups: Vec::new(),
            tools: Vec::new(),
            by_name: HashMap::new(),
        };
        for (group, tools) in loaded {
            let index = registry.groups.len();
            for mut tool in tools {
                tool.group = index;
                registry
                    .by_name
                    .insert(tool.name.clone(), registry.tools.len());
                registry.tools.push(tool);
            }
            registry.groups.push(group);
        }
        Ok(registry)
    }

    /// Every tool, in listing order.
    pub fn tools(&self) -> &[ToolEntry] {
        &self.tools
    }

    /// A tool by name.
    pub fn tool(&self, name: &str) -> Option<&ToolEntry> {
        self.by_name.get(name).map(|&i| &self.tools[i])
    }

    /// The plugin slots calls share (a shutdown waits for and stops calls through them).
    pub fn slots(&self) -> &Arc<crate::runtime::Slots> {
        self.runtime.slots()
    }

    /// The engine the groups were compiled with (a reload compiles the next set with it).
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// What every call shares.
    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// Runs an already-validated call of `tool` in a fresh instance of its component.
    pub async fn call(
        &self,
        tool: &ToolEntry,
        arguments: &str,
        scope: CallScope,
    ) -> Result<ToolOutput, CallFailure> {
        let group = &self.groups[tool.group];
        call::run(
            &self.runtime,
            &group.pre,
            group.name.clone(),
            &tool.name,
            arguments,
            self.services.clone(),
            group.grant.clone(),
            scope,
        )
        .await
    }
}

/// The start-up line of a third-party group: where it came from, its digest, who signed it,
/// what it may do and within which limits. Never key material: a signer is named by publisher
/// and key id.
fn log_loaded(group: &Group) {
    let provenance = group.provenance.as_ref();
    let signed = provenance.and_then(|p| p.signed.as_ref());
    let limits = &group.grant.limits;
    tracing::info!(
        group = %group.name,
        source = %group.source,
        sha256 = provenance.map_or("", |p| p.sha256.as_str()),
        signer = provenance.map_or("unsigned", Provenance::signer),
        key_id = signed.map_or("", |s| s.key_id.as_str()),
        trusted_comment = signed.map_or("", |s| s.trusted_comment.as_str()),
        policy = ?group.grant.policy,
        memory_mb = limits.memory_bytes / (1024 * 1024),
        cpu_ms = limits.cpu.as_millis() as u64,
        max_result_mb = limits.max_result_bytes / (1024 * 1024),
        "loaded a third-party plugin"
    );
}

/// Compiles (or loads from cache) a component, asks it for its tools and checks them.
async fn describe(
    runtime: &Runtime,
    candidate: Candidate,
    cache: Option<&cache::Cache>,
    services: &Arc<Services>,
) -> Result<(Group, Vec<ToolEntry>), LoadError> {
    let source = candidate.source.clone();
    let fail = |problem: String| LoadError::Component {
        source_name: source.clone(),
        problem,
    };
    let engine = runtime.engine.clone();
    let digest = candidate
        .digest
        .map_or_else(|| cache::digest(&candidate.bytes), str::to_owned);
    let component: Component = cache::load(&engine, &candidate.bytes, Some(&digest), cache)
        .map_err(|e| fail(format!("not a valid component: {e:#}")))?;
    contract::check(&component, &engine)
        .map_err(|why| fail(format!("does not fit the {CONTRACT} contract: {why}")))?;
    let instance_pre = runtime
        .linker
        .instantiate_pre(&component)
        .map_err(|e| fail(format!("does not fit the {CONTRACT} contract: {e:#}")))?;
    let pre = PluginPre::new(instance_pre).map_err(|e| {
        fail(format!(
            "does not fit the {CONTRACT} contract (no {CONTRACT_EXPORT} export; built against \
             another contract version?): {e:#}"
        ))
    })?;
    // A warm start reads what the component said last time instead of instantiating it. A
    // description is cached only once every check below passed, schemas compiled included.
    let settings = &services.settings;
    let cached = cache.and_then(|c| cache::cached_description(c, &digest, settings));
    let from_cache = cached.is_some();
    let info = match cached {
        Some(info) => info,
        None => call::describe(runtime, &pre, services.clone(), &candidate.limits)
            .await
            .map_err(|e| fail(format!("describe failed: {e}")))?,
    };
    let to_cache = (!from_cache).then(|| info.clone());
    if let Some(expected) = &candidate.expected_name
        && &info.name != expected
    {
        return Err(fail(format!(
            "declares group {:?}, expected {expected:?}",
            info.name
        )));
    }
    if info.name.is_empty()
        || !info
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(fail(format!(
            "group name {:?} must be lowercase letters, digits and '_'",
            info.name
        )));
    }
    let mut tools: Vec<ToolEntry> = Vec::new();
    for tool in info.tools {
        if tools.iter().any(|t| t.name == tool.name) {
            return Err(fail(format!("declares tool {:?} twice", tool.name)));
        }
        let input_schema = parse_schema(&tool.input_schema)
            .map_err(|e| fail(format!("tool {:?}: invalid input schema: {e}", tool.name)))?;
        jsonschema::meta::validate(&Value::Object(input_schema.clone()))
            .map_err(|e| fail(format!("tool {:?}: invalid input schema: {e}", tool.name)))?;
        // The meta-schema does not check everything (a `pattern` that is not a regex passes):
        // compile it once, so a schema that cannot compile is refused here, not on a call.
        if !from_cache {
            compile_schema(&input_schema).map_err(|e| {
                fail(format!(
                    "tool {:?}: input schema cannot be compiled: {e}",
                    tool.name
                ))
            })?;
        }
        let output_schema = match &tool.output_schema {
            Some(text) => Some(Arc::new(parse_schema(text).map_err(|e| {
                fail(format!("tool {:?}: invalid output schema: {e}", tool.name))
            })?)),
            None => None,
        };
        tools.push(ToolEntry {
            group: 0,
            name: tool.name,
            title: tool.title,
            description: tool.description,
            input_schema: Arc::new(input_schema),
            output_schema,
            annotations: tool.annotations,
            validator: std::sync::OnceLock::new(),
        });
    }
    if let (Some(cache), Some(info)) = (cache, &to_cache) {
        cache::store_description(cache, &digest, settings, info);
    }
    let group = Group {
        name: info.name.into(),
        version: info.version,
        source: candidate.source,
        grant: Arc::new(Grant {
            policy: candidate.policy,
            limits: candidate.limits,
        }),
        provenance: candidate.provenance,
        pre,
    };
    Ok((group, tools))
}

fn parse_schema(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) if map.get("type").and_then(Value::as_str) == Some("object") => {
            Ok(map)
        }
        Ok(_) => Err("must be a JSON object schema with \"type\": \"object\"".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Resolves `--groups` into group names, checking each against what can be loaded.
fn select(
    selection: Option<&str>,
    built: &[&str],
    external: &[String],
) -> Result<Vec<String>, LoadError> {
    let available: Vec<String> = built
        .iter()
        .map(|s| s.to_string())
        .chain(external.iter().cloned())
        .collect();
    let valid = || {
        let mut valid: Vec<String> = GROUP_ORDER.iter().map(|s| s.to_string()).collect();
        valid.extend(external.iter().cloned());
        valid.sort();
        valid.dedup();
        valid.join(", ")
    };
    let Some(selection) = selection.map(str::trim) else {
        // Defaults that this build has, plus every component the operator passed explicitly.
        let mut names: Vec<String> = DEFAULT_GROUPS
            .iter()
            .filter(|g| built.contains(g))
            .map(|g| g.to_string())
            .collect();
        names.extend(external.iter().cloned());
        return Ok(names);
    };
    if selection.eq_ignore_ascii_case("all") {
        return Ok(available);
    }
    let mut names = Vec::new();
    let listed: Vec<&str> = selection
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if listed.is_empty() {
        // `--groups ""` (or `--groups ,`) is a mistake, not a request for the defaults.
        return Err(LoadError::NoGroups { valid: valid() });
    }
    for name in listed {
        if !available.iter().any(|a| a == name) {
            let mut sorted = available.clone();
            sorted.sort();
            return Err(if GROUP_ORDER.contains(&name) {
                LoadError::NotBuilt {
                    name: name.into(),
                    available: sorted.join(", "),
                }
            } else {
                LoadError::UnknownGroup {
                    name: name.into(),
                    valid: valid(),
                }
            });
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    Ok(names)
}

fn order_key(name: &str) -> (usize, String) {
    (
        GROUP_ORDER
            .iter()
            .position(|g| *g == name)
            .unwrap_or(GROUP_ORDER.len()),
        name.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_rules() {
        let built = ["explore", "identity"];
        assert_eq!(select(None, &built, &[]).unwrap(), ["explore", "identity"]);
        assert_eq!(
            select(Some("all"), &built, &["extra".into()]).unwrap(),
            ["explore", "identity", "extra"]
        );
        assert_eq!(
            select(Some(" identity , explore,identity"), &built, &[]).unwrap(),
            ["identity", "explore"]
        );
        let err = select(Some("explore,nope"), &built, &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"nope\"") && err.contains("valid groups:") && err.contains("workflows"),
            "{err}"
        );
        let err = select(Some("query"), &built, &[]).unwrap_err().to_string();
        assert!(err.contains("not part of this build"), "{err}");
        for empty in ["", " ", ",", " , "] {
            let err = select(Some(empty), &built, &["extra".into()])
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("--groups names no tool group")
                    && err.contains("valid groups:")
                    && err.contains("explore")
                    && err.contains("extra"),
                "{empty:?}: {err}"
            );
        }
    }

    fn tool(schema: &str) -> ToolEntry {
        ToolEntry {
            group: 0,
            name: "t".into(),
            title: String::new(),
            description: String::new(),
            input_schema: Arc::new(parse_schema(schema).unwrap()),
            output_schema: None,
            annotations: Annotations {
                read_only: true,
                destructive: false,
                idempotent: true,
            },
            validator: std::sync::OnceLock::new(),
        }
    }

    #[test]
    fn a_schema_that_cannot_compile_is_an_error_not_a_panic() {
        let schema = r#"{"type":"object","properties":{"name":{"type":"string","pattern":"("}}}"#;
        // It passes the meta-schema, which is all the load used to check.
        jsonschema::meta::validate(&Value::Object(parse_schema(schema).unwrap())).unwrap();
        assert!(compile_schema(&parse_schema(schema).unwrap()).is_err());
        let bad = tool(schema);
        for _ in 0..2 {
            let err = bad.validate(&serde_json::json!({"name": "x"})).unwrap_err();
            assert!(
                err.contains("tool t cannot be called") && err.contains("cannot be compiled"),
                "{err}"
            );
        }
        let good = tool(r#"{"type":"object","properties":{"n":{"type":"integer"}}}"#);
        assert!(good.validate(&serde_json::json!({"n": 1})).is_ok());
        let err = good.validate(&serde_json::json!({"n": "x"})).unwrap_err();
        assert!(
            err.contains("invalid arguments for t") && err.contains("/n"),
            "{err}"
        );
    }

    #[test]
    fn listing_order_follows_the_python_server() {
        let mut names = vec!["identity", "zzz_custom", "explore", "health", "query"];
        names.sort_by_key(|n| order_key(n));
        assert_eq!(
            names,
            ["explore", "query", "health", "identity", "zzz_custom"]
        );
    }
}
