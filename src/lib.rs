//! branchdesk: a terminal workstation for bank branch staff over an encrypted local store.
//!
//! Layers, lowest first (docs/ARCHITECTURE.md; `tests/layers.rs` holds them to it):
//! `domain` pure rules; `i18n` and `error` the words; `sync` the bundle format and the HQ
//! merge rule; `store` the encrypted database and every file of a store (the only SQL);
//! `service` the store on a worker thread behind requests and replies (the one door for the
//! screens); `app` the TUI state machine; `tui` the terminal and the drawing; `cli` the
//! scriptable front door, with `demo` and `bench` beside it.

pub mod app;
pub mod assets;
pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod logging;
pub mod service;
pub mod store;
pub mod sync;
pub mod text;
pub mod tui;

pub use error::{Error, Result};
