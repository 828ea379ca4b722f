//! `conditional-access`: Microsoft Entra Conditional Access policies (Microsoft Graph
//! `identity/conditionalAccess/policies` JSON), one per approved or limited tier whose
//! `requires` names `mfa` or `managed-device`, covering the Entra applications (`entra-app`) of
//! its channels. Only what the tier requires becomes a grant control. Written in report-only
//! state: an administrator switches a policy on after checking its sign-in report.

use super::endpoint::Missing;
use crate::emit::{EmitError, Emitted, Target, TargetInfo, pretty_json};
use crate::ir::{Ir, Requirement, Size, TierKind};
use serde_json::json;

pub struct ConditionalAccess;

const INFO: TargetInfo = TargetInfo {
    name: "conditional-access",
    description: "Microsoft Entra Conditional Access policies (Graph JSON) requiring MFA / compliant devices for approved tiers' apps",
    outputs: &["policies.json"],
    default_for: &[Size::Large],
    controls: &[],
    templates: &[],
    reader: None,
    rules_reader: None,
};

impl Target for ConditionalAccess {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let mut warnings = Vec::new();
        let mut policies = Vec::new();
        for tier in ir.tiers.iter().filter(|t| t.kind != TierKind::Banned) {
            let controls: Vec<&str> = tier
                .requires
                .iter()
                .filter_map(|r| match r {
                    Requirement::Mfa => Some("mfa"),
                    Requirement::ManagedDevice => Some("compliantDevice"),
                    Requirement::E2ee => None,
                })
                .collect();
            if controls.is_empty() {
                continue;
            }
            let mut apps: Vec<&str> = Vec::new();
            let mut missing = Missing::new(
                "`entra-app`",
                format!(
                    "tier `{}`'s requirements are not enforced by Conditional Access",
                    tier.name
                ),
            );
            for channel in tier.channels.iter().filter_map(|c| ir.channel(&c.value)) {
                if channel.endpoints.entra_app.is_empty() {
                    missing.add(channel);
                }
                for app in &channel.endpoints.entra_app {
                    if !apps.contains(&app.as_str()) {
                        apps.push(app);
                    }
                }
            }
            missing.report(self.name(), &mut warnings);
            if apps.is_empty() {
                continue;
            }
            policies.push(json!({
                "displayName": format!("msgpol: {} ({})", tier.label, tier.name),
                "state": "enabledForReportingButNotEnforced",
                "conditions": {
                    "users": { "includeUsers": ["All"] },
                    "applications": { "includeApplications": apps },
                    "clientAppTypes": ["all"],
                },
                "grantControls": { "operator": "AND", "builtInControls": controls },
            }));
        }
        Ok(Emitted::single(
            "policies.json",
            pretty_json(&policies),
            warnings,
        ))
    }
}
