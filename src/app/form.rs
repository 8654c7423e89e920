//! Forms: labelled fields, each with its own error shown beside it. A failed
//! save keeps every character typed.

use super::text::{TextEdit, TextInput};
use crate::i18n::{Key, Msg};

/// One choice in a choice field, named in both languages.
pub use crate::service::labels::Opt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Text(TextInput),
    Choice { options: Vec<Opt>, index: usize },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub label: Key,
    pub input: Input,
    pub hint: Option<Key>,
    pub error: Option<Msg>,
}

impl Field {
    pub fn text(label: Key, value: impl Into<String>, hint: Option<Key>) -> Self {
        Self { label, input: Input::Text(TextInput::new(value)), hint, error: None }
    }

    pub fn choice(label: Key, options: Vec<Opt>, value: u32) -> Self {
        let index = options.iter().position(|o| o.value == value).unwrap_or(0);
        Self { label, input: Input::Choice { options, index }, hint: None, error: None }
    }

    pub fn text_value(&self) -> &str {
        match &self.input {
            Input::Text(t) => t.as_str(),
            Input::Choice { .. } => "",
        }
    }

    pub fn choice_value(&self) -> Option<u32> {
        match &self.input {
            Input::Choice { options, index } => options.get(*index).map(|o| o.value),
            Input::Text(_) => None,
        }
    }
}

/// What a form is for; the tab that opened it knows how to save it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormKind {
    NewFund,
    EditFund {
        id: u64,
        version: u64,
    },
    NewCapital {
        fund_id: u64,
        version: u64,
    },
    EditCapital {
        fund_id: u64,
        version: u64,
        seq: u32,
    },
    NewMember {
        fund_id: u64,
    },
    EditMember {
        fund_id: u64,
        id: u64,
        version: u64,
    },
    NewLoan {
        fund_id: u64,
        member_id: u64,
        version: u64,
    },
    EditLoan {
        fund_id: u64,
        member_id: u64,
        version: u64,
        loan_id: u64,
    },
    /// A new repayment (`index: None`) or a correction of one.
    Repayment {
        fund_id: u64,
        member_id: u64,
        version: u64,
        loan_id: u64,
        index: Option<usize>,
    },
    /// For a member (fund, member); `None`: the form asks for a national ID.
    NewOccupation {
        member: Option<(u64, u64)>,
    },
    EditOccupation {
        key: (u64, u64, u64),
        version: u64,
    },
    NewCategory,
    /// The date balances are computed for.
    AsOf,
    SaveProfile,
    /// A household selected for coaching or as a model, with date and reason.
    Mark {
        key: (u64, u64, u64),
        version: u64,
        stage: crate::domain::occupation::Stage,
    },
    Export,
    NewSage,
    EditSage {
        id: u64,
        version: u64,
    },
    /// A visit to the household of an assignment (sage, assignment).
    Visit {
        key: (u64, u64),
        version: u64,
    },
    Committee {
        id: u64,
        version: u64,
    },
    /// A briefing of a committee: new (`index: None`) or a correction.
    Briefing {
        id: u64,
        version: u64,
        index: Option<usize>,
    },
    NewSupport,
    EditSupport {
        id: u64,
        version: u64,
    },
    NewOtop,
    EditOtop {
        id: u64,
        version: u64,
    },
    /// A household moves to another stage, with date and note.
    StageChange {
        key: (u64, u64, u64),
        version: u64,
    },
    NewOfficer,
    /// Another public key for an officer.
    AddKey {
        id: u64,
        version: u64,
    },
}

impl FormKind {
    /// Does submitting this form change records? (The as-of date and the
    /// export file name do not.)
    pub fn writes(&self) -> bool {
        !matches!(self, FormKind::AsOf | FormKind::Export)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub kind: FormKind,
    pub title: Msg,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub dirty: bool,
    /// A problem with the form as a whole (e.g. changed by another officer).
    pub error: Option<Msg>,
    /// A warning the officer has seen and saves past by saving again (e.g.
    /// a stage skipped), as the form says it.
    pub warned: Option<Msg>,
}

impl Form {
    pub fn new(kind: FormKind, title: Msg, fields: Vec<Field>) -> Self {
        Self { kind, title, fields, focus: 0, dirty: false, error: None, warned: None }
    }

    /// Whether the officer has already been shown `warning` and saved again;
    /// if not, shows it (the save stops there once).
    pub fn confirmed(&mut self, warning: Msg) -> bool {
        if self.warned.as_ref() == Some(&warning) {
            return true;
        }
        self.error = Some(warning.clone());
        self.warned = Some(warning);
        false
    }

    pub fn next_field(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    pub fn prev_field(&mut self) {
        let n = self.fields.len().max(1);
        self.focus = (self.focus + n - 1) % n;
    }

    /// A key typed into the focused field. On a choice field, ← → and Space step
    /// through the options.
    pub fn edit(&mut self, edit: TextEdit) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        let changed = match &mut field.input {
            Input::Text(t) => t.apply(edit),
            Input::Choice { options, index } => {
                let n = options.len().max(1);
                let before = *index;
                match edit {
                    TextEdit::Right | TextEdit::Insert(' ') => *index = (*index + 1) % n,
                    TextEdit::Left => *index = (*index + n - 1) % n,
                    TextEdit::Home => *index = 0,
                    TextEdit::End => *index = n - 1,
                    _ => {}
                }
                *index != before
            }
        };
        if changed {
            self.dirty = true;
            field.error = None;
        }
    }

    /// Puts `value` in text field `i` for the officer (a figure the app
    /// worked out), as if typed: its error goes and the form counts as changed.
    pub fn set_text(&mut self, i: usize, value: impl Into<String>) {
        if let Some(f) = self.fields.get_mut(i)
            && let Input::Text(t) = &mut f.input
        {
            t.set(value);
            f.error = None;
            self.dirty = true;
        }
    }

    pub fn clear_errors(&mut self) {
        self.error = None;
        for f in &mut self.fields {
            f.error = None;
        }
    }

    /// Puts `msg` beside field `i` and moves the focus to the first field with an
    /// error.
    pub fn set_error(&mut self, i: usize, msg: Msg) {
        if let Some(f) = self.fields.get_mut(i) {
            f.error = Some(msg);
        }
        if let Some(first) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = first;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::k;

    #[test]
    fn choice_fields_cycle_and_text_fields_edit() {
        let mut f = Form::new(
            FormKind::NewFund,
            Msg::new(k::APP_NAME),
            vec![
                Field::choice(k::APP_NAME, vec![Opt::new(1, "ก", "a"), Opt::new(2, "ข", "b")], 2),
                Field::text(k::APP_NAME, "", None),
            ],
        );
        assert_eq!(f.fields[0].choice_value(), Some(2));
        f.edit(TextEdit::Right);
        assert_eq!(f.fields[0].choice_value(), Some(1));
        assert!(f.dirty);
        f.next_field();
        f.edit(TextEdit::Insert('ท'));
        assert_eq!(f.fields[1].text_value(), "ท");
        f.set_error(1, Msg::new(k::APP_NAME));
        f.prev_field();
        f.set_error(1, Msg::new(k::APP_NAME));
        assert_eq!(f.focus, 1);
        f.edit(TextEdit::Backspace);
        assert_eq!(f.fields[1].error, None, "typing clears the field's error");
        f.next_field();
        assert_eq!(f.focus, 0);
    }
}
