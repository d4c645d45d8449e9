//! Country names and codes → ISO 3166-1 alpha-2, a bottom-layer table shared by config (the
//! default region) and normalize (addresses, phones). The names people write in the languages
//! crmclean supports live in `data/countries.tsv`; every other country is known by its ISO 3166-1
//! codes and English name (the `isocountry` crate).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::text::alnum_key;

/// Every name ([`alnum_key`] form) → its code: those of `data/countries.tsv` first, then each
/// country's ISO 3166-1 alpha-2 and alpha-3 codes and English name, then that name without its
/// qualifier ("Bolivia (Plurinational State of)" is also "bolivia", "Taiwan, Province of China"
/// "taiwan") where no other country's name shortens to the same.
fn names() -> &'static HashMap<String, &'static str> {
    static NAMES: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let table = crate::data::table(include_str!("data/countries.tsv"));
        let mut names: HashMap<String, &'static str> = table
            .into_iter()
            .flat_map(|(code, names)| names.into_iter().map(move |name| (name.to_string(), code)))
            .collect();
        let iso = || isocountry::CountryCode::iter();
        for c in iso() {
            for name in [c.alpha2(), c.alpha3(), c.name()] {
                names.entry(alnum_key(name)).or_insert(c.alpha2());
            }
        }
        // A short name two countries share ("Korea", "Virgin Islands") names neither.
        let short = |c: &isocountry::CountryCode| alnum_key(c.name().split(['(', ',']).next().unwrap_or_default());
        let mut shared: HashMap<String, usize> = HashMap::new();
        for c in iso() {
            *shared.entry(short(c)).or_default() += 1;
        }
        for c in iso() {
            let s = short(c);
            if shared[&s] == 1 {
                names.entry(s).or_insert(c.alpha2());
            }
        }
        names.remove("");
        names
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
/// assert_eq!(country_code("Brazil"), Some("BR"));
/// assert_eq!(country_code("BRA"), Some("BR"));
/// assert_eq!(country_code("Viet Nam"), Some("VN"));
/// assert_eq!(country_code("Bolivia"), Some("BO"));
/// assert_eq!(country_code("Congo"), Some("CG"));
/// assert_eq!(country_code("NA"), None, "a missing value, not Namibia");
/// assert_eq!(country_code("Korea"), Some("KR"), "the table's; ISO's short name is shared by two");
/// assert_eq!(country_code("Virgin Islands"), None);
/// assert_eq!(country_code("Atlantis"), None);
/// ```
pub fn country_code(raw: &str) -> Option<&'static str> {
    // "NA", "none", "unknown": a missing value, not Namibia.
    if crate::text::is_placeholder(raw) {
        return None;
    }
    names().get(&alnum_key(raw)).copied()
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
    /// Every ISO 3166-1 country is known by its codes and its English name (but for one code that is a
    /// missing-value word).
    #[test]
    fn every_iso_country_is_known() {
        for c in isocountry::CountryCode::iter() {
            for name in [c.alpha2(), c.alpha3(), c.name()] {
                // "NA" is read as a missing value; Namibia is "NAM" or "Namibia".
                let want = if name == "NA" { None } else { Some(c.alpha2()) };
                assert_eq!(super::country_code(name), want, "{name}");
            }
        }
        assert_eq!(super::country_code("Namibia"), Some("NA"));
        assert_eq!(super::country_code("Korea (Republic of)"), Some("KR"));
        assert_eq!(super::country_code("Deutschland"), Some("DE"));
    }

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
