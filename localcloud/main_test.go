package main

import "testing"

func TestMemoryLimitFor(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name       string
		base, live int64
		want       int64
	}{
		{"small live heap: the base", 384 * mib, 10 * mib, 384 * mib},
		{"live heap at two thirds of the base: still the base", 384 * mib, 256 * mib, 384 * mib},
		{"larger live heap: half as much again", 384 * mib, 300 * mib, 450 * mib},
		{"no live heap reported", 384 * mib, 0, 384 * mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := memoryLimitFor(tt.base, tt.live); got != tt.want {
				t.Errorf("memoryLimitFor(%d MiB, %d MiB) = %d MiB, want %d MiB", tt.base/mib, tt.live/mib, got/mib, tt.want/mib)
			}
		})
	}
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"384MiB", 384 << 20, false},
		{"1GiB", 1 << 30, false},
		{"512", 512, false},
		{"10KiB", 10 << 10, false},
		{"0MiB", 0, true},
		{"-1GiB", 0, true},
		{"lots", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseBytes(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseBytes(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
