//! Finding objects by what users type: ATT&CK IDs, names, parts of names.
//!
//! An ATT&CK ID alone is not a key: deprecated course-of-action objects carry technique IDs
//! (a mitigation "T1199" exists next to the technique T1199). A lookup therefore prefers the
//! kind the ID's prefix promises, then the active object over revoked or deprecated ones.

use super::knowledge::{Kind, KnowledgeBase, ObjectRef};

impl KnowledgeBase {
    /// The object a user means by `id`: of kind `expected` when given (else the kind the ID's
    /// prefix promises), preferring an active object; falls back to any object with that ID.
    ///
    /// F3 re-uses ATT&CK tactic IDs for tactics of its own: ATT&CK's object wins unless
    /// [`Self::lookup_preferring`] names the companion.
    pub fn lookup(&self, id: &str, expected: Option<Kind>) -> Option<ObjectRef> {
        self.lookup_preferring(id, expected, &[])
    }

    /// [`Self::lookup`], preferring objects of the frameworks named (then ATT&CK's).
    pub fn lookup_preferring(
        &self,
        id: &str,
        expected: Option<Kind>,
        preferred: &[super::Framework],
    ) -> Option<ObjectRef> {
        if id.contains("--") {
            return self.by_stix_id(id);
        }
        let candidates = self.all_with_attack_id(id.trim());
        let wanted = expected.or_else(|| Kind::from_attack_id(id.trim()));
        let rank = |o: &ObjectRef| {
            let meta = self.meta(*o);
            let kind_miss = wanted.is_some_and(|k| k != o.kind);
            let framework_miss = !preferred.contains(&meta.framework);
            (
                kind_miss,
                meta.revoked,
                meta.deprecated,
                framework_miss,
                meta.framework.is_companion(),
            )
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

    /// Up to `limit` IDs of active objects of `kind` that are one typo away from `id`: a digit
    /// changed, added, dropped or swapped with its neighbour, or a sub-technique written
    /// without its zeros (`T1078.4`, then the only suggestion). Unlike [`Self::similar_ids`], nothing further away: a
    /// suggestion two edits off is most often an unrelated object.
    pub fn close_ids(&self, id: &str, kind: Kind, limit: usize) -> Vec<String> {
        let wanted = pad_subtechnique(&id.trim().to_ascii_uppercase());
        let prefix = id_prefix(&wanted);
        let mut scored: Vec<(usize, bool, &str)> = self
            .by_attack_id
            .iter()
            .filter(|(candidate, _)| {
                id_prefix(candidate) == prefix && candidate.len().abs_diff(wanted.len()) <= 1
            })
            .filter(|(_, objects)| {
                objects
                    .iter()
                    .any(|o| o.kind == kind && self.meta(*o).is_active())
            })
            .map(|(candidate, _)| {
                let distance = strsim::damerau_levenshtein(&wanted, candidate);
                // Two digits swapped is the likeliest typo: those first.
                let swapped = distance == 1 && same_characters(&wanted, candidate);
                (distance, !swapped, candidate.as_str())
            })
            .filter(|(distance, _, _)| *distance <= 1)
            .collect();
        scored.sort();
        // `T1078.4` is T1078.004 written short: that one, not its neighbours.
        let nearest = scored.first().map_or(0, |(distance, _, _)| *distance);
        scored
            .into_iter()
            .take_while(|(distance, _, _)| *distance == nearest || nearest > 0)
            .take(limit)
            .map(|(_, _, s)| s.to_string())
            .collect()
    }

    /// Every log-source name the release lists (data components' and analytics'), once each
    /// (case-insensitively), as ATT&CK spells it.
    pub fn log_source_names(&self) -> Vec<&str> {
        let from_components = self
            .data_components
            .iter()
            .filter(|c| c.meta.is_active())
            .flat_map(|c| c.log_sources.iter().map(|l| l.name.as_str()));
        let from_analytics = self
            .analytics
            .iter()
            .flat_map(|a| a.log_sources.iter().map(|l| l.name.as_str()));
        let mut seen = std::collections::HashSet::new();
        from_components
            .chain(from_analytics)
            .filter(|name| seen.insert(name.to_ascii_lowercase()))
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

/// The letters an ATT&CK ID starts with (`T`, `DET`).
fn id_prefix(id: &str) -> &str {
    let letters = id.bytes().take_while(u8::is_ascii_alphabetic).count();
    &id[..letters]
}

/// Whether two IDs hold the same characters in another order (`G0152`, `G0125`).
fn same_characters(a: &str, b: &str) -> bool {
    let sorted = |s: &str| {
        let mut bytes = s.as_bytes().to_vec();
        bytes.sort_unstable();
        bytes
    };
    sorted(a) == sorted(b)
}

/// `T1078.4` and `T1078.04` as ATT&CK writes them, `T1078.004`; anything else unchanged.
fn pad_subtechnique(id: &str) -> String {
    match id.split_once('.') {
        Some((parent, sub))
            if (1..3).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{parent}.{sub:0>3}")
        }
        _ => id.to_string(),
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
