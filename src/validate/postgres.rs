//! The CloudNativePG database: names, parameters (E0701, E0101, E0702), instances
//! (E0705), backups (E0703, E0704, E0901) and the database VPA's target (E0605).

use super::names::{Label, label, subdomain};
use super::{Reporter, Rule};
use crate::diagnostic::{Code, FieldPath};
use crate::profile::{Backup, Postgres, Profile, Vpa};

/// A pinned PostgreSQL image, as W0802's help shows it (CloudNativePG's operand images).
const POSTGRES_EXAMPLE: &str = "ghcr.io/cloudnative-pg/postgresql:17.5";

/// CNPG derives pod, service and PVC names from the cluster name.
const MAX_CLUSTER_NAME: usize = 50;

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    let Some(pg) = &profile.postgres else { return };
    let path = FieldPath::root().key("postgres");
    names(r, pg, &path);
    instances(r, pg.instances, &path.key("instances"));
    if let Some(image) = &pg.image_name {
        super::redis::image(r, image, &path.key("imageName"), POSTGRES_EXAMPLE);
    }
    fixed_parameter(r, pg, &path);
    parameter_name(r, pg, &path);
    parameter_value(r, pg, &path);
    if let Some(resources) = &pg.resources {
        super::resources::check(r, resources, &path.key("resources"));
    }
    super::resources::storage(r, &pg.storage, &path);
    shared_buffers(r, pg, &path);
    if let Some(backup) = &pg.backup {
        let path = path.key("backup");
        retention(r, backup, &path);
        DESTINATION.check(r, &backup.destination_path, &path.key("destinationPath"));
        credentials_in_url(r, backup, &path);
        if let Some(url) = &backup.endpoint_url {
            super::platform::URL.check(r, url, &path.key("endpointURL"));
        }
    }
    if let Some(vpa) = &pg.vpa {
        let path = path.key("vpa");
        super::vpa::bounds_and_mode(r, vpa, &path);
        vpa_target(r, pg, vpa, &path);
        vpa_container(r, vpa, &path);
    }
}

/// The cluster name, the storage class and the backup Secret and its keys.
fn names(r: &mut Reporter, pg: &Postgres, path: &FieldPath) {
    let cluster = Label::value(&pg.name, path.key("name"), "cluster", MAX_CLUSTER_NAME);
    label(r, &cluster);
    if let Some(backup) = &pg.backup {
        let path = path.key("backup");
        subdomain(
            r,
            &backup.credentials_secret,
            &path.key("credentialsSecret"),
            "secret",
        );
        secret_keys(r, backup, &path);
    }
}

/// E0101: a key of the backup Secret that a Secret cannot have.
fn secret_keys(r: &mut Reporter, backup: &Backup, path: &FieldPath) {
    for (key, value) in [
        ("accessKeyIdKey", &backup.access_key_id_key),
        ("secretAccessKeyKey", &backup.secret_access_key_key),
    ] {
        SECRET_KEY.check(r, value, &path.key(key));
    }
}

/// E0705: an instance count below 1 or above 100 (of the cluster, or of a region's).
pub(super) fn instances(r: &mut Reporter, instances: i64, path: &FieldPath) {
    if instances < 1 {
        r.report(
            Code::Instances,
            path,
            format!("instances `{instances}` must be at least 1"),
        );
    } else if instances > 100 {
        r.report(
            Code::Instances,
            path,
            format!("instances `{instances}` is above 100: expected a realistic instance count"),
        );
    }
}

/// E0701: a parameter the CNPG operator manages itself.
fn fixed_parameter(r: &mut Reporter, pg: &Postgres, path: &FieldPath) {
    for name in pg.parameters.keys() {
        if CNPG_FIXED_PARAMETERS.contains(&name.as_str()) {
            let d = r
                .at_key(
                    Code::FixedParameter,
                    &path.key("parameters").key(name),
                    format!("parameter `{name}` is managed by the CloudNativePG operator and cannot be set"),
                )
                .help("remove it: the operator sets it from the Cluster spec");
            r.push(d);
        }
    }
}

/// E0101: a key of the backup Secret that a Secret cannot have.
const SECRET_KEY: Rule = Rule {
    code: Code::InvalidName,
    not_a: "a valid Secret key: expected letters, digits, `-`, `_` or `.`",
    ok: is_config_key,
};

/// E0101: a parameter name that is not a PostgreSQL parameter name.
fn parameter_name(r: &mut Reporter, pg: &Postgres, path: &FieldPath) {
    const NAME: Rule = Rule {
        code: Code::InvalidName,
        not_a: "a PostgreSQL parameter name",
        ok: is_parameter_name,
    };
    for name in pg.parameters.keys() {
        let lower = name.to_ascii_lowercase();
        if *name != lower && is_parameter_name(&lower) {
            // `TimeZone`, as PostgreSQL's documentation spells it: the same setting.
            let d = r
                .at_key(
                    Code::InvalidName,
                    &path.key("parameters").key(name),
                    format!("`{}`: write PostgreSQL parameter names in lower case (PostgreSQL reads them in any case, and the names the operator manages are checked in lower case)", crate::load::shorten(name)),
                )
                .help(format!("write `{lower}`"));
            r.push(d);
        } else {
            NAME.check_key(r, name, &path.key("parameters").key(name));
        }
    }
}

/// E0101: a parameter value with a line break (it would end the line in postgresql.conf).
fn parameter_value(r: &mut Reporter, pg: &Postgres, path: &FieldPath) {
    for (name, value) in &pg.parameters {
        if value.contains(['\n', '\r', '\0']) {
            r.report(
                Code::InvalidName,
                &path.key("parameters").key(name),
                "a parameter value cannot contain line breaks",
            );
        }
    }
}

/// E0702: a memory request that cannot hold `shared_buffers`, or a `shared_buffers` that
/// is not a PostgreSQL memory size.
fn shared_buffers(r: &mut Reporter, pg: &Postgres, path: &FieldPath) {
    let (Some(shared), Some(request)) = (
        pg.parameters.get("shared_buffers"),
        pg.resources
            .as_ref()
            .and_then(|r| r.requests.memory.as_ref()),
    ) else {
        return;
    };
    match postgres_bytes(shared, BLOCK) {
        Some(bytes) if bytes > request.value() => {
            let d = r
                .at_value(
                    Code::SharedBuffers,
                    &path.key("resources").key("requests").key("memory"),
                    format!("memory request `{request}` is smaller than `shared_buffers` (`{shared}`)"),
                )
                .help("raise the memory request above shared_buffers, or lower shared_buffers");
            r.push(d);
        }
        Some(_) => {}
        None => r.report(
            Code::SharedBuffers,
            &path.key("parameters").key("shared_buffers"),
            format!(
                "`{}` is not a PostgreSQL memory size: expected e.g. `256MB` (units kB, MB, GB, TB)",
                crate::load::shorten(shared)
            ),
        ),
    }
}

/// PostgreSQL's block size, the unit of a unitless `shared_buffers`.
const BLOCK: f64 = 8192.0;

/// E0703: a retention not of the form `30d`, `4w` or `6m`.
fn retention(r: &mut Reporter, backup: &Backup, path: &FieldPath) {
    if let Some(retention) = &backup.retention
        && !is_retention(retention)
    {
        let d = r
            .at_value(
                Code::Retention,
                &path.key("retention"),
                format!(
                    "retention `{}` does not match `^[1-9][0-9]*[dwm]$`",
                    crate::load::shorten(retention)
                ),
            )
            .help("write a count of days, weeks or months, e.g. `30d`, `4w` or `6m`");
        r.push(d);
    }
}

/// E0901: a backup destination that is not an object store URL.
const DESTINATION: Rule = Rule {
    code: Code::InvalidHost,
    not_a: "an object store URL: expected `s3://`, `gs://` or `https://` (Azure)",
    ok: |url| {
        let scheme_ok = ["s3://", "gs://", "https://", "http://"]
            .iter()
            .any(|s| url.starts_with(s) && url.len() > s.len());
        scheme_ok && !url.contains(char::is_whitespace)
    },
};

/// E0704: a backup destination URL with credentials in it (`user@`).
fn credentials_in_url(r: &mut Reporter, backup: &Backup, path: &FieldPath) {
    if backup.destination_path.contains('@') {
        r.report(
            Code::InlineSecret,
            &path.key("destinationPath"),
            "the destination URL carries credentials (`user@`): reference a Secret with `credentialsSecret` instead",
        );
    }
}

/// E0605: a database VPA whose `targetRef` is not the CNPG Cluster.
fn vpa_target(r: &mut Reporter, pg: &Postgres, vpa: &Vpa, path: &FieldPath) {
    let Some(target) = &vpa.target_ref else {
        return;
    };
    if super::vpa::is_target(target, ("postgresql.cnpg.io/v1", "Cluster", &pg.name)) {
        return;
    }
    let why = if target.kind == "StatefulSet" {
        "CloudNativePG manages its pods directly and never creates a StatefulSet"
    } else {
        "the database's workload is the CNPG Cluster"
    };
    let message = format!(
        "the database VPA targets {}: {why}",
        super::vpa::target_text(target)
    );
    let d = r
        .at_value(Code::VpaTarget, &path.key("targetRef"), message)
        .help(format!(
            "target the Cluster (`{{apiVersion: postgresql.cnpg.io/v1, kind: Cluster, name: {}}}`), or remove `targetRef`: that is the default",
            pg.name
        ));
    r.push(d);
}

/// E0605: a database VPA for a container other than `postgres`.
fn vpa_container(r: &mut Reporter, vpa: &Vpa, path: &FieldPath) {
    if let Some(container) = &vpa.container_name
        && container != "postgres"
    {
        let d = r
            .at_value(
                Code::VpaTarget,
                &path.key("containerName"),
                format!(
                    "CloudNativePG's database container is `postgres`, not `{}`",
                    crate::load::shorten(container)
                ),
            )
            .help("set `containerName: postgres`, or remove it: that is the default");
        r.push(d);
    }
}

/// Parameters the `CloudNativePG` webhook refuses (`postgresql_conf.md`, "Fixed parameters", v1.30.0).
/// Parameters the `CloudNativePG` webhook refuses (`postgresql_conf.md`, "Fixed parameters", v1.30.0).
pub(super) const CNPG_FIXED_PARAMETERS: &[&str] = &[
    "allow_alter_system",
    "allow_system_table_mods",
    "archive_cleanup_command",
    "archive_command",
    "archive_mode",
    "bonjour",
    "bonjour_name",
    "cluster_name",
    "config_file",
    "data_directory",
    "data_sync_retry",
    "event_source",
    "external_pid_file",
    "hba_file",
    "hot_standby",
    "ident_file",
    "jit_provider",
    "listen_addresses",
    "log_destination",
    "log_directory",
    "log_file_mode",
    "log_filename",
    "log_rotation_age",
    "log_rotation_size",
    "log_truncate_on_rotation",
    "logging_collector",
    "port",
    "primary_conninfo",
    "primary_slot_name",
    "promote_trigger_file",
    "recovery_end_command",
    "recovery_min_apply_delay",
    "recovery_target",
    "recovery_target_action",
    "recovery_target_inclusive",
    "recovery_target_lsn",
    "recovery_target_name",
    "recovery_target_time",
    "recovery_target_timeline",
    "recovery_target_xid",
    "restart_after_crash",
    "restore_command",
    "shared_preload_libraries",
    "ssl",
    "ssl_ca_file",
    "ssl_cert_file",
    "ssl_crl_file",
    "ssl_dh_params_file",
    "ssl_ecdh_curve",
    "ssl_key_file",
    "ssl_passphrase_command",
    "ssl_passphrase_command_supports_reload",
    "ssl_prefer_server_ciphers",
    "stats_temp_directory",
    "synchronous_standby_names",
    "syslog_facility",
    "syslog_ident",
    "syslog_sequence_numbers",
    "syslog_split_messages",
    "unix_socket_directories",
    "unix_socket_group",
    "unix_socket_permissions",
];
/// A `PostgreSQL` memory setting in bytes: `B`, `kB`, `MB`, `GB` or `TB` (powers of
/// 1024); a number without a unit counts in the parameter's own unit, `unit_bytes`: 8 kB
/// blocks for `shared_buffers` (PostgreSQL docs, runtime-config-resource: "If this value
/// is specified without units, it is taken as blocks, that is `BLCKSZ` bytes, typically
/// 8kB").
#[must_use]
pub(super) fn postgres_bytes(text: &str, unit_bytes: f64) -> Option<f64> {
    let text = text.trim();
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(end);
    let n: f64 = digits.parse().ok()?;
    let mult = match unit.trim() {
        "" => unit_bytes,
        "MB" => 1024.0 * 1024.0,
        "B" => 1.0,
        "kB" => 1024.0,
        "GB" => 1024.0 * 1024.0 * 1024.0,
        "TB" => 1024f64.powi(4),
        _ => return None,
    };
    Some(n * mult)
}

fn is_retention(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 2
        && matches!(bytes[0], b'1'..=b'9')
        && bytes[1..bytes.len() - 1].iter().all(u8::is_ascii_digit)
        && matches!(bytes[bytes.len() - 1], b'd' | b'w' | b'm')
}

/// A PostgreSQL setting's name as its configuration file reads it (`guc-file.l`: `ID` or
/// `QUALIFIED_ID`, `{ID}"."{ID}`): an identifier, or `prefix.name` for an extension's
/// (`auto_explain.log_min_duration`), each a letter or `_` first, then letters, digits
/// and `_`. In lower case: PostgreSQL reads names in any case (`TimeZone`), so `Port`
/// would slip past the names the operator manages (E0701); `timezone` is the same setting.
fn is_parameter_name(name: &str) -> bool {
    let id = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    name.len() <= 63
        && match name.split_once('.') {
            Some((prefix, rest)) => id(prefix) && id(rest),
            None => id(name),
        }
}

fn is_config_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 253
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::super::test::{each, one};
    use super::{BLOCK, is_parameter_name, postgres_bytes};

    #[test]
    fn parameters() {
        one(
            "postgres: {parameters: {port: \"5433\"}}\n",
            "p.yaml:1:25: error[E0701] postgres.parameters.port: parameter `port` is managed by the CloudNativePG operator",
        );
        one(
            "postgres: {parameters: {Work-Mem: 4MB}}\n",
            "error[E0101] postgres.parameters.Work-Mem: `Work-Mem` is not a PostgreSQL parameter name",
        );
        one(
            "postgres: {parameters: {TimeZone: UTC}}\n",
            "error[E0101] postgres.parameters.TimeZone: `TimeZone`: write PostgreSQL parameter names in lower case",
        );
        for bad in ["a.b.c", ".x", "x.", "1x", ".."] {
            one(
                &format!("postgres: {{parameters: {{\"{bad}\": \"1\"}}}}\n"),
                "is not a PostgreSQL parameter name",
            );
        }
        for good in [
            "pg_stat_statements.max",
            "auto_explain.log_min_duration",
            "_x",
            "timezone",
        ] {
            assert!(is_parameter_name(good), "{good}");
        }
        one(
            "postgres: {parameters: {work_mem: \"4MB\\nfsync = off\"}}\n",
            "error[E0107] postgres.parameters.work_mem: the value holds a line break",
        );
    }

    #[test]
    fn shared_buffers_fit_the_memory_request() {
        one(
            "postgres: {parameters: {shared_buffers: 8GB}}\n",
            "error[E0702] postgres.resources.requests.memory: memory request `4Gi` is smaller than `shared_buffers` (`8GB`)",
        );
        one(
            "postgres: {parameters: {shared_buffers: 1Gi}}\n",
            "error[E0702] postgres.parameters.shared_buffers: `1Gi` is not a PostgreSQL memory size",
        );
        assert_eq!(
            postgres_bytes("256MB", BLOCK),
            Some(256.0 * 1024.0 * 1024.0)
        );
        // 16384 blocks of 8 kB: 128 MB, not 16 GB.
        assert_eq!(
            postgres_bytes("16384", BLOCK),
            Some(128.0 * 1024.0 * 1024.0)
        );
        assert_eq!(postgres_bytes("1Gi", BLOCK), None);
    }

    #[test]
    fn backups() {
        one(
            "postgres: {backup: {retention: 30days}}\n",
            "error[E0703] postgres.backup.retention",
        );
        one(
            "postgres: {backup: {secretAccessKey: hunter2}}\n",
            "error[E0704] postgres.backup.secretAccessKey",
        );
        one(
            "postgres: {backup: {destinationPath: \"s3://key:secret@bucket/pg\"}}\n",
            "error[E0704] postgres.backup.destinationPath",
        );
        one(
            "postgres: {backup: {destinationPath: ftp://backups/pg}}\n",
            "error[E0901] postgres.backup.destinationPath: `ftp://backups/pg` is not an object store URL",
        );
    }

    #[test]
    fn instances() {
        one(
            "postgres: {instances: 0}\n",
            "error[E0705] postgres.instances: instances `0` must be at least 1",
        );
        one(
            "regions: {eu-west-1: {postgres: {instances: 101}}}\n",
            "error[E0705] regions.eu-west-1.postgres.instances: instances `101` is above 100",
        );
    }

    #[test]
    fn the_cluster_name_leaves_room_for_cnpg() {
        one(
            &format!("postgres: {{name: {}}}\n", "p".repeat(51)),
            "error[E0105] postgres.name",
        );
    }

    #[test]
    fn hints_for_what_the_scaling_guide_writes() {
        one(
            "postgres: {monitoring: {enabled: true}}\n",
            "error[E0003] postgres.monitoring",
        );
        let loaded = crate::commands::check(
            &[
                crate::load::Input::Default,
                crate::load::Input::Text {
                    name: "p.yaml".into(),
                    text: "postgres: {monitoring: {enabled: true}}\n".into(),
                },
            ],
            &[],
        )
        .unwrap();
        let help = loaded.diagnostics[0].help.as_deref().unwrap();
        assert!(help.contains("create a PodMonitor"), "{help}");
    }

    #[test]
    fn the_database_vpa_targets_the_cluster() {
        each(
            concat!(
                "postgres: {vpa: {updateMode: \"Off\", containerName: postgresql,\n",
                "  targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: postgresql}}}\n",
            ),
            &[
                "error[E0605] postgres.vpa.containerName",
                "error[E0605] postgres.vpa.targetRef: the database VPA targets `apps/v1/StatefulSet` `postgresql`: CloudNativePG manages its pods directly and never creates a StatefulSet",
            ],
        );
    }
}
