//! The `cpx-agent` binary: a thin edge over the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    cpx_agent::cli::run(cpx_agent::cli::Cli::parse())
}
