#!/usr/bin/env python3
"""A labelled corpus of chat lines for the DLP detectors of std.classes, the same every run.

    benches/dlp-corpus.py OUT_DIR [LINES] [SEED] [PLAIN]

writes OUT_DIR/chat.txt (one chat message per line) and OUT_DIR/labels.tsv (`line<TAB>class/
detector` for every detector that must find something on that line; lines not listed must
stay clean). PLAIN is the share of ordinary chat lines (default 0.80, a corpus dense with hard
cases; real chat is nearer 0.99). Used by tests/scan.rs (precision and recall >= 0.98) and benches/dlp-scan.sh.

Most lines are ordinary chat. The rest are sensitive values (Luhn-valid card numbers, IBANs
with correct mod-97 check digits, SSNs in issued ranges, email addresses, classification
markings) or lookalikes that must not match: card numbers with a wrong Luhn digit, order and
tracking numbers, IBANs with wrong check digits, SSNs in never-issued ranges, phone numbers,
dates, lowercase or partial markings.
"""
import random
import sys

WORDS = (
    "the meeting moved to after lunch can you send me the slides thanks see you tomorrow "
    "ok sounds good I will check with the team before we ship the release notes are in the "
    "shared folder please review when you have time the build is green again great work "
    "who is on call this weekend the ferry to Bergen leaves at noon let us sync on the "
    "budget next week my train is late coffee anyone the customer asked about delivery "
    "dates we need the signed contract before Friday happy birthday Ingrid"
).split()

IBAN_SHAPES = {  # country: BBAN shape (L letter, D digit)
    "GB": "LLLL" + "D" * 14, "DE": "D" * 18, "NO": "D" * 11, "FR": "D" * 23,
    "NL": "LLLL" + "D" * 10, "ES": "D" * 20, "IT": "L" + "D" * 22, "BE": "D" * 12,
}


def luhn_digit(partial):
    """The check digit that makes partial + digit pass Luhn."""
    total = 0
    for i, c in enumerate(reversed(partial)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return str((10 - total % 10) % 10)


def group(text, sizes, sep):
    out, i = [], 0
    for s in sizes:
        out.append(text[i:i + s])
        i += s
    return sep.join(out)


def card(rng, valid):
    kind = rng.choice(["visa", "mc", "amex", "discover"])
    prefix = {"visa": "4", "mc": str(rng.randint(51, 55)), "amex": rng.choice(["34", "37"]),
              "discover": "6011"}[kind]
    length = 15 if kind == "amex" else 16
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + rng.randint(1, 9)) % 10)
    number = body + check
    sep = rng.choice(["", " ", "-"])
    sizes = [4, 6, 5] if kind == "amex" else [4, 4, 4, 4]
    return number if sep == "" else group(number, sizes, sep)


def iban(rng, valid):
    country = rng.choice(sorted(IBAN_SHAPES))
    bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") if c == "L" else str(rng.randrange(10))
                   for c in IBAN_SHAPES[country])
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(digits) % 97
    if not valid:
        wrong = check
        while wrong == check:
            wrong = rng.randint(2, 98)
        check = wrong
    text = f"{country}{check:02d}{bban}"
    if rng.random() < 0.5:
        text = " ".join(text[i:i + 4] for i in range(0, len(text), 4))
    return text


def ssn(rng, valid):
    area, grp, serial = rng.randint(1, 899), rng.randint(1, 99), rng.randint(1, 9999)
    if area == 666:
        area = 665
    if not valid:
        broken = rng.choice(["area0", "area666", "area9", "group", "serial"])
        area = {"area0": 0, "area666": 666, "area9": rng.randint(900, 999)}.get(broken, area)
        grp = 0 if broken == "group" else grp
        serial = 0 if broken == "serial" else serial
    return f"{area:03d}-{grp:02d}-{serial:04d}"


def email(rng):
    user = rng.choice(["ola.nordmann", "j.smith", "ingrid", "ops-team", "kari+news", "a.b.c"])
    domain = rng.choice(["halvorsen.example", "mail.example.com", "partner.example.org"])
    return f"{user}@{domain}"


def chat(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def line(rng, plain):
    """One chat line and the detectors that must find something in it."""
    r = rng.random()
    # The other kinds keep their proportions whatever the share of plain lines.
    r = r * 0.80 / plain if r < plain else 0.80 + (r - plain) / (1 - plain) * 0.20
    filler = chat(rng, rng.randint(2, 8))
    if r < 0.80:
        return chat(rng, rng.randint(4, 16)), []
    if r < 0.83:
        ctx = rng.choice(["my card is", "visa", "card number", "pay with", "use"])
        return f"{ctx} {card(rng, True)} {filler}", ["confidential/payment-card"]
    if r < 0.85:
        ctx = rng.choice(["order", "card", "ref", "invoice total for"])
        return f"{ctx} {card(rng, False)} {filler}", []
    if r < 0.87:
        ctx = rng.choice(["iban", "please transfer to", "account", "bank details"])
        return f"{ctx} {iban(rng, True)} {filler}", ["confidential/iban"]
    if r < 0.88:
        return f"iban {iban(rng, False)} {filler}", []
    if r < 0.90:
        ctx = rng.choice(["ssn", "social security", "her number is", "id"])
        return f"{ctx} {ssn(rng, True)} {filler}", ["confidential/us-ssn"]
    if r < 0.91:
        return f"ssn {ssn(rng, False)} {filler}", []
    if r < 0.93:
        return f"{filler} write to {email(rng)}", ["internal/email-address"]
    if r < 0.95:
        kind = rng.choice([("CONFIDENTIAL", "confidential/marking"),
                           ("INTERNAL ONLY", "internal/marking"),
                           ("RESTRICTED", "restricted/marking"),
                           ("SECRET", "restricted/marking")])
        return f"{kind[0]}: {filler}", [kind[1]]
    # Lookalikes that must stay clean.
    lookalikes = [
        lambda: f"call me on {rng.randint(200, 999)}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        lambda: f"phone +47 {rng.randint(400, 999)} {rng.randint(10, 99)} {rng.randint(100, 999)}",
        lambda: f"({rng.randint(200, 999)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)} after 5",
        lambda: f"order number {rng.randint(10**9, 10**12 - 1)} shipped",
        lambda: f"tracking 1Z{rng.randint(100, 999)}AA1{rng.randint(10**9, 10**10 - 1)}",
        lambda: f"invoice INV-{rng.randint(2020, 2027)}-{rng.randint(0, 999999):06d} is paid",
        lambda: f"meeting on {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2020, 2027)} at {rng.randint(8, 17)}:30",
        lambda: "this is confidential between us",
        lambda: "ask the SECRETARY about the CONFIDENTIALITY agreement",
        lambda: "ping @channel or email me at ola dot nordmann at example",
        lambda: f"version {rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)} released",
        lambda: f"price NOK {rng.randint(100, 99999)},{rng.randint(0, 99):02d}",
    ]
    return f"{rng.choice(lookalikes)()} {filler}", []


def main():
    out_dir = sys.argv[1]
    lines = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    plain = float(sys.argv[4]) if len(sys.argv) > 4 else 0.80
    with open(f"{out_dir}/chat.txt", "w") as chat_file, open(f"{out_dir}/labels.tsv", "w") as labels:
        for number in range(1, lines + 1):
            text, found = line(rng, plain)
            chat_file.write(text + "\n")
            for label in found:
                labels.write(f"{number}\t{label}\n")


if __name__ == "__main__":
    main()
