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

    /// The colour of the icon's picture where the system has no icon-theme names (Windows):
    /// green ready, orange to check, red not ready, blue reading, grey for the rest.
    pub fn colour(self) -> [u8; 3] {
        match self {
            Face::Ready => [0x2e, 0x7d, 0x32],
            Face::Warning | Face::Unknown => [0xef, 0x6c, 0x00],
            Face::ReadFailed | Face::NotReady => [0xc6, 0x28, 0x28],
            Face::Reading => [0x15, 0x65, 0xc0],
            Face::AgentDown | Face::PcscUnavailable => [0x6d, 0x4c, 0x41],
            Face::Connecting | Face::NoCard => [0x75, 0x75, 0x75],
        }
    }

    /// The icon's picture (32×32 RGBA): a disc of [`Face::colour`] with a white ring, for the
    /// systems whose trays take pictures only.
    pub fn picture(self) -> (Vec<u8>, u32) {
        const SIZE: u32 = 32;
        let [r, g, b] = self.colour();
        let mut rgba = Vec::with_capacity((SIZE * SIZE * 4) as usize);
        let centre = (SIZE as f32 - 1.0) / 2.0;
        for y in 0..SIZE {
            for x in 0..SIZE {
                let d = ((x as f32 - centre).powi(2) + (y as f32 - centre).powi(2)).sqrt();
                let pixel = if d <= 12.5 {
                    [r, g, b, 0xff]
                } else if d <= 15.5 {
                    [0xff, 0xff, 0xff, 0xff]
                } else {
                    [0, 0, 0, 0]
                };
                rgba.extend_from_slice(&pixel);
            }
        }
        (rgba, SIZE)
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
