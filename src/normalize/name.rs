//! Names: split full names, drop honorifics and suffixes, fix display case, nickname-aware match keys.

use crate::text::{alnum_key, clean};

/// A person's name split into parts (display form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameParts {
    pub salutation: String,
    pub first: String,
    pub middle: String,
    pub last: String,
    pub suffix: String,
}

/// A list of `data/name_words.tsv`: `honorific`, `title_only`, `suffix` or `particle`.
fn name_words(kind: &str) -> &'static [&'static str] {
    static TABLE: std::sync::OnceLock<crate::data::Table> = std::sync::OnceLock::new();
    crate::data::values(TABLE.get_or_init(|| crate::data::table(include_str!("../data/name_words.tsv"))), kind)
}

/// Nickname → formal name (`data/nickname_canonical.tsv`), sorted by nickname.
fn nicknames() -> &'static [(&'static str, &'static str)] {
    static PAIRS: std::sync::OnceLock<Vec<(&'static str, &'static str)>> = std::sync::OnceLock::new();
    PAIRS.get_or_init(|| {
        crate::data::lines(include_str!("../data/nickname_canonical.tsv"))
            .filter_map(|l| l.split_once('\t'))
            .map(|(nick, formal)| (nick.trim(), formal.trim()))
            .collect()
    })
}

fn token_key(t: &str) -> String {
    alnum_key(t).replace(' ', "")
}

/// Splits a full name ("Dr. Anna Maria Rossi", "Rossi, Anna", "van der Berg, Jan", "Herr Jürgen Müller")
/// into parts.
///
/// ```
/// use crmclean::normalize::name::split_full_name;
/// let p = split_full_name("Smith, John A.");
/// assert_eq!((p.first.as_str(), p.middle.as_str(), p.last.as_str()), ("John", "A.", "Smith"));
/// let p = split_full_name("Dr. Jan van der Berg Jr.");
/// assert_eq!((p.salutation.as_str(), p.first.as_str(), p.last.as_str(), p.suffix.as_str()), ("Dr.", "Jan", "van der Berg", "Jr."));
/// ```
pub fn split_full_name(full: &str) -> NameParts {
    let full = clean(full);
    let mut parts = NameParts::default();
    if let Some((last, first)) = full.split_once(',') {
        // "Last, First Middle" — but "John Smith, Jr." is a suffix, not a comma name.
        let after = first.trim();
        if !after.is_empty() && !name_words("suffix").contains(&token_key(after).as_str()) {
            let mut given = split_tokens(after, &mut parts);
            let last_tokens = split_tokens(last, &mut parts);
            parts.last = last_tokens.join(" ");
            if !given.is_empty() {
                parts.first = given.remove(0);
                parts.middle = given.join(" ");
            }
            return parts;
        }
    }
    let tokens = split_tokens(&full.replace(',', " "), &mut parts);
    match tokens.len() {
        0 => {}
        1 => parts.last = tokens[0].clone(),
        _ => {
            // The surname starts at the first particle after the first name, else it is the last token.
            let mut start = tokens.len() - 1;
            for (i, t) in tokens.iter().enumerate().skip(1).take(tokens.len().saturating_sub(2)) {
                if name_words("particle").contains(&token_key(t).as_str()) {
                    start = i;
                    break;
                }
            }
            parts.first = tokens[0].clone();
            parts.middle = tokens[1..start].join(" ");
            parts.last = tokens[start..].join(" ");
        }
    }
    parts
}

/// Splits on spaces and peels honorifics (leading) and suffixes (trailing) into `parts`.
fn split_tokens(s: &str, parts: &mut NameParts) -> Vec<String> {
    let mut tokens: Vec<String> = s.split_whitespace().map(str::to_string).collect();
    while tokens.len() > 1 && name_words("honorific").contains(&token_key(&tokens[0]).as_str()) {
        let t = tokens.remove(0);
        if !parts.salutation.is_empty() {
            parts.salutation.push(' ');
        }
        parts.salutation.push_str(&t);
    }
    while tokens.len() > 1
        && name_words("suffix").contains(&token_key(tokens.last().map(String::as_str).unwrap_or("")).as_str())
    {
        let t = tokens.pop().unwrap_or_default();
        parts.suffix = if parts.suffix.is_empty() { t } else { format!("{t} {}", parts.suffix) };
    }
    tokens
}

/// A person's gender as a record states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    /// The key compared and written: `m` or `f`.
    pub fn key(self) -> &'static str {
        match self {
            Gender::Male => "m",
            Gender::Female => "f",
        }
    }

    /// The words that state it (`data/genders.tsv`).
    fn words(self) -> &'static [&'static str] {
        static TABLE: std::sync::OnceLock<crate::data::Table> = std::sync::OnceLock::new();
        let table = TABLE.get_or_init(|| crate::data::table(include_str!("../data/genders.tsv")));
        crate::data::values(table, if self == Gender::Male { "male" } else { "female" })
    }
}

/// The gender an honorific or a gender cell states, or `None` (Dr., Prof., unknown).
///
/// ```
/// use crmclean::normalize::name::{gender_of, Gender};
/// assert_eq!(gender_of("Frau Dr."), Some(Gender::Female));
/// assert_eq!(gender_of("Pan"), Some(Gender::Male));
/// assert_eq!(gender_of("Sig.ra"), Some(Gender::Female));
/// assert_eq!(gender_of("Dr."), None);
/// assert_eq!(gender_of("weiblich"), Some(Gender::Female));
/// ```
pub fn gender_of(s: &str) -> Option<Gender> {
    let key = alnum_key(s);
    let stated = |w: &str| [Gender::Male, Gender::Female].into_iter().find(|g| g.words().contains(&w));
    // The whole cell, then its words of more than one letter.
    stated(&key).or_else(|| key.split(' ').filter(|w| w.len() > 1).find_map(stated))
}

/// Removes a leading honorific from a first-name cell ("Dr. Anna" → "Anna"); a cell holding only a
/// title ("Miss", "Sir") becomes empty.
pub fn strip_honorific(s: &str) -> String {
    let mut p = NameParts::default();
    let tokens = split_tokens(&clean(s), &mut p);
    // A cell holding a title only ("Miss", "Sir", "Herr") names nobody. (Titles that are also names
    // or initials — Pan, Pak, M — stay.)
    if let [t] = tokens.as_slice() {
        if name_words("title_only").contains(&token_key(t).as_str()) {
            return String::new();
        }
    }
    tokens.join(" ")
}

/// Display case for a name written in all caps or all lower case: "MCDONALD" → "McDonald",
/// "o'neil" → "O'Neil", "VAN DER BERG" → "van der Berg". Mixed-case input is kept.
///
/// ```
/// use crmclean::normalize::name::display_case;
/// assert_eq!(display_case("MCDONALD"), "McDonald");
/// assert_eq!(display_case("o'neil"), "O'Neil");
/// assert_eq!(display_case("VAN DER BERG"), "van der Berg");
/// assert_eq!(display_case("anne-marie"), "Anne-Marie");
/// assert_eq!(display_case("DeSantis"), "DeSantis");
/// ```
pub fn display_case(s: &str) -> String {
    let s = clean(s);
    let has_upper = s.chars().any(char::is_uppercase);
    let has_lower = s.chars().any(char::is_lowercase);
    if has_upper && has_lower {
        return s;
    }
    let words: Vec<&str> = s.split(' ').collect();
    let n = words.len();
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let lw = w.to_lowercase();
            // Particles before the final word stay lower case: "van der Berg", "de la Cruz".
            if i + 1 < n && name_words("particle").contains(&token_key(&lw).as_str()) {
                lw
            } else {
                capitalize_word(&lw)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalize_word(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut upper_next = true;
    let chars: Vec<char> = w.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if upper_next {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        upper_next = matches!(c, '-' | '\'' | '’' | '.');
        // Mc/Mac prefixes: McDonald (Mac only before a consonant cluster is too risky: MacKenzie vs Mack).
        if i == 1 && chars[0] == 'm' && c == 'c' && chars.len() > 3 {
            upper_next = true;
        }
    }
    out
}

/// Match key of a name part: folded to ASCII, letters only, words separated by one space.
///
/// ```
/// use crmclean::normalize::name::name_key;
/// assert_eq!(name_key("Müller"), "muller");
/// assert_eq!(name_key("O'Neil"), "oneil");
/// assert_eq!(name_key("Łukasz"), "lukasz");
/// ```
pub fn name_key(s: &str) -> String {
    // O'Neil, D’Angelo: the apostrophe joins, it does not separate.
    let k = alnum_key(&s.replace(['\'', '’', '`'], ""));
    k.chars().filter(|c| c.is_ascii_alphabetic() || *c == ' ').collect::<String>().trim().to_string()
}

/// A name key with the German ASCII spellings of umlauts folded (`mueller` → `muller`,
/// `schroeder` → `schroder`), to compare "Müller", "Mueller" and "Muller" as one name. Only for
/// comparing: it also folds "Raquel" to "raqul", harmless when both sides are folded alike.
///
/// ```
/// use crmclean::normalize::name::{name_key, umlaut_fold};
/// assert_eq!(umlaut_fold(&name_key("Müller")), umlaut_fold(&name_key("Mueller")));
/// assert_eq!(umlaut_fold("schroeder"), "schroder");
/// ```
pub fn umlaut_fold(key: &str) -> String {
    umlaut_folded(key.as_bytes()).map(char::from).collect()
}

/// `umlaut_fold(a) == umlaut_fold(b)`, without building either.
pub fn umlaut_eq(a: &str, b: &str) -> bool {
    umlaut_folded(a.as_bytes()).eq(umlaut_folded(b.as_bytes()))
}

fn umlaut_folded(b: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let c = *b.get(i)?;
        // ae/oe/ue inside a word, before a consonant, are the ASCII spelling of ä/ö/ü.
        let folds = matches!(c, b'a' | b'o' | b'u')
            && b.get(i + 1) == Some(&b'e')
            && i > 0
            && b[i - 1] != b' '
            && b.get(i + 2).is_some_and(|n| n.is_ascii_alphabetic() && !matches!(n, b'a' | b'e' | b'i' | b'o' | b'u'));
        i += if folds { 2 } else { 1 };
        Some(c)
    })
}

/// Double Metaphone code of a name key (empty for an empty key): "Meyer", "Maier" and "Mayer" agree.
///
/// ```
/// use crmclean::normalize::name::phonetic;
/// assert_eq!(phonetic("meyer"), phonetic("maier"));
/// ```
pub fn phonetic(key: &str) -> String {
    use rphonetic::Encoder;
    static DM: std::sync::OnceLock<rphonetic::DoubleMetaphone> = std::sync::OnceLock::new();
    if key.is_empty() {
        return String::new();
    }
    DM.get_or_init(rphonetic::DoubleMetaphone::default).encode(key)
}

/// The formal name a nickname stands for, as a [`name_key`]; the key itself when it is not a nickname.
///
/// ```
/// use crmclean::normalize::name::canonical_first;
/// assert_eq!(canonical_first("bob"), "robert");
/// assert_eq!(canonical_first("kasia"), "katarzyna");
/// assert_eq!(canonical_first("beppe"), "giuseppe");
/// assert_eq!(canonical_first("anna"), "anna");
/// ```
pub fn canonical_first(key: &str) -> &str {
    static TABLE: std::sync::OnceLock<polars::prelude::PlHashMap<String, String>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| nicknames().iter().map(|(n, f)| (name_key(n), name_key(f))).collect());
    table.get(key).map(String::as_str).unwrap_or(key)
}

/// Whether one first name is a nickname of the other, one step either way, in the many-to-many
/// table `src/data/nicknames.tsv` (Bill/William, Harry/Henry, Al/Alfred and Al/Albert; English
/// from maintained public lists, Polish, and this project's table in seven languages; sources and
/// licences in the file). Both arguments are [`name_key`]s. Names are never chained through the
/// table: Al/Albert and Al/Alfred do not make Albert/Alfred.
///
/// ```
/// use crmclean::normalize::name::is_nickname_pair;
/// assert!(is_nickname_pair("willie", "william"));
/// assert!(is_nickname_pair("henry", "harry"));
/// assert!(!is_nickname_pair("albert", "alfred"));
/// ```
pub fn is_nickname_pair(a: &str, b: &str) -> bool {
    type Table = (polars::prelude::PlHashMap<String, u32>, Vec<Vec<u32>>);
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    let (ids, related) = TABLE.get_or_init(|| {
        let mut ids: polars::prelude::PlHashMap<String, u32> = Default::default();
        let mut related: Vec<Vec<u32>> = Vec::new();
        let mut id = |name: &str, related: &mut Vec<Vec<u32>>| {
            let n = ids.len() as u32;
            let i = *ids.entry(name_key(name).replace(' ', "")).or_insert(n);
            if i as usize == related.len() {
                related.push(Vec::new());
            }
            i
        };
        let lines = include_str!("../data/nicknames.tsv").lines().filter(|l| !l.starts_with('#'));
        for (formal, nicks) in lines.filter_map(|l| l.split_once('\t')) {
            let f = id(formal, &mut related);
            for nick in nicks.split(',').filter(|n| !n.is_empty()) {
                let n = id(nick, &mut related);
                related[f as usize].push(n);
                related[n as usize].push(f);
            }
        }
        for r in &mut related {
            r.sort_unstable();
            r.dedup();
        }
        (ids, related)
    });
    match (ids.get(a), ids.get(b)) {
        (Some(&x), Some(&y)) => related[x as usize].binary_search(&y).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nickname_table_is_sorted_and_keyed() {
        for w in nicknames().windows(2) {
            assert!(w[0].0 < w[1].0, "{:?} before {:?}", w[0], w[1]);
        }
        for (nick, formal) in nicknames() {
            assert_eq!(canonical_first(&name_key(nick)), name_key(formal), "{nick}");
        }
    }

    #[test]
    fn full_names_in_many_locales() {
        // input, first, middle, last
        let cases = [
            ("John Smith", "John", "", "Smith"),
            ("Smith, John", "John", "", "Smith"),
            ("Mr. John Q. Public", "John", "Q.", "Public"),
            ("Herr Jürgen Müller", "Jürgen", "", "Müller"),
            ("Frau Dr. Anna Schmidt", "Anna", "", "Schmidt"),
            ("Herr Dr. med. Klaus Weber", "Klaus", "", "Weber"),
            ("Phil Jones", "Phil", "", "Jones"),
            ("Don Johnson", "Don", "", "Johnson"),
            ("Sig. Giuseppe Verdi", "Giuseppe", "", "Verdi"),
            ("Dott.ssa Maria De Luca", "Maria", "", "De Luca"),
            ("Pan Łukasz Wiśniewski", "Łukasz", "", "Wiśniewski"),
            ("Bapak Budi Santoso", "Budi", "", "Santoso"),
            ("Sukarno", "", "", "Sukarno"),
            ("Mme Marie-Claire Dupont", "Marie-Claire", "", "Dupont"),
            ("Sra. María José García López", "María", "José García", "López"),
            ("Ludwig van Beethoven", "Ludwig", "", "van Beethoven"),
            ("García, José Luis", "José", "Luis", "García"),
            ("John Smith, Jr.", "John", "", "Smith"),
        ];
        for (input, first, middle, last) in cases {
            let p = split_full_name(input);
            assert_eq!((p.first.as_str(), p.middle.as_str(), p.last.as_str()), (first, middle, last), "{input}");
        }
    }

    #[test]
    fn keys_fold_spellings() {
        assert_eq!(name_key("Müller"), "muller");
        assert_eq!(umlaut_fold(&name_key("MUELLER")), "muller");
        assert_eq!(umlaut_fold(&name_key("Schröder")), umlaut_fold(&name_key("Schroeder")));
        assert_eq!(name_key("Raquel"), "raquel");
        assert_eq!(name_key("Ana María"), "ana maria");
        assert_eq!(name_key("Wiśniewski"), "wisniewski");
    }

    #[test]
    fn display_case_fixes() {
        assert_eq!(display_case("JOHN SMITH"), "John Smith");
        assert_eq!(display_case("mcdonald"), "McDonald");
        assert_eq!(display_case("ŁUKASZ"), "Łukasz");
        assert_eq!(display_case("JAN VAN DER BERG"), "Jan van der Berg");
    }

    #[test]
    fn honorific_in_first_name_cell() {
        assert_eq!(strip_honorific("Dr. Anna"), "Anna");
        assert_eq!(strip_honorific("Anna"), "Anna");
        // A title alone names nobody; a title that is also a name or an initial stays.
        assert_eq!(strip_honorific("Miss"), "");
        assert_eq!(strip_honorific("Sir"), "");
        assert_eq!(strip_honorific("Pan"), "Pan");
        assert_eq!(strip_honorific("M"), "M");
    }
}
