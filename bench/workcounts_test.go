package main

import (
	"reflect"
	"testing"
)

func TestPerOrder(t *testing.T) {
	tests := []struct {
		name          string
		before, after map[string]int64
		placed        int
		want          map[string]float64
	}{
		{"growth per order; a count that did not grow is left out",
			map[string]int64{"dynamodb.PutItem": 10, "sqs.ReceiveMessage": 4}, map[string]int64{"dynamodb.PutItem": 30, "sqs.ReceiveMessage": 4, "lambda.Invoke": 5},
			10, map[string]float64{"dynamodb.PutItem": 2, "lambda.Invoke": 0.5}},
		{"not measured", map[string]int64{"a": 1}, nil, 10, nil},
		{"no order placed", nil, map[string]int64{"a": 1}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := perOrder(tt.before, tt.after, tt.placed); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
