use std::process::ExitCode;

fn main() -> ExitCode {
    vaultty::cli::main(vaultty::tui::run)
}
