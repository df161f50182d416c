//! Locked memory for keys: one page, `mlock`ed (never swapped out) and advised
//! `MADV_DONTDUMP` (left out of core dumps), handed out in 32-byte slots that are wiped when
//! freed. The vault's keys (`vault_keys`) live in it. Should the page be unavailable (no
//! mapping, or more keys alive at once than it holds), a key goes to an ordinary zeroizing
//! heap buffer instead: it is still wiped, only not locked.

use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::Mutex;
use zeroize::Zeroize;

const SLOT: usize = 32;
const PAGE: usize = 4096;
const SLOTS: usize = PAGE / SLOT;
// One bit of `Pool::used` per slot.
const _: () = assert!(SLOTS == u128::BITS as usize);

struct Pool {
    base: NonNull<[u8; SLOT]>,
    /// Which slots are taken, one bit each.
    used: u128,
}

// SAFETY: the page is only reached through the mutex (to take or give back a slot) or
// through the one `LockedKey` that owns a slot.
unsafe impl Send for Pool {}

static POOL: Mutex<Option<Pool>> = Mutex::new(None);

fn map_page() -> Option<Pool> {
    // SAFETY: an anonymous private mapping of one page; checked for failure below.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            PAGE,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return None;
    }
    // SAFETY: `p` is the page just mapped. A failed lock (RLIMIT_MEMLOCK) leaves the page
    // usable, only swappable; a failed advice leaves it in dumps, which the process's
    // PR_SET_DUMPABLE=0 and RLIMIT_CORE=0 prevent anyway.
    unsafe {
        libc::mlock(p, PAGE);
        #[cfg(target_os = "linux")]
        libc::madvise(p, PAGE, libc::MADV_DONTDUMP);
    }
    Some(Pool {
        base: NonNull::new(p.cast())?,
        used: 0,
    })
}

enum Home {
    Slot(usize),
    /// Owns the buffer `LockedKey::ptr` points into (read through that pointer).
    Heap(#[allow(dead_code)] Box<[u8; SLOT]>),
}

/// 32 bytes of key in locked memory, wiped when dropped.
pub struct LockedKey {
    ptr: NonNull<[u8; SLOT]>,
    home: Home,
}

// SAFETY: the slot is owned by this value alone.
unsafe impl Send for LockedKey {}
unsafe impl Sync for LockedKey {}

impl LockedKey {
    /// A zeroed key.
    pub fn zeroed() -> Self {
        let mut guard = POOL.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            *guard = map_page();
        }
        if let Some(pool) = guard.as_mut()
            && pool.used != u128::MAX
        {
            let i = pool.used.trailing_ones() as usize;
            pool.used |= 1 << i;
            // SAFETY: slot `i` lies inside the page and was free; it is zero (never used, or
            // wiped when given back).
            let ptr = unsafe { NonNull::new_unchecked(pool.base.as_ptr().add(i)) };
            return LockedKey {
                ptr,
                home: Home::Slot(i),
            };
        }
        drop(guard);
        let mut heap = Box::new([0u8; SLOT]);
        let ptr = NonNull::from(&mut *heap);
        LockedKey {
            ptr,
            home: Home::Heap(heap),
        }
    }

    /// A key holding `bytes` (the caller wipes its copy).
    pub fn from_bytes(bytes: &[u8; SLOT]) -> Self {
        let mut k = Self::zeroed();
        k.copy_from_slice(bytes);
        k
    }

    /// Whether it lives in the locked page (for tests).
    pub fn is_locked(&self) -> bool {
        matches!(self.home, Home::Slot(_))
    }
}

impl Deref for LockedKey {
    type Target = [u8; SLOT];
    fn deref(&self) -> &[u8; SLOT] {
        // SAFETY: the slot (or box) lives as long as this value and only it refers to it.
        unsafe { self.ptr.as_ref() }
    }
}

impl DerefMut for LockedKey {
    fn deref_mut(&mut self) -> &mut [u8; SLOT] {
        // SAFETY: as above, and `&mut self` makes this the only reference.
        unsafe { self.ptr.as_mut() }
    }
}

impl Drop for LockedKey {
    fn drop(&mut self) {
        self.deref_mut().zeroize();
        if let Home::Slot(i) = self.home {
            let mut guard = POOL.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(pool) = guard.as_mut() {
                pool.used &= !(1 << i);
            }
        }
    }
}

/// Whether the key page is locked in memory (`/proc/self/status`'s VmLck counts it), for
/// tests.
pub fn page_is_locked() -> bool {
    let _k = LockedKey::zeroed();
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .find(|l| l.starts_with("VmLck:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            .is_some_and(|kb| kb >= 4)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_distinct_wiped_and_reused() {
        let mut a = LockedKey::zeroed();
        let mut b = LockedKey::zeroed();
        a.fill(0xAA);
        b.fill(0xBB);
        assert_eq!(*a, [0xAA; 32]);
        assert_eq!(*b, [0xBB; 32]);
        assert!(a.is_locked() && b.is_locked());
        let addr = a.as_ptr();
        drop(a);
        let c = LockedKey::zeroed();
        assert_eq!(c.as_ptr(), addr, "the freed slot is reused");
        assert_eq!(*c, [0; 32], "and was wiped");
    }

    #[test]
    fn more_keys_than_slots_still_work() {
        let keys: Vec<LockedKey> = (0..SLOTS + 8)
            .map(|i| LockedKey::from_bytes(&[i as u8; 32]))
            .collect();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(**k, [i as u8; 32]);
        }
        assert!(
            keys.iter().any(|k| !k.is_locked()),
            "the overflow is on the heap"
        );
    }

    #[test]
    fn vt_07_the_key_page_is_locked_where_the_limit_allows() {
        // RLIMIT_MEMLOCK is at least 64 KiB on Linux by default: one page fits.
        if cfg!(target_os = "linux") {
            assert!(page_is_locked(), "VmLck shows the key page");
        }
    }
}
