//! The canonical contact schema and the header auto-mapping that fills it.
//!
//! Exports from Salesforce, HubSpot, ActiveCampaign, Zoho, Pipedrive, Dynamics, Mailchimp, event sign-up
//! tools, spreadsheets and Febrl name the same thing in many ways and languages ("Mailing Zip/Postal Code",
//! "PLZ", "CAP", "Kod pocztowy", "Kode Pos", "Code postal", "Código postal"). [`guess_field`] maps a header to
//! a [`Field`]; headers it does not know stay as extra columns and are kept as they are.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// A field of the canonical contact schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Id,
    Salutation,
    FirstName,
    MiddleName,
    LastName,
    FullName,
    Email,
    Phone,
    Mobile,
    Company,
    JobTitle,
    Website,
    StreetNumber,
    Street,
    Street2,
    City,
    Region,
    PostalCode,
    Country,
    BirthDate,
    BirthYear,
    BirthMonth,
    BirthDay,
    Gender,
    NationalId,
    Created,
    LastActivity,
    Tags,
    Fax,
    BirthPlace,
    Occupation,
    /// Opted out of email (unsubscribed, do not email): yes/no.
    EmailOptOut,
    /// Do not call: yes/no.
    DoNotCall,
    /// When consent was given or withdrawn.
    ConsentDate,
}

impl Field {
    /// Every field, in schema order (the order of golden-record columns).
    pub const ALL: [Field; 34] = [
        Field::Id,
        Field::Salutation,
        Field::FirstName,
        Field::MiddleName,
        Field::LastName,
        Field::FullName,
        Field::Email,
        Field::Phone,
        Field::Mobile,
        Field::Company,
        Field::JobTitle,
        Field::Website,
        Field::StreetNumber,
        Field::Street,
        Field::Street2,
        Field::City,
        Field::Region,
        Field::PostalCode,
        Field::Country,
        Field::BirthDate,
        Field::BirthYear,
        Field::BirthMonth,
        Field::BirthDay,
        Field::Gender,
        Field::NationalId,
        Field::Created,
        Field::LastActivity,
        Field::Tags,
        Field::Fax,
        Field::BirthPlace,
        Field::Occupation,
        Field::EmailOptOut,
        Field::DoNotCall,
        Field::ConsentDate,
    ];

    /// The snake_case name used in configs, `--map` and output headers.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Salutation => "salutation",
            Field::FirstName => "first_name",
            Field::MiddleName => "middle_name",
            Field::LastName => "last_name",
            Field::FullName => "full_name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Mobile => "mobile",
            Field::Company => "company",
            Field::JobTitle => "job_title",
            Field::Website => "website",
            Field::StreetNumber => "street_number",
            Field::Street => "street",
            Field::Street2 => "street2",
            Field::City => "city",
            Field::Region => "region",
            Field::PostalCode => "postal_code",
            Field::Country => "country",
            Field::BirthDate => "birth_date",
            Field::BirthYear => "birth_year",
            Field::BirthMonth => "birth_month",
            Field::BirthDay => "birth_day",
            Field::Gender => "gender",
            Field::NationalId => "national_id",
            Field::Created => "created",
            Field::LastActivity => "last_activity",
            Field::Tags => "tags",
            Field::Fax => "fax",
            Field::BirthPlace => "birth_place",
            Field::Occupation => "occupation",
            Field::EmailOptOut => "email_opt_out",
            Field::DoNotCall => "do_not_call",
            Field::ConsentDate => "consent_date",
        }
    }

    /// Parses a field name as written in a config or `--map`.
    pub fn from_name(name: &str) -> Option<Field> {
        let n = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Field::ALL.into_iter().find(|f| f.name() == n)
    }

    /// Whether several columns may map to this field (alternate emails and phones are kept).
    pub fn multi_valued(self) -> bool {
        matches!(self, Field::Email | Field::Phone | Field::Mobile | Field::Tags)
    }
}

/// Normalizes a header for lookup: ASCII transliteration, lowercase, every run of non-alphanumerics to
/// one space. `" Mailing Zip/Postal Code"` becomes `"mailing zip postal code"`, `"Straße"` `"strasse"`.
pub fn header_key(header: &str) -> String {
    // "N°", "Nº": the sign is the "o" of "numero", not a degree.
    let ascii = deunicode::deunicode(&header.replace(['°', 'º'], "o")).to_ascii_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim_end().to_string()
}

/// Known headers, already in [`header_key`] form, per field: `src/data/headers.tsv`, compiled in. English,
/// German, Italian, Polish, Indonesian, French, Spanish, Dutch, Portuguese, Swedish and Czech, plus the
/// spellings of the common CRM and sign-up exports and of database-style exports (`fname`, `dob_mon`).
const HEADERS_TSV: &str = include_str!("data/headers.tsv");

/// The built-in synonym table, parsed once.
fn builtin() -> &'static HashMap<String, Field> {
    static TABLE: std::sync::OnceLock<HashMap<String, Field>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        HEADERS_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let (key, field) = l.split_once('\t')?;
                Some((key.to_string(), Field::from_name(field)?))
            })
            .collect()
    })
}

/// Words that mark a name as an organisation's (legal forms and kinds of organisation:
/// `src/data/organisation_words.txt`), as [`header_key`] writes them.
pub fn organisation_words() -> &'static std::collections::HashSet<&'static str> {
    static WORDS: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| word_list(include_str!("data/organisation_words.txt")))
}

/// The entries of a one-word-per-line data file: `#` lines are comments, blank lines are skipped.
pub fn word_list(text: &'static str) -> std::collections::HashSet<&'static str> {
    crate::data::lines(text).collect()
}

/// A column of the golden record. `GoldenField::ALL` is the output order, and a golden record's
/// values are indexed by `field as usize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GoldenField {
    FirstName,
    MiddleName,
    LastName,
    Email,
    OtherEmails,
    Phone,
    OtherPhones,
    Company,
    JobTitle,
    Street,
    City,
    Region,
    PostalCode,
    Country,
    BirthDate,
    NationalId,
    Tags,
    Created,
    LastActivity,
    EmailOptOut,
    DoNotCall,
    ConsentDate,
}

impl GoldenField {
    /// Every golden field, in output order.
    pub const ALL: [GoldenField; 22] = [
        GoldenField::FirstName,
        GoldenField::MiddleName,
        GoldenField::LastName,
        GoldenField::Email,
        GoldenField::OtherEmails,
        GoldenField::Phone,
        GoldenField::OtherPhones,
        GoldenField::Company,
        GoldenField::JobTitle,
        GoldenField::Street,
        GoldenField::City,
        GoldenField::Region,
        GoldenField::PostalCode,
        GoldenField::Country,
        GoldenField::BirthDate,
        GoldenField::NationalId,
        GoldenField::Tags,
        GoldenField::Created,
        GoldenField::LastActivity,
        GoldenField::EmailOptOut,
        GoldenField::DoNotCall,
        GoldenField::ConsentDate,
    ];

    /// The column name in golden.csv (and in `[merge.fields]`).
    pub const fn name(self) -> &'static str {
        match self {
            GoldenField::FirstName => "first_name",
            GoldenField::MiddleName => "middle_name",
            GoldenField::LastName => "last_name",
            GoldenField::Email => "email",
            GoldenField::OtherEmails => "other_emails",
            GoldenField::Phone => "phone",
            GoldenField::OtherPhones => "other_phones",
            GoldenField::Company => "company",
            GoldenField::JobTitle => "job_title",
            GoldenField::Street => "street",
            GoldenField::City => "city",
            GoldenField::Region => "region",
            GoldenField::PostalCode => "postal_code",
            GoldenField::Country => "country",
            GoldenField::BirthDate => "birth_date",
            GoldenField::NationalId => "national_id",
            GoldenField::Tags => "tags",
            GoldenField::Created => "created",
            GoldenField::LastActivity => "last_activity",
            GoldenField::EmailOptOut => "email_opt_out",
            GoldenField::DoNotCall => "do_not_call",
            GoldenField::ConsentDate => "consent_date",
        }
    }

    /// The golden field named `name`, as golden.csv writes it.
    pub fn parse(name: &str) -> Option<GoldenField> {
        GoldenField::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The golden field a schema field fills, if any.
    pub fn of(field: Field) -> Option<GoldenField> {
        GoldenField::parse(field.name())
    }
}

/// Columns of the golden record, in output order: [`GoldenField::ALL`]'s names.
pub const GOLDEN_FIELDS: [&str; 22] = {
    let mut names = [""; GoldenField::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = GoldenField::ALL[i].name();
        i += 1;
    }
    names
};

/// Header synonyms added by the user (`[headers]` in crmclean.toml), keys in [`header_key`] form.
pub type Synonyms = HashMap<String, Field>;

/// Leading words that qualify a field without changing it ("Mailing City", "Billing Street",
/// "Person - Email", "Contact Phone").
const QUALIFIERS: &[&str] = &[
    "mailing",
    "billing",
    "shipping",
    "other",
    "contact",
    "primary",
    "main",
    "person",
    "lead",
    "customer",
    "client",
    "personal",
    "private",
    "home",
    "work",
    "business",
    "default",
    "your",
    "kontakt",
    "privat",
    "geschaftlich",
    "dein",
    "ihr",
];

/// Guesses the canonical field of one header, or `None` for a column to keep as-is.
///
/// ```
/// use crmclean::schema::{guess_field, Field};
/// assert_eq!(guess_field(" given_name"), Some(Field::FirstName));
/// assert_eq!(guess_field("Mailing Zip/Postal Code"), Some(Field::PostalCode));
/// assert_eq!(guess_field("Kod pocztowy"), Some(Field::PostalCode));
/// assert_eq!(guess_field("Favourite colour"), None);
/// ```
pub fn guess_field(header: &str) -> Option<Field> {
    guess_field_with(header, &Synonyms::new())
}

/// [`guess_field`] with the user's own synonyms, which win over the built-in ones.
pub fn guess_field_with(header: &str, own: &Synonyms) -> Option<Field> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    let mut words: Vec<&str> = key.split(' ').collect();
    loop {
        let candidate = words.join(" ");
        if let Some(f) = own.get(&candidate).or_else(|| builtin().get(&candidate)).copied() {
            return Some(f);
        }
        // "fname_c1", "email 2", "phone_3": a trailing counter does not change the field.
        let last = words.last().copied().unwrap_or("");
        let is_counter = last.chars().all(|c| c.is_ascii_digit())
            || (last.len() <= 3
                && last.starts_with('c')
                && last[1..].chars().all(|c| c.is_ascii_digit())
                && last.len() > 1);
        if words.len() > 1 && is_counter {
            words.pop();
            continue;
        }
        // "surname2", "email3": a counter glued to the last word.
        let stem = last.trim_end_matches(|c: char| c.is_ascii_digit());
        if stem.len() >= 3 && stem.len() < last.len() {
            let n = words.len();
            let glued = words[n - 1];
            words[n - 1] = &glued[..stem.len()];
            continue;
        }
        if words.len() > 1 && QUALIFIERS.contains(&words[0]) {
            words.remove(0);
            continue;
        }
        // Dynamics 365: "(Do Not Modify) Modified On", "Address 1: Street 1".
        if words.len() > 3 && words[..3] == ["do", "not", "modify"] {
            words.drain(..3);
            continue;
        }
        if words.len() > 2 && words[0] == "address" && words[1].chars().all(|c| c.is_ascii_digit()) {
            words.drain(..2);
            continue;
        }
        // Google Contacts: "Organization 1 - Name", "Relation 2 - Type": a counter inside the header.
        if let Some(i) = (1..words.len().saturating_sub(1)).find(|&i| words[i].chars().all(|c| c.is_ascii_digit())) {
            words.remove(i);
            continue;
        }
        break;
    }
    dynamics_schema_name(&key).or_else(|| fallback(&key))
}

/// Dynamics 365 exports with schema names instead of display names: `emailaddress1`, `telephone2`,
/// `address1_line1`, `address1_postalcode`, `parentcustomerid`.
fn dynamics_schema_name(key: &str) -> Option<Field> {
    let base = key.trim_end_matches(|c: char| c.is_ascii_digit());
    match base {
        "emailaddress" => return Some(Field::Email),
        "telephone" | "business phone" => return Some(Field::Phone),
        "mobilephone" => return Some(Field::Mobile),
        "parentcustomerid" | "parentcustomeridname" => return Some(Field::Company),
        _ => {}
    }
    let (first, rest) = key.split_once(' ')?;
    if !(first.starts_with("address") && first[7..].chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    match rest {
        "line1" => Some(Field::Street),
        "line2" | "line3" => Some(Field::Street2),
        "city" => Some(Field::City),
        "postalcode" => Some(Field::PostalCode),
        "country" => Some(Field::Country),
        "stateorprovince" => Some(Field::Region),
        _ => None,
    }
}

/// Word-level rules for headers not in the table ("Email Address (Work)", "Contact Mobile Phone #").
fn fallback(key: &str) -> Option<Field> {
    let words: Vec<&str> = key.split(' ').collect();
    let has = |w: &str| words.contains(&w);
    // "HubSpot ID", "Lead ID", "Subscriber Id": the record's own id — not "Account ID" or "Owner ID".
    const OWN: &[&str] = &[
        "contact",
        "lead",
        "person",
        "customer",
        "subscriber",
        "member",
        "record",
        "hubspot",
        "salesforce",
        "zoho",
        "crm",
        "attendee",
        "registrant",
        "participant",
        "kontakt",
        "kunden",
        "cliente",
        "klient",
        "pelanggan",
        "client",
        "contatto",
    ];
    if words.len() == 2 && words[1] == "id" && OWN.contains(&words[0]) {
        return Some(Field::Id);
    }
    if has("email") || has("mail") || key.contains("e mail") {
        return Some(Field::Email);
    }
    if has("mobile") || has("cell") || has("handy") || has("cellulare") || has("movil") {
        return Some(Field::Mobile);
    }
    if has("phone") || has("telephone") || has("telefon") || has("telefono") || has("telepon") {
        return Some(Field::Phone);
    }
    if (has("zip") || has("postal") || has("postcode")) && !has("city") {
        return Some(Field::PostalCode);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Field::*;

    /// `GoldenField::ALL` is in declaration order (golden values are indexed by `field as usize`),
    /// its names are unique and parse back, and every golden field a schema field fills is found.
    #[test]
    fn golden_fields_index_and_name_themselves() {
        for (i, f) in GoldenField::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i, "{f:?}");
            assert_eq!(GoldenField::parse(f.name()), Some(f));
            assert_eq!(GOLDEN_FIELDS[i], f.name());
        }
        assert_eq!(GoldenField::parse("frist_name"), None);
        assert_eq!(GoldenField::of(Field::Email), Some(GoldenField::Email));
        assert_eq!(GoldenField::of(Field::DoNotCall), Some(GoldenField::DoNotCall));
        assert_eq!(GoldenField::of(Field::FullName), None);
    }

    /// `Field::ALL` lists every field in declaration order, so `field as usize` indexes it.
    #[test]
    fn all_fields_in_order() {
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i, "{f:?}");
        }
    }

    /// A user's `[headers]` entry is a synonym like the built-in ones: qualifiers and counters apply.
    #[test]
    fn own_synonyms_extend_the_table() {
        let own: Synonyms = [("kd nr".to_string(), Id), ("zuname x".to_string(), LastName)].into_iter().collect();
        assert_eq!(guess_field_with("Kd.-Nr.", &own), Some(Id));
        assert_eq!(guess_field_with("Kd-Nr 2", &own), Some(Id));
        assert_eq!(guess_field_with("Zuname (x)", &own), Some(LastName));
        assert_eq!(guess_field("Kd.-Nr."), Some(Id), "built in too");
        assert_eq!(guess_field_with("Vorname", &own), Some(FirstName));
    }

    /// Headers as real exports write them, and the field each is.
    const REAL_EXPORT_HEADERS: &[(&str, Option<Field>)] = &[
        // Salesforce
        ("Contact ID", Some(Id)),
        ("Salutation", Some(Salutation)),
        ("Mailing Street", Some(Street)),
        ("Mailing Zip/Postal Code", Some(PostalCode)),
        ("Mailing State/Province", Some(Region)),
        ("Mailing Country", Some(Country)),
        ("Birthdate", Some(BirthDate)),
        ("Account Name", Some(Company)),
        ("Title", Some(JobTitle)),
        ("Mobile", Some(Mobile)),
        ("Last Activity", Some(LastActivity)),
        // HubSpot
        ("Record ID", Some(Id)),
        ("Phone Number", Some(Phone)),
        ("Street Address", Some(Street)),
        ("State/Region", Some(Region)),
        ("Country/Region", Some(Country)),
        ("Create Date", Some(Created)),
        ("Last Activity Date", Some(LastActivity)),
        ("Company Name", Some(Company)),
        ("Job Title", Some(JobTitle)),
        // Zoho
        ("Record Id", Some(Id)),
        ("Mailing Zip", Some(PostalCode)),
        ("Date of Birth", Some(BirthDate)),
        ("Created Time", Some(Created)),
        ("Modified Time", Some(LastActivity)),
        ("Tag", Some(Tags)),
        // Dynamics 365 schema names, Google Contacts, Brevo
        ("emailaddress1", Some(Email)),
        ("emailaddress2", Some(Email)),
        ("telephone1", Some(Phone)),
        ("mobilephone", Some(Mobile)),
        ("address1_line1", Some(Street)),
        ("address1_city", Some(City)),
        ("address1_postalcode", Some(PostalCode)),
        ("address1_country", Some(Country)),
        ("parentcustomerid", Some(Company)),
        ("Organization 1 - Name", Some(Company)),
        ("E-mail 1 - Value", Some(Email)),
        ("SMS", Some(Mobile)),
        // Dutch, Portuguese, Swedish, Czech
        ("Voornaam", Some(FirstName)),
        ("Achternaam", Some(LastName)),
        ("Woonplaats", Some(City)),
        ("Huisnummer", Some(StreetNumber)),
        ("Geboortedatum", Some(BirthDate)),
        ("Sobrenome", Some(LastName)),
        ("CEP", Some(PostalCode)),
        ("Endereço", Some(Street)),
        ("Förnamn", Some(FirstName)),
        ("E-post", Some(Email)),
        ("Příjmení", Some(LastName)),
        ("PSČ", Some(PostalCode)),
        // Pipedrive
        ("Person - Name", Some(FullName)),
        ("Person - Email - Work", Some(Email)),
        ("Person - Phone - Mobile", Some(Mobile)),
        ("Person - Organization", Some(Company)),
        ("Organization - Name", Some(Company)),
        ("Person - ID", Some(Id)),
        // Dynamics 365
        ("(Do Not Modify) Contact", Some(Id)),
        ("(Do Not Modify) Modified On", Some(LastActivity)),
        ("(Do Not Modify) Row Checksum", None),
        ("Full Name", Some(FullName)),
        ("Business Phone", Some(Phone)),
        ("Mobile Phone", Some(Mobile)),
        ("Address 1: Street 1", Some(Street)),
        ("Address 1: City", Some(City)),
        ("Address 1: ZIP/Postal Code", Some(PostalCode)),
        ("Address 1: Country/Region", Some(Country)),
        // Mailchimp
        ("Email Address", Some(Email)),
        ("Address", Some(Street)),
        ("Birthday", Some(BirthDate)),
        ("OPTIN_TIME", Some(Created)),
        ("LAST_CHANGED", Some(LastActivity)),
        ("LEID", Some(Id)),
        ("TAGS", Some(Tags)),
        ("CC", Some(Country)),
        ("REGION", Some(Region)),
        ("MEMBER_RATING", None),
        ("LATITUDE", None),
        // ActiveCampaign and sign-up tools
        ("Organization", Some(Company)),
        ("Date Created", Some(Created)),
        ("Attendee Name", Some(FullName)),
        ("Registration Date", Some(Created)),
        // Febrl
        (" given_name", Some(FirstName)),
        (" surname", Some(LastName)),
        (" street_number", Some(StreetNumber)),
        (" address_1", Some(Street)),
        (" address_2", Some(Street2)),
        (" suburb", Some(City)),
        (" postcode", Some(PostalCode)),
        (" state", Some(Region)),
        (" date_of_birth", Some(BirthDate)),
        (" soc_sec_id", Some(NationalId)),
        ("rec_id", Some(Id)),
        // German
        ("Vorname", Some(FirstName)),
        ("Nachname", Some(LastName)),
        ("E-Mail-Adresse", Some(Email)),
        ("Telefonnummer", Some(Phone)),
        ("Handynummer", Some(Mobile)),
        ("Straße", Some(Street)),
        ("Hausnummer", Some(StreetNumber)),
        ("PLZ", Some(PostalCode)),
        ("Ort", Some(City)),
        ("Land", Some(Country)),
        ("Geburtsdatum", Some(BirthDate)),
        ("Firma", Some(Company)),
        ("Anrede", Some(Salutation)),
        // Italian
        ("Nome", Some(FirstName)),
        ("Cognome", Some(LastName)),
        ("Cellulare", Some(Mobile)),
        ("Azienda", Some(Company)),
        ("Indirizzo", Some(Street)),
        ("CAP", Some(PostalCode)),
        ("Città", Some(City)),
        ("Provincia", Some(Region)),
        ("Data di nascita", Some(BirthDate)),
        ("Codice fiscale", Some(NationalId)),
        // Polish
        ("Imię", Some(FirstName)),
        ("Nazwisko", Some(LastName)),
        ("Telefon komórkowy", Some(Mobile)),
        ("Ulica", Some(Street)),
        ("Kod pocztowy", Some(PostalCode)),
        ("Miejscowość", Some(City)),
        ("Kraj", Some(Country)),
        ("Data urodzenia", Some(BirthDate)),
        ("Województwo", Some(Region)),
        ("PESEL", Some(NationalId)),
        // Indonesian
        ("Nama Depan", Some(FirstName)),
        ("Nama Belakang", Some(LastName)),
        ("Nama Lengkap", Some(FullName)),
        ("No. HP", Some(Mobile)),
        ("Nomor Telepon", Some(Phone)),
        ("Perusahaan", Some(Company)),
        ("Alamat", Some(Street)),
        ("Kota", Some(City)),
        ("Kode Pos", Some(PostalCode)),
        ("Tanggal Lahir", Some(BirthDate)),
        ("NIK", Some(NationalId)),
        // French
        ("Prénom", Some(FirstName)),
        ("Nom", Some(LastName)),
        ("Courriel", Some(Email)),
        ("Téléphone", Some(Phone)),
        ("Portable", Some(Mobile)),
        ("Société", Some(Company)),
        ("Adresse", Some(Street)),
        ("Code postal", Some(PostalCode)),
        ("Ville", Some(City)),
        ("Pays", Some(Country)),
        ("Date de naissance", Some(BirthDate)),
        // Spanish
        ("Nombre", Some(FirstName)),
        ("Apellidos", Some(LastName)),
        ("Correo electrónico", Some(Email)),
        ("Teléfono", Some(Phone)),
        ("Móvil", Some(Mobile)),
        ("Empresa", Some(Company)),
        ("Dirección", Some(Street)),
        ("Código postal", Some(PostalCode)),
        ("Ciudad", Some(City)),
        ("País", Some(Country)),
        ("Fecha de nacimiento", Some(BirthDate)),
        ("DNI", Some(NationalId)),
        // Database-style and benchmark exports (ESSnet census, NCVR, Splink, dedupe, restaurant guides)
        ("pername1", Some(FirstName)),
        ("pername2", Some(LastName)),
        ("dob_day", Some(BirthDay)),
        ("dob_mon", Some(BirthMonth)),
        ("dob_year", Some(BirthYear)),
        ("hse_num", Some(StreetNumber)),
        ("enumcap", Some(Street)),
        ("enumpc", Some(PostalCode)),
        ("str_nam", Some(Street)),
        ("givenname", Some(FirstName)),
        ("suburb", Some(City)),
        ("fname", Some(FirstName)),
        ("lname", Some(LastName)),
        ("sname", Some(LastName)),
        ("forename", Some(FirstName)),
        ("surname2", Some(LastName)),
        ("given_name_c1", Some(FirstName)),
        ("surname_c2", Some(LastName)),
        ("dob", Some(BirthDate)),
        ("bm", Some(BirthMonth)),
        ("bd", Some(BirthDay)),
        ("birth_year", Some(BirthYear)),
        ("addr", Some(Street)),
        ("zipcode", Some(PostalCode)),
        ("locality", Some(City)),
        ("first_and_surname", Some(FullName)),
        ("birth_place", Some(BirthPlace)),
        ("occupation", Some(Occupation)),
        ("Site name", Some(Company)),
        ("Fax", Some(Fax)),
        ("postcode_fake", Some(PostalCode)),
        ("unique_id", Some(Id)),
        // Record ids and dates in the supported languages
        ("Lead-Nr", Some(Id)),
        ("Kundennummer", Some(Id)),
        ("Nummer", Some(Id)),
        ("Numer", Some(Id)),
        ("Nomor", Some(Id)),
        ("Codice", Some(Id)),
        ("Código", Some(Id)),
        ("N°", Some(Id)),
        ("Référence", Some(Id)),
        ("Kennung", Some(Id)),
        ("Erfasst am", Some(Created)),
        ("Angelegt am", Some(Created)),
        ("Geändert am", Some(LastActivity)),
        ("Data utworzenia", Some(Created)),
        ("Tanggal dibuat", Some(Created)),
        ("Data di creazione", Some(Created)),
        ("Fecha de creación", Some(Created)),
        ("Date de création", Some(Created)),
        ("Geburtsort", Some(BirthPlace)),
        ("Beruf", Some(Occupation)),
        // Unknown
        ("Favourite colour", None),
        ("Notes", None),
        ("Lead Status", None),
    ];

    /// Headers as real exports write them.
    #[test]
    fn headers_of_real_exports() {
        let cases = REAL_EXPORT_HEADERS;
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(h, want)| guess_field(h) != *want)
            .map(|(h, want)| format!("{h:?}: got {:?}, want {want:?}", guess_field(h)))
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}
