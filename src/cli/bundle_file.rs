//! ATT&CK bundle files: where the user cache keeps them, how large one may be, reading one
//! (parsed while its SHA-256 is computed), and how to supply one by hand.

use std::path::{Path, PathBuf};

use atkmap::attack::release_name::ReleaseName;
use atkmap::attack::{KnowledgeBase, load_bundle};

use super::failure::Failure;

/// Largest bundle file atkmap reads (512 MiB, ten times the largest official release); the
/// number of objects a bundle may hold is bounded by it.
pub const MAX_BUNDLE_BYTES: u64 = 512 * 1024 * 1024;

/// The user cache directory for atkmap (`ATKMAP_CACHE_DIR` overrides it, for tests and CI).
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("ATKMAP_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    dirs::cache_dir().map(|d| d.join("atkmap"))
}

/// Where downloaded releases are kept.
pub fn cached_releases_dir() -> Option<PathBuf> {
    cache_dir().map(|d| d.join("attack-data"))
}

/// How to put a release file in place by hand.
pub fn manual_supply_hint(domain: &str, version: Option<&str>) -> String {
    let name = ReleaseName {
        domain: domain.to_string(),
        version: version.map(str::to_string),
    }
    .file_name();
    format!(
        "download {name} from MITRE's attack-stix-data repository and pass it with --attack FILE, \
         or put it in a directory named by --data-dir or ATKMAP_DATA_DIR"
    )
}

/// Reads and parses one bundle file, and its SHA-256 (computed on a second thread meanwhile).
pub fn load_file_hashed(path: &Path) -> Result<(KnowledgeBase, String), Failure> {
    let bytes = super::bulk_read::read_regular(path, MAX_BUNDLE_BYTES).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::FileTooLarge {
            "official releases are about 50 MB; is this an ATT&CK bundle?"
        } else {
            "pass an official ATT&CK STIX 2.1 bundle with --attack FILE"
        };
        Failure::io("read ATT&CK bundle", path, &e).hint(hint)
    })?;
    let (parsed, sha256) = std::thread::scope(|scope| {
        let hasher = scope.spawn(|| sha256_hex(&bytes));
        let parsed = load_bundle(&bytes);
        let sha256 = hasher.join().unwrap_or_else(|_| sha256_hex(&bytes));
        (parsed, sha256)
    });
    let kb = parsed.map_err(|e| {
        Failure::new(format!("{}: {e}", path.display()))
            .hint("atkmap reads MITRE's ATT&CK STIX 2.1 bundles (enterprise-attack-18.1.json)")
    })?;
    Ok((kb, sha256))
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
