//! The sealed-secrets controller's certificate: only its RSA public key matters, but it is
//! checked the way `kubeseal` does and stricter (key size, validity window).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;
use sha2::{Digest, Sha256};
use x509_cert::der::{DecodePem, Encode};
use x509_cert::Certificate;

/// rsaEncryption (1.2.840.113549.1.1.1).
const RSA_OID: &str = "1.2.840.113549.1.1.1";
/// Smallest key accepted, in bits.
pub const MIN_BITS: usize = 2048;
/// Clock skew tolerated on a certificate's start of validity.
pub const NOT_BEFORE_SKEW_SECS: u64 = 300;

/// Why a certificate cannot be used for sealing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// No `CERTIFICATE` PEM block.
    #[error("no PEM CERTIFICATE block found (expected the output of `kubeseal --fetch-cert`)")]
    NoCertificate,
    /// The block is not a valid X.509 certificate.
    #[error("the certificate does not parse: {0}")]
    Malformed(String),
    /// Not an RSA key.
    #[error("the certificate's key is not RSA (algorithm {algorithm}); sealed-secrets needs RSA")]
    NotRsa {
        /// The key algorithm's OID.
        algorithm: String,
    },
    /// Key too small.
    #[error("the certificate's RSA key has {bits} bits; at least {MIN_BITS} are required")]
    KeyTooSmall {
        /// Key size.
        bits: usize,
    },
    /// Past its validity.
    #[error("the certificate expired on {not_after}; fetch the current one with `kubeseal --fetch-cert`")]
    Expired {
        /// End of validity (RFC 3339).
        not_after: String,
    },
    /// Before its validity.
    #[error("the certificate is not valid before {not_before}")]
    NotYetValid {
        /// Start of validity (RFC 3339).
        not_before: String,
    },
}

/// A checked controller certificate.
#[derive(Clone, Debug)]
pub struct SealingCert {
    key: RsaPublicKey,
    not_before: u64,
    not_after: u64,
    sha256: String,
}

impl SealingCert {
    /// Parses the first `CERTIFICATE` block of `pem` (other blocks are skipped, like
    /// `kubeseal`) and checks it: RSA, at least 2048 bits, valid at `now`.
    pub fn from_pem(pem: &str, now: SystemTime) -> Result<SealingCert, CertError> {
        let begin = "-----BEGIN CERTIFICATE-----";
        let end = "-----END CERTIFICATE-----";
        let start = pem.find(begin).ok_or(CertError::NoCertificate)?;
        let stop = pem[start..].find(end).ok_or(CertError::NoCertificate)? + start + end.len();
        let cert = Certificate::from_pem(&pem.as_bytes()[start..stop])
            .map_err(|e| CertError::Malformed(e.to_string()))?;
        let der = cert
            .to_der()
            .map_err(|e| CertError::Malformed(e.to_string()))?;
        let tbs = &cert.tbs_certificate;
        let algorithm = tbs.subject_public_key_info.algorithm.oid.to_string();
        if algorithm != RSA_OID {
            let name = match algorithm.as_str() {
                "1.2.840.10045.2.1" => "EC",
                "1.3.101.112" => "Ed25519",
                "1.2.840.10040.4.1" => "DSA",
                _ => "unknown",
            };
            return Err(CertError::NotRsa {
                algorithm: format!("{name}, {algorithm}"),
            });
        }
        let spki = tbs
            .subject_public_key_info
            .to_der()
            .map_err(|e| CertError::Malformed(e.to_string()))?;
        let key = RsaPublicKey::from_public_key_der(&spki)
            .map_err(|e| CertError::Malformed(e.to_string()))?;
        let bits = key.n().bits();
        if bits < MIN_BITS {
            return Err(CertError::KeyTooSmall { bits });
        }
        let not_before = tbs.validity.not_before.to_unix_duration().as_secs();
        let not_after = tbs.validity.not_after.to_unix_duration().as_secs();
        let now_secs = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        if now_secs > not_after {
            return Err(CertError::Expired {
                not_after: rfc3339(not_after),
            });
        }
        // The controller dates a new certificate to the second it creates it: allow a little
        // clock skew before calling it not yet valid.
        if now_secs.saturating_add(NOT_BEFORE_SKEW_SECS) < not_before {
            return Err(CertError::NotYetValid {
                not_before: rfc3339(not_before),
            });
        }
        let sha256 = Sha256::digest(&der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(SealingCert {
            key,
            not_before,
            not_after,
            sha256,
        })
    }

    /// The RSA public key.
    pub fn key(&self) -> &RsaPublicKey {
        &self.key
    }

    /// Key size in bits.
    pub fn bits(&self) -> usize {
        self.key.n().bits()
    }

    /// Lower-case hex SHA-256 of the certificate's DER encoding.
    pub fn sha256_hex(&self) -> &str {
        &self.sha256
    }

    /// End of validity (RFC 3339, UTC).
    pub fn not_after(&self) -> String {
        rfc3339(self.not_after)
    }

    /// Start of validity (RFC 3339, UTC).
    pub fn not_before(&self) -> String {
        rfc3339(self.not_before)
    }

    /// True when the certificate expires within `days` days of `now`.
    pub fn expires_within(&self, now: SystemTime, days: u64) -> bool {
        let now = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        self.not_after < now.saturating_add(days * 86_400)
    }
}

/// Formats seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX);
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_392_000), "2026-11-23T00:00:00Z");
        assert_eq!(rfc3339(1_795_437_296), "2026-11-23T12:34:56Z");
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(
            SealingCert::from_pem("hello", SystemTime::now()).err(),
            Some(CertError::NoCertificate)
        );
        let bad = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            SealingCert::from_pem(bad, SystemTime::now()),
            Err(CertError::Malformed(_))
        ));
    }
}
