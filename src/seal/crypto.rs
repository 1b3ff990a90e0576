//! Encryption of one value, exactly as `kubeseal` does it (section 2 of
//! `../shared/docs/sealed-secrets-format.md`): a fresh 32-byte AES key is encrypted with
//! RSA-OAEP (SHA-256, MGF1-SHA-256) under the scope label, the value with AES-256-GCM under
//! that key and a zero nonce (safe only because each key is used once), and the result is
//! `len(rsa) as u16 BE ‖ rsa ‖ gcm`, in standard padded base64.
//!
//! RUSTSEC-2023-0071 (the Marvin timing attack on the `rsa` crate) concerns operations with
//! the private key; this module only ever encrypts with a public key, so it is not affected.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand_core::{CryptoRng, RngCore};
use rsa::Oaep;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::SealingCert;
use crate::blueprint::cluster::SealingScope;

/// The sealing scope, which decides the OAEP label.
pub type Scope = SealingScope;

/// The annotation marking namespace-wide scope.
pub const NAMESPACE_WIDE: &str = "sealedsecrets.bitnami.com/namespace-wide";
/// The annotation marking cluster-wide scope.
pub const CLUSTER_WIDE: &str = "sealedsecrets.bitnami.com/cluster-wide";

impl SealingScope {
    /// The OAEP label: `namespace/name` (strict), `namespace` (namespace-wide), empty
    /// (cluster-wide).
    pub fn label(self, namespace: &str, name: &str) -> String {
        match self {
            SealingScope::Strict => format!("{namespace}/{name}"),
            SealingScope::NamespaceWide => namespace.to_owned(),
            SealingScope::ClusterWide => String::new(),
        }
    }

    /// The annotation the SealedSecret must carry (none for strict).
    pub fn annotation(self) -> Option<(&'static str, &'static str)> {
        match self {
            SealingScope::Strict => None,
            SealingScope::NamespaceWide => Some((NAMESPACE_WIDE, "true")),
            SealingScope::ClusterWide => Some((CLUSTER_WIDE, "true")),
        }
    }
}

/// Why sealing failed (never includes the value).
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// RSA encryption failed.
    #[error("RSA-OAEP encryption failed: {0}")]
    Rsa(String),
    /// AES-GCM encryption failed.
    #[error("AES-GCM encryption failed")]
    Aes,
}

/// Seals `plaintext` for `cert` with `label` (see [`SealingScope::label`]).
pub fn seal_value<R: RngCore + CryptoRng>(
    cert: &SealingCert,
    label: &str,
    plaintext: &[u8],
    rng: &mut R,
) -> Result<String, SealError> {
    let mut session_key = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(session_key.as_mut());
    // An empty label is the same as no label in OAEP; rsa 0.9 takes it as `None`.
    let padding = if label.is_empty() {
        Oaep::new::<Sha256>()
    } else {
        Oaep::new_with_label::<Sha256, _>(label)
    };
    let rsa_block = cert
        .key()
        .encrypt(rng, padding, session_key.as_ref())
        .map_err(|e| SealError::Rsa(e.to_string()))?;
    let cipher = Aes256Gcm::new_from_slice(session_key.as_ref()).map_err(|_| SealError::Aes)?;
    let sealed_value = cipher
        .encrypt(Nonce::from_slice(&[0u8; 12]), plaintext)
        .map_err(|_| SealError::Aes)?;
    let len =
        u16::try_from(rsa_block.len()).map_err(|_| SealError::Rsa("RSA block too long".into()))?;
    let mut out = Vec::with_capacity(2 + rsa_block.len() + sealed_value.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&rsa_block);
    out.extend_from_slice(&sealed_value);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}
