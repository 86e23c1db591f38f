//! Result formats for `/queries/.../run/{result_format}` and friends.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::engine::QueryResult;
use crate::http::Resp;
use crate::listing::display;

/// Formats Looker can produce that the simulator does not (images, spreadsheets).
const NOT_RENDERED: &[&str] = &["png", "jpg", "xlsx", "gsxml", "json_detail_lite_stream"];

/// Renders a query result in a Looker result format.
pub(crate) fn render(result: &QueryResult, format: &str, method: &str, template: &str) -> Resp {
    let names: Vec<&str> = result.fields.iter().map(|f| f.name.as_str()).collect();
    let labels: Vec<&str> = result.fields.iter().map(|f| f.label.as_str()).collect();
    match format {
        "json" => Resp::json(Value::Array(objects(result, &names))),
        "json_label" => Resp::json(Value::Array(objects(result, &labels))),
        "json_detail" => Resp::json(json_detail(result)),
        "json_bi" => Resp::json(json!({
            "metadata": { "fields": fields_meta(result) },
            "rows": objects(result, &names),
        })),
        "csv" => Resp::text("text/csv", delimited(result, &labels, ',')),
        "txt" => Resp::text("text/plain", delimited(result, &labels, '\t')),
        "md" => Resp::text("text/markdown", markdown(result, &labels)),
        "html" => Resp::text("text/html", html(result, &labels)),
        "sql" => Resp::text("text/plain", result.sql.clone()),
        f if NOT_RENDERED.contains(&f) => Resp::not_implemented(method, template),
        other => Resp::error(
            StatusCode::BAD_REQUEST,
            format!("Unsupported result format: {other}"),
        ),
    }
}

fn objects(result: &QueryResult, keys: &[&str]) -> Vec<Value> {
    result
        .rows
        .iter()
        .map(|row| {
            let mut obj = Map::new();
            for (k, v) in keys.iter().zip(row) {
                obj.insert((*k).to_string(), v.clone());
            }
            Value::Object(obj)
        })
        .collect()
}

pub(crate) fn fields_meta(result: &QueryResult) -> Value {
    let meta = |measure: bool| -> Vec<Value> {
        result
            .fields
            .iter()
            .filter(|f| f.measure == measure && !f.dynamic)
            .map(|f| json!({ "name": f.name, "label": f.label, "type": f.ty, "view": f.view, "measure": f.measure }))
            .collect()
    };
    let calcs: Vec<Value> = result
        .fields
        .iter()
        .filter(|f| f.dynamic)
        .map(|f| json!({ "name": f.name, "label": f.label }))
        .collect();
    json!({ "dimensions": meta(false), "measures": meta(true), "table_calculations": calcs, "pivots": [] })
}

fn json_detail(result: &QueryResult) -> Value {
    let data: Vec<Value> = result
        .rows
        .iter()
        .map(|row| {
            let mut obj = Map::new();
            for (f, v) in result.fields.iter().zip(row) {
                obj.insert(f.name.clone(), json!({ "value": v }));
            }
            Value::Object(obj)
        })
        .collect();
    json!({
        "data": data,
        "fields": fields_meta(result),
        "sql": result.sql,
        "has_totals": false,
        "has_row_totals": false,
        "has_subtotals": false,
        "null_values": [],
        "pivots": [],
        "timezone": "UTC",
        "ran_at": crate::data::SEED_TIME,
    })
}

fn delimited(result: &QueryResult, labels: &[&str], sep: char) -> String {
    let cell = |s: String| {
        if sep == ',' && (s.contains(',') || s.contains('"') || s.contains('\n')) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    };
    let mut out = String::new();
    let header: Vec<String> = labels.iter().map(|l| cell((*l).to_string())).collect();
    out.push_str(&header.join(&sep.to_string()));
    out.push('\n');
    for row in &result.rows {
        let cells: Vec<String> = row.iter().map(|v| cell(display(v))).collect();
        out.push_str(&cells.join(&sep.to_string()));
        out.push('\n');
    }
    out
}

fn markdown(result: &QueryResult, labels: &[&str]) -> String {
    let mut out = format!("| {} |\n", labels.join(" | "));
    out.push_str(&format!("|{}\n", " --- |".repeat(labels.len())));
    for row in &result.rows {
        let cells: Vec<String> = row.iter().map(display).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

fn html(result: &QueryResult, labels: &[&str]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut out = String::from("<table>\n<tr>");
    for l in labels {
        out.push_str(&format!("<th>{}</th>", esc(l)));
    }
    out.push_str("</tr>\n");
    for row in &result.rows {
        out.push_str("<tr>");
        for v in row {
            out.push_str(&format!("<td>{}</td>", esc(&display(v))));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}
