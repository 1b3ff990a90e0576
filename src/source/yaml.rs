//! YAML documents with positions.
//!
//! Built from the saphyr family's event parser (`granit-parser`, the saphyr-parser fork that
//! serde-saphyr reads with, and which accepts the under-indented quoted scalars that go-yaml
//! and real-world CRDs use) rather than a
//! typed deserializer, because every later check needs the position of any node, and because
//! hostile input must be refused with a message instead of a crash: duplicate keys are errors,
//! nesting depth and alias expansion are bounded (so "billion laughs" documents stop early), and
//! the tree is built without recursion.
//!
//! Scalars are resolved with the YAML 1.2 core schema (what saphyr and Kubernetes' own parser
//! agree on for the values we read): `yes`/`on` are strings, `true`/`false` are booleans.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use granit_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

use super::Span;

/// Deepest nesting accepted; real manifests stay far below it.
pub const MAX_DEPTH: usize = 200;
/// Most nodes one file may expand to through aliases.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// One YAML node with the position where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the node starts.
    pub span: Span,
    /// The value.
    pub kind: Kind,
    /// True for a plain (unquoted, non-block) scalar: only these can be mis-read by YAML 1.1.
    pub plain: bool,
    /// The source text of a plain scalar that did not resolve to a string (`1.10`, `0755`,
    /// `yes`…), for messages that must quote what was written rather than what it means.
    pub raw: Option<String>,
    /// True for a literal or folded block scalar, whose position is that of its first
    /// non-blank content line (for positions inside the text: an inline kustomize patch).
    pub block: bool,
    /// Number of nodes in this subtree, for bounding alias expansion.
    size: usize,
}

/// The JSON pointer token prefix that steps into a string holding YAML: `~dN` names
/// document `N` of the string, and the tokens after it a node of that document. (`~d` is
/// not a valid pointer escape, so no key can be mistaken for it.)
pub const INLINE: &str = "~d";

/// What a [`Node`] holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order, keys as nodes (for their positions).
    Map(Vec<(Node, Node)>),
}

/// A document that could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// Where the problem is.
    pub span: Span,
    /// What is wrong, in one line.
    pub message: String,
}

impl Node {
    fn scalar(kind: Kind, span: Span, plain: bool) -> Node {
        Node {
            span,
            kind,
            plain,
            raw: None,
            block: false,
            size: 1,
        }
    }

    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node under `key` when this node is a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.key_text().as_deref() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// The text of a scalar used as a mapping key.
    pub fn key_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Int(i) => Some(i.to_string()),
            Kind::Float(f) => Some(f.to_string()),
            Kind::Bool(b) => Some(b.to_string()),
            Kind::Null => Some(String::new()),
            Kind::Seq(_) | Kind::Map(_) => None,
        }
    }

    /// The string value, when this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Follows a JSON pointer (RFC 6901) and returns the node it names, if it exists.
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for token in pointer_tokens(pointer) {
            node = match &node.kind {
                Kind::Map(_) => node.get(&token)?,
                Kind::Seq(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The best position for a JSON pointer: the node it names (for a mapping or list value,
    /// its key, where a reader looks), or the deepest existing ancestor when it names nothing.
    /// Below a string, an [`INLINE`] token steps into the YAML the string holds: the line
    /// inside a block scalar (a quoted or flow string keeps its own position).
    pub fn span_for_pointer(&self, pointer: &str) -> Span {
        let tokens = pointer_tokens(pointer);
        self.span_for_tokens(&tokens)
    }

    fn span_for_tokens(&self, tokens: &[String]) -> Span {
        let Some((last, parents)) = tokens.split_last() else {
            return self.span;
        };
        let mut node = self;
        for (i, token) in parents.iter().enumerate() {
            if let (Kind::Str(text), Some(doc)) = (&node.kind, token.strip_prefix(INLINE)) {
                return node.span_inside(text, doc, &tokens[i + 1..]);
            }
            node = match &node.kind {
                Kind::Map(_) => match node.get(token) {
                    Some(n) => n,
                    None => return node.span,
                },
                Kind::Seq(items) => match token.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(n) => n,
                    None => return node.span,
                },
                _ => return node.span,
            };
        }
        if let (Kind::Str(text), Some(doc)) = (&node.kind, last.strip_prefix(INLINE)) {
            return node.span_inside(text, doc, &[]);
        }
        match &node.kind {
            Kind::Map(_) => match node.entry(last) {
                Some((k, v)) if matches!(v.kind, Kind::Map(_) | Kind::Seq(_)) => k.span,
                Some((_, v)) => v.span,
                None => node.span,
            },
            Kind::Seq(items) => last
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .map_or(node.span, |n| n.span),
            _ => node.span,
        }
    }

    /// The position of `tokens` in document `doc` of the YAML in `text` (this string's
    /// value): for a block scalar, the block's first content line plus the line in the
    /// text; else this string's own position.
    fn span_inside(&self, text: &str, doc: &str, tokens: &[String]) -> Span {
        if !self.block {
            return self.span;
        }
        let Some(inner) = doc
            .parse::<usize>()
            .ok()
            .and_then(|d| parse_documents(text).ok()?.into_iter().nth(d))
            .map(|n| n.span_for_tokens(tokens))
        else {
            return self.span;
        };
        // The block's position is its first non-blank line; blank lines before it are
        // leading newlines of the text.
        let blank = text.bytes().take_while(|b| *b == b'\n').count() as u32;
        Span::new(
            (self.span.line + inner.line)
                .saturating_sub(1 + blank)
                .max(self.span.line),
            self.span.col + inner.col.saturating_sub(1),
        )
    }

    /// Converts to a JSON value (mapping keys become strings).
    pub fn to_json(&self) -> Value {
        match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Int(i) => Value::Number((*i).into()),
            Kind::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Kind::Str(s) => Value::String(s.clone()),
            Kind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => {
                let mut map = Map::new();
                for (k, v) in entries {
                    map.insert(k.key_text().unwrap_or_default(), v.to_json());
                }
                Value::Object(map)
            }
        }
    }

    /// A short name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "boolean",
            Kind::Int(_) => "integer",
            Kind::Float(_) => "number",
            Kind::Str(_) => "string",
            Kind::Seq(_) => "list",
            Kind::Map(_) => "mapping",
        }
    }
}

/// Splits an RFC 6901 JSON pointer into unescaped tokens.
pub fn pointer_tokens(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Escapes one JSON pointer token.
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Stands for a plain `<<` key in the fast path until its mapping ends (no YAML text can
/// produce it: it holds a NUL).
const MERGE_SENTINEL: &str = "\u{0}<<";

fn merge_error(span: Span) -> YamlError {
    YamlError {
        span,
        message: "a merge key `<<` must be given a mapping or a list of mappings".into(),
    }
}

/// YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`), as kubectl, kustomize and Flux read
/// them: the merged mappings' entries are added where the mapping has no entry of its own;
/// of several merged mappings the first wins. Only a plain `<<` key merges.
fn merge_node_entries(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, YamlError> {
    let is_merge = |k: &Node| k.plain && matches!(&k.kind, Kind::Str(s) if s == "<<");
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return Ok(entries);
    }
    let mut own = Vec::new();
    let mut sources = Vec::new();
    for (k, v) in entries {
        if is_merge(&k) {
            match v.kind {
                Kind::Map(m) => sources.push(m),
                Kind::Seq(items) => {
                    for item in items {
                        match item.kind {
                            Kind::Map(m) => sources.push(m),
                            _ => return Err(merge_error(item.span)),
                        }
                    }
                }
                _ => return Err(merge_error(v.span)),
            }
        } else {
            own.push((k, v));
        }
    }
    let mut seen: std::collections::HashSet<String> =
        own.iter().filter_map(|(k, _)| k.key_text()).collect();
    for source in sources {
        for (k, v) in source {
            if let Some(text) = k.key_text() {
                if seen.insert(text) {
                    own.push((k, v));
                }
            }
        }
    }
    Ok(own)
}

/// [`merge_node_entries`] for the fast path.
fn merge_json_entries(
    mut map: Map<String, Value>,
    span: Span,
) -> Result<Map<String, Value>, YamlError> {
    let Some(merged) = map.remove(MERGE_SENTINEL) else {
        return Ok(map);
    };
    let sources = match merged {
        Value::Object(m) => vec![m],
        Value::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Value::Object(m) => Ok(m),
                _ => Err(merge_error(span)),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(merge_error(span)),
    };
    for source in sources {
        for (k, v) in source {
            map.entry(k).or_insert(v);
        }
    }
    Ok(map)
}

/// Resolves a plain scalar with the YAML 1.2 core schema (fluxprint's own inputs:
/// blueprints, cluster and platform files; `0755` is the decimal 755).
fn resolve_plain(text: &str) -> Kind {
    match resolve_plain_go(text) {
        // Only what go-yaml adds to the core schema differs: 1.1 octals, `_`, `0b`, signs
        // and upper case before a base prefix.
        Kind::Int(_) | Kind::Float(_) if !is_core_number(text) => Kind::Str(text.to_owned()),
        Kind::Int(_) if is_legacy_octal(text) => text
            .parse::<i64>()
            .map_or_else(|_| Kind::Str(text.to_owned()), Kind::Int),
        kind => kind,
    }
}

/// A plain scalar's JSON value as Go's YAML reads it ([`resolve_plain_go`]); numbers JSON
/// cannot hold (infinities, NaN) are null.
pub(crate) fn plain_value(text: &str) -> Value {
    match resolve_plain_go(text) {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(b),
        Kind::Int(i) => Value::Number(i.into()),
        Kind::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
        Kind::Str(s) => Value::String(s),
        Kind::Seq(_) | Kind::Map(_) => Value::Null,
    }
}

/// Numbers the core schema knows: `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`, and floats.
fn is_core_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let all = |s: &str, f: fn(&u8) -> bool| !s.is_empty() && s.as_bytes().iter().all(f);
    all(unsigned, u8::is_ascii_digit)
        || text
            .strip_prefix("0o")
            .is_some_and(|o| all(o, |b| (b'0'..=b'7').contains(b)))
        || text
            .strip_prefix("0x")
            .is_some_and(|h| all(h, u8::is_ascii_hexdigit))
        || is_core_float(unsigned)
}

/// `0755`: octal to go-yaml, decimal to the core schema.
fn is_legacy_octal(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    unsigned.len() > 1 && unsigned.starts_with('0') && unsigned.bytes().all(|c| c.is_ascii_digit())
}

/// Resolves a plain scalar as Flux reads it: the YAML 1.2 core schema as go-yaml v3 (the
/// reader of kustomize and kustomize-controller) applies it, which keeps YAML 1.1's octals
/// (`0755` is 493, as kubectl reads it too) and reads numbers the way Go's `ParseInt` with
/// base 0 does once `_` separators are dropped (`1_000`, `0x1F`, `0o17`, `0b101`, signs).
fn resolve_plain_go(text: &str) -> Kind {
    // Most scalars start with a letter that begins no null, boolean or number: strings.
    if !matches!(
        text.as_bytes().first(),
        None | Some(
            b'0'..=b'9' | b'-' | b'+' | b'.' | b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F'
        )
    ) {
        return Kind::Str(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" => return Kind::Bool(true),
        "false" | "False" | "FALSE" => return Kind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Kind::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Kind::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Kind::Float(f64::NAN),
        _ => {}
    }
    match text.as_bytes().first() {
        // go-yaml tries numbers only for scalars that start with a digit or a sign.
        Some(b'0'..=b'9' | b'-' | b'+') => {
            // Most numbers have no `_`: borrow them.
            let plain: std::borrow::Cow<'_, str> = if text.contains('_') {
                text.replace('_', "").into()
            } else {
                text.into()
            };
            if let Some(kind) = go_int(&plain) {
                return kind;
            }
            let unsigned = plain.strip_prefix(['-', '+']).unwrap_or(&plain);
            if is_core_float(unsigned) {
                if let Ok(f) = plain.parse::<f64>() {
                    // Decimal digits that are no octal (`089`) are a float to go-yaml,
                    // printed as the integer it equals.
                    if unsigned.bytes().all(|b| b.is_ascii_digit()) {
                        if let Ok(i) = plain.parse::<i64>() {
                            return Kind::Int(i);
                        }
                    }
                    return Kind::Float(f);
                }
            }
        }
        Some(b'.') if is_core_float(text) => {
            if let Ok(f) = text.parse::<f64>() {
                return Kind::Float(f);
            }
        }
        _ => {}
    }
    Kind::Str(text.to_owned())
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint` (as a float here: no `Kind` holds
/// it): an optional sign, then `0x`, `0o`, `0b` or a leading `0` (octal) or decimal digits.
fn go_int(s: &str) -> Option<Kind> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = |i: usize| rest.as_bytes().get(i).map(u8::to_ascii_lowercase);
    let (radix, digits) = match (lower(0), lower(1)) {
        (Some(b'0'), Some(b'x')) => (16, &rest[2..]),
        (Some(b'0'), Some(b'o')) => (8, &rest[2..]),
        (Some(b'0'), Some(b'b')) => (2, &rest[2..]),
        (Some(b'0'), Some(_)) => (8, &rest[1..]),
        _ => (10, rest),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude)
            .map(|m| -m)
            .ok()
            .or_else(|| (magnitude == 1 << 63).then_some(i64::MIN))?;
        Some(Kind::Int(value))
    } else {
        #[allow(clippy::cast_precision_loss)] // Go's uint64, beyond what `Kind::Int` holds
        Some(i64::try_from(magnitude).map_or(Kind::Float(magnitude as f64), Kind::Int))
    }
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, frac)) => {
            whole.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
                && !(whole.is_empty() && frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

/// A collection being built.
enum Frame {
    Seq {
        span: Span,
        anchor: usize,
        items: Vec<Node>,
        size: usize,
    },
    Map {
        span: Span,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
        size: usize,
        /// Key text → line of its first definition: duplicate detection in linear time.
        seen: HashMap<String, u32>,
    },
}

fn span_of(marker: &granit_parser::Marker) -> Span {
    let line = u32::try_from(marker.line()).unwrap_or(u32::MAX);
    let col = u32::try_from(marker.col() + 1).unwrap_or(u32::MAX);
    Span::new(line, col)
}

/// An alias whose anchor was not seen.
fn unknown_anchor(span: Span) -> YamlError {
    YamlError {
        span,
        message: "alias to an unknown anchor".into(),
    }
}

/// Counts an alias expansion of `size` nodes against the file's [`MAX_ALIAS_NODES`] and
/// the run's [`AliasBudget`].
fn count_alias(
    total: &mut usize,
    size: usize,
    budget: &AliasBudget,
    span: Span,
) -> Result<(), YamlError> {
    *total = total.saturating_add(size);
    if *total > MAX_ALIAS_NODES {
        return Err(YamlError {
            span,
            message: format!(
                "aliases in this file expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)"
            ),
        });
    }
    let run = budget
        .0
        .fetch_add(size, Ordering::Relaxed)
        .saturating_add(size);
    if run > budget.1 {
        return Err(YamlError {
            span,
            message: format!(
                "aliases in the files read so far expand to more than {} nodes in total",
                budget.1
            ),
        });
    }
    Ok(())
}

/// Most nodes that aliases may expand to over all the files of one run.
pub const MAX_RUN_ALIAS_NODES: usize = 5_000_000;

/// The alias expansion budget of one run, shared by the files it parses (also across
/// threads). Each file is bounded by [`MAX_ALIAS_NODES`] as well.
#[derive(Debug)]
pub struct AliasBudget(AtomicUsize, usize);

impl Default for AliasBudget {
    fn default() -> Self {
        AliasBudget::new(MAX_RUN_ALIAS_NODES)
    }
}

impl AliasBudget {
    /// A budget of `nodes` alias-expanded nodes.
    pub fn new(nodes: usize) -> Self {
        AliasBudget(AtomicUsize::new(0), nodes)
    }
}

/// Refuses a collection opened at `depth` levels when that reaches [`MAX_DEPTH`].
fn check_depth(depth: usize, span: Span) -> Result<(), YamlError> {
    if depth >= MAX_DEPTH {
        return Err(YamlError {
            span,
            message: format!("nesting deeper than {MAX_DEPTH} levels"),
        });
    }
    Ok(())
}

/// A document that ends inside a collection.
fn unexpected_end(span: Span) -> YamlError {
    YamlError {
        span,
        message: "unexpected end of the document".into(),
    }
}

/// Parser events with the position where each starts. Tags are kept (`!!str`); comments are
/// not reported (nothing here reads them, and producing them costs a tenth of the parse).
fn events(text: &str) -> impl Iterator<Item = Result<(Event<'_>, Span), YamlError>> {
    let mut options = granit_parser::Options::default();
    options.set_emit_comments(false);
    Parser::new_from_str_with_options(text, options)
        .keep_tags(true)
        .map(|event| {
            event
                .map(|(event, span)| (event, span_of(&span.start)))
                .map_err(|e| YamlError {
                    span: span_of(e.marker()),
                    message: format!("invalid YAML: {}", e.info()),
                })
        })
}

/// Parses every document of a YAML stream. An empty stream yields no documents; an explicitly
/// empty document (`---` followed by nothing) yields a `Null` node.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    parse_documents_in(text, &AliasBudget::default())
}

/// [`parse_documents`] charging alias expansion to a run's `budget`.
pub fn parse_documents_in(text: &str, budget: &AliasBudget) -> Result<Vec<Node>, YamlError> {
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: std::collections::HashMap<usize, Node> = std::collections::HashMap::new();
    let mut alias_nodes = 0usize;
    let mut current: Option<Node> = None;
    let mut last_span = Span::START;

    for event in events(text) {
        let (event, start) = event?;
        last_span = start;
        let finished: Option<(Node, usize)> = match event {
            // Anchors are per document; the alias budget is per file (and per run), so that
            // thousands of small documents cannot each expand to the limit.
            Event::DocumentStart(..) => {
                anchors.clear();
                None
            }
            Event::DocumentEnd => {
                docs.push(
                    current
                        .take()
                        .unwrap_or(Node::scalar(Kind::Null, start, true)),
                );
                None
            }
            Event::Scalar(value, style, anchor, tag) => {
                let plain = style == ScalarStyle::Plain;
                let is_str_tag = tag
                    .as_ref()
                    .is_some_and(|t| t.is_yaml_core_schema() && t.suffix() == "str");
                let kind = if plain && !is_str_tag {
                    resolve_plain(&value)
                } else {
                    Kind::Str(value.to_string())
                };
                let mut node = Node::scalar(kind, start, plain && !is_str_tag);
                if node.plain && !matches!(node.kind, Kind::Str(_)) {
                    node.raw = Some(value.into_owned());
                }
                node.block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
                Some((node, anchor))
            }
            Event::Alias(id) => {
                let target = anchors.get(&id).ok_or_else(|| unknown_anchor(start))?;
                count_alias(&mut alias_nodes, target.size, budget, start)?;
                let mut node = target.clone();
                node.span = start;
                Some((node, 0))
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                check_depth(stack.len(), start)?;
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        span: start,
                        anchor,
                        items: Vec::new(),
                        size: 1,
                    }
                } else {
                    Frame::Map {
                        span: start,
                        anchor,
                        entries: Vec::new(),
                        pending_key: None,
                        size: 1,
                        seen: HashMap::new(),
                    }
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq {
                    span,
                    anchor,
                    items,
                    size,
                }) => Some((
                    Node {
                        span,
                        kind: Kind::Seq(items),
                        plain: false,
                        raw: None,
                        block: false,
                        size,
                    },
                    anchor,
                )),
                Some(Frame::Map {
                    span,
                    anchor,
                    entries,
                    size,
                    ..
                }) => Some((
                    Node {
                        span,
                        kind: Kind::Map(merge_node_entries(entries)?),
                        plain: false,
                        raw: None,
                        block: false,
                        size,
                    },
                    anchor,
                )),
                None => None,
            },
            // Stream markers, anchor and comment events carry nothing for the tree.
            _ => None,
        };
        let Some((node, anchor)) = finished else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => current = Some(node),
            Some(Frame::Seq { items, size, .. }) => {
                *size = size.saturating_add(node.size);
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                pending_key,
                size,
                seen,
                ..
            }) => {
                *size = size.saturating_add(node.size);
                match pending_key.take() {
                    None => {
                        if matches!(node.kind, Kind::Seq(_) | Kind::Map(_)) {
                            return Err(YamlError {
                                span: node.span,
                                message: "a mapping key must be a scalar".into(),
                            });
                        }
                        let text = node.key_text().unwrap_or_default();
                        if let Some(first_line) = seen.get(&text) {
                            return Err(YamlError {
                                span: node.span,
                                message: format!(
                                    "duplicate key `{text}` (first defined at line {first_line})"
                                ),
                            });
                        }
                        seen.insert(text, node.span.line);
                        *pending_key = Some(node);
                    }
                    Some(key) => entries.push((key, node)),
                }
            }
        }
    }
    if let Some(node) = current.take() {
        docs.push(node);
    }
    if !stack.is_empty() {
        return Err(unexpected_end(last_span));
    }
    Ok(docs)
}

/// One document as JSON, with the plain scalars that YAML 1.1 would read differently.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonDocument {
    /// Where the document starts.
    pub span: Span,
    /// The document.
    pub value: Value,
    /// `(pointer, text)` of every plain scalar that resolved to a string.
    pub plain_strings: Vec<(String, String)>,
}

/// Parses every document straight to JSON, without a positioned tree: the fast path for
/// validating large trees (positions are recovered with [`parse_documents`] only for the few
/// files that have findings). Same limits and errors as [`parse_documents`].
pub fn parse_json_documents(
    text: &str,
    keep_plain: impl Fn(&str) -> bool,
) -> Result<Vec<JsonDocument>, YamlError> {
    parse_json_documents_in(text, keep_plain, &AliasBudget::default())
}

/// [`parse_json_documents`] charging alias expansion to a run's `budget`.
pub fn parse_json_documents_in(
    text: &str,
    keep_plain: impl Fn(&str) -> bool,
    budget: &AliasBudget,
) -> Result<Vec<JsonDocument>, YamlError> {
    // Most manifests are within the subset the line reader reads, several times faster; it
    // leaves everything else, errors included, to the event parser.
    if let Some(docs) = super::yaml_block::parse(text, &keep_plain) {
        return Ok(docs);
    }
    parse_json_events_in(text, keep_plain, budget)
}

/// [`parse_json_documents_in`] by the event parser, for any YAML.
pub(crate) fn parse_json_events_in(
    text: &str,
    keep_plain: impl Fn(&str) -> bool,
    budget: &AliasBudget,
) -> Result<Vec<JsonDocument>, YamlError> {
    // A frame of the value being built. The last field counts the nodes below, for bounding
    // alias expansion. Pointers are built only for the rare plain strings kept.
    enum Frame {
        Seq(Vec<Value>, usize, usize),
        Map(Map<String, Value>, Option<String>, usize, usize),
    }
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: std::collections::HashMap<usize, (Value, usize)> =
        std::collections::HashMap::new();
    let mut alias_nodes = 0usize;
    let mut current: Option<Value> = None;
    let mut doc_span = Span::START;
    let mut plain = Vec::new();
    let mut last_span = Span::START;
    let child_pointer = |stack: &Vec<Frame>| -> String {
        let mut pointer = String::new();
        for frame in stack {
            match frame {
                Frame::Seq(items, _, _) => pointer.push_str(&format!("/{}", items.len())),
                Frame::Map(_, Some(k), _, _) => {
                    pointer.push('/');
                    pointer.push_str(&escape_pointer_token(k));
                }
                Frame::Map(_, None, _, _) => {}
            }
        }
        pointer
    };
    for event in events(text) {
        let (event, start) = event?;
        last_span = start;
        let starts_node = matches!(
            event,
            Event::Scalar(..)
                | Event::Alias(_)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
        );
        if starts_node && stack.is_empty() && current.is_none() {
            // A document is where its root node starts, as in the positioned tree.
            doc_span = start;
        }
        let finished: Option<(Value, usize, usize)> = match event {
            // Anchors are per document; the alias budget is per file (and per run), so that
            // thousands of small documents cannot each expand to the limit.
            Event::DocumentStart(..) => {
                anchors.clear();
                None
            }
            Event::DocumentEnd => {
                docs.push(JsonDocument {
                    span: doc_span,
                    value: current.take().unwrap_or(Value::Null),
                    plain_strings: std::mem::take(&mut plain),
                });
                None
            }
            Event::Scalar(value, style, anchor, tag) => {
                let is_str_tag = tag
                    .as_ref()
                    .is_some_and(|t| t.is_yaml_core_schema() && t.suffix() == "str");
                let is_key = matches!(stack.last(), Some(Frame::Map(_, None, _, _)));
                let v = if is_key && style == ScalarStyle::Plain && !is_str_tag && value == "<<" {
                    Value::String(MERGE_SENTINEL.into())
                } else if style == ScalarStyle::Plain && !is_str_tag {
                    let v = plain_value(&value);
                    if let Value::String(s) = &v {
                        if !is_key && keep_plain(s) {
                            plain.push((child_pointer(&stack), s.clone()));
                        }
                    }
                    v
                } else {
                    Value::String(value.into_owned())
                };
                Some((v, anchor, 1))
            }
            Event::Alias(id) => {
                let (target, size) = anchors.get(&id).ok_or_else(|| unknown_anchor(start))?;
                count_alias(&mut alias_nodes, *size, budget, start)?;
                Some((target.clone(), 0, *size))
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                check_depth(stack.len(), start)?;
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(Vec::new(), anchor, 1)
                } else {
                    Frame::Map(Map::new(), None, anchor, 1)
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(items, anchor, size)) => Some((Value::Array(items), anchor, size)),
                Some(Frame::Map(map, _, anchor, size)) => {
                    Some((Value::Object(merge_json_entries(map, start)?), anchor, size))
                }
                None => None,
            },
            _ => None,
        };
        let Some((value, anchor, size)) = finished else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, (value.clone(), size));
        }
        match stack.last_mut() {
            None => current = Some(value),
            Some(Frame::Seq(items, _, total)) => {
                *total = total.saturating_add(size);
                items.push(value);
            }
            Some(Frame::Map(map, pending, _, total)) => match pending.take() {
                None => {
                    let key = match &value {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        Value::Array(_) | Value::Object(_) => {
                            return Err(YamlError {
                                span: start,
                                message: "a mapping key must be a scalar".into(),
                            })
                        }
                        other => other.to_string(),
                    };
                    *pending = Some(key);
                }
                Some(key) => {
                    *total = total.saturating_add(size);
                    // One search per key: a duplicate shows when its value arrives (the
                    // positioned parser then words the error, at the key).
                    match map.entry(key) {
                        serde_json::map::Entry::Vacant(slot) => {
                            slot.insert(value);
                        }
                        serde_json::map::Entry::Occupied(slot) => {
                            return Err(YamlError {
                                span: start,
                                message: format!("duplicate key `{}`", slot.key()),
                            });
                        }
                    }
                }
            },
        }
    }
    if let Some(value) = current.take() {
        docs.push(JsonDocument {
            span: doc_span,
            value,
            plain_strings: plain,
        });
    }
    if !stack.is_empty() {
        return Err(unexpected_end(last_span));
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_resolve_as_go_yaml_v3_reads_them() {
        let int = |t: &str| match resolve_plain_go(t) {
            Kind::Int(i) => Some(i),
            _ => None,
        };
        // 1.1 octals stay octal (defaultMode: 0755), as in kustomize and kubectl.
        assert_eq!(int("0755"), Some(0o755));
        assert_eq!(int("-0644"), Some(-0o644));
        assert_eq!(int("0o17"), Some(15));
        assert_eq!(int("0x1F"), Some(31));
        assert_eq!(int("0X1f"), Some(31));
        assert_eq!(int("+0x10"), Some(16));
        assert_eq!(int("0b101"), Some(5));
        assert_eq!(int("1_000"), Some(1000));
        assert_eq!(int("0"), Some(0));
        assert_eq!(int("00"), Some(0));
        assert_eq!(int("+12"), Some(12));
        assert_eq!(int("-9223372036854775808"), Some(i64::MIN));
        // No octal, so a float to go-yaml, printed as the integer it is.
        assert_eq!(int("089"), Some(89));
        assert!(matches!(resolve_plain_go("1e3"), Kind::Float(f) if f == 1000.0));
        assert!(matches!(resolve_plain_go("-.5"), Kind::Float(f) if f == -0.5));
        assert!(matches!(resolve_plain_go("1_000.5"), Kind::Float(f) if f == 1000.5));
        assert_eq!(int("1_"), Some(1));
        for text in [
            "_1",
            "0x",
            "0b2",
            "12:30",
            "2001-12-14",
            "1.2.3",
            "0o8",
            "v1",
        ] {
            let kind = resolve_plain_go(text);
            assert!(matches!(kind, Kind::Str(_)), "{text}: {kind:?}");
        }
        // Manifests are read the go-yaml way, fluxprint's own inputs with the core schema.
        let text = "mode: 0755\nhex: 0X1F\nsize: 1_000\nbits: 0b11\n";
        let json = &parse_json_documents(text, |_| false).expect("parses")[0].value;
        assert_eq!(
            json,
            &serde_json::json!({"mode": 493, "hex": 31, "size": 1000, "bits": 3})
        );
        let core = one(text).to_json();
        assert_eq!(
            core,
            serde_json::json!({"mode": 755, "hex": "0X1F", "size": "1_000", "bits": "0b11"})
        );
    }

    #[test]
    fn merge_keys_are_resolved_by_both_parsers() {
        let text = "base: &b {image: app:1, pull: Always, name: base}\nc:\n  <<: *b\n  name: app\nd:\n  name: x\n  <<: [{pull: Never}, *b]\ne: {'<<': 1}\n";
        let fast = parse_json_documents(text, |_| false).expect("parses");
        let slow = parse_documents(text).expect("parses");
        let expected = serde_json::json!({
            "base": {"image": "app:1", "pull": "Always", "name": "base"},
            "c": {"name": "app", "image": "app:1", "pull": "Always"},
            "d": {"name": "x", "pull": "Never", "image": "app:1"},
            "e": {"<<": 1}
        });
        assert_eq!(fast[0].value, expected);
        assert_eq!(slow[0].to_json(), expected);
        // A merged field keeps its position: the anchor's line.
        assert_eq!(slow[0].span_for_pointer("/c/image").line, 1);
        assert!(parse_json_documents("a:\n  <<: 3\n", |_| false).is_err());
        assert!(parse_documents("a:\n  <<: 3\n").is_err());
    }

    #[test]
    fn json_documents_agree_with_the_positioned_tree() {
        let text = "a: yes\nb: [1, {c: 'on', d: off}]\ne: &x {f: 1}\ng: *x\n---\nh: ~\n";
        let fast = parse_json_documents(text, |s| s == "yes" || s == "off").expect("parses");
        let slow = parse_documents(text).expect("parses");
        assert_eq!(fast.len(), slow.len());
        for (f, s) in fast.iter().zip(&slow) {
            assert_eq!(f.value, s.to_json());
            assert_eq!(f.span, s.span);
        }
        assert_eq!(
            fast[0].plain_strings,
            vec![
                ("/a".to_owned(), "yes".to_owned()),
                ("/b/1/d".to_owned(), "off".to_owned())
            ]
        );
        assert!(parse_json_documents("a: 1\na: 2\n", |_| false).is_err());
    }

    fn one(text: &str) -> Node {
        let mut docs = parse_documents(text).expect("test input parses");
        assert_eq!(docs.len(), 1);
        docs.remove(0)
    }

    #[test]
    fn core_schema_scalars() {
        let n = one("a: yes\nb: on\nc: true\nd: 0755\ne: 1.0\nf: '1.0'\ng: ~\nh: 0x1F\ni: 2024-01-01\nj: !!str 12\n");
        let j = n.to_json();
        assert_eq!(j["a"], "yes");
        assert_eq!(j["b"], "on");
        assert_eq!(j["c"], true);
        assert_eq!(j["d"], 755);
        assert_eq!(j["e"], 1.0);
        assert_eq!(j["f"], "1.0");
        assert_eq!(j["g"], Value::Null);
        assert_eq!(j["h"], 31);
        assert_eq!(j["i"], "2024-01-01");
        assert_eq!(j["j"], "12");
        assert!(n.get("a").is_some_and(|a| a.plain));
        assert!(n.get("f").is_some_and(|f| !f.plain));
    }

    #[test]
    fn positions_are_one_based() {
        let n = one("name: x\nports:\n  - name: http\n    port: 8080\n");
        assert_eq!(n.get("name").map(|v| v.span), Some(Span::new(1, 7)));
        assert_eq!(
            n.pointer("/ports/0/port").map(|v| v.span),
            Some(Span::new(4, 11))
        );
        // A missing key points at its parent; a nested container at its key.
        assert_eq!(n.span_for_pointer("/ports/0/nope"), Span::new(3, 5));
        assert_eq!(n.span_for_pointer("/ports"), Span::new(2, 1));
        assert_eq!(n.span_for_pointer("/ports/0/port"), Span::new(4, 11));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse_documents("a: 1\nb: 2\na: 3\n").expect_err("duplicate");
        assert_eq!(err.span, Span::new(3, 1));
        assert!(err.message.contains("duplicate key `a`"), "{}", err.message);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for name in ['b', 'c', 'd', 'e', 'f', 'g'] {
            text.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
            prev = name;
        }
        let err = parse_documents(&text).expect_err("bomb");
        assert!(err.message.contains("alias"), "{}", err.message);
        let err = parse_json_documents(&text, |_| false).expect_err("bomb");
        assert!(err.message.contains("alias"), "{}", err.message);
    }

    #[test]
    fn the_alias_budget_is_per_file_and_per_run() {
        // Each document alone stays far below the limit; together they exceed it.
        let doc = "---\na: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n";
        let text = doc.repeat(MAX_ALIAS_NODES / 100 + 10);
        let err = parse_documents(&text).expect_err("file budget");
        assert!(err.message.contains("in this file"), "{}", err.message);
        let err = parse_json_documents(&text, |_| false).expect_err("file budget");
        assert!(err.message.contains("in this file"), "{}", err.message);
        // The run's budget is shared by the files of a run.
        let budget = AliasBudget::new(250);
        let small = doc.repeat(2);
        parse_documents_in(&small, &budget).expect("first file fits");
        let err = parse_json_documents_in(&small, |_| false, &budget).expect_err("run budget");
        assert!(err.message.contains("in total"), "{}", err.message);
    }

    #[test]
    fn duplicates_are_found_among_many_keys() {
        let mut text: String = (0..5000).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k17: again\n");
        let err = parse_documents(&text).expect_err("duplicate");
        assert!(
            err.message.contains("`k17` (first defined at line 18)"),
            "{}",
            err.message
        );
        assert_eq!(err.span.line, 5001);
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let text = "[".repeat(100_000);
        let err = parse_documents(&text).expect_err("too deep");
        assert!(
            err.message.contains("nesting") || err.message.contains("invalid"),
            "{}",
            err.message
        );
    }

    #[test]
    fn multiple_documents_and_empty_stream() {
        assert!(parse_documents("").expect("empty").is_empty());
        let docs = parse_documents("a: 1\n---\nb: 2\n").expect("two docs");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].span, Span::new(3, 1));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = parse_documents("a: [1, 2\nb: 3\n").expect_err("unclosed");
        assert!(err.span.line >= 1);
        assert!(err.message.starts_with("invalid YAML"));
    }
}
