//! Validation that kube-apiserver does in Go code, beyond the OpenAPI schema: name and label
//! syntax, port ranges, counts, and rules between fields. Built-in kinds only (custom
//! resources are judged by their CRD's schema and CEL rules), except object names and
//! labels, which the API server checks on every object.
//!
//! One small function per check, each named for what the API server's validation package
//! calls it (`k8s.io/apimachinery/pkg/util/validation`, `k8s.io/kubernetes/pkg/apis/*/validation`
//! of Kubernetes 1.35) and verified against a real kube-apiserver 1.35 through the corpus of
//! `tests/fixtures/apiserver/`. Each returns the problem in words, never quoting the value
//! beyond what is needed to name it. The rules GO008-GO014 report them.

pub mod formats;
pub mod names;
pub mod settings;
pub mod values;
