//! Renderers: pure functions from a list of diagnostics to text, one file per format.

pub mod human;
pub mod json;

pub use human::human;
pub use json::json;
