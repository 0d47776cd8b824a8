//! The Config Management Plugin (`contrib/argocd/mplp-scale-cmp.yaml`), run the way the
//! Argo CD repo server runs it: its `generate` command in the Application's source
//! folder, with Argo CD's environment (`ARGOCD_APP_NAME`, `ARGOCD_ENV_<NAME>` for each
//! plugin env entry of the Application). See: issue 11, item 3.

use std::process::Command;

use crate::common::{Test, documents, parse, root};

/// The plugin's definition, read back.
fn plugin() -> serde_json::Value {
    parse(&std::fs::read_to_string(root().join("contrib/argocd/mplp-scale-cmp.yaml")).unwrap())
}

#[test]
fn the_plugin_renders_what_render_region_renders() {
    let plugin = plugin();
    let generate = &plugin["spec"]["generate"];
    let command: Vec<String> = generate["command"]
        .as_array()
        .unwrap()
        .iter()
        .chain(generate["args"].as_array().unwrap())
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    // The Application's source folder: the profile, under the name the env gives.
    let folder = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("profiles/production.yaml"),
        folder.path().join("prod.yaml"),
    )
    .unwrap();
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_mplp-scale"))
        .parent()
        .unwrap()
        .to_owned();
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let out = Command::new(&command[0])
            .args(&command[1..])
            .current_dir(folder.path())
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
            .env("ARGOCD_APP_NAME", format!("mplp-{region}"))
            .env("ARGOCD_APP_NAMESPACE", "argocd")
            .env("ARGOCD_APP_SOURCE_PATH", "deploy")
            .env("ARGOCD_ENV_REGION", region)
            .env("ARGOCD_ENV_PROFILE", "prod.yaml")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The same stream, header included: its commands repeat the plugin's `-f`.
        let expected = Test::new(["render", "-f", "prod.yaml", "--region", region])
            .current_dir(folder.path())
            .run();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), expected.stdout);
    }
    // Without the REGION env (an Application that forgot it), generate fails loudly.
    let out = Command::new(&command[0])
        .args(&command[1..])
        .current_dir(folder.path())
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("REGION"));
}

/// The ApplicationSet with `manifests.source: plugin` names this plugin as Argo CD knows
/// it (`<name>-<version>`) and passes the env entries its command reads.
#[test]
fn the_application_set_names_the_plugin_and_its_env() {
    let plugin = plugin();
    let name = format!(
        "{}-{}",
        plugin["metadata"]["name"].as_str().unwrap(),
        plugin["spec"]["version"].as_str().unwrap()
    );
    let out = Test::new([
        "render",
        "--global",
        "--set",
        "platform.manifests.source=plugin",
        "--set",
        "platform.manifests.profile=prod.yaml",
    ])
    .run();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let set = parse(documents(&out.stdout)[0]);
    let patch = set["spec"]["templatePatch"].as_str().unwrap();
    assert!(
        patch.contains(&format!("plugin:\n        name: {name}\n")),
        "{patch}"
    );
    let args = plugin["spec"]["generate"]["args"][0].as_str().unwrap();
    for env in ["REGION", "PROFILE"] {
        assert!(patch.contains(&format!("- name: {env}\n")), "{patch}");
        assert!(args.contains(&format!("ARGOCD_ENV_{env}")), "{args}");
    }
    assert!(patch.contains("value: \"prod.yaml\""), "{patch}");
}
