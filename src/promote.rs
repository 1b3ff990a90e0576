//! `fluxprint promote`: take the image tag a service runs in one cluster (or a given tag),
//! check it against the target cluster's image policy, and write it as
//! `overrides.<target>.tag` in the blueprint, editing the text in place so that comments,
//! order and style of the rest of the file stay as they are.

use std::path::Path;

use crate::blueprint::names;
use crate::blueprint::semver::{self, Range};
use crate::error::Error;
use crate::resolve::{ResolvedCluster, ResolvedService, TagPolicy};
use crate::source::yaml::{parse_documents, Kind, Node};

/// The tag of the main container's image in a rendered tree: the line carrying the image
/// automation marker, else the first `image:` line naming the service's repository.
pub fn deployed_tag(out: &Path, svc: &ResolvedService) -> Result<String, Error> {
    let workload = svc.workload.file();
    let path = out.join("apps").join(&svc.name).join(workload);
    let text = crate::files::read_regular(&path, crate::files::MAX_INPUT_BYTES)
        .map_err(std::io::Error::from)
        .and_then(|b| {
            String::from_utf8(b)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        })
        .map_err(|source| Error::Io {
            action: "read (run `fluxprint render` first)",
            path: path.clone(),
            source,
        })?;
    let tag = tag_in(&text, &svc.image)
        .map_err(|e| Error::Usage(format!("{}:{}: {}", path.display(), e.span, e.message)))?;
    tag.ok_or_else(|| {
        Error::Usage(format!(
            "{} has no image line of {}",
            path.display(),
            svc.image
        ))
    })
}

/// The tag of `image` in a workload file's text: the `image:` value carrying the image
/// automation marker, else the first naming the repository, wherever it stands (first key
/// of a list item, quoted, flow style).
fn tag_in(text: &str, image: &str) -> Result<Option<String>, crate::source::yaml::YamlError> {
    let prefix = format!("{image}:");
    let mut images = Vec::new();
    for doc in &parse_documents(text)? {
        image_values(doc, &mut images);
    }
    let lines: Vec<&str> = crate::diag::lines(text).collect();
    let tags: Vec<(bool, String)> = images
        .into_iter()
        .filter_map(|(line, value)| {
            let tag = value.strip_prefix(&prefix)?;
            // A digest-pinned reference has no tag to promote.
            if tag.is_empty() || tag.contains('@') {
                return None;
            }
            let marked = usize::try_from(line)
                .ok()
                .and_then(|l| lines.get(l.checked_sub(1)?))
                .is_some_and(|l| l.contains("$imagepolicy"));
            Some((marked, tag.to_owned()))
        })
        .collect();
    Ok(tags
        .iter()
        .find(|(marked, _)| *marked)
        .or_else(|| tags.first())
        .map(|(_, tag)| tag.clone()))
}

/// `(line, value)` of every string value of an `image` key below `node`.
fn image_values(node: &Node, out: &mut Vec<(u32, String)>) {
    match &node.kind {
        Kind::Map(entries) => {
            for (key, value) in entries {
                match (&value.kind, key.key_text().as_deref()) {
                    (Kind::Str(s), Some("image")) => out.push((value.span.line, s.clone())),
                    _ => image_values(value, out),
                }
            }
        }
        Kind::Seq(items) => items.iter().for_each(|i| image_values(i, out)),
        _ => {}
    }
}

/// Whether `tag` may run in `cluster` under the service's image policy there; the reason
/// when not.
pub fn check_tag(
    tag: &str,
    cluster: &ResolvedCluster,
    svc: &ResolvedService,
) -> Result<(), String> {
    if let Some(why) = names::image_tag(tag) {
        return Err(format!("`{tag}` is not a valid image tag: {why}"));
    }
    if tag == "latest" && cluster.policy == crate::blueprint::cluster::Policy::Strict {
        return Err(format!(
            "strict cluster `{}` refuses `latest`",
            cluster.name
        ));
    }
    match &svc.image_policy {
        Some(TagPolicy::Semver(range)) => {
            if !semver::is_version(tag) {
                return Err(format!(
                    "`{tag}` is not a semver version, and cluster `{}` selects {} releases by the semver range `{range}`",
                    cluster.name, svc.name
                ));
            }
            let parsed = Range::parse(range).map_err(|e| e.to_string())?;
            if !parsed.matches(tag) {
                return Err(format!(
                    "`{tag}` is outside the semver range `{range}` of {} in cluster `{}`",
                    svc.name, cluster.name
                ));
            }
        }
        Some(TagPolicy::Build(pattern)) => {
            let re = regex::Regex::new(pattern).map_err(|e| e.to_string())?;
            if !re.is_match(tag) {
                return Err(format!(
                    "`{tag}` does not match the build tag pattern `{pattern}` of cluster `{}`",
                    cluster.name
                ));
            }
        }
        None => {}
    }
    Ok(())
}

/// Byte offset of a 1-based line and character column.
fn offset(text: &str, line: u32, col: u32) -> Option<usize> {
    let start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1) as usize)
        .map(str::len)
        .sum::<usize>();
    let rest = &text[start..];
    let within = rest
        .char_indices()
        .nth(col.saturating_sub(1) as usize)
        .map_or(rest.len(), |(i, _)| i);
    (start <= text.len()).then_some(start + within)
}

/// The byte range of the scalar that starts at `at`.
fn scalar_end(text: &str, at: usize, in_flow: bool) -> usize {
    let rest = &text[at..];
    let mut chars = rest.char_indices().peekable();
    match rest.chars().next() {
        Some('"') => {
            chars.next();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => return at + i + 1,
                    _ => {}
                }
            }
            text.len()
        }
        Some('\'') => {
            chars.next();
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                        chars.next();
                    } else {
                        return at + i + 1;
                    }
                }
            }
            text.len()
        }
        _ => {
            let line_end = rest.find('\n').unwrap_or(rest.len());
            let line = &rest[..line_end];
            let mut end = line.find(" #").unwrap_or(line.len());
            if in_flow {
                end = end.min(line.find([',', '}', ']']).unwrap_or(line.len()));
            }
            at + line[..end].trim_end().len()
        }
    }
}

fn is_flow(text: &str, node: &Node) -> bool {
    offset(text, node.span.line, node.span.col)
        .and_then(|o| text[o..].chars().next())
        .is_some_and(|c| c == '{')
}

/// Inserts `entry` (`key: value`) into the mapping `map`: after its `{` when written in flow
/// style, else as a new line before its first key, at that key's indentation.
fn insert_entry(text: &str, map: &Node, entry: &str) -> Result<String, String> {
    let at = offset(text, map.span.line, map.span.col).ok_or("position outside the file")?;
    if is_flow(text, map) {
        let empty = matches!(&map.kind, Kind::Map(e) if e.is_empty());
        let sep = if empty { "" } else { ", " };
        return Ok(format!("{}{entry}{sep}{}", &text[..=at], &text[at + 1..]));
    }
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..at];
    if !indent.chars().all(|c| c == ' ') {
        return Err("the mapping does not start on its own line".into());
    }
    let block = entry
        .lines()
        .map(|l| format!("{indent}{l}\n"))
        .collect::<String>();
    Ok(format!(
        "{}{block}{}",
        &text[..line_start],
        &text[line_start..]
    ))
}

/// `text` with `overrides.<cluster>.tag` set to `tag`, everything else untouched.
pub fn set_override_tag(text: &str, cluster: &str, tag: &str) -> Result<String, String> {
    let docs = parse_documents(text).map_err(|e| e.message)?;
    let root = docs.first().ok_or("the file is empty")?;
    let value = format!("\"{tag}\"");
    let Some((key, overrides)) = root.entry("overrides") else {
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("overrides:\n  {cluster}:\n    tag: {value}\n"));
        return Ok(out);
    };
    if !matches!(overrides.kind, Kind::Map(_)) {
        return Err("`overrides` is not a mapping".into());
    }
    let Some((_, layer)) = overrides.entry(cluster) else {
        let entry = if is_flow(text, overrides) {
            format!("{cluster}: {{tag: {value}}}")
        } else {
            // Indent as the file does: the step from `overrides` to its keys.
            let step = overrides.span.col.saturating_sub(key.span.col).max(1) as usize;
            format!("{cluster}:\n{}tag: {value}", " ".repeat(step))
        };
        return insert_entry(text, overrides, &entry);
    };
    if !matches!(layer.kind, Kind::Map(_)) {
        return Err(format!("`overrides.{cluster}` is not a mapping"));
    }
    match layer.entry("tag") {
        Some((_, old)) => {
            let at =
                offset(text, old.span.line, old.span.col).ok_or("position outside the file")?;
            let end = scalar_end(text, at, is_flow(text, layer));
            Ok(format!("{}{value}{}", &text[..at], &text[end..]))
        }
        None => insert_entry(text, layer, &format!("tag: {value}")),
    }
}

#[cfg(test)]
mod tests {
    use super::{set_override_tag, tag_in};

    #[test]
    fn the_image_is_found_wherever_it_stands() {
        let repo = "r.example.com/a";
        for text in [
            "spec:\n  containers:\n  - image: r.example.com/a:1.2.0\n    name: a\n",
            "spec:\n  containers:\n    - name: a\n      image: \"r.example.com/a:1.2.0\"\n",
            "spec: {containers: [{name: a, image: 'r.example.com/a:1.2.0'}]}\n",
        ] {
            assert_eq!(
                tag_in(text, repo).expect("yaml").as_deref(),
                Some("1.2.0"),
                "{text}"
            );
        }
        // The marked line wins over another container of the same repository.
        let marked = "c:\n- image: r.example.com/a:0.9\n- image: r.example.com/a:1.3 # {\"$imagepolicy\": \"flux-system:a\"}\n";
        assert_eq!(tag_in(marked, repo).expect("yaml").as_deref(), Some("1.3"));
        assert_eq!(tag_in("image: other:1\n", repo).expect("yaml"), None);
        assert_eq!(
            tag_in("image: r.example.com/a@sha256:00\n", repo).expect("yaml"),
            None
        );
    }

    fn tag_of(text: &str, cluster: &str) -> String {
        let docs = crate::source::yaml::parse_documents(text).expect("still YAML");
        docs[0].to_json()["overrides"][cluster]["tag"]
            .as_str()
            .expect("tag")
            .to_owned()
    }

    #[test]
    fn every_shape_of_overrides() {
        let cases = [
            // No overrides at all: appended.
            "name: a # keep\n",
            "name: a",
            // Block layer without a tag, with comments around.
            "name: a\noverrides:\n  # dev is small\n  dev:\n    replicas: 1\n  prod:\n    # more pods\n    replicas: 3\n",
            // Block layer with a tag in each quoting style.
            "overrides:\n  prod:\n    tag: \"1.0.0\" # pinned\n    replicas: 3\n",
            "overrides:\n  prod:\n    tag: '1.0.0'\n",
            "overrides:\n  prod:\n    tag: 1.0.0   # plain\n",
            // Flow layers.
            "overrides:\n  prod: {replicas: 3}\n",
            "overrides:\n  prod: {tag: 1.0.0, replicas: 3}\n",
            "overrides:\n  prod: {}\n",
            // No layer for the cluster, block and flow.
            "overrides:\n    dev:\n        replicas: 1\n",
            "overrides: {dev: {replicas: 1}}\n",
        ];
        for text in cases {
            let out = set_override_tag(text, "prod", "1.5.0").expect(text);
            assert_eq!(tag_of(&out, "prod"), "1.5.0", "{text}\n->\n{out}");
            // Every comment and every block line survives as written.
            for line in text
                .lines()
                .filter(|l| !l.contains("tag:") && !l.contains('{'))
            {
                assert!(out.contains(line), "lost `{line}`:\n{out}");
            }
            let json = crate::source::yaml::parse_documents(&out).expect("yaml")[0].to_json();
            if text.contains("dev") {
                assert_eq!(json["overrides"]["dev"]["replicas"], 1, "{out}");
            }
            if text.contains("replicas: 3") {
                assert_eq!(json["overrides"]["prod"]["replicas"], 3, "{out}");
            }
        }
        let out = set_override_tag(
            "overrides:\n  prod:\n    tag: \"1.0.0\" # pinned\n",
            "prod",
            "1.5.0",
        )
        .expect("edit");
        assert_eq!(out, "overrides:\n  prod:\n    tag: \"1.5.0\" # pinned\n");
        let out = set_override_tag("name: a\n", "prod", "1.5.0").expect("edit");
        assert_eq!(out, "name: a\noverrides:\n  prod:\n    tag: \"1.5.0\"\n");
    }

    #[test]
    fn refuses_what_it_cannot_edit() {
        assert!(set_override_tag("overrides: [1]\n", "prod", "1.0.0").is_err());
        assert!(set_override_tag("overrides:\n  prod: 3\n", "prod", "1.0.0").is_err());
    }
}
