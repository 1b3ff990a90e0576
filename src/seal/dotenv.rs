//! `KEY=VALUE` files (dotenv) for `fluxprint seal --from-env-file`. Values are returned in
//! zeroized buffers; errors name the line, never the value.

use zeroize::Zeroizing;

use crate::blueprint::names::is_c_identifier;

/// One variable: name and value bytes.
pub type Entry = (String, Zeroizing<Vec<u8>>);

/// Parses dotenv text: blank lines and `#` comments are skipped, `export ` is allowed,
/// values may be unquoted (trailing ` # comment` removed, surrounding spaces trimmed),
/// single-quoted (literal) or double-quoted (`\n`, `\t`, `\"`, `\\` escapes).
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut out: Vec<Entry> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("line {line_no}: expected KEY=VALUE"));
        };
        let key = key.trim();
        if !is_c_identifier(key) {
            return Err(format!(
                "line {line_no}: `{key}` is not a valid variable name"
            ));
        }
        if out.iter().any(|(k, _)| k == key) {
            return Err(format!("line {line_no}: `{key}` is set twice"));
        }
        let value = value.trim();
        let bytes = if let Some(inner) = value.strip_prefix('\'') {
            inner
                .strip_suffix('\'')
                .ok_or_else(|| format!("line {line_no}: unterminated single quote"))?
                .as_bytes()
                .to_vec()
        } else if let Some(inner) = value.strip_prefix('"') {
            let inner = inner
                .strip_suffix('"')
                .ok_or_else(|| format!("line {line_no}: unterminated double quote"))?;
            let mut s = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    match chars.next() {
                        Some('n') => s.push('\n'),
                        Some('t') => s.push('\t'),
                        Some('r') => s.push('\r'),
                        Some(other) => s.push(other),
                        None => s.push('\\'),
                    }
                } else {
                    s.push(c);
                }
            }
            s.into_bytes()
        } else {
            let v = value.split(" #").next().unwrap_or(value).trim_end();
            v.as_bytes().to_vec()
        };
        out.push((key.to_owned(), Zeroizing::new(bytes)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let text = "# c\n\nexport A=plain value # note\nB='lit $x'\nC=\"a\\nb\"\nD=\n";
        let got: Vec<(String, Vec<u8>)> = parse(text)
            .expect("parses")
            .into_iter()
            .map(|(k, v)| (k, v.to_vec()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("A".into(), b"plain value".to_vec()),
                ("B".into(), b"lit $x".to_vec()),
                ("C".into(), b"a\nb".to_vec()),
                ("D".into(), b"".to_vec()),
            ]
        );
    }

    #[test]
    fn errors_name_lines_not_values() {
        let e = parse("A=1\nnot a pair with secret\n").expect_err("error");
        assert_eq!(e, "line 2: expected KEY=VALUE");
        assert!(parse("A=1\nA=2\n").expect_err("dup").contains("set twice"));
        assert!(parse("1A=x\n").is_err());
    }
}
