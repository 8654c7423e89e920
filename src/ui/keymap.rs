//! The keymap: one table from keys to actions per context. The help overlay and
//! the key hints on the status line are generated from this table, so they
//! cannot drift from the real bindings.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::{
    app::{Action, Ctx, text::TextEdit},
    i18n::{Key, k},
};

/// A key as the table names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct K {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn key(code: KeyCode) -> K {
    K { code, mods: KeyModifiers::NONE }
}
const fn ch(c: char) -> K {
    key(KeyCode::Char(c))
}
const fn ctrl(c: char) -> K {
    K { code: KeyCode::Char(c), mods: KeyModifiers::CONTROL }
}

pub struct Binding {
    pub ctx: Ctx,
    pub keys: &'static [K],
    pub action: Action,
    pub help: Key,
    /// Shown on the status line in this context.
    pub hint: bool,
}

const fn b(ctx: Ctx, keys: &'static [K], action: Action, help: Key, hint: bool) -> Binding {
    Binding { ctx, keys, action, help, hint }
}

use Ctx::*;
use KeyCode::*;

const UP: &[K] = &[key(Up), ch('k')];
const DOWN: &[K] = &[key(Down), ch('j')];
const PGUP: &[K] = &[key(PageUp)];
const PGDN: &[K] = &[key(PageDown)];
const HOME: &[K] = &[key(Home), ch('g')];
const END: &[K] = &[key(End), ch('G')];

pub static BINDINGS: &[Binding] = &[
    // Everywhere in navigation mode.
    b(Global, &[key(Tab)], Action::NextTab, k::HELP_NEXT_TAB, false),
    b(Global, &[key(BackTab)], Action::PrevTab, k::HELP_PREV_TAB, false),
    b(Global, &[ch('1')], Action::GoTab(1), k::HELP_GO_TAB, false),
    b(Global, &[ch('2')], Action::GoTab(2), k::HELP_GO_TAB, false),
    b(Global, &[ch('3')], Action::GoTab(3), k::HELP_GO_TAB, false),
    b(Global, &[ch('4')], Action::GoTab(4), k::HELP_GO_TAB, false),
    b(Global, &[ch('5')], Action::GoTab(5), k::HELP_GO_TAB, false),
    b(Global, &[ch('6')], Action::GoTab(6), k::HELP_GO_TAB, false),
    b(Global, &[ch('7')], Action::GoTab(7), k::HELP_GO_TAB, false),
    b(Global, &[ch('?'), key(F(1))], Action::Help, k::HELP_HELP, true),
    b(Global, &[ch('L')], Action::ToggleLang, k::HELP_LANG, false),
    // Takes back the officer's newest change set, whichever tab made it.
    b(Global, &[ch('u')], Action::Undo, k::HELP_UNDO, false),
    // A spreadsheet of the officer's inbox into the store (also `i` in the help).
    b(Global, &[ch('i')], Action::Import, k::HELP_IMPORT, false),
    b(Global, &[ch('q'), ctrl('c')], Action::Quit, k::HELP_QUIT, true),
    // Moving in any list or table.
    b(Nav, UP, Action::Up, k::HELP_UP, false),
    b(Nav, DOWN, Action::Down, k::HELP_DOWN, false),
    b(Nav, PGUP, Action::PageUp, k::HELP_PAGE_UP, false),
    b(Nav, PGDN, Action::PageDown, k::HELP_PAGE_DOWN, false),
    b(Nav, HOME, Action::Home, k::HELP_HOME, false),
    b(Nav, END, Action::End, k::HELP_END, false),
    // The fund list.
    b(List, &[key(Enter)], Action::Open, k::HELP_OPEN, true),
    b(List, &[ch('/')], Action::Filter, k::HELP_FILTER, true),
    b(List, &[key(Esc)], Action::Back, k::HELP_CLEAR_FILTER, false),
    b(List, &[ch('f')], Action::PickDistrict, k::HELP_PICK_DISTRICT, true),
    b(List, &[ch('s')], Action::SortNext, k::HELP_SORT, true),
    b(List, &[ch('S')], Action::SortReverse, k::HELP_SORT_REVERSE, false),
    b(List, &[ch('n'), key(Insert)], Action::New, k::HELP_NEW_FUND, true),
    b(List, &[ch('e')], Action::Edit, k::HELP_EDIT_FUND, true),
    b(List, &[ch('d'), key(Delete)], Action::Delete, k::HELP_DELETE_FUND, true),
    // A fund's detail.
    b(Detail, &[key(Esc), key(Backspace)], Action::Back, k::HELP_BACK, true),
    b(Detail, &[ch('m')], Action::Members, k::HELP_MEMBERS, true),
    b(Detail, &[ch('n'), key(Insert)], Action::New, k::HELP_NEW_CAPITAL, true),
    b(Detail, &[key(Enter)], Action::Open, k::HELP_EDIT_CAPITAL, true),
    b(Detail, &[ch('d'), key(Delete)], Action::Delete, k::HELP_DELETE_CAPITAL, false),
    b(Detail, &[ch('e')], Action::Edit, k::HELP_EDIT_FUND, true),
    b(Detail, &[ch('c')], Action::Collection, k::HELP_COLLECTION, false),
    b(Detail, &[ch('t')], Action::Templates, k::HELP_TEMPLATES, false),
    // A fund's members.
    b(Members, &[key(Enter)], Action::Open, k::HELP_OPEN, true),
    b(Members, &[ch('/')], Action::Filter, k::HELP_FILTER_MEMBERS, true),
    b(Members, &[key(Esc), key(Backspace)], Action::Back, k::HELP_BACK, true),
    b(Members, &[ch('n'), key(Insert)], Action::New, k::HELP_NEW_MEMBER, true),
    b(Members, &[ch('e')], Action::Edit, k::HELP_EDIT_MEMBER, true),
    b(Members, &[ch('d'), key(Delete)], Action::Delete, k::HELP_DELETE_MEMBER, false),
    // One member.
    b(Member, &[key(Esc), key(Backspace)], Action::Back, k::HELP_BACK, true),
    b(Member, &[key(Enter)], Action::Open, k::HELP_OPEN_LOAN, true),
    b(Member, &[ch('n'), key(Insert)], Action::New, k::HELP_NEW_LOAN, true),
    b(Member, &[ch('o')], Action::NewOccupation, k::HELP_NEW_OCCUPATION, true),
    b(Member, &[ch('e')], Action::Edit, k::HELP_EDIT_MEMBER, true),
    b(Member, &[ch('d'), key(Delete)], Action::Delete, k::HELP_DELETE_ITEM, false),
    b(Member, &[ch('a')], Action::AsOf, k::HELP_AS_OF, false),
    // One loan.
    b(Loan, &[key(Esc), key(Backspace)], Action::Back, k::HELP_BACK, true),
    b(Loan, &[ch('n'), key(Insert)], Action::New, k::HELP_NEW_REPAYMENT, true),
    b(Loan, &[key(Enter)], Action::Open, k::HELP_EDIT_REPAYMENT, true),
    b(Loan, &[ch('d'), key(Delete)], Action::Delete, k::HELP_DELETE_REPAYMENT, false),
    b(Loan, &[ch('e')], Action::Edit, k::HELP_EDIT_LOAN, true),
    b(Loan, &[ch('a')], Action::AsOf, k::HELP_AS_OF, true),
    // Every occupation record.
    b(Occupations, &[key(Enter)], Action::Open, k::HELP_OPEN, true),
    b(Occupations, &[ch('/')], Action::Filter, k::HELP_FILTER, true),
    b(Occupations, &[key(Esc)], Action::Back, k::HELP_CLEAR_FILTERS, false),
    b(Occupations, &[ch('c')], Action::PickCategory, k::HELP_PICK_CATEGORY, true),
    b(Occupations, &[ch('f')], Action::PickDistrict, k::HELP_PICK_DISTRICT, true),
    b(Occupations, &[ch('F')], Action::PickFund, k::HELP_PICK_FUND, false),
    b(Occupations, &[ch('t')], Action::PickStage, k::HELP_PICK_STAGE, true),
    b(Occupations, &[ch('s')], Action::SortNext, k::HELP_SORT, false),
    b(Occupations, &[ch('S')], Action::SortReverse, k::HELP_SORT_REVERSE, false),
    b(Occupations, &[ch('n'), key(Insert)], Action::New, k::HELP_NEW_OCCUPATION, true),
    b(Occupations, &[ch('e')], Action::Edit, k::HELP_EDIT_OCCUPATION, false),
    b(Occupations, &[ch('d'), key(Delete)], Action::Delete, k::HELP_DELETE_OCCUPATION, false),
    b(Occupations, &[ch('C')], Action::NewCategory, k::HELP_NEW_CATEGORY, false),
    // One occupation record.
    b(Occupation, &[key(Esc), key(Backspace)], Action::Back, k::HELP_BACK, true),
    b(Occupation, &[ch('e')], Action::Edit, k::HELP_EDIT_OCCUPATION, true),
    b(Occupation, &[ch('s')], Action::Suggest, k::HELP_SUGGEST, true),
    b(Occupation, &[ch('t')], Action::SetStatus, k::HELP_STAGE_CHANGE, true),
    b(Occupation, &[ch('d'), key(Delete)], Action::Delete, k::HELP_DELETE_OCCUPATION, false),
    // The ranking.
    b(Ranking, &[ch('f')], Action::PickDistrict, k::HELP_PICK_SCOPE, true),
    b(Ranking, &[ch('c')], Action::PickCategory, k::HELP_PICK_CATEGORY, false),
    b(Ranking, &[ch('w')], Action::EditWeights, k::HELP_EDIT_WEIGHTS, true),
    b(Ranking, &[ch('p')], Action::PickProfile, k::HELP_PICK_PROFILE, false),
    b(Ranking, &[ch('P')], Action::SaveProfile, k::HELP_SAVE_PROFILE, false),
    b(Ranking, &[ch('+')], Action::More, k::HELP_MORE, false),
    b(Ranking, &[ch('-')], Action::Less, k::HELP_LESS, false),
    b(Ranking, &[ch('m')], Action::MarkSelected, k::HELP_MARK_SELECTED, true),
    b(Ranking, &[ch('o')], Action::MarkModel, k::HELP_MARK_MODEL, false),
    b(Ranking, &[ch('t')], Action::ToggleSelected, k::HELP_TOGGLE_SELECTED, true),
    b(Ranking, &[ch('x')], Action::Export, k::HELP_EXPORT, false),
    b(List, &[ch('x')], Action::Export, k::HELP_EXPORT_LIST, false),
    b(Members, &[ch('x')], Action::Export, k::HELP_EXPORT_LIST, false),
    b(Occupations, &[ch('x')], Action::Export, k::HELP_EXPORT_LIST, false),
    b(Sages, &[ch('x')], Action::Export, k::HELP_EXPORT_LIST, false),
    b(Ranking, &[key(Enter)], Action::Open, k::HELP_OPEN, false),
    b(Ranking, &[ch('s')], Action::Suggest, k::HELP_SUGGEST, false),
    // The sages.
    b(Sages, &[key(Enter)], Action::Open, k::HELP_OPEN, true),
    b(Sages, &[ch('/')], Action::Filter, k::HELP_FILTER_SAGES, true),
    b(Sages, &[key(Esc)], Action::Back, k::HELP_CLEAR_FILTERS, false),
    b(Sages, &[ch('f')], Action::PickDistrict, k::HELP_PICK_DISTRICT, true),
    b(Sages, &[ch('c')], Action::PickCategory, k::HELP_PICK_EXPERTISE, true),
    b(Sages, &[ch('P')], Action::Plan, k::HELP_PLAN, true),
    b(Sages, &[ch('n'), key(Insert)], Action::New, k::HELP_NEW_SAGE, true),
    b(Sages, &[ch('e')], Action::Edit, k::HELP_EDIT_SAGE, false),
    b(Sages, &[ch('d'), key(Delete)], Action::Delete, k::HELP_DELETE_SAGE, false),
    // One sage.
    b(Sage, &[key(Esc), key(Backspace)], Action::Back, k::HELP_BACK, true),
    b(Sage, &[ch('v')], Action::Visit, k::HELP_VISIT, true),
    b(Sage, &[ch('t')], Action::SetStatus, k::HELP_ASSIGNMENT_STATUS, true),
    b(Sage, &[ch('e')], Action::Edit, k::HELP_EDIT_SAGE, true),
    // A plan of sages.
    b(Plan, &[ch('a')], Action::Accept, k::HELP_ACCEPT_PLAN, true),
    b(Plan, &[key(Enter)], Action::Open, k::HELP_CHANGE_SAGE, true),
    b(Plan, &[ch('d'), key(Delete)], Action::Delete, k::HELP_DROP_LINE, true),
    b(Plan, &[key(Esc)], Action::Back, k::HELP_DISCARD_PLAN, true),
    // Sages suggested for one household.
    b(Suggest, UP, Action::Up, k::HELP_UP, false),
    b(Suggest, DOWN, Action::Down, k::HELP_DOWN, false),
    b(Suggest, PGUP, Action::PageUp, k::HELP_PAGE_UP, false),
    b(Suggest, PGDN, Action::PageDown, k::HELP_PAGE_DOWN, false),
    b(Suggest, HOME, Action::Home, k::HELP_HOME, false),
    b(Suggest, END, Action::End, k::HELP_END, false),
    b(Suggest, &[key(Enter)], Action::Open, k::HELP_ASSIGN, true),
    b(Suggest, &[key(Esc)], Action::Back, k::HELP_CANCEL, true),
    b(Suggest, &[ctrl('c')], Action::Quit, k::HELP_QUIT, false),
    // The Overview.
    b(Overview, &[key(Left)], Action::Left, k::HELP_PREV_STEP, true),
    b(Overview, &[key(Right)], Action::Right, k::HELP_NEXT_STEP, true),
    b(Overview, &[key(Enter)], Action::Open, k::HELP_OPEN_STEP, true),
    b(Overview, &[ch('x')], Action::Export, k::HELP_REPORT, false),
    // The Network tab.
    b(Network, &[ch('v')], Action::NextView, k::HELP_NEXT_VIEW, true),
    b(Network, &[key(Enter)], Action::Open, k::HELP_OPEN, true),
    b(Network, &[ch('f')], Action::PickDistrict, k::HELP_PICK_DISTRICT, true),
    b(Network, &[key(Esc)], Action::Back, k::HELP_CLEAR_FILTERS, false),
    b(Network, &[ch('n'), key(Insert)], Action::New, k::HELP_NEW_NET_ITEM, true),
    b(Network, &[ch('e')], Action::Edit, k::HELP_EDIT_NET_ITEM, false),
    b(Network, &[ch('d'), key(Delete)], Action::Delete, k::HELP_DELETE_NET_ITEM, false),
    // One committee.
    b(Committee, &[key(Esc), key(Backspace)], Action::Back, k::HELP_BACK, true),
    b(Committee, &[ch('n'), key(Insert)], Action::New, k::HELP_NEW_BRIEFING, true),
    b(Committee, &[key(Enter)], Action::Open, k::HELP_EDIT_BRIEFING, true),
    b(Committee, &[ch('e')], Action::Edit, k::HELP_EDIT_COMMITTEE, true),
    b(Committee, &[ch('d'), key(Delete)], Action::Delete, k::HELP_DELETE_BRIEFING, false),
    // The Admin tab.
    b(Admin, &[ch('v')], Action::NextView, k::HELP_ADMIN_VIEW, true),
    b(Admin, &[key(Enter)], Action::Open, k::HELP_OPEN_OFFICER, true),
    b(Admin, &[ch('n'), key(Insert)], Action::New, k::HELP_NEW_OFFICER, true),
    b(Admin, &[ch('d'), key(Delete)], Action::Delete, k::HELP_TOGGLE_OFFICER, false),
    b(Admin, &[ch('/')], Action::Filter, k::HELP_FILTER_AUDIT, true),
    b(Admin, &[ch('+')], Action::More, k::HELP_AUDIT_OLDER, false),
    b(Admin, &[key(Esc)], Action::Back, k::HELP_CLEAR_FILTER, false),
    b(AdminKeys, &[ch('n'), key(Insert)], Action::New, k::HELP_NEW_KEY, true),
    b(AdminKeys, &[ch('d'), key(Delete)], Action::Delete, k::HELP_REMOVE_KEY, true),
    b(AdminKeys, &[key(Esc)], Action::Back, k::HELP_BACK, true),
    b(AuditEntry, &[key(Esc), key(Enter)], Action::Back, k::HELP_BACK, true),
    // Editing the weights.
    b(Weights, &[key(Left)], Action::Left, k::HELP_PREV_WEIGHT, true),
    b(Weights, &[key(Right), key(Tab)], Action::Right, k::HELP_NEXT_WEIGHT, true),
    b(Weights, &[key(Up), ch('k')], Action::Up, k::HELP_WEIGHT_UP, true),
    b(Weights, &[key(Down), ch('j')], Action::Down, k::HELP_WEIGHT_DOWN, true),
    b(Weights, &[ch('+')], Action::More, k::HELP_WEIGHT_PLUS, false),
    b(Weights, &[ch('-')], Action::Less, k::HELP_WEIGHT_MINUS, false),
    b(Weights, &[key(Esc), key(Enter)], Action::Back, k::HELP_DONE, true),
    b(Weights, &[ctrl('c')], Action::Quit, k::HELP_QUIT, false),
    // Typing a filter.
    b(Filter, &[key(Enter)], Action::Open, k::HELP_FILTER_DONE, true),
    b(Filter, &[key(Esc)], Action::Back, k::HELP_CLEAR_FILTER, true),
    b(Filter, &[key(Up)], Action::Up, k::HELP_UP, false),
    b(Filter, &[key(Down)], Action::Down, k::HELP_DOWN, false),
    b(Filter, PGUP, Action::PageUp, k::HELP_PAGE_UP, false),
    b(Filter, PGDN, Action::PageDown, k::HELP_PAGE_DOWN, false),
    b(Filter, &[ctrl('u')], Action::Text(TextEdit::Clear), k::HELP_CLEAR_FIELD, false),
    b(Filter, &[ctrl('c')], Action::Quit, k::HELP_QUIT, false),
    // A form.
    b(Form, &[ctrl('s'), key(F(2))], Action::Save, k::HELP_SAVE, true),
    b(Form, &[key(Esc)], Action::Back, k::HELP_CANCEL, true),
    b(Form, &[key(Tab), key(Down), key(Enter)], Action::NextField, k::HELP_NEXT_FIELD, true),
    b(Form, &[key(BackTab), key(Up)], Action::PrevField, k::HELP_PREV_FIELD, false),
    b(Form, &[ctrl('u')], Action::Text(TextEdit::Clear), k::HELP_CLEAR_FIELD, false),
    b(Form, &[ctrl('c')], Action::Quit, k::HELP_QUIT, false),
    // The repayment form: the form's keys (below), and the payoff.
    b(RepaymentForm, &[ctrl('p')], Action::Payoff, k::HELP_PAYOFF, true),
    // A yes/no question.
    b(Confirm, &[ch('y'), ch('Y')], Action::Yes, k::HELP_YES, true),
    b(Confirm, &[ch('n'), ch('N'), key(Esc)], Action::No, k::HELP_NO, true),
    b(Confirm, &[ctrl('c')], Action::Quit, k::HELP_QUIT, false),
    // Collection day: typing what each loan brought.
    b(Collection, UP, Action::Up, k::HELP_UP, false),
    b(Collection, DOWN, Action::Down, k::HELP_DOWN, false),
    b(Collection, PGUP, Action::PageUp, k::HELP_PAGE_UP, false),
    b(Collection, PGDN, Action::PageDown, k::HELP_PAGE_DOWN, false),
    b(Collection, &[key(Enter)], Action::Open, k::HELP_COLLECT_ENTER, true),
    b(Collection, &[ctrl('s')], Action::Save, k::HELP_COLLECT_SAVE, true),
    b(Collection, &[key(Esc)], Action::Back, k::HELP_BACK, true),
    b(Collection, &[key(F(1))], Action::Help, k::HELP_HELP, false),
    b(Collection, &[ctrl('c')], Action::Quit, k::HELP_QUIT, false),
    // The Import screen: the inbox's files, then the check of one.
    b(Import, UP, Action::Up, k::HELP_UP, false),
    b(Import, DOWN, Action::Down, k::HELP_DOWN, false),
    b(Import, PGUP, Action::PageUp, k::HELP_PAGE_UP, false),
    b(Import, PGDN, Action::PageDown, k::HELP_PAGE_DOWN, false),
    b(Import, HOME, Action::Home, k::HELP_HOME, false),
    b(Import, END, Action::End, k::HELP_END, false),
    b(Import, &[key(Enter)], Action::Open, k::HELP_IMPORT_CHECK, true),
    b(Import, &[ch('c')], Action::PickCategory, k::HELP_IMPORT_KIND, true),
    b(Import, &[ch('s')], Action::Save, k::HELP_IMPORT_SAVE, true),
    b(Import, &[ch('r')], Action::Reload, k::HELP_IMPORT_RELOAD, true),
    b(Import, &[key(Esc)], Action::Back, k::HELP_BACK, true),
    b(Import, &[ch('u')], Action::Undo, k::HELP_UNDO, false),
    b(Import, &[ch('L')], Action::ToggleLang, k::HELP_LANG, false),
    b(Import, &[ch('?'), key(F(1))], Action::Help, k::HELP_HELP, false),
    b(Import, &[ch('q'), ctrl('c')], Action::Quit, k::HELP_QUIT, false),
    // The help overlay.
    b(Help, UP, Action::Up, k::HELP_UP, false),
    b(Help, DOWN, Action::Down, k::HELP_DOWN, false),
    b(Help, PGUP, Action::PageUp, k::HELP_PAGE_UP, false),
    b(Help, PGDN, Action::PageDown, k::HELP_PAGE_DOWN, false),
    b(Help, &[ch('t')], Action::ThaiCheck, k::HELP_THAI_CHECK, true),
    b(Help, &[ch('i')], Action::Import, k::HELP_IMPORT, true),
    b(Help, &[key(Esc), ch('?'), key(F(1)), ch('q')], Action::Back, k::HELP_CLOSE, true),
    // A pick list: typing narrows it.
    b(Picker, &[key(Up)], Action::Up, k::HELP_UP, false),
    b(Picker, &[key(Down)], Action::Down, k::HELP_DOWN, false),
    b(Picker, PGUP, Action::PageUp, k::HELP_PAGE_UP, false),
    b(Picker, PGDN, Action::PageDown, k::HELP_PAGE_DOWN, false),
    b(Picker, &[key(Enter)], Action::Open, k::HELP_CHOOSE, true),
    b(Picker, &[key(Esc)], Action::Back, k::HELP_CANCEL, true),
    b(Picker, &[ctrl('u')], Action::Text(TextEdit::Clear), k::HELP_CLEAR_FIELD, false),
    b(Picker, &[ctrl('c')], Action::Quit, k::HELP_QUIT, false),
    // The first-start offer.
    b(Offer, UP, Action::Up, k::HELP_UP, false),
    b(Offer, DOWN, Action::Down, k::HELP_DOWN, false),
    b(Offer, &[key(Enter)], Action::Open, k::HELP_CHOOSE, true),
    b(Offer, &[ch('q'), ctrl('c')], Action::Quit, k::HELP_QUIT, true),
    // While work runs beside the screen.
    b(Busy, &[ctrl('c')], Action::Quit, k::HELP_QUIT, false),
];

/// The Latin character on the same physical key as a Thai Kedmanee character.
pub fn kedmanee_to_latin(c: char) -> Option<char> {
    let latin = match c {
        // Unshifted rows.
        'ๆ' => 'q',
        'ไ' => 'w',
        'ำ' => 'e',
        'พ' => 'r',
        'ะ' => 't',
        'ั' => 'y',
        'ี' => 'u',
        'ร' => 'i',
        'น' => 'o',
        'ย' => 'p',
        'บ' => '[',
        'ล' => ']',
        'ฃ' => '\\',
        'ฟ' => 'a',
        'ห' => 's',
        'ก' => 'd',
        'ด' => 'f',
        'เ' => 'g',
        '้' => 'h',
        '่' => 'j',
        'า' => 'k',
        'ส' => 'l',
        'ว' => ';',
        'ง' => '\'',
        'ผ' => 'z',
        'ป' => 'x',
        'แ' => 'c',
        'อ' => 'v',
        'ิ' => 'b',
        'ื' => 'n',
        'ท' => 'm',
        'ม' => ',',
        'ใ' => '.',
        'ฝ' => '/',
        'ๅ' => '1',
        'ภ' => '4',
        'ถ' => '5',
        'ุ' => '6',
        'ึ' => '7',
        'ค' => '8',
        'ต' => '9',
        'จ' => '0',
        'ข' => '-',
        'ช' => '=',
        // Shifted rows.
        '๐' => 'Q',
        'ฎ' => 'E',
        'ฑ' => 'R',
        'ธ' => 'T',
        'ํ' => 'Y',
        '๊' => 'U',
        'ณ' => 'I',
        'ฯ' => 'O',
        'ญ' => 'P',
        'ฐ' => '{',
        'ฅ' => '|',
        'ฤ' => 'A',
        'ฆ' => 'S',
        'ฏ' => 'D',
        'โ' => 'F',
        'ฌ' => 'G',
        '็' => 'H',
        '๋' => 'J',
        'ษ' => 'K',
        'ศ' => 'L',
        'ซ' => ':',
        'ฉ' => 'C',
        'ฮ' => 'V',
        'ฺ' => 'B',
        '์' => 'N',
        'ฒ' => '<',
        'ฬ' => '>',
        'ฦ' => '?',
        '๑' => '@',
        '๒' => '#',
        '๓' => '$',
        '๔' => '%',
        'ู' => '^',
        '฿' => '&',
        '๕' => '*',
        '๖' => '(',
        '๗' => ')',
        '๘' => '_',
        '๙' => '+',
        _ => return None,
    };
    Some(latin)
}

fn matches(k: &K, ev: &KeyEvent) -> bool {
    if k.code != ev.code {
        return false;
    }
    // Shift is part of the character for letters and symbols (`G`, `?`); only
    // Ctrl and Alt must agree.
    let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT;
    match k.code {
        KeyCode::Char(_) => (ev.modifiers & relevant) == (k.mods & relevant),
        _ => {
            let relevant = relevant | KeyModifiers::SHIFT;
            (ev.modifiers & relevant) == (k.mods & relevant)
        }
    }
}

/// Whether `ev` is Ctrl and the letter `c`, as the bindings match it.
pub fn is_ctrl(ev: &KeyEvent, c: char) -> bool {
    matches(&ctrl(c), ev)
}

fn lookup(ctx: Ctx, ev: &KeyEvent) -> Option<Action> {
    BINDINGS.iter().find(|b| b.ctx == ctx && b.keys.iter().any(|k| matches(k, ev))).map(|b| b.action)
}

/// Turns a key press into an action for the context the app is in.
pub fn action_for(ctx: Ctx, ev: KeyEvent) -> Option<Action> {
    let mut ev = ev;
    // Terminals send Shift-Tab as BackTab, some with SHIFT set.
    if ev.code == KeyCode::BackTab {
        ev.modifiers.remove(KeyModifiers::SHIFT);
    }
    if ctx.is_navigation()
        && let KeyCode::Char(c) = ev.code
        && let Some(latin) = kedmanee_to_latin(c)
    {
        ev.code = KeyCode::Char(latin);
    }
    if let Some(a) = lookup(ctx, &ev) {
        return Some(a);
    }
    if ctx.is_screen() {
        return lookup(Ctx::Nav, &ev).or_else(|| lookup(Ctx::Global, &ev));
    }
    if ctx.is_form() {
        return lookup(Ctx::Form, &ev).or_else(|| text_edit(&ev).map(Action::Text));
    }
    match ctx {
        Ctx::Filter | Ctx::Picker | Ctx::Collection => text_edit(&ev).map(Action::Text),
        _ => None,
    }
}

fn text_edit(ev: &KeyEvent) -> Option<TextEdit> {
    let plain = !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    Some(match ev.code {
        KeyCode::Char(c) if plain => TextEdit::Insert(c),
        KeyCode::Backspace => TextEdit::Backspace,
        KeyCode::Delete => TextEdit::Delete,
        KeyCode::Left => TextEdit::Left,
        KeyCode::Right => TextEdit::Right,
        KeyCode::Home => TextEdit::Home,
        KeyCode::End => TextEdit::End,
        _ => return None,
    })
}

/// How a key is written in help and hints.
pub fn label(k: &K) -> String {
    let base = match k.code {
        KeyCode::Up => "↑".to_string(),
        KeyCode::Down => "↓".to_string(),
        KeyCode::Left => "←".to_string(),
        KeyCode::Right => "→".to_string(),
        KeyCode::PageUp => "PgUp".to_string(),
        KeyCode::PageDown => "PgDn".to_string(),
        KeyCode::Home => "Home".to_string(),
        KeyCode::End => "End".to_string(),
        KeyCode::Enter => "Enter".to_string(),
        KeyCode::Esc => "Esc".to_string(),
        KeyCode::Tab => "Tab".to_string(),
        KeyCode::BackTab => "Shift-Tab".to_string(),
        KeyCode::Backspace => "Backspace".to_string(),
        KeyCode::Insert => "Insert".to_string(),
        KeyCode::Delete => "Delete".to_string(),
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Char(c) => c.to_string(),
        _ => "?".to_string(),
    };
    if k.mods.contains(KeyModifiers::CONTROL) {
        if let KeyCode::Char(c) = k.code {
            return format!("Ctrl-{}", c.to_ascii_uppercase());
        }
        return format!("Ctrl-{base}");
    }
    base
}

/// The bindings of a context, for the help overlay: keys joined, in table
/// order; the six tab digits collapse into one line.
pub fn help_lines(ctx: Ctx) -> Vec<(String, Key)> {
    let mut out: Vec<(String, Key)> = Vec::new();
    for b in BINDINGS.iter().filter(|b| b.ctx == ctx) {
        let keys = b.keys.iter().map(label).collect::<Vec<_>>().join(" ");
        if let Some(last) = out.last_mut()
            && last.1 == b.help
        {
            last.0 = format!("{}–{}", last.0.split('–').next().unwrap_or(&last.0), keys);
            continue;
        }
        out.push((keys, b.help));
    }
    out
}

/// Key hints for the status line: the context's own first, then global ones.
pub fn hints(ctx: Ctx) -> Vec<(String, Key)> {
    let own = BINDINGS.iter().filter(|b| b.ctx == ctx && b.hint);
    // A form of its own (the repayment form) also has every form's keys.
    let form = BINDINGS.iter().filter(|b| b.ctx == Ctx::Form && b.hint && ctx.is_form() && ctx != Ctx::Form);
    let global = BINDINGS.iter().filter(|b| b.ctx == Ctx::Global && b.hint && ctx.is_screen());
    own.chain(form).chain(global).map(|b| (b.keys.first().map(label).unwrap_or_default(), b.help)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn kedmanee_letters_work_in_navigation() {
        // q→ๆ, j→่, k→า, n→ื, e→ำ, d→ก, from the design.
        assert_eq!(action_for(Ctx::List, press('ๆ')), Some(Action::Quit));
        assert_eq!(action_for(Ctx::List, press('่')), Some(Action::Down));
        assert_eq!(action_for(Ctx::List, press('า')), Some(Action::Up));
        assert_eq!(action_for(Ctx::List, press('ื')), Some(Action::New));
        assert_eq!(action_for(Ctx::List, press('ำ')), Some(Action::Edit));
        assert_eq!(action_for(Ctx::List, press('ก')), Some(Action::Delete));
        assert_eq!(action_for(Ctx::List, press('ศ')), Some(Action::ToggleLang));
        assert_eq!(action_for(Ctx::List, press('ฦ')), Some(Action::Help));
        assert_eq!(action_for(Ctx::Confirm, press('ั')), Some(Action::Yes));
        assert_eq!(action_for(Ctx::Confirm, press('ื')), Some(Action::No));
    }

    #[test]
    fn every_latin_letter_binding_has_a_thai_twin() {
        let thai_for = |latin: char| {
            ('\u{0E00}'..='\u{0E7F}').chain(['฿']).find(|t| kedmanee_to_latin(*t) == Some(latin))
        };
        for b in BINDINGS.iter().filter(|b| b.ctx.is_navigation()) {
            for k in b.keys {
                if let KeyCode::Char(c) = k.code
                    && c.is_ascii_alphabetic()
                    && k.mods.is_empty()
                {
                    let t = thai_for(c).unwrap_or_else(|| panic!("no Kedmanee key for {c}"));
                    assert_eq!(action_for(b.ctx, press(t)), Some(b.action), "{c} / {t} in {:?}", b.ctx);
                }
            }
        }
    }

    #[test]
    fn thai_letters_are_text_in_forms_and_filters() {
        assert_eq!(action_for(Ctx::Form, press('ก')), Some(Action::Text(TextEdit::Insert('ก'))));
        assert_eq!(action_for(Ctx::Filter, press('q')), Some(Action::Text(TextEdit::Insert('q'))));
        assert_eq!(
            action_for(Ctx::Form, KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Some(Action::Save)
        );
        assert_eq!(
            action_for(Ctx::Form, KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE)),
            Some(Action::Save)
        );
    }

    #[test]
    fn shift_tab_and_uppercase_letters() {
        assert_eq!(
            action_for(Ctx::List, KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::PrevTab)
        );
        assert_eq!(
            action_for(Ctx::List, KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::End)
        );
        assert_eq!(action_for(Ctx::List, press('2')), Some(Action::GoTab(2)));
    }

    #[test]
    fn help_is_generated_from_the_table() {
        let lines = help_lines(Ctx::Global);
        assert!(lines.iter().any(|(keys, help)| keys == "q Ctrl-C" && *help == k::HELP_QUIT));
        assert!(lines.iter().any(|(keys, help)| keys == "1–7" && *help == k::HELP_GO_TAB));
        assert!(hints(Ctx::Form).iter().any(|(keys, _)| keys == "Ctrl-S"));
    }

    #[test]
    fn the_repayment_form_has_the_form_keys_and_the_payoff() {
        let ctrl_p = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL);
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(action_for(Ctx::RepaymentForm, ctrl_p), Some(Action::Payoff));
        assert_eq!(action_for(Ctx::RepaymentForm, ctrl_s), Some(Action::Save));
        assert_eq!(action_for(Ctx::RepaymentForm, press('ก')), Some(Action::Text(TextEdit::Insert('ก'))));
        assert_eq!(action_for(Ctx::Form, ctrl_p), None, "other forms have no payoff");
        let keys: Vec<String> = hints(Ctx::RepaymentForm).into_iter().map(|h| h.0).collect();
        assert_eq!(keys, ["Ctrl-P", "Ctrl-S", "Esc", "Tab"]);
        // No other binding of a form context takes Ctrl-P.
        let taken = BINDINGS.iter().filter(|b| b.ctx.is_form() && b.keys.contains(&ctrl('p'))).count();
        assert_eq!(taken, 1);
    }
}
