//! Flux's post-build variable substitution (`spec.postBuild`), on built objects.
//!
//! kustomize-controller serializes each built object to YAML, runs bash-style substitution
//! over the text and parses the result again. On JSON values that means: every string is
//! substituted, and a string that the serializer writes as a plain scalar — how it was
//! quoted in the source does not matter, the build has forgotten — changes type when it
//! becomes a number or a boolean (`replicas: ${REPLICAS}` → `3`, `"${ENABLED}"` → `true`).
//! Comments never reach the substitution: kustomize's output has none. Only `${…}` forms
//! are variables; a bare `$VAR` is text.

use std::collections::BTreeMap;

use serde_json::Value;

/// The variables a Kustomization substitutes.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    /// Known names and values.
    pub known: BTreeMap<String, String>,
    /// True when some values cannot be known (a Secret that is SOPS-encrypted or sealed, a
    /// ConfigMap outside the repository): then no variable is reported undefined.
    pub open: bool,
}

/// A `${name}` without default that no variable defines: Flux's strict substitution fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undefined {
    /// JSON pointer of the string in the object.
    pub pointer: String,
    /// The variable.
    pub var: String,
}

/// Substitutes `vars` in every string of `value`.
pub fn substitute(value: &mut Value, vars: &Vars) -> Vec<Undefined> {
    let mut undefined = Vec::new();
    let mut pointer = String::new();
    walk(value, vars, &mut pointer, &mut undefined);
    undefined
}

/// True when a YAML serializer (go-yaml, as kustomize uses it) writes `text` as a plain
/// scalar: not empty, one line, no surrounding space, no leading indicator, no `: ` or ` #`,
/// and not a value YAML would read as another type.
fn written_plain(text: &str) -> bool {
    !text.is_empty()
        && !text.contains('\n')
        && text.trim() == text
        && !text.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ])
        && !text.contains(": ")
        && !text.contains(" #")
        && matches!(reread(text), Value::String(_))
}

/// True when a string of `value` holds a `$`: only those [`substitute`] can change, so an
/// object without one need not be copied to be substituted.
pub fn mentions_variables(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.values().any(mentions_variables),
        Value::Array(items) => items.iter().any(mentions_variables),
        Value::String(s) => s.contains('$'),
        _ => false,
    }
}

fn walk(value: &mut Value, vars: &Vars, pointer: &mut String, undefined: &mut Vec<Undefined>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&crate::source::yaml::escape_pointer_token(key));
                walk(v, vars, pointer, undefined);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                walk(v, vars, pointer, undefined);
                pointer.truncate(len);
            }
        }
        Value::String(s) if s.contains('$') => {
            let (out, missing) = expand(s, vars);
            for var in missing {
                undefined.push(Undefined {
                    pointer: pointer.clone(),
                    var,
                });
            }
            if out != *s {
                *value = if written_plain(s) {
                    reread_in_place(&out)
                } else {
                    Value::String(out)
                };
            }
        }
        _ => {}
    }
}

/// A plain scalar's text as YAML 1.2 (core schema) reads it.
fn reread(text: &str) -> Value {
    match text {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        "null" | "Null" | "NULL" | "~" | "" => return Value::Null,
        _ => {}
    }
    if let Ok(n) = text.parse::<i64>() {
        return Value::from(n);
    }
    if text.contains(['.', 'e', 'E']) && !text.ends_with('.') {
        if let Ok(f) = text.parse::<f64>() {
            if f.is_finite() {
                return Value::from(f);
            }
        }
    }
    Value::String(text.to_owned())
}

/// What YAML makes of `text` written where a plain scalar stood (`key: <text>`), as Flux
/// parses its substituted output again: quotes, flow collections and comments take effect
/// (`${D:="4"}` becomes the string `4`). Text that does not parse there, or spans lines,
/// stays the string it is (Flux's build would fail on it; nothing here guesses how).
fn reread_in_place(text: &str) -> Value {
    if text.contains(['\n', '\r']) {
        return Value::String(text.to_owned());
    }
    let doc = format!("k: {text}\n");
    match crate::source::yaml::parse_json_documents(&doc, |_| false) {
        Ok(mut docs) if docs.len() == 1 => match docs.remove(0).value {
            Value::Object(mut map) if map.len() == 1 => map
                .remove("k")
                .unwrap_or_else(|| Value::String(text.to_owned())),
            _ => Value::String(text.to_owned()),
        },
        _ => Value::String(text.to_owned()),
    }
}

/// The index of the `}` closing a `${` whose body starts at `from`, counting nested `${`.
fn closing_brace(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 2;
                continue;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Expands `text`; returns the result and the variables used without a default that are
/// not defined. Forms, as Flux's envsubst (fluxcd/pkg/envsubst v1.7) evaluates them: `$$`
/// (a literal `$`), `${name}`; defaults `${name:=d}`, `${name:-d}`, `${name=d}`,
/// `${name-d}`, `${name:?d}`, `${name:+d}` (each gives `d` when the variable is unset or
/// empty, as that envsubst does); `${#name}` (length), `${name^}`, `${name^^}`,
/// `${name,}`, `${name,,}` (case), `${name:pos}`, `${name:pos:len}` (substring),
/// `${name#glob}`, `${name##glob}`, `${name%glob}`, `${name%%glob}` (trims), and
/// `${name/from/to}`, `${name//from/to}`, `${name/#from/to}`, `${name/%from/to}`
/// (replacements). An operator on an unset variable is undefined, as in strict mode.
pub fn expand(text: &str, vars: &Vars) -> (String, Vec<String>) {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            let next = text[i..].find('$').map_or(text.len(), |p| i + p);
            out.push_str(&text[i..next]);
            i = next;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => {
                out.push('$');
                i += 2;
            }
            Some(b'{') => {
                // Defaults may hold variables of their own: `${A:-${B}}`.
                let Some(close) = closing_brace(text, i + 2) else {
                    out.push_str(&text[i..]);
                    break;
                };
                let inner = &text[i + 2..close];
                match expand_one(inner, vars, &mut missing) {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&text[i..=close]),
                }
                i = close + 1;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    (out, missing)
}

/// One `${…}` body: its expansion, or `None` to leave the text as written (not a variable
/// form Flux knows, or a variable that is not defined; those are added to `missing`).
fn expand_one(inner: &str, vars: &Vars, missing: &mut Vec<String>) -> Option<String> {
    if let Some(name) = inner.strip_prefix('#') {
        if !name.is_empty() && is_name_start(name.as_bytes()[0]) && name.bytes().all(is_name) {
            return value_of(name, vars, missing).map(|v| v.len().to_string());
        }
        return None;
    }
    let name_len = inner.bytes().take_while(|b| is_name(*b)).count();
    let name = &inner[..name_len];
    if name.is_empty() || !is_name_start(inner.as_bytes()[0]) {
        return None;
    }
    let rest = &inner[name_len..];
    let arg = |text: &str, missing: &mut Vec<String>| {
        let (expanded, inner_missing) = expand(text, vars);
        missing.extend(inner_missing);
        expanded
    };
    // Defaults: the variable's value, or the default when it is unset or empty.
    let default = [":=", ":-", ":?", ":+", "=", "-"]
        .iter()
        .find_map(|op| rest.strip_prefix(op));
    if let Some(d) = default {
        return Some(match vars.known.get(name).filter(|v| !v.is_empty()) {
            Some(v) => v.clone(),
            None => arg(d, missing),
        });
    }
    // The form is checked before the value is looked up: a form Flux does not know stays
    // as written without counting its variable as undefined.
    let op = match rest.as_bytes().first() {
        None => Op::Value,
        Some(b',' | b'^') if matches!(rest, "^^" | ",," | "^" | ",") => Op::Case(rest),
        Some(b':') => {
            let mut parts = rest[1..].splitn(2, ':');
            Op::Substring(parts.next().unwrap_or(""), parts.next())
        }
        Some(b'#' | b'%') => {
            let longest = rest.len() > 1 && rest.as_bytes()[1] == rest.as_bytes()[0];
            let pattern = &rest[if longest { 2 } else { 1 }..];
            Op::Trim(pattern, rest.starts_with('%'), longest)
        }
        Some(b'/') => {
            let (op, body) = ["//", "/#", "/%", "/"]
                .iter()
                .find_map(|op| rest.strip_prefix(op).map(|b| (*op, b)))?;
            let (from, to) = split_replace(body)?;
            Op::Replace(op, from, to)
        }
        Some(_) => return None,
    };
    let v = value_of(name, vars, missing)?;
    Some(match op {
        Op::Value => v,
        Op::Case("^^") => v.to_uppercase(),
        Op::Case(",,") => v.to_lowercase(),
        Op::Case(c) => first_char(&v, c == "^"),
        Op::Substring(pos, len) => {
            let pos = arg(pos, missing);
            let len = len.map(|l| arg(l, missing));
            substring(&v, &pos, len.as_deref())
        }
        Op::Trim(pattern, suffix, longest) => trim(&v, &arg(pattern, missing), suffix, longest),
        Op::Replace(op, from, to) => {
            let from = arg(&from, missing);
            let to = to.map(|t| arg(&t, missing));
            replace(&v, op, &from, to.as_deref())
        }
    })
}

/// A string operator of Flux's envsubst, as written (arguments not yet expanded).
enum Op<'a> {
    Value,
    /// `^^`, `,,`, `^` or `,`.
    Case(&'a str),
    /// `:pos` or `:pos:len`.
    Substring(&'a str, Option<&'a str>),
    /// The glob, whether it trims a suffix, whether the longest match.
    Trim(&'a str, bool, bool),
    /// `/`, `//`, `/#` or `/%`, the text to find, the replacement.
    Replace(&'a str, String, Option<String>),
}

/// The value of `name`, or `None` after noting it undefined (unless values are open).
fn value_of(name: &str, vars: &Vars, missing: &mut Vec<String>) -> Option<String> {
    let value = vars.known.get(name).cloned();
    if value.is_none() && !vars.open {
        missing.push(name.to_owned());
    }
    value
}

fn first_char(v: &str, upper: bool) -> String {
    let mut chars = v.chars();
    match chars.next() {
        Some(c) if upper => c.to_uppercase().chain(chars).collect(),
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `${v:pos}` / `${v:pos:len}` on bytes, as Go slices strings.
fn substring(v: &str, pos: &str, len: Option<&str>) -> String {
    let bytes = v.as_bytes();
    let n = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let Ok(mut pos) = pos.trim().parse::<i64>() else {
        return v.to_owned();
    };
    if pos < 0 {
        pos = (n + pos).max(0);
    }
    let slice = |a: i64, b: i64| {
        let (a, b) = (
            usize::try_from(a).unwrap_or(0),
            usize::try_from(b).unwrap_or(0),
        );
        String::from_utf8_lossy(
            &bytes[a.min(bytes.len())..b.min(bytes.len()).max(a.min(bytes.len()))],
        )
        .into_owned()
    };
    let Some(len) = len else {
        return if pos < n {
            slice(pos, n)
        } else {
            String::new()
        };
    };
    let Ok(len) = len.trim().parse::<i64>() else {
        return v.to_owned();
    };
    if len < 0 {
        let end = n + len;
        return if end < pos {
            String::new()
        } else {
            slice(pos, end)
        };
    }
    if pos + len >= n {
        return if pos < n {
            slice(pos, n)
        } else {
            String::new()
        };
    }
    slice(pos, pos + len)
}

/// The trims: shortest (`#`, `%`) or longest (`##`, `%%`) prefix or suffix matching a glob,
/// as Flux's envsubst computes them (a suffix by reversing the value and the pattern).
fn trim(v: &str, pattern: &str, suffix: bool, longest: bool) -> String {
    let reverse = |s: &str| s.chars().rev().collect::<String>();
    let (s, p) = if suffix {
        (reverse(v), reverse(pattern))
    } else {
        (v.to_owned(), pattern.to_owned())
    };
    // Prefixes from the longest to the shortest (the empty one is never tried).
    let mut found = None;
    for end in (1..=s.len()).rev().filter(|e| s.is_char_boundary(*e)) {
        match glob_match(&p, &s[..end]) {
            None => return v.to_owned(),
            Some(true) => {
                found = Some(end);
                if longest {
                    break;
                }
            }
            Some(false) => {}
        }
    }
    let out = found.map_or(s.clone(), |end| s[end..].to_owned());
    if suffix {
        reverse(&out)
    } else {
        out
    }
}

/// Go's `path.Match`: `*` (any run without `/`), `?` (one character but `/`), `[…]`
/// classes (`^` negates, ranges), `\` escapes. `None` for a malformed pattern.
fn glob_match(pattern: &str, name: &str) -> Option<bool> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    fn class(p: &[char], mut i: usize, c: char) -> Option<(bool, usize)> {
        let negate = p.get(i) == Some(&'^');
        if negate {
            i += 1;
        }
        let mut matched = false;
        let mut first = true;
        loop {
            let ch = *p.get(i)?;
            if ch == ']' && !first {
                return Some((matched != negate, i + 1));
            }
            first = false;
            let lo = if ch == '\\' {
                i += 1;
                *p.get(i)?
            } else {
                ch
            };
            i += 1;
            let hi = if p.get(i) == Some(&'-') && p.get(i + 1).is_some_and(|c| *c != ']') {
                i += 1;
                let h = if p[i] == '\\' {
                    i += 1;
                    *p.get(i)?
                } else {
                    p[i]
                };
                i += 1;
                h
            } else {
                lo
            };
            if lo <= c && c <= hi {
                matched = true;
            }
        }
    }
    fn go(p: &[char], pi: usize, n: &[char], ni: usize) -> Option<bool> {
        if pi == p.len() {
            return Some(ni == n.len());
        }
        match p[pi] {
            '*' => {
                let mut k = ni;
                loop {
                    if go(p, pi + 1, n, k)? {
                        return Some(true);
                    }
                    if k == n.len() || n[k] == '/' {
                        return Some(false);
                    }
                    k += 1;
                }
            }
            '?' => Some(ni < n.len() && n[ni] != '/' && go(p, pi + 1, n, ni + 1)?),
            '[' => {
                let Some(&c) = n.get(ni) else {
                    // Still check the class is well formed.
                    class(p, pi + 1, '\0')?;
                    return Some(false);
                };
                let (ok, next) = class(p, pi + 1, c)?;
                Some(ok && go(p, next, n, ni + 1)?)
            }
            '\\' => {
                let c = *p.get(pi + 1)?;
                Some(n.get(ni) == Some(&c) && go(p, pi + 2, n, ni + 1)?)
            }
            c => Some(n.get(ni) == Some(&c) && go(p, pi + 1, n, ni + 1)?),
        }
    }
    go(&p, 0, &n, 0)
}

/// A replacement's body `from/to` (`\/` is a slash in `from`); `to` is `None` when the body
/// ends right after the delimiter or has none.
fn split_replace(body: &str) -> Option<(String, Option<String>)> {
    let mut from = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    from.push(next);
                }
            }
            '/' => {
                let to = &body[i + 1..];
                return Some((from, (!to.is_empty()).then(|| to.to_owned())));
            }
            c => from.push(c),
        }
    }
    // Flux's parser wants the delimiter; without it the build fails: leave it as written.
    None
}

fn replace(v: &str, op: &str, from: &str, to: Option<&str>) -> String {
    match (op, to) {
        ("//", to) => v.replace(from, to.unwrap_or("")),
        ("/", to) => v.replacen(from, to.unwrap_or(""), 1),
        ("/#", Some(to)) if v.starts_with(from) => v.replacen(from, to, 1),
        ("/%", Some(to)) => match v.strip_suffix(from) {
            Some(head) => format!("{head}{to}"),
            None => v.to_owned(),
        },
        _ => v.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        Vars {
            known: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            open: false,
        }
    }

    #[test]
    fn only_values_with_a_dollar_can_change() {
        let v = vars(&[("A", "1")]);
        for value in [
            json!({"a": {"b": ["x", 1, null, "${A}"]}}),
            json!({"a": "$$"}),
            json!(["$"]),
        ] {
            assert!(mentions_variables(&value), "{value}");
        }
        for mut value in [
            json!({"a": {"b": ["x", 1, null, true]}}),
            json!({"${A}": "key only"}),
            json!(2),
        ] {
            assert!(!mentions_variables(&value), "{value}");
            let before = value.clone();
            assert!(substitute(&mut value, &v).is_empty());
            assert_eq!(value, before);
        }
    }

    #[test]
    fn expands_the_forms_flux_knows() {
        let v = vars(&[("A", "1"), ("EMPTY", "")]);
        assert_eq!(expand("x-${A}", &v), ("x-1".into(), vec![]));
        assert_eq!(expand("${B:=two}", &v), ("two".into(), vec![]));
        assert_eq!(expand("${B:-two}", &v), ("two".into(), vec![]));
        assert_eq!(expand("${EMPTY:=d}", &v), ("d".into(), vec![]));
        assert_eq!(expand("$${A}", &v), ("${A}".into(), vec![]));
        assert_eq!(expand("$A/$NOPE", &v), ("$A/$NOPE".into(), vec![]));
        assert_eq!(expand("${B}", &v), ("${B}".into(), vec!["B".to_owned()]));
        assert_eq!(expand("cost: 5$", &v), ("cost: 5$".into(), vec![]));
        assert_eq!(expand("${NOPE:-${A}}", &v), ("1".into(), vec![]));
        assert_eq!(expand("${A:-${NOPE}}", &v), ("1".into(), vec![]));
        assert_eq!(
            expand("${X:-${NOPE}}-z", &v),
            ("${NOPE}-z".into(), vec!["NOPE".to_owned()])
        );
    }

    #[test]
    fn open_variables_are_never_undefined() {
        let v = Vars {
            open: true,
            ..Vars::default()
        };
        assert_eq!(expand("${B}", &v).1, Vec::<String>::new());
    }

    #[test]
    fn string_operators_evaluate_as_flux_envsubst() {
        let v = vars(&[("R", "eu-west-1"), ("N", "Shop"), ("E", "")]);
        let x = |t: &str| expand(t, &v);
        assert_eq!(
            x("${N^^}-${N,,}-${N,}-${R^}"),
            ("SHOP-shop-shop-Eu-west-1".into(), vec![])
        );
        assert_eq!(
            x("${#R}:${R:3:4}:${R:100}:${R:1:-1}"),
            ("9:west::u-west-".into(), vec![])
        );
        assert_eq!(
            x("${R#*-}|${R##*-}|${R%-*}|${R%%-*}|${R#x*}"),
            ("west-1|1|eu-west|eu|eu-west-1".into(), vec![])
        );
        assert_eq!(
            x("${R#[a-e]?-}|${R%[!0]}"),
            ("west-1|eu-west-1".into(), vec![])
        );
        // `${R//-}` lacks its delimiter: Flux's parser fails on it, so it stays as written.
        assert_eq!(
            x("${R/-/}|${R//-}|${R/#eu/}|${R/%1/9}"),
            ("euwest-1|${R//-}|eu-west-1|eu-west-9".into(), vec![])
        );
        assert_eq!(
            x("${E=d}${E:-e}${U:+p}${U?q}"),
            ("dep${U?q}".into(), vec![])
        );
        // An operator on an unset variable is undefined, as Flux's strict mode says.
        assert_eq!(
            x("${U^^}${#U}"),
            ("${U^^}${#U}".into(), vec!["U".to_owned(), "U".to_owned()])
        );
        assert_eq!(x("${R/${N}/x}"), ("eu-west-1".into(), vec![]));
    }

    #[test]
    fn substituted_text_is_parsed_where_it_stands() {
        let mut doc = json!({
            "quoted": "${D:=\"4\"}",
            "list": "${L}",
            "comment": "${C} #note",
            "broken": "${B}",
            "quoted_source": "x ${L}"
        });
        let undefined = substitute(
            &mut doc,
            &vars(&[("L", "[a, b]"), ("C", "5"), ("B", "a: b")]),
        );
        assert!(undefined.is_empty());
        assert_eq!(
            doc,
            json!({
                "quoted": "4",
                "list": ["a", "b"],
                "comment": "5 #note",
                "broken": "a: b",
                "quoted_source": "x [a, b]"
            })
        );
    }

    #[test]
    fn substituted_scalars_are_read_again() {
        let mut doc = json!({"spec": {"replicas": "${N}", "on": "${B}", "name": "x-${N}", "multi": "a\n${N}"}});
        let undefined = substitute(&mut doc, &vars(&[("N", "3"), ("B", "true")]));
        assert!(undefined.is_empty());
        assert_eq!(
            doc,
            json!({"spec": {"replicas": 3, "on": true, "name": "x-3", "multi": "a\n3"}})
        );
    }
}
