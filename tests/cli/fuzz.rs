//! A mutation fuzzer for the two readers of untrusted input, the YAML model reader (through
//! validation and the whole gap engine) and the STIX loader, that runs on stable Rust.
//!
//! Seeds are the repository's own models and fixtures; mutations flip, insert, delete,
//! duplicate and splice bytes and insert YAML/JSON syntax (anchors, aliases, merge keys,
//! brackets, quotes, tags). Any panic is a failure: the input is saved under
//! `target/fuzz-findings/` and named in the message, so it can be added to the regression
//! inputs below.
//!
//! CI runs a short, deterministic pass. Longer runs:
//! `ATKMAP_FUZZ_SECONDS=3600 cargo test --release --test cli fuzz:: -- --nocapture`
//! (`ATKMAP_FUZZ_SEED` picks another sequence).

use crate::common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use atkmap::analysis::{Options, analyze};
use atkmap::attack::{KnowledgeBase, load_bundle};
use atkmap::model::date::Date;
use atkmap::model::{self, Parsed};

/// xorshift64*: deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const YAML_TOKENS: &[&str] = &[
    "&a ",
    "*a",
    "<<: *a\n",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "\n",
    "\n  ",
    "'",
    "\"",
    "!!str ",
    "!!binary ",
    "? ",
    "|\n",
    ">-\n",
    "#",
    "---\n",
    "...\n",
    "\t",
    "~",
    "null",
    "T1078",
    "T9999.999",
    "M1032",
    "DET0488",
    "G1004",
    "DC0067",
    "2020-01-01",
    "18.1",
    "\u{feff}",
    "\u{0}",
    "id: x\n",
    "  - id: a\n",
    "&b [*a, *a, *a, *a]",
    "atkmap: 2\n",
    "\\u0000",
];
const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u0000",
    "null",
    "true",
    "1e999",
    "-0",
    "\"type\"",
    "\"relationship\"",
    "\"revoked-by\"",
    "\"attack-pattern\"",
    "\"x-mitre-analytic\"",
    "\"source_ref\":\"attack-pattern--x\"",
    "\"external_references\":[]",
    "\"x_mitre_log_source_references\":[{\"x_mitre_data_component_ref\":\"nope\",\"name\":\"n\"}]",
];

fn mutate(rng: &mut Rng, seed: &[u8], others: &[Vec<u8>], tokens: &[&str]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.insert(at, rng.next() as u8),
            2 if !data.is_empty() => {
                let end = (at + 1 + rng.below(64)).min(data.len());
                data.drain(at.min(end)..end);
            }
            3 if !data.is_empty() => {
                let start = rng.below(data.len());
                let end = (start + 1 + rng.below(256)).min(data.len());
                let chunk = data[start..end].to_vec();
                data.splice(at..at, chunk);
            }
            4 if !others.is_empty() => {
                let other = &others[rng.below(others.len())];
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let end = (start + 1 + rng.below(512)).min(other.len());
                    data.splice(at..at, other[start..end].iter().copied());
                }
            }
            _ => {
                let token = tokens[rng.below(tokens.len())].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
        }
    }
    data
}

/// Everything a model file goes through in `atkmap report` (and, broken, in `atkmap check`).
fn model_target(kb: &KnowledgeBase, input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let today = Date::parse("2026-11-25").unwrap_or(Date {
        year: 2026,
        month: 11,
        day: 25,
    });
    let file = match model::parse_and_salvage(text, "fuzz.yaml") {
        (Parsed::File(file), _) => file,
        (Parsed::Broken(_), salvaged) => {
            // `check` still validates what it can salvage of a broken file.
            if let Some(salvaged) = salvaged {
                let _ = model::check_salvaged(&salvaged, kb, "fuzz.yaml", today);
            }
            return;
        }
    };
    let (checked, _) = model::check(&file, kb, "fuzz.yaml", today);
    if let Some(m) = checked {
        let options = Options {
            path_budget: 200,
            ..Options::new(today)
        };
        let _ = analyze(&m, kb, &options);
    }
}

/// Everything a bundle goes through in `atkmap attack`.
fn stix_target(input: &[u8]) {
    if let Ok(kb) = load_bundle(input) {
        let _ = kb.stats();
        for kind in atkmap::attack::lookup::ALL_KINDS {
            for object in kb.all_of(kind) {
                let _ = kb.view(object);
                let _ = kb.final_replacement(object);
            }
        }
        let _ = kb.search("a");
    }
}

fn files(dir: &str, ext: &str) -> Vec<Vec<u8>> {
    let dir = common::repo().join(dir);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == ext))
                .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out.into_iter().map(|(_, b)| b).collect()
}

fn budget() -> (usize, Duration) {
    let seconds = std::env::var("ATKMAP_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());
    match seconds {
        Some(s) => (usize::MAX, Duration::from_secs(s)),
        None => (400, Duration::from_secs(120)),
    }
}

fn seed() -> u64 {
    std::env::var("ATKMAP_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_a7c0_ffee_1234)
}

/// Runs `target` on mutations of `seeds`; on a panic, saves the input and fails.
fn fuzz(name: &str, seeds: &[Vec<u8>], tokens: &[&str], target: &dyn Fn(&[u8])) -> usize {
    assert!(!seeds.is_empty(), "{name}: no seed inputs");
    let (max_runs, max_time) = budget();
    let mut rng = Rng(seed() | 1);
    let start = Instant::now();
    let mut runs = 0;
    // The seeds themselves first.
    let mut inputs: Vec<Vec<u8>> = seeds.to_vec();
    while runs < max_runs && start.elapsed() < max_time {
        let input = match inputs.pop() {
            Some(i) => i,
            None => {
                let seed = &seeds[rng.below(seeds.len())];
                mutate(&mut rng, seed, seeds, tokens)
            }
        };
        runs += 1;
        if catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
            let dir = common::repo().join("target/fuzz-findings");
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("{name}-{runs}.bin"));
            let _ = std::fs::write(&file, &input);
            panic!(
                "{name}: a mutated input panicked; saved as {}",
                file.display()
            );
        }
    }
    eprintln!(
        "{name}: {runs} inputs in {:.1} s, no panic",
        start.elapsed().as_secs_f64()
    );
    runs
}

#[test]
fn the_model_reader_and_gap_engine_survive_mutated_models() {
    let kb = load_bundle(
        &std::fs::read(common::repo().join("tests/fixtures/stix/mini-enterprise.json"))
            .expect("fixture"),
    )
    .expect("the synthetic bundle loads");
    let mut seeds = files("models", "yaml");
    seeds.extend(files("templates", "yaml"));
    seeds.extend(files("tests/fixtures/html", "yaml"));
    seeds.extend(files("tests/fixtures/check/hints", "yaml"));
    seeds.extend(
        regression_models()
            .into_iter()
            .map(|s| s.as_bytes().to_vec()),
    );
    let runs = fuzz("model", &seeds, YAML_TOKENS, &|input| {
        model_target(&kb, input)
    });
    assert!(runs > 0);
}

#[test]
fn the_model_reader_survives_mutations_against_the_real_release() {
    let Some(bundle) = common::bundle("enterprise-attack-18.1.json") else {
        return;
    };
    let kb = load_bundle(&std::fs::read(bundle).expect("bundle")).expect("18.1 loads");
    let seeds = files("models", "yaml");
    fuzz("model-18.1", &seeds, YAML_TOKENS, &|input| {
        model_target(&kb, input)
    });
}

#[test]
fn the_stix_loader_survives_mutated_bundles() {
    let mut seeds = files("tests/fixtures/stix", "json");
    seeds.extend(files("tests/fixtures/fetch", "json"));
    let runs = fuzz("stix", &seeds, JSON_TOKENS, &|input| stix_target(input));
    assert!(runs > 0);
}

/// Inputs that once broke something (or came close), kept as regression seeds.
fn regression_models() -> Vec<&'static str> {
    vec![
        // Deep block nesting used to overflow the stack of a 2 MiB test thread.
        "a:\n  b:\n    c:\n      d:\n        e:\n          f: 1\n",
        // An alias of a whole section, merged twice.
        "atkmap: 1\nname: x\nattack: &p {domain: enterprise, version: \"99.0\"}\nsystems: [{<<: *p, id: a}]\n",
        // A flow between one system and itself, and an actor entering nothing.
        "atkmap: 1\nname: x\nattack: {domain: enterprise, version: \"99.0\"}\nsystems:\n  - {id: a, name: A, platforms: [Linux], exposure: internet}\nflows:\n  - {from: a, to: a, crosses_trust_boundary: true}\nactors:\n  - {id: b, name: B, entry: [], techniques: [T9001]}\n",
        // A technique ID with a multi-byte character across byte 4 (`AMLé`) panicked in the
        // framework of an ID (found by a 10-minute run).
        "atkmap: 1\nname: x\nattack: {domain: enterprise, version: \"99.0\", frameworks: [atlas]}\nsystems:\n  - {id: a, name: A, platforms: [Linux], exposure: internet}\nactors:\n  - {id: b, name: B, techniques: [AMLé1, Fé, AML.é, aml.]}\n",
    ]
}
