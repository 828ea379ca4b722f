//! Calendar dates as the policy language writes them: `YYYY-MM-DD`, nothing else. One format
//! description for reading, writing and the IR's JSON, so every stage agrees on it.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::Date;

/// `YYYY-MM-DD`: a four-digit year, zero-padded month and day.
const ISO: &[BorrowedFormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// The date written `YYYY-MM-DD`, if it is one (a real calendar date, four-digit year).
pub fn parse(text: &str) -> Option<Date> {
    Date::parse(text, ISO).ok().filter(|_| text.len() == 10)
}

/// `date` as `YYYY-MM-DD`.
pub fn format(date: Date) -> String {
    date.format(ISO)
        .expect("a four-digit year formats as YYYY-MM-DD")
}

// Serde for dates in the IR's JSON, as `YYYY-MM-DD` (`#[serde(with = "date::iso")]`).
time::serde::format_description!(pub iso, Date, ISO);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_calendar_dates_only() {
        let date = parse("2027-03-31").unwrap();
        assert_eq!(format(date), "2027-03-31");
        for bad in [
            "2027-02-30",
            "2027-3-31",
            "27-03-31",
            "+2027-03-31",
            "2027-03-31 ",
            "2027/03/31",
            "20270331",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
