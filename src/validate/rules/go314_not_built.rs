//! GO314: what the validator cannot build, and so does not judge.

use crate::validate::rule::{Context, Findings, Grade, Rule};

/// GO314
pub struct NotBuilt;

impl Rule for NotBuilt {
    fn code(&self) -> &'static str {
        "GO314"
    }
    fn name(&self) -> &'static str {
        "not-built"
    }
    fn summary(&self) -> &'static str {
        "A remote resource, a helmCharts entry or a Kustomization whose source is not this repository: not built, not judged."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nNothing is fetched while validating. Remote kustomize resources \
         (git or HTTP URLs), `helmCharts` entries, `transformers`, `generators` and \
         `validators` plugins that are not kustomize's built-in ones (exec and KRM function \
         plugins such as ksops), and Flux Kustomizations whose `sourceRef` is not this \
         repository (another GitRepository, an OCIRepository, an ExternalArtifact) \
         cannot be built from the tree; each is noted once, so that a clean report never \
         hides what was not looked at.\n\n\
         ## Why it matters\nWhat was not built was not validated: its objects may still be \
         wrong.\n\n\
         ## Example\n```yaml\nresources:\n  - https://github.com/org/repo//deploy?ref=v1   # GO314\n```\n\n\
         ## Fix\nNothing to fix. Validate the other repository on its own, or vendor the \
         remote base, to have it judged. `--ignore GO314` silences the notes."
    }
    fn grade(&self) -> Grade {
        Grade::Notice
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        let applied = &ctx.tree.applied;
        let mut seen = std::collections::BTreeSet::new();
        let notes = applied
            .notes
            .iter()
            .chain(applied.units.iter().flat_map(|u| u.notes.iter()));
        for note in notes {
            if !seen.insert((note.origin.clone(), note.message.clone())) {
                continue;
            }
            if let Some((file, span)) = ctx.tree.origin_span(&note.origin) {
                out.file(file, span, note.message.clone(), None);
            }
        }
    }
}
