//! On device lists recorded from Windows 10/11 desks (SetupAPI's strings as `pnputil
//! /enum-devices /connected /ids` prints them), since Wine shows no USB devices.

use super::*;

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn node(
    hardware: &[&str],
    compatible: &[&str],
    class: Option<&str>,
    names: (&str, &str),
    problem: Option<u32>,
) -> PnpDevice {
    PnpDevice {
        hardware_ids: strings(hardware),
        compatible_ids: strings(compatible),
        class_guid: class.map(str::to_string),
        manufacturer: Some(names.0.to_string()).filter(|s| !s.is_empty()),
        description: Some(names.1.to_string()).filter(|s| !s.is_empty()),
        problem,
    }
}

const CCID: &[&str] = &[
    "USB\\Class_0B&SubClass_00&Prot_00",
    "USB\\Class_0B&SubClass_00",
    "USB\\Class_0B",
];
const USB_CLASS: &str = "{36fc9e60-c465-11cf-8056-444553540000}";
const HID_CLASS: &str = "{745a17a0-74d3-11d0-b6fe-00a0c90f57da}";

/// An OMNIKEY 3121 on Microsoft's in-box CCID driver.
fn omnikey() -> PnpDevice {
    node(
        &["USB\\VID_076B&PID_3031&REV_0100", "USB\\VID_076B&PID_3031"],
        CCID,
        Some("{50dd5230-ba8a-11d1-bf5d-0000f805f530}"),
        ("HID Global", "HID Global OMNIKEY 3x21 Smart Card Reader"),
        None,
    )
}

/// What every desk also has: a hub, a keyboard.
fn the_rest() -> Vec<PnpDevice> {
    vec![
        node(
            &["USB\\ROOT_HUB30&VID8086&PID9DED&REV0030", "USB\\ROOT_HUB30"],
            &[],
            Some(USB_CLASS),
            (
                "(Concentrateur USB standard)",
                "Concentrateur USB racine (USB 3.0)",
            ),
            None,
        ),
        node(
            &["USB\\VID_046D&PID_C31C&REV_6400", "USB\\VID_046D&PID_C31C"],
            &[
                "USB\\Class_03&SubClass_01&Prot_01",
                "USB\\Class_03&SubClass_01",
                "USB\\Class_03",
            ],
            Some(HID_CLASS),
            (
                "(Périphériques système standard)",
                "Périphérique d'entrée USB",
            ),
            None,
        ),
    ]
}

#[test]
fn a_reader_with_its_driver_is_supported_and_named() {
    let mut devices = the_rest();
    devices.push(omnikey());
    assert_eq!(
        classify(&devices),
        vec![UsbReader {
            id: "076b:3031".into(),
            manufacturer: Some("HID Global".into()),
            product: Some("HID Global OMNIKEY 3x21 Smart Card Reader".into()),
            kind: UsbReaderKind::CcidSupported,
        }]
    );
}

#[test]
fn a_ccid_reader_without_a_driver_is_unlisted() {
    // Code 28 (CM_PROB_FAILED_INSTALL): no driver; no class yet.
    let devices = vec![node(
        &["USB\\VID_0B00&PID_0090&REV_0100", "USB\\VID_0B00&PID_0090"],
        CCID,
        None,
        ("", "USB Smart Card Reader"),
        Some(28),
    )];
    let found = classify(&devices);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "0b00:0090");
    assert_eq!(found[0].kind, UsbReaderKind::CcidUnlisted);
    assert_eq!(found[0].manufacturer, None);
    assert_eq!(found[0].product.as_deref(), Some("USB Smart Card Reader"));
}

#[test]
fn a_reader_whose_driver_cannot_start_is_unlisted() {
    // Code 10 (CM_PROB_FAILED_START) on the reader interface of a composite device: named by
    // the interface, not by its « USB Composite Device » parent.
    let devices = vec![
        node(
            &["USB\\VID_04E6&PID_5116&REV_0620", "USB\\VID_04E6&PID_5116"],
            &[
                "USB\\DevClass_00&SubClass_00&Prot_00",
                "USB\\DevClass_00",
                "USB\\COMPOSITE",
            ],
            Some(USB_CLASS),
            (
                "(Contrôleur hôte USB standard)",
                "Périphérique USB composite",
            ),
            None,
        ),
        node(
            &[
                "USB\\VID_04E6&PID_5116&REV_0620&MI_00",
                "USB\\VID_04E6&PID_5116&MI_00",
            ],
            CCID,
            Some("{50DD5230-BA8A-11D1-BF5D-0000F805F530}"),
            ("Microsoft", "Microsoft Usbccid Smartcard Reader (WUDF)"),
            Some(10),
        ),
    ];
    let found = classify(&devices);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, UsbReaderKind::CcidUnlisted);
    assert_eq!(
        found[0].product.as_deref(),
        Some("Microsoft Usbccid Smartcard Reader (WUDF)")
    );
    // The same interface working: supported, one entry for the device.
    let mut working = devices.clone();
    working[1].problem = None;
    let found = classify(&working);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, UsbReaderKind::CcidSupported);
}

#[test]
fn a_health_terminal_without_ccid_is_named_as_such() {
    // An Ingenico (ex-XIRING) terminal in its serial (CDC) mode: no smart-card interface.
    let devices = vec![node(
        &["USB\\VID_0F14&PID_0038&REV_0100", "USB\\VID_0F14&PID_0038"],
        &[
            "USB\\Class_02&SubClass_02&Prot_01",
            "USB\\Class_02&SubClass_02",
            "USB\\Class_02",
        ],
        Some("{4d36e978-e325-11ce-bfc1-08002be10318}"),
        ("Ingenico", "Périphérique série USB (COM3)"),
        None,
    )];
    let found = classify(&devices);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "0f14:0038");
    assert_eq!(found[0].kind, UsbReaderKind::HealthTerminalNoCcid);
}

#[test]
fn other_devices_and_malformed_ids_give_nothing() {
    assert!(classify(&the_rest()).is_empty());
    assert!(classify(&[]).is_empty());
    let odd = vec![
        node(&["USB\\VID_XYZ1&PID_0001"], CCID, None, ("", ""), None),
        node(&["USB\\VID_076B"], CCID, None, ("", ""), None),
        node(&["HID\\VID_076B&PID_3031"], CCID, None, ("", ""), None),
        node(&[""], &["USB\\Class_"], None, ("", ""), None),
        node(&[], CCID, None, ("", ""), None),
    ];
    assert!(classify(&odd).is_empty());
}

#[test]
fn ids_are_parsed_without_regard_to_case() {
    assert_eq!(
        vid_pid("USB\\VID_076B&PID_3031&REV_0100"),
        Some((0x076B, 0x3031))
    );
    assert_eq!(vid_pid("usb\\vid_0b00&pid_0090"), Some((0x0B00, 0x0090)));
    assert_eq!(vid_pid("USB\\VID_076B&PID_30311"), None);
    assert_eq!(usb_class("USB\\Class_0B&SubClass_00&Prot_00"), Some(0x0B));
    assert_eq!(usb_class("USB\\CLASS_0b"), Some(0x0B));
    assert_eq!(usb_class("USB\\DevClass_00"), None);
    assert_eq!(usb_class("USB\\Class_0BB"), None);
}

#[test]
fn registry_strings_are_read_within_their_buffer() {
    let units: Vec<u16> = "USB\\VID_076B&PID_3031&REV_0100\0USB\\VID_076B&PID_3031\0\0"
        .encode_utf16()
        .collect();
    assert_eq!(
        multi_sz(&units),
        vec!["USB\\VID_076B&PID_3031&REV_0100", "USB\\VID_076B&PID_3031"]
    );
    // Without its final NULs (a truncated buffer): what is there, nothing past it.
    let cut: Vec<u16> = "USB\\Class_0B\0USB\\Cla".encode_utf16().collect();
    assert_eq!(multi_sz(&cut), vec!["USB\\Class_0B", "USB\\Cla"]);
    assert!(multi_sz(&[]).is_empty());
    let sz: Vec<u16> = "HID Global\0garbage".encode_utf16().collect();
    assert_eq!(reg_sz(&sz).as_deref(), Some("HID Global"));
    assert_eq!(reg_sz(&[0, 0]), None);
    assert_eq!(reg_sz(&[]), None);
}

#[test]
fn windows_words_name_the_driver_and_the_service_not_libccid() {
    use crate::platform::Os;
    use crate::text::labels::usb_device_not_seen_on;
    let supported = classify(&[omnikey()]).remove(0);
    let text = usb_device_not_seen_on(Os::Windows, &supported);
    assert!(
        text.contains("SCardSvr") && text.contains("OMNIKEY"),
        "{text}"
    );
    assert!(
        !text.contains("systemctl") && !text.contains("libccid"),
        "{text}"
    );
    let unlisted = UsbReader {
        kind: UsbReaderKind::CcidUnlisted,
        ..supported.clone()
    };
    let text = usb_device_not_seen_on(Os::Windows, &unlisted);
    assert!(text.contains("pilote du fabricant"), "{text}");
    assert!(!text.contains("libccid"), "{text}");
    // Linux keeps its own words.
    assert!(usb_device_not_seen_on(Os::Linux, &unlisted).contains("libccid"));
    assert!(usb_device_not_seen_on(Os::Linux, &supported).contains("systemctl restart pcscd"));
}
