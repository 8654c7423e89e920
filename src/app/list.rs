//! Cursor and scroll offset of a virtualised list: only `page` rows from `offset`
//! are ever drawn, whatever the length.

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListPos {
    pub cursor: usize,
    pub offset: usize,
}

impl ListPos {
    /// Moves by `delta` rows (clamped) and keeps the cursor on screen.
    pub fn move_by(&mut self, delta: isize, len: usize, page: usize) {
        if len == 0 {
            *self = Self::default();
            return;
        }
        let target = self.cursor as isize + delta;
        self.cursor = target.clamp(0, len as isize - 1) as usize;
        self.follow(page);
    }

    /// Applies a movement key; returns false for any other action.
    pub fn navigate(&mut self, action: super::action::Action, len: usize, page: usize) -> bool {
        use super::action::Action;
        match action {
            Action::Up => self.move_by(-1, len, page),
            Action::Down => self.move_by(1, len, page),
            Action::PageUp => self.move_by(-(page as isize), len, page),
            Action::PageDown => self.move_by(page as isize, len, page),
            Action::Home => self.home(),
            Action::End => self.end(len, page),
            _ => return false,
        }
        true
    }

    pub fn home(&mut self) {
        *self = Self::default();
    }

    pub fn end(&mut self, len: usize, page: usize) {
        self.cursor = len.saturating_sub(1);
        self.follow(page);
    }

    pub fn set(&mut self, cursor: usize, len: usize, page: usize) {
        self.cursor = cursor.min(len.saturating_sub(1));
        self.follow(page);
    }

    /// Re-clamps after the list or the screen changed size.
    pub fn clamp(&mut self, len: usize, page: usize) {
        self.cursor = self.cursor.min(len.saturating_sub(1));
        self.offset = self.offset.min(len.saturating_sub(page.max(1)));
        self.follow(page);
    }

    fn follow(&mut self, page: usize) {
        let page = page.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset.saturating_add(page) {
            self.offset = (self.cursor + 1).saturating_sub(page);
        }
    }

    /// The visible slice `offset..end` of a list of `len` rows.
    pub fn window(&self, len: usize, page: usize) -> std::ops::Range<usize> {
        let start = self.offset.min(len);
        start..start.saturating_add(page).min(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paging_keeps_the_cursor_visible() {
        let mut p = ListPos::default();
        p.move_by(25, 100, 10);
        assert_eq!(p, ListPos { cursor: 25, offset: 16 });
        p.move_by(-20, 100, 10);
        assert_eq!(p, ListPos { cursor: 5, offset: 5 });
        p.end(100, 10);
        assert_eq!(p, ListPos { cursor: 99, offset: 90 });
        p.clamp(3, 10);
        assert_eq!(p, ListPos { cursor: 2, offset: 0 });
        p.move_by(5, 0, 10);
        assert_eq!(p, ListPos::default());
    }

    #[test]
    fn an_unbounded_page_does_not_overflow() {
        let mut p = ListPos { cursor: 40, offset: 30 };
        p.set(35, 100, usize::MAX);
        assert_eq!(p, ListPos { cursor: 35, offset: 30 });
        p.set(10, 100, usize::MAX);
        assert_eq!(p, ListPos { cursor: 10, offset: 10 });
        assert_eq!(p.window(100, usize::MAX), 10..100);
    }

    proptest! {
        #[test]
        fn cursor_always_inside_window(moves in proptest::collection::vec(-50isize..50, 1..40),
                                       len in 1usize..500, page in 1usize..40) {
            let mut p = ListPos::default();
            for m in moves {
                p.move_by(m, len, page);
                let w = p.window(len, page);
                prop_assert!(w.contains(&p.cursor));
            }
        }
    }
}
