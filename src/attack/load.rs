//! Turning the bytes of a STIX bundle into a [`KnowledgeBase`].
//!
//! Reading is here; indexing the decoded objects is [`super::build`].

use super::build::Builder;
use super::knowledge::KnowledgeBase;
use super::one_pass;
use super::stix::{MODELLED_TYPES, RawBundle, RawObject, RawType};

/// Why a bundle could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not valid JSON, or an object of a modelled type does not have the shape
    /// STIX gives it.
    #[error("not valid STIX JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line of the error in the file.
        line: usize,
        /// 1-based column of the error in its line, in bytes.
        column: usize,
        /// serde_json's message, without the position it appends.
        message: String,
    },
    /// The file is JSON but no STIX bundle: its top-level `type` is not `bundle`.
    #[error("not a STIX bundle: the top-level \"type\" is {found:?}, expected \"bundle\"")]
    NotABundle {
        /// The top-level `type` the file has instead (`report`).
        found: String,
    },
    /// The bundle has no `objects` array.
    #[error("the bundle has no \"objects\" array")]
    NoObjects,
    /// The bundle parsed but holds no techniques (`attack-pattern`): not an ATT&CK
    /// release.
    #[error("the bundle holds no ATT&CK techniques: is this an ATT&CK release?")]
    NoTechniques,
}

impl From<serde_json::Error> for LoadError {
    fn from(e: serde_json::Error) -> Self {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the position is reported separately.
        let message = match message.rfind(" at line ") {
            Some(cut) => message[..cut].to_string(),
            None => message,
        };
        LoadError::Json {
            line: e.line(),
            column: e.column(),
            message,
        }
    }
}

/// An error inside one object, placed in the whole file: serde_json counts lines and columns
/// from the start of the object's own text.
fn located(file: &[u8], raw: &serde_json::value::RawValue, e: serde_json::Error) -> LoadError {
    let start = (raw.get().as_ptr() as usize)
        .saturating_sub(file.as_ptr() as usize)
        .min(file.len());
    let before = &file[..start];
    let line_before = before.iter().filter(|&&b| b == b'\n').count();
    let column_before = before.len()
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
    let LoadError::Json {
        line,
        column,
        message,
    } = LoadError::from(e)
    else {
        return LoadError::from(serde_json::Error::io(std::io::Error::other(
            "unreadable object",
        )));
    };
    LoadError::Json {
        line: line_before + line,
        column: if line == 1 {
            column_before + column
        } else {
            column
        },
        message,
    }
}

/// Parses and indexes a bundle.
///
/// A well-formed bundle is read in one pass, each object decoded as the parser meets it. If
/// that fails, the bundle is read again object by object: an object of a type atkmap does not
/// model is then skipped even if its fields clash with modelled names, and an error is placed
/// at its line and column in the file.
pub fn load_bundle(bytes: &[u8]) -> Result<KnowledgeBase, LoadError> {
    let builder = match read_in_one_pass(bytes) {
        Ok(builder) => builder,
        Err(_) => read_object_by_object(bytes)?,
    };
    let kb = builder.finish();
    if kb.techniques.is_empty() {
        return Err(LoadError::NoTechniques);
    }
    Ok(kb)
}

/// The fast path: one pass, on both cores ([`super::one_pass`]).
fn read_in_one_pass(bytes: &[u8]) -> Result<Builder<'_>, one_pass::GaveUp> {
    // One UTF-8 check of the whole file is cheaper than serde_json checking each of the
    // million strings it borrows (9% of the load's instructions, measured with callgrind).
    let text = std::str::from_utf8(bytes).map_err(|_| one_pass::GaveUp)?;
    one_pass::read(text)
}

/// The careful path: objects kept as raw JSON until their type is known.
fn read_object_by_object(bytes: &[u8]) -> Result<Builder<'_>, LoadError> {
    let bundle: RawBundle = serde_json::from_slice(bytes)?;
    if bundle.kind != "bundle" {
        return Err(LoadError::NotABundle {
            found: bundle.kind.into_owned(),
        });
    }
    let raw_objects = bundle.objects.ok_or(LoadError::NoObjects)?;
    let mut builder = Builder::default();
    for raw in raw_objects {
        match serde_json::from_str::<RawObject>(raw.get()) {
            Ok(object) => builder.accept(object),
            // A field of an unmodelled type may clash with a modelled name: skip that
            // object; in a modelled type it is an error in the bundle.
            Err(e) => {
                let kind: RawType =
                    serde_json::from_str(raw.get()).map_err(|_| located(bytes, raw, e))?;
                if MODELLED_TYPES.contains(&kind.kind.as_ref()) {
                    return Err(match serde_json::from_str::<RawObject>(raw.get()) {
                        Err(e) => located(bytes, raw, e),
                        Ok(_) => LoadError::NoObjects,
                    });
                }
            }
        }
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::canonical_kb;

    /// Both readers, indexed and serialised with every map in key order: they must agree.
    fn both_ways(bytes: &[u8]) -> (String, String) {
        let fast = read_in_one_pass(bytes).expect("one pass reads it").finish();
        let careful = read_object_by_object(bytes)
            .expect("object by object reads it")
            .finish();
        (canonical_kb(&fast), canonical_kb(&careful))
    }

    #[test]
    fn one_pass_and_object_by_object_agree_on_the_synthetic_release() {
        let bundle = crate::testing::bundle_json();
        let (fast, careful) = both_ways(bundle.as_bytes());
        assert!(fast.len() > 1000);
        assert_eq!(fast, careful);
    }

    /// MITRE's bundles from the data directory (missing: a failure, as in the integration
    /// tests, unless `ATKMAP_SKIP_DATA` is set).
    #[test]
    fn one_pass_and_object_by_object_agree_on_mitre_bundles() {
        let dirs: Vec<std::path::PathBuf> = std::env::var_os("ATKMAP_DATA_DIR")
            .map(|list| std::env::split_paths(&list).collect())
            .unwrap_or_default();
        let names = [
            "enterprise-attack-18.1.json",
            "enterprise-attack-17.1.json",
            "ics-attack-18.1.json",
        ];
        let Some(dir) = dirs.into_iter().find(|d| d.join(names[0]).is_file()) else {
            assert!(
                std::env::var_os("ATKMAP_SKIP_DATA").is_some(),
                "ATKMAP_DATA_DIR holds no bundles (set ATKMAP_SKIP_DATA=1 to skip knowingly)"
            );
            return;
        };
        for name in names {
            let bytes = std::fs::read(dir.join(name)).expect("bundle readable");
            let (fast, careful) = both_ways(&bytes);
            assert_eq!(fast, careful, "{name}");
        }
    }

    /// Differential check of the two readers on damaged bundles: whenever the fast reader
    /// accepts an input, the careful one must accept it too and build the same knowledge base.
    #[test]
    fn the_fast_reader_never_accepts_what_the_careful_one_reads_differently() {
        let bundle = crate::testing::bundle_json();
        let bytes = bundle.as_bytes();
        let tokens: [&[u8]; 8] = [b",", b"{", b"}", b"]", b"\"", b"\"type\":", b"null", b" "];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound.max(1) as u64) as usize
        };
        let (mut accepted, mut rejected) = (0, 0);
        for _ in 0..1500 {
            let mut input = bytes.to_vec();
            for _ in 0..1 + next(3) {
                let at = next(input.len());
                match next(3) {
                    0 => {
                        input.remove(at.min(input.len() - 1));
                    }
                    1 => {
                        let token = tokens[next(tokens.len())];
                        input.splice(at..at, token.iter().copied());
                    }
                    _ => {
                        let end = (at + next(40)).min(input.len());
                        let span = input[at..end].to_vec();
                        input.splice(at..at, span);
                    }
                }
            }
            let Ok(text) = std::str::from_utf8(&input) else {
                continue;
            };
            let Ok(fast) = one_pass::read_splitting_at(text, Some(next(text.len()))) else {
                rejected += 1;
                continue;
            };
            let careful = read_object_by_object(&input)
                .unwrap_or_else(|e| panic!("careful reader refused what the fast one read: {e}"));
            assert_eq!(
                canonical_kb(&fast.finish()),
                canonical_kb(&careful.finish())
            );
            accepted += 1;
        }
        assert!(
            accepted > 100 && rejected > 100,
            "{accepted} accepted, {rejected} rejected"
        );
    }

    #[test]
    fn an_unmodelled_object_with_a_clashing_field_falls_back_and_is_skipped() {
        let bundle = crate::testing::bundle_json().replacen(
            "\"objects\":[",
            "\"objects\":[{\"type\":\"x-vendor-thing\",\"id\":\"x-vendor-thing--1\",\"name\":42},",
            1,
        );
        assert!(read_in_one_pass(bundle.as_bytes()).is_err());
        let kb = load_bundle(bundle.as_bytes()).expect("the odd object is skipped");
        assert!(!kb.techniques.is_empty());
    }

    #[test]
    fn a_clashing_field_in_a_modelled_type_is_placed_in_the_file() {
        let bundle = crate::testing::bundle_json().replacen(
            "\"objects\":[",
            "\"objects\":[\n{\"type\":\"attack-pattern\",\"id\":\"attack-pattern--1\",\"name\":42},",
            1,
        );
        match load_bundle(bundle.as_bytes()) {
            Err(LoadError::Json { line, message, .. }) => {
                assert_eq!(line, 2);
                assert!(message.contains("invalid type"), "{message}");
            }
            other => panic!("expected a placed JSON error, got {other:?}"),
        }
    }

    #[test]
    fn the_top_level_is_checked_on_both_paths() {
        let not_bundle = r#"{"type":"report","objects":[]}"#;
        assert!(matches!(
            load_bundle(not_bundle.as_bytes()),
            Err(LoadError::NotABundle { found }) if found == "report"
        ));
        let twice = crate::testing::bundle_json().replacen("{", "{\"objects\":[],", 1);
        assert!(read_in_one_pass(twice.as_bytes()).is_err());
        assert!(load_bundle(twice.as_bytes()).is_err());
        let no_objects = r#"{"type":"bundle","id":"bundle--1"}"#;
        assert!(matches!(
            load_bundle(no_objects.as_bytes()),
            Err(LoadError::NoObjects)
        ));
    }
}
