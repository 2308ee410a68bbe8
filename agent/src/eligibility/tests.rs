use super::professions::{classify, ProfessionClass};
use super::roster;
use super::*;

fn ask(profession: &str, medical_data: bool, mss: bool, rpps: Option<&str>) -> EligibilityAnswer {
    assess(&EligibilityRequest {
        profession: profession.into(),
        medical_data,
        mss,
        rpps: rpps.map(str::to_string),
    })
    .unwrap()
}

#[test]
fn a_professional_with_a_role_needing_both_is_eligible() {
    let a = ask("Secrétaire médicale", true, true, None);
    assert!(a.eligible);
    assert_eq!(a.verdict, Eligibility::Eligible);
    assert!(a.reasons.is_empty());
    // The profession is in neither list: the answer says so.
    let profession = a
        .criteria
        .iter()
        .find(|c| c.criterion == "profession")
        .unwrap();
    assert_eq!(profession.ok, Some(true));
    assert!(
        profession.message.contains("ni une profession à Ordre"),
        "{}",
        profession.message
    );
}

#[test]
fn each_criterion_alone_makes_a_person_not_eligible() {
    for (answer, criterion) in [
        (ask("Aide-soignante", false, true, None), "medical_data"),
        (ask("Aide-soignante", true, false, None), "mss"),
        (ask("Infirmière", true, true, None), "profession"),
        (ask("Orthophoniste", true, true, None), "profession"),
        (
            ask("Aide-soignante", true, true, Some("10001234567")),
            "rpps",
        ),
    ] {
        assert!(!answer.eligible, "{criterion}");
        assert_eq!(answer.verdict, Eligibility::NotEligible);
        assert_eq!(answer.reasons.len(), 1, "{criterion}: {:?}", answer.reasons);
        let failing: Vec<&str> = answer
            .criteria
            .iter()
            .filter(|c| c.ok == Some(false))
            .map(|c| c.criterion.as_str())
            .collect();
        assert_eq!(failing, [criterion]);
    }
    let a = ask("Infirmière", true, true, None);
    assert!(a.reasons[0].contains("Ordre"), "{:?}", a.reasons);
    let a = ask("Orthophoniste", true, true, None);
    assert!(a.reasons[0].contains("ARS"), "{:?}", a.reasons);
}

#[test]
fn recently_regulated_professions_are_to_check() {
    let a = ask("Préparatrice en pharmacie", true, true, None);
    assert!(!a.eligible);
    assert_eq!(a.verdict, Eligibility::ToCheck);
    assert!(a.reasons[0].contains("à vérifier"), "{:?}", a.reasons);
}

#[test]
fn professions_match_whatever_the_spelling() {
    for (text, expected) in [
        ("infirmier", ProfessionClass::WithOrdre("infirmier")),
        (
            "INFIRMIÈRE de bloc opératoire",
            ProfessionClass::WithOrdre("infirmier"),
        ),
        ("Pharmacienne", ProfessionClass::WithOrdre("pharmacien")),
        ("sage femme", ProfessionClass::WithOrdre("sage-femme")),
        (
            "Masseuse-kinésithérapeute",
            ProfessionClass::WithOrdre("masseur-kinésithérapeute"),
        ),
        (
            "kiné",
            ProfessionClass::WithOrdre("masseur-kinésithérapeute"),
        ),
        (
            "Chirurgienne-dentiste",
            ProfessionClass::WithOrdre("chirurgien-dentiste"),
        ),
        ("Médecins", ProfessionClass::WithOrdre("médecin")),
        (
            "Manipulatrice d'électroradiologie médicale",
            ProfessionClass::ArsRegistered("manipulateur d'électroradiologie médicale"),
        ),
        (
            "Assistante sociale",
            ProfessionClass::ArsRegistered("assistant de service social"),
        ),
        (
            "Diététicienne",
            ProfessionClass::ArsRegistered("diététicien"),
        ),
        ("Psychologue", ProfessionClass::ArsRegistered("psychologue")),
        (
            "Technicienne de laboratoire médical",
            ProfessionClass::ArsRegistered("technicien de laboratoire médical"),
        ),
        (
            "Assistante dentaire",
            ProfessionClass::ToCheck("assistant dentaire"),
        ),
        ("Aide infirmier", ProfessionClass::Other),
        ("Secrétaire médicale", ProfessionClass::Other),
        ("Auxiliaire de puériculture", ProfessionClass::Other),
        ("Agent de service hospitalier", ProfessionClass::Other),
    ] {
        assert_eq!(classify(text), expected, "{text}");
    }
}

#[test]
fn a_malformed_rpps_or_no_profession_is_refused() {
    let request = EligibilityRequest {
        profession: "Secrétaire".into(),
        medical_data: true,
        mss: true,
        rpps: Some("1234".into()),
    };
    assert!(matches!(
        assess(&request),
        Err(EligibilityError::RppsMalformed(_))
    ));
    let request = EligibilityRequest {
        profession: "  ".into(),
        ..request
    };
    assert_eq!(assess(&request), Err(EligibilityError::NoProfession));
    assert_eq!(parse_rpps("100 0123 4567"), Ok(Some("10001234567".into())));
}

#[test]
fn a_roster_with_bad_lines_lists_them_and_assesses_the_rest() {
    let text = "Nom;Profession;Données santé;MSS;RPPS\n\
                Marie Martin;Secrétaire médicale;oui;oui;\n\
                Paul Durand;Infirmier;oui;oui;\n\
                Léa Petit;Aide-soignante;peut-être;oui;\n\
                Jean Roux;Agent administratif;non;oui;\n\
                trop;de;colonnes;ici;x;y\n\
                \n\
                Ana Lopez;;oui;oui;\n\
                Sam Noir;Brancardier;oui;oui;123\n\
                Zoé Blanc;Préparatrice en pharmacie;O;1;\n";
    let r = roster::check(text).unwrap();
    let lines: Vec<(usize, bool)> = r
        .people
        .iter()
        .map(|p| (p.line, p.answer.eligible))
        .collect();
    assert_eq!(lines, [(2, true), (3, false), (5, false), (10, false)]);
    assert_eq!((r.eligible, r.not_eligible, r.to_check), (1, 2, 1));
    let bad: Vec<usize> = r.bad_lines.iter().map(|b| b.line).collect();
    assert_eq!(bad, [4, 6, 8, 9]);
    assert!(
        r.bad_lines[0].reason.contains("peut-être"),
        "{:?}",
        r.bad_lines
    );
    assert!(
        r.bad_lines[1].reason.contains("6 colonnes"),
        "{:?}",
        r.bad_lines
    );
    assert!(
        r.bad_lines[2].reason.contains("profession"),
        "{:?}",
        r.bad_lines
    );
    assert!(r.bad_lines[3].reason.contains("RPPS"), "{:?}", r.bad_lines);
}

#[test]
fn a_roster_in_windows_1252_with_commas_reads() {
    let bytes =
        b"nom,profession,donnees_sante,mss\nH\xe9l\xe8ne,Secr\xe9taire m\xe9dicale,oui,oui\n";
    let r = roster::check(&roster::decode(bytes)).unwrap();
    assert_eq!(r.people.len(), 1);
    assert_eq!(r.people[0].name, "Hélène");
    assert!(r.people[0].answer.eligible);
}

#[test]
fn a_roster_without_the_columns_or_empty_is_refused() {
    assert_eq!(
        roster::check("nom;métier\nA;B\n").unwrap_err(),
        roster::RosterError::MissingColumns(vec!["donnees_sante", "mss"])
    );
    assert_eq!(
        roster::check("  \n").unwrap_err(),
        roster::RosterError::Empty
    );
    // Garbage never panics.
    for garbage in [
        "\"",
        "\u{0};\u{0}\n\"\"\"",
        ";;;;\n;;;;;;;;\n",
        "nom;profession;donnees_sante;mss\n\"a;b",
    ] {
        let _ = roster::check(garbage);
    }
}
