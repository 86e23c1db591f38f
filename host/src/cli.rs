//! Command-line interface. Flags mirror the Python `looker-mcp-server` (`--groups`, `--transport`,
//! `--port`) plus `--host`, `--demo` and `--plugin`; every other setting is a `LOOKER_*` variable.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// MCP server for the Looker API.
#[derive(Debug, Parser)]
#[command(name = "looker-mcp-server", version, about)]
pub struct Cli {
    /// Comma-separated tool groups to enable, or 'all'.
    /// Default: content,explore,health,identity,query,schema.
    #[arg(long)]
    pub groups: Option<String>,

    /// Transport mode (overrides LOOKER_TRANSPORT).
    #[arg(long, value_parser = ["stdio", "streamable-http"])]
    pub transport: Option<String>,

    /// HTTP bind address (overrides LOOKER_HOST).
    #[arg(long)]
    pub host: Option<String>,

    /// HTTP port (overrides LOOKER_PORT).
    #[arg(long)]
    pub port: Option<u16>,

    /// Start the built-in Looker simulator and serve against it (no Looker instance needed).
    #[arg(long)]
    pub demo: bool,

    /// Load an extra tool group from a `.wasm` component, or from an OCI registry
    /// (`oci://host/repo:tag` or `oci://host/repo@sha256:…`; repeatable).
    #[arg(long = "plugin", value_name = "PATH.wasm|oci://…", global = true)]
    pub plugins: Vec<PathBuf>,

    /// Load every `.wasm` component in this directory too (overrides LOOKER_PLUGIN_DIR).
    #[arg(long, value_name = "DIR", global = true)]
    pub plugin_dir: Option<PathBuf>,

    /// The lock file pinning third-party components (overrides LOOKER_PLUGIN_LOCK; default
    /// `plugins.lock` in the plugin directory, else in the working directory).
    #[arg(long, value_name = "PATH", global = true)]
    pub plugin_lock: Option<PathBuf>,

    /// Refuse to start when any third-party component is refused (default: start without it).
    #[arg(long)]
    pub strict_plugins: bool,

    /// Load components that are not pinned in the lock file (or changed), with the read-only
    /// policy.
    #[arg(long)]
    pub allow_unpinned_plugins: bool,

    /// Serve only read-only tools and refuse every request that changes Looker (overrides
    /// LOOKER_READ_ONLY).
    #[arg(long)]
    pub read_only: bool,

    /// Which tools tools/list shows: every served tool (full), or the most used ones plus
    /// search_tools, describe_tool and call_tool (progressive) for clients that cap the tool
    /// count (overrides LOOKER_TOOL_MODE; default full).
    #[arg(long, value_parser = ["full", "progressive"])]
    pub tool_mode: Option<String>,

    /// Read settings from this file instead of `./.env`.
    #[arg(long, value_name = "PATH")]
    pub env_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Maintenance commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile every embedded component into the on-disk cache, so the next start is fast.
    Precompile,
    /// Manage third-party tool-group components.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Work with the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// `audit …` commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check a `LOOKER_AUDIT_FILE`'s hash chain: exits 0 and prints the entry count and last
    /// hash when intact, 1 naming the first broken line otherwise.
    Verify {
        /// The audit file.
        file: PathBuf,
    },
}

/// `plugin …` commands.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Pin a component in the lock file (its sha256 and a policy) and print the entry. When
    /// `PATH.minisig` beside it verifies under a publisher's key, the entry records that
    /// publisher as its `signer`.
    Add {
        /// The `.wasm` component, or an `oci://` reference (pulled, then pinned with the
        /// manifest digest its tag names).
        path: PathBuf,
        /// Grant nothing (edit the lock file to grant requests) instead of read-only access.
        #[arg(long)]
        deny_all: bool,
    },
    /// Print, one JSON line each, every built-in group and every third-party component
    /// (`--plugin`, `--plugin-dir`) with its source, sha256, signer, policy and limits; a
    /// component the lock file refuses is printed with the reason.
    List,
    /// Write a new signing key pair, PREFIX.key (secret, not password-protected, so CI can
    /// sign unattended; keep it secret) and PREFIX.pub, in minisign's format. A password-protected
    /// key from `minisign -G` works too: `plugin sign` reads its password from
    /// LOOKER_PLUGIN_SIGNING_PASSWORD.
    Keygen {
        /// Where to write the keys: PREFIX.key and PREFIX.pub (never overwritten).
        #[arg(long, value_name = "PREFIX")]
        out: PathBuf,
    },
    /// Sign a component: writes FILE.minisig, a minisign signature (`minisign -Vm FILE -p KEY.pub`
    /// verifies it).
    Sign {
        /// The `.wasm` component.
        file: PathBuf,
        /// The secret key (from `plugin keygen` or `minisign -G`; a password-protected one
        /// needs LOOKER_PLUGIN_SIGNING_PASSWORD).
        #[arg(long, value_name = "SECRET_KEY")]
        key: PathBuf,
        /// The trusted comment, signed with the component (default: timestamp and file name).
        #[arg(long, value_name = "TEXT")]
        comment: Option<String>,
    },
    /// Verify a component's signature (FILE.minisig): against one public key with --key, else
    /// against the lock file (its pin, its publishers and the entry's signer). Exits 0
    /// printing the signer and sha256, 1 printing the reason.
    Verify {
        /// The `.wasm` component.
        file: PathBuf,
        /// A public key: a `.pub` file or its `RW…` line.
        #[arg(long, value_name = "PUBLIC_KEY")]
        key: Option<String>,
    },
    /// Trust a publisher: adds NAME and its public key to the lock file's publishers.
    Trust {
        /// The publisher's name (letters, digits, `-`, `_`, `.`).
        name: String,
        /// Its public key: a `.pub` file or its `RW…` line.
        public_key: String,
    },
    /// Create a new tool-group crate NAME: Cargo.toml, src/lib.rs with one read tool and its
    /// unit test, a Makefile that builds NAME.wasm, and a README.
    New {
        /// The group's name: lowercase letters, digits and `_`, starting with a letter.
        name: String,
        /// The directory to create it in (default: the current one); the crate is DIR/NAME.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The plugin SDK (`plugins/sdk` of a looker-mcp checkout); default: the one this
        /// binary was built from, when it exists.
        #[arg(long, value_name = "PATH")]
        sdk: Option<PathBuf>,
    },
}
