//! Process-wide protections applied before anything else runs.

/// Makes the process undumpable: no core file (`RLIMIT_CORE` = 0, so SIGQUIT or a crash writes
/// none), and `PR_SET_DUMPABLE` = 0, so another process of the same user can neither attach a
/// debugger (`gcore`, `gdb -p`) nor read `/proc/PID/mem`. Failures are ignored: neither call
/// can fail for an unprivileged process on Linux, and a vaultty that runs anyway is better
/// than none.
pub fn harden() {
    let none = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit reads the struct.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &none);
    }
    // Linux's: elsewhere only the core limit applies.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    // SAFETY: prctl(PR_SET_DUMPABLE) takes plain integers.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}

/// Test-only hooks (the `test-hooks` feature, on in `cargo test` builds only): an image of the
/// process's writable memory, taken the way a debugger's core dump would see it, so tests can
/// search it for passwords after signup, login and a password change.
#[cfg(feature = "test-hooks")]
pub mod test_hooks {
    use std::fs::File;
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::path::{Path, PathBuf};

    /// `VAULTTY_TEST_MEMORY_DUMP=FILE`: the CLI writes the image to FILE just before it exits;
    /// the UI writes it on SIGUSR1 (to FILE, then creates `FILE.done`).
    pub const DUMP_ENV: &str = "VAULTTY_TEST_MEMORY_DUMP";

    /// Writes every readable and writable mapping of this process (heap, stacks, anonymous
    /// memory, data) to `path`, one after another. A process may always read its own memory,
    /// even when it is not dumpable.
    pub fn dump_memory(path: &Path) -> std::io::Result<()> {
        let maps = std::fs::read_to_string("/proc/self/maps")?;
        let mut mem = File::open("/proc/self/mem")?;
        let mut out = File::create(path)?;
        // Where each mapping starts in the image, for a test's message when it finds something.
        let mut index = String::new();
        let mut offset = 0u64;
        let mut buf = vec![0u8; 1 << 20];
        for line in maps.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(range), Some(perms)) = (fields.first(), fields.get(1)) else {
                continue;
            };
            let name = fields.get(5).copied().unwrap_or("");
            if !perms.starts_with("rw") || name.starts_with("[v") {
                continue;
            }
            let Some((start, end)) = range.split_once('-') else {
                continue;
            };
            let (Ok(mut at), Ok(end)) =
                (u64::from_str_radix(start, 16), u64::from_str_radix(end, 16))
            else {
                continue;
            };
            index.push_str(&format!("{offset} {line}\n"));
            while at < end {
                let n = buf.len().min((end - at) as usize);
                mem.seek(SeekFrom::Start(at))?;
                match mem.read(&mut buf[..n]) {
                    Ok(k) if k > 0 => {
                        out.write_all(&buf[..k])?;
                        offset += k as u64;
                    }
                    _ => break,
                }
                at += n as u64;
            }
        }
        std::fs::write(path.with_extension("maps"), index)?;
        out.sync_all()
    }

    fn target() -> Option<PathBuf> {
        std::env::var_os(DUMP_ENV).map(PathBuf::from)
    }

    /// The CLI's hook: the image at exit, after every value of the command was dropped.
    pub fn at_exit() {
        if let Some(p) = target() {
            let _ = dump_memory(&p);
        }
    }

    /// The UI's hook: a thread that writes the image whenever SIGUSR1 arrives.
    pub fn on_sigusr1() {
        let Some(p) = target() else {
            return;
        };
        let Ok(mut signals) = signal_hook::iterator::Signals::new([signal_hook::consts::SIGUSR1])
        else {
            return;
        };
        std::thread::spawn(move || {
            for _ in signals.forever() {
                let done = p.with_extension("done");
                let _ = std::fs::remove_file(&done);
                if dump_memory(&p).is_ok() {
                    let _ = File::create(done);
                }
            }
        });
    }
}
