//! Incremental runs (`dedupe --state DIR`): what a nightly job carries from one run to the next.
//!
//! The state directory holds one complete version per run (`v000001/`, `v000002/`, ...) and a
//! `CURRENT` file naming the version to read. A run writes its version under a temporary name,
//! renames it into place and only then replaces `CURRENT` (an atomic rename), so a run killed at
//! any point leaves the previous state readable. The version before the current one is kept too.
//!
//! A version holds `state.json` (format version, run number, the next free cluster id, the generic
//! columns the model compares), `model.json`, `records.csv` (`source,record_id,hash,cluster_id,key`: a
//! hash of each record's row, its cluster, and the key it is recognised by next time, see
//! [`record_keys`]), `golden.csv` (the golden values) and `decisions.csv` (every reviewer decision so
//! far, by source and key, honoured by every later run).
//!
//! What a run with a state does differently:
//! * Records whose row is unchanged since the last run keep their grouping: unchanged records that
//!   shared a cluster are joined before matching starts. Only candidate pairs with a new or edited
//!   record are formed, compared and scored, with the saved model (no retraining): a block of
//!   unchanged records is not paired at all ([`crate::block::block_changed`]).
//! * Cluster ids are stable ([`assign_ids`]): a cluster keeps the id of the old cluster most of
//!   its records come from; when old clusters merge, the oldest (lowest) id survives; when one
//!   splits, the part holding most of its records keeps the id and the others get new ids. New ids
//!   continue after the highest id ever issued and are never reused.
//! * [`Change`]s against the last run go to `changes.csv` and the report.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rayon::prelude::*;

use serde::{Deserialize, Serialize};

use crate::cluster::{format_id, parse_id, Clusters};
use crate::error::{Error, Result};
use crate::ingest::Ingested;
use crate::merge::Golden;
use crate::normalize::Contact;
use crate::schema::GOLDEN_FIELDS;
use crate::score::Model;

/// What an incremental run did differently.
#[derive(Debug, Clone, Serialize)]
pub struct Incremental {
    /// Run number of this run.
    pub run: u64,
    pub next_id: u64,
    pub new_records: usize,
    pub edited_records: usize,
    pub unchanged_records: usize,
    pub deleted_records: usize,
    /// Blocks (of every blocking rule) whose records are all unchanged: not paired, compared or
    /// scored again ([`crate::block::block_changed`]).
    pub blocks_skipped: u64,
    /// The saved model was used (false when the compared columns changed and it was relearned).
    pub reused_model: bool,
    #[serde(skip)]
    pub changes: Vec<Change>,
}

/// Bumped whenever the layout or meaning of a state changes.
/// (2: records.csv has a `key` column, and the model compares companies on four levels; a format-1
/// state is refused, and the first run with a new state directory relearns everything.)
pub const FORMAT_VERSION: u32 = 2;
const FORMAT_NAME: &str = "crmclean-state";

/// `state.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Meta {
    format: String,
    format_version: u32,
    crmclean_version: String,
    run: u64,
    next_id: u64,
    /// Headers of the generic columns the model's `extra_*` comparisons were learned on.
    extras: Vec<String>,
}

/// `(source, key)` ([`record_keys`]) → (row hash, cluster id number, record id then).
pub type Records = polars::prelude::PlHashMap<(String, String), (u64, u64, String)>;

/// The last run, as loaded from a state directory.
#[derive(Debug, Clone)]
pub struct State {
    pub run: u64,
    pub next_id: u64,
    pub extras: Vec<String>,
    pub model: Option<Model>,
    /// `(source, key)` ([`record_keys`]) → (row hash, cluster id number, record id then).
    pub records: Records,
    /// The last run's cluster id numbers (one golden record each), ascending.
    pub golden_ids: Vec<u64>,
    /// The last run's golden.csv, read again row by row when the changes are listed (holding a
    /// million golden records from the load to the end of the run costs hundreds of MB).
    pub golden_path: Option<std::path::PathBuf>,
    /// Per [`GOLDEN_FIELDS`], its column in the state's golden.csv; `None` for a field the file does
    /// not have (written before the field existed: no change to report).
    pub golden_at: Vec<Option<usize>>,
    /// The number of columns of golden.csv.
    pub golden_width: usize,
    /// Reviewers' decisions of earlier runs, kept so that every later run honours them.
    pub decisions: Vec<KeptDecision>,
}

/// A reviewer's decision on two records, named by source and [`record_keys`] key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeptDecision {
    pub left: (String, String),
    pub right: (String, String),
    /// `true` for match, `false` for no-match.
    pub matched: bool,
}

/// The decisions to keep after a run: this run's (`new`, as record indices) and the kept ones it did
/// not decide again. A pair decided again takes its newest decision.
pub fn merge_decisions(
    kept: &[KeptDecision],
    new: &crate::cluster::Decisions,
    ingested: &Ingested,
    contacts: &[Contact],
    keys: &[String],
) -> Vec<KeptDecision> {
    let name = |i: u32| {
        let c = &contacts[i as usize];
        (ingested.sources[c.source as usize].name.clone(), keys[i as usize].clone())
    };
    // (source, key) of both records, in order → matched.
    type Named = (String, String);
    let mut by_pair: BTreeMap<(Named, Named), bool> = BTreeMap::new();
    for d in kept {
        by_pair.insert(ordered(d.left.clone(), d.right.clone()), d.matched);
    }
    for (pairs, matched) in [(&new.must_link, true), (&new.cannot_link, false)] {
        for &(a, b) in pairs {
            by_pair.insert(ordered(name(a), name(b)), matched);
        }
    }
    by_pair.into_iter().map(|((left, right), matched)| KeptDecision { left, right, matched }).collect()
}

fn ordered<T: Ord>(a: T, b: T) -> (T, T) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// The kept decisions whose two records are both in this run, as record indices, added to
/// `decisions` unless this run decided the same pair.
pub fn apply_kept_decisions(
    kept: &[KeptDecision],
    decisions: &mut crate::cluster::Decisions,
    ingested: &Ingested,
    contacts: &[Contact],
    keys: &[String],
) {
    let index: HashMap<(&str, &str), u32> = contacts
        .iter()
        .enumerate()
        .map(|(i, c)| ((ingested.sources[c.source as usize].name.as_str(), keys[i].as_str()), i as u32))
        .collect();
    let decided: std::collections::HashSet<(u32, u32)> =
        decisions.must_link.iter().chain(&decisions.cannot_link).map(|&(a, b)| (a.min(b), a.max(b))).collect();
    for d in kept {
        let (Some(&a), Some(&b)) =
            (index.get(&(d.left.0.as_str(), d.left.1.as_str())), index.get(&(d.right.0.as_str(), d.right.1.as_str())))
        else {
            continue;
        };
        let pair = (a.min(b), a.max(b));
        if a == b || decided.contains(&pair) {
            continue;
        }
        if d.matched {
            decisions.must_link.push(pair);
        } else {
            decisions.cannot_link.push(pair);
        }
    }
}

/// How a record relates to the last run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    New,
    Changed,
    Unchanged,
}

/// What changed since the last run (changes.csv's `change` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum ChangeKind {
    #[default]
    NewCluster,
    MergedCluster,
    SplitCluster,
    RemovedCluster,
    RecordAdded,
    RecordEdited,
    RecordMoved,
    RecordDeleted,
    GoldenValueChanged,
}

/// Written as changes.csv writes it (summary.json's changes).
impl Serialize for ChangeKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl ChangeKind {
    /// As changes.csv writes it.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::NewCluster => "new_cluster",
            ChangeKind::MergedCluster => "merged_cluster",
            ChangeKind::SplitCluster => "split_cluster",
            ChangeKind::RemovedCluster => "removed_cluster",
            ChangeKind::RecordAdded => "record_added",
            ChangeKind::RecordEdited => "record_edited",
            ChangeKind::RecordMoved => "record_moved",
            ChangeKind::RecordDeleted => "record_deleted",
            ChangeKind::GoldenValueChanged => "golden_value_changed",
        }
    }
}

/// One line of `changes.csv`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Change {
    pub change: ChangeKind,
    pub cluster_id: String,
    pub other_cluster_id: String,
    pub source: String,
    pub record_id: String,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

/// The header of `changes.csv`.
pub const CHANGE_COLUMNS: [&str; 8] =
    ["change", "cluster_id", "other_cluster_id", "source", "record_id", "field", "old_value", "new_value"];

impl Change {
    pub fn cells(&self) -> [&str; 8] {
        [
            self.change.name(),
            &self.cluster_id,
            &self.other_cluster_id,
            &self.source,
            &self.record_id,
            &self.field,
            &self.old_value,
            &self.new_value,
        ]
    }
}

fn bad_state(path: &Path, message: impl Into<String>) -> Error {
    Error::Artifact {
        path: path.to_path_buf(),
        message: format!(
            "{}; the state cannot be used. Point --state at a new directory to start over (the first run there matches everything afresh)",
            message.into()
        ),
    }
}

/// Loads the current version of a state directory; `None` when the directory is new or empty.
pub fn load(dir: &Path) -> Result<Option<State>> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::output(dir, "exists and is not a directory", "pass a directory for --state"));
    }
    let current = dir.join("CURRENT");
    if !current.exists() {
        let used = std::fs::read_dir(dir).map(|mut d| d.any(|e| e.is_ok())).unwrap_or(false);
        if used {
            return Err(bad_state(dir, "is not empty and has no CURRENT file, so it is not a crmclean state"));
        }
        return Ok(None);
    }
    let name = std::fs::read_to_string(&current).map_err(|source| Error::Read { path: current.clone(), source })?;
    let version = dir.join(name.trim());
    let meta = read_meta(&version)?;
    // A model written by another crmclean version is not reused: the run learns a new one and keeps
    // the records and cluster ids.
    let model = match Model::load(&version.join("model.json")) {
        Ok(m) => Some(m),
        Err(Error::Artifact { .. }) => None,
        Err(e) => return Err(e),
    };
    let golden_path = version.join("golden.csv");
    let (golden_at, golden_width) = golden_columns(&golden_path)?;
    // The two large files are read side by side: golden.csv for its cluster ids (a source with a
    // record id twice has two records.csv rows under one key, so the records alone may miss a cluster).
    let (records, golden_ids) = rayon::join(
        || read_records(&version),
        || -> Result<Vec<u64>> {
            let mut ids = Vec::new();
            for_each_row(&golden_path, golden_width, |row| {
                ids.push(parse_id(&row[0])?);
                Some(())
            })?;
            ids.par_sort_unstable();
            Ok(ids)
        },
    );
    let (records, golden_ids) = (records?, golden_ids?);
    Ok(Some(State {
        run: meta.run,
        next_id: meta.next_id,
        extras: meta.extras,
        model,
        records,
        golden_ids,
        golden_path: Some(golden_path),
        golden_at,
        golden_width,
        decisions: read_kept_decisions(&version)?,
    }))
}

/// A version's state.json, checked to be a state this crmclean reads.
fn read_meta(version: &Path) -> Result<Meta> {
    let meta_path = version.join("state.json");
    let text = std::fs::read_to_string(&meta_path).map_err(|source| Error::Read { path: meta_path.clone(), source })?;
    let meta: Meta = serde_json::from_str(&text).map_err(|e| bad_state(&meta_path, format!("unreadable: {e}")))?;
    if meta.format != FORMAT_NAME {
        return Err(bad_state(&meta_path, "is not a crmclean state file"));
    }
    if meta.format_version != FORMAT_VERSION {
        return Err(bad_state(
            &meta_path,
            format!(
                "was written by crmclean {} in state format {}, this crmclean reads format {FORMAT_VERSION}",
                meta.crmclean_version, meta.format_version
            ),
        ));
    }
    Ok(meta)
}

/// A version's records.csv: (source, record key) → (row hash, cluster id, record id).
fn read_records(version: &Path) -> Result<Records> {
    let path = version.join("records.csv");
    // Sized first (a row takes about 65 bytes): grown as it fills, a map of a million records is
    // rebuilt a dozen times.
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    let mut records = Records::with_capacity_and_hasher(bytes as usize / 60, Default::default());
    for_each_row(&path, 5, |row| {
        let hash = u64::from_str_radix(&row[2], 16).ok()?;
        let id = parse_id(&row[3])?;
        records.insert((row[0].to_string(), row[4].to_string()), (hash, id, row[1].to_string()));
        Some(())
    })?;
    Ok(records)
}

/// Where each golden field is in a golden.csv, and its number of columns.
fn golden_columns(path: &Path) -> Result<(Vec<Option<usize>>, usize)> {
    // By header: a state written by a version with fewer golden fields (before consent was kept)
    // reads with those fields empty.
    let header: Vec<String> = csv::Reader::from_path(path)
        .and_then(|mut r| Ok(r.headers()?.iter().map(String::from).collect()))
        .map_err(|e| Error::Read { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) })?;
    let at: Vec<Option<usize>> = GOLDEN_FIELDS.iter().map(|f| header.iter().position(|h| h == f)).collect();
    Ok((at, header.len()))
}

/// A version's kept decisions (a state written before they were kept has none).
fn read_kept_decisions(version: &Path) -> Result<Vec<KeptDecision>> {
    let mut decisions = Vec::new();
    let path = version.join("decisions.csv");
    if path.exists() {
        for_each_row(&path, 5, |row| {
            let matched = match &row[4] {
                "match" => true,
                "no-match" => false,
                _ => return None,
            };
            decisions.push(KeptDecision {
                left: (row[0].to_string(), row[1].to_string()),
                right: (row[2].to_string(), row[3].to_string()),
                matched,
            });
            Some(())
        })?;
    }
    Ok(decisions)
}

/// Reads a state CSV, calling `f` on every row of `width` cells; a row it cannot use is an error.
fn for_each_row(path: &Path, width: usize, mut f: impl FnMut(csv::StringRecord) -> Option<()>) -> Result<()> {
    let mut rdr = csv::Reader::from_path(path)
        .map_err(|e| Error::Read { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) })?;
    for (i, rec) in rdr.records().enumerate() {
        let row = rec.map_err(|e| bad_state(path, format!("line {}: {e}", i + 2)))?;
        if row.len() != width || f(row).is_none() {
            return Err(bad_state(path, format!("line {} is damaged", i + 2)));
        }
    }
    Ok(())
}

/// A hash of every record's row: header names and cell values of its source.
pub fn row_hashes(ingested: &Ingested, contacts: &[Contact]) -> Vec<u64> {
    const SEED: u64 = 0xcbf2_9ce4_8422_2325;
    let per_source: Vec<(u64, Vec<&polars::prelude::StringChunked>)> = ingested
        .sources
        .iter()
        .map(|s| {
            let header = s.columns.iter().fold(SEED, |h, c| crate::block::fnv1a(h, c.header.as_bytes()) ^ 0x1f);
            let cols = s.frame.columns().iter().filter_map(|c| c.str().ok()).collect();
            (header, cols)
        })
        .collect();
    contacts
        .par_iter()
        .map(|c| {
            let (header, cols) = &per_source[c.source as usize];
            cols.iter().fold(*header, |h, col| {
                // 0x1e separates cells, 0x1d marks an empty one: "a","" and "","a" differ.
                let h = crate::block::fnv1a(h, col.get(c.row as usize).map(str::as_bytes).unwrap_or(b"\x1d"));
                crate::block::fnv1a(h, b"\x1e")
            })
        })
        .collect()
}

/// The key each record is recognised by from one run to the next: its record id where its file has an
/// id column; otherwise its content (the row hash, with `~2`, `~3`, ... for exact duplicate rows), so
/// that rows inserted, deleted or re-sorted in a file without ids do not make every later row look
/// edited. (An edited row of such a file is then a deleted and an added record: nothing else says
/// which row it was.)
pub fn record_keys(ingested: &Ingested, contacts: &[Contact], hashes: &[u64]) -> Vec<String> {
    let mut seen: HashMap<(u16, u64), u32> = HashMap::new();
    contacts
        .iter()
        .zip(hashes)
        .map(|(c, &h)| {
            let s = &ingested.sources[c.source as usize];
            if s.id_column.is_some() {
                return s.record_ids[c.row as usize].clone();
            }
            let n = seen.entry((c.source, h)).or_default();
            *n += 1;
            if *n == 1 {
                format!("#{h:016x}")
            } else {
                format!("#{h:016x}~{n}")
            }
        })
        .collect()
}

/// How every record relates to the last run, and its cluster id number there (new records: none).
/// Records whose id occurs twice in their source are always treated as changed.
pub fn statuses(
    state: &State,
    ingested: &Ingested,
    contacts: &[Contact],
    hashes: &[u64],
    keys: &[String],
) -> Vec<(Status, Option<u64>)> {
    contacts
        .par_iter()
        .zip(hashes)
        .zip(keys)
        .map(|((c, &h), key)| {
            let s = &ingested.sources[c.source as usize];
            match state.records.get(&(s.name.clone(), key.clone())) {
                None => (Status::New, None),
                Some(&(old_hash, id, _)) => {
                    let dup = c.flags & crate::normalize::flag::DUPLICATE_ID != 0;
                    (if old_hash == h && !dup { Status::Unchanged } else { Status::Changed }, Some(id))
                }
            }
        })
        .collect()
}

/// Joins that keep unchanged records together as they were: consecutive unchanged members of each old
/// cluster.
pub fn kept_links(statuses: &[(Status, Option<u64>)]) -> Vec<(u32, u32)> {
    let mut last: HashMap<u64, u32> = HashMap::new();
    let mut links = Vec::new();
    for (i, (st, id)) in statuses.iter().enumerate() {
        if let (Status::Unchanged, Some(id)) = (st, id) {
            if let Some(prev) = last.insert(*id, i as u32) {
                links.push((prev, i as u32));
            }
        }
    }
    links
}

/// Gives every cluster its stable id (see the module docs) and returns the next free id number.
pub fn assign_ids(state: &State, statuses: &[(Status, Option<u64>)], clusters: &mut Clusters) -> u64 {
    // Each new cluster keeps the oldest id that names it heir: one pass over the heirs (linear in
    // the clusters, not clusters × old clusters).
    let mut claimed: Vec<Option<u64>> = vec![None; clusters.ids.len()];
    for (&old, &c) in &heirs(statuses, clusters) {
        let slot = &mut claimed[c as usize];
        *slot = Some(slot.map_or(old, |id| id.min(old)));
    }
    let mut next = state.next_id;
    for (ids, claimed) in clusters.ids.iter_mut().zip(claimed) {
        *ids = claimed.unwrap_or_else(|| {
            next += 1;
            next - 1
        });
    }
    next
}

/// For every old cluster id that still has records: the new cluster holding most of them (ties: the
/// cluster with the earliest record).
fn heirs(statuses: &[(Status, Option<u64>)], clusters: &Clusters) -> BTreeMap<u64, u32> {
    let mut overlap: BTreeMap<(u64, u32), usize> = BTreeMap::new();
    for (i, (_, old)) in statuses.iter().enumerate() {
        if let Some(old) = old {
            *overlap.entry((*old, clusters.of[i])).or_default() += 1;
        }
    }
    let mut best: BTreeMap<u64, (usize, u32)> = BTreeMap::new();
    for (&(old, c), &n) in &overlap {
        let e = best.entry(old).or_insert((n, c));
        if n > e.0 {
            *e = (n, c);
        }
    }
    best.into_iter().map(|(old, (_, c))| (old, c)).collect()
}

/// What changed since the last run: clusters new, merged, split or gone; records added, edited,
/// deleted or moved; golden values that changed.
pub fn changes(
    state: &State,
    ingested: &Ingested,
    contacts: &[Contact],
    statuses: &[(Status, Option<u64>)],
    clusters: &Clusters,
    golden: &[Golden],
    keys: &[String],
) -> Result<Vec<Change>> {
    let heirs = heirs(statuses, clusters);
    // A record's source and id (borrowed: a million records are a million keys).
    let record = |i: usize| {
        let s = &ingested.sources[contacts[i].source as usize];
        (s.name.as_str(), s.record_ids[contacts[i].row as usize].as_str())
    };
    let mut out = Vec::new();
    cluster_changes(state, statuses, clusters, &heirs, &mut out);
    record_changes(state, &record, statuses, clusters, &heirs, keys, &mut out);
    golden_changes(state, clusters, golden, &mut out)?;
    Ok(out)
}

/// Clusters: new ones, merges (old ids that lost to an older id in the same cluster), splits, and
/// old clusters with no heir.
fn cluster_changes(
    state: &State,
    statuses: &[(Status, Option<u64>)],
    clusters: &Clusters,
    heirs: &BTreeMap<u64, u32>,
    out: &mut Vec<Change>,
) {
    let id = |c: u32| clusters.id(c);
    for c in 0..clusters.members.len() as u32 {
        let n = clusters.ids[c as usize];
        if state.golden_ids.binary_search(&n).is_err() {
            out.push(Change { change: ChangeKind::NewCluster, cluster_id: id(c), ..Default::default() });
        }
    }
    for (&old, &c) in heirs {
        if clusters.ids[c as usize] != old {
            out.push(Change {
                change: ChangeKind::MergedCluster,
                cluster_id: id(c),
                other_cluster_id: format_id(old),
                ..Default::default()
            });
        }
    }
    let mut split_seen = std::collections::BTreeSet::new();
    for (i, (_, old)) in statuses.iter().enumerate() {
        let (Some(old), c) = (old, clusters.of[i]) else { continue };
        if heirs.get(old) != Some(&c) && split_seen.insert((*old, c)) {
            out.push(Change {
                change: ChangeKind::SplitCluster,
                cluster_id: format_id(*old),
                other_cluster_id: id(c),
                ..Default::default()
            });
        }
    }
    for &old in &state.golden_ids {
        if !heirs.contains_key(&old) {
            out.push(Change { change: ChangeKind::RemovedCluster, cluster_id: format_id(old), ..Default::default() });
        }
    }
}

/// Records added, edited, moved (not explained by their old cluster merging into the new one) and deleted.
fn record_changes<'a>(
    state: &State,
    record: &dyn Fn(usize) -> (&'a str, &'a str),
    statuses: &[(Status, Option<u64>)],
    clusters: &Clusters,
    heirs: &BTreeMap<u64, u32>,
    keys: &[String],
    out: &mut Vec<Change>,
) {
    let id = |c: u32| clusters.id(c);
    // Records (borrowed: a million records are a million keys).
    let mut present: polars::prelude::PlHashSet<(&str, &str)> =
        polars::prelude::PlHashSet::with_capacity_and_hasher(statuses.len(), Default::default());
    for (i, (st, old)) in statuses.iter().enumerate() {
        let (source, record_id) = record(i);
        let c = clusters.of[i];
        let change = match (st, old) {
            (Status::New, _) => Some(ChangeKind::RecordAdded),
            (Status::Changed, _) => Some(ChangeKind::RecordEdited),
            _ => None,
        };
        // A move not explained by its old cluster merging into this one.
        let moved = old.filter(|old| heirs.get(old) != Some(&c));
        for (change, other) in [(change, None), (moved.map(|_| ChangeKind::RecordMoved), moved)] {
            if let Some(change) = change {
                out.push(Change {
                    change,
                    cluster_id: id(c),
                    other_cluster_id: other.map(format_id).unwrap_or_default(),
                    source: source.to_string(),
                    record_id: record_id.to_string(),
                    ..Default::default()
                });
            }
        }
        present.insert((source, keys[i].as_str()));
    }
    let mut deleted: Vec<(&String, &String, u64)> = state
        .records
        .iter()
        .filter(|((s, k), _)| !present.contains(&(s.as_str(), k.as_str())))
        .map(|((s, _), (_, old, record_id))| (s, record_id, *old))
        .collect();
    deleted.sort();
    for (source, record_id, old) in deleted {
        out.push(Change {
            change: ChangeKind::RecordDeleted,
            cluster_id: format_id(old),
            source: source.clone(),
            record_id: record_id.clone(),
            ..Default::default()
        });
    }
}

/// Golden values of clusters that kept their id, in the order of the golden records (the last
/// run's golden.csv is read row by row).
fn golden_changes(state: &State, clusters: &Clusters, golden: &[Golden], out: &mut Vec<Change>) -> Result<()> {
    let Some(path) = &state.golden_path else {
        return Ok(());
    };
    let at: polars::prelude::PlHashMap<u64, usize> =
        golden.iter().enumerate().map(|(k, g)| (clusters.ids[g.cluster as usize], k)).collect();
    let mut changed: Vec<(usize, Vec<Change>)> = Vec::new();
    for_each_row(path, state.golden_width, |old| {
        let Some(&k) = at.get(&parse_id(&old[0])?) else { return Some(()) };
        let g = &golden[k];
        let mut fields = Vec::new();
        for ((field, v), at) in GOLDEN_FIELDS.iter().zip(&g.values).zip(&state.golden_at) {
            let Some(before) = at.and_then(|i| old.get(i)) else { continue };
            let now = v.as_ref().map(|v| v.value.as_str()).unwrap_or("");
            if now != before {
                fields.push(Change {
                    change: ChangeKind::GoldenValueChanged,
                    cluster_id: clusters.id(g.cluster),
                    field: field.to_string(),
                    old_value: before.to_string(),
                    new_value: now.to_string(),
                    ..Default::default()
                });
            }
        }
        if !fields.is_empty() {
            changed.push((k, fields));
        }
        Some(())
    })?;
    changed.sort_by_key(|c| c.0);
    out.extend(changed.into_iter().flat_map(|c| c.1));
    Ok(())
}

/// Everything [`save`] writes.
pub struct Snapshot<'a> {
    pub run: u64,
    pub next_id: u64,
    pub extras: Vec<String>,
    pub model: &'a Model,
    pub ingested: &'a Ingested,
    pub contacts: &'a [Contact],
    pub hashes: &'a [u64],
    /// [`record_keys`] of the contacts.
    pub keys: &'a [String],
    pub clusters: &'a Clusters,
    pub golden: &'a [Golden],
    /// Every reviewer decision so far ([`merge_decisions`]).
    pub decisions: &'a [KeptDecision],
}

/// Writes a new version into the state directory and makes it current (see the module docs).
pub fn save(dir: &Path, snap: &Snapshot) -> Result<()> {
    let fail = |p: &Path, e: std::io::Error| {
        Error::output(p, e.to_string(), "check free disk space and permissions on the state directory")
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    let name = format!("v{:06}", snap.run);
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| fail(&tmp, e))?;
    }
    std::fs::create_dir_all(&tmp).map_err(|e| fail(&tmp, e))?;
    let meta = Meta {
        format: FORMAT_NAME.into(),
        format_version: FORMAT_VERSION,
        crmclean_version: env!("CARGO_PKG_VERSION").into(),
        run: snap.run,
        next_id: snap.next_id,
        extras: snap.extras.clone(),
    };
    let json = serde_json::to_string_pretty(&meta).map_err(|e| fail(&tmp, std::io::Error::other(e)))?;
    std::fs::write(tmp.join("state.json"), json).map_err(|e| fail(&tmp, e))?;
    snap.model.save(&tmp.join("model.json"))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| fail(&tmp, std::io::Error::other(e));
    w.write_record(["source", "record_id", "hash", "cluster_id", "key"]).map_err(io)?;
    let keys = snap.keys;
    for (i, c) in snap.contacts.iter().enumerate() {
        let s = &snap.ingested.sources[c.source as usize];
        let hash = format!("{:016x}", snap.hashes[i]);
        let id = snap.clusters.id(snap.clusters.of[i]);
        w.write_record([s.name.as_str(), &s.record_ids[c.row as usize], &hash, &id, &keys[i]]).map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&tmp, std::io::Error::other(e.to_string())))?;
    std::fs::write(tmp.join("records.csv"), bytes).map_err(|e| fail(&tmp, e))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["cluster_id"];
    header.extend_from_slice(&GOLDEN_FIELDS);
    w.write_record(&header).map_err(io)?;
    for g in snap.golden {
        let mut row = vec![snap.clusters.id(g.cluster)];
        row.extend(g.values.iter().map(|v| v.as_ref().map(|v| v.value.to_string()).unwrap_or_default()));
        w.write_record(&row).map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&tmp, std::io::Error::other(e.to_string())))?;
    std::fs::write(tmp.join("golden.csv"), bytes).map_err(|e| fail(&tmp, e))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["left_source", "left_key", "right_source", "right_key", "decision"]).map_err(io)?;
    for d in snap.decisions {
        let decision = if d.matched { "match" } else { "no-match" };
        w.write_record([&d.left.0, &d.left.1, &d.right.0, &d.right.1, decision]).map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&tmp, std::io::Error::other(e.to_string())))?;
    std::fs::write(tmp.join("decisions.csv"), bytes).map_err(|e| fail(&tmp, e))?;
    for f in ["state.json", "model.json", "records.csv", "golden.csv", "decisions.csv"] {
        let p = tmp.join(f);
        std::fs::File::open(&p).and_then(|f| f.sync_all()).map_err(|e| fail(&p, e))?;
    }
    let target = dir.join(&name);
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| fail(&target, e))?;
    }
    std::fs::rename(&tmp, &target).map_err(|e| fail(&target, e))?;
    // Test aid: stop as if killed after the new version is written, before it becomes current.
    crate::io::failpoint("state-before-current");
    crate::io::write_atomic(&dir.join("CURRENT"), format!("{name}\n").as_bytes())?;
    prune(dir, snap.run);
    Ok(())
}

/// Removes versions older than the previous one and temporary directories of killed runs.
fn prune(dir: &Path, run: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let old_version = name.strip_prefix('v').and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n + 1 < run);
        if old_version || (name.starts_with(".v") && name.contains(".tmp-")) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clusters(groups: &[&[u32]]) -> Clusters {
        let n = groups.iter().map(|g| g.len()).sum();
        let mut of = vec![0; n];
        for (c, g) in groups.iter().enumerate() {
            for &i in *g {
                of[i as usize] = c as u32;
            }
        }
        let members = groups.iter().map(|g| g.to_vec()).collect::<Vec<_>>();
        let ids = (1..=members.len() as u64).collect();
        Clusters { of, members, splits: Vec::new(), ids, contradictions: Vec::new(), sampled_joins: 0 }
    }

    #[test]
    fn merges_keep_the_oldest_id_splits_keep_the_larger_part_new_ids_are_fresh() {
        let state = State {
            run: 1,
            next_id: 20,
            extras: Vec::new(),
            model: None,
            records: Default::default(),
            golden_ids: Vec::new(),
            golden_path: None,
            golden_at: (0..GOLDEN_FIELDS.len()).map(Some).collect(),
            golden_width: GOLDEN_FIELDS.len(),
            decisions: Vec::new(),
        };
        use Status::*;
        let statuses = [
            (Unchanged, Some(5)),
            (Unchanged, Some(5)),
            (Unchanged, Some(3)),
            (Changed, Some(3)),
            (Unchanged, Some(7)),
            (Unchanged, Some(7)),
            (Changed, Some(7)),
            (New, None),
        ];
        // Old clusters 5 and 3 merge; 7 splits into {4, 5} and {6}; 7 is a new person.
        let mut c = clusters(&[&[0, 1, 2, 3], &[4, 5], &[6], &[7]]);
        let next = assign_ids(&state, &statuses, &mut c);
        assert_eq!(c.ids, vec![3, 7, 20, 21]);
        assert_eq!(next, 22);
        assert_eq!(kept_links(&statuses), vec![(0, 1), (4, 5)]);
    }
}
