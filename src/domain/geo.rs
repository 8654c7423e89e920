//! Administrative geography: province (2 digits), district (4), subdistrict (6),
//! village (8 = PPDDSSVV).

use serde::{Deserialize, Serialize};

use super::lang::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    Province,
    District,
    Subdistrict,
    Village,
}

impl Level {
    /// Number of digits in a code of this level.
    pub fn digits(self) -> usize {
        match self {
            Level::Province => 2,
            Level::District => 4,
            Level::Subdistrict => 6,
            Level::Village => 8,
        }
    }

    pub fn of_code(code: u32) -> Option<Level> {
        match code {
            10..=99 => Some(Level::Province),
            1000..=9999 => Some(Level::District),
            100_000..=999_999 => Some(Level::Subdistrict),
            10_000_000..=99_999_999 => Some(Level::Village),
            _ => None,
        }
    }
}

/// One place in the gazetteer. Its parent is its code without the last two digits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub code: u32,
    pub name_th: String,
    pub name_en: String,
    /// Postal code (districts, subdistricts) — empty where unknown.
    pub postal: String,
}

impl Place {
    pub fn level(&self) -> Option<Level> {
        Level::of_code(self.code)
    }

    pub fn parent(&self) -> Option<u32> {
        match self.level()? {
            Level::Province => None,
            _ => Some(self.code / 100),
        }
    }

    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Th => &self.name_th,
            Lang::En if !self.name_en.is_empty() => &self.name_en,
            Lang::En => &self.name_th,
        }
    }

    /// For villages, the หมู่ที่ number (last two digits of the code).
    pub fn village_no(&self) -> Option<u8> {
        (self.level()? == Level::Village).then_some((self.code % 100) as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_code_length() {
        let v = Place {
            code: 33_010_105,
            name_th: "บ้านโพธิ์".into(),
            name_en: String::new(),
            postal: String::new(),
        };
        assert_eq!(v.level(), Some(Level::Village));
        assert_eq!(v.parent(), Some(330_101));
        assert_eq!(v.village_no(), Some(5));
        assert_eq!(v.name(Lang::En), "บ้านโพธิ์");
        assert_eq!(Level::of_code(3301), Some(Level::District));
        assert_eq!(Level::of_code(5), None);
    }
}
