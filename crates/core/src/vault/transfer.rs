//! Moving entries in and out of the vault: imports from Bitwarden's unencrypted JSON export,
//! KeePassXC's CSV export and vaultty's own export; exports as plaintext JSON, or as that JSON
//! encrypted with a passphrase in the age format (which the `age` tool decrypts).
//!
//! Bytes in, entries out and back: no store, no UI. What is not imported is listed in
//! [`Parsed::skipped`] with the reason, never dropped silently. Error messages name the line
//! or the item and never quote a field's value.

use super::entry::{Entry, EntryRecord};
use crate::Password;
use crate::sanitize::for_display;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The shortest passphrase [`export_age`] accepts, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// The version of vaultty's export format, its `vaultty_export` field.
pub const EXPORT_VERSION: u32 = 1;

/// What [`parse`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Bitwarden's "JSON" export (not "JSON (Encrypted)").
    BitwardenJson,
    /// KeePassXC's "CSV File" export.
    KeepassxcCsv,
    /// vaultty's own plaintext export ([`export_json`]).
    VaulttyJson,
}

/// Where in the file: a line (CSV) or an item of a JSON list, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Line(u64),
    Item(usize),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Item(n) => write!(f, "item {n}"),
        }
    }
}

/// Something of the file that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub place: Place,
    /// Its title, when it has one. As read: sanitize before drawing it.
    pub name: Option<String>,
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{} ({}): {}", self.place, for_display(name), self.reason),
            None => write!(f, "{}: {}", self.place, self.reason),
        }
    }
}

/// An entry's times from the file, in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times {
    pub created_at: i64,
    pub updated_at: i64,
}

/// What an import read.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Each passed [`Entry::check`]; no two are the same.
    pub entries: Vec<Entry>,
    /// The times of `entries`, one for each in the same order, when the file gives them.
    pub times: Vec<Option<Times>>,
    pub skipped: Vec<Skipped>,
}

impl Parsed {
    /// Drops the entries that `existing` already holds (see [`new_only`]), keeping `times`
    /// in step; how many were dropped.
    pub fn drop_present(&mut self, existing: &[&Entry]) -> usize {
        let keep = keep_new(existing, &self.entries);
        let mut it = keep.iter();
        self.entries.retain(|_| *it.next().unwrap());
        let mut it = keep.iter();
        self.times.retain(|_| *it.next().unwrap());
        keep.iter().filter(|k| !**k).count()
    }
}

/// Why a file was not read. The message says what to fix; it never holds a field's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    #[error("{place}: {message}")]
    At { place: Place, message: String },
    #[error("{0}")]
    File(String),
    #[error("{0}")]
    Passphrase(String),
}

fn at(place: Place, message: impl Into<String>) -> TransferError {
    TransferError::At {
        place,
        message: message.into(),
    }
}

/// Reads an export of `format`.
pub fn parse(format: Format, bytes: &[u8]) -> Result<Parsed, TransferError> {
    match format {
        Format::BitwardenJson => parse_bitwarden(bytes),
        Format::KeepassxcCsv => parse_keepassxc(bytes),
        Format::VaulttyJson => parse_vaultty(bytes),
    }
}

// ---- duplicates

/// What makes two entries the same: every field, exactly. Wiped when dropped.
pub struct DedupKey(Zeroizing<Vec<u8>>);

impl PartialEq for DedupKey {
    fn eq(&self, other: &Self) -> bool {
        self.0[..] == other.0[..]
    }
}

impl Eq for DedupKey {}

impl Hash for DedupKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0[..].hash(state);
    }
}

impl fmt::Debug for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DedupKey(<redacted>)")
    }
}

/// The key under which `entry` counts as a duplicate of another: title, username, password,
/// url, notes, totp and folder, each length-prefixed.
pub fn dedup_key(entry: &Entry) -> DedupKey {
    let fields = [
        &entry.title,
        &entry.username,
        &entry.password,
        &entry.url,
        &entry.notes,
        &entry.totp,
        &entry.folder,
    ];
    // Sized up front: a reallocation would leave an unwiped copy behind.
    let mut key = Zeroizing::new(Vec::with_capacity(fields.iter().map(|f| f.len() + 8).sum()));
    for f in fields {
        key.extend_from_slice(&(f.len() as u64).to_le_bytes());
        key.extend_from_slice(f.as_bytes());
    }
    DedupKey(key)
}

/// For each of `incoming`: true unless `existing` or an earlier one of `incoming` is the same.
fn keep_new(existing: &[&Entry], incoming: &[Entry]) -> Vec<bool> {
    let mut seen: std::collections::HashSet<DedupKey> =
        existing.iter().map(|e| dedup_key(e)).collect();
    incoming.iter().map(|e| seen.insert(dedup_key(e))).collect()
}

/// The entries of `incoming` not already in `existing` (nor earlier in `incoming`), and how
/// many were dropped as already present. Importing the same file twice adds nothing.
pub fn new_only(existing: &[&Entry], incoming: Vec<Entry>) -> (Vec<Entry>, usize) {
    let keep = keep_new(existing, &incoming);
    let dropped = keep.iter().filter(|k| !**k).count();
    let kept = incoming
        .into_iter()
        .zip(keep)
        .filter_map(|(e, k)| k.then_some(e))
        .collect();
    (kept, dropped)
}

/// Collects checked, distinct entries and the reports of the others.
#[derive(Default)]
struct Collector {
    parsed: Parsed,
    seen: HashMap<DedupKey, Place>,
}

impl Collector {
    fn skip(&mut self, place: Place, name: &str, reason: impl Into<String>) {
        self.parsed.skipped.push(Skipped {
            place,
            name: (!name.trim().is_empty()).then(|| name.to_owned()),
            reason: reason.into(),
        });
    }

    fn push(&mut self, place: Place, entry: Entry, times: Option<Times>) {
        if let Err(problem) = entry.check() {
            self.skip(place, &entry.title, problem.to_string());
            return;
        }
        match self.seen.entry(dedup_key(&entry)) {
            Slot::Occupied(first) => {
                let reason = format!("the same entry as {}: imported once.", first.get());
                self.skip(place, &entry.title, reason);
            }
            Slot::Vacant(slot) => {
                slot.insert(place);
                self.parsed.entries.push(entry);
                self.parsed.times.push(times);
            }
        }
    }
}

// ---- shared helpers

/// Line breaks as `\n` (a CR is a control character [`Entry::check`] refuses in notes).
fn unix_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

fn seconds(rfc3339: &str) -> Option<i64> {
    rfc3339
        .trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| t.as_second())
}

fn times_of(created: Option<&str>, updated: Option<&str>) -> Option<Times> {
    let (c, u) = (created.and_then(seconds), updated.and_then(seconds));
    Some(Times {
        created_at: c.or(u)?,
        updated_at: u.or(c)?,
    })
}

/// A JSON parser's error as a message: where, and what kind. serde_json's own text can
/// quote the value it read (a password), so only the names of fields are passed on.
fn json_error(e: &serde_json::Error, expected: &str) -> TransferError {
    use serde_json::error::Category;
    let place = Place::Line(e.line() as u64);
    let column = e.column();
    let text = e.to_string();
    let message = match e.classify() {
        Category::Eof => format!("the file ends early: it is cut short, or not {expected}."),
        Category::Syntax | Category::Io => {
            format!("is not valid JSON (column {column}): the file is not {expected}.")
        }
        Category::Data
            if ["missing field", "unknown field", "duplicate field"]
                .iter()
                .any(|p| text.starts_with(p)) =>
        {
            let what = text.split(" at line ").next().unwrap_or_default();
            format!("{what} (column {column}): the file is not {expected}.")
        }
        Category::Data => format!(
            "a value of the wrong kind (column {column}): the file is not {expected}, or was \
             edited by hand."
        ),
    };
    at(place, message)
}

// ---- Bitwarden

const BITWARDEN: &str = "Bitwarden's unencrypted JSON export";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BwHead {
    #[serde(default)]
    encrypted: Option<bool>,
    #[serde(default)]
    password_protected: Option<bool>,
}

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
struct BwExport {
    #[serde(default)]
    folders: Option<Vec<BwFolder>>,
    #[serde(default)]
    items: Option<Vec<BwItem>>,
}

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
struct BwFolder {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(rename_all = "camelCase")]
struct BwItem {
    #[serde(default, rename = "type")]
    kind: Option<u64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    folder_id: Option<String>,
    #[serde(default)]
    login: Option<BwLogin>,
    #[serde(default)]
    fields: Option<Vec<BwField>>,
    #[serde(default)]
    creation_date: Option<String>,
    #[serde(default)]
    revision_date: Option<String>,
}

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(rename_all = "camelCase")]
struct BwLogin {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    totp: Option<String>,
    #[serde(default)]
    uris: Option<Vec<BwUri>>,
    /// Passkeys: counted, not imported.
    #[serde(default)]
    #[zeroize(skip)]
    fido2_credentials: Option<Vec<serde::de::IgnoredAny>>,
}

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
struct BwUri {
    #[serde(default)]
    uri: Option<String>,
}

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
struct BwField {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    value: Option<String>,
}

fn parse_bitwarden(bytes: &[u8]) -> Result<Parsed, TransferError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head: BwHead = serde_json::from_slice(bytes).map_err(|e| json_error(&e, BITWARDEN))?;
    if head.encrypted == Some(true) || head.password_protected == Some(true) {
        return Err(TransferError::File(
            "this is an encrypted Bitwarden export, which vaultty cannot read: export again \
             choosing the file format \"JSON\", not \"JSON (Encrypted)\"."
                .into(),
        ));
    }
    let mut export: BwExport =
        serde_json::from_slice(bytes).map_err(|e| json_error(&e, BITWARDEN))?;
    let Some(items) = export.items.take() else {
        return Err(TransferError::File(format!(
            "the file has no \"items\" list: it is not {BITWARDEN}."
        )));
    };
    let folders: HashMap<String, String> = export
        .folders
        .iter_mut()
        .flatten()
        .filter_map(|f| Some((f.id.take()?, f.name.take().unwrap_or_default())))
        .collect();
    let mut out = Collector::default();
    for (i, mut item) in items.into_iter().enumerate() {
        let place = Place::Item(i + 1);
        let name = item.name.take().unwrap_or_default();
        let unsupported = |what: &str| format!("Bitwarden {what} items are not supported.");
        let login = match item.kind {
            Some(1) => true,
            Some(2) => false,
            Some(3) => {
                out.skip(place, &name, unsupported("card"));
                continue;
            }
            Some(4) => {
                out.skip(place, &name, unsupported("identity"));
                continue;
            }
            Some(5) => {
                out.skip(place, &name, unsupported("SSH key"));
                continue;
            }
            Some(n) => {
                out.skip(
                    place,
                    &name,
                    format!("Bitwarden items of type {n} are not known."),
                );
                continue;
            }
            None => {
                out.skip(place, &name, "the item has no type.");
                continue;
            }
        };
        let folder = item
            .folder_id
            .as_ref()
            .and_then(|id| folders.get(id))
            .cloned()
            .unwrap_or_default();
        let mut entry = Entry {
            title: name,
            notes: unix_newlines(item.notes.as_deref().unwrap_or_default()),
            folder,
            username: String::new(),
            password: String::new(),
            url: String::new(),
            totp: String::new(),
        };
        let mut more: Vec<String> = Vec::new();
        if let (true, Some(l)) = (login, item.login.as_mut()) {
            entry.username = l.username.take().unwrap_or_default();
            entry.password = l.password.take().unwrap_or_default();
            entry.totp = l.totp.take().unwrap_or_default();
            let mut uris = l
                .uris
                .iter_mut()
                .flatten()
                .filter_map(|u| u.uri.take())
                .filter(|u| !u.trim().is_empty());
            entry.url = uris.next().unwrap_or_default();
            more.extend(uris.map(|u| format!("url: {u}")));
            let passkeys = l.fido2_credentials.as_ref().map_or(0, Vec::len);
            if passkeys > 0 {
                more.push(format!(
                    "({passkeys} passkey(s) in Bitwarden, not imported: vaultty has none)"
                ));
            }
        }
        for f in item.fields.iter_mut().flatten() {
            let name = f.name.take().unwrap_or_default();
            let value = unix_newlines(f.value.as_deref().unwrap_or_default());
            more.push(format!("{name}: {value}"));
        }
        if !more.is_empty() {
            if !entry.notes.is_empty() {
                entry.notes.push_str("\n\n");
            }
            entry.notes.push_str(&more.join("\n"));
            more.zeroize();
        }
        let times = times_of(item.creation_date.as_deref(), item.revision_date.as_deref());
        out.push(place, entry, times);
    }
    Ok(out.parsed)
}

// ---- KeePassXC

const KEEPASSXC_HEADER: &str =
    "\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"TOTP\",...";

/// The columns of a KeePassXC header, by name.
struct Columns {
    count: usize,
    group: Option<usize>,
    title: usize,
    username: usize,
    password: usize,
    url: Option<usize>,
    notes: Option<usize>,
    totp: Option<usize>,
    modified: Option<usize>,
    created: Option<usize>,
}

impl Columns {
    fn of(header: &[&str]) -> Result<Self, String> {
        let find = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let need = |name: &str| {
            find(name).ok_or_else(|| {
                format!(
                    "the first line is not KeePassXC's CSV header (it has no {name} column): \
                     expected {KEEPASSXC_HEADER}. Export with KeePassXC's Database > Export > \
                     CSV File."
                )
            })
        };
        Ok(Columns {
            count: header.len(),
            group: find("group"),
            title: need("Title")?,
            username: need("Username")?,
            password: need("Password")?,
            url: find("url"),
            notes: find("notes"),
            totp: find("totp"),
            modified: find("last modified"),
            created: find("created"),
        })
    }
}

/// "Root/Work" → "Work", "Root" → "": KeePassXC names every group from the root.
fn folder_of_group(group: &str) -> &str {
    match group.strip_prefix("Root") {
        Some("") => "",
        Some(rest) if rest.starts_with('/') => &rest[1..],
        _ => group,
    }
}

/// The line a CSV record starts on, from its byte offset. Records come in order, so each
/// count starts where the last stopped.
struct LineCounter<'a> {
    data: &'a [u8],
    at: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut to = (byte as usize).min(self.data.len());
        // The parser's position can lag behind the line ends before a record.
        while to < self.data.len() && matches!(self.data[to], b'\r' | b'\n') {
            to += 1;
        }
        if to < self.at {
            (self.at, self.line) = (0, 1);
        }
        self.line += self.data[self.at..to]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        self.at = to;
        self.line
    }
}

fn parse_keepassxc(bytes: &[u8]) -> Result<Parsed, TransferError> {
    let data = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut lines = LineCounter {
        data,
        at: 0,
        line: 1,
    };
    let mut record = csv::ByteRecord::new();
    let mut columns: Option<Columns> = None;
    let mut out = Collector::default();
    loop {
        let more = reader.read_byte_record(&mut record).map_err(|e| {
            let line = e.position().map_or(1, |p| lines.line_at(p.byte()));
            at(Place::Line(line), "is not valid CSV.")
        })?;
        if !more {
            break;
        }
        let place = Place::Line(record.position().map_or(1, |p| lines.line_at(p.byte())));
        let fields: Vec<&str> = record
            .iter()
            .map(std::str::from_utf8)
            .collect::<Result<_, _>>()
            .map_err(|_| at(place, "is not UTF-8 text: export again from KeePassXC."))?;
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some(cols) = &columns else {
            columns = Some(Columns::of(&fields).map_err(|m| at(place, m))?);
            continue;
        };
        if fields.len() != cols.count {
            return Err(at(
                place,
                format!(
                    "has {} fields but the header has {}: a quote left open or a stray comma?",
                    fields.len(),
                    cols.count
                ),
            ));
        }
        let get = |i: Option<usize>| i.map_or("", |i| fields[i]);
        let entry = Entry {
            title: get(Some(cols.title)).to_owned(),
            username: get(Some(cols.username)).to_owned(),
            password: get(Some(cols.password)).to_owned(),
            url: get(cols.url).to_owned(),
            notes: unix_newlines(get(cols.notes)),
            totp: get(cols.totp).to_owned(),
            folder: folder_of_group(get(cols.group)).to_owned(),
        };
        let times = times_of(
            cols.created.map(|i| fields[i]),
            cols.modified.map(|i| fields[i]),
        );
        out.push(place, entry, times);
    }
    if columns.is_none() {
        return Err(TransferError::File(format!(
            "the file is empty: expected KeePassXC's CSV export, {KEEPASSXC_HEADER}"
        )));
    }
    Ok(out.parsed)
}

// ---- vaultty's own format

const VAULTTY: &str = "a vaultty export";

#[derive(Serialize)]
struct ExportDoc<'a> {
    vaultty_export: u32,
    entries: Vec<ExportEntry<'a>>,
}

#[derive(Serialize)]
struct ExportEntry<'a> {
    title: &'a str,
    username: &'a str,
    password: &'a str,
    url: &'a str,
    notes: &'a str,
    totp: &'a str,
    folder: &'a str,
    created_at: String,
    updated_at: String,
}

#[derive(Deserialize)]
struct ImportHead {
    #[serde(default)]
    vaultty_export: Option<u32>,
}

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
struct ImportDoc {
    #[serde(rename = "vaultty_export")]
    _version: u32,
    entries: Vec<ImportEntry>,
}

#[derive(Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
struct ImportEntry {
    title: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    url: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    totp: String,
    #[serde(default)]
    folder: String,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

/// vaultty's export: `{"vaultty_export": 1, "entries": [{title, username, password, url,
/// notes, totp, folder, created_at, updated_at}]}`, the times as RFC 3339 in UTC (e.g.
/// `2026-11-24T09:00:00Z`). Written into a buffer that is wiped when dropped.
pub fn export_json(records: &[EntryRecord]) -> Zeroizing<Vec<u8>> {
    let doc = ExportDoc {
        vaultty_export: EXPORT_VERSION,
        entries: records
            .iter()
            .map(|r| {
                let e = &r.entry;
                ExportEntry {
                    title: &e.title,
                    username: &e.username,
                    password: &e.password,
                    url: &e.url,
                    notes: &e.notes,
                    totp: &e.totp,
                    folder: &e.folder,
                    created_at: crate::timefmt::rfc3339(r.created_at),
                    updated_at: crate::timefmt::rfc3339(r.updated_at),
                }
            })
            .collect(),
    };
    // Sized up front so the buffer never reallocates (a reallocation would leave a copy of
    // the plaintext behind): an escaped byte takes at most 6, and each entry's keys, times and
    // indentation well under 512.
    let size = 64
        + records
            .iter()
            .map(|r| {
                let e = &r.entry;
                let text = [
                    &e.title,
                    &e.username,
                    &e.password,
                    &e.url,
                    &e.notes,
                    &e.totp,
                    &e.folder,
                ];
                512 + text.iter().map(|s| s.len() * 6).sum::<usize>()
            })
            .sum::<usize>();
    let mut out = Zeroizing::new(Vec::with_capacity(size));
    serde_json::to_writer_pretty(&mut *out, &doc).expect("an export always serializes");
    out.push(b'\n');
    out
}

fn parse_vaultty(bytes: &[u8]) -> Result<Parsed, TransferError> {
    let head: ImportHead = serde_json::from_slice(bytes).map_err(|e| json_error(&e, VAULTTY))?;
    match head.vaultty_export {
        None => {
            return Err(TransferError::File(
                "the file has no \"vaultty_export\" field: it is not a vaultty export.".into(),
            ));
        }
        Some(EXPORT_VERSION) => {}
        Some(n) => {
            return Err(TransferError::File(format!(
                "the file is vaultty's export format {n}; this vaultty reads format \
                 {EXPORT_VERSION}: update vaultty."
            )));
        }
    }
    let mut doc: ImportDoc = serde_json::from_slice(bytes).map_err(|e| json_error(&e, VAULTTY))?;
    let mut out = Collector::default();
    for (i, e) in doc.entries.iter_mut().enumerate() {
        let place = Place::Item(i + 1);
        let time = |t: &Option<String>, name: &str| match t.as_deref() {
            None => Ok(None),
            Some(t) => seconds(t).map(Some).ok_or_else(|| {
                at(
                    place,
                    format!("{name} is not an RFC 3339 time such as 2026-11-24T09:00:00Z."),
                )
            }),
        };
        let created = time(&e.created_at, "created_at")?;
        let updated = time(&e.updated_at, "updated_at")?;
        let times = created.zip(updated).map(|(c, u)| Times {
            created_at: c,
            updated_at: u,
        });
        let entry = Entry {
            title: std::mem::take(&mut e.title),
            username: std::mem::take(&mut e.username),
            password: std::mem::take(&mut e.password),
            url: std::mem::take(&mut e.url),
            notes: std::mem::take(&mut e.notes),
            totp: std::mem::take(&mut e.totp),
            folder: std::mem::take(&mut e.folder),
        };
        out.push(place, entry, times);
    }
    Ok(out.parsed)
}

// ---- age

/// The scrypt work factor (log2 N) of an age export: 2^18 with r = 8 is 256 MiB and about a
/// second, age's own target. Fixed rather than age's estimate, which is timed on the spot: a
/// busy machine would write a weaker file, and refuse its own file when read back later.
const EXPORT_WORK_FACTOR: u8 = 18;
/// The most scrypt work an age file may ask of an import: 2^20 (1 GiB, a few seconds), above
/// any file vaultty writes or `age --passphrase` chooses on today's machines.
const IMPORT_MAX_WORK_FACTOR: u8 = 20;

/// [`export_json`] encrypted with `passphrase` in the binary age format (an scrypt
/// recipient, work factor [`EXPORT_WORK_FACTOR`]). `age --decrypt` reads it.
pub fn export_age(
    records: &[EntryRecord],
    passphrase: &Password,
) -> Result<Vec<u8>, TransferError> {
    let n = passphrase.expose().chars().count();
    if n < MIN_PASSPHRASE_CHARS {
        return Err(TransferError::Passphrase(format!(
            "the passphrase is too short ({n} characters): use at least {MIN_PASSPHRASE_CHARS}."
        )));
    }
    let json = export_json(records);
    let mut recipient =
        age::scrypt::Recipient::new(age::secrecy::SecretString::from(passphrase.expose()));
    recipient.set_work_factor(EXPORT_WORK_FACTOR);
    let encryptor = age::Encryptor::with_recipients(std::iter::once(&recipient as _))
        .map_err(|e| TransferError::File(format!("encryption failed: {e}")))?;
    let failed = |e: std::io::Error| TransferError::File(format!("encryption failed: {e}"));
    let mut out = Vec::with_capacity(json.len() + 1024);
    let mut writer = encryptor.wrap_output(&mut out).map_err(failed)?;
    writer.write_all(&json).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

/// Decrypts an age file made with a passphrase ([`export_age`], or `age --passphrase` on a
/// vaultty export; binary or armored) and reads the export inside.
pub fn import_age(bytes: &[u8], passphrase: &Password) -> Result<Parsed, TransferError> {
    use age::DecryptError as D;
    let file = |m: &str| TransferError::File(m.into());
    let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(bytes)).map_err(
        |e| match e {
            D::ExcessiveWork { .. } => file(
                "the file's passphrase needs more work to check than vaultty allows on this \
                 machine.",
            ),
            _ => file("the file is not an age-encrypted file, or it is damaged."),
        },
    )?;
    if !decryptor.is_scrypt() {
        return Err(file(
            "the file is encrypted to an age key, not with a passphrase: decrypt it with \
             `age --decrypt -i KEYFILE` and import the JSON.",
        ));
    }
    let mut identity =
        age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase.expose()));
    identity.set_max_work_factor(IMPORT_MAX_WORK_FACTOR);
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            D::ExcessiveWork { .. } => file(
                "the file's passphrase needs more work to check than vaultty allows on this \
                 machine.",
            ),
            D::DecryptionFailed | D::KeyDecryptionFailed | D::NoMatchingKeys => {
                TransferError::Passphrase("the passphrase is wrong.".into())
            }
            _ => file("the file is not an age-encrypted file, or it is damaged."),
        })?;
    // The plaintext is never longer than the file: sized once, never reallocated.
    let mut json = Zeroizing::new(Vec::with_capacity(bytes.len()));
    reader
        .read_to_end(&mut json)
        .map_err(|_| file("the file is damaged: its contents do not decrypt."))?;
    parse_vaultty(&json)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BITWARDEN_FIXTURE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/bitwarden.json"
    ));
    const KEEPASSXC_FIXTURE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keepassxc.csv"
    ));

    fn entry(fields: [&str; 7]) -> Entry {
        let [title, username, password, url, notes, totp, folder] = fields.map(str::to_owned);
        Entry {
            title,
            username,
            password,
            url,
            notes,
            totp,
            folder,
        }
    }

    fn secs(t: &str) -> i64 {
        seconds(t).unwrap()
    }

    fn error(r: Result<Parsed, TransferError>) -> TransferError {
        match r {
            Err(e) => e,
            Ok(p) => panic!("expected an error, read {} entries", p.entries.len()),
        }
    }

    fn reasons(p: &Parsed) -> Vec<String> {
        p.skipped.iter().map(|s| s.to_string()).collect()
    }

    // ---- Bitwarden

    #[test]
    fn bitwarden_export_reads_logins_notes_folders_and_fields() {
        let p = parse(Format::BitwardenJson, BITWARDEN_FIXTURE).unwrap();
        assert_eq!(p.entries.len(), 3, "{:?}", reasons(&p));
        assert_eq!(p.entries.len(), p.times.len());
        let mail = entry([
            "Mail",
            "ada@example.org",
            "c0rrect \"horse\", battery\\staple",
            "https://mail.example.org/login",
            "Recovery questions in the safe.\nSecond line.\n\n\
             url: https://webmail.example.org\n\
             url: androidapp://org.example.mail\n\
             PIN: 4711\n\
             Remember me: true\n\
             Login name: ",
            "otpauth://totp/Example:ada?secret=JBSWY3DPEHPK3PXP&issuer=Example",
            "Work",
        ]);
        assert!(p.entries[0] == mail, "{:?}", p.entries[0].notes);
        assert_eq!(
            p.times[0],
            Some(Times {
                created_at: secs("2024-01-15T08:00:00Z"),
                updated_at: secs("2024-03-01T10:20:30.123Z"),
            })
        );
        let note = entry([
            "Wi-Fi at home",
            "",
            "",
            "",
            "SSID: example\nKey: pa55 w0rd\n\tindented",
            "",
            "",
        ]);
        assert!(p.entries[1] == note);
        // Nulls everywhere, and only one of the two dates.
        let router = entry(["Router", "", "r0uter-admin", "", "", "", "Work"]);
        assert!(p.entries[2] == router);
        let t = secs("2024-02-05T12:00:00Z");
        assert_eq!(
            p.times[2],
            Some(Times {
                created_at: t,
                updated_at: t
            })
        );
        assert_eq!(
            reasons(&p),
            [
                "item 3 (Visa): Bitwarden card items are not supported.",
                "item 4 (Me): Bitwarden identity items are not supported.",
                "item 6 (Deploy key): Bitwarden SSH key items are not supported.",
            ]
        );
    }

    #[test]
    fn bitwarden_unknown_types_bad_entries_and_duplicates_are_reported() {
        let json = r#"{"encrypted": false, "folders": [], "items": [
            {"type": 1, "name": "A", "login": {"username": "u", "password": "p"}},
            {"type": 9, "name": "From the future"},
            {"name": "No type"},
            {"type": 1, "name": "A", "login": {"username": "u", "password": "p"}},
            {"type": 1, "name": "Bad", "login": {"username": "line\nbreak"}},
            {"type": 2, "name": "   ", "notes": "untitled"},
            {"type": 1, "name": "Passkey", "folderId": "gone",
             "login": {"fido2Credentials": [{"credentialId": "x"}], "uris": [{"uri": null}, {"uri": ""}]}}
        ]}"#;
        let p = parse(Format::BitwardenJson, json.as_bytes()).unwrap();
        assert_eq!(p.entries.len(), 2);
        assert_eq!(p.entries[0].title, "A");
        assert!(p.times[0].is_none());
        let passkey = &p.entries[1];
        assert_eq!((passkey.url.as_str(), passkey.folder.as_str()), ("", ""));
        assert!(passkey.notes.contains("1 passkey(s)"), "{}", passkey.notes);
        assert_eq!(
            reasons(&p),
            [
                "item 2 (From the future): Bitwarden items of type 9 are not known.",
                "item 3 (No type): the item has no type.",
                "item 4 (A): the same entry as item 1: imported once.",
                "item 5 (Bad): username holds a line break or another control character.",
                "item 6: title is required.",
            ]
        );
    }

    #[test]
    fn bitwarden_encrypted_exports_are_refused_with_what_to_do() {
        let password_protected = br#"{"encrypted": true, "passwordProtected": true,
            "salt": "c2FsdA==", "kdfType": 0, "kdfIterations": 600000,
            "encKeyValidation_DO_NOT_EDIT": "2.x|y|z", "data": "2.a|b|c"}"#;
        let account_restricted = br#"{"encrypted": true,
            "encKeyValidation_DO_NOT_EDIT": "2.x|y|z",
            "folders": [{"id": "f", "name": "2.a|b|c"}],
            "items": [{"type": 1, "name": "2.d|e|f", "login": {"password": "2.g|h|i"}}]}"#;
        for json in [&password_protected[..], &account_restricted[..]] {
            let e = error(parse(Format::BitwardenJson, json)).to_string();
            assert!(e.contains("\"JSON\", not \"JSON (Encrypted)\""), "{e}");
        }
    }

    #[test]
    fn bitwarden_errors_name_the_line_and_never_a_value() {
        let cases: [(&str, u64, &str); 4] = [
            (
                "{\"items\": [\n{\"type\": 1, \"name\": \"X\",\n\"login\": \"hunter2-secret\"}]}",
                3,
                "wrong kind",
            ),
            (
                "{\"items\": [\n{\"type\": 1,\n \"login\": {\"password\": 918273645}}]}",
                3,
                "wrong kind",
            ),
            (
                "{\"items\": [\n{\"type\": 1, \"notes\": \"hunter2-secret",
                2,
                "ends early",
            ),
            (
                "{\"items\": [\n\n{\"notes\": 'hunter2-secret'}]}",
                3,
                "not valid JSON",
            ),
        ];
        for (json, line, what) in cases {
            let e = error(parse(Format::BitwardenJson, json.as_bytes()));
            let shown = e.to_string();
            assert!(
                matches!(e, TransferError::At { place: Place::Line(l), .. } if l == line),
                "{shown}"
            );
            assert!(shown.contains(what), "{shown}");
            assert!(
                !shown.contains("hunter2") && !shown.contains("918273645"),
                "{shown}"
            );
            assert!(
                shown.contains("Bitwarden's unencrypted JSON export"),
                "{shown}"
            );
        }
        let e = error(parse(Format::BitwardenJson, b"{\"folders\": []}")).to_string();
        assert!(e.contains("no \"items\" list"), "{e}");
        let e = error(parse(Format::BitwardenJson, b"")).to_string();
        assert!(e.contains("ends early"), "{e}");
    }

    // ---- KeePassXC

    #[test]
    fn keepassxc_export_reads_bom_crlf_quotes_and_groups() {
        let p = parse(Format::KeepassxcCsv, KEEPASSXC_FIXTURE).unwrap();
        assert_eq!(p.entries.len(), 4, "{:?}", reasons(&p));
        let expected = [
            entry([
                "Bank",
                "ada",
                "p@ss, \"quoted\" word",
                "https://bank.example.com",
                "",
                "",
                "",
            ]),
            entry([
                "Mail",
                "ada@example.org",
                "c0rrect horse",
                "https://mail.example.org",
                "First line\nSecond, with comma\n\"Third\" line",
                "otpauth://totp/Example:ada?secret=JBSWY3DPEHPK3PXP",
                "Work",
            ]),
            entry([
                "db1",
                "root",
                "s3cret",
                "ssh://db1.example.com",
                "",
                "",
                "Work/Servers",
            ]),
            entry(["Odd group", "u", "p", "", "", "", "Rootless"]),
        ];
        for (got, want) in p.entries.iter().zip(&expected) {
            assert!(got == want, "{:?} / {:?}", got.title, got.notes);
        }
        assert_eq!(
            p.times[1],
            Some(Times {
                created_at: secs("2024-03-02T09:00:00Z"),
                updated_at: secs("2024-03-02T10:00:00Z"),
            })
        );
        assert_eq!(p.times[2], None);
        // The nameless entry starts on line 8: the Mail entry's notes span lines 3 to 5.
        assert_eq!(reasons(&p), ["line 8: title is required."]);
    }

    #[test]
    fn keepassxc_older_headers_map_by_name() {
        let csv = "\"title\",\"GROUP\",\"Password\",\"Username\",\"URL\",\"Notes\"\n\
                   \"Old\",\"Root/Legacy\",\"pw\",\"me\",\"https://x.example\",\"n\"\n\
                   \n\
                   \"Old\",\"Root/Legacy\",\"pw\",\"me\",\"https://x.example\",\"n\"\n";
        let p = parse(Format::KeepassxcCsv, csv.as_bytes()).unwrap();
        assert_eq!(p.entries.len(), 1);
        assert!(p.entries[0] == entry(["Old", "me", "pw", "https://x.example", "n", "", "Legacy"]));
        assert_eq!(p.times, [None]);
        assert_eq!(
            reasons(&p),
            ["line 4 (Old): the same entry as line 2: imported once."]
        );
    }

    #[test]
    fn keepassxc_errors_name_the_line_and_never_a_value() {
        let header = "\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\"\n";
        let e = error(parse(
            Format::KeepassxcCsv,
            b"\"Root\",\"Mail\",\"ada\",\"hunter2-secret\",\"\",\"\"\n",
        ));
        let shown = e.to_string();
        assert!(shown.starts_with("line 1: ") && shown.contains("Export with KeePassXC"));
        assert!(!shown.contains("hunter2"), "{shown}");
        let e = error(parse(
            Format::KeepassxcCsv,
            format!(
                "{header}\"Root\",\"A\",\"u\",\"p\",\"\",\"\"\n\"Root\",\"B\",\"hunter2-secret\"\n"
            )
            .as_bytes(),
        ));
        assert_eq!(
            e.to_string(),
            "line 3: has 3 fields but the header has 6: a quote left open or a stray comma?"
        );
        // A quote left open swallows the rest of the file into one field.
        let e = error(parse(
            Format::KeepassxcCsv,
            format!("{header}\"Root\",\"A\",\"u\",\"p\nq\",\"\",\"\"\n\"Root\",\"B,\"u\",\"p\",\"\",\"\"\n")
                .as_bytes(),
        ));
        assert!(e.to_string().starts_with("line 4: has "), "{e}");
        let mut bytes = header.as_bytes().to_vec();
        bytes.extend_from_slice(b"\"Root\",\"A\",\"u\",\"p\xff\",\"\",\"\"\n");
        let e = error(parse(Format::KeepassxcCsv, &bytes));
        assert_eq!(
            e.to_string(),
            "line 2: is not UTF-8 text: export again from KeePassXC."
        );
        let e = error(parse(Format::KeepassxcCsv, b"\xEF\xBB\xBF\r\n"));
        assert!(e.to_string().starts_with("the file is empty"), "{e}");
    }

    #[test]
    fn keepassxc_root_group_is_stripped() {
        assert_eq!(folder_of_group("Root"), "");
        assert_eq!(folder_of_group("Root/Work"), "Work");
        assert_eq!(folder_of_group("Root/Work/Sub"), "Work/Sub");
        assert_eq!(folder_of_group("Rooted"), "Rooted");
        assert_eq!(folder_of_group(""), "");
        assert_eq!(folder_of_group("Private"), "Private");
    }

    // ---- vaultty's own format

    fn hostile_records() -> Vec<EntryRecord> {
        let hostile = [
            entry([
                "Quotes \" and \\ backslashes \\\" and {\"vaultty_export\": 2}",
                "ünïcødé 用户 👩‍💻",
                "p\"a's\\s, w0rd\u{202e}reversed\u{200b}",
                "https://example.org/?q=\"x\"&y=</script>",
                "multi\nline\n\n\tindented\nwith \"quotes\" and \\n literally\n🙂\u{2028}end",
                "JBSWY3DPEHPK3PXP",
                "Wörk/Sübfolder",
            ]),
            entry(["Only a title", "", "", "", "", "", ""]),
            entry(["Zero time", "", "", "", "", "", ""]),
        ];
        hostile
            .into_iter()
            .enumerate()
            .map(|(i, entry)| EntryRecord {
                id: i as i64 + 1,
                created_at: [1_700_000_000, 1_800_000_000, 0][i],
                updated_at: [1_700_000_123, 1_800_000_000, 0][i],
                entry,
            })
            .collect()
    }

    #[test]
    fn vaultty_export_round_trips_hostile_text() {
        let records = hostile_records();
        let json = export_json(&records);
        let text = std::str::from_utf8(&json).unwrap();
        assert!(text.starts_with("{\n  \"vaultty_export\": 1,"), "{text}");
        assert!(
            text.contains("\"created_at\": \"2023-11-14T22:13:20Z\""),
            "{text}"
        );
        let p = parse(Format::VaulttyJson, &json).unwrap();
        assert!(p.skipped.is_empty(), "{:?}", reasons(&p));
        assert_eq!(p.entries.len(), records.len());
        for ((e, t), r) in p.entries.iter().zip(&p.times).zip(&records) {
            assert!(*e == r.entry, "{:?}", r.entry.title);
            assert_eq!(
                *t,
                Some(Times {
                    created_at: r.created_at,
                    updated_at: r.updated_at
                })
            );
        }
        let empty = export_json(&[]);
        let p = parse(Format::VaulttyJson, &empty).unwrap();
        assert!(p.entries.is_empty() && p.skipped.is_empty());
    }

    #[test]
    fn vaultty_import_refuses_other_documents() {
        let e = error(parse(
            Format::VaulttyJson,
            br#"{"vaultty_export": 2, "entries": []}"#,
        ));
        assert!(e.to_string().contains("update vaultty"), "{e}");
        let e = error(parse(Format::VaulttyJson, br#"{"items": []}"#));
        assert!(e.to_string().contains("not a vaultty export"), "{e}");
        let e = error(parse(
            Format::VaulttyJson,
            b"{\"vaultty_export\": 1, \"entries\": [\n{\"username\": \"u\"}]}",
        ));
        assert!(
            e.to_string()
                .starts_with("line 2: missing field `title` (column "),
            "{e}"
        );
        let e = error(parse(
            Format::VaulttyJson,
            b"{\"vaultty_export\": 1, \"entries\": [\n{\"title\": \"t\",\n\"pasword\": \"hunter2\"}]}",
        ));
        assert!(
            e.to_string().starts_with("line 3: unknown field `pasword`"),
            "{e}"
        );
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = error(parse(
            Format::VaulttyJson,
            br#"{"vaultty_export": 1, "entries": [{"title": "t"}, {"title": "u", "created_at": "yesterday", "updated_at": "2024-01-01T00:00:00Z"}]}"#,
        ));
        assert_eq!(
            e.to_string(),
            "item 2: created_at is not an RFC 3339 time such as 2026-11-24T09:00:00Z."
        );
    }

    // ---- duplicates

    #[test]
    fn dedup_key_covers_every_field_and_its_bounds() {
        let a = entry(["t", "u", "p", "l", "n", "o", "f"]);
        assert_eq!(dedup_key(&a), dedup_key(&a.clone()));
        for i in 0..7 {
            let mut b = a.clone();
            let field = super::super::EntryField::from_name(
                [
                    "title", "username", "password", "url", "notes", "totp", "folder",
                ][i],
            )
            .unwrap();
            b.get_mut(field).push('x');
            assert_ne!(dedup_key(&a), dedup_key(&b), "field {i}");
        }
        let ab_c = entry(["ab", "c", "", "", "", "", ""]);
        let a_bc = entry(["a", "bc", "", "", "", "", ""]);
        assert_ne!(dedup_key(&ab_c), dedup_key(&a_bc));
        assert_eq!(format!("{:?}", dedup_key(&a)), "DedupKey(<redacted>)");
    }

    #[test]
    fn importing_the_same_file_twice_adds_nothing() {
        let mut vault: Vec<Entry> = Vec::new();
        let first = parse(Format::KeepassxcCsv, KEEPASSXC_FIXTURE).unwrap();
        let existing: Vec<&Entry> = vault.iter().collect();
        let (new, present) = new_only(&existing, first.entries);
        assert_eq!((new.len(), present), (4, 0));
        vault.extend(new);
        let again = parse(Format::KeepassxcCsv, KEEPASSXC_FIXTURE).unwrap();
        let existing: Vec<&Entry> = vault.iter().collect();
        let (new, present) = new_only(&existing, again.entries);
        assert_eq!((new.len(), present), (0, 4));
        // Duplicates within what comes in count too.
        let twice = vec![vault[0].clone(), vault[0].clone()];
        assert_eq!(new_only(&[], twice).0.len(), 1);
    }

    #[test]
    fn drop_present_keeps_times_in_step() {
        let records = hostile_records();
        let mut p = parse(Format::VaulttyJson, &export_json(&records)).unwrap();
        let dropped = p.drop_present(&[&records[0].entry, &records[2].entry]);
        assert_eq!(dropped, 2);
        assert_eq!(p.entries.len(), 1);
        assert!(p.entries[0] == records[1].entry);
        assert_eq!(p.times[0].unwrap().created_at, 1_800_000_000);
    }

    // ---- age

    fn pass(s: &str) -> Password {
        Password::from(s)
    }

    #[test]
    fn age_export_round_trips_and_refuses_what_it_should() {
        let records = hostile_records();
        let phrase = pass("a long enough passphrase");
        let sealed = export_age(&records, &phrase).unwrap();
        assert!(sealed.starts_with(b"age-encryption.org/v1\n-> scrypt "));
        let plain = export_json(&records);
        assert!(
            !sealed
                .windows(16)
                .any(|w| plain.windows(16).any(|p| p == w))
        );
        let p = import_age(&sealed, &phrase).unwrap();
        assert_eq!(p.entries.len(), records.len());
        for (e, r) in p.entries.iter().zip(&records) {
            assert!(*e == r.entry);
        }
        assert_eq!(
            import_age(&sealed, &pass("the wrong passphrase")).unwrap_err(),
            TransferError::Passphrase("the passphrase is wrong.".into())
        );
        let mut damaged = sealed.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        let e = import_age(&damaged, &phrase).unwrap_err().to_string();
        assert!(e.contains("damaged"), "{e}");
        let e = import_age(b"not an age file", &phrase)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not an age-encrypted file"), "{e}");
        let e = export_age(&records, &pass("11 letters!")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the passphrase is too short (11 characters): use at least 12."
        );
        // Twelve characters, not bytes.
        assert!(export_age(&[], &pass("ééééééééééé")).is_err());
    }

    #[test]
    fn age_import_reads_armored_files_and_refuses_key_files() {
        use age::armor::{ArmoredWriter, Format as Armor};
        let records = hostile_records();
        let json = export_json(&records);
        let phrase = "armored passphrase";
        let mut armored = Vec::new();
        let encryptor =
            age::Encryptor::with_user_passphrase(age::secrecy::SecretString::from(phrase));
        let mut w = encryptor
            .wrap_output(ArmoredWriter::wrap_output(&mut armored, Armor::AsciiArmor).unwrap())
            .unwrap();
        w.write_all(&json).unwrap();
        w.finish().unwrap().finish().unwrap();
        assert!(armored.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----"));
        assert_eq!(
            import_age(&armored, &pass(phrase)).unwrap().entries.len(),
            3
        );

        let key = age::x25519::Identity::generate();
        let to_key = age::encrypt(&key.to_public(), &json).unwrap();
        let e = import_age(&to_key, &pass(phrase)).unwrap_err().to_string();
        assert!(e.contains("encrypted to an age key"), "{e}");
    }

    // ---- the real age tool

    /// Says something in the test log, past the harness's capture.
    fn say(message: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{message}");
    }

    /// The `age` tool's version, or `None` (and a notice) when it is not installed.
    fn age_tool(test: &str) -> Option<String> {
        match std::process::Command::new("age").arg("--version").output() {
            Ok(out) if out.status.success() => {
                let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                say(&format!("{test}: ran with the age tool {version}"));
                Some(version)
            }
            _ => {
                say(&format!(
                    "{test}: SKIPPED: the age command is not installed (apt-get install age; \
                     .ci/run installs it)"
                ));
                None
            }
        }
    }

    /// Runs `age` with `args` in a pseudo-terminal (age reads passphrases only from a
    /// terminal), typing `passphrase` at each of its `prompts` passphrase prompts.
    fn run_age_in_pty(args: &[&std::ffi::OsStr], passphrase: &str, prompts: usize) {
        use portable_pty::{CommandBuilder, PtySize, native_pty_system};
        use std::time::{Duration, Instant};
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new("age");
        cmd.args(args);
        let mut child = pair.slave.spawn_command(cmd).expect("start age in the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let mut writer = pair.master.take_writer().expect("pty writer");
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = reader.read(&mut buf) {
                if tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut screen = String::new();
        let mut answered = 0;
        loop {
            if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(50)) {
                screen.push_str(&String::from_utf8_lossy(&chunk));
            }
            let asked = screen.to_lowercase().matches("passphrase").count();
            if answered < prompts.min(asked) && screen.trim_end().ends_with(':') {
                writer
                    .write_all(format!("{passphrase}\r").as_bytes())
                    .unwrap();
                writer.flush().unwrap();
                answered += 1;
            }
            if let Some(status) = child.try_wait().unwrap() {
                while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(100)) {
                    screen.push_str(&String::from_utf8_lossy(&chunk));
                }
                assert!(status.success(), "age failed: {status:?}\n{screen}");
                assert_eq!(answered, prompts, "{screen}");
                return;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("age did not finish in 60 s\n{screen}");
            }
        }
    }

    #[test]
    fn vt_10_the_age_tool_decrypts_an_export() {
        if age_tool("the_age_tool_decrypts_an_export").is_none() {
            return;
        }
        let records = hostile_records();
        let phrase = "correct horse battery staple";
        let dir = tempfile::tempdir().unwrap();
        let (sealed, opened) = (dir.path().join("vault.age"), dir.path().join("vault.json"));
        std::fs::write(&sealed, export_age(&records, &pass(phrase)).unwrap()).unwrap();
        let args = [
            "--decrypt".as_ref(),
            "-o".as_ref(),
            opened.as_os_str(),
            sealed.as_os_str(),
        ];
        run_age_in_pty(&args, phrase, 1);
        let json = std::fs::read(&opened).unwrap();
        assert_eq!(json[..], export_json(&records)[..]);
    }

    #[test]
    fn vt_10_an_export_the_age_tool_encrypted_imports() {
        if age_tool("an_export_the_age_tool_encrypted_imports").is_none() {
            return;
        }
        let records = hostile_records();
        let phrase = "another passphrase, typed twice";
        let dir = tempfile::tempdir().unwrap();
        let (plain, sealed) = (dir.path().join("vault.json"), dir.path().join("vault.age"));
        std::fs::write(&plain, export_json(&records)).unwrap();
        let args = [
            "--passphrase".as_ref(),
            "-o".as_ref(),
            sealed.as_os_str(),
            plain.as_os_str(),
        ];
        run_age_in_pty(&args, phrase, 2);
        let p = import_age(&std::fs::read(&sealed).unwrap(), &pass(phrase)).unwrap();
        assert_eq!(p.entries.len(), records.len());
        assert!(p.entries[0] == records[0].entry);
    }
}
