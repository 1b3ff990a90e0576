//! Small value types shared by blueprints and cluster files.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize};

/// The only input API version so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ApiVersion {
    /// `fluxprint/v1alpha1`
    #[serde(rename = "fluxprint/v1alpha1")]
    V1Alpha1,
}

/// A Kubernetes resource quantity (`250m`, `1`, `512Mi`), written as a string or a number.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Quantity(pub String);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            I(i64),
            F(f64),
        }
        Ok(Quantity(match Raw::deserialize(deserializer)? {
            Raw::S(s) => s,
            Raw::I(i) => i.to_string(),
            Raw::F(f) => f.to_string(),
        }))
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> Cow<'static, str> {
        "Quantity".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A Kubernetes quantity such as `250m`, `1`, `256Mi` or `10Gi`.",
            "type": ["string", "number"],
            "pattern": QUANTITY_PATTERN,
        })
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Kubernetes quantity grammar (`k8s.io/apimachinery/pkg/api/resource`).
pub const QUANTITY_PATTERN: &str =
    r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$";

/// A Go-style duration as Flux and Istio accept it (`300ms`, `5s`, `10m`, `1h30m`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Duration(pub String);

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A duration such as `300ms`, `5s`, `10m` or `1h30m`.",
            "type": "string",
            "pattern": DURATION_PATTERN,
        })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The duration grammar Flux's CRDs enforce.
pub const DURATION_PATTERN: &str = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$";

impl Duration {
    /// The duration in milliseconds (the pattern guarantees the shape; junk counts as 0).
    pub fn millis(&self) -> f64 {
        let mut total = 0.0;
        let mut number = String::new();
        let mut chars = self.0.chars().peekable();
        while let Some(c) = chars.next() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let value: f64 = number.parse().unwrap_or(0.0);
            number.clear();
            let factor = match c {
                'm' if chars.peek() == Some(&'s') => {
                    chars.next();
                    1.0
                }
                's' => 1_000.0,
                'm' => 60_000.0,
                'h' => 3_600_000.0,
                _ => 0.0,
            };
            total += value * factor;
        }
        total
    }
}

/// A port given by name (`http`) or number (`8080`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PortRef {
    /// A port number.
    Number(u16),
    /// A port name declared in `ports`.
    Name(String),
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(s) => f.write_str(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_millis() {
        assert_eq!(Duration("300ms".into()).millis(), 300.0);
        assert_eq!(Duration("1h30m".into()).millis(), 5_400_000.0);
        assert_eq!(Duration("2.5s".into()).millis(), 2_500.0);
    }

    #[test]
    fn quantity_reads_numbers_and_strings() {
        let q: Quantity = serde_json::from_value(serde_json::json!(1)).expect("int");
        assert_eq!(q.0, "1");
        let q: Quantity = serde_json::from_value(serde_json::json!("250m")).expect("str");
        assert_eq!(q.0, "250m");
    }
}
