package eventbus

import "testing"

func TestCachingMatcherAgreesWithMatch(t *testing.T) {
	match := CachingMatcher()
	tests := []struct {
		name, pattern, event string
		wantErr              bool
	}{
		{name: "match", pattern: `{"eventName":["INSERT","MODIFY"]}`, event: `{"eventName":"MODIFY"}`},
		{name: "same pattern, no match", pattern: `{"eventName":["INSERT","MODIFY"]}`, event: `{"eventName":"REMOVE"}`},
		{name: "nested", pattern: `{"dynamodb":{"NewImage":{"id":{"S":[{"prefix":"a"}]}}}}`, event: `{"dynamodb":{"NewImage":{"id":{"S":"abc"}}}}`},
		{name: "invalid pattern", pattern: `{"eventName":"INSERT"}`, event: `{"eventName":"INSERT"}`, wantErr: true},
		{name: "invalid pattern again", pattern: `{"eventName":"INSERT"}`, event: `{"eventName":"INSERT"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantErr := Match([]byte(tt.pattern), []byte(tt.event))
			got, err := match([]byte(tt.pattern), []byte(tt.event))
			if (err != nil) != tt.wantErr || (wantErr != nil) != tt.wantErr {
				t.Fatalf("errors: cached %v, Match %v, want error %v", err, wantErr, tt.wantErr)
			}
			if got != want {
				t.Fatalf("cached %v, Match %v", got, want)
			}
		})
	}
}
