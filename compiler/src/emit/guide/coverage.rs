//! Enforcement coverage: which controls the tiers ask for, which targets put each into effect
//! (each target declares its `controls`, so a new target appears here without a template
//! change), and for every channel in a tier that blocks or monitors, whether each control
//! can act on it (a firewall needs the channel's networks, an endpoint rule its programs).

use crate::emit::targets::endpoint;
use crate::emit::{all_targets, Control};
use crate::ir::{ChannelInfo, Ir, TierInfo};
use serde::Serialize;

/// Coverage cell states, each with words in the strings table.
#[cfg(test)]
pub const STATE_KEYS: &[&str] = &["state-enforced", "state-no-data", "state-no-target"];

#[derive(Serialize)]
pub struct Coverage {
    /// Controls the policy uses, in `Control::ALL` order.
    pub controls: Vec<ControlRow>,
    /// Every target that enforces something, whether or not this policy uses it.
    pub targets: Vec<TargetRow>,
    /// Channels in a tier that blocks or monitors.
    pub channels: Vec<ChannelRow>,
}

#[derive(Serialize)]
pub struct ControlRow {
    pub control: Control,
    pub tiers: Vec<String>,
    pub channels: usize,
    /// Names or networks in the IR's enforcement set for this control, where it has one.
    pub entries: Option<usize>,
    pub targets: Vec<&'static str>,
}

#[derive(Serialize)]
pub struct TargetRow {
    pub name: &'static str,
    pub controls: Vec<Control>,
    /// Channels of this policy it acts on.
    pub channels: usize,
}

#[derive(Serialize)]
pub struct ChannelRow {
    pub label: String,
    pub tier: String,
    /// One per entry of `Coverage::controls`: `None` where the tier does not ask for it.
    pub cells: Vec<Option<CoverageCell>>,
    /// Why a DNS block alone cannot stop it (from the policy or the stdlib).
    pub dns_bypass: Vec<String>,
}

#[derive(Serialize)]
pub struct CoverageCell {
    /// A key of `STATE_KEYS`.
    pub state: &'static str,
}

impl Coverage {
    /// Controls the policy asks for that no target puts into effect.
    pub fn gaps(&self) -> impl Iterator<Item = Control> + '_ {
        self.controls
            .iter()
            .filter(|c| c.targets.is_empty())
            .map(|c| c.control)
    }

    pub fn gap_names(&self) -> Vec<String> {
        self.gaps().map(|c| control_name(c).to_string()).collect()
    }

    pub fn uses(&self, control: Control) -> bool {
        self.controls.iter().any(|c| c.control == control)
    }

    /// Whether the policy asks for `control` and at least one target puts it into effect.
    pub fn enforced(&self, control: Control) -> bool {
        self.controls
            .iter()
            .any(|c| c.control == control && !c.targets.is_empty())
    }
}

/// How the guides name a control (`strings.control-name`): the policy statement it stands
/// for, as the templates print it in the coverage tables.
pub fn control_name(control: Control) -> &'static str {
    let key = serde_json::to_value(control).expect("a control serialises to its key");
    super::strings()["control-name"][key.as_str().unwrap_or_default()]
        .as_str()
        .expect("the strings name every control")
}

fn tier_uses(tier: &TierInfo, control: Control) -> bool {
    match control {
        Control::Monitor => tier.monitor,
        _ => tier.block.iter().any(|&b| Control::block(b) == control),
    }
}

/// Whether the channel gives the control something to act on.
fn has_data(channel: &ChannelInfo, control: Control) -> bool {
    let e = &channel.endpoints;
    match control {
        Control::BlockDns | Control::BlockBrowser | Control::Monitor => !e.domains.is_empty(),
        Control::BlockFirewall => !e.networks.is_empty(),
        Control::BlockEndpoint => endpoint::has_identifiers(channel),
        // DLP acts on the data classes, not on the channel's endpoints.
        Control::BlockDlp => true,
    }
}

fn entries(ir: &Ir, control: Control) -> Option<usize> {
    let sets = &ir.enforcement;
    match control {
        Control::BlockDns => Some(sets.dns_block.len()),
        Control::BlockFirewall => Some(sets.firewall_block.len()),
        Control::BlockBrowser => Some(sets.browser_block.len()),
        Control::Monitor => Some(sets.dns_monitor.len()),
        Control::BlockEndpoint | Control::BlockDlp => None,
    }
}

pub fn coverage(ir: &Ir) -> Coverage {
    let implementing = |control: Control| -> Vec<&'static str> {
        all_targets()
            .iter()
            .filter(|t| t.info().controls.contains(&control))
            .map(|t| t.name())
            .collect()
    };
    let channels_under = |control: Control| ir.channels_where(move |t| tier_uses(t, control));
    let controls: Vec<ControlRow> = Control::ALL
        .into_iter()
        .filter(|&c| ir.tiers.iter().any(|t| tier_uses(t, c)))
        .map(|control| ControlRow {
            control,
            tiers: ir
                .tiers
                .iter()
                .filter(|t| tier_uses(t, control))
                .map(|t| t.label.clone())
                .collect(),
            channels: channels_under(control).count(),
            entries: entries(ir, control),
            targets: implementing(control),
        })
        .collect();
    let targets = all_targets()
        .iter()
        .filter(|t| !t.info().controls.is_empty())
        .map(|t| TargetRow {
            name: t.name(),
            controls: t.info().controls.to_vec(),
            channels: ir
                .tiered_channels()
                .filter(|c| {
                    ir.tier_of(c).is_some_and(|tier| {
                        t.info()
                            .controls
                            .iter()
                            .any(|&k| tier_uses(tier, k) && has_data(c, k))
                    })
                })
                .count(),
        })
        .collect();
    let channels = ir
        .tiered_channels()
        .filter_map(|channel| {
            let tier = ir.tier_of(channel)?;
            let cells: Vec<Option<CoverageCell>> = controls
                .iter()
                .map(|row| {
                    tier_uses(tier, row.control).then(|| CoverageCell {
                        state: if row.targets.is_empty() {
                            "state-no-target"
                        } else if has_data(channel, row.control) {
                            "state-enforced"
                        } else {
                            "state-no-data"
                        },
                    })
                })
                .collect();
            cells.iter().any(Option::is_some).then(|| ChannelRow {
                label: channel.label.clone(),
                tier: tier.label.clone(),
                cells,
                dns_bypass: channel.dns_bypass.clone(),
            })
        })
        .collect();
    Coverage {
        controls,
        targets,
        channels,
    }
}
