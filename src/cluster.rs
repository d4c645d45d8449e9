//! Step 6, cluster: group matched pairs into entities without chaining unrelated people together.
//!
//! Method (documented in the README): candidate pairs with match probability at or above the
//! threshold are edges, taken strongest first (ties by record ids, so the result does not depend on
//! thread count or input order of pairs). Two records join directly. Two groups join only when
//!
//! 1. no pair across them is a *conflict* ([`crate::score::conflict_in`]: a first name, surname, birth
//!    date or gender that the model, learning on this data, weighs as at least 5 bits against a match — a
//!    household, colleagues or a namesake — unless a national id, or an email and a phone together,
//!    agree; or a person and an organisation; or two sites of an organisation), and
//! 2. their *average linkage* — the mean match weight (log2 odds, each pair held to -10..+20) over all
//!    pairs across the two groups, each pair compared on the spot when blocking did not pair it and
//!    counted by how much it says (the sum of its field weights' magnitudes, so two sparse records
//!    that share little and contradict little do not outvote the informative pairs) — is at least the
//!    threshold's weight. Averaging weights, not probabilities, lets one strong "different person"
//!    pair outvote a strong "same person" pair.
//!
//! So one weak edge cannot pull two groups together. Every refused join is returned as a
//! [`Split`] for the review queue. Cluster ids are numbered by each cluster's first record in input
//! order (`C000001`, ...), stable for the same input.

use std::collections::HashMap;

use crate::compare::compare;
use crate::normalize::Contact;
use crate::score::{conflict_in, probability, total_weight, weights, weights_with, Model, ScoredPair, TermFreq};

/// A join the clusterer refused.
#[derive(Debug, Clone)]
pub struct Split {
    /// The edge that would have joined the groups.
    pub a: u32,
    pub b: u32,
    pub probability: f64,
    /// Mean match weight across the two groups.
    pub linkage: f64,
    pub reason: String,
    /// The pair across the groups that conflicts, if that was the reason.
    pub conflict: Option<(u32, u32)>,
    /// Comparison vector ([`crate::compare::pack`]) of the pair review.csv lists: the conflicting
    /// pair, else the edge.
    pub vector: u64,
    /// Sizes of the two groups.
    pub sizes: (usize, usize),
}

/// A reviewer's match decision that would put a no-match pair in one cluster (not applied).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contradiction {
    /// The pair decided a match, and its comparison vector.
    pub pair: (u32, u32),
    pub vector: u64,
    /// The pair decided no-match that it would put together.
    pub no_match: (u32, u32),
}

/// The clustering of all contacts.
#[derive(Debug, Clone)]
pub struct Clusters {
    /// Cluster index of every contact.
    pub of: Vec<u32>,
    /// Members of every cluster, in input order; clusters ordered by their first member.
    pub members: Vec<Vec<u32>>,
    pub splits: Vec<Split>,
    /// Number of every cluster's id: `cluster + 1`, or the stable ids of an incremental run
    /// ([`crate::state`]).
    pub ids: Vec<u64>,
    /// Reviewers' match decisions not applied because they would put a no-match pair in one cluster.
    pub contradictions: Vec<Contradiction>,
    /// Joins of two groups so large that the pairs across them were checked on an even sample of
    /// [`JOIN_CHECK_PAIRS`] instead of all of them (reported in summary.json and on the terminal).
    pub sampled_joins: usize,
}

/// The most pairs across two groups compared for one join: every pair up to this many (two groups
/// of 1,000 records), an even sample of both groups beyond.
pub const JOIN_CHECK_PAIRS: usize = 1_000_000;

/// The members of two groups whose pairs a join checks: all of them, or evenly spaced members of
/// each side when there would be more than [`JOIN_CHECK_PAIRS`] pairs.
fn members_to_check(a: &[u32], b: &[u32]) -> (Vec<u32>, Vec<u32>, bool) {
    let pairs = a.len() * b.len();
    if pairs <= JOIN_CHECK_PAIRS {
        return (a.to_vec(), b.to_vec(), false);
    }
    let pick = |g: &[u32], k: usize| -> Vec<u32> {
        let k = k.clamp(1, g.len());
        (0..k).map(|i| g[i * g.len() / k]).collect()
    };
    // The smaller side shrinks by the square root of the excess (or not at all, when it is small),
    // the larger one takes the rest of the budget.
    let f = (JOIN_CHECK_PAIRS as f64 / pairs as f64).sqrt();
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let whole = small.len() * small.len() <= JOIN_CHECK_PAIRS;
    let s = if whole { small.to_vec() } else { pick(small, (small.len() as f64 * f).ceil() as usize) };
    let l = pick(large, JOIN_CHECK_PAIRS / s.len());
    if a.len() <= b.len() {
        (s, l, true)
    } else {
        (l, s, true)
    }
}

impl Clusters {
    /// The id written to outputs.
    pub fn id(&self, cluster: u32) -> String {
        format_id(self.ids[cluster as usize])
    }
}

/// `C000042` for 42.
pub fn format_id(n: u64) -> String {
    format!("C{n:06}")
}

/// The number of an id written by [`format_id`].
pub fn parse_id(id: &str) -> Option<u64> {
    id.strip_prefix('C')?.parse().ok()
}

/// Pairs decided by a person (from a decisions file).
#[derive(Debug, Clone, Default)]
pub struct Decisions {
    pub must_link: Vec<(u32, u32)>,
    pub cannot_link: Vec<(u32, u32)>,
    /// Links carried over from the last `--state` run: joined like must-links, but never against a
    /// cannot-link, and silently (a reviewer's no-match is how such a link is meant to end).
    pub kept_links: Vec<(u32, u32)>,
    /// Decided rows whose records are not in this run's inputs.
    pub unknown_records: usize,
    /// Rows without a decision or with one that was not understood.
    pub skipped: usize,
}

/// A cell without the `'` the formula guard put before it (`'=x` is `=x`); any other `'` is part of
/// the value (a record id `'quoted` stays so).
fn unguard(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if crate::text::formula_like(rest) => rest,
        _ => v,
    }
}

/// What a reviewer wrote in the `decision` column.
fn parse_decision(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "match" | "yes" | "y" | "same" | "merge" | "1" | "true" | "duplicate" | "ja" | "si" | "sì" | "tak" | "ya"
        | "oui" => Some(true),
        "no-match" | "no match" | "nomatch" | "no" | "n" | "different" | "keep" | "0" | "false" | "distinct"
        | "nein" | "nie" | "tidak" | "non" => Some(false),
        _ => None,
    }
}

/// Reads a review file (`review.csv` or `review.xlsx` of an earlier run with its `decision` column
/// filled in, or the decisions.csv the report downloads) and
/// turns its decided rows into must-link and cannot-link pairs of this run's records.
pub fn read_decisions(
    path: &std::path::Path,
    lookup: impl Fn(&str, &str) -> Option<u32>,
) -> crate::error::Result<Decisions> {
    use crate::error::Error;
    // The columns are checked before any row is read: a wrong file fails at once, whatever its size.
    let columns = |headers: &[String], line: u64| {
        let col = |name: &str| headers.iter().position(|h| h.trim().trim_start_matches('\u{FEFF}') == name);
        match (col("left_source"), col("left_record_id"), col("right_source"), col("right_record_id"), col("decision")) {
            (Some(ls), Some(lr), Some(rs), Some(rr), Some(dc)) => Ok([ls, lr, rs, rr, dc]),
            _ => Err(Error::input(
                path,
                Some(line),
                "is not a review file: it needs left_source, left_record_id, right_source, right_record_id and decision columns",
                "fill in the decision column of a run's review.csv or review.xlsx (or the report's downloaded decisions.csv) and pass that file",
            )),
        }
    };
    let mut d = Decisions::default();
    let mut add = |[ls, lr, rs, rr, dc]: [usize; 5], rec: &[&str]| {
        let get = |i: usize| rec.get(i).map_or("", |v| unguard(v.trim()));
        let Some(decision) = parse_decision(get(dc)) else {
            d.skipped += 1;
            return;
        };
        match (lookup(get(ls), get(lr)), lookup(get(rs), get(rr))) {
            (Some(a), Some(b)) if a != b => {
                let pair = (a.min(b), a.max(b));
                if decision {
                    d.must_link.push(pair);
                } else {
                    d.cannot_link.push(pair);
                }
            }
            _ => d.unknown_records += 1,
        }
    };
    // A review.xlsx's first sheet, or a CSV (review.csv, decisions.csv).
    let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    if crate::spreadsheet::is_workbook(path, &bytes)? {
        let sheet = crate::spreadsheet::read(path, &bytes, None)?;
        let at = columns(&sheet.headers, sheet.header_row)?;
        for (_, cells) in &sheet.rows {
            add(at, &cells.iter().map(String::as_str).collect::<Vec<_>>());
        }
    } else {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes.as_slice());
        let headers = rdr.headers().map_err(|e| Error::input(path, Some(1), e.to_string(), "pass a review.csv"))?;
        let at = columns(&headers.iter().map(String::from).collect::<Vec<_>>(), 1)?;
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                Error::input(path, e.position().map(|p| p.line()), e.to_string(), "check the quoting of this row")
            })?;
            add(at, &rec.iter().collect::<Vec<_>>());
        }
    }
    Ok(d)
}

/// Groups contacts into clusters.
pub fn cluster(
    contacts: &[Contact],
    scored: &[ScoredPair],
    model: &Model,
    tf: &TermFreq,
    threshold: f64,
    link_only: bool,
    decisions: &Decisions,
) -> Clusters {
    let pairs = Pairs::new(contacts, scored, model, tf, decisions);
    let mut groups = Groups::new(contacts.len(), &pairs.cannot);
    let contradictions = groups.apply_decisions(&pairs, decisions);
    let mut edges: Vec<&ScoredPair> =
        scored.iter().filter(|p| p.is_link(threshold) && !pairs.cannot.contains(&(p.a, p.b))).collect();
    edges.sort_by(|x, y| y.weight.total_cmp(&x.weight).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    let mut joins = Joins {
        pairs: &pairs,
        threshold_weight: (threshold / (1.0 - threshold)).log2(),
        link_only,
        refused: Default::default(),
        splits: Vec::new(),
        sampled_joins: 0,
        debug: crate::io::debug("joins"),
    };
    for e in edges {
        joins.consider(&mut groups, e);
    }
    let (of, members) = groups.numbered();
    let ids = (1..=members.len() as u64).collect();
    Clusters { of, members, splits: joins.splits, ids, contradictions, sampled_joins: joins.sampled_joins }
}

/// What the clusterer knows of any pair of records: the scored pairs, and the rest compared on the spot.
struct Pairs<'a> {
    contacts: &'a [Contact],
    model: &'a Model,
    tf: &'a TermFreq,
    /// Every comparison's weight per level ([`crate::score::level_weights`]).
    table: Vec<[f64; 16]>,
    /// The scored pairs that are plausible matches.
    known: polars::prelude::PlHashMap<(u32, u32), &'a ScoredPair>,
    /// Pairs a reviewer decided are different people (smaller id first).
    cannot: std::collections::HashSet<(u32, u32)>,
    /// Every organisation phone number: the sources that list it, and whether one lists it twice.
    phone_sources: polars::prelude::PlHashMap<&'a str, (Vec<u16>, bool)>,
}

impl<'a> Pairs<'a> {
    fn new(
        contacts: &'a [Contact],
        scored: &'a [ScoredPair],
        model: &'a Model,
        tf: &'a TermFreq,
        decisions: &Decisions,
    ) -> Self {
        // Pairs unlikely to match are recomputed on the spot if a join needs them: keeping only the
        // plausible ones keeps this map small when blocking proposes tens of millions of pairs.
        let floor = (0.001f64 / 0.999).log2();
        // A faster hash than std's for the millions of pairs (ids are not attacker-chosen keys here).
        // Sized first: grown as it fills, a map of millions of pairs is rebuilt a dozen times.
        let plausible = |p: &&ScoredPair| p.weight >= floor;
        let mut known: polars::prelude::PlHashMap<(u32, u32), &ScoredPair> = Default::default();
        known.reserve({
            use rayon::prelude::*;
            scored.par_iter().filter(plausible).count()
        });
        known.extend(scored.iter().filter(plausible).map(|p| ((p.a, p.b), p)));
        let cannot = decisions.cannot_link.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
        // Which organisation phone numbers are one place's own: no source lists the number on two
        // records (a switchboard serves several sites of one export; one place is listed once per source).
        let mut phone_sources: polars::prelude::PlHashMap<&str, (Vec<u16>, bool)> = Default::default();
        for c in contacts.iter().filter(|c| c.flags & crate::normalize::flag::ORGANISATION != 0) {
            for (i, p) in c.phones.iter().enumerate() {
                if !c.phones[..i].iter().any(|q| q.key == p.key) {
                    let (sources, shared) = phone_sources.entry(p.key.as_str()).or_default();
                    *shared |= sources.contains(&c.source);
                    sources.push(c.source);
                }
            }
        }
        let table = crate::score::level_weights(model);
        Pairs { contacts, model, tf, table, known, cannot, phone_sources }
    }

    /// A pair's comparison vector: the scored one, else compared now.
    fn vector(&self, x: u32, y: u32) -> u64 {
        let key = (x.min(y), x.max(y));
        match self.known.get(&key) {
            Some(p) => p.vector,
            None => crate::compare::pack(&compare(&self.contacts[key.0 as usize], &self.contacts[key.1 as usize])),
        }
    }

    /// Whether two organisation records share a phone number that is one place's own.
    fn own_phone(&self, a: &Contact, b: &Contact) -> bool {
        a.phones.iter().any(|p| {
            self.phone_sources.get(p.key.as_str()).is_some_and(|(_, shared)| !shared)
                && b.phones.iter().any(|q| q.key == p.key)
        })
    }

    /// A pair's match weight (held to -10..+20 bits, so one pair of two noisy records cannot outvote
    /// the rest of a large group), how much it says, and the conflict that keeps it apart, if any.
    fn judge(&self, x: u32, y: u32) -> (f64, f64, Option<&'static str>) {
        let key = (x.min(y), x.max(y));
        if self.cannot.contains(&key) {
            return (-20.0, 1.0, Some("a reviewer decided they are different people"));
        }
        let (a, b) = (&self.contacts[key.0 as usize], &self.contacts[key.1 as usize]);
        let vector = crate::compare::unpack(self.vector(x, y));
        let w = weights_with(self.model, &self.table, self.tf, a, &vector);
        let why = conflict_in(self.model, &vector, &w)
            .or_else(|| person_and_organisation(a, b).then_some("a person and an organisation"))
            .or_else(|| {
                different_organisations(a, b, &vector, &crate::score::measured_weights(self.model, &w))
                    .then_some("different organisation names")
            })
            .or_else(|| {
                (different_sites(a, b, &vector) && !self.own_phone(a, b))
                    .then_some("organisations at different addresses")
            });
        // How much the pair says either way: two sparse records that share little and contradict
        // little say little, and count for little in the average.
        let info = w.iter().map(|x| x.abs()).sum::<f64>().clamp(1.0, 40.0);
        (total_weight(self.model, &w).clamp(-10.0, 20.0), info, why)
    }
}

/// The groups being built: a union-find whose roots hold their members, and every record's no-match
/// partners, to check a join against all of them whatever the groups' size.
struct Groups {
    parent: Vec<u32>,
    members: Vec<Vec<u32>>,
    apart: polars::prelude::PlHashMap<u32, Vec<u32>>,
}

impl Groups {
    fn new(n: usize, cannot: &std::collections::HashSet<(u32, u32)>) -> Self {
        let mut apart: polars::prelude::PlHashMap<u32, Vec<u32>> = Default::default();
        for &(a, b) in cannot {
            apart.entry(a).or_default().push(b);
            apart.entry(b).or_default().push(a);
        }
        for partners in apart.values_mut() {
            partners.sort_unstable();
        }
        Groups { parent: (0..n as u32).collect(), members: (0..n as u32).map(|i| vec![i]).collect(), apart }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        let parent = &mut self.parent;
        while parent[x as usize] != x {
            let p = parent[parent[x as usize] as usize];
            parent[x as usize] = p;
            x = p;
        }
        x
    }

    fn size(&self, root: u32) -> usize {
        self.members[root as usize].len()
    }

    /// Joins two groups by their roots (the smaller one moves into the larger).
    fn join(&mut self, ra: u32, rb: u32) {
        let (big, small) = if self.size(ra) >= self.size(rb) { (ra, rb) } else { (rb, ra) };
        self.parent[small as usize] = big;
        let moved = std::mem::take(&mut self.members[small as usize]);
        self.members[big as usize].extend(moved);
    }

    /// A no-match pair across two groups, looked up from the smaller group's members.
    fn kept_apart(&mut self, ra: u32, rb: u32) -> Option<(u32, u32)> {
        if self.apart.is_empty() {
            return None;
        }
        let (small, other) = if self.size(ra) <= self.size(rb) { (ra, rb) } else { (rb, ra) };
        for i in 0..self.members[small as usize].len() {
            let x = self.members[small as usize][i];
            for j in 0..self.apart.get(&x).map_or(0, Vec::len) {
                let y = self.apart[&x][j];
                if self.find(y) == other {
                    return Some((x.min(y), x.max(y)));
                }
            }
        }
        None
    }

    /// Reviewers' match decisions join first, then links kept from the last run; neither ever puts a
    /// no-match pair together (a match that would is returned as a contradiction).
    fn apply_decisions(&mut self, pairs: &Pairs, decisions: &Decisions) -> Vec<Contradiction> {
        let mut contradictions = Vec::new();
        for (reviewed, &(a, b)) in
            decisions.must_link.iter().map(|p| (true, p)).chain(decisions.kept_links.iter().map(|p| (false, p)))
        {
            let (ra, rb) = (self.find(a), self.find(b));
            if ra == rb {
                continue;
            }
            match self.kept_apart(ra, rb) {
                Some(no_match) if reviewed => contradictions.push(Contradiction {
                    pair: (a.min(b), a.max(b)),
                    vector: pairs.vector(a, b),
                    no_match,
                }),
                Some(_) => {}
                None => self.join(ra, rb),
            }
        }
        contradictions
    }

    /// Every record's cluster, and every cluster's members, numbered by their first member in input order.
    fn numbered(mut self) -> (Vec<u32>, Vec<Vec<u32>>) {
        let n = self.parent.len();
        let mut of = vec![u32::MAX; n];
        let mut members: Vec<Vec<u32>> = Vec::new();
        let mut root_to_cluster: HashMap<u32, u32> = HashMap::new();
        for i in 0..n as u32 {
            let r = self.find(i);
            let c = *root_to_cluster.entry(r).or_insert_with(|| {
                members.push(Vec::new());
                (members.len() - 1) as u32
            });
            of[i as usize] = c;
            members[c as usize].push(i);
        }
        (of, members)
    }
}

/// Why two groups must not join: their average linkage, the reason, and the conflicting pair.
type Refused = (f64, String, Option<(u32, u32)>);

/// A reason two groups must not join, and the conflicting pair across them if that is the reason.
type Reason = (String, Option<(u32, u32)>);

/// A refused join: the average linkage, the reason, and the conflicting pair with its vector.
type Refusal = (f64, String, Option<((u32, u32), u64)>);

/// The edges' joins, taken strongest first, and the ones refused.
struct Joins<'a> {
    pairs: &'a Pairs<'a>,
    threshold_weight: f64,
    link_only: bool,
    /// (group a, group b, their sizes) → why their join was refused.
    refused: polars::prelude::PlHashMap<(u32, u32, usize, usize), Refusal>,
    splits: Vec<Split>,
    sampled_joins: usize,
    debug: bool,
}

impl Joins<'_> {
    /// Joins the groups of an edge's records, or lists the edge as a split and why.
    fn consider(&mut self, groups: &mut Groups, e: &ScoredPair) {
        let (ra, rb) = (groups.find(e.a), groups.find(e.b));
        if ra == rb {
            return;
        }
        let sizes = (groups.size(ra), groups.size(rb));
        // Two groups that have not changed since a join of theirs was refused are refused again
        // without comparing them again (a group is its root and its size).
        let key = {
            let (x, y) = (ra.min(rb), ra.max(rb));
            (x, y, groups.size(x), groups.size(y))
        };
        let refusal = match self.refused.get(&key) {
            Some(r) => r.clone(),
            None => match self.check(groups, e, ra, rb) {
                None => return groups.join(ra, rb),
                Some((linkage, reason, conflict_pair)) => {
                    // Listed in the order the pair was scored in (a comparison need not be symmetric).
                    let conflict = conflict_pair.map(|(x, y)| ((x.min(y), x.max(y)), self.pairs.vector(x, y)));
                    let r = (linkage, reason, conflict);
                    self.refused.insert(key, r.clone());
                    r
                }
            },
        };
        let (linkage, reason, conflict) = refusal;
        self.splits.push(Split {
            a: e.a,
            b: e.b,
            probability: e.probability(),
            linkage,
            reason,
            conflict: conflict.map(|c| c.0),
            vector: conflict.map_or(e.vector, |c| c.1),
            sizes,
        });
    }

    /// Why two groups must not join (their linkage, the reason and the conflicting pair), or None.
    fn check(&mut self, groups: &mut Groups, e: &ScoredPair, ra: u32, rb: u32) -> Option<Refused> {
        let (linkage, refusal) = match groups.kept_apart(ra, rb) {
            // Checked on every member, even when the weights below are checked on a sample.
            Some(pair) => {
                let why = "two records across the groups conflict: a reviewer decided they are different people";
                (e.weight, Some((why.to_string(), Some(pair))))
            }
            None => self.linkage(groups, e, ra, rb),
        };
        if self.debug {
            let v = crate::compare::unpack(e.vector);
            let w = weights(self.pairs.model, self.pairs.tf, &self.pairs.contacts[e.a as usize], &v);
            eprintln!(
                "edge {} {} p={:.3} w={:.2} linkage={:.3} sizes={}+{} {:?} {:?} {:?}",
                e.a,
                e.b,
                e.probability(),
                e.weight,
                linkage,
                groups.size(ra),
                groups.size(rb),
                refusal.as_ref().map(|r| &r.0),
                v,
                w.map(|x| (x * 10.0).round() / 10.0)
            );
        }
        refusal.map(|(why, pair)| (linkage, why, pair))
    }

    /// The average linkage across two groups, and why they must not join: a conflicting pair across
    /// them, or a linkage below the threshold.
    fn linkage(&mut self, groups: &Groups, e: &ScoredPair, ra: u32, rb: u32) -> (f64, Option<Reason>) {
        let contacts = self.pairs.contacts;
        let (ga, gb, sampled) = members_to_check(&groups.members[ra as usize], &groups.members[rb as usize]);
        self.sampled_joins += usize::from(sampled);
        let (mut sum, mut count, mut info_sum) = (0.0, 0usize, 0.0);
        let mut conflict = None;
        'outer: for &x in &ga {
            for &y in &gb {
                if self.link_only && contacts[x as usize].source == contacts[y as usize].source {
                    continue;
                }
                let (p, info, c) = self.pairs.judge(x, y);
                if let Some(why) = c {
                    conflict = Some((format!("two records across the groups conflict: {why}"), Some((x, y))));
                    break 'outer;
                }
                sum += p * info;
                count += 1;
                info_sum += info;
            }
        }
        let linkage = if count == 0 { e.weight } else { sum / info_sum };
        if conflict.is_some() {
            return (linkage, conflict);
        }
        if linkage < self.threshold_weight {
            let why = format!(
                "average match weight across the groups is {linkage:.1} (probability {:.2}), below the threshold",
                probability(linkage)
            );
            return (linkage, Some((why, None)));
        }
        (linkage, None)
    }
}

/// Whether one record is an organisation and the other a named person.
fn person_and_organisation(a: &Contact, b: &Contact) -> bool {
    use crate::normalize::flag::{NO_NAME, ORGANISATION};
    let org = |c: &Contact| c.flags & ORGANISATION != 0;
    let person = |c: &Contact| c.flags & (ORGANISATION | NO_NAME) == 0;
    (org(a) && person(b)) || (org(b) && person(a))
}

/// Two organisations whose names disagree as clearly as two people's first names in a conflict
/// (restaurants in one hotel share its address and switchboard). A person's company is not their
/// identity (people change jobs), so this holds for organisation records only.
fn different_organisations(a: &Contact, b: &Contact, v: &crate::compare::Vector, w: &[f64; crate::compare::N]) -> bool {
    use crate::normalize::flag::ORGANISATION;
    let c = crate::compare::COMPANY;
    a.flags & b.flags & ORGANISATION != 0 && v[c] == 1 && w[c] <= -crate::score::CONFLICT_BITS
}

/// Two organisation records at different addresses — another street and another house number, at
/// most the same town or postcode: two sites (branches of a chain, schools of one district,
/// restaurants of one group), however alike their names and switchboard. A person's address is not
/// their identity (people move); a site's is. (The same street with another number stays a matter of
/// weights: a typo, or the corner entrance; and so does a pair that shares a phone number no source
/// lists on two records — one place listed at two addresses by two guides.)
fn different_sites(a: &Contact, b: &Contact, v: &crate::compare::Vector) -> bool {
    use crate::normalize::flag::ORGANISATION;
    a.flags & b.flags & ORGANISATION != 0
        && (1..=2).contains(&v[crate::compare::ADDRESS])
        && !a.street_number.is_empty()
        && !b.street_number.is_empty()
        && a.street_number != b.street_number
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_formula_guard_is_taken_off() {
        assert_eq!(unguard("'=1+1"), "=1+1");
        assert_eq!(unguard("'+A1"), "+A1");
        assert_eq!(unguard("'quoted"), "'quoted", "a record id that starts with '");
        assert_eq!(unguard("'+4930123"), "'+4930123", "a number is never guarded");
    }

    #[test]
    fn joins_check_every_pair_up_to_the_budget_then_an_even_sample_of_both_sides() {
        let a: Vec<u32> = (0..900).collect();
        let b: Vec<u32> = (1000..2100).collect();
        let (x, y, sampled) = members_to_check(&a, &b);
        assert!(!sampled && x.len() == 900 && y.len() == 1100, "990,000 pairs: all of them");
        let a: Vec<u32> = (0..5000).collect();
        let (x, y, sampled) = members_to_check(&a, &b);
        assert!(sampled);
        assert!(x.len() * y.len() <= JOIN_CHECK_PAIRS, "{} x {}", x.len(), y.len());
        // Spread over the whole group, not its first members.
        assert_eq!(x[0], 0);
        assert!(*x.last().unwrap() >= 4990 && *y.last().unwrap() >= 2090);
        let (x, y, _) = members_to_check(&[7], &(0..3_000_000).collect::<Vec<u32>>());
        assert_eq!(x, vec![7]);
        assert!(y.len() <= JOIN_CHECK_PAIRS);
        // A small side is kept whole: none of its records goes unchecked.
        let (x, y, _) = members_to_check(&(0..2_000_000).collect::<Vec<u32>>(), &[3, 4]);
        assert_eq!(y, vec![3, 4]);
        assert_eq!(x.len(), JOIN_CHECK_PAIRS / 2);
    }
}
