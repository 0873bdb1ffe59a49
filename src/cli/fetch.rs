//! Downloading official ATT&CK releases into the user cache.

use std::path::PathBuf;

use super::failure::Failure;

/// Downloads a release (the newest when `version` is `None`) and returns the cached file.
pub fn fetch_release(domain: &str, version: Option<&str>) -> Result<PathBuf, Failure> {
    Err(Failure::new(format!(
        "downloading ATT&CK {domain} {} is not implemented yet",
        version.unwrap_or("latest")
    )))
}
