//! Collection day on screen (`c` on a fund's screen): every loan of the fund
//! with an instalment due by today, what is due, and what was paid. The
//! officer moves down the list typing amounts — `Enter` on a line with
//! nothing typed: paid in full; an amount then `Enter`: that much; `0`
//! then `Enter`: nothing — and saves once (`Ctrl-S`): a summary first
//! (collected, still due, loans left late), then every repayment checked as
//! the single form checks it and saved as one change set `u` takes back
//! (see `service::collection`).

use std::sync::Arc;

use super::{
    action::{Action, Pending},
    list::ListPos,
    overlay::Overlay,
    shared::Shared,
    text::TextEdit,
};
use crate::{
    domain::{Date, Money, thai},
    i18n::{Msg, k},
    service::{
        collection::{self, CollectError, Due},
        messages,
    },
    store::Store,
};

pub struct CollectionScreen {
    pub fund_id: u64,
    pub fund_name: String,
    pub date: Date,
    pub rows: Vec<Due>,
    /// What each line brought: `None` not yet said.
    pub paid: Vec<Option<Money>>,
    /// The amount being typed on the line under the cursor.
    pub typing: String,
    pub pos: ListPos,
}

/// What the app does after a key.
pub enum Then {
    Stay,
    Close,
}

/// Lines the list shows at a time.
pub fn page(sh: &Shared) -> usize {
    usize::from(sh.size.1).saturating_sub(9).max(1)
}

impl CollectionScreen {
    /// Opens the fund's collection for today, or says why not.
    pub fn open(sh: &mut Shared, store: &Store, fund_id: u64, fund_name: String) -> Option<CollectionScreen> {
        if let Err(d) = sh.access.may_write() {
            sh.error(messages::denied(&d));
            return None;
        }
        let rows = match collection::dues(store, fund_id, sh.today) {
            Ok(r) => r,
            Err(e) => {
                sh.error(messages::store(&e));
                return None;
            }
        };
        if rows.is_empty() {
            sh.info(k::COLLECT_NOTHING_DUE);
            return None;
        }
        let paid = vec![None; rows.len()];
        Some(CollectionScreen {
            fund_id,
            fund_name,
            date: sh.today,
            rows,
            paid,
            typing: String::new(),
            pos: ListPos::default(),
        })
    }

    pub fn entries(&self) -> Vec<(Due, Option<Money>)> {
        self.rows.iter().cloned().zip(self.paid.iter().copied()).collect()
    }

    /// Drawn on every frame: read in place, nothing copied.
    pub fn summary(&self) -> collection::Summary {
        collection::summary(self.rows.iter().zip(self.paid.iter().copied()))
    }

    /// Takes what is typed as the line's payment (nothing typed: in full).
    fn commit(&mut self, sh: &mut Shared, full_if_empty: bool) -> bool {
        let i = self.pos.cursor;
        let Some(due) = self.rows.get(i) else { return false };
        if self.typing.is_empty() {
            if full_if_empty {
                self.paid[i] = Some(due.total());
            }
            return true;
        }
        match Money::parse(&self.typing) {
            Ok(m) if m.0 >= 0 => {
                self.paid[i] = Some(m);
                self.typing.clear();
                true
            }
            _ => {
                sh.error(Msg::with(k::COLLECT_BAD_AMOUNT, [self.typing.clone()]));
                false
            }
        }
    }

    pub fn action(&mut self, sh: &mut Shared, action: Action) -> Then {
        let n = self.rows.len();
        match action {
            Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Home | Action::End
                if self.commit(sh, false) =>
            {
                self.pos.navigate(action, n, page(sh));
            }
            Action::Open if self.commit(sh, true) => {
                self.pos.navigate(Action::Down, n, page(sh));
            }
            Action::Text(TextEdit::Insert(c)) => {
                let c = thai::normalize_digits(&c.to_string()).chars().next().unwrap_or(c);
                if (c.is_ascii_digit() || c == '.' || c == ',') && self.typing.len() < 16 {
                    self.typing.push(c);
                }
            }
            Action::Text(TextEdit::Backspace) => {
                if self.typing.pop().is_none()
                    && let Some(p) = self.paid.get_mut(self.pos.cursor)
                {
                    *p = None;
                }
            }
            Action::Save => {
                if !self.commit(sh, false) {
                    return Then::Stay;
                }
                let s = self.summary();
                if s.payments == 0 {
                    sh.info(k::COLLECT_NOTHING_TYPED);
                    return Then::Stay;
                }
                let msg = Msg::with(
                    k::COLLECT_CONFIRM,
                    [
                        s.payments.to_string(),
                        s.collected.format(),
                        s.still_due.format(),
                        s.now_late.to_string(),
                    ],
                );
                sh.overlay = Some(Overlay::Confirm { msg, then: Pending::SaveCollection });
            }
            Action::Back => {
                if self.paid.iter().any(Option::is_some) {
                    sh.overlay = Some(Overlay::Confirm {
                        msg: Msg::new(k::COLLECT_DISCARD),
                        then: Pending::DiscardCollection,
                    });
                } else {
                    return Then::Close;
                }
            }
            _ => {}
        }
        Then::Stay
    }

    /// Saves every payment as one change set (the action's), or says which
    /// loan the form would refuse and saves nothing.
    pub fn save(&self, sh: &mut Shared, store: &Arc<Store>) -> bool {
        let result = collection::record(store, sh.who(), self.date, sh.today, &self.entries());
        match result {
            Ok(n) => {
                let s = self.summary();
                sh.info(Msg::with(
                    k::COLLECT_SAVED,
                    [n.to_string(), s.collected.format(), self.fund_name.clone()],
                ));
                true
            }
            Err(CollectError::Refused(loan, errs)) => {
                let why = errs
                    .first()
                    .map(|(_, e)| messages::repayment(e))
                    .unwrap_or_else(|| Msg::new(k::ERR_REQUIRED));
                sh.error(Msg::with(k::COLLECT_REFUSED, [loan.to_string(), why.render(sh.lang)]));
                false
            }
            Err(CollectError::Gone(loan)) => {
                sh.error(Msg::with(k::COLLECT_GONE, [loan.to_string()]));
                false
            }
            Err(CollectError::Store(e)) => {
                sh.error(messages::store(&e));
                false
            }
            Err(CollectError::Save(e)) => {
                // What was saved before the refusal is taken back whole.
                let change = sh.change.id();
                let who = crate::store::Actor { change: None, ..sh.who() };
                let _ = crate::service::changes::undo_change(store, who, change);
                sh.error(messages::save(&e));
                false
            }
        }
    }
}
