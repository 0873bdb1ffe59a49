//! What became of an ATT&CK object in a later release: still active, revoked into a replacement
//! (following revoked-by chains), split into several objects, revoked into an object of another
//! kind, or deprecated.
//!
//! The knowledge base keeps one `revoked-by` target per object; a split shows as several
//! `revoked-by` relationships from one object, so those are read from the bundle itself
//! ([`Revocations::from_bundle`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::attack::{KnowledgeBase, ObjectRef};

/// Every `revoked-by` relationship of a bundle: STIX id to the STIX ids revoking it.
#[derive(Debug, Clone, Default)]
pub struct Revocations {
    targets: BTreeMap<String, BTreeSet<String>>,
}

#[derive(Deserialize)]
struct Bundle<'a> {
    #[serde(borrow, default)]
    objects: Vec<Relationship<'a>>,
}

/// Only the fields a `revoked-by` relationship needs; everything else is skipped unread.
#[derive(Deserialize)]
struct Relationship<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    relationship_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    source_ref: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    target_ref: Option<Cow<'a, str>>,
    #[serde(default)]
    revoked: Option<bool>,
    #[serde(default)]
    x_mitre_deprecated: Option<bool>,
}

impl Revocations {
    /// Reads the `revoked-by` relationships of a STIX bundle.
    pub fn from_bundle(bytes: &[u8]) -> Result<Revocations, String> {
        let bundle: Bundle = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        let mut targets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in bundle.objects {
            if r.kind != "relationship"
                || r.relationship_type.as_deref() != Some("revoked-by")
                || r.revoked.unwrap_or(false)
                || r.x_mitre_deprecated.unwrap_or(false)
            {
                continue;
            }
            if let (Some(s), Some(t)) = (r.source_ref, r.target_ref) {
                targets
                    .entry(s.into_owned())
                    .or_default()
                    .insert(t.into_owned());
            }
        }
        Ok(Revocations { targets })
    }

    /// The objects directly revoking `object`: every `revoked-by` target found in the bundle,
    /// else the one the knowledge base kept.
    pub fn direct(&self, kb: &KnowledgeBase, object: ObjectRef) -> Vec<ObjectRef> {
        let meta = kb.meta(object);
        let mut out: Vec<ObjectRef> = self
            .targets
            .get(&meta.stix_id)
            .map(|t| t.iter().filter_map(|s| kb.by_stix_id(s)).collect())
            .unwrap_or_default();
        if out.is_empty()
            && let Some(by) = meta.revoked_by
        {
            out.push(by);
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The fate of one object in a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Neither revoked nor deprecated.
    Active,
    /// Deprecated: ATT&CK no longer maintains it and names nothing instead.
    Deprecated,
    /// Revoked with no `revoked-by` target.
    RevokedWithoutReplacement,
    /// Revoked into one object, through `chain` (the objects passed on the way, the last being
    /// the replacement). The replacement may be of another kind, or itself deprecated.
    Replaced { chain: Vec<ObjectRef> },
    /// Revoked into several objects somewhere along the chain: the final objects each branch
    /// leads to.
    Split { into: Vec<ObjectRef> },
}

impl Fate {
    /// The replacement, when there is exactly one.
    pub fn replacement(&self) -> Option<ObjectRef> {
        match self {
            Fate::Replaced { chain } => chain.last().copied(),
            _ => None,
        }
    }
}

/// Follows `revoked-by` from `object` in `kb` (at most 32 steps; cycles stop the walk).
pub fn fate(kb: &KnowledgeBase, revocations: &Revocations, object: ObjectRef) -> Fate {
    fate_within(kb, revocations, object, 0)
}

fn fate_within(
    kb: &KnowledgeBase,
    revocations: &Revocations,
    object: ObjectRef,
    depth: u8,
) -> Fate {
    let meta = kb.meta(object);
    if !meta.revoked {
        return if meta.deprecated {
            Fate::Deprecated
        } else {
            Fate::Active
        };
    }
    let mut chain = Vec::new();
    let mut seen = BTreeSet::from([object]);
    let mut current = object;
    loop {
        let next = revocations.direct(kb, current);
        match next.len() {
            0 => break,
            1 => {
                let n = next[0];
                if !seen.insert(n) || chain.len() >= 32 {
                    break;
                }
                chain.push(n);
                if !kb.meta(n).revoked {
                    break;
                }
                current = n;
            }
            _ => {
                let mut into: Vec<ObjectRef> = next
                    .into_iter()
                    .filter(|&n| n != object)
                    .map(|n| {
                        if depth >= 8 {
                            return n;
                        }
                        match fate_within(kb, revocations, n, depth + 1) {
                            Fate::Replaced { chain } => chain.last().copied().unwrap_or(n),
                            _ => n,
                        }
                    })
                    .collect();
                into.sort();
                into.dedup();
                return Fate::Split { into };
            }
        }
    }
    if chain.is_empty() {
        Fate::RevokedWithoutReplacement
    } else {
        Fate::Replaced { chain }
    }
}
