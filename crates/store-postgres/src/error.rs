//! Driver errors as storage errors that say what happened and what to do. None of them carries
//! the URL's password, a row's values (a DETAIL can quote them) or the driver's types.

use crate::url::{LOCK_TIMEOUT, error_text, hosts_text};
use postgres::Config;
use postgres::error::SqlState;
// The core (moves to the core crate).
use vaultty_core::Error;

/// Removes the password from a message, whatever produced it (defence in depth: neither the
/// server nor the driver is known to echo it).
pub(crate) fn scrub(message: String, config: &Config) -> String {
    match config.get_password() {
        Some(p) if !p.is_empty() => {
            let p = String::from_utf8_lossy(p);
            message.replace(p.as_ref(), "***")
        }
        _ => message,
    }
}

/// A failed connection: which server and database, the reason, and what to check.
pub(crate) fn connect_error(shown: &str, config: &Config, e: &postgres::Error) -> Error {
    let hint = match e.code() {
        Some(c)
            if *c == SqlState::INVALID_PASSWORD
                || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            "Check the user and password in the store URL, and that the server's pg_hba.conf \
             lets this user in from here."
        }
        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => {
            "The database does not exist: create it (createdb -O USER DATABASE), or fix its \
             name in the store URL."
        }
        Some(c) if *c == SqlState::CANNOT_CONNECT_NOW => {
            "The server is starting up or shutting down; try again in a moment."
        }
        Some(c) if *c == SqlState::TOO_MANY_CONNECTIONS => {
            "The server has no free connection; try again, or raise its max_connections."
        }
        Some(_) => "Check the store URL and the server's log.",
        None => {
            "Check that the server is running and accepts connections there \
             (listen_addresses, port, unix_socket_directories), and the host and port in the \
             store URL."
        }
    };
    let message = format!(
        "cannot connect to the PostgreSQL server at {} (database \"{}\", user \"{}\"): {}. {hint}",
        hosts_text(config),
        config.get_dbname().unwrap_or("(the user's name)"),
        config.get_user().unwrap_or("(this OS user)"),
        error_text(e),
    );
    Error::storage(shown, scrub(message, config))
}

/// A failed statement on an open connection.
pub(crate) fn db_error(shown: &str, config: &Config, e: &postgres::Error) -> Error {
    let message = match e.code() {
        Some(c)
            if *c == SqlState::T_R_DEADLOCK_DETECTED
                || *c == SqlState::T_R_SERIALIZATION_FAILURE =>
        {
            "another vaultty was changing the same account at the same moment; nothing was \
             changed. Try again."
                .to_owned()
        }
        Some(c) if *c == SqlState::DISK_FULL || *c == SqlState::OUT_OF_MEMORY => {
            format!(
                "the database server is out of space ({}); nothing was changed. Free some space \
                 on the server and try again.",
                error_text(e)
            )
        }
        Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION => {
            "the server accepts no writes (a standby?); point the store URL at the primary \
             server."
                .to_owned()
        }
        Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => {
            format!(
                "the store's user lacks a privilege ({}). vaultty's tables must belong to the \
                 user in the store URL, in a database or schema where it may create tables \
                 (createdb -E UTF8 -O USER DATABASE).",
                error_text(e)
            )
        }
        Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE => format!(
            "another connection held what this step needed for {} s; nothing was changed. Try \
             again (a session left open in psql, say, may be holding it).",
            LOCK_TIMEOUT.as_secs()
        ),
        Some(c)
            if *c == SqlState::ADMIN_SHUTDOWN
                || *c == SqlState::CRASH_SHUTDOWN
                || *c == SqlState::CANNOT_CONNECT_NOW =>
        {
            "the PostgreSQL server is shutting down or restarting; try again once it is back."
                .to_owned()
        }
        Some(c) if *c == SqlState::UNDEFINED_TABLE || *c == SqlState::UNDEFINED_COLUMN => {
            format!(
                "the database was changed outside vaultty ({}). Restore a backup you trust \
                 (pg_dump/pg_restore).",
                error_text(e)
            )
        }
        Some(c) => format!("database error {}: {}", c.code(), error_text(e)),
        None if e.is_closed() => format!(
            "the connection to the PostgreSQL server at {} was lost; the last change may not \
             have been saved. Check that the server is running, then try again.",
            hosts_text(config)
        ),
        None => format!("database error: {}", error_text(e)),
    };
    Error::storage(shown, scrub(message, config))
}

/// Is this the unique violation of an account's email key?
pub(crate) fn is_email_taken(e: &postgres::Error) -> bool {
    e.as_db_error().is_some_and(|db| {
        *db.code() == SqlState::UNIQUE_VIOLATION
            && db.constraint() == Some(crate::migrations::EMAIL_KEY_CONSTRAINT)
    })
}
