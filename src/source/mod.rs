//! Source files and positions.
//!
//! Every input the tool reads (blueprints, cluster files, manifests under validation) is kept as
//! a [`SourceFile`] so that any finding can name `file:line:col` and quote the offending line.
//! YAML is parsed into a positioned [`yaml::Node`] tree; typed models are built from that tree.

pub mod hints;
pub mod yaml;
pub mod yaml11;
mod yaml_block;

use serde_json::{Map, Value};

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based line and column in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// Line, starting at 1.
    pub line: u32,
    /// Column in characters, starting at 1.
    pub col: u32,
}

impl Span {
    /// A span at `line`:`col` (both 1-based).
    pub fn new(line: u32, col: u32) -> Self {
        Span { line, col }
    }

    /// The start of a file.
    pub const START: Span = Span { line: 1, col: 1 };
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A file read from disk (or built in memory by a test), with the path used in messages.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path as shown to the user: relative to the directory the user named, with `/` separators.
    pub display: String,
    /// Path on disk.
    pub path: PathBuf,
    /// Full text.
    pub text: String,
}

impl SourceFile {
    /// A source file from its display name, disk path and text.
    pub fn new(
        display: impl Into<String>,
        path: impl Into<PathBuf>,
        text: impl Into<String>,
    ) -> Self {
        SourceFile {
            display: display.into(),
            path: path.into(),
            text: text.into(),
        }
    }

    /// The text of 1-based line `line`, without its line break.
    pub fn line(&self, line: u32) -> Option<&str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        self.text
            .split('\n')
            .nth(index)
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
    }
}

/// Source files by their display path, so renderers can quote lines.
pub type SourceMap = std::collections::BTreeMap<String, SourceFile>;

/// Renders a path for messages: relative to `base` when possible, always with `/`.
pub fn display_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// JSON pointer lookup without allocating: serde_json's `Value::pointer` builds two strings
/// per token to unescape `~0`/`~1`, which dominated the rules on large trees.
pub trait Lookup {
    /// The value at a JSON pointer (RFC 6901), like `Value::pointer`.
    fn lookup(&self, pointer: &str) -> Option<&Value>;
}

/// Maps up to this many keys are scanned by [`field`] (about all of a manifest's maps).
const SCAN: usize = 16;

/// `map[key]`, like `Map::get`. A small map is scanned comparing lengths first: a key's
/// length is stored beside its pointer, so only keys of the same length are read, where a
/// B-tree search reads each key it passes, every one a separate allocation.
pub fn field<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    if map.len() > SCAN {
        return map.get(key);
    }
    map.iter()
        .find(|(k, _)| k.len() == key.len() && k.as_bytes() == key.as_bytes())
        .map(|(_, v)| v)
}

/// `value[key]` of an object, like `Value::get` with a string key ([`field`]).
pub fn get<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    match value {
        Value::Object(map) => field(map, key),
        _ => None,
    }
}

impl Lookup for Value {
    fn lookup(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        if pointer.contains('~') {
            return self.pointer(pointer);
        }
        let mut node = self;
        for token in pointer.strip_prefix('/')?.split('/') {
            node = match node {
                Value::Object(map) => field(map, token)?,
                Value::Array(items) => {
                    if token.len() > 1 && token.starts_with('0') {
                        return None;
                    }
                    if token.starts_with('+') {
                        return None;
                    }
                    items.get(token.parse::<usize>().ok()?)?
                }
                _ => return None,
            };
        }
        Some(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_agrees_with_get() {
        // Maps on both sides of the scan limit, keys sharing lengths and prefixes.
        for n in [0, 1, 2, SCAN - 1, SCAN, SCAN + 1, 40] {
            let map: Map<String, Value> = (0..n)
                .map(|i| {
                    (
                        format!("k{}", "x".repeat(i % 4)) + &i.to_string(),
                        Value::from(i),
                    )
                })
                .collect();
            let value = Value::Object(map.clone());
            for i in 0..n + 2 {
                for key in [
                    format!("k{}", "x".repeat(i % 4)) + &i.to_string(),
                    format!("k{i}"),
                    String::new(),
                ] {
                    assert_eq!(field(&map, &key), map.get(&key), "{n} keys, {key:?}");
                    assert_eq!(get(&value, &key), value.get(&key), "{n} keys, {key:?}");
                }
            }
        }
        assert_eq!(get(&Value::from(1), "a"), None);
        assert_eq!(get(&serde_json::json!(["a"]), "0"), None);
    }

    #[test]
    fn line_lookup_handles_crlf_and_bounds() {
        let f = SourceFile::new("a.yaml", "a.yaml", "one\r\ntwo\nthree");
        assert_eq!(f.line(1), Some("one"));
        assert_eq!(f.line(2), Some("two"));
        assert_eq!(f.line(3), Some("three"));
        assert_eq!(f.line(4), None);
        assert_eq!(f.line(0), None);
    }

    #[test]
    fn display_path_is_relative_with_slashes() {
        let base = Path::new("/x/repo");
        assert_eq!(
            display_path(base, Path::new("/x/repo/blueprints/a.yaml")),
            "blueprints/a.yaml"
        );
        assert_eq!(
            display_path(base, Path::new("other/b.yaml")),
            "other/b.yaml"
        );
    }
}
