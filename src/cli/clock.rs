//! The day acceptances are judged on: the system clock, or `ATKMAP_TODAY` so that reports and
//! tests can be reproduced on any day. The library takes the date as an input and reads no clock.

use atkmap::model::date::Date;

/// Today in UTC, or the date in `ATKMAP_TODAY` (YYYY-MM-DD).
pub fn today() -> Date {
    if let Some(fixed) = std::env::var("ATKMAP_TODAY")
        .ok()
        .and_then(|s| Date::parse(s.trim()))
    {
        return fixed;
    }
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Date::from_unix_days(seconds.div_euclid(86_400))
}
