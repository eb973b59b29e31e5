//! A readable message instead of a bare backtrace when something goes wrong.

use std::panic::PanicHookInfo;
use std::path::PathBuf;

/// Where the crash report goes.
pub fn crash_log_path() -> PathBuf {
    std::env::temp_dir().join("murmuration-crash.log")
}

fn report(info: &PanicHookInfo) -> String {
    let what = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    let at = info.location().map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
    format!("{what}{at}")
}

/// Installs the hook: one paragraph on stderr saying what broke and where the report is, the
/// details (with a backtrace) in the crash log.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let summary = report(info);
        let backtrace = std::backtrace::Backtrace::force_capture();
        let path = crash_log_path();
        let args: Vec<String> = std::env::args().collect();
        let log = format!("murmuration {} crashed\ncommand: {}\n{summary}\n\n{backtrace}\n", env!("CARGO_PKG_VERSION"), args.join(" "));
        let saved = crate::io::write_atomic(&path, log.as_bytes()).is_ok();
        eprintln!("murmuration hit a bug and has to stop: {summary}");
        if saved {
            eprintln!("The details are in {}; please include that file when you report it.", path.display());
        }
    }));
}
