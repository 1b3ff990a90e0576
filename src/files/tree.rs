//! The output tree: every read, write, delete and walk below an output directory goes through
//! an [`OutTree`], which cannot be led outside the tree.
//!
//! - Every directory below the root is opened relative to its parent's descriptor with
//!   `O_NOFOLLOW`, so a symlinked `gitops/prod` or `gitops/prod/apps` is refused with an error
//!   naming it instead of being written or pruned through.
//! - Files are written to a temporary file created exclusively (`O_CREAT|O_EXCL|O_NOFOLLOW`)
//!   under a name unique to the process, then renamed over the target within the same
//!   directory: a reader (or a kill) sees the old file or the new one, never half of one.
//! - Walks never follow symlinks.
//! - One advisory lock per tree (`flock` on the root directory itself) is held for as long
//!   as the [`OutTree`] lives, so two renders into the same tree run one after the other.
//!   Locking the directory instead of a lock file leaves nothing in the tree for a publish
//!   job to commit.
//!
//! Durability: generated trees are not fsync-ed file by file. They are reproducible from the
//! inputs, the rename already gives old-or-new per file on a crash of the process, and after
//! a power loss `fluxprint check` shows any damage and `render` repairs it; syncing every file
//! made a 500-service render 20 times slower. Files that exist nowhere else (sealed values,
//! edited blueprints, scaffolds) are written with [`write_durable`], which syncs the file
//! before the rename and the directory after it.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::File;
use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::fs::{AtFlags, FileType, FlockOperation, Mode, OFlags};
use rustix::io::Errno;

use crate::error::Error;

/// Temporary files end with this; a leftover one (from a killed run) is recognised by it.
pub const TEMP_SUFFIX: &str = ".fluxprint-tmp";

/// True for the name of a temporary file of fluxprint: `.<file>.<pid>-<n>.fluxprint-tmp`
/// (and the older `.<file>.fluxprint-tmp`).
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(TEMP_SUFFIX) && name.len() > TEMP_SUFFIX.len() + 1
}

/// The lock an [`OutTree`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// Readers (`check`, `diff`): many at once, none while a writer holds the tree.
    Shared,
    /// A writer (`render`, `init`): alone; the root is created when missing.
    Exclusive,
}

/// How long to wait for a lock another process holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Fail at once (`--no-wait`).
    No,
    /// Wait at most this long.
    UpTo(Duration),
}

/// How long a render waits for another one by default.
pub const DEFAULT_WAIT: Wait = Wait::UpTo(Duration::from_secs(60));

/// A regular file read from the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeFile {
    /// The content.
    pub bytes: Vec<u8>,
    /// Permission bits, kept when the file is rewritten.
    pub mode: u32,
}

/// What a walk found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walked {
    /// Regular files, `/`-separated paths relative to the tree root, sorted.
    pub files: Vec<String>,
    /// Leftover temporary files of fluxprint, likewise.
    pub temps: Vec<String>,
}

/// An output directory, opened and locked. See the module documentation.
#[derive(Debug)]
pub struct OutTree {
    root: PathBuf,
    /// `None` for a shared open of a root that does not exist: everything reads as missing.
    dir: Option<Arc<OwnedFd>>,
    /// Directories opened so far, by tree-relative path: each is opened once per run
    /// instead of once per file below it.
    opened: Mutex<HashMap<String, Arc<OwnedFd>>>,
}

fn io(action: &'static str, path: &Path, errno: Errno) -> Error {
    Error::Io {
        action,
        path: path.to_owned(),
        source: errno.into(),
    }
}

fn is_symlink_at(dir: &OwnedFd, name: &OsStr) -> bool {
    rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
        .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink)
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// Opens directory `name` in `parent` without following a symlink; `Ok(None)` when missing
/// and not created.
fn open_dir_at(
    parent: &OwnedFd,
    name: &OsStr,
    create: bool,
    shown: &Path,
) -> Result<Option<OwnedFd>, Error> {
    for _ in 0..2 {
        match rustix::fs::openat(parent, name, DIR_FLAGS, Mode::empty()) {
            Ok(fd) => return Ok(Some(fd)),
            Err(Errno::NOENT) if create => {
                match rustix::fs::mkdirat(parent, name, Mode::from_raw_mode(0o777)) {
                    // Created, or created meanwhile by someone else: open it (again).
                    Ok(()) | Err(Errno::EXIST) => continue,
                    Err(e) => return Err(io("create directory", shown, e)),
                }
            }
            Err(Errno::NOENT) => return Ok(None),
            Err(Errno::LOOP | Errno::NOTDIR) if is_symlink_at(parent, name) => {
                return Err(Error::Symlink {
                    path: shown.to_owned(),
                })
            }
            Err(Errno::NOTDIR) => {
                return Err(Error::NotOwned {
                    path: shown.to_owned(),
                })
            }
            Err(e) => return Err(io("open directory", shown, e)),
        }
    }
    Err(io("create directory", shown, Errno::NOENT))
}

/// Opens a directory given by the user. A relative path is opened component by component
/// from the working directory without following symlinks: it lies in the checkout a merge
/// request controls. An absolute path is trusted up to its last component, which must not
/// be a symlink (system paths such as `/tmp` may be links on some systems).
pub fn open_user_dir(path: &Path, create: bool) -> Result<Option<OwnedFd>, Error> {
    let (mut current, mut shown, components): (OwnedFd, PathBuf, Vec<&OsStr>) =
        if path.is_absolute() {
            let parent = path.parent().unwrap_or(Path::new("/"));
            if create {
                std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                    action: "create directory",
                    path: parent.to_owned(),
                    source,
                })?;
            }
            let fd = match rustix::fs::open(
                parent,
                DIR_FLAGS.difference(OFlags::NOFOLLOW),
                Mode::empty(),
            ) {
                Ok(fd) => fd,
                Err(Errno::NOENT) => return Ok(None),
                Err(e) => return Err(io("open directory", parent, e)),
            };
            (
                fd,
                parent.to_owned(),
                path.file_name().into_iter().collect(),
            )
        } else {
            let fd = rustix::fs::open(".", DIR_FLAGS, Mode::empty())
                .map_err(|e| io("open directory", Path::new("."), e))?;
            let names = path
                .components()
                .filter_map(|c| match c {
                    Component::Normal(n) => Some(n),
                    Component::ParentDir => Some(OsStr::new("..")),
                    _ => None,
                })
                .collect();
            (fd, PathBuf::new(), names)
        };
    for name in components {
        shown.push(name);
        match open_dir_at(&current, name, create, &shown)? {
            Some(fd) => current = fd,
            None => return Ok(None),
        }
    }
    Ok(Some(current))
}

/// Splits a tree-relative path into its directories and file name, refusing anything that
/// could leave the tree (`..`, absolute paths, empty components).
fn split(rel: &str) -> Result<(Vec<&str>, &str), Error> {
    let parts: Vec<&str> = rel.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return Err(Error::Internal(format!(
            "output path `{rel}` is not a plain relative path"
        )));
    }
    let (file, dirs) = parts
        .split_last()
        .ok_or_else(|| Error::Internal("empty output path".into()))?;
    Ok((dirs.to_vec(), file))
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_name(file: &str) -> String {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(".{file}.{}-{n}{TEMP_SUFFIX}", std::process::id())
}

/// Writes `content` as `name` in `dir` through an exclusively created temporary file.
fn write_in(
    dir: &OwnedFd,
    name: &str,
    content: &[u8],
    mode: Option<u32>,
    durable: bool,
    shown: &Path,
) -> Result<(), Error> {
    let tmp = temp_name(name);
    let flags = OFlags::WRONLY
        .union(OFlags::CREATE)
        .union(OFlags::EXCL)
        .union(OFlags::NOFOLLOW)
        .union(OFlags::CLOEXEC);
    let fd = rustix::fs::openat(dir, tmp.as_str(), flags, Mode::from_raw_mode(0o666))
        .map_err(|e| io("create a temporary file for", shown, e))?;
    let result = (|| -> Result<(), Errno> {
        if let Some(mode) = mode {
            rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode & 0o7777))?;
        }
        let mut file = File::from(fd);
        file.write_all(content)
            .map_err(|e| e.raw_os_error().map_or(Errno::IO, Errno::from_raw_os_error))?;
        if durable {
            rustix::fs::fsync(file.as_fd())?;
        }
        drop(file);
        rustix::fs::renameat(dir, tmp.as_str(), dir, name)?;
        if durable {
            rustix::fs::fsync(dir)?;
        }
        Ok(())
    })();
    result.map_err(|e| {
        let _ = rustix::fs::unlinkat(dir, tmp.as_str(), AtFlags::empty());
        io("write", shown, e)
    })
}

/// Reads `name` in `dir` if it is a regular file; `Ok(None)` when missing. A symlink is
/// [`Error::Symlink`]; another kind of file is [`Error::NotOwned`].
fn read_in(dir: &OwnedFd, name: &str, shown: &Path) -> Result<Option<TreeFile>, Error> {
    let flags = OFlags::RDONLY
        .union(OFlags::NOFOLLOW)
        .union(OFlags::NONBLOCK)
        .union(OFlags::CLOEXEC);
    let fd = match rustix::fs::openat(dir, name, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::NOENT) => return Ok(None),
        Err(Errno::LOOP) => {
            return Err(Error::Symlink {
                path: shown.to_owned(),
            })
        }
        Err(e) => return Err(io("read", shown, e)),
    };
    let st = rustix::fs::fstat(&fd).map_err(|e| io("inspect", shown, e))?;
    match FileType::from_raw_mode(st.st_mode) {
        FileType::RegularFile => {}
        FileType::Symlink => {
            return Err(Error::Symlink {
                path: shown.to_owned(),
            })
        }
        _ => {
            return Err(Error::NotOwned {
                path: shown.to_owned(),
            })
        }
    }
    let limit = super::MAX_INPUT_BYTES;
    if st.st_size as u64 > limit {
        return Err(Error::Io {
            action: "read",
            path: shown.to_owned(),
            source: std::io::Error::other(format!("larger than {limit} bytes")),
        });
    }
    let mut bytes = Vec::with_capacity(st.st_size as usize);
    use std::io::Read;
    File::from(fd)
        .take(limit)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Io {
            action: "read",
            path: shown.to_owned(),
            source,
        })?;
    Ok(Some(TreeFile {
        bytes,
        mode: st.st_mode & 0o7777,
    }))
}

impl OutTree {
    /// Opens (for [`Lock::Exclusive`], creating) the output directory `root` and locks it.
    /// Waits for a lock another process holds as `wait` says.
    pub fn open(root: &Path, lock: Lock, wait: Wait) -> Result<OutTree, Error> {
        let dir = open_user_dir(root, lock == Lock::Exclusive)?;
        if let Some(dir) = &dir {
            // Polled rather than blocking, so that the wait is bounded.
            let op = match lock {
                Lock::Shared => FlockOperation::NonBlockingLockShared,
                Lock::Exclusive => FlockOperation::NonBlockingLockExclusive,
            };
            let started = Instant::now();
            loop {
                match rustix::fs::flock(dir, op) {
                    Ok(()) => break,
                    Err(Errno::WOULDBLOCK) => {
                        let limit = match wait {
                            Wait::No => Duration::ZERO,
                            Wait::UpTo(d) => d,
                        };
                        if started.elapsed() >= limit {
                            return Err(Error::Locked {
                                path: root.to_owned(),
                                waited: started.elapsed(),
                            });
                        }
                        std::thread::sleep(Duration::from_millis(25));
                    }
                    Err(Errno::INTR) => {}
                    Err(e) => return Err(io("lock", root, e)),
                }
            }
        }
        Ok(OutTree {
            root: root.to_owned(),
            dir: dir.map(Arc::new),
            opened: Mutex::new(HashMap::new()),
        })
    }

    /// The root as the user gave it.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path to show for `rel`.
    pub fn display(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Opens the directories of `dirs` from the root; `Ok(None)` when one is missing and
    /// `create` is false.
    fn open_dirs(&self, dirs: &[&str], create: bool) -> Result<Option<Arc<OwnedFd>>, Error> {
        let Some(root) = &self.dir else {
            return if create {
                Err(Error::Internal(
                    "writing into a tree opened for reading".into(),
                ))
            } else {
                Ok(None)
            };
        };
        let mut opened = self
            .opened
            .lock()
            .map_err(|_| Error::Internal("output tree cache poisoned".into()))?;
        // Start from the deepest directory already open.
        let mut depth = dirs.len();
        let mut current = loop {
            if depth == 0 {
                break Arc::clone(root);
            }
            if let Some(fd) = opened.get(&dirs[..depth].join("/")) {
                break Arc::clone(fd);
            }
            depth -= 1;
        };
        for i in depth..dirs.len() {
            let shown = self.display(&dirs[..=i].join("/"));
            match open_dir_at(&current, OsStr::new(dirs[i]), create, &shown)? {
                Some(fd) => {
                    current = Arc::new(fd);
                    opened.insert(dirs[..=i].join("/"), Arc::clone(&current));
                }
                None => return Ok(None),
            }
        }
        Ok(Some(current))
    }

    /// Forgets the open directory `rel` and everything below it (it was removed).
    fn forget(&self, rel: &str) {
        if let Ok(mut opened) = self.opened.lock() {
            let below = format!("{rel}/");
            opened.retain(|k, _| k != rel && !k.starts_with(&below));
        }
    }

    /// Reads the regular file at `rel`; `Ok(None)` when it (or a directory on its way) is
    /// missing. Any symlink on the way is [`Error::Symlink`], a non-regular file
    /// [`Error::NotOwned`].
    pub fn read(&self, rel: &str) -> Result<Option<TreeFile>, Error> {
        let (dirs, name) = split(rel)?;
        match self.open_dirs(&dirs, false)? {
            Some(dir) => read_in(&dir, name, &self.display(rel)),
            None => Ok(None),
        }
    }

    /// Checks that `rel` could be written: no symlink and no non-directory on the way.
    /// Used while planning, so that a refusal comes before anything is written.
    pub fn check_writable(&self, rel: &str) -> Result<(), Error> {
        let (dirs, _) = split(rel)?;
        self.open_dirs(&dirs, false).map(drop)
    }

    /// Writes `content` at `rel` (directories created as needed), atomically; `mode`
    /// keeps the permission bits of the file it replaces.
    pub fn write(&self, rel: &str, content: &[u8], mode: Option<u32>) -> Result<(), Error> {
        let (dirs, name) = split(rel)?;
        let dir = self
            .open_dirs(&dirs, true)?
            .ok_or_else(|| Error::Internal(format!("no directory for {rel}")))?;
        write_in(&dir, name, content, mode, false, &self.display(rel))
    }

    /// Deletes the file at `rel` (never through a symlink) and the directories it leaves
    /// empty, up to the root.
    pub fn remove(&self, rel: &str) -> Result<(), Error> {
        let (dirs, name) = split(rel)?;
        let Some(dir) = self.open_dirs(&dirs, false)? else {
            return Ok(());
        };
        match rustix::fs::unlinkat(&dir, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => {}
            Err(e) => return Err(io("delete", &self.display(rel), e)),
        }
        // Remove emptied directories, deepest first; stop at the first that is not empty.
        for depth in (0..dirs.len()).rev() {
            let Some(parent) = self.open_dirs(&dirs[..depth], false)? else {
                break;
            };
            if rustix::fs::unlinkat(&parent, dirs[depth], AtFlags::REMOVEDIR).is_err() {
                break;
            }
            self.forget(&dirs[..=depth].join("/"));
        }
        Ok(())
    }

    /// Every regular file and leftover temporary file below the directory `rel` (`""` for
    /// the root). Symlinks are never followed and never listed; a missing directory is empty.
    pub fn walk(&self, rel: &str) -> Result<Walked, Error> {
        let mut walked = Walked {
            files: Vec::new(),
            temps: Vec::new(),
        };
        let dirs: Vec<&str> = if rel.is_empty() {
            Vec::new()
        } else {
            split(rel)?.0.into_iter().chain([split(rel)?.1]).collect()
        };
        let Some(start) = self.open_dirs(&dirs, false)? else {
            return Ok(walked);
        };
        let mut stack = vec![(start, rel.to_owned())];
        while let Some((dir, prefix)) = stack.pop() {
            let shown = self.display(&prefix);
            let listing =
                rustix::fs::Dir::read_from(&dir).map_err(|e| io("read directory", &shown, e))?;
            for entry in listing {
                let entry = entry.map_err(|e| io("read directory", &shown, e))?;
                let name_bytes = entry.file_name().to_bytes();
                if name_bytes == b"." || name_bytes == b".." {
                    continue;
                }
                let name = OsStr::from_bytes(name_bytes);
                let Some(name_str) = name.to_str() else {
                    // Not UTF-8: fluxprint never writes such a name.
                    continue;
                };
                let path = if prefix.is_empty() {
                    name_str.to_owned()
                } else {
                    format!("{prefix}/{name_str}")
                };
                let kind = match entry.file_type() {
                    FileType::Unknown => rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW)
                        .map(|st| FileType::from_raw_mode(st.st_mode))
                        .map_err(|e| io("inspect", &self.display(&path), e))?,
                    t => t,
                };
                match kind {
                    FileType::Directory => {
                        if let Some(fd) = open_dir_at(&dir, name, false, &self.display(&path))? {
                            stack.push((Arc::new(fd), path));
                        }
                    }
                    // A link under a temporary name is removed too (never followed): it can
                    // only be a trap, since fluxprint never creates one.
                    FileType::RegularFile | FileType::Symlink if is_temp_name(name_str) => {
                        walked.temps.push(path)
                    }
                    FileType::RegularFile => walked.files.push(path),
                    _ => {}
                }
            }
        }
        walked.files.sort();
        walked.temps.sort();
        Ok(walked)
    }
}

/// Writes one file that exists nowhere else (sealed values, an edited blueprint, a
/// scaffold): no symlink followed (relative paths component by component, see
/// [`open_user_dir`]), an exclusive temporary file, the file synced before the rename and
/// the directory after it, and the permission bits of the file it replaces kept.
pub fn write_durable(path: &Path, content: &[u8]) -> Result<(), Error> {
    let name = path
        .file_name()
        .and_then(OsStr::to_str)
        .ok_or_else(|| Error::Usage(format!("{} is not a file path", path.display())))?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = open_user_dir(parent, true)?
        .ok_or_else(|| Error::Internal(format!("no directory for {}", path.display())))?;
    let mode = match read_in(&dir, name, path) {
        Ok(Some(old)) => Some(old.mode),
        Ok(None) => None,
        // A symlink or special file where the file goes is refused, not replaced.
        Err(e) => return Err(e),
    };
    write_in(&dir, name, content, mode, true, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path) -> OutTree {
        OutTree::open(dir, Lock::Exclusive, Wait::No).expect("open")
    }

    #[test]
    fn writes_reads_walks_and_removes() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let t = tree(&tmp.path().join("out"));
        t.write("dev/apps/a/a.yaml", b"a\n", None).expect("write");
        t.write("dev/b.yaml", b"b\n", Some(0o600)).expect("write");
        assert_eq!(
            t.read("dev/apps/a/a.yaml").expect("read").map(|f| f.bytes),
            Some(b"a\n".to_vec())
        );
        assert_eq!(
            t.read("dev/b.yaml").expect("read").map(|f| f.mode),
            Some(0o600)
        );
        assert_eq!(t.read("dev/none/x.yaml").expect("read"), None);
        std::fs::write(tmp.path().join("out/dev/.b.yaml.1-0.fluxprint-tmp"), "").expect("write");
        let w = t.walk("dev").expect("walk");
        assert_eq!(w.files, vec!["dev/apps/a/a.yaml", "dev/b.yaml"]);
        assert_eq!(w.temps, vec!["dev/.b.yaml.1-0.fluxprint-tmp"]);
        t.remove("dev/apps/a/a.yaml").expect("remove");
        assert!(
            !tmp.path().join("out/dev/apps").exists(),
            "emptied directories removed"
        );
        assert!(tmp.path().join("out/dev").exists());
    }

    #[test]
    fn symlinked_directories_and_files_are_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(&outside).expect("mkdir");
        std::fs::write(outside.join("victim.yaml"), "keep\n").expect("write");
        let out = tmp.path().join("out");
        std::fs::create_dir_all(out.join("dev")).expect("mkdir");
        std::os::unix::fs::symlink(&outside, out.join("dev/apps")).expect("symlink");
        std::os::unix::fs::symlink(outside.join("victim.yaml"), out.join("dev/v.yaml"))
            .expect("symlink");
        let t = tree(&out);
        for rel in ["dev/apps/victim.yaml", "dev/apps/new.yaml"] {
            assert!(
                matches!(t.write(rel, b"x\n", None), Err(Error::Symlink { .. })),
                "{rel}"
            );
            assert!(
                matches!(t.check_writable(rel), Err(Error::Symlink { .. })),
                "{rel}"
            );
        }
        assert!(matches!(t.read("dev/v.yaml"), Err(Error::Symlink { .. })));
        assert_eq!(t.walk("dev").expect("walk").files, Vec::<String>::new());
        assert_eq!(
            std::fs::read_to_string(outside.join("victim.yaml")).expect("read"),
            "keep\n"
        );
        assert!(!outside.join("new.yaml").exists());
    }

    #[test]
    fn a_symlinked_root_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(tmp.path().join("real")).expect("mkdir");
        std::os::unix::fs::symlink(tmp.path().join("real"), tmp.path().join("out"))
            .expect("symlink");
        let err =
            OutTree::open(&tmp.path().join("out"), Lock::Exclusive, Wait::No).expect_err("refused");
        assert!(matches!(err, Error::Symlink { .. }), "{err}");
    }

    #[test]
    fn a_second_writer_waits_or_fails() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let first = tree(tmp.path());
        let err = OutTree::open(tmp.path(), Lock::Exclusive, Wait::No).expect_err("locked");
        assert!(matches!(err, Error::Locked { .. }), "{err}");
        let err = OutTree::open(
            tmp.path(),
            Lock::Shared,
            Wait::UpTo(Duration::from_millis(60)),
        )
        .expect_err("locked");
        assert!(matches!(err, Error::Locked { .. }), "{err}");
        drop(first);
        let _reader = OutTree::open(tmp.path(), Lock::Shared, Wait::No).expect("free again");
        let _second_reader = OutTree::open(tmp.path(), Lock::Shared, Wait::No).expect("shared");
    }

    #[test]
    fn durable_writes_keep_the_mode_and_refuse_a_symlinked_target() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("a.sealed.yaml");
        write_durable(&file, b"one\n").expect("write");
        std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o640))
            .expect("chmod");
        write_durable(&file, b"two\n").expect("write");
        let meta = std::fs::metadata(&file).expect("meta");
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
            0o640
        );
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "keep\n").expect("write");
        let link = tmp.path().join("b.sealed.yaml");
        std::os::unix::fs::symlink(&victim, &link).expect("symlink");
        assert!(matches!(
            write_durable(&link, b"x\n"),
            Err(Error::Symlink { .. })
        ));
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep\n");
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !is_temp_name(n)), "{names:?}");
    }
}
