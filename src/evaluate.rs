//! Accuracy: pairwise precision, recall and F1 of a clustering against ground truth.
//!
//! Both files are CSVs keyed by `source,record_id`: the truth has `entity_id`, the clustering
//! `cluster_id` (as `clusters.csv` writes it). A pair of records is predicted when they share a cluster
//! and true when they share an entity; precision, recall and F1 are over all such pairs.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};

/// Pairwise accuracy figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Accuracy {
    pub records: usize,
    pub true_pairs: u64,
    pub predicted_pairs: u64,
    pub correct_pairs: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub entities: usize,
    pub clusters: usize,
    /// Records in the truth but not in the clustering.
    pub missing_from_clusters: usize,
    /// Records in the clustering but not in the truth.
    pub missing_from_truth: usize,
}

/// Reads `source,record_id,<label>` rows; the third column is the label whatever its name.
pub fn read_labels(path: &Path) -> Result<HashMap<(String, String), String>> {
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_path(path).map_err(|e| match e.kind() {
        csv::ErrorKind::Io(_) => Error::Read { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) },
        _ => Error::input(path, None, e.to_string(), "the file must be a CSV with columns source,record_id,<id>"),
    })?;
    let headers =
        rdr.headers().map_err(|e| Error::input(path, Some(1), e.to_string(), "check the header row"))?.clone();
    let pos = |name: &str| headers.iter().position(|h| h.trim().trim_start_matches('\u{FEFF}') == name);
    let (Some(s), Some(r)) = (pos("source"), pos("record_id")) else {
        return Err(Error::input(
            path,
            Some(1),
            "needs columns source and record_id",
            "the header must be source,record_id,entity_id (or cluster_id)",
        ));
    };
    let label = (0..headers.len()).find(|&i| i != s && i != r).ok_or_else(|| {
        Error::input(path, Some(1), "has no id column besides source and record_id", "add entity_id or cluster_id")
    })?;
    let mut out = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line());
            Error::input(path, line, e.to_string(), "every row needs the same number of fields as the header")
        })?;
        out.insert((rec[s].trim().to_string(), rec[r].trim().to_string()), rec[label].trim().to_string());
    }
    Ok(out)
}

fn pairs_of(groups: impl Iterator<Item = u64>) -> u64 {
    groups.map(|n| n * n.saturating_sub(1) / 2).sum()
}

/// Compares a clustering with the truth over the records both contain.
pub fn evaluate(truth: &HashMap<(String, String), String>, clusters: &HashMap<(String, String), String>) -> Accuracy {
    let mut entity_sizes: HashMap<&str, u64> = HashMap::new();
    let mut cluster_sizes: HashMap<&str, u64> = HashMap::new();
    let mut both: HashMap<(&str, &str), u64> = HashMap::new();
    let mut records = 0;
    let mut missing_from_clusters = 0;
    for (key, entity) in truth {
        match clusters.get(key) {
            Some(cluster) => {
                records += 1;
                *entity_sizes.entry(entity).or_default() += 1;
                *cluster_sizes.entry(cluster).or_default() += 1;
                *both.entry((entity, cluster)).or_default() += 1;
            }
            None => missing_from_clusters += 1,
        }
    }
    let missing_from_truth = clusters.keys().filter(|k| !truth.contains_key(*k)).count();
    let true_pairs = pairs_of(entity_sizes.values().copied());
    let predicted_pairs = pairs_of(cluster_sizes.values().copied());
    let correct_pairs = pairs_of(both.values().copied());
    let precision = if predicted_pairs == 0 { 1.0 } else { correct_pairs as f64 / predicted_pairs as f64 };
    let recall = if true_pairs == 0 { 1.0 } else { correct_pairs as f64 / true_pairs as f64 };
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    Accuracy {
        records,
        true_pairs,
        predicted_pairs,
        correct_pairs,
        precision,
        recall,
        f1,
        entities: entity_sizes.len(),
        clusters: cluster_sizes.len(),
        missing_from_clusters,
        missing_from_truth,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(rows: &[(&str, &str)]) -> HashMap<(String, String), String> {
        rows.iter().map(|(r, l)| (("s".to_string(), r.to_string()), l.to_string())).collect()
    }

    #[test]
    fn perfect_and_partial() {
        let truth = labels(&[("1", "A"), ("2", "A"), ("3", "A"), ("4", "B")]);
        let acc = evaluate(&truth, &truth);
        assert_eq!((acc.precision, acc.recall, acc.f1), (1.0, 1.0, 1.0));
        // Predict {1,2} {3,4}: 1 correct pair of 2 predicted, of 3 true.
        let pred = labels(&[("1", "x"), ("2", "x"), ("3", "y"), ("4", "y")]);
        let acc = evaluate(&truth, &pred);
        assert_eq!((acc.true_pairs, acc.predicted_pairs, acc.correct_pairs), (3, 2, 1));
        assert!((acc.precision - 0.5).abs() < 1e-12);
        assert!((acc.recall - 1.0 / 3.0).abs() < 1e-12);
        assert!((acc.f1 - 0.4).abs() < 1e-12);
    }

    #[test]
    fn metrics_stay_in_range_and_symmetric_in_labels() {
        let truth = labels(&[("1", "A"), ("2", "B"), ("3", "B")]);
        let pred = labels(&[("1", "x"), ("2", "x"), ("3", "z")]);
        let a = evaluate(&truth, &pred);
        let b = evaluate(&pred, &truth);
        assert_eq!(a.correct_pairs, b.correct_pairs);
        assert_eq!((a.precision, a.recall), (b.recall, b.precision));
        for v in [a.precision, a.recall, a.f1] {
            assert!((0.0..=1.0).contains(&v));
        }
    }
}
