package smsparts

import (
	"strings"
	"testing"
)

func TestParts(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		encoding string
		length   int
		parts    int
	}{
		{"empty", "", "GSM-7", 0, 0},
		{"ascii", "Booking 7F3K2A: paid.", "GSM-7", 21, 1},
		{"160 septets is one part", strings.Repeat("a", 160), "GSM-7", 160, 1},
		{"161 septets is two parts of 153", strings.Repeat("a", 161), "GSM-7", 161, 2},
		{"306 septets is two parts", strings.Repeat("a", 306), "GSM-7", 306, 2},
		{"307 septets is three parts", strings.Repeat("a", 307), "GSM-7", 307, 3},
		{"extension characters take two septets", "[CallTaxi] €", "GSM-7", 15, 1},
		{"80 brackets are 160 septets", strings.Repeat("[", 80), "GSM-7", 160, 1},
		{"81 brackets are two parts", strings.Repeat("]", 81), "GSM-7", 162, 2},
		{"GSM accents stay GSM-7", "café à Zürich", "GSM-7", 13, 1},
		{"hangul is UCS-2", "예약 완료", "UCS-2", 5, 1},
		{"70 UCS-2 units is one part", strings.Repeat("가", 70), "UCS-2", 70, 1},
		{"71 UCS-2 units is two parts of 67", strings.Repeat("가", 71), "UCS-2", 71, 2},
		{"one hangul makes a long English text UCS-2", strings.Repeat("a", 69) + "가", "UCS-2", 70, 1},
		{"an emoji is two UTF-16 units", strings.Repeat("a", 69) + "🚕", "UCS-2", 71, 2},
		{"a non-GSM Latin character is UCS-2", "ç is GSM, ć is not", "UCS-2", 18, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Encoding(tt.text); got != tt.encoding {
				t.Errorf("Encoding = %s, want %s", got, tt.encoding)
			}
			if got := Length(tt.text); got != tt.length {
				t.Errorf("Length = %d, want %d", got, tt.length)
			}
			if got := Parts(tt.text); got != tt.parts {
				t.Errorf("Parts = %d, want %d", got, tt.parts)
			}
			if FitsOnePart(tt.text) != (tt.parts == 1) {
				t.Errorf("FitsOnePart disagrees with Parts %d", tt.parts)
			}
		})
	}
}
