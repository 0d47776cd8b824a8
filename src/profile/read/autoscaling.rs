//! How the autoscaling parts of the profile (`profile/autoscaling.rs`) read themselves:
//! metric sources, the metrics adapter, disruption budgets. Same conventions as
//! `read.rs`: each map lists its keys once (`KEYS`), each enum its strings (`CHOICES`).

use crate::diagnostic::Code;
use crate::load::{Cx, FromNode};
use crate::node::{Node, Value};
use crate::profile::autoscaling::IntOrPercent;

impl FromNode for IntOrPercent {
    fn from_node(node: &Node, cx: &mut Cx) -> Option<Self> {
        let expected = "a number of pods (`1`) or a percentage (`\"25%\"`)";
        match &node.value {
            Value::Int(n, _) if *n >= 0 => Some(IntOrPercent::Int(*n)),
            Value::Str(s) => {
                let number = s.strip_suffix('%').and_then(|n| n.parse::<i64>().ok());
                match number {
                    Some(p) if (0..=100).contains(&p) => Some(IntOrPercent::Percent(p)),
                    _ => {
                        cx.error(
                            Code::WrongType,
                            node,
                            format!("`{}` is not {expected}", crate::load::shorten(s)),
                        );
                        None
                    }
                }
            }
            _ => {
                cx.wrong_type(node, expected);
                None
            }
        }
    }
}
