//! `crmclean dedupe`.

use std::path::PathBuf;

use clap::Args;

use super::InputArgs;
use crate::config::Config;
use crate::error::{Result, EXIT_OK};
use crate::pipeline::{dedupe, DedupeOptions};

#[derive(Debug, Args)]
pub struct DedupeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output directory (created when missing).
    #[arg(long, short, value_name = "DIR", default_value = "crmclean-out")]
    pub out: PathBuf,
    /// Match probability at or above which two records are the same person (default 0.5).
    #[arg(long, value_name = "P")]
    pub threshold: Option<f64>,
    /// Only link records across files, never within one file.
    #[arg(long)]
    pub link_only: bool,
    /// Score with a model saved by an earlier run (its model.json) instead of learning one.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Honour reviewers' decisions: a review.csv or review.xlsx from an earlier run with its decision
    /// column filled in (match / no-match). Matches are always merged, no-matches never.
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
    /// Start the CSV outputs with a UTF-8 byte-order mark, so that Excel shows accents correctly.
    #[arg(long)]
    pub bom: bool,
    /// Output format of clusters, golden records and provenance: `csv`, or `parquet` to write
    /// clusters.parquet, golden.parquet and provenance.parquet beside the CSVs (for a warehouse).
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// Mask emails, phones and national ids in report.html, review.csv and review.xlsx (e.g. a•••@•••.pl,
    /// +49••••••56), so they can be shared; the data files themselves are not masked.
    #[arg(long)]
    pub redact: bool,
    /// Nightly runs: continue from the state an earlier run left in DIR (created when missing) and leave
    /// this run's state there. Cluster ids stay stable across runs, only new and edited records are
    /// matched, and changes.csv lists what changed since the last run.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Show progress bars on a terminal even when the CI environment variable is set (they are
    /// hidden in CI by default, and never drawn into a file or pipe).
    #[arg(long)]
    pub progress: bool,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Parquet,
}

pub fn run(a: DedupeArgs) -> Result<u8> {
    let mut o = a.input.overrides();
    o.threshold = a.threshold;
    o.link_only = a.link_only;
    o.bom = a.bom;
    o.parquet = a.format == Format::Parquet;
    o.redact = a.redact;
    let config = Config::build(&o)?;
    let opts = DedupeOptions {
        inputs: a.input.inputs.clone(),
        out: a.out.clone(),
        config,
        model: a.model.clone(),
        decisions: a.decisions.clone(),
        progress: super::show_progress(a.progress),
        state: a.state.clone(),
    };
    let run = dedupe(&opts)?;
    for inp in run.inputs() {
        let mapped: Vec<String> = inp
            .mapping
            .iter()
            .filter_map(|m| {
                let by_values = if m.how == crate::ingest::MappedBy::Values { " (by its values)" } else { "" };
                m.field.map(|f| format!("{}→{}{by_values}", m.header, f.name()))
            })
            .collect();
        let mapped = if mapped.is_empty() {
            "no column recognised (all kept as-is; see --map)".to_string()
        } else {
            mapped.join(", ")
        };
        eprintln!("crmclean: {} ({}, {} records): {}", inp.file, inp.encoding, inp.records, mapped);
    }
    if a.decisions.is_some() {
        let d = &run.decisions;
        eprintln!(
            "crmclean: applied {} match and {} no-match decision(s); {} decided row(s) name records not in these inputs",
            d.must_link.len(),
            d.cannot_link.len(),
            d.unknown_records
        );
        let c = run.clusters.contradictions.len();
        if c > 0 {
            eprintln!(
                "crmclean: {c} match decision(s) not applied: they would join records decided as no-match (review.csv, kind \"contradiction\")"
            );
        }
    }
    for note in &run.ingested.notes {
        eprintln!("crmclean: note: {note}");
    }
    let disagree = run.golden.iter().filter(|g| g.consent_disagrees).count();
    if disagree > 0 {
        eprintln!(
            "crmclean: consent: the records of {disagree} people disagree on an opt-out or do-not-call flag; the golden records keep the restrictive value"
        );
    }
    let records = run.contacts.len();
    let clusters = run.clusters.members.len();
    eprintln!(
        "crmclean: {records} records → {clusters} people ({} duplicates); {} pairs for review; outputs in {}",
        records - clusters,
        crate::report::review_count(&run),
        a.out.display()
    );
    if !run.ingested.rejects.is_empty() {
        eprintln!(
            "crmclean: {} row(s) rejected; see {}",
            run.ingested.rejects.len(),
            a.out.join("rejects.csv").display()
        );
    }
    // The process ends here: freeing millions of small strings one by one would only delay the exit
    // (about a second per million records); the operating system takes the memory back at once.
    std::mem::forget(run);
    Ok(EXIT_OK)
}
