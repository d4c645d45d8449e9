//! Step 7, merge: one golden record per cluster, by survivorship rules, with the provenance of every
//! value.
//!
//! Survivorship is configurable per field (`[merge] rule`, `[merge.fields]`: `most_frequent`,
//! `ranked`, `most_recent`, `most_complete`, `longest`). Default (`most_frequent`), per field: the value most members agree on (compared by
//! match key, so "ACME Inc." and "Acme" count together); ties go to the best-ranked record: a
//! source higher in `[merge] source_priority`, then the most recently active record, then the most
//! complete, then the first in input order. With `rule = "ranked"` the best-ranked record that has a
//! value gives it. Emails and phones are a union: the
//! surviving value first, every other distinct value kept as an alternate, never thrown away. Tags
//! are the union of all members' tags. Incomplete records are filled from their duplicates.

use polars::prelude::{PlHashMap as HashMap, PlHashSet as HashSet};
use serde::Serialize;

use crate::cluster::Clusters;
use chrono::Datelike;

use crate::config::{Config, Survivorship};
use crate::ingest::Ingested;
use crate::normalize::Contact;
use crate::schema::{Field, GoldenField};
use crate::text;

/// One value of a golden record and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Value {
    pub value: crate::normalize::Text,
    /// Contact index the value was taken from.
    pub from: u32,
}

/// The golden record of one cluster.
#[derive(Debug, Clone)]
pub struct Golden {
    pub cluster: u32,
    /// One entry per [`GoldenField`], indexed by `field as usize` (empty when no member has it).
    pub values: Vec<Option<Value>>,
    /// Member whose id survives in the merge plan (most complete, then most recent, then first).
    pub master: u32,
    /// Whether the members disagree on an opt-out or do-not-call flag (the golden record keeps the
    /// restrictive one).
    pub consent_disagrees: bool,
}

impl Golden {
    /// The golden value of `field`, if any member has one.
    pub fn get(&self, field: GoldenField) -> Option<&Value> {
        self.values[field as usize].as_ref()
    }
}

/// A candidate value: display form, match key, contact.
type Candidate = (String, String, u32);

/// Builds the golden records: one per cluster, in cluster order (`golden[c]` is cluster `c`).
pub fn golden_records(ingested: &Ingested, contacts: &[Contact], clusters: &Clusters, cfg: &Config) -> Vec<Golden> {
    // Rank of each source: listed sources first, in the configured order.
    let rank: Vec<usize> = ingested
        .sources
        .iter()
        .map(|s| cfg.source_priority.iter().position(|p| p == &s.name).unwrap_or(cfg.source_priority.len()))
        .collect();
    let cells = Cells::new(ingested);
    // Phone numbers more than one cluster has (a company switchboard, a household's landline): not a
    // person's own line, so a cluster's own number is preferred for its golden phone.
    let mut phone_clusters: HashMap<&str, u32> = HashMap::default();
    let mut shared: HashSet<&str> = HashSet::default();
    for (i, c) in contacts.iter().enumerate() {
        for p in &c.phones {
            let cluster = clusters.of[i];
            if *phone_clusters.entry(p.key.as_str()).or_insert(cluster) != cluster {
                shared.insert(p.key.as_str());
            }
        }
    }
    use rayon::prelude::*;
    clusters
        .members
        .par_iter()
        .enumerate()
        .map(|(ci, members)| golden(&cells, contacts, ci as u32, members, &rank, cfg, &shared))
        .collect()
}

/// The input columns of every source by field, looked up once.
struct Cells<'a> {
    /// Source → field (`Field as usize`) → its columns, in file order.
    columns: Vec<Vec<Vec<&'a polars::prelude::StringChunked>>>,
    /// Source → how its consent dates are written (day or month first).
    consent_order: Vec<crate::normalize::date::DayOrder>,
}

impl<'a> Cells<'a> {
    fn new(ingested: &'a Ingested) -> Self {
        let columns = ingested
            .sources
            .iter()
            .map(|s| {
                let mut by_field = vec![Vec::new(); Field::ALL.len()];
                for f in Field::ALL {
                    by_field[f as usize] =
                        s.columns_for(f).filter_map(|h| s.frame.column(h).ok()?.str().ok()).collect();
                }
                by_field
            })
            .collect::<Vec<_>>();
        let consent_order = columns
            .iter()
            .map(|by_field: &Vec<Vec<&polars::prelude::StringChunked>>| {
                let values = by_field[Field::ConsentDate as usize].iter().flat_map(|c| c.iter().flatten());
                crate::normalize::date::detect_order(values, crate::normalize::date::DayOrder::DayFirst)
            })
            .collect();
        Cells { columns, consent_order }
    }
}

/// The first usable cell of `field` in the contact's input row.
fn raw<'a>(cells: &Cells<'a>, c: &Contact, field: Field) -> Option<&'a str> {
    cells.columns[c.source as usize][field as usize]
        .iter()
        .filter_map(|col| col.get(c.row as usize))
        .find(|v| !text::is_placeholder(v))
}

/// What a record says of a consent flag: yes when any of its columns for it says yes (a tick `x`
/// included, which other fields read as a placeholder), else no when one says no.
fn consent(cells: &Cells, c: &Contact, field: Field) -> Option<bool> {
    let said = cells.columns[c.source as usize][field as usize]
        .iter()
        .filter_map(|col| col.get(c.row as usize))
        .filter_map(text::yes_no);
    said.fold(None, |acc, b| Some(acc.unwrap_or(false) || b))
}

fn completeness(c: &Contact) -> usize {
    [
        !c.first.is_empty(),
        !c.last.is_empty(),
        !c.emails.is_empty(),
        !c.phones.is_empty(),
        !c.street.is_empty(),
        !c.city.is_empty(),
        !c.postcode.is_empty(),
        !c.company.is_empty(),
        c.birth.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count()
}

fn golden(
    cells: &Cells,
    contacts: &[Contact],
    cluster: u32,
    members: &[u32],
    source_rank: &[usize],
    cfg: &Config,
    shared_phones: &HashSet<&str>,
) -> Golden {
    let m = Members::new(cells, contacts, members, source_rank, cfg, shared_phones);
    // Emails and phones feed both the surviving value and the alternates.
    let email_cands = m.candidates(&|c, i| {
        c.emails.iter().filter(|e| e.valid).map(|e| (e.address.to_string(), e.key.to_string(), i)).collect()
    });
    let phone_cands =
        m.candidates(&|c, i| c.phones.iter().map(|p| (p.key.to_string(), p.key.to_string(), i)).collect());
    let mut values: Vec<Option<Value>> = Vec::with_capacity(GoldenField::ALL.len());
    let mut consent_disagrees = false;
    for field in GoldenField::ALL {
        use GoldenField as G;
        let v = match field {
            G::Email => m.pick(field, &email_cands),
            G::Phone => m.pick(field, &phone_cands),
            G::OtherEmails => alternates(values[G::Email as usize].as_ref(), &email_cands),
            G::OtherPhones => alternates(values[G::Phone as usize].as_ref(), &phone_cands),
            G::EmailOptOut | G::DoNotCall => {
                let (v, disagree) = m.consent(field);
                consent_disagrees |= disagree;
                v
            }
            G::Created | G::LastActivity | G::ConsentDate => m.date(field),
            _ => m.pick(field, &m.candidates_of(field)),
        };
        values.push(v);
    }
    Golden { cluster, values, master: m.master(members), consent_disagrees }
}

/// Every other distinct value of `all` than the chosen one, joined with "; ", from the first record
/// that has one.
fn alternates(chosen: Option<&Value>, all: &[Candidate]) -> Option<Value> {
    let chosen = chosen.map(|v| v.value.to_string()).unwrap_or_default();
    let mut seen = vec![chosen.as_str()];
    let mut out = Vec::new();
    let mut from = None;
    for (d, _, i) in all {
        if !seen.contains(&d.as_str()) {
            seen.push(d);
            out.push(d.as_str());
            from.get_or_insert(*i);
        }
    }
    from.map(|f| Value { value: out.join("; ").into(), from: f })
}

/// One cluster's records, as the golden record's rules see them.
struct Members<'a> {
    cells: &'a Cells<'a>,
    contacts: &'a [Contact],
    /// Members ordered by preference: trusted source, most recent activity, most complete, input order.
    ranked: Vec<u32>,
    /// Letters of the members' email local parts, for names they spell.
    locals: Vec<String>,
    /// A record alone in its cluster has one candidate per field: its match key decides nothing.
    single: bool,
    cfg: &'a Config,
    shared_phones: &'a HashSet<&'a str>,
}

impl<'a> Members<'a> {
    fn new(
        cells: &'a Cells<'a>,
        contacts: &'a [Contact],
        members: &[u32],
        source_rank: &[usize],
        cfg: &'a Config,
        shared_phones: &'a HashSet<&'a str>,
    ) -> Self {
        let mut ranked: Vec<u32> = members.to_vec();
        ranked.sort_by(|&x, &y| {
            let (a, b) = (&contacts[x as usize], &contacts[y as usize]);
            source_rank[a.source as usize]
                .cmp(&source_rank[b.source as usize])
                .then(b.last_activity.cmp(&a.last_activity))
                .then(completeness(b).cmp(&completeness(a)))
                .then(x.cmp(&y))
        });
        let locals: Vec<String> = if members.len() < 2 {
            Vec::new() // one record: one name, nothing to choose
        } else {
            members
                .iter()
                .flat_map(|&i| contacts[i as usize].emails.iter())
                .map(|e| e.local().chars().filter(char::is_ascii_alphabetic).collect())
                .collect()
        };
        Members { cells, contacts, ranked, locals, single: members.len() == 1, cfg, shared_phones }
    }

    fn contact(&self, i: u32) -> &'a Contact {
        &self.contacts[i as usize]
    }

    /// The member whose id survives in the merge plan: most complete, then most recent, then first.
    fn master(&self, members: &[u32]) -> u32 {
        *members
            .iter()
            .max_by(|&&x, &&y| {
                let (a, b) = (self.contact(x), self.contact(y));
                completeness(a).cmp(&completeness(b)).then(a.last_activity.cmp(&b.last_activity)).then(y.cmp(&x))
            })
            .unwrap_or(&members[0])
    }

    /// What `f` gives for each member, in ranked order, empty values left out.
    fn candidates(&self, f: &dyn Fn(&Contact, u32) -> Vec<Candidate>) -> Vec<Candidate> {
        self.ranked.iter().flat_map(|&i| f(self.contact(i), i)).filter(|(d, _, _)| !d.is_empty()).collect()
    }

    /// The match key of `v` (nothing for a record alone in its cluster).
    fn key_of(&self, key: &dyn Fn(&str) -> String, v: &str) -> String {
        if self.single {
            String::new()
        } else {
            key(v)
        }
    }

    /// Each member's input value of `field`, cleaned, with `key`.
    fn raw_field(&self, field: Field, key: fn(&str) -> String) -> Vec<Candidate> {
        self.candidates(&|c, i| {
            raw(self.cells, c, field).map(|v| (text::clean(v), self.key_of(&key, v), i)).into_iter().collect()
        })
    }

    /// The candidates of a field chosen by [`Members::pick`] (tags: their union).
    fn candidates_of(&self, field: GoldenField) -> Vec<Candidate> {
        use crate::normalize::{address, company, name};
        use GoldenField as G;
        let name_part = |k: usize| {
            self.candidates(&|c, i| {
                let display = &c.display_name[k];
                vec![(display.to_string(), self.key_of(&name::name_key, display), i)]
            })
        };
        match field {
            G::FirstName => name_part(0),
            G::MiddleName => name_part(1),
            G::LastName => name_part(2),
            G::Company => self.raw_field(Field::Company, company::company_key),
            G::JobTitle => self.raw_field(Field::JobTitle, text::alnum_key),
            G::Street => self.candidates(&|c, i| {
                let s = raw(self.cells, c, Field::Street).map(text::clean).unwrap_or_default();
                let n = raw(self.cells, c, Field::StreetNumber).map(text::clean).unwrap_or_default();
                let d = if n.is_empty() || s.contains(&n) { s } else { format!("{n} {s}") };
                vec![(d.clone(), self.key_of(&address::street_key, &d), i)]
            }),
            G::City => self.raw_field(Field::City, text::alnum_key),
            G::Region => self.raw_field(Field::Region, text::alnum_key),
            G::PostalCode => self.raw_field(Field::PostalCode, address::postal_key),
            G::Country => self.candidates(&|c, i| vec![(c.country.to_string(), c.country.to_string(), i)]),
            G::BirthDate => {
                self.candidates(&|c, i| c.birth.map(|d| (d.to_string(), d.to_string(), i)).into_iter().collect())
            }
            G::NationalId => self.candidates(&|c, i| vec![(c.national_id.to_string(), c.national_id.to_string(), i)]),
            G::Tags => self.candidates(&|c, i| {
                raw(self.cells, c, Field::Tags)
                    .map(|v| {
                        crate::normalize::tags::split_tags(v)
                            .into_iter()
                            .map(|t| (t.clone(), crate::normalize::tags::tag_key(&t), i))
                            .collect()
                    })
                    .unwrap_or_default()
            }),
            _ => Vec::new(),
        }
    }

    /// Most recent first; a record with no date at all last.
    fn recency_rank(&self, i: u32) -> i64 {
        let c = self.contact(i);
        c.last_activity.or(c.created).map_or(i64::MAX, |d| -(d.num_days_from_ce() as i64))
    }

    /// Ties between equally corroborated values, before the members' rank (lower first): a valid
    /// phone number before one that is not, a cluster's own before a shared one; for a name, the
    /// spelling the cluster's email addresses also use ("lucas.thomas@" for Lucas, not the typo Lucs);
    /// for what changes over time (address, employer, title), the most recent record's.
    fn prefer(&self, field: GoldenField, c: &Candidate) -> i64 {
        use GoldenField as G;
        match field {
            G::Phone => {
                let valid = self.contact(c.2).phones.iter().any(|p| p.key == c.1 && p.valid);
                2 * i64::from(self.shared_phones.contains(c.1.as_str())) + i64::from(!valid)
            }
            G::FirstName | G::LastName => {
                let key: String = c.1.chars().filter(char::is_ascii_alphabetic).collect();
                i64::from(!(key.len() >= 2 && self.locals.iter().any(|l| l.contains(key.as_str()))))
            }
            G::Street | G::City | G::Region | G::PostalCode | G::Company | G::JobTitle => self.recency_rank(c.2),
            _ => 0,
        }
    }

    /// The surviving value of `field` among `cands` (in ranked order) by the field's rule; each rule
    /// keeps the first of its best (a stable choice).
    fn pick(&self, field: GoldenField, cands: &[Candidate]) -> Option<Value> {
        if field == GoldenField::Tags {
            return union(cands);
        }
        let best_by = |key: &dyn Fn(&Candidate) -> i64| {
            let mut best: Option<&Candidate> = None;
            for c in cands {
                if best.is_none_or(|b| key(c) > key(b)) {
                    best = Some(c);
                }
            }
            best.map(|c| Value { value: c.0.as_str().into(), from: c.2 })
        };
        match self.cfg.field_rules.get(&field).copied().unwrap_or(self.cfg.survivorship) {
            Survivorship::MostFrequent => {
                let mut ordered: Vec<&Candidate> = cands.iter().collect();
                if ordered.len() > 1 {
                    ordered.sort_by_cached_key(|c| self.prefer(field, c));
                }
                pick_most_frequent(&ordered)
            }
            Survivorship::Ranked => cands.first().map(|c| Value { value: c.0.as_str().into(), from: c.2 }),
            Survivorship::MostRecent => {
                best_by(&|c| self.contact(c.2).last_activity.map(|d| d.num_days_from_ce() as i64).unwrap_or(i64::MIN))
            }
            Survivorship::MostComplete => best_by(&|c| completeness(self.contact(c.2)) as i64),
            Survivorship::Longest => best_by(&|c| c.0.chars().count() as i64),
        }
    }

    /// Consent: the most restrictive word any member has (an opt-out from any source holds for the
    /// person), from the best-ranked record that says it; and whether the members disagree.
    fn consent(&self, field: GoldenField) -> (Option<Value>, bool) {
        let field = if field == GoldenField::EmailOptOut { Field::EmailOptOut } else { Field::DoNotCall };
        let said: Vec<(bool, u32)> =
            self.ranked.iter().filter_map(|&i| consent(self.cells, self.contact(i), field).map(|b| (b, i))).collect();
        let disagree = said.iter().any(|s| s.0) && said.iter().any(|s| !s.0);
        let v = said
            .iter()
            .find(|s| s.0)
            .or(said.first())
            .map(|&(b, i)| Value { value: if b { "yes" } else { "no" }.into(), from: i });
        (v, disagree)
    }

    /// The earliest creation date, the latest activity or consent date (ties: the better-ranked record).
    fn date(&self, field: GoldenField) -> Option<Value> {
        let value = |(d, i): (chrono::NaiveDate, u32)| Value { value: d.to_string().into(), from: i };
        let dated = |f: &dyn Fn(&Contact) -> Option<chrono::NaiveDate>| {
            self.ranked.iter().filter_map(|&i| f(self.contact(i)).map(|d| (d, i))).collect::<Vec<_>>()
        };
        let latest =
            |all: Vec<(chrono::NaiveDate, u32)>| all.into_iter().max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        match field {
            GoldenField::Created => dated(&|c| c.created).into_iter().min().map(value),
            GoldenField::LastActivity => latest(dated(&|c| c.last_activity)).map(value),
            _ => latest(dated(&|c| {
                let raw = raw(self.cells, c, Field::ConsentDate)?;
                crate::normalize::date::parse_date(raw, self.cells.consent_order[c.source as usize])
            }))
            .map(value),
        }
    }
}

/// The most frequent value by key; ties to the earliest candidate (the best-ranked member).
fn pick_most_frequent(cands: &[&Candidate]) -> Option<Value> {
    // Candidate lists are short (a cluster's records): counting by scanning beats hashing. Ties go to
    // the value met first.
    let mut best: Option<(usize, usize)> = None;
    for (pos, (_, key, _)) in cands.iter().enumerate() {
        if cands[..pos].iter().any(|c| &c.1 == key) {
            continue;
        }
        let n = cands[pos..].iter().filter(|c| &c.1 == key).count();
        if best.is_none_or(|(most, _)| n > most) {
            best = Some((n, pos));
        }
    }
    let (_, pos) = best?;
    Some(Value { value: cands[pos].0.as_str().into(), from: cands[pos].2 })
}

/// Every distinct value by key, joined with "; ".
fn union(cands: &[Candidate]) -> Option<Value> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out: Vec<&str> = Vec::new();
    for (d, k, _) in cands {
        if !seen.contains(&k.as_str()) {
            seen.push(k);
            out.push(d);
        }
    }
    cands.first().map(|c| Value { value: out.join("; ").into(), from: c.2 })
}

/// The CRM a source was exported from, as far as its merge API matters: how many records one merge
/// call may fold into the master.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crm {
    /// Salesforce (`merge()`: a master and up to two others per call), told by its record ids
    /// (15 or 18 letters and digits, `003…` contacts, `00Q…` leads, `001…` accounts) or its
    /// `HasOptedOutOfEmail` column.
    Salesforce,
    /// HubSpot, Dynamics and every other: two records per call (the master and one other), which
    /// every merge API accepts.
    Other,
}

impl Crm {
    pub fn name(self) -> &'static str {
        match self {
            Crm::Salesforce => "salesforce",
            Crm::Other => "two_per_call",
        }
    }
    /// Records merged into the master per call.
    pub fn merged_per_call(self) -> usize {
        match self {
            Crm::Salesforce => 2,
            Crm::Other => 1,
        }
    }
    /// The CRM of an exported source.
    pub fn of(source: &crate::ingest::Source) -> Crm {
        let salesforce_id = |id: &str| {
            matches!(id.len(), 15 | 18)
                && id.bytes().all(|b| b.is_ascii_alphanumeric())
                && ["003", "00Q", "001"].iter().any(|p| id.starts_with(p))
        };
        let ids = &source.record_ids;
        let sample = ids.len().min(1000);
        let by_ids = sample > 0 && ids[..sample].iter().filter(|id| salesforce_id(id)).count() * 10 >= sample * 9;
        // Headers other CRMs share ("Contact ID", "Mailing Street") do not tell; the API field name does.
        let by_headers = source.columns.iter().any(|c| c.header.trim() == "HasOptedOutOfEmail");
        if by_ids || by_headers {
            Crm::Salesforce
        } else {
            Crm::Other
        }
    }
}

/// One step of the merge plan: inside one source, merge record `merge` into record `keep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanStep {
    pub cluster: u32,
    pub keep: u32,
    pub merge: u32,
}

/// The merge plan a CRM admin applies: a source's own duplicates merge into one of its own records
/// (the cluster's master when it is in that source, else the source's most complete, most recent
/// record), so every system keeps its own ids. Records alone in their source are not touched.
pub fn merge_plan(contacts: &[Contact], clusters: &Clusters, golden: &[Golden]) -> Vec<PlanStep> {
    let mut plan = Vec::new();
    for g in golden {
        let members = &clusters.members[g.cluster as usize];
        if members.len() < 2 {
            continue;
        }
        let mut sources: Vec<u16> = members.iter().map(|&i| contacts[i as usize].source).collect();
        sources.sort_unstable();
        sources.dedup();
        for s in sources {
            let own: Vec<u32> = members.iter().copied().filter(|&i| contacts[i as usize].source == s).collect();
            if own.len() < 2 {
                continue;
            }
            let keep = if own.contains(&g.master) {
                g.master
            } else {
                *own.iter()
                    .max_by(|&&x, &&y| {
                        let (a, b) = (&contacts[x as usize], &contacts[y as usize]);
                        completeness(a)
                            .cmp(&completeness(b))
                            .then(a.last_activity.cmp(&b.last_activity))
                            .then(y.cmp(&x))
                    })
                    .unwrap_or(&own[0])
            };
            plan.extend(own.iter().filter(|&&i| i != keep).map(|&merge| PlanStep { cluster: g.cluster, keep, merge }));
        }
    }
    plan
}
