//! One reader per kind of value, with the words the language spells it with.

use crate::syntax::args::Args;
use crate::syntax::ast::{Allows, Ceiling, Feed, FeedFormat, Name, Spanned, Str};
use crate::syntax::error::SyntaxError;
use crate::vocabulary::{
    Confidence, E2ee, Enforcement, Hardening, Medium, Period, PeriodUnit, Property, Protocol,
    Requirement, Size,
};

/// `"…", "…"`: strings, each with `help` if it is not one.
pub fn strings(a: &mut Args, help: &str) -> Result<Vec<Str>, SyntaxError> {
    a.list(|a| a.string(help))
}

/// One of `options`, or nothing, which means `default` (spanned at the keyword).
fn choice_or<T: Copy>(
    a: &mut Args,
    what: &str,
    options: &[(&str, T)],
    default: T,
) -> Result<Spanned<T>, SyntaxError> {
    if a.at_end() {
        Ok(Spanned {
            value: default,
            span: a.keyword_span(),
        })
    } else {
        a.choice(what, options)
    }
}

/// A property that is on, or `yes` or `no`.
pub fn flag(a: &mut Args) -> Result<Spanned<bool>, SyntaxError> {
    choice_or(a, "`yes` or `no`", &[("yes", true), ("no", false)], true)
}

pub fn e2ee(a: &mut Args) -> Result<Spanned<E2ee>, SyntaxError> {
    choice_or(
        a,
        "`yes`, `optional` or `no`",
        &[
            ("yes", E2ee::Yes),
            ("optional", E2ee::Optional),
            ("no", E2ee::No),
        ],
        E2ee::Yes,
    )
}

pub fn size(a: &mut Args) -> Result<Spanned<Size>, SyntaxError> {
    a.choice(
        "an organisation size",
        &[
            ("small", Size::Small),
            ("medium", Size::Medium),
            ("large", Size::Large),
        ],
    )
}

pub fn requirements(a: &mut Args) -> Result<Vec<Spanned<Requirement>>, SyntaxError> {
    a.list(|a| {
        a.choice(
            "a requirement",
            &[
                ("e2ee", Requirement::E2ee),
                ("managed-device", Requirement::ManagedDevice),
                ("mfa", Requirement::Mfa),
            ],
        )
    })
}

pub fn medium(a: &mut Args) -> Result<Spanned<Medium>, SyntaxError> {
    a.choice(
        "a medium",
        &[
            ("text", Medium::Text),
            ("voice", Medium::Voice),
            ("video", Medium::Video),
            ("file", Medium::File),
            ("email", Medium::Email),
        ],
    )
}

pub fn property(a: &mut Args) -> Result<Spanned<Property>, SyntaxError> {
    a.choice(
        "a property",
        &[
            ("e2ee", Property::E2ee),
            ("open-source", Property::OpenSource),
            ("self-hostable", Property::SelfHostable),
            ("mfa", Property::Mfa),
            ("managed", Property::Managed),
        ],
    )
}

pub fn protocol(a: &mut Args) -> Result<Spanned<Protocol>, SyntaxError> {
    a.choice(
        "`tcp` or `udp`",
        &[("tcp", Protocol::Tcp), ("udp", Protocol::Udp)],
    )
}

pub fn enforcement(a: &mut Args) -> Result<Spanned<Enforcement>, SyntaxError> {
    a.choice(
        "an enforcement kind",
        &[
            ("dns", Enforcement::Dns),
            ("firewall", Enforcement::Firewall),
            ("endpoint", Enforcement::Endpoint),
            ("browser", Enforcement::Browser),
            ("dlp", Enforcement::Dlp),
        ],
    )
}

pub fn confidence(a: &mut Args) -> Result<Spanned<Confidence>, SyntaxError> {
    a.choice(
        "a confidence",
        &[
            ("low", Confidence::Low),
            ("medium", Confidence::Medium),
            ("high", Confidence::High),
        ],
    )
}

pub fn hardening(a: &mut Args) -> Result<Spanned<Hardening>, SyntaxError> {
    a.choice(
        "`consumer-accounts`, `third-party-storage` or `email-into-channel`",
        &[
            ("consumer-accounts", Hardening::ConsumerAccounts),
            ("third-party-storage", Hardening::ThirdPartyStorage),
            ("email-into-channel", Hardening::EmailIntoChannel),
        ],
    )
}

/// `up to CLASS`.
pub fn up_to(a: &mut Args) -> Result<Name, SyntaxError> {
    let help = "e.g. `allows up to internal`";
    a.expect("up", help)?;
    a.expect("to", help)?;
    a.name("a class's name")
}

/// `up to CLASS` or `nothing`, then the media it is for, if any.
pub fn allows(a: &mut Args) -> Result<Allows, SyntaxError> {
    let ceiling = match a.eat("nothing") {
        Some(span) => Ceiling::Nothing(span),
        None => Ceiling::UpTo(up_to(a)?),
    };
    let start = match &ceiling {
        Ceiling::UpTo(class) => class.span,
        Ceiling::Nothing(span) => *span,
    };
    let media = for_media(a)?;
    let span = media.last().map_or(start, |m| start.to(m.span));
    Ok(Allows {
        ceiling,
        media,
        span,
    })
}

/// `[for MEDIUM [and MEDIUM …]]`: the media a statement is limited to (empty: every medium).
pub fn for_media(a: &mut Args) -> Result<Vec<Spanned<Medium>>, SyntaxError> {
    let mut media = Vec::new();
    if a.eat("for").is_some() {
        media.push(medium(a)?);
        while a.eat("and").is_some() {
            media.push(medium(a)?);
        }
    }
    Ok(media)
}

/// `hosts|adblock|domains "file"`, in a channel or a tier.
pub fn feed(a: &mut Args) -> Result<Feed, SyntaxError> {
    let format = a.choice(
        "a feed format",
        &[
            ("hosts", FeedFormat::Hosts),
            ("adblock", FeedFormat::Adblock),
            ("domains", FeedFormat::Domains),
        ],
    )?;
    let path = a.string("e.g. `feed hosts \"feeds/banned.txt\"`")?;
    Ok(Feed { format, path })
}

/// `N day(s)|month(s)|year(s)`.
pub fn period(a: &mut Args) -> Result<Spanned<Period>, SyntaxError> {
    let count = a.number(1, 100_000)?;
    let unit = a.choice(
        "`days`, `months` or `years`",
        &[
            ("days", PeriodUnit::Days),
            ("day", PeriodUnit::Days),
            ("months", PeriodUnit::Months),
            ("month", PeriodUnit::Months),
            ("years", PeriodUnit::Years),
            ("year", PeriodUnit::Years),
        ],
    )?;
    Ok(Spanned {
        value: Period {
            count: count.value,
            unit: unit.value,
        },
        span: count.span.to(unit.span),
    })
}

/// `keep at least PERIOD`.
pub fn keep_at_least(a: &mut Args) -> Result<Spanned<Period>, SyntaxError> {
    let help = "e.g. `keep at least 1 year`";
    a.expect("at", help)?;
    a.expect("least", help)?;
    period(a)
}

/// `delete after PERIOD`.
pub fn delete_after(a: &mut Args) -> Result<Spanned<Period>, SyntaxError> {
    a.expect("after", "e.g. `delete after 2 years`")?;
    period(a)
}
