//! Validation of manifest trees, generated or hand-written.
//!
//! [`schema`] checks objects against the API's own schemas (Kubernetes OpenAPI documents and
//! CRDs), strictly.

pub mod schema;
