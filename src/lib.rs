//! atkmap maps threat models of identity-verification supply chains onto MITRE ATT&CK and
//! reports the gaps.
//!
//! The layers, from the bottom: [`attack`] (the ATT&CK knowledge base), [`diag`] (located
//! diagnostics), [`model`] (the YAML threat model), and [`cli`], the only layer that reads
//! files, talks to the network or prints.

pub mod attack;
pub mod cli;
