//! `atkmap data list|fetch`: the releases on this machine, and getting new ones.

use clap::Subcommand;

use super::companions::{Wanted, fetch_companion, list_companions};
use super::data_source::{DataOptions, list_releases};
use super::failure::{CliResult, Outcome};
use super::fetch::fetch_release;
use super::output::print_stdout;

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// List the ATT&CK release and companion (F3, ATLAS) files found locally, in search order
    List,
    /// Download an official ATT&CK release into the user cache (pick the domain with --domain),
    /// or with --framework f3|atlas the official companion file (verified by its SHA-256)
    Fetch {
        /// Release version (18.1); default: the newest MITRE lists
        #[arg(long)]
        version: Option<String>,
    },
}

pub fn run(command: DataCommand, data: &DataOptions) -> CliResult {
    match command {
        DataCommand::List => {
            let mut out = String::new();
            for dir in data.search_dirs() {
                for release in list_releases(&dir) {
                    out.push_str(&format!(
                        "{:<11} {:<8} {}\n",
                        release.name.domain,
                        release.name.version.as_deref().unwrap_or("latest"),
                        release.path.display()
                    ));
                }
                for companion in list_companions(&dir) {
                    out.push_str(&format!(
                        "{:<11} {:<8} {}\n",
                        companion.framework.label(),
                        companion.version.as_deref().unwrap_or("latest"),
                        companion.path.display()
                    ));
                }
            }
            print_stdout(&out)?;
        }
        DataCommand::Fetch { version } => {
            let domain = data.domain();
            if data.offline {
                return Err(super::failure::Failure::new(
                    "`data fetch` downloads, and --offline (or ATKMAP_OFFLINE) forbids it",
                )
                .hint("unset ATKMAP_OFFLINE or drop --offline")
                .hint(super::bundle_file::manual_supply_hint(
                    domain,
                    version.as_deref(),
                )));
            }
            if !data.frameworks.is_empty() {
                for name in &data.frameworks {
                    let mut wanted = Wanted::parse(name)
                        .map_err(|e| super::failure::Failure::new(format!("--framework {e}")))?;
                    if wanted.version.is_none() {
                        wanted.version = version.clone();
                    }
                    let path = fetch_companion(&wanted)?;
                    print_stdout(&format!("{}\n", path.display()))?;
                }
                return Ok(Outcome::Clean);
            }
            let version = version.or_else(|| data.version.clone());
            let path = fetch_release(domain, version.as_deref())?;
            print_stdout(&format!("{}\n", path.display()))?;
        }
    }
    Ok(Outcome::Clean)
}
