//! Admission control for Argon2: how many password hashes run at once on one store.
//!
//! Each Argon2 run at the default parameters keeps 64 MiB busy and, with its 4 lanes, every
//! core. When many logins start at once (a class logging in at the lab's kiosk, a script),
//! running them all together gains nothing: they share the same cores, and each process's
//! memory is evicted from the caches by the others. Measured on 2 cores: 32 logins at once
//! used about 12% more CPU per login than 2 at once, and held 2 GiB. So runs queue for a
//! *slot*: a byte-range lock (an open-file-description lock, so threads of one process
//! exclude each other too) on `<data dir>/argon2.lock`, released by the kernel if the process
//! dies. There are `ceil(cores / lanes) + 1` slots: enough runs to keep every core busy, plus
//! one to fill the moments when a run's lanes wait for each other at Argon2's sync points or
//! a run ends (measured on 2 cores with 32 logins at once: 15.1 logins/s with 1 slot, 16.7
//! with 2, 9.7 with no queue).
//!
//! This is about throughput and memory, never security: when the lock file cannot be used
//! (a read-only dir, a full disk) or a slot does not free up within [`MAX_WAIT`] (its holder
//! stopped with Ctrl-Z, say), the run goes ahead without one. Every path takes a slot the
//! same way, so an unknown email and a wrong password still wait alike.

use std::fs::File;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The lock file, beside the store.
pub const LOCK_FILE: &str = "argon2.lock";

/// The longest a run waits for a slot before going ahead anyway.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// Slots for Argon2 runs on one store.
#[derive(Debug)]
pub struct Slots {
    path: PathBuf,
    lanes: u32,
    /// Worked out on first use: commands that never hash never ask for the core count
    /// (which reads cgroup files).
    count: OnceLock<u32>,
    /// Opened on first use (commands that never hash never touch it); `None` if unusable.
    file: OnceLock<Option<Arc<File>>>,
}

/// A held slot; dropping it lets the next run in.
#[derive(Debug)]
pub struct Slot {
    file: Arc<File>,
    index: u32,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let _ = lock(
            &self.file,
            self.index,
            libc::F_UNLCK as libc::c_short,
            false,
        );
    }
}

/// How many runs of `lanes` lanes keep `cores` cores busy, plus one.
pub fn slots_for(cores: usize, lanes: u32) -> u32 {
    let lanes = (lanes as usize).max(1);
    (cores.div_ceil(lanes) + 1).clamp(1, 1024) as u32
}

impl Slots {
    /// Slots in `dir` for runs of `lanes` lanes on this machine's cores.
    pub fn new(dir: &std::path::Path, lanes: u32) -> Self {
        Slots {
            path: dir.join(LOCK_FILE),
            lanes,
            count: OnceLock::new(),
            file: OnceLock::new(),
        }
    }

    /// Exactly `count` slots (tests).
    pub fn with_count(dir: &std::path::Path, count: u32) -> Self {
        let s = Self::new(dir, 1);
        let _ = s.count.set(count.max(1));
        s
    }

    fn count(&self) -> u32 {
        *self.count.get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            slots_for(cores, self.lanes)
        })
    }

    /// Waits for a free slot, for at most [`MAX_WAIT`]. `None`: go ahead without one.
    pub fn acquire(&self) -> Option<Slot> {
        self.acquire_within(MAX_WAIT)
    }

    /// [`Slots::acquire`] with another longest wait.
    pub fn acquire_within(&self, max_wait: Duration) -> Option<Slot> {
        let file = self.file.get_or_init(|| open(&self.path).map(Arc::new));
        let file = file.as_ref()?;
        let count = self.count();
        for index in 0..count {
            if lock(file, index, libc::F_WRLCK as libc::c_short, false).is_ok() {
                return Some(Slot {
                    file: file.clone(),
                    index,
                });
            }
        }
        // All taken: queue on one of them, chosen at random so the queues stay even. The
        // blocking wait runs on a helper thread so that it can be abandoned after `max_wait`.
        let mut r = [0u8; 4];
        let index = match getrandom::fill(&mut r) {
            Ok(()) => u32::from_ne_bytes(r) % count,
            Err(_) => std::process::id() % count,
        };
        wait_for(file.clone(), index, max_wait)
    }
}

/// What became of a blocking wait, decided under one lock so that a slot won just as the
/// waiter gives up is released rather than leaked.
enum Wait {
    Pending,
    Won,
    Abandoned,
}

fn wait_for(file: Arc<File>, index: u32, max_wait: Duration) -> Option<Slot> {
    let state = Arc::new(Mutex::new(Wait::Pending));
    let (tx, rx) = mpsc::channel::<bool>();
    let helper = {
        let (file, state) = (file.clone(), state.clone());
        std::thread::Builder::new()
            .name("argon2-slot".into())
            .spawn(move || {
                let won = lock(&file, index, libc::F_WRLCK as libc::c_short, true).is_ok();
                let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                match *s {
                    Wait::Abandoned if won => {
                        let _ = lock(&file, index, libc::F_UNLCK as libc::c_short, false);
                    }
                    Wait::Abandoned => {}
                    _ => {
                        if won {
                            *s = Wait::Won;
                        }
                        let _ = tx.send(won);
                    }
                }
            })
    };
    if helper.is_err() {
        return None;
    }
    let _ = rx.recv_timeout(max_wait);
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    if matches!(*s, Wait::Won) {
        return Some(Slot { file, index });
    }
    // Timed out (or the lock failed): the helper releases the slot if it wins it later.
    *s = Wait::Abandoned;
    None
}

fn open(path: &std::path::Path) -> Option<File> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
        .ok()?;
    // Only a regular file of ours: never lock (or block on) anything planted in its place.
    let meta = file.metadata().ok()?;
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    (meta.file_type().is_file() && meta.uid() == euid).then_some(file)
}

/// An open-file-description lock on byte `index`: `F_WRLCK` or `F_UNLCK`, waiting or not.
fn lock(file: &File, index: u32, kind: libc::c_short, wait: bool) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: all-zero is a valid flock (l_pid must be 0 for OFD locks).
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = kind;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = index as libc::off_t;
    fl.l_len = 1;
    let cmd = if wait {
        libc::F_OFD_SETLKW
    } else {
        libc::F_OFD_SETLK
    };
    loop {
        // SAFETY: a valid fd and a valid, initialised flock for the duration of the call.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), cmd, &fl) };
        if rc == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn slot_counts() {
        assert_eq!(slots_for(2, 4), 2);
        assert_eq!(slots_for(8, 4), 3);
        assert_eq!(slots_for(6, 4), 3);
        assert_eq!(slots_for(2, 1), 3);
        assert_eq!(slots_for(1, 4), 2);
        assert_eq!(slots_for(4, 0), 5);
    }

    #[test]
    fn slots_exclude_each_other_and_free_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (
            Slots::with_count(dir.path(), 2),
            Slots::with_count(dir.path(), 2),
        );
        let s1 = a.acquire().expect("first slot");
        let s2 = b.acquire().expect("second slot");
        assert_ne!(s1.index, s2.index);
        // both taken: a third waits, then goes ahead without a slot
        let c = Slots::with_count(dir.path(), 2);
        let t = Instant::now();
        assert!(c.acquire_within(Duration::from_millis(200)).is_none());
        assert!(t.elapsed() >= Duration::from_millis(200));
        // a slot freed while someone waits goes to the waiter
        let waiter = std::thread::spawn(move || c.acquire_within(Duration::from_secs(20)));
        std::thread::sleep(Duration::from_millis(100));
        drop(s1);
        drop(s2);
        let got = waiter.join().unwrap();
        assert!(got.is_some(), "the waiter got a freed slot");
        // a slot given up on was released by the helper: after the waiter drops, all are free
        drop(got);
        let d = Slots::with_count(dir.path(), 2);
        let wait = Duration::from_secs(5);
        let (x, y) = (d.acquire_within(wait), a.acquire_within(wait));
        assert!(x.is_some() && y.is_some(), "no slot leaked");
    }

    #[test]
    fn an_unusable_lock_file_means_no_gate() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/dev/null", dir.path().join(LOCK_FILE)).unwrap();
        let s = Slots::with_count(dir.path(), 1);
        assert!(
            s.acquire().is_none(),
            "a symlink is never followed or locked"
        );
        let missing = Slots::with_count(&dir.path().join("no such dir"), 1);
        assert!(missing.acquire().is_none());
    }
}
