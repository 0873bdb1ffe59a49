//! Identities and addresses in the SARIF log: artifact URIs, fingerprints, GUIDs, ATT&CK pages.

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};

/// The names the log gives its fingerprint, taxonomy and source root.
pub(super) const FINGERPRINT: &str = "atkmapFinding/v1";
pub(super) const TAXONOMY: &str = "MITRE ATT&CK";
pub(super) const SRCROOT: &str = "%SRCROOT%";

/// A model path as a SARIF URI, and whether it is relative to `%SRCROOT%`: forward slashes, no
/// leading `./`, percent-encoded; absolute paths become `file://` URIs.
pub fn artifact_uri(path: &str) -> (String, bool) {
    let mut path = path.replace('\\', "/");
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_string();
    }
    let bytes = path.as_bytes();
    let drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if path.starts_with('/') || drive {
        let path = if drive { format!("/{path}") } else { path };
        // Keep the drive's `:` (legal in a path segment of an absolute URI).
        (format!("file://{}", encode(&path, true)), false)
    } else {
        (encode(&path, false), true)
    }
}

/// What a URI path keeps as written (RFC 3986 `pchar` and `/`, less `:`): unreserved
/// characters, sub-delimiters, `@` and `/`; everything else is percent-encoded.
const PATH_ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@');
/// [`PATH_ENCODED`] keeping `:` too (absolute paths: a drive letter's colon).
const PATH_ENCODED_BUT_COLON: &AsciiSet = &PATH_ENCODED.remove(b':');

/// Percent-encodes what may not appear in a URI path; `:` only where `colon` allows it (in a
/// relative reference a `:` in the first segment would read as a scheme).
fn encode(path: &str, colon: bool) -> String {
    let set = if colon {
        PATH_ENCODED_BUT_COLON
    } else {
        PATH_ENCODED
    };
    utf8_percent_encode(path, set).to_string()
}

/// The line-independent identity of a finding: SHA-256 (hex) of `model-uri|system|technique`.
pub fn fingerprint(model_uri: &str, system: &str, technique: &str) -> String {
    hex(&Sha256::digest(
        format!("{model_uri}|{system}|{technique}").as_bytes(),
    ))
}

/// A fingerprint in GUID form (its first 128 bits, marked as a name-based version 5 GUID so it
/// fits SARIF's GUID pattern).
pub fn guid(fingerprint: &str) -> String {
    let mut digits: Vec<char> = fingerprint.chars().take(32).collect();
    digits.resize(32, '0');
    digits[12] = '5';
    let variant = digits[16].to_digit(16).unwrap_or(0);
    digits[16] = char::from_digit(8 | (variant & 3), 16).unwrap_or('8');
    let text: String = digits.into_iter().collect();
    format!(
        "{}-{}-{}-{}-{}",
        &text[0..8],
        &text[8..12],
        &text[12..16],
        &text[16..20],
        &text[20..32]
    )
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The file name of a path.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references_or_file_uris() {
        assert_eq!(
            artifact_uri("./models\\my model.yaml"),
            ("models/my%20model.yaml".to_string(), true)
        );
        assert_eq!(
            artifact_uri("C:\\work\\m.yaml"),
            ("file:///C:/work/m.yaml".to_string(), false)
        );
        assert_eq!(artifact_uri("a:b.yaml"), ("a%3Ab.yaml".to_string(), true));
    }

    /// The hand-written encoder the crate replaced, as the reference for what stays as written.
    fn encoded_by_hand(path: &str, colon: bool) -> String {
        let mut out = String::new();
        for b in path.bytes() {
            let keep = b.is_ascii_alphanumeric()
                || b"-._~/!$&'()*+,;=@".contains(&b)
                || (colon && b == b':');
            if keep {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    #[test]
    fn the_crate_encodes_every_byte_as_before() {
        let every_ascii: String = (0u8..128).map(char::from).collect();
        for text in [
            every_ascii.as_str(),
            "modèles/ñ 模型.yaml",
            "a%2Fb?c#d[e]f{g}|h",
        ] {
            for colon in [false, true] {
                assert_eq!(
                    encode(text, colon),
                    encoded_by_hand(text, colon),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn guids_are_version_5() {
        let g = guid(&fingerprint("m.yaml", "s", "T1078"));
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "5");
        assert!("89ab".contains(&g[19..20]));
    }
}
