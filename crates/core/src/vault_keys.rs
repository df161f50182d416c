//! The vault's key hierarchy (issue 16; the primitives only, not yet wired into login).
//!
//! - One Argon2id run per login or unlock gives a 32-byte [`MasterSecret`].
//! - HKDF-SHA256 splits it into an [`Authenticator`] (the store keeps only its SHA-256) and a
//!   [`Kek`], the key-encryption key, which never leaves memory. Neither can be computed
//!   from the other or from the stored digest.
//! - Each account has a random 256-bit [`DataKey`], stored only wrapped: by the KEK, and by a
//!   key derived from a recovery code. Wrapping is XChaCha20-Poly1305 with a random 24-byte
//!   nonce; the associated data binds the format version, the purpose and the account id, so a
//!   wrapping copied to another account or used for the other purpose fails to open.
//! - Entries are sealed with the data key under associated data that binds the format
//!   version, the account id and the entry id: swapping ciphertexts between entries or
//!   accounts fails closed.
//!
//! Every key is a zeroizing buffer, redacted in `Debug`.

use crate::locked::LockedKey;
use crate::secret::ResetCode;
use orion::hazardous::aead::xchacha20poly1305 as xchacha;
use sha2::{Digest, Sha256};
use std::fmt;
use zeroize::Zeroizing;

/// The format version of wrappings and sealed entries.
pub const FORMAT: u8 = 1;
const NONCE: usize = 24;
const TAG: usize = 16;

/// Why a wrapping or an entry did not open. Either means the store was tampered with (or
/// the key is not the account's); nothing is shown and nothing is overwritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("does not authenticate: it was changed, moved or belongs to another key")]
    Tampered,
    #[error("is in a format this vaultty does not know")]
    UnknownFormat,
    #[error("the random source failed")]
    Random,
}

macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(LockedKey);

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

key_type!(
    /// The output of the login's one Argon2id run.
    MasterSecret
);
key_type!(
    /// Proves the password to the store, which keeps only its SHA-256.
    Authenticator
);
key_type!(
    /// Wraps the data key; never stored.
    Kek
);
key_type!(
    /// Encrypts the account's entries.
    DataKey
);
key_type!(
    /// Wraps the second copy of the data key, from a recovery code.
    RecoveryKey
);

/// HKDF-SHA256 (RFC 5869) of `ikm`, no salt, expanded with `info` into 32 bytes.
fn hkdf(ikm: &[u8], info: &[u8]) -> LockedKey {
    let mut out = LockedKey::zeroed();
    hkdf::Hkdf::<Sha256>::new(None, ikm)
        .expand(info, &mut out[..])
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    out
}

impl MasterSecret {
    pub fn from_bytes(bytes: Zeroizing<[u8; 32]>) -> Self {
        MasterSecret(LockedKey::from_bytes(&bytes))
    }

    /// The authenticator and the key-encryption key: two HKDF outputs with distinct labels.
    pub fn split(&self) -> (Authenticator, Kek) {
        (
            Authenticator(hkdf(self.0.as_ref(), b"vaultty v1 authenticator")),
            Kek(hkdf(self.0.as_ref(), b"vaultty v1 key-encryption key")),
        )
    }
}

impl Authenticator {
    /// What the store keeps.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_ref()).into()
    }

    /// Whether it matches the stored digest, compared without an early exit.
    pub fn matches(&self, stored: &[u8; 32]) -> bool {
        let d = self.digest();
        d.iter().zip(stored).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl RecoveryKey {
    /// The key a recovery code wraps with (the code is 136 random bits: HKDF is enough).
    pub fn from_code(code: &ResetCode) -> Self {
        RecoveryKey(hkdf(code.bytes(), b"vaultty v1 recovery key"))
    }
}

/// What a wrapping is for: part of its associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Password,
    Recovery,
}

fn wrap_aad(purpose: Purpose, account_id: i64) -> Vec<u8> {
    let mut aad = b"vaultty data key".to_vec();
    aad.push(FORMAT);
    aad.push(match purpose {
        Purpose::Password => 1,
        Purpose::Recovery => 2,
    });
    aad.extend_from_slice(&account_id.to_be_bytes());
    aad
}

fn entry_aad(account_id: i64, entry_id: i64) -> Vec<u8> {
    let mut aad = b"vaultty entry".to_vec();
    aad.push(FORMAT);
    aad.extend_from_slice(&account_id.to_be_bytes());
    aad.extend_from_slice(&entry_id.to_be_bytes());
    aad
}

/// The AEAD's key. orion's keys wipe themselves when dropped.
fn aead_key(key: &[u8; 32]) -> xchacha::SecretKey {
    xchacha::SecretKey::from_slice(key).expect("a 32-byte key is always valid")
}

/// `FORMAT || nonce || ciphertext+tag` of `msg` under `key` and `aad` (XChaCha20-Poly1305).
fn seal(key: &[u8; 32], aad: &[u8], msg: &[u8]) -> Result<Vec<u8>, KeyError> {
    let mut out = vec![0u8; 1 + NONCE + msg.len() + TAG];
    out[0] = FORMAT;
    getrandom::fill(&mut out[1..1 + NONCE]).map_err(|_| KeyError::Random)?;
    let nonce = xchacha::Nonce::from_slice(&out[1..1 + NONCE]).map_err(|_| KeyError::Random)?;
    xchacha::seal(
        &aead_key(key),
        &nonce,
        msg,
        Some(aad),
        &mut out[1 + NONCE..],
    )
    .map_err(|_| KeyError::Tampered)?;
    Ok(out)
}

/// What [`seal`] sealed under the same `key` and `aad`. The tag is checked before anything
/// is decrypted.
fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let (&format, rest) = sealed.split_first().ok_or(KeyError::Tampered)?;
    if format != FORMAT {
        return Err(KeyError::UnknownFormat);
    }
    if rest.len() < NONCE + TAG {
        return Err(KeyError::Tampered);
    }
    let (nonce, ct) = rest.split_at(NONCE);
    let nonce = xchacha::Nonce::from_slice(nonce).map_err(|_| KeyError::Tampered)?;
    let mut plain = Zeroizing::new(vec![0u8; ct.len() - TAG]);
    xchacha::open(&aead_key(key), &nonce, ct, Some(aad), &mut plain)
        .map_err(|_| KeyError::Tampered)?;
    Ok(plain)
}

impl DataKey {
    /// A new random data key.
    pub fn generate() -> Result<Self, KeyError> {
        let mut k = LockedKey::zeroed();
        getrandom::fill(&mut k[..]).map_err(|_| KeyError::Random)?;
        Ok(DataKey(k))
    }

    fn wrap_with(
        &self,
        key: &[u8; 32],
        purpose: Purpose,
        account_id: i64,
    ) -> Result<Vec<u8>, KeyError> {
        seal(key, &wrap_aad(purpose, account_id), self.0.as_ref())
    }

    fn unwrap_with(
        key: &[u8; 32],
        purpose: Purpose,
        account_id: i64,
        wrapped: &[u8],
    ) -> Result<Self, KeyError> {
        let plain = open(key, &wrap_aad(purpose, account_id), wrapped)?;
        if plain.len() != 32 {
            return Err(KeyError::Tampered);
        }
        let mut k = LockedKey::zeroed();
        k.copy_from_slice(&plain);
        Ok(DataKey(k))
    }

    /// The key's bytes, for tests that search memory for it (the `test-util` feature).
    #[cfg(feature = "test-util")]
    pub fn bytes_for_tests(&self) -> [u8; 32] {
        *self.0
    }

    /// The data key wrapped by the password's key-encryption key, for `account_id`.
    pub fn wrap(&self, kek: &Kek, account_id: i64) -> Result<Vec<u8>, KeyError> {
        self.wrap_with(&kek.0, Purpose::Password, account_id)
    }

    pub fn unwrap(kek: &Kek, account_id: i64, wrapped: &[u8]) -> Result<Self, KeyError> {
        Self::unwrap_with(&kek.0, Purpose::Password, account_id, wrapped)
    }

    /// The data key wrapped by a recovery code's key, for `account_id`.
    pub fn wrap_recovery(&self, key: &RecoveryKey, account_id: i64) -> Result<Vec<u8>, KeyError> {
        self.wrap_with(&key.0, Purpose::Recovery, account_id)
    }

    pub fn unwrap_recovery(
        key: &RecoveryKey,
        account_id: i64,
        wrapped: &[u8],
    ) -> Result<Self, KeyError> {
        Self::unwrap_with(&key.0, Purpose::Recovery, account_id, wrapped)
    }

    /// Seals an entry's plaintext for (`account_id`, `entry_id`).
    pub fn seal_entry(
        &self,
        account_id: i64,
        entry_id: i64,
        plain: &[u8],
    ) -> Result<Vec<u8>, KeyError> {
        seal(&self.0, &entry_aad(account_id, entry_id), plain)
    }

    /// Opens what [`DataKey::seal_entry`] sealed for the same account and entry.
    pub fn open_entry(
        &self,
        account_id: i64,
        entry_id: i64,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        open(&self.0, &entry_aad(account_id, entry_id), sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master(b: u8) -> MasterSecret {
        MasterSecret::from_bytes(Zeroizing::new([b; 32]))
    }

    #[test]
    fn the_aead_is_xchacha20_poly1305_of_the_draft_rfc() {
        // draft-irtf-cfrg-xchacha-03, A.3.1.
        let key: [u8; 32] = std::array::from_fn(|i| 0x80 + i as u8);
        let nonce: Vec<u8> = (0x40..0x58).collect();
        let aad = hex::decode("50515253c0c1c2c3c4c5c6c7").unwrap();
        let plain = b"Ladies and Gentlemen of the class of '99: If I could offer you only one \
                      tip for the future, sunscreen would be it.";
        let expected = hex::decode(
            "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb\
             731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452\
             2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9\
             21f9664c97637da9768812f615c68b13b52e\
             c0875924c1c7987947deafd8780acf49",
        )
        .unwrap();
        let mut sealed = vec![FORMAT];
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&expected);
        assert_eq!(&open(&key, &aad, &sealed).unwrap()[..], &plain[..]);
        // And what `seal` writes opens, and is the same cipher under its own nonce.
        let ours = seal(&key, &aad, plain).unwrap();
        assert_eq!(ours.len(), 1 + NONCE + plain.len() + TAG);
        assert_eq!(&open(&key, &aad, &ours).unwrap()[..], &plain[..]);
        let empty = seal(&key, &aad, b"").unwrap();
        assert!(open(&key, &aad, &empty).unwrap().is_empty());
        for bad in [&sealed[..sealed.len() - 1], &sealed[..1 + NONCE + TAG - 1]] {
            assert_eq!(open(&key, &aad, bad), Err(KeyError::Tampered));
        }
    }

    #[test]
    fn hkdf_is_rfc_5869() {
        // RFC 5869 A.3 (SHA-256, no salt, no info), truncated to our 32 bytes.
        let ikm = [0x0bu8; 22];
        let okm = hkdf(&ikm, b"");
        assert_eq!(
            hex::encode(okm.as_ref()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
        );
    }

    #[test]
    fn the_split_gives_two_unrelated_keys_and_the_digest_gives_neither() {
        let (auth, kek) = master(7).split();
        assert_ne!(auth.0.as_ref(), kek.0.as_ref());
        let digest = auth.digest();
        assert!(auth.matches(&digest));
        assert_ne!(&digest, kek.0.as_ref());
        assert_ne!(&digest, auth.0.as_ref());
        let (auth2, kek2) = master(7).split();
        assert_eq!(auth2.digest(), digest, "deterministic");
        assert_eq!(kek2.0.as_ref(), kek.0.as_ref());
        let (other, _) = master(8).split();
        assert!(!other.matches(&digest));
        assert!(!format!("{kek:?}").contains(&hex::encode(kek.0.as_ref())[..8]));
    }

    #[test]
    fn a_wrapped_data_key_opens_only_with_its_key_account_and_purpose() {
        let (_, kek) = master(1).split();
        let (_, other_kek) = master(2).split();
        let dk = DataKey::generate().unwrap();
        let w = dk.wrap(&kek, 42).unwrap();
        assert_eq!(w.len(), 1 + NONCE + 32 + TAG);
        assert_eq!(
            DataKey::unwrap(&kek, 42, &w).unwrap().0.as_ref(),
            dk.0.as_ref()
        );
        assert_eq!(
            DataKey::unwrap(&other_kek, 42, &w).unwrap_err(),
            KeyError::Tampered
        );
        assert_eq!(
            DataKey::unwrap(&kek, 43, &w).unwrap_err(),
            KeyError::Tampered
        );
        for i in 0..w.len() {
            let mut bad = w.clone();
            bad[i] ^= 1;
            let e = DataKey::unwrap(&kek, 42, &bad).unwrap_err();
            assert!(
                matches!(e, KeyError::Tampered | KeyError::UnknownFormat),
                "byte {i}"
            );
        }
        assert_eq!(
            DataKey::unwrap(&kek, 42, &w[..10]).unwrap_err(),
            KeyError::Tampered
        );
        assert_eq!(
            DataKey::unwrap(&kek, 42, &[]).unwrap_err(),
            KeyError::Tampered
        );
        // A recovery wrapping is not a password wrapping, even under the same bytes of key.
        let code = ResetCode::generate().unwrap();
        let rk = RecoveryKey::from_code(&code);
        let r = dk.wrap_recovery(&rk, 42).unwrap();
        let back = ResetCode::parse(&code.grouped()).unwrap();
        let rk2 = RecoveryKey::from_code(&back);
        assert_eq!(
            DataKey::unwrap_recovery(&rk2, 42, &r).unwrap().0.as_ref(),
            dk.0.as_ref()
        );
        let same_bytes = Kek(LockedKey::from_bytes(&rk.0));
        assert_eq!(
            DataKey::unwrap(&same_bytes, 42, &r).unwrap_err(),
            KeyError::Tampered
        );
    }

    #[test]
    fn entries_swapped_between_entries_or_accounts_fail_closed() {
        let dk = DataKey::generate().unwrap();
        let a = dk.seal_entry(1, 10, b"entry ten").unwrap();
        let b = dk.seal_entry(1, 11, b"entry eleven").unwrap();
        assert_eq!(dk.open_entry(1, 10, &a).unwrap().as_slice(), b"entry ten");
        assert_eq!(dk.open_entry(1, 10, &b).unwrap_err(), KeyError::Tampered);
        assert_eq!(dk.open_entry(2, 10, &a).unwrap_err(), KeyError::Tampered);
        let other = DataKey::generate().unwrap();
        assert_eq!(other.open_entry(1, 10, &a).unwrap_err(), KeyError::Tampered);
        let mut future = a.clone();
        future[0] = FORMAT + 1;
        assert_eq!(
            dk.open_entry(1, 10, &future).unwrap_err(),
            KeyError::UnknownFormat
        );
        // Two seals of the same plaintext differ (a fresh nonce each time).
        assert_ne!(dk.seal_entry(1, 10, b"entry ten").unwrap(), a);
    }
}
