//! cpx-emulator: an emulated CPx card in a vpcd reader, for people and scripts.
//! Prints `inserted` once pcscd has powered the card; SIGTERM/SIGINT removes it and exits 0.

use anyhow::{bail, Context, Result};
use clap::{Parser, ValueEnum};
use cpx_testkit::card::{CpxCard, CpxCardSpec, Generation, PlainIsoCard, SmartCard};
use cpx_testkit::pki::crl::{parse_duration, CrlIssuer, CrlSpec};
use cpx_testkit::pki::{CardCertsBuilder, CertValidity, IssuerChoice, TestPki};
use cpx_testkit::vpcd::{self, Faults, InsertOptions};
use cpx_testkit::CardKind;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CardArg {
    Cde,
    Cpe,
    Cps,
    Cpf,
    Cpa,
    /// A plain ISO card that is not a CPx card.
    Other,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum GenerationArg {
    Cps3,
    Cps4,
    /// CPS4 with its T=0 ATR (61xx + GET RESPONSE)
    Cps4T0,
}

#[derive(Parser, Debug)]
#[command(
    name = "cpx-emulator",
    about = "Carte CPx émulée dans un lecteur virtuel vpcd / emulated CPx card in a vpcd reader"
)]
struct Args {
    /// vpcd reader address, 127.0.0.1:PORT
    #[arg(long, required_unless_present_any = ["export_ca", "export_crl"])]
    vpcd: Option<String>,
    #[arg(long, value_enum, default_value = "cpe")]
    card: CardArg,
    /// Structure FINESS (establishment cards; for CPS/CPF: the practice location)
    #[arg(long, conflicts_with = "siret")]
    finess: Option<String>,
    /// Structure SIRET (establishment cards)
    #[arg(long)]
    siret: Option<String>,
    /// Structure name (raison sociale)
    #[arg(long)]
    name: Option<String>,
    /// Certificates expired 30 days ago
    #[arg(long, conflicts_with = "expires_in_days")]
    expired: bool,
    /// Certificates expire in N days
    #[arg(long)]
    expires_in_days: Option<i64>,
    /// PIN tries left (3 = fresh card, 0 = blocked)
    #[arg(long, default_value_t = 3)]
    pin_tries: u8,
    #[arg(long, value_enum, default_value = "cps3")]
    generation: GenerationArg,
    /// Card number, 10 digits (default: one no other emulated card has)
    #[arg(long, value_parser = card_number)]
    card_number: Option<String>,
    /// Sign the certificates with a CA outside the test PKI
    #[arg(long)]
    untrusted: bool,
    /// Log every APDU and control message (JSON lines) to FILE
    #[arg(long)]
    log: Option<PathBuf>,
    /// Pull the card out right after answering K APDUs
    #[arg(long)]
    pull_after_apdus: Option<usize>,
    /// After answering APDU K, "another application" resets the card through pcscd (needs
    /// --reader and PCSCLITE_CSOCK_NAME; otherwise the card only forgets its state)
    #[arg(long)]
    reset_at_apdu: Option<usize>,
    /// PC/SC name of the reader at --vpcd (for --reset-at-apdu)
    #[arg(long)]
    reader: Option<String>,
    /// Answer APDU K with garbage
    #[arg(long)]
    garbage_at_apdu: Option<usize>,
    /// Never answer APDUs from K on (1 = a silent card)
    #[arg(long)]
    silent_from_apdu: Option<usize>,
    /// Delay every answer by MS milliseconds
    #[arg(long)]
    delay_ms: Option<u64>,
    /// Write the test PKI's CA certificates (roots and intermediates, PEM) to FILE and exit
    #[arg(long)]
    export_ca: Option<PathBuf>,
    /// Name this CRL distribution point (HTTP URL) in the card's certificates; their serial
    /// numbers are printed on stderr, for --revoke
    #[arg(long, value_name = "URL")]
    crl_url: Option<String>,
    /// Write a CRL (DER) signed by the test PKI CA that issues --card's certificates to FILE
    /// and exit
    #[arg(long, value_name = "FILE")]
    export_crl: Option<PathBuf>,
    /// With --export-crl: a serial number (hex) to list as revoked; repeat as needed
    #[arg(long, value_name = "SERIAL_HEX", requires = "export_crl")]
    revoke: Vec<String>,
    /// With --export-crl: the CRL's nextUpdate from now (7d, 12h, 30m; -1d = expired)
    #[arg(
        long,
        value_name = "DURATION",
        requires = "export_crl",
        default_value = "7d"
    )]
    next_update: String,
}

fn card_from(args: &Args) -> Box<dyn SmartCard> {
    let kind = match args.card {
        CardArg::Cde => CardKind::Cde,
        CardArg::Cpe => CardKind::Cpe,
        CardArg::Cps => CardKind::Cps,
        CardArg::Cpf => CardKind::Cpf,
        CardArg::Cpa => CardKind::Cpa,
        CardArg::Other => return Box::new(PlainIsoCard),
    };
    let structure_card = matches!(kind, CardKind::Cde | CardKind::Cpe | CardKind::Cpa);
    let mut b = CardCertsBuilder::new(kind);
    if structure_card {
        if let Some(f) = &args.finess {
            b = b.finess(f);
        }
        if let Some(s) = &args.siret {
            b = b.siret(s);
        }
    }
    if let Some(n) = &args.name {
        b = b.structure_name(n);
    }
    if args.expired {
        b = b.validity(CertValidity::Expired);
    }
    if let Some(n) = args.expires_in_days {
        b = b.validity(CertValidity::ExpiresInDays(n));
    }
    if args.untrusted {
        b = b.issuer(IssuerChoice::Unknown);
    }
    if let Some(n) = &args.card_number {
        b = b.card_number(n);
    }
    if let Some(url) = &args.crl_url {
        b = b.crl_url(url);
    }
    let certs = b.build();
    if args.crl_url.is_some() {
        eprintln!(
            "serials: auth {} sign {}",
            hex::encode_upper(&certs.auth_serial),
            hex::encode_upper(&certs.sign_serial)
        );
    }
    let mut spec = CpxCardSpec::new(certs);
    spec.pin_tries_left = args.pin_tries;
    spec.generation = match args.generation {
        GenerationArg::Cps3 => Generation::Cps3,
        GenerationArg::Cps4 => Generation::Cps4,
        GenerationArg::Cps4T0 => Generation::Cps4T0,
    };
    if let Some(loc) = spec.practice_locations.first_mut() {
        if let Some(f) = &args.finess {
            loc.id_type = "1".into();
            loc.id = f.clone();
        } else if let Some(s) = &args.siret {
            loc.id_type = "3".into();
            loc.id = s.clone();
        }
    }
    Box::new(CpxCard::new(spec))
}

fn card_number(text: &str) -> Result<String, String> {
    if text.len() == 10 && text.bytes().all(|c| c.is_ascii_digit()) {
        Ok(text.to_owned())
    } else {
        Err("10 chiffres attendus / 10 digits expected".into())
    }
}

fn port_of(addr: &str) -> Result<u16> {
    let (host, port) = addr
        .rsplit_once(':')
        .context("--vpcd attend 127.0.0.1:PORT / expects 127.0.0.1:PORT")?;
    if host != "127.0.0.1" && host != "localhost" {
        bail!("vpcd seulement sur 127.0.0.1 / vpcd on 127.0.0.1 only");
    }
    port.parse().context("port vpcd invalide / bad vpcd port")
}

/// `--export-crl FILE`: a CRL of the CA that issues `--card`'s certificates.
fn export_crl(args: &Args, path: &std::path::Path) -> Result<()> {
    let issuer = match args.card {
        CardArg::Cps | CardArg::Cpf => CrlIssuer::FortPersonnes,
        _ => CrlIssuer::StandardPersonnes,
    };
    let next = parse_duration(&args.next_update)
        .context("--next-update : durée comme 7d, 12h, 30m ou -1d / duration like 7d")?;
    let mut spec = CrlSpec::new(issuer).next_update_in(next);
    for serial in &args.revoke {
        let bytes = hex::decode(serial.trim().trim_start_matches("0x"))
            .with_context(|| format!("--revoke {serial} : numéro de série hexadécimal attendu"))?;
        if bytes.is_empty() {
            bail!("--revoke : numéro de série vide / empty serial");
        }
        spec = spec.revoke(&bytes);
    }
    std::fs::write(path, spec.der()).with_context(|| format!("écriture de {}", path.display()))
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(path) = &args.export_crl {
        return export_crl(&args, path);
    }
    if let Some(path) = &args.export_ca {
        std::fs::write(path, TestPki::get().ca_bundle_pem())
            .with_context(|| format!("écriture de {}", path.display()))?;
        return Ok(());
    }
    let port = port_of(args.vpcd.as_deref().unwrap_or_default())?;
    let stop = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGTERM, stop.clone())?;
    signal_hook::flag::register(signal_hook::consts::SIGINT, stop.clone())?;

    let opts = InsertOptions {
        faults: Faults {
            delay: args.delay_ms.map(Duration::from_millis),
            pull_after: args.pull_after_apdus,
            reset_at: args.reset_at_apdu,
            garbage_at: args.garbage_at_apdu,
            silent_from: args.silent_from_apdu,
            ..Faults::default()
        },
        log: args.log.clone(),
        connect_timeout: Some(Duration::from_secs(10)),
        pcsc_reader: match (&args.reader, std::env::var_os("PCSCLITE_CSOCK_NAME")) {
            (Some(name), Some(socket)) => Some(vpcd::PcscReader {
                socket: socket.into(),
                name: name.clone(),
            }),
            _ => None,
        },
    };
    let card = vpcd::insert(port, card_from(&args), opts)
        .with_context(|| format!("connexion à vpcd 127.0.0.1:{port} / connecting to vpcd"))?;
    let mut announced = false;
    while !stop.load(Ordering::SeqCst) {
        if !announced && card.wait_powered(Duration::from_millis(100)) {
            println!("inserted");
            std::io::stdout().flush()?;
            announced = true;
        }
        if !card.is_connected() {
            println!("removed");
            return Ok(());
        }
        if announced {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    card.remove();
    Ok(())
}
