//! `blueprints/<service>.sealed.yaml`: the sealed values of one service, per cluster, written
//! only by `fluxprint seal`. Ciphertexts only; safe to commit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::sync::OnceLock;

use jsonschema::Validator;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::blueprint::common::ApiVersion;
use crate::emit::yaml::Doc;
use crate::error::Error;
use crate::source::yaml::parse_documents;
use crate::source::Span;

/// `kind: SealedValues`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SealedValuesKind {
    /// The only value.
    SealedValues,
}

/// The sealed values of one service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SealedValues {
    /// `fluxprint/v1alpha1`.
    pub api_version: ApiVersion,
    /// `SealedValues`.
    pub kind: SealedValuesKind,
    /// The service.
    pub name: String,
    /// Per cluster.
    #[serde(default)]
    pub clusters: BTreeMap<String, ClusterValues>,
}

/// The values of one cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterValues {
    /// SHA-256 of the certificate the values were sealed with.
    pub cert_sha256: String,
    /// Variable name → sealed value (base64).
    #[serde(default)]
    pub values: BTreeMap<String, String>,
}

impl SealedValues {
    /// An empty set for `service`.
    pub fn new(service: &str) -> Self {
        SealedValues {
            api_version: ApiVersion::V1Alpha1,
            kind: SealedValuesKind::SealedValues,
            name: service.to_owned(),
            clusters: BTreeMap::new(),
        }
    }

    /// The file of `service` in the blueprints directory.
    pub fn path(blueprints: &Path, service: &str) -> PathBuf {
        blueprints.join(format!("{service}.sealed.yaml"))
    }

    /// Reads the file; `Ok(None)` when it does not exist. An error carries the position and
    /// the message (the caller names the file).
    ///
    /// Only a regular file is read (a FIFO or device in its place is an error, not a hang),
    /// and a problem in the document is reported at the field concerned.
    pub fn read(path: &Path) -> Result<Option<SealedValues>, (Span, String)> {
        let bytes = match crate::files::read_regular_opt(path, crate::files::MAX_INPUT_BYTES) {
            Ok(Some(b)) => b,
            Ok(None) => return Ok(None),
            Err(e) => return Err((Span::START, format!("failed to read the file: {e}"))),
        };
        let text = String::from_utf8(bytes)
            .map_err(|_| (Span::START, "the file is not UTF-8 text".to_owned()))?;
        let docs = parse_documents(&text).map_err(|e| (e.span, e.message))?;
        let Some(doc) = docs.into_iter().next() else {
            return Err((Span::START, "file is empty".into()));
        };
        let json = doc.to_json();
        let validator = validator().as_ref().map_err(|e| (Span::START, e.clone()))?;
        if let Some(first) = crate::blueprint::structure::check(validator, &json, &doc, "")
            .into_iter()
            .next()
        {
            let field = first
                .field
                .as_deref()
                .map(|f| format!(" (field `{f}`)"))
                .unwrap_or_default();
            return Err((
                first.span,
                format!("not a SealedValues file: {}{field}", first.message),
            ));
        }
        serde_json::from_value(json)
            .map(Some)
            .map_err(|e| (doc.span, format!("not a SealedValues file: {e}")))
    }

    /// The file's text: a header and deterministic YAML.
    pub fn to_text(&self) -> Result<String, Error> {
        Ok(format!(
            "# Written by `fluxprint seal`: sealed (encrypted) values only, safe to commit. Do not edit.\n{}",
            Doc::from_object(self)?.to_yaml()?
        ))
    }

    /// Writes the file atomically.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        crate::emit::write_atomic(path, &self.to_text()?)
    }
}

fn validator() -> &'static Result<Validator, String> {
    static V: OnceLock<Result<Validator, String>> = OnceLock::new();
    V.get_or_init(|| {
        let schema =
            serde_json::to_value(schemars::schema_for!(SealedValues)).map_err(|e| e.to_string())?;
        jsonschema::validator_for(&schema).map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_point_at_the_field() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("order.sealed.yaml");
        std::fs::write(
            &path,
            "apiVersion: fluxprint/v1alpha1\nkind: SealedValues\nname: order\nclusters:\n  prod:\n    certSha256: ab\n    values:\n      DATABASE_URL: [1]\n",
        )
        .expect("write");
        let (span, message) = SealedValues::read(&path).expect_err("invalid");
        assert_eq!((span.line, span.col), (8, 7), "{message}");
        assert!(
            message.contains("clusters.prod.values.DATABASE_URL"),
            "{message}"
        );
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = SealedValues::path(dir.path(), "order");
        assert_eq!(SealedValues::read(&path), Ok(None));
        let mut v = SealedValues::new("order");
        v.clusters.insert(
            "prod".into(),
            ClusterValues {
                cert_sha256: "ab".into(),
                values: BTreeMap::from([("DATABASE_URL".into(), "AgB=".into())]),
            },
        );
        v.write(&path).expect("write");
        assert_eq!(SealedValues::read(&path), Ok(Some(v)));
    }
}
