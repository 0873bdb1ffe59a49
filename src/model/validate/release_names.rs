//! The names a model takes from the release besides ATT&CK IDs: a system's platforms and
//! telemetry (data component IDs or log-source names) and an actor's `exclude` (technique IDs
//! or tactic shortnames). Each is checked against the release's own list, with the closest
//! name as a hint.

use super::validator::Validator;
use crate::attack::Kind;
use crate::diag::Code;
use crate::diag::suggest::closest;
use crate::model::hints;
use crate::model::located::Located;
use crate::model::resolved::Telemetry;

impl Validator<'_> {
    /// An actor's `exclude`: technique IDs, or tactic shortnames of the release.
    pub(super) fn exclusions(&mut self, entries: &[Located<String>]) {
        let kb = self.kb;
        for e in entries {
            if Kind::from_attack_id(&e.value).is_some() {
                self.attack_ref(e, Kind::Technique, "exclude");
                continue;
            }
            let mut shortnames: Vec<&str> = kb
                .tactics
                .iter()
                .filter(|t| t.meta.is_active())
                .map(|t| t.shortname.as_str())
                .collect();
            shortnames.sort_unstable();
            shortnames.dedup();
            if shortnames.contains(&e.value.as_str()) {
                continue;
            }
            let hint = match closest(&e.value, &shortnames) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("tactic shortnames: {}", shortnames.join(", ")),
            };
            self.push(
                Code::InvalidValue,
                e.position,
                format!(
                    "`{}` in `exclude` is neither a technique ID nor a tactic shortname of ATT&CK {} {}",
                    e.value, kb.release.domain, kb.release.version
                ),
            )
            .hint = Some(hint);
        }
    }

    pub(super) fn platforms(&mut self, platforms: &[Located<String>], known: &[String]) {
        for p in platforms {
            if known.contains(&p.value) {
                continue;
            }
            self.push(
                Code::UnknownPlatform,
                p.position,
                format!("`{}` is not an ATT&CK platform", p.value),
            )
            .hint = Some(hints::platform(&p.value, known));
        }
    }

    /// Resolves a system's `telemetry`: each entry a data component (by ID) or a log-source
    /// name, checked against the release on the way.
    pub(super) fn telemetry(&mut self, entries: &[Located<String>]) -> Vec<Telemetry> {
        let kb = self.kb;
        let mut out = Vec::with_capacity(entries.len());
        for t in entries {
            let component = kb
                .lookup(&t.value, Some(Kind::DataComponent))
                .filter(|o| o.kind == Kind::DataComponent);
            out.push(match component {
                Some(o) => Telemetry::Component(o.index),
                None => Telemetry::LogSource(t.value.clone()),
            });
            if component.is_some_and(|o| kb.meta(o).is_active()) {
                continue;
            }
            if Kind::from_attack_id(&t.value).is_some() {
                self.attack_ref(t, Kind::DataComponent, "telemetry");
                continue;
            }
            if !kb.components_with_log_source(&t.value).is_empty() {
                continue;
            }
            let hint = hints::telemetry(kb, &t.value);
            self.push(
                Code::UnknownTelemetry,
                t.position,
                format!(
                    "`{}` is neither a data component ID nor a log-source name of ATT&CK {} {}",
                    t.value, kb.release.domain, kb.release.version
                ),
            )
            .hint = Some(hint);
        }
        out
    }
}
