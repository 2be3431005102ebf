//! The file name suggested for a case's bundle. A reference code like "ХПГ-ХАР-2022-017" keeps
//! its Cyrillic letters (every system Casefile runs on takes them in file names); only what a
//! file name cannot hold on Linux, Windows or macOS goes. Where ASCII is needed, Ukrainian is
//! transliterated by the national standard (Cabinet of Ministers of Ukraine resolution No. 55 of
//! 27 January 2010).

use crate::error::Result;
use crate::store::library::Library;

/// The most characters a suggested name has (before its extension).
const MAX_CHARS: usize = 80;

/// Names Windows reserves for devices, whatever the extension.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A file name (without extension) made from `text` (a case's reference code or title): letters
/// of any script, digits and punctuation kept; path separators, control characters and the
/// characters Windows forbids (`< > : " / \ | ? *`) each run replaced by `_`; white space
/// collapsed; dots, spaces and underscores trimmed from both ends; at most 80 characters; never a name
/// Windows reserves; `casefile-bundle` when nothing is left.
pub fn export_file_stem(text: &str) -> String {
    let mut out = String::new();
    let mut replaced = false;
    let mut space = false;
    for c in text.chars() {
        if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*') {
            if !replaced {
                out.push('_');
            }
            replaced = true;
            space = false;
        } else if c.is_whitespace() {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
            replaced = false;
        } else {
            out.push(c);
            replaced = false;
            space = false;
        }
    }
    // Dots and spaces at either end (Windows drops them), and the `_` of a character replaced
    // there.
    let trim = |s: &str| {
        s.trim_matches(|c: char| c == '.' || c == ' ' || c == '_')
            .to_string()
    };
    let mut name: String = trim(&out).chars().take(MAX_CHARS).collect();
    name = trim(&name);
    if name.is_empty() {
        return "casefile-bundle".into();
    }
    let base = name.split('.').next().unwrap_or("").trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(base)) {
        name.insert(0, '_');
    }
    name
}

/// [`export_file_stem`] in ASCII: Ukrainian transliterated by the national standard, any other
/// character outside ASCII replaced by `_`.
pub fn export_file_stem_ascii(text: &str) -> String {
    let t: String = transliterate_uk(text)
        .chars()
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect();
    export_file_stem(&t)
}

/// Ukrainian Cyrillic in Latin letters by the national standard (resolution No. 55 of 2010):
/// "Є", "Ї", "Й", "Ю", "Я" are written "Ye", "Yi", "Y", "Yu", "Ya" at the start of a word and
/// "ie", "i", "i", "iu", "ia" elsewhere; "зг" is "zgh"; the soft sign and the apostrophe are
/// dropped. A capital in a word written in capitals gives capitals ("ХАР" → "KHAR"). Other
/// characters are kept as they are.
pub fn transliterate_uk(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let is_apostrophe = |c: char| matches!(c, '\'' | '’' | 'ʼ' | '`');
    let is_letter = |c: char| c.is_alphabetic() || is_apostrophe(c);
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let lower = c.to_lowercase().next().unwrap_or(c);
        let upper = c != lower;
        let initial = i == 0 || !is_letter(chars[i - 1]);
        let prev_lower = (i > 0).then(|| chars[i - 1].to_lowercase().next().unwrap_or(' '));
        let latin: &str = match lower {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' if prev_lower == Some('з') => "gh",
            'г' => "h",
            'ґ' => "g",
            'д' => "d",
            'е' => "e",
            'є' if initial => "ye",
            'є' => "ie",
            'ж' => "zh",
            'з' => "z",
            'и' => "y",
            'і' => "i",
            'ї' if initial => "yi",
            'ї' => "i",
            'й' if initial => "y",
            'й' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ь' => "",
            'ю' if initial => "yu",
            'ю' => "iu",
            'я' if initial => "ya",
            'я' => "ia",
            // Letters of Russian not in Ukrainian, so a Russian name is not left half-written.
            'ё' => "io",
            'ы' => "y",
            'э' => "e",
            'ъ' => "",
            a if is_apostrophe(a) && i > 0 && is_letter(chars[i - 1]) => "",
            _ => {
                out.push(c);
                continue;
            }
        };
        if !upper || latin.is_empty() {
            out.push_str(latin);
            continue;
        }
        // All capitals when the word around the letter is in capitals.
        let neighbour_upper = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|n| n.is_alphabetic() && n.is_uppercase())
        };
        if neighbour_upper(Some(i + 1))
            || (!chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
                && neighbour_upper(i.checked_sub(1)))
        {
            out.push_str(&latin.to_uppercase());
        } else {
            let mut l = latin.chars();
            if let Some(f) = l.next() {
                out.extend(f.to_uppercase());
                out.push_str(l.as_str());
            }
        }
    }
    out
}

impl Library {
    /// The file name (without extension) suggested for exporting a case: its reference code,
    /// or its title when it has none, through [`export_file_stem`].
    pub fn export_file_name(&self, case_id: &str) -> Result<String> {
        let case = self.get_case(case_id)?;
        let text = case
            .reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .unwrap_or(&case.title);
        Ok(export_file_stem(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_cyrillic_and_lose_only_what_a_file_name_cannot_hold() {
        assert_eq!(export_file_stem("ХПГ-ХАР-2022-017"), "ХПГ-ХАР-2022-017");
        assert_eq!(export_file_stem("Зґвалтування/Київ"), "Зґвалтування_Київ");
        assert_eq!(export_file_stem("Щербаківка-Ї"), "Щербаківка-Ї");
        assert_eq!(export_file_stem(" ..a:b*?c\\d\n. "), "a_b_c_d");
        assert_eq!(export_file_stem("con"), "_con");
        assert_eq!(export_file_stem("///"), "casefile-bundle");
        assert_eq!(export_file_stem("a   b"), "a b");
        assert_eq!(export_file_stem(&"я".repeat(300)).chars().count(), 80);
    }

    #[test]
    fn ukrainian_is_transliterated_by_the_national_standard() {
        assert_eq!(transliterate_uk("ХПГ-ХАР-2022-017"), "KHPH-KHAR-2022-017");
        assert_eq!(transliterate_uk("Зґвалтування/Київ"), "Zgvaltuvannia/Kyiv");
        assert_eq!(transliterate_uk("Щербаківка-Ї"), "Shcherbakivka-Yi");
        // Examples of resolution No. 55.
        for (uk, latin) in [
            ("Згорани", "Zghorany"),
            ("Розгон", "Rozghon"),
            ("Єнакієве", "Yenakiieve"),
            ("Гаївка", "Haivka"),
            ("Їжакевич", "Yizhakevych"),
            ("Кадиївка", "Kadyivka"),
            ("Йосипівка", "Yosypivka"),
            ("Стрий", "Stryi"),
            ("Юрій", "Yurii"),
            ("Яготин", "Yahotyn"),
            ("Костянтин", "Kostiantyn"),
            ("Знам’янка", "Znamianka"),
            ("Феодосія", "Feodosiia"),
            ("Щербухи", "Shcherbukhy"),
            ("Русь", "Rus"),
            ("Горбачевський", "Horbachevskyi"),
        ] {
            assert_eq!(transliterate_uk(uk), latin, "{uk}");
        }
        assert_eq!(
            export_file_stem_ascii("ХПГ-ХАР-2022-017"),
            "KHPH-KHAR-2022-017"
        );
        assert_eq!(
            export_file_stem_ascii("Зґвалтування/Київ"),
            "Zgvaltuvannia_Kyiv"
        );
        assert_eq!(export_file_stem_ascii("Щербаківка-Ї"), "Shcherbakivka-Yi");
    }
}
