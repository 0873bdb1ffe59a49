//! The fast way to read a well-formed bundle: one pass, on two cores.
//!
//! The top level of the bundle is walked by hand so that the `objects` array can be read
//! element by element, each element decoded by serde_json straight into a [`RawObject`]. A
//! large array is split in two: a second thread starts decoding at a guessed element start
//! past 60% of the file (a `{` after a comma, opening an object whose first key is `"type"`) while
//! this thread decodes from the beginning. The guess is only trusted if this thread, walking
//! the real element boundaries, lands exactly on it; then both halves decoded the same bytes
//! the same way, since an array element parses the same wherever the parse starts. A wrong
//! guess (inside a string, a nested object) is never landed on, and the second thread's work
//! is discarded.
//!
//! Anything unexpected is an error here; the caller then reads the bundle the careful way,
//! which tolerates odd objects and places errors in the file.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::build::Builder;
use super::stix::RawObject;

/// Arrays smaller than this are decoded by one thread.
const SPLIT_ABOVE_BYTES: usize = 1 << 20;

/// Where in the file the second thread starts, in percent. Not the middle: this thread also
/// indexes every object, and a report hashes the bundle on a third thread that shares the
/// other core. hyperfine (`report --format json --no-cache`, 30-40 runs each) measured 50%:
/// 154-160 ms, 55%: 146 ms, 60%: 141-144 ms, 65%: 144 ms, 70%: 147 ms.
const SPLIT_PERCENT: usize = 60;

/// Why the fast path gave up; the careful path says why to the user.
#[derive(Debug)]
pub struct GaveUp;

impl From<serde_json::Error> for GaveUp {
    fn from(_: serde_json::Error) -> Self {
        GaveUp
    }
}

/// Reads the bundle; `Ok` only for a JSON object with `"type": "bundle"` and an `objects` array.
pub fn read(text: &str) -> Result<Builder<'_>, GaveUp> {
    read_splitting_at(text, split_point(text))
}

/// As [`read`], with the second thread starting at `split` (tests choose it).
pub fn read_splitting_at(text: &str, split: Option<usize>) -> Result<Builder<'_>, GaveUp> {
    let mut builder = Builder::default();
    let mut cursor = Cursor { text, pos: 0 };
    let (mut kind, mut objects_seen) = (None, false);
    cursor.expect(b'{')?;
    if !cursor.eat(b'}') {
        loop {
            let key: Text = cursor.value()?;
            cursor.expect(b':')?;
            match key.0.as_ref() {
                "type" if kind.is_none() => kind = Some(cursor.value::<Text>()?.0),
                "objects" if !objects_seen => {
                    objects_seen = true;
                    cursor.expect(b'[')?;
                    cursor.pos = read_objects(text, cursor.pos, split, &mut builder)?;
                }
                "type" | "objects" => return Err(GaveUp),
                _ => {
                    cursor.value::<IgnoredAny>()?;
                }
            }
            if cursor.eat(b'}') {
                break;
            }
            cursor.expect(b',')?;
        }
    }
    cursor.skip_whitespace();
    let complete = cursor.pos == text.len();
    match kind {
        Some(kind) if kind == "bundle" && objects_seen && complete => Ok(builder),
        _ => Err(GaveUp),
    }
}

/// A string borrowed from the bundle where it has no escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

/// Reads the elements of the `objects` array from `start` (just after its `[`) into the
/// builder, in order; returns the position after the closing `]`.
#[allow(
    clippy::disallowed_methods,
    reason = "a large bundle's two parts are decoded on two threads (see SPLIT_PERCENT); scoped and joined here"
)]
fn read_objects<'a>(
    text: &'a str,
    start: usize,
    split: Option<usize>,
    builder: &mut Builder<'a>,
) -> Result<usize, GaveUp> {
    let Some(split) = split.filter(|&s| s > start) else {
        return walk(text, start, true, None, &mut |o| builder.accept(o)).map(|(end, _)| end);
    };
    std::thread::scope(|scope| {
        let second_half = scope.spawn(|| {
            let mut objects = Vec::new();
            walk(text, split, false, None, &mut |o| objects.push(o)).map(|(end, _)| (end, objects))
        });
        let (end, landed) = walk(text, start, true, Some(split), &mut |o| builder.accept(o))?;
        let second_half = second_half.join().unwrap_or(Err(GaveUp));
        match (landed, second_half) {
            (true, Ok((end, objects))) => {
                for object in objects {
                    builder.accept(object);
                }
                Ok(end)
            }
            // The guess was a real element start but the rest failed: this thread meets the
            // same failure, or finds the array fine after all.
            (true, Err(GaveUp)) => {
                walk(text, split, false, None, &mut |o| builder.accept(o)).map(|(end, _)| end)
            }
            (false, _) => Ok(end),
        }
    })
}

/// Decodes array elements from `pos` and hands each to `accept`. `may_be_empty` allows `]`
/// first. Stops before decoding an element that starts exactly at `stop`, returning
/// `(stop, true)`; otherwise returns the position after `]` and `false`.
fn walk<'a>(
    text: &'a str,
    pos: usize,
    may_be_empty: bool,
    stop: Option<usize>,
    accept: &mut dyn FnMut(RawObject<'a>),
) -> Result<(usize, bool), GaveUp> {
    let mut cursor = Cursor { text, pos };
    if may_be_empty && cursor.eat(b']') {
        return Ok((cursor.pos, false));
    }
    loop {
        cursor.skip_whitespace();
        if Some(cursor.pos) == stop {
            return Ok((cursor.pos, true));
        }
        accept(cursor.value::<RawObject>()?);
        if cursor.eat(b']') {
            return Ok((cursor.pos, false));
        }
        cursor.expect(b',')?;
    }
}

/// Where the second thread starts: the first likely element start past [`SPLIT_PERCENT`].
fn split_point(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.len() < SPLIT_ABOVE_BYTES {
        return None;
    }
    let mut from = bytes.len() / 100 * SPLIT_PERCENT;
    while let Some(offset) = bytes[from..].iter().position(|&b| b == b'{') {
        let at = from + offset;
        let before = bytes[..at].iter().rev().find(|b| !b.is_ascii_whitespace());
        let after = bytes[at + 1..]
            .iter()
            .position(|b| !b.is_ascii_whitespace());
        let opens_typed_object =
            after.is_some_and(|a| bytes[at + 1 + a..].starts_with(b"\"type\""));
        if before == Some(&b',') && opens_typed_object {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// A position in the bundle text, moved over JSON punctuation by hand and over values by
/// serde_json.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn skip_whitespace(&mut self) {
        let rest = &self.text.as_bytes()[self.pos.min(self.text.len())..];
        self.pos += rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
            .unwrap_or(rest.len());
    }

    /// Skips whitespace, then `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_whitespace();
        let found = self.text.as_bytes().get(self.pos) == Some(&byte);
        self.pos += usize::from(found);
        found
    }

    fn expect(&mut self, byte: u8) -> Result<(), GaveUp> {
        if self.eat(byte) { Ok(()) } else { Err(GaveUp) }
    }

    /// Decodes one JSON value starting here (after whitespace).
    fn value<T: Deserialize<'a>>(&mut self) -> Result<T, GaveUp> {
        self.skip_whitespace();
        let rest = self.text.get(self.pos..).ok_or(GaveUp)?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<T>();
        let value = values.next().ok_or(GaveUp)??;
        self.pos += values.byte_offset();
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::canonical_kb as canonical;

    /// A wrong guess anywhere (inside strings, keys, nested objects, whitespace) must give the
    /// same knowledge base as no guess at all.
    #[test]
    fn every_split_point_gives_the_same_knowledge_base() {
        let bundle = crate::testing::bundle_json();
        let expected = canonical(&read_splitting_at(&bundle, None).expect("reads").finish());
        let mut landed = 0;
        for split in (0..bundle.len()).step_by(7) {
            let kb = read_splitting_at(&bundle, Some(split))
                .expect("reads")
                .finish();
            assert_eq!(canonical(&kb), expected, "split at {split}");
            let starts_element = bundle[..split].trim_end().ends_with([',', '['])
                && bundle[split..].starts_with("{\"type\"");
            landed += usize::from(starts_element);
        }
        assert!(landed > 3, "some split points were real element starts");
    }

    #[test]
    fn the_guess_is_a_typed_object_after_a_comma() {
        let filler = "x".repeat(SPLIT_ABOVE_BYTES);
        let text = format!(
            r#"{{"type":"bundle","objects":[{{"type":"a","d":"{filler}","n":[{{"k":1}}, {{"type":"z"}}]}}, {{"type":"b"}}]}}"#
        );
        let at = split_point(&text).expect("a split point");
        assert!(text[at..].starts_with(r#"{"type":"z"}"#));
        assert_eq!(split_point("{\"type\":\"bundle\"}"), None, "small input");
    }

    #[test]
    fn malformed_tops_give_up() {
        for text in [
            "",
            "[]",
            r#"{"type":"bundle"}"#,
            r#"{"type":"report","objects":[]}"#,
            r#"{"type":"bundle","objects":[]} trailing"#,
            r#"{"type":"bundle","objects":[],"objects":[]}"#,
            r#"{"type":"bundle","objects":[{"type":"tool","id":"tool--1"},]}"#,
            r#"{"type":"bundle","objects":[{"type":"tool","id":"tool--1"}"#,
            r#"{"type":"bundle" "objects":[]}"#,
        ] {
            assert!(read_splitting_at(text, None).is_err(), "{text}");
        }
        let fine =
            r#" {"id":"bundle--1", "type" : "bundle", "n": 5, "objects" : [ ] , "x":{"y":[1]}} "#;
        assert!(read_splitting_at(fine, None).is_ok());
    }
}
