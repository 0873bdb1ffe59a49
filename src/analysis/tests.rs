//! One test per rule of the gap engine (rules 2), on the synthetic release of `crate::testing`.

use super::findings::*;
use super::{Options, analyze};
use crate::model::Model;
use crate::model::format::ControlStatus;
use crate::testing::{TODAY, kb, model};

fn run(body: &str) -> (Model, super::ModelAnalysis) {
    run_with(body, Options::new(TODAY))
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

fn systems_of<'a>(a: &'a super::ModelAnalysis, actor: &str) -> Vec<&'a str> {
    let mut out: Vec<&str> = a
        .exposures
        .iter()
        .filter(|e| e.actor == actor)
        .map(|e| e.system.as_str())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn reached(a: &super::ModelAnalysis, actor: usize) -> Vec<&str> {
    a.reach[actor].systems.iter().map(String::as_str).collect()
}

/// An internet front door to an internal back end.
const DOOR: &str = "
systems:
  - {id: front, name: Front, platforms: [Linux], exposure: internet}
  - {id: back, name: Back, platforms: [Linux], exposure: internal}
data:
  - {id: records, kind: pii, sensitivity: restricted, stored_in: [back]}
flows:
  - {from: front, to: back}
actors:
  - {id: x, name: X, techniques: [T1190, T1082]}
";

#[test]
fn a_default_entry_needs_a_walkable_initial_access_technique() {
    let (_, a) = run(DOOR);
    assert_eq!(reached(&a, 0), vec!["front", "back"]);
    assert!(find(&a, "x", "T1082", "back").is_some());

    // An implemented WAF on the front door prevents the only way in.
    let (_, a) = run(&format!(
        "{DOOR}controls:\n  - {{id: waf, name: WAF, mitigations: [M1050], applies_to: [front], status: implemented}}\n"
    ));
    assert!(reached(&a, 0).is_empty());
    // The attempt is still an exposure (the frontier), prevented and so partial.
    let e = find(&a, "x", "T1190", "front").expect("the attempt on the front door");
    assert!(!e.walkable);
    assert_eq!(e.status, Status::Partial);
    assert_eq!(e.prevented_by, vec!["waf"]);
    // Nothing the actor could only do once inside.
    assert!(find(&a, "x", "T1082", "front").is_none());
    assert!(systems_of(&a, "x") == vec!["front"]);
}

/// An insider's desk, next to an archive and the core system; nothing crosses a trust boundary.
const DESK: &str = "
systems:
  - {id: desk, name: Desk, platforms: [Linux], exposure: internal}
  - {id: archive, name: Archive, platforms: [IaaS], exposure: internal}
  - {id: core, name: Core, platforms: [Linux], exposure: internal}
data:
  - {id: scans, kind: id-card-image, sensitivity: restricted, stored_in: [archive]}
flows:
  - {from: desk, to: archive}
  - {from: desk, to: core}
";

#[test]
fn an_insider_without_movement_techniques_stays_where_it_is() {
    let (_, a) = run(&format!(
        "{DESK}actors:\n  - {{id: insider, name: Insider, techniques: [T1530, T1082], entry: [desk]}}\n"
    ));
    assert_eq!(reached(&a, 0), vec!["desk"]);
    assert_eq!(systems_of(&a, "insider"), vec!["desk"]);
    assert!(a.paths.is_empty());

    // Remote services (lateral movement) take it to both neighbours, and to the scans.
    let (_, a) = run(&format!(
        "{DESK}actors:\n  - {{id: insider, name: Insider, techniques: [T1530, T1082, T1021], entry: [desk]}}\n"
    ));
    assert_eq!(reached(&a, 0), vec!["desk", "archive", "core"]);
    assert!(find(&a, "insider", "T1530", "archive").is_some());
    let p = a.paths.iter().find(|p| p.data == "scans").expect("a path");
    assert_eq!(p.start, "entry");
    let hops: Vec<&str> = p.hops.iter().map(|h| h.system.as_str()).collect();
    assert_eq!(hops, vec!["desk", "archive"]);
    assert!(
        p.hops[0].techniques.is_empty(),
        "an entry needs no technique"
    );
    assert_eq!(p.hops[1].techniques, vec!["T1021"]);
    assert_eq!(p.takes, vec!["T1530"]);
}

#[test]
fn only_prevention_stops_a_step() {
    let actor =
        "actors:\n  - {id: insider, name: Insider, techniques: [T1530, T1021], entry: [desk]}\n";
    let reach_with = |controls: &str, accepted: &str| {
        let (_, a) = run(&format!("{DESK}{actor}controls:\n{controls}{accepted}"));
        a.reach[0].systems.clone()
    };
    let all = vec!["desk", "archive", "core"];
    // Detecting the step does not stop it, nor does accepting it, nor a partial control.
    assert_eq!(
        reach_with(
            "  - {id: edr, name: EDR, detects: [T1021], applies_to: [core], status: implemented}\n",
            "accepted:\n  - {technique: T1021, system: archive, reason: r, owner: o, expires: 2027-01-01}\n"
        ),
        all
    );
    assert_eq!(
        reach_with(
            "  - {id: jump, name: Jump host, counters: [T1021], applies_to: [core], status: partial}\n",
            ""
        ),
        all
    );
    // Preventing it does.
    assert_eq!(
        reach_with(
            "  - {id: jump, name: Jump host, counters: [T1021], applies_to: [core], status: implemented}\n",
            ""
        ),
        vec!["desk", "archive"]
    );
    assert_eq!(
        reach_with(
            "  - {id: disable, name: Disable, mitigations: [M1042], applies_to: [archive, core], status: implemented}\n",
            ""
        ),
        vec!["desk"]
    );
}

/// An onboarding app trusted by a vendor's store, behind which sits a back end.
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
fn leaked_data_gives_footholds_where_reuse_is_walkable() {
    let (_, a) = run(&format!(
        "{CHAIN}actors:\n  - {{id: broker, name: Broker, holds: [old-leak], entry: []}}\n"
    ));
    // Reuse on every verifier, reached or not, and a foothold on each.
    for system in ["app", "island"] {
        for technique in ["T1656", "T1078"] {
            let e = find(&a, "broker", technique, system)
                .unwrap_or_else(|| panic!("{technique} on {system}"));
            assert!(e.reasons.contains(&Reason::Reuse {
                data: "old-leak".into()
            }));
            assert_eq!(e.role, Role::Takes, "reuse is the fraudster's objective");
            assert_eq!(e.evidence, Evidence::Modelled);
        }
    }
    // The app is on the internet: a foothold. The island verifies the same evidence but is
    // internal: its reuse exposures stay, but the broker cannot present anything there. The
    // trust boundary carries it from the app into the store (T1199), not further.
    assert_eq!(reached(&a, 0), vec!["app", "store"]);
    let p = a.paths.iter().find(|p| p.data == "images").expect("a path");
    assert_eq!(
        (p.start, p.via_data.as_deref()),
        ("reuse", Some("old-leak"))
    );
    assert_eq!(p.hops.len(), 1, "the app carries the images: {p:?}");

    // Countering impersonation and stolen accounts at the app removes that foothold.
    let (_, a) = run(&format!(
        "{CHAIN}actors:\n  - {{id: broker, name: Broker, holds: [old-leak], entry: []}}\ncontrols:\n  - {{id: liveness, name: Liveness and chip read, counters: [T1656, T1078], applies_to: [app], status: implemented}}\n"
    ));
    assert!(reached(&a, 0).is_empty());
    let e = find(&a, "broker", "T1656", "app").expect("still in scope");
    assert!(!e.walkable);
    assert_eq!(e.prevented_by, vec!["liveness"]);
    assert!(a.paths.is_empty());
}

#[test]
fn trust_rule_exposures_sit_on_the_far_ends_of_trust_boundaries() {
    let (_, a) = run(&format!(
        "{CHAIN}actors:\n  - {{id: x, name: X, entry: [app]}}\n"
    ));
    let e = find(&a, "x", "T1199", "store").expect("T1199 on the far end");
    assert_eq!(
        e.reasons,
        vec![Reason::TrustedRelationship {
            flow: "app->store".into()
        }]
    );
    assert_eq!(e.role, Role::Moves);
    assert!(find(&a, "x", "T1199", "app").is_none(), "not on its entry");
    assert!(
        find(&a, "x", "T1199", "backend").is_none(),
        "one trust domain"
    );
    assert_eq!(reached(&a, 0), vec!["app", "store"]);
}

#[test]
fn the_frontier_holds_only_the_attempts_to_get_in() {
    let (_, a) = run(&format!(
        "{DESK}actors:\n  - {{id: x, name: X, techniques: [T1082, T1021, T1530], entry: [desk]}}\ncontrols:\n  - {{id: disable, name: Disable, mitigations: [M1042], applies_to: [archive], status: implemented}}\n"
    ));
    // The archive is one flow away and the step into it is prevented: only the attempt shows.
    assert!(find(&a, "x", "T1021", "archive").is_some());
    assert!(find(&a, "x", "T1530", "archive").is_none());
    assert!(find(&a, "x", "T1082", "archive").is_none());
    // The core is reached: everything matching its platforms.
    assert!(find(&a, "x", "T1082", "core").is_some());
}

#[test]
fn exclude_narrows_what_the_actor_brings_but_never_threats() {
    let crew = |exclude: &str| {
        run(&format!(
            "{DOOR}  - {{id: crew, name: Crew, groups: [G0001], techniques: [T1078.004], exclude: {exclude}}}\nthreats:\n  - {{actor: crew, technique: T1082, target: back}}\n"
        ))
        .1
    };
    let full = crew("[]");
    assert!(find(&full, "crew", "T1082", "front").is_some());
    // A tactic: T1082 (discovery only) goes, except where a threat names it.
    let narrowed = crew("[discovery]");
    assert!(find(&narrowed, "crew", "T1082", "front").is_none());
    assert!(find(&narrowed, "crew", "T1082", "back").is_some());
    assert!(
        narrowed.exposures.iter().all(|e| e.actor != "crew"
            || e.technique != "T1082"
            || e.evidence == Evidence::Explicit)
    );
    // An ID removes its sub-techniques too; a technique keeps a tactic not excluded.
    let narrowed = crew("[T1078, T1190]");
    assert!(
        narrowed
            .exposures
            .iter()
            .all(|e| e.actor != "crew" || !matches!(e.technique.as_str(), "T1078.004" | "T1190"))
    );
    // Excluding never adds anything.
    assert!(narrowed.exposures.len() <= full.exposures.len());
}

#[test]
fn risk_multiplies_impact_likelihood_evidence_and_role() {
    let (_, a) = run(&format!(
        "{CHAIN}actors:\n  - {{id: crew, name: Crew, groups: [G0001], entry: [app]}}\nthreats:\n  - {{id: raid, actor: crew, technique: T1530, target: store}}\n"
    ));
    // Store: restricted images (4) x partner (2) x explicit (3) x takes (3) = 72.
    let e = find(&a, "crew", "T1530", "store").expect("the raid");
    assert_eq!(e.evidence, Evidence::Explicit);
    assert_eq!((e.impact, e.likelihood, e.role), (4, 2, Role::Takes));
    assert_eq!(e.risk, 72);
    assert_eq!(e.severity, Severity::Critical);
    // Group-inferred discovery on the back end: 1 x 1 x 1 x supports 1 = 1, low.
    let e = find(&a, "crew", "T1082", "backend").expect("inferred discovery");
    assert_eq!(
        (e.evidence, e.role, e.risk),
        (Evidence::Inferred, Role::Supports, 1)
    );
    assert_eq!(e.severity, Severity::Low);
    // No supporting technique can be critical: 4 x 3 x 3 x 1 = 36 at most.
    assert!(
        a.exposures
            .iter()
            .all(|e| e.role != Role::Supports || e.severity != Severity::Critical)
    );
}

#[test]
fn critical_needs_an_attack_path_or_an_explicit_threat() {
    // Reuse at the island: 4 (the leak is not stored there, so impact 1)... use a verifier that
    // stores restricted data but from which no path leaves.
    let body = "
systems:
  - {id: kiosk, name: Kiosk, platforms: [SaaS], exposure: internet, verifies: [id-card-image]}
data:
  - {id: leak, kind: id-card-image, sensitivity: restricted, leaked: {year: 2015}}
  - {id: feed, kind: pii, sensitivity: restricted, leaked: {year: 2016}, stored_in: [kiosk]}
actors:
  - {id: ring, name: Ring, holds: [leak], entry: []}
";
    let (_, a) = run(body);
    // 4 x 3 x 2 x 3 = 72, but the only data there is itself leaked: no path, so high.
    let e = find(&a, "ring", "T1656", "kiosk").expect("reuse");
    assert_eq!(e.risk, 72);
    assert!(!e.on_path);
    assert_eq!(e.severity, Severity::High);
    // The same with unleaked data on the kiosk: a path, so critical.
    let (_, a) = run(&body.replace(", leaked: {year: 2016}", ""));
    let e = find(&a, "ring", "T1656", "kiosk").expect("reuse");
    assert!(e.on_path);
    assert_eq!(e.severity, Severity::Critical);
}

const COVERAGE: &str = "
systems:
  - {id: portal, name: Portal, platforms: [SaaS], exposure: internet, telemetry: [\"auth:log\"]}
  - {id: server, name: Server, platforms: [Linux], exposure: internet, telemetry: [DC0001]}
  - {id: bucket, name: Bucket, platforms: [IaaS], exposure: internet, telemetry: [\"cloud:audit\"]}
data:
  - {id: records, kind: pii, sensitivity: confidential, stored_in: [portal, server]}
actors:
  - {id: x, name: X, techniques: [T1078.004, T1078, T1190, T1656, T1530], entry: [portal, server, bucket]}
";

#[test]
fn having_logs_is_not_detecting() {
    let (_, a) = run(&format!(
        "{COVERAGE}controls:\n  - {{id: mfa, name: MFA, mitigations: [M1032], applies_to: [portal], status: implemented}}\n"
    ));
    // AN0001 (SaaS) reads auth:log: the portal could see T1078.004, but nobody detects it.
    let e = find(&a, "x", "T1078.004", "portal").expect("exposure");
    assert!(e.visible);
    assert_eq!(e.detection.visible_analytics, vec!["AN0001"]);
    assert!(e.detection.implemented.is_empty());
    assert_eq!(
        e.mitigations.implemented,
        vec!["M1032"],
        "the parent's mitigation"
    );
    assert_eq!(e.status, Status::Partial);
    // A detection strategy in place (or `detects`) makes it covered.
    let (_, a) = run(&format!(
        "{COVERAGE}controls:\n  - {{id: mfa, name: MFA, mitigations: [M1032], detections: [DET0001], applies_to: [portal], status: implemented}}\n"
    ));
    let e = find(&a, "x", "T1078.004", "portal").expect("exposure");
    assert_eq!(e.status, Status::Covered);
    assert_eq!(e.detected_by, vec!["mfa"]);
}

#[test]
fn a_log_source_name_stands_for_its_components() {
    let (_, a) = run(&format!(
        "{COVERAGE}controls:\n  - {{id: k, name: K, applies_to: [portal], status: planned}}\n"
    ));
    // The bucket lists cloud:audit, which the release lists for DC0002: it meets AN0003 (which
    // names cloud:audit) and AN0005 (which reads DC0002 through other:audit).
    let e = find(&a, "x", "T1530", "bucket").expect("exposure");
    assert_eq!(e.detection.visible_analytics, vec!["AN0003", "AN0005"]);
    // AN0002 (Linux) needs DC0001 and DC0003; the server collects only DC0001.
    let e = find(&a, "x", "T1078", "server").expect("exposure");
    assert!(!e.visible);
    assert_eq!(
        e.detection
            .missing_data_components
            .iter()
            .map(|n| n.id.as_str())
            .collect::<Vec<_>>(),
        vec!["DC0003"]
    );
}

#[test]
fn counters_and_detects_speak_the_defenders_language() {
    let (_, a) = run(&format!(
        "{COVERAGE}controls:
  - {{id: screening, name: Leaked-image screening, counters: [T1656, T1078], detects: [T1656], applies_to: [portal], status: implemented}}
  - {{id: recheck, name: Registry re-check, counters: [T1656], applies_to: [server], status: partial}}
"
    ));
    let e = find(&a, "x", "T1656", "portal").expect("exposure");
    assert_eq!(e.status, Status::Covered);
    assert_eq!(
        (e.prevented_by.clone(), e.detected_by.clone()),
        (vec!["screening".to_string()], vec!["screening".to_string()])
    );
    // A parent covers its sub-techniques.
    let e = find(&a, "x", "T1078.004", "portal").expect("exposure");
    assert!(!e.walkable);
    assert_eq!(e.status, Status::Partial);
    // A partial control leaves it partial and walkable.
    let e = find(&a, "x", "T1656", "server").expect("exposure");
    assert_eq!(e.status, Status::Partial);
    assert!(e.walkable);
    assert_eq!(e.controls, vec!["recheck"]);
}

#[test]
fn planned_controls_count_for_nothing_and_partial_halves_the_risk() {
    let (_, a) = run(&format!(
        "{COVERAGE}controls:
  - {{id: waf, name: WAF, mitigations: [M1050], applies_to: [server], status: partial}}
  - {{id: training, name: Training, mitigations: [M1017], applies_to: [server], status: planned}}
"
    ));
    let e = find(&a, "x", "T1190", "server").expect("exposure");
    assert_eq!(e.status, Status::Partial);
    // confidential (3) x internet (3) x modelled (2) x moves (2) = 36, halved.
    assert_eq!(e.risk, 18);
    assert_eq!(e.severity, Severity::Medium);
    let e = find(&a, "x", "T1656", "server").expect("exposure");
    assert_eq!(e.status, Status::Gap);
    assert_eq!(e.mitigations.planned, vec!["M1017"]);
}

#[test]
fn recommendations_rank_fixes_by_the_risk_they_remove_there() {
    let (_, a) = run(&format!(
        "{COVERAGE}controls:\n  - {{id: k, name: K, applies_to: [portal], status: planned}}\n"
    ));
    // On the server, M1032 and M1018 each halve T1078; M1032 is ATT&CK's mitigation of
    // T1078 only, and so is M1018: a tie, broken by ID.
    let e = find(&a, "x", "T1078", "server").expect("exposure");
    let fixes: Vec<&str> = e.recommended.iter().map(|r| r.fix.as_str()).collect();
    assert_eq!(fixes[0], "M1018@server");
    assert!(
        e.recommended
            .windows(2)
            .all(|w| w[0].removes_risk >= w[1].removes_risk)
    );
    // On the portal, DET0001 detects both T1078 and T1078.004 there: it removes more.
    let e = find(&a, "x", "T1078.004", "portal").expect("exposure");
    assert_eq!(e.recommended[0].fix, "M1018@portal");
    assert!(
        a.priorities
            .windows(2)
            .all(|w| w[0].removes_risk >= w[1].removes_risk)
    );
}

#[test]
fn findings_group_exposures_and_add_up_their_open_risk() {
    let (_, a) = run(&format!(
        "{CHAIN}actors:
  - {{id: broker, name: Broker, holds: [old-leak], entry: []}}
  - {{id: ring, name: Ring, holds: [old-leak], entry: []}}
"
    ));
    let f = a
        .findings
        .iter()
        .find(|f| f.system == "app" && f.technique == "T1656")
        .expect("a finding");
    assert_eq!(f.actors, vec!["broker", "ring"]);
    let each = find(&a, "broker", "T1656", "app").expect("exposure").risk;
    assert_eq!(f.risk, 2 * each);
    assert!(a.findings.windows(2).all(|w| w[0].risk >= w[1].risk));
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
    let options = Options {
        ..Options::new(TODAY)
    };
    let a = analyze(&m, &kb, &options).expect("runs");
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
}

const VAULT: &str = "
systems:
  - {id: door, name: Door, platforms: [IaaS], exposure: internet}
  - {id: hall, name: Hall, platforms: [IaaS], exposure: internal}
  - {id: vault, name: Vault, platforms: [IaaS], exposure: internal}
data:
  - {id: gold, kind: pii, sensitivity: restricted, stored_in: [vault]}
flows:
  - {from: door, to: hall}
  - {from: hall, to: vault}
  - {from: door, to: vault}
actors:
  - {id: x, name: X, techniques: [T1190, T1530]}
";

#[test]
fn a_partial_control_does_not_break_a_path() {
    let (_, a) = run(&format!(
        "{VAULT}controls:\n  - {{id: mfa, name: MFA, mitigations: [M1050, M1041], applies_to: [door, vault], status: partial}}\n"
    ));
    let p = a.paths.first().expect("a path");
    let hops: Vec<&str> = p.hops.iter().map(|h| h.system.as_str()).collect();
    assert_eq!((p.start, hops), ("initial-access", vec!["door", "vault"]));
    assert_eq!(p.hops[0].techniques, vec!["T1190"]);
}

#[test]
fn paths_are_fewest_hops_first_and_end_where_the_actor_takes() {
    let body = VAULT;
    let (_, a) = run(body);
    let hops: Vec<Vec<&str>> = a
        .paths
        .iter()
        .map(|p| p.hops.iter().map(|h| h.system.as_str()).collect())
        .collect();
    assert_eq!(
        hops,
        vec![vec!["door", "vault"], vec!["door", "hall", "vault"]]
    );
    assert!(a.paths.iter().all(|p| p.takes == vec!["T1530"]));
    // Encrypting the vault's data (M1041 prevents T1530 there) leaves nothing to take.
    let (_, a) = run(&format!(
        "{body}controls:\n  - {{id: kms, name: KMS, mitigations: [M1041], applies_to: [vault], status: implemented}}\n"
    ));
    assert!(a.paths.is_empty());
}

/// Replays every step of a model's plan as `--assume-fix` on top of the steps before it.
fn assert_plan_replays(m: &Model, a: &super::ModelAnalysis) {
    let kb = kb();
    assert!(
        a.plan
            .windows(2)
            .all(|w| w[0].paths_after == w[1].paths_before && w[0].risk_after == w[1].risk_before)
    );
    for (k, step) in a.plan.iter().enumerate() {
        let options = Options {
            fixes: a.plan[..=k].iter().map(|s| s.fix.clone()).collect(),
            plan_steps: 0,
            ..Options::new(TODAY)
        };
        let replay = analyze(m, &kb, &options).expect("replays");
        assert_eq!(
            (replay.paths.len(), replay.open_risk),
            (step.paths_after, u64::from(step.risk_after)),
            "step {} ({})",
            step.step,
            step.fix
        );
    }
}

#[test]
fn the_plan_cuts_paths_first_and_replays_with_assume_fix() {
    let (m, a) = run(&format!(
        "{VAULT}controls:\n  - {{id: kms, name: KMS, mitigations: [M1041], applies_to: [vault], status: planned}}\n"
    ));
    assert_eq!(a.paths.len(), 2);
    let first = &a.plan[0];
    assert_eq!((first.paths_before, first.paths_after), (2, 0), "{first:?}");
    // Preventing T1190 at the door and encrypting the vault both cut both paths; closing the
    // door also removes every exposure behind it, so it lowers the open risk more.
    assert_eq!(first.fix, "M1050@door");
    assert!(first.owners.is_empty(), "the model names no owner");
    assert!(first.risk_after < first.risk_before);
    assert_plan_replays(&m, &a);

    let (m, a) = run(&format!(
        "{CHAIN}actors:
  - {{id: broker, name: Broker, holds: [old-leak], techniques: [T1530], entry: []}}
  - {{id: crew, name: Crew, groups: [G0001], entry: [app]}}
controls:
  - {{id: kms, name: KMS, mitigations: [M1041], applies_to: [store], status: planned}}
"
    ));
    assert!(!a.plan.is_empty());
    assert_plan_replays(&m, &a);
}

#[test]
fn assumptions_name_what_they_change_and_what_no_model_has() {
    let options = Options {
        assume: vec![
            ("waf".into(), ControlStatus::Implemented),
            ("nope".into(), ControlStatus::Implemented),
        ],
        fixes: vec!["M1032@nowhere".into()],
        ..Options::new(TODAY)
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
    assert_eq!(a.unmatched, vec!["M1032@nowhere", "nope"]);
}

#[test]
fn an_unknown_fix_object_is_an_error() {
    let kb = kb();
    let m = model(DOOR, &kb);
    let options = Options {
        fixes: vec!["M9999@front".into()],
        ..Options::new(TODAY)
    };
    assert!(analyze(&m, &kb, &options).is_err());
}

#[test]
fn the_path_search_budget_is_enforced_and_reported() {
    let body = "
systems:
  - {id: front, name: Front, platforms: [IaaS], exposure: internet}
  - {id: vault, name: Vault, platforms: [IaaS], exposure: internal}
data:
  - {id: secrets, kind: pii, sensitivity: restricted, stored_in: [vault]}
  - {id: more-secrets, kind: pii, sensitivity: restricted, stored_in: [vault]}
flows:
  - {from: front, to: vault}
actors:
  - {id: x, name: X, techniques: [T1190, T1530]}
";
    let (_, a) = run_with(
        body,
        Options {
            path_budget: 6,
            ..Options::new(TODAY)
        },
    );
    assert!(a.paths.len() < 2, "{} paths", a.paths.len());
    assert!(a.plan.is_empty(), "no plan on truncated paths");
    assert!(
        a.warnings.iter().any(|w| w.contains("path search budget")),
        "{:?}",
        a.warnings
    );
}

/// A model pinning both companions, on the synthetic release with the synthetic F3 and ATLAS.
fn run_companions(body: &str) -> super::ModelAnalysis {
    let kb = crate::testing::kb_with_companions();
    let text = format!(
        "atkmap: 1\nname: test\nattack: {{domain: enterprise, version: \"18.1\", frameworks: [f3, atlas]}}\n{body}"
    );
    let file = match crate::model::parse(&text, "test.yaml") {
        crate::model::Parsed::File(file) => file,
        crate::model::Parsed::Broken(d) => panic!("test model is broken: {d:#?}"),
    };
    let (m, diagnostics) = crate::model::check(&file, &kb, "test.yaml", TODAY);
    let m = m.unwrap_or_else(|| panic!("test model is invalid: {diagnostics:#?}"));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let options = Options {
        ..Options::new(TODAY)
    };
    analyze(&m, &kb, &options).expect("analysis runs")
}

/// An onboarding portal checking selfies with AI, a call centre, a leaked ID image.
const FRAUD: &str = "
systems:
  - {id: onboarding, name: Onboarding, platforms: [SaaS], exposure: internet, verifies: [id-card-image, selfie]}
  - {id: liveness, name: Liveness API, platforms: [IaaS], exposure: partner, ai_checks: [selfie]}
  - {id: ledger, name: Ledger, platforms: [Linux], exposure: internal}
data:
  - {id: leaked-ids, kind: id-card-image, sensitivity: restricted, leaked: {year: 2019, source: breach}}
  - {id: accounts, kind: account, sensitivity: restricted, stored_in: [ledger]}
flows:
  - {from: onboarding, to: liveness}
  - {from: onboarding, to: ledger}
actors:
  - {id: ring, name: Fraud ring, holds: [leaked-ids], techniques: [F1025, F1020]}
";

#[test]
fn companions_bring_fraud_and_deepfake_exposures() {
    let a = run_companions(FRAUD);
    // F3's default reuse technique joins ATT&CK's where the leaked kind is verified.
    let f1031 = find(&a, "ring", "F1031", "onboarding").expect("F1031 at onboarding");
    assert_eq!(f1031.framework, crate::attack::Framework::F3);
    assert!(find(&a, "ring", "T1656", "onboarding").is_some());
    // ATLAS: a leaked image of a person against every system judging evidence with AI.
    for system in ["onboarding", "liveness"] {
        for t in ["AML.T0088", "AML.T0015"] {
            let e = find(&a, "ring", t, system).unwrap_or_else(|| panic!("{t} at {system}"));
            assert!(
                matches!(e.reasons[0], Reason::Reuse { .. }),
                "{:?}",
                e.reasons
            );
        }
    }
    // No credential was leaked: no F1006.002.
    assert!(a.exposures.iter().all(|e| e.technique != "F1006.002"));
    // F3's monetization takes; its techniques apply whatever the system's platforms.
    let monetize = find(&a, "ring", "F1025", "onboarding").expect("F1025 where the ring got in");
    assert_eq!(monetize.role, Role::Takes);
    // F1020 Fake Materials is resource development: preparation, on no system.
    assert!(a.exposures.iter().all(|e| e.technique != "F1020"));
    assert!(a.preparation.iter().any(|p| p.technique == "F1020"));
}

#[test]
fn atlas_mitigations_and_direct_counters_cover_companion_techniques() {
    let a = run_companions(&format!(
        "{FRAUD}controls:
  - {{id: pad, name: Presentation-attack detection, mitigations: [AML.M0015], detects: [AML.T0015], applies_to: [liveness], status: implemented}}
  - {{id: registry, name: Registry re-check, counters: [F1031], applies_to: [onboarding], status: implemented}}
"
    ));
    let evade = find(&a, "ring", "AML.T0015", "liveness").expect("AML.T0015");
    assert_eq!(evade.status, Status::Covered, "{evade:#?}");
    assert_eq!(evade.risk, 0);
    let deepfake = find(&a, "ring", "AML.T0088", "liveness").expect("AML.T0088");
    assert_eq!(deepfake.status, Status::Gap);
    let impersonate = find(&a, "ring", "F1031", "onboarding").expect("F1031");
    assert_eq!(impersonate.status, Status::Partial);
    assert_eq!(impersonate.prevented_by, ["registry"]);
}

#[test]
fn a_model_without_companions_is_unchanged_by_loading_them() {
    let body = FRAUD.replace("[F1025, F1020]", "[T1190, T1021]");
    let (_, plain) = run(&body);
    let kb = crate::testing::kb_with_companions();
    let m = model(&body, &kb);
    let options = Options {
        ..Options::new(TODAY)
    };
    let loaded = analyze(&m, &kb, &options).expect("analysis runs");
    // Loading a companion without pinning it changes the defaults only through the
    // companion's rules: compare the ATT&CK exposures.
    let attack = |a: &super::ModelAnalysis| -> Vec<(String, String, u32)> {
        a.exposures
            .iter()
            .filter(|e| e.framework.is_attack())
            .map(|e| (e.technique.clone(), e.system.clone(), e.risk))
            .collect()
    };
    assert_eq!(attack(&plain), attack(&loaded));
}
