//! Structural checks: an input document against its JSON Schema, every problem a diagnostic.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::Validator;
use serde_json::Value;

use crate::diag::{field_path, Diagnostic};
use crate::source::yaml::{escape_pointer_token, Kind, Node};

/// Unknown field.
pub const UNKNOWN_FIELD: &str = "BP003";
/// Missing required field.
pub const MISSING_FIELD: &str = "BP004";
/// Value of the wrong type or out of range.
pub const INVALID_VALUE: &str = "BP005";
/// A field an override may not change.
pub const NOT_OVERRIDABLE: &str = "BP006";

/// Validates `json` (built from `node`) and returns one diagnostic per problem, positioned on
/// the node concerned.
pub fn check(validator: &Validator, json: &Value, node: &Node, file: &str) -> Vec<Diagnostic> {
    check_document(validator, json, node, file, super::service::NOT_OVERRIDABLE)
}

/// [`check`] for a document whose `overrides` layers may not set `not_overridable` (BP006).
pub fn check_document(
    validator: &Validator,
    json: &Value,
    node: &Node,
    file: &str,
    not_overridable: &[&str],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let document = if not_overridable == super::service::NOT_OVERRIDABLE {
        "blueprint"
    } else {
        "component"
    };
    for error in validator.iter_errors(json) {
        let pointer = error.instance_path().as_str().to_owned();
        let field = field_path(&pointer);
        let instance = error.instance();
        match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let allowed: Vec<String> = allowed_keys(validator, json, &pointer)
                    .into_iter()
                    .filter(|k| !unexpected.contains(k))
                    .collect();
                for key in unexpected {
                    let key_pointer = format!("{pointer}/{}", escape_pointer_token(key));
                    let span = node
                        .pointer(&pointer)
                        .and_then(|n| n.entry(key))
                        .map_or_else(|| node.span_for_pointer(&pointer), |(k, _)| k.span);
                    let in_override =
                        pointer.starts_with("/overrides/") && pointer.matches('/').count() == 2;
                    if in_override && not_overridable.contains(&key.as_str()) {
                        out.push(
                            Diagnostic::error(
                                NOT_OVERRIDABLE,
                                file,
                                span,
                                format!("`{key}` cannot be overridden per cluster"),
                            )
                            .with_field(field_path(&key_pointer))
                            .with_help(format!("set it once at the top of the {document}")),
                        );
                        continue;
                    }
                    // A field that belongs one level up, or in a section next to it, was
                    // almost surely indented wrongly; say where it belongs.
                    if let Some(home) = misplaced(validator, json, node, &pointer, key) {
                        out.push(
                            Diagnostic::error(
                                UNKNOWN_FIELD,
                                file,
                                span,
                                format!(
                                    "unknown field `{key}` in `{field}`; `{key}` is a field of {} — wrong indentation?",
                                    home.name
                                ),
                            )
                            .with_field(field_path(&key_pointer))
                            .with_help(home.help(key)),
                        );
                        continue;
                    }
                    let mut d = Diagnostic::error(
                        UNKNOWN_FIELD,
                        file,
                        span,
                        format!("unknown field `{key}`"),
                    )
                    .with_field(field_path(&key_pointer));
                    d = match closest(key, &allowed) {
                        Some(best) => d.with_help(format!("did you mean `{best}`?")),
                        None if allowed.is_empty() => d.with_help("remove this field"),
                        None => d.with_help(format!("expected one of: {}", allowed.join(", "))),
                    };
                    out.push(d);
                }
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let full = if field.is_empty() {
                    name.to_owned()
                } else {
                    format!("{field}.{name}")
                };
                out.push(
                    Diagnostic::error(
                        MISSING_FIELD,
                        file,
                        node.span_for_pointer(&pointer),
                        format!("missing required field `{name}`"),
                    )
                    .with_field(full),
                );
            }
            kind => {
                let raw = node.pointer(&pointer).and_then(|n| n.raw.clone());
                let (message, help) = describe(kind, instance, raw.as_deref());
                let mut d = Diagnostic::error(
                    INVALID_VALUE,
                    file,
                    node.span_for_pointer(&pointer),
                    message,
                )
                .with_field(field);
                if let Some(help) = help {
                    d = d.with_help(help);
                }
                out.push(d);
            }
        }
    }
    out
}

/// One-line message and optional hint for a value error.
fn describe(
    kind: &ValidationErrorKind,
    instance: &Value,
    raw: Option<&str>,
) -> (String, Option<String>) {
    let found = match raw {
        Some(text) if !instance.is_string() => format!(
            "{} `{text}`",
            describe_value(instance)
                .split(' ')
                .next()
                .unwrap_or("value")
        ),
        _ => describe_value(instance),
    };
    match kind {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => ts
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            let expected = expected
                .replace("object", "mapping")
                .replace("array", "list");
            let help = (expected.contains("string")
                && (instance.is_number() || instance.is_boolean()))
            .then(|| {
                let text = raw.map_or_else(|| instance_text(instance), str::to_owned);
                format!("quote the value: \"{text}\"")
            });
            (format!("expected {expected}, found {found}"), help)
        }
        ValidationErrorKind::Enum { options } => {
            let options = options
                .as_array()
                .map(|o| o.iter().map(instance_text).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            (format!("{found} is not one of: {options}"), None)
        }
        ValidationErrorKind::Constant { expected_value } => (
            format!(
                "expected `{}`, found {found}",
                instance_text(expected_value)
            ),
            None,
        ),
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => {
            (format!("{found} is below the minimum {limit}"), None)
        }
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => {
            (format!("{found} is above the maximum {limit}"), None)
        }
        ValidationErrorKind::Pattern { pattern } => (
            format!("{found} does not have the expected form"),
            Some(pattern_hint(pattern)),
        ),
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // Enums are generated as `oneOf` of constants: name the allowed values.
            let constants: Option<Vec<String>> = context
                .iter()
                .flatten()
                .map(|e| match e.kind() {
                    ValidationErrorKind::Constant { expected_value } => {
                        Some(instance_text(expected_value))
                    }
                    _ => None,
                })
                .collect();
            match constants {
                Some(values) if !values.is_empty() => (
                    format!("{found} is not one of: {}", values.join(", ")),
                    None,
                ),
                _ => (format!("{found} is not a valid value here"), None),
            }
        }
        other => (format!("invalid value {found}: {other:?}"), None),
    }
}

fn pattern_hint(pattern: &str) -> String {
    if pattern == super::common::QUANTITY_PATTERN {
        "use a Kubernetes quantity such as 250m, 1, 256Mi or 10Gi".into()
    } else if pattern == super::common::DURATION_PATTERN {
        "use a duration such as 300ms, 5s, 10m or 1h30m".into()
    } else {
        format!("must match {pattern}")
    }
}

fn instance_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(s) => format!("`{s}`"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

/// Where an unknown field would be known: a mapping of the document and how to name it.
struct Home {
    /// `the blueprint's top level`, `` `probes.readiness` ``.
    name: String,
    /// The column its keys start in, when they are written one per line (block style).
    column: Option<u32>,
}

impl Home {
    fn help(&self, key: &str) -> String {
        match self.column {
            Some(column) => format!(
                "move `{key}` to {}, starting in column {column} like its other fields",
                self.name
            ),
            None => format!("move `{key}` to {}", self.name),
        }
    }
}

/// The mapping where `key`, unknown in the mapping at `pointer`, is a field: the enclosing
/// mappings (nearest first), then the mappings beside `key` (its sibling sections), then the
/// mappings beside the one at `pointer`. Only sections written in the document are
/// considered, and never a free-form mapping (such as `env`) that takes any key.
fn misplaced(
    validator: &Validator,
    json: &Value,
    node: &Node,
    pointer: &str,
    key: &str,
) -> Option<Home> {
    if pointer.is_empty() {
        return None;
    }
    let parent_of = |p: &str| p.rsplit_once('/').map(|(parent, _)| parent.to_owned());
    // The sections of the mapping at `p` nearest to its entry `near` first: those written
    // above it (a key that lost its indentation left the section above it), then below.
    let sections = |p: &str, near: &str| -> Vec<String> {
        let Some(Kind::Map(entries)) = node.pointer(p).map(|n| &n.kind) else {
            return Vec::new();
        };
        let names: Vec<(String, bool)> = entries
            .iter()
            .filter_map(|(k, v)| Some((k.key_text()?, matches!(v.kind, Kind::Map(_)))))
            .collect();
        let at = names.iter().position(|(k, _)| k == near).unwrap_or(0);
        let (above, below) = names.split_at(at);
        above
            .iter()
            .rev()
            .chain(below)
            .filter(|(k, is_map)| *is_map && k != near)
            .map(|(k, _)| format!("{p}/{}", escape_pointer_token(k)))
            .collect()
    };
    let mut candidates = Vec::new();
    let mut up = parent_of(pointer);
    while let Some(p) = up {
        up = parent_of(&p);
        candidates.push(p);
    }
    candidates.extend(sections(pointer, key));
    if let Some((parent, own)) = pointer.rsplit_once('/') {
        let own = own.replace("~1", "/").replace("~0", "~");
        candidates.extend(sections(parent, &own));
    }
    let found = candidates.into_iter().find(|p| {
        json.pointer(p).is_some_and(Value::is_object)
            && accepts(validator, json, p, key)
            && !accepts(validator, json, p, "\u{1}not-a-field")
    })?;
    let name = if found.is_empty() {
        match json.get("kind").and_then(Value::as_str) {
            Some("Cluster") => "the cluster file's top level".to_owned(),
            _ => "the blueprint's top level".to_owned(),
        }
    } else {
        format!("`{}`", field_path(&found))
    };
    // The column of the section's keys, when they are on lines of their own.
    let column = node.pointer(&found).and_then(|n| {
        let Kind::Map(entries) = &n.kind else {
            return None;
        };
        let mut spans = entries.iter().map(|(k, _)| k.span);
        let first = spans.next()?;
        let mut line = first.line;
        spans
            .all(|s| {
                let own_line = s.col == first.col && s.line > line;
                line = s.line;
                own_line
            })
            .then_some(first.col)
    });
    Some(Home { name, column })
}

/// True when the mapping at `pointer` takes `key`: adding it raises no unknown-field error
/// there.
fn accepts(validator: &Validator, json: &Value, pointer: &str, key: &str) -> bool {
    let mut probe = json.clone();
    match probe.pointer_mut(pointer) {
        Some(Value::Object(m)) => {
            m.insert(key.to_owned(), Value::Null);
        }
        _ => return false,
    }
    let rejected = validator.iter_errors(&probe).any(|e| {
        e.instance_path().as_str() == pointer
            && matches!(e.kind(), ValidationErrorKind::AdditionalProperties { unexpected } if unexpected.iter().any(|u| u == key))
    });
    !rejected
}

/// The property names the schema allows at `pointer`, found by asking the validator what a
/// probe key would be rejected against (cheap and independent of the schema's layout).
fn allowed_keys(validator: &Validator, json: &Value, pointer: &str) -> Vec<String> {
    let Some(target) = json.pointer(pointer) else {
        return Vec::new();
    };
    let Value::Object(map) = target else {
        return Vec::new();
    };
    let mut keys: Vec<String> = KNOWN_KEYS
        .iter()
        .filter(|k| !map.contains_key(**k))
        .filter(|k| {
            // A key is allowed when adding it does not produce an "unknown field" error there.
            let mut probe = json.clone();
            if let Some(Value::Object(m)) = probe.pointer_mut(pointer) {
                m.insert((**k).to_owned(), Value::Null);
            }
            let rejected = validator.iter_errors(&probe).any(|e| {
                e.instance_path().as_str() == pointer
                    && matches!(e.kind(), ValidationErrorKind::AdditionalProperties { unexpected } if unexpected.iter().any(|u| u == *k))
            });
            !rejected
        })
        .map(|k| (*k).to_owned())
        .collect();
    keys.extend(map.keys().cloned());
    keys.sort();
    keys.dedup();
    keys
}

/// Every field name of the input model, for suggestions.
const KNOWN_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "name",
    "team",
    "namespace",
    "image",
    "tag",
    "workload",
    "ports",
    "port",
    "command",
    "args",
    "env",
    "secretEnv",
    "resources",
    "cpu",
    "memory",
    "cpuLimit",
    "memoryLimit",
    "probes",
    "liveness",
    "readiness",
    "startup",
    "path",
    "tcp",
    "grpc",
    "initialDelaySeconds",
    "periodSeconds",
    "timeoutSeconds",
    "failureThreshold",
    "replicas",
    "autoscaling",
    "min",
    "max",
    "capacity",
    "peakRps",
    "rpsPerPod",
    "complexity",
    "storage",
    "size",
    "storageClass",
    "sidecars",
    "routes",
    "host",
    "timeout",
    "retries",
    "attempts",
    "perTryTimeout",
    "on",
    "rewrite",
    "mesh",
    "callers",
    "connectionPool",
    "maxConnections",
    "maxPendingRequests",
    "maxRequestsPerConnection",
    "outlierDetection",
    "consecutive5xxErrors",
    "interval",
    "baseEjectionTime",
    "maxEjectionPercent",
    "loadBalancer",
    "dependsOn",
    "monitoring",
    "defaults",
    "alerts",
    "expr",
    "for",
    "severity",
    "images",
    "policy",
    "semver",
    "buildTagPattern",
    "overrides",
    "delivery",
    "strategy",
    "analysis",
    "threshold",
    "maxWeight",
    "stepWeight",
    "iterations",
    "successRate",
    "latencyP99",
    "webhooks",
    "type",
    "metadata",
    "domain",
    "git",
    "url",
    "branch",
    "secretRef",
    "infrastructure",
    "zones",
    "istio",
    "gateway",
    "gatewayServiceAccount",
    "mtls",
    "createGateway",
    "tlsSecret",
    "injection",
    "mode",
    "gatewayApi",
    "gateways",
    "tls",
    "certificateRef",
    "internal",
    "ingress",
    "className",
    "automation",
    "registrySecret",
    "author",
    "email",
    "slack",
    "channel",
    "sealing",
    "cert",
    "scope",
    "flux",
    "retryInterval",
    "prune",
    "nodes",
    "maxPods",
    "pricePerHour",
    "reservedCpu",
    "reservedMemory",
    "costs",
    "loadBalancerPerHour",
    "databasesPerHour",
    "storagePerGiBMonth",
    "networkPolicy",
    "egress",
];

/// The candidate closest to `word` by edit distance, if close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: &'a [String]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d > 0)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c.as_str())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let c = vec![
            "replicas".to_owned(),
            "resources".to_owned(),
            "ports".to_owned(),
        ];
        assert_eq!(closest("replica", &c), Some("replicas"));
        assert_eq!(closest("port", &c), Some("ports"));
        assert_eq!(closest("zzzzzz", &c), None);
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
