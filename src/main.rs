use std::process::ExitCode;

/// Every heap block is wiped when it is freed, so copies of a password that third-party code
/// makes (the strength estimator, the prompt's line buffer, the UI's input field) do not
/// outlive their use in freed memory (BENCHMARKS.md, "The zeroing allocator", has its cost).
#[global_allocator]
static ALLOC: zeroizing_alloc::ZeroAlloc<std::alloc::System> =
    zeroizing_alloc::ZeroAlloc(std::alloc::System);

fn main() -> ExitCode {
    vaultty::process::harden();
    #[cfg(feature = "test-hooks")]
    vaultty::process::test_hooks::on_sigusr1();
    let code = vaultty::cli::main(vaultty::tui::run);
    #[cfg(feature = "test-hooks")]
    vaultty::process::test_hooks::at_exit();
    code
}
