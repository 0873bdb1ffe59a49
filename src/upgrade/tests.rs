//! Unit tests of the upgrade module on the synthetic releases 90.0 and 91.0
//! (`tests/fixtures/upgrade/stix/`), made up to contain every kind of change.

use super::fate::{Fate, Fates, Revocations, fate};
use super::migrate::{Input, MigrateError, Problem, Reason, Subject, migrate};
use super::model_diff::{Change, ExposureChangeKind, NewReason, Releases};
use super::references::{Resolved, match_across};
use super::release_diff::Outcome;
use super::text::unified_diff;
use super::*;
use crate::attack::{Kind, KnowledgeBase, load_bundle};
use crate::model::{self, Parsed};
use crate::testing::TODAY;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const OLD: &str = include_str!("../../tests/fixtures/upgrade/stix/synthetic-90.0.json");
const NEW: &str = include_str!("../../tests/fixtures/upgrade/stix/synthetic-91.0.json");
const MODEL_90: &str = include_str!("../../tests/fixtures/upgrade/synthetic-90.yaml");
const MODEL_91: &str = include_str!("../../tests/fixtures/upgrade/synthetic-91.yaml");

fn releases() -> (KnowledgeBase, KnowledgeBase, Revocations) {
    let old = load_bundle(OLD.as_bytes()).expect("90.0 loads");
    let new = load_bundle(NEW.as_bytes()).expect("91.0 loads");
    let revocations = Revocations::from_bundle(NEW.as_bytes()).expect("91.0 relationships");
    (old, new, revocations)
}

fn technique(kb: &KnowledgeBase, id: &str) -> crate::attack::ObjectRef {
    kb.lookup(id, Some(Kind::Technique))
        .expect("technique exists")
}

fn ids(kb: &KnowledgeBase, objects: &[crate::attack::ObjectRef]) -> Vec<String> {
    objects
        .iter()
        .map(|&o| kb.meta(o).attack_id.clone())
        .collect()
}

#[test]
fn fates_follow_chains_and_see_splits() {
    let (_, new, revocations) = releases();
    let fate_of = |id: &str| fate(&new, &revocations, technique(&new, id));
    match fate_of("T9200") {
        Fate::Replaced { chain } => assert_eq!(ids(&new, &chain), ["T9201", "T9202"]),
        other => panic!("chain expected, got {other:?}"),
    }
    match fate_of("T9300") {
        Fate::Split { into } => assert_eq!(ids(&new, &into), ["T9301", "T9302"]),
        other => panic!("split expected, got {other:?}"),
    }
    match fate_of("T9400") {
        Fate::Replaced { chain } => {
            assert_eq!(chain.len(), 1);
            assert_eq!(chain[0].kind, Kind::Mitigation);
        }
        other => panic!("kind change expected, got {other:?}"),
    }
    assert_eq!(fate_of("T9500"), Fate::Deprecated);
    assert_eq!(fate_of("T9600"), Fate::Active);
    // Without the bundle's relationships only the knowledge base's single link is seen.
    assert!(matches!(
        fate(&new, &Revocations::default(), technique(&new, "T9300")),
        Fate::Replaced { .. }
    ));
}

#[test]
fn references_are_matched_by_stix_id() {
    let (old, new, _) = releases();
    let m = match_across(Some(&old), &new, "T9700.001", Kind::Technique);
    let Resolved::Found(n) = m.after else {
        panic!("the moved sub-technique is found in 91.0: {m:?}")
    };
    assert_eq!(new.meta(n).attack_id, "T9701.001");
    // By ATT&CK ID alone, 91.0 has no T9700.001.
    assert_eq!(new.lookup("T9700.001", Some(Kind::Technique)), None);
    let m = match_across(Some(&old), &new, "T9800", Kind::Technique);
    assert_eq!(m.before, Resolved::Missing);
    assert!(matches!(m.after, Resolved::Found(_)));
}

#[test]
fn release_diff_counts_every_kind_of_change() {
    let (old, new, revocations) = releases();
    let diff = release_diff::diff(&old, &new, &revocations, true);
    let techniques = diff
        .summary
        .iter()
        .find(|c| c.kind == Kind::Technique)
        .expect("technique row");
    assert_eq!(
        (
            techniques.added,
            techniques.revoked,
            techniques.deprecated,
            techniques.renamed,
            techniques.renumbered,
            techniques.moved,
            techniques.retacticed,
            techniques.platforms_changed
        ),
        (5, 5, 1, 1, 2, Some(2), Some(1), Some(1))
    );
    let lists = diff.lists.expect("lists asked for");
    let outcomes: Vec<(&str, Outcome, Vec<&str>)> = lists
        .revoked
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.outcome,
                r.replaced_by.iter().map(|t| t.id.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("T9100", Outcome::Replaced, vec!["T9101"]),
            ("T9200", Outcome::Replaced, vec!["T9202"]),
            ("T9201", Outcome::Replaced, vec!["T9202"]),
            ("T9300", Outcome::Split, vec!["T9301", "T9302"]),
            ("T9400", Outcome::KindChanged, vec!["M9400"]),
            ("M9001", Outcome::Replaced, vec!["M9002"]),
            ("G9001", Outcome::Replaced, vec!["G9002"]),
            ("DET9001", Outcome::Replaced, vec!["DET9002"]),
        ]
    );
}

#[test]
fn model_diff_reports_each_change() {
    let (old, new, revocations) = releases();
    let Parsed::File(file) = model::parse(MODEL_90, "m.yaml") else {
        panic!("the fixture parses")
    };
    let releases = Releases {
        from: &old,
        to: &new,
        revocations: &revocations,
        today: TODAY,
    };
    let diff = model_diff::diff(MODEL_90, "m.yaml", &file, &releases);
    let change = |id: &str| -> Vec<Change> {
        diff.references
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.changes.clone())
            .unwrap_or_default()
    };
    assert!(matches!(
        change("T9600").as_slice(),
        [Change::Renamed { .. }, Change::Retacticed { .. }]
    ));
    assert!(matches!(
        change("T9702.001").as_slice(),
        [
            Change::Renumbered { .. },
            Change::Moved {
                to_parent: None,
                ..
            }
        ]
    ));
    assert!(matches!(
        change("T9500").as_slice(),
        [Change::Deprecated { newly: true }]
    ));
    let e = &diff.exposures;
    assert!(e.compared);
    // T9801 and T9800 are new gaps, T9600 is closed; T9202 rises to critical on 91.0, where
    // the threat on T9201 migrates onto it and explicit evidence triples its risk.
    assert_eq!((e.new_gaps, e.closed_gaps, e.severity_changes), (2, 1, 2));
    let dropped: Vec<&str> = e.dropped_to.iter().map(|d| d.value.as_str()).collect();
    assert_eq!(dropped, ["T9300", "T9400"]);
    assert!(e.dropped_from.is_empty());
}

#[test]
fn model_pinned_to_the_later_release_is_compared_without_what_the_earlier_lacks() {
    let (old, new, revocations) = releases();
    let Parsed::File(file) = model::parse(MODEL_91, "m.yaml") else {
        panic!("the fixture parses")
    };
    let releases = Releases {
        from: &old,
        to: &new,
        revocations: &revocations,
        today: TODAY,
    };
    let diff = model_diff::diff(MODEL_91, "m.yaml", &file, &releases);
    let missing: Vec<&str> = diff
        .references
        .iter()
        .filter(|r| r.changes.contains(&Change::NotInFrom))
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(missing, ["G9002", "T9800", "T9101", "M9002", "DET9002"]);
    assert!(diff.exposures.compared);
    assert_eq!(diff.exposures.dropped_from.len(), 5);
}

#[test]
fn migration_edits_only_the_ids_and_the_pin() {
    let (old, new, revocations) = releases();
    let Parsed::File(file) = model::parse(MODEL_90, "m.yaml") else {
        panic!("the fixture parses")
    };
    let input = Input {
        text: MODEL_90,
        path: "m.yaml",
        file: &file,
        source: Some(&old),
        target: &new,
        revocations: &revocations,
        today: TODAY,
    };
    let m = migrate(&input).expect("migrates");
    let expected = MODEL_90
        .replace("version: '90.0'", "version: '91.0'")
        .replace("[T9100, T9900]", "[T9101, T9900]")
        .replace("[G9001, \"G9003\"]", "[G9002, \"G9003\"]")
        .replace("- T9100 ", "- T9101 ")
        .replace("- T9200 ", "- T9202 ")
        .replace("\"T9700.001\"", "\"T9701.001\"")
        .replace("'T9702.001'", "'T9703'")
        .replace("[M9001, M9020]", "[M9002, M9020]")
        .replace("[DET9001, 'DET9003']", "[DET9002, 'DET9003']")
        .replace("technique: T9201,", "technique: T9202,")
        .replace("technique: T9100\n", "technique: T9101\n");
    assert_eq!(m.new_text, expected);
    let problems: Vec<(&str, Problem)> = m
        .needs_human
        .iter()
        .map(|h| (h.id.as_str(), h.problem))
        .collect();
    assert_eq!(
        problems,
        [
            ("T9300", Problem::Split),
            ("T9400", Problem::KindChanged),
            ("T9500", Problem::Deprecated)
        ]
    );
    // Migrating the result again changes nothing.
    let Parsed::File(again) = model::parse(&m.new_text, "m.yaml") else {
        panic!("the result parses")
    };
    let second = migrate(&Input {
        text: &m.new_text,
        file: &again,
        source: Some(&new),
        ..input
    })
    .expect("migrates again");
    assert!(!second.changed);
    assert_eq!(second.new_text, m.new_text);
}

#[test]
fn migration_refuses_to_go_backwards() {
    let (old, new, revocations) = releases();
    let Parsed::File(file) = model::parse(MODEL_91, "m.yaml") else {
        panic!("the fixture parses")
    };
    let e = migrate(&Input {
        text: MODEL_91,
        path: "m.yaml",
        file: &file,
        source: Some(&new),
        target: &old,
        revocations: &revocations,
        today: TODAY,
    })
    .expect_err("91.0 -> 90.0 is refused");
    assert!(matches!(e, MigrateError::Backwards { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "m.yaml pins ATT&CK 91.0, newer than 90.0: migrate only moves models forward"
    );
}

/// Applies a unified diff to `old` (test helper: trusts the hunk headers).
fn patch(old: &str, diff: &str) -> String {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut next = 0; // index of the next old line to copy
    let mut lines = diff.split_inclusive('\n').skip(2).peekable();
    while let Some(header) = lines.next() {
        let start: usize = header
            .trim_start_matches("@@ -")
            .split([',', ' '])
            .next()
            .and_then(|n| n.parse().ok())
            .expect("hunk header");
        let len: usize = header
            .trim_start_matches("@@ -")
            .split(' ')
            .next()
            .and_then(|r| r.split_once(',').map(|(_, l)| l.parse().unwrap_or(1)))
            .unwrap_or(1);
        // An empty range names the line before it.
        let start = if len == 0 { start } else { start - 1 };
        for line in &old_lines[next..start] {
            out.push_str(line);
        }
        next = start;
        while let Some(line) = lines.peek().copied() {
            if line.starts_with("@@") {
                break;
            }
            lines.next();
            let body = &line[1..];
            let no_newline = lines.peek().is_some_and(|l| l.starts_with("\\ No newline"));
            let body = if no_newline {
                lines.next();
                body.strip_suffix('\n').unwrap_or(body)
            } else {
                body
            };
            match &line[..1] {
                " " => {
                    out.push_str(body);
                    next += 1;
                }
                "-" => next += 1,
                "+" => out.push_str(body),
                other => panic!("unexpected line prefix {other:?}"),
            }
        }
    }
    for line in &old_lines[next..] {
        out.push_str(line);
    }
    out
}

#[test]
fn unified_diffs_apply_back() {
    let cases = [
        ("a\nb\nc\n", "a\nB\nc\n"),
        ("a\nb\nc\n", ""),
        ("", "x\ny\n"),
        ("a\nb\nc", "a\nb\nc\n"),
        (
            "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
            "0\n1\n2\n3\n5\n6\n7\n8\n9\n10\nX\n12\n13\n",
        ),
        (MODEL_90, MODEL_91),
        (MODEL_91, MODEL_90),
    ];
    for (old, new) in cases {
        let diff = unified_diff(old, new, "a", "b");
        assert_eq!(patch(old, &diff), new, "diff:\n{diff}");
    }
}

/// Checks that each hunk header counts the lines its body has on each side.
fn assert_hunk_counts(diff: &str) {
    let count = |range: &str| -> usize {
        range
            .split_once(',')
            .map_or(Some(1), |(_, n)| n.parse().ok())
            .expect("a count")
    };
    for hunk in diff.split("\n@@ -").skip(1) {
        let (header, body) = hunk.split_once(" @@\n").expect("hunk header");
        let (old, new) = header.split_once(" +").expect("two ranges");
        let mut seen = (0, 0);
        for line in body.lines() {
            match line.chars().next() {
                Some(' ') => seen = (seen.0 + 1, seen.1 + 1),
                Some('-') => seen.0 += 1,
                Some('+') => seen.1 += 1,
                _ => {}
            }
        }
        assert_eq!(
            (count(old), count(new)),
            seen,
            "hunk @@ -{header} @@ in\n{diff}"
        );
    }
}

/// Small texts over two or five distinct lines, so that many edit scripts are equally short:
/// the diffs still apply back, and each hunk header counts its lines (similar 2.7's
/// TextDiff writes `@@ -1 +2 @@` over `-A`, ` B`, `+B` for "A\nB\n" -> "B\nB\n").
#[test]
fn unified_diffs_of_repetitive_texts_apply_back_and_count_their_lines() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |below: u64| -> u64 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    };
    for _ in 0..2000 {
        let alphabet: &[&str] = if next(2) == 0 {
            &["a\n", "b\n"]
        } else {
            &["a\n", "b\n", "c\n", "d\n", "e\n"]
        };
        let mut text = || -> String {
            let mut t: String = (0..next(14))
                .map(|_| alphabet[next(alphabet.len() as u64) as usize])
                .collect();
            if next(5) == 0 {
                t.pop();
            }
            t
        };
        let (old, new) = (text(), text());
        let diff = unified_diff(&old, &new, "a", "b");
        assert_eq!(patch(&old, &diff), new, "diff:\n{diff}");
        assert_hunk_counts(&diff);
    }
    assert_eq!(
        unified_diff("A\nB\n", "B\nB\n", "a", "b"),
        "--- a\n+++ b\n@@ -1,2 +1,2 @@\n-A\n B\n+B\n"
    );
}

/// Lines end at `\n` only, as for diff(1) and patch(1): a lone `\r` (which YAML takes as a
/// line break) stays inside a line, and a last line ending in `\r` still lacks its newline.
#[test]
fn unified_diff_splits_lines_at_newlines_only() {
    assert_eq!(
        unified_diff("a\rb\n", "a\rc\n", "x", "y"),
        "--- x\n+++ y\n@@ -1 +1 @@\n-a\rb\n+a\rc\n"
    );
    assert_eq!(
        unified_diff("a\nb\r", "a\nc\r", "x", "y"),
        "--- x\n+++ y\n@@ -1,2 +1,2 @@\n a\n-b\r\n\\ No newline at end of file\n+c\r\n\\ No newline at end of file\n"
    );
}

/// One object of a made-up bundle for the revocation walks.
#[derive(Debug, Clone, Copy, Default)]
struct Made {
    mitigation: bool,
    revoked: bool,
    deprecated: bool,
}

fn made_kind(m: Made) -> &'static str {
    if m.mitigation {
        "course-of-action"
    } else {
        "attack-pattern"
    }
}

fn made_stix(i: usize, m: Made) -> String {
    format!("{}--00000000-0000-4000-8000-{i:012}", made_kind(m))
}

/// A made-up release of `objects` (techniques `T5000`.., mitigations `M5000`..) and the
/// `revoked-by` relationships `links` between them (indexes into `objects`).
fn made_bundle(objects: &[Made], links: &[(usize, usize)]) -> String {
    let mut out = vec![
        r#"{"type":"x-mitre-collection","id":"x-mitre-collection--1","name":"Enterprise ATT&CK","x_mitre_version":"99.0"}"#.to_string(),
        r#"{"type":"x-mitre-matrix","id":"x-mitre-matrix--1","name":"Enterprise ATT&CK","external_references":[{"source_name":"mitre-attack","external_id":"enterprise-attack"}],"tactic_refs":["x-mitre-tactic--1"]}"#.to_string(),
        r#"{"type":"x-mitre-tactic","id":"x-mitre-tactic--1","name":"Initial Access","x_mitre_shortname":"initial-access","external_references":[{"source_name":"mitre-attack","external_id":"TA0001"}]}"#.to_string(),
    ];
    for (i, &m) in objects.iter().enumerate() {
        let (letter, extra) = if m.mitigation {
            ('M', String::new())
        } else {
            (
                'T',
                r#","kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"initial-access"}],"x_mitre_platforms":["Linux"],"x_mitre_is_subtechnique":false"#.to_string(),
            )
        };
        out.push(format!(
            r#"{{"type":"{}","id":"{}","name":"Made {i}","external_references":[{{"source_name":"mitre-attack","external_id":"{letter}{}"}}]{extra},"revoked":{},"x_mitre_deprecated":{}}}"#,
            made_kind(m),
            made_stix(i, m),
            5000 + i,
            m.revoked,
            m.deprecated
        ));
    }
    for (r, &(source, target)) in links.iter().enumerate() {
        out.push(format!(
            r#"{{"type":"relationship","id":"relationship--00000000-0000-4000-8000-{r:012}","relationship_type":"revoked-by","source_ref":"{}","target_ref":"{}"}}"#,
            made_stix(source, objects[source]),
            made_stix(target, objects[target])
        ));
    }
    format!(
        r#"{{"type":"bundle","id":"bundle--made","objects":[{}]}}"#,
        out.join(",")
    )
}

/// The made-up release loaded, its bundle's revocations, and each object's reference.
fn made_release(
    objects: &[Made],
    links: &[(usize, usize)],
) -> (KnowledgeBase, Revocations, Vec<crate::attack::ObjectRef>) {
    let json = made_bundle(objects, links);
    let kb = load_bundle(json.as_bytes()).expect("the made-up bundle loads");
    let revocations = Revocations::from_bundle(json.as_bytes()).expect("its relationships");
    let refs = objects
        .iter()
        .enumerate()
        .map(|(i, &m)| {
            kb.by_stix_id(&made_stix(i, m))
                .expect("every object is kept")
        })
        .collect();
    (kb, revocations, refs)
}

/// A "diamond ladder" of `levels` rungs: join `J(i)` is revoked by `fan` branches `B(i, j)`,
/// each revoked by `J(i + 1)`; the last join is active. Objects: `J(i)` is `i * (fan + 1)`,
/// `B(i, j)` is `i * (fan + 1) + 1 + j`. Walking every path, as the walk did before it
/// remembered what it had seen, is exponential in the rungs.
fn ladder(levels: usize, fan: usize) -> (Vec<Made>, Vec<(usize, usize)>) {
    let join = |i: usize| i * (fan + 1);
    let revoked = Made {
        revoked: true,
        ..Made::default()
    };
    let mut objects = vec![revoked; levels * (fan + 1) + 1];
    objects[join(levels)].revoked = false;
    let mut links = Vec::new();
    for i in 0..levels {
        for j in 0..fan {
            links.push((join(i), join(i) + 1 + j));
            links.push((join(i) + 1 + j, join(i + 1)));
        }
    }
    (objects, links)
}

/// The walk as it was before [`Fates`]: each split's branches walked again, recursively (8
/// splits deep), exponential in splits that split again. The reference the memoised walk must
/// agree with, on graphs small enough for it.
fn fate_as_before(
    kb: &KnowledgeBase,
    revocations: &Revocations,
    object: crate::attack::ObjectRef,
    depth: u8,
) -> Fate {
    let meta = kb.meta(object);
    if !meta.revoked {
        return if meta.deprecated {
            Fate::Deprecated
        } else {
            Fate::Active
        };
    }
    let mut chain = Vec::new();
    let mut seen = BTreeSet::from([object]);
    let mut current = object;
    loop {
        let next = revocations.direct(kb, current);
        match next.len() {
            0 => break,
            1 => {
                let n = next[0];
                if !seen.insert(n) || chain.len() >= 32 {
                    break;
                }
                chain.push(n);
                if !kb.meta(n).revoked {
                    break;
                }
                current = n;
            }
            _ => {
                let mut into: Vec<_> = next
                    .into_iter()
                    .filter(|&n| n != object)
                    .map(|n| {
                        if depth >= 8 {
                            return n;
                        }
                        match fate_as_before(kb, revocations, n, depth + 1) {
                            Fate::Replaced { chain } => chain.last().copied().unwrap_or(n),
                            _ => n,
                        }
                    })
                    .collect();
                into.sort();
                into.dedup();
                return Fate::Split { into };
            }
        }
    }
    if chain.is_empty() {
        Fate::RevokedWithoutReplacement
    } else {
        Fate::Replaced { chain }
    }
}

/// Every object's fate agrees with the walk as it was, asked one at a time and of one
/// [`Fates`] (in reverse order, so later objects are remembered first).
fn assert_as_before(
    kb: &KnowledgeBase,
    revocations: &Revocations,
    refs: &[crate::attack::ObjectRef],
) {
    let fates = Fates::new(kb, revocations);
    for &o in refs.iter().rev() {
        let before = fate_as_before(kb, revocations, o, 0);
        assert_eq!(fate(kb, revocations, o), before, "{}", kb.meta(o).attack_id);
        assert_eq!(fates.fate(o), before, "{}", kb.meta(o).attack_id);
    }
}

#[test]
fn the_walk_is_linear_on_splits_that_rejoin() {
    for (levels, fan) in [(200, 2), (60, 8)] {
        let (objects, links) = ladder(levels, fan);
        let (kb, revocations, refs) = made_release(&objects, &links);
        let join = |i: usize| refs[i * (fan + 1)];
        let branches =
            |i: usize| -> Vec<_> { (0..fan).map(|j| refs[i * (fan + 1) + 1 + j]).collect() };
        let start = Instant::now();
        let fates = Fates::new(&kb, &revocations);
        let all: Vec<Fate> = refs.iter().map(|&o| fates.fate(o)).collect();
        // One at a time, as a single question would.
        let top = fate(&kb, &revocations, join(0));
        let elapsed = start.elapsed();
        assert!(
            elapsed < Duration::from_secs(2),
            "{levels} rungs of {fan}: {elapsed:?}"
        );
        assert_eq!(top, all[0]);
        // A split lists each branch's replacement; a branch that splits again is listed as
        // itself. The last rung's branches are replaced by the active end of the ladder.
        let end = join(levels);
        let split_of = |i: usize| -> Vec<_> {
            if i + 1 < levels {
                branches(i)
            } else {
                vec![end]
            }
        };
        for i in 0..levels {
            assert_eq!(
                all[i * (fan + 1)],
                Fate::Split { into: split_of(i) },
                "J({i})"
            );
            let expected = if i + 1 < levels {
                Fate::Split {
                    into: split_of(i + 1),
                }
            } else {
                Fate::Replaced { chain: vec![end] }
            };
            for j in 0..fan {
                assert_eq!(all[i * (fan + 1) + 1 + j], expected, "B({i}, {j})");
            }
        }
        assert_eq!(fates.fate(end), Fate::Active);
        // As `atkmap diff` asks, against a release in which nothing was revoked yet.
        let fresh: Vec<Made> = objects.iter().map(|_| Made::default()).collect();
        let from = load_bundle(made_bundle(&fresh, &[]).as_bytes()).expect("loads");
        let start = Instant::now();
        let diff = release_diff::diff(&from, &kb, &revocations, true);
        let elapsed = start.elapsed();
        assert!(
            elapsed < Duration::from_secs(2),
            "diff of {levels} rungs of {fan}: {elapsed:?}"
        );
        let lists = diff.lists.expect("lists asked for");
        assert_eq!(lists.revoked.len(), levels * (fan + 1));
        let last = lists
            .revoked
            .iter()
            .find(|r| r.id == kb.meta(join(levels - 1)).attack_id)
            .expect("the last rung's join is listed");
        assert_eq!(last.outcome, Outcome::Split);
        let ids: Vec<&str> = last.replaced_by.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, [kb.meta(end).attack_id.as_str()]);
    }
    // The walk as it was agrees where it is quick enough to ask.
    let (objects, links) = ladder(12, 2);
    let (kb, revocations, refs) = made_release(&objects, &links);
    assert_as_before(&kb, &revocations, &refs);
}

#[test]
fn revocation_cycles_end_the_walk() {
    let revoked = Made {
        revoked: true,
        ..Made::default()
    };
    // 0 revoked by itself; 1 and 2 by each other; 3 split into 4 and 5, each revoked by 3;
    // 6..106 a ring of 100.
    let objects = vec![revoked; 106];
    let mut links = vec![(0, 0), (1, 2), (2, 1), (3, 4), (3, 5), (4, 3), (5, 3)];
    links.extend((6..106).map(|i| (i, if i == 105 { 6 } else { i + 1 })));
    let (kb, revocations, refs) = made_release(&objects, &links);
    let start = Instant::now();
    let fates = Fates::new(&kb, &revocations);
    let all: Vec<Fate> = refs.iter().map(|&o| fates.fate(o)).collect();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(all[0], Fate::RevokedWithoutReplacement);
    assert_eq!(
        all[1],
        Fate::Replaced {
            chain: vec![refs[2]]
        }
    );
    assert_eq!(
        all[2],
        Fate::Replaced {
            chain: vec![refs[1]]
        }
    );
    assert_eq!(
        all[3],
        Fate::Split {
            into: vec![refs[4], refs[5]]
        }
    );
    assert_eq!(
        all[4],
        Fate::Split {
            into: vec![refs[5]]
        }
    );
    assert_eq!(
        all[5],
        Fate::Split {
            into: vec![refs[4]]
        }
    );
    // Round the ring, the walk stops after 32 steps.
    assert_eq!(
        all[6],
        Fate::Replaced {
            chain: refs[7..39].to_vec()
        }
    );
    assert_as_before(&kb, &revocations, &refs);
}

#[test]
fn the_memoised_walk_agrees_with_the_walk_as_it_was() {
    // A fixed xorshift: the same made-up graphs on every run.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |below: usize| -> usize {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as usize
    };
    for round in 0..300 {
        let n = 2 + next(12);
        let objects: Vec<Made> = (0..n)
            .map(|i| Made {
                mitigation: i > 0 && next(5) == 0,
                revoked: next(10) < 7,
                deprecated: next(7) == 0,
            })
            .collect();
        let mut links = Vec::new();
        for source in 0..n {
            for _ in 0..next(4) {
                links.push((source, next(n)));
            }
        }
        let (kb, revocations, refs) = made_release(&objects, &links);
        assert_as_before(&kb, &revocations, &refs);
        // The knowledge base's single link alone, and the bundle's links of some objects
        // with the knowledge base's for the others.
        assert_as_before(&kb, &Revocations::default(), &refs);
        let some: Vec<(usize, usize)> = links
            .iter()
            .copied()
            .filter(|l| l.0 % 2 == round % 2)
            .collect();
        let partial = Revocations::from_bundle(made_bundle(&objects, &some).as_bytes())
            .expect("relationships");
        assert_as_before(&kb, &partial, &refs);
    }
    // Chains longer than the walk's 32 steps, one of them ending in a split.
    let revoked = Made {
        revoked: true,
        ..Made::default()
    };
    let mut objects = vec![revoked; 90];
    objects[40] = Made::default();
    objects[88] = Made::default();
    let mut links: Vec<(usize, usize)> = (0..40).map(|i| (i, i + 1)).collect();
    links.extend((41..87).map(|i| (i, i + 1)));
    links.extend([(87, 88), (87, 89), (89, 0)]);
    let (kb, revocations, refs) = made_release(&objects, &links);
    assert_as_before(&kb, &revocations, &refs);
}

/// Each kind enum's label is its JSON name, so text and JSON say the same word.
#[test]
fn labels_are_the_serialised_names() {
    fn check<T: serde::Serialize>(value: T, label: &str) {
        assert_eq!(
            serde_json::to_value(&value).expect("serialises"),
            serde_json::Value::from(label)
        );
    }
    for o in [
        Outcome::Replaced,
        Outcome::Split,
        Outcome::KindChanged,
        Outcome::NoReplacement,
    ] {
        check(o, o.label());
    }
    for r in [Reason::Revoked, Reason::Renumbered] {
        check(r, r.label());
    }
    for p in [
        Problem::Deprecated,
        Problem::RevokedWithoutReplacement,
        Problem::Split,
        Problem::KindChanged,
        Problem::ReplacementDeprecated,
        Problem::NotInTarget,
        Problem::WrongKind,
        Problem::NotEditable,
        Problem::InvalidInTarget,
    ] {
        check(p, p.label());
    }
    let kinds = crate::attack::lookup::ALL_KINDS.map(Subject::Object);
    for s in kinds
        .into_iter()
        .chain([Subject::Platform, Subject::Telemetry, Subject::Model])
    {
        check(s, s.label());
    }
    for r in [
        NewReason::NewTechnique,
        NewReason::NewPlatforms,
        NewReason::Reinstated,
    ] {
        check(r, r.label());
    }
    for c in [
        ExposureChangeKind::NewGap,
        ExposureChangeKind::ClosedGap,
        ExposureChangeKind::Status,
        ExposureChangeKind::Severity,
        ExposureChangeKind::Added,
        ExposureChangeKind::Removed,
    ] {
        check(c, c.label());
    }
    // `Dropped::code` is the diagnostic code itself.
    for code in crate::diag::codes::ALL_CODES {
        check(code, code.name());
    }
}

/// Exposure changes are listed new gaps first, then closed gaps, status and severity changes,
/// and exposures in scope on one side only: the order the variants are declared in.
#[test]
fn exposure_changes_order_as_declared() {
    use ExposureChangeKind::*;
    let mut shuffled = [Removed, Severity, NewGap, Added, ClosedGap, Status];
    shuffled.sort();
    assert_eq!(
        shuffled,
        [NewGap, ClosedGap, Status, Severity, Added, Removed]
    );
}

/// The messages `migrate` prints after `error: `, word for word as they were when the error
/// was a string.
#[test]
fn migrate_errors_keep_their_messages() {
    let path = || "m.yaml".to_string();
    let cases = [
        (
            MigrateError::OtherDomain {
                path: path(),
                domain: "mobile".into(),
                target_domain: "enterprise".into(),
                target_version: "18.1".into(),
            },
            "m.yaml pins the ATT&CK mobile domain, but the target release is enterprise 18.1",
        ),
        (
            MigrateError::PinNotInText {
                path: path(),
                version: "17.1".into(),
            },
            "m.yaml: cannot find the pinned version `17.1` in the text to rewrite it",
        ),
        (
            MigrateError::OverlappingEdits { path: path() },
            "m.yaml: the planned edits overlap; nothing was changed",
        ),
        (
            MigrateError::WrongPinAfterEdits {
                path: path(),
                pinned: "17.1".into(),
                target: "18.1".into(),
            },
            "m.yaml: after the edits the file pins `17.1`, not 18.1; nothing was changed",
        ),
        (
            MigrateError::EditedFileBroken {
                path: path(),
                problem: "unknown problem".into(),
            },
            "m.yaml: the edited file would not parse (unknown problem); nothing was changed",
        ),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
    }
    let bad = Revocations::from_bundle(b"{").expect_err("not a bundle");
    let direct = serde_json::from_slice::<serde_json::Value>(b"{").expect_err("not JSON");
    assert_eq!(bad.to_string(), direct.to_string());
}
