//! `cpx-agent __generate-assets DIR` (hidden): writes the man pages (`DIR/man/*.1`, one per
//! subcommand too) and the bash, zsh and fish completions (`DIR/completions/`) generated from
//! the clap definitions, so that the package ships what the binary really accepts. Used by
//! `installer/deb/build`. Exit: 0 written; 1 a file could not be written.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use super::common::print_error;
use super::exit;
use super::Cli;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dossier de sortie / output directory.
    pub dir: PathBuf,
}

pub fn run(args: &Args) -> u8 {
    match write_all(&args.dir) {
        Ok(()) => exit::OK,
        Err(e) => {
            print_error(&format!("{}: {e}", args.dir.display()));
            exit::FINDINGS
        }
    }
}

fn write_all(dir: &Path) -> std::io::Result<()> {
    let man = dir.join("man");
    std::fs::create_dir_all(&man)?;
    let mut cli = Cli::command();
    cli.build();
    write_man(&cli, &man)?;
    let completions = dir.join("completions");
    std::fs::create_dir_all(&completions)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut Cli::command(), "cpx-agent", &completions)?;
    }
    Ok(())
}

/// `cpx-agent.1` for the built `cmd`, then `cpx-agent-sub.1` for each visible subcommand
/// (clap names them so once built).
fn write_man(cmd: &clap::Command, dir: &Path) -> std::io::Result<()> {
    let name = cmd.get_display_name().unwrap_or(cmd.get_name());
    let mut bytes = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut bytes)?;
    std::fs::write(dir.join(format!("{name}.1")), bytes)?;
    let pages = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help");
    for sub in pages {
        write_man(sub, dir)?;
    }
    Ok(())
}
