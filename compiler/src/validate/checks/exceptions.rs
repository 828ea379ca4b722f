//! E205 an exception past its date; W206 one ending within 30 days.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{date, ExceptionStatus};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    for e in &ctx.program.exceptions {
        let until = date::format(e.until.value);
        match ExceptionStatus::on(e.until.value, ctx.today) {
            ExceptionStatus::Expired => out.push(ValidateError(
                Diagnostic::new(Code::E205, format!("the exception {} ended on {until}", quote(&e.name.text)))
                    .label(e.until.span, format!("this date is before {}", date::format(ctx.today)))
                    .help("remove the exception, or renew it with a new `until` date and a fresh approval"),
            )),
            ExceptionStatus::Expiring => out.push(ValidateError(
                Diagnostic::new(Code::W206, format!("the exception {} ends on {until}", quote(&e.name.text)))
                    .label(e.until.span, format!("within {} days of {}", ExceptionStatus::EXPIRY_WARNING_DAYS, date::format(ctx.today)))
                    .help(format!("tell group \"{}\" what to use instead, or renew the exception", e.who_group.value)),
            )),
            // `on` judges the dates alone: whether it has an effect is W223's question.
            ExceptionStatus::Active | ExceptionStatus::NoEffect => {}
        }
    }
}
