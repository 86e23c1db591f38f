//! Facts about the current tool call: the host's settings.

/// Host settings for the current call, with typed accessors for the keys this host sets.
///
/// Settings travel as text key/value pairs so that new ones never break the WIT contract; an
/// absent or unparsable value falls back to the documented default.
///
/// ```
/// use looker_mcp_plugin_sdk::Context;
///
/// let ctx = Context::from_settings([("max_rows", "100"), ("sudo_enabled", "true")]);
/// assert_eq!(ctx.max_rows(), 100);
/// assert!(ctx.sudo_enabled());
/// assert!(!ctx.query_dev_params());
/// assert_eq!(Context::default().max_rows(), 5000);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    settings: Vec<(String, String)>,
}

impl Context {
    /// The default row cap when the host sets none (the reference server's `LOOKER_MAX_ROWS`).
    pub const DEFAULT_MAX_ROWS: u32 = 5000;

    /// A context with the given settings (the host builds it; tests build their own).
    pub fn from_settings<K: Into<String>, V: Into<String>>(
        settings: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            settings: settings
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The raw value of setting `key`, if the host set it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The most rows a query tool may return (`LOOKER_MAX_ROWS`); 5000 when unset.
    pub fn max_rows(&self) -> u32 {
        self.get("max_rows")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(Self::DEFAULT_MAX_ROWS)
    }

    /// The result budget in characters (`LOOKER_MAX_RESULT_CHARS`): the most characters of a
    /// result's text, and of its structured content as compact JSON. `None` when the host sets
    /// none or 0 (no budget). The host enforces it on every result; tools that build large
    /// results apply it while building them, so they never build what the host would cut.
    pub fn max_result_chars(&self) -> Option<usize> {
        self.get("max_result_chars")
            .and_then(|v| v.trim().parse().ok())
            .filter(|&n| n > 0)
    }

    /// Whether query tools may run in dev mode on request (`query_dev_params`); false when unset.
    pub fn query_dev_params(&self) -> bool {
        self.flag("query_dev_params")
    }

    /// Whether `act_as_user` (admin sudo) is enabled on this server; false when unset.
    pub fn sudo_enabled(&self) -> bool {
        self.flag("sudo_enabled")
    }

    /// A boolean setting: `true` (any case) or `1` is true, anything else is false.
    fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true") || v.trim() == "1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_garbage() {
        let ctx = Context::from_settings([("max_rows", "lots"), ("query_dev_params", "yes")]);
        assert_eq!(ctx.max_rows(), 5000);
        assert!(!ctx.query_dev_params());
        assert_eq!(ctx.get("missing"), None);
    }

    #[test]
    fn parses_values() {
        let ctx = Context::from_settings([
            ("max_rows", " 25 "),
            ("query_dev_params", "TRUE"),
            ("sudo_enabled", "1"),
        ]);
        assert_eq!(ctx.max_rows(), 25);
        assert_eq!(ctx.max_result_chars(), None);
        let budget = Context::from_settings([("max_result_chars", "2000")]);
        assert_eq!(budget.max_result_chars(), Some(2000));
        let off = Context::from_settings([("max_result_chars", "0")]);
        assert_eq!(off.max_result_chars(), None);
        assert!(ctx.query_dev_params());
        assert!(ctx.sudo_enabled());
    }
}
