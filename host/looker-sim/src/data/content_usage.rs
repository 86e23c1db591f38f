//! The `system__activity` `content_usage` explore (served by `system_activity.rs`): one row per
//! dashboard and Look with how often and how recently it was used. Usage is derived from the
//! content id, so some seeded content is fresh and some has gone unopened for months; deleted
//! content has no row.

use serde_json::{Map, Value, json};

use super::system_activity::{Def, Kind};
use crate::state::World;

pub(super) const CONTENT_USAGE: &[Def] = &[
    ("content_usage.content_type", "string", Kind::Dim("string")),
    ("content_usage.content_id", "string", Kind::Dim("string")),
    ("content_usage.content_title", "string", Kind::Dim("string")),
    (
        "content_usage.last_accessed_date",
        "date_date",
        Kind::Dim("date"),
    ),
    (
        "content_usage.days_since_last_accessed",
        "number",
        Kind::Dim("number"),
    ),
    ("content_usage.view_count", "number", Kind::Dim("number")),
    (
        "content_usage.favorites_count",
        "number",
        Kind::Dim("number"),
    ),
    (
        "content_usage.schedule_count",
        "number",
        Kind::Dim("number"),
    ),
    ("content_usage.api_count", "number", Kind::Dim("number")),
    ("content_usage.count", "count", Kind::Count),
];

/// Days since the content was last opened: a spread from 0 to ~400 days by id.
fn days_unused(kind: &str, id: &str) -> u64 {
    let n: u64 = id.bytes().map(u64::from).sum::<u64>() + id.parse::<u64>().unwrap_or(0) * 7;
    let salt = if kind == "dashboard" { 131 } else { 197 };
    (n * salt) % 400
}

/// `YYYY-MM-DD`, `days` before now (UTC).
fn date_before(days: u64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let z = (secs / 86_400).saturating_sub(days) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

pub(super) fn content_usage_rows(world: &World) -> Vec<Map<String, Value>> {
    let mut rows = Vec::new();
    let mut push = |kind: &str, item: &Value| {
        if item["deleted"] == true {
            return;
        }
        let id = item["id"].as_str().unwrap_or_default();
        let days = days_unused(kind, id);
        let mut row = Map::new();
        row.insert("content_usage.content_type".into(), json!(kind));
        row.insert("content_usage.content_id".into(), json!(id));
        row.insert("content_usage.content_title".into(), item["title"].clone());
        row.insert(
            "content_usage.last_accessed_date".into(),
            json!(date_before(days)),
        );
        row.insert("content_usage.days_since_last_accessed".into(), json!(days));
        row.insert("content_usage.view_count".into(), json!(400 - days));
        row.insert("content_usage.favorites_count".into(), json!(days % 3));
        row.insert("content_usage.schedule_count".into(), json!(days % 2));
        row.insert("content_usage.api_count".into(), json!(days % 5));
        rows.push(row);
    };
    for d in world.dashboards.list() {
        push("dashboard", d);
    }
    for l in world.looks.list() {
        push("look", l);
    }
    rows
}
