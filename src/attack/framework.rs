//! The knowledge bases atkmap reads: ATT&CK, and the companions MITRE publishes in ATT&CK's
//! data model, MITRE Fight Fraud Framework (F3) and MITRE ATLAS.
//!
//! A companion is loaded next to an ATT&CK release and merged into its knowledge base
//! ([`super::merge`]); every object carries the framework it came from. This module knows
//! what differs between them: ID shapes, web pages, the platform name a companion gives its
//! techniques, which official files exist (with their SHA-256) and what a tactic means to the
//! gap engine.

use serde::{Deserialize, Serialize};

/// Where an object comes from.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// MITRE ATT&CK itself: the release a model pins (Enterprise, Mobile or ICS). JSON `attack`.
    #[default]
    Attack,
    /// MITRE Fight Fraud Framework: fraud techniques (`F1031`) and tactics (`FA0001`), plus the
    /// ATT&CK techniques its matrix re-uses. JSON `f3`.
    F3,
    /// MITRE ATLAS: attacks on AI systems, every ID prefixed `AML.` (`AML.T0088`). JSON `atlas`.
    Atlas,
}

/// The companions, in the order reports list them.
pub const COMPANIONS: [Framework; 2] = [Framework::F3, Framework::Atlas];

impl Framework {
    /// The name models and the command line use: `attack`, `f3`, `atlas`.
    pub fn label(self) -> &'static str {
        match self {
            Framework::Attack => "attack",
            Framework::F3 => "f3",
            Framework::Atlas => "atlas",
        }
    }

    /// The name people read: `ATT&CK`, `F3`, `ATLAS`.
    pub fn title(self) -> &'static str {
        match self {
            Framework::Attack => "ATT&CK",
            Framework::F3 => "F3",
            Framework::Atlas => "ATLAS",
        }
    }

    /// The framework a label names (case-insensitive).
    pub fn from_label(label: &str) -> Option<Framework> {
        match label.trim().to_ascii_lowercase().as_str() {
            "attack" | "att&ck" => Some(Framework::Attack),
            "f3" => Some(Framework::F3),
            "atlas" => Some(Framework::Atlas),
            _ => None,
        }
    }

    /// Whether this is a companion of ATT&CK.
    pub fn is_companion(self) -> bool {
        self != Framework::Attack
    }

    /// Whether this is ATT&CK (reports leave the framework out then).
    pub fn is_attack(&self) -> bool {
        *self == Framework::Attack
    }

    /// The `source_name` of the external reference that carries an object's ID.
    pub fn source_names(self) -> &'static [&'static str] {
        match self {
            Framework::Attack => &["mitre-attack", "mitre-mobile-attack", "mitre-ics-attack"],
            Framework::F3 => &["mitre-f3"],
            Framework::Atlas => &["mitre-atlas"],
        }
    }

    /// The framework whose external references use this `source_name`.
    pub fn of_source_name(source_name: &str) -> Option<Framework> {
        [Framework::Attack, Framework::F3, Framework::Atlas]
            .into_iter()
            .find(|f| f.source_names().contains(&source_name))
    }

    /// The platform a companion gives all its techniques (`F3`, `ATLAS`): no real platform.
    pub fn platform(self) -> Option<&'static str> {
        match self {
            Framework::Attack => None,
            Framework::F3 => Some("F3"),
            Framework::Atlas => Some("ATLAS"),
        }
    }

    /// The framework's home page.
    pub fn site(self) -> &'static str {
        match self {
            Framework::Attack => "https://attack.mitre.org/",
            Framework::F3 => "https://ctid.mitre.org/fraud/",
            Framework::Atlas => "https://atlas.mitre.org/",
        }
    }

    /// The ATT&CK Navigator domain a layer of this framework names.
    pub fn navigator_domain(self) -> Option<&'static str> {
        match self {
            Framework::Attack => None,
            Framework::F3 => Some("f3-financial"),
            Framework::Atlas => Some("atlas-atlas"),
        }
    }

    /// The framework an ID's shape belongs to: `AML.` IDs are ATLAS's, `F`/`FA` IDs F3's,
    /// everything else ATT&CK's (F3 also re-uses ATT&CK technique IDs: those are ATT&CK's).
    pub fn of_id(id: &str) -> Framework {
        let id = id.trim();
        if atlas_rest(id).is_some_and(|rest| !rest.is_empty()) {
            Framework::Atlas
        } else if let Some(rest) = id.strip_prefix(['F', 'f'])
            && rest
                .trim_start_matches(['A', 'a'])
                .starts_with(|c: char| c.is_ascii_digit())
        {
            Framework::F3
        } else {
            Framework::Attack
        }
    }
}

/// The web page of an object by its ID, on its framework's site; `None` for an ID that is not
/// of a known shape.
pub fn object_url(id: &str) -> Option<String> {
    object_url_in(Framework::of_id(id), id)
}

/// The page of a technique or sub-technique on its framework's site (ATT&CK, F3, ATLAS);
/// ATT&CK's home page for an ID of no known shape.
pub fn page_url(id: &str) -> String {
    object_url(id).unwrap_or_else(|| "https://attack.mitre.org/".to_string())
}

/// The web page of an object of a framework: F3's own objects with ATT&CK-shaped IDs (its
/// tactic TA0005 Stealth, its technique T1451) are on F3's site.
pub fn object_url_in(framework: Framework, id: &str) -> Option<String> {
    let id = id.trim().to_ascii_uppercase();
    match framework {
        Framework::Attack => attack_url(&id),
        Framework::F3 => {
            let kind = if id.starts_with("FA") || id.starts_with("TA") {
                "tactics"
            } else {
                "techniques"
            };
            safe(&id).then(|| format!("https://ctid.mitre.org/fraud/{kind}/{id}"))
        }
        Framework::Atlas => {
            let rest = without_atlas_prefix(&id);
            let kind = if rest.starts_with("TA") {
                "tactics"
            } else if rest.starts_with('T') {
                "techniques"
            } else if rest.starts_with('M') {
                "mitigations"
            } else {
                return None;
            };
            safe(&id).then(|| format!("https://atlas.mitre.org/{kind}/{id}"))
        }
    }
}

fn safe(id: &str) -> bool {
    id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
}

/// The attack.mitre.org page of an ATT&CK ID.
fn attack_url(id: &str) -> Option<String> {
    let (prefix, path) = if let Some(rest) = id.strip_prefix("DET") {
        ("detectionstrategies", format!("DET{rest}"))
    } else if id.starts_with("DC") {
        ("datacomponents", id.to_string())
    } else if id.starts_with("DS") {
        ("datasources", id.to_string())
    } else if id.starts_with("TA") {
        ("tactics", id.to_string())
    } else if id.starts_with('T') {
        ("techniques", id.replace('.', "/"))
    } else if id.starts_with('M') {
        ("mitigations", id.to_string())
    } else if id.starts_with('G') {
        ("groups", id.to_string())
    } else if id.starts_with('S') {
        ("software", id.to_string())
    } else if id.starts_with('C') {
        ("campaigns", id.to_string())
    } else {
        return None;
    };
    if !path.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'/') {
        return None;
    }
    Some(format!("https://attack.mitre.org/{prefix}/{path}/"))
}

/// Why a companion pin cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// What follows `@` is not a version.
    #[error("{0:?} does not name a version after @ (like atlas@5.6.0)")]
    NotAVersion(String),
    /// The name is not F3's or ATLAS's.
    #[error("{0:?} is not a companion framework (expected f3 or atlas, optionally with @VERSION)")]
    NotACompanion(String),
}

/// Reads a companion pin: `f3`, `atlas` or `atlas@5.6.0`.
pub fn parse_pin(text: &str) -> Result<(Framework, Option<String>), PinError> {
    let (name, version) = match text.split_once('@') {
        Some((name, version)) => (name, Some(version.trim().to_string())),
        None => (text, None),
    };
    if version.as_deref().is_some_and(|v| !is_version(v)) {
        return Err(PinError::NotAVersion(text.to_string()));
    }
    match Framework::from_label(name) {
        Some(framework) if framework.is_companion() => Ok((framework, version)),
        _ => Err(PinError::NotACompanion(text.to_string())),
    }
}

/// The parent ID of a sub-technique ID (`T1078.004` -> `T1078`, `AML.T0043.000` ->
/// `AML.T0043`); `None` for a technique ID (`AML.T0088` included).
pub fn parent_id(id: &str) -> Option<&str> {
    let start = id.len() - without_atlas_prefix(id).len();
    let dot = id[start..].find('.')?;
    Some(&id[..start + dot])
}

/// What follows ATLAS's `AML.` prefix (any case), if the ID has it. `get`: an ID from a model
/// may hold any text, and byte 4 may fall inside a character.
pub fn atlas_rest(id: &str) -> Option<&str> {
    match id.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("AML.") => id.get(4..),
        _ => None,
    }
}

/// The ID without ATLAS's `AML.` prefix (`AML.T0043.000` -> `T0043.000`), else as it is.
pub fn without_atlas_prefix(id: &str) -> &str {
    atlas_rest(id).unwrap_or(id)
}

/// An official companion file: where MITRE publishes it and its SHA-256, so a file found on
/// disk or downloaded is recognised (and its version known: ATLAS's STIX does not carry it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficialFile {
    /// The companion the file holds (never [`Framework::Attack`]).
    pub framework: Framework,
    /// The companion release the file is (`1.1`, `5.6.0`); ATLAS's STIX does not state it, so
    /// this is how it is known.
    pub version: &'static str,
    /// The versioned file name atkmap saves it under and recognises (`stix-atlas-5.6.0.json`).
    pub file_name: &'static str,
    /// Where MITRE publishes the file: what a download fetches.
    pub url: &'static str,
    /// SHA-256 of MITRE's file, lower-case hex: a file found or downloaded must have it.
    pub sha256: &'static str,
}

/// Every official companion file atkmap knows.
pub const OFFICIAL_FILES: [OfficialFile; 2] = [
    OfficialFile {
        framework: Framework::F3,
        version: "1.1",
        file_name: "f3-stix-v1.1.json",
        url: "https://raw.githubusercontent.com/center-for-threat-informed-defense/fight-fraud-framework/main/public/f3-stix-v1.1.json",
        sha256: "e380161dfed59f4b7ddb49c873a15b4d07fa74a553edcbb9fb0b27d47e435980",
    },
    OfficialFile {
        framework: Framework::Atlas,
        version: "5.6.0",
        file_name: "stix-atlas-5.6.0.json",
        url: "https://raw.githubusercontent.com/mitre-atlas/atlas-navigator-data/main/dist/stix-atlas.json",
        sha256: "a1bd782257de3c8591797ac863aa9b37fe4ae42ef9284bee98bfc2661fdd1c06",
    },
];

/// The official file with this content, if any.
pub fn official_by_sha256(sha256: &str) -> Option<&'static OfficialFile> {
    OFFICIAL_FILES
        .iter()
        .find(|f| f.sha256.eq_ignore_ascii_case(sha256))
}

/// The framework and version a companion file's name states, by MITRE's naming:
/// `f3-stix-v1.1.json`, `stix-atlas-5.6.0.json` (versioned), `stix-atlas.json` (unversioned).
pub fn parse_file_name(name: &str) -> Option<(Framework, Option<String>)> {
    let stem = name.strip_suffix(".json")?;
    if let Some(version) = stem.strip_prefix("f3-stix-v") {
        return is_version(version).then(|| (Framework::F3, Some(version.to_string())));
    }
    if stem == "f3-stix" {
        return Some((Framework::F3, None));
    }
    if stem == "stix-atlas" {
        return Some((Framework::Atlas, None));
    }
    let version = stem.strip_prefix("stix-atlas-")?;
    let version = version.strip_prefix('v').unwrap_or(version);
    is_version(version).then(|| (Framework::Atlas, Some(version.to_string())))
}

fn is_version(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|part| {
            !part.is_empty() && part.len() <= 6 && part.bytes().all(|b| b.is_ascii_digit())
        })
}

/// What a technique does for the attacker, by the tactic it serves in its framework (see
/// `analysis::risk`): takes what the attacker came for, moves the attacker in or further, or
/// supports the other two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TacticRole {
    /// Helps the other two (discovery, execution, defense evasion in ATT&CK): risk weight 1.
    Supports,
    /// Gets the attacker in or further (initial access, lateral movement, credential access,
    /// privilege escalation, persistence): risk weight 2.
    Moves,
    /// Takes what the attacker came for (collection, exfiltration, impact): risk weight 3.
    Takes,
}

/// The role of one tactic shortname in a framework.
///
/// ATT&CK: collection, exfiltration and impact take; initial access, lateral movement,
/// credential access, privilege escalation and persistence move; the rest support. F3
/// redefines some: `execution` (carrying out the fraud) and `monetization` take,
/// `positioning` and `initial-access` move, `stealth` and `defense-impairment` support.
/// ATLAS: `ai-model-access` moves, `ai-attack-staging` supports, the rest as in ATT&CK.
pub fn tactic_role(framework: Framework, tactic: &str) -> TacticRole {
    match (framework, tactic) {
        (Framework::F3, "execution" | "monetization") => TacticRole::Takes,
        (Framework::F3, "positioning" | "initial-access") => TacticRole::Moves,
        (Framework::F3, _) => TacticRole::Supports,
        (Framework::Atlas, "ai-model-access") => TacticRole::Moves,
        (Framework::Atlas, "ai-attack-staging") => TacticRole::Supports,
        (_, "collection" | "exfiltration" | "impact") => TacticRole::Takes,
        (
            _,
            "initial-access"
            | "lateral-movement"
            | "credential-access"
            | "privilege-escalation"
            | "persistence",
        ) => TacticRole::Moves,
        _ => TacticRole::Supports,
    }
}

/// Whether a tactic gives a foothold or carries the attacker across a flow (initial access
/// and lateral movement, in every framework).
pub fn is_step_tactic(tactic: &str) -> bool {
    matches!(tactic, "initial-access" | "lateral-movement")
}

/// Whether a tactic is preparation: done before any system is touched.
pub fn is_preparation_tactic(tactic: &str) -> bool {
    matches!(tactic, "reconnaissance" | "resource-development")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_belong_to_their_framework() {
        assert_eq!(Framework::of_id("F1031"), Framework::F3);
        assert_eq!(Framework::of_id("FA0001"), Framework::F3);
        assert_eq!(Framework::of_id("F1006.002"), Framework::F3);
        assert_eq!(Framework::of_id("AML.T0088"), Framework::Atlas);
        assert_eq!(Framework::of_id("aml.m0015"), Framework::Atlas);
        assert_eq!(Framework::of_id("T1110"), Framework::Attack);
        assert_eq!(Framework::of_id("F"), Framework::Attack);
        assert_eq!(Framework::of_id("FOO"), Framework::Attack);
        // Found by the fuzzer: a multi-byte character across byte 4.
        assert_eq!(Framework::of_id("AMLé1"), Framework::Attack);
        assert_eq!(Framework::of_id("Aé"), Framework::Attack);
        assert_eq!(object_url("AMLé1"), None);
    }

    #[test]
    fn links_every_kind_on_its_own_site() {
        assert_eq!(
            object_url("T1078.004").as_deref(),
            Some("https://attack.mitre.org/techniques/T1078/004/")
        );
        assert_eq!(
            object_url("DET0488").as_deref(),
            Some("https://attack.mitre.org/detectionstrategies/DET0488/")
        );
        assert_eq!(
            object_url("M1032").as_deref(),
            Some("https://attack.mitre.org/mitigations/M1032/")
        );
        assert_eq!(
            object_url("F1006.002").as_deref(),
            Some("https://ctid.mitre.org/fraud/techniques/F1006.002")
        );
        assert_eq!(
            object_url("AML.T0088").as_deref(),
            Some("https://atlas.mitre.org/techniques/AML.T0088")
        );
        assert_eq!(
            object_url("AML.M0015").as_deref(),
            Some("https://atlas.mitre.org/mitigations/AML.M0015")
        );
        assert_eq!(
            object_url("AML.TA0000").as_deref(),
            Some("https://atlas.mitre.org/tactics/AML.TA0000")
        );
        assert_eq!(object_url("x<y"), None);
        assert_eq!(object_url("AML.X<1"), None);
    }

    #[test]
    fn parents_of_sub_techniques_in_every_framework() {
        assert_eq!(parent_id("T1078.004"), Some("T1078"));
        assert_eq!(parent_id("AML.T0043.000"), Some("AML.T0043"));
        assert_eq!(parent_id("AML.T0088"), None);
        assert_eq!(parent_id("F1006.002"), Some("F1006"));
        assert_eq!(parent_id("T1078"), None);
    }

    #[test]
    fn recognises_mitres_file_names() {
        assert_eq!(
            parse_file_name("f3-stix-v1.1.json"),
            Some((Framework::F3, Some("1.1".into())))
        );
        assert_eq!(
            parse_file_name("stix-atlas-5.6.0.json"),
            Some((Framework::Atlas, Some("5.6.0".into())))
        );
        assert_eq!(
            parse_file_name("stix-atlas.json"),
            Some((Framework::Atlas, None))
        );
        assert_eq!(parse_file_name("enterprise-attack-18.1.json"), None);
        assert_eq!(parse_file_name("f3-stix-v.json"), None);
    }

    #[test]
    fn f3_and_atlas_redefine_some_tactics() {
        use TacticRole::*;
        assert_eq!(tactic_role(Framework::Attack, "execution"), Supports);
        assert_eq!(tactic_role(Framework::F3, "execution"), Takes);
        assert_eq!(tactic_role(Framework::F3, "monetization"), Takes);
        assert_eq!(tactic_role(Framework::F3, "positioning"), Moves);
        assert_eq!(tactic_role(Framework::F3, "stealth"), Supports);
        assert_eq!(tactic_role(Framework::Atlas, "ai-model-access"), Moves);
        assert_eq!(tactic_role(Framework::Atlas, "ai-attack-staging"), Supports);
        assert_eq!(tactic_role(Framework::Atlas, "impact"), Takes);
        assert_eq!(tactic_role(Framework::Atlas, "execution"), Supports);
    }
}
