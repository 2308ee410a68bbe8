//! FINESS import: the real sample lines, synthetic files of the same shape in every encoding and
//! both formats, bad lines, refused files, replacement and idempotence.

use std::path::PathBuf;

use cpx_agent::finess::import::{self, ImportError};
use cpx_agent::finess::lookup::lookup;
use cpx_agent::finess::{Directory, EntityKind};
use cpx_card::Finess;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/finess")
        .join(name)
}

fn import_files(
    db: &std::path::Path,
    names: &[&str],
) -> Result<import::ImportSummary, ImportError> {
    let files: Vec<PathBuf> = names.iter().map(|n| data(n)).collect();
    import::import(&files, db, false)
}

fn open(db: &std::path::Path) -> Directory {
    Directory::open(db).unwrap().expect("a directory")
}

fn f(n: &str) -> Finess {
    Finess::parse(n).unwrap()
}

#[test]
fn real_sample_lines_import() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("finess.sqlite");
    let s = import_files(&db, &["etalab-cs1100502-sample.csv"]).unwrap();
    assert_eq!((s.ej, s.eg, s.skipped_count), (0, 14, 0), "{:?}", s.skipped);
    assert_eq!(s.data_date.as_deref(), Some("2026-05-12"));
    let dir = open(&db);
    let info = dir.info().unwrap();
    assert_eq!(info.eg_count, 14);
    assert_eq!(info.files, vec!["etalab-cs1100502-sample.csv".to_string()]);

    let e = lookup(&dir, &f("010000024")).unwrap().unwrap();
    assert_eq!(e.entity.kind, Some(EntityKind::Eg));
    assert_eq!(e.entity.name.as_deref(), Some("CH DE FLEYRIAT"));
    assert_eq!(
        e.entity.long_name.as_deref(),
        Some("CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT")
    );
    assert_eq!(e.entity.departement.as_deref(), Some("01"));
    assert_eq!(e.entity.category.as_deref(), Some("355"));
    assert_eq!(e.entity.siret.as_deref(), Some("26010004500012"));
    assert_eq!(e.entity.opened.as_deref(), Some("1979-02-13"));
    assert_eq!(e.entity.updated.as_deref(), Some("2020-02-04"));
    assert_eq!(e.address, vec!["900 RTE DE PARIS", "01440 VIRIAT"]);
    // Its EJ is named but the EJ extract was not imported.
    let ej = e.ej_entry.unwrap();
    assert_eq!(ej.finess, "010780054");
    assert!(!ej.in_directory);
    assert_eq!(e.directory.data_date.as_deref(), Some("2026-05-12"));

    // Doubled quotes inside a quoted field.
    let q = dir.get("980501506").unwrap().unwrap();
    assert_eq!(q.name.as_deref(), Some("LIEU DE VIE \"MAVOUNA MEMA 1\""));
    // An EG in another département than its EJ (Martinique site of a Nord EJ).
    let m = dir.get("970216057").unwrap().unwrap();
    assert_eq!(m.ej.as_deref(), Some("590799730"));
    assert_eq!(m.departement.as_deref(), Some("9B"));
    assert!(dir.get("750712184").unwrap().is_none());
}

#[test]
fn ej_and_eg_extracts_linked_both_ways() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("finess.sqlite");
    let s = import_files(
        &db,
        &[
            "synthetic-ej-windows1252.csv",
            "etalab-cs1100502-sample.csv",
            "synthetic-eg-utf8-bom.csv",
        ],
    )
    .unwrap();
    assert_eq!((s.ej, s.eg, s.skipped_count), (7, 18, 0), "{:?}", s.skipped);
    assert_eq!(s.other_lines, 4, "geolocalisation lines read, not kept");
    let dir = open(&db);

    let ej = lookup(&dir, &f("970302022")).unwrap().unwrap();
    assert_eq!(ej.entity.kind, Some(EntityKind::Ej));
    assert_eq!(
        ej.entity.long_name.as_deref(),
        Some("CENTRE HOSPITALIER DE CAYENNE ANDRÉE ROSEMON")
    );
    let egs: Vec<&str> = ej.egs.iter().map(|e| e.finess.as_str()).collect();
    assert_eq!(egs, vec!["970300026", "970302287"]);
    assert!(ej.ej_entry.is_none());

    let eg = lookup(&dir, &f("970400024")).unwrap().unwrap();
    let its_ej = eg.ej_entry.unwrap();
    assert!(its_ej.in_directory);
    assert_eq!(its_ej.kind, Some(EntityKind::Ej));
    assert_eq!(its_ej.name.as_deref(), Some("CHU DE LA RÉUNION"));

    let aphp = lookup(&dir, &f("750712184")).unwrap().unwrap();
    assert_eq!(aphp.entity.legal_status.as_deref(), Some("14"));
    assert_eq!(aphp.egs.len(), 1);
    assert_eq!(aphp.egs[0].finess, "750100125");
    let rouen = lookup(&dir, &f("760000018")).unwrap().unwrap();
    assert_eq!(rouen.egs.len(), 2);
    assert_eq!(
        rouen.entity.departement_name.as_deref(),
        Some("SEINE-MARITIME")
    );
}

#[test]
fn every_encoding_gives_the_same_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dumps = Vec::new();
    for (i, (ej, eg)) in [
        ("synthetic-ej-utf8.csv", "synthetic-eg-utf8-bom.csv"),
        ("synthetic-ej-utf8-bom.csv", "synthetic-eg-windows1252.csv"),
        ("synthetic-ej-windows1252.csv", "synthetic-eg-utf8-bom.csv"),
    ]
    .into_iter()
    .enumerate()
    {
        let db = tmp.path().join(format!("d{i}.sqlite"));
        import_files(&db, &[ej, eg]).unwrap();
        dumps.push(open(&db).all().unwrap());
    }
    assert_eq!(dumps[0].len(), 11);
    let reunion = dumps[0].iter().find(|e| e.finess == "970408589").unwrap();
    assert_eq!(reunion.departement_name.as_deref(), Some("LA RÉUNION"));
    let caen = dumps[0].iter().find(|e| e.finess == "140000027").unwrap();
    assert_eq!(
        caen.long_name.as_deref(),
        Some("SITE FICTIF DE CAEN CÔTE DE NACRE")
    );
    assert_eq!(dumps[0], dumps[1]);
    assert_eq!(dumps[0], dumps[2]);
}

#[test]
fn bad_lines_are_skipped_with_line_numbers_and_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("finess.sqlite");
    let s = import_files(&db, &["synthetic-bad-lines.csv"]).unwrap();
    assert_eq!((s.ej, s.eg), (1, 2));
    let lines: Vec<u64> = s.skipped.iter().map(|k| k.at).collect();
    assert_eq!(lines, vec![3, 4, 5, 6, 9, 10], "{:#?}", s.skipped);
    assert_eq!(s.skipped_count, 6);
    let reason = |line: u64| {
        s.skipped
            .iter()
            .find(|k| k.at == line)
            .map(|k| k.reason.clone())
            .unwrap()
    };
    assert!(
        reason(3).contains("10 champs au lieu de 32"),
        "{}",
        reason(3)
    );
    assert!(reason(4).contains("structurexx"), "{}", reason(4));
    assert!(reason(5).contains("75010012"), "{}", reason(5));
    assert!(reason(6).contains("500000013"), "{}", reason(6));
    assert!(reason(9).contains("geolocalisation"), "{}", reason(9));
    assert!(s
        .skipped
        .iter()
        .all(|k| k.file == "synthetic-bad-lines.csv"));
    assert_eq!(s.skipped[0].location, "ligne 3");
    let dir = open(&db);
    let quoted = dir.get("690000021").unwrap().unwrap();
    assert_eq!(quoted.name.as_deref(), Some("SITE \"A;B\" FICTIF"));
    assert_eq!(
        dir.get("500000013")
            .unwrap()
            .unwrap()
            .departement
            .as_deref(),
        Some("50")
    );
}

#[test]
fn json_structures_import() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("finess.sqlite");
    let s = import_files(&db, &["synthetic-structures.json"]).unwrap();
    assert_eq!((s.ej, s.eg), (3, 3), "{:?}", s.skipped);
    assert_eq!(s.data_date.as_deref(), Some("2026-11-20"));
    let at: Vec<(u64, &str)> = s
        .skipped
        .iter()
        .map(|k| (k.at, k.location.as_str()))
        .collect();
    assert_eq!(
        at,
        vec![(3, "pmej n° 3"), (4, "pmej n° 4")],
        "{:?}",
        s.skipped
    );
    assert!(s.skipped[0].reason.contains("numFinessPm"));
    assert!(s.skipped[1].reason.contains("numFinessEge"));

    let dir = open(&db);
    let gcs = lookup(&dir, &f("140000035")).unwrap().unwrap();
    assert_eq!(gcs.entity.kind, Some(EntityKind::Ej));
    assert_eq!(
        gcs.entity.name.as_deref(),
        Some("GCS FICTIF DE NORMANDIE"),
        "trimmed"
    );
    assert_eq!(gcs.entity.departement.as_deref(), Some("14"));
    assert_eq!(gcs.entity.postal_line.as_deref(), Some("14000 CAEN"));
    assert_eq!(gcs.entity.legal_status.as_deref(), Some("13"));
    assert!(!gcs.entity.is_closed());
    let egs: Vec<(&str, bool)> = gcs
        .egs
        .iter()
        .map(|e| (e.finess.as_str(), e.closed))
        .collect();
    assert_eq!(egs, vec![("140000043", false), ("750000010", true)]);
    let closed = dir.get("750000010").unwrap().unwrap();
    assert_eq!(closed.closed.as_deref(), Some("2025-12-31"));
    assert_eq!(closed.state.as_deref(), Some("I"));
    assert_eq!(closed.departement.as_deref(), Some("75"));
    assert_eq!(closed.updated.as_deref(), Some("2025-10-21"));
    assert!(dir.get("330000019").unwrap().unwrap().is_closed());
    assert_eq!(
        dir.get("971000013")
            .unwrap()
            .unwrap()
            .departement
            .as_deref(),
        Some("971")
    );

    // Same content with a BOM: same directory.
    let db2 = tmp.path().join("bom.sqlite");
    import_files(&db2, &["synthetic-structures-bom.json"]).unwrap();
    assert_eq!(open(&db2).all().unwrap(), dir.all().unwrap());
}

#[test]
fn csv_and_json_mixed() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("finess.sqlite");
    let s = import_files(
        &db,
        &[
            "synthetic-structures.json",
            "synthetic-ej-utf8.csv",
            "synthetic-eg-utf8-bom.csv",
        ],
    )
    .unwrap();
    assert_eq!((s.ej, s.eg), (10, 7));
    // The directory is as old as its oldest part.
    assert_eq!(s.data_date.as_deref(), Some("2026-05-12"));
    let dir = open(&db);
    assert!(dir.get("140000043").unwrap().is_some());
    assert!(dir.get("760000026").unwrap().is_some());
}

#[test]
fn same_files_again_same_directory_and_new_import_replaces() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("finess.sqlite");
    let files = ["synthetic-ej-utf8.csv", "synthetic-eg-utf8-bom.csv"];
    import_files(&db, &files).unwrap();
    let first = open(&db).all().unwrap();
    import_files(&db, &files).unwrap();
    let second = open(&db).all().unwrap();
    assert_eq!(first, second);
    assert_eq!(open(&db).info().unwrap().ej_count, 7);

    // A new import replaces the whole directory: nothing of the old one stays.
    import_files(&db, &["synthetic-structures.json"]).unwrap();
    let dir = open(&db);
    assert!(dir.get("760000018").unwrap().is_none());
    assert!(dir.get("140000035").unwrap().is_some());
    assert_eq!(dir.info().unwrap().ej_count, 3);
}

#[test]
fn refused_files_leave_the_directory_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("finess.sqlite");

    // No directory yet: a refused file creates nothing.
    let e = import_files(&db, &["not-an-extract.csv"]).unwrap_err();
    assert!(matches!(e, ImportError::NotFiness(..)), "{e:?}");
    assert!(e.to_string().contains("not-an-extract.csv"), "{e}");
    assert!(!db.exists());

    import_files(&db, &["synthetic-ej-utf8.csv"]).unwrap();
    let before = open(&db).all().unwrap();
    let before_info = open(&db).info().unwrap();

    for bad in [
        vec!["synthetic-eg-utf8-bom.csv", "not-an-extract.csv"],
        vec!["not-structures.json"],
        vec!["synthetic-structures-truncated.json"],
        vec![
            "synthetic-eg-utf8-bom.csv",
            "synthetic-structures-truncated.json",
        ],
        vec!["does-not-exist.csv"],
        vec!["SOURCES.md"],
    ] {
        let e = import_files(&db, &bad).unwrap_err();
        assert!(!e.to_string().is_empty());
        let dir = open(&db);
        assert_eq!(dir.all().unwrap(), before, "after {bad:?}: {e}");
        assert_eq!(dir.info().unwrap(), before_info, "after {bad:?}");
    }
    let e = import_files(&db, &["synthetic-structures-truncated.json"]).unwrap_err();
    assert!(matches!(e, ImportError::Json(..)), "{e:?}");
    assert!(matches!(
        import::import(&[], &db, false),
        Err(ImportError::NoFile)
    ));
}

#[test]
fn an_extract_without_structures_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let only_manifest = tmp.path().join("etalab-empty.csv");
    std::fs::write(&only_manifest, "finess;etalab;0;2026-05-12\n").unwrap();
    let db = tmp.path().join("finess.sqlite");
    import_files(&db, &["synthetic-ej-utf8.csv"]).unwrap();
    let e = import::import(&[only_manifest], &db, false).unwrap_err();
    assert!(matches!(e, ImportError::NothingRead), "{e:?}");
    assert_eq!(open(&db).info().unwrap().ej_count, 7);
}

#[test]
fn garbage_never_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("finess.sqlite");
    let inputs: Vec<Vec<u8>> = vec![
        b"finess;etalab;1;2026-05-12\n\xff\xfe\x00\x01;;;\n\"unterminated;quote\n".to_vec(),
        b"finess;etalab\n".to_vec(),
        b"{\"pmej\": [1, \"x\", null, {\"informationsGeneralesPMEJ\": 5}, {\"ege\": 3}]}".to_vec(),
        b"{\"pmej\": {}}".to_vec(),
        b"{\"gcc\": [], \"pmej\": [{\"informationsGeneralesPMEJ\": {\"numFinessPm\": \"010780054\"}, \"ege\": [null, 4, {\"informationsGeneralesEGE\": {\"numFinessEge\": \"010000024\"}, \"adresse\": \"x\"}]}]}".to_vec(),
        vec![0u8; 100],
        Vec::new(),
    ];
    for (i, bytes) in inputs.iter().enumerate() {
        let p = tmp.path().join(format!("g{i}"));
        std::fs::write(&p, bytes).unwrap();
        let _ = import::import(&[p], &db, false);
    }
    // The last JSON that could be read has one EJ and one EG, linked.
    let dir = open(&db);
    let eg = dir.get("010000024").unwrap().unwrap();
    assert_eq!(eg.ej.as_deref(), Some("010780054"));
}
