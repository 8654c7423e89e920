//! The server's log: one line per event, on standard error.

use std::io::{self, Write};

/// A line for the server's log, with the time. What it names came from
/// clients, files and the store: control characters and bidi overrides are
/// shown as visible escapes and a newline cannot start a forged line
/// (see `domain::clean`).
/// Times are ISO 8601 with the server's offset (`2026-11-27T03:05:52+07:00`),
/// so a line reads the same in the journal, a file or a support email.
pub fn log(line: impl AsRef<str>) {
    let now = stamp(&jiff::ZonedDateTime::now());
    let text = crate::domain::clean::line(line.as_ref());
    // A log that cannot be written (a closed pipe) must not stop the server.
    let _ = writeln!(io::stderr(), "{now} {text}");
}

/// A log line's time.
fn stamp(now: &jiff::ZonedDateTime) -> String {
    now.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn log_times_are_iso_8601_with_the_offset() {
        let t: jiff::Timestamp = "2026-11-26T20:05:52Z".parse().unwrap();
        let bangkok = jiff::tz::TimeZone::fixed(jiff::tz::offset(7));
        let text = super::stamp(&t.to_zoned_datetime(bangkok));
        assert_eq!(text, "2026-11-27T03:05:52+07:00");
        assert_eq!(text.parse::<jiff::Timestamp>().unwrap(), t);
    }
}
