//! The versions a render targets: the regions' Kubernetes (`platform.kubernetesVersion`,
//! `--kube-version`) and the operators they run (`platform.versions`), and [`FEATURES`],
//! the table of what needs which version (`docs/versions.md` shows it; a test renders
//! every row at its version and at the one before).
//!
//! A kind asks [`Target::supports`] before it renders a field a target may not serve;
//! `validate` reports what was left out (W1103, once per feature) and what the topology
//! needs but the target cannot serve (E1102, naming the minimum).

use crate::profile::Profile;

/// A `MAJOR.MINOR` version (a patch is ignored: no row of [`FEATURES`] needs one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version(pub u32, pub u32);

impl Version {
    /// `1.30`, `1.30.2`, `v1.30`, and as clusters report them, `1.30.2-eks-1` (a
    /// pre-release or build after `-` or `+`) and `1.30+` (GKE's minor); `None` for
    /// anything else.
    #[must_use]
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let text = match text.find(['-', '+']) {
            Some(at) => {
                let suffix = &text[at + 1..];
                let gke = suffix.is_empty() && text.ends_with('+');
                let semver = !suffix.is_empty()
                    && text.matches('+').count() <= 1
                    && suffix
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-.+".contains(&b));
                if !(gke || semver) {
                    return None;
                }
                &text[..at]
            }
            None => text,
        };
        let mut parts = text.split('.');
        let number = |part: Option<&str>| -> Option<u32> {
            let part = part?;
            if part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let major = number(parts.next())?;
        let minor = number(parts.next())?;
        if let Some(patch) = parts.next() {
            number(Some(patch))?;
        }
        parts.next().is_none().then_some(Version(major, minor))
    }

    /// The version just before this one (`1.33` → `1.32`; `2.0` → `1.99`).
    #[cfg(test)]
    #[must_use]
    pub(crate) fn before(self) -> Self {
        if self.1 == 0 {
            Version(self.0 - 1, 99)
        } else {
            Version(self.0, self.1 - 1)
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// What a version is the version of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Component {
    Kubernetes,
    Keda,
    Cnpg,
    Vpa,
    Istio,
    ArgoCd,
}

impl Component {
    /// Every component, in the order of [`Target`]'s fields.
    pub(crate) const ALL: [Component; 6] = [
        Component::Kubernetes,
        Component::Keda,
        Component::Cnpg,
        Component::Vpa,
        Component::Istio,
        Component::ArgoCd,
    ];

    /// Its name for people.
    #[must_use]
    pub(crate) fn title(self) -> &'static str {
        match self {
            Component::Kubernetes => "Kubernetes",
            Component::Keda => "KEDA",
            Component::Cnpg => "CloudNativePG",
            Component::Vpa => "VPA",
            Component::Istio => "Istio",
            Component::ArgoCd => "Argo CD",
        }
    }

    /// The profile field that sets it.
    #[must_use]
    pub(crate) fn field(self) -> &'static str {
        match self {
            Component::Kubernetes => "platform.kubernetesVersion",
            Component::Keda => "platform.versions.keda",
            Component::Cnpg => "platform.versions.cnpg",
            Component::Vpa => "platform.versions.vpa",
            Component::Istio => "platform.versions.istio",
            Component::ArgoCd => "platform.versions.argocd",
        }
    }

    /// The version when the profile names none: Kubernetes 1.37 (the newest schemas the
    /// tests validate against), the operators at the releases of `../shared/crds`
    /// (`SOURCES.md`: KEDA v2.20.2, CloudNativePG v1.30.0, VPA 1.7.1, Istio 1.30.3, Argo CD
    /// v3.5.1).
    #[must_use]
    pub(crate) fn default_version(self) -> Version {
        match self {
            Component::Kubernetes => Version(1, 37),
            Component::Keda => Version(2, 20),
            Component::Cnpg | Component::Istio => Version(1, 30),
            Component::Vpa => Version(1, 7),
            Component::ArgoCd => Version(3, 5),
        }
    }

    /// The text the profile gives for it, if any.
    #[must_use]
    pub(crate) fn written(self, profile: &Profile) -> Option<&str> {
        let v = &profile.platform.versions;
        match self {
            Component::Kubernetes => profile.platform.kubernetes_version.as_deref(),
            Component::Keda => v.keda.as_deref(),
            Component::Cnpg => v.cnpg.as_deref(),
            Component::Vpa => v.vpa.as_deref(),
            Component::Istio => v.istio.as_deref(),
            Component::ArgoCd => v.argocd.as_deref(),
        }
    }
}

/// The versions one render targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Target {
    versions: [Version; 6],
}

impl Default for Target {
    fn default() -> Self {
        Self {
            versions: Component::ALL.map(Component::default_version),
        }
    }
}

impl Target {
    /// The profile's targets (a version that does not parse counts as the default;
    /// `validate` reports it, E1101).
    #[must_use]
    pub(crate) fn of(profile: &Profile) -> Self {
        Self {
            versions: Component::ALL.map(|c| {
                c.written(profile)
                    .and_then(Version::parse)
                    .unwrap_or_else(|| c.default_version())
            }),
        }
    }

    /// The targeted version of `component`.
    #[must_use]
    pub(crate) fn version(&self, component: Component) -> Version {
        self.versions[component as usize]
    }

    /// Whether the target serves `feature`.
    #[must_use]
    pub(crate) fn supports(&self, feature: &Feature) -> bool {
        self.version(feature.component) >= feature.min
    }
}

/// What a target below a feature's minimum gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Below {
    /// The field is left out (W1103 once).
    LeftOut,
    /// An older form is rendered instead (W1103 once).
    Older(&'static str),
    /// The topology cannot work: an error naming the minimum (E1102).
    Refused,
}

/// One row of the version table.
#[derive(Debug)]
pub(crate) struct Feature {
    /// What needs the version, as the docs table says it.
    pub what: &'static str,
    pub component: Component,
    pub min: Version,
    pub below: Below,
    /// Where upstream says so.
    pub reference: &'static str,
}

/// `behavior.scaleUp/scaleDown.tolerance` of the HPA.
pub(crate) static HPA_TOLERANCE: Feature = Feature {
    what: "HPA `behavior.*.tolerance` (`HPAConfigurableTolerance`: alpha 1.33, beta and on by default 1.35)",
    component: Component::Kubernetes,
    min: Version(1, 35),
    below: Below::LeftOut,
    reference: "https://github.com/kubernetes/enhancements/tree/master/keps/sig-autoscaling/4951-configurable-hpa-tolerance",
};

/// `unhealthyPodEvictionPolicy` of a `PodDisruptionBudget`.
pub(crate) static PDB_EVICTION_POLICY: Feature = Feature {
    what: "PodDisruptionBudget `unhealthyPodEvictionPolicy` (beta and on by default 1.27, GA 1.31)",
    component: Component::Kubernetes,
    min: Version(1, 27),
    below: Below::LeftOut,
    reference: "https://github.com/kubernetes/enhancements/tree/master/keps/sig-apps/3017-pod-healthy-policy-for-pdb",
};

/// VPA `updateMode: InPlaceOrRecreate`, on the VPA side.
pub(crate) static VPA_IN_PLACE: Feature = Feature {
    what: "VPA `updateMode: InPlaceOrRecreate` (else `Recreate`)",
    component: Component::Vpa,
    min: Version(1, 4),
    below: Below::Older("Recreate"),
    reference: "https://github.com/kubernetes/autoscaler/tree/master/vertical-pod-autoscaler/enhancements/4016-in-place-updates-support",
};

/// VPA `updateMode: InPlaceOrRecreate`, on the cluster side (in-place pod resize).
pub(crate) static VPA_IN_PLACE_KUBE: Feature = Feature {
    what: "VPA `updateMode: InPlaceOrRecreate` needs in-place pod resize (`InPlacePodVerticalScaling`, beta and on by default 1.33; else `Recreate`)",
    component: Component::Kubernetes,
    min: Version(1, 33),
    below: Below::Older("Recreate"),
    reference: "https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/1287-in-place-update-pod-resources",
};

/// `autoscaling/v2` HorizontalPodAutoscaler (what KEDA creates too).
pub(crate) static HPA_V2: Feature = Feature {
    what: "`autoscaling/v2` HorizontalPodAutoscaler (GA 1.23)",
    component: Component::Kubernetes,
    min: Version(1, 23),
    below: Below::Refused,
    reference: "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#horizontalpodautoscaler-v126",
};

/// `activationThreshold` of KEDA triggers.
pub(crate) static KEDA_ACTIVATION: Feature = Feature {
    what: "KEDA trigger `activationThreshold` (KEDA 2.8)",
    component: Component::Keda,
    min: Version(2, 8),
    below: Below::LeftOut,
    reference: "https://keda.sh/docs/2.20/concepts/scaling-deployments/#activating-and-scaling-thresholds",
};

/// KEDA's `ScaledObject` with `advanced.horizontalPodAutoscalerConfig`.
pub(crate) static KEDA_SCALED_OBJECT: Feature = Feature {
    what: "KEDA `keda.sh/v1alpha1` ScaledObject with `advanced.horizontalPodAutoscalerConfig.behavior` (KEDA 2.0)",
    component: Component::Keda,
    min: Version(2, 0),
    below: Below::Refused,
    reference: "https://keda.sh/docs/2.20/reference/scaledobject-spec/#horizontalpodautoscalerconfig",
};

/// CloudNativePG's distributed topology (`replica.primary`, `replica.self`).
pub(crate) static CNPG_DISTRIBUTED: Feature = Feature {
    what: "CloudNativePG distributed topology (`replica.primary`/`replica.self`, 1.24)",
    component: Component::Cnpg,
    min: Version(1, 24),
    below: Below::Refused,
    reference: "https://cloudnative-pg.io/documentation/1.24/replica_cluster/#distributed-topology",
};

/// Istio's `networking.istio.io/v1` API.
pub(crate) static ISTIO_V1: Feature = Feature {
    what: "Istio `networking.istio.io/v1` (1.22; else set `traffic.apiVersion: networking.istio.io/v1beta1`)",
    component: Component::Istio,
    min: Version(1, 22),
    below: Below::Refused,
    reference: "https://istio.io/latest/news/releases/1.22.x/announcing-1.22/#istio-apis-promoted-to-v1",
};

/// Argo CD's ApplicationSet `templatePatch`.
pub(crate) static ARGOCD_TEMPLATE_PATCH: Feature = Feature {
    what: "Argo CD ApplicationSet `templatePatch` (2.10)",
    component: Component::ArgoCd,
    min: Version(2, 10),
    below: Below::Refused,
    reference: "https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Template/#template-patch",
};

/// Every row of the version table, in the docs' order.
pub(crate) static FEATURES: &[&Feature] = &[
    &HPA_V2,
    &PDB_EVICTION_POLICY,
    &VPA_IN_PLACE_KUBE,
    &HPA_TOLERANCE,
    &VPA_IN_PLACE,
    &KEDA_SCALED_OBJECT,
    &KEDA_ACTIVATION,
    &CNPG_DISTRIBUTED,
    &ISTIO_V1,
    &ARGOCD_TEMPLATE_PATCH,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// For each row: `--set` values that make the default profile use the feature, and
    /// text of the render that only a target serving it has.
    fn probe(feature: &Feature) -> (&'static [&'static str], &'static str) {
        let probes: &[(&Feature, &[&str], &str)] = &[
            (
                &HPA_TOLERANCE,
                &["defaults.behavior.scaleUp.tolerance=0.05"],
                "tolerance: \"0.05\"",
            ),
            (
                &PDB_EVICTION_POLICY,
                &[],
                "unhealthyPodEvictionPolicy: AlwaysAllow",
            ),
            (
                &VPA_IN_PLACE,
                &["postgres.vpa.updateMode=InPlaceOrRecreate"],
                "updateMode: InPlaceOrRecreate",
            ),
            (
                &VPA_IN_PLACE_KUBE,
                &["postgres.vpa.updateMode=InPlaceOrRecreate"],
                "updateMode: InPlaceOrRecreate",
            ),
            (&HPA_V2, &[], "apiVersion: autoscaling/v2"),
            (
                &KEDA_ACTIVATION,
                &[
                    "autoscaling.backend=keda",
                    "metrics.mplp_requests_per_second.activationThreshold=5",
                ],
                "activationThreshold: \"5\"",
            ),
            (
                &KEDA_SCALED_OBJECT,
                &["autoscaling.backend=keda"],
                "kind: ScaledObject",
            ),
            (&CNPG_DISTRIBUTED, &[], "kind: Cluster"),
            (&ISTIO_V1, &[], "apiVersion: networking.istio.io/v1"),
            (&ARGOCD_TEMPLATE_PATCH, &[], "templatePatch:"),
        ];
        probes
            .iter()
            .find(|(f, _, _)| std::ptr::eq(*f, feature))
            .map_or_else(
                || panic!("no probe for {}", feature.what),
                |&(_, sets, text)| (sets, text),
            )
    }

    /// The render of the default profile with `sets`: its diagnostics (code and message)
    /// and, without errors, its stream.
    fn render(sets: &[String]) -> (Vec<String>, Option<String>) {
        let loaded = crate::commands::check(&[], sets).unwrap();
        let diagnostics: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        if loaded.errors() > 0 {
            return (diagnostics, None);
        }
        let profile = loaded.profile.as_ref().unwrap();
        let renderer = crate::render::Renderer::new().unwrap();
        let mut out = String::new();
        for object in crate::plan::plan(profile, &crate::plan::Selection::all()) {
            renderer.render(&object, &mut out).unwrap();
        }
        (diagnostics, Some(out))
    }

    /// Every row of the table, rendered at its version and at the one before.
    #[test]
    fn every_row_at_its_version_and_below() {
        for feature in FEATURES {
            let (probe, text) = probe(feature);
            let at = |version: Version| {
                let mut sets: Vec<String> = probe.iter().map(|s| (*s).to_owned()).collect();
                sets.push(format!("{}=\"{version}\"", feature.component.field()));
                render(&sets)
            };
            let (diagnostics, out) = at(feature.min);
            let out = out.unwrap_or_else(|| panic!("{}: {diagnostics:#?}", feature.what));
            assert!(out.contains(text), "{}: no `{text}`", feature.what);
            assert!(
                !diagnostics.iter().any(|d| d.contains(feature.what)
                    && (d.starts_with("W1103") || d.starts_with("E1102"))),
                "{}: {diagnostics:#?}",
                feature.what
            );
            let below = feature.min.before();
            let (diagnostics, out) = at(below);
            let named = |code: &str| {
                diagnostics
                    .iter()
                    .filter(|d| d.starts_with(code) && d.contains(feature.what))
                    .count()
            };
            match feature.below {
                Below::Refused => {
                    assert!(out.is_none(), "{}: rendered at {below}", feature.what);
                    assert_eq!(named("E1102"), 1, "{}: {diagnostics:#?}", feature.what);
                    let min = format!("{} {} or later", feature.component.title(), feature.min);
                    assert!(
                        diagnostics.iter().any(|d| d.contains(&min)),
                        "{diagnostics:#?}"
                    );
                }
                Below::LeftOut | Below::Older(_) => {
                    let out = out.unwrap_or_else(|| panic!("{}: {diagnostics:#?}", feature.what));
                    assert!(!out.contains(text), "{}: `{text}` at {below}", feature.what);
                    if let Below::Older(form) = feature.below {
                        let key = text.split(':').next().unwrap();
                        assert!(out.contains(&format!("{key}: {form}")), "{}", feature.what);
                    }
                    assert_eq!(named("W1103"), 1, "{}: {diagnostics:#?}", feature.what);
                }
            }
        }
    }

    /// `docs/versions.md` holds the table as [`FEATURES`] says it.
    #[test]
    fn the_docs_table_is_the_table() {
        let docs = include_str!("../docs/versions.md");
        for feature in FEATURES {
            let row = row(feature);
            assert!(
                docs.contains(&row),
                "docs/versions.md lacks the row:\n{row}"
            );
        }
    }

    /// A row of the docs table.
    fn row(feature: &Feature) -> String {
        format!(
            "| {} | {} {} | {} | <{}> |",
            feature.what,
            feature.component.title(),
            feature.min,
            match feature.below {
                Below::LeftOut => "left out (W1103)".to_owned(),
                Below::Older(form) => format!("`{form}` (W1103)"),
                Below::Refused => "refused (E1102)".to_owned(),
            },
            feature.reference
        )
    }

    #[test]
    #[ignore = "prints the docs table"]
    fn print_the_docs_table() {
        for feature in FEATURES {
            println!("{}", row(feature));
        }
    }

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(Version::parse("1.30"), Some(Version(1, 30)));
        assert_eq!(Version::parse("v1.33.2"), Some(Version(1, 33)));
        // As clusters report them: EKS's build suffix, GKE's `33+` minor, a pre-release.
        for (text, version) in [
            ("1.33.0-eks-1", (1, 33)),
            ("1.33+", (1, 33)),
            ("1.30.0-rc.1", (1, 30)),
        ] {
            assert_eq!(
                Version::parse(text),
                Some(Version(version.0, version.1)),
                "{text}"
            );
        }
        for bad in [
            "1", "1.", "1.x", "1.2.3.4", "", "+1.2", "1.30-", "1.x+", "99999.1", "1.33++",
        ] {
            assert_eq!(Version::parse(bad), None, "{bad}");
        }
        assert!(Version(1, 9) < Version(1, 10));
        assert_eq!(Version(1, 33).before(), Version(1, 32));
        assert_eq!(Version(2, 0).before(), Version(1, 99));
    }

    #[test]
    fn the_defaults_serve_every_feature() {
        let target = Target::default();
        for feature in FEATURES {
            assert!(target.supports(feature), "{}", feature.what);
        }
    }
}
