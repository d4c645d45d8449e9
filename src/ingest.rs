//! Step 1, ingest: load CSV exports into polars frames and account for every row.
//!
//! Each input file becomes a [`Source`]: its bytes are decoded (UTF-8 with or without BOM, UTF-16 with a
//! BOM, else Windows-1252 as Excel writes on European Windows), the delimiter is sniffed (`,` `;` tab `|`),
//! the rows are parsed with the `csv` crate (quoted fields with delimiters and newlines, CRLF), and every
//! value is kept as text in a polars [`DataFrame`]. Headers are trimmed and mapped to the canonical
//! schema (see [`crate::schema`]).
//!
//! Ragged rows (more or fewer fields than the header) and rows without any value do not stop the run:
//! they go to `rejects.csv` with their line number and reason. Trailing empty fields beyond the header
//! (a trailing delimiter, common in Excel exports) are tolerated.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use crate::config::{Config, MapTarget};
use crate::error::{Error, Result};
use crate::schema::{guess_field, guess_field_with, header_key, Field, Synonyms};

pub mod infer;

/// How one input column was mapped.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnMap {
    /// The header as written (trimmed).
    pub header: String,
    /// The canonical field, or `None` for a column kept as-is.
    pub field: Option<Field>,
    /// What decided the mapping.
    pub how: MappedBy,
    /// How sure the mapping is, 0 to 1: 1 for config, 0.9 for a known header, the share of values
    /// that fit for a mapping by values.
    pub confidence: f64,
    /// Why, in words, when the values decided.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub evidence: String,
}

/// What decided a column's mapping (summary.json and the report write it in lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MappedBy {
    /// A known header.
    Header,
    /// What the column holds (see [`infer`]).
    Values,
    /// `--map`, `[mapping]` or `[headers]`.
    Config,
    /// Left out: by configuration, or a copy of another column.
    Ignored,
}

impl MappedBy {
    pub fn name(self) -> &'static str {
        match self {
            MappedBy::Header => "header",
            MappedBy::Values => "values",
            MappedBy::Config => "config",
            MappedBy::Ignored => "ignored",
        }
    }
}

impl ColumnMap {
    /// A column mapped by its header alone (`None`: not a known header).
    pub fn by_header(header: &str, field: Option<Field>) -> ColumnMap {
        ColumnMap {
            header: header.to_string(),
            field,
            how: MappedBy::Header,
            confidence: if field.is_some() { 0.9 } else { 0.0 },
            evidence: String::new(),
        }
    }
}

/// One loaded input file.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file stem: the `source` column of every output.
    pub name: String,
    pub path: PathBuf,
    /// Text encoding the file was decoded from.
    pub encoding: &'static str,
    pub delimiter: char,
    /// Accepted rows; one `String` column per header, nulls for empty cells.
    pub frame: DataFrame,
    /// The header mapping, one entry per column of `frame`.
    pub columns: Vec<ColumnMap>,
    /// Header of the record-id column, if one was found.
    pub id_column: Option<String>,
    /// `record_id` of each accepted row.
    pub record_ids: Vec<String>,
    /// Physical line number (1-based) where each accepted row starts.
    pub lines: Vec<u64>,
    /// Data rows read (accepted + rejected).
    pub rows_read: usize,
    /// Record ids that occur more than once in this file.
    pub duplicate_ids: Vec<String>,
}

impl Source {
    /// Number of rows with a value in any column mapped to `field`.
    pub fn filled(&self, field: Field) -> usize {
        let cols: Vec<&StringChunked> =
            self.columns_for(field).filter_map(|h| self.frame.column(h).ok()?.str().ok()).collect();
        (0..self.frame.height()).filter(|&row| cols.iter().any(|c| c.get(row).is_some())).count()
    }

    /// Column headers mapped to `field`, in file order.
    pub fn columns_for(&self, field: Field) -> impl Iterator<Item = &str> {
        self.columns.iter().filter(move |c| c.field == Some(field)).map(|c| c.header.as_str())
    }
}

/// A data row that could not be used, with the reason.
#[derive(Debug, Clone, Serialize)]
pub struct Reject {
    pub source: String,
    pub file: String,
    pub line: u64,
    pub reason: String,
    /// The row's fields joined with the file's delimiter, cut to 500 characters.
    pub raw: String,
}

/// Everything ingest produced.
#[derive(Debug, Clone, Default)]
pub struct Ingested {
    pub sources: Vec<Source>,
    pub rejects: Vec<Reject>,
    /// Messages for the run summary (decoding notes, duplicate ids, ...).
    pub notes: Vec<String>,
}

impl Ingested {
    /// Number of accepted records over all sources.
    pub fn record_count(&self) -> usize {
        self.sources.iter().map(|s| s.frame.height()).sum()
    }
}

/// Loads every input file. Fails on the first file that cannot be used at all.
pub fn ingest(paths: &[PathBuf], cfg: &Config) -> Result<Ingested> {
    use rayon::prelude::*;
    // Files are read in parallel; results, rejects and notes are kept in input order.
    type Loaded = (Source, Vec<Reject>, Vec<String>);
    let loaded: Vec<Result<Loaded>> = paths
        .par_iter()
        .map(|path| {
            let (mut rejects, mut notes) = (Vec::new(), Vec::new());
            load_file(path, cfg, &mut rejects, &mut notes).map(|s| (s, rejects, notes))
        })
        .collect();
    let mut out = Ingested::default();
    let mut names: HashMap<String, PathBuf> = HashMap::new();
    for (path, loaded) in paths.iter().zip(loaded) {
        let (source, rejects, notes) = loaded?;
        out.rejects.extend(rejects);
        out.notes.extend(notes);
        if let Some(prev) = names.insert(source.name.clone(), path.clone()) {
            return Err(Error::input(
                path,
                None,
                format!("has the same file name (source \"{}\") as {}", source.name, prev.display()),
                "each input's file name identifies its records in the outputs; rename one of the files",
            ));
        }
        out.sources.push(source);
    }
    check_mapping_used(&out.sources, cfg)?;
    if let Some(sheet) = cfg.sheet.as_deref().filter(|_| out.sources.iter().all(|s| s.encoding != WORKBOOK)) {
        out.notes.push(format!("--sheet \"{sheet}\" was not used: no input is an Excel or OpenDocument workbook"));
    }
    Ok(out)
}

/// A `--map`/config header that no input has is almost always a typo: say so.
fn check_mapping_used(sources: &[Source], cfg: &Config) -> Result<()> {
    for header in cfg.mapping.keys().chain(cfg.id_column.iter()) {
        let found = sources.iter().any(|s| s.columns.iter().any(|c| c.header.eq_ignore_ascii_case(header)));
        if !found {
            let all: Vec<String> = sources
                .iter()
                .flat_map(|s| s.columns.iter().map(|c| format!("\"{}\"", c.header)))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            return Err(Error::config(
                format!("the mapping names a column \"{header}\" that no input file has"),
                format!("the input columns are: {}", all.join(", ")),
            ));
        }
    }
    Ok(())
}

/// Loads one file into a [`Source`], appending its rejected rows and notes.
pub fn load_file(path: &Path, cfg: &Config, rejects: &mut Vec<Reject>, notes: &mut Vec<String>) -> Result<Source> {
    if path.is_dir() {
        return Err(Error::input(path, None, "is a directory, not a CSV file", "pass the CSV files inside it"));
    }
    let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    load_bytes(path, &bytes, cfg, rejects, notes)
}

/// Loads the bytes of one file (named `path` in messages) into a [`Source`]; see [`load_file`]. A
/// Parquet or Arrow IPC file (told by its first bytes) is read through polars; anything else as CSV.
pub fn load_bytes(
    path: &Path,
    bytes: &[u8],
    cfg: &Config,
    rejects: &mut Vec<Reject>,
    notes: &mut Vec<String>,
) -> Result<Source> {
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    let table = if crate::spreadsheet::is_workbook(path, bytes)? {
        read_workbook(path, bytes, cfg.sheet.as_deref(), &name, rejects, notes)?
    } else {
        match columnar_format(path, bytes)? {
            Some(format) => read_columnar(path, bytes, format, &name, rejects)?,
            None => read_csv(path, bytes, &name, rejects, notes)?,
        }
    };
    into_source(path, name, table, cfg, notes)
}

/// The rows of one file as text, before the mapping.
struct Table {
    encoding: &'static str,
    delimiter: char,
    headers: Vec<String>,
    /// Accepted rows; one `String` column per header, nulls for empty cells.
    frame: DataFrame,
    /// The data row number of each accepted row: its record id when the file has no id column.
    row_numbers: Vec<usize>,
    lines: Vec<u64>,
    rows_read: usize,
}

/// Reads a CSV export: decoded, delimiter sniffed, ragged and empty rows rejected with their line.
fn read_csv(
    path: &Path,
    bytes: &[u8],
    name: &str,
    rejects: &mut Vec<Reject>,
    notes: &mut Vec<String>,
) -> Result<Table> {
    let (text, encoding) = decode(path, bytes)?;
    if encoding != "UTF-8" && encoding != "UTF-8 with BOM" {
        notes.push(format!("{}: decoded as {encoding} (not valid UTF-8)", path.display()));
    }
    if text.trim().is_empty() {
        return Err(Error::input(path, None, "is empty", "export the data again; the file has no header and no rows"));
    }
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header_rec = match records.next() {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(csv_error(path, &text, e)),
        None => return Err(Error::input(path, None, "is empty", "export the data again")),
    };
    let headers = clean_headers(path, &header_rec, 1)?;
    let n = headers.len();
    let mut rows = Rows::new(&headers);
    let file = path.display().to_string();
    // Line numbers are counted from byte offsets: the CSV reader's own count is one short after CRLF
    // line ends (Excel and Salesforce exports).
    let mut lines_before = LineCounter::new(text.as_bytes());
    for rec in records {
        let rec = rec.map_err(|e| csv_error(path, &text, e))?;
        let line = rec.position().map(|p| lines_before.line_at(p.byte() as usize)).unwrap_or(0);
        let reject = |reason: String| Reject {
            source: name.to_string(),
            file: file.clone(),
            line,
            reason,
            raw: truncate(&rec.iter().collect::<Vec<_>>().join(&delimiter.to_string()), 500),
        };
        if rec.len() < n {
            rows.skip();
            rejects.push(reject(format!("too few fields: expected {n}, found {}", rec.len())));
        } else if rec.iter().skip(n).any(|f| !f.trim().is_empty()) {
            rows.skip();
            rejects.push(reject(format!("too many fields: expected {n}, found {}", rec.len())));
        } else if !rows.push(rec.iter().take(n), line) {
            rejects.push(reject("row has no values".into()));
        }
    }
    rows.into_table(path, encoding, delimiter, headers, 1)
}

/// Accepted rows as column builders, with their row and line numbers.
struct Rows {
    builders: Vec<StringChunkedBuilder>,
    row_numbers: Vec<usize>,
    lines: Vec<u64>,
    rows_read: usize,
}

impl Rows {
    fn new(headers: &[String]) -> Self {
        let builders = headers.iter().map(|h| StringChunkedBuilder::new(h.as_str().into(), 1024)).collect();
        Rows { builders, row_numbers: Vec::new(), lines: Vec::new(), rows_read: 0 }
    }

    /// Counts a row read and not accepted.
    fn skip(&mut self) {
        self.rows_read += 1;
    }

    /// Adds a row of trimmed values (empty ones as nulls); `false`, and nothing added, when every
    /// value is empty.
    fn push<'v>(&mut self, values: impl Iterator<Item = &'v str> + Clone, line: u64) -> bool {
        self.rows_read += 1;
        if values.clone().all(|v| v.trim().is_empty()) {
            return false;
        }
        for (b, v) in self.builders.iter_mut().zip(values) {
            match v.trim() {
                "" => b.append_null(),
                v => b.append_value(v),
            }
        }
        self.row_numbers.push(self.rows_read);
        self.lines.push(line);
        true
    }

    fn into_table(
        self,
        path: &Path,
        encoding: &'static str,
        delimiter: char,
        headers: Vec<String>,
        header_line: u64,
    ) -> Result<Table> {
        if self.rows_read == 0 {
            return Err(Error::input(
                path,
                Some(header_line),
                "has a header but no data rows",
                "export the data again, or leave this file out of the run",
            ));
        }
        let cols: Vec<Column> = self.builders.into_iter().map(|b| Column::from(b.finish().into_series())).collect();
        let frame = DataFrame::new(self.row_numbers.len(), cols)?;
        Ok(Table {
            encoding,
            delimiter,
            headers,
            frame,
            row_numbers: self.row_numbers,
            lines: self.lines,
            rows_read: self.rows_read,
        })
    }
}

/// Columnar formats read through polars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Columnar {
    Parquet,
    ArrowIpc,
}

impl Columnar {
    fn name(self) -> &'static str {
        match self {
            Columnar::Parquet => "Parquet",
            Columnar::ArrowIpc => "Arrow IPC",
        }
    }
}

/// The columnar format of a file, told by its magic bytes; an error when its extension names one and
/// the bytes do not.
fn columnar_format(path: &Path, bytes: &[u8]) -> Result<Option<Columnar>> {
    let format = if bytes.starts_with(b"PAR1") {
        Some(Columnar::Parquet)
    } else if bytes.starts_with(b"ARROW1") {
        Some(Columnar::ArrowIpc)
    } else {
        None
    };
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let named = match ext.as_str() {
        "parquet" | "pq" => Some(Columnar::Parquet),
        "arrow" | "ipc" | "feather" => Some(Columnar::ArrowIpc),
        _ => None,
    };
    match (named, format) {
        (Some(n), None) => Err(Error::input(
            path,
            None,
            format!("is named like a {} file but is not one (it does not start with the format's marker)", n.name()),
            "export the file again, or rename it if it is a CSV",
        )),
        _ => Ok(format),
    }
}

/// What [`Source::encoding`] says of a workbook input.
const WORKBOOK: &str = "Excel";

/// Reads one sheet of an Excel or OpenDocument workbook: cells as text (dates stored as numbers as
/// ISO dates, whole numbers without `.0`), empty rows rejected with their row number as the
/// spreadsheet shows it. A note names the sheet read when the workbook has more than one.
fn read_workbook(
    path: &Path,
    bytes: &[u8],
    sheet: Option<&str>,
    name: &str,
    rejects: &mut Vec<Reject>,
    notes: &mut Vec<String>,
) -> Result<Table> {
    let book = crate::spreadsheet::read(path, bytes, sheet)?;
    if let (Some(first), Some(last)) = (book.above_header.first(), book.above_header.last()) {
        let rows = if first == last { format!("row {first}") } else { format!("rows {first}–{last}") };
        notes.push(format!(
            "{}: {rows} above the header (a title or notes) not read as data; the header is row {}",
            path.display(),
            book.header_row
        ));
    }
    if let Some(first) = book.errors.first() {
        notes.push(format!(
            "{}: {} {} a formula's error value, read as empty (the first: {first}); fix the formulas in the workbook to keep those values",
            path.display(),
            book.errors.len(),
            if book.errors.len() == 1 { "cell holds" } else { "cells hold" }
        ));
    }
    if book.sheets.len() > 1 {
        notes.push(format!(
            "{}: read sheet \"{}\" of {} ({}); choose another with --sheet NAME",
            path.display(),
            book.name,
            book.sheets.len(),
            book.sheets.join(", ")
        ));
    }
    // Every column with a value somewhere keeps its cells, named `column_N` when its header is empty.
    let used = |cells: &[String]| cells.iter().rposition(|c| !c.trim().is_empty()).map_or(0, |i| i + 1);
    let width = book.rows.iter().map(|(_, cells)| used(cells)).fold(used(&book.headers), usize::max);
    let named: Vec<String> = (0..width)
        .map(|i| match book.headers.get(i).map(|h| h.trim()) {
            Some(h) if !h.is_empty() => h.to_string(),
            _ => format!("column_{}", i + 1),
        })
        .collect();
    let headers = clean_headers(path, &csv::StringRecord::from(named), book.header_row)?;
    let mut rows = Rows::new(&headers);
    for (line, cells) in &book.rows {
        let values = (0..headers.len()).map(|i| cells.get(i).map_or("", String::as_str));
        if !rows.push(values, *line) {
            rejects.push(Reject {
                source: name.to_string(),
                file: path.display().to_string(),
                line: *line,
                reason: "row has no values".into(),
                raw: String::new(),
            });
        }
    }
    rows.into_table(path, WORKBOOK, ',', headers, book.header_row)
}

/// A float column as text, each whole number without a decimal part (phone numbers and ids exported
/// as doubles: `48601234567.0` reads as `48601234567`); any other column as it is.
fn whole_numbers(c: &polars::prelude::Column) -> std::borrow::Cow<'_, polars::prelude::Column> {
    use polars::prelude::{DataType, IntoColumn, NamedFrom, Series};
    let floats = match c.dtype() {
        DataType::Float32 | DataType::Float64 => c.cast(&DataType::Float64).ok(),
        _ => None,
    };
    let Some(Ok(floats)) = floats.as_ref().map(|f| f.f64()) else { return std::borrow::Cow::Borrowed(c) };
    let text: Vec<Option<String>> = floats.iter().map(|x| x.map(crate::text::number)).collect();
    std::borrow::Cow::Owned(Series::new(c.name().clone(), text).into_column())
}

/// Reads a Parquet or Arrow IPC file: every column as text (numbers and dates as polars prints
/// them), rows without any value rejected. `line` is the row number (1 for the first row).
fn read_columnar(path: &Path, bytes: &[u8], format: Columnar, name: &str, rejects: &mut Vec<Reject>) -> Result<Table> {
    use polars::prelude::{IpcReader, ParquetReader, SerReader};
    let cursor = std::io::Cursor::new(bytes);
    let read = match format {
        Columnar::Parquet => ParquetReader::new(cursor).finish(),
        Columnar::ArrowIpc => IpcReader::new(cursor).finish(),
    };
    let frame = read.map_err(|e| {
        Error::input(
            path,
            None,
            format!("could not be read as {}: {e}", format.name()),
            "export the file again, or as CSV",
        )
    })?;
    let names: Vec<String> = frame.get_column_names().iter().map(|h| h.to_string()).collect();
    let headers = clean_headers(path, &csv::StringRecord::from(names.clone()), 1)?;
    let texts: Vec<StringChunked> = frame
        .columns()
        .iter()
        .zip(&names)
        .map(|(c, h)| {
            whole_numbers(c).cast(&DataType::String).ok().and_then(|c| c.str().ok().cloned()).ok_or_else(|| {
                Error::input(
                    path,
                    None,
                    format!("column \"{h}\" holds {} values, which cannot be read as text", c.dtype()),
                    "export that column as text, or leave it out of the export",
                )
            })
        })
        .collect::<Result<_>>()?;
    let mut rows = Rows::new(&headers);
    for row in 0..frame.height() {
        let values = texts.iter().map(|c| c.get(row).unwrap_or(""));
        if !rows.push(values.clone(), row as u64 + 1) {
            rejects.push(Reject {
                source: name.to_string(),
                file: path.display().to_string(),
                line: row as u64 + 1,
                reason: "row has no values".into(),
                raw: String::new(),
            });
        }
    }
    rows.into_table(path, format.name(), ',', headers, 1)
}

/// A [`Source`] from a file's rows: missing-value tokens read as empty, columns mapped by header and
/// values, record ids picked.
fn into_source(path: &Path, name: String, table: Table, cfg: &Config, notes: &mut Vec<String>) -> Result<Source> {
    let Table { encoding, delimiter, headers, mut frame, row_numbers, lines, rows_read } = table;
    for t in infer::blank_missing_tokens(&mut frame)? {
        notes.push(format!(
            "{}: column \"{}\": {} cell(s) \"{}\" read as empty (a missing-value token)",
            path.display(),
            t.header,
            t.cells,
            t.token
        ));
    }
    let mut columns = map_headers(&headers, cfg);
    infer::refine(path, &mut columns, &frame)?;
    let id_column = pick_id_column(&headers, &columns, cfg);
    // Ids as written (trimmed on reading); a row without one keeps its row number.
    let record_ids: Vec<String> = match &id_column {
        Some(h) => {
            let col = frame.column(h)?.str()?;
            col.iter().zip(&row_numbers).map(|(v, n)| v.map(str::to_string).unwrap_or_else(|| n.to_string())).collect()
        }
        None => row_numbers.iter().map(usize::to_string).collect(),
    };
    let duplicate_ids = find_duplicates(&record_ids);
    if !duplicate_ids.is_empty() {
        notes.push(format!(
            "{}: {} record id(s) occur more than once in column \"{}\" (e.g. \"{}\"); those records are kept and matched separately",
            path.display(),
            duplicate_ids.len(),
            id_column.as_deref().unwrap_or("?"),
            duplicate_ids[0]
        ));
    }
    Ok(Source {
        name,
        path: path.to_path_buf(),
        encoding,
        delimiter,
        frame,
        columns,
        id_column,
        record_ids,
        lines,
        rows_read,
        duplicate_ids,
    })
}

/// Physical line numbers of byte offsets, for offsets given in increasing order. A line ends at
/// `\n`, `\r\n` or a lone `\r`.
struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a [u8]) -> Self {
        LineCounter { text, pos: 0, line: 1 }
    }

    /// The 1-based line on which byte `offset` lies.
    fn line_at(&mut self, offset: usize) -> u64 {
        let mut end = offset.min(self.text.len());
        // After CRLF the reader reports a record as starting on the `\n`.
        if end > 0 && self.text.get(end) == Some(&b'\n') && self.text[end - 1] == b'\r' {
            end += 1;
        }
        while self.pos < end {
            match self.text[self.pos] {
                b'\n' => self.line += 1,
                b'\r' if self.text.get(self.pos + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            self.pos += 1;
        }
        self.line
    }
}

fn csv_error(path: &Path, text: &str, e: csv::Error) -> Error {
    let line = e.position().map(|p| LineCounter::new(text.as_bytes()).line_at(p.byte() as usize));
    Error::input(path, line, format!("cannot parse CSV: {e}"), "check the quoting around this line")
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn find_duplicates(ids: &[String]) -> Vec<String> {
    let mut seen: polars::prelude::PlHashMap<&str, u32> = Default::default();
    for id in ids {
        *seen.entry(id.as_str()).or_default() += 1;
    }
    let mut d: Vec<String> = seen.into_iter().filter(|(_, c)| *c > 1).map(|(k, _)| k.to_string()).collect();
    d.sort();
    d
}

/// Decodes file bytes to text. Returns the encoding used.
///
/// UTF-8 (BOM stripped) first; UTF-16 when it starts with a UTF-16 BOM; otherwise Windows-1252, unless the
/// bytes look binary (NUL bytes or many control characters), which is an error.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<(String, &'static str)> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        if let Ok(s) = std::str::from_utf8(rest) {
            return Ok((s.to_string(), "UTF-8 with BOM"));
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), "UTF-8"));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let enc = if bytes[0] == 0xFF { encoding_rs::UTF_16LE } else { encoding_rs::UTF_16BE };
        let (text, _, had_errors) = enc.decode(bytes);
        if !had_errors {
            return Ok((text.into_owned(), if bytes[0] == 0xFF { "UTF-16LE" } else { "UTF-16BE" }));
        }
    }
    let sample = &bytes[..bytes.len().min(1 << 16)];
    let controls =
        sample.iter().filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F).count();
    if sample.contains(&0) || controls * 100 > sample.len() {
        let offset = std::str::from_utf8(bytes).err().map(|e| e.valid_up_to()).unwrap_or(0);
        let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        return Err(Error::input(
            path,
            Some(line),
            "is not a text file (it holds bytes that are neither UTF-8 nor Windows-1252 text)",
            "export the data as CSV (UTF-8 is best), Excel or Parquet; archives must be unpacked first",
        ));
    }
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    Ok((text.into_owned(), "Windows-1252"))
}

/// Picks the delimiter that splits the first rows into the most consistent, widest records.
/// Quotes are respected, so a comma inside `"Smith, John"` does not count.
pub fn sniff_delimiter(text: &str) -> char {
    const CANDIDATES: [char; 4] = [',', ';', '\t', '|'];
    let sample: String = text.chars().take(1 << 16).collect();
    let mut best = (',', 0usize, 0usize);
    for &d in &CANDIDATES {
        let counts = count_per_record(&sample, d, 50);
        if counts.is_empty() {
            continue;
        }
        // Use the header's count as the reference: data rows should agree with it.
        let header = counts[0];
        if header == 0 {
            continue;
        }
        let agree = counts.iter().filter(|&&c| c == header).count();
        if (agree, header) > (best.1, best.2) {
            best = (d, agree, header);
        }
    }
    best.0
}

fn count_per_record(sample: &str, delim: char, max_records: usize) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut in_quotes = false;
    let mut count = 0usize;
    let mut chars = sample.chars().peekable();
    let mut line_has_content = false;
    while let Some(c) = chars.next() {
        if c == '"' {
            in_quotes = !in_quotes;
            line_has_content = true;
        } else if !in_quotes && (c == '\n' || c == '\r') {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            if line_has_content {
                counts.push(count);
                if counts.len() >= max_records {
                    return counts;
                }
            }
            count = 0;
            line_has_content = false;
        } else if !in_quotes && c == delim {
            count += 1;
            line_has_content = true;
        } else {
            line_has_content = true;
        }
    }
    if line_has_content && chars.peek().is_none() && counts.len() < max_records {
        // The last record is only complete if the sample held the whole file.
        counts.push(count);
    }
    counts
}

/// The header row as column names (`line`: where it is in the file, for errors).
fn clean_headers(path: &Path, rec: &csv::StringRecord, line: u64) -> Result<Vec<String>> {
    let mut headers: Vec<String> =
        rec.iter().map(|h| h.trim().trim_start_matches('\u{FEFF}').trim().to_string()).collect();
    // Trailing empty headers come from a trailing delimiter; drop them.
    while headers.len() > 1 && headers.last().is_some_and(|h| h.is_empty()) {
        headers.pop();
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, h) in headers.iter_mut().enumerate() {
        if h.is_empty() {
            *h = format!("column_{}", i + 1);
        }
        let key = h.to_lowercase();
        if let Some(first) = seen.insert(key, i) {
            return Err(Error::input(
                path,
                Some(line),
                format!("the header \"{h}\" appears twice (columns {} and {})", first + 1, i + 1),
                "rename one of the columns so every header is unique",
            ));
        }
    }
    Ok(headers)
}

fn map_headers(headers: &[String], cfg: &Config) -> Vec<ColumnMap> {
    let configured: BTreeMap<String, MapTarget> = cfg.mapping.iter().map(|(k, v)| (k.to_lowercase(), *v)).collect();
    let own: Synonyms = cfg
        .headers
        .iter()
        .filter_map(|(k, v)| if let MapTarget::Field(f) = v { Some((k.clone(), *f)) } else { None })
        .collect();
    headers
        .iter()
        .map(|h| {
            let target = configured.get(&h.to_lowercase()).or_else(|| cfg.headers.get(&header_key(h)));
            let config = |field, how| ColumnMap { how, confidence: 1.0, ..ColumnMap::by_header(h, field) };
            match target {
                Some(MapTarget::Field(f)) => config(Some(*f), MappedBy::Config),
                Some(MapTarget::Ignore) => config(None, MappedBy::Ignored),
                None => {
                    let field = guess_field_with(h, &own);
                    if field.is_some() && guess_field(h) != field {
                        config(field, MappedBy::Config)
                    } else {
                        ColumnMap::by_header(h, field)
                    }
                }
            }
        })
        .collect()
}

/// The id column: configured (when this file has it), else the first column mapped to [`Field::Id`].
/// A file with neither numbers its rows.
fn pick_id_column(headers: &[String], columns: &[ColumnMap], cfg: &Config) -> Option<String> {
    if let Some(want) = &cfg.id_column {
        if let Some(h) = headers.iter().find(|h| h.eq_ignore_ascii_case(want)) {
            return Some(h.clone());
        }
    }
    // A column headed as the record's id ("Contact ID") wins over one headed like a number ("Nr").
    let ids = || columns.iter().filter(|c| c.field == Some(Field::Id));
    ids().find(|c| !infer::is_weak_id_header(&header_key(&c.header))).or_else(|| ids().next()).map(|c| c.header.clone())
}

#[cfg(test)]
mod tests {
    /// Each whole number of a float column reads without `.0`, whatever the other values are.
    #[test]
    fn float_columns_read_whole_numbers_as_integers() {
        use polars::prelude::{IntoColumn, NamedFrom, Series};
        let c = Series::new("Mobile".into(), [Some(48601234567.0f64), Some(2.5), None]).into_column();
        let text = whole_numbers(&c);
        let text = text.str().unwrap();
        assert_eq!(text.get(0), Some("48601234567"));
        assert_eq!(text.get(1), Some("2.5"));
        assert_eq!(text.get(2), None);
    }

    use super::*;
    use proptest::prelude::*;

    fn load_text(bytes: &[u8]) -> (Result<Source>, Vec<Reject>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut rejects = Vec::new();
        let mut notes = Vec::new();
        let r = load_file(&path, &Config::default(), &mut rejects, &mut notes);
        (r, rejects)
    }

    /// Cells with the characters CSV exports get wrong: delimiters, quotes, newlines, combining marks,
    /// right-to-left text, emoji, NUL, and very long values.
    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 ]{0,12}",
            Just(String::new()),
            Just("Müller, Jürgen".to_string()),
            Just("e\u{0301}\u{200f}שלום😀".to_string()),
            Just("a\0b".to_string()),
            Just("\"quoted\"".to_string()),
            Just("line\nbreak".to_string()),
            Just("x".repeat(5000)),
            Just("anna.rossi@gmail.com".to_string()),
            Just("+49 30 1234567".to_string()),
            Just("12/31/2020".to_string()),
            Just(";|\t,".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Nothing lost: every data row of any CSV is either accepted or rejected with a reason, and
        /// no input makes ingest or normalize panic.
        #[test]
        fn every_row_is_accounted_for(
            width in 1usize..6,
            rows in proptest::collection::vec((proptest::collection::vec(cell(), 0..8), any::<bool>(), 0u8..6), 0..25),
            delim in prop_oneof![Just(b','), Just(b';'), Just(b'\t'), Just(b'|')],
            bom in any::<bool>(),
            with_id in any::<bool>(),
        ) {
            let mut w = csv::WriterBuilder::new().delimiter(delim).flexible(true).from_writer(Vec::new());
            let mut header: Vec<String> = ["First Name", "Last Name", "Email", "Phone", "Birthdate", "Notes"][..width]
                .iter().map(|s| s.to_string()).collect();
            if with_id {
                // Few distinct ids, so rows often share one.
                header.insert(0, "Contact ID".into());
            }
            w.write_record(&header).unwrap();
            for (cells, exact, id) in &rows {
                let mut cells = cells.clone();
                if *exact {
                    cells.resize(width, String::new());
                }
                if with_id {
                    cells.insert(0, format!("C{id}"));
                }
                if cells.is_empty() {
                    cells.push(String::new());
                }
                w.write_record(&cells).unwrap();
            }
            let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            bytes.extend(w.into_inner().unwrap());
            let (result, rejects) = load_text(&bytes);
            match result {
                Ok(source) => {
                    prop_assert_eq!(source.frame.height() + rejects.len(), source.rows_read);
                    prop_assert_eq!(source.record_ids.len(), source.frame.height());
                    prop_assert!(rejects.iter().all(|r| r.line > 1 && !r.reason.is_empty()));
                    // With the delimiter it was written with, every record the file holds is read.
                    if source.delimiter as u32 == delim as u32 {
                        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
                        let independent = csv::ReaderBuilder::new()
                            .delimiter(delim)
                            .flexible(true)
                            .from_reader(body)
                            .records()
                            .count();
                        prop_assert_eq!(source.rows_read, independent);
                    }
                    let ingested = Ingested { sources: vec![source], rejects, notes: Vec::new() };
                    let contacts = crate::normalize::normalize(&ingested, &Config::default(), &[]).unwrap();
                    prop_assert_eq!(contacts.len(), ingested.record_count());
                    // Rows sharing a record id are all kept, and each is flagged.
                    let ids = &ingested.sources[0].record_ids;
                    for c in &contacts {
                        let id = &ids[c.row as usize];
                        let shared = ids.iter().filter(|x| *x == id).count() > 1;
                        prop_assert_eq!(shared, c.flags & crate::normalize::flag::DUPLICATE_ID != 0, "{}", id);
                    }
                }
                Err(e) => {
                    // Only whole-file problems stop a run, and they say which file.
                    let msg = e.to_string();
                    prop_assert!(msg.contains("input.csv"), "{}", msg);
                }
            }
        }
    }

    #[test]
    fn line_numbers_are_physical_lines_whatever_the_line_ends() {
        for eol in ["\n", "\r\n", "\r"] {
            let text = ["Id,Name", "1,Anna", "2,\"multi", "line\",x", "3,Piotr", "4,Jan"].join(eol) + eol;
            let (source, rejects) = load_text(text.as_bytes());
            let source = source.unwrap();
            assert_eq!(source.lines, vec![2, 5, 6], "{eol:?}");
            assert_eq!(rejects.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3], "{eol:?}");
        }
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n"), ';');
        assert_eq!(sniff_delimiter("a,b\n\"x;y\",2\n"), ',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3\n"), '\t');
        assert_eq!(sniff_delimiter("a|b\n1|2\n"), '|');
        assert_eq!(sniff_delimiter("single\nvalue\n"), ',');
    }
}
