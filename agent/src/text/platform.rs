//! What the agent says about the system it runs on.

/// Answer of everything the agent does not do on this system yet.
pub const UNSUPPORTED: &str = "pas encore pris en charge sur ce système";
