//! `images`: new names, tags and digests for matching container images (in `containers`
//! and `initContainers` anywhere in an object, then at the `images` field specs: pod
//! templates, image volumes, and what `configurations` add), with kustomize's matching
//! rule (the name, then an optional tag and digest).

use regex::Regex;
use serde_json::Value;
use std::sync::Arc;

use super::scalar_string;
use crate::kustomize::fieldspecs::{visit, FieldSpec};
use crate::kustomize::item::Item;
use crate::kustomize::Origin;

/// kustomize's split of an image into name, tag and digest.
fn split(image: &str) -> (&str, &str, &str) {
    let slash = image.find('/').filter(|i| *i > 0).unwrap_or(0);
    let search = &image[slash..];
    let id = search.find('@');
    let ic = search.find(':');
    match (id, ic) {
        (None, None) => (image, "", ""),
        (Some(d), None) => (&image[..slash + d], "", &image[slash + d + 1..]),
        (Some(d), Some(c)) if d < c => (&image[..slash + d], "", &image[slash + d + 1..]),
        (Some(d), Some(c)) => (
            &image[..slash + c],
            &image[slash + c + 1..slash + d],
            &image[slash + d + 1..],
        ),
        (None, Some(c)) => (&image[..slash + c], &image[slash + c + 1..], ""),
    }
}

struct Rule {
    pattern: Option<Regex>,
    new_name: String,
    new_tag: String,
    digest: String,
    tag_suffix: String,
}

impl Rule {
    fn update(&self, value: &str) -> Option<String> {
        if !self.pattern.as_ref()?.is_match(value) {
            return None;
        }
        let (name, tag, digest) = split(value);
        let mut name = if self.new_name.is_empty() {
            name.to_owned()
        } else {
            self.new_name.clone()
        };
        let (mut tag, mut digest) = (tag.to_owned(), digest.to_owned());
        if !self.new_tag.is_empty() && !self.digest.is_empty() {
            tag = self.new_tag.clone();
            digest = self.digest.clone();
        } else if !self.new_tag.is_empty() {
            tag = self.new_tag.clone();
            digest.clear();
        } else if !self.digest.is_empty() {
            tag.clear();
            digest = self.digest.clone();
        } else if !self.tag_suffix.is_empty() {
            tag.push_str(&self.tag_suffix);
            digest.clear();
        }
        if !tag.is_empty() {
            name = format!("{name}:{tag}");
        }
        if !digest.is_empty() {
            name = format!("{name}@{digest}");
        }
        Some(name)
    }
}

fn walk(v: &mut Value, ptr: &mut String, rule: &Rule, touched: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(&crate::kustomize::item::esc(k));
                walk(child, ptr, rule, touched);
                if k == "containers" || k == "initContainers" {
                    if let Value::Array(list) = child {
                        for (i, c) in list.iter_mut().enumerate() {
                            set_image(
                                c.get_mut("image"),
                                &format!("{ptr}/{i}/image"),
                                rule,
                                touched,
                            );
                        }
                    }
                }
                ptr.truncate(len);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter_mut().enumerate() {
                let len = ptr.len();
                ptr.push_str(&format!("/{i}"));
                walk(child, ptr, rule, touched);
                ptr.truncate(len);
            }
        }
        _ => {}
    }
}

fn set_image(v: Option<&mut Value>, ptr: &str, rule: &Rule, touched: &mut Vec<String>) {
    let Some(v) = v else { return };
    let Some(new) = v.as_str().and_then(|s| rule.update(s)) else {
        return;
    };
    *v = Value::String(new);
    if !touched.iter().any(|t| t == ptr) {
        touched.push(ptr.to_owned());
    }
}

/// Applies images entry `entry` (written at `at`): kustomize's legacy pass over every
/// `containers` and `initContainers` list, then the image fields at `specs`.
pub(crate) fn apply(items: &mut [Item], entry: &Value, specs: &[FieldSpec], at: &Origin) {
    let s = |k: &str| entry.get(k).and_then(scalar_string).unwrap_or_default();
    let name = s("name");
    let rule = Rule {
        pattern: Regex::new(&format!(
            "^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$"
        ))
        .ok(),
        new_name: s("newName"),
        new_tag: s("newTag"),
        digest: s("digest"),
        tag_suffix: s("tagSuffix"),
    };
    for item in items.iter_mut() {
        if item.r.kind() == "CustomResourceDefinition" {
            continue;
        }
        let mut touched = Vec::new();
        walk(
            Arc::make_mut(&mut item.r.value),
            &mut String::new(),
            &rule,
            &mut touched,
        );
        let id = item.id();
        for spec in specs.iter().filter(|s| s.selects(&id)) {
            visit(
                Arc::make_mut(&mut item.r.value),
                spec.segments(),
                None,
                &mut String::new(),
                &mut |v, p| set_image(Some(v), p, &rule, &mut touched),
            );
        }
        for p in touched {
            item.r.set_origin(p, at.clone());
        }
    }
}
