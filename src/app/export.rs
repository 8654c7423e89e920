//! `x` on a list: the list as it is on screen — filtered and sorted — to a
//! `.csv` or `.xlsx` file (the Ranking tab's own rows come from
//! [`App::ranking_table`]).

use super::{
    App, Tab,
    form::{Field, Form, FormKind},
    funds::Screen,
    ranking::today_stamp,
};
use crate::service::labels;
use crate::{
    domain::{Money, thai},
    i18n::{Msg, k, tr},
    io::table::{Cell, WriteError, Writer},
    store::Store,
};

/// The name an officer typed for a file in their own folder: one name, no
/// folder (no `/`, `\\`, `:`, no leading `.`), nothing a terminal would
/// obey, at most 100 characters, ending in `.csv` or `.xlsx`.
pub fn confined_name(typed: &str) -> Result<String, Msg> {
    let name = typed.trim();
    let plain = !name.is_empty()
        && name.chars().count() <= 100
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':'])
        && crate::domain::clean::forbidden(name).is_none();
    let lower = name.to_lowercase();
    if !plain || !(lower.ends_with(".csv") || lower.ends_with(".xlsx")) {
        return Err(Msg::new(k::ERR_EXPORT_NAME));
    }
    Ok(name.to_string())
}

fn money(m: Money) -> Cell {
    Cell::Number(m.satang() as f64 / 100.0)
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

impl App {
    /// What `x` exports here, named for the file: `None` where there is no list.
    fn list_name(&self) -> Option<&'static str> {
        match self.tab {
            Tab::Funds => match self.funds.stack.last() {
                None => Some("funds"),
                Some(Screen::Members(_)) => Some("members"),
                _ => None,
            },
            Tab::Occupations if self.occ.detail.is_none() => Some("occupations"),
            Tab::Sages if self.sages.detail.is_none() && self.sages.plan.is_none() => Some("sages"),
            Tab::Ranking => Some("ranking"),
            _ => None,
        }
    }

    /// Asks where to write the list on screen (over SSH: only its name).
    pub(super) fn open_export_form(&mut self) {
        let Some(name) = self.list_name() else { return };
        let path = format!("{name}-{}.csv", today_stamp(self.sh.today));
        let hint = if self.sh.export_dir.is_some() { k::HINT_FILE_OUTBOX } else { k::HINT_FILE };
        let field = Field::text(k::FIELD_FILE, path, Some(hint));
        self.sh.form = Some(Form::new(FormKind::Export, Msg::new(k::FORM_EXPORT), vec![field]));
    }

    /// The list on screen as a header and rows.
    pub fn list_table(&self, store: &Store) -> Option<(Vec<String>, Vec<Vec<Cell>>)> {
        let lang = self.sh.lang;
        let t = |key| tr(lang, key).to_string();
        Some(match self.list_name()? {
            "funds" => (
                [
                    k::COL_CODE,
                    k::COL_FUND_NAME,
                    k::COL_SUBDISTRICT,
                    k::COL_DISTRICT,
                    k::COL_GRADE,
                    k::COL_MEMBERS,
                    k::COL_CAPITAL,
                ]
                .map(t)
                .to_vec(),
                self.funds
                    .view
                    .iter()
                    .filter_map(|i| self.funds.rows.get(*i as usize))
                    .map(|r| {
                        vec![
                            text(r.code.clone()),
                            text(r.name.clone()),
                            text(self.sh.geo.name(r.subdistrict, lang)),
                            text(self.sh.geo.name(u32::from(r.district), lang)),
                            text(r.grade.letter()),
                            Cell::Number(f64::from(r.members)),
                            money(r.capital),
                        ]
                    })
                    .collect(),
            ),
            "members" => {
                let Some(Screen::Members(v)) = self.funds.stack.last() else { return None };
                (
                    [
                        k::COL_MEMBER,
                        k::FIELD_NATIONAL_ID,
                        k::COL_STATUS,
                        k::COL_LOANS,
                        k::COL_OUTSTANDING,
                        k::COL_DAYS_LATE,
                    ]
                    .map(t)
                    .to_vec(),
                    v.view
                        .iter()
                        .filter_map(|i| v.rows.get(*i as usize))
                        .map(|r| {
                            vec![
                                text(r.name.clone()),
                                text(r.national_id.to_string()),
                                text(t(labels::member_status(r.status))),
                                Cell::Number(r.loans as f64),
                                money(r.outstanding),
                                Cell::Number(f64::from(r.days_overdue.max(0))),
                            ]
                        })
                        .collect(),
                )
            }
            "occupations" => {
                let cat = self.sh.catalog.read().ok()?;
                (
                    [
                        k::COL_MEMBER,
                        k::COL_DISTRICT,
                        k::COL_CATEGORY,
                        k::COL_YEAR,
                        k::COL_INCOME_BEFORE,
                        k::COL_INCOME_AFTER,
                        k::COL_STAGE,
                        k::COL_STATUS,
                    ]
                    .map(t)
                    .to_vec(),
                    self.occ
                        .view
                        .iter()
                        .filter_map(|i| cat.rows.get(*i as usize))
                        .map(|r| {
                            vec![
                                text(cat.name(r)),
                                text(self.sh.geo.name(u32::from(r.district), lang)),
                                text(self.category_label(r.category)),
                                Cell::Number(f64::from(thai::be_year(r.start_year))),
                                money(r.income_before),
                                money(r.income_after),
                                text(t(labels::stage(r.stage))),
                                text(t(labels::occupation_status(r.status))),
                            ]
                        })
                        .collect(),
                )
            }
            "sages" => (
                [
                    k::COL_SAGE,
                    k::FIELD_NATIONAL_ID,
                    k::FIELD_PHONE,
                    k::FIELD_HOME_VILLAGE,
                    k::COL_EXPERTISE,
                    k::COL_LOAD,
                ]
                .map(t)
                .to_vec(),
                self.sages
                    .view
                    .iter()
                    .filter_map(|i| self.sages.rows.get(*i))
                    .map(|r| {
                        let expertise: Vec<String> =
                            r.sage.expertise.iter().map(|c| self.category_label(*c)).collect();
                        vec![
                            text(r.sage.full_name()),
                            text(r.sage.national_id.to_string()),
                            text(r.sage.phone.clone()),
                            text(self.sh.geo.name(r.sage.home_village, lang)),
                            text(expertise.join(", ")),
                            text(format!("{}/{}", r.load, r.sage.capacity)),
                        ]
                    })
                    .collect(),
            ),
            _ => self.ranking_table(store),
        })
    }

    pub(super) fn write_list(&self, store: &Store, path: &std::path::Path) -> Result<usize, WriteError> {
        let Some((header, rows)) = self.list_table(store) else { return Ok(0) };
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut w = Writer::create(path, &header)?;
        for r in &rows {
            w.row(r)?;
        }
        w.finish()?;
        Ok(rows.len())
    }
}
