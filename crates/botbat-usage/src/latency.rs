//! Latency histograms that rollups can merge without reading them.
//!
//! Percentiles cannot be added up, so each rollup row keeps a histogram of its latencies:
//! 64 buckets on a log scale (the first below 250 µs, each next one 20 % wider, the last
//! open-ended at about 24 s), so a percentile read from it is within ±10 % of the exact one.
//!
//! The encoding is a list of `(bucket, count)` pairs in which a bucket may repeat, and the
//! counts of repeats add up. Concatenating two encodings therefore merges them, which lets a
//! rollup row be updated in SQL (`histogram = histogram || excluded.histogram`) with no read
//! before the write. [`compact`] folds repeats away when a row has grown long. Bucket bytes
//! are stored one up (1 to 64), so no encoded byte is ever 0 and SQLite's text concatenation
//! cannot cut an encoding short.

/// Buckets in a histogram.
pub const BUCKETS: usize = 64;
const FIRST_US: f64 = 250.0;
const GROWTH: f64 = 1.2;

/// A decoded histogram: a count per bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram(pub [u64; BUCKETS]);

impl Default for Histogram {
    fn default() -> Self {
        Histogram([0; BUCKETS])
    }
}

/// The bucket a latency falls in.
pub fn bucket_of(latency_us: i64) -> usize {
    if (latency_us as f64) < FIRST_US {
        return 0;
    }
    let index = 1.0 + ((latency_us as f64) / FIRST_US).ln() / GROWTH.ln();
    (index.floor() as usize).min(BUCKETS - 1)
}

/// The value a bucket stands for, in milliseconds: the geometric middle of its bounds.
pub fn bucket_value_ms(bucket: usize) -> f64 {
    if bucket == 0 {
        return FIRST_US / 2.0 / 1000.0;
    }
    FIRST_US * GROWTH.powf(bucket as f64 - 0.5) / 1000.0
}

impl Histogram {
    pub fn add(&mut self, latency_us: i64) {
        self.0[bucket_of(latency_us)] += 1;
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }

    pub fn count(&self) -> u64 {
        self.0.iter().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// The latency (ms) below which a fraction `q` (0 to 1) of the requests fall: the value
    /// of the bucket holding the request of rank ⌈q·n⌉. `None` for an empty histogram.
    pub fn percentile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (bucket, count) in self.0.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Some(bucket_value_ms(bucket));
            }
        }
        Some(bucket_value_ms(BUCKETS - 1))
    }

    /// The concatenable encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (bucket, count) in self.0.iter().enumerate() {
            if *count > 0 {
                out.push(bucket as u8 + 1);
                write_varint(&mut out, *count);
            }
        }
        out
    }

    /// Decodes (and so merges) an encoding, repeats included. Bytes that do not form a
    /// pair are ignored rather than failing a chart.
    pub fn decode(bytes: &[u8]) -> Histogram {
        let mut histogram = Histogram::default();
        histogram.add_encoded(bytes);
        histogram
    }

    pub fn add_encoded(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            let bucket = (bytes[i] as usize).wrapping_sub(1);
            i += 1;
            let Some((count, used)) = read_varint(&bytes[i..]) else {
                return;
            };
            i += used;
            if bucket < BUCKETS {
                self.0[bucket] += count;
            }
        }
    }
}

/// Re-encodes a merged histogram without repeats.
pub fn compact(bytes: &[u8]) -> Vec<u8> {
    Histogram::decode(bytes).encode()
}

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn read_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenated_encodings_merge() {
        let mut a = Histogram::default();
        let mut b = Histogram::default();
        for l in [100, 900, 900, 40_000, 5_000_000] {
            a.add(l);
        }
        for l in [900, 200_000, 200_000, 200_000] {
            b.add(l);
        }
        let mut joined = a.encode();
        joined.extend(b.encode());
        let mut merged = a.clone();
        merged.merge(&b);
        assert_eq!(Histogram::decode(&joined), merged);
        assert_eq!(compact(&joined), merged.encode());
        assert_eq!(merged.count(), 9);
    }

    #[test]
    fn percentiles_are_within_ten_percent() {
        let mut h = Histogram::default();
        let latencies: Vec<i64> = (1..=1000).map(|i| i * 1000).collect();
        for l in &latencies {
            h.add(*l);
        }
        for (q, exact_ms) in [(0.5, 500.0), (0.95, 950.0), (0.99, 990.0)] {
            let got = h.percentile(q).expect("not empty");
            assert!(
                (got - exact_ms).abs() / exact_ms <= 0.1,
                "p{q}: {got} vs {exact_ms}"
            );
        }
        assert_eq!(Histogram::default().percentile(0.5), None);
    }

    #[test]
    fn buckets_cover_the_range_monotonically() {
        let mut last = 0;
        for l in [
            0,
            249,
            250,
            300,
            1_000,
            10_000,
            1_000_000,
            30_000_000,
            i64::MAX / 2,
        ] {
            let b = bucket_of(l);
            assert!(b >= last && b < BUCKETS);
            last = b;
        }
        assert_eq!(bucket_of(30_000_000), BUCKETS - 1);
        let big = 1u64 << 40;
        let mut h = Histogram::default();
        h.0[3] = big;
        assert_eq!(Histogram::decode(&h.encode()).0[3], big);
    }
}
