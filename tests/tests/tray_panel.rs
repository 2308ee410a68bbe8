//! The tray on a real StatusNotifierItem host (tier 3): Debian's `xfce4-panel` with its status
//! tray plugin under Xvfb, on a private D-Bus session bus, over the real `cpx-agent run` with an
//! emulated card in a private pcscd. The panel's own StatusNotifierWatcher must list the item
//! with its host registered, the icon must appear in the panel (the panel's pixels change), and
//! a right click must open the menu (pixels below the panel change).
//!
//! Needs `Xvfb` (xvfb), `xfce4-panel`, `xdotool`, `xwd` (x11-apps): tests/run installs them.
//! The picture in docs/: `CPX_PANEL_SCREENSHOT=$PWD/docs/tray-panel.png cargo test -p
//! cpx-testkit --test tray_panel -- --ignored screenshot` (needs imagemagick's `convert`).

mod daemon_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cpx_testkit::dbus::SessionBus;
use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;

const WIDTH: usize = 480;
const HEIGHT: usize = 200;
/// The panel's height (its configuration below).
const PANEL: usize = 32;

const PANEL_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="32"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
"#;

/// Xvfb, a session bus and xfce4-panel; all stopped on drop.
struct Desktop {
    xvfb: Child,
    display: String,
    bus: SessionBus,
    panel: Child,
    dir: tempfile::TempDir,
}

impl Desktop {
    fn start() -> Desktop {
        let dir = tempfile::tempdir().unwrap();
        let xml = dir.path().join("config/xfce4/xfconf/xfce-perchannel-xml");
        std::fs::create_dir_all(&xml).unwrap();
        std::fs::write(xml.join("xfce4-panel.xml"), PANEL_XML).unwrap();
        let (xvfb, display) = start_xvfb();
        let env = desktop_env(dir.path(), &display);
        let env_refs: Vec<(&str, &std::ffi::OsStr)> =
            env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
        let bus = SessionBus::start_with_env(&env_refs);
        let panel = Command::new("xfce4-panel")
            .envs(env.iter().map(|(k, v)| (*k, v)))
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("xfce4-panel (package xfce4-panel) is needed: tests/run installs it");
        let desktop = Desktop {
            xvfb,
            display,
            bus,
            panel,
            dir,
        };
        wait_until("the panel's StatusNotifierWatcher and host", || {
            desktop
                .watcher("IsStatusNotifierHostRegistered")
                .is_some_and(|v| v.contains("true"))
        });
        desktop
    }

    fn watcher(&self, property: &str) -> Option<String> {
        self.bus.call(&[
            "--dest",
            "org.kde.StatusNotifierWatcher",
            "--object-path",
            "/StatusNotifierWatcher",
            "--method",
            "org.freedesktop.DBus.Properties.Get",
            "org.kde.StatusNotifierWatcher",
            property,
        ])
    }

    /// The screen's pixels (xwd, 32 bits per pixel).
    fn pixels(&self) -> Vec<u32> {
        let out = Command::new("xwd")
            .args(["-root", "-silent", "-display", &self.display])
            .output()
            .expect("xwd (package x11-apps) is needed: tests/run installs it");
        assert!(out.status.success(), "xwd failed");
        xwd_pixels(&out.stdout)
    }

    fn xwd_file(&self, path: &Path) {
        let out = Command::new("xwd")
            .args(["-root", "-silent", "-display", &self.display, "-out"])
            .arg(path)
            .status()
            .unwrap();
        assert!(out.success());
    }

    fn right_click(&self, x: usize, y: usize) {
        let status = Command::new("xdotool")
            .args(["mousemove", &x.to_string(), &y.to_string(), "click", "3"])
            .env("DISPLAY", &self.display)
            .status()
            .expect("xdotool is needed: tests/run installs it");
        assert!(status.success());
    }
}

impl Drop for Desktop {
    fn drop(&mut self) {
        for child in [&mut self.panel, &mut self.xvfb] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn desktop_env(dir: &Path, display: &str) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("DISPLAY", PathBuf::from(display)),
        ("HOME", dir.to_path_buf()),
        ("XDG_CONFIG_HOME", dir.join("config")),
        ("XDG_CACHE_HOME", dir.join("cache")),
        ("XDG_DATA_HOME", dir.join("data")),
        ("XDG_RUNTIME_DIR", dir.to_path_buf()),
        ("NO_AT_BRIDGE", PathBuf::from("1")),
    ]
}

/// A private X server on the first free display from :90.
fn start_xvfb() -> (Child, String) {
    for n in 90..190 {
        let lock = PathBuf::from(format!("/tmp/.X{n}-lock"));
        if lock.exists() || Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            continue;
        }
        let display = format!(":{n}");
        let screen = format!("{WIDTH}x{HEIGHT}x24");
        let mut xvfb = Command::new("Xvfb")
            .args([&display, "-screen", "0", &screen, "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (package xvfb) is needed: tests/run installs it");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (xvfb, display);
            }
            if xvfb.try_wait().ok().flatten().is_some() {
                break; // taken meanwhile: next one
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = xvfb.kill();
        let _ = xvfb.wait();
    }
    panic!("no free X display for Xvfb");
}

/// The pixels of an XWD dump of the 24-bit screen (ZPixmap, 24 or 32 bits per pixel), as
/// opaque values to compare.
fn xwd_pixels(data: &[u8]) -> Vec<u32> {
    let field = |i: usize| u32::from_be_bytes(data[i * 4..i * 4 + 4].try_into().unwrap()) as usize;
    let (header, width, height) = (field(0), field(4), field(5));
    let (bits_per_pixel, bytes_per_line, colours) = (field(11), field(12), field(19));
    assert_eq!((width, height), (WIDTH, HEIGHT));
    assert!(
        matches!(bits_per_pixel, 24 | 32),
        "{bits_per_pixel} bits per pixel"
    );
    let size = bits_per_pixel / 8;
    let start = header + colours * 12;
    (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .map(|(x, y)| {
            let at = start + y * bytes_per_line + x * size;
            data[at..at + 3]
                .iter()
                .fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
        })
        .collect()
}

/// How many pixels of the rows `rows` differ.
fn changed(before: &[u32], after: &[u32], rows: std::ops::Range<usize>) -> usize {
    rows.flat_map(|y| (0..WIDTH).map(move |x| y * WIDTH + x))
        .filter(|&i| before[i] != after[i])
        .count()
}

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn start_tray(desktop: &Desktop, agent: &Agent) -> Child {
    Command::new(agent_binary())
        .args(["tray", "--agent", &agent.url("")])
        .envs(desktop_env(desktop.dir.path(), &desktop.display))
        .env("DBUS_SESSION_BUS_ADDRESS", &desktop.bus.address)
        .env("CPX_AGENT_TOKEN_FILE", agent.dir.path().join("token"))
        .env("XDG_CONFIG_HOME", agent.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// Runs the scenario; `shot`: where to write the picture with the menu open.
fn hosted_on_the_panel(shot: Option<&Path>) {
    let pcscd = PrivatePcscd::start(1).unwrap();
    let agent = Agent::start(&pcscd);
    let _cde = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    agent.wait_status("the card judged", |s| judged_cards(s) == 1);

    let desktop = Desktop::start();
    let empty = desktop.pixels();
    let mut tray = start_tray(&desktop, &agent);
    let item = format!("org.kde.StatusNotifierItem-{}-1", tray.id());
    wait_until("the panel's watcher lists the item", || {
        desktop
            .watcher("RegisteredStatusNotifierItems")
            .is_some_and(|v| v.contains(&item))
    });
    // The host draws it: the panel's pixels change, nothing below it does.
    wait_until("the icon drawn in the panel", || {
        changed(&empty, &desktop.pixels(), 0..PANEL) > 20
    });
    let with_icon = desktop.pixels();
    assert_eq!(changed(&empty, &with_icon, PANEL..HEIGHT), 0);
    // Where the icon is: the changed pixels' middle.
    let xs: Vec<usize> = (0..PANEL * WIDTH)
        .filter(|&i| empty[i] != with_icon[i])
        .map(|i| i % WIDTH)
        .collect();
    let x = (xs.iter().min().unwrap() + xs.iter().max().unwrap()) / 2;
    desktop.right_click(x, PANEL / 2);
    wait_until("the menu open below the panel", || {
        changed(&with_icon, &desktop.pixels(), PANEL..HEIGHT) > 1000
    });
    if let Some(shot) = shot {
        std::thread::sleep(Duration::from_millis(500));
        let xwd = desktop.dir.path().join("screen.xwd");
        desktop.xwd_file(&xwd);
        let status = Command::new("convert")
            .arg(format!("xwd:{}", xwd.display()))
            .arg(format!("png:{}", shot.display()))
            .status()
            .expect("convert (imagemagick) for the picture");
        assert!(status.success());
    }
    let _ = tray.kill();
    let _ = tray.wait();
}

#[test]
fn the_tray_is_hosted_by_xfce4_panel() {
    hosted_on_the_panel(None);
}

#[test]
#[ignore = "writes docs/tray-panel.png: set CPX_PANEL_SCREENSHOT"]
fn screenshot() {
    let path = std::env::var_os("CPX_PANEL_SCREENSHOT").expect("CPX_PANEL_SCREENSHOT=FILE.png");
    hosted_on_the_panel(Some(Path::new(&path)));
}
