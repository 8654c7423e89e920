//! Turns `assets/strings.tsv` (key, Thai, English) into typed constants, so a
//! missing or misspelt message key is a compile error, not a blank on screen.
//! Also names this build (`SAMMACHIP_BUILD_ID`, a hash of everything the
//! program is built from), so `sammachip` hands work only to a
//! `sammachip-bulk` of the same build.

use std::{
    env,
    fmt::Write as _,
    fs,
    hash::{DefaultHasher, Hash, Hasher},
    path::{Path, PathBuf},
};

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
    build_id();
}

/// A hash of the sources, the manifest, the lock file and the target.
fn build_id() {
    let mut files = Vec::new();
    for root in ["src", "assets"] {
        println!("cargo:rerun-if-changed={root}");
        walk(Path::new(root), &mut files);
    }
    for f in ["Cargo.toml", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={f}");
        files.push(PathBuf::from(f));
    }
    files.sort();
    let mut h = DefaultHasher::new();
    for f in &files {
        f.hash(&mut h);
        fs::read(f).unwrap_or_default().hash(&mut h);
    }
    for var in ["TARGET", "PROFILE", "CARGO_CFG_TARGET_FEATURE"] {
        env::var(var).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rustc-env=SAMMACHIP_BUILD_ID={:016x}", h.finish());
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}
