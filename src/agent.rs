//! The vault agent: one process per data dir that holds the unlocked vault's data key, so
//! vault commands need the password once, not each time (as rbw-agent does for rbw).
//!
//! - `vaultty unlock` starts it on demand (`vaultty agent`, not meant to be typed) and sends
//!   it the password; it runs the one Argon2 run and keeps only the data key.
//! - It listens on `<data dir>/agent/socket`, in a 0700 directory, and answers only peers
//!   whose uid (`SO_PEERCRED`) is its own, whatever the socket's mode.
//! - It locks after `vault.lock_minutes` without a request (default and ceiling: the
//!   session's idle limit), exits once locked and idle for a minute, and exits on
//!   `vaultty lock` or `logout`, or when its session ends (revoked, expired, account
//!   disabled or deleted): the key is wiped with it.
//! - One request per connection: a JSON document, then the answer, then the connection
//!   closes. Every buffer is freed through the zeroizing allocator.

use crate::api::{self, Request};
use crate::vault::transfer::Format;
use crate::vault::{Entry, EntryRecord, ImportReport, VaultOpened};
use crate::{Accounts, Error, Password, SessionStatus};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// The largest request accepted (an import file's bytes, in JSON).
const MAX_REQUEST: u64 = 64 << 20;
/// How long the agent stays once locked and unused.
const LOCKED_LINGER: Duration = Duration::from_secs(60);
/// How often an unlocked agent checks that its session is still live.
const SESSION_CHECK: Duration = Duration::from_secs(3);

/// What the CLI asks the agent.
#[derive(Debug, Serialize, Deserialize)]
pub enum AgentRequest {
    Unlock {
        password: Zeroizing<String>,
    },
    /// Lock and exit.
    Stop,
    Entries,
    Add {
        entries: Vec<Entry>,
    },
    Update {
        id: i64,
        entry: Entry,
    },
    Delete {
        id: i64,
    },
    Import {
        format: String,
        bytes: Zeroizing<Vec<u8>>,
        passphrase: Option<Zeroizing<String>>,
    },
    Export {
        passphrase: Option<Zeroizing<String>>,
    },
}

/// An entry as the agent sends it.
#[derive(Debug, Serialize, Deserialize)]
pub struct WireEntry {
    pub id: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub entry: Entry,
}

/// The agent's answer.
#[derive(Debug, Serialize, Deserialize)]
pub enum AgentResponse {
    Done,
    /// The vault was created by this unlock: its recovery code (to show once).
    Created {
        recovery_code: Zeroizing<String>,
    },
    Entries(Vec<WireEntry>),
    Ids(Vec<i64>),
    Imported {
        added: usize,
        present: usize,
        skipped: Vec<String>,
    },
    Bytes(Zeroizing<Vec<u8>>),
    /// An error: its exit code and message.
    Failed {
        code: u8,
        message: String,
    },
}

pub fn socket_path(dir: &Path) -> PathBuf {
    dir.join("agent").join("socket")
}

fn format_named(name: &str) -> Option<Format> {
    match name {
        "bitwarden-json" => Some(Format::BitwardenJson),
        "keepassxc-csv" => Some(Format::KeepassxcCsv),
        "vaultty-json" | "json" => Some(Format::VaulttyJson),
        _ => None,
    }
}

fn failed(e: Error) -> AgentResponse {
    AgentResponse::Failed {
        code: e.exit_code(),
        message: e.to_string(),
    }
}

fn pw(s: Zeroizing<String>) -> Password {
    Password::new(s)
}

/// Answers one request with the agent's service.
fn answer(v: &Accounts, request: AgentRequest) -> AgentResponse {
    let wire = |r: Vec<EntryRecord>| {
        AgentResponse::Entries(
            r.into_iter()
                .map(|r| WireEntry {
                    id: r.id,
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                    entry: r.entry,
                })
                .collect(),
        )
    };
    let result = match request {
        AgentRequest::Unlock { password } => api::vault_opened(
            v,
            Request::Unlock {
                password: pw(password),
            },
        )
        .map(|o| match o {
            VaultOpened::Created(code) => AgentResponse::Created {
                recovery_code: code.grouped(),
            },
            _ => AgentResponse::Done,
        }),
        AgentRequest::Stop => {
            v.lock();
            Ok(AgentResponse::Done)
        }
        AgentRequest::Entries => api::entries(v, Request::VaultEntries).map(wire),
        AgentRequest::Add { entries } => {
            api::entry_ids(v, Request::VaultAdd { entries }).map(AgentResponse::Ids)
        }
        AgentRequest::Update { id, entry } => {
            api::count(v, Request::VaultUpdate { id, entry }).map(|_| AgentResponse::Done)
        }
        AgentRequest::Delete { id } => {
            api::count(v, Request::VaultDelete { id }).map(|_| AgentResponse::Done)
        }
        AgentRequest::Import {
            format,
            bytes,
            passphrase,
        } => match format_named(&format) {
            Some(format) => api::vault_imported(
                v,
                Request::VaultImport {
                    format,
                    bytes,
                    passphrase: passphrase.map(pw),
                },
            )
            .map(|r: ImportReport| AgentResponse::Imported {
                added: r.added,
                present: r.present,
                skipped: r.skipped,
            }),
            None => Err(Error::Transfer(format!(
                "Import refused: {format:?} is not a format vaultty reads."
            ))),
        },
        AgentRequest::Export { passphrase } => api::bytes(
            v,
            Request::VaultExport {
                passphrase: passphrase.map(pw),
            },
        )
        .map(AgentResponse::Bytes),
    };
    result.unwrap_or_else(failed)
}

/// Whether the peer runs as our own uid (`SO_PEERCRED`; the socket's mode is not trusted).
fn same_user(stream: &UnixStream) -> bool {
    rustix::net::sockopt::socket_peercred(stream)
        .is_ok_and(|cred| cred.uid == rustix::process::getuid())
}

fn read_request(stream: &mut UnixStream) -> Option<AgentRequest> {
    let mut buf = Zeroizing::new(Vec::new());
    stream
        .take(MAX_REQUEST)
        .read_to_end(&mut buf)
        .ok()
        .and_then(|_| serde_json::from_slice(&buf).ok())
}

fn write_json(stream: &mut UnixStream, value: &impl Serialize) -> std::io::Result<()> {
    let bytes = Zeroizing::new(serde_json::to_vec(value).map_err(std::io::Error::other)?);
    stream.write_all(&bytes)?;
    stream.shutdown(std::net::Shutdown::Write)
}

/// Runs the agent of `dir` until it is stopped, or locked and idle (`vaultty agent`).
pub fn run(dir: &Path) -> Result<(), Error> {
    let v = crate::open(dir)?;
    let sock_dir = crate::paths::ensure_private_dir(&dir.join("agent"))?;
    let path = sock_dir.join("socket");
    if UnixStream::connect(&path).is_ok() {
        return Ok(()); // one is running already
    }
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)
        .map_err(|e| Error::storage(&path, format!("cannot listen: {e}")))?;
    crate::paths::set_mode(&path, 0o600)?;
    let idle_limit = Duration::from_secs(v.vault_lock_secs() as u64);
    let mut last_use = Instant::now();
    let mut last_check = Instant::now();
    loop {
        let mut fds = [rustix::event::PollFd::new(
            &listener,
            rustix::event::PollFlags::IN,
        )];
        let timeout = rustix::event::Timespec {
            tv_sec: 1,
            tv_nsec: 0,
        };
        let ready = rustix::event::poll(&mut fds, Some(&timeout)).unwrap_or(0) > 0;
        if ready && let Ok((mut stream, _)) = listener.accept() {
            if !same_user(&stream) {
                continue; // dropped unanswered
            }
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
            let stop = match read_request(&mut stream) {
                Some(request) => {
                    let stop = matches!(request, AgentRequest::Stop);
                    let _ = write_json(&mut stream, &answer(&v, request));
                    stop
                }
                None => false,
            };
            last_use = Instant::now();
            if stop {
                break;
            }
        }
        if v.is_unlocked() {
            if last_use.elapsed() >= idle_limit {
                v.lock();
            } else if last_check.elapsed() >= SESSION_CHECK {
                last_check = Instant::now();
                if !matches!(v.session_status(), Ok(SessionStatus::Live(_))) {
                    break; // the session ended: the key goes with the process
                }
            }
        } else if last_use.elapsed() >= LOCKED_LINGER {
            break;
        }
    }
    v.lock();
    let _ = std::fs::remove_file(&path);
    Ok(())
}

/// Sends one request to the agent of `dir`; `None` when no agent answers.
pub fn send(dir: &Path, request: &AgentRequest) -> Option<AgentResponse> {
    let mut stream = UnixStream::connect(socket_path(dir)).ok()?;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(120)));
    write_json(&mut stream, request).ok()?;
    let mut buf = Zeroizing::new(Vec::new());
    stream.read_to_end(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

/// Starts the agent of `dir` unless one answers, and waits for its socket.
pub fn start(dir: &Path, store: Option<&str>) -> Result<(), Error> {
    use std::os::unix::process::CommandExt;
    if UnixStream::connect(socket_path(dir)).is_ok() {
        return Ok(());
    }
    let exe = std::env::current_exe().map_err(|e| {
        Error::Internal(format!("cannot find this program to start the agent: {e}"))
    })?;
    let mut cmd = std::process::Command::new(exe);
    // The agent runs with this process's configuration: the same explicit file (the
    // environment, and so $VAULTTY_CONFIG, is inherited) and the same store.
    if let Some(file) = crate::setup().config_file {
        cmd.arg("--config").arg(file);
    }
    cmd.arg("--data-dir").arg(dir);
    if let Some(store) = store {
        cmd.arg("--store").arg(store);
    }
    cmd.arg("agent")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    cmd.spawn()
        .map_err(|e| Error::Internal(format!("cannot start the agent: {e}")))?;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if UnixStream::connect(socket_path(dir)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err(Error::Internal(
        "the agent did not start within 10 s".into(),
    ))
}

/// Answers a response that was not expected (an agent of another version, most likely).
pub fn unexpected(r: AgentResponse) -> Error {
    match r {
        AgentResponse::Failed { .. } => Error::Internal("the agent refused".into()),
        _ => Error::Internal(
            "unexpected answer from the agent; run `vaultty lock` and try again".into(),
        ),
    }
}
