package main

import (
	"errors"

	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
)

// NewSenderIDParameter reads the SMS sender ID from the Parameter Store parameter name through r
// (SMS_SENDER_ID_PARAMETER); a value SNS would refuse keeps the last good one.
func NewSenderIDParameter(r *runtimeconfig.Reader, name string) *runtimeconfig.Value[string] {
	return runtimeconfig.NewValue(r, name, parseSenderID)
}

var _ SenderIDs = (*runtimeconfig.Value[string])(nil)

func parseSenderID(s string) (string, error) {
	if len(s) < 3 || len(s) > 11 || !lettersAndDigits(s) {
		return "", errors.New("sms sender id: 3 to 11 letters and digits, at least one letter")
	}
	return s, nil
}

// lettersAndDigits is SNS's sender ID rule, as template.yaml's SmsSenderId parameter states it: ASCII
// letters and digits, at least one letter (^[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*$, checked by hand because a
// package-level regexp is compiled in every cold start).
func lettersAndDigits(s string) bool {
	letter := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			letter = true
		case '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return letter
}
