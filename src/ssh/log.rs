//! The server's log: one line per event, on standard error.

use std::io::{self, Write};

/// A line for the server's log, with the time. What it names came from
/// clients, files and the store: control characters and bidi overrides are
/// shown as visible escapes and a newline cannot start a forged line
/// (see `domain::clean`).
pub fn log(line: impl AsRef<str>) {
    let now = jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M:%SZ");
    let text = crate::domain::clean::line(line.as_ref());
    // A log that cannot be written (a closed pipe) must not stop the server.
    let _ = writeln!(io::stderr(), "{now} {text}");
}
