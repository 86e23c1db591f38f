//! The model allow-list (`LOOKER_ALLOWED_MODELS`: entries `model` or `model/explore`), enforced
//! on the host's one path to Looker so it holds for every group: listings of models show only
//! allowed models and explores; a request naming another model, or running a query, look or
//! dashboard whose query uses one, is refused before Looker runs it. SQL Runner queries, which
//! name no model, are refused while a list is set.

use serde_json::Value;

use crate::looker::Method;

/// The allowed models and explores.
#[derive(Debug)]
pub struct ModelAllowList {
    /// (model, explore or `None` for the whole model).
    entries: Vec<(String, Option<String>)>,
}

/// What to do with a request before it is sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Refused(String),
    /// Allowed if every query of the objects at these paths (fetched first) is.
    After(Vec<String>),
}

impl ModelAllowList {
    /// The list from the setting's entries; `None` when empty (everything allowed).
    pub fn new(entries: &[String]) -> Option<Self> {
        let entries: Vec<(String, Option<String>)> = entries
            .iter()
            .map(|e| match e.split_once('/') {
                Some((model, explore)) => (model.to_string(), Some(explore.to_string())),
                None => (e.clone(), None),
            })
            .collect();
        (!entries.is_empty()).then_some(Self { entries })
    }

    fn allows_model(&self, model: &str) -> bool {
        self.entries.iter().any(|(m, _)| m == model)
    }

    fn allows(&self, model: &str, explore: Option<&str>) -> bool {
        self.entries.iter().any(|(m, e)| {
            m == model
                && match (e, explore) {
                    (None, _) => true,
                    (Some(e), Some(explore)) => e == explore,
                    (Some(_), None) => true,
                }
        })
    }

    fn refusal(model: &str, explore: Option<&str>) -> String {
        match explore {
            Some(explore) => format!(
                "the model/explore {model}/{explore} is not in LOOKER_ALLOWED_MODELS on this server"
            ),
            None => format!("the model {model} is not in LOOKER_ALLOWED_MODELS on this server"),
        }
    }

    fn check(&self, model: &str, explore: Option<&str>) -> Verdict {
        if self.allows(model, explore) {
            Verdict::Allowed
        } else {
            Verdict::Refused(Self::refusal(model, explore))
        }
    }

    /// The verdict on `method path` with `body`, before it is sent.
    pub fn check_request(&self, method: Method, path: &str, body: Option<&str>) -> Verdict {
        let segments: Vec<String> = path
            .trim_start_matches('/')
            .split('/')
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect();
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let body: Option<Value> = body.and_then(|b| serde_json::from_str(b).ok());
        let query_in_body = |body: &Option<Value>| match body {
            Some(q) => match q["model"].as_str() {
                Some(model) => self.check(model, q["view"].as_str()),
                None => Verdict::Allowed,
            },
            None => Verdict::Allowed,
        };
        match (method, s.as_slice()) {
            (_, ["lookml_models", model, "explores", explore, ..]) => {
                self.check(model, Some(explore))
            }
            (_, ["lookml_models", model, ..]) => self.check(model, None),
            (_, ["queries", "models", model, "views", view, ..])
            | (_, ["models", model, "views", view, ..]) => self.check(model, Some(view)),
            (Method::Post, ["queries"] | ["queries", "run", _]) => query_in_body(&body),
            (Method::Post, ["query_tasks"]) => match body.as_ref().and_then(|b| id(&b["query_id"])) {
                Some(query) => Verdict::After(vec![format!("/queries/{query}")]),
                None => Verdict::Allowed,
            },
            (Method::Post, ["merge_queries"]) => Verdict::After(
                body.as_ref()
                    .and_then(|b| b["source_queries"].as_array().cloned())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|q| id(&q["query_id"]))
                    .map(|query| format!("/queries/{query}"))
                    .collect(),
            ),
            (Method::Post, ["sql_queries"]) => Verdict::Refused(
                "SQL Runner queries are refused while LOOKER_ALLOWED_MODELS is set (they name no model)".into(),
            ),
            (_, ["queries", query, "run", _]) | (_, ["render_tasks", "queries", query, _]) => {
                Verdict::After(vec![format!("/queries/{query}")])
            }
            (_, ["looks", look, "run", _]) | (_, ["render_tasks", "looks", look, _]) => {
                Verdict::After(vec![format!("/looks/{look}")])
            }
            (_, ["render_tasks", "dashboards", dashboard, _]) => {
                Verdict::After(vec![format!("/dashboards/{dashboard}")])
            }
            (_, ["render_tasks", "dashboard_elements", element, _]) => {
                Verdict::After(vec![format!("/dashboard_elements/{element}")])
            }
            _ => Verdict::Allowed,
        }
    }

    /// The verdict on an object a request refers to (a query, look, dashboard or tile), from
    /// every query model it contains.
    pub fn check_object(&self, object: &Value) -> Verdict {
        let mut queries = Vec::new();
        collect_queries(object, &mut queries);
        for (model, explore) in queries {
            if let Verdict::Refused(why) = self.check(&model, explore.as_deref()) {
                return Verdict::Refused(why);
            }
        }
        Verdict::Allowed
    }

    /// Whether `filter_listing` may change the answer to this request (a model listing or
    /// one model, whose explores it filters).
    pub fn is_listing(method: Method, path: &str) -> bool {
        method == Method::Get && path.starts_with("/lookml_models") && !path.contains("/explores/")
    }

    /// A listing's body with disallowed models and explores left out (`GET /lookml_models`,
    /// `GET /lookml_models/{model}`); other bodies unchanged.
    pub fn filter_listing(&self, method: Method, path: &str, body: Vec<u8>) -> Vec<u8> {
        if !Self::is_listing(method, path) {
            return body;
        }
        let Ok(mut value) = serde_json::from_slice::<Value>(&body) else {
            return body;
        };
        let keep_explores = |model: &mut Value| {
            let name = model["name"].as_str().unwrap_or_default().to_string();
            if let Some(explores) = model["explores"].as_array_mut() {
                explores.retain(|e| self.allows(&name, e["name"].as_str()));
            }
        };
        match &mut value {
            Value::Array(models) => {
                models.retain(|m| m["name"].as_str().is_some_and(|n| self.allows_model(n)));
                models.iter_mut().for_each(keep_explores);
            }
            Value::Object(_) => keep_explores(&mut value),
            _ => return body,
        }
        serde_json::to_vec(&value).unwrap_or(body)
    }
}

/// Every (model, explore) of the queries in `value`: the value itself when it is a query
/// (`model` + `view`), and any `query` objects inside it, however deep.
fn collect_queries(value: &Value, out: &mut Vec<(String, Option<String>)>) {
    match value {
        Value::Object(map) => {
            if let (Some(model), Some(view)) = (
                map.get("model").and_then(Value::as_str),
                map.get("view").and_then(Value::as_str),
            ) {
                out.push((model.to_string(), Some(view.to_string())));
            }
            map.values().for_each(|v| collect_queries(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_queries(v, out)),
        _ => {}
    }
}

fn id(value: &Value) -> Option<String> {
    crate::looker::id_text(value).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn list() -> ModelAllowList {
        ModelAllowList::new(&["ecommerce".into(), "finance/ledger".into()]).unwrap()
    }

    #[test]
    fn requests_naming_models_are_checked() {
        let l = list();
        assert_eq!(
            l.check_request(
                Method::Get,
                "/lookml_models/ecommerce/explores/orders",
                None
            ),
            Verdict::Allowed
        );
        assert!(matches!(
            l.check_request(Method::Get, "/lookml_models/hr", None),
            Verdict::Refused(_)
        ));
        assert!(matches!(
            l.check_request(Method::Get, "/lookml_models/finance/explores/payroll", None),
            Verdict::Refused(_)
        ));
        let body = json!({"model": "hr", "view": "people"}).to_string();
        let Verdict::Refused(why) = l.check_request(Method::Post, "/queries/run/json", Some(&body))
        else {
            panic!()
        };
        assert!(
            why.contains("hr/people") && why.contains("LOOKER_ALLOWED_MODELS"),
            "{why}"
        );
        assert_eq!(
            l.check_request(Method::Get, "/looks/7/run/json", None),
            Verdict::After(vec!["/looks/7".into()])
        );
        assert!(matches!(
            l.check_request(Method::Post, "/sql_queries", Some("{}")),
            Verdict::Refused(_)
        ));
    }

    #[test]
    fn objects_are_checked_by_every_query_inside() {
        let l = list();
        let look = json!({"id": "7", "query": {"model": "ecommerce", "view": "orders"}});
        assert_eq!(l.check_object(&look), Verdict::Allowed);
        let dashboard = json!({"dashboard_elements": [{"query": {"model": "ecommerce", "view": "orders"}}, {"look": {"query": {"model": "hr", "view": "people"}}}]});
        assert!(matches!(l.check_object(&dashboard), Verdict::Refused(_)));
    }

    #[test]
    fn listings_keep_only_allowed_models_and_explores() {
        let l = list();
        let body = json!([
            {"name": "ecommerce", "explores": [{"name": "orders"}]},
            {"name": "finance", "explores": [{"name": "ledger"}, {"name": "payroll"}]},
            {"name": "hr", "explores": [{"name": "people"}]}
        ]);
        let filtered: Value = serde_json::from_slice(&l.filter_listing(
            Method::Get,
            "/lookml_models",
            body.to_string().into_bytes(),
        ))
        .unwrap();
        assert_eq!(
            filtered,
            json!([
                {"name": "ecommerce", "explores": [{"name": "orders"}]},
                {"name": "finance", "explores": [{"name": "ledger"}]}
            ])
        );
    }
}
