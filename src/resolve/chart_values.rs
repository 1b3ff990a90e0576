//! A component's `values` against its chart's own `values.schema.json` (the schema Helm
//! itself enforces on install), where a chart-schema directory holds one for that chart
//! and version: `<dir>/<chart>/<version>/values.schema.json`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::codes::VALUES_SCHEMA;
use super::platform::ResolvedChart;
use super::resolver::Resolver;

/// What became of a component's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValuesCheck {
    /// Validated against this schema (findings, if any, were reported).
    Checked(PathBuf),
    /// No schema for the chart's version in any chart-schema directory (or a version range,
    /// whose release is not known until Flux picks one).
    NotChecked,
    /// The schema exists but cannot be used (it does not parse or compile), with why.
    Unusable(PathBuf, String),
}

/// Finds the schema of `chart` in `dirs` (the first that has one) and validates `values`
/// with it, reporting each violation at the value in the component file.
pub fn check(
    chart: &ResolvedChart,
    values: Option<&Value>,
    dirs: &[PathBuf],
    r: &mut Resolver<'_>,
) -> ValuesCheck {
    if chart.range {
        return ValuesCheck::NotChecked;
    }
    let Some(path) = dirs
        .iter()
        .map(|d| schema_path(d, chart))
        .find(|p| p.is_file())
    else {
        return ValuesCheck::NotChecked;
    };
    let schema = match crate::files::read_input_text(&path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(why) => return ValuesCheck::Unusable(path, why),
    };
    let validator = match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => return ValuesCheck::Unusable(path, e.to_string()),
    };
    // Without values the chart installs its defaults, which are the chart's business.
    let Some(values) = values else {
        return ValuesCheck::Checked(path);
    };
    // Helm validates its defaults with the given values over them. With the chart's
    // `values.yaml` beside the schema that is what is validated; without it a required key
    // may come from the defaults, so a missing one is not a finding.
    let defaults = path.with_file_name("values.yaml");
    let merged = crate::files::read_input_text(&defaults)
        .ok()
        .and_then(|t| crate::source::yaml::parse_json_documents(&t, |_| false).ok())
        .and_then(|docs| docs.into_iter().next())
        .map(|d| coalesce(d.value, values));
    let judged = merged.as_ref().unwrap_or(values);
    for error in validator.iter_errors(judged) {
        if merged.is_none()
            && matches!(
                error.kind(),
                jsonschema::error::ValidationErrorKind::Required { .. }
            )
        {
            continue;
        }
        let at = error.instance_path().as_str().to_owned();
        r.error(
            VALUES_SCHEMA,
            &format!("/values{at}"),
            format!(
                "values of chart `{}` {} fail its schema at `{}`: {error}",
                chart.name,
                chart.version,
                if at.is_empty() { "/" } else { &at }
            ),
            Some(format!(
                "the chart's own schema ({}) is what Helm enforces when Flux installs it",
                path.display()
            )),
        );
    }
    ValuesCheck::Checked(path)
}

/// `values` over `defaults` as Helm coalesces them: maps merge key by key, anything else
/// (lists included) replaces, and `null` removes the default.
fn coalesce(defaults: Value, values: &Value) -> Value {
    match (defaults, values) {
        (Value::Object(mut base), Value::Object(over)) => {
            for (k, v) in over {
                if v.is_null() {
                    base.remove(k);
                    continue;
                }
                let merged = match base.remove(k) {
                    Some(old) => coalesce(old, v),
                    None => v.clone(),
                };
                base.insert(k.clone(), merged);
            }
            Value::Object(base)
        }
        (_, v) => v.clone(),
    }
}

fn schema_path(dir: &Path, chart: &ResolvedChart) -> PathBuf {
    dir.join(&chart.name)
        .join(&chart.version)
        .join("values.schema.json")
}

#[cfg(test)]
mod tests {
    use super::coalesce;
    use serde_json::json;

    #[test]
    fn values_coalesce_over_defaults_as_helm_does() {
        let defaults = json!({"a": {"b": 1, "c": [1, 2]}, "d": "x", "e": true});
        let values = json!({"a": {"c": [3], "f": 2}, "d": null, "g": 0});
        assert_eq!(
            coalesce(defaults, &values),
            json!({"a": {"b": 1, "c": [3], "f": 2}, "e": true, "g": 0})
        );
    }
}
