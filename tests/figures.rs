//! One figure, one function: every figure of the Overview equals the length
//! of the list Enter opens from it (the Occupations list, the Ranking's
//! selected households, the Network's lists, the committee), and the
//! Ranking's selected households equal what `x` exports from that screen —
//! on the demo and after a run of random changes made through the keys
//! (stage moves, stopped occupations, households marked in the ranking,
//! plans of sages accepted, undo).

mod common;

use common::Fixture;
use crossterm::event::KeyCode;
use sammachip::{
    app::{Ctx, Tab, overview::Step},
    domain::{
        Lang,
        occupation::{OccupationRecord, OccupationStatus, Stage},
    },
    store::occupation_key,
};

/// The figure each step shows and the length of the list Enter opens from
/// it, for every district with records; a mismatch names the district and
/// the step.
fn compare_every_step(f: &mut Fixture) {
    f.press(KeyCode::Char('1'));
    let rows = f.app.overview.rows.clone();
    assert!(rows.iter().any(|r| r.stats.occupations > 0), "the demo has occupation records");
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| r.stats.occupations > 0) {
        for (c, step) in Step::ALL.into_iter().enumerate() {
            f.press(KeyCode::Char('1'));
            f.press(KeyCode::Home);
            for _ in 0..i {
                f.press(KeyCode::Down);
            }
            while f.app.overview.col != c {
                f.press(KeyCode::Right);
            }
            let figure = f.app.overview.rows[i].figure(step);
            assert_eq!(figure, row.figure(step), "the Overview kept its figure");
            f.press(KeyCode::Enter);
            let listed = match step {
                Step::Briefed => {
                    assert_eq!(f.app.ctx(), Ctx::Committee);
                    let briefed = f.app.network.committee().map_or(0, |c| c.briefed().len());
                    briefed.min(row.funds as usize)
                }
                Step::Selected => {
                    assert_eq!((f.app.tab, f.app.rank.selected_view), (Tab::Ranking, true));
                    f.app.rank.ranked.len()
                }
                Step::Support | Step::Otop => {
                    assert_eq!(f.app.tab, Tab::Network);
                    f.app.network.len()
                }
                Step::Occupations | Step::WithSage | Step::SelfDriving | Step::Models => {
                    assert_eq!(f.app.tab, Tab::Occupations);
                    f.app.occ.view.len()
                }
            };
            assert_eq!(listed as i64, figure, "district {} step {step:?}", row.district);
            if step == Step::Selected {
                // The screen says the same number, and `x` writes every one.
                let shown = sammachip::domain::money::group_thousands(figure as u64);
                let screen = common::screen_at(&f.app, 160, 45);
                assert!(screen.contains(&format!("{shown} selected")), "{screen}");
                assert_eq!(exported_rows(f), figure as usize);
            }
            if f.app.ctx() == Ctx::Committee {
                f.press(KeyCode::Esc);
            }
        }
    }
}

/// Rows of the CSV that `x` writes from the screen on show.
fn exported_rows(f: &mut Fixture) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.csv");
    f.press(KeyCode::Char('x'));
    f.ctrl('u');
    f.type_str(path.to_str().unwrap());
    f.ctrl('s');
    assert!(f.app.form.is_none(), "{:?}", f.app.form.as_ref().map(|x| &x.error));
    csv::Reader::from_path(&path).unwrap().records().count()
}

/// A small random source, the same every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

fn records(f: &Fixture, keep: impl Fn(&OccupationRecord) -> bool) -> Vec<OccupationRecord> {
    f.store.all::<OccupationRecord>().unwrap().into_iter().filter(|r| keep(r)).collect()
}

fn open(f: &mut Fixture, r: &OccupationRecord) {
    f.press(KeyCode::Char('3'));
    f.app.open_occ_detail(&f.store, &occupation_key(r.fund_id, r.member_id, r.id));
    assert_eq!(f.app.ctx(), Ctx::Occupation);
}

/// One change an officer makes, of kind `kind`, on a household picked at random.
fn random_change(f: &mut Fixture, rng: &mut Lcg, kind: usize) {
    match kind {
        // A selected household's occupation stops (the Overview still counts it selected).
        0 => {
            let pick = records(f, |r| r.stage.is_selected() && r.status == OccupationStatus::Active);
            let Some(r) = pick.get(rng.below(pick.len())) else { return };
            open(f, r);
            f.press(KeyCode::Char('e'));
            for _ in 0..10 {
                f.press(KeyCode::Tab);
            }
            f.press(KeyCode::Right);
            f.ctrl('s');
        }
        // A household moves on to the next stage.
        1 => {
            let pick = records(f, |r| r.stage < Stage::Otop && r.status == OccupationStatus::Active);
            let Some(r) = pick.get(rng.below(pick.len())) else { return };
            open(f, r);
            f.press(KeyCode::Char('t'));
            f.press(KeyCode::Tab);
            f.press(KeyCode::Tab);
            f.type_str("ผ่านการประเมิน");
            f.ctrl('s');
        }
        // A household picked from the ranking.
        2 => {
            f.press(KeyCode::Char('4'));
            if f.app.rank.selected_view {
                f.press(KeyCode::Char('s'));
            }
            for _ in 0..rng.below(30) {
                f.press(KeyCode::Down);
            }
            f.press(KeyCode::Char('m'));
            f.ctrl('s');
        }
        // A plan of sages for the district, accepted.
        3 => {
            f.press(KeyCode::Char('5'));
            f.press(KeyCode::Char('P'));
            f.press(KeyCode::Enter);
            f.press(KeyCode::Char('a'));
        }
        // The last change taken back.
        _ => f.press(KeyCode::Char('u')),
    }
    if f.app.form.is_some() {
        f.press(KeyCode::Esc);
    }
    f.press(KeyCode::Esc);
}

#[test]
fn every_overview_figure_equals_the_list_it_opens() {
    let mut f = Fixture::new(Lang::En);
    compare_every_step(&mut f);
    let before: Vec<_> = f.app.overview.rows.iter().map(|r| Step::ALL.map(|s| r.figure(s))).collect();
    let mut rng = Lcg(18);
    for round in 0..3 {
        for kind in 0..5 {
            // The undo of the last round takes back a plan of sages.
            if round < 2 || kind < 4 {
                random_change(&mut f, &mut rng, kind);
            }
        }
        compare_every_step(&mut f);
    }
    let after: Vec<_> = f.app.overview.rows.iter().map(|r| Step::ALL.map(|s| r.figure(s))).collect();
    let moved = |step: Step| {
        let i = Step::ALL.iter().position(|s| *s == step).unwrap();
        before.iter().zip(&after).any(|(b, a)| b[i] != a[i])
    };
    assert!(moved(Step::Selected) && moved(Step::WithSage), "{before:?} {after:?}");
}

#[test]
fn stopped_households_stay_selected_unranked_at_the_end_of_the_list() {
    let mut f = Fixture::new(Lang::Th);
    let r = records(&f, |r| r.stage.is_selected() && r.status == OccupationStatus::Active).remove(0);
    open(&mut f, &r);
    f.press(KeyCode::Char('e'));
    for _ in 0..10 {
        f.press(KeyCode::Tab);
    }
    f.press(KeyCode::Right);
    f.ctrl('s');
    assert!(f.app.form.is_none(), "{:?}", f.app.form.as_ref().map(|x| &x.error));
    f.press(KeyCode::Esc);
    f.press(KeyCode::Char('1'));
    let i = f.app.overview.rows.iter().position(|x| x.district == r.district).unwrap();
    f.press(KeyCode::Home);
    for _ in 0..i {
        f.press(KeyCode::Down);
    }
    while f.app.overview.col != 2 {
        f.press(KeyCode::Right);
    }
    let figure = f.app.overview.rows[i].figure(Step::Selected);
    f.press(KeyCode::Enter);
    assert_eq!(f.app.rank.ranked.len() as i64, figure);
    // The stopped one is listed after the ranked ones of its stage, without a rank.
    let cat = f.app.catalog.read().unwrap();
    let at = f.app.rank.ranked.iter().position(|(row, _)| cat.rows[*row as usize].id() == r.id).unwrap();
    assert_eq!(f.app.rank.ranked[at].1.rank, 0);
    for (row, y) in &f.app.rank.ranked[..at] {
        let stage = cat.rows[*row as usize].stage;
        assert!(stage > r.stage || stage == r.stage && y.rank > 0, "{stage:?} rank {}", y.rank);
    }
    drop(cat);
    f.app.rank.pos.cursor = at;
    let screen = f.screen();
    assert!(screen.contains("ไม่ได้จัดอันดับ"), "{screen}");
    assert!(screen.contains("เลิกแล้ว"), "{screen}");
}

/// Issue 18: the Overview, the Ranking (its selected households) and a
/// sage's households, in Thai and English, at 80×24 and 160×45.
#[test]
fn snapshots_of_overview_ranking_and_a_sages_households() {
    use sammachip::app::Action;
    for (lang, name) in [(Lang::Th, "thai"), (Lang::En, "english")] {
        for (w, h) in [(80u16, 24u16), (160, 45)] {
            let mut f = Fixture::new(lang);
            f.app.update(Action::Resize(w, h), &f.store);
            let shot = |f: &Fixture| common::screen_at(&f.app, w, h);
            f.press(KeyCode::Char('1'));
            insta::assert_snapshot!(format!("overview_{name}_{w}x{h}"), shot(&f));
            f.press(KeyCode::Char('4'));
            f.press(KeyCode::Char('t'));
            assert!(f.app.rank.selected_view);
            insta::assert_snapshot!(format!("ranking_selected_{name}_{w}x{h}"), shot(&f));
            // The sage with the most households.
            f.press(KeyCode::Char('5'));
            let busiest = (0..f.app.sages.view.len())
                .max_by_key(|i| (f.app.sages.rows[f.app.sages.view[*i]].load, std::cmp::Reverse(*i)))
                .unwrap();
            for _ in 0..busiest {
                f.press(KeyCode::Down);
            }
            f.press(KeyCode::Enter);
            assert_eq!(f.app.ctx(), Ctx::Sage);
            insta::assert_snapshot!(format!("sage_households_{name}_{w}x{h}"), shot(&f));
        }
    }
}

/// The capital pane at 80 columns cut its figures: "Whole province │" with
/// the sums past the edge (the Thai province's and the nation's). Every
/// figure of the district and of the whole is now on screen whole: in
/// whole baht where they fit with room for the row's name, else in millions
/// of baht, said in the header; the capital by kind wraps instead of ending
/// at the edge. The whole is given the nation's sums to be sure they fit.
#[test]
fn the_capital_pane_shows_every_figure_whole_in_80_columns() {
    use sammachip::{
        app::Action,
        domain::{
            loan::percent,
            money::{Money, group_thousands},
        },
    };
    for lang in [Lang::Th, Lang::En] {
        for nation in [false, true] {
            for (w, h) in [(80u16, 24u16), (160, 45)] {
                let mut f = Fixture::new(lang);
                f.app.update(Action::Resize(w, h), &f.store);
                f.press(KeyCode::Char('1'));
                if nation {
                    let t = &mut f.app.overview.total;
                    (t.lending, t.budget, t.open) =
                        (15_113_160_000_000, 3_980_000_000_000, 9_277_913_455_012);
                    (t.funds, t.members) = (79_600, 13_000_000);
                    // A kind under 50,000 baht: "<0.1", not "0.0" million.
                    let cursor = f.app.overview.pos.cursor;
                    f.app.overview.rows[cursor].capital[5] = 2_000_000;
                }
                let screen = common::screen_at(&f.app, w, h);
                let here = f.app.overview.selected().unwrap().clone();
                let total = f.app.overview.total.clone();
                let millions = screen.contains(if lang == Lang::Th {
                    "(ล้านบาท) "
                } else {
                    "(million baht) "
                });
                // Whole baht wherever they fit: the demo's sums in 80 columns,
                // every sum in 160; the nation's in 80 only in millions.
                let want_millions = w == 80 && nation;
                assert_eq!(millions, want_millions, "{lang:?} {w}x{h} nation {nation}:\n{screen}");
                let money =
                    |m: i64| if millions { Money(m).format_millions() } else { Money(m).format_whole() };
                // Each row on a line of its own: the whole's under its name.
                let whole = if lang == Lang::Th {
                    "รวมทั้งจังหวัด"
                } else {
                    "Whole province"
                };
                for (row, is_whole) in [(&here, false), (&total, true)] {
                    let figures = [
                        money(row.lending),
                        money(row.budget),
                        money(row.open),
                        percent(row.par30_bp()),
                        group_thousands(u64::from(row.funds)),
                        group_thousands(row.members),
                    ];
                    let line = screen
                        .lines()
                        .filter(|l| figures.iter().all(|x| l.contains(&format!(" {x}"))))
                        .filter(|l| l.contains(whole) == is_whole)
                        .count();
                    assert!(
                        line > 0,
                        "{lang:?} {w}x{h} nation {nation}: {figures:?} not on one line:\n{screen}"
                    );
                }
                // Every kind of the district's capital, whole, in millions.
                for m in here.capital.iter().filter(|m| **m != 0) {
                    let x = Money(*m).format_millions();
                    assert!(screen.contains(&format!(" {x}")), "{x}:\n{screen}");
                }
                assert_eq!(screen.contains(" <0.1"), nation, "{screen}");
            }
        }
    }
}

/// A store with its districts and no fund yet: the pane's figures are 0,
/// and no "Capital (million baht):" heading stands over nothing.
#[test]
fn the_capital_pane_of_a_store_without_funds_has_no_empty_heading() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(sammachip::store::Store::open(&dir.path().join("s")).unwrap());
    let place = |code: u32, name: &str| sammachip::domain::geo::Place {
        code,
        name_th: name.into(),
        name_en: name.into(),
        postal: String::new(),
    };
    store.put_places("t", &[place(33, "Si Sa Ket"), place(3301, "Mueang Si Sa Ket")]).unwrap();
    let app = sammachip::app::App::new(&store, "tester", Lang::En, (80, 24));
    let screen = common::screen_of(&app);
    assert!(screen.contains("(baht)") && screen.contains("Whole province"), "{screen}");
    assert!(!screen.contains("Capital (million baht)"), "{screen}");
}

/// Found while checking issue 18 on the province demo: the Overview opened
/// empty (no district, every total 0) until the first key was pressed.
#[test]
fn the_overview_shows_its_figures_on_the_first_frame() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::template(), &dir.path().join("s"));
    let store = std::sync::Arc::new(sammachip::store::Store::open(&dir.path().join("s")).unwrap());
    let app = sammachip::app::App::new(&store, "tester", Lang::En, (80, 24));
    assert_eq!(app.tab, sammachip::app::Tab::Overview);
    let screen = common::screen_of(&app);
    assert!(screen.contains("Mueang Si Sa Ket"), "{screen}");
    let total = app.overview.total.figure(Step::Occupations);
    assert!(total > 0);
    assert!(screen.contains(&sammachip::domain::money::group_thousands(total as u64)), "{screen}");
}

/// Issue 19: lending capital and the Pracharat budget, apart, one function
/// each: the Overview's figures are the sums of what each fund's screen
/// shows, and they add up to all the capital received.
#[test]
fn the_overviews_capital_is_the_sum_of_the_funds_own_figures() {
    use sammachip::domain::{fund::Fund, money::Money};
    let mut f = Fixture::new(Lang::En);
    f.press(KeyCode::Char('1'));
    let funds = f.store.all::<Fund>().unwrap();
    let lending: i64 = funds.iter().map(|x| x.lending_capital().0).sum();
    let budget: i64 = funds.iter().map(|x| x.project_budget().0).sum();
    let all: i64 = funds.iter().map(|x| x.capital_total().0).sum();
    let total = &f.app.overview.total;
    assert_eq!((total.lending, total.budget), (lending, budget));
    assert_eq!(lending + budget, all);
    assert!(budget > 0 && lending > budget);
    let screen = f.screen();
    // The capital pane's row of the whole, under its heads, in whole baht.
    let heads = screen.lines().find(|l| l.contains("Lending capital")).unwrap_or_default();
    assert!(heads.contains("(baht)") && heads.contains("Pracharat"), "{screen}");
    let whole = screen.lines().rfind(|l| l.contains("Whole province")).unwrap_or_default();
    let (l, b) = (Money(lending).format_whole(), Money(budget).format_whole());
    let at =
        |figure: &str| whole.find(&format!(" {figure} ")).unwrap_or_else(|| panic!("{figure}: {screen}"));
    assert!(at(&l) < at(&b), "{screen}");
    // The first fund's own screen says its part.
    f.press(KeyCode::Char('2'));
    f.press(KeyCode::Enter);
    let first = f.app.funds.detail().unwrap().fund.clone();
    let screen = f.screen();
    assert!(
        screen.contains(&first.lending_capital().format())
            && screen.contains(&first.project_budget().format()),
        "{screen}"
    );
}
