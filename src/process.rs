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
    // SAFETY: setrlimit reads the struct; prctl(PR_SET_DUMPABLE) takes plain integers.
    unsafe {
        libc::setrlimit(libc::RLIMIT_CORE, &none);
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
}
