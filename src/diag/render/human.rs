//! Human output, in the style of rustc: `error[CODE]: message`, `--> file:line:col`, the
//! source line with a marker under the offending token, the field and a hint, then a summary.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::diag::{Diagnostic, Severity};
use crate::source::SourceMap;

/// Renders diagnostics for a terminal; `color` adds ANSI styles.
pub fn human(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let paint = |style: Style, text: &str| -> String {
        if color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    };
    let bold = Style::new().bold();
    let blue = Style::new().fg_color(Some(AnsiColor::Blue.into())).bold();
    let mut out = String::new();
    for d in diagnostics {
        let level_style = match d.severity {
            Severity::Error => Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            Severity::Warning => Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold(),
        };
        let _ = writeln!(
            out,
            "{}{}",
            paint(level_style, &format!("{}[{}]", d.severity, d.code)),
            paint(bold, &format!(": {}", d.message))
        );
        let line_no = d.span.line.to_string();
        let pad = " ".repeat(line_no.len());
        let _ = writeln!(out, "{pad}{} {}:{}", paint(blue, "-->"), d.file, d.span);
        // Lines as the parser counts them: a file with lone `\r` breaks is not one long line.
        if let Some(text) = sources
            .get(&d.file)
            .and_then(|f| crate::diag::line(&f.text, d.span.line))
        {
            let col = usize::try_from(d.span.col.saturating_sub(1)).unwrap_or(0);
            let prefix: String = text
                .chars()
                .take(col)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            // Mark the token: up to white space or flow punctuation, without a key's colon.
            let rest: String = text.chars().skip(col).collect();
            let token: String = match rest.chars().next() {
                // A quoted scalar: up to its closing quote.
                Some(q @ ('"' | '\'')) => match rest[1..].find(q) {
                    Some(end) => rest[..end + 2].to_owned(),
                    None => rest.clone(),
                },
                _ => rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '}' | ']'))
                    .collect(),
            };
            let width = token
                .strip_suffix(':')
                .unwrap_or(&token)
                .chars()
                .count()
                .max(1);
            let _ = writeln!(out, "{pad} {}", paint(blue, "|"));
            let _ = writeln!(out, "{} {} {text}", paint(blue, &line_no), paint(blue, "|"));
            let _ = writeln!(
                out,
                "{pad} {} {prefix}{}",
                paint(blue, "|"),
                paint(level_style, &"^".repeat(width))
            );
        }
        if let Some(field) = &d.field {
            let _ = writeln!(out, "{pad} {} field: {field}", paint(blue, "="));
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "{pad} {} help: {help}", paint(blue, "="));
        }
        out.push('\n');
    }
    out.push_str(&summary(diagnostics));
    out
}

/// `2 errors, 1 warning in 3 files`, or `no problems found`.
pub fn summary(diagnostics: &[Diagnostic]) -> String {
    if diagnostics.is_empty() {
        return "no problems found\n".into();
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics.len() - errors;
    let mut files: Vec<&str> = diagnostics.iter().map(|d| d.file.as_str()).collect();
    files.sort_unstable();
    files.dedup();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {} in {}\n",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(files.len(), "file")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, Span};

    #[test]
    fn quotes_the_line_and_marks_the_token() {
        let mut sources = SourceMap::new();
        sources.insert(
            "b.yaml".into(),
            SourceFile::new("b.yaml", "b.yaml", "name: x\n  replica: 3\n"),
        );
        let d = Diagnostic::error(
            "BP003",
            "b.yaml",
            Span::new(2, 3),
            "unknown field `replica`",
        )
        .with_field("replica")
        .with_help("did you mean `replicas`?");
        let text = human(&[d], &sources, false);
        assert_eq!(
            text,
            "error[BP003]: unknown field `replica`\n --> b.yaml:2:3\n  |\n2 |   replica: 3\n  |   ^^^^^^^\n  = field: replica\n  = help: did you mean `replicas`?\n\n1 error, 0 warnings in 1 file\n"
        );
    }

    #[test]
    fn empty_list_says_so() {
        assert_eq!(human(&[], &SourceMap::new(), false), "no problems found\n");
    }
}
