// Package envcfg reads a Lambda's configuration from its environment, in main.go only.
package envcfg

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Required returns the variable's value or an error naming it.
func Required(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("environment variable %s is required", name)
	}
	return v, nil
}

// String returns the variable's value, or def when it is unset or empty.
func String(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Int returns the variable as an integer, def when unset, and an error when it is not a number.
func Int(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("environment variable %s=%q is not an integer", name, v)
	}
	return n, nil
}

// Location returns the time zone the variable names, def when unset, and an error when it is unknown.
func Location(name, def string) (*time.Location, error) {
	zone, err := time.LoadLocation(String(name, def))
	if err != nil {
		return nil, fmt.Errorf("environment variable %s: %w", name, err)
	}
	return zone, nil
}
