//! Scheduled plans: deliveries of looks, dashboards and queries.

use looker_mcp_plugin_sdk::args::{Body, default, non_blank};
use looker_mcp_plugin_sdk::looker::Request;
use looker_mcp_plugin_sdk::schema::{self, ObjectSchema, Ty};
use looker_mcp_plugin_sdk::shape::{pick, redact};
use looker_mcp_plugin_sdk::{Context, Tool, ToolError, path};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::users::LIST_LIMIT;

/// The format of `recipients` emails unless told otherwise (schema and serde default).
const EMAIL_FORMAT: &str = "wysiwyg_pdf";

/// This module's tools, each declared beside its handler below.
pub fn tools() -> impl IntoIterator<Item = Tool> {
    [
        Tool::reader(
            "list_schedules",
            "List schedules",
            "Lists scheduled deliveries (every user's, or one user's with `user_id`): \
            name, owner, target (look, dashboard or query), crontab or datagroup, enabled \
            flag, next and last run, and destinations. Returns `{count, total, schedules, \
            truncated?}`.",
        )
        .schema(
            schema::object()
                .optional(
                    "user_id",
                    Ty::Str,
                    "Only this user's schedules; every user's when left out.",
                )
                .with_default(
                    "limit",
                    Ty::Int.min(1),
                    LIST_LIMIT,
                    "Most schedules to return.",
                ),
        )
        .handler(list_schedules),
        Tool::creator(
            "create_schedule",
            "Create a schedule",
            "Creates a scheduled delivery of one look, dashboard, LookML dashboard or \
            query, triggered by a `crontab` or a `datagroup`, to `recipients` (email \
            shorthand, in `email_format`) or to full `destinations` (email, webhook, S3, \
            SFTP). Conditions, PDF options and custom links are optional. Example: \
            {\"name\": \"Weekly sales\", \"dashboard_id\": \"1\", \"crontab\": \"0 9 * * \
            1\", \"recipients\": [\"team@example.com\"]}.",
        )
        .schema(
            schema::object()
                .required("name", Ty::Str, "Schedule name.")
                .extend(plan_properties()),
        )
        .handler(create_schedule),
        Tool::deleter(
            "delete_schedule",
            "Delete a schedule",
            "Deletes a scheduled delivery; nothing more is sent. To pause instead, use \
            `update_schedule` with `enabled: false`.",
        )
        .schema(schema::object().required(
            "schedule_id",
            Ty::Str,
            "Scheduled plan id (from `list_schedules`).",
        ))
        .handler(delete_schedule),
        Tool::overwriter(
            "update_schedule",
            "Update a schedule",
            "Changes a scheduled delivery: name, trigger, target, conditions, formatting, \
            owner; `recipients` or `destinations` replace all current destinations. Only \
            the fields given change. Returns the schedule as it now is and the fields \
            changed.",
        )
        .schema(
            schema::object()
                .required(
                    "schedule_id",
                    Ty::Str,
                    "Scheduled plan id (from `list_schedules`).",
                )
                .optional("name", Ty::Str, "New name.")
                .extend(plan_properties()),
        )
        .handler(update_schedule),
        Tool::creator(
            "run_schedule_once",
            "Run a schedule now",
            "Runs a scheduled delivery once, now, outside its schedule (e.g. to test it or \
            resend after a data fix). Each call sends the delivery again. Delivery is \
            asynchronous.",
        )
        .schema(schema::object().required(
            "schedule_id",
            Ty::Str,
            "Scheduled plan id (from `list_schedules`).",
        ))
        .handler(run_schedule_once),
    ]
}

/// The scheduled-plan arguments `create_schedule` and `update_schedule` share (after `name`).
fn plan_properties() -> ObjectSchema {
    schema::object()
        .optional(
            "crontab",
            Ty::Str,
            "When to deliver, as a crontab, e.g. `0 9 * * 1` (Mondays 09:00). Not \
                with `datagroup`.",
        )
        .optional("look_id", Ty::Str, "Deliver this look (one target only).")
        .optional(
            "dashboard_id",
            Ty::Str,
            "Deliver this dashboard (one target only).",
        )
        .optional(
            "lookml_dashboard_id",
            Ty::Str,
            "Deliver this LookML dashboard, e.g. `ecommerce::overview` (one target \
                only).",
        )
        .optional(
            "query_id",
            Ty::Str,
            "Deliver this query's results (one target only).",
        )
        .optional(
            "recipients",
            Ty::StrList,
            "Email addresses: shorthand for email destinations in `email_format`. \
                Not with `destinations`.",
        )
        .with_default(
            "email_format",
            Ty::Str,
            EMAIL_FORMAT,
            "Format of the `recipients` emails: `wysiwyg_pdf`, `assembled_pdf`, \
                `wysiwyg_png`, `csv`, `xlsx`, `html`, `json_detail`, ...",
        )
        .optional(
            "destinations",
            Ty::ObjectList,
            "Full destinations, each with `type` (`email`, `webhook`, `s3`, \
                `sftp`), `format`, and optionally `address`, `message`, \
                `apply_formatting`, `apply_vis`, `parameters`, `secret_parameters` \
                (write-only credentials, never shown back). E.g. [{\"type\": \
                \"webhook\", \"address\": \"https://hooks.example.com/x\", \
                \"format\": \"json_detail\"}].",
        )
        .optional(
            "user_id",
            Ty::Str,
            "Owner of the schedule (default: the caller); admins can schedule for \
                others.",
        )
        .optional(
            "run_as_recipient",
            Ty::Bool,
            "Run the content as each email recipient (their permissions and \
                attributes).",
        )
        .optional("enabled", Ty::Bool, "Whether the schedule is active.")
        .optional("run_once", Ty::Bool, "Deliver only once.")
        .optional(
            "datagroup",
            Ty::Str,
            "Deliver when this datagroup triggers. Not with `crontab`.",
        )
        .optional(
            "timezone",
            Ty::Str,
            "Timezone of the crontab, e.g. `Europe/Paris`.",
        )
        .optional(
            "require_results",
            Ty::Bool,
            "Deliver only when there are results.",
        )
        .optional(
            "require_no_results",
            Ty::Bool,
            "Deliver only when there are no results.",
        )
        .optional(
            "require_change",
            Ty::Bool,
            "Deliver only when the results changed since the last run.",
        )
        .optional(
            "send_all_results",
            Ty::Bool,
            "Run without row limit and send every row.",
        )
        .optional(
            "filters_string",
            Ty::Str,
            "Filters as a URL query string, e.g. `?Region=West`.",
        )
        .optional("include_links", Ty::Bool, "Include links back to Looker.")
        .optional(
            "pdf_paper_size",
            Ty::Str,
            "PDF paper size: `letter`, `legal`, `tabloid`, `a0` to `a5`, `b4`, \
                `b5`.",
        )
        .optional("pdf_landscape", Ty::Bool, "Landscape PDF.")
        .optional(
            "long_tables",
            Ty::Bool,
            "Expand table visualizations to their full length.",
        )
        .optional(
            "inline_table_width",
            Ty::Int,
            "Pixel width of inline tables.",
        )
        .optional("color_theme", Ty::Str, "Dashboard color theme.")
        .optional(
            "embed",
            Ty::Bool,
            "Whether this is an embed-context schedule.",
        )
        .optional(
            "show_custom_url",
            Ty::Bool,
            "Show the custom link instead of the Looker link.",
        )
        .optional("custom_url_base", Ty::Str, "Custom link domain.")
        .optional(
            "custom_url_params",
            Ty::Str,
            "Custom link path and parameters.",
        )
        .optional("custom_url_label", Ty::Str, "Custom link label.")
}

/// What schedule answers show.
const PLAN_KEYS: &[&str] = &[
    "id",
    "name",
    "title",
    "user_id",
    "enabled",
    "crontab",
    "datagroup",
    "timezone",
    "look_id",
    "dashboard_id",
    "lookml_dashboard_id",
    "query_id",
    "run_once",
    "run_as_recipient",
    "filters_string",
    "next_run_at",
    "last_run_at",
    "scheduled_plan_destination",
];

/// What is shown of each destination (never `secret_parameters`, which Looker treats as
/// write-only anyway).
const DESTINATION_KEYS: &[&str] = &["id", "type", "address", "format", "message"];

/// Keys a destination may carry (the writable `ScheduledPlanDestination` fields).
const DESTINATION_WRITABLE: &[&str] = &[
    "type",
    "address",
    "format",
    "apply_formatting",
    "apply_vis",
    "parameters",
    "secret_parameters",
    "message",
];

fn plan(p: &Value) -> Value {
    let mut out = redact(pick(p, PLAN_KEYS));
    if let Some(dests) = p
        .get("scheduled_plan_destination")
        .and_then(Value::as_array)
    {
        out["scheduled_plan_destination"] = dests
            .iter()
            .map(|d| redact(pick(d, DESTINATION_KEYS)))
            .collect();
    }
    out
}

#[derive(Deserialize)]
pub struct ListSchedules {
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default = "default::count::<LIST_LIMIT>")]
    limit: u32,
}

/// `GET /scheduled_plans`: one user's plans with `user_id`, else every user's
/// (`all_users=true`). The route has no paging parameters, so `limit` is applied here.
pub fn list_schedules(a: ListSchedules, _ctx: &Context) -> Result<Value, ToolError> {
    let mut req = Request::get("/scheduled_plans").fields(&[
        "id",
        "name",
        "title",
        "user_id",
        "enabled",
        "crontab",
        "datagroup",
        "timezone",
        "look_id",
        "dashboard_id",
        "lookml_dashboard_id",
        "query_id",
        "run_once",
        "next_run_at",
        "last_run_at",
        "scheduled_plan_destination(id,type,address,format)",
    ]);
    req = match a.user_id.as_deref().map(str::trim) {
        Some(user) if !user.is_empty() => req.query("user_id", user),
        _ => req.query("all_users", true),
    };
    let found: Value = req.send()?.json()?;
    let all = found.as_array().map(Vec::as_slice).unwrap_or_default();
    let schedules: Vec<Value> = all.iter().take(a.limit as usize).map(plan).collect();
    let mut out = json!({ "count": schedules.len(), "total": all.len(), "schedules": schedules });
    if all.len() > a.limit as usize {
        out["truncated"] = json!(true);
    }
    Ok(out)
}

/// The writable plan fields create and update share.
#[derive(Deserialize)]
pub struct PlanFields {
    #[serde(default)]
    crontab: Option<String>,
    #[serde(default)]
    look_id: Option<String>,
    #[serde(default)]
    dashboard_id: Option<String>,
    #[serde(default)]
    lookml_dashboard_id: Option<String>,
    #[serde(default)]
    query_id: Option<String>,
    #[serde(default)]
    recipients: Option<Vec<String>>,
    #[serde(default = "default_email_format")]
    email_format: String,
    #[serde(default)]
    destinations: Option<Vec<Map<String, Value>>>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    run_as_recipient: Option<bool>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    run_once: Option<bool>,
    #[serde(default)]
    datagroup: Option<String>,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    require_results: Option<bool>,
    #[serde(default)]
    require_no_results: Option<bool>,
    #[serde(default)]
    require_change: Option<bool>,
    #[serde(default)]
    send_all_results: Option<bool>,
    #[serde(default)]
    filters_string: Option<String>,
    #[serde(default)]
    include_links: Option<bool>,
    #[serde(default)]
    pdf_paper_size: Option<String>,
    #[serde(default)]
    pdf_landscape: Option<bool>,
    #[serde(default)]
    long_tables: Option<bool>,
    #[serde(default)]
    inline_table_width: Option<i64>,
    #[serde(default)]
    color_theme: Option<String>,
    #[serde(default)]
    embed: Option<bool>,
    #[serde(default)]
    show_custom_url: Option<bool>,
    #[serde(default)]
    custom_url_base: Option<String>,
    #[serde(default)]
    custom_url_params: Option<String>,
    #[serde(default)]
    custom_url_label: Option<String>,
}

fn default_email_format() -> String {
    EMAIL_FORMAT.to_owned()
}

impl PlanFields {
    /// How many of the four targets were given.
    fn targets(&self) -> usize {
        [
            &self.look_id,
            &self.dashboard_id,
            &self.lookml_dashboard_id,
            &self.query_id,
        ]
        .iter()
        .filter(|t| t.is_some())
        .count()
    }

    /// Checks what Looker would refuse less clearly, before anything is sent.
    fn check(&self) -> Result<(), ToolError> {
        if self.recipients.is_some() && self.destinations.is_some() {
            return Err(ToolError::invalid_arguments(
                "pass either `recipients` (email shorthand) or `destinations`, not both",
            ));
        }
        if self.crontab.is_some() && self.datagroup.is_some() {
            return Err(ToolError::invalid_arguments(
                "`crontab` and `datagroup` are mutually exclusive triggers: pass one",
            ));
        }
        if self.targets() > 1 {
            return Err(ToolError::invalid_arguments(
                "pass only one target: `look_id`, `dashboard_id`, `lookml_dashboard_id` or `query_id`",
            ));
        }
        if matches!(&self.recipients, Some(r) if r.is_empty())
            || matches!(&self.destinations, Some(d) if d.is_empty())
        {
            return Err(ToolError::invalid_arguments(
                "a schedule needs at least one destination: `recipients`/`destinations` must not be empty",
            ));
        }
        if let Some(bad) = self.recipients.iter().flatten().find(|r| !r.contains('@')) {
            return Err(ToolError::invalid_arguments(format!(
                "`recipients`: `{bad}` is not an email address"
            )));
        }
        if self.recipients.is_some() && self.email_format.trim().is_empty() {
            return Err(ToolError::invalid_arguments(
                "`email_format` must not be empty",
            ));
        }
        Ok(())
    }

    /// The `scheduled_plan_destination` array, when destinations were given.
    fn destinations(&self) -> Result<Option<Value>, ToolError> {
        if let Some(recipients) = &self.recipients {
            return Ok(Some(
                recipients
                    .iter()
                    .map(|r| json!({"type": "email", "address": r.trim(), "format": self.email_format}))
                    .collect(),
            ));
        }
        let Some(dests) = &self.destinations else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for (i, d) in dests.iter().enumerate() {
            let mut dest = Map::new();
            for (k, v) in d {
                if !DESTINATION_WRITABLE.contains(&k.as_str()) {
                    return Err(ToolError::invalid_arguments(format!(
                        "`destinations[{i}]`: unknown key `{k}` (allowed: {})",
                        DESTINATION_WRITABLE.join(", ")
                    )));
                }
                // `parameters` and `secret_parameters` are JSON text in Looker's API; accept
                // objects too.
                let v = match (k.as_str(), v) {
                    ("parameters" | "secret_parameters", Value::Object(_)) => {
                        Value::String(v.to_string())
                    }
                    _ => v.clone(),
                };
                dest.insert(k.clone(), v);
            }
            for required in ["type", "format"] {
                if dest
                    .get(required)
                    .is_none_or(|v| v.as_str().is_none_or(|s| s.trim().is_empty()))
                {
                    return Err(ToolError::invalid_arguments(format!(
                        "`destinations[{i}]` needs `{required}` (e.g. type `email` with format `wysiwyg_pdf`)"
                    )));
                }
            }
            out.push(Value::Object(dest));
        }
        Ok(Some(Value::Array(out)))
    }

    fn into_body(self, body: Body) -> Result<Body, ToolError> {
        let destinations = self.destinations()?;
        Ok(body
            .opt("crontab", self.crontab)
            .opt("look_id", self.look_id)
            .opt("dashboard_id", self.dashboard_id)
            .opt("lookml_dashboard_id", self.lookml_dashboard_id)
            .opt("query_id", self.query_id)
            .opt("user_id", self.user_id)
            .opt("run_as_recipient", self.run_as_recipient)
            .opt("enabled", self.enabled)
            .opt("run_once", self.run_once)
            .opt("datagroup", self.datagroup)
            .opt("timezone", self.timezone)
            .opt("require_results", self.require_results)
            .opt("require_no_results", self.require_no_results)
            .opt("require_change", self.require_change)
            .opt("send_all_results", self.send_all_results)
            .opt("filters_string", self.filters_string)
            .opt("include_links", self.include_links)
            .opt("pdf_paper_size", self.pdf_paper_size)
            .opt("pdf_landscape", self.pdf_landscape)
            .opt("long_tables", self.long_tables)
            .opt("inline_table_width", self.inline_table_width)
            .opt("color_theme", self.color_theme)
            .opt("embed", self.embed)
            .opt("show_custom_url", self.show_custom_url)
            .opt("custom_url_base", self.custom_url_base)
            .opt("custom_url_params", self.custom_url_params)
            .opt("custom_url_label", self.custom_url_label)
            .opt("scheduled_plan_destination", destinations))
    }
}

#[derive(Deserialize)]
pub struct CreateSchedule {
    name: String,
    #[serde(flatten)]
    fields: PlanFields,
}

/// `POST /scheduled_plans`.
pub fn create_schedule(a: CreateSchedule, _ctx: &Context) -> Result<Value, ToolError> {
    non_blank("name", &a.name)?;
    let f = &a.fields;
    f.check()?;
    if f.targets() == 0 {
        return Err(ToolError::invalid_arguments(
            "no target: pass one of `look_id`, `dashboard_id`, `lookml_dashboard_id` or `query_id`",
        ));
    }
    if f.crontab.is_none() && f.datagroup.is_none() {
        return Err(ToolError::invalid_arguments(
            "no trigger: pass `crontab` (e.g. `0 9 * * 1`) or `datagroup`",
        ));
    }
    if f.recipients.is_none() && f.destinations.is_none() {
        return Err(ToolError::invalid_arguments(
            "no destination: pass `recipients` (email addresses) or `destinations`",
        ));
    }
    let body = a.fields.into_body(Body::new().set("name", a.name))?;
    let created: Value = Request::post("/scheduled_plans")
        .body(&body.into_value())
        .send()?
        .json()?;
    let mut out = plan(&created);
    out["created"] = json!(true);
    Ok(out)
}

#[derive(Deserialize)]
pub struct UpdateSchedule {
    schedule_id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(flatten)]
    fields: PlanFields,
}

/// `PATCH /scheduled_plans/{schedule_id}` with the fields given; destinations, when given,
/// replace the current ones.
pub fn update_schedule(a: UpdateSchedule, _ctx: &Context) -> Result<Value, ToolError> {
    if let Some(name) = &a.name {
        non_blank("name", name)?;
    }
    a.fields.check()?;
    let body = a.fields.into_body(Body::new().opt("name", a.name))?;
    if body.is_empty() {
        return Err(crate::shape::nothing_to_update(
            "name, crontab, datagroup, a target, recipients/destinations or another plan field",
        ));
    }
    let changed = body.keys();
    let updated: Value = Request::patch(path!("/scheduled_plans/{}", a.schedule_id))
        .body(&body.into_value())
        .send()?
        .json()?;
    let mut out = plan(&updated);
    out["updated"] = json!(true);
    out["fields_changed"] = json!(changed);
    Ok(out)
}

#[derive(Deserialize)]
pub struct ScheduleId {
    schedule_id: String,
}

/// `DELETE /scheduled_plans/{schedule_id}`.
pub fn delete_schedule(a: ScheduleId, _ctx: &Context) -> Result<Value, ToolError> {
    Request::delete(path!("/scheduled_plans/{}", a.schedule_id)).send()?;
    Ok(json!({ "deleted": true, "schedule_id": a.schedule_id }))
}

/// `POST /scheduled_plans/{schedule_id}/run_once`: Looker runs a one-off copy now.
pub fn run_schedule_once(a: ScheduleId, _ctx: &Context) -> Result<Value, ToolError> {
    let run: Value = Request::post(path!("/scheduled_plans/{}/run_once", a.schedule_id))
        .send()?
        .json()?;
    Ok(json!({
        "schedule_id": a.schedule_id,
        "triggered": true,
        "run": plan(&run),
        "next_step": "Delivery happens in the background; `get_schedule_history` (audit group) shows its outcome.",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use looker_mcp_plugin_sdk::parse_arguments;

    fn fields(v: Value) -> PlanFields {
        parse_arguments(&v.to_string()).unwrap()
    }

    #[test]
    fn recipients_become_email_destinations() {
        let f = fields(json!({"recipients": ["a@example.com"], "email_format": "csv"}));
        assert_eq!(
            f.destinations().unwrap(),
            Some(json!([{"type": "email", "address": "a@example.com", "format": "csv"}]))
        );
    }

    #[test]
    fn destinations_are_checked_and_parameters_serialized() {
        let f = fields(json!({"destinations": [
            {"type": "s3", "format": "csv", "address": "s3://b", "secret_parameters": {"secret_access_key": "k"}}
        ]}));
        let d = f.destinations().unwrap().unwrap();
        assert_eq!(
            d[0]["secret_parameters"],
            json!("{\"secret_access_key\":\"k\"}")
        );
        let bad =
            fields(json!({"destinations": [{"type": "email", "format": "csv", "adress": "x"}]}));
        let err = bad.destinations().unwrap_err().to_string();
        assert!(err.contains("adress"), "{err}");
        let missing = fields(json!({"destinations": [{"type": "email", "address": "x@y"}]}));
        assert!(missing.destinations().is_err());
    }

    #[test]
    fn conflicting_arguments_are_refused() {
        for bad in [
            json!({"recipients": ["a@b"], "destinations": [{"type": "email", "format": "csv"}]}),
            json!({"crontab": "0 9 * * *", "datagroup": "nightly"}),
            json!({"look_id": "1", "dashboard_id": "2"}),
            json!({"recipients": []}),
            json!({"recipients": ["nobody"]}),
        ] {
            assert!(fields(bad.clone()).check().is_err(), "{bad}");
        }
    }
}
