//! The judge's findings: message (what is wrong) and remedy (what to do), French.

use cpx_card::{CardKind, Disagreement, Finess, StructureIdType};
use time::OffsetDateTime;

use super::{ANS_CONTRACT_CONTACT, RPPS_PLUS_PORTAL};

/// A message and its remedy.
pub struct Text {
    pub message: String,
    pub remedy: String,
}

fn t(message: impl Into<String>, remedy: impl Into<String>) -> Text {
    Text {
        message: message.into(),
        remedy: remedy.into(),
    }
}

/// `29/11/2026`.
pub fn date(d: OffsetDateTime) -> String {
    format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year())
}

pub fn kind_label(kind: CardKind) -> &'static str {
    match kind {
        CardKind::Cps => "CPS",
        CardKind::Cpf => "CPF",
        CardKind::CdeCpe => "CDE/CPE",
        CardKind::CdaCpa => "CDA/CPA",
        CardKind::Unknown => "CPx de type inconnu",
    }
}

fn reorder(kind: CardKind) -> String {
    match kind {
        CardKind::Cps | CardKind::Cpf => format!(
            "le renouvellement d'une {} passe par l'ordre ou l'autorité d'enregistrement du \
             professionnel ; en cas de doute, écrivez à l'ANS ({ANS_CONTRACT_CONTACT})",
            kind_label(kind)
        ),
        _ => "commandez une nouvelle carte avec le formulaire F301, sur le même FINESS que \
              le contrat RPPS+"
            .to_string(),
    }
}

pub fn not_a_cpx_card(atr: &str) -> Text {
    t(
        format!(
            "Cette carte n'est pas une carte CPx (CPS, CPE, CDE…) : carte Vitale, carte \
             bancaire ou autre ? (ATR {atr})"
        ),
        "Retirez-la et insérez la carte CPx du gestionnaire RPPS+ (CDE, CPE ou CPS).",
    )
}

/// `legacy`: the ATR says an older CPS generation (CPS2ter era).
pub fn no_certificate(legacy: bool) -> Text {
    if legacy {
        return t(
            "Aucun certificat n'a pu être lu sur cette carte CPS d'ancienne génération.",
            format!(
                "Les portails de l'ANS demandent une carte CPS3 ou CPS4 : demandez le \
                 remplacement de cette carte à l'ANS ({ANS_CONTRACT_CONTACT})."
            ),
        );
    }
    t(
        "Aucun certificat n'a pu être lu sur cette carte CPx.",
        format!(
            "Retirez et réinsérez la carte ; si le problème persiste, la carte est \
             peut-être défectueuse : signalez-la à l'ANS ({ANS_CONTRACT_CONTACT})."
        ),
    )
}

pub fn card_expired(kind: CardKind, not_after: OffsetDateTime) -> Text {
    t(
        format!(
            "La carte a expiré le {} : elle ne permet plus de se connecter à RPPS+.",
            date(not_after)
        ),
        format!("Remplacez-la : {}.", reorder(kind)),
    )
}

pub fn card_not_yet_valid(not_before: OffsetDateTime) -> Text {
    t(
        format!(
            "La carte n'est valable qu'à partir du {}.",
            date(not_before)
        ),
        "Vérifiez la date et l'heure de cet ordinateur ; si elles sont justes, attendez la \
         date de début de validité.",
    )
}

pub fn card_expires_soon(kind: CardKind, not_after: OffsetDateTime, days: i64) -> Text {
    let when = match days {
        0 => "aujourd'hui".to_string(),
        1 => "demain".to_string(),
        n => format!("dans {n} jours"),
    };
    t(
        format!("La carte expire le {} ({when}).", date(not_after)),
        format!(
            "Anticipez le renouvellement dès maintenant (comptez plusieurs semaines) : {}.",
            reorder(kind)
        ),
    )
}

pub fn pin_blocked() -> Text {
    t(
        "Le code porteur (PIN) de la carte est bloqué : trop de codes faux.",
        format!(
            "Débloquez-le avec le code de déblocage (PUK) reçu avec la carte, par la \
             procédure de déblocage des cartes CPx (outil de gestion de la carte de la \
             Cryptolib ANS) ; sans PUK, demandez une nouvelle carte à l'ANS \
             ({ANS_CONTRACT_CONTACT})."
        ),
    )
}

pub fn pin_tries_low(tries: u8) -> Text {
    let left = if tries == 1 {
        "Il ne reste plus qu'un seul essai".to_string()
    } else {
        format!("Il ne reste que {tries} essais")
    };
    t(
        format!("{left} de code porteur (PIN) avant blocage de la carte."),
        "Ne tentez plus de code au hasard : retrouvez le code porteur (courrier reçu avec la \
         carte) et gardez le code de déblocage (PUK) à portée ; le compteur revient à 3 \
         après un code juste.",
    )
}

pub fn pin_state_unknown() -> Text {
    t(
        "Le nombre d'essais de code porteur restants n'a pas pu être lu.",
        "Rien à faire si le code porteur est connu ; sinon, réinsérez la carte pour relire \
         son état.",
    )
}

pub fn untrusted_certificate(detail: &str) -> Text {
    t(
        format!(
            "Un certificat de la carte n'est pas reconnu par l'IGC-Santé ({detail}) : RPPS+ \
             et Pro Santé Connect le refuseront."
        ),
        format!(
            "S'il s'agit d'une carte de test d'une autre autorité, ajoutez son certificat \
             racine à checks.extra_trust_anchors ; sinon ne l'utilisez pas et signalez-la à \
             l'ANS ({ANS_CONTRACT_CONTACT})."
        ),
    )
}

pub fn test_card(accepted: bool) -> Text {
    if accepted {
        t(
            "Carte de test (IGC-Santé de test, kit ANS) : acceptée par la configuration.",
            "Rien à faire en recette ; en production, utilisez une carte de production.",
        )
    } else {
        t(
            "Carte de test (IGC-Santé de test, kit ANS) : elle ne fonctionne pas sur le \
             portail RPPS+ de production.",
            "Utilisez une carte de production ; pour accepter les cartes de test (recette), \
             mettez accept_test_cards = true dans la table [checks] de la configuration.",
        )
    }
}

pub fn certificates_disagree(details: &[Disagreement]) -> Text {
    let details: Vec<String> = details.iter().map(super::read::disagreement).collect();
    t(
        format!(
            "Les certificats d'authentification et de signature de la carte ne désignent pas \
             le même titulaire ou la même structure ({}).",
            details.join(" ; ")
        ),
        format!(
            "Carte incohérente : ne l'utilisez pas pour RPPS+, signalez-la à l'ANS \
             ({ANS_CONTRACT_CONTACT}) et demandez son remplacement."
        ),
    )
}

fn id_type_label(t: StructureIdType) -> &'static str {
    match t {
        StructureIdType::Other => "un identifiant non FINESS",
        named => super::labels::structure_id_label(named),
    }
}

pub fn structure_not_finess(id_type: StructureIdType, number: &str) -> Text {
    t(
        format!(
            "La carte est rattachée à une structure identifiée par {} {number}, pas par un \
             numéro FINESS : elle ne peut pas correspondre à un contrat RPPS+.",
            id_type_label(id_type)
        ),
        "Le contrat RPPS+ est passé sur un FINESS : commandez une carte CPE/CDE sur le \
         FINESS du contrat (formulaire F301).",
    )
}

pub fn structure_finess_malformed(number: &str) -> Text {
    t(
        format!("Le numéro FINESS de la carte (« {number} ») est mal formé."),
        format!(
            "Signalez la carte à l'ANS ({ANS_CONTRACT_CONTACT}) et commandez-en une sur le \
             FINESS du contrat (formulaire F301)."
        ),
    )
}

/// `ars`: who handles FINESS data for the structure's région, without article
/// (`service FINESS de l'ARS Normandie (…)`).
pub fn finess_key_invalid(f: &Finess, ars: &str) -> Text {
    t(
        format!(
            "Le numéro FINESS de la carte ({f}) a une clé de contrôle fausse : il n'existe \
             pas au répertoire FINESS."
        ),
        format!(
            "Signalez l'anomalie au {ars} et à l'ANS ({ANS_CONTRACT_CONTACT}), puis \
             commandez une carte sur le bon FINESS (formulaire F301)."
        ),
    )
}

pub fn finess_key_not_verifiable(f: &Finess) -> Text {
    t(
        format!(
            "Le numéro FINESS de la carte ({f}) contient une lettre : sa clé de contrôle ne \
             peut pas être vérifiée (Corse, ou données de test)."
        ),
        "Rien à faire si ce FINESS est bien celui de la structure.",
    )
}

pub fn structure_unknown_without_pin(kind: CardKind, contract: Option<&str>) -> Text {
    let check = match contract {
        Some(c) => format!(" : vérifiez qu'elle est sur {c}"),
        None => String::new(),
    };
    t(
        format!(
            "Carte {} : sa structure (situation d'exercice) n'est lisible qu'avec le code \
             porteur, son rattachement au contrat ne peut pas être vérifié sans PIN.",
            kind_label(kind)
        ),
        format!(
            "Pour RPPS+, un gestionnaire se connecte en général avec une CPE/CDE sur le \
             FINESS du contrat ; avec cette carte, la situation d'exercice doit \
             correspondre au contrat{check}."
        ),
    )
}

pub fn structure_unknown() -> Text {
    t(
        "La structure à laquelle la carte est rattachée n'a pas pu être lue dans ses \
         certificats.",
        format!(
            "Réinsérez la carte ; si le problème persiste, signalez-la à l'ANS \
             ({ANS_CONTRACT_CONTACT})."
        ),
    )
}

pub fn contract_not_configured() -> Text {
    t(
        "Contrat non configuré : la carte n'est pas comparée au contrat RPPS+ de \
         l'organisation.",
        "Renseignez la table [contract] (mode, ej, egs) du fichier de configuration de \
         cpx-agent (ou passez --config FICHIER).",
    )
}

pub fn contract_matches_centralised(ej: &Finess) -> Text {
    t(
        format!("La carte est sur le FINESS de l'EJ {ej}, comme le veut le contrat centralisé."),
        format!("Rien à faire ; le gestionnaire se connecte à RPPS+ : {RPPS_PLUS_PORTAL}"),
    )
}

pub fn contract_matches_decentralised(eg: &Finess) -> Text {
    t(
        format!("La carte est sur le FINESS de l'EG {eg}, qui est sous contrat décentralisé."),
        format!(
            "Rien à faire ; avec cette carte, le gestionnaire n'enregistre que des \
             professionnels de cet EG : {RPPS_PLUS_PORTAL}"
        ),
    )
}

fn list(egs: &[Finess]) -> String {
    egs.iter()
        .map(Finess::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Centralised contract, card not on the EJ. `on_listed_eg`: the card is on one of the EGs.
pub fn finess_mismatch_centralised(card: &Finess, ej: &Finess, on_listed_eg: bool) -> Text {
    let where_ = if on_listed_eg {
        format!("l'EG {card} (un site du contrat, pas l'EJ)")
    } else {
        format!("le FINESS {card}, étranger au contrat")
    };
    t(
        format!(
            "Contrat centralisé : les cartes des gestionnaires doivent être sur le FINESS de \
             l'EJ {ej} ; or cette carte est sur {where_}."
        ),
        format!(
            "Commandez une carte sur le FINESS de l'EJ {ej} (formulaire F301, « même FINESS \
             que le contrat ») ; si l'organisation veut des cartes par site, il faut un \
             contrat décentralisé (à voir avec l'ANS, {ANS_CONTRACT_CONTACT})."
        ),
    )
}

/// Decentralised contract, card not on one of the EGs. `on_ej`: the card is on the EJ.
pub fn finess_mismatch_decentralised(card: &Finess, egs: &[Finess], on_ej: bool) -> Text {
    let where_ = if on_ej {
        format!("l'EJ {card} (l'entité juridique, pas un EG)")
    } else {
        format!("le FINESS {card}, qui n'est pas un EG du contrat")
    };
    t(
        format!(
            "Contrat décentralisé : chaque carte de gestionnaire doit être sur le FINESS de \
             l'un des EG sous contrat ({}) ; or cette carte est sur {where_}.",
            list(egs)
        ),
        if on_ej {
            format!(
                "Commandez une carte sur le FINESS de l'EG où travaille le gestionnaire \
                 (formulaire F301) ; une carte sur l'EJ suppose un contrat centralisé (à \
                 voir avec l'ANS, {ANS_CONTRACT_CONTACT})."
            )
        } else {
            format!(
                "Commandez une carte sur le FINESS de l'EG où travaille le gestionnaire \
                 (formulaire F301) ; si l'EG {card} doit être couvert, ajoutez-le au \
                 contrat auprès de l'ANS ({ANS_CONTRACT_CONTACT}) puis à contract.egs dans \
                 la configuration."
            )
        },
    )
}

/// CRLReason (RFC 5280 §5.3.1) in words.
fn revocation_reason(reason: Option<u8>) -> &'static str {
    match reason {
        Some(1) => "clé compromise",
        Some(2) => "autorité compromise",
        Some(3) => "changement de rattachement",
        Some(4) => "carte remplacée",
        Some(5) => "fin d'activité",
        Some(6) => "suspension",
        Some(9) => "droits retirés",
        Some(10) => "autorité d'attributs compromise",
        _ => "motif non précisé",
    }
}

/// The card is in a CRL of its CA: declared lost, stolen, or otherwise revoked.
pub fn card_revoked(
    at: OffsetDateTime,
    reason: Option<u8>,
    issuer: &str,
    crl_date: OffsetDateTime,
) -> Text {
    let what = if reason == Some(6) {
        "suspendue (mise en opposition temporaire)"
    } else {
        "révoquée (mise en opposition)"
    };
    t(
        format!(
            "Cette carte est {what} depuis le {} ({}) : la liste de révocation de « {issuer} » \
             du {} la mentionne. Pro Santé Connect la refusera à la connexion RPPS+.",
            date(at),
            revocation_reason(reason),
            date(crl_date)
        ),
        format!(
            "Cessez d'utiliser cette carte et commandez-en une nouvelle (dans TOM, ou avec le \
             formulaire F301 sur le FINESS du contrat). Si elle n'a été ni perdue ni volée, \
             écrivez à l'ANS ({ANS_CONTRACT_CONTACT})."
        ),
    )
}

/// Revocation unknown: the agent is offline by configuration.
pub fn revocation_unknown_offline() -> Text {
    t(
        "Révocation non vérifiée : l'agent est hors ligne ([network] offline = true), aucune \
         liste de révocation n'est téléchargée.",
        "Pour vérifier que la carte n'est pas en opposition, laissez l'agent télécharger les \
         listes de révocation de l'IGC-Santé (retirez offline = true de la configuration), ou \
         vérifiez la carte dans TOM.",
    )
}

/// Revocation unknown: no CRL obtained yet (`error`: why the last attempt failed).
pub fn revocation_unknown_not_yet(issuer: &str, error: Option<&str>) -> Text {
    match error {
        None => t(
            format!(
                "Révocation pas encore vérifiée : la liste de révocation de « {issuer} » est \
                 en cours de téléchargement."
            ),
            "Rien à faire : le verdict sera mis à jour de lui-même dès que la liste sera \
             arrivée.",
        ),
        Some(e) => t(
            format!(
                "Révocation non vérifiée : la liste de révocation de « {issuer} » n'a pas pu \
                 être obtenue ({e})."
            ),
            "Vérifiez l'accès du poste au site de l'IGC-Santé (pare-feu ; proxy : variables \
             HTTPS_PROXY, HTTP_PROXY, NO_PROXY) ; l'agent réessaie de lui-même.",
        ),
    }
}

/// Revocation uncertain: the CRL kept has expired and no newer one was had.
pub fn revocation_unknown_expired(
    issuer: &str,
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    age_days: i64,
) -> Text {
    t(
        format!(
            "Révocation incertaine : la liste de révocation de « {issuer} » gardée par l'agent \
             date du {} ({age_days} jours) et n'est plus valable depuis le {} ; aucune liste \
             plus récente n'a pu être obtenue.",
            date(this_update),
            date(next_update)
        ),
        "Vérifiez l'accès du poste au site de l'IGC-Santé (pare-feu ; proxy : variables \
         HTTPS_PROXY, HTTP_PROXY, NO_PROXY) ; l'agent réessaie de lui-même.",
    )
}
