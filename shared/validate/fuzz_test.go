package validate

import (
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

// FuzzE164: an accepted phone is '+' and 8 to 15 digits, nothing else.
func FuzzE164(f *testing.F) {
	for _, seed := range []string{"+821012345678", "+0123456789", "821012345678", "+82 10 1234 5678", "+8210123456789012", "+821012345678\n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, phone string) {
		if !E164(phone) {
			return
		}
		digits := strings.TrimPrefix(phone, "+")
		if digits == phone || len(digits) < 8 || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" || digits[0] == '0' {
			t.Fatalf("E164 accepted %q", phone)
		}
	})
}
