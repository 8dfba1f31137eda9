package samtemplate

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseParameterOverrides(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]string
		wantErr string
	}{
		{"empty", "", map[string]string{}, ""},
		{"plain pairs", "Stage=dev MinTaxiPrice=3800", map[string]string{"Stage": "dev", "MinTaxiPrice": "3800"}, ""},
		{"double quoted with spaces", `Name="hello world" Other=x`, map[string]string{"Name": "hello world", "Other": "x"}, ""},
		{"single quoted", `Name='a "b" c'`, map[string]string{"Name": `a "b" c`}, ""},
		{"escaped quote", `Name="say \"hi\""`, map[string]string{"Name": `say "hi"`}, ""},
		{"value with equals", "Url=http://x/?a=b", map[string]string{"Url": "http://x/?a=b"}, ""},
		{"empty value", `Empty= Quoted=""`, map[string]string{"Empty": "", "Quoted": ""}, ""},
		{"extra whitespace", "  A=1 \n\t B=2  ", map[string]string{"A": "1", "B": "2"}, ""},
		{"long form", "ParameterKey=Stage,ParameterValue=prod", map[string]string{"Stage": "prod"}, ""},
		{"later wins", "A=1 A=2", map[string]string{"A": "2"}, ""},
		{"missing equals", "Stage", nil, `"Stage" is not <Name>=<Value>`},
		{"bad name", "my-param=1", nil, "is not <Name>=<Value>"},
		{"unterminated quote", `A="open`, nil, "unterminated"},
		{"bad long form", "ParameterKey=Stage", nil, "ParameterKey=<name>,ParameterValue=<value>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseParameterOverrides(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParameterOverridesWinOverDefaults(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]string
		want      string
	}{
		{"default", nil, "INFO"},
		{"override", map[string]string{"LogLevel": "DEBUG"}, "DEBUG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl := loadFixture(t, "globals.yaml", Options{ParameterOverrides: tt.overrides})
			if got := tpl.Parameters["LogLevel"]; got != tt.want {
				t.Errorf("Parameters[LogLevel] = %q, want %q", got, tt.want)
			}
			if got := tpl.Functions["Inherits"].Env["LOG_LEVEL"]; got != tt.want {
				t.Errorf("LOG_LEVEL = %q, want %q", got, tt.want)
			}
		})
	}
}
