// Command bootstrap is a test function for lambdaemu; the payload's "action" selects a behaviour.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type request struct {
	Action  string   `json:"action"`
	Message string   `json:"message"`
	Ms      int      `json:"ms"`
	Code    int      `json:"code"`
	Keys    []string `json:"keys"`
}

type response struct {
	Echo       string            `json:"echo,omitempty"`
	PID        int               `json:"pid"`
	RequestID  string            `json:"requestId"`
	ARN        string            `json:"arn"`
	DeadlineMs int64             `json:"deadlineMs"`
	Env        map[string]string `json:"env,omitempty"`
}

func handle(ctx context.Context, req request) (response, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	resp := response{PID: os.Getpid(), RequestID: lc.AwsRequestID, ARN: lc.InvokedFunctionArn, DeadlineMs: deadline.UnixMilli()}
	switch req.Action {
	case "echo":
		resp.Echo = req.Message
	case "print":
		fmt.Println(req.Message)
	case "sleep":
		// Tests wait for this line to know the invoke reached the handler.
		fmt.Printf("sleeping %dms\n", req.Ms)
		time.Sleep(time.Duration(req.Ms) * time.Millisecond)
	case "panic":
		panic(req.Message)
	case "exit":
		os.Exit(req.Code)
	case "error":
		return resp, errors.New(req.Message)
	case "env":
		resp.Env = make(map[string]string, len(req.Keys))
		for _, k := range req.Keys {
			resp.Env[k] = os.Getenv(k)
		}
	default:
		return resp, fmt.Errorf("unknown action %q", req.Action)
	}
	return resp, nil
}

func main() {
	if os.Getenv("TEST_FAIL_INIT") != "" {
		fmt.Fprintln(os.Stderr, "init failed on purpose")
		os.Exit(3)
	}
	lambda.Start(handle)
}
