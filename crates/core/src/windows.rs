//! What Windows guests need beyond a Linux one: a computer name that fits NetBIOS, and for each
//! locale a template may set, the home location and keyboard Windows' locale commands take.

use crate::{Lang, names::Hostname, template::OsFamily};

/// Windows keeps only the first 15 characters of a computer name (the NetBIOS limit), and so
/// does cloudbase-init: a longer name would silently become another one.
pub const MAX_COMPUTER_NAME: usize = 15;

/// The computer name of a Windows guest: the machine's name, which requests for Windows
/// templates keep within [`MAX_COMPUTER_NAME`]; a longer one (asked for before the rule) is cut
/// as Windows would cut it, without a trailing hyphen.
pub fn computer_name(name: &Hostname) -> &str {
    let s = name.as_str();
    s[..s.len().min(MAX_COMPUTER_NAME)].trim_end_matches('-')
}

/// A locale as Windows sets it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowsLocale {
    pub tag: &'static str,
    /// The home location (`Set-WinHomeLocation -GeoId`), from Microsoft's table of geographical
    /// locations.
    pub geo_id: u32,
    /// The keyboard, as an input method tip `LANGID:KLID` (`fr-FR`: French AZERTY).
    pub keyboard: &'static str,
}

const fn l(tag: &'static str, geo_id: u32, keyboard: &'static str) -> WindowsLocale {
    WindowsLocale {
        tag,
        geo_id,
        keyboard,
    }
}

/// The locales a Windows template may name: those of the portal's languages and their regions.
pub const LOCALES: &[WindowsLocale] = &[
    l("en-US", 244, "0409:00000409"),
    l("en-GB", 242, "0809:00000809"),
    l("fr-FR", 84, "040C:0000040C"),
    l("fr-BE", 21, "080C:0000080C"),
    l("fr-CH", 223, "100C:0000100C"),
    l("de-DE", 94, "0407:00000407"),
    l("de-AT", 14, "0C07:00000407"),
    l("de-CH", 223, "0807:00000807"),
    l("it-IT", 118, "0410:00000410"),
];

pub fn locale(tag: &str) -> Option<&'static WindowsLocale> {
    LOCALES.iter().find(|l| l.tag == tag)
}

/// The locale of a guest: the template's when it fixes one; for a Windows guest, else its owner's
/// language in that language's home region (an Italian speaker gets it-IT and its keyboard);
/// otherwise none (the image's own).
pub fn guest_locale(os: OsFamily, template: Option<&str>, owner: Option<Lang>) -> Option<String> {
    if let Some(tag) = template {
        return Some(tag.to_owned());
    }
    let tag = match (os, owner?) {
        (OsFamily::Windows, Lang::En) => "en-US",
        (OsFamily::Windows, Lang::It) => "it-IT",
        (OsFamily::Windows, Lang::Fr) => "fr-FR",
        (OsFamily::Windows, Lang::De) => "de-DE",
        _ => return None,
    };
    Some(tag.to_owned())
}

/// The tags of [`LOCALES`], for a validation message.
pub fn locale_tags() -> String {
    LOCALES.iter().map(|l| l.tag).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computer_names_keep_15_characters_without_a_trailing_hyphen() {
        let name = |s| Hostname::parse("name", s).unwrap();
        assert_eq!(computer_name(&name("lab-1")), "lab-1");
        assert_eq!(computer_name(&name("abcdefghijklmno")), "abcdefghijklmno");
        assert_eq!(
            computer_name(&name("lab-machine-for-maria")),
            "lab-machine-for"
        );
        assert_eq!(
            computer_name(&name("lab-machine-fo-maria")),
            "lab-machine-fo"
        );
    }

    #[test]
    fn each_locale_has_its_own_home_location() {
        assert_eq!(locale("fr-FR").unwrap().geo_id, 84);
        assert_eq!(locale("en-US").unwrap().geo_id, 244);
        assert_eq!(locale("de-DE").unwrap().geo_id, 94);
        assert_eq!(locale("it-IT").unwrap().geo_id, 118);
        assert_eq!(locale("fr-FR").unwrap().keyboard, "040C:0000040C");
        assert!(locale("xx-YY").is_none());
        for l in LOCALES {
            assert_eq!(locale(l.tag), Some(l), "{} listed once", l.tag);
        }
    }

    #[test]
    fn a_windows_guest_speaks_its_owners_language_unless_the_template_says() {
        let win = OsFamily::Windows;
        assert_eq!(
            guest_locale(win, None, Some(Lang::Fr)).as_deref(),
            Some("fr-FR")
        );
        assert_eq!(
            guest_locale(win, None, Some(Lang::It)).as_deref(),
            Some("it-IT")
        );
        assert_eq!(
            guest_locale(win, Some("de-CH"), Some(Lang::Fr)).as_deref(),
            Some("de-CH")
        );
        assert_eq!(guest_locale(win, None, None), None);
        assert_eq!(guest_locale(OsFamily::Linux, None, Some(Lang::De)), None);
        for lang in Lang::ALL {
            let tag = guest_locale(win, None, Some(lang)).unwrap();
            assert!(
                locale(&tag).is_some(),
                "{tag} is a locale Windows guests take"
            );
        }
    }
}
