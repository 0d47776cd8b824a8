//! What the profile's types cannot say in their attributes (`#[profile]`, see the
//! `mplp-scale-derive` crate): the readers of the types that are not a map of fields
//! (a metric's short forms, quantities, scalars kept as written, `1` or `"25%"`), the
//! functions a field is read `with`, the keys a map `refuse`s, and the `hints` tables
//! (keys people bring from the scaling guide or raw manifests, with the fix).
//!
//! By area: `platform` (Argo CD, Istio), `modules` (metrics, VPAs, policy rules),
//! `database` (CloudNativePG and Redis), `autoscaling` (disruption budgets); this file
//! holds the profile's version and quantities.

mod autoscaling;
mod database;
mod modules;
mod platform;

pub(super) use database::{
    BACKUP_HINTS, MONITORING_HINTS, POSTGRES_HINTS, REDIS_HINTS, REGION_POSTGRES_HINTS,
    inline_backup_secret, inline_redis_password,
};
pub(super) use modules::{MODULE_HINTS, VPA_HINTS};
pub(super) use platform::version;

use super::VERSION;
use crate::diagnostic::Code;
use crate::load::{Cx, FromNode};
use crate::node::{Node, Value};
use crate::quantity::Quantity;

/// `version`: the one profile format version this tool reads (E0007 otherwise).
pub(in crate::profile) fn format_version(node: &Node, cx: &mut Cx) -> Option<i64> {
    let v = i64::from_node(node, cx)?;
    if v == VERSION {
        Some(v)
    } else {
        cx.error(
            Code::UnsupportedVersion,
            node,
            format!("unsupported profile version `{v}`: this tool reads version `{VERSION}`"),
        );
        None
    }
}

impl FromNode for Quantity {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let text = match &node.value {
            Value::Str(s) => s.as_str(),
            Value::Int(_, raw) | Value::Float(_, raw) => raw.as_str(),
            _ => {
                cx.wrong_type(node, "a quantity such as `500m`, `2Gi` or `100`");
                return None;
            }
        };
        match Quantity::parse(text) {
            Ok(q) => Some(q),
            Err(message) => {
                cx.error(
                    Code::InvalidQuantity,
                    node,
                    format!("invalid quantity: {message}"),
                );
                None
            }
        }
    }
}
