//! Diagnostics: findings as values.
//!
//! The library never prints. Every problem in the input (and, later, every validator finding)
//! becomes a [`Diagnostic`] with a stable code, a severity, a position and an optional hint;
//! the [`render`] module turns a list of them into text for people or machines.

pub mod render;

use std::fmt;

use serde::Serialize;

use crate::source::Span;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks the run (invalid input, or a finding at the fail level).
    Error,
    /// Reported, does not block unless asked to.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One finding, pointing at a place in a file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Diagnostic {
    /// File, as shown to the user (relative, `/`-separated).
    pub file: String,
    /// Where in the file.
    #[serde(flatten)]
    pub span: Span,
    /// Stable code, e.g. `BP003`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// One line saying what is wrong.
    pub message: String,
    /// The field concerned, as a dotted path (`ports[1].name`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// One line saying how to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Span", 2)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("column", &self.col)?;
        s.end()
    }
}

impl Diagnostic {
    /// An error at `file`:`span`.
    pub fn error(
        code: &'static str,
        file: impl Into<String>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            span,
            code,
            severity: Severity::Error,
            message: message.into(),
            field: None,
            help: None,
        }
    }

    /// A warning at `file`:`span`.
    pub fn warning(
        code: &'static str,
        file: impl Into<String>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, span, message)
        }
    }

    /// Names the field concerned.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.field = (!field.is_empty()).then_some(field);
        self
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}[{}]: {}",
            self.file, self.span, self.severity, self.code, self.message
        )
    }
}

/// Sorts diagnostics by file and position and removes exact repeats (a problem in a blueprint's
/// base fields is found once per cluster, but must be reported once).
pub fn normalize(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort();
    diagnostics.dedup();
}

/// Merges diagnostics that differ only in the cluster they were found for: a typo in a
/// blueprint is one problem, not one per cluster. Each diagnostic comes with the cluster it
/// was found for (`None`: not cluster-specific); where messages or hints name it as
/// ``cluster `dev` `` the merged one names them all (``clusters `dev` and `prod` ``).
pub fn collapse_clusters(found: Vec<(Diagnostic, Option<String>)>) -> Vec<Diagnostic> {
    const SLOT: &str = "cluster `\u{1}`";
    let mut groups: Vec<(Diagnostic, Vec<String>, Diagnostic)> = Vec::new();
    let mut index: std::collections::BTreeMap<Diagnostic, usize> = Default::default();
    for (d, cluster) in found {
        let Some(cluster) = cluster else {
            groups.push((d.clone(), Vec::new(), d));
            continue;
        };
        let named = format!("cluster `{cluster}`");
        let mut key = d.clone();
        key.message = key.message.replace(&named, SLOT);
        key.help = key.help.map(|h| h.replace(&named, SLOT));
        match index.get(&key) {
            Some(&i) => groups[i].1.push(cluster),
            None => {
                index.insert(key.clone(), groups.len());
                groups.push((key, vec![cluster], d));
            }
        }
    }
    groups
        .into_iter()
        .map(|(key, clusters, first)| {
            if clusters.len() < 2 {
                return first;
            }
            let quoted: Vec<String> = clusters.iter().map(|c| format!("`{c}`")).collect();
            let (last, rest) = quoted
                .split_last()
                .map_or((String::new(), &[][..]), |(l, r)| (l.clone(), r));
            let list = format!("clusters {} and {last}", rest.join(", "));
            let mut merged = key;
            merged.message = merged.message.replace(SLOT, &list);
            merged.help = merged.help.map(|h| h.replace(SLOT, &list));
            merged
        })
        .collect()
}

/// The lines of `text` as YAML counts them: `\n`, `\r\n` and a lone `\r` each end a line
/// (`str::lines` keeps a lone `\r` inside the line, so a file written with old Mac line
/// endings would be one line).
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
}

/// 1-based line `line` of `text`, counted as [`lines`] does.
pub fn line(text: &str, line: u32) -> Option<&str> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    lines(text).nth(index)
}

/// True when any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// Turns a JSON pointer into the dotted field path used in messages: `/ports/1/name` →
/// `ports[1].name`.
pub fn field_path(pointer: &str) -> String {
    let mut out = String::new();
    for token in crate::source::yaml::pointer_tokens(pointer) {
        if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) {
            out.push('[');
            out.push_str(&token);
            out.push(']');
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_of_several_clusters_collapse_into_one() {
        let at = |cluster: &str, severity_warning: bool| {
            let message = format!("`x` is unknown in cluster `{cluster}`");
            let d = if severity_warning {
                Diagnostic::warning("BP110", "blueprints/a.yaml", Span::new(3, 1), message)
            } else {
                Diagnostic::error("BP110", "blueprints/a.yaml", Span::new(3, 1), message)
            };
            (
                d.with_help(format!("see cluster `{cluster}`")),
                Some(cluster.to_owned()),
            )
        };
        let other = Diagnostic::error("BP003", "blueprints/a.yaml", Span::new(1, 1), "unknown");
        let out = collapse_clusters(vec![
            at("dev", false),
            (other.clone(), None),
            at("prod", false),
            at("staging", false),
            at("edge", true),
        ]);
        let texts: Vec<(&str, Option<&str>)> = out
            .iter()
            .map(|d| (d.message.as_str(), d.help.as_deref()))
            .collect();
        assert_eq!(
            texts,
            vec![
                (
                    "`x` is unknown in clusters `dev`, `prod` and `staging`",
                    Some("see clusters `dev`, `prod` and `staging`")
                ),
                ("unknown", None),
                // Another severity is another finding.
                (
                    "`x` is unknown in cluster `edge`",
                    Some("see cluster `edge`")
                ),
            ]
        );
    }

    #[test]
    fn field_paths() {
        assert_eq!(field_path(""), "");
        assert_eq!(field_path("/ports/1/name"), "ports[1].name");
        assert_eq!(
            field_path("/overrides/prod/env/A~1B"),
            "overrides.prod.env.A/B"
        );
    }

    #[test]
    fn every_line_break_ends_a_line() {
        let text = "a\rb\r\nc\nd";
        assert_eq!(lines(text).collect::<Vec<_>>(), ["a", "b", "c", "d"]);
        assert_eq!(line(text, 2), Some("b"));
        assert_eq!(line(text, 5), None);
        assert_eq!(line(text, 0), None);
    }

    #[test]
    fn normalize_sorts_and_dedups() {
        let a = Diagnostic::error("BP001", "b.yaml", Span::new(2, 1), "x");
        let b = Diagnostic::error("BP001", "a.yaml", Span::new(9, 1), "y");
        let mut all = vec![a.clone(), b.clone(), a.clone()];
        normalize(&mut all);
        assert_eq!(all, vec![b, a]);
    }
}
