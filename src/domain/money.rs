//! Money as integer satang (1 baht = 100 satang). Never floating point.

use serde::{Deserialize, Serialize};

use super::thai::normalize_digits;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Money(pub i64);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("empty")]
    Empty,
    #[error("not an amount")]
    Invalid,
    #[error("at most two decimal places")]
    Decimals,
    #[error("too large")]
    TooLarge,
    #[error("cannot be negative")]
    Negative,
    #[error("commas must come every three digits")]
    Grouping,
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn baht(b: i64) -> Self {
        Self(b * 100)
    }

    pub fn satang(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, o: Money) -> Option<Money> {
        self.0.checked_add(o.0).map(Money)
    }

    /// Parses what an officer types: `1,000,000`, `1000000.50`, `฿1,000`,
    /// `1,000 บาท`, Thai digits. Negative amounts are refused: a correction is a
    /// new event of its own kind, not a negative number.
    pub fn parse(s: &str) -> Result<Self, MoneyError> {
        let s = normalize_digits(s.trim());
        let s = s.trim_start_matches('฿').trim_end_matches("บาท").trim();
        let s = s.strip_suffix("THB").unwrap_or(s).trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        if s.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let (whole, frac) = match s.split_once('.') {
            Some((w, f)) => (w, f),
            None => (s, ""),
        };
        let digit_or_comma = |c: char| c.is_ascii_digit() || c == ',' || c == ' ';
        if !whole.chars().all(digit_or_comma) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(MoneyError::Invalid);
        }
        let whole = super::thai::ungroup(whole).ok_or(MoneyError::Grouping)?;
        if whole.is_empty() && frac.is_empty() {
            return Err(MoneyError::Invalid);
        }
        if frac.len() > 2 {
            return Err(MoneyError::Decimals);
        }
        let baht: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| MoneyError::TooLarge)? };
        let satang: i64 = match frac.len() {
            0 => 0,
            1 => i64::from(frac.as_bytes()[0] - b'0') * 10,
            _ => frac.parse().map_err(|_| MoneyError::Invalid)?,
        };
        baht.checked_mul(100).and_then(|b| b.checked_add(satang)).map(Money).ok_or(MoneyError::TooLarge)
    }

    /// `1,600,000.00`
    pub fn format(self) -> String {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let (baht, satang) = (abs / 100, abs % 100);
        let mut s = group_thousands(baht);
        s.push_str(&format!(".{satang:02}"));
        if neg { format!("-{s}") } else { s }
    }

    /// `1,600,000` — whole baht, for narrow table columns (rounded half away from zero).
    pub fn format_whole(self) -> String {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let baht = (abs + 50) / 100;
        let s = group_thousands(baht);
        if neg { format!("-{s}") } else { s }
    }

    /// `151,131.6` — millions of baht to a tenth (rounded half away from
    /// zero), for a pane too narrow for whole baht. Some money under 50,000
    /// baht is `<0.1` (`>-0.1` owed), never `0.0`, which is none at all.
    pub fn format_millions(self) -> String {
        let neg = self.0 < 0;
        // A tenth of a million baht is 10,000,000 satang.
        let tenths = (u128::from(self.0.unsigned_abs()) + 5_000_000) / 10_000_000;
        if tenths == 0 && self.0 != 0 {
            // Under 50,000 baht is not "0.0" million: say it is some.
            return if neg { ">-0.1".into() } else { "<0.1".into() };
        }
        let whole = u64::try_from(tenths / 10).unwrap_or(u64::MAX);
        let s = format!("{}.{}", group_thousands(whole), tenths % 10);
        if neg && tenths > 0 { format!("-{s}") } else { s }
    }
}

/// `2669` → `2,669`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.format())
    }
}

impl std::fmt::Debug for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "฿{}", self.format())
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Self {
        Money(iter.map(|m| m.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_like_a_thai_ledger() {
        assert_eq!(Money::baht(1_600_000).format(), "1,600,000.00");
        assert_eq!(Money(5).format(), "0.05");
        assert_eq!(Money(-123_456).format(), "-1,234.56");
        assert_eq!(Money(99_950).format_whole(), "1,000");
        assert_eq!(group_thousands(2669), "2,669");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(Money::baht(151_131_600_000).format_millions(), "151,131.6");
        assert_eq!(Money::baht(233_700_000).format_millions(), "233.7");
        assert_eq!(Money::baht(49_999).format_millions(), "<0.1");
        assert_eq!(Money(1).format_millions(), "<0.1");
        assert_eq!(Money(-1).format_millions(), ">-0.1");
        assert_eq!(Money(0).format_millions(), "0.0");
        assert_eq!(Money::baht(50_000).format_millions(), "0.1");
        assert_eq!(Money::baht(1_949_999).format_millions(), "1.9");
        assert_eq!(Money::baht(-1_950_000).format_millions(), "-2.0");
        assert_eq!(Money(i64::MIN).format_millions(), "-92,233,720,368.5");
    }

    #[test]
    fn parses_what_officers_type() {
        assert_eq!(Money::parse("1,000,000"), Ok(Money::baht(1_000_000)));
        assert_eq!(Money::parse("๑,๐๐๐,๐๐๐"), Ok(Money::baht(1_000_000)));
        assert_eq!(Money::parse("฿500,000.5"), Ok(Money(50_000_050)));
        assert_eq!(Money::parse("1,000 บาท"), Ok(Money::baht(1000)));
        assert_eq!(Money::parse(".25"), Ok(Money(25)));
        assert_eq!(Money::parse("1.234"), Err(MoneyError::Decimals));
        assert_eq!(Money::parse("-5"), Err(MoneyError::Negative));
        assert_eq!(Money::parse("12a"), Err(MoneyError::Invalid));
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert_eq!(Money::parse("99999999999999999999"), Err(MoneyError::TooLarge));
    }

    #[test]
    fn commas_out_of_place_are_refused_not_guessed() {
        // Was 1,000 baht: which amount "1,0,0,0" meant is anyone's guess.
        assert_eq!(Money::parse("1,0,0,0"), Err(MoneyError::Grouping));
        assert_eq!(Money::parse("10,00"), Err(MoneyError::Grouping));
        assert_eq!(Money::parse("1,,000"), Err(MoneyError::Grouping));
        assert_eq!(Money::parse("1000,000"), Err(MoneyError::Grouping));
        assert_eq!(Money::parse(",500"), Err(MoneyError::Grouping));
        assert_eq!(Money::parse("1,00a"), Err(MoneyError::Invalid));
        // Every three digits, with commas or spaces, stays an amount.
        assert_eq!(Money::parse("12,345.50"), Ok(Money(1_234_550)));
        assert_eq!(Money::parse("1 000 000"), Ok(Money::baht(1_000_000)));
        assert_eq!(Money::parse("๑๒,๓๔๕"), Ok(Money::baht(12_345)));
    }

    proptest! {
        #[test]
        fn format_then_parse_is_identity(s in 0i64..i64::MAX / 100) {
            prop_assert_eq!(Money::parse(&Money(s).format()), Ok(Money(s)));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = Money::parse(&s);
        }
    }
}
