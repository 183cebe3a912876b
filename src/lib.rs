//! branchdesk: a terminal workstation for bank branch staff over an encrypted local store.
//!
//! Layers (see README and DESIGN.md): `domain` holds pure rules; `store` owns the encrypted
//! SQLite database and everything on disk; `service` runs the store on a worker thread behind
//! a request/reply API; `app` is the TUI state machine over that API; `tui` renders it and
//! reads the terminal; `cli` is the scriptable front door.

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
