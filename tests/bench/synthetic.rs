//! Synthetic threat models of any size, for the scale benchmark and tests.
//!
//! An organisation of `systems` systems is laid out as supply chains of 20 systems each (one
//! per owner group), connected inside a chain and paired with a neighbouring chain by a
//! partner flow;
//! actors, data and controls grow in proportion. Every ATT&CK ID used is a real, active ID of
//! Enterprise 18.1. Output is deterministic for a size.

/// A deterministic pseudo-random sequence (an LCG; quality is irrelevant here).
struct Dice(u64);

impl Dice {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below.max(1) as u64) as usize
    }
}

const PLATFORMS: [&str; 6] = [
    "[Linux]",
    "[SaaS]",
    "[IaaS]",
    "[Windows]",
    "[Linux, Containers]",
    "[Identity Provider, SaaS]",
];
const TECHNIQUES: [&str; 8] = [
    "T1078",
    "T1199",
    "T1190",
    "T1530",
    "T1566.002",
    "T1110.003",
    "T1552.001",
    "T1213",
];
const GROUPS: [&str; 3] = ["G1004", "G0125", "G1015"];
const MITIGATIONS: [&str; 7] = [
    "M1032", "M1030", "M1018", "M1026", "M1050", "M1041", "M1047",
];
const CHAIN: usize = 20;

/// The YAML of a synthetic model with `systems` systems.
pub fn model(systems: usize) -> String {
    let mut dice = Dice(systems as u64);
    let chains = systems.div_ceil(CHAIN).max(1);
    let mut y = String::with_capacity(systems * 400);
    y.push_str(&format!(
        "atkmap: 1\nname: Synthetic organisation of {systems} systems\nattack: {{domain: enterprise, version: \"18.1\"}}\n"
    ));
    y.push_str("systems:\n");
    for i in 0..systems {
        let exposure = if i % CHAIN == 0 {
            "internet"
        } else if i % 3 == 0 {
            "partner"
        } else {
            "internal"
        };
        let verifies = if i % 7 == 0 { "[id-card-image]" } else { "[]" };
        let telemetry = match i % 4 {
            0 => "[DC0067]",
            1 => "[\"WinEventLog:Security\"]",
            2 => "[DC0002, \"AWS:CloudTrail\"]",
            _ => "[]",
        };
        y.push_str(&format!(
            "  - {{id: s{i}, name: System {i}, owner: Org {}, platforms: {}, exposure: {exposure}, verifies: {verifies}, telemetry: {telemetry}}}\n",
            i / CHAIN,
            PLATFORMS[i % PLATFORMS.len()]
        ));
    }
    y.push_str("data:\n");
    let assets = (systems / 2).max(2);
    for j in 0..assets {
        let sensitivity = ["public", "internal", "confidential", "restricted"][j % 4];
        if j % 25 == 1 {
            y.push_str(&format!(
                "  - {{id: d{j}, kind: id-card-image, sensitivity: restricted, leaked: {{year: {}}}}}\n",
                2015 + j % 10
            ));
        } else {
            y.push_str(&format!(
                "  - {{id: d{j}, kind: {}, sensitivity: {sensitivity}, records: {}, stored_in: [s{}]}}\n",
                if j % 2 == 0 { "id-card-image" } else { "personal-data" },
                1000 * (j + 1),
                dice.next(systems)
            ));
        }
    }
    y.push_str("flows:\n");
    for i in 0..systems {
        let chain = i / CHAIN;
        if i % CHAIN != 0 {
            let parent = chain * CHAIN + (i % CHAIN - 1) / 2;
            let carried = if i % 2 == 0 {
                format!("[d{}]", (i / 2) % assets)
            } else {
                "[]".to_string()
            };
            y.push_str(&format!(
                "  - {{from: s{parent}, to: s{i}, carries: {carried}}}\n"
            ));
        }
        // Chains are paired by a partner flow across a trust boundary, so an organisation is
        // many small connected supply chains (as real ones are), not one giant component.
        if i % CHAIN == CHAIN - 1 && chain.is_multiple_of(2) && chain + 1 < chains {
            let other = (chain + 1) * CHAIN + 1;
            if other < systems && other != i {
                y.push_str(&format!(
                    "  - {{from: s{i}, to: s{other}, crosses_trust_boundary: true}}\n"
                ));
            }
        }
    }
    y.push_str("actors:\n");
    let actors = (systems / 50).max(2);
    for a in 0..actors {
        let entry = (a * CHAIN * 3) % systems.max(1);
        let techniques: Vec<&str> = (0..3)
            .map(|k| TECHNIQUES[(a + k * 3) % TECHNIQUES.len()])
            .collect();
        let groups = if a % 10 == 0 {
            format!("[{}]", GROUPS[a / 10 % GROUPS.len()])
        } else {
            "[]".to_string()
        };
        // A few brokers hold the leaked set: reuse exposures then grow with the number of
        // verifying systems, not with actors times verifiers.
        let holds = if a < 3 && assets > 1 {
            "[d1]".to_string()
        } else {
            "[]".to_string()
        };
        y.push_str(&format!(
            "  - {{id: actor{a}, name: Actor {a}, groups: {groups}, techniques: [{}], holds: {holds}, entry: [s{entry}]}}\n",
            techniques.join(", ")
        ));
    }
    y.push_str("controls:\n");
    for c in 0..(systems / 5).max(1) {
        let status = ["implemented", "partial", "planned"][c % 3];
        let mitigations: Vec<&str> = (0..2)
            .map(|k| MITIGATIONS[(c + k) % MITIGATIONS.len()])
            .collect();
        let detections = if c % 4 == 0 { "[DET0488]" } else { "[]" };
        y.push_str(&format!(
            "  - {{id: c{c}, name: Control {c}, mitigations: [{}], detections: {detections}, applies_to: [s{}, s{}], status: {status}}}\n",
            mitigations.join(", "),
            dice.next(systems),
            dice.next(systems)
        ));
    }
    y
}
