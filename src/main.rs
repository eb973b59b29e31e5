//! The `murmuration` binary: the command line, then the library does the work.

fn main() -> std::process::ExitCode {
    murmuration::cli::main()
}
