//! Resolution: a blueprint × a cluster → a complete service model, and the one place where
//! input is checked and defaulted.
//!
//! Each section of a blueprint has its file here: `resolve` checks the section as written,
//! reports every problem at the field's line through the [`Resolver`], applies the section's
//! defaults and returns the resolved section, or `None` when it found an error. A service
//! resolves ([`service::resolve`]) only when every section did, and every section is checked
//! whatever the others found, so a user sees all problems at once. Renderers take only the
//! resolved types and never see an `Option` that stands for "use the default".
//!
//! - [`resolver`]: the [`Resolver`] every section reports through;
//! - [`cluster`]: the cluster file's model and defaults (policy, mesh, ingress, Flux, images);
//! - [`gateway_api`]: the cluster's Gateway API gateways and data-plane mode, checked;
//! - [`workload`], [`names`], [`image`], [`ports`], [`env`](mod@env), [`resources`],
//!   [`probes`], [`sidecars`], [`jobs`], [`scaling`], [`storage`], [`images`],
//!   [`depends_on`], [`routes`], [`mesh`], [`monitoring`], [`alerts`], [`delivery`]: one blueprint section
//!   each, run by [`service::resolve`];
//! - [`platform`]: one platform component (`platform/<name>.yaml`) in one cluster;
//! - [`project`]: the checks of cluster files, what spans files (unique names, overrides,
//!   `dependsOn`, route collisions, sealed values) and the per-cluster loop over the
//!   blueprints;
//! - [`codes`]: the BP1xx codes these checks report.

pub mod alerts;
pub mod chart_values;
pub mod cluster;
pub mod codes;
pub mod delivery;
pub mod depends_on;
pub mod env;
pub mod gateway_api;
pub mod image;
pub mod images;
pub mod jobs;
pub mod mesh;
pub mod monitoring;
pub mod names;
pub mod platform;
pub mod ports;
pub mod probes;
pub mod project;
pub mod resolver;
pub mod resources;
pub mod routes;
pub mod scaling;
pub mod service;
pub mod sidecars;
pub mod storage;
pub mod workload;

pub use cluster::{
    split_ref, FluxSettings, ImageAutomation, MeshSettings, ResolvedCluster, RoutingProvider,
};
pub use delivery::Progressive;
pub use gateway_api::{GatewayApiSettings, ResolvedGateway};
pub use images::TagPolicy;
pub use jobs::{JobRun, ResolvedJob};
pub use platform::{ResolvedChart, ResolvedComponent};
pub use ports::ResolvedPort;
pub use probes::{ProbeAction, ResolvedProbe};
pub use resolver::{Mark, Place, Resolver};
pub use resources::ResolvedResources;
pub use scaling::Scaling;
pub use service::{labels, ResolvedService};
pub use sidecars::ResolvedSidecar;
pub use storage::ResolvedVolume;
