//! Every object's labels: the platform's, the component's and, on a regional object, the
//! region's, with their YAML written once for every object that shares them.

/// An object's labels, in order, with their YAML written once for every object that
/// shares them.
#[derive(Debug)]
pub struct Labels {
    pairs: Vec<(String, String)>,
    yaml: String,
}

impl Labels {
    #[must_use]
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        let mut yaml = String::new();
        for (key, value) in &pairs {
            yaml.push_str("    ");
            crate::yaml::write_scalar(&mut yaml, key);
            yaml.push_str(": ");
            crate::yaml::write_scalar(&mut yaml, value);
            yaml.push('\n');
        }
        Self { pairs, yaml }
    }

    /// `(key, value)` pairs, in order.
    #[must_use]
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The entries of `metadata.labels`, indented for it.
    #[must_use]
    pub fn yaml(&self) -> &str {
        &self.yaml
    }
}

/// The labels every object carries, and `topology.mplp.io/region` on regional ones.
pub(super) fn labels(component: &str, region: Option<&str>) -> Labels {
    let mut pairs = vec![
        ("app.kubernetes.io/part-of".to_owned(), "mplp".to_owned()),
        (
            "app.kubernetes.io/managed-by".to_owned(),
            "mplp-scale".to_owned(),
        ),
        (
            "app.kubernetes.io/component".to_owned(),
            component.to_owned(),
        ),
    ];
    if let Some(region) = region {
        pairs.push(("topology.mplp.io/region".to_owned(), region.to_owned()));
    }
    Labels::new(pairs)
}
