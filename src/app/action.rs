//! What a key means (an [`Action`]), where the officer is (a [`Ctx`]), the
//! tabs, what a confirmation or a pick list is for, and the status line.
//! Every screen and the app share these; they depend on nothing else of the
//! app but the text field's edits.

use super::text::TextEdit;
use crate::i18n::{Key, Msg, k};

/// The tabs in DESIGN order; the digit keys 1–6 follow this order whether or
/// not a tab is shown yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Funds,
    Occupations,
    Ranking,
    Sages,
    Network,
    /// Accounts and the audit list, for administrators.
    Admin,
}

impl Tab {
    pub const ALL: [Tab; 7] =
        [Tab::Overview, Tab::Funds, Tab::Occupations, Tab::Ranking, Tab::Sages, Tab::Network, Tab::Admin];

    /// Tabs every officer sees; administrators also see [`Tab::Admin`].
    pub const SHOWN: [Tab; 6] =
        [Tab::Overview, Tab::Funds, Tab::Occupations, Tab::Ranking, Tab::Sages, Tab::Network];

    pub fn number(self) -> u8 {
        Tab::ALL.iter().position(|t| *t == self).map_or(0, |i| i as u8 + 1)
    }

    pub fn label(self) -> Key {
        match self {
            Tab::Overview => k::TAB_OVERVIEW,
            Tab::Funds => k::TAB_FUNDS,
            Tab::Occupations => k::TAB_OCCUPATIONS,
            Tab::Ranking => k::TAB_RANKING,
            Tab::Sages => k::TAB_SAGES,
            Tab::Network => k::TAB_NETWORK,
            Tab::Admin => k::TAB_ADMIN,
        }
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
    Text(TextEdit),
    NextField,
    PrevField,
    Save,
    Yes,
    No,
    Resize(u16, u16),
    /// Time passed: finish background work, notice other officers' saves.
    Tick,
}

/// Which keys mean what right now. Navigation screens fall back to `Nav`
/// (moving) and `Global` (tabs, help, language, quit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ctx {
    Global,
    /// Moving in any list or table.
    Nav,
    /// The fund list.
    List,
    /// A fund's detail.
    Detail,
    Members,
    Member,
    Loan,
    /// The list of all occupation records.
    Occupations,
    /// One occupation record.
    Occupation,
    Ranking,
    /// Editing the ranking's weights.
    Weights,
    /// The list of sages.
    Sages,
    /// One sage, their households and visits.
    Sage,
    /// A proposed plan of sages for many households.
    Plan,
    /// Sages suggested for one household.
    Suggest,
    /// The districts on the programme's eight steps.
    Overview,
    /// Committees, support or OTOP.
    Network,
    /// One committee and its briefings.
    Committee,
    /// Officer accounts or the audit list.
    Admin,
    /// One officer's keys.
    AdminKeys,
    /// One audit entry, before → after.
    AuditEntry,
    Filter,
    Form,
    Confirm,
    Help,
    Picker,
    Offer,
    Busy,
}

impl Ctx {
    /// Keys are commands here (and Thai-layout letters count as Latin ones).
    pub fn is_navigation(self) -> bool {
        !matches!(self, Ctx::Form | Ctx::Filter | Ctx::Picker)
    }

    /// Screens whose keys fall back to moving and to the global keys.
    pub fn is_screen(self) -> bool {
        matches!(
            self,
            Ctx::List
                | Ctx::Detail
                | Ctx::Members
                | Ctx::Member
                | Ctx::Loan
                | Ctx::Occupations
                | Ctx::Occupation
                | Ctx::Ranking
                | Ctx::Sages
                | Ctx::Sage
                | Ctx::Plan
                | Ctx::Overview
                | Ctx::Admin
                | Ctx::AdminKeys
                | Ctx::AuditEntry
                | Ctx::Network
                | Ctx::Committee
        )
    }
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

