//! Windows' view of USB devices (SetupAPI, `../shared/design/readers.md` §1.6), turned into the
//! same [`UsbReader`] list as sysfs gives on Linux. The Win32 calls that read the devices are in
//! `platform/windows/setupapi.rs`; what they read is decided here, in portable code, so that it
//! is tested on recorded device lists (Wine shows no USB devices).
//!
//! A device is one node of the USB enumerator (`USB\VID_076B&PID_3031&REV_0100`); a composite
//! device has a parent node and one node per interface (`…&MI_00`). A node is a smart-card
//! reader when Windows put it in the SmartCardReader setup class; it has a CCID interface when
//! one of its ids is `USB\Class_0B…` (what Microsoft's in-box `WUDFUsbccidDriver` binds).

use super::{UsbReader, UsbReaderKind, HEALTH_TERMINAL_VENDORS, USB_CLASS_SMART_CARD};

/// `GUID_DEVCLASS_SMARTCARDREADER` (winsmcrd.h), as SetupAPI writes a class GUID.
pub const SMARTCARD_READER_CLASS: &str = "{50DD5230-BA8A-11D1-BF5D-0000F805F530}";

/// What SetupAPI says of one present node of the USB enumerator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PnpDevice {
    /// `SPDRP_HARDWAREID` (most specific first).
    pub hardware_ids: Vec<String>,
    /// `SPDRP_COMPATIBLEIDS` (`USB\Class_0B&SubClass_00&Prot_00`, …).
    pub compatible_ids: Vec<String>,
    /// `SPDRP_CLASSGUID`, absent when no driver was installed.
    pub class_guid: Option<String>,
    /// `SPDRP_MFG`.
    pub manufacturer: Option<String>,
    /// `SPDRP_FRIENDLYNAME`, else `SPDRP_DEVICEDESC`.
    pub description: Option<String>,
    /// The `CM_PROB_*` code when the node has a problem (`DN_HAS_PROBLEM`): 28 no driver,
    /// 10 cannot start, 22 disabled…
    pub problem: Option<u32>,
}

impl PnpDevice {
    /// The `VID_xxxx&PID_yyyy` of its first USB hardware id.
    pub fn vid_pid(&self) -> Option<(u16, u16)> {
        self.hardware_ids.iter().find_map(|id| vid_pid(id))
    }

    /// Whether this node is an interface of a composite device (`&MI_nn`).
    fn is_interface(&self) -> bool {
        self.hardware_ids
            .iter()
            .any(|id| id.to_ascii_uppercase().contains("&MI_"))
    }

    fn is_reader_class(&self) -> bool {
        self.class_guid
            .as_deref()
            .is_some_and(|g| g.trim().eq_ignore_ascii_case(SMARTCARD_READER_CLASS))
    }

    fn has_ccid_id(&self) -> bool {
        self.hardware_ids
            .iter()
            .chain(&self.compatible_ids)
            .any(|id| usb_class(id) == Some(USB_CLASS_SMART_CARD))
    }
}

/// `(vendor, product)` of a USB hardware id: `USB\VID_076B&PID_3031&REV_0100` → (0x076B, 0x3031).
pub fn vid_pid(id: &str) -> Option<(u16, u16)> {
    let upper = id.trim().to_ascii_uppercase();
    let rest = upper.strip_prefix("USB\\")?;
    let mut vendor = None;
    let mut product = None;
    for part in rest.split('&') {
        if let Some(v) = part.strip_prefix("VID_") {
            vendor = hex4(v);
        } else if let Some(p) = part.strip_prefix("PID_") {
            product = hex4(p);
        }
    }
    Some((vendor?, product?))
}

fn hex4(s: &str) -> Option<u16> {
    (s.len() == 4)
        .then(|| u16::from_str_radix(s, 16).ok())
        .flatten()
}

/// The interface class of a compatible id: `USB\Class_0B&SubClass_00&Prot_00` → 0x0B.
pub fn usb_class(id: &str) -> Option<u8> {
    let upper = id.trim().to_ascii_uppercase();
    let class = upper.strip_prefix("USB\\CLASS_")?;
    let class = class.split('&').next()?;
    (class.len() == 2)
        .then(|| u8::from_str_radix(class, 16).ok())
        .flatten()
}

/// A `REG_MULTI_SZ` buffer (NUL-separated, ending with two NULs) as strings; stops at the
/// first empty string or the buffer's end, whichever comes first (never reads past it).
pub fn multi_sz(units: &[u16]) -> Vec<String> {
    units
        .split(|&u| u == 0)
        .take_while(|s| !s.is_empty())
        .map(String::from_utf16_lossy)
        .collect()
}

/// A `REG_SZ` buffer as a string (up to its first NUL), `None` when empty.
pub fn reg_sz(units: &[u16]) -> Option<String> {
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    let text = String::from_utf16_lossy(&units[..end]);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The USB devices that are, or may be, smart-card readers, one per vendor/product pair, in
/// the order SetupAPI listed them:
/// - a node in the SmartCardReader class without a problem: its driver is there, PC/SC should
///   show it ([`UsbReaderKind::CcidSupported`]);
/// - else a CCID interface (`USB\Class_0B`) or a reader node with a problem (no driver, cannot
///   start): no working reader driver ([`UsbReaderKind::CcidUnlisted`]);
/// - else a health-sector terminal's vendor: no PC/SC interface exposed
///   ([`UsbReaderKind::HealthTerminalNoCcid`]).
pub fn classify(devices: &[PnpDevice]) -> Vec<UsbReader> {
    let mut pairs: Vec<(u16, u16)> = Vec::new();
    for pair in devices.iter().filter_map(PnpDevice::vid_pid) {
        if !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    let mut found = Vec::new();
    for (vendor, product) in pairs {
        let nodes: Vec<&PnpDevice> = devices
            .iter()
            .filter(|d| d.vid_pid() == Some((vendor, product)))
            .collect();
        let working_reader = nodes
            .iter()
            .any(|d| d.is_reader_class() && d.problem.is_none());
        let ccid = nodes.iter().any(|d| d.has_ccid_id() || d.is_reader_class());
        let kind = if working_reader {
            UsbReaderKind::CcidSupported
        } else if ccid {
            UsbReaderKind::CcidUnlisted
        } else if HEALTH_TERMINAL_VENDORS.contains(&vendor) {
            UsbReaderKind::HealthTerminalNoCcid
        } else {
            continue;
        };
        // Names from the reader's own node (the interface of a composite device: its parent is
        // a « USB Composite Device »), else the device itself, else any of its nodes.
        let named = nodes
            .iter()
            .find(|d| d.is_reader_class() || d.has_ccid_id())
            .or_else(|| nodes.iter().find(|d| !d.is_interface()))
            .or_else(|| nodes.first())
            .copied();
        let pick = |get: fn(&PnpDevice) -> &Option<String>| {
            named
                .and_then(|d| get(d).clone())
                .or_else(|| nodes.iter().find_map(|d| get(d).clone()))
        };
        found.push(UsbReader {
            id: format!("{vendor:04x}:{product:04x}"),
            manufacturer: pick(|d| &d.manufacturer),
            product: pick(|d| &d.description),
            kind,
        });
    }
    found
}

#[cfg(test)]
mod tests;
