//! Dates in each language's own order and month names (Fluent has no date formatting of its own
//! in Rust); the patterns and the names are in the translation files.

use crate::Tr;
use vmportal_core::{Msg, Timestamp, msg};

fn month(t: Timestamp) -> Msg {
    use time::Month::*;
    match t.month() {
        January => msg("month-1"),
        February => msg("month-2"),
        March => msg("month-3"),
        April => msg("month-4"),
        May => msg("month-5"),
        June => msg("month-6"),
        July => msg("month-7"),
        August => msg("month-8"),
        September => msg("month-9"),
        October => msg("month-10"),
        November => msg("month-11"),
        December => msg("month-12"),
    }
}

fn date_msg(t: Timestamp) -> Msg {
    // The year as text: a number would be written with a thousands separator in some languages.
    msg("date")
        .arg("day", u32::from(t.day()))
        .arg("month", month(t))
        .arg("year", t.year().to_string())
}

pub fn date(tr: &Tr, t: Timestamp) -> String {
    tr.msg(date_msg(t))
}

pub fn datetime(tr: &Tr, t: Timestamp) -> String {
    tr.msg(
        msg("datetime")
            .arg("date", date_msg(t))
            .arg("time", format!("{:02}:{:02}", t.hour(), t.minute())),
    )
}
