//! Unit tests of the revocation walk ([`super::fate`]) on made-up releases: chains, splits
//! that rejoin, cycles, and the memoised walk checked against the walk as it was before it
//! remembered what it had seen. The synthetic releases' fates are tested in `tests.rs`.
//!
//! Apart from `tests.rs` because these tests build their own bundles (`Made`, `made_bundle`,
//! `ladder`) rather than read the fixtures, and carry the old walk as a reference.

use super::fate::{Fate, Fates, Revocations, fate};
use super::release_diff::{self, Outcome};
use crate::attack::{KnowledgeBase, load_bundle};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

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
