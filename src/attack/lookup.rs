//! Finding objects by what users type: ATT&CK IDs, names, parts of names.
//!
//! An ATT&CK ID alone is not a key: deprecated course-of-action objects carry technique IDs
//! (a mitigation "T1199" exists next to the technique T1199). A lookup therefore prefers the
//! kind the ID's prefix promises, then the active object over revoked or deprecated ones.

use serde::Serialize;

use std::collections::HashMap;

use serde_json::value::RawValue;

use super::knowledge::{Kind, KnowledgeBase, ObjectRef};
use super::stix::RawDescribedBundle;

/// A field of an object that a search matched, in the order hits are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    /// The ATT&CK ID (`T1199`). JSON `id`.
    Id,
    /// The object's name. JSON `name`.
    Name,
    /// An alias of a group, software or campaign, other than its own name. JSON `alias`.
    Alias,
    /// A log-source name that stands for a data component.
    LogSource,
    /// The description, without citations and link targets (`--descriptions`). JSON
    /// `description`.
    Description,
}

impl Field {
    /// The name JSON output gives the field.
    pub fn label(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Alias => "alias",
            Field::LogSource => "log-source",
            Field::Description => "description",
        }
    }
}

/// One object a search found, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The object found.
    pub object: ObjectRef,
    /// Every field that matched, in [`Field`]'s order.
    pub matched: Vec<Field>,
    /// What matched when neither the ID nor the name did: the aliases or log-source names
    /// (joined by `, `), or the description around the first match.
    pub excerpt: Option<String>,
}

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
        self.search_in(text, false, None)
            .into_iter()
            .map(|hit| hit.object)
            .collect()
    }

    /// Active objects whose ID, name or alias contains `text` (case-insensitive); with
    /// `log_sources`, also data components a log-source name containing `text` stands for
    /// (`CloudTrail`: those that list `AWS:CloudTrail`, or that an analytic reads through it);
    /// with `descriptions`, also objects whose description contains it. Each hit says which
    /// fields matched. Ordered by how they matched (an exact name, then an ID, name or alias,
    /// then a log-source name, then only the description), then by kind and ID.
    pub fn search_in(
        &self,
        text: &str,
        log_sources: bool,
        descriptions: Option<&Descriptions>,
    ) -> Vec<SearchHit> {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        let by_log_source = if log_sources {
            self.components_by_log_source(&needle)
        } else {
            HashMap::new()
        };
        let mut hits: Vec<(u8, Kind, &str, SearchHit)> = Vec::new();
        for kind in ALL_KINDS {
            for object in self.all_of(kind) {
                let meta = self.meta(object);
                if !meta.is_active() {
                    continue;
                }
                let mut matched = Vec::new();
                let mut excerpt = None;
                if find_folded(&meta.attack_id, &needle).is_some() {
                    matched.push(Field::Id);
                }
                if find_folded(&meta.name, &needle).is_some() {
                    matched.push(Field::Name);
                }
                // ATT&CK lists a group's own name among its aliases: that is no alias match.
                let aliases: Vec<&str> = self
                    .aliases(object)
                    .iter()
                    .map(String::as_str)
                    .filter(|a| !a.eq_ignore_ascii_case(&meta.name))
                    .filter(|a| find_folded(a, &needle).is_some())
                    .collect();
                if !aliases.is_empty() {
                    matched.push(Field::Alias);
                    excerpt = Some(aliases.join(", "));
                }
                if kind == Kind::DataComponent
                    && let Some(names) = by_log_source.get(&object.index)
                {
                    matched.push(Field::LogSource);
                    excerpt.get_or_insert_with(|| names.join(", "));
                }
                if let Some(description) = descriptions.and_then(|d| d.of(&meta.stix_id))
                    && let Some(at) = find_folded(description, &needle)
                {
                    matched.push(Field::Description);
                    excerpt.get_or_insert_with(|| around(description, at, needle.len()));
                }
                let Some(&best) = matched.iter().min() else {
                    continue;
                };
                let rank = match best {
                    _ if meta.name.to_lowercase() == needle => 0,
                    Field::Id | Field::Name | Field::Alias => 1,
                    Field::LogSource => 2,
                    Field::Description => 3,
                };
                if matches!(best, Field::Id | Field::Name) {
                    excerpt = None;
                }
                hits.push((
                    rank,
                    kind,
                    meta.attack_id.as_str(),
                    SearchHit {
                        object,
                        matched,
                        excerpt,
                    },
                ));
            }
        }
        hits.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        hits.into_iter().map(|h| h.3).collect()
    }

    /// Data components (by index) to the log-source names containing `needle` that stand for
    /// them, as ATT&CK spells the names.
    fn components_by_log_source(&self, needle: &str) -> HashMap<u32, Vec<&str>> {
        let mut out: HashMap<u32, Vec<&str>> = HashMap::new();
        for name in self.log_source_names() {
            if find_folded(name, needle).is_none() {
                continue;
            }
            for component in self.components_with_log_source(name) {
                out.entry(component).or_default().push(name);
            }
        }
        out
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

/// Objects' descriptions by STIX id, as search reads them: without citations and link targets
/// (see [`searchable`]). Not part of the knowledge base: they would more than double the
/// parsed-release cache that every command loads, for the one command that reads them.
#[derive(Debug, Clone, Default)]
pub struct Descriptions(HashMap<String, String>);

impl Descriptions {
    /// The descriptions of a bundle's objects (relationships' are left out).
    pub fn from_bundle(bytes: &[u8]) -> Result<Descriptions, serde_json::Error> {
        let bundle: RawDescribedBundle = serde_json::from_slice(bytes)?;
        let decode = |raw: Option<&RawValue>| {
            raw.and_then(|raw| serde_json::from_str::<std::borrow::Cow<str>>(raw.get()).ok())
        };
        let mut out = HashMap::new();
        for object in bundle.objects {
            let Some(id) = decode(object.id) else {
                continue;
            };
            if id.starts_with("relationship--") {
                continue;
            }
            if let Some(description) = decode(object.description)
                && !description.is_empty()
            {
                out.insert(id.into_owned(), searchable(&description));
            }
        }
        Ok(Descriptions(out))
    }

    /// Adds another bundle's descriptions (a companion's).
    pub fn extend(&mut self, other: Descriptions) {
        self.0.extend(other.0);
    }

    /// The description of the object with this STIX id.
    pub fn of(&self, stix_id: &str) -> Option<&str> {
        self.0.get(stix_id).map(String::as_str)
    }

    /// How many objects have a description.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no object has a description.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A description as search reads it: ATT&CK's Markdown without its citations
/// (`(Citation: MSTIC DEV-0537 Mar 2022)`) and with links reduced to their text
/// (`[LAPSUS$](https://attack.mitre.org/groups/G1004)` to `LAPSUS$`), so that a search for a
/// vendor or an ID finds what the text says, not whom it cites or links to.
pub fn searchable(description: &str) -> String {
    const CITATION: &str = "(Citation:";
    let mut out = String::with_capacity(description.len());
    let mut rest = description;
    while let Some(at) = rest.find(['(', ']']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let citation = tail.starts_with(CITATION).then(|| tail.find(')')).flatten();
        let link = tail
            .strip_prefix("](")
            .and_then(|target| target.find(')'))
            .filter(|&end| !tail[2..2 + end].contains(char::is_whitespace));
        if let Some(end) = citation {
            out.truncate(out.trim_end().len());
            rest = &tail[end + 1..];
        } else if let Some(end) = link {
            if let Some(open) = out.rfind('[') {
                out.remove(open);
            }
            rest = &tail[2 + end + 1..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Where `needle` (lower-cased) first occurs in `haystack` ignoring case, as a byte offset
/// into `haystack`.
fn find_folded(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    if needle.is_ascii() {
        // Byte offsets stay those of `haystack`, and no lower-cased copy is made.
        let needle = needle.as_bytes();
        return haystack
            .as_bytes()
            .windows(needle.len())
            .position(|window| window.eq_ignore_ascii_case(needle));
    }
    haystack.char_indices().map(|(at, _)| at).find(|&at| {
        let mut folded = haystack[at..].chars().flat_map(char::to_lowercase);
        needle.chars().all(|c| folded.next() == Some(c))
    })
}

/// About 70 characters of `text` around the match at `at` (`len` bytes long, or as near as
/// lower-casing lets), on one line, with `...` where it was cut.
fn around(text: &str, at: usize, len: usize) -> String {
    const CONTEXT: usize = 30;
    let floor = |i: usize| {
        let mut i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let match_end = floor(at + len).max(at);
    let mut start = floor(at.saturating_sub(CONTEXT));
    let mut end = floor(match_end + CONTEXT);
    // Cut between words when there is a space near.
    if start > 0
        && let Some(space) = text[start..at].find([' ', '\n'])
    {
        start += space + 1;
    }
    if end < text.len()
        && let Some(space) = text[match_end..end].rfind([' ', '\n'])
    {
        end = match_end + space;
    }
    let words: Vec<&str> = text[start..end].split_whitespace().collect();
    format!(
        "{}{}{}",
        if start > 0 { "..." } else { "" },
        words.join(" "),
        if end < text.len() { "..." } else { "" }
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_lose_citations_and_link_targets() {
        assert_eq!(
            searchable(
                "[LAPSUS$](https://attack.mitre.org/groups/G1004) is a group.(Citation: BBC \
                 LAPSUS Apr 2022)(Citation: MSTIC DEV-0537 Mar 2022) It uses a data broker \
                 (Citation: X) too."
            ),
            "LAPSUS$ is a group. It uses a data broker too."
        );
        // Brackets and parentheses that are neither stay as they are.
        for text in [
            "a [note] (aside) f(x) ]( x)",
            "(Citation: never closed",
            "",
            "é]( ",
        ] {
            assert_eq!(searchable(text), text);
        }
    }

    #[test]
    fn matches_ignore_case_and_keep_byte_offsets() {
        assert_eq!(find_folded("Data BROKER", "broker"), Some(5));
        assert_eq!(find_folded("Été Broker", "broker"), Some(6));
        assert_eq!(find_folded("ÉTÉ", "été"), Some(0));
        assert_eq!(find_folded("abc", "été"), None);
        assert_eq!(find_folded("ab", "abc"), None);
    }

    #[test]
    fn excerpts_cut_between_words_and_say_so() {
        let text = "Adversaries may buy access from an initial access broker, who sells \
                    footholds in many organisations, to skip the work of getting in.";
        let at = find_folded(text, "broker").expect("found");
        let excerpt = around(text, at, "broker".len());
        assert!(
            excerpt.starts_with("...") && excerpt.ends_with("..."),
            "{excerpt}"
        );
        assert!(excerpt.contains("initial access broker, who"), "{excerpt}");
        assert_eq!(around("a broker", 2, 6), "a broker");
        // Multi-byte characters near the cut points.
        let text = "ééééééééééééééééééééééééééééé broker ééééééééééééééééééééééé";
        let at = find_folded(text, "broker").expect("found");
        assert!(around(text, at, 6).contains("broker"));
    }

    #[test]
    fn bundle_descriptions_skip_relationships_and_odd_values() {
        let bundle = r#"{"type":"bundle","id":"bundle--1","objects":[
            {"type":"attack-pattern","id":"attack-pattern--1","description":"Uses a \"broker\".(Citation: A)"},
            {"type":"relationship","id":"relationship--1","description":"broker"},
            {"type":"tool","id":"tool--1","description":42},
            {"type":"tool","id":"tool--2"},
            {"type":"tool","id":7,"description":"no id"}
        ]}"#;
        let descriptions = Descriptions::from_bundle(bundle.as_bytes()).expect("reads");
        assert_eq!(descriptions.len(), 1);
        assert_eq!(
            descriptions.of("attack-pattern--1"),
            Some("Uses a \"broker\".")
        );
        assert!(Descriptions::from_bundle(b"[1]").is_err());
    }
}
