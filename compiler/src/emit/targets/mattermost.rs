//! `mattermost`: the data-retention settings of the Mattermost servers the policy approves
//! (channels that are `mattermost` or inherit it), as a configuration patch for
//! `mmctl config patch`. Only `delete after` is a setting: Mattermost keeps messages unless told
//! to delete them, so a `keep at least` shorter than the deletion is met. The patch names no
//! other setting.

use super::retention;
use crate::emit::warning::cannot_express;
use crate::emit::{pretty_json, EmitError, Emitted, Target, TargetInfo};
use crate::ir::{Ir, Size};
use serde::Serialize;

pub struct Mattermost;

/// The patch: `DataRetentionSettings` only, in Mattermost's own field names
/// (`server/public/model/config.go`).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Patch {
    #[serde(skip_serializing_if = "Option::is_none")]
    data_retention_settings: Option<DataRetention>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DataRetention {
    enable_message_deletion: bool,
    message_retention_days: u64,
    enable_file_deletion: bool,
    file_retention_days: u64,
}

const INFO: TargetInfo = TargetInfo {
    name: "mattermost",
    description: "Mattermost: the data-retention settings of the approved Mattermost servers, as a patch for `mmctl config patch`",
    outputs: &["msgpol-retention.json"],
    default_for: &[Size::Medium, Size::Large],
    controls: &[],
    templates: &[],
    reader: None,
    rules_reader: None,
};

impl Target for Mattermost {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let mut warnings = Vec::new();
        // Each server's deletion, in days.
        let deletions: Vec<(&str, u64)> = ir
            .channels_of_service("mattermost")
            .filter_map(|c| {
                let setting = retention::setting(ir.retention_of(c))?;
                setting.delete.then_some((c, setting.days))
            })
            .collect();
        // One patch serves every server: it can set a deletion only if all agree. Otherwise
        // it sets none (deleting one server's messages on another's schedule could delete what
        // the policy keeps) and the build says what to set where.
        let agreed = match deletions.split_first() {
            Some((&(_, days), rest)) if rest.iter().all(|&(_, d)| d == days) => Some(days),
            Some(_) => {
                let named: Vec<String> = deletions
                    .iter()
                    .map(|(c, days)| format!("`{c}` after {days} days"))
                    .collect();
                warnings.push(cannot_express(
                    self.name(),
                    deletions.len(),
                    &format!(
                        "the Mattermost servers delete messages after different periods, which one patch cannot set, so it sets none: set each server's by hand ({})",
                        named.join(", ")
                    ),
                ));
                None
            }
            None => None,
        };
        let patch = Patch {
            data_retention_settings: agreed.map(|days| DataRetention {
                enable_message_deletion: true,
                message_retention_days: days,
                enable_file_deletion: true,
                file_retention_days: days,
            }),
        };
        Ok(Emitted::single(
            "msgpol-retention.json",
            pretty_json(&patch),
            warnings,
        ))
    }
}
