//! Time is passed in: the library asks its clock, so tests can fix or step it.

use chrono::{DateTime, SecondsFormat, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock for tests: starts at a given instant and advances one millisecond per reading,
/// so successive writes get distinct, ordered timestamps.
pub struct TestClock {
    millis: AtomicI64,
}

impl TestClock {
    pub fn new(start: DateTime<Utc>) -> Arc<TestClock> {
        Arc::new(TestClock {
            millis: AtomicI64::new(start.timestamp_millis()),
        })
    }

    pub fn advance_secs(&self, secs: i64) {
        self.millis.fetch_add(secs * 1000, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        let ms = self.millis.fetch_add(1, Ordering::SeqCst);
        DateTime::from_timestamp_millis(ms).unwrap_or_default()
    }
}

/// The one timestamp format stored everywhere: UTC RFC 3339 with milliseconds and `Z`.
pub fn format_ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
