//! `cpx-agent token`: prints the per-user API token (creating it if needed), for local
//! applications that need holder names: `Authorization: Bearer $(cpx-agent token)`.
//! `--path` prints where it is kept instead.

use super::common::print_error;
use super::exit;
use crate::token::Token;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Affiche le chemin du fichier du jeton / print the token file's path.
    #[arg(long)]
    pub path: bool,
}

pub fn run(args: &Args) -> u8 {
    let path = match Token::default_path() {
        Ok(p) => p,
        Err(e) => {
            print_error(&e.to_string());
            return exit::FINDINGS;
        }
    };
    if args.path {
        println!("{}", path.display());
        return exit::OK;
    }
    match Token::load_or_create(&path) {
        Ok(token) => {
            println!("{}", token.as_str());
            exit::OK
        }
        Err(e) => {
            print_error(&e.to_string());
            exit::FINDINGS
        }
    }
}
