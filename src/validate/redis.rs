//! The opstree RedisCluster: API version (E0805), shard count (E0801, W0804), images
//! (E0101, W0802), resources and storage, and redis.conf settings (E0803).

use super::Reporter;
use super::names::{Label, label};
use crate::diagnostic::{Code, FieldPath};
use crate::profile::Redis;

pub(super) fn check(r: &mut Reporter, redis: &Redis) {
    let path = FieldPath::root().key("redis");
    let cluster = Label::value(
        &redis.name,
        path.key("name"),
        "cluster",
        63 - "-follower".len(),
    );
    label(r, &cluster);
    api_version(r, redis, &path);
    pod_count(r, redis, &path);
    shards(r, redis, &path);
    image(r, &redis.image, &path.key("image"), REDIS_EXAMPLE);
    if let Some(exporter) = &redis.exporter {
        image(
            r,
            &exporter.image,
            &path.key("exporter").key("image"),
            EXPORTER_EXAMPLE,
        );
    }
    if let Some(resources) = &redis.resources {
        super::resources::check(r, resources, &path.key("resources"));
    }
    super::resources::storage(r, &redis.storage, &path);
    config_key(r, redis, &path);
    config_value(r, redis, &path);
}

/// E0805: an `apiVersion` redis-operator no longer serves.
fn api_version(r: &mut Reporter, redis: &Redis, path: &FieldPath) {
    let Some(api_version) = &redis.api_version else {
        return;
    };
    if api_version == "redis.redis.opstreelabs.in/v1beta2" {
        return;
    }
    let why = if api_version == "redis.redis.opstreelabs.in/v1beta1" {
        "redis-operator stopped serving `v1beta1` in v0.20.0"
    } else {
        "redis-operator 0.26 serves only `redis.redis.opstreelabs.in/v1beta2`"
    };
    let d = r
        .at_value(
            Code::ApiVersion,
            &path.key("apiVersion"),
            format!(
                "apiVersion `{}` is not served: {why}",
                crate::load::shorten(api_version)
            ),
        )
        .help(
            "use `redis.redis.opstreelabs.in/v1beta2`, or remove `apiVersion`: that is the default",
        );
    r.push(d);
}

/// W0804: a `clusterSize` over 3, which counts leader shards: twice as many pods run.
fn pod_count(r: &mut Reporter, redis: &Redis, path: &FieldPath) {
    let size = redis.cluster_size;
    if size > 3 && size <= 1000 {
        let d = r
            .at_value(
                Code::RedisPods,
                &path.key("clusterSize"),
                format!(
                    "clusterSize `{size}` counts leader shards, each with a follower: this cluster runs {} Redis pods",
                    size * 2
                ),
            )
            .help(format!(
                "if you meant {size} pods in all, set `clusterSize: {}`",
                (size / 2).max(3)
            ));
        r.push(d);
    }
}

/// E0801: fewer than 3 leader shards, or more than 1000.
fn shards(r: &mut Reporter, redis: &Redis, path: &FieldPath) {
    let size = redis.cluster_size;
    let path = path.key("clusterSize");
    if size < 3 {
        let d = r
            .at_value(
                Code::RedisShards,
                &path,
                format!(
                    "clusterSize `{size}` is below 3: a Redis cluster needs at least 3 leader shards"
                ),
            )
            .help("set `clusterSize: 3` (3 leaders, each with one follower: 6 pods)");
        r.push(d);
    } else if size > 1000 {
        r.report(
            Code::RedisShards,
            &path,
            format!("clusterSize `{size}` is above 1000"),
        );
    }
}

/// A pinned Redis image, as W0802's help shows it (the production profile's).
const REDIS_EXAMPLE: &str = "quay.io/opstree/redis:v7.0.15";
/// A pinned exporter image, as W0802's help shows it (the production profile's).
const EXPORTER_EXAMPLE: &str = "quay.io/opstree/redis-exporter:v1.44.0";

/// Both image rules; `example` is a pinned image of the same kind, for the help.
pub(super) fn image(r: &mut Reporter, image: &str, path: &FieldPath, example: &str) {
    image_reference(r, image, path, example);
    unpinned_image(r, image, path, example);
}

/// Whether `image` is not an image reference (an empty one is reported by `load`).
fn malformed(image: &str) -> bool {
    !image.is_empty() && super::strings::image_problem(image).is_some()
}

/// E0101: a string that is not an image reference (`[REGISTRY/]PATH[:TAG][@DIGEST]`),
/// with what is wrong in it and a pinned example.
fn image_reference(r: &mut Reporter, image: &str, path: &FieldPath, example: &str) {
    let problem = (!image.is_empty())
        .then(|| super::strings::image_problem(image))
        .flatten();
    if let Some(problem) = problem {
        let d = r
            .at_value(
                Code::InvalidName,
                path,
                format!(
                    "`{}` is not an image reference: {problem}",
                    crate::load::shorten(image)
                ),
            )
            .help(format!("for example `{example}`"));
        r.push(d);
    }
}

/// W0802: a well-formed image without a tag or digest, or with the `latest` tag.
fn unpinned_image(r: &mut Reporter, image: &str, path: &FieldPath, example: &str) {
    if image.is_empty() || malformed(image) {
        return;
    }
    let (name, digest) = image
        .split_once('@')
        .map_or((image, false), |(n, _)| (n, true));
    let last = name.rsplit('/').next().unwrap_or(name);
    let tag = last.split_once(':').map(|(_, t)| t);
    if digest || tag.is_some_and(|t| t != "latest") {
        return;
    }
    let what = if tag.is_none() {
        "has no tag, which means `latest`"
    } else {
        "uses the `latest` tag"
    };
    let d = r
        .at_value(
            Code::UnpinnedImage,
            path,
            format!(
                "image `{}` {what}: it changes under you",
                crate::load::shorten(image)
            ),
        )
        .help(format!("pin a version tag or a digest, e.g. `{example}`"));
    r.push(d);
}

/// Directives a profile may not set: they load code or read and write files on the node
/// (`loadmodule`, `include`, `dir`, ...), rename or enable commands, or turn the server
/// into something else (redis.io `redis.conf`, "SECURITY" and "GENERAL"). The operator
/// writes `redisConfig` verbatim into the file Redis reads.
pub(crate) const REFUSED_DIRECTIVES: &[&str] = &[
    "include",
    "loadmodule",
    "rename-command",
    "dir",
    "dbfilename",
    "appendfilename",
    "appenddirname",
    "logfile",
    "pidfile",
    "unixsocket",
    "unixsocketperm",
    "aclfile",
    "cluster-config-file",
    "enable-debug-command",
    "enable-module-command",
    "enable-protected-configs",
    "replicaof",
    "slaveof",
    "bind",
    "port",
    "tls-port",
    "protected-mode",
    "requirepass",
    "masterauth",
    "masteruser",
    "user",
    "daemonize",
    "supervised",
    "syslog-enabled",
    "syslog-ident",
];

/// E0803: a redis.conf directive name that is not lower-case letters, digits and `-`,
/// or one that loads code, touches files or changes what the server is.
fn config_key(r: &mut Reporter, redis: &Redis, path: &FieldPath) {
    for key in redis.config.keys() {
        let path = path.key("config").key(key);
        let lower = key.to_ascii_lowercase();
        // A directive starts with a letter (`-`, `1` or `true` is none Redis knows).
        if !key.starts_with(|c: char| c.is_ascii_alphabetic())
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            r.report_key(
                Code::RedisConfig,
                &path,
                format!(
                    "`{}` is not a redis.conf directive: expected a letter, then letters, digits and `-`",
                    crate::load::shorten(key)
                ),
            );
        } else if REFUSED_DIRECTIVES.contains(&lower.as_str()) {
            let d = r
                .at_key(
                    Code::RedisConfig,
                    &path,
                    format!("`{key}` cannot be set from the profile: it loads code, reads or writes files on the node, or changes how the operator runs Redis"),
                )
                .help("remove it (the operator sets what it needs itself)");
            r.push(d);
        } else if lower != *key {
            // Redis reads names case-insensitively: `MAXMEMORY` would escape every check.
            let d = r
                .at_key(
                    Code::RedisConfig,
                    &path,
                    format!("`{key}`: write redis.conf directives in lower case"),
                )
                .help(format!("write `{lower}`"));
            r.push(d);
        }
    }
}

/// E0803: a redis.conf value that is empty or not one line, or a memory size that Redis
/// does not read (`maxmemory: 2Gi`, `1.5gb`).
fn config_value(r: &mut Reporter, redis: &Redis, path: &FieldPath) {
    for (key, value) in &redis.config {
        if value.trim().is_empty() || value.chars().any(char::is_control) {
            r.report(
                Code::RedisConfig,
                &path.key("config").key(key),
                format!("the value of `{key}` must be one non-empty line: a line break would start another directive"),
            );
        } else if !splits_as_redis_reads(value) {
            let d = r
                .at_value(
                    Code::RedisConfig,
                    &path.key("config").key(key),
                    format!(
                        "`{}` has a quote Redis cannot read: every `\"` or `'` must be closed, and followed by a blank or the end",
                        crate::load::shorten(value)
                    ),
                )
                .help("Redis refuses the whole file and the pods do not start: balance the quotes (`save \"\"` is read) or drop them");
            r.push(d);
        } else if key == "maxmemory" && !is_redis_memory(value) {
            let d = r
                .at_value(
                    Code::RedisConfig,
                    &path.key("config").key(key),
                    format!(
                        "`{}` is not a memory size Redis reads: expected a whole number with `b`, `k`, `kb`, `m`, `mb`, `g` or `gb`",
                        crate::load::shorten(value)
                    ),
                )
                .help("for example `3gb` (Redis' `gb` is 1024³ bytes; Kubernetes' `Gi` is not a Redis unit)");
            r.push(d);
        }
    }
}

/// Whether Redis splits `line` into arguments (`sdssplitargs` in its `sds.c`, which
/// `config.c` calls for every line): a `"` or `'` opens a quoted part that must close
/// (`\` escapes inside), and a closing quote must be followed by a blank or the end;
/// otherwise Redis refuses the file ("Unbalanced quotes in configuration line").
fn splits_as_redis_reads(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut quote = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            None if b == b'"' || b == b'\'' => quote = Some(b),
            // In `"…"` a `\` escapes the next byte; in `'…'` only `\'` is an escape.
            Some(b'"') if b == b'\\' && i + 1 < bytes.len() => i += 1,
            Some(b'\'') if b == b'\\' && bytes.get(i + 1) == Some(&b'\'') => i += 1,
            Some(q) if b == q => {
                if bytes.get(i + 1).is_some_and(|n| !n.is_ascii_whitespace()) {
                    return false;
                }
                quote = None;
            }
            None | Some(_) => {}
        }
        i += 1;
    }
    quote.is_none()
}

/// A memory size as redis.conf reads it (`memtoll`): digits, then an optional unit.
fn is_redis_memory(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let digits = lower.len() - lower.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    digits > 0
        && matches!(
            &lower[digits..],
            "" | "b" | "k" | "kb" | "m" | "mb" | "g" | "gb"
        )
}

#[cfg(test)]
mod tests {
    use super::super::test::one;
    use super::splits_as_redis_reads;

    #[test]
    fn shards_and_pods() {
        one(
            "redis: {clusterSize: 2}\n",
            "p.yaml:1:22: error[E0801] redis.clusterSize: clusterSize `2` is below 3",
        );
        one(
            "redis: {clusterSize: 6}\n",
            "warning[W0804] redis.clusterSize: clusterSize `6` counts leader shards, each with a follower: this cluster runs 12 Redis pods",
        );
    }

    #[test]
    fn images_are_pinned() {
        one(
            "redis: {exporter: {image: quay.io/opstree/redis-exporter:latest}}\n",
            "warning[W0802] redis.exporter.image: image `quay.io/opstree/redis-exporter:latest` uses the `latest` tag",
        );
        one(
            "redis: {image: quay.io/opstree/redis}\n",
            "warning[W0802] redis.image: image `quay.io/opstree/redis` has no tag",
        );
        one(
            "postgres: {imageName: ghcr.io/cloudnative-pg/postgresql:latest}\n",
            "warning[W0802] postgres.imageName: image `ghcr.io/cloudnative-pg/postgresql:latest` uses the `latest` tag",
        );
        one(
            "postgres: {imageName: \"ghcr.io/cloudnative-pg/postgresql 17\"}\n",
            "error[E0101] postgres.imageName: `ghcr.io/cloudnative-pg/postgresql 17` is not an image reference",
        );
        one(
            "redis: {image: \"quay.io/opstree/redis v7\"}\n",
            "error[E0101] redis.image: `quay.io/opstree/redis v7` is not an image reference",
        );
        // What is wrong in it.
        one(
            "redis: {image: \"quay.io//redis:v7\"}\n",
            "is not an image reference: expected `[REGISTRY/]PATH[:TAG][@DIGEST]` with a lower-case path",
        );
    }

    #[test]
    fn config_lines() {
        one(
            "redis: {config: {timeout: \"300\\nrename-command CONFIG \\\"\\\"\"}}\n",
            "error[E0107] redis.config.timeout: the value holds a line break",
        );
        for key in [
            "loadmodule",
            "include",
            "rename-command",
            "LoadModule",
            "dir",
        ] {
            one(
                &format!("redis: {{config: {{{key}: /tmp/x.so}}}}\n"),
                &format!("error[E0803] redis.config.{key}: `{key}` cannot be set from the profile"),
            );
        }
        for key in ["-", "1", "_x", "---"] {
            one(
                &format!("redis: {{config: {{\"{key}\": x}}}}\n"),
                "is not a redis.conf directive",
            );
        }
        for bad in ["300 \\\"x", "'a", "\\\"a\\\"b", "x \\\"y"] {
            one(
                &format!("redis: {{config: {{timeout: \"{bad}\"}}}}\n"),
                "has a quote Redis cannot read",
            );
        }
        assert!(splits_as_redis_reads("\"\""));
        assert!(splits_as_redis_reads("900 1 \"a b\" 'c d'"));
        assert!(splits_as_redis_reads("\"a\\\"b\""));
        assert!(!splits_as_redis_reads("\"a\"b"));
        assert!(!splits_as_redis_reads("'a\\\\'"));
        assert!(splits_as_redis_reads("'a\\' b'"));
        one(
            "redis: {config: {MAXMEMORY: 3gb}}\n",
            "error[E0803] redis.config.MAXMEMORY: `MAXMEMORY`: write redis.conf directives in lower case",
        );
        for bad in ["2Gi", "1.5gb", "lots"] {
            one(
                &format!("redis: {{config: {{maxmemory: {bad}}}}}\n"),
                "is not a memory size Redis reads",
            );
        }
        one(
            "redis: {config: {\"max memory\": 3gb}}\n",
            "error[E0803] redis.config[\"max memory\"]: `max memory` is not a redis.conf directive",
        );
    }

    #[test]
    fn api_version() {
        one(
            "redis: {apiVersion: redis.redis.opstreelabs.in/v1beta1}\n",
            "error[E0805] redis.apiVersion: apiVersion `redis.redis.opstreelabs.in/v1beta1` is not served: redis-operator stopped serving `v1beta1` in v0.20.0",
        );
    }
}
