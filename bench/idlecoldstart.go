package main

import (
	"context"
	"fmt"
	"io"

	"github.com/calltaxi/call-taxi/bench/internal/api"
	"github.com/calltaxi/call-taxi/bench/internal/cloudproc"
	"github.com/calltaxi/call-taxi/bench/internal/coldstart"
)

// lambdaOf is the local cloud as the idle cold-start phase sees it: the control plane lists and reclaims
// environments, the Lambda Invoke API (on the AWS endpoint) starts them.
type lambdaOf struct{ control, services *api.Client }

func (l lambdaOf) Functions(ctx context.Context) ([]api.FunctionStats, error) {
	return l.control.Functions(ctx)
}

func (l lambdaOf) Reclaim(ctx context.Context, function string) error {
	return l.control.Reclaim(ctx, function)
}

func (l lambdaOf) Invoke(ctx context.Context, function string, payload []byte) (string, error) {
	return l.services.Invoke(ctx, function, payload)
}

// idleColdStarts cold-starts every function perFunction times on the freshly started, idle local cloud,
// before any load (nil when skipped: -idle-cold-starts 0, or a cloud the bench did not start, whose
// AWS endpoint it does not know and which may not be idle).
func idleColdStarts(ctx context.Context, cloud *cloudproc.Cloud, control *api.Client, perFunction int, out io.Writer) ([]coldstart.Function, error) {
	if cloud == nil || perFunction <= 0 {
		return nil, nil
	}
	fmt.Fprintf(out, "idle cold starts: every function %d times, one at a time…\n", perFunction)
	return coldstart.Measure(ctx, lambdaOf{control: control, services: api.New(cloud.ServicesURL, 2)}, perFunction)
}
