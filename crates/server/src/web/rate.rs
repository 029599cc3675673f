//! Limits and tallies kept in memory per key (an ingestion source): a token bucket of requests
//! per minute, and the use of a key summed between two audit entries.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Requests per key per minute, with bursts of up to a quarter of a minute's allowance.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Requests that may be made now (a fraction refills between two requests).
    allowance: f64,
    /// When the allowance was counted.
    at: Instant,
}

impl RateLimiter {
    /// A limiter of `per_minute` requests per key (at least one).
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Requests per key per minute.
    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Most requests a key may make at once after a quiet spell.
    fn burst(&self) -> f64 {
        f64::from((self.per_minute / 4).max(1))
    }

    /// Takes one request of `key`: `Ok` when it may go ahead, else `Err` with the whole seconds
    /// to wait before the next one may.
    pub fn take(&self, key: &str) -> Result<(), u64> {
        self.take_at(key, Instant::now())
    }

    fn take_at(&self, key: &str, now: Instant) -> Result<(), u64> {
        let per_second = f64::from(self.per_minute) / 60.0;
        let burst = self.burst();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            allowance: burst,
            at: now,
        });
        let waited = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.allowance = (bucket.allowance + waited * per_second).min(burst);
        bucket.at = now;
        if bucket.allowance >= 1.0 {
            bucket.allowance -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.allowance) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// What a key did since its last audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Usage {
    /// Since when, s since 1970 UTC.
    pub since: i64,
    /// Requests made.
    pub requests: u64,
    /// Items (points) accepted.
    pub accepted: u64,
    /// Items given again and ignored.
    pub duplicates: u64,
}

/// The use of each key, summed and handed out for the audit log on its first use and then at
/// most once per `every_seconds`, so that a source posting every second leaves an entry an hour,
/// not one a request.
#[derive(Debug)]
pub struct UsageLog {
    every_seconds: i64,
    keys: Mutex<HashMap<String, Usage>>,
}

impl UsageLog {
    /// A log handing out a key's usage at most once per `every_seconds`.
    pub fn new(every_seconds: i64) -> UsageLog {
        UsageLog {
            every_seconds,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `key` at `now` (s since 1970 UTC); returns the usage to write to
    /// the audit log, this request included, when an entry is due (and starts counting anew).
    pub fn count(&self, key: &str, now: i64, accepted: u64, duplicates: u64) -> Option<Usage> {
        let mut keys = self
            .keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let first = !keys.contains_key(key);
        let usage = keys.entry(key.to_string()).or_insert(Usage {
            since: now,
            requests: 0,
            accepted: 0,
            duplicates: 0,
        });
        usage.requests += 1;
        usage.accepted += accepted;
        usage.duplicates += duplicates;
        if first || now - usage.since >= self.every_seconds {
            let due = *usage;
            *usage = Usage {
                since: now,
                requests: 0,
                accepted: 0,
                duplicates: 0,
            };
            Some(due)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_key_gets_its_burst_then_waits_and_other_keys_are_free() {
        let limiter = RateLimiter::new(8);
        let start = Instant::now();
        assert_eq!(limiter.take_at("a", start), Ok(()));
        assert_eq!(limiter.take_at("a", start), Ok(()));
        // A burst of 2; the next one comes 60 / 8 = 7.5 s later.
        assert_eq!(limiter.take_at("a", start), Err(8));
        assert_eq!(limiter.take_at("b", start), Ok(()));
        let later = start + Duration::from_millis(7_600);
        assert_eq!(limiter.take_at("a", later), Ok(()));
        assert!(limiter.take_at("a", later).is_err());
    }

    #[test]
    fn usage_is_handed_out_first_then_once_per_period_with_everything_since() {
        let log = UsageLog::new(3600);
        let first = log.count("s", 1000, 10, 0).expect("the first use");
        assert_eq!((first.requests, first.accepted), (1, 10));
        assert_eq!(log.count("s", 1500, 5, 1), None);
        assert_eq!(log.count("s", 2000, 5, 2), None);
        let due = log.count("s", 4600, 1, 0).expect("an hour on");
        assert_eq!(
            due,
            Usage {
                since: 1000,
                requests: 3,
                accepted: 11,
                duplicates: 3
            }
        );
        assert!(log.count("t", 4600, 1, 0).is_some(), "another key");
    }
}
