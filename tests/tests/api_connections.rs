//! End to end (issue 9 §2, §3): where the agent listens and who can starve it. The agent
//! holds its port on both loopback families; another program holding `[::1]:PORT` (a squatter
//! waiting for the `Authorization` header of clients reaching the agent by `[::1]` or
//! `localhost`) stops it with a clear French error and exit code 4, never a half-listen.
//! 600 idle connections (a flood, or a slowloris) do not delay a request that comes after
//! them: it answers within 100 ms, by the agent's own connection policy (the idle connections
//! that have waited longest are closed to make room), and a token holder's event stream opened
//! before the flood keeps flowing.

mod daemon_support;

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;

/// A port free on both loopback families (the agent needs both).
fn free_port_both() -> u16 {
    loop {
        let port = free_port();
        if TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).is_ok() {
            return port;
        }
    }
}

#[test]
fn the_agent_holds_both_families_or_does_not_start() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start(&pcscd);
    let port = agent.addr.port();
    // The same agent answers on [::1], under that name.
    let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, port));
    for host in [format!("[::1]:{port}"), format!("localhost:{port}")] {
        let answer = raw_request(
            v6,
            format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(status_code(&answer), 200, "{host}: {answer}");
    }
    assert_eq!(
        TcpListener::bind(v6).unwrap_err().kind(),
        ErrorKind::AddrInUse,
        "nobody else gets [::1]:{port}"
    );

    // A squatter on [::1] before the agent starts: exit 4, in French, naming it.
    let port = free_port_both();
    let squatter = TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, format!("[api]\nlisten = \"127.0.0.1:{port}\"\n")).unwrap();
    let mut refused = spawn_agent(&pcscd, dir.path(), &config);
    let status = refused.wait().unwrap();
    let log = std::fs::read_to_string(dir.path().join("agent.log")).unwrap();
    assert_eq!(status.code(), Some(4), "{log}");
    assert!(log.contains(&format!("[::1]:{port}")), "{log}");
    assert!(log.contains("déjà utilisé"), "{log}");
    // No half-listen left behind: 127.0.0.1:port was released.
    drop(TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).unwrap());
    assert!(
        !dir.path().join("run/cpx-agent/port").exists(),
        "no port file for an agent that did not start"
    );
    drop(squatter);
}

/// The accept queue of the listening socket on `port` (`rx_queue` of a LISTEN socket in
/// /proc/net/tcp): connections the kernel completed that the agent has not accepted yet.
fn accept_queue(port: u16) -> Option<u64> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let local = format!("0100007F:{port:04X}");
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // sl local rem st tx_queue:rx_queue …; st 0A = LISTEN.
        if fields.get(1) == Some(&local.as_str()) && fields.get(3) == Some(&"0A") {
            let (_, rx) = fields.get(4)?.split_once(':')?;
            u64::from_str_radix(rx, 16).ok()
        } else {
            None
        }
    })
}

#[test]
fn six_hundred_idle_connections_do_not_delay_a_request() {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start(&pcscd);
    let port = agent.addr.port();
    // The tray's stream, opened before the flood.
    let tray = agent.events(None, true);
    assert_eq!(tray.next().name, "snapshot");

    let mut idle = Vec::with_capacity(600);
    for i in 0..600 {
        let stream = TcpStream::connect_timeout(&agent.addr, WAIT)
            .unwrap_or_else(|e| panic!("idle connection {i}: {e}"));
        idle.push(stream);
    }
    // Wait until the agent has taken every connection from the kernel (its policy has run
    // for all 600), so the request below is not merely queued behind them.
    let deadline = Instant::now() + WAIT;
    while accept_queue(port).is_none_or(|queued| queued > 0) {
        assert!(
            Instant::now() < deadline,
            "the agent never accepted the flood"
        );
        std::thread::sleep(Duration::from_millis(5));
    }

    let start = Instant::now();
    let mut stream = TcpStream::connect(agent.addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        agent.addr
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let elapsed = start.elapsed();
    println!("request after 600 idle connections: {elapsed:?}");
    assert_eq!(status_code(&answer), 200, "{answer}");
    assert!(
        elapsed < Duration::from_millis(100),
        "a request after 600 idle connections took {elapsed:?}"
    );

    // The oldest idle connections were the ones closed (at least 600 + 1 - 512).
    let closed = idle
        .iter_mut()
        .filter_map(|s| {
            // Closed: end of stream at once; still open: nothing to read (would block).
            s.set_nonblocking(true).unwrap();
            matches!(s.read(&mut [0u8; 1]), Ok(0)).then_some(())
        })
        .count();
    assert!(closed >= 89, "{closed} idle connections closed");

    // The stream opened before the flood still flows.
    let _card = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    let events = tray.until("card_read");
    // (The démarche's `checklist_changed` may come between: it is not about this card.)
    let first = events.iter().find(|e| e.name != "checklist_changed");
    assert_eq!(
        first.map(|e| e.name.as_str()),
        Some("card_inserted"),
        "{events:?}"
    );
}
