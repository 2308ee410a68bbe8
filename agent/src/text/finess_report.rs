//! The FINESS directory's answers as French text for the terminal: `finess show`, the import
//! summary, `finess check`.

use std::fmt::Write as _;
use std::path::Path;

use crate::finess::check::{CheckReport, Role};
use crate::finess::entity::EntityKind;
use crate::finess::import::ImportSummary;
use crate::finess::lookup::{Entry, EntrySummary};
use crate::model::verdict::Severity;

fn kind_name(kind: Option<EntityKind>) -> &'static str {
    match kind {
        Some(EntityKind::Ej) => "EJ (entité juridique)",
        Some(EntityKind::Eg) => "EG (entité géographique)",
        None => "absent du répertoire",
    }
}

fn summary_line(s: &EntrySummary) -> String {
    let mut line = s.finess.clone();
    if let Some(n) = &s.name {
        let _ = write!(line, "  {n}");
    }
    if !s.in_directory {
        line.push_str("  (absent du répertoire)");
    }
    if s.closed {
        line.push_str("  (fermée)");
    }
    line
}

fn code_label(code: &Option<String>, label: &Option<String>) -> Option<String> {
    match (code, label) {
        (Some(c), Some(l)) => Some(format!("{c} {l}")),
        (c, l) => c.clone().or_else(|| l.clone()),
    }
}

/// `finess show` as text.
pub fn show_entry(entry: &Entry) -> String {
    let e = &entry.entity;
    let mut out = format!("{}  {}\n", e.finess, kind_name(e.kind));
    let mut field = |label: &str, value: Option<String>| {
        if let Some(v) = value {
            let _ = writeln!(out, "  {label:<20} {v}");
        }
    };
    field("Nom", e.name.clone());
    field("Nom long", e.long_name.clone());
    field("Complément", e.name_complement.clone());
    field(
        "Adresse",
        (!entry.address.is_empty()).then(|| entry.address.join(", ")),
    );
    field(
        "Département",
        code_label(&e.departement, &e.departement_name),
    );
    field("Catégorie", code_label(&e.category, &e.category_label));
    field(
        "Statut juridique",
        code_label(&e.legal_status, &e.legal_status_label),
    );
    field("SIREN", e.siren.clone());
    field("SIRET", e.siret.clone());
    field("Téléphone", e.phone.clone());
    let opened_label = if e.kind == Some(EntityKind::Ej) {
        "Création"
    } else {
        "Ouverture"
    };
    field(opened_label, e.opened.clone());
    field("Autorisation", e.authorised.clone());
    field("Mise à jour", e.updated.clone());
    field("Fermeture", e.closed.clone());
    if let Some(ej) = &entry.ej_entry {
        let _ = writeln!(out, "  {:<20} {}", "EJ de rattachement", summary_line(ej));
    }
    if e.kind == Some(EntityKind::Ej) {
        let _ = writeln!(out, "  EG rattachées ({})", entry.egs.len());
        for eg in &entry.egs {
            let _ = writeln!(out, "    {}", summary_line(eg));
        }
    }
    let d = &entry.directory;
    let _ = writeln!(
        out,
        "Données FINESS du {}, importées le {}",
        d.data_date.as_deref().unwrap_or("?"),
        d.imported_at
    );
    out
}

/// `finess import` summary as text.
pub fn update_summary(s: &crate::finess::update::UpdateSummary, db: &Path) -> String {
    use crate::finess::update::Outcome;
    match (&s.outcome, &s.import) {
        (Outcome::Updated, Some(import)) => {
            let mut out = format!("Mise à jour depuis {} :\n", s.source);
            for f in &s.files {
                let _ = writeln!(out, "  {} ({} octets)", f.name, f.bytes);
            }
            out.push_str(&import_summary(import, db));
            out
        }
        _ => format!(
            "{} ({}).\n",
            crate::text::finess::UPDATE_UNCHANGED,
            s.source
        ),
    }
}

pub fn import_summary(s: &ImportSummary, db: &Path) -> String {
    let mut out = format!(
        "Répertoire FINESS importé dans {} en {:.1} s : {} EJ, {} EG",
        db.display(),
        s.seconds,
        s.ej,
        s.eg
    );
    if s.other_lines > 0 {
        let _ = write!(out, ", {} lignes de géolocalisation lues", s.other_lines);
    }
    let _ = writeln!(out, ".");
    if let Some(d) = &s.data_date {
        let _ = writeln!(out, "Données du {d}.");
    }
    if s.skipped_count > 0 {
        let _ = writeln!(out, "{} ligne(s) ignorée(s) :", s.skipped_count);
        for k in &s.skipped {
            let _ = writeln!(out, "  {} {} : {}", k.file, k.location, k.reason);
        }
        if s.skipped_count > s.skipped.len() as u64 {
            let _ = writeln!(
                out,
                "  … et {} autres.",
                s.skipped_count - s.skipped.len() as u64
            );
        }
    }
    out
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warning => "attention",
        Severity::Error => "erreur",
    }
}

/// `finess check` as text.
pub fn check_report(r: &CheckReport) -> String {
    let mut out = format!(
        "Répertoire FINESS du {} ({} EJ, {} EG).\n",
        r.directory.data_date.as_deref().unwrap_or("?"),
        r.directory.ej_count,
        r.directory.eg_count
    );
    for c in &r.checked {
        let role = match c.role {
            Role::Ej => "EJ",
            Role::Eg => "EG",
        };
        let _ = writeln!(
            out,
            "  {role} du contrat {} : {}{}",
            c.finess,
            kind_name(c.found),
            c.name
                .as_deref()
                .map(|n| format!(", {n}"))
                .unwrap_or_default()
        );
    }
    if r.findings.is_empty() {
        out.push_str("Aucun problème : les données FINESS du contrat sont cohérentes.\n");
    }
    for f in &r.findings {
        let _ = writeln!(
            out,
            "[{}] {} ({})",
            severity_name(f.severity),
            f.message,
            f.code
        );
        if !f.remedy.is_empty() {
            let _ = writeln!(out, "    → {}", f.remedy);
        }
    }
    out
}

// --- judge ------------------------------------------------------------------------------------
