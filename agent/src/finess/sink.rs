//! What the importers share: where they put what they read (`Sink`), the file formats, and
//! why an import stops. Below `import` (which runs them) and the format readers.

use std::io;

use super::entity::Entity;
pub use super::entity::FileFormat;
use crate::text::finess as msg;

/// Why an import did not replace the directory. The previous directory is untouched.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}", msg::io_error(.0, .1))]
    Io(String, io::Error),
    #[error("{}", msg::not_finess(.0, .1))]
    NotFiness(String, String),
    #[error("{}", msg::bad_json(.0, .1))]
    Json(String, String),
    #[error("{}", msg::database_error(.0))]
    Database(#[from] rusqlite::Error),
    #[error("{}", msg::NO_FILE)]
    NoFile,
    #[error("{}", msg::NOTHING_READ)]
    NothingRead,
    /// Fewer structures than the floor given (an update that would shrink the directory).
    #[error("{}", msg::too_few(*.0, *.1))]
    TooFew(u64, u64),
}

/// Where the importers put what they read.
pub trait Sink {
    /// The date of the data the file declares.
    fn data_date(&mut self, date: Option<&str>);
    /// One EJ or EG; `at` is its line (CSV) or `pmej` position (JSON).
    fn entity(&mut self, entity: Entity, at: u64) -> Result<(), ImportError>;
    /// A well-formed line of a section the directory does not keep (`geolocalisation`).
    fn other_line(&mut self);
    fn skipped(&mut self, at: u64, reason: String);
    /// Bytes of the current file read so far.
    fn progress(&mut self, bytes: u64);
}
