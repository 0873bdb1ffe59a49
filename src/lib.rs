//! atkmap maps threat models of identity-verification supply chains onto MITRE ATT&CK and
//! reports the gaps.
//!
//! The layers, from the bottom: [`diag`] (located diagnostics), [`attack`] (the ATT&CK
//! knowledge base), [`model`] (the YAML threat model), [`graph`] (the supply chain as a graph),
//! [`analysis`] (the gap engine), and [`cli`], the only layer that reads
//! files, talks to the network or prints.

pub mod analysis;
pub mod attack;
pub mod cli;
pub mod diag;
pub mod graph;
pub mod model;
pub mod report;
pub mod upgrade;

#[cfg(test)]
pub(crate) mod testing;
