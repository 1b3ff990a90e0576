//! Progressive delivery: the Flagger Canary of a service released by `canary` or
//! `blue-green`, and the cluster's Slack AlertProvider for their events.
//!
//! Flagger owns what sits in front of such a service's pods, so [`super::render_cluster`]
//! does not render it: the ClusterIP Service (Flagger creates `<name>`, `<name>-primary`,
//! `<name>-canary`), the in-mesh VirtualService and the DestinationRule (Flagger writes a
//! VirtualService `<name>` and DestinationRules `<name>-primary`, `<name>-canary` from the
//! Canary's `service` block), and the service's routes in the shared edge VirtualServices
//! (they move into `service.hosts`, `service.gateways` and `service.match`). With the
//! Gateway API provider Flagger writes one HTTPRoute `<name>` instead, so the service's
//! HTTPRoutes are not rendered either: their Gateway listeners become `service.gatewayRefs`,
//! with the apex Service for in-mesh (GAMMA) calls. See `docs/delivery.md`.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::flux::{meta, FLUX_NAMESPACE};
use super::workload::metadata;
use crate::blueprint::service::LoadBalancer as Lb;
use crate::resolve::delivery::Steps;
use crate::resolve::RoutingProvider;
use crate::resolve::{ResolvedCluster, ResolvedService, Scaling};
use crate::resources::flagger::{
    number, AlertProvider, AlertProviderSpec, AlertRef, Canary, CanaryAnalysis, CanaryMatch,
    CanaryService, CanarySpec, CanaryWebhook, GatewayRef, HttpConnectionPool, Metric,
    NamespacedRef, ObjectRef, SecretRef, ServiceMetadata, ThresholdRange, TrafficPolicy,
};
use crate::resources::istio::{
    ClientTls, HttpPool, LoadBalancer, OutlierDetection, RetryPolicy, StringMatch,
};

/// Name of the AlertProvider (in `flux-system`, beside Flux's Slack Provider, whose Secret
/// it shares: both read the webhook address from its `address` key).
pub const ALERT_PROVIDER: &str = "slack";

/// Flagger owns the Service, in-mesh route and DestinationRule of this service.
pub fn flagger_owned(svc: &ResolvedService) -> bool {
    svc.delivery.is_some()
}

/// The Canary of a service that Flagger releases.
pub fn canary(cluster: &ResolvedCluster, svc: &ResolvedService) -> Option<Canary> {
    let p = svc.delivery.as_ref()?;
    let primary = svc.ports.first()?;
    let (max_weight, step_weight, iterations) = match p.steps {
        Steps::Canary { step, max } => (Some(max), Some(step), None),
        Steps::BlueGreen { iterations } => (None, None, Some(iterations)),
    };
    // The metrics' query range: a window shorter than a minute may hold no scrape.
    let range = if p.interval_seconds < 60 {
        "1m".to_owned()
    } else {
        p.interval.clone()
    };
    let metrics = vec![
        Metric {
            name: "request-success-rate".into(),
            interval: range.clone(),
            threshold_range: ThresholdRange {
                min: number(p.success_rate),
                max: None,
            },
        },
        Metric {
            name: "request-duration".into(),
            interval: range,
            threshold_range: ThresholdRange {
                min: None,
                max: number(p.latency_p99_ms),
            },
        },
    ];
    let alerts = cluster
        .slack
        .iter()
        .map(|_| AlertRef {
            name: "slack".into(),
            severity: "info".into(),
            provider_ref: NamespacedRef {
                name: ALERT_PROVIDER.into(),
                namespace: FLUX_NAMESPACE.into(),
            },
        })
        .collect();
    let webhooks = p
        .webhooks
        .iter()
        .map(|w| CanaryWebhook {
            name: w.name.clone(),
            type_: w.type_.as_str().into(),
            url: w.url.clone(),
            timeout: w.timeout.clone(),
            metadata: w.metadata.clone(),
        })
        .collect();
    let autoscaler_ref = matches!(svc.scaling, Scaling::Auto { .. }).then(|| ObjectRef {
        api_version: "autoscaling/v2".into(),
        kind: "HorizontalPodAutoscaler".into(),
        name: svc.name.clone(),
    });
    // The generated primary and canary Services carry the label the ServiceMonitor selects
    // (the apex `<name>` does not: it reaches the primary's pods a second time).
    let service_labels = ServiceMetadata { labels: svc.pods() };
    let istio = p.provider == RoutingProvider::Istio;
    let mut service = CanaryService {
        port: u32::from(primary.port),
        port_name: primary.name.clone(),
        target_port: IntOrString::String(primary.name.clone()),
        app_protocol: primary.app_protocol.clone(),
        port_discovery: (svc.all_ports().len() > 1).then_some(true),
        // Flagger copies the timeout into the HTTPRoute as written: Gateway API units then.
        timeout: if istio {
            p.timeout.clone()
        } else {
            p.timeout.as_ref().map(|t| {
                super::gateway_api::duration(crate::blueprint::common::Duration(t.clone()).millis())
            })
        },
        // Flagger's HTTPRoute has no retries (nor has the standard channel; the resolver
        // warned), and no DestinationRule.
        retries: p.retries.as_ref().filter(|_| istio).map(|r| RetryPolicy {
            attempts: r.attempts,
            per_try_timeout: r.per_try_timeout.as_ref().map(|d| d.0.clone()),
            retry_on: r.on.clone(),
        }),
        traffic_policy: traffic_policy(cluster, svc).filter(|_| istio),
        primary: Some(service_labels.clone()),
        canary: Some(service_labels),
        ..CanaryService::default()
    };
    if let (Some(api), false) = (&cluster.gateway_api, istio) {
        service.gateway_refs = gateway_refs(api, svc, primary.port);
        let mut hosts: Vec<String> = svc.routes.iter().map(|r| r.host.clone()).collect();
        hosts.sort();
        hosts.dedup();
        service.hosts = hosts;
    } else if let (Some(mesh), false) = (&cluster.mesh, svc.routes.is_empty()) {
        let gateway = format!("{}/{}", mesh.gateway.0, mesh.gateway.1);
        let mut hosts: Vec<String> = svc.routes.iter().map(|r| r.host.clone()).collect();
        hosts.sort();
        hosts.dedup();
        let mut paths: Vec<String> = svc.routes.iter().map(|r| r.path.clone()).collect();
        paths.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        paths.dedup();
        // The edge routes' prefixes hold at the gateway only; in-mesh callers keep every path.
        if paths.iter().any(|p| p != "/") {
            service.r#match = paths
                .into_iter()
                .map(|prefix| CanaryMatch {
                    uri: Some(StringMatch { prefix }),
                    gateways: vec![gateway.clone()],
                })
                .chain(std::iter::once(CanaryMatch {
                    uri: None,
                    gateways: vec!["mesh".into()],
                }))
                .collect();
        }
        // With gateways set, Flagger binds the route to those only: `mesh` keeps in-mesh calls.
        service.gateways = vec![gateway, "mesh".into()];
        service.hosts = hosts;
    }
    Some(Canary {
        metadata: metadata(svc, &svc.name),
        spec: CanarySpec {
            provider: p.provider.flagger_name().into(),
            target_ref: ObjectRef {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: svc.name.clone(),
            },
            autoscaler_ref,
            service,
            analysis: CanaryAnalysis {
                interval: p.interval.clone(),
                threshold: p.threshold,
                max_weight,
                step_weight,
                iterations,
                metrics,
                alerts,
                webhooks,
            },
        },
    })
}

/// The parents of Flagger's HTTPRoute: the listener of each routed host on its Gateway (as
/// the service's own routes would attach), then the apex Service `<name>` on the primary port,
/// so in-mesh calls shift too (GAMMA; in ambient mode the namespace's waypoint applies it).
fn gateway_refs(
    api: &crate::resolve::GatewayApiSettings,
    svc: &ResolvedService,
    port: u16,
) -> Vec<GatewayRef> {
    let mut listeners: Vec<(String, String, String)> = svc
        .routes
        .iter()
        .filter_map(|r| {
            let g = api.gateway(r.gateway.as_deref())?;
            let listener = super::gateway_api::listener_name(g.certificate.is_some(), &r.host);
            Some((g.namespace.clone(), g.name.clone(), listener))
        })
        .collect();
    listeners.sort();
    listeners.dedup();
    listeners
        .into_iter()
        .map(|(namespace, name, section)| GatewayRef {
            name,
            namespace: Some(namespace),
            section_name: Some(section),
            ..GatewayRef::default()
        })
        .chain(std::iter::once(GatewayRef {
            group: Some(String::new()),
            kind: Some("Service".into()),
            name: svc.name.clone(),
            port: Some(port),
            ..GatewayRef::default()
        }))
        .collect()
}

/// What the service's DestinationRule would set, for Flagger's DestinationRules (the
/// resolver refused `connectionPool.maxConnections`, which the Canary cannot carry).
fn traffic_policy(cluster: &ResolvedCluster, svc: &ResolvedService) -> Option<TrafficPolicy> {
    let mesh = cluster.mesh.as_ref()?;
    let policy = &svc.mesh;
    let pool = policy
        .connection_pool
        .as_ref()
        .filter(|p| p.max_pending_requests.is_some() || p.max_requests_per_connection.is_some())
        .map(|p| HttpConnectionPool {
            http: HttpPool {
                http1_max_pending_requests: p.max_pending_requests,
                max_requests_per_connection: p.max_requests_per_connection,
            },
        });
    let outlier = policy.outlier_detection.as_ref().map(|o| OutlierDetection {
        consecutive_5xx_errors: o.consecutive5xx_errors,
        interval: o.interval.as_ref().map(|d| d.0.clone()),
        base_ejection_time: o.base_ejection_time.as_ref().map(|d| d.0.clone()),
        max_ejection_percent: o.max_ejection_percent.map(u32::from),
    });
    let lb = policy.load_balancer.map(|lb| LoadBalancer {
        simple: match lb {
            Lb::RoundRobin => "ROUND_ROBIN",
            Lb::LeastRequest => "LEAST_REQUEST",
            Lb::Random => "RANDOM",
            Lb::Passthrough => "PASSTHROUGH",
        }
        .into(),
    });
    let tls = mesh.mtls_strict.then(|| ClientTls {
        mode: "ISTIO_MUTUAL".into(),
    });
    let tp = TrafficPolicy {
        connection_pool: pool,
        outlier_detection: outlier,
        load_balancer: lb,
        tls,
    };
    (tp != TrafficPolicy::default()).then_some(tp)
}

/// The Slack AlertProvider, when the cluster has `alerts.slack` and a service is released
/// by Flagger.
pub fn alert_provider(
    cluster: &ResolvedCluster,
    services: &[ResolvedService],
) -> Option<AlertProvider> {
    let slack = cluster.slack.as_ref()?;
    services.iter().any(flagger_owned).then(|| AlertProvider {
        metadata: meta(ALERT_PROVIDER),
        spec: AlertProviderSpec {
            type_: "slack".into(),
            channel: slack.channel.clone(),
            secret_ref: SecretRef {
                name: slack.secret_ref.clone(),
            },
        },
    })
}
