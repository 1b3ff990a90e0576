//! CRD validation rules (`x-kubernetes-validations`): collected from a CRD's schema with the
//! place they apply to, compiled on first use and evaluated with the `cel` crate, as the API
//! server does on create.
//!
//! As the API server, the CRD's structural defaults (`default`) are applied first, below the
//! node a rule is declared on (a default that would create that node itself is not), and a
//! rule whose evaluation fails on the value (`duration()` of a string that is no duration) is
//! a failure too.
//!
//! Limits, on purpose: transition rules (those reading `oldSelf`) need the previous object and
//! are skipped; a rule that does not compile or that calls a function the `cel` crate lacks
//! (Kubernetes' `url()`, `quantity()`, `ip()`, `format` …) is skipped rather than guessed at;
//! so is any other evaluation error (a missing key, a type the crate reads differently): only
//! `false` and the conversion functions' errors are reported.

use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::source::yaml::escape_pointer_token;

/// A step from a schema node to where a rule applies.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    /// A named property.
    Field(String),
    /// Every item of an array, or every value of a map (`additionalProperties`).
    Each,
}

/// One validation rule of a CRD version, with the path it applies to.
#[derive(Debug)]
pub struct CelRule {
    path: Vec<Step>,
    /// The CEL expression.
    pub rule: String,
    /// The CRD's message for a failure, if it has one.
    pub message: Option<String>,
    /// The CRD's field path for reporting (`.spec.interval`), if it has one.
    pub field_path: Option<String>,
    /// The defaults below the rule's node (`None` when it has none).
    defaults: Option<Arc<Value>>,
    program: OnceLock<Option<cel::Program>>,
}

/// A rule that failed on an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// JSON pointer of the value the rule was evaluated on.
    pub pointer: String,
    /// The CRD's message, or the rule itself.
    pub message: String,
}

/// Every rule below `schema` (an `openAPIV3Schema`), skipping transition rules.
pub fn collect(schema: &Value) -> Vec<CelRule> {
    let mut out = Vec::new();
    walk(schema, &mut Vec::new(), &mut out);
    out
}

fn walk(schema: &Value, path: &mut Vec<Step>, out: &mut Vec<CelRule>) {
    let Some(obj) = schema.as_object() else {
        return;
    };
    let mut defaults: Option<Option<Arc<Value>>> = None;
    for v in obj
        .get("x-kubernetes-validations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(rule) = v.get("rule").and_then(Value::as_str) else {
            continue;
        };
        if rule.contains("oldSelf") {
            continue;
        }
        out.push(CelRule {
            path: path.clone(),
            rule: rule.to_owned(),
            message: v.get("message").and_then(Value::as_str).map(str::to_owned),
            field_path: v
                .get("fieldPath")
                .and_then(Value::as_str)
                .map(str::to_owned),
            defaults: defaults
                .get_or_insert_with(|| defaults_of(schema).map(Arc::new))
                .clone(),
            program: OnceLock::new(),
        });
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, child) in props {
            path.push(Step::Field(name.clone()));
            walk(child, path, out);
            path.pop();
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = obj.get(key).filter(|c| c.is_object()) {
            path.push(Step::Each);
            walk(child, path, out);
            path.pop();
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for child in obj.get(key).and_then(Value::as_array).into_iter().flatten() {
            walk(child, path, out);
        }
    }
}

/// The values a path reaches in `value`, with their pointers.
fn reach<'v>(value: &'v Value, path: &[Step], pointer: String, out: &mut Vec<(String, &'v Value)>) {
    let Some((step, rest)) = path.split_first() else {
        out.push((pointer, value));
        return;
    };
    match (step, value) {
        (Step::Field(name), Value::Object(map)) => {
            if let Some(child) = map.get(name) {
                let p = format!("{pointer}/{}", escape_pointer_token(name));
                reach(child, rest, p, out);
            }
        }
        (Step::Each, Value::Array(items)) => {
            for (i, child) in items.iter().enumerate() {
                reach(child, rest, format!("{pointer}/{i}"), out);
            }
        }
        (Step::Each, Value::Object(map)) => {
            for (k, child) in map {
                let p = format!("{pointer}/{}", escape_pointer_token(k));
                reach(child, rest, p, out);
            }
        }
        _ => {}
    }
}

/// The part of `schema` that holds defaults: `default`s, and the `properties`, `items` and
/// `additionalProperties` that lead to one (`None` when there is none).
fn defaults_of(schema: &Value) -> Option<Value> {
    let obj = schema.as_object()?;
    let mut out = serde_json::Map::new();
    if let Some(d) = obj.get("default") {
        out.insert("default".into(), d.clone());
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        let kept: serde_json::Map<String, Value> = props
            .iter()
            .filter_map(|(k, v)| defaults_of(v).map(|d| (k.clone(), d)))
            .collect();
        if !kept.is_empty() {
            out.insert("properties".into(), Value::Object(kept));
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(d) = obj.get(key).and_then(defaults_of) {
            out.insert(key.into(), d);
        }
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

/// Structural defaulting (as `k8s.io/apiextensions-apiserver`'s `structuraldefaulting`): a
/// property that is absent takes its `default`, then every property, item and map value is
/// defaulted in turn (a default's own fields included).
fn apply_defaults(defaults: &Value, value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(props) = defaults.get("properties").and_then(Value::as_object) {
                for (name, d) in props {
                    if !map.contains_key(name) {
                        if let Some(default) = d.get("default") {
                            map.insert(name.clone(), default.clone());
                        }
                    }
                    if let Some(child) = map.get_mut(name) {
                        apply_defaults(d, child);
                    }
                }
            }
            if let Some(d) = defaults.get("additionalProperties") {
                for child in map.values_mut() {
                    apply_defaults(d, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(d) = defaults.get("items") {
                for child in items {
                    apply_defaults(d, child);
                }
            }
        }
        _ => {}
    }
}

/// Functions whose error is the value's fault (a string that is no duration, timestamp or
/// number): the API server reports the rule's evaluation error as the object being invalid.
const CONVERSIONS: &[&str] = &["timestamp", "int", "uint", "double"];

/// `value` with every string that is a Go duration (`1us`) written as nanoseconds (`1000ns`),
/// which the `cel` crate's `duration()` reads.
fn go_durations_in_nanos(value: &Value) -> Value {
    match value {
        Value::String(s) => match crate::validate::apiserver::formats::go_duration_nanos(s) {
            Some(n) => Value::String(format!("{n}ns")),
            None => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(go_durations_in_nanos).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), go_durations_in_nanos(v)))
                .collect(),
        ),
        _ => value.clone(),
    }
}

impl CelRule {
    fn program(&self) -> Option<&cel::Program> {
        self.program
            .get_or_init(|| {
                // The rules come from CRDs in the validated tree: a parser panic on an odd
                // rule must not end the run (the rule is skipped like an unsupported one).
                std::panic::catch_unwind(|| cel::Program::compile(&self.rule).ok())
                    .ok()
                    .flatten()
            })
            .as_ref()
    }

    /// Evaluates the rule wherever it applies in `object`; the places where it is `false`.
    pub fn check(&self, object: &Value) -> Vec<Failure> {
        let mut places = Vec::new();
        reach(object, &self.path, String::new(), &mut places);
        if places.is_empty() {
            return Vec::new();
        }
        let Some(program) = self.program() else {
            return Vec::new();
        };
        let mut failures = Vec::new();
        for (pointer, value) in places {
            let defaulted;
            let value = match &self.defaults {
                Some(d) => {
                    let mut v = value.clone();
                    apply_defaults(d, &mut v);
                    defaulted = v;
                    &defaulted
                }
                None => value,
            };
            let Ok(cel_value) = cel::to_value(value) else {
                continue;
            };
            let verdict = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut ctx = cel::Context::default();
                ctx.add_variable_from_value("self", cel_value);
                match program.execute(&ctx) {
                    Ok(cel::Value::Bool(false)) => true,
                    Err(cel::ExecutionError::FunctionError { function, .. })
                        if function == "duration" =>
                    {
                        // The crate's duration() reads less of Go's grammar than the API
                        // server's (`1us`): judge again with every Go duration written in
                        // nanoseconds, so only a string that is no duration fails.
                        let mut ctx = cel::Context::default();
                        let Ok(again) = cel::to_value(go_durations_in_nanos(value)) else {
                            return false;
                        };
                        ctx.add_variable_from_value("self", again);
                        match program.execute(&ctx) {
                            Ok(cel::Value::Bool(false)) => true,
                            Err(cel::ExecutionError::FunctionError { function, .. }) => {
                                function == "duration"
                            }
                            _ => false,
                        }
                    }
                    Err(cel::ExecutionError::FunctionError { function, .. }) => {
                        CONVERSIONS.contains(&function.as_str())
                    }
                    _ => false,
                }
            }));
            if matches!(verdict, Ok(true)) {
                let pointer = match &self.field_path {
                    Some(fp) => format!("{pointer}{}", field_path_pointer(fp)),
                    None => pointer,
                };
                failures.push(Failure {
                    pointer,
                    message: self
                        .message
                        .clone()
                        .unwrap_or_else(|| format!("failed rule: {}", self.rule)),
                });
            }
        }
        failures
    }
}

/// `.spec.interval` → `/spec/interval` (simple field paths only; others point at `self`).
fn field_path_pointer(fp: &str) -> String {
    let simple = fp.starts_with('.')
        && fp[1..]
            .split('.')
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if simple {
        fp.replace('.', "/")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "x-kubernetes-validations": [
                        {"rule": "!has(self.interval) || has(self.digest)", "message": "interval needs digest"},
                        {"rule": "self.replicas == oldSelf.replicas"}
                    ],
                    "properties": {
                        "timeout": {"type": "string", "x-kubernetes-validations": [{"rule": "duration(self) >= duration('1ms')"}]},
                        "ports": {"type": "array", "items": {"type": "integer", "x-kubernetes-validations": [{"rule": "0 < self && self <= 65535"}]}},
                        "labels": {"type": "object", "x-kubernetes-validations": [{"rule": "self.all(k, !k.contains('*'))", "message": "no wildcards"}]},
                        "url": {"type": "string", "x-kubernetes-validations": [{"rule": "url(self).getScheme() == 'https'"}]}
                    }
                }
            }
        })
    }

    fn failures(object: Value) -> Vec<(String, String)> {
        collect(&schema())
            .iter()
            .flat_map(|r| r.check(&object))
            .map(|f| (f.pointer, f.message))
            .collect()
    }

    #[test]
    fn rules_apply_where_they_are_declared() {
        assert_eq!(
            collect(&schema()).len(),
            5,
            "the transition rule is skipped"
        );
        assert!(failures(json!({"spec": {"timeout": "5s", "ports": [80], "labels": {"a": "b"}, "url": "ftp://x"}})).is_empty());
        assert_eq!(
            failures(
                json!({"spec": {"interval": "1m", "timeout": "0.5ms", "ports": [80, 70000], "labels": {"a*": "b"}}})
            ),
            // Rules come in schema order: properties sorted by name.
            vec![
                ("/spec".to_owned(), "interval needs digest".to_owned()),
                ("/spec/labels".to_owned(), "no wildcards".to_owned()),
                (
                    "/spec/ports/1".to_owned(),
                    "failed rule: 0 < self && self <= 65535".to_owned()
                ),
                (
                    "/spec/timeout".to_owned(),
                    "failed rule: duration(self) >= duration('1ms')".to_owned()
                ),
            ]
        );
        // Absent fields are not evaluated.
        assert!(failures(json!({"metadata": {}})).is_empty());
    }

    #[test]
    fn defaults_apply_before_rules_and_evaluation_errors_fail() {
        let schema = json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {
                        "refs": {"type": "array", "items": {
                            "type": "object",
                            "x-kubernetes-validations": [{"rule": "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true", "message": "needs a port"}],
                            "properties": {
                                "group": {"type": "string", "default": ""},
                                "kind": {"type": "string", "default": "Service"},
                                "name": {"type": "string"},
                                "port": {"type": "integer"}
                            }
                        }},
                        "timeout": {"type": "string", "x-kubernetes-validations": [{"rule": "duration(self) >= duration('1ms')", "message": "a duration"}]},
                        "other": {"type": "string", "x-kubernetes-validations": [{"rule": "self.missing == 'x'"}]}
                    }
                }
            }
        });
        let rules = collect(&schema);
        let run = |object: Value| -> Vec<(String, String)> {
            rules
                .iter()
                .flat_map(|r| r.check(&object))
                .map(|f| (f.pointer, f.message))
                .collect()
        };
        assert_eq!(
            run(
                json!({"spec": {"refs": [{"name": "web"}, {"name": "web", "port": 80}, {"name": "x", "kind": "Bucket", "group": "example.org"}]}})
            ),
            vec![("/spec/refs/0".to_owned(), "needs a port".to_owned())]
        );
        assert_eq!(
            run(json!({"spec": {"timeout": "five seconds"}})),
            vec![("/spec/timeout".to_owned(), "a duration".to_owned())]
        );
        // Go's duration grammar, as the API server's CEL reads it.
        for good in [
            "5s",
            "1.5h",
            "300ms",
            "1500us",
            "1500µs",
            "2h45m30.5s",
            "2000000ns",
        ] {
            assert!(run(json!({"spec": {"timeout": good}})).is_empty(), "{good}");
        }
        // Other evaluation errors (here a missing key) are not guessed at.
        assert!(run(json!({"spec": {"other": "x"}})).is_empty());
    }

    #[test]
    fn field_paths() {
        assert_eq!(field_path_pointer(".spec.interval"), "/spec/interval");
        assert_eq!(field_path_pointer(".spec['a.b']"), "");
    }
}
