//! GO103: an image without a tag, or tagged `latest`.

use super::{containers, pod_template};
use crate::validate::rule::{Context, Findings, Grade, Rule};
use crate::validate::tree::Object;

/// GO103
pub struct ImageNotPinned;

/// The tag of an image reference, `None` when there is none (a digest counts as pinned).
fn tag(image: &str) -> Option<&str> {
    if image.contains('@') {
        return Some("digest");
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map(|(_, t)| t)
}

impl Rule for ImageNotPinned {
    fn code(&self) -> &'static str {
        "GO103"
    }
    fn name(&self) -> &'static str {
        "image-not-pinned"
    }
    fn summary(&self) -> &'static str {
        "A container image has no tag or the tag `latest`."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery container image names a tag other than `latest`, or a digest. \
         Error under the strict policy, warning under relaxed.\n\n\
         ## Why it matters\nThe same manifest then runs different code on different nodes and \
         days; rollbacks do not roll back.\n\n## Example\n```yaml\nimage: nginx   # GO103\n```\n\n\
         ## Fix\nPin a version (`nginx:1.27.3`)."
    }
    fn grade(&self) -> Grade {
        Grade::Hygiene
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, _ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        let Some(t) = pod_template(o) else { return };
        for (pointer, c) in containers(o, t) {
            let Some(image) = c.get("image").and_then(serde_json::Value::as_str) else {
                continue;
            };
            match tag(image) {
                None => out.object(
                    i,
                    &format!("{pointer}/image"),
                    format!("image `{image}` has no tag"),
                    Some("pin a version tag".into()),
                ),
                Some("latest") => out.object(
                    i,
                    &format!("{pointer}/image"),
                    format!("image `{image}` uses the tag `latest`"),
                    Some("pin a version tag".into()),
                ),
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tag;

    #[test]
    fn tags() {
        assert_eq!(tag("nginx"), None);
        assert_eq!(tag("localhost:5000/app"), None);
        assert_eq!(tag("localhost:5000/app:1.0"), Some("1.0"));
        assert_eq!(tag("a/b@sha256:ab"), Some("digest"));
    }
}
