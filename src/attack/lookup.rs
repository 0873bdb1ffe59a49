//! Finding objects by what users type: ATT&CK IDs, names, parts of names.
//!
//! An ATT&CK ID alone is not a key: deprecated course-of-action objects carry technique IDs
//! (a mitigation "T1199" exists next to the technique T1199). A lookup therefore prefers the
//! kind the ID's prefix promises, then the active object over revoked or deprecated ones.

use super::knowledge::{Kind, KnowledgeBase, ObjectRef};

impl KnowledgeBase {
    /// The object a user means by `id`: of kind `expected` when given (else the kind the ID's
    /// prefix promises), preferring an active object; falls back to any object with that ID.
    pub fn lookup(&self, id: &str, expected: Option<Kind>) -> Option<ObjectRef> {
        if id.contains("--") {
            return self.by_stix_id(id);
        }
        let candidates = self.all_with_attack_id(id.trim());
        let wanted = expected.or_else(|| Kind::from_attack_id(id.trim()));
        let rank = |o: &ObjectRef| {
            let meta = self.meta(*o);
            let kind_miss = wanted.is_some_and(|k| k != o.kind);
            (kind_miss, meta.revoked, meta.deprecated)
        };
        let best = candidates.iter().min_by_key(|o| rank(o)).copied()?;
        match expected {
            Some(kind) if best.kind != kind => None,
            _ => Some(best),
        }
    }

    /// Up to `limit` ATT&CK IDs close to a mistyped one, nearest first; when `kind` is given,
    /// only IDs of that kind.
    pub fn similar_ids(&self, id: &str, kind: Option<Kind>, limit: usize) -> Vec<String> {
        let wanted = id.trim().to_ascii_uppercase();
        let mut scored: Vec<(usize, &str)> = self
            .by_attack_id
            .iter()
            .filter(|(_, objects)| {
                objects
                    .iter()
                    .any(|o| kind.is_none_or(|k| o.kind == k) && self.meta(*o).is_active())
            })
            .map(|(candidate, _)| (strsim::levenshtein(&wanted, candidate), candidate.as_str()))
            .filter(|(distance, _)| *distance <= 2)
            .collect();
        scored.sort();
        scored
            .into_iter()
            .take(limit)
            .map(|(_, s)| s.to_string())
            .collect()
    }

    /// Active objects whose ID, name or alias contains `text` (case-insensitive), ordered by
    /// kind then ID; exact name matches first.
    pub fn search(&self, text: &str) -> Vec<ObjectRef> {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(bool, Kind, &str, ObjectRef)> = Vec::new();
        for kind in ALL_KINDS {
            for object in self.all_of(kind) {
                let meta = self.meta(object);
                if !meta.is_active() {
                    continue;
                }
                let name = meta.name.to_lowercase();
                let matches = name.contains(&needle)
                    || meta.attack_id.to_lowercase().contains(&needle)
                    || self
                        .aliases(object)
                        .iter()
                        .any(|a| a.to_lowercase().contains(&needle));
                if matches {
                    hits.push((name != needle, kind, meta.attack_id.as_str(), object));
                }
            }
        }
        hits.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        hits.into_iter().map(|h| h.3).collect()
    }

    /// Names and aliases of groups, software and campaigns; empty for other kinds.
    pub fn aliases(&self, object: ObjectRef) -> &[String] {
        let i = object.index as usize;
        match object.kind {
            Kind::Group => &self.groups[i].aliases,
            Kind::Software => &self.software[i].aliases,
            Kind::Campaign => &self.campaigns[i].aliases,
            _ => &[],
        }
    }

    /// A suggestion line for an unknown ID: close IDs, else objects whose name matches.
    pub fn suggest(&self, id: &str) -> Option<String> {
        let close = self.similar_ids(id, Kind::from_attack_id(id), 3);
        if !close.is_empty() {
            return Some(format!("did you mean {}?", close.join(", ")));
        }
        let named: Vec<String> = self
            .search(id)
            .into_iter()
            .take(3)
            .map(|o| {
                let m = self.meta(o);
                format!("{} ({})", m.attack_id, m.name)
            })
            .collect();
        (!named.is_empty()).then(|| format!("did you mean {}?", named.join(", ")))
    }
}

/// Every kind, in the order listings and searches present them.
pub const ALL_KINDS: [Kind; 10] = [
    Kind::Tactic,
    Kind::Technique,
    Kind::Mitigation,
    Kind::Group,
    Kind::Software,
    Kind::Campaign,
    Kind::DataSource,
    Kind::DataComponent,
    Kind::DetectionStrategy,
    Kind::Analytic,
];
