//! `crmclean generate` (hidden): seeded synthetic CRM exports with truth.

use std::path::PathBuf;

use clap::Args;

use crate::error::{Result, EXIT_OK};

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write the exports and truth.csv into.
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// Approximate number of records over all exports.
    #[arg(long, default_value_t = 1000)]
    pub records: usize,
    /// Random seed; the same seed gives the same files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Also plant the errors real exports carry: swapped, married and mistyped names, birth-date
    /// typos, wrong salutations, family and team mailboxes, changed employers, sparse records and
    /// organisation rows beside their staff.
    #[arg(long)]
    pub hard: bool,
}

pub fn run(a: GenerateArgs) -> Result<u8> {
    let g = crate::generate::generate_with(&a.out, a.records, a.seed, a.hard)?;
    eprintln!(
        "crmclean: wrote {} records of {} people and organisations: {}",
        g.records,
        g.entities,
        g.files.join(", ")
    );
    Ok(EXIT_OK)
}
