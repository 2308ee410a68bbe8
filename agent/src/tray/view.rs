//! From the model to what the tray shows: the face (icon, SNI status), the French tooltip
//! (one line per reader, never a holder name) and the holder lines of the menu (only when the
//! tray read the snapshot with the user's token). Pure.

use cpx_card::CardFamily;

use crate::model::status::{ReaderView, ServiceState};
use crate::text::findings::kind_label;
use crate::text::labels::family_label;

use super::face::Face;
use super::model::{Link, TrayModel};
use crate::text::tray as texte;

/// Everything the SNI item shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrayView {
    pub face: Face,
    /// Tooltip title: `Cartes CPx — prête pour RPPS+`.
    pub tooltip_title: String,
    /// Tooltip body, one line per reader (or the reason there is none).
    pub tooltip_lines: Vec<String>,
    /// Menu lines naming holders; empty unless the snapshot carries names (token).
    pub holder_lines: Vec<String>,
    /// Where the last « Exporter le diagnostic » saved the report, or why it could not (a
    /// disabled menu line; set by the app, not by the agent's state).
    pub export_note: Option<String>,
}

impl TrayView {
    pub fn icon_name(&self) -> &'static str {
        self.face.icon_name()
    }

    /// The tooltip body as SNI wants it: a subset of HTML, so `&`, `<`, `>` are escaped (a
    /// reader's name or an error text must not be read as markup).
    pub fn tooltip_text(&self) -> String {
        markup_escape(&self.tooltip_lines.join("\n"))
    }
}

fn markup_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A reader's face; `None` when it holds no card.
fn reader_face(model: &TrayModel, reader: &ReaderView) -> Option<Face> {
    match (&reader.card, &reader.read_error) {
        (Some(card), _) => Some(Face::of_status(card.verdict.status)),
        (None, Some(_)) => Some(Face::ReadFailed),
        (None, None) if model.reading.contains(&reader.id) => Some(Face::Reading),
        (None, None) => None,
    }
}

/// What the card is, without personal data: kind and structure number (`CDE/CPE 750712184`).
fn card_label(reader: &ReaderView) -> Option<String> {
    let card = reader.card.as_ref()?;
    let report = &card.report;
    if report.family == CardFamily::NotCpx {
        return Some(family_label(report.family).to_string());
    }
    let mut label = kind_label(report.kind).to_string();
    if let Some(structure) = &report.structure {
        label.push(' ');
        label.push_str(&structure.number);
    }
    Some(label)
}

fn reader_line(model: &TrayModel, reader: &ReaderView) -> String {
    let face = reader_face(model, reader);
    let mut state = texte::reader_state(face.unwrap_or(Face::NoCard)).to_string();
    if let (Some(Face::ReadFailed), Some(error)) = (face, &reader.read_error) {
        state = format!("{state} ({})", error.message);
    }
    texte::reader_line(&reader.name, card_label(reader).as_deref(), &state)
}

fn holder_line(reader: &ReaderView) -> Option<String> {
    let holder = reader.card.as_ref()?.report.holder.as_ref()?;
    let name: Vec<&str> = [holder.given_name.as_deref(), holder.surname.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    (!name.is_empty()).then(|| texte::holder_line(&reader.name, &name.join(" ")))
}

/// The view of `model`; `agent` names the agent's address in the "agent down" text.
pub fn view(model: &TrayModel, agent: &str) -> TrayView {
    let (face, lines, holders, readers) = match (&model.link, &model.snapshot) {
        (Link::AgentDown { detail }, _) => (
            Face::AgentDown,
            vec![texte::agent_down(detail, agent)],
            Vec::new(),
            0,
        ),
        (Link::Connecting, _) | (Link::Following, None) => (
            Face::Connecting,
            vec![texte::CONNECTING.to_string()],
            Vec::new(),
            0,
        ),
        (Link::Following, Some(snapshot)) if snapshot.service == ServiceState::Unavailable => (
            Face::PcscUnavailable,
            vec![crate::text::pcsc::pcsc_remedy().to_string()],
            Vec::new(),
            0,
        ),
        (Link::Following, Some(snapshot)) => {
            let face = snapshot
                .readers
                .iter()
                .filter_map(|r| reader_face(model, r))
                .max()
                .unwrap_or(Face::NoCard);
            let mut lines: Vec<String> = snapshot
                .readers
                .iter()
                .map(|r| reader_line(model, r))
                .collect();
            // Where the RPPS+ démarche stands, and what to do next.
            if let Some(summary) = &snapshot.checklist {
                lines.push(texte::checklist_line(
                    summary.done,
                    summary.total,
                    summary.next.as_ref().map(|n| n.title.as_str()),
                ));
            }
            let holders = snapshot.readers.iter().filter_map(holder_line).collect();
            (face, lines, holders, snapshot.readers.len())
        }
    };
    TrayView {
        face,
        tooltip_title: format!("{} — {}", texte::TITLE, texte::summary(face, readers)),
        tooltip_lines: lines,
        holder_lines: holders,
        export_note: None,
    }
}
