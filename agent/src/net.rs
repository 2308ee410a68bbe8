//! The agent's HTTP client, for what it fetches: CRLs (`revocation`) and FINESS updates
//! (`finess::update`). rustls with ring (no OpenSSL), the system's CA store plus
//! `[network] ca_files`; proxies from the environment (`HTTPS_PROXY`, `HTTP_PROXY`,
//! `NO_PROXY`, as reqwest reads them); bounded connection and stall times. `[network]
//! offline = true` means no client at all.

use std::time::Duration;

use crate::config::NetworkConfig;

/// Longest wait for a TCP + TLS connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest silence while reading an answer.
pub const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Why no client could be made.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// `[network] offline = true`.
    #[error("{}", crate::text::net::OFFLINE)]
    Offline,
    #[error("{}", crate::text::net::client_failed(.0))]
    Client(String),
}

/// The client for the configuration, or why not.
pub fn client(network: &NetworkConfig) -> Result<reqwest::Client, NetError> {
    if network.offline {
        return Err(NetError::Offline);
    }
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(CONNECT_TIMEOUT)
        .read_timeout(READ_TIMEOUT)
        .user_agent(concat!("cpx-agent/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::limited(5));
    for ca in &network.ca_files {
        // Read and checked when the configuration was loaded.
        let certs = reqwest::Certificate::from_pem_bundle(&ca.pem)
            .map_err(|e| NetError::Client(e.to_string()))?;
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|e| NetError::Client(e.to_string()))
}

/// An error of reqwest in a short French-readable form (no URL repeated, the cause kept).
pub fn describe(e: &reqwest::Error) -> String {
    let mut what = if e.is_timeout() {
        crate::text::net::TIMEOUT.to_string()
    } else if e.is_connect() {
        crate::text::net::CONNECT.to_string()
    } else if let Some(status) = e.status() {
        crate::text::net::status(status.as_u16())
    } else {
        crate::text::net::TRANSFER.to_string()
    };
    let mut source = std::error::Error::source(e);
    let mut depth = 0;
    while let Some(s) = source {
        depth += 1;
        if depth > 4 {
            break;
        }
        let text = s.to_string();
        if !what.contains(&text) {
            what.push_str(" : ");
            what.push_str(&text);
        }
        source = s.source();
    }
    what
}
