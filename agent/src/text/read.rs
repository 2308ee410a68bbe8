//! Why a card could not be read, in French: one sentence per read error of the card layer,
//! saying what to do.

use cpx_card::{ReadError, TransportError};

use super::pcsc::pcsc_remedy;

pub fn read_failure(e: &ReadError) -> String {
    match e {
        ReadError::Transport(TransportError::Removed) => {
            "carte retirée pendant la lecture : remettez la carte dans le lecteur.".into()
        }
        ReadError::NoCard => "aucune carte dans le lecteur : insérez la carte CPx.".into(),
        ReadError::Transport(TransportError::Reset) => {
            "la carte a été réinitialisée par un autre logiciel pendant la lecture : la lecture \
             va être refaite."
                .into()
        }
        ReadError::Transport(TransportError::Timeout) => {
            "la carte ne répond pas : retirez-la et remettez-la ; si cela persiste, la carte ou \
             le lecteur est peut-être défectueux."
                .into()
        }
        ReadError::Transport(TransportError::Malformed(d))
        | ReadError::Transport(TransportError::Other(d)) => {
            format!("erreur de communication avec la carte ({d}) : retirez-la et remettez-la.")
        }
        ReadError::Card(d) => format!(
            "réponse inattendue de la carte ({d}) : ce n'est peut-être pas une carte CPx, ou \
             elle est endommagée."
        ),
        ReadError::NoService(_) => format!(
            "le service carte à puce (PC/SC) ne répond pas : {}.",
            pcsc_remedy()
        ),
        ReadError::ReaderUnavailable(_) => {
            "le lecteur n'est plus disponible : vérifiez qu'il est bien branché.".into()
        }
        ReadError::TooManyRestarts(n) => format!(
            "la carte a été réinitialisée ou retirée {n} fois pendant la lecture : laissez-la \
             dans le lecteur et fermez les logiciels qui l'utilisent, puis réessayez."
        ),
        ReadError::Pcsc(d) => format!("erreur du service carte à puce (PC/SC) : {d}."),
        ReadError::Busy => {
            "la carte est utilisée en mode exclusif par un autre logiciel : fermez-le, ou \
             attendez la fin de son opération, puis réessayez."
                .into()
        }
        ReadError::Unresponsive => {
            "la carte ne répond pas : vérifiez qu'elle est insérée à fond, puce vers le haut ; \
             si cela persiste, la carte est peut-être défectueuse."
                .into()
        }
    }
}
