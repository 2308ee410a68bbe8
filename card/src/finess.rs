//! FINESS numbers (domain.md §5): 9 characters `[0-9][0-9A-Z][0-9]{7}`, Luhn key over the
//! 9 characters when they are all digits. A `Finess` can only hold a well-formed number.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A well-formed FINESS number (spaces stripped, letters upper-cased).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Finess(String);

/// Outcome of the Luhn key check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FinessKey {
    /// All digits and the Luhn key is right.
    Valid,
    /// All digits and the Luhn key is wrong.
    Invalid,
    /// The 2nd character is a letter (Corsica 2A/2B, test data): the key cannot be checked.
    NotVerifiable,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FinessError {
    #[error("numéro FINESS vide / empty FINESS number")]
    Empty,
    #[error("un numéro FINESS a 9 caractères, «{0}» en a {1} / a FINESS number has 9 characters")]
    Length(String, usize),
    #[error("caractère non permis dans le numéro FINESS «{0}» (forme attendue : 2 chiffres ou chiffre+lettre, puis 7 chiffres) / invalid character")]
    Character(String),
}

impl Finess {
    /// Parses a FINESS number; spaces are stripped, letters upper-cased.
    pub fn parse(input: &str) -> Result<Self, FinessError> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.is_empty() {
            return Err(FinessError::Empty);
        }
        let n = s.chars().count();
        if n != 9 {
            return Err(FinessError::Length(s, n));
        }
        let b = s.as_bytes();
        let ok = b[0].is_ascii_digit()
            && (b[1].is_ascii_digit() || b[1].is_ascii_uppercase())
            && b[2..].iter().all(u8::is_ascii_digit);
        if !ok {
            return Err(FinessError::Character(s));
        }
        Ok(Finess(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Luhn check over the 9 characters (the last one is the key).
    pub fn key(&self) -> FinessKey {
        let b = self.0.as_bytes();
        if !b.iter().all(u8::is_ascii_digit) {
            return FinessKey::NotVerifiable;
        }
        let mut sum = 0u32;
        for (i, d) in b.iter().rev().enumerate() {
            let mut v = u32::from(d - b'0');
            if i % 2 == 1 {
                v *= 2;
                if v > 9 {
                    v -= 9;
                }
            }
            sum += v;
        }
        if sum.is_multiple_of(10) {
            FinessKey::Valid
        } else {
            FinessKey::Invalid
        }
    }

    /// The département code read from the number: `75`, `2A`, or for overseas `97` + the 4th
    /// character (`9701…` → `971` Guadeloupe, `9704…` → `974` Réunion, `9806…` → `986`).
    pub fn departement(&self) -> String {
        if self.0.starts_with("97") || self.0.starts_with("98") {
            format!("{}{}", &self.0[..2], &self.0[3..4])
        } else {
            self.0[..2].to_string()
        }
    }
}

impl fmt::Display for Finess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Finess {
    type Err = FinessError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Finess::parse(s)
    }
}

impl TryFrom<String> for Finess {
    type Error = FinessError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Finess::parse(&s)
    }
}

impl From<Finess> for String {
    fn from(f: Finess) -> String {
        f.0
    }
}

#[cfg(test)]
mod tests;
