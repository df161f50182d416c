//! The vault behind the login: opening it with the key-encryption key a password check
//! derives, and reading and writing entries with the data key it unwraps.
//!
//! The data key is held by the [`Accounts`] of the process that opened the vault (the UI's
//! worker, or the agent), in locked memory, and only while that process's session is live:
//! it is wiped on [`Accounts::lock`], logout, and as soon as the session is found ended.

use crate::accounts::SessionInfo;
use crate::storage::{KeyChange, Outcome, SealedEntry, VaultKeys, VaultWraps, event_email};
use crate::token_file::Loaded;
use crate::vault::entry::{Entry, EntryRecord};
use crate::vault::transfer::{self, Format};
use crate::vault_keys::{DataKey, Kek, KeyError, RecoveryKey};
use crate::{Accounts, Error, Password, ResetCode, Result};
use zeroize::Zeroizing;

/// The open vault of this process.
pub(crate) struct OpenVault {
    account_id: i64,
    /// The SHA-256 of the session token it was opened with: another session (a new login
    /// after a reset, say) of the same account does not inherit it, even one that got the
    /// same row id.
    session: [u8; 32],
    generation: i64,
    key: DataKey,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub added: usize,
    /// Entries already in the vault, or twice in the file: not added again.
    pub present: usize,
    /// What was not imported, and why ("item 3 (Visa): Bitwarden card items are not
    /// supported").
    pub skipped: Vec<String>,
}

/// How a login or an unlock left the vault.
#[derive(Debug)]
pub enum VaultOpened {
    /// Open.
    Open,
    /// Created now: the recovery code, to show once.
    Created(ResetCode),
    /// Sealed since a reset code set the password: the recovery code opens it, or the user
    /// gives it up.
    Sealed,
    /// The stored wrapping failed its integrity check (what it means is in the error).
    Damaged(String),
}

fn damaged(what: &str, e: KeyError) -> Error {
    Error::VaultDamaged(format!("{what} {e}"))
}

/// New wrappings of `key` for `account_id`: by `kek`, and by a new recovery code (returned).
fn wraps(key: &DataKey, kek: &Kek, account_id: i64) -> Result<(VaultWraps, ResetCode)> {
    let code =
        ResetCode::generate().map_err(|e| Error::Internal(format!("random source failed: {e}")))?;
    let wraps = VaultWraps {
        password: key
            .wrap(kek, account_id)
            .map_err(|e| Error::Internal(e.to_string()))?,
        recovery: key
            .wrap_recovery(&RecoveryKey::from_code(&code), account_id)
            .map_err(|e| Error::Internal(e.to_string()))?,
    };
    Ok((wraps, code))
}

/// A new data key with its wrappings for `account_id` (a new account's vault, or one given
/// up), and the recovery code.
pub(crate) fn new_vault(kek: &Kek, account_id: i64) -> Result<(VaultWraps, ResetCode)> {
    let key = DataKey::generate().map_err(|e| Error::Internal(e.to_string()))?;
    wraps(&key, kek, account_id)
}

impl Accounts {
    fn set_open(&self, open: Option<OpenVault>) {
        *self.vault.lock().unwrap_or_else(|e| e.into_inner()) = open;
    }

    /// Wipes the data key from memory. The session stays; unlocking needs the password.
    pub fn lock(&self) {
        self.set_open(None);
    }

    /// Whether this process holds an open vault (for the session's account or not).
    pub fn is_unlocked(&self) -> bool {
        self.vault
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Opens `account_id`'s vault with `kek` after a password check: unwraps its data key,
    /// or creates the vault if the account has none yet (an account from before the vault).
    pub(crate) fn open_vault(&self, account_id: i64, session: [u8; 32], kek: &Kek) -> VaultOpened {
        match self.try_open_vault(account_id, session, kek) {
            Ok(opened) => opened,
            Err(e) => {
                self.lock();
                VaultOpened::Damaged(e.to_string())
            }
        }
    }

    fn try_open_vault(&self, account_id: i64, session: [u8; 32], kek: &Kek) -> Result<VaultOpened> {
        let keys = match self.store().vault_keys(account_id)? {
            Some(keys) => keys,
            None => {
                let (wraps, code) = new_vault(kek, account_id)?;
                if self.store().create_vault(account_id, &wraps)? {
                    let keys = VaultKeys {
                        password_wrap: Some(wraps.password),
                        recovery_wrap: wraps.recovery,
                        generation: 1,
                    };
                    self.unwrap_into_place(account_id, session, kek, &keys)?;
                    return Ok(VaultOpened::Created(code));
                }
                // Another process created it meanwhile: open theirs.
                self.store()
                    .vault_keys(account_id)?
                    .ok_or_else(|| Error::Internal("the new vault vanished".into()))?
            }
        };
        self.unwrap_into_place(account_id, session, kek, &keys)
    }

    fn unwrap_into_place(
        &self,
        account_id: i64,
        session: [u8; 32],
        kek: &Kek,
        keys: &VaultKeys,
    ) -> Result<VaultOpened> {
        let Some(wrap) = &keys.password_wrap else {
            self.lock();
            return Ok(VaultOpened::Sealed);
        };
        let key = DataKey::unwrap(kek, account_id, wrap)
            .map_err(|e| damaged("the data key's password wrapping", e))?;
        self.set_open(Some(OpenVault {
            account_id,
            session,
            generation: keys.generation,
            key,
        }));
        Ok(VaultOpened::Open)
    }

    /// The caller's session, checked against the open vault: `f` runs with the data key.
    /// Counts as use of the session. A vault whose session ended is wiped.
    fn with_vault<R>(&self, f: impl FnOnce(&SessionInfo, &OpenVault) -> Result<R>) -> Result<R> {
        let session = self.current_session()?;
        let guard = self.vault.lock().unwrap_or_else(|e| e.into_inner());
        match (session, guard.as_ref()) {
            (Some(s), Some(v))
                if v.account_id == s.account.id && Some(v.session) == self.session_digest() =>
            {
                f(&s, v)
            }
            (None, _) => {
                drop(guard);
                self.lock();
                Err(Error::NoSession)
            }
            (Some(s), _) => {
                drop(guard);
                self.lock();
                // Say "sealed" rather than "locked" when unlocking would not help.
                match self.store().vault_keys(s.account.id)? {
                    Some(k) if k.password_wrap.is_none() => Err(Error::VaultSealed),
                    _ => Err(Error::VaultLocked),
                }
            }
        }
    }

    /// The SHA-256 of the session file's token, if it holds one.
    fn session_digest(&self) -> Option<[u8; 32]> {
        match self.token_file().load() {
            Ok(Loaded::Token(t)) => Some(t.digest()),
            _ => None,
        }
    }

    /// Checks the caller's password (one Argon2 run, throttled like a login) and returns the
    /// key-encryption key it derives, with the session's token digest.
    fn own_kek(&self, password: &Password) -> Result<(SessionInfo, [u8; 32], Kek)> {
        let me = self.current_session()?.ok_or(Error::NoSession)?;
        let kek = self
            .verify_own_password(
                &me,
                password,
                Outcome::ReauthFailure,
                Outcome::ReauthThrottled,
            )?
            .ok_or_else(|| {
                Error::Internal(
                    "this session began before the vault existed: log out and log in again to create your vault".into(),
                )
            })?;
        let session = self.session_digest().ok_or(Error::NoSession)?;
        Ok((me, session, kek))
    }

    /// Unlocks the vault of the logged-in account with its password: `Open`, or `Created`
    /// with the recovery code of a vault made now. A sealed vault is an error.
    pub fn unlock(&self, password: &Password) -> Result<VaultOpened> {
        let (me, session, kek) = self.own_kek(password)?;
        match self.open_vault(me.account.id, session, &kek) {
            VaultOpened::Damaged(e) => Err(Error::VaultDamaged(e)),
            VaultOpened::Sealed => Err(Error::VaultSealed),
            opened => Ok(opened),
        }
    }

    /// Every entry, decrypted, oldest first. One that fails its integrity check fails the
    /// whole read (nothing is shown), naming it.
    pub fn vault_entries(&self) -> Result<Vec<EntryRecord>> {
        self.with_vault(|_, v| {
            use rayon::prelude::*;
            let sealed = self.store().entries(v.account_id)?;
            // Opening and decoding are independent per entry: on every core (in order).
            sealed.par_iter().map(|s| open_entry(v, s)).collect()
        })
    }

    /// One entry, decrypted.
    pub fn vault_entry(&self, id: i64) -> Result<EntryRecord> {
        self.with_vault(|_, v| {
            let s = self
                .store()
                .entry(v.account_id, id)?
                .ok_or_else(|| Error::UnknownEntry(id.to_string()))?;
            open_entry(v, &s)
        })
    }

    /// Adds entries (each checked first; nothing is written unless all pass) in one
    /// transaction; their ids.
    pub fn vault_add(&self, entries: &[Entry]) -> Result<Vec<i64>> {
        self.vault_add_with_times(entries, &[])
    }

    /// [`Accounts::vault_add`], with each entry's (created, updated) times where known.
    fn vault_add_with_times(
        &self,
        entries: &[Entry],
        times: &[Option<(i64, i64)>],
    ) -> Result<Vec<i64>> {
        for e in entries {
            e.check().map_err(|p| Error::InvalidEntry(p.to_string()))?;
        }
        self.with_vault(|_, v| {
            let now = self.now();
            self.store()
                .add_entries(
                    v.account_id,
                    v.generation,
                    now,
                    times,
                    entries.len(),
                    &mut |i, id| seal(v, id, &entries[i]),
                )?
                .ok_or(Error::VaultLocked)
        })
    }

    /// Replaces an entry's fields.
    pub fn vault_update(&self, id: i64, entry: &Entry) -> Result<()> {
        entry
            .check()
            .map_err(|p| Error::InvalidEntry(p.to_string()))?;
        self.with_vault(|_, v| {
            let sealed = seal(v, id, entry)?;
            if self
                .store()
                .update_entry(v.account_id, v.generation, id, &sealed, self.now())?
            {
                Ok(())
            } else {
                Err(Error::UnknownEntry(id.to_string()))
            }
        })
    }

    /// Deletes an entry.
    pub fn vault_delete(&self, id: i64) -> Result<()> {
        self.with_vault(|_, v| {
            if self.store().delete_entry(v.account_id, v.generation, id)? {
                Ok(())
            } else {
                Err(Error::UnknownEntry(id.to_string()))
            }
        })
    }

    /// A new recovery code (the password entered again); the old one stops working.
    pub fn new_recovery_code(&self, password: &Password) -> Result<ResetCode> {
        let (me, _, kek) = self.own_kek(password)?;
        let id = me.account.id;
        let keys = self.store().vault_keys(id)?.ok_or(Error::VaultLocked)?;
        let wrap = keys.password_wrap.as_ref().ok_or(Error::VaultSealed)?;
        let key = DataKey::unwrap(&kek, id, wrap)
            .map_err(|e| damaged("the data key's password wrapping", e))?;
        let (wraps, code) = wraps(&key, &kek, id)?;
        if !self
            .store()
            .change_keys(id, keys.generation, KeyChange::Recovery(&wraps.recovery))?
        {
            return Err(Error::Internal(
                "the vault changed meanwhile; try again".into(),
            ));
        }
        self.record_vault(&me, Outcome::Reauthenticated);
        Ok(code)
    }

    /// Opens a sealed vault with its recovery code: the data key is wrapped again under the
    /// current password. Entries are untouched.
    pub fn recover_vault(&self, password: &Password, code: &ResetCode) -> Result<()> {
        let (me, session, kek) = self.own_kek(password)?;
        let id = me.account.id;
        let keys = self.store().vault_keys(id)?.ok_or(Error::VaultLocked)?;
        if keys.password_wrap.is_some() {
            return Err(Error::Internal(
                "the vault is not sealed: unlock it with your password".into(),
            ));
        }
        let key = DataKey::unwrap_recovery(&RecoveryKey::from_code(code), id, &keys.recovery_wrap)
            .map_err(|_| Error::InvalidRecoveryCode)?;
        let wrap = key
            .wrap(&kek, id)
            .map_err(|e| Error::Internal(e.to_string()))?;
        if !self
            .store()
            .change_keys(id, keys.generation, KeyChange::Password(&wrap))?
        {
            return Err(Error::Internal(
                "the vault changed meanwhile; try again".into(),
            ));
        }
        self.set_open(Some(OpenVault {
            account_id: id,
            session,
            generation: keys.generation,
            key,
        }));
        Ok(())
    }

    /// Gives up a sealed vault: every entry is deleted and a new, empty vault made, with a new
    /// recovery code (returned).
    pub fn discard_vault(&self, password: &Password) -> Result<ResetCode> {
        let (me, session, kek) = self.own_kek(password)?;
        let id = me.account.id;
        let keys = self.store().vault_keys(id)?.ok_or(Error::VaultLocked)?;
        if keys.password_wrap.is_some() {
            return Err(Error::Internal(
                "the vault is not sealed: it is not given up".into(),
            ));
        }
        let (wraps, code) = new_vault(&kek, id)?;
        if !self
            .store()
            .change_keys(id, keys.generation, KeyChange::Discard(&wraps))?
        {
            return Err(Error::Internal(
                "the vault changed meanwhile; try again".into(),
            ));
        }
        match self.open_vault(id, session, &kek) {
            VaultOpened::Damaged(e) => Err(Error::VaultDamaged(e)),
            _ => Ok(code),
        }
    }

    /// Imports a file's entries: those already in the vault (or twice in the file) are not
    /// added again; what could not be imported is reported, never dropped silently.
    pub fn vault_import(
        &self,
        format: Format,
        bytes: &[u8],
        passphrase: Option<&Password>,
    ) -> Result<ImportReport> {
        let mut parsed = match passphrase {
            Some(p) => transfer::import_age(bytes, p),
            None => transfer::parse(format, bytes),
        }
        .map_err(|e| Error::Transfer(format!("Import refused: {e}")))?;
        let existing = self.vault_entries()?;
        let present = parsed.drop_present(&existing.iter().map(|r| &r.entry).collect::<Vec<_>>());
        let times: Vec<Option<(i64, i64)>> = parsed
            .times
            .iter()
            .map(|t| t.as_ref().map(|t| (t.created_at, t.updated_at)))
            .collect();
        let ids = self.vault_add_with_times(&parsed.entries, &times)?;
        Ok(ImportReport {
            added: ids.len(),
            present,
            skipped: parsed.skipped.iter().map(ToString::to_string).collect(),
        })
    }

    /// Every entry as vaultty's JSON export, sealed with `passphrase` in the age format, or in
    /// the clear without one.
    pub fn vault_export(&self, passphrase: Option<&Password>) -> Result<Zeroizing<Vec<u8>>> {
        let records = self.vault_entries()?;
        match passphrase {
            Some(p) => transfer::export_age(&records, p)
                .map(Zeroizing::new)
                .map_err(|e| Error::Transfer(format!("Export refused: {e}"))),
            None => Ok(transfer::export_json(&records)),
        }
    }

    fn record_vault(&self, me: &SessionInfo, outcome: Outcome) {
        let norm = crate::auth::identity::normalize_email(&me.account.email);
        let _ = self
            .store()
            .record(self.now(), &event_email(&norm), outcome);
    }
}

fn open_entry(v: &OpenVault, s: &SealedEntry) -> Result<EntryRecord> {
    let plain = v
        .key
        .open_entry(v.account_id, s.id, &s.sealed)
        .map_err(|e| damaged(&format!("entry {}", s.id), e))?;
    let entry = Entry::decode(&plain).ok_or_else(|| {
        Error::VaultDamaged(format!("entry {} decrypts to something not an entry", s.id))
    })?;
    Ok(EntryRecord {
        id: s.id,
        created_at: s.created_at,
        updated_at: s.updated_at,
        entry,
    })
}

fn seal(v: &OpenVault, id: i64, entry: &Entry) -> Result<Vec<u8>> {
    v.key
        .seal_entry(v.account_id, id, &entry.encode())
        .map_err(|e| Error::Internal(e.to_string()))
}
