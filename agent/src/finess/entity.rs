//! One directory entry, the common form the CSV and JSON importers produce and the store keeps.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a FINESS number designates. The number itself does not say: only the directory does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum EntityKind {
    /// Entité juridique (legal entity): `structureej`, FINESS+ `pmej`.
    #[serde(rename = "EJ")]
    Ej,
    /// Entité géographique (site, establishment): `structureet`, FINESS+ `ege`.
    #[serde(rename = "EG")]
    Eg,
}

impl EntityKind {
    /// The code stored in the database and shown to people.
    pub fn code(self) -> &'static str {
        match self {
            EntityKind::Ej => "EJ",
            EntityKind::Eg => "EG",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "EJ" => Some(EntityKind::Ej),
            "EG" => Some(EntityKind::Eg),
            _ => None,
        }
    }
}

/// A directory entry. Text fields are trimmed; empty ones are `None`. Dates are kept as the
/// files write them (`YYYY-MM-DD`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// The FINESS number (well-formed: checked by the importer).
    pub finess: String,
    pub kind: Option<EntityKind>,
    /// For an EG: the FINESS of its EJ.
    pub ej: Option<String>,
    /// Short name (`rs`, `denominationPm`, `nomEgeCourt`).
    pub name: Option<String>,
    /// Long name (`rslongue`, `denominationLonguePmSmsse`, `nomEgeLong`).
    pub long_name: Option<String>,
    pub name_complement: Option<String>,
    pub street_number: Option<String>,
    pub street_type: Option<String>,
    pub street: Option<String>,
    pub street_complement: Option<String>,
    pub distribution: Option<String>,
    pub place: Option<String>,
    /// Commune code (INSEE COG, or the legacy 3-digit code within the département).
    pub commune: Option<String>,
    /// Postal line: `01440 VIRIAT`.
    pub postal_line: Option<String>,
    /// Département code as the file writes it (`01`, `2A`, `9D`…).
    pub departement: Option<String>,
    pub departement_name: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub category: Option<String>,
    pub category_label: Option<String>,
    pub category_group: Option<String>,
    pub category_group_label: Option<String>,
    pub legal_status: Option<String>,
    pub legal_status_label: Option<String>,
    pub siret: Option<String>,
    pub siren: Option<String>,
    pub ape: Option<String>,
    /// Opening (EG) or creation (EJ) date.
    pub opened: Option<String>,
    /// First authorisation date (EG).
    pub authorised: Option<String>,
    /// Last update of the entry.
    pub updated: Option<String>,
    /// Closing date (FINESS+ only: the legacy extracts hold open structures only).
    pub closed: Option<String>,
    /// FINESS+ administrative state (`A` active, `I` inactive…).
    pub state: Option<String>,
}

impl Entity {
    /// True when the directory says the structure is closed.
    pub fn is_closed(&self) -> bool {
        self.closed.is_some() || self.state.as_deref().is_some_and(|s| s != "A")
    }
}

/// A line or element the importer could not use, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub file: String,
    /// Line number (CSV) or position in the `pmej` array (JSON), 1-based.
    pub at: u64,
    /// Where, for people: `ligne 12`, `pmej n° 3`.
    pub location: String,
    pub reason: String,
}

/// The role a number has in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    #[serde(rename = "EJ")]
    Ej,
    #[serde(rename = "EG")]
    Eg,
}

/// The format of a FINESS file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FileFormat {
    /// Legacy open-data CSV extract.
    Csv,
    /// FINESS+ JSON structures dataset.
    Json,
}
