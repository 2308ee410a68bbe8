//! `finess show NUMBER`: one entry, with its EJ (for an EG) or its EGs (for an EJ), and what
//! the directory is (date of the data).

use serde::Serialize;

use super::entity::{Entity, EntityKind};
use super::store::{Directory, DirectoryInfo};
use cpx_card::Finess;

/// An EJ or EG named from another entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntrySummary {
    pub finess: String,
    pub kind: Option<EntityKind>,
    pub name: Option<String>,
    /// False when the number is referenced but absent from the directory (an EG extract
    /// imported without its EJ extract, for example).
    pub in_directory: bool,
    pub closed: bool,
}

impl EntrySummary {
    fn of(e: &Entity) -> Self {
        EntrySummary {
            finess: e.finess.clone(),
            kind: e.kind,
            name: e.name.clone().or_else(|| e.long_name.clone()),
            in_directory: true,
            closed: e.is_closed(),
        }
    }

    fn absent(finess: &str) -> Self {
        EntrySummary {
            finess: finess.to_string(),
            kind: None,
            name: None,
            in_directory: false,
            closed: false,
        }
    }
}

/// What `finess show` prints (text or `--json`).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    #[serde(flatten)]
    pub entity: Entity,
    /// The address as lines: street, complements, postal line.
    pub address: Vec<String>,
    /// For an EG: its EJ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ej_entry: Option<EntrySummary>,
    /// For an EJ: its EGs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub egs: Vec<EntrySummary>,
    pub directory: DirectoryInfo,
}

/// Address lines of an entry, as on an envelope.
pub fn address_lines(e: &Entity) -> Vec<String> {
    let street: Vec<&str> = [
        e.street_number.as_deref(),
        e.street_complement.as_deref(),
        e.street_type.as_deref(),
        e.street.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut lines = Vec::new();
    if let Some(d) = &e.distribution {
        lines.push(d.clone());
    }
    if !street.is_empty() {
        lines.push(street.join(" "));
    }
    if let Some(p) = &e.place {
        lines.push(p.clone());
    }
    if let Some(p) = &e.postal_line {
        lines.push(p.clone());
    }
    lines
}

/// Looks a number up; `Ok(None)` when the directory does not know it.
pub fn lookup(dir: &Directory, finess: &Finess) -> rusqlite::Result<Option<Entry>> {
    let Some(entity) = dir.get(finess.as_str())? else {
        return Ok(None);
    };
    let ej_entry = match (&entity.kind, &entity.ej) {
        (Some(EntityKind::Eg), Some(ej)) => Some(
            dir.get(ej)?
                .map_or_else(|| EntrySummary::absent(ej), |e| EntrySummary::of(&e)),
        ),
        _ => None,
    };
    let egs = if entity.kind == Some(EntityKind::Ej) {
        dir.egs_of(&entity.finess)?
            .iter()
            .map(EntrySummary::of)
            .collect()
    } else {
        Vec::new()
    };
    Ok(Some(Entry {
        address: address_lines(&entity),
        entity,
        ej_entry,
        egs,
        directory: dir.info()?,
    }))
}
