//! The checksums a detector can require of a match. Each reads only the characters that
//! matter (digits, and for IBAN letters) and ignores the separators a pattern allows, so
//! `4111 1111-1111 1111` is checked as `4111111111111111`.

use crate::vocabulary::Checksum;

/// Whether `text` (a pattern's match) passes the checksum.
pub fn passes(check: &Checksum, text: &[u8]) -> bool {
    match check {
        Checksum::Luhn => luhn(text),
        Checksum::Iban => iban(text),
        Checksum::Weighted { weights, modulus } => weighted(text, weights, *modulus),
    }
}

fn digits(text: &[u8]) -> impl DoubleEndedIterator<Item = u32> + '_ {
    text.iter()
        .filter(|b| b.is_ascii_digit())
        .map(|b| u32::from(b - b'0'))
}

/// Luhn (ISO/IEC 7812): from the right, every second digit doubled (minus 9 above 9); the
/// sum is a multiple of 10. Needs at least two digits.
fn luhn(text: &[u8]) -> bool {
    let mut sum = 0;
    let mut count = 0;
    for (i, d) in digits(text).rev().enumerate() {
        let d = if i % 2 == 1 { d * 2 } else { d };
        sum += if d > 9 { d - 9 } else { d };
        count += 1;
    }
    count >= 2 && sum % 10 == 0
}

/// Length of the IBAN of each country that issues them (ISO 13616 registry), by code.
#[rustfmt::skip]
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24), (b"AE", 23), (b"AL", 28), (b"AT", 20), (b"AZ", 28), (b"BA", 20), (b"BE", 16),
    (b"BG", 22), (b"BH", 22), (b"BR", 29), (b"BY", 28), (b"CH", 21), (b"CR", 22), (b"CY", 28),
    (b"CZ", 24), (b"DE", 22), (b"DK", 18), (b"DO", 28), (b"EE", 20), (b"EG", 29), (b"ES", 24),
    (b"FI", 18), (b"FO", 18), (b"FR", 27), (b"GB", 22), (b"GE", 22), (b"GI", 23), (b"GL", 18),
    (b"GR", 27), (b"GT", 28), (b"HR", 21), (b"HU", 28), (b"IE", 22), (b"IL", 23), (b"IQ", 23),
    (b"IS", 26), (b"IT", 27), (b"JO", 30), (b"KW", 30), (b"KZ", 20), (b"LB", 28), (b"LC", 32),
    (b"LI", 21), (b"LT", 20), (b"LU", 20), (b"LV", 21), (b"MC", 27), (b"MD", 24), (b"ME", 22),
    (b"MK", 19), (b"MR", 27), (b"MT", 31), (b"MU", 30), (b"NL", 18), (b"NO", 15), (b"PK", 24),
    (b"PL", 28), (b"PS", 29), (b"PT", 25), (b"QA", 29), (b"RO", 24), (b"RS", 22), (b"SA", 24),
    (b"SC", 31), (b"SE", 24), (b"SI", 19), (b"SK", 24), (b"SM", 27), (b"ST", 25), (b"SV", 28),
    (b"TL", 23), (b"TN", 24), (b"TR", 26), (b"UA", 29), (b"VA", 22), (b"VG", 24), (b"XK", 20),
];

/// ISO 13616: the country's length, then the first four characters moved to the end,
/// letters as 10–35, the number mod 97 is 1. Spaces are ignored; letters must be capitals.
fn iban(text: &[u8]) -> bool {
    let chars: Vec<u8> = text.iter().copied().filter(|b| *b != b' ').collect();
    if chars.len() < 5
        || !chars
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return false;
    }
    let country = [chars[0], chars[1]];
    let Some(&(_, length)) = IBAN_LENGTHS.iter().find(|(c, _)| **c == country) else {
        return false;
    };
    if chars.len() != length || !chars[2].is_ascii_digit() || !chars[3].is_ascii_digit() {
        return false;
    }
    let mut remainder: u32 = 0;
    for &b in chars[4..].iter().chain(&chars[..4]) {
        let value = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        let scale = if value >= 10 { 100 } else { 10 };
        remainder = (remainder * scale + value) % 97;
    }
    remainder == 1
}

/// The digits times the weights, from the left, sum to a multiple of `modulus`; the match must
/// have exactly one digit per weight. The check digit is one of the weighted digits (usually
/// weight 1), so national-id schemes of the form "check = M − sum mod M" fit.
fn weighted(text: &[u8], weights: &[u32], modulus: u32) -> bool {
    let digits: Vec<u32> = digits(text).collect();
    modulus != 0
        && digits.len() == weights.len()
        && digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % modulus == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_valid_card_numbers_with_separators() {
        assert!(luhn(b"4111111111111111"));
        assert!(luhn(b"4111 1111-1111 1111"));
        assert!(luhn(b"378282246310005")); // American Express test number
        assert!(luhn(b"5555555555554444"));
    }

    #[test]
    fn luhn_rejects_one_wrong_digit_and_degenerate_input() {
        assert!(!luhn(b"4111111111111112"));
        assert!(!luhn(b"378282246310006"));
        assert!(!luhn(b"0"));
        assert!(!luhn(b""));
    }

    #[test]
    fn iban_accepts_registry_examples() {
        assert!(iban(b"GB82WEST12345698765432"));
        assert!(iban(b"GB82 WEST 1234 5698 7654 32"));
        assert!(iban(b"DE89370400440532013000"));
        assert!(iban(b"NO9386011117947"));
    }

    #[test]
    fn iban_rejects_bad_check_digits_lengths_and_countries() {
        assert!(!iban(b"GB83WEST12345698765432"), "check digits");
        assert!(!iban(b"GB82WEST1234569876543"), "one character short");
        assert!(!iban(b"XX82WEST12345698765432"), "no such country");
        assert!(!iban(b"gb82west12345698765432"), "lowercase");
        assert!(!iban(b"GB"), "too short");
    }

    #[test]
    fn weighted_checks_norwegian_national_id_control_digits() {
        // 01010150155 is a synthetic fødselsnummer with valid control digits.
        let k1 = [3, 7, 6, 1, 8, 9, 4, 5, 2, 1, 0];
        let k2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        assert!(weighted(b"010101 50155", &k1, 11));
        assert!(weighted(b"01010150155", &k2, 11));
        assert!(!weighted(b"01010150156", &k2, 11));
        assert!(!weighted(b"0101015015", &k2, 11), "one digit short");
        assert!(!weighted(b"01010150155", &k2, 0), "zero modulus");
    }

    #[test]
    fn passes_dispatches_on_the_checksum() {
        assert!(passes(&Checksum::Luhn, b"4111111111111111"));
        assert!(passes(&Checksum::Iban, b"DE89370400440532013000"));
        assert!(!passes(
            &Checksum::Weighted {
                weights: vec![1, 1],
                modulus: 3
            },
            b"11"
        ));
    }
}
