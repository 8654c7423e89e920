//! sammachip — a terminal workbench for village funds and community right
//! livelihood (สัมมาชีพชุมชน).
//!
//! `domain` holds pure records and rules, `store` the sled store, `app` the state
//! and actions, `ui` the drawing; `tui` connects a local terminal to them.

pub mod app;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod front;
pub mod i18n;
pub mod io;
pub mod service;
pub mod ssh;
pub mod store;
pub mod tui;
pub mod ui;
