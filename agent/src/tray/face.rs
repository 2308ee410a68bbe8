//! The face of the tray icon: the worst state among the present cards, or why there is none,
//! with its freedesktop icon name. A leaf: the view computes it, the words name it.

use crate::model::verdict::Status;

/// The state the icon shows: the worst among the present cards, or why there is none.
/// The card faces are ordered from best to worst (`Ord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Face {
    Connecting,
    AgentDown,
    PcscUnavailable,
    NoCard,
    Ready,
    Reading,
    Unknown,
    Warning,
    ReadFailed,
    NotReady,
}

impl Face {
    /// A standard freedesktop icon name (every icon theme has them: no asset shipped).
    pub fn icon_name(self) -> &'static str {
        match self {
            Face::Connecting => "network-idle",
            Face::AgentDown => "network-offline",
            Face::PcscUnavailable => "network-error",
            Face::NoCard => "media-flash",
            Face::Ready => "security-high",
            Face::Reading => "view-refresh",
            Face::Unknown => "dialog-question",
            Face::Warning => "dialog-warning",
            Face::ReadFailed | Face::NotReady => "dialog-error",
        }
    }

    /// Whether the item asks for attention (SNI `NeedsAttention`) rather than `Active`.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            Face::AgentDown
                | Face::PcscUnavailable
                | Face::Warning
                | Face::ReadFailed
                | Face::NotReady
        )
    }

    pub fn of_status(status: Status) -> Face {
        match status {
            Status::Ready => Face::Ready,
            Status::Warning => Face::Warning,
            Status::NotReady => Face::NotReady,
            Status::Unknown => Face::Unknown,
        }
    }
}
