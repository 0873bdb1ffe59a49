//! MITRE's file names for releases (`enterprise-attack-18.1.json`, `ics-attack.json`) and the
//! ordering of release versions.

use std::cmp::Ordering;

/// The ATT&CK domains atkmap knows.
pub const DOMAINS: [&str; 3] = ["enterprise", "mobile", "ics"];

/// MITRE's collection name of an ATT&CK domain (`enterprise` -> `enterprise-attack`), which the
/// release files and the ATT&CK Navigator's layer domains use.
pub fn collection_name(domain: &str) -> Option<&'static str> {
    match domain.strip_suffix("-attack").unwrap_or(domain) {
        "enterprise" => Some("enterprise-attack"),
        "mobile" => Some("mobile-attack"),
        "ics" => Some("ics-attack"),
        _ => None,
    }
}

/// What a bundle's file name says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseName {
    /// The ATT&CK domain the name states: `enterprise`, `mobile` or `ics`.
    pub domain: String,
    /// `None` for the unversioned "latest" name (`enterprise-attack.json`).
    pub version: Option<String>,
}

impl ReleaseName {
    /// Reads `DOMAIN-attack[-VERSION].json`; anything else is not a release file.
    pub fn parse(file_name: &str) -> Option<ReleaseName> {
        let stem = file_name.strip_suffix(".json")?;
        let (domain, rest) = stem.split_once("-attack")?;
        if !DOMAINS.contains(&domain) {
            return None;
        }
        let version = match rest {
            "" => None,
            v => {
                let v = v.strip_prefix('-')?;
                if !is_version(v) {
                    return None;
                }
                Some(v.to_string())
            }
        };
        Some(ReleaseName {
            domain: domain.to_string(),
            version,
        })
    }

    /// The file name MITRE gives this release.
    pub fn file_name(&self) -> String {
        match &self.version {
            Some(v) => format!("{}-attack-{}.json", self.domain, v),
            None => format!("{}-attack.json", self.domain),
        }
    }
}

/// `18`, `18.1`, `9.0.2`: dot-separated numbers.
pub fn is_version(v: &str) -> bool {
    !v.is_empty()
        && v.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Numeric order of versions: `9.0 < 17.1 < 18 == 18.0 < 18.1`.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parts = |v: &str| -> Vec<u64> {
        let mut p: Vec<u64> = v.split('.').map(|x| x.parse().unwrap_or(0)).collect();
        while p.len() > 1 && p.last() == Some(&0) {
            p.pop();
        }
        p
    };
    parts(a).cmp(&parts(b))
}

/// Whether two version strings name the same release (`18` and `18.0` do).
pub fn same_version(a: &str, b: &str) -> bool {
    compare_versions(a, b) == Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mitre_names() {
        assert_eq!(
            ReleaseName::parse("enterprise-attack-18.1.json"),
            Some(ReleaseName {
                domain: "enterprise".into(),
                version: Some("18.1".into())
            })
        );
        assert_eq!(
            ReleaseName::parse("ics-attack.json"),
            Some(ReleaseName {
                domain: "ics".into(),
                version: None
            })
        );
        assert_eq!(ReleaseName::parse("pre-attack-1.0.json"), None);
        assert_eq!(ReleaseName::parse("enterprise-attack-x.json"), None);
        assert_eq!(ReleaseName::parse("enterprise-attack-18.1.json.tmp"), None);
    }

    #[test]
    fn orders_versions_numerically() {
        assert_eq!(compare_versions("9.0", "17.1"), Ordering::Less);
        assert_eq!(compare_versions("18.1", "18.0"), Ordering::Greater);
        assert!(same_version("18", "18.0"));
        assert!(!is_version("18..1"));
    }

    #[test]
    fn round_trips_file_names() {
        for name in ["mobile-attack-12.1.json", "enterprise-attack.json"] {
            assert_eq!(
                ReleaseName::parse(name).map(|r| r.file_name()),
                Some(name.into())
            );
        }
    }
}
