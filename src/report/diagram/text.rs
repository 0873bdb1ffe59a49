//! Model text made to fit the diagram: XML escaping, wrapping to a box's width with an
//! ellipsis when it does not fit, and the labels (name and small facts) of each kind of box.
//! The layout sizes boxes by these labels and the drawing writes them, so both use this one
//! version.

use std::collections::VecDeque;

use super::geometry::{ACTOR_W, META_CHAR, META_LINE, NAME_CHAR, NAME_LINE, SYS_W};
use crate::report::{ActorSummary, DataSummary, SystemSummary};

/// Escapes text for XML content and attribute values, dropping characters XML forbids.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push_str(&crate::diag::render::visible(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

/// Tooltip text: escaped, keeping line breaks (as character references).
pub(super) fn escape_tip(text: &str) -> String {
    text.split('\n')
        .map(escape)
        .collect::<Vec<_>>()
        .join("&#10;")
}

/// Wraps `text` into at most `max_lines` lines of about `max_chars` characters, cutting the
/// last one with an ellipsis when the text does not fit.
pub(super) fn wrap(text: &str, max_chars: usize, max_lines: usize) -> Vec<String> {
    let max_chars = max_chars.max(4);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut truncated = false;
    let mut words: VecDeque<String> = text.split_whitespace().map(str::to_string).collect();
    while let Some(word) = words.pop_front() {
        let word_len = word.chars().count();
        let current_len = current.chars().count();
        if current_len > 0 && current_len + 1 + word_len <= max_chars {
            current.push(' ');
            current.push_str(&word);
            continue;
        }
        if current_len > 0 {
            lines.push(std::mem::take(&mut current));
            if lines.len() == max_lines {
                truncated = true;
                break;
            }
        }
        if word_len <= max_chars {
            current = word;
        } else {
            let (head, rest) = break_word(&word, max_chars);
            current = head;
            words.push_front(rest);
        }
    }
    if !truncated && !current.is_empty() {
        if lines.len() == max_lines {
            truncated = true;
        } else {
            lines.push(current);
        }
    }
    if truncated && let Some(last) = lines.last_mut() {
        *last = ellipsis(last, max_chars);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// A word longer than a line (`max_chars`), broken after its first `max_chars` characters, or
/// after the last hyphen or slash among them when that is in their second half.
fn break_word(word: &str, max_chars: usize) -> (String, String) {
    let chars: Vec<char> = word.chars().collect();
    let mut cut = max_chars;
    if let Some(h) = chars[..max_chars]
        .iter()
        .rposition(|&c| c == '-' || c == '/')
        && h >= max_chars / 2
    {
        cut = h + 1;
    }
    (chars[..cut].iter().collect(), chars[cut..].iter().collect())
}

/// The last line of a text that does not fit: cut to leave room for an ellipsis, then one.
fn ellipsis(line: &str, max_chars: usize) -> String {
    let mut kept: Vec<char> = line.chars().collect();
    kept.truncate(max_chars.saturating_sub(1));
    while kept.last() == Some(&' ') {
        kept.pop();
    }
    kept.into_iter().collect::<String>() + "…"
}

/// Joins `facts` with ` · ` into at most `max_lines` lines of about `max_chars` characters.
fn pack(facts: &[String], max_chars: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for fact in facts {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 3 + fact.chars().count() <= max_chars => {
                line.push_str(" · ");
                line.push_str(fact);
            }
            _ => lines.push(fact.clone()),
        }
    }
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" · ");
        lines.push(rest);
    }
    lines
        .iter()
        .map(|l| wrap(l, max_chars, 1).remove(0))
        .collect()
}

/// A record count, short: `1 record`, `9999 records`, `250k records`, `6.5M records`.
pub(super) fn records(count: u64) -> String {
    let short = |value: f64, unit: &str| {
        let text = format!("{value:.1}");
        let text = text.strip_suffix(".0").unwrap_or(&text).to_string();
        format!("{text}{unit}")
    };
    let amount = if count >= 1_000_000_000 {
        short(count as f64 / 1e9, "B")
    } else if count >= 1_000_000 {
        short(count as f64 / 1e6, "M")
    } else if count >= 10_000 {
        short(count as f64 / 1e3, "k")
    } else {
        count.to_string()
    };
    if count == 1 {
        format!("{amount} record")
    } else {
        format!("{amount} records")
    }
}

/// A system's name as the diagram shows it: its id when the name is blank.
pub(super) fn system_name(system: &SystemSummary) -> &str {
    if system.name.trim().is_empty() {
        &system.id
    } else {
        &system.name
    }
}

/// A box's text: wrapped name lines and small meta lines.
pub(super) struct Label {
    pub(super) name: Vec<String>,
    pub(super) meta: Vec<String>,
}

impl Label {
    pub(super) fn height(&self) -> f64 {
        10.0 + self.name.len() as f64 * NAME_LINE + self.meta.len().max(1) as f64 * META_LINE + 6.0
    }
}

/// How many characters of `per_char` width fit on a line of a box `width` wide.
pub(super) fn chars_for(width: f64, per_char: f64) -> usize {
    ((width - 20.0) / per_char).floor().max(4.0) as usize
}

pub(super) fn system_label(system: &SystemSummary) -> Label {
    let worst = system.worst_open.map_or("no open gaps", |s| s.label());
    Label {
        name: wrap(system_name(system), chars_for(SYS_W, NAME_CHAR), 4),
        meta: wrap(
            &format!("{} · {worst}", system.exposure),
            chars_for(SYS_W, META_CHAR),
            1,
        ),
    }
}

pub(super) fn actor_label(actor: &ActorSummary) -> Label {
    let chars = chars_for(ACTOR_W, META_CHAR);
    let mut meta = vec![format!(
        "reaches {} system{}",
        actor.reaches.len(),
        if actor.reaches.len() == 1 { "" } else { "s" }
    )];
    if !actor.groups.is_empty() {
        meta.insert(0, format!("ATT&CK {}", actor.groups.join(", ")));
    }
    Label {
        name: wrap(&actor.name, chars_for(ACTOR_W, NAME_CHAR), 3),
        meta: meta.iter().map(|m| wrap(m, chars, 1).remove(0)).collect(),
    }
}

/// The label of a data cylinder `width` wide.
pub(super) fn data_label(data: &DataSummary, width: f64) -> Label {
    let name = data.name.as_deref().unwrap_or(&data.id);
    let mut facts = Vec::new();
    if let Some(year) = data.leaked_year {
        facts.push(format!("leaked {year}"));
    }
    facts.push(data.sensitivity.to_string());
    if let Some(count) = data.records {
        facts.push(records(count));
    }
    Label {
        name: wrap(name, chars_for(width, NAME_CHAR * 0.92), 3),
        meta: pack(&facts, chars_for(width, META_CHAR), 2),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{model, system};
    use super::super::supply_chain;
    use super::*;

    #[test]
    fn escapes_everything() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</svg>\u{0}"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/svg&gt;\\u{0}"
        );
        let mut m = model(
            vec![system("s0", Some("</svg><script>x()</script>"), "internet")],
            Vec::new(),
        );
        m.systems[0].name = "<img src=x onerror=alert(1)> \" onmouseover=alert(1)".to_string();
        let svg = supply_chain(&m, "t");
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("<img"));
        assert!(!svg.contains("\" onmouseover"));
        assert_eq!(svg.matches("</svg>").count(), 1);
    }

    #[test]
    fn wraps_and_cuts() {
        assert_eq!(wrap("a b c", 10, 2), vec!["a b c"]);
        assert_eq!(
            wrap("one two three four five six", 9, 2),
            vec!["one two", "three…"]
        );
        assert_eq!(
            wrap("averyveryverylongword", 8, 3),
            vec!["averyver", "yverylon", "gword"]
        );
        assert_eq!(
            wrap("national-population-register", 12, 3),
            vec!["national-", "population-", "register"]
        );
        assert_eq!(wrap("", 10, 2), vec![""]);
        assert_eq!(
            wrap("averyveryverylongword", 8, 2),
            vec!["averyver", "yverylo…"]
        );
        let facts = ["leaked 2017", "restricted", "6.5M records"].map(String::from);
        assert_eq!(
            pack(&facts, 24, 2),
            vec!["leaked 2017 · restricted", "6.5M records"]
        );
        assert_eq!(
            pack(&facts, 40, 2),
            vec!["leaked 2017 · restricted · 6.5M records"]
        );
        assert_eq!(pack(&facts, 12, 2), vec!["leaked 2017", "restricted…"]);
    }
}
