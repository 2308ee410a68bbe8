//! The tray icon: a face over the agent's state, like the status page. A client of the running
//! agent's API (never of PC/SC): `follow` keeps a `model` up to date from `GET /v1/events`,
//! `view` turns it into an icon, a French tooltip and a menu, `item` exports them as a
//! StatusNotifierItem on the session bus (`tray-icon`), `app` runs them together. `cpx-agent tray` is
//! `crate::cli::tray`; the words are in `crate::text::tray`.

pub mod app;
pub mod face;
pub mod follow;
pub mod item;
pub mod model;
pub mod notifier;
pub mod notify;
pub mod sse;
pub mod view;

#[cfg(test)]
mod tests;
