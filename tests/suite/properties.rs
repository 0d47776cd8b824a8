//! Properties over random valid profiles, and lint/render agreement over the fixtures.

use std::fmt::Write as _;

use proptest::prelude::*;

use crate::common::{Test, documents, parse, validate_manifests};

/// A random valid profile, as YAML text.
#[derive(Debug, Clone)]
struct Profile {
    weights: Vec<i64>,
    primary: usize,
    modules: Vec<Module>,
    postgres: Option<(i64, Vec<i64>)>,
    redis: Option<i64>,
    hostile: String,
}

#[derive(Debug, Clone)]
struct Module {
    min: i64,
    span: i64,
    metrics: Vec<u8>,
    utilization: i64,
    behavior: Option<(i64, bool, i64, i64)>,
    vpa: Option<u8>,
    override_max: Option<i64>,
}

fn module() -> impl Strategy<Value = Module> {
    (
        1i64..5,
        0i64..30,
        prop::collection::vec(0u8..4, 0..4),
        1i64..100,
        prop::option::of((0i64..3600, any::<bool>(), 1i64..200, 1i64..1800)),
        prop::option::of(0u8..3),
        prop::option::of(5i64..40),
    )
        .prop_map(
            |(min, span, metrics, utilization, behavior, vpa, override_max)| Module {
                min,
                span,
                metrics,
                utilization,
                behavior,
                vpa,
                override_max,
            },
        )
}

/// Weights: positive parts of 100.
fn weights() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(1i64..50, 1..5).prop_map(|parts| {
        let total: i64 = parts.iter().sum();
        let mut weights: Vec<i64> = parts.iter().map(|p| p * 100 / total).collect();
        let rest = 100 - weights.iter().sum::<i64>();
        weights[0] += rest;
        weights
    })
}

fn profile() -> impl Strategy<Value = Profile> {
    (
        weights(),
        any::<prop::sample::Index>(),
        prop::collection::vec(module(), 1..6),
        prop::option::of((1i64..4, prop::collection::vec(1i64..4, 4))),
        prop::option::of(3i64..7),
        "[ -~]{0,12}|yes|no|0x1|\\{\\{ x \\}\\}|a: b|#c|ü☃",
    )
        .prop_map(
            |(weights, primary, modules, postgres, redis, hostile)| Profile {
                primary: primary.index(weights.len()),
                weights,
                modules,
                postgres,
                redis,
                hostile,
            },
        )
}

#[allow(clippy::too_many_lines)] // one scenario, step by step
fn yaml(p: &Profile) -> String {
    let q = |s: &str| serde_json::to_string(s).unwrap();
    let mut out = String::new();
    let _ = writeln!(out, "version: 1\nname: prop\nnamespace: mplp-prop");
    let _ = writeln!(
        out,
        "platform:\n  repoURL: https://github.com/mplp/mplp-helm\n  path: charts/mplp-global"
    );
    let _ = writeln!(
        out,
        "  network: {{crossRegionLatency: {}, replicationFactor: 2, consistencyLevel: eventual}}",
        q(&p.hostile)
    );
    let _ = writeln!(
        out,
        "traffic: {{host: api.mplp.example.com, service: mplp-core-service}}"
    );
    let _ = writeln!(out, "regions:");
    for (i, w) in p.weights.iter().enumerate() {
        let _ = writeln!(out, "  region-{i}:\n    weight: {w}");
        if i == p.primary {
            let _ = writeln!(out, "    primary: true");
        }
        if let Some((_, per_region)) = &p.postgres {
            let _ = writeln!(
                out,
                "    postgres: {{instances: {}}}",
                per_region[i % per_region.len()]
            );
        }
        let overrides: Vec<String> = p
            .modules
            .iter()
            .enumerate()
            .filter_map(|(m, module)| {
                module.override_max.filter(|_| i % 2 == 1).map(|max| {
                    format!(
                        "      m{m}: {{replicas: {{min: {}, max: {}}}}}",
                        module.min,
                        module.min.max(max)
                    )
                })
            })
            .collect();
        if !overrides.is_empty() {
            let _ = writeln!(out, "    modules:\n{}", overrides.join("\n"));
        }
    }
    let _ = writeln!(
        out,
        "defaults:\n  metrics: [{{resource: cpu, utilization: 70}}]"
    );
    let _ = writeln!(out, "modules:");
    for (m, module) in p.modules.iter().enumerate() {
        let _ = writeln!(
            out,
            "  m{m}:\n    replicas: {{min: {}, max: {}}}",
            module.min,
            module.min + module.span
        );
        let mut memory_scaled = false;
        if !module.metrics.is_empty() {
            let _ = writeln!(out, "    metrics:");
            let mut seen = Vec::new();
            for kind in &module.metrics {
                if seen.contains(kind) {
                    continue;
                }
                seen.push(*kind);
                let line = match kind {
                    0 => format!("{{resource: cpu, utilization: {}}}", module.utilization),
                    1 => {
                        memory_scaled = true;
                        "{resource: memory, averageValue: 512Mi}".to_owned()
                    }
                    2 => format!(
                        "{{pods: requests_{m}, averageValue: \"{}\"}}",
                        module.utilization
                    ),
                    _ => format!(
                        "{{object: queue_{m}, describedObject: {{kind: Service, name: svc-{m}}}, averageValue: \"{}\"}}",
                        module.utilization
                    ),
                };
                let _ = writeln!(out, "      - {line}");
            }
        }
        if let Some((window, max_select, value, period)) = module.behavior {
            let select = if max_select { "Max" } else { "Min" };
            let _ = writeln!(
                out,
                "    behavior:\n      scaleDown: {{stabilizationWindowSeconds: {window}, selectPolicy: {select}, policies: [{{type: Percent, value: {}, periodSeconds: {period}}}]}}",
                value.min(100)
            );
        }
        if let Some(mode) = module.vpa {
            // Off, or an acting mode on memory only when the HPA does not scale on memory.
            let (mode, controlled) = match mode {
                0 => ("\"Off\"", "[cpu, memory]"),
                _ if memory_scaled => ("\"Off\"", "[cpu, memory]"),
                1 if module.metrics.iter().all(|k| *k != 0) && !module.metrics.is_empty() => {
                    ("Recreate", "[cpu, memory]")
                }
                _ => ("InPlaceOrRecreate", "[memory]"),
            };
            let _ = writeln!(
                out,
                "    vpa: {{updateMode: {mode}, controlledResources: {controlled}, minAllowed: {{cpu: 100m, memory: 128Mi}}, maxAllowed: {{cpu: \"2\", memory: 4Gi}}}}"
            );
        }
    }
    if let Some((instances, _)) = &p.postgres {
        let _ = writeln!(
            out,
            "postgres:\n  instances: {instances}\n  parameters: {{max_connections: \"100\", shared_buffers: 128MB, work_mem: {}}}\n  resources: {{requests: {{cpu: 500m, memory: 1Gi}}, limits: {{cpu: \"1\", memory: 2Gi}}}}\n  storage: {{size: 10Gi}}\n  backup: {{destinationPath: \"s3://b/p\", credentialsSecret: s3-creds, retention: 7d}}\n  vpa: {{updateMode: \"Off\"}}",
            q(&p.hostile)
        );
    }
    if let Some(size) = p.redis {
        let _ = writeln!(
            out,
            // `version` is typed (`v7`); the hostile string goes where free text goes.
            "redis:\n  clusterSize: {size}\n  version: v7\n  image: quay.io/opstree/redis:v7.0.15\n  storage: {{size: 1Gi}}\n  config: {{maxmemory: 1gb}}"
        );
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random valid profiles lint clean, render, render the same twice, and parse back.
    #[test]
    fn random_valid_profiles_render_deterministically(p in profile()) {
        let text = yaml(&p);
        let lint = Test::new(["lint", "-"]).stdin(text.clone()).run();
        prop_assert_eq!(lint.code, 0, "{}\n{}", lint.stdout, text);
        let first = Test::new(["render", "-f", "-"]).stdin(text.clone()).run();
        prop_assert_eq!(first.code, 0, "{}", first.stderr);
        let second = Test::new(["render", "-f", "-"]).stdin(text.clone()).run();
        prop_assert_eq!(&first.stdout, &second.stdout);
        let docs = documents(&first.stdout);
        let hpas = docs.iter().map(|d| parse(d)).filter(|d| d["kind"] == "HorizontalPodAutoscaler").count();
        prop_assert_eq!(hpas, p.weights.len() * p.modules.len());
    }
}

/// A sample of random profiles through validate-manifests (when ../shared is there).
#[test]
fn a_sample_of_random_profiles_passes_validate_manifests() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let mut stream = String::new();
    for _ in 0..8 {
        let p = profile().new_tree(&mut runner).unwrap().current();
        let out = Test::new(["render", "-f", "-"]).stdin(yaml(&p)).run();
        assert_eq!(out.code, 0, "{}\n{}", out.stderr, yaml(&p));
        // One stream per profile would repeat names across profiles in one cluster scope;
        // validate each on its own.
        if let Some((code, text)) =
            validate_manifests(&out.stdout, &["--warnings-as-errors", "--quiet"])
        {
            assert_eq!(code, 0, "{text}\n--- profile:\n{}", yaml(&p));
        } else {
            return;
        }
        stream.push_str(&out.stdout);
    }
    assert!(!stream.is_empty());
}

/// Whatever lint accepts, render renders and the result is valid; whatever lint rejects,
/// render refuses and writes nothing.
#[test]
fn lint_and_render_agree_on_every_fixture() {
    let root = crate::common::root();
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in ["profiles", "tests/fixtures/invalid", "tests/fixtures"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 40);
    for path in files {
        let lint = Test::new(["lint", path.to_str().unwrap()]).run();
        let render = Test::new(["render", "-f", path.to_str().unwrap()]).run();
        assert!(
            lint.code == 0 || lint.code == 1,
            "{}: lint exit {}",
            path.display(),
            lint.code
        );
        assert_eq!(
            lint.code,
            render.code,
            "{}: lint and render disagree",
            path.display()
        );
        if render.code == 0 {
            // A profile lint only warns about renders objects the validator only warns about
            // (e.g. the deprecated VPA `Auto`): errors are what must never pass.
            let clean = !lint.stdout.contains("warning[");
            let args: &[&str] = if clean {
                &["--warnings-as-errors", "--quiet"]
            } else {
                &["--quiet"]
            };
            if let Some((code, text)) = validate_manifests(&render.stdout, args) {
                assert_eq!(code, 0, "{}: {text}", path.display());
            }
        } else {
            assert_eq!(render.stdout, "", "{}: render wrote output", path.display());
        }
    }
}
