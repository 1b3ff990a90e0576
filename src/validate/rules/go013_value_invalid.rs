//! GO013: a string of a built-in kind with a grammar of its own that the API server refuses:
//! a CronJob's schedule, an Ingress host, a NetworkPolicy CIDR.

use serde_json::Value;

use crate::validate::apiserver::formats::{cidr, cron_schedule, ingress_host, strict_subset};
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::Object;

use super::go008_name_invalid::{literal_note, stays_literal, unsubstituted};

/// GO013
pub struct ValueInvalid;

impl Rule for ValueInvalid {
    fn code(&self) -> &'static str {
        "GO013"
    }
    fn name(&self) -> &'static str {
        "value-invalid"
    }
    fn summary(&self) -> &'static str {
        "A CronJob schedule, Ingress host or NetworkPolicy CIDR of a syntax the API server refuses."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nStrings that kube-apiserver parses in code (the OpenAPI schema \
         only says `string`):\n\
         - a CronJob's `schedule`: five fields (minute 0-59, hour 0-23, day of month 1-31, \
         month 1-12 or `jan`-`dec`, day of week 0-6 or `sun`-`sat`; each a number, a range \
         `a-b`, `*` or `?`, with an optional `/step`, in comma-separated lists), or a \
         descriptor (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, \
         `@hourly`, `@every 1h`); a `TZ=` or `CRON_TZ=` prefix is refused (use \
         `spec.timeZone`);\n\
         - an Ingress rule's `host` and a TLS entry's `hosts`: DNS-1123 subdomains, or `*.` \
         then one (the wildcard is the whole first label only); a rule's host is no IP \
         address;\n\
         - a NetworkPolicy `ipBlock`'s `cidr` and `except` entries: CIDRs (IPv4 or IPv6), \
         each `except` a strict subset of its `cidr`.\n\n\
         A value with `${var}` is judged as written where no post-build substitution \
         reaches it (its Flux Kustomization, applied by another, has no `postBuild` \
         variables, or the object turns substitution off): the API server receives it so. \
         Where a substitution reaches it, or may (a cluster's root Kustomization), GO308 \
         judges the variable instead.\n\n\
         ## Why it matters\nThe API server refuses the object, so Flux fails the whole \
         Kustomization it belongs to.\n\n\
         ## Example\n```yaml\nkind: CronJob\nspec:\n  schedule: every day   # GO013\n```\n\n\
         ## Fix\nWrite the value in the syntax the message names (`0 3 * * *`, `*.example.org`, \
         `10.0.0.0/8`)."
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        if !ctx.has_schema(i) {
            return;
        }
        let literal = stays_literal(ctx, o);
        // A `${var}` is judged only where no substitution will replace it.
        let skip = |s: &str| unsubstituted(s) && literal.is_none();
        let mut say = |pointer: &str, problem: String| {
            let message = literal_note(format!("{}: {problem}", o.id()), literal);
            out.object(i, pointer, message, None);
        };
        match (o.group(), o.kind()) {
            ("batch", "CronJob") => {
                if let Some(s) = o.at("/spec/schedule").and_then(Value::as_str) {
                    if !skip(s) {
                        if let Some(problem) = cron_schedule(s) {
                            say("/spec/schedule", format!("the schedule {problem}"));
                        }
                    }
                }
            }
            ("networking.k8s.io", "Ingress") => ingress(o, &skip, &mut say),
            ("networking.k8s.io", "NetworkPolicy") => network_policy(o, &mut say),
            _ => {}
        }
    }
}

fn items<'a>(o: &'a Object, pointer: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    o.at(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
}

fn ingress(o: &Object, skip: &impl Fn(&str) -> bool, say: &mut impl FnMut(&str, String)) {
    for (r, rule) in items(o, "/spec/rules") {
        if let Some(host) = rule.get("host").and_then(Value::as_str) {
            if !host.is_empty() && !skip(host) {
                if let Some(problem) = ingress_host(host, true) {
                    say(
                        &format!("/spec/rules/{r}/host"),
                        format!("host `{host}` {problem}"),
                    );
                }
            }
        }
    }
    for (t, tls) in items(o, "/spec/tls") {
        for (h, host) in tls
            .get("hosts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some(host) = host.as_str() else { continue };
            if skip(host) {
                continue;
            }
            if let Some(problem) = ingress_host(host, false) {
                say(
                    &format!("/spec/tls/{t}/hosts/{h}"),
                    format!("TLS host `{host}` {problem}"),
                );
            }
        }
    }
}

fn network_policy(o: &Object, say: &mut impl FnMut(&str, String)) {
    for (direction, peers) in [("ingress", "from"), ("egress", "to")] {
        for (r, rule) in items(o, &format!("/spec/{direction}")) {
            for (p, peer) in rule
                .get(peers)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some(block) = peer.get("ipBlock") else {
                    continue;
                };
                let at = format!("/spec/{direction}/{r}/{peers}/{p}/ipBlock");
                let Some(outer) = block.get("cidr").and_then(Value::as_str) else {
                    continue;
                };
                if unsubstituted(outer) {
                    continue;
                }
                if let Some(problem) = cidr(outer) {
                    say(&format!("{at}/cidr"), format!("`{outer}` {problem}"));
                    continue;
                }
                for (e, except) in block
                    .get("except")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let Some(except) = except.as_str() else {
                        continue;
                    };
                    if unsubstituted(except) {
                        continue;
                    }
                    let problem = cidr(except).or_else(|| strict_subset(except, outer));
                    if let Some(problem) = problem {
                        say(&format!("{at}/except/{e}"), format!("`{except}` {problem}"));
                    }
                }
            }
        }
    }
}
