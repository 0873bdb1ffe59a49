//! The model's own ids and the references between its items: each id valid and defined once,
//! each reference naming an item of the right section, and the warnings for what nothing uses
//! and for held data with no leak record.
//!
//! These checks need only the model; the ATT&CK IDs it names are checked in `attack_ids`.

use super::validator::{Section, Validator};
use crate::diag::Code;
use crate::diag::suggest::closest;
use crate::model::format::{self, ModelFile};
use crate::model::located::Located;
use crate::model::resolved::{Model, SystemId};

impl Validator<'_> {
    fn define(&mut self, id: &Located<String>, section: Section, index: usize) {
        if !is_valid_id(&id.value) {
            self.push(
                Code::InvalidValue,
                id.position,
                format!("`{}` is not a valid id", id.value),
            )
            .hint = Some(format!(
                "ids use lowercase letters, digits and single '-' between them ({}), for example `{}`",
                format::ID_PATTERN,
                suggest_id(&id.value)
            ));
        }
        if let Some((first, _, first_at)) = self.ids.get(&id.value).copied() {
            let line = first_at.map_or(String::new(), |p| format!(" at line {}", p.line));
            self.push(
                Code::DuplicateId,
                id.position,
                format!(
                    "the id `{}` is already used by {}{line}",
                    id.value,
                    first.noun()
                ),
            )
            .hint = Some("ids are unique across all sections of a model".to_string());
            return;
        }
        self.ids
            .insert(id.value.clone(), (section, index, id.position));
    }

    /// Defines every id in file order, so a duplicate is reported where it repeats.
    pub(super) fn collect_ids(&mut self, file: &ModelFile) {
        let mut all: Vec<(&Located<String>, Section, usize)> = Vec::new();
        all.extend(
            file.actors
                .iter()
                .enumerate()
                .map(|(i, a)| (&a.id, Section::Actor, i)),
        );
        all.extend(
            file.systems
                .iter()
                .enumerate()
                .map(|(i, s)| (&s.id, Section::System, i)),
        );
        all.extend(
            file.data
                .iter()
                .enumerate()
                .map(|(i, d)| (&d.id, Section::Data, i)),
        );
        all.extend(
            file.controls
                .iter()
                .enumerate()
                .map(|(i, c)| (&c.id, Section::Control, i)),
        );
        all.extend(
            file.flows
                .iter()
                .enumerate()
                .filter_map(|(i, f)| f.id.as_ref().map(|id| (id, Section::Flow, i))),
        );
        all.extend(
            file.threats
                .iter()
                .enumerate()
                .filter_map(|(i, t)| t.id.as_ref().map(|id| (id, Section::Threat, i))),
        );
        all.sort_by_key(|(id, _, _)| id.position);
        for (id, section, index) in all {
            self.define(id, section, index);
        }
    }

    /// Resolves a reference to a definition of `section`; `id` makes its index an id.
    pub(super) fn reference<I>(
        &mut self,
        r: &Located<String>,
        section: Section,
        key: &str,
        id: fn(usize) -> I,
    ) -> Option<I> {
        *self.used.entry(r.value.clone()).or_default() += 1;
        let defined = self
            .ids
            .get(&r.value)
            .map(|&(s, index, _)| (s, Some(index)));
        // An item left out of a salvaged model: its own problems are reported already.
        let left_out = || self.left_out.get(&r.value).map(|&s| (s, None));
        match defined.or_else(left_out) {
            Some((s, index)) if s == section => index.map(id),
            Some((other, _)) => {
                self.push(
                    Code::UnknownReference,
                    r.position,
                    format!(
                        "`{key}` must name {}, but `{}` is {}",
                        section.noun(),
                        r.value,
                        other.noun()
                    ),
                );
                None
            }
            None => {
                let defined = self.ids.iter().map(|(id, &(s, _, _))| (id, s));
                let left_out = self.left_out.iter().map(|(id, &s)| (id, s));
                let candidates: Vec<&str> = defined
                    .chain(left_out)
                    .filter(|&(_, s)| s == section)
                    .map(|(id, _)| id.as_str())
                    .collect();
                let hint = closest(&r.value, &candidates).map(|c| format!("did you mean `{c}`?"));
                let d = self.push(
                    Code::UnknownReference,
                    r.position,
                    format!(
                        "`{key}` names `{}`, which is not {} defined in this model",
                        r.value,
                        section.noun()
                    ),
                );
                d.hint = hint;
                None
            }
        }
    }

    pub(super) fn references<I: PartialEq>(
        &mut self,
        refs: &[Located<String>],
        section: Section,
        key: &str,
        id: fn(usize) -> I,
    ) -> Vec<I> {
        let mut out: Vec<I> = refs
            .iter()
            .filter_map(|r| self.reference(r, section, key, id))
            .collect();
        out.dedup();
        out
    }

    /// Warnings for held data with no leak record.
    pub(super) fn held_data_not_leaked(&mut self, file: &ModelFile, model: &Model) {
        for actor in &file.actors {
            for held in &actor.holds {
                if let Some(d) = model.data.iter().find(|d| d.id.value == held.value)
                    && d.leaked.is_none()
                {
                    self.push(
                        Code::HeldDataNotLeaked,
                        held.position,
                        format!(
                            "actor `{}` holds `{}`, which has no `leaked` record",
                            actor.id.value, held.value
                        ),
                    )
                    .hint = Some(
                        "add `leaked: { year: ..., source: ... }` to the data asset".to_string(),
                    );
                }
            }
        }
    }

    /// Warnings for systems and data assets nothing uses.
    pub(super) fn unused_definitions(&mut self, model: &Model) {
        let entered: Vec<SystemId> = model
            .actors
            .iter()
            .flat_map(|a| a.entry.iter().copied())
            .collect();
        for (i, s) in model.system_ids().zip(&model.systems) {
            if self.used.get(&s.id.value).copied().unwrap_or(0) == 0 && !entered.contains(&i) {
                self.push(
                    Code::UnusedDefinition,
                    s.id.position,
                    format!(
                        "system `{}` is connected to nothing: no flow, data, control, threat or actor refers to it",
                        s.id.value
                    ),
                )
                .hint = Some("connect it with a flow, or remove it".to_string());
            }
        }
        for d in &model.data {
            if self.used.get(&d.id.value).copied().unwrap_or(0) == 0 && d.stored_in.is_empty() {
                self.push(
                    Code::UnusedDefinition,
                    d.id.position,
                    format!(
                        "data asset `{}` is not stored, carried or held anywhere",
                        d.id.value
                    ),
                )
                .hint = Some(
                    "add `stored_in`, a flow that `carries` it, or an actor that `holds` it"
                        .to_string(),
                );
            }
        }
    }
}

/// Whether an id follows the id rule: lowercase letters and digits, single '-' between.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A valid id close to an invalid one (`Vendor_Portal` -> `vendor-portal`).
fn suggest_id(id: &str) -> String {
    let mapped: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let parts: Vec<&str> = mapped.split('-').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        "my-system".to_string()
    } else {
        parts.join("-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::validate::validate_salvaged;

    #[test]
    fn a_salvaged_model_reports_its_references_but_not_those_to_what_was_left_out() {
        let kb = crate::testing::kb();
        let text = format!(
            "{}systems:\n  - id: portal\n    name: Portal\n    platforms: [SaaS]\n    exposure: internet\n  - id: vendor\n    nmae: Vendor\n    platforms: [SaaS]\n    exposure: partner\ncontrols:\n  - id: mfa\n    name: MFA\n    mitigations: [M1032]\n    applies_to: [portal, vendor, portl, vendr]\n    status: implemented\n",
            crate::testing::HEADER
        );
        let (_, salvaged) = crate::model::parse_and_salvage(&text, "m.yaml");
        let salvaged = salvaged.expect("salvaged");
        let found: Vec<(Code, String, Option<String>)> =
            validate_salvaged(&salvaged, &kb, "m.yaml", crate::testing::TODAY)
                .into_iter()
                .map(|d| (d.code, d.message, d.hint))
                .collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|f| f.0 == Code::UnknownReference));
        assert_eq!(found[0].2.as_deref(), Some("did you mean `portal`?"));
        // The left-out system is still what a misspelling most likely meant.
        assert_eq!(found[1].2.as_deref(), Some("did you mean `vendor`?"));
    }

    #[test]
    fn id_rule() {
        assert!(is_valid_id("ekyc-vendor-portal"));
        assert!(is_valid_id("a1"));
        assert!(!is_valid_id("Vendor"));
        assert!(!is_valid_id("a--b"));
        assert!(!is_valid_id("-a"));
        assert!(!is_valid_id("a_b"));
        assert_eq!(suggest_id("Vendor_Portal "), "vendor-portal");
    }
}
