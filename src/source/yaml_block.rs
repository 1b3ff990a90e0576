//! A fast reader for the block-style subset of YAML that manifests are written in.
//!
//! Validating a large tree spent about half its time in the event parser, which tracks every
//! character's position and builds an event per token. Nearly all manifests, generated or
//! hand-written, use a small part of YAML: block mappings and sequences, plain and one-line
//! quoted scalars, literal block scalars, comments and `---` separators. This module reads
//! exactly that part, line by line, straight into JSON values, and gives up (returns `None`)
//! on anything else, including every error: then the event parser reads the text as before,
//! so what is accepted, refused and how errors are worded does not change.
//!
//! Given up on: tabs, carriage returns and control characters anywhere; anchors, aliases,
//! tags, directives, `...`, flow collections other than `[]` and `{}`, folded and kept block
//! scalars, multi-line plain and quoted scalars, complex keys, merge keys, keys that are not
//! strings, duplicate keys, empty documents, and nesting at the depth limit. The differential
//! tests below and in `tests/` hold the two readers to the same values on every fixture.

use serde_json::{Map, Value};

use super::yaml::{escape_pointer_token, plain_value, JsonDocument, MAX_DEPTH};
use super::Span;

/// Reads `text` when it is within the subset; `None` when the event parser must read it.
/// Plain scalars that resolve to strings and that `keep_plain` accepts are reported with
/// their pointers, as the event path reports them.
pub(crate) fn parse(text: &str, keep_plain: &dyn Fn(&str) -> bool) -> Option<Vec<JsonDocument>> {
    if !plain_text(text) {
        return None;
    }
    let lines = lines_of(text);
    let mut reader = Reader {
        lines: &lines,
        pos: 0,
        keep_plain,
        path: Vec::new(),
        plain: Vec::new(),
    };
    let mut docs = Vec::new();
    // Segments between `---` lines; the first may be empty (no document), later ones not.
    let mut explicit = false;
    loop {
        let end = reader.segment_end();
        match reader.next_content(end) {
            Some(first) => {
                let indent = indent_of(lines[first]);
                reader.pos = first;
                let value = reader.node(end, indent, 0)?;
                // The document must end here: nothing but blank and comment lines.
                if reader.next_content(end).is_some() {
                    return None;
                }
                docs.push(JsonDocument {
                    span: Span::new(line_no(first)?, u32::try_from(indent + 1).ok()?),
                    value,
                    plain_strings: std::mem::take(&mut reader.plain),
                });
            }
            None if explicit => return None,
            None => {}
        }
        if end == lines.len() {
            return Some(docs);
        }
        if !marker_comment(lines[end]) {
            return None;
        }
        explicit = true;
        reader.pos = end + 1;
    }
}

/// True when the text has no character the subset leaves to the event parser: tabs,
/// carriage returns, other control characters, a byte order mark or Unicode line separators.
fn plain_text(text: &str) -> bool {
    // Every file is checked whole before it is read: a block at a time, without stopping
    // inside one, so that the check runs on vector instructions.
    let bytes_ok = text.as_bytes().chunks(64).all(|block| {
        !block.iter().fold(false, |bad, &b| {
            bad | (b < b' ' && b != b'\n') | (b == 0x7f)
        })
    });
    bytes_ok
        && (text.is_ascii()
            || text.chars().all(|c| {
                c.is_ascii()
                    || !(matches!(c, '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}')
                        || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}'))
            }))
}

/// `text` split at every `\n`, as `str::split` splits it (a final `\n` ends in an empty
/// line), found by a vectorised search rather than one search per line.
fn lines_of(text: &str) -> Vec<&str> {
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push(&text[start..end]);
        start = end + 1;
    }
    lines.push(&text[start..]);
    lines
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn line_no(index: usize) -> Option<u32> {
    u32::try_from(index + 1).ok()
}

/// A blank line or a comment line: skipped between nodes.
fn is_skippable(line: &str) -> bool {
    let body = line.trim_start_matches(' ');
    body.is_empty() || body.starts_with('#')
}

/// `---`, alone or followed by a comment (content after the marker is given up on).
fn marker_comment(line: &str) -> bool {
    let rest = &line[3..];
    let rest = rest.trim_start_matches(' ');
    rest.is_empty() || (rest.starts_with('#') && rest.len() < line.len() - 3)
}

/// A line at column 0 that starts with `---` or `...` followed by a space or its end.
fn is_marker(line: &str) -> bool {
    (line.starts_with("---") || line.starts_with("..."))
        && matches!(line.as_bytes().get(3), None | Some(b' '))
}

/// A sequence entry's dash: `-` followed by a space or the line's end.
fn is_dash(body: &str) -> bool {
    body.starts_with('-') && matches!(body.as_bytes().get(1), None | Some(b' '))
}

/// One step of the path to the node being read, for the pointers of kept plain strings.
enum Step {
    Key(String),
    Index(usize),
}

struct Reader<'a, 'k> {
    lines: &'a [&'a str],
    pos: usize,
    keep_plain: &'k dyn Fn(&str) -> bool,
    path: Vec<Step>,
    plain: Vec<(String, String)>,
}

/// What follows a mapping key's colon or a sequence entry's dash on the same line.
enum Inline<'a> {
    /// Nothing (or a comment): the value is on the lines below.
    Below,
    /// A scalar or an empty flow collection, complete on this line.
    Value(Value),
    /// A plain scalar, complete on this line (its continuation is checked by the caller).
    Plain(&'a str),
    /// A flow collection, to be complete on this line.
    Flow(&'a str),
    /// A literal block scalar: `|` (clip) or `|-` (strip).
    Literal { strip: bool },
}

impl Reader<'_, '_> {
    /// The index of the next `---` line from `pos` (or the end of the text): a document ends
    /// there. `...` and directives are given up on by the caller seeing them as content.
    fn segment_end(&self) -> usize {
        (self.pos..self.lines.len())
            .find(|&i| self.lines[i].starts_with("---") && is_marker(self.lines[i]))
            .unwrap_or(self.lines.len())
    }

    /// The next line before `end` that is neither blank nor a comment.
    fn next_content(&self, end: usize) -> Option<usize> {
        (self.pos..end).find(|&i| !is_skippable(self.lines[i]))
    }

    /// Reads the block collection whose first line is at `pos`, indented `indent`.
    fn node(&mut self, end: usize, indent: usize, depth: usize) -> Option<Value> {
        if depth + 1 >= MAX_DEPTH {
            return None;
        }
        let line = self.lines[self.pos];
        if is_marker(line) || line.starts_with('%') {
            return None;
        }
        let body = &line[indent..];
        if is_dash(body) {
            self.sequence(end, indent, depth)
        } else {
            self.mapping(end, indent, body, depth)
        }
    }

    /// A block sequence whose entries are at column `indent`, the first at `pos`.
    fn sequence(&mut self, end: usize, indent: usize, depth: usize) -> Option<Value> {
        let mut items = Vec::new();
        loop {
            let body = &self.lines[self.pos][indent..];
            let after = &body[1..];
            let rest = after.trim_start_matches(' ');
            self.path.push(Step::Index(items.len()));
            let item = if !rest.is_empty()
                && !rest.starts_with(['#', '[', '{'])
                && key_end(rest).is_some()
            {
                // `- key: value`: a mapping whose column is that of its first key.
                let col = indent + 1 + (after.len() - rest.len());
                self.mapping(end, col, rest, depth + 1)?
            } else if is_dash(rest) {
                return None;
            } else {
                let inline = inline(rest)?;
                self.pos += 1;
                self.value(inline, end, indent, depth + 1, false)?
            };
            self.path.pop();
            items.push(item);
            match self.next_content(end) {
                Some(next) if indent_of(self.lines[next]) == indent => {
                    if !is_dash(&self.lines[next][indent..]) {
                        // The end of a sequence that is a mapping's value at the key's column.
                        return Some(Value::Array(items));
                    }
                    self.pos = next;
                }
                Some(next) if indent_of(self.lines[next]) > indent => return None,
                _ => return Some(Value::Array(items)),
            }
        }
    }

    /// A block mapping whose keys are at column `indent`; the first entry's text (from its
    /// key on) is `first`, on line `pos`.
    fn mapping(&mut self, end: usize, indent: usize, first: &str, depth: usize) -> Option<Value> {
        if depth + 1 >= MAX_DEPTH {
            return None;
        }
        let mut map = Map::new();
        let mut body = first;
        loop {
            let (key, rest) = entry(body)?;
            let inline = inline(rest)?;
            self.pos += 1;
            self.path.push(Step::Key(key));
            let value = self.value(inline, end, indent, depth + 1, true)?;
            let Some(Step::Key(key)) = self.path.pop() else {
                return None;
            };
            if map.insert(key, value).is_some() {
                // A duplicate: the event parser words the error.
                return None;
            }
            match self.next_content(end) {
                Some(next) if indent_of(self.lines[next]) == indent => {
                    self.pos = next;
                    body = &self.lines[next][indent..];
                    if is_dash(body) {
                        return None;
                    }
                }
                Some(next) if indent_of(self.lines[next]) > indent => return None,
                _ => return Some(Value::Object(map)),
            }
        }
    }

    /// The value that `inline` begins, for an entry of the collection at column `indent`
    /// (whose line is already consumed). A mapping's value may be a sequence at the key's own
    /// column (`in_map`).
    fn value(
        &mut self,
        inline: Inline<'_>,
        end: usize,
        indent: usize,
        depth: usize,
        in_map: bool,
    ) -> Option<Value> {
        match inline {
            Inline::Value(v) => Some(v),
            Inline::Plain(text) => {
                // A deeper line after a plain scalar continues it (or is an error): given up.
                if let Some(next) = (self.pos..end).find(|&i| !self.lines[i].trim().is_empty()) {
                    if indent_of(self.lines[next]) > indent {
                        return None;
                    }
                }
                Some(self.plain_scalar(text))
            }
            Inline::Literal { strip } => self.literal(end, indent, strip),
            Inline::Flow(text) => {
                let mut i = 0;
                let value = self.flow_node(text, &mut i, depth)?;
                trailing_ok(&text[i..]).then_some(value)
            }
            Inline::Below => match self.next_content(end) {
                Some(next) => {
                    let col = indent_of(self.lines[next]);
                    let body = &self.lines[next][col..];
                    if col > indent || (in_map && col == indent && is_dash(body)) {
                        self.pos = next;
                        self.node(end, col, depth)
                    } else {
                        Some(Value::Null)
                    }
                }
                None => Some(Value::Null),
            },
        }
    }

    /// A plain scalar as Go's YAML reads it, noting it when it is a string `keep_plain` keeps.
    fn plain_scalar(&mut self, text: &str) -> Value {
        let value = plain_value(text);
        if let Value::String(s) = &value {
            if (self.keep_plain)(s) {
                let mut pointer = String::new();
                for step in &self.path {
                    pointer.push('/');
                    match step {
                        Step::Key(k) => pointer.push_str(&escape_pointer_token(k)),
                        Step::Index(i) => pointer.push_str(&i.to_string()),
                    }
                }
                self.plain.push((pointer, s.clone()));
            }
        }
        value
    }

    /// The flow node at byte `i` of `text` (one line), `i` moved past it. Within the subset:
    /// sequences, mappings with `key: value` pairs, quoted scalars and plain scalars without
    /// `:` or `#`; trailing commas and implicit one-pair mappings are given up on.
    fn flow_node(&mut self, text: &str, i: &mut usize, depth: usize) -> Option<Value> {
        if depth + 1 >= MAX_DEPTH {
            return None;
        }
        skip_spaces(text, i);
        let bytes = text.as_bytes();
        match *bytes.get(*i)? {
            b'[' => {
                *i += 1;
                let mut items = Vec::new();
                if flow_close(text, i, b']') {
                    return Some(Value::Array(items));
                }
                loop {
                    self.path.push(Step::Index(items.len()));
                    let item = self.flow_node(text, i, depth + 1)?;
                    self.path.pop();
                    items.push(item);
                    if !flow_next(text, i, b']')? {
                        return Some(Value::Array(items));
                    }
                }
            }
            b'{' => {
                *i += 1;
                let mut map = Map::new();
                if flow_close(text, i, b'}') {
                    return Some(Value::Object(map));
                }
                loop {
                    skip_spaces(text, i);
                    let key = match *bytes.get(*i)? {
                        b'"' | b'\'' => {
                            let (key, len) = quoted(&text[*i..])?;
                            *i += len;
                            match key {
                                Value::String(k) => k,
                                _ => return None,
                            }
                        }
                        _ => match plain_value(flow_plain(text, i)?) {
                            Value::String(k) if k != "<<" => k,
                            _ => return None,
                        },
                    };
                    if !text[*i..].starts_with(": ") {
                        return None;
                    }
                    *i += 1;
                    self.path.push(Step::Key(key));
                    let value = self.flow_node(text, i, depth + 1)?;
                    let Some(Step::Key(key)) = self.path.pop() else {
                        return None;
                    };
                    if map.insert(key, value).is_some() {
                        return None;
                    }
                    if !flow_next(text, i, b'}')? {
                        return Some(Value::Object(map));
                    }
                }
            }
            b'"' | b'\'' => {
                let (value, len) = quoted(&text[*i..])?;
                *i += len;
                Some(value)
            }
            _ => {
                let raw = flow_plain(text, i)?;
                Some(self.plain_scalar(raw))
            }
        }
    }

    /// A literal block scalar's lines from `pos`, for an entry at column `indent`: the
    /// content indentation is that of its first non-blank line.
    fn literal(&mut self, end: usize, indent: usize, strip: bool) -> Option<Value> {
        let first = (self.pos..end).find(|&i| !self.lines[i].trim_start_matches(' ').is_empty())?;
        let n = indent_of(self.lines[first]);
        if n <= indent {
            return None;
        }
        let mut text = String::new();
        let mut pending_breaks = 0usize;
        let mut i = self.pos;
        let mut seen_content = false;
        while i < end {
            let line = self.lines[i];
            let body = line.trim_start_matches(' ');
            if body.is_empty() {
                // A line of spaces only: more than the content's indentation is content
                // (or an error before the first line); given up.
                if line.len() > n {
                    return None;
                }
                pending_breaks += 1;
                i += 1;
                continue;
            }
            if indent_of(line) < n {
                break;
            }
            if seen_content {
                pending_breaks += 1;
            }
            for _ in 0..pending_breaks {
                text.push('\n');
            }
            pending_breaks = 0;
            text.push_str(&line[n..]);
            seen_content = true;
            i += 1;
        }
        if !strip {
            text.push('\n');
        }
        // Trailing blank lines belong to no one: the next node starts after them.
        self.pos = i;
        Some(Value::String(text))
    }
}

/// The end of a plain mapping key in `body`: the index of its `:` (followed by a space or
/// the end), or `None` when `body` is no `key:` entry (a comment or the end comes first).
fn key_end(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    if matches!(bytes.first(), Some(b'"' | b'\'')) {
        let quoted = quoted_end(body)?;
        return (bytes.get(quoted) == Some(&b':')
            && matches!(bytes.get(quoted + 1), None | Some(b' ')))
        .then_some(quoted);
    }
    let mut prev = b' ';
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && prev == b' ' {
            return None;
        }
        if b == b':' && matches!(bytes.get(i + 1), None | Some(b' ')) {
            return Some(i);
        }
        prev = b;
    }
    None
}

/// The index just past the closing quote of the quoted scalar that starts `body`.
fn quoted_end(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let quote = *bytes.first()?;
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Splits `key: rest` into the key's text and what follows the colon.
fn entry(body: &str) -> Option<(String, &str)> {
    let colon = key_end(body)?;
    let raw = &body[..colon];
    let key = match raw.as_bytes().first()? {
        b'"' | b'\'' => match quoted(raw)? {
            (Value::String(s), len) if len == raw.len() => s,
            _ => return None,
        },
        // Indicators and keys that need more than the subset (`<<`, spaces before `:`,
        // non-string scalars, YAML's length limit of implicit keys).
        b'-' | b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!'
        | b'|' | b'>' | b'%' | b'@' | b'`' => return None,
        _ if raw == "<<" || raw.ends_with(' ') || raw.len() > 1024 => return None,
        _ => match plain_value(raw) {
            Value::String(s) => s,
            _ => return None,
        },
    };
    Some((key, &body[colon + 1..]))
}

/// What follows an indicator on its line.
fn inline(rest: &str) -> Option<Inline<'_>> {
    let rest = rest.trim_start_matches(' ');
    let Some(&first) = rest.as_bytes().first() else {
        return Some(Inline::Below);
    };
    match first {
        b'#' => Some(Inline::Below),
        b'"' | b'\'' => {
            let (value, len) = quoted(rest)?;
            trailing_ok(&rest[len..]).then_some(Inline::Value(value))
        }
        b'[' | b'{' => Some(Inline::Flow(rest)),
        b'|' => {
            let (strip, tail) = match rest.strip_prefix("|-") {
                Some(tail) => (true, tail),
                None => (false, &rest[1..]),
            };
            trailing_ok(tail).then_some(Inline::Literal { strip })
        }
        b'-' | b'?' | b':' if rest.len() == 1 || rest.as_bytes()[1] == b' ' => None,
        b'-' | b'?' | b':' => plain(rest),
        b',' | b']' | b'}' | b'&' | b'*' | b'!' | b'>' | b'%' | b'@' | b'`' => None,
        _ => plain(rest),
    }
}

/// A plain scalar that ends on its line: up to a comment, trailing spaces dropped. One that
/// holds a `: ` or ends in `:` (a mapping where none may start) is given up on.
fn plain(rest: &str) -> Option<Inline<'_>> {
    let text = match rest.find(" #") {
        Some(i) => &rest[..i],
        None => rest,
    };
    let text = text.trim_end_matches(' ');
    if text.contains(": ") || text.ends_with(':') {
        return None;
    }
    Some(Inline::Plain(text))
}

fn skip_spaces(text: &str, i: &mut usize) {
    while text.as_bytes().get(*i) == Some(&b' ') {
        *i += 1;
    }
}

/// After an opening bracket: true (and past it) when `close` follows at once.
fn flow_close(text: &str, i: &mut usize, close: u8) -> bool {
    skip_spaces(text, i);
    let closed = text.as_bytes().get(*i) == Some(&close);
    if closed {
        *i += 1;
    }
    closed
}

/// After a flow entry: `Some(true)` past a `,` that another entry follows, `Some(false)`
/// past `close`, `None` for anything else (a trailing comma included).
fn flow_next(text: &str, i: &mut usize, close: u8) -> Option<bool> {
    skip_spaces(text, i);
    match *text.as_bytes().get(*i)? {
        b',' => {
            *i += 1;
            skip_spaces(text, i);
            matches!(text.as_bytes().get(*i), Some(b) if *b != b']' && *b != b'}').then_some(true)
        }
        b if b == close => {
            *i += 1;
            Some(false)
        }
        _ => None,
    }
}

/// A plain scalar in a flow collection, up to a flow indicator, a `:` that a space or an
/// indicator follows, or a `#` after a space (the caller gives up on what it finds there
/// unless it ends the entry), trailing spaces dropped. (`oci://host/chart` and
/// `host:9092` are one scalar each.)
fn flow_plain<'t>(text: &'t str, i: &mut usize) -> Option<&'t str> {
    let start = *i;
    let rest = &text[start..];
    let bytes = rest.as_bytes();
    let is_end = |b: Option<&u8>| matches!(b, None | Some(b' ' | b',' | b'[' | b']' | b'{' | b'}'));
    let len = (0..bytes.len())
        .find(|&j| match bytes[j] {
            b',' | b'[' | b']' | b'{' | b'}' => true,
            b':' => is_end(bytes.get(j + 1)),
            b'#' => j == 0 || bytes[j - 1] == b' ',
            _ => false,
        })
        .unwrap_or(bytes.len());
    let raw = rest[..len].trim_end_matches(' ');
    let first = *raw.as_bytes().first()?;
    let second = raw.as_bytes().get(1);
    if matches!(first, b'-' | b'?') && matches!(second, None | Some(b' '))
        || matches!(
            first,
            b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b'"' | b'\''
        )
    {
        return None;
    }
    *i = start + len;
    Some(raw)
}

/// Nothing, spaces, or spaces and a comment.
fn trailing_ok(tail: &str) -> bool {
    let trimmed = tail.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < tail.len())
}

/// A quoted scalar that starts `text` and closes on the same line: its value and length.
fn quoted(text: &str) -> Option<(Value, usize)> {
    let len = quoted_end(text)?;
    let inner = &text[1..len - 1];
    let value = if text.starts_with('\'') {
        inner.replace("''", "'")
    } else {
        unescape(inner)?
    };
    Some((Value::String(value), len))
}

/// The escapes of a double-quoted scalar (YAML 1.2); `None` for an unknown or invalid one.
fn unescape(inner: &str) -> Option<String> {
    if !inner.contains('\\') {
        return Some(inner.to_owned());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let hex = |chars: &mut std::str::Chars<'_>, n: usize| -> Option<char> {
            let digits: String = chars.by_ref().take(n).collect();
            if digits.len() != n || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            char::from_u32(u32::from_str_radix(&digits, 16).ok()?)
        };
        out.push(match chars.next()? {
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            't' => '\t',
            'n' => '\n',
            'v' => '\u{b}',
            'f' => '\u{c}',
            'r' => '\r',
            'e' => '\u{1b}',
            ' ' => ' ',
            '"' => '"',
            '/' => '/',
            '\\' => '\\',
            'N' => '\u{85}',
            '_' => '\u{a0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            'x' => hex(&mut chars, 2)?,
            'u' => hex(&mut chars, 4)?,
            'U' => hex(&mut chars, 8)?,
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::yaml::{parse_json_events_in, AliasBudget};

    #[test]
    fn lines_split_as_str_split_does() {
        let long = "key: value\n".repeat(100);
        for text in [
            "",
            "\n",
            "a",
            "a\n",
            "a\nb",
            "\n\na\n\n",
            "é\nü\n",
            long.as_str(),
        ] {
            assert_eq!(
                lines_of(text),
                text.split('\n').collect::<Vec<_>>(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn plain_text_refuses_every_control_byte_wherever_it_is() {
        let slow = |text: &str| {
            text.bytes()
                .all(|b| b == b'\n' || (b' '..=b'~').contains(&b) || b >= 0x80)
        };
        let filler = "a: b\n".repeat(40);
        for b in 0u8..0x80 {
            let c = char::from(b);
            // Before, inside and after the first 64-byte block, and at the very end.
            for at in [0, 63, 64, 65, filler.len()] {
                let mut text = filler.clone();
                text.insert(at, c);
                assert_eq!(plain_text(&text), slow(&text), "byte {b:#x} at {at}");
            }
        }
        assert!(plain_text(&filler) && !plain_text("a:\u{2028}b") && plain_text("a: é"));
    }

    /// Reads `text` both ways; when the line reader takes it, the two must agree exactly
    /// (values, document positions and kept plain strings, every plain string kept here).
    /// Returns whether the line reader took it.
    fn agree(text: &str) -> bool {
        let keep = |_: &str| true;
        let Some(fast) = parse(text, &keep) else {
            return false;
        };
        let events = parse_json_events_in(text, keep, &AliasBudget::default());
        assert_eq!(Ok(fast), events, "the readers disagree on:\n{text}");
        true
    }

    #[test]
    fn the_subset_reads_as_the_event_parser_does() {
        let taken = [
            "",
            "# only a comment\n",
            "a: 1\n",
            "a: 1",
            "---\na: 1\n",
            "--- # first\na: 1\n---\nb: [] # empty\nc: {}\n",
            "# head\n\n---\napiVersion: v1\nkind: ConfigMap\n",
            "  a: 1\n  b: 2\n",
            "a:\n  b:\n    c: d\n  e: f\n",
            "a:\n- 1\n- 2\nb: 3\n",
            "a:\n  - x\n  -   y\n  -\n  - z: 1\n    w: 2\n",
            "- a\n- b: c\n  d:\n  - e\n",
            "- 1\n-\n- null\n- ~\n",
            "a: [1, 2]\nb: {c: 1, 'd': \"e\", f: [g, {h: i}]}\nc: [ ] # x\n",
            "- [a, b]\n- {c: d}\n- []\n- {}\n",
            "sel: {app: web, tier: \"1\"}\nports: [80, 443, yes, 0755]\n",
            "c: {repository: oci://quay.io/x, v: \"1\"}\nd: [a:b, h:9092, x#y, \"q\"]\n",
            "a: \"q \\\" \\n \\u00e9 \\x41 \\/ \\\\\"\nb: 'it''s'\nc: \"\"\nd: ''\n",
            "\"quoted key\": 1\n'single': 2\n\"a:b\": 3\n",
            "a: yes\nb: on\nc: 0755\nd: 1_000\ne: 0x1F\nf: .inf\ng: -.5\nh: 1e3\ni: 12345678901234567890\n",
            "a: true\nb: False\nc: NULL\nd: ''\ne: 089\nf: +1\ng: -0\n",
            "url: http://example.com:8080/x#frag\nk: a#b\nl: a # comment\n",
            "a: b]\nc: d}\ne: f,g\n\"h\": i\n",
            "data:\n  script: |\n    #!/bin/sh\n    echo a\n\n    echo b\n  other: x\n",
            "a: |-\n  one\n  two\n\n\nb: |\n\n  lead\n",
            "- |\n  item\n- |-\n  next\n",
            "a: | # comment\n  x\n  # not a comment\n# a comment\nb: 1\n",
            "k8s.io/name: x\nannotations:\n  a.b/c: \"1\"\n",
            "é: ü\nnamé: 日本\n",
            "a: 1 \nb:   2   \nc:\n",
            "a: -1\nb: -x\nc: --flag\nd: ?x\ne: :x\nf: ---\n",
            "a: 'x' # c\nb: \"y\"   \n",
            "a:\n\n  b: 1\n\n\n  c: 2\n",
            "a:\n  # comment\n  b: 1\n",
            "- a\n# c\n- b\n",
        ];
        for text in taken {
            assert!(agree(text), "the line reader should take:\n{text}");
        }
    }

    #[test]
    fn everything_else_is_left_to_the_event_parser() {
        let left = [
            "a: 1\r\n",
            "a:\t1\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "%YAML 1.2\n---\na: 1\n",
            "a: 1\n...\n",
            "a: [1, 2,]\n",
            "a: {b: 1, }\n",
            "a: [b: 1]\n",
            "a: {\"b\":1}\n",
            "a: [x: y]\n",
            "a: [x:]\n",
            "a: {b: }\n",
            "a: [1,\n  2]\n",
            "a: [&x 1]\n",
            "a: [- x]\n",
            "a: >\n  folded\n",
            "a: |+\n  kept\n",
            "a: |2\n   x\n",
            "a: plain\n  continued\n",
            "a: \"multi\n  line\"\n",
            "? complex\n: key\n",
            "<<: {a: 1}\n",
            "1: one\n",
            "true: yes\n",
            "a: 1\na: 2\n",
            "---\n---\na: 1\n",
            "a: 1\n---\n",
            "--- text\n",
            "just a scalar\n",
            "a: b: c\n",
            "a: b:\n",
            "a:b\n",
            "a : 1\n",
            "a: 1\n b: 2\n",
            "a:\n  b: 1\n c: 2\n",
            "- a\n - b\n",
            "a: - b\n",
            "a: \"\\q\"\n",
            "a: \"x\" y\n",
            "a: |\n  x\n      \n",
            "\u{feff}a: 1\n",
            "a: @x\n",
            "a: 1\n- b\n",
            "a: |\n    deep\n  less\n",
            "a:\n  b: 1\n      # deep comment\nc: 2\n",
            "- - x\n",
            "m: [x\n",
        ];
        for text in left {
            assert!(!agree(text), "the line reader should leave:\n{text}");
        }
    }

    #[test]
    fn deep_nesting_is_left_to_the_event_parser_without_overflow() {
        let deep_flow = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let block = |levels: usize| -> String {
            (0..levels)
                .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
                .collect::<String>()
                + &format!("{}leaf: 1\n", "  ".repeat(levels))
        };
        // The event parser refuses both: the flow with its own recursion limit, the block
        // mapping at MAX_DEPTH.
        for text in [deep_flow, block(MAX_DEPTH + 50)] {
            assert!(parse(&text, &|_| false).is_none());
            let refused = crate::source::yaml::parse_json_documents(&text, |_| false);
            let message = refused.err().map(|e| e.message).unwrap_or_default();
            assert!(
                message.contains("nesting") || message.contains("recursion"),
                "{message}"
            );
        }
        // Below the limit the line reader reads it, as the event parser does.
        assert!(agree(&block(MAX_DEPTH / 2)));
    }

    /// The texts of the YAML files below `dirs` of the repository and below any directory
    /// named in `FLUXPRINT_YAML_CORPUS` (`:`-separated: real repositories, say), found as
    /// `validate` finds them.
    fn corpus<const N: usize>(dirs: [&str; N]) -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut roots: Vec<std::path::PathBuf> = dirs.iter().map(|d| root.join(d)).collect();
        if let Ok(extra) = std::env::var("FLUXPRINT_YAML_CORPUS") {
            roots.extend(extra.split(':').filter(|d| !d.is_empty()).map(Into::into));
        }
        let mut texts = Vec::new();
        for dir in roots {
            let files = crate::validate::tree::yaml_files(&dir, &mut Default::default())
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            // Files that are not UTF-8 are no YAML either reader reads.
            texts.extend(files.iter().filter_map(|f| std::fs::read_to_string(f).ok()));
        }
        texts
    }

    /// Variants of the repository's example system and fixture systems (and of the corpus
    /// named in `FLUXPRINT_YAML_CORPUS`), one line changed each (deleted, indented or
    /// outdented by a space, cut in half, doubled): nearly all are broken or mean something
    /// else, and the readers must still agree on each.
    #[test]
    fn the_readers_agree_on_every_one_line_change() {
        let texts = corpus([
            "blueprints",
            "clusters",
            "platform",
            "tests/fixtures/systems",
            "tests/fixtures/kustomize",
        ]);
        let (mut variants, mut taken) = (0usize, 0usize);
        for text in &texts {
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let mut cut = line.len() / 2;
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                let changed = [
                    None,
                    Some(format!(" {line}")),
                    line.strip_prefix(' ').map(str::to_owned),
                    Some(line[..cut].to_owned()),
                    Some(format!("{line}\n{line}")),
                ];
                for change in changed {
                    let mut variant = lines.clone();
                    match &change {
                        None => {
                            variant.remove(i);
                        }
                        Some(c) => variant[i] = c,
                    }
                    variants += 1;
                    taken += usize::from(agree(&(variant.join("\n") + "\n")));
                }
            }
        }
        eprintln!("{taken} of {variants} one-line variants read by the line reader");
        assert!(
            variants > 10_000 && taken > variants / 4,
            "{taken} of {variants}"
        );
    }

    /// Every YAML file of the repository's fixtures, snapshots and example system (and of
    /// the corpus named in `FLUXPRINT_YAML_CORPUS`).
    #[test]
    fn the_readers_agree_on_every_fixture() {
        let texts = corpus(["tests", "snapshots", "blueprints", "clusters", "platform"]);
        let taken = texts.iter().filter(|t| agree(t)).count();
        let files = texts.len();
        eprintln!("{taken} of {files} YAML files read by the line reader");
        // Most fixtures are block-style manifests: were the line reader to give up on them,
        // it would be agreeing by never answering.
        assert!(files > 500 && taken * 10 > files * 7, "{taken} of {files}");
    }
}
