//! Text as Casefile compares and indexes it: folding (case, `ё`/`е`, apostrophes, Latin
//! diacritics), the words of a text, a light stemmer for Ukrainian and Russian (Snowball for
//! English), and the sort order of names and titles. Pure functions; `store::fts` hands them to
//! SQLite (the search tokenizer, the `casefold` function, the `casefile` collation).
//!
//! Why not SQLite's own: `lower()`, `LIKE` and `NOCASE` fold ASCII only (so "харків" missed
//! "Харків"), and `unicode61` splits "зв’язок" at the apostrophe and knows no word forms.
//!
//! The stemmer strips one case or adjective ending from a Cyrillic word (Ukrainian and Russian
//! endings alike, longest first), keeping at least three letters: "школа", "школи", "школу",
//! "школі", "школе", "школою" all become "школ". One stemmer for both languages, so a word
//! written the same in both (most nouns) is treated the same whichever language a text is in.
//! It does not undo stem changes ("рука"/"руці", "будинок"/"будинку", "Київ"/"Києва"): a
//! prefix search (`будин*`) finds those.

use std::cmp::Ordering;
use std::sync::OnceLock;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Apostrophes written inside Ukrainian words (and English ones): ASCII, right single quotation
/// mark, modifier letter apostrophe, left quotation mark and grave accent typed instead.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{2018}' | '`')
}

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{052F}').contains(&c)
}

/// Case-folds `s` for substring filters: lower case, `ё` as `е`, every apostrophe as `'`.
/// Letters stay otherwise as they are (so filtering by "й" never finds "и").
pub fn casefold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_apostrophe(c) {
            out.push('\'');
            continue;
        }
        for l in c.to_lowercase() {
            out.push(if l == 'ё' { 'е' } else { l });
        }
    }
    out
}

/// A word as the search index holds it: lower case, `ё` as `е`, no apostrophes ("зв’язок" →
/// "звязок"), and Latin (not Cyrillic) letters without diacritics ("École" → "ecole"; "й", "ї"
/// stay).
pub fn fold_word(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    if raw.is_ascii() {
        for c in raw.chars() {
            if c != '\'' && c != '`' {
                out.push(c.to_ascii_lowercase());
            }
        }
        return out;
    }
    for c in raw.nfc() {
        if is_apostrophe(c) {
            continue;
        }
        for l in c.to_lowercase() {
            if is_cyrillic(l) {
                out.push(if l == 'ё' { 'е' } else { l });
            } else if l.is_ascii() {
                out.push(l);
            } else {
                out.extend(std::iter::once(l).nfd().filter(|d| !is_combining_mark(*d)));
            }
        }
    }
    out
}

/// The words of `text` with their byte ranges: runs of letters, digits and combining marks,
/// joined across an apostrophe between two Cyrillic letters ("зв’язок" is one word; "l'hôpital"
/// and "don't" stay two, as before). Invalid UTF-8 separates words.
pub fn words(text: &[u8], mut f: impl FnMut(&str, usize, usize) -> bool) -> bool {
    let mut base = 0usize;
    for chunk in text.utf8_chunks() {
        let s = chunk.valid();
        let mut start: Option<usize> = None;
        let mut it = s.char_indices().peekable();
        let mut prev = ' ';
        while let Some((i, c)) = it.next() {
            let word_char = c.is_alphanumeric() || (start.is_some() && is_combining_mark(c));
            let inner_apostrophe = start.is_some()
                && is_apostrophe(c)
                && is_cyrillic(prev)
                && it.peek().is_some_and(|(_, n)| is_cyrillic(*n));
            prev = c;
            if word_char || inner_apostrophe {
                if start.is_none() {
                    start = Some(i);
                }
            } else if let Some(st) = start.take() {
                if !f(&s[st..i], base + st, base + i) {
                    return false;
                }
            }
        }
        if let Some(st) = start {
            if !f(&s[st..], base + st, base + s.len()) {
                return false;
            }
        }
        base += s.len() + chunk.invalid().len();
    }
    true
}

/// Case and adjective endings of Ukrainian and Russian nouns and adjectives, after folding.
/// Longest first; the first that leaves at least [`MIN_STEM`] letters is stripped.
const ENDINGS: &[&str] = &[
    // 4 letters
    "іями", "иями", "ьями", // 3 letters
    "ами", "ями", "ові", "еві", "єві", "ого", "ому", "его", "ему", "ими", "іми", "ыми", "ією",
    "ией", "іях", "иях", "іям", "иям", "ьях", "ьям", "ьев", // 2 letters
    "ам", "ям", "ах", "ях", "ом", "ем", "єм", "ою", "ею", "єю", "ій", "ий", "ой", "ый", "ей", "ої",
    "ую", "юю", "ая", "яя", "ое", "ее", "ые", "ие", "ых", "их", "іх", "ым", "им", "ім", "ів", "їв",
    "ов", "ев", "ія", "ії", "ію", "ия", "ии", "ию", "ья", "ье", "ьи", "ью", // 1 letter
    "а", "я", "о", "е", "є", "у", "ю", "і", "ї", "и", "ы", "ь",
];
const MIN_STEM: usize = 3;

fn stem_cyrillic(w: &str) -> &str {
    let n = w.chars().count();
    for e in ENDINGS {
        if let Some(stem) = w.strip_suffix(e) {
            if n - e.chars().count() >= MIN_STEM {
                return stem;
            }
        }
    }
    w
}

fn english() -> &'static rust_stemmers::Stemmer {
    static S: OnceLock<rust_stemmers::Stemmer> = OnceLock::new();
    S.get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English))
}

/// The stem of a folded word (see [`fold_word`]): Cyrillic words by the light stemmer above,
/// words of Latin letters by Snowball English; anything with a digit stays whole.
pub fn stem(folded: &str) -> std::borrow::Cow<'_, str> {
    if folded.chars().any(is_cyrillic) {
        std::borrow::Cow::Borrowed(stem_cyrillic(folded))
    } else if folded.len() > 3 && folded.bytes().all(|b| b.is_ascii_lowercase()) {
        english().stem(folded)
    } else {
        std::borrow::Cow::Borrowed(folded)
    }
}

/// Ukrainian and Russian letters in one alphabetical order: each language's letters keep their
/// own order (ґ after г, є after е, і ї й after и; ъ ы э where Russian has them).
const CYRILLIC_ORDER: &str = "абвгґдеёєжзиіїйклмнопрстуўфхцчшщъыьэюя";

/// Where a character sorts, case and (Latin) diacritics aside: punctuation, digits, Latin
/// letters, Cyrillic letters in [`CYRILLIC_ORDER`], then everything else by code point.
fn weight(c: char) -> u32 {
    if c.is_ascii_digit() {
        return 0x100 + c as u32;
    }
    if c.is_ascii_lowercase() {
        return 0x200 + c as u32;
    }
    if let Some(i) = CYRILLIC_ORDER.chars().position(|x| x == c) {
        return 0x300 + i as u32;
    }
    if c.is_ascii() {
        return c as u32;
    }
    0x10000 + c as u32
}

fn sort_key(s: &str) -> impl Iterator<Item = u32> + '_ {
    s.chars()
        .filter(|c| !is_apostrophe(*c))
        .flat_map(char::to_lowercase)
        .map(|c| {
            let base = if c.is_ascii() || is_cyrillic(c) {
                c
            } else {
                std::iter::once(c).nfd().next().unwrap_or(c)
            };
            weight(base)
        })
}

/// The order of names and titles (the `casefile` collation): letters before case, Ukrainian
/// and Russian alphabetical order, Latin before Cyrillic; ties broken by case (capitals first),
/// then by bytes, so the order is total and stable.
pub fn compare(a: &str, b: &str) -> Ordering {
    sort_key(a)
        .cmp(sort_key(b))
        .then_with(|| casefold(a).cmp(&casefold(b)))
        .then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_words(s: &str) -> Vec<String> {
        let mut v = Vec::new();
        words(s.as_bytes(), |w, a, b| {
            assert_eq!(&s[a..b], w);
            v.push(fold_word(w));
            true
        });
        v
    }

    #[test]
    fn words_are_split_and_folded() {
        assert_eq!(
            all_words("Зв’язок з В'язівкою, ЁЛКА École 2022-017 мʼята 'цитата' l'hôpital"),
            [
                "звязок",
                "з",
                "вязівкою",
                "елка",
                "ecole",
                "2022",
                "017",
                "мята",
                "цитата",
                "l",
                "hopital"
            ]
        );
        assert_eq!(all_words("Київ йорж Їжак"), ["київ", "йорж", "їжак"]);
    }

    #[test]
    fn stems_of_word_forms_agree() {
        let s = |w: &str| stem(&fold_word(w)).into_owned();
        for (a, b) in [
            ("школа", "школи"),
            ("школа", "школу"),
            ("школа", "школі"),
            ("школа", "школе"),
            ("школа", "школою"),
            ("школа", "школами"),
            ("підвал", "підвалі"),
            ("мир", "миру"),
            ("Харківська", "харківської"),
            ("харьковская", "Харьковской"),
            ("станція", "станції"),
            ("станция", "станцией"),
            ("hospital", "hospitals"),
        ] {
            assert_eq!(s(a), s(b), "{a} / {b}");
        }
        assert_ne!(s("мир"), s("мирний"));
        assert_eq!(s("на"), "на");
        assert_eq!(s("rare12"), "rare12");
    }

    #[test]
    fn sorting_follows_the_alphabets() {
        let mut v = vec![
            "Їжак",
            "ґанок",
            "Яблуко",
            "ігор",
            "Гай",
            "єва",
            "Ева",
            "apple",
            "Zebra",
            "10",
        ];
        v.sort_by(|a, b| compare(a, b));
        assert_eq!(
            v,
            [
                "10",
                "apple",
                "Zebra",
                "Гай",
                "ґанок",
                "Ева",
                "єва",
                "ігор",
                "Їжак",
                "Яблуко"
            ]
        );
        assert_eq!(compare("харків", "Харків"), Ordering::Greater);
        assert_eq!(compare("Харків", "харків"), Ordering::Less);
    }
}
