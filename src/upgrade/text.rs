//! Editing a model file's text in place, at the positions the parser reports.
//!
//! The parser gives 1-based line and column numbers, columns counted in characters, pointing at
//! the first character of a scalar (the opening quote of a quoted one). An edit replaces the
//! characters of one scalar's content and nothing else, so comments, quoting, key order and
//! blank lines survive byte for byte.

use std::ops::Range;

use crate::diag::Position;

/// Byte offsets of the start of each line (1-based line `n` starts at `starts[n - 1]`). Line
/// breaks are `\n`, `\r\n` and a lone `\r`, as in YAML.
pub fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => starts.push(i + 1),
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    starts
}

/// The byte offset of a 1-based (line, column-in-characters) position; `None` when the
/// position is outside the text or past the end of its line.
pub fn byte_offset(text: &str, starts: &[usize], position: Position) -> Option<usize> {
    let line = position.line.checked_sub(1)? as usize;
    let start = *starts.get(line)?;
    let end = starts.get(line + 1).copied().unwrap_or(text.len());
    let line_text = text.get(start..end)?;
    let column = position.column.checked_sub(1)? as usize;
    match line_text.char_indices().nth(column) {
        Some((offset, _)) => Some(start + offset),
        // A position just past the last character of the file's last line.
        None if column == line_text.chars().count() => Some(end),
        None => None,
    }
}

/// How a scalar is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    /// Unquoted (`T1078`).
    Plain,
    /// In single quotes (`'18.1'`).
    Single,
    /// In double quotes (`"18.1"`).
    Double,
}

/// Where a scalar's content is in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalarSpan {
    /// The bytes of the content, quotes excluded.
    pub content: Range<usize>,
    /// How the scalar is quoted; an edit keeps the quotes.
    pub quoting: Quoting,
}

/// Finds the scalar whose value is `value` at `position`, and checks that the text there spells
/// exactly that value (no escapes, no folding), so replacing the content cannot change anything
/// else. `None` when the text does not match: the caller must not edit blindly.
pub fn scalar_span(
    text: &str,
    starts: &[usize],
    position: Position,
    value: &str,
) -> Option<ScalarSpan> {
    let at = byte_offset(text, starts, position)?;
    let rest = &text[at..];
    let (quoting, content_start) = match rest.chars().next()? {
        '"' => (Quoting::Double, at + 1),
        '\'' => (Quoting::Single, at + 1),
        _ => (Quoting::Plain, at),
    };
    let content_end = content_start + value.len();
    if value.is_empty() || text.get(content_start..content_end)? != value {
        return None;
    }
    let after = text[content_end..].chars().next();
    let ok = match quoting {
        Quoting::Double => after == Some('"') && !value.contains(['\\', '"']),
        Quoting::Single => after == Some('\'') && !value.contains('\''),
        Quoting::Plain => {
            // The plain scalar must end here: end of text or line, a flow indicator, or a
            // space (before a comment or the rest of a flow collection).
            after.is_none_or(|c| matches!(c, '\n' | '\r' | ',' | ']' | '}' | ' ' | '\t'))
        }
    };
    ok.then_some(ScalarSpan {
        content: content_start..content_end,
        quoting,
    })
}

/// One replacement of a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The bytes of the original text replaced.
    pub range: Range<usize>,
    /// The text written in their place.
    pub replacement: String,
}

/// Applies non-overlapping edits; `None` when two overlap or one is out of range.
pub fn apply(text: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for edit in sorted {
        if edit.range.start < cursor
            || edit.range.end > text.len()
            || !text.is_char_boundary(edit.range.start)
            || !text.is_char_boundary(edit.range.end)
        {
            return None;
        }
        out.push_str(&text[cursor..edit.range.start]);
        out.push_str(&edit.replacement);
        cursor = edit.range.end;
    }
    out.push_str(&text[cursor..]);
    Some(out)
}

/// A unified diff (`diff -u` format, 3 lines of context) between two texts; empty when they are
/// equal.
pub fn unified_diff(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    if old == new {
        return String::new();
    }
    let a = split_lines(old);
    let b = split_lines(new);
    let ops = diff_lines(&a, &b);
    let mut out = format!("--- {old_label}\n+++ {new_label}\n");
    for hunk in hunks(&ops, 3) {
        let (mut old_start, mut new_start) = (hunk.old_start, hunk.new_start);
        let (old_len, new_len) = (hunk.old_len, hunk.new_len);
        // By convention an empty side's start is the line before it.
        if old_len > 0 {
            old_start += 1;
        }
        if new_len > 0 {
            new_start += 1;
        }
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range_label(old_start, old_len),
            range_label(new_start, new_len)
        ));
        for op in &ops[hunk.ops.clone()] {
            let (sign, line) = match *op {
                Op::Equal(i, _) => (' ', a[i]),
                Op::Delete(i) => ('-', a[i]),
                Op::Insert(j) => ('+', b[j]),
            };
            out.push(sign);
            match line.strip_suffix('\n') {
                Some(_) => out.push_str(line),
                None => {
                    out.push_str(line);
                    out.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}

fn range_label(start: usize, len: usize) -> String {
    if len == 1 {
        start.to_string()
    } else {
        format!("{start},{len}")
    }
}

/// Lines with their terminators (the last one may lack it).
fn split_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equal(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// Myers' O((N+M)D) shortest edit script over lines.
fn diff_lines(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let offset = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    'search: for d in 0..=max as isize {
        trace.push(v.clone());
        let mut k = -d;
        while k <= d {
            let down =
                k == -d || (k != d && v[(k - 1 + offset) as usize] < v[(k + 1 + offset) as usize]);
            let mut x = if down {
                v[(k + 1 + offset) as usize]
            } else {
                v[(k - 1 + offset) as usize] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(k + offset) as usize] = x;
            if x >= n && y >= m {
                trace.push(v.clone());
                break 'search;
            }
            k += 2;
        }
    }
    // Walk the trace back from (n, m).
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..trace.len() as isize - 1).rev() {
        let v = &trace[d as usize];
        let k = x - y;
        let down =
            k == -d || (k != d && v[(k - 1 + offset) as usize] < v[(k + 1 + offset) as usize]);
        let prev_k = if down { k + 1 } else { k - 1 };
        let prev_x = v[(prev_k + offset) as usize];
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            ops.push(Op::Equal(x as usize, y as usize));
        }
        if down {
            y -= 1;
            ops.push(Op::Insert(y as usize));
        } else {
            x -= 1;
            ops.push(Op::Delete(x as usize));
        }
    }
    while x > 0 && y > 0 {
        x -= 1;
        y -= 1;
        ops.push(Op::Equal(x as usize, y as usize));
    }
    ops.reverse();
    ops
}

struct Hunk {
    ops: Range<usize>,
    old_start: usize,
    new_start: usize,
    old_len: usize,
    new_len: usize,
}

/// Groups an edit script into hunks with `context` unchanged lines around each change.
fn hunks(ops: &[Op], context: usize) -> Vec<Hunk> {
    let changes: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| !matches!(op, Op::Equal(..)))
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < changes.len() {
        let start = changes[i].saturating_sub(context);
        let mut end = (changes[i] + context + 1).min(ops.len());
        while i + 1 < changes.len() && changes[i + 1] <= end + context {
            i += 1;
            end = (changes[i] + context + 1).min(ops.len());
        }
        // Positions of the hunk's first line on each side.
        let (mut old_start, mut new_start) = (0, 0);
        for op in &ops[..start] {
            match op {
                Op::Equal(..) => {
                    old_start += 1;
                    new_start += 1;
                }
                Op::Delete(_) => old_start += 1,
                Op::Insert(_) => new_start += 1,
            }
        }
        let old_len = ops[start..end]
            .iter()
            .filter(|op| !matches!(op, Op::Insert(_)))
            .count();
        let new_len = ops[start..end]
            .iter()
            .filter(|op| !matches!(op, Op::Delete(_)))
            .count();
        out.push(Hunk {
            ops: start..end,
            old_start,
            new_start,
            old_len,
            new_len,
        });
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, column: u32) -> Position {
        Position::new(line, column, 1)
    }

    #[test]
    fn offsets_count_characters() {
        let text = "a: é\nbé: \"x\"\r\nc: 'y'\n";
        let starts = line_starts(text);
        assert_eq!(starts, vec![0, 6, 16, 23]);
        let at = byte_offset(text, &starts, pos(2, 5)).expect("in range");
        assert_eq!(&text[at..at + 3], "\"x\"");
        assert_eq!(byte_offset(text, &starts, pos(9, 1)), None);
    }

    #[test]
    fn spans_keep_quotes_outside() {
        let text = "v: \"17.1\"\nw: 'T1'\nx: [T2, T3] # T2\n";
        let starts = line_starts(text);
        let s = scalar_span(text, &starts, pos(1, 4), "17.1").expect("double");
        assert_eq!(
            (&text[s.content.clone()], s.quoting),
            ("17.1", Quoting::Double)
        );
        let s = scalar_span(text, &starts, pos(2, 4), "T1").expect("single");
        assert_eq!(
            (&text[s.content.clone()], s.quoting),
            ("T1", Quoting::Single)
        );
        let s = scalar_span(text, &starts, pos(3, 5), "T2").expect("plain");
        assert_eq!(&text[s.content.clone()], "T2");
        // The text does not spell the value: refuse.
        assert_eq!(scalar_span(text, &starts, pos(3, 5), "T"), None);
        assert_eq!(scalar_span(text, &starts, pos(3, 5), "T3"), None);
    }

    #[test]
    fn edits_apply_in_order_and_refuse_overlaps() {
        let text = "abcdef";
        let edits = [
            Edit {
                range: 4..5,
                replacement: "XY".into(),
            },
            Edit {
                range: 0..1,
                replacement: "".into(),
            },
        ];
        assert_eq!(apply(text, &edits).as_deref(), Some("bcdXYf"));
        let overlapping = [
            Edit {
                range: 0..3,
                replacement: "".into(),
            },
            Edit {
                range: 2..4,
                replacement: "".into(),
            },
        ];
        assert_eq!(apply(text, &overlapping), None);
    }

    #[test]
    fn unified_diff_has_hunks_with_context() {
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let new = old
            .replace("line 3\n", "line three\n")
            .replace("line 18\n", "");
        let diff = unified_diff(&old, &new, "a/x", "b/x");
        let expected = "--- a/x\n+++ b/x\n@@ -1,6 +1,6 @@\n line 1\n line 2\n-line 3\n+line three\n line 4\n line 5\n line 6\n@@ -15,6 +15,5 @@\n line 15\n line 16\n line 17\n-line 18\n line 19\n line 20\n";
        assert_eq!(diff, expected);
        assert_eq!(unified_diff(&old, &old, "a", "b"), "");
    }

    #[test]
    fn unified_diff_marks_a_missing_final_newline() {
        let diff = unified_diff("a\nb", "a\nc", "x", "y");
        assert_eq!(
            diff,
            "--- x\n+++ y\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        );
        let diff = unified_diff("", "a\n", "x", "y");
        assert_eq!(diff, "--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n");
    }
}
