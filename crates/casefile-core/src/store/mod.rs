//! The storage layer: the `Library` handle and its write transaction, the one place the
//! database is opened (with its migrations and the vocabulary seed), the mapping between record
//! structs and rows, the record tables, the hash-chained custody log and its head file, the
//! content-addressed vault, and the installation key.
//!
//! Layer rule (checked by `tests/tidy.rs`): storage imports only the leaves (`error`, `clock`,
//! `dates`, `validate`, `fsutil`), never `records` or anything above. The record modules reach the
//! database through the functions here that take a connection or a `WriteTx`.

pub mod crypt;
pub mod custody;
pub mod db;
pub mod encrypt;
pub mod fts;
pub mod head;
pub mod keys;
pub mod keyslots;
pub mod library;
mod rows;
pub mod seed;
pub mod tables;
pub mod text;
pub mod tx;
pub mod vault;

pub use rows::*;
