//! A [`Source`] over a directory on disk, for `fluxprint build --kustomize` and the tests.
//!
//! Reads are bounded and refuse special files ([`crate::files::read_regular`]); a path is
//! always inside the root, since [`super::resolve_path`] refuses any other.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::Documents;

use super::Source;
use crate::source::yaml::parse_json_documents;

/// A parsed file, or why it could not be parsed.
type Parsed = Result<Documents, String>;

/// The files below `root`.
#[derive(Debug)]
pub struct DiskSource {
    root: PathBuf,
    parsed: Mutex<BTreeMap<String, Parsed>>,
}

impl DiskSource {
    /// A source rooted at `root` (the repository, or the directory built).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DiskSource {
            root: root.into(),
            parsed: Mutex::new(BTreeMap::new()),
        }
    }

    fn path(&self, path: &str) -> PathBuf {
        if path.is_empty() {
            self.root.clone()
        } else {
            self.root.join(path)
        }
    }

    fn read(&self, path: &str) -> Option<Result<Arc<str>, String>> {
        file_text(&self.path(path))
    }
}

impl Source for DiskSource {
    fn documents(&self, path: &str) -> Option<Result<Documents, String>> {
        if let Some(done) = self.parsed.lock().ok()?.get(path) {
            return Some(done.clone());
        }
        let parsed = self.read(path)?.and_then(|text| {
            parse_json_documents(&text, |_| false)
                .map(|docs| Arc::new(docs.into_iter().map(|d| Arc::new(d.value)).collect()))
                .map_err(|e| e.message)
        });
        if let Ok(mut cache) = self.parsed.lock() {
            cache.insert(path.to_owned(), parsed.clone());
        }
        Some(parsed)
    }

    fn bytes(&self, path: &str) -> Option<Result<Arc<[u8]>, String>> {
        file_bytes(&self.path(path))
    }

    fn text(&self, path: &str) -> Option<Result<Arc<str>, String>> {
        self.read(path)
    }

    fn is_dir(&self, path: &str) -> bool {
        self.path(path).is_dir()
    }

    fn entries(&self, dir: &str) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = std::fs::read_dir(self.path(dir))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| {
                let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                (e.file_name().to_string_lossy().into_owned(), is_dir)
            })
            .collect();
        out.sort();
        out
    }
}

/// The bytes of the regular file `full`, read bounded ([`crate::files::read_regular`]);
/// `None` when there is no such file.
pub fn file_bytes(full: &Path) -> Option<Result<Arc<[u8]>, String>> {
    if !full.is_file() {
        return None;
    }
    Some(
        crate::files::read_regular(full, crate::files::MAX_INPUT_BYTES)
            .map(Arc::from)
            .map_err(|e| e.to_string()),
    )
}

/// [`file_bytes`] as UTF-8 text.
pub fn file_text(full: &Path) -> Option<Result<Arc<str>, String>> {
    Some(file_bytes(full)?.and_then(|b| {
        std::str::from_utf8(&b)
            .map(Arc::from)
            .map_err(|_| "file is not UTF-8 text".to_owned())
    }))
}
