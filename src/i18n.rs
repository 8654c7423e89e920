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
    pub args: Vec<Arg>,
}

/// An argument of a message: text the same in both languages (a number, a
/// name, a path), or a message of its own rendered in the same language
/// (why an operation failed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Msg(Msg),
    /// Text already rendered in each language (by another process).
    Both {
        th: String,
        en: String,
    },
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<Msg> for Arg {
    fn from(m: Msg) -> Self {
        Arg::Msg(m)
    }
}

impl Msg {
    pub fn new(key: Key) -> Self {
        Self { key, args: Vec::new() }
    }

    pub fn with<A: Into<Arg>>(key: Key, args: impl IntoIterator<Item = A>) -> Self {
        Self { key, args: args.into_iter().map(Into::into).collect() }
    }

    pub fn render(&self, lang: Lang) -> String {
        let texts: Vec<String> = self
            .args
            .iter()
            .map(|a| match a {
                // Names, cells and paths come from outside: shown, never obeyed.
                Arg::Text(t) => crate::domain::clean::line(t).into_owned(),
                Arg::Msg(m) => m.render(lang),
                Arg::Both { th, en } => match lang {
                    Lang::Th => th.clone(),
                    Lang::En => en.clone(),
                },
            })
            .collect();
        let args: Vec<&dyn std::fmt::Display> = texts.iter().map(|a| a as &dyn std::fmt::Display).collect();
        trf(lang, self.key, &args)
    }
}

/// Breaks `text` into lines of at most `width` terminal cells: at spaces
/// where it can (Thai messages put spaces between phrases), inside a word
/// only when one word is wider than a line, and never inside a grapheme
/// cluster (a Thai syllable's vowel and tone marks stay on their consonant).
/// A line that starts with spaces (an item of a list) keeps them on each of
/// its lines, as long as they take at most half the width.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_segmentation::UnicodeSegmentation;
    use unicode_width::UnicodeWidthStr;
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let body = para.trim_start_matches(' ');
        let indent = &para[..para.len() - body.len()];
        let (indent, para) =
            if indent.len() * 2 <= width && !body.is_empty() { (indent, body) } else { ("", para) };
        let first = out.len();
        let width = width - indent.len();
        let mut line = String::new();
        let mut line_w = 0;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let w = word.width();
            if line_w > 0 && line_w + 1 + w <= width {
                line.push(' ');
                line.push_str(word);
                line_w += 1 + w;
                continue;
            }
            if line_w > 0 {
                out.push(std::mem::take(&mut line));
                line_w = 0;
            }
            if w <= width {
                line.push_str(word);
                line_w = w;
                continue;
            }
            for g in word.graphemes(true) {
                let gw = g.width();
                if line_w + gw > width && line_w > 0 {
                    out.push(std::mem::take(&mut line));
                    line_w = 0;
                }
                line.push_str(g);
                line_w += gw;
            }
        }
        out.push(line);
        for l in &mut out[first..] {
            l.insert_str(0, indent);
        }
    }
    out
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

    /// Messages go on the one status line or a form's error line (78 cells at
    /// 80×24): each must fit with ten-cell arguments. Messages that wrap (the
    /// command line's, the first-start offer) are exempt.
    #[test]
    fn messages_fit_the_status_line() {
        use unicode_width::UnicodeWidthStr;
        const WRAPS: [Key; 22] = [
            k::TOO_SMALL,
            k::OFFER_TEXT,
            k::ERR_OPEN_LOCKED,
            k::ERR_OPEN_DAMAGED,
            k::ERR_OPEN_NEWER,
            k::ERR_OPEN_FOREIGN,
            k::ERR_OPEN_MIGRATION,
            k::ERR_DEMO_NOT_EMPTY,
            k::ERR_DEMO_NEEDS_GAZETTEER,
            k::ERR_DEMO_GEOGRAPHY_NATION_ONLY,
            k::DEMO_DONE,
            // Written to the SSH client's terminal, or in a wrapping box.
            k::SSH_CRASHED,
            k::SSH_IDLE,
            k::SSH_FULL,
            k::SSH_DISABLED,
            // The question box of the collection day wraps its text.
            k::COLLECT_CONFIRM,
            k::CHECK_HOW,
            k::CHECK_PROBLEMS,
            k::ERR_STORE_DAMAGED,
            // The command line's and the server log's, before any screen.
            k::ERR_OPEN_NOT_STORE,
            k::WARN_PRIVATE,
            k::ERR_BULK_STALE,
        ];
        let mut long = Vec::new();
        for i in 0..k::TH.len() {
            if WRAPS.contains(&Key(i)) {
                continue;
            }
            for lang in [Lang::Th, Lang::En] {
                let text = tr(lang, Key(i)).replace("{}", "0123456789");
                if text.lines().any(|l| l.width() > 78) {
                    long.push(text);
                }
            }
        }
        assert!(long.is_empty(), "too long for 80 columns:\n{}", long.join("\n"));
    }

    #[test]
    fn wrapping_keeps_lines_within_width_and_thai_clusters_whole() {
        use unicode_width::UnicodeWidthStr;
        let text = "ดิสก์เต็มระหว่างบันทึก จึงไม่บันทึกข้อมูลใดเลย ให้เพิ่มพื้นที่ว่างแล้วเปิดโปรแกรมใหม่ /very/long/path/without/any/spaces/that/goes/on/and/on/for/more/than/eighty/columns/store";
        let lines = wrap(text, 40);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| l.width() <= 40), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""), "nothing lost");
        // A line never starts with a combining mark (a vowel or tone mark cut
        // from its consonant).
        assert!(
            lines.iter().all(|l| !l.starts_with(['\u{e34}', '\u{e35}', '\u{e48}', '\u{e49}', '\u{e47}']))
        );
        assert_eq!(wrap("a b\nc", 80), vec!["a b", "c"]);
    }

    /// A message is wrapped, not cut, and a list's lines keep their indent.
    #[test]
    fn a_message_wraps_and_keeps_its_indent() {
        let text = "Cannot read inbox/a-long-name.xlsx: its end is missing.\n  fund_code, national_id, title";
        let lines = wrap(text, 24);
        assert!(lines.iter().all(|l| unicode_width::UnicodeWidthStr::width(l.as_str()) <= 24), "{lines:?}");
        let words = |t: &str| t.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(words(&lines.join(" ")), words(text), "every word, in order");
        let list: Vec<&String> = lines.iter().skip_while(|l| !l.contains("fund_code")).collect();
        assert!(list.len() >= 2 && list.iter().all(|l| l.starts_with("  ")), "{lines:?}");
        // An indent wider than half the line is not kept: the words are.
        assert_eq!(wrap("      abc def", 8), vec!["abc def"]);
        assert_eq!(wrap("  \nx", 8), vec!["", "x"]);
        // Half the width exactly is kept; Thai keeps its clusters whole.
        assert_eq!(wrap("    abcd efgh", 8), vec!["    abcd", "    efgh"]);
        let thai = wrap("  ผู้ใหญ่บ้าน ผู้ช่วย", 12);
        assert_eq!(thai, vec!["  ผู้ใหญ่บ้าน", "  ผู้ช่วย"]);
    }

    #[test]
    fn arguments_fill_placeholders_in_order() {
        assert_eq!(fill("{} of {}", &[&1, &"two"]), "1 of two");
        assert_eq!(fill("no args", &[]), "no args");
        assert_eq!(fill("{} {}", &[&1]), "1 ");
    }
}
