//! `cpx-agent tray [--agent http://127.0.0.1:8787] [--config FILE] [--no-token]`: the tray
//! icon, a StatusNotifierItem on the session bus (KDE, GNOME with the AppIndicator extension,
//! Ayatana hosts). A client of the running agent (see `follow`); with the user's token it may
//! name holders in its menu, never in its tooltip. Exit: 0 on "Quitter" or a signal; 1 no
//! session bus; 2 usage or configuration error.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::common::{print_error, usage_error, ConfigArg};
use super::exit;
use crate::port_file::Locator;
use crate::text::tray as texte;
use crate::token::Token;
use crate::tray::follow::AgentClient;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Adresse de l'agent (défaut : [api] listen de la configuration, sinon le port de l'agent
    /// de cet utilisateur, relu à chaque connexion).
    #[arg(long, value_name = "URL")]
    pub agent: Option<String>,
    #[command(flatten)]
    pub config: ConfigArg,
    /// Ne lit pas le jeton : aucun nom de porteur, même dans le menu / no token, no names.
    #[arg(long)]
    pub no_token: bool,
}

/// `http://127.0.0.1:8787`, `127.0.0.1:8787`, `http://localhost:8787/` → the socket address;
/// loopback only (the token must never leave the machine).
pub fn parse_agent_address(value: &str) -> Result<SocketAddr, String> {
    let bad = || texte::bad_agent_address(value);
    let rest = value.trim();
    let rest = rest.strip_prefix("http://").unwrap_or(rest);
    let rest = rest.trim_end_matches('/');
    let addr = match rest.strip_prefix("localhost:") {
        Some(port) => SocketAddr::new(
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            port.parse().map_err(|_| bad())?,
        ),
        None => rest.parse::<SocketAddr>().map_err(|_| bad())?,
    };
    if addr.ip().is_loopback() {
        Ok(addr)
    } else {
        Err(bad())
    }
}

pub fn run(args: &Args) -> u8 {
    // The configuration gives the agent's address and which notifications to send.
    let config = match args.config.load() {
        Ok(config) => config,
        Err(code) => return code,
    };
    let explicit = match &args.agent {
        Some(value) => match parse_agent_address(value) {
            Ok(addr) => Some(addr),
            Err(message) => return usage_error(&message),
        },
        None => None,
    };
    let locator = match Locator::new(explicit.or(config.api.listen)) {
        Ok(locator) => locator,
        Err(e) => {
            print_error(&e.to_string());
            return exit::FINDINGS;
        }
    };
    let token = if args.no_token {
        None
    } else {
        // Same user as the agent: its token file; without it the tray still works, redacted.
        match Token::default_path().and_then(|p| Token::load_or_create(&p)) {
            Ok(token) => Some(token),
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        }
    };
    let client = match AgentClient::new(locator, token) {
        Ok(client) => client,
        Err(e) => return usage_error(&e),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            print_error(&e.to_string());
            return exit::FINDINGS;
        }
    };
    // Started at logon on Windows, the tray would keep a console window open: it leaves it
    // (configuration errors above are still shown).
    crate::platform::leave_own_console();
    match runtime.block_on(crate::tray::app::serve(client, config.notifications)) {
        Ok(()) => exit::OK,
        Err(message) => {
            print_error(&message);
            exit::FINDINGS
        }
    }
}

#[cfg(test)]
mod tests;
