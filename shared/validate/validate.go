// Package validate checks the input formats several contexts accept: phone numbers and card numbers.
package validate

import "strings"

// E164 reports whether phone is an E.164 number (+ country code, 8 to 15 digits), as SNS SMS requires:
// ^\+[1-9][0-9]{7,14}$, checked by hand because a package-level regexp is compiled in every cold start.
func E164(phone string) bool {
	digits, ok := strings.CutPrefix(phone, "+")
	if !ok || len(digits) < 8 || len(digits) > 15 || digits[0] == '0' {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}

// NormalizeCard strips the spaces and dashes people type inside card numbers.
func NormalizeCard(cardNo string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(cardNo)
}

// Card reports whether a normalized card number has 12 to 19 digits and a valid Luhn check digit.
func Card(cardNo string) bool {
	if len(cardNo) < 12 || len(cardNo) > 19 {
		return false
	}
	sum := 0
	double := false
	for i := len(cardNo) - 1; i >= 0; i-- {
		c := cardNo[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// CardBrand names the card network from its leading digits.
func CardBrand(cardNo string) string {
	switch {
	case strings.HasPrefix(cardNo, "4"):
		return "visa"
	case len(cardNo) >= 2 && cardNo[0] == '5' && cardNo[1] >= '1' && cardNo[1] <= '5':
		return "mastercard"
	case strings.HasPrefix(cardNo, "34"), strings.HasPrefix(cardNo, "37"):
		return "amex"
	default:
		return "card"
	}
}

// Last4 is the only part of a card number anything may keep.
func Last4(cardNo string) string {
	if len(cardNo) < 4 {
		return cardNo
	}
	return cardNo[len(cardNo)-4:]
}
