//! A manifest tree as the validator sees it: every YAML document of every file, parsed with
//! positions, classified (Kubernetes object, kustomize configuration, kustomize patch), and
//! indexed by kind, namespace and name.
//!
//! Parsing runs on all cores; a file that does not parse is a finding, not a failure.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, Weak};

use serde_json::Value;

use crate::kustomize::Documents;

use crate::source::yaml::{
    parse_documents, parse_json_documents_in, AliasBudget, JsonDocument, Node, YamlError,
};
use crate::source::{SourceFile, SourceMap, Span};

/// An unquoted scalar that YAML 1.1 reads as something else: pointer, text, meaning.
pub type Lookalike = (String, String, &'static str);

/// One Kubernetes object of the tree. Positions are not kept per object (that would double
/// the memory of a large tree); [`Tree::span`] re-reads them from the file when a finding
/// needs one.
#[derive(Clone, Debug)]
pub struct Object {
    /// Index of its file in [`Tree::files`].
    pub file: usize,
    /// Index of the document in its file.
    pub doc: usize,
    /// The document as JSON (shared with the tree's documents and the builds).
    pub value: Arc<Value>,
    /// Plain scalars that YAML 1.1 readers take for booleans or numbers.
    pub lookalikes: Vec<Lookalike>,
    /// Pointer of the object inside its document (`""`; a generator entry for generated
    /// objects, whose document is the kustomization).
    pub base: String,
    /// Fields a build set or changed: pointer prefix → where that value is written.
    pub fields: Vec<(String, crate::kustomize::Origin)>,
    /// The build that applies it ([`Tree::applied`]'s units), when the tree was built.
    pub unit: Option<usize>,
    /// Its identity, read from `value` on first use (rules ask for it many times over).
    ident: OnceLock<Ident>,
}

/// `apiVersion`, `kind`, `metadata.name` and `metadata.namespace` of an object, with the
/// value they were read from. The weak reference keeps that value's allocation from being
/// reused and makes `Arc::get_mut`/`make_mut` move a changed value elsewhere, so an object
/// whose value is not the one read always reads its own again.
#[derive(Clone, Debug)]
struct Ident {
    of: Weak<Value>,
    api_version: String,
    kind: String,
    name: String,
    namespace: Option<String>,
}

/// `value[key]`, when a string.
fn top<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    crate::source::get(value, key)?.as_str()
}

/// `value.metadata[key]`, when a string.
fn meta<'v>(value: &'v Value, key: &str) -> Option<&'v str> {
    crate::source::get(crate::source::get(value, "metadata")?, key)?.as_str()
}

impl Ident {
    fn of(value: &Arc<Value>) -> Ident {
        Ident {
            of: Arc::downgrade(value),
            api_version: top(value, "apiVersion").unwrap_or("").to_owned(),
            kind: top(value, "kind").unwrap_or("").to_owned(),
            name: meta(value, "name").unwrap_or("").to_owned(),
            namespace: meta(value, "namespace").map(str::to_owned),
        }
    }
}

pub use crate::source::Lookup;

impl Object {
    /// Its identity, when read from its current value (read on first use).
    fn ident(&self) -> Option<&Ident> {
        let ident = self.ident.get_or_init(|| Ident::of(&self.value));
        std::ptr::eq(ident.of.as_ptr(), Arc::as_ptr(&self.value)).then_some(ident)
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        self.ident().map_or_else(
            || top(&self.value, "apiVersion").unwrap_or(""),
            |i| &i.api_version,
        )
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        self.ident()
            .map_or_else(|| top(&self.value, "kind").unwrap_or(""), |i| &i.kind)
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.ident()
            .map_or_else(|| meta(&self.value, "name").unwrap_or(""), |i| &i.name)
    }

    /// `metadata.namespace`, if set.
    pub fn namespace(&self) -> Option<&str> {
        self.ident().map_or_else(
            || meta(&self.value, "namespace"),
            |i| i.namespace.as_deref(),
        )
    }

    /// The API group (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version().rsplit_once('/').map_or("", |(g, _)| g)
    }

    /// A value by JSON pointer.
    pub fn at(&self, pointer: &str) -> Option<&Value> {
        self.value.lookup(pointer)
    }

    /// The items of the list at `pointer`: none when it is absent or not a list.
    pub fn items(&self, pointer: &str) -> std::slice::Iter<'_, Value> {
        self.at(pointer)
            .and_then(Value::as_array)
            .map_or([].iter(), |items| items.iter())
    }

    /// `kind namespace/name`, for messages; `kind name` when the namespace is unset or
    /// empty (cluster-scoped, or left to kustomize, Flux or the API server).
    pub fn id(&self) -> String {
        match self.namespace().filter(|ns| !ns.is_empty()) {
            Some(ns) => format!("{} {ns}/{}", self.kind(), self.name()),
            None => format!("{} {}", self.kind(), self.name()),
        }
    }
}

/// A kustomize configuration (`kustomization.yaml`). Like objects, it keeps no positions:
/// [`Tree::span_in`] finds them when a finding needs one.
#[derive(Clone, Debug)]
pub struct Kustomize {
    /// Index of its file in [`Tree::files`].
    pub file: usize,
    /// Index of the document in its file.
    pub doc: usize,
    /// The document as JSON (shared with the tree's documents and the builds).
    pub value: Arc<Value>,
}

/// A file of the tree.
#[derive(Clone, Debug)]
pub struct TreeFile {
    /// Path as shown (relative to the validated root, `/`-separated).
    pub display: String,
    /// Path on disk.
    pub path: PathBuf,
    /// Path relative to the repository root it was found under (the validated path),
    /// `/`-separated; kustomize entries are judged against it ([`escapes`]).
    pub in_root: String,
}

/// A parsed tree.
#[derive(Debug, Default)]
pub struct Tree {
    /// The roots given.
    pub roots: Vec<PathBuf>,
    /// Every YAML file, sorted.
    pub files: Vec<TreeFile>,
    /// Kubernetes objects in file order.
    pub objects: Vec<Object>,
    /// kustomize configurations.
    pub kustomizations: Vec<Kustomize>,
    /// Documents of files used as kustomize patches (partial objects, not validated as such).
    pub patches: Vec<Object>,
    /// Documents that are neither objects nor kustomize files, with why.
    pub invalid: Vec<(usize, Span, String)>,
    /// Files that did not parse.
    pub parse_errors: Vec<(usize, YamlError)>,
    /// File texts, for quoting.
    pub sources: SourceMap,
    /// Directories (relative to their root, `/`-separated, no leading `./`) that exist.
    pub dirs: BTreeSet<String>,
    /// Documents re-parsed for positions, by file.
    positions: std::sync::Mutex<BTreeMap<usize, Vec<Node>>>,
    /// Every document of every file that parsed, as JSON (`null` for empty documents).
    docs: Vec<Option<Documents>>,
    /// File index by repository-relative path.
    by_path: HashMap<String, usize>,
    /// What Flux (or kustomize) applies, when the tree has entry points; the units'
    /// resources are moved into [`Tree::objects`].
    pub applied: crate::flux::Applied,
    /// Objects of files no build reads, when the tree was built: not applied, so not
    /// judged — except for what is wrong with their being in git at all (GO501).
    pub unapplied: Vec<Object>,
    /// Strict-substitution failures of the builds: `(object, unit, what)`.
    pub undefined: Vec<(usize, usize, crate::flux::Undefined)>,
    /// [`Tree::objects`] by kind, in order: most rules look at a few kinds of a large tree.
    kinds: HashMap<String, Vec<usize>>,
}

/// A shared `null`: the value of an object whose value is not given (yet).
fn null() -> Arc<Value> {
    static NULL: std::sync::OnceLock<Arc<Value>> = std::sync::OnceLock::new();
    NULL.get_or_init(|| Arc::new(Value::Null)).clone()
}

/// True for kustomize's own configuration files.
pub fn is_kustomization_file(name: &str) -> bool {
    matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

/// Every `.yaml`/`.yml` file below `root` (or `root` itself), skipping hidden directories,
/// sorted; the directories seen (relative to `root`) go into `dirs`. One walk for both.
///
/// Anything named like YAML that is not a directory is listed — symlinks, FIFOs, devices
/// too — so that reading it either succeeds or stops the run naming it; skipping it would
/// hide part of the tree. Directory links are not followed (a link to a parent never ends).
pub(crate) fn yaml_files(
    root: &Path,
    dirs: &mut BTreeSet<String>,
) -> Result<Vec<PathBuf>, crate::Error> {
    if !root.is_dir() {
        return Ok(vec![root.to_owned()]);
    }
    let mut out = Vec::new();
    // Level by level, each level's directories listed on all cores (a rendered tree holds
    // a directory per service); files and directories come out in input order.
    let mut level = vec![root.to_owned()];
    while !level.is_empty() {
        let mut next = Vec::new();
        for listed in crate::par::map(&level, |d| list_dir(root, d)) {
            let (files, subdirs) = listed?;
            out.extend(files);
            for (path, display) in subdirs {
                dirs.insert(display);
                next.push(path);
            }
        }
        level = next;
    }
    sort_paths(&mut out);
    Ok(out)
}

/// A directory's YAML files and its subdirectories (with their paths relative to `root`).
type Listing = (Vec<PathBuf>, Vec<(PathBuf, String)>);

fn list_dir(root: &Path, d: &Path) -> Result<Listing, crate::Error> {
    let list = |source| crate::Error::Io {
        action: "list",
        path: d.to_owned(),
        source,
    };
    let (mut files, mut subdirs) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(d).map_err(list)? {
        let entry = entry.map_err(list)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry.file_type().map_err(list)?;
        if kind.is_dir() {
            if !name.starts_with('.') {
                let path = entry.path();
                let display = crate::source::display_path(root, &path);
                subdirs.push((path, display));
            }
        } else if (name.ends_with(".yaml") || name.ends_with(".yml")) && !name.starts_with('.') {
            // Hidden files are tool configuration (`.sops.yaml`, `.gitlab-ci.yml`,
            // `.yamllint.yaml`, `.pre-commit-config.yaml`), never manifests.
            files.push(entry.path());
        }
    }
    Ok((files, subdirs))
}

/// Sorts paths found below one root in `Path` order (component by component), without
/// comparing components: with `/` read as the lowest byte, which no name holds, the bytes
/// order the same, several times faster.
fn sort_paths(paths: &mut [PathBuf]) {
    paths.sort_by_cached_key(|p| {
        p.as_os_str()
            .as_encoded_bytes()
            .iter()
            .map(|&b| if b == b'/' { 0 } else { b })
            .collect::<Vec<u8>>()
    });
}

/// A parsed file: its documents, straight to JSON (positions are found again, once per file,
/// for the few files with findings).
enum Parsed {
    /// Parsed from the text.
    Text(Vec<JsonDocument>),
    /// The documents a known file was written from, shared with the caller, never copied.
    Known(Span, Documents),
}

fn is_lookalike(s: &str) -> bool {
    crate::source::yaml11::yaml11_meaning(s).is_some()
}

/// Files whose content is already in memory, by the path the tree walk finds them at: their
/// text and, where the caller has them, the values of their documents (what `render` wrote
/// them from; one document a file), so that loading neither reads nor parses them again. The
/// values must be what parsing the text gives ([`known_document`]); render's output is tested
/// to be.
#[derive(Debug, Default)]
pub struct Known<'a> {
    files: HashMap<PathBuf, KnownFile<'a>>,
}

/// A known file's text and, when known, the values of its documents.
pub type KnownFile<'a> = (&'a str, Option<&'a Documents>);

/// Per document of a parsed file: where it starts, and its plain strings.
type DocMeta = (Span, Vec<(String, String)>);

/// What a document of a file is to the tree.
enum Doc {
    /// An empty document.
    Null,
    /// A kustomization file's document.
    Kustomization,
    /// A partial object named as a patch by a kustomization, with its lookalikes.
    Patch(Vec<Lookalike>),
    /// An object, with its lookalikes.
    Object(Vec<Lookalike>),
    /// Not a Kubernetes object: where it starts, and why.
    Invalid(Span, String),
}

/// A parsed file's documents, shared, and what each is.
fn sort_documents(parsed: Parsed, kustomization: bool, is_patch: bool) -> (Documents, Vec<Doc>) {
    // The documents' values, and per document its start and plain strings.
    let (values, meta): (Documents, Vec<DocMeta>) = match parsed {
        Parsed::Text(docs) => {
            let mut values = Vec::with_capacity(docs.len());
            let mut meta = Vec::with_capacity(docs.len());
            for d in docs {
                values.push(Arc::new(d.value));
                meta.push((d.span, d.plain_strings));
            }
            (Arc::new(values), meta)
        }
        Parsed::Known(span, docs) => {
            let meta = docs.iter().map(|_| (span, Vec::new())).collect();
            (docs, meta)
        }
    };
    let sorted = values
        .iter()
        .zip(meta)
        .map(|(value, (span, plain_strings))| {
            if value.is_null() {
                return Doc::Null;
            }
            if kustomization {
                return Doc::Kustomization;
            }
            let lookalikes: Vec<Lookalike> = plain_strings
                .into_iter()
                .filter_map(|(pointer, text)| {
                    let meaning = crate::source::yaml11::yaml11_meaning(&text)?;
                    Some((pointer, text, meaning))
                })
                .collect();
            if is_patch {
                return Doc::Patch(lookalikes);
            }
            match classify(value) {
                Ok(()) => Doc::Object(lookalikes),
                Err(why) => Doc::Invalid(span, why),
            }
        })
        .collect();
    (values, sorted)
}

impl<'a> Known<'a> {
    /// Room for `files` files (a large tree's map grows once, not once per doubling).
    pub fn with_capacity(files: usize) -> Known<'a> {
        Known {
            files: HashMap::with_capacity(files),
        }
    }

    /// Adds the file at `path` with `text` and, when known, the values of its documents.
    pub fn insert(&mut self, path: PathBuf, text: &'a str, docs: Option<&'a Documents>) {
        self.files.insert(path, (text, docs));
    }

    /// The text and documents of the file at `path`, when known.
    pub fn get(&self, path: &Path) -> Option<KnownFile<'a>> {
        self.files.get(path).copied()
    }
}

/// The document of `text`, a file written from `value` alone (one document, after comment
/// lines) by a writer that quotes every string YAML 1.1 would read as something else: what
/// the JSON parser gives for it, without parsing. The span is where the root node starts.
pub fn known_document(text: &str, value: &Value) -> JsonDocument {
    JsonDocument {
        span: known_span(text),
        value: value.clone(),
        plain_strings: Vec::new(),
    }
}

/// Where the root node of the one document of `text` starts: its first line that is neither
/// blank nor a comment.
fn known_span(text: &str) -> Span {
    for (n, line) in (1u32..).zip(text.lines()) {
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = u32::try_from(line.len() - body.len()).unwrap_or(0);
        return Span::new(n, indent + 1);
    }
    Span::START
}

/// What became of one file: read and parsed (or not parsed: a finding), or not read (the
/// run stops).
type FileResult = Result<(String, Result<Parsed, YamlError>), crate::files::ReadError>;

/// Reads and parses files on all cores, keeping the input order. Every read is bounded and
/// refuses special files, so a hostile tree cannot block or exhaust the run.
fn parse_all(files: &[(String, PathBuf, String)], known: &Known<'_>) -> Vec<FileResult> {
    // One alias budget for the whole run, besides each file's own.
    let budget = AliasBudget::default();
    crate::par::map(files, |(_, path, _)| {
        if let Some((text, value)) = known.get(path) {
            let parsed = match value {
                // One document only: the span below is the first document's.
                Some(docs) if docs.len() == 1 => Ok(Parsed::Known(known_span(text), docs.clone())),
                _ => parse_text(text, &budget),
            };
            return Ok((text.to_owned(), parsed));
        }
        let bytes = crate::files::read_regular(path, crate::files::MAX_INPUT_BYTES)?;
        let Ok(text) = String::from_utf8(bytes) else {
            return Ok((
                String::new(),
                Err(YamlError {
                    span: Span::START,
                    message: "file is not UTF-8 text".into(),
                }),
            ));
        };
        let parsed = parse_text(&text, &budget);
        Ok((text, parsed))
    })
}

/// Parses a file's text straight to JSON, plain scalars read as Go's YAML reads them (as
/// kustomize and Flux do, kustomization files included).
fn parse_text(text: &str, budget: &AliasBudget) -> Result<Parsed, YamlError> {
    // On an error, the positioned parser words it (with the line of a duplicated key's
    // first definition).
    parse_json_documents_in(text, is_lookalike, budget)
        .map(Parsed::Text)
        .map_err(|e| parse_documents(text).err().unwrap_or(e))
}

impl Tree {
    /// Where `pointer` is in `object`'s file (the file is parsed again, once, on the first
    /// finding in it).
    pub fn span(&self, object: &Object, pointer: &str) -> Span {
        self.span_in(object.file, object.doc, pointer)
    }

    /// Where `pointer` is in document `doc` of file `file` (parsed again, once, on the first
    /// finding in it).
    pub fn span_in(&self, file: usize, doc: usize, pointer: &str) -> Span {
        let Ok(mut cache) = self.positions.lock() else {
            return Span::START;
        };
        let docs = cache.entry(file).or_insert_with(|| {
            self.sources
                .get(&self.files[file].display)
                .and_then(|f| parse_documents(&f.text).ok())
                .unwrap_or_default()
        });
        docs.get(doc)
            .map_or(Span::START, |n| n.span_for_pointer(pointer))
    }

    /// The positioned documents of file `index`, whose text is `text` (from the cache of
    /// [`Tree::span`] when a finding already needed them); `None` when it does not parse.
    pub fn positioned(&self, index: usize, text: &str) -> Option<Vec<Node>> {
        if let Some(docs) = self
            .positions
            .lock()
            .ok()
            .and_then(|cache| cache.get(&index).filter(|d| !d.is_empty()).cloned())
        {
            return Some(docs);
        }
        parse_documents(text).ok()
    }

    /// Reads every YAML file below `roots`. A file that cannot be read stops the load; one
    /// that does not parse is kept as a finding.
    pub fn load(roots: &[PathBuf]) -> Result<Tree, crate::Error> {
        Tree::load_known(roots, &Known::default())
    }

    /// [`Tree::load`], taking the files of `known` from memory instead of the disk.
    pub fn load_known(roots: &[PathBuf], known: &Known<'_>) -> Result<Tree, crate::Error> {
        Tree::load_staged(roots, known, |_| {})
    }

    /// [`Tree::load_known`], giving `read` the objects as written as soon as they are read,
    /// before the builds: work that needs only them can run beside the builds.
    pub fn load_staged(
        roots: &[PathBuf],
        known: &Known<'_>,
        read: impl FnOnce(Vec<Arc<Value>>),
    ) -> Result<Tree, crate::Error> {
        let mut tree = Tree {
            roots: roots.to_vec(),
            ..Tree::default()
        };
        let mut listed = Vec::new();
        for root in roots {
            let base = if !root.is_dir() {
                root.parent().unwrap_or(Path::new("."))
            } else {
                root.as_path()
            };
            let single = roots.len() == 1;
            let found = yaml_files(root, &mut tree.dirs)?;
            listed.extend(crate::par::map_owned(found, |path| {
                let in_root = crate::source::display_path(base, &path);
                let display = if single {
                    in_root.clone()
                } else {
                    crate::source::display_path(Path::new(""), &path)
                };
                (display, path, in_root)
            }));
        }
        let mut parsed = Vec::with_capacity(listed.len());
        for ((_, path, _), result) in listed.iter().zip(parse_all(&listed, known)) {
            parsed.push(result.map_err(|source| crate::Error::Read {
                path: path.clone(),
                source,
            })?);
        }
        // Files named as patches by a kustomization are partial objects.
        let mut patch_files = BTreeSet::new();
        for ((display, path, in_root), (_, docs)) in listed.iter().zip(&parsed) {
            if !path
                .file_name()
                .is_some_and(|n| is_kustomization_file(&n.to_string_lossy()))
            {
                continue;
            }
            let values: Vec<&Value> = match docs {
                Ok(Parsed::Text(docs)) => docs.iter().map(|d| &d.value).collect(),
                Ok(Parsed::Known(_, docs)) => docs.iter().map(|d| &**d).collect(),
                Err(_) => Vec::new(),
            };
            let dir = display.rsplit_once('/').map_or("", |(d, _)| d);
            let dir_in_root = in_root.rsplit_once('/').map_or("", |(d, _)| d);
            for value in values {
                // A path leaving the repository (GO312) names no file of the tree; kept,
                // `..` beyond the root would collapse onto an unrelated file and exempt it.
                for target in patch_paths(value) {
                    if !escapes(dir_in_root, &target) {
                        patch_files.insert(normalize(dir, &target));
                    }
                }
            }
        }
        // Each file's documents are sorted out on all cores, then gathered in file order.
        let files: Vec<_> = listed.into_iter().zip(parsed).collect();
        let patch_files = &patch_files;
        let sorted = crate::par::map_owned(files, |((display, path, in_root), (text, docs))| {
            let is_patch = patch_files.contains(&display);
            let kustomization = path
                .file_name()
                .is_some_and(|n| is_kustomization_file(&n.to_string_lossy()));
            let docs = docs.map(|docs| sort_documents(docs, kustomization, is_patch));
            (display, path, in_root, text, docs)
        });
        // The objects as written, without their values (they stay in `docs`, shared with the
        // builds): only those that no build replaces are given theirs, once it is known which.
        let mut written: Vec<Object> = Vec::new();
        let mut written_values = Vec::new();
        let mut sources = Vec::with_capacity(sorted.len());
        for (index, (display, path, in_root, text, docs)) in sorted.into_iter().enumerate() {
            sources.push((
                display.clone(),
                SourceFile::new(display.clone(), path.clone(), text),
            ));
            tree.by_path.insert(in_root.clone(), index);
            tree.files.push(TreeFile {
                display,
                path,
                in_root,
            });
            let (values, docs) = match docs {
                Ok(d) => d,
                Err(e) => {
                    tree.docs.push(None);
                    tree.parse_errors.push((index, e));
                    continue;
                }
            };
            for (doc, sorted) in docs.into_iter().enumerate() {
                let object = |lookalikes| Object {
                    file: index,
                    doc,
                    value: null(),
                    lookalikes,
                    base: String::new(),
                    fields: Vec::new(),
                    unit: None,
                    ident: OnceLock::new(),
                };
                match sorted {
                    Doc::Null => {}
                    Doc::Kustomization => tree.kustomizations.push(Kustomize {
                        file: index,
                        doc,
                        value: values[doc].clone(),
                    }),
                    Doc::Patch(lookalikes) => tree.patches.push(Object {
                        value: values[doc].clone(),
                        ..object(lookalikes)
                    }),
                    Doc::Object(lookalikes) => {
                        written_values.push(Arc::clone(&values[doc]));
                        written.push(object(lookalikes));
                    }
                    Doc::Invalid(span, why) => tree.invalid.push((index, span, why)),
                }
            }
            tree.docs.push(Some(values));
        }
        tree.sources = sources.into_iter().collect();
        read(written_values);
        if !(roots.len() == 1 && roots[0].is_dir() && tree.apply_builds(&mut written)) {
            tree.objects = written;
        }
        // The objects that stay as written get their values; the built ones have theirs.
        for o in tree.objects.iter_mut().chain(&mut tree.unapplied) {
            if o.unit.is_none() {
                if let Some(v) = tree.docs[o.file].as_ref().and_then(|d| d.get(o.doc)) {
                    o.value = v.clone();
                }
            }
        }
        // Every object's identity is read on all cores (every rule asks for it).
        crate::par::map(&tree.objects, |o| o.kind().len());
        for (i, o) in tree.objects.iter().enumerate() {
            tree.kinds.entry(o.kind().to_owned()).or_default().push(i);
        }
        Ok(tree)
    }

    /// Replaces the file model by what the builds apply, when the tree has Flux entry
    /// points or kustomize directories: objects are the built ones, and documents that are
    /// not Kubernetes objects count only in files a build applies. False (and `written`
    /// untouched) when nothing is built.
    fn apply_builds(&mut self, written: &mut Vec<Object>) -> bool {
        let files: Vec<String> = self.files.iter().map(|f| f.in_root.clone()).collect();
        let mut applied = crate::flux::build(&*self, &files);
        if applied.units.is_empty() {
            return false;
        }
        let mut lookalikes: HashMap<(usize, usize), Vec<Lookalike>> = HashMap::new();
        let mut loose = Vec::new();
        for o in std::mem::take(written) {
            let covered = applied.covered.contains(&self.files[o.file].in_root);
            if !applied.flux && !covered {
                loose.push(o);
            } else if !covered {
                self.unapplied.push(o);
            } else if !o.lookalikes.is_empty() {
                lookalikes.insert((o.file, o.doc), o.lookalikes);
            }
        }
        let mut applied_files = HashSet::new();
        for (u, unit) in applied.units.iter_mut().enumerate() {
            let mut undefined: BTreeMap<usize, Vec<crate::flux::Undefined>> = BTreeMap::new();
            for (r, what) in std::mem::take(&mut unit.undefined) {
                undefined.entry(r).or_default().push(what);
            }
            for (r, resource) in std::mem::take(&mut unit.resources).into_iter().enumerate() {
                let Some(&file) = self.by_path.get(&resource.origin.file) else {
                    continue;
                };
                for what in undefined.remove(&r).unwrap_or_default() {
                    self.undefined.push((self.objects.len(), u, what));
                }
                let r = resource;
                applied_files.insert(file);
                let lookalikes = if r.origin.pointer.is_empty() {
                    lookalikes
                        .get(&(file, r.origin.doc))
                        .cloned()
                        .unwrap_or_default()
                } else {
                    Vec::new()
                };
                self.objects.push(Object {
                    file,
                    doc: r.origin.doc,
                    value: r.value,
                    lookalikes,
                    base: r.origin.pointer,
                    fields: r.fields,
                    unit: Some(u),
                    ident: OnceLock::new(),
                });
            }
        }
        self.objects.extend(loose);
        let flux = applied.flux;
        let covered = &applied.covered;
        let files = &self.files;
        self.invalid.retain(|(file, _, _)| {
            applied_files.contains(file) || (!flux && !covered.contains(&files[*file].in_root))
        });
        self.applied = applied;
        true
    }

    /// The file and position of `origin`, when it is in the tree.
    pub fn origin_span(&self, origin: &crate::kustomize::Origin) -> Option<(usize, Span)> {
        let &file = self.by_path.get(&origin.file)?;
        let at = Object {
            file,
            doc: origin.doc,
            value: null(),
            lookalikes: Vec::new(),
            base: String::new(),
            fields: Vec::new(),
            unit: None,
            ident: OnceLock::new(),
        };
        Some((file, self.span(&at, &origin.pointer)))
    }

    /// The object as written in its file (before any build changed it).
    pub fn written(&self, object: &Object) -> Option<&Value> {
        self.docs
            .get(object.file)?
            .as_ref()?
            .get(object.doc)?
            .pointer(&object.base)
    }

    /// The file and position of the value at `pointer` in `object`: where a person edits
    /// it (the resource line, or the patch, generator or Flux setting that set it).
    pub fn locate(&self, object: &Object, pointer: &str) -> (usize, Span) {
        if object.fields.is_empty() && object.base.is_empty() {
            return (object.file, self.span(object, pointer));
        }
        let origin = crate::kustomize::Resource {
            value: null(),
            origin: crate::kustomize::Origin::new(
                self.files[object.file].in_root.clone(),
                object.doc,
                object.base.clone(),
            ),
            fields: object.fields.clone(),
        }
        .origin_of(pointer);
        self.origin_span(&origin)
            .unwrap_or_else(|| (object.file, self.span(object, pointer)))
    }

    /// The file of an object.
    pub fn file(&self, index: usize) -> &TreeFile {
        &self.files[index]
    }

    /// Objects by `(kind, namespace, name)`; a missing namespace is `""`.
    pub fn index(&self) -> BTreeMap<(String, String, String), Vec<usize>> {
        let mut out: BTreeMap<(String, String, String), Vec<usize>> = BTreeMap::new();
        for (i, o) in self.objects.iter().enumerate() {
            out.entry((
                o.kind().to_owned(),
                o.namespace().unwrap_or("").to_owned(),
                o.name().to_owned(),
            ))
            .or_default()
            .push(i);
        }
        out
    }

    /// Objects of one kind, in order.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (usize, &'a Object)> + 'a {
        // The index is built when the tree is loaded; should `objects` have changed since
        // (it is public), every object is looked at instead.
        let indexed = self.kinds.values().map(Vec::len).sum::<usize>() == self.objects.len();
        let (listed, scanned) = if indexed {
            let listed = self.kinds.get(kind).map_or(&[][..], Vec::as_slice);
            (Some(listed.iter().map(|&i| (i, &self.objects[i]))), None)
        } else {
            let all = self.objects.iter().enumerate();
            (None, Some(all.filter(move |(_, o)| o.kind() == kind)))
        };
        listed
            .into_iter()
            .flatten()
            .chain(scanned.into_iter().flatten())
    }
}

impl crate::kustomize::Source for Tree {
    fn documents(&self, path: &str) -> Option<Result<Documents, String>> {
        let &index = self.by_path.get(path)?;
        Some(match &self.docs[index] {
            Some(docs) => Ok(docs.clone()),
            None => Err("the file does not parse (see its GO001 finding)".into()),
        })
    }

    fn text(&self, path: &str) -> Option<Result<Arc<str>, String>> {
        if let Some(f) = self
            .by_path
            .get(path)
            .and_then(|&i| self.sources.get(&self.files[i].display))
        {
            return Some(Ok(Arc::from(f.text.as_str())));
        }
        crate::kustomize::disk::file_text(&self.roots.first()?.join(path))
    }

    fn bytes(&self, path: &str) -> Option<Result<Arc<[u8]>, String>> {
        if let Some(f) = self
            .by_path
            .get(path)
            .and_then(|&i| self.sources.get(&self.files[i].display))
        {
            return Some(Ok(Arc::from(f.text.as_bytes())));
        }
        crate::kustomize::disk::file_bytes(&self.roots.first()?.join(path))
    }

    fn is_dir(&self, path: &str) -> bool {
        path.is_empty() || self.dirs.contains(path)
    }

    fn entries(&self, dir: &str) -> Vec<(String, bool)> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let child = |p: &str| -> Option<String> {
            let rest = p.strip_prefix(&prefix)?;
            (!rest.is_empty() && !rest.contains('/')).then(|| rest.to_owned())
        };
        let mut out: Vec<(String, bool)> = self
            .dirs
            .iter()
            .filter_map(|d| child(d).map(|n| (n, true)))
            .chain(
                self.files
                    .iter()
                    .filter_map(|f| child(&f.in_root).map(|n| (n, false))),
            )
            .collect();
        out.sort();
        out
    }
}

/// Paths a kustomization names as patches.
fn patch_paths(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["patches", "patchesJson6902"] {
        for p in v.get(key).and_then(Value::as_array).into_iter().flatten() {
            if let Some(path) = p.get("path").and_then(Value::as_str) {
                out.push(path.to_owned());
            }
        }
    }
    for p in v
        .get("patchesStrategicMerge")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(path) = p.as_str() {
            out.push(path.to_owned());
        }
    }
    out
}

/// `dir` joined with a relative `path`, `.` and `..` resolved, `/`-separated.
pub fn normalize(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// True when `path`, named by a file in directory `dir` (relative to the repository root,
/// `/`-separated), leads outside the repository: it is absolute (also as a `file://` URL), or
/// its `..` steps climb above the root. Decided on the strings alone: the target is never
/// looked at, so a hostile entry cannot make the validator touch what it names.
pub fn escapes(dir: &str, path: &str) -> bool {
    let path = path.strip_prefix("file://").unwrap_or(path);
    if path.starts_with('/') {
        return true;
    }
    let mut depth: usize = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .count();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return true,
            },
            _ => depth += 1,
        }
    }
    false
}

/// Why a document is not a Kubernetes object, if it is not.
fn classify(v: &Value) -> Result<(), String> {
    let Value::Object(map) = v else {
        return Err("a document must be a mapping (a Kubernetes object)".into());
    };
    for key in ["apiVersion", "kind"] {
        match map.get(key) {
            Some(Value::String(s)) if !s.is_empty() => {}
            Some(_) => return Err(format!("`{key}` must be a non-empty string")),
            None => return Err(format!("missing `{key}`")),
        }
    }
    let is_list = map
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"));
    if !is_list
        && v.lookup("/metadata/name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        && v.lookup("/metadata/generateName").is_none()
    {
        return Err("missing `metadata.name`".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_sort_in_path_order() {
        let names = [
            "r/a/b.yaml",
            "r/a-b.yaml",
            "r/a.yaml",
            "r/a/b/c.yaml",
            "r/a b/x.yaml",
            "r/A.yaml",
            "r/a0/x.yaml",
            "r/é.yaml",
            "r/a/.b.yaml",
            "r/ab.yaml",
            "r/a/a.yaml",
        ];
        let mut ours: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        let mut std = ours.clone();
        sort_paths(&mut ours);
        std.sort();
        assert_eq!(ours, std);
    }

    #[test]
    fn an_object_reads_the_identity_of_the_value_it_holds() {
        let object = |value: Value| Object {
            file: 0,
            doc: 0,
            value: Arc::new(value),
            lookalikes: Vec::new(),
            base: String::new(),
            fields: Vec::new(),
            unit: None,
            ident: OnceLock::new(),
        };
        let mut o = object(serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}
        }));
        assert_eq!(
            (o.api_version(), o.kind(), o.name(), o.namespace()),
            ("v1", "ConfigMap", "a", Some("x"))
        );
        // Changed in place after it was read: the held weak reference moves the value.
        Arc::make_mut(&mut o.value)["metadata"]["name"] = "b".into();
        assert_eq!(o.name(), "b");
        // Given another value.
        o.value = Arc::new(serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment"}));
        assert_eq!(
            (o.api_version(), o.kind(), o.name(), o.namespace()),
            ("apps/v1", "Deployment", "", None)
        );
        // Fields of other types read as absent, as before.
        let odd = object(serde_json::json!({"kind": 1, "metadata": {"name": ["x"]}}));
        assert_eq!((odd.kind(), odd.name(), odd.namespace()), ("", "", None));
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(
            normalize("apps/order", "deployment.yaml"),
            "apps/order/deployment.yaml"
        );
        assert_eq!(
            normalize("apps/order", "../base/x.yaml"),
            "apps/base/x.yaml"
        );
        assert_eq!(normalize("", "./infrastructure"), "infrastructure");
    }

    #[test]
    fn escaping_paths() {
        assert!(!escapes("apps/order", "deployment.yaml"));
        assert!(!escapes("apps/order", "../../base"));
        assert!(escapes("apps/order", "../../../base"));
        assert!(escapes("apps/order", "../../../../etc/passwd"));
        assert!(escapes("", "/etc/shadow"));
        assert!(escapes("apps", "file:///etc/shadow"));
        assert!(escapes("apps", "a/../../../x"));
        // A step down and back up never leaves: judged step by step, not by the total.
        assert!(escapes("", "../apps/x"));
        assert!(!escapes("apps", "./x/../y"));
    }

    #[test]
    fn classification() {
        assert!(classify(
            &serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}})
        )
        .is_ok());
        assert_eq!(
            classify(&serde_json::json!({"kind": "ConfigMap"})),
            Err("missing `apiVersion`".into())
        );
        assert_eq!(
            classify(&serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap"})),
            Err("missing `metadata.name`".into())
        );
        assert!(classify(&serde_json::json!(["a"])).is_err());
    }
}

#[cfg(test)]
mod lookup_tests {
    use super::Lookup;
    use serde_json::json;

    #[test]
    fn lookup_agrees_with_serde_json() {
        let v = json!({"a": {"b": [1, {"c~d": 2, "e/f": 3, "": 4}]}, "x": null});
        for p in [
            "",
            "/a",
            "/a/b",
            "/a/b/0",
            "/a/b/1",
            "/a/b/1/c~0d",
            "/a/b/1/e~1f",
            "/a/b/1/",
            "/a/b/01",
            "/a/b/9",
            "/a/b/-",
            "/x",
            "/x/y",
            "a",
            "/missing/deep",
        ] {
            assert_eq!(v.lookup(p), v.pointer(p), "{p}");
        }
    }
}
