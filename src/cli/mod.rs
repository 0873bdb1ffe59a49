//! The command line: argument parsing, one file per subcommand, and all I/O.
//!
//! Everything below this module takes text or structs and returns data; this layer finds
//! files, downloads releases, prints, and turns outcomes into exit codes.

pub mod attack_cmd;
pub mod authoring_cmd;
pub mod bulk_read;
pub mod bundle_file;
pub mod check_cmd;
pub mod clock;
pub mod companions;
pub mod data_cmd;
pub mod data_source;
pub mod download;
pub mod failure;
pub mod fetch;
pub mod man;
pub mod memory_guard;
pub mod model_files;
pub mod output;
pub mod release_cache;
pub mod report_cmd;
pub mod repository_root;
pub mod upgrade_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use data_source::DataOptions;
use failure::{CliResult, EXIT_FAILURE, Failure, Outcome};
use output::{ColorChoice, paint, print_stderr, print_stdout, styles};

const AFTER_HELP: &str = "\
Examples:
  atkmap report models/ekyc-national-id.yaml --format json -o report.json
  atkmap paths models/ekyc-national-id.yaml --from id-data-broker
  atkmap graph models/ekyc-national-id.yaml --format mermaid
  atkmap check models/                     Validate every model under models/
  atkmap init my-model.yaml                Write a commented starter model
  atkmap attack show T1199                 Look up a technique in the newest local release
  atkmap attack show T1078.004 --format json
  atkmap attack search \"trusted relationship\"
  atkmap attack stats --attack-version 17.1
  atkmap data list                         Releases available locally
  atkmap data fetch --domain ics           Download the newest ICS release into the cache
  atkmap diff --from 17.1 --to 18.1 models/  What a new ATT&CK release changes for the models
  atkmap migrate --to 18.1 model.yaml --dry-run  Preview rewriting a model to a newer release

Exit codes:
  0  success, nothing at or above the gate
  1  findings at or above the gate (report --fail-on)
  2  the command could not do its job: usage error, invalid input, missing data, I/O error

ATT&CK data is searched in: --attack FILE, --data-dir / ATKMAP_DATA_DIR, the user cache,
then ./attack-data; a missing release is downloaded unless --offline / ATKMAP_OFFLINE. A
release found by name must be MITRE's file (its SHA-256 is checked).";

/// Map identity-verification supply-chain threat models onto MITRE ATT&CK and report the gaps.
#[derive(Debug, Parser)]
#[command(name = "atkmap", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// What separates directories in ATKMAP_DATA_DIR, as in PATH.
#[cfg(windows)]
const PATH_LIST_SEPARATOR: char = ';';
#[cfg(not(windows))]
const PATH_LIST_SEPARATOR: char = ':';

/// Options every command takes.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Use this ATT&CK STIX 2.1 bundle file
    #[arg(long, global = true, value_name = "FILE")]
    pub attack: Option<PathBuf>,
    /// Directory of ATT&CK and companion bundles named as MITRE names them
    /// (enterprise-attack-18.1.json, f3-stix-v1.1.json); repeatable, and ATKMAP_DATA_DIR takes a
    /// list separated like PATH
    #[arg(long, global = true, value_name = "DIR", env = "ATKMAP_DATA_DIR", value_delimiter = PATH_LIST_SEPARATOR)]
    pub data_dir: Vec<PathBuf>,
    /// Load a companion next to ATT&CK: f3, atlas (optionally @VERSION), or a companion STIX
    /// file; repeatable. Adds to what models pin under attack.frameworks
    #[arg(long, global = true, value_name = "NAME|FILE")]
    pub framework: Vec<String>,
    /// ATT&CK domain: enterprise, mobile or ics
    #[arg(long, global = true, value_name = "DOMAIN", value_parser = ["enterprise", "mobile", "ics"])]
    pub domain: Option<String>,
    /// ATT&CK release version (18.1); default: the newest present
    #[arg(long, global = true, value_name = "VERSION")]
    pub attack_version: Option<String>,
    /// Never download ATT&CK data
    #[arg(long, global = true, env = "ATKMAP_OFFLINE", value_parser = clap::builder::FalseyValueParser::new())]
    pub offline: bool,
    /// Do not read or write the parsed-release cache (also ATKMAP_NO_CACHE)
    #[arg(long, global = true, env = "ATKMAP_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,
    /// When to use colour (NO_COLOR is honoured in auto mode)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

impl GlobalArgs {
    pub fn data_options(&self) -> DataOptions {
        DataOptions {
            attack_file: self.attack.clone(),
            data_dirs: self.data_dir.clone(),
            frameworks: self.framework.clone(),
            domain: self.domain.clone(),
            version: self.attack_version.clone(),
            offline: self.offline,
            no_cache: self.no_cache,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Look things up in ATT&CK: show an object, search names, count a release
    #[command(subcommand)]
    Attack(attack_cmd::AttackCommand),
    /// Manage local ATT&CK releases: list them, download one
    #[command(subcommand)]
    Data(data_cmd::DataCommand),
    /// Validate threat models: YAML, format, references, ATT&CK IDs (exit 2 on errors)
    Check(check_cmd::CheckArgs),
    /// Compute exposures, coverage, severity, priorities and attack paths of models
    Report(report_cmd::ReportArgs),
    /// Draw a model's supply chain (Mermaid, Graphviz DOT or JSON)
    Graph(report_cmd::GraphArgs),
    /// List attack paths from actors to sensitive data through systems with gaps
    Paths(report_cmd::PathsArgs),
    /// Compare two ATT&CK releases, as a whole or for given models
    Diff(upgrade_cmd::DiffArgs),
    /// Rewrite models to a newer ATT&CK release in place (revoked IDs replaced)
    Migrate(upgrade_cmd::MigrateArgs),
    /// Print the JSON Schema of the model format (for editors and CI)
    Schema,
    /// Write a commented starter model that passes `atkmap check`
    Init {
        /// Where to write it (default: atkmap-model.yaml)
        path: Option<PathBuf>,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of atkmap or of a subcommand (`man attack show`)
    Man {
        /// The subcommand whose page to print, nested ones as separate words
        #[arg(value_name = "SUBCOMMAND")]
        subcommand: Vec<String>,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_FAILURE } else { 0 };
            if let Err(io) = e.print()
                && !output::is_broken_pipe(&io)
            {
                return ExitCode::from(EXIT_FAILURE);
            }
            return ExitCode::from(code);
        }
    };
    cli.global.color.apply();
    match run(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(failure) => {
            report_failure(&failure);
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Prints a failure as `error: ...` with its hints.
pub fn report_failure(failure: &Failure) {
    let mut text = format!("{}: {}\n", paint(styles::ERROR, "error"), failure.message);
    for hint in &failure.hints {
        text.push_str(&format!("  {}: {hint}\n", paint(styles::NOTE, "hint")));
    }
    print_stderr(&text);
}

fn run(cli: Cli) -> CliResult {
    let data = cli.global.data_options();
    match cli.command {
        Command::Attack(command) => attack_cmd::run(command, &data),
        Command::Data(command) => data_cmd::run(command, &data),
        Command::Check(args) => check_cmd::run(args, &data),
        Command::Report(args) => report_cmd::run_report(args, &data),
        Command::Graph(args) => report_cmd::run_graph(args, &data),
        Command::Paths(args) => report_cmd::run_paths(args, &data),
        Command::Diff(args) => upgrade_cmd::run_diff(args, &data),
        Command::Migrate(args) => upgrade_cmd::run_migrate(args, &data),
        Command::Schema => authoring_cmd::schema(),
        Command::Init { path, force } => authoring_cmd::init(path, force),
        Command::Completions { shell } => {
            let mut buffer = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "atkmap", &mut buffer);
            print_stdout(&String::from_utf8_lossy(&buffer))?;
            Ok(Outcome::Clean)
        }
        Command::Man { subcommand } => {
            print_stdout(&man::page(Cli::command(), &subcommand)?)?;
            Ok(Outcome::Clean)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
