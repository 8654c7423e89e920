//! What every front end needs from the store, and knows nothing of screens:
//! officer accounts, the catalog of occupation records, the gazetteer's
//! names, the words for every record's state and every error.
//!
//! The screens (`app`), the files (`io`), the SSH server (`ssh`) and the
//! command line all call it; it calls only the store and the domain (see
//! ARCHITECTURE.md).

pub mod accounts;
pub mod catalog;
pub mod changes;
pub mod collection;
pub mod control;
pub mod describe;
pub mod geo;
pub mod labels;
pub mod lending;
pub mod messages;
pub mod overview;
pub mod ranking;
