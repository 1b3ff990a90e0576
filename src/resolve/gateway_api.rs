//! The cluster's `gatewayApi`: the GatewayClass and the Gateways fluxprint renders, resolved
//! and checked (names, uniqueness, TLS of public gateways, no `ingress` beside it), and the
//! data-plane mode (`mesh.mode`, with its deprecated alias `mesh.injection`).

use super::codes::{
    GATEWAY_API_INVALID, GATEWAY_API_WITH_INGRESS, GATEWAY_IDENTITY_UNKNOWN, MESH_MODE_CONFLICT,
};
use super::resolver::Resolver;
use crate::blueprint::cluster::{Cluster, GatewayApi, Injection};
use crate::blueprint::names;
use crate::diag::Severity;

/// The Gateway API settings of a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayApiSettings {
    /// GatewayClass of every rendered Gateway.
    pub class_name: String,
    /// The Gateways, in the order of the cluster file (the first is the routes' default).
    pub gateways: Vec<ResolvedGateway>,
}

/// One Gateway fluxprint renders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedGateway {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// TLS Secret in the Gateway's namespace: HTTPS listeners and an HTTP → HTTPS redirect.
    pub certificate: Option<String>,
    /// Internal gateway (plain HTTP listeners without `tls`).
    pub internal: bool,
}

impl GatewayApiSettings {
    /// The settings as written (checked by [`check_cluster`]).
    pub fn new(g: &GatewayApi) -> Self {
        GatewayApiSettings {
            class_name: g.class_name.clone(),
            gateways: g
                .gateways
                .iter()
                .map(|gw| ResolvedGateway {
                    name: gw.name.clone(),
                    namespace: gw.namespace.clone(),
                    certificate: gw.tls.as_ref().map(|t| t.certificate_ref.clone()),
                    internal: gw.internal == Some(true),
                })
                .collect(),
        }
    }

    /// The gateway named `name`, or the first one for `None`.
    pub fn gateway(&self, name: Option<&str>) -> Option<&ResolvedGateway> {
        match name {
            Some(n) => self.gateways.iter().find(|g| g.name == n),
            None => self.gateways.first(),
        }
    }

    /// True when fluxprint can name the service account of the gateways' pods: Istio runs a
    /// Gateway of class `istio` as the Deployment and ServiceAccount `<name>-istio`.
    pub fn istio_deployed(&self) -> bool {
        self.class_name == "istio"
    }
}

impl ResolvedGateway {
    /// The service account of this gateway's pods when Istio deploys it (`<name>-istio`).
    pub fn istio_service_account(&self) -> (String, String) {
        (self.namespace.clone(), format!("{}-istio", self.name))
    }
}

/// The data plane of `cluster`: ambient when `mesh.mode` (or the deprecated
/// `mesh.injection`) says so.
pub fn ambient(cluster: &Cluster) -> bool {
    cluster
        .mesh
        .as_ref()
        .and_then(|m| m.mode.or(m.injection))
        .is_some_and(|m| m == Injection::Ambient)
}

/// Checks `gatewayApi` and `mesh.mode` of a cluster file.
pub fn check_cluster(c: &Cluster, r: &mut Resolver<'_>) {
    if let Some(m) = &c.mesh {
        if let (Some(mode), Some(injection)) = (m.mode, m.injection) {
            if mode != injection {
                r.error(
                    MESH_MODE_CONFLICT,
                    "/mesh/injection",
                    format!(
                        "mesh.injection `{}` contradicts mesh.mode `{}`",
                        word(injection),
                        word(mode)
                    ),
                    Some("`injection` is the deprecated name of `mode`: drop it".into()),
                );
            }
        }
    }
    let Some(g) = &c.gateway_api else { return };
    if c.mesh.as_ref().is_some_and(|m| m.create_gateway.is_some()) {
        r.error(
            GATEWAY_API_WITH_INGRESS,
            "/mesh/createGateway",
            "`mesh.createGateway` renders an Istio edge Gateway, but with `gatewayApi` the routes go through the Gateway API gateways",
            Some("drop `mesh.createGateway`; give the gateways `tls: {certificateRef: ...}` instead".into()),
        );
    }
    if c.ingress.is_some() {
        r.error(
            GATEWAY_API_WITH_INGRESS,
            "/gatewayApi",
            "`gatewayApi` and `ingress` both route the cluster's traffic: routes can render only one way",
            Some("keep `gatewayApi` (Gateways and HTTPRoutes) or `ingress` (Ingresses), not both".into()),
        );
    }
    let mesh = c.mesh.as_ref().filter(|m| m.istio == Some(true));
    if let Some(m) = mesh {
        if g.class_name != "istio" && m.gateway_service_account.is_none() {
            r.report(
                Severity::Warning,
                GATEWAY_IDENTITY_UNKNOWN,
                "/gatewayApi/className",
                "/gatewayApi/className",
                format!(
                    "the `{}` gateways' identity in the mesh is unknown: the AuthorizationPolicies of routed services allow no gateway, so the mesh refuses their requests",
                    g.class_name
                ),
                Some("set `mesh.gatewayServiceAccount: <namespace>/<service account>` of the gateway's proxies (enrolled in the mesh), or use `className: istio`".into()),
            );
        }
    }
    if let Some(why) = names::dns1123_subdomain(&g.class_name) {
        r.error(
            GATEWAY_API_INVALID,
            "/gatewayApi/className",
            format!("gatewayApi.className `{}` {why}", g.class_name),
            None,
        );
    }
    if g.gateways.is_empty() {
        r.error(
            GATEWAY_API_INVALID,
            "/gatewayApi/gateways",
            "gatewayApi.gateways is empty: routes need a gateway",
            Some("add one, e.g. `gateways: [{name: public, namespace: edge, tls: {certificateRef: site-tls}}]`".into()),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, gw) in g.gateways.iter().enumerate() {
        let at = format!("/gatewayApi/gateways/{i}");
        for (field, value) in [("name", &gw.name), ("namespace", &gw.namespace)] {
            if let Some(why) = names::dns1123_label(value, 63) {
                r.error(
                    GATEWAY_API_INVALID,
                    &format!("{at}/{field}"),
                    format!("gateway {field} `{value}` {why}"),
                    None,
                );
            }
        }
        if !seen.insert(gw.name.as_str()) {
            r.error(
                GATEWAY_API_INVALID,
                &format!("{at}/name"),
                format!("gateway name `{}` is used twice", gw.name),
                Some("routes name gateways by `name`: give each its own".into()),
            );
        }
        match &gw.tls {
            Some(tls) => {
                if let Some(why) = names::dns1123_subdomain(&tls.certificate_ref) {
                    r.error(
                        GATEWAY_API_INVALID,
                        &format!("{at}/tls/certificateRef"),
                        format!("certificateRef `{}` {why}", tls.certificate_ref),
                        Some(format!("name a Secret of namespace `{}`, the gateway's (a Secret elsewhere would need a ReferenceGrant)", gw.namespace)),
                    );
                }
            }
            None if gw.internal != Some(true) => r.error(
                GATEWAY_API_INVALID,
                &at,
                format!(
                    "public gateway `{}` has no `tls`: its hosts would be served in plain HTTP",
                    gw.name
                ),
                Some("set `tls: {certificateRef: <Secret>}`, or `internal: true` for a gateway reached from inside only".into()),
            ),
            None => {}
        }
    }
}

fn word(mode: Injection) -> &'static str {
    match mode {
        Injection::Sidecar => "sidecar",
        Injection::Ambient => "ambient",
    }
}
