//! Data-loss prevention: the portable pattern subset every DLP target and the built-in
//! scanner share (`pattern`), the checksums (`checksum`), the scanner (`engine`) and the chat
//! formats it reads (`input`).

pub mod checksum;
pub mod engine;
pub mod input;
pub mod pattern;
