package validate

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzCard: the card checks never panic, a valid card is all digits of an allowed length, changing its
// check digit invalidates it, and Last4 never gives away more than four characters.
func FuzzCard(f *testing.F) {
	for _, seed := range []string{"4111 1111 1111 1111", "4000-0000-0000-0002", "4242424242424242", "378282246310005", "", "4", "١٢٣٤٥٦٧٨٩٠١٢", "4111111111111111\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		card := NormalizeCard(raw)
		if strings.ContainsAny(card, " -") {
			t.Fatalf("NormalizeCard(%q) = %q", raw, card)
		}
		_ = CardBrand(card)
		if last := Last4(card); len(last) > 4 || !strings.HasSuffix(card, last) {
			t.Fatalf("Last4(%q) = %q", card, last)
		}
		if !Card(card) {
			return
		}
		if len(card) < 12 || len(card) > 19 || strings.Trim(card, "0123456789") != "" {
			t.Fatalf("Card accepted %q", card)
		}
		check := card[len(card)-1]
		other := card[:len(card)-1] + string('0'+(check-'0'+1)%10)
		if Card(other) {
			t.Fatalf("Card accepts both %q and %q", card, other)
		}
	})
}

// e164Rule is the E.164 rule as a regular expression; E164 must agree with it.
var e164Rule = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// FuzzE164: E164 agrees with e164Rule, and an accepted phone is '+' and 8 to 15 digits, nothing else.
func FuzzE164(f *testing.F) {
	for _, seed := range []string{"+821012345678", "+0123456789", "821012345678", "+82 10 1234 5678", "+8210123456789012",
		"+821012345678\n", "+123456789012345", "+1234567890123456", "+1234567", "+12345678", "+", "", "++12345678", "+1234567٣"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, phone string) {
		if got, want := E164(phone), e164Rule.MatchString(phone); got != want {
			t.Fatalf("E164(%q) = %v, the rule says %v", phone, got, want)
		}
		if !E164(phone) {
			return
		}
		digits := strings.TrimPrefix(phone, "+")
		if digits == phone || len(digits) < 8 || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" || digits[0] == '0' {
			t.Fatalf("E164 accepted %q", phone)
		}
	})
}
