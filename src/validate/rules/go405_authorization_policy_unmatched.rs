//! GO405: an AuthorizationPolicy whose selector matches no pods, or whose principals name
//! service accounts that do not exist.

use crate::validate::tree::Lookup;
use serde_json::Value;

use super::istio::is_istio;
use super::{ns, selects};
use crate::validate::rule::{Context, Findings, Rule};

/// GO405
pub struct AuthorizationPolicyUnmatched;

impl Rule for AuthorizationPolicyUnmatched {
    fn code(&self) -> &'static str {
        "GO405"
    }
    fn name(&self) -> &'static str {
        "authorization-policy-unmatched"
    }
    fn summary(&self) -> &'static str {
        "An AuthorizationPolicy selects no pods, or allows a principal whose ServiceAccount is not in the tree."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nThe policy's `selector.matchLabels` matches the pods of a workload \
         in its namespace, and every `cluster.local/ns/<ns>/sa/<name>` principal names a \
         ServiceAccount of the tree. Principals of namespaces without workloads or service \
         accounts in the tree (the ingress gateway's, typically) are not checked.\n\n\
         ## Why it matters\nA policy that selects nothing protects nothing; an allowed principal \
         that does not exist is a caller that will be denied — the outage appears only when it \
         calls.\n\n## Example\n```yaml\nprincipals: [cluster.local/ns/edge/sa/gatewy]   # GO405\n```\n\n\
         ## Fix\nMatch the workload's labels; name existing ServiceAccounts."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        // Only namespaces whose workloads the tree holds can be judged: the gateway's service
        // account usually belongs to the platform.
        let namespaces: std::collections::BTreeSet<&str> = ctx
            .tree
            .objects
            .iter()
            .filter(|o| o.kind() == "ServiceAccount" || super::pod_template(o).is_some())
            .filter_map(|o| o.namespace())
            .collect();
        for (i, ap) in ctx
            .tree
            .of_kind("AuthorizationPolicy")
            .filter(|(_, o)| is_istio(o))
        {
            if let Some(selector) = ap
                .at("/spec/selector/matchLabels")
                .and_then(Value::as_object)
            {
                let matched = ctx
                    .workloads_in(ns(ap))
                    .any(|(_, _, _, labels)| labels.is_some_and(|l| selects(selector, l)));
                if !matched {
                    out.object(
                        i,
                        "/spec/selector",
                        format!("{} selects no pods in its namespace", ap.id()),
                        None,
                    );
                }
            }
            for (r, rule) in ap
                .at("/spec/rules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                for (f, from) in rule
                    .get("from")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    for (p, principal) in from
                        .lookup("/source/principals")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        let Some(principal) = principal.as_str() else {
                            continue;
                        };
                        let parts: Vec<&str> = principal.split('/').collect();
                        let [_, "ns", sa_ns, "sa", sa] = parts.as_slice() else {
                            continue;
                        };
                        if !namespaces.contains(sa_ns) || sa.contains('*') {
                            continue;
                        }
                        if ctx.find("ServiceAccount", sa_ns, sa).is_empty() {
                            out.object(i, &format!("/spec/rules/{r}/from/{f}/source/principals/{p}"), format!("{} allows `{principal}`, but ServiceAccount {sa_ns}/{sa} is not in the tree", ap.id()), None);
                        }
                    }
                }
            }
        }
    }
}
