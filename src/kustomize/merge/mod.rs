//! Patches: strategic merge ([`smp`], kustomize's kyaml merge with the Kubernetes patch
//! strategies of [`schema`]) and JSON 6902 ([`json6902`]), both recording where each value
//! they set is written.

pub(crate) mod json6902;
pub(crate) mod schema;
pub(crate) mod smp;

use super::{Origin, Resource};

/// Records that the elements of the list at `list` moved (`moves`: old index → new index)
/// or were dropped (`dropped`), so that an element keeps the origin it had.
pub(crate) fn renumber(
    res: &mut Resource,
    list: &str,
    moves: &[(usize, usize)],
    dropped: &[usize],
) {
    if moves.iter().all(|(a, b)| a == b) && dropped.is_empty() {
        return;
    }
    let kept: Vec<(usize, Origin)> = moves
        .iter()
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (*b, res.origin_of(&format!("{list}/{a}"))))
        .collect();
    let prefix = format!("{list}/");
    let mut fields = Vec::with_capacity(res.fields.len() + kept.len());
    for (ptr, origin) in res.fields.drain(..) {
        let Some(rest) = ptr.strip_prefix(&prefix) else {
            fields.push((ptr, origin));
            continue;
        };
        let (idx, tail) = match rest.find('/') {
            Some(p) => (&rest[..p], &rest[p..]),
            None => (rest, ""),
        };
        let Ok(i) = idx.parse::<usize>() else {
            fields.push((ptr, origin));
            continue;
        };
        if dropped.contains(&i) {
            continue;
        }
        match moves.iter().find(|(a, _)| *a == i) {
            Some((_, b)) => fields.push((format!("{prefix}{b}{tail}"), origin)),
            None => fields.push((ptr, origin)),
        }
    }
    // The element's own origin first, so that deeper entries still win.
    let mut out: Vec<(String, Origin)> = kept
        .into_iter()
        .map(|(b, o)| (format!("{prefix}{b}"), o))
        .collect();
    out.extend(fields);
    res.fields = out;
}
