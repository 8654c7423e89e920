//! What a key means (an [`Action`]), where the officer is (a [`Ctx`]), the
//! tabs, what a confirmation or a pick list is for, and the status line.
//! Every screen and the app share these; they depend on nothing else of the
//! app but the text field's edits.

use super::text::TextEdit;
use crate::i18n::{Key, Msg, k};

/// Declares the tabs once: the enum, their order, which every officer sees
/// (the rest, after them, are for administrators) and their names. A new tab
/// is one line here, and its screen.
macro_rules! tabs {
    (
        shown { $( $(#[$doc:meta])* $name:ident: $label:expr; )* }
        admin { $( $(#[$adoc:meta])* $aname:ident: $alabel:expr; )* }
    ) => {
        /// The tabs in DESIGN order; the digit keys follow this order
        /// whether or not a tab is shown yet.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Tab {
            $( $(#[$doc])* $name, )*
            $( $(#[$adoc])* $aname, )*
        }

        impl Tab {
            pub const ALL: &'static [Tab] = &[$(Tab::$name,)* $(Tab::$aname,)*];

            /// Tabs every officer sees; administrators also see the rest.
            pub const SHOWN: &'static [Tab] = &[$(Tab::$name,)*];

            pub const fn label(self) -> Key {
                match self {
                    $(Tab::$name => $label,)*
                    $(Tab::$aname => $alabel,)*
                }
            }
        }
    };
}

tabs! {
    shown {
        Overview: k::TAB_OVERVIEW;
        Funds: k::TAB_FUNDS;
        Occupations: k::TAB_OCCUPATIONS;
        Ranking: k::TAB_RANKING;
        Sages: k::TAB_SAGES;
        Network: k::TAB_NETWORK;
    }
    admin {
        /// Accounts and the audit list, for administrators.
        Admin: k::TAB_ADMIN;
    }
}

impl Tab {
    pub fn number(self) -> u8 {
        Tab::ALL.iter().position(|t| *t == self).map_or(0, |i| i as u8 + 1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    NextTab,
    PrevTab,
    GoTab(u8),
    Help,
    ToggleLang,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Enter: open the selection / accept.
    Open,
    /// Esc: close, clear, go back.
    Back,
    New,
    Edit,
    Delete,
    Undo,
    Filter,
    SortNext,
    SortReverse,
    PickDistrict,
    PickCategory,
    PickFund,
    PickStage,
    NewCategory,
    /// `m`: a fund's members.
    Members,
    /// `t` on a fund: its committee's Excel templates, into the outbox.
    Templates,
    /// `o`: a new occupation record for the member on screen.
    NewOccupation,
    /// `a`: the date balances and overdue days are computed for.
    AsOf,
    PickProfile,
    EditWeights,
    SaveProfile,
    /// `+` / `-`: a longer or shorter list, a heavier or lighter weight.
    More,
    Less,
    Left,
    Right,
    ToggleSelected,
    MarkSelected,
    MarkModel,
    Export,
    /// `P`: a plan of sages for the selected households of a district.
    Plan,
    /// `v`: a visit to the household under the cursor.
    Visit,
    /// `t`: the status of the assignment under the cursor.
    SetStatus,
    /// `s`: sages suggested for a household.
    Suggest,
    /// `a`: accept the plan.
    Accept,
    /// `v`: the next list of the Network tab.
    NextView,
    /// `t` in the help: the Thai display check.
    ThaiCheck,
    /// `i`: the Import screen.
    Import,
    /// `c` on a fund's screen: collection day.
    Collection,
    /// `r` on the Import screen: read the inbox again.
    Reload,
    Text(TextEdit),
    NextField,
    PrevField,
    Save,
    /// In the repayment form: fill in what closes the loan.
    Payoff,
    Yes,
    No,
    Resize(u16, u16),
    /// Time passed: finish background work, notice other officers' saves.
    Tick,
}

/// What kind of context a [`Ctx`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CtxKind {
    /// A group of keys that works in other contexts (`Global`, `Nav`).
    Keys,
    /// A screen: its keys fall back to moving and to the global keys.
    Screen,
    /// Something over or inside a screen that takes its own keys only (a
    /// form, a pick list, a question, typing into a search …).
    Mode,
}

/// Declares the contexts once, with their kind and their section of the
/// help: `is_screen`, the help's sections and their order all follow from
/// this one table (and a new context cannot be added without saying both).
macro_rules! contexts {
    ($( $(#[$doc:meta])* $name:ident: $kind:ident, $help:expr; )*) => {
        /// Which keys mean what right now. Screens fall back to `Nav`
        /// (moving) and `Global` (tabs, help, language, undo, quit).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Ctx {
            $( $(#[$doc])* $name, )*
        }

        impl Ctx {
            /// Every context, in the order the help lists them.
            pub const ALL: &'static [Ctx] = &[$(Ctx::$name),*];

            pub const fn kind(self) -> CtxKind {
                match self {
                    $(Ctx::$name => CtxKind::$kind,)*
                }
            }

            /// The title of its section in the help, if it has one.
            pub const fn help_title(self) -> Option<Key> {
                match self {
                    $(Ctx::$name => $help,)*
                }
            }
        }
    };
}

contexts! {
    Global: Keys, Some(k::HELP_SECTION_GLOBAL);
    /// Moving in any list or table.
    Nav: Keys, Some(k::HELP_SECTION_NAV);
    /// The districts on the programme's eight steps.
    Overview: Screen, Some(k::HELP_SECTION_OVERVIEW);
    /// The fund list.
    List: Screen, Some(k::HELP_SECTION_LIST);
    /// A fund's detail.
    Detail: Screen, Some(k::HELP_SECTION_DETAIL);
    Members: Screen, Some(k::HELP_SECTION_MEMBERS);
    Member: Screen, Some(k::HELP_SECTION_MEMBER);
    Loan: Screen, Some(k::HELP_SECTION_LOAN);
    /// The list of all occupation records.
    Occupations: Screen, Some(k::HELP_SECTION_OCCUPATIONS);
    /// One occupation record.
    Occupation: Screen, Some(k::HELP_SECTION_OCCUPATION);
    Ranking: Screen, Some(k::HELP_SECTION_RANKING);
    /// Editing the ranking's weights.
    Weights: Mode, Some(k::HELP_SECTION_WEIGHTS);
    /// The list of sages.
    Sages: Screen, Some(k::HELP_SECTION_SAGES);
    /// One sage, their households and visits.
    Sage: Screen, Some(k::HELP_SECTION_SAGE);
    /// A proposed plan of sages for many households.
    Plan: Screen, Some(k::HELP_SECTION_PLAN);
    /// Sages suggested for one household.
    Suggest: Mode, Some(k::HELP_SECTION_SUGGEST);
    /// Committees, support or OTOP.
    Network: Screen, Some(k::HELP_SECTION_NETWORK);
    /// One committee and its briefings.
    Committee: Screen, Some(k::HELP_SECTION_COMMITTEE);
    /// Officer accounts or the audit list.
    Admin: Screen, Some(k::HELP_SECTION_ADMIN);
    /// One officer's keys.
    AdminKeys: Screen, Some(k::HELP_SECTION_ADMIN_KEYS);
    /// One audit entry, before → after.
    AuditEntry: Screen, Some(k::HELP_SECTION_AUDIT_ENTRY);
    Filter: Mode, Some(k::HELP_SECTION_FILTER);
    Picker: Mode, Some(k::HELP_SECTION_PICKER);
    Form: Mode, Some(k::HELP_SECTION_FORM);
    /// The repayment form: every form key, and the payoff.
    RepaymentForm: Mode, Some(k::HELP_SECTION_REPAYMENT_FORM);
    Confirm: Mode, Some(k::HELP_SECTION_CONFIRM);
    /// The Import screen: the inbox's files, then a file's check.
    Import: Mode, Some(k::HELP_SECTION_IMPORT);
    /// Collection day: a fund's loans due, typing what each paid.
    Collection: Mode, Some(k::HELP_SECTION_COLLECTION);
    Help: Mode, None;
    Offer: Mode, None;
    Busy: Mode, None;
}

impl Ctx {
    /// Keys are commands here (and Thai-layout letters count as Latin ones).
    pub fn is_navigation(self) -> bool {
        !matches!(self, Ctx::Form | Ctx::RepaymentForm | Ctx::Filter | Ctx::Picker)
    }

    /// A form is open (the repayment form has a key of its own besides).
    pub fn is_form(self) -> bool {
        matches!(self, Ctx::Form | Ctx::RepaymentForm)
    }

    /// Screens whose keys fall back to moving and to the global keys.
    pub fn is_screen(self) -> bool {
        self.kind() == CtxKind::Screen
    }
}

/// Which list the Network tab shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum NetView {
    #[default]
    Committees,
    Support,
    Otop,
}

impl NetView {
    pub const ALL: [NetView; 3] = [NetView::Committees, NetView::Support, NetView::Otop];
}

/// What a confirmation does when the officer says yes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    DeleteFund {
        id: u64,
        version: u64,
    },
    DeleteCapital {
        fund_id: u64,
        version: u64,
        seq: u32,
    },
    DeleteMember {
        fund_id: u64,
        id: u64,
        version: u64,
    },
    DeleteLoan {
        fund_id: u64,
        member_id: u64,
        version: u64,
        loan_id: u64,
    },
    DeleteRepayment {
        fund_id: u64,
        member_id: u64,
        version: u64,
        loan_id: u64,
        index: usize,
    },
    DeleteOccupation {
        key: (u64, u64, u64),
        version: u64,
    },
    DeleteSage {
        id: u64,
        version: u64,
    },
    Reassign {
        household: (u64, u64, u64),
        from: u64,
        to: u64,
    },
    DeleteSupport {
        id: u64,
        version: u64,
    },
    DeleteOtop {
        id: u64,
        version: u64,
    },
    DeleteBriefing {
        id: u64,
        version: u64,
        index: usize,
    },
    DiscardPlan,
    DiscardForm,
    /// Save the file the Import screen checked.
    ImportSave,
    /// Save the collection day's payments.
    SaveCollection,
    /// Close the collection screen, dropping what was typed.
    DiscardCollection,
    Quit,
    /// Disable an enabled officer, enable a disabled one.
    ToggleOfficer {
        id: u64,
        version: u64,
    },
    /// Remove key `n` (from 0) of an officer.
    RemoveKey {
        id: u64,
        version: u64,
        n: usize,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickPurpose {
    DistrictFilter,
    OccDistrict,
    OccCategory,
    OccFund,
    OccStage,
    RankScope,
    RankCategory,
    RankProfile,
    SageDistrict,
    SageExpertise,
    PlanScope,
    AssignmentStatus,
    NetworkDistrict,
    /// The kind of the file on the Import screen.
    ImportKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub msg: Msg,
    pub kind: StatusKind,
}
