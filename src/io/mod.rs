//! Spreadsheets in and out: the kinds of data, their columns (Thai and English
//! headers), export of every kind, and the table reader/writer.

pub mod collection;
pub mod export;
pub mod import;
pub mod messages;
pub mod report;
pub mod sheet;
pub mod table;
pub mod template;
mod xlsx;

use crate::domain::Lang;

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Provinces, districts, subdistricts and villages (the gazetteer's columns;
    /// `villages` is the same kind).
    #[value(alias = "villages")]
    Geography,
    Funds,
    /// Capital events of funds.
    Capital,
    Members,
    Loans,
    Repayments,
    /// Occupation records.
    Occupations,
    Sages,
    /// The ranking of all districts with the default weights (export only).
    Ranking,
    /// Network committees' briefings, one row per briefing (export only).
    Briefings,
    /// The support log (export only).
    Support,
    /// OTOP products (export only).
    Otop,
}

/// A column: its English name (also the English header) and its Thai header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Col {
    pub en: &'static str,
    pub th: &'static str,
    /// Older Thai headers a file may still have (read, never written).
    pub old: &'static [&'static str],
}

const fn c(en: &'static str, th: &'static str) -> Col {
    Col { en, th, old: &[] }
}

/// A column whose Thai header was once `old`: files written then still import.
const fn was(en: &'static str, th: &'static str, old: &'static [&'static str]) -> Col {
    Col { en, th, old }
}

impl Col {
    pub fn header(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Th => self.th,
            Lang::En => self.en,
        }
    }

    /// Does a file's header name this column (either language, any case,
    /// spaces or underscores)?
    pub fn matches(self, header: &str) -> bool {
        let norm = |s: &str| s.trim().trim_start_matches('\u{feff}').to_lowercase().replace([' ', '-'], "_");
        let h = norm(header);
        h == norm(self.en) || h == norm(self.th) || self.old.iter().any(|o| h == norm(o))
    }
}

pub const GEOGRAPHY: &[Col] = &[
    c("code", "รหัส"),
    c("name_th", "ชื่อภาษาไทย"),
    c("name_en", "ชื่อภาษาอังกฤษ"),
    c("postal_code", "รหัสไปรษณีย์"),
];

pub const FUNDS: &[Col] = &[
    c("code", "รหัสกองทุน"),
    c("name", "ชื่อกองทุน"),
    c("kind", "ประเภท"),
    c("registration_no", "เลขทะเบียน"),
    c("established", "วันที่จัดตั้ง"),
    c("grade", "ระดับ"),
    c("assessed_year", "ปีที่ประเมิน"),
];

pub const CAPITAL: &[Col] = &[
    c("fund_code", "รหัสกองทุน"),
    c("kind", "ประเภททุน"),
    c("date", "วันที่"),
    c("amount", "จำนวนเงิน"),
    c("note", "หมายเหตุ"),
];

pub const MEMBERS: &[Col] = &[
    c("fund_code", "รหัสกองทุน"),
    c("national_id", "เลขประจำตัวประชาชน"),
    c("title", "คำนำหน้า"),
    c("given_name", "ชื่อ"),
    c("family_name", "นามสกุล"),
    c("birth_date", "วันเกิด"),
    c("household_no", "บ้านเลขที่"),
    c("phone", "โทรศัพท์"),
    c("joined", "วันที่เป็นสมาชิก"),
    c("status", "สถานะ"),
];

pub const LOANS: &[Col] = &[
    c("loan_id", "เลขที่สัญญา"),
    c("national_id", "เลขประจำตัวประชาชนผู้กู้"),
    c("principal", "เงินต้น"),
    c("rate", "อัตราดอกเบี้ยต่อปี"),
    c("start", "วันที่กู้"),
    c("term_months", "ระยะเวลา (เดือน)"),
    c("mode", "วิธีชำระ"),
    c("purpose", "รหัสอาชีพ"),
    c("guarantors", "ผู้ค้ำประกัน (เลขประจำตัวประชาชน)"),
    c("written_off", "ตัดหนี้สูญ"),
];

pub const REPAYMENTS: &[Col] = &[
    c("loan_id", "เลขที่สัญญา"),
    c("date", "วันที่ชำระ"),
    c("principal", "เงินต้น"),
    c("interest", "ดอกเบี้ย"),
    c("penalty", "ค่าปรับ"),
];

/// The collection sheet (`sammachip collection`): what is due beside the
/// repayment columns, filled at the meeting. Its `due_total` column marks a
/// collection sheet: there a line with no amount typed is a loan that brought
/// nothing, not a mistake.
pub const COLLECTION_DUE: &[Col] = &[
    c("member", "สมาชิก"),
    c("due_principal", "เงินต้นที่ถึงกำหนด"),
    c("due_interest", "ดอกเบี้ยที่ถึงกำหนด"),
    c("due_total", "ยอดที่ถึงกำหนด"),
];

pub const OCCUPATIONS: &[Col] = &[
    c("national_id", "เลขประจำตัวประชาชน"),
    c("category", "รหัสอาชีพ"),
    c("description", "รายละเอียด"),
    c("start_year", "ปีที่เริ่ม"),
    c("loan_ids", "เลขที่สัญญาที่ใช้"),
    c("income_before", "รายได้ก่อน"),
    c("expenses_before", "รายจ่ายก่อน"),
    c("savings_before", "เงินออมก่อน"),
    c("income_after", "รายได้หลัง"),
    c("expenses_after", "รายจ่ายหลัง"),
    c("savings_after", "เงินออมหลัง"),
    c("status", "สถานะ"),
    was("stage", "ขั้น", &["ระยะ"]),
];

pub const SAGES: &[Col] = &[
    c("national_id", "เลขประจำตัวประชาชน"),
    c("title", "คำนำหน้า"),
    c("given_name", "ชื่อ"),
    c("family_name", "นามสกุล"),
    c("phone", "โทรศัพท์"),
    c("home_village", "รหัสหมู่บ้าน"),
    c("expertise", "ความเชี่ยวชาญ (รหัสอาชีพ)"),
    c("capacity", "รับได้ (ครัวเรือน)"),
    c("status", "สถานะ"),
];

pub const BRIEFINGS: &[Col] = &[
    c("district", "อำเภอ"),
    c("chair", "ประธานเครือข่าย"),
    c("date", "วันที่ชี้แจง"),
    c("place", "สถานที่"),
    c("funds", "กองทุนที่เข้าร่วม (รหัส)"),
    c("note", "หมายเหตุ"),
];

pub const SUPPORT: &[Col] = &[
    c("date", "วันที่"),
    c("level", "ผู้สนับสนุน"),
    c("kind", "ประเภท"),
    c("district", "อำเภอ"),
    c("scope", "ผู้รับ"),
    c("note", "หมายเหตุ"),
];

pub const OTOP: &[Col] = &[
    c("name", "ผลิตภัณฑ์"),
    c("category", "ประเภท"),
    c("producer", "ผู้ผลิต"),
    c("district", "อำเภอ"),
    c("stars", "ระดับดาว"),
    c("rating_year", "ปีที่คัดสรร"),
];

impl Kind {
    /// A column (named by its English key, as rejects name it) as the
    /// officer's language heads it; a name of no column is left as it is.
    pub fn column_name(self, en: &str, lang: crate::domain::Lang) -> &str {
        match (lang, self.columns().iter().find(|c| c.en == en)) {
            (crate::domain::Lang::Th, Some(c)) => c.th,
            _ => en,
        }
    }

    pub fn columns(self) -> &'static [Col] {
        match self {
            Kind::Geography => GEOGRAPHY,
            Kind::Funds => FUNDS,
            Kind::Capital => CAPITAL,
            Kind::Members => MEMBERS,
            Kind::Loans => LOANS,
            Kind::Repayments => REPAYMENTS,
            Kind::Occupations => OCCUPATIONS,
            Kind::Sages => SAGES,
            Kind::Ranking => &[],
            Kind::Briefings => BRIEFINGS,
            Kind::Support => SUPPORT,
            Kind::Otop => OTOP,
        }
    }

    /// The columns a template (`template`) fills in for the officer: a row
    /// with nothing else is a row not filled in, and the import skips it.
    pub fn template_fills(self) -> &'static [&'static str] {
        match self {
            Kind::Members => &["fund_code"],
            Kind::Occupations => &["national_id", "loan_ids"],
            Kind::Repayments => &["loan_id"],
            _ => &[],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Geography => "geography",
            Kind::Funds => "funds",
            Kind::Capital => "capital",
            Kind::Members => "members",
            Kind::Loans => "loans",
            Kind::Repayments => "repayments",
            Kind::Occupations => "occupations",
            Kind::Sages => "sages",
            Kind::Ranking => "ranking",
            Kind::Briefings => "briefings",
            Kind::Support => "support",
            Kind::Otop => "otop",
        }
    }
}

/// An enum value as written in a file: its label in the file's language; read
/// back in either language, or by its English name.
pub fn enum_text<T: Copy>(v: T, label: fn(T) -> crate::i18n::Key, lang: Lang) -> String {
    crate::i18n::tr(lang, label(v)).to_string()
}

/// The values of an enum by their names in both languages (and their English
/// identifier), lower-cased once for a whole file.
pub struct Choices<T> {
    names: Vec<(T, Vec<String>)>,
}

impl<T: Copy + std::fmt::Debug> Choices<T> {
    /// Also reads the names a value had before (files written then).
    pub fn with_old(mut self, old: fn(T) -> &'static [&'static str]) -> Self {
        for (v, names) in &mut self.names {
            names.extend(old(*v).iter().map(|n| n.to_lowercase()));
        }
        self
    }

    pub fn new(all: &[T], label: fn(T) -> crate::i18n::Key) -> Self {
        let names = all
            .iter()
            .map(|v| {
                let mut n: Vec<String> = [Lang::Th, Lang::En]
                    .iter()
                    .map(|l| crate::i18n::tr(*l, label(*v)).to_lowercase())
                    .collect();
                n.push(format!("{v:?}").to_lowercase());
                (*v, n)
            })
            .collect();
        Choices { names }
    }

    /// The value named `text`; also a part of a name when only one name holds
    /// it (`รายเดือน` for `ผ่อนรายเดือน`).
    pub fn parse(&self, text: &str) -> Option<T> {
        // Thai digits read as digits (`เพิ่มทุนระยะที่ ๑`).
        let t = crate::domain::thai::normalize_digits(text.trim()).to_lowercase();
        if t.is_empty() {
            return None;
        }
        if let Some((v, _)) = self.names.iter().find(|(_, n)| n.contains(&t)) {
            return Some(*v);
        }
        let mut partial = self.names.iter().filter(|(_, n)| n.iter().any(|x| x.contains(&t)));
        match (partial.next(), partial.next()) {
            (Some((v, _)), None) => Some(*v),
            _ => None,
        }
    }
}

pub fn parse_enum<T: Copy + std::fmt::Debug>(
    all: &[T],
    label: fn(T) -> crate::i18n::Key,
    text: &str,
) -> Option<T> {
    Choices::new(all, label).parse(text)
}
