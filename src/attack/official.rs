//! Which ATT&CK release files are MITRE's, byte for byte: the SHA-256 of every official file
//! atkmap knows, so a bundle found by name (a project's `attack-data/`, a data directory, the
//! cache, a download) cannot be substituted by a pull request.
//!
//! The table holds the releases whose files were at hand when it was written (MITRE publishes
//! no hashes: each was computed from the file as downloaded from MITRE's attack-stix-data
//! repository). A release not in the table loads, marked unverified; add its hash here when a
//! release is adopted (`sha256sum enterprise-attack-X.Y.json`).

/// An official release file and its SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficialRelease {
    /// The ATT&CK domain: `enterprise`, `mobile` or `ics`.
    pub domain: &'static str,
    /// The release version, as the bundle's collection states it (`18.1`).
    pub version: &'static str,
    /// SHA-256 of MITRE's file, lower-case hex (compared case-insensitively).
    pub sha256: &'static str,
}

/// Every official release file atkmap can verify.
pub const OFFICIAL_RELEASES: [OfficialRelease; 3] = [
    OfficialRelease {
        domain: "enterprise",
        version: "18.1",
        sha256: "f551bbd1cf03fc8595ec324a73d5084889e5881f5911509bdfe6ae15a471eeb2",
    },
    OfficialRelease {
        domain: "enterprise",
        version: "17.1",
        sha256: "775d61fe66c281d2dfd75cb9c6f71bbbcab805290b20325d1676f63c699cc40e",
    },
    OfficialRelease {
        domain: "ics",
        version: "18.1",
        sha256: "a7c0106492843485340710be9e841c1584d8fc6da8950e7097db0e7b5bc9f164",
    },
];

/// What atkmap can say about where a bundle comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    /// MITRE's file for the release it holds.
    Official,
    /// It says it is a release atkmap knows, and it is not MITRE's file for it.
    Altered {
        /// The SHA-256 of MITRE's file for that release, lower-case hex.
        expected: &'static str,
    },
    /// A release atkmap has no hash for (or a bundle that names no version).
    Unverified,
}

/// The provenance of a bundle holding `domain` `version` whose SHA-256 is `sha256`.
pub fn provenance(domain: &str, version: &str, sha256: &str) -> Provenance {
    match OFFICIAL_RELEASES
        .iter()
        .find(|r| r.domain == domain && r.version == version)
    {
        Some(r) if r.sha256.eq_ignore_ascii_case(sha256) => Provenance::Official,
        Some(r) => Provenance::Altered { expected: r.sha256 },
        None => Provenance::Unverified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_releases_are_recognised_by_content() {
        let r = OFFICIAL_RELEASES[0];
        assert_eq!(
            provenance(r.domain, r.version, r.sha256),
            Provenance::Official
        );
        assert_eq!(
            provenance(r.domain, r.version, &"0".repeat(64)),
            Provenance::Altered { expected: r.sha256 }
        );
        assert_eq!(
            provenance("enterprise", "99.1", r.sha256),
            Provenance::Unverified
        );
    }
}
