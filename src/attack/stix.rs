//! The raw shape of an ATT&CK STIX 2.1 bundle, as serde reads it.
//!
//! One flat struct covers every object type: ATT&CK objects share most fields and a flat struct
//! lets serde skip what atkmap never reads (descriptions, citations) without allocating. Strings
//! borrow from the input where they can (`Cow`), which keeps the parse of a 50 MB bundle cheap.
//! Unknown object types and unknown fields are ignored, so newer releases still load.

use std::borrow::Cow;

use serde::Deserialize;

/// The top level of a bundle file. Objects stay raw JSON until their type is known, so that
/// an object of a type atkmap does not model can never make the bundle unreadable.
#[derive(Debug, Deserialize)]
pub struct RawBundle<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    #[serde(borrow, default)]
    pub objects: Option<Vec<&'a serde_json::value::RawValue>>,
}

/// Just the type of an object, to decide whether to read the rest.
#[derive(Debug, Deserialize)]
pub struct RawType<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
}

/// The object types atkmap reads; everything else is skipped unread.
pub const MODELLED_TYPES: [&str; 14] = [
    "attack-pattern",
    "course-of-action",
    "intrusion-set",
    "malware",
    "tool",
    "campaign",
    "relationship",
    "x-mitre-tactic",
    "x-mitre-matrix",
    "x-mitre-collection",
    "x-mitre-data-source",
    "x-mitre-data-component",
    "x-mitre-detection-strategy",
    "x-mitre-analytic",
];

/// Any STIX object of the bundle. Fields absent from a type stay at their default.
#[derive(Debug, Deserialize)]
pub struct RawObject<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    /// The ATT&CK ID: the `external_id` of the MITRE entry of `external_references`. Only
    /// that entry is kept; objects carry dozens of citations that atkmap never reads.
    #[serde(
        borrow,
        default,
        rename = "external_references",
        deserialize_with = "mitre_external_id"
    )]
    pub attack_id: Option<Cow<'a, str>>,
    #[serde(default)]
    pub revoked: Option<bool>,
    #[serde(default)]
    pub x_mitre_deprecated: Option<bool>,
    #[serde(borrow, default)]
    pub x_mitre_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub x_mitre_platforms: Vec<Cow<'a, str>>,

    // attack-pattern
    #[serde(borrow, default)]
    pub kill_chain_phases: Vec<RawKillChainPhase<'a>>,
    #[serde(default)]
    pub x_mitre_is_subtechnique: Option<bool>,

    // intrusion-set, campaign, malware, tool
    #[serde(borrow, default)]
    pub aliases: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub x_mitre_aliases: Vec<Cow<'a, str>>,

    // x-mitre-tactic and x-mitre-matrix
    #[serde(borrow, default)]
    pub x_mitre_shortname: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub tactic_refs: Vec<Cow<'a, str>>,

    // relationship
    #[serde(borrow, default)]
    pub relationship_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub source_ref: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub target_ref: Option<Cow<'a, str>>,

    // x-mitre-data-component (log sources from v18; data source link before)
    #[serde(borrow, default)]
    pub x_mitre_data_source_ref: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub x_mitre_log_sources: Vec<RawLogSource<'a>>,

    // x-mitre-detection-strategy and x-mitre-analytic (v18 on)
    #[serde(borrow, default)]
    pub x_mitre_analytic_refs: Vec<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub x_mitre_log_source_references: Vec<RawLogSourceReference<'a>>,
}

/// A bundle as `attack search --descriptions` reads it: each object's id and description and
/// nothing else. Descriptions are what the main parse skips (6 MB of a 50 MB release, most of
/// it relationships'), so they are read in this separate pass, only when asked for.
#[derive(Debug, Deserialize)]
pub struct RawDescribedBundle<'a> {
    #[serde(borrow, default)]
    pub objects: Vec<RawDescribed<'a>>,
}

/// One object's id and description, kept as raw JSON: no shape of either can fail the pass,
/// and a description is only decoded (its escapes undone) for the objects that keep it.
#[derive(Debug, Deserialize)]
pub struct RawDescribed<'a> {
    #[serde(borrow, default)]
    pub id: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default)]
    pub description: Option<&'a serde_json::value::RawValue>,
}

#[derive(Debug, Deserialize)]
pub struct RawExternalReference<'a> {
    #[serde(borrow, default)]
    pub source_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub external_id: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
pub struct RawKillChainPhase<'a> {
    #[serde(borrow)]
    pub kill_chain_name: Cow<'a, str>,
    #[serde(borrow)]
    pub phase_name: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
pub struct RawLogSource<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow, default)]
    pub channel: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
pub struct RawLogSourceReference<'a> {
    #[serde(borrow)]
    pub x_mitre_data_component_ref: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow, default)]
    pub channel: Option<Cow<'a, str>>,
}

/// Whether an external reference's `source_name` is one of ATT&CK's domains or of a companion
/// in ATT&CK's data model (`mitre-f3`, `mitre-atlas`).
fn is_attack_source(source_name: &str) -> bool {
    super::framework::Framework::of_source_name(source_name).is_some()
}

/// Reads `external_references`, keeping the first ATT&CK `external_id` and nothing else.
fn mitre_external_id<'de, D>(deserializer: D) -> Result<Option<Cow<'de, str>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct FirstAttackId;

    impl<'de> serde::de::Visitor<'de> for FirstAttackId {
        type Value = Option<Cow<'de, str>>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of external references")
        }

        fn visit_seq<S: serde::de::SeqAccess<'de>>(
            self,
            mut seq: S,
        ) -> Result<Self::Value, S::Error> {
            let mut found = None;
            while let Some(reference) = seq.next_element::<RawExternalReference<'de>>()? {
                if found.is_none()
                    && reference
                        .source_name
                        .as_deref()
                        .is_some_and(is_attack_source)
                {
                    found = reference.external_id;
                }
            }
            Ok(found)
        }
    }

    deserializer.deserialize_seq(FirstAttackId)
}
