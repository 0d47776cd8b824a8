//! How the platform settings read themselves: Argo CD delivery and Istio traffic.

use crate::load::{Cx, FromNode};
use crate::node::Node;

/// A version, written as a string (`"1.30"`) or, as YAML reads `1.30`, a number: its
/// text as written either way (`validate` checks its form).
pub(in crate::profile) fn version(node: &Node, cx: &mut Cx) -> Option<String> {
    match &node.value {
        crate::node::Value::Float(_, raw) | crate::node::Value::Int(_, raw) => Some(raw.clone()),
        _ => String::from_node(node, cx),
    }
}
