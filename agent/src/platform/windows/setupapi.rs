//! SetupAPI's list of present USB devices (`../shared/design/readers.md` §1.6): each node's
//! hardware and compatible ids, setup class, names and problem code, read here and judged by
//! `usb::pnp` (portable, tested on recorded lists). Not seen under Wine, which shows no USB
//! devices.

use std::ptr;

use windows_sys::Win32::Devices::DeviceAndDriverInstallation::{
    CM_Get_DevNode_Status, SetupDiDestroyDeviceInfoList, SetupDiEnumDeviceInfo,
    SetupDiGetClassDevsW, SetupDiGetDeviceRegistryPropertyW, CR_SUCCESS, DIGCF_ALLCLASSES,
    DIGCF_PRESENT, DN_HAS_PROBLEM, HDEVINFO, SETUP_DI_REGISTRY_PROPERTY, SPDRP_CLASSGUID,
    SPDRP_COMPATIBLEIDS, SPDRP_DEVICEDESC, SPDRP_FRIENDLYNAME, SPDRP_HARDWAREID, SPDRP_MFG,
    SP_DEVINFO_DATA,
};

use crate::usb::pnp::{self, PnpDevice};

/// More nodes than any desk has: the walk stops there whatever SetupAPI says.
const MAX_NODES: u32 = 4096;
/// A property larger than this is not an id or a name: skipped.
const MAX_PROPERTY_BYTES: u32 = 64 * 1024;

/// The device information set, destroyed on drop.
struct DeviceSet(HDEVINFO);

impl Drop for DeviceSet {
    fn drop(&mut self) {
        // SAFETY: a set SetupDiGetClassDevsW returned, destroyed once.
        unsafe { SetupDiDestroyDeviceInfoList(self.0) };
    }
}

/// One registry property of a node as UTF-16 units (`None`: absent or unreadable).
fn property(
    set: &DeviceSet,
    node: &SP_DEVINFO_DATA,
    which: SETUP_DI_REGISTRY_PROPERTY,
) -> Option<Vec<u16>> {
    let mut needed = 0u32;
    // SAFETY: a size query (no buffer).
    unsafe {
        SetupDiGetDeviceRegistryPropertyW(
            set.0,
            node,
            which,
            ptr::null_mut(),
            ptr::null_mut(),
            0,
            &mut needed,
        )
    };
    if needed == 0 || needed > MAX_PROPERTY_BYTES {
        return None;
    }
    let mut units = vec![0u16; (needed as usize).div_ceil(2)];
    // SAFETY: `units` holds `units.len() * 2` >= `needed` bytes.
    let ok = unsafe {
        SetupDiGetDeviceRegistryPropertyW(
            set.0,
            node,
            which,
            ptr::null_mut(),
            units.as_mut_ptr().cast(),
            (units.len() * 2) as u32,
            &mut needed,
        )
    };
    (ok != 0).then_some(units)
}

/// The present nodes of the USB enumerator (empty when SetupAPI answers nothing: diagnostics
/// never fail).
pub fn present_usb_devices() -> Vec<PnpDevice> {
    let enumerator: Vec<u16> = "USB\0".encode_utf16().collect();
    // SAFETY: `enumerator` is NUL-terminated; no class GUID with DIGCF_ALLCLASSES.
    let handle = unsafe {
        SetupDiGetClassDevsW(
            ptr::null(),
            enumerator.as_ptr(),
            ptr::null_mut(),
            DIGCF_PRESENT | DIGCF_ALLCLASSES,
        )
    };
    if handle == -1 || handle == 0 {
        return Vec::new();
    }
    let set = DeviceSet(handle);
    let mut devices = Vec::new();
    for index in 0..MAX_NODES {
        let mut node = SP_DEVINFO_DATA {
            cbSize: std::mem::size_of::<SP_DEVINFO_DATA>() as u32,
            ..Default::default()
        };
        // SAFETY: `node.cbSize` is set as the call requires.
        if unsafe { SetupDiEnumDeviceInfo(set.0, index, &mut node) } == 0 {
            break; // ERROR_NO_MORE_ITEMS, or nothing more to read
        }
        let text = |which| property(&set, &node, which).and_then(|u| pnp::reg_sz(&u));
        let list = |which| {
            property(&set, &node, which)
                .map(|u| pnp::multi_sz(&u))
                .unwrap_or_default()
        };
        let (mut status, mut problem) = (0u32, 0u32);
        // SAFETY: DevInst comes from SetupDiEnumDeviceInfo; both outputs are plain u32s.
        let problem =
            (unsafe { CM_Get_DevNode_Status(&mut status, &mut problem, node.DevInst, 0) }
                == CR_SUCCESS
                && status & DN_HAS_PROBLEM != 0)
                .then_some(problem);
        devices.push(PnpDevice {
            hardware_ids: list(SPDRP_HARDWAREID),
            compatible_ids: list(SPDRP_COMPATIBLEIDS),
            class_guid: text(SPDRP_CLASSGUID),
            manufacturer: text(SPDRP_MFG),
            description: text(SPDRP_FRIENDLYNAME).or_else(|| text(SPDRP_DEVICEDESC)),
            problem,
        });
    }
    devices
}
