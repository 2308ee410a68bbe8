//! The reader catalog: the CCID readers and SESAM-Vitale terminals desks really use, from
//! `shared/design/readers.md` (facts tagged [C] there, with their sources: libccid's
//! `readers/supported_readers.txt` and descriptor dumps, CCID issue 105, pcsc-tools issue 80).
//! Only what that review confirmed is here: a model without a confirmed libccid name has no
//! name pattern (found by its USB id only), a pin-pad not stated in the dump is `None`.
//!
//! PC/SC names on Linux are libccid's `ifdFriendlyName`, then ` [iInterface]`, ` (serial)` and
//! the ` NN SS` reader and slot numbers (pcsc-lite `hotplug_libudev.c`, `readerfactory.c`);
//! Windows appends ` N`. A name matches an entry when it starts with the entry's name followed
//! by a space (so `KAPELSE KAP-LINK` does not match `KAPELSE KAP-LINK2 …`); the longest wins.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How libccid (the PC/SC driver of Linux and macOS) treats the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LibccidSupport {
    /// In libccid's "supported" list.
    Supported,
    /// In libccid's "should work" list.
    ShouldWork,
    /// In libccid's "unsupported" list.
    Unsupported,
    /// Not in libccid at all: pcscd ignores the device.
    Absent,
}

/// A catalog entry, as the faces show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReaderModel {
    /// Model, as people call it (`Identiv SCR3500 (SCM SCR 355)`).
    pub model: String,
    /// USB `vvvv:pppp`, lower-case hex as `lsusb` writes it.
    pub usb_id: String,
    /// A PIN pad in CCID terms (bPINSupport): `None` when the sources do not say.
    pub pinpad: Option<bool>,
    /// Has a contactless interface.
    pub contactless: bool,
    pub libccid: LibccidSupport,
    /// A SESAM-Vitale terminal (bi-slot, PC/SC mode).
    pub sesam_vitale: bool,
}

struct Entry {
    vid: u16,
    pid: u16,
    model: &'static str,
    /// libccid friendly names (PC/SC name prefixes); empty when not confirmed.
    names: &'static [&'static str],
    pinpad: Option<bool>,
    contactless: bool,
    libccid: LibccidSupport,
    sesam_vitale: bool,
}

use LibccidSupport::{Absent, ShouldWork, Supported, Unsupported};

const fn reader(
    vid: u16,
    pid: u16,
    model: &'static str,
    names: &'static [&'static str],
    pinpad: Option<bool>,
    libccid: LibccidSupport,
) -> Entry {
    Entry {
        vid,
        pid,
        model,
        names,
        pinpad,
        contactless: false,
        libccid,
        sesam_vitale: false,
    }
}

const fn terminal(
    vid: u16,
    pid: u16,
    model: &'static str,
    names: &'static [&'static str],
    pinpad: Option<bool>,
    contactless: bool,
    libccid: LibccidSupport,
) -> Entry {
    Entry {
        vid,
        pid,
        model,
        names,
        pinpad,
        contactless,
        libccid,
        sesam_vitale: true,
    }
}

const fn contactless(mut e: Entry) -> Entry {
    e.contactless = true;
    e
}

/// readers.md §1.2 (Ingenico / Olaqin / Xiring), §1.3 (Kapelse), §1.4 (mono-slot CCID).
#[rustfmt::skip]
static CATALOG: &[Entry] = &[
    // §1.2: the iWL250 with EI96S ≥ 4.0 in PC/SC mode (CCID#105, pcsc-tools#80): not in libccid.
    terminal(0x0B00, 0x0090, "Ingenico / Olaqin « Lecteur SESAM VITALE » (iWL250, EI96)", &[], None, false, Absent),
    reader(0x0F14, 0x003B, "INGENICO Leo", &["INGENICO Leo"], Some(true), Supported),
    reader(0x0F14, 0x003D, "Ingenico WITEO", &["Ingenico WITEO USB Smart Card Reader"], None, Supported),
    reader(0x0F14, 0x0038, "XIRING Leo v2", &[], Some(true), Supported),
    reader(0x0F14, 0x0037, "XIRING MyLeo", &[], Some(true), Supported),
    reader(0x0F14, 0x0011, "XIRING XI-SIGN USB V2", &[], None, Supported),
    reader(0x076B, 0xA022, "XIRING Teo (ou Precise Biometrics Sense MC : même identifiant USB)", &[], None, Supported),
    // §1.3 Kapelse: one PC/SC reader per CCID interface, no CCID pin-pad.
    terminal(0x2947, 0x0101, "Kapelse KAP-LINK", &["KAPELSE KAP-LINK"], Some(false), false, ShouldWork),
    terminal(0x2947, 0x0102, "Kapelse KAP-Care", &["KAPELSE KAP-Care"], Some(false), false, ShouldWork),
    terminal(0x2947, 0x0103, "Kapelse KAP-GO", &["KAPELSE KAP-GO"], Some(false), false, ShouldWork),
    terminal(0x2947, 0x0104, "Kapelse eS-KAP-Ad", &["KAPELSE eS-KAP-Ad"], Some(false), false, ShouldWork),
    terminal(0x2947, 0x0105, "Kapelse KAP-LINK2", &["KAPELSE KAP-LINK2"], Some(false), false, ShouldWork),
    terminal(0x2947, 0x0111, "Kapelse Ti-Kap", &["Kapelse Ti-Kap"], Some(false), true, ShouldWork),
    terminal(0x2947, 0x0112, "Kapelse KAP-eCV", &["KAPELSE KAP-eCV"], Some(false), false, ShouldWork),
    terminal(0x2947, 0x0113, "Kapelse inSide (K300)", &["Kapelse inSide"], Some(false), true, ShouldWork),
    terminal(0x2947, 0x0114, "Kapelse KAP-Move", &["Kapelse KAP-Move"], Some(false), true, ShouldWork),
    // §1.4 mono-slot CCID readers.
    reader(0x04E6, 0x5116, "SCM / Identiv SCR3310", &["SCM Microsystems Inc. SCR 3310"], Some(false), Supported),
    reader(0x04E6, 0x511F, "SCM / Identiv SCR3310 v2", &["SCM Microsystems Inc. SCR3310 USB Smart Card Reader"], Some(false), ShouldWork),
    reader(0x04E6, 0x511A, "SCM SCR3310 NTTCom", &["SCM Microsystems Inc. SCR3310-NTTCom USB SmartCard Reader"], Some(false), ShouldWork),
    reader(0x04E6, 0x511D, "SCM SCR3311", &["SCM Microsystems Inc. SCR 3311"], Some(false), Supported),
    reader(0x04E6, 0x5410, "SCM / Identiv SCR3500 (SCR 355, lecteur des essais ANS)", &["SCM Microsystems Inc. SCR 355"], Some(false), Supported),
    reader(0x04E6, 0x5814, "Identiv SCR3500 A", &["Identiv SCR3500 A Contact Reader"], Some(false), ShouldWork),
    reader(0x04E6, 0x5815, "Identiv SCR3500 B", &["Identiv SCR3500 B Contact Reader"], Some(false), ShouldWork),
    reader(0x04E6, 0x581D, "Identiv SCR3500 C", &["Identiv SCR3500 C Contact Reader"], Some(false), ShouldWork),
    reader(0x04E6, 0x581C, "Identiv SCR35xx", &["Identiv SCR35xx USB Smart Card Reader"], Some(false), ShouldWork),
    reader(0x04E6, 0xE003, "SCM SPR532 (clavier)", &["SCM Microsystems Inc. SPR 532"], Some(true), Supported),
    reader(0x076B, 0x3021, "Omnikey CardMan 3121", &["OMNIKEY AG CardMan 3121"], Some(false), Supported),
    reader(0x076B, 0x3022, "Omnikey 3121", &["OMNIKEY AG 3121 USB"], Some(false), ShouldWork),
    reader(0x076B, 0x3031, "HID Omnikey 3021 / 3121", &["HID Global OMNIKEY 3x21 Smart Card Reader"], Some(false), ShouldWork),
    contactless(reader(0x076B, 0x5022, "HID Omnikey 5022", &["HID Global OMNIKEY 5022 Smart Card Reader"], Some(false), ShouldWork)),
    contactless(reader(0x076B, 0x5023, "HID Omnikey 5023", &["HID Global OMNIKEY 5023 Smart Card Reader"], Some(false), ShouldWork)),
    contactless(reader(0x076B, 0x5422, "HID Omnikey 5422", &["HID Global OMNIKEY 5422 Smartcard Reader"], Some(false), ShouldWork)),
    reader(0x08E6, 0x3437, "Gemalto / Thales IDBridge CT30 (PC Twin)", &["Gemalto PC Twin Reader"], Some(false), Supported),
    reader(0x08E6, 0x3478, "Gemalto GemPC Pinpad", &["Gemalto USB GemPCPinpad SmartCard Reader"], Some(true), Supported),
    reader(0x08E6, 0x3438, "Gemalto IDBridge K30", &["Gemalto USB Shell Token V2"], Some(false), Supported),
    reader(0x046A, 0x00A7, "Cherry SmartTerminal ST-1144", &["Cherry SmartTerminal XX44"], Some(true), ShouldWork),
    reader(0x046A, 0x002D, "Cherry SmartTerminal ST-1044", &["Cherry GmbH SmartTerminal XX44"], Some(false), Supported),
    reader(0x046A, 0x003E, "Cherry SmartTerminal ST-2000 / ST-2100", &["Cherry GmbH SmartTerminal ST-2xxx"], Some(true), Supported),
    reader(0x046A, 0x0072, "Cherry SmartTerminal ST-1275", &["Cherry GmbH SmartTerminal ST-1275"], None, ShouldWork),
    reader(0x046A, 0x0090, "Cherry Smart Card Reader USB", &["Cherry Smart Card Reader USB"], Some(false), ShouldWork),
    reader(0x046A, 0x0092, "Cherry TC 1300", &["Cherry TC 1300"], Some(false), ShouldWork),
    reader(0x072F, 0xB100, "ACS ACR39U", &["ACS ACR39U ICC Reader"], Some(false), ShouldWork),
    reader(0x072F, 0x90CC, "ACS ACR38U-CCID", &["ACS ACR 38U-CCID"], Some(false), Supported),
    reader(0x1E0D, 0x0013, "Neowave Weneo", &["Neowave Weneo"], Some(false), ShouldWork),
    reader(0x1E0D, 0x0033, "Neowave Weneo", &["Neowave Weneo"], Some(false), ShouldWork),
    reader(0x1E0D, 0x1023, "Neowave Weneo", &["Neowave Weneo"], Some(false), ShouldWork),
    reader(0x1E0D, 0x8033, "Neowave Weneo", &["Neowave Weneo"], Some(false), ShouldWork),
    reader(0x058F, 0x9540, "Alcor Micro AU9540", &["Alcor Micro AU9540"], None, Unsupported),
];

impl Entry {
    fn view(&self) -> ReaderModel {
        ReaderModel {
            model: self.model.to_owned(),
            usb_id: format!("{:04x}:{:04x}", self.vid, self.pid),
            pinpad: self.pinpad,
            contactless: self.contactless,
            libccid: self.libccid,
            sesam_vitale: self.sesam_vitale,
        }
    }
}

/// Whether `pcsc_name` is `name` followed by nothing or a space.
fn named(pcsc_name: &str, name: &str) -> bool {
    pcsc_name
        .strip_prefix(name)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

/// The model of the reader PC/SC calls `pcsc_name`; `None` when the catalog does not know it.
/// Several USB ids sharing one name (Neowave Weneo) give the first: the model is the same.
pub fn by_name(pcsc_name: &str) -> Option<ReaderModel> {
    CATALOG
        .iter()
        .flat_map(|e| e.names.iter().map(move |n| (e, *n)))
        .filter(|(_, n)| named(pcsc_name, n))
        .max_by_key(|(_, n)| n.len())
        .map(|(e, _)| e.view())
}

/// The model with this USB vendor and product id.
pub fn by_usb_id(vendor: u16, product: u16) -> Option<ReaderModel> {
    CATALOG
        .iter()
        .find(|e| e.vid == vendor && e.pid == product)
        .map(Entry::view)
}

/// How many models the catalog has (for the report).
pub fn len() -> usize {
    CATALOG.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcsc_names_as_pcsc_lite_writes_them_find_their_model() {
        let ans = by_name("SCM Microsystems Inc. SCR 355 [CCID Interface] 00 00").unwrap();
        assert_eq!(ans.usb_id, "04e6:5410");
        assert_eq!(ans.pinpad, Some(false));
        assert_eq!(ans.libccid, LibccidSupport::Supported);
        let twin = by_name("Gemalto PC Twin Reader (73131FC4) 00 00").unwrap();
        assert_eq!(twin.usb_id, "08e6:3437");
        let spr = by_name("SCM Microsystems Inc. SPR 532 [Vendor Interface] (1234) 01 00").unwrap();
        assert_eq!(spr.pinpad, Some(true));
        // Windows: friendly name and an index.
        let hid = by_name("HID Global OMNIKEY 3x21 Smart Card Reader 0").unwrap();
        assert_eq!(hid.usb_id, "076b:3031");
    }

    #[test]
    fn a_longer_name_is_not_taken_for_a_shorter_one() {
        let two = by_name("KAPELSE KAP-LINK2 [1234 KAP-LINK2 0] 00 00").unwrap();
        assert_eq!(two.usb_id, "2947:0105");
        let one = by_name("KAPELSE KAP-LINK [1234 KAP-LINK 0] 00 00").unwrap();
        assert_eq!(one.usb_id, "2947:0101");
        assert!(one.sesam_vitale && !one.contactless);
        let cless = by_name("Kapelse Ti-Kap [CCID Interface CLESS slot2] 00 00").unwrap();
        assert!(cless.contactless);
    }

    #[test]
    fn unknown_readers_are_unknown() {
        assert_eq!(by_name("Virtual PCD 00 00"), None);
        assert_eq!(by_name("SCM Microsystems Inc. SCR 3550 00 00"), None);
        assert_eq!(by_name(""), None);
        assert_eq!(by_usb_id(0x1234, 0x5678), None);
    }

    #[test]
    fn the_sesam_vitale_terminal_pcsc_does_not_show_is_known_by_its_usb_id() {
        let t = by_usb_id(0x0B00, 0x0090).unwrap();
        assert_eq!(t.libccid, LibccidSupport::Absent);
        assert!(t.sesam_vitale);
        assert_eq!(t.pinpad, None);
    }

    #[test]
    fn usb_ids_are_unique() {
        let mut ids: Vec<(u16, u16)> = CATALOG.iter().map(|e| (e.vid, e.pid)).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }
}
