//! Plain words for the YAML parser's commonest complaints. The parser reports where it gave
//! up in its own terms ("mapping values are not allowed in this context"); people who write
//! blueprints mostly got the indentation wrong. Each hint looks at the lines around the
//! position to say which key is off and where it should start.

use super::Span;

/// A plainer message and a hint for a YAML syntax error `message` at `span` of `text`, when
/// the cause is recognised; `None` leaves the parser's words as they are.
pub fn explain(text: &str, span: Span, message: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = crate::diag::lines(text).collect();
    let index = usize::try_from(span.line).ok()?.checked_sub(1)?;
    let line = *lines.get(index)?;
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let key = |l: &str| {
        l.trim_start()
            .trim_start_matches("- ")
            .split(':')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    // The nearest line above with content (comments and blank lines skipped).
    let above = lines[..index]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .copied();
    if message.contains("tabs disallowed") || line.trim_start_matches(' ').starts_with('\t') {
        return Some((
            "a tab is used for indentation; YAML indents with spaces only".into(),
            "replace the tab at the start of the line with spaces".into(),
        ));
    }
    if message.contains("mapping values are not allowed") {
        let above = above?;
        if indent(line) > indent(above) && above.trim_end().contains(": ") {
            return Some((
                format!(
                    "`{}` is indented more than `{}` above it, which already has a value: wrong indentation?",
                    key(line),
                    key(above)
                ),
                format!(
                    "start `{}` in column {} like `{}`, or move `{}`'s value onto lines below it",
                    key(line),
                    indent(above) + 1,
                    key(above),
                    key(above)
                ),
            ));
        }
        return Some((
            format!("`{}` cannot start a key here: wrong indentation, or a value with `: ` that needs quotes?", key(line)),
            "check the indentation against the lines above; quote a value that contains `: `".into(),
        ));
    }
    if message.contains("did not find expected key") {
        // A key out of line with its siblings: the siblings are the lines above it that are
        // indented more than it (the mapping it left) or less (its parent).
        let sibling = lines[..index]
            .iter()
            .rev()
            .find(|l| {
                !l.trim().is_empty()
                    && !l.trim_start().starts_with('#')
                    && indent(l) != indent(line)
            })
            .copied()?;
        return Some((
            format!(
                "`{}` starts in column {}, but the keys above it start in column {}: misaligned key?",
                key(line),
                indent(line) + 1,
                indent(sibling) + 1
            ),
            format!(
                "align `{}` with `{}` (column {}), or with its parent's keys",
                key(line),
                key(sibling),
                indent(sibling) + 1
            ),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::yaml::parse_documents;

    fn hint(text: &str) -> (String, String) {
        let err = parse_documents(text).expect_err("invalid");
        explain(text, err.span, &err.message).expect("recognised")
    }

    #[test]
    fn over_indented_misaligned_and_tabbed_keys_are_named() {
        let (message, help) = hint("name: order\nteam: checkout\n  image: x\n");
        assert_eq!(
            message,
            "`image` is indented more than `team` above it, which already has a value: wrong indentation?"
        );
        assert!(
            help.starts_with("start `image` in column 1 like `team`"),
            "{help}"
        );
        let (message, help) = hint("name: order\nresources:\n  cpu: 1\n memory: 1Gi\n");
        assert_eq!(
            message,
            "`memory` starts in column 2, but the keys above it start in column 3: misaligned key?"
        );
        assert!(
            help.starts_with("align `memory` with `cpu` (column 3)"),
            "{help}"
        );
        let (message, _) = hint("name: order\nresources:\n\tcpu: 1\n");
        assert!(
            message.starts_with("a tab is used for indentation"),
            "{message}"
        );
    }

    #[test]
    fn other_errors_keep_the_parser_words() {
        let text = "a: [1, 2\n";
        let err = parse_documents(text).expect_err("invalid");
        assert_eq!(
            explain(text, err.span, &err.message),
            None,
            "{}",
            err.message
        );
    }
}
