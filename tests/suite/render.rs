//! `render`: the whole topology, its order, its validity and its determinism.

use std::collections::BTreeSet;

use crate::common::{
    Test, assert_cli_snapshot, documents, parse, snapshot_settings, validate_manifests,
};

fn default_render() -> String {
    let out = Test::new(["render"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, crate::common::DEFAULT_PROFILE_NOTE);
    out.stdout
}

#[test]
fn every_profile_has_a_render_snapshot() {
    snapshot_settings().bind(|| {
        insta::glob!("../../profiles", "*.yaml", |path| {
            // Relative to the project, as the stream's header repeats the `-f` given.
            let relative = path.strip_prefix(crate::common::root()).unwrap();
            let out = Test::new(["render", "-f", relative.to_str().unwrap()])
                .current_dir(&crate::common::root())
                .run();
            assert_eq!(out.code, 0, "{}", out.stderr);
            insta::assert_snapshot!("render", out.stdout);
        });
    });
}

#[test]
fn the_embedded_default_is_profiles_production_yaml() {
    let file =
        std::fs::read_to_string(crate::common::root().join("profiles/production.yaml")).unwrap();
    assert_eq!(file, mplp_scale::DEFAULT_PROFILE);
    let from_file = Test::new(["render", "-f", "profiles/production.yaml"])
        .current_dir(&crate::common::root())
        .run();
    // The same objects; the header's commands repeat `-f profiles/production.yaml`.
    let default = default_render();
    assert_eq!(documents(&from_file.stdout), documents(&default));
    assert_eq!(
        from_file.stdout.replace(
            "mplp-scale render -f profiles/production.yaml --",
            "mplp-scale render --"
        ),
        default
    );
}

#[allow(clippy::too_many_lines)] // one scenario, step by step
#[test]
fn the_default_render_has_the_whole_topology() {
    let stream = default_render();
    let docs: Vec<serde_json::Value> = documents(&stream).into_iter().map(parse).collect();
    let count = |kind: &str| docs.iter().filter(|d| d["kind"] == kind).count();
    assert_eq!(count("HorizontalPodAutoscaler"), 30);
    assert_eq!(count("Cluster"), 3);
    assert_eq!(count("RedisCluster"), 3);
    assert_eq!(count("ApplicationSet"), 1);
    assert_eq!(count("Application"), 0);
    // Istio routing in every region: each cluster's istiod reads only its own config.
    assert_eq!(count("Gateway"), 3);
    // The entry service's and the nine other modules' Services'.
    assert_eq!(count("DestinationRule"), 30);
    assert_eq!(count("VirtualService"), 3);
    assert_eq!(count("ObjectStore"), 3);
    assert_eq!(count("VerticalPodAutoscaler"), 6);
    // Per region: the scaling policies, the Redis config and the metrics-adapter rules.
    assert_eq!(count("ConfigMap"), 9);
    // A budget per module and per pooler, in every region.
    assert_eq!(count("PodDisruptionBudget"), 34);
    // Symmetric backups: a base backup in every region.
    assert_eq!(count("ScheduledBackup"), 3);
    // The namespace, first in every region.
    assert_eq!(count("Namespace"), 3);
    // A reader pooler per region, the writer in the primary region only.
    assert_eq!(count("Pooler"), 4);
    assert_eq!(count("PodMonitor"), 6);
    assert_eq!(docs.len(), 141);

    // Every document has the common labels; regional ones name their region.
    for doc in &docs {
        let labels = &doc["metadata"]["labels"];
        assert_eq!(labels["app.kubernetes.io/part-of"], "mplp", "{doc}");
        assert_eq!(
            labels["app.kubernetes.io/managed-by"], "mplp-scale",
            "{doc}"
        );
        let global = doc["kind"] == "ApplicationSet";
        assert_eq!(
            labels.get("topology.mplp.io/region").is_none(),
            global,
            "{doc}"
        );
    }

    // One HPA per workload and region.
    let mut targets = BTreeSet::new();
    for doc in docs
        .iter()
        .filter(|d| d["kind"] == "HorizontalPodAutoscaler")
    {
        let key = (
            doc["metadata"]["labels"]["topology.mplp.io/region"].to_string(),
            doc["spec"]["scaleTargetRef"]["name"].to_string(),
        );
        assert!(targets.insert(key.clone()), "two HPAs on {key:?}");
    }

    // The core HPA carries the seed's Object metrics (the seed's second HPA folded in).
    let core = docs
        .iter()
        .find(|d| d["metadata"]["name"] == "mplp-core-hpa")
        .unwrap();
    // Queue length and backlog are `AverageValue` targets (a seed deviation: issue 13).
    let objects: Vec<(&str, &str, &str, &str)> = core["spec"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["type"] == "Object")
        .map(|m| {
            (
                m["object"]["metric"]["name"].as_str().unwrap(),
                m["object"]["describedObject"]["name"].as_str().unwrap(),
                m["object"]["target"]["type"].as_str().unwrap(),
                m["object"]["target"]["value"]
                    .as_str()
                    .or(m["object"]["target"]["averageValue"].as_str())
                    .unwrap(),
            )
        })
        .collect();
    assert_eq!(
        objects,
        vec![
            (
                "mplp_context_queue_length",
                "mplp-core-service",
                "AverageValue",
                "100"
            ),
            (
                "mplp_plan_execution_backlog",
                "mplp-plan-service",
                "AverageValue",
                "50"
            ),
            (
                "mplp_response_time_p95",
                "mplp-core-service",
                "Value",
                "500m"
            ),
        ]
    );

    // The database VPA targets the CNPG Cluster.
    let db_vpa = docs
        .iter()
        .find(|d| d["metadata"]["name"] == "postgresql-cluster-vpa")
        .unwrap();
    assert_eq!(db_vpa["spec"]["targetRef"]["kind"], "Cluster");
    assert_eq!(
        db_vpa["spec"]["targetRef"]["apiVersion"],
        "postgresql.cnpg.io/v1"
    );
    assert_eq!(
        db_vpa["spec"]["resourcePolicy"]["containerPolicies"][0]["containerName"],
        "postgres"
    );

    // Weighted routing: header routes per region, then the service as a whole, split
    // 50/30/20 by the entry DestinationRule's locality weights.
    let vs = docs.iter().find(|d| d["kind"] == "VirtualService").unwrap();
    let http = vs["spec"]["http"].as_array().unwrap();
    assert_eq!(http.len(), 4);
    assert_eq!(http[3]["route"].as_array().unwrap().len(), 1);
    let weights = crate::common::weights_of_the_default_route(&stream);
    assert_eq!(weights, vec![50, 30, 20]);
}

#[test]
fn the_stream_is_in_design_order() {
    let stream = default_render();
    let sources: Vec<&str> = stream
        .lines()
        .filter_map(|l| l.strip_prefix("# Source: "))
        .collect();
    assert_eq!(sources[0], "global/ApplicationSet/mplp-regions.yaml");
    assert_eq!(
        &sources[1..7],
        [
            "regions/us-east-1/Namespace/mplp-production.yaml",
            "regions/us-east-1/Gateway/mplp-gateway.yaml",
            "regions/us-east-1/DestinationRule/mplp-core-service.yaml",
            "regions/us-east-1/DestinationRule/mplp-context-service.yaml",
            "regions/us-east-1/DestinationRule/mplp-plan-service.yaml",
            "regions/us-east-1/DestinationRule/mplp-role-service.yaml",
        ]
    );
    let region_of = |s: &str| s.split('/').nth(1).unwrap_or("").to_owned();
    let regions: Vec<String> = sources[1..].iter().map(|s| region_of(s)).collect();
    let first_eu = regions.iter().position(|r| r == "eu-west-1").unwrap();
    let first_ap = regions.iter().position(|r| r == "ap-southeast-1").unwrap();
    assert!(regions[..first_eu].iter().all(|r| r == "us-east-1"));
    assert!(regions[first_eu..first_ap].iter().all(|r| r == "eu-west-1"));
    assert!(regions[first_ap..].iter().all(|r| r == "ap-southeast-1"));
    // Every document is preceded by its Source line.
    assert_eq!(sources.len(), documents(&stream).len());
}

#[test]
fn two_renders_are_byte_identical() {
    let a = default_render();
    let b = default_render();
    assert_eq!(a, b);
    assert!(!a.contains("/work/") && !a.contains("/home/") && !a.contains("/tmp/"));
}

#[test]
fn the_default_render_passes_validate_manifests() {
    let stream = default_render();
    if let Some((code, out)) = validate_manifests(&stream, &["--warnings-as-errors", "--quiet"]) {
        assert_eq!(code, 0, "validate-manifests found problems:\n{out}");
        assert_eq!(out.trim(), "", "validate-manifests printed:\n{out}");
    }
}

#[test]
fn region_and_global_filters() {
    let out = Test::new(["render", "--region", "eu-west-1"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let docs: Vec<serde_json::Value> = documents(&out.stdout).into_iter().map(parse).collect();
    assert_eq!(docs.len(), 46);
    for doc in &docs {
        assert_eq!(
            doc["metadata"]["labels"]["topology.mplp.io/region"], "eu-west-1",
            "{doc}"
        );
    }

    let out = Test::new(["render", "--global"]).run();
    let kinds: Vec<String> = documents(&out.stdout)
        .into_iter()
        .map(|d| parse(d)["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, vec!["ApplicationSet"]);

    let out = Test::new(["render", "--global", "--region", "ap-southeast-1"]).run();
    assert_eq!(documents(&out.stdout).len(), 1 + 46);

    let out = Test::new(["render", "--region", "mars-1"]).run();
    assert_cli_snapshot("render-an-unknown-region", &out, None);
}

#[test]
fn verify_parses_every_document_back() {
    let out = Test::new(["render", "--verify"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, default_render());
}

/// Issue 21, items 3 and 6: a pipe gets the stream a file gets (`helm template` does the
/// same): `diff <(render …) <(render …)`, `x=$(render)` and `render | tee` see every
/// object. `--all-clusters`, which the pipe once needed, is still accepted and changes
/// nothing. The header says which clusters the objects are for, and a one-region
/// profile's stream (the management cluster and one region's) says so without the
/// "same names" reason, which needs two regions.
#[test]
fn a_pipe_gets_the_whole_stream() {
    let out = Test::new(["render"]).run_piped();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, default_render());
    let out = Test::new(["render", "--all-clusters"]).run_piped();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, default_render());
    let out = Test::new(["render", "--global", "--region", "eu-west-1"]).run_piped();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(documents(&out.stdout).len(), 1 + 46);

    let one_region = [
        "render",
        "--set",
        "regions.eu-west-1=null",
        "--set",
        "regions.ap-southeast-1=null",
        "--set",
        "regions.us-east-1.weight=100",
    ];
    let out = Test::new(one_region).run_piped();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let header: Vec<&str> = out
        .stdout
        .lines()
        .take_while(|l| l.starts_with('#'))
        .collect();
    assert_eq!(
        header,
        [
            "# mplp-scale: the objects of 2 clusters, the management cluster (the global scope)",
            "# and a region's: never apply this whole stream to one cluster. Apply each cluster's part:",
            "#   mplp-scale render --set regions.eu-west-1=null --set regions.ap-southeast-1=null --set regions.us-east-1.weight=100 --global | kubectl --context MANAGEMENT apply -f -",
            "#   mplp-scale render --set regions.eu-west-1=null --set regions.ap-southeast-1=null --set regions.us-east-1.weight=100 --region us-east-1 | kubectl --context us-east-1 apply -f -",
        ]
    );
    let out = Test::new(["render", "--region", "eu-west-1"]).run_piped();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("# mplp-scale: the objects of region eu-west-1, for cluster eu-west-1:\n#   mplp-scale render --region eu-west-1 | kubectl --context eu-west-1 apply -f -\n---\n"),
        "{}",
        out.stdout
    );
}

/// Issue 21, item 6: the per-cluster commands of the header repeat the user's `-f` and
/// `--set`, shell-quoted, each on its one comment line whatever the arguments hold
/// (blanks, quotes, a newline); run by a shell as printed, each renders that cluster's
/// part of the same profile.
#[test]
fn the_header_commands_render_the_same_profile() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("my profiles")).unwrap();
    std::fs::copy(
        crate::common::root().join("profiles/minimal.yaml"),
        dir.path().join("my profiles/it's.yaml"),
    )
    .unwrap();
    let args = [
        "render",
        "-f",
        "my profiles/it's.yaml",
        "--set",
        "name=a \"name\"\n# with a line break and a $dollar",
        "--set",
        "regions.us-east-1.weight=70",
        "--set",
        "regions.eu-west-1.weight=30",
    ];
    let out = Test::new(args).current_dir(dir.path()).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let header: String = out
        .stdout
        .split_inclusive('\n')
        .take_while(|l| !l.starts_with("---"))
        .collect();
    crate::common::snapshot_settings().bind(|| {
        insta::assert_snapshot!("render-header-with-quoted-arguments", header);
    });
    let commands: Vec<&str> = header
        .lines()
        .filter_map(|l| l.strip_prefix("#   "))
        .map(|l| l.split(" | kubectl").next().unwrap())
        .collect();
    assert_eq!(commands.len(), 3, "{header}");
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_mplp-scale"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (command, scope) in commands.iter().zip(["--global", "--region", "--region"]) {
        let Ok(ran) = std::process::Command::new("bash")
            .args(["-c", command])
            .env("PATH", &path)
            .current_dir(dir.path())
            .output()
        else {
            crate::common::skipped("bash is missing: the header's commands were not run");
            return;
        };
        assert!(ran.status.success(), "{command}: {ran:?}");
        let part = String::from_utf8(ran.stdout).unwrap();
        let mut direct = args.to_vec();
        match command.rsplit_once(" --region ") {
            Some((_, region)) => direct.extend(["--region", region]),
            None => direct.push("--global"),
        }
        let direct = Test::new(direct).current_dir(dir.path()).run();
        assert_eq!(part, direct.stdout, "{command} ({scope})");
        assert!(!documents(&part).is_empty(), "{command}");
    }
}

/// A file whose name starts with `-` is written `--file=NAME` in the header's commands
/// (`-f --set.yaml` would read as two flags when pasted), and the command runs.
#[test]
fn a_header_file_that_looks_like_a_flag_is_joined_to_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        crate::common::root().join("profiles/minimal.yaml"),
        dir.path().join("--set.yaml"),
    )
    .unwrap();
    let out = Test::new(["render", "--file=--set.yaml", "--global"])
        .current_dir(dir.path())
        .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let command = (out.stdout.lines())
        .find_map(|l| l.strip_prefix("#   "))
        .and_then(|l| l.split(" | kubectl").next())
        .unwrap()
        .to_owned();
    assert_eq!(command, "mplp-scale render --file=--set.yaml --global");
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_mplp-scale"));
    let Ok(ran) = std::process::Command::new(bin)
        .args(command.split(' ').skip(1))
        .current_dir(dir.path())
        .output()
    else {
        panic!("the binary runs");
    };
    assert!(ran.status.success(), "{ran:?}");
    assert_eq!(String::from_utf8(ran.stdout).unwrap(), out.stdout);
}

/// Issue 11: once applied, routing resolves and every region is delivered to its
/// cluster: `validate-manifests --topology` finds nothing about Istio hosts, gateways,
/// subsets or Argo CD delivery, in both traffic modes and with either manifest source.
#[test]
fn routing_resolves_and_every_region_is_delivered() {
    for sets in [
        &[][..],
        &["traffic.mode=localFirst"][..],
        &[
            "platform.manifests.source=plugin",
            "traffic.gateway=istio-system/shared",
        ][..],
    ] {
        let mut args = vec!["render".to_owned()];
        for set in sets {
            args.extend(["--set".to_owned(), (*set).to_owned()]);
        }
        let out = Test::new(args).run();
        assert_eq!(out.code, 0, "{}", out.stderr);
        let Some((_, report)) =
            validate_manifests(&out.stdout, &["--topology", "--warnings-as-errors"])
        else {
            return;
        };
        let findings: Vec<&str> = report
            .lines()
            .filter(|l| !l.ends_with(')') || !l.contains(": OK ("))
            .filter(|l| {
                [
                    "VirtualService/",
                    "Gateway/",
                    "DestinationRule/",
                    "ApplicationSet/",
                    "(delivery)",
                ]
                .iter()
                .any(|k| l.contains(k))
            })
            .collect();
        assert_eq!(findings, Vec::<&str>::new(), "with {sets:?}:\n{report}");
    }
}

#[test]
fn every_custom_metric_is_served_and_every_budget_passes() {
    // Issue 13: `render | validate-manifests --topology --warnings-as-errors -` reports no
    // metrics-adapter finding and no PodDisruptionBudget problem. The other topology
    // findings (Istio, Argo CD delivery, CNPG, Redis) belong to other issues.
    let out = Test::new(["render"]).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let Some((_, text)) = validate_manifests(&out.stdout, &["--topology", "--warnings-as-errors"])
    else {
        return;
    };
    let findings: Vec<&str> = text
        .lines()
        .filter(|l| {
            l.contains("no metrics-adapter rule")
                || l.contains("FailedGet")
                || (l.contains("PodDisruptionBudget")
                    && !l.ends_with("OK (Kubernetes 1.37 schema)"))
        })
        .collect();
    assert_eq!(findings, Vec::<&str>::new(), "{text}");
    let budgets = text
        .lines()
        .filter(|l| {
            l.contains("(PodDisruptionBudget/") && l.ends_with("OK (Kubernetes 1.37 schema)")
        })
        .count();
    // A budget per module and per pooler.
    assert_eq!(budgets, 34, "{text}");
}
