//! Unit tests of the upgrade module on the synthetic releases 90.0 and 91.0
//! (`tests/fixtures/upgrade/stix/`), made up to contain every kind of change: fates, release
//! and model diffs, migration, unified diffs and the labels. The revocation walk on graphs
//! built for it is tested in `fate_tests.rs`.

use super::fate::{Fate, Revocations, fate};
use super::migrate::{Input, MigrateError, Problem, Reason, Subject, migrate};
use super::model_diff::{Change, ExposureChangeKind, NewReason, Releases};
use super::references::{Resolved, match_across};
use super::release_diff::Outcome;
use super::text::unified_diff;
use super::*;
use crate::attack::{Kind, KnowledgeBase, load_bundle};
use crate::model::{self, Parsed};
use crate::testing::TODAY;

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
