//! Turns `assets/strings.tsv` (key, Thai, English) into typed constants, so a
//! missing or misspelt message key is a compile error, not a blank on screen.

use std::{env, fmt::Write as _, fs, path::Path};

fn main() {
    let src = "assets/strings.tsv";
    println!("cargo:rerun-if-changed={src}");
    let text = fs::read_to_string(src).expect("assets/strings.tsv must be readable");
    let mut consts = String::new();
    let mut th = String::new();
    let mut en = String::new();
    let mut seen = std::collections::HashSet::new();
    let mut n = 0usize;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() == 3,
            "{src}:{}: want 3 tab-separated columns (key, th, en), found {}",
            i + 1,
            cols.len()
        );
        let (key, t, e) = (cols[0].trim(), cols[1], cols[2]);
        assert!(!t.is_empty() && !e.is_empty(), "{src}:{}: {key} needs both Thai and English", i + 1);
        assert!(seen.insert(key.to_string()), "{src}:{}: duplicate key {key}", i + 1);
        assert_eq!(
            t.matches("{}").count(),
            e.matches("{}").count(),
            "{src}:{}: {key}: Thai and English take different numbers of {{}}",
            i + 1
        );
        let ident: String = key
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
            .collect();
        writeln!(consts, "pub const {ident}: Key = Key({n});").unwrap();
        writeln!(th, "    {:?},", t.replace("\\n", "\n")).unwrap();
        writeln!(en, "    {:?},", e.replace("\\n", "\n")).unwrap();
        n += 1;
    }
    let out = format!(
        "{consts}\npub(crate) static TH: [&str; {n}] = [\n{th}];\npub(crate) static EN: [&str; {n}] = [\n{en}];\n"
    );
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("strings.rs");
    fs::write(dest, out).unwrap();
}
