//! Admission control for Argon2: a counting semaphore across the processes of one data dir.
//!
//! Each Argon2 run at the default parameters keeps 64 MiB busy and, with its 4 lanes, can keep
//! every core busy. When many logins start at once (a class logging in at the lab's kiosk, a
//! script), running them all together gains nothing: they share the same cores and evict each
//! other's memory from the caches. So a run first takes a *slot*: one byte-range lock on
//! `<data dir>/argon2.lock` (an open-file-description lock, which the kernel releases if the
//! process dies).
//!
//! - There are as many slots as runs fit the cores side by side: cores / lanes, at least one.
//!   Each run has a fixed width, its lanes (at most the cores), and runs on that many threads.
//!   On a 2-core machine with the default 4 lanes that is one slot: logins run one after
//!   another, each on both cores, instead of fighting over them.
//! - A run takes a free slot if there is one; otherwise it waits, with one blocking wait, for
//!   the slot its process id picks.
//!
//! This is about throughput and memory, never security: when the lock file cannot be used
//! (a read-only dir, a full disk) or no slot frees up within [`MAX_WAIT`] (its holder stopped
//! with Ctrl-Z, say), the run goes ahead without one, on the default thread pool. A run
//! costlier than the current parameters never does while the lock file works
//! ([`Slots::acquire_without_bypass`]): it waits its turn however long that takes. Every path
//! takes slots the same way, so an unknown email and a wrong password still wait alike.
//! BENCHMARKS.md has what this costs and gains against the reference.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The lock file, beside the store.
pub const SLOT_FILE: &str = "argon2.lock";

/// The longest a run waits for a slot before going ahead anyway.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// At most this many slots, whatever the core count: each running slot can hold an Argon2
/// area (64 MiB at the defaults).
pub const MAX_SLOTS: u32 = 64;

/// Slots for Argon2 runs on one data dir.
#[derive(Debug)]
pub struct Slots {
    path: PathBuf,
    /// Slots and threads per run, worked out on first use (commands that never hash never
    /// ask for the core count, which reads cgroup files).
    shape: OnceLock<(u32, usize)>,
    lanes: u32,
    /// Opened on first use (commands that never hash never touch it); `None` if unusable.
    file: OnceLock<Option<Arc<File>>>,
}

/// A held slot; dropping it lets the next run in.
#[derive(Debug)]
pub struct Slot {
    file: Arc<File>,
    index: u32,
    threads: usize,
}

impl Slot {
    /// How many threads the run uses (its fixed width).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `f` (an Argon2 run) on a thread pool of [`Slot::threads`] threads, or on the
    /// default pool if one cannot be started.
    pub fn run<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads)
            .thread_name(|i| format!("argon2-{i}"))
            .build()
        {
            Ok(pool) => pool.install(f),
            Err(_) => f(),
        }
    }
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

/// Slots for runs of one lane on `cores` cores: one per core (at least one, at most
/// [`MAX_SLOTS`]). Tests take this many to hold every slot a one-lane run could use.
pub fn slots_for(cores: usize) -> u32 {
    cores.clamp(1, MAX_SLOTS as usize) as u32
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Slots {
    /// Slots in `dir` for runs of `lanes` lanes on this machine's cores.
    pub fn new(dir: &Path, lanes: u32) -> Self {
        Slots {
            path: dir.join(SLOT_FILE),
            shape: OnceLock::new(),
            lanes: lanes.max(1),
            file: OnceLock::new(),
        }
    }

    /// Exactly `count` slots for runs of one thread each (tests).
    pub fn with_count(dir: &Path, count: u32) -> Self {
        let s = Self::new(dir, 1);
        let _ = s.shape.set((count.clamp(1, MAX_SLOTS), 1));
        s
    }

    /// (slots, threads per run).
    fn shape(&self) -> (u32, usize) {
        *self.shape.get_or_init(|| {
            let cores = cores();
            let width = (self.lanes as usize).min(cores).max(1);
            let count = slots_for(cores / width);
            (count, width)
        })
    }

    /// Waits for a free slot, for at most [`MAX_WAIT`]. `None`: go ahead without one.
    pub fn acquire(&self) -> Option<Slot> {
        self.acquire_within(MAX_WAIT)
    }

    /// Like [`Slots::acquire`], but never goes ahead without a slot while the lock file is
    /// usable: for runs costlier than the current parameters (a stored hash from a tampered
    /// store, or an old, dearer one), which must never pile up outside the queue.
    pub fn acquire_without_bypass(&self) -> Option<Slot> {
        loop {
            if let Some(slot) = self.acquire() {
                return Some(slot);
            }
            if !matches!(self.file.get(), Some(Some(_))) {
                return None;
            }
        }
    }

    /// [`Slots::acquire`] with another longest wait.
    pub fn acquire_within(&self, max_wait: Duration) -> Option<Slot> {
        let file = self
            .file
            .get_or_init(|| open(&self.path).map(Arc::new))
            .as_ref()?;
        let (count, threads) = self.shape();
        let slot = |index| Slot {
            file: file.clone(),
            index,
            threads,
        };
        if let Some(index) = (0..count).find(|&i| lock(file, i, WRITE, false).is_ok()) {
            return Some(slot(index));
        }
        let index = std::process::id() % count;
        wait_for(file, index, max_wait).then(|| slot(index))
    }
}

const WRITE: libc::c_short = libc::F_WRLCK as libc::c_short;

/// Waits for byte `index` (one blocking lock call, on a thread of its own so that the wait
/// can end after `max_wait`); whether it was won. A lock won after the waiter gave up is let
/// go at once.
fn wait_for(file: &Arc<File>, index: u32, max_wait: Duration) -> bool {
    #[derive(Default)]
    struct Outcome {
        won: bool,
        gave_up: bool,
    }
    let outcome = Arc::new(Mutex::new(Outcome::default()));
    let (tx, rx) = mpsc::channel();
    let (waiter_file, waiter_outcome) = (file.clone(), outcome.clone());
    let spawned = std::thread::Builder::new()
        .name("argon2-slot-wait".into())
        .spawn(move || {
            let won = lock(&waiter_file, index, WRITE, true).is_ok();
            let mut o = waiter_outcome.lock().unwrap_or_else(|e| e.into_inner());
            if won && o.gave_up {
                let _ = lock(&waiter_file, index, libc::F_UNLCK as libc::c_short, false);
            } else {
                o.won = won;
            }
            let _ = tx.send(());
        });
    if spawned.is_err() {
        return false;
    }
    let _ = rx.recv_timeout(max_wait);
    let mut o = outcome.lock().unwrap_or_else(|e| e.into_inner());
    if !o.won {
        o.gave_up = true;
    }
    o.won
}

fn open(path: &Path) -> Option<File> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    if cfg!(not(any(target_os = "linux", target_os = "android"))) {
        return None; // no open-file-description locks: no queue (see `lock`)
    }
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
/// Only Linux has them (released when the process dies, whatever else it has open); on other
/// systems there is no queue: every run goes ahead at once, as with an unusable lock file.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn lock(_: &File, _: u32, _: libc::c_short, _: bool) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// An open-file-description lock on byte `index`: `F_WRLCK` or `F_UNLCK`, waiting or not.
#[cfg(any(target_os = "linux", target_os = "android"))]
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

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn slot_counts_and_widths() {
        assert_eq!(slots_for(0), 1);
        assert_eq!(slots_for(2), 2);
        assert_eq!(slots_for(1000), MAX_SLOTS);
        let d = dir();
        let cores = cores();
        let (count, width) = Slots::new(d.path(), 4).shape();
        assert_eq!(width, 4.min(cores));
        assert_eq!(count, slots_for(cores / width));
        assert_eq!(Slots::with_count(d.path(), 3).shape(), (3, 1));
    }

    #[test]
    fn a_run_takes_a_free_slot_and_the_next_waits_until_it_is_dropped() {
        let d = dir();
        let a = Slots::with_count(d.path(), 1).acquire_within(Duration::ZERO);
        assert!(a.is_some());
        assert_eq!(a.as_ref().unwrap().threads(), 1);
        let (tx, rx) = mpsc::channel();
        let path = d.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            let s = Slots::with_count(&path, 1).acquire_within(Duration::from_secs(20));
            tx.send(s.is_some()).unwrap();
            s
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "it waits while the slot is held"
        );
        drop(a);
        assert!(
            rx.recv_timeout(Duration::from_secs(10)).unwrap(),
            "then it gets it"
        );
        drop(waiter.join().unwrap());
        assert!(
            Slots::with_count(d.path(), 1)
                .acquire_within(Duration::ZERO)
                .is_some()
        );
    }

    #[test]
    fn a_given_up_wait_leaks_no_slot() {
        let d = dir();
        let held = Slots::with_count(d.path(), 1).acquire_within(Duration::ZERO);
        let t = Instant::now();
        assert!(
            Slots::with_count(d.path(), 1)
                .acquire_within(Duration::from_millis(100))
                .is_none(),
            "gives up"
        );
        assert!(t.elapsed() >= Duration::from_millis(100));
        drop(held);
        // The abandoned waiter may win the lock for an instant, then lets it go.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Slots::with_count(d.path(), 1)
            .acquire_within(Duration::ZERO)
            .is_none()
        {
            assert!(Instant::now() < deadline, "the slot stayed taken");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn every_slot_is_used_before_anyone_waits() {
        // One `Slots` per process, as each process opens the lock file once: locks of one
        // open file description never exclude each other.
        let d = dir();
        let take = || Slots::with_count(d.path(), 3).acquire_within(Duration::ZERO);
        let held: Vec<_> = (0..3).map(|_| take()).collect();
        assert!(held.iter().all(Option::is_some));
        let mut idx: Vec<u32> = held.iter().flatten().map(|s| s.index).collect();
        idx.sort();
        assert_eq!(idx, [0, 1, 2]);
        assert!(
            Slots::with_count(d.path(), 3)
                .acquire_within(Duration::from_millis(50))
                .is_none()
        );
    }

    #[test]
    fn an_unusable_lock_file_means_no_gate() {
        let d = dir();
        std::fs::create_dir(d.path().join(SLOT_FILE)).unwrap();
        let s = Slots::with_count(d.path(), 1);
        assert!(s.acquire().is_none());
        assert!(s.acquire_without_bypass().is_none(), "and no endless wait");
    }
}
