//! What the targets that set a service's retention share (`purview` for Teams and Exchange,
//! `mattermost`): the setting a channel's retention (`Ir::retention_of`) asks for.

use crate::ir::Retention;

/// Keep messages for `days`, delete them after `days`, or both (keep until `days`, then
/// delete). A period in months or years counts 30 or 365 days.
pub struct Setting {
    pub keep: bool,
    pub delete: bool,
    pub days: u64,
}

/// The setting that meets `retention`: deleting after its `delete after` meets its `keep at
/// least` too, since validation refuses a keep longer than the delete (E238). `None` if it
/// says nothing.
pub fn setting(retention: Retention) -> Option<Setting> {
    match (retention.keep_at_least, retention.delete_after) {
        (_, Some(delete)) => Some(Setting {
            keep: retention.keep_at_least.is_some(),
            delete: true,
            days: delete.days(),
        }),
        (Some(keep), None) => Some(Setting {
            keep: true,
            delete: false,
            days: keep.days(),
        }),
        (None, None) => None,
    }
}
