use super::*;
use std::os::unix::fs::PermissionsExt;

#[test]
fn token_is_created_private_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/token");
    let first = Token::load_or_create(&path).unwrap();
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let again = Token::load_or_create(&path).unwrap();
    assert!(again.matches(first.as_str()));
    assert!(!again.matches("00"));
    assert_eq!(first.as_str().len(), 64);
}

#[test]
fn a_token_readable_by_others_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    let first = Token::load_or_create(&path).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let second = Token::load_or_create(&path).unwrap();
    assert!(!second.matches(first.as_str()));
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}
