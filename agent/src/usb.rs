//! USB side of reader diagnostics (domain.md §6): which USB devices on this machine look like
//! smart-card readers, and whether the PC/SC driver (libccid) knows them. This tells "no reader
//! plugged" apart from "a reader (or a SESAM-Vitale terminal) is plugged but PC/SC does not see
//! it". Linux: sysfs and libccid's list (here); Windows: SetupAPI's device list (`pnp`).

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use utoipa::ToSchema;

pub mod pnp;

/// USB interface class of CCID smart-card readers (USB-IF "Smart Card" class).
const USB_CLASS_SMART_CARD: u8 = 0x0B;
/// Vendors of French health-sector terminals (SESAM-Vitale "PSS") that may expose no PC/SC
/// reader in some firmware modes. [inf] 0x0F14 is XIRING / Ingenico Healthcare in libccid's list.
const HEALTH_TERMINAL_VENDORS: &[u16] = &[0x0F14];

/// How a USB device relates to PC/SC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UsbReaderKind {
    /// In libccid's list of supported readers: pcscd should show it.
    CcidSupported,
    /// Has a smart-card (CCID) interface but is not in libccid's list.
    CcidUnlisted,
    /// A health-sector terminal without a CCID interface (PC/SC mode off, or proprietary).
    HealthTerminalNoCcid,
}

/// One USB device that is, or may be, a smart-card reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UsbReader {
    /// `vvvv:pppp`, lower-case hex as `lsusb` writes it.
    pub id: String,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub kind: UsbReaderKind,
}

/// The vendor/product pairs libccid drives, from its Info.plist.
#[derive(Debug, Default, Clone)]
pub struct LibccidList {
    pairs: HashSet<(u16, u16)>,
}

impl LibccidList {
    /// Reads Debian's libccid list; an absent or unreadable file gives an empty list.
    pub fn load(path: &Path) -> Self {
        fs::read_to_string(path)
            .map(|s| Self::parse(&s))
            .unwrap_or_default()
    }

    /// Parses the `ifdVendorID` and `ifdProductID` string arrays of the plist (paired by index).
    pub fn parse(plist: &str) -> Self {
        let vendors = plist_array(plist, "ifdVendorID");
        let products = plist_array(plist, "ifdProductID");
        let pairs = vendors
            .iter()
            .zip(products.iter())
            .filter_map(|(v, p)| Some((parse_hex_u16(v)?, parse_hex_u16(p)?)))
            .collect();
        LibccidList { pairs }
    }

    pub fn contains(&self, vendor: u16, product: u16) -> bool {
        self.pairs.contains(&(vendor, product))
    }

    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// The `<string>` values of `<key>NAME</key><array>…</array>` in a plist, in order.
fn plist_array(plist: &str, name: &str) -> Vec<String> {
    let key = format!("<key>{name}</key>");
    let Some(start) = plist.find(&key) else {
        return Vec::new();
    };
    let rest = &plist[start + key.len()..];
    let Some(open) = rest.find("<array>") else {
        return Vec::new();
    };
    let Some(close) = rest.find("</array>") else {
        return Vec::new();
    };
    if close < open {
        return Vec::new();
    }
    rest[open..close]
        .split("<string>")
        .skip(1)
        .filter_map(|s| s.split("</string>").next())
        .map(|s| s.trim().to_string())
        .collect()
}

fn parse_hex_u16(s: &str) -> Option<u16> {
    let s = s.trim();
    let s = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    u16::from_str_radix(s, 16).ok()
}

fn read_attr(dir: &Path, name: &str) -> Option<String> {
    fs::read_to_string(dir.join(name))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Scans a sysfs USB tree (`/sys/bus/usb/devices` on Linux) for devices that are, or may be,
/// smart-card readers. Unreadable entries are skipped: diagnostics never fail.
pub fn scan(sysfs: &Path, libccid: &LibccidList) -> Vec<UsbReader> {
    let Ok(entries) = fs::read_dir(sysfs) else {
        return Vec::new();
    };
    let mut devices: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    devices.sort();
    let mut found = Vec::new();
    for dev in &devices {
        // Devices have idVendor; interfaces (`1-1:1.0`) do not.
        let (Some(v), Some(p)) = (read_attr(dev, "idVendor"), read_attr(dev, "idProduct")) else {
            continue;
        };
        let (Some(vendor), Some(product)) = (parse_hex_u16(&v), parse_hex_u16(&p)) else {
            continue;
        };
        let dev_name = dev.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let has_ccid_interface = devices.iter().any(|intf| {
            let is_child = intf
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{dev_name}:")));
            is_child
                && read_attr(intf, "bInterfaceClass").and_then(|c| u8::from_str_radix(&c, 16).ok())
                    == Some(USB_CLASS_SMART_CARD)
        });
        let kind = if libccid.contains(vendor, product) {
            UsbReaderKind::CcidSupported
        } else if has_ccid_interface {
            UsbReaderKind::CcidUnlisted
        } else if HEALTH_TERMINAL_VENDORS.contains(&vendor) {
            UsbReaderKind::HealthTerminalNoCcid
        } else {
            continue;
        };
        found.push(UsbReader {
            id: format!("{vendor:04x}:{product:04x}"),
            manufacturer: read_attr(dev, "manufacturer"),
            product: read_attr(dev, "product"),
            kind,
        });
    }
    found
}

#[cfg(test)]
mod tests;
