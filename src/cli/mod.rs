//! The command-line layer: clap definitions and one small file per subcommand. Each subcommand builds
//! a validated [`Config`](crate::config::Config) and calls the library.

mod check;
mod dedupe;
mod evaluate;
mod generate;
mod init;
mod profile;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Overrides;
use crate::error::Result;

/// Clean, deduplicate and merge CRM contact exports.
#[derive(Debug, Parser)]
#[command(
    name = "crmclean",
    version,
    about = "Clean, deduplicate and merge CRM contact exports (Salesforce, HubSpot, Zoho, sign-up lists, spreadsheets).",
    long_about = None,
    after_help = "Examples:\n  crmclean dedupe contacts.csv --out out/\n  crmclean dedupe salesforce.csv hubspot.csv webinar.csv --out out/\n  crmclean profile contacts.csv\n  crmclean evaluate --truth truth.csv --clusters out/clusters.csv\n\nExit codes: 0 success, 1 error, 2 usage or config error, 3 a quality gate failed."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find duplicate contacts across one or more exports and write golden records.
    #[command(
        after_help = "Example:\n  crmclean dedupe salesforce.csv hubspot.csv --out out/\n\nWrites into --out: clusters.csv (source,record_id,cluster_id for every record), golden.csv,\nprovenance.csv, merge_plan.csv and undo.csv (merge API calls per source, and every value they\nchange), review.csv, quality_issues.csv, model.json, summary.json, report.html,\nrejects.csv when rows could not be used, and retention.csv (the deletion list) when retention is set. Headers are mapped automatically; override with\n--map \"Header=field\" or a config file (see `crmclean init`)."
    )]
    Dedupe(dedupe::DedupeArgs),
    /// Profile data quality: completeness, invalid emails/phones/dates, placeholders.
    #[command(
        after_help = "Example:\n  crmclean profile contacts.csv --out profile/\n\nPrints a summary; with --out also writes profile.json, profile.html and quality_issues.csv."
    )]
    Profile(profile::ProfileArgs),
    /// Score clusters against ground truth: pairwise precision, recall and F1.
    #[command(
        after_help = "Example:\n  crmclean evaluate --truth truth.csv --clusters out/clusters.csv\n\nBoth files have columns source,record_id and an id column (entity_id / cluster_id)."
    )]
    Evaluate(evaluate::EvaluateArgs),
    /// Check exports against quality gates (for CI); exit code 3 when a gate fails.
    #[command(
        after_help = "Example:\n  crmclean check contacts.csv --max-duplicate-rate 0.05 --max-invalid-email-rate 0.02 \\\n      --min-completeness email=0.8 --junit check.xml\n\nGates can also be set in the config's [gates] table.\nExit codes: 0 all gates pass, 3 a gate failed, 1 error, 2 usage error."
    )]
    Check(check::CheckArgs),
    /// Write a commented crmclean.toml with every option at its default.
    #[command(
        after_help = "Example:\n  crmclean init && crmclean dedupe contacts.csv --out out/ --config crmclean.toml"
    )]
    Init(init::InitArgs),
    /// Write seeded synthetic multi-source CRM exports with ground truth (for tests and benchmarks).
    #[command(hide = true)]
    Generate(generate::GenerateArgs),
}

/// Options shared by the commands that read inputs.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Exports to read: CSV (`,` `;` tab or `|`; UTF-8, UTF-16 or Windows-1252), Excel or OpenDocument
    /// workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods), Parquet or Arrow IPC.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Config file (TOML; `crmclean init` writes one).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Map a header to a field, e.g. --map "Handynummer=mobile" or --map "Notes=ignore". Repeatable.
    #[arg(long, value_name = "HEADER=FIELD")]
    pub map: Vec<String>,
    /// Header of the record-id column (default: detected, else the row number).
    #[arg(long, value_name = "HEADER")]
    pub id_column: Option<String>,
    /// Country for phone numbers written without a country code (ISO code, e.g. DE).
    #[arg(long, value_name = "REGION")]
    pub default_region: Option<String>,
    /// The sheet to read from Excel/OpenDocument inputs (default: the first sheet with data rows).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

impl InputArgs {
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config_file: self.config.clone(),
            map: self.map.clone(),
            id_column: self.id_column.clone(),
            default_region: self.default_region.clone(),
            sheet: self.sheet.clone(),
            ..Default::default()
        }
    }
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Dedupe(a) => dedupe::run(a),
        Command::Profile(a) => profile::run(a),
        Command::Evaluate(a) => evaluate::run(a),
        Command::Check(a) => check::run(a),
        Command::Init(a) => init::run(a),
        Command::Generate(a) => generate::run(a),
    }
}

/// Whether to draw progress bars: asked for, or stderr is a terminal outside CI.
pub fn show_progress(flag: bool) -> bool {
    use std::io::IsTerminal;
    flag || (std::io::stderr().is_terminal() && std::env::var_os("CI").is_none())
}
