//! `env` and `secretEnv`: variable names that are identifiers, each secret once, and no
//! variable both plain and secret.

use std::collections::{BTreeMap, BTreeSet};

use super::codes::{DUPLICATE, ENV};
use super::resolver::Resolver;
use crate::blueprint::names;
use crate::blueprint::Blueprint;
use crate::source::yaml::escape_pointer_token;

/// The environment of the main container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvedEnv {
    /// Plain variables (ConfigMap).
    pub env: BTreeMap<String, String>,
    /// Secret variable names (keys of `<name>-secrets`).
    pub secret_env: Vec<String>,
}

/// Checks and resolves `env` and `secretEnv`.
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<ResolvedEnv> {
    let mark = r.mark();
    let mut secret_seen = BTreeSet::new();
    for (i, key) in bp.secret_env.iter().flatten().enumerate() {
        let pointer = format!("/secretEnv/{i}");
        if !names::is_c_identifier(key) {
            r.error(
                ENV,
                &pointer,
                format!("secret variable name `{key}` is not a valid identifier"),
                Some(
                    "use letters, digits and '_', not starting with a digit, e.g. DATABASE_URL"
                        .into(),
                ),
            );
        }
        if !secret_seen.insert(key.as_str()) {
            r.error(
                DUPLICATE,
                &pointer,
                format!("secret variable `{key}` is listed twice"),
                None,
            );
        }
        if bp.env.as_ref().is_some_and(|e| e.contains_key(key)) {
            r.error(
                ENV,
                &pointer,
                format!("`{key}` is both in `env` and in `secretEnv`"),
                Some("keep secrets only in secretEnv".into()),
            );
        }
    }
    for key in bp.env.iter().flat_map(|e| e.keys()) {
        if !names::is_c_identifier(key) {
            r.error(
                ENV,
                &format!("/env/{}", escape_pointer_token(key)),
                format!("variable name `{key}` is not a valid identifier"),
                Some(
                    "use letters, digits and '_', not starting with a digit, e.g. LOG_LEVEL".into(),
                ),
            );
        }
    }
    r.finish(
        mark,
        ResolvedEnv {
            env: bp.env.clone().unwrap_or_default(),
            secret_env: bp.secret_env.clone().unwrap_or_default(),
        },
    )
}
