package validate

import "testing"

func TestE164(t *testing.T) {
	tests := []struct {
		phone string
		ok    bool
	}{
		{"+821012345678", true}, {"+14155550100", true}, {"01012345678", false}, {"+0123456789", false},
		{"+8210", false}, {"+82 10 1234 5678", false}, {"+1234567890123456", false}, {"", false},
	}
	for _, tt := range tests {
		if E164(tt.phone) != tt.ok {
			t.Errorf("E164(%q) = %v", tt.phone, !tt.ok)
		}
	}
}

func TestCard(t *testing.T) {
	tests := []struct {
		card  string
		ok    bool
		brand string
	}{
		{"4242424242424242", true, "visa"},
		{"5555555555554444", true, "mastercard"},
		{"378282246310005", true, "amex"},
		{"4242424242424241", false, "visa"},
		{"4242-4242-4242-4242", false, "visa"}, // not normalized
		{"42424242", false, "visa"},
		{"4242a24242424242", false, "visa"},
		{"", false, "card"},
	}
	for _, tt := range tests {
		if Card(tt.card) != tt.ok || CardBrand(tt.card) != tt.brand {
			t.Errorf("Card(%q) = %v %s", tt.card, Card(tt.card), CardBrand(tt.card))
		}
	}
	if Card(NormalizeCard("4242 4242-4242 4242")) != true {
		t.Error("normalized card should pass")
	}
	if Last4("4242424242424242") != "4242" || Last4("12") != "12" {
		t.Error("Last4")
	}
}
