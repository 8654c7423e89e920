//! The province report (`sammachip report`, `x` on the Overview), read back:
//! the same figures as the Overview's screen, one chart per figure group,
//! printing set for A4 landscape with the header row repeated and the date
//! in B.E.

mod common;

use calamine::{Data, Reader, Xlsx};
use common::Fixture;
use crossterm::event::KeyCode;
use sammachip::{
    app::overview::Step,
    domain::Lang,
    io::report::{ReportOptions, write_report},
};

fn sheet(path: &std::path::Path, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(x) => *x,
        Data::Int(x) => *x as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn part_names(path: &std::path::Path) -> Vec<String> {
    let zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    zip.file_names().filter_map(|n| n.ok()).map(|n| n.into_owned()).collect()
}

#[test]
fn the_report_holds_the_overviews_figures_a_chart_per_group_and_prints_on_a4() {
    let mut f = Fixture::new(Lang::Th);
    f.press(KeyCode::Char('1'));
    let rows = f.app.overview.rows.clone();
    let total = f.app.overview.total.clone();
    assert!(!rows.is_empty() && total.members > 0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    let w = write_report(&f.store, &path, ReportOptions { district: None, date: f.app.today }).unwrap();
    assert_eq!((w.sheets, w.charts), (6, 5));

    // The eight steps: every district's row and the total, as on screen.
    let steps = sheet(&path, "แปดขั้นตอน");
    assert!(steps[0][0].to_string().contains("2569"), "title with the B.E. date: {:?}", steps[0][0]);
    for (i, r) in rows.iter().chain([&total]).enumerate() {
        let line = &steps[3 + i];
        if i < rows.len() {
            assert_eq!(line[0].to_string(), r.district.to_string());
        }
        assert_eq!(number(&line[2]), f64::from(r.funds));
        assert_eq!(number(&line[3]), r.members as f64);
        for (j, s) in Step::ALL.iter().enumerate() {
            assert_eq!(number(&line[4 + j]), r.figure(*s) as f64, "district {} step {j}", r.district);
        }
    }
    // Loans: outstanding, late, PAR30 as the Overview reckons them.
    let loans = sheet(&path, "เงินกู้");
    for (i, r) in rows.iter().chain([&total]).enumerate() {
        let line = &loans[3 + i];
        assert_eq!(number(&line[2]), r.open as f64 / 100.0);
        assert_eq!(number(&line[3]), r.at_risk as f64 / 100.0);
        assert!((number(&line[4]) - f64::from(r.par30_bp()) / 10_000.0).abs() < 1e-9);
    }
    // Capital: the lending capital and the Pracharat budget apart.
    let capital = sheet(&path, "ทุน");
    let last = 3 + rows.len();
    assert_eq!(number(&capital[last][8]), total.lending as f64 / 100.0);
    assert_eq!(number(&capital[last][9]), total.budget as f64 / 100.0);
    // Every district's top 30, as `export ranking` lists them.
    let ranking = sheet(&path, "อันดับ 30 อันดับแรก");
    assert!(ranking.len() > 3 + 10, "{}", ranking.len());

    // One chart on each of the five figure sheets.
    let names = part_names(&path);
    let charts = names.iter().filter(|n| n.starts_with("xl/charts/chart")).count();
    assert_eq!(charts, 5, "{names:?}");
    for i in 1..=5 {
        let rels = common::xlsx_part(&path, &format!("xl/worksheets/_rels/sheet{i}.xml.rels"));
        assert!(rels.contains("drawing"), "sheet {i} has its chart");
    }
    // A4 landscape, one page wide, the header row on every page.
    let workbook = common::xlsx_part(&path, "xl/workbook.xml");
    for i in 1..=6 {
        let ws = common::xlsx_part(&path, &format!("xl/worksheets/sheet{i}.xml"));
        assert!(ws.contains(r#"paperSize="9""#) && ws.contains(r#"orientation="landscape""#), "sheet {i}");
        assert!(ws.contains(r#"fitToHeight="0""#) && ws.contains("<oddHeader>"), "sheet {i}");
        assert!(workbook.contains(&format!(r#"name="_xlnm.Print_Titles" localSheetId="{}""#, i - 1)));
    }
}

#[test]
fn x_on_the_overview_writes_the_report_into_the_officers_outbox() {
    let mut f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("files").join("tester").join("outbox");
    f.app.export_dir = Some(outbox.clone());
    f.press(KeyCode::Char('1'));
    f.press(KeyCode::Char('x'));
    assert!(f.screen().contains("เขียนรายงานจังหวัด"), "{}", f.screen());
    // Only an Excel file will do.
    f.ctrl('u');
    f.type_str("report.csv");
    f.ctrl('s');
    assert!(f.screen().contains(".xlsx"), "{}", f.screen());
    f.ctrl('u');
    f.type_str("รายงาน.xlsx");
    f.ctrl('s');
    assert!(f.screen().contains("outbox/รายงาน.xlsx"), "{}", f.screen());
    let written = outbox.join("รายงาน.xlsx");
    let steps = sheet(&written, "แปดขั้นตอน");
    let total = &f.app.overview.total;
    let last = steps.iter().rev().find(|r| r.get(1).is_some_and(|c| *c == "รวม")).unwrap();
    assert_eq!(number(&last[3]), total.members as f64);
}

/// The report's title names the store's province from its gazetteer (it
/// used to say Si Sa Ket whatever the store held), and "ทุกจังหวัด" on a
/// store of more than one province.
#[test]
fn the_report_names_the_stores_province_or_all_provinces() {
    let f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xlsx");
    write_report(&f.store, &path, ReportOptions { district: None, date: f.app.today }).unwrap();
    let title = sheet(&path, "แปดขั้นตอน")[0][0].to_string();
    assert!(title.contains("จังหวัดศรีสะเกษ"), "{title}");

    let other = sammachip::domain::geo::Place {
        code: 34,
        name_th: "อุบลราชธานี".into(),
        name_en: "Ubon Ratchathani".into(),
        postal: String::new(),
    };
    let district =
        sammachip::domain::geo::Place {
            code: 3401, name_th: "เมืองอุบลราชธานี".into(), ..other.clone()
        };
    f.store.put_places("t", &[other, district]).unwrap();
    let path = dir.path().join("report-all.xlsx");
    write_report(&f.store, &path, ReportOptions { district: None, date: f.app.today }).unwrap();
    let title = sheet(&path, "แปดขั้นตอน")[0][0].to_string();
    assert!(title.contains("ทุกจังหวัด") && !title.contains("ศรีสะเกษ"), "{title}");

    // Bangkok is no จังหวัด: its store's report says กรุงเทพมหานคร alone.
    let places = |province: u32, th: &str, district: &str| {
        let p = sammachip::domain::geo::Place {
            code: province,
            name_th: th.into(),
            name_en: String::new(),
            postal: String::new(),
        };
        vec![
            p.clone(),
            sammachip::domain::geo::Place { code: province * 100 + 1, name_th: district.into(), ..p },
        ]
    };
    for (province, th, district, want) in [
        (10, "กรุงเทพมหานคร", "พระนคร", "รายงานสัมมาชีพชุมชน กรุงเทพมหานคร ณ"),
        (33, "ศรีสะเกษ", "เมืองศรีสะเกษ", "รายงานสัมมาชีพชุมชน จังหวัดศรีสะเกษ ณ"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let store = sammachip::store::Store::open(&dir.path().join("s")).unwrap();
        store.put_places("t", &places(province, th, district)).unwrap();
        let path = dir.path().join("report.xlsx");
        let written =
            write_report(&store, &path, ReportOptions { district: None, date: f.app.today }).unwrap();
        let title = sheet(&path, "แปดขั้นตอน")[0][0].to_string();
        assert!(title.starts_with(want), "{title}");
        // Districts and no fund: every chart but the capital by year.
        assert_eq!(written.charts, 4);
    }
    // A store with no fund yet, or no place at all, still gets its report:
    // a chart with nothing to draw is left out (Excel refuses a chart
    // without a series; that error once reached the officer in English).
    let dir = tempfile::tempdir().unwrap();
    let store = sammachip::store::Store::open(&dir.path().join("s")).unwrap();
    let path = dir.path().join("empty.xlsx");
    let written = write_report(&store, &path, ReportOptions { district: None, date: f.app.today }).unwrap();
    assert_eq!(written.charts, 0);
    assert!(sheet(&path, "แปดขั้นตอน")[0][0].to_string().starts_with("รายงานสัมมาชีพชุมชน"));
}

/// The report is an Excel workbook: named `.csv`, `.pdf` or nothing, it
/// used to be written anyway, replacing whatever had that name with a
/// workbook in disguise. It is refused, with the reason, and nothing is
/// written.
#[test]
fn a_report_under_a_name_that_is_not_xlsx_is_refused() {
    let f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    for name in ["report.csv", "report.pdf", "report"] {
        let path = dir.path().join(name);
        std::fs::write(&path, "keep me").unwrap();
        let e =
            write_report(&f.store, &path, ReportOptions { district: None, date: f.app.today }).unwrap_err();
        let m = sammachip::io::messages::report(&e);
        assert!(m.render(Lang::Th).contains(".xlsx") && m.render(Lang::En).contains(".xlsx"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me");
    }
}

/// The report shows the store as it is now. Dated a day gone by, it gave
/// that day's title and count of late loans over today's balances (a hunt:
/// outstanding the same 144,381,088 at 30/6/2568 as today, where the
/// repayments up to that day leave 160,353,067; 120 funds in 2540, before any
/// fund). Such a date is refused with the reason; today, and a later day,
/// are written.
#[test]
fn a_report_dated_a_day_gone_by_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s");
    common::copy_dir(common::binary_demo(), &db);
    let run = |date: &str, name: &str| {
        std::process::Command::new(common::BIN)
            .arg("--db")
            .arg(&db)
            .args(["report", "--date", date, "-o"])
            .arg(dir.path().join(name))
            .output()
            .unwrap()
    };
    let past = run("30/6/2568", "past.xlsx");
    let said = String::from_utf8_lossy(&past.stderr);
    assert_eq!(past.status.code(), Some(2), "{said}");
    assert!(said.contains("30 มิ.ย. 2568") && said.contains("a day gone by"), "{said}");
    assert!(!dir.path().join("past.xlsx").exists(), "nothing written");
    let today = sammachip::domain::thai::format_date(sammachip::domain::Date::today(), Lang::Th);
    let later = sammachip::domain::thai::format_date(sammachip::domain::Date::today().add_days(30), Lang::Th);
    for (date, name) in [(today, "today.xlsx"), (later, "later.xlsx")] {
        let out = run(&date, name);
        assert!(out.status.success(), "{date}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(dir.path().join(name).exists());
    }
}
