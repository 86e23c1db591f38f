//! Ranked search over the operations: each query word scores by where it occurs (operation id
//! and path weigh most, then summary, tag and description), rarer words count more, and
//! shorter operations win ties, so "dashboard by id" ranks `GET /dashboards/{dashboard_id}`
//! above the routes that merely contain those words.

use crate::index::Operation;

/// Words that say nothing about an operation.
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "by", "of", "for", "to", "in", "on", "with", "and", "or", "my", "all", "from",
];

/// How much a word counts in each field.
const ID_WEIGHT: f64 = 3.0;
const PATH_WEIGHT: f64 = 3.0;
const SUMMARY_WEIGHT: f64 = 2.0;
const TAG_WEIGHT: f64 = 1.5;
const DESCRIPTION_WEIGHT: f64 = 0.5;

/// The best `limit` operations for `query` (optionally only those tagged `tag`), best first.
pub fn search<'a>(
    ops: &'a [Operation],
    query: &str,
    tag: Option<&str>,
    limit: usize,
) -> Vec<&'a Operation> {
    let words: Vec<String> = words(query)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    let candidates: Vec<(&Operation, Fields)> = ops
        .iter()
        .filter(|op| tag.is_none_or(|t| op.tag.eq_ignore_ascii_case(t.trim())))
        .map(|op| (op, Fields::of(op)))
        .collect();
    let count = candidates.len() as f64;
    let rarity: Vec<f64> = words
        .iter()
        .map(|w| {
            let with = candidates.iter().filter(|(_, f)| f.any(w)).count() as f64;
            ((count + 1.0) / (with + 1.0)).ln() + 0.1
        })
        .collect();
    let mut scored: Vec<(f64, &Operation)> = candidates
        .iter()
        .filter_map(|(op, fields)| {
            let mut score = 0.0;
            let mut matched = 0;
            for (word, idf) in words.iter().zip(&rarity) {
                let weight = fields.weight(word);
                if weight > 0.0 {
                    matched += 1;
                    score += weight * idf;
                }
            }
            if words.is_empty() {
                return Some((0.0, *op));
            }
            if matched == 0 {
                return None;
            }
            let coverage = f64::from(matched) / words.len() as f64;
            let length = (fields.id.len() + fields.path.len()) as f64;
            let read_bonus = if op.method == "GET" { 1.05 } else { 1.0 };
            Some((
                score * coverage * coverage * read_bonus / (1.0 + 0.08 * length),
                *op,
            ))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(limit).map(|(_, op)| op).collect()
}

/// An operation's words, field by field.
struct Fields {
    id: Vec<String>,
    path: Vec<String>,
    summary: Vec<String>,
    tag: Vec<String>,
    description: Vec<String>,
}

impl Fields {
    fn of(op: &Operation) -> Self {
        Self {
            id: words(op.id).collect(),
            path: words(op.path).collect(),
            summary: words(op.summary).collect(),
            tag: words(op.tag).collect(),
            description: words(&op.description).collect(),
        }
    }

    fn any(&self, word: &str) -> bool {
        self.weight(word) > 0.0
    }

    /// The weight of the best field holding `word`.
    fn weight(&self, word: &str) -> f64 {
        [
            (&self.id, ID_WEIGHT),
            (&self.path, PATH_WEIGHT),
            (&self.summary, SUMMARY_WEIGHT),
            (&self.tag, TAG_WEIGHT),
            (&self.description, DESCRIPTION_WEIGHT),
        ]
        .into_iter()
        .filter(|(field, _)| field.iter().any(|w| w == word))
        .map(|(_, weight)| weight)
        .fold(0.0, f64::max)
    }
}

/// Lower-case words of `text`, split at anything not alphanumeric, with a plural `s` dropped.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_ascii_lowercase();
            match w.strip_suffix("ies") {
                Some(stem) if w.len() > 4 => format!("{stem}y"),
                _ => match w.strip_suffix('s') {
                    Some(stem) if w.len() > 3 && !w.ends_with("ss") => stem.to_owned(),
                    _ => w,
                },
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::operations;

    fn top(query: &str) -> Vec<&'static str> {
        search(operations(), query, None, 5)
            .iter()
            .map(|op| op.id)
            .collect()
    }

    #[test]
    fn dashboard_by_id_finds_the_dashboard() {
        assert_eq!(
            top("dashboard by id")[0],
            "dashboard",
            "{:?}",
            top("dashboard by id")
        );
        assert!(
            top("list explores of a model").contains(&"lookml_model_explore")
                || top("list explores of a model").contains(&"lookml_model"),
            "{:?}",
            top("list explores of a model")
        );
        assert_eq!(top("run inline query")[0], "run_inline_query");
        assert!(top("delete user").contains(&"delete_user"));
    }

    #[test]
    fn tag_filters_and_nonsense_finds_nothing() {
        let folders = search(operations(), "get", Some("folder"), 50);
        assert!(!folders.is_empty() && folders.iter().all(|op| op.tag == "Folder"));
        assert!(search(operations(), "zzqx", None, 5).is_empty());
    }
}
