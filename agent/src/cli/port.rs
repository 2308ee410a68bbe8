//! `cpx-agent port [--config FILE]`: prints the port of this user's agent, for local
//! applications (`curl http://127.0.0.1:$(cpx-agent port)/v1/status`): `[api] listen`'s port
//! when one is configured, else the port the running agent wrote to the port file
//! (`$XDG_RUNTIME_DIR/cpx-agent/port`, see `port_file`). Exit: 0 port printed; 1 the agent
//! does not run (no port file, or its agent stopped); 2 configuration error.

use super::common::{locate_agent, print_error, ConfigArg};
use super::exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run(args: &Args) -> u8 {
    let locator = match locate_agent(&args.config, None) {
        Ok(locator) => locator,
        Err(code) => return code,
    };
    match locator.resolve() {
        Ok(addr) => {
            println!("{}", addr.port());
            exit::OK
        }
        Err(e) => {
            print_error(&e.to_string());
            exit::FINDINGS
        }
    }
}
