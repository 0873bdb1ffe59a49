//! Property tests of the gap engine's invariants, on random models over the synthetic release.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::findings::{Exposure, Status};
use super::{ModelAnalysis, Options, analyze};
use crate::testing::{TODAY, kb, model};

const PLATFORMS: [&str; 4] = ["SaaS", "IaaS", "Linux", "Identity Provider"];
const TECHNIQUES: [&str; 9] = [
    "T1199",
    "T1078",
    "T1078.004",
    "T1656",
    "T1190",
    "T1530",
    "T1597.002",
    "T1021",
    "T1082",
];
const MITIGATIONS: [&str; 8] = [
    "M1032", "M1030", "M1018", "M1050", "M1017", "M1041", "M1056", "M1042",
];
const EXCLUDES: [&str; 4] = ["discovery", "T1078", "lateral-movement", "T1530"];
const DETECTIONS: [&str; 2] = ["DET0001", "DET0002"];
const TELEMETRY: [&str; 4] = ["\"auth:log\"", "\"app:log\"", "\"cloud:audit\"", "DC0001"];
const STATUSES: [&str; 3] = ["implemented", "partial", "planned"];

fn pick<'a>(list: &[&'a str], mask: u32) -> Vec<&'a str> {
    list.iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, s)| *s)
        .collect()
}

/// The YAML body (after the header) of a random model with `n` systems.
fn random_model(n: usize, bits: &[u32]) -> String {
    let bit = |i: usize| bits[i % bits.len()];
    let mut y = String::from("systems:\n");
    for s in 0..n {
        y.push_str(&format!(
            "  - {{id: s{s}, name: S{s}, platforms: [{}], exposure: {}, verifies: [{}], telemetry: [{}]}}\n",
            PLATFORMS[bit(s) as usize % PLATFORMS.len()],
            ["internet", "partner", "internal"][bit(s + 1) as usize % 3],
            if bit(s + 2) % 2 == 0 { "id-card-image" } else { "" },
            pick(&TELEMETRY, bit(s + 3)).join(", ")
        ));
    }
    y.push_str("data:\n");
    for d in 0..3 {
        let leaked = bit(d + 7) % 3 == 0;
        y.push_str(&format!(
            "  - {{id: d{d}, kind: {}, sensitivity: {}, stored_in: [s{}]{}}}\n",
            if bit(d + 5) % 2 == 0 {
                "id-card-image"
            } else {
                "pii"
            },
            ["public", "internal", "confidential", "restricted"][bit(d + 6) as usize % 4],
            bit(d + 8) as usize % n,
            if leaked { ", leaked: {year: 2017}" } else { "" }
        ));
    }
    y.push_str("flows:\n");
    for f in 0..n {
        let (a, b) = (bit(f + 9) as usize % n, bit(f + 10) as usize % n);
        y.push_str(&format!(
            "  - {{from: s{a}, to: s{b}, carries: [d{}], crosses_trust_boundary: {}}}\n",
            bit(f + 11) % 3,
            bit(f + 12) % 2 == 0
        ));
    }
    y.push_str("actors:\n");
    for a in 0..2 {
        let entry = if bit(a + 20) % 3 == 0 {
            format!(", entry: [s{}]", bit(a + 21) as usize % n)
        } else {
            String::new()
        };
        y.push_str(&format!(
            "  - {{id: a{a}, name: A{a}, groups: [{}], techniques: [{}], holds: [d{}], exclude: [{}]{entry}}}\n",
            if bit(a + 13) % 2 == 0 { "G0001" } else { "" },
            pick(&TECHNIQUES, bit(a + 14)).join(", "),
            bit(a + 15) % 3,
            pick(&EXCLUDES, bit(a + 22) % 4).join(", ")
        ));
    }
    y.push_str("controls:\n");
    for c in 0..3 {
        y.push_str(&format!(
            "  - {{id: c{c}, name: C{c}, mitigations: [{}], detections: [{}], counters: [{}], applies_to: [s{}], status: {}}}\n",
            pick(&MITIGATIONS, bit(c + 16)).join(", "),
            pick(&DETECTIONS, bit(c + 17)).join(", "),
            pick(&TECHNIQUES[..6], bit(c + 23) % 8).join(", "),
            bit(c + 18) as usize % n,
            STATUSES[bit(c + 19) as usize % 3]
        ));
    }
    y
}

/// Paths per (actor, data asset).
fn path_counts(a: &ModelAnalysis) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for p in &a.paths {
        *out.entry((p.actor.clone(), p.data.clone())).or_insert(0) += 1;
    }
    out
}

fn run(body: &str) -> ModelAnalysis {
    let kb = kb();
    let m = model(body, &kb);
    analyze(
        &m,
        &kb,
        &Options {
            ..Options::new(TODAY)
        },
    )
    .expect("analysis runs")
}

fn find<'a>(a: &'a ModelAnalysis, e: &Exposure) -> Option<&'a Exposure> {
    a.exposures
        .iter()
        .find(|x| x.actor == e.actor && x.technique == e.technique && x.system == e.system)
}

fn open(a: &ModelAnalysis) -> usize {
    a.exposures.iter().filter(|e| e.is_open()).count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn an_implemented_control_never_raises_a_risk_or_adds_reach_or_a_path(
        n in 1usize..6,
        bits in proptest::collection::vec(any::<u32>(), 24),
        mitigations in any::<u32>(),
        detections in any::<u32>(),
        counters in any::<u32>(),
        on in any::<u32>(),
    ) {
        let body = random_model(n, &bits);
        let before = run(&body);
        let extra = format!(
            "{body}  - {{id: extra, name: Extra, mitigations: [{}], detections: [{}], counters: [{}], detects: [{}], applies_to: [s{}], status: implemented}}\n",
            pick(&MITIGATIONS, mitigations).join(", "),
            pick(&DETECTIONS, detections).join(", "),
            pick(&TECHNIQUES, counters).join(", "),
            pick(&TECHNIQUES, counters >> 9).join(", "),
            on as usize % n
        );
        let after = run(&extra);
        for e in &after.exposures {
            let old = find(&before, e).expect("a control never adds an exposure");
            prop_assert!(e.risk <= old.risk, "risk rose: {:?}", e);
            prop_assert!(!(e.status == Status::Gap && old.status != Status::Gap), "a new gap: {:?}", e);
        }
        prop_assert!(after.open_risk <= before.open_risk);
        for (a, reach) in after.reach.iter().enumerate() {
            prop_assert!(reach.systems.iter().all(|s| before.reach[a].systems.contains(s)));
        }
        let (was, now) = (path_counts(&before), path_counts(&after));
        for (pair, count) in &now {
            prop_assert!(count <= was.get(pair).unwrap_or(&0), "more paths for {:?}", pair);
        }
    }

    #[test]
    fn accepting_a_risk_never_raises_a_severity(
        n in 1usize..6,
        bits in proptest::collection::vec(any::<u32>(), 24),
        which in any::<usize>(),
    ) {
        let body = random_model(n, &bits);
        let before = run(&body);
        prop_assume!(!before.exposures.is_empty());
        let target = &before.exposures[which % before.exposures.len()];
        let accepted = format!(
            "{body}accepted:\n  - {{technique: {}, system: {}, reason: r, owner: o, expires: 2030-01-01}}\n",
            target.technique, target.system
        );
        let after = run(&accepted);
        let now = find(&after, target).expect("still in scope");
        prop_assert_eq!(now.status, Status::Accepted);
        prop_assert_eq!(&before.paths, &after.paths, "an acceptance stops no attacker");
        for e in &after.exposures {
            let old = find(&before, e).expect("same scope");
            prop_assert!(e.severity <= old.severity);
            prop_assert!(e.status == old.status || e.status == Status::Accepted);
        }
        prop_assert!(open(&after) <= open(&before));
        prop_assert!(after.open_risk <= before.open_risk);
    }

    #[test]
    fn removing_a_flow_never_adds_reach(
        n in 2usize..6,
        bits in proptest::collection::vec(any::<u32>(), 24),
        which in any::<usize>(),
    ) {
        let body = random_model(n, &bits);
        let before = run(&body);
        let lines: Vec<&str> = body.lines().collect();
        let flows: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with("- {from:"))
            .map(|(i, _)| i)
            .collect();
        prop_assume!(!flows.is_empty());
        let drop = flows[which % flows.len()];
        let fewer: String = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != drop)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        let after = run(&fewer);
        for (a, reach) in after.reach.iter().enumerate() {
            prop_assert!(reach.systems.iter().all(|s| before.reach[a].systems.contains(s)));
        }
    }

    #[test]
    fn exclude_never_adds_exposures(
        n in 1usize..6,
        bits in proptest::collection::vec(any::<u32>(), 24),
        exclude in any::<u32>(),
    ) {
        let body = random_model(n, &bits);
        let before = run(&body);
        let narrowed = body.replacen(
            "exclude: [",
            &format!("exclude: [{}{}", pick(&EXCLUDES, exclude).join(", "), if pick(&EXCLUDES, exclude).is_empty() { "" } else { ", " }),
            1,
        );
        let narrowed = narrowed.replace(", ]", "]");
        let after = run(&narrowed);
        for e in &after.exposures {
            prop_assert!(find(&before, e).is_some(), "exclude added {:?}", e);
        }
    }

    #[test]
    fn the_analysis_is_deterministic_and_paths_are_walkable(
        n in 1usize..6,
        bits in proptest::collection::vec(any::<u32>(), 24),
    ) {
        let body = random_model(n, &bits);
        let (a, b) = (run(&body), run(&body));
        prop_assert_eq!(&a.exposures, &b.exposures);
        prop_assert_eq!(&a.paths, &b.paths);
        prop_assert_eq!(&a.plan, &b.plan);
        let walkable = |actor: &str, technique: &str, system: &str| {
            a.exposures.iter().any(|e| {
                e.actor == actor && e.technique == technique && e.system == system && e.walkable
            })
        };
        for p in &a.paths {
            for hop in &p.hops {
                for t in &hop.techniques {
                    prop_assert!(walkable(&p.actor, t, &hop.system), "{:?}", p);
                }
            }
            let last = p.hops.last().expect("a path has a hop");
            prop_assert!(!p.takes.is_empty());
            for t in &p.takes {
                prop_assert!(walkable(&p.actor, t, &last.system), "{:?}", p);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_plan_step_replays_with_assume_fix(
        n in 2usize..6,
        bits in proptest::collection::vec(any::<u32>(), 24),
    ) {
        let body = random_model(n, &bits);
        let kb = kb();
        let m = model(&body, &kb);
        let a = run(&body);
        for (k, step) in a.plan.iter().enumerate() {
            let options = Options {
                fixes: a.plan[..=k].iter().map(|s| s.fix.clone()).collect(),
                plan_steps: 0,
                ..Options::new(TODAY)
            };
            let replay = analyze(&m, &kb, &options).expect("replays");
            prop_assert_eq!(
                (replay.paths.len(), replay.open_risk),
                (step.paths_after, u64::from(step.risk_after)),
                "step {:?}", step
            );
        }
    }
}
