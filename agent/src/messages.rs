//! Every French sentence the judge, the configuration and the CLI show to people, in one
//! place so they can be reviewed together. Codes and logic live elsewhere; here only words.

/// Who to write to, from domain.md §2.
pub const ANS_CONTRACT_CONTACT: &str = "monserviceclient.annuaire@esante.gouv.fr";
/// The RPPS+ portal, from domain.md §2 (the ANS guides spell it `enreg`).
pub const RPPS_PLUS_PORTAL: &str =
    "https://validation-enreg.esante.gouv.fr/enreg/login/page_accueil/authentification_AE.html";

/// Messages about the configuration file (refused at start, exit 2).
pub mod config {
    use std::net::SocketAddr;
    use std::path::Path;

    use cpx_card::{Finess, FinessError};

    use crate::config::ContractMode;

    fn file(path: Option<&Path>) -> String {
        match path {
            Some(p) => format!("configuration {}", p.display()),
            None => "configuration".to_string(),
        }
    }

    pub fn not_found(path: &Path) -> String {
        format!(
            "fichier de configuration introuvable : {} — vérifiez le chemin donné à --config \
             (sans --config, le fichier par défaut est facultatif)",
            path.display()
        )
    }

    pub fn unreadable(path: &Path, detail: &str) -> String {
        format!(
            "impossible de lire la configuration {} ({detail}) — vérifiez le fichier et ses droits",
            path.display()
        )
    }

    pub fn syntax(
        path: Option<&Path>,
        line: Option<usize>,
        table: Option<&str>,
        detail: &str,
    ) -> String {
        let mut s = file(path);
        if let Some(l) = line {
            s.push_str(&format!(", ligne {l}"));
        }
        if let Some(t) = table {
            s.push_str(&format!(", table [{t}]"));
        }
        let detail = detail
            .replace("unknown field", "clé inconnue")
            .replace("expected one of", "clés permises :")
            .replace("expected", "attendu :")
            .replace("invalid type", "type invalide")
            .replace("missing field", "clé manquante")
            .replace("u32", "un entier positif")
            .replace('\n', " ");
        format!(
            "{s} : {detail} — corrigez ou supprimez cette clé (tables permises : [contract], \
             [checks], [api], [finess])"
        )
    }

    pub fn invalid(path: Option<&Path>, key: &str, problem: &str, fix: &str) -> String {
        format!("{} : clé `{key}` : {problem} — {fix}", file(path))
    }

    pub fn missing() -> String {
        "absente".to_string()
    }

    pub fn mode_unknown(value: &str) -> String {
        format!("mode de contrat inconnu « {value} »")
    }

    pub fn mode_fix() -> String {
        "écrivez mode = \"centralised\" (contrat sur le FINESS de l'EJ, recommandé par l'ANS) \
         ou mode = \"decentralised\" (contrat sur le FINESS de chaque EG)"
            .to_string()
    }

    pub fn ej_fix() -> String {
        "écrivez ej = \"<FINESS de l'entité juridique>\" (9 caractères)".to_string()
    }

    pub fn finess_malformed(value: &str, e: &FinessError) -> String {
        format!("« {value} » n'est pas un numéro FINESS ({e})")
    }

    pub fn finess_key_invalid(f: &Finess) -> String {
        format!("la clé de contrôle (dernier chiffre) du FINESS {f} est fausse")
    }

    pub fn finess_fix() -> String {
        "recopiez le numéro FINESS (9 caractères) depuis l'avis FINESS ou le contrat RPPS+ ; \
         un FINESS faux dans le répertoire se signale au service FINESS de l'ARS"
            .to_string()
    }

    pub fn eg_is_ej(f: &Finess) -> String {
        format!("l'EG {f} est aussi l'EJ du contrat")
    }

    pub fn eg_is_ej_fix(mode: ContractMode) -> String {
        match mode {
            ContractMode::Centralised => {
                "retirez-le de egs : en mode centralisé, l'EJ est dans ej et egs liste les \
                 sites (EG) concernés"
                    .to_string()
            }
            ContractMode::Decentralised => {
                "retirez-le de egs : egs liste les FINESS des établissements (EG) sous contrat, \
                 ej celui de l'entité juridique"
                    .to_string()
            }
        }
    }

    pub fn eg_duplicate(f: &Finess) -> String {
        format!("l'EG {f} est listé deux fois")
    }

    pub fn eg_duplicate_fix() -> String {
        "supprimez le doublon".to_string()
    }

    pub fn decentralised_without_egs() -> String {
        "un contrat décentralisé sans aucun EG".to_string()
    }

    pub fn decentralised_without_egs_fix() -> String {
        "listez les FINESS des établissements sous contrat : egs = [\"…\"], ou passez en \
         mode = \"centralised\" si le contrat est sur l'EJ"
            .to_string()
    }

    pub fn expiry_days_too_big(days: u32) -> String {
        format!("{days} jours, c'est plus que la durée de vie d'une carte")
    }

    pub fn expiry_days_fix(max: u32) -> String {
        format!("donnez un nombre de jours entre 0 et {max} (30 par défaut)")
    }

    pub fn anchor_unreadable(path: &Path, detail: &str) -> String {
        format!("le fichier {} est illisible ({detail})", path.display())
    }

    pub fn anchor_empty(path: &Path) -> String {
        format!("le fichier {} est vide", path.display())
    }

    pub fn anchor_invalid(path: &Path, detail: &str) -> String {
        format!(
            "le fichier {} n'est pas un certificat d'autorité lisible ({detail})",
            path.display()
        )
    }

    pub fn anchor_fix() -> String {
        "donnez le chemin d'un certificat racine PEM ou DER lisible (chemin relatif = relatif \
         au fichier de configuration), ou retirez-le de la liste"
            .to_string()
    }

    pub fn listen_malformed(value: &str) -> String {
        format!("« {value} » n'est pas une adresse IP:port")
    }

    pub fn listen_not_loopback(addr: &SocketAddr) -> String {
        format!("{addr} n'est pas une adresse locale (loopback) : l'API ne s'expose pas au réseau")
    }

    pub fn listen_fix() -> String {
        "écrivez par exemple listen = \"127.0.0.1:8787\" (ou \"[::1]:8787\")".to_string()
    }

    pub fn origin_malformed(value: &str) -> String {
        format!("« {value} » n'est pas une origine exacte")
    }

    pub fn origin_fix() -> String {
        "écrivez schéma://hôte[:port] sans chemin ni joker, par exemple \
         \"https://intranet.example.fr\""
            .to_string()
    }
}

/// The judge's findings: message (what is wrong) and remedy (what to do), French.
pub mod findings {
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
        let details: Vec<String> = details
            .iter()
            .map(crate::text::read::disagreement)
            .collect();
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
            StructureIdType::Finess => "FINESS",
            StructureIdType::Siren => "SIREN",
            StructureIdType::Siret => "SIRET",
            StructureIdType::Adeli => "ADELI",
            StructureIdType::Rpps => "RPPS",
            StructureIdType::Other => "un identifiant non FINESS",
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
            format!(
                "La carte est sur le FINESS de l'EJ {ej}, comme le veut le contrat centralisé."
            ),
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
}

/// Reading every reader once (`snapshot`).
pub mod snapshot {
    /// How to start the PC/SC service, per OS.
    pub fn pcsc_remedy() -> &'static str {
        if cfg!(target_os = "windows") {
            "le service « Carte à puce » (SCardSvr) est arrêté : branchez un lecteur (Windows \
             le démarre alors), ou en administrateur `sc start SCardSvr`"
        } else if cfg!(target_os = "macos") {
            "le service carte à puce de macOS ne répond pas : débranchez et rebranchez le \
             lecteur, ou fermez puis rouvrez la session"
        } else {
            "pcscd n'est pas démarré : `sudo systemctl start pcscd` (s'il manque : \
             `sudo apt install pcscd`)"
        }
    }

    pub fn service_unavailable(detail: &str) -> String {
        format!(
            "service carte à puce (PC/SC) indisponible ({detail}) : {}",
            pcsc_remedy()
        )
    }

    pub fn card_mute() -> String {
        "la carte ne répond pas (carte muette) : retirez-la, vérifiez son sens d'insertion et \
         remettez-la"
            .to_string()
    }
}

/// Labels and sentences of the command-line output.
pub mod cli {
    use cpx_card::{CardFamily, PersonIdType, PinState, StructureIdType, Trust, Usage};

    use crate::verdict::{Severity, Status};

    pub fn status_label(s: Status) -> &'static str {
        match s {
            Status::Ready => "PRÊTE",
            Status::Warning => "À SURVEILLER",
            Status::NotReady => "NON PRÊTE",
            Status::Unknown => "INDÉTERMINÉE",
        }
    }

    pub fn status_sentence(s: Status) -> &'static str {
        match s {
            Status::Ready => "la carte convient pour RPPS+",
            Status::Warning => "la carte convient pour RPPS+, mais un point demande attention",
            Status::NotReady => "la carte ne convient pas pour RPPS+ en l'état",
            Status::Unknown => "impossible de dire sans code porteur si la carte convient",
        }
    }

    pub fn severity_label(s: Severity) -> &'static str {
        match s {
            Severity::Error => "ERREUR",
            Severity::Warning => "ATTENTION",
            Severity::Info => "info",
        }
    }

    pub fn family_label(f: CardFamily) -> &'static str {
        match f {
            CardFamily::Cps3 => "CPS3",
            CardFamily::Cps3Contactless => "CPS3 sans contact",
            CardFamily::Cps4 => "CPS4",
            CardFamily::CpsLegacy => "CPS ancienne génération",
            CardFamily::NotCpx => "pas une carte CPx",
        }
    }

    pub fn trust_label(t: Trust) -> &'static str {
        match t {
            Trust::Production => "IGC-Santé de production",
            Trust::Test => "IGC-Santé de test",
            Trust::Untrusted => "non reconnue",
        }
    }

    pub fn usage_label(u: Usage) -> &'static str {
        match u {
            Usage::Authentication => "authentification",
            Usage::Signature => "signature",
            Usage::Other => "autre",
        }
    }

    pub fn person_id_label(t: PersonIdType) -> &'static str {
        match t {
            PersonIdType::Rpps => "RPPS",
            PersonIdType::Adeli => "ADELI",
            PersonIdType::Finess => "FINESS",
            PersonIdType::Siret => "SIRET",
            PersonIdType::Other => "autre",
        }
    }

    pub fn structure_id_label(t: StructureIdType) -> &'static str {
        match t {
            StructureIdType::Finess => "FINESS",
            StructureIdType::Siren => "SIREN",
            StructureIdType::Siret => "SIRET",
            StructureIdType::Adeli => "ADELI",
            StructureIdType::Rpps => "RPPS",
            StructureIdType::Other => "autre",
        }
    }

    /// Profession code (TRE_G15, extension 1.2.250.1.71.1.2.7), labelled when known.
    pub fn profession(code: u32) -> String {
        let label = match code {
            10 => "médecin",
            21 => "pharmacien",
            40 => "chirurgien-dentiste",
            50 => "sage-femme",
            60 => "infirmier",
            _ => return code.to_string(),
        };
        format!("{code} ({label})")
    }

    pub fn pin_line(state: Option<PinState>, tries: Option<u8>) -> String {
        match (state, tries) {
            (Some(PinState::Blocked), _) | (Some(PinState::TriesLeft), Some(0)) => {
                "bloqué".to_string()
            }
            (Some(PinState::TriesLeft), Some(1)) => "1 essai restant".to_string(),
            (Some(PinState::TriesLeft), Some(n)) => format!("{n} essais restants"),
            (Some(PinState::Verified), _) => {
                "déjà saisi dans cette session (par un autre logiciel)".to_string()
            }
            _ => "état inconnu".to_string(),
        }
    }

    pub const NO_STRUCTURE_PERSONAL_CARD: &str =
        "non lisible sans code porteur (CPS/CPF : situation d'exercice protégée)";
    pub const NO_STRUCTURE: &str = "aucune";
    pub const NONE: &str = "—";
    pub const SERVICE_RUNNING: &str = "Service carte à puce (PC/SC) : démarré";
    pub const NO_READER: &str = "Aucun lecteur de carte n'est visible par PC/SC : branchez un \
        lecteur (un terminal SESAM-Vitale n'est pas toujours vu comme lecteur PC/SC).";
    pub const NO_CARD: &str = "aucune carte dans ce lecteur";
    pub const READ_FAILED: &str = "lecture impossible";
    pub const FINDINGS: &str = "Constats";
    pub const REMEDY_ARROW: &str = "→";

    /// Why PC/SC shows no reader although this USB device is plugged (domain.md §6).
    pub fn usb_device_not_seen(r: &crate::usb::UsbReader) -> String {
        use crate::usb::UsbReaderKind;
        let name = match (&r.manufacturer, &r.product) {
            (Some(m), Some(p)) => format!("{m} {p}"),
            (None, Some(p)) => p.clone(),
            (Some(m), None) => m.clone(),
            (None, None) => "sans nom".to_string(),
        };
        match r.kind {
            UsbReaderKind::CcidSupported => format!(
                "Le lecteur USB « {name} » ({}) est branché et pris en charge, mais PC/SC ne le \
                 voit pas : débranchez-le et rebranchez-le, ou `sudo systemctl restart pcscd`.",
                r.id
            ),
            UsbReaderKind::CcidUnlisted => format!(
                "Le périphérique USB « {name} » ({}) a une interface carte à puce, mais le pilote \
                 libccid ne le connaît pas : mettez à jour le paquet libccid, ou utilisez un \
                 lecteur reconnu.",
                r.id
            ),
            UsbReaderKind::HealthTerminalNoCcid => format!(
                "Le terminal de santé « {name} » ({}) est branché mais n'expose pas de lecteur \
                 PC/SC : activez son mode PC/SC dans sa configuration (selon le modèle et le \
                 micrologiciel), ou branchez un lecteur de carte USB CCID.",
                r.id
            ),
        }
    }

    pub fn readers_count(n: usize) -> String {
        match n {
            0 => "aucun lecteur".to_string(),
            1 => "1 lecteur".to_string(),
            n => format!("{n} lecteurs"),
        }
    }

    pub fn cannot_read_file(path: &str, detail: &str) -> String {
        format!("impossible de lire {path} : {detail} / cannot read file")
    }

    pub fn invalid_certificate(path: &str, detail: &str) -> String {
        format!("{path} : {detail}")
    }

    pub fn certificate_heading(i: usize, n: usize) -> String {
        format!("Certificat {i}/{n}")
    }
}
