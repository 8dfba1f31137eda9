// Package smsparts counts the message parts an SMS text costs, as carriers (and SNS's price list) count
// them: a text made only of GSM 03.38 characters is encoded in 7-bit septets, 160 to a single message and
// 153 to each part of a concatenated one (the extension table's characters, e.g. [ ] { } € ~, take two
// septets); any other character makes the whole text UCS-2, 70 UTF-16 code units in a single message and
// 67 in each part of a concatenated one.
//
// notify uses it to keep every text to one part; the bench's auditor uses it to count the parts each
// booking cost.
package smsparts

import "unicode/utf16"

// Limits of one message, per encoding.
const (
	GSM7Single = 160
	GSM7Part   = 153
	UCS2Single = 70
	UCS2Part   = 67
)

// gsm7Basic is the GSM 03.38 default alphabet (one septet each).
const gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsm7Extension are the characters reached through the escape code (two septets each).
const gsm7Extension = "\f^{}\\[~]|€"

var basic, extension = runeSet(gsm7Basic), runeSet(gsm7Extension)

func runeSet(s string) map[rune]bool {
	m := map[rune]bool{}
	for _, r := range s {
		m[r] = true
	}
	return m
}

// Encoding is how a text travels: "GSM-7" or "UCS-2".
func Encoding(text string) string {
	if _, ok := septets(text); ok {
		return "GSM-7"
	}
	return "UCS-2"
}

// septets is the GSM-7 length of text; ok is false when a character needs UCS-2.
func septets(text string) (n int, ok bool) {
	for _, r := range text {
		switch {
		case basic[r]:
			n++
		case extension[r]:
			n += 2
		default:
			return 0, false
		}
	}
	return n, true
}

// Length is the text's length in its encoding's units: septets for GSM-7, UTF-16 code units for UCS-2.
func Length(text string) int {
	if n, ok := septets(text); ok {
		return n
	}
	return len(utf16.Encode([]rune(text)))
}

// Parts is the number of message parts the text is sent as (0 for an empty text).
func Parts(text string) int {
	if text == "" {
		return 0
	}
	single, part := UCS2Single, UCS2Part
	if Encoding(text) == "GSM-7" {
		single, part = GSM7Single, GSM7Part
	}
	n := Length(text)
	if n <= single {
		return 1
	}
	return (n + part - 1) / part
}

// FitsOnePart reports whether the text is sent as a single message.
func FitsOnePart(text string) bool { return Parts(text) == 1 }
