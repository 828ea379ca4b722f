//! `gpo`: a Group Policy Object folder, `gpt.ini` and `Machine/Registry.pol` (binary PReg
//! written by `emit::preg`), holding the Windows policy settings of `windows_policy`: Chrome
//! and Edge URL lists, Firefox WebsiteFilter, DoH off, and Windows Firewall rules.

use super::windows_policy;
use crate::emit::error::render_failed;
use crate::emit::verify::{readers, Identifier, Reach, Reader};
use crate::emit::{EmitError, Emitted, OutputFile, Target, TargetInfo, preg};
use crate::ir::{Ir, Size};
use sha2::{Digest, Sha256};

pub struct Gpo;

/// `gpt.ini` with a version derived from the settings: the machine version is the low 16 bits,
/// and Group Policy clients re-apply a GPO whenever its version differs from the one they last
/// applied, so a change of content is a change of version. Never 0 (0 means "empty GPO").
fn gpt_ini(registry_pol: &[u8]) -> Vec<u8> {
    let digest = Sha256::digest(registry_pol);
    let version = u16::from_le_bytes([digest[0], digest[1]]).max(1);
    format!("[General]\r\nVersion={version}\r\n").into_bytes()
}

// Firefox's exception for a name's subdomains alone lets the name through too; the firewall
// matches programs by full path, expanded as the firewall service: not a path in a user's
// profile.
const READER: Reader = Reader {
    read: readers::gpo::read,
    leaves_open: &[Reach::AboveCarvedOutSubdomains, Reach::InUserProfile],
    programs_by: &[Identifier::WindowsPath],
};

const INFO: TargetInfo = TargetInfo {
    name: "gpo",
    description: "a Group Policy folder (gpt.ini, Machine/Registry.pol): browser URL lists, DoH off, firewall rules",
    outputs: &["gpt.ini", "Machine/Registry.pol"],
    default_for: &[Size::Large],
    controls: windows_policy::CONTROLS,
    templates: &[],
    reader: Some(&READER),
    rules_reader: None,
};

impl Target for Gpo {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let settings = windows_policy::settings(ir, self.name())?;
        let pol = preg::write(&settings.records).map_err(|e| render_failed(self.name(), e))?;
        Ok(Emitted {
            files: vec![
                OutputFile {
                    path: "gpt.ini".into(),
                    contents: gpt_ini(&pol),
                },
                OutputFile {
                    path: "Machine/Registry.pol".into(),
                    contents: pol,
                },
            ],
            warnings: settings.warnings,
        })
    }
}
