//! Step 4, block: candidate pairs from several blocking rules, never all n² pairs.
//!
//! Each rule builds zero or more keys per contact from normalized fields (a contact with two emails
//! has two email keys). Contacts sharing a key form a block; every pair inside a block is a candidate.
//! Keys are hashed to `u64` and grouped by sorting, pairs are `u32` ids packed into a `u64`, and pairs
//! found by several rules are kept once. A block larger than `max_block_size` (a placeholder email, a
//! switchboard phone, a very common name) is skipped for that rule and reported: the other rules still
//! find the true pairs inside it, and it cannot chain hundreds of people together.

use rayon::prelude::*;
use serde::Serialize;

use crate::normalize::Contact;

/// A blocking rule: a name and a function giving a contact's keys for it.
pub struct Rule {
    pub name: &'static str,
    keys: fn(&Contact, &mut Keys),
    /// Blocks up to this size give all their pairs; larger ones each record's nearest neighbours
    /// ([`windows`]). Broad keys (a birth date, a name with a year) are windowed almost always.
    full: usize,
}

/// The keys of one contact for one rule, hashed as they are made (no key string is built).
pub struct Keys {
    seed: u64,
    hashes: Vec<u64>,
}

impl Keys {
    /// A key made of `parts` joined with `|`.
    fn parts(&mut self, parts: &[&str]) {
        let mut h = self.seed;
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                h = fnv1a(h, b"|");
            }
            h = fnv1a(h, p.as_bytes());
        }
        self.hashes.push(h);
    }
    /// A key of one value.
    fn one(&mut self, key: &str) {
        self.parts(&[key]);
    }
    /// A key of two values, when both are there.
    fn both(&mut self, a: &str, b: &str) {
        if !a.is_empty() && !b.is_empty() {
            self.parts(&[a, b]);
        }
    }
}

fn pre(s: &str, n: usize) -> &str {
    &s[..s.len().min(n)]
}

/// The default rules. Each uses only fields the contact has; a rule whose fields no input has finds
/// nothing and costs nothing.
pub fn default_rules() -> Vec<Rule> {
    vec![
        Rule { name: "email", full: FULL_BLOCK, keys: email },
        Rule { name: "email_local_part", full: FULL_BLOCK, keys: email_local_part },
        Rule { name: "phone", full: FULL_BLOCK, keys: phone },
        Rule { name: "phone_last_digits", full: FULL_BLOCK, keys: phone_last_digits },
        Rule { name: "national_id", full: FULL_BLOCK, keys: national_id },
        Rule { name: "first_last", full: FULL_NAME_BLOCK, keys: first_last },
        Rule { name: "phonetic_names", full: FULL_BLOCK, keys: phonetic_names },
        Rule { name: "last_name_postcode", full: FULL_BLOCK, keys: last_name_postcode },
        Rule { name: "last_name_postcode_area", full: BROAD_BLOCK, keys: last_name_postcode_area },
        Rule { name: "names_birth_year", full: BROAD_BLOCK, keys: names_birth_year },
        Rule { name: "first_name_postcode", full: FULL_BLOCK, keys: first_name_postcode },
        Rule { name: "birth_date_names", full: FULL_BLOCK, keys: birth_date_names },
        Rule { name: "birth_date_postcode", full: FULL_BLOCK, keys: birth_date_postcode },
        Rule { name: "address", full: FULL_BLOCK, keys: address },
        Rule { name: "address_without_postcode", full: BROAD_BLOCK, keys: address_without_postcode },
        Rule { name: "company_name", full: FULL_BLOCK, keys: company_name },
        Rule { name: "unrecognised_columns", full: FULL_BLOCK, keys: unrecognised_columns },
        Rule { name: "organisation", full: FULL_BLOCK, keys: organisation },
        Rule { name: "birth_date", full: BROAD_BLOCK, keys: birth_date },
        Rule { name: "names_attributes", full: BROAD_BLOCK, keys: names_attributes },
        Rule { name: "company_first_name", full: FULL_BLOCK, keys: company_first_name },
    ]
}

fn email(c: &Contact, k: &mut Keys) {
    for e in c.personal_emails() {
        k.one(&e.key);
    }
}

fn email_local_part(c: &Contact, k: &mut Keys) {
    for l in c.personal_emails().map(|e| e.local()).filter(|l| l.len() >= 6) {
        k.one(l);
    }
}

fn phone(c: &Contact, k: &mut Keys) {
    for p in c.valid_phones() {
        k.one(&p.key);
    }
}

fn phone_last_digits(c: &Contact, k: &mut Keys) {
    // Catches numbers written with and without a country code that did not parse alike,
    // by their last eight digits; numbers not valid as written (local numbers without an
    // area code, or with a trunk zero where the country has none) by their last seven, as
    // the phone comparison's middle level — which valid numbers carry too, so that
    // "+34 916756247" meets "0916 756247".
    for p in &c.phones {
        for tail in if p.valid { &[8, 7][..] } else { &[7][..] } {
            let t = &p.key[p.key.len().saturating_sub(*tail)..];
            if t.len() == *tail {
                k.parts(&[if *tail == 8 { "8" } else { "7" }, t]);
            }
        }
    }
}

fn national_id(c: &Contact, k: &mut Keys) {
    if !c.national_id.is_empty() {
        k.one(&c.national_id);
    }
}

fn first_last(c: &Contact, k: &mut Keys) {
    // Sorted so that swapped first/last names share the key.
    let (a, b) = if c.first_canon <= c.last { (&c.first_canon, &c.last) } else { (&c.last, &c.first_canon) };
    k.both(a, b);
}

fn phonetic_names(c: &Contact, k: &mut Keys) {
    let (a, b) = (&c.first_phonetic, &c.last_phonetic);
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    k.both(a, b);
}

fn last_name_postcode(c: &Contact, k: &mut Keys) {
    k.both(&c.last_phonetic, &c.postcode);
}

/// A postcode typo or a neighbouring postcode ("NG16 2YP" / "NG16 2YN"): its district.
fn last_name_postcode_area(c: &Contact, k: &mut Keys) {
    k.both(&c.last_phonetic, pre(&c.postcode, 3));
}

fn names_birth_year(c: &Contact, k: &mut Keys) {
    if let Some(d) = c.birth {
        let y = chrono::Datelike::year(&d).to_string();
        k.both(&c.last_phonetic, &y);
        k.both(&c.first_phonetic, &y);
    }
}

fn first_name_postcode(c: &Contact, k: &mut Keys) {
    k.both(&c.first_phonetic, &c.postcode);
}

fn birth_date_names(c: &Contact, k: &mut Keys) {
    if let Some(d) = c.birth {
        let d = d.to_string();
        for n in [&c.first_canon, &c.last] {
            if !n.is_empty() {
                k.parts(&[&d, pre(n, 2)]);
            }
        }
    }
}

fn birth_date_postcode(c: &Contact, k: &mut Keys) {
    if let Some(d) = c.birth {
        k.both(&d.to_string(), &c.postcode);
    }
}

fn address(c: &Contact, k: &mut Keys) {
    if !c.street.is_empty() && !c.street_number.is_empty() {
        k.parts(&[pre(&c.street, 6), &c.street_number, pre(&c.postcode, 3)]);
    }
}

/// The same house in an export that has no postcode column, or left it empty.
fn address_without_postcode(c: &Contact, k: &mut Keys) {
    if !c.street.is_empty() && !c.street_number.is_empty() {
        k.parts(&[pre(&c.street, 6), &c.street_number]);
    }
}

fn company_name(c: &Contact, k: &mut Keys) {
    if !c.company.is_empty() && !c.last.is_empty() {
        k.parts(&[&c.company, &c.last_phonetic]);
    }
}

fn unrecognised_columns(c: &Contact, k: &mut Keys) {
    for (slot, v) in c.extras.iter().enumerate() {
        if v.len() >= 3 {
            k.parts(&[&slot.to_string(), v]);
        }
    }
}

fn organisation(c: &Contact, k: &mut Keys) {
    // Organisations (accounts, sites, restaurants): the name, and its first word with the place.
    if c.flags & crate::normalize::flag::ORGANISATION != 0 && !c.company.is_empty() {
        k.one(&c.company);
        let first = c.company.split(' ').next().unwrap_or("");
        if first.len() >= 3 {
            k.both(first, &c.postcode);
            k.both(first, &c.city);
        }
    }
}

fn birth_date(c: &Contact, k: &mut Keys) {
    if let Some(d) = c.birth {
        k.one(&d.to_string());
    }
}

fn names_attributes(c: &Contact, k: &mut Keys) {
    // Birth place, occupation and the unrecognised columns, with either name's sound.
    for v in c.extras.iter().filter(|v| v.len() >= 3) {
        k.both(&c.first_phonetic, v);
        k.both(&c.last_phonetic, v);
    }
}

fn company_first_name(c: &Contact, k: &mut Keys) {
    if !c.company.is_empty() && !c.first_phonetic.is_empty() {
        k.parts(&[&c.company, &c.first_phonetic]);
    }
}

fn hash_seed(rule: usize) -> u64 {
    0xcbf2_9ce4_8422_2325 ^ (rule as u64).wrapping_mul(0x100_0000_01b3)
}

/// 64-bit FNV-1a of `bytes`, continuing from `h` (start with `0xcbf2_9ce4_8422_2325`). Stable across
/// platforms and versions, so it can be stored.
pub fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// The union of the rules' sorted, duplicate-free lists of packed pairs (`a << 32 | b`), sorted, and
/// for each list the pairs no earlier list holds. Split by first record into ranges merged in
/// parallel: twenty rules over tens of millions of pairs are not folded one by one into a growing list.
fn union(lists: &[Vec<u64>], records: usize) -> (Vec<u64>, Vec<u64>) {
    const RANGES: u64 = 512;
    let step = (records as u64).div_ceil(RANGES).max(1);
    let parts: Vec<(Vec<u64>, Vec<u64>)> = (0..RANGES)
        .into_par_iter()
        .map(|r| {
            let (lo, hi) = ((r * step) << 32, ((r + 1) * step) << 32);
            let mut tagged: Vec<(u64, u16)> = Vec::new();
            for (li, list) in lists.iter().enumerate() {
                let (from, to) = (list.partition_point(|&p| p < lo), list.partition_point(|&p| p < hi));
                tagged.extend(list[from..to].iter().map(|&p| (p, li as u16)));
            }
            // By pair, then list: the first of each pair names the earliest list that has it.
            tagged.sort_unstable();
            let mut new = vec![0u64; lists.len()];
            let mut out = Vec::with_capacity(tagged.len());
            for (p, li) in tagged {
                if out.last() != Some(&p) {
                    out.push(p);
                    new[li as usize] += 1;
                }
            }
            (out, new)
        })
        .collect();
    let mut all = Vec::with_capacity(parts.iter().map(|(p, _)| p.len()).sum());
    let mut new = vec![0u64; lists.len()];
    for (part, counts) in parts {
        all.extend_from_slice(&part);
        new.iter_mut().zip(counts).for_each(|(n, c)| *n += c);
    }
    (all, new)
}

/// Blocks up to this size give all their pairs; larger ones (a common name, a shared local part)
/// give each record's nearest neighbours in [`windows`].
const FULL_BLOCK: usize = 16;
/// [`FULL_BLOCK`] for the exact full name: namesakes in a noisy file often have nothing else to sort by.
const FULL_NAME_BLOCK: usize = 16;
/// [`FULL_BLOCK`] for broad keys shared by many different people (a birth date, a name and a year).
const BROAD_BLOCK: usize = 8;
/// Neighbours paired on each side in each secondary order of a large block.
const WINDOW: usize = 2;

/// Secondary attributes compared as text.
const TEXT_KEYS: usize = 6;

/// A contact's secondary attributes ("" or `None` when missing): postcode (or city), first email, first
/// phone, company, street and the first generic attribute (birth place, occupation, ...), compared as
/// text so that a typo near the end still sorts next to the original; and the birth date.
struct Secondary<'a> {
    text: [&'a str; TEXT_KEYS],
    /// Last name, first name and organisation keys: the only orders of a broad key's block.
    names: [&'a str; 3],
    birth: Option<chrono::NaiveDate>,
}

fn secondary_keys(c: &Contact) -> Secondary<'_> {
    let place = if c.postcode.is_empty() { &c.city } else { &c.postcode };
    Secondary {
        text: [
            place,
            c.emails.first().map_or("", |e| e.key.as_str()),
            c.phones.first().map_or("", |p| p.key.as_str()),
            &c.company,
            &c.street,
            &c.extras[0],
        ],
        birth: c.birth,
        names: [&c.last, &c.first, &c.company],
    }
}

/// Pairs inside a large block: the block is sorted by each secondary attribute in turn, and every
/// record is paired with the next [`WINDOW`] records that have that attribute, when the two values
/// are alike (they begin alike, or two birth dates lie in one year). A duplicate shares the block key
/// *and* usually at least one more attribute, so it sorts next to its twin; the block's thousands of
/// pairs of namesakes that share nothing else are never formed, nor pairs of neighbours in an order
/// whose values have nothing in common. (Sorted neighbourhood, Hernández & Stolfo 1995, applied
/// inside a block.)
fn windows(group: &[(u64, u32)], secondary: &[Secondary], push: &mut impl FnMut(u32, u32)) {
    for k in 0..TEXT_KEYS {
        let order = group.iter().map(|&(_, i)| (secondary[i as usize].text[k], i)).filter(|(v, _)| !v.is_empty());
        neighbours(order.map(sort_key).collect(), push, |x, y| alike(x.1, y.1));
    }
    let births = group.iter().filter_map(|&(_, i)| Some((secondary[i as usize].birth?, i))).collect();
    neighbours(births, push, |x, y| chrono::Datelike::year(x) == chrono::Datelike::year(y));
}

/// A text value with its first eight bytes as a number in front: sorted in the same order as the text
/// alone (a shorter value's missing bytes count as zeros, and equal numbers fall back to the text),
/// with most comparisons settled by the number instead of by comparing the strings.
fn sort_key((v, i): (&str, u32)) -> ((u64, &str), u32) {
    let mut b = [0u8; 8];
    let n = v.len().min(8);
    b[..n].copy_from_slice(&v.as_bytes()[..n]);
    ((u64::from_be_bytes(b), v), i)
}

/// Whether two neighbouring values of a sorted order are alike enough to pair their records: the
/// same first two characters (the first for a one-character value). Neighbours whose values differ
/// from the start are as far apart as any two records of the block.
fn alike(x: &str, y: &str) -> bool {
    let n = 2.min(x.len()).min(y.len());
    x.as_bytes()[..n] == y.as_bytes()[..n]
}

/// Sorts `order` and pairs each record with the next [`WINDOW`] records in it whose values are
/// `alike`.
fn neighbours<K: Ord>(mut order: Vec<(K, u32)>, push: &mut impl FnMut(u32, u32), alike: impl Fn(&K, &K) -> bool) {
    order.sort_unstable();
    for (x, (kx, a)) in order.iter().enumerate() {
        for (ky, b) in order[x + 1..].iter().take(WINDOW) {
            if alike(kx, ky) {
                push(*a, *b);
            }
        }
    }
}

/// Pairs inside a large block of a broad key (a birth date, a name and a year), which holds mostly
/// different people: each record with its next [`WINDOW`] neighbours in last-name, first-name and
/// organisation-name order, so that spelling variants of one name meet.
fn broad_windows(group: &[(u64, u32)], secondary: &[Secondary], push: &mut impl FnMut(u32, u32)) {
    for k in 0..3 {
        let order = group.iter().map(|&(_, i)| (secondary[i as usize].names[k], i)).filter(|(v, _)| !v.is_empty());
        neighbours(order.map(sort_key).collect(), push, |x, y| alike(x.1, y.1));
    }
}

/// Statistics of one rule, for summary.json and the report.
#[derive(Debug, Clone, Serialize)]
pub struct RuleStats {
    pub rule: &'static str,
    /// Pairs the rule produced (before de-duplication across rules).
    pub pairs: u64,
    /// Pairs no earlier rule had found.
    pub new_pairs: u64,
    pub largest_block: usize,
    /// Blocks skipped because they were larger than `max_block_size`.
    pub oversized_blocks: usize,
    /// Records in the skipped blocks.
    pub oversized_records: usize,
}

/// Candidate pairs and how they were found.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// Pairs `(a, b)` with `a < b`, sorted, unique. Emptied once they are scored (the pipeline's
    /// [`crate::score::ScoredPair`]s hold them).
    pub pairs: Vec<(u32, u32)>,
    pub rules: Vec<RuleStats>,
    /// With [`block_changed`]: blocks (of every rule) whose records are all unchanged, not paired again.
    pub unchanged_blocks: u64,
}

/// Runs every rule and returns the de-duplicated candidate pairs. With `link_only`, only pairs of
/// contacts from different sources are kept.
pub fn block(contacts: &[Contact], rules: &[Rule], max_block_size: usize, link_only: bool) -> Candidates {
    block_changed(contacts, rules, max_block_size, link_only, None)
}

/// [`block`], keeping only pairs with a record that `changed` marks (a nightly run: pairs of two
/// unchanged records were scored and clustered before). A block of unchanged records is not paired
/// at all, so a night with few changes costs the keys and their sort, not the pairs.
pub fn block_changed(
    contacts: &[Contact],
    rules: &[Rule],
    max_block_size: usize,
    link_only: bool,
    changed: Option<&[bool]>,
) -> Candidates {
    let secondary: Vec<Secondary> = contacts.par_iter().map(secondary_keys).collect();
    let mut lists: Vec<Vec<u64>> = Vec::new();
    let mut stats = Vec::new();
    let mut skipped = 0;
    for (ri, rule) in rules.iter().enumerate() {
        let keyed = keyed_records(contacts, rule, ri);
        let mut st = RuleStats {
            rule: rule.name,
            pairs: 0,
            new_pairs: 0,
            largest_block: 0,
            oversized_blocks: 0,
            oversized_records: 0,
        };
        let touched = |g: &[(u64, u32)]| changed.is_none_or(|ch| g.iter().any(|&(_, i)| ch[i as usize]));
        let usable = |g: &&[(u64, u32)]| g.len() >= 2 && g.len() <= max_block_size;
        for group in keyed.chunk_by(|a, b| a.0 == b.0) {
            let n = group.len();
            if n > max_block_size {
                st.oversized_blocks += 1;
                st.oversized_records += n;
            } else if n >= 2 {
                st.largest_block = st.largest_block.max(n);
                skipped += u64::from(!touched(group));
            }
        }
        let keep = |a: u32, b: u32| {
            a != b
                && !(link_only && contacts[a as usize].source == contacts[b as usize].source)
                && changed.is_none_or(|ch| ch[a as usize] || ch[b as usize])
        };
        let mut pairs: Vec<u64> = keyed
            .par_chunk_by(|a, b| a.0 == b.0)
            .filter(usable)
            .filter(|g| touched(g))
            .flat_map_iter(|group| block_pairs(group, rule, &secondary, &keep))
            .collect();
        pairs.par_sort_unstable();
        pairs.dedup();
        st.pairs = pairs.len() as u64;
        lists.push(pairs);
        stats.push(st);
    }
    let (all, new) = union(&lists, contacts.len());
    drop(lists);
    stats.iter_mut().zip(new).for_each(|(st, n)| st.new_pairs = n);
    Candidates {
        pairs: all.into_iter().map(|p| ((p >> 32) as u32, p as u32)).collect(),
        rules: stats,
        unchanged_blocks: skipped,
    }
}

/// Every record's keys for rule number `ri`, with the record, sorted by key.
fn keyed_records(contacts: &[Contact], rule: &Rule, ri: usize) -> Vec<(u64, u32)> {
    let mut keyed: Vec<(u64, u32)> = contacts
        .par_iter()
        .enumerate()
        .fold(
            || (Vec::new(), Keys { seed: hash_seed(ri), hashes: Vec::new() }),
            |(mut acc, mut keys): (Vec<(u64, u32)>, Keys), (i, c)| {
                keys.hashes.clear();
                (rule.keys)(c, &mut keys);
                keys.hashes.sort_unstable();
                keys.hashes.dedup();
                acc.extend(keys.hashes.iter().map(|&k| (k, i as u32)));
                (acc, keys)
            },
        )
        .map(|(acc, _)| acc)
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        });
    keyed.par_sort_unstable();
    keyed
}

/// The pairs of one block that `keep` accepts, packed (`a << 32 | b`, `a < b`): all of them in a
/// small block, each record's nearest neighbours in a large one.
fn block_pairs(
    group: &[(u64, u32)],
    rule: &Rule,
    secondary: &[Secondary],
    keep: &(impl Fn(u32, u32) -> bool + Sync),
) -> Vec<u64> {
    let mut out = Vec::new();
    let mut push = |a: u32, b: u32| {
        if keep(a, b) {
            out.push(((a.min(b) as u64) << 32) | a.max(b) as u64);
        }
    };
    if group.len() <= rule.full {
        for (x, &(_, a)) in group.iter().enumerate() {
            for &(_, b) in &group[x + 1..] {
                push(a, b);
            }
        }
    } else if rule.full <= BROAD_BLOCK {
        broad_windows(group, secondary, &mut push);
    } else {
        windows(group, secondary, &mut push);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(first: &str, last: &str, email: &str, source: u16) -> Contact {
        Contact {
            source,
            first: first.into(),
            first_canon: first.into(),
            last: last.into(),
            first_phonetic: crate::normalize::name::phonetic(first).into(),
            last_phonetic: crate::normalize::name::phonetic(last).into(),
            emails: crate::normalize::email::normalize_email(email).into_iter().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn text_orders_sort_as_the_text_does() {
        let values = ["", "a", "a\0", "ab", "abcdefgh", "abcdefghi", "abcdefgh\0", "abcdefgg~", "b", "é", "zz", "a"];
        let mut plain: Vec<(&str, u32)> = values.iter().enumerate().map(|(i, v)| (*v, i as u32 % 3)).collect();
        let mut keyed: Vec<_> = plain.iter().copied().map(sort_key).collect();
        plain.sort_unstable();
        keyed.sort_unstable();
        assert_eq!(plain, keyed.into_iter().map(|((_, v), i)| (v, i)).collect::<Vec<_>>());
    }

    #[test]
    fn the_union_is_sorted_unique_and_credits_the_first_list() {
        let pack = |a: u64, b: u64| a << 32 | b;
        let lists = vec![
            vec![pack(0, 2), pack(0, 5), pack(900, 901)],
            vec![],
            vec![pack(0, 1), pack(0, 5), pack(3, 4), pack(900, 901), pack(999, 1000)],
            vec![pack(3, 4)],
        ];
        let (all, new) = union(&lists, 1001);
        assert_eq!(all, vec![pack(0, 1), pack(0, 2), pack(0, 5), pack(3, 4), pack(900, 901), pack(999, 1000)]);
        assert_eq!(new, vec![3, 0, 3, 0]);
        assert_eq!(union(&[], 0), (vec![], vec![]));
    }

    #[test]
    fn window_neighbours_pair_only_alike_values() {
        let mut pairs = Vec::new();
        let order = vec![("anna.rossi@x.it", 0), ("anna.rosi@x.it", 1), ("marco@y.it", 2), ("zoe@z.it", 3)];
        neighbours(order, &mut |a, b| pairs.push((a, b)), |x, y| alike(x, y));
        assert_eq!(pairs, vec![(1, 0)]);
    }

    #[test]
    fn finds_pairs_by_any_rule_once() {
        let cs = vec![
            contact("anna", "rossi", "anna@x.it", 0),
            contact("anna", "rossi", "other@y.it", 1),
            contact("marco", "bianchi", "anna@x.it", 1),
            contact("luca", "verdi", "luca@z.it", 0),
        ];
        let c = block(&cs, &default_rules(), 300, false);
        assert_eq!(c.pairs, vec![(0, 1), (0, 2)]);
        let c = block(&cs, &default_rules(), 300, true);
        assert_eq!(c.pairs, vec![(0, 1), (0, 2)]);
    }

    #[test]
    fn oversized_blocks_are_skipped_and_reported() {
        let firsts = ["anna", "jan", "marco", "sophie", "budi", "claire", "pablo", "emma", "lukas", "sara"];
        let lasts = ["rossi", "nowak", "bianchi", "weber", "santoso", "dubois", "garcia", "smith", "fischer", "lopez"];
        let people =
            |email: &str| -> Vec<Contact> { (0..10).map(|i| contact(firsts[i], lasts[i], email, 0)).collect() };
        let (cs, cs2) = (people("test@test.com"), people("shared@firm.com"));
        let c = block(&cs2, &default_rules(), 5, false);
        assert!(c.pairs.is_empty());
        let email = c.rules.iter().find(|r| r.rule == "email").unwrap();
        assert_eq!((email.oversized_blocks, email.oversized_records), (1, 10));
        // Placeholder emails are not personal and do not block at all.
        assert!(block(&cs, &default_rules(), 300, false).pairs.is_empty());
    }
}
