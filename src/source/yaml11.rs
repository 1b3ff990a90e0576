//! What YAML 1.1 makes of a plain scalar that YAML 1.2 reads as a string: a fact about the
//! format, used where files are parsed (to keep such scalars) and by the rule that reports
//! them (GO006). Only booleans: go-yaml v2 (kubectl's reader) takes `yes`, `on`, `y`… for
//! booleans, but reads base-60 (`1:20`) as a string as v3 (Flux's) does, and a 1.1 octal
//! (`0755`) as the same number as v3, so neither differs for the tools that apply a tree.

/// Plain scalars that YAML 1.2 reads as strings but YAML 1.1 (go-yaml v2, kubectl's reader)
/// reads as booleans.
pub fn yaml11_meaning(text: &str) -> Option<&'static str> {
    // Most strings start with a letter other than these: reject them at once.
    if !matches!(
        text.as_bytes().first(),
        Some(b'y' | b'Y' | b'n' | b'N' | b'o' | b'O')
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
    None
}
