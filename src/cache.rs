//! Remembers which rendered cluster trees validated clean, so that a `render` that changes
//! nothing and a `check` of a current tree do not validate the same bytes again.
//!
//! An entry is a digest of everything the output validation reads: this executable (its
//! version, path, size and modification time), the validation options, and the path and
//! content of every file under the cluster's tree. Any change to any of them is a miss, and
//! only runs without a single finding are remembered, so a hit can only repeat a clean
//! verdict for the very same input. A tree holding anything but directories and regular
//! files (a symlink, a socket) is never cached.
//!
//! The cache lives in `.fluxprint-cache/` of the project (beside `clusters/`), which holds
//! its own `.gitignore`. It is an optimisation only: a cache that cannot be read or written
//! is a miss, never an error.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::validate::rule::Options;
use crate::validate::tree::Known;

/// The directory name of the cache in a project.
pub const DIR: &str = ".fluxprint-cache";
/// The file of clean verdicts inside it: one `cluster<TAB>digest` line per cluster tree.
const VERDICTS: &str = "output-validation";

/// The verdict cache of one project.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache in `dir` (normally `<project>/.fluxprint-cache`); nothing is created yet.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Cache { dir: dir.into() }
    }

    /// True when `key` is the remembered clean verdict of `cluster`.
    pub fn is_clean(&self, cluster: &str, key: &str) -> bool {
        self.verdicts().get(cluster).is_some_and(|k| k == key)
    }

    /// Remembers that `cluster`'s tree of digest `key` validated clean. Failures are ignored.
    pub fn remember_clean(&self, cluster: &str, key: &str) {
        let mut verdicts = self.verdicts();
        verdicts.insert(cluster.to_owned(), key.to_owned());
        let mut text = String::new();
        for (c, k) in &verdicts {
            let _ = writeln!(text, "{c}\t{k}");
        }
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let ignore = self.dir.join(".gitignore");
        if !ignore.exists() {
            let _ = std::fs::write(
                &ignore,
                "# fluxprint's cache: not for version control.\n*\n",
            );
        }
        // Temporary file and rename: a reader sees the old list or the new one.
        let tmp = self
            .dir
            .join(format!(".{VERDICTS}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, text).is_ok()
            && std::fs::rename(&tmp, self.dir.join(VERDICTS)).is_err()
        {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    fn verdicts(&self) -> BTreeMap<String, String> {
        let Ok(bytes) =
            crate::files::read_regular(&self.dir.join(VERDICTS), crate::files::MAX_INPUT_BYTES)
        else {
            return BTreeMap::new();
        };
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(c, k)| (c.to_owned(), k.to_owned()))
            .collect()
    }
}

/// The digest of what validating `root` with `options` reads, or `None` when the tree
/// cannot be cached (unreadable, or holding something that is neither a directory nor a
/// regular file).
pub fn key(root: &Path, options: &Options) -> Option<String> {
    key_known(root, options, &Known::default())
}

/// [`key`], taking the content of the files of `known` from memory (what the validation of
/// the same run reads for them).
pub fn key_known(root: &Path, options: &Options, known: &Known<'_>) -> Option<String> {
    let mut files = Vec::new();
    walk(root, "", &mut files)?;
    files.sort();
    // Reading and hashing are most of the cost: on every core.
    let digests = crate::par::map(&files, |rel| {
        let path = root.join(rel);
        if let Some((text, _)) = known.get(&path) {
            return Some(Sha256::digest(text.as_bytes()));
        }
        crate::files::read_regular(&path, crate::files::MAX_INPUT_BYTES)
            .ok()
            .map(|bytes| Sha256::digest(&bytes))
    });
    let mut h = Sha256::new();
    h.update(b"fluxprint output validation 1\0");
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(executable()?.as_bytes());
    h.update(format!("{options:?}").as_bytes());
    for (rel, digest) in files.iter().zip(digests) {
        h.update(rel.as_bytes());
        h.update([0]);
        h.update(digest?);
    }
    let mut hex = String::with_capacity(64);
    for b in h.finalize() {
        let _ = write!(hex, "{b:02x}");
    }
    Some(hex)
}

/// This executable's identity: a rebuilt or replaced binary is a different validator.
fn executable() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!(
        "{}\0{}\0{}",
        exe.display(),
        meta.len(),
        modified.as_nanos()
    ))
}

/// Collects the `/`-separated relative paths of the regular files below `dir`.
fn walk(root: &Path, rel: &str, files: &mut Vec<String>) -> Option<()> {
    for entry in std::fs::read_dir(root.join(rel)).ok()? {
        let entry = entry.ok()?;
        let name = entry.file_name().into_string().ok()?;
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let kind = entry.file_type().ok()?;
        if kind.is_dir() {
            walk(root, &path, files)?;
        } else if kind.is_file() {
            files.push(path);
        } else {
            return None;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_change_of_the_tree_or_the_options_is_another_key() {
        let dir = std::env::temp_dir().join(format!("fluxprint-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("apps")).unwrap();
        std::fs::write(dir.join("apps/a.yaml"), "a: 1\n").unwrap();
        let options = Options::default();
        let first = key(&dir, &options).unwrap();
        assert_eq!(key(&dir, &options).unwrap(), first);
        std::fs::write(dir.join("apps/a.yaml"), "a: 2\n").unwrap();
        let edited = key(&dir, &options).unwrap();
        assert_ne!(edited, first);
        std::fs::write(dir.join("apps/b.yaml"), "").unwrap();
        let added = key(&dir, &options).unwrap();
        assert_ne!(added, edited);
        std::fs::rename(dir.join("apps/b.yaml"), dir.join("b.yaml")).unwrap();
        assert_ne!(key(&dir, &options).unwrap(), added);
        let strict = Options {
            policy: crate::blueprint::cluster::Policy::Strict,
            ..Options::default()
        };
        assert_ne!(key(&dir, &strict).unwrap(), key(&dir, &options).unwrap());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("b.yaml", dir.join("c.yaml")).unwrap();
            assert!(key(&dir, &options).is_none(), "a symlink is never cached");
        }
        let cache = Cache::at(dir.join(DIR));
        assert!(!cache.is_clean("dev", "k1"));
        cache.remember_clean("dev", "k1");
        cache.remember_clean("prod", "k2");
        assert!(cache.is_clean("dev", "k1") && cache.is_clean("prod", "k2"));
        assert!(!cache.is_clean("dev", "k2"));
        assert!(dir.join(DIR).join(".gitignore").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
