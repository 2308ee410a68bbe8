//! Every user-facing text of the FINESS module, French first (then English where it helps a
//! technician searching the web), kept together so they can be reviewed at once.

use crate::finess::entity::FileFormat;
use crate::finess::entity::Role;

// --- import -----------------------------------------------------------------------------------

pub const NOT_EXTRACT: &str = "ce n'est pas un extrait FINESS : ni un extrait CSV open data \
    (première ligne « finess;etalab;… »), ni le jeu JSON FINESS+ « structures » (objet avec \
    « pmej ») / not a FINESS extract";
pub const NOT_CSV_EXTRACT: &str =
    "première ligne « finess;etalab;<n>;<date> » absente / missing manifest line";
pub const NO_PMEJ: &str =
    "pas de tableau « pmej » : ce n'est pas le jeu FINESS+ « structures » / no pmej array";
pub const NO_FILE: &str = "aucun fichier à importer / no file to import";
pub const NOTHING_READ: &str = "aucune EJ ni EG lue dans ces fichiers : le répertoire actuel est \
    conservé / no EJ or EG read, the current directory is kept";
pub const PROGRESS_TEMPLATE: &str = "{spinner} {elapsed} [{bar:20}] {bytes}/{total_bytes} {msg}";

pub fn too_few(read: u64, floor: u64) -> String {
    format!(
        "les fichiers ne comptent que {read} structures (EJ et EG), moins de la moitié du \
         répertoire actuel ({floor} au moins attendues) : fichier partiel ? Le répertoire actuel \
         est conservé ; pour importer quand même ces fichiers, utilisez « cpx-agent finess \
         import FICHIER... »"
    )
}

// --- update -------------------------------------------------------------------------------------

pub const UPDATE_NO_RESOURCE: &str = "ni le jeu FINESS+ « structures » (JSON) ni les extraits \
    CSV (EJ et EG) ne sont listés par l'API data.gouv.fr : rien à télécharger ; le répertoire \
    actuel est conservé";
pub const UPDATE_UNCHANGED: &str =
    "répertoire FINESS déjà à jour : les fichiers publiés n'ont pas \
    changé depuis la dernière mise à jour";
pub const UPDATE_BUSY: &str = "une autre mise à jour du répertoire FINESS est en cours (celle de \
    l'agent, peut-être) : réessayez quand elle sera finie";
pub const DOWNLOAD_TEMPLATE: &str = "{spinner} {elapsed} [{bar:20}] {bytes}/{total_bytes} {msg}";

pub fn update_refused(e: &dyn std::fmt::Display) -> String {
    format!("mise à jour refusée : {e} — le répertoire actuel est conservé")
}

pub fn update_api(url: &str, why: &str) -> String {
    format!(
        "API data.gouv.fr injoignable ou illisible ({url} : {why}) ; le répertoire actuel est \
         conservé — vérifiez l'accès au réseau (proxy : HTTPS_PROXY) ou donnez une autre \
         source (--source, [finess] source)"
    )
}

pub fn download_failed(url: &str, why: &str) -> String {
    format!(
        "téléchargement de {url} impossible ({why}) ; le répertoire actuel est conservé — \
         réessayez plus tard"
    )
}

pub fn download_too_big(url: &str, max: u64) -> String {
    format!(
        "{url} dépasse la taille permise ({} Mo) ; le répertoire actuel est conservé",
        max / (1024 * 1024)
    )
}

pub fn download_incomplete(url: &str, got: u64, expected: u64) -> String {
    format!(
        "{url} incomplet : {got} octets reçus sur {expected} annoncés par data.gouv.fr ; le \
         répertoire actuel est conservé — réessayez plus tard"
    )
}

pub fn download_checksum(url: &str, kind: &str) -> String {
    format!(
        "{url} ne correspond pas à l'empreinte {kind} publiée par data.gouv.fr (fichier altéré \
         ou incomplet) ; le répertoire actuel est conservé"
    )
}

pub fn downloading(name: &str) -> String {
    format!("téléchargement de {name}")
}

pub fn update_io(e: &std::io::Error) -> String {
    format!("fichiers temporaires impossibles à écrire ({e}) ; le répertoire actuel est conservé")
}

pub fn io_error(file: &str, e: &std::io::Error) -> String {
    format!("{file} : lecture impossible ({e}) / cannot read")
}

pub fn not_finess(file: &str, why: &str) -> String {
    format!("{file} refusé, rien n'a été modifié : {why}")
}

pub fn bad_json(file: &str, why: &str) -> String {
    format!("{file} : JSON illisible ({why}) ; le répertoire actuel est conservé / unreadable JSON")
}

pub fn database_error(e: &rusqlite::Error) -> String {
    format!("base du répertoire FINESS : {e} / directory database error")
}

pub fn garbled_line(e: &str) -> String {
    format!("ligne illisible ({e})")
}

pub fn field_count(section: &str, got: usize, want: usize) -> String {
    format!("ligne {section} de {got} champs au lieu de {want} (tronquée ou abîmée)")
}

pub fn bad_finess_field(field: &str, raw: &str, why: &str) -> String {
    format!("{field} « {raw} » n'est pas un numéro FINESS : {why}")
}

pub fn unknown_section(tag: &str) -> String {
    let tag: String = tag.chars().take(40).collect();
    format!("section inconnue « {tag} »")
}

pub fn in_site_of(ej: &str, why: &str) -> String {
    format!("EG de l'EJ {ej} : {why}")
}

pub fn duplicate(finess: &str) -> String {
    format!("numéro {finess} déjà lu plus haut (doublon ignoré)")
}

pub fn location(format: FileFormat, at: u64) -> String {
    match format {
        FileFormat::Csv => format!("ligne {at}"),
        FileFormat::Json => format!("pmej n° {at}"),
    }
}

pub fn progress(ej: u64, eg: u64, skipped: u64, rate: f64) -> String {
    format!("EJ {ej} · EG {eg} · ignorées {skipped} · {rate:.0}/s")
}

// --- check ------------------------------------------------------------------------------------

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Ej => "L'EJ du contrat",
        Role::Eg => "L'EG du contrat",
    }
}

pub const DIRECTORY_UNDATED: &str =
    "Le répertoire FINESS importé ne dit pas de quand datent ses données.";
pub const REMEDY_REIMPORT: &str = "Mettez le répertoire à jour : « cpx-agent finess update » \
    (il télécharge le jeu FINESS+ « structures » de data.gouv.fr), ou activez [finess] \
    auto_update = true pour que l'agent le fasse chaque jour ; sans accès au réseau, importez un \
    extrait récent avec « cpx-agent finess import FICHIER ».";
pub const REMEDY_FIX_CONFIG: &str =
    "Corrigez le numéro dans la configuration (section du contrat), en le recopiant du contrat RPPS+ \
     ou de l'annuaire FINESS (finess.esante.gouv.fr).";
pub const REMEDY_CONFIG_EG: &str = "Ce numéro est celui de l'entité juridique : indiquez-le comme \
    EJ du contrat, et en EG les numéros des établissements (sites) concernés.";
pub const NO_DIRECTORY: &str = "Aucun répertoire FINESS local : importez d'abord les fichiers \
    open data avec « cpx-agent finess import FICHIER... » / no FINESS directory, import one first";
pub const NO_CONTRACT_STRUCTURES: &str = "aucun contrat dans la configuration ([contract] \
    mode, ej, egs) : rien à vérifier / no contract configured, nothing to check";

pub fn directory_old(date: &str, days: i64) -> String {
    format!(
        "Le répertoire FINESS local date du {date} ({days} jours) : il peut ne plus refléter \
             les créations, fermetures et rattachements récents."
    )
}

pub fn malformed(role: Role, raw: &str, why: &str) -> String {
    format!(
        "{} « {raw} » n'est pas un numéro FINESS bien formé : {why}.",
        role_name(role)
    )
}

pub fn key_invalid(role: Role, n: &str) -> String {
    format!(
        "{} {n} a une clé de contrôle fausse (Luhn) : le numéro est mal recopié.",
        role_name(role)
    )
}

pub fn key_not_verifiable(role: Role, n: &str) -> String {
    format!(
        "{} {n} contient une lettre (Corse, données de test) : sa clé ne peut pas être \
             vérifiée.",
        role_name(role)
    )
}

pub fn unknown(role: Role, n: &str, data_date: Option<&str>) -> String {
    let date = data_date
        .map(|d| format!(" (données du {d})"))
        .unwrap_or_default();
    format!(
        "{} {n} est absent du répertoire FINESS{date}.",
        role_name(role)
    )
}

pub fn remedy_unknown(ars: &str) -> String {
    format!(
        "Vérifiez le numéro ; s'il est juste, la structure n'est pas (ou plus) publiée dans \
             FINESS : signalez-le au {ars} avant de contractualiser. Si la structure est récente, \
             réimportez un répertoire à jour."
    )
}

pub fn is_eg_expected_ej(n: &str, its_ej: Option<&str>) -> String {
    let ej = its_ej
        .map(|e| format!(", rattachée à l'EJ {e}"))
        .unwrap_or_default();
    format!("Le numéro {n} donné comme EJ du contrat est une entité géographique (EG){ej}.")
}

pub fn remedy_config_ej(its_ej: Option<&str>) -> String {
    match its_ej {
        Some(ej) => format!(
            "Le contrat se fait sur le FINESS juridique : indiquez {ej} comme EJ \
                             et gardez ce numéro parmi les EG."
        ),
        None => {
            "Le contrat se fait sur le FINESS juridique : indiquez le numéro de l'EJ.".to_string()
        }
    }
}

pub fn is_ej_expected_eg(n: &str) -> String {
    format!("Le numéro {n} donné comme EG du contrat est une entité juridique (EJ).")
}

pub fn eg_not_in_ej(n: &str, its_ej: Option<&str>, contract_ej: &str) -> String {
    match its_ej {
        Some(ej) => format!(
            "L'EG {n} est rattachée à l'EJ {ej} dans FINESS, pas à l'EJ du \
                             contrat {contract_ej}."
        ),
        None => format!(
            "L'EG {n} n'a pas d'EJ de rattachement dans FINESS (l'EJ du contrat est \
                         {contract_ej})."
        ),
    }
}

pub fn remedy_eg_not_in_ej(ars: &str) -> String {
    format!(
        "Retirez cette EG du contrat si elle appartient à une autre entité juridique ; si \
             le rattachement FINESS est faux, demandez sa correction au {ars} avant de \
             contractualiser."
    )
}

pub fn closed(role: Role, n: &str, date: Option<&str>) -> String {
    let when = date.map(|d| format!(" le {d}")).unwrap_or_default();
    format!("{} {n} est fermée dans FINESS{when}.", role_name(role))
}

pub fn remedy_closed(ars: &str) -> String {
    format!(
        "Contractualisez sur une structure ouverte ; si la fermeture est une erreur, \
             faites-la corriger par le {ars}."
    )
}

// --- CLI --------------------------------------------------------------------------------------

pub const NO_DATA_DIR: &str = "dossier de données introuvable ($XDG_DATA_HOME, $HOME) : \
    indiquez la base avec --db FICHIER / no data dir, use --db";
pub fn not_in_directory(n: &str, data_date: Option<&str>) -> String {
    let date = data_date
        .map(|d| format!(" (données du {d})"))
        .unwrap_or_default();
    format!("{n} : absent du répertoire FINESS local{date} / not in the FINESS directory")
}

pub fn card_finess_unknown(n: &str, data_date: Option<&str>) -> String {
    let date = data_date
        .map(|d| format!(" (données du {d})"))
        .unwrap_or_default();
    format!("Le FINESS de la carte, {n}, est absent du répertoire FINESS local{date}.")
}

pub fn remedy_card_finess_unknown(ars: &str) -> String {
    format!(
        "Si la structure est récente, réimportez un répertoire à jour ; sinon la structure \
             n'est pas (ou plus) publiée dans FINESS : voyez avec le {ars} avant de commander des \
             cartes sur ce numéro."
    )
}

pub fn name_differs(card_name: &str, directory_name: &str, n: &str) -> String {
    format!(
        "La carte porte le nom de structure « {card_name} », le répertoire FINESS nomme \
             {n} « {directory_name} »."
    )
}

pub fn remedy_name_differs(ars: &str) -> String {
    format!(
        "Sans effet sur l'usage de la carte. Si le nom FINESS est faux, faites-le corriger \
             par le {ars} ; si c'est celui de la carte, il sera à jour à son renouvellement."
    )
}

pub fn card_is_eg_expected_ej(
    n: &str,
    its_ej: Option<&str>,
    contract_ej: &str,
    is_contract_ej: bool,
) -> String {
    if is_contract_ej {
        return format!(
            "Contrat centralisé sur {contract_ej} : or ce numéro est, dans FINESS, \
                        une entité géographique (EG), pas une entité juridique."
        );
    }
    let ej = its_ej.map(|e| format!(" de l'EJ {e}")).unwrap_or_default();
    format!(
        "Contrat centralisé : la carte doit être sur le FINESS de l'EJ {contract_ej} ; or \
             {n} est un établissement (EG){ej} d'après le répertoire FINESS."
    )
}

pub fn remedy_card_is_eg_expected_ej(contract_ej: &str, is_contract_ej: bool) -> String {
    if is_contract_ej {
        return "Vérifiez le FINESS du contrat (contract.ej) : un contrat centralisé se fait sur \
                le FINESS juridique (EJ) ; corrigez la configuration ou le contrat avec l'ANS."
            .to_string();
    }
    format!(
        "Commandez une carte sur le FINESS de l'EJ {contract_ej} (formulaire F301, « même \
             FINESS que le contrat »)."
    )
}

pub fn card_is_ej_expected_eg(n: &str, listed: bool) -> String {
    if listed {
        return format!(
            "Contrat décentralisé : {n} figure parmi les EG du contrat, mais c'est \
                        une entité juridique (EJ) d'après le répertoire FINESS."
        );
    }
    format!(
        "Contrat décentralisé : la carte doit être sur le FINESS d'un EG du contrat ; or \
             {n} est une entité juridique (EJ) d'après le répertoire FINESS."
    )
}

pub fn remedy_card_is_ej_expected_eg(listed: bool) -> String {
    if listed {
        return "Corrigez contract.egs : indiquez les FINESS des établissements (EG), pas celui \
                de l'entité juridique."
            .to_string();
    }
    "Commandez une carte sur le FINESS de l'EG où travaille le gestionnaire (formulaire F301) ; \
     une carte sur l'EJ suppose un contrat centralisé."
        .to_string()
}

pub fn remedy_card_eg_not_in_ej(ars: &str) -> String {
    format!(
        "Cette carte est sur un établissement d'une autre entité juridique : commandez une \
             carte sur un FINESS du contrat (formulaire F301). Si le rattachement FINESS est \
             faux, demandez sa correction au {ars}."
    )
}
