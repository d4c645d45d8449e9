//! Step 5a, compare: turn a pair of contacts into a comparison vector of per-field agreement levels.
//!
//! Every comparison has levels `0..=top`: `0` means "no evidence" (a value is missing on either side),
//! `1` a clear disagreement, higher levels closer agreement (fuzzy by Jaro–Winkler/Damerau–Levenshtein,
//! phonetic, nickname-aware, up to exact). Address parts are compared together as one comparison so a
//! shared household address counts once, not five times. A vector packs into a `u64` (4 bits per
//! comparison) so that EM can run over distinct patterns.

use crate::normalize::Contact;

/// One comparison of the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub name: &'static str,
    /// Labels of levels `1..=top` (level 0 is "missing").
    pub levels: &'static [&'static str],
    /// Typical share of each level among random pairs of different people: the prior that u
    /// measured on a small input is shrunk towards (it counts as 1,000 sampled pairs).
    pub u_default: &'static [f64],
    /// Typical share of each level among pairs of records of one person: where EM starts, what a
    /// small input that cannot train keeps, and the prior m learned on the data is shrunk towards
    /// (it counts as [`crate::score::M_PRIOR_PAIRS`] pairs), so a level never seen among this data's
    /// duplicates is rare, not impossible.
    pub m_default: &'static [f64],
}

impl Comparison {
    /// The highest level.
    pub fn top(&self) -> u8 {
        self.levels.len() as u8
    }
}

/// Indexes into [`COMPARISONS`].
pub const FIRST: usize = 0;
pub const LAST: usize = 1;
pub const EMAIL: usize = 2;
pub const PHONE: usize = 3;
pub const BIRTH: usize = 4;
pub const ADDRESS: usize = 5;
pub const LOCALITY: usize = 6;
pub const COMPANY: usize = 7;
/// The top level of [`COMPANY`].
pub const COMPANY_EXACT: u8 = 4;
/// The phone comparison's top vector level: the same number.
pub const PHONE_EXACT: u8 = 4;
pub const NATIONAL_ID: usize = 8;
pub const MIDDLE: usize = 9;
pub const GENDER: usize = 10;
/// The generic comparisons of unrecognised columns ([`crate::normalize::choose_extras`]).
pub const EXTRAS: [usize; crate::normalize::MAX_EXTRAS] = [11, 12, 13];

/// The comparisons of the model, in vector order.
pub const COMPARISONS: [Comparison; 14] = [
    Comparison {
        name: "first_name",
        levels: &[
            "different (Jaro-Winkler < 0.75)",
            "weakly similar (Jaro-Winkler ≥ 0.75)",
            "similar (Jaro-Winkler ≥ 0.88, phonetic, initial, prefix or a nickname in the many-to-many table)",
            "close (Jaro-Winkler ≥ 0.92 or a nickname of the same formal name)",
            "exact",
        ],
        m_default: &[0.02, 0.03, 0.08, 0.12, 0.75],
        u_default: &[0.96, 0.025, 0.01, 0.002, 0.003],
    },
    Comparison {
        name: "last_name",
        levels: &[
            "different (Jaro-Winkler < 0.75)",
            "weakly similar (Jaro-Winkler ≥ 0.75)",
            "similar (Jaro-Winkler ≥ 0.88 or phonetic)",
            "close (Jaro-Winkler ≥ 0.92)",
            "exact",
        ],
        m_default: &[0.02, 0.03, 0.06, 0.09, 0.8],
        u_default: &[0.97, 0.02, 0.004, 0.002, 0.004],
    },
    Comparison {
        name: "email",
        levels: &["different", "same local part (not the person's name), other domain", "exact"],
        m_default: &[0.3, 0.05, 0.65],
        u_default: &[0.99998, 0.00001, 0.00001],
    },
    Comparison {
        name: "phone",
        levels: &[
            "different",
            "same number block (only the last 3 digits differ)",
            "same last 7 digits or one typo",
            "exact E.164",
        ],
        // A number block is rare among duplicates and not rare among different records (colleagues'
        // direct lines): unmeasured, it weighs little either way.
        m_default: &[0.295, 0.005, 0.1, 0.6],
        u_default: &[0.99898, 0.001, 0.00001, 0.00001],
    },
    Comparison {
        name: "birth_date",
        levels: &["more than 5 years apart", "different", "one typo or day/month swapped", "exact"],
        m_default: &[0.02, 0.03, 0.05, 0.9],
        u_default: &[0.9, 0.0985, 0.0014, 0.0001],
    },
    Comparison {
        name: "address",
        levels: &[
            "different",
            "same postcode (up to one typo) or city",
            "similar street",
            "same street and number",
            "exact",
        ],
        m_default: &[0.1, 0.1, 0.05, 0.15, 0.6],
        u_default: &[0.9698, 0.02, 0.01, 0.0001, 0.0001],
    },
    Comparison {
        name: "locality",
        levels: &["different", "similar", "exact"],
        m_default: &[0.1, 0.1, 0.8],
        u_default: &[0.998, 0.001, 0.001],
    },
    Comparison {
        name: "company",
        levels: &[
            "different",
            "similar (Jaro-Winkler ≥ 0.88, half the words or a distinctive word shared)",
            "same words (in any order, or one name inside the other)",
            "exact",
        ],
        m_default: &[0.03, 0.12, 0.15, 0.7],
        u_default: &[0.993, 0.004, 0.0015, 0.0015],
    },
    Comparison {
        name: "national_id",
        levels: &["different", "one typo", "exact"],
        m_default: &[0.02, 0.05, 0.93],
        u_default: &[0.99999, 0.000005, 0.000005],
    },
    Comparison {
        name: "middle_name",
        levels: &["different", "same initial", "exact"],
        m_default: &[0.1, 0.2, 0.7],
        u_default: &[0.85, 0.1, 0.05],
    },
    Comparison { name: "gender", levels: &["different", "same"], m_default: &[0.02, 0.98], u_default: &[0.5, 0.5] },
    Comparison {
        name: "extra_1",
        levels: &["different", "one typo", "exact"],
        m_default: &[0.1, 0.1, 0.8],
        u_default: &[0.95, 0.03, 0.02],
    },
    Comparison {
        name: "extra_2",
        levels: &["different", "one typo", "exact"],
        m_default: &[0.1, 0.1, 0.8],
        u_default: &[0.95, 0.03, 0.02],
    },
    Comparison {
        name: "extra_3",
        levels: &["different", "one typo", "exact"],
        m_default: &[0.1, 0.1, 0.8],
        u_default: &[0.95, 0.03, 0.02],
    },
];

/// Number of comparisons.
pub const N: usize = COMPARISONS.len();

/// A comparison vector: one level per comparison.
pub type Vector = [u8; N];

/// Packs a vector into a `u64` (4 bits per level).
pub fn pack(v: &Vector) -> u64 {
    v.iter().enumerate().fold(0u64, |acc, (i, &l)| acc | ((l as u64) << (4 * i)))
}

/// Unpacks [`pack`].
pub fn unpack(p: u64) -> Vector {
    let mut v = [0u8; N];
    for (i, l) in v.iter_mut().enumerate() {
        *l = ((p >> (4 * i)) & 0xF) as u8;
    }
    v
}

/// Jaro–Winkler similarity, exactly as [`strsim::jaro_winkler`], without its allocation and
/// quadratic scan for ASCII strings of up to 64 bytes (almost every name, street and company key):
/// this runs several times for each of tens of millions of candidate pairs.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !(a.is_ascii() && b.is_ascii() && x.len() <= 64 && y.len() <= 64) {
        return strsim::jaro_winkler(a, b);
    }
    let sim = jaro_ascii(x, y);
    if sim > 0.7 {
        let prefix = x.iter().take(4).zip(y).take_while(|(p, q)| p == q).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// [`jaro_winkler`] when it can reach `floor`, else 0: an upper bound from the letters the two
/// strings have in common (Jaro counts at most that many matches) rules most pairs of different
/// names out in a few steps, so the full measure runs only for the rest. Every threshold at or above
/// `floor` decides exactly as with [`jaro_winkler`].
pub fn jaro_winkler_from(a: &str, b: &str, floor: f64) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.is_empty() || y.is_empty() || x.len() > 255 || !(a.is_ascii() && b.is_ascii()) {
        return jaro_winkler(a, b);
    }
    // Bytes counted by their low five bits: letters of either case fall apart, anything that shares a
    // bucket only loosens the bound.
    let mut counts = [0u8; 32];
    for &c in x {
        counts[(c & 31) as usize] += 1;
    }
    let mut common = 0usize;
    for &c in y {
        let k = &mut counts[(c & 31) as usize];
        if *k > 0 {
            *k -= 1;
            common += 1;
        }
    }
    let m = common as f64;
    let jaro_max = if common == 0 { 0.0 } else { (m / x.len() as f64 + m / y.len() as f64 + 1.0) / 3.0 };
    let prefix = x.iter().take(4).zip(y).take_while(|(p, q)| p == q).count();
    if jaro_max + 0.1 * prefix as f64 * (1.0 - jaro_max) < floor {
        0.0
    } else {
        jaro_winkler(a, b)
    }
}

/// Jaro similarity of two ASCII strings of at most 64 bytes; matched positions are bits of a `u64`.
#[allow(clippy::needless_range_loop)] // indices are the algorithm here
fn jaro_ascii(a: &[u8], b: &[u8]) -> f64 {
    let (al, bl) = (a.len(), b.len());
    if al == 0 && bl == 0 {
        return 1.0;
    } else if al == 0 || bl == 0 {
        return 0.0;
    }
    let range = (al.max(bl) / 2).saturating_sub(1);
    let (mut af, mut bf) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &c) in a.iter().enumerate() {
        for j in i.saturating_sub(range)..(i + range + 1).min(bl) {
            if bf & (1 << j) == 0 && b[j] == c {
                af |= 1 << i;
                bf |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0;
    for (i, &c) in a.iter().enumerate() {
        if af & (1 << i) != 0 {
            while bf & (1 << j) == 0 {
                j += 1;
            }
            if c != b[j] {
                transpositions += 1;
            }
            j += 1;
        }
    }
    transpositions /= 2;
    ((matches as f64 / al as f64) + (matches as f64 / bl as f64) + ((matches - transpositions) as f64 / matches as f64))
        / 3.0
}

/// `strsim::osa_distance(a, b) <= 1` (equal, or one substitution, insertion, deletion or swap of
/// neighbours) in one pass without allocating, for ASCII strings.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    if !(a.is_ascii() && b.is_ascii()) {
        return strsim::osa_distance(a, b) <= 1;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if l.len() - s.len() > 1 {
        return false;
    }
    let p = s.iter().zip(l).take_while(|(x, y)| x == y).count();
    if s.len() == l.len() {
        p == s.len()
            || s[p + 1..] == l[p + 1..]
            || (p + 1 < s.len() && s[p] == l[p + 1] && s[p + 1] == l[p] && s[p + 2..] == l[p + 2..])
    } else {
        s[p..] == l[p + 1..]
    }
}

/// Levels of a name comparison (see [`COMPARISONS`]).
pub mod name_levels {
    pub const DIFFERENT: u8 = 1;
    pub const WEAK: u8 = 2;
    pub const SIMILAR: u8 = 3;
    pub const CLOSE: u8 = 4;
    pub const EXACT: u8 = 5;
}

/// `first`: both are first names, so the many-to-many nickname table applies.
fn name_level(a: &str, b: &str, canon_a: &str, canon_b: &str, phon_a: &str, phon_b: &str, first: bool) -> u8 {
    use name_levels::*;
    if a == b {
        return EXACT;
    }
    // Müller / Mueller: only worth folding when the lengths differ and an "e" is there to fold.
    if a.len() != b.len()
        && a.len().abs_diff(b.len()) <= 3
        && (a.contains('e') || b.contains('e'))
        && crate::normalize::name::umlaut_eq(a, b)
    {
        return EXACT;
    }
    if !canon_a.is_empty() && canon_a == canon_b {
        return CLOSE;
    }
    // Typos in a formal name still match its nickname: "Bill" / "Willliam".
    let jw = if canon_a != a || canon_b != b {
        jaro_winkler_from(a, b, 0.75).max(jaro_winkler_from(canon_a, canon_b, 0.75))
    } else {
        jaro_winkler_from(a, b, 0.75)
    };
    if jw >= 0.92 {
        return CLOSE;
    }
    let initial = (a.len() == 1 || b.len() == 1) && a.as_bytes()[0] == b.as_bytes()[0];
    let prefix = a.len() >= 3 && b.len() >= 3 && (a.starts_with(b) || b.starts_with(a));
    // Sound-alikes of similar length (Meyer/Maier), not Jan/Joanna.
    let phonetic = !phon_a.is_empty() && phon_a == phon_b && a.len().abs_diff(b.len()) <= 2;
    // A nickname in the many-to-many table (Harry/Henry, Al/Alfred) is as weak as a sound-alike: many
    // of them stand for several names.
    let nickname = || first && crate::normalize::name::is_nickname_pair(a, b);
    if jw >= 0.88 || initial || prefix || phonetic || nickname() {
        SIMILAR
    } else if jw >= 0.75 {
        WEAK
    } else {
        DIFFERENT
    }
}

/// The first and last name levels, trying swapped first/last names too.
fn names(a: &Rec, b: &Rec) -> (u8, u8) {
    let lvl = |x: &str, y: &str, cx: &str, cy: &str, px: &str, py: &str, first: bool| {
        if x.is_empty() || y.is_empty() {
            0
        } else {
            name_level(x, y, cx, cy, px, py, first)
        }
    };
    // One name only on each side, in different columns ("Sukarno" as a surname here, as a first name
    // there — mononyms, or a sign-up form with a single name box): compare the two names.
    let single = |c: &Rec| c.first.is_empty() != c.last.is_empty();
    if single(a) && single(b) && a.first.is_empty() != b.first.is_empty() {
        let (x, px) = if a.first.is_empty() { (a.last, a.last_phonetic) } else { (a.first, a.first_phonetic) };
        let (y, py) = if b.first.is_empty() { (b.last, b.last_phonetic) } else { (b.first, b.first_phonetic) };
        return (0, name_level(x, y, x, y, px, py, false));
    }
    let first = lvl(a.first, b.first, a.first_canon, b.first_canon, a.first_phonetic, b.first_phonetic, true);
    let last = lvl(a.last, b.last, a.last, b.last, a.last_phonetic, b.last_phonetic, false);
    if first >= name_levels::CLOSE && last >= name_levels::CLOSE {
        return (first, last);
    }
    // Swapped first and last names; the second comparison only runs when the first one is close.
    // A two-word surname typed into the first-name box ("De Luca") was split into a first and a
    // middle name: glued again, it is the other's surname.
    let glued = |first: &str, middle: &str, last: &str| {
        !middle.is_empty()
            && last.len() == first.len() + middle.len()
            && last.starts_with(first)
            && last.ends_with(middle)
    };
    let sf = if glued(a.first, a.middle, b.last) {
        name_levels::EXACT
    } else {
        lvl(a.first, b.last, a.first_canon, b.last, a.first_phonetic, b.last_phonetic, false)
    };
    if sf < name_levels::CLOSE {
        return (first, last);
    }
    let sl = if glued(b.first, b.middle, a.last) {
        name_levels::EXACT
    } else {
        lvl(a.last, b.first, a.last, b.first_canon, a.last_phonetic, b.first_phonetic, false)
    };
    if sl >= name_levels::CLOSE && sf + sl > first + last {
        (sf, sl)
    } else {
        (first, last)
    }
}

fn exact_fuzzy(a: &str, b: &str, jw_min: f64) -> u8 {
    if a.is_empty() || b.is_empty() {
        0
    } else if a == b {
        3
    } else if jaro_winkler_from(a, b, jw_min) >= jw_min {
        2
    } else {
        1
    }
}

/// Organisation names: exact; the same words in another order, or all the words of one inside the
/// other ("banco santander" / "banco santander madrid"); similar spelling or half the words shared.
fn company_level(a: &str, b: &str) -> u8 {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    if a == b {
        return COMPANY_EXACT;
    }
    // Each name's words split once, on the stack: this runs for every candidate pair.
    let (wa, wb): (Words, Words) = (a.split(' ').collect(), b.split(' ').collect());
    let shared = wa.iter().filter(|w| wb.contains(w)).count();
    let (short, long) = (wa.len().min(wb.len()), wa.len().max(wb.len()));
    // One word inside a longer name says little ("cafe" in "cafe bizou"): the shorter needs two words
    // or a long one.
    let inside = shared == short && (short >= 2 || a.len().min(b.len()) >= 6);
    if inside {
        return 3;
    }
    let jw = jaro_winkler_from(a, b, 0.88);
    // A shared word that is not a kind of organisation ("firman" in "Firman Pre-School West" and
    // "Firman Community Services - Firman House West"): related, not clearly different.
    // Also written together in the other name ("paulo freire" / "paulofreire", "de priest" /
    // "depriest", "bunny land" / "bunnyland").
    let distinctive = || {
        let words = crate::schema::organisation_words();
        let shared = wa.iter().any(|w| w.len() >= 4 && wb.contains(w) && !words.contains(*w));
        // Two neighbouring words of one name written as one word of the other.
        let joined = |x: &[&str], y: &[&str]| {
            x.windows(2).any(|pq| {
                y.iter().any(|w| w.len() == pq[0].len() + pq[1].len() && w.starts_with(pq[0]) && w.ends_with(pq[1]))
            })
        };
        shared || joined(&wa, &wb) || joined(&wb, &wa)
    };
    if jw >= 0.95 {
        3
    } else if jw >= 0.88 || shared * 2 >= long || distinctive() {
        2
    } else {
        1
    }
}

/// The words of a name, kept on the stack for names of up to eight words.
type Words<'a> = smallvec::SmallVec<[&'a str; 8]>;

fn typo_level(a: &str, b: &str) -> u8 {
    if a.is_empty() || b.is_empty() {
        0
    } else if a == b {
        3
    } else if within_one_edit(a, b) {
        2
    } else {
        1
    }
}

/// Whether an email local part is made from the person's own name (`anna.rossi`, `arossi`, `rossi84`):
/// then two such addresses at different domains repeat the name comparison and are no evidence of
/// their own — namesakes have them too.
fn name_derived(local: &str, c: &Rec) -> bool {
    let letters: smallvec::SmallVec<[u8; 64]> = local.bytes().filter(u8::is_ascii_alphabetic).collect();
    [c.last, c.first].iter().any(|n| n.len() >= 3 && letters.windows(n.len()).any(|w| w == n.as_bytes()))
}

/// Whether the address two records share names neither or only one of their (full, clearly different)
/// first names. An initial ("B." for Bill) cannot tell, so it never makes a mailbox shared.
fn shared_mailbox(a: &Rec, b: &Rec) -> bool {
    if a.first.len() < 3 || b.first.len() < 3 {
        return false;
    }
    let Some(local) = a.emails().find(|x| b.emails().any(|y| y == *x)).map(local) else {
        return false;
    };
    let letters: String = local.chars().filter(char::is_ascii_alphabetic).collect();
    let named = |c: &Rec| letters.contains(c.first) || letters.contains(c.first_canon);
    !(named(a) && named(b))
}

/// The part before `@` of an email key.
fn local(key: &str) -> &str {
    key.split('@').next().unwrap_or("")
}

fn email_level(a: &Rec, b: &Rec) -> u8 {
    let mut best = 0u8;
    for x in a.emails() {
        for y in b.emails() {
            let l = if x == y {
                3
            } else if local(x) == local(y) && local(x).len() >= 4 {
                if name_derived(local(x), a) || name_derived(local(y), b) {
                    0
                } else {
                    2
                }
            } else {
                1
            };
            // "Different" only when no other pair of addresses says more.
            best = match (best, l) {
                (0, 0) => 0,
                (b, l) => b.max(l),
            };
        }
    }
    best
}

fn phone_level(a: &Rec, b: &Rec) -> u8 {
    let mut best = 0u8;
    for x in a.phones() {
        for y in b.phones() {
            let ((x, ex), (y, ey)) = (x.split_once('x').unwrap_or((x, "")), y.split_once('x').unwrap_or((y, "")));
            let (dx, dy) = (digits_tail(x), digits_tail(y));
            let l = if x == y && !ex.is_empty() && !ey.is_empty() && ex != ey {
                // One switchboard, two extensions: two lines of one organisation, like a block.
                2
            } else if x == y {
                PHONE_EXACT
            } else if dx.len() >= 7 && dx == dy || within_one_edit(x, y) {
                3
            } else if same_block(x, y) {
                // Lines of one switchboard (an organisation's direct-dial range); the model measures
                // how often that means the same record.
                2
            } else {
                1
            };
            best = best.max(l);
        }
    }
    best
}

/// Two numbers of one switchboard's block: they differ only in their last 3 digits — the whole
/// numbers when both are written alike (the same length, at least 7 digits), else their last 7 digits
/// (one written with its country or area code, one without, as the level above compares them).
fn same_block(x: &str, y: &str) -> bool {
    let (x, y) = (x.trim_start_matches('+'), y.trim_start_matches('+'));
    if x.len() == y.len() {
        x.len() >= 7 && x[..x.len() - 3] == y[..y.len() - 3]
    } else {
        let (tx, ty) = (digits_tail(x), digits_tail(y));
        tx.len() == 7 && ty.len() == 7 && tx[..4] == ty[..4]
    }
}

fn digits_tail(s: &str) -> &str {
    let d = s.trim_start_matches('+');
    &d[d.len().saturating_sub(7)..]
}

fn birth_level(a: &Rec, b: &Rec) -> u8 {
    match (a.birth, b.birth) {
        (Some(x), Some(y)) if x == y => 4,
        (Some(x), Some(y)) => {
            use chrono::Datelike;
            let swapped = x.year() == y.year() && x.month() == y.day() && x.day() == y.month();
            if swapped || date_digit_edits(x, y) <= 1 {
                3
            } else if x.year().abs_diff(y.year()) <= 5 {
                // Siblings, or a date typed wrongly in more than one digit.
                2
            } else {
                // A parent and a child, or someone else altogether: the level the model can weigh
                // as a conflict.
                1
            }
        }
        _ => 0,
    }
}

/// Typing edits between two dates written as `YYYYMMDD`: differing digits, with a swap of two
/// neighbouring digits counted as one edit (no allocation: this runs for every candidate pair).
fn date_digit_edits(x: chrono::NaiveDate, y: chrono::NaiveDate) -> usize {
    use chrono::Datelike;
    let digits = |d: chrono::NaiveDate| {
        let v = d.year().rem_euclid(10_000) as u32 * 10_000 + d.month() * 100 + d.day();
        let mut out = [0u8; 8];
        let mut v = v;
        for slot in out.iter_mut().rev() {
            *slot = (v % 10) as u8;
            v /= 10;
        }
        out
    };
    let (a, b) = (digits(x), digits(y));
    let mut edits = 0;
    let mut i = 0;
    while i < 8 {
        if a[i] != b[i] {
            if i + 1 < 8 && a[i] == b[i + 1] && a[i + 1] == b[i] {
                i += 1;
            }
            edits += 1;
        }
        i += 1;
    }
    edits
}

fn address_level(a: &Rec, b: &Rec) -> u8 {
    let has = |c: &Rec| !c.street.is_empty() || !c.postcode.is_empty() || !c.city.is_empty();
    if !has(a) || !has(b) {
        return 0;
    }
    let both = |x: &str, y: &str| !x.is_empty() && !y.is_empty();
    let same = |x: &str, y: &str| both(x, y) && x == y;
    // A postcode with one typo ("DN21 2QE" / "DN21 2QX") is the same place, or next door.
    let postcode_close = both(a.postcode, b.postcode) && within_one_edit(a.postcode, b.postcode);
    let place = postcode_close || same(a.city, b.city);
    let place_conflict = both(a.postcode, b.postcode) && !postcode_close && !(both(a.city, b.city) && a.city == b.city);
    let street_same = same(a.street, b.street);
    let street_close = both(a.street, b.street) && (street_same || jaro_winkler_from(a.street, b.street, 0.88) >= 0.88);
    let number_same =
        same(a.street_number, b.street_number) || (a.street_number.is_empty() && b.street_number.is_empty());
    if place_conflict {
        1
    } else if street_same && number_same {
        5
    } else if street_close && number_same {
        4
    } else if street_close || (place && both(a.street, b.street) && same(a.street_number, b.street_number)) {
        3
    } else if place {
        2
    } else {
        1
    }
}

/// The values [`compare`] reads of one record, borrowed: from a [`Contact`] ([`Rec::new`]) or from a
/// [`Table`] row.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rec<'a> {
    pub first: &'a str,
    pub first_canon: &'a str,
    pub middle: &'a str,
    pub last: &'a str,
    pub first_phonetic: &'a str,
    pub last_phonetic: &'a str,
    /// Keys of the personal emails ([`crate::normalize::email::Email::personal`]), one per line.
    emails: &'a str,
    /// Phone keys, one per line.
    phones: &'a str,
    pub company: &'a str,
    pub street: &'a str,
    pub street_number: &'a str,
    pub street2: &'a str,
    pub city: &'a str,
    pub postcode: &'a str,
    pub gender: &'a str,
    pub national_id: &'a str,
    pub extras: [&'a str; crate::normalize::MAX_EXTRAS],
    pub birth: Option<chrono::NaiveDate>,
}

/// Text fields of a [`Rec`], in [`Rec::texts`] order.
const TEXTS: usize = 16 + crate::normalize::MAX_EXTRAS;

impl<'a> Rec<'a> {
    /// `c`'s values, with its personal email keys and its phone keys joined by [`emails_of`] and
    /// [`phones_of`].
    pub fn new(c: &'a Contact, emails: &'a str, phones: &'a str) -> Rec<'a> {
        Rec {
            first: &c.first,
            first_canon: &c.first_canon,
            middle: &c.middle,
            last: &c.last,
            first_phonetic: &c.first_phonetic,
            last_phonetic: &c.last_phonetic,
            emails,
            phones,
            company: &c.company,
            street: &c.street,
            street_number: &c.street_number,
            street2: &c.street2,
            city: &c.city,
            postcode: &c.postcode,
            gender: c.gender.map_or("", crate::normalize::name::Gender::key),
            national_id: &c.national_id,
            extras: [&c.extras[0], &c.extras[1], &c.extras[2]],
            birth: c.birth,
        }
    }
    fn texts(&self) -> [&'a str; TEXTS] {
        let [x, y, z] = self.extras;
        [
            self.first,
            self.first_canon,
            self.middle,
            self.last,
            self.first_phonetic,
            self.last_phonetic,
            self.emails,
            self.phones,
            self.company,
            self.street,
            self.street_number,
            self.street2,
            self.city,
            self.postcode,
            self.gender,
            self.national_id,
            x,
            y,
            z,
        ]
    }
    fn from_texts(t: [&'a str; TEXTS], birth: Option<chrono::NaiveDate>) -> Rec<'a> {
        Rec {
            first: t[0],
            first_canon: t[1],
            middle: t[2],
            last: t[3],
            first_phonetic: t[4],
            last_phonetic: t[5],
            emails: t[6],
            phones: t[7],
            company: t[8],
            street: t[9],
            street_number: t[10],
            street2: t[11],
            city: t[12],
            postcode: t[13],
            gender: t[14],
            national_id: t[15],
            extras: [t[16], t[17], t[18]],
            birth,
        }
    }
    /// Personal email keys.
    pub fn emails(&self) -> impl Iterator<Item = &'a str> {
        self.emails.split('\n').filter(|e| !e.is_empty())
    }
    /// Phone keys.
    pub fn phones(&self) -> impl Iterator<Item = &'a str> {
        self.phones.split('\n').filter(|p| !p.is_empty())
    }
}

/// `c`'s personal email keys, one per line (borrowed when there is one).
pub fn emails_of(c: &Contact) -> std::borrow::Cow<'_, str> {
    lines(c.personal_emails().map(|e| e.key.as_str()))
}

/// `c`'s phone keys, one per line (borrowed when there is one), each with its extension after an `x`
/// when it has one (`+4930123456x12`: one line of a switchboard).
pub fn phones_of(c: &Contact) -> std::borrow::Cow<'_, str> {
    if c.phones.iter().all(|p| p.extension.is_empty()) {
        return lines(c.phones.iter().map(|p| p.key.as_str()));
    }
    let keyed: Vec<String> = c
        .phones
        .iter()
        .map(|p| if p.extension.is_empty() { p.key.to_string() } else { format!("{}x{}", p.key, p.extension) })
        .collect();
    keyed.join("\n").into()
}

fn lines<'a>(mut items: impl Iterator<Item = &'a str>) -> std::borrow::Cow<'a, str> {
    match (items.next(), items.next()) {
        (None, _) => "".into(),
        (Some(one), None) => one.into(),
        (Some(x), Some(y)) => {
            let mut s = format!("{x}\n{y}");
            for z in items {
                s.push('\n');
                s.push_str(z);
            }
            s.into()
        }
    }
}

/// Where one record's values lie in [`Table::text`]: its start and the end of each value after it.
#[derive(Debug, Clone, Copy)]
struct Head {
    start: u64,
    ends: [u16; TEXTS],
    birth: Option<chrono::NaiveDate>,
}

/// What [`compare`] reads of every record, packed: each record's values side by side in one buffer, the
/// records in name order. Comparing tens of millions of pairs is bound by memory latency, and a
/// [`Contact`] spreads those values over ten cache lines and separate email and phone allocations;
/// here one record takes two or three neighbouring lines, and a pair of records that share a name (or
/// its sound) usually lies close together.
pub struct Table {
    text: String,
    heads: Vec<Head>,
    /// Place of each contact in `heads`.
    place: Vec<u32>,
}

impl Table {
    pub fn new(contacts: &[Contact]) -> Table {
        Table::for_records(contacts, None)
    }

    /// A table holding the values of the records `needed` marks (all with `None`); the others are
    /// there without values, for comparing only pairs of marked records (a nightly run compares a few
    /// pairs of a million records).
    pub fn for_records(contacts: &[Contact], needed: Option<&[bool]>) -> Table {
        use rayon::prelude::*;
        let n = contacts.len();
        // By the first eight bytes of each sound (Double Metaphone codes are shorter): the same order
        // as the codes themselves, sorted without reaching into every record at each comparison.
        let head = |s: &str| {
            let mut b = [0u8; 8];
            let n = s.len().min(8);
            b[..n].copy_from_slice(&s.as_bytes()[..n]);
            u64::from_be_bytes(b)
        };
        let mut keyed: Vec<(u64, u64, u32)> = contacts
            .par_iter()
            .enumerate()
            .map(|(i, c)| (head(&c.last_phonetic), head(&c.first_phonetic), i as u32))
            .collect();
        keyed.par_sort_unstable();
        let order: Vec<u32> = keyed.into_iter().map(|(_, _, i)| i).collect();
        let mut place = vec![0u32; n];
        for (r, &i) in order.iter().enumerate() {
            place[i as usize] = r as u32;
        }
        const CHUNK: usize = 16_384;
        let parts: Vec<(String, Vec<Head>)> = order
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut text = String::new();
                let mut heads = Vec::with_capacity(chunk.len());
                for &i in chunk {
                    let start = text.len();
                    if needed.is_some_and(|n| !n[i as usize]) {
                        heads.push(Head { start: start as u64, ends: [0; TEXTS], birth: None });
                        continue;
                    }
                    let c = &contacts[i as usize];
                    let (emails, phones) = (emails_of(c), phones_of(c));
                    let mut ends = [0u16; TEXTS];
                    for (end, value) in ends.iter_mut().zip(Rec::new(c, &emails, &phones).texts()) {
                        // A record's values beyond 64 KB (never seen in a real export) are left out.
                        if text.len() - start + value.len() <= u16::MAX as usize {
                            text.push_str(value);
                        }
                        *end = (text.len() - start) as u16;
                    }
                    heads.push(Head { start: start as u64, ends, birth: c.birth });
                }
                (text, heads)
            })
            .collect();
        let mut text = String::with_capacity(parts.iter().map(|(t, _)| t.len()).sum());
        let mut heads = Vec::with_capacity(n);
        for (t, hs) in parts {
            let offset = text.len() as u64;
            text.push_str(&t);
            heads.extend(hs.into_iter().map(|h| Head { start: h.start + offset, ..h }));
        }
        Table { text, heads, place }
    }
    /// The place of contact `i` (records of one name are in neighbouring places).
    pub fn place(&self, i: u32) -> u32 {
        self.place[i as usize]
    }
    /// Contact `i`.
    pub fn get(&self, i: u32) -> Rec<'_> {
        self.at(self.place(i))
    }
    /// The record at place `r`.
    pub fn at(&self, r: u32) -> Rec<'_> {
        let h = &self.heads[r as usize];
        let s = &self.text[h.start as usize..];
        let mut texts = [""; TEXTS];
        let mut from = 0;
        for (t, &end) in texts.iter_mut().zip(&h.ends) {
            *t = &s[from..end as usize];
            from = end as usize;
        }
        Rec::from_texts(texts, h.birth)
    }
}

/// Compares two contacts.
pub fn compare(a: &Contact, b: &Contact) -> Vector {
    let (ea, pa, eb, pb) = (emails_of(a), phones_of(a), emails_of(b), phones_of(b));
    compare_recs(&Rec::new(a, &ea, &pa), &Rec::new(b, &eb, &pb))
}

/// [`compare`] of two records as [`Table`] holds them.
pub fn compare_recs(a: &Rec, b: &Rec) -> Vector {
    let mut v = [0u8; N];
    let (f, l) = names(a, b);
    v[FIRST] = f;
    v[LAST] = l;
    v[EMAIL] = email_level(a, b);
    if v[EMAIL] == 3 && v[FIRST] == name_levels::DIFFERENT && shared_mailbox(a, b) {
        // A family or team address ("familie.jansen@", or John using "mary.smith@"), not proof of one
        // person: it counts as a shared local part, so the first-name conflict still stands.
        v[EMAIL] = 2;
    }
    v[PHONE] = phone_level(a, b);
    v[BIRTH] = birth_level(a, b);
    v[ADDRESS] = address_level(a, b);
    v[LOCALITY] = exact_fuzzy(a.street2, b.street2, 0.88);
    v[COMPANY] = company_level(a.company, b.company);
    v[NATIONAL_ID] = typo_level(a.national_id, b.national_id);
    for (slot, &i) in EXTRAS.iter().enumerate() {
        let (x, y) = (&a.extras[slot], &b.extras[slot]);
        v[i] = if x.len() >= 4 || y.len() >= 4 { typo_level(x, y) } else { exact_fuzzy(x, y, 1.1) };
    }
    v[GENDER] = match (a.gender, b.gender) {
        ("", _) | (_, "") => 0,
        (x, y) if x == y => 2,
        _ => 1,
    };
    v[MIDDLE] = if a.middle.is_empty() || b.middle.is_empty() {
        0
    } else if a.middle == b.middle {
        3
    } else if a.middle.as_bytes()[0] == b.middle.as_bytes()[0] {
        2
    } else {
        1
    };
    v
}

/// The value a comparison looks at, for explanations in the review queue (names as written, in
/// display case; other fields as normalized).
pub fn describe(c: &Contact, comparison: usize) -> String {
    match comparison {
        FIRST => {
            if c.display_name[0].is_empty() {
                c.first.to_string()
            } else {
                c.display_name[0].to_string()
            }
        }
        LAST => {
            if c.display_name[2].is_empty() {
                c.last.to_string()
            } else {
                c.display_name[2].to_string()
            }
        }
        EMAIL => c.emails.iter().map(|e| e.address.as_str()).collect::<Vec<_>>().join("; "),
        PHONE => c
            .phones
            .iter()
            .map(|p| if p.extension.is_empty() { p.key.to_string() } else { format!("{} ext. {}", p.key, p.extension) })
            .collect::<Vec<_>>()
            .join("; "),
        BIRTH => c.birth.map(|d| d.to_string()).unwrap_or_default(),
        ADDRESS => [c.street_number.as_str(), c.street.as_str(), c.postcode.as_str(), c.city.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" "),
        LOCALITY => c.street2.to_string(),
        COMPANY => c.company.to_string(),
        NATIONAL_ID => c.national_id.to_string(),
        MIDDLE => c.middle.to_string(),
        GENDER => c.gender.map_or("", crate::normalize::name::Gender::key).to_string(),
        i if EXTRAS.contains(&i) => c.extras[i - EXTRAS[0]].to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The fast paths give exactly what strsim gives, on short and long, ASCII and other strings.
        #[test]
        fn fast_string_measures_agree_with_strsim(a in "[abcdeé]{0,12}|[a-z]{50,70}", b in "[abcdeé]{0,12}|[a-z]{50,70}") {
            prop_assert_eq!(jaro_winkler(&a, &b).to_bits(), strsim::jaro_winkler(&a, &b).to_bits());
            prop_assert_eq!(within_one_edit(&a, &b), strsim::osa_distance(&a, &b) <= 1);
            let jw = strsim::jaro_winkler(&a, &b);
            for floor in [0.75, 0.88, 0.92] {
                let bounded = jaro_winkler_from(&a, &b, floor);
                prop_assert!(bounded == jw || (bounded == 0.0 && jw < floor), "{a} {b} {floor}: {bounded} {jw}");
            }
        }
    }

    #[test]
    fn fast_string_measures_on_names() {
        let names = ["martha", "marhta", "dwayne", "duane", "dixon", "dicksonx", "anna", "ana", "jon", "john", "", "a"];
        for a in names {
            for b in names {
                assert_eq!(jaro_winkler(a, b).to_bits(), strsim::jaro_winkler(a, b).to_bits(), "{a} {b}");
                assert_eq!(within_one_edit(a, b), strsim::osa_distance(a, b) <= 1, "{a} {b}");
            }
        }
    }

    use super::*;
    use crate::normalize::{email::normalize_email, name};

    /// A contact as normalize makes it: two words in the first-name box are a first and a middle name,
    /// a surname's words are written together.
    fn person(first: &str, last: &str) -> Contact {
        let f = name::name_key(first);
        let (f, m) = f.split_once(' ').map_or((f.clone(), String::new()), |(x, y)| (x.to_string(), y.to_string()));
        let l = name::name_key(last).replace(' ', "");
        let fc = name::canonical_first(&f).to_string();
        Contact {
            first_phonetic: name::phonetic(&fc).into(),
            last_phonetic: name::phonetic(&l).into(),
            first: f.into(),
            first_canon: fc.into(),
            middle: m.into(),
            last: l.into(),
            ..Default::default()
        }
    }

    #[test]
    fn phone_levels() {
        let with = |keys: &[&str]| Contact {
            phones: keys
                .iter()
                .map(|k| crate::normalize::phone::Phone { key: (*k).into(), valid: true, extension: "".into() })
                .collect(),
            ..Default::default()
        };
        let level = |a: &[&str], b: &[&str]| compare(&with(a), &with(b))[PHONE];
        assert_eq!(level(&["+13125639796"], &["+13125639796"]), PHONE_EXACT);
        assert_eq!(level(&["+13125639796"], &["+13125639769"]), 3, "one typo (a transposition)");
        assert_eq!(level(&["+13125639796"], &["+17735639796"]), 3, "same last 7 digits");
        assert_eq!(level(&["+13128507000"], &["+13128507176"]), 2, "one switchboard's block");
        assert_eq!(level(&["+13125639796"], &["+13125630644"]), 1, "the same exchange is not a block");
        assert_eq!(level(&["+13128507000"], &["8507176"]), 2, "one with its codes, one without");
        assert_eq!(level(&["+13125639796"], &["5630644"]), 1);
        assert_eq!(level(&["+13125630644", "+13128507000"], &["+13128507176"]), 2, "the best pair of numbers");
        assert_eq!(level(&[], &["+13128507176"]), 0, "missing");
        let ext = |key: &str, extension: &str| Contact {
            phones: vec![crate::normalize::phone::Phone { key: key.into(), valid: true, extension: extension.into() }],
            ..Default::default()
        };
        let level = |a: &Contact, b: &Contact| compare(a, b)[PHONE];
        let (desk_12, desk_34) = (ext("+13128507000", "12"), ext("+13128507000", "34"));
        assert_eq!(level(&desk_12, &desk_34), 2, "two extensions of one switchboard are two lines");
        assert_eq!(level(&desk_12, &ext("+13128507000", "12")), PHONE_EXACT);
        assert_eq!(level(&desk_12, &ext("+13128507000", "")), PHONE_EXACT, "an extension left out");
        assert_eq!(level(&desk_12, &ext("+13128507176", "12")), 2, "the block, whatever the extension");
    }

    #[test]
    fn name_levels() {
        let cases = [
            (("Anna", "Rossi"), ("Anna", "Rossi"), (5, 5)),
            (("Bob", "Smith"), ("Robert", "Smith"), (4, 5)),
            (("Kasia", "Nowak"), ("Katarzyna", "Nowak"), (4, 5)),
            (("Jürgen", "Müller"), ("Juergen", "Mueller"), (5, 5)),
            (("Raquel", "Moreno"), ("Raqnel", "Moreno"), (4, 5)),
            (("Bill", "Mitchell"), ("Willliam", "Mitchell"), (4, 5)),
            (("Jon", "Smyth"), ("John", "Smith"), (4, 3)),
            (("J", "Smith"), ("John", "Smith"), (3, 5)),
            (("Smith", "John"), ("John", "Smith"), (5, 5)),
            (("Jan", "Kowalski"), ("Joanna", "Kowalski"), (2, 5)),
            (("Mary", "Smith"), ("John", "Smith"), (1, 5)),
            (("", "Smith"), ("John", "Smith"), (0, 5)),
            (("", "Sukarno"), ("Sukarno", ""), (0, 5)),
            (("Mitzi", "Cole"), ("Mary", "Cole"), (3, 5)),
            (("Anna", "Mitzi"), ("Anna", "Mary"), (5, 1)),
            (("De Luca", "Giorgio"), ("Giorgio", "De Luca"), (5, 5)),
            (("Giorgio", "De Luca"), ("De Luca", "Giorgio"), (5, 5)),
        ];
        for ((f1, l1), (f2, l2), want) in cases {
            let v = compare(&person(f1, l1), &person(f2, l2));
            assert_eq!((v[FIRST], v[LAST]), want, "{f1} {l1} / {f2} {l2}");
        }
    }

    #[test]
    fn comparisons_are_symmetric_and_in_range() {
        let mut a = person("Anna", "Rossi");
        a.emails = normalize_email("anna.rossi@gmail.com").into_iter().collect();
        a.street = "via roma".into();
        a.street_number = "10".into();
        a.postcode = "00184".into();
        let mut b = person("Anne", "Rosi");
        b.emails = normalize_email("annarossi@gmail.com").into_iter().collect();
        b.street = "via roma".into();
        b.postcode = "00184".into();
        let (x, y) = (compare(&a, &b), compare(&b, &a));
        assert_eq!(x, y);
        for (i, c) in COMPARISONS.iter().enumerate() {
            assert!(x[i] <= c.top(), "{}", c.name);
            assert_eq!(c.u_default.len(), c.levels.len(), "{}", c.name);
            assert!((c.u_default.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{}", c.name);
            assert_eq!(c.m_default.len(), c.levels.len(), "{}", c.name);
            assert!((c.m_default.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{}", c.name);
        }
        assert_eq!(x[EMAIL], 3);
        assert_eq!(x[ADDRESS], 3);
        assert_eq!(unpack(pack(&x)), x);
    }

    #[test]
    fn date_typos() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(date_digit_edits(d("1961-08-31"), d("1961-08-31")), 0);
        assert_eq!(date_digit_edits(d("1961-08-31"), d("1961-08-21")), 1);
        assert_eq!(date_digit_edits(d("1961-08-13"), d("1961-08-31")), 1);
        assert_eq!(date_digit_edits(d("1961-08-31"), d("1985-06-14")), 5);
        // Birth levels: exact, one typo, different within five years, further apart.
        let birth = |x: &str, y: &str| {
            let (a, b) =
                (Rec { birth: Some(d(x)), ..Default::default() }, Rec { birth: Some(d(y)), ..Default::default() });
            birth_level(&a, &b)
        };
        assert_eq!(birth("1961-08-31", "1961-08-31"), 4);
        assert_eq!(birth("1961-08-31", "1961-08-21"), 3);
        assert_eq!(birth("1961-08-31", "1963-02-11"), 2, "siblings, or a date mistyped twice");
        assert_eq!(birth("1961-08-31", "1988-02-11"), 1, "a parent and a child");
    }

    #[test]
    fn organisation_names() {
        assert_eq!(company_level("acme", "acme"), COMPANY_EXACT);
        assert_eq!(company_level("chicago commons paulofreire", "paulo freire center"), 2, "words written together");
        assert_eq!(company_level("de priest", "chicago public schools depriest oscar"), 2);
        assert_eq!(company_level("salvation army", "south shore bible maranatha"), 1);
        assert_eq!(company_level("garfield ymca", "ymca garfield"), 3, "same words in another order");
        assert_eq!(company_level("walmart", "mart of asia"), 1, "a word inside another word is not the same word");
    }
}
