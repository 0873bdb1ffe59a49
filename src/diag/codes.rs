//! Every diagnostic atkmap can report, with its stable kebab-case code.
//!
//! Codes are a public contract: CI scripts filter on them and the README documents them.
//! Never rename one; add new ones at the end of their group.

use serde::Serialize;

/// How bad a diagnostic is: an error makes the model unusable, a warning does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The model cannot be used: `check` exits 2 and `report` refuses it.
    Error,
    /// Worth fixing, but the model can be used; `check --deny-warnings` fails on it too.
    Warning,
}

impl Level {
    /// `error` or `warning`, as printed and serialised.
    pub fn label(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// A stable diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    // Reading the file
    /// `read-error`: the file cannot be read (missing, unreadable, not UTF-8).
    ReadError,
    /// `yaml-syntax`: not valid YAML.
    YamlSyntax,
    /// `duplicate-key`: a mapping repeats a key.
    DuplicateKey,
    /// `input-limit`: a safety limit was exceeded (file size, nesting depth, node count,
    /// aliases).
    InputLimit,
    // Shape of the document
    /// `unknown-format-version`: `atkmap:` is not a known format version.
    UnknownFormatVersion,
    /// `unknown-key`: a key the format does not define; the hint suggests the closest key.
    UnknownKey,
    /// `missing-key`: a required key is absent.
    MissingKey,
    /// `wrong-type`: a value of the wrong type (`version: 18.1` unquoted is a number).
    WrongType,
    /// `invalid-value`: a value outside what the key allows (enum values, id syntax, dates).
    InvalidValue,
    // References inside the model
    /// `duplicate-id`: two definitions share an id (ids are unique across sections).
    DuplicateId,
    /// `unknown-reference`: a reference to an id not defined in the right section.
    UnknownReference,
    // References to ATT&CK
    /// `unknown-attack-id`: an ATT&CK ID not in the pinned release.
    UnknownAttackId,
    /// `attack-id-wrong-kind`: an ATT&CK ID of the wrong kind (a `DET` under `mitigations`);
    /// the hint says where it belongs.
    AttackIdWrongKind,
    /// `revoked-attack-id`: an ID the pinned release revoked; the hint names the replacement.
    RevokedAttackId,
    /// `deprecated-attack-id` (a warning): an ID the pinned release deprecated.
    DeprecatedAttackId,
    /// `unknown-platform`: not an ATT&CK platform of the release (`Saas` for `SaaS`).
    UnknownPlatform,
    /// `unknown-telemetry`: neither a data component ID nor a log-source name of the
    /// release.
    UnknownTelemetry,
    /// `release-mismatch`: the ATT&CK data loaded is not the release the model pins.
    ReleaseMismatch,
    // Model hygiene
    /// `expired-acceptance` (a warning): an accepted risk past its `expires` date; the
    /// exposure counts again.
    ExpiredAcceptance,
    /// `unused-definition` (a warning): a system or data asset nothing refers to.
    UnusedDefinition,
    /// `held-data-not-leaked` (a warning): an actor holds data that has no `leaked` record.
    HeldDataNotLeaked,
}

/// All codes, for documentation and the uniqueness test.
pub const ALL_CODES: [Code; 21] = [
    Code::ReadError,
    Code::YamlSyntax,
    Code::DuplicateKey,
    Code::InputLimit,
    Code::UnknownFormatVersion,
    Code::UnknownKey,
    Code::MissingKey,
    Code::WrongType,
    Code::InvalidValue,
    Code::DuplicateId,
    Code::UnknownReference,
    Code::UnknownAttackId,
    Code::AttackIdWrongKind,
    Code::RevokedAttackId,
    Code::DeprecatedAttackId,
    Code::UnknownPlatform,
    Code::UnknownTelemetry,
    Code::ReleaseMismatch,
    Code::ExpiredAcceptance,
    Code::UnusedDefinition,
    Code::HeldDataNotLeaked,
];

impl Code {
    /// The kebab-case name printed in `error[unknown-key]`.
    pub fn name(self) -> &'static str {
        match self {
            Code::ReadError => "read-error",
            Code::YamlSyntax => "yaml-syntax",
            Code::DuplicateKey => "duplicate-key",
            Code::InputLimit => "input-limit",
            Code::UnknownFormatVersion => "unknown-format-version",
            Code::UnknownKey => "unknown-key",
            Code::MissingKey => "missing-key",
            Code::WrongType => "wrong-type",
            Code::InvalidValue => "invalid-value",
            Code::DuplicateId => "duplicate-id",
            Code::UnknownReference => "unknown-reference",
            Code::UnknownAttackId => "unknown-attack-id",
            Code::AttackIdWrongKind => "attack-id-wrong-kind",
            Code::RevokedAttackId => "revoked-attack-id",
            Code::DeprecatedAttackId => "deprecated-attack-id",
            Code::UnknownPlatform => "unknown-platform",
            Code::UnknownTelemetry => "unknown-telemetry",
            Code::ReleaseMismatch => "release-mismatch",
            Code::ExpiredAcceptance => "expired-acceptance",
            Code::UnusedDefinition => "unused-definition",
            Code::HeldDataNotLeaked => "held-data-not-leaked",
        }
    }

    /// The level a diagnostic of this code has.
    pub fn level(self) -> Level {
        match self {
            Code::DeprecatedAttackId
            | Code::ExpiredAcceptance
            | Code::UnusedDefinition
            | Code::HeldDataNotLeaked => Level::Warning,
            _ => Level::Error,
        }
    }

    /// What the code means and what to do about it (the documentation of the code).
    pub fn description(self) -> &'static str {
        match self {
            Code::ReadError => "The model file could not be read (missing, unreadable, not UTF-8).",
            Code::YamlSyntax => "The file is not valid YAML.",
            Code::DuplicateKey => "A mapping repeats a key; YAML would silently keep one of them.",
            Code::InputLimit => {
                "The file exceeds a safety limit (size, nesting depth, alias expansion, node count)."
            }
            Code::UnknownFormatVersion => {
                "`atkmap:` names a format version this atkmap does not know."
            }
            Code::UnknownKey => "A key the format does not define (often a misspelling).",
            Code::MissingKey => "A required key is absent.",
            Code::WrongType => "A value has the wrong type (a list where a string belongs, ...).",
            Code::InvalidValue => {
                "A value is outside what the key allows (enum values, id syntax, dates, numbers)."
            }
            Code::DuplicateId => "Two definitions share an id; ids are unique across all sections.",
            Code::UnknownReference => {
                "A reference names an id that is not defined in the right section."
            }
            Code::UnknownAttackId => "An ATT&CK ID that does not exist in the pinned release.",
            Code::AttackIdWrongKind => {
                "An ATT&CK ID of the wrong kind (a mitigation where a technique belongs, ...)."
            }
            Code::RevokedAttackId => {
                "An ATT&CK ID the pinned release revoked; it no longer means what the author meant."
            }
            Code::DeprecatedAttackId => "An ATT&CK ID the pinned release deprecated.",
            Code::UnknownPlatform => "A platform name ATT&CK does not use in the pinned release.",
            Code::UnknownTelemetry => {
                "A telemetry entry that is neither a data component ID nor a log-source name of the release."
            }
            Code::ReleaseMismatch => "The ATT&CK data loaded is not the release the model pins.",
            Code::ExpiredAcceptance => {
                "An accepted risk whose expiry date has passed; the exposure counts again."
            }
            Code::UnusedDefinition => "A definition nothing refers to.",
            Code::HeldDataNotLeaked => {
                "An actor holds a data asset that has no `leaked` record: say when and how it leaked."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut names: Vec<&str> = ALL_CODES.iter().map(|c| c.name()).collect();
        for name in &names {
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{name}"
            );
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL_CODES.len());
    }

    #[test]
    fn serde_name_matches_name() {
        for code in ALL_CODES {
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.name()));
        }
    }
}
