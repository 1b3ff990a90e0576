//! What YAML 1.1 makes of a plain scalar that YAML 1.2 reads as a string: a fact about the
//! format, used where files are parsed (to keep such scalars) and by the rule that reports
//! them (GO006).

/// Plain scalars that YAML 1.2 reads as strings but YAML 1.1 (go-yaml v2, which kubectl and
/// kustomize descend from) reads as booleans, or as numbers in another base.
pub fn yaml11_meaning(text: &str) -> Option<&'static str> {
    // Most strings start with a letter other than these: reject them at once.
    if !matches!(
        text.as_bytes().first(),
        Some(b'y' | b'Y' | b'n' | b'N' | b'o' | b'O' | b'0'..=b'9' | b'-' | b'+')
    ) {
        return None;
    }
    const BOOLS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
        "OFF",
    ];
    if BOOLS.contains(&text) {
        return Some("a boolean");
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some("an octal number");
    }
    if digits.contains(':')
        && digits
            .split(':')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && digits.split(':').skip(1).all(|p| p.len() <= 2)
    {
        return Some("a base-60 number");
    }
    None
}
