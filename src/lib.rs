//! atkmap maps threat models of identity-verification supply chains onto MITRE ATT&CK and
//! reports the gaps.
//!
//! The layers, from the bottom: [`diag`] (located diagnostics), [`attack`] (the ATT&CK
//! knowledge base), [`model`] (the YAML threat model), [`graph`] (the supply chain as a graph),
//! [`analysis`] (the gap engine), [`report`] (the report and its formats) and [`upgrade`]
//! (ATT&CK release changes and model migration).
//!
//! The library computes and does no I/O: it takes text, bytes and the date as inputs and
//! returns data. Files, the network, the terminal, the clock and the environment are the
//! binary's (`src/main.rs`, `src/cli/`). The lints below hold the library to that.
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::disallowed_methods,
        clippy::print_stdout,
        clippy::print_stderr,
        clippy::dbg_macro
    )
)]

pub mod analysis;
pub mod attack;
pub mod diag;
pub mod graph;
pub mod model;
pub mod report;
pub mod upgrade;

#[cfg(test)]
pub(crate) mod testing;
