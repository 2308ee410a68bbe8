use super::*;

#[test]
fn manifest_line() {
    let m = manifest(b"\xEF\xBB\xBFfiness;etalab;111;2026-05-12\r\n").unwrap();
    assert_eq!(m.data_date.as_deref(), Some("2026-05-12"));
    assert!(manifest(b"finess;etalab;111;").unwrap().data_date.is_none());
    assert!(manifest(b"nofiness;rs;rslongue").is_none());
    assert!(manifest(b"{\"pmej\": []}").is_none());
}

#[test]
fn record_with_wrong_count_is_refused() {
    let r = ByteRecord::from(vec!["structureet", "010000024", "010780054"]);
    let e = parse_record(&r).unwrap_err();
    assert!(e.contains("3"), "{e}");
    let r = ByteRecord::from(vec!["bogus", "x"]);
    assert!(parse_record(&r).is_err());
}
