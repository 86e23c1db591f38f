//! The result view: an MCP App (extension `io.modelcontextprotocol/ui`) showing a query result
//! as a sortable table and a bar or line chart. Tools whose results are tables declare it in
//! `_meta.ui.resourceUri`, only for clients that declared the extension; the others get the
//! plain tool list. The app itself is `result_view.html` (no network, no CDN).

use rmcp::model::{
    CacheScope, ClientCapabilities, ListToolsResult, MetaObject, ReadResourceResult, Resource,
    ResourceContents,
};
use serde_json::json;

/// The app's resource.
pub const URI: &str = "ui://looker/result";
/// The MCP Apps extension id a client declares under `capabilities.extensions`.
pub const EXTENSION: &str = "io.modelcontextprotocol/ui";
/// The MIME type of an MCP App's HTML.
pub const MIME: &str = "text/html;profile=mcp-app";
/// Tools whose structured result is a table (`columns`, `rows`).
pub const TABLE_TOOLS: [&str; 3] = ["query", "run_query", "run_look"];
/// The app: HTML, CSS and JavaScript in one file.
pub const HTML: &str = include_str!("result_view.html");
/// The app does not change while the server runs; a day bounds a stale copy after an upgrade.
const TTL_MS: u64 = 86_400_000;

/// Whether the client shows MCP Apps: it declared the extension, and HTML apps if it lists
/// MIME types.
pub fn supported(capabilities: Option<&ClientCapabilities>) -> bool {
    let Some(settings) = capabilities
        .and_then(|c| c.extensions.as_ref())
        .and_then(|e| e.get(EXTENSION))
    else {
        return false;
    };
    match settings.get("mimeTypes").and_then(|m| m.as_array()) {
        None => true,
        Some(types) => types.iter().any(|t| t.as_str() == Some(MIME)),
    }
}

/// `listed` with the view declared on the table tools, for a client that shows apps.
pub fn tools(
    mut listed: ListToolsResult,
    capabilities: Option<&ClientCapabilities>,
) -> ListToolsResult {
    if !supported(capabilities) {
        return listed;
    }
    for tool in &mut listed.tools {
        if TABLE_TOOLS.iter().any(|t| *t == tool.name) {
            let meta = tool
                .meta
                .get_or_insert_with(|| MetaObject(Default::default()));
            meta.0.insert("ui".into(), json!({"resourceUri": URI}));
        }
    }
    listed
}

/// The app as a listed resource.
pub fn resource() -> Resource {
    Resource::new(URI, "result_view")
        .with_title("Query result view")
        .with_description("An interactive table and chart of a query, look or SQL result")
        .with_mime_type(MIME)
}

/// `resources/read` of [`URI`].
pub fn read() -> ReadResourceResult {
    let meta = MetaObject(
        json!({"ui": {"prefersBorder": true, "csp": {"connectDomains": [], "resourceDomains": []}}})
            .as_object()
            .cloned()
            .unwrap_or_default(),
    );
    ReadResourceResult::new(vec![
        ResourceContents::text(HTML, URI)
            .with_mime_type(MIME)
            .with_meta(meta),
    ])
    .with_ttl_ms(TTL_MS)
    .with_cache_scope(CacheScope::Public)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_extension(settings: serde_json::Value) -> ClientCapabilities {
        serde_json::from_value(json!({"extensions": {"io.modelcontextprotocol/ui": settings}}))
            .unwrap()
    }

    #[test]
    fn only_clients_declaring_html_apps_get_the_view() {
        assert!(!supported(None));
        assert!(!supported(Some(&ClientCapabilities::default())));
        assert!(supported(Some(&with_extension(json!({})))));
        assert!(supported(Some(&with_extension(
            json!({"mimeTypes": [MIME]})
        ))));
        assert!(!supported(Some(&with_extension(
            json!({"mimeTypes": ["text/uri-list"]})
        ))));
    }

    #[test]
    fn the_app_needs_no_network() {
        for needle in ["http://", "https://", "<link", "src="] {
            let found = HTML
                .match_indices(needle)
                .any(|(at, _)| !HTML[at..].starts_with("http://www.w3.org/2000/svg"));
            assert!(!found, "the app must be self-contained: found {needle}");
        }
    }
}
