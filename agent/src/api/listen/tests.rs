use super::*;

fn v6_squatter() -> (TcpListener, u16) {
    // A port free on both families, then taken on [::1] only.
    let probe = bind_both(0).unwrap();
    let port = probe.port;
    drop(probe);
    (
        TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).unwrap(),
        port,
    )
}

#[test]
fn both_families_are_held_on_one_port() {
    let listening = bind_both(0).unwrap();
    assert!(listening.ipv6, "this machine has ::1");
    let addrs: Vec<SocketAddr> = listening
        .listeners
        .iter()
        .map(|l| l.local_addr().unwrap())
        .collect();
    assert_eq!(
        addrs,
        [
            SocketAddr::from((Ipv4Addr::LOCALHOST, listening.port)),
            SocketAddr::from((Ipv6Addr::LOCALHOST, listening.port)),
        ]
    );
    // Nobody else gets either of them.
    for addr in addrs {
        assert_eq!(
            TcpListener::bind(addr).unwrap_err().kind(),
            io::ErrorKind::AddrInUse
        );
    }
}

#[test]
fn a_squatter_on_the_other_family_stops_a_configured_port() {
    let (_squatter, port) = v6_squatter();
    let configured = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match listen(Some(configured)) {
        Err(ListenError::Taken(addr)) => {
            assert_eq!(addr, SocketAddr::from((Ipv6Addr::LOCALHOST, port)))
        }
        other => panic!("expected the [::1] port taken, got {other:?}"),
    }
    // And nothing is left half-bound: 127.0.0.1:port is free again.
    drop(TcpListener::bind(configured).unwrap());
}

#[test]
fn the_automatic_rule_skips_ports_taken_on_either_family() {
    let (_squatter, port) = v6_squatter();
    let Some(next) = port.checked_add(1) else {
        return;
    };
    // The next port must be free for the rule to land on it; if something holds it, the rule
    // goes further, which the assertion below allows.
    let listening = automatic(port, 50).unwrap();
    assert!(listening.port >= next, "{} taken on [::1]", port);
    assert!(listening.ipv6);
    let v4_taken = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
    let taken = v4_taken.local_addr().unwrap().port();
    match automatic(taken, 1) {
        Err(ListenError::NoFreePort { first, last }) => assert_eq!((first, last), (taken, taken)),
        other => panic!("expected no free port, got {other:?}"),
    }
}

#[test]
fn only_loopback() {
    let addr: SocketAddr = "0.0.0.0:8787".parse().unwrap();
    assert!(matches!(listen(Some(addr)), Err(ListenError::NotLoopback(a)) if a == addr));
}
