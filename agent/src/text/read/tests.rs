use super::*;

#[test]
fn read_failures_in_french() {
    assert_eq!(
        read_failure(&cpx_card::classify(pcsc::Error::RemovedCard)),
        "carte retirée pendant la lecture : remettez la carte dans le lecteur."
    );
    assert!(
        read_failure(&cpx_card::classify(pcsc::Error::NoService)).contains("systemctl start pcscd")
    );
    assert!(read_failure(&ReadError::TooManyRestarts(3)).contains("3 fois"));
    assert!(
        read_failure(&ReadError::Card("EF.DIR: card answered 6A 82".into()))
            .contains("(EF.DIR: card answered 6A 82)")
    );
}

#[test]
fn trust_details_in_french() {
    assert_eq!(
        trust_detail(&TrustDetail::ChainsTo(
            "TEST AC RACINE IGC-SANTE STANDARD".into()
        )),
        "rattaché à TEST AC RACINE IGC-SANTE STANDARD"
    );
    assert_eq!(
        trust_detail(&TrustDetail::IssuerUnknown),
        "émetteur inconnu"
    );
    assert_eq!(
        trust_detail(&TrustDetail::BadSignature),
        "signature invalide"
    );
    assert_eq!(
        trust_detail(&TrustDetail::WrongExtendedKeyUsage),
        "l'usage étendu du certificat (EKU) ne permet pas cet emploi"
    );
    assert_eq!(
        trust_detail(&TrustDetail::CaExpired),
        "une autorité de la chaîne de certification a expiré"
    );
}

#[test]
fn disagreements_in_french() {
    assert_eq!(
        disagreement(&Disagreement::Field {
            field: CertField::HolderId,
            first: Usage::Authentication,
            second: Usage::Signature,
        }),
        "l'identifiant du titulaire diffère entre le certificat d'authentification et le \
         certificat de signature"
    );
    assert_eq!(
        disagreement(&Disagreement::Structure {
            first: Usage::Authentication,
            first_id: Some("1750712184".into()),
            second: Usage::Signature,
            second_id: None,
        }),
        "la structure diffère entre le certificat d'authentification (1750712184) et le \
         certificat de signature (aucune)"
    );
}
