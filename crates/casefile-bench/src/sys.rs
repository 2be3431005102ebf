//! What the benchmarks ask of the operating system: free disk space and a process's peak
//! memory. Linux (and POSIX `df`) only; each answers `None` where it cannot tell.

use std::path::Path;
use std::process::Command;

/// A process's peak resident set in KiB (`VmHWM` in `/proc/<pid>/status`; `pid` may be "self").
pub fn vm_hwm_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Free bytes in the filesystem holding `dir`, from `df -Pk` (POSIX output format).
pub fn free_bytes(dir: &Path) -> Option<u64> {
    let out = Command::new("df").arg("-Pk").arg(dir).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let kib: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kib * 1024)
}
