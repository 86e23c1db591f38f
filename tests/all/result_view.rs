//! The result view (MCP Apps): declared on the table tools only for clients that declare the
//! `io.modelcontextprotocol/ui` extension, served as `ui://looker/result`, and rendered for
//! real: headless Chromium loads the app in an iframe of a minimal MCP Apps host page that
//! answers `ui/initialize` and delivers a real `query` result as
//! `ui/notifications/tool-result`; the test checks the DOM and a screenshot.

use std::path::Path;
use std::process::Stdio;

use rmcp::model::{
    CallToolResult, ClientCapabilities, ClientConfig, ExtensionCapabilities, Implementation,
    ReadResourceRequestParams, ResourceContents, Tool,
};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

use crate::support::{Harness, json};

const URI: &str = "ui://looker/result";
const MIME: &str = "text/html;profile=mcp-app";
/// The chart's bar colour in the app.
const BAR: [u8; 3] = [0x3b, 0x6f, 0xd4];

/// A client that declares MCP Apps (HTML apps).
async fn apps_client(h: &Harness, args: &[&str]) -> RunningService<RoleClient, ClientConfig> {
    let mut extensions = ExtensionCapabilities::new();
    extensions.insert(
        "io.modelcontextprotocol/ui".into(),
        json!({"mimeTypes": [MIME]}).as_object().cloned().unwrap(),
    );
    let capabilities = ClientCapabilities::builder()
        .enable_extensions_with(extensions)
        .build();
    let (transport, _) = TokioChildProcess::builder(h.command(args))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    ClientConfig::new(capabilities, Implementation::new("apps-host", "1"))
        .serve(transport)
        .await
        .expect("MCP initialize")
}

fn view_of(tools: &[Tool], name: &str) -> Option<Value> {
    let tool = tools.iter().find(|t| t.name == name).unwrap();
    tool.meta.as_ref().and_then(|m| m.0.get("ui")).cloned()
}

/// A `query` with a string dimension and a count: a bar chart.
fn query_args() -> Value {
    json!({"model": "ecommerce", "view": "orders", "fields": ["orders.status", "orders.count"],
           "sorts": ["orders.count desc"], "limit": 50})
}

/// Calls a tool from a client of any handler.
async fn call_as<S: rmcp::service::Service<RoleClient>>(
    client: &RunningService<RoleClient, S>,
    tool: &str,
    args: Value,
) -> CallToolResult {
    client
        .call_tool(
            rmcp::model::CallToolRequestParams::new(tool.to_string())
                .with_arguments(args.as_object().cloned().unwrap()),
        )
        .await
        .unwrap_or_else(|e| panic!("tools/call {tool}: {e}"))
}

#[tokio::test]
async fn the_view_is_offered_only_to_clients_that_show_apps() {
    let h = Harness::new().await;
    let plain = h.stdio_client(&["--groups", "explore,query"]).await;
    let tools = plain.list_all_tools().await.unwrap();
    assert_eq!(
        view_of(&tools, "query"),
        None,
        "plain clients get plain tools"
    );
    let resources = plain.list_all_resources().await.unwrap();
    assert!(!resources.iter().any(|r| r.uri == URI));
    let result = call_as(&plain, "query", query_args()).await;
    assert!(
        json(&result)["rows"].is_array(),
        "plain results are unchanged"
    );
    plain.cancel().await.unwrap();

    let apps = apps_client(&h, &["--groups", "explore,query"]).await;
    let tools = apps.list_all_tools().await.unwrap();
    for name in ["query", "run_query", "run_look"] {
        assert_eq!(
            view_of(&tools, name),
            Some(json!({"resourceUri": URI})),
            "{name}"
        );
    }
    assert_eq!(view_of(&tools, "query_url"), None, "no table, no view");
    let resources = apps.list_all_resources().await.unwrap();
    let listed = resources
        .iter()
        .find(|r| r.uri == URI)
        .expect("the app is listed");
    assert_eq!(listed.mime_type.as_deref(), Some(MIME));
    let html = app_html(&apps).await;
    assert!(html.contains("ui/initialize") && html.contains("ui/notifications/tool-result"));
    apps.cancel().await.unwrap();
}

async fn app_html(client: &RunningService<RoleClient, ClientConfig>) -> String {
    let read = client
        .read_resource(ReadResourceRequestParams::new(URI))
        .await
        .unwrap();
    let [
        ResourceContents::TextResourceContents {
            text, mime_type, ..
        },
    ] = read.contents.as_slice()
    else {
        panic!("one text content: {read:?}");
    };
    assert_eq!(mime_type.as_deref(), Some(MIME));
    text.clone()
}

/// A minimal MCP Apps host: the app in a sandbox-like iframe, `ui/initialize` answered,
/// `result` delivered after `ui/notifications/initialized`, and what the app drew copied into
/// `#observed` when it reports its size.
fn host_page(app: &str, result: &CallToolResult) -> String {
    let srcdoc = app.replace('&', "&amp;").replace('"', "&quot;");
    let result = serde_json::to_string(result).unwrap().replace("</", "<\\/");
    format!(
        r##"<!doctype html><html><body style="margin:0">
<iframe id="app" style="border:0;width:800px;height:600px" srcdoc="{srcdoc}"></iframe>
<pre id="observed"></pre>
<script>
const result = {result};
const frame = document.getElementById("app");
window.addEventListener("message", e => {{
  if (e.source !== frame.contentWindow) return;
  const m = e.data;
  const reply = x => frame.contentWindow.postMessage(Object.assign({{jsonrpc: "2.0"}}, x), "*");
  if (m.method === "ui/initialize") reply({{id: m.id, result: {{protocolVersion: "2026-01-26",
      hostInfo: {{name: "test-host", version: "1"}}, hostCapabilities: {{}}, hostContext: {{}}}}}});
  else if (m.method === "ui/notifications/initialized") reply({{method: "ui/notifications/tool-result", params: result}});
  else if (m.method === "ui/notifications/size-changed") {{
    const d = frame.contentDocument;
    document.getElementById("observed").textContent = JSON.stringify({{
      rows: d.querySelectorAll("#table tbody tr").length,
      marks: d.querySelectorAll("#chart .mark").length,
      kind: d.getElementById("chart").dataset.kind}});
  }}
}});
</script></body></html>"##
    )
}

/// Chromium on PATH (`make test-deps` installs the Debian package).
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            std::process::Command::new(name)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}

fn run_chromium(browser: &str, dir: &Path, extra: &[&str]) -> std::process::Output {
    let page = format!("file://{}", dir.join("host.html").display());
    std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(["--virtual-time-budget=10000", "--window-size=800,700"])
        .args(extra)
        .arg(page)
        .output()
        .expect("chromium runs")
}

#[tokio::test]
async fn chromium_renders_a_real_query_result_as_a_table_and_a_chart() {
    let Some(browser) = chromium() else {
        eprintln!(
            "\n*** SKIPPED chromium_renders_a_real_query_result_as_a_table_and_a_chart: no Chromium \
             on PATH (run `make test-deps`, which installs the Debian package `chromium`) ***\n"
        );
        return;
    };
    let h = Harness::new().await;
    let client = apps_client(&h, &["--groups", "query"]).await;
    let result = call_as(&client, "query", query_args()).await;
    let rows = json(&result)["rows"].as_array().unwrap().len();
    assert!(rows >= 2, "a result worth a chart: {rows} rows");
    let html = app_html(&client).await;
    client.cancel().await.unwrap();

    let dir = tempdir();
    std::fs::write(dir.join("host.html"), host_page(&html, &result)).unwrap();
    let dom = run_chromium(browser, &dir, &["--dump-dom"]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    let observed = dom
        .split("<pre id=\"observed\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("the host page: {dom}"));
    let observed: Value = serde_json::from_str(&observed.replace("&quot;", "\""))
        .unwrap_or_else(|e| panic!("the app reported what it drew ({e}): {observed:?}"));
    assert_eq!(
        observed["rows"], rows,
        "one table row per result row: {observed}"
    );
    assert_eq!(observed["marks"], rows, "one bar per row: {observed}");
    assert_eq!(
        observed["kind"], "bar",
        "a string dimension and a count: bars"
    );

    let shot = dir.join("shot.png");
    let out = run_chromium(
        browser,
        &dir,
        &[&format!("--screenshot={}", shot.display())],
    );
    assert!(shot.exists(), "{}", String::from_utf8_lossy(&out.stderr));
    let (width, pixels) = decode_png(&shot);
    // The chart is the app's first 270 pixels below its status line.
    let chart = pixels
        .chunks(width * 3)
        .skip(30)
        .take(240)
        .flat_map(|row| row.chunks(3))
        .filter(|p| *p == BAR)
        .count();
    assert!(
        chart > 240 * width / 20,
        "the chart area shows bars: {chart} bar-coloured pixels"
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn tempdir() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "result-view-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The screenshot as (width, RGB bytes).
fn decode_png(path: &Path) -> (usize, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    let rgb = buffer[..info.buffer_size()]
        .chunks(channels)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width as usize, rgb)
}
