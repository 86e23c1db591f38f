//! Settings, read once at startup.
//!
//! Precedence: command-line flags > process environment (`LOOKER_*`) > the `.env` file
//! (`./.env`, or `--env-file`) > defaults. Names and defaults are those of the Python
//! `looker-mcp-server`, so existing deployments keep their configuration.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use crate::cli::Cli;

/// A value that must never be printed (client secrets, tokens).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Whether no secret was configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::hash::Hash for Secret {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Secret(<empty>)"
        } else {
            "Secret(***)"
        })
    }
}

/// How MCP clients reach the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// JSON-RPC over stdin/stdout.
    Stdio,
    /// MCP streamable HTTP at `/mcp`.
    StreamableHttp,
}

/// Who may talk to the MCP endpoint (`LOOKER_MCP_MODE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum McpMode {
    /// Permissive (optionally a deprecated static bearer).
    Dev,
    /// OAuth 2.1 resource server (JWT bearer).
    Public,
    /// Looker is the authorization server (opaque Looker tokens).
    LookerOauth,
}

/// Looker deployment flavour (`LOOKER_DEPLOYMENT_TYPE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeploymentType {
    /// Self-hosted Looker: impersonation by admin sudo.
    SelfHosted,
    /// Looker (Google Cloud core): impersonation by OAuth pass-through.
    GoogleCloudCore,
}

/// Every setting of the server.
#[derive(Clone, Debug)]
pub struct Config {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub api_version: String,
    pub deployment_type: DeploymentType,
    pub transport: Transport,
    pub host: String,
    pub port: u16,
    pub sudo_as_user: bool,
    pub sudo_associative: bool,
    pub user_email_header: String,
    pub user_token_header: String,
    pub timeout: Duration,
    pub max_rows: u32,
    pub query_dev_params: bool,
    pub verify_ssl: bool,
    pub log_level: String,
    pub mcp_mode: McpMode,
    pub mcp_jwks_uri: String,
    pub mcp_issuer_url: String,
    pub mcp_resource_uri: String,
    pub mcp_auth_token: Secret,
    pub oauth_scopes_supported: String,
    /// `dev` over HTTP: honour identity headers from any caller, as from a trusted gateway
    /// (`LOOKER_MCP_TRUST_GATEWAY`; a loopback bind or the static bearer implies it).
    pub mcp_trust_gateway: bool,
    /// `public`: the JWT claim naming the Looker user a call runs as (`LOOKER_MCP_IDENTITY_CLAIM`,
    /// default `email`).
    pub mcp_identity_claim: String,
    /// `public`: the scope a token needs to use `act_as_user` (`LOOKER_MCP_ACT_AS_SCOPE`; unset:
    /// no token may).
    pub mcp_act_as_scope: String,
    /// `public`: run a verified token that names no Looker user as the service account instead of
    /// refusing it (`LOOKER_MCP_UNMAPPED_AS_SERVICE_ACCOUNT`, default false).
    pub mcp_unmapped_as_service_account: bool,
    /// `Host` values accepted on HTTP (`LOOKER_ALLOWED_HOSTS`, comma-separated).
    pub allowed_hosts: Vec<String>,
    /// Browser `Origin`s accepted on HTTP (`LOOKER_ALLOWED_ORIGINS`, comma-separated).
    pub allowed_origins: Vec<String>,
    /// HTTP: serve gateway discovery at `/_introspect`, outside the MCP auth gate
    /// (`LOOKER_MCP_INTROSPECT`, default true).
    pub mcp_introspect: bool,
    /// HTTP: the bearer `/_introspect` requires (`LOOKER_MCP_INTROSPECT_BEARER`; unset: none, the
    /// endpoint relies on network controls).
    pub mcp_introspect_bearer: Secret,
    /// How long a Looker token verified in `looker_oauth` mode is trusted without asking Looker
    /// again (`LOOKER_MCP_TOKEN_CACHE_SECONDS`, default 60).
    pub mcp_token_cache_ttl: Duration,
    /// Linear memory a plugin instance may use (`LOOKER_PLUGIN_MEMORY_MB`, default 64).
    pub plugin_memory_bytes: usize,
    /// CPU time a plugin may spend in one call (`LOOKER_PLUGIN_CPU_MS`, default 10000).
    pub plugin_cpu: Duration,
    /// Wall-clock limit of one tool call (`LOOKER_CALL_TIMEOUT`, seconds, default 1800).
    pub call_timeout: Duration,
    /// Largest Looker response a plugin may receive (`LOOKER_MAX_RESPONSE_MB`, default 64).
    pub max_response_bytes: u64,
    /// Where compiled components are cached (`LOOKER_CACHE_DIR`; default: the user cache dir).
    pub cache_dir: Option<std::path::PathBuf>,
    /// Third-party components named on the command line (`--plugin`).
    pub plugins: Vec<std::path::PathBuf>,
    /// A directory of third-party components (`LOOKER_PLUGIN_DIR`, `--plugin-dir`).
    pub plugin_dir: Option<std::path::PathBuf>,
    /// The lock file (`LOOKER_PLUGIN_LOCK`, `--plugin-lock`).
    pub plugin_lock: Option<std::path::PathBuf>,
    /// Fail to start when a third-party component is refused (`LOOKER_STRICT_PLUGINS`).
    pub strict_plugins: bool,
    /// Load unpinned components read-only (`LOOKER_ALLOW_UNPINNED_PLUGINS`).
    pub allow_unpinned_plugins: bool,
    /// Reload third-party components when the plugin directory, a `--plugin` file or the lock
    /// file changes (`LOOKER_PLUGIN_WATCH`); SIGHUP reloads whatever this says.
    pub plugin_watch: bool,
    /// Serve only read-only tools and send nothing that changes Looker (`LOOKER_READ_ONLY`,
    /// `--read-only`).
    pub read_only: bool,
    /// Tools served, names or globs (`LOOKER_TOOLS`; empty: all loaded).
    pub tools: Vec<String>,
    /// Tools not served, names or globs (`LOOKER_EXCLUDE_TOOLS`).
    pub exclude_tools: Vec<String>,
    /// Models (or `model/explore`s) calls may use (`LOOKER_ALLOWED_MODELS`; empty: all).
    pub allowed_models: Vec<String>,
    /// The hash-chained audit file (`LOOKER_AUDIT_FILE`).
    pub audit_file: Option<std::path::PathBuf>,
    /// Most characters of one tool result's text, and of its structured content
    /// (`LOOKER_MAX_RESULT_CHARS`, default 100000; 0: no budget). See `fit::budget`.
    pub max_result_chars: usize,
    /// Which tools `tools/list` shows: all, or a core plus search/describe/call
    /// (`LOOKER_TOOL_MODE`, `--tool-mode`, default full). See `fit::progressive`.
    pub tool_mode: crate::fit::progressive::ToolMode,
    /// Redis shared by the replicas for branch leases, the restore journal and MCP sessions
    /// (`LOOKER_REDIS_URL`; unset: all of it stays in this process). May carry a password.
    pub redis_url: Secret,
    /// How long a replica's branch lease outlives it when it stops renewing (a crash)
    /// (`LOOKER_BRANCH_LEASE_SECONDS`, default 15).
    pub branch_lease_ttl: Duration,
    /// Longest a branch swap waits for another call's swap of the same user and project
    /// (`LOOKER_BRANCH_WAIT_SECONDS`, default 60).
    pub branch_wait: Duration,
    /// Service bounds: connections, sessions, plugin slots and shutdown ([`ServiceLimits`]).
    pub limits: ServiceLimits,
    /// Code mode (`api` group): whether its changing requests run: off (default), confirm
    /// (with `confirm: true`, asked of the user when the client can) or allow
    /// (`LOOKER_API_WRITES`).
    pub api_writes: ApiWrites,
    /// Code mode: more operation ids (or `*` globs) never sent, on top of the built-in deny
    /// list (`LOOKER_API_DENY`).
    pub api_deny: Vec<String>,
    /// Code mode: most Looker requests one `run_looker_script` call may make
    /// (`LOOKER_API_SCRIPT_MAX_REQUESTS`, default 50).
    pub api_script_max_requests: u32,
    /// Prometheus metrics at `/metrics` on the HTTP transport (`LOOKER_METRICS`, default false).
    pub metrics: bool,
}

/// How much of the server one client, one principal or everyone together may hold, and how
/// long a stop waits. README "Limits" says why each default is what it is.
#[derive(Clone, Debug)]
pub struct ServiceLimits {
    /// Open HTTP connections (`LOOKER_MCP_MAX_CONNECTIONS`, default 1024); more are answered 503.
    pub max_connections: usize,
    /// From waiting for a request to having its headers, which also bounds an idle kept-alive
    /// connection (`LOOKER_MCP_HEADER_TIMEOUT_SECS`, default 10).
    pub header_timeout: Duration,
    /// Reading one request body (`LOOKER_MCP_BODY_TIMEOUT_SECS`, default 30); then 408.
    pub body_timeout: Duration,
    /// Live MCP sessions in all (`LOOKER_MCP_MAX_SESSIONS`, default 1000); then 503.
    pub max_sessions: usize,
    /// Live MCP sessions of one principal (`LOOKER_MCP_MAX_SESSIONS_PER_PRINCIPAL`, default 32);
    /// then 429.
    pub max_sessions_per_principal: usize,
    /// A session with no traffic for this long is closed (`LOOKER_MCP_SESSION_IDLE_SECS`,
    /// default 600).
    pub session_idle: Duration,
    /// Plugin slots one principal may hold (`LOOKER_MCP_SLOTS_PER_PRINCIPAL`, default 16 of 32).
    pub slots_per_principal: usize,
    /// The longest a call waits for a plugin slot (`LOOKER_MCP_SLOT_WAIT_SECS`, default 30).
    pub slot_wait: Duration,
    /// After SIGTERM/SIGINT, how long calls in flight may run on before they are cancelled
    /// (`LOOKER_MCP_SHUTDOWN_GRACE_SECS`, default 20).
    pub shutdown_grace: Duration,
}

/// A setting that could not be understood.
#[derive(Debug, thiserror::Error)]
#[error("invalid {name}={value:?}: {reason}")]
pub struct ConfigError {
    name: String,
    value: String,
    reason: String,
}

impl Config {
    /// Loads the settings: flags over the process environment over the `.env` file.
    pub fn load(cli: &Cli) -> Result<Self, ConfigError> {
        let mut env: HashMap<String, String> = HashMap::new();
        let file = match &cli.env_file {
            Some(path) => dotenvy::from_path_iter(path).ok(),
            None => dotenvy::from_path_iter(".env").ok(),
        };
        for (key, value) in file.into_iter().flatten().flatten() {
            env.insert(key, value);
        }
        env.extend(std::env::vars().filter(|(k, _)| k.starts_with("LOOKER_")));
        let mut config = Self::from_env(&env)?;
        if let Some(t) = &cli.transport {
            config.transport = parse_transport(t)?;
        }
        if let Some(host) = &cli.host {
            config.host = host.clone();
        }
        if let Some(port) = cli.port {
            config.port = port;
        }
        config.plugins = cli.plugins.clone();
        if let Some(dir) = &cli.plugin_dir {
            config.plugin_dir = Some(dir.clone());
        }
        if let Some(lock) = &cli.plugin_lock {
            config.plugin_lock = Some(lock.clone());
        }
        config.strict_plugins |= cli.strict_plugins;
        config.read_only |= cli.read_only;
        config.allow_unpinned_plugins |= cli.allow_unpinned_plugins;
        if let Some(mode) = &cli.tool_mode {
            config.tool_mode = crate::fit::progressive::ToolMode::parse(mode)
                .map_err(|why| invalid("--tool-mode", mode, &why))?;
        }
        Ok(config)
    }

    /// Builds the settings from `LOOKER_*` pairs alone (tests use this directly).
    pub fn from_env(env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            env.get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let text = |name: &str, default: &str| get(name).unwrap_or_else(|| default.to_string());
        let flag = |name: &str, default: bool| match get(name) {
            None => Ok(default),
            Some(v) => parse_bool(&v).ok_or_else(|| invalid(name, &v, "expected true or false")),
        };
        let number = |name: &str, default: f64| match get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .ok_or_else(|| invalid(name, &v, "expected a non-negative number")),
        };
        // Kubernetes injects LOOKER_PORT=tcp://… and LOOKER_HOST for a Service named `looker`;
        // those are not ours, so they fall back to the defaults (as the Python server does).
        let port = match get("LOOKER_PORT") {
            Some(v) if v.starts_with("tcp://") => 8080,
            Some(v) => v
                .parse()
                .map_err(|_| invalid("LOOKER_PORT", &v, "expected a port number"))?,
            None => 8080,
        };
        let host = match get("LOOKER_HOST") {
            Some(v) if !v.starts_with("tcp://") => v,
            _ => "0.0.0.0".to_string(),
        };
        let deployment_type = match text("LOOKER_DEPLOYMENT_TYPE", "self_hosted").as_str() {
            "self_hosted" => DeploymentType::SelfHosted,
            "google_cloud_core" => DeploymentType::GoogleCloudCore,
            other => {
                return Err(invalid(
                    "LOOKER_DEPLOYMENT_TYPE",
                    other,
                    "expected self_hosted or google_cloud_core",
                ));
            }
        };
        let mcp_mode = match text("LOOKER_MCP_MODE", "dev").to_ascii_lowercase().as_str() {
            "dev" => McpMode::Dev,
            "public" => McpMode::Public,
            "looker_oauth" => McpMode::LookerOauth,
            other => {
                return Err(invalid(
                    "LOOKER_MCP_MODE",
                    other,
                    "expected dev, public or looker_oauth",
                ));
            }
        };
        let list = |name: &str| -> Vec<String> {
            text(name, "")
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(String::from)
                .collect()
        };
        // A zero timeout would refuse everything; the smallest accepted is one millisecond.
        let seconds = |name: &str, default: f64| {
            number(name, default).map(|n| Duration::from_secs_f64(n).max(Duration::from_millis(1)))
        };
        let mib =
            |name: &str, default: f64| number(name, default).map(|n| (n * 1024.0 * 1024.0) as u64);
        Ok(Self {
            base_url: base_url(&text("LOOKER_BASE_URL", ""))?,
            client_id: text("LOOKER_CLIENT_ID", ""),
            client_secret: Secret::new(text("LOOKER_CLIENT_SECRET", "")),
            api_version: text("LOOKER_API_VERSION", "4.0"),
            deployment_type,
            transport: parse_transport(&text("LOOKER_TRANSPORT", "stdio"))?,
            host,
            port,
            sudo_as_user: flag("LOOKER_SUDO_AS_USER", true)?,
            sudo_associative: flag("LOOKER_SUDO_ASSOCIATIVE", false)?,
            user_email_header: text("LOOKER_USER_EMAIL_HEADER", "X-User-Email"),
            user_token_header: text("LOOKER_USER_TOKEN_HEADER", "X-User-Token"),
            timeout: Duration::from_secs_f64(number("LOOKER_TIMEOUT", 60.0)?),
            max_rows: number("LOOKER_MAX_ROWS", 5000.0)? as u32,
            query_dev_params: flag("LOOKER_QUERY_DEV_PARAMS", false)?,
            verify_ssl: flag("LOOKER_VERIFY_SSL", true)?,
            log_level: text("LOOKER_LOG_LEVEL", "INFO"),
            mcp_mode,
            mcp_jwks_uri: text("LOOKER_MCP_JWKS_URI", ""),
            mcp_issuer_url: text("LOOKER_MCP_ISSUER_URL", ""),
            mcp_resource_uri: text("LOOKER_MCP_RESOURCE_URI", ""),
            mcp_auth_token: Secret::new(text("LOOKER_MCP_AUTH_TOKEN", "")),
            oauth_scopes_supported: text("LOOKER_OAUTH_SCOPES_SUPPORTED", "cors_api"),
            mcp_trust_gateway: flag("LOOKER_MCP_TRUST_GATEWAY", false)?,
            mcp_identity_claim: text("LOOKER_MCP_IDENTITY_CLAIM", "email"),
            mcp_act_as_scope: text("LOOKER_MCP_ACT_AS_SCOPE", ""),
            mcp_unmapped_as_service_account: flag("LOOKER_MCP_UNMAPPED_AS_SERVICE_ACCOUNT", false)?,
            allowed_hosts: list("LOOKER_ALLOWED_HOSTS"),
            allowed_origins: list("LOOKER_ALLOWED_ORIGINS"),
            mcp_introspect: flag("LOOKER_MCP_INTROSPECT", true)?,
            mcp_introspect_bearer: Secret::new(text("LOOKER_MCP_INTROSPECT_BEARER", "")),
            mcp_token_cache_ttl: Duration::from_secs_f64(number(
                "LOOKER_MCP_TOKEN_CACHE_SECONDS",
                60.0,
            )?),
            plugin_memory_bytes: mib("LOOKER_PLUGIN_MEMORY_MB", 64.0)? as usize,
            plugin_cpu: Duration::from_millis(number("LOOKER_PLUGIN_CPU_MS", 10_000.0)? as u64),
            call_timeout: Duration::from_secs_f64(number("LOOKER_CALL_TIMEOUT", 1800.0)?),
            max_response_bytes: mib("LOOKER_MAX_RESPONSE_MB", 64.0)?,
            cache_dir: get("LOOKER_CACHE_DIR").map(Into::into),
            plugins: Vec::new(),
            plugin_dir: get("LOOKER_PLUGIN_DIR").map(Into::into),
            plugin_lock: get("LOOKER_PLUGIN_LOCK").map(Into::into),
            strict_plugins: flag("LOOKER_STRICT_PLUGINS", false)?,
            allow_unpinned_plugins: flag("LOOKER_ALLOW_UNPINNED_PLUGINS", false)?,
            plugin_watch: flag("LOOKER_PLUGIN_WATCH", false)?,
            read_only: flag("LOOKER_READ_ONLY", false)?,
            tools: list("LOOKER_TOOLS"),
            exclude_tools: list("LOOKER_EXCLUDE_TOOLS"),
            allowed_models: list("LOOKER_ALLOWED_MODELS"),
            audit_file: get("LOOKER_AUDIT_FILE").map(Into::into),
            max_result_chars: number(
                "LOOKER_MAX_RESULT_CHARS",
                crate::fit::DEFAULT_MAX_RESULT_CHARS as f64,
            )? as usize,
            tool_mode: crate::fit::progressive::ToolMode::parse(&text("LOOKER_TOOL_MODE", "full"))
                .map_err(|why| invalid("LOOKER_TOOL_MODE", &text("LOOKER_TOOL_MODE", ""), &why))?,
            redis_url: Secret::new(text("LOOKER_REDIS_URL", "")),
            branch_lease_ttl: Duration::from_secs_f64(number("LOOKER_BRANCH_LEASE_SECONDS", 15.0)?),
            branch_wait: Duration::from_secs_f64(number("LOOKER_BRANCH_WAIT_SECONDS", 60.0)?),
            api_writes: ApiWrites::parse(&text("LOOKER_API_WRITES", "off"))?,
            api_deny: list("LOOKER_API_DENY"),
            api_script_max_requests: number("LOOKER_API_SCRIPT_MAX_REQUESTS", 50.0)? as u32,
            limits: ServiceLimits {
                max_connections: number("LOOKER_MCP_MAX_CONNECTIONS", 1024.0)? as usize,
                header_timeout: seconds("LOOKER_MCP_HEADER_TIMEOUT_SECS", 10.0)?,
                body_timeout: seconds("LOOKER_MCP_BODY_TIMEOUT_SECS", 30.0)?,
                max_sessions: number("LOOKER_MCP_MAX_SESSIONS", 1000.0)? as usize,
                max_sessions_per_principal: number("LOOKER_MCP_MAX_SESSIONS_PER_PRINCIPAL", 32.0)?
                    as usize,
                session_idle: seconds("LOOKER_MCP_SESSION_IDLE_SECS", 600.0)?,
                slots_per_principal: number("LOOKER_MCP_SLOTS_PER_PRINCIPAL", 16.0)? as usize,
                slot_wait: seconds("LOOKER_MCP_SLOT_WAIT_SECS", 30.0)?,
                shutdown_grace: seconds("LOOKER_MCP_SHUTDOWN_GRACE_SECS", 20.0)?,
            },
            metrics: flag("LOOKER_METRICS", false)?,
        })
    }

    /// The lock file in effect: the configured one, else `plugins.lock` in the plugin directory,
    /// else in the working directory.
    pub fn plugin_lock_path(&self) -> std::path::PathBuf {
        self.plugin_lock.clone().unwrap_or_else(|| {
            self.plugin_dir
                .as_deref()
                .unwrap_or(std::path::Path::new("."))
                .join("plugins.lock")
        })
    }

    /// Where compiled and pulled components and the branch journal are kept: `LOOKER_CACHE_DIR`,
    /// else the user's cache directory (none where there is no such directory).
    pub fn cache_root(&self) -> Option<std::path::PathBuf> {
        self.cache_dir.clone().or_else(crate::runtime::cache_dir)
    }

    /// The Looker API root, e.g. `https://example.looker.com/api/4.0`.
    pub fn api_root(&self) -> String {
        format!("{}/api/{}", self.base_url, self.api_version)
    }
}

/// Whether the `api` group's changing requests run (`LOOKER_API_WRITES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiWrites {
    /// Refused (the default).
    #[default]
    Off,
    /// Run with `confirm: true`; the host asks the user first when the client can.
    Confirm,
    /// Run.
    Allow,
}

impl ApiWrites {
    fn parse(value: &str) -> Result<Self, ConfigError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "off" | "" => Ok(Self::Off),
            "confirm" => Ok(Self::Confirm),
            "allow" => Ok(Self::Allow),
            other => Err(invalid(
                "LOOKER_API_WRITES",
                other,
                "expected off, confirm or allow",
            )),
        }
    }

    /// The setting's name as plugins see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Confirm => "confirm",
            Self::Allow => "allow",
        }
    }
}

fn parse_transport(value: &str) -> Result<Transport, ConfigError> {
    match value {
        "stdio" => Ok(Transport::Stdio),
        "streamable-http" => Ok(Transport::StreamableHttp),
        other => Err(invalid(
            "LOOKER_TRANSPORT",
            other,
            "expected stdio or streamable-http",
        )),
    }
}

/// `LOOKER_BASE_URL` without its trailing `/`, checked: empty (not set), or an absolute
/// `http(s)://host[:port]` URL with no path, query, fragment or credentials (the server adds
/// `/api/<version>` itself).
fn base_url(value: &str) -> Result<String, ConfigError> {
    const NAME: &str = "LOOKER_BASE_URL";
    let trimmed = value.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    let example = "expected the instance's address, e.g. https://mycompany.looker.com";
    let url =
        url::Url::parse(trimmed).map_err(|e| invalid(NAME, value, &format!("{e}; {example}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(invalid(
            NAME,
            value,
            &format!("must start with https:// (or http://); {example}"),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(NAME, value, &format!("names no host; {example}")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            NAME,
            value,
            "must not carry credentials (use LOOKER_CLIENT_ID and LOOKER_CLIENT_SECRET)",
        ));
    }
    if url.path() != "/" && !url.path().is_empty() {
        return Err(invalid(
            NAME,
            value,
            &format!(
                "must not have a path ({}); the server adds /api/<LOOKER_API_VERSION> itself",
                url.path()
            ),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            NAME,
            value,
            "must not have a query ('?') or fragment ('#')",
        ));
    }
    Ok(trimmed.to_string())
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn invalid(name: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError {
        name: name.into(),
        value: value.into(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_match_the_python_server() {
        let c = Config::from_env(&env(&[])).unwrap();
        assert_eq!(c.api_version, "4.0");
        assert_eq!(c.transport, Transport::Stdio);
        assert_eq!((c.host.as_str(), c.port), ("0.0.0.0", 8080));
        assert!(c.sudo_as_user && !c.sudo_associative && c.verify_ssl && !c.query_dev_params);
        assert_eq!(c.user_email_header, "X-User-Email");
        assert_eq!(c.user_token_header, "X-User-Token");
        assert_eq!(c.timeout, Duration::from_secs(60));
        assert_eq!(c.max_rows, 5000);
        assert_eq!(c.mcp_mode, McpMode::Dev);
        assert_eq!(c.deployment_type, DeploymentType::SelfHosted);
    }

    #[test]
    fn reads_values_and_strips_the_trailing_slash() {
        let c = Config::from_env(&env(&[
            ("LOOKER_BASE_URL", "https://x.looker.com/"),
            ("LOOKER_TRANSPORT", "streamable-http"),
            ("LOOKER_SUDO_AS_USER", "false"),
            ("LOOKER_TIMEOUT", "2.5"),
        ]))
        .unwrap();
        assert_eq!(c.api_root(), "https://x.looker.com/api/4.0");
        assert_eq!(c.transport, Transport::StreamableHttp);
        assert!(!c.sudo_as_user);
        assert_eq!(c.timeout, Duration::from_millis(2500));
    }

    #[test]
    fn kubernetes_service_variables_fall_back_to_defaults() {
        let c = Config::from_env(&env(&[
            ("LOOKER_PORT", "tcp://10.0.0.1:8080"),
            ("LOOKER_HOST", "tcp://10.0.0.1"),
        ]))
        .unwrap();
        assert_eq!((c.host.as_str(), c.port), ("0.0.0.0", 8080));
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = Config::from_env(&env(&[("LOOKER_TRANSPORT", "sse")])).unwrap_err();
        assert!(err.to_string().contains("LOOKER_TRANSPORT"), "{err}");
        let err = Config::from_env(&env(&[("LOOKER_VERIFY_SSL", "maybe")])).unwrap_err();
        assert!(err.to_string().contains("LOOKER_VERIFY_SSL"), "{err}");
    }

    #[test]
    fn a_malformed_base_url_is_refused_naming_the_variable() {
        for (bad, why) in [
            ("looker.example.com", "relative URL without a base"),
            ("looker.example.com:19999", "must start with https://"),
            ("ftp://looker.example.com", "must start with https://"),
            ("https://", "empty host"),
            (
                "https://looker.example.com/api/4.0",
                "must not have a path (/api/4.0)",
            ),
            ("https://looker.example.com/looker/", "must not have a path"),
            ("https://looker.example.com?x=1", "query"),
            ("https://looker.example.com/#top", "fragment"),
            ("https://me:pw@looker.example.com", "credentials"),
        ] {
            let err = Config::from_env(&env(&[("LOOKER_BASE_URL", bad)]))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("invalid LOOKER_BASE_URL=") && err.contains(why),
                "{bad}: {err}"
            );
        }
        for (good, stored) in [
            ("https://looker.example.com", "https://looker.example.com"),
            (
                "https://looker.example.com:19999/",
                "https://looker.example.com:19999",
            ),
            ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
            ("", ""),
        ] {
            let c = Config::from_env(&env(&[("LOOKER_BASE_URL", good)])).unwrap();
            assert_eq!(c.base_url, stored);
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let c = Config::from_env(&env(&[
            ("LOOKER_CLIENT_SECRET", "hunter2"),
            ("LOOKER_MCP_INTROSPECT_BEARER", "gateway-s3cret"),
        ]))
        .unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("hunter2") && !printed.contains("gateway-s3cret"));
    }

    #[test]
    fn service_limits_have_defaults_and_read_fractions() {
        let c = Config::from_env(&env(&[])).unwrap().limits;
        assert_eq!(
            (
                c.max_connections,
                c.max_sessions,
                c.max_sessions_per_principal
            ),
            (1024, 1000, 32)
        );
        assert_eq!(
            (c.slots_per_principal, c.slot_wait),
            (16, Duration::from_secs(30))
        );
        assert_eq!(c.shutdown_grace, Duration::from_secs(20));
        let c = Config::from_env(&env(&[("LOOKER_MCP_SHUTDOWN_GRACE_SECS", "0.5")])).unwrap();
        assert_eq!(c.limits.shutdown_grace, Duration::from_millis(500));
        let err = Config::from_env(&env(&[("LOOKER_MCP_MAX_SESSIONS", "-1")])).unwrap_err();
        assert!(err.to_string().contains("LOOKER_MCP_MAX_SESSIONS"), "{err}");
    }

    #[test]
    fn introspect_is_served_by_default_and_can_be_turned_off() {
        let c = Config::from_env(&env(&[])).unwrap();
        assert!(c.mcp_introspect && c.mcp_introspect_bearer.is_empty());
        let c = Config::from_env(&env(&[("LOOKER_MCP_INTROSPECT", "false")])).unwrap();
        assert!(!c.mcp_introspect);
    }
}
