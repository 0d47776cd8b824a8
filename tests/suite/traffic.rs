//! Issue 20: traffic that survives losing a region, stateful services that stay in theirs.
//! Every check runs for both traffic modes and with the primary in each region.

use serde_json::Value;

use crate::common::{
    Test, assert_cli_snapshot, documents, parse, snapshot_settings, validate_manifests,
};

const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-1"];
const MODES: [&str; 2] = ["weighted", "localFirst"];
/// The modules of the default profile whose Service is not the entry one.
const MODULE_SERVICES: [&str; 9] = [
    "context",
    "plan",
    "role",
    "confirm",
    "trace",
    "extension",
    "dialog",
    "collab",
    "network",
];
const NS: &str = "mplp-production";

/// `render` with this mode, the primary in `primary`, and `extra` arguments.
fn render(mode: &str, primary: &str, extra: &[&str]) -> (Vec<Value>, String) {
    let mut args = vec![
        "render".to_owned(),
        "--set".to_owned(),
        format!("traffic.mode={mode}"),
    ];
    if primary != "us-east-1" {
        for set in [
            "regions.us-east-1.primary=false".to_owned(),
            format!("regions.{primary}.primary=true"),
        ] {
            args.extend(["--set".to_owned(), set]);
        }
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let out = Test::new(args).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let docs = documents(&out.stdout).into_iter().map(parse).collect();
    (docs, out.stdout)
}

/// The objects of `kind` in `region`, by name.
fn objects<'a>(docs: &'a [Value], kind: &str, region: &str) -> Vec<&'a Value> {
    docs.iter()
        .filter(|d| {
            d["kind"] == kind && d["metadata"]["labels"]["topology.mplp.io/region"] == region
        })
        .collect()
}

fn named<'a>(docs: &[&'a Value], name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn host(service: &str) -> String {
    format!("{service}.{NS}.svc.cluster.local")
}

/// What failover needs on a DestinationRule: outlier detection, and locality load
/// balancing turned on (Istio applies failover only with outlier detection).
fn assert_fails_over(dr: &Value, what: &str) {
    let policy = &dr["spec"]["trafficPolicy"];
    assert_eq!(
        policy["outlierDetection"]["consecutive5xxErrors"], 5,
        "{what}"
    );
    assert_eq!(
        policy["outlierDetection"]["maxEjectionPercent"], 100,
        "{what}"
    );
    assert_eq!(
        policy["loadBalancer"]["localityLbSetting"]["enabled"], true,
        "{what}"
    );
}

#[test]
fn every_mode_fails_over_and_every_module_prefers_its_region() {
    for mode in MODES {
        for primary in REGIONS {
            let what = format!("{mode}, primary {primary}");
            let (docs, _) = render(mode, primary, &[]);
            for region in REGIONS {
                let rules = objects(&docs, "DestinationRule", region);
                assert_eq!(rules.len(), 1 + MODULE_SERVICES.len(), "{what}");
                let entry = named(&rules, "mplp-core-service");
                assert_fails_over(entry, &what);
                let lb = &entry["spec"]["trafficPolicy"]["loadBalancer"]["localityLbSetting"];
                if mode == "weighted" {
                    // The split is one Envoy cluster's locality weights: a dead region's
                    // share goes to the others.
                    assert_eq!(lb["distribute"][0]["from"], "*", "{what}");
                    assert_eq!(
                        lb["distribute"][0]["to"],
                        serde_json::json!({"us-east-1/*": 50, "eu-west-1/*": 30, "ap-southeast-1/*": 20}),
                        "{what}"
                    );
                } else {
                    assert!(lb.get("distribute").is_none(), "{what}");
                }
                // Subsets for the header routes only, each its region's Istio cluster ID,
                // with the split off so it never drops the pinned region.
                let subsets = entry["spec"]["subsets"].as_array().unwrap();
                assert_eq!(subsets.len(), 3, "{what}");
                for (subset, name) in subsets.iter().zip(REGIONS) {
                    assert_eq!(subset["name"], name);
                    assert_eq!(subset["labels"]["topology.istio.io/cluster"], name);
                    assert_eq!(
                        subset["trafficPolicy"]["loadBalancer"]["localityLbSetting"]["enabled"],
                        false
                    );
                }
                for module in MODULE_SERVICES {
                    let service = format!("mplp-{module}-service");
                    let dr = named(&rules, &service);
                    assert_eq!(dr["spec"]["host"], host(&service).as_str(), "{what}");
                    assert_fails_over(dr, &format!("{what}, {service}"));
                    assert!(dr["spec"].get("subsets").is_none(), "{what}");
                }
                // The default route goes to the service as a whole, never to a subset.
                let vs = objects(&docs, "VirtualService", region)[0];
                let default = vs["spec"]["http"].as_array().unwrap().last().unwrap();
                assert_eq!(default["name"], "default");
                let routes = default["route"].as_array().unwrap();
                assert_eq!(routes.len(), 1, "{what}");
                assert!(routes[0]["destination"].get("subset").is_none(), "{what}");
            }
        }
    }
}

#[test]
fn every_region_has_one_name_for_the_writer_and_a_local_reader() {
    for mode in MODES {
        for primary in REGIONS {
            let what = format!("{mode}, primary {primary}");
            let (docs, _) = render(mode, primary, &[]);
            let writers: Vec<&str> = docs
                .iter()
                .filter(|d| d["kind"] == "Pooler" && d["spec"]["type"] == "rw")
                .map(|d| {
                    assert_eq!(d["metadata"]["name"], "postgresql-cluster-pooler-rw");
                    d["metadata"]["labels"]["topology.mplp.io/region"]
                        .as_str()
                        .unwrap()
                })
                .collect();
            assert_eq!(
                writers,
                vec![primary],
                "{what}: the writer lives in the primary region only"
            );
            for region in REGIONS {
                let poolers = objects(&docs, "Pooler", region);
                let reader = named(&poolers, "postgresql-cluster-pooler-ro");
                // `r`: every instance, so a drain leaves the reader a backend.
                assert_eq!(reader["spec"]["type"], "r", "{what}");
            }
            // The chart values name both, the same in every region.
            let appset = docs.iter().find(|d| d["kind"] == "ApplicationSet").unwrap();
            let elements = appset["spec"]["generators"][0]["list"]["elements"]
                .as_array()
                .unwrap();
            assert_eq!(elements.len(), 3);
            for element in elements {
                let pg = &element["values"]["postgresql"];
                assert_eq!(
                    pg["writeHost"],
                    host("postgresql-cluster-pooler-rw").as_str()
                );
                assert_eq!(
                    pg["readHost"],
                    host("postgresql-cluster-pooler-ro").as_str()
                );
                assert_eq!(pg["primaryRegion"], primary, "{what}");
            }
        }
    }
}

/// The istiod values of one region, parsed.
fn mesh_config(extra: &[&str]) -> Value {
    let mut args = vec!["render", "--mesh-config"];
    args.extend_from_slice(extra);
    let out = Test::new(args).run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    parse(&out.stdout)
}

#[test]
fn no_stateful_service_is_reachable_across_regions() {
    let expected: Vec<String> = [
        "postgresql-cluster-rw",
        "postgresql-cluster-ro",
        "postgresql-cluster-r",
        "postgresql-cluster-pooler-ro",
        "redis-cluster-leader",
        "redis-cluster-leader-headless",
        "redis-cluster-leader-additional",
        "redis-cluster-follower",
        "redis-cluster-follower-headless",
        "redis-cluster-follower-additional",
    ]
    .iter()
    .map(|s| host(s))
    .collect();
    for primary in REGIONS {
        for region in REGIONS {
            let mut extra = vec!["--region", region];
            let moved = [
                "--set".to_owned(),
                "regions.us-east-1.primary=false".to_owned(),
                "--set".to_owned(),
                format!("regions.{primary}.primary=true"),
            ];
            if primary != "us-east-1" {
                extra.extend(moved.iter().map(String::as_str));
            }
            let values = mesh_config(&extra);
            let settings = &values["meshConfig"]["serviceSettings"];
            assert_eq!(settings.as_array().unwrap().len(), 1);
            assert_eq!(settings[0]["settings"]["clusterLocal"], true);
            let hosts: Vec<String> = settings[0]["hosts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h.as_str().unwrap().to_owned())
                .collect();
            assert_eq!(hosts, expected);
            // The writer's name is the one stateful name every region reaches.
            assert!(!hosts.contains(&host("postgresql-cluster-pooler-rw")));
            assert_eq!(values["global"]["multiCluster"]["clusterName"], region);
            assert_eq!(
                values["meshConfig"]["defaultConfig"]["proxyMetadata"]["ISTIO_META_DNS_CAPTURE"],
                "true"
            );
        }
    }
}

#[test]
fn the_mesh_cluster_id_and_locality_are_what_istio_knows() {
    for mode in MODES {
        let (docs, _) = render(
            mode,
            "us-east-1",
            &[
                "--set",
                "regions.eu-west-1.meshClusterID=cluster2",
                "--set",
                "regions.eu-west-1.locality=europe-west1",
            ],
        );
        let entry = named(
            &objects(&docs, "DestinationRule", "us-east-1"),
            "mplp-core-service",
        );
        assert_eq!(
            entry["spec"]["subsets"][1]["labels"]["topology.istio.io/cluster"],
            "cluster2"
        );
        let to = &entry["spec"]["trafficPolicy"]["loadBalancer"]["localityLbSetting"]["distribute"]
            [0]["to"];
        if mode == "weighted" {
            assert_eq!(to["europe-west1/*"], 30);
        } else {
            assert!(to.is_null());
        }
    }
    let values = mesh_config(&[
        "--region",
        "eu-west-1",
        "--set",
        "regions.eu-west-1.meshClusterID=cluster2",
    ]);
    assert_eq!(values["global"]["multiCluster"]["clusterName"], "cluster2");
    // Without meshClusterID: the region's cluster.
    let values = mesh_config(&[
        "--region",
        "eu-west-1",
        "--set",
        "regions.eu-west-1.cluster=eu",
    ]);
    assert_eq!(values["global"]["multiCluster"]["clusterName"], "eu");
}

#[test]
fn the_topology_validates_in_both_modes_with_the_primary_anywhere() {
    for mode in MODES {
        for primary in REGIONS {
            let (_, stream) = render(mode, primary, &[]);
            let Some((code, report)) =
                validate_manifests(&stream, &["--topology", "--warnings-as-errors", "--quiet"])
            else {
                return;
            };
            assert_eq!(code, 0, "{mode}, primary {primary}:\n{report}");
        }
    }
}

#[test]
fn the_istiod_values_are_printed_and_written_under_out_dir() {
    let out = Test::new(["render", "--mesh-config", "--region", "us-east-1"]).run();
    assert_cli_snapshot("render-mesh-config", &out, None);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let written = Test::new(["render", "--out-dir", path]).run();
    assert_eq!(written.code, 0, "{}", written.stderr);
    for region in REGIONS {
        let file = dir.path().join(format!("mesh/{region}/istiod-values.yaml"));
        let text = std::fs::read_to_string(&file).unwrap();
        let printed = Test::new(["render", "--mesh-config", "--region", region]).run();
        assert_eq!(text, printed.stdout, "{region}");
    }
    // Rendering one region keeps the others' values; not in any kustomization.
    let again = Test::new(["render", "--out-dir", path, "--region", "eu-west-1"]).run();
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        dir.path()
            .join("mesh/us-east-1/istiod-values.yaml")
            .is_file()
    );
    let kustomization =
        std::fs::read_to_string(dir.path().join("regions/eu-west-1/kustomization.yaml")).unwrap();
    assert!(!kustomization.contains("istiod"));
}

#[test]
fn the_traffic_objects_of_local_first_with_the_primary_moved() {
    // A snapshot of what the default render's snapshot does not show: localFirst's rules
    // and the poolers of a region that became primary.
    let (docs, stream) = render("localFirst", "eu-west-1", &["--region", "eu-west-1"]);
    let kept: Vec<&str> = documents(&stream)
        .into_iter()
        .zip(&docs)
        .filter(|(_, d)| {
            (d["kind"] == "DestinationRule" && d["metadata"]["name"] == "mplp-core-service")
                || d["kind"] == "VirtualService"
                || d["kind"] == "Pooler"
        })
        .map(|(text, _)| text)
        .collect();
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("traffic@local-first-primary-eu-west-1", kept.join("---\n"));
    });
}
