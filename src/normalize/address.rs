//! Addresses and places: street-type and compass-direction abbreviations, postal codes, countries to ISO 3166 alpha-2.

use crate::text::alnum_key;

/// Street-type words and their abbreviations → one canonical token (`data/street_types.tsv`).
fn street_types() -> &'static crate::data::Table {
    static TABLE: std::sync::OnceLock<crate::data::Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| crate::data::table(include_str!("../data/street_types.tsv")))
}

/// Compass directions, written out or not → one token (`data/directions.tsv`).
fn directions() -> &'static crate::data::Table {
    static TABLE: std::sync::OnceLock<crate::data::Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| crate::data::table(include_str!("../data/directions.tsv")))
}

/// Match key of a street line: folded, punctuation removed, street types abbreviated, German
/// compounds ("Hauptstraße", "Hauptstr.") split so both spellings agree.
///
/// ```
/// use crmclean::normalize::address::street_key;
/// assert_eq!(street_key("12 Tullaroop Street"), street_key("12 tullaroop st."));
/// assert_eq!(street_key("Hauptstraße 5"), street_key("Hauptstr. 5"));
/// assert_eq!(street_key("ul. Marszałkowska 10"), street_key("Ulica Marszalkowska 10"));
/// assert_eq!(street_key("Jalan Sudirman 1"), street_key("Jl. Sudirman 1"));
/// assert_eq!(street_key("7 North Homan Avenue"), street_key("7 N. Homan Ave"));
/// ```
pub fn street_key(raw: &str) -> String {
    let key = alnum_key(raw);
    let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        i += 1;
        // Two-word Italian abbreviations: "P.za", "V.le", "C.so".
        if let Some(next) = words.get(i) {
            let joined = match (w, *next) {
                ("p", "za" | "zza") => Some("piazza"),
                ("v", "le") => Some("viale"),
                ("c", "so") => Some("corso"),
                _ => None,
            };
            if let Some(j) = joined {
                out.push(j.to_string());
                i += 1;
                continue;
            }
        }
        // German compounds: "hauptstrasse" / "hauptstr" → "haupt strasse".
        let split = ["strasse", "str", "weg", "platz", "gasse", "allee"]
            .iter()
            .find(|suf| w.len() > suf.len() + 2 && w.ends_with(*suf))
            .map(|suf| (&w[..w.len() - suf.len()], *suf));
        match split {
            Some((stem, suf)) => {
                out.push(stem.to_string());
                out.push(canonical_type(suf, true).to_string());
            }
            None => out.push(canonical_type(w, false).to_string()),
        }
    }
    out.join(" ")
}

/// Whether a word (as [`alnum_key`] writes it) is a street type: "street", "rue", "via", "ul", ...
pub fn is_street_type(w: &str) -> bool {
    street_types().iter().any(|(_, forms)| forms.contains(&w))
}

fn canonical_type(w: &str, german: bool) -> &str {
    if german && (w == "str" || w == "strasse") {
        return "strasse";
    }
    street_types().iter().chain(directions()).find(|(_, forms)| forms.contains(&w)).map(|(c, _)| *c).unwrap_or(w)
}

/// Postal code key: letters and digits only, upper case (`"sw1a 1aa"` → `"SW1A1AA"`).
pub fn postal_key(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn street_keys_agree() {
        let same = [
            ("42 Giblin Street", "42 giblin st"),
            ("Via Roma 10", "V. Roma 10"),
            ("Piazza Navona 3", "P.za Navona 3"),
            ("Rue de Rivoli 5", "rue de rivoli 5"),
            ("Calle Mayor 7", "C/ Mayor 7"),
            ("Avenida de Mayo 12", "Avda. de Mayo 12"),
            ("Goethestraße 1", "Goethestr. 1"),
            ("Aleje Jerozolimskie 5", "Al. Jerozolimskie 5"),
        ];
        for (a, b) in same {
            assert_eq!(street_key(a), street_key(b), "{a} / {b}");
        }
        assert_ne!(street_key("42 Giblin Street"), street_key("44 Giblin Street"));
    }

    #[test]
    fn countries_in_many_languages() {
        let cases = [
            ("Italia", "IT"),
            ("Italien", "IT"),
            ("Niemcy", "DE"),
            ("Jerman", "DE"),
            ("Allemagne", "DE"),
            ("Alemania", "DE"),
            ("USA", "US"),
            ("United States", "US"),
            ("Estados Unidos", "US"),
            ("Österreich", "AT"),
            ("Pologne", "PL"),
            ("Indonesia", "ID"),
            ("france", "FR"),
            ("UK", "GB"),
            ("de", "DE"),
        ];
        for (input, want) in cases {
            assert_eq!(crate::countries::country_code(input), Some(want), "{input}");
        }
    }

    #[test]
    fn region_codes() {
        assert_eq!(crate::countries::parse_region_code("de").as_deref(), Some("DE"));
        assert_eq!(crate::countries::parse_region_code("Italia").as_deref(), Some("IT"));
        assert_eq!(crate::countries::parse_region_code("XX"), None);
        assert_eq!(postal_key(" 02134 "), "02134");
        assert_eq!(postal_key("sw1a 1aa"), "SW1A1AA");
    }
}
