//! Bounded reads of regular files.
//!
//! `std::fs::read` on a FIFO blocks until a writer appears, and on `/dev/zero` (or a symlink
//! to it) it reads until memory runs out. Inputs are therefore opened without blocking,
//! checked to be regular files on the opened descriptor (no race between the check and the
//! read), and read up to a size limit.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Largest input file read, in bytes (8 MiB). Blueprints, cluster files, sealed values,
/// certificates and manifests are all far smaller; the largest upstream CRD in common use
/// is about 1.5 MiB.
pub const MAX_INPUT_BYTES: u64 = 8 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The operating system refused (missing, permissions, ...). Transparent: the cause is
    /// worded once, not again as its own source.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Not a regular file: a directory, FIFO, socket or device (also behind a symlink).
    #[error("not a regular file ({0}); only regular files are read")]
    NotRegular(&'static str),
    /// Not UTF-8 text, where text is expected.
    #[error("the file is not UTF-8 text")]
    NotText,
    /// Larger than the limit.
    #[error("larger than {limit} bytes ({size} bytes); refusing to read it")]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

impl ReadError {
    /// True when the file does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

fn kind_name(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "a special file"
    }
}

/// Opens `path` for reading without blocking (a FIFO with no writer would block `open`).
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
}

/// Reads a regular file of at most `limit` bytes. Symlinks to regular files are followed
/// (inputs may be linked in); anything else is refused without reading from it.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_name(&meta)));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let size = meta.len() as usize;
    let mut bytes = vec![0; size + 1];
    // Read until the size the file had when opened: the further read that only returns
    // end-of-file is saved (a tenth of a large tree's system calls). One more byte is asked
    // for, so a file that grew since is read on to its end, `take` bounding it.
    let mut got = 0;
    while got <= size {
        match file.read(&mut bytes[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
        if got == size {
            break;
        }
    }
    bytes.truncate(got);
    if got > size {
        file.take(limit + 1 - got as u64).read_to_end(&mut bytes)?;
    }
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// [`read_regular`], with `Ok(None)` for a file that does not exist.
pub fn read_regular_opt(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, ReadError> {
    match read_regular(path, limit) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

impl From<ReadError> for std::io::Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => e,
            other => std::io::Error::new(std::io::ErrorKind::InvalidInput, other.to_string()),
        }
    }
}

/// Reads an input file (a blueprint, cluster, component, sealed values, certificate, dotenv
/// file) of at most [`MAX_INPUT_BYTES`]; `Ok(None)` when it does not exist. Errors name the
/// file.
pub fn read_input(path: &Path) -> Result<Option<Vec<u8>>, crate::Error> {
    read_regular_opt(path, MAX_INPUT_BYTES).map_err(|source| crate::Error::Read {
        path: path.to_owned(),
        source,
    })
}

/// [`read_input`] for a file that must exist and be UTF-8 text.
pub fn read_input_text(path: &Path) -> Result<String, crate::Error> {
    let fail = |source| crate::Error::Read {
        path: path.to_owned(),
        source,
    };
    let bytes = read_input(path)?.ok_or_else(|| {
        fail(ReadError::Io(std::io::Error::from(
            std::io::ErrorKind::NotFound,
        )))
    })?;
    String::from_utf8(bytes).map_err(|_| fail(ReadError::NotText))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_regular_files_and_refuses_others() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "a: 1\n").expect("write");
        assert_eq!(read_regular(&file, 100).expect("read"), b"a: 1\n");
        assert!(matches!(
            read_regular(&file, 3),
            Err(ReadError::TooLarge { size: 5, limit: 3 })
        ));
        assert!(matches!(
            read_regular(dir.path(), 100),
            Err(ReadError::NotRegular("a directory"))
        ));
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 100),
            Err(ReadError::NotRegular("a character device"))
        ));
        assert!(read_regular_opt(&dir.path().join("none"), 100)
            .expect("missing is fine")
            .is_none());
    }

    #[test]
    fn files_are_read_whole_whatever_their_size_said() {
        let dir = tempfile::tempdir().expect("tempdir");
        let empty = dir.path().join("empty.yaml");
        std::fs::write(&empty, "").expect("write");
        assert_eq!(read_regular(&empty, 100).expect("read"), b"");
        let big = dir.path().join("big.yaml");
        let text: Vec<u8> = (0..300_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&big, &text).expect("write");
        assert_eq!(read_regular(&big, 300_000).expect("at the limit"), text);
        assert!(matches!(
            read_regular(&big, 299_999),
            Err(ReadError::TooLarge { size: 300_000, .. })
        ));
        // A regular file whose size says 0 but which has more to read (as if it grew after
        // it was opened): read to its end, and still bounded.
        let status = Path::new("/proc/self/status");
        let read = read_regular(status, 1 << 20).expect("read");
        assert!(read.len() > 100 && read.ends_with(b"\n"), "{}", read.len());
        assert!(matches!(
            read_regular(status, 10),
            Err(ReadError::TooLarge {
                size: 11,
                limit: 10
            })
        ));
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("x.sealed.yaml");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .expect("mkfifo");
        assert!(matches!(
            read_regular(&fifo, 100),
            Err(ReadError::NotRegular("a FIFO"))
        ));
    }
}
