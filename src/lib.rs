//! crmclean cleans CRM contact exports: it loads them, standardizes every field, finds the records
//! that are the same person, and writes golden records with a review queue and a report.
//!
//! The pipeline, one module per step, data flowing forward:
//!
//! | step | module | takes → gives |
//! |---|---|---|
//! | 1 | [`ingest`] | CSV files → polars frames per source, rejected rows |
//! | 2 | [`normalize`] | frames → one [`normalize::Contact`] of match keys per row (dense `u32` ids) |
//! | 3 | [`quality`] | contacts → data-quality profile |
//! | 4 | [`block`] | contacts → candidate pairs from several blocking rules |
//! | 5 | [`compare`], [`score`] | pairs → comparison vectors → Fellegi–Sunter match weights (EM) |
//! | 6 | [`cluster`] | scored pairs → entities, without chaining |
//! | 7 | [`merge`] | entities → golden records with provenance |
//! | 8 | [`report`] | everything → CSV, JSON and HTML outputs |
//!
//! [`pipeline`] runs the steps in order; [`cli`] is the command-line layer; [`evaluate`] scores
//! clusters against ground truth; [`generate`] writes seeded synthetic CRM exports; [`state`] carries
//! cluster ids and unchanged groupings from one nightly run to the next.

#![forbid(unsafe_code)]

/// Test aid: when `CRMCLEAN_FAILPOINT` names this point, the process aborts here, as if killed (the
/// crash-safety tests use it).
pub fn failpoint(name: &str) {
    if std::env::var("CRMCLEAN_FAILPOINT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
}

pub mod block;
pub mod cli;
pub mod cluster;
pub mod compare;
pub mod config;
pub mod error;
pub mod evaluate;
pub mod generate;
pub mod ingest;
pub mod merge;
pub mod normalize;
pub mod pipeline;
pub mod quality;
pub mod report;
pub mod schema;
pub mod score;
pub mod state;

pub use error::{Error, Result};
