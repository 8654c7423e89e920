//! Templates for fund committees (issue 22): the produced .xlsx read back with
//! calamine and as XML (a list on every choice column from the store's own
//! lists, the header locked and frozen, the explanation sheet), then filled
//! in the way a committee fills them — Thai digits, B.E. dates, picks from
//! the lists — and imported clean with `import`.

mod common;

use std::{collections::HashMap, path::Path, sync::Arc};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{Fixture, demo_day};
use sammachip::{
    domain::{Lang, fund::Fund, member::Member, occupation::OccupationRecord, occupation::Stage},
    i18n::tr,
    io::{Kind, import::Summary, template},
    service::labels,
    store::Store,
};

fn run_import(store: &Arc<Store>, kind: Kind, path: &Path) -> Summary {
    common::import_file(store, kind, path, false).unwrap_or_else(|e| panic!("{kind:?}: {e}"))
}

/// The fund of the demo with the most borrowers.
fn busiest_fund(store: &Store) -> Fund {
    let mut borrowers: HashMap<u64, usize> = HashMap::new();
    store
        .for_each_prefix::<Member>(&[], |m| {
            if !m.loans.is_empty() {
                *borrowers.entry(m.fund_id).or_default() += 1;
            }
        })
        .unwrap();
    let id =
        borrowers.iter().max_by_key(|(id, n)| (**n, std::cmp::Reverse(**id))).map(|(id, _)| *id).unwrap();
    store.get::<Fund>(id).unwrap().unwrap()
}

/// Every sheet of a workbook as rows of text, by name, in order.
fn sheets(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                            c => c.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

/// The `<dataValidation …>…</dataValidation>` whose range starts at `cell`.
fn validation_at(xml: &str, column: &str) -> String {
    let at = format!("sqref=\"{column}2:{column}1048576\"");
    let end = xml.find(&at).unwrap_or_else(|| panic!("no validation on {column}: {xml}"));
    let start = xml[..end].rfind("<dataValidation ").unwrap();
    let stop = end + xml[end..].find("</dataValidation>").unwrap();
    xml[start..stop].to_string()
}

/// Excel's name of a 0-based column.
fn letter(c: usize) -> String {
    sammachip::io::table::cell_name(0, c as u32).trim_end_matches('1').to_string()
}

/// A copy of the template's first sheet with `fill` written over its cells
/// (row and column 0-based, as calamine gives them), as a committee hands
/// it back: the headers as they were.
fn filled_copy(template: &[Vec<String>], fill: &HashMap<(usize, usize), String>, to: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let rows = template.len().max(fill.keys().map(|(r, _)| r + 1).max().unwrap_or(0));
    for r in 0..rows {
        let width = template.first().map_or(0, Vec::len);
        for c in 0..width {
            let value = fill
                .get(&(r, c))
                .cloned()
                .or_else(|| template.get(r).and_then(|row| row.get(c)).cloned())
                .unwrap_or_default();
            if !value.is_empty() {
                sheet.write_string(r as u32, c as u16, value).unwrap();
            }
        }
    }
    book.save(to).unwrap();
}

fn col_of(header: &[String], th: &str) -> usize {
    header.iter().position(|h| h == th).unwrap_or_else(|| panic!("no column {th} in {header:?}"))
}

#[test]
fn an_occupations_template_lists_every_borrower_with_lists_a_locked_header_and_an_explanation() {
    let f = Fixture::new(Lang::Th);
    let fund = busiest_fund(&f.store);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("occ.xlsx");
    let w = template::write(&f.store, Kind::Occupations, &fund.code, &path, Lang::Th, demo_day()).unwrap();

    // Every member of the fund who borrowed, with national ID, name and loans.
    let mut borrowers: HashMap<String, (String, String)> = HashMap::new();
    f.store
        .for_each_prefix::<Member>(&fund.id.to_be_bytes(), |m| {
            if !m.loans.is_empty() {
                let ids = m.loans.iter().map(|l| l.id.to_string()).collect::<Vec<_>>().join(" ");
                borrowers.insert(m.national_id.to_string(), (m.full_name(), ids));
            }
        })
        .unwrap();
    assert!(borrowers.len() >= 10, "the demo fund has borrowers");
    assert_eq!(w.rows, borrowers.len());
    let book = sheets(&path);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ข้อมูลอาชีพ", "คำอธิบาย"]);
    let data = &book[0].1;
    let header = &data[0];
    for c in Kind::Occupations.columns() {
        assert!(header.contains(&c.th.to_string()), "header {} in {header:?}", c.th);
    }
    let (nid, name, loans) =
        (col_of(header, "เลขประจำตัวประชาชน"), col_of(header, "ชื่อ-สกุล"), col_of(header, "เลขที่สัญญาที่ใช้"));
    assert_eq!(data.len() - 1, borrowers.len());
    for row in &data[1..] {
        let (n, ids) = &borrowers[&row[nid]];
        assert_eq!((&row[name], &row[loans]), (n, ids));
    }

    // The explanation sheet: every column in Thai, and the categories the
    // category list refers to.
    let help = &book[1].1;
    for h in header {
        assert!(help.iter().any(|r| r.first() == Some(h)), "{h} explained");
    }
    let categories = f.store.categories().unwrap();
    assert!(categories.len() >= 20);
    for (i, c) in categories.iter().enumerate() {
        assert_eq!(help[i + 1][6], template::category_item(c.code, &c.name_th));
    }

    // As XML: the lists are the store's, in Thai; the header is locked, the
    // rest open; the header row frozen.
    let xml = common::xlsx_part(&path, "xl/worksheets/sheet1.xml");
    let stage = validation_at(&xml, &letter(col_of(header, "ขั้น")));
    assert!(stage.contains("type=\"list\""), "{stage}");
    for s in Stage::ALL {
        assert!(stage.contains(tr(Lang::Th, labels::stage(s))), "{s:?} in {stage}");
    }
    assert!(stage.contains("<formula1>\"มีข้อมูลอาชีพ,"), "{stage}");
    let status = validation_at(&xml, &letter(col_of(header, "สถานะ")));
    assert!(status.contains("type=\"list\"") && status.contains("<formula1>\"ดำเนินการอยู่,"), "{status}");
    let category = validation_at(&xml, &letter(col_of(header, "รหัสอาชีพ")));
    assert!(category.contains("type=\"list\""), "{category}");
    assert!(
        category.contains(&format!("<formula1>'คำอธิบาย'!$G$2:$G${}</formula1>", categories.len() + 1)),
        "{category}"
    );
    assert!(category.contains("promptTitle=\"รหัสอาชีพ\""), "{category}");
    let year = validation_at(&xml, &letter(col_of(header, "ปีที่เริ่ม")));
    assert!(year.contains("type=\"whole\"") && year.contains("<formula1>2400</formula1>"), "{year}");
    let income = validation_at(&xml, &letter(col_of(header, "รายได้ก่อน")));
    assert!(income.contains("type=\"decimal\""), "{income}");
    // An input message on every header.
    assert_eq!(xml.matches("showInputMessage=\"1\"").count(), header.len(), "{xml}");
    assert!(xml.contains("<sheetProtection"), "protected");
    assert!(xml.contains("state=\"frozen\"") && xml.contains("ySplit=\"1\""), "frozen");
    // Header cells locked (no unlocked style), columns below unlocked.
    let styles = common::xlsx_part(&path, "xl/styles.xml");
    assert!(styles.contains("<protection locked=\"0\"/>"), "{styles}");
    let cols_xml = &xml[xml.find("<cols>").unwrap()..xml.find("</cols>").unwrap()];
    assert!(cols_xml.contains("style="), "{cols_xml}");
    let help_xml = common::xlsx_part(&path, "xl/worksheets/sheet2.xml");
    assert!(help_xml.contains("<sheetProtection"), "the explanation is protected too");
}

#[test]
fn a_filled_occupations_template_imports_clean_and_skips_the_rows_left_blank() {
    let f = Fixture::new(Lang::Th);
    let fund = busiest_fund(&f.store);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("occ.xlsx");
    template::write(&f.store, Kind::Occupations, &fund.code, &path, Lang::Th, demo_day()).unwrap();
    let book = sheets(&path);
    let (data, help) = (&book[0].1, &book[1].1);
    let header = &data[0];
    let at = |th: &str| col_of(header, th);
    // The third category as its list names it.
    let pick = help[3][6].clone();
    let code: u16 = pick.split(' ').next().unwrap().parse().unwrap();
    let mut fill = HashMap::new();
    for r in 1..=3 {
        fill.insert((r, at("รหัสอาชีพ")), pick.clone());
        fill.insert((r, at("รายละเอียด")), format!("เลี้ยงไก่ไข่ {r} เล้า"));
        fill.insert((r, at("ปีที่เริ่ม")), "๒๕๖๕".to_string());
        fill.insert((r, at("รายได้ก่อน")), "๔๕,๐๐๐".to_string());
        fill.insert((r, at("รายจ่ายก่อน")), "30000".to_string());
        fill.insert((r, at("รายได้หลัง")), "๖๐๐๐๐.๕๐".to_string());
        fill.insert((r, at("รายจ่ายหลัง")), "35,000".to_string());
        fill.insert((r, at("สถานะ")), tr(Lang::Th, sammachip::i18n::k::OCC_ACTIVE).to_string());
        fill.insert((r, at("ขั้น")), tr(Lang::Th, labels::stage(Stage::Target)).to_string());
    }
    let filled = dir.path().join("occ-filled.xlsx");
    filled_copy(data, &fill, &filled);
    let before = f.store.count::<OccupationRecord>().unwrap();
    let s = run_import(&f.store, Kind::Occupations, &filled);
    assert!(s.rejects.is_empty(), "{:?}", s.rejects);
    assert_eq!((s.read, s.imported, s.unfilled), (3, 3, data.len() - 4));
    assert_eq!(f.store.count::<OccupationRecord>().unwrap(), before + 3);
    let nids: Vec<&String> = (1..=3).map(|r| &data[r][at("เลขประจำตัวประชาชน")]).collect();
    let mut new = Vec::new();
    let by_member: HashMap<u64, String> = {
        let mut m = HashMap::new();
        f.store
            .for_each_prefix::<Member>(&fund.id.to_be_bytes(), |x| {
                m.insert(x.id, x.national_id.to_string());
            })
            .unwrap();
        m
    };
    f.store
        .for_each_prefix::<OccupationRecord>(&fund.id.to_be_bytes(), |r| {
            if r.description.starts_with("เลี้ยงไก่ไข่") {
                new.push(r);
            }
        })
        .unwrap();
    assert_eq!(new.len(), 3);
    for r in &new {
        assert!(nids.contains(&&by_member[&r.member_id]));
        assert_eq!(r.category, code);
        assert_eq!(r.start_year, 2022);
        assert_eq!(r.before.income.satang(), 4_500_000);
        assert_eq!(r.after.income.satang(), 6_000_050);
        assert!(!r.loan_ids.is_empty(), "the loans filled in are kept");
    }
}

#[test]
fn a_filled_repayments_template_imports_clean_with_be_dates_in_thai_digits() {
    let f = Fixture::new(Lang::Th);
    let fund = busiest_fund(&f.store);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rep.xlsx");
    let w = template::write(&f.store, Kind::Repayments, &fund.code, &path, Lang::Th, demo_day()).unwrap();
    // Every loan with something due, and no other.
    let mut due = Vec::new();
    f.store
        .for_each_prefix::<Member>(&fund.id.to_be_bytes(), |m| {
            for l in &m.loans {
                let (p, i) = l.due_now(demo_day());
                if l.status != sammachip::domain::loan::LoanStatus::WrittenOff && p.0 + i.0 > 0 {
                    due.push(l.id.to_string());
                }
            }
        })
        .unwrap();
    due.sort_by_key(|x| x.parse::<u64>().unwrap());
    assert!(!due.is_empty());
    assert_eq!(w.rows, due.len());
    let book = sheets(&path);
    let data = &book[0].1;
    let header = &data[0];
    let at = |th: &str| col_of(header, th);
    let ids: Vec<String> = data[1..].iter().map(|r| r[at("เลขที่สัญญา")].clone()).collect();
    assert_eq!(ids, due);
    let xml = common::xlsx_part(&path, "xl/worksheets/sheet1.xml");
    let date = validation_at(&xml, &letter(at("วันที่ชำระ")));
    assert!(date.contains("type=\"custom\"") && date.contains("errorStyle=\"warning\""), "{date}");

    // Two repayments of 100 baht, on 15 Sep 2569 typed in Thai digits.
    let mut fill = HashMap::new();
    for r in [1, 2] {
        fill.insert((r, at("วันที่ชำระ")), "๑๕/๙/๒๕๖๙".to_string());
        fill.insert((r, at("เงินต้น")), "๑๐๐".to_string());
        fill.insert((r, at("ดอกเบี้ย")), "0".to_string());
    }
    let filled = dir.path().join("rep-filled.xlsx");
    filled_copy(data, &fill, &filled);
    let count = |id: u64| {
        let mut n = 0;
        f.store
            .for_each_prefix::<Member>(&fund.id.to_be_bytes(), |m| {
                if let Some(l) = m.loan(id) {
                    n = l
                        .repayments
                        .iter()
                        .filter(|r| r.date == sammachip::domain::Date::from_ymd(2026, 9, 15).unwrap())
                        .count();
                }
            })
            .unwrap();
        n
    };
    let first: u64 = ids[0].parse().unwrap();
    let before = count(first);
    let s = run_import(&f.store, Kind::Repayments, &filled);
    assert!(s.rejects.is_empty(), "{:?}", s.rejects);
    assert_eq!((s.read, s.unfilled), (2, due.len() - 2));
    assert_eq!(count(first), before + 1);
}

fn national_id(stem: u64) -> String {
    let digits: Vec<u32> = format!("{stem:012}").chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits.iter().enumerate().map(|(i, d)| d * (13 - i as u32)).sum();
    format!("{stem:012}{}", (11 - sum % 11) % 10)
}

#[test]
fn a_filled_members_template_adds_the_new_members() {
    let f = Fixture::new(Lang::Th);
    let fund = busiest_fund(&f.store);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mem.xlsx");
    template::write(&f.store, Kind::Members, &fund.code, &path, Lang::Th, demo_day()).unwrap();
    let book = sheets(&path);
    let data = &book[0].1;
    let header = &data[0];
    let at = |th: &str| col_of(header, th);
    assert_eq!(data.len() - 1, template::NEW_MEMBER_ROWS as usize);
    assert!(data[1..].iter().all(|r| r[at("รหัสกองทุน")] == fund.code));
    let xml = common::xlsx_part(&path, "xl/worksheets/sheet1.xml");
    let status = validation_at(&xml, &letter(at("สถานะ")));
    for s in sammachip::domain::member::MemberStatus::ALL {
        assert!(status.contains(tr(Lang::Th, labels::member_status(s))), "{status}");
    }
    let title = validation_at(&xml, &letter(at("คำนำหน้า")));
    assert!(title.contains("\"นาย,นาง,นางสาว\"") && title.contains("errorStyle=\"information\""), "{title}");
    let id = validation_at(&xml, &letter(at("เลขประจำตัวประชาชน")));
    assert!(id.contains("type=\"textLength\""), "{id}");

    let mut fill = HashMap::new();
    let nid = [national_id(398_765_432_101), national_id(398_765_432_102)];
    for (i, r) in [1usize, 2].into_iter().enumerate() {
        let thai_nid = sammachip::domain::thai::to_thai_digits(&nid[i]).into_owned();
        fill.insert((r, at("เลขประจำตัวประชาชน")), thai_nid);
        fill.insert((r, at("คำนำหน้า")), "นาง".to_string());
        fill.insert((r, at("ชื่อ")), format!("ทดสอบ{i}"));
        fill.insert((r, at("นามสกุล")), "แบบฟอร์ม".to_string());
        fill.insert((r, at("วันเกิด")), "๑/๑/๒๕๒๐".to_string());
        fill.insert((r, at("วันที่เป็นสมาชิก")), "15/3/2568".to_string());
        fill.insert(
            (r, at("สถานะ")),
            tr(Lang::Th, labels::member_status(sammachip::domain::member::MemberStatus::Active)).to_string(),
        );
    }
    let filled = dir.path().join("mem-filled.xlsx");
    filled_copy(data, &fill, &filled);
    let before = f.store.count::<Member>().unwrap();
    let s = run_import(&f.store, Kind::Members, &filled);
    assert!(s.rejects.is_empty(), "{:?}", s.rejects);
    assert_eq!((s.read, s.imported, s.unfilled), (2, 2, template::NEW_MEMBER_ROWS as usize - 2));
    assert_eq!(f.store.count::<Member>().unwrap(), before + 2);
    let mut added = Vec::new();
    f.store
        .for_each_prefix::<Member>(&fund.id.to_be_bytes(), |m| {
            if m.family_name == "แบบฟอร์ม" {
                added.push(m);
            }
        })
        .unwrap();
    assert_eq!(added.len(), 2);
    for m in &added {
        assert!(nid.contains(&m.national_id.to_string()));
        assert_eq!(m.joined, sammachip::domain::Date::from_ymd(2025, 3, 15));
        assert_eq!(m.birth_date, sammachip::domain::Date::from_ymd(1977, 1, 1));
    }
}

/// `sammachip template KIND --fund CODE -o FILE.xlsx`, and its refusals.
#[test]
fn the_command_line_writes_a_template_and_says_why_it_will_not() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store");
    common::copy_dir(common::template(), &db);
    let code = busiest_fund(&Store::open(&db).unwrap()).code;
    let run = |args: &[&str]| {
        let out = std::process::Command::new(common::BIN).arg("--db").arg(&db).args(args).output().unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let out = dir.path().join("t.xlsx");
    let out_s = out.to_str().unwrap();
    let (code_ok, text) = run(&["template", "repayments", "--fund", &code, "-o", out_s]);
    assert_eq!(code_ok, 0, "{text}");
    assert!(text.contains("เขียนแบบฟอร์มการชำระเงินกู้") && text.contains(out_s), "{text}");
    assert!(sheets(&out)[0].1.len() > 1);
    let (c, text) = run(&["template", "sages", "--fund", &code, "-o", out_s]);
    assert_eq!(c, 2, "{text}");
    assert!(text.contains("ทำแบบฟอร์มได้เฉพาะ"), "{text}");
    let (c, text) = run(&["template", "members", "--fund", "99999999", "-o", out_s]);
    assert_eq!(c, 2, "{text}");
    assert!(text.contains("ไม่พบกองทุนรหัส 99999999"), "{text}");
    let (c, text) =
        run(&["template", "members", "--fund", &code, "-o", dir.path().join("t.csv").to_str().unwrap()]);
    assert_eq!(c, 2, "{text}");
    assert!(text.contains(".xlsx"), "{text}");
}

/// `t` on a fund's screen (also `ะ`, the same key on the Thai layout) writes
/// the three templates into the officer's outbox and names them.
#[test]
fn t_on_a_fund_writes_its_three_templates_into_the_outbox() {
    use crossterm::event::KeyCode;
    let mut f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("files/tester/outbox");
    f.app.export_dir = Some(outbox.clone());
    f.press(KeyCode::Enter);
    let code = f.app.funds.detail().map(|d| d.fund.code.clone()).expect("a fund is open");
    f.press(KeyCode::Char('ะ'));
    let screen = f.screen();
    let stem = template::file_stem(&code, demo_day());
    assert!(screen.contains(&format!("แบบฟอร์มอยู่ใน outbox: {stem}-members")), "{screen}");
    for kind in template::KINDS {
        let path = outbox.join(template::file_name(kind, &code, demo_day()));
        let book = sheets(&path);
        assert_eq!(book[1].0, "คำอธิบาย");
        let header = &book[0].1[0];
        for c in kind.columns() {
            assert!(header.contains(&c.th.to_string()), "{kind:?}: {} in {header:?}", c.th);
        }
        if kind != Kind::Members {
            // The filled-in rows are the fund's own.
            assert!(book[0].1.len() > 1, "{kind:?}");
        }
    }
}
