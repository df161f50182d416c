//! The non-interactive command line: a thin front end over [`crate::Accounts`].
//!
//! Messages go to stderr, results to stdout; exit codes are [`crate::Error::exit_code`] plus 0
//! (ok) and 2 (usage). Everything printed from the store passes through
//! [`crate::sanitize::for_display`] first.

mod admin;
mod input;
pub(crate) mod output;
pub mod vault;

use crate::api::{self, Backend, Request};
use crate::{Accounts, Error, Field, paths};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code for a usage error (also what clap uses).
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "vaultty",
    version,
    color = clap::ColorChoice::Never,
    about = "A local account vault for the terminal: sign up, log in, see your dashboard, log out.",
    after_help = "Run without a command to open the terminal UI.\n\
                  Passwords are never taken as arguments: you are prompted on the terminal, \
                  or give --password-stdin and pipe them in, one per line.\n\n\
                  Exit codes: 0 ok, 1 storage or internal error, 2 usage, 3 authentication \
                  failed or not logged in, 4 too many attempts, 5 email already registered, \
                  6 input refused, 7 not allowed, 8 account disabled or expired, 9 vault locked \
                  or sealed, 10 vault data failed its integrity check."
)]
pub struct Cli {
    /// Where vaultty keeps its store and session file
    /// [default: $VAULTTY_DATA_DIR, else the platform data dir]
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// A configuration file to use instead of $VAULTTY_CONFIG or ~/.config/vaultty/config.toml;
    /// its security settings are honoured (see `vaultty config show`)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The account store: sqlite:PATH or postgres://USER@HOST/DB
    /// [default: $VAULTTY_STORE, else the config file's, else sqlite:<data dir>/vaultty.db]
    #[arg(long, global = true, value_name = "URL")]
    pub store: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an account (does not log in)
    Signup {
        /// The account's email address (it is the login name)
        #[arg(long)]
        email: String,
        /// The name vaultty greets you by
        #[arg(long)]
        name: String,
        /// Read the password from one line of standard input instead of prompting
        #[arg(long)]
        password_stdin: bool,
    },
    /// Log in and start a session
    Login {
        /// The email address you signed up with
        #[arg(long)]
        email: String,
        /// Read the password from one line of standard input instead of prompting
        #[arg(long)]
        password_stdin: bool,
    },
    /// End the current session
    Logout,
    /// Show the logged-in account (exit 3 when not logged in)
    Whoami {
        /// Print a JSON object instead of text
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent copy of the store to a new file (safe while vaultty runs)
    Backup {
        /// The new file to write (never overwritten)
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Change the password of the logged-in account; other sessions end
    Passwd {
        /// Read the current and the new password from two lines of standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// The configuration in force
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Administration (administrators only): accounts, reset codes, imports, the audit log
    Admin {
        #[command(subcommand)]
        action: admin::AdminCommand,
    },
    /// Set a new password with a code from an administrator (forgotten password, first login)
    Reset {
        /// The account's email address
        #[arg(long)]
        email: String,
        /// Read the code and the new password from two lines of standard input
        #[arg(long)]
        stdin: bool,
    },
    /// Your sessions, on every machine; `sessions revoke ID` or `--others` ends them
    Sessions {
        /// Print a JSON array
        #[arg(long)]
        json: bool,
        #[command(subcommand)]
        action: Option<admin::SessionsCommand>,
    },
    /// Your recent logins and other account events
    History {
        /// Print a JSON array
        #[arg(long)]
        json: bool,
        /// At most N events
        #[arg(long, value_name = "N", default_value_t = crate::admin::HISTORY_DEFAULT)]
        limit: usize,
    },
    /// Delete your own account, after your password
    DeleteAccount {
        /// Read the password from one line of standard input instead of prompting
        #[arg(long)]
        password_stdin: bool,
    },
    /// Unlock the vault: starts this data dir's agent, which keeps the vault open for vault
    /// commands until `vaultty lock`, logout, or the session's idle limit
    Unlock {
        /// Read the password from one line of standard input instead of prompting
        #[arg(long)]
        password_stdin: bool,
    },
    /// Lock the vault: the agent wipes the key and exits
    Lock,
    /// The vault's entries (unlock first, or you are asked for the password on a terminal)
    Vault {
        #[command(subcommand)]
        action: vault::VaultCommand,
    },
    /// The vault agent itself (started by `vaultty unlock`)
    #[command(hide = true)]
    Agent,
    /// Clears the clipboard after `vault copy` (started by it)
    #[command(hide = true)]
    ClipboardClear,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print the effective configuration and where each value came from
    Show,
}

/// The environment variable that names the store (as `--store`).
pub const STORE_ENV: &str = "VAULTTY_STORE";

/// Parses the arguments and runs the command; the caller exits with the returned code.
/// `tui` runs the terminal UI when no command is given.
pub fn main(tui: impl FnOnce(&std::path::Path) -> ExitCode) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return usage_error(&e),
    };
    let config = match load_config(&cli) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    if let Some(Command::Config {
        action: ConfigAction::Show,
    }) = &cli.command
    {
        print!("{}", config.show());
        return ExitCode::SUCCESS;
    }
    let dir = match paths::resolve_data_dir(cli.data_dir.as_deref()) {
        Ok(d) => d,
        Err(e) => return fail(&e.into()),
    };
    let Some(command) = cli.command else {
        return tui(&dir);
    };
    crate::store::on_long_wait(|| eprintln!("vaultty: Waiting for another vaultty to finish…"));
    // Whether the data dir was chosen (flag or environment) rather than the platform default.
    let given = cli.data_dir.clone().or_else(|| {
        std::env::var_os(paths::DATA_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    match run(&dir, given, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Reads the configuration layers and makes them this process's: the password policy, and
/// how vaults are opened (store, cost, lockout, session limits). The store setting comes from
/// `--store`, else `$VAULTTY_STORE`, else the files. An invalid file is a usage error (exit 2).
fn load_config(cli: &Cli) -> Result<vaultty_core::config::Config, CliError> {
    use vaultty_core::config::{Config, Locations, Setting, Source};
    #[allow(unused_mut)]
    let mut at = Locations::standard(cli.config.clone());
    // Test builds never read this machine's /etc/vaultty or ~/.config/vaultty: the tests
    // name the files of both layers themselves (test-hooks is off in every release build).
    #[cfg(feature = "test-hooks")]
    {
        at.system = std::env::var_os("VAULTTY_TEST_SYSTEM_CONFIG").map(PathBuf::from);
        at.user_dir = std::env::var_os("VAULTTY_TEST_USER_CONFIG").map(PathBuf::from);
    }
    let mut config = Config::load(&at).map_err(|e| CliError::Usage(e.to_string()))?;
    let env_store = std::env::var(STORE_ENV).ok().filter(|v| !v.is_empty());
    if let Some(url) = &cli.store {
        config.store = Setting {
            value: Some(url.clone()),
            source: Source::Flag("--store"),
        };
    } else if let Some(url) = env_store {
        config.store = Setting {
            value: Some(url),
            source: Source::Env(STORE_ENV),
        };
    }
    if let Some(url) = &config.store.value {
        crate::open::store_at(std::path::Path::new("."), Some(url)).map_err(|e| {
            CliError::Usage(match e {
                Error::Internal(m) => format!("{}: {m}", config.store.source),
                other => other.to_string(),
            })
        })?;
    }
    config.apply_policy();
    crate::configure(crate::Setup {
        store: config.store.value.clone(),
        options: config.options(),
        mask: Some(config.mask.value),
        remember_email: config.remember_email.value,
        config_file: cli.config.clone(),
    });
    Ok(config)
}

/// Prints clap's answer (a usage error, or `--help`/`--version`) ourselves: clap echoes the
/// offending argument, and on a terminal it does so raw, so an argument carrying OSC 52 or
/// CSI sequences would reach the terminal. Rendered without colour, each line sanitized.
fn usage_error(e: &clap::Error) -> ExitCode {
    use std::io::Write;
    let text = e.render().to_string();
    let clean: Vec<String> = text
        .trim_end()
        .lines()
        .map(crate::sanitize::for_display)
        .collect();
    let clean = clean.join("\n");
    if e.use_stderr() {
        eprintln!("{clean}");
        ExitCode::from(EXIT_USAGE)
    } else {
        // `--help | head` closes the pipe early: not an error worth a panic.
        let _ = writeln!(std::io::stdout(), "{clean}");
        ExitCode::SUCCESS
    }
}

/// A failure as the CLI reports it: the error's message (sanitized) on stderr, its exit code.
pub fn fail(e: &CliError) -> ExitCode {
    // Several refusals come one per line: keep the line breaks, sanitize each line.
    for line in e.to_string().lines() {
        eprintln!("vaultty: {}", crate::sanitize::for_display(line));
    }
    ExitCode::from(e.exit_code())
}

/// Errors of the CLI: the library's, plus problems reading input.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] Error),
    #[error("{0}")]
    Usage(String),
    /// Ctrl-D at a prompt.
    #[error("cancelled.")]
    Cancelled,
    /// An error the vault agent answered with: its exit code and message.
    #[error("{message}")]
    Remote { code: u8, message: String },
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Core(e) => e.exit_code(),
            CliError::Usage(_) | CliError::Cancelled => EXIT_USAGE,
            CliError::Remote { code, .. } => *code,
        }
    }
}

fn run(
    dir: &std::path::Path,
    data_dir_given: Option<PathBuf>,
    command: Command,
) -> Result<(), CliError> {
    match command {
        Command::Signup {
            email,
            name,
            password_stdin,
        } => {
            // On a terminal the email and the name are checked before the password is asked
            // for; from stdin every problem is reported at once. Refused input never creates
            // the data dir or the store.
            let pw = if password_stdin {
                input::stdin_passwords(1)?.remove(0)
            } else {
                let (email, name) = Accounts::check_identity(&email, &name)?;
                input::prompt_new(Field::Password, "Password: ", "Repeat password: ", |pw| {
                    crate::password_strength(pw, &email, &name).problem
                })?
            };
            Accounts::check_signup(&email, &name, &pw)?;
            let v = crate::open(dir)?;
            let (acc, code) = api::signup(
                &v,
                Request::Signup {
                    email,
                    name,
                    password: pw,
                },
            )?;
            output::recovery_code(&code);
            // The hint names the data dir when it is not the default one, so that it works
            // as printed.
            let data_dir = match &data_dir_given {
                Some(d) => format!(" --data-dir {}", output::shell_word(&d.to_string_lossy())),
                None => String::new(),
            };
            eprintln!(
                "Account created for {}. Log in with: vaultty{data_dir} login --email {}",
                output::clean(&acc.email),
                output::shell_word(&acc.email)
            );
            if acc.role == crate::Role::Admin {
                eprintln!(
                    "It is the first account of this store, so it is the administrator: see \
                     `vaultty admin --help`."
                );
            }
            Ok(())
        }
        Command::Login {
            email,
            password_stdin,
        } => {
            // The email is checked before the password is asked for.
            crate::auth::identity::validate_login_email(&email).map_err(Error::invalid)?;
            // While a person types at the prompt, a thread opens the store (if there is one)
            // and maps Argon2's memory, so the verification does not wait for the kernel's
            // page faults.
            let opened = (!password_stdin).then(|| {
                let dir = dir.to_path_buf();
                std::thread::spawn(move || {
                    let v = crate::open_existing(&dir)?;
                    if let Some(v) = &v {
                        v.call(Request::PrepareMemory);
                    }
                    Ok::<_, Error>(v)
                })
            });
            let pw = if password_stdin {
                input::stdin_passwords(1)?.remove(0)
            } else {
                input::prompt("Password: ")?
            };
            let v = match opened.map(|t| t.join()) {
                Some(Ok(Ok(Some(v)))) => v,
                Some(Ok(Err(e))) => return Err(e.into()),
                _ => crate::open(dir)?,
            };
            let report = api::login(
                &v,
                Request::Login {
                    email,
                    password: pw,
                },
            )?;
            crate::remember::after_login(
                v.data_dir(),
                &report.session.account.email,
                crate::setup().remember_email,
            );
            output::login_report(&report);
            output::vault_opened(&report.vault);
            Ok(())
        }
        Command::Unlock { password_stdin } => vault::unlock(dir, password_stdin),
        Command::Lock => {
            if vault::lock(dir) {
                eprintln!("Vault locked.");
            } else {
                eprintln!("The vault was not unlocked.");
            }
            Ok(())
        }
        Command::Vault { action } => vault::run(dir, action),
        Command::Agent => Ok(crate::agent::run(dir)?),
        Command::ClipboardClear => vault::clipboard_clear(),
        Command::Logout => {
            // The agent (if any) wipes the vault's key and exits first.
            vault::lock(dir);
            // A data dir (or store) that is not there has no session, and is not created.
            let ended = match crate::open_existing(dir)? {
                Some(v) => api::logout(&v, Request::Logout)?,
                None => false,
            };
            if ended {
                eprintln!("Logged out.");
            } else {
                eprintln!("No session was active.");
            }
            Ok(())
        }
        Command::Backup { file } => {
            let v = crate::open_existing(dir)?.ok_or_else(|| {
                Error::storage(dir, "holds no store to back up; check --data-dir")
            })?;
            let accounts = api::backup(&v, Request::Backup { to: file.clone() })?;
            let store = output::clean(&v.data_dir().join(crate::paths::DB_FILE).to_string_lossy());
            eprintln!(
                "Backup of {accounts} account{} written to {} (readable only by you). To restore \
                 it: stop every vaultty, copy it over {}, and delete {}-wal and {}-shm if present.",
                if accounts == 1 { "" } else { "s" },
                output::clean(&file.to_string_lossy()),
                store,
                store,
                store,
            );
            Ok(())
        }
        Command::Whoami { json } => {
            let v = crate::open_existing(dir)?.ok_or(Error::NoSession)?;
            let info =
                api::session(&v, Request::Session { refresh: true })?.ok_or(Error::NoSession)?;
            if json {
                println!("{}", output::session_json(&info));
            } else {
                print!("{}", output::session_text(&info));
            }
            Ok(())
        }
        Command::Config { .. } => Ok(()),
        Command::Admin { action } => admin::admin(dir, action),
        Command::Reset { email, stdin } => admin::reset(dir, email, stdin),
        Command::Sessions { json, action } => admin::sessions(dir, json, action),
        Command::History { json, limit } => admin::history(dir, json, limit),
        Command::DeleteAccount { password_stdin } => admin::delete_account(dir, password_stdin),
        Command::Passwd { password_stdin } => {
            let v = crate::open_existing(dir)?.ok_or(Error::NoSession)?;
            // Fail before asking for passwords when nobody is logged in.
            if api::session(&v, Request::Session { refresh: true })?.is_none() {
                return Err(Error::NoSession.into());
            }
            let ended = if password_stdin {
                let mut two = input::stdin_passwords(2)?;
                let new = two.pop().unwrap_or_default();
                let current = two.pop().unwrap_or_default();
                api::password_changed(&v, Request::ChangePassword { current, new })?
            } else {
                // The current password is checked before the new one is asked for.
                let current = input::prompt("Current password: ")?;
                let account = api::begin_password_change(
                    &v,
                    Request::BeginPasswordChange {
                        current: current.clone(),
                    },
                )?;
                let new = input::prompt_new(
                    Field::NewPassword,
                    "New password: ",
                    "Repeat new password: ",
                    |new| {
                        Accounts::check_new_password(&account, &current, new)
                            .err()
                            .and_then(|e| match e {
                                Error::Invalid(mut v) if !v.is_empty() => Some(v.remove(0)),
                                _ => None,
                            })
                    },
                )?;
                api::password_changed(&v, Request::FinishPasswordChange { new })?
            };
            eprintln!(
                "Password changed. {ended} other session{} ended; this one stays.",
                if ended == 1 { "" } else { "s" }
            );
            Ok(())
        }
    }
}
