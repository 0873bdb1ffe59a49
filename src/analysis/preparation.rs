//! Actors' preparation: PRE techniques target no system, so they are listed per actor with
//! ATT&CK's mitigations and whether the organisation could observe them with its own logs.

use super::coverage::Collected;
use super::findings::{Observability, Preparation};
use crate::attack::{Kind, KnowledgeBase};

/// One PRE technique of an actor; `supplied` is everything any system of the model collects.
pub fn preparation(
    kb: &KnowledgeBase,
    model_file: &str,
    actor: &str,
    technique: u32,
    supplied: &Collected,
) -> Preparation {
    let t = &kb.techniques[technique as usize];
    let mut mitigations = t.mitigations.clone();
    let mut strategies = t.detection_strategies.clone();
    if let Some(p) = t
        .parent
        .filter(|&p| kb.techniques[p as usize].meta.framework == t.meta.framework)
    {
        mitigations.extend(&kb.techniques[p as usize].mitigations);
        strategies.extend(&kb.techniques[p as usize].detection_strategies);
    }
    let mut any_log_source = false;
    let mut observable = false;
    for &s in &strategies {
        for &a in &kb.detection_strategies[s as usize].analytics {
            let analytic = &kb.analytics[a as usize];
            if !Collected::observable_at_all(analytic) {
                continue;
            }
            any_log_source = true;
            observable |= supplied.unmet(analytic).is_empty();
        }
    }
    let (observability, note) = if observable {
        (
            Observability::Observable,
            "observable: your telemetry supplies an analytic's data components".to_string(),
        )
    } else if any_log_source {
        (
            Observability::NotWithYourTelemetry,
            "not observable with your own telemetry: no system collects the data components its analytics need".to_string(),
        )
    } else if t.meta.framework.is_companion() {
        (
            Observability::NoLogSource,
            format!(
                "not observable with your own telemetry: {} publishes no detections for it; rely on threat intelligence{}",
                t.meta.framework.title(),
                if mitigations.is_empty() {
                    ""
                } else {
                    " and the mitigations"
                }
            ),
        )
    } else {
        (
            Observability::NoLogSource,
            "not observable with your own telemetry: ATT&CK's analytics for it name no log source; rely on threat intelligence and the mitigations".to_string(),
        )
    };
    Preparation {
        model: model_file.to_string(),
        actor: actor.to_string(),
        technique: t.meta.attack_id.clone(),
        technique_name: t.meta.name.clone(),
        mitigations: kb.named(Kind::Mitigation, &mitigations),
        detection_strategies: kb.named(Kind::DetectionStrategy, &strategies),
        observability,
        note,
    }
}
