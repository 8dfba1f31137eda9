package lambdaemu

import (
	"encoding/base64"
	"testing"
)

func TestParseFunctionError(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		headerType string
		wantType   string
		wantMsg    string
	}{
		{"runtime body", `{"errorType":"errorString","errorMessage":"declined","stackTrace":[]}`, "", "errorString", "declined"},
		{"type from header", `{"errorMessage":"declined"}`, "Function.Custom", "Function.Custom", "declined"},
		{"not json", `plain text`, "", "Runtime.Unknown", "plain text"},
		{"empty", ``, "", "Runtime.Unknown", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fe := parseFunctionError([]byte(tc.body), tc.headerType)
			if fe.Type != tc.wantType || fe.Message != tc.wantMsg {
				t.Errorf("got %q/%q, want %q/%q", fe.Type, fe.Message, tc.wantType, tc.wantMsg)
			}
			if len(fe.Payload) == 0 {
				t.Error("empty payload")
			}
		})
	}
}

func TestTrailerError(t *testing.T) {
	body := base64.StdEncoding.EncodeToString([]byte(`{"errorType":"io.ErrUnexpectedEOF","errorMessage":"stream broke"}`))
	if fe := trailerError("io.ErrUnexpectedEOF", body); fe.Type != "io.ErrUnexpectedEOF" || fe.Message != "stream broke" {
		t.Errorf("decoded trailer = %+v", fe)
	}
	if fe := trailerError("Stream.Failed", "%%%"); fe.Type != "Stream.Failed" {
		t.Errorf("undecodable trailer = %+v", fe)
	}
}
