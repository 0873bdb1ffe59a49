//! One test per rule of the gap engine, on the synthetic release of `crate::testing`.

use super::findings::*;
use super::{Options, analyze};
use crate::model::Model;
use crate::model::format::ControlStatus;
use crate::testing::{TODAY, kb, model};

fn run(body: &str) -> (Model, super::ModelAnalysis) {
    run_with(body, Options::default())
}

fn run_with(body: &str, options: Options) -> (Model, super::ModelAnalysis) {
    let kb = kb();
    let m = model(body, &kb);
    let options = Options {
        today: TODAY,
        ..options
    };
    let a = analyze(&m, &kb, &options).expect("analysis runs");
    (m, a)
}

fn find<'a>(
    a: &'a super::ModelAnalysis,
    actor: &str,
    technique: &str,
    system: &str,
) -> Option<&'a Exposure> {
    a.exposures
        .iter()
        .find(|e| e.actor == actor && e.technique == technique && e.system == system)
}

const CHAIN: &str = "
systems:
  - {id: app, name: App, platforms: [SaaS], exposure: internet, verifies: [id-card-image]}
  - {id: store, name: Store, platforms: [IaaS], exposure: partner}
  - {id: backend, name: Backend, platforms: [Linux], exposure: internal}
  - {id: island, name: Island, platforms: [Linux, SaaS], exposure: internal, verifies: [id-card-image]}
data:
  - {id: images, kind: id-card-image, sensitivity: restricted, stored_in: [store]}
  - {id: old-leak, kind: id-card-image, sensitivity: restricted, leaked: {year: 2017}}
flows:
  - {from: app, to: store, carries: [images], crosses_trust_boundary: true}
  - {from: store, to: backend}
";

#[test]
fn group_techniques_come_through_campaigns_and_respect_platforms() {
    let (_, a) = run(&format!(
        "{CHAIN}actors:\n  - {{id: crew, name: Crew, groups: [G0001], entry: [app]}}\ncontrols:\n  - {{id: k, name: K, applies_to: [island], status: planned}}\n"
    ));
    // T1530 (IaaS, SaaS) comes from campaign C0001 attributed to G0001.
    let e = find(&a, "crew", "T1530", "store").expect("T1530 on the store");
    assert_eq!(
        e.reasons,
        vec![Reason::GroupTechnique {
            groups: vec!["G0001".into()]
        }]
    );
    assert!(find(&a, "crew", "T1530", "app").is_some());
    // T1190 (Linux, IaaS) reaches the backend through the store, both ways along flows.
    assert!(find(&a, "crew", "T1190", "backend").is_some());
    assert!(
        find(&a, "crew", "T1190", "app").is_none(),
        "SaaS is not a T1190 platform"
    );
    // T1003 is Windows only: no system matches.
    assert!(a.exposures.iter().all(|e| e.technique != "T1003"));
    // The island has no flow: unreachable, so no group technique lands there.
    assert!(a.exposures.iter().all(|e| e.system != "island"));
}

#[test]
fn pre_techniques_are_preparation_not_exposures() {
    let (_, a) = run(&format!(
        "{CHAIN}actors:\n  - {{id: broker, name: Broker, techniques: [T1597.002], entry: [app]}}\ncontrols:\n  - {{id: k, name: K, applies_to: [island], status: planned}}\n"
    ));
    assert!(a.exposures.iter().all(|e| e.technique != "T1597.002"));
    assert_eq!(a.preparation.len(), 1);
    let p = &a.preparation[0];
    assert_eq!(p.technique, "T1597.002");
    // The parent's mitigation counts; the parent's only analytic names no log source.
    assert_eq!(
        p.mitigations
            .iter()
            .map(|m| m.id.as_str())
            .collect::<Vec<_>>(),
        vec!["M1056"]
    );
    assert_eq!(p.observability, Observability::NoLogSource);
}

#[test]
fn leaked_data_is_reused_on_every_verifier_reachable_or_not() {
    let (_, a) = run(&format!(
        "{CHAIN}actors:\n  - {{id: broker, name: Broker, holds: [old-leak], entry: [app]}}\n"
    ));
    for system in ["app", "island"] {
        for technique in ["T1656", "T1078"] {
            let e = find(&a, "broker", technique, system)
                .unwrap_or_else(|| panic!("{technique} on {system}"));
            assert!(e.reasons.contains(&Reason::Reuse {
                data: "old-leak".into()
            }));
        }
    }
    // The store verifies nothing: no reuse there.
    assert!(find(&a, "broker", "T1656", "store").is_none());
}

#[test]
fn reuse_techniques_can_be_changed() {
    let (_, a) = run(&format!(
        "reuse_techniques: [T1078.004]\n{CHAIN}actors:\n  - {{id: broker, name: Broker, holds: [old-leak], entry: [app]}}\n"
    ));
    assert!(find(&a, "broker", "T1078.004", "island").is_some());
    assert!(find(&a, "broker", "T1656", "island").is_none());
}

#[test]
fn trust_boundaries_give_trusted_relationship_on_the_far_end() {
    let (_, a) = run(&format!(
        "{CHAIN}actors:\n  - {{id: x, name: X, entry: [app]}}\ncontrols:\n  - {{id: k, name: K, applies_to: [island], status: planned}}\n"
    ));
    let e = find(&a, "x", "T1199", "store").expect("T1199 on the far end");
    assert_eq!(
        e.reasons,
        vec![Reason::TrustedRelationship {
            flow: "app->store".into()
        }]
    );
    assert!(
        find(&a, "x", "T1199", "app").is_none(),
        "the entry system is not a far end"
    );
    assert!(
        find(&a, "x", "T1199", "backend").is_none(),
        "that flow stays inside one trust domain"
    );
}

#[test]
fn explicit_and_derived_reasons_merge_into_one_exposure() {
    let (_, a) = run(&format!(
        "{CHAIN}actors:\n  - {{id: x, name: X, techniques: [T1530], entry: [app]}}\nthreats:\n  - {{id: raid, actor: x, technique: T1530, target: store}}\ncontrols:\n  - {{id: k, name: K, applies_to: [island], status: planned}}\n"
    ));
    let matching: Vec<&Exposure> = a
        .exposures
        .iter()
        .filter(|e| e.actor == "x" && e.technique == "T1530" && e.system == "store")
        .collect();
    assert_eq!(matching.len(), 1);
    assert_eq!(
        matching[0].reasons,
        vec![
            Reason::Explicit {
                threat: Some("raid".into())
            },
            Reason::ActorTechnique
        ]
    );
    // The explicit threat is the most specific reason: its line is the location.
    assert_eq!(matching[0].location.line, 19);
}

const COVERAGE: &str = "
systems:
  - {id: portal, name: Portal, platforms: [SaaS], exposure: internet, telemetry: [\"auth:log\"]}
  - {id: server, name: Server, platforms: [Linux], exposure: internet, telemetry: [DC0001]}
data:
  - {id: records, kind: pii, sensitivity: confidential, stored_in: [portal, server]}
actors:
  - {id: x, name: X, techniques: [T1078.004, T1078, T1190, T1656]}
";

#[test]
fn parent_mitigations_and_telemetry_cover_a_sub_technique() {
    let (_, a) = run(&format!(
        "{COVERAGE}controls:\n  - {{id: mfa, name: MFA, mitigations: [M1032], applies_to: [portal], status: implemented}}\n"
    ));
    let e = find(&a, "x", "T1078.004", "portal").expect("exposure");
    // M1032 mitigates the parent T1078; AN0001 (SaaS) needs DC0001, which auth:log supplies.
    assert_eq!(e.mitigations.implemented, vec!["M1032"]);
    assert_eq!(e.detection.implemented, vec!["DET0001"]);
    assert_eq!(e.status, Status::Covered);
    assert_eq!(e.controls, vec!["mfa"]);
}

#[test]
fn an_analytic_needs_every_component_on_a_matching_platform() {
    let (_, a) = run(&format!(
        "{COVERAGE}controls:\n  - {{id: mfa, name: MFA, mitigations: [M1032], applies_to: [portal], status: implemented}}\n"
    ));
    let e = find(&a, "x", "T1078", "server").expect("exposure");
    // AN0002 (Linux) needs DC0001 and DC0003; the server only collects DC0001.
    assert!(e.detection.implemented.is_empty());
    assert_eq!(
        e.detection
            .missing_data_components
            .iter()
            .map(|n| n.id.as_str())
            .collect::<Vec<_>>(),
        vec!["DC0003"]
    );
    assert_eq!(e.status, Status::Gap);
    assert_eq!(
        e.mitigations
            .missing
            .iter()
            .map(|n| n.id.as_str())
            .collect::<Vec<_>>(),
        vec!["M1018", "M1032"]
    );
}

#[test]
fn partial_and_planned_controls() {
    let (_, a) = run(&format!(
        "{COVERAGE}controls:
  - {{id: waf, name: WAF, mitigations: [M1050], applies_to: [server], status: partial}}
  - {{id: training, name: Training, mitigations: [M1017], applies_to: [server], status: planned}}
"
    ));
    let e = find(&a, "x", "T1190", "server").expect("exposure");
    assert_eq!(e.status, Status::Partial);
    assert_eq!(e.mitigations.partial, vec!["M1050"]);
    // confidential (3) x internet (3) = 9, critical; partial drops one level.
    assert_eq!((e.score, e.severity), (9, Severity::High));
    let e = find(&a, "x", "T1656", "server").expect("exposure");
    assert_eq!(e.status, Status::Gap, "planned controls count for nothing");
    assert_eq!(e.mitigations.planned, vec!["M1017"]);
    assert_eq!(e.severity, Severity::Critical);
}

#[test]
fn acceptances_apply_until_they_expire() {
    let body = format!(
        "{COVERAGE}controls:\n  - {{id: k, name: K, mitigations: [M1050], applies_to: [server], status: planned}}\naccepted:
  - {{technique: T1078, reason: every system, owner: CISO, expires: 2027-01-01}}
  - {{technique: T1190, system: server, reason: r, owner: CISO, expires: 2026-01-01}}
  - {{technique: T1656, system: portal, actor: x, reason: r, owner: CISO, expires: 2027-01-01}}
"
    );
    let kb = kb();
    let text = format!("{}{body}", crate::testing::HEADER);
    let crate::model::Parsed::File(file) = crate::model::parse(&text, "test.yaml") else {
        panic!("parses")
    };
    let (m, diagnostics) = crate::model::check(&file, &kb, "test.yaml", TODAY);
    let m = m.expect("valid despite the expired acceptance");
    assert!(
        diagnostics
            .iter()
            .any(|d| d.code == crate::diag::Code::ExpiredAcceptance)
    );
    let a = analyze(
        &m,
        &kb,
        &Options {
            today: TODAY,
            ..Options::default()
        },
    )
    .expect("runs");
    let e = find(&a, "x", "T1078", "server").expect("exposure");
    assert_eq!(e.status, Status::Accepted);
    assert_eq!(
        e.acceptance.as_ref().map(|n| n.owner.as_str()),
        Some("CISO")
    );
    // Accepting the parent T1078 (on every system) covers its sub-technique too.
    assert_eq!(
        find(&a, "x", "T1078.004", "portal").map(|e| e.status),
        Some(Status::Accepted)
    );
    // Expired: the status stays as computed, and the report warns.
    assert_eq!(
        find(&a, "x", "T1190", "server").map(|e| e.status),
        Some(Status::Gap)
    );
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("expired on 2026-01-01"))
    );
    assert_eq!(
        find(&a, "x", "T1656", "portal").map(|e| e.status),
        Some(Status::Accepted)
    );
}

#[test]
fn attack_paths_go_through_gaps_only() {
    let body = "
systems:
  - {id: front, name: Front, platforms: [Linux], exposure: internet}
  - {id: middle, name: Middle, platforms: [Linux], exposure: internal}
  - {id: vault, name: Vault, platforms: [Linux], exposure: internal}
data:
  - {id: secrets, kind: pii, sensitivity: restricted, stored_in: [vault]}
  - {id: menu, kind: menu, sensitivity: public, stored_in: [vault]}
flows:
  - {from: front, to: middle}
  - {from: middle, to: vault}
actors:
  - {id: x, name: X, techniques: [T1190]}
";
    let (_, a) = run(&format!(
        "{body}controls:\n  - {{id: waf, name: WAF, mitigations: [M1050], applies_to: [middle], status: planned}}\n"
    ));
    assert_eq!(a.paths.len(), 1, "{:?}", a.paths);
    let p = &a.paths[0];
    assert_eq!(
        (p.actor.as_str(), p.data.as_str(), p.start),
        ("x", "secrets", "entry")
    );
    let hops: Vec<&str> = p.hops.iter().map(|h| h.system.as_str()).collect();
    assert_eq!(hops, vec!["front", "middle", "vault"]);
    assert_eq!(p.hops[1].techniques, vec!["T1190"]);
    // A control that closes the middle hop's only gap breaks the path.
    let (_, a) = run(&format!(
        "{body}controls:\n  - {{id: waf, name: WAF, mitigations: [M1050], applies_to: [middle], status: partial}}\n"
    ));
    assert!(a.paths.is_empty(), "{:?}", a.paths);
}

#[test]
fn reuse_opens_paths_at_verifiers() {
    let (_, a) = run(&format!(
        "{CHAIN}actors:\n  - {{id: broker, name: Broker, holds: [old-leak], entry: []}}\n"
    ));
    let p = a
        .paths
        .iter()
        .find(|p| p.data == "images")
        .expect("a path to the images");
    assert_eq!(p.start, "reuse");
    assert_eq!(p.via_data.as_deref(), Some("old-leak"));
    assert_eq!(p.hops[0].system, "app");
}

#[test]
fn priorities_rank_fixes_by_weighted_gaps() {
    let (_, a) = run(&format!(
        "{COVERAGE}controls:\n  - {{id: k, name: K, applies_to: [portal], status: planned}}\n"
    ));
    let top = &a.priorities[0];
    assert!(a.priorities.windows(2).all(|w| w[0].score >= w[1].score));
    // Every critical gap on a system weighs 8.
    assert_eq!(top.score % 2, 0);
    assert!(top.exposures >= 1);
}

#[test]
fn assuming_a_control_implemented_says_what_changes() {
    let options = Options {
        assume: vec![("waf".into(), ControlStatus::Implemented)],
        ..Options::default()
    };
    let (_, a) = run_with(
        &format!(
            "{COVERAGE}controls:\n  - {{id: waf, name: WAF, mitigations: [M1050], applies_to: [server], status: planned}}\n"
        ),
        options,
    );
    let change = a
        .what_if
        .iter()
        .find(|c| c.technique == "T1190" && c.system == "server")
        .expect("T1190 on the server changes");
    assert_eq!(change.before.status, Status::Gap);
    assert_eq!(change.after.status, Status::Partial);
    assert_eq!(
        find(&a, "x", "T1190", "server").map(|e| e.status),
        Some(Status::Partial)
    );
}

#[test]
fn unknown_assumed_control_is_an_error() {
    let kb = kb();
    let m = model(
        &format!(
            "{COVERAGE}controls:\n  - {{id: k, name: K, applies_to: [portal], status: planned}}\n"
        ),
        &kb,
    );
    let options = Options {
        assume: vec![("nope".into(), ControlStatus::Implemented)],
        today: TODAY,
        ..Options::default()
    };
    assert!(analyze(&m, &kb, &options).is_err());
}

#[test]
fn adding_an_implemented_control_never_adds_a_gap() {
    let base = format!(
        "{COVERAGE}controls:\n  - {{id: k, name: K, applies_to: [portal], status: planned}}\n"
    );
    let (_, before) = run(&base);
    let (_, after) = run(&format!(
        "{base}  - {{id: more, name: More, mitigations: [M1032, M1050], detections: [DET0001], applies_to: [portal, server], status: implemented}}\n"
    ));
    let gaps = |a: &super::ModelAnalysis| {
        a.exposures
            .iter()
            .filter(|e| e.status == Status::Gap)
            .count()
    };
    assert!(gaps(&after) <= gaps(&before));
    for e in &after.exposures {
        let old = find(&before, &e.actor, &e.technique, &e.system).expect("same scope");
        assert!(e.severity <= old.severity || old.status != Status::Gap);
    }
}

#[test]
fn log_source_names_meet_the_references_that_name_them() {
    let (_, a) = run("
systems:
  - {id: server, name: Server, platforms: [Linux], exposure: internet, telemetry: [\"auth:log\", \"APP:LOG\"]}
  - {id: other, name: Other, platforms: [Linux], exposure: internet, telemetry: [\"cloud:audit\"]}
actors:
  - {id: x, name: X, techniques: [T1078]}
");
    // AN0002 reads auth:log (DC0001) and app:log (DC0003); names match case-insensitively.
    let e = find(&a, "x", "T1078", "server").expect("exposure");
    assert_eq!(e.detection.implemented, vec!["DET0001"]);
    // cloud:audit meets nothing AN0002 reads: both of its components are missing.
    let e = find(&a, "x", "T1078", "other").expect("exposure");
    assert!(e.detection.implemented.is_empty());
    assert_eq!(
        e.detection
            .missing_data_components
            .iter()
            .map(|n| n.id.as_str())
            .collect::<Vec<_>>(),
        vec!["DC0001", "DC0003"]
    );
}

#[test]
fn the_path_search_budget_is_enforced_and_reported() {
    let body = "
systems:
  - {id: front, name: Front, platforms: [Linux], exposure: internet}
  - {id: vault, name: Vault, platforms: [Linux], exposure: internal}
data:
  - {id: secrets, kind: pii, sensitivity: restricted, stored_in: [vault]}
  - {id: more-secrets, kind: pii, sensitivity: restricted, stored_in: [vault]}
flows:
  - {from: front, to: vault}
actors:
  - {id: x, name: X, techniques: [T1190]}
";
    let (_, a) = run_with(
        body,
        Options {
            path_budget: 1,
            ..Options::default()
        },
    );
    assert_eq!(a.paths.len(), 1);
    assert!(
        a.warnings.iter().any(|w| w.contains("path search budget")),
        "{:?}",
        a.warnings
    );
}
