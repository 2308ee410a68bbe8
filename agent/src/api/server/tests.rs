//! The connection policy (which connection makes room), and the loop itself on real sockets.

use std::io::{Read, Write};

use super::*;

fn entry(table: &Table, busy: u32, idle_since_ms: u64) -> Entry {
    let _ = table;
    Entry {
        activity: Arc::new(Activity {
            busy: AtomicU32::new(busy),
            idle_since_ms: AtomicU64::new(idle_since_ms),
        }),
        abort: None,
    }
}

#[test]
fn at_capacity_the_longest_idle_connection_makes_room() {
    let table = Table::new();
    {
        let mut entries = table.lock();
        for id in 0..MAX_CONNECTIONS as u64 {
            // Connection 7 has been idle longest; the even ones are busy (SSE streams…).
            let since = if id == 7 { 0 } else { 1_000_000 + id };
            let busy = u32::from(id % 2 == 0);
            entries.insert(id, entry(&table, busy, since));
        }
    }
    assert!(table.make_room());
    let entries = table.lock();
    assert_eq!(entries.len(), MAX_CONNECTIONS - 1);
    assert!(!entries.contains_key(&7), "the longest idle went");
}

#[test]
fn busy_connections_are_never_closed_to_make_room() {
    let table = Table::new();
    {
        let mut entries = table.lock();
        for id in 0..MAX_CONNECTIONS as u64 {
            entries.insert(id, entry(&table, 1, 0));
        }
    }
    assert!(
        !table.make_room(),
        "nothing idle: the new connection is refused"
    );
    assert_eq!(table.lock().len(), MAX_CONNECTIONS);
}

#[test]
fn under_pressure_idle_connections_are_closed_sooner() {
    // A table that started 10 s ago: "idle since 0" is 10 s idle, past `PRESSURE_IDLE`.
    let table = Table {
        start: Instant::now().checked_sub(Duration::from_secs(10)).unwrap(),
        entries: Mutex::new(HashMap::new()),
    };
    let now = table.now_ms();
    {
        let mut entries = table.lock();
        for id in 0..PRESSURE_AT as u64 {
            // Even: idle for 10 s; odd: idle since now; one long-idle but busy (a stream).
            let since = if id % 2 == 0 { 0 } else { now };
            let busy = u32::from(id == 2);
            entries.insert(id, entry(&table, busy, since));
        }
    }
    assert!(table.make_room());
    let entries = table.lock();
    assert_eq!(
        entries.len(),
        PRESSURE_AT / 2 + 1,
        "the stale idle half went"
    );
    assert!(entries.keys().all(|id| id % 2 == 1 || *id == 2));
    drop(entries);
    // Below the pressure mark, nobody is closed.
    let calm = Table {
        start: table.start,
        entries: Mutex::new(HashMap::new()),
    };
    calm.lock().insert(1, entry(&calm, 0, 0));
    assert!(calm.make_room());
    assert_eq!(calm.lock().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_on_every_listener_and_tracks_activity() {
    let v4 = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = v4.local_addr().unwrap().port();
    let v6 = std::net::TcpListener::bind(("::1", port)).unwrap();
    let listeners = [v4, v6]
        .into_iter()
        .map(|l| {
            l.set_nonblocking(true).unwrap();
            TcpListener::from_std(l).unwrap()
        })
        .collect();
    let router = Router::new().route("/", axum::routing::get(|| async { "bonjour" }));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listeners, router, async {
        let _ = stop_rx.await;
    }));
    let answers = tokio::task::spawn_blocking(move || {
        ["127.0.0.1", "[::1]"].map(|host| {
            let mut stream = std::net::TcpStream::connect(format!("{host}:{port}")).unwrap();
            write!(
                stream,
                "GET / HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer
        })
    })
    .await
    .unwrap();
    for answer in answers {
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("bonjour"), "{answer}");
    }
    let _ = stop_tx.send(());
    tokio::time::timeout(STOP_GRACE * 2, server)
        .await
        .unwrap()
        .unwrap();
}
