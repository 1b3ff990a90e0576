//! The file system boundary: every input file is read through [`read`], and the output tree
//! is only ever written through [`tree`].
//!
//! Both exist because fluxprint runs in CI on merge requests that anyone on the team can
//! open: a committed symlink, FIFO or huge file must not make it write outside the tree,
//! hang, or run out of memory (see the threat model in `docs/security.md`).

pub mod read;
pub mod tree;

pub use read::{
    read_input, read_input_text, read_regular, read_regular_opt, ReadError, MAX_INPUT_BYTES,
};
pub use tree::{write_durable, Lock, OutTree, Wait};
