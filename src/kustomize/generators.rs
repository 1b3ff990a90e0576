//! `configMapGenerator` and `secretGenerator`: objects made from `literals`, `files`
//! (`key=path` or a path) and `envs` (`env`), with the generator's and the kustomization's
//! `generatorOptions` (labels, annotations, `disableNameSuffixHash`, `immutable`).

use crate::source::Lookup as _;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::config::Kustomization;
use super::item::{esc, Generated, Item};
use super::{resolve_path, Build, Origin, Problem, Source};

/// A key kustomize accepts in a ConfigMap or Secret.
fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k != "."
        && k != ".."
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The string entries of a generator list. kustomize refuses the kustomization when an
/// entry is not a string (a literal like `k=a: b` that YAML reads as a mapping).
fn strings<'a>(field: &str, v: Option<&'a Value>) -> Result<Vec<&'a str>, String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .map(|e| {
                e.as_str().ok_or_else(|| {
                    format!(
                        "`{field}` entry {e} is not a string (quote it: YAML read it as {})",
                        kind(e)
                    )
                })
            })
            .collect(),
        Some(Value::String(s)) => Ok(vec![s.as_str()]),
        _ => Ok(Vec::new()),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "a mapping",
        Value::Array(_) => "a list",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
        Value::String(_) => "a string",
    }
}

/// kustomize's `removeQuotes` for literal values.
fn unquote(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// The options in effect: the generator's own, the kustomization's `generatorOptions`
/// filling the labels and annotations it does not set; either one disables the hash or
/// makes the object immutable.
fn options(
    args: &Value,
    global: Option<&Value>,
) -> (Map<String, Value>, Map<String, Value>, bool, bool) {
    let local = args.get("options");
    let map = |o: Option<&Value>, k: &str| {
        o.and_then(|o| o.get(k))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let flag = |o: Option<&Value>, k: &str| {
        o.and_then(|o| o.get(k)).and_then(Value::as_bool) == Some(true)
    };
    let mut labels = map(local, "labels");
    let mut annotations = map(local, "annotations");
    for (k, v) in map(global, "labels") {
        labels.entry(k).or_insert(v);
    }
    for (k, v) in map(global, "annotations") {
        annotations.entry(k).or_insert(v);
    }
    let no_hash = flag(local, "disableNameSuffixHash") || flag(global, "disableNameSuffixHash");
    let immutable = flag(local, "immutable") || flag(global, "immutable");
    (labels, annotations, no_hash, immutable)
}

/// Runs the kustomization's generators, in kustomize's order (ConfigMaps, then Secrets).
pub(crate) fn generate(src: &dyn Source, k: &Kustomization, out: &mut Build) -> Vec<Item> {
    let mut made = Vec::new();
    for (field, kind) in [
        ("configMapGenerator", "ConfigMap"),
        ("secretGenerator", "Secret"),
    ] {
        for (i, args) in k.list(field).iter().enumerate() {
            let at = k.entry(field, i);
            match one(
                src,
                k,
                args,
                k.value.get("generatorOptions"),
                kind,
                &at,
                out,
            ) {
                Ok(item) => made.push(item),
                Err(message) => out.errors.push(Problem {
                    origin: at,
                    message,
                }),
            }
        }
    }
    made
}

/// Runs a built-in generator configuration (`apiVersion: builtin`, kind `ConfigMapGenerator`
/// or `SecretGenerator`, listed in `generators`): the arguments of a kustomization's entry,
/// the name and namespace defaulting to the object's `metadata`; the kustomization's
/// `generatorOptions` do not apply.
pub(crate) fn generate_builtin(
    src: &dyn Source,
    k: &Kustomization,
    config: &Value,
    kind: &str,
    at: &Origin,
    out: &mut Build,
) -> Result<Item, String> {
    let mut args = config.clone();
    if let Some(obj) = args.as_object_mut() {
        for key in ["name", "namespace"] {
            let own = obj
                .get(key)
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            let meta = config
                .lookup(&format!("/metadata/{key}"))
                .filter(|v| v.is_string())
                .cloned();
            if let (false, Some(v)) = (own, meta) {
                obj.insert(key.into(), v);
            }
        }
    }
    one(src, k, &args, None, kind, at, out)
}

fn one(
    src: &dyn Source,
    k: &Kustomization,
    args: &Value,
    global: Option<&Value>,
    kind: &str,
    at: &Origin,
    out: &mut Build,
) -> Result<Item, String> {
    let name = args
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("a {kind} generator needs a `name`"))?;
    // (key, value, where it is written)
    let mut pairs: Vec<(String, String, Origin)> = Vec::new();
    let mut envs = strings("envs", args.get("envs"))?;
    envs.extend(strings("env", args.get("env"))?);
    for (j, file) in envs.iter().enumerate() {
        let field = if args.get("envs").is_some() {
            "envs"
        } else {
            "env"
        };
        let path = resolve_path(&k.dir, file)
            .ok_or_else(|| format!("`{file}` is outside the repository"))?;
        let text = read(src, &path, out)?;
        for (n, line) in text.lines().enumerate() {
            let line = if n == 0 {
                line.trim_start_matches('\u{feff}')
            } else {
                line
            };
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            if key.is_empty() || key.contains(char::is_whitespace) {
                return Err(format!(
                    "`{file}` line {}: `{key}` is not a variable name",
                    n + 1
                ));
            }
            pairs.push((
                key.to_owned(),
                value.to_owned(),
                at.join(&format!("/{field}/{j}")),
            ));
        }
    }
    let mut binary: Vec<(String, Vec<u8>, Origin)> = Vec::new();
    for (j, lit) in strings("literals", args.get("literals"))?
        .iter()
        .enumerate()
    {
        let (key, value) = lit
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| format!("literal `{lit}` is not key=value"))?;
        pairs.push((
            key.to_owned(),
            unquote(value).to_owned(),
            at.join(&format!("/literals/{j}")),
        ));
    }
    for (j, file) in strings("files", args.get("files"))?.iter().enumerate() {
        let (key, path) = match file.matches('=').count() {
            0 => (file.rsplit('/').next().unwrap_or(file), *file),
            1 => {
                let (k, p) = file.split_once('=').unwrap_or(("", ""));
                if k.is_empty() || p.is_empty() {
                    return Err(format!("file source `{file}` needs both a key and a path"));
                }
                (k, p)
            }
            _ => {
                return Err(format!(
                    "file source `{file}`: the key or the path contains `=`"
                ))
            }
        };
        let full = resolve_path(&k.dir, path)
            .ok_or_else(|| format!("`{path}` is outside the repository"))?;
        match read_bytes(src, &full, out)? {
            Ok(text) => pairs.push((key.to_owned(), text, at.join(&format!("/files/{j}")))),
            // Not UTF-8: kustomize puts it in `binaryData` (a Secret's `data` is bytes anyway).
            Err(bytes) => binary.push((key.to_owned(), bytes, at.join(&format!("/files/{j}")))),
        }
    }
    let mut data = Map::new();
    let mut origins = Vec::new();
    for (key, value, origin) in pairs {
        if !valid_key(&key) {
            return Err(format!("`{key}` is not a valid {kind} key"));
        }
        if data.contains_key(&key) {
            return Err(format!("{kind} `{name}` repeats the key `{key}`"));
        }
        let value = if kind == "Secret" {
            encode_secret(&value)
        } else {
            value
        };
        origins.push((format!("/data/{}", esc(&key)), origin));
        data.insert(key, Value::String(value));
    }
    let mut binary_data = Map::new();
    for (key, bytes, origin) in binary {
        if !valid_key(&key) {
            return Err(format!("`{key}` is not a valid {kind} key"));
        }
        if data.contains_key(&key) || binary_data.contains_key(&key) {
            return Err(format!("{kind} `{name}` repeats the key `{key}`"));
        }
        let field = if kind == "Secret" {
            "data"
        } else {
            "binaryData"
        };
        origins.push((format!("/{field}/{}", esc(&key)), origin));
        let value = Value::String(encode_bytes(&bytes));
        if kind == "Secret" {
            data.insert(key, value);
        } else {
            binary_data.insert(key, value);
        }
    }
    let (labels, annotations, no_hash, immutable) = options(args, global);
    let mut meta = Map::new();
    meta.insert("name".into(), name.into());
    if let Some(ns) = args
        .get("namespace")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        meta.insert("namespace".into(), ns.into());
    }
    if !labels.is_empty() {
        meta.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        meta.insert("annotations".into(), Value::Object(annotations));
    }
    let mut obj = json!({"apiVersion": "v1", "kind": kind, "metadata": meta});
    if let Some(o) = obj.as_object_mut() {
        if kind == "Secret" {
            let ty = args
                .get("type")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or("Opaque");
            o.insert("type".into(), ty.into());
        }
        if !data.is_empty() {
            o.insert("data".into(), Value::Object(data));
        }
        if !binary_data.is_empty() {
            o.insert("binaryData".into(), Value::Object(binary_data));
        }
        if immutable {
            o.insert("immutable".into(), Value::Bool(true));
        }
    }
    let mut item = Item::new(obj, at.clone());
    for (ptr, origin) in origins {
        item.r.set_origin(ptr, origin);
    }
    item.generated = Some(Generated {
        behavior: args
            .get("behavior")
            .and_then(Value::as_str)
            .unwrap_or("create")
            .to_owned(),
        hash: !no_hash,
    });
    Ok(item)
}

/// Base64 as kustomize writes Secret data: from 70 encoded characters on, cut into lines
/// of 70, each ending with a newline (its YAML library's encoding of binary values).
fn encode_secret(value: &str) -> String {
    encode_bytes(value.as_bytes())
}

/// [`encode_secret`] for any bytes.
fn encode_bytes(value: &[u8]) -> String {
    const LINE: usize = 70;
    let enc = base64::engine::general_purpose::STANDARD.encode(value);
    if enc.len() < LINE {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / LINE + 1);
    for chunk in enc.as_bytes().chunks(LINE) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out
}

/// A generator file: its text, or its bytes when it is not UTF-8.
fn read_bytes(
    src: &dyn Source,
    path: &str,
    out: &mut Build,
) -> Result<Result<String, Vec<u8>>, String> {
    match src.bytes(path) {
        None => Err(format!("`{path}` does not exist")),
        Some(Err(why)) => Err(format!("`{path}` cannot be read: {why}")),
        Some(Ok(bytes)) => {
            out.files.insert(path.to_owned());
            Ok(String::from_utf8(bytes.to_vec()).map_err(|e| e.into_bytes()))
        }
    }
}

fn read(src: &dyn Source, path: &str, out: &mut Build) -> Result<String, String> {
    match src.text(path) {
        None => Err(format!("`{path}` does not exist")),
        Some(Err(why)) => Err(format!("`{path}` cannot be read: {why}")),
        Some(Ok(text)) => {
            out.files.insert(path.to_owned());
            Ok(text.to_string())
        }
    }
}
