//! Step 5b, score: an unsupervised Fellegi–Sunter model, trained by EM, turns comparison vectors into
//! match weights and probabilities.
//!
//! * **u** (how often a level occurs between two different people) is measured on random record
//!   pairs: almost all of them are non-matches.
//! * **m** (how often a level occurs between two records of the same person) and the prior share of
//!   matches among the candidate pairs are learned by expectation–maximisation over the distinct
//!   comparison patterns of the candidate pairs, with u held fixed.
//! * **Term frequencies**: an exact first- or last-name agreement uses that name's own frequency as its
//!   u, so a rare surname agreeing weighs more than "Smith".
//!
//! The match weight of a pair is `log2(prior odds) + Σ log2(m/u)` (missing values add nothing), and its
//! probability `1 / (1 + 2^-weight)`. Scoring runs in parallel with rayon; results do not depend on
//! the thread count. The learned [`Model`] is saved as JSON and can be loaded back for later runs.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::compare::{self, compare, pack, unpack, Vector, COMPARISONS, N};
use crate::error::{Error, Result};
use crate::normalize::Contact;

/// Version of the model file format.
pub const MODEL_VERSION: u32 = 1;

/// Parameters of one comparison.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ComparisonParams {
    pub name: String,
    /// Level labels, `levels[i]` is level `i + 1`.
    pub levels: Vec<String>,
    /// P(level | match), per level.
    pub m: Vec<f64>,
    /// P(level | non-match), per level.
    pub u: Vec<f64>,
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
    /// Share of matches among candidate pairs.
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
        let json = serde_json::to_string_pretty(self).map_err(|e| Error::output(path, e.to_string(), "report this as a bug"))?;
        crate::report::write_atomic(path, json.as_bytes())
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
            && model.comparisons.iter().zip(COMPARISONS.iter()).all(|(p, c)| {
                p.name == c.name && p.m.len() == c.levels.len() && p.u.len() == c.levels.len()
            });
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
pub struct TermFreq<'a> {
    first: HashMap<&'a str, u32>,
    last: HashMap<&'a str, u32>,
    n: f64,
}

impl<'a> TermFreq<'a> {
    pub fn new(contacts: &'a [Contact]) -> Self {
        let mut first = HashMap::new();
        let mut last = HashMap::new();
        for c in contacts {
            if !c.first_canon.is_empty() {
                *first.entry(c.first_canon.as_str()).or_insert(0) += 1;
            }
            if !c.last.is_empty() {
                *last.entry(c.last.as_str()).or_insert(0) += 1;
            }
        }
        TermFreq { first, last, n: contacts.len().max(1) as f64 }
    }

    fn freq(&self, map: &HashMap<&str, u32>, key: &str) -> f64 {
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

/// Estimates u from `samples` random pairs (cross-source pairs only with `link_only`).
pub fn estimate_u(contacts: &[Contact], samples: u64, link_only: bool) -> (Counts, u64) {
    let n = contacts.len() as u64;
    if n < 2 {
        return (uniform_u(), 0);
    }
    let total_pairs = n * (n - 1) / 2;
    let samples = samples.min(total_pairs);
    const CHUNK: u64 = 10_000;
    let chunks = samples.div_ceil(CHUNK);
    let counts = (0..chunks)
        .into_par_iter()
        .map(|ci| {
            let mut rng = SplitMix(0x5EED ^ ci.wrapping_mul(0x9E37_79B9));
            let mut counts = empty_counts();
            let todo = CHUNK.min(samples - ci * CHUNK);
            let mut done = 0;
            let mut tries = 0;
            while done < todo && tries < todo * 20 {
                tries += 1;
                let (a, b) = (rng.below(n) as usize, rng.below(n) as usize);
                if a == b || (link_only && contacts[a].source == contacts[b].source) {
                    continue;
                }
                let v = compare(&contacts[a], &contacts[b]);
                for (i, &l) in v.iter().enumerate() {
                    if l > 0 {
                        counts[i][l as usize - 1] += 1.0;
                    }
                }
                done += 1;
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
    let u = counts
        .iter()
        .map(|levels| {
            let total: f64 = levels.iter().sum();
            // Half a pseudo-count per level keeps unseen levels finite.
            levels.iter().map(|c| (c + 0.5) / (total + 0.5 * levels.len() as f64)).collect()
        })
        .collect();
    (u, samples)
}

fn uniform_u() -> Counts {
    COMPARISONS.iter().map(|c| vec![1.0 / c.levels.len() as f64; c.levels.len()]).collect()
}

/// Distinct comparison patterns of the candidate pairs with their counts, sorted by pattern.
pub fn patterns(vectors: &[u64]) -> Vec<(u64, f64)> {
    let mut sorted = vectors.to_vec();
    sorted.par_sort_unstable();
    sorted.chunk_by(|a, b| a == b).map(|g| (g[0], g.len() as f64)).collect()
}

/// Learns m and the prior by EM over the candidate patterns, u held fixed.
pub fn train(u: Counts, u_samples: u64, patterns: &[(u64, f64)]) -> Model {
    let mut m: Counts = COMPARISONS
        .iter()
        .map(|c| {
            let k = c.levels.len();
            // Start believing that matches mostly agree: top level 0.7, the next 0.15, the rest share.
            (0..k)
                .map(|i| match k - 1 - i {
                    0 => 0.7,
                    1 => 0.15,
                    _ => 0.15 / (k as f64 - 2.0).max(1.0),
                })
                .collect()
        })
        .collect();
    let mut prior = 0.2f64;
    let vectors: Vec<(Vector, f64)> = patterns.iter().map(|&(p, c)| (unpack(p), c)).collect();
    let mut iterations = 0;
    let mut converged = false;
    for it in 0..200 {
        iterations = it + 1;
        let mut new_m = empty_counts();
        let mut match_mass = 0.0;
        let mut total = 0.0;
        for (v, count) in &vectors {
            let mut log_bf = 0.0;
            for (i, &l) in v.iter().enumerate() {
                if l > 0 {
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
        let new_prior = (match_mass / total).clamp(1e-6, 1.0 - 1e-6);
        let mut delta = (new_prior - prior).abs();
        for (mi, ni) in m.iter_mut().zip(&new_m) {
            let s: f64 = ni.iter().sum();
            if s <= 0.0 {
                continue;
            }
            for (a, b) in mi.iter_mut().zip(ni) {
                let v = (b / s).clamp(1e-6, 1.0);
                delta = delta.max((v - *a).abs());
                *a = v;
            }
        }
        prior = new_prior;
        if delta < 1e-7 {
            converged = true;
            break;
        }
    }
    Model {
        version: MODEL_VERSION,
        prior,
        comparisons: COMPARISONS
            .iter()
            .zip(m.into_iter().zip(u))
            .map(|(c, (m, u))| ComparisonParams {
                name: c.name.to_string(),
                levels: c.levels.iter().map(|s| s.to_string()).collect(),
                m,
                u,
            })
            .collect(),
        u_sample_pairs: u_samples,
        em_iterations: iterations,
        em_converged: converged,
    }
}

/// Per-comparison weights of one pair, term-frequency adjusted.
pub fn weights(model: &Model, tf: &TermFreq, a: &Contact, b: &Contact, v: &Vector) -> [f64; N] {
    let mut w = [0.0; N];
    for (i, &l) in v.iter().enumerate() {
        let p = &model.comparisons[i];
        w[i] = p.weight(l);
        if l == p.m.len() as u8 && (i == compare::FIRST || i == compare::LAST) {
            // Exact name agreement: the name's own frequency is its chance agreement.
            let f = if i == compare::FIRST {
                tf.freq(&tf.first, &a.first_canon)
            } else {
                tf.freq(&tf.last, &a.last)
            };
            let _ = b;
            let u_tf = f.max(1.0 / tf.n);
            w[i] = (p.m[l as usize - 1] / u_tf).log2().min(p.weight(l) + 6.0);
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

/// Strong evidence that two records are different people even when much else agrees: clearly
/// different first names (a household, colleagues) or different birth dates (a parent and child
/// namesake), unless a personal email or national id agrees exactly.
pub fn conflict(v: &Vector) -> bool {
    let strong_id = v[compare::EMAIL] == 3 || v[compare::NATIONAL_ID] == 3;
    !strong_id && (v[compare::FIRST] == 1 || v[compare::BIRTH] == 1 && v[compare::NATIONAL_ID] != 2)
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
}

/// Compares every candidate pair (in parallel).
pub fn vectors(contacts: &[Contact], pairs: &[(u32, u32)]) -> Vec<u64> {
    pairs
        .par_iter()
        .map(|&(a, b)| pack(&compare(&contacts[a as usize], &contacts[b as usize])))
        .collect()
}

/// Scores candidate pairs with their comparison vectors.
pub fn score(model: &Model, tf: &TermFreq, contacts: &[Contact], pairs: &[(u32, u32)], vectors: &[u64]) -> Vec<ScoredPair> {
    pairs
        .par_iter()
        .zip(vectors.par_iter())
        .map(|(&(a, b), &p)| {
            let v = unpack(p);
            let w = weights(model, tf, &contacts[a as usize], &contacts[b as usize], &v);
            ScoredPair { a, b, vector: p, weight: total_weight(model, &w) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
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
        let pats = vec![(pack(&agree), 100.0), (pack(&disagree), 900.0)];
        let u: Counts = COMPARISONS
            .iter()
            .map(|c| {
                let k = c.levels.len();
                (0..k).map(|i| if i == 0 { 0.97 } else { 0.03 / (k - 1) as f64 }).collect()
            })
            .collect();
        let model = train(u, 1000, &pats);
        assert!((model.prior - 0.1).abs() < 0.01, "prior {}", model.prior);
        for p in &model.comparisons {
            assert!(p.weight(p.m.len() as u8) > 0.0 && p.weight(1) < 0.0, "{}", p.name);
        }
    }

    #[test]
    fn splitmix_is_uniform_enough() {
        let mut r = SplitMix(1);
        let mut buckets = [0u32; 10];
        for _ in 0..10_000 {
            buckets[r.below(10) as usize] += 1;
        }
        assert!(buckets.iter().all(|&b| (900..1100).contains(&b)), "{buckets:?}");
    }
}
