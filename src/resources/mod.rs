//! Custom resource kinds we render, modelled with kube's `CustomResource` derive: one module
//! per API family. Only the fields we set are modelled; the upstream CRDs in `../shared/crds`
//! remain the reference, and tests validate every rendered object against them.

pub mod flagger;
pub mod flux;
pub mod gateway_api;
pub mod istio;
pub mod monitoring;
pub mod sealed_secrets;
