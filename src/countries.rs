//! Country names and codes → ISO 3166-1 alpha-2, a bottom-layer table shared by config (the
//! default region) and normalize (addresses, phones). The names live in `data/countries.tsv`.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::text::alnum_key;

/// Every name of `data/countries.tsv` ([`alnum_key`] form) → its code.
fn names() -> &'static HashMap<&'static str, &'static str> {
    static NAMES: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let table = crate::data::table(include_str!("data/countries.tsv"));
        table.into_iter().flat_map(|(code, names)| names.into_iter().map(move |name| (name, code))).collect()
    })
}

/// Country name or code → ISO 3166 alpha-2; `None` when unknown.
///
/// ```
/// use crmclean::countries::country_code;
/// assert_eq!(country_code("Deutschland"), Some("DE"));
/// assert_eq!(country_code("U.S.A."), Some("US"));
/// assert_eq!(country_code("Polska"), Some("PL"));
/// assert_eq!(country_code("España"), Some("ES"));
/// assert_eq!(country_code("Atlantis"), None);
/// ```
pub fn country_code(raw: &str) -> Option<&'static str> {
    names().get(alnum_key(raw).as_str()).copied()
}

/// A region code for phone parsing: an ISO alpha-2 code that the phone metadata knows, or a country
/// name that [`country_code`] knows. Returned upper case.
pub fn parse_region_code(raw: &str) -> Option<String> {
    let upper = raw.trim().to_ascii_uppercase();
    if upper.len() == 2 && upper.parse::<phonenumber::country::Id>().is_ok() {
        return Some(upper);
    }
    country_code(raw).map(str::to_string)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_name_has_one_code() {
        let mut seen = std::collections::HashMap::new();
        for line in include_str!("data/countries.tsv").lines().filter(|l| !l.starts_with('#')) {
            let (code, list) = line.split_once('\t').unwrap();
            assert!(code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()), "{code}");
            for name in list.split(',') {
                assert_eq!(name, crate::text::alnum_key(name), "{name} is not in alnum_key form");
                assert!(seen.insert(name, code).is_none(), "{name} listed twice");
            }
        }
    }
}
