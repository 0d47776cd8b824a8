//! What CloudNativePG and redis-operator would refuse, ignore or run badly in the
//! distributed topology: a single instance (W0706), Burstable database pods (W0707), a
//! five-field backup schedule (E0709), a Redis
//! PodDisruptionBudget that is ignored or blocks drains (E0806), and `maxmemory` against
//! the memory limit (E0807, W0808).

use super::Reporter;
use crate::commands::explain::redis_bytes;
use crate::diagnostic::{Code, FieldPath};
use crate::profile::{Postgres, Profile, Redis, ResourceName};

pub(super) fn check(r: &mut Reporter, profile: &Profile) {
    if let Some(pg) = &profile.postgres {
        single_instance(r, profile, pg);
        not_guaranteed(r, pg);
        backup_schedule(r, pg);
    }
    if let Some(redis) = &profile.redis {
        redis_pdb(r, redis);
        maxmemory_over_limit(r, redis);
        no_maxmemory(r, redis);
    }
}

/// W0706: a region whose cluster has a single instance (no standby; CNPG's PDB blocks drains).
fn single_instance(r: &mut Reporter, profile: &Profile, pg: &Postgres) {
    for (name, region) in &profile.regions {
        let own_path = FieldPath::root()
            .key("regions")
            .key(name)
            .key("postgres")
            .key("instances");
        if r.failed().contains(&own_path) {
            continue;
        }
        let own = region.postgres.as_ref().and_then(|p| p.instances);
        if own.unwrap_or(pg.instances) != 1 {
            continue;
        }
        let path = if own.is_some() {
            own_path
        } else {
            FieldPath::root().key("postgres").key("instances")
        };
        let d = r
            .at_value(
                Code::SingleInstance,
                &path,
                format!(
                    "the cluster in `{name}` has one instance: no standby takes over when it fails, and CloudNativePG's PodDisruptionBudget blocks every drain of its node"
                ),
            )
            .help("set `instances: 2` or more (a primary and a standby in the region)");
        r.push(d);
    }
}

/// W0707: Postgres requests below their limits (CNPG recommends the Guaranteed `QoS` class).
fn not_guaranteed(r: &mut Reporter, pg: &Postgres) {
    let Some(resources) = &pg.resources else {
        return;
    };
    for name in [ResourceName::Cpu, ResourceName::Memory] {
        let (Some(request), Some(limit)) =
            (resources.requests.get(name), resources.limits.get(name))
        else {
            continue;
        };
        // A request that is not positive is E0301's, one above its limit E0302's.
        if request.value() <= 0.0 || request.value() >= limit.value() {
            continue;
        }
        let resource = name.as_str();
        let d = r
            .at_value(
                Code::NotGuaranteed,
                &FieldPath::root()
                    .key("postgres")
                    .key("resources")
                    .key("requests")
                    .key(resource),
                format!(
                    "the `{resource}` request `{request}` is below the limit `{limit}`: the database pods are not in the Guaranteed QoS class that CloudNativePG recommends"
                ),
            )
            .help("set the request equal to the limit (cloudnative-pg docs resource_management.md)");
        r.push(d);
    }
}

/// E0709: a backup schedule that is not a six-field cron expression (seconds first).
fn backup_schedule(r: &mut Reporter, pg: &Postgres) {
    let Some(backup) = &pg.backup else { return };
    let schedule = backup.schedule.trim();
    let fields = schedule.split_whitespace().count();
    if schedule.starts_with('@') || fields == 6 {
        return;
    }
    let why = if fields == 5 {
        let mut parts = schedule.split_whitespace();
        let (second, minute) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        format!(
            "CloudNativePG reads six fields, seconds first, so it takes `{second}` for the second and `{minute}` for the minute"
        )
    } else {
        "CloudNativePG reads a six-field cron expression, seconds first".to_owned()
    };
    let d = r
        .at_value(
            Code::BackupSchedule,
            &FieldPath::root()
                .key("postgres")
                .key("backup")
                .key("schedule"),
            format!(
                "schedule `{}` has {fields} fields: {why}",
                crate::load::shorten(schedule)
            ),
        )
        .help("write six fields, seconds first: `0 0 0 * * *` is daily at midnight");
    r.push(d);
}

/// E0806: a Redis PodDisruptionBudget the operator ignores in part or that blocks every drain.
fn redis_pdb(r: &mut Reporter, redis: &Redis) {
    let pdb = &redis.pdb;
    if !pdb.enabled {
        return;
    }
    let path = FieldPath::root().key("redis").key("pdb");
    let (at, message) = if pdb.max_unavailable.is_some() && pdb.min_available.is_some() {
        (
            "minAvailable",
            "`minAvailable` is ignored: redis-operator uses `maxUnavailable` when both are set"
                .to_owned(),
        )
    } else if let Some(n) = pdb.min_available.filter(|n| *n >= redis.cluster_size) {
        (
            "minAvailable",
            format!(
                "`minAvailable: {n}` keeps all `{}` pods of a role up: no node that runs one can be drained",
                redis.cluster_size
            ),
        )
    } else if pdb.max_unavailable == Some(0) {
        (
            "maxUnavailable",
            "`maxUnavailable: 0` allows no eviction: no node that runs a Redis pod can be drained"
                .to_owned(),
        )
    } else {
        return;
    };
    let help = if at == "minAvailable" && pdb.max_unavailable.is_some() {
        "keep one of `maxUnavailable` and `minAvailable`"
    } else {
        "use `maxUnavailable: 1`"
    };
    let d = r
        .at_value(Code::RedisPdb, &path.key(at), message)
        .help(help);
    r.push(d);
}

/// E0807: `maxmemory` at or above the memory limit (the pod is OOM-killed before Redis evicts).
fn maxmemory_over_limit(r: &mut Reporter, redis: &Redis) {
    let (Some(text), Some(limit)) = (
        redis.config.get("maxmemory"),
        redis
            .resources
            .as_ref()
            .and_then(|r| r.limits.memory.as_ref()),
    ) else {
        return;
    };
    let Some(bytes) = redis_bytes(text) else {
        return;
    };
    if bytes < limit.value() {
        return;
    }
    let d = r
        .at_value(
            Code::RedisMaxmemory,
            &FieldPath::root()
                .key("redis")
                .key("config")
                .key("maxmemory"),
            format!(
                "maxmemory `{text}` is not below the memory limit `{limit}`: the pod is OOM-killed before Redis starts evicting"
            ),
        )
        .help("leave room for Redis' own overhead: about 75% of the limit (`3gb` for `4Gi`)");
    r.push(d);
}

/// W0808: a memory limit and no `maxmemory` (Redis grows to the limit and is OOM-killed).
fn no_maxmemory(r: &mut Reporter, redis: &Redis) {
    let Some(limit) = redis
        .resources
        .as_ref()
        .and_then(|r| r.limits.memory.as_ref())
    else {
        return;
    };
    let config = FieldPath::root().key("redis").key("config");
    // A `config` (or a `maxmemory`) that failed to load was written: that is reported.
    if redis.config.contains_key("maxmemory")
        || r.failed().contains(&config)
        || r.failed().any_child(&config)
    {
        return;
    }
    let d = r
        .at_value(
            Code::RedisNoMaxmemory,
            &FieldPath::root()
                .key("redis")
                .key("resources")
                .key("limits")
                .key("memory"),
            format!(
                "a memory limit of `{limit}` and no `maxmemory`: Redis never evicts, grows to the limit and is OOM-killed"
            ),
        )
        .help("set `config: {maxmemory: …, maxmemory-policy: allkeys-lru}` to about 75% of the limit");
    r.push(d);
}

#[cfg(test)]
mod tests {
    use super::super::test::{all, lint, one};

    #[test]
    fn single_instance() {
        one(
            "regions: {eu-west-1: {postgres: {instances: 1}}}\n",
            "p.yaml:1:45: warning[W0706] regions.eu-west-1.postgres.instances: the cluster in `eu-west-1` has one instance",
        );
        // Without a region's own count, at `postgres.instances`, once per region.
        all(
            "postgres: {instances: 1}\n",
            2,
            "warning[W0706] postgres.instances",
        );
    }

    #[test]
    fn not_guaranteed() {
        one(
            "postgres: {resources: {requests: {memory: 2Gi}}}\n",
            "warning[W0707] postgres.resources.requests.memory: the `memory` request `2Gi` is below the limit `4Gi`",
        );
        // A request above the limit is E0302's, not this rule's.
        one(
            "postgres: {resources: {requests: {memory: 8Gi}}}\n",
            "error[E0302] postgres.resources.requests.memory",
        );
    }

    #[test]
    fn backup_schedule() {
        one(
            "postgres: {backup: {schedule: \"0 2 * * *\"}}\n",
            "error[E0709] postgres.backup.schedule: schedule `0 2 * * *` has 5 fields: CloudNativePG reads six fields, seconds first, so it takes `0` for the second and `2` for the minute",
        );
        assert_eq!(
            lint("postgres: {backup: {schedule: \"@daily\"}}\n"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn redis_pdb() {
        one(
            "redis: {pdb: {maxUnavailable: 1, minAvailable: 2}}\n",
            "error[E0806] redis.pdb.minAvailable: `minAvailable` is ignored",
        );
        one(
            "redis: {pdb: {minAvailable: 3}}\n",
            "error[E0806] redis.pdb.minAvailable: `minAvailable: 3` keeps all `3` pods of a role up",
        );
        one(
            "redis: {pdb: {maxUnavailable: 0}}\n",
            "error[E0806] redis.pdb.maxUnavailable",
        );
        assert_eq!(
            lint("redis: {pdb: {enabled: false, maxUnavailable: 0}}\n"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn maxmemory() {
        one(
            "redis: {resources: {limits: {memory: 4Gi}}, config: {maxmemory: 4gb}}\n",
            "error[E0807] redis.config.maxmemory: maxmemory `4gb` is not below the memory limit `4Gi`",
        );
        one(
            "redis: {resources: {limits: {memory: 4Gi}}}\n",
            "warning[W0808] redis.resources.limits.memory: a memory limit of `4Gi` and no `maxmemory`",
        );
        assert_eq!(
            lint("redis: {resources: {limits: {memory: 4Gi}}, config: {maxmemory: 3gb}}\n"),
            Vec::<String>::new()
        );
    }
}
