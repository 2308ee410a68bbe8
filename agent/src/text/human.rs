//! Human-readable output of the CLI, French: one block per reader, verdict first, then what
//! the card is, then the findings with their remedies. Words come from `messages::cli`.

use std::fmt::Write;

use cpx_card::{CardFamily, CardKind, CertReport, Holder, Structure};

use crate::model::status::{CardView, ReaderView, StatusSnapshot};
use crate::model::verdict::Verdict;
use crate::text::findings::{date, kind_label};
use crate::text::labels as msg;
use crate::usb::UsbReader;

fn holder_line(h: &Holder) -> String {
    let name: Vec<&str> = [h.given_name.as_deref(), h.surname.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let mut s = if name.is_empty() {
        msg::NONE.to_string()
    } else {
        name.join(" ")
    };
    let _ = write!(s, " ({} {})", msg::person_id_label(h.id_type), h.id);
    if let Some(t) = &h.title {
        let _ = write!(s, ", {t}");
    }
    s
}

/// `directory_name`: the structure's name in the local FINESS directory (the verdict's).
fn structure_line(
    s: Option<&Structure>,
    kind: CardKind,
    directory_name: Option<&String>,
) -> String {
    let Some(s) = s else {
        return match kind {
            CardKind::Cps | CardKind::Cpf => msg::NO_STRUCTURE_PERSONAL_CARD.to_string(),
            _ => msg::NO_STRUCTURE.to_string(),
        };
    };
    let mut line = format!("{} {}", msg::structure_id_label(s.id_type), s.number);
    if let Some(n) = directory_name.or(s.name.as_ref()) {
        let _ = write!(line, " — {n}");
    }
    if let Some(d) = &s.departement {
        let _ = write!(line, ", {d}");
    }
    line
}

fn field(out: &mut String, indent: &str, label: &str, value: &str) {
    let _ = writeln!(out, "{indent}{label:<16}: {value}");
}

/// The findings, most severe first, each with its remedy.
fn findings(out: &mut String, indent: &str, verdict: &Verdict) {
    if verdict.findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}{} :", msg::FINDINGS);
    for f in &verdict.findings {
        let _ = writeln!(
            out,
            "{indent}  [{}] {} ({})",
            msg::severity_label(f.severity),
            f.message,
            f.code
        );
        let _ = writeln!(out, "{indent}      {} {}", msg::REMEDY_ARROW, f.remedy);
    }
}

/// A card and its verdict, verdict first.
pub fn card(view: &CardView, indent: &str) -> String {
    let (r, v) = (&view.report, &view.verdict);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{indent}{} — {}",
        msg::status_label(v.status),
        msg::status_sentence(v.status)
    );
    if r.family == CardFamily::NotCpx {
        field(&mut out, indent, "Carte", msg::family_label(r.family));
        field(&mut out, indent, "ATR", &r.atr);
        findings(&mut out, indent, v);
        return out;
    }
    let mut kind = format!("{} ({})", kind_label(r.kind), msg::family_label(r.family));
    if let Some(n) = &r.card_number {
        let _ = write!(kind, ", n° {n}");
    }
    field(&mut out, indent, "Carte", &kind);
    if let Some(h) = &r.holder {
        field(&mut out, indent, "Titulaire", &holder_line(h));
    }
    field(
        &mut out,
        indent,
        "Structure",
        &structure_line(r.structure.as_ref(), r.kind, v.directory_name.as_ref()),
    );
    if let Some(na) = r.not_after {
        field(&mut out, indent, "Expire le", &date(na));
    }
    field(
        &mut out,
        indent,
        "Code porteur",
        &msg::pin_line(r.pin_state, r.pin_tries_left),
    );
    if let Some(t) = r.trust {
        field(&mut out, indent, "Confiance", msg::trust_label(t));
    }
    findings(&mut out, indent, v);
    out
}

/// One reader's block.
pub fn reader(view: &ReaderView) -> String {
    let mut out = format!("Lecteur « {} »\n", view.name);
    field(
        &mut out,
        "  ",
        "Modèle",
        &crate::text::bench::model_line(view.model.as_ref()),
    );
    match (&view.card, &view.read_error) {
        (Some(c), _) => out.push_str(&card(c, "  ")),
        (None, Some(e)) => {
            let _ = writeln!(out, "  {} : {}", msg::READ_FAILED, e.message);
        }
        (None, None) => {
            let _ = writeln!(out, "  {}", msg::NO_CARD);
        }
    }
    out
}

/// The whole snapshot: service line, then one block per reader. `usb`: the USB devices that
/// look like readers, to explain an empty reader list.
pub fn snapshot(snap: &StatusSnapshot, usb: &[UsbReader]) -> String {
    let mut out = format!(
        "{} — {}\n",
        msg::SERVICE_RUNNING,
        msg::readers_count(snap.readers.len())
    );
    if snap.readers.is_empty() {
        if usb.is_empty() {
            let _ = writeln!(out, "{}", msg::NO_READER);
        }
        for r in usb {
            let _ = writeln!(out, "{}", msg::usb_device_not_seen(r));
        }
    }
    for r in &snap.readers {
        out.push('\n');
        out.push_str(&reader(r));
    }
    out
}

/// One certificate (`inspect-cert`).
pub fn certificate(c: &CertReport) -> String {
    let mut out = String::new();
    let i = "";
    field(&mut out, i, "Type de carte", kind_label(c.kind));
    match &c.holder {
        Some(h) => field(&mut out, i, "Titulaire", &holder_line(h)),
        None => field(&mut out, i, "Titulaire", msg::NONE),
    }
    if let Some(p) = c.holder.as_ref().and_then(|h| h.profession_code) {
        field(&mut out, i, "Profession", &msg::profession(p));
    }
    field(
        &mut out,
        i,
        "Structure",
        &structure_line(c.structure.as_ref(), c.kind, None),
    );
    field(
        &mut out,
        i,
        "N° de carte",
        c.card_number.as_deref().unwrap_or(msg::NONE),
    );
    field(
        &mut out,
        i,
        "Validité",
        &format!("du {} au {}", date(c.not_before), date(c.not_after)),
    );
    field(&mut out, i, "Émetteur", &c.issuer.name);
    let mut trust = msg::trust_label(c.trust).to_string();
    if let Some(d) = &c.trust_detail {
        let _ = write!(trust, " ({})", crate::text::read::trust_detail(d));
    }
    field(&mut out, i, "Confiance", &trust);
    field(&mut out, i, "Usage", msg::usage_label(c.usage));
    field(&mut out, i, "N° de série", &c.serial_number);
    field(&mut out, i, "SHA-256", &c.sha256);
    out
}
