//! The example models' reports, byte for byte: every format of `atkmap report --output-dir`
//! for each example and for all of `models/` at once, compared by SHA-256 with
//! `tests/fixtures/golden/SHA256SUMS`. A refactoring must leave them identical; a change of
//! the rules or of a renderer changes them on purpose.
//!
//! When they differ, the new files are left in `target/golden-reports/` (compare them with a
//! build of the previous commit). After reviewing, `ATKMAP_BLESS=1 cargo test --test
//! golden_reports` rewrites the sums.
//!
//! The runs are reproducible on any machine: the date is fixed, the models are copied to
//! `models/` of a scratch directory, and the data directories are reached through links named
//! `attack-data` and `companion-data` there, so the paths the reports print are the same
//! wherever the clone and the data are.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const TODAY: &str = "2026-11-30";
const MODELS: [&str; 3] = ["digital-bank", "ekyc-national-id", "telco-sim-registration"];

fn sums_file() -> PathBuf {
    common::repo().join("tests/fixtures/golden/SHA256SUMS")
}

/// `name -> sha256` of every report file under `dir`, named `<run>/<file>`.
fn sums_of(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for run in std::fs::read_dir(dir).expect("the output directory") {
        let run = run.expect("an entry").path();
        for file in std::fs::read_dir(&run).expect("a run's directory") {
            let file = file.expect("an entry").path();
            let bytes = std::fs::read(&file).expect("a report file");
            let hex: String = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let name = format!(
                "{}/{}",
                run.file_name().expect("a name").to_string_lossy(),
                file.file_name().expect("a name").to_string_lossy()
            );
            out.insert(name, hex);
        }
    }
    out
}

fn read_sums() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(sums_file()).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(sha, name)| (name.to_string(), sha.to_string()))
        .collect()
}

/// Runs `atkmap report` for each example and for `models/`, into `out/<run>/`.
fn write_reports(scratch: &Path, out: &Path) {
    let attack = common::data_dir().expect("MITRE's bundles");
    let companions = common::companion_dir().expect("the companion files");
    std::os::unix::fs::symlink(&attack, scratch.join("attack-data")).expect("link the data");
    std::os::unix::fs::symlink(&companions, scratch.join("companion-data")).expect("link");
    std::fs::create_dir(scratch.join("models")).expect("models/");
    for model in MODELS {
        let name = format!("{model}.yaml");
        std::fs::copy(
            common::repo().join("models").join(&name),
            scratch.join("models").join(&name),
        )
        .expect("copy an example model");
    }
    let runs = MODELS
        .iter()
        .map(|m| (m.to_string(), format!("models/{m}.yaml")))
        .chain([("all".to_string(), "models/".to_string())]);
    for (run, input) in runs {
        common::atkmap()
            .current_dir(scratch)
            .env("ATKMAP_TODAY", TODAY)
            .env("ATKMAP_DATA_DIR", "attack-data:companion-data")
            .args(["report", &input, "--fail-on", "none", "--output-dir"])
            .arg(out.join(&run))
            .assert()
            .success();
    }
}

#[test]
fn the_example_reports_are_byte_identical_to_the_reviewed_ones() {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let out = common::repo().join("target/golden-reports");
    let _ = std::fs::remove_dir_all(&out);
    write_reports(scratch.path(), &out);
    let actual = sums_of(&out);
    assert!(
        actual.len() >= 4 * 5,
        "every format of every run: {actual:?}"
    );
    if std::env::var_os("ATKMAP_BLESS").is_some() {
        let text: String = actual
            .iter()
            .map(|(name, sha)| format!("{sha}  {name}\n"))
            .collect();
        std::fs::write(sums_file(), text).expect("write the sums");
        return;
    }
    let expected = read_sums();
    let differing: Vec<&String> = actual
        .keys()
        .chain(expected.keys())
        .filter(|name| actual.get(*name) != expected.get(*name))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        differing.is_empty(),
        "reports differ from tests/fixtures/golden/SHA256SUMS: {differing:?}; the new ones are in \
         {}; after reviewing, ATKMAP_BLESS=1 cargo test --test cli golden_reports::",
        out.display()
    );
}
