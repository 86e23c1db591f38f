//! The declarative tool table: a [`Group`] of [`Tool`]s, each with its schema, annotations and
//! handler. The SDK dispatches calls by tool name and parses arguments; plugins never do.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Context, Output, ToolError};

/// A tool's handler after argument parsing has been wrapped around it.
type Handler = Box<dyn Fn(&str, &Context) -> Result<Output, ToolError>>;

/// A tool group: its id, version and tools, in the order `tools/list` shows them.
///
/// Build it in a plain function and pass that function to [`export_group!`](crate::export_group).
/// The function runs once when the host loads the component and once per call (each call runs
/// in a fresh instance), so keep it cheap: static text and small schemas.
pub struct Group {
    name: &'static str,
    version: &'static str,
    tools: Vec<Tool>,
}

impl Group {
    /// A group named `name` (what `--groups` selects; the plugin's directory name), at
    /// `version` (usually `env!("CARGO_PKG_VERSION")`).
    pub fn new(name: &'static str, version: &'static str) -> Self {
        Self {
            name,
            version,
            tools: Vec::new(),
        }
    }

    /// Adds a tool.
    pub fn tool(mut self, tool: Tool) -> Self {
        self.tools.push(tool);
        self
    }

    /// Adds tools, in order: typically a resource module's `tools()`, so that a group's
    /// `lib.rs` is a short list, e.g.
    /// `Group::new("admin", v).with_tools(users::tools()).with_tools(roles::tools())`.
    ///
    /// (Not named `tools`: that is the accessor below.)
    pub fn with_tools(mut self, tools: impl IntoIterator<Item = Tool>) -> Self {
        self.tools.extend(tools);
        self
    }

    /// The group id.
    pub fn name(&self) -> &str {
        self.name
    }

    /// The group version.
    pub fn version(&self) -> &str {
        self.version
    }

    /// The tools, in declaration order.
    pub fn tools(&self) -> impl Iterator<Item = &Tool> {
        self.tools.iter()
    }

    /// The tool named `name`.
    pub fn find(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// Runs tool `tool` with `arguments` (JSON object text): parses them into the handler's
    /// argument type and calls it. This is what the component export does; tests call it too.
    pub fn call(&self, tool: &str, arguments: &str, ctx: &Context) -> Result<Output, ToolError> {
        let Some(found) = self.find(tool) else {
            let known: Vec<_> = self.tools.iter().map(|t| t.name.as_ref()).collect();
            return Err(ToolError::InvalidArguments(format!(
                "unknown tool `{tool}` in group `{}` (it has: {})",
                self.name,
                known.join(", ")
            )));
        };
        match &found.handler {
            Some(handler) => handler(arguments, ctx),
            None => Err(ToolError::Internal(format!("tool `{tool}` has no handler"))),
        }
    }

    /// Checks the declaration: a lowercase group id, unique snake_case tool names, non-empty
    /// titles and descriptions, object schemas that parse, a handler for every tool.
    /// Call it from a unit test of every plugin: `group().validate().unwrap()`.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if !is_snake_case(self.name) {
            problems.push(format!("group id `{}` is not snake_case", self.name));
        }
        if self.version.is_empty() {
            problems.push("group version is empty".to_owned());
        }
        for (i, tool) in self.tools.iter().enumerate() {
            let name = &tool.name;
            if !is_snake_case(name) || name.len() > 64 {
                problems.push(format!(
                    "tool name `{name}` is not snake_case of ≤ 64 characters"
                ));
            }
            if self.tools[..i].iter().any(|t| t.name == *name) {
                problems.push(format!("tool `{name}` is declared twice"));
            }
            if tool.title.trim().is_empty() || tool.description.trim().is_empty() {
                problems.push(format!("tool `{name}` needs a title and a description"));
            }
            if tool.handler.is_none() {
                problems.push(format!("tool `{name}` has no handler"));
            }
            let schemas = [
                Some(("input", &tool.input_schema)),
                tool.output_schema.as_ref().map(|s| ("output", s)),
            ];
            for (kind, schema) in schemas.into_iter().flatten() {
                match schema.to_value() {
                    Ok(Value::Object(m)) if m.get("type") == Some(&Value::from("object")) => {}
                    Ok(_) => problems.push(format!(
                        "tool `{name}`: the {kind} schema must be an object schema (`\"type\": \"object\"`)"
                    )),
                    Err(e) => problems.push(format!("tool `{name}`: the {kind} schema is not JSON: {e}")),
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }
}

/// One MCP tool: name, title, description for the assistant, input schema, annotations and the
/// handler that runs it.
///
/// Annotations start at MCP's defaults for a tool that says nothing: it may change things
/// (`read_only: false`), possibly destructively (`destructive: true`), and repeating a call may
/// have further effect (`idempotent: false`). Start from a preset that says what the tool does
/// ([`Tool::reader`], [`Tool::creator`], [`Tool::overwriter`], [`Tool::deleter`]), or say what is
/// true with [`Tool::read_only`], [`Tool::non_destructive`] and [`Tool::idempotent`].
pub struct Tool {
    name: Cow<'static, str>,
    title: Cow<'static, str>,
    description: Cow<'static, str>,
    input_schema: Schema,
    /// Arguments offered only when a host setting is `true`: (setting key, argument names).
    gated: Vec<(&'static str, &'static [&'static str])>,
    output_schema: Option<Schema>,
    annotations: Annotations,
    handler: Option<Handler>,
}

impl Tool {
    /// A tool named `name` (unique across all groups, snake_case), with a short human `title`
    /// and a `description` written for an AI assistant: what it does, when to use it, what it
    /// returns. Its input schema starts as "no arguments".
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        title: impl Into<Cow<'static, str>>,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            name: name.into(),
            title: title.into(),
            description: description.into(),
            input_schema: Schema::Text(Cow::Borrowed(
                r#"{"type":"object","properties":{},"additionalProperties":false}"#,
            )),
            gated: Vec::new(),
            output_schema: None,
            annotations: Annotations {
                read_only: false,
                destructive: true,
                idempotent: false,
            },
            handler: None,
        }
    }

    /// A tool that changes nothing and can be repeated freely: read-only, idempotent (hence
    /// non-destructive). For `list_*`, `get_*`, searches and queries.
    pub fn reader(
        name: impl Into<Cow<'static, str>>,
        title: impl Into<Cow<'static, str>>,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(name, title, description).read_only().idempotent()
    }

    /// A tool that only adds something and never loses anything (non-destructive); repeating
    /// it adds again (not idempotent). For `create_*`.
    pub fn creator(
        name: impl Into<Cow<'static, str>>,
        title: impl Into<Cow<'static, str>>,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(name, title, description).non_destructive()
    }

    /// A tool that overwrites something (destructive); repeating it changes nothing more
    /// (idempotent). For `update_*` and `set_*`.
    pub fn overwriter(
        name: impl Into<Cow<'static, str>>,
        title: impl Into<Cow<'static, str>>,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::new(name, title, description).idempotent()
    }

    /// A tool that removes something (destructive); removing it again changes nothing more
    /// (idempotent). For `delete_*` and `remove_*`. The same annotations as
    /// [`Tool::overwriter`]; the name says what the tool does.
    pub fn deleter(
        name: impl Into<Cow<'static, str>>,
        title: impl Into<Cow<'static, str>>,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::overwriter(name, title, description)
    }

    /// Sets the JSON Schema (draft 2020-12) of the arguments object. The host validates
    /// arguments against it before the handler runs.
    pub fn schema(mut self, schema: impl Into<Schema>) -> Self {
        self.input_schema = schema.into();
        self
    }

    /// Offers `arguments` (declared in the input schema) only when the host setting `setting`
    /// is `true`, e.g. `.gated_args("query_dev_params", &["dev_mode", "branch", "project_id"])`.
    /// When the setting is off they are removed from the schema the host sees, so the host
    /// rejects a call that sends one before the tool runs.
    pub fn gated_args(mut self, setting: &'static str, arguments: &'static [&'static str]) -> Self {
        self.gated.push((setting, arguments));
        self
    }

    /// The input schema as JSON text, without the arguments whose setting is off in `ctx`.
    pub fn effective_input_schema(&self, ctx: &Context) -> String {
        let hidden: Vec<&str> = self
            .gated
            .iter()
            .filter(|(setting, _)| ctx.get(setting) != Some("true"))
            .flat_map(|(_, args)| args.iter().copied())
            .collect();
        if hidden.is_empty() {
            return self.input_schema.to_json_text();
        }
        let Ok(mut schema) = self.input_schema.to_value() else {
            return self.input_schema.to_json_text();
        };
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            props.retain(|name, _| !hidden.contains(&name.as_str()));
        }
        if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
            required.retain(|name| !name.as_str().is_some_and(|n| hidden.contains(&n)));
        }
        schema.to_string()
    }

    /// Sets the output schema: the JSON Schema of the structured result, which must then always
    /// be a JSON object.
    pub fn returns(mut self, schema: impl Into<Schema>) -> Self {
        self.output_schema = Some(schema.into());
        self
    }

    /// Marks the tool as changing nothing in Looker (it may still POST, e.g. to run a query).
    /// Implies non-destructive.
    pub fn read_only(mut self) -> Self {
        self.annotations.read_only = true;
        self.annotations.destructive = false;
        self
    }

    /// Marks a tool that changes things as never deleting or overwriting anything that cannot
    /// be recovered (e.g. it only creates).
    pub fn non_destructive(mut self) -> Self {
        self.annotations.destructive = false;
        self
    }

    /// Marks the tool as having no further effect when called twice with the same arguments.
    pub fn idempotent(mut self) -> Self {
        self.annotations.idempotent = true;
        self
    }

    /// Sets the handler. `A` is the arguments type: a `#[derive(Deserialize)]` struct whose
    /// fields mirror the schema (defaults via `#[serde(default)]`), [`NoArgs`], or
    /// [`serde_json::Value`]. Arguments that do not deserialize become
    /// [`ToolError::InvalidArguments`] naming the offending field. The handler returns anything
    /// that converts into [`Output`]: a [`serde_json::Value`], a `String`, an [`Output`].
    ///
    /// A handler returning a [`serde_json::Value`] always has structured content (an object),
    /// so unless [`Tool::returns`] gives a precise schema the tool declares the generic output
    /// schema `{"type": "object"}`: MCP clients then know to expect `structuredContent`.
    pub fn handler<A, O, F>(mut self, handler: F) -> Self
    where
        A: DeserializeOwned,
        O: Into<Output> + 'static,
        F: Fn(A, &Context) -> Result<O, ToolError> + 'static,
    {
        if self.output_schema.is_none()
            && std::any::TypeId::of::<O>() == std::any::TypeId::of::<Value>()
        {
            self.output_schema = Some(Schema::Value(serde_json::json!({"type": "object"})));
        }
        self.handler = Some(Box::new(move |arguments, ctx| {
            let args = parse_arguments::<A>(arguments)?;
            handler(args, ctx).map(Into::into)
        }));
        self
    }

    /// The tool name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The human-readable title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The description for the assistant.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The input schema.
    pub fn input_schema(&self) -> &Schema {
        &self.input_schema
    }

    /// The output schema, if declared.
    pub fn output_schema(&self) -> Option<&Schema> {
        self.output_schema.as_ref()
    }

    /// The behaviour hints.
    pub fn annotations(&self) -> Annotations {
        self.annotations
    }
}

/// Behaviour hints shown to MCP clients (MCP `ToolAnnotations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annotations {
    /// The tool changes nothing in Looker.
    pub read_only: bool,
    /// The tool may delete or overwrite something that cannot be recovered.
    pub destructive: bool,
    /// Calling the tool twice with the same arguments has no further effect.
    pub idempotent: bool,
}

/// A JSON Schema, either as static JSON text (cheapest: nothing is built until `describe`) or
/// as a [`serde_json::Value`] (e.g. from `json!`).
#[derive(Debug, Clone, PartialEq)]
pub enum Schema {
    /// JSON text.
    Text(Cow<'static, str>),
    /// A JSON value.
    Value(Value),
}

impl Schema {
    /// The schema as JSON text.
    pub fn to_json_text(&self) -> String {
        match self {
            Self::Text(t) => t.clone().into_owned(),
            Self::Value(v) => v.to_string(),
        }
    }

    /// The schema as a JSON value (parsing it if it is text).
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        match self {
            Self::Text(t) => serde_json::from_str(t),
            Self::Value(v) => Ok(v.clone()),
        }
    }
}

impl From<&'static str> for Schema {
    fn from(text: &'static str) -> Self {
        Self::Text(Cow::Borrowed(text))
    }
}

impl From<String> for Schema {
    fn from(text: String) -> Self {
        Self::Text(Cow::Owned(text))
    }
}

impl From<Value> for Schema {
    fn from(value: Value) -> Self {
        Self::Value(value)
    }
}

/// The arguments type of a tool that takes none (any object is accepted and ignored).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct NoArgs {}

/// Parses a tool's JSON arguments; an empty string counts as `{}`.
///
/// Errors name the offending field, e.g. ``"`include_hidden`: invalid type: string \"yes\",
/// expected a boolean"``, and never carry serde's line/column positions, which mean nothing to
/// an assistant.
pub fn parse_arguments<A: DeserializeOwned>(arguments: &str) -> Result<A, ToolError> {
    let text = if arguments.trim().is_empty() {
        "{}"
    } else {
        arguments
    };
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner().to_string();
        let message = match inner.rfind(" at line ") {
            Some(at) if e.inner().line() > 0 => &inner[..at],
            _ => &inner,
        };
        ToolError::InvalidArguments(if path == "." {
            message.to_owned()
        } else {
            format!("`{path}`: {message}")
        })
    })
}

fn is_snake_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Args {
        name: String,
        #[serde(default)]
        hidden: bool,
        #[serde(default)]
        fields: Option<Vec<String>>,
    }

    fn group() -> Group {
        Group::new("demo", "1.0.0")
            .tool(
                Tool::new("greet", "Greet", "Says hello.")
                    .schema(json!({"type": "object", "properties": {"name": {"type": "string"}}}))
                    .read_only()
                    .idempotent()
                    .handler(|a: Args, _ctx: &Context| {
                        Ok(json!({"hello": a.name, "hidden": a.hidden, "n": a.fields.map(|f| f.len())}))
                    }),
            )
            .tool(
                Tool::new("nothing", "Nothing", "Takes nothing.")
                    .handler(|_: NoArgs, ctx: &Context| Ok(ctx.max_rows().to_string())),
            )
    }

    #[test]
    fn dispatches_by_name() {
        let ctx = Context::default();
        let out = group()
            .call("greet", r#"{"name":"Ada","fields":["a","b"]}"#, &ctx)
            .unwrap();
        assert_eq!(
            out.structured.map(Value::Object),
            Some(json!({"hello": "Ada", "hidden": false, "n": 2}))
        );
        let out = group().call("nothing", "", &ctx).unwrap();
        assert_eq!(out, Output::text("5000"));
        let err = group().call("nope", "{}", &ctx).unwrap_err();
        assert!(err.to_string().contains("greet, nothing"), "{err}");
    }

    #[test]
    fn argument_errors_name_the_field() {
        let ctx = Context::default();
        let err = group()
            .call("greet", r#"{"name":"x","hidden":"yes"}"#, &ctx)
            .unwrap_err();
        assert_eq!(
            err,
            ToolError::InvalidArguments(
                "`hidden`: invalid type: string \"yes\", expected a boolean".into()
            )
        );
        let err = group()
            .call("greet", r#"{"fields":[1]}"#, &ctx)
            .unwrap_err();
        assert_eq!(
            err,
            ToolError::InvalidArguments(
                "`fields[0]`: invalid type: integer `1`, expected a string".into()
            )
        );
        let err = group().call("greet", "{}", &ctx).unwrap_err();
        assert_eq!(
            err,
            ToolError::InvalidArguments("missing field `name`".into())
        );
    }

    #[test]
    fn annotations_default_to_mcp_defaults() {
        let g = group();
        let greet = g.find("greet").unwrap().annotations();
        assert_eq!(
            (greet.read_only, greet.destructive, greet.idempotent),
            (true, false, true)
        );
        let nothing = g.find("nothing").unwrap().annotations();
        assert_eq!(
            (nothing.read_only, nothing.destructive, nothing.idempotent),
            (false, true, false)
        );
    }

    #[test]
    fn presets_say_what_a_tool_does() {
        let hints = |t: Tool| {
            let a = t.annotations();
            (a.read_only, a.destructive, a.idempotent)
        };
        assert_eq!(hints(Tool::reader("a", "A", "d")), (true, false, true));
        assert_eq!(hints(Tool::creator("a", "A", "d")), (false, false, false));
        assert_eq!(hints(Tool::overwriter("a", "A", "d")), (false, true, true));
        assert_eq!(hints(Tool::deleter("a", "A", "d")), (false, true, true));
    }

    #[test]
    fn with_tools_appends_in_order() {
        let more = [Tool::new("b", "B", "d"), Tool::new("c", "C", "d")];
        let g = Group::new("demo", "1")
            .tool(Tool::new("a", "A", "d"))
            .with_tools(more);
        let names: Vec<&str> = g.tools().map(Tool::name).collect();
        assert_eq!(names, ["a", "b", "c"]);
    }

    #[test]
    fn validate_finds_problems() {
        assert_eq!(group().validate(), Ok(()));
        let bad = Group::new("Bad-Name", "")
            .tool(Tool::new("dup", "", "d").schema("[]"))
            .tool(Tool::new("dup", "t", "d").schema("{nope"));
        let problems = bad.validate().unwrap_err();
        for needle in [
            "group id",
            "version",
            "declared twice",
            "title",
            "no handler",
            "object schema",
            "not JSON",
        ] {
            assert!(problems.contains(needle), "{needle}: {problems}");
        }
    }

    #[test]
    fn gated_arguments_show_only_when_their_setting_is_on() {
        let tool = Tool::new("q", "Q", "d")
            .schema(r#"{"type":"object","properties":{"model":{"type":"string"},"branch":{"type":"string"}},"required":["model","branch"],"additionalProperties":false}"#)
            .gated_args("query_dev_params", &["branch"]);
        let setting = |value: &str| vec![("query_dev_params".to_owned(), value.to_owned())];
        let off = Context::from_settings(setting("false"));
        let on = Context::from_settings(setting("true"));
        let hidden: Value = serde_json::from_str(&tool.effective_input_schema(&off)).unwrap();
        assert!(hidden["properties"].get("branch").is_none());
        assert_eq!(hidden["required"], serde_json::json!(["model"]));
        let shown: Value = serde_json::from_str(&tool.effective_input_schema(&on)).unwrap();
        assert!(shown["properties"].get("branch").is_some());
    }
}
