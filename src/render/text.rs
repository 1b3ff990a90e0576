//! Text that is not an API object, rendered with minijinja from templates compiled into the
//! binary (`templates/`): the starter blueprint of `fluxprint new`.

use minijinja::{context, Environment, UndefinedBehavior};

use crate::error::Error;

const NEW_BLUEPRINT: &str = include_str!("../../templates/blueprint.yaml.j2");

/// The commented starter blueprint for a new service.
pub fn new_blueprint(name: &str, team: &str, image: &str) -> Result<String, Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // A text file ends with a newline; minijinja drops the template's last one otherwise.
    env.set_keep_trailing_newline(true);
    env.add_template("blueprint.yaml.j2", NEW_BLUEPRINT)
        .map_err(|e| Error::Internal(format!("template: {e}")))?;
    let template = env
        .get_template("blueprint.yaml.j2")
        .map_err(|e| Error::Internal(format!("template: {e}")))?;
    template
        .render(context! { name, team, image })
        .map_err(|e| Error::Internal(format!("template: {e}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_starter_blueprint_ends_with_a_newline() {
        let text = super::new_blueprint("coupon", "growth", "r/coupon").expect("renders");
        assert!(text.ends_with('\n'), "{text:?}");
        assert!(!text.ends_with("\n\n"), "one newline: {text:?}");
    }
}
