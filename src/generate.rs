//! Seeded synthetic CRM exports with ground truth, for tests and benchmarks.
//!
//! People from seven locales (English/US, German, Italian, Polish, Indonesian, French, Spanish) are
//! written into four exports with different conventions:
//!
//! * `crm_salesforce.csv` — Salesforce headers, `,`, US dates, split names;
//! * `hubspot_export.csv` — HubSpot headers, UTF-8 with BOM, ISO timestamps, lists as tags;
//! * `webinar_anmeldungen.csv` — a German event sign-up list, `;`, Windows-1252, one "Name" column
//!   ("Last, First" or "First Last"), no id column;
//! * `contatti_it.csv` — an Italian CRM export, `;`, day-first dates with slashes.
//!
//! The hard cases are planted on purpose: households (same address and landline, different first
//! names and emails), namesakes (same name, different person), colleagues (same company, email domain
//! and switchboard phone), nicknames, transliterations (Müller/Mueller), typos, missing emails and
//! phones, role and placeholder emails, and duplicates inside one source.
//!
//! With `hard` ([`generate_with`], `crmclean generate --hard`) the data also fights back as real
//! exports do: first and last names swapped, married names (an earlier surname on older records),
//! birth-date typos (one digit, day and month swapped), wrong salutations, family mailboxes shared
//! by a household and team mailboxes shared by colleagues, people who changed company (older records
//! with the old employer, title, work email and switchboard), sparse records (only a name and an
//! email, or a name and a phone), and organisation rows (a company with its switchboard and address,
//! no person) beside their employees.
//!
//! `truth.csv` holds `source,record_id,entity_id` for every record (`P…` people, `O…`
//! organisations); `entities.csv` each person's own values (names, emails, phones in E.164, company,
//! street, postcode), for measuring golden records.

use std::path::Path;

use crate::error::{Error, Result};
use crate::score::SplitMix;

/// One country's pools (`data/generator.toml`).
#[derive(serde::Deserialize)]
struct Locale {
    country: String,
    country_names: Vec<String>,
    calling: String,
    first_male: Vec<String>,
    first_female: Vec<String>,
    last: Vec<String>,
    /// City and the first digits of its postcodes.
    cities: Vec<(String, String)>,
    streets: Vec<String>,
    street_first: bool,
    domains: Vec<String>,
}

/// Everything the generator draws from (`data/generator.toml`).
#[derive(serde::Deserialize)]
struct Pools {
    locale: Vec<Locale>,
    /// Formal first name and nickname.
    nicknames: Vec<(String, String)>,
    company_words: Vec<String>,
    company_tails: Vec<String>,
    legal_forms: std::collections::BTreeMap<String, Vec<String>>,
    titles: Vec<String>,
    /// One tag, the ways exports write it.
    tags: Vec<Vec<String>>,
}

fn pools() -> &'static Pools {
    static POOLS: std::sync::OnceLock<Pools> = std::sync::OnceLock::new();
    POOLS.get_or_init(|| {
        toml::from_str(include_str!("data/generator.toml")).expect("data/generator.toml is well-formed")
    })
}

struct Company {
    name: String,
    domain: String,
    switchboard: String,
    locale: usize,
}

#[derive(Clone)]
struct Person {
    entity: usize,
    locale: usize,
    first: String,
    last: String,
    female: bool,
    birth: (i32, u32, u32),
    personal_email: Option<String>,
    work_email: Option<String>,
    mobile: Option<String>,
    landline: Option<String>,
    company: Option<usize>,
    title: String,
    /// An earlier surname (a married name now), on some older records.
    maiden: Option<String>,
    /// An earlier employer and title, on some older records.
    previous: Option<(usize, String)>,
    street: String,
    number: u32,
    city: usize,
    postcode: String,
    created: (i32, u32, u32),
    activity: (i32, u32, u32),
    tags: Vec<usize>,
}

struct Rng(SplitMix);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

fn ascii_local(s: &str) -> String {
    deunicode::deunicode(s).to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

fn typo(rng: &mut Rng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() < 4 {
        return s.to_string();
    }
    let i = 1 + rng.below(c.len() - 2);
    match rng.below(4) {
        0 => {
            c.remove(i);
        }
        1 => c.swap(i, i + 1),
        2 => c[i] = *rng.pick(&['a', 'e', 'i', 'o', 'n', 'r', 's', 't']),
        _ => c.insert(i, c[i]),
    }
    c.into_iter().collect()
}

fn mobile_number(rng: &mut Rng, country: &str) -> String {
    match country {
        "US" => format!("{}{}", *rng.pick(&["415", "212", "617", "312", "206"]), rng.digits(7)),
        "DE" => format!("15{}{}", rng.below(10), rng.digits(7)),
        "IT" => format!("3{}{}", 2 + rng.below(8), rng.digits(8)),
        "PL" => format!("{}{}", *rng.pick(&["50", "60", "69", "72", "88"]), rng.digits(7)),
        "ID" => format!("81{}{}", rng.below(10), rng.digits(7)),
        "FR" => format!("6{}", rng.digits(8)),
        _ => format!("6{}", rng.digits(8)),
    }
}

fn landline_number(rng: &mut Rng, country: &str) -> String {
    match country {
        "US" => format!("{}{}", *rng.pick(&["415", "212", "617", "312", "206"]), rng.digits(7)),
        "DE" => format!("30{}", rng.digits(7)),
        "IT" => format!("06{}", rng.digits(8)),
        "PL" => format!("22{}", rng.digits(7)),
        "ID" => format!("21{}", rng.digits(8)),
        "FR" => format!("1{}", rng.digits(8)),
        _ => format!("91{}", rng.digits(7)),
    }
}

/// Formats a national significant number the way people write it.
fn write_phone(rng: &mut Rng, calling: &str, country: &str, nsn: &str) -> String {
    let trunk = if country == "US" || country == "IT" { "" } else { "0" };
    match rng.below(5) {
        0 => format!("+{calling} {nsn}"),
        1 => format!("00{calling} {} {}", &nsn[..3], &nsn[3..]),
        2 => format!("+{calling}{nsn}"),
        3 if country == "US" => format!("({}) {}-{}", &nsn[..3], &nsn[3..6], &nsn[6..]),
        _ => format!("{trunk}{} {}", &nsn[..3], &nsn[3..]),
    }
}

/// A mailbox belongs to one person: on a clash, add digits as the provider would have asked.
fn unique_email(rng: &mut Rng, p: &mut Person, taken: &mut std::collections::HashSet<String>) {
    for email in [&mut p.personal_email, &mut p.work_email].into_iter().flatten() {
        while taken.contains(email.as_str()) {
            let (local, domain) = email.split_once('@').unwrap_or((email.as_str(), "example.com"));
            *email = format!("{local}{}@{domain}", rng.below(10));
        }
        taken.insert(email.clone());
    }
}

fn date_in(rng: &mut Rng, from: i32, to: i32) -> (i32, u32, u32) {
    (from + rng.below((to - from) as usize) as i32, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32)
}

/// The companies, and which of them are in each locale.
struct Companies {
    list: Vec<Company>,
    by_locale: Vec<Vec<usize>>,
}

fn new_person(rng: &mut Rng, entity: usize, companies: &Companies) -> Person {
    let locale = rng.below(pools().locale.len());
    let l = &pools().locale[locale];
    let female = rng.chance(0.5);
    let first = rng.pick(if female { &l.first_female } else { &l.first_male }).to_string();
    let last = rng.pick(&l.last).to_string();
    new_person_named(rng, entity, companies, locale, &first, &last, female)
}

fn new_person_named(
    rng: &mut Rng,
    entity: usize,
    companies: &Companies,
    locale: usize,
    first: &str,
    last: &str,
    female: bool,
) -> Person {
    let l = &pools().locale[locale];
    let (first, last) = (first.to_string(), last.to_string());
    let city = rng.below(l.cities.len());
    let postcode_len = match l.country.as_str() {
        "US" | "DE" | "IT" | "FR" | "ES" => 5,
        "PL" => 5,
        _ => 5,
    };
    let prefix = &l.cities[city].1;
    let mut postcode = format!("{prefix}{}", rng.digits(postcode_len - prefix.len()));
    if l.country == "PL" {
        postcode = format!("{}-{}", &postcode[..2], &postcode[2..]);
    }
    let company = (rng.chance(0.6) && !companies.list.is_empty()).then(|| {
        // Colleagues: most people work for a company of their own country.
        let same = &companies.by_locale[locale];
        if same.is_empty() {
            rng.below(companies.list.len())
        } else {
            *rng.pick(same)
        }
    });
    let (fl, ll) = (ascii_local(&first), ascii_local(&last));
    let personal_email = rng.chance(0.8).then(|| {
        let local = match rng.below(4) {
            0 => format!("{fl}.{ll}"),
            1 => format!("{fl}{ll}{}", rng.below(100)),
            2 => format!("{}{ll}", &fl[..1]),
            _ => format!("{fl}_{ll}"),
        };
        format!("{local}@{}", rng.pick(&l.domains))
    });
    let work_email = company.map(|c| format!("{fl}.{ll}@{}", companies.list[c].domain));
    Person {
        entity,
        locale,
        female,
        birth: date_in(rng, 1945, 2003),
        personal_email,
        work_email,
        mobile: rng.chance(0.75).then(|| mobile_number(rng, &l.country)),
        landline: rng.chance(0.35).then(|| landline_number(rng, &l.country)),
        company,
        title: rng.pick(&pools().titles).to_string(),
        maiden: None,
        previous: None,
        street: rng.pick(&l.streets).to_string(),
        number: 1 + rng.below(180) as u32,
        city,
        postcode,
        created: date_in(rng, 2015, 2024),
        activity: date_in(rng, 2019, 2026),
        tags: (0..rng.below(3)).map(|_| rng.below(pools().tags.len())).collect(),
        first,
        last,
    }
}

/// Counts of what was written.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub entities: usize,
    pub records: usize,
    pub files: Vec<String>,
}

/// Writes about `records` records (over all four exports), `truth.csv` and `entities.csv` into `dir`;
/// with `hard`, also the errors real exports carry that the classic data leaves out
/// (see the module documentation): swapped, married and mistyped names, birth-date typos, wrong
/// salutations, family and team mailboxes, changed employers, sparse records and organisation rows.
/// Without it the data is exactly what earlier versions wrote for the same seed, so accuracy floors
/// measured on it stay comparable.
pub fn generate_with(dir: &Path, records: usize, seed: u64, hard: bool) -> Result<Generated> {
    std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, e.to_string(), "check the path"))?;
    let mut rng = Rng(SplitMix(seed));
    // About 1.8 records per person on average.
    let people_target = (records as f64 / 1.8).ceil() as usize;
    let company_index = new_companies(&mut rng, people_target);
    let people = new_people(&mut rng, people_target, &company_index, hard);
    let companies = &company_index.list;
    let mut exports = Exports::new();
    for p in &people {
        exports.write_person(&mut rng, p, companies, hard);
    }
    if hard {
        exports.write_organisations(&mut rng, companies);
    }
    write_files(dir, exports, &people, companies)
}

/// The companies people work for: about one for every twelve people, at least three.
fn new_companies(rng: &mut Rng, people_target: usize) -> Companies {
    let companies: Vec<Company> = (0..(people_target / 12).max(3))
        .map(|i| {
            let locale = rng.below(pools().locale.len());
            let l = &pools().locale[locale];
            let base =
                format!("{}{}", rng.pick(&pools().company_words), rng.pick(&pools().company_tails).to_lowercase());
            let legal = pools().legal_forms.get(&l.country).map_or("Ltd", |f| rng.pick(f).as_str());
            let name = if legal == "PT" { format!("PT {base} {i}") } else { format!("{base} {i} {legal}") };
            let domain = format!("{}{i}.{}", base.to_lowercase(), l.country.to_lowercase());
            let switchboard = landline_number(rng, &l.country);
            Company { name, domain, switchboard, locale }
        })
        .collect();
    let mut by_locale = vec![Vec::new(); pools().locale.len()];
    for (i, c) in companies.iter().enumerate() {
        by_locale[c.locale].push(i);
    }
    Companies { list: companies, by_locale }
}

/// The people, with namesakes and households (and, with `hard`, married names, changed employers,
/// team and family mailboxes).
fn new_people(rng: &mut Rng, people_target: usize, company_index: &Companies, hard: bool) -> Vec<Person> {
    let companies = &company_index.list;
    let mut people: Vec<Person> = Vec::with_capacity(people_target);
    let mut emails_taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    while people.len() < people_target {
        let id = people.len();
        let mut p = new_person(rng, id, company_index);
        if rng.chance(0.03) && !people.is_empty() {
            // Namesake: someone else with exactly the same name (and so often the same email style).
            let other = rng.below(people.len());
            p = new_person_named(
                rng,
                id,
                company_index,
                people[other].locale,
                &people[other].first,
                &people[other].last,
                people[other].female,
            );
        }
        let household = rng.chance(0.08);
        let l = &pools().locale[p.locale];
        if hard && p.female && rng.chance(0.12) {
            // Married since the older records were made: they carry her earlier surname.
            let maiden = rng.pick(&l.last).to_string();
            if maiden != p.last {
                p.maiden = Some(maiden);
            }
        }
        if hard && p.company.is_some() && rng.chance(0.12) {
            let other = rng.below(companies.len());
            if Some(other) != p.company {
                p.previous = Some((other, rng.pick(&pools().titles).to_string()));
            }
        }
        unique_email(rng, &mut p, &mut emails_taken);
        if let Some(c) = p.company.filter(|_| hard && rng.chance(0.03)) {
            // A team mailbox several colleagues write from.
            let team = rng.pick(&["events.team", "backoffice", "buchhaltung", "amministrazione", "procurement"]);
            p.work_email = Some(format!("{team}@{}", companies[c].domain));
        }
        people.push(p.clone());
        if household && people.len() < people_target {
            // Household: same surname, address and landline; own first name, email and mobile.
            let l = &pools().locale[p.locale];
            let first = rng.pick(if p.female { &l.first_male } else { &l.first_female }).to_string();
            let mut h = new_person_named(rng, people.len(), company_index, p.locale, &first, &p.last, !p.female);
            h.street = p.street.clone();
            h.number = p.number;
            h.city = p.city;
            h.postcode = p.postcode.clone();
            h.landline = p.landline.clone().or_else(|| Some(landline_number(rng, &l.country)));
            if let Some(i) = people.len().checked_sub(1) {
                people[i].landline = h.landline.clone();
            }
            unique_email(rng, &mut h, &mut emails_taken);
            if hard && p.personal_email.is_some() && rng.chance(0.3) {
                // One family mailbox for both.
                h.personal_email = p.personal_email.clone();
            }
            people.push(h);
        }
    }

    people
}

/// The four exports being written, and the truth of their records.
struct Exports {
    sf: Export,
    hs: Export,
    wb: Export,
    it: Export,
    truth: Vec<(String, String, String)>,
    next_sf: usize,
    next_hs: usize,
    next_it: usize,
}

impl Exports {
    fn new() -> Self {
        let sf = Export::new(&[
            "Id",
            "Salutation",
            "First Name",
            "Last Name",
            "Email",
            "Phone",
            "Mobile",
            "Account Name",
            "Title",
            "Mailing Street",
            "Mailing City",
            "Mailing Zip/Postal Code",
            "Mailing Country",
            "Birthdate",
            "Created Date",
            "Last Activity",
        ]);
        let hs = Export::new(&[
            "Record ID",
            "First Name",
            "Last Name",
            "Email",
            "Phone Number",
            "Company Name",
            "Job Title",
            "Street Address",
            "City",
            "Postal Code",
            "Country/Region",
            "Create Date",
            "Last Activity Date",
            "Lists",
        ]);
        let wb = Export::new(&[
            "Name",
            "E-Mail",
            "Telefon",
            "Firma",
            "Straße",
            "PLZ",
            "Ort",
            "Land",
            "Geburtsdatum",
            "Anmeldedatum",
        ]);
        let it = Export::new(&[
            "ID Contatto",
            "Nome",
            "Cognome",
            "Email",
            "Cellulare",
            "Telefono",
            "Azienda",
            "Indirizzo",
            "CAP",
            "Città",
            "Paese",
            "Data di nascita",
            "Ultima modifica",
        ]);
        Exports { sf, hs, wb, it, truth: Vec::new(), next_sf: 0, next_hs: 0, next_it: 0 }
    }

    fn salesforce_id(&mut self) -> String {
        self.next_sf += 1;
        format!("003{:012}", self.next_sf * 7919 % 1_000_000_000_000)
    }

    fn italian_id(&mut self) -> String {
        self.next_it += 1;
        format!("IT-{:06}", self.next_it)
    }

    /// A person's records: in one to four exports, sometimes twice in one.
    fn write_person(&mut self, rng: &mut Rng, p: &Person, companies: &[Company], hard: bool) {
        let mut copies: Vec<u8> = Vec::new();
        if rng.chance(0.7) {
            copies.push(0);
        }
        if rng.chance(0.55) {
            copies.push(1);
        }
        if rng.chance(0.3) {
            copies.push(2);
        }
        if rng.chance(0.2) {
            copies.push(3);
        }
        if copies.is_empty() {
            copies.push(rng.below(4) as u8);
        }
        if rng.chance(0.08) {
            // A duplicate inside one source.
            copies.push(copies[0]);
        }
        for (n, &src) in copies.iter().enumerate() {
            let v = variant(rng, p, companies, n > 0, hard);
            match src {
                0 => self.push_salesforce(p, v),
                1 => self.push_hubspot(p, v),
                3 => self.push_italian(p, v),
                _ => self.push_webinar(rng, p, v),
            }
        }
    }

    fn push_salesforce(&mut self, p: &Person, v: Variant) {
        let id = self.salesforce_id();
        let b = v.birth.map(|(y, m, d)| format!("{m:02}/{d:02}/{y}")).unwrap_or_default();
        self.sf.push(vec![
            id.clone(),
            v.salutation,
            v.first,
            v.last,
            v.email,
            v.phone,
            v.mobile,
            v.company,
            v.title,
            v.street,
            v.city,
            v.postcode,
            v.country,
            b,
            fmt_date(p.created, "us"),
            fmt_date(p.activity, "us"),
        ]);
        self.truth.push(("crm_salesforce".into(), id, format!("P{}", p.entity)));
    }

    fn push_hubspot(&mut self, p: &Person, v: Variant) {
        self.next_hs += 1;
        let id = (100_000 + self.next_hs * 13).to_string();
        let phone = if v.phone.is_empty() { v.mobile.clone() } else { v.phone.clone() };
        self.hs.push(vec![
            id.clone(),
            v.first,
            v.last,
            v.email,
            phone,
            v.company,
            v.title,
            v.street,
            v.city,
            v.postcode,
            v.country,
            fmt_date(p.created, "iso"),
            fmt_date(p.activity, "iso"),
            v.tags,
        ]);
        self.truth.push(("hubspot_export".into(), id, format!("P{}", p.entity)));
    }

    fn push_italian(&mut self, p: &Person, v: Variant) {
        let id = self.italian_id();
        let b = v.birth.map(|(y, m, d)| format!("{d:02}/{m:02}/{y}")).unwrap_or_default();
        let (y, m, d) = p.activity;
        self.it.push(vec![
            id.clone(),
            v.first,
            v.last,
            v.email,
            v.mobile,
            v.phone,
            v.company,
            v.street,
            v.postcode,
            v.city,
            v.country,
            b,
            format!("{d:02}/{m:02}/{y}"),
        ]);
        self.truth.push(("contatti_it".into(), id, format!("P{}", p.entity)));
    }

    fn push_webinar(&mut self, rng: &mut Rng, p: &Person, v: Variant) {
        let name = if rng.chance(0.5) { format!("{}, {}", v.last, v.first) } else { format!("{} {}", v.first, v.last) };
        let phone = if v.mobile.is_empty() { v.phone.clone() } else { v.mobile.clone() };
        let b = v.birth.map(|(y, m, d)| format!("{d:02}.{m:02}.{y}")).unwrap_or_default();
        self.wb.push(vec![
            name,
            v.email,
            phone,
            v.company,
            v.street,
            v.postcode,
            v.city,
            v.country,
            b,
            fmt_date(p.activity, "de"),
        ]);
        self.truth.push(("webinar_anmeldungen".into(), self.wb.rows.len().to_string(), format!("P{}", p.entity)));
    }

    /// Organisation rows: an account with its switchboard and address and no person, in the Salesforce
    /// or the Italian export, once or a few times, beside the contacts who work there.
    fn write_organisations(&mut self, rng: &mut Rng, companies: &[Company]) {
        for (ci, c) in companies.iter().enumerate() {
            if !rng.chance(0.1) {
                continue;
            }
            let l = &pools().locale[c.locale];
            let city = rng.below(l.cities.len());
            let postcode = format!("{}{}", l.cities[city].1, rng.digits(5 - l.cities[city].1.len()));
            let street_name = rng.pick(&l.streets).to_string();
            let number = 1 + rng.below(180);
            for _ in 0..1 + rng.below(3) {
                let name =
                    if rng.chance(0.3) { c.name.rsplit_once(' ').map_or(c.name.as_str(), |x| x.0) } else { &c.name };
                let phone = if rng.chance(0.1) {
                    String::new()
                } else {
                    write_phone(rng, &l.calling, &l.country, &c.switchboard)
                };
                let street =
                    if l.street_first { format!("{street_name} {number}") } else { format!("{number} {street_name}") };
                let country = rng.pick(&l.country_names).to_string();
                if rng.chance(0.5) {
                    let id = self.salesforce_id();
                    let row =
                        [&id, "", "", "", "", &phone, "", name, "", &street, &l.cities[city].0, &postcode, &country];
                    let mut row: Vec<String> = row.iter().map(|x| x.to_string()).collect();
                    row.extend(["".into(), fmt_date(date_in(rng, 2015, 2024), "us"), String::new()]);
                    self.sf.push(row);
                    self.truth.push(("crm_salesforce".into(), id, format!("O{ci}")));
                } else {
                    let id = self.italian_id();
                    let row = [&id, "", "", "", "", &phone, name, &street, &postcode, &l.cities[city].0, &country, ""];
                    let mut row: Vec<String> = row.iter().map(|x| x.to_string()).collect();
                    let (y, m, d) = date_in(rng, 2019, 2026);
                    row.push(format!("{d:02}/{m:02}/{y}"));
                    self.it.push(row);
                    self.truth.push(("contatti_it".into(), id, format!("O{ci}")));
                }
            }
        }
    }
}

/// Writes the exports, truth.csv and entities.csv.
fn write_files(dir: &Path, exports: Exports, people: &[Person], companies: &[Company]) -> Result<Generated> {
    let Exports { sf, hs, mut wb, it, truth, .. } = exports;
    // Sign-up tools export free text unquoted: a company name with the delimiter in it breaks the row.
    // These rows are not in the truth: crmclean must reject them with their line number.
    for i in 0..(wb.rows.len() / 400).max(1) {
        wb.raw_lines.push(format!("Nowak, Ewa;ewa.nowak{i}@wp.pl;+48 601 234 56{};Nowak; Syn;ul. Długa 5;00-950;Warszawa;Polska;;01.02.2024 10:00", i % 10));
    }
    let files = [
        ("crm_salesforce.csv", sf.to_bytes(b',', false, false)?),
        ("hubspot_export.csv", hs.to_bytes(b',', true, false)?),
        ("webinar_anmeldungen.csv", wb.to_bytes(b';', false, true)?),
        ("contatti_it.csv", it.to_bytes(b';', false, false)?),
    ];
    let entities = truth.iter().map(|(_, _, e)| e.as_str()).collect::<std::collections::HashSet<_>>().len();
    let mut out = Generated { entities, records: truth.len(), files: Vec::new() };
    for (name, bytes) in files {
        let path = dir.join(name);
        crate::io::write_atomic(&path, &bytes)?;
        out.files.push(path.display().to_string());
    }
    let mut t = Export::new(&["source", "record_id", "entity_id"]);
    for (s, r, e) in truth {
        t.push(vec![s, r, e]);
    }
    crate::io::write_atomic(&dir.join("truth.csv"), &t.to_bytes(b',', false, false)?)?;
    // The people's own values, for measuring golden records (benches/golden.py): a golden value is
    // right when it is one of these.
    let mut e =
        Export::new(&["entity_id", "first_name", "last_name", "emails", "phones", "company", "street", "postal_code"]);
    for p in people {
        let l = &pools().locale[p.locale];
        let emails: Vec<&str> = [&p.personal_email, &p.work_email].into_iter().flatten().map(String::as_str).collect();
        let phones: Vec<String> =
            [&p.mobile, &p.landline].into_iter().flatten().map(|n| format!("+{}{n}", l.calling)).collect();
        let company = p.company.map(|c| companies[c].name.clone()).unwrap_or_default();
        e.push(vec![
            format!("P{}", p.entity),
            p.first.clone(),
            p.last.clone(),
            emails.join(";"),
            phones.join(";"),
            company,
            p.street.clone(),
            p.postcode.clone(),
        ]);
    }
    crate::io::write_atomic(&dir.join("entities.csv"), &e.to_bytes(b',', false, false)?)?;
    Ok(out)
}

fn fmt_date((y, m, d): (i32, u32, u32), style: &str) -> String {
    match style {
        "us" => format!("{m}/{d}/{y}"),
        "de" => format!("{d:02}.{m:02}.{y} 10:{:02}", (d * 7) % 60),
        _ => format!("{y}-{m:02}-{d:02}T09:{:02}:00Z", (m * 5) % 60),
    }
}

/// One record's values as a source shows them.
struct Variant {
    salutation: String,
    first: String,
    last: String,
    email: String,
    phone: String,
    mobile: String,
    company: String,
    title: String,
    street: String,
    city: String,
    postcode: String,
    country: String,
    birth: Option<(i32, u32, u32)>,
    tags: String,
}

fn variant(rng: &mut Rng, p: &Person, companies: &[Company], later_copy: bool, hard: bool) -> Variant {
    let l = &pools().locale[p.locale];
    let mut first = p.first.clone();
    let mut last = p.last.clone();
    if let Some(maiden) = p.maiden.as_ref().filter(|_| rng.chance(0.4)) {
        last = maiden.clone();
    }
    // A record from before the person changed company: the old employer, title and mailbox.
    let previous = p.previous.as_ref().filter(|_| rng.chance(0.4));
    let company_index = previous.map(|(c, _)| *c).or(p.company);
    let work_email = match (previous, &p.work_email) {
        (Some((c, _)), Some(w)) => w.split_once('@').map(|(local, _)| format!("{local}@{}", companies[*c].domain)),
        _ => p.work_email.clone(),
    };
    (first, last) = messy_names(rng, first, last, later_copy, hard);
    // A salutation picked wrongly now and then.
    let female = if hard && rng.chance(0.03) { !p.female } else { p.female };
    let salutation = if rng.chance(0.5) { salutation_of(&l.country, female).to_string() } else { String::new() };
    let email = variant_email(rng, p, work_email.as_ref(), company_index.map(|c| &companies[c]));
    let (phone, mobile) = variant_phones(rng, p, company_index.map(|c| &companies[c]));
    let company = company_index
        .map(|c| {
            let name = &companies[c].name;
            if rng.chance(0.3) {
                // Drop or change the legal form.
                name.rsplit_once(' ').map(|x| x.0).unwrap_or(name).to_string()
            } else {
                name.clone()
            }
        })
        .unwrap_or_default();
    let street = variant_street(rng, p, later_copy);
    let missing_address = rng.chance(0.2);
    let (street, city, postcode) = if missing_address {
        (String::new(), String::new(), String::new())
    } else {
        (street, l.cities[p.city].0.to_string(), p.postcode.clone())
    };
    let country = if rng.chance(0.15) { String::new() } else { rng.pick(&l.country_names).to_string() };
    let tags = p.tags.iter().map(|&t| rng.pick(&pools().tags[t]).to_string()).collect::<Vec<_>>().join(";");
    let title = match (previous, p.company) {
        (Some((_, t)), _) => t.clone(),
        (None, Some(_)) => p.title.clone(),
        (None, None) => String::new(),
    };
    let birth = (!rng.chance(0.4)).then(|| birth_variant(rng, p.birth, hard));
    let mut v = Variant {
        salutation,
        first,
        last,
        email,
        phone,
        mobile,
        company,
        title,
        street,
        city,
        postcode,
        country,
        birth,
        tags,
    };
    if hard && rng.chance(0.05) {
        // A sign-up that asked for a name and an email only.
        (v.phone, v.mobile, v.company, v.title, v.street, v.city, v.postcode) = Default::default();
        v.birth = None;
    } else if hard && rng.chance(0.03) {
        // A call note: a name and a phone number.
        (v.email, v.company, v.title, v.street, v.city, v.postcode) = Default::default();
        v.birth = None;
    }
    v
}

/// The salutation a record of this country writes before a man's or a woman's name.
fn salutation_of(country: &str, female: bool) -> &'static str {
    match (country, female) {
        ("DE", false) => "Herr",
        ("DE", true) => "Frau",
        ("IT", false) => "Sig.",
        ("IT", true) => "Sig.ra",
        ("PL", false) => "Pan",
        ("PL", true) => "Pani",
        ("FR", false) => "M.",
        ("FR", true) => "Mme",
        ("ES", false) => "Sr.",
        ("ES", true) => "Sra.",
        ("ID", false) => "Bapak",
        ("ID", true) => "Ibu",
        (_, false) => "Mr.",
        (_, true) => "Ms.",
    }
}

/// A name as one record writes it: a nickname, transliterated, mistyped, in capitals, an initial,
/// or (with `hard`) first and last swapped.
fn messy_names(rng: &mut Rng, mut first: String, mut last: String, later_copy: bool, hard: bool) -> (String, String) {
    if rng.chance(0.15) {
        if let Some((_, nick)) = pools().nicknames.iter().find(|(f, _)| *f == first) {
            first = nick.to_string();
        }
    }
    if rng.chance(0.25) {
        // Transliterated: Müller → Mueller or Muller, Łukasz → Lukasz.
        let de = |s: &str| s.replace('ü', "ue").replace('ö', "oe").replace('ä', "ae").replace('ß', "ss");
        if rng.chance(0.5) {
            first = deunicode::deunicode(&de(&first));
            last = deunicode::deunicode(&de(&last));
        } else {
            first = deunicode::deunicode(&first);
            last = deunicode::deunicode(&last);
        }
    }
    let typo_rate = if later_copy { 0.12 } else { 0.05 };
    if rng.chance(typo_rate) {
        last = typo(rng, &last);
    } else if rng.chance(typo_rate) {
        first = typo(rng, &first);
    }
    if rng.chance(0.05) {
        first = first.to_uppercase();
        last = last.to_uppercase();
    } else if rng.chance(0.04) {
        first = first.to_lowercase();
        last = last.to_lowercase();
    }
    if rng.chance(0.04) {
        first = first.chars().next().map(|c| format!("{c}.")).unwrap_or_default();
    }
    if hard && rng.chance(0.03) {
        // Typed into each other's boxes.
        std::mem::swap(&mut first, &mut last);
    }
    (first, last)
}

/// The email a record shows: the work or the personal address, sometimes missing, sometimes messy.
fn variant_email(rng: &mut Rng, p: &Person, work_email: Option<&String>, company: Option<&Company>) -> String {
    let options: Vec<&String> = work_email.into_iter().chain(&p.personal_email).collect();
    let mut email = if options.is_empty() || rng.chance(0.12) { String::new() } else { rng.pick(&options).to_string() };
    if !email.is_empty() && rng.chance(0.15) {
        email = email.to_uppercase();
    }
    if !email.is_empty() && rng.chance(0.02) {
        email = email.replace('@', "@@");
    }
    if email.is_empty() && rng.chance(0.1) {
        email = rng.pick(&["noemail@noemail.com", "test@test.com", "n/a"]).to_string();
    }
    if let Some(c) = company {
        if email.is_empty() && rng.chance(0.05) {
            email = format!("info@{}", c.domain);
        }
    }
    email
}

/// The landline (or the company's switchboard) and the mobile a record shows, as written in its country.
fn variant_phones(rng: &mut Rng, p: &Person, company: Option<&Company>) -> (String, String) {
    let l = &pools().locale[p.locale];
    let phone_of = |rng: &mut Rng, nsn: &Option<String>| {
        nsn.as_ref().map(|n| write_phone(rng, &l.calling, &l.country, n)).unwrap_or_default()
    };
    let mut phone = phone_of(rng, &p.landline);
    if let Some(c) = company {
        if phone.is_empty() && rng.chance(0.5) {
            phone = write_phone(rng, &l.calling, &l.country, &c.switchboard);
        }
    }
    let mut mobile = phone_of(rng, &p.mobile);
    if rng.chance(0.15) {
        phone.clear();
    }
    if rng.chance(0.15) {
        mobile.clear();
    }
    (phone, mobile)
}

/// The street and house number as a record writes them: abbreviated, or mistyped on a later copy.
fn variant_street(rng: &mut Rng, p: &Person, later_copy: bool) -> String {
    let l = &pools().locale[p.locale];
    let mut street_name = p.street.clone();
    if rng.chance(0.3) {
        street_name = street_name
            .replace("Street", "St.")
            .replace("straße", "str.")
            .replace("Avenue", "Ave")
            .replace("Jalan", "Jl.")
            .replace("Via ", "V. ")
            .replace("Calle", "C/")
            .replace("Boulevard", "Blvd");
    }
    if later_copy && rng.chance(0.05) {
        street_name = typo(rng, &street_name);
    }
    if l.street_first {
        format!("{street_name} {}", p.number)
    } else {
        format!("{} {street_name}", p.number)
    }
}

/// A birth date as a record writes it; with `hard`, now and then with one digit mistyped or the day
/// and month swapped.
fn birth_variant(rng: &mut Rng, (y, m, d): (i32, u32, u32), hard: bool) -> (i32, u32, u32) {
    if !hard {
        (y, m, d)
    } else if rng.chance(0.03) {
        // One digit mistyped: the day's or the year's last one.
        if rng.chance(0.5) {
            (y, m, (d / 10 * 10 + (d + 1 + rng.below(8) as u32) % 10).clamp(1, 28))
        } else {
            (y / 10 * 10 + (y + 1 + rng.below(8) as i32) % 10, m, d)
        }
    } else if d <= 12 && d != m && rng.chance(0.02) {
        (y, d, m)
    } else {
        (y, m, d)
    }
}

struct Export {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Lines written as they are, after the rows: broken rows a real export has.
    raw_lines: Vec<String>,
}

impl Export {
    fn new(header: &[&str]) -> Self {
        Export { header: header.iter().map(|s| s.to_string()).collect(), rows: Vec::new(), raw_lines: Vec::new() }
    }
    fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }
    fn to_bytes(&self, delimiter: u8, bom: bool, windows_1252: bool) -> Result<Vec<u8>> {
        let mut w =
            csv::WriterBuilder::new().delimiter(delimiter).terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        let err = |e: csv::Error| Error::output("<generated>", e.to_string(), "report this as a bug");
        w.write_record(&self.header).map_err(err)?;
        for r in &self.rows {
            w.write_record(r).map_err(err)?;
        }
        let bytes = w.into_inner().map_err(|e| Error::output("<generated>", e.to_string(), "report this as a bug"))?;
        let mut text = String::from_utf8(bytes)
            .map_err(|e| Error::output("<generated>", e.to_string(), "report this as a bug"))?;
        for line in &self.raw_lines {
            text.push_str(line);
            text.push_str("\r\n");
        }
        if windows_1252 {
            // Excel on European Windows: characters outside Windows-1252 are transliterated.
            let fitted: String = text
                .chars()
                .map(|c| {
                    let mut buf = [0u8; 4];
                    let (_, _, bad) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
                    if bad {
                        deunicode::deunicode_char(c).unwrap_or("?").to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&fitted);
            return Ok(bytes.into_owned());
        }
        let mut out = Vec::with_capacity(text.len() + 3);
        if bom {
            out.extend_from_slice(b"\xEF\xBB\xBF");
        }
        out.extend_from_slice(text.as_bytes());
        Ok(out)
    }
}
