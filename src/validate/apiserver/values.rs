//! Numbers, percentages and quantities, as the API server's validation reads them.

use serde_json::Value;

/// `IsValidPortNum`: 1 to 65535.
pub fn port_number(n: i64) -> Option<String> {
    (!(1..=65535).contains(&n)).then(|| "must be a port number from 1 to 65535".into())
}

/// `ValidateNonnegativeField`: at least 0.
pub fn non_negative(n: i64) -> Option<String> {
    (n < 0).then(|| "must be greater than or equal to 0".into())
}

/// The integer of a JSON number that is one (`None` for anything else).
pub fn int(v: &Value) -> Option<i64> {
    v.as_i64()
}

/// `ValidatePositiveIntOrPercent` (and `IsNotMoreThan100Percent` when `at_most_100`): an
/// integer of at least 0, or a string `N%`.
pub fn int_or_percent(v: &Value, at_most_100: bool) -> Option<String> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .and_then(non_negative)
            .or_else(|| n.as_i64().is_none().then(|| "must be an integer".into())),
        Value::String(s) => {
            let Some(digits) = s.strip_suffix('%') else {
                return Some("must be an integer or a percentage such as `25%`".into());
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Some("must be an integer or a percentage such as `25%`".into());
            }
            let over = digits
                .trim_start_matches('0')
                .parse::<u64>()
                .map_or(digits.trim_start_matches('0').len() > 3, |p| p > 100);
            (at_most_100 && over).then(|| "must not be greater than 100%".into())
        }
        _ => None,
    }
}

/// `ValidateNonnegativeQuantity`: a quantity (string or number) that is not negative. Only
/// the sign is judged here; the grammar is the schema's.
pub fn non_negative_quantity(v: &Value) -> Option<String> {
    let negative = match v {
        Value::String(s) => s.trim_start().starts_with('-') && quantity(s).is_some_and(|q| q < 0.0),
        Value::Number(n) => n.as_f64().is_some_and(|f| f < 0.0),
        _ => false,
    };
    negative.then(|| "must be greater than or equal to 0".into())
}

/// A quantity's value as a float (`100m` → 0.1, `1Gi` → 2^30), or `None` when it does not
/// parse: the blueprint checks' parser, one grammar for both.
pub fn quantity(s: &str) -> Option<f64> {
    crate::blueprint::names::parse_quantity(s)
}

/// A quantity given as a JSON string or number, as a float.
pub fn quantity_value(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => quantity(s),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_as_the_api_server_reads_them() {
        assert!(port_number(70000).is_some());
        assert!(port_number(0).is_some());
        assert_eq!(port_number(8080), None);
        assert_eq!(int_or_percent(&json!("25%"), true), None);
        assert_eq!(int_or_percent(&json!(3), true), None);
        assert!(int_or_percent(&json!("lots"), false).is_some());
        assert!(int_or_percent(&json!("150%"), true).is_some());
        assert_eq!(int_or_percent(&json!("150%"), false), None);
        assert!(int_or_percent(&json!(-1), false).is_some());
        assert!(non_negative_quantity(&json!("-100m")).is_some());
        assert_eq!(non_negative_quantity(&json!("100m")), None);
        assert_eq!(quantity("100m"), Some(0.1));
        assert_eq!(quantity("1Gi"), Some(1073741824.0));
        assert_eq!(quantity("1e3"), Some(1000.0));
        assert!(quantity("2").unwrap() > quantity("1500m").unwrap());
    }
}
