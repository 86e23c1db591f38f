//! The SQL text Looker would generate, for the `sql` result format.

use serde_json::Value;

use super::FieldInfo;

pub(super) fn sql_text(
    explore: &Value,
    fields: &[FieldInfo],
    filters: &[(FieldInfo, String)],
    sorts: &[(String, bool)],
    limit: Option<usize>,
) -> String {
    let table = explore["sql_table_name"].as_str().unwrap_or_default();
    let view = explore["view_name"].as_str().unwrap_or_default();
    let expr = |f: &FieldInfo| {
        let column = f.sql.replace("${TABLE}", &f.view);
        match f.ty.as_str() {
            "count" => "COUNT(*)".to_string(),
            "sum" => format!("COALESCE(SUM({column}), 0)"),
            "average" => format!("AVG({column})"),
            t if t.starts_with("date") => format!("DATE({column})"),
            _ => column,
        }
    };
    let select: Vec<String> = fields
        .iter()
        .filter(|f| !f.dynamic)
        .map(|f| format!("    {} AS `{}`", expr(f), f.name))
        .collect();
    let mut sql = format!("SELECT\n{}\nFROM {table} AS {view}\n", select.join(",\n"));
    for join in explore["joins"].as_array().into_iter().flatten() {
        let name = join["name"].as_str().unwrap_or_default();
        let on = join["sql_on"]
            .as_str()
            .unwrap_or_default()
            .replace("${", "")
            .replace('}', "");
        sql.push_str(&format!(
            "LEFT JOIN {}.{name} AS {name} ON {on}\n",
            table.split('.').next().unwrap_or("")
        ));
    }
    let wheres: Vec<String> = filters
        .iter()
        .filter(|(f, _)| !f.measure)
        .map(|(f, e)| format!("({} = '{}')", expr(f), e.replace('\'', "''")))
        .collect();
    if !wheres.is_empty() {
        sql.push_str(&format!("WHERE {}\n", wheres.join(" AND ")));
    }
    let dims: Vec<String> = (1..=fields.len())
        .filter(|&i| !fields[i - 1].measure && !fields[i - 1].dynamic)
        .map(|i| i.to_string())
        .collect();
    if !dims.is_empty() && fields.iter().any(|f| f.measure) {
        sql.push_str(&format!("GROUP BY {}\n", dims.join(", ")));
    }
    let order: Vec<String> = sorts
        .iter()
        .filter_map(|(name, desc)| {
            let pos = fields.iter().position(|f| &f.name == name)? + 1;
            Some(format!("{pos}{}", if *desc { " DESC" } else { "" }))
        })
        .collect();
    if !order.is_empty() {
        sql.push_str(&format!("ORDER BY {}\n", order.join(", ")));
    }
    if let Some(limit) = limit {
        sql.push_str(&format!("LIMIT {limit}\n"));
    }
    sql
}
