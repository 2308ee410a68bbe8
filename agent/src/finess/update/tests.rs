use super::*;

fn resource(title: &str, url: &str, last_modified: &str) -> Resource {
    Resource {
        title: Some(title.into()),
        url: Some(url.into()),
        format: None,
        last_modified: Some(last_modified.into()),
        filesize: Some(10),
        checksum: None,
    }
}

#[test]
fn the_latest_daily_structures_file_is_chosen() {
    let d = Dataset {
        resources: vec![
            resource(
                "finess-structures-mensuel-202611.json.gz",
                "https://static.data.gouv.fr/resources/finess-structures-1/m.json.gz",
                "2026-11-01T00:00:00",
            ),
            resource(
                "finess-structures-journalier-20261202.json.gz",
                "https://static.data.gouv.fr/resources/finess-structures-1/20261202-0300/finess-structures-journalier-20261202.json.gz",
                "2026-12-02T03:00:00",
            ),
            resource(
                "finess-structures-journalier-20261203.json.gz",
                "https://static.data.gouv.fr/resources/finess-structures-1/20261203-0300/finess-structures-journalier-20261203.json.gz",
                "2026-12-03T03:00:00",
            ),
            resource("Schéma", "https://example.test/schema-structures-v1.json", "2026-01-01"),
        ],
    };
    let p = pick_structures(&d).unwrap();
    assert_eq!(p.name, "finess-structures-journalier-20261203.json.gz");
    assert_eq!(p.filesize, Some(10));
    // Without daily files: the latest JSON named « structures » (the schema is one too, but
    // older).
    let d = Dataset {
        resources: vec![d.resources[0].clone(), d.resources[3].clone()],
    };
    assert_eq!(pick_structures(&d).unwrap().name, "m.json.gz");
    assert_eq!(pick_structures(&Dataset::default()), None);
}

#[test]
fn legacy_extracts_by_name_and_date() {
    let d = Dataset {
        resources: vec![
            resource(
                "EG",
                "https://x/etalab-cs1100502-stock-20260504-0336.csv",
                "",
            ),
            resource(
                "EG géo",
                "https://x/etalab-cs1100507-stock-20260401-0336.csv",
                "",
            ),
            resource(
                "EG géo",
                "https://x/etalab-cs1100507-stock-20260504-0336.csv",
                "",
            ),
            resource("doc", "https://x/etalab-cs1100507-stock-notice.pdf", ""),
        ],
    };
    let eg = pick_legacy(&d, &["etalab-cs1100507-stock-", "etalab-cs1100502-stock-"]).unwrap();
    assert_eq!(eg.name, "etalab-cs1100507-stock-20260504-0336.csv");
    assert_eq!(pick_legacy(&d, &["etalab-cs1100501-stock-"]), None);
}

#[test]
fn file_addresses_and_names() {
    assert!(is_file_address(
        "https://mirror.example.fr/finess/structures.json.gz"
    ));
    assert!(is_file_address("https://mirror.example.fr/x.csv?token=1"));
    assert!(!is_file_address("https://www.data.gouv.fr/api/1/"));
    assert_eq!(file_name("https://x/a/b.csv?x=1#f"), "b.csv");
    assert_eq!(safe_name("../../etc", 3), "finess-3");
    assert_eq!(safe_name("", 3), "finess-3");
    assert_eq!(safe_name(".hidden", 1), "finess-1");
    assert_eq!(safe_name("a b/c:d.csv", 0), "abcd.csv");
}
