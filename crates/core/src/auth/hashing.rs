//! Argon2id password hashing, with a cost ceiling for stored hashes and a dummy verification
//! for unknown emails so that both failure paths cost the same.
//!
//! Two stored formats verify:
//! - **the vault format** (what every new or changed password gets), a PHC-shaped string
//!   `$vaultty-argon2id-v1$v=19$m=M,t=T,p=P$<salt>$<digest>`: Argon2id at those parameters
//!   gives a 32-byte master secret; HKDF-SHA256 splits it into an authenticator and the
//!   key-encryption key (see `vault_keys`), and `<digest>` is the SHA-256 of the
//!   authenticator. The key-encryption key never leaves memory, and the digest does not yield
//!   it.
//! - **the standard PHC string** `$argon2id$v=19$...` of earlier versions, which other Argon2
//!   libraries verify too. It yields no key, so a login that verifies one moves the account to
//!   the vault format ([`Verified::Match`] with `rehash`).

use crate::secret::Password;
use crate::vault_keys::{Kek, MasterSecret};
use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use zeroize::{Zeroize, Zeroizing};

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl HashParams {
    /// vaultty's default: RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes).
    pub const DEFAULT: HashParams = HashParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 4,
    };
    /// OWASP's floor for Argon2id (19 MiB, 2 passes, 1 lane). The binary never hashes below it.
    pub const OWASP_FLOOR: HashParams = HashParams {
        m_kib: 19 * 1024,
        t: 2,
        p: 1,
    };
    /// Stored hashes costlier than a small multiple of [`HashParams::DEFAULT`] are refused
    /// before verifying, so that a tampered store cannot make a login allocate gigabytes or run
    /// for minutes: memory at most this many times the default's, and memory × passes at most
    /// this many times the default's (besides at most 64 passes and 16 lanes).
    pub const CEILING_FACTOR: u64 = 4;

    /// Parameters at or above the OWASP floor (and within the ceiling); `None` otherwise.
    pub fn new(m_kib: u32, t: u32, p: u32) -> Option<Self> {
        let hp = HashParams { m_kib, t, p };
        (hp.meets_owasp_floor() && hp.within_ceiling() && hp.to_argon2().is_some()).then_some(hp)
    }

    /// Any valid parameters, however cheap. **For tests only**: production code uses
    /// [`HashParams::DEFAULT`] or [`HashParams::new`].
    pub fn insecure_for_tests(m_kib: u32, t: u32, p: u32) -> Self {
        HashParams { m_kib, t, p }
    }

    /// Whether these meet one of the OWASP/ASVS Appendix C Argon2id configurations.
    pub fn meets_owasp_floor(&self) -> bool {
        (self.t == 1 && self.m_kib >= 47_104)
            || (self.t == 2 && self.m_kib >= 19_456)
            || (self.t >= 3 && self.m_kib >= 12_288)
    }

    /// Whether a hash at these parameters may be verified (see [`HashParams::CEILING_FACTOR`]).
    pub fn within_ceiling(&self) -> bool {
        let d = Self::DEFAULT;
        self.t <= 64
            && self.p <= 16
            && u64::from(self.m_kib) <= Self::CEILING_FACTOR * u64::from(d.m_kib)
            && self.work() <= Self::CEILING_FACTOR * d.work()
    }

    /// Whether a run at these parameters needs more memory, or more memory × passes, than one
    /// at `other`.
    pub fn costlier_than(&self, other: HashParams) -> bool {
        self.m_kib > other.m_kib || self.work() > other.work()
    }

    /// Memory × passes: what an Argon2 run's time is proportional to.
    fn work(&self) -> u64 {
        u64::from(self.m_kib) * u64::from(self.t)
    }

    fn to_argon2(self) -> Option<Params> {
        Params::new(self.m_kib, self.t, self.p, Some(OUTPUT_LEN)).ok()
    }
}

impl Default for HashParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

const OUTPUT_LEN: usize = 32;
const SALT_LEN: usize = 16;
/// The algorithm name of the vault format (see the module comment).
pub const VAULT_IDENT: &str = "vaultty-argon2id-v1";

/// Which stored format a string is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// A standard Argon2id PHC string (no key).
    Phc,
    /// The vault format: the digest of the authenticator.
    Vault,
}

/// Argon2 working memory, allocated and touched ahead of a verification.
///
/// About half of an Argon2 run at 64 MiB is the kernel handing out fresh pages. A workspace
/// pays that while the user is still typing; the verification then runs in memory that is
/// already mapped. The blocks are wiped by [`Workspace::wipe`] and always on drop (the argon2
/// crate frees its own memory without wiping it).
pub struct Workspace {
    /// `None` when the memory could not be mapped: verifications then map their own.
    blocks: Option<MappedBlocks>,
    dirty: bool,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Workspace({} KiB)", self.len())
    }
}

impl Workspace {
    /// Allocates and touches enough memory for verifications at `params`.
    pub fn for_params(params: HashParams) -> Self {
        let n = params
            .to_argon2()
            .map_or(params.m_kib as usize, |p| p.block_count());
        let mut blocks = MappedBlocks::new(n);
        if let Some(b) = blocks.as_mut() {
            // A write to every 4 KiB page makes the kernel map it now, not during the hash (a
            // read would only map the shared zero page).
            for block in b.as_mut_slice().iter_mut().step_by(4) {
                *block = Block::default();
            }
        }
        Workspace {
            blocks,
            dirty: false,
        }
    }

    /// Blocks available (1 KiB each).
    pub fn len(&self) -> usize {
        self.blocks.as_ref().map_or(0, |b| b.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether it holds data from a verification that has not been wiped yet.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The first `blocks` blocks for an Argon2 run, marked as holding data to wipe; `None`
    /// when the workspace is smaller (or could not be mapped).
    fn memory_for(&mut self, blocks: usize) -> Option<&mut [Block]> {
        let memory = self.blocks.as_mut()?.as_mut_slice().get_mut(..blocks)?;
        self.dirty = true;
        Some(memory)
    }

    /// Overwrites every block with zeros, keeping the memory mapped for the next use.
    pub fn wipe(&mut self) {
        if self.dirty {
            if let Some(b) = self.blocks.as_mut() {
                for block in b.as_mut_slice() {
                    block.zeroize();
                }
            }
            self.dirty = false;
        }
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        self.wipe();
    }
}

/// The result of checking a password against a stored hash.
#[derive(Debug)]
pub enum Verified {
    /// The password matches. `rehash` says the stored hash should be replaced (its parameters
    /// differ from the current ones, or it is a standard PHC string); `kek` is the
    /// key-encryption key (`None` for a standard PHC string, which yields none).
    Match { rehash: bool, kek: Option<Kek> },
    /// Wrong password, or a stored hash that is malformed or over the ceiling.
    NoMatch,
}

impl Verified {
    pub fn is_match(&self) -> bool {
        matches!(self, Verified::Match { .. })
    }

    /// `Some(rehash)` for a match, `None` otherwise (what tests compare).
    pub fn rehash(&self) -> Option<bool> {
        match self {
            Verified::Match { rehash, .. } => Some(*rehash),
            Verified::NoMatch => None,
        }
    }
}

/// Hashes and verifies passwords with one set of current parameters.
#[derive(Debug)]
pub struct Hasher {
    params: HashParams,
    argon2: Argon2<'static>,
    dummy_phc: String,
    verifications: AtomicU64,
    /// Memory mapped ahead of the next run (see [`Hasher::prepare`]).
    prepared: Mutex<Option<Workspace>>,
}

impl Hasher {
    /// A hasher with the given current parameters. Invalid parameters fall back to the default.
    pub fn new(params: HashParams) -> Self {
        let (params, p) = match params.to_argon2() {
            Some(p) => (params, p),
            None => (
                HashParams::DEFAULT,
                HashParams::DEFAULT
                    .to_argon2()
                    .expect("default params are valid"),
            ),
        };
        // A syntactically valid hash with the current parameters that no password matches:
        // verifying against it costs exactly what a real verification costs.
        let dummy_phc = format!(
            "${VAULT_IDENT}$v=19$m={},t={},p={}$dmF1bHR0eS1kdW1teS1zYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            params.m_kib, params.t, params.p
        );
        Hasher {
            params,
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, p),
            dummy_phc,
            verifications: AtomicU64::new(0),
            prepared: Mutex::new(None),
        }
    }

    /// Maps and touches the memory for the next run now (call it while the user is typing;
    /// any thread). Every hash and verification runs in it while it is there, so the run after
    /// Enter does not wait for the kernel's fresh pages. Runs work without it.
    pub fn prepare(&self) {
        let mut slot = self.prepared.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(Workspace::for_params(self.params));
        }
    }

    /// Wipes the prepared memory after a run used it, keeping it mapped for the next one
    /// (front ends call it once the answer is shown, so the wipe is not in the run's path).
    pub fn wipe_prepared(&self) {
        if let Some(ws) = self
            .prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            ws.wipe();
        }
    }

    /// Wipes and frees the prepared memory.
    pub fn release_prepared(&self) {
        self.prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }

    /// Whether memory is prepared for the next run.
    pub fn is_prepared(&self) -> bool {
        self.prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// Runs `work` in the prepared memory if there is some and no other run holds it, else
    /// with none (the run then maps fresh memory).
    fn with_prepared<R>(&self, work: impl FnOnce(Option<&mut Workspace>) -> R) -> R {
        match self.prepared.try_lock() {
            Ok(mut slot) => work(slot.as_mut()),
            Err(std::sync::TryLockError::Poisoned(e)) => work(e.into_inner().as_mut()),
            Err(std::sync::TryLockError::WouldBlock) => work(None),
        }
    }

    pub fn params(&self) -> HashParams {
        self.params
    }

    /// The stored string for an (already normalized) password, in the vault format with a
    /// fresh random 16-byte salt, and the key-encryption key it derives.
    pub fn enroll(&self, password: &Password) -> Result<(String, Kek), String> {
        self.with_prepared(|ws| self.hash_in(password, ws, Format::Vault))
            .map(|(s, kek)| (s, kek.expect("the vault format yields a key")))
    }

    /// The vault-format string of a password, without its key (see [`Hasher::enroll`]).
    pub fn hash(&self, password: &Password) -> Result<String, String> {
        self.enroll(password).map(|(s, _)| s)
    }

    /// A standard Argon2id PHC string, as versions before the vault stored: for tests and
    /// tools that make such stores. Logins move it to the vault format.
    pub fn hash_phc(&self, password: &Password) -> Result<String, String> {
        self.with_prepared(|ws| self.hash_in(password, ws, Format::Phc))
            .map(|(s, _)| s)
    }

    /// Like [`Hasher::enroll`] in `format`, running Argon2 in `workspace` when it is large
    /// enough (the result is the same either way; only the page faults differ).
    fn hash_in(
        &self,
        password: &Password,
        workspace: Option<&mut Workspace>,
        format: Format,
    ) -> Result<(String, Option<Kek>), String> {
        use argon2::password_hash::phc::{Ident, Output, ParamsString, Salt};
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt).map_err(|e| format!("random source failed: {e}"))?;
        let params = self
            .params
            .to_argon2()
            .ok_or_else(|| "invalid Argon2 parameters".to_owned())?;
        let mut fresh = None;
        let memory = match workspace.and_then(|ws| ws.memory_for(params.block_count())) {
            Some(memory) => memory,
            None => fresh
                .insert(
                    MappedBlocks::new(params.block_count())
                        .ok_or_else(|| "cannot map memory for Argon2".to_owned())?,
                )
                .as_mut_slice(),
        };
        let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
        self.argon2
            .hash_password_into_with_memory(
                password.expose().as_bytes(),
                &salt,
                out.as_mut(),
                memory,
            )
            .map_err(|e| format!("hashing failed: {e}"))?;
        let (algorithm, stored, kek) = match format {
            Format::Phc => (argon2::ARGON2ID_IDENT, *out, None),
            Format::Vault => {
                let (auth, kek) = MasterSecret::from_bytes(out).split();
                (Ident::new_unwrap(VAULT_IDENT), auth.digest(), Some(kek))
            }
        };
        let err = |e: argon2::password_hash::phc::Error| format!("hashing failed: {e}");
        let phc = PasswordHash {
            algorithm,
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(|e| format!("hashing failed: {e}"))?,
            salt: Some(Salt::new(&salt).map_err(err)?),
            hash: Some(Output::new(&stored).map_err(err)?),
        };
        Ok((phc.to_string(), kek))
    }

    /// Checks a password against a stored PHC string, using the parameters stored in it.
    /// Hashes that are not Argon2id v19 or that exceed the ceiling ([`HashParams::within_ceiling`]) never
    /// match and
    /// are refused before any work is done.
    pub fn verify(&self, password: &Password, phc: &str) -> Verified {
        self.with_prepared(|ws| self.verify_in(password, phc, ws))
    }

    /// Like [`Hasher::verify`], running Argon2 in `workspace` when it is large enough for the
    /// stored parameters (the result is the same either way; only the page faults differ).
    fn verify_in(
        &self,
        password: &Password,
        phc: &str,
        workspace: Option<&mut Workspace>,
    ) -> Verified {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return Verified::NoMatch;
        };
        let format = match parsed.algorithm.as_str() {
            "argon2id" => Format::Phc,
            VAULT_IDENT => Format::Vault,
            _ => return Verified::NoMatch,
        };
        if parsed.version != Some(0x13) {
            return Verified::NoMatch;
        }
        let Ok(params) = Params::try_from(&parsed) else {
            return Verified::NoMatch;
        };
        let stored = HashParams {
            m_kib: params.m_cost(),
            t: params.t_cost(),
            p: params.p_cost(),
        };
        let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
            return Verified::NoMatch;
        };
        if !stored.within_ceiling() || (format == Format::Vault && expected.len() != OUTPUT_LEN) {
            return Verified::NoMatch;
        }
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let Some(out) = argon2_output(password, salt.as_ref(), params, expected.len(), workspace)
        else {
            return Verified::NoMatch;
        };
        let current = stored == self.params && salt.as_ref().len() == SALT_LEN;
        match format {
            // Output's PartialEq is constant-time (ctutils), like the crate's own verification.
            Format::Phc => match argon2::password_hash::phc::Output::new(&out) {
                Ok(o) if &o == expected => Verified::Match {
                    rehash: true,
                    kek: None,
                },
                _ => Verified::NoMatch,
            },
            Format::Vault => {
                let mut master = Zeroizing::new([0u8; OUTPUT_LEN]);
                master.copy_from_slice(&out);
                let (auth, kek) = MasterSecret::from_bytes(master).split();
                let digest: [u8; OUTPUT_LEN] = expected
                    .as_bytes()
                    .try_into()
                    .expect("length checked above");
                if auth.matches(&digest) {
                    Verified::Match {
                        rehash: !current,
                        kek: Some(kek),
                    }
                } else {
                    Verified::NoMatch
                }
            }
        }
    }

    /// The parameters a stored Argon2id PHC string claims, if it parses.
    pub fn stored_params(phc: &str) -> Option<HashParams> {
        let parsed = PasswordHash::new(phc).ok()?;
        let p = Params::try_from(&parsed).ok()?;
        Some(HashParams {
            m_kib: p.m_cost(),
            t: p.t_cost(),
            p: p.p_cost(),
        })
    }

    /// Spends the cost of one verification at the current parameters, for an unknown email.
    /// Always [`Verified::NoMatch`].
    pub fn verify_dummy(&self, password: &Password) -> Verified {
        match self.verify(password, &self.dummy_phc) {
            Verified::Match { .. } => Verified::NoMatch,
            v => v,
        }
    }

    /// How many Argon2 verifications this hasher has run (for tests of equal work).
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

/// Argon2id of `password` with `salt` at `params`, `len` bytes, computed in the workspace's
/// memory when it is large enough, else in freshly mapped memory (see [`MappedBlocks`]).
/// `None` on any malformed input (which then never matches, as in the crate's own
/// verification).
fn argon2_output(
    password: &Password,
    salt: &[u8],
    params: Params,
    len: usize,
    workspace: Option<&mut Workspace>,
) -> Option<Zeroizing<Vec<u8>>> {
    let params = Params::new(params.m_cost(), params.t_cost(), params.p_cost(), Some(len)).ok()?;
    let mut fresh = None;
    let memory = match workspace.and_then(|ws| ws.memory_for(params.block_count())) {
        Some(memory) => memory,
        // None, or too small for these parameters (an old, costlier hash).
        None => fresh
            .insert(MappedBlocks::new(params.block_count())?)
            .as_mut_slice(),
    };
    let mut out = Zeroizing::new(vec![0u8; len]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(password.expose().as_bytes(), salt, &mut out, memory)
        .ok()?;
    Some(out)
}

/// Argon2's working memory, mapped straight from the kernel, in huge pages where it can.
///
/// The argon2 crate allocates its blocks zeroed with 64-byte alignment, which makes the
/// allocator zero all of them on one thread before the hash starts, and frees them afterwards
/// without wiping (below glibc's mmap threshold they stay in the heap). An anonymous mapping
/// is zero-filled lazily, so the pages fault in during the parallel fill, and unmapping hands
/// them back to the kernel, which clears them before anyone else gets them.
///
/// Argon2 reads blocks at random across the whole area, so with 4 KiB pages nearly every
/// reference misses the TLB, and 64 MiB takes 16,384 page faults. The area is therefore
/// aligned to 2 MiB and advised as `MADV_HUGEPAGE`: with transparent huge pages enabled
/// (`always` or `madvise`) it is 32 faults and a small fraction of the TLB misses. Without
/// them the advice is ignored and everything works as before. BENCHMARKS.md has the gain.
struct MappedBlocks {
    ptr: std::ptr::NonNull<Block>,
    /// Blocks in the area.
    len: usize,
    /// The whole mapping (the area plus alignment slack), for `munmap`.
    map: *mut libc::c_void,
    map_len: usize,
}

// SAFETY: the mapping is owned exclusively by this value (no other pointer to it exists), so
// moving it to another thread is moving a unique buffer, like a `Box<[Block]>`.
unsafe impl Send for MappedBlocks {}

/// A transparent huge page on x86-64 and aarch64 (with 4 KiB base pages).
const HUGE_PAGE: usize = 2 << 20;

impl MappedBlocks {
    fn new(len: usize) -> Option<Self> {
        let bytes = len.checked_mul(std::mem::size_of::<Block>())?;
        if bytes == 0 {
            return None;
        }
        // Areas of at least one huge page get room to start on a huge-page boundary; the
        // slack is address space only (never touched, so never backed by memory).
        let huge = bytes >= HUGE_PAGE;
        let map_len = if huge {
            bytes.checked_add(HUGE_PAGE)?
        } else {
            bytes
        };
        // SAFETY: an anonymous private mapping of `map_len` bytes, checked for failure below.
        let map = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if map == libc::MAP_FAILED {
            return None;
        }
        let skip = if huge {
            (HUGE_PAGE - map as usize % HUGE_PAGE) % HUGE_PAGE
        } else {
            0
        };
        // SAFETY: `skip < HUGE_PAGE`, and the mapping is `bytes + HUGE_PAGE` long when huge.
        let start = unsafe { map.cast::<u8>().add(skip) }.cast::<libc::c_void>();
        // Advice only, and Linux's only: EINVAL (no THP in this kernel), or another system,
        // leaves ordinary pages, which work.
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if huge {
            // SAFETY: `start..start + bytes` lies inside the mapping made above.
            unsafe { libc::madvise(start, bytes, libc::MADV_HUGEPAGE) };
        }
        // Page alignment satisfies Block's 64-byte alignment; all-zero bytes are a valid Block.
        let Some(ptr) = std::ptr::NonNull::new(start.cast::<Block>()) else {
            // SAFETY: unmapping exactly the mapping made above.
            unsafe { libc::munmap(map, map_len) };
            return None;
        };
        Some(Self {
            ptr,
            len,
            map,
            map_len,
        })
    }

    fn as_mut_slice(&mut self) -> &mut [Block] {
        // SAFETY: `ptr` maps `len` zero-initialised (hence valid) Blocks, exclusively ours.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for MappedBlocks {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly the mapping made in `new`.
        unsafe {
            libc::munmap(self.map, self.map_len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    fn cheap() -> Hasher {
        Hasher::new(HashParams::insecure_for_tests(64, 1, 1))
    }

    #[test]
    fn a_hash_in_a_workspace_is_the_same_kind_of_hash_and_leaves_it_to_wipe() {
        let h = cheap();
        let pw = Password::from("correct horse battery staple");
        let mut ws = Workspace::for_params(h.params());
        let phc = h.hash_in(&pw, Some(&mut ws), Format::Vault).unwrap().0;
        assert!(ws.is_dirty(), "the hash ran in the workspace");
        assert!(matches!(h.verify(&pw, &phc).rehash(), Some(false)));
        assert_ne!(
            phc,
            h.hash_in(&pw, Some(&mut ws), Format::Vault).unwrap().0,
            "a fresh salt each time"
        );
        ws.wipe();
        assert!(!ws.is_dirty());
        // Too small a workspace is left alone and the hash maps its own memory.
        let mut small = Workspace::for_params(HashParams::insecure_for_tests(8, 1, 1));
        let phc = h.hash_in(&pw, Some(&mut small), Format::Vault).unwrap().0;
        assert!(!small.is_dirty());
        assert!(h.verify(&pw, &phc).is_match());
    }

    #[test]
    fn hash_and_verify() {
        let h = cheap();
        let pw = Password::from("correct horse battery staple");
        let stored = h.hash(&pw).unwrap();
        assert!(
            stored.starts_with("$vaultty-argon2id-v1$v=19$m=64,t=1,p=1$"),
            "{stored}"
        );
        assert_eq!(h.verify(&pw, &stored).rehash(), Some(false));
        assert_eq!(h.verify(&Password::from("wrong"), &stored).rehash(), None);
    }

    #[test]
    fn vt_01_enroll_and_verify_derive_the_same_key_and_the_store_alone_derives_none() {
        use crate::vault_keys::DataKey;
        let h = cheap();
        let pw = Password::from("correct horse battery staple");
        let (stored, kek) = h.enroll(&pw).unwrap();
        let data = DataKey::generate().unwrap();
        let wrapped = data.wrap(&kek, 7).unwrap();
        let Verified::Match {
            kek: Some(again),
            rehash: false,
        } = h.verify(&pw, &stored)
        else {
            panic!("the vault format verifies with a key");
        };
        assert!(DataKey::unwrap(&again, 7, &wrapped).is_ok(), "the same key");
        // The stored digest is no key: neither it nor the salt opens the wrapping.
        let parsed = PasswordHash::new(&stored).unwrap();
        let digest: [u8; 32] = parsed.hash.unwrap().as_bytes().try_into().unwrap();
        let as_master = MasterSecret::from_bytes(Zeroizing::new(digest));
        assert!(DataKey::unwrap(&as_master.split().1, 7, &wrapped).is_err());
        // A standard PHC string verifies, yields no key and asks to be replaced.
        let phc = h.hash_phc(&pw).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$"));
        assert!(matches!(
            h.verify(&pw, &phc),
            Verified::Match {
                rehash: true,
                kek: None
            }
        ));
        // The two formats cannot stand in for each other.
        let swapped = stored.replacen(VAULT_IDENT, "argon2id", 1);
        assert_eq!(h.verify(&pw, &swapped).rehash(), None);
        let swapped = phc.replacen("argon2id", VAULT_IDENT, 1);
        assert_eq!(h.verify(&pw, &swapped).rehash(), None);
    }

    #[test]
    fn hs_02_salts_differ() {
        let h = cheap();
        let pw = Password::from("same password for both");
        let a = PasswordHash::new(&h.hash(&pw).unwrap())
            .unwrap()
            .salt
            .unwrap();
        let b = PasswordHash::new(&h.hash(&pw).unwrap())
            .unwrap()
            .salt
            .unwrap();
        assert_ne!(a.as_ref(), b.as_ref());
        assert!(a.as_ref().len() >= 16);
    }

    #[test]
    fn rehash_flag_when_params_differ() {
        let old = Hasher::new(HashParams::insecure_for_tests(32, 1, 1));
        let pw = Password::from("a long enough passphrase");
        let phc = old.hash(&pw).unwrap();
        assert_eq!(cheap().verify(&pw, &phc).rehash(), Some(true));
    }

    #[test]
    fn hs_04_ceiling_refused_without_work() {
        let h = cheap();
        let pw = Password::from("whatever");
        let huge = "$argon2id$v=19$m=4194304,t=3,p=4$dmF1bHR0eS1kdW1teS1zYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        let t = std::time::Instant::now();
        assert_eq!(h.verify(&pw, huge).rehash(), None);
        assert_eq!(
            h.verifications(),
            0,
            "no Argon2 run for a hash over the ceiling"
        );
        assert!(t.elapsed().as_secs() < 1);
        for bad in [
            "",
            "$argon2i$v=19$m=64,t=1,p=1$dmF1bHR0eS1kdW1teS1zYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=16$m=64,t=1,p=1$dmF1bHR0eS1kdW1teS1zYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "$argon2id$v=19$m=64,t=65,p=1$dmF1bHR0eS1kdW1teS1zYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "not a hash",
        ] {
            assert_eq!(h.verify(&pw, bad).rehash(), None, "{bad}");
        }
        assert_eq!(h.verifications(), 0);
    }

    #[test]
    fn hs_04_total_cost_is_capped_near_the_default() {
        let p = HashParams::insecure_for_tests;
        // What the review ran: 1 GiB at 64 passes took 65 s.
        assert!(!p(1024 * 1024, 64, 4).within_ceiling());
        assert!(!p(1024 * 1024, 1, 4).within_ceiling(), "memory alone");
        assert!(!p(128 * 1024, 8, 4).within_ceiling(), "memory x passes");
        assert!(!p(8, 1_000_000, 1).within_ceiling(), "passes alone");
        assert!(
            p(256 * 1024, 3, 4).within_ceiling(),
            "4x the default is allowed"
        );
        assert!(HashParams::DEFAULT.within_ceiling());
        let h = cheap();
        let gib = "$argon2id$v=19$m=1048576,t=64,p=4$dmF1bHR0eS1kdW1teS1zYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(h.verify(&Password::from("x"), gib).rehash(), None);
        assert_eq!(h.verifications(), 0, "refused before any work");
    }

    #[test]
    fn dummy_costs_one_verification_and_never_matches() {
        let h = cheap();
        assert_eq!(h.verify_dummy(&Password::from("")).rehash(), None);
        assert_eq!(h.verifications(), 1);
    }

    #[test]
    fn workspace_verification_agrees_with_the_crate() {
        let h = Hasher::new(HashParams::insecure_for_tests(256, 2, 2));
        let mut ws = Workspace::for_params(h.params());
        assert_eq!(ws.len(), 256);
        for (i, pw) in ["correct horse battery staple", "", "ünïcödé ☃ pass"]
            .iter()
            .enumerate()
        {
            let pw = Password::from(*pw);
            let phc = h.hash(&pw).unwrap();
            let wrong = Password::from(format!("wrong {i}"));
            // the same answers with and without the workspace, reused across calls
            assert_eq!(h.verify(&pw, &phc).rehash(), Some(false));
            assert_eq!(h.verify_in(&pw, &phc, Some(&mut ws)).rehash(), Some(false));
            assert!(ws.is_dirty());
            assert_eq!(h.verify_in(&wrong, &phc, Some(&mut ws)).rehash(), None);
            assert_eq!(h.verify(&wrong, &phc).rehash(), None);
            ws.wipe();
            assert!(!ws.is_dirty());
        }
        // a hash needing more memory than the workspace has still verifies (fresh memory)
        let big = Hasher::new(HashParams::insecure_for_tests(512, 1, 1));
        let pw = Password::from("bigger hash here");
        let phc = big.hash(&pw).unwrap();
        assert_eq!(h.verify_in(&pw, &phc, Some(&mut ws)).rehash(), Some(true));
    }

    #[test]
    fn workspace_output_is_byte_identical_to_the_crate() {
        // Compute the raw Argon2 output both ways for fixed inputs.
        let params = Params::new(1024, 2, 2, Some(32)).unwrap();
        let a = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let (pw, salt) = (b"password bytes", b"saltsaltsaltsalt");
        let mut fresh = [0u8; 32];
        a.hash_password_into(pw, salt, &mut fresh).unwrap();
        let mut ws = Workspace::for_params(HashParams::insecure_for_tests(1024, 2, 2));
        for _ in 0..2 {
            let mut reused = [0u8; 32];
            a.hash_password_into_with_memory(
                pw,
                salt,
                &mut reused,
                ws.blocks.as_mut().unwrap().as_mut_slice(),
            )
            .unwrap();
            assert_eq!(
                fresh, reused,
                "dirty memory from the last run changes nothing"
            );
        }
    }

    #[test]
    fn hashes_are_byte_identical_to_the_crate() {
        // Our hash (mapped memory) must verify with the crate's own verifier, and the crate's
        // own hash must verify with ours.
        let h = Hasher::new(HashParams::insecure_for_tests(256, 2, 2));
        let pw = Password::from("correct horse battery staple");
        let ours = h.hash_phc(&pw).unwrap();
        assert!(
            h.argon2
                .verify_password(pw.expose().as_bytes(), ours.as_str())
                .is_ok()
        );
        let theirs = h
            .argon2
            .hash_password(pw.expose().as_bytes())
            .unwrap()
            .to_string();
        // A standard PHC string matches and asks to move to the vault format.
        assert_eq!(h.verify(&pw, &theirs).rehash(), Some(true));
        assert_eq!(h.verify(&Password::from("nope"), &theirs).rehash(), None);
    }

    #[test]
    fn huge_page_areas_are_aligned_and_agree_with_the_crate() {
        // Over 2 MiB, and not a multiple of it: the aligned, advised path with a partial tail.
        let m_kib = 2048 + 3 * 64;
        let area = MappedBlocks::new(m_kib as usize).unwrap();
        assert_eq!(
            area.ptr.as_ptr() as usize % HUGE_PAGE,
            0,
            "starts on a huge page"
        );
        assert!(area.map_len >= area.len * std::mem::size_of::<Block>() + HUGE_PAGE - 4096);
        drop(area);
        let h = Hasher::new(HashParams::insecure_for_tests(m_kib, 1, 2));
        let pw = Password::from("correct horse battery staple");
        let theirs = h
            .argon2
            .hash_password(pw.expose().as_bytes())
            .unwrap()
            .to_string();
        let ours = h.hash_phc(&pw).unwrap();
        let mut ws = Workspace::for_params(h.params());
        assert_eq!(ws.len(), m_kib as usize);
        for phc in [&theirs, &ours] {
            assert!(
                h.argon2
                    .verify_password(pw.expose().as_bytes(), phc.as_str())
                    .is_ok()
            );
            assert_eq!(h.verify(&pw, phc).rehash(), Some(true));
            assert_eq!(h.verify_in(&pw, phc, Some(&mut ws)).rehash(), Some(true));
            let wrong = Password::from("correct horse battery stapler");
            assert_eq!(h.verify(&wrong, phc).rehash(), None);
            assert_eq!(h.verify_in(&wrong, phc, Some(&mut ws)).rehash(), None);
        }
        // Small areas are mapped as they are, without slack.
        let small = MappedBlocks::new(8).unwrap();
        assert_eq!(small.map_len, 8 * 1024);
    }

    #[test]
    fn prepared_memory_serves_every_run_and_is_wiped_and_freed_on_request() {
        let h = cheap();
        assert!(!h.is_prepared());
        h.prepare();
        assert!(h.is_prepared());
        assert_eq!(h.verify_dummy(&Password::from("x")).rehash(), None);
        assert_eq!(h.verifications(), 1);
        let dirty = |h: &Hasher| h.prepared.lock().unwrap().as_ref().unwrap().is_dirty();
        assert!(dirty(&h), "the dummy ran in the prepared memory too");
        h.wipe_prepared();
        assert!(!dirty(&h) && h.is_prepared(), "wiped, still mapped");
        let pw = Password::from("correct horse battery staple");
        let phc = h.hash(&pw).unwrap();
        assert!(dirty(&h), "a hash runs in it");
        assert!(h.verify(&pw, &phc).is_match());
        h.release_prepared();
        assert!(!h.is_prepared());
        assert!(h.verify(&pw, &phc).is_match(), "and without it");
    }

    #[test]
    fn floor_checks() {
        assert!(HashParams::DEFAULT.meets_owasp_floor());
        assert!(HashParams::OWASP_FLOOR.meets_owasp_floor());
        assert!(HashParams::new(8192, 1, 1).is_none());
        assert!(HashParams::new(19_456, 2, 1).is_some());
        assert!(HashParams::new(2 * 1024 * 1024, 3, 4).is_none());
    }
}
