//! Sends the notifications `notify` decides, through the platform (org.freedesktop.Notifications
//! on Linux), from the tray: the user's own session, never a root process. Remembers each
//! slot's last id so that « PC/SC rétabli » replaces « PC/SC indisponible ».

use std::collections::HashMap;

use super::notify::{Note, Slot};
use crate::platform::{self, DesktopNote};
use crate::text::notify as texte;

#[derive(Debug, Default)]
pub struct Sender {
    ids: HashMap<Slot, u32>,
}

impl Sender {
    pub fn new() -> Sender {
        Sender::default()
    }

    /// Shows `note`; a failure (no notification server) is logged, never fatal.
    pub async fn send(&mut self, note: &Note) {
        let shown = platform::notify(DesktopNote {
            summary: &note.summary,
            body: &note.body,
            icon: note.icon,
            urgency: note.urgency,
            replaces: self.ids.get(&note.slot).copied(),
        })
        .await;
        match shown {
            Ok(id) => {
                self.ids.insert(note.slot, id);
            }
            Err(e) => tracing::warn!("{}", texte::send_failed(&e)),
        }
    }
}
