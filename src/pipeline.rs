//! The orchestrator: runs the stages in order and hands each one the previous one's output.

use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::block::{self, Candidates};
use crate::cluster::{self, Decisions};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ingest::{self, ColumnMap, Ingested};
use crate::merge;
use crate::normalize::{self, Contact};
use crate::quality::{self, SourceProfile};
use crate::report::{self, PairStats, Run};
use crate::score::{self, Model, TermFreq};
use crate::state::{self, Incremental};

/// What `crmclean dedupe` is asked to do.
#[derive(Debug, Clone)]
pub struct DedupeOptions {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub config: Config,
    /// Load this model instead of learning one.
    pub model: Option<PathBuf>,
    /// A review file with reviewers' decisions to honour.
    pub decisions: Option<PathBuf>,
    /// Show progress bars on stderr.
    pub progress: bool,
    /// State directory of incremental runs ([`crate::state`]).
    pub state: Option<PathBuf>,
}

/// Input file facts for summary.json.
#[derive(Debug, Clone, Serialize)]
pub struct InputSummary {
    pub file: String,
    pub source: String,
    pub encoding: &'static str,
    pub delimiter: String,
    pub rows_read: usize,
    pub records: usize,
    pub rejected: usize,
    pub id_column: Option<String>,
    pub duplicate_ids: usize,
    pub mapping: Vec<ColumnMap>,
}

/// A spinner per stage, drawn only when asked for.
struct Stages {
    bar: ProgressBar,
    started: Instant,
    timings: Vec<(&'static str, f64)>,
    memory: Vec<(&'static str, u64)>,
}

/// Peak resident memory of this process so far, in MB (Linux; `None` elsewhere).
pub fn peak_memory_mb() -> Option<u64> {
    Some(meminfo_of_self("VmHWM:")? / 1_048_576)
}

/// A memory figure of this process from /proc/self/status (`VmRSS:`, `VmHWM:`), in bytes.
fn meminfo_of_self(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

impl Stages {
    fn new(show: bool) -> Self {
        let bar = ProgressBar::new_spinner();
        bar.set_draw_target(if show { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() });
        bar.set_style(Self::spinner());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Stages { bar, started: Instant::now(), timings: Vec::new(), memory: Vec::new() }
    }
    fn start(&mut self, msg: &str) {
        self.bar.set_style(Self::spinner());
        self.bar.set_length(0);
        self.bar.set_position(0);
        self.bar.set_message(msg.to_string());
        self.started = Instant::now();
    }
    fn spinner() -> ProgressStyle {
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner())
    }
    /// Turns the current stage's spinner into a bar of `len` steps with counts and ETA; returns it to
    /// advance.
    fn counted(&self, len: usize) -> ProgressBar {
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {msg} {wide_bar} {human_pos}/{human_len} (ETA {eta})",
        ) {
            self.bar.set_style(style);
        }
        self.bar.set_length(len as u64);
        self.bar.set_position(0);
        self.bar.clone()
    }
    fn done(&mut self, stage: &'static str) {
        self.timings.push((stage, self.started.elapsed().as_secs_f64()));
        if let Some(mb) = peak_memory_mb() {
            self.memory.push((stage, mb));
        }
    }
}

/// A run writes and replaces its own files in `--out`: an input file in that folder (an export named
/// `golden.csv`, or last night's output fed back in) could be overwritten, so such a folder is refused.
pub fn refuse_inputs_in_out_dir(inputs: &[PathBuf], out: &Path) -> Result<()> {
    let Ok(out_dir) = out.canonicalize() else {
        return Ok(()); // not there yet: it holds nothing
    };
    for input in inputs {
        let dir = input.canonicalize().ok().and_then(|p| p.parent().map(Path::to_path_buf));
        if dir.as_deref() == Some(out_dir.as_path()) {
            return Err(Error::config(
                format!("the output folder {} holds the input file {}", out.display(), input.display()),
                "pass another --out (crmclean writes and replaces its own files there)",
            ));
        }
    }
    Ok(())
}

/// Checks that `out` can be an output directory, creating it when missing.
pub fn prepare_out_dir(out: &Path) -> Result<()> {
    if out.exists() && !out.is_dir() {
        return Err(Error::output(
            out,
            "exists and is not a directory",
            "pass a directory for --out (it is created when missing)",
        ));
    }
    std::fs::create_dir_all(out).map_err(|e| Error::output(out, e.to_string(), "check the path and your permissions"))
}

/// Peak memory per record of a dedupe run, measured on generated data (`generate --seed 5`, peak RSS
/// in summary.json): 1,059,527 records 2.44 GB (2.3 KB each), 10,585,549 records 21.2 GB (2.0 KB
/// each, about 12 candidate pairs per record). Too high an estimate refuses runs that would fit.
const BYTES_PER_RECORD: u64 = 2_100;
/// Memory for reading the input files, per byte of input (file bytes, decoded text, frames).
const BYTES_PER_INPUT_BYTE: u64 = 4;

/// Memory this process can reach in all: `CRMCLEAN_MEMORY_LIMIT_GB` if set, else what it holds now
/// plus the smaller of the kernel's MemAvailable and what the cgroup limit leaves. `None` when it
/// cannot be told.
fn available_memory() -> Option<u64> {
    if let Some(gb) = std::env::var("CRMCLEAN_MEMORY_LIMIT_GB").ok().and_then(|v| v.parse::<f64>().ok()) {
        return Some((gb * 1e9) as u64);
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
    let available = meminfo.as_deref().and_then(|m| {
        let line = m.lines().find(|l| l.starts_with("MemAvailable:"))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    });
    let read = |p: &str| std::fs::read_to_string(p).ok().and_then(|s| s.trim().parse::<u64>().ok());
    let cgroup = read("/sys/fs/cgroup/memory.max")
        .map(|max| max.saturating_sub(read("/sys/fs/cgroup/memory.current").unwrap_or(0)));
    let free = match (available, cgroup) {
        (Some(a), Some(c)) => Some(a.min(c)),
        (a, c) => a.or(c),
    };
    // The estimates below are totals, and after reading the inputs this process already holds them.
    let held = meminfo_of_self("VmRSS:").unwrap_or(0);
    free.map(|f| f + held)
}

/// Stops a run that would exhaust memory, before it does, with a message saying what to do.
fn check_memory(what: &str, needed: u64) -> Result<()> {
    let Some(available) = available_memory() else { return Ok(()) };
    if needed <= available {
        return Ok(());
    }
    Err(Error::Resources {
        message: format!(
            "{what} needs about {:.1} GB of memory, and only {:.1} GB is available",
            needed as f64 / 1e9,
            available as f64 / 1e9
        ),
        hint: "run on a machine with more memory, or split the inputs (e.g. by country) and run them separately; set CRMCLEAN_MEMORY_LIMIT_GB to override the detected memory".into(),
    })
}

/// Runs the whole pipeline and writes every output into `opts.out`.
pub fn dedupe(opts: &DedupeOptions) -> Result<Run> {
    refuse_inputs_in_out_dir(&opts.inputs, &opts.out)?;
    prepare_out_dir(&opts.out)?;
    // summary.json is written last: without it, the directory does not hold one complete run.
    let summary = opts.out.join("summary.json");
    if summary.exists() {
        std::fs::remove_file(&summary).map_err(|e| Error::output(&summary, e.to_string(), "remove it by hand"))?;
    }
    // Temporary files of a killed run.
    for name in report::OUTPUT_FILES {
        let _ = std::fs::remove_file(opts.out.join(format!("{name}.tmp")));
    }
    let (mut run, st) = match_records(opts)?;
    st.bar.set_message("writing outputs");
    let t = Instant::now();
    report::write_all(&run, &opts.out)?;
    run.timings.push(("report", t.elapsed().as_secs_f64()));
    if let Some(mb) = peak_memory_mb() {
        run.memory.push(("report", mb));
    }
    // summary.json carries the report time too.
    report::write_summary(&run, &opts.out)?;
    if let Some(dir) = &opts.state {
        st.bar.set_message("saving the state");
        let (run_no, next_id) =
            run.incremental.as_ref().map(|i| (i.run, i.next_id)).unwrap_or((1, run.clusters.members.len() as u64 + 1));
        state::save(
            dir,
            &state::Snapshot {
                run: run_no,
                next_id,
                extras: run.extras.iter().map(|e| e.header.clone()).collect(),
                model: &run.model,
                ingested: &run.ingested,
                contacts: &run.contacts,
                hashes: &run.hashes,
                keys: &run.keys,
                clusters: &run.clusters,
                golden: &run.golden,
                decisions: &run.kept_decisions,
            },
        )?;
    }
    st.bar.finish_and_clear();
    Ok(run)
}

/// Steps 1–7 without writing anything (`opts.out` is not used): what `check` needs to measure
/// duplicates.
pub fn run_in_memory(opts: &DedupeOptions) -> Result<Run> {
    let (run, st) = match_records(opts)?;
    st.bar.finish_and_clear();
    Ok(run)
}

fn match_records(opts: &DedupeOptions) -> Result<(Run, Stages)> {
    let cfg = &opts.config;
    let mut st = Stages::new(opts.progress);

    st.start("reading inputs");
    let mut ingested = read_inputs(opts)?;
    st.done("ingest");

    st.start(&format!("normalizing {} records", ingested.record_count()));
    let extras = normalize::choose_extras(&ingested);
    let contacts = normalize::normalize_with_progress(&ingested, cfg, &extras, &st.counted(ingested.record_count()))?;
    st.done("normalize");

    st.start("profiling data quality");
    let profiles = quality::profile(&ingested, &contacts);
    st.done("quality");

    let Previous { state, hashes, keys, statuses } = Previous::read(opts, &mut st, &ingested, &contacts)?;

    let Pairs { candidates, model, tf, mut scored, reused_model } =
        find_pairs(opts, &mut st, &ingested, &contacts, &extras, state.as_ref(), statuses.as_deref())?;
    st.start("clustering");
    let (decisions, joins, kept_decisions) =
        read_decisions(opts, state.as_ref(), statuses.as_deref(), &ingested, &contacts, &keys)?;
    let mut clusters = cluster::cluster(&contacts, &scored, &model, &tf, cfg.threshold, cfg.link_only, &joins);
    if clusters.sampled_joins > 0 {
        ingested.notes.push(sampled_joins_note(clusters.sampled_joins));
    }
    let pair_stats = PairStats::of(&scored);
    scored.retain(|p| p.is_link(cfg.threshold) || p.needs_review(cfg.review_low, cfg.threshold));
    scored.shrink_to_fit();
    let next_id = match (&state, &statuses) {
        (Some(state), Some(statuses)) => state::assign_ids(state, statuses, &mut clusters),
        _ => clusters.members.len() as u64 + 1,
    };
    st.done("cluster");

    st.start("building golden records");
    let golden = merge::golden_records(&ingested, &contacts, &clusters, cfg);
    st.done("merge");

    let incremental = match (&state, &statuses) {
        (Some(state), Some(statuses)) => {
            st.start("listing changes");
            let changes = state::changes(state, &ingested, &contacts, statuses, &clusters, &golden, &keys)?;
            st.done("changes");
            Some(incremental(state, statuses, changes, next_id, candidates.unchanged_blocks, reused_model))
        }
        _ => None,
    };

    let run = Run {
        ingested,
        extras,
        contacts,
        candidates,
        model,
        tf,
        scored,
        pair_stats,
        clusters,
        golden,
        decisions,
        profiles,
        timings: std::mem::take(&mut st.timings),
        memory: std::mem::take(&mut st.memory),
        config: cfg.clone(),
        incremental,
        hashes,
        keys,
        kept_decisions,
    };
    Ok((run, st))
}

/// Steps 4 and 5: the candidate pairs, the model and the scored pairs.
struct Pairs {
    candidates: Candidates,
    model: Model,
    tf: TermFreq,
    scored: Vec<score::ScoredPair>,
    /// The model is the state's.
    reused_model: bool,
}

fn find_pairs(
    opts: &DedupeOptions,
    st: &mut Stages,
    ingested: &Ingested,
    contacts: &[Contact],
    extras: &[normalize::Extra],
    state: Option<&state::State>,
    statuses: Option<&[(state::Status, Option<u64>)]>,
) -> Result<Pairs> {
    let cfg = &opts.config;
    st.start("blocking");
    let rules = block::default_rules();
    // Unchanged data is not rescored: only pairs with a new or edited record go on.
    let changed: Option<Vec<bool>> =
        statuses.map(|s| s.iter().map(|(status, _)| *status != state::Status::Unchanged).collect());
    let mut candidates = block::block_changed(contacts, &rules, cfg.max_block_size, cfg.link_only, changed.as_deref());
    st.done("block");

    st.start(&format!("comparing {} candidate pairs", candidates.pairs.len()));
    let given = given_model(opts, state, extras)?;
    // A model to learn samples random records; a given one needs the records of the pairs only.
    let needed = given.is_some().then(|| {
        let mut needed = vec![false; contacts.len()];
        for &(a, b) in &candidates.pairs {
            (needed[a as usize], needed[b as usize]) = (true, true);
        }
        needed
    });
    let table = crate::compare::Table::for_records(contacts, needed.as_deref());
    let vectors = score::vectors_with_progress(&table, &candidates.pairs, &st.counted(candidates.pairs.len()));
    st.done("compare");

    st.start("learning the match model");
    let (model, reused_model) = match given {
        Some(given) => given,
        None => (learn_model(opts, contacts, &table, &vectors), false),
    };
    drop(table);
    let tf = TermFreq::new(contacts);
    let scored = score::score(&model, &tf, contacts, &candidates.pairs, &vectors);
    st.done("score");

    if let Some(spec) = crate::io::debug_value("pair") {
        debug_pair(spec, ingested, contacts, &model, &tf, &candidates);
    }
    if let Some(path) = crate::io::debug_value("pairs") {
        debug_pairs(path, ingested, contacts, &scored)?;
    }
    // The scored pairs hold the pairs and their vectors: the separate lists are not needed any more
    // (at 10M records they are about 1.7 GB).
    drop(vectors);
    candidates.pairs = Vec::new();
    Ok(Pairs { candidates, model, tf, scored, reused_model })
}

/// What the last `--state` run left, and this run's records held against it.
struct Previous {
    state: Option<state::State>,
    /// Every record's row hash and stable key ([`state::row_hashes`], [`state::record_keys`]).
    hashes: Vec<u64>,
    keys: Vec<String>,
    /// Every record's status against the state, and its cluster there.
    statuses: Option<Vec<(state::Status, Option<u64>)>>,
}

impl Previous {
    /// The `--state` directory's last run, if one is given.
    fn read(opts: &DedupeOptions, st: &mut Stages, ingested: &Ingested, contacts: &[Contact]) -> Result<Self> {
        let Some(dir) = &opts.state else {
            return Ok(Previous { state: None, hashes: Vec::new(), keys: Vec::new(), statuses: None });
        };
        st.start("reading the state");
        let state = state::load(dir)?;
        let hashes = state::row_hashes(ingested, contacts);
        let keys = state::record_keys(ingested, contacts, &hashes);
        let statuses = state.as_ref().map(|s| state::statuses(s, ingested, contacts, &hashes, &keys));
        st.done("state");
        Ok(Previous { state, hashes, keys, statuses })
    }
}

fn sampled_joins_note(joins: usize) -> String {
    format!(
        "{joins} join(s) of very large groups were checked on an even sample of {} pairs across them, not on every pair",
        cluster::JOIN_CHECK_PAIRS
    )
}

/// Reads every input, after checking that it fits in memory, and checks that matching its records
/// will.
fn read_inputs(opts: &DedupeOptions) -> Result<ingest::Ingested> {
    // Compressed formats expand when read: a workbook's or a Parquet file's cells take about ten
    // times the file's size.
    let expansion = |p: &std::path::Path| {
        let ext = p.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        if matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "ods" | "parquet" | "pq") {
            10
        } else {
            1
        }
    };
    let input_bytes: u64 =
        opts.inputs.iter().filter_map(|p| Some(std::fs::metadata(p).ok()?.len() * expansion(p))).sum();
    check_memory("reading the inputs", input_bytes * BYTES_PER_INPUT_BYTE)?;
    let ingested = ingest::ingest(&opts.inputs, &opts.config)?;
    check_memory(
        &format!("matching {} records", ingested.record_count()),
        ingested.record_count() as u64 * BYTES_PER_RECORD,
    )?;
    Ok(ingested)
}

/// The model a run is given: `--model`, else the state's when the columns it compares are the same;
/// and whether the state has one for these columns.
fn given_model(
    opts: &DedupeOptions,
    state: Option<&state::State>,
    extras: &[normalize::Extra],
) -> Result<Option<(Model, bool)>> {
    let extra_headers: Vec<String> = extras.iter().map(|e| e.header.clone()).collect();
    let saved = state.filter(|s| s.extras == extra_headers).and_then(|s| s.model.clone());
    let reused = saved.is_some();
    Ok(match (&opts.model, saved) {
        (Some(path), _) => Some((Model::load(path)?, reused)),
        (None, Some(saved)) => Some((saved, true)),
        (None, None) => None,
    })
}

/// Learns the model on this run's records and candidate pairs.
fn learn_model(
    opts: &DedupeOptions,
    contacts: &[normalize::Contact],
    table: &crate::compare::Table,
    vectors: &[u64],
) -> Model {
    let cfg = &opts.config;
    // Enough random pairs to see rare agreements at this size, at most a million.
    let samples = (contacts.len() as u64 * 10).clamp(200_000, 1_000_000);
    let (u, samples) = score::estimate_u(contacts, table, samples, cfg.link_only);
    score::train(u, samples, vectors, score::total_pairs(contacts, cfg.link_only))
}

/// The reviewers' decisions of this run (`--decisions`); what clustering must honour (those, the
/// decisions and links kept in `--state`); and the decisions to keep in the state for the next run.
fn read_decisions(
    opts: &DedupeOptions,
    state: Option<&state::State>,
    statuses: Option<&[(state::Status, Option<u64>)]>,
    ingested: &ingest::Ingested,
    contacts: &[normalize::Contact],
    keys: &[String],
) -> Result<(Decisions, Decisions, Vec<state::KeptDecision>)> {
    let decisions = match &opts.decisions {
        Some(path) => {
            let index = record_index(ingested, contacts);
            cluster::read_decisions(path, |s, r| index.get(&(s, r)).copied())?
        }
        None => Decisions::default(),
    };
    let mut joins = decisions.clone();
    if let Some(statuses) = &statuses {
        joins.kept_links = state::kept_links(statuses);
    }
    // Decisions of earlier runs kept in the state hold again, unless this run decided the pair anew.
    let kept_decisions = match &opts.state {
        Some(_) => {
            let kept = state.as_ref().map(|s| s.decisions.as_slice()).unwrap_or_default();
            state::apply_kept_decisions(kept, &mut joins, ingested, contacts, keys);
            state::merge_decisions(kept, &decisions, ingested, contacts, keys)
        }
        None => Vec::new(),
    };
    Ok((decisions, joins, kept_decisions))
}

/// What changed since the last `--state` run, with its figures.
fn incremental(
    state: &state::State,
    statuses: &[(state::Status, Option<u64>)],
    changes: Vec<state::Change>,
    next_id: u64,
    blocks_skipped: u64,
    reused_model: bool,
) -> Incremental {
    let count = |s: state::Status| statuses.iter().filter(|x| x.0 == s).count();
    let deleted_records = changes.iter().filter(|c| c.change == state::ChangeKind::RecordDeleted).count();
    Incremental {
        run: state.run + 1,
        next_id,
        new_records: count(state::Status::New),
        edited_records: count(state::Status::Changed),
        unchanged_records: count(state::Status::Unchanged),
        deleted_records,
        blocks_skipped,
        reused_model,
        changes,
    }
}

impl Run {
    /// Per-input facts.
    pub fn inputs(&self) -> Vec<InputSummary> {
        self.ingested
            .sources
            .iter()
            .map(|s| InputSummary {
                file: s.path.display().to_string(),
                source: s.name.clone(),
                encoding: s.encoding,
                delimiter: match s.delimiter {
                    '\t' => "tab".into(),
                    d => d.to_string(),
                },
                rows_read: s.rows_read,
                records: s.frame.height(),
                rejected: self.ingested.rejects.iter().filter(|r| r.source == s.name).count(),
                id_column: s.id_column.clone(),
                duplicate_ids: s.duplicate_ids.len(),
                mapping: s.columns.clone(),
            })
            .collect()
    }

    /// `(source name, record id)` of a contact.
    pub fn record(&self, i: u32) -> (&str, &str) {
        let c = &self.contacts[i as usize];
        let s = &self.ingested.sources[c.source as usize];
        (&s.name, &s.record_ids[c.row as usize])
    }
}

/// Steps 1–3 only: what `profile` and `check` need.
pub fn profile(inputs: &[PathBuf], cfg: &Config) -> Result<(Ingested, Vec<Contact>, Vec<SourceProfile>)> {
    let ingested = ingest::ingest(inputs, cfg)?;
    let contacts = normalize::normalize(&ingested, cfg, &normalize::choose_extras(&ingested))?;
    let profiles = quality::profile(&ingested, &contacts);
    Ok((ingested, contacts, profiles))
}

/// `(source, record_id)` → contact index.
fn record_index<'a>(
    ingested: &'a Ingested,
    contacts: &[Contact],
) -> std::collections::HashMap<(&'a str, &'a str), u32> {
    contacts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let s = &ingested.sources[c.source as usize];
            ((s.name.as_str(), s.record_ids[c.row as usize].as_str()), i as u32)
        })
        .collect()
}

/// Developer aid: `CRMCLEAN_DEBUG=pairs=PATH` writes every scored pair (both records, the comparison
/// vector, the match weight) to PATH as tab-separated lines, to study a set's errors against its truth.
fn debug_pairs(path: &str, ingested: &Ingested, contacts: &[Contact], scored: &[score::ScoredPair]) -> Result<()> {
    let id = |i: u32| {
        let c = &contacts[i as usize];
        let s = &ingested.sources[c.source as usize];
        format!("{}:{}", s.name, s.record_ids[c.row as usize])
    };
    let mut out = String::new();
    for p in scored {
        let v = crate::compare::unpack(p.vector);
        out += &format!("{}\t{}\t{v:?}\t{:.3}\n", id(p.a), id(p.b), p.weight);
    }
    crate::io::write_atomic(std::path::Path::new(path), out.as_bytes())
}

/// Developer aid: `CRMCLEAN_DEBUG=pair=source:id/source:id` prints how two records compare.
fn debug_pair(spec: &str, ingested: &Ingested, contacts: &[Contact], model: &Model, tf: &TermFreq, cands: &Candidates) {
    let index = record_index(ingested, contacts);
    let find = |s: &str| -> Option<u32> {
        let (src, id) = s.split_once(':')?;
        index.get(&(src, id)).copied()
    };
    let Some((a, b)) = spec.split_once('/').and_then(|(x, y)| Some((find(x)?, find(y)?))) else {
        eprintln!("debug pair: not found: {spec}");
        return;
    };
    let (ca, cb) = (&contacts[a as usize], &contacts[b as usize]);
    let v = crate::compare::compare(ca, cb);
    let w = score::weights(model, tf, ca, &v);
    let key = (a.min(b), a.max(b));
    eprintln!("debug pair {spec}: candidate={} vector={v:?}", cands.pairs.binary_search(&key).is_ok());
    eprintln!(
        "  weights={:?} total={:.2} conflict={}",
        w.map(|x| (x * 10.0).round() / 10.0),
        score::total_weight(model, &w),
        score::conflict_in(model, &v, &w).unwrap_or("none"),
    );
    eprintln!("  a={ca:?}\n  b={cb:?}");
}
