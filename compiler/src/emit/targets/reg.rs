//! `reg`: the settings of the `gpo` target as a regedit file for machines outside a domain.
//! Regedit's own export format: UTF-16LE with a byte-order mark, CRLF line ends, header
//! `Windows Registry Editor Version 5.00`. A `**delvals.` directive becomes the deletion of
//! the key (`[-HKEY_…]`) followed by its re-creation, which is what it means.

use crate::emit::encode;
use super::ids;
use super::windows_policy;
use crate::emit::error::render_failed;
use crate::emit::preg::{Record, RegValue, DELETE_ALL_VALUES};
use crate::emit::verify::{readers, Identifier, Reach, Reader};
use crate::emit::{EmitError, Emitted, Target, TargetInfo};
use crate::ir::{Ir, Size};

pub struct Reg;

const HIVE: &str = "HKEY_LOCAL_MACHINE";

fn data(value: &RegValue) -> Result<String, String> {
    Ok(match value {
        RegValue::Sz(s) => encode::reg_string(s).map_err(|e| e.0)?,
        RegValue::Dword(n) => format!("dword:{n:08x}"),
    })
}

/// The text of the .reg file (before UTF-16 encoding).
fn render(records: &[Record]) -> Result<String, String> {
    let mut out = String::from("Windows Registry Editor Version 5.00\r\n");
    let mut current: Option<&str> = None;
    for record in records {
        if record.key.chars().any(|c| c.is_control() || c == ']') {
            return Err(format!("refusing to write the key {:?}", record.key));
        }
        if record.name == DELETE_ALL_VALUES {
            out.push_str(&format!("\r\n[-{HIVE}\\{}]\r\n", record.key));
            current = None;
        }
        if current != Some(record.key.as_str()) {
            out.push_str(&format!("\r\n[{HIVE}\\{}]\r\n", record.key));
            current = Some(&record.key);
        }
        if record.name != DELETE_ALL_VALUES {
            out.push_str(&format!(
                "{}={}\r\n",
                encode::reg_string(&record.name).map_err(|e| e.0)?,
                data(&record.value)?
            ));
        }
    }
    Ok(out)
}

// Firefox's exception for a name's subdomains alone lets the name through too; the firewall
// matches programs by full path, expanded as the firewall service: not a path in a user's
// profile.
const READER: Reader = Reader {
    read: readers::reg::read,
    leaves_open: &[Reach::AboveCarvedOutSubdomains, Reach::InUserProfile],
    programs_by: &[Identifier::WindowsPath],
};

const INFO: TargetInfo = TargetInfo {
    name: "reg",
    description: "the gpo target's settings as a .reg file for machines outside a domain",
    outputs: &["msgpol.reg"],
    default_for: &[Size::Large],
    controls: windows_policy::CONTROLS,
    templates: &[],
    reader: Some(&READER),
    rules_reader: None,
};

impl Target for Reg {
    fn info(&self) -> &TargetInfo {
        &INFO
    }
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError> {
        let settings = windows_policy::settings(ir, self.name())?;
        let text = render(&settings.records).map_err(|e| render_failed(self.name(), e))?;
        Ok(Emitted::single(
            "msgpol.reg",
            ids::utf16le_bom(&text),
            settings.warnings,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(key: &str, name: &str, value: RegValue) -> Record {
        Record {
            key: key.into(),
            name: name.into(),
            value,
        }
    }

    #[test]
    fn delvals_becomes_delete_and_recreate() {
        let text = render(&[
            rec("A\\L", DELETE_ALL_VALUES, RegValue::Sz(" ".into())),
            rec("A\\L", "1", RegValue::Sz("x.com".into())),
            rec("A", "N", RegValue::Dword(10)),
        ])
        .unwrap();
        assert_eq!(
            text,
            "Windows Registry Editor Version 5.00\r\n\r\n[-HKEY_LOCAL_MACHINE\\A\\L]\r\n\r\n[HKEY_LOCAL_MACHINE\\A\\L]\r\n\"1\"=\"x.com\"\r\n\r\n[HKEY_LOCAL_MACHINE\\A]\r\n\"N\"=dword:0000000a\r\n"
        );
    }
}
