// Fixture: an order function whose routes and environment disagree with its template.
package main

import (
	"os"

	cfg "github.com/calltaxi/call-taxi/shared/envcfg"
)

const idempotencyTableVar = "IDEMPOTENCY_TABLE"

var routes = map[string]func(){
	"POST /orders":        nil,
	"DELETE /orders/{id}": nil, // not routed by the template
}

func main() {
	_, _ = cfg.Required("ORDERS_TABLE")
	_ = os.Getenv("LOG_LEVEL")
	_ = os.Getenv("AWS_REGION")
	_ = os.Getenv("AWS_LAMBDA_FUNCTION_NAME")
	_ = os.Getenv(idempotencyTableVar)  // not set
	_, _ = cfg.Int("MIN_TAXI_PRICE", 1) // not set
	name := "X"
	_, _ = os.LookupEnv(name) // not a constant
	_ = routes
}
