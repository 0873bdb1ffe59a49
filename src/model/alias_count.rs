//! Counting what aliases expand to, before anything is built.
//!
//! serde-saphyr's budget stops an alias bomb at a million expanded nodes, but only after
//! building them: seconds in a release build, most of a minute in a debug one. This pass reads
//! the event stream once (no values are built) and computes each anchor's expanded size from
//! the sizes of what it contains, so nine levels of nine aliases (387 million nodes) are seen
//! at the alias that crosses the limit, in microseconds. Files without a `*` skip it.

use granit_parser::{Event, Parser};

/// Where the expanded node count first passes `limit`: the line and column (1-based) of the
/// alias that crosses it, and the count reached. `None` when it stays within the limit, or when
/// the file does not parse (the real parse reports that).
pub fn exceeds(text: &str, limit: u64) -> Option<(u32, u32, u64)> {
    if !text.contains('*') {
        return None;
    }
    // Per anchor id, its expanded size; per open collection, its anchor and size so far.
    let mut sizes: Vec<u64> = Vec::new();
    let mut open: Vec<(usize, u64)> = Vec::new();
    let mut total: u64 = 0;
    let record = |sizes: &mut Vec<u64>, anchor: usize, size: u64| {
        if anchor > 0 {
            if sizes.len() <= anchor {
                sizes.resize(anchor + 1, 0);
            }
            sizes[anchor] = size;
        }
    };
    for item in Parser::new_from_str(text) {
        let Ok((event, span)) = item else {
            return None;
        };
        let node = match event {
            Event::Scalar(_, _, anchor, _) => {
                record(&mut sizes, anchor, 1);
                Some(1)
            }
            Event::Alias(anchor) => Some(sizes.get(anchor).copied().unwrap_or(1)),
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                open.push((anchor, 1));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (anchor, size) = open.pop()?;
                record(&mut sizes, anchor, size);
                // Counted into its parent below; a top-level collection into the total.
                match open.last_mut() {
                    Some(parent) => {
                        parent.1 = parent.1.saturating_add(size);
                        None
                    }
                    None => {
                        total = total.saturating_add(size);
                        None
                    }
                }
            }
            _ => None,
        };
        if let Some(size) = node {
            match open.last_mut() {
                Some(parent) => parent.1 = parent.1.saturating_add(size),
                None => total = total.saturating_add(size),
            }
        }
        let reached = total.saturating_add(open.iter().map(|(_, s)| *s).sum::<u64>());
        if reached > limit {
            let at = span.start;
            return Some((
                u32::try_from(at.line()).unwrap_or(u32::MAX),
                u32::try_from(at.col() + 1).unwrap_or(u32::MAX),
                reached,
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bomb(levels: usize) -> String {
        let names: Vec<String> = (0..levels).map(|i| format!("l{i}")).collect();
        let mut text = format!("{}: &{} [x, x, x, x, x, x, x, x, x]\n", names[0], names[0]);
        for w in names.windows(2) {
            let refs = vec![format!("*{}", w[0]); 9].join(", ");
            text.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
        }
        text
    }

    #[test]
    fn an_alias_bomb_is_seen_at_the_alias_that_crosses_the_limit() {
        let start = std::time::Instant::now();
        let (line, column, reached) = exceeds(&bomb(9), 1_000_000).expect("over the limit");
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
        // Level 7 holds 9^7 = 4.8 million nodes: its line crosses the limit.
        assert_eq!(line, 7);
        assert!(column > 1);
        assert!(reached > 1_000_000);
    }

    #[test]
    fn ordinary_aliases_and_files_stay_within() {
        assert_eq!(exceeds(&bomb(4), 1_000_000), None);
        assert_eq!(exceeds("a: 1\nb: [x, y]\n", 10), None);
        let text = "base: &b {x: 1, y: 2}\none: *b\ntwo: *b\n";
        assert_eq!(exceeds(text, 100), None);
        assert!(exceeds(text, 8).is_some());
        // Broken YAML is left to the real parse.
        assert_eq!(exceeds("a: [*b\n", 100), None);
    }
}
