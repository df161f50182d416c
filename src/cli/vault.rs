//! `vaultty unlock`, `lock` and `vault ...`: the vault from the command line, through the
//! per-data-dir agent (see [`crate::agent`]), which holds the data key between commands.

use super::{CliError, input, output};
use crate::agent::{self, AgentRequest, AgentResponse, WireEntry};
use crate::vault::{Entry, EntryField};
use crate::{Error, Password, sanitize::for_display};
use clap::Subcommand;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// How long a copied field stays on the clipboard.
pub const CLIPBOARD_SECS: u64 = 30;

#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// List entries: id, title, username, url, whether it has a TOTP seed, last change (no
    /// secrets)
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add an entry; its password from stdin or generated
    #[command(group(clap::ArgGroup::new("secret").required(true).args(["secret_stdin", "generate"])))]
    Add {
        #[arg(long)]
        title: String,
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        url: Option<String>,
        /// An otpauth://totp/ URI or a base32 seed
        #[arg(long)]
        totp: Option<String>,
        /// Read the password from the first line of stdin
        #[arg(long)]
        secret_stdin: bool,
        /// Generate a passphrase of six EFF words (or, with --length, a password)
        #[arg(long)]
        generate: bool,
        /// With --generate: a password of this many characters (8 to 128; letters, digits and
        /// symbols) instead of a passphrase
        #[arg(long, requires = "generate", value_parser = clap::value_parser!(u16).range(8..=128))]
        length: Option<u16>,
    },
    /// Change an entry's fields
    Edit {
        id: i64,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        url: Option<String>,
        #[arg(long)]
        totp: Option<String>,
        /// Read the new password from the first line of stdin
        #[arg(long)]
        secret_stdin: bool,
        /// Read the notes from stdin (all of it; after the password's line with --secret-stdin)
        #[arg(long)]
        notes_stdin: bool,
    },
    /// Print one field of an entry (default: the password; totp: the current code)
    Get {
        #[arg(value_name = "ID|TITLE")]
        entry: String,
        #[arg(long, default_value = "password")]
        field: String,
        /// The whole entry as JSON, secrets included
        #[arg(long)]
        json: bool,
    },
    /// Delete an entry
    Rm {
        #[arg(value_name = "ID|TITLE")]
        entry: String,
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// Put a field on the clipboard with OSC 52 (works over SSH and in tmux); cleared after 30 s
    Copy {
        #[arg(value_name = "ID|TITLE")]
        entry: String,
        #[arg(long, default_value = "password")]
        field: String,
    },
    /// Import entries from another program's export
    Import {
        /// bitwarden-json, keepassxc-csv, vaultty-json, or age (vaultty's encrypted export)
        #[arg(long)]
        format: String,
        file: PathBuf,
        /// Read the age passphrase from stdin
        #[arg(long)]
        passphrase_stdin: bool,
    },
    /// Export every entry: age (passphrase-encrypted) or, with --plaintext, JSON
    Export {
        /// age or json
        #[arg(long)]
        format: String,
        file: PathBuf,
        #[arg(long)]
        passphrase_stdin: bool,
        /// Required for --format json: the file holds every secret in the clear
        #[arg(long)]
        plaintext: bool,
    },
    /// A new recovery code (re-enter the password); the old one stops working
    RecoveryCode {
        #[arg(long)]
        password_stdin: bool,
    },
    /// After a password reset: open the sealed vault with the recovery code, or give it up
    Recover {
        /// Read the password, then the recovery code, from stdin
        #[arg(long)]
        stdin: bool,
        /// Give up the sealed vault's entries and start an empty vault
        #[arg(long)]
        discard: bool,
    },
}

fn store() -> Option<String> {
    crate::setup().store.clone()
}

/// The agent's answer, or the error it carries.
fn checked(r: AgentResponse) -> Result<AgentResponse, CliError> {
    match r {
        AgentResponse::Failed { code, message } => Err(CliError::Remote { code, message }),
        r => Ok(r),
    }
}

/// `vaultty unlock`: starts the agent if needed and unlocks it with the password.
pub fn unlock(dir: &Path, password_stdin: bool) -> Result<(), CliError> {
    crate::open_existing(dir)?.ok_or(Error::NoSession)?;
    let pw = if password_stdin {
        input::stdin_passwords(1)?.remove(0)
    } else {
        input::prompt("Password: ")?
    };
    unlock_with(dir, pw)?;
    let minutes = (crate::setup().options.effective_vault_lock_secs() + 59) / 60;
    eprintln!(
        "Vault unlocked. It locks after {minutes} min unused (vault.lock_minutes), or with \
         `vaultty lock`."
    );
    Ok(())
}

fn unlock_with(dir: &Path, pw: Password) -> Result<(), CliError> {
    agent::start(dir, store().as_deref())?;
    let request = AgentRequest::Unlock {
        password: Zeroizing::new(pw.expose().to_owned()),
    };
    let answer = agent::send(dir, &request)
        .ok_or_else(|| Error::Internal("the agent did not answer; try again".into()))?;
    if let AgentResponse::Created { recovery_code } = checked(answer)? {
        eprintln!("Your vault was created.");
        println!("Your vault's recovery code (shown only this once):");
        println!("{}", recovery_code.as_str());
    }
    Ok(())
}

/// `vaultty lock` (and part of `logout`): the agent wipes the key and exits. Whether one was
/// running.
pub fn lock(dir: &Path) -> bool {
    agent::send(dir, &AgentRequest::Stop).is_some()
}

/// Sends a request to the unlocked agent. A locked (or absent) agent asks for the password on a
/// terminal, else exits 9.
fn call(dir: &Path, request: AgentRequest) -> Result<AgentResponse, CliError> {
    let first = agent::send(dir, &request);
    let locked = match &first {
        None => true,
        Some(AgentResponse::Failed { code: 9, message }) => {
            message == &Error::VaultLocked.to_string()
        }
        _ => false,
    };
    if !locked {
        return checked(first.expect("answered"));
    }
    // Say "not logged in" rather than "locked" when unlocking would not help.
    let v = crate::open_existing(dir)?.ok_or(Error::NoSession)?;
    crate::api::session(&v, crate::api::Request::Session { refresh: false })?
        .ok_or(Error::NoSession)?;
    if !std::io::stdin().is_terminal() {
        return Err(Error::VaultLocked.into());
    }
    unlock_with(dir, input::prompt("Vault locked. Password: ")?)?;
    let answer = agent::send(dir, &request)
        .ok_or_else(|| Error::Internal("the agent did not answer; try again".into()))?;
    checked(answer)
}

fn entries(dir: &Path) -> Result<Vec<WireEntry>, CliError> {
    match call(dir, AgentRequest::Entries)? {
        AgentResponse::Entries(e) => Ok(e),
        other => Err(agent::unexpected(other).into()),
    }
}

/// The entry named by an id or a title (exactly one).
fn find(all: Vec<WireEntry>, name: &str) -> Result<WireEntry, CliError> {
    if let Ok(id) = name.parse::<i64>()
        && let Some(i) = all.iter().position(|e| e.id == id)
    {
        return Ok(all.into_iter().nth(i).expect("found"));
    }
    let mut matching: Vec<WireEntry> = all
        .into_iter()
        .filter(|e| e.entry.title.to_lowercase() == name.to_lowercase())
        .collect();
    match matching.len() {
        1 => Ok(matching.remove(0)),
        0 => Err(Error::UnknownEntry(format!("has the id or title {name:?}")).into()),
        n => Err(Error::AmbiguousEntry {
            title: name.to_owned(),
            count: n,
            ids: matching
                .iter()
                .map(|e| e.id.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
        .into()),
    }
}

fn field_named(name: &str) -> Result<EntryField, CliError> {
    EntryField::from_name(name).ok_or_else(|| {
        CliError::Usage(format!(
            "--field {name:?} is not a field: use password, username, url, notes, totp, title or folder"
        ))
    })
}

/// The text of `field` (for totp, the current code).
fn field_text(e: &Entry, field: EntryField) -> Result<Zeroizing<String>, CliError> {
    if field == EntryField::Totp {
        if e.totp.is_empty() {
            return Err(Error::UnknownEntry("has no TOTP seed in this entry".into()).into());
        }
        let totp = crate::vault::totp::Totp::parse(&e.totp)
            .map_err(|p| Error::InvalidEntry(format!("TOTP {p}")))?;
        return Ok(totp.code_at(jiff::Timestamp::now().as_second()));
    }
    Ok(Zeroizing::new(e.get(field).to_owned()))
}

fn stdin_all() -> Result<Zeroizing<String>, CliError> {
    use std::io::Read;
    let mut buf = Zeroizing::new(Vec::with_capacity(1 << 16));
    std::io::stdin()
        .take(1 << 20)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::Usage(format!("cannot read standard input: {e}")))?;
    let text = std::str::from_utf8(&buf)
        .map_err(|_| CliError::Usage("standard input is not UTF-8 text".into()))?;
    Ok(Zeroizing::new(
        text.trim_end_matches(['\n', '\r']).to_owned(),
    ))
}

fn passphrase(from_stdin: bool, confirm: bool) -> Result<Zeroizing<String>, CliError> {
    let p = if from_stdin {
        input::stdin_passwords(1)?.remove(0)
    } else if confirm {
        input::prompt_new(
            crate::Field::Password,
            "Passphrase for the export: ",
            "Repeat the passphrase: ",
            |_| None,
        )?
    } else {
        input::prompt("Passphrase: ")?
    };
    Ok(Zeroizing::new(p.expose().to_owned()))
}

pub fn run(dir: &Path, command: VaultCommand) -> Result<(), CliError> {
    match command {
        VaultCommand::List { json } => {
            let all = entries(dir)?;
            if json {
                let rows: Vec<serde_json::Value> = all
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "id": e.id,
                            "title": e.entry.title,
                            "username": e.entry.username,
                            "url": e.entry.url,
                            "has_totp": !e.entry.totp.is_empty(),
                            "updated_at": e.updated_at,
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(rows));
            } else if all.is_empty() {
                eprintln!("The vault is empty. Add an entry with `vaultty vault add`.");
            } else {
                for e in &all {
                    println!(
                        "{:>5}  {}  {}  {}{}",
                        e.id,
                        for_display(&e.entry.title),
                        for_display(&e.entry.username),
                        for_display(&e.entry.url),
                        if e.entry.totp.is_empty() {
                            ""
                        } else {
                            "  [totp]"
                        }
                    );
                }
            }
            Ok(())
        }
        VaultCommand::Add {
            title,
            username,
            url,
            totp,
            secret_stdin,
            generate,
            length,
        } => {
            use crate::vault::generator::{Characters, Generator};
            let password = if generate {
                match length {
                    None => Generator::default(),
                    Some(n) => Generator::Characters(Characters {
                        length: n.into(),
                        ..Characters::default()
                    }),
                }
                .generate()
                .map_err(|e| Error::Internal(e.to_string()))?
            } else {
                debug_assert!(secret_stdin);
                Zeroizing::new(input::stdin_passwords(1)?.remove(0).expose().to_owned())
            };
            let mut entry = Entry::default();
            entry.title = title;
            entry.username = username.unwrap_or_default();
            entry.password = password.to_string();
            entry.url = url.unwrap_or_default();
            entry.totp = totp.unwrap_or_default();
            check_totp(&entry)?;
            match call(
                dir,
                AgentRequest::Add {
                    entries: vec![entry],
                },
            )? {
                AgentResponse::Ids(ids) => {
                    println!("{}", ids.first().copied().unwrap_or_default());
                    eprintln!(
                        "Entry added{}.",
                        match (generate, length) {
                            (false, _) => String::new(),
                            (true, None) => " with a generated passphrase (see it with \
                                              `vaultty vault get`)"
                                .to_owned(),
                            (true, Some(n)) => format!(
                                " with a generated {n}-character password (see it with \
                                 `vaultty vault get`)"
                            ),
                        }
                    );
                    Ok(())
                }
                other => Err(agent::unexpected(other).into()),
            }
        }
        VaultCommand::Edit {
            id,
            title,
            username,
            url,
            totp,
            secret_stdin,
            notes_stdin,
        } => {
            let mut e = find(entries(dir)?, &id.to_string())?;
            if let Some(t) = title {
                e.entry.title = t;
            }
            if let Some(u) = username {
                e.entry.username = u;
            }
            if let Some(u) = url {
                e.entry.url = u;
            }
            if let Some(t) = totp {
                e.entry.totp = t;
            }
            if secret_stdin {
                e.entry.password = input::stdin_passwords(1)?.remove(0).expose().to_owned();
            }
            if notes_stdin {
                e.entry.notes = stdin_all()?.to_string();
            }
            check_totp(&e.entry)?;
            call(
                dir,
                AgentRequest::Update {
                    id: e.id,
                    entry: e.entry,
                },
            )?;
            eprintln!("Entry {id} changed.");
            Ok(())
        }
        VaultCommand::Get { entry, field, json } => {
            let field = field_named(&field)?;
            let e = find(entries(dir)?, &entry)?;
            if json {
                let v = Zeroizing::new(
                    serde_json::to_string(&serde_json::json!({
                        "id": e.id,
                        "title": e.entry.title,
                        "username": e.entry.username,
                        "password": e.entry.password,
                        "url": e.entry.url,
                        "notes": e.entry.notes,
                        "totp": e.entry.totp,
                        "folder": e.entry.folder,
                        "created_at": e.created_at,
                        "updated_at": e.updated_at,
                    }))
                    .map_err(|e| Error::Internal(e.to_string()))?,
                );
                println!("{}", v.as_str());
            } else {
                // The value as stored: a script asked for it. Only a terminal gets it cleaned.
                let text = field_text(&e.entry, field)?;
                if std::io::stdout().is_terminal() {
                    println!("{}", for_display(&text));
                } else {
                    println!("{}", text.as_str());
                }
            }
            Ok(())
        }
        VaultCommand::Rm { entry, yes } => {
            let e = find(entries(dir)?, &entry)?;
            if !yes {
                if !std::io::stdin().is_terminal() {
                    return Err(CliError::Usage(
                        "deleting an entry needs --yes when stdin is not a terminal".into(),
                    ));
                }
                eprint!(
                    "Delete entry {} ({})? Type yes to confirm: ",
                    e.id,
                    for_display(&e.entry.title)
                );
                let mut line = String::new();
                let _ = std::io::stdin().read_line(&mut line);
                if line.trim() != "yes" {
                    eprintln!("Nothing was deleted.");
                    return Ok(());
                }
            }
            call(dir, AgentRequest::Delete { id: e.id })?;
            eprintln!("Entry {} deleted.", e.id);
            Ok(())
        }
        VaultCommand::Copy { entry, field } => {
            let field = field_named(&field)?;
            let e = find(entries(dir)?, &entry)?;
            let text = field_text(&e.entry, field)?;
            copy_to_clipboard(dir, &text)?;
            eprintln!(
                "Copied the {} of {} to the clipboard; it is cleared in {CLIPBOARD_SECS} s.",
                field.name(),
                for_display(&e.entry.title)
            );
            Ok(())
        }
        VaultCommand::Import {
            format,
            file,
            passphrase_stdin,
        } => {
            let bytes =
                Zeroizing::new(std::fs::read(&file).map_err(|e| {
                    Error::storage(&file, format!("cannot read the import file: {e}"))
                })?);
            let (format, passphrase) = if format == "age" {
                (
                    "vaultty-json".to_owned(),
                    Some(passphrase(passphrase_stdin, false)?),
                )
            } else {
                (format, None)
            };
            match call(
                dir,
                AgentRequest::Import {
                    format,
                    bytes,
                    passphrase,
                },
            )? {
                AgentResponse::Imported {
                    added,
                    present,
                    skipped,
                } => {
                    for s in &skipped {
                        eprintln!("Skipped {}", for_display(s));
                    }
                    eprintln!(
                        "Imported {added} entr{}; {present} already in the vault; {} skipped.",
                        if added == 1 { "y" } else { "ies" },
                        skipped.len()
                    );
                    Ok(())
                }
                other => Err(agent::unexpected(other).into()),
            }
        }
        VaultCommand::Export {
            format,
            file,
            passphrase_stdin,
            plaintext,
        } => {
            let passphrase = match (format.as_str(), plaintext) {
                ("age", _) => Some(passphrase(passphrase_stdin, true)?),
                ("json", true) => None,
                ("json", false) => {
                    return Err(CliError::Usage(
                        "--format json writes every secret in the clear: add --plaintext to say so, or use --format age".into(),
                    ));
                }
                _ => {
                    return Err(CliError::Usage(format!(
                        "--format {format:?} is not one vaultty writes: use age or json"
                    )));
                }
            };
            let bytes = match call(dir, AgentRequest::Export { passphrase })? {
                AgentResponse::Bytes(b) => b,
                other => return Err(agent::unexpected(other).into()),
            };
            write_new_private(&file, &bytes)?;
            if plaintext {
                eprintln!(
                    "Warning: {} holds every password in the clear (readable only by you). Delete it when done.",
                    for_display(&file.to_string_lossy())
                );
            } else {
                eprintln!(
                    "Exported to {} (age, passphrase-encrypted; `age --decrypt` opens it).",
                    for_display(&file.to_string_lossy())
                );
            }
            Ok(())
        }
        VaultCommand::RecoveryCode { password_stdin } => {
            let v = crate::open_existing(dir)?.ok_or(Error::NoSession)?;
            let pw = if password_stdin {
                input::stdin_passwords(1)?.remove(0)
            } else {
                input::prompt("Password: ")?
            };
            let code =
                crate::api::reset_code(&v, crate::api::Request::NewRecoveryCode { password: pw })?;
            output::recovery_code(&code);
            eprintln!("The previous recovery code no longer works.");
            Ok(())
        }
        VaultCommand::Recover { stdin, discard } => {
            let v = crate::open_existing(dir)?.ok_or(Error::NoSession)?;
            let (pw, code) = if stdin {
                let mut s = input::stdin_secrets(if discard {
                    &[crate::Field::Password]
                } else {
                    &[crate::Field::Password, crate::Field::Code]
                })?;
                let pw = s.remove(0);
                (pw, s.pop())
            } else {
                let pw = input::prompt("Password: ")?;
                let code = if discard {
                    None
                } else {
                    Some(input::prompt("Recovery code: ")?)
                };
                (pw, code)
            };
            if discard {
                let code =
                    crate::api::reset_code(&v, crate::api::Request::DiscardVault { password: pw })?;
                eprintln!("The sealed vault was given up; you have a new, empty vault.");
                output::recovery_code(&code);
            } else {
                crate::api::count(
                    &v,
                    crate::api::Request::RecoverVault {
                        password: pw,
                        code: code.expect("asked for"),
                    },
                )?;
                eprintln!(
                    "Your vault is open again, under your new password. Unlock it with `vaultty unlock`."
                );
            }
            Ok(())
        }
    }
}

fn check_totp(e: &Entry) -> Result<(), CliError> {
    if !e.totp.is_empty() {
        crate::vault::totp::Totp::parse(&e.totp)
            .map_err(|p| Error::InvalidEntry(format!("TOTP {p}")))?;
    }
    Ok(())
}

/// Writes `bytes` to the new file `path` (0600; never over an existing file or through a
/// symlink): a temporary file beside it, synced, then linked into place.
fn write_new_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let err = |e: std::io::Error| Error::storage(path, format!("cannot write the export: {e}"));
    let mut tmp = tempfile::NamedTempFile::new_in(parent).map_err(err)?;
    tmp.write_all(bytes).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist_noclobber(path).map_err(|e| {
        Error::storage(
            path,
            format!(
                "is not written: {} (an export never replaces a file)",
                e.error
            ),
        )
    })?;
    Ok(())
}

/// OSC 52 to the controlling terminal, and a
/// detached process that clears the clipboard after [`CLIPBOARD_SECS`] (unconditionally:
/// terminals do not say whether something else was copied since).
fn copy_to_clipboard(dir: &Path, text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut tty = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .map_err(|_| CliError::Usage("copy needs a terminal (it uses OSC 52)".into()))?;
    let seq = osc52(text);
    tty.write_all(seq.as_bytes())
        .and_then(|()| tty.flush())
        .map_err(|e| CliError::Usage(format!("cannot write to the terminal: {e}")))?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::Internal(format!("cannot find this program: {e}")))?;
    use std::os::unix::process::CommandExt;
    std::process::Command::new(exe)
        .arg("--data-dir")
        .arg(dir)
        .arg("clipboard-clear")
        .stdin(std::process::Stdio::null())
        .stdout(tty)
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| Error::Internal(format!("cannot start the clipboard clear: {e}")))?;
    Ok(())
}

/// The OSC 52 sequence that sets the clipboard to `text` (empty: clears it). Sent as it is,
/// also inside tmux: tmux takes it itself (its `set-clipboard` option) into its buffer and
/// passes it on to the outer terminal.
pub fn osc52(text: &str) -> Zeroizing<String> {
    let b64 = Zeroizing::new(data_encoding::BASE64.encode(text.as_bytes()));
    Zeroizing::new(format!("\x1b]52;c;{}\x07", b64.as_str()))
}

/// `vaultty clipboard-clear` (started by `vault copy`): waits, then clears the clipboard
/// through stdout (the terminal it inherited).
pub fn clipboard_clear() -> Result<(), CliError> {
    use std::io::Write;
    std::thread::sleep(std::time::Duration::from_secs(CLIPBOARD_SECS));
    let mut out = std::io::stdout();
    let _ = out.write_all(clear_sequence().as_bytes());
    let _ = out.flush();
    Ok(())
}

/// What clears the clipboard: an empty OSC 52; inside tmux, which ignores an empty payload, a
/// space after it replaces the copied text (in tmux's newest buffer and the outer terminal's
/// clipboard).
pub fn clear_sequence() -> String {
    let mut seq = osc52("").to_string();
    if std::env::var_os("TMUX").is_some() {
        seq.push_str(&osc52(" "));
    }
    seq
}
