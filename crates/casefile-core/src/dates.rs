//! Uncertain dates, stored honestly: a precision (exact time, day, month, year, unknown), the
//! value(s) as entered at that precision, an optional end of a range, and a time zone.
//!
//! For searching and sorting, every date also gets the local-time bounds it covers (`lo`, `hi`):
//! "March 2022" covers 2022-03-01T00:00:00 to 2022-03-31T23:59:59. Bounds are in the incident's
//! local time (the zone is kept beside them, not applied), which is what an investigator filters
//! by ("what happened in Mariupol on 16 March").

use crate::error::{Error, Result};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum DatePrecision {
    Exact,
    Day,
    Month,
    Year,
    #[default]
    Unknown,
}

impl std::str::FromStr for DatePrecision {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.trim() {
            "exact" => DatePrecision::Exact,
            "day" => DatePrecision::Day,
            "month" => DatePrecision::Month,
            "year" => DatePrecision::Year,
            "unknown" | "" => DatePrecision::Unknown,
            other => {
                return Err(Error::invalid(
                    "date_precision",
                    format!(
                    "date precision must be exact, day, month, year or unknown, not \"{other}\""
                ),
                ))
            }
        })
    }
}

/// A date as a user gives it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DateInput {
    #[serde(default)]
    pub precision: DatePrecision,
    /// At the precision: `2022-03-09T15:00`, `2022-03-09`, `2022-03`, `2022`.
    #[serde(default)]
    pub from: Option<String>,
    /// The end of a range, at the same precision; empty for a single date.
    #[serde(default)]
    pub to: Option<String>,
    /// An IANA zone (`Europe/Kyiv`), `UTC`, or an offset (`+02:00`).
    #[serde(default)]
    pub timezone: Option<String>,
}

/// A checked date with its bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedDate {
    pub precision: DatePrecision,
    pub from: Option<String>,
    pub to: Option<String>,
    pub lo: Option<String>,
    pub hi: Option<String>,
    pub timezone: Option<String>,
}

const FMT: &str = "%Y-%m-%dT%H:%M:%S";

fn bad(field: &'static str, value: &str, expected: &str) -> Error {
    Error::invalid(
        field,
        format!("\"{value}\" is not a valid date here: expected {expected}"),
    )
}

/// The first and last years any date in Casefile may have. Wider than any investigation needs
/// (a birth date, an archive photo), narrow enough to catch a slip like `0000-01-01`.
pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2100;

/// Refuses a date (`value`, as typed) whose year is outside [`MIN_YEAR`]..=[`MAX_YEAR`].
pub fn check_year(field: &'static str, value: &str, year: i32) -> Result<()> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("{value} is outside the years Casefile accepts ({MIN_YEAR}–{MAX_YEAR})"),
        ))
    }
}

/// Parses one value at `precision`; returns (normalised text, lo, hi).
fn parse_one(
    field: &'static str,
    p: DatePrecision,
    v: &str,
) -> Result<(String, NaiveDateTime, NaiveDateTime)> {
    let v = v.trim();
    let end_of_day = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default();
    match p {
        DatePrecision::Exact => {
            let t = v.replace(' ', "T");
            let dt = NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S")
                .or_else(|_| NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M"))
                .map_err(|_| bad(field, v, "a date and time like 2022-03-09T15:00"))?;
            check_year(field, v, dt.year())?;
            Ok((dt.format("%Y-%m-%dT%H:%M").to_string(), dt, dt))
        }
        DatePrecision::Day => {
            let d = NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| bad(field, v, "a day like 2022-03-09"))?;
            check_year(field, v, d.year())?;
            Ok((
                d.format("%Y-%m-%d").to_string(),
                d.and_time(NaiveTime::MIN),
                d.and_time(end_of_day),
            ))
        }
        DatePrecision::Month => {
            let d = NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d")
                .map_err(|_| bad(field, v, "a month like 2022-03"))?;
            check_year(field, v, d.year())?;
            let next = if d.month() == 12 {
                NaiveDate::from_ymd_opt(d.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(d.year(), d.month() + 1, 1)
            }
            .ok_or_else(|| bad(field, v, "a month like 2022-03"))?;
            let last = next.pred_opt().unwrap_or(d);
            Ok((
                d.format("%Y-%m").to_string(),
                d.and_time(NaiveTime::MIN),
                last.and_time(end_of_day),
            ))
        }
        DatePrecision::Year => {
            let y: i32 = v.parse().map_err(|_| bad(field, v, "a year like 2022"))?;
            check_year(field, v, y)?;
            let first = NaiveDate::from_ymd_opt(y, 1, 1)
                .ok_or_else(|| bad(field, v, "a year like 2022"))?;
            let last = NaiveDate::from_ymd_opt(y, 12, 31)
                .ok_or_else(|| bad(field, v, "a year like 2022"))?;
            Ok((
                format!("{y:04}"),
                first.and_time(NaiveTime::MIN),
                last.and_time(end_of_day),
            ))
        }
        DatePrecision::Unknown => Err(bad(field, v, "no value when the date is unknown")),
    }
}

fn check_timezone(tz: &str) -> Result<()> {
    let ok_offset = |s: &str| {
        let b = s.as_bytes();
        b.len() == 6
            && (b[0] == b'+' || b[0] == b'-')
            && b[1..3].iter().all(u8::is_ascii_digit)
            && b[3] == b':'
            && b[4..6].iter().all(u8::is_ascii_digit)
            && s[1..3].parse::<u8>().map(|h| h <= 14).unwrap_or(false)
            && s[4..6].parse::<u8>().map(|m| m < 60).unwrap_or(false)
    };
    // A name must be in the IANA time zone database (as shipped in chrono-tz), old names such as
    // Europe/Kiev included: a zone that does not exist cannot place a time.
    let ok_iana = |s: &str| s.parse::<chrono_tz::Tz>().is_ok();
    if tz == "UTC" || ok_offset(tz) || ok_iana(tz) {
        Ok(())
    } else {
        Err(Error::invalid("timezone", format!("\"{tz}\" is not a time zone: use a name like Europe/Kyiv, UTC, or an offset like +02:00")))
    }
}

/// Checks a date input and computes its bounds.
pub fn check(input: &DateInput) -> Result<CheckedDate> {
    let p = input.precision;
    let from = input
        .from
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let to = input.to.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let timezone = input
        .timezone
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from);
    if let Some(tz) = &timezone {
        check_timezone(tz)?;
    }
    if p == DatePrecision::Unknown {
        if from.is_some() || to.is_some() {
            return Err(Error::invalid(
                "date_from",
                "the date is marked unknown; choose a precision to enter a date",
            ));
        }
        return Ok(CheckedDate {
            precision: p,
            from: None,
            to: None,
            lo: None,
            hi: None,
            timezone,
        });
    }
    let from =
        from.ok_or_else(|| Error::invalid("date_from", "enter the date, or mark it unknown"))?;
    let (from_s, lo, hi1) = parse_one("date_from", p, from)?;
    let (to_s, hi) = match to {
        Some(t) => {
            let (t_s, lo2, hi2) = parse_one("date_to", p, t)?;
            if lo2 < lo {
                return Err(Error::invalid(
                    "date_to",
                    "the end of the range is before its start",
                ));
            }
            (Some(t_s), hi2)
        }
        None => (None, hi1),
    };
    Ok(CheckedDate {
        precision: p,
        from: Some(from_s),
        to: to_s,
        lo: Some(lo.format(FMT).to_string()),
        hi: Some(hi.format(FMT).to_string()),
        timezone,
    })
}

/// Checks a plain calendar day (`YYYY-MM-DD`), e.g. an interview date.
pub fn check_day(field: &'static str, v: &str) -> Result<Option<String>> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| bad(field, v, "a day like 2022-03-23"))?;
    check_year(field, v, d.year())?;
    Ok(Some(d.format("%Y-%m-%d").to_string()))
}

/// Checks a date known only as precisely as it is known: empty, a year (`1985`), a month
/// (`1985-07`) or a real calendar day (`1985-07-14`), e.g. a date of birth.
pub fn check_partial(field: &'static str, v: &str) -> Result<String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(String::new());
    }
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let precision = match b.len() {
        4 if digits(0..4) => DatePrecision::Year,
        7 if digits(0..4) && b[4] == b'-' && digits(5..7) => DatePrecision::Month,
        10 if digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10) => {
            DatePrecision::Day
        }
        _ => {
            return Err(bad(
                field,
                v,
                "a year (1985), a month (1985-07) or a day (1985-07-14)",
            ))
        }
    };
    parse_one(field, precision, v).map(|(text, _, _)| text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(p: DatePrecision, from: &str, to: Option<&str>) -> Result<CheckedDate> {
        check(&DateInput {
            precision: p,
            from: Some(from.into()),
            to: to.map(Into::into),
            timezone: None,
        })
    }

    #[test]
    fn a_month_covers_every_day_of_it() {
        let c = d(DatePrecision::Month, "2022-02", None).unwrap();
        assert_eq!(c.lo.as_deref(), Some("2022-02-01T00:00:00"));
        assert_eq!(
            c.hi.as_deref(),
            Some("2022-02-28T23:59:59"),
            "February 2022 has 28 days"
        );
        let c = d(DatePrecision::Month, "2022-12", None).unwrap();
        assert_eq!(c.hi.as_deref(), Some("2022-12-31T23:59:59"));
    }

    #[test]
    fn ranges_and_bad_values() {
        let c = d(DatePrecision::Day, "2022-03-09", Some("2022-03-16")).unwrap();
        assert_eq!(
            (c.lo.unwrap(), c.hi.unwrap()),
            ("2022-03-09T00:00:00".into(), "2022-03-16T23:59:59".into())
        );
        assert_eq!(
            d(DatePrecision::Day, "2022-02-30", None)
                .unwrap_err()
                .field(),
            Some("date_from")
        );
        assert_eq!(
            d(DatePrecision::Day, "2022-03-16", Some("2022-03-09"))
                .unwrap_err()
                .field(),
            Some("date_to")
        );
        assert_eq!(
            d(DatePrecision::Exact, "2022-03-09 15:00", None)
                .unwrap()
                .from
                .as_deref(),
            Some("2022-03-09T15:00")
        );
        assert!(d(DatePrecision::Year, "20x2", None).is_err());
        let tz = |t: &str| {
            check(&DateInput {
                precision: DatePrecision::Unknown,
                timezone: Some(t.into()),
                ..Default::default()
            })
        };
        assert!(tz("Europe/Kyiv").is_ok() && tz("+02:00").is_ok() && tz("UTC").is_ok());
        assert_eq!(tz("<script>").unwrap_err().field(), Some("timezone"));
        assert_eq!(tz("+25:00").unwrap_err().field(), Some("timezone"));
    }
}
