//! Admission control for Argon2: how many password hashes run at once on one store, and on
//! how many threads each.
//!
//! Each Argon2 run at the default parameters keeps 64 MiB busy and, with its 4 lanes, can keep
//! every core busy. When many logins start at once (a class logging in at the lab's kiosk, a
//! script), running them all together gains nothing: they share the same cores, and each
//! process's memory is evicted from the caches by the others (measured on 2 cores: 32 logins
//! at once, unqueued, cost 203 ms of CPU each against about 110 ms queued, and held 2 GiB).
//!
//! So a run first takes *slots*: one byte-range lock per core (open-file-description locks on
//! `<data dir>/argon2.lock`, released by the kernel if the process dies), and runs on as many
//! threads as slots it holds:
//!
//! - a run that finds a slot free and nobody waiting takes every free slot it can use (up to
//!   its lane count): a login on a quiet machine runs on all cores, as fast as it can;
//! - a run that finds a slot free while others wait, or that waited behind others, takes one:
//!   under load each core verifies one login after another on one thread, with no lanes
//!   waiting for each other at Argon2's sync points and no two runs' threads sharing a core;
//! - one run that arrives while a *wide* run (one on several slots) holds them all goes ahead
//!   beside it, on as many threads, instead of waiting for all of it: two logins started
//!   together both start at once and end together;
//! - everyone else lines up in one queue (a lock byte): the process at its head, the only one
//!   waiting for slots, waits for all of them at once (a helper thread per slot) and takes
//!   whichever frees first, so no core idles while a run waits behind a busy one. (The
//!   earlier design queued each waiter on one slot chosen at random: at the end of a burst,
//!   one slot's queue ran dry while the other's still held several runs.)
//!
//! Measured on 2 cores against the earlier design, builds alternated burst by burst
//! (an A/B driver in commit `f8363d7`, BENCHMARKS.md §6): with 8 and 32 logins at once,
//! 3.5–6.6% more logins per second in two runs of 24 repetitions, the cores busy 96–98% of
//! the time against 93–96%; with 2 at once, no different.
//!
//! This is about throughput and memory, never security: when the lock file cannot be used
//! (a read-only dir, a full disk) or no slot frees up within [`MAX_WAIT`] (its holder stopped
//! with Ctrl-Z, say), the run goes ahead without one, on the default thread pool. A run
//! costlier than the current parameters never does while the lock file works
//! ([`Slots::acquire_without_bypass`]): it waits its turn however long that takes. Every path
//! takes slots the same way, so an unknown email and a wrong password still wait alike.

use std::fs::File;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The lock file, beside the store.
pub const SLOT_FILE: &str = "argon2.lock";

/// The longest a run waits for a slot before going ahead anyway.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// At most this many slots, whatever the core count: each running slot can hold an Argon2
/// area (64 MiB at the defaults).
pub const MAX_SLOTS: u32 = 64;

/// The byte waiters line up on; its holder is the only process waiting for a slot.
const QUEUE: u32 = 1 << 20;
/// Every waiter holds a shared lock on this byte, so a run can tell whether anyone waits.
const WAITING: u32 = QUEUE + 1;
/// A run on more than one slot holds a shared lock on this byte while it runs.
const WIDE: u32 = QUEUE + 2;
/// The place of one run that arrives while a wide run holds every slot.
const BESIDE: u32 = QUEUE + 3;

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

/// Held slots; dropping them lets the next run in.
#[derive(Debug)]
pub struct Slot {
    /// Each slot with the open file description that locked it.
    held: Vec<(Arc<File>, u32)>,
    /// Threads for the run: one per slot, except beside a wide run (see [`BESIDE`]).
    threads: usize,
    /// Held while the run uses more than one slot (see [`BESIDE`]).
    _wide: Option<Held>,
    /// The wait that won the slots, if any: its helpers still waiting must let go of
    /// whatever they win once the slots are released.
    wait: Option<Arc<Mutex<Wait>>>,
}

impl Slot {
    /// The slots `held` on `file`, announced as wide by `wide`.
    fn on(file: &Arc<File>, (held, wide): (Vec<u32>, Option<Held>)) -> Slot {
        Slot {
            threads: held.len(),
            held: held.into_iter().map(|i| (file.clone(), i)).collect(),
            _wide: wide,
            wait: None,
        }
    }

    /// How many threads the run may use: one per slot held, or beside a wide run as many
    /// as it uses.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Runs `f` (an Argon2 run) on a thread pool of [`Slot::threads`] threads, or on the
    /// default pool if one cannot be started.
    pub fn run<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads())
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
        if let Some(w) = &self.wait {
            w.lock().unwrap_or_else(|e| e.into_inner()).keep.clear();
        }
        // One unlock per open file description, of the range its slots span, so that a waiter
        // finds them all free at once (nothing else in that range is ours: one run at a time
        // uses a `Slots`, and the other descriptions belong to this run's waits).
        while let Some((file, first)) = self.held.pop() {
            let (mut lo, mut hi) = (first, first);
            self.held.retain(|(f, i)| {
                let same = Arc::ptr_eq(f, &file);
                if same {
                    (lo, hi) = (lo.min(*i), hi.max(*i));
                }
                !same
            });
            let _ = unlock_range(&file, lo, hi - lo + 1);
        }
    }
}

/// One slot per core (at least one, at most [`MAX_SLOTS`]).
pub fn slots_for(cores: usize) -> u32 {
    cores.clamp(1, MAX_SLOTS as usize) as u32
}

impl Slots {
    /// Slots in `dir` for runs of `lanes` lanes on this machine's cores.
    pub fn new(dir: &std::path::Path, lanes: u32) -> Self {
        Slots {
            path: dir.join(SLOT_FILE),
            lanes: lanes.max(1),
            count: OnceLock::new(),
            file: OnceLock::new(),
        }
    }

    /// Exactly `count` slots, for runs of one lane: each run takes one slot (tests).
    pub fn with_count(dir: &std::path::Path, count: u32) -> Self {
        let s = Self::new(dir, 1);
        let _ = s.count.set(count.clamp(1, MAX_SLOTS));
        s
    }

    fn count(&self) -> u32 {
        *self
            .count
            .get_or_init(|| slots_for(std::thread::available_parallelism().map_or(1, |n| n.get())))
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
        let file = self.file.get_or_init(|| open(&self.path).map(Arc::new));
        let file = file.as_ref()?;
        let count = self.count();
        if let Some(index) = (0..count).find(|&i| try_lock(file, i)) {
            return Some(Slot::on(file, self.widen(file, file, vec![index])));
        }
        // Every slot is taken by one run that uses every core: rather than wait for all of it,
        // one newcomer runs beside it, as wide (this is what two logins started together
        // meet: the first takes every slot before the second asks; on one thread, the second
        // would still be running alone on one core long after the first is done).
        if others_hold(file, WIDE) && try_lock(file, BESIDE) {
            return Some(Slot {
                held: vec![(file.clone(), BESIDE)],
                threads: self.lanes.min(count) as usize,
                _wide: None,
                wait: None,
            });
        }
        // Line up. The shared lock on WAITING tells runs that start meanwhile that someone
        // waits. Each wait uses its own open file description: a helper thread that wins a
        // lock after its wait is over releases it without touching what this process holds.
        let started = Instant::now();
        let _waiting = Held::shared(file, WAITING);
        let queue_file = Arc::new(open(&self.path)?);
        let (queue, _) = wait_any(&queue_file, &[QUEUE], max_wait, |won, _| vec![won])?;
        let _queue = Held {
            file: queue_file,
            index: queue[0],
        };
        // At the head of the queue, the only process waiting for a slot.
        if let Some(index) = (0..count).find(|&i| try_lock(file, i)) {
            return Some(Slot::on(file, self.widen(file, file, vec![index])));
        }
        let slot_file = Arc::new(open(&self.path)?);
        let all: Vec<u32> = (0..count).collect();
        let left = max_wait.saturating_sub(started.elapsed());
        let mut wide = None;
        let (held, wait) = wait_any(&slot_file, &all, left, |won, extra| {
            let (held, w) = self.widen(file, &slot_file, [vec![won], extra].concat());
            wide = w;
            held
        })?;
        let mut slot = Slot::on(&slot_file, (held, wide));
        slot.wait = Some(wait);
        Some(slot)
    }

    /// Settles the slots of a run that holds `held` (locked on `on`): up to the run's lanes
    /// if nobody else waits (then every core runs this one), else just one (then each waiter
    /// gets a core as it frees). Returns the slots to keep (the caller releases the rest of
    /// `held`) and, for a run on more than one, its announcement. `main` is this process's
    /// own lock file description, which sees the waiters.
    fn widen(&self, main: &Arc<File>, on: &File, mut held: Vec<u32>) -> (Vec<u32>, Option<Held>) {
        let want = if others_hold(main, WAITING) {
            1
        } else {
            self.lanes.min(self.count()) as usize
        };
        held.truncate(want);
        let mut wide = None;
        if held.len() < want {
            // Announced before the extra slots are taken, so that a run arriving meanwhile
            // finds either a free slot or the announcement.
            wide = Held::shared(main, WIDE);
            for i in 0..self.count() {
                if held.len() >= want {
                    break;
                }
                if !held.contains(&i) && try_lock(on, i) {
                    held.push(i);
                }
            }
        }
        if held.len() > 1 && wide.is_none() {
            wide = Held::shared(main, WIDE);
        } else if held.len() < 2 {
            wide = None;
        }
        (held, wide)
    }
}

/// A lock held on one byte until dropped.
#[derive(Debug)]
struct Held {
    file: Arc<File>,
    index: u32,
}

impl Held {
    fn shared(file: &Arc<File>, index: u32) -> Option<Held> {
        lock(file, index, libc::F_RDLCK as libc::c_short, false).ok()?;
        Some(Held {
            file: file.clone(),
            index,
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = lock(
            &self.file,
            self.index,
            libc::F_UNLCK as libc::c_short,
            false,
        );
    }
}

/// Whether another open file description holds a lock on byte `index`.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn others_hold(_: &File, _: u32) -> bool {
    false
}

/// Whether another open file description holds a lock on byte `index`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn others_hold(file: &File, index: u32) -> bool {
    use std::os::fd::AsRawFd;
    let mut fl = flock(libc::F_WRLCK as libc::c_short, index, 1);
    // SAFETY: a valid fd and a valid, initialised flock for the duration of the call.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_GETLK, &mut fl) };
    rc == 0 && fl.l_type != libc::F_UNLCK as libc::c_short
}

/// What became of a wait, decided under one lock so that a lock won just as the waiter
/// settles, or gives up, is kept or released, never leaked.
#[derive(Debug, Default)]
struct Wait {
    /// The first byte won.
    winner: Option<u32>,
    /// Bytes won after it, before the waiter settled.
    extra: Vec<u32>,
    /// The waiter settled (or gave up): helpers that win now release, unless kept.
    over: bool,
    /// What the waiter kept, until it lets go of it.
    keep: Vec<u32>,
}

/// Waits, for at most `max_wait`, until one of the bytes `indices` can be locked on `file`.
/// Each byte is waited for on a helper thread, so that the wait can be abandoned. Once one
/// is won, `settle(won, also_won)` runs with the helpers held off: it may lock more bytes on
/// `file` (a helper still waiting for one of them then leaves it locked), and returns the
/// bytes to keep. Every other byte a helper wins is released, and so is every byte once
/// `keep` is emptied in the returned state (the caller does so when it lets go).
fn wait_any(
    file: &Arc<File>,
    indices: &[u32],
    max_wait: Duration,
    settle: impl FnOnce(u32, Vec<u32>) -> Vec<u32>,
) -> Option<(Vec<u32>, Arc<Mutex<Wait>>)> {
    let state = Arc::new(Mutex::new(Wait::default()));
    let (tx, rx) = mpsc::channel::<()>();
    for &index in indices {
        let (file, state, tx) = (file.clone(), state.clone(), tx.clone());
        let _ = std::thread::Builder::new()
            .name("argon2-slot".into())
            .stack_size(64 * 1024)
            .spawn(move || {
                let won = lock(&file, index, libc::F_WRLCK as libc::c_short, true).is_ok();
                let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                if won {
                    if s.over {
                        if !s.keep.contains(&index) {
                            let _ = lock(&file, index, libc::F_UNLCK as libc::c_short, false);
                        }
                    } else if s.winner.is_none() {
                        s.winner = Some(index);
                    } else {
                        s.extra.push(index);
                    }
                }
                let _ = tx.send(());
            });
    }
    drop(tx);
    let deadline = Instant::now() + max_wait;
    loop {
        // A message: a helper finished (won or failed). Timeout or no helper left: give up.
        let r = rx.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(won) = s.winner {
            s.over = true;
            let extra = std::mem::take(&mut s.extra);
            let keep = settle(won, extra.clone());
            for i in extra {
                if !keep.contains(&i) {
                    let _ = lock(file, i, libc::F_UNLCK as libc::c_short, false);
                }
            }
            s.keep.clone_from(&keep);
            drop(s);
            return Some((keep, state));
        }
        if r.is_err() {
            s.over = true;
            return None;
        }
    }
}

fn open(path: &std::path::Path) -> Option<File> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    if cfg!(not(any(target_os = "linux", target_os = "android"))) {
        return None; // no open-file-description locks: no queue (see `setlk`)
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

/// A lock request of type `kind` on `len` bytes from byte `index`.
fn flock(kind: libc::c_short, index: u32, len: u32) -> libc::flock {
    // SAFETY: all-zero is a valid flock (l_pid must be 0 for OFD locks).
    let mut fl: libc::flock = unsafe { std::mem::zeroed() };
    fl.l_type = kind;
    fl.l_whence = libc::SEEK_SET as libc::c_short;
    fl.l_start = index as libc::off_t;
    fl.l_len = len as libc::off_t;
    fl
}

/// Releases whatever `file` holds of `len` bytes from byte `index`.
fn unlock_range(file: &File, index: u32, len: u32) -> std::io::Result<()> {
    setlk(
        file,
        flock(libc::F_UNLCK as libc::c_short, index, len),
        false,
    )
}

/// Takes byte `index` on `file` if it is free.
fn try_lock(file: &File, index: u32) -> bool {
    lock(file, index, libc::F_WRLCK as libc::c_short, false).is_ok()
}

/// An open-file-description lock on byte `index`: `F_WRLCK`, `F_RDLCK` or `F_UNLCK`, waiting
/// or not.
fn lock(file: &File, index: u32, kind: libc::c_short, wait: bool) -> std::io::Result<()> {
    setlk(file, flock(kind, index, 1), wait)
}

/// Only Linux has open-file-description locks (released when the process dies, whatever else
/// it has open); elsewhere there is no queue: every run goes ahead at once, as with an
/// unusable lock file.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn setlk(_: &File, _: libc::flock, _: bool) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn setlk(file: &File, fl: libc::flock, wait: bool) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
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

    const WAIT: Duration = Duration::from_secs(20);

    /// Slots in `dir` for runs of `lanes` lanes, with `count` slots.
    fn slots(dir: &std::path::Path, count: u32, lanes: u32) -> Slots {
        let s = Slots::new(dir, lanes);
        let _ = s.count.set(count);
        s
    }

    fn indices(s: &Slot) -> Vec<u32> {
        let mut v: Vec<u32> = s.held.iter().map(|&(_, i)| i).collect();
        v.sort();
        v
    }

    /// Acquires on a thread; the receiver gets the held slot indices (empty: no slot).
    fn acquire_async(s: Slots, within: Duration) -> mpsc::Receiver<(Vec<u32>, Option<Slot>)> {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let slot = s.acquire_within(within);
            let _ = tx.send((slot.as_ref().map(indices).unwrap_or_default(), slot));
        });
        rx
    }

    /// Every one of `count` slots can be taken again, by one run, within a few seconds (a
    /// helper whose wait is over may hold one for an instant before letting it go).
    fn assert_all_free_again(dir: &std::path::Path, count: u32) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let all = slots(dir, count, count).acquire_within(Duration::from_millis(50));
            if all.is_some_and(|s| s.threads() == count as usize) {
                return;
            }
            assert!(Instant::now() < deadline, "a slot stayed taken");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn slot_counts() {
        assert_eq!(slots_for(2), 2);
        assert_eq!(slots_for(1), 1);
        assert_eq!(slots_for(0), 1);
        assert_eq!(slots_for(12), 12);
        assert_eq!(slots_for(1000), MAX_SLOTS);
    }

    #[test]
    fn a_lone_run_takes_a_slot_per_lane_and_runs_on_that_many_threads() {
        let dir = tempfile::tempdir().unwrap();
        let wide = slots(dir.path(), 4, 2).acquire().unwrap();
        assert_eq!(indices(&wide), [0, 1], "two lanes, two slots");
        assert_eq!(wide.run(rayon::current_num_threads), 2);
        // the next one finds two free slots and nobody waiting: it takes both too
        let next = slots(dir.path(), 4, 8).acquire().unwrap();
        assert_eq!(indices(&next), [2, 3]);
        drop((wide, next));
        // more lanes than slots: every slot, and no more
        let all = slots(dir.path(), 3, 8).acquire().unwrap();
        assert_eq!(all.threads(), 3);
        assert_eq!(all.run(rayon::current_num_threads), 3);
    }

    #[test]
    fn one_run_goes_beside_a_wide_run_as_wide_and_the_next_waits() {
        let dir = tempfile::tempdir().unwrap();
        let wide = slots(dir.path(), 2, 4).acquire().unwrap();
        assert_eq!(wide.threads(), 2);
        let beside = slots(dir.path(), 2, 4)
            .acquire_within(Duration::ZERO)
            .unwrap();
        assert_eq!(indices(&beside), [BESIDE]);
        assert_eq!(
            beside.run(rayon::current_num_threads),
            2,
            "as wide as the wide run"
        );
        // the place beside is taken: the third waits, and gives up after its longest wait
        let t = Instant::now();
        let third = slots(dir.path(), 2, 4).acquire_within(Duration::from_millis(200));
        assert!(third.is_none());
        assert!(t.elapsed() >= Duration::from_millis(200));
        // a run on one slot is not wide: nobody goes beside it
        drop((wide, beside));
        let (a, b) = (slots(dir.path(), 2, 1), slots(dir.path(), 2, 1));
        let (a, b) = (a.acquire().unwrap(), b.acquire().unwrap());
        assert_eq!((a.threads(), b.threads()), (1, 1));
        assert!(
            slots(dir.path(), 2, 4)
                .acquire_within(Duration::from_millis(100))
                .is_none()
        );
    }

    #[test]
    fn a_waiter_gets_whichever_slot_frees_first_and_runs_on_one_thread_if_others_wait() {
        let dir = tempfile::tempdir().unwrap();
        let s0 = slots(dir.path(), 2, 1).acquire().unwrap();
        let s1 = slots(dir.path(), 2, 1).acquire().unwrap();
        assert_eq!((indices(&s0), indices(&s1)), (vec![0], vec![1]));
        let first = acquire_async(slots(dir.path(), 2, 4), WAIT);
        std::thread::sleep(Duration::from_millis(150));
        let second = acquire_async(slots(dir.path(), 2, 4), WAIT);
        std::thread::sleep(Duration::from_millis(150));
        assert!(first.try_recv().is_err() && second.try_recv().is_err());
        // the second slot frees first: one waiter takes it, on one slot, as another waits
        drop(s1);
        let (got, held) = first
            .recv_timeout(WAIT)
            .or_else(|_| second.recv_timeout(WAIT))
            .unwrap();
        assert_eq!(got, [1], "the freed slot, and only it");
        // the other slot frees: the last waiter takes it, and nobody waits behind it now
        drop(s0);
        let (got2, held2) = second
            .recv_timeout(WAIT)
            .or_else(|_| first.recv_timeout(WAIT))
            .unwrap();
        assert_eq!(got2, [0]);
        drop((held, held2));
        // nothing leaked: the helper that waited for the other slot let it go
        assert_all_free_again(dir.path(), 2);
    }

    #[test]
    fn the_last_waiter_widens_when_nobody_waits_behind_it() {
        let dir = tempfile::tempdir().unwrap();
        let wide = slots(dir.path(), 2, 2).acquire().unwrap();
        let beside = slots(dir.path(), 2, 4).acquire().unwrap();
        assert_eq!(indices(&beside), [BESIDE]);
        let waiter = acquire_async(slots(dir.path(), 2, 4), WAIT);
        std::thread::sleep(Duration::from_millis(150));
        assert!(waiter.try_recv().is_err(), "it waits");
        // the wide run's slots free together: the waiter, alone in the queue, takes both
        drop(wide);
        let (got, slot) = waiter.recv_timeout(WAIT).unwrap();
        assert_eq!(got, [0, 1]);
        assert_eq!(slot.unwrap().run(rayon::current_num_threads), 2);
    }

    #[test]
    fn given_up_waits_leak_no_slot() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (slots(dir.path(), 2, 1), slots(dir.path(), 2, 1));
        let (s0, s1) = (a.acquire().unwrap(), b.acquire().unwrap());
        let t = Instant::now();
        assert!(
            slots(dir.path(), 2, 1)
                .acquire_within(Duration::from_millis(200))
                .is_none()
        );
        assert!(t.elapsed() >= Duration::from_millis(200));
        // the abandoned helpers win the slots when they free, and let them go at once
        drop((s0, s1));
        assert_all_free_again(dir.path(), 2);
    }

    #[test]
    fn an_unusable_lock_file_means_no_gate() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/dev/null", dir.path().join(SLOT_FILE)).unwrap();
        let s = Slots::with_count(dir.path(), 1);
        assert!(
            s.acquire().is_none(),
            "a symlink is never followed or locked"
        );
        let missing = Slots::with_count(&dir.path().join("no such dir"), 1);
        assert!(missing.acquire().is_none());
    }
}
