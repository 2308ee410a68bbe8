//! The report as one self-contained French page (`doctor --html FILE`, `GET
//! /v1/diagnostics?format=html`, the tray's « Exporter le diagnostic »): no script, no external
//! resource, an inline style sheet that prints well. Rendered from the report's JSON as the
//! caller may see it (`for_caller`), so the page never shows what the JSON leaves out.

use std::fmt::Write;

use serde_json::Value;

use crate::text::bench as msg;

const STYLE: &str = "
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1a1a1a;background:#fff;line-height:1.45}
h1{font-size:1.6rem;margin:.2rem 0 1rem}
h2{font-size:1.25rem;margin:1.6rem 0 .5rem;border-bottom:2px solid #1a4e8a;padding-bottom:.2rem}
h3{font-size:1.05rem;margin:1rem 0 .3rem}
table{border-collapse:collapse;width:100%;margin:.3rem 0 .8rem}
th,td{border:1px solid #767676;padding:.25rem .45rem;text-align:left;vertical-align:top}
th{background:#eef2f7}
caption{text-align:left;font-weight:600;padding:.2rem 0}
.ok{color:#1b5e20;font-weight:600}.ko{color:#b00020;font-weight:600}.warn{color:#7a4a00;font-weight:600}
.note{color:#3d3d3d}
code{font-family:'DejaVu Sans Mono',monospace;font-size:.92em}
@media print{body{max-width:none;padding:0;font-size:10pt}h2{break-after:avoid}table,section.card{break-inside:avoid}a{color:inherit}}
";

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A value as text: `—` when absent, `oui`/`non` for booleans.
fn text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Bool(b) => if *b { "oui" } else { "non" }.into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        Value::Object(_) => v.to_string(),
    }
}

fn row(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(
        out,
        "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
        esc(label),
        value
    );
}

fn rows(out: &mut String, caption: &str, items: &[(&str, String)]) {
    let _ = writeln!(out, "<table><caption>{}</caption>", esc(caption));
    for (label, value) in items {
        row(out, label, &esc(value));
    }
    out.push_str("</table>\n");
}

fn status_fr(status: &str) -> (&'static str, &'static str) {
    match status {
        "ready" => ("Prête", "ok"),
        "warning" => ("Attention", "warn"),
        "not_ready" => ("Pas prête", "ko"),
        _ => ("Inconnue", "warn"),
    }
}

fn software(v: &Value) -> String {
    if v["installed"] == Value::Bool(true) {
        let version = v["version"].as_str().unwrap_or("version inconnue");
        match v["path"].as_str() {
            Some(p) => format!("installé, {version} ({p})"),
            None => format!("installé, {version}"),
        }
    } else {
        "non trouvé".into()
    }
}

fn card_html(out: &mut String, card: &Value, reader: &str) {
    let verdict = card["verdict"]["status"].as_str().unwrap_or("unknown");
    let (label, class) = status_fr(verdict);
    let _ = writeln!(
        out,
        "<section class=\"card\" aria-label=\"Carte du lecteur {}\">",
        esc(reader)
    );
    let _ = writeln!(
        out,
        "<h3>Lecteur « {} » : <span class=\"{class}\">{label}</span></h3>",
        esc(reader)
    );
    let holder = &card["holder"];
    let name: Vec<String> = [&holder["given_name"], &holder["surname"]]
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let structure = &card["structure"];
    let mut items = vec![
        ("Type", text(&card["kind"])),
        ("Famille", text(&card["family"])),
    ];
    if let Some(n) = card["card_number"].as_str() {
        items.push(("N° de carte", n.to_owned()));
    }
    if !name.is_empty() {
        items.push(("Porteur", name.join(" ")));
    }
    items.push((
        "Structure",
        match structure["number"].as_str() {
            Some(n) => format!(
                "{} {n} {}",
                text(&structure["id_type"]),
                card["verdict"]["directory_name"]
                    .as_str()
                    .or(structure["name"].as_str())
                    .unwrap_or("")
            ),
            None => "—".into(),
        },
    ));
    items.push(("Fin de validité", text(&card["not_after"])));
    items.push(("Essais du code porteur", text(&card["pin_tries_left"])));
    items.push(("Confiance", text(&card["trust"])));
    items.push(("Lecture", format!("{} APDU", text(&card["apdu_count"]))));
    rows(out, "Ce que dit la carte", &items);
    if let Some(findings) = card["verdict"]["findings"]
        .as_array()
        .filter(|f| !f.is_empty())
    {
        out.push_str("<table><caption>Constats et remèdes</caption><tr><th scope=\"col\">Code</th><th scope=\"col\">Constat</th><th scope=\"col\">Que faire</th></tr>\n");
        for f in findings {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(&text(&f["code"])),
                esc(&text(&f["message"])),
                esc(&text(&f["remedy"]))
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
}

/// The page of a report's JSON (as the caller may see it). `authorised`: whether names show.
pub fn render(report: &Value, authorised: bool) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        msg::REPORT_TITLE,
        msg::REPORT_TITLE
    );
    let _ = writeln!(
        out,
        "<p>Établi le {} par cpx-agent {} ({}).</p>",
        esc(&text(&report["generated_at"])),
        esc(&text(&report["agent"]["version"])),
        esc(&text(&report["agent"]["source"]))
    );
    let _ = writeln!(
        out,
        "<p class=\"note\">{}</p>",
        esc(if authorised {
            msg::REPORT_WITH_NAMES
        } else {
            msg::REPORT_WITHOUT_NAMES
        })
    );

    // Agent, system, clock.
    let _ = writeln!(out, "<h2 id=\"systeme\">{}</h2>", msg::SECTION_SYSTEM);
    let a = &report["agent"];
    let s = &report["system"];
    let c = &report["clock"];
    rows(
        &mut out,
        "Agent et système",
        &[
            ("Version de l'agent", text(&a["version"])),
            (
                "Agent en marche",
                match &a["running"] {
                    Value::Null => "sans objet".into(),
                    v => text(v),
                },
            ),
            ("Adresse de l'API", text(&a["listen"])),
            ("Distribution", text(&s["distribution"])),
            (
                "Système",
                format!(
                    "{} {} ({})",
                    text(&s["os"]),
                    text(&s["kernel"]),
                    text(&s["arch"])
                ),
            ),
            ("Heure (UTC)", text(&c["utc"])),
            ("Fuseau horaire", text(&c["timezone"])),
            (
                "Horloge synchronisée",
                match &c["synchronised"] {
                    Value::Null => "inconnu".into(),
                    v => text(v),
                },
            ),
        ],
    );

    // PC/SC.
    let p = &report["pcsc"];
    let _ = writeln!(out, "<h2 id=\"pcsc\">{}</h2>", msg::SECTION_PCSC);
    let running = p["service"] == "running";
    let _ = writeln!(
        out,
        "<p class=\"{}\">{}</p>",
        if running { "ok" } else { "ko" },
        if running {
            msg::PCSC_RUNNING
        } else {
            msg::PCSC_DOWN
        }
    );
    if let Some(e) = p["error"].as_str() {
        let _ = writeln!(out, "<p>{}</p>", esc(e));
    }
    let m = &report["middleware"];
    rows(
        &mut out,
        "Logiciels carte à puce",
        &[
            ("pcscd", software(&p["pcscd"])),
            ("libccid", software(&p["libccid"])),
            ("CryptoLib CPS (ANS)", software(&m["cryptolib"])),
            ("OpenSC", software(&m["opensc"])),
        ],
    );

    // Readers.
    let _ = writeln!(out, "<h2 id=\"lecteurs\">{}</h2>", msg::SECTION_READERS);
    let readers = report["readers"].as_array().cloned().unwrap_or_default();
    if readers.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", msg::NO_READER_SEEN);
    } else {
        out.push_str("<table><caption>Lecteurs vus par PC/SC</caption><tr><th scope=\"col\">Lecteur</th><th scope=\"col\">Modèle (catalogue)</th><th scope=\"col\">Clavier (dit par le lecteur)</th><th scope=\"col\">Carte</th></tr>\n");
        for r in &readers {
            let model = match r["model"].as_object() {
                None => msg::MODEL_UNKNOWN.to_owned(),
                Some(_) => format!(
                    "{} ({})",
                    text(&r["model"]["model"]),
                    text(&r["model"]["usb_id"])
                ),
            };
            let pinpad = match r["pinpad"]["pinpad"].as_str() {
                Some("yes") => "oui".to_owned(),
                Some("no") => "non".to_owned(),
                _ => "inconnu".to_owned(),
            };
            let card = if r["card"].is_object() {
                status_fr(r["card"]["verdict"]["status"].as_str().unwrap_or("unknown"))
                    .0
                    .to_owned()
            } else if let Some(e) = r["read_error"]["message"].as_str() {
                format!("illisible : {e}")
            } else {
                "aucune".to_owned()
            };
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&text(&r["name"])),
                esc(&model),
                esc(&pinpad),
                esc(&card)
            );
        }
        out.push_str("</table>\n");
    }

    // USB devices PC/SC does not show.
    let _ = writeln!(out, "<h2 id=\"usb\">{}</h2>", msg::SECTION_USB);
    let usb = report["usb_unseen"].as_array().cloned().unwrap_or_default();
    if usb.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", msg::NO_USB_UNSEEN);
    } else {
        out.push_str("<ul>\n");
        for d in &usb {
            let _ = writeln!(out, "<li>{}</li>", esc(&text(&d["fix"])));
        }
        out.push_str("</ul>\n");
    }

    // Cards.
    let _ = writeln!(out, "<h2 id=\"cartes\">{}</h2>", msg::SECTION_CARDS);
    let cards = report["cards"].as_array().cloned().unwrap_or_default();
    if cards.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", msg::NO_CARD_SEEN);
    }
    for card in &cards {
        card_html(&mut out, card, card["reader"].as_str().unwrap_or(""));
    }

    // Configuration.
    let cfg = &report["config"];
    let _ = writeln!(out, "<h2 id=\"configuration\">{}</h2>", msg::SECTION_CONFIG);
    rows(
        &mut out,
        "Configuration en bref",
        &[
            ("Fichier", text(&cfg["source"])),
            (
                "Contrat RPPS+",
                match cfg["contract_mode"].as_str() {
                    None => "non configuré".into(),
                    Some(mode) => format!(
                        "{mode}, EJ {}, EG : {}",
                        text(&cfg["ej"]),
                        text(&cfg["egs"])
                    ),
                },
            ),
            (
                "Alerte d'expiration (jours)",
                text(&cfg["expiry_warning_days"]),
            ),
            ("Cartes de test acceptées", text(&cfg["accept_test_cards"])),
            (
                "Ancres de confiance ajoutées",
                text(&cfg["extra_trust_anchors"]),
            ),
            (
                "Conservation du journal (jours)",
                text(&cfg["journal_keep_days"]),
            ),
        ],
    );

    // FINESS directory.
    let f = &report["finess"];
    let _ = writeln!(out, "<h2 id=\"finess\">{}</h2>", msg::SECTION_FINESS);
    if f["present"] == Value::Bool(true) {
        rows(
            &mut out,
            "Répertoire FINESS local",
            &[
                ("Date des données", text(&f["data_date"])),
                ("Importé le", text(&f["imported_at"])),
                ("EJ", text(&f["ej_count"])),
                ("EG", text(&f["eg_count"])),
                ("Fichier", text(&f["path"])),
            ],
        );
    } else {
        let _ = writeln!(out, "<p>{}</p>", msg::NO_FINESS);
    }

    // Journal.
    let j = &report["journal"];
    let _ = writeln!(out, "<h2 id=\"journal\">{}</h2>", msg::SECTION_JOURNAL);
    if j["available"] != Value::Bool(true) {
        let _ = writeln!(out, "<p class=\"ko\">{}</p>", esc(&text(&j["error"])));
    }
    let _ = writeln!(
        out,
        "<p>{} carte(s) dans le journal ; dernière vue : {}.</p>",
        esc(&text(&j["cards"])),
        esc(&text(&j["last_seen"]))
    );
    if let Some(recent) = j["recent"].as_array().filter(|r| !r.is_empty()) {
        out.push_str("<table><caption>Dernières cartes vues</caption><tr><th scope=\"col\">Vue le</th><th scope=\"col\">Type</th><th scope=\"col\">Structure</th><th scope=\"col\">Verdict</th><th scope=\"col\">Codes</th><th scope=\"col\">Lecteur</th></tr>\n");
        for e in recent {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&text(&e["last_seen"])),
                esc(&text(&e["kind"])),
                esc(&format!(
                    "{} {}",
                    text(&e["structure_finess"]),
                    e["structure_name"].as_str().unwrap_or("")
                )),
                esc(status_fr(e["verdict"].as_str().unwrap_or("unknown")).0),
                esc(&text(&e["codes"])),
                esc(&text(&e["reader"]))
            );
        }
        out.push_str("</table>\n");
    }

    // Events.
    let _ = writeln!(out, "<h2 id=\"evenements\">{}</h2>", msg::SECTION_EVENTS);
    match report["events"].as_array() {
        None => {
            let _ = writeln!(out, "<p>{}</p>", msg::NO_EVENTS_WITHOUT_AGENT);
        }
        Some(events) if events.is_empty() => {
            let _ = writeln!(out, "<p>{}</p>", msg::NO_EVENTS);
        }
        Some(events) => {
            out.push_str("<table><caption>Derniers événements de l'agent</caption><tr><th scope=\"col\">N°</th><th scope=\"col\">Heure</th><th scope=\"col\">Événement</th><th scope=\"col\">Lecteur</th></tr>\n");
            for e in events.iter().rev() {
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(&text(&e["id"])),
                    esc(&text(&e["at"])),
                    esc(&text(&e["type"])),
                    esc(&text(&e["reader"]))
                );
            }
            out.push_str("</table>\n");
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}
