//! The token file's protection on Windows: a protected DACL that grants its owner (the user
//! running the agent) full access and nobody else anything, set when the file is created and
//! checked when it is read (the rule itself: `platform/acl.rs`).

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::io::{FromRawHandle, RawHandle};
use std::path::Path;
use std::ptr;

use windows_sys::Win32::Foundation::{
    CloseHandle, LocalFree, GENERIC_READ, GENERIC_WRITE, HANDLE, INVALID_HANDLE_VALUE,
};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW,
    GetNamedSecurityInfoW, SetNamedSecurityInfoW, SDDL_REVISION_1, SE_FILE_OBJECT,
};
use windows_sys::Win32::Security::{
    AclSizeInformation, GetAce, GetAclInformation, GetSecurityDescriptorDacl, GetTokenInformation,
    TokenUser, ACCESS_ALLOWED_ACE, ACE_HEADER, ACL, ACL_SIZE_INFORMATION,
    DACL_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, PSID,
    SECURITY_ATTRIBUTES, TOKEN_QUERY, TOKEN_USER,
};
use windows_sys::Win32::Storage::FileSystem::{
    CreateFileW, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, FILE_SHARE_DELETE, FILE_SHARE_READ,
    FILE_SHARE_WRITE,
};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

use super::super::acl::{self as rule, Ace};
use crate::text::platform as words;

fn wide(s: &OsStr) -> Vec<u16> {
    s.encode_wide().chain(std::iter::once(0)).collect()
}

fn win_error(step: &str, code: u32) -> io::Error {
    io::Error::other(words::acl_failed(step, code))
}

fn last_error(step: &str) -> io::Error {
    // SAFETY: GetLastError has no preconditions.
    let code = unsafe { windows_sys::Win32::Foundation::GetLastError() };
    win_error(step, code)
}

/// Memory the system allocated with LocalAlloc, freed on drop.
struct Local(*mut core::ffi::c_void);

impl Drop for Local {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the pointer came from a Win32 call that says to free it with LocalFree.
            unsafe { LocalFree(self.0) };
        }
    }
}

/// A SID as a string (`S-1-5-21-…`).
fn sid_string(sid: PSID) -> Option<String> {
    if sid.is_null() {
        return None;
    }
    let mut text: *mut u16 = ptr::null_mut();
    // SAFETY: `sid` points to a valid SID (from the system); `text` receives a LocalAlloc'd string.
    if unsafe { ConvertSidToStringSidW(sid, &mut text) } == 0 || text.is_null() {
        return None;
    }
    let _free = Local(text.cast());
    // SAFETY: `text` is a NUL-terminated wide string written by the call above.
    let len = (0..).take_while(|&i| unsafe { *text.add(i) } != 0).count();
    // SAFETY: `len` wide characters are readable at `text`.
    let chars = unsafe { std::slice::from_raw_parts(text, len) };
    Some(String::from_utf16_lossy(chars))
}

/// The SID of the user running this process, as a string.
pub fn current_user_sid() -> io::Result<String> {
    let mut token: HANDLE = ptr::null_mut();
    // SAFETY: the pseudo-handle of the current process; `token` receives a handle we close.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        return Err(last_error("OpenProcessToken"));
    }
    let mut needed = 0u32;
    // SAFETY: a size query (no buffer).
    unsafe { GetTokenInformation(token, TokenUser, ptr::null_mut(), 0, &mut needed) };
    // u64 storage: aligned for TOKEN_USER.
    let mut buffer = vec![0u64; (needed as usize).div_ceil(8).max(1)];
    // SAFETY: `buffer` holds at least `needed` bytes.
    let ok = unsafe {
        GetTokenInformation(
            token,
            TokenUser,
            buffer.as_mut_ptr().cast(),
            (buffer.len() * 8) as u32,
            &mut needed,
        )
    };
    let result = if ok == 0 {
        Err(last_error("GetTokenInformation"))
    } else {
        // SAFETY: the call filled a TOKEN_USER at the start of `buffer`, whose SID points into it.
        let user = unsafe { &*(buffer.as_ptr() as *const TOKEN_USER) };
        sid_string(user.User.Sid).ok_or_else(|| last_error("ConvertSidToStringSid"))
    };
    // SAFETY: `token` was opened above.
    unsafe { CloseHandle(token) };
    result
}

/// A self-relative security descriptor from SDDL, freed on drop.
struct Descriptor(Local);

impl Descriptor {
    fn owner_only(inherit: bool) -> io::Result<Descriptor> {
        let sddl = rule::owner_only_sddl(&current_user_sid()?, inherit);
        let sddl = wide(OsStr::new(&sddl));
        let mut sd: PSECURITY_DESCRIPTOR = ptr::null_mut();
        // SAFETY: `sddl` is NUL-terminated; `sd` receives a LocalAlloc'd descriptor.
        let ok = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                sddl.as_ptr(),
                SDDL_REVISION_1,
                &mut sd,
                ptr::null_mut(),
            )
        };
        if ok == 0 || sd.is_null() {
            return Err(last_error(
                "ConvertStringSecurityDescriptorToSecurityDescriptor",
            ));
        }
        Ok(Descriptor(Local(sd)))
    }

    fn dacl(&self) -> io::Result<*mut ACL> {
        let (mut present, mut defaulted) = (0, 0);
        let mut dacl: *mut ACL = ptr::null_mut();
        // SAFETY: `self.0` is a valid descriptor.
        if unsafe { GetSecurityDescriptorDacl(self.0 .0, &mut present, &mut dacl, &mut defaulted) }
            == 0
            || present == 0
            || dacl.is_null()
        {
            return Err(last_error("GetSecurityDescriptorDacl"));
        }
        Ok(dacl)
    }
}

/// Creates `path` (never over an existing file) with a DACL granting its owner only.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    let sd = Descriptor::owner_only(false)?;
    let attributes = SECURITY_ATTRIBUTES {
        nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
        lpSecurityDescriptor: sd.0 .0,
        bInheritHandle: 0,
    };
    let name = wide(path.as_os_str());
    // SAFETY: `name` is NUL-terminated, `attributes` outlives the call.
    let handle = unsafe {
        CreateFileW(
            name.as_ptr(),
            GENERIC_READ | GENERIC_WRITE,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
            &attributes,
            CREATE_NEW,
            FILE_ATTRIBUTE_NORMAL,
            ptr::null_mut(),
        )
    };
    if handle == INVALID_HANDLE_VALUE {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a handle we own, opened for reading and writing.
    Ok(unsafe { File::from_raw_handle(handle as RawHandle) })
}

/// Creates `dir` (and its parents) and gives it a protected DACL granting its owner only,
/// inherited by what is created in it.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let sd = Descriptor::owner_only(true)?;
    let dacl = sd.dacl()?;
    let name = wide(dir.as_os_str());
    // SAFETY: `name` is NUL-terminated; `dacl` lives in `sd`, alive during the call.
    let code = unsafe {
        SetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            ptr::null_mut(),
            ptr::null_mut(),
            dacl,
            ptr::null(),
        )
    };
    if code != 0 {
        return Err(win_error("SetNamedSecurityInfo", code));
    }
    Ok(())
}

/// The entries of `path`'s DACL (`None`: a NULL DACL, everyone has every right).
fn read_dacl(path: &Path) -> io::Result<Option<Vec<Ace>>> {
    std::fs::metadata(path)?; // NotFound as such
    let name = wide(path.as_os_str());
    let mut dacl: *mut ACL = ptr::null_mut();
    let mut sd: PSECURITY_DESCRIPTOR = ptr::null_mut();
    // SAFETY: `name` is NUL-terminated; `sd` receives a LocalAlloc'd descriptor holding `dacl`.
    let code = unsafe {
        GetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION,
            ptr::null_mut(),
            ptr::null_mut(),
            &mut dacl,
            ptr::null_mut(),
            &mut sd,
        )
    };
    if code != 0 {
        return Err(win_error("GetNamedSecurityInfo", code));
    }
    let _free = Local(sd);
    if dacl.is_null() {
        return Ok(None);
    }
    let mut size = ACL_SIZE_INFORMATION {
        AceCount: 0,
        AclBytesInUse: 0,
        AclBytesFree: 0,
    };
    // SAFETY: `dacl` is valid while `sd` is; `size` is the struct the class asks for.
    if unsafe {
        GetAclInformation(
            dacl,
            (&mut size as *mut ACL_SIZE_INFORMATION).cast(),
            std::mem::size_of::<ACL_SIZE_INFORMATION>() as u32,
            AclSizeInformation,
        )
    } == 0
    {
        return Err(last_error("GetAclInformation"));
    }
    let mut aces = Vec::with_capacity(size.AceCount as usize);
    for i in 0..size.AceCount {
        let mut ace: *mut core::ffi::c_void = ptr::null_mut();
        // SAFETY: `i` < AceCount; `ace` points into `dacl`.
        if unsafe { GetAce(dacl, i, &mut ace) } == 0 || ace.is_null() {
            return Err(last_error("GetAce"));
        }
        // SAFETY: every ACE starts with an ACE_HEADER.
        let header = unsafe { &*(ace as *const ACE_HEADER) };
        let basic = header.AceType == rule::ACCESS_ALLOWED || header.AceType == rule::ACCESS_DENIED;
        // Allowed and denied ACEs share the layout of ACCESS_ALLOWED_ACE: header, mask, SID.
        // SAFETY: for those two types the ACE is an ACCESS_ALLOWED_ACE-shaped structure.
        let allowed = unsafe { &*(ace as *const ACCESS_ALLOWED_ACE) };
        let sid = if basic {
            sid_string((&allowed.SidStart as *const u32).cast_mut().cast())
        } else {
            None
        };
        aces.push(Ace {
            kind: header.AceType,
            mask: allowed.Mask,
            sid,
        });
    }
    Ok(Some(aces))
}

/// Whether `path`'s DACL lets in its owner only (`Err`: who else, in words).
pub fn is_private(path: &Path) -> io::Result<Result<(), String>> {
    let dacl = read_dacl(path)?;
    Ok(rule::owner_only(dacl.as_deref(), &current_user_sid()?))
}
