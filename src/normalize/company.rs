//! Companies: a match key without legal form, punctuation or `&`/`and` differences.

use crate::text::alnum_key;

/// Legal forms that end an organisation's name wherever they stand: what follows them is no longer the
/// name (short forms that are also words — "co", "as", "ab" — are left out).
const NAME_ENDS: &[&[&str]] = &[
    &["gmbh"],
    &["mbh"],
    &["ag"],
    &["aktiengesellschaft"],
    &["inc"],
    &["incorporated"],
    &["ltd"],
    &["limited"],
    &["llc"],
    &["llp"],
    &["plc"],
    &["corp"],
    &["corporation"],
    &["s", "p", "a"],
    &["srl"],
    &["s", "r", "l"],
    &["sarl"],
    &["bv"],
    &["b", "v"],
    &["nv"],
    &["n", "v"],
    &["sa"],
    &["s", "a"],
    &["se"],
    &["tbk"],
    &["sp", "z", "o", "o"],
    &["kgaa"],
    &["oyj"],
    &["societe", "europeenne"],
];

const AND_WORDS: &[&str] = &["and", "und", "e", "y", "i", "et", "dan"];

/// Whether the words start an address: a number and a street type ("54 rue", "1 via"), or a
/// postcode-like number followed by a place: five or more digits and a word ("75008 paris"), or
/// four digits and two words ("3000 dk rotterdam"; "Vision 2020 Consulting" keeps its year). A number in a
/// name stands alone or before a word that is no street ("Studio 54", "Pier 39 Seafood").
fn address_starts(words: &[&str]) -> bool {
    let number =
        |w: &str| w.chars().next().is_some_and(|c| c.is_ascii_digit()) && w.chars().all(|c| c.is_ascii_alphanumeric());
    let digits = |w: &str| w.chars().all(|c| c.is_ascii_digit());
    match words {
        [n, next, rest @ ..] if number(n) => {
            (next.len() >= 2 && super::address::is_street_type(next))
                || (digits(n) && (n.len() >= 5 || (n.len() == 4 && !rest.is_empty())))
        }
        _ => false,
    }
}

/// Match key of a company name.
///
/// ```
/// use crmclean::normalize::company::company_key;
/// assert_eq!(company_key("ACME Inc."), "acme");
/// assert_eq!(company_key("Müller & Söhne GmbH & Co. KG"), "muller sohne");
/// assert_eq!(company_key("PT Maju Jaya Tbk"), "maju jaya");
/// assert_eq!(company_key("Rossi S.p.A."), "rossi");
/// assert_eq!(company_key("Kowalski Sp. z o.o."), "kowalski");
/// ```
pub fn company_key(raw: &str) -> String {
    let key = alnum_key(&raw.replace('&', " and "));
    let mut words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    // An address written after the name ("Allianz SE Königinstraße 28 München"): the name ends at
    // its legal form.
    // A form spelt in single letters ("S.A.") after a single letter is an initialism ("J.S.A. Partners").
    let ends_at = |i: usize, f: &[&str]| words[i..].starts_with(f) && !(f[0].len() == 1 && words[i - 1].len() == 1);
    if let Some(i) = (1..words.len().saturating_sub(1)).find(|&i| NAME_ENDS.iter().any(|f| ends_at(i, f))) {
        words.truncate(i);
    } else if let Some(i) = (1..words.len().saturating_sub(1)).find(|&i| address_starts(&words[i..])) {
        // Without a legal form ("Sanofi 54 rue La Boétie 75008 France", "Deutsche Börse 60485
        // Frankfurt"): the name ends where a house number before a street type, or a postcode, starts.
        words.truncate(i);
    }
    // "&", "and", "und", "e": the same name with or without them ("e" after the cut: a final "S E"
    // is the Societas Europaea).
    if words.len() > 2 && words.ends_with(&["s", "e"]) {
        words.truncate(words.len() - 2);
    }
    words.retain(|w| !AND_WORDS.contains(w));
    // Strip legal forms at the end (repeatedly: "GmbH & Co. KG") and at the start ("PT", "CV").
    static FORMS: std::sync::OnceLock<Vec<Vec<&'static str>>> = std::sync::OnceLock::new();
    let forms = FORMS.get_or_init(|| {
        crate::data::lines(include_str!("../data/legal_forms.txt")).map(|f| f.split(' ').collect()).collect()
    });
    loop {
        let before = words.len();
        for fw in forms {
            if words.len() > fw.len() && words.ends_with(fw) {
                words.truncate(words.len() - fw.len());
                break;
            }
        }
        if words.len() > 1 && matches!(words[0], "pt" | "cv" | "ud" | "the") {
            words.remove(0);
        }
        if words.len() == before {
            break;
        }
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_forms_in_many_countries() {
        let cases = [
            ("Acme, Inc.", "acme"),
            ("Acme Corporation", "acme"),
            ("Acme LLC", "acme"),
            ("Smith & Jones Ltd", "smith jones"),
            ("Smith and Jones Limited", "smith jones"),
            ("Siemens AG", "siemens"),
            ("Bäckerei Schmidt GmbH", "backerei schmidt"),
            ("Ferrari S.p.A.", "ferrari"),
            ("Trattoria Da Mario S.r.l.", "trattoria da mario"),
            ("Nowak i Syn Sp. z o.o.", "nowak syn"),
            ("PT Sumber Alfaria Trijaya Tbk", "sumber alfaria trijaya"),
            ("Dupont et Fils SARL", "dupont fils"),
            ("Construcciones García S.L.", "construcciones garcia"),
            ("Telefónica, S.A.", "telefonica"),
            ("The Coca-Cola Company", "coca cola"),
            ("AG", "ag"),
            ("adidas ag adi dassler strasse 1 91074 germany", "adidas"),
            ("Banco Santander, S.A., 28660 Madrid", "banco santander"),
            ("Anheuser-Busch InBev SA/NV Brouwerijplein 1", "anheuser busch inbev"),
            ("Smith & Co Architects", "smith co architects"),
            ("sanofi 54 rue la boetie 75008 france", "sanofi"),
            ("sanofi 75008 france", "sanofi"),
            ("deutsche boerse 60485 frankfurt", "deutsche boerse"),
            ("bayer aktiengesellschaft", "bayer"),
            ("schneider electric s e 35 rue joseph monier", "schneider electric"),
            ("Studio 54", "studio 54"),
            ("Pier 39 Seafood", "pier 39 seafood"),
            ("Sunenergy 749", "sunenergy 749"),
            ("J.S.A. Partners", "j s a partners"),
            ("Bob's E-Bikes Shop", "bob s bikes shop"),
            ("Vision 2020 Consulting", "vision 2020 consulting"),
            ("N.V. Nederlandsche Apparatenfabriek Nedap", "n v nederlandsche apparatenfabriek nedap"),
        ];
        for (input, want) in cases {
            assert_eq!(company_key(input), want, "{input}");
        }
    }
}
