//! Why a card could not be read, with the French message shown to the user.

use crate::transport::TransportError;

/// A failed card read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The card answered something the reader cannot use (bad status word, malformed data).
    #[error("unexpected card answer: {0}")]
    Card(String),
    /// PC/SC service not running.
    #[error("PC/SC service unavailable: {0}")]
    NoService(String),
    /// No card in the reader.
    #[error("no card in the reader")]
    NoCard,
    /// The reader vanished.
    #[error("reader unavailable: {0}")]
    ReaderUnavailable(String),
    /// The card could not be read after several attempts (reset or removed each time).
    #[error("card kept being reset or removed during {0} attempts")]
    TooManyRestarts(u32),
    /// Another PC/SC error.
    #[error("PC/SC error: {0}")]
    Pcsc(String),
    /// Another application holds the card in exclusive mode.
    #[error("card held in exclusive mode by another application")]
    Busy,
    /// The card does not answer its reset (badly inserted, dead, or not a chip card).
    #[error("card does not respond")]
    Unresponsive,
}

impl ReadError {
    /// The message for the user, French first.
    pub fn user_message_fr(&self) -> String {
        messages::fr(self)
    }
}

/// Every user-facing French text of this module, together.
mod messages {
    use super::*;

    pub(super) fn fr(e: &ReadError) -> String {
        match e {
            ReadError::Transport(TransportError::Removed) => {
                "carte retirée pendant la lecture : remettez la carte dans le lecteur.".into()
            }
            ReadError::NoCard => "aucune carte dans le lecteur : insérez la carte CPx.".into(),
            ReadError::Transport(TransportError::Reset) => {
                "la carte a été réinitialisée par un autre logiciel pendant la lecture : la lecture va être refaite.".into()
            }
            ReadError::Transport(TransportError::Timeout) => {
                "la carte ne répond pas : retirez-la et remettez-la ; si cela persiste, la carte ou le lecteur est peut-être défectueux.".into()
            }
            ReadError::Transport(TransportError::Malformed(d))
            | ReadError::Transport(TransportError::Other(d)) => {
                format!("erreur de communication avec la carte ({d}) : retirez-la et remettez-la.")
            }
            ReadError::Card(d) => format!(
                "réponse inattendue de la carte ({d}) : ce n'est peut-être pas une carte CPx, ou elle est endommagée."
            ),
            ReadError::NoService(_) => {
                "le service carte à puce (PC/SC) n'est pas démarré : sous Linux `sudo systemctl start pcscd`, sous Windows démarrez le service « Carte à puce » (SCardSvr).".into()
            }
            ReadError::ReaderUnavailable(_) => {
                "le lecteur n'est plus disponible : vérifiez qu'il est bien branché.".into()
            }
            ReadError::TooManyRestarts(n) => format!(
                "la carte a été réinitialisée ou retirée {n} fois pendant la lecture : laissez-la dans le lecteur et fermez les logiciels qui l'utilisent, puis réessayez."
            ),
            ReadError::Pcsc(d) => format!("erreur du service carte à puce (PC/SC) : {d}."),
            ReadError::Busy => {
                "la carte est utilisée en mode exclusif par un autre logiciel : fermez-le, ou attendez la fin de son opération, puis réessayez.".into()
            }
            ReadError::Unresponsive => {
                "la carte ne répond pas : vérifiez qu'elle est insérée à fond, puce vers le haut ; si cela persiste, la carte est peut-être défectueuse.".into()
            }
        }
    }
}
