//! GO302: a manifest in a kustomize directory that its kustomization.yaml does not list.

use std::collections::HashSet;

use super::go301_kustomize_entry_missing::entries;
use crate::source::Span;
use crate::validate::rule::{Context, Findings, Grade, Rule};
use crate::validate::tree::{escapes, is_kustomization_file, normalize};

/// GO302
pub struct FileNotInKustomization;

impl Rule for FileNotInKustomization {
    fn code(&self) -> &'static str {
        "GO302"
    }
    fn name(&self) -> &'static str {
        "file-not-in-kustomization"
    }
    fn summary(&self) -> &'static str {
        "A YAML file sits in a directory with a kustomization.yaml that does not list it, so it is never applied."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nIn a directory with a `kustomization.yaml`, every other YAML file of \
         that directory is named by one of its entries.\n\n\
         ## Why it matters\nThe file looks deployed in review but kustomize ignores it: the \
         change never reaches the cluster.\n\n\
         ## Example\n`apps/order/pdb.yaml` exists, `apps/order/kustomization.yaml` lists only \
         `deployment.yaml` → GO302 on `pdb.yaml`.\n\n## Fix\nAdd it to `resources` (or delete it)."
    }
    fn grade(&self) -> Grade {
        Grade::Hygiene
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        // Only asked whether they hold a path: hashing is cheaper than ordering.
        let mut listed = HashSet::new();
        let mut dirs = HashSet::new();
        for k in &ctx.tree.kustomizations {
            let display = &ctx.tree.file(k.file).display;
            let dir = display.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
            let in_root = &ctx.tree.file(k.file).in_root;
            let dir_in_root = in_root.rsplit_once('/').map_or("", |(d, _)| d);
            for (_, entry) in entries(&k.value) {
                // `..` above the root would collapse onto an unrelated file of the tree.
                if !escapes(dir_in_root, &entry) {
                    listed.insert(normalize(&dir, &entry));
                }
            }
            dirs.insert(dir);
        }
        for (i, f) in ctx.tree.files.iter().enumerate() {
            let (dir, name) = f
                .display
                .rsplit_once('/')
                .unwrap_or(("", f.display.as_str()));
            // A file some build reads (a generator's source, a patch, a transformer
            // configuration) is used, listed or not.
            let used = ctx.tree.applied.covered.contains(&f.in_root);
            if dirs.contains(dir)
                && !is_kustomization_file(name)
                && !listed.contains(&f.display)
                && !used
            {
                out.file(
                    i,
                    Span::START,
                    format!(
                        "`{}` is not listed in {dir}/kustomization.yaml and is never applied",
                        f.display
                    ),
                    Some("add it to `resources`".into()),
                );
            }
        }
    }
}
