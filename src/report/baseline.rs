//! Comparing a report with a baseline (an earlier JSON report, typically main's), so a gate
//! can fail only on what got worse.
//!
//! Exposures are matched on (actor, technique, system): not on the model file or line, so
//! matching survives reordering, unrelated edits and renamed files. Each current exposure is
//! `new`, `unchanged`, `worse` or `better`; baseline exposures that no longer exist are `gone`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{BaselineSummary, GoneExposure, Report};
use crate::analysis::findings::{Severity, Status, Trend};

/// What the baseline said about one exposure.
#[derive(Debug, Clone)]
struct Before {
    status: Status,
    severity: Severity,
    raw_status: String,
    raw_severity: String,
}

fn status_of(text: &str) -> Option<Status> {
    match text {
        "covered" => Some(Status::Covered),
        "partial" => Some(Status::Partial),
        "gap" => Some(Status::Gap),
        "accepted" => Some(Status::Accepted),
        _ => None,
    }
}

fn severity_of(text: &str) -> Option<Severity> {
    match text {
        "low" => Some(Severity::Low),
        "medium" => Some(Severity::Medium),
        "high" => Some(Severity::High),
        "critical" => Some(Severity::Critical),
        _ => None,
    }
}

fn is_open(status: Status) -> bool {
    matches!(status, Status::Gap | Status::Partial)
}

/// How bad a (status, severity) is, for comparing: closed < partial < gap, then severity.
fn badness(status: Status, severity: Severity) -> (u8, Severity) {
    let s = match status {
        Status::Covered | Status::Accepted => 0,
        Status::Partial => 1,
        Status::Gap => 2,
    };
    (s, if s == 0 { Severity::Low } else { severity })
}

type Key = (String, String, String);

/// Why a baseline report cannot be compared with.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The document has no `exposures` list.
    #[error("it has no \"exposures\" list: is it an atkmap JSON report (--format json)?")]
    NoExposures,
    /// An exposure lacks one of the strings a comparison needs.
    #[error("exposure {index} has no \"{field}\" string")]
    MissingField {
        /// The exposure's position in the list, from 0.
        index: usize,
        /// The missing key.
        field: &'static str,
    },
    /// An exposure's status is none atkmap writes.
    #[error("exposure {index} has an unknown status {value:?}")]
    UnknownStatus {
        /// The exposure's position in the list, from 0.
        index: usize,
        /// The status as written.
        value: String,
    },
    /// An exposure's severity is none atkmap writes.
    #[error("exposure {index} has an unknown severity {value:?}")]
    UnknownSeverity {
        /// The exposure's position in the list, from 0.
        index: usize,
        /// The severity as written.
        value: String,
    },
}

/// Reads the exposures of a baseline report.
fn read(baseline: &Value) -> Result<BTreeMap<Key, Vec<Before>>, BaselineError> {
    let exposures = baseline
        .get("exposures")
        .and_then(Value::as_array)
        .ok_or(BaselineError::NoExposures)?;
    let mut out: BTreeMap<Key, Vec<Before>> = BTreeMap::new();
    for (index, e) in exposures.iter().enumerate() {
        let field = |field: &'static str| {
            e.get(field)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or(BaselineError::MissingField { index, field })
        };
        let (raw_status, raw_severity) = (field("status")?, field("severity")?);
        let status = status_of(&raw_status).ok_or_else(|| BaselineError::UnknownStatus {
            index,
            value: raw_status.clone(),
        })?;
        let severity =
            severity_of(&raw_severity).ok_or_else(|| BaselineError::UnknownSeverity {
                index,
                value: raw_severity.clone(),
            })?;
        out.entry((field("actor")?, field("technique")?, field("system")?))
            .or_default()
            .push(Before {
                status,
                severity,
                raw_status,
                raw_severity,
            });
    }
    Ok(out)
}

/// Marks every exposure of `report` against `baseline` and records what is gone.
pub fn compare(report: &mut Report, baseline: &Value, file: &str) -> Result<(), BaselineError> {
    let mut before = read(baseline)?;
    let mut summary = BaselineSummary {
        file: file.to_string(),
        ..BaselineSummary::default()
    };
    for e in &mut report.exposures {
        let key = (e.actor.clone(), e.technique.clone(), e.system.clone());
        let previous = before
            .get_mut(&key)
            .and_then(|list| (!list.is_empty()).then(|| list.remove(0)));
        let trend = match &previous {
            None => Trend::New,
            Some(b) => {
                let (was, now) = (badness(b.status, b.severity), badness(e.status, e.severity));
                match now.cmp(&was) {
                    std::cmp::Ordering::Greater => Trend::Worse,
                    std::cmp::Ordering::Less => Trend::Better,
                    std::cmp::Ordering::Equal => Trend::Unchanged,
                }
            }
        };
        match trend {
            Trend::New => summary.new += 1,
            Trend::Worse => summary.worse += 1,
            Trend::Unchanged => summary.unchanged += 1,
            Trend::Better => summary.better += 1,
        }
        let was_open = previous.as_ref().is_some_and(|b| is_open(b.status));
        if e.is_open() && !was_open {
            summary.new_open += 1;
        }
        if was_open && !e.is_open() {
            summary.closed += 1;
        }
        e.trend = Some(trend);
    }
    let mut gone = Vec::new();
    for ((actor, technique, system), list) in before {
        for b in list {
            if is_open(b.status) {
                summary.closed += 1;
            }
            gone.push(GoneExposure {
                actor: actor.clone(),
                technique: technique.clone(),
                system: system.clone(),
                status: b.raw_status,
                severity: b.raw_severity,
            });
        }
    }
    summary.gone = gone.len();
    report.gone = gone;
    report.baseline = Some(summary);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline(entries: &[(&str, &str, &str, &str, &str)]) -> Value {
        let exposures: Vec<Value> = entries
            .iter()
            .map(|(a, t, s, status, severity)| {
                serde_json::json!({"actor": a, "technique": t, "system": s, "status": status, "severity": severity})
            })
            .collect();
        serde_json::json!({ "exposures": exposures })
    }

    #[test]
    fn badness_orders_closed_partial_gap() {
        assert!(badness(Status::Gap, Severity::Low) > badness(Status::Partial, Severity::Critical));
        assert_eq!(
            badness(Status::Covered, Severity::Critical),
            badness(Status::Accepted, Severity::Low)
        );
    }

    #[test]
    fn rejects_what_is_not_a_report() {
        assert!(read(&serde_json::json!({"runs": []})).is_err());
        assert!(read(&baseline(&[("a", "T1", "s", "broken", "low")])).is_err());
        assert_eq!(
            read(&baseline(&[("a", "T1", "s", "gap", "low")]))
                .map(|m| m.len())
                .ok(),
            Some(1)
        );
        assert_eq!(
            read(&baseline(&[("a", "T1", "s", "broken", "low")]))
                .map_err(|e| e.to_string())
                .err(),
            Some("exposure 0 has an unknown status \"broken\"".to_string())
        );
    }
}
