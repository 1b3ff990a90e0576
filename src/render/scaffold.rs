//! `fluxprint init`: the files of a new platform repository, rendered from templates compiled
//! into the binary (`templates/init/`). Text, not API objects, so minijinja.

use minijinja::{context, Environment, UndefinedBehavior};
use serde::Serialize;

use crate::blueprint::schema::{blueprint_schema, cluster_schema, schema_text};
use crate::error::Error;

const GITLAB_CI: &str = include_str!("../../templates/init/gitlab-ci.yml.j2");
const DEV: &str = include_str!("../../templates/init/dev.yaml.j2");
const PROD: &str = include_str!("../../templates/init/prod.yaml.j2");
const README: &str = include_str!("../../templates/init/README.md.j2");

/// What `fluxprint init` asks for.
#[derive(Clone, Debug)]
pub struct InitOptions {
    /// Git host of the GitOps repositories (`gitlab.com`).
    pub git_host: String,
    /// Group (path) holding `gitops-dev` and `gitops-prod` (`foodbuzz`).
    pub git_group: String,
    /// Image repository of the example service, without tag.
    pub example_image: String,
    /// Image of the CI jobs (fluxprint and git).
    pub fluxprint_image: String,
}

/// One publish target of the CI template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CiCluster {
    /// Cluster name.
    pub name: String,
    /// `host/path.git` of its GitOps repository (cloned over HTTPS with a token).
    pub repo: String,
    /// Branch Flux reconciles.
    pub branch: String,
    /// Publishing waits for a person (strict clusters).
    pub manual: bool,
    /// The CI/CD variable holding the push token.
    pub token_var: String,
}

impl CiCluster {
    /// A publish target; the token variable is `GITOPS_<NAME>_TOKEN`.
    pub fn new(name: &str, repo: String, branch: &str, manual: bool) -> Self {
        CiCluster {
            name: name.to_owned(),
            repo,
            branch: branch.to_owned(),
            manual,
            token_var: format!(
                "GITOPS_{}_TOKEN",
                name.to_ascii_uppercase().replace('-', "_")
            ),
        }
    }
}

/// `host/path.git` of a Git URL in any of the forms Flux takes (`ssh://git@host[:port]/path`,
/// `git@host:path`, `https://host/path`), for an HTTPS clone.
pub fn https_repo(url: &str) -> Option<String> {
    let rest = if let Some(r) = url.strip_prefix("ssh://") {
        let (authority, path) = r.split_once('/')?;
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = host.split_once(':').map_or(host, |(h, _)| h);
        format!("{host}/{path}")
    } else if let Some(r) = url.strip_prefix("https://").or(url.strip_prefix("http://")) {
        r.rsplit_once('@').map_or(r, |(_, h)| h).to_owned()
    } else {
        let (user_host, path) = url.split_once(':')?;
        let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
        format!("{host}/{}", path.trim_start_matches('/'))
    };
    (!rest.starts_with('/') && rest.contains('/')).then_some(rest)
}

fn environment() -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Keep the file endings of the templates.
    env.set_keep_trailing_newline(true);
    for (name, text) in [
        ("gitlab-ci.yml", GITLAB_CI),
        ("dev.yaml", DEV),
        ("prod.yaml", PROD),
        ("README.md", README),
    ] {
        env.add_template(name, text)
            .map_err(|e| Error::Internal(format!("template {name}: {e}")))?;
    }
    Ok(env)
}

fn render(env: &Environment<'_>, name: &str, ctx: minijinja::Value) -> Result<String, Error> {
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| Error::Internal(format!("template {name}: {e}")))
}

/// The `.gitlab-ci.yml` publishing to `clusters`.
pub fn gitlab_ci(clusters: &[CiCluster], image: &str) -> Result<String, Error> {
    let width = clusters
        .iter()
        .map(|c| c.token_var.len())
        .max()
        .unwrap_or(0);
    render(
        &environment()?,
        "gitlab-ci.yml",
        context! { clusters, image, width },
    )
}

/// Every file of a new platform repository, as `(relative path, text)`, sorted by path.
pub fn init_files(o: &InitOptions) -> Result<Vec<(String, String)>, Error> {
    let env = environment()?;
    let repo = |cluster: &str| format!("{}/{}/gitops-{cluster}.git", o.git_host, o.git_group);
    let clusters = [
        CiCluster::new("dev", repo("dev"), "main", false),
        CiCluster::new("prod", repo("prod"), "main", true),
    ];
    let hosts = context! { git_host => &o.git_host, git_group => &o.git_group };
    let mut files = vec![
        (
            ".gitlab-ci.yml".to_owned(),
            gitlab_ci(&clusters, &o.fluxprint_image)?,
        ),
        (
            "README.md".to_owned(),
            render(&env, "README.md", context! { clusters })?,
        ),
        (
            "blueprints/hello.yaml".to_owned(),
            super::text::new_blueprint("hello", "platform", &o.example_image)?,
        ),
        (
            "clusters/dev.yaml".to_owned(),
            render(&env, "dev.yaml", hosts.clone())?,
        ),
        (
            "clusters/prod.yaml".to_owned(),
            render(&env, "prod.yaml", hosts)?,
        ),
        (
            "schemas/blueprint.schema.json".to_owned(),
            schema_text(&blueprint_schema()),
        ),
        (
            "schemas/cluster.schema.json".to_owned(),
            schema_text(&cluster_schema()),
        ),
    ];
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::https_repo;

    #[test]
    fn https_repo_from_flux_urls() {
        for (url, want) in [
            (
                "ssh://git@gitlab.com/foodbuzz/gitops-dev.git",
                Some("gitlab.com/foodbuzz/gitops-dev.git"),
            ),
            (
                "ssh://git@gitlab.example.com:2222/a/b.git",
                Some("gitlab.example.com/a/b.git"),
            ),
            (
                "git@gitlab.com:foodbuzz/gitops.git",
                Some("gitlab.com/foodbuzz/gitops.git"),
            ),
            (
                "https://gitlab.com/foodbuzz/gitops.git",
                Some("gitlab.com/foodbuzz/gitops.git"),
            ),
            (
                "https://user:pw@gitlab.com/g/r.git",
                Some("gitlab.com/g/r.git"),
            ),
            ("gitops", None),
        ] {
            assert_eq!(https_repo(url).as_deref(), want, "{url}");
        }
    }
}
