//! The [`Resolver`]: what a section resolves against (one positioned input document, the
//! resolved cluster, the names of every blueprint) and where its findings go, each at the
//! line of the field it is about.

use std::collections::BTreeSet;

use super::cluster::ResolvedCluster;
use crate::diag::{field_path, Diagnostic, Severity};
use crate::source::yaml::Node;

/// One document of an input file: where findings about it are shown.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    /// Display path of the file.
    pub file: &'a str,
    /// The positioned document (merged for the cluster, for a blueprint).
    pub node: &'a Node,
}

impl Place<'_> {
    /// A finding about the field at `field` (a JSON pointer, which may be missing), shown at
    /// `at`.
    pub fn finding(
        self,
        severity: Severity,
        code: &'static str,
        at: &str,
        field: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        let span = self.node.span_for_pointer(at);
        let d = match severity {
            Severity::Error => Diagnostic::error(code, self.file, span, message),
            Severity::Warning => Diagnostic::warning(code, self.file, span, message),
        }
        .with_field(field_path(field));
        match help {
            Some(help) => d.with_help(help),
            None => d,
        }
    }

    /// An error about the field at `pointer`, shown there.
    pub fn error(
        self,
        code: &'static str,
        pointer: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostic {
        self.finding(Severity::Error, code, pointer, pointer, message, help)
    }
}

/// What a section resolves against: one input document, the resolved cluster, the names of
/// every blueprint, and where the findings go.
pub struct Resolver<'a> {
    place: Place<'a>,
    cluster: &'a ResolvedCluster,
    services: &'a BTreeSet<String>,
    out: &'a mut Vec<Diagnostic>,
    errors: usize,
}

/// A point in a resolver's findings: [`Resolver::finish`] asks whether errors came after it.
#[derive(Clone, Copy, Debug)]
pub struct Mark(usize);

impl<'a> Resolver<'a> {
    /// A resolver for the document at `place` in `cluster`; `services` are the names of
    /// every blueprint of the project.
    pub fn new(
        place: Place<'a>,
        cluster: &'a ResolvedCluster,
        services: &'a BTreeSet<String>,
        out: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Resolver {
            place,
            cluster,
            services,
            out,
            errors: 0,
        }
    }

    /// The display path of the input file.
    pub fn file(&self) -> &'a str {
        self.place.file
    }

    /// The cluster resolved for.
    pub fn cluster(&self) -> &'a ResolvedCluster {
        self.cluster
    }

    /// The cluster applies production rules.
    pub fn strict(&self) -> bool {
        self.cluster.strict()
    }

    /// `name` is the name of a blueprint of the project.
    pub fn is_service(&self, name: &str) -> bool {
        self.services.contains(name)
    }

    /// An error about the field at `pointer`, shown there.
    pub fn error(
        &mut self,
        code: &'static str,
        pointer: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.report(Severity::Error, code, pointer, pointer, message, help);
    }

    /// An error about the field at `field` (which may be missing), shown at `at`.
    pub fn error_at(
        &mut self,
        code: &'static str,
        at: &str,
        field: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.report(Severity::Error, code, at, field, message, help);
    }

    /// A finding about the field at `field`, shown at `at`.
    pub fn report(
        &mut self,
        severity: Severity,
        code: &'static str,
        at: &str,
        field: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        if severity == Severity::Error {
            self.errors += 1;
        }
        let d = self.place.finding(severity, code, at, field, message, help);
        self.out.push(d);
    }

    /// The point from which a section's errors count.
    pub fn mark(&self) -> Mark {
        Mark(self.errors)
    }

    /// `value` when no error was reported since `since`.
    pub fn finish<T>(&self, since: Mark, value: T) -> Option<T> {
        (self.errors == since.0).then_some(value)
    }
}
