//! The cards the checklist needs to have seen: establishment cards (CDE/CPE) and their
//! structure FINESS, from the live state. The checklist keeps these facts in its own store
//! (`store`), anonymous (keyed by a hash: no name, no number), so that an export carried to
//! another workstation holds no personal data; the technician's journal records every card
//! seen too, with its identifiers. [`Sightings`] is the seam, should the journal be preferred.

use cpx_card::{CardKind, StructureIdType};
use sha2::{Digest, Sha256};

use super::store::{CardFact, Store, StoreError};
use crate::model::checklist::SeenCard;
use crate::model::label;
use crate::model::status::CardView;
use crate::model::verdict::Status;

/// Where the checklist reads the cards and readers seen.
pub trait Sightings {
    /// Establishment cards seen, most recent first.
    fn establishment_cards(&self) -> Result<Vec<SeenCard>, StoreError>;
    /// The last day a reader was seen (`YYYY-MM-DD`).
    fn reader_last_seen(&self) -> Result<Option<String>, StoreError>;
}

impl Sightings for Store {
    fn establishment_cards(&self) -> Result<Vec<SeenCard>, StoreError> {
        Ok(self.cards()?.into_iter().map(|f| f.card).collect())
    }

    fn reader_last_seen(&self) -> Result<Option<String>, StoreError> {
        self.reader_seen()
    }
}

/// Whether a card's subject title suggests a director's card (CDE). [inf] Nothing public
/// tells a CDE from a CPE for sure (domain.md §3); the title is the best hint, so the
/// checklist says so and asks a person to confirm.
pub fn title_says_director(title: Option<&str>) -> bool {
    title.is_some_and(|t| {
        let t = t.to_lowercase();
        t.contains("directeur") || t.contains("directrice") || t.contains("représentant légal")
    })
}

/// The structure FINESS of an establishment card, if it is one bound to a FINESS.
pub fn establishment_finess(card: &CardView) -> Option<&str> {
    let report = &card.report;
    if report.kind != CardKind::CdeCpe {
        return None;
    }
    let structure = report.structure.as_ref()?;
    (structure.id_type == StructureIdType::Finess).then_some(structure.number.as_str())
}

/// Whether a verdict lets the card be used for RPPS+.
pub fn usable(status: Status) -> bool {
    matches!(status, Status::Ready | Status::Warning)
}

/// The fact to keep about a card seen on `day`, when it is an establishment card on a FINESS.
/// The key is a hash of its identifiers: the store never keeps who holds it.
pub fn fact(card: &CardView, day: &str) -> Option<CardFact> {
    let finess = establishment_finess(card)?;
    let report = &card.report;
    let mut hash = Sha256::new();
    for part in [
        report.serial.as_deref(),
        report.card_number.as_deref(),
        report.holder.as_ref().map(|h| h.id.as_str()),
        Some(finess),
    ] {
        hash.update(part.unwrap_or("").as_bytes());
        hash.update([0u8]);
    }
    let key = hex::encode(&hash.finalize()[..16]);
    let status = card.verdict.status;
    Some(CardFact {
        key,
        card: SeenCard {
            kind: label(&report.kind),
            finess: finess.to_string(),
            director: title_says_director(report.holder.as_ref().and_then(|h| h.title.as_deref())),
            status: label(&status),
            codes: card
                .verdict
                .findings
                .iter()
                .map(|f| f.code.clone())
                .collect(),
            first_seen: day.to_string(),
            last_seen: day.to_string(),
            usable_seen: usable(status).then(|| day.to_string()),
        },
    })
}
