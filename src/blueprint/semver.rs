//! Semver ranges in the syntax Flux's ImagePolicy accepts (Masterminds/semver): comparators
//! `=`, `!=`, `>`, `<`, `>=`, `<=`, `~`, `^`, wildcards `x`/`*`, hyphen ranges `1.2 - 1.4`,
//! comparators joined by spaces or commas (and) and `||` (or). A leading `v` is allowed.

use std::fmt;

/// A version as `(major, minor, patch)` with a pre-release flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Triple(u64, u64, u64);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Bound {
    Ge(Triple),
    Gt(Triple),
    Le(Triple),
    Lt(Triple),
    Ne(Triple),
}

/// True when `tag` is a version in the sense of Flux's semver policy (Masterminds,
/// non-strict): an optional `v`, one to three numbers, then an optional pre-release and build.
pub fn is_version(tag: &str) -> bool {
    let t = tag.strip_prefix('v').unwrap_or(tag);
    let core = t.split(['-', '+']).next().unwrap_or(t);
    let parts: Vec<&str> = core.split('.').collect();
    (1..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A parsed range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    alternatives: Vec<Vec<Bound>>,
}

/// Why a range or version does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemverError(pub String);

impl fmt::Display for SemverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A partial version: missing or wildcard parts are `None`.
fn partial(text: &str) -> Result<[Option<u64>; 3], SemverError> {
    let t = text.strip_prefix('v').unwrap_or(text);
    // Pre-release and build metadata do not change the bounds we compute.
    let t = t.split(['-', '+']).next().unwrap_or(t);
    let parts: Vec<&str> = t.split('.').collect();
    if t.is_empty() || parts.len() > 3 {
        return Err(SemverError(format!("`{text}` is not a version")));
    }
    let mut out = [None, None, None];
    let mut wildcard = false;
    for (i, p) in parts.iter().enumerate() {
        if matches!(*p, "x" | "X" | "*") {
            wildcard = true;
            continue;
        }
        if wildcard {
            return Err(SemverError(format!("`{text}`: a number after a wildcard")));
        }
        out[i] = Some(
            p.parse()
                .map_err(|_| SemverError(format!("`{text}` is not a version")))?,
        );
    }
    Ok(out)
}

fn lower(p: [Option<u64>; 3]) -> Triple {
    Triple(p[0].unwrap_or(0), p[1].unwrap_or(0), p[2].unwrap_or(0))
}

/// The smallest version above every version matching the partial (`1.2` → `1.3.0`).
fn next(p: [Option<u64>; 3]) -> Option<Triple> {
    match p {
        [None, _, _] => None,
        [Some(a), None, _] => Some(Triple(a + 1, 0, 0)),
        [Some(a), Some(b), None] => Some(Triple(a, b + 1, 0)),
        [Some(a), Some(b), Some(c)] => Some(Triple(a, b, c + 1)),
    }
}

fn comparator(text: &str) -> Result<Vec<Bound>, SemverError> {
    let ops = [">=", "=>", "<=", "=<", "!=", "~>", ">", "<", "=", "~", "^"];
    let (op, rest) = ops
        .iter()
        .find_map(|op| text.strip_prefix(op).map(|r| (*op, r.trim_start())))
        .unwrap_or(("", text));
    let p = partial(rest)?;
    let exact = p.iter().all(Option::is_some);
    Ok(match op {
        "" | "=" => match next(p) {
            None => vec![],
            Some(n) if exact => vec![Bound::Ge(lower(p)), Bound::Le(lower(p)), Bound::Lt(n)],
            Some(n) => vec![Bound::Ge(lower(p)), Bound::Lt(n)],
        },
        "!=" => vec![Bound::Ne(lower(p))],
        ">" if exact => vec![Bound::Gt(lower(p))],
        ">" => next(p)
            .map(|n| vec![Bound::Ge(n)])
            .unwrap_or_else(|| vec![Bound::Lt(Triple(0, 0, 0))]),
        ">=" | "=>" => vec![Bound::Ge(lower(p))],
        "<" => vec![Bound::Lt(lower(p))],
        "<=" | "=<" if exact => vec![Bound::Le(lower(p))],
        "<=" | "=<" => next(p).map(|n| vec![Bound::Lt(n)]).unwrap_or_default(),
        "~" | "~>" => {
            let upper = match p {
                [Some(a), None, _] => Some(Triple(a + 1, 0, 0)),
                [Some(a), Some(b), _] => Some(Triple(a, b + 1, 0)),
                _ => None,
            };
            let mut v = vec![Bound::Ge(lower(p))];
            v.extend(upper.map(Bound::Lt));
            v
        }
        "^" => {
            let upper = match p {
                [Some(0), Some(0), Some(c)] => Some(Triple(0, 0, c + 1)),
                [Some(0), Some(b), _] if b > 0 || p[2].is_none() => Some(Triple(0, b + 1, 0)),
                [Some(0), None, _] => Some(Triple(1, 0, 0)),
                [Some(a), _, _] => Some(Triple(a + 1, 0, 0)),
                [None, _, _] => None,
            };
            let mut v = vec![Bound::Ge(lower(p))];
            v.extend(upper.map(Bound::Lt));
            v
        }
        _ => return Err(SemverError(format!("unknown operator in `{text}`"))),
    })
}

impl Range {
    /// Parses a range such as `>=1.0.0 <2.0.0`, `^1.4`, `~2.3.0 || 3.x`.
    pub fn parse(text: &str) -> Result<Range, SemverError> {
        if text.trim().is_empty() {
            return Err(SemverError("the range is empty".into()));
        }
        let mut alternatives = Vec::new();
        for alt in text.split("||") {
            let alt = alt.trim();
            if alt.is_empty() {
                return Err(SemverError("empty alternative around `||`".into()));
            }
            let mut bounds = Vec::new();
            if let Some((from, to)) = alt.split_once(" - ") {
                bounds.push(Bound::Ge(lower(partial(from.trim())?)));
                let to_p = partial(to.trim())?;
                if to_p.iter().all(Option::is_some) {
                    bounds.push(Bound::Le(lower(to_p)));
                } else if let Some(n) = next(to_p) {
                    bounds.push(Bound::Lt(n));
                }
            } else {
                // Operators may be separated from their version by a space (`>= 1.2`).
                let mut tokens: Vec<String> = Vec::new();
                for token in alt.split([' ', ',']).filter(|t| !t.is_empty()) {
                    match tokens.last_mut() {
                        Some(last) if last.chars().all(|c| "<>=!~^".contains(c)) => {
                            last.push_str(token)
                        }
                        _ => tokens.push(token.to_owned()),
                    }
                }
                for token in tokens {
                    bounds.extend(comparator(&token)?);
                }
            }
            alternatives.push(bounds);
        }
        Ok(Range { alternatives })
    }

    /// True when `version` (a tag like `1.4.2` or `v1.4.2`) is in the range. Tags that are
    /// not versions, and pre-releases, never match.
    pub fn matches(&self, version: &str) -> bool {
        let v = version.strip_prefix('v').unwrap_or(version);
        if v.contains(['-', '+']) {
            return false;
        }
        // Like Flux (Masterminds, non-strict): `1.4` reads as `1.4.0`.
        let parts: Vec<&str> = v.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return false;
        }
        let nums: Option<Vec<u64>> = parts.iter().map(|p| p.parse().ok()).collect();
        let Some(mut n) = nums else { return false };
        n.resize(3, 0);
        let t = Triple(n[0], n[1], n[2]);
        self.alternatives.iter().any(|alt| {
            alt.iter().all(|b| match b {
                Bound::Ge(x) => t >= *x,
                Bound::Gt(x) => t > *x,
                Bound::Le(x) => t <= *x,
                Bound::Lt(x) => t < *x,
                Bound::Ne(x) => t != *x,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(range: &str, v: &str) -> bool {
        Range::parse(range).expect("parses").matches(v)
    }

    #[test]
    fn ranges() {
        assert!(m(">=1.0.0 <2.0.0", "1.4.2"));
        assert!(!m(">=1.0.0 <2.0.0", "2.0.0"));
        assert!(m(">=1.0.0, <2.0.0", "1.0.0"));
        assert!(m("^1.4", "1.9.0") && !m("^1.4", "2.0.0") && !m("^1.4", "1.3.9"));
        assert!(m("^0.2.3", "0.2.9") && !m("^0.2.3", "0.3.0"));
        assert!(m("~1.2.3", "1.2.9") && !m("~1.2.3", "1.3.0"));
        assert!(m("1.x", "1.7.0") && !m("1.x", "2.0.0"));
        assert!(m("*", "9.9.9"));
        assert!(m("1.2 - 1.4", "1.4.9") && !m("1.2 - 1.4", "1.5.0"));
        assert!(m("~1.0 || >=3.0.0", "3.1.0") && !m("~1.0 || >=3.0.0", "2.0.0"));
        assert!(m(">= 1.2", "1.2.0"));
        assert!(m("v1.2.3", "1.2.3"));
        assert!(m(">=1.0.0 <2.0.0", "1.4") && m("^1", "v1"));
        assert!(!m(">=1.0.0", "1.0.0-rc.1"));
        assert!(!m(">=1.0.0", "main-abc1234-1700000000"));
    }

    #[test]
    fn versions() {
        for v in ["1.4.2", "v1.4.2", "1.4", "2", "1.0.0-rc.1", "1.0.0+build.5"] {
            assert!(is_version(v), "{v}");
        }
        for v in [
            "main-0a1b2c3-1763841600",
            "latest",
            "1.x",
            "1..2",
            "",
            "1.2.3.4",
        ] {
            assert!(!is_version(v), "{v}");
        }
    }

    #[test]
    fn bad_ranges() {
        for bad in [
            "",
            "abc",
            ">=1.a",
            "1.2.3.4",
            "||",
            ">=1.0.0 ||",
            "1.x.3",
            "=> =>1",
        ] {
            assert!(Range::parse(bad).is_err(), "`{bad}` should not parse");
        }
    }
}
