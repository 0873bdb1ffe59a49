//! The report as templates see it: every field of the JSON report, with the two long lists
//! (`exposures`, `findings`) cut to what a page can show.
//!
//! Converting a report into template values costs in proportion to what is converted: a
//! 10,000-system model has 80,000 exposures, and converting them all took seconds and a
//! gigabyte for a page that shows a few thousand. Templates get the same field names as the
//! JSON report (so a user's template reads like the JSON); `exposures_total` and
//! `findings_total` say how long the uncut lists are.

use serde::Serialize;

use super::{AttackSource, Generator, Report, Summary};
use super::{BaselineSummary, GoneExposure};
use crate::analysis::findings::*;

/// A view of a [`Report`] for templates (see the module documentation).
#[derive(Debug, Serialize)]
pub struct TemplateReport<'a> {
    generator: &'a Generator,
    attack: &'a AttackSource,
    models: &'a [super::ModelSummary],
    summary: &'a Summary,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    assumptions: &'a [super::Assumption],
    findings: &'a [Finding],
    findings_total: usize,
    plan: &'a [PlanStep],
    exposures: &'a [Exposure],
    exposures_total: usize,
    preparation: &'a [Preparation],
    priorities: &'a [Priority],
    paths: &'a [AttackPath],
    drift: &'a [Drift],
    warnings: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    what_if: &'a [WhatIfChange],
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a BaselineSummary>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    gone: &'a [GoneExposure],
}

impl Report {
    /// The report for a template, with at most `findings` findings and `exposures` exposures
    /// (the first ones, in report order).
    pub fn for_templates(&self, findings: usize, exposures: usize) -> TemplateReport<'_> {
        TemplateReport {
            generator: &self.generator,
            attack: &self.attack,
            models: &self.models,
            summary: &self.summary,
            assumptions: &self.assumptions,
            findings: &self.findings[..self.findings.len().min(findings)],
            findings_total: self.findings.len(),
            plan: &self.plan,
            exposures: &self.exposures[..self.exposures.len().min(exposures)],
            exposures_total: self.exposures.len(),
            preparation: &self.preparation,
            priorities: &self.priorities,
            paths: &self.paths,
            drift: &self.drift,
            warnings: &self.warnings,
            what_if: &self.what_if,
            baseline: self.baseline.as_ref(),
            gone: &self.gone,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::example_report;

    /// Every field of the JSON report reaches templates, under the same name and with the
    /// same content when nothing is cut.
    #[test]
    fn uncut_view_is_the_json_report_plus_totals() {
        let report = example_report();
        let json = serde_json::to_value(&report).expect("report serializes");
        let mut view =
            serde_json::to_value(report.for_templates(usize::MAX, usize::MAX)).expect("view");
        let object = view.as_object_mut().expect("an object");
        assert_eq!(
            object.remove("findings_total"),
            Some(report.findings.len().into())
        );
        assert_eq!(
            object.remove("exposures_total"),
            Some(report.exposures.len().into())
        );
        assert_eq!(view, json);
    }

    #[test]
    fn cuts_only_the_long_lists() {
        let report = example_report();
        let view = serde_json::to_value(report.for_templates(2, 3)).expect("view");
        assert_eq!(view["findings"].as_array().map(Vec::len), Some(2));
        assert_eq!(view["exposures"].as_array().map(Vec::len), Some(3));
        assert_eq!(
            view["exposures"][0],
            serde_json::to_value(&report.exposures[0]).expect("e")
        );
        assert_eq!(
            view["plan"].as_array().map(Vec::len),
            Some(report.plan.len())
        );
    }
}
