//! End to end (tier 3): `cpx-agent tray` over the real `cpx-agent run`, on a private pcscd
//! with emulated cards and a private D-Bus session bus. The item's IconName, Status and
//! ToolTip (read with gdbus) follow the agent's verdicts; with the user's token the menu names
//! the holders and the tooltip never does; the agent stopping shows as such.
//!
//! Needs `dbus-daemon` (package dbus) and `gdbus` (libglib2.0-bin): tests/run installs them.

mod daemon_support;

use cpx_testkit::dbus::{gdbus_call, SessionBus};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cpx_testkit::{CardKind, InsertOptions, PrivatePcscd};
use daemon_support::*;
use serde_json::Value;

struct Tray {
    child: Child,
    address: String,
    name: String,
}

impl Tray {
    fn start(bus: &SessionBus, agent: &Agent) -> Tray {
        let child = Command::new(agent_binary())
            .args(["tray", "--agent", &agent.url("")])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("CPX_AGENT_TOKEN_FILE", agent.dir.path().join("token"))
            .env("XDG_CONFIG_HOME", agent.dir.path())
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let name = format!("org.kde.StatusNotifierItem-{}-1", child.id());
        Tray {
            child,
            address: bus.address.clone(),
            name,
        }
    }

    fn call(&self, path: &str, method: &str, args: &[&str]) -> Option<String> {
        let mut all = vec![
            "--dest",
            &self.name,
            "--object-path",
            path,
            "--method",
            method,
            "--",
        ];
        all.extend_from_slice(args);
        gdbus_call(&self.address, &all)
    }

    fn property(&self, name: &str) -> Option<String> {
        self.call(
            "/StatusNotifierItem",
            "org.freedesktop.DBus.Properties.Get",
            &["org.kde.StatusNotifierItem", name],
        )
    }

    fn menu(&self) -> String {
        self.call(
            "/MenuBar",
            "com.canonical.dbusmenu.GetLayout",
            &["0", "-1", "[]"],
        )
        .expect("menu layout")
    }

    /// Waits until IconName is `icon`, Status is `status` and ToolTip contains every `words`;
    /// returns the tooltip.
    fn wait_for(&self, icon: &str, status: &str, words: &[&str]) -> String {
        let deadline = Instant::now() + WAIT;
        let mut seen = (None, None, None);
        while Instant::now() < deadline {
            seen = (
                self.property("IconName"),
                self.property("Status"),
                self.property("ToolTip"),
            );
            if let (Some(i), Some(s), Some(t)) = &seen {
                if i.contains(&format!("'{icon}'"))
                    && s.contains(&format!("'{status}'"))
                    && words.iter().all(|w| t.contains(w))
                {
                    return t.clone();
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("tray never showed {icon}/{status}/{words:?}; last seen {seen:?}");
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The README's table: verdict → icon, SNI status, French word.
fn face(status: &str) -> (&'static str, &'static str, &'static str) {
    match status {
        "ready" => ("security-high", "Active", "prête"),
        "warning" => ("dialog-warning", "Active", "à surveiller"),
        "not_ready" => ("dialog-error", "Active", "pas prête"),
        "unknown" => ("dialog-question", "Active", "indéterminée"),
        other => panic!("unknown status {other}"),
    }
}

#[test]
fn the_tray_follows_the_real_agent() {
    let pcscd = PrivatePcscd::start(2).unwrap();
    let mut agent = Agent::start(&pcscd);
    let cde = pcscd
        .insert(0, card(CardKind::Cde, Some(EJ)), InsertOptions::default())
        .unwrap();
    let cpe = pcscd
        .insert(
            1,
            card(CardKind::Cpe, Some(OTHER_FINESS)),
            InsertOptions::default(),
        )
        .unwrap();
    let status = agent.wait_status("two cards judged", |s| judged_cards(s) == 2);
    let reader = |i: usize| status["readers"][i]["name"].as_str().unwrap().to_owned();
    let verdict = |s: &Value, i: usize| {
        s["readers"][i]["card"]["verdict"]["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let cde_verdict = verdict(&status, 0);
    assert_eq!(
        verdict(&status, 1),
        "not_ready",
        "a CPE outside the contract"
    );

    let bus = SessionBus::start();
    let tray = Tray::start(&bus, &agent);
    // The worst verdict: the CPE outside the contract.
    let cde_line = format!(
        "Lecteur {} : CDE/CPE {EJ} — {}",
        reader(0),
        face(&cde_verdict).2
    );
    let cpe_line = format!("Lecteur {} : CDE/CPE {OTHER_FINESS} — pas prête", reader(1));
    // The démarche's line: the CDE on the contract ticked its step, the next one named.
    let demarche = "Démarche RPPS+ : 2/9 étapes — prochaine : Données FINESS";
    let tooltip = tray.wait_for("dialog-error", "Active", &[&cde_line, &cpe_line, demarche]);

    // With the token (same user as the agent) the menu names holders; the tooltip never.
    let full = agent.status(true);
    let surname = full["readers"][0]["card"]["holder"]["surname"]
        .as_str()
        .expect("holder surname with the token")
        .to_owned();
    let menu = tray.menu();
    assert!(menu.contains(&surname), "{surname} not in {menu}");
    assert!(!tooltip.contains(&surname), "{surname} in {tooltip}");
    let holder_id = full["readers"][0]["card"]["holder"]["id"].as_str().unwrap();
    assert!(!tooltip.contains(holder_id), "{holder_id} in {tooltip}");

    // The CPE leaves: the CDE's verdict is the worst.
    cpe.remove();
    let (icon, sni, _) = face(&cde_verdict);
    let no_card = format!("Lecteur {} : pas de carte", reader(1));
    tray.wait_for(icon, sni, &[&cde_line, &no_card]);

    // The agent stops.
    agent.terminate();
    tray.wait_for("network-offline", "Active", &["Agent injoignable"]);
    drop(cde);
}
