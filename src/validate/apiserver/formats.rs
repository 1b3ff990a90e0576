//! Strings with a grammar of their own: cron schedules, host names, CIDRs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A CronJob's `schedule` as `validateScheduleFormat` (`pkg/apis/batch/validation`) reads it
/// on create: robfig/cron v3's `ParseStandard` (five fields of minute, hour, day of month,
/// month and day of week, or a descriptor such as `@hourly`), and no `TZ` anywhere (a
/// `TZ=`/`CRON_TZ=` prefix is refused in favour of `spec.timeZone`).
pub fn cron_schedule(schedule: &str) -> Option<String> {
    if schedule.contains("TZ") {
        return Some(
            "may not use `TZ=` or `CRON_TZ=`: the API server refuses them, set `spec.timeZone` \
             instead"
                .into(),
        );
    }
    if schedule.is_empty() {
        return Some("is empty".into());
    }
    if let Some(descriptor) = schedule.strip_prefix('@') {
        return match descriptor {
            "yearly" | "annually" | "monthly" | "weekly" | "daily" | "midnight" | "hourly" => None,
            d if d.strip_prefix("every ").is_some_and(go_duration) => None,
            _ => Some(format!(
                "`{schedule}` is not a descriptor (`@yearly`, `@monthly`, `@weekly`, `@daily`, \
                 `@hourly`, `@every <duration>`)"
            )),
        };
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!(
            "must have 5 fields (minute, hour, day of month, month, day of week), not {}",
            fields.len()
        ));
    }
    const MONTHS: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    let bounds: [(&str, u32, u32, &[&str], u32); 5] = [
        ("minute", 0, 59, &[], 0),
        ("hour", 0, 23, &[], 0),
        ("day of month", 1, 31, &[], 0),
        ("month", 1, 12, MONTHS, 1),
        ("day of week", 0, 6, DAYS, 0),
    ];
    for (field, (what, min, max, names, first)) in fields.iter().zip(bounds) {
        // Go's `strings.FieldsFunc` on `,`: empty parts are dropped.
        for part in field.split(',').filter(|p| !p.is_empty()) {
            if let Some(problem) = cron_range(part, min, max, names, first) {
                return Some(format!("has a {what} field `{field}` that {problem}"));
            }
        }
    }
    None
}

/// One `a`, `a-b`, `*`, `?` with an optional `/step` (robfig/cron's `getRange`).
fn cron_range(expr: &str, min: u32, max: u32, names: &[&str], first: u32) -> Option<String> {
    let mut steps = expr.split('/');
    let range = steps.next().unwrap_or("");
    let step = steps.next();
    if steps.next().is_some() {
        return Some("has more than one `/`".into());
    }
    let bounds: Vec<&str> = range.split('-').collect();
    let (start, mut end) = if bounds[0] == "*" || bounds[0] == "?" {
        (min, max)
    } else {
        let number = |s: &str| -> Option<u32> {
            if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
                return u32::try_from(i).ok().map(|i| i + first);
            }
            go_atoi(s)
        };
        let Some(start) = number(bounds[0]) else {
            return Some(format!("has `{}`, which is not a number", bounds[0]));
        };
        match bounds.as_slice() {
            [_] => (start, start),
            [_, b] => match number(b) {
                Some(end) => (start, end),
                None => return Some(format!("has `{b}`, which is not a number")),
            },
            _ => return Some("has more than one `-`".into()),
        }
    };
    if let Some(step) = step {
        match go_atoi(step) {
            Some(0) => return Some("has a step of 0".into()),
            Some(_) => {}
            None => return Some(format!("has a step `{step}` that is not a number")),
        }
        if bounds.len() == 1 {
            end = max;
        }
    }
    if start < min || end > max {
        return Some(format!("is outside {min}-{max}"));
    }
    (start > end).then(|| "has a range that ends before it starts".into())
}

/// Go's `strconv.Atoi` of a number that is not negative.
fn go_atoi(s: &str) -> Option<u32> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Larger than any bound: out of range, not unparsable.
    Some(digits.parse::<u32>().unwrap_or(u32::MAX))
}

/// Go's `time.ParseDuration` grammar: `0`, or signed runs of a decimal number and a unit.
fn go_duration(s: &str) -> bool {
    go_duration_nanos(s).is_some()
}

/// A duration in Go's `time.ParseDuration` grammar (`1h30m`, `1.5s`, `300us`), in
/// nanoseconds; `None` when it does not parse.
pub fn go_duration_nanos(s: &str) -> Option<i128> {
    let (negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut rest = s;
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (n, tail) = rest.split_at(end);
        let (whole, fraction) = n.split_once('.').unwrap_or((n, ""));
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return None;
        }
        let (unit, scale) = [
            ("ns", 1i128),
            ("us", 1_000),
            ("µs", 1_000),
            ("μs", 1_000),
            ("ms", 1_000_000),
            ("s", 1_000_000_000),
            ("m", 60_000_000_000),
            ("h", 3_600_000_000_000),
        ]
        .into_iter()
        .filter(|(u, _)| tail.starts_with(u))
        .max_by_key(|(u, _)| u.len())?;
        let whole: i128 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut part = whole.checked_mul(scale)?;
        let mut place = scale;
        for digit in fraction.bytes().take(18) {
            place /= 10;
            part += i128::from(digit - b'0') * place;
        }
        total = total.checked_add(part)?;
        rest = &tail[unit.len()..];
    }
    Some(if negative { -total } else { total })
}

/// `IsWildcardDNS1123Subdomain`: `*.` and a DNS-1123 subdomain, at most 253 characters.
pub fn wildcard_dns1123_subdomain(s: &str) -> Option<String> {
    let ok = s.len() <= 253
        && s.strip_prefix("*.")
            .is_some_and(|rest| super::names::dns1123_subdomain(rest).is_none());
    (!ok).then(|| {
        "must be `*.` followed by a DNS-1123 subdomain: a wildcard is only the whole first label"
            .into()
    })
}

/// An Ingress host as `validateIngressRules` and `validateIngressTLS` read it: a wildcard
/// subdomain when it has a `*`, else a DNS-1123 subdomain; a rule's host is no IP address.
pub fn ingress_host(host: &str, rule: bool) -> Option<String> {
    if rule && parse_ip_sloppy(host).is_some() {
        return Some("must be a DNS name, not an IP address".into());
    }
    if host.contains('*') {
        wildcard_dns1123_subdomain(host)
    } else {
        super::names::dns1123_subdomain(host)
    }
}

/// An IP address as Go's `netutils.ParseIPSloppy` reads it: IPv4 octets may have leading
/// zeros (read as decimal).
pub fn parse_ip_sloppy(s: &str) -> Option<IpAddr> {
    if s.contains(':') {
        return s.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let octets: Vec<&str> = s.split('.').collect();
    if octets.len() != 4 {
        return None;
    }
    let mut out = [0u8; 4];
    for (o, part) in out.iter_mut().zip(&octets) {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *o = part.parse().ok()?;
    }
    Some(IpAddr::V4(Ipv4Addr::from(out)))
}

/// A CIDR as `netutils.ParseCIDRSloppy` reads it: `(network address, prefix length)`, the
/// address masked to the prefix.
pub fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (ip, len) = s.split_once('/')?;
    let ip = parse_ip_sloppy(ip)?;
    if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let len: u8 = len.parse().ok()?;
    let network = match ip {
        IpAddr::V4(a) if len <= 32 => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask))
        }
        IpAddr::V6(a) if len <= 128 => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask))
        }
        _ => return None,
    };
    Some((network, len))
}

/// `IsValidCIDRForLegacyField` (without the StrictIPCIDRValidation gate's extra checks).
pub fn cidr(s: &str) -> Option<String> {
    parse_cidr(s)
        .is_none()
        .then(|| "must be a CIDR such as `10.0.0.0/8` or `fd00::/8`".into())
}

/// `ValidateIPBlock`'s rule for `except`: a strict subset of `cidr` (same family, a longer
/// prefix, inside it). `None` when either does not parse (reported on its own).
pub fn strict_subset(except: &str, of: &str) -> Option<String> {
    let ((inner, inner_len), (outer, outer_len)) = (parse_cidr(except)?, parse_cidr(of)?);
    let inside = match (inner, outer) {
        (IpAddr::V4(i), IpAddr::V4(o)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(outer_len)).unwrap_or(0);
            u32::from(i) & mask == u32::from(o)
        }
        (IpAddr::V6(i), IpAddr::V6(o)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(outer_len))
                .unwrap_or(0);
            u128::from(i) & mask == u128::from(o)
        }
        _ => false,
    };
    (!inside || inner_len <= outer_len).then(|| format!("must be a strict subset of `{of}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_schedules_as_robfig_cron_reads_them() {
        for good in [
            "*/5 * * * *",
            "0 3 * * *",
            "0 0 1 jan *",
            "30 2 * * MON-FRI",
            "0 0,12 * * 0",
            "0 */2 1-15 * ?",
            "@hourly",
            "@daily",
            "@every 1h30m",
            "5 4 * * sun",
            "0 0 * * 6",
            "0 0 31 12 *",
        ] {
            assert_eq!(cron_schedule(good), None, "{good}");
        }
        for bad in [
            "every day",
            "",
            "* * * *",
            "* * * * * *",
            "60 * * * *",
            "0 24 * * *",
            "0 0 0 * *",
            "0 0 * 13 *",
            "0 0 * * 7",
            "5-1 * * * *",
            "*/0 * * * *",
            "@often",
            "@every soon",
            "CRON_TZ=UTC 0 3 * * *",
            "TZ=Europe/Berlin @daily",
            "1-2-3 * * * *",
        ] {
            assert!(cron_schedule(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn hosts_and_cidrs_as_the_api_server_reads_them() {
        for good in ["web.example.org", "*.example.org", "localhost"] {
            assert_eq!(ingress_host(good, true), None, "{good}");
        }
        for bad in [
            "web.*.example.org",
            "*",
            "*example.org",
            "Web.example.org",
            "10.0.0.1",
        ] {
            assert!(ingress_host(bad, true).is_some(), "{bad}");
        }
        for good in [
            "10.0.0.0/8",
            "10.1.2.3/8",
            "0.0.0.0/0",
            "fd00::/8",
            "::/0",
            "010.0.0.0/8",
        ] {
            assert_eq!(cidr(good), None, "{good}");
        }
        for bad in [
            "10.0.0.300/8",
            "10.0.0.0",
            "10.0.0.0/33",
            "fd00::/129",
            "example/8",
        ] {
            assert!(cidr(bad).is_some(), "{bad}");
        }
        assert_eq!(strict_subset("10.1.0.0/16", "10.0.0.0/8"), None);
        assert_eq!(strict_subset("fd00:1::/32", "fd00::/16"), None);
        assert!(strict_subset("10.0.0.0/8", "10.0.0.0/8").is_some());
        assert!(strict_subset("192.168.0.0/16", "10.0.0.0/8").is_some());
        assert!(strict_subset("fd00::/16", "10.0.0.0/8").is_some());
        assert_eq!(go_duration_nanos("1h30m"), Some(5_400_000_000_000));
        assert_eq!(go_duration_nanos("1.5s"), Some(1_500_000_000));
        assert_eq!(go_duration_nanos("300us"), Some(300_000));
        assert_eq!(go_duration_nanos("-1m"), Some(-60_000_000_000));
        for bad in ["", "5", "five seconds", "1d", ".s", "1..2s"] {
            assert_eq!(go_duration_nanos(bad), None, "{bad}");
        }
    }
}
