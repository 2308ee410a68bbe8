//! `cpx-agent open [--config FILE] [--listen ADDR] [--print]`: opens the status page in a
//! session that shows holder names. Finds this user's agent (`--listen`, `[api] listen`, else
//! the port file: `common::locate_agent`) and asks it, with the per-user token, for a
//! one-time code (`POST /v1/session/otp`), then prints the one-time link
//! `http://ADDR/session?code=…` (single use, valid one minute) and, when a display is there,
//! opens it in the browser (`platform::open_in_browser`). Exit: 0 link obtained; 1 the agent does not answer or refuses
//! the token; 2 configuration error.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use super::common::{locate_agent, print_error, print_text, ConfigArg};
use super::exit;
use crate::api::session::OneTimeCode;
use crate::platform;
use crate::text::open as texte;
use crate::token::Token;

/// Time allowed to reach the agent and to get its answer.
const AGENT_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub config: ConfigArg,
    /// Adresse de l'agent (défaut : [api] listen, sinon le port de l'agent de cet
    /// utilisateur, `cpx-agent port`).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Affiche le lien sans lancer le navigateur / print the link only.
    #[arg(long)]
    pub print: bool,
}

pub fn run(args: &Args) -> u8 {
    let addr = match locate_agent(&args.config, args.listen) {
        Ok(locator) => match locator.resolve() {
            Ok(addr) => addr,
            Err(e) => {
                print_error(&e.to_string());
                return exit::FINDINGS;
            }
        },
        Err(code) => return code,
    };
    let token = match Token::default_path().and_then(|p| Token::load_or_create(&p)) {
        Ok(t) => t,
        Err(e) => {
            print_error(&e.to_string());
            return exit::FINDINGS;
        }
    };
    let code = match request_code(addr, &token) {
        Ok(code) => code,
        Err(message) => {
            print_error(&message);
            return exit::FINDINGS;
        }
    };
    let url = format!("http://{addr}{}", code.path);
    print_text(&texte::link(&url, code.expires_in_seconds));
    if !args.print && platform::has_display() {
        if platform::open_in_browser(&url) {
            print_text(&format!("{}\n", texte::OPENING));
        } else {
            print_text(&format!("{}\n", texte::NO_BROWSER));
        }
    }
    exit::OK
}

/// `POST /v1/session/otp` on the agent at `addr`, over a plain HTTP/1.1 connection.
fn request_code(addr: SocketAddr, token: &Token) -> Result<OneTimeCode, String> {
    let unreachable = |e: std::io::Error| texte::unreachable(addr, &e.to_string());
    let mut stream = TcpStream::connect_timeout(&addr, AGENT_WAIT).map_err(unreachable)?;
    stream
        .set_read_timeout(Some(AGENT_WAIT))
        .map_err(unreachable)?;
    stream
        .set_write_timeout(Some(AGENT_WAIT))
        .map_err(unreachable)?;
    let request = format!(
        "POST /v1/session/otp HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n",
        token.as_str()
    );
    stream.write_all(request.as_bytes()).map_err(unreachable)?;
    let mut answer = Vec::new();
    stream
        .take(64 * 1024)
        .read_to_end(&mut answer)
        .map_err(unreachable)?;
    parse_answer(addr, &String::from_utf8_lossy(&answer))
}

/// The code in the agent's HTTP answer, or what went wrong (French).
fn parse_answer(addr: SocketAddr, answer: &str) -> Result<OneTimeCode, String> {
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| texte::unexpected(addr, "réponse HTTP incomplète"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| texte::unexpected(addr, "ligne d'état illisible"))?;
    match status {
        201 => serde_json::from_str(body.trim())
            .map_err(|e| texte::unexpected(addr, &format!("JSON : {e}"))),
        401 => Err(texte::token_refused(addr)),
        other => Err(texte::unexpected(
            addr,
            &format!("HTTP {other} {}", body.trim()),
        )),
    }
}

#[cfg(test)]
mod tests;
