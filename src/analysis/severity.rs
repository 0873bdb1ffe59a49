//! Severity from the impact of what a system holds and the likelihood from its exposure.
//!
//! impact(s): the highest sensitivity of data s stores or that flows to or from it
//! (restricted 4, confidential 3, internal 2, public or none 1). likelihood(s): internet 3,
//! partner 2, internal 1. score = impact x likelihood: 9 and above critical, 6-8 high, 3-5
//! medium, below 3 low. A `partial` exposure drops one level.

use super::findings::{Severity, Status};
use crate::model::Model;
use crate::model::format::{Exposure, Sensitivity};
use crate::model::resolved::SystemId;

pub fn sensitivity_weight(s: Sensitivity) -> u8 {
    match s {
        Sensitivity::Restricted => 4,
        Sensitivity::Confidential => 3,
        Sensitivity::Internal => 2,
        Sensitivity::Public => 1,
    }
}

/// The impact of a compromise of every system (1-4), in one pass over data and flows.
pub fn impacts(model: &Model) -> Vec<u8> {
    let mut out = vec![1u8; model.systems.len()];
    for d in &model.data {
        for &s in &d.stored_in {
            out[s] = out[s].max(sensitivity_weight(d.sensitivity));
        }
    }
    for f in &model.flows {
        for &d in &f.carries {
            let w = sensitivity_weight(model.data[d].sensitivity);
            out[f.from] = out[f.from].max(w);
            out[f.to] = out[f.to].max(w);
        }
    }
    out
}

/// How likely an attacker gets at a system (1-3).
pub fn likelihood(model: &Model, system: SystemId) -> u8 {
    match model.systems[system].exposure {
        Exposure::Internet => 3,
        Exposure::Partner => 2,
        Exposure::Internal => 1,
    }
}

/// The severity band of a score.
pub fn band(score: u8) -> Severity {
    match score {
        9.. => Severity::Critical,
        6..=8 => Severity::High,
        3..=5 => Severity::Medium,
        _ => Severity::Low,
    }
}

/// The severity of an exposure with this score and status.
pub fn severity(score: u8, status: Status) -> Severity {
    let base = band(score);
    if status == Status::Partial {
        base.lowered()
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_documented_thresholds() {
        assert_eq!(band(12), Severity::Critical);
        assert_eq!(band(9), Severity::Critical);
        assert_eq!(band(8), Severity::High);
        assert_eq!(band(6), Severity::High);
        assert_eq!(band(4), Severity::Medium);
        assert_eq!(band(3), Severity::Medium);
        assert_eq!(band(2), Severity::Low);
        assert_eq!(severity(12, Status::Partial), Severity::High);
        assert_eq!(severity(2, Status::Partial), Severity::Low);
        assert_eq!(severity(6, Status::Gap), Severity::High);
    }
}
