use super::*;

#[test]
fn agent_addresses_are_loopback_only() {
    for ok in [
        "http://127.0.0.1:8787",
        "127.0.0.1:8787",
        "http://localhost:8787/",
        "http://[::1]:9000",
    ] {
        let addr = parse_agent_address(ok).unwrap();
        assert!(addr.ip().is_loopback(), "{ok}");
    }
    assert_eq!(
        parse_agent_address("http://127.0.0.1:8787").unwrap().port(),
        8787
    );
    for bad in [
        "http://192.168.1.2:8787",
        "https://127.0.0.1:8787",
        "127.0.0.1",
        "http://localhost:x",
        "",
    ] {
        let e = parse_agent_address(bad).unwrap_err();
        assert!(e.contains("adresse d'agent invalide"), "{bad}: {e}");
    }
}
