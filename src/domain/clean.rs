//! Text that came from outside (a file, a form, an SSH client, the store) on
//! its way to a terminal or a log: one sanitiser for every such path.
//!
//! A terminal obeys what it is sent. A name holding `ESC ] 0 ; … BEL`
//! retitles the officer's window, `ESC [ 2 J` clears it, a bare newline forges
//! a log line, and a right-to-left override (U+202E) makes the text after it
//! read backwards (CVE-2021-42574, "Trojan Source"). So every control
//! character (C0 but the tab and newline where they are meant, ESC, DEL,
//! C1) and every bidirectional embedding, override and isolate is shown as a
//! visible escape instead: C0 and DEL as the Unicode control pictures (`␛`,
//! `␇`, `␡`), C1 and bidi controls as `\u{202E}`. Sanitising twice changes
//! nothing. Forms and imports refuse such characters in names and text
//! fields ([`forbidden`]), so the store holds none from now on; the
//! sanitiser covers what came before, and every other way in.

use std::borrow::Cow;

/// Whether `c` is a bidirectional embedding, override or isolate (the
/// invisible characters that reorder the text around them).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `c` may not be written raw to a terminal: C0 controls (tab and
/// newline included: callers that mean them use [`text`]), DEL, C1, bidi.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// The first character of `s` that a name or text field may not hold.
pub fn forbidden(s: &str) -> Option<char> {
    s.chars().find(|c| is_unsafe(*c))
}

fn escape_into(out: &mut String, c: char) {
    match c {
        // C0: the control pictures U+2400–U+241F.
        '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
        '\u{7f}' => out.push('\u{2421}'),
        _ => {
            use std::fmt::Write;
            let _ = write!(out, "\\u{{{:X}}}", c as u32);
        }
    }
}

fn clean_with(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) && !keep(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of text: every control character, tab and newline included,
/// and every bidi control made visible.
pub fn line(s: &str) -> Cow<'_, str> {
    clean_with(s, |_| false)
}

/// Text of several lines: as [`line`], but tabs and newlines are kept.
pub fn text(s: &str) -> Cow<'_, str> {
    clean_with(s, |c| c == '\n' || c == '\t')
}

/// Pasted text as a field takes it, and how many characters were left out.
/// Line breaks and tabs between words become one space (an address pasted
/// from a document has one between its lines, cells copied side by side from
/// Excel a tab); those at either end go (a cell copied from Excel ends in a
/// line break). Every other character a field may not hold is left out.
pub fn paste(s: &str) -> (String, usize) {
    let breaks = ['\r', '\n', '\t'];
    let mut out = String::with_capacity(s.len());
    let mut left_out = 0;
    let mut gap = false;
    for c in s.trim_matches(breaks).chars() {
        if breaks.contains(&c) {
            gap = true;
            continue;
        }
        if is_unsafe(c) {
            left_out += 1;
            continue;
        }
        if std::mem::take(&mut gap) && !out.ends_with(' ') && c != ' ' {
            out.push(' ');
        }
        out.push(c);
    }
    (out, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_paste_keeps_its_words_apart_and_counts_what_it_leaves_out() {
        assert_eq!(paste("บ้านเลขที่ 5\r\nหมู่ 3\r\n"), ("บ้านเลขที่ 5 หมู่ 3".into(), 0));
        assert_eq!(paste("33010101\tกองทุนบ้านโคก\n"), ("33010101 กองทุนบ้านโคก".into(), 0));
        assert_eq!(paste("a \n\n b"), ("a  b".into(), 0));
        assert_eq!(paste("มาลี\u{1b}[2J\u{202E}ศรี"), ("มาลี[2Jศรี".into(), 2));
        assert_eq!(paste("\n\t"), (String::new(), 0));
    }

    #[test]
    fn escapes_are_visible_and_plain_thai_is_untouched() {
        assert!(matches!(line("นางสาว มาลี ศรีสุข"), Cow::Borrowed(_)));
        assert_eq!(line("x\u{1b}]0;PWNED\u{7}\u{1b}[2J"), "x␛]0;PWNED␇␛[2J");
        assert_eq!(line("a\u{202E}cba"), "a\\u{202E}cba");
        assert_eq!(line("a\u{9b}31m"), "a\\u{9B}31m");
        assert_eq!(line("one\ntwo\tthree\u{7f}"), "one␊two␉three␡");
        assert_eq!(text("one\ntwo\tthree\r"), "one\ntwo\tthree␍");
        assert_eq!(forbidden("สมชาย"), None);
        assert_eq!(forbidden("สม\u{2067}ชาย"), Some('\u{2067}'));
        assert_eq!(forbidden("a\tb"), Some('\t'));
    }

    fn bad(c: char) -> bool {
        (c as u32) < 0x20
            || c == '\u{1b}'
            || c == '\u{7f}'
            || ('\u{80}'..='\u{9f}').contains(&c)
            || is_bidi_control(c)
    }

    proptest! {
        /// For any string: no byte below 0x20 but tab and newline (in
        /// `text`; none at all in `line`), no ESC, no DEL, no C1 and no bidi
        /// control comes out, and sanitising twice changes nothing.
        #[test]
        fn nothing_unsafe_comes_out_and_twice_is_once(s in any::<String>(), t in "[\\x00-\\x20\\x7f-\\x9f\u{202a}-\u{202e}\u{2066}-\u{2069}a-zก-๙]{0,64}") {
            for input in [s.as_str(), t.as_str()] {
                let l = line(input);
                prop_assert!(!l.chars().any(bad), "{l:?}");
                prop_assert_eq!(line(&l), l.clone());
                let x = text(input);
                prop_assert!(!x.chars().any(|c| bad(c) && c != '\n' && c != '\t'), "{x:?}");
                prop_assert!(!x.bytes().any(|b| b < 0x20 && b != b'\n' && b != b'\t'));
                prop_assert_eq!(text(&x), x.clone());
            }
        }
    }
}
