//! What is known of reader models, a leaf: the embedded, reviewed catalog of the readers desks
//! use (`catalog`), looked up by PC/SC name or by USB VID:PID. An unknown reader is reported as
//! unknown, never guessed.

pub mod catalog;

pub use catalog::{by_name, by_usb_id, LibccidSupport, ReaderModel};
