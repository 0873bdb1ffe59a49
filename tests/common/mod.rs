//! Shared helpers for the integration tests: the real binary and the real ATT&CK bundles.
#![allow(dead_code)]

use std::path::PathBuf;

/// The directory holding MITRE's bundles (`ATKMAP_DATA_DIR`, as `.ci/run` sets it).
///
/// Tests that need the full bundles call this. When the data is missing they fail, so a
/// fresh clone without MITRE's bundles, or CI with a wrong path, can never pass silently;
/// only an explicit `ATKMAP_SKIP_DATA=1` makes them return `None` (saying so on stderr).
pub fn data_dir() -> Option<PathBuf> {
    // Absolute, so that tests running atkmap in another directory find it too (the README's
    // test command passes a relative path).
    let dir = std::env::var_os("ATKMAP_DATA_DIR")
        .map(PathBuf::from)
        .map(|d| std::path::absolute(&d).unwrap_or(d));
    match dir {
        Some(d) if d.join("enterprise-attack-18.1.json").is_file() => Some(d),
        _ => {
            if std::env::var_os("ATKMAP_SKIP_DATA").is_none() {
                panic!(
                    "ATKMAP_DATA_DIR ({dir:?}) holds no enterprise-attack-18.1.json: the tests \
                     that need MITRE's bundles cannot run. Point ATKMAP_DATA_DIR at the \
                     directory of the bundles (README, Set-up), or set ATKMAP_SKIP_DATA=1 to \
                     skip them knowingly"
                );
            }
            eprintln!("skipping (ATKMAP_SKIP_DATA): ATKMAP_DATA_DIR does not hold MITRE's bundles");
            None
        }
    }
}

/// One bundle file from the data directory.
pub fn bundle(name: &str) -> Option<PathBuf> {
    let path = data_dir()?.join(name);
    assert!(path.is_file(), "{} is missing", path.display());
    Some(path)
}

/// The atkmap binary, isolated from the user's cache and the project's `attack-data/`.
///
/// Each test process gets a cache directory of its own: the parsed-release cache makes the
/// many runs on the 50 MB bundles fast, and a fresh directory per run keeps notes about stale
/// caches from other builds out of the output tests compare.
pub fn atkmap() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("atkmap").expect("the atkmap binary is built");
    let isolated = std::env::temp_dir().join(format!("atkmap-tests-cache-{}", std::process::id()));
    cmd.env("ATKMAP_CACHE_DIR", isolated)
        .env("ATKMAP_OFFLINE", "1")
        .env("NO_COLOR", "1")
        .env_remove("ATKMAP_DATA_DIR");
    cmd
}

/// The repository's root, for fixtures and models.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
