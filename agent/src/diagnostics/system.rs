//! What the report says of the machine: the system, the clock, the PC/SC middleware (pcscd,
//! libccid), the ANS CryptoLib CPS and OpenSC. Each probe reads a file or runs a version
//! command; whatever it cannot find is `null` (unknown), never a failure.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// The system.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SystemInfo {
    /// `PRETTY_NAME` of /etc/os-release (`Debian GNU/Linux 12 (bookworm)`).
    pub distribution: Option<String>,
    /// `linux`, `windows`, `macos`.
    pub os: String,
    pub kernel: Option<String>,
    pub arch: String,
}

/// The clock: a card's validity is judged against it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClockInfo {
    /// The time now (UTC, RFC 3339).
    pub utc: String,
    /// The system's time zone, when it says (`/etc/timezone`, else `$TZ`): `Europe/Paris`.
    pub timezone: Option<String>,
    /// Whether the system says its clock is synchronised (systemd-timesyncd's flag file),
    /// `null` when it does not say.
    pub synchronised: Option<bool>,
}

/// A piece of software found (or not) on the machine.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Software {
    pub installed: bool,
    pub version: Option<String>,
    /// Where it was found.
    pub path: Option<String>,
}

/// pcscd's `--version` first line: `pcsc-lite version 1.9.9.`.
pub fn parse_pcscd_version(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.contains("pcsc-lite version"))?;
    let v = line.split("pcsc-lite version").nth(1)?.trim();
    Some(v.trim_end_matches('.').to_owned()).filter(|v| !v.is_empty())
}

/// `opensc-tool --info` first line: `OpenSC 0.23.0 [gcc  12.2.0]`.
pub fn parse_opensc_version(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.starts_with("OpenSC "))?;
    line.split_whitespace().nth(1).map(str::to_owned)
}

/// `CFBundleShortVersionString` of libccid's Info.plist.
pub fn parse_plist_version(plist: &str) -> Option<String> {
    let key = "<key>CFBundleShortVersionString</key>";
    let rest = &plist[plist.find(key)? + key.len()..];
    let start = rest.find("<string>")? + "<string>".len();
    let end = rest.find("</string>")?;
    (start <= end).then(|| rest[start..end].trim().to_owned())
}

/// Runs `program args`, its output (stdout then stderr) if it ran within 5 s.
fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let out = child.wait_with_output().ok()?;
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Some(text)
}

fn find_program(name: &str) -> Option<String> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

pub fn system() -> SystemInfo {
    let distribution = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_owned())
        });
    SystemInfo {
        distribution,
        os: std::env::consts::OS.to_owned(),
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .ok()
            .map(|s| s.trim().to_owned()),
        arch: std::env::consts::ARCH.to_owned(),
    }
}

pub fn clock(now: OffsetDateTime) -> ClockInfo {
    let synchronised = if Path::new("/run/systemd/timesync/synchronized").exists() {
        Some(true)
    } else if Path::new("/run/systemd/timesync").is_dir() {
        Some(false)
    } else {
        None
    };
    ClockInfo {
        utc: crate::journal::timestamp(now),
        timezone: std::fs::read_to_string("/etc/timezone")
            .ok()
            .or_else(|| std::env::var("TZ").ok())
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()),
        synchronised,
    }
}

pub fn pcscd() -> Software {
    let path = find_program("pcscd");
    let version = path
        .as_deref()
        .and_then(|p| output_of(p, &["--version"]))
        .and_then(|t| parse_pcscd_version(&t));
    Software {
        installed: path.is_some(),
        version,
        path,
    }
}

pub fn libccid() -> Software {
    let path = crate::platform::libccid_info_plist().unwrap_or_default();
    let plist = std::fs::read_to_string(path).ok();
    Software {
        installed: plist.is_some(),
        version: plist.as_deref().and_then(parse_plist_version),
        path: plist.is_some().then(|| path.to_owned()),
    }
}

pub fn opensc() -> Software {
    let path = find_program("opensc-tool");
    let version = path
        .as_deref()
        .and_then(|p| output_of(p, &["--info"]))
        .and_then(|t| parse_opensc_version(&t));
    Software {
        installed: path.is_some(),
        version,
        path,
    }
}

/// Where the ANS CryptoLib CPS's PKCS#11 library (`cps3_pkcs11_lux`, the name of its Linux
/// build in the ANS's dops-cryptolib sources) may be installed. [inf] the usual library
/// folders; the ANS's Linux packages are RPMs.
const CRYPTOLIB_PATHS: &[&str] = &[
    "/usr/lib/libcps3_pkcs11_lux.so",
    "/usr/lib64/libcps3_pkcs11_lux.so",
    "/usr/local/lib/libcps3_pkcs11_lux.so",
    "/usr/lib/x86_64-linux-gnu/libcps3_pkcs11_lux.so",
    "/opt/santesocial/CPS/lib/libcps3_pkcs11_lux.so",
];

pub fn cryptolib() -> Software {
    let path = CRYPTOLIB_PATHS.iter().find(|p| Path::new(p).exists());
    // Its version: the package that owns the file, when the package manager knows it.
    let version = path.and_then(|p| {
        let owner = output_of("dpkg-query", &["-S", p])
            .and_then(|t| t.split(':').next().map(str::to_owned))
            .filter(|o| !o.contains(' '))?;
        output_of("dpkg-query", &["-W", "-f=${Version}", &owner])
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    });
    Software {
        installed: path.is_some(),
        version,
        path: path.map(|p| (*p).to_owned()),
    }
}

/// The paths the CryptoLib is looked for at (for the report's explanation).
pub fn cryptolib_paths() -> &'static [&'static str] {
    CRYPTOLIB_PATHS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_what_the_tools_print() {
        assert_eq!(
            parse_pcscd_version("pcsc-lite version 1.9.9.\nCopyright (C) 1999-2002\n").as_deref(),
            Some("1.9.9")
        );
        assert_eq!(
            parse_opensc_version("OpenSC 0.23.0 [gcc  12.2.0]\nEnabled features: …").as_deref(),
            Some("0.23.0")
        );
        let plist = "<dict><key>CFBundleShortVersionString</key>\n\t<string>1.5.2</string>";
        assert_eq!(parse_plist_version(plist).as_deref(), Some("1.5.2"));
        assert_eq!(parse_pcscd_version("nothing"), None);
        assert_eq!(parse_plist_version("<key>x</key>"), None);
    }
}
