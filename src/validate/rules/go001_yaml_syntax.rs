//! GO001: a file that is not valid YAML.

use crate::validate::rule::{Context, Findings, Rule};

/// GO001
pub struct YamlSyntax;

impl Rule for YamlSyntax {
    fn code(&self) -> &'static str {
        "GO001"
    }
    fn name(&self) -> &'static str {
        "yaml-syntax"
    }
    fn summary(&self) -> &'static str {
        "A file is not valid YAML (syntax error, duplicate key, alias bomb, nesting too deep)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery `.yaml`/`.yml` file parses as YAML 1.2, has no duplicate keys, \
         expands aliases to at most 100,000 nodes per file (5,000,000 over a whole run) and nests at most 200 levels.\n\n\
         ## Why it matters\nkustomize and Flux refuse the whole directory; duplicate keys are \
         silently resolved differently by different parsers.\n\n\
         ## Example\n```yaml\nmetadata:\n  name: a\n  name: b   # GO001 duplicate key\n```\n\n\
         ## Fix\nCorrect the syntax at the reported position."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (file, e) in &ctx.tree.parse_errors {
            out.file(*file, e.span, e.message.clone(), None);
        }
    }
}
