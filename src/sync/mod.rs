//! Branch ↔ HQ synchronisation: bundle format, export, import and HQ consolidation.
//!
//! Nothing lives here yet. Every write already lands in the `outbox` table (see
//! `store::write`), which is what this module will package into signed, encrypted bundles.
