//! The loan rules under random books (issue 18): loans and repayments typed
//! at random through the same checks the forms use, and what the screens
//! read of them afterwards.
//!
//! - Arrears are what fell due minus what was paid, never negative, for
//!   principal and interest alike, on any day; what a repayment form offers
//!   (`due_now`) is never more than the payoff.
//! - A fund never has less than nothing to lend after any save the checks
//!   accept: new loans, raised loans, repayments, in any order.

use proptest::prelude::*;
use sammachip::domain::{
    Date, Money,
    fund::{CapitalEvent, CapitalKind, Fund, Lending},
    loan::{Loan, LoanCheck, LoanDraft, LoanStatus, RepaymentDraft, RepaymentMode},
    thai,
};

fn day(n: i32) -> Date {
    Date::from_ymd(2024, 1, 1).unwrap().add_days(n)
}

fn today() -> Date {
    day(1_200)
}

fn typed(d: Date) -> String {
    thai::format_date(d, sammachip::domain::Lang::Th)
}

fn baht(satang: i64) -> String {
    format!("{}.{:02}", satang / 100, satang % 100)
}

/// A fund with an allocation, a top-up and the Pracharat budget (not lent).
fn fund(capital_baht: i64) -> Fund {
    let event = |seq, kind, amount| CapitalEvent {
        seq,
        kind,
        date: Date::from_ymd(2023, 6, 1).unwrap(),
        amount: Money::baht(amount),
        note: String::new(),
    };
    Fund {
        established: Date::from_ymd(2023, 1, 1),
        capital: vec![
            event(1, CapitalKind::Initial, capital_baht),
            event(2, CapitalKind::Increase1, capital_baht / 10),
            event(3, CapitalKind::Pracharat, 500_000),
        ],
        ..Fund::default()
    }
}

#[derive(Clone, Debug)]
enum Step {
    /// A new loan: principal (baht), start (days from 2024), term, monthly.
    Lend(i64, i32, u16, bool),
    /// A loan's principal typed again (index, baht).
    Raise(usize, i64),
    /// A repayment on a loan (index, days after its start, principal and
    /// interest in satang).
    Repay(usize, i32, i64, i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1i64..400_000, 0i32..1_100, 1u16..24, any::<bool>()).prop_map(|(p, s, t, m)| Step::Lend(p, s, t, m)),
        (0usize..8, 1i64..400_000).prop_map(|(i, p)| Step::Raise(i, p)),
        (0usize..8, 0i32..800, 0i64..30_000_000, 0i64..3_000_000)
            .prop_map(|(i, d, p, n)| Step::Repay(i, d, p, n)),
    ]
}

fn check<'a>(available: Money, today: Date) -> LoanCheck<'a> {
    LoanCheck {
        borrower: (1, 1),
        fund_start: Date::from_ymd(2023, 1, 1),
        joined: Date::from_ymd(2023, 2, 1),
        guarantors: &[],
        category_exists: true,
        today,
        available: Some(available),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn available_to_lend_is_never_negative_after_an_accepted_save(
        capital in 10_000i64..2_000_000,
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let f = fund(capital);
        let mut loans: Vec<Loan> = Vec::new();
        let mut accepted = 0;
        for s in steps {
            let available = Lending::of(&f, &loans).available();
            prop_assert!(available.0 >= 0);
            match s {
                Step::Lend(p, start, term, monthly) => {
                    let draft = LoanDraft {
                        principal: p.to_string(),
                        rate: "6".into(),
                        start: typed(day(start)),
                        term: term.to_string(),
                        mode: if monthly { RepaymentMode::Monthly } else { RepaymentMode::LumpSum },
                        purpose: 1,
                    };
                    let mut loan = Loan {
                        id: loans.len() as u64 + 1,
                        principal: Money::ZERO,
                        rate_bp: 0,
                        start: today(),
                        term_months: 12,
                        mode: RepaymentMode::LumpSum,
                        purpose: 1,
                        guarantors: vec![],
                        status: LoanStatus::Open,
                        repayments: vec![],
                    };
                    let ok = draft.apply(&mut loan, &check(available, today())).is_ok();
                    prop_assert_eq!(ok, Money::baht(p) <= available, "{} baht with {:?} to lend", p, available);
                    if ok {
                        loans.push(loan);
                        accepted += 1;
                    }
                }
                Step::Raise(i, p) => {
                    let Some(loan) = loans.get_mut(i) else { continue };
                    let draft = LoanDraft {
                        principal: p.to_string(),
                        rate: "6".into(),
                        start: typed(loan.start),
                        term: loan.term_months.to_string(),
                        mode: loan.mode,
                        purpose: 1,
                    };
                    let before = loan.principal;
                    if draft.apply(loan, &check(available, today())).is_ok() {
                        prop_assert!(loan.principal.0 - before.0 <= available.0);
                        accepted += 1;
                    }
                }
                Step::Repay(i, after, p, n) => {
                    let Some(loan) = loans.get_mut(i) else { continue };
                    let date = loan.start.add_days(after).min(today());
                    let draft = RepaymentDraft {
                        date: typed(date),
                        principal: baht(p),
                        interest: baht(n),
                        penalty: String::new(),
                    };
                    if draft.apply(loan, None, today()).is_ok() {
                        accepted += 1;
                    }
                }
            }
            let after = Lending::of(&f, &loans);
            prop_assert!(after.available().0 >= 0, "{:?} after {} saves", after, accepted);
        }
    }

    #[test]
    fn arrears_are_what_fell_due_minus_what_was_paid_never_negative(
        principal in 1_000i64..300_000,
        term in 1u16..24,
        monthly in any::<bool>(),
        pays in proptest::collection::vec((0i32..900, 0i64..30_000_000, 0i64..3_000_000), 0..12),
        on in 0i32..1_100,
    ) {
        let mut loan = Loan {
            id: 1,
            principal: Money::baht(principal),
            rate_bp: 600,
            start: day(0),
            term_months: term,
            mode: if monthly { RepaymentMode::Monthly } else { RepaymentMode::LumpSum },
            purpose: 1,
            guarantors: vec![],
            status: LoanStatus::Open,
            repayments: vec![],
        };
        for (after, p, n) in pays {
            let draft = RepaymentDraft {
                date: typed(day(after).min(today())),
                principal: baht(p),
                interest: baht(n),
                penalty: String::new(),
            };
            let _ = draft.apply(&mut loan, None, today());
        }
        let p = loan.position(day(on));
        prop_assert_eq!(p.arrears.0, (p.due_principal.0 - p.paid_principal.0).max(0));
        prop_assert_eq!(p.interest_arrears.0, (p.due_interest.0 - p.paid_interest.0).max(0));
        prop_assert!(p.arrears.0 >= 0 && p.interest_arrears.0 >= 0 && p.outstanding.0 >= 0);
        prop_assert_eq!(p.outstanding.0 + p.paid_principal.0, loan.principal.0);
        // Overdue days only with something overdue.
        prop_assert!(p.days_overdue == 0 || p.arrears.0 > 0);
        // What the repayment form offers is never more than the payoff.
        let (due_p, due_i) = loan.due_now(day(on));
        let (pay_p, pay_i) = loan.payoff(None);
        prop_assert!(due_p.0 >= 0 && due_i.0 >= 0);
        if day(on) >= today() {
            prop_assert!(due_p <= pay_p && due_i <= pay_i, "due {:?} {:?} payoff {:?} {:?}", due_p, due_i, pay_p, pay_i);
        }
    }
}
