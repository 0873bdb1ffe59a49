//! The `atkmap` binary: the command line and every piece of I/O (files, network, terminal,
//! clock, environment). The library beneath computes; this crate reads, writes and prints.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
