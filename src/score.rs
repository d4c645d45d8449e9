//! Step 5b, score: an unsupervised Fellegi–Sunter model, trained by EM, turns comparison vectors into
//! match weights and probabilities.
//!
//! * **u** (how often a level occurs between two different people) is measured on random record
//!   pairs, almost all of which are non-matches.
//! * **m** (how often a level occurs between two records of the same person) is learned by
//!   expectation–maximisation in training sessions over high-precision candidate pairs (see
//!   [`train`]); then the prior chance that two random records match.
//! * **Term frequencies**: an exact first- or last-name agreement uses that name's own frequency as
//!   its u, so a rare surname agreeing weighs more than "Smith".
//!
//! The match weight of a pair is `log2(prior odds) + Σ log2(m/u)` (missing values add nothing), and its
//! probability `1 / (1 + 2^-weight)`. Scoring runs in parallel with rayon; results do not depend on
//! the thread count. The learned [`Model`] is saved as JSON and can be loaded back for later runs.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::compare::{self, compare_recs, pack, unpack, Rec, Table, Vector, COMPARISONS, N};
use crate::error::{Error, Result};
use crate::normalize::Contact;

/// Version of the model file format.
pub const MODEL_VERSION: u32 = 4;

/// Parameters of one comparison.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ComparisonParams {
    pub name: String,
    /// Level labels, `levels[i]` is level `i + 1`.
    pub levels: Vec<String>,
    /// P(level | match), per level.
    pub m: Vec<f64>,
    /// P(level | non-match), per level, measured on random pairs.
    pub u: Vec<f64>,
    /// Whether m was learned on this data (in a training session or on the candidate pairs) rather
    /// than left at its typical value: only a learned disagreement can be a conflict.
    #[serde(default)]
    pub learned: bool,
}

impl ComparisonParams {
    /// Bayes factor weight `log2(m/u)` of a level (`0` for level 0, "missing").
    pub fn weight(&self, level: u8) -> f64 {
        if level == 0 {
            return 0.0;
        }
        let i = level as usize - 1;
        (self.m[i] / self.u[i]).log2()
    }
}

/// A trained Fellegi–Sunter model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Model {
    pub version: u32,
    /// Chance that two random records are the same person.
    pub prior: f64,
    pub comparisons: Vec<ComparisonParams>,
    /// Random pairs used to estimate u.
    pub u_sample_pairs: u64,
    pub em_iterations: u32,
    pub em_converged: bool,
}

impl Model {
    /// Writes the model as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_string_pretty(self)
            .map_err(|e| Error::output(path, e.to_string(), "report this as a bug"))?;
        crate::io::write_atomic(path, json.as_bytes())
    }

    /// Loads a model written by [`Model::save`], checking that it fits this version's comparisons.
    pub fn load(path: &Path) -> Result<Model> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let model: Model = serde_json::from_str(&text).map_err(|e| Error::Artifact {
            path: path.to_path_buf(),
            message: format!("not a crmclean model file: {e}"),
        })?;
        let fits = model.version == MODEL_VERSION
            && model.comparisons.len() == N
            && model
                .comparisons
                .iter()
                .zip(COMPARISONS.iter())
                .all(|(p, c)| p.name == c.name && p.m.len() == c.levels.len() && p.u.len() == c.levels.len());
        if !fits {
            return Err(Error::Artifact {
                path: path.to_path_buf(),
                message: "the model was written by an incompatible crmclean version; run once without --model to learn a new one".into(),
            });
        }
        Ok(model)
    }
}

/// Name frequencies for term-frequency adjustment.
pub struct TermFreq {
    first: polars::prelude::PlHashMap<crate::normalize::Text, u32>,
    last: polars::prelude::PlHashMap<crate::normalize::Text, u32>,
    n: f64,
}

impl TermFreq {
    pub fn new(contacts: &[Contact]) -> Self {
        fn count(map: &mut polars::prelude::PlHashMap<crate::normalize::Text, u32>, key: &crate::normalize::Text) {
            match map.get_mut(key.as_str()) {
                Some(n) => *n += 1,
                None if !key.is_empty() => {
                    map.insert(key.clone(), 1);
                }
                None => {}
            }
        }
        let mut first = polars::prelude::PlHashMap::default();
        let mut last = polars::prelude::PlHashMap::default();
        for c in contacts {
            count(&mut first, &c.first_canon);
            count(&mut last, &c.last);
        }
        TermFreq { first, last, n: contacts.len().max(1) as f64 }
    }

    fn freq(&self, map: &polars::prelude::PlHashMap<crate::normalize::Text, u32>, key: &str) -> f64 {
        map.get(key).copied().unwrap_or(1) as f64 / self.n
    }
}

/// Small deterministic PRNG (SplitMix64) for sampling random pairs.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

/// Level counts per comparison.
type Counts = Vec<Vec<f64>>;

fn empty_counts() -> Counts {
    COMPARISONS.iter().map(|c| vec![0.0; c.levels.len()]).collect()
}

/// Number of record pairs a run considers: all pairs, or only cross-source pairs with `link_only`.
pub fn total_pairs(contacts: &[Contact], link_only: bool) -> u64 {
    let n = contacts.len() as u64;
    let all = n * n.saturating_sub(1) / 2;
    if !link_only {
        return all;
    }
    let mut per_source: HashMap<u16, u64> = HashMap::new();
    for c in contacts {
        *per_source.entry(c.source).or_default() += 1;
    }
    all - per_source.values().map(|k| k * k.saturating_sub(1) / 2).sum::<u64>()
}

/// Counts the levels of `samples` random pairs (cross-source pairs only with `link_only`): what u is
/// made from ([`train`]). Returns the counts per comparison and level, and the pairs drawn.
pub fn estimate_u(contacts: &[Contact], table: &Table, samples: u64, link_only: bool) -> (Counts, u64) {
    let n = contacts.len() as u64;
    if n < 2 {
        return (empty_counts(), 0);
    }
    let total_pairs = n * (n - 1) / 2;
    let samples = samples.min(total_pairs);
    const CHUNK: u64 = 10_000;
    let chunks = samples.div_ceil(CHUNK);
    // A file small enough to compare every pair is counted exactly, not sampled.
    let every_pair = samples == total_pairs;
    // Draw the pairs first, then compare them sorted by their first record: the same pairs and counts,
    // with half the memory accesses in order.
    let mut pairs: Vec<(u32, u32)> = if every_pair {
        (0..n as u32)
            .flat_map(|a| (a + 1..n as u32).map(move |b| (a, b)))
            .filter(|&(a, b)| !(link_only && contacts[a as usize].source == contacts[b as usize].source))
            .collect()
    } else {
        (0..chunks)
            .into_par_iter()
            .flat_map_iter(|ci| {
                let mut rng = SplitMix(0x5EED ^ ci.wrapping_mul(0x9E37_79B9));
                let todo = CHUNK.min(samples - ci * CHUNK);
                let mut drawn = Vec::with_capacity(todo as usize);
                let mut tries = 0;
                while (drawn.len() as u64) < todo && tries < todo * 20 {
                    tries += 1;
                    let (a, b) = (rng.below(n) as usize, rng.below(n) as usize);
                    if a == b || (link_only && contacts[a].source == contacts[b].source) {
                        continue;
                    }
                    drawn.push((a.min(b) as u32, a.max(b) as u32));
                }
                drawn
            })
            .collect()
    };
    pairs.par_sort_unstable();
    // The pairs actually compared (with `link_only`, only those across sources).
    let samples = pairs.len() as u64;
    let counts = pairs
        .par_chunks(CHUNK as usize)
        .map(|chunk| {
            let mut counts = empty_counts();
            for &(a, b) in chunk {
                let v = compare_recs(&table.get(a), &table.get(b));
                for (i, &l) in v.iter().enumerate() {
                    if l > 0 {
                        counts[i][l as usize - 1] += 1.0;
                    }
                }
            }
            counts
        })
        .reduce(empty_counts, |mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                for (p, q) in x.iter_mut().zip(y) {
                    *p += q;
                }
            }
            a
        });
    (counts, samples)
}

/// u from level counts of random pairs, shrunk towards typical values worth 1,000 pairs: decisive for a
/// 50-row spreadsheet, negligible for a real export.
pub fn shrink_u(counts: &Counts) -> Counts {
    const PRIOR_PAIRS: f64 = 1000.0;
    counts
        .iter()
        .zip(COMPARISONS.iter())
        .map(|(levels, c)| {
            // Counts cleared of duplicates can fall below zero: they count as none.
            let total: f64 = levels.iter().map(|n| n.max(0.0)).sum();
            levels
                .iter()
                .zip(c.u_default)
                .map(|(n, d)| (n.max(0.0) + PRIOR_PAIRS * d) / (total + PRIOR_PAIRS))
                .collect()
        })
        .collect()
}

/// Distinct comparison patterns of the candidate pairs with their counts, sorted by pattern.
pub fn patterns(vectors: &[u64]) -> Vec<(u64, f64)> {
    let mut sorted = vectors.to_vec();
    sorted.par_sort_unstable();
    sorted.chunk_by(|a, b| a == b).map(|g| (g[0], g.len() as f64)).collect()
}

fn initial_m() -> Counts {
    COMPARISONS.iter().map(|c| c.m_default.to_vec()).collect()
}

/// How many pairs the typical m ([`crate::compare::Comparison::m_default`]) counts as when m is
/// learned: little against the thousands of pairs of a training session, enough that a level this
/// data's duplicates never showed (a birth-date typo in a clean export) is rare rather than impossible.
pub const M_PRIOR_PAIRS: f64 = 10.0;

/// One EM session over `patterns` with u fixed: learns m (for the comparisons `learn` names, never
/// those in `ignore`) and the share of matches. Returns `(m, prior, iterations, converged)`.
///
/// `population` is the number of pairs the prior is a share of: `None` for the session's own pairs;
/// for the final fit, every pair of records, of which the candidates are the only ones that can match.
fn em_session(
    patterns: &[(Vector, f64)],
    u: &Counts,
    ignore: &[usize],
    learn: &dyn Fn(usize) -> bool,
    (mut m, mut prior): (Counts, f64),
    population: Option<f64>,
    max_iterations: u32,
) -> (Counts, f64, u32, bool) {
    let mut iterations = 0;
    let mut converged = false;
    for it in 0..max_iterations {
        iterations = it + 1;
        let mut new_m = empty_counts();
        let mut match_mass = 0.0;
        let mut total = 0.0;
        for (v, count) in patterns {
            let mut log_bf = 0.0;
            for (i, &l) in v.iter().enumerate() {
                if l > 0 && !ignore.contains(&i) {
                    log_bf += (m[i][l as usize - 1] / u[i][l as usize - 1]).ln();
                }
            }
            let odds = (prior / (1.0 - prior)).ln() + log_bf;
            let p = 1.0 / (1.0 + (-odds).exp());
            match_mass += p * count;
            total += count;
            for (i, &l) in v.iter().enumerate() {
                if l > 0 {
                    new_m[i][l as usize - 1] += p * count;
                }
            }
        }
        if total == 0.0 {
            break;
        }
        let new_prior = (match_mass / population.unwrap_or(total)).clamp(1e-15, 1.0 - 1e-6);
        let mut delta = (new_prior - prior).abs() / prior;
        for (i, (mi, ni)) in m.iter_mut().zip(&new_m).enumerate() {
            let s: f64 = ni.iter().sum();
            if s < 1.0 || ignore.contains(&i) || !learn(i) {
                continue;
            }
            for ((a, b), d) in mi.iter_mut().zip(ni).zip(COMPARISONS[i].m_default) {
                let v = ((b + M_PRIOR_PAIRS * d) / (s + M_PRIOR_PAIRS)).clamp(1e-6, 1.0);
                delta = delta.max((v - *a).abs());
                *a = v;
            }
        }
        prior = new_prior;
        if delta < 1e-6 {
            converged = true;
            break;
        }
    }
    (m, prior, iterations, converged)
}

fn names_exact(v: &Vector) -> bool {
    v[compare::FIRST] == compare::name_levels::EXACT && v[compare::LAST] == compare::name_levels::EXACT
}

/// A training session: candidate pairs that agree on a strong identifier are almost all matches,
/// so how they compare on the *other* fields estimates m for those fields.
struct Session {
    name: &'static str,
    /// Comparisons the selection is made on; the session does not learn them.
    uses: &'static [usize],
    /// Comparisons the selection only bounds from below (comparison, lowest vector level): the
    /// session sees none of their lower levels, so it learns only how m splits among the levels it
    /// sees; the levels below keep their share of the typical m.
    at_least: &'static [(usize, u8)],
    select: fn(&Vector) -> bool,
}

const SESSIONS: &[Session] = &[
    Session { name: "same personal email", uses: &[compare::EMAIL], at_least: &[], select: |v| v[compare::EMAIL] == 3 },
    Session {
        name: "same national id",
        uses: &[compare::NATIONAL_ID],
        at_least: &[],
        select: |v| v[compare::NATIONAL_ID] == 3,
    },
    Session {
        name: "same name and birth date",
        uses: &[compare::FIRST, compare::LAST, compare::BIRTH],
        at_least: &[],
        select: |v| names_exact(v) && v[compare::BIRTH] == 4,
    },
    Session {
        name: "same name and phone",
        uses: &[compare::FIRST, compare::LAST, compare::PHONE],
        at_least: &[],
        select: |v| names_exact(v) && v[compare::PHONE] == compare::PHONE_EXACT,
    },
    Session {
        name: "same name and address",
        uses: &[compare::FIRST, compare::LAST, compare::ADDRESS],
        at_least: &[],
        select: |v| names_exact(v) && v[compare::ADDRESS] == 5,
    },
    // Without email or id (census, voter and historical records) the names are learned here. (Not on
    // "same phone": a household's or a switchboard's phone would teach that first names differ.)
    Session {
        name: "same birth date and place",
        uses: &[compare::BIRTH, compare::ADDRESS],
        at_least: &[],
        select: |v| v[compare::BIRTH] == 4 && v[compare::ADDRESS] >= 2,
    },
    // Organisations: the same name at the same address.
    Session {
        name: "same organisation and address",
        uses: &[compare::COMPANY, compare::ADDRESS],
        at_least: &[],
        // Only pairs without person names: colleagues share a company and an office, and would
        // teach that first names differ.
        select: |v| {
            v[compare::COMPANY] == compare::COMPANY_EXACT
                && v[compare::ADDRESS] >= 4
                && v[compare::FIRST] == 0
                && v[compare::LAST] == 0
        },
    },
    // Each organisation field is learned where the selection does not use it.
    Session {
        name: "same organisation and phone",
        uses: &[compare::COMPANY, compare::PHONE],
        at_least: &[],
        select: |v| {
            v[compare::COMPANY] == compare::COMPANY_EXACT
                && v[compare::PHONE] == compare::PHONE_EXACT
                && v[compare::FIRST] == 0
                && v[compare::LAST] == 0
        },
    },
    Session {
        name: "same phone and address (organisations)",
        uses: &[compare::PHONE, compare::ADDRESS],
        at_least: &[(compare::COMPANY, 2)],
        // The names at least similar: restaurants in one hotel share its switchboard and address
        // and would teach that names differ.
        select: |v| {
            v[compare::PHONE] == compare::PHONE_EXACT
                && v[compare::ADDRESS] >= 4
                && v[compare::COMPANY] >= 2
                && v[compare::FIRST] == 0
                && v[compare::LAST] == 0
        },
    },
];

/// Learns m and the prior.
///
/// As in Splink, m is learned by EM in training sessions, each over the candidate pairs that agree on
/// a strong identifier ([`SESSIONS`]), with u fixed and the comparisons the selection used left out.
/// Each comparison's m is the mean over the sessions that learned it (at least 30 pairs with a
/// value). Then the prior — the chance that two *random* records match, as u is measured on random
/// pairs — is fitted by EM over all `total_pairs` record pairs, where pairs that blocking did not
/// propose count as non-matches: with m fixed, except when no session could run (then m is learned
/// here), and in a small file with u refitted each step (see the comments in the body). Sessions, not one EM over all candidates: candidate pairs were paired because they share
/// something, so their non-matches are not like random pairs and one global EM drifts.
pub fn train(u_counts: Counts, u_samples: u64, vectors: &[u64], total_pairs: u64) -> Model {
    let all: Vec<(Vector, f64)> = patterns(vectors).into_iter().map(|(p, c)| (unpack(p), c)).collect();
    let trained = train_sessions(&all, &shrink_u(&u_counts));
    let population = (total_pairs as f64).max(vectors.len() as f64).max(1.0);
    // When no training session could run at all (an export with one identifying column, such as a
    // list of company names), m is learned on all candidate pairs: its only evidence. (Otherwise
    // not: candidate pairs that are not matches share more than random pairs — restaurants in one
    // hotel share its address and switchboard — and would teach that names differ.)
    let seen = |i: usize| all.iter().filter(|(v, _)| v[i] > 0).map(|p| p.1).sum::<f64>();
    let untrained = trained.sessions.iter().all(|&s| s == 0);
    let unlearned: Vec<usize> = (0..N).filter(|&i| untrained && seen(i) >= 30.0).collect();
    let learn = |i: usize| unlearned.contains(&i);
    let share = u_samples as f64 / population;
    let fit = fit_prior(&all, &u_counts, share, population, vectors.len(), trained.m, &learn);
    let sessions = trained.sessions;
    Model {
        version: MODEL_VERSION,
        prior: fit.prior,
        comparisons: COMPARISONS
            .iter()
            .zip(fit.m.into_iter().zip(fit.u))
            .enumerate()
            .map(|(i, (c, (m, u)))| ComparisonParams {
                name: c.name.to_string(),
                levels: c.levels.iter().map(|s| s.to_string()).collect(),
                m,
                u,
                learned: sessions[i] > 0 || learn(i),
            })
            .collect(),
        u_sample_pairs: u_samples,
        em_iterations: trained.iterations + fit.iterations,
        em_converged: trained.converged && fit.converged,
    }
}

/// m learned in the training sessions: each comparison's mean over the sessions that learned it, and
/// how many did (0: the initial m).
struct Trained {
    m: Counts,
    sessions: [usize; N],
    iterations: u32,
    converged: bool,
}

/// Runs the training sessions ([`SESSIONS`]) with u fixed.
fn train_sessions(all: &[(Vector, f64)], u: &Counts) -> Trained {
    let mut sums = empty_counts();
    let mut sessions = [0usize; N];
    let mut total_iterations = 0;
    let mut all_converged = true;
    for session in SESSIONS {
        let pats: Vec<(Vector, f64)> = all.iter().filter(|(v, _)| (session.select)(v)).cloned().collect();
        let pairs: f64 = pats.iter().map(|p| p.1).sum();
        if pairs < 30.0 {
            continue;
        }
        let (m, pr, it, conv) = em_session(&pats, u, session.uses, &|_| true, (initial_m(), 0.9), None, 200);
        total_iterations += it;
        all_converged &= conv;
        if crate::io::debug("em") {
            eprintln!("session {}: {pairs} pairs, prior {pr:.3}", session.name);
        }
        for i in 0..N {
            let seen: f64 = pats.iter().filter(|(v, _)| v[i] > 0).map(|p| p.1).sum();
            if session.uses.contains(&i) || seen < 30.0 {
                continue;
            }
            let mut m = m[i].clone();
            if let Some(&(_, lowest)) = session.at_least.iter().find(|(c, _)| *c == i) {
                debug_assert!(lowest >= 1, "vector level 0 is a missing value");
                let below = lowest as usize - 1;
                let typical = COMPARISONS[i].m_default;
                let (kept, seen_mass): (f64, f64) = (typical[..below].iter().sum(), m[below..].iter().sum());
                m[..below].copy_from_slice(&typical[..below]);
                for x in &mut m[below..] {
                    *x *= (1.0 - kept) / seen_mass;
                }
            }
            for (s, v) in sums[i].iter_mut().zip(&m) {
                *s += v;
            }
            sessions[i] += 1;
        }
    }
    let init = initial_m();
    let m: Counts =
        (0..N)
            .map(|i| {
                if sessions[i] == 0 {
                    init[i].clone()
                } else {
                    sums[i].iter().map(|s| s / sessions[i] as f64).collect()
                }
            })
            .collect();
    Trained { m, sessions, iterations: total_iterations, converged: all_converged }
}

/// m, u and the prior after the final fit over all record pairs.
struct Fit {
    m: Counts,
    u: Counts,
    prior: f64,
    iterations: u32,
    converged: bool,
}

/// Fits the prior over all `population` record pairs with m fixed (except the comparisons `learn`
/// names), correcting u for the duplicates among the random pairs when they are `share` ≥ 1% of all.
fn fit_prior(
    all: &[(Vector, f64)],
    u_counts: &Counts,
    share: f64,
    population: f64,
    candidates: usize,
    m: Counts,
    learn: &dyn Fn(usize) -> bool,
) -> Fit {
    let mut u = shrink_u(u_counts);
    let correct = share >= 0.01;
    let mut prior =
        if correct { candidates.max(1) as f64 / population } else { candidates.max(1) as f64 / population * 0.5 };
    let mut post = vec![1.0; all.len()];
    let (mut m, mut it, mut conv) = (m, 0, true);
    // With the correction, u changes with the match probabilities, so each round is one EM step of u,
    // m and the prior together; without it, one EM run with u fixed.
    for _ in 0..if correct { 500 } else { 1 } {
        if correct {
            let mut counts = u_counts.clone();
            for ((v, count), p) in all.iter().zip(&post) {
                for (i, &l) in v.iter().enumerate() {
                    if l > 0 {
                        counts[i][l as usize - 1] -= share * p * count;
                    }
                }
            }
            u = shrink_u(&counts);
        }
        let before = prior;
        let steps = if correct { 1 } else { 200 };
        let (m2, p, i2, c2) = em_session(all, &u, &[], &learn, (m, prior), Some(population), steps);
        (m, prior, it, conv) = (m2, p, it + i2, c2);
        post = all.iter().map(|(v, _)| posterior(v, &m, &u, prior)).collect();
        if crate::io::debug("em") {
            eprintln!("final fit: prior {before:.3e} -> {prior:.3e}");
        }
        if correct && (prior - before).abs() <= 1e-6 * before {
            conv = true;
            break;
        }
    }
    Fit { m, u, prior, iterations: it, converged: conv }
}

/// Match probability of a comparison vector under m, u and the prior (no term frequencies).
fn posterior(v: &Vector, m: &Counts, u: &Counts, prior: f64) -> f64 {
    let mut odds = (prior / (1.0 - prior)).ln();
    for (i, &l) in v.iter().enumerate() {
        if l > 0 {
            odds += (m[i][l as usize - 1] / u[i][l as usize - 1]).ln();
        }
    }
    1.0 / (1.0 + (-odds).exp())
}

/// Per-comparison weights of one pair, term-frequency adjusted.
pub fn weights(model: &Model, tf: &TermFreq, a: &Contact, v: &Vector) -> [f64; N] {
    weights_by(model, tf, a, v, |i, l| model.comparisons[i].weight(l))
}

/// `log2(m/u)` of every level of every comparison (index 0: level 0, weight 0).
pub fn level_weights(model: &Model) -> Vec<[f64; 16]> {
    model
        .comparisons
        .iter()
        .map(|p| {
            let mut t = [0.0; 16];
            for (l, w) in t.iter_mut().enumerate().take(p.m.len() + 1) {
                *w = p.weight(l as u8);
            }
            t
        })
        .collect()
}

/// [`weights`] with the level weights computed once ([`level_weights`]).
pub fn weights_with(model: &Model, table: &[[f64; 16]], tf: &TermFreq, a: &Contact, v: &Vector) -> [f64; N] {
    weights_by(model, tf, a, v, |i, l| table[i][l as usize])
}

fn weights_by(model: &Model, tf: &TermFreq, a: &Contact, v: &Vector, level: impl Fn(usize, u8) -> f64) -> [f64; N] {
    let mut w = [0.0; N];
    for (i, &l) in v.iter().enumerate() {
        let p = &model.comparisons[i];
        w[i] = level(i, l);
        if l == p.m.len() as u8 && (i == compare::FIRST || i == compare::LAST) {
            // Exact name agreement: the name's own frequency is its chance agreement.
            // How much more (or less) common this name is than the average agreeing name.
            let f = if i == compare::FIRST { tf.freq(&tf.first, &a.first_canon) } else { tf.freq(&tf.last, &a.last) };
            let k = l as usize - 1;
            // Splink's term-frequency adjustment: the name's own frequency is its u, within 5 bits of
            // the average.
            let u_tf = f.max(1.0 / tf.n).clamp(p.u[k] / 32.0, p.u[k] * 32.0);
            w[i] = (p.m[k] / u_tf.min(1.0)).log2();
        }
    }
    w
}

/// Match weight (log2 odds) of a pair from its per-comparison weights.
pub fn total_weight(model: &Model, w: &[f64; N]) -> f64 {
    (model.prior / (1.0 - model.prior)).log2() + w.iter().sum::<f64>()
}

/// Probability from a match weight.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// Bits of evidence against a match from one field at or beyond which that field alone says "two
/// different people" (a Bayes factor of 1/32): the model learns on the data at hand how often the
/// duplicates of *this* data disagree on a field, so a field that carries typos, nicknames or wrong
/// salutations there weighs less and vetoes nothing.
pub const CONFLICT_BITS: f64 = 5.0;

/// Strong evidence that two records are different people even when much else agrees: a first name,
/// surname, birth date or gender that disagrees so clearly that the model's weight for it is at most
/// `-CONFLICT_BITS` (a household, colleagues on one switchboard, a parent and child namesake, a
/// couple) — unless independent identifiers say otherwise: a national id (up to one typo), or both an
/// exact personal email and an exact phone. A surname alone does not conflict when an exact personal
/// email agrees with the first name (a married name; a phone may be a switchboard), and a first name
/// does not when the birth date agrees. Only a comparison whose m was learned on this data can
/// conflict (a typical value is a guess, not evidence), unless nothing could be learned at all.
pub fn conflict_in(model: &Model, v: &Vector, w: &[f64; N]) -> Option<&'static str> {
    conflict(v, &measured_weights(model, w))
}

/// The weights a conflict may come from: those of comparisons whose m was learned on this data (all
/// of them when the file was too small to learn any — a few dozen records: the typical values are
/// all there is); the others count as 0.
pub fn measured_weights(model: &Model, w: &[f64; N]) -> [f64; N] {
    let mut out = *w;
    if model.comparisons.iter().any(|c| c.learned) {
        for (x, c) in out.iter_mut().zip(&model.comparisons) {
            if !c.learned {
                *x = 0.0;
            }
        }
    }
    out
}

/// [`conflict_in`] with every weight taken as measured.
pub fn conflict(v: &Vector, w: &[f64; N]) -> Option<&'static str> {
    if v[compare::NATIONAL_ID] >= 2 || (v[compare::EMAIL] == 3 && v[compare::PHONE] == compare::PHONE_EXACT) {
        return None;
    }
    let against = |i: usize| v[i] == 1 && w[i] <= -CONFLICT_BITS;
    let birth_agrees = v[compare::BIRTH] >= 3;
    if against(compare::FIRST) && !birth_agrees {
        Some("different first names")
    } else if against(compare::LAST)
        && !birth_agrees
        && !(v[compare::EMAIL] == 3 && v[compare::FIRST] >= compare::name_levels::CLOSE)
    {
        Some("different surnames")
    } else if against(compare::BIRTH) {
        Some("different birth dates")
    } else if against(compare::GENDER) {
        Some("different genders")
    } else {
        None
    }
}

/// One scored candidate pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    pub vector: u64,
    pub weight: f64,
}

impl ScoredPair {
    pub fn probability(&self) -> f64 {
        probability(self.weight)
    }
    /// Whether the pair is a link: its match probability reaches the threshold.
    pub fn is_link(&self, threshold: f64) -> bool {
        self.probability() >= threshold
    }
    /// Whether the pair belongs in the review queue: uncertain (between `review_low` and the threshold).
    pub fn needs_review(&self, review_low: f64, threshold: f64) -> bool {
        let p = self.probability();
        p >= review_low && !self.is_link(threshold)
    }
}

/// Compares every candidate pair (in parallel).
pub fn vectors(table: &Table, pairs: &[(u32, u32)]) -> Vec<u64> {
    vectors_with_progress(table, pairs, &indicatif::ProgressBar::hidden())
}

/// [`vectors`], advancing `progress` by the number of pairs compared.
///
/// Comparing is bound by memory latency: the two records of a pair usually come from different
/// exports. The [`Table`] holds the records in name order, and above a million pairs the pairs are
/// compared in the order of their places there, so both records of most pairs, which share a name or
/// its sound, are read from neighbouring memory. (`compare` is symmetric, so the result is the same.)
pub fn vectors_with_progress(table: &Table, pairs: &[(u32, u32)], progress: &indicatif::ProgressBar) -> Vec<u64> {
    if pairs.len() < LOCALITY_MIN_PAIRS {
        return compare_pairs(pairs, progress, |a| table.get(a));
    }
    let mut work: Vec<(u32, u32, u32)> = pairs
        .par_iter()
        .enumerate()
        .map(|(k, &(a, b))| {
            let (x, y) = (table.place(a), table.place(b));
            (x.min(y), x.max(y), k as u32)
        })
        .collect();
    work.par_sort_unstable();
    let local_pairs: Vec<(u32, u32)> = work.iter().map(|&(x, y, _)| (x, y)).collect();
    let vectors = compare_pairs(&local_pairs, progress, |x| table.at(x));
    drop(local_pairs);
    let mut out = vec![0u64; pairs.len()];
    for (&(_, _, k), v) in work.iter().zip(vectors) {
        out[k as usize] = v;
    }
    out
}

/// Pairs from which comparing goes in table order.
const LOCALITY_MIN_PAIRS: usize = 1 << 20;

fn compare_pairs<'t>(
    pairs: &[(u32, u32)],
    progress: &indicatif::ProgressBar,
    rec: impl Fn(u32) -> Rec<'t> + Sync,
) -> Vec<u64> {
    const CHUNK: usize = 65_536;
    let mut out = vec![0u64; pairs.len()];
    out.par_chunks_mut(CHUNK).zip(pairs.par_chunks(CHUNK)).for_each(|(out, pairs)| {
        // Pairs come sorted by their first record: it is looked up once for all its pairs.
        let mut first: Option<(u32, Rec)> = None;
        for (o, &(a, b)) in out.iter_mut().zip(pairs) {
            let x = match first {
                Some((i, x)) if i == a => x,
                _ => first.insert((a, rec(a))).1,
            };
            *o = pack(&compare_recs(&x, &rec(b)));
        }
        progress.inc(pairs.len() as u64);
    });
    out
}

/// Scores candidate pairs with their comparison vectors.
pub fn score(
    model: &Model,
    tf: &TermFreq,
    contacts: &[Contact],
    pairs: &[(u32, u32)],
    vectors: &[u64],
) -> Vec<ScoredPair> {
    let table = level_weights(model);
    pairs
        .par_iter()
        .zip(vectors.par_iter())
        .map(|(&(a, b), &p)| {
            let v = unpack(p);
            let w = weights_with(model, &table, tf, &contacts[a as usize], &v);
            ScoredPair { a, b, vector: p, weight: total_weight(model, &w) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// Comparing through the table, in its order, gives exactly the vectors of comparing the contacts in
    /// input order.
    #[test]
    fn table_ordered_comparing_is_the_same() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/crm");
        let inputs: Vec<std::path::PathBuf> =
            ["crm_salesforce.csv", "hubspot_export.csv", "webinar_anmeldungen.csv", "contatti_it.csv"]
                .iter()
                .map(|f| dir.join(f))
                .collect();
        let cfg = crate::config::Config::default();
        let ingested = crate::ingest::ingest(&inputs, &cfg).unwrap();
        let contacts =
            crate::normalize::normalize(&ingested, &cfg, &crate::normalize::choose_extras(&ingested)).unwrap();
        let pairs = crate::block::block(&contacts, &crate::block::default_rules(), 100, false).pairs;
        assert!(pairs.len() > 500, "{}", pairs.len());
        let table = Table::new(&contacts);
        let direct: Vec<u64> =
            pairs.iter().map(|&(a, b)| pack(&compare::compare(&contacts[a as usize], &contacts[b as usize]))).collect();
        let bar = indicatif::ProgressBar::hidden();
        assert_eq!(compare_pairs(&pairs, &bar, |a| table.get(a)), direct);
        let local: Vec<(u32, u32)> = pairs.iter().map(|&(a, b)| (table.place(a), table.place(b))).collect();
        assert_eq!(compare_pairs(&local, &bar, |x| table.at(x)), direct);
    }

    use super::*;

    #[test]
    fn probability_is_monotone_and_bounded() {
        let mut last = 0.0;
        for w in -40..=40 {
            let p = probability(w as f64);
            assert!((0.0..=1.0).contains(&p));
            assert!(p >= last);
            last = p;
        }
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn em_separates_two_obvious_classes() {
        // 100 pairs agreeing on everything, 900 disagreeing on everything.
        let agree: Vector = std::array::from_fn(|i| COMPARISONS[i].top());
        let disagree: Vector = [1; N];
        let pats = [(pack(&agree), 100.0), (pack(&disagree), 900.0)];
        let u: Counts = COMPARISONS
            .iter()
            .map(|c| {
                let k = c.levels.len();
                (0..k).map(|i| if i == 0 { 0.97 } else { 0.03 / (k - 1) as f64 }).collect()
            })
            .collect();
        let vectors: Vec<u64> = pats.iter().flat_map(|&(p, c)| std::iter::repeat_n(p, c as usize)).collect();
        // Level counts of 100,000 random pairs of different people.
        let counts: Counts = u.iter().map(|l| l.iter().map(|x| x * 100_000.0).collect()).collect();
        let model = train(counts.clone(), 100_000, &vectors, 1_000_000);
        assert!((model.prior - 0.0001).abs() < 0.00001, "prior {}", model.prior);
        let model = train(counts, 100_000, &vectors, 10_000_000);
        assert!((model.prior - 0.00001).abs() < 0.000001, "prior {}", model.prior);
        for p in &model.comparisons {
            assert!(p.weight(p.m.len() as u8) > 0.0 && p.weight(1) < 0.0, "{}", p.name);
        }
    }

    /// A session that selects "names at least similar" sees no pair with different names, so it does
    /// not learn that different names are impossible among matches: that level keeps its typical m.
    #[test]
    fn a_session_does_not_learn_the_levels_it_selects_away() {
        use crate::compare::{ADDRESS, COMPANY, PHONE, PHONE_EXACT};
        let mut vectors = Vec::new();
        for (company, count) in [(2u8, 300), (3, 300), (4, 400)] {
            let mut v: Vector = [0; N];
            (v[PHONE], v[ADDRESS], v[COMPANY]) = (PHONE_EXACT, 5, company);
            vectors.extend(std::iter::repeat_n(pack(&v), count));
        }
        let u: Counts = COMPARISONS.iter().map(|c| c.u_default.iter().map(|x| x * 100_000.0).collect()).collect();
        let model = train(u, 100_000, &vectors, 10_000_000);
        let m = &model.comparisons[COMPANY].m;
        let typical = COMPARISONS[COMPANY].m_default;
        assert!((m[0] - typical[0]).abs() < 1e-9, "{m:?}");
        assert!((m.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{m:?}");
        // Among the levels it saw, the session's shares hold (300 : 300 : 400, pulled a little
        // toward the typical m).
        assert!(m[3] > m[1] && (m[1] - m[2]).abs() < 0.02, "{m:?}");
    }

    /// Conflicts come from the weight the model gives a disagreement on this data, and independent
    /// identifiers outweigh them.
    #[test]
    fn conflicts_follow_the_measured_weight_and_identifiers_outweigh_them() {
        use crate::compare::{BIRTH, EMAIL, FIRST, GENDER, LAST, NATIONAL_ID, PHONE, PHONE_EXACT};
        let mut v: Vector = [0; N];
        let mut w = [0.0; N];
        (v[FIRST], w[FIRST], v[LAST], v[PHONE]) = (1, -6.0, 5, PHONE_EXACT);
        assert_eq!(conflict(&v, &w), Some("different first names"), "a household on one phone");
        w[FIRST] = -3.0;
        assert_eq!(conflict(&v, &w), None, "this data's duplicates often have other first names");
        w[FIRST] = -6.0;
        v[EMAIL] = 3;
        assert_eq!(conflict(&v, &w), None, "the same email and phone outweigh a first-name typo");
        (v[EMAIL], v[PHONE], v[BIRTH]) = (0, 0, 4);
        assert_eq!(conflict(&v, &w), None, "the same birth date outweighs a first name");
        let mut v: Vector = [0; N];
        let mut w = [0.0; N];
        (v[FIRST], v[LAST], w[LAST], v[EMAIL]) = (5, 1, -6.0, 3);
        assert_eq!(conflict(&v, &w), None, "a married name with the same email");
        (v[EMAIL], v[PHONE]) = (1, PHONE_EXACT);
        assert_eq!(conflict(&v, &w), Some("different surnames"), "colleagues on one switchboard");
        v[NATIONAL_ID] = 2;
        assert_eq!(conflict(&v, &w), None, "a national id (up to a typo) outweighs everything");
        let mut v: Vector = [0; N];
        let mut w = [0.0; N];
        (v[GENDER], w[GENDER]) = (1, -4.0);
        assert_eq!(conflict(&v, &w), None, "wrong salutations are common here");
        w[GENDER] = -7.0;
        assert_eq!(conflict(&v, &w), Some("different genders"));
    }

    /// A comparison whose m was not learned on this data vetoes nothing, unless nothing was learned.
    #[test]
    fn only_learned_comparisons_conflict() {
        use crate::compare::{BIRTH, FIRST};
        let model = |learned: &[usize]| Model {
            version: MODEL_VERSION,
            prior: 0.001,
            comparisons: COMPARISONS
                .iter()
                .enumerate()
                .map(|(i, c)| ComparisonParams {
                    name: c.name.into(),
                    levels: c.levels.iter().map(|l| l.to_string()).collect(),
                    m: c.m_default.to_vec(),
                    u: c.u_default.to_vec(),
                    learned: learned.contains(&i),
                })
                .collect(),
            u_sample_pairs: 0,
            em_iterations: 0,
            em_converged: true,
        };
        let mut v: Vector = [0; N];
        let mut w = [0.0; N];
        (v[BIRTH], w[BIRTH]) = (1, -6.0);
        assert_eq!(conflict_in(&model(&[FIRST]), &v, &w), None, "birth-date m only guessed");
        assert_eq!(conflict_in(&model(&[FIRST, BIRTH]), &v, &w), Some("different birth dates"));
        assert_eq!(conflict_in(&model(&[]), &v, &w), Some("different birth dates"), "nothing learned at all");
    }

    #[test]
    fn splitmix_is_uniform_enough() {
        let mut r = SplitMix(1);
        let mut buckets = [0u32; 10];
        for _ in 0..100_000 {
            buckets[r.below(10) as usize] += 1;
        }
        // 5 standard deviations either side of 10,000.
        assert!(buckets.iter().all(|&b| (9_525..10_475).contains(&b)), "{buckets:?}");
    }
}
