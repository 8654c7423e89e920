//! Screen geometry that both the state (paging) and the drawing must agree on.

/// Smallest screen the app draws on.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Tab bar, status line.
const CHROME: u16 = 2;
/// List block: top border, header row, bottom border.
const LIST_FRAME: u16 = 3;

/// Rows of a full-height list on a screen `height` rows tall.
pub fn list_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(CHROME + LIST_FRAME)).max(1)
}

/// Lines of the facts block of the loan view (the fund's has one more).
pub const DETAIL_FACTS: u16 = 7;

/// Rows of the repayments ledger in the loan view.
pub fn ledger_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(CHROME + DETAIL_FACTS + LIST_FRAME)).max(1)
}

/// Lines of the fund facts block: one more than a loan's, for lending
/// capital and the Pracharat budget on a line of their own.
pub const FUND_FACTS: u16 = DETAIL_FACTS + 1;

/// Rows of the capital ledger in the fund detail view.
pub fn fund_ledger_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(CHROME + FUND_FACTS + LIST_FRAME)).max(1)
}

/// Lines of the member facts block in the member view.
pub const MEMBER_FACTS: u16 = 5;

/// Rows of the loans-and-occupations table in the member view.
pub fn member_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(CHROME + MEMBER_FACTS + LIST_FRAME)).max(1)
}

/// Lines of the Ranking tab's breakdown of the selected household.
pub const RANKING_BREAKDOWN: u16 = 5;

/// Rows of the ranked table: the weights line takes one more.
pub fn ranking_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(CHROME + LIST_FRAME + 1 + RANKING_BREAKDOWN)).max(1)
}

/// The occupation detail: facts and figures above the loans that fund it.
pub const OCCUPATION_TOP: u16 = 5;
pub const OCCUPATION_FIGURES: u16 = 8;

/// Rows of the funding loans in the occupation detail.
pub fn occupation_loan_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(CHROME + OCCUPATION_TOP + OCCUPATION_FIGURES + LIST_FRAME)).max(1)
}

/// Lines of the sage facts block in the sage's detail.
pub const SAGE_FACTS: u16 = 5;
/// Lines of the visit log under a sage's households.
pub const SAGE_VISITS: u16 = 6;

/// Rows of a sage's households.
pub fn sage_assignment_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(CHROME + SAGE_FACTS + LIST_FRAME + SAGE_VISITS)).max(1)
}

/// Rows of the plan table: a summary line takes one more.
pub fn plan_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(CHROME + LIST_FRAME + 1)).max(1)
}

/// Rows of the suggestion box: the household's line takes one more.
pub fn suggestion_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(CHROME + LIST_FRAME + 1)).max(1)
}

/// The Overview: the loans-and-capital pane under the district table.
pub const OVERVIEW_MONEY: u16 = 7;

/// District rows of the Overview table: the province's total row takes one.
pub fn overview_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(CHROME + LIST_FRAME + 1 + OVERVIEW_MONEY)).max(1)
}

/// Lines of the committee facts above its briefings.
pub const COMMITTEE_FACTS: u16 = 6;

/// Rows of a committee's briefings.
pub fn briefing_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(CHROME + COMMITTEE_FACTS + LIST_FRAME)).max(1)
}
