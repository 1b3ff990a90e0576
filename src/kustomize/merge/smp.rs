//! Strategic merge, as kustomize's kyaml `merge2` does it: maps merge key by key, `null`
//! removes, `$patch: delete|replace|merge` directives on maps and lists, lists with the
//! `merge` strategy merge element by element on their merge keys (the patch's elements
//! first, then the rest of the object's, as kustomize prepends), other lists are replaced.

use crate::source::Lookup as _;
use serde_json::{Map, Value};
use std::sync::Arc;

use super::schema::{self, Field};
use super::{renumber, Origin, Resource};
use crate::kustomize::item::esc;

/// A list the merge rearranged: its pointer, moves (old index → new), dropped indexes.
type Rearranged = (String, Vec<(usize, usize)>, Vec<usize>);

/// What a merge did, for provenance.
#[derive(Default)]
struct Rec {
    /// (pointer in the result, pointer in the patch): values the patch set.
    sets: Vec<(String, String)>,
    /// (list pointer, moves old → new, dropped old indexes), outermost first.
    lists: Vec<Rearranged>,
    /// Above zero while copying a subtree the patch adds whole (recorded at its root).
    quiet: usize,
}

impl Rec {
    fn set(&mut self, d: &str, p: &str) {
        if self.quiet == 0 {
            self.sets.push((d.to_owned(), p.to_owned()));
        }
    }
}

/// Applies strategic-merge `patch` (written at `origin`) to `res`. `Ok(false)` when the
/// patch deletes the object. Name, namespace, kind and apiVersion stay the object's.
pub(crate) fn apply(res: &mut Resource, patch: &Value, origin: &Origin) -> Result<bool, String> {
    let api_version = res.value.get("apiVersion").cloned();
    let kind = res.value.get("kind").cloned();
    let name = res.value.lookup("/metadata/name").cloned();
    let namespace = res.value.lookup("/metadata/namespace").cloned();
    let ty = schema::for_kind(
        api_version.as_ref().and_then(Value::as_str).unwrap_or(""),
        kind.as_ref().and_then(Value::as_str).unwrap_or(""),
    );
    let mut rec = Rec::default();
    let dest = Arc::unwrap_or_clone(std::mem::take(&mut res.value));
    let merged = merge(Some(dest), patch, ty, None, "", "", &mut rec)?;
    let Some(mut value) = merged.filter(|v| v.as_object().is_some_and(|m| !m.is_empty())) else {
        return Ok(false);
    };
    if let Some(obj) = value.as_object_mut() {
        for (key, v) in [("apiVersion", api_version), ("kind", kind)] {
            match v {
                Some(v) => obj.insert(key.into(), v),
                None => obj.remove(key),
            };
        }
        if let Some(Value::Object(meta)) = obj.get_mut("metadata") {
            for (key, v) in [("name", name), ("namespace", namespace)] {
                match v {
                    Some(v) => meta.insert(key.into(), v),
                    None => meta.remove(key),
                };
            }
        }
    }
    res.value = Arc::new(value);
    for (list, moves, dropped) in &rec.lists {
        renumber(res, list, moves, dropped);
    }
    for (d, p) in rec.sets {
        if !d.starts_with("/metadata/name") && !d.starts_with("/metadata/namespace") {
            res.set_origin(d, origin.join(&p));
        }
    }
    Ok(true)
}

fn directive(v: &Value) -> Option<&str> {
    v.as_object()?.get("$patch")?.as_str()
}

/// The merge of `patch` into `dest` (`None`: absent); `None` when the field goes away.
fn merge(
    dest: Option<Value>,
    patch: &Value,
    ty: Option<usize>,
    field: Option<&'static Field>,
    dptr: &str,
    pptr: &str,
    rec: &mut Rec,
) -> Result<Option<Value>, String> {
    match patch {
        Value::Null => Ok(None),
        Value::Object(pm) => {
            match directive(patch) {
                Some("delete") => return Ok(None),
                Some("replace") => {
                    rec.set(dptr, pptr);
                    let mut m = pm.clone();
                    m.remove("$patch");
                    return Ok(Some(Value::Object(m)));
                }
                Some("merge") | None => {}
                Some(other) => return Err(format!("unknown patch strategy `{other}`")),
            }
            let mut dm = match dest {
                Some(Value::Object(m)) => m,
                Some(Value::Null) | None => {
                    rec.set(dptr, pptr);
                    rec.quiet += 1;
                    let out = merge_map(Map::new(), pm, ty, dptr, pptr, rec);
                    rec.quiet -= 1;
                    return out.map(|m| Some(Value::Object(m)));
                }
                Some(_) => {
                    rec.set(dptr, pptr);
                    Map::new()
                }
            };
            dm = merge_map(dm, pm, ty, dptr, pptr, rec)?;
            Ok(Some(Value::Object(dm)))
        }
        Value::Array(pa) => {
            if !field.is_some_and(|f| f.merge) {
                if dest.as_ref() != Some(patch) {
                    rec.set(dptr, pptr);
                }
                return Ok(Some(patch.clone()));
            }
            let mut items: Vec<(usize, &Value)> = Vec::new();
            for (i, e) in pa.iter().enumerate() {
                let lone = e.as_object().is_some_and(|m| m.len() == 1);
                match directive(e).filter(|_| lone) {
                    Some("delete") => return Ok(None),
                    Some("replace") => {
                        rec.set(dptr, pptr);
                        let rest: Vec<Value> = pa
                            .iter()
                            .filter(|x| directive(x) != Some("replace"))
                            .cloned()
                            .collect();
                        return Ok(Some(Value::Array(rest)));
                    }
                    Some("merge") => {}
                    Some(other) => return Err(format!("unknown patch strategy `{other}`")),
                    None => items.push((i, e)),
                }
            }
            let da = match dest {
                Some(Value::Array(a)) => a,
                Some(Value::Null) | None => {
                    rec.set(dptr, pptr);
                    rec.quiet += 1;
                    let out = merge_list(Vec::new(), &items, ty, field, dptr, pptr, rec);
                    rec.quiet -= 1;
                    return out.map(|l| Some(Value::Array(l)));
                }
                Some(_) => {
                    rec.set(dptr, pptr);
                    Vec::new()
                }
            };
            merge_list(da, &items, ty, field, dptr, pptr, rec).map(|l| Some(Value::Array(l)))
        }
        scalar => {
            if dest.as_ref() != Some(scalar) {
                rec.set(dptr, pptr);
            }
            Ok(Some(scalar.clone()))
        }
    }
}

fn merge_map(
    mut dm: Map<String, Value>,
    pm: &Map<String, Value>,
    ty: Option<usize>,
    dptr: &str,
    pptr: &str,
    rec: &mut Rec,
) -> Result<Map<String, Value>, String> {
    for (key, pv) in pm {
        if key == "$patch" {
            continue;
        }
        let f = schema::field(ty, key);
        let k = esc(key);
        let new = merge(
            dm.remove(key),
            pv,
            f.and_then(|f| f.child),
            f,
            &format!("{dptr}/{k}"),
            &format!("{pptr}/{k}"),
            rec,
        )?;
        if let Some(v) = new {
            dm.insert(key.clone(), v);
        }
    }
    Ok(dm)
}

/// The merge-key values of a list element ("" for a missing key).
fn key_values(e: &Value, keys: &[String]) -> Vec<String> {
    keys.iter()
        .map(|k| match e.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            _ => String::new(),
        })
        .collect()
}

/// kustomize's `validateKeys`: only the keys some element gives a value.
fn valid_keys(
    all: &[Vec<String>],
    values: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    let used: Vec<bool> = (0..keys.len())
        .map(|i| all.iter().any(|v| v.get(i).is_some_and(|s| !s.is_empty())))
        .collect();
    if !used.iter().any(|u| *u) {
        return (keys.to_vec(), values.to_vec());
    }
    let vk = keys
        .iter()
        .zip(&used)
        .filter(|(_, u)| **u)
        .map(|(k, _)| k.clone())
        .collect();
    let vv = values
        .iter()
        .zip(&used)
        .filter(|(v, u)| !v.is_empty() || **u)
        .map(|(v, _)| v.clone())
        .collect();
    (vk, vv)
}

/// Whether element `e` has exactly these key values.
fn has_keys(e: &Value, keys: &[String], values: &[String]) -> bool {
    e.is_object()
        && keys.len() == values.len()
        && keys
            .iter()
            .zip(values)
            .all(|(k, v)| key_values(e, std::slice::from_ref(k))[0] == *v && e.get(k).is_some())
}

/// kustomize's `mergeValues`: key tuples that agree where both are set become one.
fn unify(list: &mut [Vec<String>]) {
    for i in 0..list.len() {
        for j in 0..list.len() {
            let (a, b) = (&list[i], &list[j]);
            if a.len() != b.len() {
                continue;
            }
            let mut common = false;
            let mut res = Vec::with_capacity(a.len());
            let mut ok = true;
            for (x, y) in a.iter().zip(b) {
                if x == y {
                    common = true;
                    res.push(x.clone());
                } else if !x.is_empty() && !y.is_empty() {
                    ok = false;
                    break;
                } else if !x.is_empty() {
                    res.push(x.clone());
                } else {
                    res.push(y.clone());
                }
            }
            if ok && common {
                list[i] = res.clone();
                list[j] = res;
            }
        }
    }
}

fn merge_list(
    da: Vec<Value>,
    items: &[(usize, &Value)],
    ty: Option<usize>,
    field: Option<&'static Field>,
    dptr: &str,
    pptr: &str,
    rec: &mut Rec,
) -> Result<Vec<Value>, String> {
    let keys: &[String] = field.map(|f| f.keys.as_slice()).unwrap_or(&[]);
    // Each slot of the result: (dest index, patch index).
    let mut plan: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    let mut dropped = Vec::new();
    if keys.is_empty() {
        // A list of scalars: the union, the patch's values first.
        let mut seen: Vec<&Value> = Vec::new();
        for (pi, v) in items {
            if !seen.contains(v) {
                seen.push(v);
                plan.push((da.iter().position(|d| d == *v), Some(*pi)));
            }
        }
        for (di, v) in da.iter().enumerate() {
            if !seen.contains(&v) {
                seen.push(v);
                plan.push((Some(di), None));
            }
        }
    } else {
        let mut values: Vec<Vec<String>> = Vec::new();
        for e in items.iter().map(|(_, e)| *e).chain(da.iter()) {
            let v = key_values(e, keys);
            if !values.contains(&v) {
                values.push(v);
            }
        }
        if keys.len() > 1 {
            unify(&mut values);
        }
        let mut taken = vec![false; da.len()];
        let mut slots: Vec<(Vec<String>, Vec<String>)> = Vec::new();
        for v in &values {
            let (vk, vv) = valid_keys(&values, v, keys);
            let (k2, v2) = valid_keys(std::slice::from_ref(&vv), &vv, &vk);
            let di = (0..da.len()).find(|&i| !taken[i] && has_keys(&da[i], &k2, &v2));
            let pi = items
                .iter()
                .find(|(_, e)| has_keys(e, &k2, &v2))
                .map(|(i, _)| *i);
            let delete = pi.is_some_and(|pi| directive(&items_get(items, pi)) == Some("delete"));
            if let Some(d) = di {
                taken[d] = true;
            }
            if delete || (di.is_none() && pi.is_none()) {
                if let Some(d) = di {
                    dropped.push(d);
                }
                continue;
            }
            match slots.iter().position(|s| s.0 == vk && s.1 == vv) {
                Some(at) => {
                    if let Some(d) = plan[at].0 {
                        dropped.push(d);
                    }
                    plan[at] = (di, pi);
                }
                None => {
                    slots.push((vk, vv));
                    plan.push((di, pi));
                }
            }
        }
        // Elements the keys did not reach stay, after the others.
        for (d, t) in taken.iter().enumerate() {
            if !t {
                plan.push((Some(d), None));
            }
        }
    }
    let moves: Vec<(usize, usize)> = plan
        .iter()
        .enumerate()
        .filter_map(|(j, (d, _))| d.map(|d| (d, j)))
        .collect();
    if rec.quiet == 0 {
        rec.lists.push((dptr.to_owned(), moves, dropped));
    }
    let mut da: Vec<Option<Value>> = da.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(plan.len());
    for (j, (d, p)) in plan.into_iter().enumerate() {
        let dest = d.and_then(|d| da.get_mut(d).and_then(Option::take));
        let item_ptr = format!("{dptr}/{j}");
        match p {
            None => out.extend(dest),
            Some(pi) => {
                let pv = items_get(items, pi);
                let fresh = dest.is_none();
                if fresh {
                    rec.set(&item_ptr, &format!("{pptr}/{pi}"));
                    rec.quiet += 1;
                }
                let merged = merge(dest, &pv, ty, None, &item_ptr, &format!("{pptr}/{pi}"), rec);
                if fresh {
                    rec.quiet -= 1;
                }
                out.extend(merged?);
            }
        }
    }
    Ok(out)
}

fn items_get(items: &[(usize, &Value)], pi: usize) -> Value {
    items
        .iter()
        .find(|(i, _)| *i == pi)
        .map(|(_, v)| (*v).clone())
        .unwrap_or(Value::Null)
}
