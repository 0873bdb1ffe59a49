//! The integration tests, one binary (one link, one `common`): each module tests one command or
//! one contract with the real `atkmap` binary on the real bundles, or the library's `Report`.
//!
//! `cargo test --test cli MODULE::` runs one module (`hostile_input::`, `report_html::`).

mod common;

mod adoption;
mod architecture;
mod attack_cli;
mod baseline_cli;
mod cache_cli;
mod check_cli;
mod cmd_cases;
mod fetch;
mod fuzz;
mod golden_reports;
mod hostile_input;
mod report_cli;
mod report_formats;
mod report_html;
mod rules;
mod upgrade_cli;
