use super::*;

#[test]
fn utf8_and_windows_1252() {
    assert_eq!(field("Médico".as_bytes()), "Médico");
    assert_eq!(field(b"M\xE9dico \x80"), "Médico €");
    assert_eq!(opt_field(b"  "), None);
    assert_eq!(opt_field(b" AIN "), Some("AIN".to_string()));
}

#[test]
fn bom_is_skipped_once() {
    let mut r = io::Cursor::new(b"\xEF\xBB\xBFfiness".to_vec());
    skip_bom(&mut r).unwrap();
    let mut s = String::new();
    io::Read::read_to_string(&mut r, &mut s).unwrap();
    assert_eq!(s, "finess");
}
