//! The Ranking tab (จัดอันดับ): the successful occupations of a scope ranked by
//! an explainable score (see `domain::ranking`), weights edited live and kept
//! as named profiles, households marked for coaching (step 3) and as models
//! (step 7), and the ranked list exported to CSV.

use std::sync::Arc;

use super::{
    Action, App, PickPurpose, Undo,
    form::{Field, Form, FormKind, Opt},
    layout,
    list::ListPos,
};
use crate::service::{
    catalog::{Catalog, OccRow},
    labels, messages,
};
use crate::{
    domain::{
        Date, Lang,
        occupation::{OccupationRecord, Stage, StageChange},
        ranking::{self, Criterion, Profile, Ranked},
        thai,
    },
    i18n::{Msg, k, tr},
    store::{Store, occupation_key},
};

pub use crate::service::ranking::{DistrictRanking, Scope, criterion_value};

#[derive(Default)]
pub struct RankingTab {
    pub scope: Scope,
    pub category: Option<u16>,
    /// The weights and length in use; `name` is empty until saved or picked.
    pub profile: Profile,
    /// Catalog row and ranking of each household shown, best first.
    pub ranked: Vec<(u32, Ranked)>,
    /// Households ranked (active occupations in the scope).
    pub in_scope: usize,
    pub pos: ListPos,
    /// Editing weights: which criterion has the focus.
    pub weight_focus: Option<usize>,
    /// Showing the households selected for coaching or as models, instead of the top.
    pub selected_view: bool,
    /// Scope choices of the open scope picker, by option value.
    scope_choices: Vec<Scope>,
    /// Profile choices of the open profile picker.
    profile_choices: Vec<Profile>,
    pub(super) seen_revision: Option<u64>,
}

impl RankingTab {
    pub fn selected(&self) -> Option<&(u32, Ranked)> {
        self.ranked.get(self.pos.cursor)
    }
}

/// Step of the weight editor: ↑↓ by five, + − by one.
const WEIGHT_MAX: u32 = 100;

impl App {
    /// The funds of a subdistrict, sorted, for the scope filter.
    fn funds_in(&self, subdistrict: u32) -> Vec<u64> {
        let mut v: Vec<u64> =
            self.funds.rows.iter().filter(|r| r.subdistrict == subdistrict).map(|r| r.id).collect();
        v.sort_unstable();
        v
    }

    pub fn scope_label(&self, scope: Scope) -> String {
        let lang = self.sh.lang;
        match scope {
            Scope::Province => tr(lang, k::SCOPE_PROVINCE).to_string(),
            Scope::District(d) => {
                format!("{} {}", tr(lang, k::COL_DISTRICT), self.sh.geo.name(u32::from(d), lang))
            }
            Scope::Subdistrict(s) => format!("{} {}", tr(lang, k::COL_SUBDISTRICT), self.sh.geo.name(s, lang)),
            Scope::Fund(f) => {
                let row = self.funds.rows.iter().find(|r| r.id == f);
                row.map_or_else(|| f.to_string(), |r| format!("{} {}", r.code, r.name))
            }
        }
    }

    /// Ranks the scope again from the catalog (after any change of scope,
    /// weights, data or date).
    pub(super) fn rank_refresh(&mut self) {
        let keep = self.sh.catalog.read().ok().and_then(|cat| {
            self.rank.selected().and_then(|(row, _)| cat.rows.get(*row as usize)).map(|x| x.id)
        });
        self.rank_refresh_keeping(keep);
    }

    /// As [`App::rank_refresh`], selecting the record `keep` if it is shown.
    pub(super) fn rank_refresh_keeping(&mut self, keep: Option<u64>) {
        let Ok(cat) = self.sh.catalog.read() else { return };
        let r = &self.rank;
        let top = if r.selected_view { usize::MAX } else { usize::from(r.profile.top) };
        let (mut ranked, in_scope) = self.rank_in(&cat, r.scope, r.category, &r.profile.weights, top);
        if r.selected_view {
            ranked.retain(|(row, _)| cat.rows[*row as usize].stage >= Stage::Coached);
            ranked.sort_by(|a, b| {
                let (sa, sb) = (cat.rows[a.0 as usize].stage, cat.rows[b.0 as usize].stage);
                sb.cmp(&sa).then(a.1.rank.cmp(&b.1.rank))
            });
        }
        let at = keep.and_then(|id| ranked.iter().position(|(row, _)| cat.rows[*row as usize].id == id));
        let revision = cat.revision;
        drop(cat);
        let page = layout::ranking_rows(self.sh.size.1);
        self.rank.in_scope = in_scope;
        self.rank.ranked = ranked;
        self.rank.seen_revision = Some(revision);
        let n = self.rank.ranked.len();
        self.rank.pos.set(at.unwrap_or(0), n, page);
    }

    /// The best `top` active occupations of a scope (and category), with their
    /// catalog rows, and how many were ranked (see `service::ranking`).
    pub fn rank_in(
        &self,
        cat: &Catalog,
        scope: Scope,
        category: Option<u16>,
        weights: &ranking::Weights,
        top: usize,
    ) -> (Vec<(u32, Ranked)>, usize) {
        let funds = match scope {
            Scope::Subdistrict(s) => self.funds_in(s),
            _ => Vec::new(),
        };
        crate::service::ranking::rank_in(cat, scope, category, weights, top, self.sh.today, &funds)
    }

    /// The top `top` of every district, with how many were ranked in each.
    pub fn rank_districts(
        &self,
        cat: &Catalog,
        category: Option<u16>,
        weights: &ranking::Weights,
        top: usize,
    ) -> Vec<DistrictRanking> {
        crate::service::ranking::rank_districts(cat, category, weights, top, self.sh.today)
    }

    /// Ranks again if the catalog changed since.
    pub(super) fn rank_refresh_if_stale(&mut self) {
        let revision = self.sh.catalog.read().map(|c| c.revision).ok();
        if revision != self.rank.seen_revision {
            self.rank_refresh();
        }
    }

    pub(super) fn ranking_action(&mut self, action: Action, store: &Arc<Store>) {
        if self.rank.weight_focus.is_some() {
            return self.weights_action(action);
        }
        let page = layout::ranking_rows(self.sh.size.1);
        if self.rank.pos.navigate(action, self.rank.ranked.len(), page) {
            return;
        }
        match action {
            Action::PickDistrict => self.open_scope_picker(),
            Action::PickCategory => {
                let opts = self.category_options();
                let current = self.rank.category.map(u32::from);
                self.open_picker(k::PICK_CATEGORY, opts, current, PickPurpose::RankCategory);
            }
            Action::PickProfile => self.open_profile_picker(store),
            Action::EditWeights => self.rank.weight_focus = Some(0),
            Action::SaveProfile => {
                let name = self.rank.profile.name.clone();
                let field = Field::text(k::FIELD_PROFILE_NAME, name, None);
                self.sh.form =
                    Some(Form::new(FormKind::SaveProfile, Msg::new(k::FORM_SAVE_PROFILE), vec![field]));
            }
            Action::More | Action::Less => {
                let step: i32 = if action == Action::More { 5 } else { -5 };
                let top = (i32::from(self.rank.profile.top) + step).clamp(5, 200);
                self.rank.profile.top = top as u16;
                self.rank_refresh();
            }
            Action::ToggleSelected => {
                self.rank.selected_view = !self.rank.selected_view;
                self.rank.pos.home();
                self.rank_refresh();
            }
            Action::MarkSelected | Action::MarkModel => {
                let stage = if action == Action::MarkModel { Stage::Model } else { Stage::Coached };
                self.open_mark_form(store, stage);
            }
            Action::Export => {
                let path = format!("ranking-{}-{}.csv", scope_slug(self.rank.scope), today_stamp(self.sh.today));
                let hint = if self.sh.export_dir.is_some() { k::HINT_FILE_OUTBOX } else { k::HINT_FILE };
                let field = Field::text(k::FIELD_FILE, path, Some(hint));
                self.sh.form = Some(Form::new(FormKind::Export, Msg::new(k::FORM_EXPORT), vec![field]));
            }
            Action::Open => {
                let key = self.rank_selected_key();
                if let Some(key) = key {
                    self.switch_tab(super::Tab::Occupations);
                    self.open_occ_detail(store, &key);
                }
            }
            Action::Suggest => {
                let record = self
                    .rank_selected_key()
                    .and_then(|key| store.get_at::<OccupationRecord>(&key).ok().flatten());
                match record {
                    Some(r) => self.open_suggestions(store, &r),
                    None => self.sh.error(k::ERR_GONE),
                }
            }
            Action::Undo => self.undo(store),
            _ => {}
        }
    }

    fn rank_selected_key(&self) -> Option<Vec<u8>> {
        let (row, _) = self.rank.selected()?;
        self.sh.catalog.read().ok()?.rows.get(*row as usize).map(OccRow::key)
    }

    fn weights_action(&mut self, action: Action) {
        let Some(i) = self.rank.weight_focus else { return };
        let w = &mut self.rank.profile.weights.0;
        match action {
            Action::Left => self.rank.weight_focus = Some((i + 5) % 6),
            Action::Right | Action::NextField => self.rank.weight_focus = Some((i + 1) % 6),
            Action::Up => w[i] = (w[i] + 5).min(WEIGHT_MAX),
            Action::Down => w[i] = w[i].saturating_sub(5),
            Action::More => w[i] = (w[i] + 1).min(WEIGHT_MAX),
            Action::Less => w[i] = w[i].saturating_sub(1),
            Action::Back | Action::Open => self.rank.weight_focus = None,
            _ => return,
        }
        if matches!(action, Action::Up | Action::Down | Action::More | Action::Less) {
            self.rank_refresh();
        }
    }

    fn open_scope_picker(&mut self) {
        let lang = Lang::Th;
        let mut choices = vec![Scope::Province];
        let mut opts = vec![Opt::new(0, tr(lang, k::SCOPE_PROVINCE), tr(Lang::En, k::SCOPE_PROVINCE))];
        for d in self.sh.geo.districts() {
            let c = u32::from(*d);
            opts.push(Opt::new(
                choices.len() as u32,
                format!("{} {}", tr(Lang::Th, k::COL_DISTRICT), self.sh.geo.name(c, Lang::Th)),
                format!("{} {}", tr(Lang::En, k::COL_DISTRICT), self.sh.geo.name(c, Lang::En)),
            ));
            choices.push(Scope::District(*d));
        }
        let mut subs: Vec<u32> = self.funds.rows.iter().map(|r| r.subdistrict).collect();
        subs.sort_unstable();
        subs.dedup();
        for s in subs {
            let district = self.sh.geo.name(s / 100, Lang::Th);
            opts.push(Opt::new(
                choices.len() as u32,
                format!("{} {} ({})", tr(Lang::Th, k::COL_SUBDISTRICT), self.sh.geo.name(s, Lang::Th), district),
                format!("{} {}", tr(Lang::En, k::COL_SUBDISTRICT), self.sh.geo.name(s, Lang::En)),
            ));
            choices.push(Scope::Subdistrict(s));
        }
        for r in &self.funds.rows {
            let label = format!("{} {}", r.code, r.name);
            opts.push(Opt::new(choices.len() as u32, label.clone(), label));
            choices.push(Scope::Fund(r.id));
        }
        let current = choices.iter().position(|c| *c == self.rank.scope).map(|i| i as u32);
        self.rank.scope_choices = choices;
        // No "All": the province is the first choice.
        self.open_choice(k::PICK_SCOPE, opts, current, PickPurpose::RankScope);
    }

    fn open_profile_picker(&mut self, store: &Store) {
        let mut choices =
            vec![Profile { name: tr(self.sh.lang, k::PROFILE_DEFAULT).to_string(), ..Profile::default() }];
        match store.profiles() {
            Ok(p) => choices.extend(p),
            Err(e) => return self.sh.error(messages::store(&e)),
        }
        let opts = choices
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let w = p.weights.0.map(|x| x.to_string()).join("/");
                let label = format!("{} ({w}, {})", p.name, p.top);
                Opt::new(i as u32, label.clone(), label)
            })
            .collect();
        let current = choices.iter().position(|p| p.name == self.rank.profile.name).map(|i| i as u32);
        self.rank.profile_choices = choices;
        self.open_choice(k::PICK_PROFILE, opts, current, PickPurpose::RankProfile);
    }

    /// A choice made in one of the Ranking tab's pick lists.
    pub(super) fn ranking_picked(&mut self, purpose: PickPurpose, value: u32, all: bool) {
        match purpose {
            PickPurpose::RankScope => {
                if let Some(s) = self.rank.scope_choices.get(value as usize) {
                    self.rank.scope = *s;
                }
            }
            PickPurpose::RankCategory => self.rank.category = (!all).then_some(value as u16),
            PickPurpose::RankProfile => {
                if let Some(p) = self.rank.profile_choices.get(value as usize) {
                    self.rank.profile = p.clone();
                    if value == 0 {
                        self.rank.profile.name.clear();
                    }
                }
            }
            _ => return,
        }
        self.rank.pos.home();
        self.rank_refresh();
    }

    pub(super) fn submit_profile(&mut self, store: &Store) {
        let Some(form) = &mut self.sh.form else { return };
        let name = form.fields.first().map(|f| f.text_value().trim().to_string()).unwrap_or_default();
        if name.is_empty() {
            return form.set_error(0, Msg::new(k::ERR_REQUIRED));
        }
        if name.chars().count() > 40 {
            return form.set_error(0, Msg::with(k::ERR_TOO_LONG, ["40".to_string()]));
        }
        let profile = Profile { name: name.clone(), ..self.rank.profile.clone() };
        if let Err(d) = self.sh.access.may_write() {
            return self.sh.form_error(messages::denied(&d));
        }
        match store.save_profile(&self.sh.officer, &profile) {
            Ok(()) => {
                self.rank.profile = profile;
                self.sh.form = None;
                self.sh.info(Msg::with(k::PROFILE_SAVED, [name]));
            }
            Err(e) => self.sh.form_error(messages::store(&e)),
        }
    }

    fn open_mark_form(&mut self, store: &Store, stage: Stage) {
        let Some(key) = self.rank_selected_key() else { return };
        let record = match store.get_at::<OccupationRecord>(&key) {
            Ok(Some(r)) => r,
            Ok(None) => return self.sh.error(k::ERR_GONE),
            Err(e) => return self.sh.error(messages::store(&e)),
        };
        if record.stage >= stage {
            return self.sh.info(Msg::with(
                k::ALREADY_AT_STAGE,
                [record.member_name.clone(), tr(self.sh.lang, labels::stage(record.stage)).to_string()],
            ));
        }
        let title = match stage {
            Stage::Model => Msg::with(k::FORM_MARK_MODEL, [record.member_name.clone()]),
            _ => Msg::with(k::FORM_MARK_SELECTED, [record.member_name.clone()]),
        };
        let kind = FormKind::Mark {
            key: (record.fund_id, record.member_id, record.id),
            version: record.version,
            stage,
        };
        let fields = vec![
            Field::text(k::FIELD_DATE, thai::format_date(self.sh.today, self.sh.lang), Some(k::HINT_DATE)),
            Field::text(k::FIELD_REASON, "", None),
        ];
        self.sh.form = Some(Form::new(kind, title, fields));
    }

    /// Records the new stage with its date and reason on the occupation record.
    pub(super) fn submit_mark(&mut self, store: &Store) {
        let Some(form) = &mut self.sh.form else { return };
        // A stage change from the occupation record has the stage as its first field.
        let (key, version, stage, off) = match form.kind {
            FormKind::Mark { key, version, stage } => (key, version, stage, 0),
            FormKind::StageChange { key, version } => {
                let Some(stage) =
                    labels::pick(&Stage::ALL, form.fields.first().and_then(Field::choice_value))
                else {
                    return;
                };
                (key, version, stage, 1)
            }
            _ => return,
        };
        let date_text = form.fields.get(off).map(|f| f.text_value().to_string()).unwrap_or_default();
        let reason = form.fields.get(off + 1).map(|f| f.text_value().trim().to_string()).unwrap_or_default();
        let date = match thai::parse_date(&date_text) {
            Ok(d) if d > self.sh.today => Err(Msg::new(k::ERR_FUTURE)),
            Ok(d) => Ok(d),
            Err(e) => Err(messages::date(&e)),
        };
        let mut bad = false;
        if let Err(m) = &date {
            form.set_error(off, m.clone());
            bad = true;
        }
        if reason.is_empty() {
            form.set_error(off + 1, Msg::new(k::ERR_REASON_NEEDED));
            bad = true;
        } else if reason.chars().count() > 200 {
            form.set_error(off + 1, Msg::with(k::ERR_TOO_LONG, ["200".to_string()]));
            bad = true;
        }
        let (Ok(date), false) = (date, bad) else { return };
        let k = occupation_key(key.0, key.1, key.2);
        let mut record = match store.get_at::<OccupationRecord>(&k) {
            Ok(Some(r)) => r,
            Ok(None) => return self.sh.form_error(Msg::new(k::ERR_GONE)),
            Err(e) => return self.sh.form_error(messages::store(&e)),
        };
        if record.stage == stage {
            return self.sh.form_error(Msg::with(
                k::ALREADY_AT_STAGE,
                [record.member_name.clone(), tr(self.sh.lang, labels::stage(stage)).to_string()],
            ));
        }
        if let Some(last) = record.stage_history.last()
            && date < last.date
        {
            // History stays in order: a change cannot predate the last one.
            if let Some(form) = &mut self.sh.form {
                form.set_error(
                    off,
                    Msg::with(k::ERR_BEFORE_LAST_STAGE, [thai::format_date(last.date, self.sh.lang)]),
                );
            }
            return;
        }
        let before = record.clone();
        record.version = version;
        record.stage = stage;
        record.stage_history.push(StageChange { stage, date, note: reason });
        match store.save(self.sh.who(), &record) {
            Ok(saved) => {
                self.sh.undo.push(Undo::Occupation { before: Some(before), after: Some((key, saved.version)) });
                self.sh.form = None;
                self.sh.info(Msg::with(
                    k::MARKED,
                    [saved.member_name.clone(), tr(self.sh.lang, labels::stage(stage)).to_string()],
                ));
                self.occupation_changed(store, Some(&saved), key);
                self.rank_refresh();
                self.seen_generation = store.generation();
            }
            Err(e) => self.sh.form_error(messages::save(&e)),
        }
    }

    /// Writes the ranked list (or the selected households) to a CSV file.
    pub(super) fn submit_export(&mut self, store: &Store) {
        let Some(form) = &mut self.sh.form else { return };
        let typed = form.fields.first().map(|f| f.text_value().trim().to_string()).unwrap_or_default();
        if typed.is_empty() {
            return form.set_error(0, Msg::new(k::ERR_REQUIRED));
        }
        // Over SSH, a name in the officer's own folder and nothing else.
        let (path, shown) = match &self.sh.export_dir {
            None => (std::path::PathBuf::from(&typed), typed),
            Some(dir) => match super::export::confined_name(&typed) {
                Ok(name) => {
                    // The officer's folder and its outbox: theirs alone.
                    let made =
                        crate::store::files::create_private_dir(dir).and_then(|()| match dir.parent() {
                            Some(own) => crate::store::files::make_private(own),
                            None => Ok(()),
                        });
                    if let Err(e) = made {
                        return self.sh.form_error(messages::io(&e));
                    }
                    (dir.join(&name), format!("outbox/{name}"))
                }
                Err(m) => return form.set_error(0, m),
            },
        };
        match self.write_list(store, &path) {
            Ok(n) => {
                self.sh.form = None;
                self.sh.info(Msg::with(k::EXPORTED, [n.to_string(), shown]));
            }
            Err(e) => self.sh.form_error(crate::io::messages::write(&e)),
        }
    }

    /// The ranked rows with every criterion, raw and in points: a header and
    /// rows for a spreadsheet (numbers stay numbers).
    pub fn ranking_table(&self, store: &Store) -> (Vec<String>, Vec<Vec<crate::io::table::Cell>>) {
        use crate::{io::table::Cell, service::ranking::Value};
        let funds: std::collections::HashMap<u64, (String, String)> =
            self.funds.rows.iter().map(|f| (f.id, (f.code.clone(), f.name.clone()))).collect();
        let names =
            crate::service::ranking::Names { funds: &funds, geo: &self.sh.geo, categories: &self.sh.categories };
        let Ok(cat) = self.sh.catalog.read() else { return (Vec::new(), Vec::new()) };
        let (header, rows) = crate::service::ranking::table(
            store,
            &cat,
            &self.rank.ranked,
            &self.rank.profile.weights,
            self.sh.today,
            self.sh.lang,
            &names,
        );
        let cell = |v: Value| match v {
            Value::Text(t) => Cell::Text(t),
            Value::Number(n) => Cell::Number(n),
        };
        (header, rows.into_iter().map(|r| r.into_iter().map(cell).collect()).collect())
    }

    /// Writes the ranked list (or the selected households) to `.csv` or `.xlsx`.
    pub fn write_ranking(
        &self,
        store: &Store,
        path: &std::path::Path,
    ) -> Result<usize, crate::io::table::WriteError> {
        let (header, rows) = self.ranking_table(store);
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let mut w = crate::io::table::Writer::create(path, &header)?;
        for r in &rows {
            w.row(r)?;
        }
        w.finish()?;
        Ok(rows.len())
    }
}

fn scope_slug(s: Scope) -> String {
    match s {
        Scope::Province => "province".into(),
        Scope::District(d) => format!("district-{d}"),
        Scope::Subdistrict(x) => format!("subdistrict-{x}"),
        Scope::Fund(f) => format!("fund-{f}"),
    }
}

/// The ranking in its own words, for the breakdown line of the selected row.
pub fn explain(app: &App, row: &OccRow, r: &Ranked) -> Vec<String> {
    let lang = app.lang;
    let w = &app.rank.profile.weights;
    let f = row.facts(app.today);
    Criterion::ALL
        .iter()
        .map(|c| {
            let value = match c {
                Criterion::IncomeGrowth => signed(f.income_growth),
                Criterion::NetIncome => crate::domain::Money(f.net_income).format_whole(),
                Criterion::SavingsGrowth => signed(f.savings_growth),
                Criterion::Repayment => {
                    if row.days_late > 0 {
                        format!(
                            "{}% {}",
                            f.repayment / 100,
                            crate::i18n::trf(lang, k::DAYS_LATE, &[&row.days_late])
                        )
                    } else {
                        format!("{}%", f.repayment / 100)
                    }
                }
                Criterion::Years => crate::i18n::trf(lang, k::YEARS, &[&f.years]),
                Criterion::Sammachip => tr(lang, labels::verdict_short(row.verdict)).to_string(),
            };
            // The points it earned out of the most it could earn.
            let most = (u64::from(w.get(*c)) * 10_000 / u64::from(w.total().max(1))) as u32;
            format!(
                "{} {value} → {}/{}",
                tr(lang, labels::criterion(*c)),
                ranking::format_points(r.contribution(w, *c)),
                ranking::format_points(most)
            )
        })
        .collect()
}

fn signed(satang: i64) -> String {
    let m = crate::domain::Money(satang);
    if satang > 0 { format!("+{}", m.format_whole()) } else { m.format_whole() }
}

/// Today, for the export's file name.
pub fn today_stamp(d: Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{}{m:02}{day:02}", thai::be_year(y))
}
