//! The parsed-release cache: used when valid, rebuilt when corrupt, truncated or foreign,
//! invalidated when the bundle changes, bypassed by --no-cache.

use crate::common;

use std::path::{Path, PathBuf};

fn mini() -> PathBuf {
    common::repo().join("tests/fixtures/stix/mini-enterprise.json")
}

fn run(cache: &Path, bundle: &Path, extra: &[&str]) -> std::process::Output {
    common::atkmap()
        .env("ATKMAP_CACHE_DIR", cache)
        .env_remove("ATKMAP_NO_CACHE")
        .arg("--attack")
        .arg(bundle)
        .args(extra)
        .args(["attack", "stats", "--format", "json"])
        .output()
        .expect("atkmap runs")
}

fn index_files(cache: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(cache.join("index"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "bin"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_cache_is_written_then_used_and_gives_the_same_answers() {
    let cache = tempfile::tempdir().expect("tempdir");
    let first = run(cache.path(), &mini(), &[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let files = index_files(cache.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let written = std::fs::metadata(&files[0])
        .and_then(|m| m.modified())
        .expect("mtime");
    let second = run(cache.path(), &mini(), &[]);
    assert_eq!(first.stdout, second.stdout);
    assert!(
        second.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let unchanged = std::fs::metadata(&files[0])
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(written, unchanged, "a valid cache is read, not rewritten");
    let bypass = run(cache.path(), &mini(), &["--no-cache"]);
    assert_eq!(first.stdout, bypass.stdout);
}

#[test]
fn no_cache_writes_nothing() {
    let cache = tempfile::tempdir().expect("tempdir");
    assert!(run(cache.path(), &mini(), &["--no-cache"]).status.success());
    assert!(index_files(cache.path()).is_empty());
}

#[test]
fn damaged_cache_files_are_detected_and_rebuilt() {
    let cache = tempfile::tempdir().expect("tempdir");
    let good = run(cache.path(), &mini(), &[]);
    let file = index_files(cache.path()).pop().expect("an index file");
    let original = std::fs::read(&file).expect("read");
    let mut flipped = original.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x5a;
    let damages: Vec<(&str, Vec<u8>)> = vec![
        ("corrupt", flipped),
        ("truncated", original[..original.len() / 3].to_vec()),
        (
            "foreign",
            b"{\"type\": \"bundle\", \"objects\": []}".to_vec(),
        ),
        ("empty", Vec::new()),
    ];
    for (what, bytes) in damages {
        std::fs::write(&file, &bytes).expect("damage the cache");
        let out = run(cache.path(), &mini(), &[]);
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            out.stdout, good.stdout,
            "{what}: the answer comes from the bundle"
        );
        if !bytes.is_empty() {
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("rebuilding"),
                "{what}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // Rebuilt: the next run reads it silently (maps serialise in any order, so the bytes
        // may differ from the first file's).
        let again = run(cache.path(), &mini(), &[]);
        assert!(
            again.stderr.is_empty(),
            "{what}: {}",
            String::from_utf8_lossy(&again.stderr)
        );
        assert_eq!(again.stdout, good.stdout, "{what}");
    }
}

#[test]
fn a_changed_bundle_is_parsed_again() {
    let cache = tempfile::tempdir().expect("tempdir");
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = dir.path().join("enterprise-attack-99.0.json");
    let text = std::fs::read_to_string(mini()).expect("fixture");
    std::fs::write(&bundle, &text).expect("write");
    let before: serde_json::Value =
        serde_json::from_slice(&run(cache.path(), &bundle, &[]).stdout).expect("json");
    // Same path, new content: the collection's version changes.
    std::fs::write(&bundle, text.replace("\"99.0\"", "\"99.5\"")).expect("rewrite");
    let after: serde_json::Value =
        serde_json::from_slice(&run(cache.path(), &bundle, &[]).stdout).expect("json");
    assert_eq!(before["version"], "99.0");
    assert_eq!(after["version"], "99.5");
    assert_eq!(index_files(cache.path()).len(), 2);
}

/// The bundle edited in place at the same size with its modification time put back (`touch
/// -r`): the stamp also holds the inode's change time, which no user-space call restores, so the
/// edit is seen.
#[test]
fn an_edit_in_place_that_restores_size_and_mtime_is_seen() {
    let cache = tempfile::tempdir().expect("tempdir");
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = dir.path().join("bundle.json");
    let text = std::fs::read_to_string(mini()).expect("fixture");
    std::fs::write(&bundle, &text).expect("write");
    let mtime = std::fs::metadata(&bundle)
        .and_then(|m| m.modified())
        .expect("mtime");
    let before: serde_json::Value =
        serde_json::from_slice(&run(cache.path(), &bundle, &[]).stdout).expect("json");
    // The change time has a coarse clock on some file systems: let it move.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let edited = text.replace("\"99.0\"", "\"99.5\"");
    assert_eq!(edited.len(), text.len());
    std::fs::write(&bundle, edited).expect("rewrite");
    std::fs::File::options()
        .write(true)
        .open(&bundle)
        .and_then(|f| f.set_modified(mtime))
        .expect("restore the mtime");
    assert_eq!(
        std::fs::metadata(&bundle).and_then(|m| m.modified()).ok(),
        Some(mtime)
    );
    let after: serde_json::Value =
        serde_json::from_slice(&run(cache.path(), &bundle, &[]).stdout).expect("json");
    assert_eq!(before["version"], "99.0");
    assert_eq!(after["version"], "99.5");
}
