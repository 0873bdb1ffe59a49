//! Every ATT&CK ID the model names, checked against the pinned release: the pin itself and
//! the companions (F3, ATLAS) it lists, then each ID known, active and of the kind its key
//! takes, with a hint towards the replacement, the right key or the closest ID.

use super::validator::Validator;
use crate::attack::framework::parse_pin;
use crate::attack::release_name::same_version;
use crate::attack::{Framework, Kind};
use crate::diag::Code;
use crate::model::format::ModelFile;
use crate::model::hints;
use crate::model::located::Located;

impl Validator<'_> {
    pub(super) fn release(&mut self, file: &ModelFile) {
        self.frameworks(file);
        let release = &self.kb.release;
        let domain = file.attack.domain.value.name();
        let version = &file.attack.version;
        let version_ok =
            release.version.is_empty() || same_version(&release.version, &version.value);
        if release.domain != domain || !version_ok {
            self.push(
                Code::ReleaseMismatch,
                version.position,
                format!(
                    "the model pins ATT&CK {domain} {}, but the data loaded is {} {}",
                    version.value, release.domain, release.version
                ),
            )
            .hint = Some("drop --attack, or pass the bundle of the pinned release".to_string());
        }
    }

    /// Whether the model pins a companion and it is loaded: its rules apply to the model only
    /// then (a report may load a companion for another model).
    fn pins(&self, file: &ModelFile, framework: Framework) -> bool {
        self.kb.companion(framework).is_some()
            && file
                .attack
                .frameworks
                .iter()
                .any(|f| parse_pin(&f.value).is_ok_and(|(pinned, _)| pinned == framework))
    }

    /// `attack.frameworks`: known companions, each once, and the ones loaded.
    fn frameworks(&mut self, file: &ModelFile) {
        self.pinned = [Framework::F3, Framework::Atlas]
            .into_iter()
            .filter(|&f| self.pins(file, f))
            .collect();
        let mut seen: Vec<Framework> = Vec::new();
        for entry in &file.attack.frameworks {
            match parse_pin(&entry.value) {
                Err(problem) => {
                    self.push(Code::InvalidValue, entry.position, problem.to_string())
                        .hint = Some(
                        "companions: f3 (MITRE Fight Fraud Framework), atlas (MITRE ATLAS)"
                            .to_string(),
                    );
                }
                Ok((framework, _)) if seen.contains(&framework) => {
                    self.push(
                        Code::InvalidValue,
                        entry.position,
                        format!("{} is listed twice in `frameworks`", framework.title()),
                    )
                    .hint = Some("list each companion once".to_string());
                }
                Ok((framework, version)) => {
                    seen.push(framework);
                    let loaded = self.kb.companion(framework);
                    let mismatch = match (loaded, &version) {
                        (None, _) => Some("is not loaded".to_string()),
                        (Some(c), Some(v)) if !same_version(&c.release.version, v) => {
                            Some(format!(
                                "is pinned, but the data loaded is {} {}",
                                framework.title(),
                                if c.release.version.is_empty() {
                                    "of no stated version"
                                } else {
                                    &c.release.version
                                }
                            ))
                        }
                        _ => None,
                    };
                    if let Some(why) = mismatch {
                        self.push(
                            Code::ReleaseMismatch,
                            entry.position,
                            format!("{} {why}", entry.value),
                        )
                        .hint = Some(format!(
                            "pass the {} bundle with --framework FILE or put it in a data directory",
                            framework.title()
                        ));
                    }
                }
            }
        }
    }

    /// Checks an ATT&CK ID names an active object of `kind` in the pinned release.
    pub(super) fn attack_ref(&mut self, r: &Located<String>, kind: Kind, key: &str) {
        let kb = self.kb;
        let release = match kb.companion(Framework::of_id(&r.value)) {
            Some(c) => format!("{} {}", c.framework.title(), c.release.version),
            None => format!("ATT&CK {} {}", kb.release.domain, kb.release.version),
        };
        let promised = Kind::from_attack_id(&r.value);
        // Objects of a companion the model does not pin are not there for it.
        let found = kb.lookup(&r.value, Some(kind)).filter(|&o| {
            let f = kb.meta(o).framework;
            !f.is_companion() || self.pinned.contains(&f)
        });
        // Old deprecated mitigations carry technique IDs (T1078 "Valid Accounts Mitigation"):
        // an ID whose prefix promises another kind means the author wrote the wrong kind.
        let found = match found {
            Some(o) if promised.is_some_and(|p| p != kind) && !kb.meta(o).is_active() => None,
            other => other,
        };
        match found {
            Some(object) => {
                let meta = kb.meta(object);
                if meta.revoked {
                    let hint = match kb.final_replacement(object) {
                        Some(by) => {
                            let by = kb.meta(by);
                            format!("replace it with {} ({})", by.attack_id, by.name)
                        }
                        None => "ATT&CK names no replacement; remove it".to_string(),
                    };
                    self.push(
                        Code::RevokedAttackId,
                        r.position,
                        format!("{} ({}) is revoked in {release}", r.value, meta.name),
                    )
                    .hint = Some(hint);
                } else if meta.deprecated {
                    self.push(
                        Code::DeprecatedAttackId,
                        r.position,
                        format!("{} ({}) is deprecated in {release}", r.value, meta.name),
                    )
                    .hint =
                        Some("ATT&CK no longer maintains it; choose a current object".to_string());
                }
            }
            None => {
                let framework = match kb.lookup(&r.value, None) {
                    Some(o) => kb.meta(o).framework,
                    None => Framework::of_id(&r.value),
                };
                if framework.is_companion() && !self.pinned.contains(&framework) {
                    self.push(
                        Code::UnknownAttackId,
                        r.position,
                        format!(
                            "{} is a MITRE {} ID, and the model does not load {}",
                            r.value,
                            framework.title(),
                            framework.title()
                        ),
                    )
                    .hint = Some(format!(
                        "add `frameworks: [{}]` under `attack:` (or pass --framework {})",
                        framework.label(),
                        framework.label()
                    ));
                    return;
                }
                if let Some(other) = kb.lookup(&r.value, None) {
                    self.push(
                        Code::AttackIdWrongKind,
                        r.position,
                        format!(
                            "`{key}` takes {} IDs, but {} is {} ({})",
                            kind.label(),
                            r.value,
                            with_article(other.kind.label()),
                            kb.meta(other).name
                        ),
                    )
                    .hint = hints::wrong_kind(kb, key, other);
                    return;
                }
                self.push(
                    Code::UnknownAttackId,
                    r.position,
                    format!("{} is not a {} in {release}", r.value, kind.label()),
                )
                .hint = Some(hints::unknown_attack_id(kb, &r.value, kind));
            }
        }
    }

    pub(super) fn attack_refs(&mut self, refs: &[Located<String>], kind: Kind, key: &str) {
        for r in refs {
            self.attack_ref(r, kind, key);
        }
    }
}

/// `a technique`, `an analytic`.
fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

#[cfg(test)]
mod tests {
    use crate::diag::Code;
    use crate::model::validate::validate;

    #[test]
    fn a_model_checked_against_another_release_is_a_release_mismatch() {
        let kb = crate::testing::kb();
        let text = "atkmap: 1\nname: x\nattack: {domain: enterprise, version: \"17.1\"}\n";
        let crate::model::Parsed::File(file) = crate::model::parse(text, "m.yaml") else {
            panic!("parses")
        };
        let (model, diagnostics) = validate(&file, &kb, "m.yaml", crate::testing::TODAY);
        assert!(model.is_none());
        assert_eq!(diagnostics[0].code, Code::ReleaseMismatch);
        assert_eq!(diagnostics[0].position.map(|p| p.line), Some(3));
    }

    #[test]
    fn wrong_kinds_say_where_the_id_belongs() {
        let kb = crate::testing::kb();
        let text = format!(
            "{}systems:\n  - {{id: portal, name: Portal, platforms: [SaaS], exposure: internet}}\ncontrols:\n  - {{id: c, name: C, mitigations: [DET0001, T1656], detections: [M1032], applies_to: [portal], status: implemented}}\n",
            crate::testing::HEADER
        );
        let crate::model::Parsed::File(file) = crate::model::parse(&text, "m.yaml") else {
            panic!("parses")
        };
        let (_, diagnostics) = validate(&file, &kb, "m.yaml", crate::testing::TODAY);
        let hints: Vec<&str> = diagnostics
            .iter()
            .filter(|d| d.code == Code::AttackIdWrongKind)
            .filter_map(|d| d.hint.as_deref())
            .collect();
        assert_eq!(hints.len(), 3, "{diagnostics:#?}");
        assert!(hints[0].starts_with("move it to `detections`"), "{hints:?}");
        assert!(hints[1].contains("move T1656 to `counters`"), "{hints:?}");
        assert!(hints[1].contains("to `detects`"), "{hints:?}");
        assert!(
            hints[2].starts_with("move it to `mitigations`"),
            "{hints:?}"
        );
    }
}
