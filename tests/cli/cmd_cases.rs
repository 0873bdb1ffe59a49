//! Command-line cases as trycmd files, `tests/cmd/*.toml`: the arguments, the exact output and
//! the exit status of `atkmap` for lookups, checks, the gate, help and usage errors, each in
//! one reviewed file (an `*.in/` folder beside a case holds its inputs and is its working
//! directory). They run on the small synthetic release in `tests/fixtures/stix/`, so they need
//! none of MITRE's bundles. `TRYCMD=overwrite cargo test --test cli cmd_cases::` rewrites the
//! expectations after a reviewed change.

#[test]
fn command_line_cases() {
    trycmd::TestCases::new()
        .register_bin("atkmap", trycmd::cargo::cargo_bin!("atkmap"))
        .case("tests/cmd/*.toml");
}
