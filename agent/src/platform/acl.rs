//! The rule that says whether a Windows ACL keeps a file its owner's only, on data the Win32
//! calls read (`windows/acl.rs`): portable, so that it is tested on every system.

/// SIDs that may be granted access to a private file besides its owner: they can read any file
/// on the machine anyway (`LocalSystem`, the Administrators group).
pub const TRUSTED_SIDS: &[&str] = &["S-1-5-18", "S-1-5-32-544"];

/// One access-control entry, as read from a DACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ace {
    /// The ACE type (`ACCESS_ALLOWED_ACE_TYPE` = 0, `ACCESS_DENIED_ACE_TYPE` = 1, …).
    pub kind: u8,
    /// The access mask it grants or denies.
    pub mask: u32,
    /// Its SID, as a string (`S-1-5-21-…`); `None` for an ACE type whose layout is not read.
    pub sid: Option<String>,
}

pub const ACCESS_ALLOWED: u8 = 0;
pub const ACCESS_DENIED: u8 = 1;

/// Whether `dacl` lets only `owner` (and [`TRUSTED_SIDS`]) in; `Err`: who else, in words.
/// `None` is a NULL DACL: everyone has every right.
pub fn owner_only(dacl: Option<&[Ace]>, owner: &str) -> Result<(), String> {
    let Some(aces) = dacl else {
        return Err(crate::text::platform::acl_others(&[]));
    };
    let mut others: Vec<String> = Vec::new();
    for ace in aces {
        if ace.kind == ACCESS_DENIED || ace.mask == 0 {
            continue; // takes rights away, or grants nothing
        }
        let who = match (&ace.sid, ace.kind) {
            (Some(sid), ACCESS_ALLOWED) => sid.clone(),
            // Object, callback or conditional ACEs: not written by the agent, not trusted.
            (sid, kind) => format!("{} (entrée de type {kind})", sid.as_deref().unwrap_or("?")),
        };
        let trusted = ace.kind == ACCESS_ALLOWED
            && (who.eq_ignore_ascii_case(owner) || TRUSTED_SIDS.contains(&who.as_str()));
        if !trusted && !others.contains(&who) {
            others.push(who);
        }
    }
    if others.is_empty() {
        Ok(())
    } else {
        Err(crate::text::platform::acl_others(&others))
    }
}

/// The SDDL of a protected DACL granting `owner` full access, nothing to anyone else
/// (`inherit`: for a directory, the entry is inherited by what is created in it).
pub fn owner_only_sddl(owner: &str, inherit: bool) -> String {
    let flags = if inherit { "OICI" } else { "" };
    format!("D:P(A;{flags};FA;;;{owner})")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "S-1-5-21-1004336348-1177238915-682003330-1001";

    fn allow(sid: &str, mask: u32) -> Ace {
        Ace {
            kind: ACCESS_ALLOWED,
            mask,
            sid: Some(sid.to_string()),
        }
    }

    #[test]
    fn the_owner_alone_or_with_system_and_administrators_is_private() {
        assert_eq!(owner_only(Some(&[allow(ME, 0x1F01FF)]), ME), Ok(()));
        let aces = [
            allow(ME, 0x1F01FF),
            allow("S-1-5-18", 0x1F01FF),
            allow("S-1-5-32-544", 0x1F01FF),
        ];
        assert_eq!(owner_only(Some(&aces), ME), Ok(()));
        // SID strings compare without regard to case; an empty DACL lets nobody in.
        assert_eq!(
            owner_only(Some(&[allow(&ME.to_lowercase(), 1)]), ME),
            Ok(())
        );
        assert_eq!(owner_only(Some(&[]), ME), Ok(()));
    }

    #[test]
    fn anyone_else_makes_it_not_private_and_is_named() {
        // The profile's inherited ACL as Wine derives it from mode bits, Everyone readable.
        let aces = [allow(ME, 0x1F01FF), allow("S-1-1-0", 0x120089)];
        assert_eq!(
            owner_only(Some(&aces), ME),
            Err("accès pour S-1-1-0".to_string())
        );
        let aces = [
            allow("S-1-5-32-545", 0x120089),
            allow("S-1-5-11", 0x1301BF),
            allow("S-1-5-32-545", 0x120089),
        ];
        assert_eq!(
            owner_only(Some(&aces), ME),
            Err("accès pour S-1-5-32-545, S-1-5-11".to_string())
        );
        assert!(owner_only(None, ME).unwrap_err().contains("ouvert à tous"));
    }

    #[test]
    fn deny_entries_and_empty_masks_grant_nothing() {
        let aces = [
            allow(ME, 0x1F01FF),
            Ace {
                kind: ACCESS_DENIED,
                mask: 0x1F01FF,
                sid: Some("S-1-1-0".into()),
            },
            allow("S-1-1-0", 0),
        ];
        assert_eq!(owner_only(Some(&aces), ME), Ok(()));
    }

    #[test]
    fn entries_of_other_types_are_not_trusted_even_for_the_owner() {
        let aces = [Ace {
            kind: 9, // ACCESS_ALLOWED_CALLBACK_ACE_TYPE
            mask: 0x1F01FF,
            sid: None,
        }];
        assert_eq!(
            owner_only(Some(&aces), ME),
            Err("accès pour ? (entrée de type 9)".to_string())
        );
    }

    #[test]
    fn the_sddl_grants_the_owner_only() {
        assert_eq!(owner_only_sddl(ME, false), format!("D:P(A;;FA;;;{ME})"));
        assert_eq!(owner_only_sddl(ME, true), format!("D:P(A;OICI;FA;;;{ME})"));
    }
}
