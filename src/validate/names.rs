//! Names: what a DNS-1123 label and subdomain are, the rules every name goes through
//! (E0101, E0105), and the profile's own names (namespace, regions, modules).

use super::Reporter;
use crate::diagnostic::{Code, FieldPath};
use crate::profile::Profile;

/// The longest name of a module: `mplp-<module>-hpa` must stay a 63-character label.
const MAX_MODULE_NAME: usize = 63 - "mplp--hpa".len();

/// The namespace, and the region and module names (map keys).
pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    let root = FieldPath::root();
    let namespace = Label::value(&profile.namespace, root.key("namespace"), "namespace", 63);
    label(r, &namespace);
    for name in profile.regions.keys() {
        label(
            r,
            &Label::key(name, root.key("regions").key(name), "region", 63),
        );
    }
    for name in profile.modules.keys() {
        let path = root.key("modules").key(name);
        label(r, &Label::key(name, path, "module", MAX_MODULE_NAME));
    }
}

/// A name that must be a DNS-1123 label: the text, where it is written (the value, or the
/// key when the name is a map key), what it names and its longest length.
pub(super) struct Label<'a> {
    name: &'a str,
    path: FieldPath,
    what: &'a str,
    max: usize,
    at_key: bool,
}

impl<'a> Label<'a> {
    /// A name written as a value.
    pub(super) fn value(name: &'a str, path: FieldPath, what: &'a str, max: usize) -> Self {
        Self {
            name,
            path,
            what,
            max,
            at_key: false,
        }
    }

    /// A name written as a map key.
    pub(super) fn key(name: &'a str, path: FieldPath, what: &'a str, max: usize) -> Self {
        Self {
            at_key: true,
            ..Self::value(name, path, what, max)
        }
    }

    /// A well-formed label, only longer than `max`.
    fn too_long(&self) -> bool {
        self.name.len() > self.max && dns_label_problem(self.name, usize::MAX).is_none()
    }

    /// The diagnostic for `problem`, at the key or the value, with the nearest valid name.
    fn report(&self, r: &mut Reporter, code: Code, problem: &str) {
        let message = format!(
            "{} `{}` is not a valid name: {problem}",
            self.what,
            crate::load::shorten(self.name)
        );
        let mut d = if self.at_key {
            r.at_key(code, &self.path, message)
        } else {
            r.at_value(code, &self.path, message)
        };
        let fixed = suggest_label(self.name, self.max);
        if !fixed.is_empty() && fixed != self.name {
            d = d.help(format!("use `{fixed}`"));
        }
        r.push(d);
    }
}

/// Both label rules.
pub(super) fn label(r: &mut Reporter, label: &Label) {
    invalid_label(r, label);
    name_too_long(r, label);
}

/// E0101: a name that is not a DNS-1123 label (other than by its length alone).
fn invalid_label(r: &mut Reporter, label: &Label) {
    if let Some(problem) = dns_label_problem(label.name, label.max)
        && !label.too_long()
    {
        label.report(r, Code::InvalidName, &problem);
    }
}

/// E0105: a well-formed label longer than its limit (with what mplp-scale adds to it).
fn name_too_long(r: &mut Reporter, label: &Label) {
    if label.too_long()
        && let Some(problem) = dns_label_problem(label.name, label.max)
    {
        label.report(r, Code::NameTooLong, &problem);
    }
}

/// E0101: a name that is not a DNS-1123 subdomain.
pub(super) fn subdomain(r: &mut Reporter, name: &str, path: &FieldPath, what: &str) {
    if let Some(problem) = dns_subdomain_problem(name) {
        r.report(
            Code::InvalidName,
            path,
            format!(
                "{what} `{}` is not a valid name: {problem}",
                crate::load::shorten(name)
            ),
        );
    }
}

/// Why `name` is not a DNS-1123 label of at most `max` characters, if it is not.
#[must_use]
pub(super) fn dns_label_problem(name: &str, max: usize) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".to_owned());
    }
    if name.len() > max {
        return Some(format!(
            "it is {} characters long, over the limit of {max}",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "`{}` is not allowed: expected lower-case letters, digits and `-` (DNS-1123 label)",
            c.escape_debug()
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("it must start and end with a letter or digit (DNS-1123 label)".to_owned());
    }
    None
}

/// Why `name` is not a DNS-1123 subdomain, if it is not.
#[must_use]
pub(super) fn dns_subdomain_problem(name: &str) -> Option<String> {
    if name.len() > 253 {
        return Some(format!(
            "it is {} characters long, over the limit of 253",
            name.len()
        ));
    }
    name.split('.')
        .find_map(|part| dns_label_problem(part, 63))
        .map(|p| p.replace("DNS-1123 label", "DNS-1123 subdomain"))
}

/// The nearest valid label: lower case, other characters as `-`, trimmed.
fn suggest_label(name: &str, max: usize) -> String {
    let mapped: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let trimmed: String = mapped.trim_matches('-').chars().take(max).collect();
    trimmed.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::super::test::{lint, one};
    use super::*;

    #[test]
    fn region_names_are_dns_labels() {
        let out = lint("regions: {us-east-1: null, EU_West_1: {primary: true, weight: 60}}\n");
        assert!(
            out.iter().any(|d| d.contains(
                "p.yaml:1:28: error[E0101] regions.EU_West_1: region `EU_West_1` is not a valid name"
            )),
            "{out:#?}"
        );
    }

    #[test]
    fn the_namespace_is_a_dns_label() {
        one(
            "namespace: mplp.production\n",
            "p.yaml:1:12: error[E0101] namespace: namespace `mplp.production` is not a valid name: `.` is not allowed",
        );
    }

    #[test]
    fn module_names_leave_room_for_the_hpa_suffix() {
        let long = "x".repeat(60);
        one(
            &format!("modules: {{{long}: {{replicas: {{min: 1, max: 2}}}}}}\n"),
            "error[E0105] modules.xxxxxxxx",
        );
        let out = lint(&format!(
            "modules: {{{long}: {{replicas: {{min: 1, max: 2}}}}}}\n"
        ));
        assert!(out[0].contains("over the limit of 54"), "{out:#?}");
    }

    #[test]
    fn labels_and_subdomains() {
        assert_eq!(dns_label_problem("core", 63), None);
        assert!(dns_label_problem("-core", 63).is_some());
        assert!(dns_label_problem("Core", 63).is_some());
        assert_eq!(dns_subdomain_problem("a.b-c.d"), None);
        assert!(dns_subdomain_problem("a..b").is_some());
        assert_eq!(suggest_label("EU_West_1", 63), "eu-west-1");
    }
}
