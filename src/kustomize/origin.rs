//! Provenance of built values.

/// A place in the repository: document `doc` of file `file`, at JSON pointer `pointer`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    /// Repository-relative, `/`-separated path.
    pub file: String,
    /// Index of the document in the file.
    pub doc: usize,
    /// JSON pointer inside that document (`""` for the whole document).
    pub pointer: String,
}

impl Origin {
    /// An origin.
    pub fn new(file: impl Into<String>, doc: usize, pointer: impl Into<String>) -> Self {
        Origin {
            file: file.into(),
            doc,
            pointer: pointer.into(),
        }
    }

    /// This origin with `rest` (a JSON pointer, `""` or starting with `/`) appended.
    pub fn join(&self, rest: &str) -> Origin {
        Origin {
            file: self.file.clone(),
            doc: self.doc,
            pointer: format!("{}{rest}", self.pointer),
        }
    }
}
