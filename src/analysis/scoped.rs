//! One actor's exposure with everything the rules decided about it (reasons, evidence, role,
//! coverage, risk, acceptance): what evaluation produces and path search walks.

use super::coverage::CoverageState;
use super::findings::{Evidence, Role, Status};
use super::risk;
use super::why::Why;
use crate::diag::Position;
use crate::model::resolved::SystemId;

/// An exposure of one actor, with everything the rules decide about it.
#[derive(Debug, Clone)]
pub struct Scoped {
    pub technique: u32,
    pub system: SystemId,
    pub why: Vec<Why>,
    pub position: Option<Position>,
    pub evidence: Evidence,
    pub role: Role,
    pub state: CoverageState,
    /// impact x likelihood x evidence x role.
    pub base_risk: u32,
    /// The unexpired acceptance naming it (index in the model's `accepted`).
    pub acceptance: Option<usize>,
}

impl Scoped {
    pub fn status(&self) -> Status {
        if self.acceptance.is_some() {
            Status::Accepted
        } else {
            self.state.status()
        }
    }

    /// The risk, halved when partial (an accepted exposure keeps its computed risk).
    pub fn risk(&self) -> u32 {
        risk::risk(self.base_risk, self.state.status())
    }

    /// What it adds to the open risk: its risk when gap or partial and not accepted.
    pub fn open_risk(&self) -> u32 {
        risk::open_risk(
            self.base_risk,
            self.state.status(),
            self.acceptance.is_some(),
        )
    }

    pub fn is_open(&self) -> bool {
        matches!(self.status(), Status::Gap | Status::Partial)
    }

    /// Nothing implemented prevents it.
    pub fn walkable(&self) -> bool {
        !self.state.prevents()
    }
}
