//! The French words for what the card layer reports: why a read failed, why a certificate is
//! (not) trusted, how a card's certificates disagree. `cpx_card` gives values only.

use cpx_card::{CertField, Disagreement, ReadError, TransportError, TrustDetail, Usage};

/// Why a card could not be read, for the user.
pub fn read_failure(e: &ReadError) -> String {
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
            format!(
                "le service carte à puce (PC/SC) ne répond pas : {}.",
                super::pcsc::pcsc_remedy()
            )
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

/// Why a certificate's trust is what it is.
pub fn trust_detail(d: &TrustDetail) -> String {
    match d {
        TrustDetail::ChainsTo(ca) => format!("rattaché à {ca}"),
        TrustDetail::IssuerUnknown => "émetteur inconnu".into(),
        TrustDetail::BadSignature => "signature invalide".into(),
        TrustDetail::ChainTooLong => "chaîne de certification trop longue".into(),
        TrustDetail::CaExpired => "une autorité de la chaîne de certification a expiré".into(),
        TrustDetail::CaNotYetValid => {
            "une autorité de la chaîne de certification n'est pas encore valide".into()
        }
        TrustDetail::WrongExtendedKeyUsage => {
            "l'usage étendu du certificat (EKU) ne permet pas cet emploi".into()
        }
        TrustDetail::CaKeyUsage => {
            "une autorité de la chaîne n'a pas le droit de signer des certificats".into()
        }
        TrustDetail::IssuerNotCa => "l'émetteur n'est pas une autorité de certification".into(),
        TrustDetail::PathLengthExceeded => {
            "la chaîne dépasse la longueur permise par une autorité".into()
        }
        TrustDetail::NameConstraintViolated => {
            "le certificat sort du périmètre de noms permis par une autorité".into()
        }
        TrustDetail::UnsupportedCriticalExtension => {
            "le certificat porte une extension critique inconnue".into()
        }
        TrustDetail::UnsupportedAlgorithm => "algorithme de signature non pris en charge".into(),
        TrustDetail::Malformed => "certificat mal formé".into(),
    }
}

/// `d'authentification`, `de signature`…: the certificate's usage after « le certificat ».
fn of_usage(u: Usage) -> &'static str {
    match u {
        Usage::Authentication => "d'authentification",
        Usage::Signature => "de signature",
        Usage::Other => "d'autre usage",
    }
}

fn field(f: CertField) -> &'static str {
    match f {
        CertField::CardKind => "le type de carte",
        CertField::HolderId => "l'identifiant du titulaire",
        CertField::HolderSurname => "le nom du titulaire",
        CertField::HolderGivenName => "le prénom du titulaire",
        CertField::CardNumber => "le numéro de carte",
    }
}

/// How two certificates of the card disagree.
pub fn disagreement(d: &Disagreement) -> String {
    match d {
        Disagreement::Field {
            field: f,
            first,
            second,
        } => format!(
            "{} diffère entre le certificat {} et le certificat {}",
            field(*f),
            of_usage(*first),
            of_usage(*second)
        ),
        Disagreement::Structure {
            first,
            first_id,
            second,
            second_id,
        } => format!(
            "la structure diffère entre le certificat {} ({}) et le certificat {} ({})",
            of_usage(*first),
            first_id.as_deref().unwrap_or("aucune"),
            of_usage(*second),
            second_id.as_deref().unwrap_or("aucune")
        ),
    }
}

#[cfg(test)]
mod tests;
