package main

import "os"

// Test files are not scanned: neither this route nor this variable is reported.
var testRoute = "PUT /ignored"

var _ = os.Getenv("TEST_ONLY_VAR") + testRoute
