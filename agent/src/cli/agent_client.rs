//! The running agent, seen from a subcommand: `checklist` reads and ticks through it when it
//! runs (it has the live state and tells the faces at once), `setup` asks it to apply the new
//! configuration. With the user's token; a short time limit: an agent that does not answer is
//! "not running".

use std::net::SocketAddr;
use std::time::Duration;

use crate::port_file::Locator;
use crate::token::Token;

/// Connecting and answering, on loopback.
const WAIT: Duration = Duration::from_secs(5);

/// What came back.
#[derive(Debug)]
pub enum Reply {
    /// No agent listens there.
    NotRunning,
    /// An HTTP answer: status and body.
    Answer(u16, String),
    /// Something else went wrong (French or system text).
    Failed(String),
}

/// One request to the user's agent, with the user's token: at the configured address
/// (`[api] listen`), else where its port file says (an agent that is not running there is
/// `NotRunning`). `body`: JSON to send.
pub fn call(
    configured: Option<SocketAddr>,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Reply {
    let addr = match Locator::new(configured).and_then(|l| l.resolve()) {
        Ok(addr) => addr,
        Err(_) => return Reply::NotRunning,
    };
    let token = match Token::default_path().and_then(|p| Token::load_or_create(&p)) {
        Ok(t) => t,
        Err(e) => return Reply::Failed(e.to_string()),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return Reply::Failed(e.to_string()),
    };
    runtime.block_on(async {
        let client = match reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(WAIT)
            .timeout(WAIT * 2)
            .build()
        {
            Ok(c) => c,
            Err(e) => return Reply::Failed(e.to_string()),
        };
        let method = match reqwest::Method::from_bytes(method.as_bytes()) {
            Ok(m) => m,
            Err(e) => return Reply::Failed(e.to_string()),
        };
        let mut request = client
            .request(method, format!("http://{addr}{path}"))
            .bearer_auth(token.as_str());
        if let Some(body) = body {
            request = request.json(body);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.text().await {
                    Ok(text) => Reply::Answer(status, text),
                    Err(e) => Reply::Failed(e.to_string()),
                }
            }
            Err(e) if e.is_connect() => Reply::NotRunning,
            Err(e) => Reply::Failed(e.to_string()),
        }
    })
}

/// The French message of an error answer (`{"error", "message"}`), or the status.
pub fn error_message(status: u16, body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| format!("réponse HTTP {status}"))
}
