//! Step 8, report: every output file of a run.
//!
//! | file | what |
//! |---|---|
//! | `clusters.csv` | `source,record_id,cluster_id,line`, one row per accepted input record (`line` tells apart two rows that share a record id) |
//! | `golden.csv` | one golden record per cluster |
//! | `provenance.csv` | for every golden value, the record it came from |
//! | `merge_plan.csv` | per source, which of its own records to merge into which |
//! | `review.csv` | uncertain pairs and refused joins, with per-field values and weights |
//! | `review.xlsx` | the same rows (up to [`REVIEW_XLSX_ROWS`]) with a decision dropdown |
//! | `quality_issues.csv` | every record with a data-quality flag |
//! | `changes.csv` | with `--state`: clusters and records that changed since the last run |
//! | `rejects.csv` | rows that could not be used, with file, line and reason (only when any) |
//! | `model.json` | the learned match model (reuse it with `--model`) |
//! | `summary.json` | the run's figures for machines |
//! | `report.html` | a self-contained page for people |
//!
//! Files are written to a temporary name and renamed, so an interrupted run never leaves a
//! half-written file that looks complete. CSV cells that a spreadsheet would run as a formula are
//! prefixed with `'`.

mod html;

use std::path::Path;

use serde_json::json;

use crate::block::Candidates;
use crate::cluster::{Clusters, Decisions};
use crate::compare::{describe, unpack, COMPARISONS};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::Ingested;
use crate::io::{write_atomic, write_atomic_with};
use crate::merge::Golden;
use crate::normalize::Contact;
use crate::quality::SourceProfile;
use crate::schema::{GoldenField, GOLDEN_FIELDS};
use crate::score::{probability, weights, Model, ScoredPair, TermFreq};
use crate::state::{self, Incremental};

/// Every file a `dedupe` run may write into its output directory.
pub const OUTPUT_FILES: [&str; 17] = [
    "clusters.csv",
    "clusters.parquet",
    "golden.parquet",
    "provenance.parquet",
    "golden.csv",
    "provenance.csv",
    "merge_plan.csv",
    "undo.csv",
    "review.csv",
    "review.xlsx",
    "quality_issues.csv",
    "rejects.csv",
    "changes.csv",
    "retention.csv",
    "model.json",
    "summary.json",
    "report.html",
];

/// Everything a run produced, for the report writers.
pub struct Run {
    pub ingested: Ingested,
    /// Unrecognised columns compared generically.
    pub extras: Vec<crate::normalize::Extra>,
    pub contacts: Vec<Contact>,
    pub candidates: Candidates,
    pub model: Model,
    /// Name frequencies the pairs were scored with (for the per-field weights shown).
    pub tf: TermFreq,
    /// The scored pairs a report lists: links and pairs for review. The others are only counted, in
    /// `pair_stats` (at 10M records they would hold about 3 GB).
    pub scored: Vec<ScoredPair>,
    pub pair_stats: PairStats,
    pub clusters: Clusters,
    pub golden: Vec<Golden>,
    pub decisions: Decisions,
    pub profiles: Vec<SourceProfile>,
    pub timings: Vec<(&'static str, f64)>,
    /// Peak resident memory (MB) at the end of each stage.
    pub memory: Vec<(&'static str, u64)>,
    pub config: Config,
    /// Set when the run continued from a state.
    pub incremental: Option<Incremental>,
    /// Row hash of every contact (for the next state).
    pub hashes: Vec<u64>,
    /// [`state::record_keys`] of the contacts (with `--state`; empty otherwise).
    pub keys: Vec<String>,
    /// Every reviewer decision to keep in the state: this run's and the earlier runs' ones.
    pub kept_decisions: Vec<state::KeptDecision>,
}

/// Figures over every scored candidate pair.
#[derive(Debug, Clone, Default)]
pub struct PairStats {
    pub scored: usize,
    /// Pairs by match weight, in bins of 5 (log2 odds) clamped to ±40: bin start → count.
    pub weights: std::collections::BTreeMap<i64, usize>,
}

impl PairStats {
    pub fn of(scored: &[ScoredPair]) -> Self {
        let mut weights = std::collections::BTreeMap::new();
        for p in scored {
            *weights.entry(((p.weight / 5.0).floor() as i64 * 5).clamp(-40, 40)).or_default() += 1;
        }
        PairStats { scored: scored.len(), weights }
    }
}

/// Masks an email for sharing: first character of the mailbox and the top-level domain stay.
///
/// ```
/// use crmclean::report::{mask_email, mask_digits};
/// assert_eq!(mask_email("anna.nowak@example.pl"), "a•••@•••.pl");
/// assert_eq!(mask_digits("+4930123456"), "+49••••••56");
/// ```
pub fn mask_email(e: &str) -> String {
    let Some((local, domain)) = e.rsplit_once('@') else {
        return mask_digits(e);
    };
    let first: String = local.chars().take(1).collect();
    let tld = domain.rsplit_once('.').map(|(_, t)| format!("•••.{t}")).unwrap_or_else(|| "•••".into());
    format!("{first}•••@{tld}")
}

/// Masks a phone number or identifier: a leading `+` and two digits, and the last two characters, stay.
pub fn mask_digits(v: &str) -> String {
    let chars: Vec<char> = v.chars().filter(|c| !c.is_whitespace()).collect();
    let keep_head = if chars.first() == Some(&'+') { 3 } else { 0 };
    if chars.len() <= keep_head + 2 {
        return "•".repeat(chars.len());
    }
    let n = chars.len();
    chars.iter().enumerate().map(|(i, c)| if i < keep_head || i >= n - 2 { *c } else { '•' }).collect()
}

/// Masks every email, phone and identifier among the profiles' most common values.
pub fn redact_profiles(profiles: &mut [crate::quality::SourceProfile]) {
    for c in profiles.iter_mut().flat_map(|p| p.columns.iter_mut()) {
        let mask: Option<fn(&str) -> String> = match c.field {
            Some("email") => Some(mask_email),
            Some("phone" | "mobile" | "national_id") => Some(mask_digits),
            _ => None,
        };
        if let Some(mask) = mask {
            c.top.iter_mut().for_each(|(v, _)| *v = mask(v));
        }
    }
}

/// A comparison's values of one record, masked when the run redacts.
fn shown(run: &Run, c: &crate::normalize::Contact, comparison: usize) -> String {
    let v = describe(c, comparison);
    if !run.config.redact || v.is_empty() {
        return v;
    }
    match comparison {
        crate::compare::EMAIL => v.split("; ").map(mask_email).collect::<Vec<_>>().join("; "),
        crate::compare::PHONE | crate::compare::NATIONAL_ID => {
            v.split("; ").map(mask_digits).collect::<Vec<_>>().join("; ")
        }
        _ => v,
    }
}

/// Neutralises a cell a spreadsheet would evaluate ([`crate::text::formula_like`]): prefixes `'`.
/// Plain numbers and phone numbers (`+49 30 123`, `-12.5`) are left alone.
///
/// ```
/// use crmclean::report::safe_cell;
/// assert_eq!(safe_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
/// assert_eq!(safe_cell("+4930123456"), "+4930123456");
/// assert_eq!(safe_cell("+A1"), "'+A1");
/// assert_eq!(safe_cell("Anna"), "Anna");
/// ```
pub fn safe_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if crate::text::formula_like(s) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// A CSV document built in memory and written atomically; or, for Parquet, the same rows kept as
/// columns of raw values ([`Csv::save_parquet`]).
struct Csv(csv::Writer<Vec<u8>>, Option<Vec<Vec<String>>>);

impl Csv {
    /// A CSV with `header`; with `bom`, it starts with a UTF-8 byte-order mark so that Excel opens it as
    /// UTF-8.
    fn new(header: &[&str], bom: bool) -> Result<Self> {
        let start = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        let mut w = csv::Writer::from_writer(start);
        w.write_record(header).map_err(csv_err)?;
        Ok(Csv(w, None))
    }
    fn row<I, S>(&mut self, cells: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        if let Some(columns) = &mut self.1 {
            for (column, c) in columns.iter_mut().zip(cells) {
                column.push(c.as_ref().to_string());
            }
            return Ok(());
        }
        for c in cells {
            self.0.write_field(safe_cell(c.as_ref()).as_bytes()).map_err(csv_err)?;
        }
        self.0.write_record(None::<&[u8]>).map_err(csv_err)
    }
    fn save(self, path: &Path) -> Result<()> {
        let bytes = self.0.into_inner().map_err(|e| Error::output(path, e.to_string(), "report this as a bug"))?;
        write_atomic(path, &bytes)
    }

    /// Writes a CSV of `header` and, for each item, the rows `rows` writes — items formatted in
    /// parallel chunks and written in order, a batch of chunks at a time so that a large output is
    /// never held in memory whole.
    fn save_parallel<T: Sync>(
        path: &Path,
        header: &[&str],
        bom: bool,
        items: &[T],
        rows: impl Fn(usize, &T, &mut Csv) -> Result<()> + Sync,
    ) -> Result<()> {
        use rayon::prelude::*;
        const CHUNK: usize = 16_384;
        const BATCH: usize = 16 * CHUNK;
        let into_bytes =
            |w: Csv| w.0.into_inner().map_err(|e| Error::output(path, e.to_string(), "report this as a bug"));
        let head = into_bytes(Csv::new(header, bom)?)?;
        write_atomic_with(path, |write| {
            write(&head)?;
            for (bi, batch) in items.chunks(BATCH).enumerate() {
                let chunks: Vec<Result<Vec<u8>>> = batch
                    .par_chunks(CHUNK)
                    .enumerate()
                    .map(|(ci, chunk)| {
                        let mut w = Csv(csv::Writer::from_writer(Vec::new()), None);
                        for (j, item) in chunk.iter().enumerate() {
                            rows(bi * BATCH + ci * CHUNK + j, item, &mut w)?;
                        }
                        into_bytes(w)
                    })
                    .collect();
                for chunk in chunks {
                    write(&chunk?)?;
                }
            }
            Ok(())
        })
    }
}

impl Csv {
    /// `STEM.csv` ([`Csv::save_parallel`]) and, with `--format parquet`, `STEM.parquet` of the same rows.
    fn save_table<T: Sync>(
        run: &Run,
        out: &Path,
        stem: &str,
        header: &[&str],
        items: &[T],
        rows: impl Fn(usize, &T, &mut Csv) -> Result<()> + Sync,
    ) -> Result<()> {
        Csv::save_parallel(&out.join(format!("{stem}.csv")), header, run.config.bom, items, &rows)?;
        let parquet = out.join(format!("{stem}.parquet"));
        if run.config.parquet {
            Csv::save_parquet(&parquet, header, items, &rows)
        } else {
            // An earlier `--format parquet` run's table would not match this run's CSV.
            remove_stale(&parquet)
        }
    }

    /// [`Csv::save_parallel`] as a Parquet file of text columns (`line` and `records` as numbers),
    /// values as they are: no spreadsheet runs them, so no formula guard.
    fn save_parquet<T: Sync>(
        path: &Path,
        header: &[&str],
        items: &[T],
        rows: impl Fn(usize, &T, &mut Csv) -> Result<()> + Sync,
    ) -> Result<()> {
        use polars::prelude::*;
        use rayon::prelude::*;
        const CHUNK: usize = 16_384;
        let chunks: Vec<Result<Vec<Vec<String>>>> = items
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(ci, chunk)| {
                let mut w = Csv(csv::Writer::from_writer(Vec::new()), Some(vec![Vec::new(); header.len()]));
                for (j, item) in chunk.iter().enumerate() {
                    rows(ci * CHUNK + j, item, &mut w)?;
                }
                Ok(w.1.unwrap_or_default())
            })
            .collect();
        let chunks = chunks.into_iter().collect::<Result<Vec<_>>>()?;
        let height = chunks.iter().map(|c| c.first().map_or(0, Vec::len)).sum();
        let columns: Vec<Column> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let values = StringChunked::from_iter_values(
                    (*h).into(),
                    chunks.iter().flat_map(|c| c[i].iter().map(String::as_str)),
                );
                let column = Column::from(values.into_series());
                match *h {
                    "line" | "records" => column.cast(&DataType::UInt64),
                    _ => Ok(column),
                }
            })
            .collect::<PolarsResult<_>>()?;
        let mut frame = DataFrame::new(height, columns)?;
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes)
            .finish(&mut frame)
            .map_err(|e| Error::output(path, e.to_string(), "report this as a bug"))?;
        write_atomic(path, &bytes)
    }
}

fn csv_err(e: csv::Error) -> Error {
    Error::output("<csv>", e.to_string(), "report this as a bug")
}

/// Clusters with at least this many records get their weakest link in the review queue.
const LARGE_CLUSTER: usize = 6;

/// Writes every output except summary.json.
pub fn write_all(run: &Run, out: &Path) -> Result<()> {
    // review.csv, review.xlsx and the report's first screen list the same pairs.
    let review = review_rows(run);
    let table = review_table(run, &review);
    // The files do not depend on each other: write them in parallel, the biggest first.
    type Job<'a> = Box<dyn Fn() -> Result<()> + Sync + 'a>;
    let jobs: Vec<Job> = vec![
        Box::new(|| write_provenance(run, out)),
        Box::new(|| write_golden(run, out)),
        Box::new(|| write_clusters(run, out)),
        Box::new(|| write_review(run, &review, &table, out)),
        Box::new(|| write_merge_plan(run, out)),
        Box::new(|| write_quality(run, out)),
        Box::new(|| write_rejects(run, out)),
        Box::new(|| write_changes(run, out)),
        Box::new(|| write_retention(run, out)),
        Box::new(|| run.model.save(&out.join("model.json"))),
        Box::new(|| write_atomic(&out.join("report.html"), html::report(run, &review, &table).as_bytes())),
    ];
    use rayon::prelude::*;
    jobs.par_iter().map(|job| job()).collect()
}

/// Consent in the golden records: how many say opted out of email and do not call, and in how many
/// clusters the records disagreed (the golden record keeps the restrictive value).
fn consent_summary(run: &Run) -> serde_json::Value {
    let says_yes =
        |field: GoldenField| run.golden.iter().filter(|g| g.get(field).is_some_and(|v| v.value == "yes")).count();
    json!({
        "email_opt_out": says_yes(GoldenField::EmailOptOut),
        "do_not_call": says_yes(GoldenField::DoNotCall),
        "clusters_with_disagreement": run.golden.iter().filter(|g| g.consent_disagrees).count(),
    })
}

fn write_clusters(run: &Run, out: &Path) -> Result<()> {
    let header = ["source", "record_id", "cluster_id", "line"];
    let rows = |i: usize, c: &Contact, w: &mut Csv| {
        let s = &run.ingested.sources[c.source as usize];
        let line = s.lines[c.row as usize];
        w.row([s.name.as_str(), &s.record_ids[c.row as usize], &run.clusters.id(run.clusters.of[i]), &line.to_string()])
    };
    Csv::save_table(run, out, "clusters", &header, &run.contacts, rows)
}

fn write_golden(run: &Run, out: &Path) -> Result<()> {
    let mut header = vec!["cluster_id", "records", "sources", "master_source", "master_record_id"];
    header.extend_from_slice(&GOLDEN_FIELDS);
    let rows = |_: usize, g: &Golden, w: &mut Csv| {
        let members = &run.clusters.members[g.cluster as usize];
        let mut sources: Vec<&str> = members.iter().map(|&i| run.record(i).0).collect();
        sources.dedup();
        sources.sort_unstable();
        sources.dedup();
        let (ms, mr) = run.record(g.master);
        let mut row = vec![
            run.clusters.id(g.cluster),
            members.len().to_string(),
            sources.join(";"),
            ms.to_string(),
            mr.to_string(),
        ];
        for v in &g.values {
            row.push(v.as_ref().map(|v| v.value.to_string()).unwrap_or_default());
        }
        w.row(&row)
    };
    Csv::save_table(run, out, "golden", &header, &run.golden, rows)
}

fn write_provenance(run: &Run, out: &Path) -> Result<()> {
    let header = ["cluster_id", "field", "value", "source", "record_id"];
    let rows = |_: usize, g: &Golden, w: &mut Csv| {
        let id = run.clusters.id(g.cluster);
        for (field, v) in GOLDEN_FIELDS.iter().zip(&g.values) {
            if let Some(v) = v {
                let (s, r) = run.record(v.from);
                w.row([id.as_str(), field, &v.value, s, r])?;
            }
        }
        Ok(())
    };
    Csv::save_table(run, out, "provenance", &header, &run.golden, rows)
}

/// `merge_plan.csv`, one row per record to merge away: the calls a CRM's merge API accepts (per
/// source, numbered in the order to run them; Salesforce folds up to two records into the master per
/// call, other CRMs one), and the values the master should end up with (its golden values, blank
/// where the golden record has none). `undo.csv` holds every value the plan overwrites or deletes.
fn write_merge_plan(run: &Run, out: &Path) -> Result<()> {
    let steps = crate::merge::merge_plan(&run.contacts, &run.clusters, &run.golden);
    let mut header = vec!["cluster_id", "source", "keep_record_id", "merge_record_id", "crm", "call"];
    let set: Vec<String> = GOLDEN_FIELDS.iter().map(|f| format!("set_{f}")).collect();
    header.extend(set.iter().map(String::as_str));
    let mut w = Csv::new(&header, run.config.bom)?;
    let crms: Vec<crate::merge::Crm> = run.ingested.sources.iter().map(crate::merge::Crm::of).collect();
    // A record's cells by header (empty ones too: undoing a value the plan filled in blanks it).
    let cells = |i: u32| -> Vec<(String, String)> {
        let c = &run.contacts[i as usize];
        let s = &run.ingested.sources[c.source as usize];
        s.frame
            .columns()
            .iter()
            .filter_map(|col| {
                let v = col.str().ok()?.get(c.row as usize).unwrap_or("");
                Some((col.name().to_string(), v.to_string()))
            })
            .collect()
    };
    // Calls per source, in plan order: a new call when the master changes or the call is full. A
    // master's steps are consecutive in the plan.
    let mut calls: std::collections::HashMap<u16, (u64, u32, usize)> = Default::default();
    let mut undo = Csv::new(&["source", "record_id", "call", "action", "column", "value"], run.config.bom)?;
    for step in &steps {
        let source = run.contacts[step.keep as usize].source;
        let crm = crms[source as usize];
        let entry = calls.entry(source).or_insert((0, u32::MAX, 0));
        let new_master = entry.1 != step.keep;
        if new_master || entry.2 >= crm.merged_per_call() {
            *entry = (entry.0 + 1, step.keep, 0);
        }
        entry.2 += 1;
        let call = entry.0;
        let (name, keep) = run.record(step.keep);
        let (_, merge) = run.record(step.merge);
        // Golden records are one per cluster, in cluster order.
        let golden = &run.golden[step.cluster as usize];
        let values = golden.values.iter().map(|v| v.as_ref().map(|v| v.value.to_string()).unwrap_or_default());
        let mut row = vec![run.clusters.id(step.cluster), name.to_string(), keep.to_string(), merge.to_string()];
        row.extend([crm.name().to_string(), call.to_string()]);
        row.extend(values);
        w.row(row.iter().map(String::as_str))?;
        // Undo: the merged record is deleted, every cell of it; the master's cells the golden values
        // overwrite (once per master, with its first call).
        let call_s = call.to_string();
        for (column, value) in cells(step.merge).into_iter().filter(|(_, v)| !v.is_empty()) {
            undo.row([name, merge, &call_s, "deleted", &column, &value])?;
        }
        if new_master {
            let s = &run.ingested.sources[source as usize];
            for (column, value) in cells(step.keep) {
                let field = s.columns.iter().find(|c| c.header == column).and_then(|c| c.field);
                let golden_value =
                    field.and_then(GoldenField::of).and_then(|f| golden.get(f)).map(|v| v.value.to_string());
                if golden_value.is_some_and(|g| g != value) {
                    undo.row([name, keep, &call_s, "overwritten", &column, &value])?;
                }
            }
        }
    }
    w.save(&out.join("merge_plan.csv"))?;
    undo.save(&out.join("undo.csv"))
}

/// Why a pair is in review.csv.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewKind {
    /// A reviewer's match that would join a no-match pair; not applied.
    Contradiction,
    /// A join the cluster stage refused.
    Split,
    /// The weakest link of a large cluster.
    LargeCluster,
    /// A pair whose probability is between `review_low` and the threshold.
    UncertainPair,
}

impl ReviewKind {
    /// As review.csv's `kind` column writes it.
    pub fn name(self) -> &'static str {
        match self {
            ReviewKind::Contradiction => "contradiction",
            ReviewKind::Split => "split",
            ReviewKind::LargeCluster => "large_cluster",
            ReviewKind::UncertainPair => "uncertain_pair",
        }
    }
}

/// One pair of review.csv, before its values are looked up.
struct ReviewRow {
    probability: f64,
    kind: ReviewKind,
    a: u32,
    b: u32,
    /// The pair's comparison vector, as the stage that listed it compared them.
    vector: u64,
    reason: String,
}

impl ReviewRow {
    fn new(probability: f64, kind: ReviewKind, (a, b): (u32, u32), vector: u64, reason: String) -> Self {
        ReviewRow { probability, kind, a, b, vector, reason }
    }
}

/// The pairs of review.csv, most consequential first: contradictions, refused joins (each once),
/// large clusters' weakest links, then uncertain pairs closest to 50% first.
fn review_rows(run: &Run) -> Vec<ReviewRow> {
    let cfg = &run.config;
    let mut rows: Vec<ReviewRow> = run
        .scored
        .iter()
        .filter(|p| p.needs_review(cfg.review_low, cfg.threshold))
        .map(|p| ReviewRow::new(p.probability(), ReviewKind::UncertainPair, (p.a, p.b), p.vector, String::new()))
        .collect();
    rows.sort_by(|x, y| {
        (x.probability - 0.5).abs().total_cmp(&(y.probability - 0.5).abs()).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b))
    });
    let mut splits: Vec<_> = run
        .clusters
        .splits
        .iter()
        .map(|s| {
            let (a, b) = s.conflict.unwrap_or((s.a, s.b));
            ReviewRow::new(s.probability, ReviewKind::Split, (a, b), s.vector, s.reason.clone())
        })
        .collect();
    // Reviewers' matches that contradict their no-matches come first: a person must settle them.
    let contradictions: Vec<_> = run
        .clusters
        .contradictions
        .iter()
        .map(|&crate::cluster::Contradiction { pair: (a, b), vector, no_match: (x, y) }| {
            let (sx, rx) = run.record(x);
            let (sy, ry) = run.record(y);
            let reason = format!(
                "decided match, but it would put {sx}:{rx} and {sy}:{ry}, decided no-match, in one cluster; not applied"
            );
            ReviewRow::new(f64::NAN, ReviewKind::Contradiction, (a, b), vector, reason)
        })
        .collect();
    splits.splice(0..0, contradictions);
    // Large clusters: their weakest link, the one decision that could break them up.
    let mut weakest: std::collections::HashMap<u32, &crate::score::ScoredPair> = Default::default();
    for p in run.scored.iter().filter(|p| p.is_link(cfg.threshold)) {
        let c = run.clusters.of[p.a as usize];
        if c == run.clusters.of[p.b as usize] && run.clusters.members[c as usize].len() >= LARGE_CLUSTER {
            let e = weakest.entry(c).or_insert(p);
            if (p.weight, p.a, p.b) < (e.weight, e.a, e.b) {
                *e = p;
            }
        }
    }
    let mut large: Vec<(u32, &crate::score::ScoredPair)> = weakest.into_iter().collect();
    large.sort_by_key(|(c, _)| (std::cmp::Reverse(run.clusters.members[*c as usize].len()), *c));
    splits.extend(large.into_iter().map(|(c, p)| {
        let reason = format!("cluster of {} records: its weakest link", run.clusters.members[c as usize].len());
        ReviewRow::new(p.probability(), ReviewKind::LargeCluster, (p.a, p.b), p.vector, reason)
    }));
    splits.extend(rows);
    // A pair is listed once, for its most consequential reason (the same refused join can be met
    // from both sides, and a refused join can also be an uncertain pair).
    let mut seen = std::collections::HashSet::new();
    splits.retain(|s| seen.insert((s.a.min(s.b), s.a.max(s.b))));
    splits
}

/// review.csv's header and its first [`REVIEW_XLSX_ROWS`] rows, the values as shown (masked with
/// `--redact`), built once for review.csv, review.xlsx and the report's review section.
struct ReviewTable {
    header: Vec<String>,
    /// Each row ends with its `decision` cell: the decision this run applied to the pair (passed with
    /// `--decisions`), else empty.
    rows: Vec<Vec<String>>,
    /// For each row, the comparisons whose values differ (bit `i` for `COMPARISONS[i]`), told from the
    /// values themselves: with `--redact` two different addresses can look alike once masked.
    differ: Vec<u64>,
    /// The decisions this run applied ([`applied_decisions`]).
    decided: std::collections::HashMap<(u32, u32), &'static str>,
}

/// The decisions this run applied, by pair of records (lower index first): `match` or `no-match`.
fn applied_decisions(run: &Run) -> std::collections::HashMap<(u32, u32), &'static str> {
    let d = &run.decisions;
    let ordered = |&(a, b): &(u32, u32)| (a.min(b), a.max(b));
    d.must_link
        .iter()
        .map(|p| (ordered(p), "match"))
        .chain(d.cannot_link.iter().map(|p| (ordered(p), "no-match")))
        .collect()
}

/// review.csv holds the most consequential rows, up to this many.
const REVIEW_CSV_ROWS: usize = 200_000;

/// Review rows: contradicting decisions, refused joins, the weakest links of large clusters and
/// uncertain pairs (probability in `[review_low, threshold)`), with each field's values and weight.
fn review_table(run: &Run, review: &[ReviewRow]) -> ReviewTable {
    use rayon::prelude::*;
    let mut header: Vec<String> = [
        "kind",
        "probability",
        "match_weight",
        "left_source",
        "left_record_id",
        "left_cluster",
        "right_source",
        "right_record_id",
        "right_cluster",
        "reason",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for c in &COMPARISONS {
        header.push(format!("{}_left", c.name));
        header.push(format!("{}_right", c.name));
        header.push(format!("{}_weight", c.name));
    }
    header.push("decision".into());
    let decided = applied_decisions(run);
    let (rows, differ) = review[..review.len().min(REVIEW_XLSX_ROWS)]
        .par_iter()
        .map(|r| (review_cells(run, r, &decided), differing(run, r)))
        .unzip();
    ReviewTable { header, rows, differ, decided }
}

/// The comparisons whose values differ between a pair's records (bit `i` for `COMPARISONS[i]`).
fn differing(run: &Run, r: &ReviewRow) -> u64 {
    let (ca, cb) = (&run.contacts[r.a as usize], &run.contacts[r.b as usize]);
    (0..COMPARISONS.len()).fold(0u64, |mask, i| {
        let (x, y) = (describe(ca, i), describe(cb, i));
        let differs = !x.is_empty() && !y.is_empty() && x.to_lowercase() != y.to_lowercase();
        mask | (differs as u64) << i
    })
}

/// The review rows the page holds: all of them up to `budget`; beyond, a fair share of each kind
/// (the smaller kinds whole, the budget left split evenly among the larger), each kind's most
/// consequential first, in review order — so that a run with many refused joins still puts uncertain
/// pairs in front of a person.
fn page_selection(review: &[ReviewRow], budget: usize) -> Vec<usize> {
    if review.len() <= budget {
        return (0..review.len()).collect();
    }
    // Indexed by the kind's place in `ReviewKind`.
    const KINDS: usize = 4;
    let mut counts = [0usize; KINDS];
    for r in review {
        counts[r.kind as usize] += 1;
    }
    let mut by_size: Vec<usize> = (0..KINDS).collect();
    by_size.sort_by_key(|&k| counts[k]);
    let (mut quota, mut left) = ([0usize; KINDS], budget);
    for (n, &k) in by_size.iter().enumerate() {
        quota[k] = counts[k].min(left / (KINDS - n));
        left -= quota[k];
    }
    let mut taken = [0usize; KINDS];
    (0..review.len())
        .filter(|&i| {
            let k = review[i].kind as usize;
            taken[k] += 1;
            taken[k] <= quota[k]
        })
        .collect()
}

/// One row of review.csv.
fn review_cells(
    run: &Run,
    &ReviewRow { kind, a, b, vector, ref reason, .. }: &ReviewRow,
    decided: &std::collections::HashMap<(u32, u32), &'static str>,
) -> Vec<String> {
    let (ca, cb) = (&run.contacts[a as usize], &run.contacts[b as usize]);
    let v = unpack(vector);
    let ws = weights(&run.model, &run.tf, ca, &v);
    let total = crate::score::total_weight(&run.model, &ws);
    let (sa, ra) = run.record(a);
    let (sb, rb) = run.record(b);
    let mut row = vec![
        kind.name().to_string(),
        format!("{:.4}", probability(total)),
        format!("{total:.2}"),
        sa.into(),
        ra.into(),
        run.clusters.id(run.clusters.of[a as usize]),
        sb.into(),
        rb.into(),
        run.clusters.id(run.clusters.of[b as usize]),
        reason.clone(),
    ];
    for (i, _) in COMPARISONS.iter().enumerate() {
        row.push(shown(run, ca, i));
        row.push(shown(run, cb, i));
        row.push(if v[i] == 0 { String::new() } else { format!("{:.2}", ws[i]) });
    }
    row.push(decided.get(&(a.min(b), a.max(b))).copied().unwrap_or_default().to_string());
    row
}

/// review.csv (the table's rows, then the rest up to [`REVIEW_CSV_ROWS`], formatted as written) and
/// review.xlsx (the table's rows, with a decision dropdown).
fn write_review(run: &Run, review: &[ReviewRow], table: &ReviewTable, out: &Path) -> Result<()> {
    let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
    let mut w = Csv::new(&header, run.config.bom)?;
    for row in &table.rows {
        w.row(row)?;
    }
    for r in review.iter().take(REVIEW_CSV_ROWS).skip(table.rows.len()) {
        w.row(review_cells(run, r, &table.decided))?;
    }
    w.save(&out.join("review.csv"))?;
    let choices = crate::spreadsheet::Choices {
        column: header.len() - 1,
        values: &["match", "no-match"],
        prompt: "match, no-match, or leave empty",
    };
    // probability and match_weight as numbers.
    crate::spreadsheet::write_table(&out.join("review.xlsx"), "review", &header, &table.rows, &[1, 2], Some(choices))
}

/// review.xlsx holds the most consequential rows of review.csv, up to this many (a person decides
/// pairs one by one; review.csv holds them all).
pub const REVIEW_XLSX_ROWS: usize = 20_000;

fn write_quality(run: &Run, out: &Path) -> Result<()> {
    write_quality_issues(&out.join("quality_issues.csv"), &run.ingested, &run.contacts, run.config.bom)
}

/// `quality_issues.csv`: every record with a data-quality flag (`dedupe` and `profile`).
fn write_quality_issues(path: &Path, ingested: &Ingested, contacts: &[Contact], bom: bool) -> Result<()> {
    let mut w = Csv::new(&["source", "record_id", "issues"], bom)?;
    for c in contacts.iter().filter(|c| c.flags != 0) {
        let s = &ingested.sources[c.source as usize];
        w.row([s.name.as_str(), &s.record_ids[c.row as usize], &crate::quality::flag_names(c.flags)])?;
    }
    w.save(path)
}

/// The files of `crmclean profile --out DIR`: profile.json, profile.html and quality_issues.csv.
/// With `redact`, the profiles are masked and rejected rows' contents left out.
pub fn write_profile(
    out: &Path,
    ingested: &Ingested,
    contacts: &[Contact],
    profiles: &[SourceProfile],
    groups: &[crate::quality::TagGroup],
    redact: bool,
) -> Result<()> {
    let mut rejected = ingested.rejects.clone();
    if redact {
        rejected.iter_mut().for_each(|r| r.raw = "(redacted)".into());
    }
    let json = json!({ "sources": profiles, "tag_groups": groups, "rejected": rejected });
    let text =
        serde_json::to_string_pretty(&json).map_err(|e| Error::output(out, e.to_string(), "report this as a bug"))?;
    write_atomic(&out.join("profile.json"), text.as_bytes())?;
    write_atomic(&out.join("profile.html"), html::profile(ingested, profiles, groups).as_bytes())?;
    write_quality_issues(&out.join("quality_issues.csv"), ingested, contacts, false)
}

/// `changes.csv`: what changed since the last run of an incremental (`--state`) run.
fn write_changes(run: &Run, out: &Path) -> Result<()> {
    let path = out.join("changes.csv");
    let Some(inc) = &run.incremental else {
        return remove_stale(&path);
    };
    let mut w = Csv::new(&crate::state::CHANGE_COLUMNS, run.config.bom)?;
    for c in &inc.changes {
        w.row(c.cells())?;
    }
    w.save(&path)
}

/// Number of changes of each kind.
fn change_counts(run: &Run) -> std::collections::BTreeMap<&'static str, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for c in run.incremental.iter().flat_map(|i| &i.changes) {
        *counts.entry(c.change.name()).or_insert(0) += 1;
    }
    counts
}

/// Removes a file this run does not write: one left by an earlier run in the same directory would
/// be misleading.
fn remove_stale(path: &Path) -> Result<()> {
    if path.exists() {
        std::fs::remove_file(path).map_err(|e| Error::output(path, e.to_string(), "remove the old file by hand"))?;
    }
    Ok(())
}

/// `retention.csv`, the deletion list: every cluster with a record past `retention`, with *every*
/// record of that person in every source (deleting one copy while another system keeps the person
/// defeats retention), and whether the whole person is past it (every record was created before the
/// cutoff and none has activity since). Sorted by cluster, then source. Not written when nothing is
/// past retention.
fn write_retention(run: &Run, out: &Path) -> Result<()> {
    use crate::normalize::flag::PAST_RETENTION;
    let path = out.join("retention.csv");
    let past = |i: u32| run.contacts[i as usize].flags & PAST_RETENTION != 0;
    let mut clusters: Vec<u32> = (0..run.clusters.members.len() as u32)
        .filter(|&c| run.clusters.members[c as usize].iter().any(|&i| past(i)))
        .collect();
    if clusters.is_empty() {
        return remove_stale(&path);
    }
    clusters.sort_unstable();
    let cutoff = run.config.retention_days.map(|d| chrono::Utc::now().date_naive() - chrono::Duration::days(d as i64));
    let mut w = Csv::new(
        &[
            "cluster_id",
            "source",
            "record_id",
            "created",
            "last_activity",
            "record_past_retention",
            "person_past_retention",
        ],
        run.config.bom,
    )?;
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    for c in clusters {
        let mut members = run.clusters.members[c as usize].clone();
        members.sort_by_key(|&i| (run.contacts[i as usize].source, run.contacts[i as usize].row));
        // The person is past retention when every record is, and none shows activity after the cutoff.
        let active_since = |i: u32| {
            let k = &run.contacts[i as usize];
            cutoff.is_some_and(|cut| k.last_activity.is_some_and(|d| d >= cut))
        };
        let person = members.iter().all(|&i| past(i) && !active_since(i));
        for i in members {
            let k = &run.contacts[i as usize];
            let (s, r) = run.record(i);
            let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            w.row([
                run.clusters.id(c).as_str(),
                s,
                r,
                &date(k.created),
                &date(k.last_activity),
                yes_no(past(i)),
                yes_no(person),
            ])?;
        }
    }
    w.save(&path)
}

fn write_rejects(run: &Run, out: &Path) -> Result<()> {
    let path = out.join("rejects.csv");
    if run.ingested.rejects.is_empty() {
        return remove_stale(&path);
    }
    let mut w = Csv::new(&["source", "file", "line", "reason", "raw"], run.config.bom)?;
    for r in &run.ingested.rejects {
        w.row([r.source.as_str(), &r.file, &r.line.to_string(), &r.reason, &r.raw])?;
    }
    w.save(&path)
}

/// The run's headline figures.
pub fn summary_json(run: &Run) -> serde_json::Value {
    let records = run.contacts.len();
    let clusters = run.clusters.members.len();
    let sizes = size_histogram(run);
    let matched = run.scored.iter().filter(|p| p.is_link(run.config.threshold)).count();
    let review = review_count(run);
    json!({
        "crmclean_version": env!("CARGO_PKG_VERSION"),
        "inputs": run.inputs(),
        "records_read": records + run.ingested.rejects.len(),
        "records": records,
        "rejected": run.ingested.rejects.len(),
        "clusters": clusters,
        "duplicate_records": records - clusters,
        "clusters_with_duplicates": run.clusters.members.iter().filter(|m| m.len() > 1).count(),
        "cluster_sizes": sizes,
        "consent": consent_summary(run),
        "notes": run.ingested.notes,
        "generic_comparisons": run.extras,
        "blocking": {
            "candidate_pairs": run.pair_stats.scored,
            "rules": run.candidates.rules,
        },
        "scoring": {
            "pairs_scored": run.pair_stats.scored,
            "threshold": run.config.threshold,
            "review_low": run.config.review_low,
            "links": matched,
            "pairs_for_review": review,
            "refused_joins": run.clusters.splits.len(),
            "joins_checked_on_a_sample": run.clusters.sampled_joins,
            "decisions": {
                "must_link": run.decisions.must_link.len(),
                "contradictions": run.clusters.contradictions.len(),
                "cannot_link": run.decisions.cannot_link.len(),
                "unknown_records": run.decisions.unknown_records,
            },
            "prior": run.model.prior,
            "em_iterations": run.model.em_iterations,
            "em_converged": run.model.em_converged,
            "link_only": run.config.link_only,
        },
        "incremental": run.incremental.as_ref().map(|i| json!({ "run": i, "changes": change_counts(run) })),
        "quality": run.profiles,
        "tag_groups": crate::quality::tag_groups(&run.ingested),
        "peak_memory_mb": run.memory.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "timings_seconds": run.timings.iter().map(|(k, v)| (k.to_string(), json!((v * 1000.0).round() / 1000.0))).collect::<serde_json::Map<_, _>>(),
    })
}

/// Number of candidate pairs in the review queue.
pub fn review_count(run: &Run) -> usize {
    run.scored.iter().filter(|p| p.needs_review(run.config.review_low, run.config.threshold)).count()
}

/// Writes summary.json.
pub fn write_summary(run: &Run, out: &Path) -> Result<()> {
    let text = serde_json::to_string_pretty(&summary_json(run))
        .map_err(|e| Error::output(out, e.to_string(), "report this as a bug"))?;
    write_atomic(&out.join("summary.json"), text.as_bytes())
}

/// Clusters by their number of records.
fn size_histogram(run: &Run) -> std::collections::BTreeMap<usize, usize> {
    let mut h = std::collections::BTreeMap::new();
    for m in &run.clusters.members {
        *h.entry(m.len()).or_insert(0) += 1;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Beyond the page's budget, each kind gets a share: a small kind whole, the rest split evenly,
    /// each kind's first rows in review order.
    #[test]
    fn the_page_holds_a_share_of_each_kind() {
        let rows = |kind, n: u32, from: u32| {
            (from..from + n).map(move |i| ReviewRow::new(0.5, kind, (i, i + 1), 0, String::new()))
        };
        let review: Vec<ReviewRow> = rows(ReviewKind::Split, 100, 0)
            .chain(rows(ReviewKind::LargeCluster, 5, 1000))
            .chain(rows(ReviewKind::UncertainPair, 100, 2000))
            .collect();
        let page = page_selection(&review, 45);
        let kinds = |k: ReviewKind| page.iter().filter(|&&i| review[i].kind == k).count();
        assert_eq!(
            (kinds(ReviewKind::Split), kinds(ReviewKind::LargeCluster), kinds(ReviewKind::UncertainPair)),
            (20, 5, 20)
        );
        assert_eq!(&page[..3], &[0, 1, 2], "the first of each kind, in review order");
        assert!(page.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(page_selection(&review[..40], 45).len(), 40, "all of them within the budget");
    }
}
