package envcfg

import (
	"strings"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	t.Setenv("ENVCFG_SET", "42")
	t.Setenv("ENVCFG_BAD", "forty")

	if _, err := Required("ENVCFG_MISSING"); err == nil {
		t.Error("Required of a missing variable: want an error")
	}
	if v, err := Required("ENVCFG_SET"); err != nil || v != "42" {
		t.Errorf("Required = %q, %v", v, err)
	}
	if got := String("ENVCFG_MISSING", "d"); got != "d" {
		t.Errorf("String default = %q", got)
	}
	tests := []struct {
		name    string
		def     int
		want    int
		wantErr bool
	}{
		{"ENVCFG_SET", 1, 42, false},
		{"ENVCFG_MISSING", 7, 7, false},
		{"ENVCFG_BAD", 1, 0, true},
	}
	for _, tt := range tests {
		got, err := Int(tt.name, tt.def)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("Int(%s) = %d, %v; want %d, err=%v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestLocation(t *testing.T) {
	t.Setenv("ZONE", "Asia/Seoul")
	if zone, err := Location("ZONE", "UTC"); err != nil || zone.String() != "Asia/Seoul" {
		t.Errorf("Location = %v, %v", zone, err)
	}
	t.Setenv("ZONE", "")
	if zone, err := Location("ZONE", "UTC"); err != nil || zone != time.UTC {
		t.Errorf("Location unset = %v, %v", zone, err)
	}
	t.Setenv("ZONE", "Mars/Olympus")
	if _, err := Location("ZONE", "UTC"); err == nil || !strings.Contains(err.Error(), "ZONE") {
		t.Errorf("Location unknown: err = %v", err)
	}
}
