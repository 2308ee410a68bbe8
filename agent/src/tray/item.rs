//! The tray icon glue (`tray-icon`, its `ksni` StatusNotifierItem backend on Linux: pure Rust,
//! no GTK; its Win32 backend on Windows): shows a `TrayView` and turns the menu's clicks and a
//! left click into `Action`s for the app. The icon lives on a thread of its own (`tray-icon`
//! items are not `Send`) whose loop is the platform's (`platform::icon_thread_loop`: a Win32
//! message loop on Windows); the app sends it each new view. No logic of its own.

use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::mpsc::UnboundedSender;
use tray_icon::menu::{IconMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tray_icon::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};

use super::view::TrayView;
use crate::platform;
use crate::text::tray as texte;

/// The item's id (SNI `Id`).
pub const ITEM_ID: &str = "cpx-agent";
const MENU_OPEN: &str = "open";
const MENU_REFRESH: &str = "refresh";
const MENU_EXPORT: &str = "export-report";
const MENU_QUIT: &str = "quit";

/// What the user asked from the menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    OpenPage,
    Refresh,
    ExportReport,
    Quit,
}

/// The running icon: send it views; dropping it removes the icon.
pub struct TrayItem {
    views: Option<mpsc::Sender<TrayView>>,
    thread: Option<JoinHandle<()>>,
}

impl TrayItem {
    /// Shows the icon with `view` on a thread of its own; the menu's clicks and a left click
    /// go to `actions`. `Err`: why the icon cannot be shown (no session bus…), as the system
    /// says it.
    pub fn spawn(view: TrayView, actions: UnboundedSender<Action>) -> Result<TrayItem, String> {
        forward_events(actions);
        let (views_tx, views_rx) = mpsc::channel::<TrayView>();
        let (ready_tx, ready_rx) = mpsc::channel::<Result<(), String>>();
        let thread = std::thread::Builder::new()
            .name("cpx-tray-icon".into())
            .spawn(move || {
                let mut shown = match Shown::new(&view) {
                    Ok(shown) => {
                        let _ = ready_tx.send(Ok(()));
                        shown
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                platform::icon_thread_loop(&views_rx, |next| shown.show(next));
            })
            .map_err(|e| e.to_string())?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(TrayItem {
                views: Some(views_tx),
                thread: Some(thread),
            }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err(texte::ICON_THREAD_ENDED.to_string()),
        }
    }

    /// Shows `view` (the icon thread applies what changed).
    pub fn show(&self, view: TrayView) {
        if let Some(views) = &self.views {
            let _ = views.send(view);
        }
    }
}

impl Drop for TrayItem {
    fn drop(&mut self) {
        // Closing the channel ends the thread, which removes the icon from the bus.
        self.views.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Menu clicks and a left click on the icon, as actions (the handlers are process-wide).
fn forward_events(actions: UnboundedSender<Action>) {
    let menu_actions = actions.clone();
    MenuEvent::set_event_handler(Some(move |event: MenuEvent| {
        let action = match event.id.as_ref() {
            MENU_OPEN => Action::OpenPage,
            MENU_REFRESH => Action::Refresh,
            MENU_EXPORT => Action::ExportReport,
            MENU_QUIT => Action::Quit,
            _ => return,
        };
        // The app gone means the tray is stopping: nothing to do.
        let _ = menu_actions.send(action);
    }));
    TrayIconEvent::set_event_handler(Some(move |event: TrayIconEvent| {
        if let TrayIconEvent::Click {
            button: MouseButton::Left,
            button_state: MouseButtonState::Up,
            ..
        } = event
        {
            let _ = actions.send(Action::OpenPage);
        }
    }));
}

/// The icon and what it shows now (on the icon thread).
struct Shown {
    icon: TrayIcon,
    view: TrayView,
}

impl Shown {
    fn new(view: &TrayView) -> Result<Shown, String> {
        let mut builder = TrayIconBuilder::new()
            .with_id(ITEM_ID)
            .with_title(&view.tooltip_title)
            .with_tooltip(tooltip(view))
            .with_menu(Box::new(menu(view)))
            .with_menu_on_left_click(false);
        match platform::native_icon(view.icon_name()) {
            Some(icon) => builder = builder.with_native_icon(icon),
            None => {
                if let Some(icon) = picture(view) {
                    builder = builder.with_icon(icon);
                }
            }
        }
        let icon = builder.build().map_err(|e| e.to_string())?;
        Ok(Shown {
            icon,
            view: view.clone(),
        })
    }

    fn show(&mut self, next: TrayView) {
        if next.face != self.view.face {
            let _ = match platform::native_icon(next.icon_name()) {
                Some(icon) => self.icon.set_native_icon(Some(icon)),
                None => self.icon.set_icon(picture(&next)),
            };
        }
        if next.tooltip_title != self.view.tooltip_title {
            self.icon.set_title(Some(&next.tooltip_title));
        }
        if next.tooltip_lines != self.view.tooltip_lines
            || next.tooltip_title != self.view.tooltip_title
        {
            let _ = self.icon.set_tooltip(Some(tooltip(&next)));
        }
        if next.holder_lines != self.view.holder_lines || next.export_note != self.view.export_note
        {
            self.icon.set_menu(Some(Box::new(menu(&next))));
        }
        self.view = next;
    }
}

/// The tooltip's body: SNI markup on Linux (the title is separate), plain text with the title
/// first where the tray has only a tooltip (Windows: 127 UTF-16 units at most).
fn tooltip(view: &TrayView) -> String {
    if platform::TRAY_TOOLTIP_MARKUP {
        view.tooltip_text()
    } else {
        let mut lines = vec![view.tooltip_title.clone()];
        lines.extend(view.tooltip_lines.iter().cloned());
        fit_utf16(&lines.join("\n"), TOOLTIP_MAX_UTF16)
    }
}

/// `NOTIFYICONDATAW.szTip` holds 128 UTF-16 units, its NUL included.
pub(crate) const TOOLTIP_MAX_UTF16: usize = 127;

/// `text` cut to at most `max` UTF-16 units at a character boundary, ending with « … » when cut.
pub(crate) fn fit_utf16(text: &str, max: usize) -> String {
    if text.encode_utf16().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 1; // the ellipsis
    for c in text.chars() {
        if used + c.len_utf16() > max {
            break;
        }
        used += c.len_utf16();
        out.push(c);
    }
    out.push('…');
    out
}

/// The face's picture, for trays without icon-theme names (Windows).
fn picture(view: &TrayView) -> Option<tray_icon::Icon> {
    let (rgba, size) = view.face.picture();
    tray_icon::Icon::from_rgba(rgba, size, size).ok()
}

/// A menu label as written: `&` would mark a mnemonic.
fn label(text: &str) -> String {
    text.replace('&', "&&")
}

/// The menu: the holders' names (token only, not clickable), then the actions.
fn menu(view: &TrayView) -> Menu {
    let menu = Menu::new();
    for line in &view.holder_lines {
        let _ = menu.append(&MenuItem::new(label(line), false, None));
    }
    if !view.holder_lines.is_empty() {
        let _ = menu.append(&PredefinedMenuItem::separator());
    }
    let action = |id: &str, text: &str, icon: &str| {
        IconMenuItem::with_id_and_native_icon(
            id,
            label(text),
            true,
            platform::native_icon(icon),
            None,
        )
    };
    let _ = menu.append(&action(MENU_OPEN, texte::MENU_OPEN_PAGE, "web-browser"));
    let _ = menu.append(&action(MENU_REFRESH, texte::MENU_REFRESH, "view-refresh"));
    let _ = menu.append(&action(
        MENU_EXPORT,
        texte::MENU_EXPORT_REPORT,
        "document-save",
    ));
    if let Some(note) = &view.export_note {
        let _ = menu.append(&MenuItem::new(label(note), false, None));
    }
    let _ = menu.append(&PredefinedMenuItem::separator());
    let _ = menu.append(&action(MENU_QUIT, texte::MENU_QUIT, "application-exit"));
    menu
}
