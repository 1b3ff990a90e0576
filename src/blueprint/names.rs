//! Name and value grammars Kubernetes enforces, checked before anything is rendered.

/// Why a name is not a DNS-1123 label, or `None` when it is one of at most `max` characters.
pub fn dns1123_label(name: &str, max: usize) -> Option<String> {
    if name.is_empty() {
        return Some("must not be empty".into());
    }
    if name.len() > max {
        return Some(format!(
            "is {} characters long; the limit is {max}",
            name.len()
        ));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Some("may contain only lower-case letters, digits and '-'".into());
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("must start and end with a letter or digit".into());
    }
    None
}

/// Like [`dns1123_label`], and also starting with a letter (DNS-1035, required of Service names).
pub fn dns1035_label(name: &str, max: usize) -> Option<String> {
    dns1123_label(name, max).or_else(|| {
        (!name.starts_with(|c: char| c.is_ascii_lowercase()))
            .then(|| "must start with a lower-case letter".into())
    })
}

/// A DNS-1123 subdomain (dots allowed), e.g. a host name.
pub fn dns1123_subdomain(name: &str) -> Option<String> {
    if name.len() > 253 {
        return Some("is longer than 253 characters".into());
    }
    name.split('.').find_map(|part| dns1123_label(part, 63))
}

/// Why `name` is not an IANA service name (what Kubernetes requires of port names).
pub fn port_name(name: &str) -> Option<String> {
    if name.len() > 15 {
        return Some(format!(
            "is {} characters long; port names are limited to 15",
            name.len()
        ));
    }
    if let Some(why) = dns1123_label(name, 15) {
        return Some(why);
    }
    if name.contains("--") {
        return Some("must not contain \"--\"".into());
    }
    if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        return Some("must contain at least one letter".into());
    }
    None
}

/// True for a C identifier (environment variable names that every shell and runtime accept).
pub fn is_c_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Istio's protocol prefixes, most specific first; the port name is `<prefix>` or
/// `<prefix>-<suffix>`. The second item is the Service `appProtocol`.
pub const PROTOCOLS: &[(&str, &str)] = &[
    ("grpc-web", "grpc-web"),
    ("http2", "http2"),
    ("https", "https"),
    ("http", "http"),
    ("grpc", "grpc"),
    ("tcp", "tcp"),
    ("tls", "tls"),
    ("mongo", "mongo"),
    ("mysql", "mysql"),
    ("redis", "redis"),
];

/// The `appProtocol` for a port name, or `None` when the name has no known protocol prefix.
pub fn app_protocol(port_name: &str) -> Option<&'static str> {
    PROTOCOLS.iter().find_map(|(prefix, proto)| {
        let rest = port_name.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with('-')).then_some(*proto)
    })
}

/// Why `image` is not a repository without tag or digest.
pub fn image_repository(image: &str) -> Option<String> {
    if image.is_empty() {
        return Some("must not be empty".into());
    }
    if image.contains('@') {
        return Some(
            "must not contain a digest; the tag comes from `tag` and image automation".into(),
        );
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    if last.contains(':') {
        return Some("must not contain a tag; put it in `tag`".into());
    }
    if image.chars().any(char::is_whitespace) {
        return Some("must not contain spaces".into());
    }
    let path = match image.split_once('/') {
        // A first component with a dot or port is a registry host; the rest must be lower-case.
        Some((host, rest)) if host.contains('.') || host.contains(':') || host == "localhost" => {
            rest
        }
        _ => image,
    };
    if path
        .bytes()
        .any(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-/".contains(&b)))
    {
        return Some(
            "repository paths may contain only lower-case letters, digits, '.', '_', '-' and '/'"
                .into(),
        );
    }
    None
}

/// Why `tag` is not a valid image tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`).
pub fn image_tag(tag: &str) -> Option<String> {
    let mut bytes = tag.bytes();
    let first_ok = matches!(bytes.next(), Some(b) if b.is_ascii_alphanumeric() || b == b'_');
    if !first_ok
        || tag.len() > 128
        || !bytes.all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
    {
        return Some("must be 1-128 characters of letters, digits, '_', '.', '-', not starting with '.' or '-'".into());
    }
    None
}

/// A label value as Kubernetes accepts it (used for `app.kubernetes.io/version`).
pub fn is_label_value(value: &str) -> bool {
    value.len() <= 63
        && (value.is_empty()
            || (value.starts_with(|c: char| c.is_ascii_alphanumeric())
                && value.ends_with(|c: char| c.is_ascii_alphanumeric())
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))))
}

/// Parses a Kubernetes quantity into its value in base units (cores, bytes).
pub fn parse_quantity(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    if number.is_empty() || number == "." {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse::<i32>().ok()?),
        _ => return None,
    };
    Some(value * factor)
}

/// Why `schedule` is not a cron schedule as the CronJob controller reads it (five fields:
/// minute, hour, day of month, month, day of week; or `@hourly` … `@yearly`), or `None`.
pub fn cron_schedule(schedule: &str) -> Option<String> {
    const MACROS: &[&str] = &[
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
    ];
    const MONTHS: &[&str] = &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let trimmed = schedule.trim();
    if trimmed.starts_with("TZ=") || trimmed.starts_with("CRON_TZ=") {
        return Some("sets a time zone in the schedule, which Kubernetes refuses".into());
    }
    if trimmed.starts_with('@') {
        return (!MACROS.contains(&trimmed))
            .then(|| format!("`{trimmed}` is not one of {}", MACROS.join(", ")));
    }
    let fields: Vec<&str> = trimmed.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!(
            "has {} fields; a schedule has five: minute hour day-of-month month day-of-week",
            fields.len()
        ));
    }
    // (name, lowest, highest, names of values, `?` allowed)
    let specs: [(&str, u32, u32, &[&str], bool); 5] = [
        ("minute", 0, 59, &[], false),
        ("hour", 0, 23, &[], false),
        ("day of month", 1, 31, &[], true),
        ("month", 1, 12, MONTHS, false),
        ("day of week", 0, 6, DAYS, true),
    ];
    for (field, (what, low, high, names, any)) in fields.iter().zip(specs) {
        let value = |v: &str| -> Option<u32> {
            match v.parse::<u32>() {
                Ok(n) => (low..=high).contains(&n).then_some(n),
                Err(_) => names
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(v))
                    .and_then(|i| u32::try_from(i).ok())
                    .map(|i| i + low),
            }
        };
        for item in field.split(',') {
            let (range, step) = match item.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (item, None),
            };
            let step_ok = step.is_none_or(|s| s.parse::<u32>().is_ok_and(|n| n >= 1));
            let range_ok = match range {
                "*" => true,
                "?" => any,
                _ => match range.split_once('-') {
                    Some((a, b)) => matches!((value(a), value(b)), (Some(a), Some(b)) if a <= b),
                    None => value(range).is_some(),
                },
            };
            if !step_ok || !range_ok {
                return Some(format!(
                    "has `{item}` as {what}, which takes {low}-{high}{}, `*`, ranges, lists and steps",
                    if names.is_empty() { String::new() } else { format!(" or {}-{}", names[0], names[names.len() - 1]) }
                ));
            }
        }
    }
    None
}

/// Why `zone` is not a time zone name of the IANA database's form (`UTC`, `Europe/Berlin`,
/// `America/Argentina/Buenos_Aires`), or `None`. Whether the zone exists is known only to the
/// API server's time zone database.
pub fn time_zone(zone: &str) -> Option<String> {
    let part_ok = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_alphabetic())
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
    };
    (zone.is_empty() || zone.len() > 64 || !zone.split('/').all(part_ok))
        .then(|| "is not a time zone name such as `UTC` or `Europe/Berlin`".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_schedules_and_zones() {
        for ok in [
            "0 3 * * *",
            "*/15 * * * *",
            "0 0 1,15 * MON-FRI",
            "30 2 ? JAN sun",
            "@daily",
        ] {
            assert_eq!(cron_schedule(ok), None, "{ok}");
        }
        for bad in [
            "0 3 * *",
            "60 * * * *",
            "0 24 * * *",
            "* * 0 * *",
            "*/0 * * * *",
            "@sometimes",
            "TZ=UTC 0 3 * * *",
            "5-1 * * * *",
            "? * * * *",
        ] {
            assert!(cron_schedule(bad).is_some(), "{bad}");
        }
        assert_eq!(time_zone("Europe/Berlin"), None);
        assert_eq!(time_zone("America/Argentina/Buenos_Aires"), None);
        assert_eq!(time_zone("Etc/GMT+3"), None);
        assert!(time_zone("../etc/passwd").is_some());
        assert!(time_zone("Europe Berlin").is_some());
    }

    #[test]
    fn labels() {
        assert_eq!(dns1123_label("order", 40), None);
        assert!(dns1123_label("Order", 40).is_some());
        assert!(dns1123_label("-a", 40).is_some());
        assert!(dns1123_label(&"a".repeat(41), 40).is_some());
        assert!(dns1035_label("1abc", 63).is_some());
        assert_eq!(dns1123_subdomain("api.foodbuzz.com.bd"), None);
    }

    #[test]
    fn ports_and_protocols() {
        assert_eq!(port_name("http-web"), None);
        assert!(port_name("http--web").is_some());
        assert!(port_name("1234").is_some());
        assert!(port_name("a-very-long-port-name").is_some());
        assert_eq!(app_protocol("http"), Some("http"));
        assert_eq!(app_protocol("http-web"), Some("http"));
        assert_eq!(app_protocol("http2"), Some("http2"));
        assert_eq!(app_protocol("grpc-web"), Some("grpc-web"));
        assert_eq!(app_protocol("grpc-web-api"), Some("grpc-web"));
        assert_eq!(app_protocol("grpc-api"), Some("grpc"));
        assert_eq!(app_protocol("httpx"), None);
        assert_eq!(app_protocol("web"), None);
    }

    #[test]
    fn images_and_tags() {
        assert_eq!(
            image_repository("registry.digitalocean.com/foodbuzz/order"),
            None
        );
        assert_eq!(image_repository("nginx"), None);
        assert_eq!(image_repository("localhost:5000/app"), None);
        assert!(image_repository("nginx:1.27").is_some());
        assert!(image_repository("nginx@sha256:abc").is_some());
        assert!(image_repository("registry.io/FoodBuzz/app").is_some());
        assert_eq!(image_tag("1.4.2"), None);
        assert_eq!(image_tag("main-abc1234-1700000000"), None);
        assert!(image_tag("-x").is_some());
        assert!(image_tag("").is_some());
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("250m"), Some(0.25));
        assert_eq!(parse_quantity("1"), Some(1.0));
        assert_eq!(parse_quantity("256Mi"), Some(256.0 * 1024.0 * 1024.0));
        assert_eq!(parse_quantity("1e3"), Some(1000.0));
        assert_eq!(parse_quantity("256MB"), None);
        assert_eq!(parse_quantity("abc"), None);
    }

    #[test]
    fn identifiers_and_label_values() {
        assert!(is_c_identifier("DATABASE_URL"));
        assert!(!is_c_identifier("1X"));
        assert!(!is_c_identifier("A-B"));
        assert!(is_label_value("1.4.2"));
        assert!(!is_label_value("-x"));
    }
}
