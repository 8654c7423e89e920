//! sammachip — a terminal workbench for village funds and community right livelihood.

pub mod domain;
pub mod i18n;
pub mod store;
