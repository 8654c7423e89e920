//! Names of enumerated values in both languages.

use super::catalog::OccSort;
use crate::{
    domain::{
        fund::{CapitalKind, FundKind, Grade},
        loan::{LoanState, RepaymentMode},
        member::MemberStatus,
        occupation::{OccupationStatus, Stage, Verdict},
        programme::{OtopCategory, SupportKind, SupportLevel},
        ranking::Criterion,
        sage::{AssignmentStatus, SageStatus},
    },
    i18n::{Key, k, tr},
};

pub fn fund_kind(v: FundKind) -> Key {
    match v {
        FundKind::Village => k::FUND_KIND_VILLAGE,
        FundKind::Urban => k::FUND_KIND_URBAN,
    }
}

pub fn grade(v: Grade) -> Key {
    match v {
        Grade::A => k::GRADE_A,
        Grade::B => k::GRADE_B,
        Grade::C => k::GRADE_C,
        Grade::D => k::GRADE_D,
        Grade::Unassessed => k::GRADE_NONE,
    }
}

pub fn capital_kind(v: CapitalKind) -> Key {
    match v {
        CapitalKind::Initial => k::CAPITAL_INITIAL,
        CapitalKind::Increase1 => k::CAPITAL_INCREASE1,
        CapitalKind::Increase2 => k::CAPITAL_INCREASE2,
        CapitalKind::Increase3 => k::CAPITAL_INCREASE3,
        CapitalKind::Pracharat => k::CAPITAL_PRACHARAT,
        CapitalKind::Other => k::CAPITAL_OTHER,
    }
}

pub fn member_status(v: MemberStatus) -> Key {
    match v {
        MemberStatus::Active => k::MEMBER_ACTIVE,
        MemberStatus::Left => k::MEMBER_LEFT,
        MemberStatus::Deceased => k::MEMBER_DECEASED,
    }
}

pub fn repayment_mode(v: RepaymentMode) -> Key {
    match v {
        RepaymentMode::LumpSum => k::MODE_LUMP_SUM,
        RepaymentMode::Monthly => k::MODE_MONTHLY,
    }
}

pub fn loan_state(v: LoanState) -> Key {
    match v {
        LoanState::Current => k::LOAN_CURRENT,
        LoanState::Overdue => k::LOAN_OVERDUE,
        LoanState::Repaid => k::LOAN_REPAID,
        LoanState::WrittenOff => k::LOAN_WRITTEN_OFF,
    }
}

/// The Thai names the stages had before the terminology of issue 19 (files
/// written then still import; the stored values never changed).
pub fn stage_before_19(v: Stage) -> &'static [&'static str] {
    match v {
        Stage::Target => &["เป้าหมาย"],
        Stage::Coached => &["ได้รับการพัฒนา"],
        Stage::SelfDriving => &["พึ่งตนเองได้", "พึ่งตนเอง"],
        Stage::Model => &["ต้นแบบ"],
        Stage::Otop => &["OTOP"],
    }
}

pub fn stage(v: Stage) -> Key {
    match v {
        Stage::Target => k::STAGE_TARGET,
        Stage::Coached => k::STAGE_COACHED,
        Stage::SelfDriving => k::STAGE_SELF_DRIVING,
        Stage::Model => k::STAGE_MODEL,
        Stage::Otop => k::STAGE_OTOP,
    }
}

pub fn support_level(v: SupportLevel) -> Key {
    match v {
        SupportLevel::Province => k::SUPPORT_BY_PROVINCE,
        SupportLevel::District => k::SUPPORT_BY_DISTRICT,
        SupportLevel::Network => k::SUPPORT_BY_NETWORK,
    }
}

pub fn support_kind(v: SupportKind) -> Key {
    match v {
        SupportKind::Training => k::SUPPORT_TRAINING,
        SupportKind::Visit => k::SUPPORT_VISIT,
        SupportKind::MarketLink => k::SUPPORT_MARKET,
        SupportKind::Materials => k::SUPPORT_MATERIALS,
        SupportKind::Budget => k::SUPPORT_BUDGET,
    }
}

pub fn otop_category(v: OtopCategory) -> Key {
    match v {
        OtopCategory::Food => k::OTOP_FOOD,
        OtopCategory::Beverage => k::OTOP_BEVERAGE,
        OtopCategory::Textiles => k::OTOP_TEXTILES,
        OtopCategory::Decorative => k::OTOP_DECORATIVE,
        OtopCategory::HerbalNonFood => k::OTOP_HERBAL,
    }
}

pub fn sage_status(v: SageStatus) -> Key {
    match v {
        SageStatus::Active => k::SAGE_ACTIVE,
        SageStatus::Inactive => k::SAGE_INACTIVE,
    }
}

pub fn assignment_status(v: AssignmentStatus) -> Key {
    match v {
        AssignmentStatus::Planned => k::ASSIGNMENT_PLANNED,
        AssignmentStatus::Active => k::ASSIGNMENT_ACTIVE,
        AssignmentStatus::Done => k::ASSIGNMENT_DONE,
        AssignmentStatus::Cancelled => k::ASSIGNMENT_CANCELLED,
    }
}

pub fn occupation_status(v: OccupationStatus) -> Key {
    match v {
        OccupationStatus::Active => k::OCC_ACTIVE,
        OccupationStatus::Stopped => k::OCC_STOPPED,
    }
}

pub fn verdict(v: Verdict) -> Key {
    match v {
        Verdict::NotYet => k::VERDICT_NOT_YET,
        Verdict::Sammachip => k::VERDICT_SAMMACHIP,
        Verdict::Strong => k::VERDICT_STRONG,
    }
}

pub fn criterion(c: Criterion) -> Key {
    match c {
        Criterion::IncomeGrowth => k::CRIT_INCOME_GROWTH,
        Criterion::NetIncome => k::CRIT_NET_INCOME,
        Criterion::SavingsGrowth => k::CRIT_SAVINGS_GROWTH,
        Criterion::Repayment => k::CRIT_REPAYMENT,
        Criterion::Years => k::CRIT_YEARS,
        Criterion::Sammachip => k::CRIT_SAMMACHIP,
    }
}

/// Column heads of the criteria (four cells at most).
pub fn criterion_short(c: Criterion) -> Key {
    match c {
        Criterion::IncomeGrowth => k::CRIT_INCOME_GROWTH_SHORT,
        Criterion::NetIncome => k::CRIT_NET_INCOME_SHORT,
        Criterion::SavingsGrowth => k::CRIT_SAVINGS_GROWTH_SHORT,
        Criterion::Repayment => k::CRIT_REPAYMENT_SHORT,
        Criterion::Years => k::CRIT_YEARS_SHORT,
        Criterion::Sammachip => k::CRIT_SAMMACHIP_SHORT,
    }
}

pub fn verdict_short(v: Verdict) -> Key {
    match v {
        Verdict::NotYet => k::VERDICT_NOT_YET_SHORT,
        Verdict::Sammachip => k::VERDICT_SAMMACHIP_SHORT,
        Verdict::Strong => k::VERDICT_STRONG_SHORT,
    }
}

pub fn occ_sort(v: OccSort) -> Key {
    match v {
        OccSort::Fund => k::COL_FUND,
        OccSort::Member => k::COL_MEMBER,
        OccSort::District => k::COL_DISTRICT,
        OccSort::Category => k::COL_CATEGORY,
        OccSort::StartYear => k::COL_SINCE,
        OccSort::IncomeAfter => k::COL_INCOME_AFTER,
        OccSort::Stage => k::COL_STAGE,
    }
}

/// Choice options for an enum, valued by position in `all`.
pub fn options<T: Copy>(all: &[T], label: fn(T) -> Key) -> Vec<Opt> {
    all.iter()
        .enumerate()
        .map(|(i, v)| {
            let key = label(*v);
            Opt::new(i as u32, tr(crate::domain::Lang::Th, key), tr(crate::domain::Lang::En, key))
        })
        .collect()
}

/// The enum value an option stands for.
pub fn pick<T: Copy>(all: &[T], value: Option<u32>) -> Option<T> {
    all.get(value? as usize).copied()
}

/// One choice of a form field or a pick list, named in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opt {
    pub value: u32,
    pub th: String,
    pub en: String,
}

impl Opt {
    pub fn new(value: u32, th: impl Into<String>, en: impl Into<String>) -> Self {
        Self { value, th: th.into(), en: en.into() }
    }

    pub fn label(&self, lang: crate::domain::Lang) -> &str {
        match lang {
            crate::domain::Lang::Th => &self.th,
            crate::domain::Lang::En => &self.en,
        }
    }
}
