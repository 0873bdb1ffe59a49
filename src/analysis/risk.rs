//! Risk: how bad an exposure is, from what the technique does and how sure the model is.
//!
//! - impact(s): the highest sensitivity of data s stores or that flows to or from it
//!   (restricted 4, confidential 3, internal 2, public or none 1);
//! - likelihood(s): internet 3, partner 2, internal 1;
//! - evidence: explicit 3, modelled 2, inferred 1 ([`Evidence`]);
//! - role: takes 3, moves 2, supports 1 ([`Role`]): a tactic in collection, exfiltration or
//!   impact takes, and so does every reuse of stolen identity (opening or taking over an account
//!   is the fraudster's objective); initial access, lateral movement, credential access,
//!   privilege escalation and persistence move, and so does every trust-rule exposure;
//!   anything else supports. F3 and ATLAS redefine some tactics (F3's execution and
//!   monetization take, its positioning moves; ATLAS's AI model access moves): see
//!   [`framework::tactic_role`]. A technique with several tactics takes its highest role.
//!
//! risk = impact x likelihood x evidence x role (1..108), halved (rounded down) when the
//! exposure is `partial`, and 0 when it is `covered` (mitigated and detected: nothing is left
//! open, and adding a control never raises a risk). An accepted exposure keeps the risk of its
//! coverage: accepting records a decision, it does not lower the risk. Severity: critical >= 54,
//! high >= 24, medium >= 8, low below; and critical also requires the exposure to lie on an
//! attack path or be explicit, else high.

use super::findings::{Evidence, Role, Severity, Status};
use super::why::Why;
use crate::attack::Framework;
use crate::attack::framework::{self, TacticRole};
use crate::model::Model;
use crate::model::format::{Reachability, Sensitivity};
use crate::model::resolved::SystemId;

/// Tactics that give a foothold or carry the attacker across a flow, in every framework.
pub const STEP_TACTICS: [&str; 2] = ["initial-access", "lateral-movement"];

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
        Reachability::Internet => 3,
        Reachability::Partner => 2,
        Reachability::Internal => 1,
    }
}

/// The role of a technique from its tactics alone, as its framework defines them
/// ([`framework::tactic_role`]: F3's `execution` takes, ATLAS's `ai-model-access` moves).
pub fn tactic_role(framework: Framework, tactics: &[String]) -> Role {
    let best = tactics
        .iter()
        .map(|t| framework::tactic_role(framework, t))
        .max();
    match best {
        Some(TacticRole::Takes) => Role::Takes,
        Some(TacticRole::Moves) => Role::Moves,
        _ => Role::Supports,
    }
}

/// The role of an exposure: its tactics', raised by a reuse (takes) or trust (moves) reason.
/// A technique that only stages an attack (ATLAS's AI attack staging: the deepfake is made on
/// the attacker's machine) keeps its role under reuse: the evasion it feeds is what takes.
pub fn role(framework: Framework, tactics: &[String], why: &[Why]) -> Role {
    let mut role = tactic_role(framework, tactics);
    let staging_only = framework == Framework::Atlas
        && !tactics.is_empty()
        && tactics.iter().all(|t| t == "ai-attack-staging");
    for w in why {
        match w {
            Why::Reuse(_) if staging_only => {}
            Why::Reuse(_) => role = role.max(Role::Takes),
            Why::Trust(_) => role = role.max(Role::Moves),
            _ => {}
        }
    }
    role
}

/// The strongest evidence among an exposure's reasons.
pub fn evidence(why: &[Why]) -> Evidence {
    why.iter()
        .map(|w| w.evidence())
        .max()
        .unwrap_or(Evidence::Inferred)
}

/// The risk before the status: impact x likelihood x evidence x role.
pub fn base_risk(impact: u8, likelihood: u8, evidence: Evidence, role: Role) -> u32 {
    u32::from(impact) * u32::from(likelihood) * evidence.weight() * role.weight()
}

/// The risk with the coverage status applied: halved (rounded down) when partial, 0 when
/// covered.
pub fn risk(base: u32, status: Status) -> u32 {
    match status {
        Status::Partial => base / 2,
        Status::Covered => 0,
        Status::Gap | Status::Accepted => base,
    }
}

/// The open risk an exposure adds: its risk when gap or partial and not accepted, else 0.
pub fn open_risk(base: u32, status: Status, accepted: bool) -> u32 {
    match status {
        Status::Gap | Status::Partial if !accepted => risk(base, status),
        _ => 0,
    }
}

/// The severity band of a risk; critical needs the exposure on a path or explicit.
pub fn severity(risk: u32, on_path_or_explicit: bool) -> Severity {
    match risk {
        54.. if on_path_or_explicit => Severity::Critical,
        24.. => Severity::High,
        8..=23 => Severity::Medium,
        _ => Severity::Low,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tactics(list: &[&str]) -> Vec<String> {
        list.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn bands_follow_the_documented_thresholds() {
        assert_eq!(severity(108, true), Severity::Critical);
        assert_eq!(severity(54, true), Severity::Critical);
        assert_eq!(severity(54, false), Severity::High);
        assert_eq!(severity(53, true), Severity::High);
        assert_eq!(severity(24, true), Severity::High);
        assert_eq!(severity(23, true), Severity::Medium);
        assert_eq!(severity(8, false), Severity::Medium);
        assert_eq!(severity(7, true), Severity::Low);
        assert_eq!(severity(0, true), Severity::Low);
    }

    #[test]
    fn risk_multiplies_and_partial_halves_rounding_down() {
        let base = base_risk(4, 3, Evidence::Explicit, Role::Takes);
        assert_eq!(base, 108);
        assert_eq!(risk(base, Status::Partial), 54);
        assert_eq!(
            risk(
                base_risk(1, 1, Evidence::Inferred, Role::Supports),
                Status::Partial
            ),
            0
        );
        assert_eq!(
            risk(
                base_risk(3, 1, Evidence::Modelled, Role::Supports),
                Status::Partial
            ),
            3
        );
        assert_eq!(risk(base, Status::Covered), 0);
        assert_eq!(open_risk(base, Status::Gap, true), 0);
        assert_eq!(open_risk(base, Status::Covered, false), 0);
        assert_eq!(open_risk(base, Status::Gap, false), 108);
    }

    #[test]
    fn roles_come_from_tactics_and_reasons() {
        assert_eq!(
            tactic_role(Framework::Attack, &tactics(&["discovery"])),
            Role::Supports
        );
        assert_eq!(
            tactic_role(
                Framework::Attack,
                &tactics(&["defense-evasion", "persistence"])
            ),
            Role::Moves
        );
        assert_eq!(
            tactic_role(
                Framework::Attack,
                &tactics(&["initial-access", "collection"])
            ),
            Role::Takes
        );
        let reuse = [Why::Reuse(crate::model::resolved::DataId::new(0))];
        assert_eq!(
            role(Framework::Attack, &tactics(&["defense-evasion"]), &reuse),
            Role::Takes
        );
        let trust = [Why::Trust(0)];
        assert_eq!(
            role(Framework::Attack, &tactics(&["discovery"]), &trust),
            Role::Moves
        );
        assert_eq!(
            role(Framework::Attack, &tactics(&["collection"]), &trust),
            Role::Takes
        );
        let fraud = tactics(&["execution"]);
        assert_eq!(tactic_role(Framework::Attack, &fraud), Role::Supports);
        assert_eq!(tactic_role(Framework::F3, &fraud), Role::Takes);
        let access = tactics(&["ai-model-access"]);
        assert_eq!(tactic_role(Framework::Atlas, &access), Role::Moves);
        let staging = tactics(&["ai-attack-staging"]);
        assert_eq!(role(Framework::Atlas, &staging, &reuse), Role::Supports);
    }

    #[test]
    fn the_strongest_evidence_wins() {
        assert_eq!(evidence(&[Why::Groups]), Evidence::Inferred);
        assert_eq!(evidence(&[Why::Own, Why::Groups]), Evidence::Modelled);
        assert_eq!(
            evidence(&[Why::Explicit(0), Why::Groups]),
            Evidence::Explicit
        );
    }
}
