//! The ATT&CK knowledge base: STIX 2.1 bundles parsed into typed, indexed objects.
//!
//! Everything atkmap computes stands on this layer. It takes bytes and gives a
//! [`KnowledgeBase`]; finding and downloading the bytes is the command line's job.

pub(crate) mod build;
pub mod cache;
pub mod framework;
pub mod knowledge;
pub(crate) mod load;
pub mod lookup;
mod merge;
pub mod official;
mod one_pass;
pub mod release_name;
pub(crate) mod stix;
pub mod view;

pub use framework::Framework;
pub use knowledge::{Companion, Kind, KnowledgeBase, ObjectRef, Release};
pub use load::{LoadError, load_bundle};
