//! Patch and replacement targets: kustomize's `Selector` (group, version, kind, name and
//! namespace as anchored regular expressions, `labelSelector`, `annotationSelector`).

use crate::source::Lookup as _;
use regex::Regex;
use serde_json::{Map, Value};

use super::item::Item;

/// A compiled selector.
#[derive(Debug)]
pub(crate) struct Selector {
    group: Option<Regex>,
    version: Option<Regex>,
    kind: Option<Regex>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Option<LabelSelector>,
    annotations: Option<LabelSelector>,
}

fn anchored(v: &Value, key: &str) -> Result<Option<Regex>, String> {
    match v.get(key).and_then(Value::as_str) {
        None | Some("") => Ok(None),
        Some(s) => Regex::new(&format!("^(?:{s})$"))
            .map(Some)
            .map_err(|e| format!("`{key}: {s}` is not a regular expression: {e}")),
    }
}

impl Selector {
    /// Reads a selector mapping.
    pub fn parse(v: &Value) -> Result<Selector, String> {
        let sel = |key: &str| -> Result<Option<LabelSelector>, String> {
            match v.get(key).and_then(Value::as_str) {
                None | Some("") => Ok(None),
                Some(s) => LabelSelector::parse(s).map(Some),
            }
        };
        Ok(Selector {
            group: anchored(v, "group")?,
            version: anchored(v, "version")?,
            kind: anchored(v, "kind")?,
            name: anchored(v, "name")?,
            namespace: anchored(v, "namespace")?,
            labels: sel("labelSelector")?,
            annotations: sel("annotationSelector")?,
        })
    }

    /// Whether `item` is selected: namespace and name by the original or the current one,
    /// kind by the current one, as kustomize's `Select`.
    pub fn matches(&self, item: &Item) -> bool {
        let cur = item.id();
        let org = item.org_id();
        let m = |re: &Option<Regex>, a: &str, b: &str| {
            re.as_ref()
                .is_none_or(|re| re.is_match(a) || re.is_match(b))
        };
        if !m(
            &self.namespace,
            org.effective_namespace(),
            cur.effective_namespace(),
        ) || !m(&self.name, &org.name, &cur.name)
            || !m(&self.group, &cur.group, &cur.group)
            || !m(&self.version, &cur.version, &cur.version)
            || !m(&self.kind, &cur.kind, &cur.kind)
        {
            return false;
        }
        let meta = |key: &str| item.r.value.lookup(&format!("/metadata/{key}"));
        let ok = |s: &Option<LabelSelector>, key: &str| {
            s.as_ref()
                .is_none_or(|s| s.matches(meta(key).and_then(Value::as_object)))
        };
        ok(&self.labels, "labels") && ok(&self.annotations, "annotations")
    }
}

#[derive(Debug)]
enum Req {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A Kubernetes label selector in its string form (`a=b,c!=d,e in (x,y),!f,g`).
#[derive(Debug)]
pub(crate) struct LabelSelector(Vec<Req>);

impl LabelSelector {
    /// Parses the string form.
    pub fn parse(s: &str) -> Result<LabelSelector, String> {
        let mut reqs = Vec::new();
        let mut parts = Vec::new();
        let mut depth = 0;
        let mut cur = String::new();
        for c in s.chars() {
            match c {
                '(' => {
                    depth += 1;
                    cur.push(c);
                }
                ')' => {
                    depth -= 1;
                    cur.push(c);
                }
                ',' if depth == 0 => parts.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        parts.push(cur);
        for part in parts {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            let set = |rest: &str| -> Result<Vec<String>, String> {
                let rest = rest.trim();
                let inner = rest
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .ok_or_else(|| format!("`{p}` is not a label selector requirement"))?;
                Ok(inner.split(',').map(|v| v.trim().to_owned()).collect())
            };
            if let Some(key) = p.strip_prefix('!') {
                reqs.push(Req::NotExists(key.trim().to_owned()));
            } else if let Some((k, v)) = p.split_once("!=") {
                reqs.push(Req::NotEq(k.trim().into(), v.trim().into()));
            } else if let Some((k, v)) = p.split_once("==") {
                reqs.push(Req::Eq(k.trim().into(), v.trim().into()));
            } else if let Some((k, v)) = p.split_once('=') {
                reqs.push(Req::Eq(k.trim().into(), v.trim().into()));
            } else if let Some((k, rest)) = p.split_once(" notin ") {
                reqs.push(Req::NotIn(k.trim().into(), set(rest)?));
            } else if let Some((k, rest)) = p.split_once(" in ") {
                reqs.push(Req::In(k.trim().into(), set(rest)?));
            } else {
                reqs.push(Req::Exists(p.to_owned()));
            }
        }
        Ok(LabelSelector(reqs))
    }

    /// Whether a label (or annotation) map satisfies every requirement.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let get = |k: &str| labels.and_then(|m| m.get(k)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => get(k) == Some(v.as_str()),
            Req::NotEq(k, v) => get(k) != Some(v.as_str()),
            Req::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Req::Exists(k) => get(k).is_some(),
            Req::NotExists(k) => get(k).is_none(),
        })
    }
}
