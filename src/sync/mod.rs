//! Branch ↔ HQ synchronisation: the keys stores exchange, the bundle format, the reference
//! data and the merge rule HQ applies (pure). The problems a bundle can have sit beside
//! `Error` (`error::SyncProblem`). The store side (export, HQ import, reference data) lives in
//! `store::sync` and `store::hq`; this module does no database work.

pub mod bundle;
pub mod keys;
pub mod merge;
pub mod reference;
pub mod seal;
mod warning;

pub use crate::error::SyncProblem;
pub use warning::SyncWarning;
