//! `cpx-agent run [--config FILE] [--listen ADDR]`: the daemon (see `crate::daemon`). Runs until
//! SIGTERM/SIGINT. Exit: 0 after a clean stop; 2 configuration error (naming the key); 4 the
//! listening port is taken; 1 any other failure to start.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::{exit, load_config, print_error};
use crate::daemon::run::{run as run_daemon, RunError};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fichier de configuration (défaut : $XDG_CONFIG_HOME/cpx-agent/config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Adresse d'écoute de l'API, bouclage uniquement (défaut : [api] listen, 127.0.0.1:8787).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

pub fn run(args: &Args) -> u8 {
    let config = match load_config(args.config.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    match run_daemon(config, args.listen) {
        Ok(()) => exit::OK,
        Err(error @ RunError::NotLoopback(_)) => {
            print_error(&error.to_string());
            exit::USAGE
        }
        Err(error) => {
            print_error(&error.to_string());
            error.exit_code()
        }
    }
}
