//! A terminal window the end-to-end tests type into and read, whatever shows
//! it: tmux (an outside program), a pseudo-terminal read through a terminal
//! emulator (vt100), or an SSH channel read the same way. The scenarios are
//! written once against this and run on each.
#![allow(dead_code)]

use std::time::{Duration, Instant};

pub trait Window {
    /// Presses keys named as tmux names them: "Enter", "Tab", "Escape",
    /// "End", "Down", "F1", "C-s", or a single character.
    fn keys(&mut self, keys: &[&str]);
    /// Types text as it comes (Thai and all).
    fn text(&mut self, s: &str);
    /// Pastes text as a terminal does: newlines sent as Enter, the whole
    /// inside the bracketed-paste marks only if the program asked for them.
    fn paste(&mut self, s: &str);
    /// What the window shows now, a line per row.
    fn screen(&mut self) -> String;
    /// The window takes a new size (the program is told, as by a resize).
    fn resize(&mut self, cols: u16, rows: u16);
    /// The program, or the connection, has ended.
    fn ended(&mut self) -> bool;
    /// How long to wait between two looks at the screen.
    fn poll(&self) -> Duration {
        Duration::from_millis(10)
    }

    /// Waits (20 s at most) until the screen shows `needle`.
    fn wait_for(&mut self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?}"), Duration::from_secs(20), &|s| s.contains(needle))
    }

    /// Waits (at most `limit`) until the screen passes `ok` and has settled:
    /// the same at two looks in a row, so a frame still arriving (the first
    /// rows new, the last ones old) is never what a test reads.
    fn wait_until(&mut self, what: &str, limit: Duration, ok: &dyn Fn(&str) -> bool) -> String {
        let start = Instant::now();
        let mut last = String::new();
        loop {
            let s = self.screen();
            if s == last && ok(&s) {
                return s;
            }
            assert!(start.elapsed() < limit, "waited for {what}; screen:\n{s}");
            last = s;
            std::thread::sleep(self.poll());
        }
    }

    /// Waits (at most `limit`) until the program has ended; the last screen.
    fn wait_ended(&mut self, limit: Duration) -> String {
        let start = Instant::now();
        while !self.ended() {
            assert!(start.elapsed() < limit, "the program did not end:\n{}", self.screen());
            std::thread::sleep(self.poll());
        }
        self.screen()
    }
}

/// A paste is text, never keys (`t` shows the Funds list): a line pasted
/// into the filter stays there, its newline does not end the filter, and a
/// paste on the list does nothing (a pasted `q` does not quit, `d` does not
/// ask to delete). Before bracketed paste was asked for, each pasted
/// character acted as a key.
pub fn a_paste_is_text_never_keys(t: &mut impl Window) {
    let list = t.wait_for("ชื่อกองทุน");
    // The list's title: its count, and the filter's term if any.
    let title = |s: &str| s.lines().find(|l| l.starts_with('┌')).map(str::to_string);
    t.keys(&["/"]);
    t.paste("หนอง\n");
    t.wait_for("/ หนอง");
    // Still in the filter: a letter typed goes on with the term.
    t.text("x");
    t.wait_for("/ หนองx");
    t.keys(&["BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "Escape"]);
    let back = t.wait_until("the whole list again", Duration::from_secs(10), &|s| title(s) == title(&list));
    t.paste("q\nd\n");
    std::thread::sleep(Duration::from_millis(500));
    assert!(!t.ended(), "a paste on the list ended the program");
    let after = t.screen();
    assert_eq!(after, back, "a paste on the list acted as keys");
}

/// The bytes an xterm sends for a paste of `s`: its newlines as carriage
/// returns, between the paste marks when the program has asked for them
/// (`bracketed`, as the terminal emulator saw it).
pub fn paste_bytes(bracketed: bool, s: &str) -> Vec<u8> {
    let text = s.replace('\n', "\r");
    if bracketed { format!("\x1b[200~{text}\x1b[201~").into_bytes() } else { text.into_bytes() }
}

/// The bytes an xterm sends for a key named as tmux names it.
pub fn key_bytes(key: &str) -> Vec<u8> {
    let named: &[u8] = match key {
        "Enter" => b"\r",
        "Tab" => b"\t",
        "BTab" => b"\x1b[Z",
        "Escape" => b"\x1b",
        "BSpace" => b"\x7f",
        "Up" => b"\x1b[A",
        "Down" => b"\x1b[B",
        "Right" => b"\x1b[C",
        "Left" => b"\x1b[D",
        "Home" => b"\x1b[H",
        "End" => b"\x1b[F",
        "PageUp" | "PPage" => b"\x1b[5~",
        "PageDown" | "NPage" => b"\x1b[6~",
        "F1" => b"\x1bOP",
        "F2" => b"\x1bOQ",
        "F3" => b"\x1bOR",
        "F4" => b"\x1bOS",
        _ => b"",
    };
    if !named.is_empty() {
        return named.to_vec();
    }
    if let Some(c) = key.strip_prefix("C-")
        && let [b] = c.as_bytes()
        && b.is_ascii_alphabetic()
    {
        return vec![b.to_ascii_lowercase() & 0x1f];
    }
    assert_eq!(key.chars().count(), 1, "no bytes known for the key {key:?}");
    key.as_bytes().to_vec()
}

/// A lone Esc is told from the start of an escape sequence by the pause
/// after it, as in any terminal: the next key waits this long.
pub const AFTER_ESCAPE: Duration = Duration::from_millis(50);

/// A vt100 screen as text, a line per row, trailing blanks cut (as tmux's
/// `capture-pane` gives it).
pub fn vt_text(parser: &vt100::Parser) -> String {
    let screen = parser.screen();
    let (_, cols) = screen.size();
    screen.rows(0, cols.get()).map(|r| r.trim_end().to_string()).collect::<Vec<_>>().join("\n")
}

/// A vt100 parser of `cols` × `rows`.
pub fn vt_parser(cols: u16, rows: u16) -> vt100::Parser {
    let nz = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    vt100::Parser::new(nz(rows), nz(cols), 0)
}

/// Gives the parser a new size.
pub fn vt_resize(parser: &mut vt100::Parser, cols: u16, rows: u16) {
    let nz = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    parser.set_size(nz(rows), nz(cols));
}
