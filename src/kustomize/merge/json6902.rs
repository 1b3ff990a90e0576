//! JSON patches (RFC 6902): `add`, `remove`, `replace`, `move`, `copy`, `test`, written as
//! a YAML or JSON list of operations.

use crate::source::Lookup as _;
use serde_json::Value;
use std::sync::Arc;

use super::{renumber, Origin, Resource};

fn unescape(t: &str) -> String {
    t.replace("~1", "/").replace("~0", "~")
}

fn tokens(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| format!("path `{path}` must start with `/`"))?;
    Ok(rest.split('/').map(unescape).collect())
}

fn parent<'a>(doc: &'a mut Value, toks: &[String], path: &str) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for t in toks {
        cur = match cur {
            Value::Object(m) => m.get_mut(t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| format!("path `{path}` does not exist"))?;
    }
    Ok(cur)
}

/// Where an array change moved things, for provenance: (list pointer, index, inserted?).
type Shift = Option<(String, usize, bool)>;

fn add(doc: &mut Value, path: &str, value: Value) -> Result<Shift, String> {
    let toks = tokens(path)?;
    let Some((last, init)) = toks.split_last() else {
        *doc = value;
        return Ok(None);
    };
    let list_ptr = path[..path.len() - last.len() - 1].to_owned();
    match parent(doc, init, path)? {
        Value::Object(m) => {
            m.insert(last.clone(), value);
            Ok(None)
        }
        Value::Array(a) => {
            let i = if last == "-" {
                a.len()
            } else {
                last.parse::<usize>()
                    .ok()
                    .filter(|i| *i <= a.len())
                    .ok_or_else(|| format!("index in `{path}` is out of range"))?
            };
            a.insert(i, value);
            Ok(Some((list_ptr, i, true)))
        }
        _ => Err(format!("path `{path}` does not exist")),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<(Value, Shift), String> {
    let toks = tokens(path)?;
    let Some((last, init)) = toks.split_last() else {
        return Err("cannot remove the whole object".into());
    };
    let list_ptr = path[..path.len() - last.len() - 1].to_owned();
    match parent(doc, init, path)? {
        Value::Object(m) => m
            .remove(last)
            .map(|v| (v, None))
            .ok_or_else(|| format!("path `{path}` does not exist")),
        Value::Array(a) => {
            let i = last
                .parse::<usize>()
                .ok()
                .filter(|i| *i < a.len())
                .ok_or_else(|| format!("path `{path}` does not exist"))?;
            Ok((a.remove(i), Some((list_ptr, i, false))))
        }
        _ => Err(format!("path `{path}` does not exist")),
    }
}

fn shift(res: &mut Resource, s: Shift) {
    let Some((list, at, inserted)) = s else {
        return;
    };
    let len = res
        .value
        .lookup(&list)
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let moves: Vec<(usize, usize)> = if inserted {
        (at..len.saturating_sub(1)).map(|i| (i, i + 1)).collect()
    } else {
        (at + 1..=len).map(|i| (i, i - 1)).collect()
    };
    let dropped = if inserted { vec![] } else { vec![at] };
    // Moves must be computed against the old numbering, which `renumber` does.
    renumber(res, &list, &moves, &dropped);
}

/// The pointer of the value an `add` put at `path` (`-` resolved to its index).
fn landed(path: &str, sh: &Shift) -> String {
    match sh {
        Some((list, i, true)) => format!("{list}/{i}"),
        _ => path.to_owned(),
    }
}

/// Applies the operations `ops` (written at `origin`, a list) to `res`.
pub(crate) fn apply(res: &mut Resource, ops: &Value, origin: &Origin) -> Result<(), String> {
    let Value::Array(ops) = ops else {
        return Err("a JSON patch must be a list of operations".into());
    };
    for (i, op) in ops.iter().enumerate() {
        let at = origin.join(&format!("/{i}"));
        let s = |k: &str| op.get(k).and_then(Value::as_str);
        let path = s("path").ok_or_else(|| format!("operation {i} has no `path`"))?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| format!("operation {i} has no `value`"))
        };
        match s("op").unwrap_or("") {
            "add" => {
                let sh = add(Arc::make_mut(&mut res.value), path, value()?)?;
                let ptr = landed(path, &sh);
                shift(res, sh);
                res.set_origin(ptr, at.join("/value"));
            }
            "remove" => {
                let (_, sh) = remove(Arc::make_mut(&mut res.value), path)?;
                shift(res, sh);
            }
            "replace" => {
                let target = Arc::make_mut(&mut res.value)
                    .pointer_mut(path)
                    .ok_or_else(|| format!("path `{path}` does not exist"))?;
                *target = value()?;
                res.set_origin(path, at.join("/value"));
            }
            "move" | "copy" => {
                let from = s("from").ok_or_else(|| format!("operation {i} has no `from`"))?;
                let v = if s("op") == Some("move") {
                    let (v, sh) = remove(Arc::make_mut(&mut res.value), from)?;
                    shift(res, sh);
                    v
                } else {
                    res.value
                        .lookup(from)
                        .cloned()
                        .ok_or_else(|| format!("path `{from}` does not exist"))?
                };
                let sh = add(Arc::make_mut(&mut res.value), path, v)?;
                let ptr = landed(path, &sh);
                shift(res, sh);
                res.set_origin(ptr, at);
            }
            "test" => {
                if res.value.lookup(path) != Some(&value()?) {
                    return Err(format!("test operation {i} failed at `{path}`"));
                }
            }
            other => return Err(format!("unknown operation `{other}`")),
        }
    }
    Ok(())
}
