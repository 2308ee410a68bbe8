//! The organisation's RPPS+ contract as every layer sees it: its mode, EJ and EGs (domain.md
//! §2). Wire-level: judged against, shown by the faces, validated by `config`.

use std::fmt;

use cpx_card::Finess;

/// How the organisation signed its RPPS+ contract with the ANS (domain.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContractMode {
    /// Contract, CDE and manager cards on the EJ (legal entity) FINESS.
    Centralised,
    /// Contract and cards on each EG (site) FINESS.
    Decentralised,
}

impl ContractMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "centralised" | "centralized" | "centralisé" => Some(Self::Centralised),
            "decentralised" | "decentralized" | "décentralisé" => Some(Self::Decentralised),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Centralised => "centralised",
            Self::Decentralised => "decentralised",
        }
    }
}

impl fmt::Display for ContractMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The RPPS+ contract: valid FINESS numbers only, EGs distinct and different from the EJ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub mode: ContractMode,
    /// FINESS of the legal entity (entité juridique).
    pub ej: Finess,
    /// FINESS of the sites (entités géographiques) concerned.
    pub egs: Vec<Finess>,
}
