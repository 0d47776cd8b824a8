//! `ConfigMap` `<redis.name>-config`: the profile's redis.conf settings as
//! `redis-additional.conf`, which the `RedisCluster` references.

use std::sync::Arc;

use super::{At, ConfigMap, KindInfo, Planner};
use crate::plan::PlannedObject;
use crate::profile::Redis;

pub(crate) static INFO: KindInfo = super::config_map(plan, &[super::CONFIG_MAP]);

/// The name of the redis.conf `ConfigMap`, when the profile has settings for it.
#[must_use]
pub(crate) fn name(redis: &Redis) -> Option<String> {
    (!redis.config.is_empty()).then(|| format!("{}-config", redis.name))
}

fn plan(p: &Planner<'_>, at: &At<'_>, out: &mut Vec<PlannedObject>) {
    let Some(redis) = &p.profile.redis else {
        return;
    };
    let Some(name) = name(redis) else { return };
    let mut conf = String::new();
    for (key, value) in &redis.config {
        conf.push_str(key);
        conf.push(' ');
        conf.push_str(value);
        conf.push('\n');
    }
    let name: Arc<str> = Arc::from(name);
    let body = p.body(
        &INFO,
        &name,
        &ConfigMap {
            data: vec![("redis-additional.conf".to_owned(), conf)],
        },
    );
    out.push(p.object(&INFO, at, name, "cache", body));
}
