use super::*;

#[test]
fn regions_of_departements() {
    assert_eq!(agency_of_departement("76").unwrap().region, "Normandie");
    assert_eq!(
        agency_of_departement("14").unwrap().finess_contact,
        Some("ARS-NORMANDIE-FINESS@ars.sante.fr")
    );
    assert_eq!(agency_of_departement("2a").unwrap().region, "Corse");
    assert_eq!(
        agency_of_departement("9D").unwrap().agency,
        "ARS La Réunion"
    );
    assert_eq!(
        agency_of_departement("974").unwrap().agency,
        "ARS La Réunion"
    );
    assert_eq!(agency_of_departement("985").unwrap().region, "Mayotte");
    assert_eq!(agency_of_departement("75").unwrap().region, "Île-de-France");
    assert!(agency_of_departement("99").is_none());
}

#[test]
fn every_metropolitan_departement_has_a_region() {
    for n in 1..=95 {
        if n == 20 {
            continue;
        }
        let d = format!("{n:02}");
        assert!(agency_of_departement(&d).is_some(), "{d}");
    }
}

#[test]
fn contact_phrases() {
    assert!(contact_phrase(Some("50"), None).contains("ARS-NORMANDIE-FINESS@ars.sante.fr"));
    assert!(contact_phrase(Some("01"), None).contains("Auvergne-Rhône-Alpes"));
    assert!(contact_phrase(Some("01"), Some("finess@ars.example")).contains("finess@ars.example"));
    assert!(contact_phrase(None, None).contains("ARS"));
}
