use std::os::unix::fs::PermissionsExt;

use super::*;

#[test]
fn a_private_file_is_the_owners_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret");
    create_private_file(&path).unwrap();
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(is_private(&path).unwrap(), Ok(()));
    // Never over an existing file.
    assert_eq!(
        create_private_file(&path).unwrap_err().kind(),
        io::ErrorKind::AlreadyExists
    );
}

#[test]
fn a_file_others_may_read_is_not_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("open");
    fs::write(&path, "x").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(is_private(&path).unwrap(), Err("droits 640".to_string()));
    assert_eq!(
        is_private(&dir.path().join("absent")).unwrap_err().kind(),
        io::ErrorKind::NotFound
    );
}

#[test]
fn a_private_directory_is_made_0700() {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("a").join("cpx-agent");
    ensure_private_dir(&inner).unwrap();
    assert_eq!(
        fs::metadata(&inner).unwrap().permissions().mode() & 0o777,
        0o700
    );
}

#[test]
fn the_organisation_default_is_in_etc() {
    assert_eq!(
        system_config_file(),
        Some(PathBuf::from("/etc/cpx-agent/config.toml"))
    );
    assert_eq!(CURRENT, Os::Linux);
}

#[test]
fn debian_libccid_list_loads_when_installed() {
    let p = Path::new(LIBCCID_INFO_PLIST);
    if p.exists() {
        let l = LibccidList::load(p);
        assert!(
            l.len() > 100,
            "libccid lists hundreds of readers, got {}",
            l.len()
        );
        // OMNIKEY CardMan 3121, a common desk reader.
        assert!(l.contains(0x076B, 0x3021));
    }
}

#[tokio::test]
async fn sigterm_is_a_stop_request() {
    // Once listening, a SIGTERM can no longer end the test process.
    let mut signals = StopSignals::listen().unwrap();
    let mut waiting = tokio::spawn(async move { signals.recv().await });
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let got = loop {
        // SAFETY: sends SIGTERM to this process, which catches it (above).
        unsafe { libc::kill(libc::getpid(), libc::SIGTERM) };
        tokio::select! {
            got = &mut waiting => break got.unwrap(),
            _ = tokio::time::sleep(std::time::Duration::from_millis(50)) => {}
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no stop request seen"
        );
    };
    assert_eq!(got, StopRequest::Terminate);
}
