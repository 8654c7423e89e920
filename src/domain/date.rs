//! A calendar date stored as days since 1970-01-01 (compact in the store, cheap to
//! subtract for overdue days). Calendar arithmetic is delegated to `jiff`.

use jiff::{SignedDuration, civil};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date(i32);

const EPOCH: civil::Date = civil::Date::constant(1970, 1, 1);
const SECONDS_PER_DAY: i64 = 86_400;

impl Date {
    pub fn from_days(days: i32) -> Self {
        Self(days)
    }

    pub fn days(self) -> i32 {
        self.0
    }

    /// A C.E. date, or `None` when there is no such day.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Self> {
        let y = i16::try_from(year).ok()?;
        let m = i8::try_from(month).ok()?;
        let d = i8::try_from(day).ok()?;
        civil::Date::new(y, m, d).ok().map(Self::from_civil)
    }

    fn from_civil(d: civil::Date) -> Self {
        let secs = d.duration_since(EPOCH).as_secs();
        // Dates jiff accepts are within ±10,000 years: the quotient fits in i32.
        Self((secs / SECONDS_PER_DAY) as i32)
    }

    fn to_civil(self) -> civil::Date {
        let dur = SignedDuration::from_secs(i64::from(self.0) * SECONDS_PER_DAY);
        EPOCH.checked_add(dur).unwrap_or(EPOCH)
    }

    /// Year (C.E.), month 1–12, day 1–31.
    pub fn ymd(self) -> (i32, u8, u8) {
        let d = self.to_civil();
        (i32::from(d.year()), d.month() as u8, d.day() as u8)
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// Whole years from `born` to this day (an age on this day).
    pub fn years_since(self, born: Date) -> i32 {
        let ((y, m, d), (by, bm, bd)) = (self.ymd(), born.ymd());
        y - by - i32::from((m, d) < (bm, bd))
    }

    pub fn add_days(self, n: i32) -> Self {
        Self(self.0.saturating_add(n))
    }

    /// The same day `n` months later, clamped to the month's last day (31 Jan + 1
    /// month = 28/29 Feb).
    pub fn add_months(self, n: i32) -> Self {
        let d = self.to_civil();
        match d.checked_add(jiff::Span::new().months(n)) {
            Ok(d) => Self::from_civil(d),
            Err(_) => self,
        }
    }

    /// Today in Thailand (UTC+7, no daylight saving): a server may run in UTC, but
    /// the officers' working day is Thai.
    pub fn today() -> Self {
        let secs = jiff::Timestamp::now().as_second() + 7 * 3600;
        Self(secs.div_euclid(SECONDS_PER_DAY) as i32)
    }
}

impl std::fmt::Debug for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        assert_eq!(Date::from_ymd(1970, 1, 1).map(Date::days), Some(0));
        assert_eq!(Date::from_ymd(2001, 1, 1).map(Date::days), Some(11_323));
        let d = Date::from_ymd(2024, 2, 29).unwrap();
        assert_eq!(d.ymd(), (2024, 2, 29));
        assert_eq!(Date::from_ymd(2023, 2, 29), None);
        assert_eq!(Date::from_ymd(1969, 12, 31).map(Date::days), Some(-1));
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        let d = Date::from_ymd(2024, 1, 31).unwrap();
        assert_eq!(d.add_months(1).ymd(), (2024, 2, 29));
        assert_eq!(d.add_months(12).ymd(), (2025, 1, 31));
        assert_eq!(Date::from_ymd(2024, 3, 10).unwrap().add_days(30).ymd(), (2024, 4, 9));
    }
}
