//! Two more `system__activity` explores for the audit tools, served by `system_activity.rs`:
//!
//! - `pdt_event_log`: build events of the simulator's persistent derived tables (`pdts.rs`):
//!   each table rebuilt a few times; `marketing`'s `campaign_facts` failed once (a warehouse
//!   timeout) before a successful retry.
//! - `event`: user events (logins, content changes, an API login, a schedule change), by the
//!   seeded users.

use serde_json::{Map, Value, json};

use super::system_activity::{Def, Kind, today};
use crate::state::World;

pub(super) const PDT_EVENT_LOG: &[Def] = &[
    ("pdt_event_log.id", "number", Kind::Dim("number")),
    ("pdt_event_log.created_date", "date_date", Kind::Dim("date")),
    ("pdt_event_log.created_time", "date_time", Kind::Dim("date")),
    ("pdt_event_log.model_name", "string", Kind::Dim("string")),
    ("pdt_event_log.view_name", "string", Kind::Dim("string")),
    ("pdt_event_log.action", "string", Kind::Dim("string")),
    ("pdt_event_log.action_data", "string", Kind::Dim("string")),
    ("pdt_event_log.connection", "string", Kind::Dim("string")),
    ("pdt_event_log.tablename", "string", Kind::Dim("string")),
    ("pdt_event_log.hash", "string", Kind::Dim("string")),
    ("pdt_event_log.count", "count", Kind::Count),
];

pub(super) const EVENT: &[Def] = &[
    ("event.id", "number", Kind::Dim("number")),
    ("event.created_date", "date_date", Kind::Dim("date")),
    ("event.created_time", "date_time", Kind::Dim("date")),
    ("event.name", "string", Kind::Dim("string")),
    ("event.category", "string", Kind::Dim("string")),
    ("event.is_api_call", "yesno", Kind::Dim("string")),
    ("user.id", "number", Kind::Dim("number")),
    ("user.email", "string", Kind::Dim("string")),
    ("user.name", "string", Kind::Dim("string")),
    ("event.count", "count", Kind::Count),
];

fn row(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

/// `(model, view, connection, events as (action, detail))`.
type PdtSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

pub(super) fn pdt_rows() -> Vec<Map<String, Value>> {
    const TIMEOUT: &str = "Query timed out after 600 seconds while building \
                           marketing.campaign_facts (connection bigquery_marketing)";
    let date = today();
    let builds: [PdtSeed; 3] = [
        (
            "ecommerce",
            "user_facts",
            "thelook",
            &[
                ("create begin", "datagroup orders_datagroup triggered"),
                ("create complete", "1.9 seconds, 1204 rows"),
                ("create begin", "datagroup orders_datagroup triggered"),
                ("create complete", "2.1 seconds, 1212 rows"),
            ],
        ),
        (
            "ecommerce",
            "orders_rollup",
            "thelook",
            &[
                ("create begin", "dependency user_facts rebuilt"),
                ("create complete", "0.7 seconds, 365 rows"),
            ],
        ),
        (
            "marketing",
            "campaign_facts",
            "bigquery_marketing",
            &[
                ("create begin", "datagroup daily triggered"),
                ("create error", TIMEOUT),
                ("create begin", "retry"),
                ("create complete", "412.0 seconds, 88 rows"),
            ],
        ),
    ];
    let mut rows = Vec::new();
    for (n, (model, view, connection, events)) in builds.iter().enumerate() {
        for (action, detail) in *events {
            let id = rows.len() + 1;
            let hash = format!("{:08x}", 0x5eed_0000_u32 + n as u32 * 17 + id as u32 / 2);
            rows.push(row(&[
                ("pdt_event_log.id", json!(id)),
                ("pdt_event_log.created_date", json!(date)),
                (
                    "pdt_event_log.created_time",
                    json!(format!("{date} 0{}:{:02}:00", n + 1, id * 3)),
                ),
                ("pdt_event_log.model_name", json!(model)),
                ("pdt_event_log.view_name", json!(view)),
                ("pdt_event_log.action", json!(action)),
                ("pdt_event_log.action_data", json!(detail)),
                ("pdt_event_log.connection", json!(connection)),
                (
                    "pdt_event_log.tablename",
                    json!(format!("lr$zz{hash}_{view}")),
                ),
                ("pdt_event_log.hash", json!(hash)),
            ]));
        }
    }
    rows
}

pub(super) fn event_rows(world: &World) -> Vec<Map<String, Value>> {
    let date = today();
    // (user id, event name, category, api call)
    let events: [(&str, &str, &str, bool); 10] = [
        ("1", "login", "user", false),
        ("2", "login", "user", false),
        ("2", "create_dashboard", "dashboard", false),
        ("2", "update_look", "look", false),
        ("3", "login", "user", false),
        ("3", "delete_dashboard", "dashboard", false),
        ("1", "api_login", "user", true),
        ("1", "update_scheduled_plan", "scheduled_plan", true),
        ("2", "logout", "user", false),
        ("3", "create_look", "look", false),
    ];
    events
        .iter()
        .enumerate()
        .map(|(i, (user, name, category, api))| {
            let u = world.users.get(user);
            let field = |k: &str| u.map_or(Value::Null, |u| u[k].clone());
            row(&[
                ("event.id", json!(i + 1)),
                ("event.created_date", json!(date)),
                (
                    "event.created_time",
                    json!(format!("{date} 1{}:{:02}:00", i % 10, i * 5)),
                ),
                ("event.name", json!(name)),
                ("event.category", json!(category)),
                ("event.is_api_call", json!(if *api { "Yes" } else { "No" })),
                ("user.id", json!(user.parse::<u64>().unwrap_or(0))),
                ("user.email", field("email")),
                ("user.name", field("display_name")),
            ])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::SimConfig;

    fn rows(query: Value) -> Vec<Vec<Value>> {
        let world = super::super::seed_world(&SimConfig::default());
        super::super::system_activity::run(&world, &query, None)
            .expect("system__activity")
            .map_err(|r| format!("{:?}", r.body))
            .unwrap()
            .rows
    }

    #[test]
    fn pdt_failures_and_user_events_filter() {
        let failed = rows(json!({"model": "system__activity", "view": "pdt_event_log",
            "fields": ["pdt_event_log.view_name", "pdt_event_log.action"],
            "filters": {"pdt_event_log.action": "%error%", "pdt_event_log.model_name": "marketing"},
            "limit": "10"}));
        assert_eq!(failed, [[json!("campaign_facts"), json!("create error")]]);
        let logins = rows(json!({"model": "system__activity", "view": "event",
            "fields": ["user.email", "event.count"],
            "filters": {"event.name": "login,logout"}, "sorts": ["user.email"], "limit": "10"}));
        assert_eq!(
            logins,
            [
                [json!("admin@example.com"), json!(1)],
                [json!("alice@example.com"), json!(2)],
                [json!("bob@example.com"), json!(1)],
            ]
        );
    }
}
