//! Header values the API's answers share.

/// The page's Content-Security-Policy: its own script, style and API, nothing else. The
/// security layer keeps it (other answers get `default-src 'none'`).
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";
