//! Addresses and places: street-type and compass-direction abbreviations, postal codes, countries to ISO 3166 alpha-2.

use super::text::alnum_key;

/// Street type words and their abbreviations → one canonical token.
const STREET_TYPES: &[(&str, &[&str])] = &[
    ("st", &["street", "st", "str"]),
    ("rd", &["road", "rd"]),
    ("ave", &["avenue", "ave", "av", "avda", "avenida"]),
    ("blvd", &["boulevard", "blvd", "bd", "bvd"]),
    ("dr", &["drive", "dr", "drv"]),
    ("ln", &["lane", "ln"]),
    ("ct", &["court", "ct", "crt"]),
    ("pl", &["place", "pl", "plc"]),
    ("cct", &["circuit", "cct", "cir", "circle"]),
    ("cres", &["crescent", "cres", "cr"]),
    ("sq", &["square", "sq"]),
    ("hwy", &["highway", "hwy"]),
    ("pde", &["parade", "pde"]),
    ("tce", &["terrace", "tce", "ter"]),
    ("wy", &["way", "wy"]),
    ("strasse", &["strasse", "str", "strase"]),
    ("platz", &["platz", "pl"]),
    ("weg", &["weg"]),
    ("gasse", &["gasse", "g"]),
    ("ul", &["ulica", "ul"]),
    ("al", &["aleja", "al", "aleje"]),
    ("os", &["osiedle", "os"]),
    ("pl", &["plac"]),
    ("via", &["via", "v"]),
    ("viale", &["viale", "vle"]),
    ("piazza", &["piazza", "pza", "pzza"]),
    ("corso", &["corso", "cso"]),
    ("jl", &["jalan", "jl", "jln"]),
    ("gg", &["gang", "gg"]),
    ("rue", &["rue", "r"]),
    ("bd", &["boulevard"]),
    ("calle", &["calle", "c", "cl"]),
    ("plaza", &["plaza", "pza", "pl"]),
    ("paseo", &["paseo", "po", "pso"]),
    ("ctra", &["carretera", "ctra"]),
];

/// Compass directions, written out or not: "7 North Homan Avenue" / "7 N. Homan Ave".
const DIRECTIONS: &[(&str, &[&str])] = &[
    ("n", &["north", "n"]),
    ("s", &["south", "s"]),
    ("e", &["east", "e"]),
    ("w", &["west", "w"]),
    ("ne", &["northeast", "ne"]),
    ("nw", &["northwest", "nw"]),
    ("se", &["southeast", "se"]),
    ("sw", &["southwest", "sw"]),
];

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
    STREET_TYPES.iter().any(|(_, forms)| forms.contains(&w))
}

fn canonical_type(w: &str, german: bool) -> &str {
    if german && (w == "str" || w == "strasse") {
        return "strasse";
    }
    STREET_TYPES.iter().chain(DIRECTIONS).find(|(_, forms)| forms.contains(&w)).map(|(c, _)| *c).unwrap_or(w)
}

/// Postal code key: letters and digits only, upper case (`"sw1a 1aa"` → `"SW1A1AA"`).
pub fn postal_key(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// Country names in several languages, as [`alnum_key`], → ISO 3166 alpha-2.
const COUNTRIES: &[(&str, &[&str])] = &[
    (
        "US",
        &[
            "us",
            "usa",
            "u s",
            "u s a",
            "united states",
            "united states of america",
            "america",
            "vereinigte staaten",
            "stati uniti",
            "stany zjednoczone",
            "amerika serikat",
            "etats unis",
            "estados unidos",
            "eeuu",
        ],
    ),
    (
        "GB",
        &[
            "gb",
            "uk",
            "u k",
            "united kingdom",
            "great britain",
            "england",
            "scotland",
            "wales",
            "grossbritannien",
            "vereinigtes konigreich",
            "regno unito",
            "wielka brytania",
            "inggris",
            "royaume uni",
            "reino unido",
        ],
    ),
    ("DE", &["de", "germany", "deutschland", "brd", "germania", "niemcy", "jerman", "allemagne", "alemania"]),
    ("AT", &["at", "austria", "osterreich", "oesterreich", "autriche"]),
    ("CH", &["ch", "switzerland", "schweiz", "svizzera", "suisse", "szwajcaria", "swiss", "suiza"]),
    ("IT", &["it", "italy", "italia", "italien", "wlochy", "italie"]),
    ("PL", &["pl", "poland", "polska", "polen", "polonia", "pologne"]),
    ("ID", &["id", "indonesia", "indonesien", "indonezja", "indonesie", "ri"]),
    ("FR", &["fr", "france", "frankreich", "francia", "francja", "perancis"]),
    ("ES", &["es", "spain", "espana", "spanien", "spagna", "hiszpania", "spanyol", "espagne"]),
    (
        "NL",
        &[
            "nl",
            "netherlands",
            "the netherlands",
            "holland",
            "nederland",
            "niederlande",
            "paesi bassi",
            "holandia",
            "belanda",
            "pays bas",
            "paises bajos",
        ],
    ),
    ("BE", &["be", "belgium", "belgien", "belgio", "belgia", "belgique", "belgica"]),
    ("AU", &["au", "australia", "australien", "australie"]),
    ("CA", &["ca", "canada", "kanada"]),
    ("IE", &["ie", "ireland", "irland", "irlanda", "irlandia", "irlande"]),
    ("PT", &["pt", "portugal", "portogallo", "portugalia"]),
    ("MX", &["mx", "mexico", "mexiko", "messico", "meksyk", "meksiko", "mexique"]),
    ("BR", &["br", "brazil", "brasil", "brasilien", "brasile", "brazylia", "bresil"]),
    ("AR", &["ar", "argentina", "argentinien", "argentyna", "argentine"]),
    ("SG", &["sg", "singapore", "singapur", "singapura", "singapour"]),
    ("MY", &["my", "malaysia", "malezja", "malaisie", "malasia"]),
    ("IN", &["in", "india", "indien", "indie", "inde"]),
    ("CN", &["cn", "china", "cina", "chiny", "chine"]),
    ("JP", &["jp", "japan", "giappone", "japonia", "jepang", "japon"]),
    ("SE", &["se", "sweden", "schweden", "svezia", "szwecja", "suede", "suecia", "sverige"]),
    ("NO", &["no", "norway", "norwegen", "norvegia", "norwegia", "norvege", "noruega", "norge"]),
    ("DK", &["dk", "denmark", "danemark", "danimarca", "dania", "dinamarca", "danmark"]),
    (
        "CZ",
        &[
            "cz",
            "czech republic",
            "czechia",
            "tschechien",
            "repubblica ceca",
            "czechy",
            "republique tcheque",
            "chequia",
        ],
    ),
    ("NZ", &["nz", "new zealand", "neuseeland", "nuova zelanda", "nowa zelandia", "nouvelle zelande", "nueva zelanda"]),
];

/// Country name or code → ISO 3166 alpha-2; `None` when unknown.
///
/// ```
/// use crmclean::normalize::address::country_code;
/// assert_eq!(country_code("Deutschland"), Some("DE"));
/// assert_eq!(country_code("U.S.A."), Some("US"));
/// assert_eq!(country_code("Polska"), Some("PL"));
/// assert_eq!(country_code("España"), Some("ES"));
/// assert_eq!(country_code("Atlantis"), None);
/// ```
pub fn country_code(raw: &str) -> Option<&'static str> {
    let key = alnum_key(raw);
    COUNTRIES.iter().find(|(_, names)| names.contains(&key.as_str())).map(|(c, _)| *c)
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
            assert_eq!(country_code(input), Some(want), "{input}");
        }
    }

    #[test]
    fn region_codes() {
        assert_eq!(parse_region_code("de").as_deref(), Some("DE"));
        assert_eq!(parse_region_code("Italia").as_deref(), Some("IT"));
        assert_eq!(parse_region_code("XX"), None);
        assert_eq!(postal_key(" 02134 "), "02134");
        assert_eq!(postal_key("sw1a 1aa"), "SW1A1AA");
    }
}
