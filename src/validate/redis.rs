//! The opstree RedisCluster: API version (E0805), shard count (E0801, W0804), images
//! (E0101, W0802), resources and storage, and redis.conf settings (E0803).

use super::Reporter;
use super::names::{Label, label, subdomain};
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
    if let Some(class) = &redis.storage.storage_class {
        subdomain(
            r,
            class,
            &path.key("storage").key("storageClass"),
            "storage class",
        );
    }
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
    super::resources::storage_size(r, &redis.storage.size, &path);
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
    image_reference(r, image, path);
    unpinned_image(r, image, path, example);
}

/// Whether `image` has whitespace or control characters (an empty one is reported by `load`).
fn malformed(image: &str) -> bool {
    image.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// E0101: an image reference with whitespace or control characters.
fn image_reference(r: &mut Reporter, image: &str, path: &FieldPath) {
    if malformed(image) {
        r.report(
            Code::InvalidName,
            path,
            format!(
                "`{}` is not an image reference",
                crate::load::shorten(image)
            ),
        );
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

/// E0803: a redis.conf directive name with characters other than letters, digits, `-`, `_`.
fn config_key(r: &mut Reporter, redis: &Redis, path: &FieldPath) {
    for key in redis.config.keys() {
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            r.report_key(
                Code::RedisConfig,
                &path.key("config").key(key),
                format!(
                    "`{}` is not a redis.conf directive: expected letters, digits and `-`",
                    crate::load::shorten(key)
                ),
            );
        }
    }
}

/// E0803: a redis.conf value that is empty or not one line.
fn config_value(r: &mut Reporter, redis: &Redis, path: &FieldPath) {
    for (key, value) in &redis.config {
        if value.trim().is_empty() || value.chars().any(char::is_control) {
            r.report(
                Code::RedisConfig,
                &path.key("config").key(key),
                format!("the value of `{key}` must be one non-empty line: a line break would start another directive"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test::one;

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
    }

    #[test]
    fn config_lines() {
        one(
            "redis: {config: {timeout: \"300\\nrename-command CONFIG \\\"\\\"\"}}\n",
            "error[E0803] redis.config.timeout",
        );
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
