//! A one-line text field that edits by grapheme cluster: a Thai cluster such as
//! ที่ (consonant + vowel + tone mark) is one cursor step and one Backspace.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The most characters a field or a filter holds: the longest text a
/// record keeps is 500 (a visit's notes). A paste longer than what is left
/// is cut there, so no keystroke or paste costs more than a field's worth
/// of work, whatever the client sends.
pub const MAX_CHARS: usize = 500;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// Byte offset, always on a grapheme boundary.
    cursor: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEdit {
    Insert(char),
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    /// Ctrl-U: clear the field.
    Clear,
}

impl TextInput {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let cursor = text.len();
        Self { text, cursor }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Display cells before the cursor.
    pub fn cursor_cells(&self) -> usize {
        self.text[..self.cursor].width()
    }

    pub fn set(&mut self, text: impl Into<String>) {
        *self = Self::new(text);
    }

    /// Applies one edit; returns whether the text changed.
    pub fn apply(&mut self, edit: TextEdit) -> bool {
        match edit {
            // Control characters and bidi overrides are never typed in
            // (see `domain::clean`); a full field takes no more.
            TextEdit::Insert(c)
                if !crate::domain::clean::is_unsafe(c)
                    && (self.text.len() < MAX_CHARS || self.text.chars().count() < MAX_CHARS) =>
            {
                self.text.insert(self.cursor, c);
                self.cursor += c.len_utf8();
                // A combining mark joins the cluster before it; keep the cursor at
                // the end of that cluster, which is where it already is.
                true
            }
            TextEdit::Insert(_) => false,
            TextEdit::Backspace => match self.prev_boundary() {
                Some(p) => {
                    self.text.replace_range(p..self.cursor, "");
                    self.cursor = p;
                    true
                }
                None => false,
            },
            TextEdit::Delete => match self.next_boundary() {
                Some(n) => {
                    self.text.replace_range(self.cursor..n, "");
                    true
                }
                None => false,
            },
            TextEdit::Left => {
                if let Some(p) = self.prev_boundary() {
                    self.cursor = p;
                }
                false
            }
            TextEdit::Right => {
                if let Some(n) = self.next_boundary() {
                    self.cursor = n;
                }
                false
            }
            TextEdit::Home => {
                self.cursor = 0;
                false
            }
            TextEdit::End => {
                self.cursor = self.text.len();
                false
            }
            TextEdit::Clear => {
                let changed = !self.text.is_empty();
                self.text.clear();
                self.cursor = 0;
                changed
            }
        }
    }

    fn prev_boundary(&self) -> Option<usize> {
        self.text[..self.cursor].grapheme_indices(true).next_back().map(|(i, _)| i)
    }

    fn next_boundary(&self) -> Option<usize> {
        self.text[self.cursor..].graphemes(true).next().map(|g| self.cursor + g.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> TextInput {
        let mut t = TextInput::default();
        for c in s.chars() {
            t.apply(TextEdit::Insert(c));
        }
        t
    }

    #[test]
    fn a_thai_cluster_is_one_step() {
        let mut t = typed("ที่นา");
        assert_eq!(t.as_str(), "ที่นา");
        assert_eq!(t.cursor_cells(), 3);
        t.apply(TextEdit::Left);
        t.apply(TextEdit::Left);
        assert_eq!(&t.as_str()[..t.cursor()], "ที่");
        t.apply(TextEdit::Backspace);
        assert_eq!(t.as_str(), "นา");
        assert_eq!(t.cursor(), 0);
        t.apply(TextEdit::Delete);
        assert_eq!(t.as_str(), "า");
    }

    #[test]
    fn water_is_one_cluster_two_cells() {
        let mut t = typed("น้ำ");
        assert_eq!(t.cursor_cells(), 2);
        assert!(t.apply(TextEdit::Backspace));
        assert!(t.is_empty());
    }

    #[test]
    fn editing_in_the_middle() {
        let mut t = typed("กองทุน");
        t.apply(TextEdit::Home);
        t.apply(TextEdit::Right);
        t.apply(TextEdit::Insert('x'));
        assert_eq!(t.as_str(), "กxองทุน");
        t.apply(TextEdit::End);
        assert!(!t.apply(TextEdit::Delete));
        assert!(!t.apply(TextEdit::Insert('\u{7}')));
        assert!(t.apply(TextEdit::Clear));
        assert_eq!(t, TextInput::default());
    }
}
