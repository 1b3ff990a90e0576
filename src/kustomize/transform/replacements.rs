//! `replacements`: copy a value from a source object's field to target fields
//! (`fieldPaths` with `[key=value]` list selectors, `delimiter`/`index`, `create`).

use serde_json::{Map, Value};
use std::sync::Arc;

use crate::kustomize::item::Item;
use crate::kustomize::target::Selector;
use crate::kustomize::Origin;

#[derive(Debug)]
enum Seg {
    Key(String),
    Match(String, String),
    Index(usize),
    All,
}

fn parse_path(p: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    let mut parts = Vec::new();
    for c in p.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
            }
            '.' if depth == 0 => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    for part in parts {
        if let Some(inner) = part.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
            match inner.split_once('=') {
                Some((k, v)) => segs.push(Seg::Match(k.to_owned(), v.to_owned())),
                None => segs.push(Seg::Key(inner.to_owned())),
            }
        } else if part == "*" {
            segs.push(Seg::All);
        } else if let Ok(i) = part.parse::<usize>() {
            segs.push(Seg::Index(i));
        } else if !part.is_empty() {
            segs.push(Seg::Key(part));
        }
    }
    segs
}

fn get<'a>(v: &'a Value, segs: &[Seg]) -> Option<&'a Value> {
    let Some((s, rest)) = segs.split_first() else {
        return Some(v);
    };
    match (s, v) {
        (Seg::Key(k), Value::Object(m)) => get(m.get(k)?, rest),
        (Seg::Index(i), Value::Array(a)) => get(a.get(*i)?, rest),
        (Seg::Match(k, want), Value::Array(a)) => a
            .iter()
            .find(|e| e.get(k).and_then(Value::as_str) == Some(want))
            .and_then(|e| get(e, rest)),
        _ => None,
    }
}

fn set_all(
    v: &mut Value,
    segs: &[Seg],
    create: bool,
    new: &dyn Fn(&Value) -> Value,
    ptr: String,
    hits: &mut Vec<String>,
) {
    let Some((s, rest)) = segs.split_first() else {
        *v = new(v);
        hits.push(ptr);
        return;
    };
    match (s, v) {
        (Seg::Key(k), Value::Object(m)) => {
            if !m.contains_key(k) {
                if !create {
                    return;
                }
                m.insert(
                    k.clone(),
                    if rest.is_empty() {
                        Value::Null
                    } else {
                        Value::Object(Map::new())
                    },
                );
            }
            if let Some(child) = m.get_mut(k) {
                let p = format!("{ptr}/{}", crate::kustomize::item::esc(k));
                set_all(child, rest, create, new, p, hits);
            }
        }
        (Seg::Index(i), Value::Array(a)) => {
            if let Some(child) = a.get_mut(*i) {
                set_all(child, rest, create, new, format!("{ptr}/{i}"), hits);
            }
        }
        (Seg::Match(k, want), Value::Array(a)) => {
            for (i, e) in a.iter_mut().enumerate() {
                if e.get(k).and_then(Value::as_str) == Some(want.as_str()) {
                    set_all(e, rest, create, new, format!("{ptr}/{i}"), hits);
                }
            }
        }
        (Seg::All, Value::Array(a)) => {
            for (i, e) in a.iter_mut().enumerate() {
                set_all(e, rest, create, new, format!("{ptr}/{i}"), hits);
            }
        }
        _ => {}
    }
}

fn delimited(old: &Value, value: &Value, opts: Option<&Value>) -> Value {
    let delim = opts
        .and_then(|o| o.get("delimiter"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if delim.is_empty() {
        return value.clone();
    }
    let index = opts
        .and_then(|o| o.get("index"))
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let old = old.as_str().unwrap_or("");
    let mut parts: Vec<String> = old.split(delim).map(str::to_owned).collect();
    let v = super::scalar_string(value).unwrap_or_default();
    if index < 0 {
        parts.insert(0, v);
    } else if (index as usize) >= parts.len() {
        parts.push(v);
    } else {
        parts[index as usize] = v;
    }
    Value::String(parts.join(delim))
}

fn selector(v: &Value) -> Result<Selector, String> {
    Selector::parse(v)
}

/// Applies replacement `r` (written at `at`).
pub(crate) fn apply(items: &mut [Item], r: &Value, at: &Origin) -> Result<(), String> {
    let source = r.get("source").ok_or("a replacement needs a `source`")?;
    let sel = selector(source)?;
    let found: Vec<usize> = (0..items.len())
        .filter(|&i| sel.matches(&items[i]))
        .collect();
    let [si] = found[..] else {
        return Err(format!(
            "the replacement source selects {} objects, not one",
            found.len()
        ));
    };
    let path = source
        .get("fieldPath")
        .and_then(Value::as_str)
        .unwrap_or("metadata.name");
    let mut value = get(&items[si].r.value, &parse_path(path))
        .cloned()
        .ok_or_else(|| format!("the replacement source has no field `{path}`"))?;
    if let Some(opts) = source.get("options") {
        let delim = opts.get("delimiter").and_then(Value::as_str).unwrap_or("");
        if !delim.is_empty() {
            let index = opts.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
            let s = value.as_str().unwrap_or("").to_owned();
            value = Value::String(s.split(delim).nth(index).unwrap_or("").to_owned());
        }
    }
    let targets = r
        .get("targets")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (ti, t) in targets.iter().enumerate() {
        let select = t.get("select").map(selector).transpose()?;
        let rejects: Vec<Selector> = t
            .get("reject")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(selector).collect::<Result<_, _>>())
            .transpose()?
            .unwrap_or_default();
        let opts = t.get("options");
        let create = opts.and_then(|o| o.get("create")).and_then(Value::as_bool) == Some(true);
        for item in items.iter_mut() {
            if !select.as_ref().is_some_and(|s| s.matches(item))
                || rejects.iter().any(|s| s.matches(item))
            {
                continue;
            }
            let paths = t
                .get("fieldPaths")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for p in paths.iter().filter_map(Value::as_str) {
                let mut hits = Vec::new();
                let new = |old: &Value| delimited(old, &value, opts);
                set_all(
                    Arc::make_mut(&mut item.r.value),
                    &parse_path(p),
                    create,
                    &new,
                    String::new(),
                    &mut hits,
                );
                if hits.is_empty() && !create {
                    return Err(format!(
                        "unable to find field `{p}` in a replacement target"
                    ));
                }
                for h in hits {
                    item.r.set_origin(h, at.join(&format!("/targets/{ti}")));
                }
            }
        }
    }
    Ok(())
}
