//! Name and label syntax, as `k8s.io/apimachinery/pkg/util/validation` defines it.

/// How the API server checks `metadata.name` of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    /// `NameIsDNSSubdomain`: most kinds, and every custom resource.
    Subdomain,
    /// `NameIsDNSLabel`: Namespace, StatefulSet.
    Label,
    /// `NameIsDNS1035Label`: Service.
    Label1035,
    /// `IsValidPathSegmentName`: the RBAC kinds (`system:controller:x` is a valid name).
    PathSegment,
}

/// The name rule of `(group, kind)` (`ValidateXName` in the API server's validation
/// packages; CRDs' objects use `NameIsDNSSubdomain`).
pub fn name_rule(group: &str, kind: &str) -> NameRule {
    match (group, kind) {
        ("", "Namespace") | ("apps", "StatefulSet") => NameRule::Label,
        ("", "Service") => NameRule::Label1035,
        (
            "rbac.authorization.k8s.io",
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding",
        ) => NameRule::PathSegment,
        _ => NameRule::Subdomain,
    }
}

/// Why `name` breaks `rule`, or `None`.
pub fn name_problem(name: &str, rule: NameRule) -> Option<String> {
    match rule {
        NameRule::Subdomain => dns1123_subdomain(name),
        NameRule::Label => dns1123_label(name),
        NameRule::Label1035 => dns1035_label(name),
        NameRule::PathSegment => path_segment_name(name),
    }
}

fn alnum_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `IsDNS1123Label`: at most 63 characters of `[a-z0-9-]`, starting and ending alphanumeric.
pub fn dns1123_label(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if s.is_empty() || s.len() > 63 {
        return Some("must be 1 to 63 characters (a DNS-1123 label)".into());
    }
    if !b.iter().all(|&c| alnum_lower(c) || c == b'-') {
        return Some("must be a DNS-1123 label: lower-case letters, digits and `-` only".into());
    }
    if !alnum_lower(b[0]) || !alnum_lower(b[b.len() - 1]) {
        return Some(
            "must start and end with a lower-case letter or digit (a DNS-1123 label)".into(),
        );
    }
    None
}

/// `IsDNS1035Label`: a DNS-1123 label that starts with a letter.
pub fn dns1035_label(s: &str) -> Option<String> {
    if let Some(p) = dns1123_label(s) {
        return Some(p.replace("DNS-1123", "DNS-1035"));
    }
    (!s.as_bytes()[0].is_ascii_lowercase())
        .then(|| "must start with a lower-case letter (a DNS-1035 label)".into())
}

/// `IsDNS1123Subdomain`: at most 253 characters, dot-separated DNS-1123 labels
/// (`[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*`).
pub fn dns1123_subdomain(s: &str) -> Option<String> {
    if s.is_empty() || s.len() > 253 {
        return Some("must be 1 to 253 characters (a DNS-1123 subdomain)".into());
    }
    let ok = s.split('.').all(|part| {
        let b = part.as_bytes();
        !b.is_empty()
            && b.iter().all(|&c| alnum_lower(c) || c == b'-')
            && alnum_lower(b[0])
            && alnum_lower(b[b.len() - 1])
    });
    (!ok).then(|| {
        "must be a DNS-1123 subdomain: lower-case letters, digits, `-` and `.`, each \
         dot-separated part starting and ending with a letter or digit"
            .into()
    })
}

/// `IsValidPathSegmentName`: not `.` or `..`, no `/` or `%`.
pub fn path_segment_name(s: &str) -> Option<String> {
    if s == "." || s == ".." {
        return Some("may not be `.` or `..`".into());
    }
    s.contains(['/', '%'])
        .then(|| "may not contain `/` or `%`".into())
}

/// The name part of a qualified name or a label value: `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`.
fn qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// `IsQualifiedName` (label and annotation keys): an optional DNS-1123 subdomain prefix and
/// `/`, then a name of at most 63 characters of `[-A-Za-z0-9_.]`, starting and ending
/// alphanumeric.
pub fn qualified_name(s: &str) -> Option<String> {
    // Asked of every label and annotation key: split without allocating.
    let name = match s.split_once('/') {
        None => s,
        Some((prefix, name)) if !name.contains('/') => {
            if prefix.is_empty() {
                return Some("has an empty prefix before `/`".into());
            }
            if dns1123_subdomain(prefix).is_some() {
                return Some("has a prefix that is not a DNS-1123 subdomain".into());
            }
            name
        }
        _ => return Some(
            "must be a name with at most one `/` (an optional DNS subdomain prefix, then the name)"
                .into(),
        ),
    };
    if name.is_empty() || name.len() > 63 {
        return Some("must have a name part of 1 to 63 characters".into());
    }
    (!qualified_name_part(name)).then(|| {
        "must have a name part of letters, digits, `-`, `_` and `.`, starting and ending with a \
         letter or digit"
            .into()
    })
}

/// `IsValidLabelValue`: empty, or at most 63 characters of `[-A-Za-z0-9_.]`, starting and
/// ending alphanumeric.
pub fn label_value(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    if s.len() > 63 {
        return Some("must be at most 63 characters".into());
    }
    (!qualified_name_part(s)).then(|| {
        "must be letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
            .into()
    })
}

/// `IsValidPortName` (an `IANA_SVC_NAME`): 1 to 15 characters of `[a-z0-9-]`, at least one
/// letter, no `-` at either end and no `--`.
pub fn iana_svc_name(s: &str) -> Option<String> {
    if s.is_empty() || s.len() > 15 {
        return Some("must be 1 to 15 characters (an IANA service name)".into());
    }
    if !s.bytes().all(|c| alnum_lower(c) || c == b'-') {
        return Some(
            "may contain only lower-case letters, digits and `-` (an IANA service name)".into(),
        );
    }
    if !s.bytes().any(|c| c.is_ascii_lowercase()) {
        return Some("must contain at least one letter (an IANA service name)".into());
    }
    if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
        return Some("may not start or end with `-` or contain `--` (an IANA service name)".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_the_api_server_reads_them() {
        assert_eq!(dns1123_subdomain("web.example-1"), None);
        for bad in ["", "Web", "a_b", "a-", "-a", "a..b", &"n".repeat(254)] {
            assert!(dns1123_subdomain(bad).is_some(), "{bad}");
        }
        assert_eq!(dns1123_label("1web"), None);
        assert!(dns1123_label("a.b").is_some());
        assert!(dns1035_label("1web").is_some());
        assert_eq!(dns1035_label("web-1"), None);
        assert_eq!(path_segment_name("system:controller:x"), None);
        assert!(path_segment_name("a/b").is_some());
        for good in ["app", "app.kubernetes.io/name", "A_b.c", "x/Y"] {
            assert_eq!(qualified_name(good), None, "{good}");
        }
        for bad in [
            "a/b/c",
            "a//b",
            "/a/b",
            "/a",
            "a/",
            "-a",
            "Example.com/a",
            &"k".repeat(64),
        ] {
            assert!(qualified_name(bad).is_some(), "{bad}");
        }
        assert_eq!(label_value(""), None);
        assert!(label_value("two words").is_some());
        assert!(label_value(&"v".repeat(64)).is_some());
        for good in ["http", "http-metrics", "h2c", "a1"] {
            assert_eq!(iana_svc_name(good), None, "{good}");
        }
        for bad in [
            "",
            "HTTP",
            "not-a-valid-port-name",
            "a--b",
            "-a",
            "123",
            "http_port",
        ] {
            assert!(iana_svc_name(bad).is_some(), "{bad}");
        }
    }
}
