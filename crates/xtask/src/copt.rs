//! The optimized C reference: upstream libargon2 (the PHC winner's C code, bundled by the
//! `just-argon2` crate) with its `opt.c` core, compiled by `cc` with the default flags for
//! x86-64, so SSE2 and no more: the same build as the argon2-cffi-bindings wheel the Python
//! drivers used (opt.c, `-msse2`). Called in this process through FFI; every call allocates
//! its memory afresh (64 MiB is above glibc's largest mmap threshold, so it is a new mapping
//! each time) and runs one thread per lane, as `argon2_hash` does.

use std::time::{Duration, Instant};

const SALT: &[u8] = b"vaultty-bench-salt";

/// One bare Argon2id hash (raw, 32 bytes) of `password` at m KiB, t passes, p lanes; its wall
/// time.
pub fn hash(m_kib: u32, t: u32, p: u32, password: &[u8]) -> Result<Duration, String> {
    let mut out = [0u8; 32];
    let t0 = Instant::now();
    c_argon2::id_hash_raw(t, m_kib, p, Some(password), Some(SALT), &mut out)
        .map_err(|e| format!("C argon2id_hash_raw: {e:?}"))?;
    Ok(t0.elapsed())
}
