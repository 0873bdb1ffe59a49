//! The parsed-release cache on disk: later runs load a compact binary index instead of
//! parsing 50 MB of JSON.
//!
//! Files live in `<user cache>/index/`: `kb-<atkmap version>-<bundle SHA-256>.bin` holds the
//! knowledge base (see [`atkmap::attack::cache`] for the checked format), keyed by the bundle's
//! content hash and atkmap's version. Hashing 50 MB on every run would cost more than the cache
//! saves (35 ms with SHA-NI plus the read, against a 31 ms cached run), so a small stamp file
//! maps the bundle's identity on disk (canonical path, size, modification time, inode, and the
//! inode's change time, which an edit in place moves even when it restores size and mtime) to
//! its content hash; any change to the file changes the stamp and the bundle is hashed and
//! parsed again. Whoever can write the cache directory can forge any of it: the cache is the
//! user's, like the binary. A cache file that fails any check is reported on
//! stderr, rebuilt and replaced; a cache that cannot be written is silently skipped.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use atkmap::attack::KnowledgeBase;
use atkmap::attack::cache::{decode, encode};

use super::bundle_file::load_file_hashed;
use super::failure::Failure;
use super::output::{print_stderr, write_atomically};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The stamp of a bundle file: its identity on disk, hashed.
fn stamp(path: &Path) -> Option<String> {
    let canonical = std::fs::canonicalize(path).ok()?;
    let meta = std::fs::metadata(&canonical).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    // The inode's change time too: an edit in place that restores the size and the
    // modification time (`touch -r`) still moves it, and no user-space call sets it.
    #[cfg(unix)]
    let (inode, changed) = {
        use std::os::unix::fs::MetadataExt;
        (meta.ino(), (meta.ctime(), meta.ctime_nsec()))
    };
    #[cfg(not(unix))]
    let (inode, changed) = (0u64, (0i64, 0i64));
    let identity = format!(
        "{}\0{}\0{modified}\0{inode}\0{changed:?}\0{}",
        canonical.display(),
        meta.len(),
        env!("CARGO_PKG_VERSION")
    );
    Some(hex(&Sha256::digest(identity.as_bytes())))
}

fn index_file(dir: &Path, bundle_sha256: &str) -> PathBuf {
    dir.join(format!(
        "kb-{}-{bundle_sha256}.bin",
        env!("CARGO_PKG_VERSION")
    ))
}

/// Loads a bundle through the cache in `dir`; returns the knowledge base and the bundle's
/// SHA-256 (always known on this path).
pub fn load(path: &Path, dir: &Path) -> Result<(KnowledgeBase, String), Failure> {
    let stamp = stamp(path);
    let stamp_file = stamp.as_ref().map(|s| dir.join("stamps").join(s));
    let known_hash = stamp_file
        .as_ref()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|t| unhex(&t));
    if let Some(sha) = known_hash {
        let file = index_file(dir, &hex(&sha));
        if let Ok(bytes) = std::fs::read(&file) {
            match decode(&bytes, &sha) {
                Ok(kb) => return Ok((kb, hex(&sha))),
                Err(e) => print_stderr(&format!(
                    "note: the cached index {} is {e}; rebuilding it\n",
                    file.display()
                )),
            }
        }
    }
    let (kb, sha_hex) = load_file_hashed(path)?;
    if let Some(sha) = unhex(&sha_hex) {
        store(dir, &kb, &sha, &sha_hex, stamp_file.as_deref());
    }
    Ok((kb, sha_hex))
}

/// Writes the index and the stamp; failures only mean the next run parses again.
fn store(dir: &Path, kb: &KnowledgeBase, sha: &[u8; 32], sha_hex: &str, stamp_file: Option<&Path>) {
    let Ok(bytes) = encode(kb, sha) else {
        return;
    };
    if std::fs::create_dir_all(dir.join("stamps")).is_err() {
        return;
    }
    if write_atomically(&index_file(dir, sha_hex), &bytes).is_err() {
        return;
    }
    if let Some(stamp_file) = stamp_file {
        let _ = write_atomically(stamp_file, sha_hex.as_bytes());
    }
}
