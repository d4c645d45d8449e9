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
use crate::schema::{Field, GOLDEN_FIELDS};
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
    /// One entry per [`GOLDEN_FIELDS`] (empty value when no member has it).
    pub values: Vec<Option<Value>>,
    /// Member whose id survives in the merge plan (most complete, then most recent, then first).
    pub master: u32,
    /// Whether the members disagree on an opt-out or do-not-call flag (the golden record keeps the
    /// restrictive one).
    pub consent_disagrees: bool,
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
    // Members ordered by preference: trusted source, most recent activity, most complete, input order.
    let mut ranked: Vec<u32> = members.to_vec();
    ranked.sort_by(|&x, &y| {
        let (a, b) = (&contacts[x as usize], &contacts[y as usize]);
        source_rank[a.source as usize]
            .cmp(&source_rank[b.source as usize])
            .then(b.last_activity.cmp(&a.last_activity))
            .then(completeness(b).cmp(&completeness(a)))
            .then(x.cmp(&y))
    });
    // Letters of the members' email local parts, for names they spell.
    let locals: Vec<String> = if members.len() < 2 {
        Vec::new() // one record: one name, nothing to choose
    } else {
        members
            .iter()
            .flat_map(|&i| contacts[i as usize].emails.iter())
            .map(|e| e.local().chars().filter(char::is_ascii_alphabetic).collect())
            .collect()
    };
    // Most recent first; a record with no date at all last.
    let recency_rank = |i: u32| {
        let c = &contacts[i as usize];
        c.last_activity.or(c.created).map_or(i64::MAX, |d| -(d.num_days_from_ce() as i64))
    };
    let prefer = |field: &str, c: &Candidate| -> i64 {
        match field {
            "phone" => {
                let valid = contacts[c.2 as usize].phones.iter().any(|p| p.key == c.1 && p.valid);
                2 * i64::from(shared_phones.contains(c.1.as_str())) + i64::from(!valid)
            }
            "first_name" | "last_name" => {
                let key: String = c.1.chars().filter(char::is_ascii_alphabetic).collect();
                i64::from(!(key.len() >= 2 && locals.iter().any(|l| l.contains(key.as_str()))))
            }
            "street" | "city" | "region" | "postal_code" | "company" | "job_title" => recency_rank(c.2),
            _ => 0,
        }
    };
    // Candidates come in ranked order; each rule keeps the first of its best (a stable choice).
    let pick = |field: &str, cands: &[Candidate]| -> Option<Value> {
        let rule = cfg.field_rules.get(field).copied().unwrap_or(cfg.survivorship);
        let best_by = |key: &dyn Fn(&Candidate) -> i64| {
            let mut best: Option<&Candidate> = None;
            for c in cands {
                if best.is_none_or(|b| key(c) > key(b)) {
                    best = Some(c);
                }
            }
            best.map(|c| Value { value: c.0.as_str().into(), from: c.2 })
        };
        match rule {
            Survivorship::MostFrequent => {
                // Ties between equally corroborated values, before the members' rank: a valid phone
                // number before one that is not; for a name, the spelling the cluster's email
                // addresses also use ("lucas.thomas@" for Lucas, not the typo Lucs); for what changes
                // over time (address, employer, title), the most recent record's.
                let mut ordered: Vec<&Candidate> = cands.iter().collect();
                if ordered.len() > 1 {
                    ordered.sort_by_cached_key(|c| prefer(field, c));
                }
                pick_most_frequent(&ordered)
            }
            Survivorship::Ranked => cands.first().map(|c| Value { value: c.0.as_str().into(), from: c.2 }),
            Survivorship::MostRecent => best_by(&|c| {
                contacts[c.2 as usize].last_activity.map(|d| d.num_days_from_ce() as i64).unwrap_or(i64::MIN)
            }),
            Survivorship::MostComplete => best_by(&|c| completeness(&contacts[c.2 as usize]) as i64),
            Survivorship::Longest => best_by(&|c| c.0.chars().count() as i64),
        }
    };
    let master = *members
        .iter()
        .max_by(|&&x, &&y| {
            let (a, b) = (&contacts[x as usize], &contacts[y as usize]);
            completeness(a).cmp(&completeness(b)).then(a.last_activity.cmp(&b.last_activity)).then(y.cmp(&x))
        })
        .unwrap_or(&members[0]);
    let candidates = |f: &dyn Fn(&Contact, u32) -> Vec<Candidate>| -> Vec<Candidate> {
        ranked.iter().flat_map(|&i| f(&contacts[i as usize], i)).filter(|(d, _, _)| !d.is_empty()).collect()
    };
    // A record alone in its cluster has one candidate per field: its match key decides nothing.
    let single = members.len() == 1;
    let key_of = |key: &dyn Fn(&str) -> String, v: &str| if single { String::new() } else { key(v) };
    let raw_field = |field: Field, key: fn(&str) -> String| {
        move |c: &Contact, i: u32| -> Vec<Candidate> {
            raw(cells, c, field).map(|v| (text::clean(v), key_of(&key, v), i)).into_iter().collect()
        }
    };
    // Emails and phones feed both the surviving value and the alternates.
    let email_cands = candidates(&|c, i| {
        c.emails.iter().filter(|e| e.valid).map(|e| (e.address.to_string(), e.key.to_string(), i)).collect()
    });
    let phone_cands = candidates(&|c, i| c.phones.iter().map(|p| (p.key.to_string(), p.key.to_string(), i)).collect());
    let mut values: Vec<Option<Value>> = Vec::with_capacity(GOLDEN_FIELDS.len());
    let mut consent_disagrees = false;
    for &name in GOLDEN_FIELDS {
        let v = match name {
            "first_name" | "middle_name" | "last_name" => {
                let k = match name {
                    "first_name" => 0,
                    "middle_name" => 1,
                    _ => 2,
                };
                pick(
                    name,
                    &candidates(&|c, i| {
                        let display = &c.display_name[k];
                        vec![(display.to_string(), key_of(&crate::normalize::name::name_key, display), i)]
                    }),
                )
            }
            "email" => pick(name, &email_cands),
            "other_emails" => None,
            "phone" => pick(name, &phone_cands),
            "other_phones" => None,
            "company" => pick(name, &candidates(&raw_field(Field::Company, crate::normalize::company::company_key))),
            "job_title" => pick(name, &candidates(&raw_field(Field::JobTitle, text::alnum_key))),
            "street" => pick(
                name,
                &candidates(&|c, i| {
                    let s = raw(cells, c, Field::Street).map(text::clean).unwrap_or_default();
                    let n = raw(cells, c, Field::StreetNumber).map(text::clean).unwrap_or_default();
                    let d = if n.is_empty() || s.contains(&n) { s } else { format!("{n} {s}") };
                    vec![(d.clone(), key_of(&crate::normalize::address::street_key, &d), i)]
                }),
            ),
            "city" => pick(name, &candidates(&raw_field(Field::City, text::alnum_key))),
            "region" => pick(name, &candidates(&raw_field(Field::Region, text::alnum_key))),
            "postal_code" => {
                pick(name, &candidates(&raw_field(Field::PostalCode, crate::normalize::address::postal_key)))
            }
            "country" => pick(name, &candidates(&|c, i| vec![(c.country.to_string(), c.country.to_string(), i)])),
            "birth_date" => pick(
                name,
                &candidates(&|c, i| c.birth.map(|d| (d.to_string(), d.to_string(), i)).into_iter().collect()),
            ),
            "national_id" => {
                pick(name, &candidates(&|c, i| vec![(c.national_id.to_string(), c.national_id.to_string(), i)]))
            }
            "tags" => union(&candidates(&|c, i| {
                raw(cells, c, Field::Tags)
                    .map(|v| {
                        crate::normalize::tags::split_tags(v)
                            .into_iter()
                            .map(|t| (t.clone(), crate::normalize::tags::tag_key(&t), i))
                            .collect()
                    })
                    .unwrap_or_default()
            })),
            "created" => ranked
                .iter()
                .filter_map(|&i| contacts[i as usize].created.map(|d| (d, i)))
                .min()
                .map(|(d, i)| Value { value: d.to_string().into(), from: i }),
            "last_activity" => ranked
                .iter()
                .filter_map(|&i| contacts[i as usize].last_activity.map(|d| (d, i)))
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
                .map(|(d, i)| Value { value: d.to_string().into(), from: i }),
            // Consent: the most restrictive word any member has (an opt-out from any source holds
            // for the person), from the best-ranked record that says it.
            "email_opt_out" | "do_not_call" => {
                let field = if name == "email_opt_out" { Field::EmailOptOut } else { Field::DoNotCall };
                let said: Vec<(bool, u32)> = ranked
                    .iter()
                    .filter_map(|&i| consent(cells, &contacts[i as usize], field).map(|b| (b, i)))
                    .collect();
                consent_disagrees |= said.iter().any(|s| s.0) && said.iter().any(|s| !s.0);
                said.iter()
                    .find(|s| s.0)
                    .or(said.first())
                    .map(|&(b, i)| Value { value: if b { "yes" } else { "no" }.into(), from: i })
            }
            "consent_date" => ranked
                .iter()
                .filter_map(|&i| {
                    let c = &contacts[i as usize];
                    let raw = raw(cells, c, Field::ConsentDate)?;
                    Some((crate::normalize::date::parse_date(raw, cells.consent_order[c.source as usize])?, i))
                })
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
                .map(|(d, i)| Value { value: d.to_string().into(), from: i }),
            _ => None,
        };
        values.push(v);
    }
    // Alternates: every other distinct email / phone.
    let alternates = |chosen: Option<&Value>, all: Vec<Candidate>| -> Option<Value> {
        let chosen = chosen.map(|v| v.value.to_string()).unwrap_or_default();
        let mut seen = vec![chosen];
        let mut out = Vec::new();
        let mut from = None;
        for (d, _, i) in all {
            if !seen.contains(&d) {
                seen.push(d.clone());
                out.push(d);
                from.get_or_insert(i);
            }
        }
        from.map(|f| Value { value: out.join("; ").into(), from: f })
    };
    let idx = |n: &str| GOLDEN_FIELDS.iter().position(|f| *f == n).unwrap_or(0);
    values[idx("other_emails")] = alternates(values[idx("email")].as_ref(), email_cands);
    values[idx("other_phones")] = alternates(values[idx("phone")].as_ref(), phone_cands);
    Golden { cluster, values, master, consent_disagrees }
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
