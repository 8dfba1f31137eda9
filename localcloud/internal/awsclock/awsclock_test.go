package awsclock

import (
	"context"
	"testing"
	"time"
)

func TestWallAndAWSDurations(t *testing.T) {
	tests := []struct {
		name  string
		clock *Clock
		aws   time.Duration
		wall  time.Duration
	}{
		{"nil clock is real time", nil, time.Minute, time.Minute},
		{"scale 1 is real time", New(1), time.Minute, time.Minute},
		{"non-positive scale means 1", New(0), time.Second, time.Second},
		{"scale 600: ten minutes per second", New(600), 10 * time.Minute, time.Second},
		{"scale 60: an hour per minute", New(60), time.Hour, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.clock.Wall(tt.aws); got != tt.wall {
				t.Errorf("Wall(%v) = %v, want %v", tt.aws, got, tt.wall)
			}
			if got := tt.clock.AWS(tt.wall); got != tt.aws {
				t.Errorf("AWS(%v) = %v, want %v", tt.wall, got, tt.aws)
			}
		})
	}
}

func TestNowRunsScaleTimesFaster(t *testing.T) {
	c := New(3600) // an hour per wall second
	start := c.Now()
	deadline := time.Now().Add(5 * time.Second)
	for c.Since(start) < time.Minute {
		if time.Now().After(deadline) {
			t.Fatalf("a minute of AWS time did not pass in 5 wall seconds at scale 3600")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := New(1).Sleep(ctx, time.Hour); err == nil {
		t.Fatal("Sleep on a cancelled context returned nil")
	}
	if err := New(3600).Sleep(context.Background(), time.Second); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
}
