//! Hints that take more than a spelling distance: what an author who writes `AWS` as a
//! platform, `CloudTrail` as telemetry, `G9999` as a group or a detection strategy under
//! `mitigations` has to write instead.
//!
//! Every suggestion names something the loaded release really has; a hint that cannot point
//! at something close says how to find it rather than guessing.

use crate::attack::{Kind, KnowledgeBase, ObjectRef};
use crate::diag::suggest::closest;

/// How many alternatives a hint lists at most.
const MAX_SUGGESTIONS: usize = 4;

/// Longer values are no misspelling of a log-source name (the longest is about 80 characters):
/// they get the general hint without being compared with every name.
const MAX_MATCHED_LENGTH: usize = 160;

/// Lower case, letters and digits only: `Google Workspace` and `google-workspace` alike.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Alternatives as a hint lists them: `a`, `a or b`, `a, b or c`.
fn either(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers

/// The digits of a number written with thousands separators (`2,500,000`, `2 500 000`,
/// `2.500.000`, `2'500'000`), if that is what `text` is.
pub fn without_thousands_separators(text: &str) -> Option<String> {
    const SEPARATORS: [char; 8] = [',', '.', ' ', '\'', '_', '\u{2019}', '\u{a0}', '\u{202f}'];
    let text = text.trim();
    let separator = text.chars().find(|c| !c.is_ascii_digit())?;
    if !SEPARATORS.contains(&separator) {
        return None;
    }
    let all_digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let mut groups = text.split(separator);
    let leading = groups.next()?;
    let rest: Vec<&str> = groups.collect();
    let well_formed = leading.len() <= 3
        && all_digits(leading)
        && !rest.is_empty()
        && rest.iter().all(|g| g.len() == 3 && all_digits(g));
    well_formed.then(|| format!("{leading}{}", rest.concat()))
}

// ---------------------------------------------------------------------------------------------
// Platforms

/// What people call the things ATT&CK files under its platforms (normalised), and those
/// platforms. A name may fit more than one.
const PLATFORM_ALIASES: &[(&[&str], &[&str])] = &[
    (
        &[
            "aws",
            "amazonwebservices",
            "azure",
            "microsoftazure",
            "gcp",
            "googlecloud",
            "googlecloudplatform",
            "oci",
            "oraclecloud",
            "alibabacloud",
            "ibmcloud",
            "digitalocean",
            "ec2",
            "s3",
        ],
        &["IaaS"],
    ),
    (
        &[
            "okta",
            "entra",
            "entraid",
            "microsoftentraid",
            "azuread",
            "azureactivedirectory",
            "aad",
            "auth0",
            "pingidentity",
            "pingfederate",
            "onelogin",
            "keycloak",
            "sso",
            "idp",
        ],
        &["Identity Provider"],
    ),
    (
        &[
            "office365",
            "o365",
            "m365",
            "microsoft365",
            "exchangeonline",
            "sharepoint",
            "sharepointonline",
            "onedrive",
            "microsoftteams",
            "outlook",
        ],
        &["Office Suite"],
    ),
    (
        &["googleworkspace", "gsuite", "gmail", "googledrive"],
        &["Office Suite", "SaaS"],
    ),
    (
        &[
            "salesforce",
            "github",
            "gitlab",
            "bitbucket",
            "slack",
            "servicenow",
            "zoom",
            "dropbox",
            "box",
            "jira",
            "confluence",
            "atlassian",
            "workday",
            "zendesk",
            "snowflake",
        ],
        &["SaaS"],
    ),
    (&["cloud"], &["IaaS", "SaaS"]),
    (
        &[
            "kubernetes",
            "k8s",
            "docker",
            "eks",
            "aks",
            "gke",
            "openshift",
            "podman",
            "container",
            "containerd",
        ],
        &["Containers"],
    ),
    (&["vmware", "vsphere", "esx", "vcenter"], &["ESXi"]),
    (
        &[
            "cisco",
            "juniper",
            "fortinet",
            "fortigate",
            "paloalto",
            "router",
            "switch",
            "firewall",
            "network",
            "networkdevice",
            "vpn",
            "loadbalancer",
        ],
        &["Network Devices"],
    ),
    (
        &[
            "ubuntu",
            "debian",
            "rhel",
            "redhat",
            "centos",
            "fedora",
            "alpine",
            "amazonlinux",
            "suse",
            "unix",
        ],
        &["Linux"],
    ),
    (&["mac", "osx", "macosx", "apple"], &["macOS"]),
    (
        &[
            "win",
            "windowsserver",
            "microsoftwindows",
            "windows10",
            "windows11",
        ],
        &["Windows"],
    ),
    (
        &["activedirectory", "ad"],
        &["Windows", "Identity Provider"],
    ),
    (
        &[
            "web",
            "webapp",
            "webapplication",
            "website",
            "webserver",
            "api",
        ],
        &["Linux", "Windows", "Containers", "IaaS", "SaaS"],
    ),
];

/// Names of mobile platforms, which Enterprise ATT&CK does not have.
const MOBILE_NAMES: [&str; 5] = ["android", "ios", "iphone", "mobile", "mobileapp"];

/// The hint for a platform the release does not know; `known` are the release's platforms.
pub fn platform(value: &str, known: &[String]) -> String {
    if let Some(exact) = known.iter().find(|k| k.eq_ignore_ascii_case(value.trim())) {
        return format!("did you mean `{exact}`?");
    }
    if let Some(hint) = platform_alias(value, known) {
        return hint;
    }
    let candidates: Vec<&str> = known.iter().map(String::as_str).collect();
    if let Some(c) = closest(value, &candidates) {
        return format!("did you mean `{c}`?");
    }
    if MOBILE_NAMES.contains(&normalise(value).as_str()) {
        return "this ATT&CK domain has no mobile platform: model the app as the backend it \
                calls (`Linux`, `IaaS`, `SaaS`, ...)"
            .to_string();
    }
    format!(
        "ATT&CK platforms in this release: {}",
        candidates.join(", ")
    )
}

/// `AWS` -> `IaaS`, `Okta` -> `Identity Provider`: the platforms of the release that ATT&CK
/// files a vendor's or product's name under.
fn platform_alias(value: &str, known: &[String]) -> Option<String> {
    let wanted = normalise(value);
    let (_, platforms) = PLATFORM_ALIASES
        .iter()
        .find(|(names, _)| names.contains(&wanted.as_str()))?;
    let present: Vec<String> = platforms
        .iter()
        .filter(|p| known.iter().any(|k| k == *p))
        .map(|p| format!("`{p}`"))
        .collect();
    match present.as_slice() {
        [] => None,
        [only] => Some(format!(
            "ATT&CK files {} under the platform {only}: write {only}",
            value.trim()
        )),
        several => Some(format!(
            "ATT&CK files {} under {}: write the ones that fit",
            value.trim(),
            either(several)
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Telemetry

/// Words people use for a log source's vendor or product, and the word ATT&CK uses in its
/// log-source names (all normalised).
const LOG_SOURCE_SYNONYMS: &[(&str, &str)] = &[
    ("office365", "m365"),
    ("o365", "m365"),
    ("microsoft365", "m365"),
    ("exchangeonline", "m365"),
    ("entra", "azure"),
    ("entraid", "azure"),
    ("azuread", "azure"),
    ("aad", "azure"),
    ("gsuite", "googleworkspace"),
    ("googlecloud", "gcp"),
    ("k8s", "kubernetes"),
    ("windows", "wineventlog"),
    ("eventlog", "wineventlog"),
    ("vmware", "esxi"),
    ("vsphere", "esxi"),
];

/// The hint for a telemetry entry that is neither a data component ID nor a log-source name.
pub fn telemetry(kb: &KnowledgeBase, value: &str) -> String {
    if let Some(component) = component_named(kb, value) {
        let meta = kb.meta(component);
        return format!(
            "did you mean {} ({})? Telemetry names a data component by its ID",
            meta.attack_id, meta.name
        );
    }
    if kb.analytics.is_empty() {
        return "this release names no log sources; use data component IDs (DC0001)".to_string();
    }
    let general = || {
        "use a data component ID (DC0067) or a log-source name as ATT&CK lists it \
         (WinEventLog:Security, AWS:CloudTrail)"
            .to_string()
    };
    if value.len() > MAX_MATCHED_LENGTH {
        return general();
    }
    let names = kb.log_source_names();
    let typo = || closest(value, &names).map(|c| format!("did you mean \"{c}\"?"));
    let by_vendor = || {
        let like = log_sources_like(kb, &names, value);
        (!like.is_empty()).then(|| {
            let quoted: Vec<String> = like.iter().map(|n| format!("\"{n}\"")).collect();
            format!(
                "ATT&CK's log sources for {}: {}; write one as listed, quoted",
                value.trim(),
                either(&quoted)
            )
        })
    };
    // A name with a colon is a misspelt full name; a bare word names a vendor or product.
    let hint = if value.contains(':') {
        typo().or_else(by_vendor)
    } else {
        by_vendor().or_else(typo)
    };
    hint.unwrap_or_else(general)
}

/// The active data component whose name is `value` (`Logon Session Creation`).
fn component_named(kb: &KnowledgeBase, value: &str) -> Option<ObjectRef> {
    let wanted = value.trim();
    kb.all_of(Kind::DataComponent).find(|&c| {
        let meta = kb.meta(c);
        meta.is_active() && !meta.attack_id.is_empty() && meta.name.eq_ignore_ascii_case(wanted)
    })
}

/// Log-source names whose vendor or product part (`AWS`, `CloudTrail` in `AWS:CloudTrail`)
/// matches a word of `value`, best first: whole parts before parts containing the word, then
/// the names that stand for the most data components.
fn log_sources_like<'k>(kb: &KnowledgeBase, names: &[&'k str], value: &str) -> Vec<&'k str> {
    let words = search_words(value);
    if words.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, usize, &str)> = names
        .iter()
        .filter(|name| name.trim() == **name)
        .map(|&name| {
            let breadth = kb.components_with_log_source(name).len();
            (log_source_score(name, &words), breadth, name)
        })
        .filter(|(score, _, _)| *score > 0)
        .collect();
    scored.sort_by(|a, b| (b.0, b.1, a.2).cmp(&(a.0, a.1, b.2)));
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, _, name)| name)
        .collect()
}

/// The normalised words of what a user wrote, the whole of it, and ATT&CK's word for each.
fn search_words(value: &str) -> Vec<String> {
    let mut words: Vec<String> = value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(normalise)
        .filter(|w| w.len() >= 2)
        .collect();
    let whole = normalise(value);
    if whole.len() >= 2 && !words.contains(&whole) {
        words.push(whole);
    }
    let synonyms: Vec<String> = words
        .iter()
        .filter_map(|w| LOG_SOURCE_SYNONYMS.iter().find(|(from, _)| from == w))
        .map(|(_, to)| to.to_string())
        .collect();
    words.extend(synonyms);
    words.sort();
    words.dedup();
    words
}

/// How well a log-source name matches: 2 per word that is its vendor or product, 1 per word
/// (of four letters or more) either contains.
fn log_source_score(name: &str, words: &[String]) -> usize {
    let (vendor, product) = name.split_once(':').unwrap_or((name, ""));
    let parts = [normalise(vendor), normalise(product)];
    words
        .iter()
        .map(|w| {
            if parts.iter().any(|p| p == w) {
                2
            } else if w.len() >= 4 && parts.iter().any(|p| p.contains(w.as_str())) {
                1
            } else {
                0
            }
        })
        .sum()
}

// ---------------------------------------------------------------------------------------------
// ATT&CK IDs

/// The hint for an ATT&CK ID of `kind` that the release does not have: IDs one typo away, or
/// objects so named; otherwise how to find the right one.
pub fn unknown_attack_id(kb: &KnowledgeBase, value: &str, kind: Kind) -> String {
    if kind == Kind::DetectionStrategy && kb.detection_strategies.is_empty() {
        return "detection strategies (DET) exist from ATT&CK v18 on".to_string();
    }
    if value.trim().is_empty() {
        return format!(
            "the entry is empty: write a {} ID or remove it",
            kind.label()
        );
    }
    let close = kb.close_ids(value, kind, 3);
    let candidates: Vec<String> = if close.is_empty() && Kind::from_attack_id(value).is_none() {
        named(kb, value, kind)
    } else {
        close
            .iter()
            .filter_map(|id| kb.lookup(id, Some(kind)))
            .map(|o| with_name(kb, o))
            .collect()
    };
    if !candidates.is_empty() {
        return format!("did you mean {}?", either(&candidates));
    }
    let kind = kind.label();
    format!(
        "no {kind} ID of this release is one typo away from it; find the {kind} with \
         `atkmap attack search NAME --kind {kind}`"
    )
}

/// `G1004 (LAPSUS$)`.
fn with_name(kb: &KnowledgeBase, object: ObjectRef) -> String {
    let meta = kb.meta(object);
    format!("{} ({})", meta.attack_id, meta.name)
}

/// Active objects of `kind` whose name or alias contains `value` (an author who wrote a name
/// where the ID belongs), exact names first.
fn named(kb: &KnowledgeBase, value: &str, kind: Kind) -> Vec<String> {
    if !(3..=MAX_MATCHED_LENGTH).contains(&value.trim().chars().count()) {
        return Vec::new();
    }
    kb.search(value)
        .into_iter()
        .filter(|o| o.kind == kind)
        .take(3)
        .map(|o| with_name(kb, o))
        .collect()
}

/// The hint for an ATT&CK ID listed under `key` that names an object of another kind:
/// where it belongs instead, or what stands for it there.
pub fn wrong_kind(kb: &KnowledgeBase, key: &str, found: ObjectRef) -> Option<String> {
    let id = &kb.meta(found).attack_id;
    let hint = match (key, found.kind) {
        ("mitigations" | "counters" | "detects", Kind::DetectionStrategy) => {
            "move it to `detections`, the control's ATT&CK detection strategies".to_string()
        }
        ("detections" | "counters" | "detects", Kind::Mitigation) => {
            "move it to `mitigations`, the control's ATT&CK mitigations".to_string()
        }
        ("mitigations" | "detections", Kind::Technique) => format!(
            "a control names techniques directly: move {id} to `counters` if the control \
             prevents it, to `detects` if it detects it"
        ),
        ("mitigations" | "detections" | "counters" | "detects", Kind::Analytic) => {
            analytic_strategies(kb, found)?
        }
        (_, Kind::DataComponent) => {
            "a data component is telemetry: list it under `telemetry` of the systems that log it"
                .to_string()
        }
        ("groups", Kind::Technique) => "move it to `techniques`".to_string(),
        ("techniques", Kind::Group) => "move it to `groups`".to_string(),
        ("exclude", Kind::Group) => {
            "`exclude` removes techniques; to drop a group's techniques, remove it from `groups`"
                .to_string()
        }
        ("groups", Kind::Campaign) => campaign_groups(kb, found)?,
        ("groups", Kind::Software) => format!(
            "atkmap links groups, not software: list the techniques {id} uses \
             (`atkmap attack show {id}`) under `techniques`"
        ),
        ("exclude" | "techniques", Kind::Tactic) => tactic_shortname(kb, found)?,
        ("technique", Kind::Mitigation | Kind::DetectionStrategy) => {
            "name the attacker's technique here; list mitigations and detection strategies \
             under a control"
                .to_string()
        }
        ("telemetry", Kind::DataSource) => data_source_components(kb, found),
        _ => return None,
    };
    Some(hint)
}

/// An analytic where a detection strategy belongs: the strategies it is part of.
fn analytic_strategies(kb: &KnowledgeBase, analytic: ObjectRef) -> Option<String> {
    let strategies = &kb.analytics.get(analytic.index as usize)?.strategies;
    let named = active_named(kb, Kind::DetectionStrategy, strategies);
    (!named.is_empty()).then(|| {
        format!(
            "an analytic is part of a detection strategy: list {} under `detections`",
            either(&named)
        )
    })
}

/// A campaign where a group belongs: the groups it is attributed to.
fn campaign_groups(kb: &KnowledgeBase, campaign: ObjectRef) -> Option<String> {
    let groups = &kb.campaigns.get(campaign.index as usize)?.groups;
    let named = active_named(kb, Kind::Group, groups);
    Some(if named.is_empty() {
        "ATT&CK attributes this campaign to no group: list its techniques under `techniques`"
            .to_string()
    } else {
        format!(
            "link the group it is attributed to instead: {}",
            either(&named)
        )
    })
}

/// A tactic where a technique belongs: `exclude` takes its shortname.
fn tactic_shortname(kb: &KnowledgeBase, tactic: ObjectRef) -> Option<String> {
    let shortname = &kb.tactics.get(tactic.index as usize)?.shortname;
    Some(format!(
        "to leave out a whole tactic, write its shortname in `exclude`: `{shortname}`"
    ))
}

/// A data source where telemetry belongs: its data components.
fn data_source_components(kb: &KnowledgeBase, source: ObjectRef) -> String {
    let components = kb
        .data_sources
        .get(source.index as usize)
        .map_or(&[][..], |s| s.components.as_slice());
    let named = active_named(kb, Kind::DataComponent, components);
    if named.is_empty() {
        return "telemetry names data components, not data sources: find them with \
                `atkmap attack search NAME --kind data-component`"
            .to_string();
    }
    let shown: Vec<String> = named.iter().take(MAX_SUGGESTIONS).cloned().collect();
    format!(
        "name the data components it logs, for example {}",
        either(&shown)
    )
}

/// `ID (name)` of the active objects among `indices`.
fn active_named(kb: &KnowledgeBase, kind: Kind, indices: &[u32]) -> Vec<String> {
    indices
        .iter()
        .map(|&index| ObjectRef { kind, index })
        .filter(|&o| (o.index as usize) < kb.len_of(kind) && kb.meta(o).is_active())
        .map(|o| with_name(kb, o))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        [
            "Containers",
            "ESXi",
            "IaaS",
            "Identity Provider",
            "Linux",
            "Network Devices",
            "Office Suite",
            "PRE",
            "SaaS",
            "Windows",
            "macOS",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn separated_numbers() {
        for (text, digits) in [
            ("2,500,000", Some("2500000")),
            ("2 500 000", Some("2500000")),
            ("2.500.000", Some("2500000")),
            ("17_000_000", Some("17000000")),
            ("2'500", Some("2500")),
            ("2500000", None),
            ("2,50,000", None),
            ("1,2", None),
            ("abc", None),
            (",000", None),
            ("2,500 000", None),
        ] {
            assert_eq!(
                without_thousands_separators(text).as_deref(),
                digits,
                "{text}"
            );
        }
    }

    #[test]
    fn cloud_vendors_are_iaas() {
        for vendor in ["AWS", "aws", "Azure", "GCP", "Google Cloud"] {
            let hint = platform(vendor, &known());
            assert!(
                hint.contains("under the platform `IaaS`"),
                "{vendor}: {hint}"
            );
        }
    }

    #[test]
    fn identity_and_office_products_get_their_platforms() {
        assert!(platform("Okta", &known()).contains("`Identity Provider`"));
        assert!(platform("Entra ID", &known()).contains("`Identity Provider`"));
        assert!(platform("Azure AD", &known()).contains("`Identity Provider`"));
        assert!(platform("Office 365", &known()).contains("`Office Suite`"));
        assert!(platform("M365", &known()).contains("`Office Suite`"));
        let workspace = platform("Google Workspace", &known());
        assert!(
            workspace.contains("`Office Suite` or `SaaS`"),
            "{workspace}"
        );
    }

    #[test]
    fn platforms_absent_from_the_release_are_never_suggested() {
        let old: Vec<String> = vec!["Linux".into(), "Windows".into()];
        let hint = platform("AWS", &old);
        assert!(!hint.contains("IaaS"), "{hint}");
        assert!(hint.contains("Linux, Windows"), "{hint}");
    }

    #[test]
    fn case_and_typos_still_suggest_the_spelling() {
        assert_eq!(platform("saas", &known()), "did you mean `SaaS`?");
        assert_eq!(platform("Linx", &known()), "did you mean `Linux`?");
        assert!(platform("Android", &known()).contains("no mobile platform"));
    }

    #[test]
    fn log_source_words_score_by_vendor_and_product() {
        let words = search_words("CloudTrail");
        assert_eq!(log_source_score("AWS:CloudTrail", &words), 2);
        assert_eq!(log_source_score("CloudTrail:GetObject", &words), 2);
        assert_eq!(log_source_score("WinEventLog:Security", &words), 0);
        let words = search_words("AWS CloudTrail");
        assert_eq!(log_source_score("AWS:CloudTrail", &words), 4);
        let words = search_words("Office 365");
        assert_eq!(log_source_score("m365:unified", &words), 2);
    }

    #[test]
    fn telemetry_hints_name_log_sources_of_the_release() {
        let kb = crate::testing::kb();
        // The synthetic release lists auth:log, cloud:audit, app:log and other:audit.
        let hint = telemetry(&kb, "Cloud");
        assert!(hint.contains("\"cloud:audit\""), "{hint}");
        let hint = telemetry(&kb, "audit");
        assert!(hint.contains("\"cloud:audit\""), "{hint}");
        assert!(hint.contains("\"other:audit\""), "{hint}");
        assert_eq!(telemetry(&kb, "auth:lgo"), "did you mean \"auth:log\"?");
        let hint = telemetry(&kb, "logon session creation");
        assert!(hint.starts_with("did you mean DC0001 (Logon Session Creation)?"));
        assert!(telemetry(&kb, "Splunk").starts_with("use a data component ID"));
    }

    #[test]
    fn unknown_ids_suggest_only_one_typo_away() {
        let kb = crate::testing::kb();
        assert_eq!(
            unknown_attack_id(&kb, "G0002", Kind::Group),
            "did you mean G0001 (Vendor Intruders)?"
        );
        let far = unknown_attack_id(&kb, "G9999", Kind::Group);
        assert!(far.starts_with("no group ID of this release is one typo away from it"));
        assert!(far.contains("`atkmap attack search NAME --kind group`"));
        assert_eq!(
            unknown_attack_id(&kb, "T1078.4", Kind::Technique),
            "did you mean T1078.004 (Cloud Accounts)?"
        );
        // Two digits swapped.
        assert_eq!(
            unknown_attack_id(&kb, "T1919", Kind::Technique),
            "did you mean T1199 (Trusted Relationship)?"
        );
        assert_eq!(
            unknown_attack_id(&kb, "vendor intruders", Kind::Group),
            "did you mean G0001 (Vendor Intruders)?"
        );
    }
}
