//! Thai and English text. Every message lives in `assets/strings.tsv`; the build
//! script turns each key into a constant here, so an unknown key does not compile.

use crate::domain::Lang;

/// A message key: an index into the tables generated from `assets/strings.tsv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key(pub(crate) usize);

#[allow(dead_code)]
pub mod k {
    use super::Key;
    include!(concat!(env!("OUT_DIR"), "/strings.rs"));
}

/// The text of `key` in `lang`.
pub fn tr(lang: Lang, key: Key) -> &'static str {
    let table: &[&'static str] = match lang {
        Lang::Th => &k::TH,
        Lang::En => &k::EN,
    };
    table.get(key.0).copied().unwrap_or("?")
}

/// The text of `key` with each `{}` replaced by the next argument.
pub fn trf(lang: Lang, key: Key, args: &[&dyn std::fmt::Display]) -> String {
    fill(tr(lang, key), args)
}

fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    let mut args = args.iter();
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// A message with its arguments, rendered in the officer's language at draw time
/// (so pressing `L` re-renders messages already on screen).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub key: Key,
    pub args: Vec<String>,
}

impl Msg {
    pub fn new(key: Key) -> Self {
        Self { key, args: Vec::new() }
    }

    pub fn with(key: Key, args: impl IntoIterator<Item = String>) -> Self {
        Self { key, args: args.into_iter().collect() }
    }

    pub fn render(&self, lang: Lang) -> String {
        let args: Vec<&dyn std::fmt::Display> =
            self.args.iter().map(|a| a as &dyn std::fmt::Display).collect();
        trf(lang, self.key, &args)
    }
}

impl From<Key> for Msg {
    fn from(key: Key) -> Self {
        Msg::new(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_key() {
        assert_eq!(k::TH.len(), k::EN.len());
        assert!(k::TH.iter().chain(k::EN.iter()).all(|s| !s.is_empty()));
    }

    #[test]
    fn arguments_fill_placeholders_in_order() {
        assert_eq!(fill("{} of {}", &[&1, &"two"]), "1 of two");
        assert_eq!(fill("no args", &[]), "no args");
        assert_eq!(fill("{} {}", &[&1]), "1 ");
    }
}
