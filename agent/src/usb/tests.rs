use super::*;

const PLIST: &str = r#"<plist><dict>
    <key>ifdVendorID</key>
    <array>
        <string>0x0F14</string>
        <string>0x076B</string>
    </array>
    <key>ifdProductID</key>
    <array>
        <string>0x003B</string>
        <string>0x3021</string>
    </array>
    <key>ifdFriendlyName</key>
    <array><string>INGENICO Leo</string><string>OMNIKEY AG CardMan 3121</string></array>
</dict></plist>"#;

fn device(root: &Path, name: &str, vid: &str, pid: &str, product: &str) {
    let d = root.join(name);
    fs::create_dir_all(&d).unwrap();
    fs::write(d.join("idVendor"), format!("{vid}\n")).unwrap();
    fs::write(d.join("idProduct"), format!("{pid}\n")).unwrap();
    fs::write(d.join("product"), format!("{product}\n")).unwrap();
}

fn interface(root: &Path, name: &str, class: &str) {
    let d = root.join(name);
    fs::create_dir_all(&d).unwrap();
    fs::write(d.join("bInterfaceClass"), format!("{class}\n")).unwrap();
}

#[test]
fn parses_libccid_pairs() {
    let l = LibccidList::parse(PLIST);
    assert_eq!(l.len(), 2);
    assert!(l.contains(0x0F14, 0x003B));
    assert!(l.contains(0x076B, 0x3021));
    assert!(!l.contains(0x076B, 0x003B));
    assert!(LibccidList::parse("garbage <key>ifdVendorID</key>").is_empty());
}

#[test]
fn classifies_usb_devices() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    device(root, "1-1", "076b", "3021", "CardMan 3121");
    interface(root, "1-1:1.0", "0b");
    device(root, "1-2", "1234", "5678", "Unknown CCID");
    interface(root, "1-2:1.0", "0b");
    device(root, "1-3", "0f14", "9999", "Terminal PSS");
    interface(root, "1-3:1.0", "ff");
    device(root, "1-4", "046d", "c077", "Mouse");
    interface(root, "1-4:1.0", "03");
    fs::create_dir_all(root.join("usb1")).unwrap(); // a root hub without attributes
    let found = scan(root, &LibccidList::parse(PLIST));
    let kinds: Vec<_> = found.iter().map(|r| (r.id.as_str(), r.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            ("076b:3021", UsbReaderKind::CcidSupported),
            ("1234:5678", UsbReaderKind::CcidUnlisted),
            ("0f14:9999", UsbReaderKind::HealthTerminalNoCcid),
        ]
    );
    assert_eq!(found[0].product.as_deref(), Some("CardMan 3121"));
}

#[test]
fn missing_sysfs_gives_nothing() {
    assert!(scan(Path::new("/nonexistent/usb"), &LibccidList::default()).is_empty());
}
