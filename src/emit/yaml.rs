//! Canonical YAML for generated files.
//!
//! Objects go through `serde_json::Value` first, so mapping keys come out sorted (as
//! `kubectl` and go-yaml print them) whatever the struct field order, and then through
//! serde-saphyr, which quotes every string YAML 1.1 would read as something else (`on`,
//! `yes`, `0755`, `1:20`, `2024-01-01`, ...). Comments can be attached to scalars by JSON
//! pointer; Flux image setter markers use that.

use std::collections::BTreeMap;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::error::Error;

/// One YAML document: a value plus end-of-line comments on some scalars.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    /// The object.
    pub value: Value,
    /// Comments by JSON pointer of the scalar they follow.
    pub comments: BTreeMap<String, String>,
}

impl Doc {
    /// A document from any serializable object (typed Kubernetes objects, custom resources).
    pub fn from_object<T: Serialize>(object: &T) -> Result<Doc, Error> {
        let value = serde_json::to_value(object)
            .map_err(|e| Error::Internal(format!("object does not serialize: {e}")))?;
        Ok(Doc {
            value,
            comments: BTreeMap::new(),
        })
    }

    /// Attaches `comment` to the scalar at `pointer`.
    #[must_use]
    pub fn with_comment(mut self, pointer: &str, comment: impl Into<String>) -> Doc {
        self.comments.insert(pointer.to_owned(), comment.into());
        self
    }

    /// The YAML text of the document.
    pub fn to_yaml(&self) -> Result<String, Error> {
        let node = Annotated {
            value: &self.value,
            pointer: String::new(),
            comments: &self.comments,
        };
        // Long single-line strings (sealed values, commands) stay plain scalars on one line,
        // as kubectl and kubeseal print them, instead of folded `>-` blocks; multi-line
        // strings still use literal `|` blocks.
        let mut options = serde_saphyr::SerializerOptions::default();
        options.folded_wrap_chars = 1 << 20;
        serde_saphyr::to_string_with_options(&node, options)
            .map_err(|e| Error::Internal(format!("YAML output failed: {e}")))
    }
}

/// A value being serialized, with the pointer it sits at.
struct Annotated<'a> {
    value: &'a Value,
    pointer: String,
    comments: &'a BTreeMap<String, String>,
}

impl Annotated<'_> {
    /// True when a comment may sit at or below this value. Most documents carry none, and
    /// building every node's pointer was a good part of the time output took.
    fn commented(&self) -> bool {
        self.comments
            .range::<str, _>((
                std::ops::Bound::Included(self.pointer.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .next()
            .is_some_and(|(k, _)| k.starts_with(&self.pointer))
    }
}

impl Serialize for Annotated<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.commented() {
            // The same calls as below, without the pointers.
            return self.value.serialize(serializer);
        }
        match self.value {
            Value::Object(map) => {
                let mut m = serializer.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    let child = Annotated {
                        value: v,
                        pointer: format!(
                            "{}/{}",
                            self.pointer,
                            crate::source::yaml::escape_pointer_token(k)
                        ),
                        comments: self.comments,
                    };
                    m.serialize_entry(k, &child)?;
                }
                m.end()
            }
            Value::Array(items) => {
                let mut s = serializer.serialize_seq(Some(items.len()))?;
                for (i, v) in items.iter().enumerate() {
                    s.serialize_element(&Annotated {
                        value: v,
                        pointer: format!("{}/{i}", self.pointer),
                        comments: self.comments,
                    })?;
                }
                s.end()
            }
            scalar => match self.comments.get(&self.pointer) {
                Some(c) => serde_saphyr::Commented(scalar, c.clone()).serialize(serializer),
                None => scalar.serialize(serializer),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::yaml::parse_documents;
    use serde_json::json;

    #[test]
    fn yaml11_lookalikes_stay_strings() {
        let tricky = [
            "on",
            "off",
            "yes",
            "no",
            "y",
            "n",
            "Yes",
            "ON",
            "true",
            "False",
            "null",
            "~",
            "",
            "1.0",
            "0755",
            "0x1F",
            "0o17",
            "1e3",
            "1_000",
            ".5",
            "1:20",
            "2024-01-01",
            "-.inf",
            ".nan",
            "123",
            "- x",
            "#x",
            "a: b",
            " lead",
            "trail ",
            "@x",
            "*x",
            "&x",
            "!x",
            "%x",
            "`x",
            "{x",
            "[x",
            "'x",
            "\"x",
            "line\nbreak",
        ];
        let value = json!({ "data": tricky.iter().map(|s| (s.to_string(), json!(s))).collect::<serde_json::Map<_, _>>() });
        let text = Doc {
            value: value.clone(),
            comments: BTreeMap::new(),
        }
        .to_yaml()
        .expect("serializes");
        let back = parse_documents(&text).expect("parses").remove(0).to_json();
        assert_eq!(
            back, value,
            "round trip through YAML 1.2 changed a value:\n{text}"
        );
        // YAML 1.1 readers (kubectl's go-yaml v2 heritage) must not see booleans or numbers
        // either: every such value must be quoted.
        for word in [
            "on",
            "off",
            "yes",
            "no",
            "y",
            "n",
            "0755",
            "1:20",
            "2024-01-01",
            "1_000",
        ] {
            assert!(
                text.contains(&format!("\"{word}\"")) || text.contains(&format!("'{word}'")),
                "`{word}` is not quoted in:\n{text}"
            );
        }
    }

    #[test]
    fn keys_are_sorted_and_comments_attach() {
        let doc = Doc {
            value: json!({"spec": {"image": "a:1", "name": "x"}, "apiVersion": "v1"}),
            comments: BTreeMap::new(),
        }
        .with_comment("/spec/image", "{\"$imagepolicy\": \"flux-system:a\"}");
        let text = doc.to_yaml().expect("serializes");
        assert_eq!(
            text,
            "apiVersion: v1\nspec:\n  image: a:1 # {\"$imagepolicy\": \"flux-system:a\"}\n  name: x\n"
        );
    }
}
