//! The local copy of the national FINESS directory (domain.md §5, issue 5): import the open-data
//! extracts (legacy CSV, FINESS+ JSON), look numbers up (EJ or EG, and the links between them),
//! check the contract's EJ and EGs, and give the judge what it needs.
//!
//! - [`entity`]: one directory entry as read from a file, the form every importer produces.
//! - [`decode`], [`csv_import`], [`json_import`]: the two file formats, streamed.
//! - [`store`]: the SQLite database; a new import is built in a file of its own and renamed over the old one.
//! - [`sink`]: what the importers share (the sink, file formats, import errors).
//! - [`import`]: one `finess import` run: sniff every file, then stream them all into the store.
//! - [`lookup`]: `finess show` (an entry, its EJ or its EGs, the date of the data).
//! - [`check`]: `finess check` (the contract's EJ and EGs against the directory).
//! - [`update`]: `finess update` (the current extracts from data.gouv.fr, over HTTPS).
//! - [`region`]: the ARS FINESS service that corrects a département's anomalies.
//!
//! The directory's findings on a card are the judge's (`crate::judge::directory`); the words
//! are in `crate::text::finess`; the subcommands in `crate::cli::finess`.

pub mod check;
pub mod csv_import;
pub mod decode;
pub mod entity;
pub mod import;
pub mod json_import;
pub mod lookup;
pub mod names;
pub mod region;
pub mod sink;
pub mod store;
pub mod update;

pub use entity::{Entity, EntityKind};
pub use lookup::{Entry, EntrySummary};
pub use store::{Directory, DirectoryInfo};
