use super::*;

#[test]
fn each_system_has_its_own_remedy() {
    assert!(pcsc_remedy_on(Os::Linux).contains("systemctl start pcscd"));
    let windows = pcsc_remedy_on(Os::Windows);
    assert!(windows.contains("SCardSvr") && windows.contains("« Carte à puce »"));
    // Windows stops the service with the last reader: plugging one is the first remedy.
    assert!(windows.contains("dernier lecteur") && windows.contains("branchez un lecteur"));
    assert!(!windows.contains("systemctl"));
    // A system the agent does not support yet: no guessed command.
    for os in [Os::MacOs, Os::Other] {
        let text = pcsc_remedy_on(os);
        assert!(text.contains("pas encore pris en charge"), "{text}");
        assert!(!text.contains('`'), "{text}");
    }
    assert_eq!(pcsc_remedy(), pcsc_remedy_on(platform::CURRENT));
}
