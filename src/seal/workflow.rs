//! The sealing workflow behind `fluxprint seal` and `fluxprint secrets status`: find where a
//! service's or a platform component's SealedSecret will live in each cluster, seal values
//! for it with that cluster's certificate, and keep `<name>.sealed.yaml` (beside the
//! blueprint or the component) up to date.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rand_core::{CryptoRng, RngCore};

use super::cert::{CertError, SealingCert};
use super::crypto::seal_value;
use super::dotenv::Entry;
use super::values::{ClusterValues, SealedValues};
use crate::blueprint::cluster::SealingScope;
use crate::blueprint::load::{self, BlueprintInput, ClusterInput, ComponentInput, Loaded};
use crate::diag::{self, Diagnostic};
use crate::error::Error;
use crate::project::Inputs;
use crate::source::Span;

/// Certificates expiring within this many days are warned about.
pub const EXPIRY_WARNING_DAYS: u64 = 30;

/// Where one cluster's copy of a service's secret goes, and the key to seal it with.
#[derive(Clone, Debug)]
pub struct Target {
    /// Cluster name.
    pub cluster: String,
    /// Namespace of the SealedSecret (the service's namespace in that cluster).
    pub namespace: String,
    /// Name of the SealedSecret (`<service>-secrets`).
    pub name: String,
    /// Scope from the cluster's `sealing.scope`.
    pub scope: SealingScope,
    /// The cluster's certificate.
    pub cert: SealingCert,
}

/// Loads the inputs structurally (sealing must work before every value exists, so the
/// semantic checks that need sealed values are not run).
fn load_inputs(inputs: &Inputs) -> Result<Loaded, Error> {
    let mut loaded = load::load(&inputs.blueprints, &inputs.clusters)?;
    load::load_components(&inputs.platform, &mut loaded)?;
    if diag::has_errors(&loaded.diagnostics) {
        diag::normalize(&mut loaded.diagnostics);
        return Err(Error::Invalid {
            diagnostics: loaded.diagnostics,
            sources: loaded.sources,
        });
    }
    Ok(loaded)
}

/// Reads and checks a cluster's certificate.
pub fn cluster_cert(c: &ClusterInput, now: SystemTime) -> Result<(PathBuf, SealingCert), Error> {
    let Some(cert) = c.cluster.sealing.as_ref().and_then(|s| s.cert.as_ref()) else {
        return Err(Error::Usage(format!(
            "cluster `{}` has no `sealing.cert` in {}",
            c.cluster.name, c.file
        )));
    };
    let path = c.dir.join(cert);
    let pem = crate::files::read_input_text(&path)?;
    let cert = SealingCert::from_pem(&pem, now).map_err(|source| Error::Cert {
        path: path.clone(),
        source,
    })?;
    Ok((path, cert))
}

/// Where a service's (or component's) values go, what it may hold, and warnings found on
/// the way.
#[derive(Debug)]
pub struct Targets {
    /// One per cluster.
    pub targets: Vec<Target>,
    /// The `secretEnv` names (over the clusters concerned).
    pub secret_env: Vec<String>,
    /// Certificates about to expire.
    pub warnings: Vec<Diagnostic>,
    /// The file of sealed values: `<name>.sealed.yaml` beside the blueprint or component.
    pub file: PathBuf,
}

/// Whose values are sealed.
enum Owner<'a> {
    Service(&'a BlueprintInput),
    Component(&'a ComponentInput),
}

/// In one cluster: the owner's `secretEnv`, namespace and Secret name; `None` where a
/// component does not run.
type Place = Option<(Vec<String>, String, String)>;

impl Owner<'_> {
    fn place(&self, cluster: &str, sources: &crate::source::SourceMap) -> Result<Place, Error> {
        let invalid = |diagnostics| Error::Invalid {
            diagnostics,
            sources: sources.clone(),
        };
        Ok(match self {
            Owner::Service(b) => {
                let (_, bp) = b.for_cluster(cluster).map_err(invalid)?;
                let namespace = bp.namespace.clone().unwrap_or_else(|| bp.team.clone());
                Some((
                    bp.secret_env.clone().unwrap_or_default(),
                    namespace,
                    format!("{}-secrets", bp.name),
                ))
            }
            Owner::Component(c) => {
                let runs = c
                    .base
                    .clusters
                    .as_ref()
                    .is_none_or(|list| list.iter().any(|n| n == cluster));
                if !runs {
                    return Ok(None);
                }
                let (_, comp) = c.for_cluster(cluster).map_err(invalid)?;
                let namespace = comp.namespace.clone().unwrap_or_else(|| comp.name.clone());
                Some((
                    comp.secret_env.clone().unwrap_or_default(),
                    namespace,
                    format!("{}-secrets", comp.name),
                ))
            }
        })
    }

    fn dir<'i>(&self, inputs: &'i Inputs) -> &'i Path {
        match self {
            Owner::Service(_) => &inputs.blueprints,
            Owner::Component(_) => &inputs.platform,
        }
    }
}

/// Resolves the targets of `name` (a service, else a platform component) in `clusters` (all
/// when empty; a component only where it runs).
pub fn targets(
    inputs: &Inputs,
    name: &str,
    clusters: &[String],
    now: SystemTime,
) -> Result<Targets, Error> {
    let loaded = load_inputs(inputs)?;
    let owner = find_owner(&loaded, name)?;
    let mut targets = Vec::new();
    let mut warnings = Vec::new();
    let mut secret_env = BTreeSet::new();
    for c in select_clusters(&loaded, clusters)? {
        let Some((env, namespace, secret)) = owner.place(&c.cluster.name, &loaded.sources)? else {
            continue;
        };
        secret_env.extend(env);
        let (path, cert) = cluster_cert(c, now)?;
        if cert.expires_within(now, EXPIRY_WARNING_DAYS) {
            warnings.push(
                Diagnostic::warning(
                    "BP120",
                    path.display().to_string(),
                    Span::START,
                    format!(
                        "the certificate of cluster `{}` expires on {}",
                        c.cluster.name,
                        cert.not_after()
                    ),
                )
                .with_help(
                    "fetch the controller's current certificate with `kubeseal --fetch-cert`",
                ),
            );
        }
        targets.push(Target {
            cluster: c.cluster.name.clone(),
            namespace,
            name: secret,
            scope: c
                .cluster
                .sealing
                .as_ref()
                .and_then(|s| s.scope)
                .unwrap_or_default(),
            cert,
        });
    }
    if targets.is_empty() {
        return Err(Error::Usage(format!(
            "`{name}` runs in none of the clusters asked for"
        )));
    }
    Ok(Targets {
        targets,
        secret_env: secret_env.into_iter().collect(),
        warnings,
        file: SealedValues::path(owner.dir(inputs), name),
    })
}

fn find_owner<'a>(loaded: &'a Loaded, name: &str) -> Result<Owner<'a>, Error> {
    if let Some(b) = loaded.blueprints.iter().find(|b| b.base.name == name) {
        return Ok(Owner::Service(b));
    }
    if let Some(c) = loaded.components.iter().find(|c| c.base.name == name) {
        return Ok(Owner::Component(c));
    }
    let services: Vec<&str> = loaded
        .blueprints
        .iter()
        .map(|b| b.base.name.as_str())
        .collect();
    let mut message = format!(
        "unknown service `{name}`; services: {}",
        services.join(", ")
    );
    if !loaded.components.is_empty() {
        let components: Vec<&str> = loaded
            .components
            .iter()
            .map(|c| c.base.name.as_str())
            .collect();
        message.push_str(&format!("; platform components: {}", components.join(", ")));
    }
    Err(Error::Usage(message))
}

fn select_clusters<'a>(
    loaded: &'a Loaded,
    only: &[String],
) -> Result<Vec<&'a ClusterInput>, Error> {
    for name in only {
        if !loaded.clusters.iter().any(|c| &c.cluster.name == name) {
            let known: Vec<&str> = loaded
                .clusters
                .iter()
                .map(|c| c.cluster.name.as_str())
                .collect();
            return Err(Error::Usage(format!(
                "unknown cluster `{name}`; clusters: {}",
                known.join(", ")
            )));
        }
    }
    Ok(loaded
        .clusters
        .iter()
        .filter(|c| only.is_empty() || only.contains(&c.cluster.name))
        .collect())
}

/// What [`seal_into_file`] did.
#[derive(Debug, Default)]
pub struct SealSummary {
    /// `(cluster, key)` sealed.
    pub sealed: Vec<(String, String)>,
    /// Clusters whose other values were sealed with an older certificate.
    pub stale_clusters: Vec<String>,
    /// The file written.
    pub path: PathBuf,
}

/// Seals `entries` for every target and updates `<service>.sealed.yaml`, keeping all other
/// values. Every key must be one of the service's `secretEnv` (`known`).
pub fn seal_into_file<R: RngCore + CryptoRng>(
    service: &str,
    entries: &[Entry],
    found: &Targets,
    rng: &mut R,
) -> Result<SealSummary, Error> {
    let (targets, known) = (&found.targets, &found.secret_env);
    let unknown: Vec<&str> = entries
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !known.iter().any(|n| n == k))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::Usage(format!(
            "{} not in the `secretEnv` of `{service}` ({}); add it to its file first",
            unknown.join(", "),
            if known.is_empty() {
                "which has none".to_owned()
            } else {
                known.join(", ")
            }
        )));
    }
    let path = found.file.clone();
    let mut file = SealedValues::read(&path)
        .map_err(|(span, message)| Error::Usage(format!("{}:{span}: {message}", path.display())))?
        .unwrap_or_else(|| SealedValues::new(service));
    let mut summary = SealSummary {
        path: path.clone(),
        ..SealSummary::default()
    };
    for t in targets {
        let label = t.scope.label(&t.namespace, &t.name);
        let entry = file
            .clusters
            .entry(t.cluster.clone())
            .or_insert_with(ClusterValues::default);
        let mut sealed = BTreeMap::new();
        for (key, value) in entries {
            let text = seal_value(&t.cert, &label, value, rng).map_err(|e| {
                Error::Usage(format!(
                    "failed to seal {key} for cluster `{}`: {e}",
                    t.cluster
                ))
            })?;
            sealed.insert(key.clone(), text);
            summary.sealed.push((t.cluster.clone(), key.clone()));
        }
        let others_remain = entry.values.keys().any(|k| !sealed.contains_key(k));
        if entry.cert_sha256 != t.cert.sha256_hex() {
            if others_remain && !entry.cert_sha256.is_empty() {
                // The set now mixes certificates: keep the old fingerprint so that
                // `secrets status` keeps asking for the rest to be resealed.
                summary.stale_clusters.push(t.cluster.clone());
            } else {
                entry.cert_sha256 = t.cert.sha256_hex().to_owned();
            }
        }
        entry.values.extend(sealed);
    }
    file.write(&path)?;
    Ok(summary)
}

/// One line of `fluxprint secrets status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// Service.
    pub service: String,
    /// Cluster.
    pub cluster: String,
    /// `secretEnv` names without a sealed value.
    pub missing: Vec<String>,
    /// Sealed names no longer in `secretEnv`.
    pub unused: Vec<String>,
    /// Why the values need resealing (another certificate), if they do.
    pub reseal: Option<String>,
}

/// The sealing state of every service and platform component in every cluster.
pub fn status(inputs: &Inputs, now: SystemTime) -> Result<Vec<Status>, Error> {
    let loaded = load_inputs(inputs)?;
    let mut out = Vec::new();
    let owners = loaded
        .blueprints
        .iter()
        .map(|b| (b.base.name.as_str(), Owner::Service(b)))
        .chain(
            loaded
                .components
                .iter()
                .map(|c| (c.base.name.as_str(), Owner::Component(c))),
        );
    for (name, owner) in owners {
        let file = SealedValues::read(&SealedValues::path(owner.dir(inputs), name))
            .map_err(|(span, message)| {
                Error::Usage(format!("{name}.sealed.yaml:{span}: {message}"))
            })?
            .unwrap_or_else(|| SealedValues::new(name));
        for c in &loaded.clusters {
            let Ok(Some((env, _, _))) = owner.place(&c.cluster.name, &loaded.sources) else {
                continue;
            };
            let wanted: BTreeSet<String> = env.into_iter().collect();
            let values = file
                .clusters
                .get(&c.cluster.name)
                .cloned()
                .unwrap_or_default();
            if wanted.is_empty() && values.values.is_empty() {
                continue;
            }
            let have: BTreeSet<String> = values.values.keys().cloned().collect();
            let reseal = if values.values.is_empty() {
                None
            } else {
                match cluster_cert(c, now) {
                    Ok((_, cert)) if cert.sha256_hex() == values.cert_sha256 => None,
                    Ok(_) => Some("sealed with another certificate".to_owned()),
                    Err(Error::Cert {
                        source: CertError::Expired { .. },
                        ..
                    }) => Some("the cluster's certificate has expired".to_owned()),
                    Err(e) => {
                        let cause = std::error::Error::source(&e)
                            .map(|s| format!(": {s}"))
                            .unwrap_or_default();
                        Some(format!("cannot check: {e}{cause}"))
                    }
                }
            };
            out.push(Status {
                service: name.to_owned(),
                cluster: c.cluster.name.clone(),
                missing: wanted.difference(&have).cloned().collect(),
                unused: have.difference(&wanted).cloned().collect(),
                reseal,
            });
        }
    }
    Ok(out)
}
