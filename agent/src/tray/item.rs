//! The StatusNotifierItem glue (ksni, D-Bus): shows a `TrayView` and turns the menu's clicks
//! into `Action`s for the follower. No logic of its own.

use ksni::menu::{MenuItem, StandardItem};
use tokio::sync::mpsc::UnboundedSender;

use super::view::TrayView;
use crate::text::tray as texte;

/// What the user asked from the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    OpenPage,
    Refresh,
    ExportReport,
    Quit,
}

/// The item exported on the session bus.
pub struct CpxTrayItem {
    pub view: TrayView,
    pub actions: UnboundedSender<Action>,
    /// Where the last « Exporter le diagnostic » saved the report (or why it could not).
    pub export_note: Option<String>,
}

impl CpxTrayItem {
    fn action_item(label: &str, icon: &str, action: Action) -> MenuItem<Self> {
        StandardItem {
            label: label.to_string(),
            icon_name: icon.to_string(),
            activate: Box::new(move |item: &mut Self| {
                // The follower gone means the tray is stopping: nothing to do.
                let _ = item.actions.send(action);
            }),
            ..Default::default()
        }
        .into()
    }
}

impl ksni::Tray for CpxTrayItem {
    const MENU_ON_ACTIVATE: bool = false;

    fn id(&self) -> String {
        "cpx-agent".to_string()
    }

    fn title(&self) -> String {
        texte::TITLE.to_string()
    }

    fn status(&self) -> ksni::Status {
        if self.view.face.needs_attention() {
            ksni::Status::NeedsAttention
        } else {
            ksni::Status::Active
        }
    }

    fn icon_name(&self) -> String {
        self.view.icon_name().to_string()
    }

    fn attention_icon_name(&self) -> String {
        self.view.icon_name().to_string()
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            icon_name: self.view.icon_name().to_string(),
            icon_pixmap: Vec::new(),
            title: self.view.tooltip_title.clone(),
            description: self.view.tooltip_text(),
        }
    }

    /// A left click opens the status page.
    fn activate(&mut self, _x: i32, _y: i32) {
        let _ = self.actions.send(Action::OpenPage);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        let mut menu: Vec<MenuItem<Self>> = self
            .view
            .holder_lines
            .iter()
            .map(|line| {
                StandardItem {
                    label: line.replace('_', "__"),
                    enabled: false,
                    ..Default::default()
                }
                .into()
            })
            .collect();
        if !menu.is_empty() {
            menu.push(MenuItem::Separator);
        }
        menu.push(Self::action_item(
            texte::MENU_OPEN_PAGE,
            "web-browser",
            Action::OpenPage,
        ));
        menu.push(Self::action_item(
            texte::MENU_REFRESH,
            "view-refresh",
            Action::Refresh,
        ));
        menu.push(Self::action_item(
            texte::MENU_EXPORT_REPORT,
            "document-save",
            Action::ExportReport,
        ));
        if let Some(note) = &self.export_note {
            menu.push(
                StandardItem {
                    label: note.replace('_', "__"),
                    enabled: false,
                    ..Default::default()
                }
                .into(),
            );
        }
        menu.push(MenuItem::Separator);
        menu.push(Self::action_item(
            texte::MENU_QUIT,
            "application-exit",
            Action::Quit,
        ));
        menu
    }
}
