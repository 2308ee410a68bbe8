//! `cpx-agent doctor [--json | --html FILE] [--names]`: the support report (see
//! `crate::diagnostics`), made by the command itself: it reads the readers and cards through
//! the one reading pipeline (shared mode, never a reset), with or without an agent running.
//! Without `--names`, no personal data (the report for support); `--names` adds holder names,
//! card numbers and serials. Exits like `status`: 0 every CPx card present ready, 1 otherwise,
//! 2 usage or configuration error, 3 PC/SC unavailable.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use super::common::{print_error, print_json, print_text, usage_error, ConfigArg};
use super::{exit, status};
use crate::diagnostics::{self, AgentInfo, Inputs};
use crate::model::status::ServiceState;
use crate::reading::{Pipeline, ServiceUnavailable};
use crate::text::bench as msg;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Sortie JSON / JSON output.
    #[arg(long, conflicts_with = "html")]
    pub json: bool,
    /// Enregistre le rapport en page HTML dans FILE / save the report as an HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Inclut les noms des porteurs et les numéros de carte / include personal data.
    #[arg(long)]
    pub names: bool,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run(args: &Args) -> u8 {
    let config = match args.config.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let now = OffsetDateTime::now_utc();
    let (snapshot, pcsc_error) = match Pipeline::new(config.clone()).snapshot(now) {
        Ok(s) => (s, None),
        Err(e) => (ServiceUnavailable::snapshot(), Some(e.to_string())),
    };
    // The configured address, else where this user's agent wrote its port (none: not running).
    let found = crate::port_file::Locator::new(config.api.listen)
        .ok()
        .and_then(|l| l.resolve().ok());
    let report = diagnostics::gather(Inputs {
        config: &config,
        snapshot: snapshot.clone(),
        pcsc_error,
        agent: AgentInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            source: "doctor".into(),
            running: Some(found.is_some_and(agent_answers)),
            listen: match found {
                Some(addr) => addr.to_string(),
                None => msg::AGENT_NOT_FOUND.to_string(),
            },
        },
        events: None,
        journal_error: None,
        now,
    });
    let value = diagnostics::for_caller(&report, args.names);
    if let Some(path) = &args.html {
        let page = diagnostics::html::render(&value, args.names);
        if let Err(e) = std::fs::write(path, page) {
            return usage_error(&msg::cannot_write(path, &e.to_string()));
        }
        print_text(&format!("{}\n", msg::report_saved(path)));
    } else if args.json {
        print_json(&value);
    } else {
        print_text(&human(&value));
    }
    if snapshot.service == ServiceState::Unavailable {
        if let Some(e) = value["pcsc"]["error"].as_str() {
            print_error(e);
        }
        exit::PCSC_UNAVAILABLE
    } else {
        status::exit_code(&snapshot)
    }
}

/// Whether an agent answers `GET /healthz` on `listen` (within half a second).
fn agent_answers(listen: SocketAddr) -> bool {
    let wait = Duration::from_millis(500);
    let Ok(mut stream) = TcpStream::connect_timeout(&listen, wait) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(wait));
    let _ = stream.set_write_timeout(Some(wait));
    let request = format!("GET /healthz HTTP/1.0\r\nHost: {listen}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.take(64 * 1024).read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).contains("\"status\":\"ok\"")
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(true) => "oui".into(),
        Value::Bool(false) => "non".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn software(v: &Value) -> String {
    if v["installed"] == Value::Bool(true) {
        format!(
            "installé, {}",
            v["version"].as_str().unwrap_or("version inconnue")
        )
    } else {
        "non trouvé".into()
    }
}

/// The report as text for the terminal.
fn human(r: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", msg::REPORT_TITLE, text(&r["generated_at"]));
    let a = &r["agent"];
    let _ = writeln!(
        out,
        "\n{}\n  cpx-agent {} ; agent en marche sur {} : {}",
        msg::SECTION_SYSTEM,
        text(&a["version"]),
        text(&a["listen"]),
        text(&a["running"])
    );
    let _ = writeln!(
        out,
        "  {} ; noyau {} ; heure UTC {} ; horloge synchronisée : {}",
        text(&r["system"]["distribution"]),
        text(&r["system"]["kernel"]),
        text(&r["clock"]["utc"]),
        match &r["clock"]["synchronised"] {
            Value::Null => "inconnu".into(),
            v => text(v),
        }
    );
    let p = &r["pcsc"];
    let _ = writeln!(out, "\n{}", msg::SECTION_PCSC);
    let _ = writeln!(
        out,
        "  {}",
        if p["service"] == "running" {
            msg::PCSC_RUNNING
        } else {
            msg::PCSC_DOWN
        }
    );
    let _ = writeln!(
        out,
        "  pcscd : {} ; libccid : {} ; CryptoLib CPS : {} ; OpenSC : {}",
        software(&p["pcscd"]),
        software(&p["libccid"]),
        software(&r["middleware"]["cryptolib"]),
        software(&r["middleware"]["opensc"])
    );
    let _ = writeln!(out, "\n{}", msg::SECTION_READERS);
    let readers = r["readers"].as_array().cloned().unwrap_or_default();
    if readers.is_empty() {
        let _ = writeln!(out, "  {}", msg::NO_READER_SEEN);
    }
    for reader in &readers {
        let model = match reader["model"].as_object() {
            None => msg::MODEL_UNKNOWN.to_owned(),
            Some(_) => text(&reader["model"]["model"]),
        };
        let pinpad = match reader["pinpad"]["pinpad"].as_str() {
            Some("yes") => "oui",
            Some("no") => "non",
            _ => "inconnu",
        };
        let _ = writeln!(
            out,
            "  « {} » — {model} ; clavier (dit par le lecteur) : {pinpad}",
            text(&reader["name"])
        );
    }
    for d in r["usb_unseen"].as_array().into_iter().flatten() {
        let _ = writeln!(out, "  {}", text(&d["fix"]));
    }
    let _ = writeln!(out, "\n{}", msg::SECTION_CARDS);
    let cards = r["cards"].as_array().cloned().unwrap_or_default();
    if cards.is_empty() {
        let _ = writeln!(out, "  {}", msg::NO_CARD_SEEN);
    }
    for c in &cards {
        let first = c["verdict"]["findings"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["severity"] != "info"))
            .map(|f| format!(" : {}", text(&f["message"])))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  « {} » : {} {} — {}{first}",
            text(&c["reader"]),
            text(&c["kind"]),
            c["structure"]["number"].as_str().unwrap_or(""),
            msg::status_word(c["verdict"]["status"].as_str().unwrap_or("unknown"))
        );
    }
    let cfg = &r["config"];
    let _ = writeln!(out, "\n{}", msg::SECTION_CONFIG);
    let _ = writeln!(
        out,
        "  fichier {} ; contrat {} (EJ {}, EG {}) ; alerte d'expiration {} jours ; cartes de test acceptées : {}",
        text(&cfg["source"]),
        cfg["contract_mode"].as_str().unwrap_or("non configuré"),
        text(&cfg["ej"]),
        text(&cfg["egs"]),
        text(&cfg["expiry_warning_days"]),
        text(&cfg["accept_test_cards"])
    );
    let f = &r["finess"];
    let _ = writeln!(out, "\n{}", msg::SECTION_FINESS);
    if f["present"] == Value::Bool(true) {
        let _ = writeln!(
            out,
            "  données du {}, importées le {} : {} EJ, {} EG",
            text(&f["data_date"]),
            text(&f["imported_at"]),
            text(&f["ej_count"]),
            text(&f["eg_count"])
        );
    } else {
        let _ = writeln!(out, "  {}", msg::NO_FINESS);
    }
    let j = &r["journal"];
    let _ = writeln!(out, "\n{}", msg::SECTION_JOURNAL);
    if j["available"] != Value::Bool(true) {
        let _ = writeln!(out, "  {}", text(&j["error"]));
    }
    let _ = writeln!(
        out,
        "  {} carte(s) ; dernière vue : {}",
        text(&j["cards"]),
        text(&j["last_seen"])
    );
    out
}
