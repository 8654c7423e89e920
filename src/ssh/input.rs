//! Bytes from an SSH client to key events, through termina's terminal-input
//! parser: arrows and F-keys as xterm and PuTTY send them, Alt, Ctrl, UTF-8
//! Thai, and a lone Esc (told apart from the start of a sequence by a short
//! pause, as every terminal program does).

use crossterm::event::{KeyCode as CKey, KeyEvent as CEvent, KeyModifiers as CMods};
use termina::{
    Parser,
    event::{Event, KeyCode as TKey, KeyEventKind, Modifiers as TMods},
};

/// How long an incomplete escape sequence may wait for the rest before it is
/// taken as typed (a lone Esc).
pub const ESC_WAIT: std::time::Duration = std::time::Duration::from_millis(30);

/// The most bytes of one bracketed paste that are kept; the rest of it is
/// dropped as it comes, so an endless paste (`ESC [200~` and no end) costs
/// no memory. 64 KiB is many pages of text, more than any field holds; a
/// local terminal's paste is cut there too.
pub const MAX_PASTE: usize = crate::front::MAX_PASTE;

const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";

#[derive(Default)]
pub struct Input {
    parser: Parser,
    pending: bool,
    paste: PasteGuard,
}

/// Watches the bytes for bracketed pastes and lets at most [`MAX_PASTE`]
/// bytes of each through to the parser (which would hold all of one).
#[derive(Default)]
struct PasteGuard {
    inside: bool,
    /// Bytes of the start marker seen so far (outside a paste).
    start: usize,
    /// Bytes of the end marker held back (inside a paste): content if the
    /// marker does not complete.
    end: usize,
    /// Bytes of this paste let through.
    size: usize,
    /// Some of a paste was dropped since the last [`Input::take_cut`].
    cut: bool,
}

impl PasteGuard {
    fn content(&mut self, out: &mut Vec<u8>, bytes: &[u8]) {
        for &b in bytes {
            if self.size < MAX_PASTE {
                out.push(b);
                self.size += 1;
            } else {
                self.cut = true;
            }
        }
    }

    fn filter(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len().min(MAX_PASTE + 64));
        for &b in bytes {
            if !self.inside {
                out.push(b);
                self.start = if b == PASTE_START[self.start] {
                    self.start + 1
                } else {
                    usize::from(b == PASTE_START[0])
                };
                if self.start == PASTE_START.len() {
                    (self.inside, self.start, self.end, self.size) = (true, 0, 0, 0);
                }
                continue;
            }
            if b == PASTE_END[self.end] {
                self.end += 1;
                if self.end == PASTE_END.len() {
                    out.extend_from_slice(PASTE_END);
                    (self.inside, self.end) = (false, 0);
                }
                continue;
            }
            // What was held was the paste's own text.
            let held = self.end;
            self.content(&mut out, &PASTE_END[..held]);
            if b == PASTE_END[0] {
                self.end = 1;
            } else {
                self.end = 0;
                self.content(&mut out, &[b]);
            }
        }
        out
    }
}

/// What the bytes meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum In {
    Key(CEvent),
    Paste(String),
}

impl Input {
    /// Feeds bytes; returns the events they complete. A sequence cut off at the
    /// end stays pending until more bytes come or [`Input::flush`] is called.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<In> {
        let bytes = &self.paste.filter(bytes)[..];
        self.parser.parse(bytes, true);
        let out = self.drain();
        // Anything that could still be the start of a sequence is held.
        self.pending = bytes.last().is_some_and(|b| *b == 0x1b) || (out.is_empty() && !bytes.is_empty());
        out
    }

    /// Whether a paste was cut at [`MAX_PASTE`] since the last call.
    pub fn take_cut(&mut self) -> bool {
        std::mem::take(&mut self.paste.cut)
    }

    /// Whether bytes are waiting for the rest of a sequence.
    pub fn pending(&self) -> bool {
        self.pending
    }

    /// No more bytes came: what is held is what was typed.
    pub fn flush(&mut self) -> Vec<In> {
        self.pending = false;
        self.parser.parse(&[], false);
        self.drain()
    }

    fn drain(&mut self) -> Vec<In> {
        let mut out = Vec::new();
        while let Some(ev) = self.parser.pop() {
            match ev {
                Event::Key(k) if k.kind != KeyEventKind::Release => {
                    if let Some(e) = to_crossterm(k.code, k.modifiers) {
                        out.push(In::Key(e));
                    }
                }
                Event::Paste(s) => out.push(In::Paste(s)),
                _ => {}
            }
        }
        out
    }
}

fn to_crossterm(code: TKey, mods: TMods) -> Option<CEvent> {
    let mut m = CMods::NONE;
    if mods.contains(TMods::SHIFT) {
        m |= CMods::SHIFT;
    }
    if mods.contains(TMods::ALT) {
        m |= CMods::ALT;
    }
    if mods.contains(TMods::CONTROL) {
        m |= CMods::CONTROL;
    }
    let code = match code {
        TKey::Char(c) => {
            // Crossterm reports Shift with upper-case letters only; a Thai
            // character typed with Shift is just that character.
            if !c.is_ascii_alphabetic() {
                m.remove(CMods::SHIFT);
            }
            CKey::Char(c)
        }
        TKey::Enter => CKey::Enter,
        TKey::Backspace => CKey::Backspace,
        TKey::Tab if m.contains(CMods::SHIFT) => CKey::BackTab,
        TKey::Tab => CKey::Tab,
        TKey::BackTab => CKey::BackTab,
        TKey::Escape => CKey::Esc,
        TKey::Left => CKey::Left,
        TKey::Right => CKey::Right,
        TKey::Up => CKey::Up,
        TKey::Down => CKey::Down,
        TKey::Home => CKey::Home,
        TKey::End => CKey::End,
        TKey::PageUp => CKey::PageUp,
        TKey::PageDown => CKey::PageDown,
        TKey::Insert => CKey::Insert,
        TKey::Delete => CKey::Delete,
        TKey::Function(n) => CKey::F(n),
        _ => return None,
    };
    Some(CEvent::new(code, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(bytes: &[u8]) -> Vec<(CKey, CMods)> {
        let mut i = Input::default();
        let mut out = i.feed(bytes);
        out.extend(i.flush());
        out.into_iter()
            .filter_map(|e| match e {
                In::Key(k) => Some((k.code, k.modifiers)),
                In::Paste(_) => None,
            })
            .collect()
    }

    #[test]
    fn arrows_and_f_keys_as_xterm_and_putty_send_them() {
        assert_eq!(
            keys(b"\x1b[A\x1b[B\x1bOC\x1bOD"),
            [CKey::Up, CKey::Down, CKey::Right, CKey::Left].map(|c| (c, CMods::NONE))
        );
        // xterm F1–F4 (SS3), F5 and up (CSI ~); PuTTY's default F1–F4 (ESC [11~ …).
        for (bytes, n) in [
            (&b"\x1bOP"[..], 1),
            (b"\x1bOS", 4),
            (b"\x1b[15~", 5),
            (b"\x1b[24~", 12),
            (b"\x1b[11~", 1),
            (b"\x1b[14~", 4),
        ] {
            assert_eq!(keys(bytes), [(CKey::F(n), CMods::NONE)], "{bytes:?}");
        }
        assert_eq!(keys(b"\x1b[5~\x1b[6~\x1b[H\x1b[F\x1b[1~\x1b[4~").len(), 6);
    }

    #[test]
    fn ctrl_alt_thai_and_a_lone_esc() {
        assert_eq!(keys(b"\x13"), [(CKey::Char('s'), CMods::CONTROL)]);
        assert_eq!(keys(b"\x1bx"), [(CKey::Char('x'), CMods::ALT)]);
        assert_eq!(
            keys("ที่นา".as_bytes()).iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            "ที่นา".chars().map(CKey::Char).collect::<Vec<_>>()
        );
        assert_eq!(keys(b"\x1b"), [(CKey::Esc, CMods::NONE)]);
        assert_eq!(keys(b"\r"), [(CKey::Enter, CMods::NONE)]);
        assert_eq!(keys(b"\x7f"), [(CKey::Backspace, CMods::NONE)]);
        assert_eq!(keys(b"\x1b[Z")[0].0, CKey::BackTab);
    }

    #[test]
    fn a_lone_esc_waits_for_the_pause_and_a_split_sequence_is_joined() {
        let mut i = Input::default();
        assert!(i.feed(b"\x1b").is_empty());
        assert!(i.pending());
        assert_eq!(i.feed(b"[A"), vec![In::Key(CEvent::new(CKey::Up, CMods::NONE))]);
        assert!(!i.pending());
        assert!(i.feed(b"\x1b").is_empty());
        assert_eq!(i.flush(), vec![In::Key(CEvent::new(CKey::Esc, CMods::NONE))]);
    }

    proptest::proptest! {
        /// A hostile client's bytes, in any packets: keys or nothing, never a
        /// panic, and nothing held once the pause has passed.
        #[test]
        fn any_bytes_in_any_packets(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400), cut in 1usize..64) {
            let mut i = Input::default();
            for chunk in bytes.chunks(cut) {
                let _ = i.feed(chunk);
            }
            let _ = i.flush();
            proptest::prop_assert!(!i.pending());
        }
    }

    #[test]
    fn a_paste_is_cut_at_its_limit_and_an_endless_one_holds_nothing() {
        // A whole paste, its markers split across packets.
        let mut i = Input::default();
        let mut got = Vec::new();
        for chunk in [&b"\x1b[20"[..], b"0~ab", b"c\x1b[2", b"01~"] {
            got.extend(i.feed(chunk));
        }
        assert_eq!(got, vec![In::Paste("abc".into())]);
        assert!(!i.take_cut());
        // An ESC inside the paste that is not its end stays in it.
        let mut i = Input::default();
        assert_eq!(i.feed(b"\x1b[200~a\x1b[1mb\x1b[201~"), vec![In::Paste("a\x1b[1mb".into())]);
        // Longer than the limit: cut, said once.
        let mut i = Input::default();
        let big = vec![b'x'; MAX_PASTE + 5_000];
        let mut got = i.feed(b"\x1b[200~");
        for chunk in big.chunks(4096) {
            got.extend(i.feed(chunk));
        }
        got.extend(i.feed(b"\x1b[201~"));
        assert_eq!(got, vec![In::Paste("x".repeat(MAX_PASTE))]);
        assert!(i.take_cut() && !i.take_cut());
        // No end: 100 MB in, and what the guard lets through stops at the limit.
        let mut i = Input::default();
        let _ = i.feed(b"\x1b[200~");
        let mb = vec![b'y'; 1 << 20];
        let mut through = 0;
        for _ in 0..100 {
            through += i.paste.filter(&mb).len();
        }
        assert!(through <= MAX_PASTE, "{through}");
    }

    #[test]
    fn thai_split_across_packets_is_joined() {
        let bytes = "ก".as_bytes();
        let mut i = Input::default();
        assert!(i.feed(&bytes[..1]).is_empty());
        assert_eq!(i.feed(&bytes[1..]), vec![In::Key(CEvent::new(CKey::Char('ก'), CMods::NONE))]);
    }
}
