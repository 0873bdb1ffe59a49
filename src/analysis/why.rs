//! Why an exposure is in scope: the kinds of reason the scope rules give, the evidence each
//! carries, and how a reason raises an exposure's role. Kept apart from the rules themselves
//! (`scope`) so that the risk model can weigh reasons without depending on the rules.

use super::findings::Evidence;
use crate::model::resolved::DataId;

/// Why an exposure is in scope, by index: cheap to copy while the plan re-evaluates actors;
/// [`super::scope::reason`] names it for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Why {
    /// An explicit threat (index in the model's `threats`).
    Explicit(usize),
    /// The actor's own technique.
    Own,
    /// A technique of the actor's groups.
    Groups,
    /// Leaked data the actor holds.
    Reuse(DataId),
    /// A trust-boundary flow (index in the model's `flows`).
    Trust(usize),
}

impl Why {
    pub fn evidence(self) -> Evidence {
        match self {
            Why::Explicit(_) => Evidence::Explicit,
            Why::Groups => Evidence::Inferred,
            Why::Own | Why::Reuse(_) | Why::Trust(_) => Evidence::Modelled,
        }
    }
}
