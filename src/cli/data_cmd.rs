//! `atkmap data list|fetch`: the releases on this machine, and getting new ones.

use clap::Subcommand;

use super::data_source::{DataOptions, list_releases};
use super::failure::{CliResult, Outcome};
use super::fetch::fetch_release;
use super::output::print_stdout;

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// List the ATT&CK release files found locally, in search order
    List,
    /// Download an official ATT&CK release into the user cache (pick the domain with --domain)
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
                .hint(super::data_source::manual_supply_hint(
                    domain,
                    version.as_deref(),
                )));
            }
            let version = version.or_else(|| data.version.clone());
            let path = fetch_release(domain, version.as_deref())?;
            print_stdout(&format!("{}\n", path.display()))?;
        }
    }
    Ok(Outcome::Clean)
}
