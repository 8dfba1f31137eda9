package main

import (
	"errors"
	"regexp"

	"github.com/calltaxi/call-taxi/shared/runtimeconfig"
)

// senderIDPattern is SNS's sender ID rule, as template.yaml's SmsSenderId parameter states it: 3 to 11
// letters and digits, at least one letter.
var senderIDPattern = regexp.MustCompile(`^[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*$`)

// NewSenderIDParameter reads the SMS sender ID from the Parameter Store parameter name through r
// (SMS_SENDER_ID_PARAMETER); a value SNS would refuse keeps the last good one.
func NewSenderIDParameter(r *runtimeconfig.Reader, name string) *runtimeconfig.Value[string] {
	return runtimeconfig.NewValue(r, name, parseSenderID)
}

var _ SenderIDs = (*runtimeconfig.Value[string])(nil)

func parseSenderID(s string) (string, error) {
	if len(s) < 3 || len(s) > 11 || !senderIDPattern.MatchString(s) {
		return "", errors.New("sms sender id: 3 to 11 letters and digits, at least one letter")
	}
	return s, nil
}
