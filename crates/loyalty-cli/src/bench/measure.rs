//! Rates, latency percentiles and memory.

use std::future::Future;
use std::time::Duration;

/// What one path of the benchmark did.
#[derive(Debug, Clone)]
pub struct Timing {
    pub label: String,
    pub events: usize,
    pub refused: usize,
    pub elapsed: Duration,
    /// Latency of each event in microseconds, sorted; empty where events are too fast to
    /// time one by one.
    pub latencies_us: Vec<u64>,
    /// CPU time this process spent on the path (user and system), to tell the engine's
    /// own cost from time spent waiting for the database.
    pub cpu: Option<Duration>,
}

impl Timing {
    pub fn new(
        label: impl Into<String>,
        elapsed: Duration,
        mut latencies_us: Vec<u64>,
        refused: usize,
    ) -> Timing {
        latencies_us.sort_unstable();
        Timing { label: label.into(), events: latencies_us.len(), refused, elapsed, latencies_us, cpu: None }
    }

    pub fn counted(label: impl Into<String>, events: usize, elapsed: Duration) -> Timing {
        Timing { label: label.into(), events, refused: 0, elapsed, latencies_us: Vec::new(), cpu: None }
    }

    pub fn per_second(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency below which `percent` of events finished.
    pub fn percentile(&self, percent: usize) -> Option<u64> {
        let n = self.latencies_us.len();
        (n > 0).then(|| self.latencies_us[((n * percent).div_ceil(100)).clamp(1, n) - 1])
    }

    /// CPU microseconds this process spent per event.
    pub fn cpu_per_event_us(&self) -> Option<f64> {
        self.cpu.map(|cpu| cpu.as_secs_f64() * 1e6 / self.events.max(1) as f64)
    }

    /// Mean time per event, for paths too fast to time event by event.
    pub fn mean_ns(&self) -> f64 {
        self.elapsed.as_nanos() as f64 / self.events.max(1) as f64
    }
}

/// CPU time this process has used so far (user and system), from the kernel's count in
/// clock ticks of 10 ms; fine for phases that run for seconds.
pub fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Runs `work` and records the CPU it used on the timing it returns.
pub async fn with_cpu<E>(work: impl Future<Output = Result<Timing, E>>) -> Result<Timing, E> {
    let before = process_cpu();
    let mut timing = work.await?;
    timing.cpu = process_cpu().zip(before).map(|(after, before)| after.saturating_sub(before));
    Ok(timing)
}

/// The most memory this process has held, from the kernel's high-water mark.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// 1234567.8 → "1,234,568".
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_thousands() {
        let t = Timing::new("x", Duration::from_secs(2), (1..=100).rev().collect(), 0);
        assert_eq!((t.percentile(50), t.percentile(99), t.percentile(100)), (Some(50), Some(99), Some(100)));
        assert_eq!(t.per_second(), 50.0);
        assert_eq!(thousands(1_234_567.8), "1,234,568");
        assert_eq!(thousands(12.0), "12");
    }
}
