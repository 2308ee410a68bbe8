//! `cpx-agent inspect-cert FILE [--json]`: what a certificate file says, read as an IGC-Santé
//! card certificate. Exit 0 when parsed, 2 (one line on stderr) when unreadable or invalid.
//!
//! JSON: the `CertReport` of the certificate; an array of them when the PEM file holds
//! several certificates.

use std::path::PathBuf;

use cpx_card::{decode_pem_or_der, interpret};

use super::common::{print_json, print_text, usage_error, ConfigArg, JsonArg};
use super::exit;
use crate::text::human;
use crate::text::labels as msg;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fichier certificat, PEM ou DER / certificate file.
    pub file: PathBuf,
    #[command(flatten)]
    pub output: JsonArg,
    #[command(flatten)]
    pub config: ConfigArg,
}

pub fn run(args: &Args) -> u8 {
    let config = match args.config.load() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let shown = args.file.display().to_string();
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => return usage_error(&msg::cannot_read_file(&shown, &e.to_string())),
    };
    let ders = match decode_pem_or_der(&bytes) {
        Ok(d) => d,
        Err(e) => return usage_error(&msg::invalid_certificate(&shown, &e.to_string())),
    };
    let trust = config.trust_store();
    let mut reports = Vec::with_capacity(ders.len());
    for der in &ders {
        match interpret(der, &trust) {
            Ok(r) => reports.push(r),
            Err(e) => return usage_error(&msg::invalid_certificate(&shown, &e.to_string())),
        }
    }
    if args.output.json {
        match reports.as_slice() {
            [one] => print_json(one),
            many => print_json(&many),
        }
    } else {
        let n = reports.len();
        let mut text = String::new();
        for (i, r) in reports.iter().enumerate() {
            if n > 1 {
                text.push_str(&format!("{}\n", msg::certificate_heading(i + 1, n)));
            }
            text.push_str(&human::certificate(r));
            text.push('\n');
        }
        print_text(&text);
    }
    exit::OK
}
