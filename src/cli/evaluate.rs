//! `crmclean evaluate`.

use std::path::PathBuf;

use clap::Args;

use crate::error::{Result, EXIT_OK};
use crate::evaluate::{evaluate, read_labels};

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Ground truth: source,record_id,entity_id.
    #[arg(long, value_name = "FILE")]
    pub truth: PathBuf,
    /// Clustering: source,record_id,cluster_id (a run's clusters.csv).
    #[arg(long, value_name = "FILE")]
    pub clusters: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: EvaluateArgs) -> Result<u8> {
    let truth = read_labels(&a.truth)?;
    let clusters = read_labels(&a.clusters)?;
    let acc = evaluate(&truth, &clusters);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&acc).unwrap_or_default());
    } else {
        println!("records    {}", acc.records);
        println!("entities   {}   clusters {}", acc.entities, acc.clusters);
        println!(
            "pairs      true {}   predicted {}   correct {}",
            acc.true_pairs, acc.predicted_pairs, acc.correct_pairs
        );
        println!("precision  {:.4}", acc.precision);
        println!("recall     {:.4}", acc.recall);
        println!("f1         {:.4}", acc.f1);
    }
    if acc.missing_from_clusters > 0 || acc.missing_from_truth > 0 {
        eprintln!(
            "crmclean: warning: {} truth record(s) are not in the clusters and {} clustered record(s) are not in the truth; they were left out",
            acc.missing_from_clusters, acc.missing_from_truth
        );
    }
    Ok(EXIT_OK)
}
