use super::*;

#[test]
fn record_round_trip_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cpx-agent").join("port");
    let record = PortRecord {
        port: 8788,
        pid: 4242,
    };
    write(&path, record).unwrap();
    assert_eq!(read(&path), Some(record));
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "port=8788\npid=4242\n",
        "the documented format"
    );
    // Other users can read neither the file nor its directory (mode bits on Linux).
    assert_eq!(crate::platform::is_private(&path).unwrap(), Ok(()));
    assert_eq!(
        crate::platform::is_private(path.parent().unwrap()).unwrap(),
        Ok(())
    );
    // Replaced whole.
    let next = PortRecord {
        port: 8789,
        pid: 4243,
    };
    write(&path, next).unwrap();
    assert_eq!(read(&path), Some(next));
    remove_if_ours(&path, 4242);
    assert!(path.exists(), "another agent's record stays");
    remove_if_ours(&path, 4243);
    assert!(!path.exists());
}

#[test]
fn malformed_records_are_ignored() {
    for text in [
        "",
        "port=8787\n",
        "pid=1\n",
        "port=0\npid=1\n",
        "port=x\npid=1",
        "8787 1",
    ] {
        assert_eq!(PortRecord::parse(text), None, "{text:?}");
    }
    assert_eq!(
        PortRecord::parse(" pid=7 \nport=8790\nother=1\n"),
        Some(PortRecord { port: 8790, pid: 7 })
    );
}

#[test]
fn only_a_running_agent_is_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("port");
    // This test process runs, but it is not a cpx-agent (a reused pid).
    write(
        &path,
        PortRecord {
            port: 8787,
            pid: std::process::id(),
        },
    )
    .unwrap();
    assert_eq!(read_live(&path), None);
    let locator = Locator::PortFile(path.clone());
    assert_eq!(locator.resolve(), Err(NotFound::NotRunning(path.clone())));
    let message = locator.resolve().unwrap_err().to_string();
    assert!(message.contains("cpx-agent run"), "{message}");
    // A pid that does not exist.
    write(
        &path,
        PortRecord {
            port: 8787,
            pid: u32::MAX / 2,
        },
    )
    .unwrap();
    assert_eq!(read_live(&path), None);
    let fixed: SocketAddr = "127.0.0.1:9000".parse().unwrap();
    assert_eq!(Locator::new(Some(fixed)).unwrap().resolve(), Ok(fixed));
    // [::1] configured: reached on 127.0.0.1, which the agent always holds.
    let v6: SocketAddr = "[::1]:9000".parse().unwrap();
    assert_eq!(Locator::new(Some(v6)).unwrap().resolve(), Ok(fixed));
}
