//! One card or reader as the journal keeps it: the JSON of `GET /v1/journal` and of
//! `cpx-agent journal --json`. The holder's names and ids and the card number are personal data
//! (only with the token: `/v1/journal` asks for it; the diagnostics leave them out).

use cpx_card::{CardFamily, CardReport, StructureIdType};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::label;
use crate::model::status::CardView;

/// The holder, as the journal keeps it (the same field names as the card report, so the API's
/// redaction finds them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct JournalHolder {
    pub id: Option<String>,
    pub surname: Option<String>,
    pub given_name: Option<String>,
}

/// One card seen: its last reading and verdict, when it was first and last seen, how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardEntry {
    /// `8025000001/<10 digits>`, as the certificates write it (personal: token only).
    pub card_number: Option<String>,
    /// The chip serial (EF.SN.ICC), hex (identifies the card: token only).
    pub chip_serial: Option<String>,
    /// `CPS`, `CPF`, `CDE/CPE`, `CDA/CPA`, `unknown`.
    pub kind: String,
    /// `cps3`, `cps4`, `not_cpx`…
    pub family: String,
    /// The structure's FINESS (establishment cards bound to a FINESS).
    pub structure_finess: Option<String>,
    /// The structure's identifier as the card writes it (`10B0057881`, a SIRET…).
    pub structure_id: Option<String>,
    /// `EJ` or `EG`, from the local FINESS directory when it knows the number.
    pub structure_role: Option<String>,
    pub structure_name: Option<String>,
    /// When the card stops working (RFC 3339).
    pub not_after: Option<String>,
    pub pin_tries_left: Option<u8>,
    /// `production`, `test`, `untrusted`.
    pub trust: Option<String>,
    /// `ready`, `warning`, `not_ready`, `unknown`.
    pub verdict: String,
    /// The finding codes of the verdict.
    pub codes: Vec<String>,
    /// The PC/SC reader it was last seen in.
    pub reader: String,
    pub first_seen: String,
    pub last_seen: String,
    /// Insertions seen.
    pub times_seen: u32,
    pub holder: Option<JournalHolder>,
    /// The last `validate` batch that checked it.
    pub batch: Option<String>,
    /// Whether that batch found it good.
    pub batch_ok: Option<bool>,
}

/// One reader seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReaderEntry {
    /// The PC/SC name.
    pub name: String,
    pub first_seen: String,
    pub last_seen: String,
    /// Its model in the reader catalog (`null`: unknown).
    pub model: Option<String>,
    /// USB `vvvv:pppp`, where known (from the catalog).
    pub usb_id: Option<String>,
}

/// The journal's JSON (`cpx-agent journal --json`, `GET /v1/journal`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JournalListing {
    pub cards: Vec<CardEntry>,
    pub readers: Vec<ReaderEntry>,
}

/// One reading of a card, to record.
#[derive(Debug, Clone)]
pub struct Sighting {
    pub reader: String,
    pub card: CardView,
    /// A new insertion (`false`: the same card read again, e.g. on `POST /v1/refresh`).
    pub insertion: bool,
    /// `validate`'s batch id and its judgement of the card.
    pub batch: Option<(String, bool)>,
}

/// What identifies a card in the journal: its number, else its chip serial, else its ATR.
pub fn card_key(report: &CardReport) -> String {
    if let Some(n) = &report.card_number {
        format!("number:{n}")
    } else if let Some(s) = &report.serial {
        format!("serial:{s}")
    } else {
        format!("atr:{}", report.atr)
    }
}

impl Sighting {
    /// The entry this reading makes (times and count are the store's).
    pub(crate) fn entry(&self, role: Option<String>, at: &str) -> CardEntry {
        let (r, v) = (&self.card.report, &self.card.verdict);
        let structure = r.structure.as_ref();
        let finess = structure
            .filter(|s| s.id_type == StructureIdType::Finess)
            .map(|s| s.number.clone());
        CardEntry {
            card_number: r.card_number.clone(),
            chip_serial: r.serial.clone(),
            kind: if r.family == CardFamily::NotCpx {
                "not_cpx".into()
            } else {
                label(&r.kind)
            },
            family: label(&r.family),
            structure_finess: finess,
            structure_id: structure.map(|s| s.id.clone()),
            structure_role: role,
            structure_name: v
                .directory_name
                .clone()
                .or_else(|| structure.and_then(|s| s.name.clone())),
            not_after: r.not_after.map(crate::journal::timestamp),
            pin_tries_left: r.pin_tries_left,
            trust: r.trust.as_ref().map(label),
            verdict: label(&v.status),
            codes: v.findings.iter().map(|f| f.code.clone()).collect(),
            reader: self.reader.clone(),
            first_seen: at.to_owned(),
            last_seen: at.to_owned(),
            times_seen: 1,
            holder: r.holder.as_ref().map(|h| JournalHolder {
                id: Some(h.id.clone()),
                surname: h.surname.clone(),
                given_name: h.given_name.clone(),
            }),
            batch: self.batch.as_ref().map(|(b, _)| b.clone()),
            batch_ok: self.batch.as_ref().map(|(_, ok)| *ok),
        }
    }
}
