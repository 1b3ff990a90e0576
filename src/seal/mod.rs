//! Sealing: offline encryption of secret values for the Bitnami sealed-secrets controller of
//! each cluster, compatible with `kubeseal` (format: `../shared/docs/sealed-secrets-format.md`).
//!
//! - [`cert`]: the controller certificate (`kubeseal --fetch-cert`) and its checks;
//! - [`crypto`]: one value → RSA-OAEP + AES-256-GCM ciphertext, scope labels;
//! - [`values`]: `blueprints/<service>.sealed.yaml`, the sealed values per cluster;
//! - [`dotenv`]: reading `KEY=VALUE` files for bulk sealing;
//! - [`workflow`]: `seal` and `secrets status` over a project's inputs.
//!
//! Plaintext lives only in [`zeroize::Zeroizing`] buffers and never reaches a file, a log, an
//! error message or a panic.

pub mod cert;
pub mod crypto;
pub mod dotenv;
pub mod values;
pub mod workflow;

pub use cert::{CertError, SealingCert};
pub use crypto::{seal_value, Scope};
