//! The layering of the code, checked from its source: which module may use
//! which (domain ← store ← service ← screens and files ← terminal and server
//! ← main, as ARCHITECTURE.md draws it), and no circle of files using each
//! other. Read from `src/`, so a new `use` that breaks either fails here.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

/// Each top-level module and the modules it may use (itself always).
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("i18n", &["domain"]),
    ("store", &["domain", "i18n"]),
    ("service", &["domain", "i18n", "store"]),
    ("demo", &["domain", "i18n", "store", "service"]),
    ("io", &["domain", "i18n", "store", "service"]),
    ("app", &["domain", "i18n", "store", "service", "demo", "io"]),
    ("ui", &["domain", "i18n", "service", "app"]),
    ("front", &["domain", "i18n", "store", "service", "app", "ui"]),
    ("tui", &["domain", "i18n", "store", "service", "app", "ui", "front"]),
    ("ssh", &["domain", "i18n", "store", "service", "app", "ui", "front"]),
    ("cli", &["domain", "i18n", "store", "service", "demo", "io", "app", "ui", "front", "tui", "ssh"]),
];

struct File {
    /// `app/funds`, `app` (for app/mod.rs), `lib`, …
    module: Vec<String>,
    text: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The source without comments, string literals and `#[cfg(test)]` modules.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i..].starts_with(b"'") && i + 2 < b.len() && b[i + 2] == b'\'' {
            i += 3;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn files() -> Vec<File> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&root, &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap().with_extension("");
            let mut module: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            File { module, text: code(&std::fs::read_to_string(&p).unwrap()) }
        })
        .collect()
}

/// Every path the code names: `crate::a::b`, `super::c`, and the items of
/// `use x::{a, b::{c}}` groups, each as the list of its segments.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let starts = ["crate::", "super::", "self::"]
            .iter()
            .find(|s| chars[i..].iter().take(s.len()).copied().eq(s.chars()))
            .filter(|_| i == 0 || !ident(chars[i - 1]));
        if let Some(s) = starts {
            let head = s.trim_end_matches(':').to_string();
            i += s.len();
            expand(&chars, &mut i, vec![head], &mut out);
        } else {
            i += 1;
        }
    }
    out
}

/// Reads segments `a::b::…` or a group `{…}` after `prefix`.
fn expand(chars: &[char], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut path = prefix;
    loop {
        while *i < chars.len() && chars[*i].is_whitespace() {
            *i += 1;
        }
        if *i < chars.len() && chars[*i] == '{' {
            *i += 1;
            loop {
                while *i < chars.len() && (chars[*i].is_whitespace() || chars[*i] == ',') {
                    *i += 1;
                }
                if *i >= chars.len() || chars[*i] == '}' {
                    *i += 1;
                    return;
                }
                expand(chars, i, path.clone(), out);
            }
        }
        let start = *i;
        while *i < chars.len() && ident(chars[*i]) {
            *i += 1;
        }
        if start == *i {
            out.push(path);
            return;
        }
        path.push(chars[start..*i].iter().collect());
        if chars[*i..].starts_with(&[':', ':']) {
            *i += 2;
        } else {
            out.push(path);
            return;
        }
    }
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let mut wrong = Vec::new();
    for f in files() {
        let Some(top) = f.module.first() else { continue };
        let Some((_, allowed)) = LAYERS.iter().find(|(m, _)| m == top) else {
            // Only the crate's root and the binaries stand outside the layers.
            if top != "lib" && top != "main" && top != "bin" {
                wrong.push(format!("src/{}.rs is in no layer (add it to LAYERS)", f.module.join("/")));
            }
            continue;
        };
        let mut used = BTreeSet::new();
        for p in paths(&f.text) {
            if p[0] == "crate"
                && let Some(m) = p.get(1)
            {
                used.insert(m.clone());
            }
        }
        for m in used {
            if &m != top && LAYERS.iter().any(|(l, _)| *l == m) && !allowed.contains(&m.as_str()) {
                wrong.push(format!("src/{}.rs uses crate::{m}", f.module.join("/")));
            }
        }
    }
    assert!(wrong.is_empty(), "uses of a higher or unrelated layer:\n{}", wrong.join("\n"));
}

/// Files as nodes, an edge for each file another names: `super::x`,
/// `crate::a::b` (the file `a/b.rs`, or `a/mod.rs` for its items), and a
/// `mod.rs` naming its own submodules.
fn file_graph() -> BTreeMap<String, BTreeSet<String>> {
    let all = files();
    let names: BTreeSet<String> = all.iter().map(|f| f.module.join("/")).collect();
    // The file a path leads to: the longest module prefix that is a file.
    let resolve = |segments: &[String]| -> Option<String> {
        (1..=segments.len()).rev().map(|n| segments[..n].join("/")).find(|m| names.contains(m))
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &all {
        let me = f.module.join("/");
        let dir: Vec<String> = if names.iter().any(|n| n.starts_with(&format!("{me}/"))) {
            f.module.clone()
        } else {
            f.module[..f.module.len().saturating_sub(1)].to_vec()
        };
        let mut edges = BTreeSet::new();
        for p in paths(&f.text) {
            let abs: Vec<String> = match p[0].as_str() {
                "crate" => p[1..].to_vec(),
                "super" => {
                    let mut base = dir.clone();
                    if me == dir.join("/") {
                        base.pop();
                    }
                    let mut rest = &p[1..];
                    while rest.first().is_some_and(|s| s == "super") {
                        base.pop();
                        rest = &rest[1..];
                    }
                    base.extend(rest.iter().cloned());
                    base
                }
                _ => {
                    let mut base = f.module.clone();
                    base.extend(p[1..].iter().cloned());
                    base
                }
            };
            if let Some(target) = resolve(&abs)
                && target != me
            {
                edges.insert(target);
            }
        }
        // A module's own submodules, named without `self::` (`use funds::X`).
        for line in f.text.lines() {
            let line = line.trim();
            let Some(rest) = line.strip_prefix("pub mod ").or_else(|| line.strip_prefix("mod ")) else {
                continue;
            };
            let Some(child) = rest.strip_suffix(';') else { continue };
            let target = format!("{me}/{child}");
            let named = f.text.match_indices(&format!("{child}::")).any(|(at, _)| {
                let before = f.text[..at].chars().next_back();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            });
            if named && names.contains(&target) {
                edges.insert(target);
            }
        }
        graph.insert(me, edges);
    }
    graph
}

/// Groups of files that use each other, round a circle (strongly connected
/// components of more than one file), by Tarjan's algorithm.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        on: BTreeSet<&'a str>,
        stack: Vec<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn go<'a>(t: &mut T<'a>, v: &'a str) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                go(t, w);
                let l = t.low[w].min(t.low[v]);
                t.low.insert(v, l);
            } else if t.on.contains(w) {
                let l = t.index[w].min(t.low[v]);
                t.low.insert(v, l);
            }
        }
        if t.low[v] == t.index[v] {
            let mut group = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                group.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                t.out.push(group);
            }
        }
    }
    let mut t = T {
        g: graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        on: BTreeSet::new(),
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            go(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_two_files_use_each_other_round_a_circle() {
    let graph = file_graph();
    let found = circles(&graph);
    let text: Vec<String> = found.iter().map(|g| g.join(", ")).collect();
    assert!(found.is_empty(), "{} groups of files that use each other:\n{}", found.len(), text.join("\n"));
}
