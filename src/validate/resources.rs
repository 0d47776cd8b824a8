//! Container resources and storage sizes, wherever they are written: positive
//! quantities (E0301) and requests within their limits (E0302).

use super::Reporter;
use crate::diagnostic::{Code, FieldPath};
use crate::profile::{ResourceName, Resources, Storage};
use crate::quantity::Quantity;

pub(super) fn check(r: &mut Reporter, resources: &Resources, path: &FieldPath) {
    request_over_limit(r, resources, path);
    not_positive(r, resources, path);
}

/// E0302: a cpu or memory request above its limit.
fn request_over_limit(r: &mut Reporter, resources: &Resources, path: &FieldPath) {
    for name in [ResourceName::Cpu, ResourceName::Memory] {
        let (Some(request), Some(limit)) =
            (resources.requests.get(name), resources.limits.get(name))
        else {
            continue;
        };
        if request.value() > limit.value() {
            let d = r
                .at_value(
                    Code::RequestOverLimit,
                    &path.key("requests").key(name.as_str()),
                    format!(
                        "{} request `{request}` is above its limit `{limit}`",
                        name.as_str()
                    ),
                )
                .help(format!(
                    "lower the request to at most `{limit}`, or raise the limit"
                ));
            r.push(d);
        }
    }
}

/// E0301: a request or limit of 0 or less.
fn not_positive(r: &mut Reporter, resources: &Resources, path: &FieldPath) {
    for (section, list) in [
        ("requests", &resources.requests),
        ("limits", &resources.limits),
    ] {
        for (name, q) in list.entries() {
            if !q.is_positive() {
                r.report(
                    Code::InvalidQuantity,
                    &path.key(section).key(name.as_str()),
                    format!("{} {section} `{q}` is not positive", name.as_str()),
                );
            }
        }
    }
}

/// A volume's storage class (E0101, a DNS-1123 subdomain) and size (E0301).
pub(super) fn storage(r: &mut Reporter, storage: &Storage, path: &FieldPath) {
    let path = path.key("storage");
    if let Some(class) = &storage.storage_class {
        super::names::subdomain(r, class, &path.key("storageClass"), "storage class");
    }
    storage_size(r, &storage.size, &path);
}

/// E0301: a storage size of 0 or less.
fn storage_size(r: &mut Reporter, size: &Quantity, path: &FieldPath) {
    if !size.is_positive() {
        r.report(
            Code::InvalidQuantity,
            &path.key("size"),
            format!("storage size `{size}` is not positive"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::test::one;

    #[test]
    fn requests_within_limits() {
        one(
            "regions: {us-east-1: {resources: {requests: {cpu: 5000m}, limits: {cpu: 4000m}}}}\n",
            "error[E0302] regions.us-east-1.resources.requests.cpu: cpu request `5000m` is above its limit `4000m`",
        );
    }

    #[test]
    fn quantities_are_positive() {
        one(
            "postgres: {resources: {requests: {cpu: \"0\"}}}\n",
            "error[E0301] postgres.resources.requests.cpu: cpu requests `0` is not positive",
        );
        one(
            "redis: {storage: {size: \"0\"}}\n",
            "error[E0301] redis.storage.size: storage size `0` is not positive",
        );
    }
}
